/*
 * durable.h - making a name on disk survive a power cut.
 *
 * A file's fsync() makes its bytes durable, not its name: creating a file
 * or renaming one over another is an update of the directory, durable only
 * once the directory itself is fsync'd (POSIX; ext4 and XFS can lose a
 * fresh name or a rename without it).  Every write-to-temporary-and-rename
 * and every created journal calls durable_sync_dir() after the rename or
 * the creation.  tests/crash/ checks this by simulating power loss.
 */
#ifndef CANDOR_DURABLE_H
#define CANDOR_DURABLE_H

#include "error.h"

/* fsync the directory that holds path ("." for a bare name).  0 or CD_ERR_IO. */
int durable_sync_dir(const char *path, struct cd_error *err);

#endif

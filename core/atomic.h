/*
 * atomic.h - replace a file all at once or not at all (git's lockfile.h).
 *
 * atomic_open() creates PATH.tmp.PID beside the target and hands out a
 * stdio stream on it; atomic_commit() flushes it, fsyncs it, renames it
 * over PATH and fsyncs the directory, so after a crash or power loss PATH
 * holds either the old contents or the whole new file, never a part.
 * atomic_rollback() removes the temporary file; it is a no-op after a
 * commit, so a cleanup path may always call it.
 *
 *   struct atomic_file af;
 *   if (atomic_open(&af, path, &err)) ...;
 *   fwrite(..., af.fp);
 *   if (atomic_commit(&af, &err)) ...;     (err names the file and why)
 *   atomic_rollback(&af);                  (on every path; harmless)
 *
 * The struct is embedded by the caller and owns no heap memory.
 */
#ifndef CANDOR_ATOMIC_H
#define CANDOR_ATOMIC_H

#include <stdio.h>

#include "error.h"

#define ATOMIC_PATH_MAX 4096

struct atomic_file {
	FILE *fp;                       /* write here; NULL when not open */
	char path[ATOMIC_PATH_MAX];     /* the target */
	char tmp[ATOMIC_PATH_MAX + 32]; /* the temporary file beside it */
};

/*
 * Create the temporary file for path.  Returns 0, or CD_ERR_USAGE for a
 * path over ATOMIC_PATH_MAX bytes, or CD_ERR_IO ("cannot create 'TMP':
 * why") with err set.
 */
int atomic_open(struct atomic_file *af, const char *path, struct cd_error *err);

/*
 * Flush, fsync and close the temporary file, rename it to the target and
 * fsync the target's directory.  Returns 0, or CD_ERR_IO with err saying
 * "cannot write 'TMP': why" or "cannot rename 'TMP' to 'PATH': why"; the
 * temporary file is then removed.
 */
int atomic_commit(struct atomic_file *af, struct cd_error *err);

/* Close and remove the temporary file unless committed. */
void atomic_rollback(struct atomic_file *af);

/*
 * fsync the directory holding path ("." for a bare name), so that a name
 * just created or renamed there survives a power cut (POSIX makes a file's
 * fsync cover its bytes, not its name).  atomic_commit() calls it; so does
 * journal_open() when it may have created the journal.  0, or -1 with
 * errno set (a file system that cannot sync a directory is not a failure).
 */
int atomic_sync_dir(const char *path);

#endif

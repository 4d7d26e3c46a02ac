/*
 * readfile.h - read a whole (small) file with a size cap.
 */
#ifndef CANDOR_READFILE_H
#define CANDOR_READFILE_H

#include <stddef.h>

/*
 * The contents of path ("-": stdin), NUL-terminated, in a malloc'd buffer
 * the caller frees; NULL after printing why (missing file, over max bytes).
 * *code gets the exit code then.
 */
char *cli_read_file(const char *path, size_t max, size_t *len, int *code);

#endif

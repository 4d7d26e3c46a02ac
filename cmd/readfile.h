/*
 * readfile.h - read a whole (small) file with a size cap.
 */
#ifndef CANDOR_READFILE_H
#define CANDOR_READFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * The contents of path ("-": stdin), NUL-terminated, in a malloc'd buffer
 * the caller frees; NULL after printing why (missing file, over max bytes).
 * *code gets the exit code then.
 */
char *cli_read_file(const char *path, size_t max, size_t *len, int *code);

/*
 * Standard input copied into an unnamed temporary file, rewound, for a
 * reader that must look at the start twice (a pipe cannot be rewound);
 * NULL with errno set on failure.  The caller fcloses it.
 */
FILE *cli_stdin_copy(void);

#endif

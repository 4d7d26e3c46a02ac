/*
 * error.h - the one error convention of core/.
 *
 * Every fallible core function returns 0 on success or a negative
 * enum cd_status, and fills the caller's struct cd_error with a lowercase
 * message (no trailing full stop) and, for parsers, the 1-based line and
 * column of the problem (0 when not applicable).  core/ never prints; the
 * program in cmd/ decides how to show the error and which exit code to use.
 */
#ifndef CANDOR_ERROR_H
#define CANDOR_ERROR_H

#include <stddef.h>

enum cd_status {
	CD_OK = 0,
	CD_ERR_USAGE = -1,  /* the caller passed something meaningless */
	CD_ERR_DATA = -2,   /* malformed input data (sysexits EX_DATAERR) */
	CD_ERR_NOINPUT = -3,/* a file could not be opened (EX_NOINPUT) */
	CD_ERR_IO = -4,     /* read or write failed (EX_IOERR) */
	CD_ERR_CONFIG = -5, /* bad configuration (EX_CONFIG) */
	CD_ERR_NOMEM = -6,  /* out of memory */
	CD_ERR_LIMIT = -7,  /* a size limit was exceeded (treated as data) */
	CD_ERR_AUTH = -8,   /* the server refused our credentials (EX_NOPERM) */
	CD_ERR_TEMPFAIL = -9,/* try again later: retries used up (EX_TEMPFAIL) */
	CD_ERR_REMOTE = -10 /* the server said no or answered nonsense
			       (EX_PROTOCOL) */
};

struct cd_error {
	char msg[256];
	long line;   /* 1-based, 0 when unknown */
	long col;    /* 1-based, 0 when unknown */
};

/* Clear err (may be NULL). */
void cd_error_clear(struct cd_error *err);

/*
 * Format a message into err (if not NULL) and return status, so that a
 * failing path reads `return cd_error_set(err, CD_ERR_DATA, line, "...")`.
 */
int cd_error_set(struct cd_error *err, int status, long line,
		 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Like cd_error_set with a column. */
int cd_error_setc(struct cd_error *err, int status, long line, long col,
		  const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif

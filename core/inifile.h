/*
 * inifile.h - inih with line numbers and a line-length check.
 *
 * Debian's inih cuts a line at 200 bytes and reads the rest as a new line,
 * so inifile_parse() first refuses any line that long, naming the line and
 * the limit.  The handler gets the line number of each key, so callers can
 * report unknown sections and keys where they stand.
 */
#ifndef CANDOR_INIFILE_H
#define CANDOR_INIFILE_H

#include "error.h"

#define INIFILE_LINE_MAX 199    /* bytes, without the newline */
#define INIFILE_SECTION_MAX 49  /* bytes of a [section] name (libinih's
				   MAX_SECTION 50 with its NUL) */

/*
 * Return 0 to go on, or a negative status after filling err (the parse
 * stops and inifile_parse returns that status).
 */
typedef int (*inifile_fn)(void *user, const char *section, const char *key,
			  const char *value, long line, struct cd_error *err);

/*
 * Call fn for each item of a comma-separated value ("a, b ,c"), trimmed of
 * spaces and tabs; empty items are skipped.  Stops at and returns fn's
 * first nonzero result.
 */
int inifile_each_item(const char *value,
		      int (*fn)(void *ctx, const char *item, size_t len),
		      void *ctx);

/* Parse path; errors name the file and line.  0 or a negative status. */
int inifile_parse(const char *path, inifile_fn fn, void *user,
		  struct cd_error *err);

#endif

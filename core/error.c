/* error.c - see error.h. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cd_error_clear(struct cd_error *err)
{
	if (err) {
		err->msg[0] = '\0';
		err->line = 0;
		err->col = 0;
	}
}

static void vset(struct cd_error *err, long line, long col, const char *fmt,
		 va_list ap) __attribute__((format(printf, 4, 0)));

static void vset(struct cd_error *err, long line, long col, const char *fmt,
		 va_list ap)
{
	if (!err)
		return;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->line = line;
	err->col = col;
}

int cd_error_set(struct cd_error *err, int status, long line,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, line, 0, fmt, ap);
	va_end(ap);
	return status;
}

int cd_error_setc(struct cd_error *err, int status, long line, long col,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, line, col, fmt, ap);
	va_end(ap);
	return status;
}

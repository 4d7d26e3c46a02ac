/*
 * jsonw.h - write JSON into a cd_buf, fast and without a DOM.
 *
 * Output records (suggestions, classifications) are built by hand because
 * they are written once per input line; cJSON is for reading.  Strings are
 * escaped per RFC 8259 (control characters as \u00XX, '/' left alone).
 */
#ifndef CANDOR_JSONW_H
#define CANDOR_JSONW_H

#include <stddef.h>

#include "buf.h"

/* "s" with escapes; s need not be NUL-terminated. */
int jsonw_str(struct cd_buf *b, const char *s, size_t len);
/* "key": (with a leading comma unless first) */
int jsonw_key(struct cd_buf *b, const char *key, int first);
/*
 * Write v in [0, 1e9) with up to `digits` (0..6) decimals, trailing zeros
 * dropped, at p (room for 24 bytes); returns the end.  The hot path of
 * jsonw_num, for writers that fill a buffer directly.
 */
char *jsonw_fixed(char *p, double v, int digits);
/* A number with up to `digits` decimals, trailing zeros dropped. */
int jsonw_num(struct cd_buf *b, double v, int digits);

#endif

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
#include <stdint.h>
#include <string.h>

#include "buf.h"

/* "s" with escapes; s need not be NUL-terminated. */
int jsonw_str(struct cd_buf *b, const char *s, size_t len);
/* "key": (with a leading comma unless first) */
int jsonw_key(struct cd_buf *b, const char *key, int first);
/*
 * A string literal written as it is, for the fixed parts of a record
 * (",\"reply\":"): no strlen, no scan for bytes to escape, so it must
 * hold none.
 */
#define JSONW_LIT(b, s) cd_buf_add((b), "" s, sizeof(s) - 1)
/* v as %lld would write it. */
int jsonw_int(struct cd_buf *b, long long v);
/*
 * Write v in [0, 1e9) with up to `digits` (0..6) decimals, trailing zeros
 * dropped, at p (room for 24 bytes); returns the end.  The hot path of
 * jsonw_num, for writers that fill a buffer directly.
 */
char *jsonw_fixed(char *p, double v, int digits);

/*
 * jsonw_fixed(p, v, 4) for v in [0, 1], inline: classify writes eight
 * probabilities per comment.  Digit pairs from a table, constant
 * divisors; all four decimals are stored and the end moves past the
 * ones kept.
 */
static inline char *jsonw_prob4(char *p, double v)
{
	static const char pairs[] =
		"0001020304050607080910111213141516171819"
		"2021222324252627282930313233343536373839"
		"4041424344454647484950515253545556575859"
		"6061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	uint64_t x = (uint64_t)(v * 10000.0 + 0.5), fp = x % 10000;
	unsigned n = 4;

	*p++ = (char)('0' + x / 10000);
	if (!fp)
		return p;
	p[0] = '.';
	memcpy(p + 1, pairs + 2 * (fp / 100), 2);
	memcpy(p + 3, pairs + 2 * (fp % 100), 2);
	while (p[n] == '0')
		n--;
	return p + n + 1;
}
/* A number with up to `digits` decimals, trailing zeros dropped. */
int jsonw_num(struct cd_buf *b, double v, int digits);
/* jsonw_num(b, v, 4), with the probabilities' path inline. */
static inline int jsonw_prob(struct cd_buf *b, double v)
{
	if (v >= 0 && v <= 1 && b->len + 8 < b->cap) {
		char *e = jsonw_prob4(b->data + b->len, v);

		b->len = (size_t)(e - b->data);
		b->data[b->len] = '\0';
		return 0;
	}
	return jsonw_num(b, v, 4);
}

#endif

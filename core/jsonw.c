/* jsonw.c - see jsonw.h. */
#include "jsonw.h"
#include "error.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Nonzero when one of the 8 bytes in w is < 0x20, '"' or '\\' (the
 * "has less" and "has zero byte" tests of Anderson's bit hacks, exact for
 * "is there any").
 */
static uint64_t any_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');

	return (((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		((bs - ones) & ~bs)) & high;
}

/* The index of the first byte of s[i..len) that needs escaping, or len. */
static size_t next_special(const char *s, size_t i, size_t len)
{
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (any_special(w))
			break;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\')
			break;
	}
	return i;
}

/*
 * A JSON string of s[0..len): the plain runs between the bytes that need
 * escaping are found 8 bytes at a time and copied whole.  A suggestion
 * record holds some forty strings, so this is a good part of `suggest`.
 */
int jsonw_str(struct cd_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, j;
	int rc;

	if ((rc = cd_buf_grow(b, len + 2)) != 0)
		return rc;
	b->data[b->len++] = '"';
	for (;;) {
		char esc[7];
		size_t n = 2;
		unsigned char c;

		j = next_special(s, i, len);
		if (j > i) {            /* room: grown for every byte left */
			memcpy(b->data + b->len, s + i, j - i);
			b->len += j - i;
		}
		if (j == len)
			break;
		c = (unsigned char)s[j];
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		/* the escape, the bytes after it and the closing quote */
		if ((rc = cd_buf_grow(b, n + (len - j - 1) + 1)) != 0)
			return rc;
		memcpy(b->data + b->len, esc, n);
		b->len += n;
		i = j + 1;
	}
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
	return 0;
}

int jsonw_key(struct cd_buf *b, const char *key, int first)
{
	size_t n = strlen(key);
	char *d;
	int rc;

	if (next_special(key, 0, n) == n) {     /* the usual plain key */
		if ((rc = cd_buf_grow(b, n + 4)) != 0)
			return rc;
		d = b->data + b->len;
		if (!first)
			*d++ = ',';
		*d++ = '"';
		memcpy(d, key, n);
		d += n;
		*d++ = '"';
		*d++ = ':';
		*d = '\0';
		b->len = (size_t)(d - b->data);
		return 0;
	}
	rc = first ? 0 : cd_buf_addch(b, ',');
	if (!rc)
		rc = jsonw_str(b, key, n);
	if (!rc)
		rc = cd_buf_addch(b, ':');
	return rc;
}


/* "." and the d digits of fp (fp < 10^d) with trailing zeros dropped */
static char *frac_digits(char *p, uint64_t fp, int d)
{
	char tmp[8] = { 0 };
	int k;

	if (!fp)
		return p;
	for (k = d - 1; k >= 0; k--) {
		tmp[k] = (char)('0' + fp % 10);
		fp /= 10;
	}
	while (tmp[d - 1] == '0')
		d--;
	*p++ = '.';
	for (k = 0; k < d; k++)
		*p++ = tmp[k];
	return p;
}

/*
 * The hot path is four decimals of a probability, eight times per
 * classified comment: constant divisors (multiplies) and a table of digit
 * pairs.  p has room for 24 bytes, so all four digits are stored and the
 * end moves past the ones kept.
 */
char *jsonw_fixed(char *p, double v, int digits)
{
	static const uint64_t scale[] = { 1, 10, 100, 1000, 10000, 100000,
					  1000000 };
	uint64_t x = (uint64_t)(v * (double)scale[digits] + 0.5);
	uint64_t ip = x / scale[digits];
	char rev[24];
	size_t len = 0;

	if (digits == 4 && v <= 1)
		return jsonw_prob4(p, v);
	do
		rev[len++] = (char)('0' + ip % 10);
	while ((ip /= 10) != 0);
	while (len)
		*p++ = rev[--len];
	return frac_digits(p, x % scale[digits], digits);
}

int jsonw_int(struct cd_buf *b, long long v)
{
	char rev[24];
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
				       (unsigned long long)v;
	size_t n = 0;
	int rc;

	do
		rev[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		rev[n++] = '-';
	if ((rc = cd_buf_grow(b, n)) != 0)
		return rc;
	while (n)
		b->data[b->len++] = rev[--n];
	b->data[b->len] = '\0';
	return 0;
}

int jsonw_num(struct cd_buf *b, double v, int digits)
{
	char tmp[64];
	int n;

	if (!isfinite(v))
		return cd_buf_addstr(b, "null");
	if (v >= 0 && v < 1e9 && digits >= 0 && digits <= 6)
		return cd_buf_add(b, tmp, (size_t)(jsonw_fixed(tmp, v, digits) - tmp));
	n = snprintf(tmp, sizeof(tmp), "%.*f", digits, v);
	if (n <= 0 || (size_t)n >= sizeof(tmp))
		return CD_ERR_LIMIT;
	if (memchr(tmp, '.', (size_t)n)) {
		while (n > 0 && tmp[n - 1] == '0')
			n--;
		if (n > 0 && tmp[n - 1] == '.')
			n--;
	}
	if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
		return cd_buf_addch(b, '0');
	return cd_buf_add(b, tmp, (size_t)n);
}

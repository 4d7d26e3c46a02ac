/*
 * text.c - see text.h.
 */
#include "text.h"
#include "error.h"

#include <stdint.h>
#include <string.h>

/* ---- UTF-8 ---------------------------------------------------------- */

int text_utf8_check(const char *s, size_t len, size_t *bad_at)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c;
		size_t n, k;
		uint32_t cp;

		while (i + 8 <= len) {          /* ASCII runs, a word at a time */
			uint64_t w;

			memcpy(&w, u + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		/*
		 * Runs of ASCII and of two-byte characters (Cyrillic and the
		 * like), the bulk of the text, one step each.
		 */
		for (;;) {
			while (i < len && u[i] < 0x80)
				i++;
			if (i + 1 >= len || (unsigned)(u[i] - 0xC2) >= 30u ||
			    (u[i + 1] & 0xC0) != 0x80)
				break;
			i += 2;
		}
		if (i >= len)
			break;
		c = u[i];
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (i + n > len)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((u[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (u[i + k] & 0x3F);
		}
		if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n;
	}
	return 0;
bad:
	if (bad_at)
		*bad_at = i;
	return CD_ERR_DATA;
}

size_t text_utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* ---- trimming ------------------------------------------------------- */

char *text_trim(char *s)
{
	size_t n;

	while (text_is_blank((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && text_is_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

void text_trim_span(const char **s, size_t *n)
{
	while (*n && text_is_blank((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && text_is_blank((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* ---- languages ------------------------------------------------------ */

int text_primary_lang(const char *lang, char *out, size_t size)
{
	size_t i;

	if (!size)
		return -1;
	for (i = 0; lang && lang[i] && lang[i] != '-' && lang[i] != '_'; i++) {
		if (i + 1 >= size) {
			out[i] = '\0';
			return -1;
		}
		out[i] = (char)text_lower((unsigned char)lang[i]);
	}
	out[i] = '\0';
	return 0;
}

const char *text_lang_vote(size_t latin, size_t cyrillic)
{
	return cyrillic > latin ? "ru" : "en";
}

/* The blanks that separate the chunks text_detect_lang() counts. */
static int lang_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * One pass over the bytes.  Letters are counted per whitespace-separated
 * chunk and added only when the chunk is prose: not a mention (starts with
 * '@') and not a URL or domain ('.', '/' or ':' between an ASCII letter or
 * digit and an ASCII letter).
 */
/*
 * Whether s[0..len) holds a lead byte of U+0400..U+052F (D0..D4): without
 * one nothing counts as Cyrillic and the vote is "en" whatever the Latin
 * count.  Eight bytes a step; most English text has no byte above 0x7F.
 */
static int has_cyrillic_lead(const unsigned char *u, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		size_t k;

		memcpy(&w, u + i, 8);
		if (!(w & 0x8080808080808080ULL))
			continue;
		for (k = 0; k < 8; k++)
			if (u[i + k] >= 0xD0 && u[i + k] <= 0xD4)
				return 1;
	}
	for (; i < len; i++)
		if (u[i] >= 0xD0 && u[i] <= 0xD4)
			return 1;
	return 0;
}

const char *text_detect_lang(const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i = 0, latin = 0, cyrillic = 0;

	if (!text || !has_cyrillic_lead(u, len))
		return text_lang_vote(1, 0);
	while (i < len) {
		size_t lat = 0, cyr = 0;
		int prose;

		while (i < len && lang_blank(u[i]))
			i++;
		if (i >= len)
			break;
		prose = u[i] != '@';
		for (; i < len && !lang_blank(u[i]); i++) {
			unsigned char c = u[i];

			/* runs of basic Cyrillic, counted as the loop below would */
			while ((c == 0xD0 || c == 0xD1) && i + 2 < len &&
			       (u[i + 1] & 0xC0) == 0x80) {
				cyr++;
				i += 2;
				c = u[i];
			}
			if (lang_blank(c))
				break;

			if (text_is_alpha(c)) {
				lat++;
			} else if ((c == '.' || c == '/' || c == ':') && i > 0 &&
				   text_is_alnum(u[i - 1]) && !lang_blank(u[i - 1]) &&
				   i + 1 < len && text_is_alpha(u[i + 1])) {
				prose = 0;
			} else if (i + 1 < len && (u[i + 1] & 0xC0) == 0x80 &&
				   !lang_blank(u[i + 1])) {
				/* U+0400..U+052F: lead bytes D0..D4 */
				if (c >= 0xD0 && c <= 0xD4)
					cyr++;
				/* U+00C0..U+024F, but not U+00D7, U+00F7 */
				else if (c >= 0xC3 && c <= 0xC9 &&
					 !(c == 0xC3 && (u[i + 1] == 0x97 ||
							 u[i + 1] == 0xB7)))
					lat++;
				/*
				 * A two-byte character's second byte counts
				 * for nothing (it is neither a letter nor a
				 * lead byte), so step over it.
				 */
				if (c >= 0xC2 && c <= 0xDF)
					i++;
			}
		}
		if (prose) {
			latin += lat;
			cyrillic += cyr;
		}
	}
	return text_lang_vote(latin, cyrillic);
}


/*
 * text.h - the one home of small text helpers shared by the library:
 * UTF-8 checks, ASCII character classes, trimming, language codes and
 * telling English from Russian by script.
 *
 * Nothing here allocates; every function reads only its arguments.
 */
#ifndef CANDOR_TEXT_H
#define CANDOR_TEXT_H

#include <stddef.h>

/*
 * Check that s[0..len) is valid UTF-8 (no overlongs, no surrogates, at
 * most U+10FFFF).  Returns 0, or CD_ERR_DATA with the byte offset of the
 * first bad sequence in *bad_at (bad_at may be NULL).
 */
int text_utf8_check(const char *s, size_t len, size_t *bad_at);

/* Number of code points in valid UTF-8 s[0..len). */
size_t text_utf8_len(const char *s, size_t len);

/* ASCII classes: only the 128 ASCII bytes belong to them. */
static inline int text_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int text_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int text_is_alnum(unsigned char c)
{
	return text_is_digit(c) || text_is_alpha(c);
}

/* Space, tab, CR, LF, vertical tab, form feed. */
static inline int text_is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static inline unsigned char text_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* s without text_is_blank() bytes at either end, in place; returns s's start. */
char *text_trim(char *s);

/* Narrow [*s, *s + *n) to leave out text_is_blank() bytes at both ends. */
void text_trim_span(const char **s, size_t *n);

/*
 * The primary subtag of the language code lang, lowercased ("en-US",
 * "EN", "ru_RU" -> "en", "en", "ru"; BCP 47) into out[size], always
 * NUL-terminated.  Returns 0, or -1 when it did not fit (out then holds
 * what fitted).  A NULL lang gives "".
 */
int text_primary_lang(const char *lang, char *out, size_t size);

/*
 * The one vote between English and Russian: "ru" when the Cyrillic
 * letters (or words) outnumber the Latin ones, else "en".
 */
const char *text_lang_vote(size_t latin, size_t cyrillic);

/*
 * The language of a comment, "en" or "ru", by counting Latin and Cyrillic
 * letters of its prose (mentions and URLs left out) and text_lang_vote().
 * NULL text: "en".
 */
const char *text_detect_lang(const char *text, size_t len);

#endif

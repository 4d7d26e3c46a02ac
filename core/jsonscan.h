/*
 * jsonscan.h - pick a few top-level members out of a one-line JSON object
 * without building a tree.
 *
 * `monitor --replay` reads a million suggestion records a second and needs
 * four members of each (id, category, flags, created_at); a full parse
 * (cJSON) builds every string of the reply, tone and scores only to throw
 * them away.  jsonscan_object() checks the whole line against the JSON
 * grammar (RFC 8259: one object, strings with valid escapes and no raw
 * control characters, numbers, literals, nesting at most JSONSCAN_DEPTH)
 * and reports where the wanted members are, as spans of the line.  A
 * member named twice counts as its first occurrence, as in cJSON.  The
 * UTF-8 of a string is checked when it is read with jsonscan_string(), so
 * only what is used is checked.
 *
 * Nothing is allocated: the spans point into the caller's line and are
 * valid as long as it is.
 */
#ifndef CANDOR_JSONSCAN_H
#define CANDOR_JSONSCAN_H

#include <stddef.h>

#include "error.h"

#define JSONSCAN_DEPTH 64               /* nesting of arrays and objects */

enum jsonscan_type {
	JSONSCAN_ABSENT = 0,
	JSONSCAN_STRING,
	JSONSCAN_NUMBER,
	JSONSCAN_ARRAY,
	JSONSCAN_OBJECT,
	JSONSCAN_TRUE,
	JSONSCAN_FALSE,
	JSONSCAN_NULL
};

struct jsonscan_member {
	const char *key;        /* in: the name (matched byte for byte) */
	enum jsonscan_type type;/* out: JSONSCAN_ABSENT when not there */
	const char *val;        /* the value's text; a string without quotes */
	size_t len;
	int escaped;            /* a string with backslash escapes */
};

/*
 * Scan line[0..len) (one JSON object, blanks around it allowed) and fill
 * each of want[0..nwant) that is a member of the top-level object.  0, or
 * CD_ERR_DATA with err->msg saying what is wrong and err->col the 1-based
 * byte where (err->line is left 0: the caller knows the line).
 */
int jsonscan_object(const char *line, size_t len, struct jsonscan_member *want,
		    size_t nwant, struct cd_error *err);

/*
 * The text of a string member, unescaped and checked as UTF-8, into
 * out[0..outsz) NUL-terminated; *outlen (may be NULL) gets its length.
 * CD_ERR_LIMIT when it needs more than outsz - 1 bytes, CD_ERR_DATA for
 * invalid UTF-8, a lone surrogate or a NUL (\u0000).
 */
int jsonscan_string(const struct jsonscan_member *m, char *out, size_t outsz,
		    size_t *outlen, struct cd_error *err);

/*
 * The elements of an array member found by jsonscan_object (so already
 * checked): begin with jsonscan_array(), then jsonscan_next() gives 1 and
 * the next element in *elem (key NULL), or 0 after the last.
 */
struct jsonscan_iter {
	const char *p, *end;
};

void jsonscan_array(const struct jsonscan_member *m, struct jsonscan_iter *it);
int jsonscan_next(struct jsonscan_iter *it, struct jsonscan_member *elem);

#endif

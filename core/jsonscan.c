/* jsonscan.c - see jsonscan.h.  The grammar is RFC 8259's. */
#include "jsonscan.h"
#include "tokenize.h"

#include <stdint.h>
#include <string.h>

struct scan {
	const char *s, *p, *end;
	struct cd_error *err;
};

static int fail(struct scan *sc, const char *what)
{
	return cd_error_setc(sc->err, CD_ERR_DATA, 0, (long)(sc->p - sc->s) + 1,
			     "not a JSON object: %s at byte %ld", what,
			     (long)(sc->p - sc->s) + 1);
}

static void blanks(struct scan *sc)
{
	while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' ||
				   *sc->p == '\n' || *sc->p == '\r'))
		sc->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The bytes of v (8 bytes as loaded from memory) that are '"', '\\' or
 * below 0x20, as a mask of their high bits: the tricks "haszero" and
 * "hasless" of Sean Anderson's Bit Twiddling Hacks.  A mask can flag a
 * byte wrongly only above (later than) a truly flagged one, so on a
 * little-endian machine its lowest set bit is exactly the first such byte.
 */
static uint64_t special8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');

	return (((v - ones * 0x20) & ~v) | ((q - ones) & ~q) |
		((b - ones) & ~b)) & high;
}

/* At the opening quote: the string's inside in *val, *len; past the end. */
static int string(struct scan *sc, const char **val, size_t *len, int *escaped)
{
	const char *p = ++sc->p;

	*escaped = 0;
	for (;;) {
		unsigned char c;

		/* the common bytes, fast: 8 at a time, then one by one */
		while (sc->end - p >= 8) {
			uint64_t v, mask;

			memcpy(&v, p, 8);
			if ((mask = special8(v)) != 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				p += __builtin_ctzll(mask) / 8;
#endif
				break;
			}
			p += 8;
		}
		while (p < sc->end && (c = (unsigned char)*p) >= 0x20 &&
		       c != '"' && c != '\\')
			p++;
		if (p >= sc->end) {
			sc->p = p;
			return fail(sc, "unterminated string");
		}
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20) {
			sc->p = p;
			return fail(sc, "control character in a string");
		}
		*escaped = 1;
		if (p + 1 >= sc->end) {
			sc->p = p;
			return fail(sc, "unterminated string");
		}
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			break;
		case 'u':
			if (sc->end - p < 6 || hexval(p[2]) < 0 || hexval(p[3]) < 0 ||
			    hexval(p[4]) < 0 || hexval(p[5]) < 0) {
				sc->p = p;
				return fail(sc, "bad \\u escape");
			}
			p += 6;
			break;
		default:
			sc->p = p;
			return fail(sc, "bad escape");
		}
	}
	*val = sc->p;
	*len = (size_t)(p - sc->p);
	sc->p = p + 1;
	return 0;
}

static int digits(struct scan *sc)
{
	const char *start = sc->p;

	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9')
		sc->p++;
	return sc->p > start;
}

static int number(struct scan *sc)
{
	if (sc->p < sc->end && *sc->p == '-')
		sc->p++;
	if (sc->p < sc->end && *sc->p == '0')
		sc->p++;
	else if (!digits(sc))
		return fail(sc, "bad number");
	if (sc->p < sc->end && *sc->p == '.') {
		sc->p++;
		if (!digits(sc))
			return fail(sc, "bad number");
	}
	if (sc->p < sc->end && (*sc->p == 'e' || *sc->p == 'E')) {
		sc->p++;
		if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-'))
			sc->p++;
		if (!digits(sc))
			return fail(sc, "bad number");
	}
	return 0;
}

static int literal(struct scan *sc, const char *word, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, word, n))
		return fail(sc, "unexpected character");
	sc->p += n;
	return 0;
}

static int value(struct scan *sc, int depth, struct jsonscan_member *out);
static int skip(struct scan *sc, int depth);
int jsonscan_string(const struct jsonscan_member *m, char *out, size_t outsz,
		    size_t *outlen, struct cd_error *err);

/* At '{' or '['; top: pick the wanted members. */
static int container(struct scan *sc, int depth, int object,
		     struct jsonscan_member *want, size_t nwant)
{
	const char close = object ? '}' : ']';

	if (depth >= JSONSCAN_DEPTH)
		return fail(sc, "nested deeper than 64");
	sc->p++;
	blanks(sc);
	if (sc->p < sc->end && *sc->p == close) {
		sc->p++;
		return 0;
	}
	for (;;) {
		struct jsonscan_member v, *hit = NULL;
		char name[128];
		const char *key = NULL;
		size_t klen = 0, i;
		int esc, rc;

		if (object) {
			if (sc->p >= sc->end || *sc->p != '"')
				return fail(sc, "expected a member name");
			if ((rc = string(sc, &key, &klen, &esc)) != 0)
				return rc;
			blanks(sc);
			if (sc->p >= sc->end || *sc->p != ':')
				return fail(sc, "expected ':'");
			sc->p++;
			blanks(sc);
			if (want && esc && klen < sizeof(name)) {
				/* "c\u0061tegory" is "category" too */
				struct jsonscan_member k = { "name",
					JSONSCAN_STRING, key, klen, 1 };
				struct cd_error kerr;

				if (jsonscan_string(&k, name, sizeof(name), &klen,
						    &kerr))
					klen = sizeof(name);    /* no match */
				key = name;
			} else if (esc) {
				klen = sizeof(name);
			}
			for (i = 0; want && i < nwant; i++)
				/*
				 * strlen first: a raw key holding a NUL would
				 * let strncmp stop early and key[klen] read
				 * past a shorter wanted name (fuzzrun_jsonscan)
				 */
				if (!want[i].type && want[i].key[0] == key[0] &&
				    strlen(want[i].key) == klen &&
				    !memcmp(want[i].key, key, klen)) {
					hit = &want[i];
					break;
				}
		}
		if (!hit) {
			if ((rc = skip(sc, depth + 1)) != 0)
				return rc;
		} else if ((rc = value(sc, depth + 1, &v)) != 0) {
			return rc;
		} else {
			hit->type = v.type;
			hit->val = v.val;
			hit->len = v.len;
			hit->escaped = v.escaped;
		}
		blanks(sc);
		if (sc->p < sc->end && *sc->p == ',') {
			sc->p++;
			blanks(sc);
			continue;
		}
		if (sc->p < sc->end && *sc->p == close) {
			sc->p++;
			return 0;
		}
		return fail(sc, object ? "expected ',' or '}'" :
			    "expected ',' or ']'");
	}
}

static int value(struct scan *sc, int depth, struct jsonscan_member *out)
{
	const char *start = sc->p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sc->p >= sc->end)
		return fail(sc, "expected a value");
	switch (*sc->p) {
	case '"':
		out->type = JSONSCAN_STRING;
		return string(sc, &out->val, &out->len, &out->escaped);
	case '{':
	case '[':
		out->type = *sc->p == '{' ? JSONSCAN_OBJECT : JSONSCAN_ARRAY;
		rc = container(sc, depth, *sc->p == '{', NULL, 0);
		break;
	case 't':
		out->type = JSONSCAN_TRUE;
		rc = literal(sc, "true", 4);
		break;
	case 'f':
		out->type = JSONSCAN_FALSE;
		rc = literal(sc, "false", 5);
		break;
	case 'n':
		out->type = JSONSCAN_NULL;
		rc = literal(sc, "null", 4);
		break;
	default:
		if (*sc->p != '-' && (*sc->p < '0' || *sc->p > '9'))
			return fail(sc, "unexpected character");
		out->type = JSONSCAN_NUMBER;
		rc = number(sc);
	}
	out->val = start;
	out->len = (size_t)(sc->p - start);
	return rc;
}

/* Check one value and step over it: value() without recording it. */
static int skip(struct scan *sc, int depth)
{
	const char *val;
	size_t len;
	int esc;

	if (sc->p >= sc->end)
		return fail(sc, "expected a value");
	switch (*sc->p) {
	case '"': return string(sc, &val, &len, &esc);
	case '{': return container(sc, depth, 1, NULL, 0);
	case '[': return container(sc, depth, 0, NULL, 0);
	case 't': return literal(sc, "true", 4);
	case 'f': return literal(sc, "false", 5);
	case 'n': return literal(sc, "null", 4);
	default:
		if (*sc->p != '-' && (*sc->p < '0' || *sc->p > '9'))
			return fail(sc, "unexpected character");
		return number(sc);
	}
}

int jsonscan_object(const char *line, size_t len, struct jsonscan_member *want,
		    size_t nwant, struct cd_error *err)
{
	struct scan sc = { line, line, line + len, err };
	size_t i;
	int rc;

	for (i = 0; i < nwant; i++) {
		want[i].type = JSONSCAN_ABSENT;
		want[i].val = NULL;
		want[i].len = 0;
		want[i].escaped = 0;
	}
	blanks(&sc);
	if (sc.p >= sc.end || *sc.p != '{')
		return fail(&sc, "expected '{'");
	if ((rc = container(&sc, 0, 1, want, nwant)) != 0)
		return rc;
	blanks(&sc);
	if (sc.p != sc.end)
		return fail(&sc, "text after the object");
	return 0;
}

/* Append code point u as UTF-8; 0, or -1 when it does not fit. */
static int put_utf8(char *out, size_t outsz, size_t *n, unsigned long u)
{
	unsigned char b[4];
	size_t k, i;

	if (u < 0x80) {
		b[0] = (unsigned char)u;
		k = 1;
	} else if (u < 0x800) {
		b[0] = (unsigned char)(0xC0 | (u >> 6));
		b[1] = (unsigned char)(0x80 | (u & 0x3F));
		k = 2;
	} else if (u < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (u >> 12));
		b[1] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (u & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (u >> 18));
		b[1] = (unsigned char)(0x80 | ((u >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((u >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (u & 0x3F));
		k = 4;
	}
	if (*n + k >= outsz)
		return -1;
	for (i = 0; i < k; i++)
		out[(*n)++] = (char)b[i];
	return 0;
}

static unsigned long hex4(const char *p)
{
	return (unsigned long)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
			       hexval(p[2]) << 4 | hexval(p[3]));
}

int jsonscan_string(const struct jsonscan_member *m, char *out, size_t outsz,
		    size_t *outlen, struct cd_error *err)
{
	const char *p = m->val, *end = m->val + m->len;
	size_t n = 0, bad;

	if (!outsz)
		return cd_error_set(err, CD_ERR_LIMIT, 0, "no room for a string");
	if (m->type != JSONSCAN_STRING)
		return cd_error_set(err, CD_ERR_DATA, 0, "'%s' is not a string",
				    m->key ? m->key : "element");
	if (!m->escaped) {
		if (m->len >= outsz)
			goto toolong;
		memcpy(out, m->val, m->len);
		n = m->len;
	} else {
		while (p < end) {
			unsigned long u;

			if (*p != '\\') {
				if (n + 1 >= outsz)
					goto toolong;
				out[n++] = *p++;
				continue;
			}
			switch (p[1]) {
			case 'b': u = '\b'; break;
			case 'f': u = '\f'; break;
			case 'n': u = '\n'; break;
			case 'r': u = '\r'; break;
			case 't': u = '\t'; break;
			case 'u':
				u = hex4(p + 2);
				p += 4;
				if (u >= 0xDC00 && u <= 0xDFFF)
					return cd_error_set(err, CD_ERR_DATA, 0,
							    "lone surrogate in "
							    "a string");
				if (u >= 0xD800 && u <= 0xDBFF) {
					unsigned long lo;

					if (end - p < 8 || p[2] != '\\' ||
					    p[3] != 'u' ||
					    (lo = hex4(p + 4)) < 0xDC00 ||
					    lo > 0xDFFF)
						return cd_error_set(err,
							CD_ERR_DATA, 0, "lone "
							"surrogate in a string");
					u = 0x10000 + ((u - 0xD800) << 10) +
					    (lo - 0xDC00);
					p += 6;
				}
				if (u == 0)
					return cd_error_set(err, CD_ERR_DATA, 0,
							    "NUL (\\u0000) in "
							    "a string");
				break;
			default: u = (unsigned char)p[1]; break;
			}
			p += 2;
			if (put_utf8(out, outsz, &n, u))
				goto toolong;
		}
	}
	out[n] = '\0';
	if (tok_utf8_check(out, n, &bad))
		return cd_error_set(err, CD_ERR_DATA, 0, "invalid UTF-8 in '%s' "
				    "at byte %zu", m->key ? m->key : "element",
				    bad + 1);
	if (outlen)
		*outlen = n;
	return 0;
toolong:
	out[0] = '\0';
	return cd_error_set(err, CD_ERR_LIMIT, 0, "'%s' is longer than %zu bytes",
			    m->key ? m->key : "element", outsz - 1);
}

void jsonscan_array(const struct jsonscan_member *m, struct jsonscan_iter *it)
{
	it->p = m->val + 1;                     /* past '[' */
	it->end = m->val + m->len - 1;          /* at ']' */
	if (m->type != JSONSCAN_ARRAY || m->len < 2)
		it->p = it->end = m->val;
}

int jsonscan_next(struct jsonscan_iter *it, struct jsonscan_member *elem)
{
	struct cd_error err;
	struct scan sc = { it->p, it->p, it->end, &err };

	blanks(&sc);
	if (sc.p < sc.end && *sc.p == ',') {
		sc.p++;
		blanks(&sc);
	}
	if (sc.p >= sc.end || value(&sc, 1, elem)) {
		it->p = it->end;
		return 0;
	}
	elem->key = NULL;
	it->p = sc.p;
	return 1;
}

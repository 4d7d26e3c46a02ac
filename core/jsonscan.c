/* jsonscan.c - see jsonscan.h.  The grammar is RFC 8259's. */
#include "jsonscan.h"
#include "tokenize.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * One pass over the line, without recursion and without building
 * anything: a value is checked by value(), a loop that keeps the open
 * containers of the value as a bit stack (1 = object), so a skipped member
 * costs a few compares per byte of structure and the strings, most of a
 * suggestion record's bytes, go 8 bytes at a time (special8).  Only the
 * top-level object looks at member names, and only to find the wanted
 * ones.  Every check of RFC 8259 is still made, so a torn or corrupt line
 * is refused with the byte where it goes wrong.
 */
/* The scanner's small steps are inlined: a call per string or number
   costs as much as reading it. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

struct scan {
	const char *s, *p, *end;
	const char *why;                /* what string_close() found wrong */
	struct cd_error *err;
};

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

/* The error "not a JSON object: <what> at byte N", N the 1-based byte at. */
static int fail_at(struct scan *sc, const char *at, const char *what)
{
	sc->p = at;
	return cd_error_setc(sc->err, CD_ERR_DATA, 0, (long)(at - sc->s) + 1,
			     "not a JSON object: %s at byte %ld", what,
			     (long)(at - sc->s) + 1);
}

/* Past the blanks at p: one compare for the usual case of none. */
HOT const char *blanks(const char *p, const char *end)
{
	while (p < end && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
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

static int is_digit(const char *p, const char *end)
{
	return p < end && (unsigned char)(*p - '0') <= 9;
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
	uint64_t q = v ^ (ONES * '"'), b = v ^ (ONES * '\\');

	return (((v - ONES * 0x20) & ~v) | ((q - ONES) & ~q) |
		((b - ONES) & ~b)) & HIGH;
}

/*
 * From just past a string's opening quote: its closing quote, with
 * *escaped |= 1 when it holds a backslash escape; or NULL with sc->p at
 * the fault and sc->why saying what it is.
 */
HOT const char *string_close(struct scan *sc, const char *p, int *escaped)
{
	const char *const end = sc->end;

	for (;;) {
		unsigned char c;

		/* the common bytes, fast: 16 or 8 at a time, then one by one */
#if defined(__SSE2__)
		if (end - p >= 16) {
			const __m128i x = _mm_loadu_si128((const __m128i *)
							  (const void *)p);
			const __m128i c1f = _mm_set1_epi8(0x1F);
			const int mask = _mm_movemask_epi8(_mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
				_mm_cmpeq_epi8(_mm_max_epu8(x, c1f), c1f)));

			if (!mask) {
				p += 16;
				continue;
			}
			p += __builtin_ctz((unsigned)mask);
		} else
#endif
		if (end - p >= 8) {
			uint64_t v, mask;

			memcpy(&v, p, 8);
			if ((mask = special8(v)) == 0) {
				p += 8;
				continue;
			}
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			p += __builtin_ctzll(mask) / 8;
#else
			while ((c = (unsigned char)*p) >= 0x20 && c != '"' &&
			       c != '\\')
				p++;
#endif
		} else {
			while (p < end && (c = (unsigned char)*p) >= 0x20 &&
			       c != '"' && c != '\\')
				p++;
		}
		if (p < end && *p == '"')
			return p;
		sc->p = p;
		if (p >= end) {
			sc->why = "unterminated string";
			return NULL;
		}
		if ((unsigned char)*p < 0x20) {
			sc->why = "control character in a string";
			return NULL;
		}
		*escaped = 1;
		if (p + 1 >= end) {
			sc->why = "unterminated string";
			return NULL;
		}
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			break;
		case 'u':
			if (end - p < 6 || hexval(p[2]) < 0 || hexval(p[3]) < 0 ||
			    hexval(p[4]) < 0 || hexval(p[5]) < 0) {
				sc->why = "bad \\u escape";
				return NULL;
			}
			p += 6;
			break;
		default:
			sc->why = "bad escape";
			return NULL;
		}
	}
}

/* The high bit of each byte of v that is zero (exact: no carry between bytes). */
static uint64_t zero_bytes(uint64_t v)
{
	return ~(((v & ~HIGH) + ~HIGH) | v) & HIGH;
}

/*
 * The usual number, -?(0|[1-9][0-9]*)(.[0-9]+)? in at most 7 bytes with
 * 8 bytes readable at p (a score, a confidence, a count), read without a
 * loop per digit: its end, or NULL when it is not that (too long, an
 * exponent, or not a number), and the grammar below decides.  The loops
 * per digit are what costs there: their exits are branches no predictor
 * learns, as the numbers' lengths vary.
 */
static const char *short_number(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v, digit, dot, nib, stop;
	const size_t neg = *p == '-';
	size_t n, at;

	if (end - p < 8)
		return NULL;
	memcpy(&v, p, 8);
	nib = ((v & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) &
	      0x1010101010101010ULL;           /* low nibble above 9 */
	digit = zero_bytes((v & 0xF0F0F0F0F0F0F0F0ULL) ^ ONES * 0x30) &
		~(nib << 3);
	dot = zero_bytes(v ^ ONES * '.');
	stop = ~(digit | dot | (neg ? 0x80ULL : 0)) & HIGH;
	if (!stop)
		return NULL;            /* 8 bytes or more */
	n = (size_t)__builtin_ctzll(stop) / 8;
	if (n == neg || p[n] == 'e' || p[n] == 'E')
		return NULL;
	dot &= stop - 1;                /* the dots of the number */
	if (dot) {
		if (dot & (dot - 1))
			return NULL;    /* two */
		at = (size_t)__builtin_ctzll(dot) / 8;
		if (at == neg || at == n - 1)
			return NULL;    /* ".5", "5." */
	}
	if (p[neg] == '0' && n > neg + 1 && p[neg + 1] != '.')
		return NULL;            /* "01" */
	return p + n;
#else
	(void)p;
	(void)end;
	return NULL;
#endif
}

/*
 * At '-' or a digit: past the number, or NULL with *fault at the byte
 * where it goes wrong.
 */
static const char *grammar_number_end(const char *p, const char *end,
				      const char **fault)
{
	const char *q = short_number(p, end);

	if (q)
		return q;
	if (*p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else {
		if (!is_digit(p, end))
			goto bad;
		while (is_digit(p, end))
			p++;
	}
	if (p < end && *p == '.') {
		if (!is_digit(++p, end))
			goto bad;
		while (is_digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, end))
			goto bad;
		while (is_digit(p, end))
			p++;
	}
	return p;
bad:
	*fault = p;
	return NULL;
}

/* At '-' or a digit: past the number, or NULL with sc->p at the fault. */
HOT const char *number_end(struct scan *sc, const char *p)
{
	return grammar_number_end(p, sc->end, &sc->p);
}

/*
 * At what must be a member name: past the ':' and the blanks after it,
 * with the name's inside in *key, *klen, *escaped; or NULL after fail_at.
 */
HOT const char *member_name(struct scan *sc, const char *p,
			       const char **key, size_t *klen, int *escaped)
{
	const char *q;

	*escaped = 0;
	if (p >= sc->end || *p != '"') {
		fail_at(sc, p, "expected a member name");
		return NULL;
	}
	if (!(q = string_close(sc, p + 1, escaped))) {
		fail_at(sc, sc->p, sc->why);
		return NULL;
	}
	*key = p + 1;
	*klen = (size_t)(q - p - 1);
	p = blanks(q + 1, sc->end);
	if (p >= sc->end || *p != ':') {
		fail_at(sc, p, "expected ':'");
		return NULL;
	}
	return blanks(p + 1, sc->end);
}

/* At the first letter of a literal: past it, or NULL. */
HOT const char *literal(const char *p, const char *end, const char *word,
			   size_t n)
{
	size_t i;

	if ((size_t)(end - p) < n)
		return NULL;
	for (i = 1; i < n; i++)         /* p[0] == word[0]: the caller saw it */
		if (p[i] != word[i])
			return NULL;
	return p + n;
}

/*
 * Check the value at sc->p, nested depth containers deep, and step past
 * it; out (may be NULL) gets its type, text and escaped.  Its containers
 * are followed in a loop with a bit stack, not by recursion.
 */
HOT int value(struct scan *sc, int depth, struct jsonscan_member *out)
{
	const char *p = sc->p, *const end = sc->end, *const start = p;
	const char *key;
	uint64_t obj = 0;               /* bit k: open container k is an object */
	int open = 0, escaped = 0, kesc;
	size_t klen;
	enum jsonscan_type type = JSONSCAN_ABSENT;

	for (;;) {
		const char *q;
		enum jsonscan_type t;

		/* p at a value */
		if (p >= end)
			return fail_at(sc, p, "expected a value");
		switch (*p) {
		case '"':
			t = JSONSCAN_STRING;
			if (!(q = string_close(sc, p + 1, &escaped)))
				return fail_at(sc, sc->p, sc->why);
			q++;
			break;
		case '{':
		case '[':
			t = *p == '{' ? JSONSCAN_OBJECT : JSONSCAN_ARRAY;
			if (depth + open >= JSONSCAN_DEPTH)
				return fail_at(sc, p, "nested deeper than 64");
			if (t == JSONSCAN_OBJECT)
				obj |= (uint64_t)1 << open;
			else
				obj &= ~((uint64_t)1 << open);
			open++;
			if (!type)
				type = t;
			q = blanks(p + 1, end);
			if (q < end && *q == (t == JSONSCAN_OBJECT ? '}' : ']')) {
				open--;
				q++;
				break;
			}
			p = t == JSONSCAN_ARRAY ? q :
			    member_name(sc, q, &key, &klen, &kesc);
			if (!p)
				return CD_ERR_DATA;
			continue;
		case 't':
			t = JSONSCAN_TRUE;
			q = literal(p, end, "true", 4);
			break;
		case 'f':
			t = JSONSCAN_FALSE;
			q = literal(p, end, "false", 5);
			break;
		case 'n':
			t = JSONSCAN_NULL;
			q = literal(p, end, "null", 4);
			break;
		default:
			if (*p != '-' && !is_digit(p, end))
				return fail_at(sc, p, "unexpected character");
			t = JSONSCAN_NUMBER;
			if (!(q = number_end(sc, p)))
				return fail_at(sc, sc->p, "bad number");
		}
		if (!q)                 /* not the literal it began as */
			return fail_at(sc, p, "unexpected character");
		p = q;                  /* past the value */
		if (!type)
			type = t;
		/* a value ended: close what ends here, on to the next one */
		for (;;) {
			int in_obj;

			if (!open)
				goto done;
			in_obj = (int)(obj >> (open - 1) & 1);
			p = blanks(p, end);
			if (p < end && *p == ',') {
				p = blanks(p + 1, end);
				if (in_obj &&
				    !(p = member_name(sc, p, &key, &klen, &kesc)))
					return CD_ERR_DATA;
				break;
			}
			if (p < end && *p == (in_obj ? '}' : ']')) {
				p++;
				open--;
				continue;
			}
			return fail_at(sc, p, in_obj ? "expected ',' or '}'" :
				       "expected ',' or ']'");
		}
	}
done:
	sc->p = p;
	if (out) {
		out->type = type;
		out->escaped = type == JSONSCAN_STRING && escaped;
		out->val = type == JSONSCAN_STRING ? start + 1 : start;
		out->len = (size_t)(p - out->val) - (type == JSONSCAN_STRING);
	}
	return 0;
}

int jsonscan_string(const struct jsonscan_member *m, char *out, size_t outsz,
		    size_t *outlen, struct cd_error *err);

/*
 * The wanted member called key[0..klen), not found yet, or NULL.  The key
 * holds no NUL (a raw control byte is refused, an escaped NUL fails to
 * unescape), so strncmp() == 0 means the wanted name has at least klen
 * bytes and its byte klen may be read.
 */
static struct jsonscan_member *wanted(struct jsonscan_member *want,
				      size_t nwant, const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < nwant; i++)
		if (!want[i].type && (!klen || want[i].key[0] == key[0]) &&
		    !strncmp(want[i].key, key, klen) && !want[i].key[klen])
			return &want[i];
	return NULL;
}

/*
 * The wanted names by (length, first and last byte), so that a member name costs
 * one look-up, not a loop over the wanted names whose exit no branch
 * predictor learns: slot[h] is the only wanted name with hash h, plus 1,
 * or 0 for none, or NAMES_MANY for several (then the loop decides).
 */
#define NAMES_MAX 64
#define NAMES_MANY 255

struct names {
	size_t len[NAMES_MAX];
	unsigned char slot[64];
};

static unsigned name_hash(size_t len, const char *name)
{
	if (!len)
		return 0;
	return (unsigned)((len * 7 + (unsigned char)name[0] +
			   (unsigned char)name[len - 1] * 3) & 63);
}

static void names_init(struct names *nm, const struct jsonscan_member *want,
		       size_t nwant)
{
	size_t i;

	memset(nm->slot, 0, sizeof(nm->slot));
	for (i = 0; i < nwant; i++) {
		unsigned h;

		nm->len[i] = strlen(want[i].key);
		h = name_hash(nm->len[i], want[i].key);
		nm->slot[h] = nm->slot[h] ? NAMES_MANY : (unsigned char)(i + 1);
	}
}

static struct jsonscan_member *wanted_by_name(const struct names *nm,
					      struct jsonscan_member *want,
					      size_t nwant, const char *key,
					      size_t klen)
{
	unsigned s;
	size_t i, k;

	if (nwant > NAMES_MAX)
		return wanted(want, nwant, key, klen);
	s = nm->slot[name_hash(klen, key)];
	if (!s)
		return NULL;
	if (s == NAMES_MANY)
		return wanted(want, nwant, key, klen);
	i = s - 1;
	if (want[i].type || nm->len[i] != klen)
		return NULL;
	for (k = 0; k < klen; k++)      /* names are short: no call */
		if (want[i].key[k] != key[k])
			return NULL;
	return &want[i];
}

int jsonscan_object(const char *line, size_t len, struct jsonscan_member *want,
		    size_t nwant, struct cd_error *err)
{
	struct scan sc = { line, line, line + len, NULL, err };
	struct names nm;
	size_t i;
	const char *p;

	for (i = 0; i < nwant; i++) {
		want[i].type = JSONSCAN_ABSENT;
		want[i].val = NULL;
		want[i].len = 0;
		want[i].escaped = 0;
	}
	if (nwant <= NAMES_MAX)
		names_init(&nm, want, nwant);
	p = blanks(line, sc.end);
	if (p >= sc.end || *p != '{')
		return fail_at(&sc, p, "expected '{'");
	p = blanks(p + 1, sc.end);
	if (p < sc.end && *p == '}')
		goto tail;
	for (;;) {
		struct jsonscan_member v, *hit;
		const char *key;
		char name[128];
		size_t klen;
		int esc, rc;

		if (!(p = member_name(&sc, p, &key, &klen, &esc)))
			return CD_ERR_DATA;
		if (esc && klen < sizeof(name)) {
			/* "c\u0061tegory" is "category" too */
			struct jsonscan_member k = { "name", JSONSCAN_STRING,
						     key, klen, 1 };
			struct cd_error kerr;

			key = name;
			if (jsonscan_string(&k, name, sizeof(name), &klen, &kerr))
				key = NULL;
		} else if (esc) {
			key = NULL;
		}
		hit = key ? wanted_by_name(&nm, want, nwant, key, klen) : NULL;
		sc.p = p;
		if ((rc = value(&sc, 1, hit ? &v : NULL)) != 0)
			return rc;
		if (hit) {
			hit->type = v.type;
			hit->val = v.val;
			hit->len = v.len;
			hit->escaped = v.escaped;
		}
		p = blanks(sc.p, sc.end);
		if (p < sc.end && *p == ',') {
			p = blanks(p + 1, sc.end);
			continue;
		}
		if (p < sc.end && *p == '}')
			break;
		return fail_at(&sc, p, "expected ',' or '}'");
	}
tail:
	p = blanks(p + 1, sc.end);
	if (p != sc.end)
		return fail_at(&sc, p, "text after the object");
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
	struct scan sc = { it->p, it->p, it->end, NULL, &err };

	sc.p = blanks(sc.p, sc.end);
	if (sc.p < sc.end && *sc.p == ',')
		sc.p = blanks(sc.p + 1, sc.end);
	if (sc.p >= sc.end || value(&sc, 1, elem)) {
		it->p = it->end;
		return 0;
	}
	elem->key = NULL;
	it->p = sc.p;
	return 1;
}

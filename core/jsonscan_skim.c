/*
 * jsonscan_skim.c - the fast path of jsonscan_object() (the contract is in
 * jsonscan_internal.h): check a line against RFC 8259 and find the wanted
 * top-level members without looking at most bytes one at a time.
 *
 * Pass 1 (after simdjson's stage 1, Langdale and Lemire, "Parsing
 * gigabytes of JSON per second", VLDB Journal 2019) classifies 64 bytes
 * at a time into bit masks: backslash, quote, control byte, structure
 * ({ } [ ] : ,) and "other" (not blank, structure or quote: the bytes of
 * numbers and literals).  The escaped bytes follow from the backslashes
 * (a short loop, only in a block that has one), the real quotes are the
 * unescaped ones, and a prefix XOR of those marks the inside of every
 * string.  Outside the strings, the structure, the quotes and the first
 * byte of each run of "other" are the tokens; their offsets go into an
 * array.  A control byte inside a string, an invalid escape or a string
 * still open at the end refuses the line here.
 *
 * Pass 2 walks the tokens alone with the grammar, a container stack of
 * bits as in jsonscan.c: a string is two tokens (its quotes, since its
 * inside holds none), so its length costs nothing here; a number or a
 * literal is read with the grammar and must end where its run ends.
 * Everything between two tokens is blank by construction.  The members of
 * the top-level object are matched against the wanted names.
 *
 * Why a line it accepts is one the exact scanner accepts with the same
 * spans, and one it refuses is one the exact scanner refuses: outside the
 * strings every byte that is not blank is a token or inside a run that
 * begins with one, so the walk sees all of the line's structure.  A
 * backslash outside a string can mislead the string mask only after it,
 * and it is itself an "other" byte in a run that cannot be a number or a
 * literal, so such a line is refused either way.  The differential fuzz
 * harness (tests/fuzz/fuzz_jsonscan.c) checks this on both classifiers.
 */
#include "jsonscan_internal.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The classes of a 64-byte block: bit i is byte i. */
struct block {
	uint64_t bs;            /* '\\' */
	uint64_t qt;            /* '"' */
	uint64_t ctl;           /* below 0x20 */
	uint64_t st;            /* { } [ ] : , */
	uint64_t other;         /* none of those and not blank */
};

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL
#define LOW7 0x7F7F7F7F7F7F7F7FULL

/* The high bit of each byte of v that is zero (exact: no carry between bytes). */
static uint64_t zero_bytes(uint64_t v)
{
	return ~(((v & LOW7) + LOW7) | v) & HIGH;
}

/* The high bits of a byte mask, gathered into 8 bits (byte k to bit k). */
static uint64_t gather8(uint64_t m)
{
	return ((m >> 7) * 0x0102040810204080ULL) >> 56;
}

/* Portable C: 8 bytes at a time in a 64-bit word. */
static void classify_portable(const unsigned char *p, struct block *b)
{
	int k;

	memset(b, 0, sizeof(*b));
	for (k = 0; k < 8; k++) {
		uint64_t v = 0, lo, bs, qt, ctl, st, ws;
		int i;

		for (i = 7; i >= 0; i--)        /* little-endian, on any machine */
			v = v << 8 | p[8 * k + i];
		lo = v | ONES * 0x20;           /* '[' -> '{', ']' -> '}' */
		bs = zero_bytes(v ^ ONES * '\\');
		qt = zero_bytes(v ^ ONES * '"');
		ctl = ~(((v & LOW7) + ONES * (0x80 - 0x20)) | v) & HIGH;
		st = zero_bytes(lo ^ ONES * '{') | zero_bytes(lo ^ ONES * '}') |
		     zero_bytes(v ^ ONES * ':') | zero_bytes(v ^ ONES * ',');
		ws = zero_bytes(v ^ ONES * ' ') | zero_bytes(v ^ ONES * '\t') |
		     zero_bytes(v ^ ONES * '\n') | zero_bytes(v ^ ONES * '\r');
		b->bs |= gather8(bs) << (8 * k);
		b->qt |= gather8(qt) << (8 * k);
		b->ctl |= gather8(ctl) << (8 * k);
		b->st |= gather8(st) << (8 * k);
		b->other |= gather8(~(st | ws | qt) & HIGH) << (8 * k);
	}
}

#if defined(__SSE2__)
/* SSE2 (every x86-64): 16 bytes at a time. */
static void classify_sse2(const unsigned char *p, struct block *b)
{
	const __m128i bsl = _mm_set1_epi8('\\'), quo = _mm_set1_epi8('"');
	const __m128i c1f = _mm_set1_epi8(0x1F), x20 = _mm_set1_epi8(0x20);
	const __m128i ob = _mm_set1_epi8('{'), cb = _mm_set1_epi8('}');
	const __m128i col = _mm_set1_epi8(':'), com = _mm_set1_epi8(',');
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
	const __m128i cr = _mm_set1_epi8('\r');
	uint64_t bs = 0, qt = 0, ctl = 0, st = 0, nother = 0;
	int k;

	for (k = 0; k < 4; k++) {
		const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)
						  (p + 16 * k));
		const __m128i lo = _mm_or_si128(x, x20);
		const __m128i q = _mm_cmpeq_epi8(x, quo);
		const __m128i s = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(lo, ob), _mm_cmpeq_epi8(lo, cb)),
			_mm_or_si128(_mm_cmpeq_epi8(x, col), _mm_cmpeq_epi8(x, com)));
		const __m128i w = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, x20), _mm_cmpeq_epi8(x, tab)),
			_mm_or_si128(_mm_cmpeq_epi8(x, nl), _mm_cmpeq_epi8(x, cr)));
		const int sh = 16 * k;

		bs |= (uint64_t)(unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(x, bsl)) << sh;
		qt |= (uint64_t)(unsigned)_mm_movemask_epi8(q) << sh;
		ctl |= (uint64_t)(unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_max_epu8(x, c1f), c1f)) << sh;
		st |= (uint64_t)(unsigned)_mm_movemask_epi8(s) << sh;
		nother |= (uint64_t)(unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(s, w), q)) << sh;
	}
	b->bs = bs;
	b->qt = qt;
	b->ctl = ctl;
	b->st = st;
	b->other = ~nother;
}
#endif

static unsigned lowest_bit(uint64_t m)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(m);
#else
	unsigned i = 0;

	while (!(m & 1)) {
		m >>= 1;
		i++;
	}
	return i;
#endif
}

/* Bit i set when an odd number of bits 0..i of m are (the string mask). */
static uint64_t prefix_xor(uint64_t m)
{
	m ^= m << 1;
	m ^= m << 2;
	m ^= m << 4;
	m ^= m << 8;
	m ^= m << 16;
	m ^= m << 32;
	return m;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* The backslash at s[pos] begins a valid escape (RFC 8259 section 7). */
static int valid_escape(const char *s, size_t len, size_t pos)
{
	if (pos + 1 >= len)
		return 0;
	switch (s[pos + 1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		return 1;
	case 'u':
		return len - pos >= 6 && is_hex(s[pos + 2]) && is_hex(s[pos + 3]) &&
		       is_hex(s[pos + 4]) && is_hex(s[pos + 5]);
	default:
		return 0;
	}
}

/* Pass 1's state from one block to the next. */
struct pass1 {
	uint32_t *tok;
	size_t n;
	uint64_t in_str;        /* all ones: the last block ended in a string */
	uint64_t esc_next;      /* 1: its last byte was an escaping backslash */
	uint64_t prev_other;    /* 1: its last byte was an "other" outside strings */
	int any_bs;             /* a backslash somewhere */
};

/* One block at line offset base: 0, or -1 when the line is refused. */
static int pass1_block(struct pass1 *st, const struct block *b,
		       const char *s, size_t len, size_t base)
{
	uint64_t escaped = 0, q, in, o, tok;

	if (b->bs | st->esc_next) {
		uint64_t m = b->bs & ~st->esc_next, starts = 0;

		escaped = st->esc_next;
		while (m) {
			uint64_t low = m & (0 - m);

			starts |= low;
			escaped |= low << 1;
			m &= ~(low | low << 1);
		}
		st->esc_next = starts >> 63;
		st->any_bs = 1;
		for (m = starts; m; m &= m - 1)
			if (!valid_escape(s, len, base + lowest_bit(m)))
				return -1;
	}
	q = b->qt & ~escaped;
	in = prefix_xor(q) ^ st->in_str;
	st->in_str = 0 - (in >> 63);
	if (b->ctl & in)
		return -1;              /* a raw control byte in a string */
	o = b->other & ~in;
	tok = (b->st & ~in) | q | (o & ~(o << 1 | st->prev_other));
	st->prev_other = o >> 63;
	for (; tok; tok &= tok - 1)
		st->tok[st->n++] = (uint32_t)(base + lowest_bit(tok));
	return 0;
}

static enum jsonscan_type type_at(char c)
{
	switch (c) {
	case '"': return JSONSCAN_STRING;
	case '{': return JSONSCAN_OBJECT;
	case '[': return JSONSCAN_ARRAY;
	case 't': return JSONSCAN_TRUE;
	case 'f': return JSONSCAN_FALSE;
	case 'n': return JSONSCAN_NULL;
	default: return JSONSCAN_NUMBER;
	}
}

/* Bytes that may follow a number or a literal: blank, structure, quote. */
static int ends_scalar(char c)
{
	switch (c) {
	case ' ': case '\t': case '\n': case '\r': case '{': case '}':
	case '[': case ']': case ':': case ',': case '"':
		return 1;
	default:
		return 0;
	}
}

/* The wanted names: lengths and a filter of (length, first byte). */
struct names {
	size_t len[64];
	uint64_t filter;
};

static uint64_t name_bit(size_t len, unsigned char first)
{
	return (uint64_t)1 << ((len * 7 + first) & 63);
}

/* Pass 2: the walk over the tokens t[0..nt). */
static enum jsonscan_skim_result walk(const char *s, size_t len,
				      const uint32_t *t, const uint32_t *tend,
				      struct jsonscan_member *want, size_t nwant,
				      const struct names *nm, int any_bs)
{
	uint64_t obj = 0;               /* bit k: the container k below the
					   innermost (bit 0) is an object */
	int open = 0;
	struct jsonscan_member *hit = NULL;
	uint32_t hit_at = 0;
	const char *vend, *q, *fault;
	uint32_t pos;

	if (t == tend || s[*t] != '{')
		return JSONSCAN_SKIM_BAD;
value:                                  /* *t is the first token of a value */
	if (t == tend)
		return JSONSCAN_SKIM_BAD;
	pos = *t++;
	switch (s[pos]) {
	case '"':
		vend = s + *t++ + 1;    /* its closing quote (pass 1 saw it) */
		break;
	case '{':
	case '[':
		if (open >= JSONSCAN_DEPTH)
			return JSONSCAN_SKIM_BAD;
		obj = obj << 1 | (s[pos] == '{');
		open++;
		if (t < tend && s[*t] == s[pos] + 2) {  /* {} or [] */
			vend = s + *t++ + 1;
			open--;
			obj >>= 1;
			break;
		}
		if (s[pos] == '{')
			goto key;
		goto value;
	case 't':
		q = len - pos >= 4 && !memcmp(s + pos, "true", 4) ? s + pos + 4 :
		    NULL;
		goto scalar;
	case 'f':
		q = len - pos >= 5 && !memcmp(s + pos, "false", 5) ? s + pos + 5 :
		    NULL;
		goto scalar;
	case 'n':
		q = len - pos >= 4 && !memcmp(s + pos, "null", 4) ? s + pos + 4 :
		    NULL;
		goto scalar;
	default:
		if (s[pos] != '-' && (unsigned char)(s[pos] - '0') > 9)
			return JSONSCAN_SKIM_BAD;
		q = jsonscan_number_end(s + pos, s + len, &fault);
	scalar:
		if (!q || (q < s + len && !ends_scalar(*q)))
			return JSONSCAN_SKIM_BAD;
		vend = q;
	}
after:                                  /* a value ended at vend */
	if (open == 1 && hit) {
		const char *v = s + hit_at;

		hit->type = type_at(*v);
		if (hit->type == JSONSCAN_STRING) {
			hit->val = v + 1;
			hit->len = (size_t)(vend - v) - 2;
			hit->escaped = any_bs && memchr(hit->val, '\\', hit->len);
		} else {
			hit->val = v;
			hit->len = (size_t)(vend - v);
		}
		hit = NULL;
	}
	if (!open)
		return t == tend ? JSONSCAN_SKIM_OK : JSONSCAN_SKIM_BAD;
	if (t == tend)
		return JSONSCAN_SKIM_BAD;
	pos = *t++;
	if (s[pos] == ',') {
		if (obj & 1)
			goto key;
		goto value;
	}
	if (s[pos] == ((obj & 1) ? '}' : ']')) {
		vend = s + pos + 1;
		open--;
		obj >>= 1;
		goto after;
	}
	return JSONSCAN_SKIM_BAD;
key:                                    /* a member name, ':' and a value */
	if (tend - t < 3 || s[t[0]] != '"' || s[t[2]] != ':')
		return JSONSCAN_SKIM_BAD;
	if (open == 1) {
		const char *k = s + t[0] + 1;
		size_t klen = t[1] - t[0] - 1, i;

		if (any_bs && memchr(k, '\\', klen))
			return JSONSCAN_SKIM_UNSURE;    /* "c\u0061tegory" */
		if (nm->filter & name_bit(klen, klen ? (unsigned char)*k : 0))
			for (i = 0; i < nwant; i++)
				if (!want[i].type && nm->len[i] == klen &&
				    !memcmp(want[i].key, k, klen)) {
					hit = &want[i];
					break;
				}
	}
	t += 3;
	if (hit && t < tend)
		hit_at = *t;
	goto value;
}

enum jsonscan_skim_result jsonscan_skim(const char *line, size_t len,
					struct jsonscan_member *want,
					size_t nwant,
					enum jsonscan_skim_kind kind)
{
	uint32_t tok[JSONSCAN_SKIM_TOKENS];
	struct pass1 st = { tok, 0, 0, 0, 0, 0 };
	void (*classify)(const unsigned char *, struct block *) =
		classify_portable;
	unsigned char pad[64];
	struct names nm;
	struct block b;
	size_t base, i;

	if (nwant > sizeof(nm.len) / sizeof(nm.len[0]) || len >= UINT32_MAX)
		return JSONSCAN_SKIM_UNSURE;
#if defined(__SSE2__)
	if (kind == JSONSCAN_SKIM_BEST)
		classify = classify_sse2;
#else
	(void)kind;
#endif
	for (base = 0; base < len; base += 64) {
		if (st.n > JSONSCAN_SKIM_TOKENS - 64)
			return JSONSCAN_SKIM_UNSURE;
		if (len - base >= 64) {
			classify((const unsigned char *)line + base, &b);
		} else {
			memset(pad, ' ', sizeof(pad));
			memcpy(pad, line + base, len - base);
			classify(pad, &b);
		}
		if (pass1_block(&st, &b, line, len, base))
			return JSONSCAN_SKIM_BAD;
	}
	if (st.in_str)
		return JSONSCAN_SKIM_BAD;       /* a string still open */
	nm.filter = 0;
	for (i = 0; i < nwant; i++) {
		want[i].type = JSONSCAN_ABSENT;
		want[i].val = NULL;
		want[i].len = 0;
		want[i].escaped = 0;
		nm.len[i] = strlen(want[i].key);
		nm.filter |= name_bit(nm.len[i], (unsigned char)want[i].key[0]);
	}
	return walk(line, len, tok, tok + st.n, want, nwant, &nm, st.any_bs);
}

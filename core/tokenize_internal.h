/*
 * tokenize_internal.h - the tokenizer's fields and the helpers its files
 * share: tokenize.c (lifecycle, emitting, the scan), tokenize_word.c (word
 * normalisation, stemming and the two-generation word cache) and
 * tokenize_extras.c (names, comparison cues, mixed scripts).  Nothing
 * outside those three includes it.
 *
 * The helpers on the hot path (decoding, character classes, the word
 * cache's probe, appending a token) are static inline here, so splitting
 * the file added no call to a word's way through the scan.
 */
#ifndef CANDOR_TOKENIZE_INTERNAL_H
#define CANDOR_TOKENIZE_INTERNAL_H

#include "tokenize.h"

#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#define WORD_MAX 128            /* feature bytes kept of a long word */
#define CACHE_SLOTS 131072      /* word cache slots, a power of two */
#define CACHE_ARENA_MAX (2u << 20)  /* per generation */
#define CACHE_KEY_MAX 255       /* longer words are not cached */
#define CACHE_KEY_INLINE 16     /* keys up to this long live in the slot */
#define CUE_SLOTS 128           /* comparison cue hash set, a power of two */
#define FOLD_MAX 256            /* longer mixed-script words are not folded */

/*
 * The word cache maps a word as written in the input to its feature (the
 * normalised stem) and the feature's hash, so a word seen before costs one
 * hash and one probe: no utf8proc, no Snowball.  A slot is half a cache
 * line and holds the word itself when it has up to CACHE_KEY_INLINE bytes
 * (most words; a Russian one of up to 8 letters), so a hit reads one line
 * of memory; the feature text, which only training and explanations ask
 * for, and longer words live in an arena.  Half a line, not a whole one:
 * on real text with its wide vocabulary the number of words the cache
 * holds pays more than the second line a long word's hit reads.
 */
struct word_slot {
	uint64_t fh;            /* the feature's hash */
	uint32_t foff;          /* low 30 bits: the feature text in the
				 * arena, NUL-terminated (a word longer than
				 * the slot's key just before it); top 2:
				 * the word's name shape (SHAPE_*) */
	uint8_t tag;            /* 8 bits of the word's hash, | 1; 0: empty */
	uint8_t flen;           /* 0: the word has no feature */
	uint8_t klen;
	uint8_t gen;            /* the slot is live when gen == its table's */
	char key[CACHE_KEY_INLINE];
};
_Static_assert(sizeof(struct word_slot) == 32, "two word slots a cache line");

/*
 * One generation of the word cache: a table of slots and the arena of its
 * feature texts (and long words).  The tokenizer has two: words go into
 * the current one; when it is half full, between runs, the other one is
 * emptied and becomes the current one, and the full one stays behind as
 * the previous generation.  A word missing from the current generation
 * is looked up in the previous one and copied over when found, so the
 * words in use survive every emptying (a two-generation approximation of
 * LRU) and only words not seen for a whole generation are normalised and
 * stemmed again.  On a stream with a wide vocabulary this halves the
 * misses of a cache emptied all at once (docs/performance.md).
 */
struct word_cache {
	struct word_slot *slot; /* mmap'd: page-aligned, zero until used */
	size_t n;               /* live slots */
	uint8_t gen;            /* emptying is gen++, not a memset */
	char *arena;
	size_t alen, acap;
};

struct tokenizer {
	struct tok_params p;
	struct tok *toks;
	size_t ntoks, captoks;
	char *arena;            /* feature texts, NUL-separated */
	size_t alen, acap;
	utf8proc_int32_t *cpbuf;/* utf8proc work buffer */
	size_t cpcap;
	char norm[WORD_MAX * 4 + 8];
	struct sb_stemmer *en, *ru;
	struct word_cache wc[2];/* the word cache's two generations */
	unsigned cur;           /* the current one: wc[cur] */
	struct bigram_texts *bt; /* filled by tok_text(), hence a pointer */
	/* extras: comparison cues (hash set), runtime names, folding buffer */
	uint64_t cue[CUE_SLOTS];
	uint64_t cue_bits[64];  /* 4096-bit filter on the cues' top hash bits */
	struct { uint64_t h[TOK_NAME_WORDS]; size_t n; } names[TOK_NAMES_MAX];
	size_t nnames;
	char fold[FOLD_MAX * 2 + 8];
};

/*
 * Bigram texts, written only when asked for: tok_run() knows their total
 * size and makes room; the first tok_text() of a bigram after the run
 * writes them all.  tok.off of a bigram is its offset in buf.
 */
struct bigram_texts {
	char *buf;
	size_t len, cap;        /* bytes the run's bigrams need; allocated */
	int written;
};

struct span {
	size_t start, end;      /* bytes */
	size_t cstart, cend;    /* code points */
};

struct cursor {
	const char *s;
	size_t len;
	size_t pos;     /* byte */
	size_t cpos;    /* code point */
};

#define FOFF_MASK 0x3FFFFFFFu

/*
 * A word's name shape, the part of the <name> test (tokenize_extras.c)
 * that depends on the word alone, kept in the word cache and in
 * tok.shape so the test runs once per cached word: 0 not known, or
 * capitalised as a name is not, CamelCase (a name wherever it stands),
 * or capitalised (a name unless it starts a sentence).
 */
enum { SHAPE_UNKNOWN, SHAPE_NO, SHAPE_CAMEL, SHAPE_CAPITAL };

/* ---- UTF-8 ---------------------------------------------------------- */

/* Decode one code point of valid UTF-8; store its byte length in *n. */
static inline uint32_t decode(const unsigned char *u, size_t *n)
{
	if (u[0] < 0x80) {
		*n = 1;
		return u[0];
	}
	if (u[0] < 0xE0) {
		*n = 2;
		return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
	}
	if (u[0] < 0xF0) {
		*n = 3;
		return ((uint32_t)(u[0] & 0x0F) << 12) |
		       ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
	}
	*n = 4;
	return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
	       ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
}

#define BAD_CP 0xFFFFFFFFu

/*
 * The code point at u[i] (i < len) and its length in *n, or BAD_CP when
 * the bytes there are not valid UTF-8 by the rules of tok_utf8_check():
 * tok_run() validates as it scans instead of in a pass of its own.  The
 * character classes below take BAD_CP for "none of them".
 */
static inline uint32_t decode_at(const unsigned char *u, size_t i, size_t len,
			  size_t *n)
{
	unsigned c = u[i];
	uint32_t cp;

	if (c < 0x80) {
		*n = 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		if (i + 1 >= len || (u[i + 1] & 0xC0) != 0x80)
			return BAD_CP;
		*n = 2;
		return ((uint32_t)(c & 0x1F) << 6) | (u[i + 1] & 0x3Fu);
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (i + 2 >= len || (u[i + 1] & 0xC0) != 0x80 ||
		    (u[i + 2] & 0xC0) != 0x80)
			return BAD_CP;
		cp = ((uint32_t)(c & 0x0F) << 12) |
		     ((uint32_t)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3Fu);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
			return BAD_CP;
		*n = 3;
		return cp;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (i + 3 >= len || (u[i + 1] & 0xC0) != 0x80 ||
		    (u[i + 2] & 0xC0) != 0x80 || (u[i + 3] & 0xC0) != 0x80)
			return BAD_CP;
		cp = ((uint32_t)(c & 0x07) << 18) |
		     ((uint32_t)(u[i + 1] & 0x3F) << 12) |
		     ((uint32_t)(u[i + 2] & 0x3F) << 6) | (u[i + 3] & 0x3Fu);
		if (cp < 0x10000 || cp > 0x10FFFF)
			return BAD_CP;
		*n = 4;
		return cp;
	}
	return BAD_CP;
}

/* ---- character classes ---------------------------------------------- */

static inline int is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c >= 0x400 && c <= 0x4FF)           /* Cyrillic, the common case */
		return c <= 0x481 || c >= 0x48A;
	switch (utf8proc_category((utf8proc_int32_t)c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
		return 1;
	default:
		return 0;
	}
}

static inline int is_mark(uint32_t c)
{
	if (c < 0x300 || (c >= 0x400 && c <= 0x482) || (c >= 0x48A && c <= 0x52F))
		return 0;
	switch (utf8proc_category((utf8proc_int32_t)c)) {
	case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
	case UTF8PROC_CATEGORY_ME:
		return 1;
	default:
		return 0;
	}
}

static inline int is_digit(uint32_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	if (c >= 0x400 && c <= 0x52F)
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

static inline int is_emoji(uint32_t c)
{
	if (c < 0x2000)
		return 0;
	if (c >= 0x1F3FB && c <= 0x1F3FF)   /* skin tone modifiers */
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_SO;
}

static inline int is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c >= 0x400 && c <= 0x42F)
		return 1;
	if (c >= 0x430 && c <= 0x45F)
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_LU;
}

static inline int is_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019;
}

static inline enum tok_script script_of(uint32_t c)
{
	if (c < 0x250)
		return TOK_SCRIPT_LATIN;
	if (c >= 0x400 && c <= 0x52F)
		return TOK_SCRIPT_CYRILLIC;
	return TOK_SCRIPT_OTHER;
}

/* ---- the word cache's probe (tokenize_word.c fills it) -------------- */

/* The slot holds a word of its table's generation. */
static inline int slot_live(const struct word_cache *c,
			    const struct word_slot *w)
{
	return w->tag && w->gen == c->gen;
}

/*
 * Loads for short keys that never read outside s[0..n): a word's bytes as
 * one or two overlapping machine words.
 */
static inline uint64_t load64(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

static inline uint64_t load32(const char *s)
{
	uint32_t w;

	memcpy(&w, s, 4);
	return w;
}

/* s[0..n), n < 8, packed into a word: overlapping 4-byte loads or bytes. */
static inline uint64_t load_short(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n >= 4)
		return load32(s) | load32(s + n - 4) << 32;
	if (n)
		return (uint64_t)u[0] | (uint64_t)u[n >> 1] << 8 |
		       (uint64_t)u[n - 1] << 16;
	return 0;
}

/*
 * The word cache's hash of a word as written (not a feature hash, so it
 * may differ from tok_hash): two multiplies for the words of up to 16
 * bytes that make most of a stream.
 */
static inline uint64_t key_hash(const char *s, size_t n)
{
	uint64_t a, b, h = 0x9E3779B97F4A7C15ULL ^ n;

	if (n < 8) {
		a = load_short(s, n);
		b = 0;
	} else if (n <= 16) {
		a = load64(s);
		b = load64(s + n - 8);
	} else {
		const char *end = s + n;

		for (; n > 16; n -= 16, s += 16)
			h = (h ^ load64(s) ^ (load64(s + 8) *
			      0x94D049BB133111EBULL)) * 0xBF58476D1CE4E5B9ULL;
		a = load64(end - 16);   /* the last 16 bytes, never past end */
		b = load64(end - 8);
	}
	h ^= (a ^ 0xC2B2AE3D27D4EB4FULL) * 0xBF58476D1CE4E5B9ULL;
	h ^= (b ^ (h >> 29)) * 0x94D049BB133111EBULL;
	h ^= h >> 32;
	return h;
}

/* a[0..n) == b[0..n), for the short keys of the word cache */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	if (n < 8)
		return load_short(a, n) == load_short(b, n);
	for (; n > 8; n -= 8, a += 8, b += 8)
		if (load64(a) != load64(b))
			return 0;
	return load64(a + n - 8) == load64(b + n - 8);
}

/*
 * Probe generation c for the word w[0..wlen) with key hash h: its slot, or
 * NULL and in *free_slot where it would go.
 */
static inline const struct word_slot *wc_find(const struct word_cache *c,
				       uint64_t h, const char *w, size_t wlen,
				       size_t *free_slot)
{
	uint8_t tag = (uint8_t)(h >> 56) | 1;
	size_t slot;

	for (slot = (size_t)h & (CACHE_SLOTS - 1); slot_live(c, &c->slot[slot]);
	     slot = (slot + 1) & (CACHE_SLOTS - 1)) {
		const struct word_slot *e = &c->slot[slot];

		if (e->tag == tag && e->klen == wlen &&
		    same_bytes(wlen > CACHE_KEY_INLINE ?
			       c->arena + (e->foff & FOFF_MASK) - wlen :
			       e->key, w, wlen))
			return e;
	}
	*free_slot = slot;
	return NULL;
}

/* ---- emitting tokens (tokenize.c) ----------------------------------- */

/*
 * Append a token whose text is already stored: at off in the arena of the
 * word cache's generation in_cache - 1, or (in_cache 0) in the token
 * arena.  The caller checked max_tokens.
 */
static inline int emit_ref(struct tokenizer *t, enum tok_kind kind,
		    enum tok_script sc, int in_cache, size_t off, size_t len,
		    uint64_t hash, const struct span *sp)
{
	struct tok *k;

	if (t->ntoks >= t->captoks)     /* cannot happen: see toks_room() */
		return 0;
	k = &t->toks[t->ntoks++];
	k->hash = hash;
	k->off = (uint32_t)off;
	k->len = (uint32_t)len;
	k->start = (uint32_t)sp->start;
	k->end = (uint32_t)sp->end;
	k->cstart = (uint32_t)sp->cstart;
	k->cend = (uint32_t)sp->cend;
	k->kind = (uint8_t)kind;
	k->script = (uint8_t)sc;
	k->in_cache = (uint8_t)in_cache;
	k->shape = SHAPE_UNKNOWN;
	k->pair = 0;
	return 0;
}

/* emit_ref() of a word token whose name shape is known. */
static inline int emit_word_ref(struct tokenizer *t, enum tok_script sc,
				int in_cache, size_t off, size_t len,
				uint64_t hash, unsigned shape,
				const struct span *sp)
{
	size_t n = t->ntoks;

	emit_ref(t, TOK_WORD, sc, in_cache, off, len, hash, sp);
	if (t->ntoks > n)
		t->toks[n].shape = (uint8_t)shape;
	return 0;
}

/* Append a token whose feature hash is already known, copying its text. */
int tok_emit_h(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
	       const char *text, size_t len, uint64_t hash,
	       const struct span *sp);

/* Append a token, copying its text and hashing it. */
static inline int tok_emit(struct tokenizer *t, enum tok_kind kind,
			   enum tok_script sc, const char *text, size_t len,
			   const struct span *sp)
{
	return tok_emit_h(t, kind, sc, text, len, tok_hash(text, len), sp);
}

/* ---- the word path (tokenize_word.c) -------------------------------- */

/*
 * The word w[0..wlen) missed the current generation of the word cache
 * (key hash h, free slot slot; both unused when wlen > CACHE_KEY_MAX):
 * take it from the previous generation or normalise and stem it, cache
 * it and emit its token.  0, or a negative status.
 */
int tok_word_miss(struct tokenizer *t, const char *w, size_t wlen,
		  enum tok_script sc, uint64_t h, size_t slot,
		  const struct span *sp);

/* Empty one generation of the word cache, or both. */
void tok_cache_empty(struct word_cache *c);
void tok_cache_clear(struct tokenizer *t);

/* ---- extras (tokenize_extras.c) ------------------------------------- */

/* Stem the comparison cues into t's hash set (tok_new with extras). */
int tok_cues_init(struct tokenizer *t, struct cd_error *err);

/*
 * A word of Latin and Cyrillic letters folded to one script into t->fold:
 * its length (0: not mixed, or not foldable) and script in *sc.
 */
size_t tok_fold_mixed(struct tokenizer *t, const unsigned char *w, size_t n,
		      enum tok_script *sc);

/*
 * The name shape (SHAPE_*) of the word w[0..n) (valid UTF-8) whose feature
 * is feat[0..flen).
 */
unsigned tok_name_shape(const unsigned char *w, size_t n, const char *feat,
			size_t flen);

/* After a run with extras: <name> per name, <name+cue> once. */
int tok_extras_pass(struct tokenizer *t, const char *text, size_t len);

#endif

/*
 * tokenize.c - see tokenize.h.
 *
 * One left-to-right pass over the original bytes, which also validates
 * the UTF-8.  Each run (word, number, URL, mention, emoji, mark) is
 * recognised on the original code points, so spans point into the
 * caller's text; only the feature text of a word goes through NFKC + case
 * folding and the stemmer.  Runs of lower-case ASCII and Cyrillic take
 * tight loops, and words are cached as written (a seen word costs one
 * hash and one cache line), since a stream of comments repeats the same
 * few thousand words.  Tokens point at their feature text in the cache;
 * a bigram's text is only put together when someone asks for it.
 *
 * Real traffic has a long tail of words seen once (names, typos, tags),
 * so the cache fills and must be emptied now and then; it keeps two
 * generations so that emptying it does not throw away the common words
 * (see struct word_cache).
 */
#define _DEFAULT_SOURCE         /* MAP_ANONYMOUS */
#include "tokenize.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libstemmer.h>
#include <utf8proc.h>

#define TOK_MAX_DEFAULT 4096
#define WORD_MAX 128            /* feature bytes kept of a long word */
#define CACHE_SLOTS 65536       /* word cache slots, a power of two */
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
	uint32_t foff;          /* feature text in the arena, NUL-terminated;
				 * a word longer than the slot's key just
				 * before it */
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

/* Bytes s[0..n) for n < 8 as a little-endian word, without a memcpy call. */
static uint64_t load_tail(const char *s, size_t n)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return w;
}

/*
 * 64-bit hash of feature text, 8 bytes per step: each word is mixed with
 * a multiply and folded (the scheme of wyhash/xxh3, simplified), and the
 * result goes through the splitmix64 finaliser.  Never returns 0, which
 * marks empty slots.
 */
uint64_t tok_hash(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xC2B2AE3D27D4EB4FULL);
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
		h ^= h >> 31;
	}
	if (i < len) {
		uint64_t w = load_tail(s + i, len - i);

		h = (h ^ w) * 0x94D049BB133111EBULL;
		h ^= h >> 29;
	}
	h ^= h >> 30;
	h *= 0xBF58476D1CE4E5B9ULL;
	h ^= h >> 27;
	h *= 0x94D049BB133111EBULL;
	h ^= h >> 31;
	return h ? h : 1;
}

uint64_t tok_hash_pair(uint64_t a, uint64_t b)
{
	uint64_t h = (a ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;

	h = (h ^ (h >> 31) ^ b) * 0x94D049BB133111EBULL;
	h ^= h >> 29;
	return h ? h : 1;
}

uint64_t tok_feature_hash(const char *s, size_t len)
{
	const char *sp = memchr(s, ' ', len);

	if (!sp)
		return tok_hash(s, len);
	return tok_hash_pair(tok_hash(s, (size_t)(sp - s)),
			     tok_hash(sp + 1, len - (size_t)(sp - s) - 1));
}

/* ---- UTF-8 ---------------------------------------------------------- */

/* Kept for callers of the tokenizer's API: the one implementation is text.c's. */
int tok_utf8_check(const char *s, size_t len, size_t *bad_at)
{
	return text_utf8_check(s, len, bad_at);
}

size_t tok_utf8_len(const char *s, size_t len)
{
	return text_utf8_len(s, len);
}

/* Decode one code point of valid UTF-8; store its byte length in *n. */
static uint32_t decode(const unsigned char *u, size_t *n)
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

static int is_letter(uint32_t c)
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

static int is_mark(uint32_t c)
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

static int is_digit(uint32_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	if (c >= 0x400 && c <= 0x52F)
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_ND;
}

static int is_emoji(uint32_t c)
{
	if (c < 0x2000)
		return 0;
	if (c >= 0x1F3FB && c <= 0x1F3FF)   /* skin tone modifiers */
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_SO;
}

static int is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c >= 0x400 && c <= 0x42F)
		return 1;
	if (c >= 0x430 && c <= 0x45F)
		return 0;
	return utf8proc_category((utf8proc_int32_t)c) == UTF8PROC_CATEGORY_LU;
}

static int is_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019;
}

static enum tok_script script_of(uint32_t c)
{
	if (c < 0x250)
		return TOK_SCRIPT_LATIN;
	if (c >= 0x400 && c <= 0x52F)
		return TOK_SCRIPT_CYRILLIC;
	return TOK_SCRIPT_OTHER;
}

static int cue_init(struct tokenizer *t, struct cd_error *err);
static size_t fold_mixed(struct tokenizer *t, const unsigned char *w,
			 size_t n, enum tok_script *sc);

/* ---- lifecycle ------------------------------------------------------ */

void tok_params_default(struct tok_params *p)
{
	p->bigrams = 1;
	p->stem = 1;
	p->extras = 0;
	p->max_tokens = TOK_MAX_DEFAULT;
}

void tok_params_words(struct tok_params *p)
{
	tok_params_default(p);
	p->bigrams = 0;
}

struct tokenizer *tok_new(const struct tok_params *p, struct cd_error *err)
{
	struct tokenizer *t = calloc(1, sizeof(*t));
	size_t i;

	if (!t)
		goto nomem;
	if (p)
		t->p = *p;
	else
		tok_params_default(&t->p);
	if (!t->p.max_tokens)
		t->p.max_tokens = TOK_MAX_DEFAULT;
	if (t->p.stem) {
		t->en = sb_stemmer_new("english", "UTF_8");
		t->ru = sb_stemmer_new("russian", "UTF_8");
		if (!t->en || !t->ru) {
			tok_free(t);
			cd_error_set(err, CD_ERR_NOMEM, 0,
				     "cannot create the snowball stemmers");
			return NULL;
		}
	}
	/*
	 * mmap, not aligned_alloc + memset (nor calloc, which clears memory
	 * malloc reuses): the 2 MiB come as zero pages that are touched only
	 * where words land, so a tokenizer built to load a config or a phrase
	 * list costs microseconds, not a 2 MiB clear.
	 */
	for (i = 0; i < 2; i++) {
		void *sl = mmap(NULL, CACHE_SLOTS * sizeof(struct word_slot),
				PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		t->wc[i].slot = sl == MAP_FAILED ? NULL : sl;
		if (!t->wc[i].slot)
			goto nomem;
	}
	t->bt = calloc(1, sizeof(*t->bt));
	if (!t->bt)
		goto nomem;
	if (t->p.extras && cue_init(t, err)) {
		tok_free(t);
		return NULL;
	}
	return t;
nomem:
	tok_free(t);
	cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	return NULL;
}

void tok_free(struct tokenizer *t)
{
	size_t i;

	if (!t)
		return;
	if (t->en)
		sb_stemmer_delete(t->en);
	if (t->ru)
		sb_stemmer_delete(t->ru);
	free(t->toks);
	free(t->arena);
	free(t->cpbuf);
	for (i = 0; i < 2; i++) {
		if (t->wc[i].slot)
			munmap(t->wc[i].slot,
			       CACHE_SLOTS * sizeof(struct word_slot));
		free(t->wc[i].arena);
	}
	if (t->bt)
		free(t->bt->buf);
	free(t->bt);
	free(t);
}

size_t tok_count(const struct tokenizer *t)
{
	return t->ntoks;
}

int tok_full(const struct tokenizer *t)
{
	return t->ntoks >= t->p.max_tokens;
}

const struct tok *tok_list(const struct tokenizer *t)
{
	return t->toks;
}

/* Write the texts of the last run's bigrams into t->bt (room was made). */
static void write_bigrams(const struct tokenizer *t)
{
	size_t i;

	for (i = 0; i < t->ntoks; i++) {
		const struct tok *k = &t->toks[i], *x, *y;
		char *d;

		if (k->kind != TOK_BIGRAM)
			continue;
		x = &t->toks[k->pair];
		y = &t->toks[i - 1];    /* a bigram follows its second word */
		d = t->bt->buf + k->off;
		memcpy(d, tok_text(t, x), x->len);
		d[x->len] = ' ';
		memcpy(d + x->len + 1, tok_text(t, y), y->len);
		d[k->len] = '\0';
	}
	t->bt->written = 1;
}

const char *tok_text(const struct tokenizer *t, const struct tok *k)
{
	if (k->kind == TOK_BIGRAM) {
		if (!t->bt->written)
			write_bigrams(t);
		return t->bt->buf + k->off;
	}
	return (k->in_cache ? t->wc[k->in_cache - 1].arena : t->arena) + k->off;
}

/* ---- emitting ------------------------------------------------------- */

struct span {
	size_t start, end;      /* bytes */
	size_t cstart, cend;    /* code points */
};

static int emit_h(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
		  const char *text, size_t len, uint64_t hash,
		  const struct span *sp);

static int emit(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
		const char *text, size_t len, const struct span *sp)
{
	return emit_h(t, kind, sc, text, len, tok_hash(text, len), sp);
}

/*
 * Room for every token a run over len bytes can make, so that emitting
 * never reallocates: each token but a bigram or <caps> takes at least a
 * byte, a bigram follows a word of 1+ bytes and <caps> one of 3+, so a
 * run makes at most 2 * len tokens (and at most max_tokens).
 */
static int toks_room(struct tokenizer *t, size_t len)
{
	/* extras: <masked> follows a word of 3+ bytes, <name> one of 2+ */
	size_t need = (t->p.extras ? 3 : 2) * len + 2, cap;
	struct tok *nt;

	if (need > t->p.max_tokens)
		need = t->p.max_tokens;
	if (need <= t->captoks)
		return 0;
	cap = t->captoks ? t->captoks : 64;
	while (cap < need)
		cap *= 2;
	nt = realloc(t->toks, cap * sizeof(*nt));
	if (!nt)
		return CD_ERR_NOMEM;
	t->toks = nt;
	t->captoks = cap;
	return 0;
}

/* Room for n more bytes in the token arena; 0, or CD_ERR_NOMEM. */
static int arena_room(struct tokenizer *t, size_t n)
{
	size_t cap;
	char *na;

	if (t->alen + n <= t->acap)
		return 0;
	cap = t->acap ? t->acap : 1024;
	while (cap < t->alen + n)
		cap *= 2;
	na = realloc(t->arena, cap);
	if (!na)
		return CD_ERR_NOMEM;
	t->arena = na;
	t->acap = cap;
	return 0;
}

/*
 * Append a token whose text is already stored: at off in the arena of the
 * word cache's generation in_cache - 1, or (in_cache 0) in the token
 * arena.  The caller checked max_tokens.
 */
static int emit_ref(struct tokenizer *t, enum tok_kind kind,
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
	k->pair = 0;
	return 0;
}

/* Append a token whose feature hash is already known, copying its text. */
static int emit_h(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
		  const char *text, size_t len, uint64_t hash,
		  const struct span *sp)
{
	size_t off = t->alen;
	int rc;

	if (t->ntoks >= t->p.max_tokens)
		return 0;
	rc = arena_room(t, len + 1);
	if (rc)
		return rc;
	memcpy(t->arena + off, text, len);
	t->arena[off + len] = '\0';
	t->alen += len + 1;
	return emit_ref(t, kind, sc, 0, off, len, hash, sp);
}

/*
 * A bigram of the word token at index a and the one just emitted; its text
 * waits for tok_text() (struct bigram_texts).
 */
static int emit_bigram(struct tokenizer *t, size_t a)
{
	const struct tok *x = &t->toks[a], *y = &t->toks[t->ntoks - 1];
	size_t n = x->len + 1 + y->len;
	struct span sp;
	int rc;

	if (n >= 2 * WORD_MAX + 2 || t->ntoks >= t->p.max_tokens)
		return 0;
	sp.start = x->start;
	sp.end = y->end;
	sp.cstart = x->cstart;
	sp.cend = y->cend;
	rc = emit_ref(t, TOK_BIGRAM, (enum tok_script)x->script, 0, t->bt->len,
		      n, tok_hash_pair(x->hash, y->hash), &sp);
	if (rc)
		return rc;
	t->toks[t->ntoks - 1].pair = (uint32_t)a;
	t->bt->len += n + 1;
	return 0;
}

/* ---- word normalisation and stemming -------------------------------- */

/*
 * 1 when w[0..n) holds only ASCII, U+0400..U+045F and U+2019 (the
 * typographic apostrophe): text whose NFKC form is itself.
 */
static int simple_cyrillic(const char *w, size_t n)
{
	const unsigned char *u = (const unsigned char *)w;
	size_t i = 0;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
		} else if (u[i] == 0xD0 && i + 1 < n) {
			i += 2;
		} else if (u[i] == 0xD1 && i + 1 < n && u[i + 1] <= 0x9F) {
			i += 2;
		} else if (u[i] == 0xE2 && i + 2 < n && u[i + 1] == 0x80 &&
			   u[i + 2] == 0x99) {
			i += 3;
		} else {
			return 0;
		}
	}
	return 1;
}

/*
 * NFKC + case folding of w[0..n) into t->norm, apostrophes dropped and
 * Cyrillic yo folded to ye (Russian writers use them interchangeably).
 * Returns the length, capped at WORD_MAX on a code point boundary.
 */
static int normalize_word(struct tokenizer *t, const char *w, size_t n,
			  size_t *outlen)
{
	const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE |
		UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
	const unsigned char *s;
	size_t i, o = 0, slen;
	int ascii = 1;

	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] >= 0x80) {
			ascii = 0;
			break;
		}
	if (!ascii && simple_cyrillic(w, n)) {
		/*
		 * Basic Cyrillic and ASCII only: NFKC leaves them as they are,
		 * so case folding is a table lookup (А-Я, Ѐ-Џ -> а-я, ѐ-џ; ё -> е).
		 */
		for (i = 0; i < n;) {
			size_t k;
			uint32_t c = decode((const unsigned char *)w + i, &k);

			i += k;
			if (c == '\'' || c == 0x2019)
				continue;
			if (c < 0x80) {
				if (o + 1 > WORD_MAX)
					break;
				t->norm[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
				continue;
			}
			if (c >= 0x410 && c <= 0x42F)
				c += 0x20;
			else if (c >= 0x400 && c <= 0x40F)
				c += 0x50;
			if (c == 0x451)
				c = 0x435;
			if (o + 2 > WORD_MAX)
				break;
			t->norm[o++] = (char)(0xC0 | (c >> 6));
			t->norm[o++] = (char)(0x80 | (c & 0x3F));
		}
		*outlen = o;
		return 0;
	}
	if (ascii) {
		for (i = 0; i < n && o < WORD_MAX; i++) {
			char c = w[i];

			if (c == '\'')
				continue;
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			t->norm[o++] = c;
		}
		*outlen = o;
		return 0;
	}
	for (;;) {
		utf8proc_ssize_t r = utf8proc_decompose_custom(
			(const utf8proc_uint8_t *)w, (utf8proc_ssize_t)n,
			t->cpbuf, (utf8proc_ssize_t)t->cpcap, opts, NULL, NULL);

		if (r < 0)
			return CD_ERR_DATA;
		if ((size_t)r <= t->cpcap) {
			r = utf8proc_normalize_utf32(t->cpbuf, r, opts);
			if (r < 0)
				return CD_ERR_DATA;
			r = utf8proc_reencode(t->cpbuf, r, opts);
			if (r < 0)
				return CD_ERR_DATA;
			slen = (size_t)r;
			break;
		}
		{
			size_t cap = (size_t)r + 16;
			utf8proc_int32_t *nb = realloc(t->cpbuf,
						       cap * sizeof(*nb));
			if (!nb)
				return CD_ERR_NOMEM;
			t->cpbuf = nb;
			t->cpcap = cap;
		}
	}
	s = (const unsigned char *)t->cpbuf;
	for (i = 0; i < slen;) {
		size_t k;
		uint32_t c = decode(s + i, &k);

		/*
		 * Fix (found by tests/fuzz/fuzz_tokenize.c): NFKC turns a few
		 * letters into text with spaces (U+037A -> " \u03b9", U+FDFA
		 * -> four Arabic words).  A feature with a space reads back
		 * from a model file as a bigram (tok_feature_hash), so drop
		 * them as we drop apostrophes.
		 */
		if (is_apostrophe(c) || c == ' ') {
			i += k;
			continue;
		}
		if (o + k > WORD_MAX)
			break;
		if (c == 0x451) {               /* ё -> е */
			t->norm[o++] = (char)0xD0;
			t->norm[o++] = (char)0xB5;
		} else {
			memcpy(t->norm + o, s + i, k);
			o += k;
		}
		i += k;
	}
	*outlen = o;
	return 0;
}

/*
 * Empty one generation of the word cache: a new gen makes every slot stale
 * (free to probe past and to take).  Only when the 8-bit gen wraps are
 * the slots cleared, once every 256 emptyings.
 */
static void wc_empty(struct word_cache *c)
{
	if (++c->gen == 0)
		memset(c->slot, 0, CACHE_SLOTS * sizeof(*c->slot));
	c->n = 0;
	c->alen = 0;
}

/* Empty the whole word cache (both generations). */
static void cache_clear(struct tokenizer *t)
{
	wc_empty(&t->wc[0]);
	wc_empty(&t->wc[1]);
}

/* The slot holds a word of its table's generation. */
static int slot_live(const struct word_cache *c, const struct word_slot *w)
{
	return w->tag && w->gen == c->gen;
}

/*
 * Remember word -> (feature, its hash) in generation c, in the free slot
 * found by the probe, and return the offset of the stored feature text
 * (NUL-terminated) in c's arena, or (size_t)-1 when it was not stored.
 * Entries are never dropped during a run, because tokens of the run point
 * into the arenas: a full generation just stops taking words, and
 * tok_run() turns the generations over between runs.
 */
static size_t cache_put(struct word_cache *c, uint64_t h, size_t slot,
			const char *word, size_t wlen, const char *feat,
			size_t flen, uint64_t fh)
{
	size_t kneed = wlen > CACHE_KEY_INLINE ? wlen : 0;
	size_t need = kneed + flen + 1, i;
	struct word_slot *w;

	if (wlen > CACHE_KEY_MAX || flen > UINT8_MAX ||
	    c->n >= CACHE_SLOTS / 4 * 3 ||
	    c->alen + need > CACHE_ARENA_MAX + (CACHE_ARENA_MAX >> 2))
		return (size_t)-1;
	if (c->alen + need > c->acap) {
		size_t cap = c->acap ? c->acap : 65536;
		char *na;

		while (cap < c->alen + need)
			cap *= 2;
		na = realloc(c->arena, cap);
		if (!na)
			return (size_t)-1;  /* a miss next time, nothing worse */
		c->arena = na;
		c->acap = cap;
	}
	i = c->alen;
	w = &c->slot[slot];
	if (kneed)
		memcpy(c->arena + i, word, wlen);
	else
		memcpy(w->key, word, wlen);
	memcpy(c->arena + i + kneed, feat, flen);
	c->arena[i + kneed + flen] = '\0';
	w->fh = fh;
	w->tag = (uint8_t)(h >> 56) | 1;
	w->gen = c->gen;
	w->foff = (uint32_t)(i + kneed);
	w->flen = (uint8_t)flen;
	w->klen = (uint8_t)wlen;
	c->alen += need;
	c->n++;
	return i + kneed;
}

/* ---- recognisers ---------------------------------------------------- */

static int has_prefix_ci(const char *s, size_t n, const char *pre)
{
	size_t i, k = strlen(pre);

	if (n < k)
		return 0;
	for (i = 0; i < k; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != pre[i])
			return 0;
	}
	return 1;
}

static int known_tld(const char *s, size_t n)
{
	static const struct {
		const char *name;
		size_t len;
	} tlds[] = {
#define TLD(x) { x, sizeof(x) - 1 }
		TLD("com"), TLD("net"), TLD("org"), TLD("io"), TLD("ly"),
		TLD("co"), TLD("me"), TLD("ru"), TLD("su"), TLD("info"),
		TLD("biz"), TLD("xyz"), TLD("app"), TLD("dev"), TLD("shop"),
		TLD("store"), TLD("link"), TLD("site"), TLD("online"), TLD("tv"),
		TLD("gg"), TLD("to"), TLD("us"), TLD("uk"), TLD("de"), TLD("fr"),
		TLD("ua"), TLD("by"), TLD("kz"), TLD("eu"), TLD("ai"), TLD("gl"),
		TLD("cc"), TLD("top"), TLD("club"), TLD("live"), TLD("pro"),
		TLD("example"), TLD("test"),
#undef TLD
	};
	size_t i;

	for (i = 0; i < sizeof(tlds) / sizeof(tlds[0]); i++)
		if (tlds[i].len == n && has_prefix_ci(s, n, tlds[i].name))
			return 1;
	return 0;
}

static int trailing_punct(char c)
{
	return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' ||
	       c == ':' || c == ')' || c == '"' || c == '\'';
}

/*
 * If a URL starts at s (n bytes left), return its length in bytes, else 0.
 * Recognises scheme://..., www.... and bare domains with a known TLD
 * (example.com/help, bit.ly/x).
 */
static size_t url_len(const char *s, size_t n)
{
	size_t end = 0, i, dot = 0, host_end;
	int has_dot = 0;

	while (end < n && (unsigned char)s[end] > ' ' &&
	       (unsigned char)s[end] < 0x80) {
		has_dot |= s[end] == '.';
		end++;
	}
	if (!has_dot)           /* most runs are plain words: no URL */
		return 0;
	while (end > 0 && trailing_punct(s[end - 1]))
		end--;
	if (has_prefix_ci(s, end, "http://") || has_prefix_ci(s, end, "https://"))
		return end > 8 ? end : 0;
	if (has_prefix_ci(s, end, "www.") && end > 4)
		return end;
	if (!text_is_alnum((unsigned char)s[0]))
		return 0;
	for (host_end = 0; host_end < end && s[host_end] != '/'; host_end++) {
		char c = s[host_end];

		if (c == '.')
			dot = host_end;
		else if (!text_is_alnum((unsigned char)c) && c != '-')
			return 0;
	}
	if (!dot || dot + 1 >= host_end)
		return 0;
	for (i = dot + 1; i < host_end; i++)
		if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
			return 0;
	if (!known_tld(s + dot + 1, host_end - dot - 1))
		return 0;
	return end;
}

/*
 * A URL that starts with the letters and digits before u[ae] goes on with
 * a host character or a scheme's colon ('.', '-', ':') and then more
 * non-space ASCII (the rest of the host, its TLD, "//"): without that,
 * url_len() would find none, so most words followed by a comma or a full
 * stop need no look.
 */
static int may_be_url(const unsigned char *u, size_t ae, size_t len)
{
	return ae + 1 < len && (u[ae] == '.' || u[ae] == '-' || u[ae] == ':') &&
	       u[ae + 1] > ' ' && u[ae + 1] < 0x80;
}

/* ---- the pass ------------------------------------------------------- */

struct cursor {
	const char *s;
	size_t len;
	size_t pos;     /* byte */
	size_t cpos;    /* code point */
};

static void advance_bytes(struct cursor *c, size_t nbytes)
{
	c->cpos += tok_utf8_len(c->s + c->pos, nbytes);
	c->pos += nbytes;
}

/*
 * Loads for short keys that never read outside s[0..n): a word's bytes as
 * one or two overlapping machine words.
 */
static uint64_t load64(const char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w;
}

static uint64_t load32(const char *s)
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
static uint64_t key_hash(const char *s, size_t n)
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
static int same_bytes(const char *a, const char *b, size_t n)
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
static const struct word_slot *wc_find(const struct word_cache *c,
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
			       c->arena + e->foff - wlen : e->key, w, wlen))
			return e;
	}
	*free_slot = slot;
	return NULL;
}

/*
 * The stem of the normalised word t->norm[0..n), in the stemmer's buffer
 * (valid until the next call) or t->norm itself.
 */
static const char *stem(struct tokenizer *t, size_t n, enum tok_script sc,
			size_t *outlen, int *rc)
{
	struct sb_stemmer *sb;
	const sb_symbol *s;

	*rc = 0;
	sb = sc == TOK_SCRIPT_CYRILLIC ? t->ru : sc == TOK_SCRIPT_LATIN ? t->en : NULL;
	if (!sb || !t->p.stem) {
		*outlen = n;
		return t->norm;
	}
	s = sb_stemmer_stem(sb, (const sb_symbol *)t->norm, (int)n);
	if (!s) {
		*rc = CD_ERR_NOMEM;
		return NULL;
	}
	*outlen = (size_t)sb_stemmer_length(sb);
	return (const char *)s;
}

static int emit_word(struct tokenizer *t, const char *w, size_t wlen,
		     enum tok_script sc, const struct span *sp)
{
	struct word_cache *cur = &t->wc[t->cur], *prev = &t->wc[t->cur ^ 1];
	const struct word_slot *e;
	const char *feat;
	size_t n, flen, slot = 0, at;
	uint64_t h = 0, fh;
	int rc, cacheable = wlen <= CACHE_KEY_MAX;

	if (t->ntoks >= t->p.max_tokens)
		return 0;
	if (cacheable) {
		h = key_hash(w, wlen);
		if ((e = wc_find(cur, h, w, wlen, &slot)) != NULL) {
			if (!e->flen)
				return 0;
			return emit_ref(t, TOK_WORD, sc, (int)t->cur + 1,
					e->foff, e->flen, e->fh, sp);
		}
		if (prev->n && (e = wc_find(prev, h, w, wlen, &at)) != NULL) {
			/* the previous generation's: into the current one */
			at = cache_put(cur, h, slot, w, wlen,
				       prev->arena + e->foff, e->flen, e->fh);
			if (!e->flen)
				return 0;
			if (at != (size_t)-1)
				return emit_ref(t, TOK_WORD, sc,
						(int)t->cur + 1, at, e->flen,
						e->fh, sp);
			return emit_ref(t, TOK_WORD, sc, (int)(t->cur ^ 1) + 1,
					e->foff, e->flen, e->fh, sp);
		}
	}
	if (t->p.extras) {
		/* mixed scripts, on a cache miss only: the fold is cached */
		size_t fl = fold_mixed(t, (const unsigned char *)w, wlen, &sc);

		rc = fl ? normalize_word(t, t->fold, fl, &n) :
			  normalize_word(t, w, wlen, &n);
	} else {
		rc = normalize_word(t, w, wlen, &n);
	}
	if (rc)
		return rc;
	feat = n ? stem(t, n, sc, &flen, &rc) : "";
	if (rc)
		return rc;
	if (!n)
		flen = 0;
	fh = tok_hash(feat, flen);
	at = cacheable ? cache_put(cur, h, slot, w, wlen, feat, flen, fh) :
			 (size_t)-1;
	if (!flen)
		return 0;
	if (at != (size_t)-1)
		return emit_ref(t, TOK_WORD, sc, (int)t->cur + 1, at, flen, fh,
				sp);
	return emit_h(t, TOK_WORD, sc, feat, flen, fh, sp);
}

/*
 * Scan a word from u[i]: letters, marks, digits and inner apostrophes.
 * ASCII and basic Cyrillic take a fast path (runs of lower-case letters
 * in one tight loop); anything else asks utf8proc.  Returns the end byte;
 * *letters counts letters, *upper is 1 when all of them are capitals,
 * *ncp counts code points, *sc is the script of the first letter (it
 * chooses the stemmer) and *alnum_end is where the first byte that is not
 * an ASCII letter or digit stands (the end if there is none).
 */
static size_t scan_word(const unsigned char *u, size_t i, size_t len,
			int *letters, int *upper, size_t *ncp,
			enum tok_script *sc, size_t *alnum_end)
{
	size_t k, cps = 0, ae = (size_t)-1;
	int nl = 0, up = 1;
	enum tok_script s = TOK_SCRIPT_OTHER;

	while (i < len) {
		unsigned b = u[i];
		uint32_t ch;

		if (b < 0x80) {
			if ((unsigned)(b - 'a') < 26u) {
				size_t j = i + 1;

				while (j < len && (unsigned)(u[j] - 'a') < 26u)
					j++;
				if (!nl)
					s = TOK_SCRIPT_LATIN;
				nl += (int)(j - i);
				cps += j - i;
				up = 0;
				i = j;
				continue;
			}
			if ((unsigned)(b - 'A') < 26u) {
				if (!nl++)
					s = TOK_SCRIPT_LATIN;
			} else if ((unsigned)(b - '0') >= 10u) {
				if (ae == (size_t)-1)
					ae = i;
				if (b != '\'' || i + 1 >= len ||
				    !is_letter(decode_at(u, i + 1, len, &k)))
					break;
			}
			i++;
			cps++;
			continue;
		}
		if (ae == (size_t)-1)
			ae = i;
		if (b == 0xD0 || b == 0xD1) {   /* а-я as one run */
			size_t j = i, n = 0;

			while (j + 1 < len &&
			       ((u[j] == 0xD0 && u[j + 1] >= 0xB0 &&
				 u[j + 1] <= 0xBF) ||
				(u[j] == 0xD1 && u[j + 1] >= 0x80 &&
				 u[j + 1] <= 0x8F))) {
				j += 2;
				n++;
			}
			if (n) {
				if (!nl)
					s = TOK_SCRIPT_CYRILLIC;
				nl += (int)n;
				cps += n;
				up = 0;
				i = j;
				continue;
			}
		}
		if (b >= 0xD0 && b <= 0xD3 && i + 1 < len &&
		    (u[i + 1] & 0xC0) == 0x80) {  /* U+0400..U+04FF */
			ch = ((uint32_t)(b & 0x1F) << 6) | (u[i + 1] & 0x3Fu);
			if (ch <= 0x481 || ch >= 0x48A) {
				if (!nl++)
					s = TOK_SCRIPT_CYRILLIC;
				if (ch >= 0x430 && (ch <= 0x45F || !is_upper(ch)))
					up = 0;
				i += 2;
				cps++;
				continue;
			}
		}
		ch = decode_at(u, i, len, &k);
		if (ch == BAD_CP) {
			break;          /* tok_run() reports it */
		} else if (is_letter(ch)) {
			if (!nl++)
				s = script_of(ch);
			if (!is_upper(ch))
				up = 0;
		} else if (is_apostrophe(ch)) {
			size_t k2;

			if (i + k >= len ||
			    !is_letter(decode_at(u, i + k, len, &k2)))
				break;
		} else if (!is_mark(ch) && !is_digit(ch)) {
			break;
		}
		i += k;
		cps++;
	}
	*letters = nl;
	*upper = up;
	*ncp = cps;
	*sc = s;
	*alnum_end = ae == (size_t)-1 ? i : ae;
	return i;
}

/* Emit the word text[c->pos..end) and its bigram and <caps> marks. */
static int word(struct tokenizer *t, struct cursor *c, size_t end,
		int letters, int upper, size_t ncp, enum tok_script sc,
		size_t *prev_word)
{
	struct span sp = { c->pos, end, c->cpos, c->cpos + ncp };
	size_t before = t->ntoks;
	int rc = emit_word(t, c->s + c->pos, end - c->pos, sc, &sp);

	c->pos = end;
	c->cpos += ncp;
	if (rc || t->ntoks == before)
		return rc;
	before = t->ntoks - 1;
	if (t->p.bigrams && *prev_word != (size_t)-1)
		rc = emit_bigram(t, *prev_word);
	if (!rc && letters >= 3 && upper)
		rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<caps>", 6, &sp);
	*prev_word = before;
	return rc;
}

/* A one-character token (emoji) or a run marker at the cursor. */
static int mark(struct tokenizer *t, struct cursor *c, size_t n,
		enum tok_kind kind, const char *text, size_t len)
{
	struct span sp;

	sp.start = c->pos;
	sp.cstart = c->cpos;
	advance_bytes(c, n);
	sp.end = c->pos;
	sp.cend = c->cpos;
	return emit(t, kind, TOK_SCRIPT_OTHER, text, len, &sp);
}

/* Whitespace and the like keep a bigram going; other punctuation ends it. */
static int keeps_bigram(uint32_t ch)
{
	return ch == ' ' || ch == '\t' || ch == 0xA0 || ch == '\'' ||
	       ch == '"' || ch == 0x2019 || ch == '*' || ch == 0xFE0F ||
	       ch == 0x200D || (ch >= 0x1F3FB && ch <= 0x1F3FF);
}

/* "@name": the end of the mention at u[pos], or pos when there is none. */
static size_t mention_end(const unsigned char *u, size_t pos, size_t len)
{
	size_t k, i = pos + 1;
	uint32_t nx;

	if (i >= len)
		return pos;
	nx = decode_at(u, i, len, &k);
	if (!(is_letter(nx) || is_digit(nx) || nx == '_'))
		return pos;
	while (i < len) {
		nx = decode_at(u, i, len, &k);
		if (!(is_letter(nx) || is_digit(nx) || nx == '_' || nx == '.'))
			break;
		i += k;
	}
	while (i > pos + 1 && u[i - 1] == '.')
		i--;
	return i;
}

/*
 * A number at u[pos] ("12", "3.5", "1,000"): its end, or 0 when letters
 * follow ("15min", "2x"), which makes it a word.
 */
static size_t number_end(const unsigned char *u, size_t pos, size_t len)
{
	size_t i = pos, k = 0;
	uint32_t nx;

	while (i < len) {
		nx = decode_at(u, i, len, &k);
		if (is_digit(nx))
			i += k;
		else if ((nx == '.' || nx == ',') && i + 1 < len &&
			 u[i + 1] >= '0' && u[i + 1] <= '9')
			i += 1;
		else
			break;
	}
	if (i < len && is_letter(decode_at(u, i, len, &k)))
		return 0;
	return i;
}

/*
 * The code point ch (k bytes) at the cursor starts no word, number, URL or
 * mention: an emoji, a run of '?' and '!', or a separator.
 */
static int not_a_word(struct tokenizer *t, struct cursor *c, uint32_t ch,
		      size_t k, size_t *prev_word)
{
	const unsigned char *u = (const unsigned char *)c->s;
	size_t i = c->pos, run = 0;

	if (is_emoji(ch)) {
		*prev_word = (size_t)-1;
		return mark(t, c, k, TOK_EMOJI, c->s + c->pos, k);
	}
	if (ch == '?' || ch == '!') {
		*prev_word = (size_t)-1;
		while (i < c->len && (u[i] == '?' || u[i] == '!')) {
			run += u[i] == ch;
			i++;
		}
		if (ch == '?')
			return mark(t, c, i - c->pos, TOK_MARK, "<q>", 3);
		if (run >= 2)
			return mark(t, c, i - c->pos, TOK_MARK, "<!!>", 4);
		advance_bytes(c, i - c->pos);
		return 0;
	}
	if (!keeps_bigram(ch))
		*prev_word = (size_t)-1;
	c->pos += k;
	c->cpos++;
	return 0;
}

/* ---- extra features (tok_params.extras) ----------------------------- */

/* Comparison and switching cues; stemmed like any word at tok_new(). */
static const char *const CUES[] = {
	"better", "worse", "best", "cheaper", "faster", "than", "instead",
	"switch", "switched", "switching", "prefer", "unlike", "copied",
	"copy", "beats", "moved", "leaving",
	"лучше", "хуже", "лучший", "дешевле", "быстрее", "удобнее", "чем",
	"вместо", "перешел", "перешла", "перейду", "переходите", "ушел",
	"уйду", "отличие", "скопировали", "копируете",
	NULL
};

/* Capitalised words that are not names (feature texts). */
static const char *const NOT_NAMES[] = {
	"вы", "вас", "вам", "вами", "ваш", "ваш", "im", "ok", NULL
};

static void cue_put(struct tokenizer *t, uint64_t h)
{
	size_t i = (size_t)h & (CUE_SLOTS - 1);

	while (t->cue[i] && t->cue[i] != h)
		i = (i + 1) & (CUE_SLOTS - 1);
	t->cue[i] = h;
	t->cue_bits[h >> 58] |= 1ull << ((h >> 52) & 63);
}

static int cue_has(const struct tokenizer *t, uint64_t h)
{
	size_t i = (size_t)h & (CUE_SLOTS - 1);

	if (!(t->cue_bits[h >> 58] >> ((h >> 52) & 63) & 1))
		return 0;       /* most words: one bit says no */
	for (; t->cue[i]; i = (i + 1) & (CUE_SLOTS - 1))
		if (t->cue[i] == h)
			return 1;
	return 0;
}

static int cue_init(struct tokenizer *t, struct cd_error *err)
{
	size_t i, j;

	t->p.extras = 0;        /* plain runs: the cues' own stems */
	for (i = 0; CUES[i]; i++) {
		if (tok_run(t, CUES[i], strlen(CUES[i]), err))
			return -1;
		for (j = 0; j < t->ntoks; j++)
			if (t->toks[j].kind == TOK_WORD && t->toks[j].hash)
				cue_put(t, t->toks[j].hash);
	}
	t->p.extras = 1;
	t->ntoks = 0;
	cache_clear(t);         /* its words were cached without extras */
	return 0;
}

int tok_set_names(struct tokenizer *t, const char *const *names, size_t n,
		  struct cd_error *err)
{
	size_t i, j, w;
	int extras = t->p.extras, rc = 0;

	t->nnames = 0;
	if (n > TOK_NAMES_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d names", TOK_NAMES_MAX);
	t->p.extras = 0;
	for (i = 0; i < n && !rc; i++) {
		if ((rc = tok_run(t, names[i], strlen(names[i]), err)) != 0)
			break;
		for (j = w = 0; j < t->ntoks && !rc; j++) {
			if (t->toks[j].kind != TOK_WORD)
				continue;
			if (w == TOK_NAME_WORDS)
				rc = cd_error_set(err, CD_ERR_LIMIT, 0,
						  "name '%s' has more than %d "
						  "words", names[i],
						  TOK_NAME_WORDS);
			else
				t->names[t->nnames].h[w++] = t->toks[j].hash;
		}
		if (!rc && w)
			t->names[t->nnames++].n = w;
	}
	t->p.extras = extras;
	t->ntoks = 0;
	cache_clear(t);         /* its words were cached without extras */
	if (rc)
		t->nnames = 0;
	return rc;
}

/* Latin look-alikes of Cyrillic letters and back; 0: none. */
static uint32_t lat2cyr(uint32_t c)
{
	static const char lat[] = "acehkmnoptuxybACEHKMOPTXYB";
	static const uint16_t cyr[] = {
		0x430, 0x441, 0x435, 0x43D, 0x43A, 0x43C, 0x43F, 0x43E, 0x440,
		0x442, 0x438, 0x445, 0x443, 0x44C, 0x410, 0x421, 0x415, 0x41D,
		0x41A, 0x41C, 0x41E, 0x420, 0x422, 0x425, 0x423, 0x412
	};
	const char *p = c < 0x80 && c ? strchr(lat, (int)c) : NULL;

	return p ? cyr[p - lat] : 0;
}

static uint32_t cyr2lat(uint32_t c)
{
	static const uint16_t cyr[] = {
		0x430, 0x441, 0x435, 0x43A, 0x43C, 0x43E, 0x440, 0x442, 0x445,
		0x443, 0x410, 0x412, 0x421, 0x415, 0x41D, 0x41A, 0x41C, 0x41E,
		0x420, 0x422, 0x425, 0x423
	};
	static const char lat[] = "acekmoptxyABCEHKMOPTXY";
	size_t i;

	for (i = 0; i < sizeof(cyr) / sizeof(cyr[0]); i++)
		if (cyr[i] == c)
			return (unsigned char)lat[i];
	return 0;
}

static int ascii_letter(uint32_t c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/*
 * A word of Latin and Cyrillic letters ("сyкa" with Latin y and a): the
 * look-alikes of the script with fewer letters become the other script's
 * (Cyrillic on a tie).  Writes the word into t->fold and returns its length
 * and script, or 0 when the word is not mixed or a letter has no
 * look-alike.
 */
static size_t fold_mixed(struct tokenizer *t, const unsigned char *w,
			 size_t n, enum tok_script *sc)
{
	size_t i, k, o = 0;
	int lat = 0, cyr = 0, to_cyr;
	uint32_t c, m;

	if (n > FOLD_MAX)
		return 0;
	for (i = 0; i < n; i += k) {
		c = decode(w + i, &k);
		if (ascii_letter(c))
			lat++;
		else if (c >= 0x400 && c <= 0x4FF)
			cyr++;
	}
	if (!lat || !cyr)
		return 0;
	to_cyr = cyr >= lat;
	for (i = 0; i < n; i += k) {
		c = decode(w + i, &k);
		if (to_cyr && ascii_letter(c)) {
			if (!(m = lat2cyr(c)))
				return 0;
			c = m;
		} else if (!to_cyr && c >= 0x400 && c <= 0x4FF) {
			if (!(m = cyr2lat(c)))
				return 0;
			c = m;
		}
		if (c < 0x80) {
			t->fold[o++] = (char)c;
		} else if (c < 0x800) {
			t->fold[o++] = (char)(0xC0 | (c >> 6));
			t->fold[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			memcpy(t->fold + o, w + i, k);  /* not a letter we map */
			o += k;
		}
	}
	*sc = to_cyr ? TOK_SCRIPT_CYRILLIC : TOK_SCRIPT_LATIN;
	return o;
}

/*
 * A word with extras: parts joined across inner '*' runs ("f**k" adds
 * <masked>).  Mixed-script words are folded (fold_mixed) where a word
 * misses the cache, in emit_word().
 */
static int word_extras(struct tokenizer *t, struct cursor *c, size_t end,
		       int letters, int upper, size_t ncp, enum tok_script sc,
		       size_t *prev_word)
{
	const unsigned char *u = (const unsigned char *)c->s;
	struct span sp = { c->pos, 0, c->cpos, 0 };
	size_t j, k, e2, n2, ae, before;
	int masked = 0, l2, up2, rc;
	enum tok_script s2;
	uint32_t ch;

	while (end < c->len && u[end] == '*') {
		for (j = end; j < c->len && u[j] == '*'; j++)
			;
		if (j >= c->len)
			break;
		ch = decode_at(u, j, c->len, &k);
		if (ch == BAD_CP || !is_letter(ch))
			break;
		e2 = scan_word(u, j, c->len, &l2, &up2, &n2, &s2, &ae);
		ncp += (j - end) + n2;
		letters += l2;
		upper = upper && up2;
		end = e2;
		masked = 1;
	}
	sp.end = end;
	sp.cend = c->cpos + ncp;
	before = t->ntoks;
	rc = word(t, c, end, letters, upper, ncp, sc, prev_word);
	if (rc || !masked || t->ntoks == before)
		return rc;
	return emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<masked>", 8, &sp);
}

/*
 * 1 when the word token k looks like a name: CamelCase ("FizzPop"), or
 * capitalised and not the first word of a sentence ("... than Rydo").
 * Words in capitals are shouting, not names.
 */
static int looks_like_name(const struct tokenizer *t, const unsigned char *u,
			   size_t len, const struct tok *k)
{
	size_t i = k->start, n, j;
	int letters = 0, lower = 0, camel = 0, prev_lower = 0;
	uint32_t ch = decode_at(u, i, len, &n);

	if (!is_upper(ch))
		return 0;
	for (; i < k->end; i += n) {
		ch = decode_at(u, i, len, &n);
		if (ch == BAD_CP)
			return 0;
		if (!is_letter(ch)) {
			if (i == k->start + 1 || !letters || letters == 1)
				return 0;       /* "I'm", "O'Neil"... */
			prev_lower = 0;
			continue;
		}
		letters++;
		if (is_upper(ch)) {
			camel |= prev_lower;
			prev_lower = 0;
		} else {
			lower = 1;
			prev_lower = 1;
		}
	}
	if (letters < 2 || !lower)
		return 0;
	for (j = 0; NOT_NAMES[j]; j++)
		if (k->len == strlen(NOT_NAMES[j]) &&
		    !memcmp(tok_text(t, k), NOT_NAMES[j], k->len))
			return 0;
	if (camel)
		return 1;
	for (j = k->start; j > 0;) {
		j--;
		while (j > 0 && (u[j] & 0xC0) == 0x80)
			j--;
		ch = decode_at(u, j, len, &n);
		if (ch == ' ' || ch == '\t' || ch == 0xA0 || ch == '"' ||
		    ch == '\'' || ch == '(' || ch == 0xAB || ch == 0x201C ||
		    ch == 0x2018)
			continue;
		return !(ch == '.' || ch == '!' || ch == '?' || ch == '\n' ||
			 ch == '\r' || ch == ':' || ch == 0x2026 ||
			 ch == BAD_CP || is_emoji(ch));
	}
	return 0;       /* the first word of the comment */
}

/*
 * 0 when the word at w surely does not start with a capital: a-z and the
 * basic lower-case Cyrillic а-я, ё (most words), without a decode.  w[1]
 * is read only after the lead byte 0xD0, so it is in the (valid) text.
 */
static inline int may_be_upper(const unsigned char *w)
{
	if (w[0] < 0x80)
		return w[0] >= 'A' && w[0] <= 'Z';
	if (w[0] == 0xD0)
		return w[1] < 0xB0;
	return w[0] != 0xD1;
}

/* 1 when a runtime name starts at word token i; *last: its last word. */
static int name_at(const struct tokenizer *t, size_t i, size_t n,
		   size_t *last)
{
	size_t a, w, j;

	for (a = 0; a < t->nnames; a++) {
		if (t->names[a].h[0] != t->toks[i].hash)
			continue;
		for (w = 1, j = i; w < t->names[a].n; w++) {
			for (j++; j < n && t->toks[j].kind != TOK_WORD; j++)
				;
			if (j >= n || t->toks[j].hash != t->names[a].h[w])
				break;
		}
		if (w == t->names[a].n) {
			*last = j;
			return 1;
		}
	}
	return 0;
}

/* After a run with extras: <name> per name, <name+cue> once. */
static int extras_pass(struct tokenizer *t, const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t i, last, n = t->ntoks, first = (size_t)-1;
	int cue = 0, rc = 0;
	struct span sp;

	for (i = 0; i < n && !rc; i++) {
		const struct tok *k = &t->toks[i];

		if (k->kind != TOK_WORD)
			continue;
		if (!cue && cue_has(t, k->hash))
			cue = 1;
		last = i;
		if (!name_at(t, i, n, &last) &&
		    (!may_be_upper(u + k->start) ||
		     !looks_like_name(t, u, len, k)))
			continue;
		sp.start = k->start;
		sp.cstart = k->cstart;
		sp.end = t->toks[last].end;
		sp.cend = t->toks[last].cend;
		if (first == (size_t)-1)
			first = i;
		rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<name>", 6, &sp);
		i = last;
	}
	if (!rc && cue && first != (size_t)-1) {
		const struct tok *k = &t->toks[first];

		sp.start = k->start;
		sp.cstart = k->cstart;
		sp.end = k->end;
		sp.cend = k->cend;
		rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<name+cue>", 10, &sp);
	}
	return rc;
}

int tok_run(struct tokenizer *t, const char *text, size_t len,
	    struct cd_error *err)
{
	struct cursor c = { text, len, 0, 0 };
	const unsigned char *u = (const unsigned char *)text;
	size_t prev_word = (size_t)-1;
	int rc = 0;

	t->ntoks = 0;
	t->alen = 0;
	t->bt->len = 0;
	t->bt->written = 0;
	if (len > UINT32_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "text longer than 4 GiB");
	if (t->wc[t->cur].n >= CACHE_SLOTS / 2 ||
	    t->wc[t->cur].alen > CACHE_ARENA_MAX) {
		/* between runs, no token points in: turn the generations over */
		t->cur ^= 1;
		wc_empty(&t->wc[t->cur]);
	}
	if (toks_room(t, len))
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");

	while (c.pos < len && !rc) {
		unsigned b = u[c.pos];
		size_t k = 1, n, end, ncp, ae;
		uint32_t ch = b;
		int letters, upper, url_start = 0;
		enum tok_script sc;

		if (b == ' ') {         /* the commonest byte: keeps a bigram */
			c.pos++;
			c.cpos++;
			continue;
		}
		if (b < 0x80 && text_is_alnum((unsigned char)b)) {
			/*
			 * A URL starts at a letter or digit after a non-word
			 * byte and holds a dot before the next space, so the
			 * plain word "refund" or "refund," needs no look.
			 */
			url_start = c.pos == 0 || !text_is_alnum(u[c.pos - 1]);
			if (b <= '9') {
				if (url_start) {
					for (ae = c.pos + 1; ae < len &&
					     text_is_alnum(u[ae]); ae++)
						;
					if (may_be_url(u, ae, len) &&
					    (n = url_len(text + c.pos, len - c.pos)) > 0) {
						rc = mark(t, &c, n, TOK_URL, "<url>", 5);
						prev_word = (size_t)-1;
						continue;
					}
				}
				if ((end = number_end(u, c.pos, len)) > 0) {
					rc = mark(t, &c, end - c.pos, TOK_NUM,
						  "<num>", 5);
					prev_word = (size_t)-1;
					continue;
				}
				url_start = 0;  /* looked already */
			}
		} else {
			if (b >= 0x80) {
				ch = decode_at(u, c.pos, len, &k);
				if (ch == BAD_CP) {
					t->ntoks = 0;
					return cd_error_set(err, CD_ERR_DATA, 0,
							    "invalid UTF-8 at byte %zu",
							    c.pos + 1);
				}
			}
			if (ch == '@' &&
			    (end = mention_end(u, c.pos, len)) > c.pos) {
				rc = mark(t, &c, end - c.pos, TOK_MENTION,
					  "<mention>", 9);
				prev_word = (size_t)-1;
				continue;
			}
			if (ch == '#' && c.pos + 1 < len &&
			    is_letter(decode_at(u, c.pos + 1, len, &n))) {
				advance_bytes(&c, 1);   /* the word follows */
				continue;
			}
			if (b >= 0x80 && is_digit(ch)) {
				if ((end = number_end(u, c.pos, len)) > 0) {
					rc = mark(t, &c, end - c.pos, TOK_NUM,
						  "<num>", 5);
					prev_word = (size_t)-1;
					continue;
				}
				ch = 'a';       /* "١٥min": a word */
			}
			if (b < 0x80 || !is_letter(ch)) {
				rc = not_a_word(t, &c, ch, k, &prev_word);
				continue;
			}
		}
		/* a word starts here: one place, so the compiler inlines it */
		end = scan_word(u, c.pos, len, &letters, &upper, &ncp, &sc, &ae);
		if (url_start && may_be_url(u, ae, len) &&
		    (n = url_len(text + c.pos, len - c.pos)) > 0) {
			rc = mark(t, &c, n, TOK_URL, "<url>", 5);
			prev_word = (size_t)-1;
			continue;
		}
		if (t->p.extras)
			rc = word_extras(t, &c, end, letters, upper, ncp, sc,
					 &prev_word);
		else
			rc = word(t, &c, end, letters, upper, ncp, sc,
				  &prev_word);
	}
	if (!rc && t->p.extras)
		rc = extras_pass(t, text, len);
	if (!rc && t->bt->len > t->bt->cap) {
		size_t cap = t->bt->cap ? t->bt->cap : 1024;
		char *nb;

		while (cap < t->bt->len)
			cap *= 2;
		nb = realloc(t->bt->buf, cap);
		if (nb) {
			t->bt->buf = nb;
			t->bt->cap = cap;
		} else {
			rc = CD_ERR_NOMEM;
		}
	}
	if (rc) {
		t->ntoks = 0;
		return cd_error_set(err, rc, 0, "out of memory");
	}
	return 0;
}

int tok_normalize_phrase(struct tokenizer *t, const char *phrase, char *out,
			 size_t outsz, struct cd_error *err)
{
	size_t i, o = 0;
	int rc;

	if (!outsz)
		return CD_ERR_USAGE;
	rc = tok_run(t, phrase, strlen(phrase), err);
	if (rc)
		return rc;
	for (i = 0; i < t->ntoks; i++) {
		const struct tok *k = &t->toks[i];

		if (k->kind == TOK_BIGRAM || k->kind == TOK_MARK)
			continue;
		if (o + (o > 0) + k->len + 1 > outsz)
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "phrase longer than %zu bytes",
					    outsz - 1);
		if (o)
			out[o++] = ' ';
		memcpy(out + o, tok_text(t, k), k->len);
		o += k->len;
	}
	out[o] = '\0';
	return (int)o;
}

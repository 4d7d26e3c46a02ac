/*
 * tokenize.c - see tokenize.h.
 *
 * One left-to-right pass over the original bytes.  Each run (word, number,
 * URL, mention, emoji, mark) is recognised on the original code points, so
 * spans point into the caller's text; only the feature text of a word goes
 * through NFKC + case folding and the stemmer.  ASCII words take a fast
 * path (byte lowercasing) and stems are cached, since a stream of comments
 * repeats the same few thousand words.
 */
#include "tokenize.h"

#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <utf8proc.h>

#define TOK_MAX_DEFAULT 4096
#define WORD_MAX 128            /* feature bytes kept of a long word */
#define CACHE_SLOTS 65536       /* word cache slots, a power of two */
#define CACHE_ARENA_MAX (4u << 20)
#define CACHE_KEY_MAX 255       /* longer words are not cached */

/*
 * The word cache maps a word as written in the input to its feature (the
 * normalised stem) and the feature's hash, so a word seen before costs one
 * hash and one probe: no utf8proc, no Snowball.  The arena holds, per
 * entry, the key bytes, the feature hash (8 bytes) and the feature text.
 */
struct word_slot {
	uint32_t tag;           /* high half of the key's hash; 0: empty */
	uint32_t off;           /* entry in the arena */
	uint16_t key_len;
	uint16_t val_len;
	uint32_t pad;
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
	struct word_slot *cache;
	size_t cache_n;
	char *carena;
	size_t calen, cacap;
};

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
		uint64_t w = 0;

		memcpy(&w, s + i, len - i);
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

int tok_utf8_check(const char *s, size_t len, size_t *bad_at)
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
		if (i >= len)
			break;
		c = u[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF && i + 1 < len &&
		    (u[i + 1] & 0xC0) == 0x80) {
			i += 2;         /* Cyrillic and the like: 2 bytes */
			continue;
		}
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

size_t tok_utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
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

/* ---- lifecycle ------------------------------------------------------ */

void tok_params_default(struct tok_params *p)
{
	p->bigrams = 1;
	p->stem = 1;
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
	t->cache = calloc(CACHE_SLOTS, sizeof(*t->cache));
	if (!t->cache)
		goto nomem;
	return t;
nomem:
	tok_free(t);
	cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	return NULL;
}

void tok_free(struct tokenizer *t)
{
	if (!t)
		return;
	if (t->en)
		sb_stemmer_delete(t->en);
	if (t->ru)
		sb_stemmer_delete(t->ru);
	free(t->toks);
	free(t->arena);
	free(t->cpbuf);
	free(t->cache);
	free(t->carena);
	free(t);
}

size_t tok_count(const struct tokenizer *t)
{
	return t->ntoks;
}

const struct tok *tok_list(const struct tokenizer *t)
{
	return t->toks;
}

const char *tok_text(const struct tokenizer *t, const struct tok *k)
{
	return t->arena + k->off;
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

/* Append a token whose feature hash is already known. */
static int emit_h(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
		  const char *text, size_t len, uint64_t hash,
		  const struct span *sp)
{
	struct tok *k;

	if (t->ntoks >= t->p.max_tokens)
		return 0;
	if (t->ntoks == t->captoks) {
		size_t cap = t->captoks ? t->captoks * 2 : 64;
		struct tok *nt = realloc(t->toks, cap * sizeof(*nt));

		if (!nt)
			return CD_ERR_NOMEM;
		t->toks = nt;
		t->captoks = cap;
	}
	if (t->alen + len + 1 > t->acap) {
		size_t cap = t->acap ? t->acap : 1024;
		char *na;

		while (cap < t->alen + len + 1)
			cap *= 2;
		na = realloc(t->arena, cap);
		if (!na)
			return CD_ERR_NOMEM;
		t->arena = na;
		t->acap = cap;
	}
	k = &t->toks[t->ntoks++];
	memcpy(t->arena + t->alen, text, len);
	t->arena[t->alen + len] = '\0';
	k->off = (uint32_t)t->alen;
	k->len = (uint32_t)len;
	t->alen += len + 1;
	k->hash = hash;
	k->start = (uint32_t)sp->start;
	k->end = (uint32_t)sp->end;
	k->cstart = (uint32_t)sp->cstart;
	k->cend = (uint32_t)sp->cend;
	k->kind = (uint8_t)kind;
	k->script = (uint8_t)sc;
	return 0;
}

/* A bigram of the word token at index a and the one just emitted. */
static int emit_bigram(struct tokenizer *t, size_t a)
{
	struct tok *x = &t->toks[a], *y = &t->toks[t->ntoks - 1];
	char buf[2 * WORD_MAX + 2];
	struct span sp;
	size_t n = 0;

	if (x->len + y->len + 1 >= sizeof(buf))
		return 0;
	memcpy(buf, t->arena + x->off, x->len);
	n = x->len;
	buf[n++] = ' ';
	memcpy(buf + n, t->arena + y->off, y->len);
	n += y->len;
	sp.start = x->start;
	sp.end = y->end;
	sp.cstart = x->cstart;
	sp.cend = y->cend;
	return emit_h(t, TOK_BIGRAM, (enum tok_script)x->script, buf, n,
		      tok_hash_pair(x->hash, y->hash), &sp);
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

static void cache_clear(struct tokenizer *t)
{
	memset(t->cache, 0, CACHE_SLOTS * sizeof(*t->cache));
	t->cache_n = 0;
	t->calen = 0;
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

/*
 * Remember word -> (feature, its hash); a full cache is emptied first (a
 * stream's vocabulary is mostly a few thousand words, so this is rare).
 */
static void cache_put(struct tokenizer *t, uint64_t h, size_t slot,
		      const char *word, size_t wlen, const char *feat,
		      size_t flen, uint64_t fh)
{
	size_t need = wlen + 8 + flen, i;
	struct word_slot *w;

	if (wlen > CACHE_KEY_MAX || flen > CACHE_KEY_MAX || !t->cache)
		return;
	if (t->cache_n >= CACHE_SLOTS / 2 || t->calen + need > CACHE_ARENA_MAX) {
		cache_clear(t);
		for (slot = (size_t)h & (CACHE_SLOTS - 1); t->cache[slot].tag;
		     slot = (slot + 1) & (CACHE_SLOTS - 1))
			;
	}
	if (t->calen + need > t->cacap) {
		size_t cap = t->cacap ? t->cacap : 65536;
		char *na;

		while (cap < t->calen + need)
			cap *= 2;
		na = realloc(t->carena, cap);
		if (!na)
			return;         /* a cache miss next time, nothing worse */
		t->carena = na;
		t->cacap = cap;
	}
	i = t->calen;
	memcpy(t->carena + i, word, wlen);
	memcpy(t->carena + i + wlen, &fh, 8);
	memcpy(t->carena + i + wlen + 8, feat, flen);
	w = &t->cache[slot];
	w->tag = (uint32_t)(h >> 32) | 1;
	w->off = (uint32_t)i;
	w->key_len = (uint16_t)wlen;
	w->val_len = (uint16_t)flen;
	t->calen += need;
	t->cache_n++;
}

/* ---- recognisers ---------------------------------------------------- */

static int ascii_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

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
	static const char *const tlds[] = {
		"com", "net", "org", "io", "ly", "co", "me", "ru", "su", "info",
		"biz", "xyz", "app", "dev", "shop", "store", "link", "site",
		"online", "tv", "gg", "to", "us", "uk", "de", "fr", "ua", "by",
		"kz", "eu", "ai", "gl", "cc", "top", "club", "live", "pro",
		"example", "test", NULL
	};
	size_t i;

	for (i = 0; tlds[i]; i++)
		if (strlen(tlds[i]) == n && has_prefix_ci(s, n, tlds[i]))
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
	if (!ascii_alnum((unsigned char)s[0]))
		return 0;
	for (host_end = 0; host_end < end && s[host_end] != '/'; host_end++) {
		char c = s[host_end];

		if (c == '.')
			dot = host_end;
		else if (!ascii_alnum((unsigned char)c) && c != '-')
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

/* Scan a word: letters, marks, digits and inner apostrophes. */
static size_t word_end(const struct cursor *c, int *caps_letters,
		       int *all_upper, size_t *ncp)
{
	const unsigned char *u = (const unsigned char *)c->s;
	size_t i = c->pos, k, cps = 0;
	int letters = 0, upper = 1;

	while (i < c->len) {
		uint32_t ch = decode(u + i, &k);

		if (is_letter(ch)) {
			letters++;
			if (!is_upper(ch))
				upper = 0;
		} else if (is_apostrophe(ch)) {
			size_t k2;

			if (i + k >= c->len || !is_letter(decode(u + i + k, &k2)))
				break;
		} else if (!is_mark(ch) && !is_digit(ch)) {
			break;
		}
		i += k;
		cps++;
	}
	*caps_letters = letters;
	*all_upper = upper;
	*ncp = cps;
	return i;
}

static int emit_word(struct tokenizer *t, const struct cursor *c, size_t wend,
		     enum tok_script sc, const struct span *sp)
{
	const char *w = c->s + c->pos, *feat;
	size_t wlen = wend - c->pos, n, flen, slot = 0;
	uint64_t h = 0, fh;
	int rc;

	if (t->cache && wlen <= CACHE_KEY_MAX) {
		h = tok_hash(w, wlen);
		for (slot = (size_t)h & (CACHE_SLOTS - 1); t->cache[slot].tag;
		     slot = (slot + 1) & (CACHE_SLOTS - 1)) {
			const struct word_slot *e = &t->cache[slot];
			const char *a = t->carena + e->off;

			if (e->tag == ((uint32_t)(h >> 32) | 1) &&
			    e->key_len == wlen && !memcmp(a, w, wlen)) {
				if (!e->val_len)
					return 0;
				memcpy(&fh, a + wlen, 8);
				return emit_h(t, TOK_WORD, sc, a + wlen + 8,
					      e->val_len, fh, sp);
			}
		}
	}
	rc = normalize_word(t, w, wlen, &n);
	if (rc)
		return rc;
	feat = n ? stem(t, n, sc, &flen, &rc) : "";
	if (rc)
		return rc;
	if (!n)
		flen = 0;
	fh = tok_hash(feat, flen);
	if (t->cache && wlen <= CACHE_KEY_MAX)
		cache_put(t, h, slot, w, wlen, feat, flen, fh);
	if (!flen)
		return 0;
	return emit_h(t, TOK_WORD, sc, feat, flen, fh, sp);
}

int tok_run(struct tokenizer *t, const char *text, size_t len,
	    struct cd_error *err)
{
	struct cursor c = { text, len, 0, 0 };
	const unsigned char *u = (const unsigned char *)text;
	size_t bad, prev_word = (size_t)-1;
	int rc = 0;

	t->ntoks = 0;
	t->alen = 0;
	if (len > UINT32_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "text longer than 4 GiB");
	if (tok_utf8_check(text, len, &bad))
		return cd_error_set(err, CD_ERR_DATA, 0,
				    "invalid UTF-8 at byte %zu", bad + 1);

	while (c.pos < len && !rc) {
		size_t k, n, end;
		uint32_t ch = decode(u + c.pos, &k);
		struct span sp;

		sp.start = c.pos;
		sp.cstart = c.cpos;
		if (ch == '@' && c.pos + 1 < len) {
			size_t k2, i = c.pos + 1;
			uint32_t nx = decode(u + i, &k2);

			if (is_letter(nx) || is_digit(nx) || nx == '_') {
				while (i < len) {
					nx = decode(u + i, &k2);
					if (!(is_letter(nx) || is_digit(nx) ||
					      nx == '_' || nx == '.'))
						break;
					i += k2;
				}
				while (i > c.pos + 1 && text[i - 1] == '.')
					i--;
				advance_bytes(&c, i - c.pos);
				sp.end = c.pos;
				sp.cend = c.cpos;
				rc = emit(t, TOK_MENTION, TOK_SCRIPT_OTHER,
					  "<mention>", 9, &sp);
				prev_word = (size_t)-1;
				continue;
			}
		}
		if (ch < 0x80 && (n = url_len(text + c.pos, len - c.pos)) > 0 &&
		    (c.pos == 0 || !ascii_alnum(u[c.pos - 1]))) {
			advance_bytes(&c, n);
			sp.end = c.pos;
			sp.cend = c.cpos;
			rc = emit(t, TOK_URL, TOK_SCRIPT_OTHER, "<url>", 5, &sp);
			prev_word = (size_t)-1;
			continue;
		}
		if (ch == '#' && c.pos + 1 < len) {
			size_t k2;

			if (is_letter(decode(u + c.pos + 1, &k2))) {
				advance_bytes(&c, 1);   /* the word follows */
				continue;
			}
		}
		if (is_digit(ch)) {
			size_t i = c.pos, k2;
			uint32_t nx;

			while (i < len) {
				nx = decode(u + i, &k2);
				if (is_digit(nx)) {
					i += k2;
				} else if ((nx == '.' || nx == ',') && i + 1 < len &&
					   u[i + 1] >= '0' && u[i + 1] <= '9') {
					i += 1;
				} else {
					break;
				}
			}
			if (i < len && is_letter(decode(u + i, &k2))) {
				ch = 'a';       /* "15min", "2x": a word */
			} else {
				advance_bytes(&c, i - c.pos);
				sp.end = c.pos;
				sp.cend = c.cpos;
				rc = emit(t, TOK_NUM, TOK_SCRIPT_OTHER, "<num>", 5,
					  &sp);
				prev_word = (size_t)-1;
				continue;
			}
		}
		if (is_letter(ch)) {
			int letters, upper;
			size_t ncp;
			enum tok_script sc;
			size_t i;

			end = word_end(&c, &letters, &upper, &ncp);
			/* script of the first letter decides the stemmer */
			sc = TOK_SCRIPT_OTHER;
			for (i = c.pos; i < end; i += k) {
				uint32_t x = decode(u + i, &k);

				if (is_letter(x)) {
					sc = script_of(x);
					break;
				}
			}
			sp.end = end;
			sp.cend = c.cpos + ncp;
			rc = emit_word(t, &c, end, sc, &sp);
			if (!rc && t->ntoks && t->toks[t->ntoks - 1].kind == TOK_WORD &&
			    t->toks[t->ntoks - 1].start == sp.start) {
				size_t me = t->ntoks - 1;

				if (t->p.bigrams && prev_word != (size_t)-1)
					rc = emit_bigram(t, prev_word);
				if (!rc && letters >= 3 && upper)
					rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER,
						  "<caps>", 6, &sp);
				prev_word = me;
			}
			c.pos = end;
			c.cpos += ncp;
			continue;
		}
		if (is_emoji(ch)) {
			advance_bytes(&c, k);
			sp.end = c.pos;
			sp.cend = c.cpos;
			rc = emit(t, TOK_EMOJI, TOK_SCRIPT_OTHER,
				  text + sp.start, k, &sp);
			prev_word = (size_t)-1;
			continue;
		}
		if (ch == '?' || ch == '!') {
			size_t i = c.pos, run = 0;

			while (i < len && (u[i] == '?' || u[i] == '!')) {
				run += u[i] == ch;
				i++;
			}
			advance_bytes(&c, i - c.pos);
			sp.end = c.pos;
			sp.cend = c.cpos;
			if (ch == '?')
				rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<q>", 3,
					  &sp);
			else if (run >= 2)
				rc = emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<!!>", 4,
					  &sp);
			prev_word = (size_t)-1;
			continue;
		}
		/* whitespace keeps a bigram going; other punctuation ends it */
		if (!(ch == ' ' || ch == '\t' || ch == 0xA0 || ch == '\'' ||
		      ch == '"' || ch == 0x2019 || ch == '*' || ch == 0xFE0F ||
		      ch == 0x200D || (ch >= 0x1F3FB && ch <= 0x1F3FF)))
			prev_word = (size_t)-1;
		advance_bytes(&c, k);
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
		memcpy(out + o, t->arena + k->off, k->len);
		o += k->len;
	}
	out[o] = '\0';
	return (int)o;
}

/*
 * tokenize_word.c - a word's way from the text to its feature: NFKC and
 * case folding, Snowball stemming, and the two-generation word cache that
 * spares both for words seen before (struct word_cache in
 * tokenize_internal.h).  tokenize.c probes the current generation itself
 * (the hit is the hot path) and calls tok_word_miss() for the rest.
 */
#include "tokenize_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>

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
void tok_cache_empty(struct word_cache *c)
{
	if (++c->gen == 0)
		memset(c->slot, 0, CACHE_SLOTS * sizeof(*c->slot));
	c->n = 0;
	c->alen = 0;
}

/* Empty the whole word cache (both generations). */
void tok_cache_clear(struct tokenizer *t)
{
	tok_cache_empty(&t->wc[0]);
	tok_cache_empty(&t->wc[1]);
}

/*
 * Remember word -> (feature, its hash, its name shape) in generation c, in
 * the free slot
 * found by the probe, and return the offset of the stored feature text
 * (NUL-terminated) in c's arena, or (size_t)-1 when it was not stored.
 * Entries are never dropped during a run, because tokens of the run point
 * into the arenas: a full generation just stops taking words, and
 * tok_run() turns the generations over between runs.
 */
static size_t cache_put(struct word_cache *c, uint64_t h, size_t slot,
			const char *word, size_t wlen, const char *feat,
			size_t flen, uint64_t fh, unsigned shape)
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
	w->foff = (uint32_t)(i + kneed) | (uint32_t)shape << 30;
	w->flen = (uint8_t)flen;
	w->klen = (uint8_t)wlen;
	c->alen += need;
	c->n++;
	return i + kneed;
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

int tok_word_miss(struct tokenizer *t, const char *w, size_t wlen,
		  enum tok_script sc, uint64_t h, size_t slot,
		  const struct span *sp)
{
	struct word_cache *cur = &t->wc[t->cur], *prev = &t->wc[t->cur ^ 1];
	const struct word_slot *e;
	const char *feat;
	size_t n, flen, at;
	uint64_t fh;
	unsigned shape;
	int rc, cacheable = wlen <= CACHE_KEY_MAX;

	if (cacheable) {
		if (prev->n && (e = wc_find(prev, h, w, wlen, &at)) != NULL) {
			/* the previous generation's: into the current one */
			shape = e->foff >> 30;
			at = cache_put(cur, h, slot, w, wlen,
				       prev->arena + (e->foff & FOFF_MASK),
				       e->flen, e->fh, shape);
			if (!e->flen)
				return 0;
			if (at != (size_t)-1)
				return emit_word_ref(t, sc, (int)t->cur + 1, at,
						     e->flen, e->fh, shape, sp);
			return emit_word_ref(t, sc, (int)(t->cur ^ 1) + 1,
					     e->foff & FOFF_MASK, e->flen,
					     e->fh, shape, sp);
		}
	}
	if (t->p.extras) {
		/* mixed scripts, on a cache miss only: the fold is cached */
		size_t fl = tok_fold_mixed(t, (const unsigned char *)w, wlen, &sc);

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
	/* with extras, the name test's word part once per cached word */
	shape = t->p.extras && flen && cacheable ?
		tok_name_shape((const unsigned char *)w, wlen, feat, flen) :
		SHAPE_UNKNOWN;
	at = cacheable ? cache_put(cur, h, slot, w, wlen, feat, flen, fh,
				   shape) : (size_t)-1;
	if (!flen)
		return 0;
	if (at != (size_t)-1)
		return emit_word_ref(t, sc, (int)t->cur + 1, at, flen, fh,
				     shape, sp);
	return tok_emit_h(t, TOK_WORD, sc, feat, flen, fh, sp);
}

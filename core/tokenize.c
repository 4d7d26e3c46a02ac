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
 *
 * The word path (normalisation, stemming, the word cache) is in
 * tokenize_word.c, the extra features in tokenize_extras.c; the fields
 * and the inline helpers they share in tokenize_internal.h.
 */
#define _DEFAULT_SOURCE         /* MAP_ANONYMOUS */
#include "tokenize_internal.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libstemmer.h>

#define TOK_MAX_DEFAULT 4096

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
	 * malloc reuses): the 2 x 4 MiB come as zero pages that are touched
	 * only where words land, so a tokenizer built to load a config or a
	 * phrase list costs microseconds, not an 8 MiB clear.
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
	if (t->p.extras && tok_cues_init(t, err)) {
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

int tok_emit_h(struct tokenizer *t, enum tok_kind kind, enum tok_script sc,
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

static void advance_bytes(struct cursor *c, size_t nbytes)
{
	c->cpos += tok_utf8_len(c->s + c->pos, nbytes);
	c->pos += nbytes;
}

/*
 * The feature token of the word w[0..wlen): a hit in the current
 * generation of the word cache costs one hash and one probe, here; the
 * rest is tok_word_miss()'s (tokenize_word.c).
 */
static int emit_word(struct tokenizer *t, const char *w, size_t wlen,
		     enum tok_script sc, const struct span *sp)
{
	const struct word_slot *e;
	size_t slot = 0;
	uint64_t h = 0;

	if (t->ntoks >= t->p.max_tokens)
		return 0;
	if (wlen <= CACHE_KEY_MAX) {
		h = key_hash(w, wlen);
		if ((e = wc_find(&t->wc[t->cur], h, w, wlen, &slot)) != NULL) {
			if (!e->flen)
				return 0;
			return emit_word_ref(t, sc, (int)t->cur + 1,
					     e->foff & FOFF_MASK, e->flen,
					     e->fh, e->foff >> 30, sp);
		}
	}
	return tok_word_miss(t, w, wlen, sc, h, slot, sp);
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
		rc = tok_emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<caps>", 6, &sp);
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
	return tok_emit(t, kind, TOK_SCRIPT_OTHER, text, len, &sp);
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

/*
 * A word with extras: parts joined across inner '*' runs ("f**k" adds
 * <masked>).  Mixed-script words are folded (tok_fold_mixed) where a word
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
	return tok_emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<masked>", 8, &sp);
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
		tok_cache_empty(&t->wc[t->cur]);
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
		rc = tok_extras_pass(t, text, len);
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

/*
 * tokenize_extras.c - the features a tokenizer adds when tok_params.extras
 * is set, whatever the brand: names (runtime ones and words that look like
 * names), comparison cues, words that mix Latin and Cyrillic look-alikes.
 * Masked words ("f**k") are joined in the scan itself (tokenize.c).
 */
#include "tokenize_internal.h"

#include <string.h>

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

/* Capitalised words that are not names (feature texts, with lengths). */
static const struct {
	const char *text;
	size_t len;
} NOT_NAMES[] = {
#define NN(x) { x, sizeof(x) - 1 }
	NN("вы"), NN("вас"), NN("вам"), NN("вами"), NN("ваш"), NN("im"),
	NN("ok"),
#undef NN
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

int tok_cues_init(struct tokenizer *t, struct cd_error *err)
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
	tok_cache_clear(t);         /* its words were cached without extras */
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
	tok_cache_clear(t);         /* its words were cached without extras */
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
size_t tok_fold_mixed(struct tokenizer *t, const unsigned char *w, size_t n,
		      enum tok_script *sc)
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
 * The part of the name test that depends on the word alone (see
 * looks_like_name): capitalised, letters in a name's pattern, not one of
 * NOT_NAMES.  Words in capitals are shouting, not names.
 */
unsigned tok_name_shape(const unsigned char *w, size_t len, const char *feat,
			size_t flen)
{
	size_t i = 0, n, j;
	int letters = 0, lower = 0, camel = 0, prev_lower = 0;
	uint32_t ch = decode_at(w, i, len, &n);

	if (!is_upper(ch))
		return SHAPE_NO;
	for (; i < len; i += n) {
		if (w[i] < 0x80) {      /* most letters: no decode */
			ch = w[i];
			n = 1;
		} else if ((ch = decode_at(w, i, len, &n)) == BAD_CP) {
			return SHAPE_NO;
		}
		if (!is_letter(ch)) {
			if (i == 1 || !letters || letters == 1)
				return SHAPE_NO;        /* "I'm", "O'Neil"... */
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
		return SHAPE_NO;
	for (j = 0; j < sizeof(NOT_NAMES) / sizeof(NOT_NAMES[0]); j++)
		if (flen == NOT_NAMES[j].len &&
		    !memcmp(feat, NOT_NAMES[j].text, flen))
			return SHAPE_NO;
	return camel ? SHAPE_CAMEL : SHAPE_CAPITAL;
}

/*
 * 1 when the word token k looks like a name: CamelCase ("FizzPop"), or
 * capitalised and not the first word of a sentence ("... than Rydo").
 * The word's own part comes from the word cache (tok.shape) when it was
 * cached.
 */
static int looks_like_name(const struct tokenizer *t, const unsigned char *u,
			   size_t len, const struct tok *k)
{
	unsigned shape = k->shape;
	size_t j, n;
	uint32_t ch;

	if (shape == SHAPE_UNKNOWN)
		shape = tok_name_shape(u + k->start, k->end - k->start,
				       tok_text(t, k), k->len);
	if (shape != SHAPE_CAPITAL)
		return shape == SHAPE_CAMEL;
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
int tok_extras_pass(struct tokenizer *t, const char *text, size_t len)
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
		rc = tok_emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<name>", 6, &sp);
		i = last;
	}
	if (!rc && cue && first != (size_t)-1) {
		const struct tok *k = &t->toks[first];

		sp.start = k->start;
		sp.cstart = k->cstart;
		sp.end = k->end;
		sp.cend = k->cend;
		rc = tok_emit(t, TOK_MARK, TOK_SCRIPT_OTHER, "<name+cue>", 10, &sp);
	}
	return rc;
}

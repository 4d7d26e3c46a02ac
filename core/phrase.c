/*
 * phrase.c - see phrase.h.
 *
 * Phrases live in one array.  An open-addressing table maps a table key
 * (the first word's key for one-word phrases, the first two words' for
 * longer ones, so that a common first word such as "we" or "не" does not
 * make a long chain to walk) to a chain of entries, one entry per phrase
 * and per distinct table key of its forms (a phrase with words as written
 * besides its stems has up to four).  Chains keep the order of adding.
 */
#include "phrase.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define NUM_SALT 0x9e3779b97f4a7c15ULL

struct phrase {
	uint64_t key[PHRASE_MAX_WORDS];
	uint32_t text;          /* offset of the list line in the arena */
	uint32_t alt;           /* index in alt[] of the words as written; NONE */
	long line;
	uint16_t group;
	uint8_t n;
	uint8_t anchor;
};

struct entry {
	uint32_t phrase;
	uint32_t next;          /* next entry with the same table key */
	uint64_t key;           /* the table key */
};

struct phrase_set {
	unsigned flags;
	struct phrase *ph;
	size_t nph, cap;
	uint64_t (*alt)[PHRASE_MAX_WORDS];
	size_t nalt, capalt;
	struct entry *ent;
	size_t nent, capent;
	char *arena;
	size_t arena_len, arena_cap;
	uint64_t *slot_key;     /* table: table key -> first entry */
	uint32_t *slot_head;    /* NONE: empty slot */
	size_t mask;
};

struct phrase_set *phrase_set_new(unsigned flags)
{
	struct phrase_set *s = calloc(1, sizeof(*s));

	if (s)
		s->flags = flags;
	return s;
}

void phrase_set_free(struct phrase_set *s)
{
	if (!s)
		return;
	free(s->ph);
	free(s->alt);
	free(s->ent);
	free(s->arena);
	free(s->slot_key);
	free(s->slot_head);
	free(s);
}

size_t phrase_set_count(const struct phrase_set *s)
{
	return s ? s->nph : 0;
}

const char *phrase_text(const struct phrase_set *s, uint32_t id)
{
	return s && id < s->nph ? s->arena + s->ph[id].text : "";
}

long phrase_line(const struct phrase_set *s, uint32_t id)
{
	return s && id < s->nph ? s->ph[id].line : 0;
}

unsigned phrase_group(const struct phrase_set *s, uint32_t id)
{
	return s && id < s->nph ? s->ph[id].group : 0;
}

unsigned phrase_nwords(const struct phrase_set *s, uint32_t id)
{
	return s && id < s->nph ? s->ph[id].n : 0;
}

static const uint64_t *alt_of(const struct phrase_set *s, const struct phrase *p);

uint64_t phrase_key(const struct phrase_set *s, uint32_t id, unsigned k,
		    int as_written)
{
	if (!s || id >= s->nph || k >= s->ph[id].n)
		return 0;
	return as_written ? alt_of(s, &s->ph[id])[k] : s->ph[id].key[k];
}

/* ------------------------------------------------------------- the table */

static size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 29;
	key *= 0xbf58476d1ce4e5b9ULL;
	key ^= key >> 32;
	return (size_t)key & mask;
}

static uint64_t key_one(uint64_t a)
{
	return a * 0xff51afd7ed558ccdULL + 1;
}

static uint64_t key_two(uint64_t a, uint64_t b)
{
	return a * 0xc4ceb9fe1a85ec53ULL ^ ((b << 23) | (b >> 41));
}

static const uint64_t *alt_of(const struct phrase_set *s, const struct phrase *p)
{
	return p->alt == NONE ? p->key : s->alt[p->alt];
}

static uint32_t lookup(const struct phrase_set *s, uint64_t key)
{
	size_t i = slot_of(key, s->mask);

	while (s->slot_head[i] != NONE) {
		if (s->slot_key[i] == key)
			return s->slot_head[i];
		i = (i + 1) & s->mask;
	}
	return NONE;
}

static int add_entry(struct phrase_set *s, uint32_t phrase, uint64_t key)
{
	size_t i;

	for (i = s->nent; i-- > 0 && s->ent[i].phrase == phrase;)
		if (s->ent[i].key == key)
			return 0;       /* the same table key from another form */
	if (s->nent == s->capent) {
		size_t cap = s->capent ? s->capent * 2 : 1024;
		struct entry *e = realloc(s->ent, cap * sizeof(*e));

		if (!e)
			return CD_ERR_NOMEM;
		s->ent = e;
		s->capent = cap;
	}
	s->ent[s->nent].phrase = phrase;
	s->ent[s->nent].key = key;
	s->ent[s->nent].next = NONE;
	s->nent++;
	return 0;
}

/* The table keys of phrase i: each form of its first (two) words. */
static int add_entries(struct phrase_set *s, uint32_t i)
{
	const struct phrase *p = &s->ph[i];
	const uint64_t *a = alt_of(s, p);
	int rc, f, g;

	if (p->n == 1) {
		rc = add_entry(s, i, key_one(p->key[0]));
		if (!rc && a[0] != p->key[0])
			rc = add_entry(s, i, key_one(a[0]));
		return rc;
	}
	for (f = 0; f < 2; f++)
		for (g = 0; g < 2; g++) {
			uint64_t k0 = f ? a[0] : p->key[0];
			uint64_t k1 = g ? a[1] : p->key[1];

			rc = add_entry(s, i, key_two(k0, k1));
			if (rc)
				return rc;
		}
	return 0;
}

int phrase_set_build(struct phrase_set *s, struct cd_error *err)
{
	size_t size = 16, i;

	if (!s)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no phrase set");
	free(s->slot_key);
	free(s->slot_head);
	s->slot_key = NULL;
	s->slot_head = NULL;
	while (size < s->nent * 2)
		size *= 2;
	s->slot_key = malloc(size * sizeof(*s->slot_key));
	s->slot_head = malloc(size * sizeof(*s->slot_head));
	if (!s->slot_key || !s->slot_head)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < size; i++)
		s->slot_head[i] = NONE;
	s->mask = size - 1;
	for (i = s->nent; i-- > 0;) {
		uint64_t key = s->ent[i].key;
		size_t k = slot_of(key, s->mask);

		while (s->slot_head[k] != NONE && s->slot_key[k] != key)
			k = (k + 1) & s->mask;
		s->ent[i].next = s->slot_head[k];
		s->slot_key[k] = key;
		s->slot_head[k] = (uint32_t)i;
	}
	return 0;
}

/* ------------------------------------------------------------- the words */

uint8_t phrase_gap(const char *s, size_t from, size_t to)
{
	uint8_t g = PHRASE_GAP_NONE;
	size_t i;

	for (i = from; i < to; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '.': case '!': case '?': case ';': case '\n': case '\r':
			return PHRASE_GAP_SENTENCE;
		case ',': case ':': case '(': case ')': case '"': case '-':
		case '/':
			g = PHRASE_GAP_CLAUSE;
			break;
		case 0xE2:      /* U+2026 ... U+203C !! U+2049 ?! U+2013/4 dashes */
			if (i + 2 < to) {
				unsigned char c1 = (unsigned char)s[i + 1];
				unsigned char c2 = (unsigned char)s[i + 2];

				if (c1 == 0x80 && (c2 == 0xA6 || c2 == 0xBC))
					return PHRASE_GAP_SENTENCE;
				if (c1 == 0x81 && c2 == 0x89)
					return PHRASE_GAP_SENTENCE;
				if (c1 == 0x80 && (c2 == 0x93 || c2 == 0x94 ||
						   c2 == 0x9C || c2 == 0x9D))
					g = PHRASE_GAP_CLAUSE;
			}
			break;
		case 0xC2:      /* guillemets */
			if (i + 1 < to && ((unsigned char)s[i + 1] == 0xAB ||
					   (unsigned char)s[i + 1] == 0xBB))
				g = PHRASE_GAP_CLAUSE;
			break;
		case 0xEF:      /* fullwidth ! and ? */
			if (i + 2 < to && (unsigned char)s[i + 1] == 0xBC &&
			    ((unsigned char)s[i + 2] == 0x81 ||
			     (unsigned char)s[i + 2] == 0x9F))
				return PHRASE_GAP_SENTENCE;
			break;
		default:
			break;
		}
	}
	return g;
}

size_t phrase_percent_end(const char *s, size_t len, size_t at)
{
	size_t j = at;

	if (j < len && s[j] == ' ')
		j++;
	return j < len && s[j] == '%' ? j + 1 : at;
}

/*
 * A number's key is its digits, with '%' appended when one follows, so
 * that "100%" in a list matches "100 %" in a reply but not "100 bottles".
 */
uint64_t phrase_num_key(const char *s, size_t bs, size_t be, int percent)
{
	char b[40];
	size_t n = be - bs;

	if (n > 32)
		n = 32;
	memcpy(b, s + bs, n);
	if (percent)
		b[n++] = '%';
	return tok_hash(b, n) ^ NUM_SALT;
}

size_t phrase_words(const struct tokenizer *tk, const char *s, size_t len,
		    struct phrase_word *w, size_t cap)
{
	const struct tok *t = tok_list(tk);
	size_t nt = tok_count(tk), i, n = 0;
	uint32_t prev_end = 0;

	for (i = 0; i < nt && n < cap; i++) {
		const struct tok *k = &t[i];

		if (k->kind == TOK_MARK || k->kind == TOK_BIGRAM)
			continue;
		w[n].bs = k->start;
		w[n].be = k->end;
		w[n].cs = k->cstart;
		w[n].ce = k->cend;
		if (k->kind == TOK_NUM) {
			size_t pe = phrase_percent_end(s, len, k->end);

			w[n].key = phrase_num_key(s, k->start, k->end, pe > k->end);
			w[n].ce += (uint32_t)(pe - k->end);   /* ASCII */
			w[n].be = (uint32_t)pe;
		} else {
			w[n].key = k->hash;
		}
		w[n].tok = (uint32_t)i;
		w[n].kind = k->kind;
		w[n].script = k->script;
		w[n].flags = 0;
		if (n == 0)
			w[n].gap = PHRASE_GAP_SENTENCE;
		else if (k->start <= prev_end)
			w[n].gap = PHRASE_GAP_NONE;
		else
			w[n].gap = phrase_gap(s, prev_end, k->start);
		prev_end = k->end;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ loading */

static int arena_add(struct phrase_set *s, const char *text, uint32_t *off)
{
	size_t n = strlen(text) + 1;

	if (s->arena_len + n > s->arena_cap) {
		size_t cap = s->arena_cap ? s->arena_cap : 4096;
		char *a;

		while (cap < s->arena_len + n)
			cap *= 2;
		a = realloc(s->arena, cap);
		if (!a)
			return CD_ERR_NOMEM;
		s->arena = a;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, text, n);
	*off = (uint32_t)s->arena_len;
	s->arena_len += n;
	return 0;
}

/* Append p (with alt, NULL: none) unless its group has it; its id in *id. */
static int add_phrase(struct phrase_set *s, const struct phrase *p,
		      const uint64_t *alt, const char *text, uint32_t *id)
{
	struct phrase *q;
	size_t i;

	for (i = 0; i < s->nph; i++)    /* the lists are small: a plain scan */
		if (s->ph[i].group == p->group && s->ph[i].n == p->n &&
		    s->ph[i].anchor == p->anchor &&
		    !memcmp(s->ph[i].key, p->key, p->n * sizeof(p->key[0]))) {
			if (id)
				*id = (uint32_t)i;
			return 0;
		}
	if (s->nph == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;

		q = realloc(s->ph, cap * sizeof(*q));
		if (!q)
			return CD_ERR_NOMEM;
		s->ph = q;
		s->cap = cap;
	}
	q = &s->ph[s->nph];
	*q = *p;
	q->alt = NONE;
	if (alt && memcmp(alt, p->key, p->n * sizeof(p->key[0]))) {
		if (s->nalt == s->capalt) {
			size_t cap = s->capalt ? s->capalt * 2 : 64;
			uint64_t (*a)[PHRASE_MAX_WORDS] =
				realloc(s->alt, cap * sizeof(*a));

			if (!a)
				return CD_ERR_NOMEM;
			s->alt = a;
			s->capalt = cap;
		}
		memcpy(s->alt[s->nalt], alt, sizeof(s->alt[0]));
		q->alt = (uint32_t)s->nalt++;
	}
	if (arena_add(s, text, &q->text) || add_entries(s, (uint32_t)s->nph))
		return CD_ERR_NOMEM;
	if (id)
		*id = (uint32_t)s->nph;
	s->nph++;
	return 0;
}

/* Tokens that stand beside words without separating them. */
static int skipped(const struct tok *k)
{
	return k->kind == TOK_BIGRAM || k->kind == TOK_MARK;
}

/* The keys of line's words with tk into key[]; how many, or < 0. */
static int line_keys(const struct phrase_set *s, struct tokenizer *tk,
		     const char *line, uint64_t *key, const char *path,
		     long lineno, struct cd_error *err)
{
	struct phrase_word w[PHRASE_MAX_WORDS + 1];
	struct cd_error e;
	size_t n = 0, i;
	int rc;

	rc = tok_run(tk, line, strlen(line), &e);
	if (rc)
		return cd_error_set(err, rc, lineno, "'%s': line %ld: %s", path,
				    lineno, e.msg);
	if (s->flags & PHRASE_KEYWORDS) {
		for (i = 0; i < tok_count(tk) && n < PHRASE_MAX_WORDS + 1; i++)
			if (!skipped(&tok_list(tk)[i]))
				w[n++].key = tok_list(tk)[i].hash;
	} else {
		n = phrase_words(tk, line, strlen(line), w,
				 PHRASE_MAX_WORDS + 1);
	}
	if (n == 0)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: no words in '%s'", path,
				    lineno, line);
	if (n > PHRASE_MAX_WORDS)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: more than %d words", path,
				    lineno, PHRASE_MAX_WORDS);
	for (i = 0; i < n; i++)
		key[i] = w[i].key;
	return (int)n;
}

int phrase_set_add(struct phrase_set *s, struct tokenizer *tk,
		   struct tokenizer *plain, const char *text, unsigned group,
		   const char *path, long lineno, uint32_t *id,
		   struct cd_error *err)
{
	char buf[PHRASE_MAX_TEXT + 1];
	uint64_t alt[PHRASE_MAX_WORDS];
	struct phrase p;
	char *line;
	size_t n, bad;
	int rc, na = 0;

	if (!s || !tk || !text)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no phrase set, "
				    "tokenizer or phrase");
	if (!path)
		path = "<phrase>";
	n = strlen(text);
	if (n > PHRASE_MAX_TEXT)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: longer than %d bytes",
				    path, lineno, PHRASE_MAX_TEXT);
	if (group > PHRASE_MAX_GROUPS)
		return cd_error_set(err, CD_ERR_LIMIT, lineno,
				    "'%s': line %ld: more than %d groups",
				    path, lineno, PHRASE_MAX_GROUPS);
	memcpy(buf, text, n + 1);
	line = buf;
	if (text_utf8_check(line, n, &bad))
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: invalid utf-8 at byte %zu",
				    path, lineno, bad + 1);
	memset(&p, 0, sizeof(p));
	p.group = (uint16_t)group;
	p.line = lineno;
	if (s->flags & PHRASE_KEYWORDS) {
		/* as written: no marks */
	} else if (line[0] == '!') {
		p.anchor |= PHRASE_EXCEPTION;
		line = text_trim(line + 1);
	}
	if (!(s->flags & PHRASE_KEYWORDS) && line[0] == '^') {
		p.anchor |= PHRASE_START;
		line = text_trim(line + 1);
	}
	n = strlen(line);
	if (!(s->flags & PHRASE_KEYWORDS) && n && line[n - 1] == '$') {
		p.anchor |= PHRASE_END;
		line[n - 1] = '\0';
		line = text_trim(line);
	}
	rc = line_keys(s, tk, line, p.key, path, lineno, err);
	if (rc < 0)
		return rc;
	p.n = (uint8_t)rc;
	if (plain) {
		struct cd_error e;

		na = line_keys(s, plain, line, alt, path, lineno, &e);
		if (na < 0)
			return cd_error_set(err, na, lineno, "%s", e.msg);
	}
	if (s->nph >= PHRASE_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, lineno,
				    "'%s': line %ld: more than %d phrases in all lists",
				    path, lineno, PHRASE_MAX);
	if (add_phrase(s, &p, na == rc ? alt : NULL, line, id))
		return cd_error_set(err, CD_ERR_NOMEM, lineno, "out of memory");
	return 0;
}

int phrase_list_read(const char *path, int *found,
		     int (*fn)(void *ctx, char *line, long lineno,
			       struct cd_error *err),
		     void *ctx, struct cd_error *err)
{
	char buf[PHRASE_MAX_LINE + 3];
	long lineno = 0;
	FILE *fp = fopen(path, "r");
	int rc = 0;

	if (!fp) {
		if (errno == ENOENT)
			return 0;
		return cd_error_set(err, CD_ERR_NOINPUT, 0,
				    "cannot open '%s': %s", path, strerror(errno));
	}
	if (found)
		*found = 1;
	while (fgets(buf, sizeof(buf), fp)) {
		size_t n = strlen(buf);
		char *line;

		lineno++;
		if (n && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(fp))
			n = sizeof(buf);  /* the line goes on: too long */
		if (n && buf[n - 1] == '\r')
			buf[--n] = '\0';
		if (n > PHRASE_MAX_LINE) {
			rc = cd_error_set(err, CD_ERR_CONFIG, lineno,
					  "'%s': line %ld: longer than %d bytes",
					  path, lineno, PHRASE_MAX_LINE);
			break;
		}
		line = text_trim(buf);
		if (!*line || *line == '#')
			continue;
		rc = fn(ctx, line, lineno, err);
		if (rc)
			break;
	}
	if (!rc && ferror(fp))
		rc = cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s'", path);
	fclose(fp);
	return rc;
}

struct load_ctx {
	struct phrase_set *s;
	struct tokenizer *tk, *plain;
	const char *path;
	unsigned group;
};

static int load_line(void *ctx, char *line, long lineno, struct cd_error *err)
{
	struct load_ctx *lc = ctx;

	return phrase_set_add(lc->s, lc->tk, lc->plain, line, lc->group,
			      lc->path, lineno, NULL, err);
}

int phrase_set_load(struct phrase_set *s, struct tokenizer *tk,
		    struct tokenizer *plain, const char *path, unsigned group,
		    int *found, struct cd_error *err)
{
	struct load_ctx lc = { s, tk, plain, path, group };

	if (!s || !tk || !path)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "no phrase set, tokenizer or path");
	return phrase_list_read(path, found, load_line, &lc, err);
}

/* ------------------------------------------------------------ matching */

/*
 * Remove the matches that an exception of the same group covers ("you
 * should have" inside "you should have received"), then the exceptions.
 */
static size_t drop_exceptions(struct phrase_match *m, size_t nm,
			      unsigned *excepted)
{
	size_t i, j, o = 0;
	int any = 0;

	for (i = 0; i < nm; i++)
		any |= m[i].except;
	if (!any)
		return nm;
	for (i = 0; i < nm; i++) {
		if (m[i].except) {
			if (excepted && m[i].group < 32)
				*excepted |= 1u << m[i].group;
			continue;
		}
		for (j = 0; j < nm; j++)
			if (m[j].except && m[j].group == m[i].group &&
			    m[j].from <= m[i].from && m[i].to <= m[j].to)
				break;
		if (j == nm)
			m[o++] = m[i];
	}
	return o;
}

size_t phrase_match(const struct phrase_set *s, struct phrase_word *w,
		    size_t n, struct phrase_match *m, size_t cap,
		    phrase_keep_fn keep, void *ctx, unsigned *excepted)
{
	size_t nm = 0, i, k, c;
	int across;

	if (!s || !s->slot_head || !w)
		return 0;
	across = (s->flags & PHRASE_ACROSS) != 0;
	for (i = 0; i < n; i++) {
		uint32_t chain[2];

		chain[0] = lookup(s, key_one(w[i].key));
		chain[1] = i + 1 < n && (across ||
					 w[i + 1].gap != PHRASE_GAP_SENTENCE) ?
			lookup(s, key_two(w[i].key, w[i + 1].key)) : NONE;
		for (c = 0; c < 2; c++) {
			uint32_t e;

			for (e = chain[c]; e != NONE; e = s->ent[e].next) {
				uint32_t p = s->ent[e].phrase;
				const struct phrase *ph = &s->ph[p];
				const uint64_t *a = alt_of(s, ph);

				if (ph->n > n - i || (ph->key[0] != w[i].key &&
						      a[0] != w[i].key))
					continue;
				for (k = 1; k < ph->n; k++)
					if ((!across && w[i + k].gap ==
					     PHRASE_GAP_SENTENCE) ||
					    (w[i + k].key != ph->key[k] &&
					     w[i + k].key != a[k]))
						break;
				if (k < ph->n)
					continue;
				if ((ph->anchor & PHRASE_START) &&
				    w[i].gap != PHRASE_GAP_SENTENCE)
					continue;
				if ((ph->anchor & PHRASE_END) && i + ph->n < n &&
				    w[i + ph->n].gap != PHRASE_GAP_SENTENCE &&
				    w[i + ph->n].kind != TOK_EMOJI)
					continue;
				if (!(ph->anchor & PHRASE_EXCEPTION) && keep &&
				    !keep(ctx, s, p, w, i))
					continue;
				if (nm < cap) {
					m[nm].from = (uint16_t)i;
					m[nm].to = (uint16_t)(i + ph->n);
					m[nm].group = ph->group;
					m[nm].except = (ph->anchor &
							PHRASE_EXCEPTION) != 0;
					m[nm].phrase = p;
					nm++;
				}
			}
		}
	}
	return drop_exceptions(m, nm, excepted);
}

int phrase_find_tokens(const struct phrase_set *s, uint32_t id,
		       const struct tokenizer *tk, size_t *start, size_t *end)
{
	const struct tok *toks = tok_list(tk);
	size_t n = tok_count(tk), i, j, w;
	const struct phrase *ph;
	const uint64_t *a;

	if (!s || id >= s->nph)
		return 0;
	ph = &s->ph[id];
	a = alt_of(s, ph);
	for (i = 0; i < n; i++) {
		if (skipped(&toks[i]))
			continue;
		for (j = i, w = 0; w < ph->n; w++, j++) {
			while (j < n && skipped(&toks[j]))
				j++;
			if (j == n || (toks[j].hash != ph->key[w] &&
				       toks[j].hash != a[w]))
				break;
		}
		if (w == ph->n) {
			*start = i;
			*end = j;
			return 1;
		}
	}
	return 0;
}

void phrase_first_keys(const struct phrase_set *s, uint32_t id, uint64_t *key,
		       uint64_t *alt)
{
	*key = *alt = 0;
	if (s && id < s->nph) {
		*key = s->ph[id].key[0];
		*alt = alt_of(s, &s->ph[id])[0];
	}
}

int phrase_negated(const struct phrase_word *w, const struct phrase_match *m,
		   size_t nm, size_t at, unsigned group, size_t window)
{
	size_t i, q;

	for (i = 0; i < nm; i++) {
		if (m[i].group != group || m[i].to > at || at - m[i].to > window)
			continue;
		for (q = m[i].to; q <= at; q++)
			if (w[q].gap != PHRASE_GAP_NONE)
				break;
		if (q > at)
			return 1;
	}
	return 0;
}

/*
 * facts.c - see facts.h.
 *
 * Loading runs inih over the file (inifile.h checks the line lengths), one
 * handler call per key, then reads the file once more for the line of each
 * [section] header, which inih does not report, so that a fact missing a
 * key is reported where it starts.  Every string lives in one arena and is
 * addressed by offset while loading (the arena moves as it grows); the
 * public struct fact pointers are set once loading is done.
 *
 * The keywords live in one phrase set (core/phrase.h, PHRASE_KEYWORDS),
 * the fact's index as their group: each word keeps two forms, its stem and
 * the word as written (normalised, unstemmed), so matching compares the
 * token hashes the tokenizer already computed, whether the classifier's
 * tokenizer stems or not.
 */
#include "facts.h"
#include "phrase.h"
#include "sketch.h"
#include "buf.h"
#include "comment.h"
#include "inifile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARENA_MAX (8u << 20)            /* bytes of all strings of a sheet */
#define PHRASE_BYTES 256                /* normalised keyword phrase */
#define NONE ((size_t)-1)

/* What the public struct fact does not show, parallel to fs->facts. */
struct fact_meta {
	size_t name, statement, source_url, valid_until, lang;  /* offsets */
	int64_t until;                  /* last second it may be cited */
	size_t first_phrase, nphrases;
	long key_line;                  /* of its first key */
};

struct fact_sheet {
	struct fact *facts;
	struct fact_meta *meta;
	size_t nfacts, capfacts;
	struct phrase_set *keywords;    /* group: the fact's index */
	struct cd_buf arena;
	char default_lang[16];          /* what a fact without lang serves;
					   "" serves every language */
};

struct load {
	struct fact_sheet *fs;
	const char *path;
	struct tokenizer *tk;           /* stems, as comments are tokenized */
	struct tokenizer *plain;        /* the same without stemming */
};

/* ---- small helpers ----------------------------------------------------- */

static int nomem(struct cd_error *err)
{
	return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
}

/* Copy s[0..n) and a NUL into the arena; its offset in *off. */
static int arena_add(struct fact_sheet *fs, const char *s, size_t n,
		     size_t *off, struct cd_error *err)
{
	int rc;

	*off = fs->arena.len;
	rc = cd_buf_add(&fs->arena, s, n);
	if (!rc)
		rc = cd_buf_addch(&fs->arena, '\0');
	if (rc == CD_ERR_LIMIT)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "fact sheet larger than %u bytes",
				    ARENA_MAX);
	return rc ? nomem(err) : 0;
}

static const char *at(const struct fact_sheet *fs, size_t off)
{
	return fs->arena.data + off;
}

/*
 * 1 when the comment's language code serves a fact written for fact_lang:
 * the same primary subtag, case aside ("en" serves "EN" and "en-US").
 */
static int lang_eq(const char *fact_lang, const char *lang)
{
	size_t n = strlen(fact_lang);

	return !strncasecmp(fact_lang, lang, n) &&
	       (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

/*
 * Unix time of the last second of day s ("YYYY-MM-DD", UTC), or -1 when s
 * is not such a date.  The calendar arithmetic is comment_parse_time()'s.
 */
static int64_t end_of_day(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	char buf[32];
	int i, y, m, d, dim;
	int64_t t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || y < 1970)
		return -1;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d < 1 || d > dim)
		return -1;
	snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
	t = comment_parse_time(buf);
	return t < 0 ? -1 : t + 86399;
}

/* A language code as ISO 639 writes them: 2 or 3 lowercase letters. */
static int is_lang_code(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 2 || n > 3)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return 1;
}

/* ---- loading ----------------------------------------------------------- */

static struct fact_meta *current(struct load *ld, const char *section)
{
	struct fact_sheet *fs = ld->fs;

	if (!fs->nfacts)
		return NULL;
	if (strcmp(at(fs, fs->meta[fs->nfacts - 1].name), section))
		return NULL;
	return &fs->meta[fs->nfacts - 1];
}

/* Start the fact of a section seen for the first time. */
static int new_fact(struct load *ld, const char *section, long line,
		    struct fact_meta **out, struct cd_error *err)
{
	struct fact_sheet *fs = ld->fs;
	struct fact_meta *m;
	size_t i, n = strlen(section);
	int rc;

	if (!n)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: key outside a [section] (each fact "
				    "is a section)", ld->path, line);
	if (n > FACTS_NAME_MAX)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: section name '%.20s...' longer than "
				    "%d bytes", ld->path, line, section,
				    FACTS_NAME_MAX);
	for (i = 0; i < fs->nfacts; i++)
		if (!strcmp(at(fs, fs->meta[i].name), section))
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: fact [%s] appears twice "
					    "(its first key is on line %ld)",
					    ld->path, line, section,
					    fs->meta[i].key_line);
	if (fs->nfacts == FACTS_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, line,
				    "%s:%ld: more than %d facts", ld->path, line,
				    FACTS_MAX);
	/* meta grows in step with facts: same count, same capacity */
	if (fs->nfacts == fs->capfacts) {
		size_t cap = fs->capfacts ? fs->capfacts * 2 : 16;
		struct fact *nf = realloc(fs->facts, cap * sizeof(*nf));
		struct fact_meta *nm;

		if (!nf)
			return nomem(err);
		fs->facts = nf;
		nm = realloc(fs->meta, cap * sizeof(*nm));
		if (!nm)
			return nomem(err);
		fs->meta = nm;
		fs->capfacts = cap;
	}
	m = &fs->meta[fs->nfacts];
	memset(&fs->facts[fs->nfacts], 0, sizeof(fs->facts[0]));
	m->statement = m->source_url = m->valid_until = m->lang = NONE;
	m->until = -1;
	m->first_phrase = phrase_set_count(fs->keywords);
	m->nphrases = 0;
	m->key_line = line;
	rc = arena_add(fs, section, n, &m->name, err);
	if (rc)
		return rc;
	fs->nfacts++;
	*out = m;
	return 0;
}

/* Split a space-separated normalised phrase into at most max words. */
static size_t split_words(char *s, char **w, size_t max)
{
	size_t n = 0;
	char *p = s;

	while (*p) {
		char *sp = strchr(p, ' ');

		if (n == max)
			return max + 1;
		w[n++] = p;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return n;
}

/* Normalise one keyword phrase and add it to fact m unless it is there. */
static int add_phrase(struct load *ld, struct fact_meta *m, const char *kw,
		      size_t kwlen, long line, struct cd_error *err)
{
	struct fact_sheet *fs = ld->fs;
	char raw[PHRASE_BYTES], stems[PHRASE_BYTES];
	char *sw[FACTS_PHRASE_WORDS + 1];
	struct cd_error e;
	size_t ns, before;
	int rc;

	cd_error_clear(&e);
	if (kwlen >= sizeof(raw))
		return cd_error_set(err, CD_ERR_LIMIT, line,
				    "%s:%ld: keyword longer than %zu bytes",
				    ld->path, line, sizeof(raw) - 1);
	memcpy(raw, kw, kwlen);
	raw[kwlen] = '\0';
	rc = tok_normalize_phrase(ld->tk, raw, stems, sizeof(stems), &e);
	if (rc < 0)
		return cd_error_set(err, rc == CD_ERR_NOMEM ? rc : CD_ERR_CONFIG,
				    line, "%s:%ld: keyword '%s': %s", ld->path,
				    line, raw, e.msg);
	ns = split_words(stems, sw, FACTS_PHRASE_WORDS);
	if (!ns)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: keyword '%s' has no words", ld->path,
				    line, raw);
	if (ns > FACTS_PHRASE_WORDS)
		return cd_error_set(err, CD_ERR_LIMIT, line,
				    "%s:%ld: keyword '%s' has more than %d words",
				    ld->path, line, raw, FACTS_PHRASE_WORDS);
	if (m->nphrases == FACTS_KEYWORDS_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, line,
				    "%s:%ld: more than %d keywords in [%s]",
				    ld->path, line, FACTS_KEYWORDS_MAX,
				    at(fs, m->name));
	/*
	 * The stems, and the words as written (the classifier's tokenizer may
	 * not stem); the same stems twice (recall, recalls) is one keyword.
	 */
	before = phrase_set_count(fs->keywords);
	rc = phrase_set_add(fs->keywords, ld->tk, ld->plain, raw,
			    (unsigned)(m - fs->meta), ld->path, line, NULL, &e);
	if (rc)
		return cd_error_set(err, rc, line, "%s:%ld: keyword '%s': %s",
				    ld->path, line, raw, e.msg);
	m->nphrases += phrase_set_count(fs->keywords) - before;
	return 0;
}

struct keyword_ctx {
	struct load *ld;
	struct fact_meta *m;
	long line;
	struct cd_error *err;
};

static int add_keyword(void *ctx, const char *phrase, size_t n)
{
	struct keyword_ctx *x = ctx;

	return add_phrase(x->ld, x->m, phrase, n, x->line, x->err);
}

/* "recall, pulled from shelves, отзыв" -> phrases of m. */
static int add_keywords(struct load *ld, struct fact_meta *m, const char *v,
			long line, struct cd_error *err)
{
	struct keyword_ctx x = { ld, m, line, err };

	return inifile_each_item(v, add_keyword, &x);
}

/* A key that may appear once, with a non-empty value. */
static int set_once(struct load *ld, struct fact_meta *m, size_t *slot,
		    const char *key, const char *v, long line,
		    struct cd_error *err)
{
	if (*slot != NONE)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' given twice in [%s]", ld->path,
				    line, key, at(ld->fs, m->name));
	if (!*v)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' is empty in [%s]", ld->path,
				    line, key, at(ld->fs, m->name));
	return arena_add(ld->fs, v, strlen(v), slot, err);
}

static int handle(void *user, const char *section, const char *key,
		  const char *v, long line, struct cd_error *err)
{
	struct load *ld = user;
	struct fact_meta *m = current(ld, section);
	int rc;

	if (!m) {
		rc = new_fact(ld, section, line, &m, err);
		if (rc)
			return rc;
	}
	if (!strcmp(key, "keywords"))
		return add_keywords(ld, m, v, line, err);
	if (!strcmp(key, "statement"))
		return set_once(ld, m, &m->statement, key, v, line, err);
	if (!strcmp(key, "source_url"))
		return set_once(ld, m, &m->source_url, key, v, line, err);
	if (!strcmp(key, "valid_until")) {
		m->until = end_of_day(v);
		if (m->until < 0)
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: 'valid_until' must be a date "
					    "YYYY-MM-DD, not '%s'", ld->path, line,
					    v);
		return set_once(ld, m, &m->valid_until, key, v, line, err);
	}
	if (!strcmp(key, "lang")) {
		if (!is_lang_code(v))
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: 'lang' must be a language "
					    "code such as en or ru, not '%s'",
					    ld->path, line, v);
		return set_once(ld, m, &m->lang, key, v, line, err);
	}
	return cd_error_set(err, CD_ERR_CONFIG, line,
			    "%s:%ld: unknown key '%s' in [%s] (keywords, "
			    "statement, source_url, valid_until, lang)",
			    ld->path, line, key, section);
}

/* The index of the fact named name, or NONE. */
static size_t find_fact(const struct fact_sheet *fs, const char *name)
{
	size_t i;

	for (i = 0; i < fs->nfacts; i++)
		if (!strcmp(at(fs, fs->meta[i].name), name))
			return i;
	return NONE;
}

/*
 * Read the file again for the [section] header lines, the way inih finds
 * them, and store each in its fact.  A header whose section has no key at
 * all is a fact missing everything: reported here.
 */
static int header_lines(struct load *ld, struct cd_error *err)
{
	struct fact_sheet *fs = ld->fs;
	char line[INIFILE_LINE_MAX + 8];
	long lineno = 0;
	FILE *fp = fopen(ld->path, "r");

	if (!fp)
		return cd_error_set(err, CD_ERR_NOINPUT, 0,
				    "cannot open '%s': %s", ld->path,
				    strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		char *p = line, *e;
		size_t i;

		lineno++;
		if (lineno == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
			p += 3;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '[')
			continue;
		e = strchr(p + 1, ']');
		if (!e)
			continue;
		*e = '\0';
		i = find_fact(fs, p + 1);
		if (i == NONE) {
			fclose(fp);
			return cd_error_set(err, CD_ERR_CONFIG, lineno,
					    "%s:%ld: fact [%s] has no 'statement'",
					    ld->path, lineno, p + 1);
		}
		if (!fs->facts[i].line)
			fs->facts[i].line = lineno;
	}
	fclose(fp);
	return 0;
}

/* Every fact has what a reply needs; then point the public fields. */
static int finish(struct load *ld, struct cd_error *err)
{
	struct fact_sheet *fs = ld->fs;
	size_t i;

	for (i = 0; i < fs->nfacts; i++) {
		struct fact_meta *m = &fs->meta[i];
		struct fact *f = &fs->facts[i];
		const char *missing = NULL;

		if (!f->line)
			f->line = m->key_line;
		if (m->statement == NONE)
			missing = "statement";
		else if (m->source_url == NONE)
			missing = "source_url";
		else if (m->valid_until == NONE)
			missing = "valid_until";
		else if (!m->nphrases)
			missing = "keywords";
		if (missing)
			return cd_error_set(err, CD_ERR_CONFIG, f->line,
					    "%s:%ld: fact [%s] has no '%s'",
					    ld->path, f->line, at(fs, m->name),
					    missing);
	}
	for (i = 0; i < fs->nfacts; i++) {
		struct fact_meta *m = &fs->meta[i];
		struct fact *f = &fs->facts[i];

		f->name = at(fs, m->name);
		f->statement = at(fs, m->statement);
		f->source_url = at(fs, m->source_url);
		f->valid_until = at(fs, m->valid_until);
		f->lang = m->lang == NONE ? "" : at(fs, m->lang);
	}
	return 0;
}

int facts_load(const char *path, struct tokenizer *tk, struct fact_sheet **out,
	       struct cd_error *err)
{
	struct tok_params plain = { 0, 0, 0, 0 };
	struct load ld;
	int rc;

	if (!path || !tk || !out)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "facts_load: missing argument");
	ld.path = path;
	ld.tk = tk;
	ld.fs = calloc(1, sizeof(*ld.fs));
	if (ld.fs && !(ld.fs->keywords = phrase_set_new(PHRASE_KEYWORDS))) {
		free(ld.fs);
		ld.fs = NULL;
	}
	if (!ld.fs)
		return nomem(err);
	cd_buf_init(&ld.fs->arena, ARENA_MAX);
	ld.plain = tok_new(&plain, err);
	if (!ld.plain) {
		facts_free(ld.fs);
		return CD_ERR_NOMEM;
	}
	/* the arena is never empty, so its data pointer is valid */
	rc = cd_buf_addch(&ld.fs->arena, '\0') ? nomem(err) : 0;
	if (!rc)
		rc = inifile_parse(path, handle, &ld, err);
	if (!rc)
		rc = header_lines(&ld, err);
	if (!rc)
		rc = finish(&ld, err);
	tok_free(ld.plain);
	if (rc) {
		facts_free(ld.fs);
		return rc;
	}
	*out = ld.fs;
	return 0;
}

void facts_free(struct fact_sheet *fs)
{
	if (!fs)
		return;
	free(fs->facts);
	free(fs->meta);
	phrase_set_free(fs->keywords);
	cd_buf_release(&fs->arena);
	free(fs);
}

size_t facts_count(const struct fact_sheet *fs)
{
	return fs ? fs->nfacts : 0;
}

const struct fact *facts_get(const struct fact_sheet *fs, size_t i)
{
	return fs && i < fs->nfacts ? &fs->facts[i] : NULL;
}

int facts_valid(const struct fact_sheet *fs, const struct fact *f, int64_t now)
{
	size_t i = (size_t)(f - fs->facts);

	return i < fs->nfacts && now <= fs->meta[i].until;
}

/* ---- matching ---------------------------------------------------------- */

/* Tokens that stand beside words without separating them. */
static int skipped(const struct tok *k)
{
	return k->kind == TOK_BIGRAM || k->kind == TOK_MARK;
}

/*
 * Given a sketch of the comment's word hashes (facts_match): a phrase
 * whose first word is not in it cannot occur, which rules out nearly every
 * keyword of nearly every fact before a scan of the tokens.
 */
static int may_occur(const struct fact_sheet *fs, uint32_t id,
		     const struct sketch *sk)
{
	uint64_t stem, norm;

	phrase_first_keys(fs->keywords, id, &stem, &norm);
	return sketch_has(sk, stem) || sketch_has(sk, norm);
}

/* Score of fact i: distinct phrases found, and how many words they have. */
static size_t score_fact(const struct fact_sheet *fs, size_t i,
			 const struct tokenizer *tk, const struct sketch *sk,
			 size_t *words)
{
	const struct fact_meta *m = &fs->meta[i];
	size_t spans[FACTS_KEYWORDS_MAX][2];
	size_t p, q, n = 0, s, e;

	*words = 0;
	for (p = 0; p < m->nphrases; p++) {
		uint32_t id = (uint32_t)(m->first_phrase + p);

		if (!may_occur(fs, id, sk) ||
		    !phrase_find_tokens(fs->keywords, id, tk, &s, &e))
			continue;
		for (q = 0; q < n; q++)
			if (spans[q][0] == s && spans[q][1] == e)
				break;
		if (q < n)
			continue;       /* another keyword for the same words */
		spans[n][0] = s;
		spans[n][1] = e;
		n++;
		*words += phrase_nwords(fs->keywords, id);
	}
	return n;
}

/* 1 when f may be cited in a reply in lang (see facts_set_default_lang). */
static int serves(const struct fact_sheet *fs, const struct fact *f,
		  const char *lang)
{
	const char *fl = *f->lang ? f->lang : fs->default_lang;

	return !lang || !*lang || !*fl || lang_eq(fl, lang);
}

void facts_set_default_lang(struct fact_sheet *fs, const char *lang)
{
	if (fs)
		snprintf(fs->default_lang, sizeof(fs->default_lang), "%s",
			 lang ? lang : "");
}

const struct fact *facts_match(const struct fact_sheet *fs,
			       const struct tokenizer *tk, const char *lang,
			       int64_t now, double *score)
{
	size_t i, best = NONE, best_n = 0, best_words = 0;

	struct sketch sk = SKETCH_EMPTY;

	if (score)
		*score = 0;
	if (!fs || !tk)
		return NULL;
	for (i = 0; i < tok_count(tk); i++)
		if (!skipped(&tok_list(tk)[i]))
			sketch_add(&sk, tok_list(tk)[i].hash);
	for (i = 0; i < fs->nfacts; i++) {
		const struct fact *f = &fs->facts[i];
		size_t n, words;

		if (now > fs->meta[i].until)
			continue;
		if (!serves(fs, f, lang))
			continue;
		n = score_fact(fs, i, tk, &sk, &words);
		if (!n)
			continue;
		if (n > best_n || (n == best_n && words > best_words)) {
			best = i;
			best_n = n;
			best_words = words;
		}
	}
	if (best == NONE)
		return NULL;
	if (score)
		*score = (double)best_n;
	return &fs->facts[best];
}

const char *facts_why_none(const struct fact_sheet *fs,
			   const struct tokenizer *tk, const char *lang,
			   int64_t now, char *buf, size_t size)
{
	struct sketch sk = SKETCH_EMPTY;
	size_t i, words;
	const char *why = "no keyword of any fact matches";

	snprintf(buf, size, "%s", why);
	if (!fs || !fs->nfacts) {
		snprintf(buf, size, "the fact sheet is empty or not loaded");
		return buf;
	}
	if (!tk)
		return buf;
	for (i = 0; i < tok_count(tk); i++)
		if (!skipped(&tok_list(tk)[i]))
			sketch_add(&sk, tok_list(tk)[i].hash);
	for (i = 0; i < fs->nfacts; i++) {
		const struct fact *f = &fs->facts[i];

		if (!score_fact(fs, i, tk, &sk, &words))
			continue;
		if (now > fs->meta[i].until) {
			snprintf(buf, size, "fact '%s' matches but expired on %s",
				 f->name, f->valid_until);
			return buf;
		}
		if (!serves(fs, f, lang))
			snprintf(buf, size, "fact '%s' matches but serves "
				 "replies in %s only", f->name,
				 *f->lang ? f->lang : fs->default_lang);
	}
	return buf;
}

/*
 * tone.c - the tone check's public API and driver (tone.h).
 *
 * The files of the check are listed in tone_internal.h.
 *
 * How it works (docs/tone.md has the user's view):
 *
 *  1. Loading turns every list line into a phrase: the keys of its tokens
 *     as tok_run() produces them, so a list line and a reply are
 *     normalised, case-folded and stemmed by the same code.  Phrases live
 *     in one array; an open-addressing table maps a first key to the chain
 *     of phrases starting with it.
 *  2. A check tokenizes the reply (and the comment, when given) into a
 *     fixed array of words, each with its spans and the kind of
 *     punctuation before it; one pass over the words finds every phrase
 *     of every list.
 *  3. Rules read those matches (blame, defensive, ...), the words (caps,
 *     competitor, echo, required) or the raw bytes (length, placeholder,
 *     exclaim, pii: hand-written scanners, no regex).
 *  4. The learned layer scores the reply's tokens with a naive Bayes
 *     table trained at load from <lang>/replies.tsv and, for wording the
 *     lists missed, adds a warning of the rule its examples point to.
 *  5. Hits keep byte spans; overlapping hits of one rule are merged, all
 *     are scored, the most severe TONE_MAX_FINDINGS are kept, turned into
 *     code points and messages, and sorted by start.
 *
 * Nothing is allocated per reply: the work area lives on the stack
 * (about 48 KiB) and the caller's tokenizer reuses its own buffers.
 */
#include "tone_internal.h"
#include "text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- loading */

struct role_load {
	struct tone_rules *r;
	const char *path;
};

/* One line of email_roles.txt: an e-mail local part, lowercased. */
static int load_role(void *ctx, char *line, long lineno, struct cd_error *err)
{
	struct tone_rules *r = ((struct role_load *)ctx)->r;
	const char *path = ((struct role_load *)ctx)->path;
	size_t len = strlen(line), i, bad;

	if (text_utf8_check(line, len, &bad))
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: invalid utf-8 at byte %zu",
				    path, lineno, bad + 1);
	if (len >= ROLE_LEN)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: longer than %d bytes",
				    path, lineno, ROLE_LEN - 1);
	if (r->nroles == MAX_ROLES)
		return cd_error_set(err, CD_ERR_LIMIT, lineno,
				    "'%s': line %ld: more than %d e-mail roles",
				    path, lineno, MAX_ROLES);
	for (i = 0; i <= len; i++)
		r->roles[r->nroles][i] = (char)text_lower((unsigned char)line[i]);
	r->nroles++;
	return 0;
}

/* Load one list file; a missing file is fine (*found stays as it was). */
static int load_list(struct tone_rules *r, struct tokenizer *tk, int list,
		     const char *path, int *found, struct cd_error *err)
{
	if (list == LIST_EMAIL_ROLES) {
		struct role_load rl = { r, path };

		return phrase_list_read(path, found, load_role, &rl, err);
	}
	return phrase_set_load(r->ph, tk, NULL, path, (unsigned)list, found, err);
}

void tone_params_default(struct tone_params *p)
{
	p->learned = 1;
	p->alpha = 0.5;
	p->bigrams = 1;
	p->min_count = 1;
	p->threshold = 0.5;
}

struct tone_rules *tone_rules_load(const char *dir, struct cd_error *err)
{
	return tone_rules_load_params(dir, NULL, err);
}

struct tone_rules *tone_rules_load_params(const char *dir,
					  const struct tone_params *p,
					  struct cd_error *err)
{
	struct tone_rules *r;
	struct tokenizer *tk;
	struct tok_params tp;
	char path[4096];
	size_t l, li;
	int found = 0, rc = 0;

	cd_error_clear(err);
	if (!dir) {
		cd_error_set(err, CD_ERR_USAGE, 0, "no tone list directory");
		return NULL;
	}
	if (p && p->learned && !(p->alpha > 0 && p->threshold >= 0 &&
				 p->threshold <= 1)) {
		cd_error_set(err, CD_ERR_USAGE, 0, "tone learning needs an alpha "
			     "above 0 and a threshold in 0..1");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->ph = phrase_set_new(0))) {
		free(r);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	if (p)
		r->p = *p;
	else
		tone_params_default(&r->p);
	r->learn_odds = r->p.threshold >= 1 ? INFINITY : r->p.threshold <= 0 ?
		-INFINITY : log(r->p.threshold / (1 - r->p.threshold));
	tok_params_default(&tp);
	tp.bigrams = 0;
	tp.stem = 1;
	tk = tok_new(&tp, err);
	if (!tk) {
		free(r);
		return NULL;
	}
	for (l = 0; l < sizeof(tone_langs) / sizeof(tone_langs[0]) && !rc; l++)
		for (li = 0; li < LIST_COUNT && !rc; li++) {
			int n = snprintf(path, sizeof(path), "%s/%s/%s.txt", dir,
					 tone_langs[l], tone_list_file[li]);

			if (n < 0 || (size_t)n >= sizeof(path)) {
				rc = cd_error_set(err, CD_ERR_LIMIT, 0,
						  "path under '%s' is too long", dir);
				break;
			}
			rc = load_list(r, tk, (int)li, path, &found, err);
		}
	for (l = 0; l < sizeof(tone_langs) / sizeof(tone_langs[0]) && !rc && r->p.learned;
	     l++) {
		int n = snprintf(path, sizeof(path), "%s/%s/replies.tsv", dir,
				 tone_langs[l]);

		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = cd_error_set(err, CD_ERR_LIMIT, 0,
					  "path under '%s' is too long", dir);
			break;
		}
		rc = tone_load_examples(r, l, path, &found, err);
	}
	tok_free(tk);
	if (!rc && !found)
		rc = cd_error_set(err, CD_ERR_NOINPUT, 0,
				  "no tone lists in '%s/en' or '%s/ru'", dir, dir);
	if (!rc)
		rc = phrase_set_build(r->ph, err);
	if (!rc && tone_echo_prepare(r))
		rc = cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	if (rc) {
		tone_rules_free(r);
		return NULL;
	}
	return r;
}

void tone_rules_free(struct tone_rules *r)
{
	if (!r)
		return;
	free(r->learn[0].slot);
	free(r->learn[1].slot);
	tone_echo_release(r);
	phrase_set_free(r->ph);
	free(r);
}

size_t tone_rules_count(const struct tone_rules *r)
{
	return r ? phrase_set_count(r->ph) + r->nroles : 0;
}

size_t tone_rules_examples(const struct tone_rules *r, const char *lang)
{
	if (!r || !lang)
		return 0;
	return r->learn[!strcmp(lang, "ru")].examples *
		(!strcmp(lang, "en") || !strcmp(lang, "ru"));
}

/* -------------------------------------------------------------- checking */

/*
 * Normalise competitor names into comps[*ncomps...] (at most cap in all)
 * with one tokenizer run over them joined by newlines (names never span
 * lines).
 */
static int normalize_competitors(struct tokenizer *tk,
				 const char *const *names, size_t nnames,
				 struct comp *comps, size_t *ncomps, size_t cap,
				 struct cd_error *err)
{
	char buf[TONE_MAX_COMPETITORS * (MAX_COMP_BYTES + 1)];
	uint32_t starts[TONE_MAX_COMPETITORS + 1];
	struct phrase_word w[TONE_MAX_COMPETITORS * (MAX_COMP_WORDS + 1)];
	size_t len = 0, i, n, c;
	struct cd_error e;
	int rc;

	if (!nnames)
		return 0;
	if (!names)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "%zu competitors but no names", nnames);
	if (nnames > TONE_MAX_COMPETITORS || *ncomps + nnames > cap)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d competitors",
				    TONE_MAX_COMPETITORS);
	for (i = 0; i < nnames; i++) {
		const char *name = names[i] ? names[i] : "";
		size_t nl = strlen(name);

		if (nl > MAX_COMP_BYTES)
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "competitor name '%.40s...' is over %d bytes",
					    name, MAX_COMP_BYTES);
		if (memchr(name, '\n', nl))
			return cd_error_set(err, CD_ERR_USAGE, 0,
					    "competitor name '%s' has a newline",
					    name);
		starts[i] = (uint32_t)len;
		memcpy(buf + len, name, nl);
		len += nl;
		buf[len++] = '\n';
	}
	starts[i] = (uint32_t)len;
	rc = tok_run(tk, buf, len, &e);
	if (rc)
		return cd_error_set(err, rc, 0, "competitor names: %s", e.msg);
	n = phrase_words(tk, buf, len, w, sizeof(w) / sizeof(w[0]));
	for (c = 0, i = 0; c < nnames; c++) {
		struct comp *cp = &comps[*ncomps];

		cp->n = 0;
		cp->lastlen = 0;
		for (; i < n && w[i].bs < starts[c + 1]; i++) {
			const struct tok *k = &tok_list(tk)[w[i].tok];

			if (cp->n == MAX_COMP_WORDS)
				return cd_error_set(err, CD_ERR_LIMIT, 0,
						    "competitor name '%s' has more than %d words",
						    names[c], MAX_COMP_WORDS);
			cp->key[cp->n++] = w[i].key;
			cp->lastlen = 0;
			if (w[i].kind == TOK_WORD && k->len <= MAX_COMP_BYTES) {
				memcpy(cp->last, tok_text(tk, k), k->len);
				cp->lastlen = k->len;
			}
		}
		if (cp->n)
			(*ncomps)++;
	}
	return 0;
}

int tone_rules_add_competitors(struct tone_rules *r, const char *const *names,
			       size_t n, struct cd_error *err)
{
	struct tok_params tp;
	struct tokenizer *tk;
	size_t keep;
	int rc;

	if (!r)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no tone rules");
	tok_params_default(&tp);
	tp.bigrams = 0;
	tp.stem = 1;
	tk = tok_new(&tp, err);
	if (!tk)
		return CD_ERR_NOMEM;
	keep = r->ncomps;
	rc = normalize_competitors(tk, names, n, r->comps, &r->ncomps,
				   TONE_MAX_COMPETITORS, err);
	if (rc)
		r->ncomps = keep;
	tok_free(tk);
	return rc;
}

/* The work area of one check, on the stack: no allocation per reply. */
/*
 * What every check reads: the reply, its words and phrase matches, the
 * comment's, the competitors; one per tone_check(), on its stack (about
 * 48 KiB: nothing is allocated per reply).
 */
struct tone_scan {
	const struct tone_rules *r;
	const struct tone_ctx *ctx;
	const struct tokenizer *tk;     /* its last run was on the reply */
	const char *s;                  /* the reply */
	size_t len, total;              /* its bytes and code points */
	unsigned classes;               /* BC_*: which byte scanners run */
	int ru;                         /* messages in Russian */
	int contact;                    /* pii found a hotline (required) */
	unsigned excepted;              /* lists with an exception match */
	const struct learned *ln;       /* the model of the reply's script */
	struct phrase_word rw[MAX_WORDS];
	struct phrase_word cw[MAX_COMMENT_WORDS];
	struct phrase_match rm[MAX_MATCHES];
	struct phrase_match cm[MAX_MATCHES];
	size_t rn, cn, rnm, cnm;
	struct comp comps[2 * TONE_MAX_COMPETITORS];  /* the rules' + ctx's */
	size_t ncomps;
	struct hits hs;
};

/* ------------------------------------------------------------ the checks */

static void check_length(struct tone_scan *sc)
{
	tone_rule_length(sc->s, sc->len, sc->total, sc->ctx->max_chars ?
			 sc->ctx->max_chars : DEFAULT_MAX_CHARS, &sc->hs);
}

static void check_placeholder(struct tone_scan *sc)
{
	tone_rule_placeholder(sc->s, sc->len, &sc->hs);
}

static void check_caps(struct tone_scan *sc)
{
	tone_rule_caps(sc->s, sc->rw, sc->rn, &sc->hs);
}

static void check_exclaim(struct tone_scan *sc)
{
	tone_rule_exclaim(sc->s, sc->len, &sc->hs);
}

static void check_lists(struct tone_scan *sc)
{
	tone_rule_phrases(sc->rw, sc->rm, sc->rnm, &sc->hs);
}

static void check_competitor(struct tone_scan *sc)
{
	tone_rule_competitor(sc->tk, sc->rw, sc->rn, sc->rm, sc->rnm,
			     sc->comps, sc->ncomps, &sc->hs);
}

static void check_pii(struct tone_scan *sc)
{
	tone_pii_scan(sc->r, sc->s, sc->len, sc->rw, sc->rn, sc->classes,
		      &sc->hs, &sc->contact);
	tone_pii_words(sc->s, sc->rw, sc->rn, sc->rm, sc->rnm, &sc->hs);
}

static void check_echo(struct tone_scan *sc)
{
	const struct category *cat = categories_find(sc->ctx->categories,
						     sc->ctx->category);

	tone_rule_echo(sc->rw, sc->rn, sc->rm, sc->rnm, sc->cw, sc->cn, sc->cm,
		       sc->cnm, cat && cat->echo_claim, &sc->hs);
}

static void check_required(struct tone_scan *sc)
{
	const struct category *cat = categories_find(sc->ctx->categories,
						     sc->ctx->category);

	if (cat && cat->require)
		tone_rule_required(cat->require, sc->len, sc->rw, sc->rn,
				   sc->rm, sc->rnm, sc->contact, &sc->hs);
}

static void check_learned(struct tone_scan *sc)
{
	tone_rule_learned(sc->r, sc->ln, sc->tk, sc->s, sc->len, sc->rw, sc->rn,
			  sc->rm, sc->rnm, sc->excepted, &sc->hs);
}

#define ON_BANG 1       /* the reply has an exclamation mark (BC_BANG) */
#define ON_COMMENT 2    /* the comment answered is known */
#define ON_CATEGORY 4   /* the category is known */

/*
 * The checks, one per row of TONE_RULES (tone_internal.h: adding a rule is
 * a row there and a function here), in the order they run.  The learned
 * layer comes after them: it defers to what the lists found.
 */
static const struct tone_check_row {
	void (*fn)(struct tone_scan *sc);       /* NULL: the row above's */
	unsigned on;                    /* ON_*: when it runs (0: always) */
} checks[R_COUNT] = {
#define TONE_RULE_CHECK(id, name, sev, fn, on) [id] = { fn, on },
	TONE_RULES(TONE_RULE_CHECK)
#undef TONE_RULE_CHECK
};

int tone_check(const struct tone_rules *r, struct tokenizer *tk,
	       const char *reply, size_t len, const struct tone_ctx *ctx,
	       struct tone_result *out, struct cd_error *err)
{
	static const struct tone_ctx none;
	struct tone_scan sc;
	struct cd_error e;
	const struct tokenizer *ct = NULL;     /* comment tokens, not matched yet */
	struct tone_memo *memo = NULL;
	struct echo_keys ek;
	const struct category *cat;
	size_t i, cyr = 0, lat = 0, clen = 0;
	unsigned on;
	int rc;

	if (!out)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no result to fill");
	out->n = 0;
	out->dropped = 0;
	out->score = 100;
	if (!r || !tk || (!reply && len))
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "tone check needs rules, a tokenizer and a reply");
	if (!reply)
		reply = "";
	if (!ctx)
		ctx = &none;
	if (ctx->lang && strcmp(ctx->lang, "en") && strcmp(ctx->lang, "ru") &&
	    strcmp(ctx->lang, "auto"))
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "unknown language '%s' (en, ru or auto)",
				    ctx->lang);
	if (ctx->memo && !ctx->ncompetitors &&
	    (!ctx->comment ||
	     (ctx->comment_tokens && ctx->comment_tokens != tk))) {
		/* a reply checked before: its findings, unless echo may hit */
		const struct tone_memo_entry *me;

		memo = ctx->memo;
		me = tone_memo_find(memo, r, reply, len, ctx);
		if (me && (!ctx->comment ||
			   !tone_may_echo(r, ctx->comment_tokens, ctx->comment,
					  strlen(ctx->comment),
					  tone_memo_echo(me)))) {
			tone_memo_result(me, out);
			return 0;
		}
	}
	sc.r = r;
	sc.ctx = ctx;
	sc.tk = tk;
	sc.s = reply;
	sc.len = len;
	sc.contact = 0;
	sc.excepted = 0;
	sc.cn = sc.cnm = 0;
	sc.hs.n = 0;
	sc.hs.lost = 0;
	sc.hs.lost_penalty = 0;
	sc.hs.nev = 0;

	sc.ncomps = r->ncomps;
	memcpy(sc.comps, r->comps, sc.ncomps * sizeof(sc.comps[0]));
	rc = normalize_competitors(tk, ctx->competitors, ctx->ncompetitors,
				   sc.comps, &sc.ncomps,
				   sizeof(sc.comps) / sizeof(sc.comps[0]), err);
	if (rc)
		return rc;
	if (ctx->comment) {
		clen = strlen(ctx->comment);
		ct = ctx->comment_tokens;
		if (!ct || ct == tk) {
			/* tk is needed for the reply: the comment goes first */
			if (!ct && (rc = tok_run(tk, ctx->comment, clen, &e)) != 0)
				return cd_error_set(err, rc, 0, "comment: %s", e.msg);
			sc.cn = phrase_words(tk, ctx->comment, clen, sc.cw,
					     MAX_COMMENT_WORDS);
			sc.cnm = tone_match_words(r, sc.cw, sc.cn, sc.cm,
						  MAX_MATCHES, &sc.excepted);
			ct = NULL;
		}
	}
	rc = tok_run(tk, reply, len, &e);      /* validates the UTF-8 */
	if (rc)
		return cd_error_set(err, rc, 0, "reply: %s", e.msg);
	sc.rn = phrase_words(tk, reply, len, sc.rw, MAX_WORDS);
	sc.excepted = 0;        /* the comment's do not count */
	sc.rnm = tone_match_words(r, sc.rw, sc.rn, sc.rm, MAX_MATCHES,
				  &sc.excepted);
	if (ct || memo) {
		cat = categories_find(ctx->categories, ctx->category);
		tone_echo_keys(r, sc.rw, sc.rn, cat && cat->echo_claim, &ek);
	}
	if (ct && tone_may_echo(r, ct, ctx->comment, clen, &ek)) {
		/* the comment's own tokens: matched only when echo may hit */
		unsigned ignored = 0;

		sc.cn = phrase_words(ct, ctx->comment, clen, sc.cw,
				     MAX_COMMENT_WORDS);
		sc.cnm = tone_match_words(r, sc.cw, sc.cn, sc.cm, MAX_MATCHES,
					  &ignored);
	}

	for (i = 0; i < sc.rn; i++) {
		cyr += sc.rw[i].script == TOK_SCRIPT_CYRILLIC;
		lat += sc.rw[i].script == TOK_SCRIPT_LATIN;
	}
	if (ctx->lang && strcmp(ctx->lang, "auto"))
		sc.ru = !strcmp(ctx->lang, "ru");
	else
		sc.ru = !strcmp(text_lang_vote(lat, cyr), "ru");
	/* the model of the script; a tie goes to the language of the messages */
	sc.ln = &r->learn[cyr > lat ? 1 : lat > cyr ? 0 : sc.ru];

	sc.classes = tone_byte_classes(reply, len, &sc.total);
	on = (sc.classes & BC_BANG ? ON_BANG : 0) |
	     (ctx->comment ? ON_COMMENT : 0) | (ctx->category ? ON_CATEGORY : 0);
	for (i = 0; i < R_COUNT; i++)
		if (checks[i].fn && (checks[i].on & on) == checks[i].on)
			checks[i].fn(&sc);
	check_learned(&sc);
	tone_finish(&sc.hs, reply, sc.ru, out);
	if (memo && !sc.cn)     /* found without the comment's words */
		tone_memo_store(memo, &ek, out);
	return 0;
}

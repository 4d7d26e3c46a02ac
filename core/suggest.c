/*
 * suggest.c - see suggest.h.
 */
#include "suggest.h"
#include "jsonw.h"
#include "phrase.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct suggester {
	struct suggester_opts o;
	struct tokenizer *tk;           /* the model's tokenizer */
	struct tokenizer *tone_tk;      /* stemming on: tone and facts */
	struct tone_memo *tone_memo;    /* drafts checked before */
	struct cd_buf reply;
	struct tpl_data *data;          /* what a reply renders against */
	struct suggestion g;
	char lang[12];                  /* the comment's language, normalised */
	char note[160];                 /* g.note when it is made up */
	/* templates bound to topics: group i of `topics` is topical[i] */
	struct phrase_set *topics;
	const struct tpl **topical;
	size_t ntopical;
	unsigned char topic_hit[TPL_MAX / 8];   /* by group, this comment */
	char fact_why[160];             /* g.fact_why */
	/* "scores": the labels' keys, "complaint": ,"fake_news": ... */
	struct cd_buf score_keys;
	size_t *score_key_end;          /* label l's key ends here */
};

const char *suggest_flag_name(unsigned flags)
{
	if (flags & SUGGEST_FLAG_SAFETY)
		return "safety";
	if (flags & SUGGEST_FLAG_LEGAL)
		return "legal";
	if (flags & SUGGEST_FLAG_PRESS)
		return "press";
	return "";
}

int suggest_flags_json(unsigned flags, struct cd_buf *b)
{
	static const char *const names[] = { "safety", "legal", "press" };
	size_t i;
	int first = 1, rc = cd_buf_addch(b, '[');

	for (i = 0; i < 3; i++)
		if (flags & (1u << i)) {
			if (!first)
				rc |= cd_buf_addch(b, ',');
			rc |= cd_buf_addf(b, "\"%s\"", names[i]);
			first = 0;
		}
	return rc | cd_buf_addch(b, ']');
}

size_t suggest_flags_text(unsigned flags, char *buf, size_t size)
{
	static const char *const names[] = { "safety", "legal", "press" };
	size_t i, n = 0;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < 3; i++)
		if (flags & (1u << i)) {
			int k = snprintf(buf + n, size - n, "%s%s", n ? " " : "",
					 names[i]);

			if (k < 0 || (size_t)k >= size - n)
				break;
			n += (size_t)k;
		}
	return n;
}

const char *suggest_action(const struct categories *t, const char *category,
			   int has_template)
{
	const struct category *cat = categories_find(t, category);

	if (cat && cat->action[0])
		return cat->action;
	/* a team's own category: reply when it has templates */
	return has_template ? "reply" : "review";
}

/*
 * The topics of every template that has them, one phrase group per
 * template: "shipping delay, late delivery" adds two phrases, matched on
 * the comment's stemmed words as the fact sheet's keywords are.  0, or a
 * negative status with err naming the template.
 */
static int load_topics(struct suggester *s, struct cd_error *err)
{
	const struct tpl_set *ts = s->o.templates;
	size_t i, n = tpl_count(ts);
	char kw[PHRASE_MAX_LINE + 1];
	int rc = 0;

	for (i = 0; i < n; i++)
		if (*tpl_topics(tpl_at(ts, i)))
			s->ntopical++;
	if (!s->ntopical)
		return 0;
	s->topics = phrase_set_new(PHRASE_ACROSS);
	s->topical = calloc(s->ntopical, sizeof(*s->topical));
	if (!s->topics || !s->topical)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	s->ntopical = 0;
	for (i = 0; !rc && i < n; i++) {
		const struct tpl *t = tpl_at(ts, i);
		const char *p = tpl_topics(t);

		if (!*p)
			continue;
		s->topical[s->ntopical] = t;
		while (!rc && *p) {
			size_t k = strcspn(p, ","), a = 0, b = k;

			while (a < b && (p[a] == ' ' || p[a] == '\t'))
				a++;
			while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
				b--;
			if (b - a >= sizeof(kw))
				rc = cd_error_set(err, CD_ERR_LIMIT, 0,
						  "%s: a topic longer than %d bytes",
						  tpl_path(t), PHRASE_MAX_LINE);
			else if (b > a) {
				memcpy(kw, p + a, b - a);
				kw[b - a] = '\0';
				rc = phrase_set_add(s->topics, s->tone_tk, NULL, kw,
						    (unsigned)s->ntopical,
						    tpl_path(t), 1, NULL, err);
			}
			p += k + (p[k] == ',');
		}
		s->ntopical++;
	}
	if (!rc)
		rc = phrase_set_build(s->topics, err);
	return rc;
}

/* Which topical templates the comment's words w[0..n) mention. */
static void match_topics(struct suggester *s, struct phrase_word *w, size_t n)
{
	struct phrase_match m[256];
	size_t nm, i;

	memset(s->topic_hit, 0, sizeof(s->topic_hit));
	if (!s->topics)
		return;
	nm = phrase_match(s->topics, w, n, m, 256, NULL, NULL, NULL);
	for (i = 0; i < nm; i++)
		s->topic_hit[m[i].group / 8] |= (unsigned char)(1u << (m[i].group % 8));
}

/* The keys of "scores", written once: 0 or CD_ERR_NOMEM. */
static int score_keys(struct suggester *s)
{
	size_t K = nb_nlabels(s->o.model), l;
	int rc = 0;

	cd_buf_init(&s->score_keys, (size_t)1 << 20);
	s->score_key_end = calloc(K ? K : 1, sizeof(*s->score_key_end));
	if (!s->score_key_end)
		return CD_ERR_NOMEM;
	for (l = 0; l < K && !rc; l++) {
		rc = jsonw_key(&s->score_keys, nb_label(s->o.model, l), 0);
		s->score_key_end[l] = s->score_keys.len;
	}
	return rc;
}

struct suggester *suggester_new(const struct suggester_opts *o,
				struct cd_error *err)
{
	struct suggester *s = calloc(1, sizeof(*s));
	struct tok_params tp;

	if (!s) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	s->o = *o;
	nb_tok_params(o->model, &tp);
	s->tk = tok_new(&tp, err);
	if (s->tk && o->cfg && config_tok_names(o->cfg, s->tk, err)) {
		suggester_free(s);
		return NULL;
	}
	tok_params_words(&tp);
	s->tone_tk = s->tk ? tok_new(&tp, err) : NULL;
	if (!s->tone_tk) {
		suggester_free(s);
		return NULL;
	}
	if (o->templates && load_topics(s, err)) {
		suggester_free(s);
		return NULL;
	}
	cd_buf_init(&s->reply, SUGGEST_REPLY_MAX);
	s->data = tpl_data_alloc();
	s->tone_memo = tone_memo_new();
	if (!s->data || !s->tone_memo || score_keys(s)) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		suggester_free(s);
		return NULL;
	}
	return s;
}

void suggester_free(struct suggester *s)
{
	if (!s)
		return;
	tok_free(s->tk);
	tok_free(s->tone_tk);
	tone_memo_free(s->tone_memo);
	phrase_set_free(s->topics);
	free(s->topical);
	cd_buf_release(&s->reply);
	cd_buf_release(&s->score_keys);
	free(s->score_key_end);
	tpl_data_free(s->data);
	free(s);
}

static void pick_why(struct suggester *s, struct suggestion *g)
{
	struct nb_contrib con[16];
	const struct tok *toks = tok_list(s->tk);
	size_t n, i, j;

	g->nwhy = 0;
	n = nb_explain(s->o.model, s->tk, g->label, 1, con, 16);
	for (i = 0; i < n && g->nwhy < SUGGEST_WHY_MAX; i++) {
		const struct tok *k = &toks[con[i].tok];
		int covered = 0;

		if (k->kind == TOK_MARK && k->start + 1 != k->end)
			continue;       /* <caps> duplicates its word */
		/* skip a token inside (or around) one already shown */
		for (j = 0; j < g->nwhy; j++)
			if (k->start < g->why[j].end && g->why[j].start < k->end)
				covered = 1;
		if (covered)
			continue;
		g->why[g->nwhy].start = k->start;
		g->why[g->nwhy].end = k->end;
		g->nwhy++;
	}
}

static const char *flag_category(unsigned flags);

static int check_tone(struct suggester *s, const struct comment *c,
		      struct suggestion *g, struct cd_error *err)
{
	struct tone_ctx ctx;
	int rc;

	g->toned = 0;
	if (!s->o.tone || !g->reply_len)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = g->lang;
	/* a flagged reply is checked as what it is (no fact to cite) */
	ctx.category = g->flags ? flag_category(g->flags) : g->category;
	ctx.comment = c->text;
	/* the model's tokenizer still holds the comment: reuse it if stemmed */
	if (nb_params(s->o.model)->stem)
		ctx.comment_tokens = s->tk;
	ctx.max_chars = s->o.cfg->reply.max_chars;
	ctx.categories = &s->o.cfg->categories;
	ctx.memo = s->tone_memo;
	rc = tone_check(s->o.tone, s->tone_tk, g->reply, g->reply_len, &ctx,
			&g->tone, err);
	if (rc)
		return rc;
	g->toned = 1;
	return 0;
}

/* The fact for a fake_news draft of the comment s->tk holds, or NULL. */
static const struct fact *find_fact(struct suggester *s,
				    const struct comment *c,
				    struct suggestion *g, struct cd_error *err)
{
	const struct tokenizer *ft = NULL;
	double score = 0;

	if (!s->o.facts) {
		snprintf(s->fact_why, sizeof(s->fact_why), "no fact sheet loaded");
		g->fact_why = s->fact_why;
		return NULL;
	}
	/*
	 * The classifier's tokenizer still holds the comment; its bigrams and
	 * marks are skipped by facts_match, so it serves when it stems and
	 * was not cut short.
	 */
	if (nb_params(s->o.model)->stem && !tok_full(s->tk))
		ft = s->tk;
	else if (tok_run(s->tone_tk, c->text, c->text_len, err) == 0)
		ft = s->tone_tk;
	if (!ft)
		return NULL;
	g->fact = facts_match(s->o.facts, ft, g->lang, s->o.now, &score);
	if (!g->fact)
		g->fact_why = facts_why_none(s->o.facts, ft, g->lang, s->o.now,
					     s->fact_why, sizeof(s->fact_why));
	return g->fact;
}

/*
 * The flags of the comment: the phrase lists match on the stemmed words,
 * the classifier's tokenizer when it stems and was not cut short (its word
 * pairs and marks are left out by the matcher), else the phrase one.
 */
static int find_flags(struct suggester *s, const struct comment *c,
		      struct suggestion *g, struct cd_error *err)
{
	const struct tokenizer *ft = s->tk;
	struct phrase_word w[FLAGS_WORDS_MAX];
	size_t n;
	int rc;

	g->flags = 0;
	memset(&g->flag_hits, 0, sizeof(g->flag_hits));
	if (!s->o.flags && !s->topics)
		return 0;
	if (!nb_params(s->o.model)->stem || tok_full(s->tk)) {
		rc = tok_run(s->tone_tk, c->text, c->text_len, err);
		if (rc)
			return rc;
		ft = s->tone_tk;
	}
	/* one list of words for the flags and the topics */
	n = phrase_words(ft, c->text, c->text_len, w, FLAGS_WORDS_MAX);
	if (s->o.flags)
		g->flags = flags_match_words(s->o.flags, w, n, &g->flag_hits);
	match_topics(s, w, n);
	return 0;
}

struct fit_ctx {
	const struct suggester *s;
	const cJSON *data;
	char missing[64];               /* the first unmet requirement seen */
};

/* tpl_choose_if() filter: requirements met; topics (see templates.h). */
static int fit(void *ctx, const struct tpl *t)
{
	struct fit_ctx *fc = ctx;
	char miss[64];

	if (!tpl_requires_met(t, fc->data, miss, sizeof(miss))) {
		if (!fc->missing[0])
			snprintf(fc->missing, sizeof(fc->missing), "%s", miss);
		return 0;
	}
	if (*tpl_topics(t)) {
		size_t i;

		for (i = 0; i < fc->s->ntopical; i++)
			if (fc->s->topical[i] == t)
				return fc->s->topic_hit[i / 8] & (1u << (i % 8)) ?
				       2 : 0;
		return 0;
	}
	return 1;
}

/* The templates category a flagged comment is drafted from. */
static const char *flag_category(unsigned flags)
{
	if (flags & SUGGEST_FLAG_SAFETY)
		return "_safety";
	if (flags & SUGGEST_FLAG_LEGAL)
		return "_legal";
	if (flags & SUGGEST_FLAG_PRESS)
		return "_press";
	return NULL;
}

/* Choose a variant and render it into s->reply (or leave a note why not). */
static int draft(struct suggester *s, const struct comment *c,
		 struct suggestion *g, unsigned variant, struct cd_error *err)
{
	const char *tcat = flag_category(g->flags);
	const struct categories *cats = &s->o.cfg->categories;
	const struct category *cat = categories_find(cats, g->category);
	struct fit_ctx fc;
	const struct tpl *t;
	int rc, fell_back = 0;

	cd_buf_reset(&s->reply);
	g->template_id = "";
	g->reply = "";
	g->reply_len = 0;
	g->fact = NULL;
	g->note = NULL;
	g->nvariants = 0;
	if (!s->o.templates) {
		g->action = g->flags ? "escalate" : g->uncertain ? "review" :
			    suggest_action(cats, g->category, 0);
		return 0;
	}
	if (!tcat)
		tcat = g->category;
	/* the fact sheet is never cited against a flagged comment */
	if (!g->flags && cat && cat->cite_fact && !find_fact(s, c, g, err)) {
		g->action = g->uncertain ? "review" :
			    suggest_action(cats, g->category, 0);
		/* never invent a correction: a person writes it */
		g->note = "no fact on file";
		return 0;
	}
	fc.data = tpl_data_fill(s->data, c, g->lang, g->category, s->o.cfg,
				g->fact);
	if (!fc.data)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	fc.missing[0] = '\0';
	fc.s = s;
	t = tpl_choose_if(s->o.templates, g->lang, tcat, c->id, c->text,
			  c->text_len, variant, fit, &fc, &g->nvariants,
			  &fell_back);
	g->action = g->flags ? "escalate" : g->uncertain ? "review" :
		    suggest_action(cats, g->category, t != NULL || fc.missing[0]);
	if (!t) {
		if (fc.missing[0]) {
			snprintf(s->note, sizeof(s->note),
				 "no draft: every %s template needs %s, which "
				 "is not set", tcat, fc.missing);
			g->note = s->note;
		} else if (g->flags) {
			snprintf(s->note, sizeof(s->note),
				 "%s: a person answers; no %s template",
				 suggest_flag_name(g->flags), tcat);
			g->note = s->note;
		} else if (strcmp(g->action, "hide") &&
			   strcmp(g->action, "none") &&
			   strcmp(g->action, "hide+escalate")) {
			g->note = "no template for this category";
		}
		g->fact = NULL;
		return 0;
	}
	g->lang_fallback = fell_back;
	if (fell_back) {
		g->lang = tpl_lang(t);
		if (g->fact && cat && cat->cite_fact) {
			/* the fact was matched for the comment's language */
			g->fact = NULL;
			if (!find_fact(s, c, g, err)) {
				g->note = "no fact on file";
				return 0;
			}
			fc.data = tpl_data_fill(s->data, c, g->lang,
						g->category, s->o.cfg, g->fact);
			if (!fc.data)
				return cd_error_set(err, CD_ERR_NOMEM, 0,
						    "out of memory");
		}
	}
	rc = tpl_render(t, fc.data, SUGGEST_REPLY_MAX, &s->reply, err);
	if (rc)
		return rc;
	g->template_id = tpl_id(t);
	g->reply = s->reply.data ? s->reply.data : "";
	g->reply_len = s->reply.len;
	return 0;
}

static int run(struct suggester *s, const struct comment *c,
	       const char *category, int chosen, unsigned variant,
	       const struct suggestion **out, struct cd_error *err)
{
	struct suggestion *g = &s->g;
	int rc, forced = -1;

	/* field by field: the tone result alone is 12 KiB, filled by tone_check */
	g->nwhy = 0;
	g->lang_fallback = 0;
	g->toned = 0;
	g->fact = NULL;
	g->fact_why = NULL;
	g->note = NULL;
	g->flags = 0;
	rc = tok_run(s->tk, c->text, c->text_len, err);
	if (rc)
		return rc;
	g->label = nb_classify(s->o.model, s->tk, NULL, g->prob);
	g->confidence = g->prob[g->label];
	g->category = nb_label(s->o.model, (size_t)g->label);
	g->uncertain = g->confidence < s->o.cfg->classifier.min_confidence;
	if (category) {
		forced = nb_label_find(s->o.model, category);
		if (forced >= 0) {
			g->label = forced;
			g->confidence = g->prob[forced];
		}
		g->category = category;
		/* a person chose it; an earlier guess stays as sure as it was */
		g->uncertain = chosen ? 0 : forced < 0 ||
			       g->confidence < s->o.cfg->classifier.min_confidence;
	}
	if (!s->o.no_why)
		pick_why(s, g);
	rc = find_flags(s, c, g, err);
	if (rc)
		return rc;
	if (s->o.lang)
		g->lang = s->o.lang;
	else if (c->lang[0]) {
		text_primary_lang(c->lang, s->lang, sizeof(s->lang));
		g->lang = s->lang;      /* "ru-RU", "RU" -> "ru" */
	} else {
		g->lang = text_detect_lang(c->text, c->text_len);
	}
	rc = draft(s, c, g, variant, err);
	if (!rc)
		rc = check_tone(s, c, g, err);
	if (rc)
		return rc;
	*out = g;
	return 0;
}

int suggester_run(struct suggester *s, const struct comment *c,
		  const char *category, unsigned variant,
		  const struct suggestion **out, struct cd_error *err)
{
	return run(s, c, category, 1, variant, out, err);
}

int suggester_run_guess(struct suggester *s, const struct comment *c,
			const char *category, unsigned variant,
			const struct suggestion **out, struct cd_error *err)
{
	return run(s, c, category, 0, variant, out, err);
}

int suggester_set_reply(struct suggester *s, const struct comment *c,
			const char *reply, size_t len, struct cd_error *err)
{
	struct suggestion *g = &s->g;
	int rc;

	cd_buf_reset(&s->reply);
	rc = cd_buf_add(&s->reply, reply, len);
	if (rc)
		return cd_error_set(err, rc, 0, "reply longer than %d bytes",
				    SUGGEST_REPLY_MAX);
	g->reply = s->reply.data;
	g->reply_len = s->reply.len;
	g->note = NULL;
	return check_tone(s, c, g, err);
}

/* A string value, after its key: JSONW_LIT(b, ",\"key\":"). */
static void add_str(struct cd_buf *b, const char *v)
{
	jsonw_str(b, v, strlen(v));
}

int suggestion_json(const struct suggester *s, const struct comment *c,
		    const struct suggestion *g, struct cd_buf *b)
{
	size_t K = nb_nlabels(s->o.model), l, i, from = 1;
	size_t start = b->len;
	int rc;

	JSONW_LIT(b, "{\"id\":");
	add_str(b, c->id);
	JSONW_LIT(b, ",\"text\":");
	jsonw_str(b, c->text, c->text_len);
	JSONW_LIT(b, ",\"author\":");
	add_str(b, c->author);
	JSONW_LIT(b, ",\"lang\":");
	add_str(b, g->lang);
	JSONW_LIT(b, ",\"category\":");
	add_str(b, g->category);
	JSONW_LIT(b, ",\"confidence\":");
	jsonw_prob(b, g->confidence);
	if (g->uncertain)
		JSONW_LIT(b, ",\"uncertain\":true");
	else
		JSONW_LIT(b, ",\"uncertain\":false");
	if (g->flags) {
		JSONW_LIT(b, ",\"flags\":");
		suggest_flags_json(g->flags, b);
	} else {
		JSONW_LIT(b, ",\"flags\":[]");
	}
	JSONW_LIT(b, ",\"scores\":{");
	for (l = 0; l < K; l++) {       /* label 0's key without its comma */
		cd_buf_add(b, s->score_keys.data + from,
			   s->score_key_end[l] - from);
		from = s->score_key_end[l];
		jsonw_prob(b, g->prob[l]);
	}
	JSONW_LIT(b, "},\"why\":[");
	for (i = 0; i < g->nwhy; i++) {
		if (i)
			cd_buf_addch(b, ',');
		jsonw_str(b, c->text + g->why[i].start,
			  g->why[i].end - g->why[i].start);
	}
	cd_buf_addch(b, ']');
	JSONW_LIT(b, ",\"action\":");
	add_str(b, g->action);
	JSONW_LIT(b, ",\"template\":");
	add_str(b, g->template_id);
	JSONW_LIT(b, ",\"reply\":");
	jsonw_str(b, g->reply, g->reply_len);
	if (g->fact) {
		JSONW_LIT(b, ",\"fact\":");
		add_str(b, g->fact->name);
	}
	if (g->note) {
		JSONW_LIT(b, ",\"note\":");
		add_str(b, g->note);
	} else if (g->lang_fallback) {
		JSONW_LIT(b, ",\"note\":\"no template in the comment's "
			  "language; drafted in en\"");
	}
	JSONW_LIT(b, ",\"tone\":");
	if (g->toned)
		rc = tone_result_json(&g->tone, b);
	else
		rc = JSONW_LIT(b, "null");
	/*
	 * last, after SPEC's fields: the comment's time, for monitor --replay;
	 * unix seconds when it came as a number or as create_time
	 */
	if (!rc && c->created_at && c->created_at[0]) {
		JSONW_LIT(b, ",\"created_at\":");
		add_str(b, c->created_at);
	} else if (!rc && c->created_ts >= 0) {
		JSONW_LIT(b, ",\"created_at\":");
		rc = jsonw_int(b, (long long)c->created_ts);
	}
	if (!rc)
		rc = JSONW_LIT(b, "}\n");
	if (rc)
		b->len = start;
	return rc;
}

/*
 * test_review.c - the review session (core/review.h) driven by a scripted
 * person: a fake struct review_io whose key() plays a string of keys,
 * edit() returns a canned text, choose() a given index, confirm() scripted
 * y/n answers, and show() records every view it is given.
 *
 * The suggester is real: a model trained here from a tiny inline corpus,
 * the repository's templates/, config/tone, config/facts.ini and
 * config/candor.ini, so the drafts, variants and tone findings are the
 * ones a person would see.  Every test writes its own journal in a
 * temporary directory and checks it line by line.
 *
 * Usage: test_review REPO_ROOT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "comment.h"
#include "config.h"
#include "error.h"
#include "facts.h"
#include "flags.h"
#include "journal.h"
#include "nb.h"
#include "review.h"
#include "suggest.h"
#include "templates.h"
#include "tokenize.h"
#include "tone.h"

#define PATH_BYTES 1024
#define MAX_VIEWS 64
#define MAX_LINES 64
#define TEXT_BYTES 1024
/* 2026-11-26T12:00:00Z: the facts of config/facts.ini are valid */
#define NOW_2026 ((int64_t)1795694400)

static const char *repo_root;

/* ---- the suggester, built once --------------------------------------- */

struct doc {
	const char *label, *text;
};

/* Enough for the comments below to land where the tests expect them. */
static const struct doc corpus[] = {
	{ "complaint", "my order is late and nobody answers" },
	{ "complaint", "still no refund after three weeks" },
	{ "complaint", "the parcel never arrived and support ignores me" },
	{ "complaint", "charged twice for one order, want my money back" },
	{ "question", "where can i buy the orange juice" },
	{ "question", "how much sugar is in the apple one?" },
	{ "question", "is it safe for kids?" },
	{ "question", "do you ship to canada?" },
	{ "spam", "earn money from home check my profile" },
	{ "spam", "free followers click the link in bio" },
	{ "spam", "make 500 a day dm me crypto" },
	{ "toxic", "you are all idiots and clowns" },
	{ "toxic", "shut up you stupid losers" },
	{ "fake_news", "heard the juice is being recalled people got sick" },
	{ "fake_news", "they are hiding that the factory closed" },
	{ "competitor_attack", "just buy fizzco it is cheaper and better" },
	{ "competitor_attack", "fizzco tastes better half the price" },
	{ "other", "love this juice every morning" },
	{ "other", "my favourite drink since 2015" },
};

struct world {
	struct cd_config cfg;
	struct nb_model *model;
	struct tpl_set *templates;
	struct tone_rules *tone;
	struct tokenizer *facts_tk;
	struct fact_sheet *facts;
	struct tokenizer *flags_tk;
	struct flag_lists *flags;
	struct suggester *sg;
	const char *labels[NB_MAX_LABELS];
	size_t nlabels;
};

static struct world W;

static struct nb_model *train_tiny(void)
{
	struct nb_params p;
	struct tok_params tp;
	struct tokenizer *tk;
	struct nb_model *m;
	struct cd_error err;
	size_t i;

	nb_params_default(&p);
	m = nb_new(&p, &err);
	if (!m)
		return NULL;
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, &err);
	if (!tk) {
		nb_free(m);
		return NULL;
	}
	for (i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		int l = nb_label_index(m, corpus[i].label, 1, &err);

		if (l < 0 || tok_run(tk, corpus[i].text, strlen(corpus[i].text), &err) ||
		    nb_learn(m, l, tk, &err) || nb_calib_add(m, l, tk, &err))
			goto bad;
	}
	if (nb_finalize(m, &err))
		goto bad;
	tok_free(tk);
	return m;
bad:
	fprintf(stderr, "test_review: training failed: %s\n", err.msg);
	tok_free(tk);
	nb_free(m);
	return NULL;
}

static int world_setup(void **state)
{
	struct suggester_opts o;
	struct cd_error err;
	char path[PATH_BYTES];
	size_t l;

	(void)state;
	memset(&W, 0, sizeof(W));
	config_init(&W.cfg);
	snprintf(path, sizeof(path), "%s/config/candor.ini", repo_root);
	if (config_load(&W.cfg, path, &err)) {
		fprintf(stderr, "test_review: %s\n", err.msg);
		return -1;
	}
	W.model = train_tiny();
	snprintf(path, sizeof(path), "%s/templates", repo_root);
	W.templates = tpl_load(path, &err);
	if (!W.model || !W.templates) {
		fprintf(stderr, "test_review: %s\n", err.msg);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/config/tone", repo_root);
	W.tone = tone_rules_load(path, &err);
	W.facts_tk = tok_new(NULL, &err);
	snprintf(path, sizeof(path), "%s/config/facts.ini", repo_root);
	if (!W.tone || !W.facts_tk || facts_load(path, W.facts_tk, &W.facts, &err)) {
		fprintf(stderr, "test_review: %s\n", err.msg);
		return -1;
	}
	{
		struct tok_params tp;

		tok_params_words(&tp);
		W.flags_tk = tok_new(&tp, &err);
		snprintf(path, sizeof(path), "%s/config/flags", repo_root);
		if (!W.flags_tk || flags_load(path, W.flags_tk, &W.flags, &err)) {
			fprintf(stderr, "test_review: %s\n", err.msg);
			return -1;
		}
	}
	memset(&o, 0, sizeof(o));
	o.cfg = &W.cfg;
	o.flags = W.flags;
	o.model = W.model;
	o.templates = W.templates;
	o.facts = W.facts;
	o.tone = W.tone;
	o.now = NOW_2026;
	W.sg = suggester_new(&o, &err);
	if (!W.sg) {
		fprintf(stderr, "test_review: %s\n", err.msg);
		return -1;
	}
	W.nlabels = nb_nlabels(W.model);
	for (l = 0; l < W.nlabels; l++)
		W.labels[l] = nb_label(W.model, l);
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	suggester_free(W.sg);
	facts_free(W.facts);
	tok_free(W.facts_tk);
	flags_free(W.flags);
	tok_free(W.flags_tk);
	tone_rules_free(W.tone);
	tpl_free(W.templates);
	nb_free(W.model);
	return 0;
}

static int label_index(const char *name)
{
	size_t l;

	for (l = 0; l < W.nlabels; l++)
		if (!strcmp(W.labels[l], name))
			return (int)l;
	fail_msg("no label '%s'", name);
	return -1;
}

/* ---- the comments under review ---------------------------------------- */

static const struct {
	const char *id, *author, *text;
} inbox[] = {
	{ "c1", "ann", "my order is late and still no refund" },
	{ "c2", "bob", "where can i buy the orange juice?" },
	{ "c3", "cat", "the parcel never arrived, support ignores me" },
	{ "c4", "promo_bot", "earn money from home check my profile" },
	{ "c5", "dan", "charged twice for one order and nobody answers" },
};
#define NINBOX (sizeof(inbox) / sizeof(inbox[0]))

static void make_items(struct review_item *items)
{
	size_t i;

	memset(items, 0, NINBOX * sizeof(*items));
	for (i = 0; i < NINBOX; i++) {
		struct comment *c = &items[i].c;

		c->id = inbox[i].id;
		c->author = inbox[i].author;
		c->text = inbox[i].text;
		c->text_len = strlen(inbox[i].text);
		c->lang = "";
		c->created_at = "";
		c->created_ts = -1;
		c->video_id = "";
		c->parent_id = "";
		c->likes = -1;
		c->line = (long)i + 1;
	}
}

/* ---- the scripted person ---------------------------------------------- */

struct seen {
	size_t pos, total;
	char id[32];
	char category[NB_LABEL_MAX + 1];
	char original[NB_LABEL_MAX + 1];        /* "" unless changed */
	char template_id[128];
	char reply[TEXT_BYTES];
	int edited;
	unsigned variant;
	size_t nvariants;
	double confidence;
	double prob;                            /* the model's for category */
	int uncertain;
	char action[32];
	int tone_error;                         /* an error-level finding */
	char rules[256];                        /* finding rules, space-separated */
};

struct person {
	const char *keys;               /* played in order, then -1 */
	size_t nkeys;
	const char *edit_text;          /* what edit() returns (a copy), or NULL */
	int choose_index;               /* what choose() returns */
	const char *answers;            /* confirm(): 'y'/'n' in order, then n */
	size_t nanswers;
	char questions[8][256];
	size_t nquestions;
	size_t nedits, nchooses;
	struct seen views[MAX_VIEWS];
	size_t nviews;
	char messages[8][256];
	size_t nmessages;
};

static void p_show(void *ctx, const struct review_view *v)
{
	struct person *p = ctx;
	struct seen *s;
	size_t k;

	assert_true(p->nviews < MAX_VIEWS);
	s = &p->views[p->nviews++];
	memset(s, 0, sizeof(*s));
	s->pos = v->pos;
	s->total = v->total;
	snprintf(s->id, sizeof(s->id), "%s", v->comment->id);
	snprintf(s->category, sizeof(s->category), "%s", v->g->category);
	if (v->original_category)
		snprintf(s->original, sizeof(s->original), "%s", v->original_category);
	snprintf(s->template_id, sizeof(s->template_id), "%s", v->g->template_id);
	snprintf(s->reply, sizeof(s->reply), "%.*s", (int)v->g->reply_len,
		 v->g->reply);
	s->edited = v->edited;
	s->variant = v->variant;
	s->nvariants = v->nvariants;
	s->confidence = v->g->confidence;
	s->prob = v->g->prob[v->g->label];
	s->uncertain = v->g->uncertain;
	snprintf(s->action, sizeof(s->action), "%s", v->g->action);
	for (k = 0; v->g->toned && k < v->g->tone.n; k++) {
		size_t l = strlen(s->rules);

		if (v->g->tone.f[k].severity == TONE_ERROR)
			s->tone_error = 1;
		snprintf(s->rules + l, sizeof(s->rules) - l, "%s%s", l ? " " : "",
			 v->g->tone.f[k].rule);
	}
}

static int p_key(void *ctx)
{
	struct person *p = ctx;

	return p->keys[p->nkeys] ? (unsigned char)p->keys[p->nkeys++] : -1;
}

static char *p_edit(void *ctx, const char *reply)
{
	struct person *p = ctx;

	assert_non_null(reply);
	p->nedits++;
	return p->edit_text ? strdup(p->edit_text) : NULL;
}

static int p_choose(void *ctx, const char *const *labels, size_t n,
		    const char *current)
{
	struct person *p = ctx;

	assert_true(n == W.nlabels);
	assert_ptr_equal(labels, W.labels);
	assert_non_null(current);
	p->nchooses++;
	return p->choose_index;
}

static int p_confirm(void *ctx, const char *question)
{
	struct person *p = ctx;
	char a;

	if (p->nquestions < 8)
		snprintf(p->questions[p->nquestions], sizeof(p->questions[0]), "%s",
			 question);
	p->nquestions++;
	a = p->answers ? p->answers[p->nanswers] : '\0';
	if (a)
		p->nanswers++;
	return a == 'y';
}

static void p_message(void *ctx, const char *msg)
{
	struct person *p = ctx;

	if (p->nmessages < 8)
		snprintf(p->messages[p->nmessages], sizeof(p->messages[0]), "%s", msg);
	p->nmessages++;
}

static struct review_io io_of(struct person *p)
{
	struct review_io io;

	io.ctx = p;
	io.show = p_show;
	io.key = p_key;
	io.edit = p_edit;
	io.choose = p_choose;
	io.confirm = p_confirm;
	io.message = p_message;
	return io;
}

static void person_init(struct person *p, const char *keys)
{
	memset(p, 0, sizeof(*p));
	p->keys = keys;
	p->choose_index = -1;
}

/* ---- a session over a journal in a temporary directory ---------------- */

struct fixture {
	char dir[PATH_BYTES];
	char path[PATH_BYTES + 32];
	struct journal *j;
	struct review *r;
	struct review_item items[NINBOX];
	char *lines[MAX_LINES];                 /* the journal after the run */
	size_t nlines;
	cJSON *json[MAX_LINES];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/candor-review.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/journal.jsonl", fx->dir);
	make_items(fx->items);
	*state = fx;
	return 0;
}

static void forget_lines(struct fixture *fx)
{
	size_t i;

	for (i = 0; i < fx->nlines; i++) {
		free(fx->lines[i]);
		cJSON_Delete(fx->json[i]);
	}
	fx->nlines = 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	review_free(fx->r);
	journal_close(fx->j);
	forget_lines(fx);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Open the journal and start a session (closing a previous one). */
static void start(struct fixture *fx)
{
	char warning[512];
	struct cd_error err;

	review_free(fx->r);
	journal_close(fx->j);
	fx->j = journal_open(fx->path, warning, sizeof(warning), &err);
	if (!fx->j)
		fail_msg("journal_open: %s", err.msg);
	assert_string_equal(warning, "");
	fx->r = review_new(fx->items, NINBOX, W.sg, fx->j, "tester", W.labels,
			   W.nlabels, &err);
	if (!fx->r)
		fail_msg("review_new: %s", err.msg);
}

static void run_ok(struct fixture *fx, struct person *p)
{
	struct review_io io = io_of(p);
	struct cd_error err;

	if (review_run(fx->r, &io, &err))
		fail_msg("review_run: %s", err.msg);
}

/* Read the journal file back into fx->lines / fx->json. */
static void read_journal(struct fixture *fx)
{
	FILE *fp = fopen(fx->path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	forget_lines(fx);
	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		assert_true(fx->nlines < MAX_LINES);
		assert_true(line[n - 1] == '\n');
		line[n - 1] = '\0';
		fx->lines[fx->nlines] = strdup(line);
		fx->json[fx->nlines] = cJSON_Parse(line);
		if (!fx->json[fx->nlines])
			fail_msg("journal line %zu is not JSON: %s", fx->nlines + 1,
				 line);
		fx->nlines++;
	}
	free(line);
	fclose(fp);
}

static const char *jstr(const struct fixture *fx, size_t i, const char *key)
{
	const cJSON *v;

	assert_true(i < fx->nlines);
	v = cJSON_GetObjectItemCaseSensitive(fx->json[i], key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jtrue(const struct fixture *fx, size_t i, const char *key)
{
	assert_true(i < fx->nlines);
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fx->json[i], key));
}

static void assert_entry(const struct fixture *fx, size_t i, const char *id,
			 const char *decision)
{
	const char *got_id = jstr(fx, i, "id"), *got_d = jstr(fx, i, "decision");

	if (!got_id || !got_d || strcmp(got_id, id) || strcmp(got_d, decision))
		fail_msg("journal line %zu is %s/%s, expected %s/%s", i + 1,
			 got_id ? got_id : "?", got_d ? got_d : "?", id, decision);
}

static struct fixture *fx_of(void **state)
{
	return *state;
}

/* ---- tests ------------------------------------------------------------- */

/*
 * a approves the draft as shown: one journal entry with the template and
 * reply of the view, then the next comment is shown.
 */
static void test_approve(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct review_stats *st;
	struct person p;

	start(fx);
	person_init(&p, "a");
	run_ok(fx, &p);
	assert_int_equal(p.nviews, 2);
	assert_int_equal(p.views[0].pos, 1);
	assert_int_equal(p.views[0].total, NINBOX);
	assert_string_equal(p.views[0].id, "c1");
	assert_string_equal(p.views[0].category, "complaint");
	assert_true(p.views[0].reply[0] != '\0');
	assert_int_equal(p.views[1].pos, 2);
	assert_string_equal(p.views[1].id, "c2");

	read_journal(fx);
	assert_int_equal(fx->nlines, 1);
	assert_entry(fx, 0, "c1", "approve");
	assert_string_equal(jstr(fx, 0, "category"), "complaint");
	assert_string_equal(jstr(fx, 0, "template"), p.views[0].template_id);
	assert_string_equal(jstr(fx, 0, "reply"), p.views[0].reply);
	assert_string_equal(jstr(fx, 0, "approver"), "tester");
	assert_null(jstr(fx, 0, "original_category"));
	assert_false(jtrue(fx, 0, "edited"));
	assert_false(jtrue(fx, 0, "override"));
	assert_string_equal(journal_decision(fx->j, "c1"), "approve");
	assert_string_equal(review_decision(fx->r, 0), "approve");
	assert_string_equal(review_decision(fx->r, 1), "");
	assert_string_equal(review_final_reply(fx->r, 0), p.views[0].reply);

	st = review_stats(fx->r);
	assert_int_equal(st->approved, 1);
	assert_int_equal(st->edited, 0);
	assert_int_equal(st->remaining, NINBOX - 1);
}

/* e then a: the edited reply is shown (tone checked again) and recorded. */
static void test_edit_then_approve(void **state)
{
	static const char text[] = "@ann Sorry for the wait. Please DM us your "
				   "order number and we will fix it today.";
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "ea");
	p.edit_text = text;
	run_ok(fx, &p);
	assert_int_equal(p.nedits, 1);
	assert_int_equal(p.nviews, 3);
	assert_false(p.views[0].edited);
	assert_true(p.views[1].edited);
	assert_string_equal(p.views[1].id, "c1");
	assert_string_equal(p.views[1].reply, text);
	assert_false(p.views[1].tone_error);
	assert_int_equal(p.nquestions, 0);
	assert_string_equal(p.views[2].id, "c2");

	read_journal(fx);
	assert_int_equal(fx->nlines, 1);
	assert_entry(fx, 0, "c1", "approve");
	assert_true(jtrue(fx, 0, "edited"));
	assert_false(jtrue(fx, 0, "override"));
	assert_string_equal(jstr(fx, 0, "reply"), text);
	assert_string_equal(review_final_reply(fx->r, 0), text);
	assert_int_equal(review_stats(fx->r)->edited, 1);
	assert_int_equal(review_stats(fx->r)->approved, 1);
}

/* An editor that changes nothing (edit() returns NULL) is not an edit. */
static void test_edit_unchanged(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "ea");
	run_ok(fx, &p);
	assert_int_equal(p.nedits, 1);
	assert_false(p.views[1].edited);
	assert_string_equal(p.views[1].reply, p.views[0].reply);
	read_journal(fx);
	assert_false(jtrue(fx, 0, "edited"));
	assert_int_equal(review_stats(fx->r)->edited, 0);
}

/*
 * An edit that blames the customer: the next view shows the error
 * finding; approving asks for a confirmation; no keeps the comment
 * undecided, yes records the override.
 */
static void test_edit_with_tone_error_needs_confirmation(void **state)
{
	static const char text[] = "@ann you should have read the label before "
				   "ordering.";
	struct fixture *fx = fx_of(state);
	const struct review_stats *st;
	struct person p;

	start(fx);
	person_init(&p, "eaa");
	p.edit_text = text;
	p.answers = "ny";
	run_ok(fx, &p);
	assert_false(p.views[0].tone_error);
	assert_true(p.views[1].edited);
	assert_true(p.views[1].tone_error);
	assert_non_null(strstr(p.views[1].rules, "blame"));
	/* no: the same comment again, still edited, nothing written */
	assert_int_equal(p.nquestions, 2);
	assert_non_null(strstr(p.questions[0], "error-level"));
	assert_string_equal(p.views[2].id, "c1");
	assert_true(p.views[2].edited);
	assert_string_equal(p.views[2].reply, text);
	assert_string_equal(p.views[3].id, "c2");
	assert_int_equal(p.nviews, 4);

	read_journal(fx);
	assert_int_equal(fx->nlines, 1);
	assert_entry(fx, 0, "c1", "approve");
	assert_true(jtrue(fx, 0, "override"));
	assert_true(jtrue(fx, 0, "edited"));
	assert_string_equal(jstr(fx, 0, "reply"), text);
	assert_non_null(strstr(fx->lines[0], "\"rule\":\"blame\""));
	st = review_stats(fx->r);
	assert_int_equal(st->overridden, 1);
	assert_int_equal(st->approved, 1);
}

/* Saying no to the confirmation and quitting writes nothing. */
static void test_tone_error_refused_writes_nothing(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "ea");
	p.edit_text = "you should have read the label";
	p.answers = "n";
	run_ok(fx, &p);
	assert_int_equal(p.nquestions, 1);
	read_journal(fx);
	assert_int_equal(fx->nlines, 0);
	assert_null(journal_decision(fx->j, "c1"));
	assert_int_equal(review_stats(fx->r)->remaining, NINBOX);
}

/* v shows another variant of the same category; a records that one. */
static void test_next_variant(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "vva");
	run_ok(fx, &p);
	assert_int_equal(p.nviews, 4);
	assert_string_equal(p.views[0].category, "complaint");
	assert_true(!strncmp(p.views[0].template_id, "en/complaint/", 13));
	assert_true(!strncmp(p.views[1].template_id, "en/complaint/", 13));
	assert_true(!strncmp(p.views[2].template_id, "en/complaint/", 13));
	assert_string_not_equal(p.views[1].template_id, p.views[0].template_id);
	assert_string_not_equal(p.views[2].template_id, p.views[1].template_id);
	assert_string_not_equal(p.views[2].template_id, p.views[0].template_id);
	assert_string_not_equal(p.views[1].reply, p.views[0].reply);
	assert_int_equal(p.views[1].variant, 1);
	assert_int_equal(p.views[2].variant, 2);
	assert_string_equal(p.views[1].category, "complaint");
	read_journal(fx);
	assert_entry(fx, 0, "c1", "approve");
	assert_string_equal(jstr(fx, 0, "template"), p.views[2].template_id);
	assert_string_equal(jstr(fx, 0, "reply"), p.views[2].reply);
}

/*
 * v after an edit shows the next variant's draft, not the edited text
 * under another template's name (what would be recorded otherwise).
 */
static void test_variant_after_edit(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "eva");
	p.edit_text = "@ann Sorry, DM us and we will fix it.";
	run_ok(fx, &p);
	assert_true(p.views[1].edited);
	assert_false(p.views[2].edited);
	assert_string_not_equal(p.views[2].template_id, p.views[0].template_id);
	assert_string_not_equal(p.views[2].reply, "@ann Sorry, DM us and we will fix it.");
	read_journal(fx);
	assert_false(jtrue(fx, 0, "edited"));
	assert_string_equal(jstr(fx, 0, "template"), p.views[2].template_id);
	assert_string_equal(jstr(fx, 0, "reply"), p.views[2].reply);
}

/*
 * c changes the category: the draft comes from the new category's
 * templates and the entry keeps the original one (a training correction).
 */
static void test_change_category(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "ca");
	p.choose_index = label_index("question");
	run_ok(fx, &p);
	assert_int_equal(p.nchooses, 1);
	assert_string_equal(p.views[0].category, "complaint");
	assert_string_equal(p.views[0].original, "");
	assert_string_equal(p.views[1].id, "c1");
	assert_string_equal(p.views[1].category, "question");
	assert_string_equal(p.views[1].original, "complaint");
	assert_true(!strncmp(p.views[1].template_id, "en/question/", 12));
	assert_string_not_equal(p.views[1].reply, p.views[0].reply);

	read_journal(fx);
	assert_int_equal(fx->nlines, 1);
	assert_entry(fx, 0, "c1", "approve");
	assert_string_equal(jstr(fx, 0, "category"), "question");
	assert_string_equal(jstr(fx, 0, "original_category"), "complaint");
	assert_string_equal(jstr(fx, 0, "template"), p.views[1].template_id);
	assert_string_equal(jstr(fx, 0, "reply"), p.views[1].reply);
	assert_string_equal(review_final_category(fx->r, 0), "question");
	assert_int_equal(review_stats(fx->r)->changed, 1);
}

/* Keeping the category (choose() -1, or the current one) changes nothing. */
static void test_change_category_kept(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "cs");
	run_ok(fx, &p);
	assert_string_equal(p.views[1].original, "");
	assert_string_equal(p.views[1].template_id, p.views[0].template_id);
	read_journal(fx);
	assert_entry(fx, 0, "c1", "skip");
	assert_null(jstr(fx, 0, "original_category"));

	person_init(&p, "ca");
	p.choose_index = label_index("question");  /* c2 is a question */
	run_ok(fx, &p);
	assert_string_equal(p.views[0].category, "question");
	assert_string_equal(p.views[1].original, "");
	read_journal(fx);
	assert_entry(fx, 1, "c2", "approve");
	assert_null(jstr(fx, 1, "original_category"));
	assert_int_equal(review_stats(fx->r)->changed, 0);
}

/* h, s and r record hide, skip and reject, one comment each. */
static void test_hide_skip_reject(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct review_stats *st;
	struct person p;

	start(fx);
	person_init(&p, "hsr");
	run_ok(fx, &p);
	assert_int_equal(p.nviews, 4);
	read_journal(fx);
	assert_int_equal(fx->nlines, 3);
	assert_entry(fx, 0, "c1", "hide");
	assert_entry(fx, 1, "c2", "skip");
	assert_entry(fx, 2, "c3", "reject");
	assert_string_equal(p.views[3].id, "c4");
	st = review_stats(fx->r);
	assert_int_equal(st->hidden, 1);
	assert_int_equal(st->skipped, 1);
	assert_int_equal(st->rejected, 1);
	assert_int_equal(st->approved, 0);
	assert_int_equal(st->remaining, NINBOX - 3);
	assert_string_equal(review_decision(fx->r, 2), "reject");
}

/* A comment without a draft (spam) asks before approving an empty reply. */
static void test_approve_without_draft_asks(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "sssaa");
	p.answers = "ny";
	run_ok(fx, &p);
	assert_string_equal(p.views[3].id, "c4");
	assert_string_equal(p.views[3].category, "spam");
	assert_string_equal(p.views[3].reply, "");
	assert_int_equal(p.nquestions, 2);
	assert_non_null(strstr(p.questions[0], "no reply"));
	assert_string_equal(p.views[4].id, "c4");       /* no: kept */
	read_journal(fx);
	assert_int_equal(fx->nlines, 4);
	assert_entry(fx, 3, "c4", "approve");
}

/*
 * u writes an undo entry (the file only grows), shows the undone comment
 * again and takes its counts back.
 */
static void test_undo(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct review_stats *st;
	struct person p;

	start(fx);
	person_init(&p, "eaau");
	p.edit_text = "@ann Sorry for the wait, please DM us your order number.";
	run_ok(fx, &p);
	/* views: c1, c1 edited, c2, c3, then c2 again */
	assert_int_equal(p.nviews, 5);
	assert_string_equal(p.views[3].id, "c3");
	assert_string_equal(p.views[4].id, "c2");
	assert_int_equal(p.views[4].pos, 2);
	assert_false(p.views[4].edited);

	read_journal(fx);
	assert_int_equal(fx->nlines, 3);
	assert_entry(fx, 0, "c1", "approve");
	assert_entry(fx, 1, "c2", "approve");
	assert_entry(fx, 2, "c2", "undo");
	assert_null(journal_decision(fx->j, "c2"));
	assert_string_equal(journal_last_id(fx->j), "c1");
	st = review_stats(fx->r);
	assert_int_equal(st->approved, 1);
	assert_int_equal(st->edited, 1);
	assert_int_equal(st->remaining, NINBOX - 1);
	assert_string_equal(review_decision(fx->r, 1), "");
	assert_null(review_final_reply(fx->r, 1));

	/* undo again: the edited approve of c1 goes too, its counts with it */
	person_init(&p, "u");
	run_ok(fx, &p);
	assert_string_equal(p.views[1].id, "c1");
	assert_int_equal(p.views[1].pos, 1);
	st = review_stats(fx->r);
	assert_int_equal(st->approved, 0);
	assert_int_equal(st->edited, 0);
	assert_int_equal(st->remaining, NINBOX);
	read_journal(fx);
	assert_int_equal(fx->nlines, 4);
	assert_entry(fx, 3, "c1", "undo");

	/* nothing left: a message, no entry */
	person_init(&p, "u");
	run_ok(fx, &p);
	assert_int_equal(p.nmessages, 1);
	assert_non_null(strstr(p.messages[0], "nothing to undo"));
	read_journal(fx);
	assert_int_equal(fx->nlines, 4);
}

/* Undo of a category change takes the correction back too. */
static void test_undo_category_change(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "cau");
	p.choose_index = label_index("question");
	run_ok(fx, &p);
	assert_int_equal(review_stats(fx->r)->changed, 0);
	assert_string_equal(p.views[3].id, "c1");
	assert_string_equal(p.views[3].category, "complaint");  /* redrafted */
	assert_string_equal(p.views[3].original, "");
}

/* q stops; the stats say how many are left. */
static void test_quit(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "asqaaa");
	run_ok(fx, &p);
	assert_int_equal(p.nkeys, 3);           /* nothing read after q */
	assert_int_equal(p.nviews, 3);
	read_journal(fx);
	assert_int_equal(fx->nlines, 2);
	assert_int_equal(review_stats(fx->r)->remaining, NINBOX - 2);
	assert_int_equal(review_stats(fx->r)->approved, 1);
	assert_int_equal(review_stats(fx->r)->skipped, 1);
}

/* key() returning -1 (input ended) quits cleanly, writing nothing. */
static void test_end_of_input_quits(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "");
	run_ok(fx, &p);
	assert_int_equal(p.nviews, 1);
	read_journal(fx);
	assert_int_equal(fx->nlines, 0);
	assert_int_equal(review_stats(fx->r)->remaining, NINBOX);
}

/* Deciding every comment ends the session without asking for a key. */
static void test_all_decided_ends(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "sssssq");
	run_ok(fx, &p);
	assert_int_equal(p.nkeys, NINBOX);
	assert_int_equal(p.nviews, NINBOX);
	assert_int_equal(review_stats(fx->r)->remaining, 0);
}

/*
 * A second session on the same journal starts at the first undecided
 * comment and counts only its own decisions; an undo in it reaches back
 * into the first session's decisions.
 */
static void test_resume(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "ahsq");
	run_ok(fx, &p);
	assert_int_equal(review_stats(fx->r)->remaining, NINBOX - 3);

	start(fx);                      /* a new process, the same journal */
	assert_int_equal(journal_decided(fx->j), 3);
	person_init(&p, "hq");
	run_ok(fx, &p);
	assert_int_equal(p.views[0].pos, 4);
	assert_string_equal(p.views[0].id, "c4");
	assert_int_equal(review_stats(fx->r)->hidden, 1);
	assert_int_equal(review_stats(fx->r)->skipped, 0);
	assert_int_equal(review_stats(fx->r)->approved, 0);
	assert_int_equal(review_stats(fx->r)->remaining, 1);

	/* skipped comments count as decided: a gap is resumed too */
	start(fx);
	person_init(&p, "uuq");
	run_ok(fx, &p);
	assert_string_equal(p.views[0].id, "c5");
	assert_string_equal(p.views[1].id, "c4");
	assert_string_equal(p.views[2].id, "c3");
	assert_int_equal(review_stats(fx->r)->hidden, 0);
	assert_int_equal(review_stats(fx->r)->remaining, 3);

	start(fx);
	person_init(&p, "q");
	run_ok(fx, &p);
	assert_string_equal(p.views[0].id, "c3");
	assert_int_equal(p.views[0].pos, 3);
}

/* Unknown keys and ? only print a message. */
static void test_help_and_unknown_keys(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "z?");
	run_ok(fx, &p);
	assert_int_equal(p.nmessages, 2);
	assert_non_null(strstr(p.messages[0], "unknown key"));
	assert_non_null(strstr(p.messages[1], "a approve"));
	assert_int_equal(p.nviews, 3);
	assert_string_equal(p.views[2].id, "c1");
	read_journal(fx);
	assert_int_equal(fx->nlines, 0);
}

/* A batch row's category and reply are what the person first sees. */
static void test_batch_draft(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	fx->items[0].category = "question";
	fx->items[0].reply = "@ann Thanks for asking, see sunnyjuice.example/faq";
	start(fx);
	fx->items[0].category = NULL;
	fx->items[0].reply = NULL;
	person_init(&p, "a");
	run_ok(fx, &p);
	assert_string_equal(p.views[0].category, "question");
	assert_string_equal(p.views[0].reply,
			    "@ann Thanks for asking, see sunnyjuice.example/faq");
	read_journal(fx);
	assert_string_equal(jstr(fx, 0, "reply"),
			    "@ann Thanks for asking, see sunnyjuice.example/faq");
	assert_string_equal(jstr(fx, 0, "category"), "question");
	assert_false(jtrue(fx, 0, "edited"));
}

/*
 * v walks through the variants and comes back to the first: the counter
 * is bounded by the number of variants (it used to count past them).
 */
static void test_variant_wraps(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "vvvs");
	run_ok(fx, &p);
	assert_int_equal(p.views[0].nvariants, 3);
	assert_int_equal(p.views[2].variant, 2);
	assert_int_equal(p.views[3].variant, 0);
	assert_string_equal(p.views[3].template_id, p.views[0].template_id);
}

/* After c, the confidence shown is the new category's, not the old one's. */
static void test_change_category_confidence(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	start(fx);
	person_init(&p, "cs");
	p.choose_index = label_index("question");
	run_ok(fx, &p);
	assert_string_equal(p.views[1].category, "question");
	assert_true(p.views[1].confidence < p.views[0].confidence);
	assert_true(p.views[1].confidence == p.views[1].prob);
	assert_false(p.views[1].uncertain);
}

/*
 * A batch CSV's category is the classifier's guess, not a person's choice:
 * an unsure guess keeps its UNCERTAIN marker and its action is review.
 */
static void test_batch_guess_stays_uncertain(void **state)
{
	struct fixture *fx = fx_of(state);
	struct person p;

	fx->items[0].category = "question";     /* c1 is a complaint */
	start(fx);
	fx->items[0].category = NULL;
	person_init(&p, "s");
	run_ok(fx, &p);
	assert_string_equal(p.views[0].category, "question");
	assert_true(p.views[0].uncertain);
	assert_string_equal(p.views[0].action, "review");
	assert_true(p.views[0].confidence < W.cfg.classifier.min_confidence);
}

/* The journal records the fact a fake_news reply cited, and the flags. */
static void test_journal_fact_and_flags(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char text[] = "they hide the lab test results, pesticides";
	struct person p;
	const cJSON *flags;

	fx->items[0].c.text = text;
	fx->items[0].c.text_len = strlen(text);
	fx->items[0].category = "fake_news";
	start(fx);
	fx->items[0].category = NULL;
	make_items(fx->items);
	person_init(&p, "a");
	run_ok(fx, &p);
	read_journal(fx);
	assert_entry(fx, 0, "c1", "approve");
	assert_string_equal(jstr(fx, 0, "fact"), "lab-tests-2026");
	flags = cJSON_GetObjectItemCaseSensitive(fx->json[0], "flags");
	assert_true(cJSON_IsArray(flags));
	assert_int_equal(cJSON_GetArraySize(flags), 0);
}

/*
 * A person who corrects a safety report into fake_news does not turn it
 * into a correction: the flag comes from the text, so it stays escalated,
 * drafted from _safety, with no fact cited against the person.
 */
static void test_safety_corrected_to_fake_news(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char text[] = "the serum burned my face, heard it is being recalled";
	struct person p;
	const cJSON *flags;

	fx->items[0].c.text = text;
	fx->items[0].c.text_len = strlen(text);
	start(fx);
	make_items(fx->items);
	person_init(&p, "ca");
	p.choose_index = label_index("fake_news");
	run_ok(fx, &p);
	assert_string_equal(p.views[0].action, "escalate");
	assert_string_equal(p.views[1].category, "fake_news");
	assert_string_equal(p.views[1].action, "escalate");
	assert_true(!strncmp(p.views[1].template_id, "en/_safety/", 11));
	read_journal(fx);
	assert_entry(fx, 0, "c1", "approve");
	assert_string_equal(jstr(fx, 0, "category"), "fake_news");
	assert_null(jstr(fx, 0, "fact"));
	flags = cJSON_GetObjectItemCaseSensitive(fx->json[0], "flags");
	assert_int_equal(cJSON_GetArraySize(flags), 1);
	assert_string_equal(cJSON_GetArrayItem(flags, 0)->valuestring, "safety");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_approve),
		T(test_edit_then_approve),
		T(test_edit_unchanged),
		T(test_edit_with_tone_error_needs_confirmation),
		T(test_tone_error_refused_writes_nothing),
		T(test_next_variant),
		T(test_variant_after_edit),
		T(test_change_category),
		T(test_change_category_kept),
		T(test_hide_skip_reject),
		T(test_approve_without_draft_asks),
		T(test_undo),
		T(test_undo_category_change),
		T(test_quit),
		T(test_end_of_input_quits),
		T(test_all_decided_ends),
		T(test_resume),
		T(test_help_and_unknown_keys),
		T(test_batch_draft),
		T(test_variant_wraps),
		T(test_change_category_confidence),
		T(test_batch_guess_stays_uncertain),
		T(test_journal_fact_and_flags),
		T(test_safety_corrected_to_fake_news),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_review REPO_ROOT\n");
		return 2;
	}
	repo_root = argv[1];
	return cmocka_run_group_tests(tests, world_setup, world_teardown);
}

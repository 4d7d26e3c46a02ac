/* review.c - see review.h. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the person did to the current comment before deciding. */
struct pending {
	char category[NB_LABEL_MAX + 1];        /* "" unless changed */
	char original[NB_LABEL_MAX + 1];
	unsigned variant;
	char *reply;                            /* edited text, or NULL */
};

/* A decision of this session, so undo can take back its counts. */
struct made {
	size_t item;
	char decision[8];
	int edited, override, changed;
};

struct review {
	struct review_item *items;
	size_t n;
	struct suggester *sg;
	struct journal *j;
	const char *approver;
	const char *const *labels;
	size_t nlabels;
	char **final_category, **final_reply;
	char **final_template, **final_action;
	int *final_tone;                /* -1: none */
	struct made *made;
	size_t nmade, capmade;
	struct review_stats stats;
};

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

struct review *review_new(const struct review_item *items, size_t n,
			  struct suggester *sg, struct journal *j,
			  const char *approver, const char *const *labels,
			  size_t nlabels, struct cd_error *err)
{
	struct review *r = calloc(1, sizeof(*r));
	size_t i;

	if (!r)
		goto nomem;
	r->n = n;
	r->sg = sg;
	r->j = j;
	r->approver = approver;
	r->labels = labels;
	r->nlabels = nlabels;
	r->items = calloc(n ? n : 1, sizeof(*r->items));
	r->final_category = calloc(n ? n : 1, sizeof(char *));
	r->final_reply = calloc(n ? n : 1, sizeof(char *));
	r->final_template = calloc(n ? n : 1, sizeof(char *));
	r->final_action = calloc(n ? n : 1, sizeof(char *));
	r->final_tone = malloc((n ? n : 1) * sizeof(int));
	if (!r->final_template || !r->final_action || !r->final_tone)
		goto nomem;
	for (i = 0; i < n; i++)
		r->final_tone[i] = -1;
	if (!r->items || !r->final_category || !r->final_reply)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct review_item *d = &r->items[i];
		const struct review_item *s = &items[i];

		d->c = s->c;
		d->c.id = dup0(s->c.id);
		d->c.text = malloc(s->c.text_len + 1);
		if (d->c.text) {
			memcpy((char *)d->c.text, s->c.text, s->c.text_len);
			((char *)d->c.text)[s->c.text_len] = '\0';
		}
		d->c.author = dup0(s->c.author);
		d->c.lang = dup0(s->c.lang);
		d->c.created_at = dup0(s->c.created_at);
		d->c.video_id = dup0(s->c.video_id);
		d->c.parent_id = dup0(s->c.parent_id);
		d->category = s->category ? strdup(s->category) : NULL;
		d->reply = s->reply ? strdup(s->reply) : NULL;
		if (!d->c.id || !d->c.text || !d->c.author || !d->c.lang ||
		    !d->c.created_at || !d->c.video_id || !d->c.parent_id ||
		    (s->category && !d->category) || (s->reply && !d->reply)) {
			r->n = i + 1;
			goto nomem;
		}
	}
	return r;
nomem:
	review_free(r);
	cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	return NULL;
}

void review_free(struct review *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->items && i < r->n; i++) {
		struct review_item *d = &r->items[i];

		free((char *)d->c.id);
		free((char *)d->c.text);
		free((char *)d->c.author);
		free((char *)d->c.lang);
		free((char *)d->c.created_at);
		free((char *)d->c.video_id);
		free((char *)d->c.parent_id);
		free((char *)d->category);
		free((char *)d->reply);
		if (r->final_category)
			free(r->final_category[i]);
		if (r->final_reply)
			free(r->final_reply[i]);
		if (r->final_template)
			free(r->final_template[i]);
		if (r->final_action)
			free(r->final_action[i]);
	}
	free(r->items);
	free(r->final_category);
	free(r->final_reply);
	free(r->final_template);
	free(r->final_action);
	free(r->final_tone);
	free(r->made);
	free(r);
}

const struct review_stats *review_stats(const struct review *r)
{
	return &r->stats;
}

const char *review_decision(const struct review *r, size_t i)
{
	const char *d = i < r->n ? journal_decision(r->j, r->items[i].c.id) : NULL;

	return d ? d : "";
}

/* This session's choice, else what the journal holds from an earlier one. */
const char *review_final_category(const struct review *r, size_t i)
{
	struct journal_record rec;

	if (i >= r->n)
		return NULL;
	if (r->final_category[i])
		return r->final_category[i];
	return journal_get(r->j, r->items[i].c.id, &rec) ? rec.category : NULL;
}

const char *review_final_reply(const struct review *r, size_t i)
{
	struct journal_record rec;

	if (i >= r->n)
		return NULL;
	if (r->final_reply[i])
		return r->final_reply[i];
	return journal_get(r->j, r->items[i].c.id, &rec) ? rec.reply : NULL;
}

const char *review_final_template(const struct review *r, size_t i)
{
	return i < r->n ? r->final_template[i] : NULL;
}

const char *review_final_action(const struct review *r, size_t i)
{
	return i < r->n ? r->final_action[i] : NULL;
}

int review_final_tone_score(const struct review *r, size_t i)
{
	return i < r->n ? r->final_tone[i] : -1;
}

static void count(struct review_stats *st, const struct made *m, int delta)
{
	size_t *c = !strcmp(m->decision, "approve") ? &st->approved :
		    !strcmp(m->decision, "skip") ? &st->skipped :
		    !strcmp(m->decision, "hide") ? &st->hidden : &st->rejected;

	*c = (size_t)((long)*c + delta);
	if (m->edited)
		st->edited = (size_t)((long)st->edited + delta);
	if (m->override)
		st->overridden = (size_t)((long)st->overridden + delta);
	if (m->changed)
		st->changed = (size_t)((long)st->changed + delta);
}

static int has_error(const struct suggestion *g)
{
	size_t i;

	for (i = 0; g->toned && i < g->tone.n; i++)
		if (g->tone.f[i].severity == TONE_ERROR)
			return 1;
	return 0;
}

static void set_final(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? strdup(v) : NULL;
}

/* Record a decision on item i; 0 or the journal's error status. */
static int decide(struct review *r, size_t i, const char *decision,
		  const struct suggestion *g, const struct pending *p,
		  int override, struct cd_error *err)
{
	struct journal_entry e;
	char flags[32];
	struct made *m;
	int rc;

	memset(&e, 0, sizeof(e));
	e.id = r->items[i].c.id;
	e.video_id = r->items[i].c.video_id;
	e.decision = decision;
	e.category = g->category;
	e.original_category = p->category[0] ? p->original : NULL;
	e.template_id = g->template_id;
	e.fact = g->fact ? g->fact->name : NULL;
	suggest_flags_text(g->flags, flags, sizeof(flags));
	e.flags = flags;
	e.reply = g->reply;
	e.edited = p->reply != NULL;
	e.override = override;
	e.tone = g->toned ? &g->tone : NULL;
	e.approver = r->approver;
	e.text = r->items[i].c.text;
	if (r->nmade == r->capmade) {
		size_t cap = r->capmade ? r->capmade * 2 : 64;
		struct made *nm = realloc(r->made, cap * sizeof(*nm));

		if (!nm)
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		r->made = nm;
		r->capmade = cap;
	}
	rc = journal_append(r->j, &e, err);
	if (rc)
		return rc;
	m = &r->made[r->nmade++];
	m->item = i;
	snprintf(m->decision, sizeof(m->decision), "%s", decision);
	m->edited = e.edited;
	m->override = override;
	m->changed = e.original_category != NULL;
	count(&r->stats, m, +1);
	set_final(&r->final_category[i], g->category);
	set_final(&r->final_reply[i], g->reply);
	set_final(&r->final_template[i], g->template_id);
	set_final(&r->final_action[i], g->action);
	r->final_tone[i] = g->toned ? g->tone.score : -1;
	return 0;
}

static void pending_reset(struct pending *p)
{
	free(p->reply);
	memset(p, 0, sizeof(*p));
}

static size_t find_item(const struct review *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].c.id, id))
			return i;
	return r->n;
}

static const char help[] =
	"a approve  e edit  v next variant  c change category  h hide  "
	"s skip  r reject  u undo  ? help  q quit";

/* Undo the latest standing decision; returns the item to show next. */
static int undo(struct review *r, size_t *i, struct cd_error *err)
{
	struct journal_entry e;
	const char *id = journal_last_id(r->j);
	size_t k;
	int rc;

	if (!id)
		return 1;
	k = find_item(r, id);
	memset(&e, 0, sizeof(e));
	e.id = id;
	e.decision = "undo";
	e.approver = r->approver;
	rc = journal_append(r->j, &e, err);
	if (rc)
		return rc;
	if (r->nmade && r->made[r->nmade - 1].item == k) {
		r->nmade--;
		count(&r->stats, &r->made[r->nmade], -1);
	}
	if (k < r->n) {
		set_final(&r->final_category[k], NULL);
		set_final(&r->final_reply[k], NULL);
		set_final(&r->final_template[k], NULL);
		set_final(&r->final_action[k], NULL);
		r->final_tone[k] = -1;
		*i = k;
	}
	return 0;
}

int review_run(struct review *r, const struct review_io *io,
	       struct cd_error *err)
{
	struct pending p;
	size_t i = 0, k;
	int rc = 0, quit = 0;

	memset(&p, 0, sizeof(p));
	while (!quit) {
		const struct suggestion *g;
		struct review_view v;
		int key;

		while (i < r->n && journal_decision(r->j, r->items[i].c.id))
			i++;
		if (i >= r->n)
			break;
		if (p.category[0] || !r->items[i].category)
			rc = suggester_run(r->sg, &r->items[i].c,
					   p.category[0] ? p.category : NULL,
					   p.variant, &g, err);
		else            /* the batch's guess, still a guess */
			rc = suggester_run_guess(r->sg, &r->items[i].c,
						 r->items[i].category, p.variant,
						 &g, err);
		if (!rc && p.reply)
			rc = suggester_set_reply(r->sg, &r->items[i].c, p.reply,
						 strlen(p.reply), err);
		else if (!rc && r->items[i].reply && !p.category[0] && !p.variant)
			rc = suggester_set_reply(r->sg, &r->items[i].c,
						 r->items[i].reply,
						 strlen(r->items[i].reply), err);
		if (rc) {
			io->message(io->ctx, err->msg);
			rc = 0;
			i++;
			pending_reset(&p);
			continue;
		}
		memset(&v, 0, sizeof(v));
		v.pos = i + 1;
		v.total = r->n;
		v.comment = &r->items[i].c;
		v.g = g;
		v.original_category = p.category[0] ? p.original : NULL;
		v.edited = p.reply != NULL;
		v.variant = p.variant;
		v.nvariants = g->nvariants;
		io->show(io->ctx, &v);
		key = io->key(io->ctx);
		switch (key) {
		case 'a': {
			int override = has_error(g);

			if (override && !io->confirm(io->ctx,
					"this reply has error-level tone findings; "
					"approve it anyway?"))
				break;
			if (!g->reply_len && !io->confirm(io->ctx,
					"there is no reply to post; approve "
					"anyway?"))
				break;
			rc = decide(r, i, "approve", g, &p, override, err);
			pending_reset(&p);
			break;
		}
		case 'e': {
			char *edited = io->edit(io->ctx, g->reply);

			if (edited) {
				free(p.reply);
				p.reply = edited;
			}
			break;
		}
		case 'v':
			/* bounded: after the last variant comes the first */
			p.variant = g->nvariants > 1 ?
				    (p.variant + 1) % (unsigned)g->nvariants : 0;
			/*
			 * Fix: drop an edit, as c does.  The edited text used to
			 * stay, shown and recorded under the next variant's
			 * template id, so v seemed to do nothing.
			 */
			free(p.reply);
			p.reply = NULL;
			break;
		case 'c': {
			int c = io->choose(io->ctx, r->labels, r->nlabels,
					   g->category);

			if (c >= 0 && (size_t)c < r->nlabels &&
			    strcmp(r->labels[c], g->category)) {
				if (!p.category[0])
					snprintf(p.original, sizeof(p.original), "%s",
						 g->category);
				snprintf(p.category, sizeof(p.category), "%s",
					 r->labels[c]);
				if (!strcmp(p.category, p.original))
					p.category[0] = '\0';
				p.variant = 0;
				free(p.reply);
				p.reply = NULL;
			}
			break;
		}
		case 'h':
			rc = decide(r, i, "hide", g, &p, 0, err);
			pending_reset(&p);
			break;
		case 's':
			rc = decide(r, i, "skip", g, &p, 0, err);
			pending_reset(&p);
			break;
		case 'r':
			rc = decide(r, i, "reject", g, &p, 0, err);
			pending_reset(&p);
			break;
		case 'u':
			pending_reset(&p);
			rc = undo(r, &i, err);
			if (rc == 1) {
				io->message(io->ctx, "nothing to undo");
				rc = 0;
			}
			break;
		case '?':
			io->message(io->ctx, help);
			break;
		case 'q':
		case -1:
			quit = 1;
			break;
		default:
			io->message(io->ctx, "unknown key; press ? for help");
		}
		if (rc)
			break;
	}
	pending_reset(&p);
	r->stats.remaining = 0;
	for (k = 0; k < r->n; k++)
		if (!journal_decision(r->j, r->items[k].c.id))
			r->stats.remaining++;
	return rc;
}

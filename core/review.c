/* review.c - see review.h. */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * One comment of the session.  Slots are allocated one by one, so their
 * addresses stay put while the queue grows under a running session.
 */
struct slot {
	struct review_item it;
	struct queue_key key;           /* for the order: set when keyed */
	int keyed;
	int broken;                     /* the suggester refused it */
	char *final_category, *final_reply, *final_template, *final_action;
	int final_tone;                 /* -1: none */
};

struct review {
	struct slot **s;
	size_t n, cap;
	struct suggester *sg;
	struct journal *j;
	const char *approver;
	const char *const *labels;
	size_t nlabels;
	struct made *made;
	size_t nmade, capmade;
	struct review_stats stats;
	int ordered;                    /* queue params set */
	struct queue_params qp;
	int64_t (*now)(void);
	int input_done;
	size_t arrived;                 /* added since the last show */
	long lease;                     /* team: seconds a claim holds; 0 off */
	const char *team;               /* escalations go to (names) */
	size_t claimed;                 /* the item this session holds */
	size_t shown;                   /* the item on screen */
	int64_t claimed_at;
};

#define ITEM(r, i) (&(r)->s[i]->it)

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void slot_free(struct slot *d)
{
	if (!d)
		return;
	free((char *)d->it.c.id);
	free((char *)d->it.c.text);
	free((char *)d->it.c.author);
	free((char *)d->it.c.lang);
	free((char *)d->it.c.created_at);
	free((char *)d->it.c.video_id);
	free((char *)d->it.c.parent_id);
	free((char *)d->it.category);
	free((char *)d->it.reply);
	free(d->final_category);
	free(d->final_reply);
	free(d->final_template);
	free(d->final_action);
	free(d);
}

static int64_t wall_clock(void)
{
	return (int64_t)time(NULL);
}

int review_add(struct review *r, const struct review_item *src,
	       struct cd_error *err)
{
	struct slot *d;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct slot **ns = realloc(r->s, cap * sizeof(*ns));

		if (!ns)
			goto nomem;
		r->s = ns;
		r->cap = cap;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->final_tone = -1;
	d->it.c = src->c;
	d->it.c.id = dup0(src->c.id);
	d->it.c.text = malloc(src->c.text_len + 1);
	if (d->it.c.text) {
		memcpy((char *)d->it.c.text, src->c.text, src->c.text_len);
		((char *)d->it.c.text)[src->c.text_len] = '\0';
	}
	d->it.c.author = dup0(src->c.author);
	d->it.c.lang = dup0(src->c.lang);
	d->it.c.created_at = dup0(src->c.created_at);
	d->it.c.video_id = dup0(src->c.video_id);
	d->it.c.parent_id = dup0(src->c.parent_id);
	d->it.category = src->category ? strdup(src->category) : NULL;
	d->it.reply = src->reply ? strdup(src->reply) : NULL;
	d->key.since = src->c.created_ts > 0 ? src->c.created_ts : r->now();
	d->key.likes = src->c.likes;
	d->key.replies = -1;
	if (!d->it.c.id || !d->it.c.text || !d->it.c.author ||
	    !d->it.c.lang || !d->it.c.created_at || !d->it.c.video_id ||
	    !d->it.c.parent_id || (src->category && !d->it.category) ||
	    (src->reply && !d->it.reply)) {
		slot_free(d);
		goto nomem;
	}
	r->s[r->n++] = d;
	r->arrived++;
	return 0;
nomem:
	return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
}

void review_set_team(struct review *r, long lease, const char *team)
{
	r->lease = lease;
	r->team = team;
}

void review_expect_more(struct review *r)
{
	r->input_done = 0;
}

void review_input_done(struct review *r)
{
	r->input_done = 1;
}

void review_set_queue(struct review *r, const struct queue_params *p,
		      int64_t (*now)(void))
{
	r->ordered = p != NULL;
	if (p)
		r->qp = *p;
	r->now = now ? now : wall_clock;
}

size_t review_count(const struct review *r)
{
	return r->n;
}

struct review *review_new(const struct review_item *items, size_t n,
			  struct suggester *sg, struct journal *j,
			  const char *approver, const char *const *labels,
			  size_t nlabels, struct cd_error *err)
{
	struct review *r = calloc(1, sizeof(*r));
	size_t i;

	if (!r) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	r->sg = sg;
	r->j = j;
	r->approver = approver;
	r->labels = labels;
	r->nlabels = nlabels;
	r->now = wall_clock;
	r->input_done = 1;      /* until the caller says more may come */
	r->claimed = (size_t)-1;
	r->shown = (size_t)-1;
	for (i = 0; i < n; i++)
		if (review_add(r, &items[i], err)) {
			review_free(r);
			return NULL;
		}
	return r;
}

void review_free(struct review *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		slot_free(r->s[i]);
	free(r->s);
	free(r->made);
	free(r);
}

const struct review_stats *review_stats(const struct review *r)
{
	return &r->stats;
}

const char *review_decision(const struct review *r, size_t i)
{
	const char *d = i < r->n ? journal_decision(r->j, ITEM(r, i)->c.id) : NULL;

	return d ? d : "";
}

/* This session's choice, else what the journal holds from an earlier one. */
const char *review_final_category(const struct review *r, size_t i)
{
	struct journal_record rec;

	if (i >= r->n)
		return NULL;
	if (r->s[i]->final_category)
		return r->s[i]->final_category;
	return journal_get(r->j, ITEM(r, i)->c.id, &rec) ? rec.category : NULL;
}

const char *review_final_reply(const struct review *r, size_t i)
{
	struct journal_record rec;

	if (i >= r->n)
		return NULL;
	if (r->s[i]->final_reply)
		return r->s[i]->final_reply;
	return journal_get(r->j, ITEM(r, i)->c.id, &rec) ? rec.reply : NULL;
}

const char *review_final_template(const struct review *r, size_t i)
{
	return i < r->n ? r->s[i]->final_template : NULL;
}

const char *review_final_action(const struct review *r, size_t i)
{
	return i < r->n ? r->s[i]->final_action : NULL;
}

int review_final_tone_score(const struct review *r, size_t i)
{
	return i < r->n ? r->s[i]->final_tone : -1;
}

static void count(struct review_stats *st, const struct made *m, int delta)
{
	size_t *c = !strcmp(m->decision, "approve") ? &st->approved :
		    !strcmp(m->decision, "skip") ? &st->skipped :
		    !strcmp(m->decision, "hide") ? &st->hidden :
		    !strcmp(m->decision, "escalate") ? &st->escalated :
		    &st->rejected;

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
	e.id = ITEM(r, i)->c.id;
	e.video_id = ITEM(r, i)->c.video_id;
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
	e.text = ITEM(r, i)->c.text;
	e.exclusive = 1;          /* never over a teammate's decision */
	e.now = r->now();
	if (!strcmp(decision, "escalate"))
		e.to = r->team && *r->team ? r->team : "the crisis team";
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
	set_final(&r->s[i]->final_category, g->category);
	set_final(&r->s[i]->final_reply, g->reply);
	set_final(&r->s[i]->final_template, g->template_id);
	set_final(&r->s[i]->final_action, g->action);
	r->s[i]->final_tone = g->toned ? g->tone.score : -1;
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
		if (!strcmp(ITEM(r, i)->c.id, id))
			return i;
	return r->n;
}

static const char help[] =
	"a approve  e edit  v next variant  c change category  h hide  "
	"x escalate  s skip  r reject  u undo  ? help  q quit";

/* Undo the latest standing decision; returns the item to show next. */
static int undo(struct review *r, size_t *i, struct cd_error *err)
{
	struct journal_entry e;
	/* in a team, u takes back this reviewer's own latest decision */
	const char *id = r->lease ? journal_last_id_by(r->j, r->approver) :
		    journal_last_id(r->j);
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
		set_final(&r->s[k]->final_category, NULL);
		set_final(&r->s[k]->final_reply, NULL);
		set_final(&r->s[k]->final_template, NULL);
		set_final(&r->s[k]->final_action, NULL);
		r->s[k]->final_tone = -1;
		*i = k;
	}
	return 0;
}

/* The suggestion for item i as the person has shaped it so far. */
static int suggest_item(struct review *r, size_t i, const struct pending *p,
			const struct suggestion **g, struct cd_error *err)
{
	const struct review_item *it = ITEM(r, i);
	int rc;

	if (p->category[0] || !it->category)
		rc = suggester_run(r->sg, &it->c, p->category[0] ? p->category
					: NULL, p->variant, g, err);
	else            /* the batch's guess, still a guess */
		rc = suggester_run_guess(r->sg, &it->c, it->category,
					 p->variant, g, err);
	if (!rc && p->reply)
		rc = suggester_set_reply(r->sg, &it->c, p->reply,
					 strlen(p->reply), err);
	else if (!rc && it->reply && !p->category[0] && !p->variant)
		rc = suggester_set_reply(r->sg, &it->c, it->reply,
					 strlen(it->reply), err);
	return rc;
}

/*
 * The order's view of item i: its flags and category come from the
 * suggester (once, the first time the item is looked at).  An item the
 * suggester refuses sorts last.
 */
static const struct queue_key *key_of(struct review *r, size_t i)
{
	struct slot *d = r->s[i];
	static const struct pending none;
	const struct suggestion *g;
	struct cd_error err;

	if (!d->keyed) {
		d->keyed = 1;
		if (!suggest_item(r, i, &none, &g, &err)) {
			d->key.flags = g->flags;
			d->key.category = g->category;  /* a model label: lives on */
		} else {
			d->key.category = NULL;
		}
	}
	return &d->key;
}

static int undecided(const struct review *r, size_t i)
{
	return !journal_decision(r->j, ITEM(r, i)->c.id);
}

/* Another reviewer holds item i (a team on one journal). */
static int held_by_other(const struct review *r, size_t i, int64_t now)
{
	const char *who;

	if (!r->lease)
		return 0;
	who = journal_claimed_by(r->j, ITEM(r, i)->c.id, now);
	return who && strcmp(who, r->approver);
}

/* The next comment to show: the most urgent waiting one; r->n if none. */
static size_t pick(struct review *r, size_t *waiting)
{
	size_t i, best = r->n;
	int64_t now = r->now();
	struct cd_error err;

	*waiting = 0;
	if (r->lease)
		journal_refresh(r->j, &err);    /* what the team did meanwhile */
	for (i = 0; i < r->n; i++) {
		if (!undecided(r, i) || r->s[i]->broken ||
		    held_by_other(r, i, now))
			continue;
		++*waiting;
		if (!r->ordered) {
			if (best == r->n)
				best = i;
			continue;
		}
		if (best == r->n ||
		    queue_cmp(&r->qp, key_of(r, i), key_of(r, best)) < 0)
			best = i;
	}
	return best;
}

/*
 * Hold item i for this reviewer: claim it when it is new on screen, and
 * renew the claim when half the lease has passed.  0, JOURNAL_TAKEN, or
 * the journal's error.
 */
static int hold(struct review *r, size_t i, struct cd_error *err)
{
	int64_t now = r->now();
	int rc;

	if (i == r->claimed && now - r->claimed_at < r->lease / 2)
		return 0;
	rc = journal_claim(r->j, ITEM(r, i)->c.id, r->approver, now, r->lease,
			   err);
	if (!rc) {
		r->claimed = i;
		r->claimed_at = now;
	}
	return rc;
}

int review_run(struct review *r, const struct review_io *io,
	       struct cd_error *err)
{
	struct pending p;
	size_t i = r->n, k, waiting = 0;
	int rc = 0, quit = 0;
	char why[256];

	memset(&p, 0, sizeof(p));
	while (!quit) {
		const struct suggestion *g;
		struct review_view v;
		int key;

		/* the comment on screen stays until it is decided */
		if (i >= r->n || !undecided(r, i) || r->s[i]->broken ||
		    held_by_other(r, i, r->now())) {
			pending_reset(&p);
			i = pick(r, &waiting);
		} else {
			pick(r, &waiting);      /* for the count only */
		}
		if (i < r->n && r->lease) {
			rc = hold(r, i, err);
			if (rc == JOURNAL_TAKEN) {      /* a teammate was faster */
				rc = 0;
				i = r->n;
				continue;
			}
			if (rc)
				break;
		}
		if (i >= r->n) {
			if (r->input_done || !io->wait)
				break;
			key = io->wait(io->ctx, journal_decided(r->j));
			if (key < 0)
				quit = 1;
			else if (key == 0)
				r->input_done = 1;
			continue;
		}
		rc = suggest_item(r, i, &p, &g, err);
		if (rc) {
			/* cannot be drafted (bad text): left undecided */
			io->message(io->ctx, err->msg);
			rc = 0;
			r->s[i]->broken = 1;
			continue;
		}
		memset(&v, 0, sizeof(v));
		v.pos = i + 1;
		v.total = r->n;
		v.waiting = waiting;
		if (i != r->shown) {    /* a new comment on screen: a fresh look */
			r->shown = i;
			r->arrived = 0;
		}
		v.arrived = r->arrived;
		v.more = !r->input_done && io->wait;
		why[0] = '\0';
		if (r->ordered) {
			const struct queue_key *qk = key_of(r, i);
			int64_t now = r->now();

			queue_why(&r->qp, qk, now, why, sizeof(why));
			v.overdue = queue_overdue(&r->qp, qk, now);
		}
		v.why = why;
		v.comment = &ITEM(r, i)->c;
		v.g = g;
		v.original_category = p.category[0] ? p.original : NULL;
		v.edited = p.reply != NULL;
		v.variant = p.variant;
		v.nvariants = g->nvariants;
		io->show(io->ctx, &v);
		key = io->key(io->ctx);
		if (key != REVIEW_KEY_NEWS)
			r->arrived = 0;         /* the person has looked */
		switch (key) {
		case REVIEW_KEY_NEWS:   /* comments arrived: redraw the counts */
			break;
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
		case 'x': {
			char to[256];

			snprintf(to, sizeof(to), "%s", r->team && *r->team ?
				 r->team : "the crisis team");
			rc = decide(r, i, "escalate", g, &p, 0, err);
			if (!rc && io->escalated)
				io->escalated(io->ctx, &v, to);
			pending_reset(&p);
			break;
		}
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
		if (rc == JOURNAL_TAKEN && r->lease) {
			io->message(io->ctx, err->msg);     /* not ours any more */
			rc = 0;
			pending_reset(&p);
		}
		if (rc)
			break;
	}
	if (r->lease && r->claimed < r->n && undecided(r, r->claimed)) {
		struct cd_error rerr;   /* give it back to the team at once */

		journal_release(r->j, ITEM(r, r->claimed)->c.id, r->approver,
				&rerr);
	}
	pending_reset(&p);
	r->stats.remaining = 0;
	for (k = 0; k < r->n; k++)
		if (undecided(r, k))
			r->stats.remaining++;
	return rc;
}

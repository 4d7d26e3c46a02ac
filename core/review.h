/*
 * review.h - the review session: one comment at a time, a person decides.
 *
 * The session is a state machine that talks to the person only through
 * struct review_io, so the terminal lives in cmd/ and tests can script a
 * user.  Every decision goes to the journal (fsync'd) before the next
 * comment is shown; a session opened on a journal that already holds
 * decisions starts at the first undecided comment.
 *
 * Keys: a approve, e edit, v next variant, c change category, h hide,
 * x escalate to the crisis team, s skip, r reject (no reply), u undo the
 * last decision, ? help, q quit.
 * Approving a reply with error-level tone findings asks for a second
 * confirmation and is recorded as an override.
 *
 * The queue is live: review_add() puts a comment in while the session
 * runs (from inside io->key or io->wait, as the terminal side reads a
 * pipe), and with queue params set (review_set_queue) the person always
 * gets the most urgent waiting comment next (core/queue.h: flags, the
 * category's weight, reach, age), with the reason on screen.  Without
 * them comments come in arrival order.  When nothing is waiting and more
 * may come, io->wait is called; review_input_done() says no more will.
 *
 * Ownership: review_new() and review_add() copy the comments they are
 * given; the session borrows the suggester, the journal and the labels,
 * which must outlive it.
 */
#ifndef CANDOR_REVIEW_H
#define CANDOR_REVIEW_H

#include <stddef.h>

#include "comment.h"
#include "error.h"
#include "journal.h"
#include "queue.h"
#include "suggest.h"

/* What the person sees for the current comment. */
struct review_view {
	size_t pos, total;              /* 1-based position, number of comments */
	size_t waiting;                 /* undecided, this one included */
	size_t arrived;                 /* comments added since the person's
					   last key */
	int more;                       /* more comments may still arrive */
	const char *why;                /* why this one is next ("" in arrival
					   order) */
	int overdue;                    /* waited past its due time */
	const struct comment *comment;
	const struct suggestion *g;     /* category, confidence, draft, tone */
	const char *original_category;  /* non-NULL after a change */
	int edited;
	unsigned variant;               /* 0 .. nvariants - 1 */
	size_t nvariants;               /* variants that fit this comment */
};

struct review_io {
	void *ctx;
	/* Draw the current comment. */
	void (*show)(void *ctx, const struct review_view *v);
	/* The next key; -1 when input ended (treated as quit). */
	int (*key)(void *ctx);
	/* Edit reply; a malloc'd new text (freed by the session) or NULL. */
	char *(*edit)(void *ctx, const char *reply);
	/* Pick one of labels; its index, or -1 to keep the current one. */
	int (*choose)(void *ctx, const char *const *labels, size_t n,
		      const char *current);
	/* Yes or no. */
	int (*confirm)(void *ctx, const char *question);
	/* A one-line message (help, errors, what happened). */
	void (*message)(void *ctx, const char *msg);
	/*
	 * Nothing is waiting but more comments may come (NULL: the input is
	 * complete).  Wait for them: 1 when some arrived (review_add), 0 when
	 * the input ended, -1 when the person quits.  decided is the number
	 * of decisions in the journal so far.
	 */
	int (*wait)(void *ctx, size_t decided);
	/* The comment was escalated (x) to `to` (NULL: nothing to do). */
	void (*escalated)(void *ctx, const struct review_view *v,
			  const char *to);
};

/* From io->key: no key, but comments arrived; the screen is redrawn. */
#define REVIEW_KEY_NEWS 0x100

/* One input comment, optionally with a draft from a batch CSV. */
struct review_item {
	struct comment c;
	const char *category;           /* from batch: the category column (a
					   guess: uncertain stays uncertain) */
	const char *reply;              /* from batch: the reply column */
};

struct review_stats {
	size_t approved, edited, skipped, hidden, rejected, overridden;
	size_t escalated;               /* handed to the crisis team (x) */
	size_t changed;                 /* category corrections */
	size_t remaining;               /* undecided when the session ended */
};

struct review;

struct review *review_new(const struct review_item *items, size_t n,
			  struct suggester *sg, struct journal *j,
			  const char *approver, const char *const *labels,
			  size_t nlabels, struct cd_error *err);
void review_free(struct review *r);

/* One more comment for the queue (copied); 0 or CD_ERR_NOMEM. */
int review_add(struct review *r, const struct review_item *item,
	       struct cd_error *err);
/*
 * More comments may be added while the session runs (a live input): when
 * nothing is waiting, review_run() calls io->wait instead of ending.
 * review_input_done() says no more will come.
 */
void review_expect_more(struct review *r);
void review_input_done(struct review *r);
/*
 * Order the queue by p (copied), with now() as the clock (NULL: time());
 * p NULL restores arrival order.
 */
void review_set_queue(struct review *r, const struct queue_params *p,
		      int64_t (*now)(void));
/*
 * Work as one of a team on a shared journal (journal.h): claim each
 * comment for `lease` seconds before showing it, skip what teammates hold
 * or decided, and refuse a decision a teammate made first.  team names
 * whom `x` escalates to (recorded as "to").  lease 0: alone (the default).
 */
void review_set_team(struct review *r, long lease, const char *team);

/* Comments in the session (any order, decided or not). */
size_t review_count(const struct review *r);

/*
 * Run until every comment is decided or the person quits.  Returns 0, or
 * a negative status when the journal cannot be written (the session stops
 * at once then: a decision that cannot be kept is not shown as made).
 */
int review_run(struct review *r, const struct review_io *io,
	       struct cd_error *err);

const struct review_stats *review_stats(const struct review *r);

/* The standing decision on item i ("" when undecided), for batch output. */
const char *review_decision(const struct review *r, size_t i);
/*
 * The category and reply the person settled on for item i, in this session
 * or an earlier one on the same journal (NULL if none).
 */
const char *review_final_category(const struct review *r, size_t i);
const char *review_final_reply(const struct review *r, size_t i);
/*
 * The template, action and tone score of the draft the person settled on
 * for item i in this session (NULL, NULL and -1 when none), so a batch
 * CSV written back shows what was decided, not the stale draft.
 */
const char *review_final_template(const struct review *r, size_t i);
const char *review_final_action(const struct review *r, size_t i);
int review_final_tone_score(const struct review *r, size_t i);

#endif

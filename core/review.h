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
 * s skip, r reject (no reply), u undo the last decision, ? help, q quit.
 * Approving a reply with error-level tone findings asks for a second
 * confirmation and is recorded as an override.
 *
 * Ownership: review_new() copies the comments it is given; it borrows the
 * suggester, the journal and the labels, which must outlive it.
 */
#ifndef CANDOR_REVIEW_H
#define CANDOR_REVIEW_H

#include <stddef.h>

#include "comment.h"
#include "error.h"
#include "journal.h"
#include "suggest.h"

/* What the person sees for the current comment. */
struct review_view {
	size_t pos, total;              /* 1-based position, number of comments */
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
};

/* One input comment, optionally with a draft from a batch CSV. */
struct review_item {
	struct comment c;
	const char *category;           /* from batch: the category column (a
					   guess: uncertain stays uncertain) */
	const char *reply;              /* from batch: the reply column */
};

struct review_stats {
	size_t approved, edited, skipped, hidden, rejected, overridden;
	size_t changed;                 /* category corrections */
	size_t remaining;               /* undecided when the session ended */
};

struct review;

struct review *review_new(const struct review_item *items, size_t n,
			  struct suggester *sg, struct journal *j,
			  const char *approver, const char *const *labels,
			  size_t nlabels, struct cd_error *err);
void review_free(struct review *r);

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

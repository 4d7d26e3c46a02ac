/*
 * category.h - what each category means, as data: the action a comment
 * of it gets, what its reply must hold, whether its draft cites a fact.
 *
 * The taxonomy is data (SPEC section 2): a team may train its own labels,
 * and a label's behaviour comes from this table, not from its name in the
 * code.  The defaults are the shipped taxonomy's; the config's
 * [category.NAME] sections change or add rows (docs/usage.md,
 * "[category.NAME]"):
 *
 *   [category.fake_news]
 *   action = reply+escalate     ; reply, reply+escalate, hide,
 *                               ; hide+escalate, none or review
 *   require = fact source       ; the tone check's `required` elements:
 *                               ; ack, next_step, fact, source (or none)
 *   cite_fact = yes             ; draft only by citing a fact of the sheet
 *   echo_claim = yes            ; tone `echo` also flags the comment's claim
 *
 * A category with no row (a team's own label without a section) gets
 * action reply when it has a template, else review, and no requirement.
 */
#ifndef CANDOR_CATEGORY_H
#define CANDOR_CATEGORY_H

#include <stddef.h>

#include "error.h"

#define CATEGORY_NAME_MAX 64            /* bytes of a name, with its NUL */
#define CATEGORY_MAX 64                 /* rows in a table (NB_MAX_LABELS) */

/* The elements a reply of the category must hold (tone rule `required`). */
enum {
	CATEGORY_REQ_ACK = 1,           /* an acknowledgement (ack.txt) */
	CATEGORY_REQ_NEXT = 2,          /* a next step: next.txt, a link or
					   contact details */
	CATEGORY_REQ_FACT = 4,          /* a fact: fact.txt, a number or a
					   statement of substance */
	CATEGORY_REQ_SOURCE = 8         /* a source link */
};

struct category {
	char name[CATEGORY_NAME_MAX];
	char action[16];                /* reply, reply+escalate, hide,
					   hide+escalate, none, review */
	unsigned require;               /* CATEGORY_REQ_* */
	int cite_fact;                  /* the draft cites a fact of the sheet;
					   with none on file there is no draft
					   (a person writes the correction) */
	int echo_claim;                 /* tone `echo` flags 3+ content words
					   of the comment (its false claim) */
};

struct categories {
	struct category row[CATEGORY_MAX];
	size_t n;
};

/* The shipped taxonomy's rows (the defaults of a config). */
void categories_default(struct categories *t);

/* The built-in defaults, for a caller without a config. */
const struct categories *categories_builtin(void);

/* The row of name, or NULL (t NULL: the built-in defaults). */
const struct category *categories_find(const struct categories *t,
				       const char *name);

/*
 * Set key (action, require, cite_fact, echo_claim) of name's row to value,
 * adding the row (no action: reply/review as above) when it is new.
 * 0, or CD_ERR_CONFIG with err->msg saying what is wrong (without a file
 * name: the config adds it).
 */
int categories_set(struct categories *t, const char *name, const char *key,
		   const char *value, struct cd_error *err);

#endif

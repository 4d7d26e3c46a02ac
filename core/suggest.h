/*
 * suggest.h - from one comment to one suggestion: the product's pipeline.
 *
 * classify (naive Bayes) -> pick the language -> choose a template variant
 * -> for fake_news, find a valid fact -> render -> tone check.  suggest,
 * batch and review all go through here, so a comment gets the same draft
 * whichever way it came in.
 *
 * Ownership: the suggester borrows everything in struct suggester_opts
 * (they must outlive it) and owns its tokenizers and buffers.  The
 * suggestion returned by suggester_run() lives in the suggester and stays
 * valid until the next run or suggester_free().
 */
#ifndef CANDOR_SUGGEST_H
#define CANDOR_SUGGEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "comment.h"
#include "config.h"
#include "error.h"
#include "facts.h"
#include "flags.h"
#include "nb.h"
#include "templates.h"
#include "tone.h"

#define SUGGEST_WHY_MAX 3
#define SUGGEST_REPLY_MAX 8192          /* bytes of a rendered reply */

/* The flags of SPEC section 2, beside the category (core/flags.h). */
enum {
	SUGGEST_FLAG_SAFETY = FLAG_SAFETY,      /* harm from the product */
	SUGGEST_FLAG_LEGAL = FLAG_LEGAL,        /* lawyer, regulator, police */
	SUGGEST_FLAG_PRESS = FLAG_PRESS         /* a journalist asks */
};

struct suggester_opts {
	const struct cd_config *cfg;
	const struct nb_model *model;
	const struct tpl_set *templates;        /* may be NULL: no drafts */
	const struct fact_sheet *facts;         /* may be NULL: no facts */
	const struct flag_lists *flags;         /* may be NULL: no flags */
	const struct tone_rules *tone;          /* may be NULL: no check; the
						   brand's competitors added */
	const char *lang;                       /* "en"/"ru" forces; NULL: auto */
	int64_t now;                            /* for fact validity */
	int no_why;                             /* skip the why words (batch) */
};

struct suggestion {
	int label;                      /* index into the model's labels */
	const char *category;
	double confidence;
	int uncertain;                  /* below min_confidence: action review */
	unsigned flags;                 /* SUGGEST_FLAG_*: action escalate */
	struct flags_result flag_hits;  /* what matched, for "why" */
	double prob[NB_MAX_LABELS];
	size_t nwhy;
	struct { size_t start, end; } why[SUGGEST_WHY_MAX]; /* bytes of text */
	const char *lang;               /* the template language used */
	int lang_fallback;              /* no template in the comment's language */
	const char *action;             /* reply, reply+escalate, hide, ...;
					   escalate when flagged, review
					   when uncertain */
	const char *template_id;        /* "" when no draft */
	size_t nvariants;               /* variants that fit (v wraps) */
	const char *reply;              /* "" when no draft */
	size_t reply_len;
	const struct fact *fact;        /* the fact cited, or NULL */
	const char *fact_why;           /* why no fact was cited, or NULL */
	const char *note;               /* why there is no draft, or NULL */
	int toned;                      /* tone holds a result */
	struct tone_result tone;
};

struct suggester;

struct suggester *suggester_new(const struct suggester_opts *o,
				struct cd_error *err);
void suggester_free(struct suggester *s);

/*
 * Suggest a reply to c.  category (a model label or any templates
 * category) overrides the classifier's choice when a person changed it (the
 * confidence shown is then that category's, and it is not uncertain); the
 * flags come from the text whatever the category, so a safety report
 * corrected into fake_news is still escalated;
 * variant shifts the template rotation (the review loop's "next variant").
 * Returns 0 with *out set, or a negative status (invalid UTF-8 in the
 * comment, an over-long reply).
 */
int suggester_run(struct suggester *s, const struct comment *c,
		  const char *category, unsigned variant,
		  const struct suggestion **out, struct cd_error *err);

/*
 * suggester_run() for a category that an earlier run guessed (a batch
 * CSV's category column) rather than one a person chose: the confidence is
 * that category's, and the suggestion stays uncertain (action review) when
 * it is below min_confidence or the category is not one of the model's.
 */
int suggester_run_guess(struct suggester *s, const struct comment *c,
			const char *category, unsigned variant,
			const struct suggestion **out, struct cd_error *err);

/*
 * Re-check an edited reply for the suggestion's category and comment and
 * replace the draft with it (the review loop's edit).
 */
int suggester_set_reply(struct suggester *s, const struct comment *c,
			const char *reply, size_t len, struct cd_error *err);

/* The suggestion record of SPEC section 4 as one JSON line (with '\n'). */
int suggestion_json(const struct suggester *s, const struct comment *c,
		    const struct suggestion *g, struct cd_buf *out);

/* flags as a JSON array (["safety","press"]) appended to b; 0 or an error. */
int suggest_flags_json(unsigned flags, struct cd_buf *b);
/* flags as words separated by spaces ("safety press", "" for none) into
 * buf[size]; returns the length. */
size_t suggest_flags_text(unsigned flags, char *buf, size_t size);

/* The name of the first of flags ("safety", "legal", "press"), or "". */
const char *suggest_flag_name(unsigned flags);

/*
 * The action for a category: its row of the category table t (the
 * config's [category.NAME]; NULL: SPEC section 2's defaults), else reply
 * when it has a template and review when not.
 */
const char *suggest_action(const struct categories *t, const char *category,
			   int has_template);

#endif

/*
 * report_internal.h - what report.c (reading, counting) and
 * report_write.c (the page) share.  Not a public header.
 */
#ifndef CANDOR_REPORT_INTERNAL_H
#define CANDOR_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* Interned names (categories, flags, rules, templates, facts). */
struct rnames {
	char **name;
	size_t n, max;
	uint32_t *slot;         /* open addressing: index + 1, 0 empty */
	size_t nslot;
};

enum rdecision {
	DEC_NONE = 0, DEC_APPROVE, DEC_HIDE, DEC_SKIP, DEC_REJECT, DEC_ESCALATE,
	DEC_N
};

/* One standing decision (the current one and the one before, for undo). */
struct rdec {
	uint32_t ts;            /* unix seconds, 0 unknown */
	uint16_t tpl;           /* template index + 1, 0 none */
	uint16_t fact;          /* fact index + 1 */
	uint8_t decision;       /* enum rdecision */
	uint8_t person;         /* category index + 1 */
	uint8_t orig;           /* original_category + 1 (when changed) */
	uint8_t edited;
};

/* approved, edited, hidden, skipped, rejected, escalated, undecided */
#define REPORT_DEC_COLS 7
#define REPORT_DEC_UNDECIDED 6

enum {
	IT_DRAFTED = 1,         /* seen in suggestions or a batch CSV */
	IT_INTENT = 2,          /* the ledger recorded an intent */
	IT_DONE = 4,            /* ... and a successful outcome */
	IT_FAILED = 8,          /* ... and a failed outcome */
	IT_COMMENT = 16,        /* seen as a comment (any kind) */
	IT_TEXT = 32            /* its text went through the model's tokenizer */
};

struct ritem {
	uint64_t key;           /* hash of the id; 0: empty slot */
	uint32_t created;       /* unix seconds, 0 unknown */
	uint32_t published;
	uint16_t conf;          /* confidence * 10000, 0xFFFF unknown */
	uint16_t fact;          /* fact the draft cited + 1 */
	uint16_t flags;         /* bit per flag index */
	uint8_t model;          /* the model's category + 1 */
	uint8_t bits;
	struct rdec cur, prev;
};

#define RWORDS_K 40             /* Space-Saving counters per category */
#define RWORD_MAX 48            /* bytes kept of a word */
#define RSAMPLES 4              /* undecided comments shown per category */

struct rword {
	char w[RWORD_MAX + 1];
	uint64_t count, err;
};

struct rsample {
	uint64_t key;
	char *id, *text;
};

struct rtemplate {
	uint64_t drafted;
	uint64_t ex_key;        /* the first edited decision's id */
	char *after, *before;   /* its final reply and its draft */
	/* filled by report_finish: */
	uint64_t approved, edited;
};

/* One of the model's top words of a label (report_words.c). */
struct rmword {
	uint32_t f;             /* nb_feature() number */
	uint32_t pos;           /* its place in the sorted vocabulary */
	double llr;
	uint64_t in_label, in_others;
};

struct rsource {
	char *name;
	enum report_kind kind;
	long records, bad;
};

struct rtiming {
	uint64_t n;
	int64_t median, p90;
};

struct report {
	struct report_params p;
	/* the comments */
	struct ritem *items;
	size_t nitems, cap;             /* cap: a power of two */
	size_t max_items;
	char *scratch;                  /* a line's strings, unescaped */
	size_t scratch_cap;
	/* names */
	struct rnames cats, flags, rules, tpls, facts;
	/* counted as read */
	uint64_t (*tone_draft)[3];      /* [rule][severity] */
	uint64_t (*tone_final)[3];
	uint64_t drafts_with_tone, drafts_with_error;
	uint64_t finals_with_tone, finals_with_error;
	struct rtemplate *tpl;          /* per template */
	uint64_t *fact_drafted;         /* per fact */
	struct rword (*words)[RWORDS_K];/* per category */
	size_t *nwords;
	struct rsample (*samples)[RSAMPLES];
	size_t *nsamples;
	struct rsource *src;
	size_t nsrc;
	/* batch CSV columns of the current file (-1: absent) */
	long col_id, col_cat, col_conf, col_tpl, col_tone, col_time,
	     col_reply, col_flags, col_text;
	/* computed by report_finish */
	int finished;
	struct report_totals tot;
	int64_t t0, width;              /* the timeline */
	size_t nbuckets;
	uint64_t *tl_cat;               /* [bucket][category] */
	uint64_t *tl_flag;              /* [bucket][flag] */
	unsigned char *marks;           /* [bucket]: monitor level, 0 none */
	char (*mark_series)[64];        /* [bucket]: what spiked */
	struct monitor_params mon;      /* a copy of *p.monitor */
	uint64_t spikes;                /* events raised */
	uint64_t conf_hist[10][3];      /* kept, changed, undecided */
	uint64_t *confusion;            /* [model][person] (ncat + 1)^2 */
	uint64_t (*dec)[REPORT_DEC_COLS];             /* per person category: approve,
					 * edit, hide, skip, reject, undecided */
	struct rtiming *t_decide, *t_publish;   /* per category, [ncat] all */
	uint64_t *fact_approved;
	/* the model's words (report_words.c) */
	const struct nb_model *model;
	struct tokenizer *tk;
	uint32_t *feat_seen;            /* [feature]: comments holding it */
	uint32_t *feat_stamp;           /* [feature]: last comment counted */
	uint64_t ntexts;                /* comment texts tokenized */
	struct rmword (*mwords)[REPORT_TOP_WORDS];      /* [model label] */
	size_t *nmwords;
};

/* report_words.c */
int rwords_text(struct report *r, const char *text, size_t len);
int rwords_finish(struct report *r, struct cd_error *err);
void rwords_release(struct report *r);

#endif

/*
 * report_internal.h - what the crisis report's files share: report.c
 * (names, records), report_read.c (the readers), report_figures.c (the
 * figures), report_words.c (the model's words) and report_write.c (the
 * page).  Not a public header.
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

/* One decision, unpacked (the standing one of a comment is packed into
 * its struct ritem; the ones under it are in the report's stack). */
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

/*
 * What is known about one comment id, in 32 bytes: its hash, times, what
 * the draft said and the standing decision (d_*).  A comment decided
 * again without an undo between keeps the decisions under the standing
 * one in the report's stack (struct rstack), which grows only with such
 * comments.  The widths hold the limits of report.h: 64 categories + 1,
 * 1024 facts + 1, 4096 templates + 1, 16 flags.
 */
struct ritem {
	uint64_t key;           /* hash of the id; never 0 */
	uint32_t created;       /* unix seconds, 0 unknown */
	uint32_t published;
	uint32_t d_ts;          /* the standing decision's time */
	unsigned flags : 16;    /* bit per flag index */
	unsigned d_tpl : 13;    /* template index + 1, 0 none */
	unsigned d_decision : 3;/* enum rdecision, 0 none */
	unsigned d_fact : 11;   /* fact index + 1 */
	unsigned fact : 11;     /* the fact the draft cited + 1 */
	unsigned conf : 4;      /* the confidence's tenth + 1, 0 unknown */
	unsigned bits : 6;      /* IT_* */
	unsigned model : 7;     /* the model's category + 1 */
	unsigned d_person : 7;  /* the person's category + 1 */
	unsigned d_orig : 7;    /* original_category + 1 */
	unsigned d_edited : 1;
	unsigned stacked : 1;   /* decisions under the standing one */
};

/* Comments are kept in blocks (no copy when they grow). */
#define RBLOCK_SHIFT 16
#define RBLOCK (1u << RBLOCK_SHIFT)
/* An index slot: the comment's number + 1 in the low RSLOT_BITS bits,
 * 7 more bits of its hash above them (most probes then skip the record). */
#define RSLOT_BITS 25
#define RSLOT_MASK ((1u << RSLOT_BITS) - 1)

/* A decision under a standing one, pushed when a comment is decided
 * again, popped by an undo. */
struct rstack {
	struct rdec d;
	uint32_t item;          /* the comment's number */
	uint32_t next;          /* the one under it + 1, 0 none */
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
	/* the comments: item i is blocks[i >> RBLOCK_SHIFT][i & (RBLOCK - 1)] */
	struct ritem **blocks;
	size_t nitems, max_items;
	uint32_t *slot;                 /* open addressing, see RSLOT_BITS */
	size_t nslot;                   /* a power of two */
	/* decisions under standing ones: stack nodes and, per comment
	 * decided again, its top (an open-addressing map, never shrinks) */
	struct rstack *stk;
	size_t nstk, capstk;
	uint32_t stk_free;              /* free node + 1 */
	uint64_t *stk_map;              /* (item + 1) << 32 | top + 1 */
	size_t nstk_map, capstk_map;
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

/* ---- report.c: names and records ---- */

/*
 * The index of name (len bytes), added when new; -1 with err filled when
 * the table is full (`what` names it) or memory runs out.
 */
long rnames_get(struct rnames *t, const char *s, size_t len,
		const char *what, long lineno, struct cd_error *err);

static inline struct ritem *ritem_at(const struct report *r, size_t i)
{
	return &r->blocks[i >> RBLOCK_SHIFT][i & (RBLOCK - 1)];
}

/* The record of id (created when new) into *out and its number: 0, or
 * CD_ERR_LIMIT / CD_ERR_NOMEM with err filled. */
int ritem_get(struct report *r, const char *id, size_t len,
	      struct ritem **out, uint32_t *num, long lineno,
	      struct cd_error *err);

/* The record with hash key, or NULL. */
const struct ritem *ritem_find(const struct report *r, uint64_t key);

/* The standing decision of a comment, unpacked, and back. */
static inline void rdec_get(const struct ritem *it, struct rdec *d)
{
	d->ts = it->d_ts;
	d->tpl = (uint16_t)it->d_tpl;
	d->fact = (uint16_t)it->d_fact;
	d->decision = (uint8_t)it->d_decision;
	d->person = (uint8_t)it->d_person;
	d->orig = (uint8_t)it->d_orig;
	d->edited = (uint8_t)it->d_edited;
}

static inline void rdec_set(struct ritem *it, const struct rdec *d)
{
	it->d_ts = d->ts;
	it->d_tpl = d->tpl & 0x1FFFu;
	it->d_fact = d->fact & 0x7FFu;
	it->d_decision = d->decision & 0x7u;
	it->d_person = d->person & 0x7Fu;
	it->d_orig = d->orig & 0x7Fu;
	it->d_edited = d->edited & 0x1u;
}


/* Push d under comment num's standing decision. */
int rstack_push(struct report *r, uint32_t num, const struct rdec *d,
		long lineno, struct cd_error *err);

/* Pop the decision under comment num's standing one into d: 1, or 0
 * when there is none; *more says whether others are under it. */
int rstack_pop(struct report *r, uint32_t num, struct rdec *d, int *more);

/* ---- report_figures.c ---- */

/* Sort v[0..n) ascending in place, in O(n log n) always. */
void rsort_u64(uint64_t *v, size_t n);

/* report_words.c */
int rwords_text(struct report *r, const char *text, size_t len);
int rwords_finish(struct report *r, struct cd_error *err);
void rwords_release(struct report *r);

#endif

/*
 * report.h - the crisis report (SPEC section 8): read what a crisis left
 * behind (suggestions, batch CSVs, review journals, publish ledgers, the
 * comments themselves), join it by comment id, and write one page.
 *
 * Reading is streaming; memory grows with the distinct comment ids only
 * (the join by id needs them), not with the files: each id is kept as a
 * 64-bit hash in a 32-byte record (times, categories, the standing
 * decision; report_internal.h) behind a 4-byte index slot, about 40 bytes
 * a comment at the peak, and everything else is counted as it arrives.
 * An undo brings back the decision under the standing one, however deep
 * (as core/journal.h replays it); those are kept only for comments
 * decided more than once.  Two different ids whose hashes collide would
 * be taken for one comment; with 64 bits the chance is about n^2 / 2^65
 * (3e-8 for a million comments); the ids are not kept, so that is the
 * bound, not a check.
 *
 * Order matters in one way only: the before/after example of an edited
 * template and the sample of undecided comments come from the drafts read
 * AFTER the journal.  The program feeds journals and ledgers first.
 *
 * Ownership: report_new() returns a report freed with report_free().
 * Strings passed in are copied when kept.  core/ never prints: the page
 * goes through the caller's write function.
 */
#ifndef CANDOR_REPORT_H
#define CANDOR_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "monitor.h"

#define REPORT_LINE_MAX (1u << 20)      /* bytes in one JSONL line */
#define REPORT_MAX_COMMENTS 20000000u   /* distinct comment ids */
#define REPORT_MAX_CATEGORIES 64
#define REPORT_MAX_FLAGS 16
#define REPORT_MAX_RULES 64
#define REPORT_MAX_TEMPLATES 4096
#define REPORT_MAX_FACTS 1024
#define REPORT_MAX_SOURCES 256
#define REPORT_MAX_BUCKETS 48           /* bars on the timeline */
#define REPORT_TOP_WORDS 8              /* the model's words per category */

enum report_kind {
	REPORT_UNKNOWN = 0,
	REPORT_SUGGESTIONS,     /* candor suggest JSONL */
	REPORT_COMMENTS,        /* comments JSONL (times, no category) */
	REPORT_JOURNAL,         /* review journal JSONL */
	REPORT_LEDGER,          /* publish ledger JSONL */
	REPORT_BATCH            /* candor batch CSV */
};

/* "suggestions", "comments", "journal", "ledger", "batch CSV", "unknown". */
const char *report_kind_name(enum report_kind k);

/*
 * The kind of a JSONL file from its first non-blank line: a journal has
 * "decision"; a ledger has "intent", "outcome", "phase" or "event"; a
 * suggestion has "category" with "confidence" or "scores"; comments have
 * "text".  REPORT_UNKNOWN when the line is none of these or not JSON.
 */
enum report_kind report_detect(const char *line, size_t len);

/* The order files are best read in (journals and ledgers first). */
int report_kind_rank(enum report_kind k);

enum report_lang { REPORT_EN, REPORT_RU };
enum report_format { REPORT_HTML, REPORT_MARKDOWN };

struct report_params {
	enum report_lang lang;
	size_t max_comments;    /* 0: REPORT_MAX_COMMENTS */
	/*
	 * The spike detector's settings (core/monitor.h): report_finish()
	 * replays every comment with a time through it, in time order, as
	 * `monitor --replay` would, and marks the timeline's bars where it
	 * raised an event.  NULL: no marks.  Copied by report_new().
	 */
	const struct monitor_params *monitor;
};

void report_params_default(struct report_params *p);

struct report;

struct report *report_new(const struct report_params *p,
			  struct cd_error *err);
void report_free(struct report *r);

struct nb_model;

/*
 * The classifier model whose most telling words the page shows
 * (report_words.c).  Not owned: it must outlive the report.  Call before
 * the first line.  With a model, the text of each comment (suggestions,
 * comments and journals: "text"; a batch CSV's text column) is tokenized
 * as the model tokenizes, once per comment id, and each feature of the
 * model it holds is counted once per comment: the words shown are then
 * those of this crisis.  0, or CD_ERR_NOMEM.
 */
int report_set_model(struct report *r, const struct nb_model *m,
		     struct cd_error *err);
/* The tokenizer those texts go through (after report_set_model; NULL
 * before), for the brand's name list (tok_set_names).  The report's. */
struct tokenizer *report_tokenizer(struct report *r);

/*
 * One of the model's most telling words for a label: the class-conditional
 * log-likelihood ratio against the other labels,
 *   llr = ln P(w | c) - ln P(w | not c),
 *   P(w | c)     = (n_wc + a) / (N_c + a V),
 *   P(w | not c) = (sum over l != c of n_wl + a) / (sum over l != c of N_l + a V),
 * with the model's counts n (nb_feature), label totals N (nb_label_total),
 * its smoothing a and vocabulary size V (the complement estimate of
 * Rennie et al. 2003, section 3.1, before any --idf scaling).
 */
struct report_word {
	const char *text;       /* the feature's text; the model's */
	double llr;
	uint64_t in_label, in_others;   /* the model's counts n_wc, sum n_wl */
	uint64_t in_crisis;     /* comments of the report holding it */
};

/*
 * The (at most max, at most REPORT_TOP_WORDS) words of the model's label
 * `label` with the highest llr, highest first (ties: text order), after
 * report_finish.  When any comment text was read, only words that occur
 * in them are candidates.  Returns the count; 0 without a model.
 */
size_t report_top_words(const struct report *r, size_t label,
			struct report_word *out, size_t max);
/* Comment texts the model's tokenizer read (0: the words are not
 * restricted to this crisis). */
uint64_t report_texts_read(const struct report *r);

/* Name a source for the page's header ("file (kind, N lines)"). */
int report_add_source(struct report *r, const char *name,
		      enum report_kind kind, struct cd_error *err);
/* Count one more record and one more bad line of the current source. */
void report_source_counts(struct report *r, long records, long bad);

/*
 * Add one JSONL line of a file of the given kind.  0, or CD_ERR_DATA /
 * CD_ERR_LIMIT with err->msg saying what is wrong (no file name) and
 * err->line = lineno; the line is then ignored and the caller goes on.
 */
int report_add_json(struct report *r, enum report_kind kind,
		    const char *line, size_t len, long lineno,
		    struct cd_error *err);

/*
 * A batch CSV: its header names (report_csv_begin), then each row's
 * fields.  CD_ERR_DATA when the header has no id or category column
 * (the file is not a batch CSV) or a row is bad.
 */
int report_csv_begin(struct report *r, const char *const *names, size_t n,
		     struct cd_error *err);
int report_add_csv(struct report *r, const char *const *fields,
		   const size_t *lens, size_t n, long lineno,
		   struct cd_error *err);

/* Compute the figures once everything is read. */
int report_finish(struct report *r, struct cd_error *err);

/*
 * Write the page (after report_finish) through write(ctx, p, n), which
 * returns 0 or nonzero to stop (then CD_ERR_IO).  The HTML is one
 * self-contained, well-formed XHTML document: CSS and SVG inline, no
 * script, no external reference of any kind.
 */
int report_write(const struct report *r, enum report_format fmt,
		 int (*write)(void *ctx, const char *p, size_t n), void *ctx,
		 struct cd_error *err);

/*
 * Figures, for tests and callers that want numbers rather than a page
 * (valid after report_finish).
 */
struct report_totals {
	uint64_t comments;      /* distinct ids */
	uint64_t drafted;       /* ids seen in suggestions or batch rows */
	uint64_t decided;       /* ids with a standing decision */
	uint64_t approved, edited, hidden, skipped, rejected, escalated;
	uint64_t undecided;     /* drafted, no standing decision */
	uint64_t corrected;     /* a person changed the category */
	uint64_t published, publish_failed, publish_unknown;
	uint64_t untimed;       /* ids with no comment time */
	int64_t first, last;    /* comment times, -1 when none */
	int64_t decide_median, decide_p90;      /* seconds, -1 when none */
	int64_t publish_median, publish_p90;
};
void report_totals(const struct report *r, struct report_totals *t);

/* Nearest-rank percentile p (0..100] of v[0..n) (v is reordered); -1 if n 0. */
int64_t report_percentile(int64_t *v, size_t n, double p);

/*
 * The timeline's bucket width in seconds for comments spanning `span`
 * seconds: the smallest round width (1 min ... 1 week) that needs at
 * most REPORT_MAX_BUCKETS bars.
 */
int64_t report_bucket_width(int64_t span);

#endif

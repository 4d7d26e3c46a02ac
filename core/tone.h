/*
 * tone.h - the tone check: the guard between a draft and a public reply.
 *
 * A crisis team's worst replies blame, argue, mock, insult, leak personal
 * data, run down a competitor, repeat the insult or the false claim they
 * answer, correct a rumour without a source, or are too long to post.
 * tone_check() lints one reply (English or Russian) against rules that
 * catch those, and returns findings with a rule id, a severity, a message,
 * a suggestion and a span in code points, plus a 0-100 score.
 *
 * The phrase lists are data: config/tone/<lang>/<list>.txt, one phrase per
 * line, matched on normalised, stemmed tokens (core/tokenize.h), so case,
 * Russian inflection and punctuation do not defeat them and users extend
 * them without a rebuild.  So are the examples a naive Bayes layer learns
 * from at load (config/tone/<lang>/replies.tsv), which catches the same
 * problems said in words no list holds.  docs/tone.md describes every
 * rule, list and the learned layer.
 *
 * Ownership: tone_rules_load() returns a heap object freed with
 * tone_rules_free(); it is read-only afterwards and may be shared between
 * threads.  tone_check() writes only into the caller's tokenizer, result
 * and error, and allocates nothing per reply.  The struct tone_ctx strings
 * are borrowed for the duration of the call.
 */
#ifndef CANDOR_TONE_H
#define CANDOR_TONE_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "tokenize.h"

struct categories;

enum tone_severity { TONE_INFO, TONE_WARNING, TONE_ERROR };

/* Opaque: the loaded phrase lists for en and ru. */
struct tone_rules;

/*
 * Load dir/en/<list>.txt and dir/ru/<list>.txt for every known list name
 * that exists (dir is e.g. "config/tone"), and dir/<lang>/replies.tsv for
 * the learned layer (below); unknown file names are ignored.
 * A bad line (over TONE_MAX_LINE bytes, invalid UTF-8, no words, more than
 * TONE_MAX_PHRASE_WORDS words) fails the load with err naming the file and
 * line.  Finding no list at all is CD_ERR_NOINPUT.  Returns NULL with err
 * set on failure; free the result with tone_rules_free().
 */
#define TONE_MAX_LINE 200
#define TONE_MAX_PHRASE_WORDS 8
struct tone_rules *tone_rules_load(const char *dir, struct cd_error *err);
void tone_rules_free(struct tone_rules *r);

/*
 * The learned layer (docs/tone.md, "The learned layer").  When
 * dir/<lang>/replies.tsv exists, loading also trains a multinomial naive
 * Bayes model (core/nb.h) for that language from its examples, one
 * `LABEL<TAB>REPLY` a line: ok, or a bad label named like the rule it
 * feeds (blame, defensive, dismissive, insult, absolute_promise,
 * competitor).  tone_check() then scores every reply with the model of
 * its script and, when the bad labels together reach a posterior of
 * `threshold`, the reply's own words lean to the likeliest bad label and
 * no list found that rule or let the wording pass (a negated phrase, an
 * !exception), adds a warning of that label's rule.  A missing
 * replies.tsv leaves the layer off for that language; a bad line (unknown
 * label, no tab, no words, invalid UTF-8, a NUL byte, longer than
 * TONE_MAX_EXAMPLE bytes) fails the load naming the file and the line.
 */
#define TONE_MAX_EXAMPLE 1000           /* bytes of one replies.tsv line */
#define TONE_MAX_EXAMPLES 100000        /* examples per language */
struct tone_params {
	int learned;            /* 0: ignore replies.tsv (the lists alone) */
	double alpha;           /* additive smoothing of the counts, > 0 */
	int bigrams;            /* word pairs are features too */
	unsigned min_count;     /* features seen fewer times are left out */
	double threshold;       /* P(bad) a finding needs, 0..1 (1: never) */
};

/* The shipped, cross-validated settings (docs/tone.md). */
void tone_params_default(struct tone_params *p);

/* tone_rules_load() with explicit settings; NULL p: the defaults. */
struct tone_rules *tone_rules_load_params(const char *dir,
					  const struct tone_params *p,
					  struct cd_error *err);

/* Examples the learned layer of lang ("en", "ru") was trained on; 0: off. */
size_t tone_rules_examples(const struct tone_rules *r, const char *lang);

/* Number of phrases loaded (all lists, both languages), for `candor tone -v`. */
size_t tone_rules_count(const struct tone_rules *r);

/*
 * Add the brand's competitors ([brand] competitors) to the rules, so that
 * every check knows them without normalising the names again (which costs
 * a tokenizer run per check when they come through tone_ctx).  At most
 * TONE_MAX_COMPETITORS names in all, each at most 64 bytes and 4 words.
 * Returns 0 or a negative status; on failure the rules are unchanged.
 * Call it before sharing the rules between threads.
 */
int tone_rules_add_competitors(struct tone_rules *r, const char *const *names,
			       size_t n, struct cd_error *err);

/*
 * What the reply answers.  A zeroed struct (or a NULL ctx) means: language
 * from the reply's script, no category rules, no comment, 150 characters,
 * no configured competitors.
 */
#define TONE_MAX_COMPETITORS 32
struct tone_ctx {
	const char *lang;          /* "en" or "ru"; NULL: detect by script of the reply */
	const char *category;      /* NULL: only the category-independent rules */
	/* what each category requires (core/category.h; NULL: the defaults) */
	const struct categories *categories;
	const char *comment;       /* the comment answered, for `echo`; may be NULL */
	/*
	 * Optional: a tokenizer whose last tok_run() was on `comment` with
	 * stemming on (bigrams do not matter), so the comment is not tokenized
	 * a second time.  NULL: tone_check tokenizes the comment itself.
	 */
	const struct tokenizer *comment_tokens;
	size_t max_chars;          /* channel limit in code points, 0: 150 */
	const char *const *competitors; /* more names, besides those of */
	size_t ncompetitors;            /* tone_rules_add_competitors(); at most
					   TONE_MAX_COMPETITORS */
	/*
	 * Optional: the caller's memo of replies checked before (below).
	 * Used when there are no competitors here and the comment, if any,
	 * comes as comment_tokens of another tokenizer than tone_check's.
	 */
	struct tone_memo *memo;
};

/*
 * A memo of checked replies.  A stream of drafts repeats the same few
 * replies (a template without per-comment fields renders to the same
 * text every time), so with ctx->memo set tone_check() gives a reply it
 * has checked before, with the same rules, categories, language,
 * category, channel limit and with or without a comment, the findings it found then without
 * checking it again: unless `echo` may find something (the comment holds
 * a word of an insult phrase's and a word of the reply that is a word of
 * an insult phrase, or, for a category with echo_claim, a content word
 * of the reply), and then the reply is checked in full.
 * The findings are byte for byte those of a full check.  After a check
 * answered from the memo, tk does not hold the reply's tokens.
 * A memo holds at most TONE_MEMO_SLOTS replies of up to TONE_MEMO_REPLY_MAX
 * bytes (longer ones are always checked) and their findings; it is one
 * thread's, like the tokenizer.  tone_memo_new() returns NULL when out of
 * memory; free it with tone_memo_free().
 */
#define TONE_MEMO_SLOTS 256
#define TONE_MEMO_REPLY_MAX 2048
struct tone_memo;
struct tone_memo *tone_memo_new(void);
void tone_memo_free(struct tone_memo *m);

struct tone_finding {
	char rule[24];             /* "blame", "pii", ... (docs/tone.md) */
	enum tone_severity severity;
	char message[160];         /* lowercase, quotes the offending text */
	char suggestion[160];
	size_t start, end;         /* code points into the reply, end exclusive */
};

#define TONE_MAX_FINDINGS 32
struct tone_result {
	int score;                 /* 100 minus error 30, warning 10, info 2; >= 0 */
	size_t n;                  /* findings in f, sorted by start */
	size_t dropped;            /* findings past TONE_MAX_FINDINGS (still scored) */
	struct tone_finding f[TONE_MAX_FINDINGS];
};

/*
 * Check reply[0..len) and fill out.  tk is a tokenizer the caller owns and
 * reuses; it must have stemming on (tok_params_default() and
 * tok_params_words() both do: with word pairs or without, the result is the
 * same), and its tokens are overwritten.  ctx may be NULL.
 * Returns 0, or a negative status with err set: CD_ERR_DATA for invalid
 * UTF-8 in the reply or the comment, CD_ERR_USAGE for an unknown lang,
 * CD_ERR_LIMIT for too many or too long competitor names (the names in
 * ctx cost a tokenizer run per call: prefer tone_rules_add_competitors()).  When more
 * findings exist than fit, the errors are kept first and out->dropped
 * counts the rest.
 */
int tone_check(const struct tone_rules *r, struct tokenizer *tk,
	       const char *reply, size_t len, const struct tone_ctx *ctx,
	       struct tone_result *out, struct cd_error *err);

/*
 * Append the SPEC's JSON object to out:
 * {"score":N,"issues":[{"rule","severity","message","start","end","suggestion"}]}
 * Returns 0 or the cd_buf status (CD_ERR_LIMIT, CD_ERR_NOMEM); on error out
 * keeps its previous contents.
 */
int tone_result_json(const struct tone_result *res, struct cd_buf *out);

/* 1 when id names one of the rules (docs/tone.md), else 0. */
int tone_rule_known(const char *id);

/* "error", "warning" or "info". */
const char *tone_severity_name(enum tone_severity s);

/* 1 when res holds an error-level finding (`candor tone` exits 1). */
int tone_result_has_error(const struct tone_result *res);

#endif

/*
 * phrase.h - the one phrase matcher: lists of phrases, normalised and
 * stemmed by core/tokenize exactly as the texts they are found in, and
 * found in a text's tokens with the span of each match.
 *
 * It serves the tone check (config/tone/<lang>/<list>.txt), the fact
 * sheet's keywords, comment flags (config/flags/<lang>/<flag>.txt) and
 * template topics.  The steps:
 *
 *   struct phrase_set *s = phrase_set_new(0);
 *   phrase_set_load(s, tk, NULL, "config/flags/en/legal.txt", GROUP, &found, &err);
 *   ...                                 (more lists, each with its group)
 *   phrase_set_build(s, &err);          (once, before matching)
 *
 *   tok_run(tk, text, len, &e);
 *   n = phrase_words(tk, text, len, w, cap, 0);
 *   nm = phrase_match(s, w, n, m, mcap, NULL, NULL, NULL);
 *   for each m[i]: group m[i].group, words [m[i].from, m[i].to), bytes
 *   [w[from].bs, w[to - 1].be), code points [w[from].cs, w[to - 1].ce),
 *   and the list line phrase_text(s, m[i].phrase) at phrase_line().
 *
 * A list file holds one phrase a line; blank lines and lines starting
 * with '#' are skipped, blanks around a phrase do not count.  A line may
 * start with "!" (an exception: a match of its group inside it does not
 * count, "!you should have received"), then "^" (the phrase must start a
 * sentence), and end with "$" (it must end one).  A line longer than
 * PHRASE_MAX_LINE bytes, with invalid UTF-8, no words or more than
 * PHRASE_MAX_WORDS words fails the load with a message naming the file and
 * line: "'path': line N: what".
 *
 * A word of a phrase matches a word of the text when their keys are equal:
 * the token's hash (the stem, with stemming on), and for a number its
 * digits with a '%' right after it ("100%" does not match "100 bottles").
 * A phrase loaded with a second tokenizer that does not stem also matches
 * the words as written (facts' keywords: the classifier's tokenizer may
 * stem or not).  Unless the set is made with PHRASE_ACROSS, a phrase never
 * spans a sentence end.
 *
 * Ownership: phrase_set_new() returns a heap object freed with
 * phrase_set_free(); after phrase_set_build() it is read-only and may be
 * shared between threads.  Matching allocates nothing: words and matches
 * go into the caller's arrays.
 */
#ifndef CANDOR_PHRASE_H
#define CANDOR_PHRASE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenize.h"

#define PHRASE_MAX_WORDS 8      /* words of one phrase */
#define PHRASE_MAX_LINE 200     /* bytes of one list line */
#define PHRASE_MAX_TEXT 255     /* bytes of one phrase_set_add() phrase */
#define PHRASE_MAX 200000       /* phrases in one set */
#define PHRASE_MAX_GROUPS 65535 /* groups: lists, flags, facts' keywords */

/* A phrase's anchors (list syntax "^phrase", "phrase$", "!phrase"). */
#define PHRASE_START 1          /* must start a sentence */
#define PHRASE_END 2            /* must end a sentence */
#define PHRASE_EXCEPTION 4      /* a match of its group inside it does not count */

/* phrase_set_new() flags */
#define PHRASE_ACROSS 1         /* phrases may span sentence ends */
/*
 * Keywords (facts, template topics): a line is a phrase as written, with
 * no "!", "^" or "$" marks; a word's key is its token's hash (a number is
 * any number, as the classifier sees it) and phrases span sentence ends.
 * Find them with phrase_find_tokens().
 */
#define PHRASE_KEYWORDS 2

/* What separates a word from the one before it. */
enum phrase_gap { PHRASE_GAP_NONE, PHRASE_GAP_CLAUSE, PHRASE_GAP_SENTENCE };

/* One token of a text as the matcher sees it (phrase_words()). */
struct phrase_word {
	uint64_t key;           /* the phrase key */
	uint32_t bs, be;        /* bytes; a number's be includes its '%' */
	uint32_t cs, ce;        /* code points */
	uint32_t tok;           /* index in tok_list() of the run it came from */
	uint8_t kind;           /* enum tok_kind */
	uint8_t gap;            /* enum phrase_gap: punctuation before it */
	uint8_t script;         /* enum tok_script */
	uint8_t flags;          /* free for the caller (the tone check's marks) */
};

/* One phrase found: words [from, to) of the text. */
struct phrase_match {
	uint16_t from, to;
	uint16_t group;
	uint8_t except;         /* an exception phrase (kept only when asked) */
	uint32_t phrase;        /* phrase_text(), phrase_line() */
};

struct phrase_set;

struct phrase_set *phrase_set_new(unsigned flags);
void phrase_set_free(struct phrase_set *s);

/*
 * Add the phrase of one list line (already trimmed, not blank, not a
 * comment) to group; tk (stemming on, word pairs off) normalises it and,
 * when plain is not NULL, plain (no stemming) gives the words as written,
 * which match too.  The same phrase twice in a group is one phrase.
 * path and lineno name the line in errors; *id (may be NULL) gets the
 * phrase's id.  Returns 0 or a negative status with err set.
 */
int phrase_set_add(struct phrase_set *s, struct tokenizer *tk,
		   struct tokenizer *plain, const char *line, unsigned group,
		   const char *path, long lineno, uint32_t *id,
		   struct cd_error *err);

/*
 * Add every line of the list file path to group (phrase_set_add()).  A
 * missing file is not an error: 0 with *found unchanged; a file that
 * exists sets *found to 1.  Errors name the file and line.
 */
int phrase_set_load(struct phrase_set *s, struct tokenizer *tk,
		    struct tokenizer *plain, const char *path, unsigned group,
		    int *found, struct cd_error *err);

/*
 * Read the list file path line by line as phrase_set_load() does (the
 * same limits, comments and trimming) and hand each line to fn, for lists
 * that are not phrases (e-mail local parts).  fn returns 0 or a negative
 * status with err set, which stops the reading.
 */
int phrase_list_read(const char *path, int *found,
		     int (*fn)(void *ctx, char *line, long lineno,
			       struct cd_error *err),
		     void *ctx, struct cd_error *err);

/* Make the lookup table; call once after adding, before matching. */
int phrase_set_build(struct phrase_set *s, struct cd_error *err);

/* Number of phrases, the list line of phrase id and its line number. */
size_t phrase_set_count(const struct phrase_set *s);
const char *phrase_text(const struct phrase_set *s, uint32_t id);
long phrase_line(const struct phrase_set *s, uint32_t id);
unsigned phrase_group(const struct phrase_set *s, uint32_t id);
unsigned phrase_nwords(const struct phrase_set *s, uint32_t id);
/*
 * Word k (< phrase_nwords()) of phrase id matches a word whose key is
 * phrase_key(s, id, k, 0) or phrase_key(s, id, k, 1) (the words as
 * written, when loaded with a plain tokenizer; else the same key).
 */
uint64_t phrase_key(const struct phrase_set *s, uint32_t id, unsigned k,
		    int as_written);

/*
 * The tokens of the tokenizer's last run on s[0..len) as words (words,
 * numbers, urls, mentions and emoji; marks and word pairs are left out),
 * at most cap of them.  Returns how many.
 */
size_t phrase_words(const struct tokenizer *tk, const char *s, size_t len,
		    struct phrase_word *w, size_t cap);

/* The key phrase_words() gives a number s[bs..be), percent: a '%' follows. */
uint64_t phrase_num_key(const char *s, size_t bs, size_t be, int percent);
/* The end of a '%' right after a number ending at byte at, or at. */
size_t phrase_percent_end(const char *s, size_t len, size_t at);
/* What separates two words: the punctuation in s[from, to). */
uint8_t phrase_gap(const char *s, size_t from, size_t to);

/*
 * Called for each phrase found, before it is kept (exceptions are kept
 * without asking): return 0 to leave it out.  May set w[at..].flags.
 */
typedef int (*phrase_keep_fn)(void *ctx, const struct phrase_set *s,
			      uint32_t phrase, struct phrase_word *w,
			      size_t at);

/*
 * Find every phrase of s in w[0..n), in the order of their first word,
 * and put at most cap of them in m (the rest are left out).  Matches that
 * an exception of the same group covers are then removed, and so are the
 * exceptions; the groups below 32 that had an exception match are added
 * to *excepted (bit 1 << group; may be NULL).  keep may be NULL (keep
 * all).  Returns the number of matches.
 */
size_t phrase_match(const struct phrase_set *s, struct phrase_word *w,
		    size_t n, struct phrase_match *m, size_t cap,
		    phrase_keep_fn keep, void *ctx, unsigned *excepted);

/*
 * The first place phrase id of a PHRASE_KEYWORDS set occurs among the
 * tokens of tk's last run (marks and word pairs skipped, keys are the
 * tokens' hashes): 1 with the token indexes [*start, *end), else 0.
 */
int phrase_find_tokens(const struct phrase_set *s, uint32_t id,
		       const struct tokenizer *tk, size_t *start, size_t *end);

/* The keys of phrase id's first word: stemmed, and as written (or the same). */
void phrase_first_keys(const struct phrase_set *s, uint32_t id, uint64_t *key,
		       uint64_t *alt);

/*
 * 1 when a match of group (a negation list: "not", "can't", "не") ends at
 * most window words before word at, with no punctuation in between: "not
 * your fault", "did not get sick", but not "No, it's your fault".
 */
int phrase_negated(const struct phrase_word *w, const struct phrase_match *m,
		   size_t nm, size_t at, unsigned group, size_t window);

#endif

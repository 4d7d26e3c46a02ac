/*
 * flags.h - the flags beside the category (SPEC section 2): safety (harm
 * from the product: illness, injury, allergy, burns, contamination, a
 * child affected), legal (lawsuit, lawyer, regulator, police) and press (a
 * journalist asking for comment).  A flagged comment reaches a person
 * whatever its category.
 *
 * The flags come from phrase lists, data like the tone lists:
 *
 *   <dir>/<lang>/safety.txt   legal.txt   press.txt   negation.txt
 *
 * one phrase a line in the syntax of core/phrase.h ("#" comments, "!" an
 * exception: "!sick of" keeps "got sick of waiting" from counting).  The
 * phrases are normalised and stemmed as the comment is, so "burned",
 * "burns" and "burning" all meet "burn", and "сожгла" meets "сожгло".
 * Every language's lists are matched against every comment: a comment
 * whose language was guessed wrong still reaches a person.
 *
 * Negation: a flag phrase does not count when a phrase of negation.txt
 * ends at most FLAGS_NEG_WINDOW words before it in the same clause ("I did
 * not get sick", "никого не отравили").  Hearsay is not negation: "my
 * friend says it burns" is still a safety report, since the person
 * answering must hear of it.
 *
 * Ownership: flags_load() returns lists freed with flags_free(); they are
 * read-only after loading (threads may share them).  Matching allocates
 * nothing.
 */
#ifndef CANDOR_FLAGS_H
#define CANDOR_FLAGS_H

#include <stddef.h>

#include "error.h"
#include "tokenize.h"

#define FLAGS_N 3                       /* safety, legal, press */
#define FLAGS_NEG_WINDOW 2              /* words between a negation and it */
#define FLAGS_WORDS_MAX 512             /* words of a comment looked at */
#define FLAGS_LANGS_MAX 16              /* language folders */

enum {
	FLAG_SAFETY = 1,
	FLAG_LEGAL = 2,
	FLAG_PRESS = 4
};

/* What matched: the flags and, for each, the first phrase's bytes. */
struct flags_result {
	unsigned flags;                 /* FLAG_* bits */
	struct { size_t start, end; } span[FLAGS_N];  /* bytes of the text */
	long line[FLAGS_N];             /* the list line that matched */
};

struct flag_lists;
struct phrase_word;

/*
 * Load every <dir>/<lang>/{safety,legal,press,negation}.txt.  tk (the
 * phrase tokenizer: stemming on, word pairs off; cli_tok_words) normalises
 * the phrases; its last run is overwritten.  A language folder may lack a
 * list.  Returns 0 with *out set, CD_ERR_NOINPUT when dir cannot be opened,
 * CD_ERR_CONFIG for a bad list (err names the file and line), CD_ERR_LIMIT
 * or CD_ERR_NOMEM.
 */
int flags_load(const char *dir, struct tokenizer *tk, struct flag_lists **out,
	       struct cd_error *err);
void flags_free(struct flag_lists *fl);

/* Number of phrases loaded (all lists), for -v. */
size_t flags_count(const struct flag_lists *fl);

/*
 * The flags of text[0..len), which tk (a tokenizer with the parameters
 * the lists were loaded with) last ran on.  Fills *out; returns out->flags.
 */
unsigned flags_match(const struct flag_lists *fl, const struct tokenizer *tk,
		     const char *text, size_t len, struct flags_result *out);
/*
 * The same from the text's words w[0..n) (phrase_words() of that run,
 * at most FLAGS_WORDS_MAX), for a caller that matches them against
 * other phrase sets too.
 */
unsigned flags_match_words(const struct flag_lists *fl, struct phrase_word *w,
			   size_t n, struct flags_result *out);

/* "safety", "legal", "press" for FLAG_SAFETY, ...; "" otherwise. */
const char *flags_name(unsigned flag);

#endif

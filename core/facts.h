/*
 * facts.h - the fact sheet (config/facts.ini) that fake_news replies cite.
 *
 * One INI section per fact:
 *
 *   [factory-open]
 *   lang = en                      ; optional: en, ru, ...; none serves all
 *   keywords = factory closed, shut down, layoffs
 *   statement = Our Valencia factory is open and bottling as usual.
 *   source_url = sunnyjuice.example/news/factory
 *   valid_until = 2027-03-31       ; cited through the end of that day, UTC
 *
 * `keywords` may be given more than once in a section (each line adds to the
 * list), so long lists stay under the 199-byte line cap.  Every other key
 * appears once.  Unknown keys, a missing statement, source_url, valid_until
 * or keywords, a bad date and a line that is too long are errors that name
 * the file and line: a fact sheet is checked, never half-read.
 *
 * Matching.  Keywords are normalised the way comments are tokenized (NFKC,
 * case folding, Snowball stems), so case, word endings and punctuation do not
 * matter.  Each keyword word matches a comment word whose stem equals the
 * keyword's stem or the keyword word as written (normalised, unstemmed):
 * the stemmer cuts the dictionary form "отзыв" to "отз" but "отзыве" to
 * "отзыв", and the second rule makes them meet.  A phrase matches where its
 * words stand next to each other in the comment; punctuation, ALL-CAPS and
 * "?" do not separate words, numbers, URLs, mentions and emoji do.
 *
 * Ownership: facts_load() returns a sheet freed with facts_free(); the
 * struct fact pointers and their strings live as long as the sheet.  The
 * sheet is read-only after loading, so threads may share it.
 */
#ifndef CANDOR_FACTS_H
#define CANDOR_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenize.h"

#define FACTS_MAX 1024                  /* facts in one sheet */
#define FACTS_KEYWORDS_MAX 64           /* keyword phrases in one fact */
#define FACTS_PHRASE_WORDS 8            /* words in one keyword phrase */
#define FACTS_NAME_MAX 48               /* bytes of a section name */

/* One fact, as written in the sheet; all strings are NUL-terminated. */
struct fact {
	const char *name;               /* the section name */
	const char *statement;
	const char *source_url;
	const char *valid_until;        /* "YYYY-MM-DD" as written */
	const char *lang;               /* "" when the fact serves every language */
	long line;                      /* of the [section] header */
};

struct fact_sheet;

/*
 * Load and check the fact sheet at path.  tk normalises the keywords, so
 * pass the tokenizer (or one with the same parameters) that will tokenize
 * the comments; its last run is overwritten.  Returns 0 with *out set,
 * CD_ERR_NOINPUT when the file cannot be opened (a missing fact sheet is
 * not fatal for every command), CD_ERR_CONFIG for a bad sheet (err names
 * the file and line), CD_ERR_LIMIT past one of the caps above, or
 * CD_ERR_NOMEM.
 */
int facts_load(const char *path, struct tokenizer *tk, struct fact_sheet **out,
	       struct cd_error *err);

/* Free a sheet from facts_load(); NULL is fine. */
void facts_free(struct fact_sheet *fs);

/* The facts in file order, for listing and checking. */
size_t facts_count(const struct fact_sheet *fs);
const struct fact *facts_get(const struct fact_sheet *fs, size_t i);

/* 1 when f may still be cited at unix time now (through the end of
 * valid_until, UTC), else 0. */
int facts_valid(const struct fact_sheet *fs, const struct fact *f, int64_t now);

/*
 * The fact that best matches the comment that tk last ran on (tok_run),
 * among the facts valid at `now` whose lang (or, for a fact without one,
 * the sheet's default language) is the primary language of `lang` ("en"
 * serves "en", "EN" and "en-US"; lang NULL or "" considers every fact).  The score is the number of the
 * fact's distinct keyword phrases found in the comment (two keywords that
 * match the very same words count once).  Ties go to the fact whose
 * matched phrases have more words in all (the more specific one), then to
 * the first in the file.  Returns NULL with *score = 0 when no keyword
 * matches: the caller flags the draft "no fact on file" and never invents
 * one.  score may be NULL.  Allocates nothing.
 */
const struct fact *facts_match(const struct fact_sheet *fs,
			       const struct tokenizer *tk, const char *lang,
			       int64_t now, double *score);

/*
 * What a fact without `lang` serves: only replies in lang (the config's
 * [reply] lang), so an English statement is never pasted into a Russian
 * reply.  Until it is called (or with "") such a fact serves every
 * language.  Call it right after facts_load(), before sharing the sheet.
 */
void facts_set_default_lang(struct fact_sheet *fs, const char *lang);

/*
 * Why facts_match() found nothing for the comment tk last ran on, in words,
 * for `suggest -v`: "fact 'X' matches but expired on 2025-12-31", "fact 'X'
 * matches but serves replies in en only", or "no keyword of any fact
 * matches".  Writes buf[size] and returns buf.
 */
const char *facts_why_none(const struct fact_sheet *fs,
			   const struct tokenizer *tk, const char *lang,
			   int64_t now, char *buf, size_t size);

#endif

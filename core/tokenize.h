/*
 * tokenize.h - from a UTF-8 comment to the features the classifier counts.
 *
 * The tokenizer validates UTF-8, splits the text into words by Unicode
 * category, normalises each word (NFKC + case folding, via utf8proc) and
 * stems it with Snowball (English for Latin script, Russian for Cyrillic,
 * chosen per word).  Special runs become normalised tokens:
 *
 *   https://x.y/z, www.x.y, bit.ly/q   ->  "<url>"
 *   @maria_k                           ->  "<mention>"
 *   42, 3.50, 1,000                    ->  "<num>"
 *   #fail                              ->  the word "fail" (stemmed)
 *   an emoji (modifiers and VS16 off)  ->  the emoji itself, e.g. "😡"
 *   '?'                                ->  "<q>"
 *   "!!" or more                       ->  "<!!>"
 *   a word of 3+ letters in ALL CAPS   ->  the word, and also "<caps>"
 *
 * With bigrams on, each pair of neighbouring words adds "stem1 stem2".
 *
 * Every token keeps the span of the original text it came from, in bytes
 * and in code points, so that callers can show the original words (the
 * "why" of a classification) or point at them (tone findings).
 *
 * Memory: a struct tokenizer owns all its buffers and reuses them from one
 * tok_run() to the next, so the hot path allocates nothing per token.  The
 * tokens and their text stay valid until the next tok_run() or tok_free().
 * A tokenizer is not thread-safe; use one per thread.
 */
#ifndef CANDOR_TOKENIZE_H
#define CANDOR_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tok_kind {
	TOK_WORD,     /* a (stemmed) word, hashtags included */
	TOK_NUM,      /* "<num>" */
	TOK_URL,      /* "<url>" */
	TOK_MENTION,  /* "<mention>" */
	TOK_EMOJI,    /* the emoji */
	TOK_MARK,     /* "<q>", "<!!>", "<caps>" */
	TOK_BIGRAM    /* "stem1 stem2" */
};

enum tok_script { TOK_SCRIPT_OTHER, TOK_SCRIPT_LATIN, TOK_SCRIPT_CYRILLIC };

struct tok {
	uint64_t hash;      /* tok_feature_hash() of the feature text */
	uint32_t off;       /* feature text: tok_text() */
	uint32_t len;       /* its length in bytes */
	uint32_t start;     /* span in the input, bytes [start, end) */
	uint32_t end;
	uint32_t cstart;    /* the same span in code points */
	uint32_t cend;
	uint8_t kind;       /* enum tok_kind */
	uint8_t script;     /* enum tok_script, for words */
	uint8_t in_cache;   /* private to tokenize.c: where tok_text() looks */
	uint8_t shape;      /* private: the word's name shape, if known */
	uint32_t pair;      /* private: a bigram's first word token */
};

struct tok_params {
	int bigrams;        /* add word bigrams */
	int stem;           /* apply Snowball stemming */
	size_t max_tokens;  /* tokens past this are dropped (0: 4096) */
	int extras;         /* masked and mixed-script words, <masked>, <name>,
			     * <name+cue> (see "Extra features" below) */
};

/*
 * Extra features (extras on; classifier models trained since format flag
 * 16, see docs/classifier.md):
 *
 *   f**k, д*рьмо       one word across inner '*' runs ("f**k"), plus the
 *                      mark "<masked>"
 *   сyкa (Latin y, a)  a word of Cyrillic and Latin letters: the Latin
 *                      look-alikes (a c e o p x y k m t h b) become
 *                      Cyrillic, so it is the Russian word
 *   FizzPop, ... ZoomCart is   a word that looks like a name (CamelCase, or
 *                      capitalised in mid-sentence) or that is on the
 *                      runtime name list (tok_set_names): the mark "<name>"
 *   a <name> and a comparison or switching cue (better, cheaper, switch,
 *                      than, лучше, дешевле, перейду, чем, ...) anywhere in
 *                      the comment, in any order: once "<name+cue>"
 *
 * These marks come after the other tokens of the run.
 */

/* The defaults the classifier uses: bigrams and stemming on, no extras. */
void tok_params_default(struct tok_params *p);
/* Stemmed words without bigrams: what phrase matching (tone, facts) needs. */
void tok_params_words(struct tok_params *p);

struct tokenizer;

/* A new tokenizer; free it with tok_free().  NULL with err set on failure. */
struct tokenizer *tok_new(const struct tok_params *p, struct cd_error *err);
void tok_free(struct tokenizer *t);

/*
 * The runtime name list (a brand's competitors): each of the n names (up to
 * TOK_NAMES_MAX, each up to TOK_NAME_WORDS words) makes "<name>" wherever
 * it occurs, whatever its case, when extras are on.  Replaces any previous
 * list; n = 0 clears it.  CD_ERR_LIMIT names the limit that was passed.
 */
#define TOK_NAMES_MAX 64
#define TOK_NAME_WORDS 4
int tok_set_names(struct tokenizer *t, const char *const *names, size_t n,
		  struct cd_error *err);

/*
 * Tokenize text[0..len).  Returns 0, or CD_ERR_DATA when the text is not
 * valid UTF-8 (err says at which byte), or CD_ERR_NOMEM.  On error the
 * token list is empty.
 */
int tok_run(struct tokenizer *t, const char *text, size_t len,
	    struct cd_error *err);

size_t tok_count(const struct tokenizer *t);
/* 1 when the last run reached max_tokens (later tokens may be missing). */
int tok_full(const struct tokenizer *t);
const struct tok *tok_list(const struct tokenizer *t);
/*
 * The NUL-terminated feature text of a token of the last run.  A bigram's
 * text is put together on the first call after a run (classifying needs
 * only the hashes); the pointers stay valid until the next tok_run().
 */
const char *tok_text(const struct tokenizer *t, const struct tok *k);

/*
 * Normalise and stem one word or phrase the way tok_run() does, writing the
 * space-separated feature text of its words into out (at most outsz bytes,
 * NUL-terminated).  Used for phrase lists (tone rules) so that they match
 * whatever inflection or case a reply uses.  Returns the length, or a
 * negative status.
 */
int tok_normalize_phrase(struct tokenizer *t, const char *phrase,
			 char *out, size_t outsz, struct cd_error *err);

/* The hash of a one-word feature's text (tok.hash of a word, mark, ...). */
uint64_t tok_hash(const char *s, size_t len);
/* The hash of the bigram "a b" from the hashes of a and b. */
uint64_t tok_hash_pair(uint64_t a, uint64_t b);
/*
 * The tok.hash of any feature text: tok_hash() for one word, and
 * tok_hash_pair() of the two halves for a bigram ("a b").  Models use this
 * when they load feature texts from a file.
 */
uint64_t tok_feature_hash(const char *s, size_t len);

/*
 * Check that s[0..len) is valid UTF-8.  Returns 0, or CD_ERR_DATA with the
 * byte offset of the first bad sequence in *bad_at.
 */
int tok_utf8_check(const char *s, size_t len, size_t *bad_at);

/* Number of code points in valid UTF-8 s[0..len). */
size_t tok_utf8_len(const char *s, size_t len);

#endif

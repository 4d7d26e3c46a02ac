/*
 * jsonscan_internal.h - what the files of core/jsonscan share, and the
 * two paths of jsonscan_object() for the differential fuzz harness
 * (tests/fuzz/fuzz_jsonscan.c).  Not for other modules: they call
 * jsonscan_object().
 *
 * jsonscan_object() first runs the skimmer (jsonscan_skim.c), which checks
 * a line in two passes: blocks of 64 bytes classified at once (SSE2 where
 * the compiler targets it, 8 bytes at a time in portable C elsewhere) into
 * bit masks of quotes, backslashes, structure and the rest, from which
 * the strings are masked out; then a walk over the tokens alone.  When it
 * accepts a line, the answer is the exact scanner's (jsonscan.c) to the
 * span; when it refuses one or is unsure, the exact scanner reads the line
 * again and gives the answer and the error message with its byte, so the
 * two must agree on every line the skimmer accepts, and a line the exact
 * scanner accepts must never be refused by the skimmer.
 */
#ifndef CANDOR_JSONSCAN_INTERNAL_H
#define CANDOR_JSONSCAN_INTERNAL_H

#include "jsonscan.h"

enum jsonscan_skim_result {
	JSONSCAN_SKIM_OK = 0,           /* valid; want[] filled as exact does */
	JSONSCAN_SKIM_BAD = 1,          /* not a valid JSON object */
	JSONSCAN_SKIM_UNSURE = 2        /* leave it to the exact scanner */
};

enum jsonscan_skim_kind {
	JSONSCAN_SKIM_BEST = 0,         /* SSE2 when built for it, else portable */
	JSONSCAN_SKIM_PORTABLE = 1      /* the portable block classifier */
};

/*
 * The skimmer: fills want[] (as jsonscan_object) only when it returns
 * JSONSCAN_SKIM_OK; never sets an error.  Unsure on a line with more than
 * JSONSCAN_SKIM_TOKENS tokens, nesting deeper than JSONSCAN_DEPTH, or a
 * top-level member name with a backslash.
 */
#define JSONSCAN_SKIM_TOKENS 4096
enum jsonscan_skim_result jsonscan_skim(const char *line, size_t len,
					struct jsonscan_member *want,
					size_t nwant,
					enum jsonscan_skim_kind kind);

/* The exact one-pass scanner, with jsonscan_object()'s contract. */
int jsonscan_object_exact(const char *line, size_t len,
			  struct jsonscan_member *want, size_t nwant,
			  struct cd_error *err);

/*
 * At '-' or a digit: past the number (RFC 8259 grammar), or NULL with
 * *fault at the byte where it goes wrong.
 */
const char *jsonscan_number_end(const char *p, const char *end,
				const char **fault);

#endif

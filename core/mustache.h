/*
 * mustache.h - Mustache templates rendered against cJSON data.
 *
 * Implements the interpolation, sections, inverted, comments, partials and
 * delimiters modules of the Mustache spec (github.com/mustache/spec); the
 * spec's own test files run as tests/test_mustache_spec.c.  Lambdas,
 * inheritance and dynamic names are not supported.
 *
 * A template is parsed once into an op list and can then be rendered any
 * number of times: rendering never changes the template.  Partials are fetched through a callback and parsed
 * each time they are rendered, always with the default delimiters.
 *
 * Data model, where the spec leaves it to the host language:
 *   - falsey are false, null, a missing name and the empty array; everything
 *     else is truthy, including "", 0 and {} (the spec's Ruby semantics);
 *   - strings interpolate as they are, numbers in their shortest form that
 *     reads back to the same double ("85", "1.21"), booleans as "true" and
 *     "false"; null, missing names, arrays and objects interpolate as "";
 *   - names are looked up case-sensitively in JSON objects only.
 *
 * Ownership: mustache_parse() copies the source; the template it returns
 * is freed with mustache_free().  Rendering appends to a cd_buf the caller
 * owns.  The partial callback returns malloc'd memory that the engine frees.
 */
#ifndef CANDOR_MUSTACHE_H
#define CANDOR_MUSTACHE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"

/* Longest delimiter a set-delimiter tag may set, in bytes. */
#define MUSTACHE_DELIM_MAX 16
/* Section and partial nesting allowed when opts->max_depth is 0. */
#define MUSTACHE_DEPTH_DEFAULT 64
/* Ops one render may run when opts->max_steps is 0 (well under a second). */
#define MUSTACHE_STEPS_DEFAULT 10000000

struct mustache_template;

enum mustache_escape {
	MUSTACHE_ESCAPE_HTML,   /* {{x}} escapes & < > " ' */
	MUSTACHE_ESCAPE_NONE    /* {{x}} is the same as {{{x}}} (plain text) */
};

/*
 * Return the source of partial `name` in a malloc'd NUL-terminated buffer,
 * which the engine frees, or NULL if there is none: a missing partial
 * renders as the empty string, as the spec asks.
 */
typedef char *(*mustache_partial_fn)(void *ctx, const char *name);

struct mustache_opts {
	enum mustache_escape escape;
	mustache_partial_fn partial;    /* NULL: every partial is missing */
	void *partial_ctx;
	int max_depth;                  /* nesting cap of sections + partials;
					   0 means MUSTACHE_DEPTH_DEFAULT */
	size_t max_steps;               /* cap on the work of a render: one
					   step per op run (text, tag, each
					   pass through a section body), and
					   for parsing a partial; 0 means
					   MUSTACHE_STEPS_DEFAULT */
};

/* What a name is used for, as reported by mustache_each_name(). */
enum mustache_tag {
	MUSTACHE_TAG_VAR,       /* {{x}}, {{{x}}}, {{&x}} */
	MUSTACHE_TAG_SECTION,   /* {{#x}} */
	MUSTACHE_TAG_INVERTED   /* {{^x}} */
};

/*
 * Parse `len` bytes of `src` (which need not be NUL-terminated) into *out.
 * Returns 0, CD_ERR_DATA with err holding the message and the 1-based line
 * and column (counted in UTF-8 characters) of the offending tag, or
 * CD_ERR_NOMEM.  *out is set only on success.  Sections nested deeper than
 * MUSTACHE_DEPTH_DEFAULT in one template are refused here, at the tag that
 * goes one level too deep ("section 'x' nests deeper than 64 levels"),
 * whether or not a render would enter them.
 */
int mustache_parse(const char *src, size_t len, struct mustache_template **out,
		   struct cd_error *err);

/*
 * Render t against `data` (may be NULL: every name is missing), appending
 * to `out`.  opts may be NULL for HTML escaping without partials.  Returns
 * 0 or a negative status with err filled in:
 *   CD_ERR_LIMIT  out would pass out->max ("rendered reply exceeds N
 *                 bytes"), sections and partials nest deeper than
 *                 max_depth (a partial that includes itself forever), or
 *                 the render runs more than max_steps ops;
 *   CD_ERR_DATA   a partial does not parse (the line and column are the
 *                 partial's);
 *   CD_ERR_NOMEM  out of memory.
 * On error `out` holds whatever was rendered before it; discard it.
 */
int mustache_render(const struct mustache_template *t, const cJSON *data,
		    const struct mustache_opts *opts, struct cd_buf *out,
		    struct cd_error *err);

/* Free a template from mustache_parse(); NULL is fine. */
void mustache_free(struct mustache_template *t);

/*
 * Call fn for each variable and section name in t, in template order, with
 * the line and column of its tag; a section is reported once, at its
 * opening tag.  Names are as written ("a.b", "." for the implicit
 * iterator); partial names are not reported.  Stops at and returns the
 * first nonzero value fn returns, else 0.
 */
int mustache_each_name(const struct mustache_template *t,
		       int (*fn)(void *ctx, const char *name,
				 enum mustache_tag kind, long line, long col),
		       void *ctx);

#endif

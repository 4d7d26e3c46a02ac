/*
 * templates.h - the reply templates: loading, choosing a variant,
 * rendering a draft.
 *
 * Templates live in templates/<lang>/<category>/<name>.mustache, one reply
 * per file, in Mustache (core/mustache.h) rendered as plain text.  Each
 * file starts with a metadata comment:
 *
 *   {{! intent: apologise and move to a private message
 *       requires: brand.support_url }}
 *   {{#author}}@{{author}} {{/author}}Sorry about this. ...
 *
 * `intent` says what the reply is for (shown to reviewers); `requires`
 * lists the variables the reply cannot do without, separated by commas or
 * spaces (it may be empty): a variant whose requirements are unmet is not
 * drafted (tpl_requires_met).  An optional `topics:` line lists keywords,
 * comma-separated, matched like the fact sheet's: a variant with topics is
 * chosen only for a comment that mentions one of them, and general variants
 * serve the rest.  The comment is a standalone tag, so it renders as
 * nothing.  Every variable a template uses must be known
 * (tpl_known_variable): an unknown one fails the load, naming
 * file:line:col, before the first comment is drafted.
 *
 * A category has several variants and the choice rotates among them:
 * platforms flag a wave of identical replies as spam.  The choice is a pure
 * function of the comment's id and text, so a rerun, or the same input split
 * over several processes, always gets the same draft.
 *
 * Ownership: tpl_load() returns a set freed with tpl_free(); the struct tpl
 * pointers and every string they return live as long as the set, which is
 * read-only after loading (threads may share it).  tpl_data_new() returns
 * a cJSON object the caller frees with cJSON_Delete().
 */
#ifndef CANDOR_TEMPLATES_H
#define CANDOR_TEMPLATES_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "comment.h"
#include "config.h"
#include "error.h"
#include "facts.h"
#include "mustache.h"

#define TPL_FILE_MAX 8192               /* bytes of one template file */
#define TPL_MAX 2048                    /* templates in one set */
#define TPL_VARIANTS_MAX 256            /* variants of one lang + category */
#define TPL_PART_MAX 64                 /* bytes of a lang, category or name */
#define TPL_RENDER_MAX 16384            /* render cap when max_bytes is 0 */

struct tpl_set;
struct tpl;

/*
 * Load every dir/<lang>/<category>/<name>.mustache, sorted by lang, then
 * category, then name, so the order (and so every choice) is the same on
 * every machine.  Names starting with '.' are skipped, and so are other
 * files; a .mustache file at another depth is an error.  Each template is
 * parsed once and its metadata comment checked.  Returns NULL with err
 * filled on failure: "<path>:<line>:<col>: <message>" for a template that
 * does not parse or lacks its metadata, a message naming the path and the
 * limit for a file over TPL_FILE_MAX, "cannot open 'dir': ..." for a
 * missing directory, and an error when no template is found at all.
 */
struct tpl_set *tpl_load(const char *dir, struct cd_error *err);

/* Free a set from tpl_load(); NULL is fine. */
void tpl_free(struct tpl_set *s);

/* The templates in load order. */
size_t tpl_count(const struct tpl_set *s);
const struct tpl *tpl_at(const struct tpl_set *s, size_t i);
/* The template with that id ("en/complaint/apologize-2"), or NULL. */
const struct tpl *tpl_find(const struct tpl_set *s, const char *id);

const char *tpl_id(const struct tpl *t);        /* "lang/category/name" */
const char *tpl_lang(const struct tpl *t);
const char *tpl_category(const struct tpl *t);
const char *tpl_name(const struct tpl *t);      /* the basename, no ".mustache" */
const char *tpl_path(const struct tpl *t);      /* as found under dir */
const char *tpl_intent(const struct tpl *t);
const char *tpl_requires(const struct tpl *t);  /* as written, may be "" */
const char *tpl_topics(const struct tpl *t);    /* as written, may be "" */
const struct mustache_template *tpl_template(const struct tpl *t);

/*
 * Choose the variant for one comment among the templates of lang and
 * category.  lang names a directory ("ru"); a code with a region or in
 * capitals ("ru-RU", "RU") uses its primary language's directory.  When
 * that language has none for the category but "en" has, en is used and
 * *fell_back is set to 1 (else 0; fell_back may be NULL).  Returns NULL
 * when the category has no template at all (spam: its action is hide).
 *
 * The index is (mix(id, text) + variant_offset) mod n, with a 64-bit
 * finaliser over both hashes: the same id and text always get the same
 * variant, and a wave of near-identical comments with different ids spreads
 * evenly over the variants.  variant_offset 1, 2, ... walks through the
 * other variants (the review loop's "next variant"); id and text may be
 * NULL (taken as empty).
 */
const struct tpl *tpl_choose(const struct tpl_set *s, const char *lang,
			     const char *category, const char *id,
			     const char *text, size_t text_len,
			     unsigned variant_offset, int *fell_back);

/*
 * tpl_choose() with a filter: fit(ctx, t) says how well variant t fits
 * the comment: 0 not at all (requirements unmet, topics not mentioned),
 * 1 a general fit, 2 a topical fit.  Only the variants of the best level
 * present take part in the rotation, so a topical variant serves the
 * comments about its topic and general ones the rest; the choice among
 * them is the same pure function of id and text.  fit NULL accepts every
 * variant at level 1.  *eligible (may be NULL) receives how many variants
 * took part, so "next variant" can wrap around.  NULL when none fits.
 */
const struct tpl *tpl_choose_if(const struct tpl_set *s, const char *lang,
				const char *category, const char *id,
				const char *text, size_t text_len,
				unsigned variant_offset,
				int (*fit)(void *ctx, const struct tpl *t),
				void *ctx, size_t *eligible, int *fell_back);

/*
 * 1 when every variable t's `requires:` line names has a value in data
 * (present, not empty, not false or null), else 0 with the first missing
 * name written to missing[size] (may be NULL).
 */
int tpl_requires_met(const struct tpl *t, const cJSON *data, char *missing,
		     size_t size);

/*
 * Render t against data as plain text (no HTML escaping) and append the
 * draft to out.  The draft is tidied for the gaps that empty values leave:
 * leading and trailing whitespace go, runs of spaces and tabs become one
 * space, spaces before ',', '.', '!' and '?' and around line breaks go, and
 * at most one blank line is kept.  The raw render is capped at max_bytes
 * (0 means TPL_RENDER_MAX).  Returns 0, or CD_ERR_LIMIT (past max_bytes,
 * or past out->max), CD_ERR_DATA or CD_ERR_NOMEM with err naming the
 * template; on error out is left as it was.  Partials are not resolved in
 * replies: each reply is one file.
 */
int tpl_render(const struct tpl *t, const cJSON *data, size_t max_bytes,
	       struct cd_buf *out, struct cd_error *err);

/*
 * The data a reply renders against:
 *   author, id, text, lang, category,
 *   brand { name, handle, support_url, faq_url },
 *   fact { statement, source_url }            (only when f is not NULL)
 * Empty strings are left out, so {{#author}}...{{/author}} is skipped for
 * an anonymous comment; a leading '@' of the author is dropped, since the
 * templates write "@{{author}}".  c, cfg and f may be NULL.  NULL when out
 * of memory.  The object refers to the strings of c, cfg and f instead of
 * copying them, so it must not outlive them.
 */
cJSON *tpl_data_new(const struct comment *c, const char *lang,
		    const char *category, const struct cd_config *cfg,
		    const struct fact *f);

/*
 * The same data without an allocation per reply, for loops that render
 * one reply per comment: tpl_data_alloc() makes a reusable object (NULL
 * when out of memory), tpl_data_fill() points it at c, cfg and f and
 * returns the cJSON tree to render against, equal to what tpl_data_new()
 * would build.  The tree stays valid until the next fill or
 * tpl_data_free(), and as long as the strings it refers to; never pass it
 * to cJSON_Delete().
 */
struct tpl_data;
struct tpl_data *tpl_data_alloc(void);
void tpl_data_free(struct tpl_data *d);
const cJSON *tpl_data_fill(struct tpl_data *d, const struct comment *c,
			   const char *lang, const char *category,
			   const struct cd_config *cfg, const struct fact *f);

/*
 * 1 when name is a variable templates may use: author, id, text, lang,
 * category, brand.name, brand.handle, brand.support_url, brand.faq_url,
 * fact.statement, fact.source_url, the objects brand and fact (as
 * sections), and "." (the implicit iterator); else 0.  For
 * `templates check` and the requires line.
 */
int tpl_known_variable(const char *name);

#endif

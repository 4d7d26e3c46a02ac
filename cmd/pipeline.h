/*
 * pipeline.h - load what suggest, batch and review need to draft replies:
 * templates (-t, [reply] templates, templates/ beside a user's config, else
 * the shipped ones), the fact sheet ([reply] facts, else facts.ini beside
 * the config in use; a user's config never falls back to the shipped
 * sample sheet: with none there is a warning and no fact) and the tone
 * phrase lists, the flag lists ([flags] dir, else the shipped
 * config/flags), and build a suggester over the model (when one is loaded;
 * sg is NULL otherwise).
 */
#ifndef CANDOR_PIPELINE_H
#define CANDOR_PIPELINE_H

#include "cli.h"
#include "suggest.h"

struct pipeline {
	struct tpl_set *templates;
	struct fact_sheet *facts;
	struct flag_lists *flags;
	struct tone_rules *tone;
	struct suggester *sg;
	struct suggester_opts opts;     /* sg's: another one per thread */
	struct tokenizer *tk;           /* for loading the facts */
	int sg_lent;                    /* pipeline_suggester gave sg out */
};

/*
 * Where the fact sheet is: [facts] file when set (that file or an error),
 * else facts.ini beside the config; a config of your own never falls back
 * to the shipped sample (a warning, then none).  0 with the path in
 * out[n], 1 when there is none, or an exit code after printing why.
 */
int pipeline_find_facts(const struct cli *c, char *out, size_t n);

/* 0, or an exit code after printing why.  want_why: compute the why words. */
int pipeline_open(struct pipeline *p, struct cli *c, int want_why);
void pipeline_close(struct pipeline *p);

/*
 * A suggester for one --jobs worker (sharing everything the pipeline p
 * loaded, which is only read): p->sg for the first caller, a new one after
 * that (free it with pipeline_suggester_free).  NULL after printing why.
 * Typed as jobs_ops.state_new and state_free, with p as state_arg.
 */
void *pipeline_suggester(void *p);
void pipeline_suggester_free(void *p, void *sg);

#endif

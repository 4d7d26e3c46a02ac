/*
 * config.h - the brand's candor.ini: [brand], [classifier], [reply],
 * [alerts], [tiktok], [http], and where the brand's own data lives:
 * [templates] dir, [facts] file, [flags] dir, [tone] dir.
 *
 * struct cd_config is a plain value the caller embeds: config_init() fills
 * the defaults, config_load() overlays a file.  It owns no heap memory.
 * Unknown sections and keys are errors naming the file and line, never
 * ignored.  Secrets (API tokens) are not read from here: they come from
 * the environment only.
 */
#ifndef CANDOR_CONFIG_H
#define CANDOR_CONFIG_H

#include <stddef.h>

#include "category.h"
#include "error.h"
#include "monitor.h"
#include "queue.h"

#define CONFIG_MAX_COMPETITORS 16
#define CONFIG_STR 192
#define CONFIG_PATH 1024

/*
 * The data folders and files a config may name.  A relative path is
 * resolved against the folder of the config file that names it, so one
 * -c (or $CANDOR_CONFIG) selects a whole brand.  "" when not set.
 */
struct cd_config_paths {
	char templates[CONFIG_PATH];    /* [templates] dir */
	char facts[CONFIG_PATH];        /* [facts] file */
	char flags[CONFIG_PATH];        /* [flags] dir */
	char tone[CONFIG_PATH];         /* [tone] dir */
};

struct cd_config {
	char path[CONFIG_PATH];                 /* "" when only defaults */
	struct {
		char name[CONFIG_STR];
		char handle[CONFIG_STR];
		char support_url[CONFIG_STR];
		char faq_url[CONFIG_STR];
		char competitors[CONFIG_MAX_COMPETITORS][64];
		size_t ncompetitors;
	} brand;
	struct {
		double min_confidence;
	} classifier;
	struct {
		char channel[16];
		size_t max_chars;               /* from channel, or max_chars */
		char lang[16];                  /* the default language ("en"):
						   a fact without lang serves
						   only it */
	} reply;
	struct {
		char webhook_url[CONFIG_STR];
		long queue;                     /* alerts waiting for the webhook */
	} alerts;
	struct {
		char api_base[CONFIG_STR];      /* Business API */
		char research_base[CONFIG_STR]; /* Research API */
		char business_id[CONFIG_STR];
	} tiktok;
	struct {
		double timeout;                 /* seconds per request */
		int retries;                    /* on 429, 5xx, network errors */
		double rate;                    /* requests per second at most */
		double backoff;                 /* first retry delay, seconds */
	} http;
	/* monitor's detector (core/monitor.h); config_init sets its defaults */
	struct {
		long window, cooldown, min_count, long_windows, quiet_windows;
		long warmup, profile_days;
		/* seconds; 0: not set, so the default, lifted to one
		   window when the window is longer (config_monitor_params) */
		double half_life, cold_half_life;
		double dispersion, floor;
		double p_watch, p_alert, p_crisis, p_clear;
		double crisis_share;
		char negative[MONITOR_MAX_NEGATIVE][MONITOR_NAME_MAX];
		size_t nnegative;
	} crisis;
	struct cd_config_paths paths;
	struct {
		struct queue_params queue;      /* [review] weights, due, ... */
		char team[CONFIG_STR];          /* [crisis] team: escalation names */
		long lease;                     /* [review] lease: seconds a claim
						   holds (a team); 0: not set */
	} review;
	/* [category.NAME]: each category's action, required elements, fact
	   citing (core/category.h); config_init sets the shipped ones */
	struct categories categories;
};

void config_init(struct cd_config *c);

/*
 * The detector's params from [crisis]; the negative names point into c,
 * which must outlive them.  A half-life the file does not set is its
 * default or one window, whichever is longer, so a long window alone never
 * fails the check that a half-life is at least one window.
 */
void config_monitor_params(const struct cd_config *c,
			   struct monitor_params *p);

/*
 * Seconds of a duration: a number with an optional unit s, m, h or d
 * ("300", "5m", "1.5h").  -1 when s is not one.
 */
double config_duration(const char *s);
int config_load(struct cd_config *c, const char *path, struct cd_error *err);

/* The review queue's order from [review] (defaults: core/queue.h). */
void config_queue_params(const struct cd_config *c, struct queue_params *p);


/*
 * The reply length limit of a channel in characters (code points), or 0
 * for an unknown channel: tiktok 150, instagram 2200, youtube 10000, x 280.
 */
size_t config_channel_limit(const char *channel);
/* Set channel and max_chars; CD_ERR_USAGE for an unknown channel. */
int config_set_channel(struct cd_config *c, const char *channel,
		       struct cd_error *err);

struct tokenizer;
/*
 * Give a classifier's tokenizer the brand's competitors as runtime names
 * (tok_set_names): with a model trained with extra features, each of them
 * counts as a name ("<name>", "<name+cue>") without retraining.
 */
int config_tok_names(const struct cd_config *c, struct tokenizer *tk,
		     struct cd_error *err);

#endif

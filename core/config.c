/* config.c - see config.h. */
#include "config.h"
#include "inifile.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	size_t limit;
} channels[] = {
	{ "instagram", 2200 },
	{ "tiktok", 150 },
	{ "x", 280 },
	{ "youtube", 10000 },
};

size_t config_channel_limit(const char *channel)
{
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (!strcasecmp(channel, channels[i].name))
			return channels[i].limit;
	return 0;
}

int config_set_channel(struct cd_config *c, const char *channel,
		       struct cd_error *err)
{
	size_t lim = config_channel_limit(channel);

	if (!lim || strlen(channel) >= sizeof(c->reply.channel))
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "unknown channel '%s' (tiktok, instagram, "
				    "youtube or x)", channel);
	strcpy(c->reply.channel, channel);
	c->reply.max_chars = lim;
	return 0;
}

static void crisis_init(struct cd_config *c)
{
	struct monitor_params p;
	size_t i;

	monitor_params_default(&p);
	c->crisis.window = p.window;
	c->crisis.cooldown = p.cooldown;
	c->crisis.min_count = p.min_count;
	c->crisis.long_windows = p.long_windows;
	c->crisis.quiet_windows = p.quiet_windows;
	c->crisis.warmup = p.warmup;
	c->crisis.profile_days = p.profile_days;
	c->crisis.half_life = 0;                /* not set: follow the window */
	c->crisis.cold_half_life = 0;
	c->crisis.dispersion = p.dispersion;
	c->crisis.floor = p.floor;
	c->crisis.p_watch = p.p_watch;
	c->crisis.p_alert = p.p_alert;
	c->crisis.p_crisis = p.p_crisis;
	c->crisis.p_clear = p.p_clear;
	c->crisis.crisis_share = p.crisis_share;
	for (i = 0; i < p.nnegative; i++)
		strcpy(c->crisis.negative[i], p.negative[i]);
	c->crisis.nnegative = p.nnegative;
}

/* A [crisis] half-life: as set, else the default or one window if longer. */
static double half_life_or(double set, double dflt, long window)
{
	if (set > 0)
		return set;
	return dflt > (double)window ? dflt : (double)window;
}

void config_monitor_params(const struct cd_config *c, struct monitor_params *p)
{
	size_t i;

	monitor_params_default(p);
	p->window = c->crisis.window;
	p->cooldown = c->crisis.cooldown;
	p->min_count = c->crisis.min_count;
	p->long_windows = c->crisis.long_windows;
	p->quiet_windows = c->crisis.quiet_windows;
	p->warmup = c->crisis.warmup;
	p->profile_days = c->crisis.profile_days;
	p->half_life = half_life_or(c->crisis.half_life, p->half_life, p->window);
	p->cold_half_life = half_life_or(c->crisis.cold_half_life,
					 p->cold_half_life, p->window);
	p->dispersion = c->crisis.dispersion;
	p->floor = c->crisis.floor;
	p->p_watch = c->crisis.p_watch;
	p->p_alert = c->crisis.p_alert;
	p->p_crisis = c->crisis.p_crisis;
	p->p_clear = c->crisis.p_clear;
	p->crisis_share = c->crisis.crisis_share;
	for (i = 0; i < c->crisis.nnegative; i++)
		p->negative[i] = c->crisis.negative[i];
	p->nnegative = c->crisis.nnegative;
}

double config_duration(const char *s)
{
	char *end;
	double d = strtod(s, &end), unit = 1;

	if (end == s || !(d >= 0))
		return -1;
	if (*end && !end[1]) {
		switch (*end++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
	}
	return *end ? -1 : d * unit;
}

void config_init(struct cd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->brand.name, sizeof(c->brand.name), "our team");
	c->classifier.min_confidence = 0.60;
	strcpy(c->reply.channel, "tiktok");
	c->reply.max_chars = 150;
	strcpy(c->reply.lang, "en");
	categories_default(&c->categories);
	c->alerts.queue = 64;
	crisis_init(c);
	queue_params_default(&c->review.queue);
	strcpy(c->tiktok.api_base,
	       "https://business-api.tiktok.com/open_api/v1.3");
	strcpy(c->tiktok.research_base, "https://open.tiktokapis.com/v2");
	c->http.timeout = 20;
	c->http.retries = 5;
	c->http.rate = 5;
	c->http.backoff = 0.5;
}

void config_queue_params(const struct cd_config *c, struct queue_params *p)
{
	*p = c->review.queue;
}


struct load {
	struct cd_config *c;
	const char *path;
};


static int set_str(char *dst, size_t n, const char *v, const struct load *ld,
		   const char *key, long line, struct cd_error *err)
{
	if (strlen(v) >= n)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' is longer than %zu bytes",
				    ld->path, line, key, n - 1);
	strcpy(dst, v);
	return 0;
}

static int set_double(double *dst, const char *v, double lo, double hi,
		      const struct load *ld, const char *key, long line,
		      struct cd_error *err)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !(d >= lo && d <= hi))
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' must be a number from %g to %g, "
				    "not '%s'", ld->path, line, key, lo, hi, v);
	*dst = d;
	return 0;
}

/*
 * A data path: absolute as written, else relative to the config file's
 * folder ("templates" in /etc/brand/candor.ini is /etc/brand/templates).
 */
static int set_path(char *dst, const char *v, const struct load *ld,
		    const char *key, long line, struct cd_error *err)
{
	const char *slash = strrchr(ld->path, '/');
	int dir = slash ? (int)(slash - ld->path) : 0;
	int n;

	if (!*v)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' is empty (leave the key out for "
				    "the default)", ld->path, line, key);
	if (*v == '/' || !slash)
		n = snprintf(dst, CONFIG_PATH, "%s", v);
	else
		n = snprintf(dst, CONFIG_PATH, "%.*s/%s", dir, ld->path, v);
	if (n < 0 || n >= CONFIG_PATH)
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: '%s' makes a path longer than %d bytes",
				    ld->path, line, key, CONFIG_PATH - 1);
	return 0;
}

struct list_ctx {
	struct cd_config *c;
	const struct load *ld;
	long line;
	struct cd_error *err;
};

/*
 * Words of a name as the tokenizer splits them (near enough: runs of
 * letters, digits and non-ASCII bytes), for the runtime name list.
 */
static int name_words(const char *s, size_t n)
{
	size_t i;
	int words = 0, in = 0;

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		int w = b >= 0x80 || (b >= '0' && b <= '9') ||
			((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || b == '\'';

		words += w && !in;
		in = w;
	}
	return words;
}

static int add_competitor(void *ctx, const char *name, size_t n)
{
	struct list_ctx *x = ctx;
	struct cd_config *c = x->c;

	if (c->brand.ncompetitors == CONFIG_MAX_COMPETITORS)
		return cd_error_set(x->err, CD_ERR_CONFIG, x->line,
				    "%s:%ld: more than %d competitors", x->ld->path,
				    x->line, CONFIG_MAX_COMPETITORS);
	if (n >= sizeof(c->brand.competitors[0]))
		return cd_error_set(x->err, CD_ERR_CONFIG, x->line,
				    "%s:%ld: competitor name longer than %zu bytes",
				    x->ld->path, x->line,
				    sizeof(c->brand.competitors[0]) - 1);
	if (name_words(name, n) > TOK_NAME_WORDS)
		return cd_error_set(x->err, CD_ERR_CONFIG, x->line,
				    "%s:%ld: competitor name '%.*s' has more "
				    "than %d words", x->ld->path, x->line,
				    (int)n, name, TOK_NAME_WORDS);
	memcpy(c->brand.competitors[c->brand.ncompetitors], name, n);
	c->brand.competitors[c->brand.ncompetitors++][n] = '\0';
	return 0;
}

/* "FizzCo, ФиззКо" -> competitors[] */
static int set_list(struct cd_config *c, const char *v, const struct load *ld,
		    long line, struct cd_error *err)
{
	struct list_ctx x = { c, ld, line, err };

	c->brand.ncompetitors = 0;
	return inifile_each_item(v, add_competitor, &x);
}

static int set_long(long *dst, const char *v, long lo, long hi,
		    const struct load *ld, const char *key, long line,
		    struct cd_error *err)
{
	double d = 0;
	int rc = set_double(&d, v, (double)lo, (double)hi, ld, key, line, err);

	if (!rc && d != (double)(long)d)
		rc = cd_error_set(err, CD_ERR_CONFIG, line, "%s:%ld: '%s' must "
				  "be a whole number, not '%s'", ld->path, line,
				  key, v);
	if (!rc)
		*dst = (long)d;
	return rc;
}

/* "5m": seconds from lo to hi. */
static int set_duration(long *dst, const char *v, long lo, long hi,
			const struct load *ld, const char *key, long line,
			struct cd_error *err)
{
	double d = config_duration(v);

	if (d < (double)lo || d > (double)hi || d != (double)(long)d)
		return cd_error_set(err, CD_ERR_CONFIG, line, "%s:%ld: '%s' must "
				    "be whole seconds from %ld to %ld (300, 5m, "
				    "1h), not '%s'", ld->path, line, key, lo, hi,
				    v);
	*dst = (long)d;
	return 0;
}

static int add_negative(void *ctx, const char *name, size_t n)
{
	struct list_ctx *x = ctx;
	struct cd_config *c = x->c;

	if (c->crisis.nnegative == MONITOR_MAX_NEGATIVE)
		return cd_error_set(x->err, CD_ERR_CONFIG, x->line,
				    "%s:%ld: more than %d negative categories",
				    x->ld->path, x->line, MONITOR_MAX_NEGATIVE);
	if (n >= MONITOR_NAME_MAX)
		return cd_error_set(x->err, CD_ERR_CONFIG, x->line,
				    "%s:%ld: category name longer than %d bytes",
				    x->ld->path, x->line, MONITOR_NAME_MAX - 1);
	memcpy(c->crisis.negative[c->crisis.nnegative], name, n);
	c->crisis.negative[c->crisis.nnegative++][n] = '\0';
	return 0;
}

/* [crisis]: monitor's detector; 1 when key is not one of its keys. */
static int crisis_key(struct cd_config *c, const char *key, const char *v,
		      const struct load *ld, long line, struct cd_error *err)
{
	int rc;

#define K(k) (!strcmp(key, k))
	if (K("window"))
		rc = set_duration(&c->crisis.window, v, 1, 86400, ld, key, line,
				  err);
	else if (K("cooldown"))
		rc = set_duration(&c->crisis.cooldown, v, 0, 30L * 86400, ld, key,
				  line, err);
	else if (K("half_life")) {
		long hl = 0;

		rc = set_duration(&hl, v, 1, 365L * 86400, ld, key, line, err);
		c->crisis.half_life = (double)hl;
	} else if (K("min_count"))
		rc = set_long(&c->crisis.min_count, v, 1, 1000000, ld, key, line,
			      err);
	else if (K("long_windows"))
		rc = set_long(&c->crisis.long_windows, v, 1, MONITOR_MAX_LONG, ld,
			      key, line, err);
	else if (K("quiet_windows"))
		rc = set_long(&c->crisis.quiet_windows, v, 1, 10000, ld, key, line,
			      err);
	else if (K("warmup"))
		rc = set_long(&c->crisis.warmup, v, 0, 100000, ld, key, line, err);
	else if (K("profile_days"))
		rc = set_long(&c->crisis.profile_days, v, 0, 365, ld, key, line,
			      err);
	else if (K("floor"))
		rc = set_double(&c->crisis.floor, v, 1e-6, 1e6, ld, key, line, err);
	else if (K("dispersion"))
		rc = set_double(&c->crisis.dispersion, v, 0, 10, ld, key, line,
				err);
	else if (K("cold_half_life")) {
		long hl = 0;

		rc = set_duration(&hl, v, 1, 365L * 86400, ld, key, line, err);
		c->crisis.cold_half_life = (double)hl;
	} else if (K("p_watch"))
		rc = set_double(&c->crisis.p_watch, v, 1e-300, 0.5, ld, key, line,
				err);
	else if (K("p_alert"))
		rc = set_double(&c->crisis.p_alert, v, 1e-300, 0.5, ld, key, line,
				err);
	else if (K("p_crisis"))
		rc = set_double(&c->crisis.p_crisis, v, 1e-300, 0.5, ld, key, line,
				err);
	else if (K("p_clear"))
		rc = set_double(&c->crisis.p_clear, v, 1e-300, 0.999, ld, key, line,
				err);
	else if (K("crisis_share"))
		rc = set_double(&c->crisis.crisis_share, v, 0, 1, ld, key, line,
				err);
	else if (K("negative")) {
		struct list_ctx x = { c, ld, line, err };

		c->crisis.nnegative = 0;
		rc = inifile_each_item(v, add_negative, &x);
	} else
		return 1;
#undef K
	return rc;
}

static int handle(void *user, const char *sec, const char *key,
		  const char *v, long line, struct cd_error *err)
{
	struct load *ld = user;
	struct cd_config *c = ld->c;

#define IS(s, k) (!strcmp(sec, s) && !strcmp(key, k))
	if (IS("brand", "name"))
		return set_str(c->brand.name, sizeof(c->brand.name), v, ld, key,
			       line, err);
	if (IS("brand", "handle"))
		return set_str(c->brand.handle, sizeof(c->brand.handle), v, ld,
			       key, line, err);
	if (IS("brand", "support_url"))
		return set_str(c->brand.support_url, sizeof(c->brand.support_url),
			       v, ld, key, line, err);
	if (IS("brand", "faq_url"))
		return set_str(c->brand.faq_url, sizeof(c->brand.faq_url), v, ld,
			       key, line, err);
	if (IS("brand", "competitors"))
		return set_list(c, v, ld, line, err);
	if (IS("classifier", "min_confidence"))
		return set_double(&c->classifier.min_confidence, v, 0, 1, ld, key,
				  line, err);
	if (IS("reply", "channel")) {
		if (config_set_channel(c, v, err))
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: unknown channel '%s' (tiktok, "
					    "instagram, youtube or x)", ld->path,
					    line, v);
		return 0;
	}
	if (IS("reply", "max_chars")) {
		double d = 0;
		int rc = set_double(&d, v, 1, 100000, ld, key, line, err);

		if (!rc)
			c->reply.max_chars = (size_t)d;
		return rc;
	}
	if (IS("reply", "lang")) {
		size_t i;

		for (i = 0; v[i] || !i; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') || v[i] == '-'))
				return cd_error_set(err, CD_ERR_CONFIG, line,
						    "%s:%ld: 'lang' must be a "
						    "language code such as en "
						    "or ru, not '%s'", ld->path,
						    line, v);
		return set_str(c->reply.lang, sizeof(c->reply.lang), v, ld, key,
			       line, err);
	}
	if (IS("alerts", "webhook_url"))
		return set_str(c->alerts.webhook_url, sizeof(c->alerts.webhook_url),
			       v, ld, key, line, err);
	if (IS("alerts", "queue"))
		return set_long(&c->alerts.queue, v, 1, 100000, ld, key, line, err);
	if (!strcmp(sec, "crisis")) {
		int rc = crisis_key(c, key, v, ld, line, err);

		if (rc <= 0)
			return rc;
	}
	if (IS("review", "weights")) {
		struct cd_error why;

		if (queue_params_weights(&c->review.queue, v, &why))
			return cd_error_set(err, CD_ERR_CONFIG, line, "%s:%ld: %s",
					    ld->path, line, why.msg);
		return 0;
	}
	if (IS("review", "due"))
		return set_duration(&c->review.queue.due_flagged, v, 0,
				    86400 * 30, ld, key, line, err);
	if (IS("review", "lease"))
		return set_duration(&c->review.lease, v, 0, 86400, ld, key, line,
				    err);
	if (IS("review", "due_other"))
		return set_duration(&c->review.queue.due_other, v, 0,
				    86400 * 30, ld, key, line, err);
	if (IS("crisis", "team"))
		return set_str(c->review.team, sizeof(c->review.team), v, ld,
			       key, line, err);
	if (IS("tiktok", "api_base"))
		return set_str(c->tiktok.api_base, sizeof(c->tiktok.api_base), v,
			       ld, key, line, err);
	if (IS("tiktok", "research_base"))
		return set_str(c->tiktok.research_base,
			       sizeof(c->tiktok.research_base), v, ld, key, line,
			       err);
	if (IS("tiktok", "business_id"))
		return set_str(c->tiktok.business_id,
			       sizeof(c->tiktok.business_id), v, ld, key, line,
			       err);
	if (IS("http", "timeout"))
		return set_double(&c->http.timeout, v, 0.05, 3600, ld, key, line,
				  err);
	if (IS("http", "retries")) {
		double d = 0;
		int rc = set_double(&d, v, 0, 20, ld, key, line, err);

		if (!rc)
			c->http.retries = (int)d;
		return rc;
	}
	if (IS("http", "rate"))
		return set_double(&c->http.rate, v, 0, 1000, ld, key, line, err);
	if (IS("http", "backoff"))
		return set_double(&c->http.backoff, v, 0.001, 60, ld, key, line,
				  err);
	if (IS("templates", "dir"))
		return set_path(c->paths.templates, v, ld, key, line, err);
	if (IS("facts", "file"))
		return set_path(c->paths.facts, v, ld, key, line, err);
	if (IS("flags", "dir"))
		return set_path(c->paths.flags, v, ld, key, line, err);
	if (IS("tone", "dir"))
		return set_path(c->paths.tone, v, ld, key, line, err);
#undef IS
	if (!strncmp(sec, "category.", 9)) {
		struct cd_error why;

		if (categories_set(&c->categories, sec + 9, key, v, &why))
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: [%s] %s", ld->path, line,
					    sec, why.msg);
		return 0;
	}
	if (strcmp(sec, "brand") && strcmp(sec, "classifier") &&
	    strcmp(sec, "reply") && strcmp(sec, "alerts") &&
	    strcmp(sec, "templates") && strcmp(sec, "facts") &&
	    strcmp(sec, "flags") && strcmp(sec, "tone") &&
	    strcmp(sec, "review") && strcmp(sec, "crisis") &&
	    strcmp(sec, "tiktok") && strcmp(sec, "http"))
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: unknown section [%s]", ld->path, line,
				    sec);
	return cd_error_set(err, CD_ERR_CONFIG, line,
			    "%s:%ld: unknown key '%s' in [%s]", ld->path, line,
			    key, sec);
}

/* "90s", "5m", "2h", "1d": a duration as a person would set it. */
static void duration_text(char *out, size_t n, long s)
{
	static const struct { long len; char unit; } u[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }
	};
	size_t i;

	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++)
		if (s >= u[i].len && s % u[i].len == 0) {
			snprintf(out, n, "%ld%c", s / u[i].len, u[i].unit);
			return;
		}
	snprintf(out, n, "%lds", s);
}

/* A half-life the file sets (hl > 0) must be at least [crisis] window. */
static int check_half_life(const struct cd_config *c, const char *key,
			   double hl, const char *path, struct cd_error *err)
{
	char a[32], b[32];

	if (hl <= 0 || hl >= (double)c->crisis.window)
		return 0;
	duration_text(a, sizeof(a), (long)hl);
	duration_text(b, sizeof(b), c->crisis.window);
	return cd_error_set(err, CD_ERR_CONFIG, 0, "%s: [crisis] %s (%s) is "
			    "shorter than window (%s): set %s to at least %s, "
			    "or leave it out to follow the window", path, key,
			    a, b, key, b);
}

int config_load(struct cd_config *c, const char *path, struct cd_error *err)
{
	struct load ld = { c, path };
	struct monitor_params p;
	char msg[sizeof(err->msg)];
	int rc;

	if (strlen(path) >= sizeof(c->path))
		return cd_error_set(err, CD_ERR_CONFIG, 0, "config path too long");
	strcpy(c->path, path);
	if ((rc = inifile_parse(path, handle, &ld, err)) != 0)
		return rc;
	/* checked once all is read: keys may come in any order */
	if ((rc = check_half_life(c, "half_life", c->crisis.half_life, path,
				  err)) != 0 ||
	    (rc = check_half_life(c, "cold_half_life",
				  c->crisis.cold_half_life, path, err)) != 0)
		return rc;
	config_monitor_params(c, &p);
	if (monitor_params_check(&p, err)) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return cd_error_set(err, CD_ERR_CONFIG, 0, "%s: [crisis] %s",
				    path, msg);
	}
	return 0;
}

int config_tok_names(const struct cd_config *c, struct tokenizer *tk,
		     struct cd_error *err)
{
	const char *names[CONFIG_MAX_COMPETITORS];
	size_t i;

	for (i = 0; i < c->brand.ncompetitors; i++)
		names[i] = c->brand.competitors[i];
	return tok_set_names(tk, names, i, err);
}

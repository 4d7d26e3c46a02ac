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

void config_init(struct cd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->brand.name, sizeof(c->brand.name), "our team");
	c->classifier.min_confidence = 0.60;
	strcpy(c->reply.channel, "tiktok");
	c->reply.max_chars = 150;
	strcpy(c->reply.lang, "en");
	c->alerts.spike_factor = 3.0;
	c->alerts.window_seconds = 900;
	queue_params_default(&c->review.queue);
}

void config_queue_params(const struct cd_config *c, struct queue_params *p)
{
	*p = c->review.queue;
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


struct load {
	struct cd_config *c;
	const char *path;
};

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
	if (IS("alerts", "spike_factor"))
		return set_double(&c->alerts.spike_factor, v, 1, 1000, ld, key,
				  line, err);
	if (IS("alerts", "window_seconds")) {
		double d = 0;
		int rc = set_double(&d, v, 1, 86400 * 7, ld, key, line, err);

		if (!rc)
			c->alerts.window_seconds = (long)d;
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
	if (IS("review", "due_other"))
		return set_duration(&c->review.queue.due_other, v, 0,
				    86400 * 30, ld, key, line, err);
	if (IS("crisis", "team"))
		return set_str(c->review.team, sizeof(c->review.team), v, ld,
			       key, line, err);
	if (IS("templates", "dir"))
		return set_path(c->paths.templates, v, ld, key, line, err);
	if (IS("facts", "file"))
		return set_path(c->paths.facts, v, ld, key, line, err);
	if (IS("flags", "dir"))
		return set_path(c->paths.flags, v, ld, key, line, err);
	if (IS("tone", "dir"))
		return set_path(c->paths.tone, v, ld, key, line, err);
#undef IS
	if (strcmp(sec, "brand") && strcmp(sec, "classifier") &&
	    strcmp(sec, "reply") && strcmp(sec, "alerts") &&
	    strcmp(sec, "templates") && strcmp(sec, "facts") &&
	    strcmp(sec, "flags") && strcmp(sec, "tone") &&
	    strcmp(sec, "review") && strcmp(sec, "crisis"))
		return cd_error_set(err, CD_ERR_CONFIG, line,
				    "%s:%ld: unknown section [%s]", ld->path, line,
				    sec);
	return cd_error_set(err, CD_ERR_CONFIG, line,
			    "%s:%ld: unknown key '%s' in [%s]", ld->path, line,
			    key, sec);
}

int config_load(struct cd_config *c, const char *path, struct cd_error *err)
{
	struct load ld = { c, path };

	if (strlen(path) >= sizeof(c->path))
		return cd_error_set(err, CD_ERR_CONFIG, 0, "config path too long");
	strcpy(c->path, path);
	return inifile_parse(path, handle, &ld, err);
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

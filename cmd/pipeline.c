/* pipeline.c - see pipeline.h. */
#include "pipeline.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A file beside the config in use (its folder + name) into out. */
static void beside_config(const struct cli *c, const char *name, char *out,
			  size_t n)
{
	const char *slash = strrchr(c->cfg.path, '/');

	if (!slash)
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%.*s/%s", (int)(slash - c->cfg.path),
			 c->cfg.path, name);
}

/*
 * Where the fact sheet is: [facts] file when set (that file or an error),
 * else facts.ini beside the config.  A user's config never falls back to
 * the shipped sample sheet (its facts are another brand's): without one
 * there is a warning and no fact.  0 with the path, 1 when there is none,
 * or an exit code after printing why.
 */
int pipeline_find_facts(const struct cli *c, char *out, size_t n)
{
	if (c->cfg.paths.facts[0]) {    /* [facts] file: that file or nothing */
		snprintf(out, n, "%s", c->cfg.paths.facts);
		if (access(out, R_OK)) {
			cli_err("%s: [facts] file '%s': %s", c->cfg.path, out,
				strerror(errno));
			return EXIT_CONFIG;
		}
		return 0;
	}
	if (c->cfg.path[0]) {
		beside_config(c, "facts.ini", out, n);
		if (!access(out, R_OK))
			return 0;
		if (c->user_config) {
			if (!c->quiet)
				cli_err("warning: no fact sheet: '%s' does not "
					"exist and [facts] file is not set; "
					"fake_news drafts go to a person", out);
			return 1;
		}
	}
	return cli_find_data("config/facts.ini", out, n) ? 1 : 0;
}

/* The templates folder: -t, [templates] dir, templates/ beside a user's
 * config, else the shipped one.  0, or an exit code after printing why. */
static int find_templates(const struct cli *c, char *out, size_t n)
{
	struct stat st;

	if (c->templates_dir) {
		snprintf(out, n, "%s", c->templates_dir);
		return 0;
	}
	if (c->cfg.paths.templates[0]) {
		snprintf(out, n, "%s", c->cfg.paths.templates);
		return 0;
	}
	if (c->user_config) {
		beside_config(c, "templates", out, n);
		if (!stat(out, &st) && S_ISDIR(st.st_mode))
			return 0;
		/* never silently: the samples speak for another brand */
		if (!c->quiet)
			cli_err("warning: no templates folder: '%s' does not exist "
				"and [templates] dir is not set; drafting from the "
				"shipped sample templates (`candor init DIR` writes "
				"neutral ones)", out);
	}
	if (cli_find_data("templates", out, n)) {
		cli_err("cannot find the reply templates (pass -t DIR)");
		return EXIT_CONFIG;
	}
	return 0;
}

/*
 * The flag lists: [flags] dir when set (that folder or an error naming the
 * setting), else the shipped config/flags.  The lists name harm, lawyers
 * and journalists, not a brand, so every config may use the shipped ones.
 * 0, or an exit code after printing why.
 */
static int load_flags(struct pipeline *p, const struct cli *c)
{
	struct cd_error err;
	char path[4096];
	int rc;

	if (c->cfg.paths.flags[0]) {
		snprintf(path, sizeof(path), "%s", c->cfg.paths.flags);
	} else if (cli_find_data("config/flags", path, sizeof(path))) {
		cli_err("cannot find the flag lists config/flags (set [flags] "
			"dir)");
		return EXIT_CONFIG;
	}
	rc = flags_load(path, p->tk, &p->flags, &err);
	if (rc) {
		if (c->cfg.paths.flags[0] && rc == CD_ERR_NOINPUT)
			cli_err("%s: [flags] dir: %s", c->cfg.path, err.msg);
		else
			cli_err("%s", err.msg);
		return cli_exit_code(rc == CD_ERR_NOINPUT ? CD_ERR_CONFIG : rc);
	}
	cli_info(c, "flags: %s (%zu phrases)", path, flags_count(p->flags));
	return 0;
}

int pipeline_open(struct pipeline *p, struct cli *c, int want_why)
{
	struct suggester_opts o;
	struct cd_error err;
	char path[4096];
	int rc, code = 0;

	memset(p, 0, sizeof(*p));
	rc = find_templates(c, path, sizeof(path));
	if (rc)
		return rc;
	cli_info(c, "templates: %s", path);
	p->templates = tpl_load(path, &err);
	if (!p->templates)
		return cli_fail(CD_ERR_CONFIG, &err);

	p->tk = cli_tok_words(&err);
	if (!p->tk) {
		pipeline_close(p);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	rc = pipeline_find_facts(c, path, sizeof(path));
	if (rc > 1) {
		pipeline_close(p);
		return rc;
	}
	if (rc == 0) {
		cli_info(c, "facts: %s", path);
		rc = facts_load(path, p->tk, &p->facts, &err);
		if (rc) {
			pipeline_close(p);
			return cli_fail(rc == CD_ERR_NOINPUT ? CD_ERR_NOINPUT :
					CD_ERR_CONFIG, &err);
		}
		facts_set_default_lang(p->facts, c->cfg.reply.lang);
	} else {
		cli_info(c, "facts: none (fake_news drafts need a person)");
	}
	rc = load_flags(p, c);
	if (rc) {
		pipeline_close(p);
		return rc;
	}
	p->tone = cli_load_tone(c, &code);
	if (!p->tone) {
		pipeline_close(p);
		return code;
	}
	if (!c->model)
		return 0;               /* templates and facts only */
	memset(&o, 0, sizeof(o));
	o.cfg = &c->cfg;
	o.model = c->model;
	o.templates = p->templates;
	o.facts = p->facts;
	o.flags = p->flags;
	o.tone = p->tone;
	o.lang = c->lang && strcmp(c->lang, "auto") ? c->lang : NULL;
	o.now = (int64_t)time(NULL);
	o.no_why = !want_why;
	p->opts = o;
	p->sg = suggester_new(&o, &err);
	if (!p->sg) {
		pipeline_close(p);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	return 0;
}

void pipeline_close(struct pipeline *p)
{
	suggester_free(p->sg);
	tone_rules_free(p->tone);
	facts_free(p->facts);
	flags_free(p->flags);
	tpl_free(p->templates);
	tok_free(p->tk);
	memset(p, 0, sizeof(*p));
}

void *pipeline_suggester(void *pp)
{
	struct pipeline *p = pp;
	struct suggester *sg;
	struct cd_error err;

	if (!p->sg_lent) {
		p->sg_lent = 1;
		return p->sg;
	}
	cd_error_clear(&err);
	sg = suggester_new(&p->opts, &err);
	if (!sg)
		cli_fail(CD_ERR_NOMEM, &err);
	return sg;
}

void pipeline_suggester_free(void *pp, void *sg)
{
	const struct pipeline *p = pp;

	if (sg != p->sg)
		suggester_free(sg);
}

/* pipeline.c - see pipeline.h. */
#include "pipeline.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int find_facts(const struct cli *c, char *out, size_t n)
{
	const char *slash = strrchr(c->cfg.path, '/');

	if (c->cfg.paths.facts[0]) {    /* [facts] file: that file or nothing */
		snprintf(out, n, "%s", c->cfg.paths.facts);
		if (access(out, R_OK)) {
			cli_err("%s: [facts] file '%s': %s", c->cfg.path, out,
				strerror(errno));
			return -2;
		}
		return 0;
	}
	if (c->cfg.path[0]) {
		if (slash)
			snprintf(out, n, "%.*s/facts.ini",
				 (int)(slash - c->cfg.path), c->cfg.path);
		else
			snprintf(out, n, "facts.ini");
		if (!access(out, R_OK))
			return 0;
	}
	return cli_find_data("config/facts.ini", out, n);
}

int pipeline_open(struct pipeline *p, struct cli *c, int want_why)
{
	struct suggester_opts o;
	struct cd_error err;
	char path[4096];
	int rc, code = 0;

	memset(p, 0, sizeof(*p));
	if (c->templates_dir)
		snprintf(path, sizeof(path), "%s", c->templates_dir);
	else if (c->cfg.paths.templates[0])
		snprintf(path, sizeof(path), "%s", c->cfg.paths.templates);
	else if (cli_find_data("templates", path, sizeof(path))) {
		cli_err("cannot find the reply templates (pass -t DIR)");
		return EXIT_CONFIG;
	}
	cli_info(c, "templates: %s", path);
	p->templates = tpl_load(path, &err);
	if (!p->templates)
		return cli_fail(CD_ERR_CONFIG, &err);

	p->tk = cli_tok_words(&err);
	if (!p->tk) {
		pipeline_close(p);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	rc = find_facts(c, path, sizeof(path));
	if (rc == -2) {
		pipeline_close(p);
		return EXIT_CONFIG;
	}
	if (rc == 0) {
		cli_info(c, "facts: %s", path);
		rc = facts_load(path, p->tk, &p->facts, &err);
		if (rc) {
			pipeline_close(p);
			return cli_fail(rc == CD_ERR_NOINPUT ? CD_ERR_NOINPUT :
					CD_ERR_CONFIG, &err);
		}
	} else {
		cli_info(c, "facts: none (fake_news drafts need a person)");
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
	o.tone = p->tone;
	o.lang = c->lang && strcmp(c->lang, "auto") ? c->lang : NULL;
	o.now = (int64_t)time(NULL);
	o.no_why = !want_why;
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
	tpl_free(p->templates);
	tok_free(p->tk);
	memset(p, 0, sizeof(*p));
}

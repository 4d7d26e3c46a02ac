/*
 * cmd_facts.c - `candor facts list|check`: the fact sheet that fake_news
 * replies cite, as the drafting commands find it ([facts] file, else
 * facts.ini beside the config; never the shipped sample with a config of
 * your own).
 *
 * list: every fact with its language, what it is valid until and whether
 * it may be cited now.  check: the same, and exit 1 when the sheet is
 * malformed (the message names the file and line) or holds no fact that
 * may be cited now; a fact that expires within FACTS_WARN_DAYS is a
 * warning.
 */
#include "cli.h"
#include "facts.h"
#include "pipeline.h"

#include <string.h>
#include <time.h>

#define FACTS_WARN_DAYS 7

static const char usage_facts[] =
"usage: candor facts list\n"
"       candor facts check\n"
"\n"
"list   every fact of the fact sheet: name, language, valid until, and\n"
"       whether it may be cited now (valid, expires in N days, expired)\n"
"check  the same; exit status 1 when the sheet is malformed (the message\n"
"       names the file and line) or no fact may be cited now.  A fact that\n"
"       expires within 7 days is a warning.\n"
"\n"
"The sheet is [facts] file, else facts.ini beside the config in use (the\n"
"shipped sample only with the shipped config).  A fact without lang serves\n"
"replies in [reply] lang.  Global options: -c CONFIG.\n";

/* 0 valid for more than FACTS_WARN_DAYS, else days left (1..), -1 expired */
static int days_left(const struct fact_sheet *fs, const struct fact *f,
		     int64_t now)
{
	int d;

	if (!facts_valid(fs, f, now))
		return -1;
	for (d = 1; d <= FACTS_WARN_DAYS; d++)
		if (!facts_valid(fs, f, now + (int64_t)d * 86400))
			return d;
	return 0;
}

int cmd_facts(struct cli *c, int argc, char **argv)
{
	struct fact_sheet *fs = NULL;
	struct tokenizer *tk;
	struct cd_error err;
	char path[4096];
	size_t i, n, valid = 0, soon = 0, expired = 0;
	int64_t now = (int64_t)time(NULL);
	int check, rc;

	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_facts, argc == 2 ? stdout : stderr);
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	if (strcmp(argv[1], "list") && strcmp(argv[1], "check"))
		return cli_usage_error("facts", "unknown subcommand '%s' (list "
				       "or check)", argv[1]);
	check = !strcmp(argv[1], "check");
	rc = pipeline_find_facts(c, path, sizeof(path));
	if (rc == 1) {
		cli_err("no fact sheet to %s", argv[1]);
		return check ? EXIT_FINDINGS : EXIT_NOINPUT;
	}
	if (rc)
		return rc;
	tk = cli_tok_words(&err);
	if (!tk)
		return cli_fail(CD_ERR_NOMEM, &err);
	rc = facts_load(path, tk, &fs, &err);
	tok_free(tk);
	if (rc) {
		if (check) {
			printf("FAIL %s\n", err.msg);
			return EXIT_FINDINGS;
		}
		return cli_fail(rc, &err);
	}
	facts_set_default_lang(fs, c->cfg.reply.lang);
	if (!c->quiet)
		printf("%s\n", path);
	n = facts_count(fs);
	for (i = 0; i < n; i++) {
		const struct fact *f = facts_get(fs, i);
		int d = days_left(fs, f, now);
		char lang[40];

		if (f->lang[0])
			snprintf(lang, sizeof(lang), "%s", f->lang);
		else
			snprintf(lang, sizeof(lang), "(%s)", c->cfg.reply.lang);
		if (d < 0)
			expired++;
		else if (d > 0)
			soon++;
		if (d >= 0)
			valid++;
		if (d < 0)
			printf("expired  %-28s %-5s expired on %s (line %ld)\n",
			       f->name, lang, f->valid_until, f->line);
		else if (d > 0)
			printf("%s  %-28s %-5s valid until %s: expires in %d "
			       "day%s\n", check ? "warning" : "valid  ", f->name,
			       lang, f->valid_until, d, d == 1 ? "" : "s");
		else
			printf("valid    %-28s %-5s valid until %s\n", f->name,
			       lang, f->valid_until);
	}
	printf("%zu facts: %zu valid now (%zu expire within %d days), %zu "
	       "expired\n", n, valid, soon, FACTS_WARN_DAYS, expired);
	facts_free(fs);
	if (check && !valid) {
		cli_err("no fact may be cited now: fake_news drafts all go to a "
			"person");
		return EXIT_FINDINGS;
	}
	return EXIT_OK;
}

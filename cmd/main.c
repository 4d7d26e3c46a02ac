/*
 * main.c - candor's entry point: global options, the command table, and
 * the check of stdout at exit.
 *
 * Global options may stand before or after the command name (`candor -q
 * classify x` and `candor classify x -q` are the same), so they are taken
 * out of argv first and the rest goes to the command's own getopt_long.
 */
#include "cli.h"
#include "color.h"
#include "model_file.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CANDOR_VERSION
#define CANDOR_VERSION "0.0.0"
#endif

/* LANG_LIST: the command reads --lang as a list itself (init en,ru). */
enum { NEED_CONFIG = 1, NEED_MODEL = 2, LANG_LIST = 4 };

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	int flags;
	const char *summary;
};

/* Sorted by name. */
static const struct command commands[] = {
	{ "batch", cmd_batch, NEED_CONFIG | NEED_MODEL,
	  "CSV in, CSV out: each row with its category, draft and tone" },
	{ "classify", cmd_classify, NEED_CONFIG | NEED_MODEL,
	  "category, confidence and scores of each comment (fast path)" },
	{ "eval", cmd_eval, NEED_CONFIG,
	  "cross-validate or test a model: accuracy, macro-F1, confusion" },
	{ "explain", cmd_explain, NEED_CONFIG | NEED_MODEL,
	  "the tokens that pushed each category, with their weights" },
	{ "facts", cmd_facts, NEED_CONFIG,
	  "facts list|check: the fact sheet, what is valid, what expires" },
	{ "fetch", cmd_fetch, NEED_CONFIG,
	  "pull comments from TikTok (Business or Research API) as JSONL" },
	{ "init", cmd_init, LANG_LIST,
	  "a new brand's starting kit: config, fact sheet, neutral templates" },
	{ "model", cmd_model, 0, "model info|dump MODEL, model merge A B -o C" },
	{ "monitor", cmd_monitor, NEED_CONFIG,
	  "watch a stream, alert the crisis team when a category spikes" },
	{ "publish", cmd_publish, NEED_CONFIG,
	  "post approved replies and hides from a journal, exactly once" },
	{ "render", cmd_render, 0,
	  "render one Mustache template with JSON data (for authors)" },
	{ "report", cmd_report, NEED_CONFIG | NEED_MODEL,
	  "the crisis report: one page from suggestions, journals, ledgers" },
	{ "review", cmd_review, NEED_CONFIG | NEED_MODEL,
	  "the interactive approve/edit loop, with a crash-safe journal" },
	{ "suggest", cmd_suggest, NEED_CONFIG | NEED_MODEL,
	  "one suggestion (category, why, draft reply, tone) per comment" },
	{ "templates", cmd_templates, NEED_CONFIG,
	  "templates list|check: list, or check every reply template" },
	{ "tone", cmd_tone, NEED_CONFIG,
	  "lint a reply: exit 1 when a finding is an error" },
	{ "train", cmd_train, NEED_CONFIG,
	  "train a model from labelled CSV or JSONL" },
};

static const char usage_text[] =
"usage: candor [global options] <command> [options] [args]\n"
"\n"
"Drafts replies to negative social-media comments: classify each comment,\n"
"fill a reply template, check its tone, and leave the decision to a person.\n"
"\n"
"global options (before or after the command):\n"
"  -c, --config FILE     brand config (default: $CANDOR_CONFIG,\n"
"                        $XDG_CONFIG_HOME/candor/candor.ini, the shipped one)\n"
"  -m, --model FILE      classifier model (default: $CANDOR_MODEL, the shipped one)\n"
"  -t, --templates DIR   reply templates folder\n"
"      --lang L          auto, en or ru (default auto)\n"
"      --channel C       tiktok, instagram, youtube or x (sets the reply limit)\n"
"  -q, --quiet           only errors on stderr\n"
"  -v, --verbose         say which files are used\n"
"  -h, --help            this help; `candor <command> --help` for a command\n"
"  -V, --version         print the version\n"
"\n"
"commands:\n";

static void usage(FILE *fp)
{
	size_t i;

	fputs(usage_text, fp);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nexit status: 0 ok, 1 check found errors, 2 usage, 65 bad data,\n"
	      "66 missing input, 74 I/O error, 78 config error.\n", fp);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Global options that take a value. */
static int global_with_arg(const char *a, struct cli *c, const char **val_out,
			   const char ***slot)
{
	static const struct {
		const char *s, *l;
		size_t off;
	} opts[] = {
		{ "-c", "--config", offsetof(struct cli, config_path) },
		{ "-m", "--model", offsetof(struct cli, model_path) },
		{ "-t", "--templates", offsetof(struct cli, templates_dir) },
		{ NULL, "--lang", offsetof(struct cli, lang) },
		{ NULL, "--channel", offsetof(struct cli, channel) },
	};
	size_t i, n;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		*slot = (const char **)(void *)((char *)c + opts[i].off);
		if (opts[i].s && !strcmp(a, opts[i].s))
			return 1;               /* value is the next argument */
		if (!strcmp(a, opts[i].l))
			return 1;
		n = strlen(opts[i].l);
		if (!strncmp(a, opts[i].l, n) && a[n] == '=') {
			*val_out = a + n + 1;
			return 2;               /* value attached */
		}
		if (opts[i].s && !strncmp(a, opts[i].s, 2) && a[2]) {
			*val_out = a + 2;
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli c;
	const struct command *cmd = NULL;
	char **rest;
	int nrest = 1, i, rc, help = 0, dashdash = 0;

	memset(&c, 0, sizeof(c));
	signal(SIGPIPE, SIG_IGN);       /* EPIPE is handled where we write */
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		return EXIT_SOFTWARE;
	rest[0] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, **slot = NULL;
		int k;

		if (dashdash || a[0] != '-' || !a[1]) {
			if (!cmd && !dashdash) {
				cmd = find_command(a);
				if (!cmd) {
					cli_err("'%s' is not a candor command; see "
						"`candor --help`", a);
					free(rest);
					return EXIT_USAGE;
				}
				rest[0] = argv[i];
				continue;
			}
			rest[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = 1;
			rest[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			c.quiet = 1;
			continue;
		}
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			c.verbose = 1;
			continue;
		}
		if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("candor %s\n", CANDOR_VERSION);
			free(rest);
			return EXIT_OK;
		}
		if ((!strcmp(a, "-h") || !strcmp(a, "--help")) && !cmd) {
			help = 1;
			continue;
		}
		k = global_with_arg(a, &c, &val, &slot);
		if (k == 1) {
			if (i + 1 >= argc) {
				cli_err("option '%s' needs a value", a);
				free(rest);
				return EXIT_USAGE;
			}
			*slot = argv[++i];
			continue;
		}
		if (k == 2) {
			*slot = val;
			continue;
		}
		rest[nrest++] = argv[i];
	}
	if (!cmd) {
		usage(help ? stdout : stderr);
		free(rest);
		return help ? EXIT_OK : EXIT_USAGE;
	}
	if (c.lang && !(cmd->flags & LANG_LIST) && strcmp(c.lang, "auto") &&
	    strcmp(c.lang, "en") && strcmp(c.lang, "ru")) {
		cli_err("--lang must be auto, en or ru, not '%s'", c.lang);
		free(rest);
		return EXIT_USAGE;
	}
	c.color = color_on(STDOUT_FILENO);
	rc = 0;
	for (i = 1; i < nrest; i++)
		if (!strcmp(rest[i], "-h") || !strcmp(rest[i], "--help"))
			help = 1;
	if (!help && (cmd->flags & NEED_CONFIG))
		rc = cli_load_config(&c);
	if (!rc && !help && (cmd->flags & NEED_MODEL))
		rc = cli_load_model(&c);
	if (!rc)
		rc = cmd->fn(&c, nrest, rest);
	nb_free(c.model);
	free(rest);

	/* a full disk or a closed pipe must not pass as success */
	if (fflush(stdout) || ferror(stdout)) {
		if (errno != EPIPE) {
			cli_err("cannot write to stdout: %s", strerror(errno));
			return rc ? rc : EXIT_IO;
		}
	}
	return rc;
}

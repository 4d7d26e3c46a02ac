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

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("candor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_info(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->verbose)
		return;
	fputs("candor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(int status)
{
	switch (status) {
	case CD_OK: return EXIT_OK;
	case CD_ERR_USAGE: return EXIT_USAGE;
	case CD_ERR_DATA: case CD_ERR_LIMIT: return EXIT_DATA;
	case CD_ERR_NOINPUT: return EXIT_NOINPUT;
	case CD_ERR_IO: return EXIT_IO;
	case CD_ERR_CONFIG: return EXIT_CONFIG;
	case CD_ERR_TEMPFAIL: return EXIT_TEMPFAIL;
	case CD_ERR_REMOTE: return EXIT_PROTOCOL;
	case CD_ERR_AUTH: return EXIT_NOPERM;
	default: return EXIT_SOFTWARE;
	}
}

int cli_fail(int status, const struct cd_error *err)
{
	cli_err("%s", err->msg[0] ? err->msg : "unknown error");
	return cli_exit_code(status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "candor %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `candor %s --help`)\n", cmd);
	return EXIT_USAGE;
}

struct tokenizer *cli_tok_words(struct cd_error *err)
{
	struct tok_params tp;

	tok_params_words(&tp);
	return tok_new(&tp, err);
}

int cli_write(const char *p, size_t n)
{
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

const char *const cli_text_columns[] = {
	"text", "comment", "message", "content", "body", "comment_text",
	"текст", "Текст", "комментарий", "Комментарий", "сообщение",
	"Сообщение", NULL
};
const char *const cli_id_columns[] = { "id", "comment_id", "cid", NULL };
/* the video a comment is on, so publish knows where its reply goes */
const char *const cli_video_columns[] = { "video_id", "aweme_id", NULL };
const char *const cli_author_columns[] = {
	"author", "username", "user", "unique_id", "автор", "Автор", NULL
};

int cli_nb_option(int opt, const char *arg, struct nb_params *p,
		  const char *cmd)
{
	char *end;

	switch (opt) {
	case 'a':
		p->alpha = strtod(arg, &end);
		if (*end || !(p->alpha > 0 && p->alpha <= 100))
			return cli_usage_error(cmd, "--alpha must be a number in "
					       "(0, 100], not '%s'", arg);
		return 0;
	case 'C': p->complement = 1; return 0;
	case 'n': p->binary = 0; return 0;
	case 'B': p->bigrams = 0; return 0;
	case 'S': p->stem = 0; return 0;
	case 'X': p->extras = 0; return 0;
	case 'I': p->idf = 1; return 0;
	case 'N': p->norm = 1; return 0;
	case 't':
		p->temperature = strtod(arg, &end);
		if (*end || !(p->temperature > 0 && p->temperature < 1e6))
			return cli_usage_error(cmd, "--temperature must be a "
					       "positive number, not '%s'", arg);
		return 0;
	default:
		return cli_usage_error(cmd, "unknown option");
	}
}


static int exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* The directory holding the running executable, or "". */
static void exe_dir(char *out, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", out, n - 1);
	char *slash;

	if (len <= 0) {
		out[0] = '\0';
		return;
	}
	out[len] = '\0';
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
	else
		out[0] = '\0';
}

/*
 * Where shipped data may be, in order: beside an installed binary
 * (<bindir>/../share/candor, so an install can be moved), the data dir the
 * build was configured for, and the source tree (a build run in place).
 */
int cli_find_data(const char *rel, char *out, size_t outsz)
{
	char exe[3000], rel_share[3100];
	const char *roots[3];
	size_t i, n = 0;

	exe_dir(exe, sizeof(exe));
	if (exe[0]) {
		snprintf(rel_share, sizeof(rel_share), "%s/../share/candor", exe);
		roots[n++] = rel_share;
	}
	roots[n++] = CANDOR_DATADIR;
	roots[n++] = CANDOR_SOURCE_DIR;
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(out, outsz, "%s/%s", roots[i], rel) < outsz &&
		    exists(out))
			return 0;
	}
	return -1;
}

/* Config lookup order of SPEC section 4. */
static int load_config(struct cli *c)
{
	char path[4096];
	const char *env;
	struct cd_error err;
	int rc, shipped = 0;

	config_init(&c->cfg);
	path[0] = '\0';
	if (c->config_path) {
		snprintf(path, sizeof(path), "%s", c->config_path);
	} else if ((env = getenv("CANDOR_CONFIG")) && *env) {
		snprintf(path, sizeof(path), "%s", env);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");

		if (xdg && *xdg)
			snprintf(path, sizeof(path), "%s/candor/candor.ini", xdg);
		else if (home && *home)
			snprintf(path, sizeof(path), "%s/.config/candor/candor.ini",
				 home);
		if (!path[0] || !exists(path)) {
			if (cli_find_data("config/candor.ini", path, sizeof(path)))
				path[0] = '\0';
			shipped = 1;
		}
	}
	c->user_config = path[0] && !shipped;
	if (path[0]) {
		cli_info(c, "config: %s", path);
		rc = config_load(&c->cfg, path, &err);
		if (rc)
			return cli_fail(rc, &err);
	}
	if (c->channel && config_set_channel(&c->cfg, c->channel, &err))
		return cli_fail(CD_ERR_USAGE, &err);
	return 0;
}

int cli_load_model(struct cli *c)
{
	const char *env = getenv("CANDOR_MODEL");
	char dir[4000];
	int code = 0;

	if (c->model)
		return 0;
	if (c->model_path) {
		snprintf(c->model_file, sizeof(c->model_file), "%s", c->model_path);
	} else if (env && *env) {
		snprintf(c->model_file, sizeof(c->model_file), "%s", env);
	} else {
		/* a build tree keeps the model beside the binary */
		exe_dir(dir, sizeof(dir) - 16);
		snprintf(c->model_file, sizeof(c->model_file), "%s/candor.model",
			 dir);
		if ((!dir[0] || !exists(c->model_file)) &&
		    cli_find_data("candor.model", c->model_file,
				  sizeof(c->model_file)))
			snprintf(c->model_file, sizeof(c->model_file),
				 "%s/candor.model", CANDOR_BUILD_DIR);
	}
	cli_info(c, "model: %s", c->model_file);
	if (!exists(c->model_file)) {
		cli_err("cannot open model '%s': %s%s", c->model_file,
			strerror(errno), c->model_path ? "" :
			" (build candor, or pass -m MODEL)");
		return EXIT_NOINPUT;
	}
	c->model = cli_model_load(c->model_file, &code);
	return c->model ? 0 : code;
}

struct nb_model *cli_model_load(const char *path, int *code)
{
	struct cd_error err;
	struct nb_model *m = model_load(path, &err);

	if (!m)
		*code = cli_fail(access(path, F_OK) ? CD_ERR_NOINPUT : CD_ERR_DATA,
				 &err);
	return m;
}

const char *cli_input_name(const char *path)
{
	return !path || !strcmp(path, "-") ? "<stdin>" : path;
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
		rc = load_config(&c);
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

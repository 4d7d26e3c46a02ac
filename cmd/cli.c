/*
 * cli.c - what the commands share (cli.h): messages and exit codes, where
 * the shipped data, the config and the model are found, the CSV column
 * names, the model options of train and eval, the HTTP client of fetch and
 * publish.  main.c keeps the global
 * options, the command table and the dispatch.
 */
#include "cli.h"
#include "http.h"
#include "model_file.h"
#include "tokenize.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
int cli_load_config(struct cli *c)
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

int cli_api_check(const struct cli *c, const char *env, int need_token,
		  int need_business, const char **token)
{
	*token = getenv(env);
	if (!*token || !**token) {
		*token = NULL;
		if (need_token) {
			cli_err("no token: set %s (see docs/guide.md)", env);
			return EXIT_CONFIG;
		}
	}
	if (*token && (strlen(*token) > 1000 || strpbrk(*token, "\r\n"))) {
		cli_err("%s is not a token (one line, at most 1000 bytes)", env);
		return EXIT_CONFIG;
	}
	if (need_business && !c->cfg.tiktok.business_id[0]) {
		cli_err("no business id: set [tiktok] business_id in %s (see "
			"docs/guide.md)", c->cfg.path[0] ? c->cfg.path :
			"candor.ini");
		return EXIT_CONFIG;
	}
	return 0;
}

/* The HTTP client's log lines: failures unless -q, the rest with -v. */
static void http_log(void *ctx, int level, const char *line)
{
	const struct cli *c = ctx;

	if (c->quiet || (level > 0 && !c->verbose))
		return;
	fprintf(stderr, "candor: %s\n", line);
}

void cli_http_params(const struct cli *c, struct http_params *hp)
{
	http_params_init(hp);
	hp->timeout = c->cfg.http.timeout;
	hp->retries = c->cfg.http.retries;
	hp->rate = c->cfg.http.rate;
	hp->backoff = c->cfg.http.backoff;
	hp->verbose = c->verbose;
}

struct http_client *cli_http_open(struct cli *c, const char *cacert,
				  const char *token, int *code)
{
	struct http_params hp;
	struct http_client *h;
	struct cd_error err;
	int rc;

	cd_error_clear(&err);
	cli_http_params(c, &hp);
	hp.cacert = cacert;
	hp.log = http_log;
	hp.log_ctx = c;
	h = http_new(&hp, &err);
	if (!h) {
		*code = cli_fail(CD_ERR_NOMEM, &err);
		return NULL;
	}
	if (token && (rc = http_add_secret(h, token, &err)) != 0) {
		*code = cli_fail(rc, &err);
		http_free(h);
		return NULL;
	}
	return h;
}

/*
 * cli.h - what the commands of the candor program share (cli.c).
 *
 * Only cmd/ prints, exits or reads the terminal.  main.c parses the global
 * options (which may stand before or after the command name), loads what a
 * command's table entry asks for (config, model) and calls it with the
 * remaining arguments.  A command returns an exit code.
 *
 * Adding a command `candor X` (git's builtin.h is the model):
 *
 *   1. cmd/cmd_X.c: `int cmd_X(struct cli *c, int argc, char **argv)`,
 *      its getopt_long options (optind = 0 first), a usage_X text that
 *      --help prints, and exit codes from the enum below; core/ does the
 *      work and never prints.  Add the file to cmd/CMakeLists.txt.
 *   2. Declare cmd_X at the end of this file.
 *   3. A row in main.c's commands[] (sorted by name): the function,
 *      NEED_CONFIG / NEED_MODEL for what main loads first, and the
 *      one-line summary `candor --help` lists.
 *   4. docs/commands/X.md (the --help text verbatim, options, reads and
 *      writes, exit codes, examples), a line in docs/usage.md or the
 *      guide where it belongs, and a `.SS` section in the man page
 *      docs/candor.1.
 *   5. Shell completion: cmd/completion/ (bash and zsh) knows the command
 *      and its options; tests/cli/completion.sh checks it.
 *   6. Tests: a tests/cli/X.sh (registered in tests/CMakeLists.txt) or
 *      rows in an existing one, each able to fail; tests/options.sh
 *      checks every command's --help against its docs page.  A parser it
 *      adds gets a fuzz harness in tests/fuzz/.
 */
#ifndef CANDOR_CLI_H
#define CANDOR_CLI_H

#include <stdio.h>

#include "config.h"
#include "error.h"
#include "nb.h"

/* Exit codes: SPEC section 4 (sysexits.h values for data and I/O). */
enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,      /* a check found errors */
	EXIT_USAGE = 2,
	EXIT_DATA = 65,
	EXIT_NOINPUT = 66,
	EXIT_SOFTWARE = 70,
	EXIT_IO = 74,
	EXIT_TEMPFAIL = 75,     /* something must be retried later */
	EXIT_PROTOCOL = 76,     /* the remote server said no or answered nonsense */
	EXIT_NOPERM = 77,       /* the server refused the credentials */
	EXIT_CONFIG = 78
};

struct cli {
	const char *config_path;        /* -c */
	const char *model_path;         /* -m */
	const char *templates_dir;      /* -t */
	const char *lang;               /* --lang auto|en|ru */
	const char *channel;            /* --channel */
	int quiet, verbose;
	int color;                      /* stdout is a terminal, no NO_COLOR */
	struct cd_config cfg;
	int user_config;                /* cfg came from -c, $CANDOR_CONFIG or
					   XDG, not the shipped sample: its
					   facts and templates never fall
					   back to the shipped ones */
	char model_file[4096];          /* the model actually used */
	struct nb_model *model;
};

/* "candor: <msg>" on stderr; lowercase, no full stop. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like cli_err, only with -v. */
void cli_info(const struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Report a cd_error and return the exit code for its status. */
int cli_fail(int status, const struct cd_error *err);
int cli_exit_code(int status);
/* Print a usage error ("candor <cmd>: ...") and return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Load the config in SPEC section 4's order (-c, $CANDOR_CONFIG, XDG, the
 * shipped one) and apply --channel; 0, or the exit code after printing why.
 */
int cli_load_config(struct cli *c);
/* Load a model file; NULL after printing why (*code: 66 missing, 65 bad). */
struct nb_model *cli_model_load(const char *path, int *code);
/* An input path as messages name it: "<stdin>" for "-" (or NULL). */
const char *cli_input_name(const char *path);
/* Load the model the global options or the defaults point to. */
int cli_load_model(struct cli *c);
/*
 * Find a data file or directory shipped with candor: `rel` under the
 * installed data dir, else under the source tree.  Writes the path to out
 * and returns 0, or -1 when it exists in neither.
 */
int cli_find_data(const char *rel, char *out, size_t outsz);

/* A tokenizer for phrase matching (tone, facts); NULL after printing why. */
struct tokenizer *cli_tok_words(struct cd_error *err);

/* Write a whole buffer to stdout; EPIPE and other errors return -1. */
int cli_write(const char *p, size_t n);

/*
 * The model options train and eval share: --alpha, --complement, --counts,
 * --no-bigrams, --no-stem, --no-extras, --temperature (getopt codes
 * a C n B S X t).
 */
#define CLI_NB_OPTIONS \
	{ "alpha", required_argument, NULL, 'a' }, \
	{ "complement", no_argument, NULL, 'C' }, \
	{ "counts", no_argument, NULL, 'n' }, \
	{ "no-bigrams", no_argument, NULL, 'B' }, \
	{ "no-stem", no_argument, NULL, 'S' }, \
	{ "no-extras", no_argument, NULL, 'X' }, \
	{ "idf", no_argument, NULL, 'I' }, \
	{ "norm", no_argument, NULL, 'N' }, \
	{ "temperature", required_argument, NULL, 't' }
/* Apply one of them; 0, or EXIT_USAGE after printing why. */
int cli_nb_option(int opt, const char *arg, struct nb_params *p,
		  const char *cmd);

struct tone_rules;
struct tone_ctx;
/*
 * Load config/tone with the config's competitors added; NULL after
 * printing why (*code: the exit code).
 */
struct tone_rules *cli_load_tone(const struct cli *c, int *code);
/* A tone context from the config and global options (no category). */
void cli_tone_ctx(const struct cli *c, struct tone_ctx *ctx);

struct http_client;
struct http_params;
/*
 * What a TikTok API call needs: the token in environment variable env
 * (*token; when need_token is 0 a missing one is NULL, no error) and,
 * with need_business, [tiktok] business_id.  0, or EXIT_CONFIG after
 * printing what to set.
 */
int cli_api_check(const struct cli *c, const char *env, int need_token,
		  int need_business, const char **token);
/*
 * An HTTP client with the config's [http] settings, --cacert (NULL: the
 * system's CAs), -v and -q for its log lines, and token (NULL: none)
 * masked in all it writes; NULL after printing why (*code: the exit
 * code).  Free it with http_free().
 */
struct http_client *cli_http_open(struct cli *c, const char *cacert,
				  const char *token, int *code);
/*
 * hp initialised (http_params_init()) with the config's [http] timeout,
 * retries, rate and backoff and -v: what every HTTP client of candor
 * starts from (cli_http_open(), the alert and escalation webhook).
 */
void cli_http_params(const struct cli *c, struct http_params *hp);

/*
 * The header names a CSV column is found by when no --*-col is given
 * (NULL-terminated, tried in order): SPEC section 3's usual names.
 */
extern const char *const cli_text_columns[];
extern const char *const cli_id_columns[];
extern const char *const cli_author_columns[];
extern const char *const cli_video_columns[];

/* The commands. */
int cmd_batch(struct cli *c, int argc, char **argv);
int cmd_classify(struct cli *c, int argc, char **argv);
int cmd_eval(struct cli *c, int argc, char **argv);
int cmd_explain(struct cli *c, int argc, char **argv);
int cmd_facts(struct cli *c, int argc, char **argv);
int cmd_fetch(struct cli *c, int argc, char **argv);
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_model(struct cli *c, int argc, char **argv);
int cmd_monitor(struct cli *c, int argc, char **argv);
int cmd_publish(struct cli *c, int argc, char **argv);
int cmd_render(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_review(struct cli *c, int argc, char **argv);
int cmd_suggest(struct cli *c, int argc, char **argv);
int cmd_templates(struct cli *c, int argc, char **argv);
int cmd_tone(struct cli *c, int argc, char **argv);
int cmd_train(struct cli *c, int argc, char **argv);

#endif

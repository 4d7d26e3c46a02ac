/* input.c - see input.h. */
#include "input.h"
#include "cli.h"
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

void input_flush_stdout(void *ctx)
{
	(void)ctx;
	fflush(stdout);
}

FILE *input_open_errors(const char *path)
{
	FILE *fp = fopen(path, "a");

	if (!fp)
		cli_err("cannot open '%s': %s", path, strerror(errno));
	return fp;
}

int input_open(struct input *in, const char *path, int strict, int quiet,
	       FILE *errors)
{
	struct cd_error err;

	memset(in, 0, sizeof(*in));
	in->jsonl = -1;
	in->strict = strict;
	in->quiet = quiet;
	in->errors = errors;
	in->name = cli_input_name(path);
	if (!path || !strcmp(path, "-")) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY);
		if (in->fd < 0) {
			cli_err("cannot open '%s': %s", path, strerror(errno));
			return EXIT_NOINPUT;
		}
	}
	in->lr = lr_new(in->fd, in->name, INPUT_LINE_MAX, &err);
	in->cp = in->lr ? comment_parser_new(&err) : NULL;
	if (!in->cp) {
		input_close(in);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	lr_on_wait(in->lr, input_flush_stdout, NULL);
	return 0;
}

void input_close(struct input *in)
{
	if (in->fd > 0)
		close(in->fd);
	in->fd = -1;
	lr_free(in->lr);
	comment_parser_free(in->cp);
	in->lr = NULL;
	in->cp = NULL;
}

int input_bad_line(struct input *in, const struct cd_error *err,
		   const char *line, size_t len)
{
	in->skipped++;
	if (!in->quiet || in->strict)
		cli_err("%s:%ld: %s", in->name, err->line, err->msg);
	if (in->errors && line) {
		fwrite(line, 1, len, in->errors);
		fputc('\n', in->errors);
		fflush(in->errors);
	}
	return in->strict ? EXIT_DATA : 0;
}

static int blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int input_next_line(struct input *in, const char **line, size_t *len)
{
	struct cd_error err;
	int rc;

	for (;;) {
		cd_error_clear(&err);
		rc = lr_next(in->lr, line, len, &err);
		if (rc == 0)
			return 0;
		if (rc == CD_ERR_LIMIT) {
			if ((rc = input_bad_line(in, &err, NULL, 0)) != 0)
				return rc;
			continue;
		}
		if (rc < 0)
			return cli_fail(rc, &err);
		if (blank(*line, *len))
			continue;
		if (in->jsonl < 0)
			in->jsonl = comment_is_jsonl(*line, *len);
		return 1;
	}
}

int input_next(struct input *in, struct comment *c)
{
	struct cd_error err;
	const char *line;
	size_t len;
	int rc;

	while ((rc = input_next_line(in, &line, &len)) == 1) {
		cd_error_clear(&err);
		rc = comment_parse(in->cp, line, len, in->jsonl, lr_lineno(in->lr),
				   c, &err);
		if (!rc)
			return 1;
		if ((rc = input_bad_line(in, &err, line, len)) != 0)
			return rc;
	}
	return rc;
}

void input_feed(struct input *in, struct jobs *j)
{
	struct cd_error err;
	const char *line;
	size_t len;
	char msg[4608];
	int rc;

	lr_on_wait(in->lr, jobs_on_wait, j);
	jobs_watch(j, in->fd);
	for (;;) {
		cd_error_clear(&err);
		rc = lr_next(in->lr, &line, &len, &err);
		if (rc == 0)
			break;
		if (rc == CD_ERR_LIMIT) {
			snprintf(msg, sizeof(msg), "%s:%ld: %s", in->name,
				 err.line, err.msg);
			if (jobs_add_bad(j, err.line, !in->quiet || in->strict ?
					 msg : NULL, NULL, 0,
					 in->strict ? EXIT_DATA : 0))
				break;
			continue;
		}
		if (rc < 0) {           /* a read error ends the stream */
			jobs_add_bad(j, lr_lineno(in->lr), err.msg[0] ? err.msg :
				     "unknown error", NULL, 0, cli_exit_code(rc));
			break;
		}
		if (blank(line, len))
			continue;
		if (in->jsonl < 0)
			in->jsonl = comment_is_jsonl(line, len);
		if (jobs_add(j, lr_lineno(in->lr), in->jsonl, line, len))
			break;
	}
	lr_on_wait(in->lr, input_flush_stdout, NULL);
}

void input_bad_answer(const struct input *in, struct jobs_out *o, long line,
		      const struct cd_error *err, const char *bytes,
		      size_t len)
{
	if (!in->quiet || in->strict)
		jobs_err(o, "%s:%ld: %s", in->name, line, err->msg);
	jobs_bad(o, NULL, in->errors ? bytes : NULL, len,
		 in->strict ? EXIT_DATA : 0);
}

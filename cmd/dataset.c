/* dataset.c - see dataset.h. */
#include "dataset.h"
#include "readfile.h"
#include "cli.h"
#include "comment.h"
#include "csvio.h"
#include "input.h"
#include "jsonr.h"
#include "lineio.h"
#include "tokenize.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATASET_LINE_MAX (1u << 20)

struct dataset {
	const char *name;
	int jsonl;
	int strict, quiet;
	long skipped;
	FILE *fp;
	/* CSV: the comment reader, which maps the text column */
	struct input in;
	int csv;
	long label_idx;
	/* JSONL */
	int fd;
	struct line_reader *lr;
	cJSON *json;
	const char *text_key, *label_key;
};

static const char *const label_aliases[] = {
	"label", "category", "class", NULL
};

/*
 * Peek at the first non-blank byte to tell JSONL from CSV.  A file with
 * none (empty, or only blank lines) is read as JSONL too: it holds no
 * examples, and a CSV reader would ask for a header row it cannot have.
 */
static int sniff_jsonl(FILE *fp)
{
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf), fp), i;
	int j = comment_is_jsonl(buf, n);

	for (i = 0; !j && n < sizeof(buf) && i < n; i++)
		if (!strchr(" \t\r\n", buf[i]))
			break;
	if (!j && n < sizeof(buf) && i == n)
		j = 1;
	rewind(fp);
	return j;
}

struct dataset *dataset_open(const char *path, const char *text_col,
			     const char *label_col, int strict, int quiet,
			     int *code)
{
	struct dataset *d = calloc(1, sizeof(*d));
	struct cd_error err;

	if (!d) {
		*code = EXIT_SOFTWARE;
		return NULL;
	}
	d->name = path;
	d->strict = strict;
	d->quiet = quiet;
	d->fd = -1;
	if (!strcmp(path, "-")) {
		/* "-": standard input, copied aside, since the format is told
		 * from the first bytes and a pipe cannot be rewound */
		d->name = path = cli_input_name(path);
		d->fp = cli_stdin_copy();
	} else {
		d->fp = fopen(path, "rb");
	}
	if (!d->fp) {
		cli_err("cannot open '%s': %s", path, strerror(errno));
		free(d);
		*code = EXIT_NOINPUT;
		return NULL;
	}
	d->jsonl = sniff_jsonl(d->fp);
	if (d->jsonl) {
		d->text_key = text_col ? text_col : "text";
		d->label_key = label_col;
		d->fd = dup(fileno(d->fp));
		fclose(d->fp);
		d->fp = NULL;
		d->lr = lr_new(d->fd, d->name, DATASET_LINE_MAX, &err);
		if (!d->lr) {
			*code = cli_fail(CD_ERR_NOMEM, &err);
			dataset_close(d);
			return NULL;
		}
		return d;
	}
	{
		struct input_opts o = { 0 };

		o.format = INPUT_CSV;
		o.strict = strict;
		o.quiet = quiet;
		o.text_col = text_col;
		o.col_options = 1;
		o.no_check = 1;         /* check() below, with the label */
		o.fp = d->fp;
		if ((*code = input_open_with(&d->in, path, &o)) != 0) {
			dataset_close(d);
			return NULL;
		}
		d->csv = 1;
	}
	if (label_col) {
		const char *one[] = { label_col, NULL };

		d->label_idx = input_column(&d->in, one);
	} else {
		d->label_idx = input_column(&d->in, label_aliases);
	}
	if (d->label_idx < 0) {
		cli_err("%s:1: no label column '%s' in the header (use "
			"--label-col)", path, label_col ? label_col : "label");
		*code = EXIT_DATA;
		dataset_close(d);
		return NULL;
	}
	return d;
}

static int bad(struct dataset *d, const char *msg, long line)
{
	d->skipped++;
	if (!d->quiet || d->strict) {
		if (line > 0)
			cli_err("%s:%ld: %s", d->name, line, msg);
		else
			cli_err("%s", msg);
	}
	return d->strict ? EXIT_DATA : 0;
}

static int check(struct dataset *d, struct example *ex)
{
	size_t at;
	char msg[128];

	if (ex->len > COMMENT_TEXT_MAX) {
		snprintf(msg, sizeof(msg), "text longer than %d bytes",
			 COMMENT_TEXT_MAX);
		return bad(d, msg, ex->line) ? EXIT_DATA : -1;
	}
	if (tok_utf8_check(ex->text, ex->len, &at)) {
		snprintf(msg, sizeof(msg), "invalid UTF-8 at byte %zu", at + 1);
		return bad(d, msg, ex->line) ? EXIT_DATA : -1;
	}
	if (!ex->label[0])
		return bad(d, "empty label", ex->line) ? EXIT_DATA : -1;
	return 0;
}

static int next_csv(struct dataset *d, struct example *ex)
{
	struct comment cm;
	int rc;

	while ((rc = input_next(&d->in, &cm)) == 1) {
		ex->text = cm.text;
		ex->len = cm.text_len;
		ex->label = csvr_field(input_row(&d->in), (size_t)d->label_idx,
				       NULL);
		ex->line = cm.line;
		rc = check(d, ex);
		if (rc == 0)
			return 1;
		if (rc > 0)
			return rc;
	}
	return rc;
}

static int next_jsonl(struct dataset *d, struct example *ex)
{
	struct cd_error err;
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		const cJSON *t, *l;

		cd_error_clear(&err);
		rc = lr_next(d->lr, &line, &len, &err);
		if (rc == 0)
			return 0;
		if (rc == CD_ERR_LIMIT) {
			if (bad(d, err.msg, err.line))
				return EXIT_DATA;
			continue;
		}
		if (rc < 0)
			return cli_fail(rc, &err);
		if (!len)
			continue;
		cJSON_Delete(d->json);
		d->json = cJSON_ParseWithLength(line, len);
		ex->line = lr_lineno(d->lr);
		if (!d->json) {
			struct cd_error jerr;

			jsonr_error(line, len, ex->line, &jerr);
			if (bad(d, jerr.msg, ex->line))
				return EXIT_DATA;
			continue;
		}
		if (!cJSON_IsObject(d->json)) {
			if (bad(d, "invalid JSON object", ex->line))
				return EXIT_DATA;
			continue;
		}
		t = cJSON_GetObjectItemCaseSensitive(d->json, d->text_key);
		if (d->label_key) {
			l = cJSON_GetObjectItemCaseSensitive(d->json, d->label_key);
		} else {
			l = cJSON_GetObjectItemCaseSensitive(d->json, "label");
			if (!l)
				l = cJSON_GetObjectItemCaseSensitive(d->json,
								     "category");
		}
		if (!cJSON_IsString(t) || !cJSON_IsString(l)) {
			char msg[160];

			snprintf(msg, sizeof(msg), "missing string field \"%s\"",
				 !cJSON_IsString(t) ? d->text_key :
				 d->label_key ? d->label_key : "label");
			if (bad(d, msg, ex->line))
				return EXIT_DATA;
			continue;
		}
		ex->text = t->valuestring;
		ex->len = strlen(t->valuestring);
		ex->label = l->valuestring;
		rc = check(d, ex);
		if (rc == 0)
			return 1;
		if (rc > 0)
			return rc;
	}
}

int dataset_next(struct dataset *d, struct example *ex)
{
	return d->jsonl ? next_jsonl(d, ex) : next_csv(d, ex);
}

long dataset_skipped(const struct dataset *d)
{
	return d->skipped + d->in.skipped;
}

void dataset_close(struct dataset *d)
{
	if (!d)
		return;
	if (d->csv)
		input_close(&d->in);
	if (d->fp)
		fclose(d->fp);
	lr_free(d->lr);
	if (d->fd >= 0)
		close(d->fd);
	cJSON_Delete(d->json);
	free(d);
}

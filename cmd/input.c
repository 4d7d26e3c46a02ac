/* input.c - see input.h. */
#include "input.h"
#include "cli.h"
#include "jobs.h"
#include "tokenize.h"
#include "transcode.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNIFF_MAX 4096          /* bytes of a first line read to sniff it */

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

int input_csv_name(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 4 && (!strcasecmp(path + n - 4, ".csv") ||
			 !strcasecmp(path + n - 4, ".tsv"));
}

/* INPUT_AUTO on an open fd: CSV by name, or by a regular file's header. */
static int looks_csv(const char *path, int fd)
{
	char buf[SNIFF_MAX];
	struct stat st;
	off_t at;
	ssize_t n;

	if (input_csv_name(path))
		return 1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (at = lseek(fd, 0, SEEK_CUR)) < 0)
		return 0;
	n = pread(fd, buf, sizeof(buf), at);
	if (n <= 0 || (n == SNIFF_MAX && !memchr(buf, '\n', sizeof(buf))))
		return 0;       /* empty, or no line end in sight: no header */
	return csv_sniff_header(buf, (size_t)n, cli_text_columns);
}

/* The header's columns, the first matching name each; EXIT_DATA if absent. */
static int map_columns(struct input *in, const struct input_opts *o)
{
	static const char *const lang_names[] = { "lang", "language", NULL };
	static const char *const time_names[] = {
		"created_at", "create_time", "time", "timestamp", NULL
	};
	const char *one[2] = { NULL, NULL };
	long *col = in->col;

	one[0] = o->text_col;
	col[INPUT_COL_TEXT] = csvr_column_any(in->csv, o->text_col ? one :
					      cli_text_columns);
	one[0] = o->id_col;
	col[INPUT_COL_ID] = csvr_column_any(in->csv, o->id_col ? one :
					    cli_id_columns);
	one[0] = o->author_col;
	col[INPUT_COL_AUTHOR] = csvr_column_any(in->csv, o->author_col ? one :
						cli_author_columns);
	col[INPUT_COL_LANG] = csvr_column_any(in->csv, lang_names);
	col[INPUT_COL_TIME] = csvr_column_any(in->csv, time_names);
	col[INPUT_COL_VIDEO] = csvr_column_any(in->csv, cli_video_columns);
	if (!o->col_options) {
		if (col[INPUT_COL_TEXT] >= 0)
			return 0;
		cli_err("%s:1: no text column in the header", in->path);
		return EXIT_DATA;
	}
	if (col[INPUT_COL_TEXT] >= 0 && (!o->id_col || col[INPUT_COL_ID] >= 0) &&
	    (!o->author_col || col[INPUT_COL_AUTHOR] >= 0))
		return 0;
	if (col[INPUT_COL_TEXT] < 0)
		cli_err("%s:1: no text column '%s' in the header (use "
			"--text-col)", in->name,
			o->text_col ? o->text_col : "text");
	else if (col[INPUT_COL_ID] < 0)
		cli_err("%s:1: no id column '%s' in the header (use --id-col)",
			in->name, o->id_col);
	else
		cli_err("%s:1: no author column '%s' in the header (use "
			"--author-col)", in->name, o->author_col);
	return EXIT_DATA;
}

/* Transcoder, reader, header, its encoding and the column map. */
static int open_csv(struct input *in, const struct input_opts *o)
{
	struct cd_error err;
	size_t i;
	int rc;

	rc = transcode_new(&in->tc, in->fp, o->encoding, in->path, &err);
	if (rc)
		return cli_fail(rc, &err);
	if (o->verbose && transcode_encoding(in->tc)[0])
		cli_err("%s: read as %s", in->name,
			transcode_encoding(in->tc));
	in->csv = csvr_new(transcode_stream(in->tc), in->path, NULL, &err);
	if (in->csv)            /* the caller checked it: ',' ';' TAB or 0 */
		csvr_set_delimiter(in->csv, o->delimiter);
	if (!in->csv || (rc = csvr_header(in->csv, &err)) != 0) {
		if (rc == CD_ERR_IO && transcode_error(in->tc)[0]) {
			cli_err("%s", transcode_error(in->tc));
			return EXIT_DATA;
		}
		return cli_fail(in->csv ? rc : CD_ERR_NOMEM, &err);
	}
	for (i = 0; i < csvr_ncolumns(in->csv); i++) {
		const char *name = csvr_column_name(in->csv, i);
		size_t bad;

		if (tok_utf8_check(name, strlen(name), &bad)) {
			cli_err("%s:1: the header is not UTF-8; %s", in->name,
				transcode_hint(name, strlen(name)));
			return EXIT_DATA;
		}
	}
	if (o->verbose && csvr_delimiter(in->csv) != ',')
		cli_err("%s: columns separated by '%s'", in->name,
			csvr_delimiter(in->csv) == '\t' ? "tab" : ";");
	return map_columns(in, o);
}

int input_open_with(struct input *in, const char *path,
		    const struct input_opts *o)
{
	struct cd_error err;
	int csv = o->format == INPUT_CSV, rc;

	memset(in, 0, sizeof(*in));
	in->jsonl = -1;
	in->fd = -1;
	in->strict = o->strict;
	in->quiet = o->quiet;
	in->errors = o->errors;
	in->no_check = o->no_check;
	in->encoding_hint = o->encoding_hint;
	in->path = path ? path : "-";
	in->name = cli_input_name(path);
	if (o->fp) {
		in->fp = o->fp;
		csv = 1;
	} else if (!path || !strcmp(path, "-")) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY);
		if (in->fd < 0) {
			cli_err("cannot open '%s': %s", path, strerror(errno));
			return EXIT_NOINPUT;
		}
	}
	if (!csv && o->format == INPUT_AUTO)
		csv = looks_csv(path, in->fd);
	if (csv) {
		if (in->fd == STDIN_FILENO) {
			in->fp = stdin;
		} else if (in->fd >= 0) {
			in->fp = fdopen(in->fd, "rb");
			if (!in->fp) {
				cli_err("cannot open '%s': %s", path,
					strerror(errno));
				input_close(in);
				return EXIT_NOINPUT;
			}
			in->own_fp = 1;
		}
		in->fd = -1;
		if ((rc = open_csv(in, o)) != 0) {
			input_close(in);
			return rc;
		}
		return 0;
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

int input_open(struct input *in, const char *path, int strict, int quiet,
	       FILE *errors)
{
	struct input_opts o = { 0 };

	o.strict = strict;
	o.quiet = quiet;
	o.errors = errors;
	return input_open_with(in, path, &o);
}

int input_open_lines(struct input *in, const char *path, int strict,
		     int quiet, FILE *errors)
{
	struct input_opts o = { 0 };

	o.strict = strict;
	o.quiet = quiet;
	o.errors = errors;
	o.format = INPUT_LINES;
	return input_open_with(in, path, &o);
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
	csvr_free(in->csv);
	transcode_free(in->tc);
	if (in->own_fp)
		fclose(in->fp);
	in->csv = NULL;
	in->tc = NULL;
	in->fp = NULL;
	in->own_fp = 0;
}

int input_bad_line(struct input *in, const struct cd_error *err,
		   const char *line, size_t len)
{
	in->skipped++;
	if (!in->quiet || in->strict)
		cli_err("%s:%ld: %s", in->name, err->line, err->msg);
	if (in->errors && line) {
		/* as read: a CRLF line keeps its CR; a last line gets a LF */
		fwrite(line, 1, len, in->errors);
		if (lr_cr(in->lr))
			fputc('\r', in->errors);
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
		in->line = *line;
		in->line_len = *len;
		return 1;
	}
}

/* Count a bad CSV row and keep its bytes, as read, in --errors FILE. */
static int bad_csv_row(struct input *in)
{
	const char *raw;
	size_t n;

	in->skipped++;
	if (in->errors && (raw = csvr_raw(in->csv, &n)) != NULL) {
		fwrite(raw, 1, n, in->errors);
		fputc('\n', in->errors);
		fflush(in->errors);
	}
	return in->strict ? EXIT_DATA : 0;
}

int input_bad_row(struct input *in, const struct cd_error *err)
{
	struct cd_error e = *err;
	const char *text;
	size_t n;

	if (!in->csv) {
		e.line = lr_lineno(in->lr);
		return input_bad_line(in, &e, in->line, in->line_len);
	}
	if (!in->quiet || in->strict) {
		long line = csvr_row_line(in->row);

		text = csvr_field(in->row, (size_t)in->col[INPUT_COL_TEXT], &n);
		if (in->encoding_hint && strstr(err->msg, "UTF-8") &&
		    !transcode_encoding(in->tc)[0])
			cli_err("%s:%ld: %s; %s", in->name, line, err->msg,
				transcode_hint(text, n));
		else
			cli_err("%s:%ld: %s", in->name, line, err->msg);
	}
	return bad_csv_row(in);
}

/* A field of a CSV row by its index (field_fn over a csv_row). */
typedef const char *(*field_fn)(const void *src, size_t i, size_t *len);

static const char *row_field(const void *row, size_t i, size_t *len)
{
	return csvr_field(row, i, len);
}

static const char *mapped(const struct input *in, field_fn get,
			  const void *src, int col)
{
	long i = in->col[col];

	return i >= 0 ? get(src, (size_t)i, NULL) : "";
}

/* The comment of a CSV row (line `line`), by the columns mapped at open. */
static void map_comment(const struct input *in, field_fn get, const void *src,
			long line, char *idbuf, size_t idsz, struct comment *c)
{
	memset(c, 0, sizeof(*c));
	c->line = line;
	c->text = get(src, (size_t)in->col[INPUT_COL_TEXT], &c->text_len);
	if (in->col[INPUT_COL_ID] >= 0) {
		c->id = mapped(in, get, src, INPUT_COL_ID);
	} else {
		snprintf(idbuf, idsz, "%ld", c->line);
		c->id = idbuf;
	}
	c->author = mapped(in, get, src, INPUT_COL_AUTHOR);
	c->lang = mapped(in, get, src, INPUT_COL_LANG);
	if (strcmp(c->lang, "en") && strcmp(c->lang, "ru"))
		c->lang = "";
	c->created_at = mapped(in, get, src, INPUT_COL_TIME);
	c->created_ts = comment_parse_time(c->created_at);
	c->video_id = mapped(in, get, src, INPUT_COL_VIDEO);
	c->parent_id = "";
	c->likes = -1;
}

/* The comment of in->row. */
static void map_row(struct input *in, struct comment *c)
{
	map_comment(in, row_field, in->row, csvr_row_line(in->row), in->idbuf,
		    sizeof(in->idbuf), c);
}

/*
 * What a stream checks of a row (the text's UTF-8 is left to the
 * tokenizer, as for a text line): its length, and UTF-8 in the id and
 * author that go out again verbatim.  Nonzero with err set.
 */
static int check_row(const struct comment *c, struct cd_error *err)
{
	size_t bad;

	if (c->text_len > COMMENT_TEXT_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, c->line,
				    "comment longer than %d bytes",
				    COMMENT_TEXT_MAX);
	if (tok_utf8_check(c->author, strlen(c->author), &bad) ||
	    tok_utf8_check(c->id, strlen(c->id), &bad)) {
		/* the text's own problem is the one to name first */
		if (tok_utf8_check(c->text, c->text_len, &bad))
			return cd_error_set(err, CD_ERR_DATA, c->line,
					    "invalid UTF-8 at byte %zu",
					    bad + 1);
		return cd_error_set(err, CD_ERR_DATA, c->line,
				    "invalid UTF-8 in the id or author column");
	}
	return 0;
}

static int next_csv(struct input *in, struct comment *c)
{
	struct cd_error err;
	int rc;

	for (;;) {
		cd_error_clear(&err);
		rc = csvr_next(in->csv, &in->row, &err);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			if (rc == CD_ERR_IO && transcode_error(in->tc)[0]) {
				cli_err("%s", transcode_error(in->tc));
				return EXIT_DATA;
			}
			if (rc == CD_ERR_IO || rc == CD_ERR_NOMEM)
				return cli_fail(rc, &err);
			/* err.msg names the input and line already */
			if (!in->quiet || in->strict)
				cli_err("%s", err.msg);
			if ((rc = bad_csv_row(in)) != 0)
				return rc;
			continue;
		}
		map_row(in, c);
		if (in->no_check || !check_row(c, &err))
			return 1;
		if ((rc = input_bad_row(in, &err)) != 0)
			return rc;
	}
}

int input_next(struct input *in, struct comment *c)
{
	struct cd_error err;
	const char *line;
	size_t len;
	int rc;

	if (in->csv)
		return next_csv(in, c);
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

struct csv_reader *input_csv(const struct input *in)
{
	return in->csv;
}

const struct csv_row *input_row(const struct input *in)
{
	return in->csv ? in->row : NULL;
}

long input_column(const struct input *in, const char *const *names)
{
	return in->csv ? csvr_column_any(in->csv, names) : -1;
}

const char *input_encoding(const struct input *in)
{
	return in->tc ? transcode_encoding(in->tc) : "";
}

FILE *input_file(const struct input *in)
{
	return in->fp;
}

/* ---------------------------------------------------------- --jobs */

/* Item tags: a plain-text or JSONL line (in->jsonl), or a CSV row. */
#define TAG_CSV 2
#define TAG_CR 4                /* a line read with a CR before its LF */

/* Append a length-prefixed field (u32 length, bytes, NUL) to b. */
static int pack(struct cd_buf *b, const char *s, size_t n)
{
	uint32_t n32 = (uint32_t)n;

	if (cd_buf_add(b, &n32, sizeof(n32)) || cd_buf_add(b, s, n))
		return -1;
	b->len++;                       /* keep the NUL cd_buf_add wrote */
	return 0;
}

/* The next field pack() wrote at *p (advanced past it). */
static const char *unpack(const char **p, size_t *len)
{
	uint32_t n32;
	const char *s;

	memcpy(&n32, *p, sizeof(n32));
	s = *p + sizeof(n32);
	*len = n32;
	*p = s + n32 + 1;
	return s;
}

/* The rows of a CSV input into j: each row's fields, and its raw bytes
 * when --errors FILE keeps bad ones. */
static void feed_csv(struct input *in, struct jobs *j, int track_pos)
{
	struct cd_error err;
	struct cd_buf b;
	const char *raw;
	size_t i, n, nf = csvr_ncolumns(in->csv);
	int rc;

	cd_buf_init(&b, 2 * CSVR_MAX_RECORD + 8 * CSVR_MAX_FIELDS + 64);
	for (;;) {
		cd_error_clear(&err);
		rc = csvr_next(in->csv, &in->row, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			if (rc == CD_ERR_IO && transcode_error(in->tc)[0]) {
				jobs_add_bad(j, 0, transcode_error(in->tc), NULL, 0,
					     EXIT_DATA);
				break;
			}
			if (rc == CD_ERR_IO || rc == CD_ERR_NOMEM) {
				jobs_add_bad(j, 0, err.msg[0] ? err.msg :
					     "unknown error", NULL, 0,
					     cli_exit_code(rc));
				break;
			}
			/* err.msg names the input and line already */
			raw = in->errors ? csvr_raw(in->csv, &n) : NULL;
			if (jobs_add_bad(j, err.line, !in->quiet || in->strict ?
					 err.msg : NULL, raw, raw ? n : 0,
					 in->strict ? EXIT_DATA : 0))
				break;
			continue;
		}
		cd_buf_reset(&b);
		rc = 0;
		for (i = 0; i < nf && !rc; i++) {
			const char *f = csvr_field(in->row, i, &n);

			rc = pack(&b, f, n);
		}
		raw = in->errors ? csvr_raw(in->csv, &n) : NULL;
		if (!rc)
			rc = pack(&b, raw ? raw : "", raw ? n : 0);
		if (rc) {
			jobs_add_bad(j, csvr_row_line(in->row), "out of memory",
				     NULL, 0, EXIT_SOFTWARE);
			break;
		}
		if (track_pos)
			jobs_set_pos(j, (long long)ftell(in->fp));
		if (jobs_add(j, csvr_row_line(in->row), TAG_CSV, b.data, b.len))
			break;
	}
	cd_buf_release(&b);
}

void input_feed(struct input *in, struct jobs *j, int track_pos)
{
	struct cd_error err;
	const char *line;
	size_t len;
	char msg[4608];
	int rc, cr;

	if (in->csv) {
		feed_csv(in, j, track_pos);
		return;
	}
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
		/*
		 * A CRLF line goes with its CR (lineio's buffer held it where
		 * it put the NUL), so --errors FILE gets the line as read.
		 */
		cr = lr_cr(in->lr);
		if (cr)
			((char *)line)[len] = '\r';
		rc = jobs_add(j, lr_lineno(in->lr), in->jsonl | (cr ? TAG_CR : 0),
			      line, len + (cr != 0));
		if (cr)
			((char *)line)[len] = '\0';
		if (rc)
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

static const char *item_field(const void *src, size_t i, size_t *len)
{
	const struct input_item *it = src;

	if (len)
		*len = it->len[i];
	return it->f[i];
}

int input_item_comment(const struct input *in, struct input_item *it,
		       struct comment_parser *cp, long line, int tag,
		       const char *bytes, size_t len, struct comment *c,
		       struct jobs_out *o)
{
	struct cd_error err;
	const char *p = bytes;
	size_t i;
	int cr = tag != TAG_CSV && (tag & TAG_CR);

	cd_error_clear(&err);
	it->line = line;
	it->csv = tag == TAG_CSV;
	if (!it->csv) {
		it->bytes = bytes;              /* as read, CR and all */
		it->bytes_len = len;
		if (cr) {
			tag &= ~TAG_CR;
			len--;
		}
		if (!comment_parse(cp, bytes, len, tag, line, c, &err))
			return 0;
		input_bad_answer(in, o, err.line, &err, it->bytes,
				 it->bytes_len);
		return -1;
	}
	it->n = csvr_ncolumns(in->csv);
	for (i = 0; i < it->n; i++)
		it->f[i] = unpack(&p, &it->len[i]);
	it->bytes = unpack(&p, &it->bytes_len);
	map_comment(in, item_field, it, line, it->idbuf, sizeof(it->idbuf), c);
	if (in->no_check || !check_row(c, &err))
		return 0;
	input_bad_item(in, it, o, &err);
	return -1;
}

void input_bad_item(const struct input *in, const struct input_item *it,
		    struct jobs_out *o, const struct cd_error *err)
{
	const char *text;
	size_t n;

	if (!it->csv) {
		input_bad_answer(in, o, it->line, err, it->bytes, it->bytes_len);
		return;
	}
	if (!in->quiet || in->strict) {
		text = item_field(it, (size_t)in->col[INPUT_COL_TEXT], &n);
		if (in->encoding_hint && strstr(err->msg, "UTF-8") &&
		    !transcode_encoding(in->tc)[0])
			jobs_err(o, "%s:%ld: %s; %s", in->name, it->line,
				 err->msg, transcode_hint(text, n));
		else
			jobs_err(o, "%s:%ld: %s", in->name, it->line, err->msg);
	}
	jobs_bad(o, NULL, in->errors ? it->bytes : NULL, it->bytes_len,
		 in->strict ? EXIT_DATA : 0);
}

/*
 * input.h - the one comment reader: suggest, classify, batch, review,
 * monitor and train/eval read comments through it.
 *
 * Opens FILE or "-" (stdin) and hands out one struct comment per record,
 * from one of three forms:
 *   - plain text, one comment per line;
 *   - JSONL, one object per line (told from text by the first non-blank
 *     byte of the first non-blank line);
 *   - CSV with a header row (RFC 4180; ',' ';' or TAB; UTF-16 with a byte
 *     order mark and --encoding through transcode.h), recognised by the
 *     name (.csv, .tsv) or, for a regular file without such a name, by a
 *     first line that reads as a header: two or more plain column names,
 *     one of them a text column (cli_text_columns).  A pipe is never
 *     sniffed: it is CSV only when the caller says so (batch).
 * The CSV columns are mapped once, at open: text, id (else the row's line
 * number), author, lang (kept when en or ru), created_at, video_id, by
 * the --*-col names given or the usual aliases of cli.h.
 *
 * A bad line or row is reported as "candor: FILE:LINE: what is wrong" and
 * skipped (its raw bytes go to --errors FILE when given), unless --strict
 * makes it fatal.  Blank lines are not comments and are passed over
 * silently.
 */
#ifndef CANDOR_INPUT_H
#define CANDOR_INPUT_H

#include <stdio.h>

#include "comment.h"
#include "csvio.h"
#include "lineio.h"

#define INPUT_LINE_MAX (1u << 20)       /* bytes in one input line */

enum input_format {
	INPUT_AUTO,             /* CSV by name or header, else text/JSONL */
	INPUT_LINES,            /* text or JSONL lines, never CSV (monitor) */
	INPUT_CSV               /* CSV whatever the name (batch, review) */
};

/* The comment columns a CSV input maps at open (struct input's col[]). */
enum {
	INPUT_COL_TEXT, INPUT_COL_ID, INPUT_COL_AUTHOR, INPUT_COL_LANG,
	INPUT_COL_TIME, INPUT_COL_VIDEO, INPUT_NCOLS
};

/* How to open an input; a zero member means the default. */
struct input_opts {
	int strict;                     /* a bad line or row is fatal */
	int quiet;                      /* bad lines are counted, not shown */
	int verbose;                    /* CSV: say which encoding, separator */
	FILE *errors;                   /* --errors FILE, or NULL */
	enum input_format format;
	/* CSV only: */
	const char *encoding;           /* --encoding; NULL: UTF-8 or UTF-16
					   by its byte order mark */
	int delimiter;                  /* ',' ';' '\t'; 0: from the header */
	const char *text_col, *id_col, *author_col;  /* --*-col, or NULL */
	int col_options;                /* a missing column's error names the
					   --*-col option to use */
	int encoding_hint;              /* a row not UTF-8 hints at --encoding */
	int no_check;                   /* hand out rows unchecked (the caller
					   checks them: train, review) */
	FILE *fp;                       /* read this stream (the caller's,
					   not closed) instead of the path */
};

struct transcode;

struct input {
	const char *name;               /* "<stdin>" for "-" */
	int fd;
	int jsonl;                      /* -1 until the first non-blank line */
	int strict;
	int quiet;
	FILE *errors;                   /* --errors FILE, or NULL */
	long skipped;
	struct line_reader *lr;
	struct comment_parser *cp;
	const char *line;               /* the last line read, for --errors */
	size_t line_len;
	/* CSV */
	const char *path;               /* as given, for CSV messages */
	FILE *fp;                       /* the file read (before transcoding) */
	int own_fp;
	int no_check, encoding_hint;
	struct transcode *tc;
	struct csv_reader *csv;
	struct csv_row *row;            /* the row input_next last read */
	long col[INPUT_NCOLS];          /* column indexes, -1 when absent */
	char idbuf[32];
};

/* 0, or an exit code after printing why. */
int input_open_with(struct input *in, const char *path,
		    const struct input_opts *o);
/* input_open_with with INPUT_AUTO and these options. */
int input_open(struct input *in, const char *path, int strict, int quiet,
	       FILE *errors);
/* input_open_with with INPUT_LINES (a stream that may grow: monitor). */
int input_open_lines(struct input *in, const char *path, int strict,
		     int quiet, FILE *errors);
/* 1 when path is named as CSV (.csv or .tsv, any case). */
int input_csv_name(const char *path);
/* 1 with a comment, 0 at the end, or an exit code (> 1) on a fatal error. */
int input_next(struct input *in, struct comment *c);
/*
 * The next non-blank line, for a reader that parses it itself (monitor):
 * 1 with the line (valid until the next call; in->jsonl is set from the
 * first one), 0 at the end, or an exit code (> 1).  An over-long line is
 * reported and skipped here.
 */
int input_next_line(struct input *in, const char **line, size_t *len);
/*
 * Report a bad line as "candor: FILE:LINE: what" (err->line, err->msg),
 * append its bytes to --errors FILE, count it; 0 to go on, or EXIT_DATA
 * with --strict.
 */
int input_bad_line(struct input *in, const struct cd_error *err,
		   const char *line, size_t len);
/*
 * A caller found the comment input_next last gave bad (err->msg says
 * why): report it as "candor: FILE:LINE: what" (with a hint at
 * --encoding for a CSV row that is not UTF-8, when encoding_hint), keep its raw bytes in
 * --errors FILE, count it; 0 to go on, or EXIT_DATA with --strict.
 */
int input_bad_row(struct input *in, const struct cd_error *err);

/* CSV: the reader (header, separator), else NULL. */
struct csv_reader *input_csv(const struct input *in);
/* CSV: the row input_next last gave (all its fields), else NULL. */
const struct csv_row *input_row(const struct input *in);
/* CSV: the first column named one of names (csvr_column_any), or -1. */
long input_column(const struct input *in, const char *const *names);
/* CSV: the encoding converted from, "" when none (or not CSV). */
const char *input_encoding(const struct input *in);
/* CSV: the file read, as opened (progress: its size and position). */
FILE *input_file(const struct input *in);
void input_close(struct input *in);

struct jobs;
struct jobs_out;
/*
 * --jobs: read every comment into j, a worker turns it back into a
 * comment with input_item_comment().  Lines: each non-blank line (an
 * over-long one as a bad item, a read error as a stop), a partial chunk
 * handed on whenever a read would block.  CSV: each row's fields (and its
 * raw bytes when --errors FILE keeps bad ones), a bad row as a bad item;
 * with track_pos the file position goes with each row (progress).
 * Returns when the input ends or the output stopped.
 */
void input_feed(struct input *in, struct jobs *j, int track_pos);

/* A worker's view of the item it answers (one per worker). */
struct input_item {
	long line;
	int csv;
	const char *bytes;              /* the line, or the CSV row as read
					   (with --errors FILE only) */
	size_t bytes_len;
	size_t n;                       /* CSV: the row's fields */
	const char *f[CSVR_MAX_FIELDS];
	size_t len[CSVR_MAX_FIELDS];
	char idbuf[32];
};
/*
 * In a worker: the comment of an item input_feed() added (its line, tag,
 * bytes): 0 with *c (valid until the next call), or -1 after reporting it
 * bad into o as input_next() would have.
 */
int input_item_comment(const struct input *in, struct input_item *it,
		       struct comment_parser *cp, long line, int tag,
		       const char *bytes, size_t len, struct comment *c,
		       struct jobs_out *o);
/* In a worker: a caller found the item's comment bad, as input_bad_row(). */
void input_bad_item(const struct input *in, const struct input_item *it,
		    struct jobs_out *o, const struct cd_error *err);
/*
 * In a worker: line `line` is bad (err->msg says why): reported as
 * input_bad_line() does, with bytes[0..len) to --errors FILE.
 */
void input_bad_answer(const struct input *in, struct jobs_out *o, long line,
		      const struct cd_error *err, const char *bytes,
		      size_t len);

/* Open --errors FILE for appending; NULL after printing why. */
FILE *input_open_errors(const char *path);

/* Flush stdout (a lineio wait hook). */
void input_flush_stdout(void *ctx);

#endif

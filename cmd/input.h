/*
 * input.h - the comment streams of suggest, classify and review.
 *
 * Opens FILE or "-" (stdin), tells plain text from JSONL by the first
 * non-blank byte, and hands out one struct comment per line.  A bad line
 * is reported as "candor: FILE:LINE: what is wrong" and skipped (its raw
 * bytes go to --errors FILE when given), unless --strict makes it fatal.
 * Blank lines are not comments and are passed over silently.
 */
#ifndef CANDOR_INPUT_H
#define CANDOR_INPUT_H

#include <stdio.h>

#include "comment.h"
#include "lineio.h"

#define INPUT_LINE_MAX (1u << 20)       /* bytes in one input line */

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
};

/* 0, or an exit code after printing why. */
int input_open(struct input *in, const char *path, int strict, int quiet,
	       FILE *errors);
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
void input_close(struct input *in);

struct jobs;
struct jobs_out;
/*
 * Read every non-blank line into j (--jobs), tagged with in->jsonl: an
 * over-long line as a bad item, a read error as a stop.  A partial chunk
 * is handed on whenever a read would block.  Returns when the input ends
 * or the output stopped.
 */
void input_feed(struct input *in, struct jobs *j);
/*
 * In a worker: line `line` is bad (err->msg says why): reported as
 * input_bad_line() does, with line[0..len) to --errors FILE.
 */
void input_bad_answer(const struct input *in, struct jobs_out *o, long line,
		      const struct cd_error *err, const char *bytes,
		      size_t len);

/* Open --errors FILE for appending; NULL after printing why. */
FILE *input_open_errors(const char *path);

/* Flush stdout (a lineio wait hook). */
void input_flush_stdout(void *ctx);

#endif

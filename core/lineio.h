/*
 * lineio.h - read a stream line by line with a cap on the line length.
 *
 * Reads with read(2), so a line is handed over as soon as it arrives (the
 * reader works behind `tail -f` and in pipes).  A line longer than the cap
 * is skipped without being buffered and reported with its number, and the
 * next call goes on with the following line.  A trailing CR is removed.
 * The returned line is valid until the next call.
 */
#ifndef CANDOR_LINEIO_H
#define CANDOR_LINEIO_H

#include <stddef.h>

#include "error.h"

struct line_reader;

/* fd is read, never closed.  name is used in messages. */
struct line_reader *lr_new(int fd, const char *name, size_t max_line,
			   struct cd_error *err);
void lr_free(struct line_reader *r);

/*
 * 1 with the next line in *line and *len (NUL-terminated), 0 at end of input,
 * CD_ERR_LIMIT for a line over the cap (skipped; err->line says which),
 * CD_ERR_IO on a read error.
 */
int lr_next(struct line_reader *r, const char **line, size_t *len,
	    struct cd_error *err);

/*
 * Call fn(ctx) before each read that may block, so that a filter can flush
 * its output while it waits for input (works behind `tail -f`).
 */
void lr_on_wait(struct line_reader *r, void (*fn)(void *ctx), void *ctx);

/*
 * Follow a growing file, like `tail -f`: at its end, wait (polling every
 * 200 ms) for more instead of ending.  A partial last line waits for the
 * rest of it.
 */
void lr_follow(struct line_reader *r, int on);

/* The number of the line last returned (1-based). */
long lr_lineno(const struct line_reader *r);

/*
 * The byte offset, from where the reader started, of the first byte of the
 * line last returned or skipped as too long (for an index into a file).
 */
long long lr_offset(const struct line_reader *r);

/*
 * 1 when the line last returned or skipped ended with a newline, 0 when it
 * ended at the end of the input (a last line torn by a crash mid-write).
 */
int lr_newline(const struct line_reader *r);

/*
 * 1 when the line last returned ended with a CR that was removed (a CRLF
 * line, or a CR as the input's last byte), so that a caller can write the
 * line back byte for byte (--errors FILE).
 */
int lr_cr(const struct line_reader *r);

#endif

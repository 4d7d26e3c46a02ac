/* lineio.c - see lineio.h. */
#include "lineio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

struct line_reader {
	int fd;
	const char *name;
	size_t max;
	char *buf;
	size_t cap;             /* max + CHUNK + 2 */
	size_t start, end;      /* unread bytes are buf[start, end) */
	long long base;         /* stream offset of buf[0] */
	long long line_off;     /* stream offset of the last line */
	int newline;            /* the last line ended with '\n' */
	int cr;                 /* ... and a CR was removed before it */
	long lineno;
	int eof;
	int follow;             /* at the end, wait for more (tail -f) */
	void (*on_wait)(void *ctx);
	void *wait_ctx;
};

struct line_reader *lr_new(int fd, const char *name, size_t max_line,
			   struct cd_error *err)
{
	struct line_reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->cap = max_line + CHUNK + 2;
		r->buf = malloc(r->cap);
	}
	if (!r || !r->buf) {
		free(r);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	r->fd = fd;
	r->name = name;
	r->max = max_line;
	return r;
}

void lr_free(struct line_reader *r)
{
	if (r) {
		free(r->buf);
		free(r);
	}
}

void lr_on_wait(struct line_reader *r, void (*fn)(void *ctx), void *ctx)
{
	r->on_wait = fn;
	r->wait_ctx = ctx;
}

long lr_lineno(const struct line_reader *r)
{
	return r->lineno;
}

long long lr_offset(const struct line_reader *r)
{
	return r->line_off;
}

int lr_newline(const struct line_reader *r)
{
	return r->newline;
}

int lr_cr(const struct line_reader *r)
{
	return r->cr;
}

/* Read more bytes after end; 0 at EOF, >0 bytes read, <0 error. */
static ssize_t fill(struct line_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += (long long)r->start;
		r->end -= r->start;
		r->start = 0;
	}
	if (r->on_wait)
		r->on_wait(r->wait_ctx);
	do
		n = read(r->fd, r->buf + r->end, r->cap - 1 - r->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

static int too_long(struct line_reader *r, struct cd_error *err)
{
	return cd_error_set(err, CD_ERR_LIMIT, r->lineno,
			    "line longer than %zu bytes", r->max);
}

void lr_follow(struct line_reader *r, int on)
{
	r->follow = on;
}

int lr_next(struct line_reader *r, const char **line, size_t *len,
	    struct cd_error *err)
{
	size_t scanned = 0;     /* bytes after start known to hold no '\n' */
	int toolong = 0;

	r->line_off = r->base + (long long)r->start;
	for (;;) {
		char *s = r->buf + r->start;
		char *nl = memchr(s + scanned, '\n', r->end - r->start - scanned);
		size_t n;
		ssize_t got;

		if (nl || (r->eof && r->end > r->start)) {
			n = nl ? (size_t)(nl - s) : r->end - r->start;
			r->lineno++;
			r->newline = nl != NULL;
			r->start += n + (nl != NULL);
			if (toolong || n > r->max)
				return too_long(r, err);
			r->cr = 0;
			if (n && s[n - 1] == '\r') {
				n--;
				r->cr = 1;
			}
			s[n] = '\0';
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof) {
			if (!toolong)
				return 0;
			r->lineno++;
			r->newline = 0;
			return too_long(r, err);
		}
		scanned = r->end - r->start;
		if (scanned > r->max + 1) {
			/* over the cap: forget the bytes, keep looking for '\n' */
			toolong = 1;
			r->base += (long long)r->end;
			r->start = r->end = 0;
			scanned = 0;
		}
		got = fill(r);
		if (got < 0)
			return cd_error_set(err, CD_ERR_IO, r->lineno,
					    "cannot read '%s': %s", r->name,
					    strerror(errno));
		if (got == 0 && r->follow) {
			struct timespec nap = { 0, 200 * 1000 * 1000 };

			nanosleep(&nap, NULL);
		} else if (got == 0) {
			r->eof = 1;
		}
	}
}

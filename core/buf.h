/*
 * buf.h - a growable byte buffer with a hard cap (curl's dynbuf idea).
 *
 * struct cd_buf is embedded by its owner: cd_buf_init() sets it up,
 * cd_buf_release() frees its memory.  The data is always NUL-terminated
 * after a successful append, so it can be used as a C string.  Appending
 * past `max` bytes fails with CD_ERR_LIMIT and leaves the buffer unchanged.
 */
#ifndef CANDOR_BUF_H
#define CANDOR_BUF_H

#include <stddef.h>
#include <string.h>

struct cd_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void cd_buf_init(struct cd_buf *b, size_t max);
void cd_buf_release(struct cd_buf *b);
/* Forget the contents, keep the memory. */
static inline void cd_buf_reset(struct cd_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}
/* 0, CD_ERR_LIMIT or CD_ERR_NOMEM. */
int cd_buf_add_grow(struct cd_buf *b, const void *p, size_t n);
/*
 * Append n bytes.  Inline when they fit the memory held (the common case
 * of a record written field by field; a literal's memcpy then compiles
 * to a few moves), else cd_buf_add_grow() grows the buffer first.
 */
static inline int cd_buf_add(struct cd_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len) {      /* n bytes and the NUL fit; cap <= max + 1 */
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return cd_buf_add_grow(b, p, n);
}
int cd_buf_addstr(struct cd_buf *b, const char *s);
int cd_buf_addch(struct cd_buf *b, char c);
int cd_buf_addf(struct cd_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Make room for n more bytes without changing len. */
int cd_buf_grow(struct cd_buf *b, size_t n);
/* Take the data out (caller frees with free()); the buffer becomes empty. */
char *cd_buf_detach(struct cd_buf *b, size_t *len);

#endif

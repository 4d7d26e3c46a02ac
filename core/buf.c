/* buf.c - see buf.h. */
#include "buf.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cd_buf_init(struct cd_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void cd_buf_release(struct cd_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

int cd_buf_grow(struct cd_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n)
		return CD_ERR_LIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return CD_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int cd_buf_add_grow(struct cd_buf *b, const void *p, size_t n)
{
	int rc = cd_buf_grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int cd_buf_addstr(struct cd_buf *b, const char *s)
{
	return cd_buf_add(b, s, strlen(s));
}

int cd_buf_addch(struct cd_buf *b, char c)
{
	if (b->len + 2 <= b->cap && b->len < b->max) {  /* room: the common case */
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return cd_buf_add(b, &c, 1);
}

int cd_buf_addf(struct cd_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CD_ERR_USAGE;
	if ((size_t)n < sizeof(small))
		return cd_buf_add(b, small, (size_t)n);
	rc = cd_buf_grow(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

char *cd_buf_detach(struct cd_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

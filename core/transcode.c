/* transcode.c - see transcode.h. */
#define _GNU_SOURCE             /* fopencookie */
#include "transcode.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TC_BLOCK ((size_t)64 * 1024)

struct transcode {
	FILE *in;
	FILE *out;              /* the stream handed out (may be in) */
	iconv_t cd;             /* (iconv_t)-1 when passing through */
	char enc[32];
	char name[256];
	char *buf;              /* bytes read, not yet converted */
	size_t pos, len;
	unsigned char peek[2];  /* sniffed bytes still to hand out */
	size_t npeek;
	int eof;
	long line;              /* lines handed out so far + 1 */
	char err[400];
};

static long count_lines(const char *s, size_t n)
{
	long k = 0;
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		k++;
		p++;
	}
	return k;
}

/* Top up buf from in; 0 at the end of input, -1 on a read error. */
static int refill(struct transcode *t)
{
	size_t n;

	if (t->pos) {
		memmove(t->buf, t->buf + t->pos, t->len - t->pos);
		t->len -= t->pos;
		t->pos = 0;
	}
	if (t->npeek) {
		memcpy(t->buf + t->len, t->peek, t->npeek);
		t->len += t->npeek;
		t->npeek = 0;
	}
	if (t->eof)
		return 0;
	n = fread(t->buf + t->len, 1, TC_BLOCK - t->len, t->in);
	t->len += n;
	if (n == 0) {
		if (ferror(t->in))
			return -1;
		t->eof = 1;
	}
	return 1;
}

static ssize_t conv_read(void *cookie, char *out, size_t size)
{
	struct transcode *t = cookie;
	char *ip, *op = out;
	size_t il, ol = size, done;

	for (;;) {
		ip = t->buf + t->pos;
		il = t->len - t->pos;
		if (il && iconv(t->cd, &ip, &il, &op, &ol) == (size_t)-1 &&
		    errno != E2BIG && errno != EINVAL) {
			done = (size_t)(op - out);
			t->line += count_lines(out, done);
			snprintf(t->err, sizeof(t->err),
				 "%s:%ld: bytes that are not %s (pass the file's "
				 "encoding with --encoding)", t->name, t->line,
				 t->enc);
			t->pos = (size_t)(ip - t->buf);
			if (done)
				return (ssize_t)done;
			errno = EILSEQ;
			return -1;
		}
		t->pos = (size_t)(ip - t->buf);
		done = (size_t)(op - out);
		if (done) {
			t->line += count_lines(out, done);
			return (ssize_t)done;
		}
		if (t->eof) {
			if (t->pos < t->len) {  /* EINVAL: cut inside a character */
				snprintf(t->err, sizeof(t->err),
					 "%s:%ld: the file ends inside a %s "
					 "character", t->name, t->line, t->enc);
				t->pos = t->len;
				errno = EILSEQ;
				return -1;
			}
			return 0;
		}
		if (refill(t) < 0) {
			snprintf(t->err, sizeof(t->err), "%s: read error: %s",
				 t->name, strerror(errno));
			return -1;
		}
	}
}

/* Pass the sniffed bytes, then the rest of in, unchanged. */
static ssize_t pass_read(void *cookie, char *out, size_t size)
{
	struct transcode *t = cookie;
	size_t n;

	if (t->npeek) {
		n = t->npeek < size ? t->npeek : size;
		memcpy(out, t->peek, n);
		memmove(t->peek, t->peek + n, t->npeek - n);
		t->npeek -= n;
		return (ssize_t)n;
	}
	n = fread(out, 1, size, t->in);
	if (!n && ferror(t->in))
		return -1;
	return (ssize_t)n;
}

static int tc_close(void *cookie)
{
	(void)cookie;
	return 0;               /* the caller's FILE stays open */
}

static int is_utf8(const char *e)
{
	return !strcasecmp(e, "utf-8") || !strcasecmp(e, "utf8");
}

int transcode_new(struct transcode **out, FILE *in, const char *encoding,
		  const char *name, struct cd_error *err)
{
	cookie_io_functions_t io = { NULL, NULL, NULL, tc_close };
	struct transcode *t;
	const char *enc = NULL;
	size_t n;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->in = in;
	t->cd = (iconv_t)-1;
	t->line = 1;
	snprintf(t->name, sizeof(t->name), "%s",
		 !name || !strcmp(name, "-") ? "<stdin>" : name);
	if (encoding && *encoding && strcasecmp(encoding, "auto")) {
		enc = is_utf8(encoding) ? NULL : encoding;
	} else {
		n = fread(t->peek, 1, 2, in);
		if (n < 2 && ferror(in)) {
			int rc = cd_error_set(err, CD_ERR_IO, 0,
					      "%s: read error: %s", t->name,
					      strerror(errno));

			free(t);
			return rc;
		}
		t->npeek = n;
		if (n == 2 && t->peek[0] == 0xFF && t->peek[1] == 0xFE)
			enc = "UTF-16LE";
		else if (n == 2 && t->peek[0] == 0xFE && t->peek[1] == 0xFF)
			enc = "UTF-16BE";
		if (!enc && (!n || fseek(in, -(long)n, SEEK_CUR) == 0)) {
			t->npeek = 0;   /* a file: read it in place */
			t->out = in;
			*out = t;
			return 0;
		}
		clearerr(in);
	}
	if (!enc && !t->npeek) {
		t->out = in;
		*out = t;
		return 0;
	}
	if (enc) {
		if (strlen(enc) >= sizeof(t->enc) ||
		    (t->cd = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
			int rc = cd_error_set(err, CD_ERR_USAGE, 0,
					      "unknown encoding '%s' (for example "
					      "utf-8, cp1251, utf-16le, utf-16be, "
					      "koi8-r)", enc);

			free(t);
			return rc;
		}
		snprintf(t->enc, sizeof(t->enc), "%s", enc);
		t->buf = malloc(TC_BLOCK);
		if (!t->buf)
			goto nomem;
		io.read = conv_read;
	} else {
		io.read = pass_read;
	}
	t->out = fopencookie(t, "r", io);
	if (!t->out)
		goto nomem;
	*out = t;
	return 0;
nomem:
	if (t && t->cd != (iconv_t)-1)
		iconv_close(t->cd);
	if (t)
		free(t->buf);
	free(t);
	*out = NULL;
	return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
}

void transcode_free(struct transcode *t)
{
	if (!t)
		return;
	if (t->out && t->out != t->in)
		fclose(t->out);
	if (t->cd != (iconv_t)-1)
		iconv_close(t->cd);
	free(t->buf);
	free(t);
}

FILE *transcode_stream(struct transcode *t)
{
	return t->out;
}

const char *transcode_encoding(const struct transcode *t)
{
	return t->enc;
}

const char *transcode_error(const struct transcode *t)
{
	return t->err;
}

const char *transcode_hint(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, hi = 0, cyr = 0;

	/*
	 * Windows-1251 puts А..я at 0xC0..0xFF, and a Russian word in it is a
	 * run of such bytes, which UTF-8 can never hold (a lead byte there
	 * needs continuation bytes 0x80..0xBF after it).
	 */
	for (i = 0; i < n; i++) {
		if (p[i] < 0x80)
			continue;
		hi++;
		if (p[i] >= 0xC0 && i + 1 < n && p[i + 1] >= 0xC0)
			cyr++;
	}
	if (hi && cyr * 3 >= hi)
		return "if this file came from Excel, try --encoding cp1251";
	return "pass the file's encoding with --encoding (for example "
	       "cp1251 or utf-16le)";
}

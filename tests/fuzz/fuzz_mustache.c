/*
 * fuzz_mustache.c - mustache_parse() on arbitrary bytes, then render.
 *
 * A template that parses is rendered against a fixed cJSON object (strings
 * with HTML specials, numbers, booleans, null, lists, nested objects)
 * with both escape modes, a 64 KiB output cap and a 200000-step cap, and
 * a partial callback that serves a few fixed partials: "p" and "q" (which
 * nest), "loop" (includes itself), "bad" (does not parse) and "self" (the
 * template being fuzzed, so a template can recurse through itself).  Any
 * other name is a missing partial.
 *
 * Checked: a parse error has a line and column inside the source; names
 * are reported with positions; a render returns 0, CD_ERR_LIMIT or
 * CD_ERR_DATA and never writes past the cap; rendering twice gives the
 * same bytes (rendering never changes the template); text without any
 * "{{" renders as itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)
#define OUT_MAX ((size_t)64 * 1024)
#define STEPS_MAX 200000

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_mustache.c:%d: check failed: %s\n", line, what);
	abort();
}

static const char data_json[] =
	"{\"name\":\"Ann & <Bob> \\\"quoted\\\" 'x'\",\"n\":1.5,\"big\":1e300,"
	"\"neg\":-0.0,\"t\":true,\"f\":false,\"z\":null,\"s\":\"\","
	"\"items\":[1,\"two\",{\"name\":\"inner\",\"items\":[true]},[],null],"
	"\"empty\":[],\"obj\":{\"a\":{\"b\":\"deep\",\"c\":{}}},"
	"\"brand\":{\"name\":\"Sunny\",\"support_url\":\"x.example/help\"},"
	"\"ru\":\"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\"}";

struct source {
	const char *src;        /* the template under test */
	size_t len;
};

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	CHECK(p != NULL);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static char *partial(void *ctx, const char *name)
{
	const struct source *self = ctx;
	const char *s;

	if (!strcmp(name, "p"))
		s = "[p {{name}} {{>q}}]\n  {{#items}}{{>q}}{{/items}}\n";
	else if (!strcmp(name, "q"))
		s = "  q:{{.}}|{{&name}}\n";
	else if (!strcmp(name, "loop"))
		s = "  {{>loop}}\n";
	else if (!strcmp(name, "bad"))
		s = "{{#open}} never closed";
	else if (!strcmp(name, "self"))
		/* the source up to its first NUL, as a partial is a C string */
		return dup_n(self->src, strnlen(self->src, self->len));
	else
		return NULL;
	return dup_n(s, strlen(s));
}

static int each_name(void *ctx, const char *name, enum mustache_tag kind,
		     long line, long col)
{
	(void)ctx;
	/* may be "" for a name that starts with a NUL byte ({{&\0}}) */
	CHECK(name != NULL);
	CHECK(kind == MUSTACHE_TAG_VAR || kind == MUSTACHE_TAG_SECTION ||
	      kind == MUSTACHE_TAG_INVERTED);
	CHECK(line >= 1 && col >= 1);
	return 0;
}

/* 1 when s[0..n) holds "{{". */
static int has_open_tag(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '{' && s[i + 1] == '{')
			return 1;
	return 0;
}

static long lines_in(const uint8_t *s, size_t n)
{
	long l = 1;
	size_t i;

	for (i = 0; i < n; i++)
		l += s[i] == '\n';
	return l;
}

/* Render and return the status; out keeps the result. */
static int render(const struct mustache_template *t, const cJSON *root,
		  enum mustache_escape esc, struct source *self,
		  struct cd_buf *out)
{
	struct mustache_opts o;
	struct cd_error err;
	int rc;

	memset(&o, 0, sizeof(o));
	o.escape = esc;
	o.partial = partial;
	o.partial_ctx = self;
	o.max_steps = STEPS_MAX;
	cd_buf_init(out, OUT_MAX);
	rc = mustache_render(t, root, &o, out, &err);
	CHECK(rc == 0 || rc == CD_ERR_LIMIT || rc == CD_ERR_DATA);
	CHECK(out->len <= OUT_MAX);
	if (rc)
		CHECK(err.msg[0] != '\0');
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *root;
	struct mustache_template *t = NULL;
	struct cd_error err;
	struct source self = { (const char *)data, size };
	int rc, e;

	if (!root) {
		root = cJSON_Parse(data_json);
		CHECK(root != NULL);
	}
	if (!size)
		self.src = "";
	rc = mustache_parse(self.src, size, &t, &err);
	if (rc) {
		CHECK(rc == CD_ERR_DATA);
		CHECK(err.line >= 1 && err.line <= lines_in(data, size));
		CHECK(err.col >= 1);
		return 0;
	}
	CHECK(mustache_each_name(t, each_name, NULL) == 0);
	for (e = 0; e < 2; e++) {
		enum mustache_escape esc = e ? MUSTACHE_ESCAPE_NONE :
					       MUSTACHE_ESCAPE_HTML;
		struct cd_buf a, b;
		int ra = render(t, root, esc, &self, &a);
		int rb = render(t, root, esc, &self, &b);

		CHECK(ra == rb);
		if (!ra) {
			CHECK(a.len == b.len &&
			      (!a.len || !memcmp(a.data, b.data, a.len)));
			if (size && !has_open_tag(data, size))
				CHECK(a.len == size && !memcmp(a.data, data, size));
		}
		cd_buf_release(&a);
		cd_buf_release(&b);
	}
	/* no data at all and the default options must be fine too */
	{
		struct cd_buf c;

		cd_buf_init(&c, OUT_MAX);
		rc = mustache_render(t, NULL, NULL, &c, &err);
		CHECK(rc == 0 || rc == CD_ERR_LIMIT);
		cd_buf_release(&c);
	}
	mustache_free(t);
	return 0;
}

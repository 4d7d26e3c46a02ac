/*
 * test_mustache.c - cmocka tests for what the Mustache spec suite does not
 * cover: parse errors and their positions, escaping modes, the nesting and
 * output caps, mustache_each_name(), number formatting and re-rendering.
 * The spec itself runs as test_mustache_spec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "mustache.h"

#define OUT_MAX 4096

/* Partials for the tests: a NULL-terminated list of name, source pairs. */
static char *table_partial(void *ctx, const char *name)
{
	const char *const *p;
	size_t n;
	char *s;

	for (p = ctx; p[0]; p += 2) {
		if (strcmp(p[0], name))
			continue;
		n = strlen(p[1]);
		s = malloc(n + 1);
		if (s)
			memcpy(s, p[1], n + 1);
		return s;
	}
	return NULL;
}

/*
 * Parse and render `tpl` against the JSON text `json` (NULL: no data)
 * into `out`, which the caller initialised and releases.  Returns the
 * status of the first step that failed.
 */
static int render(const char *tpl, const char *json,
		  const struct mustache_opts *opts, struct cd_buf *out,
		  struct cd_error *err)
{
	struct mustache_template *t = NULL;
	cJSON *data = NULL;
	int rc;

	if (json) {
		data = cJSON_Parse(json);
		assert_non_null(data);
	}
	rc = mustache_parse(tpl, strlen(tpl), &t, err);
	if (!rc) {
		rc = mustache_render(t, data, opts, out, err);
		mustache_free(t);
	}
	cJSON_Delete(data);
	return rc;
}

/* Render and check that it succeeds with `want`. */
static void check_render(const char *tpl, const char *json,
			 const struct mustache_opts *opts, const char *want)
{
	struct cd_error err;
	struct cd_buf out;

	cd_buf_init(&out, OUT_MAX);
	assert_int_equal(render(tpl, json, opts, &out, &err), 0);
	assert_string_equal(out.data, want);
	cd_buf_release(&out);
}

/* Check that parsing `tpl` fails at line:col with the message `msg`. */
static void check_parse_error(const char *tpl, long line, long col,
			      const char *msg)
{
	struct mustache_template *t = NULL;
	struct cd_error err;

	assert_int_equal(mustache_parse(tpl, strlen(tpl), &t, &err),
			 CD_ERR_DATA);
	assert_null(t);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
}

static void test_unclosed_section(void **state)
{
	(void)state;
	check_parse_error("Hello\n  {{#items}}\n{{name}}\n", 2, 3,
			  "unclosed section 'items'");
	/* The innermost open section is the one reported. */
	check_parse_error("{{#a}}\n{{^b}}{{#c}}{{/c}}\n", 2, 1,
			  "unclosed section 'b'");
	check_parse_error("x {{#a.b}}", 1, 3, "unclosed section 'a.b'");
}

static void test_mismatched_close(void **state)
{
	(void)state;
	check_parse_error("{{#a}}\nx {{/b}}", 2, 3,
			  "closing tag 'b' does not match section 'a' opened on line 1");
	check_parse_error("{{#a}}{{#b}}{{/a}}{{/b}}", 1, 13,
			  "closing tag 'a' does not match section 'b' opened on line 1");
	check_parse_error("ok\n\n   {{/a}}", 3, 4,
			  "closing tag 'a' without an open section");
}

static void test_unclosed_tag(void **state)
{
	(void)state;
	check_parse_error("ab\ncd {{name", 2, 4, "unclosed tag: expected '}}'");
	check_parse_error("{{{name}}", 1, 1, "unclosed tag: expected '}}}'");
	check_parse_error("{{! comment", 1, 1, "unclosed tag: expected '}}'");
	check_parse_error("{{=<% %>=}}\n<%x", 2, 1,
			  "unclosed tag: expected '%>'");
	check_parse_error("{{", 1, 1, "unclosed tag: expected '}}'");
}

static void test_bad_delimiters(void **state)
{
	(void)state;
	check_parse_error("x\n {{=<%=}}", 2, 2, "bad set-delimiter tag '<%'");
	check_parse_error("{{=a b c=}}", 1, 1, "bad set-delimiter tag 'a b c'");
	check_parse_error("{{= =}}", 1, 1, "bad set-delimiter tag ''");
	check_parse_error("{{=<<<<<<<<<<<<<<<<< >>=}}", 1, 1,
			  "bad set-delimiter tag '<<<<<<<<<<<<<<<<< >>': a delimiter is longer than 16 bytes");
	check_parse_error("{{=<% %>}}", 1, 1, "unclosed tag: expected '=}}'");
}

static void test_bad_names(void **state)
{
	(void)state;
	check_parse_error("{{a b}}", 1, 1, "bad name 'a b'");
	check_parse_error("\t{{#a..b}}{{/a..b}}", 1, 2, "bad name 'a..b'");
	check_parse_error("{{.a}}", 1, 1, "bad name '.a'");
	check_parse_error("{{a.}}", 1, 1, "bad name 'a.'");
	check_parse_error("{{#}}{{/}}", 1, 1, "tag has no name");
	check_parse_error("{{ }}", 1, 1, "tag has no name");
	check_parse_error("{{> }}", 1, 1, "tag has no name");
}

/* Columns count UTF-8 characters, not bytes. */
static void test_utf8_column(void **state)
{
	(void)state;
	check_parse_error("Привет, {{#имя}}", 1, 9, "unclosed section 'имя'");
}

static void test_partial_parse_error(void **state)
{
	const char *partials[] = { "p", "a\n{{#x}}", NULL };
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = table_partial,
		.partial_ctx = partials,
	};
	struct cd_error err;
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, OUT_MAX);
	assert_int_equal(render("{{>p}}", "{}", &opts, &out, &err),
			 CD_ERR_DATA);
	assert_string_equal(err.msg, "partial 'p': unclosed section 'x'");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	cd_buf_release(&out);
}

static void test_escape(void **state)
{
	struct mustache_opts none = { .escape = MUSTACHE_ESCAPE_NONE };
	struct mustache_opts html = { .escape = MUSTACHE_ESCAPE_HTML };
	const char *json = "{\"x\": \"a<&>\\\"'b\"}";

	(void)state;
	check_render("{{x}}|{{{x}}}|{{&x}}", json, &none,
		     "a<&>\"'b|a<&>\"'b|a<&>\"'b");
	check_render("{{x}}|{{{x}}}", json, &html,
		     "a&lt;&amp;&gt;&quot;&#39;b|a<&>\"'b");
	/* NULL opts means HTML escaping. */
	check_render("{{x}}", json, NULL, "a&lt;&amp;&gt;&quot;&#39;b");
}

static void test_partial_recursion_cap(void **state)
{
	const char *partials[] = { "self", "x{{>self}}", NULL };
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = table_partial,
		.partial_ctx = partials,
	};
	struct cd_error err;
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, 1 << 20);
	assert_int_equal(render("{{>self}}", "{}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg,
			    "partial 'self' nests deeper than 64 levels");
	/* The cap comes from the options. */
	cd_buf_reset(&out);
	opts.max_depth = 3;
	assert_int_equal(render("{{>self}}", "{}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg,
			    "partial 'self' nests deeper than 3 levels");
	cd_buf_release(&out);
}

/*
 * Sections nested past the cap are refused when the template is parsed,
 * at the tag that goes one level too deep, even under a false section
 * that a render would never enter.
 */
static void test_depth_checked_at_parse(void **state)
{
	size_t deep = 10000, i;
	char *tpl = malloc(deep * 16 + 1), *p = tpl;
	struct mustache_template *t = NULL;
	struct cd_error err;

	(void)state;
	assert_non_null(tpl);
	for (i = 0; i < deep; i++)
		p += sprintf(p, "{{#no}}");
	for (i = 0; i < deep; i++)
		p += sprintf(p, "{{/no}}");
	assert_int_equal(mustache_parse(tpl, (size_t)(p - tpl), &t, &err),
			 CD_ERR_DATA);
	assert_null(t);
	assert_string_equal(err.msg, "section 'no' nests deeper than 64 levels");
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 64 * 7 + 1);
	/* exactly at the cap it parses, on several lines, inverted too */
	p = tpl;
	for (i = 0; i < 64; i++)
		p += sprintf(p, "{{^a}}\n");
	for (i = 0; i < 64; i++)
		p += sprintf(p, "{{/a}}");
	assert_int_equal(mustache_parse(tpl, (size_t)(p - tpl), &t, &err), 0);
	mustache_free(t);
	/* the depth comes back down after each closing tag */
	p = tpl;
	for (i = 0; i < 100; i++)
		p += sprintf(p, "{{#a}}x{{/a}}");
	assert_int_equal(mustache_parse(tpl, (size_t)(p - tpl), &t, &err), 0);
	mustache_free(t);
	p = tpl;
	for (i = 0; i < 65; i++)
		p += sprintf(p, "{{#a}}\n");
	assert_int_equal(mustache_parse(tpl, (size_t)(p - tpl), &t, &err),
			 CD_ERR_DATA);
	assert_int_equal(err.line, 65);
	assert_int_equal(err.col, 1);
	free(tpl);
}

/*
 * Sections over lists, or partials that include others several times, can
 * do exponential work within max_depth: the step cap stops them.
 */
static void test_step_cap(void **state)
{
	const char *partials[] = {
		"a", "{{>b}}{{>b}}{{>b}}{{>b}}",
		"b", "{{>c}}{{>c}}{{>c}}{{>c}}",
		"c", "{{>d}}{{>d}}{{>d}}{{>d}}",
		"d", "{{>e}}{{>e}}{{>e}}{{>e}}",
		"e", "{{>f}}{{>f}}{{>f}}{{>f}}",
		"f", "x",
		NULL
	};
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = table_partial,
		.partial_ctx = partials,
		.max_steps = 1000,
	};
	struct cd_error err;
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, OUT_MAX);
	assert_int_equal(render("{{>a}}", "{}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg, "rendering takes more than 1000 steps");
	cd_buf_reset(&out);
	assert_int_equal(render("{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
				"{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}",
				"{\"l\": [1, 2, 3]}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg, "rendering takes more than 1000 steps");
	/* A small template fits in a small budget, but not in one step. */
	opts.max_steps = 10;
	cd_buf_reset(&out);
	assert_int_equal(render("a{{b}}c", "{\"b\": 1}", &opts, &out, &err), 0);
	assert_string_equal(out.data, "a1c");
	opts.max_steps = 1;
	assert_int_equal(render("a{{b}}c", "{}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	cd_buf_release(&out);
}

static void test_section_nesting_cap(void **state)
{
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.max_depth = 3,
	};
	struct cd_error err;
	struct cd_buf out;

	(void)state;
	check_render("{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}", "{\"a\": true}",
		     &opts, "x");
	check_render("{{^b}}{{^b}}{{^b}}x{{/b}}{{/b}}{{/b}}", "{}", &opts,
		     "x");
	cd_buf_init(&out, OUT_MAX);
	assert_int_equal(render("{{#a}}{{#a}}{{^b}}{{#a}}x"
				"{{/a}}{{/b}}{{/a}}{{/a}}",
				"{\"a\": [1]}", &opts, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg, "section 'a' nests deeper than 3 levels");
	cd_buf_release(&out);
}

static void test_output_cap(void **state)
{
	struct cd_error err;
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, 10);
	assert_int_equal(render("0123456789", NULL, NULL, &out, &err), 0);
	assert_string_equal(out.data, "0123456789");
	cd_buf_release(&out);

	cd_buf_init(&out, 10);
	assert_int_equal(render("{{#l}}{{.}}{{/l}}",
				"{\"l\": [\"0123\", \"4567\", \"89ab\"]}",
				NULL, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(err.msg, "rendered reply exceeds 10 bytes");
	cd_buf_release(&out);

	/* An escape that does not fit is not cut in half. */
	cd_buf_init(&out, 4);
	assert_int_equal(render("{{x}}", "{\"x\": \"ab&\"}", NULL, &out, &err),
			 CD_ERR_LIMIT);
	assert_string_equal(out.data, "ab");
	cd_buf_release(&out);
}

struct seen {
	char text[512];
	int calls, stop_after;
};

static int collect(void *ctx, const char *name, enum mustache_tag kind,
		   long line, long col)
{
	static const char *const kinds[] = { "var", "section", "inverted" };
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%s %s %ld:%ld\n",
		 kinds[kind], name, line, col);
	return ++s->calls == s->stop_after ? 42 : 0;
}

static void test_each_name(void **state)
{
	const char *tpl =
		"Hi {{name}},\n"
		"{{#items}}\n"
		"  {{{item.title}}} {{& .}}{{/items}}{{^none}}{{/none}}\n"
		"{{>footer}}{{! comment }}\n"
		"{{=<% %>=}}\n"
		"é<%#last%><%/last%>\n";
	struct mustache_template *t;
	struct cd_error err;
	struct seen s;

	(void)state;
	assert_int_equal(mustache_parse(tpl, strlen(tpl), &t, &err), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(mustache_each_name(t, collect, &s), 0);
	assert_string_equal(s.text,
			    "var name 1:4\n"
			    "section items 2:1\n"
			    "var item.title 3:3\n"
			    "var . 3:20\n"
			    "inverted none 3:37\n"
			    "section last 6:2\n");
	/* A nonzero return stops the walk and is passed on. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(mustache_each_name(t, collect, &s), 42);
	assert_int_equal(s.calls, 2);
	mustache_free(t);
}

static void test_render_twice(void **state)
{
	const char *partials[] = { "p", "<{{n}}>", NULL };
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = table_partial,
		.partial_ctx = partials,
	};
	const char *tpl = "{{#l}}{{>p}}{{/l}}{{^l}}none{{/l}}";
	struct mustache_template *t;
	struct cd_error err;
	struct cd_buf a, b;
	cJSON *data = cJSON_Parse("{\"l\": [{\"n\": 1}, {\"n\": \"&\"}]}");
	cJSON *other = cJSON_Parse("{\"l\": []}");

	(void)state;
	assert_non_null(data);
	assert_non_null(other);
	assert_int_equal(mustache_parse(tpl, strlen(tpl), &t, &err), 0);
	cd_buf_init(&a, OUT_MAX);
	cd_buf_init(&b, OUT_MAX);
	assert_int_equal(mustache_render(t, data, &opts, &a, &err), 0);
	assert_int_equal(mustache_render(t, other, &opts, &b, &err), 0);
	assert_string_equal(b.data, "none");
	cd_buf_reset(&b);
	assert_int_equal(mustache_render(t, data, &opts, &b, &err), 0);
	assert_string_equal(a.data, "<1><&amp;>");
	assert_string_equal(a.data, b.data);
	/* Rendering appends. */
	assert_int_equal(mustache_render(t, other, &opts, &b, &err), 0);
	assert_string_equal(b.data, "<1><&amp;>none");
	cd_buf_release(&a);
	cd_buf_release(&b);
	mustache_free(t);
	cJSON_Delete(data);
	cJSON_Delete(other);
}

static void test_values(void **state)
{
	(void)state;
	check_render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
		     "{\"a\": 85, \"b\": 1.5, \"c\": -3, \"d\": 0.1, "
		     "\"e\": 1e20, \"f\": 3.0, \"g\": -0.0}",
		     NULL, "85 1.5 -3 0.1 1e+20 3 0");
	check_render("[{{t}}|{{f}}|{{n}}|{{o}}|{{l}}|{{m}}]",
		     "{\"t\": true, \"f\": false, \"n\": null, \"o\": {}, "
		     "\"l\": [1]}",
		     NULL, "[true|false||||]");
	/* Truthiness: "", 0 and {} are truthy; [], null, false are not. */
	check_render("{{#s}}s{{/s}}{{#z}}z{{/z}}{{#o}}o{{/o}}"
		     "{{^l}}l{{/l}}{{^n}}n{{/n}}{{^f}}f{{/f}}",
		     "{\"s\": \"\", \"z\": 0, \"o\": {}, \"l\": [], "
		     "\"n\": null, \"f\": false}",
		     NULL, "szolnf");
	/* No data at all: every name is missing. */
	check_render("[{{x}}|{{.}}|{{#x}}no{{/x}}{{^x}}yes{{/x}}]", NULL,
		     NULL, "[||yes]");
	check_render("", "{}", NULL, "");
}

static void test_nested_partial_indent(void **state)
{
	const char *partials[] = {
		"a", "x\n  {{>b}}\n{{v}}\n",
		"b", "y\n\nz {{v}}\n",
		NULL
	};
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = table_partial,
		.partial_ctx = partials,
	};

	(void)state;
	check_render("  {{>a}}\n.", "{\"v\": \"1\\n2\"}", &opts,
		     "  x\n    y\n    \n    z 1\n2\n  1\n2\n.");
	/* An inline partial is not indented. */
	check_render("- {{>b}}|", "{\"v\": \"\"}", &opts, "- y\n\nz \n|");
	/* Without a partial callback every partial is empty. */
	check_render("[{{>a}}]", "{}", NULL, "[]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_checked_at_parse),
		cmocka_unit_test(test_unclosed_section),
		cmocka_unit_test(test_mismatched_close),
		cmocka_unit_test(test_unclosed_tag),
		cmocka_unit_test(test_bad_delimiters),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_utf8_column),
		cmocka_unit_test(test_partial_parse_error),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_partial_recursion_cap),
		cmocka_unit_test(test_step_cap),
		cmocka_unit_test(test_section_nesting_cap),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_each_name),
		cmocka_unit_test(test_render_twice),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_nested_partial_indent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

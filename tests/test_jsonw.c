/*
 * test_jsonw.c - the JSON writer: string escapes (found 8 bytes at a
 * time, so every escape is tried at every offset of a word), keys, the
 * buffer limit, and the fixed-point numbers of classify and suggest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "jsonw.h"

/* JSON of s[0..len), written the slow obvious way, into out. */
static void reference(const char *s, size_t len, char *out)
{
	size_t i, o = 0;

	out[o++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': o += (size_t)sprintf(out + o, "\\\""); break;
		case '\\': o += (size_t)sprintf(out + o, "\\\\"); break;
		case '\n': o += (size_t)sprintf(out + o, "\\n"); break;
		case '\r': o += (size_t)sprintf(out + o, "\\r"); break;
		case '\t': o += (size_t)sprintf(out + o, "\\t"); break;
		case '\b': o += (size_t)sprintf(out + o, "\\b"); break;
		case '\f': o += (size_t)sprintf(out + o, "\\f"); break;
		default:
			if (c < 0x20)
				o += (size_t)sprintf(out + o, "\\u%04x", c);
			else
				out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void check(const char *s, size_t len)
{
	struct cd_buf b;
	char want[512];

	reference(s, len, want);
	cd_buf_init(&b, 1u << 16);
	assert_int_equal(jsonw_str(&b, s, len), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data, want, b.len);
	assert_int_equal(b.data[b.len], '\0');
	cd_buf_release(&b);
}

static void test_every_escape_at_every_offset(void **state)
{
	/* the bytes that need escaping, and their neighbours that do not */
	static const char special[] = "\"\\\n\r\t\b\f\x01\x1f";
	static const char plain[] = " !#[]~\x7f\x80\xd0\xbf\xff";
	char s[40];
	size_t k, off, len;

	(void)state;
	for (k = 0; k < sizeof(special) - 1; k++)
		for (len = 1; len <= 24; len++)
			for (off = 0; off < len; off++) {
				memset(s, 'a', len);
				s[off] = special[k];
				check(s, len);
			}
	for (k = 0; k < sizeof(plain) - 1; k++)
		for (off = 0; off < 17; off++) {
			memset(s, 'b', 17);
			s[off] = plain[k];
			check(s, 17);
		}
	check("", 0);
	check("\"\"\"\"\"\"\"\"\"", 9);
	check("привет \"мир\"\n", strlen("привет \"мир\"\n"));
	check("a\0b", 3);        /* NUL inside: \u0000 */
}

static void test_exact_output(void **state)
{
	struct cd_buf b;

	(void)state;
	cd_buf_init(&b, 1024);
	assert_int_equal(jsonw_str(&b, "say \"hi\"\tnow\x02",
				   strlen("say \"hi\"\tnow\x02")), 0);
	assert_string_equal(b.data, "\"say \\\"hi\\\"\\tnow\\u0002\"");
	cd_buf_reset(&b);
	assert_int_equal(jsonw_key(&b, "reply", 1), 0);
	assert_int_equal(jsonw_key(&b, "we\"ird", 0), 0);
	assert_string_equal(b.data, "\"reply\":,\"we\\\"ird\":");
	cd_buf_release(&b);
}

static void test_limit(void **state)
{
	struct cd_buf b;

	(void)state;
	cd_buf_init(&b, 8);
	/* 6 bytes fit as they are, not once each quote is escaped */
	assert_int_equal(jsonw_str(&b, "abcdef", 6), 0);
	cd_buf_reset(&b);
	assert_int_equal(jsonw_str(&b, "\"\"\"\"", 4), CD_ERR_LIMIT);
	cd_buf_reset(&b);
	assert_int_equal(jsonw_key(&b, "toolongkey", 1), CD_ERR_LIMIT);
	cd_buf_release(&b);
}

static void test_fixed(void **state)
{
	static const struct {
		double v;
		int digits;
		const char *want;
	} cases[] = {
		{ 0, 4, "0" }, { 1, 4, "1" }, { 0.5, 4, "0.5" },
		{ 0.98765, 4, "0.9877" }, { 0.00004, 4, "0" },
		{ 0.00005001, 4, "0.0001" }, { 0.99996, 4, "1" },
		{ 0.1, 4, "0.1" }, { 0.0102, 4, "0.0102" }, { 12.25, 2, "12.25" },
		{ 3.5, 0, "4" }, { 123456.7890123, 6, "123456.789012" },
		{ 0.000001, 6, "0.000001" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *end = jsonw_fixed(buf, cases[i].v, cases[i].digits);

		*end = '\0';
		assert_string_equal(buf, cases[i].want);
	}
}

/* jsonw_num: the slow path (negative or large) trims as the fast one */
static void test_num(void **state)
{
	static const struct {
		double v;
		int digits;
		const char *want;
	} cases[] = {
		{ -2.0, 6, "-2" }, { -2.5, 6, "-2.5" }, { -0.0000001, 6, "0" },
		{ 2e9, 3, "2000000000" }, { 2e9 + 0.25, 3, "2000000000.25" },
		{ -1.126, 2, "-1.13" }, { 0.25, 6, "0.25" }, { 7, 0, "7" },
	};
	struct cd_buf b;
	size_t i;

	(void)state;
	cd_buf_init(&b, 64);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cd_buf_reset(&b);
		assert_int_equal(jsonw_num(&b, cases[i].v, cases[i].digits), 0);
		assert_string_equal(b.data, cases[i].want);
	}
	cd_buf_reset(&b);
	assert_int_equal(jsonw_num(&b, INFINITY, 6), 0);
	assert_string_equal(b.data, "null");
	cd_buf_release(&b);
}

/*
 * jsonw_prob is jsonw_num(v, 4) for every v, in a buffer with and
 * without room (the inline path and the call); jsonw_int is %lld.
 */
static void test_prob_and_int(void **state)
{
	static const double probs[] = { 0, 1, 0.5, 0.12345, 0.99995, 0.99994,
					 0.00004, 0.00005, 1e-300, 1.00001,
					 -0.00001, -1, 3.5, NAN, INFINITY };
	static const long long ints[] = { 0, 7, -7, 100, 1234567890123LL,
					  LLONG_MAX, LLONG_MIN };
	struct cd_buf a, b;
	char want[64];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(probs) / sizeof(probs[0]); i++)
		for (k = 0; k < 2; k++) {
			cd_buf_init(&a, 64);
			cd_buf_init(&b, 64);
			if (k) {        /* room: the inline path */
				assert_int_equal(cd_buf_add(&a, "x", 1), 0);
				assert_int_equal(cd_buf_add(&b, "x", 1), 0);
			}
			assert_int_equal(jsonw_num(&a, probs[i], 4), 0);
			assert_int_equal(jsonw_prob(&b, probs[i]), 0);
			assert_string_equal(a.data, b.data);
			cd_buf_release(&a);
			cd_buf_release(&b);
		}
	for (i = 0; i < 10001; i++) {   /* every four-decimal value */
		cd_buf_init(&a, 64);
		cd_buf_init(&b, 64);
		cd_buf_add(&a, "x", 1);
		cd_buf_add(&b, "x", 1);
		jsonw_num(&a, (double)i / 10000, 4);
		jsonw_prob(&b, (double)i / 10000);
		assert_string_equal(a.data, b.data);
		cd_buf_release(&a);
		cd_buf_release(&b);
	}
	cd_buf_init(&a, 64);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		cd_buf_reset(&a);
		assert_int_equal(jsonw_int(&a, ints[i]), 0);
		snprintf(want, sizeof(want), "%lld", ints[i]);
		assert_string_equal(a.data, want);
	}
	cd_buf_release(&a);
	cd_buf_init(&a, 3);             /* the cap holds */
	assert_int_equal(jsonw_int(&a, 123), 0);
	assert_int_not_equal(jsonw_int(&a, 4), 0);
	assert_string_equal(a.data, "123");
	cd_buf_release(&a);
}

/*
 * cd_buf_add (inline when the bytes fit, else grown) keeps its cap
 * exactly and stays NUL-terminated: for every cap up to 70 bytes, filled
 * in steps of 1 to 9 bytes, max bytes fit, one more fails with
 * CD_ERR_LIMIT and leaves the contents as they were.
 */
static void test_buf_add_cap(void **state)
{
	static const char src[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct cd_buf b;
	size_t max, step, n, k;

	(void)state;
	for (max = 1; max <= 70; max++)
		for (step = 1; step <= 9; step++) {
			cd_buf_init(&b, max);
			for (n = 0; n + step <= max; n += step)
				assert_int_equal(cd_buf_add(&b, src + n, step), 0);
			k = max - n;    /* what is left fits, a byte more does not */
			assert_int_equal(cd_buf_add(&b, src + n, k + 1),
					 CD_ERR_LIMIT);
			assert_int_equal(b.len, n);
			assert_int_equal(cd_buf_add(&b, src + n, k), 0);
			assert_int_equal(b.len, max);
			assert_int_equal(cd_buf_add(&b, "x", 1), CD_ERR_LIMIT);
			assert_int_equal(b.len, max);
			assert_int_equal(b.data[max], '\0');
			assert_memory_equal(b.data, src, max);
			cd_buf_reset(&b);        /* the memory kept: inline */
			assert_int_equal(cd_buf_add(&b, src, max), 0);
			assert_int_equal(cd_buf_add(&b, "", 0), 0);
			assert_memory_equal(b.data, src, max + 0);
			assert_int_equal(b.data[max], '\0');
			cd_buf_release(&b);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_escape_at_every_offset),
		cmocka_unit_test(test_exact_output),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_prob_and_int),
		cmocka_unit_test(test_buf_add_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

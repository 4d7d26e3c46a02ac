/*
 * test_comment.c - core/comment.h's own promises, checked against values
 * computed independently (timegm(3) for the times): comment_parse_time
 * on both of its paths (the exact "YYYY-MM-DDTHH:MM:SSZ" fast path and
 * the general one: a space, fractions, offsets) and its refusal of
 * impossible dates and times on each; comment_is_jsonl with and without
 * a UTF-8 byte order mark.
 */
#define _DEFAULT_SOURCE /* timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "comment.h"

static int64_t utc(int Y, int M, int D, int h, int m, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

static void test_times(void **state)
{
	(void)state;
	/* the fast path */
	assert_int_equal(comment_parse_time("2026-11-20T09:15:00Z"),
			 utc(2026, 11, 20, 9, 15, 0));
	assert_int_equal(comment_parse_time("2024-02-29T23:59:59Z"),
			 utc(2024, 2, 29, 23, 59, 59));
	/* the general path: space, fraction, offsets */
	assert_int_equal(comment_parse_time("2026-11-20 09:15:00Z"),
			 utc(2026, 11, 20, 9, 15, 0));
	assert_int_equal(comment_parse_time("2026-11-20T09:15:00.250Z"),
			 utc(2026, 11, 20, 9, 15, 0));
	assert_int_equal(comment_parse_time("2026-11-20T12:15:00+03:00"),
			 utc(2026, 11, 20, 9, 15, 0));
	assert_int_equal(comment_parse_time("2026-11-20T04:15:00-05:00"),
			 utc(2026, 11, 20, 9, 15, 0));
	/* unix seconds */
	assert_int_equal(comment_parse_time("1732600000"), 1732600000);
	assert_int_equal(comment_parse_time("-5"), -1);
	assert_int_equal(comment_parse_time("yesterday"), -1);
}

static void test_impossible_times(void **state)
{
	static const char *const bad[] = {
		/* fast path */
		"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
		"2026-11-32T00:00:00Z", "2026-11-00T00:00:00Z",
		"2026-11-20T24:00:00Z", "2026-11-20T09:60:00Z",
		"2026-11-20T09:15:61Z",
		/* general path: the same fields behind a space, a fraction
		 * or an offset */
		"2026-11-20 24:00:00Z", "2026-11-20T25:00:00+02:00",
		"2026-11-20T09:60:00.5Z", "2026-11-20 09:15:61Z",
		"2026-13-20T09:15:00+01:00", "2026-11-32 09:15:00Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = comment_parse_time(bad[i]);

		if (t != -1)
			fail_msg("'%s' read as %lld, want -1", bad[i],
				 (long long)t);
	}
	/* a leap second is allowed on both paths */
	assert_int_not_equal(comment_parse_time("2016-12-31T23:59:60Z"), -1);
	assert_int_not_equal(comment_parse_time("2016-12-31 23:59:60Z"), -1);
}

static void test_is_jsonl(void **state)
{
	static const char bom[] = "\xEF\xBB\xBF{\"id\":\"1\",\"text\":\"hi\"}";
	static const char bomtext[] = "\xEF\xBB\xBFhello {there}";

	(void)state;
	assert_true(comment_is_jsonl("{\"text\":\"hi\"}", 13));
	assert_true(comment_is_jsonl("  \t{", 4));
	assert_true(comment_is_jsonl(bom, sizeof(bom) - 1));
	assert_false(comment_is_jsonl(bomtext, sizeof(bomtext) - 1));
	assert_false(comment_is_jsonl("hello {", 7));
	assert_false(comment_is_jsonl("", 0));
	assert_false(comment_is_jsonl("\xEF\xBB", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_impossible_times),
		cmocka_unit_test(test_is_jsonl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

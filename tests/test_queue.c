/*
 * test_queue.c - the review queue's order: flags, then category weight,
 * then reach, then age; the due times; the "why" shown on screen; the
 * [review] weights parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "queue.h"
#include "suggest.h"

static struct queue_params P;

static int cmp_keys(const void *a, const void *b)
{
	return queue_cmp(&P, a, b);
}

/* A fixed stream, shuffled, comes out in the stated order. */
static void test_order(void **state)
{
	/* in the order they must come out */
	const struct queue_key want[] = {
		{ SUGGEST_FLAG_SAFETY | SUGGEST_FLAG_PRESS, "question", -1, -1, 900 },
		{ SUGGEST_FLAG_SAFETY, "other", 0, -1, 500 },      /* injury, a thank-you category */
		{ SUGGEST_FLAG_LEGAL, "complaint", 5, -1, 100 },
		{ SUGGEST_FLAG_PRESS, "spam", -1, -1, 50 },
		{ 0, "fake_news", 3000, -1, 700 },                  /* reach first ... */
		{ 0, "fake_news", 10, 2, 300 },
		{ 0, "fake_news", 0, -1, 200 },                     /* ... then age */
		{ 0, "fake_news", -1, -1, 400 },
		{ 0, "complaint", 103, -1, 600 },                   /* 103 and 101 likes: */
		{ 0, "complaint", 101, -1, 650 },                   /* same reach, older first */
		{ 0, "question", 1000000, -1, 10 },
		{ 0, "mystery_label", 0, -1, 20 },                  /* default weight 2 */
		{ 0, "other", 99999, -1, 1 },
	};
	size_t n = sizeof(want) / sizeof(want[0]), i, j;
	struct queue_key got[sizeof(want) / sizeof(want[0])];
	unsigned seed;

	(void)state;
	queue_params_default(&P);
	for (seed = 1; seed <= 20; seed++) {
		memcpy(got, want, sizeof(got));
		srand(seed);
		for (i = n - 1; i > 0; i--) {       /* Fisher-Yates */
			struct queue_key t;

			j = (size_t)rand() % (i + 1);
			t = got[i];
			got[i] = got[j];
			got[j] = t;
		}
		qsort(got, n, sizeof(got[0]), cmp_keys);
		for (i = 0; i < n; i++) {
			assert_int_equal(got[i].since, want[i].since);
			assert_string_equal(got[i].category, want[i].category);
		}
	}
}

static void test_weights_config(void **state)
{
	struct queue_key q = { 0, "question", -1, -1, 0 };
	struct queue_key c = { 0, "complaint", -1, -1, 0 };
	struct cd_error err;

	(void)state;
	queue_params_default(&P);
	assert_true(queue_cmp(&P, &c, &q) < 0);
	assert_int_equal(queue_params_weights(&P, " question : 9, refund:7", &err), 0);
	assert_int_equal(queue_weight(&P, "question"), 9);
	assert_int_equal(queue_weight(&P, "refund"), 7);
	assert_int_equal(queue_weight(&P, "complaint"), 4);
	assert_true(queue_cmp(&P, &q, &c) < 0);
	assert_int_equal(queue_params_weights(&P, "question 9", &err), CD_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "'question 9' is not category:weight"));
	assert_int_equal(queue_params_weights(&P, "question:lots", &err), CD_ERR_CONFIG);
	assert_non_null(strstr(err.msg, "whole number from 0 to 100"));
	assert_int_equal(queue_params_weights(&P, "question:101", &err), CD_ERR_CONFIG);
	assert_int_equal(queue_params_weights(&P, ":3", &err), CD_ERR_CONFIG);
}

static void test_due_and_why(void **state)
{
	struct queue_key flagged = { SUGGEST_FLAG_SAFETY, "complaint", 1204, -1, 1000 };
	struct queue_key plain = { 0, "question", -1, -1, 1000 };
	char buf[200];

	(void)state;
	queue_params_default(&P);
	assert_false(queue_overdue(&P, &flagged, 1000 + 15 * 60));
	assert_true(queue_overdue(&P, &flagged, 1000 + 15 * 60 + 1));
	assert_false(queue_overdue(&P, &plain, 1000 + 15 * 60 + 1));
	assert_true(queue_overdue(&P, &plain, 1000 + 2 * 3600 + 1));
	queue_why(&P, &flagged, 1000 + 17 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "safety flag, complaint (weight 4), 1,204 likes, "
			    "waiting 17m, OVERDUE (due 15m)");
	queue_why(&P, &plain, 1000 + 45, buf, sizeof(buf));
	assert_string_equal(buf, "question (weight 2), waiting 45s");
	/* a short buffer is cut, never overrun */
	assert_int_equal(queue_why(&P, &flagged, 2000, buf, 10), 9);
	assert_int_equal(strlen(buf), 9);
	queue_duration(3 * 3600 + 5 * 60, buf, sizeof(buf));
	assert_string_equal(buf, "3h05m");
	queue_duration(2 * 86400 + 4 * 3600, buf, sizeof(buf));
	assert_string_equal(buf, "2d04h");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_weights_config),
		cmocka_unit_test(test_due_and_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

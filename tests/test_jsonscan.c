/*
 * test_jsonscan.c - jsonscan_object() on the lines of tests/jsonscan/
 * cases.txt against tests/jsonscan/expected.txt, one line each:
 *
 *   rc|column|message|type:offset:length:escaped per wanted member
 *
 * (the wanted members are id, category, flags, created_at, comment_id,
 * text, confidence; offset -1 when absent).  The expected answers were
 * written by the scanner before it was made faster (main at dbb4ddd), so
 * the cases hold the faster one to the same errors, bytes and spans: the
 * numbers read 8 bytes at a time (leading zeros, dots, exponents, 7 and
 * 8 bytes), strings read 16 bytes at a time (a quote, a backslash or a
 * control byte at the edges of a 16-byte step, UTF-8), and names found
 * by hash (a name given twice, an escaped name, near-collisions).
 * Then the wanted list itself: a name wanted twice, the empty name, and
 * more names than the hash table holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "jsonscan.h"

static const char *cases_path, *expected_path;

/* The answer for one line, in the format of expected.txt. */
static void answer(const char *line, size_t n, char *out, size_t outsz)
{
	static const char *const keys[] = { "id", "category", "flags",
					    "created_at", "comment_id", "text",
					    "confidence" };
	struct jsonscan_member w[7];
	struct cd_error e;
	size_t i, used;
	int rc;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < 7; i++)
		w[i].key = keys[i];
	rc = jsonscan_object(line, n, w, 7, &e);
	used = (size_t)snprintf(out, outsz, "%d|%ld|%s", rc, rc ? e.col : 0L,
				rc ? e.msg : "");
	for (i = 0; !rc && i < 7 && used < outsz; i++)
		used += (size_t)snprintf(out + used, outsz - used,
					 "|%d:%ld:%zu:%d", (int)w[i].type,
					 w[i].val ? (long)(w[i].val - line) : -1L,
					 w[i].len, w[i].escaped);
}

static void test_cases(void **state)
{
	FILE *c = fopen(cases_path, "r"), *x = fopen(expected_path, "r");
	char line[4096], want[4096], got[4096];
	int n = 0;

	(void)state;
	assert_non_null(c);
	assert_non_null(x);
	while (fgets(line, sizeof(line), c)) {
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		assert_non_null(fgets(want, sizeof(want), x));
		want[strcspn(want, "\n")] = '\0';
		answer(line, len, got, sizeof(got));
		if (strcmp(got, want))
			fail_msg("cases.txt line %d: %s\n  got      %s\n  expected %s",
				 n + 1, line, got, want);
		n++;
	}
	assert_null(fgets(want, sizeof(want), x));     /* as many answers */
	assert_true(n >= 40);
	fclose(c);
	fclose(x);
}

/* A name wanted twice takes the first and the second occurrence. */
static void test_name_wanted_twice(void **state)
{
	const char line[] = "{\"id\":1,\"x\":0,\"id\":22}";
	struct jsonscan_member w[2] = { { .key = "id" }, { .key = "id" } };
	struct cd_error e;

	(void)state;
	assert_int_equal(jsonscan_object(line, strlen(line), w, 2, &e), 0);
	assert_int_equal(w[0].type, JSONSCAN_NUMBER);
	assert_int_equal(w[0].len, 1);
	assert_memory_equal(w[0].val, "1", 1);
	assert_int_equal(w[1].type, JSONSCAN_NUMBER);
	assert_int_equal(w[1].len, 2);
	assert_memory_equal(w[1].val, "22", 2);
}

/* The empty name is a name like any other. */
static void test_empty_name(void **state)
{
	const char line[] = "{\"a\":1,\"\":\"e\",\"b\":2}";
	struct jsonscan_member w[2] = { { .key = "b" }, { .key = "" } };
	struct cd_error e;

	(void)state;
	assert_int_equal(jsonscan_object(line, strlen(line), w, 2, &e), 0);
	assert_int_equal(w[1].type, JSONSCAN_STRING);
	assert_int_equal(w[1].len, 1);
	assert_memory_equal(w[1].val, "e", 1);
	assert_int_equal(w[0].type, JSONSCAN_NUMBER);
	assert_memory_equal(w[0].val, "2", 1);
}

/* More wanted names than the hash holds: the plain loop finds them. */
static void test_many_names(void **state)
{
	const char line[] = "{\"n3\":3,\"n69\":69,\"m\":0}";
	struct jsonscan_member w[70];
	char names[70][8];
	struct cd_error e;
	size_t i;

	(void)state;
	for (i = 0; i < 70; i++) {
		snprintf(names[i], sizeof(names[i]), "n%zu", i);
		w[i].key = names[i];
	}
	assert_int_equal(jsonscan_object(line, strlen(line), w, 70, &e), 0);
	for (i = 0; i < 70; i++)
		assert_int_equal(w[i].type, i == 3 || i == 69 ? JSONSCAN_NUMBER :
				 JSONSCAN_ABSENT);
	assert_int_equal(w[69].len, 2);
	assert_memory_equal(w[69].val, "69", 2);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_name_wanted_twice),
		cmocka_unit_test(test_empty_name),
		cmocka_unit_test(test_many_names),
	};

	if (argc != 3) {
		fprintf(stderr, "usage: test_jsonscan CASES EXPECTED\n");
		return 2;
	}
	cases_path = argv[1];
	expected_path = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

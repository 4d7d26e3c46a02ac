/*
 * test_lineio.c - the capped line reader of core/lineio.h over a pipe or
 * a file: LF, CRLF and a last line without a newline, lr_cr() so that a
 * caller can write a line back byte for byte, the cap exactly at and one
 * byte over its limit (in one read and across reads), a skipped line's
 * number and offset, and the line after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "lineio.h"

/* A reader over a temporary file holding data[0..n). */
static struct line_reader *reader(const char *data, size_t n, size_t max,
				  int *fd)
{
	char path[] = "/tmp/test_lineio.XXXXXX";
	struct cd_error err;
	struct line_reader *r;

	*fd = mkstemp(path);
	assert_true(*fd >= 0);
	unlink(path);
	assert_int_equal(write(*fd, data, n), (ssize_t)n);
	assert_int_equal(lseek(*fd, 0, SEEK_SET), 0);
	r = lr_new(*fd, "t.txt", max, &err);
	assert_non_null(r);
	return r;
}

static void done(struct line_reader *r, int fd)
{
	lr_free(r);
	close(fd);
}

/* The next line must be want (NUL-terminated), with this CR and LF. */
static void expect(struct line_reader *r, const char *want, int cr, int nl)
{
	struct cd_error err;
	const char *line;
	size_t len;

	cd_error_clear(&err);
	assert_int_equal(lr_next(r, &line, &len, &err), 1);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(line, want, len);
	assert_int_equal(line[len], '\0');
	assert_int_equal(lr_cr(r), cr);
	assert_int_equal(lr_newline(r), nl);
}

static void expect_end(struct line_reader *r)
{
	struct cd_error err;
	const char *line;
	size_t len;

	assert_int_equal(lr_next(r, &line, &len, &err), 0);
}

static void test_line_ends(void **state)
{
	static const char in[] = "a\nbc\r\n\r\nd\re\nlast\r";
	int fd;
	struct line_reader *r = reader(in, sizeof in - 1, 100, &fd);

	(void)state;
	expect(r, "a", 0, 1);
	assert_int_equal(lr_lineno(r), 1);
	assert_int_equal(lr_offset(r), 0);
	expect(r, "bc", 1, 1);          /* CRLF: the CR is not in the line */
	assert_int_equal(lr_offset(r), 2);
	expect(r, "", 1, 1);
	expect(r, "d\re", 0, 1);        /* only a CR before the LF goes */
	expect(r, "last", 1, 0);        /* no LF at the end of the input */
	assert_int_equal(lr_lineno(r), 5);
	assert_int_equal(lr_offset(r), 12);
	expect_end(r);
	done(r, fd);
}

static void test_no_final_newline(void **state)
{
	int fd;
	struct line_reader *r = reader("x\r\ny", 4, 100, &fd);

	(void)state;
	expect(r, "x", 1, 1);
	expect(r, "y", 0, 0);
	expect_end(r);
	done(r, fd);
}

/*
 * A line of exactly max bytes is read; one of max + 1 is skipped with
 * its number, and the reader goes on with the next line.  A CRLF line
 * whose text is max bytes has max + 1 before its LF: the CR counts.
 */
static void limit_case(size_t max)
{
	size_t n = 3 * max + 32, o = 0;
	char *in = malloc(n), *want = malloc(max + 1);
	struct cd_error err;
	const char *line;
	size_t len;
	int fd;
	struct line_reader *r;

	assert_non_null(in);
	assert_non_null(want);
	memset(in + o, 'a', max);
	o += max;
	in[o++] = '\n';
	memset(in + o, 'b', max + 1);
	o += max + 1;
	in[o++] = '\n';
	memcpy(in + o, "ok\n", 3);
	o += 3;
	memset(in + o, 'c', max);
	o += max;
	memcpy(in + o, "\r\nend", 5);
	o += 5;
	r = reader(in, o, max, &fd);
	memset(want, 'a', max);
	want[max] = '\0';
	expect(r, want, 0, 1);
	cd_error_clear(&err);
	assert_int_equal(lr_next(r, &line, &len, &err), CD_ERR_LIMIT);
	assert_int_equal(err.line, 2);
	assert_int_equal(lr_offset(r), (long long)max + 1);
	assert_non_null(strstr(err.msg, "line longer than"));
	expect(r, "ok", 0, 1);
	assert_int_equal(lr_lineno(r), 3);
	assert_int_equal(lr_next(r, &line, &len, &err), CD_ERR_LIMIT);
	assert_int_equal(err.line, 4);
	expect(r, "end", 0, 0);
	expect_end(r);
	done(r, fd);
	free(in);
	free(want);
}

static void test_limit_small(void **state)
{
	(void)state;
	limit_case(10);
}

/* a cap larger than one read (64 KiB), so the line spans several */
static void test_limit_large(void **state)
{
	(void)state;
	limit_case(200000);
}

/* an over-long last line without a newline is reported, not dropped */
static void test_long_last_line(void **state)
{
	struct cd_error err;
	const char *line;
	size_t len;
	int fd;
	struct line_reader *r = reader("ok\n0123456789ab", 15, 10, &fd);

	(void)state;
	expect(r, "ok", 0, 1);
	assert_int_equal(lr_next(r, &line, &len, &err), CD_ERR_LIMIT);
	assert_int_equal(err.line, 2);
	assert_int_equal(lr_newline(r), 0);
	expect_end(r);
	done(r, fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_limit_small),
		cmocka_unit_test(test_limit_large),
		cmocka_unit_test(test_long_last_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

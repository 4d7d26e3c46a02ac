/*
 * test_csvio.c - cmocka tests for core/csvio: the reader's dialect (quoting,
 * line ends, BOM, blank and multi-line records), its errors with their exact
 * messages and lines, recovery after a bad record, the limits (including an
 * oversized field skipped in bounded memory), the header helpers and the
 * writer's quoting, which must read back unchanged.
 *
 * Usage: test_csvio [DIR], DIR holding the fixtures (default tests/data/csv).
 * Inline cases use fmemopen(); large inputs are generated in a tmpfile() or
 * on the fly, never stored in the tree.
 */
#define _GNU_SOURCE		/* fopencookie, for the 100 MB stream */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "buf.h"
#include "csvio.h"
#include "error.h"

/* An input and the reader on it. */
struct src {
	FILE *fp;
	struct csv_reader *r;
};

static void src_close(struct src *s)
{
	csvr_free(s->r);
	if (s->fp)
		fclose(s->fp);
	s->r = NULL;
	s->fp = NULL;
}

/* A reader on fp, which the src then owns. */
static void src_on(struct src *s, FILE *fp, const char *name,
		   const struct csvr_limits *lim)
{
	struct cd_error err;

	assert_non_null(fp);
	s->fp = fp;
	s->r = csvr_new(fp, name, lim, &err);
	assert_non_null(s->r);
}

/* A reader on the fixture `file` in dir, named `file` in messages. */
static void src_fixture(struct src *s, const char *dir, const char *file)
{
	char path[4096];

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) <
		    sizeof(path));
	src_on(s, fopen(path, "rb"), file, NULL);
}

/* A reader on len bytes of text (len > 0), named "mem". */
static void src_mem(struct src *s, const char *text, size_t len,
		    const struct csvr_limits *lim)
{
	src_on(s, fmemopen((void *)(uintptr_t)text, len, "r"), "mem", lim);
}

#define SRC_STR(s, text, lim) src_mem(s, text, sizeof(text) - 1, lim)

/*
 * Read a record and check it: its line, then its fields, as
 * NUL-terminated strings up to a NULL.
 */
static void expect_row_at(const char *file, int at, struct csv_reader *r,
			  long line, ...)
{
	struct csv_row *row = NULL;
	struct cd_error err;
	const char *want, *got;
	size_t i = 0, len;
	va_list ap;
	int rc;

	cd_error_clear(&err);
	rc = csvr_next(r, &row, &err);
	if (rc != 1)
		print_error("csvr_next: %d %s\n", rc, err.msg);
	_assert_int_equal((uintmax_t)rc, 1, file, at);
	_assert_true(row != NULL, "row", file, at);
	_assert_int_equal((uintmax_t)csvr_row_line(row), (uintmax_t)line,
			  file, at);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL) {
		got = csvr_field(row, i, &len);
		_assert_true(got != NULL, "field", file, at);
		_assert_int_equal(len, strlen(want), file, at);
		_assert_string_equal(got, want, file, at);
		i++;
	}
	va_end(ap);
	_assert_int_equal(csvr_nfields(row), i, file, at);
}

#define EXPECT_ROW(r, line, ...) \
	expect_row_at(__FILE__, __LINE__, r, line, __VA_ARGS__, \
		      (const char *)NULL)

/* Read a record that must fail with status and exactly msg. */
static void expect_error_at(const char *file, int at, struct csv_reader *r,
			    int status, long line, const char *msg)
{
	struct csv_row *row = (struct csv_row *)&row;
	struct cd_error err;
	int rc;

	cd_error_clear(&err);
	rc = csvr_next(r, &row, &err);
	_assert_int_equal((uintmax_t)rc, (uintmax_t)status, file, at);
	_assert_true(row == NULL, "row == NULL", file, at);
	_assert_string_equal(err.msg, msg, file, at);
	_assert_int_equal((uintmax_t)err.line, (uintmax_t)line, file, at);
}

#define EXPECT_ERROR(r, status, line, msg) \
	expect_error_at(__FILE__, __LINE__, r, status, line, msg)

/* The input is over, and stays over. */
static void expect_end_at(const char *file, int at, struct csv_reader *r)
{
	struct csv_row *row;
	struct cd_error err;

	_assert_int_equal((uintmax_t)csvr_next(r, &row, &err), 0, file, at);
	_assert_true(row == NULL, "row == NULL", file, at);
	_assert_int_equal((uintmax_t)csvr_next(r, &row, &err), 0, file, at);
}

#define EXPECT_END(r) expect_end_at(__FILE__, __LINE__, r)

static void read_header(struct csv_reader *r)
{
	struct cd_error err;
	int rc = csvr_header(r, &err);

	if (rc)
		print_error("csvr_header: %s\n", err.msg);
	assert_int_equal(rc, 0);
}

/* ---- the dialect, from fixtures ---- */

static void test_basic(void **state)
{
	struct src s;

	src_fixture(&s, *state, "basic.csv");
	read_header(s.r);
	assert_int_equal(csvr_ncolumns(s.r), 3);
	assert_string_equal(csvr_column_name(s.r, 0), "id");
	assert_string_equal(csvr_column_name(s.r, 2), "label");
	assert_null(csvr_column_name(s.r, 3));
	EXPECT_ROW(s.r, 2, "1", "hello, world", "spam");
	EXPECT_ROW(s.r, 3, "2", "she said \"hi\"", "other");
	EXPECT_ROW(s.r, 4, "3", "", "toxic");
	EXPECT_ROW(s.r, 5, "4", "", "");
	EXPECT_ROW(s.r, 6, "5", "  spaced  ", "other");
	EXPECT_ROW(s.r, 7, "6", "\"", "\"\"");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_no_trailing_newline(void **state)
{
	struct src s;

	src_fixture(&s, *state, "no_newline.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "last field");
	EXPECT_ROW(s.r, 3, "2", "");
	EXPECT_END(s.r);
	src_close(&s);

	src_fixture(&s, *state, "no_newline_quoted.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "quoted last");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_crlf(void **state)
{
	struct src s;

	src_fixture(&s, *state, "crlf.csv");
	read_header(s.r);
	assert_string_equal(csvr_column_name(s.r, 1), "text");
	EXPECT_ROW(s.r, 2, "1", "plain");
	EXPECT_ROW(s.r, 3, "2", "two\r\nlines");
	EXPECT_ROW(s.r, 5, "3", "after");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 6, "crlf.csv:6: malformed quoting");
	EXPECT_ROW(s.r, 7, "5", "end");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_bom(void **state)
{
	struct src s;

	src_fixture(&s, *state, "bom.csv");
	read_header(s.r);
	assert_string_equal(csvr_column_name(s.r, 0), "id");
	assert_int_equal(csvr_column(s.r, "id"), 0);
	EXPECT_ROW(s.r, 2, "1", "x");
	EXPECT_END(s.r);
	src_close(&s);

	/* A BOM right before a quote must not make the quote "stray". */
	src_fixture(&s, *state, "bom_quoted.csv");
	read_header(s.r);
	assert_string_equal(csvr_column_name(s.r, 0), "id");
	EXPECT_ROW(s.r, 2, "1", "x");
	EXPECT_END(s.r);
	src_close(&s);

	/* Only a BOM at the very start is dropped. */
	SRC_STR(&s, "a\n\xef\xbb\xbf" "b\n", NULL);
	EXPECT_ROW(s.r, 1, "a");
	EXPECT_ROW(s.r, 2, "\xef\xbb\xbf" "b");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_empty_inputs(void **state)
{
	static const char *const files[] = {
		"empty.csv", "blank_only.csv", "bom_only.csv"
	};
	struct cd_error err;
	char msg[256];
	struct src s;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		src_fixture(&s, *state, files[i]);
		assert_int_equal(csvr_header(s.r, &err), CD_ERR_DATA);
		snprintf(msg, sizeof(msg),
			 "%s: empty input, expected a header row", files[i]);
		assert_string_equal(err.msg, msg);
		assert_int_equal(err.line, 0);
		assert_int_equal(csvr_ncolumns(s.r), 0);
		EXPECT_END(s.r);
		src_close(&s);

		src_fixture(&s, *state, files[i]);
		EXPECT_END(s.r);
		src_close(&s);
	}
}

static void test_multiline(void **state)
{
	struct src s;

	src_fixture(&s, *state, "multiline.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "first\nsecond\nthird");
	EXPECT_ROW(s.r, 5, "2", "a\n\"quoted\"\nb");
	EXPECT_ROW(s.r, 8, "3", "single");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 9,
		     "multiline.csv:9: malformed quoting");
	EXPECT_ROW(s.r, 10, "5", "last");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_blank_lines(void **state)
{
	struct src s;

	src_fixture(&s, *state, "blank_lines.csv");
	read_header(s.r);
	assert_int_equal(csvr_column(s.r, "text"), 1);
	EXPECT_ROW(s.r, 4, "1", "a");
	EXPECT_ROW(s.r, 7, "2", "b");
	EXPECT_ROW(s.r, 9, "3", "c");
	EXPECT_END(s.r);
	src_close(&s);
}

/* Each bad record is reported where it starts and skipped, nothing more. */
static void test_malformed_recovery(void **state)
{
	struct src s;

	src_fixture(&s, *state, "malformed.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "ok");
	/* 2,bad"quote: a quote inside an unquoted field */
	EXPECT_ERROR(s.r, CD_ERR_DATA, 3, "malformed.csv:3: malformed quoting");
	EXPECT_ROW(s.r, 4, "3", "ok again");
	/* 4,"closed"junk: text after the closing quote */
	EXPECT_ERROR(s.r, CD_ERR_DATA, 5, "malformed.csv:5: malformed quoting");
	EXPECT_ROW(s.r, 6, "5", "multi\nline ok");
	/* 6,"x" ,y: a space after the closing quote */
	EXPECT_ERROR(s.r, CD_ERR_DATA, 8, "malformed.csv:8: malformed quoting");
	/*
	 * 7,a"b,"c<LF>d": the stray quote is data, the next field's quote
	 * opens a real quoted field, so the bad record runs to line 10.
	 */
	EXPECT_ERROR(s.r, CD_ERR_DATA, 9, "malformed.csv:9: malformed quoting");
	EXPECT_ROW(s.r, 11, "8", "final");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_unterminated(void **state)
{
	struct src s;

	src_fixture(&s, *state, "unterminated.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "ok");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 3,
		     "unterminated.csv:3: unterminated quoted field "
		     "starting at line 3");
	EXPECT_END(s.r);
	src_close(&s);

	/* The record starts on line 2, the open quote is on line 3. */
	src_fixture(&s, *state, "unterminated_late.csv");
	read_header(s.r);
	EXPECT_ERROR(s.r, CD_ERR_DATA, 2,
		     "unterminated_late.csv:2: unterminated quoted field "
		     "starting at line 3");
	EXPECT_END(s.r);
	src_close(&s);

	/* A lone quote, with and without a line end. */
	SRC_STR(&s, "a\n\"", NULL);
	EXPECT_ROW(s.r, 1, "a");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 2, "mem:2: unterminated quoted field "
		     "starting at line 2");
	EXPECT_END(s.r);
	src_close(&s);
	SRC_STR(&s, "\"\n\n", NULL);
	EXPECT_ERROR(s.r, CD_ERR_DATA, 1, "mem:1: unterminated quoted field "
		     "starting at line 1");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_ragged(void **state)
{
	struct src s;

	src_fixture(&s, *state, "ragged.csv");
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "a", "x");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 3,
		     "ragged.csv:3: 2 fields, the header has 3");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 4,
		     "ragged.csv:4: 4 fields, the header has 3");
	EXPECT_ERROR(s.r, CD_ERR_DATA, 5,
		     "ragged.csv:5: 1 field, the header has 3");
	EXPECT_ROW(s.r, 6, "5", "d", "z");
	EXPECT_END(s.r);
	src_close(&s);

	/* Without a header, any field count is a row. */
	src_fixture(&s, *state, "ragged.csv");
	EXPECT_ROW(s.r, 1, "id", "text", "label");
	EXPECT_ROW(s.r, 2, "1", "a", "x");
	EXPECT_ROW(s.r, 3, "2", "b");
	EXPECT_ROW(s.r, 4, "3", "c", "y", "extra");
	EXPECT_ROW(s.r, 5, "4");
	src_close(&s);
}

static void test_header_aliases(void **state)
{
	static const char *const text[] = {
		"message", "body", "comment text", NULL
	};
	static const char *const label[] = { "category", " LABEL ", NULL };
	static const char *const both[] = { "label", "id", NULL };
	static const char *const none[] = { "nope", "", NULL };
	static const char *const empty[] = { NULL };
	struct src s;

	src_fixture(&s, *state, "aliases.csv");
	read_header(s.r);
	assert_int_equal(csvr_ncolumns(s.r), 3);
	assert_string_equal(csvr_column_name(s.r, 0), " Comment Text ");
	assert_int_equal(csvr_column(s.r, "comment text"), 0);
	assert_int_equal(csvr_column(s.r, "COMMENT TEXT"), 0);
	assert_int_equal(csvr_column(s.r, "  id "), 1);
	assert_int_equal(csvr_column(s.r, "Label"), 2);
	assert_int_equal(csvr_column(s.r, "comment"), -1);
	assert_int_equal(csvr_column(s.r, "text"), -1);
	assert_int_equal(csvr_column(s.r, NULL), -1);
	assert_int_equal(csvr_column_any(s.r, text), 0);
	assert_int_equal(csvr_column_any(s.r, label), 2);
	/* Aliases are tried in order, not columns. */
	assert_int_equal(csvr_column_any(s.r, both), 2);
	assert_int_equal(csvr_column_any(s.r, none), -1);
	assert_int_equal(csvr_column_any(s.r, empty), -1);
	assert_int_equal(csvr_column_any(s.r, NULL), -1);
	EXPECT_ROW(s.r, 2, "nice post", "7", "other");
	EXPECT_END(s.r);
	src_close(&s);
}

/* ---- the dialect, inline ---- */

static void test_inline_fields(void **state)
{
	static const char nul[] = "a\0b,\"c\0\"\"d\"\n";
	struct csv_row *row;
	struct cd_error err;
	const char *f;
	struct src s;
	size_t len;

	(void)state;
	SRC_STR(&s, ",,\n\"\"\n\"\",\"\"\n   \n\t\n", NULL);
	EXPECT_ROW(s.r, 1, "", "", "");
	EXPECT_ROW(s.r, 2, "");
	EXPECT_ROW(s.r, 3, "", "");
	EXPECT_ROW(s.r, 4, "   ");	/* spaces are data */
	EXPECT_ROW(s.r, 5, "\t");
	EXPECT_END(s.r);
	src_close(&s);

	/* Quotes only open a field at its start; commas inside quotes. */
	SRC_STR(&s, "\"a,b\",\"c\"\"\",\"\"\"d\"\n\",\",x\n", NULL);
	EXPECT_ROW(s.r, 1, "a,b", "c\"", "\"d");
	EXPECT_ROW(s.r, 2, ",", "x");
	EXPECT_END(s.r);
	src_close(&s);

	/* Bare CR ends a record too (old Mac files); lines count LF only. */
	SRC_STR(&s, "a,b\rc,d\r\re\r\n\r\nf", NULL);
	EXPECT_ROW(s.r, 1, "a", "b");
	EXPECT_ROW(s.r, 1, "c", "d");
	EXPECT_ROW(s.r, 1, "e");
	EXPECT_ROW(s.r, 3, "f");
	EXPECT_END(s.r);
	src_close(&s);

	/* Line breaks inside quotes are kept as they are. */
	SRC_STR(&s, "\"x\r\ny\rz\n\"\r\nnext\r\n", NULL);
	EXPECT_ROW(s.r, 1, "x\r\ny\rz\n");
	EXPECT_ROW(s.r, 4, "next");
	EXPECT_END(s.r);
	src_close(&s);

	/* Bytes pass through: bad UTF-8, NUL with exact lengths. */
	SRC_STR(&s, "\xff\xfe,\xc3\n", NULL);
	EXPECT_ROW(s.r, 1, "\xff\xfe", "\xc3");
	src_close(&s);
	src_mem(&s, nul, sizeof(nul) - 1, NULL);
	assert_int_equal(csvr_next(s.r, &row, &err), 1);
	assert_int_equal(csvr_nfields(row), 2);
	f = csvr_field(row, 0, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(f, "a\0b", 4);
	f = csvr_field(row, 1, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(f, "c\0\"d", 5);
	assert_null(csvr_field(row, 2, &len));
	assert_int_equal(len, 0);
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_names_in_messages(void **state)
{
	struct cd_error err;
	struct src s;

	(void)state;
	src_on(&s, fmemopen((void *)(uintptr_t)"a\"\n", 3, "r"), "-", NULL);
	EXPECT_ERROR(s.r, CD_ERR_DATA, 1, "<stdin>:1: malformed quoting");
	src_close(&s);
	src_on(&s, fmemopen((void *)(uintptr_t)"a\"\n", 3, "r"), NULL, NULL);
	EXPECT_ERROR(s.r, CD_ERR_DATA, 1, "<input>:1: malformed quoting");
	src_close(&s);

	cd_error_clear(&err);
	assert_null(csvr_new(NULL, "x", NULL, &err));
	assert_string_equal(err.msg, "csvr_new: no input stream");
	csvr_free(NULL);
}

/* ---- limits ---- */

static void test_limits(void **state)
{
	struct csvr_limits lim = { 8, 0, 0 };
	struct src s;

	(void)state;
	/* Exactly at the cap is fine, quoted or not, "" counting as one. */
	SRC_STR(&s, "12345678,\"1234\"\"567\"\n"
		"a,123456789\n"
		"b,\"12345\n789\"\n"
		"c,\"1234\"\"5678\"\n"
		"ok\n", &lim);
	EXPECT_ROW(s.r, 1, "12345678", "1234\"567");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 2,
		     "mem:2: field longer than 8 bytes");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 3,
		     "mem:3: field longer than 8 bytes");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 5,
		     "mem:5: field longer than 8 bytes");
	EXPECT_ROW(s.r, 6, "ok");
	EXPECT_END(s.r);
	src_close(&s);

	lim = (struct csvr_limits){ 0, 10, 0 };
	SRC_STR(&s, "12345,12345\n12345,123456\n\"1234,\",\"\"\n"
		"123456,\"12\n345\"\nend\n", &lim);
	EXPECT_ROW(s.r, 1, "12345", "12345");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 2,
		     "mem:2: record longer than 10 bytes");
	EXPECT_ROW(s.r, 3, "1234,", "");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 4,
		     "mem:4: record longer than 10 bytes");
	EXPECT_ROW(s.r, 6, "end");
	EXPECT_END(s.r);
	src_close(&s);

	lim = (struct csvr_limits){ 0, 0, 3 };
	SRC_STR(&s, "a,b,c\na,b,c,d\n,,,\n\"x\",\"y\"\n", &lim);
	EXPECT_ROW(s.r, 1, "a", "b", "c");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 2, "mem:2: more than 3 fields");
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 3, "mem:3: more than 3 fields");
	EXPECT_ROW(s.r, 4, "x", "y");
	EXPECT_END(s.r);
	src_close(&s);
}

static void test_header_over_limit(void **state)
{
	struct csvr_limits lim = { 0, 0, 2 };
	struct cd_error err;
	struct src s;

	(void)state;
	SRC_STR(&s, "a,b,c\n1,2,3\n", &lim);
	assert_int_equal(csvr_header(s.r, &err), CD_ERR_LIMIT);
	assert_string_equal(err.msg, "mem:1: more than 2 fields");
	assert_int_equal(csvr_ncolumns(s.r), 0);
	assert_int_equal(csvr_column(s.r, "a"), -1);
	/* There is no header, so the next record is just a record. */
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 2, "mem:2: more than 2 fields");
	EXPECT_END(s.r);
	src_close(&s);

	SRC_STR(&s, "\"a\nb\"x,c\nd\n", NULL);
	assert_int_equal(csvr_header(s.r, &err), CD_ERR_DATA);
	assert_string_equal(err.msg, "mem:1: malformed quoting");
	assert_int_equal(err.line, 1);
	EXPECT_ROW(s.r, 3, "d");
	src_close(&s);
}

/*
 * A quoted field exactly at the cap whose closing quote is the last byte
 * of an input block (64 KiB): libcsv then still holds the quote, which
 * must not count.  One byte less of cap and it is over.
 */
static void test_limit_at_block_edge(void **state)
{
	size_t n = 64 * 1024, i;
	struct csvr_limits lim = { 0, 0, 0 };
	char msg[128];
	struct src s;
	char *text;
	int k;

	(void)state;
	text = malloc(n + 8);
	assert_non_null(text);
	text[0] = '"';
	for (i = 1; i < n - 1; i++)
		text[i] = 'x';
	text[n - 1] = '"';
	memcpy(text + n, "\nnext\n", 6);
	for (k = 0; k < 2; k++) {
		lim.max_field = n - 2 - (size_t)k;
		src_mem(&s, text, n + 6, &lim);
		if (k == 0) {
			struct csv_row *row;
			struct cd_error err;
			size_t len;

			assert_int_equal(csvr_next(s.r, &row, &err), 1);
			assert_non_null(csvr_field(row, 0, &len));
			assert_int_equal(len, n - 2);
		} else {
			snprintf(msg, sizeof(msg),
				 "mem:1: field longer than %zu bytes",
				 lim.max_field);
			EXPECT_ERROR(s.r, CD_ERR_LIMIT, 1, msg);
		}
		EXPECT_ROW(s.r, 2, "next");
		EXPECT_END(s.r);
		src_close(&s);
	}
	free(text);
}

/* Write n bytes of a field body: x's, with a line break every 1000 bytes
 * and a doubled quote every 5000 when quoted.  Returns the LFs written. */
static long put_body(FILE *fp, size_t n, int quoted)
{
	char chunk[5000];
	size_t i, done = 0;
	long lf = 0;

	memset(chunk, 'x', sizeof(chunk));
	if (quoted) {
		chunk[999] = '\n';
		chunk[2999] = '\n';
		chunk[4998] = '"';
		chunk[4999] = '"';
	}
	for (i = 0; i < sizeof(chunk); i++)
		lf += chunk[i] == '\n';
	while (done + sizeof(chunk) <= n) {
		assert_int_equal(fwrite(chunk, 1, sizeof(chunk), fp),
				 sizeof(chunk));
		done += sizeof(chunk);
	}
	assert_int_equal(done, n);
	return lf * (long)(n / sizeof(chunk));
}

/*
 * A 20 MB field, quoted over many lines and then unquoted, against the
 * default 1 MiB cap: reported on its first line, skipped, and the next
 * row comes out right, on the right line.
 */
static void test_oversized_field(void **state)
{
	size_t n = 20 * 1000 * 1000;
	struct src s;
	char msg[128];
	long lf;
	FILE *fp;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	fputs("id,text\n1,before\n2,\"", fp);
	lf = put_body(fp, n, 1);
	fputs("\"\n3,after\n4,", fp);
	put_body(fp, n, 0);
	fputs("\n5,last", fp);
	assert_int_equal(fflush(fp), 0);
	rewind(fp);
	src_on(&s, fp, "big.csv", NULL);
	read_header(s.r);
	EXPECT_ROW(s.r, 2, "1", "before");
	snprintf(msg, sizeof(msg), "big.csv:3: field longer than %zu bytes",
		 CSVR_MAX_FIELD);
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 3, msg);
	EXPECT_ROW(s.r, 4 + lf, "3", "after");
	snprintf(msg, sizeof(msg), "big.csv:%ld: field longer than %zu bytes",
		 5 + lf, CSVR_MAX_FIELD);
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 5 + lf, msg);
	EXPECT_ROW(s.r, 6 + lf, "5", "last");
	EXPECT_END(s.r);
	src_close(&s);
}

/* A stream of `left` bytes: `1,"` then x's, then `"` LF `2,ok` LF. */
struct gen {
	size_t left;
	size_t pos;
};

static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	static const char head[] = "1,\"", tail[] = "\"\n2,ok\n";
	struct gen *g = cookie;
	size_t i;

	for (i = 0; i < size && g->pos < g->left; i++, g->pos++) {
		if (g->pos < sizeof(head) - 1)
			buf[i] = head[g->pos];
		else if (g->left - g->pos <= sizeof(tail) - 1)
			buf[i] = tail[sizeof(tail) - 1 - (g->left - g->pos)];
		else
			buf[i] = 'x';
	}
	return (ssize_t)i;
}

static long max_rss_kib(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss;
}

/*
 * A 100 MB field generated on the fly (no file, no copy in the test):
 * the reader must skip it without its peak memory growing anywhere near
 * the field's size.
 */
static void test_huge_field_bounded_memory(void **state)
{
	cookie_io_functions_t io = { gen_read, NULL, NULL, NULL };
	struct gen g = { 100u * 1000 * 1000, 0 };
	char msg[128];
	struct src s;
	long before;

	(void)state;
	before = max_rss_kib();
	src_on(&s, fopencookie(&g, "r", io), "gen", NULL);
	snprintf(msg, sizeof(msg), "gen:1: field longer than %zu bytes",
		 CSVR_MAX_FIELD);
	EXPECT_ERROR(s.r, CD_ERR_LIMIT, 1, msg);
	EXPECT_ROW(s.r, 2, "2", "ok");
	EXPECT_END(s.r);
	src_close(&s);
	assert_int_equal(g.pos, g.left);
	assert_true(max_rss_kib() - before < 40 * 1024);
}

/*
 * Many records of varied sizes, multi-line every seventh, so records and
 * quotes and CRLFs fall across input block edges at many offsets.
 */
static void test_many_rows(void **state)
{
	const long rows = 30000;
	char want[256], line1[64];
	struct csv_row *row;
	struct cd_error err;
	long i, line = 2;
	const char *f;
	struct src s;
	FILE *fp;
	size_t len;

	(void)state;
	fp = tmpfile();
	assert_non_null(fp);
	fputs("id,text\r\n", fp);
	for (i = 0; i < rows; i++) {
		if (i % 7 == 3)
			fprintf(fp, "%ld,\"row %ld\r\nsays \"\"%.*s\"\"\"\r\n",
				i, i, (int)(i % 50),
				"abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		else
			fprintf(fp, "%ld,plain %ld %.*s\n", i, i, (int)(i % 90),
				"0123456789012345678901234567890123456789"
				"0123456789012345678901234567890123456789"
				"0123456789");
		if (i % 1000 == 999)
			fputs("\n", fp);
	}
	rewind(fp);
	src_on(&s, fp, "many", NULL);
	read_header(s.r);
	for (i = 0; i < rows; i++) {
		assert_int_equal(csvr_next(s.r, &row, &err), 1);
		assert_int_equal(csvr_row_line(row), line);
		snprintf(line1, sizeof(line1), "%ld", i);
		assert_string_equal(csvr_field(row, 0, NULL), line1);
		if (i % 7 == 3) {
			snprintf(want, sizeof(want), "row %ld\r\nsays \"%.*s\"",
				 i, (int)(i % 50), "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
			line += 2;
		} else {
			snprintf(want, sizeof(want), "plain %ld %.*s", i,
				 (int)(i % 90),
				 "0123456789012345678901234567890123456789"
				 "0123456789012345678901234567890123456789"
				 "0123456789");
			line += 1;
		}
		f = csvr_field(row, 1, &len);
		assert_int_equal(len, strlen(want));
		assert_string_equal(f, want);
		if (i % 1000 == 999)
			line++;
	}
	EXPECT_END(s.r);
	src_close(&s);
}

/* ---- header helpers ---- */

static void test_header_usage(void **state)
{
	struct cd_error err;
	struct src s;

	(void)state;
	SRC_STR(&s, "a,b\n1,2\n", NULL);
	assert_int_equal(csvr_ncolumns(s.r), 0);
	assert_null(csvr_column_name(s.r, 0));
	assert_int_equal(csvr_column(s.r, "a"), -1);
	EXPECT_ROW(s.r, 1, "a", "b");
	assert_int_equal(csvr_header(s.r, &err), CD_ERR_USAGE);
	assert_string_equal(err.msg,
			    "mem: the header must be read before any row");
	src_close(&s);

	SRC_STR(&s, "a,b\n1,2\n", NULL);
	read_header(s.r);
	assert_int_equal(csvr_header(s.r, &err), CD_ERR_USAGE);
	/* The header survives the rows read after it. */
	EXPECT_ROW(s.r, 2, "1", "2");
	assert_string_equal(csvr_column_name(s.r, 1), "b");
	EXPECT_END(s.r);
	assert_string_equal(csvr_column_name(s.r, 0), "a");
	src_close(&s);
}

/* ---- read errors ---- */

static void test_read_error(void **state)
{
	struct csv_row *row;
	struct cd_error err;
	struct src s;

	(void)state;
	/* A stream open for writing only: every read fails. */
	src_on(&s, fopen("/dev/null", "w"), "out", NULL);
	assert_int_equal(csvr_next(s.r, &row, &err), CD_ERR_IO);
	assert_null(row);
	assert_true(!strncmp(err.msg, "out: read error: ", 17));
	EXPECT_END(s.r);
	src_close(&s);
}

/* ---- the writer ---- */

static void put(struct cd_buf *out, const char *s, int first)
{
	assert_int_equal(csvw_field(out, s, strlen(s), first), 0);
}

static void test_writer_exact(void **state)
{
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, 1024);
	put(&out, "plain", 1);
	put(&out, "a,b", 0);
	put(&out, "say \"hi\"", 0);
	put(&out, "", 0);
	put(&out, " lead", 0);
	put(&out, "trail\t", 0);
	put(&out, "two\nlines", 0);
	put(&out, "cr\r", 0);
	put(&out, "in side", 0);
	put(&out, "'=x;|", 0);
	assert_int_equal(csvw_end(&out), 0);
	assert_string_equal(out.data,
			    "plain,\"a,b\",\"say \"\"hi\"\"\",,\" lead\","
			    "\"trail\t\",\"two\nlines\",\"cr\r\","
			    "in side,'=x;|\n");
	cd_buf_reset(&out);
	/* An empty first field is quoted, so no record is a blank line. */
	put(&out, "", 1);
	assert_int_equal(csvw_end(&out), 0);
	put(&out, "", 1);
	put(&out, "", 0);
	assert_int_equal(csvw_end(&out), 0);
	assert_string_equal(out.data, "\"\"\n\"\",\n");
	cd_buf_reset(&out);
	assert_int_equal(csvw_field(&out, NULL, 0, 0), 0);
	assert_int_equal(csvw_field(&out, NULL, 1, 0), CD_ERR_USAGE);
	assert_string_equal(out.data, ",");
	cd_buf_release(&out);
}

/* A field that does not fit leaves the buffer as it was. */
static void test_writer_cap(void **state)
{
	struct cd_buf out;

	(void)state;
	cd_buf_init(&out, 10);
	put(&out, "abc", 1);
	assert_int_equal(csvw_field(&out, "a\"b\"c", 5, 0), CD_ERR_LIMIT);
	assert_int_equal(out.len, 3);
	assert_string_equal(out.data, "abc");
	put(&out, "a\"b", 0);	/* ,"a""b" is 7 bytes: 10 in all */
	assert_int_equal(out.len, 10);
	assert_int_equal(csvw_end(&out), CD_ERR_LIMIT);
	assert_string_equal(out.data, "abc,\"a\"\"b\"");
	cd_buf_release(&out);
}

#define F(lit) { lit, sizeof(lit) - 1 }

/* Whatever the writer writes, the reader reads back byte for byte. */
static void test_writer_roundtrip(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} f[] = {
		F("plain"),
		F("with,comma"),
		F("\"quoted\" and \"\""),
		F("\""),
		F("line\nbreak"),
		F("crlf\r\nbreak"),
		F("cr\ronly"),
		F("\r\n"),
		F(" lead"),
		F("trail "),
		F("\ttab"),
		F(""),
		F("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
		  "\xf0\x9f\x98\x98"),
		F("nul\0byte"),
		F("a,\"b\"\n c "),
		F(","),
	};
	const size_t nf = sizeof(f) / sizeof(f[0]);
	struct csv_row *row;
	struct cd_error err;
	struct cd_buf out;
	const char *got;
	struct src s;
	size_t i, k, len;

	(void)state;
	cd_buf_init(&out, 1 << 16);
	/* One record of all fields, then each field alone, each first. */
	for (i = 0; i < nf; i++)
		assert_int_equal(csvw_field(&out, f[i].s, f[i].len, i == 0), 0);
	assert_int_equal(csvw_end(&out), 0);
	for (i = 0; i < nf; i++) {
		assert_int_equal(csvw_field(&out, f[i].s, f[i].len, 1), 0);
		assert_int_equal(csvw_end(&out), 0);
	}
	src_mem(&s, out.data, out.len, NULL);
	assert_int_equal(csvr_next(s.r, &row, &err), 1);
	assert_int_equal(csvr_nfields(row), nf);
	for (i = 0; i < nf; i++) {
		got = csvr_field(row, i, &len);
		assert_int_equal(len, f[i].len);
		assert_memory_equal(got, f[i].s, len);
		assert_int_equal(got[len], '\0');
	}
	for (i = 0; i < nf; i++) {
		k = (size_t)csvr_next(s.r, &row, &err);
		assert_int_equal(k, 1);
		assert_int_equal(csvr_nfields(row), 1);
		got = csvr_field(row, 0, &len);
		assert_int_equal(len, f[i].len);
		assert_memory_equal(got, f[i].s, len);
	}
	EXPECT_END(s.r);
	src_close(&s);
	cd_buf_release(&out);
}

int main(int argc, char **argv)
{
	char *dir = argc > 1 ? argv[1] : (char *)"tests/data/csv";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_basic, dir),
		cmocka_unit_test_prestate(test_no_trailing_newline, dir),
		cmocka_unit_test_prestate(test_crlf, dir),
		cmocka_unit_test_prestate(test_bom, dir),
		cmocka_unit_test_prestate(test_empty_inputs, dir),
		cmocka_unit_test_prestate(test_multiline, dir),
		cmocka_unit_test_prestate(test_blank_lines, dir),
		cmocka_unit_test_prestate(test_malformed_recovery, dir),
		cmocka_unit_test_prestate(test_unterminated, dir),
		cmocka_unit_test_prestate(test_ragged, dir),
		cmocka_unit_test_prestate(test_header_aliases, dir),
		cmocka_unit_test(test_inline_fields),
		cmocka_unit_test(test_names_in_messages),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header_over_limit),
		cmocka_unit_test(test_limit_at_block_edge),
		cmocka_unit_test(test_huge_field_bounded_memory),
		cmocka_unit_test(test_oversized_field),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_header_usage),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_writer_exact),
		cmocka_unit_test(test_writer_cap),
		cmocka_unit_test(test_writer_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * fuzz_csv.c - the CSV reader (csvr_*) over fmemopen() of the bytes.
 *
 * Each input is read three ways:
 *   1. with a header and small limits (64-byte fields, 256-byte records,
 *      8 fields), so that every limit is hit and skipped over;
 *   2. without a header and with the default limits;
 *   3. like 2, behind a record of about 64 KiB, so that records
 *      straddle the reader's 64 KiB input blocks (only for inputs whose
 *      first byte is odd, to keep the other runs fast).
 * Every record read is checked against the limits and the header's field
 * count, its fields are NUL-terminated at their length, line numbers never
 * go down, the reader ends within a bounded number of calls and stays at
 * its end, and the record written back with csvw_field()/csvw_end() reads
 * back as the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvio.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)
#define BLOCK ((size_t)64 * 1024)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_csv.c:%d: check failed: %s\n", line, what);
	abort();
}

static FILE *open_mem(const uint8_t *data, size_t size)
{
	/* fmemopen refuses a zero size on some C libraries */
	FILE *fp = size ? fmemopen((void *)(uintptr_t)data, size, "r")
			: fopen("/dev/null", "r");

	CHECK(fp != NULL);
	return fp;
}

/* Write row out as CSV and read it back: the same fields. */
static void round_trip(const struct csv_row *row)
{
	struct cd_buf out;
	struct cd_error err;
	struct csv_reader *r;
	struct csv_row *back;
	size_t i, n = csvr_nfields(row), len, blen;
	FILE *fp;

	cd_buf_init(&out, (size_t)1 << 24);
	/* a first line, so a field starting with a byte order mark stays */
	CHECK(csvw_field(&out, "h", 1, 1) == 0 && csvw_end(&out) == 0);
	for (i = 0; i < n; i++) {
		const char *f = csvr_field(row, i, &len);

		CHECK(csvw_field(&out, f, len, i == 0) == 0);
	}
	CHECK(csvw_end(&out) == 0);
	fp = open_mem((const uint8_t *)out.data, out.len);
	r = csvr_new(fp, "round-trip", NULL, &err);
	CHECK(r != NULL);
	CHECK(csvr_next(r, &back, &err) == 1);
	CHECK(csvr_next(r, &back, &err) == 1);
	CHECK(csvr_nfields(back) == n);
	for (i = 0; i < n; i++) {
		const char *a = csvr_field(row, i, &len);
		const char *b = csvr_field(back, i, &blen);

		CHECK(len == blen && !memcmp(a, b, len));
	}
	CHECK(csvr_next(r, &back, &err) == 0);
	csvr_free(r);
	fclose(fp);
	cd_buf_release(&out);
}

static void read_all(const uint8_t *data, size_t size,
		     const struct csvr_limits *lim, int header, int trip)
{
	static const char *const text_cols[] = { "text", "comment", "body",
						 NULL };
	struct csvr_limits eff = { CSVR_MAX_FIELD, CSVR_MAX_RECORD,
				   CSVR_MAX_FIELDS };
	struct cd_error err;
	struct csv_reader *r;
	struct csv_row *row;
	size_t calls = 0, lines = 1, i, ncol = 0, raw_len;
	long last_line = 0;
	FILE *fp = open_mem(data, size);
	int rc, rc2;

	for (i = 0; i < size; i++) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);

		if (!nl)
			break;
		lines++;
		i = (size_t)(nl - data);
	}
	if (lim)
		eff = *lim;
	r = csvr_new(fp, "fuzz", lim, &err);
	CHECK(r != NULL);
	if (header) {
		rc = csvr_header(r, &err);
		CHECK(rc == 0 || rc == CD_ERR_DATA || rc == CD_ERR_LIMIT);
		if (rc == 0) {
			ncol = csvr_ncolumns(r);
			CHECK(ncol >= 1 && ncol <= eff.max_fields);
			for (i = 0; i < ncol; i++)
				CHECK(csvr_column_name(r, i) != NULL);
			CHECK(csvr_column_name(r, ncol) == NULL);
			CHECK(csvr_column_any(r, text_cols) < (long)ncol);
		} else {
			CHECK(csvr_ncolumns(r) == 0);
		}
		/* a second header is a usage error once anything was read */
		rc2 = csvr_header(r, &err);
		CHECK(rc2 == CD_ERR_USAGE ||
		      (rc == CD_ERR_DATA && rc2 == CD_ERR_DATA));
	}
	for (;;) {
		CHECK(++calls <= size + 2);
		rc = csvr_next(r, &row, &err);
		if (rc == 0)
			break;
		if (csvr_raw(r, &raw_len))
			CHECK(raw_len <= eff.max_record);
		if (rc < 0) {
			CHECK(rc == CD_ERR_DATA || rc == CD_ERR_LIMIT);
			CHECK(row == NULL);
			CHECK(err.line >= 1 && (size_t)err.line <= lines);
			CHECK(err.line >= last_line);
			last_line = err.line;
			continue;
		}
		{
			size_t n = csvr_nfields(row), total = 0, len;

			CHECK(n >= 1 && n <= eff.max_fields);
			if (ncol)
				CHECK(n == ncol);
			CHECK(csvr_row_line(row) >= last_line &&
			      (size_t)csvr_row_line(row) <= lines);
			last_line = csvr_row_line(row);
			for (i = 0; i < n; i++) {
				const char *f = csvr_field(row, i, &len);

				CHECK(f != NULL && f[len] == '\0');
				CHECK(len <= eff.max_field);
				total += len;
			}
			CHECK(total <= eff.max_record);
			CHECK(csvr_field(row, n, &len) == NULL && len == 0);
			if (trip)
				round_trip(row);
		}
	}
	CHECK(csvr_next(r, &row, &err) == 0 && row == NULL);
	csvr_free(r);
	fclose(fp);
}

/*
 * csv_sniff_header: what it calls a header, the reader reads as one, with
 * two or more columns and a text column among them (or the header is over
 * the reader's field limit).
 */
static void sniffed(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "text", "comment", "текст", NULL };
	struct cd_error err;
	struct csv_reader *r;
	FILE *fp;
	int rc;

	if (!csv_sniff_header((const char *)data, size, names))
		return;
	fp = open_mem(data, size);
	r = csvr_new(fp, "sniffed", NULL, &err);
	CHECK(r != NULL);
	rc = csvr_header(r, &err);
	CHECK(rc == 0 || rc == CD_ERR_LIMIT);
	if (rc == 0) {
		CHECK(csvr_ncolumns(r) >= 2);
		CHECK(csvr_column_any(r, names) >= 0);
	}
	csvr_free(r);
	fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct csvr_limits small = { 64, 256, 8 };

	sniffed(data, size);
	read_all(data, size, &small, 1, 0);
	read_all(data, size, NULL, 0, 1);
	if (size && (data[0] & 1)) {
		/*
		 * Push the input across the 64 KiB block boundary, behind one
		 * long quoted field (the reader skims quoted text with memchr,
		 * so this costs little).
		 */
		size_t pad = BLOCK - 1 - (size < 32 ? size : 32);
		uint8_t *buf = malloc(pad + size);

		CHECK(buf != NULL);
		memset(buf, 'a', pad);
		buf[0] = buf[pad - 2] = '"';
		buf[pad - 1] = '\n';
		memcpy(buf + pad, data, size);
		read_all(buf, pad + size, NULL, 0, 0);
		free(buf);
	}
	return 0;
}

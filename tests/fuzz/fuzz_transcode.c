/*
 * fuzz_transcode.c - the encoding layer and the CSV separator detection.
 *
 * The first byte picks the encoding (auto, cp1251, utf-16le, utf-16be) and
 * the rest is read through transcode_new()'s stream, then as CSV with the
 * separator detected from the header.  Checks: what a converter hands out
 * is valid UTF-8 (iconv writes nothing else); the passthrough hands out
 * the input unchanged; a converter error names a line; the detected
 * separator is one of the three; every row read back from a copy written
 * with csvw_field_sep() and that separator has the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csvio.h"
#include "error.h"
#include "tokenize.h"
#include "transcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_transcode.c:%d: check failed: %s\n", line, what);
	abort();
}

static FILE *open_mem(const void *data, size_t size)
{
	FILE *fp = size ? fmemopen((void *)(uintptr_t)data, size, "r")
			: fopen("/dev/null", "r");

	CHECK(fp != NULL);
	return fp;
}

static void read_all(const uint8_t *data, size_t size, const char *enc)
{
	struct transcode *t = NULL;
	struct cd_error err;
	struct cd_buf out;
	char blk[4096];
	size_t n, bad;
	FILE *in = open_mem(data, size), *s;

	cd_buf_init(&out, (size_t)1 << 24);
	CHECK(transcode_new(&t, in, enc, "fuzz", &err) == 0);
	s = transcode_stream(t);
	while ((n = fread(blk, 1, sizeof(blk), s)) > 0)
		CHECK(cd_buf_add(&out, blk, n) == 0);
	if (transcode_encoding(t)[0]) {
		CHECK(!tok_utf8_check(out.data ? out.data : "", out.len, &bad));
		if (ferror(s))
			CHECK(strstr(transcode_error(t), "fuzz:") != NULL);
	} else {
		CHECK(out.len == size && (!size || !memcmp(out.data, data, size)));
	}
	cd_buf_release(&out);
	transcode_free(t);
	fclose(in);
}

/* Read as CSV with a detected separator; write back; read again. */
static void csv_round(const uint8_t *data, size_t size)
{
	struct csv_reader *r, *r2;
	struct csv_row *row, *back;
	struct cd_error err;
	struct cd_buf out;
	size_t i, len, blen, rows = 0;
	FILE *in = open_mem(data, size), *fp;
	int sep, rc;

	r = csvr_new(in, "fuzz", NULL, &err);
	CHECK(r != NULL);
	if (csvr_header(r, &err)) {
		csvr_free(r);
		fclose(in);
		return;
	}
	sep = csvr_delimiter(r);
	CHECK(sep == ',' || sep == ';' || sep == '\t');
	while ((rc = csvr_next(r, &row, &err)) != 0 && rows < 64) {
		if (rc < 0)
			continue;
		rows++;
		cd_buf_init(&out, (size_t)1 << 24);
		CHECK(csvw_field_sep(&out, "h", 1, 1, (char)sep) == 0);
		CHECK(csvw_end(&out) == 0);
		for (i = 0; i < csvr_nfields(row); i++) {
			const char *f = csvr_field(row, i, &len);

			CHECK(csvw_field_sep(&out, f, len, i == 0, (char)sep) == 0);
		}
		CHECK(csvw_end(&out) == 0);
		fp = open_mem(out.data, out.len);
		r2 = csvr_new(fp, "back", NULL, &err);
		CHECK(r2 && csvr_set_delimiter(r2, sep) == 0);
		CHECK(csvr_next(r2, &back, &err) == 1);
		CHECK(csvr_next(r2, &back, &err) == 1);
		CHECK(csvr_nfields(back) == csvr_nfields(row));
		for (i = 0; i < csvr_nfields(row); i++) {
			const char *a = csvr_field(row, i, &len);
			const char *b = csvr_field(back, i, &blen);

			CHECK(len == blen && !memcmp(a, b, len));
		}
		csvr_free(r2);
		fclose(fp);
		cd_buf_release(&out);
	}
	csvr_free(r);
	fclose(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const enc[] = { "auto", "cp1251", "UTF-16LE",
					   "UTF-16BE" };

	if (!size)
		return 0;
	read_all(data + 1, size - 1, enc[data[0] & 3]);
	csv_round(data + 1, size - 1);
	return 0;
}

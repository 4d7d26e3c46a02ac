/*
 * fuzz_report.c - the crisis report's readers (core/report.h) on arbitrary
 * lines, then the whole page.
 *
 * The input is split into lines.  Each line goes to report_detect() and
 * then to report_add_json() as the kind its position picks (suggestions,
 * journal, ledger, comments, in turn), or, after a line "#csv", to the
 * batch CSV reader: the next line is the header and the others are rows,
 * split at commas.  Then report_finish() and both pages are written.
 *
 * Every other input (by its first byte) has a tiny model whose words the
 * page shows, so comment texts go through its tokenizer too.
 *
 * Checked: the totals add up (decided = approved + hidden + skipped +
 * rejected, edited <= approved, undecided <= drafted, the publication
 * outcomes at most the comments, median <= 90th percentile), and the HTML
 * holds no byte XML forbids and no invalid UTF-8, has no script, and ends
 * as a document; the Markdown has no NUL byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nb.h"
#include "report.h"
#include "tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A model of three labels and a few words, made once. */
static struct nb_model *tiny_model(void)
{
	static const char *const docs[][2] = {
		{ "complaint", "late refund where is my refund" },
		{ "complaint", "refund please" },
		{ "question", "is it safe" },
		{ "toxic", "you are clowns" }
	};
	static struct nb_model *m;
	struct nb_params p;
	struct tok_params tp;
	struct cd_error err;
	struct tokenizer *tk;
	size_t i;

	if (m)
		return m;
	nb_params_default(&p);
	p.temperature = 1;
	m = nb_new(&p, &err);
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, &err);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		int l = nb_label_index(m, docs[i][0], 1, &err);

		if (tok_run(tk, docs[i][1], strlen(docs[i][1]), &err) ||
		    nb_learn(m, l, tk, &err))
			abort();
	}
	tok_free(tk);
	if (nb_finalize(m, &err))
		abort();
	return m;
}

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_report.c:%d: check failed: %s\n", line, what);
	abort();
}

static int collect(void *ctx, const char *p, size_t n)
{
	return cd_buf_add(ctx, p, n);
}

/* Valid UTF-8 with no control byte but TAB, LF, CR. */
static int xml_text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, j;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			i++;
			continue;
		}
		k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
		if (!k || c > 0xF4 || i + k > n)
			return 0;
		for (j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

static void csv_row(struct report *r, char *line, long lineno, int header)
{
	const char *f[16];
	size_t len[16], n = 0;
	struct cd_error err;
	char *p = line;

	for (;;) {
		char *comma = strchr(p, ',');

		if (n == 16)
			break;
		f[n] = p;
		if (comma)
			*comma = '\0';
		len[n] = strlen(p);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (header)
		(void)report_csv_begin(r, f, n, &err);
	else
		(void)report_add_csv(r, f, len, n, lineno, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum report_kind kinds[] = {
		REPORT_SUGGESTIONS, REPORT_JOURNAL, REPORT_LEDGER, REPORT_COMMENTS
	};
	struct report_params p;
	struct monitor_params mp;
	struct report_totals t;
	struct cd_error err;
	struct report *r;
	struct cd_buf out;
	char *copy = malloc(size + 1), *line, *next;
	long lineno = 0;
	int csv = 0, rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	report_params_default(&p);
	monitor_params_default(&mp);
	p.monitor = &mp;
	p.max_comments = 1000;
	p.lang = size && (data[0] & 1) ? REPORT_RU : REPORT_EN;
	r = report_new(&p, &err);
	CHECK(r != NULL);
	if (size && (data[0] & 2))
		CHECK(report_set_model(r, tiny_model(), &err) == 0);
	for (line = copy; line && line < copy + size; line = next) {
		size_t len;

		next = memchr(line, '\n', (size_t)(copy + size - line));
		if (next)
			*next++ = '\0';
		len = strlen(line);     /* a NUL byte ends the line early */
		lineno++;
		if (!strcmp(line, "#csv")) {
			csv = 1;
			continue;
		}
		if (csv) {
			csv_row(r, line, lineno, csv == 1);
			csv = 2;
			continue;
		}
		(void)report_detect(line, len);
		(void)report_add_json(r, kinds[lineno % 4], line, len, lineno,
				      &err);
	}
	rc = report_finish(r, &err);
	if (rc == 0) {
		report_totals(r, &t);
		CHECK(t.decided == t.approved + t.hidden + t.skipped +
		      t.rejected);
		CHECK(t.edited <= t.approved);
		CHECK(t.undecided <= t.drafted);
		CHECK(t.drafted <= t.comments && t.decided <= t.comments);
		CHECK(t.published + t.publish_failed + t.publish_unknown <=
		      t.comments);
		CHECK(t.untimed <= t.comments);
		CHECK(t.decide_median <= t.decide_p90);
		CHECK(t.publish_median <= t.publish_p90);
		CHECK((t.first < 0) == (t.last < 0) && t.first <= t.last);
		if (size && (data[0] & 2)) {
			struct report_word w[REPORT_TOP_WORDS];
			size_t l, k, n;

			for (l = 0; l < 3; l++) {
				n = report_top_words(r, l, w, REPORT_TOP_WORDS);
				for (k = 0; k < n; k++) {
					CHECK(!k || w[k].llr <= w[k - 1].llr);
					CHECK(w[k].in_crisis <=
					      report_texts_read(r));
					CHECK(!report_texts_read(r) ||
					      w[k].in_crisis > 0);
				}
			}
		}
		cd_buf_init(&out, 1u << 26);
		CHECK(report_write(r, REPORT_HTML, collect, &out, &err) == 0);
		CHECK(xml_text_ok((const unsigned char *)out.data, out.len));
		CHECK(!strstr(out.data, "<script"));
		CHECK(out.len > 16 &&
		      !strcmp(out.data + out.len - 15, "</body></html>\n"));
		cd_buf_reset(&out);
		CHECK(report_write(r, REPORT_MARKDOWN, collect, &out, &err) == 0);
		CHECK(strlen(out.data) == out.len);
		cd_buf_release(&out);
	}
	report_free(r);
	free(copy);
	return 0;
}

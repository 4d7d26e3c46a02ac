/*
 * test_report.c - the crisis report's counting (core/report.h) and chart
 * maths (core/svg.h): round ticks, nearest-rank percentiles, the timeline's
 * bucket width, kind detection, the join by id across kinds, journal
 * replay with undo, ledger outcomes, batch CSV rows, bad lines, XML
 * escaping of bad bytes, and the page's numbers for a small known input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nb.h"
#include "report.h"
#include "report_internal.h"
#include "svg.h"
#include "tokenize.h"

/* ---- svg maths ---------------------------------------------------------- */

static void ticks_case(double max, int target, int integer, double step,
		       double top)
{
	double s, t;

	svg_ticks(max, target, integer, &s, &t);
	if (fabs(s - step) > 1e-9 || fabs(t - top) > 1e-9)
		fail_msg("svg_ticks(%g, %d, %d) = step %g top %g, want %g %g",
			 max, target, integer, s, t, step, top);
}

static void test_ticks(void **state)
{
	(void)state;
	ticks_case(0, 5, 1, 1, 1);              /* empty axis */
	ticks_case(-3, 5, 1, 1, 1);
	ticks_case(1, 5, 1, 1, 1);
	ticks_case(7, 6, 1, 2, 8);
	ticks_case(10, 5, 1, 2, 10);
	ticks_case(11, 5, 1, 5, 15);
	ticks_case(100, 5, 1, 20, 100);
	ticks_case(101, 5, 1, 50, 150);
	ticks_case(245, 6, 1, 50, 250);
	ticks_case(999, 5, 1, 200, 1000);
	ticks_case(123456, 6, 1, 50000, 150000);
	ticks_case(0.37, 4, 0, 0.1, 0.4);       /* fractions */
	ticks_case(0.37, 4, 1, 1, 1);           /* counts: step at least 1 */
	ticks_case(3, 1, 1, 5, 5);
}

static void test_ticks_cover(void **state)
{
	double max, s, t, m;

	(void)state;
	/* the top covers the maximum with at most `target` round steps */
	for (max = 0.5; max < 1e7; max *= 1.37) {
		svg_ticks(max, 6, 1, &s, &t);
		assert_true(t >= max);
		assert_true(t / s <= 6 + 1e-9);
		m = s / pow(10, floor(log10(s) + 1e-12));
		assert_true(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 ||
			    fabs(m - 5) < 1e-9);
	}
}

static void test_num(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(svg_num(b, 12.5, 2), "12.5");
	assert_string_equal(svg_num(b, 12, 2), "12");
	assert_string_equal(svg_num(b, 0.1 + 0.2, 3), "0.3");
	assert_string_equal(svg_num(b, -0.0000001, 2), "0");
	assert_string_equal(svg_num(b, 1234.5678, 1), "1234.6");
}

static void test_esc(void **state)
{
	struct cd_buf b;

	(void)state;
	cd_buf_init(&b, 1024);
	assert_int_equal(svg_esc(&b, "a<b>&\"c'", 8), 0);
	assert_string_equal(b.data, "a&lt;b&gt;&amp;&quot;c&#39;");
	cd_buf_reset(&b);
	/* invalid UTF-8, an overlong form, a surrogate, a control byte */
	assert_int_equal(svg_esc(&b, "x\xFFy\xC0\xAF\xED\xA0\x80\x01z", 10), 0);
	assert_string_equal(b.data, "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD"
			    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
	cd_buf_reset(&b);
	assert_int_equal(svg_esc(&b, "жёлтый 🍊", strlen("жёлтый 🍊")), 0);
	assert_string_equal(b.data, "жёлтый 🍊");
	cd_buf_release(&b);
}

static void test_chart(void **state)
{
	static const char *const bars[] = { "a", "b<" };
	static const char *const series[] = { "s1", "s2" };
	static const double vals[] = { 1, 2, 3, 4 };
	static const unsigned char marks[] = { 0, 1 };
	struct svg_chart c;
	struct cd_buf b;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.title = "t&";
	c.nbars = 2;
	c.nseries = 2;
	c.bar_labels = bars;
	c.series = series;
	c.values = vals;
	c.marks = marks;
	c.mark_label = "spike";
	cd_buf_init(&b, 1 << 20);
	assert_int_equal(svg_bar_chart(&b, &c), 0);
	assert_non_null(strstr(b.data, "<title>t&amp;</title>"));
	assert_non_null(strstr(b.data, "b&lt;: s2 4</title>"));
	assert_non_null(strstr(b.data, "class=\"mark\""));
	/* stacked: the axis top is the largest sum (7 -> 8 with step 2) */
	assert_non_null(strstr(b.data, ">8</text>"));
	cd_buf_reset(&b);
	c.horizontal = 1;
	c.layout = SVG_GROUPED;
	assert_int_equal(svg_bar_chart(&b, &c), 0);
	assert_null(strstr(b.data, ">8</text>"));      /* grouped: top 4 */
	assert_non_null(strstr(b.data, ">4</text>"));
	cd_buf_reset(&b);
	c.nbars = 0;
	assert_int_equal(svg_bar_chart(&b, &c), CD_ERR_USAGE);
	cd_buf_release(&b);
	/* a cap on the buffer is an error, not a cut chart */
	cd_buf_init(&b, 100);
	c.nbars = 2;
	assert_int_not_equal(svg_bar_chart(&b, &c), 0);
	cd_buf_release(&b);
}

/* ---- report maths ------------------------------------------------------- */

static void test_percentile(void **state)
{
	int64_t v[10] = { 9, 1, 8, 2, 7, 3, 6, 4, 5, 10 };
	int64_t one[1] = { 42 };
	int64_t two[2] = { 5, 1 };

	(void)state;
	assert_int_equal(report_percentile(v, 10, 50), 5);
	assert_int_equal(report_percentile(v, 10, 90), 9);
	assert_int_equal(report_percentile(v, 10, 91), 10);
	assert_int_equal(report_percentile(v, 10, 100), 10);
	assert_int_equal(report_percentile(one, 1, 50), 42);
	assert_int_equal(report_percentile(two, 2, 50), 1);
	assert_int_equal(report_percentile(two, 2, 51), 5);
	assert_int_equal(report_percentile(NULL, 0, 50), -1);
}

static void test_bucket_width(void **state)
{
	(void)state;
	assert_int_equal(report_bucket_width(0), 60);
	assert_int_equal(report_bucket_width(47 * 60), 60);
	assert_int_equal(report_bucket_width(48 * 60), 300);
	assert_int_equal(report_bucket_width(3600), 300);
	assert_int_equal(report_bucket_width(86400), 3600);
	assert_int_equal(report_bucket_width(86400 - 1800), 1800);
	assert_int_equal(report_bucket_width(3 * 86400), 7200);
	assert_int_equal(report_bucket_width(30 * 86400), 86400);
	assert_int_equal(report_bucket_width(200 * 86400), 604800);
	/* longer than 48 weeks: whole weeks, still at most 48 bars */
	assert_true(2000 * 86400 / report_bucket_width(2000 * 86400) + 1 <=
		    REPORT_MAX_BUCKETS);
}

#define LINE(s) s, strlen(s)

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(report_detect(LINE("{\"id\":\"1\",\"decision\":"
					    "\"approve\"}")), REPORT_JOURNAL);
	assert_int_equal(report_detect(LINE("{\"id\":\"1\",\"category\":\"x\","
					    "\"confidence\":0.5}")),
			 REPORT_SUGGESTIONS);
	assert_int_equal(report_detect(LINE("{\"id\":\"1\",\"phase\":"
					    "\"intent\"}")), REPORT_LEDGER);
	assert_int_equal(report_detect(LINE("{\"id\":\"1\",\"text\":\"hi\"}")),
			 REPORT_COMMENTS);
	assert_int_equal(report_detect(LINE("{\"id\":\"1\",\"action\":\"reply\","
					    "\"state\":\"intent\"}")),
			 REPORT_LEDGER);         /* candor publish's ledger */
	assert_int_equal(report_detect(LINE("{\"id\":\"1\"}")), REPORT_UNKNOWN);
	assert_int_equal(report_detect(LINE("not json")), REPORT_UNKNOWN);
	assert_int_equal(report_detect(LINE("[1,2]")), REPORT_UNKNOWN);
	assert_true(report_kind_rank(REPORT_JOURNAL) <
		    report_kind_rank(REPORT_SUGGESTIONS));
	assert_true(report_kind_rank(REPORT_LEDGER) <
		    report_kind_rank(REPORT_BATCH));
}

static struct report *mk(void)
{
	struct report_params p;
	struct cd_error err;
	struct report *r;

	report_params_default(&p);
	r = report_new(&p, &err);
	assert_non_null(r);
	return r;
}

static void add(struct report *r, enum report_kind k, const char *line)
{
	struct cd_error err;
	int rc = report_add_json(r, k, line, strlen(line), 1, &err);

	if (rc)
		fail_msg("report_add_json(%s): %s", line, err.msg);
}

/* 2026-11-26T10:00:00Z */
#define T10 "2026-11-26T10:00:00Z"

static void test_join(void **state)
{
	struct report *r = mk();
	struct report_totals t;
	struct cd_error err;

	(void)state;
	/* journals first, as the program feeds them */
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"approve\","
	    "\"category\":\"complaint\",\"template\":\"en/complaint/a\","
	    "\"edited\":true,\"reply\":\"after\",\"ts\":\"2026-11-26T10:10:00Z\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"hide\","
	    "\"category\":\"toxic\",\"original_category\":\"complaint\","
	    "\"ts\":\"2026-11-26T10:30:00Z\"}");
	/* 3: approved, then undone, then skipped, then undone: undecided */
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"approve\","
	    "\"category\":\"question\",\"ts\":\"2026-11-26T11:00:00Z\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"skip\","
	    "\"category\":\"question\",\"ts\":\"2026-11-26T11:00:00Z\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"undo\"}");
	/* 4: rejected then approved: approved stands */
	add(r, REPORT_JOURNAL, "{\"id\":4,\"decision\":\"reject\","
	    "\"category\":\"question\",\"ts\":\"2026-11-26T10:01:00Z\"}");
	add(r, REPORT_JOURNAL, "{\"id\":4,\"decision\":\"approve\","
	    "\"category\":\"question\",\"ts\":\"2026-11-26T10:20:00Z\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"1\",\"phase\":\"intent\","
	    "\"ts\":\"2026-11-26T10:11:00Z\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"1\",\"phase\":\"outcome\","
	    "\"ok\":true,\"ts\":\"2026-11-26T10:12:00Z\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"2\",\"phase\":\"intent\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"4\",\"phase\":\"intent\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"4\",\"outcome\":\"error\","
	    "\"status\":500}");
	/* the drafts */
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"complaint\","
	    "\"confidence\":0.91,\"template\":\"en/complaint/a\","
	    "\"reply\":\"before\",\"why\":[\"Refund\",\"late\"],"
	    "\"tone\":{\"score\":90,\"issues\":[{\"rule\":\"exclaim\","
	    "\"severity\":\"warning\"}]}}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"2\",\"category\":\"complaint\","
	    "\"confidence\":0.55,\"why\":[\"refund\"]}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"3\",\"category\":\"question\","
	    "\"confidence\":1,\"text\":\"when?\"}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"4\",\"category\":\"question\","
	    "\"confidence\":0.7,\"fact\":\"f1\"}");
	add(r, REPORT_COMMENTS, "{\"id\":\"1\",\"text\":\"x\",\"created_at\":"
	    "\"" T10 "\"}");
	add(r, REPORT_COMMENTS, "{\"id\":\"2\",\"text\":\"x\",\"created_at\":"
	    "\"" T10 "\"}");
	add(r, REPORT_COMMENTS, "{\"comment_id\":4,\"text\":\"x\","
	    "\"create_time\":1795687200}");     /* 10:00:00Z too */
	assert_int_equal(report_finish(r, &err), 0);
	report_totals(r, &t);
	assert_int_equal(t.comments, 4);
	assert_int_equal(t.drafted, 4);
	assert_int_equal(t.decided, 3);
	assert_int_equal(t.approved, 2);
	assert_int_equal(t.edited, 1);
	assert_int_equal(t.hidden, 1);
	assert_int_equal(t.skipped, 0);
	assert_int_equal(t.rejected, 0);
	assert_int_equal(t.undecided, 1);
	assert_int_equal(t.corrected, 1);
	assert_int_equal(t.published, 1);
	assert_int_equal(t.publish_failed, 1);
	assert_int_equal(t.publish_unknown, 1);
	assert_int_equal(t.untimed, 1);
	assert_int_equal(t.first, 1795687200);
	/* decisions after 600, 1200 and 1800 s: median 1200, p90 1800 */
	assert_int_equal(t.decide_median, 1200);
	assert_int_equal(t.decide_p90, 1800);
	assert_int_equal(t.publish_median, 720);
	report_free(r);
}

/* The ledger `candor publish` writes (core/ledger.h). */
static void test_publish_ledger(void **state)
{
	struct report *r = mk();
	struct report_totals t;
	struct cd_error err;

	(void)state;
	add(r, REPORT_LEDGER, "{\"id\":\"1\",\"video_id\":\"v\",\"action\":"
	    "\"reply\",\"state\":\"intent\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"1\",\"action\":\"reply\",\"state\":"
	    "\"done\",\"ts\":\"2026-11-26T10:00:05Z\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"2\",\"action\":\"hide\",\"state\":"
	    "\"intent\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"2\",\"action\":\"hide\",\"state\":"
	    "\"failed\",\"ts\":\"" T10 "\",\"error\":\"500\"}");
	add(r, REPORT_LEDGER, "{\"id\":\"3\",\"action\":\"reply\",\"state\":"
	    "\"unknown\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_COMMENTS, "{\"id\":\"1\",\"text\":\"x\",\"created_at\":"
	    "\"" T10 "\"}");
	assert_int_equal(report_finish(r, &err), 0);
	report_totals(r, &t);
	assert_int_equal(t.published, 1);
	assert_int_equal(t.publish_failed, 1);
	assert_int_equal(t.publish_unknown, 1);
	assert_int_equal(t.publish_median, 5);
	report_free(r);
}

static int collect(void *ctx, const char *p, size_t n)
{
	return cd_buf_add(ctx, p, n);
}

static void test_page(void **state)
{
	struct report *r = mk();
	struct cd_error err;
	struct cd_buf b;

	(void)state;
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"approve\","
	    "\"category\":\"complaint\",\"template\":\"en/complaint/a\","
	    "\"edited\":true,\"reply\":\"after <b>\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"complaint\","
	    "\"confidence\":0.91,\"template\":\"en/complaint/a\","
	    "\"reply\":\"before\",\"why\":[\"Refund\",\"REFUND\",\"late\"]}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"2\",\"category\":\"spam\","
	    "\"confidence\":0.95,\"text\":\"buy | now\",\"why\":[\"free\"]}");
	assert_int_equal(report_finish(r, &err), 0);
	cd_buf_init(&b, 1 << 24);
	assert_int_equal(report_write(r, REPORT_HTML, collect, &b, &err), 0);
	assert_non_null(strstr(b.data, "<!DOCTYPE html>"));
	assert_null(strstr(b.data, "<script"));
	assert_non_null(strstr(b.data, "after &lt;b&gt;"));    /* escaped */
	assert_non_null(strstr(b.data, "<blockquote class=\"before\"><b>before"
			       ":</b> before</blockquote>"));
	/* case-folded why words, counted: refund twice */
	assert_non_null(strstr(b.data, "refund (2), late (1)"));
	/* the undecided sample names the comment */
	assert_non_null(strstr(b.data, "2: buy | now"));
	cd_buf_reset(&b);
	assert_int_equal(report_write(r, REPORT_MARKDOWN, collect, &b, &err), 0);
	assert_non_null(strstr(b.data, "# Crisis report"));
	assert_non_null(strstr(b.data, "2: buy \\| now"));  /* cell escaped */
	assert_null(strstr(b.data, "<svg"));
	cd_buf_release(&b);
	/* a write that fails is CD_ERR_IO */
	cd_buf_init(&b, 10);
	assert_int_equal(report_write(r, REPORT_HTML, collect, &b, &err),
			 CD_ERR_IO);
	cd_buf_release(&b);
	report_free(r);
}

static void test_once_per_comment(void **state)
{
	static const char *const head[] = {
		"id", "category", "template", "reply", "tone_issues"
	};
	const char *row[] = { "1", "complaint", "en/complaint/a", "sorry",
			      "caps:warning" };
	size_t lens[5], i;
	struct report *r = mk();
	struct cd_error err;
	struct cd_buf b;

	(void)state;
	/* another comment's edited reply puts the template in the table */
	add(r, REPORT_JOURNAL, "{\"id\":\"9\",\"decision\":\"approve\","
	    "\"category\":\"complaint\",\"template\":\"en/complaint/a\","
	    "\"edited\":true,\"ts\":\"" T10 "\"}");
	/* the same draft in a suggestion file and a batch CSV counts once */
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"complaint\","
	    "\"confidence\":0.9,\"template\":\"en/complaint/a\","
	    "\"reply\":\"sorry\",\"fact\":\"f\",\"why\":[\"late\"],"
	    "\"tone\":{\"issues\":[{\"rule\":\"caps\","
	    "\"severity\":\"warning\"}]}}");
	assert_int_equal(report_csv_begin(r, head, 5, &err), 0);
	for (i = 0; i < 5; i++)
		lens[i] = strlen(row[i]);
	assert_int_equal(report_add_csv(r, row, lens, 5, 2, &err), 0);
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"complaint\","
	    "\"confidence\":0.9,\"template\":\"en/complaint/a\","
	    "\"fact\":\"f\",\"why\":[\"late\"]}");
	assert_int_equal(report_finish(r, &err), 0);
	cd_buf_init(&b, 1 << 24);
	assert_int_equal(report_write(r, REPORT_MARKDOWN, collect, &b, &err), 0);
	assert_non_null(strstr(b.data, "Drafts checked: 1,"));
	assert_non_null(strstr(b.data, "| caps | 1 | 0 | 0 | 0 |"));
	assert_non_null(strstr(b.data, "| complaint | late (1) |"));
	assert_non_null(strstr(b.data, "| f | 1 | 0 |"));
	assert_non_null(strstr(b.data, "| en/complaint/a | 1 | 1 | 1 | 100.0% |"));
	/* one undecided example, not three */
	assert_non_null(strstr(b.data, "| complaint | 1 | 1: "));
	assert_null(strstr(b.data, "; 1:"));
	cd_buf_release(&b);
	report_free(r);
}

static void test_bad_lines(void **state)
{
	struct report *r = mk();
	struct cd_error err;
	static const struct { enum report_kind k; const char *line; } bad[] = {
		{ REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"maybe\"}" },
		{ REPORT_JOURNAL, "{\"decision\":\"approve\"}" },
		{ REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"approve\","
		  "\"ts\":\"yesterday\"}" },
		{ REPORT_SUGGESTIONS, "{\"id\":\"1\",\"confidence\":0.5}" },
		{ REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"x\","
		  "\"created_at\":\"soon\"}" },
		{ REPORT_LEDGER, "{\"id\":\"1\",\"phase\":\"later\"}" },
		{ REPORT_COMMENTS, "[1]" },
		{ REPORT_COMMENTS, "{\"id\":1.5,\"text\":\"x\"}" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (!report_add_json(r, bad[i].k, bad[i].line,
				     strlen(bad[i].line), 7, &err))
			fail_msg("accepted: %s", bad[i].line);
		assert_int_equal(err.line, 7);
		assert_true(err.msg[0] != '\0');
	}
	report_free(r);
}

static void test_limits(void **state)
{
	struct report_params p;
	struct cd_error err;
	struct report *r;
	char line[128];
	int i, rc = 0;

	(void)state;
	report_params_default(&p);
	p.max_comments = 3;
	r = report_new(&p, &err);
	assert_non_null(r);
	for (i = 0; i < 4 && !rc; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"%d\",\"text\":\"x\"}", i);
		rc = report_add_json(r, REPORT_COMMENTS, line, strlen(line), i + 1,
				     &err);
	}
	assert_int_equal(rc, CD_ERR_LIMIT);
	assert_int_equal(i, 4);
	assert_non_null(strstr(err.msg, "more than 3 comment ids"));
	/* 65 categories: the 65th is refused, naming the limit */
	rc = 0;
	for (i = 0; i < 70 && !rc; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"1\",\"category\":\"c%d\","
			 "\"confidence\":1}", i);
		rc = report_add_json(r, REPORT_SUGGESTIONS, line, strlen(line),
				     1, &err);
	}
	assert_int_equal(rc, CD_ERR_LIMIT);
	assert_int_equal(i, REPORT_MAX_CATEGORIES + 1);
	assert_non_null(strstr(err.msg, "more than 64 categories"));
	report_free(r);
}

static void test_csv(void **state)
{
	static const char *const head[] = {
		"comment_id", "text", "created_at", "category", "confidence",
		"reply", "template", "tone_issues"
	};
	const char *row1[] = { "9", "late!", "2026-11-26T10:00:00Z",
			       "complaint", "0.8000", "sorry", "en/complaint/a",
			       "exclaim:warning;blame:error" };
	const char *row2[] = { "10", "hm", "", "question", "2", "", "", "" };
	size_t lens[8], i;
	struct report *r = mk();
	struct report_totals t;
	struct cd_error err;
	const char *nohead[] = { "text", "category" };

	(void)state;
	assert_int_equal(report_csv_begin(r, nohead, 2, &err), CD_ERR_DATA);
	assert_non_null(strstr(err.msg, "no id column"));
	assert_int_equal(report_csv_begin(r, head, 8, &err), 0);
	for (i = 0; i < 8; i++)
		lens[i] = strlen(row1[i]);
	assert_int_equal(report_add_csv(r, row1, lens, 8, 2, &err), 0);
	for (i = 0; i < 8; i++)
		lens[i] = strlen(row2[i]);
	assert_int_equal(report_add_csv(r, row2, lens, 8, 3, &err), CD_ERR_DATA);
	assert_non_null(strstr(err.msg, "confidence"));
	assert_int_equal(report_finish(r, &err), 0);
	report_totals(r, &t);
	assert_int_equal(t.drafted, 1);
	assert_int_equal(t.undecided, 1);
	assert_int_equal(t.first, 1795687200);
	report_free(r);
}

/*
 * An undo cancels the latest standing decision on an id and the one
 * under it stands again, however deep (core/journal.h: a stack per id).
 */
static void test_undo_stack(void **state)
{
	struct report *r = mk();
	struct report_totals t;
	struct cd_error err;
	char line[256];
	static const char *const d[] = { "approve", "hide", "skip" };
	int i;

	(void)state;
	/* 1: approve, hide, skip, undo, undo: approve stands */
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"1\",\"decision\":\"%s\","
			 "\"category\":\"question\",\"ts\":\"" T10 "\"}", d[i]);
		add(r, REPORT_JOURNAL, line);
	}
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"undo\"}");
	/* 2: hide, skip, undo, undo, undo (one too many), then reject */
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"hide\","
	    "\"category\":\"toxic\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"skip\","
	    "\"category\":\"toxic\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"2\",\"decision\":\"reject\","
	    "\"category\":\"toxic\",\"ts\":\"" T10 "\"}");
	/* 3: skip, hide, undo: skip stands; its stack node is reused by 4 */
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"skip\","
	    "\"category\":\"spam\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"hide\","
	    "\"category\":\"spam\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"3\",\"decision\":\"undo\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"4\",\"decision\":\"hide\","
	    "\"category\":\"spam\",\"ts\":\"" T10 "\"}");
	add(r, REPORT_JOURNAL, "{\"id\":\"4\",\"decision\":\"approve\","
	    "\"category\":\"spam\",\"ts\":\"" T10 "\"}");
	assert_int_equal(report_finish(r, &err), 0);
	report_totals(r, &t);
	assert_int_equal(t.decided, 4);
	assert_int_equal(t.approved, 2);        /* 1 and 4 */
	assert_int_equal(t.hidden, 0);
	assert_int_equal(t.skipped, 1);         /* 3 */
	assert_int_equal(t.rejected, 1);        /* 2 */
	report_free(r);
}

/* The selection behind the percentiles against a full sort. */
static int cmp_i64t(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void test_percentile_random(void **state)
{
	static int64_t v[5000], w[5000];
	static const double ps[] = { 1, 10, 50, 50.5, 90, 99, 100 };
	uint64_t x = 88172645463325252ull;
	size_t n, i, k, j;

	(void)state;
	for (n = 1; n <= 5000; n = n * 3 + 1) {
		for (j = 0; j < 4; j++) {       /* few values, many, sorted */
			for (i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v[i] = j == 0 ? (int64_t)(x % 3) :
					j == 1 ? (int64_t)(x % 100000) :
					j == 2 ? (int64_t)i : (int64_t)(n - i);
			}
			memcpy(w, v, n * sizeof(*v));
			qsort(w, n, sizeof(*w), cmp_i64t);
			for (k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
				size_t rank = (size_t)ceil(ps[k] / 100 * (double)n);
				int64_t got;

				rank = rank < 1 ? 1 : rank;
				got = report_percentile(v, n, ps[k]);
				if (got != w[rank - 1])
					fail_msg("n %zu kind %zu p %g: %lld, want "
						 "%lld", n, j, ps[k], (long long)got,
						 (long long)w[rank - 1]);
			}
		}
	}
}

/* More comments than one block and many index growths: each id once. */
static void test_many_comments(void **state)
{
	struct report *r = mk();
	struct report_totals t;
	struct cd_error err;
	char line[160];
	int i, pass;

	(void)state;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 150000; i++) {
			snprintf(line, sizeof(line), "{\"id\":\"c%d\",\"decision\":"
				 "\"%s\",\"category\":\"question\",\"ts\":\""
				 T10 "\"}", i, pass ? "undo" :
				 i % 3 ? "approve" : "hide");
			add(r, REPORT_JOURNAL, line);
		}
	add(r, REPORT_JOURNAL, "{\"id\":\"c149999\",\"decision\":\"skip\","
	    "\"category\":\"question\",\"ts\":\"" T10 "\"}");
	assert_int_equal(report_finish(r, &err), 0);
	report_totals(r, &t);
	assert_int_equal(t.comments, 150000);
	assert_int_equal(t.decided, 1);
	assert_int_equal(t.skipped, 1);
	report_free(r);
}

/* The in-place sort behind the spike replay, against qsort. */
static int cmp_u64t(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void test_sort(void **state)
{
	static uint64_t v[20000], w[20000];
	uint64_t x = 0x9E3779B97F4A7C15ull;
	size_t n, i, kind;

	(void)state;
	for (n = 0; n <= 20000; n = n * 2 + 1)
		for (kind = 0; kind < 5; kind++) {
			for (i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v[i] = kind == 0 ? x : kind == 1 ? x % 4 :
					kind == 2 ? i : kind == 3 ? n - i :
					(i % 2 ? i : n - i);    /* organ pipe */
			}
			memcpy(w, v, n * sizeof(*v));
			qsort(w, n, sizeof(*w), cmp_u64t);
			rsort_u64(v, n);
			if (n && memcmp(v, w, n * sizeof(*v)))
				fail_msg("rsort_u64: n %zu kind %zu differs from "
					 "qsort", n, kind);
		}
}

/* ---- the model's words --------------------------------------------------- */

/*
 * A tiny model with counts known by hand: words only, no stemming,
 * counted per occurrence, alpha 1.
 *   a: "refund late", "refund"    -> refund 2, late 1      (total 3)
 *   b: "recall", "late recall"    -> recall 2, late 1      (total 3)
 *   c: "hello"                    -> hello 1               (total 1)
 * V = 4 features, all = 7.
 */
static struct nb_model *tiny_model(void)
{
	static const char *const docs[][2] = {
		{ "a", "refund late" }, { "a", "refund" }, { "b", "recall" },
		{ "b", "late recall" }, { "c", "hello" }
	};
	struct nb_params p;
	struct tok_params tp;
	struct cd_error err;
	struct nb_model *m;
	struct tokenizer *tk;
	size_t i;

	nb_params_default(&p);
	p.alpha = 1;
	p.binary = 0;
	p.bigrams = 0;
	p.stem = 0;
	p.extras = 0;
	p.idf = 0;
	p.norm = 0;
	p.complement = 0;
	p.temperature = 1;
	m = nb_new(&p, &err);
	assert_non_null(m);
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, &err);
	assert_non_null(tk);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		int l = nb_label_index(m, docs[i][0], 1, &err);

		assert_true(l >= 0);
		assert_int_equal(tok_run(tk, docs[i][1], strlen(docs[i][1]),
					 &err), 0);
		assert_int_equal(nb_learn(m, l, tk, &err), 0);
	}
	tok_free(tk);
	assert_int_equal(nb_finalize(m, &err), 0);
	/* the counts the hand computation below assumes */
	assert_int_equal(nb_vocab_size(m), 4);
	assert_int_equal(nb_label_total(m, 0), 3);
	assert_int_equal(nb_label_total(m, 1), 3);
	assert_int_equal(nb_label_total(m, 2), 1);
	return m;
}

static void word_is(const struct report_word *w, const char *text,
		    double llr, uint64_t in_label, uint64_t in_others,
		    uint64_t in_crisis)
{
	if (strcmp(w->text, text) || fabs(w->llr - llr) > 1e-12 ||
	    w->in_label != in_label || w->in_others != in_others ||
	    w->in_crisis != in_crisis)
		fail_msg("word '%s' %.15g (%llu, %llu, %llu), want '%s' %.15g "
			 "(%llu, %llu, %llu)", w->text, w->llr,
			 (unsigned long long)w->in_label,
			 (unsigned long long)w->in_others,
			 (unsigned long long)w->in_crisis, text, llr,
			 (unsigned long long)in_label,
			 (unsigned long long)in_others,
			 (unsigned long long)in_crisis);
}

static void test_model_words(void **state)
{
	struct nb_model *m = tiny_model();
	struct report_word w[REPORT_TOP_WORDS];
	struct report *r = mk();
	struct cd_error err;

	(void)state;
	assert_int_equal(report_set_model(r, m, &err), 0);
	/* no comment text: every feature is a candidate */
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"approve\","
	    "\"category\":\"a\",\"ts\":\"" T10 "\"}");
	assert_int_equal(report_finish(r, &err), 0);
	assert_int_equal(report_texts_read(r), 0);
	/*
	 * label a: P(w|a) = (n + 1) / (3 + 4), P(w|not a) = (n' + 1) / (4 + 4)
	 *   refund ln(3/7) - ln(1/8) = ln(24/7)
	 *   late   ln(2/7) - ln(2/8) = ln(8/7)
	 *   hello  ln(1/7) - ln(2/8) = ln(4/7)
	 *   recall ln(1/7) - ln(3/8) = ln(8/21)
	 */
	assert_int_equal(report_top_words(r, 0, w, REPORT_TOP_WORDS), 4);
	word_is(&w[0], "refund", log(24.0 / 7), 2, 0, 0);
	word_is(&w[1], "late", log(8.0 / 7), 1, 1, 0);
	word_is(&w[2], "hello", log(4.0 / 7), 0, 1, 0);
	word_is(&w[3], "recall", log(8.0 / 21), 0, 2, 0);
	/*
	 * label c: P(w|c) = (n + 1) / (1 + 4), P(w|not c) = (n' + 1) / (6 + 4)
	 *   hello ln(2/5) - ln(1/10) = ln 4; late, recall and refund all
	 *   ln(1/5) - ln(3/10) = ln(2/3), a tie kept in text order
	 */
	assert_int_equal(report_top_words(r, 2, w, 2), 2);
	word_is(&w[0], "hello", log(4.0), 1, 0, 0);
	word_is(&w[1], "late", log(2.0 / 3), 0, 2, 0);
	assert_int_equal(report_top_words(r, 2, w, REPORT_TOP_WORDS), 4);
	word_is(&w[2], "recall", log(2.0 / 3), 0, 2, 0);
	word_is(&w[3], "refund", log(2.0 / 3), 0, 2, 0);
	assert_int_equal(report_top_words(r, 3, w, REPORT_TOP_WORDS), 0);
	report_free(r);

	/* with texts: only the words of this crisis, counted per comment */
	r = mk();
	assert_int_equal(report_set_model(r, m, &err), 0);
	add(r, REPORT_JOURNAL, "{\"id\":\"1\",\"decision\":\"approve\","
	    "\"category\":\"b\",\"ts\":\"" T10 "\",\"text\":\"Refund, recall!\"}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"1\",\"category\":\"b\","
	    "\"confidence\":0.9,\"text\":\"refund refund late\"}");
	add(r, REPORT_SUGGESTIONS, "{\"id\":\"2\",\"category\":\"a\","
	    "\"confidence\":0.9,\"text\":\"refund refund, unknown\"}");
	assert_int_equal(report_finish(r, &err), 0);
	assert_int_equal(report_texts_read(r), 2);      /* once per id */
	assert_int_equal(report_top_words(r, 0, w, REPORT_TOP_WORDS), 2);
	word_is(&w[0], "refund", log(24.0 / 7), 2, 0, 2);
	word_is(&w[1], "recall", log(8.0 / 21), 0, 2, 1);
	/* label b: recall ln(3/7) - ln(1/8); refund ln(1/7) - ln(3/8) */
	assert_int_equal(report_top_words(r, 1, w, REPORT_TOP_WORDS), 2);
	word_is(&w[0], "recall", log(24.0 / 7), 2, 0, 1);
	word_is(&w[1], "refund", log(8.0 / 21), 0, 2, 2);
	report_free(r);
	nb_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ticks),
		cmocka_unit_test(test_ticks_cover),
		cmocka_unit_test(test_num),
		cmocka_unit_test(test_esc),
		cmocka_unit_test(test_chart),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_bucket_width),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_publish_ledger),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_once_per_comment),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_model_words),
		cmocka_unit_test(test_undo_stack),
		cmocka_unit_test(test_percentile_random),
		cmocka_unit_test(test_many_comments),
		cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * report_write.c - the crisis report's page: one self-contained XHTML
 * document (inline CSS and SVG, no script, no external reference), or
 * Markdown with the same tables.  Every chart has its numbers in a table
 * right below it, so the page reads without the charts (screen readers,
 * grep, a ticket) and the tests can check each number.
 *
 * Output is built in a capped cd_buf and handed to the caller's write
 * function whenever it holds more than OUT_CHUNK bytes.
 */
#include "report_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nb.h"
#include "svg.h"

#define OUT_CHUNK (64u << 10)
#define OUT_MAX (8u << 20)      /* one chart or section at most */
#define TOP_TEMPLATES 10
#define TOP_WORDS 8

struct out {
	struct cd_buf b;
	int (*write)(void *ctx, const char *p, size_t n);
	void *ctx;
	int md;
	enum report_lang lang;
	int rc;                 /* first failure */
	int ncols, col;         /* the table being written */
};

#define L(o, en, ru) ((o)->lang == REPORT_RU ? (ru) : (en))

static void flush(struct out *o, int force)
{
	if (o->rc || (!force && o->b.len < OUT_CHUNK))
		return;
	if (o->b.len && o->write(o->ctx, o->b.data, o->b.len))
		o->rc = CD_ERR_IO;
	cd_buf_reset(&o->b);
}

static void raw(struct out *o, const char *s)
{
	if (!o->rc && cd_buf_addstr(&o->b, s))
		o->rc = CD_ERR_LIMIT;
	flush(o, 0);
}

/* Text: escaped for XML, or for a Markdown table cell. */
static void txt(struct out *o, const char *s)
{
	if (o->rc)
		return;
	if (!o->md) {
		if (svg_esc(&o->b, s, strlen(s)))
			o->rc = CD_ERR_LIMIT;
	} else {
		for (; *s && !o->rc; s++) {
			int bad = 0;

			if (*s == '|')
				bad = cd_buf_addstr(&o->b, "\\|");
			else if (*s == '\n' || *s == '\r' || *s == '\t')
				bad = cd_buf_addch(&o->b, ' ');
			else if (strchr("*_`<[\\", *s))
				bad = cd_buf_addch(&o->b, '\\') ||
					cd_buf_addch(&o->b, *s);
			else
				bad = cd_buf_addch(&o->b, *s);
			if (bad)
				o->rc = CD_ERR_LIMIT;
		}
	}
	flush(o, 0);
}

/* Formatted output (at most 511 bytes), escaped as text or not (raw). */
static void outf(struct out *o, int text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void outf(struct out *o, int text, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (text)
		txt(o, tmp);
	else
		raw(o, tmp);
}

/* ---- dates, durations, numbers ---------------------------------------- */

static const char *const mon_en[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};
static const char *const mon_ru[] = {
	"янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт",
	"ноя", "дек"
};

/* "7 Dec 2026 14:05" (with_year, with_time chosen) in the page's language. */
static char *date_str(const struct out *o, int64_t t, int with_year,
		      int with_time, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int k;

	gmtime_r(&tt, &tm);
	k = snprintf(buf, n, "%d %s", tm.tm_mday,
		     (o->lang == REPORT_RU ? mon_ru : mon_en)[tm.tm_mon]);
	if (with_year && k > 0 && (size_t)k < n)
		k += snprintf(buf + k, n - (size_t)k, " %d", tm.tm_year + 1900);
	if (with_time && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, " %02d:%02d", tm.tm_hour,
			 tm.tm_min);
	return buf;
}

/* "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "-" for -1. */
static char *dur_str(const struct out *o, int64_t s, char *buf, size_t n)
{
	if (s < 0)
		snprintf(buf, n, "-");
	else if (s < 60)
		snprintf(buf, n, "%" PRId64 " %s", s, L(o, "s", "с"));
	else if (s < 3600)
		snprintf(buf, n, "%" PRId64 " %s", s / 60, L(o, "min", "мин"));
	else if (s < 86400 && s % 3600 < 60)
		snprintf(buf, n, "%" PRId64 " %s", s / 3600, L(o, "h", "ч"));
	else if (s < 86400)
		snprintf(buf, n, "%" PRId64 " %s %" PRId64 " %s", s / 3600,
			 L(o, "h", "ч"), s % 3600 / 60, L(o, "min", "мин"));
	else if (s % 86400 < 3600)
		snprintf(buf, n, "%" PRId64 " %s", s / 86400, L(o, "d", "д"));
	else
		snprintf(buf, n, "%" PRId64 " %s %" PRId64 " %s", s / 86400,
			 L(o, "d", "д"), s % 86400 / 3600, L(o, "h", "ч"));
	return buf;
}

static char *pct_str(uint64_t part, uint64_t whole, char *buf, size_t n)
{
	if (!whole)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f%%", 100.0 * (double)part / (double)whole);
	return buf;
}

/* ---- tables ------------------------------------------------------------ */

/* Start a table; heads are the column names, a leading '#' marks a
 * numeric (right-aligned) column. */
static void tbegin(struct out *o, const char *cls, int ncols,
		   const char *const *heads)
{
	int i;

	o->ncols = ncols;
	if (o->md) {
		raw(o, "\n|");
		for (i = 0; i < ncols; i++) {
			raw(o, " ");
			txt(o, heads[i] + (heads[i][0] == '#'));
			raw(o, " |");
		}
		raw(o, "\n|");
		for (i = 0; i < ncols; i++)
			raw(o, heads[i][0] == '#' ? "---:|" : "---|");
		raw(o, "\n");
		return;
	}
	outf(o, 0, "<div class=\"tw\"><table class=\"%s\"><thead><tr>", cls);
	for (i = 0; i < ncols; i++) {
		raw(o, heads[i][0] == '#' ? "<th class=\"n\">" : "<th>");
		txt(o, heads[i] + (heads[i][0] == '#'));
		raw(o, "</th>");
	}
	raw(o, "</tr></thead><tbody>\n");
}

static void trow(struct out *o)
{
	o->col = 0;
	raw(o, o->md ? "|" : "<tr>");
}

static void trow_end(struct out *o)
{
	raw(o, o->md ? "\n" : "</tr>\n");
}

/* A cell: text (num: right-aligned; cls: an extra class or NULL). */
static void tcell(struct out *o, const char *s, int num, const char *cls)
{
	if (o->md) {
		raw(o, " ");
		txt(o, s);
		raw(o, " |");
	} else {
		if (num || cls)
			outf(o, 0, "<td class=\"%s%s%s\">", num ? "n" : "",
			     num && cls ? " " : "", cls ? cls : "");
		else
			raw(o, "<td>");
		txt(o, s);
		raw(o, "</td>");
	}
	o->col++;
}

static void tnum(struct out *o, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	tcell(o, b, 1, NULL);
}

static void tend(struct out *o)
{
	raw(o, o->md ? "\n" : "</tbody></table></div>\n");
}

static void h2(struct out *o, const char *id, const char *title)
{
	if (o->md) {
		raw(o, "\n## ");
		txt(o, title);
		raw(o, "\n");
	} else {
		outf(o, 0, "<section id=\"%s\"><h2>", id);
		txt(o, title);
		raw(o, "</h2>\n");
	}
}

static void h2_end(struct out *o)
{
	if (!o->md)
		raw(o, "</section>\n");
}

static void h3(struct out *o, const char *title)
{
	raw(o, o->md ? "\n### " : "<h3>");
	txt(o, title);
	raw(o, o->md ? "\n" : "</h3>\n");
}

static void para(struct out *o, const char *s)
{
	raw(o, o->md ? "\n" : "<p>");
	txt(o, s);
	raw(o, o->md ? "\n" : "</p>\n");
}

/* A figure: its caption, then the chart (HTML only); the table follows. */
static void figure(struct out *o, const char *caption,
		   const struct svg_chart *c)
{
	if (o->md) {
		raw(o, "\n**");
		txt(o, caption);
		raw(o, "**\n");
		return;
	}
	raw(o, "<figure><figcaption>");
	txt(o, caption);
	raw(o, "</figcaption>\n");
	if (c && !o->rc) {
		int rc;

		raw(o, "<div class=\"cw\">");
		rc = svg_bar_chart(&o->b, c);
		if (rc)
			o->rc = rc == CD_ERR_USAGE ? 0 : CD_ERR_LIMIT;
		raw(o, "</div>\n");
	}
}

static void figure_end(struct out *o)
{
	if (!o->md)
		raw(o, "</figure>\n");
}

/* ---- sections ---------------------------------------------------------- */

static const char *cat_name(const struct report *r, size_t i)
{
	return i < r->cats.n ? r->cats.name[i] : "?";
}

static void head(struct out *o, const struct report *r)
{
	static const char css[] =
		"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
		"Roboto,'DejaVu Sans',sans-serif;margin:0 auto;max-width:62rem;"
		"padding:.75rem;color:#222;background:#fff}"
		"h1{font-size:1.6rem;margin:.4rem 0}"
		"h2{font-size:1.25rem;border-bottom:2px solid #0072B2;"
		"margin-top:2rem;padding-bottom:.15rem}"
		"h3{font-size:1.05rem;margin-top:1.2rem}"
		"figure{margin:1rem 0;break-inside:avoid;"
		"page-break-inside:avoid}"
		"figcaption{font-weight:600;margin-bottom:.3rem}"
		"svg{width:100%;height:auto;display:block;max-width:720px}"
		".tw{overflow-x:auto;max-width:100%}"
		"table{border-collapse:collapse;font-size:.88rem;margin:.4rem 0}"
		"th,td{border:1px solid #bbb;padding:.2rem .45rem;"
		"text-align:left;vertical-align:top}"
		"th{background:#f0f4f8}"
		".n{text-align:right;font-variant-numeric:tabular-nums;"
		"white-space:nowrap}"
		"td:first-child{white-space:nowrap}"
		".cw{overflow-x:auto;max-width:100%}"
		"td.off{background:#fbe3cf;font-weight:600}"
		"td.spike{font-weight:700}"
		".sum td:first-child{font-weight:600;white-space:normal}"
		"blockquote{margin:.3rem 0;padding:.3rem .6rem;"
		"border-left:4px solid #999;background:#f6f6f6;"
		"overflow-wrap:anywhere}"
		"blockquote.before{border-color:#D55E00}"
		"blockquote.after{border-color:#009E73}"
		".note{color:#555;font-size:.88rem}"
		"@media (max-width:600px){body{font-size:14px;padding:.5rem}"
		"table{font-size:.8rem}.cw svg{min-width:540px}}"
		"@media print{@page{size:A4;margin:14mm}"
		"body{max-width:none;font-size:10pt;padding:0}"
		".tw,.cw{overflow:visible}.cw svg{min-width:0}h2,h3,figcaption{break-after:avoid;"
		"page-break-after:avoid}tr{break-inside:avoid}"
		"svg{max-width:100%}}";
	char a[64], b[64];

	if (o->md) {
		raw(o, "# ");
		txt(o, L(o, "Crisis report", "Отчёт о кризисе"));
		raw(o, "\n");
	} else {
		outf(o, 0, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/"
		     "xhtml\" lang=\"%s\"><head><meta charset=\"utf-8\"/>"
		     "<meta name=\"viewport\" content=\"width=device-width, "
		     "initial-scale=1\"/>", L(o, "en", "ru"));
		raw(o, "<meta http-equiv=\"Content-Security-Policy\" "
		    "content=\"default-src 'none'; style-src 'unsafe-inline'\"/>"
		    "<title>");
		txt(o, L(o, "Crisis report", "Отчёт о кризисе"));
		raw(o, "</title><style>");
		raw(o, css);
		raw(o, "</style></head><body>\n<h1>");
		txt(o, L(o, "Crisis report", "Отчёт о кризисе"));
		raw(o, "</h1>\n");
	}
	if (r->tot.first >= 0) {
		char p[200];

		snprintf(p, sizeof(p), "%s %s %s %s (UTC)",
			 L(o, "Comments from", "Комментарии с"),
			 date_str(o, r->tot.first, 1, 1, a, sizeof(a)),
			 L(o, "to", "по"),
			 date_str(o, r->tot.last, 1, 1, b, sizeof(b)));
		para(o, p);
	}
}

static void sources(struct out *o, const struct report *r)
{
	const char *heads[] = {
		L(o, "file", "файл"), L(o, "kind", "вид"),
		L(o, "#records", "#записей"), L(o, "#bad lines", "#плохих строк")
	};
	size_t i;

	h3(o, L(o, "Read from", "Прочитано"));
	tbegin(o, "src", 4, heads);
	for (i = 0; i < r->nsrc; i++) {
		trow(o);
		tcell(o, r->src[i].name, 0, NULL);
		tcell(o, report_kind_name(r->src[i].kind), 0, NULL);
		tnum(o, (uint64_t)r->src[i].records);
		tnum(o, (uint64_t)r->src[i].bad);
		trow_end(o);
	}
	tend(o);
}

static void summary(struct out *o, const struct report *r)
{
	const struct report_totals *t = &r->tot;
	const char *heads[] = { L(o, "what", "что"), L(o, "#count", "#число"),
				L(o, "#share", "#доля") };
	struct { const char *en, *ru; uint64_t v, of; } rows[] = {
		{ "comments", "комментариев", t->comments, 0 },
		{ "with a draft", "с черновиком", t->drafted, t->comments },
		{ "decided by a person", "решено человеком", t->decided,
		  t->comments },
		{ "approved", "одобрено", t->approved, t->decided },
		{ "approved after an edit", "одобрено после правки", t->edited,
		  t->decided },
		{ "hidden", "скрыто", t->hidden, t->decided },
		{ "skipped", "пропущено", t->skipped, t->decided },
		{ "rejected", "отклонено", t->rejected, t->decided },
		{ "escalated to the crisis team", "передано кризисной команде",
		  t->escalated, t->decided },
		{ "category changed by a person", "категория изменена человеком",
		  t->corrected, t->decided },
		{ "still undecided", "ещё без решения", t->undecided,
		  t->drafted },
		{ "published", "опубликовано", t->published, 0 },
		{ "publication failed", "публикация не удалась",
		  t->publish_failed, 0 },
		{ "publication outcome unknown", "исход публикации неизвестен",
		  t->publish_unknown, 0 },
	};
	char b[32], c[32];
	size_t i;

	h2(o, "summary", L(o, "Summary", "Сводка"));
	tbegin(o, "sum", 3, heads);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		trow(o);
		tcell(o, L(o, rows[i].en, rows[i].ru), 0, NULL);
		tnum(o, rows[i].v);
		tcell(o, rows[i].of ? pct_str(rows[i].v, rows[i].of, b,
					      sizeof(b)) : "", 1, NULL);
		trow_end(o);
	}
	trow(o);
	tcell(o, L(o, "comment to decision: median / 90th percentile",
		   "от комментария до решения: медиана / 90-й процентиль"),
	      0, NULL);
	tcell(o, dur_str(o, t->decide_median, b, sizeof(b)), 1, NULL);
	tcell(o, dur_str(o, t->decide_p90, c, sizeof(c)), 1, NULL);
	trow_end(o);
	trow(o);
	tcell(o, L(o, "comment to publication: median / 90th percentile",
		   "от комментария до публикации: медиана / 90-й процентиль"),
	      0, NULL);
	tcell(o, dur_str(o, t->publish_median, b, sizeof(b)), 1, NULL);
	tcell(o, dur_str(o, t->publish_p90, c, sizeof(c)), 1, NULL);
	trow_end(o);
	tend(o);
	sources(o, r);
	h2_end(o);
}

/* The bucket labels of the timeline (caller frees the block). */
static char **bucket_labels(const struct out *o, const struct report *r)
{
	char **lab = malloc(r->nbuckets * (sizeof(char *) + 32));
	char *store = (char *)(lab + r->nbuckets);
	size_t i;

	if (!lab)
		return NULL;
	for (i = 0; i < r->nbuckets; i++) {
		lab[i] = store + i * 32;
		date_str(o, r->t0 + (int64_t)i * r->width, 0,
			 r->width < 86400, lab[i], 32);
	}
	return lab;
}

/* A timeline (categories or flags): chart and table. */
static void timeline(struct out *o, const struct report *r, int flags)
{
	size_t ns = flags ? r->flags.n : r->cats.n, i, s, nb = r->nbuckets;
	const uint64_t *cnt = flags ? r->tl_flag : r->tl_cat;
	char **lab = bucket_labels(o, r), w[64];
	double *vals = malloc(nb * (ns ? ns : 1) * sizeof(double));
	const char **heads = malloc((ns + 3) * sizeof(char *));
	char *hstore = malloc(ns * 72 + 1);
	struct svg_chart c;
	char cap[200];

	if (!lab || !vals || !heads || !hstore) {
		o->rc = CD_ERR_NOMEM;
		free(lab); free(vals); free(heads); free(hstore);
		return;
	}
	for (i = 0; i < nb * ns; i++)
		vals[i] = (double)cnt[i];
	memset(&c, 0, sizeof(c));
	snprintf(cap, sizeof(cap), "%s (%s %s, UTC)",
		 flags ? L(o, "Flagged comments over time",
			   "Комментарии с пометками по времени") :
		 L(o, "Comments per category over time",
		   "Комментарии по категориям во времени"),
		 L(o, "one bar per", "один столбец на"),
		 dur_str(o, r->width, w, sizeof(w)));
	c.title = cap;
	c.x_label = L(o, "time (UTC)", "время (UTC)");
	c.y_label = L(o, "comments", "комментарии");
	c.layout = SVG_STACKED;
	c.nbars = nb;
	c.nseries = ns;
	c.bar_labels = (const char *const *)lab;
	c.series = (const char *const *)(flags ? r->flags.name : r->cats.name);
	c.values = vals;
	if (!flags) {
		c.marks = r->marks;
		c.mark_label = L(o, "spike (monitor --replay)",
				 "всплеск (monitor --replay)");
	}
	figure(o, cap, &c);
	/* numeric columns: their names get a leading '#' (see tbegin) */
	heads[0] = L(o, "from", "с");
	for (s = 0; s < ns; s++) {
		snprintf(hstore + s * 72, 72, "#%s", c.series[s]);
		heads[s + 1] = hstore + s * 72;
	}
	heads[ns + 1] = L(o, "#total", "#всего");
	heads[ns + 2] = L(o, "spike", "всплеск");
	tbegin(o, flags ? "tl-flags" : "tl-cats", (int)(ns + (flags ? 2 : 3)),
	       heads);
	for (i = 0; i < nb; i++) {
		uint64_t tot = 0;
		char d[64];

		trow(o);
		tcell(o, date_str(o, r->t0 + (int64_t)i * r->width, 1, 1, d,
				  sizeof(d)), 0, NULL);
		for (s = 0; s < ns; s++) {
			tnum(o, cnt[i * ns + s]);
			tot += cnt[i * ns + s];
		}
		tnum(o, tot);
		if (!flags) {
			char m[100];

			snprintf(m, sizeof(m), "%s%s%s",
				 r->marks[i] ? monitor_level_name(
					 (enum monitor_level)r->marks[i]) : "",
				 r->marks[i] ? ": " : "", r->mark_series[i]);
			tcell(o, m, 0, r->marks[i] ? "spike" : NULL);
		}
		trow_end(o);
	}
	tend(o);
	figure_end(o);
	free(lab);
	free(vals);
	free(heads);
	free(hstore);
}

static void over_time(struct out *o, const struct report *r)
{
	char p[200];
	size_t i;
	uint64_t nflag = 0;

	h2(o, "time", L(o, "Over time", "Во времени"));
	if (!r->nbuckets) {
		para(o, L(o, "No comment has a time (created_at): nothing to "
			  "draw.", "Ни у одного комментария нет времени "
			  "(created_at): рисовать нечего."));
		h2_end(o);
		return;
	}
	timeline(o, r, 0);
	if (r->tot.untimed) {
		snprintf(p, sizeof(p), L(o, "%" PRIu64 " comments without a "
					 "time are not on the timeline.",
					 "%" PRIu64 " комментариев без времени "
					 "не попали на шкалу."),
			 r->tot.untimed);
		para(o, p);
	}
	if (!r->p.monitor) {
		para(o, L(o, "Spikes are not marked: no detector was given.",
			  "Всплески не отмечены: детектор не подключён."));
	} else {
		snprintf(p, sizeof(p), L(o, "Spikes: the events `monitor "
					 "--replay` raises on these comments "
					 "(%" PRIu64 "; windows of %ld s), "
					 "marked on the bar that holds them.",
					 "Всплески: события, которые `monitor "
					 "--replay` поднимает на этих "
					 "комментариях (%" PRIu64 "; окна по "
					 "%ld с), отмечены на их столбце."),
			 r->spikes, r->mon.window);
		para(o, p);
	}
	for (i = 0; i < r->nbuckets * r->flags.n; i++)
		nflag += r->tl_flag[i];
	if (nflag)
		timeline(o, r, 1);
	h2_end(o);
}

static void confidence(struct out *o, const struct report *r)
{
	static const char *const bins[] = {
		"0-0.1", "0.1-0.2", "0.2-0.3", "0.3-0.4", "0.4-0.5", "0.5-0.6",
		"0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1"
	};
	const char *series[] = {
		L(o, "kept by a person", "оставлена человеком"),
		L(o, "changed by a person", "изменена человеком"),
		L(o, "not decided", "без решения")
	};
	const char *heads[] = {
		L(o, "confidence", "уверенность"), "", "", "",
		L(o, "#total", "#всего")
	};
	char hb[3][96];
	double vals[30];
	struct svg_chart c;
	size_t i, s;
	uint64_t any = 0;

	for (i = 0; i < 10; i++)
		for (s = 0; s < 3; s++) {
			vals[i * 3 + s] = (double)r->conf_hist[i][s];
			any += r->conf_hist[i][s];
		}
	h2(o, "confidence", L(o, "Confidence and corrections",
			      "Уверенность модели и исправления"));
	if (any) {
		memset(&c, 0, sizeof(c));
		c.title = L(o, "How sure the model was, and what people did",
			    "Насколько модель была уверена и что сделали люди");
		c.x_label = L(o, "the model's confidence", "уверенность модели");
		c.y_label = L(o, "comments", "комментарии");
		c.nbars = 10;
		c.nseries = 3;
		c.bar_labels = bins;
		c.series = series;
		c.values = vals;
		figure(o, c.title, &c);
		for (s = 0; s < 3; s++) {
			snprintf(hb[s], sizeof(hb[s]), "#%s", series[s]);
			heads[s + 1] = hb[s];
		}
		tbegin(o, "conf", 5, heads);
		for (i = 0; i < 10; i++) {
			trow(o);
			tcell(o, bins[i], 0, NULL);
			for (s = 0; s < 3; s++)
				tnum(o, r->conf_hist[i][s]);
			tnum(o, r->conf_hist[i][0] + r->conf_hist[i][1] +
			     r->conf_hist[i][2]);
			trow_end(o);
		}
		tend(o);
		figure_end(o);
	} else {
		para(o, L(o, "No record carries a confidence.",
			  "Ни в одной записи нет уверенности модели."));
	}
	/* the confusion table: model (rows) against person (columns) */
	if (r->tot.decided && r->cats.n) {
		size_t n = r->cats.n, a, b;
		const char **h = malloc((n + 2) * sizeof(char *));
		char **hs = calloc(n + 1, sizeof(char *));

		if (!h || !hs) {
			free(h); free(hs);
			o->rc = CD_ERR_NOMEM;
			return;
		}
		h3(o, L(o, "The model's category (rows) against the person's "
			"(columns)", "Категория модели (строки) и человека "
			"(столбцы)"));
		h[0] = L(o, "model \\ person", "модель \\ человек");
		for (b = 0; b < n; b++) {
			hs[b] = malloc(strlen(cat_name(r, b)) + 2);
			if (hs[b])
				sprintf(hs[b], "#%s", cat_name(r, b));
			h[b + 1] = hs[b] ? hs[b] : "#?";
		}
		tbegin(o, "confusion", (int)n + 1, h);
		for (a = 0; a < n; a++) {
			trow(o);
			tcell(o, cat_name(r, a), 0, NULL);
			for (b = 0; b < n; b++) {
				uint64_t v = r->confusion[a * (n + 1) + b];
				char num[32];

				snprintf(num, sizeof(num), "%" PRIu64, v);
				tcell(o, num, 1, a != b && v ? "off" : NULL);
			}
			trow_end(o);
		}
		tend(o);
		for (b = 0; b < n; b++)
			free(hs[b]);
		free(hs);
		free(h);
	}
	h2_end(o);
}

static int cmp_word(const void *a, const void *b)
{
	const struct rword *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->w, y->w);
}

/* The why-words of the suggestions, most frequent first. */
static void why_words(struct out *o, const struct report *r)
{
	const char *heads[] = {
		L(o, "category", "категория"),
		L(o, "words that decided it (times)",
		  "слова, которые решили (раз)")
	};
	struct rword tmp[RWORDS_K];
	size_t c, i, n, any = 0;

	h3(o, L(o, "Why the drafts were filed where they were",
		"Почему черновики попали в свои категории"));
	for (c = 0; c < r->cats.n; c++)
		any += r->nwords[c];
	if (!any) {
		para(o, L(o, "No suggestion records with \"why\" words were "
			  "read.", "Записей suggest со словами \"why\" не "
			  "было."));
		return;
	}
	para(o, L(o, "The words each suggestion gave as its reason (its "
		  "\"why\"), per category, most frequent first.",
		  "Слова, которые каждая подсказка назвала причиной (поле "
		  "\"why\"), по категориям, по частоте."));
	tbegin(o, "words", 2, heads);
	for (c = 0; c < r->cats.n; c++) {
		n = r->nwords[c];
		if (!n)
			continue;
		memcpy(tmp, r->words[c], n * sizeof(tmp[0]));
		qsort(tmp, n, sizeof(tmp[0]), cmp_word);
		trow(o);
		tcell(o, cat_name(r, c), 0, NULL);
		raw(o, o->md ? " " : "<td>");
		for (i = 0; i < n && i < TOP_WORDS; i++) {
			txt(o, i ? ", " : "");
			txt(o, tmp[i].w);
			outf(o, 1, " (%" PRIu64 ")", tmp[i].count);
		}
		raw(o, o->md ? " |" : "</td>");
		trow_end(o);
	}
	tend(o);
}

/*
 * The model's most telling words per label (report_words.c), with the
 * numbers behind each: the log-likelihood ratio, the factor it stands
 * for, the model's counts and how many comments here hold the word.
 */
static void words(struct out *o, const struct report *r)
{
	const char *heads[] = {
		L(o, "category", "категория"), L(o, "word", "слово"),
		L(o, "#ln ratio", "#ln отношения"),
		L(o, "#× likelier", "#× вероятнее"),
		L(o, "#model: in it", "#модель: в ней"),
		L(o, "#model: in others", "#модель: в остальных"),
		L(o, "#comments here", "#комментариев здесь")
	};
	struct report_word w[REPORT_TOP_WORDS];
	size_t c, i, n, any = 0, K = r->model ? nb_nlabels(r->model) : 0;
	char b[64];

	h2(o, "words", L(o, "The most telling words", "Самые говорящие слова"));
	for (c = 0; c < K; c++)
		any += report_top_words(r, c, w, REPORT_TOP_WORDS);
	if (!any && !r->model) {
		para(o, L(o, "No classifier model was read, so the model's "
			  "words are not shown.", "Модель классификатора не "
			  "прочитана, поэтому её слова не показаны."));
	} else if (!any) {
		para(o, L(o, "None of the model's words occurs in the comments "
			  "read.", "Ни одного слова модели нет в прочитанных "
			  "комментариях."));
	} else {
		raw(o, o->md ? "\n" : "<p>");
		txt(o, L(o, "Per category, the words of the classifier model "
			 "that set it apart from the other categories most: "
			 "the log-likelihood ratio ",
			 "Для каждой категории: слова модели, которые сильнее "
			 "всего отличают её от остальных: логарифм отношения "
			 "правдоподобий "));
		txt(o, L(o, "ln P(word | category) - ln P(word | other "
			 "categories), from the model's counts",
			 "ln P(слово | категория) - ln P(слово | остальные), "
			 "по счётчикам модели"));
		outf(o, 1, L(o, " (smoothing %g, %zu features)",
			     " (сглаживание %g, признаков %zu)"),
		     nb_params(r->model)->alpha, nb_vocab_size(r->model));
		txt(o, L(o, "; \"× likelier\" is e to that power, \"model\" "
			 "the model's counts in the category and in the others",
			 "; \"× вероятнее\" - e в этой степени, \"модель\" - "
			 "счётчики модели в категории и в остальных"));
		if (r->ntexts) {
			txt(o, L(o, "; only words that occur in the comments "
				 "of this crisis",
				 "; только слова из комментариев этого "
				 "кризиса"));
			outf(o, 1, L(o, " (%" PRIu64 " comments read).",
				     " (прочитано комментариев: %" PRIu64
				     ")."), r->ntexts);
		} else {
			txt(o, ".");
		}
		raw(o, o->md ? "\n" : "</p>\n");
		tbegin(o, "mwords", 7, heads);
		for (c = 0; c < K; c++) {
			n = report_top_words(r, c, w, REPORT_TOP_WORDS);
			for (i = 0; i < n; i++) {
				trow(o);
				tcell(o, nb_label(r->model, c), 0,
				      NULL);
				tcell(o, w[i].text, 0, NULL);
				snprintf(b, sizeof(b), "%.3f", w[i].llr);
				tcell(o, b, 1, NULL);
				snprintf(b, sizeof(b), "%.1f", exp(w[i].llr));
				tcell(o, b, 1, NULL);
				tnum(o, w[i].in_label);
				tnum(o, w[i].in_others);
				tnum(o, w[i].in_crisis);
				trow_end(o);
			}
		}
		tend(o);
	}
	why_words(o, r);
	h2_end(o);
}

static void tone(struct out *o, const struct report *r)
{
	size_t n = r->rules.n, i;
	const char *series[] = { L(o, "in drafts", "в черновиках"),
				 L(o, "in final replies", "в итоговых ответах") };
	const char *heads[] = {
		L(o, "rule", "правило"), L(o, "#drafts", "#черновики"),
		L(o, "#of them errors", "#из них ошибок"),
		L(o, "#final replies", "#итоговые ответы"),
		L(o, "#of them errors", "#из них ошибок")
	};
	double *vals;
	struct svg_chart c;
	char p[300];

	h2(o, "tone", L(o, "Tone findings by rule", "Замечания к тону по "
			 "правилам"));
	snprintf(p, sizeof(p), L(o, "Drafts checked: %" PRIu64 ", with an "
				 "error: %" PRIu64 ". Final replies checked: "
				 "%" PRIu64 ", with an error: %" PRIu64 ".",
				 "Проверено черновиков: %" PRIu64 ", с ошибкой: "
				 "%" PRIu64 ". Проверено итоговых ответов: "
				 "%" PRIu64 ", с ошибкой: %" PRIu64 "."),
		 r->drafts_with_tone, r->drafts_with_error,
		 r->finals_with_tone, r->finals_with_error);
	para(o, p);
	if (!n) {
		para(o, L(o, "No findings.", "Замечаний нет."));
		h2_end(o);
		return;
	}
	vals = malloc(n * 2 * sizeof(double));
	if (!vals) {
		o->rc = CD_ERR_NOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		vals[i * 2] = (double)(r->tone_draft[i][0] + r->tone_draft[i][1] +
				       r->tone_draft[i][2]);
		vals[i * 2 + 1] = (double)(r->tone_final[i][0] +
					   r->tone_final[i][1] +
					   r->tone_final[i][2]);
	}
	memset(&c, 0, sizeof(c));
	c.title = L(o, "Findings per rule", "Замечания по правилам");
	c.x_label = L(o, "findings", "замечания");
	c.horizontal = 1;
	c.layout = SVG_GROUPED;
	c.nbars = n;
	c.nseries = 2;
	c.bar_labels = (const char *const *)r->rules.name;
	c.series = series;
	c.values = vals;
	figure(o, c.title, &c);
	tbegin(o, "tone", 5, heads);
	for (i = 0; i < n; i++) {
		trow(o);
		tcell(o, r->rules.name[i], 0, NULL);
		tnum(o, (uint64_t)vals[i * 2]);
		tnum(o, r->tone_draft[i][0]);
		tnum(o, (uint64_t)vals[i * 2 + 1]);
		tnum(o, r->tone_final[i][0]);
		trow_end(o);
	}
	tend(o);
	figure_end(o);
	free(vals);
	h2_end(o);
}

static void decisions(struct out *o, const struct report *r)
{
	size_t n = r->cats.n, i, k, nb = 0;
	const char *series[] = {
		L(o, "approved", "одобрено"),
		L(o, "approved after an edit", "одобрено после правки"),
		L(o, "hidden", "скрыто"), L(o, "skipped", "пропущено"),
		L(o, "rejected", "отклонено"),
		L(o, "escalated", "передано команде"),
		L(o, "undecided", "без решения")
	};
	const char *heads[REPORT_DEC_COLS + 2];
	char hb[REPORT_DEC_COLS][96];
	const char **labels = malloc((n + 2) * sizeof(char *));
	uint64_t (*rows)[REPORT_DEC_COLS] = calloc(n + 2, sizeof(*rows));
	double *vals = malloc((n + 2) * REPORT_DEC_COLS * sizeof(double));
	struct svg_chart c;

	if (!labels || !rows || !vals) {
		free(labels); free(rows); free(vals);
		o->rc = CD_ERR_NOMEM;
		return;
	}
	h2(o, "decisions", L(o, "What people decided", "Что решили люди"));
	/* "all" first, then each category with any comment */
	labels[nb] = L(o, "all", "все");
	for (i = 0; i <= n; i++)
		for (k = 0; k < REPORT_DEC_COLS; k++)
			rows[0][k] += r->dec[i][k];
	nb++;
	for (i = 0; i < n; i++) {
		uint64_t s = 0;

		for (k = 0; k < REPORT_DEC_COLS; k++)
			s += r->dec[i][k];
		if (!s)
			continue;
		labels[nb] = cat_name(r, i);
		memcpy(rows[nb], r->dec[i], sizeof(rows[0]));
		nb++;
	}
	for (i = 0; i < nb; i++) {
		uint64_t s = 0;

		for (k = 0; k < REPORT_DEC_COLS; k++)
			s += rows[i][k];
		for (k = 0; k < REPORT_DEC_COLS; k++)
			vals[i * REPORT_DEC_COLS + k] = s ? 100.0 * (double)rows[i][k] /
				(double)s : 0;
	}
	memset(&c, 0, sizeof(c));
	c.title = L(o, "Decisions per category (share of comments)",
		    "Решения по категориям (доля комментариев)");
	c.x_label = L(o, "share of comments", "доля комментариев");
	c.horizontal = 1;
	c.percent = 1;
	c.nbars = nb;
	c.nseries = REPORT_DEC_COLS;
	c.bar_labels = labels;
	c.series = series;
	c.values = vals;
	if (rows[0][0] + rows[0][1] + rows[0][2] + rows[0][3] + rows[0][4] +
	    rows[0][5] + rows[0][6]) {
		figure(o, c.title, &c);
		heads[0] = L(o, "category", "категория");
		for (k = 0; k < REPORT_DEC_COLS; k++) {
			snprintf(hb[k], sizeof(hb[k]), "#%s", series[k]);
			heads[k + 1] = hb[k];
		}
		heads[REPORT_DEC_COLS + 1] = L(o, "#total", "#всего");
		tbegin(o, "decisions", REPORT_DEC_COLS + 2, heads);
		for (i = 0; i < nb; i++) {
			uint64_t s = 0;
			char cell[64], p[32];

			for (k = 0; k < REPORT_DEC_COLS; k++)
				s += rows[i][k];
			trow(o);
			tcell(o, labels[i], 0, NULL);
			for (k = 0; k < REPORT_DEC_COLS; k++) {
				snprintf(cell, sizeof(cell), "%" PRIu64 " (%s)",
					 rows[i][k], pct_str(rows[i][k], s, p,
							     sizeof(p)));
				tcell(o, cell, 1, NULL);
			}
			tnum(o, s);
			trow_end(o);
		}
		tend(o);
		figure_end(o);
	} else {
		para(o, L(o, "No decisions and no drafts were read.",
			  "Ни решений, ни черновиков не прочитано."));
	}
	free(labels);
	free(rows);
	free(vals);
	h2_end(o);
}

static void speed(struct out *o, const struct report *r)
{
	size_t n = r->cats.n, i, nb = 0;
	const char *heads[] = {
		L(o, "category", "категория"), L(o, "#decided", "#решено"),
		L(o, "#median", "#медиана"), L(o, "#90th percentile",
						  "#90-й процентиль"),
		L(o, "#published", "#опубликовано"), L(o, "#median", "#медиана"),
		L(o, "#90th percentile", "#90-й процентиль")
	};
	const char *series[] = {
		L(o, "to decision, median", "до решения, медиана"),
		L(o, "to decision, 90th percentile",
		  "до решения, 90-й процентиль"),
		L(o, "to publication, median", "до публикации, медиана"),
		L(o, "to publication, 90th percentile",
		  "до публикации, 90-й процентиль")
	};
	const char **labels = malloc((n + 1) * sizeof(char *));
	double *vals = malloc((n + 1) * 4 * sizeof(double)), unit = 60, mx = 0;
	struct svg_chart c;
	char xl[96];

	if (!labels || !vals) {
		free(labels); free(vals);
		o->rc = CD_ERR_NOMEM;
		return;
	}
	h2(o, "speed", L(o, "How fast", "Как быстро"));
	para(o, L(o, "Time from the comment (created_at) to the person's "
		  "decision (the journal's ts) and to the reply's publication "
		  "(the ledger's outcome). Percentiles are nearest-rank.",
		  "Время от комментария (created_at) до решения человека (ts в "
		  "журнале) и до публикации ответа (исход в реестре "
		  "публикаций). Процентили по ближайшему рангу."));
	for (i = 0; i <= n; i++) {
		if (r->t_decide[i].p90 > mx)
			mx = (double)r->t_decide[i].p90;
		if (r->t_publish[i].p90 > mx)
			mx = (double)r->t_publish[i].p90;
	}
	if (mx >= 3 * 86400)
		unit = 86400;
	else if (mx >= 3 * 3600)
		unit = 3600;
	/* bars: all, then each category with a timing; a missing timing
	 * (-1) is no bar */
	for (i = 0; i <= n; i++) {
		size_t k = i == 0 ? n : i - 1;
		const struct rtiming *d = &r->t_decide[k], *p = &r->t_publish[k];

		if (i && !d->n && !p->n)
			continue;
		labels[nb] = i ? cat_name(r, k) : L(o, "all", "все");
		vals[nb * 4] = d->n ? (double)d->median / unit : 0;
		vals[nb * 4 + 1] = d->n ? (double)d->p90 / unit : 0;
		vals[nb * 4 + 2] = p->n ? (double)p->median / unit : 0;
		vals[nb * 4 + 3] = p->n ? (double)p->p90 / unit : 0;
		nb++;
	}
	if (r->t_decide[n].n || r->t_publish[n].n) {
		memset(&c, 0, sizeof(c));
		snprintf(xl, sizeof(xl), "%s, %s",
			 L(o, "time after the comment", "время после комментария"),
			 unit == 60 ? L(o, "minutes", "минуты") :
			 unit == 3600 ? L(o, "hours", "часы") :
			 L(o, "days", "дни"));
		c.title = L(o, "Time to decision and to publication",
			    "Время до решения и до публикации");
		c.x_label = xl;
		c.horizontal = 1;
		c.layout = SVG_GROUPED;
		c.nbars = nb;
		c.nseries = 4;
		c.bar_labels = labels;
		c.series = series;
		c.values = vals;
		figure(o, c.title, &c);
	} else {
		figure(o, L(o, "Time to decision and to publication",
			    "Время до решения и до публикации"), NULL);
	}
	tbegin(o, "speed", 7, heads);
	for (i = 0; i <= n; i++) {
		size_t k = i == 0 ? n : i - 1;  /* "all" first */
		char b[48];

		if (i && !r->t_decide[k].n && !r->t_publish[k].n)
			continue;
		trow(o);
		tcell(o, i ? cat_name(r, k) : L(o, "all", "все"), 0, NULL);
		tnum(o, r->t_decide[k].n);
		if (!o->md)
			outf(o, 0, "<td class=\"n\" data-s=\"%" PRId64 "\">",
			     r->t_decide[k].median);
		if (o->md) {
			tcell(o, dur_str(o, r->t_decide[k].median, b,
					 sizeof(b)), 1, NULL);
			tcell(o, dur_str(o, r->t_decide[k].p90, b, sizeof(b)),
			      1, NULL);
		} else {
			txt(o, dur_str(o, r->t_decide[k].median, b, sizeof(b)));
			outf(o, 0, "</td><td class=\"n\" data-s=\"%" PRId64 "\">",
			     r->t_decide[k].p90);
			txt(o, dur_str(o, r->t_decide[k].p90, b, sizeof(b)));
			raw(o, "</td>");
		}
		tnum(o, r->t_publish[k].n);
		if (o->md) {
			tcell(o, dur_str(o, r->t_publish[k].median, b,
					 sizeof(b)), 1, NULL);
			tcell(o, dur_str(o, r->t_publish[k].p90, b, sizeof(b)),
			      1, NULL);
		} else {
			outf(o, 0, "<td class=\"n\" data-s=\"%" PRId64 "\">",
			     r->t_publish[k].median);
			txt(o, dur_str(o, r->t_publish[k].median, b, sizeof(b)));
			outf(o, 0, "</td><td class=\"n\" data-s=\"%" PRId64 "\">",
			     r->t_publish[k].p90);
			txt(o, dur_str(o, r->t_publish[k].p90, b, sizeof(b)));
			raw(o, "</td>");
		}
		trow_end(o);
	}
	tend(o);
	figure_end(o);
	free(labels);
	free(vals);
	h2_end(o);
}

static void facts(struct out *o, const struct report *r)
{
	size_t n = r->facts.n, i;
	const char *series[] = { L(o, "drafts citing it", "черновики со ссылкой"),
				 L(o, "approved replies citing it",
				   "одобренные ответы со ссылкой") };
	const char *heads[] = { L(o, "fact", "факт"),
				"", "" };
	char hb[2][96];
	double *vals;
	struct svg_chart c;

	h2(o, "facts", L(o, "Facts cited", "Приведённые факты"));
	if (!n) {
		para(o, L(o, "No draft or reply cited a fact.",
			  "Ни один черновик или ответ не ссылался на факт."));
		h2_end(o);
		return;
	}
	vals = malloc(n * 2 * sizeof(double));
	if (!vals) {
		o->rc = CD_ERR_NOMEM;
		return;
	}
	for (i = 0; i < n; i++) {
		vals[i * 2] = (double)r->fact_drafted[i];
		vals[i * 2 + 1] = (double)r->fact_approved[i];
	}
	memset(&c, 0, sizeof(c));
	c.title = L(o, "How often each fact was cited",
		    "Как часто приводился каждый факт");
	c.x_label = L(o, "comments", "комментарии");
	c.horizontal = 1;
	c.layout = SVG_GROUPED;
	c.nbars = n;
	c.nseries = 2;
	c.bar_labels = (const char *const *)r->facts.name;
	c.series = series;
	c.values = vals;
	figure(o, c.title, &c);
	snprintf(hb[0], sizeof(hb[0]), "#%s", series[0]);
	snprintf(hb[1], sizeof(hb[1]), "#%s", series[1]);
	heads[1] = hb[0];
	heads[2] = hb[1];
	tbegin(o, "facts", 3, heads);
	for (i = 0; i < n; i++) {
		trow(o);
		tcell(o, r->facts.name[i], 0, NULL);
		tnum(o, r->fact_drafted[i]);
		tnum(o, r->fact_approved[i]);
		trow_end(o);
	}
	tend(o);
	figure_end(o);
	free(vals);
	h2_end(o);
}

/* Templates by edits, most first. */
static const struct report *sort_r;
static int cmp_tpl(const void *a, const void *b)
{
	const struct rtemplate *x = &sort_r->tpl[*(const size_t *)a];
	const struct rtemplate *y = &sort_r->tpl[*(const size_t *)b];

	if (x->edited != y->edited)
		return x->edited < y->edited ? 1 : -1;
	return strcmp(sort_r->tpls.name[*(const size_t *)a],
		      sort_r->tpls.name[*(const size_t *)b]);
}

struct corr { size_t cat; uint64_t decided, changed, top_n; size_t top; };

static int cmp_corr(const void *a, const void *b)
{
	const struct corr *x = a, *y = b;
	double fx = x->decided ? (double)x->changed / (double)x->decided : 0;
	double fy = y->decided ? (double)y->changed / (double)y->decided : 0;

	if (x->changed != y->changed)
		return x->changed < y->changed ? 1 : -1;
	return (fx < fy) - (fx > fy);
}

static void learn(struct out *o, const struct report *r)
{
	size_t n = r->tpls.n, i, k, ncat = r->cats.n;
	size_t *ord = malloc((n + 1) * sizeof(size_t));
	struct corr *cr = calloc(ncat + 1, sizeof(*cr));
	const char *th[] = {
		L(o, "template", "шаблон"), L(o, "#drafted", "#черновиков"),
		L(o, "#approved", "#одобрено"), L(o, "#edited", "#исправлено"),
		L(o, "#edited, share of approved", "#доля исправленных")
	};
	const char *ch[] = {
		L(o, "the model said", "модель сказала"),
		L(o, "#decided", "#решено"), L(o, "#changed", "#изменено"),
		L(o, "#share", "#доля"),
		L(o, "most often changed to", "чаще всего на")
	};
	const char *uh[] = {
		L(o, "category", "категория"), L(o, "#undecided", "#без решения"),
		L(o, "for example", "например")
	};
	char b[64];

	if (!ord || !cr) {
		free(ord); free(cr);
		o->rc = CD_ERR_NOMEM;
		return;
	}
	h2(o, "learn", L(o, "What to learn", "Что извлечь"));
	/* templates most edited */
	h3(o, L(o, "Templates people edited most", "Шаблоны, которые чаще "
		 "всего правили"));
	for (i = 0; i < n; i++)
		ord[i] = i;
	sort_r = r;
	qsort(ord, n, sizeof(size_t), cmp_tpl);
	if (!n || !r->tpl[ord[0]].edited) {
		para(o, L(o, "No approved reply was edited.",
			  "Ни один одобренный ответ не правили."));
	} else {
		const struct rtemplate *t = &r->tpl[ord[0]];

		tbegin(o, "templates", 5, th);
		for (i = 0; i < n && i < TOP_TEMPLATES; i++) {
			const struct rtemplate *x = &r->tpl[ord[i]];

			if (!x->edited)
				break;
			trow(o);
			tcell(o, r->tpls.name[ord[i]], 0, NULL);
			tnum(o, x->drafted);
			tnum(o, x->approved);
			tnum(o, x->edited);
			tcell(o, pct_str(x->edited, x->approved, b, sizeof(b)),
			      1, NULL);
			trow_end(o);
		}
		tend(o);
		if (t->after) {
			char p[200];

			snprintf(p, sizeof(p), "%s %s:", L(o, "An edit of",
							  "Правка шаблона"),
				 r->tpls.name[ord[0]]);
			para(o, p);
			if (o->md) {
				raw(o, "\n> **");
				txt(o, L(o, "before", "было"));
				raw(o, ":** ");
				txt(o, t->before ? t->before :
				    L(o, "(draft not read)",
				      "(черновик не прочитан)"));
				raw(o, "\n>\n> **");
				txt(o, L(o, "after", "стало"));
				raw(o, ":** ");
				txt(o, t->after);
				raw(o, "\n");
			} else {
				raw(o, "<blockquote class=\"before\"><b>");
				txt(o, L(o, "before", "было"));
				raw(o, ":</b> ");
				txt(o, t->before ? t->before :
				    L(o, "(draft not read)",
				      "(черновик не прочитан)"));
				raw(o, "</blockquote><blockquote class=\"after\">"
				    "<b>");
				txt(o, L(o, "after", "стало"));
				raw(o, ":</b> ");
				txt(o, t->after);
				raw(o, "</blockquote>\n");
			}
		}
	}
	/* categories most corrected */
	h3(o, L(o, "Categories people corrected most",
		"Категории, которые чаще всего исправляли"));
	for (i = 0; i < ncat; i++) {
		cr[i].cat = i;
		for (k = 0; k < ncat; k++) {
			uint64_t v = r->confusion[i * (ncat + 1) + k];

			cr[i].decided += v;
			if (k != i) {
				cr[i].changed += v;
				if (v > cr[i].top_n) {
					cr[i].top_n = v;
					cr[i].top = k;
				}
			}
		}
	}
	qsort(cr, ncat, sizeof(*cr), cmp_corr);
	if (!ncat || !cr[0].changed) {
		para(o, L(o, "No category was changed by a person.",
			  "Ни одну категорию человек не менял."));
	} else {
		tbegin(o, "corrected", 5, ch);
		for (i = 0; i < ncat && cr[i].changed; i++) {
			trow(o);
			tcell(o, cat_name(r, cr[i].cat), 0, NULL);
			tnum(o, cr[i].decided);
			tnum(o, cr[i].changed);
			tcell(o, pct_str(cr[i].changed, cr[i].decided, b,
					 sizeof(b)), 1, NULL);
			tcell(o, cat_name(r, cr[i].top), 0, NULL);
			trow_end(o);
		}
		tend(o);
	}
	/* still undecided */
	h3(o, L(o, "Comments still undecided", "Комментарии ещё без решения"));
	if (!r->tot.undecided) {
		para(o, L(o, "Every drafted comment has a decision.",
			  "У каждого комментария с черновиком есть решение."));
	} else {
		tbegin(o, "undecided", 3, uh);
		for (i = 0; i <= ncat; i++) {
			uint64_t u = r->dec[i][REPORT_DEC_UNDECIDED];

			if (!u)
				continue;
			trow(o);
			tcell(o, i < ncat ? cat_name(r, i) : "?", 0, NULL);
			tnum(o, u);
			raw(o, o->md ? " " : "<td>");
			for (k = 0; i < ncat && k < r->nsamples[i]; k++) {
				outf(o, 1, "%s%s: ", k ? "; " : "",
				     r->samples[i][k].id);
				txt(o, r->samples[i][k].text);
			}
			raw(o, o->md ? " |" : "</td>");
			trow_end(o);
		}
		tend(o);
	}
	h2_end(o);
	free(ord);
	free(cr);
}

static void foot(struct out *o)
{
	if (o->md) {
		raw(o, "\n");
		return;
	}
	raw(o, "<p class=\"note\">");
	txt(o, L(o, "Made by candor report. Every chart's numbers are in the "
		 "table below it. Times are UTC.",
		 "Составлено candor report. Числа каждого графика — в таблице "
		 "под ним. Время — UTC."));
	raw(o, "</p>\n</body></html>\n");
}

int report_write(const struct report *r, enum report_format fmt,
		 int (*write)(void *ctx, const char *p, size_t n), void *ctx,
		 struct cd_error *err)
{
	struct out o;

	if (!r->finished)
		return cd_error_set(err, CD_ERR_USAGE, 0, "report_finish was "
				    "not called");
	memset(&o, 0, sizeof(o));
	cd_buf_init(&o.b, OUT_MAX);
	o.write = write;
	o.ctx = ctx;
	o.md = fmt == REPORT_MARKDOWN;
	o.lang = r->p.lang;
	head(&o, r);
	summary(&o, r);
	over_time(&o, r);
	confidence(&o, r);
	words(&o, r);
	tone(&o, r);
	decisions(&o, r);
	speed(&o, r);
	facts(&o, r);
	learn(&o, r);
	foot(&o);
	flush(&o, 1);
	cd_buf_release(&o.b);
	switch (o.rc) {
	case 0:
		return 0;
	case CD_ERR_IO:
		return cd_error_set(err, CD_ERR_IO, 0, "cannot write the report");
	case CD_ERR_NOMEM:
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	default:
		return cd_error_set(err, CD_ERR_LIMIT, 0, "a section of the "
				    "report is larger than %u bytes", OUT_MAX);
	}
}

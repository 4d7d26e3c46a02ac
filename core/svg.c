/*
 * svg.c - bar charts as inline SVG (see svg.h).
 *
 * Geometry: a chart is 720 units wide and as tall as it needs; the page
 * scales it through the viewBox.  Text is 12 units high and taken to be
 * 7 units wide per character for layout (a sans-serif average), which is
 * enough to keep labels from overlapping: x labels are thinned to every
 * k-th bar and long bar labels are cut with an ellipsis.
 */
#include "svg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define W 720.0
#define CHAR_W 7.0
#define LEGEND_ROW 20.0

/* Okabe & Ito (2008) without black, then Paul Tol's muted scheme. */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7",
	"#F0E442", "#999999",
	"#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255",
	"#44AA99", "#999933", "#AA4499"
};

const char *svg_colour(size_t i)
{
	return palette[i % (sizeof(palette) / sizeof(palette[0]))];
}

void svg_ticks(double max, int target, int integer, double *step,
	       double *top)
{
	static const double mult[] = { 1, 2, 5, 10 };
	double raw, mag, s = 1;
	size_t i;

	if (target < 1)
		target = 1;
	if (!(max > 0) || !isfinite(max)) {
		*step = 1;
		*top = 1;
		return;
	}
	raw = max / target;
	mag = pow(10, floor(log10(raw)));
	for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
		s = mult[i] * mag;
		if (ceil(max / s - 1e-9) <= target)
			break;
	}
	if (integer && s < 1)
		s = 1;
	*step = s;
	*top = ceil(max / s - 1e-9) * s;
	if (*top < s)
		*top = s;
}

char *svg_num(char *out, double v, int digits)
{
	char *p;

	if (digits < 0)
		digits = 0;
	if (digits > 6)
		digits = 6;
	if (fabs(v) < 5e-7)
		v = 0;
	snprintf(out, 32, "%.*f", digits, v);
	p = strchr(out, '.');
	if (p) {
		char *e = out + strlen(out) - 1;

		while (e > p && *e == '0')
			*e-- = '\0';
		if (e == p)
			*e = '\0';
	}
	return out;
}

/* Length of the UTF-8 sequence at s (n bytes left) and its code point;
 * 0 when it is not valid UTF-8. */
static size_t utf8_one(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, c &= 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10FFFF)))
		return 0;
	*cp = c;
	return len;
}

/* Escape at most maxcp code points of s; "…" when cut (maxcp 0: all). */
static int esc_cut(struct cd_buf *b, const char *s, size_t len, size_t maxcp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, ncp = 0, k;
	uint32_t cp;
	int rc = 0;

	while (i < len && !rc) {
		if (maxcp && ncp == maxcp) {
			return cd_buf_addstr(b, "\xE2\x80\xA6");
		}
		k = utf8_one(u + i, len - i, &cp);
		ncp++;
		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n' &&
			   cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) {
			rc = cd_buf_addstr(b, "\xEF\xBF\xBD");
			i += k ? k : 1;
			continue;
		}
		switch (cp) {
		case '&': rc = cd_buf_addstr(b, "&amp;"); break;
		case '<': rc = cd_buf_addstr(b, "&lt;"); break;
		case '>': rc = cd_buf_addstr(b, "&gt;"); break;
		case '"': rc = cd_buf_addstr(b, "&quot;"); break;
		case '\'': rc = cd_buf_addstr(b, "&#39;"); break;
		default: rc = cd_buf_add(b, s + i, k);
		}
		i += k;
	}
	return rc;
}

int svg_esc(struct cd_buf *b, const char *s, size_t len)
{
	return esc_cut(b, s, len, 0);
}

static size_t ncp(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static double val(const struct svg_chart *c, size_t bar, size_t s)
{
	double v = c->values[bar * c->nseries + s];

	return isfinite(v) && v > 0 ? v : 0;
}

/* The largest bar (stacked: the sum; grouped: the largest value). */
static double max_value(const struct svg_chart *c)
{
	double m = 0, sum, v;
	size_t i, s;

	for (i = 0; i < c->nbars; i++) {
		sum = 0;
		for (s = 0; s < c->nseries; s++) {
			v = val(c, i, s);
			if (c->layout == SVG_STACKED)
				sum += v;
			else if (v > sum)
				sum = v;
		}
		if (sum > m)
			m = sum;
	}
	return m;
}

/* Lay the legend out in rows from y; returns the height used. */
static int legend(struct cd_buf *b, const struct svg_chart *c, double y,
		  double *height)
{
	double x = 8, w;
	size_t s, n = c->nseries + (c->marks && c->mark_label ? 1 : 0);
	char nb[3][32];
	int rc = 0, rows = 1;

	rc |= cd_buf_addstr(b, "<g class=\"legend\">");
	for (s = 0; s < n && !rc; s++) {
		int is_mark = s == c->nseries;
		const char *name = is_mark ? c->mark_label : c->series[s];

		w = 22 + CHAR_W * (double)ncp(name) + 14;
		if (x + w > W && x > 8) {
			x = 8;
			y += LEGEND_ROW;
			rows++;
		}
		if (is_mark)
			rc |= cd_buf_addf(b, "<path d=\"M%s %sl6 -10l6 10z\" "
					  "fill=\"#000\"/>",
					  svg_num(nb[0], x, 1),
					  svg_num(nb[1], y + 11, 1));
		else
			rc |= cd_buf_addf(b, "<rect x=\"%s\" y=\"%s\" width=\"12\" "
					  "height=\"12\" fill=\"%s\"/>",
					  svg_num(nb[0], x, 1),
					  svg_num(nb[1], y, 1), svg_colour(s));
		rc |= cd_buf_addf(b, "<text x=\"%s\" y=\"%s\">",
				  svg_num(nb[2], x + 18, 1),
				  svg_num(nb[1], y + 10, 1));
		rc |= svg_esc(b, name, strlen(name));
		rc |= cd_buf_addstr(b, "</text>");
		x += w;
	}
	rc |= cd_buf_addstr(b, "</g>");
	*height = rows * LEGEND_ROW + 6;
	return rc ? CD_ERR_LIMIT : 0;
}

static int bar_title(struct cd_buf *b, const struct svg_chart *c, size_t i,
		     size_t s, double v)
{
	char nb[32];
	int rc = 0;

	rc |= cd_buf_addstr(b, "<title>");
	rc |= svg_esc(b, c->bar_labels[i], strlen(c->bar_labels[i]));
	rc |= cd_buf_addstr(b, ": ");
	rc |= svg_esc(b, c->series[s], strlen(c->series[s]));
	rc |= cd_buf_addf(b, " %s%s</title>", svg_num(nb, v, 2),
			  c->percent ? "%" : "");
	return rc;
}

static int axis_label(struct cd_buf *b, double x, double y, int rotate,
		      const char *text)
{
	char nb[2][32];
	int rc = 0;

	if (!text || !*text)
		return 0;
	rc |= cd_buf_addf(b, "<text class=\"label\" x=\"%s\" y=\"%s\" "
			  "text-anchor=\"middle\"",
			  svg_num(nb[0], x, 1), svg_num(nb[1], y, 1));
	if (rotate)
		rc |= cd_buf_addf(b, " transform=\"rotate(-90 %s %s)\"",
				  nb[0], nb[1]);
	rc |= cd_buf_addstr(b, ">");
	rc |= svg_esc(b, text, strlen(text));
	rc |= cd_buf_addstr(b, "</text>");
	return rc;
}

static int digits_of(double step)
{
	return step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
}

static int vertical(struct cd_buf *b, const struct svg_chart *c, double top,
		    double step, double leg_h)
{
	const double left = 60, right = 12, plot_h = 220;
	double y0 = leg_h + 10, x0 = left, pw = W - left - right;
	double base = y0 + plot_h, band = pw / (double)c->nbars;
	double bw = band * 0.8, t, x, y, h, v;
	size_t i, s, every = c->label_every, maxlab = 0;
	char nb[4][32];
	int rc = 0, dg = digits_of(step);

	for (i = 0; i < c->nbars; i++)
		if (ncp(c->bar_labels[i]) > maxlab)
			maxlab = ncp(c->bar_labels[i]);
	if (!every) {
		every = (size_t)ceil((CHAR_W * (double)maxlab + 10) / band);
		if (every < 1)
			every = 1;
	}
	/* grid and ticks */
	for (t = 0; t <= top + step / 2; t += step) {
		y = base - t / top * plot_h;
		rc |= cd_buf_addf(b, "<line class=\"grid\" x1=\"%s\" y1=\"%s\" "
				  "x2=\"%s\" y2=\"%s\"/>",
				  svg_num(nb[0], x0, 1), svg_num(nb[1], y, 1),
				  svg_num(nb[2], x0 + pw, 1), nb[1]);
		rc |= cd_buf_addf(b, "<text x=\"%s\" y=\"%s\" "
				  "text-anchor=\"end\">%s%s</text>",
				  svg_num(nb[0], x0 - 6, 1),
				  svg_num(nb[1], y + 4, 1),
				  svg_num(nb[2], t, dg), c->percent ? "%" : "");
	}
	/* bars */
	for (i = 0; i < c->nbars && !rc; i++) {
		double acc = 0;

		x = x0 + band * (double)i + (band - bw) / 2;
		for (s = 0; s < c->nseries; s++) {
			v = val(c, i, s);
			if (!(v > 0))
				continue;
			h = v / top * plot_h;
			if (c->layout == SVG_STACKED) {
				y = base - (acc + v) / top * plot_h;
				acc += v;
				rc |= cd_buf_addf(b, "<rect x=\"%s\" y=\"%s\" "
						  "width=\"%s\" height=\"%s\" "
						  "fill=\"%s\">",
						  svg_num(nb[0], x, 2),
						  svg_num(nb[1], y, 2),
						  svg_num(nb[2], bw, 2),
						  svg_num(nb[3], h, 2),
						  svg_colour(s));
			} else {
				double gw = bw / (double)c->nseries;

				rc |= cd_buf_addf(b, "<rect x=\"%s\" y=\"%s\" "
						  "width=\"%s\" height=\"%s\" "
						  "fill=\"%s\">",
						  svg_num(nb[0], x + gw *
							  (double)s, 2),
						  svg_num(nb[1], base - h, 2),
						  svg_num(nb[2], gw, 2),
						  svg_num(nb[3], h, 2),
						  svg_colour(s));
			}
			rc |= bar_title(b, c, i, s, v);
			rc |= cd_buf_addstr(b, "</rect>");
		}
		if (c->marks && c->marks[i]) {
			double top_y = base - (c->layout == SVG_STACKED ? acc :
					       max_value(c)) / top * plot_h;

			rc |= cd_buf_addf(b, "<path class=\"mark\" d=\"M%s %sl6 "
					  "-10l6 10z\" fill=\"#000\"><title>",
					  svg_num(nb[0], x + bw / 2 - 6, 2),
					  svg_num(nb[1], top_y - 3, 2));
			rc |= svg_esc(b, c->bar_labels[i],
				      strlen(c->bar_labels[i]));
			if (c->mark_label) {
				rc |= cd_buf_addstr(b, ": ");
				rc |= svg_esc(b, c->mark_label,
					      strlen(c->mark_label));
			}
			rc |= cd_buf_addstr(b, "</title></path>");
		}
		if (i % every == 0) {
			rc |= cd_buf_addf(b, "<text x=\"%s\" y=\"%s\" "
					  "text-anchor=\"middle\">",
					  svg_num(nb[0], x + bw / 2, 1),
					  svg_num(nb[1], base + 16, 1));
			rc |= svg_esc(b, c->bar_labels[i],
				      strlen(c->bar_labels[i]));
			rc |= cd_buf_addstr(b, "</text>");
		}
	}
	/* axes */
	rc |= cd_buf_addf(b, "<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" "
			  "y2=\"%s\"/>", svg_num(nb[0], x0, 1),
			  svg_num(nb[1], base, 1), svg_num(nb[2], x0 + pw, 1),
			  nb[1]);
	rc |= cd_buf_addf(b, "<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" "
			  "y2=\"%s\"/>", nb[0], svg_num(nb[1], y0, 1), nb[0],
			  svg_num(nb[3], base, 1));
	rc |= axis_label(b, x0 + pw / 2, base + 40, 0, c->x_label);
	rc |= axis_label(b, 14, y0 + plot_h / 2, 1, c->y_label);
	return rc ? CD_ERR_LIMIT : 0;
}

static int horizontal(struct cd_buf *b, const struct svg_chart *c,
		      double top, double step, double leg_h, double lab_w,
		      size_t lab_cp, double band)
{
	const double right = 16;
	double y0 = leg_h + 6, x0 = lab_w + 12, pw = W - x0 - right;
	double ph = band * (double)c->nbars, bh, t, x, y, w, v;
	size_t i, s;
	char nb[4][32];
	int rc = 0, dg = digits_of(step);

	bh = c->layout == SVG_STACKED ? band * 0.7 :
		band * 0.8 / (double)c->nseries;
	for (t = 0; t <= top + step / 2; t += step) {
		x = x0 + t / top * pw;
		rc |= cd_buf_addf(b, "<line class=\"grid\" x1=\"%s\" y1=\"%s\" "
				  "x2=\"%s\" y2=\"%s\"/>",
				  svg_num(nb[0], x, 1), svg_num(nb[1], y0, 1),
				  nb[0], svg_num(nb[2], y0 + ph, 1));
		rc |= cd_buf_addf(b, "<text x=\"%s\" y=\"%s\" "
				  "text-anchor=\"middle\">%s%s</text>",
				  nb[0], svg_num(nb[1], y0 + ph + 16, 1),
				  svg_num(nb[3], t, dg), c->percent ? "%" : "");
	}
	for (i = 0; i < c->nbars && !rc; i++) {
		double acc = 0, yb = y0 + band * (double)i;

		rc |= cd_buf_addf(b, "<text x=\"%s\" y=\"%s\" "
				  "text-anchor=\"end\">",
				  svg_num(nb[0], x0 - 6, 1),
				  svg_num(nb[1], yb + band / 2 + 4, 1));
		rc |= esc_cut(b, c->bar_labels[i], strlen(c->bar_labels[i]),
			      lab_cp);
		rc |= cd_buf_addstr(b, "</text>");
		for (s = 0; s < c->nseries; s++) {
			v = val(c, i, s);
			if (!(v > 0))
				continue;
			w = v / top * pw;
			if (c->layout == SVG_STACKED) {
				x = x0 + acc / top * pw;
				y = yb + (band - bh) / 2;
				acc += v;
			} else {
				x = x0;
				y = yb + band * 0.1 + bh * (double)s;
			}
			rc |= cd_buf_addf(b, "<rect x=\"%s\" y=\"%s\" width=\"%s\" "
					  "height=\"%s\" fill=\"%s\">",
					  svg_num(nb[0], x, 2),
					  svg_num(nb[1], y, 2),
					  svg_num(nb[2], w, 2),
					  svg_num(nb[3], bh, 2), svg_colour(s));
			rc |= bar_title(b, c, i, s, v);
			rc |= cd_buf_addstr(b, "</rect>");
		}
	}
	rc |= cd_buf_addf(b, "<line class=\"axis\" x1=\"%s\" y1=\"%s\" x2=\"%s\" "
			  "y2=\"%s\"/>", svg_num(nb[0], x0, 1),
			  svg_num(nb[1], y0, 1), nb[0],
			  svg_num(nb[2], y0 + ph, 1));
	rc |= axis_label(b, x0 + pw / 2, y0 + ph + 40, 0, c->x_label);
	return rc ? CD_ERR_LIMIT : 0;
}

int svg_bar_chart(struct cd_buf *b, const struct svg_chart *c)
{
	double top, step, leg_h, height, lab_w = 0, band = 0;
	size_t i, lab_cp = 0;
	char nb[2][32];
	int rc = 0;

	if (!c->nbars || !c->nseries || c->nbars > SVG_MAX_BARS ||
	    c->nseries > SVG_MAX_SERIES || !c->values || !c->bar_labels ||
	    !c->series)
		return CD_ERR_USAGE;
	if (c->percent) {
		top = 100;
		step = 20;
	} else {
		svg_ticks(max_value(c), c->horizontal ? 5 : 6, 1, &step, &top);
	}
	/* the legend goes first; measure it by writing it to a scratch
	 * buffer would cost a copy, so lay it out twice instead */
	{
		struct cd_buf scratch;

		cd_buf_init(&scratch, b->max);
		rc = legend(&scratch, c, 0, &leg_h);
		cd_buf_release(&scratch);
		if (rc)
			return rc;
	}
	if (c->horizontal) {
		for (i = 0; i < c->nbars; i++)
			if (ncp(c->bar_labels[i]) > lab_cp)
				lab_cp = ncp(c->bar_labels[i]);
		if (lab_cp > 26)
			lab_cp = 26;
		lab_w = CHAR_W * (double)lab_cp + 4;
		band = c->layout == SVG_STACKED ? 24 :
			(double)c->nseries * 12 + 8;
		height = leg_h + 6 + band * (double)c->nbars + 50;
	} else {
		height = leg_h + 10 + 220 + 50;
	}
	rc |= cd_buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			  "viewBox=\"0 0 720 %s\" role=\"img\" "
			  "font-family=\"sans-serif\" font-size=\"12\" "
			  "preserveAspectRatio=\"xMinYMin meet\">",
			  svg_num(nb[0], ceil(height), 0));
	(void)nb[1];
	rc |= cd_buf_addstr(b, "<title>");
	if (c->title)
		rc |= svg_esc(b, c->title, strlen(c->title));
	rc |= cd_buf_addstr(b, "</title>");
	rc |= cd_buf_addstr(b, "<style>.grid{stroke:#ddd;stroke-width:1}"
			    ".axis{stroke:#333;stroke-width:1}"
			    "text{fill:#222}text.label{font-weight:bold}"
			    "</style>");
	if (rc)
		return CD_ERR_LIMIT;
	rc = legend(b, c, 4, &leg_h);
	if (rc)
		return rc;
	leg_h += 4;
	if (c->horizontal)
		rc = horizontal(b, c, top, step, leg_h, lab_w, lab_cp, band);
	else
		rc = vertical(b, c, top, step, leg_h);
	if (rc)
		return rc;
	return cd_buf_addstr(b, "</svg>") ? CD_ERR_LIMIT : 0;
}

/*
 * svg.h - bar charts as inline SVG, written by hand into a cd_buf.
 *
 * The report's charts are all bars: counts over time (vertical, stacked),
 * a histogram (vertical, stacked), and shares or counts per category
 * (horizontal, stacked or grouped).  One function draws them all from a
 * table of values, with axes, ticks at round numbers (svg_ticks), a
 * legend and a colour-blind-safe palette (Okabe and Ito 2008, then Paul
 * Tol's "muted" scheme).  The output is well-formed XML (it parses with
 * any XML parser) and scales to its container through its viewBox.
 *
 * Text is escaped for XML; bytes that are not valid UTF-8 and control
 * characters XML forbids become U+FFFD.  Nothing here allocates beyond
 * the caller's buffer, whose cap bounds the output.
 */
#ifndef CANDOR_SVG_H
#define CANDOR_SVG_H

#include <stddef.h>

#include "buf.h"

#define SVG_MAX_SERIES 32
#define SVG_MAX_BARS 400

/*
 * Round tick spacing for an axis from 0 to max: a step of 1, 2 or 5 times
 * a power of ten giving at most `target` steps (target >= 1), and the
 * axis top, the smallest multiple of the step >= max.  With integer, the
 * step is at least 1 (for counts).  max <= 0 gives step 1 and top 1.
 */
void svg_ticks(double max, int target, int integer, double *step,
	       double *top);

/* The palette colour of series i ("#RRGGBB"), cycling after 17. */
const char *svg_colour(size_t i);

/*
 * Append s (len bytes) escaped for XML text and attributes (&, <, >, ",
 * ' as references; invalid UTF-8 and forbidden control characters as
 * U+FFFD).  0 or a cd_buf status.
 */
int svg_esc(struct cd_buf *b, const char *s, size_t len);

/*
 * Write v with at most `digits` decimals, trailing zeros dropped, into
 * out (at least 32 bytes).  Returns out.
 */
char *svg_num(char *out, double v, int digits);

enum svg_layout {
	SVG_STACKED,    /* the series of a bar on top of each other */
	SVG_GROUPED     /* side by side */
};

struct svg_chart {
	const char *title;              /* the chart's <title> (accessible) */
	const char *x_label;            /* below the value axis or bars */
	const char *y_label;
	int horizontal;                 /* bars grow to the right */
	enum svg_layout layout;
	int percent;                    /* values are % (axis 0..100) */
	size_t nbars, nseries;          /* at most SVG_MAX_BARS, _SERIES */
	const char *const *bar_labels;  /* nbars */
	const char *const *series;      /* nseries legend names */
	const double *values;           /* nbars * nseries, bar by bar */
	/*
	 * Optional, vertical charts only: marks[i] nonzero draws a marker
	 * above bar i, with mark_label in the legend and its tooltip.
	 */
	const unsigned char *marks;
	const char *mark_label;
	size_t label_every;             /* label every k-th bar (0: auto) */
};

/*
 * Append the chart as one <svg> element.  CD_ERR_USAGE for a chart with
 * no bars or series or over the caps, else 0 or a cd_buf status.
 */
int svg_bar_chart(struct cd_buf *b, const struct svg_chart *c);

#endif

/*
 * test_monitor.c - the spike detector (core/monitor.h): the Poisson tail
 * against direct sums, every level change and the all-clear, the
 * cool-down (one spike, one alert; a new one only when the level rises),
 * the share rule of `crisis`, `safety` at once, the long span that catches
 * a slow rise, the time-of-day profile, late records, examples and shares,
 * and the limits.  Streams are built window by window with known counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define W 300                   /* the default window */
#define T0 1767225600           /* 2026-01-01T00:00:00Z, a window edge */
#define MAX_EV 512

struct ev {
	int64_t ts;
	enum monitor_level level;
	char series[MONITOR_NAME_MAX];
	long count, span;
	double baseline, p, negative_share;
	int at_once;
	size_t nexamples;
	char examples[MONITOR_EXAMPLES][MONITOR_ID_MAX];
	size_t nshares;
	double share_sum;
	char top_share[MONITOR_NAME_MAX];
};

static struct ev evs[MAX_EV];
static size_t nev;

static void on_event(void *ctx, const struct monitor_event *e)
{
	struct ev *v;
	size_t i;

	(void)ctx;
	assert_true(nev < MAX_EV);
	v = &evs[nev++];
	memset(v, 0, sizeof(*v));
	v->ts = e->ts;
	v->level = e->level;
	snprintf(v->series, sizeof(v->series), "%s", e->series);
	v->count = e->count;
	v->span = e->span;
	v->baseline = e->baseline;
	v->p = e->p;
	v->negative_share = e->negative_share;
	v->at_once = e->at_once;
	v->nexamples = e->nexamples;
	for (i = 0; i < e->nexamples; i++)
		snprintf(v->examples[i], MONITOR_ID_MAX, "%s", e->examples[i]);
	v->nshares = e->nshares;
	for (i = 0; i < e->nshares; i++)
		v->share_sum += e->shares[i].share;
	if (e->nshares)
		snprintf(v->top_share, sizeof(v->top_share), "%s",
			 e->shares[0].category);
}

/*
 * The defaults with the plain Poisson test and the long half-life from the
 * start (no time-of-day profile), so the tests can name exact counts.
 */
static void poisson_params(struct monitor_params *p)
{
	monitor_params_default(p);
	p->dispersion = 0;
	p->profile_days = 0;
}

static struct monitor *mk(const struct monitor_params *p)
{
	struct cd_error err;
	struct monitor *m = monitor_new(p, on_event, NULL, &err);

	assert_non_null(m);
	nev = 0;
	return m;
}

/* n records of category cat (flag: NULL or one flag) spread over window k. */
static void feed(struct monitor *m, long k, const char *cat, const char *flag,
		 long n)
{
	struct cd_error err;
	const char *flags[1] = { flag };
	char id[32];
	long i;

	for (i = 0; i < n; i++) {
		int64_t t = T0 + k * W + (i * W) / (n + 1);

		snprintf(id, sizeof(id), "%s-%ld-%ld", cat ? cat : flag, k, i);
		assert_int_equal(monitor_add(m, t, id, cat, flags, flag ? 1 : 0,
					     &err), 0);
	}
}

/* Windows [from, to) with complaint c and other o records each. */
static void steady(struct monitor *m, long from, long to, long c, long o)
{
	long k;

	for (k = from; k < to; k++) {
		feed(m, k, "complaint", NULL, c);
		feed(m, k, "other", NULL, o);
	}
}

static void test_poisson_tail(void **state)
{
	static const struct { long k; double mean; } cases[] = {
		{ 1, 0.5 }, { 5, 0.5 }, { 10, 2 }, { 11, 2 }, { 50, 2 },
		{ 3, 10 }, { 10, 10 }, { 30, 10 }, { 200, 100 }, { 80, 100 },
		{ 120, 40.5 },
	};
	size_t i;

	(void)state;
	assert_true(monitor_poisson_tail(0, 3) == 1);
	assert_true(monitor_poisson_tail(-2, 3) == 1);
	assert_true(monitor_poisson_tail(1, 0) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long k = cases[i].k, j;
		double mean = cases[i].mean, got, tail = 0, head = 0;
		long double term;

		/* direct sums in long double: upper tail from k, head below */
		term = expl(-(long double)mean);
		for (j = 0; j < k + 2000; j++) {
			if (j < k)
				head += (double)term;
			else
				tail += (double)term;
			term *= (long double)mean / (long double)(j + 1);
		}
		got = monitor_poisson_tail(k, mean);
		if (tail < 0.5)
			assert_true(fabs(got - tail) <= 1e-9 * tail + 1e-300);
		else
			assert_true(fabs(got - (1 - head)) <= 1e-9);
	}
	/* a known value: P(X >= 10 | 2) = 4.6498e-5 */
	assert_true(fabs(monitor_poisson_tail(10, 2) - 4.6498e-5) < 1e-8);
}

static void test_negative_binomial_tail(void **state)
{
	static const struct { long k; double mean, disp; } cases[] = {
		{ 10, 2, 0.02 }, { 30, 5, 0.5 }, { 80, 30, 0.02 }, { 5, 8, 0.1 },
		{ 400, 200, 0.02 }, { 1, 0.5, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long k = cases[i].k, j;
		double mean = cases[i].mean, r = 1 / cases[i].disp;
		double q = mean / (r + mean), got, tail = 0, head = 0;
		long double term = powl(1 - (long double)q, (long double)r);

		/* pmf(j) = C(j + r - 1, j) (1 - q)^r q^j, summed directly */
		for (j = 0; j < k + 20000; j++) {
			if (j < k)
				head += (double)term;
			else
				tail += (double)term;
			term *= (long double)q * ((long double)j + (long double)r) /
				(long double)(j + 1);
		}
		got = monitor_tail(k, mean, cases[i].disp);
		if (tail < 0.5)
			assert_true(fabs(got - tail) <= 1e-8 * tail + 1e-300);
		else
			assert_true(fabs(got - (1 - head)) <= 1e-9);
		/* wider than Poisson in the far tail (not at 1: more zeros) */
		if (k > 2 * mean + 2)
			assert_true(got > monitor_poisson_tail(k, mean));
	}
	/* dispersion 0 is Poisson; a tiny one nearly so */
	assert_true(monitor_tail(10, 2, 0) == monitor_poisson_tail(10, 2));
	assert_true(fabs(monitor_tail(10, 2, 1e-9) - monitor_poisson_tail(10, 2))
		    < 1e-9);
}

static void test_steady_stream_is_quiet(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	long k;

	(void)state;
	monitor_params_default(&p);
	m = mk(&p);
	/* a week at 2..4 complaints and 3 others a window, no spike */
	for (k = 0; k < 7 * 288; k++) {
		feed(m, k, "complaint", NULL, 2 + k % 3);
		feed(m, k, "other", NULL, 3);
	}
	assert_int_equal(nev, 0);
	monitor_free(m);
}

/* watch -> alert -> crisis, nothing while it stays, all-clear after it */
static void test_levels_cooldown_all_clear(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	long k;

	(void)state;
	poisson_params(&p);
	p.long_windows = 1;             /* the single-window test alone */
	m = mk(&p);
	/* 10 hours: the mean weighs windows by its half-life, no longer
	   as a plain average of the first ones */
	steady(m, -96, 24, 2, 2);
	assert_int_equal(nev, 0);
	/* P(X >= 11 | 2) = 8.3e-6: watch */
	steady(m, 24, 25, 11, 2);
	monitor_advance(m, T0 + 25 * W);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].level, MONITOR_WATCH);
	assert_string_equal(evs[0].series, "complaint");
	assert_int_equal(evs[0].count, 11);
	assert_true(evs[0].ts == T0 + 25 * W);
	assert_int_equal(evs[0].span, W);
	assert_true(evs[0].p < 1e-5 && evs[0].p > 1e-7);
	assert_true(evs[0].baseline > 1.9 && evs[0].baseline < 2.2);
	/* the same count again: the level does not rise, no event */
	steady(m, 25, 26, 11, 2);
	monitor_advance(m, T0 + 26 * W);
	assert_int_equal(nev, 1);
	/* P(X >= 14 | ~2.1) = 5e-8: alert */
	steady(m, 26, 27, 14, 2);
	monitor_advance(m, T0 + 27 * W);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[1].level, MONITOR_ALERT);
	/* a lower count while alerting: no event (one spike, one alert) */
	steady(m, 27, 28, 11, 2);
	monitor_advance(m, T0 + 28 * W);
	assert_int_equal(nev, 2);
	/* 25 complaints, 2 others: far tail and 93% negative: crisis */
	steady(m, 28, 29, 25, 2);
	monitor_advance(m, T0 + 29 * W);
	assert_int_equal(nev, 3);
	assert_int_equal(evs[2].level, MONITOR_CRISIS);
	assert_true(evs[2].negative_share > 0.9);
	assert_int_equal(evs[2].nshares, 2);
	assert_string_equal(evs[2].top_share, "complaint");
	assert_true(fabs(evs[2].share_sum - 1) < 1e-9);
	assert_int_equal(evs[2].nexamples, 3);
	assert_string_equal(evs[2].examples[0], "complaint-28-24");
	assert_string_equal(evs[2].examples[2], "complaint-28-22");
	steady(m, 29, 30, 25, 2);
	/* back to normal: calm windows, but the cool-down (1800 s after the
	   last raise at window 29) holds the all-clear until window 35 */
	for (k = 30; k < 34; k++) {
		steady(m, k, k + 1, 2, 2);
		monitor_advance(m, T0 + (k + 1) * W);
		assert_int_equal(nev, 3);
	}
	steady(m, 34, 35, 2, 2);
	monitor_advance(m, T0 + 35 * W);
	assert_int_equal(nev, 4);
	assert_int_equal(evs[3].level, MONITOR_CLEAR);
	assert_string_equal(evs[3].series, "complaint");
	assert_true(evs[3].ts == T0 + 35 * W);
	assert_true(evs[3].p >= p.p_clear);
	/* a new spike after the all-clear is a new episode */
	steady(m, 35, 36, 2, 2);
	steady(m, 36, 37, 14, 2);
	monitor_advance(m, T0 + 37 * W);
	assert_int_equal(nev, 5);
	assert_true(evs[4].level >= MONITOR_WATCH);
	monitor_free(m);
}

/* the all-clear needs quiet_windows calm windows in a row */
static void test_all_clear_needs_calm_in_a_row(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	long k;

	(void)state;
	poisson_params(&p);
	p.long_windows = 1;
	p.cooldown = 0;
	m = mk(&p);
	steady(m, 0, 24, 2, 2);
	steady(m, 24, 25, 14, 2);
	monitor_advance(m, T0 + 25 * W);
	assert_int_equal(nev, 1);
	/* calm, calm, not calm (8 of ~2: p < 0.01), calm, calm */
	steady(m, 25, 27, 2, 2);
	steady(m, 27, 28, 8, 2);
	steady(m, 28, 30, 2, 2);
	monitor_advance(m, T0 + 30 * W);
	assert_int_equal(nev, 1);
	steady(m, 30, 31, 2, 2);
	monitor_advance(m, T0 + 31 * W);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[1].level, MONITOR_CLEAR);
	assert_true(evs[1].ts == T0 + 31 * W);
	(void)k;
	monitor_free(m);
}

/* crisis needs a negative majority; a neutral category stays at watch */
static void test_share_rule(void **state)
{
	struct monitor_params p;
	struct monitor *m;

	(void)state;
	poisson_params(&p);
	p.long_windows = 1;
	m = mk(&p);
	steady(m, 0, 24, 2, 30);
	/* 25 complaints against 30 others: improbable enough for crisis,
	   but 45% negative: alert */
	steady(m, 24, 25, 25, 30);
	monitor_advance(m, T0 + 25 * W);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].level, MONITOR_ALERT);
	assert_true(evs[0].p < p.p_crisis);
	assert_true(evs[0].negative_share < 0.5);
	monitor_free(m);

	m = mk(&p);
	steady(m, 0, 24, 2, 2);
	/* "other" explodes: never more than watch */
	steady(m, 24, 25, 2, 60);
	monitor_advance(m, T0 + 25 * W);
	assert_int_equal(nev, 1);
	assert_string_equal(evs[0].series, "other");
	assert_int_equal(evs[0].level, MONITOR_WATCH);
	assert_true(evs[0].p < p.p_crisis);
	monitor_free(m);
}

static void test_min_count(void **state)
{
	struct monitor_params p;
	struct monitor *m;

	(void)state;
	poisson_params(&p);
	p.floor = 0.01;
	m = mk(&p);
	steady(m, 0, 24, 0, 3);
	/* 4 complaints where none is usual: improbable, but under 5 */
	steady(m, 24, 25, 4, 3);
	monitor_advance(m, T0 + 25 * W);
	assert_int_equal(nev, 0);
	steady(m, 25, 26, 5, 3);
	monitor_advance(m, T0 + 26 * W);
	assert_int_equal(nev, 1);
	monitor_free(m);
}

static void test_safety_at_once(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	struct cd_error err;
	const char *fl[2] = { "safety", "safety" };

	(void)state;
	monitor_params_default(&p);
	m = mk(&p);
	steady(m, 0, 2, 2, 2);          /* still warming up */
	assert_int_equal(monitor_add(m, T0 + 2 * W + 7, "s1", "complaint", fl,
				     2, &err), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].level, MONITOR_ALERT);
	assert_true(evs[0].at_once);
	assert_true(evs[0].ts == T0 + 2 * W + 7);
	assert_string_equal(evs[0].series, "safety");
	assert_int_equal(evs[0].count, 1);          /* the flag given twice */
	assert_string_equal(evs[0].examples[0], "s1");
	/* a second report in the episode: no new event */
	assert_int_equal(monitor_add(m, T0 + 2 * W + 9, "s2", "complaint", fl,
				     1, &err), 0);
	assert_int_equal(nev, 1);
	monitor_free(m);

	/* another flag is counted, not alerted at once */
	m = mk(&p);
	fl[0] = "legal";
	assert_int_equal(monitor_add(m, T0, "l1", "complaint", fl, 1, &err), 0);
	assert_int_equal(nev, 0);
	monitor_free(m);
}

/*
 * The events of `before` complaints a window for 48 windows, then `after`
 * a window up to window `end` (6 others a window throughout).
 */
static size_t step_events(const struct monitor_params *p, long before,
			  long after, long end)
{
	struct monitor *m = mk(p);
	size_t n;

	steady(m, 0, 48, before, 6);
	steady(m, 48, end, after, 6);
	monitor_advance(m, T0 + end * W);
	n = nev;
	monitor_free(m);
	return n;
}

/* a rise too slow for one window is caught by the long span */
static void test_slow_rise_long_span(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	long k;

	(void)state;
	poisson_params(&p);
	m = mk(&p);
	steady(m, 0, 48, 6, 6);
	/* 12 a window is 2x: P(X >= 12 | 6) = 0.02 alone, but 6 windows of
	   it are 72 against 36 */
	for (k = 48; k < 60 && !nev; k++) {
		steady(m, k, k + 1, 12, 6);
		monitor_advance(m, T0 + (k + 1) * W);
	}
	/* found on a span of 6 or 12 windows, not 1 to 3 */
	assert_int_equal(nev, 1);
	assert_true(evs[0].span >= 6 * W && evs[0].span <= p.long_windows * W);
	assert_true(evs[0].count > 6 * 6);
	monitor_free(m);

	p.long_windows = 1;             /* without it: nothing */
	assert_int_equal(step_events(&p, 6, 12, 60), 0);
}

/*
 * A rare category (1 a window) at 6x: no single window is improbable
 * enough (P(X >= 6 | 1) = 6e-4), but two windows are 12 against about
 * 2 (P = 2e-6, times the 5 spans tested = 1e-5): found at the end of
 * the second window on the 2-window span, with the Bonferroni p.
 */
static void test_rare_category_short_spans(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	double e;

	(void)state;
	poisson_params(&p);
	m = mk(&p);
	steady(m, 0, 48, 1, 6);
	steady(m, 48, 49, 6, 6);
	monitor_advance(m, T0 + 49 * W);
	assert_int_equal(nev, 0);
	steady(m, 49, 50, 6, 6);
	monitor_advance(m, T0 + 50 * W);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].ts, T0 + 50 * W);
	assert_int_equal(evs[0].span, 2 * W);
	assert_int_equal(evs[0].count, 12);
	/* the first 6 was not improbable: the mean (the plain average of
	   49 windows) learned it whole */
	e = 1 + (1 + 5.0 / 49);
	assert_true(fabs(evs[0].baseline - e) < 1e-9);
	assert_true(fabs(evs[0].p - 5 * monitor_poisson_tail(12, e)) <
		    1e-12);
	assert_int_equal(evs[0].level, MONITOR_WATCH);
	monitor_free(m);

	p.long_windows = 1;             /* one window alone: not yet */
	assert_int_equal(step_events(&p, 1, 6, 50), 0);
}

/*
 * The guard band: once the profile is in use, a window's expected count
 * comes from the mean as it was before the longest span began, so a rise
 * does not raise its own baseline while it is being tested.  A flat
 * stream (time-of-day factor 1) at 6 complaints and 60 others a window
 * for 3 days, then 14 complaints a window: every expected count of the
 * raising span is still 6.
 */
static void test_guard_band(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	long k, days = 3 * 288;

	(void)state;
	monitor_params_default(&p);
	m = mk(&p);
	steady(m, 0, days, 6, 60);
	for (k = days; k < days + 24 && !nev; k++) {
		steady(m, k, k + 1, 14, 60);
		monitor_advance(m, T0 + (k + 1) * W);
	}
	assert_int_equal(nev, 1);
	assert_true(evs[0].span > W);
	assert_true(evs[0].ts - (T0 + days * W) <= p.long_windows * W);
	/* (the profile learns the total's rise a little: 36.1; the
	   mean without the guard learns the rise: 37.4 for 6 windows) */
	assert_true(fabs(evs[0].baseline - 6.0 * (double)(evs[0].span / W)) <
		    0.5);
	monitor_free(m);
}

/* days with a quiet night and a busy day: normal once learned */
static long daily_events(long profile_days)
{
	struct monitor_params p;
	struct monitor *m;
	long k, after = 0;
	size_t i;

	monitor_params_default(&p);
	p.profile_days = profile_days;
	m = mk(&p);
	for (k = 0; k < 6 * 288; k++) {
		long hour = (k % 288) / 12;
		long busy = hour >= 8 && hour < 20;

		feed(m, k, "complaint", NULL, busy ? 12 : 1);
		feed(m, k, "other", NULL, busy ? 24 : 2);
	}
	for (i = 0; i < nev; i++)
		if (evs[i].level != MONITOR_CLEAR && evs[i].ts >= T0 + 3 * 86400)
			after++;
	monitor_free(m);
	return after;
}

static void test_time_of_day(void **state)
{
	(void)state;
	assert_int_equal(daily_events(2), 0);
	assert_true(daily_events(0) > 0);
}

static void test_late_records_and_gaps(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	struct cd_error err;

	(void)state;
	monitor_params_default(&p);
	m = mk(&p);
	assert_int_equal(monitor_add(m, T0 + 10, "a", "other", NULL, 0, &err), 0);
	assert_true(monitor_window_end(m) == T0 + W);
	assert_int_equal(monitor_add(m, T0 + 2 * W, "b", "other", NULL, 0, &err),
			 0);
	assert_true(monitor_window_end(m) == T0 + 3 * W);
	assert_int_equal(monitor_add(m, T0 + 5, "c", "other", NULL, 0, &err), 0);
	assert_int_equal(monitor_late(m), 1);
	/* a month of silence: the clock jumps, the window follows */
	monitor_advance(m, T0 + 30L * 86400 + 17);
	assert_true(monitor_window_end(m) == T0 + 30L * 86400 + W);
	monitor_free(m);
}

static void test_limits_and_params(void **state)
{
	struct monitor_params p;
	struct monitor *m;
	struct cd_error err;
	char name[80];
	int i;

	(void)state;
	monitor_params_default(&p);
	m = mk(&p);
	for (i = 0; i < MONITOR_MAX_SERIES; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(monitor_add(m, T0, "x", name, NULL, 0, &err), 0);
	}
	assert_int_equal(monitor_add(m, T0, "x", "one-more", NULL, 0, &err),
			 CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "64"));
	monitor_free(m);
	m = mk(&p);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(monitor_add(m, T0, "x", name, NULL, 0, &err),
			 CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "63 bytes"));
	monitor_free(m);

	p.window = 0;
	assert_null(monitor_new(&p, on_event, NULL, &err));
	assert_non_null(strstr(err.msg, "window"));
	monitor_params_default(&p);
	p.p_alert = p.p_watch * 10;
	assert_int_equal(monitor_params_check(&p, &err), CD_ERR_CONFIG);
	monitor_params_default(&p);
	p.long_windows = MONITOR_MAX_LONG + 1;
	assert_int_equal(monitor_params_check(&p, &err), CD_ERR_CONFIG);
	monitor_params_default(&p);
	assert_int_equal(monitor_params_check(&p, &err), 0);
}

/* the same input gives the same events */
static void test_deterministic(void **state)
{
	struct monitor_params p;
	struct ev first[MAX_EV];
	size_t n1, run;

	(void)state;
	monitor_params_default(&p);
	for (run = 0; run < 2; run++) {
		struct monitor *m = mk(&p);

		steady(m, 0, 24, 2, 2);
		steady(m, 24, 26, 20, 2);
		steady(m, 26, 40, 2, 2);
		monitor_free(m);
		if (!run) {
			memcpy(first, evs, sizeof(evs[0]) * nev);
			n1 = nev;
		}
	}
	assert_true(n1 >= 2);
	assert_int_equal(nev, n1);
	assert_memory_equal(first, evs, sizeof(evs[0]) * nev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poisson_tail),
		cmocka_unit_test(test_negative_binomial_tail),
		cmocka_unit_test(test_steady_stream_is_quiet),
		cmocka_unit_test(test_levels_cooldown_all_clear),
		cmocka_unit_test(test_rare_category_short_spans),
		cmocka_unit_test(test_guard_band),
		cmocka_unit_test(test_all_clear_needs_calm_in_a_row),
		cmocka_unit_test(test_share_rule),
		cmocka_unit_test(test_min_count),
		cmocka_unit_test(test_safety_at_once),
		cmocka_unit_test(test_slow_rise_long_span),
		cmocka_unit_test(test_time_of_day),
		cmocka_unit_test(test_late_records_and_gaps),
		cmocka_unit_test(test_limits_and_params),
		cmocka_unit_test(test_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

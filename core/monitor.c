/* monitor.c - see monitor.h for the method and the contract. */
#include "monitor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define SLOTS 24                        /* time-of-day profile: hours */

struct series {
	char name[MONITOR_NAME_MAX];
	int is_flag;
	int negative;                   /* a negative category, or a flag */
	int at_once;                    /* the safety flag */
	long count;                     /* in the open window */
	double mean;                    /* de-seasonalised mean per window */
	long nwin;                      /* windows the mean has seen */
	long ring_c[MONITOR_MAX_LONG];  /* closed windows: counts */
	double ring_e[MONITOR_MAX_LONG];/* ... and expected counts */
	double ring_m[MONITOR_MAX_LONG];/* ... and the mean before each */
	enum monitor_level level;       /* of the episode, CLEAR when none */
	long calm;                      /* calm windows in a row */
	int64_t last_raise;
	char ex[MONITOR_EXAMPLES][MONITOR_ID_MAX];
	size_t nex, ex_next;
};

struct monitor {
	struct monitor_params p;
	char negative[MONITOR_MAX_NEGATIVE][MONITOR_NAME_MAX];
	char at_once[MONITOR_NAME_MAX];
	monitor_event_fn fn;
	void *ctx;
	struct series *s;               /* MONITOR_MAX_SERIES of them */
	size_t ns;
	size_t last;                    /* the series found last (a cache) */
	int64_t window_end;             /* -1 before the first record */
	int64_t first_start;            /* start of the first window */
	long nclosed;                   /* windows closed so far */
	size_t pos;                     /* ring slot of the open window */
	long total;                     /* records in the open window */
	long neg;                       /* ... of a negative category */
	long ring_total[MONITOR_MAX_LONG];
	long ring_neg[MONITOR_MAX_LONG];
	double prof[SLOTS];             /* mean total per window, by hour */
	long prof_n[SLOTS];
	double alpha;                   /* per-window weight of the mean */
	double alpha_cold;              /* ... before the profile */
	int profile_on;                 /* the profile is in use */
	double prof_alpha;              /* per-update weight of the profile */
	long late;
	long spans[MONITOR_MAX_SPANS];  /* scanned, in windows, shortest first */
	size_t nspans;
	struct monitor_share shares[MONITOR_MAX_SERIES];
};

void monitor_params_default(struct monitor_params *p)
{
	static const char *const neg[] = {
		"complaint", "fake_news", "competitor_attack", "toxic"
	};
	size_t i;

	memset(p, 0, sizeof(*p));
	p->window = 300;
	p->half_life = 6 * 3600.0;
	p->cold_half_life = 3600.0;
	p->floor = 0.5;
	p->dispersion = 0.02;
	p->min_count = 5;
	p->p_watch = 1e-4;
	p->p_alert = 1e-7;
	p->p_crisis = 1e-9;
	p->p_clear = 0.01;
	p->crisis_share = 0.5;
	p->long_windows = 12;
	p->quiet_windows = 3;
	p->cooldown = 1800;
	p->warmup = 12;
	p->profile_days = 2;
	for (i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
		p->negative[i] = neg[i];
	p->nnegative = i;
	p->at_once_flag = "safety";
}

int monitor_params_check(const struct monitor_params *p, struct cd_error *err)
{
	size_t i;

#define BAD(...) cd_error_set(err, CD_ERR_CONFIG, 0, __VA_ARGS__)
	if (p->window < 1 || p->window > DAY)
		return BAD("window must be 1 second to 1 day, not %ld", p->window);
	if (!(p->half_life >= (double)p->window && p->half_life <= 365.0 * DAY))
		return BAD("half-life must be one window to a year, not %g",
			   p->half_life);
	if (!(p->cold_half_life >= (double)p->window &&
	      p->cold_half_life <= 365.0 * DAY))
		return BAD("cold half-life must be one window to a year, not %g",
			   p->cold_half_life);
	if (!(p->floor > 0 && p->floor <= 1e6))
		return BAD("floor must be above 0 and at most 1e6, not %g",
			   p->floor);
	if (!(p->dispersion >= 0 && p->dispersion <= 10))
		return BAD("dispersion must be 0 to 10, not %g", p->dispersion);
	if (p->min_count < 1 || p->min_count > 1000000)
		return BAD("min_count must be 1 to 1000000, not %ld", p->min_count);
	if (!(p->p_crisis > 0 && p->p_crisis <= p->p_alert &&
	      p->p_alert <= p->p_watch && p->p_watch < 1))
		return BAD("tail probabilities must be 0 < crisis <= alert <= "
			   "watch < 1");
	if (!(p->p_clear > p->p_watch && p->p_clear < 1))
		return BAD("p_clear must be above the watch level and below 1");
	if (!(p->crisis_share >= 0 && p->crisis_share <= 1))
		return BAD("crisis_share must be from 0 to 1, not %g",
			   p->crisis_share);
	if (p->long_windows < 1 || p->long_windows > MONITOR_MAX_LONG)
		return BAD("long_windows must be 1 to %d, not %ld",
			   MONITOR_MAX_LONG, p->long_windows);
	if (p->quiet_windows < 1 || p->quiet_windows > 10000)
		return BAD("quiet_windows must be 1 to 10000, not %ld",
			   p->quiet_windows);
	if (p->cooldown < 0 || p->cooldown > 30L * DAY)
		return BAD("cooldown must be 0 to 30 days, not %ld", p->cooldown);
	if (p->warmup < 0 || p->warmup > 100000)
		return BAD("warmup must be 0 to 100000 windows, not %ld", p->warmup);
	if (p->profile_days < 0 || p->profile_days > 365)
		return BAD("profile_days must be 0 to 365, not %ld",
			   p->profile_days);
	if (p->nnegative > MONITOR_MAX_NEGATIVE)
		return BAD("more than %d negative categories",
			   MONITOR_MAX_NEGATIVE);
	for (i = 0; i < p->nnegative; i++)
		if (!p->negative[i] || strlen(p->negative[i]) >= MONITOR_NAME_MAX)
			return BAD("negative category %zu is empty or longer "
				   "than %d bytes", i + 1, MONITOR_NAME_MAX - 1);
	if (p->at_once_flag && strlen(p->at_once_flag) >= MONITOR_NAME_MAX)
		return BAD("the at-once flag is longer than %d bytes",
			   MONITOR_NAME_MAX - 1);
#undef BAD
	return 0;
}

struct monitor *monitor_new(const struct monitor_params *p, monitor_event_fn fn,
			    void *ctx, struct cd_error *err)
{
	static const long span_steps[MONITOR_MAX_SPANS - 1] = {
		1, 2, 3, 6, 12, 24
	};
	struct monitor *m;
	size_t i;

	if (monitor_params_check(p, err))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (m)
		m->s = calloc(MONITOR_MAX_SERIES, sizeof(*m->s));
	if (!m || !m->s) {
		free(m);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	m->p = *p;
	for (i = 0; i < p->nnegative; i++) {
		strcpy(m->negative[i], p->negative[i]);
		m->p.negative[i] = m->negative[i];
	}
	if (p->at_once_flag)
		strcpy(m->at_once, p->at_once_flag);
	m->p.at_once_flag = m->at_once;
	m->fn = fn;
	m->ctx = ctx;
	m->window_end = -1;
	/* 1, 2, 3 windows, then doubling: 6, 12, 24, 48; and long_windows */
	for (i = 0; i < sizeof(span_steps) / sizeof(span_steps[0]) &&
	     span_steps[i] < p->long_windows; i++)
		m->spans[m->nspans++] = span_steps[i];
	m->spans[m->nspans++] = p->long_windows;
	/* weight of one window in a mean of the given half-life */
	m->alpha = 1 - pow(0.5, (double)p->window / p->half_life);
	m->alpha_cold = p->profile_days ? 1 - pow(0.5, (double)p->window /
						  p->cold_half_life) : m->alpha;
	/* the profile: each hour slot remembers about a week */
	m->prof_alpha = 1 - pow(0.5, (double)(p->window < 3600 ? p->window : 3600)
			    / (7.0 * 3600));
	return m;
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	free(m->s);
	free(m);
}

const char *monitor_level_name(enum monitor_level l)
{
	switch (l) {
	case MONITOR_WATCH: return "watch";
	case MONITOR_ALERT: return "alert";
	case MONITOR_CRISIS: return "crisis";
	default: return "clear";
	}
}

int64_t monitor_window_end(const struct monitor *m)
{
	return m->window_end;
}

long monitor_late(const struct monitor *m)
{
	return m->late;
}

#define LENTZ_TINY 1e-300

/*
 * One step of the modified Lentz method for a continued fraction
 * b0 + a1/(b1 + a2/(b2 + ...)) (Numerical Recipes in C, 2nd ed., section
 * 5.2): with the term a/b, update C and D (kept away from 0) and return
 * the factor C D by which the fraction's value changes.
 */
static double lentz_step(double *c, double *d, double a, double b)
{
	*d = b + a * *d;
	if (fabs(*d) < LENTZ_TINY)
		*d = LENTZ_TINY;
	*c = b + a / *c;
	if (fabs(*c) < LENTZ_TINY)
		*c = LENTZ_TINY;
	*d = 1 / *d;
	return *d * *c;
}

/*
 * The regularised lower incomplete gamma function P(a, x), which equals
 * P(X >= a) for X ~ Poisson(x) when a is a whole number (Numerical
 * Recipes in C, 2nd ed., section 6.2: the series for x < a + 1, where it
 * is small and summed directly; the continued fraction for Q = 1 - P
 * otherwise, where P is large).
 */
static double gamma_p(double a, double x)
{
	const double eps = 1e-15;
	double lg = lgamma(a), sum, del, ap, b, c, d, h, an;
	int i;

	if (x < a + 1) {
		ap = a;
		sum = del = 1 / a;
		for (i = 0; i < 1000000; i++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (fabs(del) < fabs(sum) * eps)
				break;
		}
		return sum * exp(-x + a * log(x) - lg);
	}
	b = x + 1 - a;
	c = 1 / LENTZ_TINY;
	d = 1 / b;
	h = d;
	for (i = 1; i < 1000000; i++) {
		an = -i * (i - a);
		b += 2;
		del = lentz_step(&c, &d, an, b);
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return 1 - exp(-x + a * log(x) - lg) * h;
}

double monitor_poisson_tail(long k, double mean)
{
	double p;

	if (k <= 0)
		return 1;
	if (!(mean > 0))
		return 0;
	p = gamma_p((double)k, mean);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/*
 * Continued fraction of the incomplete beta function (Numerical Recipes
 * in C, 2nd ed., section 6.4, betacf, modified Lentz).
 */
static double beta_cf(double a, double b, double x)
{
	const double eps = 1e-15, tiny = LENTZ_TINY;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d, h, aa, del;
	int m, m2;

	d = 1 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m < 1000000; m++) {
		m2 = 2 * m;
		aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		h *= lentz_step(&c, &d, aa, 1);
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		del = lentz_step(&c, &d, aa, 1);
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double beta_i(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double monitor_tail(long k, double mean, double dispersion)
{
	double size, p;

	if (dispersion <= 0)
		return monitor_poisson_tail(k, mean);
	if (k <= 0)
		return 1;
	if (!(mean > 0))
		return 0;
	/*
	 * Negative binomial with this mean and variance mean + dispersion
	 * mean^2 (size r = 1 / dispersion): P(X >= k) = I_q(k, r) with
	 * q = mean / (r + mean).
	 */
	size = 1 / dispersion;
	p = beta_i((double)k, size, mean / (size + mean));
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The ring slot `back` windows before the open one (0 = last closed). */
static size_t ring_at(const struct monitor *m, long back)
{
	return (m->pos + (size_t)(MONITOR_MAX_LONG - 1 - back)) % MONITOR_MAX_LONG;
}

/* The sum of the profile when it is ready at time t, else 0. */
static double profile_ready(const struct monitor *m, int64_t t)
{
	double sum = 0;
	int i;

	if (m->p.profile_days <= 0 || m->window_end < 0 ||
	    t - m->first_start < m->p.profile_days * DAY)
		return 0;
	for (i = 0; i < SLOTS; i++) {
		if (!m->prof_n[i])
			return 0;
		sum += m->prof[i];
	}
	return sum > 0 ? sum : 0;
}

/* Time-of-day factor of time t: 1 until the profile is ready. */
static double tod_factor(const struct monitor *m, int64_t t)
{
	double sum = profile_ready(m, t), x, frac, v;
	int64_t sec;
	int lo, hi;

	if (!(sum > 0))
		return 1;
	sec = t - floor_div(t, DAY) * DAY;
	x = (double)sec / 3600.0 - 0.5;         /* hour centres */
	if (x < 0)
		x += SLOTS;
	lo = (int)x;
	frac = x - lo;
	hi = (lo + 1) % SLOTS;
	v = m->prof[lo] * (1 - frac) + m->prof[hi] * frac;
	v /= sum / SLOTS;
	return v < 0.05 ? 0.05 : v;             /* never divide by ~0 */
}

static void profile_update(struct monitor *m, int64_t start, long total)
{
	int64_t sec = start + m->p.window / 2 - floor_div(start + m->p.window / 2,
							 DAY) * DAY;
	int slot = (int)(sec / 3600);
	double *v = &m->prof[slot], x = (double)total, a;

	m->prof_n[slot]++;
	a = 1.0 / (double)m->prof_n[slot];
	if (a < m->prof_alpha)
		a = m->prof_alpha;
	/* a spike in the total does not become the profile */
	if (m->prof_n[slot] > 1 && x > *v + 3 * sqrt(*v) + 1)
		x = *v + 3 * sqrt(*v) + 1;
	*v += a * (x - *v);
}

static void keep_example(struct series *s, const char *id)
{
	size_t n;

	if (!id || !*id)
		return;
	n = strlen(id);
	if (n >= MONITOR_ID_MAX)
		n = MONITOR_ID_MAX - 1;
	memcpy(s->ex[s->ex_next], id, n);
	s->ex[s->ex_next][n] = '\0';
	s->ex_next = (s->ex_next + 1) % MONITOR_EXAMPLES;
	if (s->nex < MONITOR_EXAMPLES)
		s->nex++;
}

static int share_cmp(const void *a, const void *b)
{
	const struct monitor_share *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->category, y->category);
}

/*
 * The records, and those of a negative category, of the open window
 * (span 0) or of the last `span` closed windows.
 */
static void span_totals(const struct monitor *m, long span, long *total,
			long *neg)
{
	long j;

	*total = span == 0 ? m->total : 0;
	*neg = span == 0 ? m->neg : 0;
	for (j = 0; j < span; j++) {
		*total += m->ring_total[ring_at(m, j)];
		*neg += m->ring_neg[ring_at(m, j)];
	}
}

/*
 * Fill ev with the series' examples and every category's share, over the
 * open window (span 0) or the last `span` closed windows.
 */
static void fill_event(struct monitor *m, const struct series *s, long span,
		       struct monitor_event *ev)
{
	long total, neg, j;
	size_t i, n = 0, k;

	span_totals(m, span, &total, &neg);
	for (i = 0; i < m->ns; i++) {
		const struct series *c = &m->s[i];
		long cnt = span == 0 ? c->count : 0;

		if (c->is_flag)
			continue;
		for (j = 0; j < span; j++)
			cnt += c->ring_c[ring_at(m, j)];
		if (!cnt)
			continue;
		m->shares[n].category = c->name;
		m->shares[n].count = cnt;
		m->shares[n].share = total ? (double)cnt / (double)total : 0;
		n++;
	}
	qsort(m->shares, n, sizeof(m->shares[0]), share_cmp);
	ev->shares = m->shares;
	ev->nshares = n;
	ev->negative_share = total ? (double)neg / (double)total : 0;
	ev->series = s->name;
	ev->is_flag = s->is_flag;
	/* the latest ids, newest first */
	ev->nexamples = s->nex;
	for (k = 0; k < s->nex; k++)
		ev->examples[k] = s->ex[(s->ex_next + MONITOR_EXAMPLES - 1 - k)
					% MONITOR_EXAMPLES];
}

static double span_share(const struct monitor *m, long span)
{
	long total, neg;

	span_totals(m, span, &total, &neg);
	return total ? (double)neg / (double)total : 0;
}

static void emit(struct monitor *m, struct monitor_event *ev)
{
	if (m->fn)
		m->fn(m->ctx, ev);
}

/* Build and send an event of series s over the last `span` closed windows. */
static void window_event(struct monitor *m, struct series *s,
			 enum monitor_level l, long count, double baseline,
			 double p, long span)
{
	struct monitor_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts = m->window_end;
	ev.level = l;
	ev.count = count;
	ev.baseline = baseline;
	ev.p = p;
	ev.span = span * m->p.window;
	fill_event(m, s, span, &ev);
	emit(m, &ev);
}

/*
 * The scan over spans: the count of the last k closed windows against
 * their expected count, for each span k of m->spans that has been seen;
 * the most improbable one is kept.  Its tail probability is multiplied
 * by the number of spans tested (Bonferroni), so a series is not more
 * likely to raise a false alarm for being tested on several spans.  A
 * span with fewer than min_count records is not a spike.
 */
struct scan_result {
	long span, count;
	double expected, p;             /* p: multiplied, at most 1 */
	double p_any;                   /* ... of any span, min_count or not */
};

static void scan_spans(const struct monitor *m, const struct series *s,
		       long seen, struct scan_result *r)
{
	long count = 0, j = 0, best_p_span = 0;
	double expected = 0, best = 2, any = 1;
	size_t i, tested = 0;

	r->span = 1;
	r->count = s->ring_c[ring_at(m, 0)];
	r->expected = s->ring_e[ring_at(m, 0)];
	r->p = 1;
	for (i = 0; i < m->nspans && m->spans[i] <= seen; i++) {
		double p;

		for (; j < m->spans[i]; j++) {
			count += s->ring_c[ring_at(m, j)];
			expected += s->ring_e[ring_at(m, j)];
		}
		tested++;
		p = monitor_tail(count, expected, m->p.dispersion);
		if (p < any)
			any = p;
		if (count < m->p.min_count || !(p < best))
			continue;
		best = p;
		best_p_span = m->spans[i];
		r->count = count;
		r->expected = expected;
	}
	if (best_p_span) {
		r->span = best_p_span;
		r->p = best * (double)tested < 1 ? best * (double)tested : 1;
	}
	r->p_any = any * (double)tested < 1 ? any * (double)tested : 1;
}

/* The level a scan earns: by its p, then by the share of negatives. */
static enum monitor_level level_of(const struct monitor *m,
				   const struct series *s,
				   const struct scan_result *r)
{
	enum monitor_level l;

	if (r->p >= m->p.p_watch)
		return MONITOR_CLEAR;
	l = r->p < m->p.p_crisis ? MONITOR_CRISIS : r->p < m->p.p_alert ?
		MONITOR_ALERT : MONITOR_WATCH;
	if (!s->negative)
		return MONITOR_WATCH;
	if (l == MONITOR_CRISIS && span_share(m, r->span) < m->p.crisis_share)
		l = MONITOR_ALERT;
	return l;
}

/*
 * Close the open window [window_end - window, window_end): first every
 * series' count and expected count go into the ring (the shares of an
 * event need all of them), then each series is scanned and learns.
 */
static void close_window(struct monitor *m)
{
	const int64_t end = m->window_end, w = m->p.window;
	const double f = tod_factor(m, end - w / 2);
	const long seen = m->nclosed + 1 < MONITOR_MAX_LONG ? m->nclosed + 1 :
			  MONITOR_MAX_LONG;
	const int testing = m->nclosed >= m->p.warmup;
	const size_t slot = m->pos;
	double alpha = m->profile_on ? m->alpha : m->alpha_cold;
	size_t i;

	if (!m->profile_on && profile_ready(m, end - w / 2) > 0) {
		/* the profile starts: the means held the cycle, now it is out */
		for (i = 0; i < m->ns; i++) {
			size_t j;

			m->s[i].mean /= f;
			for (j = 0; j < MONITOR_MAX_LONG; j++)
				m->s[i].ring_m[j] /= f;
		}
		m->profile_on = 1;
		alpha = m->alpha;
	}
	m->ring_total[slot] = m->total;
	m->ring_neg[slot] = m->neg;
	for (i = 0; i < m->ns; i++) {
		struct series *s = &m->s[i];
		const long lag = m->profile_on ? m->p.long_windows - 1 : 0;
		double e;

		/*
		 * the guard band: the mean before the longest span began,
		 * once the profile carries the daily cycle (before, the mean
		 * follows the cycle itself and must not lag it)
		 */
		s->ring_m[slot] = s->mean;
		e = (s->nwin >= lag ? s->ring_m[(slot + MONITOR_MAX_LONG -
						(size_t)lag) % MONITOR_MAX_LONG] :
		     s->mean) * f;
		s->ring_c[slot] = s->count;
		s->ring_e[slot] = e < m->p.floor ? m->p.floor : e;
	}
	m->pos = (slot + 1) % MONITOR_MAX_LONG;         /* ring_at(0) = slot */
	for (i = 0; i < m->ns; i++) {
		struct series *s = &m->s[i];
		const long c = s->count;
		struct scan_result r;
		enum monitor_level l = MONITOR_CLEAR;
		double x, cap, a;

		scan_spans(m, s, seen, &r);
		if (testing)
			l = level_of(m, s, &r);
		/* learn; a window of an improbable scan is capped (monitor.h),
		   however few its records */
		x = (double)c / f;
		cap = s->mean + 3 * sqrt(s->mean) + 1;
		if (r.p_any < m->p.p_watch && s->nwin && x > cap)
			x = cap;
		s->nwin++;
		a = 1.0 / (double)s->nwin;
		s->mean += (a > alpha ? a : alpha) * (x - s->mean);
		s->count = 0;

		if (l > s->level) {
			window_event(m, s, l, r.count, r.expected, r.p, r.span);
			s->level = l;
			s->last_raise = end;
			s->calm = 0;
		} else if (s->level != MONITOR_CLEAR) {
			if (r.p >= m->p.p_clear)
				s->calm++;
			else
				s->calm = 0;
			if (s->calm >= m->p.quiet_windows &&
			    end - s->last_raise >= m->p.cooldown) {
				s->level = MONITOR_CLEAR;
				s->calm = 0;
				window_event(m, s, MONITOR_CLEAR, c,
					     s->ring_e[slot],
					     monitor_tail(c, s->ring_e[slot],
							  m->p.dispersion), 1);
			}
		}
	}
	profile_update(m, end - w, m->total);
	m->total = m->neg = 0;
	m->nclosed++;
	m->window_end += w;
}

/* Close every window that ends at or before t. */
static void close_through(struct monitor *m, int64_t t)
{
	while (m->window_end <= t)
		close_window(m);
}

void monitor_advance(struct monitor *m, int64_t now)
{
	int64_t w = m->p.window, maxgap = MONITOR_MAX_GAP_DAYS * (int64_t)DAY;

	if (m->window_end < 0 || now < m->window_end)
		return;
	/* a long silence: close two days of empty windows, skip the rest */
	if (now - m->window_end > maxgap) {
		close_through(m, m->window_end + maxgap);
		m->window_end = (floor_div(now, w) + 1) * w;
		return;
	}
	close_through(m, now);
}

static struct series *find_series(struct monitor *m, const char *name,
				  int is_flag, struct cd_error *err)
{
	struct series *s;
	size_t i, n;

	if (m->last < m->ns && m->s[m->last].is_flag == is_flag &&
	    !strcmp(m->s[m->last].name, name))
		return &m->s[m->last];
	for (i = 0; i < m->ns; i++)
		if (m->s[i].is_flag == is_flag && !strcmp(m->s[i].name, name)) {
			m->last = i;
			return &m->s[i];
		}
	n = strlen(name);
	if (n >= MONITOR_NAME_MAX) {
		cd_error_set(err, CD_ERR_LIMIT, 0, "%s '%.20s...' is longer than "
			     "%d bytes", is_flag ? "flag" : "category", name,
			     MONITOR_NAME_MAX - 1);
		return NULL;
	}
	if (m->ns == MONITOR_MAX_SERIES) {
		cd_error_set(err, CD_ERR_LIMIT, 0, "more than %d categories and "
			     "flags ('%s' is one too many)", MONITOR_MAX_SERIES,
			     name);
		return NULL;
	}
	s = &m->s[m->ns];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, n + 1);
	s->is_flag = is_flag;
	s->negative = is_flag;
	for (i = 0; !is_flag && i < m->p.nnegative; i++)
		if (!strcmp(m->negative[i], name))
			s->negative = 1;
	s->at_once = is_flag && m->at_once[0] && !strcmp(m->at_once, name);
	m->last = m->ns;
	return &m->s[m->ns++];
}

int monitor_add(struct monitor *m, int64_t ts, const char *id,
		const char *category, const char *const *flags, size_t nflags,
		struct cd_error *err)
{
	struct series *cat = NULL, *fl[8];
	size_t i, nf = 0;

	/* find every series first, so a record is counted whole or not */
	if (category && *category &&
	    !(cat = find_series(m, category, 0, err)))
		return CD_ERR_LIMIT;
	for (i = 0; i < nflags && nf < sizeof(fl) / sizeof(fl[0]); i++) {
		size_t k;

		if (!flags[i] || !*flags[i])
			continue;
		if (!(fl[nf] = find_series(m, flags[i], 1, err)))
			return CD_ERR_LIMIT;
		for (k = 0; k < nf && fl[k] != fl[nf]; k++)
			;
		if (k == nf)
			nf++;           /* a flag given twice counts once */
	}
	if (m->window_end < 0) {
		m->window_end = (floor_div(ts, m->p.window) + 1) * m->p.window;
		m->first_start = m->window_end - m->p.window;
	}
	monitor_advance(m, ts);
	if (ts < m->window_end - m->p.window)
		m->late++;
	m->total++;
	if (cat) {
		cat->count++;
		keep_example(cat, id);
		if (cat->negative)
			m->neg++;
	}
	for (i = 0; i < nf; i++) {
		struct series *s = fl[i];

		s->count++;
		keep_example(s, id);
		if (s->at_once && s->level < MONITOR_ALERT) {
			struct monitor_event ev;
			double e = s->mean * tod_factor(m, ts);

			if (e < m->p.floor)
				e = m->p.floor;
			memset(&ev, 0, sizeof(ev));
			ev.ts = ts;
			ev.level = MONITOR_ALERT;
			ev.count = s->count;
			ev.baseline = e;
			ev.p = monitor_tail(s->count, e, m->p.dispersion);
			ev.span = m->p.window;
			ev.at_once = 1;
			fill_event(m, s, 0, &ev);
			s->level = MONITOR_ALERT;
			s->last_raise = ts;
			s->calm = 0;
			emit(m, &ev);
		}
	}
	return 0;
}

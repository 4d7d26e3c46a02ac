/*
 * monitor.h - spot a crisis as it starts: the spike detector behind
 * `candor monitor` (SPEC section 7) and the spike marks of `candor report`.
 *
 * Pure: no I/O, no clock, no globals.  The caller feeds records (a time, an
 * id, a category and flags) in time order and the detector calls back with
 * events; the same input always gives the same events, so a replay of
 * history is a backtest.
 *
 * The method (docs/commands/monitor.md says why each default was chosen):
 *
 *   - Every category and every flag is a series.  Records are counted in
 *     windows of params.window seconds aligned to the Unix epoch; a record
 *     older than the open window (late or out of order) counts in the open
 *     window.
 *   - The baseline of a series is an exponentially weighted mean of its
 *     window counts (half-life params.half_life), bias-corrected while it
 *     warms up, divided by the time-of-day factor of the window.  The
 *     factor is learned from the total volume, hour by hour (interpolated
 *     between hour centres), and used once params.profile_days days have
 *     been seen; until then it is 1 and the mean follows the daily cycle
 *     itself with the shorter params.cold_half_life (when the profile
 *     starts, each mean is divided by the factor of that time).  A window
 *     of an improbable scan updates the mean with a capped value (mean +
 *     3 sqrt(mean) + 1), so a spike does not teach the baseline that it
 *     is normal while a lasting change of level is still learned, slowly.
 *     The expected count of a window is max(mean x factor, params.floor),
 *     where, once the profile is in use, the mean is the one from before
 *     the last params.long_windows windows (a guard band: what is tested
 *     is not yet in its own baseline).
 *   - The test, a scan over spans: for the last k windows, k = 1, 2, 3, 6,
 *     12, 24 up to params.long_windows and params.long_windows itself,
 *     the sum c of the counts against the sum L of the expected counts:
 *     the upper tail P(X >= c), X negative binomial with mean L and
 *     variance L + params.dispersion L^2 (Poisson when dispersion is 0):
 *     the baseline is an estimate, and a busy series is not expected to
 *     be known to better than about sqrt(dispersion) of its rate.  A span
 *     with c < params.min_count is no spike.  The smallest tail times the
 *     number of spans tested (Bonferroni) is the scan's p.  Short spans
 *     find a sudden spike, 2 or 3 windows one of a rare series, long ones
 *     a slow rise.
 *   - Levels: p < p_watch is `watch`, p < p_alert `alert`, p < p_crisis
 *     `crisis`, but `crisis` only when the share of negative categories
 *     (params.negative) among all records of the tested span is at least
 *     params.crisis_share, else `alert`; a category that is not negative
 *     (question, other, ...) stays at `watch`.  Flags count as negative.
 *   - Quiet: a series in an episode raises a new event only when its level
 *     rises (one spike, one alert); it ends with an all-clear
 *     (MONITOR_CLEAR) once params.quiet_windows windows in a row have p >=
 *     params.p_clear (the scan's p), and no sooner than params.cooldown
 *     seconds after its last raise.
 *   - A record flagged params.at_once_flag (`safety`) raises its series to
 *     `alert` at once, without waiting for the window to end or for the
 *     warm-up; the window test can raise it further.
 *   - No statistical event before params.warmup windows have closed.
 *
 * Ownership: monitor_new() returns a detector freed with monitor_free().
 * It copies every string it keeps (series names, example ids); the strings
 * of the params (negative, at_once_flag) are copied too.  The event passed
 * to the callback and everything it points to is valid only during the
 * call.
 */
#ifndef CANDOR_MONITOR_H
#define CANDOR_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define MONITOR_MAX_SERIES 64           /* categories + flags */
#define MONITOR_NAME_MAX 64             /* bytes in a category or flag name */
#define MONITOR_ID_MAX 64               /* bytes of an example id kept */
#define MONITOR_EXAMPLES 3              /* example ids per event */
#define MONITOR_MAX_NEGATIVE 16
#define MONITOR_MAX_LONG 48             /* long_windows at most */
#define MONITOR_MAX_SPANS 7             /* spans scanned: 1 2 3 6 12 24 48 */
#define MONITOR_MAX_GAP_DAYS 2          /* a longer silence restarts the clock */

enum monitor_level {
	MONITOR_CLEAR = 0,      /* the all-clear (and "no episode") */
	MONITOR_WATCH = 1,
	MONITOR_ALERT = 2,
	MONITOR_CRISIS = 3
};

struct monitor_params {
	long window;            /* seconds per window ([crisis] window, 300) */
	double half_life;       /* seconds, of the baseline's mean (21600) */
	double cold_half_life;  /* ... until the profile is learned (3600) */
	double floor;           /* expected count per window at least (0.5) */
	double dispersion;      /* of the negative binomial; 0 = Poisson (0.02) */
	long min_count;         /* count below which nothing is a spike (5) */
	double p_watch;         /* tail probability levels (1e-4, 1e-7, 1e-9) */
	double p_alert;
	double p_crisis;
	double p_clear;         /* a window is calm when p >= this (0.01) */
	double crisis_share;    /* negative share that makes a crisis (0.5) */
	long long_windows;      /* the longest span and the guard band, in
				   windows (12) */
	long quiet_windows;     /* calm windows before the all-clear (3) */
	long cooldown;          /* seconds from the last raise to an all-clear
				   at least (1800) */
	long warmup;            /* windows before any statistical event (12) */
	long profile_days;      /* days of history before time of day (2) */
	/* the negative categories (complaint, fake_news, competitor_attack,
	   toxic); copied by monitor_new */
	const char *negative[MONITOR_MAX_NEGATIVE];
	size_t nnegative;
	const char *at_once_flag;       /* "safety"; NULL or "" for none */
};

/* The defaults above. */
void monitor_params_default(struct monitor_params *p);
/*
 * Check a params struct: CD_ERR_CONFIG naming the first bad field
 * (window 1 s to 1 day, probabilities ordered 0 < crisis < alert < watch
 * < 1, long_windows 1 to MONITOR_MAX_LONG, ...).
 */
int monitor_params_check(const struct monitor_params *p, struct cd_error *err);

struct monitor_share {
	const char *category;
	long count;
	double share;           /* count / all records of the span */
};

struct monitor_event {
	int64_t ts;             /* window end (or the record's time, at once) */
	enum monitor_level level;       /* MONITOR_CLEAR for the all-clear */
	const char *series;     /* the category or flag */
	int is_flag;
	long count;             /* records of the series in the span */
	double baseline;        /* expected count in the span */
	double p;               /* tail of count, times the spans scanned */
	long span;              /* seconds tested: the span's windows */
	int at_once;            /* raised by a record (safety), not a window */
	const char *examples[MONITOR_EXAMPLES];  /* latest ids of the series */
	size_t nexamples;
	/* every category's share of the span's records, largest first */
	const struct monitor_share *shares;
	size_t nshares;
	double negative_share;
};

typedef void (*monitor_event_fn)(void *ctx, const struct monitor_event *ev);

struct monitor;

/* NULL with err on bad params (CD_ERR_CONFIG) or no memory. */
struct monitor *monitor_new(const struct monitor_params *p, monitor_event_fn fn,
			    void *ctx, struct cd_error *err);
void monitor_free(struct monitor *m);

/*
 * Count one record at time ts (unix seconds): first closes every window
 * that ends at or before ts (events), then counts it in category (may be
 * NULL or "" when unknown) and in each flag.  id may be NULL.
 * CD_ERR_LIMIT when a new name would pass MONITOR_MAX_SERIES or is longer
 * than MONITOR_NAME_MAX (the record is not counted).
 */
int monitor_add(struct monitor *m, int64_t ts, const char *id,
		const char *category, const char *const *flags, size_t nflags,
		struct cd_error *err);

/*
 * Let the clock reach now with no record: close every window that ends
 * at or before now.  A live monitor calls it when its input is quiet.
 */
void monitor_advance(struct monitor *m, int64_t now);

/* The end of the open window (unix seconds), or -1 before any record. */
int64_t monitor_window_end(const struct monitor *m);

/* Records counted in a window older than the open one (late arrivals). */
long monitor_late(const struct monitor *m);

/* "clear", "watch", "alert" or "crisis". */
const char *monitor_level_name(enum monitor_level l);

/*
 * P(X >= k) for X negative binomial with the given mean and variance
 * mean + dispersion mean^2 (Poisson when dispersion is 0); accurate in the
 * far tail.  1 for k <= 0.
 */
double monitor_tail(long k, double mean, double dispersion);

/*
 * P(X >= k) for X ~ Poisson(mean), accurate in the far tail (summed from
 * k upwards, not 1 minus the head).  1 for k <= 0.
 */
double monitor_poisson_tail(long k, double mean);

#endif

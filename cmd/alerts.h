/*
 * alerts.h - where monitor's alerts go: a small sink interface, the JSONL
 * line on stdout, and the short human message the webhook carries.
 *
 * A sink takes one alert at a time and must not block the reading of the
 * stream for long: stdout is written and flushed per line; the webhook
 * sink (webhook.h) only queues.  A sink reports what it could not deliver
 * when it is closed.
 */
#ifndef CANDOR_ALERTS_H
#define CANDOR_ALERTS_H

#include "buf.h"
#include "monitor.h"

struct alert_sink {
	/* 0, or -1 when the sink is gone for good (stdout closed) */
	int (*send)(struct alert_sink *s, const struct monitor_event *ev,
		    const char *lang);
	/* finish; 0, or -1 when something was not delivered (reported) */
	int (*close)(struct alert_sink *s);
};

/*
 * The alert as one JSON line (with its newline): ts, level, category or
 * flag, count, baseline, p, window, examples, shares, negative_share and,
 * for a record that raised it, at_once.
 */
void alerts_json(struct cd_buf *b, const struct monitor_event *ev);

/*
 * The webhook's short message in lang ("ru" or else English), e.g.
 * "CRISIS: fake_news, 42 comments in 5 min (usually 3.1) ...".
 */
void alerts_text(struct cd_buf *b, const struct monitor_event *ev,
		 const char *lang);

/* "2026-12-07T21:05:00Z" into buf (at least 21 bytes). */
void alerts_time(int64_t ts, char *buf, size_t n);

/* The stdout sink: alerts_json, written and flushed per line. */
struct alert_sink *alerts_stdout_sink(void);

#endif

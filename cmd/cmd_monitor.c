/*
 * cmd_monitor.c - `candor monitor [FILE|-] [--replay]`: watch a stream of
 * suggestion records (or comments, classified here) and alert the crisis
 * team when a category or flag spikes (SPEC section 7).
 *
 * The detector is core/monitor.h; this file reads the stream, keeps the
 * clock and hands each event to the sinks (alerts.h): JSONL on stdout,
 * flushed per line, and the webhook (webhook.h), which only queues so a
 * slow webhook never holds up the reading.
 *
 * The clock: with --replay it is the records' created_at and nothing
 * waits, so a month of history is a backtest of seconds with the same
 * alerts every time.  Live, it is the wall clock: while the input is quiet
 * the windows still close on time (poll with a timeout), and a record's
 * created_at places it in its window (a late one counts in the open
 * window; a record dated in the future counts now).
 *
 * Suggestion records are read with core/jsonscan.h (only id, category,
 * flags and created_at are looked at), which is what makes a replay
 * fast; a line with "text" and no "category" is a comment and goes through
 * the same pipeline as `candor suggest`.
 */
#include "alerts.h"
#include "cli.h"
#include "comment.h"
#include "input.h"
#include "jsonscan.h"
#include "lineio.h"
#include "monitor.h"
#include "pipeline.h"
#include "webhook.h"
#include "http.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_monitor[] =
"usage: candor monitor [options] [FILE|-]\n"
"\n"
"Watches a stream of suggestion records (`candor suggest` output) or of\n"
"comments (plain text or JSONL, classified here) and alerts the crisis team\n"
"when a category or flag is improbably frequent for its recent past.\n"
"\n"
"  -r, --replay       the clock is the records' created_at and nothing\n"
"                     waits: a backtest over history, same alerts every time\n"
"      --window DUR   counting window (default [crisis] window, 5m)\n"
"      --no-webhook   do not post alerts, even when a webhook is set\n"
"      --strict       stop at the first bad line (default: report, skip)\n"
"      --errors FILE  append bad input lines to FILE\n"
"  -h, --help         this help\n"
"\n"
"Per category and flag, records are counted in windows over created_at\n"
"(arrival time when absent).  The count c of the last 1, 2, 3, 6 and 12\n"
"windows ([crisis] long_windows) is tested against its baseline L (an\n"
"exponentially weighted mean with a floor, a time-of-day profile and a\n"
"guard band): the upper tail P(X >= c) of a negative binomial with mean L\n"
"(Poisson when [crisis] dispersion = 0), times the number of spans; below\n"
"p_watch / p_alert / p_crisis it is the level watch / alert / crisis\n"
"(crisis only when most comments are negative), with at least min_count\n"
"records.  A `safety` flag alerts at\n"
"once.  One spike is one alert; a new one only when the level rises; an\n"
"all-clear when counts are back near the baseline.\n"
"\n"
"Alerts are JSON lines on stdout (ts, level, category or flag, count,\n"
"baseline, p, window, examples, shares), flushed per line, and a POST of\n"
"{\"text\": ...} to [alerts] webhook_url or $CANDOR_WEBHOOK_URL (queued,\n"
"at most [alerts] queue waiting; what is dropped is reported).\n"
"Exit status: 0, 65 when a line was skipped, 75 when an alert could not\n"
"be delivered to the webhook.  See docs/commands/monitor.md.\n";

#define ID_MAX MONITOR_ID_MAX
#define MAX_FLAGS 8
#define TIME_MAX 64

struct mon {
	struct cli *c;
	struct monitor *m;
	struct alert_sink *sinks[2];
	size_t nsinks;
	int replay, out_gone;
	int64_t clock;                  /* replay: the last created_at */
	/* the last created_at text read and its time: records come many a
	   second, and a repeat is not parsed again */
	char when_text[TIME_MAX];
	size_t when_len;
	int64_t when_ts;                /* -1: none yet */
	long alerts, records;
	struct input in;
	const char *lang;               /* of the webhook's messages */
	/* comments that need classifying: opened on the first one */
	int pipeline_open;
	struct pipeline p;
};

static int64_t wall_now(void)
{
	return (int64_t)time(NULL);
}

static const char *alert_lang(const struct mon *x)
{
	return x->lang;
}

static void on_event(void *ctx, const struct monitor_event *ev)
{
	struct mon *x = ctx;
	size_t i;

	x->alerts++;
	for (i = 0; i < x->nsinks; i++)
		if (x->sinks[i]->send(x->sinks[i], ev, alert_lang(x)) && i == 0)
			x->out_gone = 1;        /* stdout closed: stop */
}

/*
 * Live: before a read that may block, wait for input while closing the
 * windows whose end passes, so a quiet stream still gets its all-clear.
 */
static void live_wait(void *ctx)
{
	struct mon *x = ctx;
	struct pollfd pf;

	fflush(stdout);
	for (;;) {
		int64_t end = monitor_window_end(x->m), now = wall_now();
		int timeout = -1, r;

		if (end >= 0) {
			int64_t ms = end > now ? (end - now) * 1000 : 0;

			timeout = ms > INT_MAX ? INT_MAX : (int)ms;
		}
		pf.fd = x->in.fd;
		pf.events = POLLIN;
		pf.revents = 0;
		r = poll(&pf, 1, timeout);
		if (r > 0 || (r < 0 && errno != EINTR))
			return;
		if (r == 0)
			monitor_advance(x->m, wall_now());
		if (x->out_gone)
			return;
	}
}

static int bad_line(struct mon *x, long line, const char *msg,
		    const char *raw, size_t len)
{
	struct cd_error err;

	cd_error_set(&err, CD_ERR_DATA, line, "%s", msg);
	return input_bad_line(&x->in, &err, raw, len);
}

/*
 * The record's time (known >= 0: already read; else the text when), or
 * the clock's when it has none.
 */
static int record_time(struct mon *x, int64_t known, const char *when,
		       int64_t *ts, struct cd_error *err)
{
	int64_t now = x->replay ? x->clock : wall_now();

	if (known >= 0 || (when && *when)) {
		int64_t t = known >= 0 ? known : comment_parse_time(when);

		if (t < 0)
			return cd_error_set(err, CD_ERR_DATA, 0, "created_at '%.40s' "
					    "is neither RFC 3339 nor unix "
					    "seconds", when);
		*ts = x->replay || t <= now ? t : now;
		if (x->replay)
			x->clock = t;
		return 0;
	}
	if (x->replay && x->clock < 0)
		return cd_error_set(err, CD_ERR_DATA, 0, "no created_at, and "
				    "--replay takes the clock from it");
	*ts = now;
	return 0;
}

static int add(struct mon *x, int64_t ts, const char *id, const char *cat,
	       const char *const *flags, size_t nflags, long line,
	       const char *raw, size_t len)
{
	struct cd_error err;

	cd_error_clear(&err);
	if (monitor_add(x->m, ts, id, cat, flags, nflags, &err))
		return bad_line(x, line, err.msg, raw, len);
	x->records++;
	return 0;
}

/* A comment: classify it as `candor suggest` would, then count it. */
static int comment_line(struct mon *x, const char *line, size_t len, long no)
{
	const struct suggestion *g;
	const char *flags[MAX_FLAGS];
	struct comment cm;
	struct cd_error err;
	size_t i, nflags = 0;
	int64_t ts;
	int rc;

	if (!x->pipeline_open) {
		if ((rc = cli_load_model(x->c)) != 0 ||
		    (rc = pipeline_open(&x->p, x->c, 0)) != 0)
			return rc;
		x->pipeline_open = 1;
	}
	cd_error_clear(&err);
	if (comment_parse(x->in.cp, line, len, x->in.jsonl, no, &cm, &err) ||
	    record_time(x, cm.created_ts, cm.created_at, &ts, &err) ||
	    suggester_run(x->p.sg, &cm, NULL, 0, &g, &err))
		return bad_line(x, no, err.msg, line, len);
	for (i = 0; i < 8 * sizeof(g->flags); i++)
		if (g->flags & (1u << i) && nflags < MAX_FLAGS)
			flags[nflags++] = suggest_flag_name(1u << i);
	return add(x, ts, cm.id, g->category, flags, nflags, no, line, len);
}

enum { W_ID, W_COMMENT_ID, W_CATEGORY, W_FLAGS, W_CREATED_AT, W_CREATE_TIME,
       W_TEXT, W_N };

/* A string or a number member into buf; "" when absent. */
static int member_text(const struct jsonscan_member *m, char *buf, size_t n,
		       struct cd_error *err)
{
	buf[0] = '\0';
	if (m->type == JSONSCAN_STRING)
		return jsonscan_string(m, buf, n, NULL, err);
	if (m->type == JSONSCAN_NUMBER) {
		if (m->len >= n)
			return cd_error_set(err, CD_ERR_LIMIT, 0, "'%s' is longer "
					    "than %zu bytes", m->key, n - 1);
		memcpy(buf, m->val, m->len);
		buf[m->len] = '\0';
		return 0;
	}
	if (m->type == JSONSCAN_ABSENT || m->type == JSONSCAN_NULL)
		return 0;
	return cd_error_set(err, CD_ERR_DATA, 0, "'%s' must be a string or a "
			    "number", m->key);
}

static int record_line(struct mon *x, const char *line, size_t len, long no)
{
	struct jsonscan_member w[W_N] = {
		[W_ID] = { .key = "id" }, [W_COMMENT_ID] = { .key = "comment_id" },
		[W_CATEGORY] = { .key = "category" }, [W_FLAGS] = { .key = "flags" },
		[W_CREATED_AT] = { .key = "created_at" },
		[W_CREATE_TIME] = { .key = "create_time" },
		[W_TEXT] = { .key = "text" },
	};
	char id[ID_MAX], cat[MONITOR_NAME_MAX], when[TIME_MAX];
	char fbuf[MAX_FLAGS][MONITOR_NAME_MAX];
	const char *flags[MAX_FLAGS];
	const struct jsonscan_member *wm;
	struct jsonscan_iter it;
	struct jsonscan_member e;
	struct cd_error err;
	size_t nflags = 0;
	int64_t ts, t;

	cd_error_clear(&err);
	if (jsonscan_object(line, len, w, W_N, &err))
		return bad_line(x, no, err.msg, line, len);
	if (w[W_CATEGORY].type == JSONSCAN_ABSENT) {
		if (w[W_TEXT].type == JSONSCAN_ABSENT)
			return bad_line(x, no, "neither \"category\" (a suggestion) "
					"nor \"text\" (a comment)", line, len);
		return comment_line(x, line, len, no);
	}
	wm = w[W_CREATED_AT].type ? &w[W_CREATED_AT] : &w[W_CREATE_TIME];
	if (member_text(w[W_ID].type ? &w[W_ID] : &w[W_COMMENT_ID], id,
			sizeof(id), &err) ||
	    jsonscan_string(&w[W_CATEGORY], cat, sizeof(cat), NULL, &err))
		return bad_line(x, no, err.msg, line, len);
	when[0] = '\0';
	if (wm->type == JSONSCAN_STRING && !wm->escaped &&
	    wm->len == x->when_len && x->when_ts >= 0 &&
	    !memcmp(wm->val, x->when_text, wm->len)) {
		t = x->when_ts;         /* as the last record's */
	} else {
		if (member_text(wm, when, sizeof(when), &err))
			return bad_line(x, no, err.msg, line, len);
		t = when[0] ? comment_parse_time(when) : -1;
		if (t >= 0 && wm->type == JSONSCAN_STRING && !wm->escaped) {
			memcpy(x->when_text, when, wm->len);
			x->when_len = wm->len;
			x->when_ts = t;
		}
	}
	if (w[W_FLAGS].type == JSONSCAN_ARRAY) {
		jsonscan_array(&w[W_FLAGS], &it);
		while (jsonscan_next(&it, &e)) {
			if (nflags == MAX_FLAGS)
				return bad_line(x, no, "more than 8 flags", line,
						len);
			e.key = "flags";
			if (jsonscan_string(&e, fbuf[nflags], MONITOR_NAME_MAX,
					    NULL, &err))
				return bad_line(x, no, err.msg, line, len);
			flags[nflags] = fbuf[nflags];
			nflags++;
		}
	} else if (w[W_FLAGS].type != JSONSCAN_ABSENT &&
		   w[W_FLAGS].type != JSONSCAN_NULL) {
		return bad_line(x, no, "'flags' must be an array of strings", line,
				len);
	}
	if (record_time(x, t, when, &ts, &err))
		return bad_line(x, no, err.msg, line, len);
	return add(x, ts, id, cat, flags, nflags, no, line, len);
}

static int run(struct mon *x)
{
	const char *line;
	size_t len;
	int rc;

	while (!x->out_gone && (rc = input_next_line(&x->in, &line, &len)) != 0) {
		long no = lr_lineno(x->in.lr);

		if (rc > 1)
			return rc;
		rc = x->in.jsonl ? record_line(x, line, len, no) :
			comment_line(x, line, len, no);
		if (rc)
			return rc;
	}
	/* the input ended: the open window is complete as it is */
	if (!x->out_gone && monitor_window_end(x->m) >= 0)
		monitor_advance(x->m, monitor_window_end(x->m));
	return 0;
}

int cmd_monitor(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "replay", no_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "no-webhook", no_argument, NULL, 'N' },
		{ "strict", no_argument, NULL, 's' },
		{ "errors", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct monitor_params mp;
	struct mon x;
	struct cd_error err;
	const char *errors_path = NULL, *path, *url, *from;
	struct webhook *wh = NULL;
	FILE *errors = NULL;
	int opt, rc, no_webhook = 0, undelivered = 0, strict = 0, opened = 0;
	size_t i;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.clock = -1;
	x.when_ts = -1;
	config_monitor_params(&c->cfg, &mp);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hr", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': x.replay = 1; break;
		case 'w': {
			double d = config_duration(optarg);

			if (d < 1 || d > 86400 || d != (double)(long)d)
				return cli_usage_error("monitor", "--window must be "
						       "whole seconds from 1 to "
						       "86400 (300, 5m, 1h)");
			mp.window = (long)d;
			break;
		}
		case 'N': no_webhook = 1; break;
		case 's': strict = 1; break;
		case 'e': errors_path = optarg; break;
		case 'h': fputs(usage_monitor, stdout); return EXIT_OK;
		default: return cli_usage_error("monitor", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("monitor", "at most one input file");
	/* the brand's language: --lang, else [reply] lang */
	x.lang = c->lang && (!strcmp(c->lang, "en") || !strcmp(c->lang, "ru")) ?
		 c->lang : c->cfg.reply.lang;
	/* --window: a half-life shorter than it is taken as one window */
	if (mp.half_life < (double)mp.window)
		mp.half_life = (double)mp.window;
	if (mp.cold_half_life < (double)mp.window)
		mp.cold_half_life = (double)mp.window;
	if (!(x.m = monitor_new(&mp, on_event, &x, &err)))
		return cli_fail(CD_ERR_CONFIG, &err);
	x.sinks[x.nsinks++] = alerts_stdout_sink();
	url = getenv(HTTP_ENV_WEBHOOK_URL);
	from = "$" HTTP_ENV_WEBHOOK_URL;
	if (!url || !*url) {
		url = c->cfg.alerts.webhook_url;
		from = "[alerts] webhook_url";
	}
	if (!no_webhook && url && *url) {
		rc = webhook_open(&wh, c, url, from, (size_t)c->cfg.alerts.queue);
		if (rc) {
			monitor_free(x.m);
			return rc;
		}
		x.sinks[x.nsinks++] = webhook_sink(wh);
	}
	path = optind < argc ? argv[optind] : "-";
	rc = 0;
	if (errors_path && !(errors = input_open_errors(errors_path)))
		rc = EXIT_IO;
	if (!rc && !(rc = input_open_lines(&x.in, path, strict, c->quiet, errors))) {
		opened = 1;
		/* live: wait for input while the windows close on time */
		lr_on_wait(x.in.lr, x.replay ? input_flush_stdout : live_wait, &x);
		rc = run(&x);
	}
	for (i = 0; i < x.nsinks; i++)
		if (x.sinks[i]->close(x.sinks[i]))
			undelivered = 1;
	cli_info(c, "monitor: %ld records, %ld alerts, %ld late, %ld skipped",
		 x.records, x.alerts, monitor_late(x.m), x.in.skipped);
	if (opened)
		input_close(&x.in);
	if (errors)
		fclose(errors);
	if (x.pipeline_open)
		pipeline_close(&x.p);
	monitor_free(x.m);
	if (rc)
		return rc;
	if (x.in.skipped)
		return EXIT_DATA;
	return undelivered ? EXIT_TEMPFAIL : EXIT_OK;
}

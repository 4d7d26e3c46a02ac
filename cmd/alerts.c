/* alerts.c - see alerts.h. */
#include "alerts.h"
#include "cli.h"
#include "jsonw.h"

#include <string.h>
#include <time.h>

void alerts_time(int64_t ts, char *buf, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%lld", (long long)ts);
}

void alerts_json(struct cd_buf *b, const struct monitor_event *ev)
{
	char ts[40];
	size_t i;

	alerts_time(ev->ts, ts, sizeof(ts));
	cd_buf_addstr(b, "{\"ts\":\"");
	cd_buf_addstr(b, ts);
	cd_buf_addstr(b, "\",\"level\":\"");
	cd_buf_addstr(b, monitor_level_name(ev->level));
	cd_buf_addstr(b, ev->is_flag ? "\",\"flag\":" : "\",\"category\":");
	jsonw_str(b, ev->series, strlen(ev->series));
	cd_buf_addf(b, ",\"count\":%ld,\"baseline\":", ev->count);
	jsonw_num(b, ev->baseline, 3);
	cd_buf_addf(b, ",\"p\":%.3g,\"window\":%ld,\"examples\":[", ev->p,
		    ev->span);
	for (i = 0; i < ev->nexamples; i++) {
		if (i)
			cd_buf_addch(b, ',');
		jsonw_str(b, ev->examples[i], strlen(ev->examples[i]));
	}
	cd_buf_addstr(b, "],\"shares\":{");
	for (i = 0; i < ev->nshares; i++) {
		if (i)
			cd_buf_addch(b, ',');
		jsonw_str(b, ev->shares[i].category,
			  strlen(ev->shares[i].category));
		cd_buf_addch(b, ':');
		jsonw_num(b, ev->shares[i].share, 3);
	}
	cd_buf_addstr(b, "},\"negative_share\":");
	jsonw_num(b, ev->negative_share, 3);
	if (ev->at_once)
		cd_buf_addstr(b, ",\"at_once\":true");
	cd_buf_addstr(b, "}\n");
}

/* "5 min", "1 h", "90 s" */
static void span_text(struct cd_buf *b, long s, int ru)
{
	if (s % 3600 == 0)
		cd_buf_addf(b, "%ld %s", s / 3600, ru ? "ч" : "h");
	else if (s % 60 == 0)
		cd_buf_addf(b, "%ld %s", s / 60, ru ? "мин" : "min");
	else
		cd_buf_addf(b, "%ld %s", s, ru ? "с" : "s");
}

void alerts_text(struct cd_buf *b, const struct monitor_event *ev,
		 const char *lang)
{
	static const char *const en[] = { "All clear", "Watch", "ALERT",
					  "CRISIS" };
	static const char *const ru[] = { "Отбой", "Внимание", "ТРЕВОГА",
					  "КРИЗИС" };
	int isru = lang && !strcmp(lang, "ru");
	const char *what = ev->is_flag ? (isru ? "метка" : "flag") :
			   (isru ? "категория" : "category");
	size_t i;

	cd_buf_addf(b, "%s: %s %s", (isru ? ru : en)[ev->level], what,
		    ev->series);
	if (ev->level == MONITOR_CLEAR) {
		cd_buf_addf(b, isru ? " снова в норме (%ld за " :
			    " is back to usual (%ld in ", ev->count);
		span_text(b, ev->span, isru);
		cd_buf_addf(b, isru ? ", обычно %.1f)." : ", usually %.1f).",
			    ev->baseline);
		return;
	}
	if (ev->at_once)
		cd_buf_addstr(b, isru ? ": сообщение о вреде, нужен человек "
			      "сейчас" : ": someone reports harm, a person is "
			      "needed now");
	cd_buf_addf(b, isru ? ", %ld за " : ", %ld in ", ev->count);
	span_text(b, ev->span, isru);
	cd_buf_addf(b, isru ? " (обычно %.1f, p = %.2g)." :
		    " (usually %.1f, p = %.2g).", ev->baseline, ev->p);
	for (i = 0; i < ev->nshares && i < 3; i++)
		cd_buf_addf(b, "%s%s %.0f%%", i ? ", " : (isru ? " Доли: " :
			    " Shares: "), ev->shares[i].category,
			    100 * ev->shares[i].share);
	if (ev->nshares)
		cd_buf_addch(b, '.');
	for (i = 0; i < ev->nexamples; i++)
		cd_buf_addf(b, "%s%s", i ? ", " : (isru ? " Примеры: " :
			    " Examples: "), ev->examples[i]);
	if (ev->nexamples)
		cd_buf_addch(b, '.');
}

struct stdout_sink {
	struct alert_sink base;
	struct cd_buf buf;
};

static int stdout_send(struct alert_sink *s, const struct monitor_event *ev,
		       const char *lang)
{
	struct stdout_sink *o = (struct stdout_sink *)s;

	(void)lang;
	cd_buf_reset(&o->buf);
	alerts_json(&o->buf, ev);
	/* flushed per line: the crisis team's tools read it now */
	if (cli_write(o->buf.data, o->buf.len) || fflush(stdout))
		return -1;
	return 0;
}

static int stdout_close(struct alert_sink *s)
{
	cd_buf_release(&((struct stdout_sink *)s)->buf);
	return 0;
}

struct alert_sink *alerts_stdout_sink(void)
{
	static struct stdout_sink sink;

	sink.base.send = stdout_send;
	sink.base.close = stdout_close;
	cd_buf_init(&sink.buf, 1u << 16);
	return &sink.base;
}

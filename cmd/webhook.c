/* webhook.c - see webhook.h. */
#include "webhook.h"
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct webhook {
	struct alert_sink base;
	struct http_client *http;
	char *url;
	int verbose;
	double drain;                   /* seconds close() waits at most */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;            /* a message, or stop */
	pthread_cond_t idle;            /* the queue is empty, or stopped */
	char **q;                       /* ring of messages */
	size_t cap, head, n;
	int stop;                       /* finish what is queued, then end */
	int abort;                      /* end after the current message */
	int busy;                       /* a POST is under way */
	long sent, failed, dropped;
	struct cd_buf text;
};

/* A retry is worth a line; libcurl's trace only with -v. */
static void log_line(void *ctx, int level, const char *line)
{
	const struct webhook *w = ctx;

	if (level == 0 || w->verbose)
		cli_err("webhook: %s", line);   /* secrets already masked */
}

static void *sender(void *arg)
{
	struct webhook *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		char *msg;
		struct cd_error err;
		int rc;

		while (!w->n && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->n || w->abort)
			break;
		msg = w->q[w->head];
		w->head = (w->head + 1) % w->cap;
		w->n--;
		w->busy = 1;
		pthread_mutex_unlock(&w->lock);

		cd_error_clear(&err);
		rc = http_post_webhook(w->http, w->url, msg, &err);
		if (rc)
			cli_err("webhook: alert not delivered: %s", err.msg);
		free(msg);

		pthread_mutex_lock(&w->lock);
		w->busy = 0;
		if (rc)
			w->failed++;
		else
			w->sent++;
		if (!w->n)
			pthread_cond_broadcast(&w->idle);
	}
	w->busy = 0;
	pthread_cond_broadcast(&w->idle);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Queue msg (taken over); -1 when the queue is full (msg is freed). */
static int enqueue(struct webhook *w, char *msg)
{
	pthread_mutex_lock(&w->lock);
	if (!msg || w->n == w->cap) {
		w->dropped++;
		pthread_mutex_unlock(&w->lock);
		free(msg);
		return -1;
	}
	w->q[(w->head + w->n) % w->cap] = msg;
	w->n++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int webhook_post(struct webhook *w, const char *text)
{
	return enqueue(w, strdup(text));
}

static int webhook_send(struct alert_sink *s, const struct monitor_event *ev,
			const char *lang)
{
	struct webhook *w = (struct webhook *)s;
	char *msg;
	int oom;

	cd_buf_reset(&w->text);
	alerts_text(&w->text, ev, lang);
	msg = strdup(w->text.data ? w->text.data : "");
	oom = !msg;
	if (enqueue(w, msg))
		cli_err("webhook: %s; %s alert on %s dropped", !oom ? "queue full "
			"(the webhook is slower than the alerts)" : "out of memory",
			monitor_level_name(ev->level), ev->series);
	return 0;               /* stdout still has it: go on */
}

static void free_webhook(struct webhook *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->q[(w->head + i) % w->cap]);
	free(w->q);
	free(w->url);
	http_free(w->http);
	cd_buf_release(&w->text);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->idle);
	free(w);
}

static int webhook_close(struct alert_sink *s)
{
	struct webhook *w = (struct webhook *)s;
	struct timespec until;
	long left;
	int late = 0, undelivered;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)w->drain;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	while ((w->n || w->busy) && !late)
		late = pthread_cond_timedwait(&w->idle, &w->lock, &until) ==
		       ETIMEDOUT;
	w->abort = 1;                   /* what is still queued stays unsent */
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	left = (long)w->n;
	undelivered = w->failed || w->dropped || left;
	if (undelivered || w->verbose)
		cli_err("webhook: %ld alerts sent, %ld failed, %ld dropped "
			"(queue full), %ld not sent at the end", w->sent,
			w->failed, w->dropped, left);
	free_webhook(w);
	return undelivered ? -1 : 0;
}

int webhook_open(struct webhook **out, const struct cli *c, const char *url,
		 const char *from, size_t queue)
{
	struct http_params hp;
	struct webhook *w;
	struct cd_error err;

	*out = NULL;
	if (!http_url_allowed(url)) {
		cli_err("the webhook URL from %s is refused: https only (plain "
			"http only to a loopback host)", from);
		return EXIT_CONFIG;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->q = calloc(queue ? queue : 1, sizeof(char *))) ||
	    !(w->url = strdup(url))) {
		if (w)
			free(w->q);
		free(w);
		cli_err("out of memory");
		return EXIT_SOFTWARE;
	}
	w->cap = queue ? queue : 1;
	w->verbose = c->verbose;
	cd_buf_init(&w->text, 1u << 14);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	cli_http_params(c, &hp);
	if (hp.connect_timeout > hp.timeout)
		hp.connect_timeout = hp.timeout;
	hp.log = log_line;
	hp.log_ctx = w;
	/* one request with all its retries, and a little more */
	w->drain = hp.budget > 0 ? hp.budget :
		   hp.timeout * (hp.retries + 1) + hp.backoff_max;
	cd_error_clear(&err);
	if (!(w->http = http_new(&hp, &err)) ||
	    http_add_secret(w->http, url, &err)) {
		cli_err("webhook: %s", err.msg);
		free_webhook(w);
		return EXIT_SOFTWARE;
	}
	if (pthread_create(&w->thread, NULL, sender, w)) {
		cli_err("webhook: cannot start the sender thread");
		free_webhook(w);
		return EXIT_SOFTWARE;
	}
	w->base.send = webhook_send;
	w->base.close = webhook_close;
	*out = w;
	return 0;
}

struct alert_sink *webhook_sink(struct webhook *w)
{
	return &w->base;
}

/*
 * webhook.h - monitor's alerts to the crisis team's webhook, without ever
 * holding up the reading of the stream.
 *
 * send() only formats the short message (alerts_text) and puts it on a
 * bounded queue; a sender thread takes messages off it and POSTs each as
 * {"text": ...} with core/http.h (its retries, backoff and time limits;
 * the URL is a secret and never shown).  A full queue drops the new alert
 * and says so on stderr at once; a failed POST is reported too.  close()
 * lets the sender finish what is queued for at most the time one request
 * may take with its retries, then reports what was sent, failed, dropped
 * or left, and returns -1 when anything was not delivered.
 */
#ifndef CANDOR_WEBHOOK_H
#define CANDOR_WEBHOOK_H

#include <stddef.h>

#include "alerts.h"
#include "cli.h"

struct webhook;

/*
 * Start the sender for url with at most `queue` messages waiting.  0 and
 * *out, or an exit code after printing why (a URL http_url_allowed()
 * refuses: exit 78 naming where it came from, never the URL).
 */
int webhook_open(struct webhook **out, const struct cli *c, const char *url,
		 const char *from, size_t queue);

/*
 * Queue one plain message (review's escalation notes).  0, or -1 when the
 * queue is full (the message is dropped and counted).
 */
int webhook_post(struct webhook *w, const char *text);

/* The sink; its close() also frees the webhook. */
struct alert_sink *webhook_sink(struct webhook *w);

#endif

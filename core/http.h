/*
 * http.h - candor's one HTTP client, on libcurl (SPEC section 7).
 *
 * One struct http_client holds one curl easy handle that is reused for
 * every request, so connections are kept alive.  Every request is bounded
 * in time (connect and total timeouts, and a budget for all its retries),
 * TLS peers are always verified (params.cacert adds a private CA), and a
 * plain http:// URL is refused unless its host is a loopback one.  Requests
 * are spaced by the rate limit; 429, 5xx and network errors are retried
 * with exponential backoff and jitter, honouring Retry-After (seconds or an
 * HTTP date).  A request that is not idempotent (creating a reply) is
 * retried only when the server cannot have acted on it (connection
 * refused, 429, 503); otherwise the failure says so (resp->maybe_sent) and
 * the caller settles it.  Such a request also gets a fresh connection:
 * libcurl would otherwise resend it by itself when a kept-alive connection
 * dies before the answer.
 *
 * Secrets: every secret a request carries (a token header, a webhook URL)
 * is registered with http_add_secret() and shown as "***" in everything
 * this module produces: the log lines (libcurl's verbose output included)
 * and the error messages.  core/ never prints: log lines go to
 * params.log, a callback the program supplies.
 *
 * Ownership: http_new() returns a client freed with http_free(); a
 * struct http_response is embedded by the caller (http_response_init /
 * http_response_release).  Strings passed in are copied or only read
 * during the call.
 */
#ifndef CANDOR_HTTP_H
#define CANDOR_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

struct cJSON;

#define HTTP_BODY_MAX (16u << 20)       /* a response body larger is an error */
#define HTTP_URL_MAX 4096
#define HTTP_MAX_SECRETS 8
#define HTTP_MAX_HEADERS 8

/* The environment variables secrets come from (never config files). */
#define HTTP_ENV_TIKTOK_TOKEN "CANDOR_TIKTOK_TOKEN"
#define HTTP_ENV_RESEARCH_TOKEN "CANDOR_RESEARCH_TOKEN"
#define HTTP_ENV_WEBHOOK_URL "CANDOR_WEBHOOK_URL"

struct http_params {
	double timeout;         /* seconds per attempt, total ([http] timeout) */
	double connect_timeout; /* seconds to connect (min of 10, timeout) */
	int retries;            /* extra attempts ([http] retries) */
	double rate;            /* requests per second at most, 0 = no limit */
	double backoff;         /* first retry delay in seconds ([http] backoff) */
	double backoff_max;     /* cap on one delay */
	double budget;          /* seconds for one call with all its retries */
	const char *cacert;     /* a CA bundle file (--cacert), or NULL */
	int verbose;            /* pass libcurl's own trace to log */
	/*
	 * Log lines (no newline), secrets already masked; may be NULL.
	 * level 0: a note worth showing (a retry); 1: libcurl's trace (-v).
	 */
	void (*log)(void *ctx, int level, const char *line);
	void *log_ctx;
	/*
	 * The jitter source: a number in [0, 1).  NULL uses a generator
	 * seeded with `seed` (0: from the clock), so tests can fix it.
	 */
	double (*jitter)(void *ctx);
	void *jitter_ctx;
	unsigned long seed;
	/* How to wait; NULL sleeps for real (tests may count instead). */
	void (*sleep)(void *ctx, double seconds);
	void *sleep_ctx;
};

/* Defaults: timeout 20, retries 5, rate 5, backoff 0.5 (SPEC section 7). */
void http_params_init(struct http_params *p);

struct http_client;

struct http_client *http_new(const struct http_params *p, struct cd_error *err);
void http_free(struct http_client *h);

/*
 * Remember a secret so it is shown as "***" wherever this client writes
 * text (log lines, error messages).  Empty strings are ignored.  Copies s.
 * CD_ERR_LIMIT past HTTP_MAX_SECRETS.
 */
int http_add_secret(struct http_client *h, const char *s, struct cd_error *err);

/* Replace every registered secret in s by "***", in place. */
void http_mask(const struct http_client *h, char *s, size_t size);

struct http_request {
	const char *method;     /* "GET" or "POST" */
	const char *url;
	const char *what;       /* how errors name it: "comment list" */
	int url_secret;         /* the URL is a secret: never shown at all */
	int idempotent;         /* safe to repeat after an unclear failure */
	/* extra headers "Name: value"; NULL-terminated or HTTP_MAX_HEADERS */
	const char *headers[HTTP_MAX_HEADERS];
	const char *body;       /* POST body (JSON), or NULL */
	/*
	 * The variable to name when the server says the credentials are
	 * wrong (401, 403, or an envelope auth code), or NULL.
	 */
	const char *auth_env;
};

struct http_response {
	long status;            /* HTTP status of the last attempt, 0 if none */
	struct cd_buf body;
	char request_id[96];    /* from the envelope or X-Tt-Logid, if any */
	int attempts;
	int maybe_sent;         /* failed after the server may have acted */
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/*
 * Perform req with the retries and limits of the client.  0 when the
 * final answer is 2xx (body in resp), otherwise:
 *   CD_ERR_AUTH      401/403: stop; the message names req->auth_env
 *   CD_ERR_TEMPFAIL  retries or time budget used up (429, 5xx, network)
 *   CD_ERR_REMOTE    another 4xx, or a refused URL
 *   CD_ERR_USAGE     a URL that is not allowed (plain http to a remote host)
 *   CD_ERR_LIMIT     the body exceeded HTTP_BODY_MAX
 */
int http_do(struct http_client *h, const struct http_request *req,
	    struct http_response *resp, struct cd_error *err);

/*
 * A TikTok call: http_do() and then the JSON envelope.  The Business API
 * answers {"code":0,"message","request_id","data":{...}}; the Research
 * API {"data":{...},"error":{"code":"ok","message","log_id"}}.  On success
 * *data is the detached "data" object (free with cJSON_Delete; an empty
 * object when absent).  A non-zero code is CD_ERR_REMOTE with the message
 * and request id, an auth code CD_ERR_AUTH naming req->auth_env, a rate or
 * internal code is retried like a 429/5xx, and a body that is not the
 * envelope is CD_ERR_REMOTE ("malformed response").
 */
int http_tiktok(struct http_client *h, const struct http_request *req,
		struct cJSON **data, struct http_response *resp,
		struct cd_error *err);

/*
 * Parse a TikTok envelope from text (the part of http_tiktok after the
 * transfer; exposed for the fuzzer and tests).  0 and *data, or
 * CD_ERR_REMOTE / CD_ERR_AUTH / CD_ERR_TEMPFAIL (retryable code) with
 * err naming what and auth_env.  request_id (size ridsz) receives the id.
 */
int http_envelope_parse(const char *text, size_t len, const char *what,
			const char *auth_env, struct cJSON **data,
			char *request_id, size_t ridsz, struct cd_error *err);

/*
 * POST {"text": text} as JSON to a Slack-compatible webhook.  The URL is
 * a secret: it is registered with the client and never shown.  0 or an
 * http_do() status.
 */
int http_post_webhook(struct http_client *h, const char *url, const char *text,
		      struct cd_error *err);

/*
 * Retry-After: "120" or an HTTP date; seconds to wait from now_unix, or
 * -1 when it cannot be read.  A date in the past is 0.
 */
double http_retry_after(const char *value, double now_unix);

/* 1 when url's scheme is https, or http to localhost / 127.x / [::1]. */
int http_url_allowed(const char *url);

#endif

/* http.c - see http.h. */
#include "http.h"
#include "tiktok.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct http_client {
	CURL *curl;
	struct http_params p;
	char cacert[1024];
	char *secrets[HTTP_MAX_SECRETS];
	size_t nsecrets;
	unsigned long long rng;
	double last_start;              /* monotonic time of the last request */
	int fail_rc;                    /* the status of a V_FAIL verdict */
	/* per attempt */
	struct http_response *resp;
	const struct http_request *req;
	double retry_after;             /* -1 when the answer had none */
	int too_big;
	char trace[1024];               /* one masked log line */
};

void http_params_init(struct http_params *p)
{
	memset(p, 0, sizeof(*p));
	p->timeout = 20;
	p->connect_timeout = 10;
	p->retries = 5;
	p->rate = 5;
	p->backoff = 0.5;
	p->backoff_max = 30;
}

void http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	cd_buf_init(&r->body, HTTP_BODY_MAX);
}

void http_response_release(struct http_response *r)
{
	cd_buf_release(&r->body);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void real_sleep(double s)
{
	struct timespec ts;

	if (!(s > 0))
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void pause_for(struct http_client *h, double s)
{
	if (!(s > 0))
		return;
	if (h->p.sleep)
		h->p.sleep(h->p.sleep_ctx, s);
	else
		real_sleep(s);
}

/* xorshift64*: a small seeded generator for the jitter. */
static double jitter(struct http_client *h)
{
	if (h->p.jitter) {
		double j = h->p.jitter(h->p.jitter_ctx);

		return j >= 0 && j < 1 ? j : 0;
	}
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return (double)((h->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

void http_mask(const struct http_client *h, char *s, size_t size)
{
	size_t i;

	if (!h || !s)
		return;
	for (i = 0; i < h->nsecrets; i++) {
		const char *sec = h->secrets[i];
		size_t n = strlen(sec);
		char *p = s;

		while ((p = strstr(p, sec)) != NULL) {
			size_t rest = strlen(p + n);

			/* "***" is never longer than a secret of 3+ bytes */
			if (n >= 3) {
				memcpy(p, "***", 3);
				memmove(p + 3, p + n, rest + 1);
			} else {
				memset(p, '*', n);
			}
			p += n >= 3 ? 3 : n;
		}
	}
	(void)size;
}

static void logf_(struct http_client *h, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct http_client *h, int level, const char *fmt, ...)
{
	va_list ap;

	if (!h->p.log)
		return;
	va_start(ap, fmt);
	vsnprintf(h->trace, sizeof(h->trace), fmt, ap);
	va_end(ap);
	http_mask(h, h->trace, sizeof(h->trace));
	h->p.log(h->p.log_ctx, level, h->trace);
}

/* Format an error and mask any secret in it. */
static int fail(struct http_client *h, struct cd_error *err, int status,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct http_client *h, struct cd_error *err, int status,
		const char *fmt, ...)
{
	va_list ap;

	h->fail_rc = status;
	if (!err)
		return status;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->line = 0;
	err->col = 0;
	http_mask(h, err->msg, sizeof(err->msg));
	return status;
}

int http_add_secret(struct http_client *h, const char *s, struct cd_error *err)
{
	size_t i;

	if (!s || !*s)
		return 0;
	for (i = 0; i < h->nsecrets; i++)
		if (!strcmp(h->secrets[i], s))
			return 0;
	if (h->nsecrets == HTTP_MAX_SECRETS)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d secrets", HTTP_MAX_SECRETS);
	h->secrets[h->nsecrets] = strdup(s);
	if (!h->secrets[h->nsecrets])
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	h->nsecrets++;
	/* keep the longest first so a secret inside another is masked whole */
	for (i = h->nsecrets - 1; i > 0 &&
	     strlen(h->secrets[i]) > strlen(h->secrets[i - 1]); i--) {
		char *t = h->secrets[i];

		h->secrets[i] = h->secrets[i - 1];
		h->secrets[i - 1] = t;
	}
	return 0;
}

/* ---- URLs ---- */

int http_url_allowed(const char *url)
{
	const char *host, *end;
	size_t n;

	if (!strncasecmp(url, "https://", 8))
		return 1;
	if (strncasecmp(url, "http://", 7))
		return 0;
	host = url + 7;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		return 0;               /* no credentials in a plain URL */
	if (*host == '[') {
		return !strncmp(host, "[::1]", 5) &&
		       (host[5] == ':' || host + 5 == end);
	}
	n = strcspn(host, ":/?#");
	if (n == 9 && !strncasecmp(host, "localhost", 9))
		return 1;
	if (n >= 4 && !strncmp(host, "127.", 4)) {
		size_t i;

		for (i = 4; i < n; i++)
			if (!(host[i] == '.' || (host[i] >= '0' && host[i] <= '9')))
				return 0;
		return 1;
	}
	return 0;
}

/* ---- Retry-After ---- */

static int month_of(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *p;

	for (p = names; *p; p += 3)
		if (!strncmp(p, m, 3))
			return (int)((p - names) / 3);
	return -1;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

double http_retry_after(const char *v, double now_unix)
{
	char *end;
	double s;
	int d, y, hh, mm, ss, mon;
	char wk[4], mo[4];

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v >= '0' && *v <= '9') {
		s = strtod(v, &end);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		return *end || !(s >= 0) || s > 1e7 ? -1 : s;
	}
	/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7) */
	if (sscanf(v, "%3[A-Za-z], %d %3[A-Za-z] %d %d:%d:%d GMT", wk, &d, mo, &y,
		   &hh, &mm, &ss) != 7)
		return -1;
	mon = month_of(mo);
	if (mon < 0 || d < 1 || d > 31 || y < 1970 || y > 9999 || hh > 23 ||
	    mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	s = (double)days_from_civil(y, mon + 1, d) * 86400.0 + hh * 3600.0 +
	    mm * 60.0 + ss;
	return s > now_unix ? s - now_unix : 0;
}

/* ---- libcurl callbacks ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_client *h = ud;
	size_t len = size * n;

	if (cd_buf_add(&h->resp->body, p, len)) {
		h->too_big = 1;
		return 0;
	}
	return len;
}

static void copy_value(char *dst, size_t dsz, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	if (n >= dsz)
		n = dsz - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http_client *h = ud;
	size_t len = size * n;
	char v[128];

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12)) {
		copy_value(v, sizeof(v), p + 12, len - 12);
		h->retry_after = http_retry_after(v, (double)time(NULL));
	} else if (len > 11 && !strncasecmp(p, "X-Tt-Logid:", 11)) {
		copy_value(h->resp->request_id, sizeof(h->resp->request_id),
			   p + 11, len - 11);
	}
	return len;
}

static const char *const secret_headers[] = {
	"access-token:", "authorization:", "cookie:", "set-cookie:",
	"proxy-authorization:", NULL
};

/* One line of libcurl's trace, masked, to the log. */
static void trace_line(struct http_client *h, char dir, const char *p,
		       size_t n, int first_out)
{
	size_t i;
	char *t = h->trace;
	size_t cap = sizeof(h->trace) - 8;

	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (!n)
		return;
	if (n > cap)
		n = cap;
	t[0] = dir;
	t[1] = ' ';
	memcpy(t + 2, p, n);
	t[n + 2] = '\0';
	for (i = 0; secret_headers[i]; i++) {
		size_t k = strlen(secret_headers[i]);

		if (n >= k && !strncasecmp(t + 2, secret_headers[i], k)) {
			snprintf(t + 2 + k, sizeof(h->trace) - 2 - k, " ***");
			break;
		}
	}
	if (first_out && h->req && h->req->url_secret) {
		/* "POST /services/T0/B0/XXXX HTTP/1.1": the path is the secret */
		char *sp = strchr(t + 2, ' ');

		if (sp)
			snprintf(sp, sizeof(h->trace) - (size_t)(sp - t), " ***");
	}
	if (h->req && h->req->url_secret && dir == '*') {
		/* connection notes name the host and maybe the path */
		snprintf(t + 2, sizeof(h->trace) - 2, "(connection to the "
			 "secret URL)");
	}
	http_mask(h, t, sizeof(h->trace));
	h->p.log(h->p.log_ctx, 1, t);
}

static int on_debug(CURL *c, curl_infotype type, char *data, size_t size,
		    void *ud)
{
	struct http_client *h = ud;
	char dir;
	size_t start = 0, i;
	int first = 1;

	(void)c;
	switch (type) {
	case CURLINFO_TEXT: dir = '*'; break;
	case CURLINFO_HEADER_IN: dir = '<'; break;
	case CURLINFO_HEADER_OUT: dir = '>'; break;
	default: return 0;      /* bodies and TLS records are not traced */
	}
	for (i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			trace_line(h, dir, data + start, i - start,
				   dir == '>' && first);
			first = 0;
			start = i + 1;
		}
	}
	return 0;
}

/* ---- the client ---- */

struct http_client *http_new(const struct http_params *p, struct cd_error *err)
{
	struct http_client *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot initialise libcurl");
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		curl_global_cleanup();
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	h->p = *p;
	if (!(h->p.timeout > 0))
		h->p.timeout = 20;
	if (!(h->p.connect_timeout > 0) || h->p.connect_timeout > h->p.timeout)
		h->p.connect_timeout = h->p.timeout;
	if (h->p.retries < 0)
		h->p.retries = 0;
	if (!(h->p.backoff > 0))
		h->p.backoff = 0.5;
	if (!(h->p.backoff_max > 0))
		h->p.backoff_max = 30;
	if (!(h->p.budget > 0))
		h->p.budget = h->p.timeout * (h->p.retries + 1) +
			      h->p.backoff_max * h->p.retries;
	if (p->cacert) {
		if (strlen(p->cacert) >= sizeof(h->cacert)) {
			free(h);
			curl_global_cleanup();
			cd_error_set(err, CD_ERR_USAGE, 0, "--cacert path longer "
				     "than %zu bytes", sizeof(h->cacert) - 1);
			return NULL;
		}
		strcpy(h->cacert, p->cacert);
		h->p.cacert = h->cacert;
	}
	h->rng = p->seed ? p->seed : (unsigned long long)time(NULL) ^
		 ((unsigned long long)clock() << 20);
	if (!h->rng)
		h->rng = 88172645463325252ULL;
	h->last_start = -1e9;
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		curl_global_cleanup();
		cd_error_set(err, CD_ERR_NOMEM, 0, "cannot create a curl handle");
		return NULL;
	}
	return h;
}

void http_free(struct http_client *h)
{
	size_t i;

	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	for (i = 0; i < h->nsecrets; i++) {
		/* wipe secrets before giving the memory back */
		volatile char *s = h->secrets[i];
		size_t n = strlen(h->secrets[i]);

		while (n--)
			s[n] = 0;
		free(h->secrets[i]);
	}
	free(h);
	curl_global_cleanup();
}

/* How one attempt ended. */
enum verdict {
	V_OK,           /* 2xx */
	V_RETRY_SAFE,   /* retry: the server did not act (429, 503, refused) */
	V_RETRY_MAYBE,  /* retry only if idempotent: 5xx, timeouts, resets */
	V_FAIL          /* do not retry: err is filled */
};

static enum verdict classify_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return V_RETRY_SAFE;
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return V_RETRY_MAYBE;
	default:
		return V_FAIL;
	}
}

/* The envelope's message of an error body, for a clearer error. */
static void body_message(const struct http_response *r, char *out, size_t n)
{
	cJSON *j, *m = NULL, *e;

	out[0] = '\0';
	if (!r->body.len)
		return;
	j = cJSON_ParseWithLength(r->body.data, r->body.len);
	if (!j)
		return;
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(e))
		m = cJSON_GetObjectItemCaseSensitive(e, "message");
	if (!cJSON_IsString(m))
		m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (cJSON_IsString(m) && m->valuestring[0])
		snprintf(out, n, ": %.120s", m->valuestring);
	cJSON_Delete(j);
}

static int auth_error(struct http_client *h, const struct http_request *req,
		      const char *detail, struct cd_error *err)
{
	if (req->auth_env)
		return fail(h, err, CD_ERR_AUTH, "%s: the server refused the "
			    "credentials (%s): set %s to a valid token",
			    req->what, detail, req->auth_env);
	return fail(h, err, CD_ERR_AUTH, "%s: the server refused the "
		    "credentials (%s)", req->what, detail);
}

static enum verdict attempt(struct http_client *h,
			    const struct http_request *req,
			    struct http_response *resp, double timeout,
			    char *why, size_t whysz, struct cd_error *err)
{
	CURL *c = h->curl;
	struct curl_slist *hdrs = NULL, *t;
	CURLcode rc;
	long status = 0;
	size_t i;
	char msg[160];

	curl_easy_reset(c);
	cd_buf_reset(&resp->body);
	resp->status = 0;
	h->retry_after = -1;
	h->too_big = 0;
	h->resp = resp;
	h->req = req;
	for (i = 0; i < HTTP_MAX_HEADERS && req->headers[i]; i++) {
		t = curl_slist_append(hdrs, req->headers[i]);
		if (!t)
			goto nomem;
		hdrs = t;
	}
	if (req->body) {
		t = curl_slist_append(hdrs, "Content-Type: application/json");
		if (!t)
			goto nomem;
		hdrs = t;
	}
	/* no "Expect: 100-continue" round trip */
	t = curl_slist_append(hdrs, "Expect:");
	if (!t)
		goto nomem;
	hdrs = t;

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->p.cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->p.cacert);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/*
	 * libcurl silently sends a request again when a reused connection
	 * dies before any answer; the server may have acted on the first
	 * one, so a request that must not be repeated gets a fresh one.
	 */
	if (!req->idempotent)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(fmin(h->p.connect_timeout, timeout) * 1000));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "candor/1");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
	if (h->p.verbose && h->p.log) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	if (!strcmp(req->method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	h->req = NULL;
	resp->status = status;
	resp->attempts++;
	if (h->too_big) {
		fail(h, err, CD_ERR_LIMIT, "%s: response larger than %u bytes",
		     req->what, HTTP_BODY_MAX);
		return V_FAIL;
	}
	if (rc != CURLE_OK) {
		enum verdict v = classify_curl(rc);

		snprintf(why, whysz, "%s", curl_easy_strerror(rc));
		http_mask(h, why, whysz);
		if (v == V_FAIL)
			fail(h, err, rc == CURLE_PEER_FAILED_VERIFICATION ||
			     rc == CURLE_SSL_CACERT_BADFILE ? CD_ERR_REMOTE :
			     CD_ERR_TEMPFAIL, "%s: %s", req->what, why);
		return v;
	}
	if (status >= 200 && status < 300)
		return V_OK;
	body_message(resp, msg, sizeof(msg));
	snprintf(why, whysz, "http %ld%s", status, msg);
	http_mask(h, why, whysz);
	if (status == 401 || status == 403) {
		auth_error(h, req, why, err);
		return V_FAIL;
	}
	if (status == 429 || status == 503)
		return V_RETRY_SAFE;
	if (status >= 500)
		return V_RETRY_MAYBE;
	fail(h, err, CD_ERR_REMOTE, "%s: %s", req->what, why);
	return V_FAIL;
nomem:
	curl_slist_free_all(hdrs);
	h->req = NULL;
	fail(h, err, CD_ERR_NOMEM, "out of memory");
	return V_FAIL;
}

/* The rate limit: wait until 1/rate seconds after the last start. */
static void pace(struct http_client *h)
{
	if (h->p.rate > 0) {
		double gap = 1.0 / h->p.rate;
		double wait = h->last_start + gap - mono_now();

		if (wait > 0)
			pause_for(h, wait);
	}
	h->last_start = mono_now();
}

/* Check a 2xx answer further (the envelope); returns a verdict. */
typedef enum verdict (*check_fn)(struct http_client *h,
				 const struct http_request *req,
				 struct http_response *resp, void *ctx,
				 char *why, size_t whysz,
				 struct cd_error *err);

static int call(struct http_client *h, const struct http_request *req,
		struct http_response *resp, check_fn check, void *ctx,
		struct cd_error *err)
{
	double start = mono_now(), deadline = start + h->p.budget;
	int tries;
	char why[200];

	resp->attempts = 0;
	resp->maybe_sent = 0;
	h->fail_rc = 0;
	resp->request_id[0] = '\0';
	if (strlen(req->url) >= HTTP_URL_MAX)
		return fail(h, err, CD_ERR_USAGE, "%s: URL longer than %d bytes",
			    req->what, HTTP_URL_MAX);
	if (!http_url_allowed(req->url)) {
		if (req->url_secret)
			return fail(h, err, CD_ERR_USAGE, "%s: only https:// URLs "
				    "are allowed (plain http:// only to "
				    "loopback hosts)", req->what);
		return fail(h, err, CD_ERR_USAGE, "%s: '%s' is not allowed: only "
			    "https:// (plain http:// only to loopback hosts)",
			    req->what, req->url);
	}
	for (tries = 0;; tries++) {
		double left = deadline - mono_now(), delay;
		enum verdict v;

		if (left <= 0.05)
			return fail(h, err, CD_ERR_TEMPFAIL, "%s: no answer within "
				    "%.0f s", req->what, h->p.budget);
		pace(h);
		why[0] = '\0';
		v = attempt(h, req, resp, fmin(h->p.timeout, left), why,
			    sizeof(why), err);
		if (v == V_OK && check)
			v = check(h, req, resp, ctx, why, sizeof(why), err);
		if (v == V_OK)
			return 0;
		if (v == V_FAIL)
			return h->fail_rc ? h->fail_rc : CD_ERR_TEMPFAIL;
		if (v == V_RETRY_MAYBE && !req->idempotent) {
			resp->maybe_sent = 1;
			return fail(h, err, CD_ERR_TEMPFAIL, "%s: %s; the server "
				    "may have acted on it, so it is not repeated",
				    req->what, why);
		}
		if (tries >= h->p.retries)
			return fail(h, err, CD_ERR_TEMPFAIL, "%s: %s (gave up after "
				    "%d attempts)", req->what, why, tries + 1);
		/* exponential backoff with equal jitter, or Retry-After */
		delay = fmin(h->p.backoff * pow(2, tries), h->p.backoff_max);
		delay = delay / 2 + delay / 2 * jitter(h);
		if (h->retry_after >= 0)
			delay = h->retry_after;
		left = deadline - mono_now();
		if (delay >= left)
			return fail(h, err, CD_ERR_TEMPFAIL, "%s: %s; waiting %.1f s "
				    "more would pass the %.0f s limit", req->what,
				    why, delay, h->p.budget);
		logf_(h, 0, "%s: %s; retrying in %.1f s", req->what, why, delay);
		pause_for(h, delay);
	}
}

int http_do(struct http_client *h, const struct http_request *req,
	    struct http_response *resp, struct cd_error *err)
{
	cd_error_clear(err);
	return call(h, req, resp, NULL, NULL, err);
}

/* ---- the TikTok envelope ---- */

static const char *const research_auth[] = {
	"access_token_invalid", "scope_not_authorized", "scope_permission_missed",
	NULL
};

/* Business API codes: 40100 is "too many requests", other 401xx are auth. */
static int business_auth_code(double code)
{
	return code == 40001 || (code > 40100 && code < 40200);
}

int http_envelope_parse(const char *text, size_t len, const char *what,
			const char *auth_env, struct cJSON **data,
			char *request_id, size_t ridsz, struct cd_error *err)
{
	cJSON *j, *code, *msg, *rid, *e, *d;
	const char *m = "";
	int rc = 0;
	struct cd_buf q;

	*data = NULL;
	if (request_id && ridsz)
		request_id[0] = '\0';
	/* 19-digit ids as strings: a double would round them */
	cd_buf_init(&q, len + len / 2 + 16);
	if (tiktok_quote_ids(text, len, &q)) {
		cd_buf_release(&q);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	}
	j = cJSON_ParseWithLength(q.data, q.len);
	cd_buf_release(&q);
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return cd_error_set(err, CD_ERR_REMOTE, 0, "%s: malformed "
				    "response: not a JSON object", what);
	}
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsObject(e)) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		rid = cJSON_GetObjectItemCaseSensitive(e, "log_id");
	} else {
		code = cJSON_GetObjectItemCaseSensitive(j, "code");
		msg = cJSON_GetObjectItemCaseSensitive(j, "message");
		rid = cJSON_GetObjectItemCaseSensitive(j, "request_id");
	}
	if (request_id && ridsz && cJSON_IsString(rid))
		snprintf(request_id, ridsz, "%s", rid->valuestring);
	if (cJSON_IsString(msg))
		m = msg->valuestring;
	if (cJSON_IsNumber(code)) {
		double c = code->valuedouble;

		if (c == 0)
			rc = 0;
		else if (business_auth_code(c))
			rc = auth_env ? cd_error_set(err, CD_ERR_AUTH, 0, "%s: the "
				"server refused the credentials (code %.0f: %.100s): "
				"set %s to a valid token", what, c, m, auth_env) :
				cd_error_set(err, CD_ERR_AUTH, 0, "%s: the server "
				"refused the credentials (code %.0f: %.100s)", what,
				c, m);
		else if (c == 40100 || c >= 50000)
			rc = cd_error_set(err, CD_ERR_TEMPFAIL, 0, "%s: code %.0f: "
					  "%.100s", what, c, m);
		else
			rc = cd_error_set(err, CD_ERR_REMOTE, 0, "%s: code %.0f: "
					  "%.100s", what, c, m);
	} else if (cJSON_IsString(code)) {
		const char *c = code->valuestring;
		size_t i;

		rc = strcmp(c, "ok") ? CD_ERR_REMOTE : 0;
		for (i = 0; rc && research_auth[i]; i++)
			if (!strcmp(c, research_auth[i]))
				rc = CD_ERR_AUTH;
		if (rc && (!strcmp(c, "rate_limit_exceeded") ||
			   !strcmp(c, "internal_error")))
			rc = CD_ERR_TEMPFAIL;
		if (rc == CD_ERR_AUTH && auth_env)
			cd_error_set(err, rc, 0, "%s: the server refused the "
				     "credentials (%.40s: %.100s): set %s to a valid "
				     "token", what, c, m, auth_env);
		else if (rc)
			cd_error_set(err, rc, 0, "%s: %.40s: %.100s", what, c, m);
	} else {
		rc = cd_error_set(err, CD_ERR_REMOTE, 0, "%s: malformed response: "
				  "no 'code'", what);
	}
	if (rc) {
		cJSON_Delete(j);
		return rc;
	}
	d = cJSON_DetachItemFromObjectCaseSensitive(j, "data");
	cJSON_Delete(j);
	if (!d || cJSON_IsNull(d)) {
		cJSON_Delete(d);
		d = cJSON_CreateObject();
		if (!d)
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	} else if (!cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return cd_error_set(err, CD_ERR_REMOTE, 0, "%s: malformed "
				    "response: 'data' is not an object", what);
	}
	*data = d;
	return 0;
}

struct env_ctx {
	cJSON *data;
	int status;
};

static enum verdict check_envelope(struct http_client *h,
				   const struct http_request *req,
				   struct http_response *resp, void *ctx,
				   char *why, size_t whysz, struct cd_error *err)
{
	struct env_ctx *x = ctx;
	char rid[96];
	int rc;

	cJSON_Delete(x->data);
	x->data = NULL;
	rc = http_envelope_parse(resp->body.data ? resp->body.data : "",
				 resp->body.len, req->what, req->auth_env,
				 &x->data, rid, sizeof(rid), err);
	if (rid[0])
		snprintf(resp->request_id, sizeof(resp->request_id), "%s", rid);
	x->status = rc;
	if (!rc)
		return V_OK;
	if (err)
		http_mask(h, err->msg, sizeof(err->msg));
	if (rc == CD_ERR_TEMPFAIL) {
		snprintf(why, whysz, "%s", err ? err->msg : "retryable code");
		if (err)
			err->msg[0] = '\0';
		return V_RETRY_MAYBE;
	}
	h->fail_rc = rc;
	if (err && resp->request_id[0]) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (request id %s)",
			 resp->request_id);
	}
	return V_FAIL;
}

int http_tiktok(struct http_client *h, const struct http_request *req,
		cJSON **data, struct http_response *resp, struct cd_error *err)
{
	struct env_ctx x = { NULL, 0 };
	int rc;

	cd_error_clear(err);
	*data = NULL;
	rc = call(h, req, resp, check_envelope, &x, err);
	if (rc) {
		cJSON_Delete(x.data);
		return rc;
	}
	*data = x.data;
	return 0;
}

int http_post_webhook(struct http_client *h, const char *url, const char *text,
		      struct cd_error *err)
{
	struct http_response resp;
	struct http_request req;
	cJSON *o;
	char *body;
	int rc;

	rc = http_add_secret(h, url, err);
	if (rc)
		return rc;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "text", text) ||
	    !(body = cJSON_PrintUnformatted(o))) {
		cJSON_Delete(o);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	}
	cJSON_Delete(o);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.what = "webhook";
	req.url_secret = 1;
	req.idempotent = 1;     /* an alert twice beats an alert lost */
	req.body = body;
	req.auth_env = HTTP_ENV_WEBHOOK_URL;
	http_response_init(&resp);
	rc = http_do(h, &req, &resp, err);
	http_response_release(&resp);
	free(body);
	return rc;
}

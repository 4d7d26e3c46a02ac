/*
 * test_http.c - core/http against tests/fake_tiktok.py on a loopback port.
 *
 * argv[1] is the fake server's script.  Each live test starts its own
 * server with the faults it needs and stops it in the teardown.  Waiting
 * is injected: the client's sleep callback records the delays instead of
 * sleeping, so backoff and Retry-After are checked exactly and fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "http.h"

static const char *script;
static const char *token = "tok-secret-123";
static struct server *live;     /* stopped by the teardown if a test fails */

struct server {
	pid_t pid;
	int port;
	char dir[64];
	char base[128];
};

static void server_start(struct server *s, const char *const *extra)
{
	const char *argv[40];
	char pf[128], lf[128];
	int n = 0, i;

	strcpy(s->dir, "/tmp/candor-http.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(pf, sizeof(pf), "%s/port", s->dir);
	snprintf(lf, sizeof(lf), "%s/log", s->dir);
	argv[n++] = "python3";
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = pf;
	argv[n++] = "--log";
	argv[n++] = lf;
	argv[n++] = "--video";
	argv[n++] = "77:45";
	for (i = 0; extra && extra[i] && n < 38; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		/* the server must not hold the test's output open */
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		FILE *f = fopen(pf, "r");

		if (f) {
			int ok = fscanf(f, "%d", &s->port) == 1;

			fclose(f);
			if (ok)
				break;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	live = s;
	assert_true(s->port > 0);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
}

static void server_stop(struct server *s)
{
	char cmd[160];
	int st;

	live = NULL;
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

static int stop_live(void **state)
{
	(void)state;
	if (live)
		server_stop(live);
	return 0;
}

/* How many requests the server logged to endpoint ep. */
static int server_count(const struct server *s, const char *ep)
{
	char path[160], line[4096], pat[64];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/log", s->dir);
	snprintf(pat, sizeof(pat), "\"ep\": \"%s\"", ep);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, pat) != NULL;
	fclose(f);
	return n;
}

struct recorder {
	double slept[16];
	int nslept;
	char log[32768];
};

static void rec_sleep(void *ctx, double s)
{
	struct recorder *r = ctx;

	if (r->nslept < 16)
		r->slept[r->nslept++] = s;
}

static void rec_log(void *ctx, int level, const char *line)
{
	struct recorder *r = ctx;
	size_t n = strlen(r->log);

	(void)level;
	snprintf(r->log + n, sizeof(r->log) - n, "%s\n", line);
}

static double half(void *ctx)
{
	(void)ctx;
	return 0.5;
}

static struct http_client *client(struct recorder *r, double timeout,
				  int retries)
{
	struct http_params p;
	struct cd_error err;
	struct http_client *h;

	memset(r, 0, sizeof(*r));
	http_params_init(&p);
	p.timeout = timeout;
	p.retries = retries;
	p.rate = 0;
	p.backoff = 0.5;
	p.sleep = rec_sleep;
	p.sleep_ctx = r;
	p.log = rec_log;
	p.log_ctx = r;
	p.jitter = half;
	h = http_new(&p, &err);
	assert_non_null(h);
	assert_int_equal(http_add_secret(h, token, &err), 0);
	return h;
}

/* GET the comment list of video 77 through http_tiktok. */
static int list(struct http_client *h, const struct server *s,
		struct http_response *resp, cJSON **data, struct cd_error *err)
{
	char url[256], hdr[128];
	struct http_request req;

	snprintf(url, sizeof(url), "%s/business/comment/list/?business_id=b1"
		 "&video_id=77&cursor=0&max_count=10", s->base);
	snprintf(hdr, sizeof(hdr), "Access-Token: %s", token);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = url;
	req.what = "comment list";
	req.idempotent = 1;
	req.headers[0] = hdr;
	req.auth_env = HTTP_ENV_TIKTOK_TOKEN;
	return http_tiktok(h, &req, data, resp, err);
}

static int reply(struct http_client *h, const struct server *s,
		 struct http_response *resp, struct cd_error *err)
{
	char url[256], hdr[128];
	struct http_request req;
	cJSON *data = NULL;
	int rc;

	snprintf(url, sizeof(url), "%s/business/comment/reply/create/", s->base);
	snprintf(hdr, sizeof(hdr), "Access-Token: %s", token);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.what = "reply";
	req.idempotent = 0;
	req.headers[0] = hdr;
	req.body = "{\"business_id\":\"b1\",\"video_id\":\"77\","
		   "\"comment_id\":\"770000001\",\"text\":\"thanks\"}";
	req.auth_env = HTTP_ENV_TIKTOK_TOKEN;
	rc = http_tiktok(h, &req, &data, resp, err);
	cJSON_Delete(data);
	return rc;
}

/* ---- pure functions ---- */

static void test_url_allowed(void **state)
{
	(void)state;
	assert_true(http_url_allowed("https://business-api.tiktok.com/x"));
	assert_true(http_url_allowed("http://127.0.0.1:8080/x"));
	assert_true(http_url_allowed("http://localhost/x"));
	assert_true(http_url_allowed("http://[::1]:99/x"));
	assert_false(http_url_allowed("http://example.com/x"));
	assert_false(http_url_allowed("http://127.0.0.1.evil.com/x"));
	assert_false(http_url_allowed("http://localhost.evil.com/"));
	assert_false(http_url_allowed("http://user@127.0.0.1/"));
	assert_false(http_url_allowed("ftp://127.0.0.1/"));
	assert_false(http_url_allowed("file:///etc/passwd"));
}

static void test_retry_after(void **state)
{
	double now = 784111777.0;      /* Sun, 06 Nov 1994 08:49:37 GMT */

	(void)state;
	assert_true(http_retry_after("120", now) == 120);
	assert_true(http_retry_after(" 3 ", now) == 3);
	assert_true(http_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now) == 30);
	assert_true(http_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now) == 0);
	assert_true(http_retry_after("soon", now) < 0);
	assert_true(http_retry_after("-5", now) < 0);
	assert_true(http_retry_after("12abc", now) < 0);
}

static void test_mask(void **state)
{
	struct http_params p;
	struct cd_error err;
	struct http_client *h;
	char s[128] = "token tok-secret-123 and https://hooks/x/SECRET end";

	(void)state;
	http_params_init(&p);
	h = http_new(&p, &err);
	assert_non_null(h);
	assert_int_equal(http_add_secret(h, token, &err), 0);
	assert_int_equal(http_add_secret(h, "https://hooks/x/SECRET", &err), 0);
	http_mask(h, s, sizeof(s));
	assert_string_equal(s, "token *** and *** end");
	http_free(h);
}

static int env(const char *text, cJSON **d, struct cd_error *err)
{
	char rid[64];

	return http_envelope_parse(text, strlen(text), "comment list",
				   HTTP_ENV_TIKTOK_TOKEN, d, rid, sizeof(rid),
				   err);
}

static void test_envelope(void **state)
{
	struct cd_error err;
	cJSON *d;

	(void)state;
	assert_int_equal(env("{\"code\":0,\"message\":\"OK\",\"data\":"
			     "{\"has_more\":false}}", &d, &err), 0);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(d, "has_more")));
	cJSON_Delete(d);
	assert_int_equal(env("{\"code\":0}", &d, &err), 0);
	assert_true(cJSON_IsObject(d));
	cJSON_Delete(d);
	assert_int_equal(env("{\"code\":40105,\"message\":\"revoked\"}", &d,
			     &err), CD_ERR_AUTH);
	assert_non_null(strstr(err.msg, "CANDOR_TIKTOK_TOKEN"));
	assert_int_equal(env("{\"code\":40100,\"message\":\"slow down\"}", &d,
			     &err), CD_ERR_TEMPFAIL);
	assert_int_equal(env("{\"code\":51000}", &d, &err), CD_ERR_TEMPFAIL);
	assert_int_equal(env("{\"code\":40002,\"message\":\"bad video\"}", &d,
			     &err), CD_ERR_REMOTE);
	assert_non_null(strstr(err.msg, "bad video"));
	assert_int_equal(env("{\"data\":{\"x\":1},\"error\":{\"code\":\"ok\"}}",
			     &d, &err), 0);
	cJSON_Delete(d);
	assert_int_equal(env("{\"error\":{\"code\":\"access_token_invalid\"}}",
			     &d, &err), CD_ERR_AUTH);
	assert_int_equal(env("{\"error\":{\"code\":\"rate_limit_exceeded\"}}",
			     &d, &err), CD_ERR_TEMPFAIL);
	assert_int_equal(env("{\"code\":0,\"data\":[1]}", &d, &err),
			 CD_ERR_REMOTE);
	assert_int_equal(env("{\"code\":0,\"data\":{", &d, &err), CD_ERR_REMOTE);
	assert_non_null(strstr(err.msg, "malformed"));
	assert_int_equal(env("[]", &d, &err), CD_ERR_REMOTE);
	assert_int_equal(env("{\"message\":\"hi\"}", &d, &err), CD_ERR_REMOTE);
	assert_null(d);
}

/* ---- against the fake server ---- */

static void test_list_and_keepalive(void **state)
{
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;
	struct http_params p;

	(void)state;
	server_start(&s, NULL);
	h = client(&r, 5, 2);
	http_free(h);
	/* a verbose client: the trace must be there and masked */
	memset(&r, 0, sizeof(r));
	http_params_init(&p);
	p.verbose = 1;
	p.log = rec_log;
	p.log_ctx = &r;
	h = http_new(&p, &err);
	assert_non_null(h);
	assert_int_equal(http_add_secret(h, token, &err), 0);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "comments")),
			 10);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d, "has_more")));
	cJSON_Delete(d);
	assert_int_equal(list(h, &s, &resp, &d, &err), 0);
	cJSON_Delete(d);
	assert_non_null(strstr(r.log, "Access-Token: ***"));
	assert_null(strstr(r.log, token));
	assert_non_null(strstr(r.log, "Re-using existing connection"));
	assert_int_equal(server_count(&s, "list"), 2);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_429_retry_after_seconds(void **state)
{
	const char *const f[] = { "--fault", "list:1=429:7", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 3);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), 0);
	cJSON_Delete(d);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(r.nslept, 1);
	assert_true(r.slept[0] == 7);
	assert_non_null(strstr(r.log, "http 429"));
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_429_retry_after_date(void **state)
{
	const char *const f[] = { "--fault", "list:1=429date:5", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 3);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), 0);
	cJSON_Delete(d);
	assert_int_equal(r.nslept, 1);
	assert_true(r.slept[0] >= 4 && r.slept[0] <= 7);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_5xx_backoff(void **state)
{
	/* the drop first: on a kept-alive connection libcurl retries itself */
	const char *const f[] = { "--fault", "list:1=drop", "--fault",
				  "list:2=500", "--fault", "list:3=503", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 5);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), 0);
	cJSON_Delete(d);
	assert_int_equal(resp.attempts, 4);
	assert_int_equal(server_count(&s, "list"), 4);
	assert_int_equal(r.nslept, 3);
	/* backoff 0.5 doubling, equal jitter at 0.5: 3/4 of each step */
	assert_true(r.slept[0] == 0.375);
	assert_true(r.slept[1] == 0.75);
	assert_true(r.slept[2] == 1.5);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_retries_run_out(void **state)
{
	const char *const f[] = { "--fault", "list:*=500", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 2);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), CD_ERR_TEMPFAIL);
	assert_null(d);
	assert_int_equal(server_count(&s, "list"), 3);
	assert_non_null(strstr(err.msg, "gave up after 3 attempts"));
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_slow_times_out(void **state)
{
	const char *const f[] = { "--fault", "list:*=slow:3", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	struct timespec a, b;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 0.3, 1);
	http_response_init(&resp);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(list(h, &s, &resp, &d, &err), CD_ERR_TEMPFAIL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(resp.attempts, 2);
	assert_non_null(strstr(err.msg, "imeout"));
	/* two attempts of 0.3 s, far from the server's 3 s */
	assert_true((double)(b.tv_sec - a.tv_sec) < 2.0);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_malformed_and_code(void **state)
{
	const char *const f[] = { "--fault", "list:1=malformed", "--fault",
				  "list:2=code:40002", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 3);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), CD_ERR_REMOTE);
	assert_non_null(strstr(err.msg, "malformed"));
	assert_int_equal(list(h, &s, &resp, &d, &err), CD_ERR_REMOTE);
	assert_non_null(strstr(err.msg, "code 40002"));
	assert_non_null(strstr(err.msg, "req-refused"));
	assert_int_equal(server_count(&s, "list"), 2);    /* neither retried */
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_auth_stops_at_once(void **state)
{
	const char *const f[] = { "--fault", "list:*=auth", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	cJSON *d;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 5);
	http_response_init(&resp);
	assert_int_equal(list(h, &s, &resp, &d, &err), CD_ERR_AUTH);
	assert_non_null(strstr(err.msg, "CANDOR_TIKTOK_TOKEN"));
	assert_int_equal(server_count(&s, "list"), 1);
	assert_int_equal(r.nslept, 0);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

/* A reply is not repeated after an unclear failure, but after a 503 it is. */
static void test_reply_not_repeated(void **state)
{
	const char *const f[] = { "--fault", "reply:1=503", "--fault",
				  "reply:3=acted-drop", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;

	(void)state;
	server_start(&s, f);
	h = client(&r, 5, 5);
	http_response_init(&resp);
	assert_int_equal(reply(h, &s, &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	assert_int_equal(resp.maybe_sent, 0);
	assert_int_equal(reply(h, &s, &resp, &err), CD_ERR_TEMPFAIL);
	assert_int_equal(resp.maybe_sent, 1);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(strstr(err.msg, "not repeated"));
	assert_int_equal(server_count(&s, "reply"), 3);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

static void test_plain_http_refused(void **state)
{
	struct recorder r;
	struct http_client *h;
	struct http_response resp;
	struct http_request req;
	struct cd_error err;

	(void)state;
	h = client(&r, 1, 0);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = "http://192.0.2.1/x";
	req.what = "comment list";
	http_response_init(&resp);
	assert_int_equal(http_do(h, &req, &resp, &err), CD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "https://"));
	assert_int_equal(resp.attempts, 0);
	assert_int_equal(http_post_webhook(h, "http://hooks.example/T/B/SECRETX",
					   "hi", &err), CD_ERR_USAGE);
	assert_null(strstr(err.msg, "SECRETX"));
	http_response_release(&resp);
	http_free(h);
}

static void test_webhook(void **state)
{
	const char *const f[] = { "--fault", "webhook:1=500", NULL };
	struct server s;
	struct recorder r;
	struct http_client *h;
	struct http_params p;
	struct cd_error err;
	char url[200], path[200], body[8192];
	FILE *fp;
	size_t n;

	(void)state;
	server_start(&s, f);
	memset(&r, 0, sizeof(r));
	http_params_init(&p);
	p.verbose = 1;
	p.log = rec_log;
	p.log_ctx = &r;
	p.sleep = rec_sleep;
	p.sleep_ctx = &r;
	h = http_new(&p, &err);
	assert_non_null(h);
	snprintf(url, sizeof(url), "%s/webhook/T0/B0/HOOKSECRET", s.base);
	assert_int_equal(http_post_webhook(h, url, "spike: \"toxic\" x3", &err),
			 0);
	assert_null(strstr(r.log, "HOOKSECRET"));
	assert_non_null(strstr(r.log, "POST ***"));
	snprintf(path, sizeof(path), "%s/log", s.dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(body, 1, sizeof(body) - 1, fp);
	body[n] = '\0';
	fclose(fp);
	assert_non_null(strstr(body, "\"text\": \"spike: \\\"toxic\\\" x3\""));
	assert_int_equal(server_count(&s, "webhook"), 2);
	http_free(h);
	server_stop(&s);
}

static void test_rate_limit(void **state)
{
	struct server s;
	struct http_params p;
	struct http_client *h;
	struct http_response resp;
	struct cd_error err;
	struct timespec a, b;
	cJSON *d;
	int i;

	(void)state;
	server_start(&s, NULL);
	http_params_init(&p);
	p.rate = 10;
	h = http_new(&p, &err);
	assert_non_null(h);
	http_response_init(&resp);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 4; i++) {
		assert_int_equal(list(h, &s, &resp, &d, &err), 0);
		cJSON_Delete(d);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* four requests at 10 per second: three gaps of 0.1 s at least */
	assert_true((double)(b.tv_sec - a.tv_sec) +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e9 >= 0.29);
	http_response_release(&resp);
	http_free(h);
	server_stop(&s);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_url_allowed, stop_live),
		cmocka_unit_test_teardown(test_retry_after, stop_live),
		cmocka_unit_test_teardown(test_mask, stop_live),
		cmocka_unit_test_teardown(test_envelope, stop_live),
		cmocka_unit_test_teardown(test_list_and_keepalive, stop_live),
		cmocka_unit_test_teardown(test_429_retry_after_seconds, stop_live),
		cmocka_unit_test_teardown(test_429_retry_after_date, stop_live),
		cmocka_unit_test_teardown(test_5xx_backoff, stop_live),
		cmocka_unit_test_teardown(test_retries_run_out, stop_live),
		cmocka_unit_test_teardown(test_slow_times_out, stop_live),
		cmocka_unit_test_teardown(test_malformed_and_code, stop_live),
		cmocka_unit_test_teardown(test_auth_stops_at_once, stop_live),
		cmocka_unit_test_teardown(test_reply_not_repeated, stop_live),
		cmocka_unit_test_teardown(test_plain_http_refused, stop_live),
		cmocka_unit_test_teardown(test_webhook, stop_live),
		cmocka_unit_test_teardown(test_rate_limit, stop_live),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_http FAKE_TIKTOK.PY\n");
		return 2;
	}
	script = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

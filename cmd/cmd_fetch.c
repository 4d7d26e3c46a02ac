/*
 * cmd_fetch.c - `candor fetch tiktok|research --video ID ...`: pull
 * comments over HTTP as JSONL on stdout (SPEC section 7).
 *
 * Every page of every video is read (cursor, has_more); each comment is
 * written once, flushed per line, even when pages overlap or a poll
 * repeats (a set of 64-bit hashes of the ids seen).  --follow polls again
 * every --interval seconds; --state FILE keeps the ids seen across runs
 * (rewritten atomically after each poll).  The token comes from the
 * environment only and is never shown.
 */
#include "cli.h"
#include "atomic.h"
#include "comment.h"
#include "http.h"
#include "tiktok.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FETCH_MAX_VIDEOS 64
#define FETCH_MAX_PAGES 100000          /* per video and poll */

static const char usage_fetch[] =
"usage: candor fetch tiktok --video ID [--video ID ...] [options]\n"
"       candor fetch research --video ID [--video ID ...] [options]\n"
"\n"
"Pulls the comments of videos as JSONL on stdout, one comment a line,\n"
"flushed per line: {id,text,author,created_at,video_id,parent_id,likes}.\n"
"Each comment id is written once, even when pages overlap or a poll\n"
"repeats, so `candor fetch tiktok --follow --video ID | candor suggest`\n"
"streams new comments only.\n"
"\n"
"  tiktok      the Business API ([tiktok] api_base, business_id); the\n"
"              token from $CANDOR_TIKTOK_TOKEN\n"
"  research    the Research API ([tiktok] research_base); the token from\n"
"              $CANDOR_RESEARCH_TOKEN\n"
"\n"
"options:\n"
"      --video ID        a video whose comments to fetch (up to 64)\n"
"      --since TIME      only comments created at or after TIME\n"
"                        (RFC 3339 or unix seconds)\n"
"      --follow          keep polling for new comments (stop with Ctrl-C)\n"
"      --interval S      seconds between polls with --follow (default 60)\n"
"      --polls N         stop after N polls (default 1, or endless with\n"
"                        --follow)\n"
"      --state FILE      remember the ids seen across runs\n"
"      --max-count N     comments per page asked for (default 50 tiktok,\n"
"                        100 research)\n"
"      --cacert FILE     trust this CA bundle (a private CA)\n"
"  -h, --help            this help\n"
"\n"
"Requests follow [http] timeout, retries, rate and backoff; -v shows them\n"
"(tokens as ***).  Exit 0 done, 65 a comment could not be read (reported,\n"
"the rest written), 75 the server kept failing (try again), 76 the server\n"
"answered an error or nonsense, 77 the token was refused, 78 a missing\n"
"setting or token.\n";

/* The ids seen: an open-addressing set of 64-bit FNV-1a hashes. */
struct seen {
	uint64_t *slot;
	size_t cap, n;
};

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* 1 if added, 0 if it was there, -1 out of memory. */
static int seen_add(struct seen *st, uint64_t h)
{
	size_t i;

	if ((st->n + 1) * 2 > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024, k;
		uint64_t *ns = calloc(cap, sizeof(*ns));

		if (!ns)
			return -1;
		for (k = 0; k < st->cap; k++) {
			if (!st->slot[k])
				continue;
			for (i = st->slot[k] & (cap - 1); ns[i]; i = (i + 1) & (cap - 1))
				;
			ns[i] = st->slot[k];
		}
		free(st->slot);
		st->slot = ns;
		st->cap = cap;
	}
	for (i = h & (st->cap - 1); st->slot[i]; i = (i + 1) & (st->cap - 1))
		if (st->slot[i] == h)
			return 0;
	st->slot[i] = h;
	st->n++;
	return 1;
}

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

struct fetch {
	struct cli *c;
	int research;
	const char *videos[FETCH_MAX_VIDEOS];
	size_t nvideos;
	int64_t since;
	long max_count;
	const char *state;
	struct http_client *h;
	char token_header[1200];
	struct seen seen;
	struct cd_buf line, url;
	long written, bad;
};

/* The state file: one hash a line, in hex. */
static int state_load(struct fetch *f)
{
	FILE *fp = fopen(f->state, "r");
	char buf[64];
	long line = 0;

	if (!fp)
		return errno == ENOENT ? 0 : (cli_err("cannot open '%s': %s",
					     f->state, strerror(errno)), EXIT_NOINPUT);
	while (fgets(buf, sizeof(buf), fp)) {
		char *end;
		unsigned long long h;

		line++;
		h = strtoull(buf, &end, 16);
		if (end == buf || (*end != '\n' && *end) || !h) {
			cli_err("%s:%ld: not a state line (delete the file to start "
				"over)", f->state, line);
			fclose(fp);
			return EXIT_DATA;
		}
		if (seen_add(&f->seen, h) < 0) {
			fclose(fp);
			cli_err("out of memory");
			return EXIT_SOFTWARE;
		}
	}
	fclose(fp);
	return 0;
}

static int state_save(struct fetch *f)
{
	struct atomic_file af;
	struct cd_error err;
	size_t i;

	if (!f->state)
		return 0;
	if (atomic_open(&af, f->state, &err))
		return cli_fail(CD_ERR_IO, &err);
	for (i = 0; i < f->seen.cap; i++)
		if (f->seen.slot[i])
			fprintf(af.fp, "%016llx\n",
				(unsigned long long)f->seen.slot[i]);
	if (atomic_commit(&af, &err)) {
		atomic_rollback(&af);
		return cli_fail(CD_ERR_IO, &err);
	}
	atomic_rollback(&af);
	return 0;
}

static int request_page(struct fetch *f, const char *video, long long cursor,
			cJSON **data, struct cd_error *err)
{
	struct cd_config *cfg = &f->c->cfg;
	struct http_request req;
	struct http_response resp;
	char *body = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	cd_buf_reset(&f->url);
	if (f->research) {
		cJSON *o = cJSON_CreateObject();

		rc = cd_buf_addf(&f->url, "%s/research/video/comment/list/?fields="
				 "id,video_id,text,like_count,reply_count,"
				 "parent_comment_id,create_time",
				 cfg->tiktok.research_base);
		/* video_id is an int64: written as its digits, not a double */
		if (!o || !cJSON_AddItemToObject(o, "video_id",
						 cJSON_CreateRaw(video)) ||
		    !cJSON_AddNumberToObject(o, "max_count",
					     (double)f->max_count) ||
		    !cJSON_AddNumberToObject(o, "cursor", (double)cursor) ||
		    !(body = cJSON_PrintUnformatted(o))) {
			cJSON_Delete(o);
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		}
		cJSON_Delete(o);
		req.method = "POST";
		req.body = body;
		req.what = "research comment list";
		req.auth_env = HTTP_ENV_RESEARCH_TOKEN;
	} else {
		rc = cd_buf_addf(&f->url, "%s/business/comment/list/?business_id=",
				 cfg->tiktok.api_base);
		rc = rc ? rc : tiktok_url_escape(&f->url, cfg->tiktok.business_id);
		rc = rc ? rc : cd_buf_addstr(&f->url, "&video_id=");
		rc = rc ? rc : tiktok_url_escape(&f->url, video);
		rc = rc ? rc : cd_buf_addf(&f->url, "&cursor=%lld&max_count=%ld",
					   cursor, f->max_count);
		req.method = "GET";
		req.what = "comment list";
		req.auth_env = HTTP_ENV_TIKTOK_TOKEN;
	}
	if (rc) {
		free(body);
		return cd_error_set(err, CD_ERR_LIMIT, 0, "URL longer than %zu "
				    "bytes", f->url.max);
	}
	req.url = f->url.data;
	req.idempotent = 1;
	req.headers[0] = f->token_header;
	http_response_init(&resp);
	rc = http_tiktok(f->h, &req, data, &resp, err);
	http_response_release(&resp);
	free(body);
	return rc;
}

/* One poll of one video: every page; new comments to stdout. */
static int poll_video(struct fetch *f, const char *video)
{
	long long cursor = 0, last = -1;
	long pages = 0;
	struct cd_error err;
	int more = 1, rc;

	while (more && !stop) {
		const cJSON *list, *item;
		cJSON *data = NULL;

		if (++pages > FETCH_MAX_PAGES) {
			cli_err("video %s: more than %d pages; stopping", video,
				FETCH_MAX_PAGES);
			return EXIT_PROTOCOL;
		}
		rc = request_page(f, video, cursor, &data, &err);
		if (rc) {
			cli_err("video %s: %s", video, err.msg);
			return cli_exit_code(rc);
		}
		rc = tiktok_page(data, &list, &cursor, &more, &err);
		if (rc) {
			cJSON_Delete(data);
			cli_err("video %s: %s", video, err.msg);
			return cli_exit_code(rc);
		}
		cJSON_ArrayForEach(item, list) {
			char id[TIKTOK_ID_MAX];
			int added;
			const cJSON *t;

			cd_buf_reset(&f->line);
			if (tiktok_comment_line(item, video, &f->line, id, &err)) {
				cli_err("video %s, page %ld: %s; skipped", video,
					pages, err.msg);
				f->bad++;
				continue;
			}
			t = cJSON_GetObjectItemCaseSensitive(item, "create_time");
			if (f->since >= 0 && cJSON_IsNumber(t) &&
			    t->valuedouble < (double)f->since)
				continue;
			added = seen_add(&f->seen, id_hash(id));
			if (added < 0) {
				cJSON_Delete(data);
				cli_err("out of memory");
				return EXIT_SOFTWARE;
			}
			if (!added)
				continue;
			if (cli_write(f->line.data, f->line.len) || fflush(stdout)) {
				cJSON_Delete(data);
				return EXIT_IO;
			}
			f->written++;
		}
		cJSON_Delete(data);
		/* a cursor that does not move would loop forever */
		if (more && cursor <= last) {
			cli_err("video %s: the cursor did not advance (%lld); "
				"stopping", video, cursor);
			return EXIT_PROTOCOL;
		}
		last = cursor;
	}
	return 0;
}

static int sleep_interval(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (!stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return 0;
}

int cmd_fetch(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "video", required_argument, NULL, 'V' },
		{ "since", required_argument, NULL, 's' },
		{ "follow", no_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "polls", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 'S' },
		{ "max-count", required_argument, NULL, 'n' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct fetch f;
	const char *cacert = NULL, *token, *env;
	double interval = 60;
	long polls = -1, poll;
	int follow = 0, opt, rc = 0;
	char *end;
	size_t v;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.since = -1;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'V':
			if (f.nvideos == FETCH_MAX_VIDEOS)
				return cli_usage_error("fetch", "more than %d --video",
						       FETCH_MAX_VIDEOS);
			if (!*optarg || strlen(optarg) >= TIKTOK_ID_MAX ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				return cli_usage_error("fetch", "--video takes a "
						       "numeric id, not '%s'", optarg);
			f.videos[f.nvideos++] = optarg;
			break;
		case 's':
			f.since = comment_parse_time(optarg);
			if (f.since < 0)
				return cli_usage_error("fetch", "--since takes RFC 3339 "
						       "or unix seconds, not '%s'",
						       optarg);
			break;
		case 'f': follow = 1; break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.01 && interval <= 86400))
				return cli_usage_error("fetch", "--interval takes "
						       "seconds from 0.01 to 86400, "
						       "not '%s'", optarg);
			break;
		case 'p':
			polls = strtol(optarg, &end, 10);
			if (*end || polls < 1)
				return cli_usage_error("fetch", "--polls takes a "
						       "positive number, not '%s'",
						       optarg);
			break;
		case 'S': f.state = optarg; break;
		case 'n':
			f.max_count = strtol(optarg, &end, 10);
			if (*end || f.max_count < 1 || f.max_count > 100)
				return cli_usage_error("fetch", "--max-count takes 1 "
						       "to 100, not '%s'", optarg);
			break;
		case 'C': cacert = optarg; break;
		case 'h': fputs(usage_fetch, stdout); return EXIT_OK;
		default: return cli_usage_error("fetch", "unknown option");
		}
	}
	if (optind >= argc || (strcmp(argv[optind], "tiktok") &&
			       strcmp(argv[optind], "research")))
		return cli_usage_error("fetch", "say `fetch tiktok` or `fetch "
				       "research`");
	if (optind + 1 < argc)
		return cli_usage_error("fetch", "unexpected '%s'", argv[optind + 1]);
	f.research = !strcmp(argv[optind], "research");
	if (!f.nvideos)
		return cli_usage_error("fetch", "give at least one --video ID");
	if (!f.max_count)
		f.max_count = f.research ? 100 : 50;
	if (polls < 0)
		polls = follow ? -1 : 1;
	env = f.research ? HTTP_ENV_RESEARCH_TOKEN : HTTP_ENV_TIKTOK_TOKEN;
	if ((rc = cli_api_check(c, env, 1, !f.research, &token)) != 0)
		return rc;
	snprintf(f.token_header, sizeof(f.token_header), f.research ?
		 "Authorization: Bearer %s" : "Access-Token: %s", token);
	if (!(f.h = cli_http_open(c, cacert, token, &rc)))
		return rc;
	cd_buf_init(&f.line, 1u << 20);
	cd_buf_init(&f.url, HTTP_URL_MAX - 1);
	if (f.state)
		rc = state_load(&f);
	stop = 0;
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	for (poll = 0; !rc && !stop && (polls < 0 || poll < polls); poll++) {
		if (poll)
			sleep_interval(interval);
		for (v = 0; v < f.nvideos && !rc && !stop; v++)
			rc = poll_video(&f, f.videos[v]);
		if (!rc || rc == EXIT_TEMPFAIL) {
			int src = state_save(&f);

			rc = rc ? rc : src;
		}
		/* a server that fails now may answer at the next poll */
		if (rc == EXIT_TEMPFAIL && follow && (polls < 0 || poll + 1 < polls))
			rc = 0;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	cli_info(c, "fetch: %ld comments written", f.written);
	cd_buf_release(&f.line);
	cd_buf_release(&f.url);
	free(f.seen.slot);
	http_free(f.h);
	if (!rc && f.bad)
		rc = EXIT_DATA;
	return rc;
}

/*
 * cmd_publish.c - `candor publish JOURNAL`: post the approved replies and
 * hide the hidden comments, exactly once (SPEC section 7).
 *
 * For each standing decision of the journal: `approve` posts its reply
 * (business/comment/reply/create/), `hide` hides the comment
 * (business/comment/hide/), nothing else is ever sent.  A reply is
 * tone-checked again first and refused on an error finding.  The ledger
 * (core/ledger.h) holds the intent before each request and the outcome
 * after, both fsynced: done ids are skipped, failed ones (the server
 * certainly did not act) are sent again, and unknown ones (no outcome:
 * killed mid-request, or an answer that never came) are listed and not
 * sent until --reconcile has listed the comment's replies and found ours
 * missing.
 */
#include "cli.h"
#include "http.h"
#include "journal.h"
#include "ledger.h"
#include "tiktok.h"
#include "tokenize.h"
#include "tone.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISH_MAX_REPLY_PAGES 50

static const char usage_publish[] =
"usage: candor publish JOURNAL [--ledger FILE] [--dry-run] [--reconcile]\n"
"\n"
"Posts each approved reply of a review journal to TikTok and hides each\n"
"comment marked hide; nothing else is ever sent.  Each reply is checked\n"
"for tone again first and refused on an error finding.  A ledger records\n"
"the intent before each request and the outcome after (fsynced), so a\n"
"rerun never posts twice: done ids are skipped; an id whose outcome is\n"
"missing (candor was killed mid-request, or no answer came) is unknown:\n"
"listed, not sent again until --reconcile has looked.\n"
"\n"
"options:\n"
"      --ledger FILE     the ledger (default JOURNAL.ledger)\n"
"      --dry-run         print the requests that would be sent (no\n"
"                        secrets), send nothing, write nothing\n"
"      --reconcile       settle unknown ids: list the comment's replies and\n"
"                        post only when the brand's reply is not there\n"
"      --cacert FILE     trust this CA bundle (a private CA)\n"
"  -h, --help            this help\n"
"\n"
"Needs [tiktok] business_id and $CANDOR_TIKTOK_TOKEN.  Exit 0 when all is\n"
"done, 75 when something must be retried (or reconciled), 65 a journal\n"
"line or decision could not be used (reported, the rest published), 77\n"
"the token was refused (stops at once), 78 a missing setting or token.\n";

struct publish {
	struct cli *c;
	struct http_client *h;
	struct ledger *led;
	struct tone_rules *rules;
	struct tokenizer *tk;
	char token_header[1200];
	int dry_run, reconcile;
	long done, sent, skipped, unknown, failed, bad;
	int fatal;              /* an exit code that stops the run */
	struct cd_buf url;
};

static char *body_json(const char *video, const char *id, const char *text,
		       const char *business)
{
	cJSON *o = cJSON_CreateObject();
	char *s = NULL;

	if (o && cJSON_AddStringToObject(o, "business_id", business) &&
	    cJSON_AddStringToObject(o, "video_id", video) &&
	    cJSON_AddStringToObject(o, "comment_id", id) &&
	    (text ? cJSON_AddStringToObject(o, "text", text) != NULL :
	     cJSON_AddStringToObject(o, "action", "HIDE") != NULL))
		s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* 1 when the brand's reply with this text is among the comment's replies. */
static int reply_exists(struct publish *p, const char *video, const char *id,
			const char *text, struct cd_error *err)
{
	struct cd_config *cfg = &p->c->cfg;
	long long cursor = 0;
	int more = 1, pages = 0, rc, found = 0;

	while (more && !found && pages++ < PUBLISH_MAX_REPLY_PAGES) {
		struct http_request req;
		struct http_response resp;
		const cJSON *list, *r;
		cJSON *data = NULL;

		cd_buf_reset(&p->url);
		rc = cd_buf_addf(&p->url, "%s/business/comment/reply/list/"
				 "?business_id=", cfg->tiktok.api_base);
		rc = rc ? rc : tiktok_url_escape(&p->url, cfg->tiktok.business_id);
		rc = rc ? rc : cd_buf_addstr(&p->url, "&video_id=");
		rc = rc ? rc : tiktok_url_escape(&p->url, video);
		rc = rc ? rc : cd_buf_addstr(&p->url, "&comment_id=");
		rc = rc ? rc : tiktok_url_escape(&p->url, id);
		rc = rc ? rc : cd_buf_addf(&p->url, "&cursor=%lld&max_count=50",
					   cursor);
		if (rc)
			return cd_error_set(err, CD_ERR_LIMIT, 0, "URL too long");
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.url = p->url.data;
		req.what = "reply list";
		req.idempotent = 1;
		req.headers[0] = p->token_header;
		req.auth_env = HTTP_ENV_TIKTOK_TOKEN;
		http_response_init(&resp);
		rc = http_tiktok(p->h, &req, &data, &resp, err);
		http_response_release(&resp);
		if (rc)
			return rc;
		rc = tiktok_page(data, &list, &cursor, &more, err);
		if (rc) {
			cJSON_Delete(data);
			return rc;
		}
		cJSON_ArrayForEach(r, list) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "text");
			const cJSON *own = cJSON_GetObjectItemCaseSensitive(r, "owner");

			if (cJSON_IsString(t) && !strcmp(t->valuestring, text) &&
			    !cJSON_IsFalse(own))
				found = 1;
		}
		cJSON_Delete(data);
	}
	return found;
}

/* Send one action; records the intent and the outcome in the ledger. */
static void send_one(struct publish *p, const char *id, const char *video,
		     const char *action, const char *text)
{
	struct cd_config *cfg = &p->c->cfg;
	struct http_request req;
	struct http_response resp;
	struct cd_error err;
	char *body;
	cJSON *data = NULL;
	int rc, hide = !strcmp(action, "hide");

	body = body_json(video, id, hide ? NULL : text, cfg->tiktok.business_id);
	cd_buf_reset(&p->url);
	if (!body || cd_buf_addf(&p->url, "%s/business/comment/%s/",
				 cfg->tiktok.api_base,
				 hide ? "hide" : "reply/create")) {
		free(body);
		cli_err("out of memory");
		p->fatal = EXIT_SOFTWARE;
		return;
	}
	if (p->dry_run) {
		printf("POST %s\n%s\n", p->url.data, body);
		free(body);
		p->sent++;
		return;
	}
	if (ledger_append(p->led, id, video, action, "intent", NULL, &err)) {
		free(body);
		p->fatal = cli_fail(CD_ERR_IO, &err);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = p->url.data;
	req.what = hide ? "hide" : "reply";
	req.idempotent = hide;  /* hiding twice is harmless, replying is not */
	req.headers[0] = p->token_header;
	req.body = body;
	req.auth_env = HTTP_ENV_TIKTOK_TOKEN;
	http_response_init(&resp);
	rc = http_tiktok(p->h, &req, &data, &resp, &err);
	cJSON_Delete(data);
	free(body);
	if (!rc) {
		if (ledger_append(p->led, id, video, action, "done", NULL, &err))
			p->fatal = cli_fail(CD_ERR_IO, &err);
		p->sent++;
	} else if (rc == CD_ERR_AUTH) {
		/* refused before acting: nothing was done */
		ledger_append(p->led, id, video, action, "failed", err.msg, NULL);
		p->fatal = cli_fail(rc, &err);
	} else if (resp.maybe_sent) {
		cli_err("%s %s: %s; run `candor publish --reconcile`", action, id,
			err.msg);
		if (ledger_append(p->led, id, video, action, "unknown", err.msg,
				  &err))
			p->fatal = cli_fail(CD_ERR_IO, &err);
		p->unknown++;
	} else {
		cli_err("%s %s: %s", action, id, err.msg);
		if (ledger_append(p->led, id, video, action, "failed", err.msg,
				  &err))
			p->fatal = cli_fail(CD_ERR_IO, &err);
		p->failed++;
	}
	http_response_release(&resp);
}

/* The reply passes the tone check again; 0, or 1 after saying why not. */
static int tone_ok(struct publish *p, const struct journal_record *r)
{
	struct tone_ctx ctx;
	struct tone_result res;
	struct cd_error err;
	size_t i;

	cli_tone_ctx(p->c, &ctx);
	ctx.category = r->category;
	ctx.comment = r->text;
	if (tone_check(p->rules, p->tk, r->reply, strlen(r->reply), &ctx, &res,
		       &err)) {
		cli_err("reply %s: %s; not posted", r->id, err.msg);
		return 1;
	}
	for (i = 0; i < res.n; i++) {
		if (res.f[i].severity == TONE_ERROR) {
			cli_err("reply %s refused: tone error '%s': %s (edit it in "
				"`candor review`)", r->id, res.f[i].rule,
				res.f[i].message);
			return 1;
		}
	}
	return 0;
}

static int each(void *ctx, const struct journal_record *r)
{
	struct publish *p = ctx;
	const char *action;
	enum ledger_state st;
	struct cd_error err;

	if (!strcmp(r->decision, "approve"))
		action = "reply";
	else if (!strcmp(r->decision, "hide"))
		action = "hide";
	else
		return 0;
	if (!r->video_id || !*r->video_id) {
		cli_err("%s %s: the journal has no video_id for it (the comment "
			"came without one); not sent", action, r->id);
		p->bad++;
		return 0;
	}
	if (!strcmp(action, "reply") && (!r->reply || !*r->reply)) {
		cli_err("reply %s: the approved reply is empty; not sent", r->id);
		p->bad++;
		return 0;
	}
	st = ledger_state(p->led, r->id, action);
	if (st == LEDGER_DONE) {
		p->done++;
		return 0;
	}
	if (!strcmp(action, "reply") && tone_ok(p, r)) {
		p->bad++;
		return 0;
	}
	if (st == LEDGER_UNKNOWN) {
		int found;

		if (!p->reconcile) {
			printf("unknown %s %s (video %s): run `candor publish "
			       "--reconcile`\n", action, r->id, r->video_id);
			p->unknown++;
			return 0;
		}
		if (!strcmp(action, "reply")) {
			found = reply_exists(p, r->video_id, r->id, r->reply, &err);
			if (found < 0) {
				cli_err("reconcile %s: %s", r->id, err.msg);
				if (found == CD_ERR_AUTH) {
					p->fatal = cli_exit_code(found);
					return 1;
				}
				p->unknown++;
				return 0;
			}
			if (found) {
				if (!p->dry_run && ledger_append(p->led, r->id,
						r->video_id, action, "done",
						"reconciled: the reply was there",
						&err)) {
					p->fatal = cli_fail(CD_ERR_IO, &err);
					return 1;
				}
				printf("reconciled %s %s: already posted\n", action,
				       r->id);
				p->done++;
				return 0;
			}
			printf("reconciled %s %s: not posted, sending\n", action,
			       r->id);
		}
	}
	send_one(p, r->id, r->video_id, action, r->reply);
	return p->fatal ? 1 : 0;
}

int cmd_publish(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ledger", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "reconcile", no_argument, NULL, 'r' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct publish p;
	struct cd_error err;
	struct journal *j;
	const char *ledger_path = NULL, *cacert = NULL, *token, *path;
	char ledger_buf[4200], warning[512];
	int opt, code = 0;

	memset(&p, 0, sizeof(p));
	p.c = c;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l': ledger_path = optarg; break;
		case 'n': p.dry_run = 1; break;
		case 'r': p.reconcile = 1; break;
		case 'C': cacert = optarg; break;
		case 'h': fputs(usage_publish, stdout); return EXIT_OK;
		default: return cli_usage_error("publish", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("publish", "give one JOURNAL");
	path = argv[optind];
	if (!ledger_path) {
		if (snprintf(ledger_buf, sizeof(ledger_buf), "%s.ledger", path) >=
		    (int)sizeof(ledger_buf))
			return cli_usage_error("publish", "journal path too long");
		ledger_path = ledger_buf;
	}
	if ((code = cli_api_check(c, HTTP_ENV_TIKTOK_TOKEN, !p.dry_run, 1,
				  &token)) != 0)
		return code;
	j = journal_read(path, warning, sizeof(warning), &err);
	if (!j)
		return cli_fail(err.msg[0] && strstr(err.msg, "No such") ?
				CD_ERR_NOINPUT : CD_ERR_IO, &err);
	if (warning[0]) {
		cli_err("%s", warning);
		p.bad++;
	}
	p.led = p.dry_run ? ledger_read(ledger_path, warning, sizeof(warning),
					&err) :
		ledger_open(ledger_path, warning, sizeof(warning), &err);
	if (!p.led) {
		journal_close(j);
		return cli_fail(CD_ERR_IO, &err);
	}
	if (warning[0])
		cli_err("%s", warning);
	p.rules = cli_load_tone(c, &code);
	p.tk = p.rules ? cli_tok_words(&err) : NULL;
	if (!p.tk) {
		tone_rules_free(p.rules);
		ledger_close(p.led);
		journal_close(j);
		return code ? code : EXIT_SOFTWARE;
	}
	snprintf(p.token_header, sizeof(p.token_header), "Access-Token: %s",
		 token ? token : "");
	p.h = cli_http_open(c, cacert, token, &code);
	cd_buf_init(&p.url, HTTP_URL_MAX - 1);
	if (p.h) {
		journal_each(j, each, &p);
		code = p.fatal;
	}
	if (!c->quiet && !p.dry_run)
		fprintf(stderr, "candor: publish: %ld sent, %ld already done, %ld "
			"unknown, %ld failed, %ld not usable\n", p.sent, p.done,
			p.unknown, p.failed, p.bad);
	cd_buf_release(&p.url);
	http_free(p.h);
	tok_free(p.tk);
	tone_rules_free(p.rules);
	ledger_close(p.led);
	journal_close(j);
	if (fflush(stdout))
		return EXIT_IO;
	if (code)
		return code;
	if (p.unknown || p.failed)
		return EXIT_TEMPFAIL;
	return p.bad ? EXIT_DATA : EXIT_OK;
}

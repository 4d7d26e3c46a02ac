/* tiktok.c - see tiktok.h. */
#include "tiktok.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tiktok_quote_ids(const char *in, size_t len, struct cd_buf *out)
{
	size_t i = 0, start = 0;
	int rc = 0;

	cd_buf_reset(out);
	while (i < len && !rc) {
		char ch = in[i];

		if (ch == '"') {
			/* skip the string, escapes included */
			for (i++; i < len && in[i] != '"'; i++)
				if (in[i] == '\\')
					i++;
			i++;
		} else if ((ch >= '0' && ch <= '9') ||
			   (ch == '-' && i + 1 < len && in[i + 1] >= '0' &&
			    in[i + 1] <= '9')) {
			size_t j = i + (ch == '-'), digits;

			while (j < len && in[j] >= '0' && in[j] <= '9')
				j++;
			digits = j - i - (ch == '-');
			if (digits >= 16 && (j == len || (in[j] != '.' &&
			    in[j] != 'e' && in[j] != 'E'))) {
				rc = cd_buf_add(out, in + start, i - start);
				rc = rc ? rc : cd_buf_addch(out, '"');
				rc = rc ? rc : cd_buf_add(out, in + i, j - i);
				rc = rc ? rc : cd_buf_addch(out, '"');
				start = j;
			} else {
				/* the rest of the number: fraction, exponent */
				while (j < len && ((in[j] >= '0' && in[j] <= '9') ||
						   in[j] == '.' || in[j] == 'e' ||
						   in[j] == 'E' || in[j] == '+' ||
						   in[j] == '-'))
					j++;
			}
			i = j;
		} else {
			i++;
		}
	}
	if (!rc && start < len)
		rc = cd_buf_add(out, in + start, len - start);
	if (!rc && !out->data)
		rc = cd_buf_add(out, "", 0);
	return rc;
}

/* The first of names that c has, as text (a string, or an integer). */
static const char *member(const cJSON *c, const char *const *names,
			  char *tmp, size_t n)
{
	for (; *names; names++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, *names);

		if (cJSON_IsString(v))
			return v->valuestring;
		if (cJSON_IsNumber(v) && v->valuedouble >= -9e15 &&
		    v->valuedouble <= 9e15 &&
		    v->valuedouble == (double)(long long)v->valuedouble) {
			snprintf(tmp, n, "%lld", (long long)v->valuedouble);
			return tmp;
		}
	}
	return NULL;
}

static int add(struct cd_buf *b, const char *key, const char *v, int first)
{
	int rc = jsonw_key(b, key, first);

	return rc ? rc : jsonw_str(b, v, strlen(v));
}

int tiktok_comment_line(const cJSON *c, const char *video_id,
			struct cd_buf *out, char *id, struct cd_error *err)
{
	static const char *const ids[] = { "comment_id", "id", NULL };
	static const char *const texts[] = { "text", NULL };
	static const char *const authors[] = { "username", "unique_id",
		"display_name", "user_name", NULL };
	static const char *const times[] = { "create_time", NULL };
	static const char *const videos[] = { "video_id", NULL };
	static const char *const parents[] = { "parent_comment_id", NULL };
	static const char *const likes[] = { "likes", "like_count", NULL };
	char t1[32], t2[32], t3[32], t4[32], t5[32], t6[32], when[32];
	const char *cid, *text, *author, *ts, *vid, *parent, *nlikes;
	size_t mark = out->len;
	int rc;

	if (!cJSON_IsObject(c))
		return cd_error_set(err, CD_ERR_REMOTE, 0, "a comment is not an "
				    "object");
	cid = member(c, ids, t1, sizeof(t1));
	text = member(c, texts, t2, sizeof(t2));
	if (!cid || !*cid)
		return cd_error_set(err, CD_ERR_REMOTE, 0, "a comment has no id");
	if (strlen(cid) >= TIKTOK_ID_MAX)
		return cd_error_set(err, CD_ERR_REMOTE, 0, "a comment id is longer "
				    "than %d bytes", TIKTOK_ID_MAX - 1);
	if (!text)
		return cd_error_set(err, CD_ERR_REMOTE, 0, "comment '%s' has no "
				    "text", cid);
	strcpy(id, cid);
	author = member(c, authors, t3, sizeof(t3));
	ts = member(c, times, t4, sizeof(t4));
	vid = member(c, videos, t5, sizeof(t5));
	parent = member(c, parents, t6, sizeof(t6));
	nlikes = member(c, likes, when, sizeof(when));
	rc = cd_buf_addch(out, '{');
	rc = rc ? rc : add(out, "id", cid, 1);
	rc = rc ? rc : add(out, "text", text, 0);
	rc = rc ? rc : add(out, "author", author ? author : "", 0);
	if (!rc && ts) {
		char *end;
		long long s = strtoll(ts, &end, 10);
		struct tm tm;
		time_t tt = (time_t)s;
		char iso[32];

		if (!*end && end != ts && s >= 0 && s < 253402300800LL &&
		    gmtime_r(&tt, &tm) &&
		    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm))
			rc = add(out, "created_at", iso, 0);
		else
			rc = add(out, "created_at", ts, 0);
	}
	rc = rc ? rc : add(out, "video_id", vid ? vid : video_id ? video_id : "",
			   0);
	if (!rc && parent)
		rc = add(out, "parent_id", parent, 0);
	if (!rc && nlikes) {
		char *end;
		long long n = strtoll(nlikes, &end, 10);

		if (!*end && end != nlikes && n >= 0) {
			rc = jsonw_key(out, "likes", 0);
			rc = rc ? rc : cd_buf_addf(out, "%lld", n);
		}
	}
	rc = rc ? rc : cd_buf_addstr(out, "}\n");
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
		return cd_error_set(err, rc, 0, "comment '%s' is longer than "
				    "%zu bytes", cid, out->max);
	}
	return 0;
}

int tiktok_page(const cJSON *data, const cJSON **comments, long long *cursor,
		int *has_more, struct cd_error *err)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(data, "comments");
	const cJSON *cur = cJSON_GetObjectItemCaseSensitive(data, "cursor");
	const cJSON *more = cJSON_GetObjectItemCaseSensitive(data, "has_more");

	*comments = NULL;
	*has_more = 0;
	if (c && !cJSON_IsNull(c)) {
		if (!cJSON_IsArray(c))
			return cd_error_set(err, CD_ERR_REMOTE, 0, "malformed "
					    "response: 'comments' is not a list");
		*comments = c;
	}
	if (cJSON_IsNumber(cur) && cur->valuedouble >= 0 &&
	    cur->valuedouble < 9e15) {
		*cursor = (long long)cur->valuedouble;
	} else if (cJSON_IsString(cur)) {
		char *end;

		*cursor = strtoll(cur->valuestring, &end, 10);
		if (*end || end == cur->valuestring || *cursor < 0)
			return cd_error_set(err, CD_ERR_REMOTE, 0, "malformed "
					    "response: cursor '%.40s'",
					    cur->valuestring);
	} else if (cur && !cJSON_IsNull(cur)) {
		return cd_error_set(err, CD_ERR_REMOTE, 0, "malformed response: "
				    "'cursor' is not a number");
	}
	if (cJSON_IsBool(more))
		*has_more = cJSON_IsTrue(more);
	else if (more && !cJSON_IsNull(more))
		return cd_error_set(err, CD_ERR_REMOTE, 0, "malformed response: "
				    "'has_more' is not true or false");
	return 0;
}

int tiktok_url_escape(struct cd_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; *s && !rc; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			rc = cd_buf_addch(out, (char)ch);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			rc = cd_buf_add(out, e, 3);
		}
	}
	return rc;
}

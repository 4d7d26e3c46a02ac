/* comment.c - see comment.h. */
#include "comment.h"
#include "jsonr.h"
#include "tokenize.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

struct comment_parser {
	cJSON *json;
	char idbuf[64];
	char likes_id[64];
};

struct comment_parser *comment_parser_new(struct cd_error *err)
{
	struct comment_parser *p = calloc(1, sizeof(*p));

	if (!p)
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	return p;
}

void comment_parser_free(struct comment_parser *p)
{
	if (p) {
		cJSON_Delete(p->json);
		free(p);
	}
}

int comment_is_jsonl(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		i = 3;
	for (; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' &&
		    buf[i] != '\n')
			return buf[i] == '{';
	return 0;
}

/* The decimal line number as the id, without printf (a hot path). */
static const char *line_id(char *buf, size_t n, long lineno)
{
	char *p = buf + n - 1;
	unsigned long v = lineno > 0 ? (unsigned long)lineno : 0;

	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0 && p > buf);
	return p;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm, proleptic Gregorian calendar */
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t comment_parse_time(const char *s)
{
	int Y, M, D, h, m, sec, n = 0, off = 0;
	char *end;
	long long v;
	const char *p;

	if (!s || !*s)
		return -1;
	/* the common form "2026-11-26T10:00:00Z" without sscanf (report
	 * reads millions of them); anything else takes the general path */
	if (strlen(s) == 20 && s[4] == '-' && s[7] == '-' &&
	    (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && s[13] == ':' &&
	    s[16] == ':' && (s[19] == 'Z' || s[19] == 'z')) {
		static const unsigned char at[] = {
			0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18
		};
		int d[14], i;

		for (i = 0; i < 14; i++) {
			if (s[at[i]] < '0' || s[at[i]] > '9')
				break;
			d[i] = s[at[i]] - '0';
		}
		if (i == 14) {
			Y = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
			M = d[4] * 10 + d[5];
			D = d[6] * 10 + d[7];
			h = d[8] * 10 + d[9];
			m = d[10] * 10 + d[11];
			sec = d[12] * 10 + d[13];
			if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 ||
			    m > 59 || sec > 60)
				return -1;
			return days_from_civil(Y, (unsigned)M, (unsigned)D) *
				86400 + h * 3600 + m * 60 + sec;
		}
	}
	v = strtoll(s, &end, 10);
	if (end != s && !*end)
		return v >= 0 ? (int64_t)v : -1;
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &Y, &M, &D, &h, &m,
		   &sec, &n) != 6 || n == 0)
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
		return -1;
	p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;

		/*
		 * Fix (found by tests/fuzz/fuzz_comment.c): the offset was
		 * skipped as 6 bytes, as if always "+hh:mm", so a shorter one
		 * ("+1:1") read past the end of the string.  Skip what sscanf
		 * actually read.
		 */
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || !k)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 1 + k;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	return days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400 +
	       h * 3600 + m * 60 + sec - off;
}

/* A string field, or a number rendered into buf; NULL when absent. */
/*
 * The literal of the top-level member `name` of the JSON object in
 * line[0..len), when it is an integer (an optional '-' and digits) of at
 * most n - 1 bytes: into buf, NUL-terminated.  cJSON keeps numbers as
 * doubles, which cannot hold a 19-digit TikTok id; the line still has its
 * digits.  A small scan that skips strings and counts nesting finds the
 * member as cJSON does (the first of its name at the top level).  Returns
 * buf, or NULL when there is no such member or it is not an integer.
 */
const char *comment_int_literal(const char *line, size_t len,
				const char *name, char *buf, size_t n)
{
	size_t i = 0, klen = strlen(name), start, end;
	int depth = 0;

	while (i < len) {
		char c = line[i];

		if (c == '"') {
			start = ++i;
			while (i < len && line[i] != '"')
				i += line[i] == '\\' ? 2 : 1;
			if (i >= len)
				return NULL;
			end = i++;
			if (depth != 1 || end - start != klen ||
			    memcmp(line + start, name, klen))
				continue;
			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			if (i >= len || line[i] != ':')
				continue;       /* a string value, not a key */
			i++;
			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			start = i;
			if (i < len && line[i] == '-')
				i++;
			while (i < len && line[i] >= '0' && line[i] <= '9')
				i++;
			if (i == start || line[i - 1] == '-' || i - start >= n ||
			    (i < len && (line[i] == '.' || line[i] == 'e' ||
					 line[i] == 'E')))
				return NULL;
			memcpy(buf, line + start, i - start);
			buf[i - start] = '\0';
			return buf;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		i++;
	}
	return NULL;
}

/*
 * Member `name` of o as a string: a string as it is, an integer with the
 * digits it was written with (from the line), another number as "%.0f".
 */
static const char *str_or_num(const cJSON *o, const char *line, size_t len,
			      const char *name, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		if (!comment_int_literal(line, len, name, buf, n))
			snprintf(buf, n, "%.0f", v->valuedouble);
		return buf;
	}
	return NULL;
}

static const char *str_field(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (!cJSON_IsString(v) && b)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static int check_text(const char *text, size_t len, long lineno,
		      struct cd_error *err)
{
	size_t bad;

	if (len > COMMENT_TEXT_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, lineno,
				    "comment longer than %d bytes",
				    COMMENT_TEXT_MAX);
	if (tok_utf8_check(text, len, &bad))
		return cd_error_set(err, CD_ERR_DATA, lineno,
				    "invalid UTF-8 at byte %zu", bad + 1);
	return 0;
}

int comment_parse(struct comment_parser *p, const char *line, size_t len,
		  int jsonl, long lineno, struct comment *out,
		  struct cd_error *err)
{
	const cJSON *t, *likes;
	const char *created, *fail_at;
	char tbuf[32];
	int rc;

	memset(out, 0, sizeof(*out));
	out->line = lineno;
	out->author = out->lang = out->created_at = "";
	out->video_id = out->parent_id = "";
	out->created_ts = -1;
	out->likes = -1;
	if (len >= 3 && lineno == 1 && !memcmp(line, "\xEF\xBB\xBF", 3)) {
		line += 3;
		len -= 3;
	}
	if (!jsonl) {
		/* UTF-8 is checked by the tokenizer, which reads it anyway */
		if (len > COMMENT_TEXT_MAX)
			return cd_error_set(err, CD_ERR_LIMIT, lineno,
					    "comment longer than %d bytes",
					    COMMENT_TEXT_MAX);
		out->id = line_id(p->idbuf, sizeof(p->idbuf), lineno);
		out->text = line;
		out->text_len = len;
		return 0;
	}
	cJSON_Delete(p->json);
	p->json = jsonr_parse(line, len, &fail_at);
	if (!p->json)
		return jsonr_error_at(line, len, fail_at, lineno, err);
	if (!cJSON_IsObject(p->json))
		return cd_error_set(err, CD_ERR_DATA, lineno,
				    "expected a JSON object");
	t = cJSON_GetObjectItemCaseSensitive(p->json, "text");
	if (!t)
		return cd_error_set(err, CD_ERR_DATA, lineno,
				    "missing \"text\" field");
	if (!cJSON_IsString(t))
		return cd_error_set(err, CD_ERR_DATA, lineno,
				    "\"text\" is not a string");
	out->text = t->valuestring;
	out->text_len = strlen(t->valuestring);
	if ((rc = check_text(out->text, out->text_len, lineno, err)) != 0)
		return rc;
	out->id = str_or_num(p->json, line, len, "id", p->idbuf,
			     sizeof(p->idbuf));
	if (!out->id)
		out->id = str_or_num(p->json, line, len, "comment_id",
				     p->idbuf, sizeof(p->idbuf));
	if (!out->id) {
		snprintf(p->idbuf, sizeof(p->idbuf), "%ld", lineno);
		out->id = p->idbuf;
	}
	out->author = str_field(p->json, "author", "username");
	out->lang = str_field(p->json, "lang", NULL);
	out->video_id = str_or_num(p->json, line, len, "video_id",
				   p->likes_id, sizeof(p->likes_id));
	if (!out->video_id)
		out->video_id = "";
	out->parent_id = str_field(p->json, "parent_id", NULL);
	created = str_or_num(p->json, line, len, "created_at", tbuf,
			     sizeof(tbuf));
	if (!created)
		created = str_or_num(p->json, line, len, "create_time", tbuf,
				     sizeof(tbuf));
	if (created) {
		out->created_ts = comment_parse_time(created);
		if (out->created_ts < 0)
			return cd_error_set(err, CD_ERR_DATA, lineno,
					    "\"created_at\" is neither RFC 3339 "
					    "nor unix seconds: '%.40s'", created);
		out->created_at = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
				p->json, "created_at")) ?
			cJSON_GetObjectItemCaseSensitive(p->json,
							 "created_at")->valuestring :
			"";
	}
	likes = cJSON_GetObjectItemCaseSensitive(p->json, "likes");
	/*
	 * Fix (found by tests/fuzz/fuzz_comment.c): converting a double
	 * outside long's range ("likes":1e32) is undefined behaviour; such a
	 * count is taken as unknown.
	 */
	if (cJSON_IsNumber(likes) && likes->valuedouble >= (double)LONG_MIN &&
	    likes->valuedouble < (double)LONG_MAX)
		out->likes = (long)likes->valuedouble;
	return 0;
}

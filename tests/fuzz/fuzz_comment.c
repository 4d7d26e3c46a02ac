/*
 * fuzz_comment.c - comment_parse() in JSONL and plain-text modes, and the
 * time parser behind "created_at".
 *
 * The bytes go to comment_parse() as one line, exactly as long as the
 * input (not NUL-terminated, as the batch reader passes a line), once as
 * JSONL and once as text, on line 1 (where a byte order mark is dropped)
 * and on line 7.  They also go, NUL-terminated, to comment_parse_time()
 * and comment_is_jsonl().
 *
 * Checked: the status is 0, CD_ERR_DATA or CD_ERR_LIMIT with a message
 * and err->line set to the line number; a parsed comment has every string
 * field set, its text is text_len bytes long and at most COMMENT_TEXT_MAX,
 * and JSONL text is valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment.h"
#include "error.h"
#include "tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_comment.c:%d: check failed: %s\n", line, what);
	abort();
}

static void parse(struct comment_parser *p, const char *line, size_t len,
		  int jsonl, long lineno)
{
	struct comment c;
	struct cd_error err;
	int rc;

	err.msg[0] = '\0';
	rc = comment_parse(p, line, len, jsonl, lineno, &c, &err);
	CHECK(c.line == lineno);
	if (rc) {
		CHECK(rc == CD_ERR_DATA || rc == CD_ERR_LIMIT);
		CHECK(err.msg[0] != '\0' && err.line == lineno);
		return;
	}
	/* cJSON takes a raw NUL in a string, so even the id may be "" */
	CHECK(c.id && c.text && c.author && c.lang &&
	      c.created_at && c.video_id && c.parent_id);
	CHECK(c.text_len <= COMMENT_TEXT_MAX);
	if (jsonl) {
		CHECK(strlen(c.text) == c.text_len);
		CHECK(tok_utf8_check(c.text, c.text_len, NULL) == 0);
		CHECK(c.created_ts >= -1);
	} else {
		CHECK(c.text >= line && c.text + c.text_len == line + len);
		CHECK(c.created_ts == -1 && c.likes == -1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct comment_parser *p;
	struct cd_error err;
	char *s;

	if (!p) {
		p = comment_parser_new(&err);
		CHECK(p != NULL);
	}
	/* exactly size bytes: a read past the line is an ASan report */
	parse(p, (const char *)data, size, 1, 1);
	parse(p, (const char *)data, size, 1, 7);
	parse(p, (const char *)data, size, 0, 1);
	parse(p, (const char *)data, size, 0, 7);

	s = malloc(size + 1);
	CHECK(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	/* before 1970 the result is negative: only its reading matters */
	(void)comment_parse_time(s);
	(void)comment_is_jsonl(s, size);
	free(s);
	return 0;
}

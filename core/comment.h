/*
 * comment.h - one incoming comment, from a plain-text or JSONL line.
 *
 * Plain text: the line is the text and the id is the line number; its
 * UTF-8 is not checked here but by tok_run(), which reads every byte anyway
 * (callers report a tok_run() failure as a bad line).  JSONL strings are
 * checked here.
 * JSONL: an object with "text" (required) and optional "id", "author",
 * "lang", "created_at" (RFC 3339 or unix seconds), "video_id",
 * "parent_id", "likes"; TikTok's names are accepted too ("comment_id",
 * "username", "create_time").
 *
 * A struct comment_parser owns the memory behind the struct comment it
 * fills; the fields stay valid until the next comment_parse() or
 * comment_parser_free().
 */
#ifndef CANDOR_COMMENT_H
#define CANDOR_COMMENT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define COMMENT_TEXT_MAX 65536          /* bytes of text in one comment */

struct comment {
	const char *id;
	const char *text;
	size_t text_len;
	const char *author;             /* "" when unknown */
	const char *lang;               /* "" when not given */
	const char *created_at;         /* as given, "" when unknown */
	int64_t created_ts;             /* unix seconds, -1 when unknown */
	const char *video_id;
	const char *parent_id;
	long likes;                     /* -1 when unknown */
	long line;
};

struct comment_parser;

struct comment_parser *comment_parser_new(struct cd_error *err);
void comment_parser_free(struct comment_parser *p);

/*
 * Parse one input line.  jsonl selects the format.  Returns 0, or
 * CD_ERR_DATA / CD_ERR_LIMIT with err->msg saying what is wrong (without
 * file and line: the caller knows them) and err->line = lineno.
 */
int comment_parse(struct comment_parser *p, const char *line, size_t len,
		  int jsonl, long lineno, struct comment *out,
		  struct cd_error *err);

/* Unix seconds of an RFC 3339 timestamp or a decimal number; -1 if neither. */
int64_t comment_parse_time(const char *s);

/*
 * The digits of the top-level member `name` of the JSON object in
 * line[0..len) when it is an integer of at most n - 1 bytes, into buf;
 * NULL otherwise.  cJSON keeps numbers as doubles, which cannot hold a
 * 19-digit TikTok id: callers take the digits from the line instead.
 */
const char *comment_int_literal(const char *line, size_t len,
				const char *name, char *buf, size_t n);

/* 1 if the first non-blank byte of buf is '{' (the input is JSONL). */
int comment_is_jsonl(const char *buf, size_t len);

#endif

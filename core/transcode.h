/*
 * transcode.h - read a file in another character encoding as UTF-8.
 *
 * Spreadsheets save CSV in the forms their locale likes: UTF-16 with a
 * byte order mark ("Unicode text"), or Windows-1251 in Russian Excel.
 * transcode_open() puts a stdio stream in front of the caller's FILE that
 * hands out UTF-8, converting with the C library's iconv(3), so every
 * reader (CSV, JSONL) sees UTF-8 and nothing else changes.
 *
 * The encoding is what the caller names ("cp1251", "utf-16le", any name
 * iconv knows), or NULL / "auto": then a UTF-16 byte order mark (FF FE or
 * FE FF) selects UTF-16, and anything else passes through unchanged (a
 * UTF-8 byte order mark is left for the reader, which drops it).  Bytes
 * that are not valid in the named encoding end the stream with a read
 * error whose message transcode_error() gives: the line and the encoding.
 *
 * Ownership: transcode_new() makes a converter freed with
 * transcode_free(), which closes its stream (never the caller's FILE,
 * which must outlive it).
 */
#ifndef CANDOR_TRANSCODE_H
#define CANDOR_TRANSCODE_H

#include <stdio.h>

#include "error.h"

struct transcode;

/*
 * A converter reading from in into *out.  name is what messages call the
 * input.  0, or CD_ERR_USAGE (an encoding iconv does not know),
 * CD_ERR_NOMEM, CD_ERR_IO (the first bytes cannot be read) with err filled.
 */
int transcode_new(struct transcode **out, FILE *in, const char *encoding,
		  const char *name, struct cd_error *err);
void transcode_free(struct transcode *t);

/* The UTF-8 stream to read (in itself when nothing is converted). */
FILE *transcode_stream(struct transcode *t);

/* The encoding converted from, "" when the bytes pass through. */
const char *transcode_encoding(const struct transcode *t);

/*
 * After a read error on the stream: why, naming the input, the line and
 * the encoding ("" when the converter met no bad bytes).
 */
const char *transcode_error(const struct transcode *t);

/*
 * A hint for bytes that are not UTF-8 in a file read as UTF-8: "if this
 * file came from Excel, try --encoding cp1251" when the invalid bytes look
 * like Windows-1251 Cyrillic, a general --encoding hint otherwise.
 */
const char *transcode_hint(const char *s, size_t n);

#endif

/*
 * fuzz_tiktok.c - what candor reads from TikTok: the JSON envelope
 * (http_envelope_parse), the page (tiktok_page) and each comment
 * (tiktok_comment_line) on arbitrary bytes, and tiktok_quote_ids.
 *
 * Checked for the comment lines: each is one line of valid JSON (cJSON
 * parses it back) whose "id" is the id reported, and a failure leaves the
 * output buffer as it was.  tiktok_quote_ids never loses a byte: its
 * output minus the quotes it added is the input.
 *
 * Checked: the result is 0 with a "data" object, or a documented status
 * (CD_ERR_REMOTE, CD_ERR_AUTH, CD_ERR_TEMPFAIL, CD_ERR_NOMEM) with a
 * non-empty message that names what was asked and, for an auth error, the
 * variable to set; the request id is NUL-terminated within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "tiktok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cd_error err;
	cJSON *d = NULL;
	char rid[16];
	int rc;

	memset(rid, 'x', sizeof(rid));
	cd_error_clear(&err);
	rc = http_envelope_parse((const char *)data, size, "comment list",
				 HTTP_ENV_TIKTOK_TOKEN, &d, rid, sizeof(rid),
				 &err);
	if (!memchr(rid, '\0', sizeof(rid)))
		abort();
	if (rc == 0) {
		const cJSON *list, *c;
		long long cursor = 0;
		int more;
		struct cd_buf out;

		if (!cJSON_IsObject(d))
			abort();
		cd_buf_init(&out, 1u << 16);
		if (!tiktok_page(d, &list, &cursor, &more, &err)) {
			if (cursor < 0 || (more != 0 && more != 1))
				abort();
			cJSON_ArrayForEach(c, list) {
				char id[TIKTOK_ID_MAX];
				size_t before = out.len;

				if (tiktok_comment_line(c, "77", &out, id, &err)) {
					if (out.len != before)
						abort();
					continue;
				}
				{
					cJSON *back = cJSON_ParseWithLength(
						out.data + before, out.len - before);
					const cJSON *bid = cJSON_GetObjectItem(back, "id");

					if (!back || out.data[out.len - 1] != '\n' ||
					    memchr(out.data + before, '\n',
						   out.len - before - 1) ||
					    !cJSON_IsString(bid) ||
					    strcmp(bid->valuestring, id))
						abort();
					cJSON_Delete(back);
				}
			}
		}
		cd_buf_release(&out);
		cJSON_Delete(d);
	} else if (d) {
		abort();
	}
	{
		struct cd_buf q;
		size_t i, k = 0;

		cd_buf_init(&q, size * 2 + 16);
		if (tiktok_quote_ids((const char *)data, size, &q))
			abort();
		for (i = 0; i < q.len; i++) {
			if (k < size && q.data[i] == (char)data[k])
				k++;
			else if (q.data[i] != '"')
				abort();
		}
		if (k != size)
			abort();
		cd_buf_release(&q);
	}
	if (rc == 0)
		return 0;
	if (rc != CD_ERR_REMOTE && rc != CD_ERR_AUTH && rc != CD_ERR_TEMPFAIL &&
	    rc != CD_ERR_NOMEM)
		abort();
	if (!err.msg[0] || strncmp(err.msg, "comment list: ", 14))
		abort();
	if (rc == CD_ERR_AUTH && !strstr(err.msg, HTTP_ENV_TIKTOK_TOKEN))
		abort();
	return 0;
}

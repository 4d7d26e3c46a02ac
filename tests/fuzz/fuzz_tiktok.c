/*
 * fuzz_tiktok.c - what candor reads from TikTok: the JSON envelope
 * (http_envelope_parse) on arbitrary bytes.
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
		if (!cJSON_IsObject(d))
			abort();
		cJSON_Delete(d);
		return 0;
	}
	if (d)
		abort();
	if (rc != CD_ERR_REMOTE && rc != CD_ERR_AUTH && rc != CD_ERR_TEMPFAIL &&
	    rc != CD_ERR_NOMEM)
		abort();
	if (!err.msg[0] || strncmp(err.msg, "comment list: ", 14))
		abort();
	if (rc == CD_ERR_AUTH && !strstr(err.msg, HTTP_ENV_TIKTOK_TOKEN))
		abort();
	return 0;
}

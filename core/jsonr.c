/* jsonr.c - see jsonr.h. */
#include "jsonr.h"

#include <cjson/cJSON.h>

int jsonr_too_deep(const char *text, size_t len, const char *at)
{
	const char *p = text;
	long depth = 0;
	int in_str = 0;

	if (!at || at < text || at >= text + len || (*at != '[' && *at != '{'))
		return 0;
	/* cJSON stops at the bracket that would open one level too many */
	for (; p < at; p++) {
		if (in_str) {
			if (*p == '\\' && p + 1 < at)
				p++;
			else if (*p == '"')
				in_str = 0;
		} else if (*p == '"') {
			in_str = 1;
		} else if (*p == '[' || *p == '{') {
			depth++;
		} else if (*p == ']' || *p == '}') {
			depth--;
		}
	}
	return !in_str && depth >= CJSON_NESTING_LIMIT;
}

struct cJSON *jsonr_parse(const char *text, size_t len, const char **fail_at)
{
	cJSON *v;

	*fail_at = NULL;
	v = cJSON_ParseWithLengthOpts(text, len, fail_at, 0);
	if (v)
		*fail_at = NULL;
	return v;
}

int jsonr_error(const char *text, size_t len, long line, struct cd_error *err)
{
	return jsonr_error_at(text, len, cJSON_GetErrorPtr(), line, err);
}

int jsonr_error_at(const char *text, size_t len, const char *at, long line,
		   struct cd_error *err)
{
	long col = at && at >= text && at <= text + len ?
		   (long)(at - text) + 1 : 0;

	if (jsonr_too_deep(text, len, at))
		return cd_error_setc(err, CD_ERR_DATA, line, col,
				     "JSON nested deeper than %d levels at "
				     "column %ld", CJSON_NESTING_LIMIT, col);
	return cd_error_setc(err, CD_ERR_DATA, line, col,
			     "invalid JSON near column %ld", col);
}

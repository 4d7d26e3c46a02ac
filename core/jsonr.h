/*
 * jsonr.h - why cJSON could not read a JSON text, said plainly.
 *
 * cJSON reports a failed parse only as a position (cJSON_GetErrorPtr).
 * When the cause is its nesting limit (CJSON_NESTING_LIMIT arrays and
 * objects open), "invalid JSON near column N" misleads: the text may be
 * valid JSON.  These helpers tell the two apart.
 */
#ifndef CANDOR_JSONR_H
#define CANDOR_JSONR_H

#include <stddef.h>

#include "error.h"

/*
 * 1 when cJSON's failure at `at` inside text[0, len) is its nesting
 * limit: CJSON_NESTING_LIMIT arrays or objects are open there and `at`
 * opens one more.  0 otherwise (at may be NULL).
 */
int jsonr_too_deep(const char *text, size_t len, const char *at);

/*
 * Fill err (CD_ERR_DATA at line, with the column) for a text cJSON just
 * failed to parse: "JSON nested deeper than 1000 levels at column N" or
 * "invalid JSON near column N".  Returns CD_ERR_DATA.
 */
int jsonr_error(const char *text, size_t len, long line, struct cd_error *err);

/*
 * Parse text[0, len) with cJSON, as cJSON_ParseWithLength does, but give
 * the failure's position in *fail_at (not through cJSON_GetErrorPtr's
 * process-wide pointer, which another thread's parse may overwrite: the
 * --jobs workers parse at once).  Free the result with cJSON_Delete.
 */
struct cJSON *jsonr_parse(const char *text, size_t len, const char **fail_at);
/* jsonr_error() for a failure at `at` (from jsonr_parse). */
int jsonr_error_at(const char *text, size_t len, const char *at, long line,
		   struct cd_error *err);

#endif

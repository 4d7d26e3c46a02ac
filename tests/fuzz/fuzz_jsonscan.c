/*
 * fuzz_jsonscan.c - jsonscan_object(), jsonscan_string() and the array
 * iterator against cJSON.
 *
 * The bytes are one line, not NUL-terminated (as the line reader hands it
 * over, so a read past the end is caught by ASan).  Checked: the status
 * is 0 or CD_ERR_DATA with a message and a column inside the line; every
 * span found lies inside the line; a line jsonscan accepts is accepted by
 * cJSON as an object (jsonscan is the stricter: RFC 8259 only), with the
 * same type for each wanted member, the same first occurrence, and, for a
 * string that unescapes to valid UTF-8 without NUL, the same text; a
 * flags array gives as many elements as cJSON's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_jsonscan.c:%d: check failed: %s\n", line, what);
	abort();
}

static int same_type(enum jsonscan_type t, const cJSON *v)
{
	switch (t) {
	case JSONSCAN_ABSENT: return v == NULL;
	case JSONSCAN_STRING: return cJSON_IsString(v);
	case JSONSCAN_NUMBER: return cJSON_IsNumber(v);
	case JSONSCAN_ARRAY: return cJSON_IsArray(v);
	case JSONSCAN_OBJECT: return cJSON_IsObject(v);
	case JSONSCAN_TRUE: return cJSON_IsTrue(v);
	case JSONSCAN_FALSE: return cJSON_IsFalse(v);
	case JSONSCAN_NULL: return cJSON_IsNull(v);
	}
	return 0;
}

static int has_surrogate(const char *s)
{
	for (; *s; s++)
		if (s[0] == '\\' && s[1] == 'u' && (s[2] == 'd' || s[2] == 'D') &&
		    strchr("89abcdefABCDEF", s[3]))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "id", "category", "flags", "text",
					    "created_at", "a" };
	struct jsonscan_member w[6];
	const char *line = (const char *)data;
	struct cd_error err;
	char *copy;
	cJSON *root;
	size_t i;
	int rc;

	for (i = 0; i < 6; i++)
		w[i].key = keys[i];
	memset(&err, 0, sizeof(err));
	rc = jsonscan_object(line, size, w, 6, &err);
	CHECK(rc == 0 || rc == CD_ERR_DATA);
	if (rc) {
		CHECK(err.msg[0] && err.col >= 1 && (size_t)err.col <= size + 1);
		return 0;
	}
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* a NUL inside the line: cJSON stops there, nothing to compare */
	root = strlen(copy) == size ? cJSON_ParseWithOpts(copy, NULL, 1) : NULL;
	/* cJSON cuts a name or string at \u0000: nothing to compare */
	if (strstr(copy, "\\u0000")) {
		cJSON_Delete(root);
		free(copy);
		return 0;
	}
	/*
	 * The one known difference: cJSON refuses a whole line with a lone
	 * surrogate escape (\ud800 alone), which the grammar allows (and
	 * jsonscan_string refuses when that string is read).
	 */
	CHECK(strlen(copy) != size || cJSON_IsObject(root) ||
	      has_surrogate(copy));
	for (i = 0; root && i < 6; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, keys[i]);
		char out[256];
		size_t n = 0;

		if (w[i].type) {
			CHECK(w[i].val >= line && w[i].val + w[i].len <= line + size);
		}
		CHECK(same_type(w[i].type, v));
		if (w[i].type == JSONSCAN_STRING) {
			rc = jsonscan_string(&w[i], out, sizeof(out), &n, &err);
			CHECK(rc == 0 || rc == CD_ERR_DATA || rc == CD_ERR_LIMIT);
			if (!rc) {
				CHECK(strlen(out) == n);
				CHECK(!strcmp(out, v->valuestring));
			}
		}
		if (w[i].type == JSONSCAN_ARRAY) {
			struct jsonscan_iter it;
			struct jsonscan_member e;
			int k = 0;

			jsonscan_array(&w[i], &it);
			while (jsonscan_next(&it, &e)) {
				const cJSON *ce = cJSON_GetArrayItem(v, k++);

				CHECK(e.val >= line && e.val + e.len <= line + size);
				CHECK(same_type(e.type, ce));
			}
			CHECK(k == cJSON_GetArraySize(v));
		}
	}
	cJSON_Delete(root);
	free(copy);
	return 0;
}

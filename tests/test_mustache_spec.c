/*
 * test_mustache_spec.c - run the official Mustache spec tests.
 *
 * Usage: test_mustache_spec SPECDIR
 *
 * Loads every *.json file in SPECDIR (tests/mustache/spec holds the
 * comments, delimiters, interpolation, inverted, partials and sections
 * modules of github.com/mustache/spec), renders each test's `template`
 * against its `data` with its `partials`, HTML escaping on, and compares
 * the result with `expected`.  Prints each failure, then the line
 * "mustache spec: N passed, M failed"; exits 1 if anything failed or no
 * test ran.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L        /* scandir */
#endif

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "mustache.h"

/* Caps: a spec file and a rendered test are a few kilobytes. */
#define SPEC_FILE_MAX   (4u << 20)
#define OUTPUT_MAX      (1u << 20)

struct tally {
	int passed, failed;
};

/* Read a whole file into a NUL-terminated buffer; NULL with errno set. */
static char *read_file(const char *path)
{
	struct cd_buf b;
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc = 0;

	if (!f)
		return NULL;
	cd_buf_init(&b, SPEC_FILE_MAX);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = cd_buf_add(&b, chunk, n);
	if (rc || ferror(f)) {
		fclose(f);
		cd_buf_release(&b);
		errno = rc == CD_ERR_LIMIT ? EFBIG : rc ? ENOMEM : EIO;
		return NULL;
	}
	fclose(f);
	return cd_buf_detach(&b, NULL);
}

/* The partial callback: ctx is the test's "partials" object (or NULL). */
static char *spec_partial(void *ctx, const char *name)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ctx, name);
	size_t n;
	char *s;

	if (!cJSON_IsString(p))
		return NULL;
	n = strlen(p->valuestring);
	s = malloc(n + 1);
	if (s)
		memcpy(s, p->valuestring, n + 1);
	return s;
}

/* Run one test; 0 if it passes. */
static int run_test(const char *file, const cJSON *test)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(test, "name");
	const cJSON *tpl = cJSON_GetObjectItemCaseSensitive(test, "template");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(test, "expected");
	const char *title = cJSON_IsString(name) ? name->valuestring : "?";
	cJSON *partials = cJSON_GetObjectItemCaseSensitive(test, "partials");
	struct mustache_opts opts = {
		.escape = MUSTACHE_ESCAPE_HTML,
		.partial = spec_partial,
		.partial_ctx = partials,
	};
	struct mustache_template *t;
	struct cd_error err;
	struct cd_buf out;
	int rc;

	if (!cJSON_IsString(tpl) || !cJSON_IsString(want)) {
		printf("FAIL %s: %s: no template or expected string\n", file,
		       title);
		return -1;
	}
	rc = mustache_parse(tpl->valuestring, strlen(tpl->valuestring), &t,
			    &err);
	if (rc) {
		printf("FAIL %s: %s: parse: %ld:%ld: %s\n", file, title,
		       err.line, err.col, err.msg);
		return -1;
	}
	cd_buf_init(&out, OUTPUT_MAX);
	rc = mustache_render(t, cJSON_GetObjectItemCaseSensitive(test, "data"),
			     &opts, &out, &err);
	if (rc)
		printf("FAIL %s: %s: render: %s\n", file, title, err.msg);
	else if (strcmp(out.data, want->valuestring)) {
		printf("FAIL %s: %s\n  expected: \"%s\"\n  got:      \"%s\"\n",
		       file, title, want->valuestring, out.data);
		rc = -1;
	}
	cd_buf_release(&out);
	mustache_free(t);
	return rc;
}

static void run_file(const char *dir, const char *file, struct tally *tally)
{
	char path[4096];
	const cJSON *test, *tests;
	cJSON *root;
	char *text;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    (int)sizeof(path)) {
		printf("FAIL %s: path too long\n", file);
		tally->failed++;
		return;
	}
	text = read_file(path);
	if (!text) {
		printf("FAIL cannot read '%s': %s\n", path, strerror(errno));
		tally->failed++;
		return;
	}
	root = cJSON_Parse(text);
	free(text);
	tests = cJSON_GetObjectItemCaseSensitive(root, "tests");
	if (!cJSON_IsArray(tests)) {
		printf("FAIL '%s' has no \"tests\" array\n", path);
		tally->failed++;
		cJSON_Delete(root);
		return;
	}
	cJSON_ArrayForEach(test, tests) {
		if (run_test(file, test))
			tally->failed++;
		else
			tally->passed++;
	}
	cJSON_Delete(root);
}

static int is_json(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

int main(int argc, char **argv)
{
	struct tally tally = { 0, 0 };
	struct dirent **files;
	int i, n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SPECDIR\n", argv[0]);
		return 2;
	}
	n = scandir(argv[1], &files, is_json, alphasort);
	if (n < 0) {
		fprintf(stderr, "test_mustache_spec: cannot open '%s': %s\n",
			argv[1], strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		run_file(argv[1], files[i]->d_name, &tally);
		free(files[i]);
	}
	free(files);
	printf("mustache spec: %d passed, %d failed\n", tally.passed,
	       tally.failed);
	return tally.failed || !tally.passed;
}

/*
 * tone_bench.c - how many replies per second tone_check() handles on one
 * core.  Not a test: it prints a number to compare builds and machines.
 *
 * usage: tone_bench CONFIG_TONE_DIR REPLIES_FILE [PASSES]
 *                   [--category C] [--comment TEXT] [--competitors A,B]
 *                   [--ctx-competitors]
 *
 * --competitors loads the names into the rules once (as candor does with
 * [brand] competitors); with --ctx-competitors they go through tone_ctx
 * instead and are normalised on every call.
 * REPLIES_FILE holds one reply per line (UTF-8).  All replies are read
 * into memory first, then checked PASSES times (default 20) with one
 * tokenizer; the time covers the checks only.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "tokenize.h"
#include "tone.h"

#define BENCH_LINE_MAX 8192             /* bytes of one reply */
#define BENCH_FILE_MAX (64u << 20)      /* bytes of the replies file */
#define BENCH_MAX_COMPETITORS 16

struct replies {
	char *text;             /* all lines, NUL-separated */
	size_t *off, *len;
	size_t n, cap, used;
};

static int read_replies(const char *path, struct replies *rs)
{
	FILE *fp = fopen(path, "r");
	char line[BENCH_LINE_MAX + 2];
	long lineno = 0;

	if (!fp) {
		fprintf(stderr, "tone_bench: cannot open '%s'\n", path);
		return -1;
	}
	rs->text = malloc(BENCH_FILE_MAX);
	if (!rs->text) {
		fclose(fp);
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp))
			n = BENCH_LINE_MAX + 1;
		if (n > BENCH_LINE_MAX || rs->used + n + 1 > BENCH_FILE_MAX) {
			fprintf(stderr, "tone_bench: %s:%ld: over the %s limit\n",
				path, lineno, n > BENCH_LINE_MAX ? "line" : "file");
			fclose(fp);
			return -1;
		}
		if (!n)
			continue;
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 1024;
			size_t *o = realloc(rs->off, cap * sizeof(*o));
			size_t *l;

			if (!o)
				break;
			rs->off = o;
			l = realloc(rs->len, cap * sizeof(*l));
			if (!l)
				break;
			rs->len = l;
			rs->cap = cap;
		}
		memcpy(rs->text + rs->used, line, n + 1);
		rs->off[rs->n] = rs->used;
		rs->len[rs->n++] = n;
		rs->used += n + 1;
	}
	fclose(fp);
	return rs->n ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct replies rs = { NULL, NULL, NULL, 0, 0, 0 };
	struct tone_ctx ctx;
	struct tone_result res;
	struct tok_params tp;
	struct cd_error err;
	struct tone_rules *r;
	struct tokenizer *tk;
	const char *comps[BENCH_MAX_COMPETITORS];
	char compbuf[512];
	long passes = 20, p;
	size_t ncomps = 0;
	int ctx_comps = 0;
	size_t i, findings = 0;
	double t0, dt;
	int a;

	memset(&ctx, 0, sizeof(ctx));
	if (argc < 3) {
		fprintf(stderr, "usage: tone_bench CONFIG_TONE_DIR REPLIES_FILE "
			"[PASSES] [--category C] [--comment TEXT] "
			"[--competitors A,B] [--ctx-competitors]\n");
		return 2;
	}
	for (a = 3; a < argc; a++) {
		if (!strcmp(argv[a], "--category") && a + 1 < argc) {
			ctx.category = argv[++a];
		} else if (!strcmp(argv[a], "--comment") && a + 1 < argc) {
			ctx.comment = argv[++a];
		} else if (!strcmp(argv[a], "--competitors") && a + 1 < argc) {
			char *save = NULL, *name;

			snprintf(compbuf, sizeof(compbuf), "%s", argv[++a]);
			for (name = strtok_r(compbuf, ",", &save);
			     name && ncomps < BENCH_MAX_COMPETITORS;
			     name = strtok_r(NULL, ",", &save))
				comps[ncomps++] = name;
		} else if (!strcmp(argv[a], "--ctx-competitors")) {
			ctx_comps = 1;
		} else {
			passes = strtol(argv[a], NULL, 10);
			if (passes < 1) {
				fprintf(stderr, "tone_bench: bad pass count '%s'\n",
					argv[a]);
				return 2;
			}
		}
	}
	r = tone_rules_load(argv[1], &err);
	if (!r) {
		fprintf(stderr, "tone_bench: %s\n", err.msg);
		return 1;
	}
	if (ctx_comps) {
		ctx.competitors = comps;
		ctx.ncompetitors = ncomps;
	} else if (ncomps && tone_rules_add_competitors(r, comps, ncomps, &err)) {
		fprintf(stderr, "tone_bench: %s\n", err.msg);
		return 1;
	}
	tok_params_default(&tp);
	tp.bigrams = 0;
	tk = tok_new(&tp, &err);
	if (!tk || read_replies(argv[2], &rs)) {
		fprintf(stderr, "tone_bench: no replies to check\n");
		return 1;
	}
	/* one warm-up pass fills the tokenizer's stem cache */
	for (i = 0; i < rs.n; i++)
		tone_check(r, tk, rs.text + rs.off[i], rs.len[i], &ctx, &res, &err);
	t0 = now();
	for (p = 0; p < passes; p++)
		for (i = 0; i < rs.n; i++) {
			if (tone_check(r, tk, rs.text + rs.off[i], rs.len[i], &ctx,
				       &res, &err)) {
				fprintf(stderr, "tone_bench: reply %zu: %s\n", i + 1,
					err.msg);
				return 1;
			}
			findings += res.n;
		}
	dt = now() - t0;
	printf("%zu replies x %ld passes in %.3f s: %.0f replies/s "
	       "(%.2f us each, %zu phrases, %zu findings)\n", rs.n, passes, dt,
	       (double)rs.n * (double)passes / dt,
	       dt * 1e6 / ((double)rs.n * (double)passes),
	       tone_rules_count(r), findings);
	tok_free(tk);
	tone_rules_free(r);
	free(rs.text);
	free(rs.off);
	free(rs.len);
	return 0;
}

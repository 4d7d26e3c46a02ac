/*
 * fuzz_tone.c - tone_check() on arbitrary reply bytes.
 *
 * The first half of the input is the reply (exactly that many bytes, not
 * NUL-terminated); the second half, up to its first NUL, is the comment
 * it answers.  The last byte also picks the context: language (none, en,
 * ru, auto), category (none, complaint, fake_news, question, toxic), the
 * channel limit, and whether the comment's first line is passed as an
 * extra competitor name.  A second check runs with no context at all.
 *
 * The rules are loaded once from config/tone, found through
 * $CANDOR_TONE_DIR or else the source tree the harness was built from,
 * with two competitors added as [brand] competitors would, in
 * LLVMFuzzerInitialize(): loading them with the learned layer takes about
 * half a second, which would otherwise count against the first input's
 * time limit (libFuzzer's -timeout in CI).
 *
 * Checked: the status is 0 exactly when reply and comment are valid UTF-8
 * (or CD_ERR_LIMIT/CD_ERR_USAGE for a bad competitor name); a result has
 * at most TONE_MAX_FINDINGS findings sorted by start, each with a known
 * rule, a severity, spans inside the reply's code points, and a message
 * and suggestion that are valid UTF-8; the score is 0..100; the same check
 * twice gives the same result, and so does a check with a tokenizer that
 * makes no word pairs (the learned layer rebuilds the pairs itself and
 * leaves out the tokenizer's; corpus/tone/issue20-*.bin are the replies
 * that once broke this); tone_result_json() gives JSON that cJSON reads
 * back with the same number of issues.
 *
 * The rules come with the learned layer when config/tone holds the
 * replies.tsv corpora, as it ships.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "error.h"
#include "tokenize.h"
#include "tone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

#ifndef CANDOR_SOURCE_DIR
#define CANDOR_SOURCE_DIR "."
#endif

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_tone.c:%d: check failed: %s\n", line, what);
	abort();
}

static void check_result(const struct tone_result *res, size_t cps)
{
	struct cd_buf b;
	cJSON *j, *issues;
	size_t i;

	CHECK(res->score >= 0 && res->score <= 100);
	CHECK(res->n <= TONE_MAX_FINDINGS);
	for (i = 0; i < res->n; i++) {
		const struct tone_finding *f = &res->f[i];

		CHECK(memchr(f->rule, '\0', sizeof(f->rule)) && tone_rule_known(f->rule));
		CHECK(f->severity == TONE_INFO || f->severity == TONE_WARNING ||
		      f->severity == TONE_ERROR);
		CHECK(memchr(f->message, '\0', sizeof(f->message)) &&
		      f->message[0]);
		CHECK(memchr(f->suggestion, '\0', sizeof(f->suggestion)));
		CHECK(tok_utf8_check(f->message, strlen(f->message), NULL) == 0);
		CHECK(tok_utf8_check(f->suggestion, strlen(f->suggestion),
				     NULL) == 0);
		CHECK(f->start <= f->end && f->end <= cps);
		if (i)
			CHECK(res->f[i - 1].start <= f->start);
	}
	if (!res->n)
		CHECK(res->score == 100 || res->dropped);
	CHECK(tone_result_has_error(res) == 0 || res->n > 0);

	cd_buf_init(&b, 1 << 20);
	CHECK(tone_result_json(res, &b) == 0);
	j = cJSON_Parse(b.data);
	CHECK(j != NULL);
	issues = cJSON_GetObjectItemCaseSensitive(j, "issues");
	CHECK(cJSON_IsArray(issues) &&
	      (size_t)cJSON_GetArraySize(issues) == res->n);
	CHECK(cJSON_GetObjectItemCaseSensitive(j, "score")->valueint ==
	      res->score);
	cJSON_Delete(j);
	cd_buf_release(&b);
}

static int same_result(const struct tone_result *a,
		       const struct tone_result *b)
{
	size_t i;

	if (a->score != b->score || a->n != b->n || a->dropped != b->dropped)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->f[i].rule, b->f[i].rule) ||
		    a->f[i].severity != b->f[i].severity ||
		    strcmp(a->f[i].message, b->f[i].message) ||
		    strcmp(a->f[i].suggestion, b->f[i].suggestion) ||
		    a->f[i].start != b->f[i].start ||
		    a->f[i].end != b->f[i].end)
			return 0;
	return 1;
}

static struct tone_rules *load_rules(void)
{
	static const char *const brand_competitors[] = {
		"FizzCo", "\xd0\xa4\xd0\xb8\xd0\xb7\xd0\xb7\xd0\x9a\xd0\xbe"
	};
	const char *dir = getenv("CANDOR_TONE_DIR");
	char path[4096];
	struct cd_error err;
	struct tone_rules *r;

	if (!dir || !*dir) {
		snprintf(path, sizeof(path), "%s/config/tone", CANDOR_SOURCE_DIR);
		dir = path;
	}
	r = tone_rules_load(dir, &err);
	if (!r) {
		fprintf(stderr, "fuzz_tone: %s (set CANDOR_TONE_DIR to "
			"config/tone)\n", err.msg);
		abort();
	}
	CHECK(tone_rules_add_competitors(r, brand_competitors, 2, &err) == 0);
	return r;
}

static struct tone_rules *rules;
static struct tokenizer *tk, *words;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tok_params tp;
	struct cd_error err;

	(void)argc;
	(void)argv;
	rules = load_rules();
	tok_params_default(&tp);
	tk = tok_new(&tp, &err);
	CHECK(tk != NULL);
	tok_params_words(&tp);
	words = tok_new(&tp, &err);
	CHECK(words != NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { NULL, "en", "ru", "auto" };
	static const char *const cats[] = { NULL, "complaint", "fake_news",
					    "question", "toxic" };
	static const size_t limits[] = { 0, 20, 280 };
	static struct tone_result res, again;
	size_t rlen = size / 2, clen, cps = 0, i;
	const char *reply = (const char *)data;
	const char *names[1];
	char *comment, first_line[80];
	struct tone_ctx ctx;
	struct cd_error err;
	uint8_t pick = size ? data[size - 1] : 0;
	int rc, ok;

	CHECK(rules != NULL);    /* LLVMFuzzerInitialize() ran */
	/* the comment: the second half, up to a NUL */
	clen = strnlen((const char *)data + rlen, size - rlen);
	comment = malloc(clen + 1);
	CHECK(comment != NULL);
	memcpy(comment, data + rlen, clen);
	comment[clen] = '\0';

	for (i = 0; i < rlen; i++)
		cps += (data[i] & 0xC0) != 0x80;
	ok = tok_utf8_check(reply, rlen, NULL) == 0 &&
	     tok_utf8_check(comment, clen, NULL) == 0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = langs[pick & 3];
	ctx.category = cats[(pick >> 2) % 5];
	ctx.max_chars = limits[(pick >> 5) % 3];
	ctx.comment = comment;
	if (pick & 0x80) {
		/* the comment's first line as one more competitor */
		size_t n = strcspn(comment, "\n");

		if (n >= sizeof(first_line))
			n = sizeof(first_line) - 1;
		memcpy(first_line, comment, n);
		first_line[n] = '\0';
		names[0] = first_line;
		ctx.competitors = names;
		ctx.ncompetitors = 1;
	}
	rc = tone_check(rules, tk, rlen ? reply : "", rlen, &ctx, &res, &err);
	if (rc == CD_ERR_LIMIT || (rc == CD_ERR_DATA && ctx.ncompetitors &&
				   tok_utf8_check(first_line,
						  strlen(first_line),
						  NULL))) {
		/* a competitor name too long, with too many words, or bad */
		CHECK(ctx.ncompetitors && err.msg[0]);
	} else {
		CHECK(rc == 0 || rc == CD_ERR_DATA);
		CHECK((rc == 0) == ok);
		if (!rc) {
			check_result(&res, cps);
			CHECK(tone_check(rules, tk, rlen ? reply : "", rlen, &ctx,
					 &again, &err) == 0);
			CHECK(same_result(&res, &again));
			CHECK(tone_check(rules, words, rlen ? reply : "", rlen,
					 &ctx, &again, &err) == 0);
			if (!same_result(&res, &again))
				fprintf(stderr, "fuzz_tone: with and without "
					"pairs: %d/%zu vs %d/%zu\n", res.score,
					res.n, again.score, again.n);
			CHECK(same_result(&res, &again));
		} else {
			CHECK(err.msg[0]);
		}
	}

	rc = tone_check(rules, tk, rlen ? reply : "", rlen, NULL, &res, &err);
	CHECK((rc == 0) == (tok_utf8_check(reply, rlen, NULL) == 0));
	if (!rc)
		check_result(&res, cps);
	free(comment);
	return 0;
}

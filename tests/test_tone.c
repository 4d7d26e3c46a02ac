/*
 * test_tone.c - tests for core/tone.c.
 *
 * usage: test_tone CONFIG_TONE_DIR CASES_FILE LEARN_DIR
 *        (from the source tree: test_tone config/tone tests/tone/cases.txt
 *        tests/tone/learn)
 *
 * The cases file is the main suite (its format is described at its top):
 * every line is a reply with the findings it must and must not get, and
 * the suite also checks that every rule has at least MIN_CASES must-fire
 * and MIN_CASES near-miss cases in each language.  The cmocka tests around
 * it cover what a line cannot: the score formula, the JSON, sorting, the
 * finding cap, load errors and bad input.  The learned layer is tested
 * twice: through the cases file against the shipped corpora
 * (config/tone/<lang>/replies.tsv), and here against LEARN_DIR, a small
 * fixture corpus whose verdicts do not move when the shipped ones grow.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "tokenize.h"
#include "tone.h"
#include "tone_internal.h"

#define MIN_CASES 4             /* per rule, per language, each way */
#define CASE_LINE_MAX 4096      /* bytes of one cases line */
#define CASE_FIELD_MAX 2048     /* bytes of one unescaped field */
#define MAX_CHECKS 16           /* checks in one EXPECT field */
#define MAX_CASE_COMPETITORS 8

static const char *const rules[] = {
	"length", "placeholder", "caps", "exclaim", "blame", "defensive",
	"dismissive", "insult", "absolute_promise", "competitor", "pii",
	"echo", "required"
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* What the tests share; handed to each test as its cmocka state. */
struct fixture {
	const char *dir;        /* config/tone */
	const char *cases;      /* tests/tone/cases.txt */
	const char *learn;      /* tests/tone/learn: the fixture corpus */
	struct tone_rules *r;
	struct tokenizer *tk;
	struct tokenizer *ctk;  /* the comment's, as suggest hands it over */
};

static int setup(void **state)
{
	struct fixture *fx = *state;
	struct tok_params tp;
	struct cd_error err;

	fx->r = tone_rules_load(fx->dir, &err);
	if (!fx->r) {
		fprintf(stderr, "test_tone: %s\n", err.msg);
		return -1;
	}
	tok_params_default(&tp);
	fx->tk = tok_new(&tp, &err);
	fx->ctk = tok_new(&tp, &err);
	return fx->tk && fx->ctk ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	tone_rules_free(fx->r);
	tok_free(fx->tk);
	tok_free(fx->ctk);
	fx->r = NULL;
	fx->tk = NULL;
	fx->ctk = NULL;
	return 0;
}

/* ------------------------------------------------------- the cases file */

struct check {
	char rule[24];
	int kind;               /* 'S' span, 'A' any, 'N' not, '0' none, '=' score */
	long start, end;        /* 'S'; '=' uses start */
};

struct tcase {
	char lang[8];
	char category[32];
	struct check checks[MAX_CHECKS];
	size_t nchecks;
	char comment[CASE_FIELD_MAX];
	int has_comment;
	size_t max_chars;
	char comp_buf[256];
	const char *comps[MAX_CASE_COMPETITORS];
	size_t ncomps;
	char reply[CASE_FIELD_MAX];
	size_t reply_len;
};

/*
 * Take the next field of *p up to an unescaped '|' (or the end) into out,
 * unescaping \n \t \| \\ \s.  Returns -1 when it does not fit.
 */
static int next_field(const char **p, char *out, size_t cap, size_t *outlen,
		      int last)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && (last || *s != '|')) {
		char c = *s++;

		if (c == '\\' && *s) {
			c = *s++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 's')
				c = ' ';
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	if (*s == '|')
		s++;
	*p = s;
	if (outlen)
		*outlen = n;
	return 0;
}

static char *trim_ws(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int parse_checks(char *spec, struct tcase *tc)
{
	char *tok, *save = NULL;

	tc->nchecks = 0;
	for (tok = strtok_r(spec, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		struct check *c;
		char *at;

		if (tc->nchecks == MAX_CHECKS)
			return -1;
		c = &tc->checks[tc->nchecks++];
		memset(c, 0, sizeof(*c));
		if (!strcmp(tok, "none")) {
			c->kind = '0';
		} else if (!strncmp(tok, "score=", 6)) {
			c->kind = '=';
			c->start = strtol(tok + 6, NULL, 10);
		} else if (tok[0] == '!') {
			c->kind = 'N';
			snprintf(c->rule, sizeof(c->rule), "%s", tok + 1);
		} else if ((at = strchr(tok, '@'))) {
			*at = '\0';
			c->kind = 'S';
			snprintf(c->rule, sizeof(c->rule), "%s", tok);
			if (sscanf(at + 1, "%ld-%ld", &c->start, &c->end) != 2)
				return -1;
		} else {
			c->kind = 'A';
			snprintf(c->rule, sizeof(c->rule), "%s", tok);
		}
	}
	return tc->nchecks ? 0 : -1;
}

/* One line into tc; -1 on a malformed line. */
static int parse_case(const char *line, struct tcase *tc)
{
	char f[CASE_FIELD_MAX], *t;
	const char *p = line;

	memset(tc, 0, sizeof(*tc));
	if (next_field(&p, f, sizeof(f), NULL, 0))
		return -1;
	snprintf(tc->lang, sizeof(tc->lang), "%s", trim_ws(f));
	if (next_field(&p, f, sizeof(f), NULL, 0))
		return -1;
	snprintf(tc->category, sizeof(tc->category), "%s", trim_ws(f));
	if (next_field(&p, f, sizeof(f), NULL, 0) || parse_checks(f, tc))
		return -1;
	tc->comps[0] = "FizzCo";        /* the SPEC's example competitors */
	tc->comps[1] = "\xd0\xa4\xd0\xb8\xd0\xb7\xd0\xb7\xd0\x9a\xd0\xbe";
	tc->ncomps = 2;
	/* options: key=value fields before the reply */
	for (;;) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (strncmp(q, "comment=", 8) && strncmp(q, "max=", 4) &&
		    strncmp(q, "competitors=", 12))
			break;
		if (next_field(&p, f, sizeof(f), NULL, 0))
			return -1;
		t = trim_ws(f);
		if (!strncmp(t, "comment=", 8)) {
			snprintf(tc->comment, sizeof(tc->comment), "%s", t + 8);
			tc->has_comment = 1;
		} else if (!strncmp(t, "max=", 4)) {
			tc->max_chars = (size_t)strtoul(t + 4, NULL, 10);
		} else {
			char *save = NULL, *name;

			snprintf(tc->comp_buf, sizeof(tc->comp_buf), "%s", t + 12);
			tc->ncomps = 0;
			for (name = strtok_r(tc->comp_buf, ",", &save);
			     name && tc->ncomps < MAX_CASE_COMPETITORS;
			     name = strtok_r(NULL, ",", &save))
				tc->comps[tc->ncomps++] = trim_ws(name);
		}
	}
	if (*p == ' ')
		p++;
	return next_field(&p, tc->reply, sizeof(tc->reply), &tc->reply_len, 1);
}

static int has_rule(const struct tone_result *res, const char *rule)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (!strcmp(res->f[i].rule, rule))
			return 1;
	return 0;
}

static int has_span(const struct tone_result *res, const char *rule,
		    long start, long end)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (!strcmp(res->f[i].rule, rule) &&
		    (long)res->f[i].start == start && (long)res->f[i].end == end)
			return 1;
	return 0;
}

static int rule_index(const char *rule)
{
	size_t i;

	for (i = 0; i < NRULES; i++)
		if (!strcmp(rules[i], rule))
			return (int)i;
	return -1;
}

static void show_result(const char *file, long lineno,
			const struct tone_result *res)
{
	size_t i;

	fprintf(stderr, "%s:%ld:   got score %d:", file, lineno, res->score);
	if (!res->n)
		fprintf(stderr, " no findings");
	for (i = 0; i < res->n; i++)
		fprintf(stderr, " %s@%zu-%zu", res->f[i].rule, res->f[i].start,
			res->f[i].end);
	fprintf(stderr, "\n");
}

/* The counts the coverage check needs: [rule][lang en/ru][fires/misses]. */
struct coverage {
	int n[NRULES][2][2];
	int cases, failed;
};

static void count_case(struct coverage *cv, const struct tcase *tc)
{
	size_t i, k;
	int lang = !strcmp(tc->lang, "ru") ? 1 : !strcmp(tc->lang, "en") ? 0 : -1;

	if (lang < 0)
		return;
	for (i = 0; i < tc->nchecks; i++) {
		const struct check *c = &tc->checks[i];
		int ri = rule_index(c->rule);

		if (c->kind == '0')
			for (k = 0; k < NRULES; k++)
				cv->n[k][lang][1]++;
		else if (ri >= 0 && (c->kind == 'S' || c->kind == 'A'))
			cv->n[ri][lang][0]++;
		else if (ri >= 0 && c->kind == 'N')
			cv->n[ri][lang][1]++;
	}
}

/*
 * suggest hands tone_check the comment's tokens from the classifier's
 * tokenizer (ctx.comment_tokens), and tone_check then matches the comment
 * only when the reply shares a word with it.  The result must be the one
 * tone_check gets by tokenizing the comment itself.
 */
static int same_with_comment_tokens(struct fixture *fx,
				    const struct tone_ctx *ctx,
				    const struct tcase *tc,
				    const struct tone_result *want)
{
	struct tone_ctx c2 = *ctx;
	struct tone_result got;
	struct cd_error err;
	size_t i;

	if (tok_run(fx->ctk, ctx->comment, strlen(ctx->comment), &err))
		return 0;
	c2.comment_tokens = fx->ctk;
	if (tone_check(fx->r, fx->tk, tc->reply, tc->reply_len, &c2, &got,
		       &err))
		return 0;
	if (got.n != want->n || got.score != want->score ||
	    got.dropped != want->dropped)
		return 0;
	for (i = 0; i < got.n; i++)
		if (strcmp(got.f[i].rule, want->f[i].rule) ||
		    got.f[i].severity != want->f[i].severity ||
		    got.f[i].start != want->f[i].start ||
		    got.f[i].end != want->f[i].end ||
		    strcmp(got.f[i].message, want->f[i].message))
			return 0;
	return 1;
}

/* Run one case; 0 when every check holds. */
static int run_case(struct fixture *fx, const struct tcase *tc,
		    const char *file, long lineno)
{
	struct tone_ctx ctx;
	struct tone_result res;
	struct cd_error err;
	size_t i;
	int bad = 0, rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = strcmp(tc->lang, "auto") ? tc->lang : NULL;
	ctx.category = strcmp(tc->category, "-") ? tc->category : NULL;
	ctx.comment = tc->has_comment ? tc->comment : NULL;
	ctx.max_chars = tc->max_chars;
	ctx.competitors = tc->comps;
	ctx.ncompetitors = tc->ncomps;
	rc = tone_check(fx->r, fx->tk, tc->reply, tc->reply_len, &ctx, &res,
			&err);
	if (rc) {
		fprintf(stderr, "%s:%ld: tone_check failed: %s\n", file, lineno,
			err.msg);
		return 1;
	}
	if (ctx.comment && !same_with_comment_tokens(fx, &ctx, tc, &res)) {
		fprintf(stderr, "%s:%ld: the comment's own tokens (as suggest "
			"passes them) give other findings\n", file, lineno);
		bad = 1;
	}
	for (i = 0; i < tc->nchecks; i++) {
		const struct check *c = &tc->checks[i];
		int ok = 1;

		if (c->kind != '0' && c->kind != '=' && rule_index(c->rule) < 0) {
			fprintf(stderr, "%s:%ld: unknown rule '%s'\n", file,
				lineno, c->rule);
			bad = 1;
			continue;
		}
		switch (c->kind) {
		case '0': ok = res.n == 0; break;
		case '=': ok = res.score == c->start; break;
		case 'N': ok = !has_rule(&res, c->rule); break;
		case 'A': ok = has_rule(&res, c->rule); break;
		case 'S': ok = has_span(&res, c->rule, c->start, c->end); break;
		default: ok = 0; break;
		}
		if (!ok) {
			if (!bad)
				fprintf(stderr, "%s:%ld: FAIL %s\n", file, lineno,
					tc->reply);
			switch (c->kind) {
			case '0':
				fprintf(stderr, "%s:%ld:   expected no findings\n",
					file, lineno);
				break;
			case '=':
				fprintf(stderr, "%s:%ld:   expected score %ld\n",
					file, lineno, c->start);
				break;
			case 'N':
				fprintf(stderr, "%s:%ld:   expected no '%s'\n", file,
					lineno, c->rule);
				break;
			case 'A':
				fprintf(stderr, "%s:%ld:   expected '%s'\n", file,
					lineno, c->rule);
				break;
			default:
				fprintf(stderr, "%s:%ld:   expected %s@%ld-%ld\n",
					file, lineno, c->rule, c->start, c->end);
				break;
			}
			bad = 1;
		}
	}
	if (bad)
		show_result(file, lineno, &res);
	return bad;
}

static void test_cases(void **state)
{
	struct fixture *fx = *state;
	struct tcase *tc = malloc(sizeof(*tc));  /* large: off the stack */
	struct coverage cv;
	char line[CASE_LINE_MAX + 2];
	long lineno = 0;
	FILE *fp = fopen(fx->cases, "r");
	size_t k;
	int short_cov = 0;

	assert_non_null(tc);
	if (!fp) {
		fprintf(stderr, "test_tone: cannot open '%s'\n", fx->cases);
		free(tc);
		fail();
	}
	memset(&cv, 0, sizeof(cv));
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);
		char *s;

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp))
			n = CASE_LINE_MAX + 1;
		if (n > CASE_LINE_MAX) {
			fprintf(stderr, "%s:%ld: longer than %d bytes\n",
				fx->cases, lineno, CASE_LINE_MAX);
			cv.failed++;
			break;
		}
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (!*s || *s == '#')
			continue;
		if (parse_case(line, tc)) {
			fprintf(stderr, "%s:%ld: malformed case\n", fx->cases,
				lineno);
			cv.failed++;
			continue;
		}
		cv.cases++;
		count_case(&cv, tc);
		cv.failed += run_case(fx, tc, fx->cases, lineno);
	}
	fclose(fp);
	free(tc);
	printf("tone cases: %d run, %d failed\n", cv.cases, cv.failed);
	printf("%-17s %8s %8s %8s %8s\n", "rule", "en fire", "en miss",
	       "ru fire", "ru miss");
	for (k = 0; k < NRULES; k++) {
		printf("%-17s %8d %8d %8d %8d\n", rules[k], cv.n[k][0][0],
		       cv.n[k][0][1], cv.n[k][1][0], cv.n[k][1][1]);
		if (cv.n[k][0][0] < MIN_CASES || cv.n[k][0][1] < MIN_CASES ||
		    cv.n[k][1][0] < MIN_CASES || cv.n[k][1][1] < MIN_CASES) {
			fprintf(stderr, "test_tone: rule '%s' has fewer than %d "
				"cases one way or in one language\n", rules[k],
				MIN_CASES);
			short_cov = 1;
		}
	}
	assert_int_equal(cv.failed, 0);
	assert_false(short_cov);
	assert_true(cv.cases > 0);
}

/* ------------------------------------------------------ cmocka unit tests */

static int check(struct fixture *fx, const char *reply, const char *category,
		 struct tone_result *res)
{
	struct tone_ctx ctx;
	struct cd_error err;

	memset(&ctx, 0, sizeof(ctx));
	ctx.category = category;
	return tone_check(fx->r, fx->tk, reply, strlen(reply), &ctx, res, &err);
}

static void test_score(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;

	assert_int_equal(check(fx, "Thanks for reaching out, we're on it.", NULL,
			       &res), 0);
	assert_int_equal(res.score, 100);
	assert_int_equal(res.n, 0);
	/* blame (error 30) + exclaim (warning 10) */
	assert_int_equal(check(fx, "You should have read the label!!", NULL,
			       &res), 0);
	assert_int_equal(res.n, 2);
	assert_int_equal(res.score, 60);
	/* complaint without acknowledgement and next step: 2 warnings */
	assert_int_equal(check(fx, "Our juice is made fresh every day.",
			       "complaint", &res), 0);
	assert_int_equal(res.n, 2);
	assert_int_equal(res.score, 80);
	/* four errors: floored at 0 */
	assert_int_equal(check(fx, "Calm down, idiot, it's your fault and we "
			       "did nothing wrong.", NULL, &res), 0);
	assert_true(res.n >= 4);
	assert_int_equal(res.score, 0);
}

static void test_sorted_and_severity(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;
	size_t i;

	assert_int_equal(check(fx, "LOL you should have read it!! Calm down.",
			       NULL, &res), 0);
	assert_true(res.n >= 3);
	for (i = 1; i < res.n; i++)
		assert_true(res.f[i - 1].start <= res.f[i].start);
	assert_string_equal(tone_severity_name(TONE_ERROR), "error");
	assert_string_equal(tone_severity_name(TONE_WARNING), "warning");
	assert_string_equal(tone_severity_name(TONE_INFO), "info");
	assert_true(tone_result_has_error(&res));
	for (i = 0; i < res.n; i++)
		assert_true(tone_rule_known(res.f[i].rule));
	for (i = 0; i < NRULES; i++)    /* docs/tone.md's rules, all known */
		assert_true(tone_rule_known(rules[i]));
	assert_false(tone_rule_known("blam"));
	assert_false(tone_rule_known(""));
	assert_false(tone_rule_known(NULL));
}

/* More findings than fit: errors are kept, the rest counted and scored. */
static void test_cap(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;
	char reply[2048];
	size_t i, n = 0, errors = 0;

	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(reply + n, sizeof(reply) - n,
				      "{{v%zu}} HELLO. ", i);
	assert_int_equal(check(fx, reply, NULL, &res), 0);
	/* 20 placeholders (error), 20 caps (warning), 1 length (error) */
	assert_int_equal(res.n, TONE_MAX_FINDINGS);
	assert_int_equal(res.dropped, 41 - TONE_MAX_FINDINGS);
	assert_int_equal(res.score, 0);
	for (i = 0; i < res.n; i++) {
		errors += res.f[i].severity == TONE_ERROR;
		if (i)
			assert_true(res.f[i - 1].start <= res.f[i].start);
	}
	assert_int_equal(errors, 21);       /* all 21 errors kept */
}

static void test_json(void **state)
{
	struct tone_result res;
	struct cd_buf b;

	(void)state;
	memset(&res, 0, sizeof(res));
	res.score = 60;
	res.n = 2;
	strcpy(res.f[0].rule, "blame");
	res.f[0].severity = TONE_ERROR;
	strcpy(res.f[0].message, "blames the customer: 'You \"should\" have'");
	strcpy(res.f[0].suggestion, "own it\\\n\tnow");
	res.f[0].start = 0;
	res.f[0].end = 15;
	strcpy(res.f[1].rule, "exclaim");
	res.f[1].severity = TONE_WARNING;
	strcpy(res.f[1].message, "\xc2\xab\x01\xc2\xbb");
	strcpy(res.f[1].suggestion, "x");
	res.f[1].start = 30;
	res.f[1].end = 32;
	cd_buf_init(&b, 4096);
	assert_int_equal(cd_buf_addstr(&b, "prefix:"), 0);
	assert_int_equal(tone_result_json(&res, &b), 0);
	assert_string_equal(b.data,
		"prefix:{\"score\":60,\"issues\":["
		"{\"rule\":\"blame\",\"severity\":\"error\","
		"\"message\":\"blames the customer: 'You \\\"should\\\" have'\","
		"\"start\":0,\"end\":15,\"suggestion\":\"own it\\\\\\n\\tnow\"},"
		"{\"rule\":\"exclaim\",\"severity\":\"warning\","
		"\"message\":\"\xc2\xab\\u0001\xc2\xbb\",\"start\":30,\"end\":32,"
		"\"suggestion\":\"x\"}]}");
	cd_buf_release(&b);

	/* empty result */
	memset(&res, 0, sizeof(res));
	res.score = 100;
	cd_buf_init(&b, 4096);
	assert_int_equal(tone_result_json(&res, &b), 0);
	assert_string_equal(b.data, "{\"score\":100,\"issues\":[]}");
	cd_buf_release(&b);
}

/* A full buffer fails with CD_ERR_LIMIT and keeps what it had. */
static void test_json_limit(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;
	struct cd_buf b;

	assert_int_equal(check(fx, "Calm down, it's your fault!!", NULL, &res), 0);
	cd_buf_init(&b, 40);
	assert_int_equal(cd_buf_addstr(&b, "keep"), 0);
	assert_int_equal(tone_result_json(&res, &b), CD_ERR_LIMIT);
	assert_string_equal(b.data, "keep");
	cd_buf_release(&b);
}

/* The reply's findings point at code points, not bytes. */
static void test_code_points(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;

	assert_int_equal(check(fx, "Привет! Успокойтесь.", NULL, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "dismissive");
	assert_int_equal(res.f[0].start, 8);
	assert_int_equal(res.f[0].end, 19);
	assert_non_null(strstr(res.f[0].message, "'Успокойтесь'"));
}

static void test_bad_input(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;
	struct tone_ctx ctx;
	struct cd_error err;
	const char *many[TONE_MAX_COMPETITORS + 1];
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(tone_check(fx->r, fx->tk, "ok \xff", 4, &ctx, &res,
				    &err), CD_ERR_DATA);
	assert_non_null(strstr(err.msg, "byte 4"));
	ctx.comment = "bad \xc3";
	assert_int_equal(tone_check(fx->r, fx->tk, "ok", 2, &ctx, &res, &err),
			 CD_ERR_DATA);
	assert_non_null(strstr(err.msg, "comment"));
	ctx.comment = NULL;
	ctx.lang = "de";
	assert_int_equal(tone_check(fx->r, fx->tk, "ok", 2, &ctx, &res, &err),
			 CD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "'de'"));
	ctx.lang = NULL;
	for (i = 0; i < TONE_MAX_COMPETITORS + 1; i++)
		many[i] = "FizzCo";
	ctx.competitors = many;
	ctx.ncompetitors = TONE_MAX_COMPETITORS + 1;
	assert_int_equal(tone_check(fx->r, fx->tk, "ok", 2, &ctx, &res, &err),
			 CD_ERR_LIMIT);
	/* a NULL ctx and an empty reply are fine */
	assert_int_equal(tone_check(fx->r, fx->tk, "Thanks!", 7, NULL, &res,
				    &err), 0);
	assert_int_equal(res.score, 100);
	assert_int_equal(tone_check(fx->r, fx->tk, "", 0, NULL, &res, &err), 0);
	assert_string_equal(res.f[0].rule, "placeholder");
}

/* Competitors loaded into the rules apply to every check. */
static void test_rules_competitors(void **state)
{
	struct fixture *fx = *state;
	struct tone_result res;
	struct cd_error err;
	const char *names[] = { "JuicyCorp", "СокПром" };
	const char *many[TONE_MAX_COMPETITORS];
	size_t i;

	/* unknown to the lists: at most the learned layer's warning */
	assert_int_equal(check(fx, "JuicyCorp is a scam.", NULL, &res), 0);
	assert_false(tone_result_has_error(&res));
	assert_int_equal(tone_rules_add_competitors(fx->r, names, 2, &err), 0);
	assert_int_equal(check(fx, "JuicyCorp is a scam.", NULL, &res), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "competitor");
	assert_int_equal(res.f[0].start, 0);
	assert_int_equal(res.f[0].end, 19);
	assert_int_equal(check(fx, "У СокПрома хуже состав.", NULL, &res), 0);
	assert_int_equal(res.n, 1);
	/* past the cap: refused, the rules keep what they had */
	for (i = 0; i < TONE_MAX_COMPETITORS; i++)
		many[i] = "Other";
	assert_int_equal(tone_rules_add_competitors(fx->r, many,
						    TONE_MAX_COMPETITORS, &err),
			 CD_ERR_LIMIT);
	assert_int_equal(check(fx, "JuicyCorp is a scam.", NULL, &res), 0);
	assert_int_equal(res.n, 1);
}

/* Write text to dir/name, creating dir/en first. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/en", dir);
	mkdir(path, 0700);      /* may exist already */
	snprintf(path, sizeof(path), "%s/en/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_load_errors(void **state)
{
	struct cd_error err;
	struct tone_rules *r;
	char dir[] = "/tmp/test_tone.XXXXXX", path[512], longline[300];

	(void)state;
	assert_non_null(mkdtemp(dir));

	/* nothing there */
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_non_null(strstr(err.msg, "no tone lists"));

	/* a good file loads, with comments, blank lines and anchors */
	write_file(dir, "blame.txt", "# comment\n\nyour fault\n^calm down$\n"
		   "!your fault sir\n");
	r = tone_rules_load(dir, &err);
	assert_non_null(r);
	assert_int_equal(tone_rules_count(r), 3);
	tone_rules_free(r);

	/* a line over 200 bytes names the file and the line */
	memset(longline, 'a', 250);
	longline[250] = '\0';
	snprintf(path, sizeof(path), "ok\n%s\n", longline);
	write_file(dir, "blame.txt", path);
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "blame.txt': line 2"));
	assert_non_null(strstr(err.msg, "200 bytes"));

	/* a line with no words, one with too many */
	write_file(dir, "blame.txt", "ok\n...\n");
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "no words"));
	write_file(dir, "blame.txt", "one two three four five six seven eight nine\n");
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_non_null(strstr(err.msg, "more than 8 words"));

	/* invalid UTF-8 */
	write_file(dir, "blame.txt", "ok\nbad \xff\n");
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_non_null(strstr(err.msg, "invalid utf-8"));

	snprintf(path, sizeof(path), "%s/en/blame.txt", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/en", dir);
	rmdir(path);
	rmdir(dir);
}

/* ----------------------------------------------------- the learned layer */

/* Check reply against the rules in dir with params p (NULL: defaults). */
static struct tone_rules *load_fixture(const char *dir,
				       const struct tone_params *p)
{
	struct cd_error err;
	struct tone_rules *r = tone_rules_load_params(dir, p, &err);

	if (!r)
		fprintf(stderr, "test_tone: %s\n", err.msg);
	assert_non_null(r);
	return r;
}

static void check_with(struct tone_rules *r, const char *reply,
		       struct tone_result *res)
{
	struct tok_params tp;
	struct cd_error err;
	struct tokenizer *tk;

	tok_params_words(&tp);
	tk = tok_new(&tp, &err);
	assert_non_null(tk);
	assert_int_equal(tone_check(r, tk, reply, strlen(reply), NULL, res,
				    &err), 0);
	tok_free(tk);
}

/*
 * Wording that no list holds is flagged by the fixture's model, with the
 * rule of its label, a warning, the words that weighed most, and the
 * sentence that holds them as the span; ok wording is not.
 */
static void test_learned(void **state)
{
	struct fixture *fx = *state;
	struct tone_rules *r = load_fixture(fx->learn, NULL);
	struct tone_result res;

	assert_int_equal(tone_rules_examples(r, "en"), 24);
	assert_int_equal(tone_rules_examples(r, "ru"), 16);
	assert_int_equal(tone_rules_examples(r, "de"), 0);

	/* one sentence: the span is the whole reply */
	check_with(r, "Maybe read the label next time.", &res);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "blame");
	assert_int_equal(res.f[0].severity, TONE_WARNING);
	assert_int_equal(res.f[0].start, 0);
	assert_int_equal(res.f[0].end, 31);
	assert_int_equal(res.score, 90);
	assert_non_null(strstr(res.f[0].message, "reads as blaming the customer "
			       "(learned from examples: '"));
	assert_non_null(strstr(res.f[0].message, "'label'"));
	assert_non_null(strstr(res.f[0].suggestion, "own the problem"));

	/* two sentences: the one with the evidence, in code points */
	check_with(r, "Привет! Читайте этикетку внимательнее.", &res);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "blame");
	assert_int_equal(res.f[0].start, 8);
	assert_int_equal(res.f[0].end, 38);
	assert_non_null(strstr(res.f[0].message, "'этикетку'"));
	assert_non_null(strstr(res.f[0].suggestion, "мы разберёмся"));

	check_with(r, "Thanks for waiting. Oh no, what a tragedy.", &res);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "dismissive");
	assert_int_equal(res.f[0].start, 20);
	assert_int_equal(res.f[0].end, 42);

	/* near misses: the same topics said well */
	check_with(r, "Thanks for telling us, the label should have been "
		   "clearer and we are fixing it.", &res);
	assert_int_equal(res.n, 0);
	check_with(r, "Спасибо, что написали, мы уже проверяем заказ.", &res);
	assert_int_equal(res.n, 0);
	tone_rules_free(r);
}

/* When a list already found the rule, the model adds nothing. */
static void test_learned_defers(void **state)
{
	struct fixture *fx = *state;
	struct tone_rules *r = load_fixture(fx->learn, NULL);
	struct tone_result res;

	check_with(r, "Your fault, read the label next time.", &res);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.f[0].rule, "blame");
	assert_int_equal(res.f[0].severity, TONE_ERROR);
	assert_null(strstr(res.f[0].message, "learned"));
	tone_rules_free(r);
}

/* Copy src to dst (a small text file). */
static void copy_file(const char *src, const char *dst)
{
	char buf[4096];
	size_t n;
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* The fixture's lists without its replies.tsv: the layer is off. */
static void test_learned_missing(void **state)
{
	struct fixture *fx = *state;
	struct tone_rules *r;
	struct tone_result res;
	char dir[] = "/tmp/test_tone.XXXXXX", src[512], path[512];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/en", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(src, sizeof(src), "%s/en/blame.txt", fx->learn);
	snprintf(path, sizeof(path), "%s/en/blame.txt", dir);
	copy_file(src, path);

	r = load_fixture(dir, NULL);
	assert_int_equal(tone_rules_examples(r, "en"), 0);
	assert_int_equal(tone_rules_examples(r, "ru"), 0);
	check_with(r, "Maybe read the label next time.", &res);
	assert_int_equal(res.n, 0);
	check_with(r, "Your fault.", &res);          /* the list still works */
	assert_int_equal(res.n, 1);
	tone_rules_free(r);

	/* a replies.tsv of comments only: off as well, not an error */
	snprintf(path, sizeof(path), "%s/en/replies.tsv", dir);
	write_file(dir, "replies.tsv", "# nothing yet\n\n");
	r = load_fixture(dir, NULL);
	assert_int_equal(tone_rules_examples(r, "en"), 0);
	tone_rules_free(r);
	remove(path);

	snprintf(path, sizeof(path), "%s/en/blame.txt", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/en", dir);
	rmdir(path);
	rmdir(dir);
}

/* learned = 0 (the lists alone) and a threshold above every posterior. */
static void test_learned_off(void **state)
{
	struct fixture *fx = *state;
	struct tone_params p;
	struct tone_rules *r;
	struct tone_result res;
	struct cd_error err;

	tone_params_default(&p);
	p.learned = 0;
	r = load_fixture(fx->learn, &p);
	assert_int_equal(tone_rules_examples(r, "en"), 0);
	check_with(r, "Maybe read the label next time.", &res);
	assert_int_equal(res.n, 0);
	tone_rules_free(r);

	tone_params_default(&p);
	p.threshold = 1;
	r = load_fixture(fx->learn, &p);
	assert_int_equal(tone_rules_examples(r, "en"), 24);
	check_with(r, "Maybe read the label next time.", &res);
	assert_int_equal(res.n, 0);
	tone_rules_free(r);

	tone_params_default(&p);
	p.alpha = 0;
	assert_null(tone_rules_load_params(fx->learn, &p, &err));
	assert_non_null(strstr(err.msg, "alpha"));
	p.alpha = 0.5;
	p.threshold = 1.5;
	assert_null(tone_rules_load_params(fx->learn, &p, &err));
	assert_non_null(strstr(err.msg, "threshold"));
}

/* A bad replies.tsv line fails the load, naming the file and the line. */
static void test_learned_load_errors(void **state)
{
	static const struct {
		const char *text, *what;
		long line;
	} bad[] = {
		{ "ok\tThanks.\nrude\tGo away.\n", "unknown label 'rude'", 2 },
		{ "# c\nok Thanks, we are on it.\n", "no tab", 2 },
		{ "ok\tThanks.\nblame\t\n", "no words", 2 },
		{ "ok\tThanks.\nblame\t...\n", "no words", 2 },
		{ "ok\tThanks.\n\nblame\tbad \xff\n", "invalid utf-8", 3 },
		{ "ok\tThanks.\nok\ta\0b\n", "NUL byte", 2 },
		{ "ok\tThanks.\nok\tFine.\n", "needs examples", 0 },
		{ "blame\tYour fault.\n", "needs examples", 0 },
	};
	struct cd_error err;
	struct tone_rules *r;
	char dir[] = "/tmp/test_tone.XXXXXX", path[512];
	char *longline;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "blame.txt", "your fault\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/en/replies.tsv", dir);
		fp = fopen(path, "w");
		assert_non_null(fp);
		/* the text may hold a NUL: write up to its last newline */
		if (strstr(bad[i].what, "NUL"))
			fwrite(bad[i].text, 1, 18, fp);
		else
			fputs(bad[i].text, fp);
		fclose(fp);
		r = tone_rules_load(dir, &err);
		if (r || !strstr(err.msg, bad[i].what) || err.line != bad[i].line)
			fprintf(stderr, "case %zu: %s (line %ld)\n", i,
				r ? "loaded" : err.msg, err.line);
		assert_null(r);
		assert_non_null(strstr(err.msg, bad[i].what));
		assert_non_null(strstr(err.msg, "replies.tsv'"));
		assert_int_equal(err.line, bad[i].line);
		if (bad[i].line) {
			snprintf(path, sizeof(path), "replies.tsv': line %ld:",
				 bad[i].line);
			assert_non_null(strstr(err.msg, path));
		}
	}

	/* a line over TONE_MAX_EXAMPLE bytes */
	longline = malloc(TONE_MAX_EXAMPLE + 64);
	assert_non_null(longline);
	strcpy(longline, "ok\tThanks.\nok\t");
	i = strlen(longline);
	memset(longline + i, 'a', TONE_MAX_EXAMPLE);
	strcpy(longline + i + TONE_MAX_EXAMPLE, "\nblame\tYour fault.\n");
	write_file(dir, "replies.tsv", longline);
	free(longline);
	r = tone_rules_load(dir, &err);
	assert_null(r);
	assert_non_null(strstr(err.msg, "replies.tsv': line 2: longer than"));
	assert_int_equal(err.line, 2);

	snprintf(path, sizeof(path), "%s/en/replies.tsv", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/en/blame.txt", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/en", dir);
	rmdir(path);
	rmdir(dir);
}

/*
 * core/tone.h promises the same findings with a tokenizer that makes word
 * pairs and one that does not.  These replies broke it (issue 20: fuzz_tone
 * found the first; tests/diff/tone_dump over mutated example replies the
 * others): the tokenizer paired words across '#' where the learned layer's
 * own pairing did not.  The words-only result is what `candor tone` shows.
 */
static void test_tokenizers_agree(void **state)
{
	static const struct {
		const char *reply, *lang, *category, *rule;
		size_t n;
	} cases[] = {
		{ "time#Mayb u", "en", "toxic", "dismissive", 1 },
		{ "We don't;argue#with,morons.", "en", "complaint", NULL, 3 },
		{ "\xd0\xa6\xd0\x95\xd0\x9d\xd0\xab#\xd0\xa0\xd0\x90\xd0\xa1"
		  "\xd0\xa2\xd0\xa3\xd0\xa2=\xd0\x92\xd0\x95\xd0\x97\xd0\x94"
		  "\xd0\x95, \xd0\xa1\xd0\x9c\xd0\x98\xd0\xa0\xd0\x98\xd0\xa2"
		  "\xd0\x95\xd0\xa1\xd0\xac.", "en", "question", NULL, 1 },
	};
	struct fixture *fx = *state;
	struct tokenizer *words;
	struct tok_params tp;
	struct cd_error err;
	size_t i, k;

	tok_params_words(&tp);
	words = tok_new(&tp, &err);
	assert_non_null(words);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tone_result a, b;
		struct tone_ctx ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.lang = cases[i].lang;
		ctx.category = cases[i].category;
		assert_int_equal(tone_check(fx->r, words, cases[i].reply,
					    strlen(cases[i].reply), &ctx, &a,
					    &err), 0);
		assert_int_equal(tone_check(fx->r, fx->tk, cases[i].reply,
					    strlen(cases[i].reply), &ctx, &b,
					    &err), 0);
		assert_int_equal(a.n, cases[i].n);
		assert_int_equal(b.n, a.n);
		assert_int_equal(b.score, a.score);
		for (k = 0; k < a.n; k++) {
			assert_string_equal(b.f[k].rule, a.f[k].rule);
			assert_string_equal(b.f[k].message, a.f[k].message);
			assert_int_equal(b.f[k].start, a.f[k].start);
			assert_int_equal(b.f[k].end, a.f[k].end);
		}
		if (cases[i].rule)
			assert_string_equal(a.f[0].rule, cases[i].rule);
	}
	tok_free(words);
}

/* Every field of two results, messages included. */
static void assert_same_result(const struct tone_result *a,
			       const struct tone_result *b)
{
	size_t i;

	assert_int_equal(a->score, b->score);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->dropped, b->dropped);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->f[i].rule, b->f[i].rule);
		assert_int_equal(a->f[i].severity, b->f[i].severity);
		assert_string_equal(a->f[i].message, b->f[i].message);
		assert_string_equal(a->f[i].suggestion, b->f[i].suggestion);
		assert_int_equal(a->f[i].start, b->f[i].start);
		assert_int_equal(a->f[i].end, b->f[i].end);
	}
}

/*
 * The memo (tone.h, struct tone_memo) gives what a full check gives, for
 * replies seen before with comments that do and do not share words with
 * them (echo of an insult, echo of a claim), in each category, against
 * a check that always matches the comment; and it is used: a reply
 * answered from it leaves the tokenizer as it was.
 */
static void test_memo(void **state)
{
	struct fixture *fx = *state;
	static const char *const replies[] = {
		"We are sorry, this is YOUR fault!!! Call {{phone}} now.",
		"Thanks for telling us. Our juice contains no added sugar at all: "
		"https://sunny.example/facts",
		"We are not idiots, and we will fix your order today.",
		"Спасибо, что написали! Мы проверим заказ сегодня.",
		"ok",
	};
	static const char *const comments[] = {
		"where is my order",
		"your juice contains no added sugar at all is a lie",
		"you are idiots",
		"вы идиоты, где мой заказ",
		"FizzCo is better",
	};
	static const char *const cats[] = { NULL, "complaint", "fake_news",
					    "toxic" };
	struct tone_memo *memo = tone_memo_new();
	struct tone_result want, got;
	struct tone_ctx ctx;
	struct cd_error err;
	size_t r, c, k, i, round, hits = 0, echoes = 0, marker;

	assert_non_null(memo);
	for (round = 0; round < 2; round++)
	for (r = 0; r < sizeof(replies) / sizeof(replies[0]); r++)
	for (c = 0; c <= sizeof(comments) / sizeof(comments[0]); c++)
	for (k = 0; k < sizeof(cats) / sizeof(cats[0]); k++) {
		const char *rp = replies[r];
		const char *cm = c < 5 ? comments[c] : NULL;

		memset(&ctx, 0, sizeof(ctx));
		ctx.category = cats[k];
		ctx.comment = cm;
		/* the comment always matched: tone_may_echo() not asked */
		assert_int_equal(tone_check(fx->r, fx->tk, rp, strlen(rp), &ctx,
					    &want, &err), 0);
		if (cm) {
			assert_int_equal(tok_run(fx->ctk, cm, strlen(cm), &err), 0);
			ctx.comment_tokens = fx->ctk;
		}
		ctx.memo = memo;
		assert_int_equal(tok_run(fx->tk, "zz yy xx", 8, &err), 0);
		marker = tok_count(fx->tk);
		assert_int_equal(tone_check(fx->r, fx->tk, rp, strlen(rp), &ctx,
					    &got, &err), 0);
		assert_same_result(&want, &got);
		/* the tokenizer still holds "zz yy xx": the memo answered */
		hits += tok_count(fx->tk) == marker;
		for (i = 0; i < want.n; i++)
			echoes += !strcmp(want.f[i].rule, "echo");
	}
	/* echo found something (so the memo's test of it was tried) */
	assert_true(echoes >= 4);
	/*
	 * Of the 240 checks, the first of each reply, category and with or
	 * without a comment (40) and those where echo may find something
	 * (an insult word and a word of it shared, a claim's content word)
	 * run in full; the rest come from the memo.
	 */
	assert_true(hits >= 160);
	tone_memo_free(memo);
}

/*
 * TONE_RULES, one row per rule: each name is known and unique, each rule
 * has a message (enum why), and the row's severity is the worst of them.
 */
static void test_rule_table(void **state)
{
	size_t r, w, k;

	(void)state;
	for (r = 0; r < R_COUNT; r++) {
		enum tone_severity worst = TONE_INFO;
		int any = 0;

		assert_true(tone_rule_known(tone_rule_name[r]));
		for (k = 0; k < r; k++)
			assert_string_not_equal(tone_rule_name[k], tone_rule_name[r]);
		for (w = 0; w < W_COUNT; w++) {
			if (tone_why_tab[w].rule != r)
				continue;
			any = 1;
			if (tone_why_tab[w].sev > worst)
				worst = (enum tone_severity)tone_why_tab[w].sev;
		}
		assert_true(any);
		assert_int_equal(worst, tone_rule_severity[r]);
	}
}

int main(int argc, char **argv)
{
	struct fixture fx = { NULL, NULL, NULL, NULL, NULL, NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test_prestate_setup_teardown(test_cases, setup,
							 teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_score, setup,
							 teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_sorted_and_severity,
							 setup, teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_cap, setup,
							 teardown, &fx),
		cmocka_unit_test(test_json),
		cmocka_unit_test_prestate_setup_teardown(test_json_limit, setup,
							 teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_code_points, setup,
							 teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_bad_input, setup,
							 teardown, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_rules_competitors,
							 setup, teardown, &fx),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test_prestate(test_learned, &fx),
		cmocka_unit_test_prestate_setup_teardown(test_tokenizers_agree,
							 setup, teardown, &fx),
		cmocka_unit_test_prestate(test_learned_defers, &fx),
		cmocka_unit_test_prestate(test_learned_missing, &fx),
		cmocka_unit_test_prestate(test_learned_off, &fx),
		cmocka_unit_test(test_learned_load_errors),
		cmocka_unit_test_prestate_setup_teardown(test_memo, setup,
							 teardown, &fx),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: test_tone CONFIG_TONE_DIR CASES_FILE "
			"LEARN_DIR\n");
		return 2;
	}
	fx.dir = argv[1];
	fx.cases = argv[2];
	fx.learn = argv[3];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

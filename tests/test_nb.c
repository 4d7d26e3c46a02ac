/*
 * test_nb.c - naive Bayes arithmetic against hand-computed values, the
 * calibration, and the model file: round trip, update, merge equality and
 * every kind of corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_file.h"
#include "nb.h"
#include "tokenize.h"

/* cmocka's assert_float_equal works in float; we need double precision. */
#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

struct doc {
	const char *label, *text;
};

static struct nb_model *train(const struct nb_params *p, const struct doc *d,
			      size_t n)
{
	struct tok_params tp;
	struct tokenizer *tk;
	struct nb_model *m = nb_new(p, NULL);
	size_t i;

	assert_non_null(m);
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, NULL);
	assert_non_null(tk);
	for (i = 0; i < n; i++) {
		int l = nb_label_index(m, d[i].label, 1, NULL);

		assert_true(l >= 0);
		assert_int_equal(tok_run(tk, d[i].text, strlen(d[i].text), NULL), 0);
		assert_int_equal(nb_learn(m, l, tk, NULL), 0);
		assert_int_equal(nb_calib_add(m, l, tk, NULL), 0);
	}
	tok_free(tk);
	assert_int_equal(nb_finalize(m, NULL), 0);
	return m;
}

static void plain_params(struct nb_params *p)
{
	nb_params_default(p);
	p->alpha = 1.0;
	p->bigrams = 0;
	p->stem = 0;
	p->temperature = 1.0;
}

static const struct doc tiny[] = {
	{ "a", "good good" }, { "a", "good" }, { "b", "bad" },
};

static void classify(const struct nb_model *m, const char *text, double *raw,
		     double *prob)
{
	struct tok_params tp;
	struct tokenizer *tk;

	nb_tok_params(m, &tp);
	tk = tok_new(&tp, NULL);
	assert_int_equal(tok_run(tk, text, strlen(text), NULL), 0);
	nb_classify(m, tk, raw, prob);
	tok_free(tk);
}

/*
 * Multinomial, binary counts, alpha 1: good is counted once per document,
 * so N(good|a) = 2, N(a) = 2, N(bad|b) = 1, N(b) = 1, |V| = 2.
 *   score(a) = log(2/3) + log((2+1)/(2+2))
 *   score(b) = log(1/3) + log((0+1)/(1+2))
 * (the priors carry a 1e-3 pseudo-count: log((2+1e-3)/(3+2e-3)) ...)
 */
static void test_multinomial_by_hand(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	double raw[2], prob[2], ea, eb;

	(void)state;
	plain_params(&p);
	m = train(&p, tiny, 3);
	assert_int_equal(nb_nlabels(m), 2);
	assert_string_equal(nb_label(m, 0), "a");
	assert_int_equal(nb_vocab_size(m), 2);
	classify(m, "good", raw, prob);
	ea = log(2.001 / 3.002) + log(3.0 / 4.0);
	eb = log(1.001 / 3.002) + log(1.0 / 3.0);
	assert_near(raw[0], ea, 1e-6);
	assert_near(raw[1], eb, 1e-6);
	assert_near(prob[0], 1 / (1 + exp(eb - ea)), 1e-6);
	assert_near(prob[0] + prob[1], 1.0, 1e-12);
	/* an unknown word changes nothing but the prior */
	classify(m, "zzz", raw, prob);
	assert_near(raw[0], log(2.001 / 3.002), 1e-6);
	nb_free(m);
}

/*
 * Complement NB (Rennie et al. eq. 6, no normalisation):
 *   w(good, a) = -log((N~(good|a) + 1) / (N~(a) + |V|)) = -log((0+1)/(1+2))
 *   w(good, b) = -log((2+1)/(2+2))
 */
static void test_complement_by_hand(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	double raw[2];

	(void)state;
	plain_params(&p);
	p.complement = 1;
	m = train(&p, tiny, 3);
	classify(m, "good", raw, NULL);
	assert_near(raw[0], -log(1.0 / 3.0), 1e-6);
	assert_near(raw[1], -log(3.0 / 4.0), 1e-6);
	classify(m, "bad bad", raw, NULL);      /* binary: counted once */
	assert_near(raw[0], -log(2.0 / 3.0), 1e-6);
	assert_near(raw[1], -log(1.0 / 4.0), 1e-6);
	nb_free(m);
}

/* With --counts a repeated word counts twice, in training and scoring. */
static void test_counts_mode(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	double raw[2];

	(void)state;
	plain_params(&p);
	p.binary = 0;
	m = train(&p, tiny, 3);
	/* N(good|a) = 3, N(a) = 3 */
	classify(m, "good good", raw, NULL);
	assert_near(raw[0], log(2.001 / 3.002) + 2 * log(4.0 / 5.0), 1e-6);
	nb_free(m);
}

static const struct doc corpus[] = {
	{ "complaint", "my order is late again and nobody answers" },
	{ "complaint", "still waiting for my refund after three weeks" },
	{ "complaint", "the app crashes every time I open it" },
	{ "complaint", "package arrived broken and support ignores me" },
	{ "complaint", "charged twice for one order, fix it" },
	{ "question", "do you ship to canada?" },
	{ "question", "is the juice safe for kids?" },
	{ "question", "when will the app be fixed?" },
	{ "question", "how do I get a refund?" },
	{ "question", "what time does support open?" },
	{ "spam", "follow me for free followers" },
	{ "spam", "check my profile for crypto giveaway" },
	{ "spam", "earn 500 a day from home dm me" },
	{ "spam", "free iphone at bit.ly/win" },
	{ "spam", "sub4sub follow back" },
};

/*
 * With enough documents the temperature is fitted (finite, positive, not
 * the default); with fewer than NB_CALIB_MIN it stays at the default.
 */
static void test_calibration(void **state)
{
	struct doc many[45];
	struct nb_params p;
	struct nb_model *m;
	size_t i;

	(void)state;
	for (i = 0; i < 45; i++)
		many[i] = corpus[i % 15];
	nb_params_default(&p);
	m = train(&p, many, 45);
	assert_true(nb_temperature(m) > 0.05 && nb_temperature(m) < 500);
	assert_true(fabs(nb_temperature(m) - 1.0) > 1e-3);
	nb_free(m);
	m = train(&p, corpus, 15);
	assert_near(nb_temperature(m), 1.0, 1e-12);
	nb_free(m);
}

/* The pull of a token is its log-odds for the label against the rest. */
static void test_explain(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	struct tok_params tp;
	struct tokenizer *tk;
	struct nb_contrib c[8];
	size_t n;
	int best;

	(void)state;
	nb_params_default(&p);
	m = train(&p, corpus, sizeof(corpus) / sizeof(corpus[0]));
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, NULL);
	assert_int_equal(tok_run(tk, "free crypto followers", 21, NULL), 0);
	best = nb_classify(m, tk, NULL, NULL);
	assert_string_equal(nb_label(m, (size_t)best), "spam");
	n = nb_explain(m, tk, best, 1, c, 8);
	assert_true(n >= 3);
	assert_true(c[0].weight >= c[1].weight && c[1].weight > 0);
	tok_free(tk);
	nb_free(m);
}

/* ---- model file --------------------------------------------------------- */

static char *tmp_path(const char *tag)
{
	static char paths[8][64];
	static int next;
	char *p = paths[next++ % 8];
	int fd;

	snprintf(p, 64, "/tmp/candor-test-%s-XXXXXX", tag);
	fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b = malloc((size_t)n + 1);
	assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, len, fp), len);
	fclose(fp);
}

static void test_round_trip(void **state)
{
	struct nb_params p;
	struct nb_model *m, *back;
	const char *path = tmp_path("rt"), *path2 = tmp_path("rt2");
	unsigned char *a, *b;
	size_t la, lb;
	double r1[8], r2[8];

	(void)state;
	nb_params_default(&p);
	m = train(&p, corpus, sizeof(corpus) / sizeof(corpus[0]));
	assert_int_equal(model_save(m, path, NULL), 0);
	back = model_load(path, NULL);
	assert_non_null(back);
	assert_int_equal(nb_vocab_size(back), nb_vocab_size(m));
	assert_int_equal(nb_total_docs(back), 15);
	assert_near(nb_temperature(back), nb_temperature(m), 1e-12);
	classify(m, "refund is late", r1, NULL);
	classify(back, "refund is late", r2, NULL);
	assert_memory_equal(r1, r2, 3 * sizeof(double));
	assert_int_equal(model_save(back, path2, NULL), 0);
	a = slurp(path, &la);
	b = slurp(path2, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
	nb_free(m);
	nb_free(back);
	unlink(path);
	unlink(path2);
}

/* Train on A, update with B == train on A+B; merge(A, B) == train on A+B. */
static void test_update_and_merge_equal_union(void **state)
{
	struct nb_params p;
	struct nb_model *a, *b, *u, *upd;
	struct tok_params tp;
	struct tokenizer *tk;
	const char *pa = tmp_path("ma"), *pu = tmp_path("mu"),
		   *pm = tmp_path("mm"), *pd = tmp_path("md");
	unsigned char *x, *y;
	size_t lx, ly, i;

	(void)state;
	nb_params_default(&p);
	p.temperature = 2.5;    /* fixed, so the whole file must match */
	a = train(&p, corpus, 8);
	b = train(&p, corpus + 8, 7);
	u = train(&p, corpus, 15);
	assert_int_equal(model_save(u, pu, NULL), 0);

	assert_int_equal(nb_merge(a, b, NULL), 0);
	assert_int_equal(nb_finalize(a, NULL), 0);
	assert_int_equal(model_save(a, pm, NULL), 0);
	x = slurp(pu, &lx);
	y = slurp(pm, &ly);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	free(y);

	/* update: load the A model from disk and learn B's documents */
	nb_free(a);
	a = train(&p, corpus, 8);
	assert_int_equal(model_save(a, pa, NULL), 0);
	upd = model_load(pa, NULL);
	assert_non_null(upd);
	nb_tok_params(upd, &tp);
	tk = tok_new(&tp, NULL);
	for (i = 8; i < 15; i++) {
		int l = nb_label_index(upd, corpus[i].label, 1, NULL);

		tok_run(tk, corpus[i].text, strlen(corpus[i].text), NULL);
		assert_int_equal(nb_learn(upd, l, tk, NULL), 0);
	}
	assert_int_equal(nb_finalize(upd, NULL), 0);
	assert_int_equal(model_save(upd, pd, NULL), 0);
	y = slurp(pd, &ly);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	free(x);
	free(y);
	tok_free(tk);
	nb_free(a);
	nb_free(b);
	nb_free(u);
	nb_free(upd);
	unlink(pa);
	unlink(pu);
	unlink(pm);
	unlink(pd);
}

static void test_merge_refuses_other_params(void **state)
{
	struct nb_params p, q;
	struct nb_model *a, *b;
	struct cd_error err;

	(void)state;
	nb_params_default(&p);
	q = p;
	q.complement = 1;
	a = train(&p, corpus, 5);
	b = train(&q, corpus, 5);
	assert_int_equal(nb_merge(a, b, &err), CD_ERR_DATA);
	assert_non_null(strstr(err.msg, "different parameters"));
	nb_free(b);
	q = p;
	q.norm = 1;
	b = train(&q, corpus, 5);
	assert_int_equal(nb_merge(a, b, &err), CD_ERR_DATA);
	nb_free(a);
	nb_free(b);
}

/*
 * --idf: counts scaled by idf = log((1 + D) / (1 + docs with f)) + 1, the
 * comment's features too (tiny: D = 3, good in 2, bad in 1).
 */
static void test_idf_by_hand(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	double raw[2], sg = log(4.0 / 3.0) + 1, sb = log(2.0) + 1;

	(void)state;
	plain_params(&p);
	p.idf = 1;
	m = train(&p, tiny, 3);
	classify(m, "good", raw, NULL);
	assert_near(raw[0], log(2.001 / 3.002) +
		    sg * log((sg * 2 + 1) / (sg * 2 + 2)), 1e-6);
	assert_near(raw[1], log(1.001 / 3.002) + sg * log(1 / (sb + 2)), 1e-6);
	nb_free(m);
	/* complement */
	p.complement = 1;
	m = train(&p, tiny, 3);
	classify(m, "bad", raw, NULL);
	assert_near(raw[0], -sb * log((sb + 1) / (sb + 2)), 1e-6);
	assert_near(raw[1], -sb * log(1 / (2 * sg + 2)), 1e-6);
	nb_free(m);
}

/*
 * --norm: each label's weights divided by the mean of their magnitudes
 * over the vocabulary (Rennie et al. 2003, 3.2); no prior.  Complement
 * weights of tiny (test_complement_by_hand): a: good log 3, bad log 1.5;
 * b: good log 4/3, bad log 4.
 */
static void test_norm_by_hand(void **state)
{
	struct nb_params p;
	struct nb_model *m, *back;
	/* room for the corpus model's labels below, not only the two here */
	double raw[NB_MAX_LABELS], r2[NB_MAX_LABELS],
	       za = (log(3.0) + log(1.5)) / 2,
	       zb = (log(4.0 / 3.0) + log(4.0)) / 2;
	const char *path = tmp_path("norm");

	(void)state;
	plain_params(&p);
	p.complement = 1;
	p.norm = 1;
	m = train(&p, tiny, 3);
	classify(m, "good", raw, NULL);
	assert_near(raw[0], log(3.0) / za, 1e-6);
	assert_near(raw[1], log(4.0 / 3.0) / zb, 1e-6);
	/* multinomial: no prior once normalised */
	nb_free(m);
	p.complement = 0;
	m = train(&p, tiny, 3);
	classify(m, "zzz", raw, NULL);
	assert_near(raw[0], 0, 1e-12);
	assert_near(raw[1], 0, 1e-12);
	nb_free(m);
	/* the flags survive the file; the fitted temperature is sane */
	nb_params_default(&p);
	p.idf = 1;
	p.norm = 1;
	p.complement = 1;
	m = train(&p, corpus, sizeof(corpus) / sizeof(corpus[0]));
	assert_true(nb_temperature(m) > 0.05 && nb_temperature(m) < 500);
	assert_int_equal(model_save(m, path, NULL), 0);
	back = model_load(path, NULL);
	assert_non_null(back);
	assert_true(nb_params(back)->idf && nb_params(back)->norm &&
		    nb_params(back)->complement && nb_params(back)->extras);
	classify(m, "refund is late", raw, NULL);
	classify(back, "refund is late", r2, NULL);
	assert_memory_equal(raw, r2, nb_nlabels(m) * sizeof(raw[0]));
	nb_free(m);
	nb_free(back);
	unlink(path);
}

/* Load a damaged copy and check the message names the damage. */
static void expect_refused(const unsigned char *buf, size_t len,
			   const char *needle)
{
	const char *path = tmp_path("bad");
	struct cd_error err;
	struct nb_model *m;

	spit(path, buf, len);
	cd_error_clear(&err);
	m = model_load(path, &err);
	if (m || !strstr(err.msg, needle))
		fail_msg("want an error containing '%s', got '%s'", needle,
			 m ? "(loaded)" : err.msg);
	assert_non_null(strstr(err.msg, path));
	unlink(path);
}

static void test_corruption_refused(void **state)
{
	struct nb_params p;
	struct nb_model *m;
	const char *path = tmp_path("good");
	unsigned char *b, *c;
	size_t len;

	(void)state;
	nb_params_default(&p);
	m = train(&p, corpus, 15);
	assert_int_equal(model_save(m, path, NULL), 0);
	nb_free(m);
	b = slurp(path, &len);
	c = malloc(len + 8);

	/* empty, cut inside the magic, short and not a model at all */
	expect_refused(b, 0, "is empty: not a candor model (the file has 0 bytes)");
	expect_refused(b, 3, "is truncated: 3 bytes, the header alone needs 56");
	expect_refused((const unsigned char *)"abc", 3,
		       "is not a candor model: 3 bytes, shorter than the 56-byte header");
	expect_refused((const unsigned char *)"not a model", 11, "bad magic");
	/* truncated: header only, and one byte short */
	expect_refused(b, 30, "truncated");
	expect_refused(b, len - 1, "truncated");
	/* trailing garbage */
	memcpy(c, b, len);
	memcpy(c + len, "junk", 4);
	expect_refused(c, len + 4, "trailing");
	/* one flipped bit in the payload, and one in the header */
	memcpy(c, b, len);
	c[len / 2] ^= 0x10;
	expect_refused(c, len, "checksum");
	memcpy(c, b, len);
	c[40] ^= 0x01;                  /* temperature */
	expect_refused(c, len, "checksum");
	/* foreign file and newer version */
	{
		static const char zip[] = "PK\x03\x04 a zip file";

		expect_refused((const unsigned char *)zip, sizeof(zip) - 1,
			       "not a candor model");
	}
	expect_refused((const unsigned char *)"", 0, "not a candor model");
	memcpy(c, b, len);
	c[8] = 3;
	expect_refused(c, len, "version 3");
	free(b);
	free(c);
	unlink(path);
}

static void put32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/*
 * The journals a model learned survive a save and a merge; a version 1
 * file (no journal section) is still read, and remembers none.
 */
static void test_journal_marks(void **state)
{
	struct nb_params p;
	struct nb_model *m, *back, *o;
	struct cd_error err;
	const char *path = tmp_path("marks"), *p1 = tmp_path("v1");
	unsigned char *b;
	size_t len;
	uint32_t crc;

	(void)state;
	nb_params_default(&p);
	m = train(&p, corpus, 15);
	assert_int_equal(nb_journal_applied(m, 42), 0);
	assert_int_equal(nb_journal_mark(m, 42, 7, &err), 0);
	assert_int_equal(nb_journal_mark(m, 42, 5, &err), 0);  /* never back */
	assert_int_equal(nb_journal_applied(m, 42), 7);
	assert_int_equal(model_save(m, path, NULL), 0);
	back = model_load(path, &err);
	assert_non_null(back);
	assert_int_equal(nb_journal_count(back), 1);
	assert_int_equal(nb_journal_applied(back, 42), 7);
	o = train(&p, corpus, 15);
	assert_int_equal(nb_journal_mark(o, 9, 3, &err), 0);
	assert_int_equal(nb_merge(o, back, &err), 0);
	assert_int_equal(nb_journal_applied(o, 42), 7);
	assert_int_equal(nb_journal_applied(o, 9), 3);

	/* the same model as a version 1 file: no journal section */
	nb_free(back);
	nb_free(o);
	{
		struct nb_model *plain = train(&p, corpus, 15);

		assert_int_equal(model_save(plain, path, NULL), 0);
		nb_free(plain);
	}
	b = slurp(path, &len);
	assert_true(len > 60);
	len -= 4;                       /* the u32 count of journals, 0 */
	put32le(b + 8, 1);
	put32le(b + 24, (uint32_t)(len - 56));
	crc = model_crc32(0, b, 48);
	crc = model_crc32(crc, b + 56, len - 56);
	put32le(b + 48, crc);
	spit(p1, b, len);
	back = model_load(p1, &err);
	if (!back)
		fail_msg("version 1 refused: %s", err.msg);
	assert_int_equal(nb_journal_count(back), 0);
	assert_int_equal(nb_vocab_size(back), nb_vocab_size(m));
	nb_free(back);
	nb_free(m);
	free(b);
	unlink(path);
	unlink(p1);
}

static void test_missing_file(void **state)
{
	struct cd_error err;

	(void)state;
	assert_null(model_load("/nonexistent/candor.model", &err));
	assert_non_null(strstr(err.msg, "cannot open '/nonexistent/candor.model'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multinomial_by_hand),
		cmocka_unit_test(test_complement_by_hand),
		cmocka_unit_test(test_counts_mode),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_update_and_merge_equal_union),
		cmocka_unit_test(test_merge_refuses_other_params),
		cmocka_unit_test(test_corruption_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_idf_by_hand),
		cmocka_unit_test(test_norm_by_hand),
		cmocka_unit_test(test_journal_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

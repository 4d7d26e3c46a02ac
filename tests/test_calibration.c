/*
 * test_calibration.c - the calibrated probabilities checked by computation
 * independent of core/nb.c, on held-out folds of the shipped corpus.
 *
 * The corpus is split into 5 folds (document i goes to fold i mod 5); for
 * each fold a model is trained on the other four with the default options
 * (temperature fitted by nb_finalize) and every held-out document is
 * scored.  From the raw scores alone the test then computes:
 *   - softmax(raw / T) for the model's T, which must be the probabilities
 *     nb_classify returned (so the temperature is really applied);
 *   - the held-out log loss on a fine grid of temperatures (1,000 points,
 *     log-spaced from 0.05 to 500): the fitted T, which the model chose on
 *     leave-one-out training scores without seeing the fold, must come
 *     within LOSS_SLACK of the grid's minimum, and within a factor
 *     T_FACTOR of the minimising temperature;
 *   - the expected calibration error (10 equal-width bins of the top
 *     probability; Guo et al. 2017, eq. 3) on the held-out documents,
 *     which must stay below ECE_BOUND.
 * argv: the corpus CSV files (text,label,...).
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

#include "csvio.h"
#include "nb.h"
#include "tokenize.h"

#define FOLDS 5
#define MAX_DOCS 20000
#define GRID 1000
#define LOSS_SLACK 0.005        /* relative: 0.5% above the grid minimum */
#define T_FACTOR 1.15
#define ECE_BOUND 0.06

struct doc {
	char *text;
	size_t len;
	char label[NB_LABEL_MAX + 1];
};

/* One scored held-out document. */
struct scored {
	double raw[NB_MAX_LABELS], prob[NB_MAX_LABELS];
	size_t K;
	int truth;              /* index of its label in the fold's model */
	double T;               /* the fold model's temperature */
};

static char **files;
static int nfiles;
static struct doc *docs;
static size_t ndocs;
static struct scored *held;
static size_t nheld;
static double temps[FOLDS];

static void load_corpus(void)
{
	int f;

	docs = calloc(MAX_DOCS, sizeof(*docs));
	assert_non_null(docs);
	for (f = 0; f < nfiles; f++) {
		FILE *fp = fopen(files[f], "rb");
		struct cd_error err;
		struct csv_reader *r;
		struct csv_row *row;
		long ti, li;
		int rc;

		assert_non_null(fp);
		r = csvr_new(fp, files[f], NULL, &err);
		assert_non_null(r);
		assert_int_equal(csvr_header(r, &err), 0);
		ti = csvr_column(r, "text");
		li = csvr_column(r, "label");
		assert_true(ti >= 0 && li >= 0);
		while ((rc = csvr_next(r, &row, &err)) != 0) {
			const char *t, *l;
			size_t len;

			if (rc < 0)
				fail_msg("%s", err.msg);
			assert_true(ndocs < MAX_DOCS);
			t = csvr_field(row, (size_t)ti, &len);
			l = csvr_field(row, (size_t)li, NULL);
			docs[ndocs].text = malloc(len + 1);
			assert_non_null(docs[ndocs].text);
			memcpy(docs[ndocs].text, t, len);
			docs[ndocs].text[len] = '\0';
			docs[ndocs].len = len;
			snprintf(docs[ndocs].label, sizeof(docs[ndocs].label), "%s", l);
			ndocs++;
		}
		csvr_free(r);
		fclose(fp);
	}
	assert_true(ndocs >= 1000);
}

/* Train on every fold but `fold`, score the fold into held[]. */
static void run_fold(size_t fold)
{
	struct nb_params p;
	struct nb_model *m;
	struct tok_params tp;
	struct tokenizer *tk;
	size_t i;

	nb_params_default(&p);
	assert_true(p.temperature == 0);        /* the default fits it */
	m = nb_new(&p, NULL);
	assert_non_null(m);
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, NULL);
	assert_non_null(tk);
	for (i = 0; i < ndocs; i++) {
		int l;

		if (i % FOLDS == fold)
			continue;
		l = nb_label_index(m, docs[i].label, 1, NULL);
		assert_true(l >= 0);
		assert_int_equal(tok_run(tk, docs[i].text, docs[i].len, NULL), 0);
		assert_int_equal(nb_learn(m, l, tk, NULL), 0);
		assert_int_equal(nb_calib_add(m, l, tk, NULL), 0);
	}
	assert_int_equal(nb_finalize(m, NULL), 0);
	temps[fold] = nb_temperature(m);
	for (i = fold; i < ndocs; i += FOLDS) {
		struct scored *s = &held[nheld++];

		assert_int_equal(tok_run(tk, docs[i].text, docs[i].len, NULL), 0);
		nb_classify(m, tk, s->raw, s->prob);
		s->K = nb_nlabels(m);
		s->truth = nb_label_find(m, docs[i].label);
		assert_true(s->truth >= 0);
		s->T = temps[fold];
	}
	tok_free(tk);
	nb_free(m);
}

static int setup(void **state)
{
	size_t f;

	(void)state;
	load_corpus();
	held = calloc(ndocs, sizeof(*held));
	assert_non_null(held);
	for (f = 0; f < FOLDS; f++)
		run_fold(f);
	assert_int_equal(nheld, ndocs);
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ndocs; i++)
		free(docs[i].text);
	free(docs);
	free(held);
	return 0;
}

/* softmax(raw / T) into p, written here from the definition. */
static void softmax(const double *raw, size_t K, double T, double *p)
{
	double mx = raw[0], z = 0;
	size_t l;

	for (l = 1; l < K; l++)
		mx = raw[l] > mx ? raw[l] : mx;
	for (l = 0; l < K; l++)
		z += (p[l] = exp((raw[l] - mx) / T));
	for (l = 0; l < K; l++)
		p[l] /= z;
}

/* Mean held-out negative log-likelihood of the documents of one fold at T. */
static double heldout_nll(size_t fold, double T)
{
	double sum = 0, p[NB_MAX_LABELS];
	size_t i, n = 0;

	for (i = fold; i < nheld; i += FOLDS) {
		softmax(held[i].raw, held[i].K, T, p);
		sum += -log(p[held[i].truth] > 1e-300 ? p[held[i].truth] : 1e-300);
		n++;
	}
	return sum / (double)n;
}

/* The probabilities are softmax(raw / T) with the model's own T. */
static void test_probabilities_use_the_temperature(void **state)
{
	double p[NB_MAX_LABELS];
	size_t i, l, far_from_one = 0;

	(void)state;
	for (i = 0; i < nheld; i++) {
		double sum = 0;

		softmax(held[i].raw, held[i].K, held[i].T, p);
		for (l = 0; l < held[i].K; l++) {
			if (fabs(p[l] - held[i].prob[l]) > 1e-9)
				fail_msg("document %zu label %zu: probability %.12g, "
					 "softmax(raw/%g) gives %.12g", i, l,
					 held[i].prob[l], held[i].T, p[l]);
			sum += held[i].prob[l];
		}
		assert_true(fabs(sum - 1) < 1e-9);
	}
	/* and T is not 1, so the check above can tell with from without */
	for (i = 0; i < FOLDS; i++)
		far_from_one += fabs(temps[i] - 1.0) > 0.05;
	assert_int_equal(far_from_one, FOLDS);
}

/* The fitted T is (near) the held-out log loss's minimiser on a fine grid. */
static void test_temperature_minimises_heldout_loss(void **state)
{
	size_t f, g;

	(void)state;
	for (f = 0; f < FOLDS; f++) {
		double best_t = 0, best = INFINITY, at_fit, at_one;

		for (g = 0; g < GRID; g++) {
			double T = exp(log(0.05) + (log(500.0) - log(0.05)) *
				       (double)g / (GRID - 1));
			double v = heldout_nll(f, T);

			if (v < best) {
				best = v;
				best_t = T;
			}
		}
		at_fit = heldout_nll(f, temps[f]);
		at_one = heldout_nll(f, 1.0);
		print_message("fold %zu: fitted T %.4f, grid minimiser %.4f, "
			      "held-out log loss %.4f (grid minimum %.4f, T=1 %.4f)\n",
			      f, temps[f], best_t, at_fit, best, at_one);
		if (at_fit > best * (1 + LOSS_SLACK))
			fail_msg("fold %zu: log loss at the fitted T %.4f is %.5f, "
				 "more than %.0f%% over the grid minimum %.5f at T %.4f",
				 f, temps[f], at_fit, LOSS_SLACK * 100, best, best_t);
		if (temps[f] > best_t * T_FACTOR || temps[f] < best_t / T_FACTOR)
			fail_msg("fold %zu: fitted T %.4f is not within a factor "
				 "%.1f of the held-out minimiser %.4f", f, temps[f],
				 T_FACTOR, best_t);
	}
}

/* Expected calibration error of the top probability on held-out folds. */
static void test_expected_calibration_error(void **state)
{
	double conf[10] = { 0 }, acc[10] = { 0 }, ece = 0;
	size_t cnt[10] = { 0 }, i, l, b;

	(void)state;
	for (i = 0; i < nheld; i++) {
		size_t top = 0;

		for (l = 1; l < held[i].K; l++)
			if (held[i].prob[l] > held[i].prob[top])
				top = l;
		b = (size_t)(held[i].prob[top] * 10);
		if (b > 9)
			b = 9;
		conf[b] += held[i].prob[top];
		acc[b] += (int)top == held[i].truth;
		cnt[b]++;
	}
	for (b = 0; b < 10; b++)
		if (cnt[b])
			ece += fabs(acc[b] - conf[b]) / (double)nheld;
	print_message("held-out expected calibration error %.4f over %zu "
		      "documents (bound %.2f)\n", ece, nheld, ECE_BOUND);
	assert_true(ece < ECE_BOUND);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probabilities_use_the_temperature),
		cmocka_unit_test(test_temperature_minimises_heldout_loss),
		cmocka_unit_test(test_expected_calibration_error),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_calibration CORPUS.csv...\n");
		return 2;
	}
	files = argv + 1;
	nfiles = argc - 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}

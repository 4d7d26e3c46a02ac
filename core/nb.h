/*
 * nb.h - naive Bayes over token features: counting, scoring, calibration.
 *
 * A model is a table of counts: documents per label and, per feature,
 * occurrences per label.  Training only adds to counts, so two models add
 * up to the model of the union of their data (nb_merge), and a model can
 * keep learning (train --update).  Scoring is either multinomial NB
 * (log prior + sum of log P(feature | label)) or complement NB (Rennie et
 * al. 2003, "Tackling the poor assumptions of naive Bayes text
 * classifiers", eq. 6 without weight normalisation, as scikit-learn's
 * ComplementNB with norm=False), both with additive (Lidstone) smoothing.
 *
 * Raw NB scores are far too confident, so probabilities are
 * softmax(score / T) with a temperature T fitted at training time by
 * minimising the leave-one-out negative log-likelihood of the training
 * documents (Guo et al. 2017, "On calibration of modern neural networks",
 * temperature scaling; leave-one-out is exact and cheap for NB because
 * removing one document only subtracts its own counts).
 *
 * Ownership: nb_new() and model_load() return a model the caller frees with
 * nb_free().  Label strings returned by nb_label() belong to the model.
 * Scoring functions never modify the model, so one model may be shared by
 * several threads once nb_finalize() has run.
 */
#ifndef CANDOR_NB_H
#define CANDOR_NB_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tokenize.h"

#define NB_MAX_LABELS 64
#define NB_LABEL_MAX 63         /* bytes in a label */

struct nb_params {
	double alpha;           /* additive smoothing, > 0 */
	int complement;         /* complement NB instead of multinomial */
	int binary;             /* count a feature once per document */
	double temperature;     /* > 0: fixed; 0: fit at training time */
	int bigrams;            /* tokenizer settings the model was built with */
	int stem;
	int extras;             /* tok_params.extras (masked words, names) */
	int idf;                /* counts scaled by the feature's idf */
	int norm;               /* weights normalised per label (Rennie) */
};

void nb_params_default(struct nb_params *p);

struct nb_model;

struct nb_model *nb_new(const struct nb_params *p, struct cd_error *err);
void nb_free(struct nb_model *m);

const struct nb_params *nb_params(const struct nb_model *m);
/* Tokenizer parameters matching the model. */
void nb_tok_params(const struct nb_model *m, struct tok_params *tp);

size_t nb_nlabels(const struct nb_model *m);
const char *nb_label(const struct nb_model *m, size_t i);
/* Index of label, or -1.  With create, add it if missing (labels stay sorted
 * only after nb_finalize(), which renumbers; look indexes up again then). */
int nb_label_index(struct nb_model *m, const char *label, int create,
		   struct cd_error *err);
/* Index of label, or -1. */
int nb_label_find(const struct nb_model *m, const char *label);
size_t nb_vocab_size(const struct nb_model *m);
uint64_t nb_label_docs(const struct nb_model *m, size_t i);
uint64_t nb_total_docs(const struct nb_model *m);
double nb_temperature(const struct nb_model *m);
/*
 * Fix the temperature, or with 0 have nb_finalize() fit it again (it keeps
 * the current one when fewer than NB_CALIB_MIN documents were added).
 */
void nb_set_temperature(struct nb_model *m, double t);

/* Count the features of the last tok_run() of tk as one document of label. */
int nb_learn(struct nb_model *m, int label, const struct tokenizer *tk,
	     struct cd_error *err);

/*
 * Keep the document for calibration too (call after nb_learn with the same
 * document).  At most NB_CALIB_MAX documents are kept, sampled uniformly and
 * deterministically.
 */
#define NB_CALIB_MAX 20000
#define NB_CALIB_MIN 30     /* fewer: keep the previous temperature */
int nb_calib_add(struct nb_model *m, int label, const struct tokenizer *tk,
		 struct cd_error *err);

/*
 * Sort labels and features, compute the scoring weights and, when the
 * temperature is 0 and calibration documents were added, fit it.  Must run
 * after learning or merging and before scoring or saving.
 */
int nb_finalize(struct nb_model *m, struct cd_error *err);

/*
 * Add other's counts to m (labels are united).  The temperature becomes the
 * document-weighted mean of the two.  Call nb_finalize(m) afterwards.
 */
int nb_merge(struct nb_model *m, const struct nb_model *other,
	     struct cd_error *err);

/*
 * The review journals a model has learned from, so that learning is
 * idempotent: a journal is known by an identity (a hash of its first line,
 * which an append-only file never changes) and the number of its entries
 * already applied.  nb_journal_applied() returns that number (0 for a
 * journal never learned); nb_journal_mark() records it (the larger of the
 * old and new value), CD_ERR_LIMIT past NB_JOURNALS_MAX journals.  Saved
 * in the model file (format version 2) and united by nb_merge().
 */
#define NB_JOURNALS_MAX 256
uint64_t nb_journal_applied(const struct nb_model *m, uint64_t id);
int nb_journal_mark(struct nb_model *m, uint64_t id, uint64_t applied,
		    struct cd_error *err);
size_t nb_journal_count(const struct nb_model *m);
void nb_journal_at(const struct nb_model *m, size_t i, uint64_t *id,
		   uint64_t *applied);

/*
 * Score the last tok_run() of tk.  raw[] receives the NB scores and prob[]
 * the calibrated probabilities (each nb_nlabels() long, either may be
 * NULL).  Returns the index of the best label.
 */
int nb_classify(const struct nb_model *m, const struct tokenizer *tk,
		double *raw, double *prob);

/* One token's pull towards a label, for "why" and `explain`. */
struct nb_contrib {
	size_t tok;             /* index into tok_list() */
	double weight;          /* log-odds for the label against the rest */
};

/*
 * The tokens of tk that pushed label towards (positive weight) or away from
 * it, strongest first, each feature once; at most max are written.  With
 * positive_only, only those that pushed towards it.  Returns the count.
 */
size_t nb_explain(const struct nb_model *m, const struct tokenizer *tk,
		  int label, int positive_only, struct nb_contrib *out,
		  size_t max);

/* Iterate the vocabulary in sorted order (after nb_finalize). */
size_t nb_feature(const struct nb_model *m, size_t i, const char **text,
		  const uint32_t **counts);

/*
 * The feature with token hash h (tok_list()[k].hash) as the number
 * nb_feature() returns for it (an index in 0..nb_vocab_size()), or -1
 * when the model does not hold it.  After nb_finalize(), like scoring.
 */
long nb_feature_find(const struct nb_model *m, uint64_t h);

/*
 * The sum of label i's counts over the whole vocabulary: the denominator
 * of the model's P(feature | label) = (count + alpha) / (total + alpha V)
 * before any --idf scaling.
 */
uint64_t nb_label_total(const struct nb_model *m, size_t i);

#endif

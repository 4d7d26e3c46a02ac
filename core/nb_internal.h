/*
 * nb_internal.h - the model's fields, shared by nb.c and model_file.c only.
 */
#ifndef CANDOR_NB_INTERNAL_H
#define CANDOR_NB_INTERNAL_H

#include "nb.h"

struct nb_model {
	struct nb_params p;
	size_t nlabels;
	char labels[NB_MAX_LABELS][NB_LABEL_MAX + 1];
	/* the review journals learned: identity, entries applied */
	struct { uint64_t id, applied; } journals[NB_JOURNALS_MAX];
	size_t njournals;
	uint64_t docs[NB_MAX_LABELS];

	/* vocabulary: feature i has text ftext + foff[i] (NUL-terminated),
	 * hash fhash[i] and counts counts[i * stride + label]; the stride
	 * grows (8, 16, ... NB_MAX_LABELS) as labels are added */
	size_t nfeat, capfeat, stride;
	uint64_t *fhash;
	uint32_t *foff;
	uint32_t *counts;
	uint64_t total[NB_MAX_LABELS];  /* sum of counts per label */
	char *ftext;
	size_t ftlen, ftcap;
	uint32_t *order;                /* features sorted by text (finalize) */

	/*
	 * open-addressing index: hash -> feature index + 1 (0 empty); the
	 * hash is in the slot so a lookup reads one slot, not fhash[] too
	 */
	struct nb_slot {
		uint64_t hash;
		uint32_t f1;
		uint32_t unused;
	} *index;
	size_t index_cap;               /* power of two */

	/*
	 * scoring weights, weights[i * wstride + l], and per-label bias; the
	 * stride is nlabels rounded up to 8 (zero padding), so scoring adds
	 * whole vectors of eight
	 */
	float *weights;
	size_t wstride;

	/*
	 * one bit per (hash >> FILTER_SHIFT) & filter_bits - 1, set for every
	 * feature (nb_finalize): most bigrams of a new comment are in no
	 * model, and the filter (a byte per feature) answers that without a
	 * trip to the index
	 */
	uint64_t *filter;
	size_t filter_bits;             /* a power of two, 0: no filter */
	double bias[NB_MAX_LABELS];
	/* --idf and --norm (compute_weights): idf-scaled totals per label
	 * and overall, and per-label sums of |weight| */
	double tw[NB_MAX_LABELS], allw, zw[NB_MAX_LABELS];

	/* calibration sample */
	size_t ncal;
	size_t cal_len, cal_cap;
	uint64_t *cal_feat;             /* feature hashes, per document */
	uint32_t *cal_off;              /* document i: [cal_off[i], cal_off[i+1]) */
	uint8_t *cal_label;
	uint64_t *cal_hash;             /* sampling hash per document */
	unsigned cal_shift;             /* keep hashes with this many low 0 bits */
	double prev_temperature;        /* kept when a refit has too few docs */
};

/*
 * Find or add the feature text[0..len) and add counts[0..nlabels) (in the
 * model's label order) to it.
 */
int nb_internal_add_counts(struct nb_model *m, const char *text, size_t len,
			   uint64_t hash, const uint32_t *counts,
			   struct cd_error *err);

#endif

/*
 * nb.c - see nb.h for the model and the formulas.
 */
#include "nb_internal.h"
#include "sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define INDEX_MIN 1024
#define FEATURE_MAX 255                 /* bytes in a feature's text */
#define MAX_FEATURES (1u << 30)

void nb_params_default(struct nb_params *p)
{
	p->alpha = 0.3;
	p->complement = 0;
	p->binary = 1;
	p->temperature = 0;
	p->bigrams = 1;
	p->stem = 1;
	p->extras = 1;
	p->idf = 0;
	p->norm = 0;
}

struct nb_model *nb_new(const struct nb_params *p, struct cd_error *err)
{
	struct nb_model *m = calloc(1, sizeof(*m));

	if (!m) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	if (p)
		m->p = *p;
	else
		nb_params_default(&m->p);
	if (!(m->p.alpha > 0)) {
		free(m);
		cd_error_set(err, CD_ERR_USAGE, 0,
			     "smoothing alpha must be greater than 0");
		return NULL;
	}
	m->stride = 8;
	return m;
}

void nb_free(struct nb_model *m)
{
	if (!m)
		return;
	free(m->fhash);
	free(m->foff);
	free(m->counts);
	free(m->ftext);
	free(m->order);
	free(m->index);
	free(m->weights);
	free(m->filter);
	free(m->cal_feat);
	free(m->cal_off);
	free(m->cal_label);
	free(m->cal_hash);
	free(m);
}

const struct nb_params *nb_params(const struct nb_model *m)
{
	return &m->p;
}

void nb_tok_params(const struct nb_model *m, struct tok_params *tp)
{
	tok_params_default(tp);
	tp->bigrams = m->p.bigrams;
	tp->stem = m->p.stem;
	tp->extras = m->p.extras;
}

size_t nb_nlabels(const struct nb_model *m)
{
	return m->nlabels;
}

const char *nb_label(const struct nb_model *m, size_t i)
{
	return i < m->nlabels ? m->labels[i] : NULL;
}

size_t nb_vocab_size(const struct nb_model *m)
{
	return m->nfeat;
}

uint64_t nb_label_docs(const struct nb_model *m, size_t i)
{
	return i < m->nlabels ? m->docs[i] : 0;
}

uint64_t nb_total_docs(const struct nb_model *m)
{
	uint64_t d = 0;
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		d += m->docs[i];
	return d;
}

double nb_temperature(const struct nb_model *m)
{
	return m->p.temperature > 0 ? m->p.temperature : 1.0;
}

void nb_set_temperature(struct nb_model *m, double t)
{
	if (m->p.temperature > 0)
		m->prev_temperature = m->p.temperature;
	m->p.temperature = t > 0 ? t : 0;
}

/* ---- the vocabulary ------------------------------------------------- */

static long find(const struct nb_model *m, uint64_t h)
{
	size_t mask, i;

	if (!m->index_cap)
		return -1;
	mask = m->index_cap - 1;
	for (i = h & mask; m->index[i].f1; i = (i + 1) & mask)
		if (m->index[i].hash == h)
			return (long)m->index[i].f1 - 1;
	return -1;
}

static int index_rebuild(struct nb_model *m, size_t cap)
{
	struct nb_slot *ix = calloc(cap, sizeof(*ix));
	size_t f, mask = cap - 1;

	if (!ix)
		return CD_ERR_NOMEM;
	for (f = 0; f < m->nfeat; f++) {
		size_t i = m->fhash[f] & mask;

		while (ix[i].f1)
			i = (i + 1) & mask;
		ix[i].hash = m->fhash[f];
		ix[i].f1 = (uint32_t)f + 1;
	}
	free(m->index);
	m->index = ix;
	m->index_cap = cap;
	return 0;
}

static int grow_features(struct nb_model *m)
{
	size_t cap = m->capfeat ? m->capfeat * 2 : 1024;
	void *p;

	if (cap > MAX_FEATURES)
		return CD_ERR_LIMIT;
	p = realloc(m->fhash, cap * sizeof(*m->fhash));
	if (!p)
		return CD_ERR_NOMEM;
	m->fhash = p;
	p = realloc(m->foff, cap * sizeof(*m->foff));
	if (!p)
		return CD_ERR_NOMEM;
	m->foff = p;
	p = realloc(m->counts, cap * m->stride * sizeof(*m->counts));
	if (!p)
		return CD_ERR_NOMEM;
	m->counts = p;
	m->capfeat = cap;
	return 0;
}

/* Widen the per-feature count rows to hold at least n labels. */
static int grow_stride(struct nb_model *m, size_t n)
{
	size_t stride = m->stride, f;
	uint32_t *c;

	while (stride < n)
		stride *= 2;
	if (stride == m->stride)
		return 0;
	c = calloc(m->capfeat ? m->capfeat : 1, stride * sizeof(*c));
	if (!c)
		return CD_ERR_NOMEM;
	for (f = 0; f < m->nfeat; f++)
		memcpy(c + f * stride, m->counts + f * m->stride,
		       m->stride * sizeof(*c));
	free(m->counts);
	m->counts = c;
	m->stride = stride;
	return 0;
}

/* Index of the feature, added with zero counts if new; negative status. */
static long intern(struct nb_model *m, const char *text, size_t len,
		   uint64_t h, struct cd_error *err)
{
	long f = find(m, h);
	int rc;

	if (f >= 0) {
		const char *s = m->ftext + m->foff[f];

		if (strlen(s) != len || memcmp(s, text, len))
			return cd_error_set(err, CD_ERR_DATA, 0,
					    "feature hash collision between "
					    "'%s' and '%.*s'", s, (int)len, text);
		return f;
	}
	if (len > FEATURE_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "feature longer than %d bytes", FEATURE_MAX);
	if (m->nfeat == m->capfeat && (rc = grow_features(m)) != 0)
		return cd_error_set(err, rc, 0, rc == CD_ERR_LIMIT ?
				    "vocabulary over %u features" : "out of memory",
				    MAX_FEATURES);
	if ((m->nfeat + 1) * 2 > m->index_cap &&
	    index_rebuild(m, m->index_cap ? m->index_cap * 2 : INDEX_MIN))
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	if (m->ftlen + len + 1 > m->ftcap) {
		size_t cap = m->ftcap ? m->ftcap * 2 : 65536;
		char *p;

		while (cap < m->ftlen + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "vocabulary text over 4 GiB");
		p = realloc(m->ftext, cap);
		if (!p)
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		m->ftext = p;
		m->ftcap = cap;
	}
	f = (long)m->nfeat++;
	memcpy(m->ftext + m->ftlen, text, len);
	m->ftext[m->ftlen + len] = '\0';
	m->foff[f] = (uint32_t)m->ftlen;
	m->ftlen += len + 1;
	m->fhash[f] = h;
	memset(m->counts + (size_t)f * m->stride, 0,
	       m->stride * sizeof(*m->counts));
	{
		size_t mask = m->index_cap - 1, i = h & mask;

		while (m->index[i].f1)
			i = (i + 1) & mask;
		m->index[i].hash = h;
		m->index[i].f1 = (uint32_t)f + 1;
	}
	return f;
}

int nb_internal_add_counts(struct nb_model *m, const char *text, size_t len,
			   uint64_t hash, const uint32_t *counts,
			   struct cd_error *err)
{
	long f = intern(m, text, len, hash, err);
	size_t l;

	if (f < 0)
		return (int)f;
	for (l = 0; l < m->nlabels; l++) {
		uint32_t *c = &m->counts[(size_t)f * m->stride + l];

		if (counts[l] > UINT32_MAX - *c)
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "count of '%s' overflows 32 bits",
					    m->ftext + m->foff[f]);
		*c += counts[l];
		m->total[l] += counts[l];
	}
	return 0;
}

int nb_label_find(const struct nb_model *m, const char *label)
{
	size_t i;

	for (i = 0; i < m->nlabels; i++)
		if (!strcmp(m->labels[i], label))
			return (int)i;
	return -1;
}

int nb_label_index(struct nb_model *m, const char *label, int create,
		   struct cd_error *err)
{
	size_t n = strlen(label);
	int rc, i = nb_label_find(m, label);

	if (i >= 0 || !create)
		return i;
	if (!n || n > NB_LABEL_MAX)
		return cd_error_set(err, CD_ERR_DATA, 0,
				    "label '%.40s' must be 1 to %d bytes", label,
				    NB_LABEL_MAX);
	if (m->nlabels == NB_MAX_LABELS)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d labels", NB_MAX_LABELS);
	rc = grow_stride(m, m->nlabels + 1);
	if (rc)
		return cd_error_set(err, rc, 0, "out of memory");
	memcpy(m->labels[m->nlabels], label, n + 1);
	m->docs[m->nlabels] = 0;
	m->total[m->nlabels] = 0;
	return (int)m->nlabels++;
}

/* ---- per-document feature sets -------------------------------------- */

/*
 * Mark in keep[] the tokens to count: all of them, or with binary the first
 * of each distinct feature.  Small documents use a stack hash set.
 */
static void doc_select(const struct tok *toks, size_t n, int binary,
		       unsigned char *keep)
{
	uint64_t set[512];
	size_t i, j, mask = 15;

	if (!binary) {
		memset(keep, 1, n);
		return;
	}
	if (n <= 256) {
		while (mask + 1 < 2 * n)        /* at most half full */
			mask = mask * 2 + 1;
		memset(set, 0, (mask + 1) * sizeof(set[0]));
		for (i = 0; i < n; i++) {
			uint64_t h = toks[i].hash;

			for (j = h & mask; set[j] && set[j] != h; j = (j + 1) & mask)
				;
			keep[i] = !set[j];
			set[j] = h;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		keep[i] = 1;
		for (j = 0; j < i; j++)
			if (keep[j] && toks[j].hash == toks[i].hash) {
				keep[i] = 0;
				break;
			}
	}
}

int nb_learn(struct nb_model *m, int label, const struct tokenizer *tk,
	     struct cd_error *err)
{
	const struct tok *toks = tok_list(tk);
	size_t i, n = tok_count(tk);
	unsigned char *keep;

	if (label < 0 || (size_t)label >= m->nlabels)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no such label");
	keep = malloc(n ? n : 1);
	if (!keep)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	doc_select(toks, n, m->p.binary, keep);
	for (i = 0; i < n; i++) {
		long f;

		if (!keep[i])
			continue;
		f = intern(m, tok_text(tk, &toks[i]), toks[i].len, toks[i].hash,
			   err);
		if (f < 0) {
			free(keep);
			return (int)f;
		}
		m->counts[(size_t)f * m->stride + (size_t)label]++;
		m->total[label]++;
	}
	free(keep);
	m->docs[label]++;
	return 0;
}

/* ---- calibration sample --------------------------------------------- */

/*
 * Documents are kept when their hash has `cal_shift` low zero bits; when
 * the sample overflows, the shift grows and half the sample goes.  This is
 * uniform, deterministic and independent of input order.
 */
static void cal_compact(struct nb_model *m)
{
	size_t i, o = 0, len = 0;
	uint64_t mask;

	m->cal_shift++;
	mask = (1ULL << m->cal_shift) - 1;
	for (i = 0; i < m->ncal; i++) {
		uint32_t a = m->cal_off[i], b = m->cal_off[i + 1];

		if (m->cal_hash[i] & mask)
			continue;
		memmove(m->cal_feat + len, m->cal_feat + a,
			(b - a) * sizeof(*m->cal_feat));
		m->cal_off[o] = (uint32_t)len;
		len += b - a;
		m->cal_label[o] = m->cal_label[i];
		m->cal_hash[o] = m->cal_hash[i];
		o++;
	}
	m->ncal = o;
	m->cal_off[o] = (uint32_t)len;
	m->cal_len = len;
}

int nb_calib_add(struct nb_model *m, int label, const struct tokenizer *tk,
		 struct cd_error *err)
{
	const struct tok *toks = tok_list(tk);
	size_t i, n = tok_count(tk);
	uint64_t h = 1469598103934665603ULL;
	unsigned char keep[4096];

	if (n > sizeof(keep))
		n = sizeof(keep);
	for (i = 0; i < n; i++)
		h = (h ^ toks[i].hash) * 1099511628211ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	if (m->cal_shift && (h & ((1ULL << m->cal_shift) - 1)))
		return 0;
	if (!m->cal_off) {
		m->cal_off = malloc((NB_CALIB_MAX + 2) * sizeof(*m->cal_off));
		m->cal_label = malloc((NB_CALIB_MAX + 1) * sizeof(*m->cal_label));
		m->cal_hash = malloc((NB_CALIB_MAX + 1) * sizeof(*m->cal_hash));
		if (!m->cal_off || !m->cal_label || !m->cal_hash)
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		m->cal_off[0] = 0;
	}
	if (m->cal_len + n > m->cal_cap) {
		size_t cap = m->cal_cap ? m->cal_cap * 2 : 65536;
		uint64_t *p;

		while (cap < m->cal_len + n)
			cap *= 2;
		p = realloc(m->cal_feat, cap * sizeof(*p));
		if (!p)
			return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		m->cal_feat = p;
		m->cal_cap = cap;
	}
	doc_select(toks, n, m->p.binary, keep);
	for (i = 0; i < n; i++)
		if (keep[i])
			m->cal_feat[m->cal_len++] = toks[i].hash;
	m->cal_label[m->ncal] = (uint8_t)label;
	m->cal_hash[m->ncal] = h;
	m->cal_off[++m->ncal] = (uint32_t)m->cal_len;
	if (m->ncal > NB_CALIB_MAX)
		cal_compact(m);
	return 0;
}

/* ---- finalize: sort labels, compute weights, fit the temperature ---- */

static const struct nb_model *sort_model;

static int cmp_feature(const void *a, const void *b)
{
	const struct nb_model *m = sort_model;

	return strcmp(m->ftext + m->foff[*(const uint32_t *)a],
		      m->ftext + m->foff[*(const uint32_t *)b]);
}

static void sort_labels(struct nb_model *m)
{
	size_t i, j, f, K = m->nlabels;
	size_t perm[NB_MAX_LABELS];         /* new position -> old index */
	char labels[NB_MAX_LABELS][NB_LABEL_MAX + 1];
	uint64_t docs[NB_MAX_LABELS], total[NB_MAX_LABELS];
	uint32_t row[NB_MAX_LABELS];

	for (i = 0; i < K; i++)
		perm[i] = i;
	for (i = 1; i < K; i++)             /* insertion sort, K is small */
		for (j = i; j > 0 && strcmp(m->labels[perm[j - 1]],
					    m->labels[perm[j]]) > 0; j--) {
			size_t t = perm[j];

			perm[j] = perm[j - 1];
			perm[j - 1] = t;
		}
	for (i = 0; i < K; i++) {
		memcpy(labels[i], m->labels[perm[i]], sizeof(labels[i]));
		docs[i] = m->docs[perm[i]];
		total[i] = m->total[perm[i]];
	}
	memcpy(m->labels, labels, sizeof(labels[0]) * K);
	memcpy(m->docs, docs, sizeof(docs[0]) * K);
	memcpy(m->total, total, sizeof(total[0]) * K);
	for (f = 0; f < m->nfeat; f++) {
		uint32_t *c = m->counts + f * m->stride;

		for (i = 0; i < K; i++)
			row[i] = c[perm[i]];
		memcpy(c, row, K * sizeof(*c));
	}
	for (i = 0; i < m->ncal; i++)
		for (j = 0; j < K; j++)
			if (perm[j] == m->cal_label[i]) {
				m->cal_label[i] = (uint8_t)j;
				break;
			}
}

/*
 * The idf of a feature in rows documents of D (smoothed as scikit-learn's
 * TfidfTransformer: log((1 + D) / (1 + rows)) + 1); 1 without --idf.
 * With binary counts the row sum is the number of documents holding the
 * feature; with --counts it is an upper bound.
 */
static double idf_of(const struct nb_model *m, double rows, double D)
{
	return m->p.idf ? log((1 + D) / (1 + rows)) + 1 : 1;
}

/*
 * The weight of a feature for label l before --norm, from its counts: cl
 * in l, row over all labels, its idf s, and the idf-scaled totals Tl of l
 * and all over all labels.  Multinomial: s log((s cl + a) / (Tl + aV));
 * complement: -s log((s (row - cl) + a) / (all - Tl + aV)).  The factor s
 * outside the log weights the comment's own feature by its idf too.
 */
static double term(const struct nb_model *m, double s, double cl, double row,
		   double Tl, double all)
{
	double a = m->p.alpha, V = (double)m->nfeat, w;

	if (m->p.complement)
		w = -s * log((s * (row - cl) + a) / (all - Tl + a * V));
	else
		w = s * log((s * cl + a) / (Tl + a * V));
	/*
	 * Fix (found by tests/fuzz/fuzz_model.c): an alpha as small as
	 * 1e-322 passes every range check, the ratio underflows to 0 and
	 * log() gives an infinite weight; a comment with two of them scored
	 * inf - inf and every probability was NaN.  A weight of 1e30 decides
	 * alone.
	 */
	if (!isfinite(w))
		w = w > 0 ? 1e30 : -1e30;
	return w;
}

static void compute_weights(struct nb_model *m)
{
	size_t f, l, K = m->nlabels, ws = m->wstride;
	double D = 0;

	for (l = 0; l < K; l++) {
		D += (double)m->docs[l];
		m->tw[l] = 0;
		m->zw[l] = 0;
	}
	m->allw = 0;
	for (f = 0; f < m->nfeat; f++) {
		const uint32_t *c = m->counts + f * m->stride;
		double row = 0, s;

		for (l = 0; l < K; l++)
			row += c[l];
		s = idf_of(m, row, D);
		for (l = 0; l < K; l++)
			m->tw[l] += s * c[l];
	}
	for (l = 0; l < K; l++)
		m->allw += m->tw[l];
	for (l = 0; l < K; l++) {
		if (m->p.complement || m->p.norm)
			m->bias[l] = 0;
		else
			m->bias[l] = log(((double)m->docs[l] + 1e-3) /
					 (D + 1e-3 * (double)K));
	}
	for (f = 0; f < m->nfeat; f++) {
		const uint32_t *c = m->counts + f * m->stride;
		double row = 0, s;

		for (l = 0; l < K; l++)
			row += c[l];
		s = idf_of(m, row, D);
		for (l = 0; l < K; l++) {
			double w = term(m, s, c[l], row, m->tw[l], m->allw);

			m->zw[l] += fabs(w);
			m->weights[f * ws + l] = (float)w;
		}
		for (; l < ws; l++)
			m->weights[f * ws + l] = 0;
	}
	if (!m->p.norm)
		return;
	/*
	 * Weight normalisation (Rennie et al. 2003, section 3.2): each label's
	 * weights divided by the sum of their magnitudes, so a label with many
	 * or long examples does not win by weight alone.  Scaled by the mean
	 * feature count so the scores keep a familiar size (the temperature
	 * absorbs any scale).
	 */
	for (l = 0; l < K; l++)
		m->zw[l] = m->zw[l] > 0 ? m->zw[l] / (double)m->nfeat : 1;
	for (f = 0; f < m->nfeat; f++)
		for (l = 0; l < K; l++)
			m->weights[f * ws + l] =
				(float)(m->weights[f * ws + l] / m->zw[l]);
}

#define FILTER_SHIFT 40

/* Set the filter's bits (a model without one just probes the index). */
static void build_filter(struct nb_model *m)
{
	size_t bits = 64, f;
	uint64_t *fl;

	while (bits < m->nfeat * 8)
		bits *= 2;
	fl = calloc(bits / 64, sizeof(*fl));
	free(m->filter);
	m->filter = fl;
	m->filter_bits = fl ? bits : 0;
	for (f = 0; fl && f < m->nfeat; f++) {
		size_t b = (size_t)(m->fhash[f] >> FILTER_SHIFT) & (bits - 1);

		fl[b >> 6] |= 1ull << (b & 63);
	}
}

/* 0 when no feature of the model has hash h (1: perhaps one has) */
static int maybe_feature(const struct nb_model *m, uint64_t h)
{
	size_t b = (size_t)(h >> FILTER_SHIFT) & (m->filter_bits - 1);

	return !m->filter_bits || (m->filter[b >> 6] >> (b & 63)) & 1;
}

/* Leave-one-out scores of calibration document d into s[]. */
static void loo_scores(const struct nb_model *m, size_t d, double *s)
{
	size_t K = m->nlabels, l, i;
	size_t y = m->cal_label[d];
	uint32_t a = m->cal_off[d], b = m->cal_off[d + 1];
	double D = 0, lenw = 0;
	int plain = !m->p.idf && !m->p.norm;

	for (l = 0; l < K; l++)
		D += (double)m->docs[l];
	/* the document's own (idf-scaled) length, taken out of the totals */
	for (i = a; i < b; i++) {
		long f = find(m, m->cal_feat[i]);
		const uint32_t *c;
		double row = 0;

		if (f < 0)
			continue;
		c = m->counts + (size_t)f * m->stride;
		for (l = 0; l < K; l++)
			row += c[l];
		lenw += idf_of(m, row, D);
	}
	for (l = 0; l < K; l++) {
		if (m->p.complement || m->p.norm) {
			s[l] = 0;
		} else {
			double dl = (double)m->docs[l] - (l == y);

			s[l] = log((dl + 1e-3) / (D - 1 + 1e-3 * (double)K));
		}
	}
	for (i = a; i < b; i++) {
		long f = find(m, m->cal_feat[i]);
		const uint32_t *c;
		double row = 0, sf;

		if (f < 0)
			continue;
		c = m->counts + (size_t)f * m->stride;
		for (l = 0; l < K; l++)
			row += c[l];
		if (row <= 1)           /* only this document had it */
			continue;
		sf = idf_of(m, row, D);
		for (l = 0; l < K; l++) {
			/*
			 * The counts without this document; idf and the --norm
			 * sums stay the model's (an approximation: one document
			 * moves them little).  Without either the weights of
			 * the other labels are the model's own.
			 */
			double w;

			if (plain && (m->p.complement ? l == y : l != y)) {
				s[l] += m->weights[(size_t)f * m->wstride + l];
				continue;
			}
			w = term(m, sf, (double)c[l] - (l == y), row - 1,
				 m->tw[l] - (l == y ? lenw : 0), m->allw - lenw);
			if (m->p.norm)
				w /= m->zw[l];
			s[l] += w;
		}
	}
}

static double nll(const double *s, const uint8_t *y, size_t n, size_t K,
		  double T)
{
	double sum = 0;
	size_t d, l;

	for (d = 0; d < n; d++) {
		const double *r = s + d * K;
		double mx = r[0], z = 0;

		for (l = 1; l < K; l++)
			if (r[l] > mx)
				mx = r[l];
		for (l = 0; l < K; l++)
			z += exp((r[l] - mx) / T);
		sum += log(z) - (r[y[d]] - mx) / T;
	}
	return sum;
}

/* Golden-section search for the T minimising the LOO NLL, log-scale. */
static int fit_temperature(struct nb_model *m, struct cd_error *err)
{
	const double g = 0.6180339887498949;
	size_t K = m->nlabels, d;
	double *s, lo = log(0.05), hi = log(500.0), x1, x2, f1, f2;
	int it;

	s = malloc(m->ncal * K * sizeof(*s));
	if (!s)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	for (d = 0; d < m->ncal; d++)
		loo_scores(m, d, s + d * K);
	x1 = hi - g * (hi - lo);
	x2 = lo + g * (hi - lo);
	f1 = nll(s, m->cal_label, m->ncal, K, exp(x1));
	f2 = nll(s, m->cal_label, m->ncal, K, exp(x2));
	for (it = 0; it < 60; it++) {
		if (f1 < f2) {
			hi = x2;
			x2 = x1;
			f2 = f1;
			x1 = hi - g * (hi - lo);
			f1 = nll(s, m->cal_label, m->ncal, K, exp(x1));
		} else {
			lo = x1;
			x1 = x2;
			f1 = f2;
			x2 = lo + g * (hi - lo);
			f2 = nll(s, m->cal_label, m->ncal, K, exp(x2));
		}
	}
	m->p.temperature = exp((lo + hi) / 2);
	free(s);
	return 0;
}

int nb_finalize(struct nb_model *m, struct cd_error *err)
{
	size_t f;
	float *w;
	uint32_t *ord;

	if (!m->nlabels)
		return cd_error_set(err, CD_ERR_DATA, 0, "the model has no labels");
	sort_labels(m);
	m->wstride = (m->nlabels + 7) & ~(size_t)7;
	w = realloc(m->weights, (m->nfeat ? m->nfeat : 1) * m->wstride *
		    sizeof(*w));
	ord = realloc(m->order, (m->nfeat ? m->nfeat : 1) * sizeof(*ord));
	if (w)
		m->weights = w;
	if (ord)
		m->order = ord;
	if (!w || !ord)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	if (!m->index_cap && index_rebuild(m, INDEX_MIN))
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	for (f = 0; f < m->nfeat; f++)
		ord[f] = (uint32_t)f;
	/* a loaded model is already sorted: check in one pass before sorting */
	sort_model = m;
	for (f = 1; f < m->nfeat; f++)
		if (cmp_feature(&ord[f - 1], &ord[f]) > 0)
			break;
	if (f < m->nfeat)
		qsort(ord, m->nfeat, sizeof(*ord), cmp_feature);
	sort_model = NULL;
	compute_weights(m);
	build_filter(m);
	if (m->p.temperature <= 0) {
		if (m->ncal >= NB_CALIB_MIN && m->nlabels >= 2) {
			int rc = fit_temperature(m, err);

			if (rc)
				return rc;
		} else {
			/* too few documents to fit: keep what the model had */
			m->p.temperature = m->prev_temperature > 0 ?
					   m->prev_temperature : 1.0;
		}
	}
	return 0;
}

size_t nb_feature(const struct nb_model *m, size_t i, const char **text,
		  const uint32_t **counts)
{
	uint32_t f = m->order ? m->order[i] : (uint32_t)i;

	*text = m->ftext + m->foff[f];
	*counts = m->counts + (size_t)f * m->stride;
	return f;
}

long nb_feature_find(const struct nb_model *m, uint64_t h)
{
	/* most tokens of a comment (bigrams) are in no model: the filter
	 * says so without a trip to the index */
	return maybe_feature(m, h) ? find(m, h) : -1;
}

uint64_t nb_label_total(const struct nb_model *m, size_t i)
{
	return i < m->nlabels ? m->total[i] : 0;
}

/* ---- merge ---------------------------------------------------------- */

uint64_t nb_journal_applied(const struct nb_model *m, uint64_t id)
{
	size_t i;

	for (i = 0; i < m->njournals; i++)
		if (m->journals[i].id == id)
			return m->journals[i].applied;
	return 0;
}

int nb_journal_mark(struct nb_model *m, uint64_t id, uint64_t applied,
		    struct cd_error *err)
{
	size_t i;

	for (i = 0; i < m->njournals; i++)
		if (m->journals[i].id == id) {
			if (applied > m->journals[i].applied)
				m->journals[i].applied = applied;
			return 0;
		}
	if (m->njournals == NB_JOURNALS_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "the model already remembers %d journals",
				    NB_JOURNALS_MAX);
	m->journals[m->njournals].id = id;
	m->journals[m->njournals].applied = applied;
	m->njournals++;
	return 0;
}

size_t nb_journal_count(const struct nb_model *m)
{
	return m->njournals;
}

void nb_journal_at(const struct nb_model *m, size_t i, uint64_t *id,
		   uint64_t *applied)
{
	*id = m->journals[i].id;
	*applied = m->journals[i].applied;
}

int nb_merge(struct nb_model *m, const struct nb_model *o,
	     struct cd_error *err)
{
	int map[NB_MAX_LABELS];
	uint32_t row[NB_MAX_LABELS];
	size_t l, f;
	uint64_t dm = nb_total_docs(m), dother = nb_total_docs(o);

	if (m->p.alpha != o->p.alpha || m->p.complement != o->p.complement ||
	    m->p.binary != o->p.binary || m->p.bigrams != o->p.bigrams ||
	    m->p.stem != o->p.stem || m->p.extras != o->p.extras ||
	    m->p.idf != o->p.idf || m->p.norm != o->p.norm)
		return cd_error_set(err, CD_ERR_DATA, 0,
				    "the models were trained with different "
				    "parameters (alpha, complement, binary, "
				    "bigrams, stemming, extra features, idf or "
				    "norm)");
	for (l = 0; l < o->nlabels; l++) {
		int i = nb_label_index(m, o->labels[l], 1, err);

		if (i < 0)
			return i;
		map[l] = i;
	}
	for (f = 0; f < o->nfeat; f++) {
		const uint32_t *c = o->counts + f * o->stride;
		int rc;

		memset(row, 0, sizeof(row));
		for (l = 0; l < o->nlabels; l++)
			row[map[l]] = c[l];
		rc = nb_internal_add_counts(m, o->ftext + o->foff[f],
					    strlen(o->ftext + o->foff[f]),
					    o->fhash[f], row, err);
		if (rc)
			return rc;
	}
	for (l = 0; l < o->nlabels; l++)
		m->docs[map[l]] += o->docs[l];
	if (dm + dother > 0)
		m->p.temperature = (nb_temperature(m) * (double)dm +
				    nb_temperature(o) * (double)dother) /
				   (double)(dm + dother);
	for (f = 0; f < o->njournals; f++) {
		int rc = nb_journal_mark(m, o->journals[f].id,
					 o->journals[f].applied, err);

		if (rc)
			return rc;
	}
	return 0;
}

/* ---- scoring -------------------------------------------------------- */

/*
 * A hint that *p will be read soon.  Scoring looks up every token of a
 * comment in tables of a megabyte or more; asking for all the lines first
 * lets the memory system fetch them side by side instead of one miss
 * after another.
 */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

#define SCORE_CHUNK 64

/*
 * The features of toks[0..n) found in the model, in order, each once with
 * binary counting, into fx; returns how many.  A 256-bit filter on the
 * feature index makes the "seen before?" test one bit for nearly every
 * token; keep[] (doc_select) stands in for long documents.
 */
static size_t score_features(const struct nb_model *m, const struct tok *toks,
			     size_t n, const unsigned char *keep, uint32_t *fx)
{
	size_t i, j, base, cnt, nf = 0, mask = m->index_cap - 1;
	int binary = m->p.binary;
	struct sketch seen = SKETCH_EMPTY;
	unsigned char maybe[SCORE_CHUNK];       /* the filter's answers */

	if (!m->index_cap)
		return 0;
	for (base = 0; base < n; base += cnt) {
		long f;

		cnt = n - base < SCORE_CHUNK ? n - base : SCORE_CHUNK;
		for (i = 0; i < cnt; i++) {
			maybe[i] = (unsigned char)maybe_feature(m, toks[base + i].hash);
			if (maybe[i])
				PREFETCH(&m->index[toks[base + i].hash & mask]);
		}
		for (i = base; i < base + cnt; i++) {
			if (!maybe[i - base] || (f = find(m, toks[i].hash)) < 0)
				continue;
			if (keep) {
				if (!keep[i])
					continue;
			} else if (binary) {
				if (sketch_has(&seen, (uint64_t)f)) {
					for (j = 0; j < nf && fx[j] != (uint32_t)f; j++)
						;
					if (j < nf)
						continue;
				}
				sketch_add(&seen, (uint64_t)f);
			}
			PREFETCH(m->weights + (size_t)f * m->wstride);
			fx[nf++] = (uint32_t)f;
		}
	}
	return nf;
}

int nb_classify(const struct nb_model *m, const struct tokenizer *tk,
		double *raw, double *prob)
{
	const struct tok *toks = tok_list(tk);
	size_t i, l, nf, n = tok_count(tk), K = m->nlabels, ws = m->wstride;
	double s[NB_MAX_LABELS], T = nb_temperature(m), mx, z = 0;
	unsigned char keep[4096];
	uint32_t fx[4096];
	int best = 0;

	if (n > sizeof(keep))
		n = sizeof(keep);
	if (m->p.binary && n > SCORE_CHUNK)
		doc_select(toks, n, 1, keep);   /* long: a hash set */
	nf = score_features(m, toks, n, m->p.binary && n > SCORE_CHUNK ?
			    keep : NULL, fx);
	for (l = 0; l < ws; l++)
		s[l] = l < K ? m->bias[l] : 0;
	if (ws == 8) {
		/* up to eight labels: the sums stay in registers */
		double a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
		double a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7];

		for (i = 0; i < nf; i++) {
			const float *w = m->weights + (size_t)fx[i] * 8;

			a0 += w[0];
			a1 += w[1];
			a2 += w[2];
			a3 += w[3];
			a4 += w[4];
			a5 += w[5];
			a6 += w[6];
			a7 += w[7];
		}
		s[0] = a0;
		s[1] = a1;
		s[2] = a2;
		s[3] = a3;
		s[4] = a4;
		s[5] = a5;
		s[6] = a6;
		s[7] = a7;
	} else {
		for (i = 0; i < nf; i++) {
			const float *w = m->weights + (size_t)fx[i] * ws;

			for (l = 0; l < ws; l++)
				s[l] += w[l];
		}
	}
	for (l = 1; l < K; l++)
		if (s[l] > s[best])
			best = (int)l;
	if (raw)
		memcpy(raw, s, K * sizeof(*s));
	if (prob) {
		mx = s[best];
		for (l = 0; l < K; l++) {
			prob[l] = exp((s[l] - mx) / T);
			z += prob[l];
		}
		for (l = 0; l < K; l++)
			prob[l] /= z;
	}
	return best;
}

size_t nb_explain(const struct nb_model *m, const struct tokenizer *tk,
		  int label, int positive_only, struct nb_contrib *out,
		  size_t max)
{
	const struct tok *toks = tok_list(tk);
	size_t i, l, n = tok_count(tk), K = m->nlabels, cnt = 0;
	unsigned char keep[4096];

	if (label < 0 || (size_t)label >= K || K < 2 || !max)
		return 0;
	if (n > sizeof(keep))
		n = sizeof(keep);
	doc_select(toks, n, 1, keep);
	for (i = 0; i < n; i++) {
		long f;
		const float *w;
		double others = 0, v;
		size_t j;

		if (!keep[i] || (f = find(m, toks[i].hash)) < 0)
			continue;
		w = m->weights + (size_t)f * m->wstride;
		for (l = 0; l < K; l++)
			if ((int)l != label)
				others += w[l];
		v = w[label] - others / (double)(K - 1);
		if (positive_only && v <= 0)
			continue;
		/* keep the `max` strongest, by |weight|, in order: insertion */
		if (cnt == max && fabs(v) <= fabs(out[cnt - 1].weight))
			continue;
		j = cnt < max ? cnt++ : cnt - 1;
		while (j > 0 && fabs(out[j - 1].weight) < fabs(v)) {
			out[j] = out[j - 1];
			j--;
		}
		out[j].tok = i;
		out[j].weight = v;
	}
	return cnt;
}

/*
 * report_words.c - the crisis report's "most telling words", from the
 * classifier model (report.h: report_set_model, report_top_words).
 *
 * Per label c of the model, every feature w of its vocabulary is scored
 * by its class-conditional log-likelihood ratio against the other labels
 * (the formula is in report.h), with the model's own counts, totals and
 * smoothing read through core/nb.h; the REPORT_TOP_WORDS highest are kept.
 *
 * When the report reads comment texts, each is tokenized as the model
 * tokenizes (nb_tok_params), once per comment id, and each feature of the
 * model it holds is counted once per comment (a stamp per feature says
 * which comment counted it last).  Memory: two 32-bit counters per model
 * feature, whatever the number of comments.
 */
#include "report_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nb.h"
#include "tokenize.h"

int report_set_model(struct report *r, const struct nb_model *m,
		     struct cd_error *err)
{
	struct tok_params tp;
	size_t v;

	rwords_release(r);
	if (!m)
		return 0;
	v = nb_vocab_size(m);
	nb_tok_params(m, &tp);
	r->tk = tok_new(&tp, err);
	r->feat_seen = calloc(v + 1, sizeof(*r->feat_seen));
	r->feat_stamp = calloc(v + 1, sizeof(*r->feat_stamp));
	r->mwords = calloc(nb_nlabels(m) + 1, sizeof(*r->mwords));
	r->nmwords = calloc(nb_nlabels(m) + 1, sizeof(*r->nmwords));
	if (!r->tk || !r->feat_seen || !r->feat_stamp || !r->mwords ||
	    !r->nmwords) {
		rwords_release(r);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory for "
				    "the model's words");
	}
	r->model = m;
	return 0;
}

struct tokenizer *report_tokenizer(struct report *r)
{
	return r->tk;
}

void rwords_release(struct report *r)
{
	tok_free(r->tk);
	free(r->feat_seen);
	free(r->feat_stamp);
	free(r->mwords);
	free(r->nmwords);
	r->tk = NULL;
	r->feat_seen = r->feat_stamp = NULL;
	r->mwords = NULL;
	r->nmwords = NULL;
	r->model = NULL;
	r->ntexts = 0;
}

/*
 * Count the model's features in one comment's text (the caller makes sure
 * it is called once per comment).  A text the tokenizer refuses (not
 * UTF-8; the readers have checked that already) counts nothing.
 */
int rwords_text(struct report *r, const char *text, size_t len)
{
	struct cd_error e;
	const struct tok *t;
	size_t i, n;
	uint32_t stamp;
	int rc;

	if (!r->model || !text)
		return 0;
	if ((rc = tok_run(r->tk, text, len, &e)) != 0)
		return rc == CD_ERR_NOMEM ? CD_ERR_NOMEM : 0;
	r->ntexts++;
	stamp = (uint32_t)r->ntexts;
	t = tok_list(r->tk);
	n = tok_count(r->tk);
	for (i = 0; i < n; i++) {
		long f = nb_feature_find(r->model, t[i].hash);

		if (f < 0 || r->feat_stamp[f] == stamp)
			continue;
		r->feat_stamp[f] = stamp;
		r->feat_seen[f]++;
	}
	return 0;
}

int rwords_finish(struct report *r, struct cd_error *err)
{
	const struct nb_model *m = r->model;
	size_t K, V, c, l, i;
	double a, all = 0;

	(void)err;
	if (!m)
		return 0;
	K = nb_nlabels(m);
	V = nb_vocab_size(m);
	a = nb_params(m)->alpha;
	for (l = 0; l < K; l++)
		all += (double)nb_label_total(m, l);
	for (c = 0; c < K && K >= 2; c++) {
		struct rmword *top = r->mwords[c];
		double nc = (double)nb_label_total(m, c);
		double dc = nc + a * (double)V, dn = all - nc + a * (double)V;
		size_t n = 0, j;

		for (i = 0; i < V; i++) {
			const char *text;
			const uint32_t *cnt;
			size_t f = nb_feature(m, i, &text, &cnt);
			uint64_t row = 0;
			double llr;

			if (r->ntexts && !r->feat_seen[f])
				continue;
			for (l = 0; l < K; l++)
				row += cnt[l];
			llr = log(((double)cnt[c] + a) / dc) -
				log(((double)(row - cnt[c]) + a) / dn);
			if (!isfinite(llr))
				continue;
			/* the vocabulary is in text order: on a tie the word
			 * met first stays first */
			if (n == REPORT_TOP_WORDS && !(llr > top[n - 1].llr))
				continue;
			j = n < REPORT_TOP_WORDS ? n++ : n - 1;
			while (j > 0 && top[j - 1].llr < llr) {
				top[j] = top[j - 1];
				j--;
			}
			top[j].f = (uint32_t)f;
			top[j].pos = (uint32_t)i;
			top[j].llr = llr;
			top[j].in_label = cnt[c];
			top[j].in_others = row - cnt[c];
		}
		r->nmwords[c] = n;
	}
	return 0;
}

size_t report_top_words(const struct report *r, size_t label,
			struct report_word *out, size_t max)
{
	size_t i, n;

	if (!r->model || !r->finished || label >= nb_nlabels(r->model))
		return 0;
	n = r->nmwords[label];
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		const struct rmword *w = &r->mwords[label][i];
		const uint32_t *cnt;

		nb_feature(r->model, w->pos, &out[i].text, &cnt);
		out[i].llr = w->llr;
		out[i].in_label = w->in_label;
		out[i].in_others = w->in_others;
		out[i].in_crisis = r->feat_seen[w->f];
	}
	return n;
}

uint64_t report_texts_read(const struct report *r)
{
	return r->ntexts;
}

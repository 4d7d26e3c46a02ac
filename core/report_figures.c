/*
 * report_figures.c - the crisis report's figures (report.h: report_finish,
 * report_totals, report_percentile, report_bucket_width): one pass over
 * the records for the totals, rates and confusion table, the timings'
 * median and 90th percentile, the timeline and the spikes `monitor
 * --replay` would raise on it.
 */
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest rank of percentile p among n values: ceil(p/100 n), 1..n. */
static size_t rank_of(size_t n, double p)
{
	double rank = p / 100.0 * (double)n;
	size_t k = (size_t)rank;

	if ((double)k < rank)
		k++;
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return k;
}

static void swap64(int64_t *a, int64_t *b)
{
	int64_t t = *a;

	*a = *b;
	*b = t;
}

/*
 * The k-th smallest (0-based) of v[0..n), k < n.  v is reordered so that
 * v[k] holds it with nothing greater before it and nothing smaller after
 * it (quickselect, Hoare 1961, with a median-of-three pivot and a
 * three-way partition, since timings in seconds repeat a lot; past 64
 * rounds the rest is sorted, so no input makes it quadratic).
 */
static int64_t select_k(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n, rounds = 0;

	while (hi - lo > 1) {
		int64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1], p;
		size_t lt = lo, i = lo, gt = hi;

		if (++rounds > 64) {
			qsort(v + lo, hi - lo, sizeof(*v), cmp_i64);
			return v[k];
		}
		p = a < b ? (b < c ? b : a < c ? c : a) :
			(a < c ? a : b < c ? c : b);
		while (i < gt) {
			if (v[i] < p)
				swap64(&v[lt++], &v[i++]);
			else if (v[i] > p)
				swap64(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return v[k];
}

/* The median and 90th percentile (nearest rank) of v[0..n), reordered. */
static void median_p90(int64_t *v, size_t n, struct rtiming *t)
{
	size_t k50 = rank_of(n, 50), k90 = rank_of(n, 90);

	t->n = n;
	if (!n) {
		t->median = t->p90 = -1;
		return;
	}
	t->median = select_k(v, n, k50 - 1);
	/* everything from k50 - 1 on is >= the median, and k90 >= k50 */
	t->p90 = select_k(v + (k50 - 1), n - (k50 - 1), k90 - k50);
}

int64_t report_percentile(int64_t *v, size_t n, double p)
{
	return n ? select_k(v, n, rank_of(n, p) - 1) : -1;
}

int64_t report_bucket_width(int64_t span)
{
	static const int64_t widths[] = {
		60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
		86400, 172800, 604800
	};
	size_t i;

	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		if (span / widths[i] + 1 <= REPORT_MAX_BUCKETS)
			return widths[i];
	/* longer than 48 weeks: whole weeks */
	return (span / REPORT_MAX_BUCKETS / 604800 + 1) * 604800;
}

/* The category a comment's timings count under: the person's, else the
 * model's. */
static int timing_cat(const struct ritem *it)
{
	return it->d_person ? (int)it->d_person : (int)it->model;
}

/* Seconds from comment to decision (publish 0) or publication, or -1. */
static int64_t timing_of(const struct ritem *it, int publish)
{
	uint32_t end = publish ? it->published : it->d_ts;

	if (!it->created || !end || (!publish && !it->d_decision))
		return -1;
	return end >= it->created ? (int64_t)end - it->created : 0;
}

/*
 * Median and 90th percentile per category and overall: the timings are
 * counted per category, then laid out grouped by category in one array
 * (8 bytes per timed comment, freed at the end) and selected in place.
 */
static int timings(struct report *r, int publish, struct rtiming *out,
		   struct cd_error *err)
{
	size_t ncat = r->cats.n, n = 0, i, c;
	size_t *cnt, *pos;
	int64_t *by;

	cnt = calloc(ncat + 2, sizeof(*cnt));
	pos = calloc(ncat + 2, sizeof(*pos));
	if (!cnt || !pos) {
		free(cnt);
		free(pos);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	}
	for (i = 0; i < r->nitems; i++) {
		const struct ritem *it = ritem_at(r, i);

		if (timing_of(it, publish) >= 0) {
			cnt[timing_cat(it)]++;
			n++;
		}
	}
	by = malloc((n + 1) * sizeof(*by));
	if (!by) {
		free(cnt);
		free(pos);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory for "
				    "%zu timings", n);
	}
	for (c = 1; c <= ncat; c++)
		pos[c] = pos[c - 1] + cnt[c - 1];
	for (i = 0; i < r->nitems; i++) {
		const struct ritem *it = ritem_at(r, i);
		int64_t d = timing_of(it, publish);

		if (d >= 0)
			by[pos[timing_cat(it)]++] = d;
	}
	/* pos[c] is now where category c's timings end */
	for (c = 1; c <= ncat; c++)
		median_p90(by + pos[c] - cnt[c], cnt[c], &out[c - 1]);
	median_p90(by, n, &out[ncat]);
	free(by);
	free(cnt);
	free(pos);
	return 0;
}

/* ---- spikes: the comments replayed through core/monitor -------------- */

/* The model's category of a comment: its draft's, else what the person
 * changed it from, else the person's (no draft was read). */
static int model_cat(const struct ritem *it)
{
	return it->model ? (int)it->model : it->d_orig ? (int)it->d_orig :
		(int)it->d_person;
}

static void swapu(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

/* Heapsort v[0..n) (introsort's fallback: never quadratic). */
static void heap_sort(uint64_t *v, size_t n)
{
	size_t i, end, root, child;

	for (i = n / 2; i-- > 0;)
		for (root = i; (child = 2 * root + 1) < n; root = child) {
			if (child + 1 < n && v[child] < v[child + 1])
				child++;
			if (v[root] >= v[child])
				break;
			swapu(&v[root], &v[child]);
		}
	for (end = n; end-- > 1;) {
		swapu(&v[0], &v[end]);
		for (root = 0; (child = 2 * root + 1) < end; root = child) {
			if (child + 1 < end && v[child] < v[child + 1])
				child++;
			if (v[root] >= v[child])
				break;
			swapu(&v[root], &v[child]);
		}
	}
}

/*
 * Sort v[0..n) in place (introsort, Musser 1997: quicksort with a
 * median-of-three pivot, heapsort past 2 log2 n levels, insertion sort
 * for short runs).  In place because glibc's qsort() allocates a copy of
 * the array, which was the report's largest allocation after the table.
 */
static void sort_u64(uint64_t *v, size_t n, unsigned depth);

void rsort_u64(uint64_t *v, size_t n)
{
	unsigned d = 0;
	size_t k = n;

	while (k >>= 1)
		d++;
	sort_u64(v, n, 2 * d + 2);
}

static void sort_u64(uint64_t *v, size_t n, unsigned depth)
{
	while (n > 16) {
		uint64_t a = v[0], b = v[n / 2], c = v[n - 1], p;
		size_t i = 0, j = n - 1;

		if (!depth--) {
			heap_sort(v, n);
			return;
		}
		p = a < b ? (b < c ? b : a < c ? c : a) :
			(a < c ? a : b < c ? c : b);
		for (;;) {                      /* Hoare's partition */
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i >= j)
				break;
			swapu(&v[i++], &v[j--]);
		}
		/* [0, j] <= p <= [j + 1, n): recurse on the smaller side */
		if (j + 1 < n - j - 1) {
			sort_u64(v, j + 1, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			sort_u64(v + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Mark the bar holding the window that raised an event. */
static void on_event(void *ctx, const struct monitor_event *ev)
{
	struct report *r = ctx;
	int64_t t = ev->at_once ? ev->ts : ev->ts - 1;
	size_t b, have, len;
	char *s;

	if (ev->level == MONITOR_CLEAR || !r->nbuckets)
		return;
	r->spikes++;
	b = t <= r->t0 ? 0 : (size_t)((t - r->t0) / r->width);
	if (b >= r->nbuckets)
		b = r->nbuckets - 1;
	if ((unsigned)ev->level > r->marks[b])
		r->marks[b] = (unsigned char)ev->level;
	s = r->mark_series[b];
	have = strlen(s);
	len = strlen(ev->series);
	if (strstr(s, ev->series) || have + len + 3 > sizeof(r->mark_series[b]))
		return;
	if (have)
		memcpy(s + have, ", ", 2), have += 2;
	memcpy(s + have, ev->series, len + 1);
}

/*
 * Feed every timed comment to the detector in time order, as `monitor
 * --replay` reads a stream: its category (the model's) and its flags.
 */
static int mark_spikes(struct report *r, struct cd_error *err)
{
	/* (time << 32 | comment number): sorted, the comments in time
	 * order, ties in reading order */
	uint64_t *v = malloc((r->nitems + 1) * sizeof(*v));
	struct monitor *m;
	size_t n = 0, i, f;
	int rc = 0;

	if (!v)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < r->nitems; i++)
		if (ritem_at(r, i)->created)
			v[n++] = (uint64_t)ritem_at(r, i)->created << 32 | i;
	rsort_u64(v, n);
	m = monitor_new(&r->mon, on_event, r, err);
	if (!m) {
		free(v);
		return -1;
	}
	for (i = 0; i < n && !rc; i++) {
		const struct ritem *it = ritem_at(r, (uint32_t)v[i]);
		const char *flags[REPORT_MAX_FLAGS];
		size_t nf = 0;
		int cat = model_cat(it);

		for (f = 0; f < r->flags.n; f++)
			if (it->flags & (1u << f))
				flags[nf++] = r->flags.name[f];
		rc = monitor_add(m, it->created, NULL,
				 cat ? r->cats.name[cat - 1] : NULL, flags, nf,
				 err);
	}
	if (!rc && n)
		monitor_advance(m, (int64_t)(v[n - 1] >> 32) + r->mon.window);
	monitor_free(m);
	free(v);
	return rc;
}

int report_finish(struct report *r, struct cd_error *err)
{
	size_t ncat = r->cats.n, nfl = r->flags.n, i, b;
	struct report_totals *t = &r->tot;
	int64_t first = -1, last = -1;

	if (r->finished)
		return 0;
	memset(t, 0, sizeof(*t));
	r->confusion = calloc((ncat + 1) * (ncat + 1), sizeof(uint64_t));
	r->dec = calloc(ncat + 1, sizeof(*r->dec));
	r->t_decide = calloc(ncat + 1, sizeof(*r->t_decide));
	r->t_publish = calloc(ncat + 1, sizeof(*r->t_publish));
	r->fact_approved = calloc(r->facts.n + 1, sizeof(uint64_t));
	if (!r->confusion || !r->dec || !r->t_decide || !r->t_publish ||
	    !r->fact_approved)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	for (i = 0; i < r->nitems; i++) {
		const struct ritem *it = ritem_at(r, i);
		struct rdec dd, *d = &dd;
		int model, person, k;

		rdec_get(it, d);
		t->comments++;
		if (it->bits & IT_DRAFTED)
			t->drafted++;
		if (it->created) {
			if (first < 0 || it->created < first)
				first = it->created;
			if (it->created > last)
				last = it->created;
		} else {
			t->untimed++;
		}
		if (it->bits & IT_DONE)
			t->published++;
		else if (it->bits & IT_FAILED)
			t->publish_failed++;
		else if (it->bits & IT_INTENT)
			t->publish_unknown++;
		model = model_cat(it);
		person = d->person ? d->person : model;
		if (!d->decision) {
			if (it->bits & IT_DRAFTED) {
				t->undecided++;
				r->dec[model ? (size_t)model - 1 : ncat][REPORT_DEC_UNDECIDED]++;
			}
			if (it->conf)
				r->conf_hist[it->conf - 1][2]++;
			continue;
		}
		t->decided++;
		if (model && person) {
			r->confusion[(size_t)(model - 1) * (ncat + 1) +
				     (size_t)(person - 1)]++;
			if (model != person)
				t->corrected++;
		}
		if (it->conf)
			r->conf_hist[it->conf - 1]
				[model && person && model != person]++;
		switch (d->decision) {
		case DEC_APPROVE:
			k = d->edited ? 1 : 0;
			t->approved++;
			t->edited += d->edited;
			break;
		case DEC_HIDE: k = 2; t->hidden++; break;
		case DEC_SKIP: k = 3; t->skipped++; break;
		case DEC_ESCALATE: k = 5; t->escalated++; break;
		default: k = 4; t->rejected++; break;
		}
		r->dec[person ? (size_t)person - 1 : ncat][k]++;
		if (d->tpl && d->decision == DEC_APPROVE) {
			r->tpl[d->tpl - 1].approved++;
			r->tpl[d->tpl - 1].edited += d->edited;
		}
		if (d->decision == DEC_APPROVE && (d->fact || it->fact))
			r->fact_approved[(d->fact ? d->fact : it->fact) - 1]++;
	}
	/* drop samples that were decided by a journal read after them */
	for (i = 0; i < ncat; i++) {
		size_t j, k = 0;

		for (j = 0; j < r->nsamples[i]; j++) {
			const struct ritem *it = ritem_find(r,
							   r->samples[i][j].key);

			if (it && it->d_decision) {
				free(r->samples[i][j].id);
				free(r->samples[i][j].text);
				continue;
			}
			r->samples[i][k++] = r->samples[i][j];
		}
		r->nsamples[i] = k;
	}
	/* no more lookups by id: the index goes before the big sorts */
	free(r->slot);
	r->slot = NULL;
	r->nslot = 0;
	t->first = first;
	t->last = last;
	if (timings(r, 0, r->t_decide, err) || timings(r, 1, r->t_publish, err))
		return CD_ERR_NOMEM;
	t->decide_median = r->t_decide[ncat].median;
	t->decide_p90 = r->t_decide[ncat].p90;
	t->publish_median = r->t_publish[ncat].median;
	t->publish_p90 = r->t_publish[ncat].p90;

	/* the timeline, in buckets aligned to their width (UTC) */
	if (first >= 0 && ncat) {
		r->width = report_bucket_width(last - first);
		r->t0 = first - first % r->width;
		r->nbuckets = (size_t)((last - r->t0) / r->width + 1);
		r->tl_cat = calloc(r->nbuckets * ncat, sizeof(uint64_t));
		r->tl_flag = calloc(r->nbuckets * (nfl ? nfl : 1),
				    sizeof(uint64_t));
		r->marks = calloc(r->nbuckets, 1);
		r->mark_series = calloc(r->nbuckets, sizeof(*r->mark_series));
		if (!r->tl_cat || !r->tl_flag || !r->marks || !r->mark_series)
			return cd_error_set(err, CD_ERR_NOMEM, 0,
					    "out of memory");
		for (i = 0; i < r->nitems; i++) {
			const struct ritem *it = ritem_at(r, i);
			int cat;
			size_t f;

			if (!it->created)
				continue;
			b = (size_t)((it->created - r->t0) / r->width);
			cat = model_cat(it);
			if (cat)
				r->tl_cat[b * ncat + (size_t)(cat - 1)]++;
			for (f = 0; f < nfl; f++)
				if (it->flags & (1u << f))
					r->tl_flag[b * nfl + f]++;
		}
		if (r->p.monitor && mark_spikes(r, err))
			return CD_ERR_DATA;
	}
	if (rwords_finish(r, err))
		return CD_ERR_NOMEM;
	r->finished = 1;
	return 0;
}

void report_totals(const struct report *r, struct report_totals *t)
{
	*t = r->tot;
}

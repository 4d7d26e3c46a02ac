/*
 * report.c - the crisis report's records (see report.h): the interned
 * names, one packed record per comment id found through an index by the
 * id's hash (the join by id), the decisions under a standing one, and
 * setting up and freeing a report.
 *
 * The rest of the report, around report_internal.h:
 *   report_read.c     the input readers (suggestion, comment, journal and
 *                     ledger JSON lines; batch CSV rows)
 *   report_figures.c  counting up at the end: timings, timeline, spikes
 *   report_words.c    the model's most telling words
 *   report_write.c    the page (HTML or Markdown)
 */
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------ */

static uint64_t hash64(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;    /* FNV-1a, then a mixer */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	h ^= h >> 33;                           /* splitmix64's finaliser */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h ? h : 1;
}

static void rnames_release(struct rnames *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	free(t->slot);
}

static int rnames_init(struct rnames *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->nslot = 16;
	while (t->nslot < max * 2)
		t->nslot *= 2;
	t->name = calloc(max, sizeof(*t->name));
	t->slot = calloc(t->nslot, sizeof(*t->slot));
	return t->name && t->slot ? 0 : CD_ERR_NOMEM;
}

/*
 * The index of name (len bytes), added when new; -1 with err filled when
 * the table is full (`what` names it) or memory runs out.
 */
long rnames_get(struct rnames *t, const char *s, size_t len,
		const char *what, long lineno, struct cd_error *err)
{
	size_t i = (size_t)hash64(s, len) & (t->nslot - 1);
	char *copy;

	while (t->slot[i]) {
		const char *n = t->name[t->slot[i] - 1];

		if (!strncmp(n, s, len) && !n[len])
			return (long)t->slot[i] - 1;
		i = (i + 1) & (t->nslot - 1);
	}
	if (t->n >= t->max) {
		cd_error_set(err, CD_ERR_LIMIT, lineno, "more than %zu %s",
			     t->max, what);
		return -1;
	}
	copy = malloc(len + 1);
	if (!copy) {
		cd_error_set(err, CD_ERR_NOMEM, lineno, "out of memory");
		return -1;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->name[t->n] = copy;
	t->slot[i] = (uint32_t)++t->n;
	return (long)t->n - 1;
}

/* ---- the comments ------------------------------------------------------ */

_Static_assert(sizeof(struct ritem) == 32, "a comment's record is 32 bytes");
_Static_assert(REPORT_MAX_COMMENTS < RSLOT_MASK, "comment numbers fit a slot");

static uint32_t slot_tag(uint64_t key)
{
	return (uint32_t)(key >> (64 - (32 - RSLOT_BITS))) << RSLOT_BITS;
}

/* Put comment i (hash key) into a free slot of slots[0..n). */
static void slot_put(uint32_t *slots, size_t n, uint64_t key, size_t i)
{
	size_t j = (size_t)key & (n - 1);

	while (slots[j])
		j = (j + 1) & (n - 1);
	slots[j] = slot_tag(key) | (uint32_t)(i + 1);
}

static int slots_grow(struct report *r, struct cd_error *err)
{
	size_t n = r->nslot ? r->nslot * 2 : 1024, i;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory for "
				    "%zu comments", r->nitems);
	for (i = 0; i < r->nitems; i++)
		slot_put(s, n, ritem_at(r, i)->key, i);
	free(r->slot);
	r->slot = s;
	r->nslot = n;
	return 0;
}

/* The number of the comment with hash key, or -1. */
static long ritem_find_key(const struct report *r, uint64_t key)
{
	uint32_t tag = slot_tag(key);
	size_t j;

	if (!r->nslot)
		return -1;
	for (j = (size_t)key & (r->nslot - 1); r->slot[j];
	     j = (j + 1) & (r->nslot - 1)) {
		uint32_t s = r->slot[j];

		if ((s & ~RSLOT_MASK) == tag &&
		    ritem_at(r, (s & RSLOT_MASK) - 1)->key == key)
			return (long)(s & RSLOT_MASK) - 1;
	}
	return -1;
}

/* The record of id (created when new) into *out and its number: 0, or
 * CD_ERR_LIMIT / CD_ERR_NOMEM with err filled. */
int ritem_get(struct report *r, const char *id, size_t len,
	      struct ritem **out, uint32_t *num, long lineno,
	      struct cd_error *err)
{
	uint64_t key = hash64(id, len);
	long k = ritem_find_key(r, key);
	size_t i = r->nitems;
	struct ritem *it;

	if (k >= 0) {
		*num = (uint32_t)k;
		*out = ritem_at(r, (size_t)k);
		return 0;
	}
	if (r->nitems >= r->max_items)
		return cd_error_set(err, CD_ERR_LIMIT, lineno, "more than %zu "
				    "comment ids in one report", r->max_items);
	if (!(i & (RBLOCK - 1))) {              /* a new block */
		size_t b = i >> RBLOCK_SHIFT;

		if (!r->blocks)
			r->blocks = calloc((r->max_items >> RBLOCK_SHIFT) + 1,
					   sizeof(*r->blocks));
		if (!r->blocks || !(r->blocks[b] = calloc(RBLOCK,
							  sizeof(struct ritem))))
			return cd_error_set(err, CD_ERR_NOMEM, lineno, "out "
					    "of memory for %zu comments",
					    r->nitems);
	}
	if ((r->nitems + 1) * 10 > r->nslot * 7 && slots_grow(r, err)) {
		err->line = lineno;
		return CD_ERR_NOMEM;
	}
	it = ritem_at(r, i);
	it->key = key;
	slot_put(r->slot, r->nslot, key, i);
	r->nitems++;
	*num = (uint32_t)i;
	*out = it;
	return 0;
}

const struct ritem *ritem_find(const struct report *r, uint64_t key)
{
	long k = ritem_find_key(r, key);

	return k < 0 ? NULL : ritem_at(r, (size_t)k);
}

/* The slot of comment num in the stack's map (free when absent). */
static size_t stk_slot(const struct report *r, uint32_t num)
{
	size_t j = ((size_t)num * 0x9E3779B97F4A7C15ull >> 20) &
		(r->capstk_map - 1);

	while (r->stk_map[j] && (uint32_t)(r->stk_map[j] >> 32) != num + 1)
		j = (j + 1) & (r->capstk_map - 1);
	return j;
}

/* Push d under comment num's standing decision. */
int rstack_push(struct report *r, uint32_t num, const struct rdec *d,
		long lineno, struct cd_error *err)
{
	uint32_t node, top = 0;
	size_t j;

	if ((r->nstk_map + 1) * 2 > r->capstk_map) {    /* grow the map */
		size_t n = r->capstk_map ? r->capstk_map * 2 : 64, i, old;
		uint64_t *m = calloc(n, sizeof(*m)), *was = r->stk_map;

		if (!m)
			return cd_error_set(err, CD_ERR_NOMEM, lineno,
					    "out of memory");
		old = r->capstk_map;
		r->stk_map = m;
		r->capstk_map = n;
		for (i = 0; i < old; i++)
			if (was[i])
				m[stk_slot(r, (uint32_t)(was[i] >> 32) - 1)] =
					was[i];
		free(was);
	}
	if (r->stk_free) {
		node = r->stk_free - 1;
		r->stk_free = r->stk[node].next;
	} else {
		if (r->nstk == r->capstk) {
			size_t n = r->capstk ? r->capstk * 2 : 64;
			struct rstack *v = realloc(r->stk, n * sizeof(*v));

			if (!v)
				return cd_error_set(err, CD_ERR_NOMEM, lineno,
						    "out of memory");
			r->stk = v;
			r->capstk = n;
		}
		node = (uint32_t)r->nstk++;
	}
	j = stk_slot(r, num);
	if (r->stk_map[j])
		top = (uint32_t)r->stk_map[j];
	else
		r->nstk_map++;
	r->stk[node].d = *d;
	r->stk[node].item = num;
	r->stk[node].next = top;
	r->stk_map[j] = (uint64_t)(num + 1) << 32 | (node + 1);
	return 0;
}

/* Pop the decision under comment num's standing one into d: 1, or 0
 * when there is none; *more says whether others are under it. */
int rstack_pop(struct report *r, uint32_t num, struct rdec *d, int *more)
{
	size_t j;
	uint32_t top;

	*more = 0;
	if (!r->capstk_map)
		return 0;
	j = stk_slot(r, num);
	top = (uint32_t)r->stk_map[j];
	if (!top)
		return 0;
	*d = r->stk[top - 1].d;
	r->stk_map[j] = (uint64_t)(num + 1) << 32 | r->stk[top - 1].next;
	*more = r->stk[top - 1].next != 0;
	r->stk[top - 1].next = r->stk_free;
	r->stk_free = top;
	return 1;
}

/* ---- set up ------------------------------------------------------------ */

void report_params_default(struct report_params *p)
{
	memset(p, 0, sizeof(*p));
	p->lang = REPORT_EN;
	p->max_comments = REPORT_MAX_COMMENTS;
}

const char *report_kind_name(enum report_kind k)
{
	switch (k) {
	case REPORT_SUGGESTIONS: return "suggestions";
	case REPORT_COMMENTS: return "comments";
	case REPORT_JOURNAL: return "journal";
	case REPORT_LEDGER: return "ledger";
	case REPORT_BATCH: return "batch CSV";
	default: return "unknown";
	}
}

int report_kind_rank(enum report_kind k)
{
	switch (k) {
	case REPORT_JOURNAL: return 0;
	case REPORT_LEDGER: return 1;
	case REPORT_COMMENTS: return 2;
	default: return 3;
	}
}

struct report *report_new(const struct report_params *p,
			  struct cd_error *err)
{
	struct report *r = calloc(1, sizeof(*r));

	if (!r) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	if (p)
		r->p = *p;
	else
		report_params_default(&r->p);
	if (r->p.monitor) {
		r->mon = *r->p.monitor;
		r->p.monitor = &r->mon;
	}
	r->max_items = r->p.max_comments ? r->p.max_comments :
		REPORT_MAX_COMMENTS;
	if (rnames_init(&r->cats, REPORT_MAX_CATEGORIES) ||
	    rnames_init(&r->flags, REPORT_MAX_FLAGS) ||
	    rnames_init(&r->rules, REPORT_MAX_RULES) ||
	    rnames_init(&r->tpls, REPORT_MAX_TEMPLATES) ||
	    rnames_init(&r->facts, REPORT_MAX_FACTS) ||
	    !(r->tone_draft = calloc(REPORT_MAX_RULES, sizeof(*r->tone_draft))) ||
	    !(r->tone_final = calloc(REPORT_MAX_RULES, sizeof(*r->tone_final))) ||
	    !(r->tpl = calloc(REPORT_MAX_TEMPLATES, sizeof(*r->tpl))) ||
	    !(r->fact_drafted = calloc(REPORT_MAX_FACTS, sizeof(uint64_t))) ||
	    !(r->words = calloc(REPORT_MAX_CATEGORIES, sizeof(*r->words))) ||
	    !(r->nwords = calloc(REPORT_MAX_CATEGORIES, sizeof(size_t))) ||
	    !(r->samples = calloc(REPORT_MAX_CATEGORIES, sizeof(*r->samples))) ||
	    !(r->nsamples = calloc(REPORT_MAX_CATEGORIES, sizeof(size_t))) ||
	    !(r->src = calloc(REPORT_MAX_SOURCES, sizeof(*r->src)))) {
		report_free(r);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	r->col_id = r->col_cat = -1;
	return r;
}

void report_free(struct report *r)
{
	size_t i, j;

	if (!r)
		return;
	if (r->blocks)
		for (i = 0; i < (r->nitems + RBLOCK - 1) >> RBLOCK_SHIFT; i++)
			free(r->blocks[i]);
	free(r->blocks);
	free(r->slot);
	free(r->stk);
	free(r->stk_map);
	free(r->scratch);
	if (r->tpl)
		for (i = 0; i < r->tpls.n; i++) {
			free(r->tpl[i].after);
			free(r->tpl[i].before);
		}
	if (r->samples && r->nsamples)
		for (i = 0; i < REPORT_MAX_CATEGORIES; i++)
			for (j = 0; j < r->nsamples[i]; j++) {
				free(r->samples[i][j].id);
				free(r->samples[i][j].text);
			}
	if (r->src)
		for (i = 0; i < r->nsrc; i++)
			free(r->src[i].name);
	rnames_release(&r->cats);
	rnames_release(&r->flags);
	rnames_release(&r->rules);
	rnames_release(&r->tpls);
	rnames_release(&r->facts);
	free(r->tone_draft);
	free(r->tone_final);
	free(r->tpl);
	free(r->fact_drafted);
	free(r->words);
	free(r->nwords);
	free(r->samples);
	free(r->nsamples);
	free(r->src);
	free(r->tl_cat);
	free(r->tl_flag);
	free(r->marks);
	free(r->mark_series);
	free(r->confusion);
	free(r->dec);
	free(r->t_decide);
	free(r->t_publish);
	free(r->fact_approved);
	rwords_release(r);
	free(r);
}

int report_add_source(struct report *r, const char *name,
		      enum report_kind kind, struct cd_error *err)
{
	if (r->nsrc >= REPORT_MAX_SOURCES)
		return cd_error_set(err, CD_ERR_LIMIT, 0, "more than %d input "
				    "files", REPORT_MAX_SOURCES);
	r->src[r->nsrc].name = strdup(name);
	if (!r->src[r->nsrc].name)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	r->src[r->nsrc].kind = kind;
	r->nsrc++;
	return 0;
}

void report_source_counts(struct report *r, long records, long bad)
{
	if (!r->nsrc)
		return;
	r->src[r->nsrc - 1].records += records;
	r->src[r->nsrc - 1].bad += bad;
}

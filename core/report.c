/*
 * report.c - reading and counting for the crisis report (see report.h);
 * the page itself is written by report_write.c.
 */
#include "report_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "comment.h"
#include "jsonscan.h"

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
static long rnames_get(struct rnames *t, const char *s, size_t len,
		       const char *what, long lineno, struct cd_error *err)
{
	size_t i = (size_t)hash64(s, len) & (t->nslot - 1);
	char *copy;

	while (t->slot[i]) {
		const char *n = t->name[t->slot[i] - 1];

		if (strlen(n) == len && !memcmp(n, s, len))
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

static struct ritem *item_at(const struct report *r, size_t i)
{
	return &r->blocks[i >> RBLOCK_SHIFT][i & (RBLOCK - 1)];
}

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
		slot_put(s, n, item_at(r, i)->key, i);
	free(r->slot);
	r->slot = s;
	r->nslot = n;
	return 0;
}

/* The number of the comment with hash key, or -1. */
static long item_find_key(const struct report *r, uint64_t key)
{
	uint32_t tag = slot_tag(key);
	size_t j;

	if (!r->nslot)
		return -1;
	for (j = (size_t)key & (r->nslot - 1); r->slot[j];
	     j = (j + 1) & (r->nslot - 1)) {
		uint32_t s = r->slot[j];

		if ((s & ~RSLOT_MASK) == tag &&
		    item_at(r, (s & RSLOT_MASK) - 1)->key == key)
			return (long)(s & RSLOT_MASK) - 1;
	}
	return -1;
}

/* The record of id (created when new) into *out and its number: 0, or
 * CD_ERR_LIMIT / CD_ERR_NOMEM with err filled. */
static int item_get(struct report *r, const char *id, size_t len,
		    struct ritem **out, uint32_t *num, long lineno,
		    struct cd_error *err)
{
	uint64_t key = hash64(id, len);
	long k = item_find_key(r, key);
	size_t i = r->nitems;
	struct ritem *it;

	if (k >= 0) {
		*num = (uint32_t)k;
		*out = item_at(r, (size_t)k);
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
	it = item_at(r, i);
	it->key = key;
	slot_put(r->slot, r->nslot, key, i);
	r->nitems++;
	*num = (uint32_t)i;
	*out = it;
	return 0;
}

static const struct ritem *item_find(const struct report *r, uint64_t key)
{
	long k = item_find_key(r, key);

	return k < 0 ? NULL : item_at(r, (size_t)k);
}

/* The standing decision of a comment, unpacked, and back. */
static void dec_get(const struct ritem *it, struct rdec *d)
{
	d->ts = it->d_ts;
	d->tpl = (uint16_t)it->d_tpl;
	d->fact = (uint16_t)it->d_fact;
	d->decision = (uint8_t)it->d_decision;
	d->person = (uint8_t)it->d_person;
	d->orig = (uint8_t)it->d_orig;
	d->edited = (uint8_t)it->d_edited;
}

static void dec_set(struct ritem *it, const struct rdec *d)
{
	it->d_ts = d->ts;
	it->d_tpl = d->tpl & 0x1FFFu;
	it->d_fact = d->fact & 0x7FFu;
	it->d_decision = d->decision & 0x7u;
	it->d_person = d->person & 0x7Fu;
	it->d_orig = d->orig & 0x7Fu;
	it->d_edited = d->edited & 0x1u;
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
static int stk_push(struct report *r, uint32_t num, const struct rdec *d,
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
static int stk_pop(struct report *r, uint32_t num, struct rdec *d, int *more)
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

/* ---- reading a JSON line ----------------------------------------------- */

enum report_kind report_detect(const char *line, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(line, len);
	enum report_kind k = REPORT_UNKNOWN;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return REPORT_UNKNOWN;
	}
#define HAS(name) cJSON_GetObjectItemCaseSensitive(o, name)
	if (HAS("decision"))
		k = REPORT_JOURNAL;
	else if (HAS("intent") || HAS("outcome") || HAS("phase") ||
		 HAS("event") || (HAS("state") && HAS("action")))
		k = REPORT_LEDGER;
	else if (HAS("category") && (HAS("confidence") || HAS("scores")))
		k = REPORT_SUGGESTIONS;
	else if (HAS("text"))
		k = REPORT_COMMENTS;
#undef HAS
	cJSON_Delete(o);
	return k;
}

/* The members a line may have, found in one pass over the object. */
enum key {
	K_ID,
	K_COMMENT_ID,
	K_CATEGORY,
	K_CONFIDENCE,
	K_CREATED_AT,
	K_CREATE_TIME,
	K_FLAGS,
	K_WHY,
	K_TONE,
	K_TEMPLATE,
	K_FACT,
	K_REPLY,
	K_TEXT,
	K_DECISION,
	K_ORIGINAL_CATEGORY,
	K_EDITED,
	K_TS,
	K_PHASE,
	K_EVENT,
	K_STAGE,
	K_OUTCOME,
	K_INTENT,
	K_OK,
	K_RESULT,
	K_STATUS,
	K_STATE,
	K_HTTP_STATUS,
	K_TIME,
	K_N
};

static const char *const key_names[K_N] = {
	"id", "comment_id", "category", "confidence", "created_at",
	"create_time", "flags", "why", "tone", "template", "fact", "reply",
	"text", "decision", "original_category", "edited", "ts", "phase",
	"event", "stage", "outcome", "intent", "ok", "result", "status",
	"state", "http_status", "time"
};

/*
 * A line's members, found by core/jsonscan in one pass without building a
 * tree (report reads millions of lines), and room for the strings taken
 * out of it.  bad keeps the first string that could not be read (invalid
 * UTF-8): the line is then reported.
 */
struct fields {
	struct jsonscan_member m[K_N];
	char *scratch;          /* the report's, at least 2 * line + 256 */
	size_t used, cap;
	int bad;
	struct cd_error bad_err;
};

/* The text of a string value (unescaped, checked), or NULL. */
static const char *mstr(struct fields *f, const struct jsonscan_member *m)
{
	size_t n;
	char *out;

	if (m->type != JSONSCAN_STRING || f->used >= f->cap)
		return NULL;
	out = f->scratch + f->used;
	if (jsonscan_string(m, out, f->cap - f->used, &n, &f->bad_err)) {
		f->bad = f->bad ? f->bad : CD_ERR_DATA;
		return NULL;
	}
	f->used += n + 1;
	return out;
}

static const char *fstr(struct fields *f, enum key k)
{
	return mstr(f, &f->m[k]);
}

/* A number value into *v: 1, or 0 when it is not a number. */
static int mnum(const struct jsonscan_member *m, double *v)
{
	char buf[64];

	if (m->type != JSONSCAN_NUMBER || m->len >= sizeof(buf))
		return 0;
	memcpy(buf, m->val, m->len);
	buf[m->len] = '\0';
	*v = strtod(buf, NULL);
	return 1;
}

/*
 * The comment id of a record: "id", else "comment_id"; a string, or an
 * integer with every digit it was written with (a 19-digit TikTok id does
 * not survive a double), another number as "%.0f".
 */
static const char *record_id(struct fields *f, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct jsonscan_member *m = &f->m[i ? K_COMMENT_ID : K_ID];
		const char *s;
		double d;

		if (m->type == JSONSCAN_STRING) {
			s = mstr(f, m);
			if (s && *s)
				return s;
		} else if (mnum(m, &d)) {
			if (m->len >= n || memchr(m->val, '.', m->len) ||
			    memchr(m->val, 'e', m->len) ||
			    memchr(m->val, 'E', m->len))
				return NULL;    /* not an integer */
			memcpy(buf, m->val, m->len);
			buf[m->len] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Unix seconds of a time member (RFC 3339 or a number); 0 when absent,
 * -1 when present but unreadable. */
static int64_t jtime(struct fields *f, enum key a, enum key b)
{
	const struct jsonscan_member *m = &f->m[a];
	const char *s;
	int64_t t;
	double d;

	if (m->type == JSONSCAN_ABSENT)
		m = &f->m[b];
	if (m->type == JSONSCAN_ABSENT || m->type == JSONSCAN_NULL)
		return 0;
	if (mnum(m, &d))
		t = d >= 0 && d < 4294967296.0 ? (int64_t)d : -1;
	else if ((s = mstr(f, m)) != NULL)
		t = comment_parse_time(s);
	else
		t = -1;
	if (t > 4294967295ll)
		t = -1;
	return t;
}

/* The index + 1 of a category name, 0 for NULL or "". */
static int cat_of(struct report *r, const char *s, long lineno,
		  struct cd_error *err)
{
	long i;

	if (!s || !*s)
		return 0;
	i = rnames_get(&r->cats, s, strlen(s), "categories", lineno, err);
	return i < 0 ? -1 : (int)i + 1;
}

static int flags_of(struct report *r, struct fields *fs, struct ritem *it,
		    long lineno, struct cd_error *err)
{
	unsigned bits = it->flags;
	struct jsonscan_iter at;
	struct jsonscan_member e;
	const char *s;
	long i;

	if (fs->m[K_FLAGS].type != JSONSCAN_ARRAY)
		return 0;
	jsonscan_array(&fs->m[K_FLAGS], &at);
	while (jsonscan_next(&at, &e)) {
		if (!(s = mstr(fs, &e)) || !*s)
			continue;
		i = rnames_get(&r->flags, s, strlen(s), "flags", lineno, err);
		if (i < 0)
			return -1;
		bits |= 1u << i;
		it->flags = bits & 0xFFFFu;
	}
	return 0;
}

static int severity_of(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "error"))
		return 0;
	if (!strcmp(s, "warning"))
		return 1;
	if (!strcmp(s, "info"))
		return 2;
	return -1;
}

/* Count one finding; any and error note what the reply had. */
static int tone_one(struct report *r, uint64_t (*tab)[3], const char *rule,
		    size_t rlen, int sev, int *any, int *error, long lineno,
		    struct cd_error *err)
{
	long i;

	if (!rlen || sev < 0)
		return 0;
	i = rnames_get(&r->rules, rule, rlen, "tone rules", lineno, err);
	if (i < 0)
		return -1;
	tab[i][sev]++;
	*any = 1;
	if (sev == 0)
		*error = 1;
	return 0;
}

static int tone_json(struct report *r, struct fields *f, int final,
		     long lineno, struct cd_error *err)
{
	struct jsonscan_member issues = { "issues", JSONSCAN_ABSENT, NULL, 0, 0 };
	struct jsonscan_member is, rs[2] = {
		{ "rule", JSONSCAN_ABSENT, NULL, 0, 0 },
		{ "severity", JSONSCAN_ABSENT, NULL, 0, 0 }
	};
	struct jsonscan_iter at;
	struct cd_error e2;
	int any = 0, error = 0;

	if (f->m[K_TONE].type != JSONSCAN_OBJECT)
		return 0;
	/* already checked as JSON by the scan of the line */
	if (jsonscan_object(f->m[K_TONE].val, f->m[K_TONE].len, &issues, 1,
			    &e2) || issues.type != JSONSCAN_ARRAY)
		issues.type = JSONSCAN_ABSENT;
	if (issues.type == JSONSCAN_ARRAY)
		jsonscan_array(&issues, &at);
	while (issues.type == JSONSCAN_ARRAY && jsonscan_next(&at, &is)) {
		const char *rule;

		if (is.type != JSONSCAN_OBJECT ||
		    jsonscan_object(is.val, is.len, rs, 2, &e2))
			continue;
		rule = mstr(f, &rs[0]);
		if (rule && tone_one(r, final ? r->tone_final : r->tone_draft,
				     rule, strlen(rule),
				     severity_of(mstr(f, &rs[1])), &any,
				     &error, lineno, err))
			return -1;
	}
	if (final) {
		r->finals_with_tone++;
		r->finals_with_error += (uint64_t)error;
	} else {
		r->drafts_with_tone++;
		r->drafts_with_error += (uint64_t)error;
	}
	(void)any;
	return 0;
}

/* Space-Saving (Metwally et al. 2005): the heaviest words per category
 * in RWORDS_K counters, whatever the number of distinct words. */
static void word_count(struct report *r, int cat, const char *w)
{
	struct rword *t = r->words[cat];
	size_t n = r->nwords[cat], i, min = 0, len = 0;
	utf8proc_uint8_t *fold = NULL;
	char ascii[RWORD_MAX + 1];
	const char *s = ascii;

	/* ASCII words fold by hand; others through utf8proc (NFKC) */
	while (w[len] && !((unsigned char)w[len] & 0x80) && len < RWORD_MAX) {
		ascii[len] = w[len] >= 'A' && w[len] <= 'Z' ?
			(char)(w[len] + 32) : w[len];
		len++;
	}
	ascii[len] = '\0';
	if (w[len]) {
		fold = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)w);
		s = fold ? (const char *)fold : w;
		len = strlen(s);
	}

	if (len > RWORD_MAX) {                  /* cut on a character */
		len = RWORD_MAX;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	for (i = 0; i < n; i++) {
		if (strlen(t[i].w) == len && !memcmp(t[i].w, s, len)) {
			t[i].count++;
			free(fold);
			return;
		}
		if (t[i].count < t[min].count)
			min = i;
	}
	if (n < RWORDS_K) {
		i = r->nwords[cat]++;
		t[i].err = 0;
		t[i].count = 1;
	} else {
		i = min;
		t[i].err = t[i].count;
		t[i].count++;
	}
	memcpy(t[i].w, s, len);
	t[i].w[len] = '\0';
	free(fold);
}

static char *dup_cut(const char *s, size_t max)
{
	size_t len = strlen(s);
	char *d;

	if (len > max) {
		len = max;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* A draft (suggestion line or batch row) of comment `it`: what every
 * kind of draft shares. */
static int draft_common(struct report *r, struct ritem *it, const char *id,
			int cat, const char *tpl, const char *fact,
			const char *reply, const char *text, long lineno,
			struct cd_error *err)
{
	long t = -1, f;
	int again = it->bits & IT_DRAFTED;     /* counted once per comment */

	it->bits = (it->bits | (IT_DRAFTED | IT_COMMENT)) & 0x3Fu;
	if (cat > 0)
		it->model = (unsigned)cat & 0x7Fu;
	if (tpl && *tpl) {
		t = rnames_get(&r->tpls, tpl, strlen(tpl), "templates", lineno,
			       err);
		if (t < 0)
			return -1;
		if (!again)
			r->tpl[t].drafted++;
		if (r->tpl[t].ex_key == it->key && !r->tpl[t].before && reply)
			r->tpl[t].before = dup_cut(reply, 1000);
	}
	if (fact && *fact) {
		f = rnames_get(&r->facts, fact, strlen(fact), "facts", lineno,
			       err);
		if (f < 0)
			return -1;
		if (!again)
			r->fact_drafted[f]++;
		it->fact = (unsigned)(f + 1) & 0x7FFu;
	}
	/* a sample of what is still undecided (journals were read first) */
	if (cat > 0 && !again && !it->d_decision &&
	    r->nsamples[cat - 1] < RSAMPLES) {
		struct rsample *s = &r->samples[cat - 1][r->nsamples[cat - 1]];

		s->key = it->key;
		s->id = dup_cut(id, 64);
		s->text = dup_cut(text ? text : "", 160);
		if (!s->id || !s->text) {
			free(s->id);
			free(s->text);
			return cd_error_set(err, CD_ERR_NOMEM, lineno,
					    "out of memory");
		}
		r->nsamples[cat - 1]++;
	}
	return 0;
}

/* The confidence's tenth (0.0-0.1 ... 0.9-1.0; 1 is in the last), + 1. */
static void set_conf(struct ritem *it, double conf)
{
	unsigned c = (unsigned)(conf * 10000 + 0.5);

	it->conf = ((c >= 10000 ? 9 : c / 1000) + 1) & 0xFu;
}

static int set_created(struct ritem *it, int64_t t, long lineno,
		       struct cd_error *err)
{
	if (t < 0)
		return cd_error_set(err, CD_ERR_DATA, lineno, "\"created_at\" "
				    "is neither RFC 3339 nor unix seconds");
	if (t > 0)
		it->created = (uint32_t)t;
	return 0;
}

static int add_suggestion(struct report *r, struct fields *f,
			  struct ritem *it,
			  const char *id, long lineno, struct cd_error *err)
{
	struct jsonscan_iter at;
	struct jsonscan_member w;
	int cat = cat_of(r, fstr(f, K_CATEGORY), lineno, err);
	double conf;

	if (cat < 0)
		return -1;
	if (!cat)
		return cd_error_set(err, CD_ERR_DATA, lineno, "suggestion "
				    "without a \"category\"");
	if (mnum(&f->m[K_CONFIDENCE], &conf) && conf >= 0 && conf <= 1)
		set_conf(it, conf);
	if (set_created(it, jtime(f, K_CREATED_AT, K_CREATE_TIME), lineno,
			err))
		return CD_ERR_DATA;
	if (flags_of(r, f, it, lineno, err))
		return -1;
	if (it->bits & IT_DRAFTED)      /* also in a batch CSV: counted */
		return draft_common(r, it, id, cat, fstr(f, K_TEMPLATE),
				    fstr(f, K_FACT), fstr(f, K_REPLY),
				    fstr(f, K_TEXT), lineno, err);
	if (f->m[K_WHY].type == JSONSCAN_ARRAY) {
		jsonscan_array(&f->m[K_WHY], &at);
		while (jsonscan_next(&at, &w)) {
			const char *s = mstr(f, &w);

			if (s && *s)
				word_count(r, cat - 1, s);
		}
	}
	if (tone_json(r, f, 0, lineno, err))
		return -1;
	return draft_common(r, it, id, cat, fstr(f, K_TEMPLATE),
			    fstr(f, K_FACT), fstr(f, K_REPLY),
			    fstr(f, K_TEXT), lineno, err);
}

static int decision_of(const char *s)
{
	static const char *const names[] = {
		"", "approve", "hide", "skip", "reject", "escalate"
	};
	int i;

	if (!s)
		return -1;
	for (i = 1; i < DEC_N; i++)
		if (!strcmp(s, names[i]))
			return i;
	if (!strcmp(s, "claim") || !strcmp(s, "release"))
		return DEC_N;           /* a reviewer's claim: not a decision */
	return !strcmp(s, "undo") ? 0 : -1;
}

static int add_journal(struct report *r, struct fields *f,
		       struct ritem *it, uint32_t num,
		       long lineno, struct cd_error *err)
{
	const char *d = fstr(f, K_DECISION), *tpl = fstr(f, K_TEMPLATE);
	const char *fact = fstr(f, K_FACT);
	int dec = decision_of(d), person, orig;
	struct rdec nd;
	int64_t ts;
	long i;

	if (dec < 0)
		return cd_error_set(err, CD_ERR_DATA, lineno, "unknown "
				    "decision '%.40s'", d ? d : "(none)");
	if (dec == DEC_N)                       /* claim, release */
		return 0;
	if (dec == 0) {                 /* undo: the one under it stands */
		int more = 0;

		memset(&nd, 0, sizeof(nd));
		if (it->stacked)
			stk_pop(r, num, &nd, &more);
		it->stacked = (unsigned)more & 1u;
		dec_set(it, &nd);       /* the one under it, or nothing */
		return 0;
	}
	memset(&nd, 0, sizeof(nd));
	nd.decision = (uint8_t)dec;
	person = cat_of(r, fstr(f, K_CATEGORY), lineno, err);
	orig = cat_of(r, fstr(f, K_ORIGINAL_CATEGORY), lineno, err);
	if (person < 0 || orig < 0)
		return -1;
	nd.person = (uint8_t)person;
	nd.orig = (uint8_t)orig;
	nd.edited = f->m[K_EDITED].type == JSONSCAN_TRUE;
	ts = jtime(f, K_TS, K_TS);
	if (ts < 0)
		return cd_error_set(err, CD_ERR_DATA, lineno, "\"ts\" is not "
				    "an RFC 3339 time");
	nd.ts = (uint32_t)ts;
	if (tpl && *tpl) {
		i = rnames_get(&r->tpls, tpl, strlen(tpl), "templates", lineno,
			       err);
		if (i < 0)
			return -1;
		nd.tpl = (uint16_t)(i + 1);
		if (nd.edited && dec == DEC_APPROVE && !r->tpl[i].ex_key) {
			const char *reply = fstr(f, K_REPLY);

			r->tpl[i].ex_key = it->key;
			r->tpl[i].after = dup_cut(reply ? reply : "", 1000);
			if (!r->tpl[i].after)
				return cd_error_set(err, CD_ERR_NOMEM, lineno,
						    "out of memory");
		}
	}
	if (fact && *fact) {
		i = rnames_get(&r->facts, fact, strlen(fact), "facts", lineno,
			       err);
		if (i < 0)
			return -1;
		nd.fact = (uint16_t)(i + 1);
	}
	if (flags_of(r, f, it, lineno, err))
		return -1;
	if (tone_json(r, f, 1, lineno, err))
		return -1;
	it->bits = (it->bits | (IT_COMMENT)) & 0x3Fu;
	if (it->d_decision) {           /* decided again: keep the old one */
		struct rdec old;

		dec_get(it, &old);
		if (stk_push(r, num, &old, lineno, err))
			return CD_ERR_NOMEM;
		it->stacked = 1;
	}
	dec_set(it, &nd);
	return 0;
}

/* Does a ledger outcome say the request succeeded? */
static int outcome_ok(struct fields *f)
{
	static const enum key keys[] = { K_OUTCOME, K_RESULT, K_STATUS, K_STATE };
	static const char *const good[] = {
		"ok", "done", "success", "succeeded", "posted", "hidden",
		"replied", "sent", "published", NULL
	};
	const struct jsonscan_member *v = &f->m[K_OK];
	size_t i, j;
	double d;

	if (v->type == JSONSCAN_TRUE || v->type == JSONSCAN_FALSE)
		return v->type == JSONSCAN_TRUE;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s;

		v = &f->m[keys[i]];
		if (mnum(v, &d))
			return d >= 200 && d < 300;
		if ((s = mstr(f, v)) != NULL) {
			for (j = 0; good[j]; j++)
				if (!strcmp(s, good[j]))
					return 1;
			return 0;
		}
	}
	return mnum(&f->m[K_HTTP_STATUS], &d) && d >= 200 && d < 300;
}

/*
 * A ledger line: the intent before a request, or its outcome after.  The
 * phase is read from "phase"/"event"/"stage" ("intent", "outcome"), else
 * from an "intent" or "outcome" member.
 */
static int add_ledger(struct fields *f, struct ritem *it, long lineno,
		      struct cd_error *err)
{
	const char *ph = fstr(f, K_PHASE);
	int64_t ts;

	if (!ph)
		ph = fstr(f, K_EVENT);
	if (!ph)
		ph = fstr(f, K_STAGE);
	if (!ph && (ph = fstr(f, K_STATE)) != NULL) {
		/* candor publish (core/ledger.h): "state" is intent, done,
		 * failed or unknown */
		if (!strcmp(ph, "done") || !strcmp(ph, "failed"))
			ph = "outcome";
		else if (!strcmp(ph, "unknown"))
			ph = "intent";
	}
	if (!ph)
		ph = f->m[K_OUTCOME].type ? "outcome" :
			f->m[K_INTENT].type ? "intent" : "";
	if (!strcmp(ph, "intent")) {
		it->bits = (it->bits | (IT_INTENT)) & 0x3Fu;
		return 0;
	}
	if (strcmp(ph, "outcome") && strcmp(ph, "result") &&
	    strcmp(ph, "done"))
		return cd_error_set(err, CD_ERR_DATA, lineno, "ledger line is "
				    "neither an intent nor an outcome");
	ts = jtime(f, K_TS, K_TIME);
	if (ts < 0)
		return cd_error_set(err, CD_ERR_DATA, lineno, "\"ts\" is not "
				    "an RFC 3339 time");
	it->bits = (it->bits | (IT_INTENT)) & 0x3Fu;
	if (outcome_ok(f)) {
		it->bits = (it->bits | IT_DONE) & ~(unsigned)IT_FAILED & 0x3Fu;
		if (ts > 0 && (!it->published || (uint32_t)ts < it->published))
			it->published = (uint32_t)ts;
	} else if (!(it->bits & IT_DONE)) {
		it->bits = (it->bits | (IT_FAILED)) & 0x3Fu;
	}
	return 0;
}

int report_add_json(struct report *r, enum report_kind kind,
		    const char *line, size_t len, long lineno,
		    struct cd_error *err)
{
	struct fields fs, *f = &fs;
	const char *id;
	char idbuf[64];
	struct ritem *it;
	uint32_t num;
	size_t k;
	int rc = 0;

	if (len > REPORT_LINE_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, lineno, "line longer "
				    "than %u bytes", REPORT_LINE_MAX);
	/* the strings of a line never need more than twice its length */
	if (r->scratch_cap < 2 * len + 256) {
		char *n = realloc(r->scratch, 2 * len + 256);

		if (!n)
			return cd_error_set(err, CD_ERR_NOMEM, lineno,
					    "out of memory");
		r->scratch = n;
		r->scratch_cap = 2 * len + 256;
	}
	memset(f, 0, sizeof(*f));
	for (k = 0; k < K_N; k++)
		f->m[k].key = key_names[k];
	f->scratch = r->scratch;
	f->cap = r->scratch_cap;
	if (jsonscan_object(line, len, f->m, K_N, err)) {
		err->line = lineno;
		return CD_ERR_DATA;
	}
	id = record_id(f, idbuf, sizeof(idbuf));
	if (!id)
		return cd_error_set(err, CD_ERR_DATA, lineno, "no \"id\" (a "
				    "string or an integer)");
	if ((rc = item_get(r, id, strlen(id), &it, &num, lineno, err)) != 0)
		return rc;
	if (r->model && !(it->bits & IT_TEXT) && kind != REPORT_LEDGER) {
		const char *text = fstr(f, K_TEXT);

		if (text && *text) {
			it->bits = (it->bits | (IT_TEXT)) & 0x3Fu;
			if (rwords_text(r, text, strlen(text)))
				return cd_error_set(err, CD_ERR_NOMEM, lineno,
						    "out of memory");
		}
	}
	switch (kind) {
	case REPORT_SUGGESTIONS:
		rc = add_suggestion(r, f, it, id, lineno, err);
		break;
	case REPORT_JOURNAL:
		rc = add_journal(r, f, it, num, lineno, err);
		break;
	case REPORT_LEDGER:
		rc = add_ledger(f, it, lineno, err);
		break;
	case REPORT_COMMENTS:
		it->bits = (it->bits | (IT_COMMENT)) & 0x3Fu;
		rc = set_created(it, jtime(f, K_CREATED_AT, K_CREATE_TIME),
				 lineno, err);
		break;
	default:
		rc = cd_error_set(err, CD_ERR_USAGE, lineno, "not a kind of "
				  "line the report reads");
	}
	if (!rc && f->bad)      /* a string that could not be read */
		return cd_error_set(err, f->bad, lineno, "%s", f->bad_err.msg);
	return rc == -1 ? CD_ERR_LIMIT : rc;  /* -1: a name table */
}

/* ---- batch CSV --------------------------------------------------------- */

static long column(const char *const *names, size_t n, const char *const *want)
{
	size_t i, j;

	for (j = 0; want[j]; j++)
		for (i = 0; i < n; i++)
			if (!strcasecmp(names[i], want[j]))
				return (long)i;
	return -1;
}

int report_csv_begin(struct report *r, const char *const *names, size_t n,
		     struct cd_error *err)
{
	static const char *const id[] = { "id", "comment_id", "cid", NULL };
	static const char *const cat[] = { "category", NULL };
	static const char *const conf[] = { "confidence", NULL };
	static const char *const tpl[] = { "template", NULL };
	static const char *const tone[] = { "tone_issues", NULL };
	static const char *const time[] = {
		"created_at", "create_time", "time", "timestamp", NULL
	};
	static const char *const reply[] = { "reply", NULL };
	static const char *const flags[] = { "flags", NULL };
	static const char *const text[] = {
		"text", "comment", "message", "content", "body",
		"comment_text", NULL
	};

	r->col_id = column(names, n, id);
	r->col_cat = column(names, n, cat);
	r->col_conf = column(names, n, conf);
	r->col_tpl = column(names, n, tpl);
	r->col_tone = column(names, n, tone);
	r->col_time = column(names, n, time);
	r->col_reply = column(names, n, reply);
	r->col_flags = column(names, n, flags);
	r->col_text = column(names, n, text);    /* for the samples */
	if (r->col_id < 0 || r->col_cat < 0)
		return cd_error_set(err, CD_ERR_DATA, 1, "not a batch CSV: the "
				    "header has no %s column",
				    r->col_id < 0 ? "id" : "category");
	return 0;
}

static const char *field(const char *const *f, size_t n, long col)
{
	return col >= 0 && (size_t)col < n ? f[col] : NULL;
}

int report_add_csv(struct report *r, const char *const *fields,
		   const size_t *lens, size_t n, long lineno,
		   struct cd_error *err)
{
	const char *id = field(fields, n, r->col_id), *s;
	struct ritem *it;
	uint32_t num;
	int cat, rc;

	if (r->col_id < 0)
		return cd_error_set(err, CD_ERR_USAGE, lineno, "no batch CSV "
				    "header");
	if (!id || !*id || lens[r->col_id] != strlen(id))
		return cd_error_set(err, CD_ERR_DATA, lineno, "no id");
	if ((rc = item_get(r, id, strlen(id), &it, &num, lineno, err)) != 0)
		return rc;
	if (r->model && !(it->bits & IT_TEXT) &&
	    (s = field(fields, n, r->col_text)) && *s) {
		it->bits = (it->bits | (IT_TEXT)) & 0x3Fu;
		if (rwords_text(r, s, strlen(s)))
			return cd_error_set(err, CD_ERR_NOMEM, lineno,
					    "out of memory");
	}
	cat = cat_of(r, field(fields, n, r->col_cat), lineno, err);
	if (cat < 0)
		return CD_ERR_LIMIT;
	if (!cat)
		return cd_error_set(err, CD_ERR_DATA, lineno, "no category");
	if ((s = field(fields, n, r->col_conf)) && *s) {
		char *end;
		double c = strtod(s, &end);

		if (*end || !(c >= 0 && c <= 1))
			return cd_error_set(err, CD_ERR_DATA, lineno, "confidence "
					    "'%.20s' is not a number in [0, 1]",
					    s);
		set_conf(it, c);
	}
	if ((s = field(fields, n, r->col_time)) && *s &&
	    set_created(it, comment_parse_time(s), lineno, err))
		return CD_ERR_DATA;
	if ((s = field(fields, n, r->col_flags)) && *s) {
		/* flags joined by ';' */
		while (*s) {
			size_t k = strcspn(s, ";");
			long i;

			if (k) {
				i = rnames_get(&r->flags, s, k, "flags", lineno,
					       err);
				if (i < 0)
					return CD_ERR_LIMIT;
				it->flags = (it->flags | (1u << i)) & 0xFFFFu;
			}
			s += k + (s[k] == ';');
		}
	}
	if ((s = field(fields, n, r->col_tone)) && !(it->bits & IT_DRAFTED)) {
		int any = 0, error = 0;

		/* rule:severity pairs joined by ';' */
		while (*s) {
			size_t k = strcspn(s, ";");
			const char *colon = memchr(s, ':', k);

			if (colon) {
				char sev[16];
				size_t sl = k - (size_t)(colon - s) - 1;

				snprintf(sev, sizeof(sev), "%.*s",
					 (int)(sl < 15 ? sl : 15), colon + 1);
				if (tone_one(r, r->tone_draft, s,
					     (size_t)(colon - s),
					     severity_of(sev), &any, &error,
					     lineno, err))
					return CD_ERR_LIMIT;
			}
			s += k + (s[k] == ';');
		}
		if ((s = field(fields, n, r->col_reply)) && *s) {
			r->drafts_with_tone++;
			r->drafts_with_error += (uint64_t)error;
		}
	}
	return draft_common(r, it, id, cat, field(fields, n, r->col_tpl),
			    NULL, field(fields, n, r->col_reply),
			    field(fields, n, r->col_text), lineno, err) ?
		CD_ERR_DATA : 0;
}

/* ---- the figures ------------------------------------------------------- */

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
		const struct ritem *it = item_at(r, i);

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
		const struct ritem *it = item_at(r, i);
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
		if (item_at(r, i)->created)
			v[n++] = (uint64_t)item_at(r, i)->created << 32 | i;
	rsort_u64(v, n);
	m = monitor_new(&r->mon, on_event, r, err);
	if (!m) {
		free(v);
		return -1;
	}
	for (i = 0; i < n && !rc; i++) {
		const struct ritem *it = item_at(r, (uint32_t)v[i]);
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
		const struct ritem *it = item_at(r, i);
		struct rdec dd, *d = &dd;
		int model, person, k;

		dec_get(it, d);
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
			const struct ritem *it = item_find(r,
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
			const struct ritem *it = item_at(r, i);
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

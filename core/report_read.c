/*
 * report_read.c - the crisis report's input readers (report.h:
 * report_detect, report_add_json, report_csv_begin, report_add_csv): each
 * line or row is scanned once, its comment's record found or made by id
 * (report.c) and what it says counted or packed into the record.
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

/* ---- JSON lines -------------------------------------------------------- */

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
	/* the strings of m[] read so far (fstr): each is unescaped and
	 * checked once per line, however many readers ask for it */
	uint32_t have;          /* bit k: str[k] is known */
	const char *str[K_N];
	size_t len[K_N];
};

_Static_assert(K_N <= 32, "a bit per member in fields.have");

/* The text of a string value (unescaped, checked) and its length into
 * *len (may be NULL), or NULL. */
static const char *mstrn(struct fields *f, const struct jsonscan_member *m,
			 size_t *len)
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
	if (len)
		*len = n;
	return out;
}

static const char *mstr(struct fields *f, const struct jsonscan_member *m)
{
	return mstrn(f, m, NULL);
}

/* Member k's string (read once per line: the text and the reply are
 * asked for by more than one reader) and its length into *len. */
static const char *fstrn(struct fields *f, enum key k, size_t *len)
{
	if (!(f->have & (1u << k))) {
		f->len[k] = 0;
		f->str[k] = mstrn(f, &f->m[k], &f->len[k]);
		f->have |= 1u << k;
	}
	if (len)
		*len = f->len[k];
	return f->str[k];
}

static const char *fstr(struct fields *f, enum key k)
{
	return fstrn(f, k, NULL);
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
		/* len <= RWORD_MAX: memcmp stays inside t[i].w */
		if (!memcmp(t[i].w, s, len) && !t[i].w[len]) {
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
			rstack_pop(r, num, &nd, &more);
		it->stacked = (unsigned)more & 1u;
		rdec_set(it, &nd);       /* the one under it, or nothing */
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

		rdec_get(it, &old);
		if (rstack_push(r, num, &old, lineno, err))
			return CD_ERR_NOMEM;
		it->stacked = 1;
	}
	rdec_set(it, &nd);
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
	if ((rc = ritem_get(r, id, strlen(id), &it, &num, lineno, err)) != 0)
		return rc;
	if (r->model && !(it->bits & IT_TEXT) && kind != REPORT_LEDGER) {
		size_t tlen;
		const char *text = fstrn(f, K_TEXT, &tlen);

		if (text && *text) {
			it->bits = (it->bits | (IT_TEXT)) & 0x3Fu;
			if (rwords_text(r, text, tlen))
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
	if ((rc = ritem_get(r, id, strlen(id), &it, &num, lineno, err)) != 0)
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

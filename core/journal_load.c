/*
 * journal_load.c - reading a journal: the line scanner, the id index, the
 * claims and decisions a line applies, open and close.  See journal.c for
 * what the index is and journal_internal.h for what the two files share.
 */
#include "journal_internal.h"
#include "atomic.h"
#include "jsonscan.h"
#include "jsonw.h"
#include "lineio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/file.h>
#include <unistd.h>

#include <cjson/cJSON.h>

const char *const jn_kinds[NKINDS] = {
	"approve", "skip", "hide", "reject", "escalate"
};

/* ---- reading a line ----------------------------------------------------- */

static int span_is(const struct span *s, const char *word)
{
	return s->s && s->n == strlen(word) && !memcmp(s->s, word, s->n);
}

/*
 * 1 when cJSON may read line[0..n) otherwise than RFC 8259 (and
 * core/jsonscan) does, so the line goes to cJSON: a \u escape (cJSON
 * refuses a lone surrogate and ends a string at \u0000).  Numbers need
 * no such care: the cJSON of Debian 12 (1.7.15-1+deb12u4) reads one of
 * any length, as jsonscan does (regress-cjson-differs.jsonl in the fuzz
 * corpus holds both cases).
 */
static int needs_cjson(const char *line, size_t n)
{
	const char *p = line, *end = line + n;

	while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == 'u')
			return 1;
		p += 2;                 /* an escaped backslash is one escape */
		if (p >= end)
			break;
	}
	return 0;
}

static int kind_of_span(const struct span *d)
{
	int k;

	for (k = 0; k < NKINDS; k++)
		if (span_is(d, jn_kinds[k]))
			return k;
	if (span_is(d, "claim"))
		return CLAIM;
	if (span_is(d, "release"))
		return RELEASE;
	return span_is(d, "undo") ? UNDO : -1;
}

int jn_kind_of(const char *d)
{
	struct span s = { d, strlen(d) };

	return kind_of_span(&s);
}

int jn_strbuf_set(struct strbuf *b, const char *s, size_t n)
{
	if (b->cap < n + 1) {
		char *p = realloc(b->s, n + 1);

		if (!p)
			return CD_ERR_NOMEM;
		b->s = p;
		b->cap = n + 1;
	}
	memcpy(b->s, s, n);
	b->s[n] = '\0';
	return 0;
}

/* The approver member jsonscan found, as read_line() describes it. */
static void scan_who(const struct jsonscan_member *m, struct strbuf *wbuf,
		     struct span *who)
{
	struct cd_error err;
	size_t len;

	who->s = NULL;
	who->n = 0;
	if (m->type != JSONSCAN_STRING)
		return;
	if (!m->escaped) {
		who->s = m->val;
		who->n = m->len;
		return;
	}
	/* escaped (no \u: needs_cjson): it only shrinks */
	if (jn_strbuf_set(wbuf, m->val, m->len) ||
	    jsonscan_string(m, wbuf->s, m->len + 1, &len, &err)) {
		who->n = 1;     /* invalid UTF-8 (cJSON takes it as it is) */
		return;
	}
	who->s = wbuf->s;
	who->n = len;
}

/*
 * The decision on a line (NUL-terminated at n): its kind (UNDO for undo)
 * with its id in *id (in the line, or copied to buf), -1 when the line is
 * not a decision, CD_ERR_NOMEM.  With who (else NULL): the "approver"
 * string in *who (in the line or copied to wbuf; s NULL when there is none,
 * s NULL and n 1 when jsonscan could not say: read the line back).
 *
 * core/jsonscan reads the line (strict RFC 8259, nothing allocated) unless
 * needs_cjson() says cJSON could read it otherwise; whatever jsonscan
 * refuses goes to cJSON_Parse() too, so what counts as a decision is
 * exactly what cJSON reads (tests/fuzz/fuzz_journal.c checks that against
 * a cJSON-only reference), and journal_get() can always read it back.
 */
static int read_line(const char *line, size_t n, struct strbuf *buf,
		     struct span *id, struct strbuf *wbuf, struct span *who)
{
	struct jsonscan_member w[3] = { { "id", 0, NULL, 0, 0 },
					{ "decision", 0, NULL, 0, 0 },
					{ "approver", 0, NULL, 0, 0 } };
	struct cd_error err;
	cJSON *o, *vi, *vd, *va;
	int kind = -1;

	/* a NUL before the end stops jsonscan (a control character) */
	if (!needs_cjson(line, n) &&
	    !jsonscan_object(line, n, w, who ? 3 : 2, &err)) {
		char d[16];
		struct span ds = { w[1].val, w[1].len };
		size_t len;

		if (w[0].type != JSONSCAN_STRING ||
		    w[1].type != JSONSCAN_STRING)
			return -1;
		if (who)
			scan_who(&w[2], wbuf, who);
		if (w[1].escaped) {     /* "appr\/ove" is not a kind */
			if (jsonscan_string(&w[1], d, sizeof(d), &len, &err))
				return -1;
			ds.s = d;
			ds.n = len;
		}
		if ((kind = kind_of_span(&ds)) < 0 || !w[0].escaped) {
			id->s = w[0].val;
			id->n = w[0].len;
			return kind;
		}
		/* an escaped id, without \u: it only shrinks */
		if (jn_strbuf_set(buf, w[0].val, w[0].len))
			return CD_ERR_NOMEM;
		if (!jsonscan_string(&w[0], buf->s, w[0].len + 1, &len, &err)) {
			id->s = buf->s;
			id->n = len;
			return kind;
		}
		/* invalid UTF-8, which cJSON takes as it is: ask cJSON */
	}
	/* the rest as cJSON reads it: as far as a NUL, as always */
	kind = -1;
	o = cJSON_Parse(line);
	vi = cJSON_GetObjectItemCaseSensitive(o, "id");
	vd = cJSON_GetObjectItemCaseSensitive(o, "decision");
	va = cJSON_GetObjectItemCaseSensitive(o, "approver");
	if (cJSON_IsString(vi) && cJSON_IsString(vd) &&
	    (kind = jn_kind_of(vd->valuestring)) >= 0) {
		if (jn_strbuf_set(buf, vi->valuestring, strlen(vi->valuestring)))
			kind = CD_ERR_NOMEM;
		id->s = buf->s;
		id->n = strlen(buf->s);
		if (who) {
			who->s = NULL;
			who->n = 0;
			if (!cJSON_IsString(va))
				;
			else if (jn_strbuf_set(wbuf, va->valuestring,
					       strlen(va->valuestring)))
				who->n = 1;     /* no memory: read it later */
			else {
				who->s = wbuf->s;
				who->n = strlen(wbuf->s);
			}
		}
	}
	cJSON_Delete(o);
	return kind;
}

/* ---- the index ---------------------------------------------------------- */

static size_t node_len(const struct node *n)
{
	return (size_t)(n->where >> 4) & ((1u << 21) - 1);
}

/*
 * A 32-bit hash of s[0..n), 8 bytes a step (a multiply and a shift per
 * word, then MurmurHash3's 64-bit finaliser); only for the id table.
 */
static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, v;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&v, s, 8);
		h = (h ^ v) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	if (n) {
		v = 0;
		memcpy(&v, s, n);
		h = (h ^ v) * 0xFF51AFD7ED558CCDULL;
	}
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Node i's line read back into j->line (NUL-terminated): 0 or -1. */
int jn_read_node(struct journal *j, uint32_t i)
{
	const struct node *n = &j->nodes[i];
	size_t len = node_len(n), got = 0;
	off_t off = (off_t)node_off(n);

	if (j->line_at == (uint64_t)off + 1)
		return 0;       /* asked again: a lookup, then a get */
	j->line_at = 0;
	if (j->line.cap < len + 1) {
		char *p = realloc(j->line.s, len + 1);

		if (!p)
			return -1;
		j->line.s = p;
		j->line.cap = len + 1;
	}
	while (got < len) {
		ssize_t r = pread(j->fd, j->line.s + got, len - got,
				  off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	j->line.s[len] = '\0';
	j->line_at = (uint64_t)off + 1;
	return 0;
}

static struct recent *recent_slot(struct journal *j, uint64_t off)
{
	return j->recent ? &j->recent[(off * 0x9E3779B97F4A7C15ULL) >> 52 &
				      (RECENT - 1)] : NULL;
}

/* Remember that the line at off holds a decision on id. */
static void recent_put(struct journal *j, uint64_t off, const struct span *id)
{
	struct recent *r = recent_slot(j, off);

	if (!r || id->n > sizeof(r->id))
		return;
	r->off = off + 1;
	r->n = (uint32_t)id->n;
	memcpy(r->id, id->s, id->n);
}

/*
 * The id on node i's line (valid until the next call): from the recent
 * ids, else read back into j->id_back; 0 or -1.
 */
int jn_node_id(struct journal *j, uint32_t i, struct span *id)
{
	const struct recent *r = recent_slot(j, node_off(&j->nodes[i]));

	if (r && r->off == node_off(&j->nodes[i]) + 1) {
		id->s = r->id;
		id->n = r->n;
		return 0;
	}
	if (jn_read_node(j, i))
		return -1;
	return read_line(j->line.s, node_len(&j->nodes[i]), &j->id_back,
			 id, NULL, NULL) < 0 ? -1 : 0;
}

static int node_has_id(struct journal *j, uint32_t i, const char *s, size_t n)
{
	struct span id;

	return !jn_node_id(j, i, &id) && id.n == n && !memcmp(id.s, s, n);
}

static int grow_slots(struct journal *j)
{
	size_t n = j->nslots ? j->nslots * 2 : 1024, i, k;
	uint64_t *s = calloc(n, sizeof(*s));

	if (!s)
		return CD_ERR_NOMEM;
	for (i = 0; i < j->nslots; i++) {
		if (!j->slots[i])
			continue;
		for (k = (size_t)(j->slots[i] >> 32) & (n - 1); s[k];
		     k = (k + 1) & (n - 1))
			;
		s[k] = j->slots[i];
	}
	free(j->slots);
	j->slots = s;
	j->nslots = n;
	return 0;
}

/* Grow an array of *cap elements of size sz by half; 0 or CD_ERR_NOMEM. */
static int grow(void **p, uint32_t *cap, size_t sz)
{
	size_t n = *cap ? (size_t)*cap + *cap / 2 : 1024;
	void *q;

	if (n >= NONE)
		n = NONE - 1;
	if (n <= *cap)
		return CD_ERR_NOMEM;
	q = realloc(*p, n * sz);
	if (!q)
		return CD_ERR_NOMEM;
	*p = q;
	*cap = (uint32_t)n;
	return 0;
}

/*
 * The index of id (s, n bytes): the entry with its hash whose standing
 * decision's line has this id, else one with its hash and no standing
 * decision (it holds nothing, so it can stand for any id), else a new one
 * when create.  NONE when not found or out of memory.
 */
uint32_t jn_lookup(struct journal *j, const char *s, size_t n, int create)
{
	uint32_t h = s == j->hint_s && n == j->hint_n ? j->hint_h :
		     hash_bytes(s, n);
	size_t mask, i;
	uint32_t spare = NONE;

	if (create && (j->nids + 1) * 2 > j->nslots && grow_slots(j))
		return NONE;
	mask = j->nslots - 1;
	for (i = (size_t)h & mask; j->slots[i]; i = (i + 1) & mask) {
		uint32_t k = (uint32_t)j->slots[i] - 1;

		if ((uint32_t)(j->slots[i] >> 32) != h)
			continue;
		if (j->top[k] == NONE) {
			if (spare == NONE)
				spare = k;
		} else if (node_has_id(j, j->top[k], s, n)) {
			return k;
		}
	}
	if (spare != NONE || !create)
		return spare;
	if (j->nids == j->capids &&
	    grow((void **)&j->top, &j->capids, sizeof(*j->top)))
		return NONE;
	j->top[j->nids] = NONE;
	j->slots[i] = (uint64_t)h << 32 | (j->nids + 1);
	return j->nids++;
}

/*
 * candor writes each line starting {"id":"...": hash that id and ask for
 * its slot now, so the cache miss of the lookup overlaps the scan of the
 * line (a third of the load time on a 1M-decision journal).  The hash is
 * kept for jn_lookup(), which uses it when the scan finds the same id.
 */
static void prefetch_id(struct journal *j, const char *line, size_t n)
{
	const char *q;

	j->hint_s = NULL;
	if (n < 8 || memcmp(line, "{\"id\":\"", 7) ||
	    !(q = memchr(line + 7, '"', n - 7)))
		return;
	j->hint_s = line + 7;
	j->hint_n = (size_t)(q - j->hint_s);
	j->hint_h = hash_bytes(j->hint_s, j->hint_n);
	__builtin_prefetch(&j->slots[j->hint_h & (j->nslots - 1)]);
}

/* Drop the nodes of undone decisions. */
static int compact(struct journal *j)
{
	uint32_t *map = malloc((size_t)j->nn * sizeof(*map));
	uint32_t i, n = 0;

	if (!map)
		return CD_ERR_NOMEM;
	for (i = 0; i < j->nn; i++) {
		if (node_dead(&j->nodes[i])) {
			map[i] = NONE;
			continue;
		}
		map[i] = n;
		j->nodes[n] = j->nodes[i];
		j->who[n] = j->who[i];
		/* prev is earlier and standing (an undo pops the latest) */
		if (j->nodes[n].prev != NONE)
			j->nodes[n].prev = map[j->nodes[n].prev];
		n++;
	}
	for (i = 0; i < j->nids; i++)
		if (j->top[i] != NONE)
			j->top[i] = map[j->top[i]];
	free(map);
	j->nn = n;
	j->ndead = 0;
	return 0;
}

/* ---- claims ------------------------------------------------------------- */

struct claim *jn_claim_find(const struct journal *j, const char *id,
			    size_t n)
{
	size_t i;

	for (i = 0; i < j->nclaims; i++)
		if (strlen(j->claims[i].id) == n && !memcmp(j->claims[i].id, id, n))
			return &j->claims[i];
	return NULL;
}

static void claim_drop(struct journal *j, const char *id, size_t n)
{
	struct claim *c = jn_claim_find(j, id, n);

	if (!c)
		return;
	free(c->id);
	free(c->who);
	*c = j->claims[--j->nclaims];
}

static int claim_set(struct journal *j, const char *id, size_t n,
		     const char *who, int64_t until)
{
	struct claim *c = jn_claim_find(j, id, n);
	char *w = strdup(who);

	if (!w)
		return CD_ERR_NOMEM;
	if (!c) {
		if (j->nclaims == j->capclaims) {
			size_t cap = j->capclaims ? j->capclaims * 2 : 16;
			struct claim *nc = realloc(j->claims, cap * sizeof(*nc));

			if (!nc) {
				free(w);
				return CD_ERR_NOMEM;
			}
			j->claims = nc;
			j->capclaims = cap;
		}
		c = &j->claims[j->nclaims];
		c->id = strndup(id, n);
		if (!c->id) {
			free(w);
			return CD_ERR_NOMEM;
		}
		j->nclaims++;
	} else {
		free(c->who);
	}
	c->who = w;
	c->until = until;
	return 0;
}

/* Our own claim or release, as apply_claim() would read it back. */
int jn_claim_apply_entry(struct journal *j, const struct span *id,
			 int kind, const struct journal_entry *e)
{
	if (kind == RELEASE) {
		claim_drop(j, id->s, id->n);
		return 0;
	}
	return claim_set(j, id->s, id->n, e->approver,
			 (int64_t)strtoll(e->until, NULL, 10));
}

/* A claim or release line: who and until come from the line itself. */
static int apply_claim(struct journal *j, const struct span *id, int kind,
		       const char *line)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *who = cJSON_GetObjectItemCaseSensitive(o, "approver");
	const cJSON *until = cJSON_GetObjectItemCaseSensitive(o, "until");
	int rc = 0;

	if (kind == RELEASE)
		claim_drop(j, id->s, id->n);
	else if (cJSON_IsString(who) && cJSON_IsNumber(until))
		rc = claim_set(j, id->s, id->n, who->valuestring,
			       (int64_t)until->valuedouble);
	cJSON_Delete(o);
	return rc;
}

/*
 * The table's byte for approver s[0..n) (s NULL: none, n 1 for WHO_LINE),
 * added when new and the table has room.
 */
uint8_t jn_who_index(struct journal *j, const struct span *who)
{
	size_t i, k = j->who_last;

	if (!who->s)
		return who->n ? WHO_LINE : WHO_NONE;
	if (k && j->wholen[k - 1] == who->n &&
	    !memcmp(j->whos[k - 1], who->s, who->n))
		return j->who_last;
	for (i = 0; i < j->nwhos; i++)
		if (j->wholen[i] == who->n && !memcmp(j->whos[i], who->s, who->n))
			return j->who_last = (uint8_t)(i + 1);
	/* a name with a NUL in it cannot be told from a shorter one */
	if (j->nwhos == WHO_MAX || memchr(who->s, '\0', who->n) ||
	    !(j->whos[j->nwhos] = malloc(who->n + 1)))
		return WHO_LINE;
	memcpy(j->whos[j->nwhos], who->s, who->n);
	j->whos[j->nwhos][who->n] = '\0';
	j->wholen[j->nwhos] = who->n;
	return j->who_last = (uint8_t)++j->nwhos;
}

/*
 * Apply one decision (kind UNDO: undo) whose line is at off, len bytes,
 * made by who (a jn_who_index()).
 */
int jn_apply(struct journal *j, const struct span *id, int kind,
	     uint64_t off, size_t len, uint8_t who)
{
	uint32_t k;
	struct node *n;

	if (kind == UNDO) {
		uint32_t t;

		k = jn_lookup(j, id->s, id->n, 0);
		if (k == NONE || j->top[k] == NONE)
			return 0;
		t = j->top[k];
		j->nodes[t].where |= 1;
		j->top[k] = j->nodes[t].prev;
		if (j->top[k] == NONE)
			j->decided--;
		j->ndead++;
		/* the last node is always standing: journal_last_id() */
		while (j->nn > 0 && node_dead(&j->nodes[j->nn - 1])) {
			j->nn--;
			j->ndead--;
		}
		if (j->ndead > 1024 && j->ndead > j->nn / 4)
			return compact(j);
		return 0;
	}
	claim_drop(j, id->s, id->n);   /* decided: nobody holds it now */
	k = jn_lookup(j, id->s, id->n, 1);
	if (k == NONE)
		return CD_ERR_NOMEM;
	if (j->nn == j->capn &&
	    grow((void **)&j->nodes, &j->capn, sizeof(*j->nodes)))
		return CD_ERR_NOMEM;
	if (j->capwho < j->capn) {
		uint8_t *w = realloc(j->who, j->capn);

		if (!w)
			return CD_ERR_NOMEM;
		j->who = w;
		j->capwho = j->capn;
	}
	recent_put(j, off, id);
	j->who[j->nn] = who;
	n = &j->nodes[j->nn];
	n->where = off << 25 | (uint64_t)len << 4 | (uint64_t)kind << 1;
	n->id = k;
	n->prev = j->top[k];
	if (n->prev == NONE)
		j->decided++;
	j->top[k] = j->nn++;
	return 0;
}

static void warn_once(char *warning, size_t wsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn_once(char *warning, size_t wsz, const char *fmt, ...)
{
	va_list ap;

	if (!wsz || warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(warning, wsz, fmt, ap);
	va_end(ap);
}

/*
 * Read the existing file.  A line that is not a decision is passed over
 * with a warning: a torn one (a crash mid-write) or, when complete but
 * longer than JOURNAL_LINE_MAX, one that says so; neither is fatal.
 */
/*
 * Read the file from j->read_off (where the fd stands) to its end, and
 * move read_off there.
 */
int jn_load(struct journal *j, char *warning, size_t wsz,
	    struct cd_error *err)
{
	const char *path = j->path;
	uint64_t base = j->read_off;
	struct line_reader *lr = lr_new(j->fd, path, JOURNAL_LINE_MAX, err);
	off_t at;
	const char *line;
	size_t n;
	int rc = 0, got;

	if (!lr)
		return CD_ERR_NOMEM;
	while ((got = lr_next(lr, &line, &n, err)) != 0) {
		long lineno = lr_lineno(lr);
		uint64_t off = base + (uint64_t)lr_offset(lr);
		int complete = lr_newline(lr), kind = -1;
		struct span id, who = { NULL, 0 };

		/* after a torn last line the next append starts afresh */
		j->need_newline = !complete;
		if (got == CD_ERR_LIMIT && complete) {
			warn_once(warning, wsz, "%s: line %ld is longer than the "
				  "limit (%u MiB); ignoring it", path, lineno,
				  JOURNAL_LINE_MAX >> 20);
			continue;
		}
		if (got < 0 && got != CD_ERR_LIMIT) {
			rc = got;
			break;
		}
		if (got == 1 && n == 0)
			continue;
		if (got == 1) {
			prefetch_id(j, line, n);
			kind = read_line(line, n, &j->id_load, &id,
					 &j->who_load, &who);
		}
		if (kind == CD_ERR_NOMEM) {
			rc = cd_error_set(err, kind, lineno, "out of memory");
			break;
		}
		if (kind < 0) {
			/*
			 * A line torn by a crash mid-write (the last one, or an
			 * earlier one we already stepped over): not a decision,
			 * so it is passed over with a warning, never fatal.
			 */
			warn_once(warning, wsz, "%s:%ld: ignoring a torn or "
				  "malformed line (candor was stopped while "
				  "writing it)", path, lineno);
			continue;
		}
		if (off >> OFF_BITS) {
			rc = cd_error_set(err, CD_ERR_LIMIT, lineno, "journal '%s' "
					  "is longer than the limit (1 TiB)", path);
			break;
		}
		if (kind == CLAIM || kind == RELEASE)
			rc = apply_claim(j, &id, kind, line);
		else
			rc = jn_apply(j, &id, kind, off, n, jn_who_index(j, &who));
		if (rc) {
			cd_error_set(err, rc, lineno, "out of memory");
			break;
		}
	}
	lr_free(lr);
	j->hint_s = NULL;
	at = lseek(j->fd, 0, SEEK_CUR);
	if (!rc && at >= 0)
		j->read_off = (uint64_t)at;
	return rc;
}

static struct journal *open_mode(const char *path, int flags, char *warning,
				  size_t wsz, struct cd_error *err);

struct journal *journal_open(const char *path, char *warning, size_t wsz,
			     struct cd_error *err)
{
	return open_mode(path, O_RDWR | O_APPEND | O_CREAT, warning, wsz, err);
}

struct journal *journal_read(const char *path, char *warning, size_t wsz,
			     struct cd_error *err)
{
	return open_mode(path, O_RDONLY, warning, wsz, err);
}

static struct journal *open_mode(const char *path, int flags, char *warning,
				  size_t wsz, struct cd_error *err)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (wsz)
		warning[0] = '\0';
	if (j)
		j->recent = calloc(RECENT, sizeof(*j->recent)); /* optional */
	if (!j || grow_slots(j)) {
		if (j)
			free(j->recent);
		free(j);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	j->fd = open(path, flags | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot open journal '%s': %s",
			     path, strerror(errno));
		journal_close(j);
		return NULL;
	}
	/* the file's name must survive a power cut as its lines do */
	if ((flags & O_CREAT) && atomic_sync_dir(path)) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot sync the directory of "
			     "journal '%s': %s", path, strerror(errno));
		journal_close(j);
		return NULL;
	}
	j->path = strdup(path);
	if (!j->path) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		journal_close(j);
		return NULL;
	}
	if (jn_load(j, warning, wsz, err)) {
		journal_close(j);
		return NULL;
	}
	return j;
}

void journal_close(struct journal *j)
{
	size_t i;

	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	for (i = 0; i < j->capcache; i++)
		cJSON_Delete(j->cache[i].o);
	free(j->cache);
	for (i = 0; i < j->nclaims; i++) {
		free(j->claims[i].id);
		free(j->claims[i].who);
	}
	free(j->claims);
	free(j->path);
	free(j->line.s);
	free(j->id_load.s);
	free(j->who_load.s);
	free(j->id_back.s);
	free(j->last_id.s);
	free(j->slots);
	free(j->recent);
	free(j->top);
	free(j->nodes);
	free(j->who);
	for (i = 0; i < j->nwhos; i++)
		free(j->whos[i]);
	free(j);
}


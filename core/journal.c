/*
 * journal.c - see journal.h.
 *
 * What stays in memory is an index, not the file.  Opening streams the file
 * once through core/lineio (so no line is ever read whole past
 * JOURNAL_LINE_MAX) and keeps
 *   - per id seen: the index of its standing decision, and a slot in an
 *     open-addressing table holding a 32-bit hash of the id beside that
 *     index, so a probe compares hashes without a second cache miss (20
 *     bytes per id with the table's slack; the id's bytes are not kept);
 *   - per decision that stands, or that an undo could bring back: one
 *     16-byte node saying where its line is in the file, its kind, its id,
 *     and the decision it stands over, and one byte naming its approver
 *     in a table of the reviewers seen (the first WHO_MAX of them; past
 *     that, or when the name needs cJSON, the byte says "read the line"),
 *     so the team's tally at quit and "who decided this" read no line.
 *     An undone decision's node is dropped (the nodes are compacted).
 * Two ids with the same hash are told apart by reading back the id from
 * the line of the standing decision (pread(2), page-cached), as are the
 * fields of a decision (category, reply, text) when asked for:
 * journal_get() keeps what it read for the life of the journal (the review
 * loop asks for the comments on screen), journal_each() parses one line at
 * a time.
 *
 * Each line is first read by core/jsonscan, a strict RFC 8259 scanner that
 * allocates nothing, for the top-level "id", "decision" and "approver"; whatever it
 * does not accept outright, or cJSON could read otherwise, goes to
 * cJSON_Parse(), so what counts as a decision is exactly what cJSON reads
 * (tests/fuzz/fuzz_journal.c checks that against a cJSON-only reference).
 */
#include "journal.h"
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

#define NONE UINT32_MAX
#define OFF_BITS 39             /* a journal of up to 512 GiB */
#define NKINDS 5
#define UNDO 5                  /* not a node, like CLAIM and RELEASE */
#define CLAIM 6
#define RELEASE 7

/* A node's approver: none, an index + 1 into the table, or WHO_LINE. */
#define WHO_NONE 0
#define WHO_MAX 254             /* reviewers the table names */
#define WHO_LINE 255            /* not in the table: read the line */

/* The kinds a node can hold; "undo" is never a node. */
static const char *const kinds[] = {
	"approve", "skip", "hide", "reject", "escalate"
};

/*
 * One decision: where = offset << 25 | length << 4 | kind << 1 | dead.
 * The length (at most JOURNAL_LINE_MAX, 21 bits) excludes the newline.
 */
struct node {
	uint64_t where;
	uint32_t id;            /* the id's index (top, slots) */
	uint32_t prev;          /* the decision on the same id it stands over */
};

/*
 * The id of a recent decision, by the offset of its line: a decision on a
 * comment decided a moment ago (a change of mind, an undo) finds the id
 * of the standing line here instead of reading the line back.
 */
#define RECENT 4096             /* entries, a power of two: 256 KiB */
struct recent {
	uint64_t off;           /* the line's offset + 1; 0: empty */
	uint32_t n;
	char id[52];
};

/* A record journal_get() read: its tree lives as long as the journal. */
struct cached {
	uint64_t off;           /* the line's offset + 1; 0: empty slot */
	cJSON *o;               /* NULL when the line no longer parses */
};

/* A growable byte buffer for one string. */
struct strbuf {
	char *s;
	size_t cap;
};

/* A running claim: a reviewer has the comment on screen until `until`. */
struct claim {
	char *id;
	char *who;
	int64_t until;
};

struct journal {
	int fd;
	char *path;             /* for messages */
	uint64_t read_off;      /* the file as far as it is read */
	int locked;             /* we hold the flock */
	struct claim *claims;
	size_t nclaims, capclaims;
	struct node *nodes;     /* file order */
	uint32_t nn, capn, ndead;
	uint8_t *who;           /* per node: its approver (WHO_*) */
	uint32_t capwho;
	char *whos[WHO_MAX];    /* the approvers seen, in order */
	size_t wholen[WHO_MAX];
	size_t nwhos;
	uint8_t who_last;       /* the one the last line named */
	uint32_t *top;          /* per id: its standing decision, or NONE */
	uint32_t nids, capids;
	uint64_t *slots;        /* ids: hash << 32 | index + 1; 0 when empty */
	size_t nslots;          /* power of two, at least twice nids */
	struct recent *recent;  /* RECENT entries, or NULL (no memory) */
	const char *hint_s;     /* while loading: an id whose hash is known */
	size_t hint_n;
	uint32_t hint_h;
	size_t decided;
	int need_newline;       /* the file ends in a torn line */
	struct cached *cache;
	size_t ncache, capcache;        /* capcache: power of two */
	struct strbuf line;     /* a line read back */
	uint64_t line_at;       /* its offset + 1 (0: none): the file only
				 * grows, so a line read once stays valid */
	struct strbuf id_load;  /* an id that needed cJSON, while loading */
	struct strbuf who_load; /* an approver unescaped, while loading */
	struct strbuf id_back;  /* an id read back from a line */
	struct strbuf last_id;  /* journal_last_id()'s answer */
};

/* ---- reading a line ----------------------------------------------------- */

struct span {
	const char *s;          /* NULL: absent (or not a string) */
	size_t n;
};

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
		if (span_is(d, kinds[k]))
			return k;
	if (span_is(d, "claim"))
		return CLAIM;
	if (span_is(d, "release"))
		return RELEASE;
	return span_is(d, "undo") ? UNDO : -1;
}

static int kind_of(const char *d)
{
	struct span s = { d, strlen(d) };

	return kind_of_span(&s);
}

static int strbuf_set(struct strbuf *b, const char *s, size_t n)
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
	if (strbuf_set(wbuf, m->val, m->len) ||
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
		if (strbuf_set(buf, w[0].val, w[0].len))
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
	    (kind = kind_of(vd->valuestring)) >= 0) {
		if (strbuf_set(buf, vi->valuestring, strlen(vi->valuestring)))
			kind = CD_ERR_NOMEM;
		id->s = buf->s;
		id->n = strlen(buf->s);
		if (who) {
			who->s = NULL;
			who->n = 0;
			if (!cJSON_IsString(va))
				;
			else if (strbuf_set(wbuf, va->valuestring,
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

static uint64_t node_off(const struct node *n)
{
	return n->where >> 25;
}

static size_t node_len(const struct node *n)
{
	return (size_t)(n->where >> 4) & ((1u << 21) - 1);
}

static int node_kind(const struct node *n)
{
	return (int)(n->where >> 1) & 7;
}

static int node_dead(const struct node *n)
{
	return (int)(n->where & 1);
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
static int read_node(struct journal *j, uint32_t i)
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
static int node_id(struct journal *j, uint32_t i, struct span *id)
{
	const struct recent *r = recent_slot(j, node_off(&j->nodes[i]));

	if (r && r->off == node_off(&j->nodes[i]) + 1) {
		id->s = r->id;
		id->n = r->n;
		return 0;
	}
	if (read_node(j, i))
		return -1;
	return read_line(j->line.s, node_len(&j->nodes[i]), &j->id_back,
			 id, NULL, NULL) < 0 ? -1 : 0;
}

static int node_has_id(struct journal *j, uint32_t i, const char *s, size_t n)
{
	struct span id;

	return !node_id(j, i, &id) && id.n == n && !memcmp(id.s, s, n);
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
static uint32_t lookup(struct journal *j, const char *s, size_t n, int create)
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
 * kept for lookup(), which uses it when the scan finds the same id.
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

static struct claim *claim_find(const struct journal *j, const char *id,
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
	struct claim *c = claim_find(j, id, n);

	if (!c)
		return;
	free(c->id);
	free(c->who);
	*c = j->claims[--j->nclaims];
}

static int claim_set(struct journal *j, const char *id, size_t n,
		     const char *who, int64_t until)
{
	struct claim *c = claim_find(j, id, n);
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
static int claim_apply_entry(struct journal *j, const struct span *id,
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
static uint8_t who_index(struct journal *j, const struct span *who)
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
 * made by who (a who_index()).
 */
static int apply(struct journal *j, const struct span *id, int kind,
		 uint64_t off, size_t len, uint8_t who)
{
	uint32_t k;
	struct node *n;

	if (kind == UNDO) {
		uint32_t t;

		k = lookup(j, id->s, id->n, 0);
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
	k = lookup(j, id->s, id->n, 1);
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
static int load(struct journal *j, char *warning, size_t wsz,
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
			rc = apply(j, &id, kind, off, n, who_index(j, &who));
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
	if (load(j, warning, wsz, err)) {
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

void journal_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 0, or the cd_buf status of the first failed part. */
static int add_str(struct cd_buf *b, const char *key, const char *v)
{
	int rc = jsonw_key(b, key, 0);

	return rc ? rc : jsonw_str(b, v ? v : "", v ? strlen(v) : 0);
}

/* ,"flags":["safety","legal"] from "safety legal" */
static int add_flags(struct cd_buf *b, const char *flags)
{
	int rc = cd_buf_addstr(b, ",\"flags\":["), first = 1;

	while (*flags) {
		size_t n;

		while (*flags == ' ')
			flags++;
		n = strcspn(flags, " ");
		if (n) {
			if (!first)
				rc |= cd_buf_addch(b, ',');
			rc |= jsonw_str(b, flags, n);
			first = 0;
		}
		flags += n;
	}
	return rc | cd_buf_addch(b, ']');
}

/* The exclusive lock on the file: appends of several reviewers queue. */
static int lock(struct journal *j, struct cd_error *err)
{
	while (flock(j->fd, LOCK_EX)) {
		if (errno != EINTR)
			return cd_error_set(err, CD_ERR_IO, 0, "cannot lock the "
					    "journal '%s': %s", j->path,
					    strerror(errno));
	}
	j->locked = 1;
	return 0;
}

static void unlock(struct journal *j)
{
	if (j->locked)
		flock(j->fd, LOCK_UN);
	j->locked = 0;
}

/* Read what others appended since we last looked (the lock is held). */
static int catch_up(struct journal *j, struct cd_error *err)
{
	char warning[512];
	struct stat st;

	if (fstat(j->fd, &st))
		return cd_error_set(err, CD_ERR_IO, 0, "cannot stat the journal "
				    "'%s': %s", j->path, strerror(errno));
	if ((uint64_t)st.st_size <= j->read_off)
		return 0;
	if (lseek(j->fd, (off_t)j->read_off, SEEK_SET) < 0)
		return cd_error_set(err, CD_ERR_IO, 0, "cannot read the journal "
				    "'%s': %s", j->path, strerror(errno));
	return load(j, warning, sizeof(warning), err);
}

int journal_refresh(struct journal *j, struct cd_error *err)
{
	int rc = lock(j, err);

	if (rc)
		return rc;
	rc = catch_up(j, err);
	unlock(j);
	return rc;
}

/* Who stands in the way of approver deciding or claiming id now, or NULL. */
static const char *taken(struct journal *j, const char *id,
			 const char *approver, int64_t now, int *decided)
{
	const struct claim *c = claim_find(j, id, strlen(id));

	*decided = journal_decision(j, id) != NULL;
	if (*decided)
		return journal_decided_by(j, id);
	if (c && c->until > now && strcmp(c->who, approver))
		return c->who;
	return NULL;
}

static int append_locked(struct journal *j, const struct journal_entry *e,
			 struct cd_error *err);

int journal_append(struct journal *j, const struct journal_entry *e,
		   struct cd_error *err)
{
	int rc = lock(j, err), decided;
	const char *who;

	if (rc)
		return rc;
	rc = catch_up(j, err);
	if (!rc && e->exclusive && strcmp(e->decision, "undo") &&
	    (who = taken(j, e->id, e->approver, e->now, &decided)))
		rc = cd_error_set(err, JOURNAL_TAKEN, 0, "%s %s this comment "
				  "meanwhile", who[0] ? who : "someone",
				  decided ? "decided" : "has");
	if (!rc)
		rc = append_locked(j, e, err);
	unlock(j);
	return rc;
}

int journal_claim(struct journal *j, const char *id, const char *approver,
		  int64_t now, long lease, struct cd_error *err)
{
	struct journal_entry e;
	char until[32];
	int rc = lock(j, err), decided;
	const char *who;

	if (rc)
		return rc;
	rc = catch_up(j, err);
	if (!rc && (who = taken(j, id, approver, now, &decided)))
		rc = cd_error_set(err, JOURNAL_TAKEN, 0, "%s %s this comment",
				  who[0] ? who : "someone",
				  decided ? "decided" : "has");
	if (!rc) {
		memset(&e, 0, sizeof(e));
		e.id = id;
		e.decision = "claim";
		e.approver = approver;
		snprintf(until, sizeof(until), "%lld", (long long)(now + lease));
		e.until = until;
		rc = append_locked(j, &e, err);
	}
	unlock(j);
	return rc;
}

int journal_release(struct journal *j, const char *id, const char *approver,
		    struct cd_error *err)
{
	const struct claim *c;
	struct journal_entry e;
	int rc = lock(j, err);

	if (rc)
		return rc;
	rc = catch_up(j, err);
	c = claim_find(j, id, strlen(id));
	if (!rc && c && !strcmp(c->who, approver)) {
		memset(&e, 0, sizeof(e));
		e.id = id;
		e.decision = "release";
		e.approver = approver;
		rc = append_locked(j, &e, err);
	}
	unlock(j);
	return rc;
}

const char *journal_claimed_by(const struct journal *j, const char *id,
			       int64_t now)
{
	const struct claim *c = claim_find(j, id, strlen(id));

	return c && c->until > now ? c->who : NULL;
}

int journal_each_claim(const struct journal *j, int64_t now,
		       int (*fn)(void *ctx, const char *id, const char *who,
				 int64_t until),
		       void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < j->nclaims; i++)
		if (j->claims[i].until > now &&
		    (rc = fn(ctx, j->claims[i].id, j->claims[i].who,
			     j->claims[i].until)))
			return rc;
	return 0;
}

static int append_locked(struct journal *j, const struct journal_entry *e,
			 struct cd_error *err)
{
	struct cd_buf b;
	char ts[32];
	const char *p;
	size_t left, lead;
	off_t end;
	int rc, bad = 0, kind = kind_of(e->decision);

	if (kind < 0)
		return cd_error_set(err, CD_ERR_USAGE, 0, "unknown decision '%s'",
				    e->decision);
	if (!e->approver)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no approver");
	/*
	 * Fix: every part's status is kept in `bad`.  Only the closing "}\n"
	 * used to be checked, so a field past JOURNAL_LINE_MAX (or a string
	 * cut in the middle by jsonw_str) left a broken line that was written,
	 * counted, and then lost as "torn" on the next open.
	 */
	lead = j->need_newline ? 1 : 0;
	cd_buf_init(&b, JOURNAL_LINE_MAX + lead + 1);
	if (lead)
		bad |= cd_buf_addch(&b, '\n') != 0;
	bad |= cd_buf_addstr(&b, "{\"id\":") != 0;
	bad |= jsonw_str(&b, e->id, strlen(e->id)) != 0;
	if (e->video_id && *e->video_id)
		bad |= add_str(&b, "video_id", e->video_id) != 0;
	bad |= add_str(&b, "decision", e->decision) != 0;
	if (e->category)
		bad |= add_str(&b, "category", e->category) != 0;
	if (e->original_category)
		bad |= add_str(&b, "original_category", e->original_category) != 0;
	if (e->flags)
		bad |= add_flags(&b, e->flags) != 0;
	if (e->template_id)
		bad |= add_str(&b, "template", e->template_id) != 0;
	if (e->fact)
		bad |= add_str(&b, "fact", e->fact) != 0;
	if (e->to)
		bad |= add_str(&b, "to", e->to) != 0;
	if (e->reply)
		bad |= add_str(&b, "reply", e->reply) != 0;
	if (e->edited)
		bad |= cd_buf_addstr(&b, ",\"edited\":true") != 0;
	if (e->override)
		bad |= cd_buf_addstr(&b, ",\"override\":true") != 0;
	if (e->tone) {
		bad |= jsonw_key(&b, "tone", 0) != 0;
		bad |= tone_result_json(e->tone, &b) != 0;
	}
	bad |= add_str(&b, "approver", e->approver) != 0;
	if (!e->ts)
		journal_now(ts, sizeof(ts));
	bad |= add_str(&b, "ts", e->ts ? e->ts : ts) != 0;
	if (e->until) {
		bad |= cd_buf_addstr(&b, ",\"until\":") != 0;
		bad |= cd_buf_addstr(&b, e->until) != 0;
	}
	if (e->text)
		bad |= add_str(&b, "text", e->text) != 0;
	rc = cd_buf_addstr(&b, "}\n");
	/* the line itself, without the newlines, within the reader's limit */
	if (rc || bad || b.len - lead - 1 > JOURNAL_LINE_MAX) {
		cd_buf_release(&b);
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "journal entry longer than %u bytes",
				    JOURNAL_LINE_MAX);
	}
	/* one write on O_APPEND: the line lands whole or torn, never mixed */
	for (p = b.data, left = b.len; left > 0;) {
		ssize_t n = write(j->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = cd_error_set(err, CD_ERR_IO, 0,
					  "cannot write the journal: %s",
					  strerror(errno));
			cd_buf_release(&b);
			return rc;
		}
		p += n;
		left -= (size_t)n;
	}
	/* after a write on O_APPEND the offset is the end of the file */
	end = lseek(j->fd, 0, SEEK_CUR);
	left = b.len;
	cd_buf_release(&b);
	if (fsync(j->fd))
		return cd_error_set(err, CD_ERR_IO, 0,
				    "cannot sync the journal: %s", strerror(errno));
	if (end < (off_t)left)
		return cd_error_set(err, CD_ERR_IO, 0,
				    "cannot find the end of the journal: %s",
				    strerror(errno));
	j->need_newline = 0;
	j->read_off = (uint64_t)end;
	{
		struct span id = { e->id, strlen(e->id) };
		/* jsonw_str writes any C string so that cJSON reads it back */
		struct span who = { e->approver, strlen(e->approver) };

		if (kind == CLAIM || kind == RELEASE)
			rc = claim_apply_entry(j, &id, kind, e);
		else
			rc = apply(j, &id, kind, (uint64_t)end - left + lead,
				   left - lead - 1, who_index(j, &who));
	}
	if (rc)
		return cd_error_set(err, rc, 0, "out of memory");
	return 0;
}

const char *journal_decision(const struct journal *cj, const char *id)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	uint32_t k = lookup(j, id, strlen(id), 0);

	if (k == NONE || j->top[k] == NONE)
		return NULL;
	return kinds[node_kind(&j->nodes[j->top[k]])];
}

size_t journal_decided(const struct journal *j)
{
	return j->decided;
}

const char *journal_last_id(const struct journal *cj)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	struct span id;

	/* the last node is always standing (apply() drops dead ones) */
	if (!j->nn || node_id(j, j->nn - 1, &id) ||
	    strbuf_set(&j->last_id, id.s, id.n))
		return NULL;
	return j->last_id.s;
}

/* The approver on node i's line into j->last_id; NULL when it has none. */
static const char *node_approver(struct journal *j, uint32_t i)
{
	cJSON *o;
	const cJSON *a;
	const char *r = NULL;

	if (j->who[i] != WHO_LINE)
		return j->who[i] == WHO_NONE ? NULL : j->whos[j->who[i] - 1];
	o = read_node(j, i) ? NULL : cJSON_Parse(j->line.s);
	a = cJSON_GetObjectItemCaseSensitive(o, "approver");

	if (cJSON_IsString(a) &&
	    !strbuf_set(&j->last_id, a->valuestring, strlen(a->valuestring)))
		r = j->last_id.s;
	cJSON_Delete(o);
	return r;
}

const char *journal_decided_by(const struct journal *cj, const char *id)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	uint32_t k = lookup(j, id, strlen(id), 0);

	if (k == NONE || j->top[k] == NONE)
		return NULL;
	return node_approver(j, j->top[k]);
}

const char *journal_last_id_by(const struct journal *cj, const char *approver)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	struct span id;
	uint32_t i;

	for (i = j->nn; i-- > 0;) {
		const char *a;

		if (node_dead(&j->nodes[i]) ||
		    j->top[j->nodes[i].id] != i)      /* stood over since */
			continue;
		a = node_approver(j, i);
		if (!a || strcmp(a, approver))
			continue;
		if (node_id(j, i, &id) || strbuf_set(&j->last_id, id.s, id.n))
			return NULL;
		return j->last_id.s;
	}
	return NULL;
}

void journal_tally(const struct journal *cj, const char *approver,
		   struct journal_tally *t)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	struct span me = { approver, strlen(approver) };
	size_t k;
	uint32_t i;
	uint8_t mine = WHO_LINE;

	memset(t, 0, sizeof(*t));
	for (k = 0; k < j->nwhos; k++)
		if (j->wholen[k] == me.n && !memcmp(j->whos[k], me.s, me.n))
			mine = (uint8_t)(k + 1);
	for (i = 0; i < j->nn; i++) {
		const struct node *n = &j->nodes[i];
		const char *a;

		if (node_dead(n) || j->top[n->id] != i)
			continue;
		t->all++;
		t->by_kind[node_kind(n)]++;
		if (j->who[i] == mine && mine != WHO_LINE)
			t->mine++;
		else if (j->who[i] == WHO_LINE &&
			 (a = node_approver(j, i)) && !strcmp(a, approver))
			t->mine++;
	}
}

/* Node i's line parsed by cJSON, or NULL. */
static cJSON *read_back(struct journal *j, uint32_t i)
{
	return read_node(j, i) ? NULL : cJSON_Parse(j->line.s);
}

static const char *str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void fill(const struct journal *j, uint32_t i, const cJSON *o,
		 struct journal_record *out)
{
	const char *id = str_field(o, "id");

	out->id = id ? id : "";
	out->video_id = str_field(o, "video_id");
	out->decision = kinds[node_kind(&j->nodes[i])];
	out->category = str_field(o, "category");
	out->reply = str_field(o, "reply");
	out->text = str_field(o, "text");
	out->corrected = str_field(o, "original_category") != NULL;
	out->approver = str_field(o, "approver");
	out->entry = i;
}

static size_t cache_home(uint64_t key, size_t cap)
{
	return (size_t)(key * 0x9E3779B97F4A7C15ULL) & (cap - 1);
}

/* The tree of node i's line, read once and kept; NULL if unreadable. */
static const cJSON *cached(struct journal *j, uint32_t i)
{
	uint64_t key = node_off(&j->nodes[i]) + 1;
	size_t k;

	if ((j->ncache + 1) * 2 > j->capcache) {
		size_t cap = j->capcache ? j->capcache * 2 : 64, m;
		struct cached *c = calloc(cap, sizeof(*c));

		if (!c)
			return NULL;
		for (m = 0; m < j->capcache; m++) {
			if (!j->cache[m].off)
				continue;
			for (k = cache_home(j->cache[m].off, cap); c[k].off;
			     k = (k + 1) & (cap - 1))
				;
			c[k] = j->cache[m];
		}
		free(j->cache);
		j->cache = c;
		j->capcache = cap;
	}
	for (k = cache_home(key, j->capcache);
	     j->cache[k].off && j->cache[k].off != key;
	     k = (k + 1) & (j->capcache - 1))
		;
	if (!j->cache[k].off) {
		j->cache[k].off = key;
		j->cache[k].o = read_back(j, i);
		j->ncache++;
	}
	return j->cache[k].o;
}

int journal_get(const struct journal *cj, const char *id,
		struct journal_record *out)
{
	struct journal *j = (struct journal *)cj;      /* buffers, cache */
	uint32_t k = lookup(j, id, strlen(id), 0);

	if (k == NONE || j->top[k] == NONE)
		return 0;
	fill(j, j->top[k], cached(j, j->top[k]), out);
	return 1;
}

size_t journal_entries(const struct journal *j)
{
	return j->nn;
}

int journal_each(const struct journal *cj,
		 int (*fn)(void *ctx, const struct journal_record *r), void *ctx)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	uint32_t i;
	int rc;

	for (i = 0; i < j->nn; i++) {
		const struct node *n = &j->nodes[i];
		struct journal_record r;
		cJSON *o;

		/* standing: alive and the latest alive decision on its id */
		if (node_dead(n) || j->top[n->id] != i)
			continue;
		o = read_back(j, i);
		fill(j, i, o, &r);
		rc = fn(ctx, &r);
		cJSON_Delete(o);
		if (rc)
			return rc;
	}
	return 0;
}

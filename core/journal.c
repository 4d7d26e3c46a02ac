/*
 * journal.c - see journal.h: appending, locking and the queries; reading
 * the file (the line scanner, the index, claims, open) is journal_load.c.
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
	return jn_load(j, warning, sizeof(warning), err);
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
	const struct claim *c = jn_claim_find(j, id, strlen(id));

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
	c = jn_claim_find(j, id, strlen(id));
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
	const struct claim *c = jn_claim_find(j, id, strlen(id));

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
	int rc, bad = 0, kind = jn_kind_of(e->decision);

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
			rc = jn_claim_apply_entry(j, &id, kind, e);
		else
			rc = jn_apply(j, &id, kind, (uint64_t)end - left + lead,
				      left - lead - 1, jn_who_index(j, &who));
	}
	if (rc)
		return cd_error_set(err, rc, 0, "out of memory");
	return 0;
}

const char *journal_decision(const struct journal *cj, const char *id)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	uint32_t k = jn_lookup(j, id, strlen(id), 0);

	if (k == NONE || j->top[k] == NONE)
		return NULL;
	return jn_kinds[node_kind(&j->nodes[j->top[k]])];
}

size_t journal_decided(const struct journal *j)
{
	return j->decided;
}

const char *journal_last_id(const struct journal *cj)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	struct span id;

	/* the last node is always standing (jn_apply() drops dead ones) */
	if (!j->nn || jn_node_id(j, j->nn - 1, &id) ||
	    jn_strbuf_set(&j->last_id, id.s, id.n))
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
	o = jn_read_node(j, i) ? NULL : cJSON_Parse(j->line.s);
	a = cJSON_GetObjectItemCaseSensitive(o, "approver");

	if (cJSON_IsString(a) &&
	    !jn_strbuf_set(&j->last_id, a->valuestring, strlen(a->valuestring)))
		r = j->last_id.s;
	cJSON_Delete(o);
	return r;
}

const char *journal_decided_by(const struct journal *cj, const char *id)
{
	struct journal *j = (struct journal *)cj;      /* read buffers only */
	uint32_t k = jn_lookup(j, id, strlen(id), 0);

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
		if (jn_node_id(j, i, &id) || jn_strbuf_set(&j->last_id, id.s, id.n))
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
	return jn_read_node(j, i) ? NULL : cJSON_Parse(j->line.s);
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
	out->decision = jn_kinds[node_kind(&j->nodes[i])];
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
	uint32_t k = jn_lookup(j, id, strlen(id), 0);

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

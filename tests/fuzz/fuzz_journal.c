/*
 * fuzz_journal.c - journal_open() on arbitrary file contents, then one
 * append and a reopen.
 *
 * The bytes are written to a temporary journal file and opened.  What the
 * journal reports is compared with a reference written here from the
 * contract in core/journal.h: read the file line by line, take each line
 * that is a JSON object with a string "id" and a known "decision", and
 * keep per id a stack of standing decisions that "undo" pops.  Lines that
 * are not decisions are passed over with a warning, never an error.
 *
 * Then one decision is appended (its id and kind picked from the input:
 * a fresh id, or the id of the latest decision, so undo and redecide are
 * exercised) and the journal reopened: what the first journal held in
 * memory after the append must be what the reopened one reads from disk,
 * and both must agree with the reference applied to the new entry.
 *
 * The temporary directory is made once per process under $TMPDIR (or
 * /dev/shm, or /tmp) and removed at exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_journal.c:%d: check failed: %s\n", line, what);
	abort();
}

static char dir[256], path[300];

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	/* tmpfs if there is one: every journal append is fsynced */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/candor-fuzz-journal-XXXXXX", tmp);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	atexit(cleanup);
}

/* ---- the reference ----------------------------------------------------- */

struct ref_id {
	char *id;
	char **stack;           /* standing decisions, latest last */
	size_t n, cap;
};

struct ref_event {
	size_t id;              /* index into ids */
	int alive;
};

struct ref {
	struct ref_id *ids;
	size_t nids, capids;
	struct ref_event *ev;   /* every non-undo decision, in file order */
	size_t nev, capev;
	size_t *index;          /* open addressing: ids index + 1, 0 empty */
	size_t nindex;          /* a power of two, over twice nids */
};

static void *grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	v = realloc(v, *cap * sz);
	CHECK(v != NULL);
	return v;
}

static size_t hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The slot of id in the index: where it is, or where it would go. */
static size_t slot(const struct ref *r, const char *id)
{
	size_t mask = r->nindex - 1, i = hash(id) & mask;

	while (r->index[i] && strcmp(r->ids[r->index[i] - 1].id, id))
		i = (i + 1) & mask;
	return i;
}

/* The index of id, added when new (so that big journals stay fast). */
static size_t ref_find(struct ref *r, const char *id)
{
	size_t i, k;

	if ((r->nids + 1) * 2 > r->nindex) {
		free(r->index);
		r->nindex = r->nindex ? r->nindex * 2 : 64;
		r->index = calloc(r->nindex, sizeof(*r->index));
		CHECK(r->index != NULL);
		for (i = 0; i < r->nids; i++)
			r->index[slot(r, r->ids[i].id)] = i + 1;
	}
	k = slot(r, id);
	if (r->index[k])
		return r->index[k] - 1;
	r->ids = grow(r->ids, r->nids, &r->capids, sizeof(*r->ids));
	memset(&r->ids[r->nids], 0, sizeof(r->ids[0]));
	r->ids[r->nids].id = strdup(id);
	CHECK(r->ids[r->nids].id != NULL);
	r->index[k] = r->nids + 1;
	return r->nids++;
}

/* The event index of each stacked decision is kept beside it. */
static void ref_apply(struct ref *r, const char *id, const char *decision)
{
	size_t k = ref_find(r, id);
	struct ref_id *e = &r->ids[k];

	if (!strcmp(decision, "undo")) {
		if (e->n) {
			size_t ev;

			e->n--;
			memcpy(&ev, e->stack[e->n] + strlen(e->stack[e->n]) + 1,
			       sizeof(ev));
			r->ev[ev].alive = 0;
			free(e->stack[e->n]);
		}
		return;
	}
	r->ev = grow(r->ev, r->nev, &r->capev, sizeof(*r->ev));
	r->ev[r->nev].id = k;
	r->ev[r->nev].alive = 1;
	e->stack = grow(e->stack, e->n, &e->cap, sizeof(*e->stack));
	/* "decision\0" followed by the event index */
	e->stack[e->n] = malloc(strlen(decision) + 1 + sizeof(size_t));
	CHECK(e->stack[e->n] != NULL);
	strcpy(e->stack[e->n], decision);
	memcpy(e->stack[e->n] + strlen(decision) + 1, &r->nev, sizeof(size_t));
	e->n++;
	r->nev++;
}

static int known(const char *d)
{
	return !strcmp(d, "approve") || !strcmp(d, "skip") ||
	       !strcmp(d, "hide") || !strcmp(d, "reject") ||
	       !strcmp(d, "escalate") || !strcmp(d, "undo");
}

/* Read the file as journal.h describes it; 1 when a line was ignored. */
static int ref_load(struct ref *r, const uint8_t *data, size_t size)
{
	size_t at = 0, end, n;
	int ignored = 0;
	char *line;

	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);

		end = nl ? (size_t)(nl - data) : size;
		n = end - at;
		if (n) {
			cJSON *o, *id, *d;

			line = malloc(n + 1);
			CHECK(line != NULL);
			memcpy(line, data + at, n);
			line[n] = '\0';
			o = cJSON_Parse(line);
			id = cJSON_GetObjectItemCaseSensitive(o, "id");
			d = cJSON_GetObjectItemCaseSensitive(o, "decision");
			if (cJSON_IsString(id) && cJSON_IsString(d) &&
			    known(d->valuestring))
				ref_apply(r, id->valuestring, d->valuestring);
			else
				ignored = 1;
			cJSON_Delete(o);
			free(line);
		}
		at = end + 1;
	}
	return ignored;
}

static const char *ref_top(const struct ref_id *e)
{
	return e->n ? e->stack[e->n - 1] : NULL;
}

static size_t ref_decided(const struct ref *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nids; i++)
		n += r->ids[i].n > 0;
	return n;
}

static const char *ref_last_id(const struct ref *r)
{
	size_t i = r->nev;

	while (i > 0)
		if (r->ev[--i].alive)
			return r->ids[r->ev[i].id].id;
	return NULL;
}

static void ref_free(struct ref *r)
{
	size_t i, k;

	for (i = 0; i < r->nids; i++) {
		for (k = 0; k < r->ids[i].n; k++)
			free(r->ids[i].stack[k]);
		free(r->ids[i].stack);
		free(r->ids[i].id);
	}
	free(r->ids);
	free(r->ev);
	free(r->index);
}

/* ---- the checks -------------------------------------------------------- */

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

struct each_count {
	const struct journal *j;
	size_t n;
	char me[64];                    /* the first approver seen */
	size_t mine, fuzz;              /* decisions by me, by "fuzz" */
	size_t by_kind[5];
};

/*
 * journal_each visits standing decisions, each as journal_decision says,
 * made by whom journal_decided_by says (from memory: the line as cJSON
 * reads it says the same).
 */
static int each_one(void *ctx, const struct journal_record *rec)
{
	static const char *const kinds[] = { "approve", "skip", "hide",
					     "reject", "escalate" };
	struct each_count *c = ctx;
	size_t k;

	CHECK(same_str(journal_decision(c->j, rec->id), rec->decision));
	CHECK(same_str(journal_decided_by(c->j, rec->id), rec->approver));
	if (rec->approver && !c->me[0] && strlen(rec->approver) < sizeof(c->me))
		strcpy(c->me, rec->approver);
	c->mine += rec->approver && c->me[0] && !strcmp(rec->approver, c->me);
	c->fuzz += rec->approver && !strcmp(rec->approver, "fuzz");
	for (k = 0; k < 5; k++)
		c->by_kind[k] += !strcmp(rec->decision, kinds[k]);
	c->n++;
	return 0;
}

/* j agrees with the reference on every id it knows, and overall. */
static void agree(const struct journal *j, const struct ref *r)
{
	struct each_count c;
	struct journal_tally t;
	struct journal_record rec;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.j = j;
	CHECK(journal_decided(j) == ref_decided(r));
	CHECK(same_str(journal_last_id(j), ref_last_id(r)));
	for (i = 0; i < r->nids; i++) {
		const char *top = ref_top(&r->ids[i]);

		CHECK(same_str(journal_decision(j, r->ids[i].id), top));
		/* the fields read back from the line: the same id and kind */
		CHECK(journal_get(j, r->ids[i].id, &rec) == (top != NULL));
		if (top) {
			CHECK(same_str(rec.id, r->ids[i].id));
			CHECK(same_str(rec.decision, top));
		}
	}
	journal_each(j, each_one, &c);
	CHECK(c.n == ref_decided(r));
	/* review's summary at quit: from memory, as journal_each counts */
	journal_tally(j, "fuzz", &t);
	CHECK(t.all == c.n && t.mine == c.fuzz);
	CHECK(!memcmp(t.by_kind, c.by_kind, sizeof(t.by_kind)));
	if (c.me[0]) {          /* the first approver journal_each met */
		journal_tally(j, c.me, &t);
		CHECK(t.mine == c.mine);
	}
	if (!r->nindex || !r->index[slot(r, "never-seen-id")])
		CHECK(journal_decision(j, "never-seen-id") == NULL);
}

static void write_file(const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");

	CHECK(fp != NULL);
	CHECK(fwrite(data, 1, size, fp) == size);
	CHECK(fclose(fp) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const decisions[] = { "approve", "skip", "hide",
						 "reject", "undo" };
	static int ready;
	struct journal_entry e;
	struct journal *j, *j2;
	struct cd_error err;
	struct ref r;
	char warning[512], id[64];
	const char *last;
	int ignored;
	uint8_t pick = size ? data[size - 1] : 0;

	if (!ready) {
		setup();
		ready = 1;
	}
	memset(&r, 0, sizeof(r));
	ignored = ref_load(&r, data, size);
	write_file(data, size);

	j = journal_open(path, warning, sizeof(warning), &err);
	CHECK(j != NULL);
	CHECK(!warning[0] == !ignored);
	agree(j, &r);

	/* one more decision: on the latest id, or on a new one */
	last = journal_last_id(j);
	if ((pick & 8) && last && strlen(last) < sizeof(id))
		strcpy(id, last);
	else
		strcpy(id, "fuzz-new");
	memset(&e, 0, sizeof(e));
	e.id = id;
	e.decision = decisions[pick % 5];
	e.category = "complaint";
	e.reply = "Sorry about this \"order\"\n\t\\ \xd0\xbf\xd1\x80\xd0\xb8";
	/* plain, escaped by jsonw, or not UTF-8: kept as cJSON reads it */
	e.approver = pick & 16 ? "fuzz" : pick & 32 ? "f\"u\tzz" :
		     pick & 64 ? "\xd1\x84\xff" : "fuzz";
	e.text = "text";
	e.ts = "2024-01-01T00:00:00Z";
	CHECK(journal_append(j, &e, &err) == 0);
	ref_apply(&r, id, e.decision);
	agree(j, &r);
	journal_close(j);

	j2 = journal_open(path, warning, sizeof(warning), &err);
	CHECK(j2 != NULL);
	agree(j2, &r);
	journal_close(j2);
	if (size < 1024) {
		/* a NULL warning buffer is allowed with a zero size */
		j2 = journal_open(path, NULL, 0, &err);
		CHECK(j2 != NULL);
		journal_close(j2);
	}
	ref_free(&r);
	return 0;
}

/* journal.c - see journal.h. */
#include "journal.h"
#include "atomic.h"
#include "jsonw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/* One decision of the file (undo entries are not kept, they kill one). */
struct hist {
	size_t slot;            /* its id's slot */
	char decision[8];
	long prev;              /* earlier alive decision on the same id, -1 */
	int alive;
	char *category;         /* as recorded, NULL when absent */
	char *reply;
	char *text;
	int corrected;          /* had an original_category */
};

struct idslot {
	char *id;               /* NULL: empty slot */
	long latest;            /* latest alive decision, -1 when none */
};

struct journal {
	int fd;
	struct hist *h;
	size_t nh, caph;
	struct idslot *slots;
	size_t nslots, nids;    /* power of two; ids stored */
	size_t decided;
	int need_newline;       /* the file ends in a torn line */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static size_t find(const struct journal *j, const char *id)
{
	size_t mask = j->nslots - 1, i = hash_str(id) & mask;

	while (j->slots[i].id && strcmp(j->slots[i].id, id))
		i = (i + 1) & mask;
	return i;
}

static int grow_slots(struct journal *j)
{
	size_t n = j->nslots ? j->nslots * 2 : 1024, i, k;
	struct idslot *s = calloc(n, sizeof(*s));
	struct idslot *old = j->slots;
	size_t oldn = j->nslots;

	if (!s)
		return CD_ERR_NOMEM;
	j->slots = s;
	j->nslots = n;
	for (i = 0; i < oldn; i++) {
		if (!old[i].id)
			continue;
		k = find(j, old[i].id);
		s[k] = old[i];
		/* re-point the history at the moved slot */
		for (long h = s[k].latest; h >= 0; h = j->h[h].prev)
			j->h[h].slot = k;
	}
	for (i = 0; i < j->nh; i++)
		if (!j->h[i].alive)
			j->h[i].slot = find(j, old[j->h[i].slot].id);
	free(old);
	return 0;
}

/* Apply one decision to the in-memory state (r: its fields, may be NULL). */
static int apply(struct journal *j, const char *id, const char *decision,
		 const struct journal_record *r)
{
	size_t k;
	struct hist *h;

	if ((j->nids + 1) * 2 > j->nslots && grow_slots(j))
		return CD_ERR_NOMEM;
	k = find(j, id);
	if (!j->slots[k].id) {
		j->slots[k].id = strdup(id);
		if (!j->slots[k].id)
			return CD_ERR_NOMEM;
		j->slots[k].latest = -1;
		j->nids++;
	}
	if (!strcmp(decision, "undo")) {
		long l = j->slots[k].latest;

		if (l >= 0) {
			j->h[l].alive = 0;
			j->slots[k].latest = j->h[l].prev;
			if (j->slots[k].latest < 0)
				j->decided--;
		}
		return 0;
	}
	if (j->nh == j->caph) {
		size_t cap = j->caph ? j->caph * 2 : 256;
		struct hist *p = realloc(j->h, cap * sizeof(*p));

		if (!p)
			return CD_ERR_NOMEM;
		j->h = p;
		j->caph = cap;
	}
	h = &j->h[j->nh];
	h->slot = k;
	snprintf(h->decision, sizeof(h->decision), "%s", decision);
	h->category = r && r->category ? strdup(r->category) : NULL;
	h->reply = r && r->reply ? strdup(r->reply) : NULL;
	h->text = r && r->text ? strdup(r->text) : NULL;
	h->corrected = r ? r->corrected : 0;
	if ((r && r->category && !h->category) || (r && r->reply && !h->reply) ||
	    (r && r->text && !h->text)) {
		free(h->category);
		free(h->reply);
		free(h->text);
		return CD_ERR_NOMEM;
	}
	h->prev = j->slots[k].latest;
	h->alive = 1;
	if (h->prev < 0)
		j->decided++;
	j->slots[k].latest = (long)j->nh++;
	return 0;
}

static int known_decision(const char *d)
{
	return !strcmp(d, "approve") || !strcmp(d, "skip") || !strcmp(d, "hide") ||
	       !strcmp(d, "reject") || !strcmp(d, "undo");
}

/* Read the existing file; a bad line that is not the last is an error. */
static int load(struct journal *j, const char *path, char *warning,
		size_t wsz, struct cd_error *err)
{
	FILE *fp = fdopen(dup(j->fd), "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;

	if (!fp)
		return cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s': %s",
				    path, strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		int complete = n > 0 && line[n - 1] == '\n';
		cJSON *o, *id, *d;

		lineno++;
		if (complete)
			line[--n] = '\0';
		if (n == 0)
			continue;
		o = (size_t)n <= JOURNAL_LINE_MAX ? cJSON_Parse(line) : NULL;
		id = cJSON_GetObjectItemCaseSensitive(o, "id");
		d = cJSON_GetObjectItemCaseSensitive(o, "decision");
		if (!cJSON_IsString(id) || !cJSON_IsString(d) ||
		    !known_decision(d->valuestring)) {
			/*
			 * A line torn by a crash mid-write (the last one, or an
			 * earlier one we already stepped over): not a decision,
			 * so it is passed over with a warning, never fatal.
			 */
			cJSON_Delete(o);
			/* fix: test wsz first, warning may be NULL then */
			if (wsz && !warning[0])
				snprintf(warning, wsz, "%s:%ld: ignoring a torn or "
					 "malformed line (candor was stopped while "
					 "writing it)", path, lineno);
			if (!complete)
				j->need_newline = 1;
			continue;
		}
		if (!complete)
			j->need_newline = 1;    /* valid, but no newline yet */
		{
			struct journal_record rec;
			const cJSON *v;

			memset(&rec, 0, sizeof(rec));
			v = cJSON_GetObjectItemCaseSensitive(o, "category");
			rec.category = cJSON_IsString(v) ? v->valuestring : NULL;
			v = cJSON_GetObjectItemCaseSensitive(o, "reply");
			rec.reply = cJSON_IsString(v) ? v->valuestring : NULL;
			v = cJSON_GetObjectItemCaseSensitive(o, "text");
			rec.text = cJSON_IsString(v) ? v->valuestring : NULL;
			rec.corrected = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
					o, "original_category"));
			rc = apply(j, id->valuestring, d->valuestring, &rec);
		}
		cJSON_Delete(o);
		if (rc) {
			cd_error_set(err, rc, lineno, "out of memory");
			break;
		}
	}
	free(line);
	fclose(fp);
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
	if (!j || grow_slots(j)) {
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
	if (load(j, path, warning, wsz, err)) {
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
	for (i = 0; i < j->nslots; i++)
		free(j->slots[i].id);
	for (i = 0; i < j->nh; i++) {
		free(j->h[i].category);
		free(j->h[i].reply);
		free(j->h[i].text);
	}
	free(j->slots);
	free(j->h);
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

int journal_append(struct journal *j, const struct journal_entry *e,
		   struct cd_error *err)
{
	struct cd_buf b;
	char ts[32];
	const char *p;
	size_t left;
	int rc, bad = 0;

	if (!known_decision(e->decision))
		return cd_error_set(err, CD_ERR_USAGE, 0, "unknown decision '%s'",
				    e->decision);
	/*
	 * Fix: every part's status is kept in `bad`.  Only the closing "}\n"
	 * used to be checked, so a field past JOURNAL_LINE_MAX (or a string
	 * cut in the middle by jsonw_str) left a broken line that was written,
	 * counted, and then lost as "torn" on the next open.
	 */
	cd_buf_init(&b, JOURNAL_LINE_MAX);
	if (j->need_newline)
		bad |= cd_buf_addch(&b, '\n') != 0;
	bad |= cd_buf_addstr(&b, "{\"id\":") != 0;
	bad |= jsonw_str(&b, e->id, strlen(e->id)) != 0;
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
	if (e->text)
		bad |= add_str(&b, "text", e->text) != 0;
	rc = cd_buf_addstr(&b, "}\n");
	if (rc || bad) {
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
	cd_buf_release(&b);
	if (fsync(j->fd))
		return cd_error_set(err, CD_ERR_IO, 0,
				    "cannot sync the journal: %s", strerror(errno));
	j->need_newline = 0;
	{
		struct journal_record rec;

		memset(&rec, 0, sizeof(rec));
		rec.category = e->category;
		rec.reply = e->reply;
		rec.text = e->text;
		rec.corrected = e->original_category != NULL;
		rc = apply(j, e->id, e->decision, &rec);
	}
	if (rc)
		return cd_error_set(err, rc, 0, "out of memory");
	return 0;
}

const char *journal_decision(const struct journal *j, const char *id)
{
	size_t k = find(j, id);

	if (!j->slots[k].id || j->slots[k].latest < 0)
		return NULL;
	return j->h[j->slots[k].latest].decision;
}

size_t journal_decided(const struct journal *j)
{
	return j->decided;
}

const char *journal_last_id(const struct journal *j)
{
	size_t i = j->nh;

	while (i > 0) {
		i--;
		if (j->h[i].alive)
			return j->slots[j->h[i].slot].id;
	}
	return NULL;
}

int journal_get(const struct journal *j, const char *id,
		struct journal_record *out)
{
	size_t k = find(j, id);
	const struct hist *h;

	if (!j->slots[k].id || j->slots[k].latest < 0)
		return 0;
	h = &j->h[j->slots[k].latest];
	out->id = j->slots[k].id;
	out->decision = h->decision;
	out->category = h->category;
	out->reply = h->reply;
	out->text = h->text;
	out->corrected = h->corrected;
	return 1;
}

int journal_each(const struct journal *j,
		 int (*fn)(void *ctx, const struct journal_record *r), void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < j->nh; i++) {
		const struct hist *h = &j->h[i];
		struct journal_record r;

		/* standing: alive and the latest alive decision on its id */
		if (!h->alive || j->slots[h->slot].latest != (long)i)
			continue;
		r.id = j->slots[h->slot].id;
		r.decision = h->decision;
		r.category = h->category;
		r.reply = h->reply;
		r.text = h->text;
		r.corrected = h->corrected;
		if ((rc = fn(ctx, &r)) != 0)
			return rc;
	}
	return 0;
}

/* ledger.c - see ledger.h. */
#include "ledger.h"
#include "atomic.h"
#include "buf.h"
#include "journal.h"
#include "jsonw.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
	char *key;              /* "action\tid" */
	enum ledger_state state;
};

struct ledger {
	int fd;
	char path[4096];
	struct entry *e;
	size_t cap, n;
	int need_newline;       /* the file ends without one (a torn line) */
};

static size_t key_hash(const char *s)
{
	size_t h = 1469598103934665603ULL & (size_t)-1;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

static struct entry *find(const struct ledger *l, const char *key)
{
	size_t i;

	if (!l->cap)
		return NULL;
	for (i = key_hash(key) & (l->cap - 1); l->e[i].key;
	     i = (i + 1) & (l->cap - 1))
		if (!strcmp(l->e[i].key, key))
			return &l->e[i];
	return &l->e[i];
}

static int set(struct ledger *l, const char *action, const char *id,
	       enum ledger_state st)
{
	char key[512];
	struct entry *e;

	if (snprintf(key, sizeof(key), "%s\t%s", action, id) >= (int)sizeof(key))
		return CD_ERR_LIMIT;
	if ((l->n + 1) * 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256, k, i;
		struct entry *ne = calloc(cap, sizeof(*ne));

		if (!ne)
			return CD_ERR_NOMEM;
		for (k = 0; k < l->cap; k++) {
			if (!l->e[k].key)
				continue;
			for (i = key_hash(l->e[k].key) & (cap - 1); ne[i].key;
			     i = (i + 1) & (cap - 1))
				;
			ne[i] = l->e[k];
		}
		free(l->e);
		l->e = ne;
		l->cap = cap;
	}
	e = find(l, key);
	if (!e->key) {
		e->key = strdup(key);
		if (!e->key)
			return CD_ERR_NOMEM;
		l->n++;
	}
	e->state = st;
	return 0;
}

static enum ledger_state parse_state(const char *s)
{
	if (!strcmp(s, "done"))
		return LEDGER_DONE;
	if (!strcmp(s, "failed"))
		return LEDGER_FAILED;
	if (!strcmp(s, "intent") || !strcmp(s, "unknown"))
		return LEDGER_UNKNOWN;
	return LEDGER_NONE;
}

static int load(struct ledger *l, FILE *fp, char *warning, size_t wsz,
		struct cd_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = 0;

	while ((n = getline(&line, &cap, fp)) > 0) {
		cJSON *o;
		const cJSON *id, *ac, *st;
		int torn = line[n - 1] != '\n';

		lineno++;
		l->need_newline = torn;
		o = (size_t)n <= LEDGER_LINE_MAX ? cJSON_Parse(line) : NULL;
		id = cJSON_GetObjectItemCaseSensitive(o, "id");
		ac = cJSON_GetObjectItemCaseSensitive(o, "action");
		st = cJSON_GetObjectItemCaseSensitive(o, "state");
		if (torn || !cJSON_IsString(id) || !cJSON_IsString(ac) ||
		    !cJSON_IsString(st) || parse_state(st->valuestring) ==
		    LEDGER_NONE) {
			if (warning && wsz)
				snprintf(warning, wsz, "%s:%ld: ignoring a torn or "
					 "malformed line", l->path, lineno);
		} else {
			rc = set(l, ac->valuestring, id->valuestring,
				 parse_state(st->valuestring));
		}
		cJSON_Delete(o);
		if (rc) {
			rc = cd_error_set(err, rc, lineno, "%s:%ld: %s", l->path,
					  lineno, rc == CD_ERR_LIMIT ?
					  "id longer than 500 bytes" :
					  "out of memory");
			break;
		}
	}
	free(line);
	return rc;
}

static struct ledger *open_mode(const char *path, int write, char *warning,
				size_t wsz, struct cd_error *err)
{
	struct ledger *l = calloc(1, sizeof(*l));
	FILE *fp;

	if (warning && wsz)
		warning[0] = '\0';
	if (!l) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	l->fd = -1;
	if (!path)
		return l;
	if (strlen(path) >= sizeof(l->path)) {
		free(l);
		cd_error_set(err, CD_ERR_USAGE, 0, "ledger path too long");
		return NULL;
	}
	strcpy(l->path, path);
	if (write) {
		l->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (l->fd < 0 || atomic_sync_dir(path)) {
			cd_error_set(err, CD_ERR_IO, 0, "cannot open ledger '%s': %s",
				     path, strerror(errno));
			ledger_close(l);
			return NULL;
		}
		fp = fdopen(dup(l->fd), "r");
	} else {
		fp = fopen(path, "r");
		if (!fp && errno == ENOENT)
			return l;
	}
	if (!fp) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot read ledger '%s': %s", path,
			     strerror(errno));
		ledger_close(l);
		return NULL;
	}
	if (load(l, fp, warning, wsz, err)) {
		fclose(fp);
		ledger_close(l);
		return NULL;
	}
	fclose(fp);
	return l;
}

struct ledger *ledger_open(const char *path, char *warning, size_t wsz,
			   struct cd_error *err)
{
	return open_mode(path, 1, warning, wsz, err);
}

struct ledger *ledger_read(const char *path, char *warning, size_t wsz,
			   struct cd_error *err)
{
	return open_mode(path, 0, warning, wsz, err);
}

void ledger_close(struct ledger *l)
{
	size_t i;

	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	for (i = 0; i < l->cap; i++)
		free(l->e[i].key);
	free(l->e);
	free(l);
}

enum ledger_state ledger_state(const struct ledger *l, const char *id,
			       const char *action)
{
	char key[512];
	const struct entry *e;

	if (snprintf(key, sizeof(key), "%s\t%s", action, id) >= (int)sizeof(key))
		return LEDGER_NONE;
	e = find(l, key);
	return e && e->key ? e->state : LEDGER_NONE;
}

static int add(struct cd_buf *b, const char *key, const char *v)
{
	int rc = jsonw_key(b, key, 0);

	return rc ? rc : jsonw_str(b, v, strlen(v));
}

int ledger_append(struct ledger *l, const char *id, const char *video_id,
		  const char *action, const char *state, const char *error,
		  struct cd_error *err)
{
	struct cd_buf b;
	char ts[32];
	size_t off = 0;
	int rc;

	if (l->fd < 0)
		return cd_error_set(err, CD_ERR_USAGE, 0, "ledger is read-only");
	journal_now(ts, sizeof(ts));
	cd_buf_init(&b, LEDGER_LINE_MAX);
	rc = cd_buf_addstr(&b, l->need_newline ? "\n{\"id\":" : "{\"id\":");
	rc = rc ? rc : jsonw_str(&b, id, strlen(id));
	if (!rc && video_id && *video_id)
		rc = add(&b, "video_id", video_id);
	rc = rc ? rc : add(&b, "action", action);
	rc = rc ? rc : add(&b, "state", state);
	rc = rc ? rc : add(&b, "ts", ts);
	if (!rc && error)
		rc = add(&b, "error", error);
	rc = rc ? rc : cd_buf_addstr(&b, "}\n");
	if (rc) {
		cd_buf_release(&b);
		return cd_error_set(err, CD_ERR_LIMIT, 0, "ledger line for '%.60s' "
				    "longer than %d bytes", id, LEDGER_LINE_MAX);
	}
	while (off < b.len) {
		ssize_t w = write(l->fd, b.data + off, b.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cd_buf_release(&b);
			return cd_error_set(err, CD_ERR_IO, 0, "cannot write ledger "
					    "'%s': %s", l->path, strerror(errno));
		}
		off += (size_t)w;
	}
	cd_buf_release(&b);
	if (fsync(l->fd))
		return cd_error_set(err, CD_ERR_IO, 0, "cannot sync ledger '%s': "
				    "%s", l->path, strerror(errno));
	l->need_newline = 0;
	rc = set(l, action, id, parse_state(state));
	return rc ? cd_error_set(err, rc, 0, "out of memory") : 0;
}

const char *ledger_state_name(enum ledger_state s)
{
	switch (s) {
	case LEDGER_DONE: return "done";
	case LEDGER_FAILED: return "failed";
	case LEDGER_UNKNOWN: return "unknown";
	default: return "new";
	}
}

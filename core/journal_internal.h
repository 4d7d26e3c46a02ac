/*
 * journal_internal.h - what journal_load.c (reading the file: the line
 * scanner, the id index, claims, open and close) and journal.c (appending,
 * locking, the queries) share.  Not part of the API: see journal.h.
 */
#ifndef CANDOR_JOURNAL_INTERNAL_H
#define CANDOR_JOURNAL_INTERNAL_H

#include "journal.h"
#include "jsonscan.h"

#include <stddef.h>
#include <stdint.h>

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
extern const char *const jn_kinds[NKINDS];

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

/* A string in a line: bytes, not terminated. */
struct span {
	const char *s;          /* NULL: absent (or not a string) */
	size_t n;
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

static inline uint64_t node_off(const struct node *n)
{
	return n->where >> 25;
}

static inline int node_kind(const struct node *n)
{
	return (int)(n->where >> 1) & 7;
}

static inline int node_dead(const struct node *n)
{
	return (int)(n->where & 1);
}

/* journal_load.c */
int jn_apply(struct journal *j, const struct span *id, int kind,
	     uint64_t off, size_t len, uint8_t who);
int jn_claim_apply_entry(struct journal *j, const struct span *id,
			 int kind, const struct journal_entry *e);
struct claim *jn_claim_find(const struct journal *j, const char *id,
			    size_t n);
int jn_kind_of(const char *d);
int jn_load(struct journal *j, char *warning, size_t wsz,
	    struct cd_error *err);
uint32_t jn_lookup(struct journal *j, const char *s, size_t n, int create);
int jn_node_id(struct journal *j, uint32_t i, struct span *id);
int jn_read_node(struct journal *j, uint32_t i);
int jn_strbuf_set(struct strbuf *b, const char *s, size_t n);
uint8_t jn_who_index(struct journal *j, const struct span *who);

#endif

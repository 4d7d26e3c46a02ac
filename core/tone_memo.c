/*
 * tone_memo.c - the memo of replies checked before (tone.h, struct
 * tone_memo): a direct-mapped table keyed by everything a check without
 * comment words depends on.
 *
 * A check's findings depend on the rules, ctx->categories (both borrowed
 * and read-only: a memo used with others forgets), the reply's bytes,
 * ctx->lang, ctx->category, ctx->max_chars, whether a comment is given (the `echo`
 * row runs) and ctx's competitors (never memoised), and on the comment's
 * words only through `echo`, which reads them only when tone_may_echo()
 * says the comment shares a word with the reply.  So a result computed
 * with no comment words is stored with the sketch of the reply's words,
 * and reused while the comment at hand shares none of them.
 */
#include "tone_internal.h"

#include <stdlib.h>
#include <string.h>

struct tone_memo_entry {
	uint64_t h;             /* tok_hash of the key; 0: empty */
	size_t klen;
	char *key;              /* malloc'd: the key, then the findings */
	struct echo_keys echo;  /* what the reply brings to echo */
	int score;
	size_t n, dropped;
	struct tone_finding *f; /* n of them, inside key's block */
};

struct tone_memo {
	const struct tone_rules *r;     /* the rules of its results */
	const struct categories *cats;  /* and ctx->categories */
	char key[TONE_MEMO_REPLY_MAX + 64]; /* the key of the check under way */
	size_t klen;                    /* 0: the check is not memoised */
	uint64_t h;
	struct tone_memo_entry e[TONE_MEMO_SLOTS];
};

struct tone_memo *tone_memo_new(void)
{
	return calloc(1, sizeof(struct tone_memo));
}

static void forget(struct tone_memo *m)
{
	size_t i;

	for (i = 0; i < TONE_MEMO_SLOTS; i++) {
		free(m->e[i].key);
		m->e[i].key = NULL;
		m->e[i].h = 0;
	}
}

void tone_memo_free(struct tone_memo *m)
{
	if (!m)
		return;
	forget(m);
	free(m);
}

/* Append s (NULL: none, told apart from every string) and a NUL. */
static size_t put_str(char *k, size_t at, const char *s)
{
	size_t n;

	if (!s) {
		k[at++] = '\x01';       /* no string: not valid as a lang */
		k[at++] = '\0';
		return at;
	}
	n = strlen(s);
	memcpy(k + at, s, n + 1);
	return at + n + 1;
}

/*
 * Set the key of this check (lang, category, limit, comment given, the
 * reply) and return its entry when the memo holds it.  A reply too long
 * for the key, or a lang or category longer than 24 bytes (none is),
 * leaves the check unmemoised.  A memo used with other rules or
 * categories forgets.
 */
const struct tone_memo_entry *tone_memo_find(struct tone_memo *m,
					     const struct tone_rules *r,
					     const char *reply, size_t len,
					     const struct tone_ctx *ctx)
{
	const struct tone_memo_entry *e;
	uint64_t lim = ctx->max_chars;
	size_t at = 0;

	m->klen = 0;
	if (m->r != r || m->cats != ctx->categories) {
		forget(m);
		m->r = r;
		m->cats = ctx->categories;
	}
	if (len > TONE_MEMO_REPLY_MAX ||
	    (ctx->lang && strlen(ctx->lang) > 24) ||
	    (ctx->category && strlen(ctx->category) > 24))
		return NULL;
	at = put_str(m->key, at, ctx->lang);
	at = put_str(m->key, at, ctx->category);
	memcpy(m->key + at, &lim, sizeof(lim));
	at += sizeof(lim);
	m->key[at++] = ctx->comment ? 'c' : '-';
	memcpy(m->key + at, reply, len);
	m->klen = at + len;
	m->h = tok_hash(m->key, m->klen);
	e = &m->e[m->h & (TONE_MEMO_SLOTS - 1)];
	if (e->h == m->h && e->klen == m->klen &&
	    !memcmp(e->key, m->key, m->klen))
		return e;
	return NULL;
}

const struct echo_keys *tone_memo_echo(const struct tone_memo_entry *e)
{
	return &e->echo;
}

void tone_memo_result(const struct tone_memo_entry *e, struct tone_result *out)
{
	out->score = e->score;
	out->n = e->n;
	out->dropped = e->dropped;
	memcpy(out->f, e->f, e->n * sizeof(out->f[0]));
}

/*
 * Remember res, found by a check with no comment words, under the key of
 * the last tone_memo_find(), in place of the entry there.  Out of memory,
 * nothing is remembered: the next check is a full one, nothing worse.
 */
void tone_memo_store(struct tone_memo *m, const struct echo_keys *ek,
		     const struct tone_result *res)
{
	struct tone_memo_entry *e;
	size_t fb = res->n * sizeof(res->f[0]), ko;
	char *block;

	if (!m->klen)
		return;
	ko = (m->klen + 15) & ~(size_t)15;      /* the findings aligned */
	block = malloc(ko + fb);
	if (!block)
		return;
	e = &m->e[m->h & (TONE_MEMO_SLOTS - 1)];
	free(e->key);
	memcpy(block, m->key, m->klen);
	e->key = block;
	e->klen = m->klen;
	e->h = m->h;
	e->echo = *ek;
	e->score = res->score;
	e->n = res->n;
	e->dropped = res->dropped;
	e->f = (struct tone_finding *)(void *)(block + ko);
	memcpy(e->f, res->f, fb);
	m->klen = 0;
}

/*
 * crash_journal.c - drives core/journal.c under tests/crash/crashfs.c.
 *
 *   crash_journal write JOURNAL
 *       opens JOURNAL and appends the fixed list of decisions below; after
 *       each journal_append() that returned 0 it writes "ACK n" to standard
 *       output with one write(2): that decision was acknowledged (the
 *       review loop would now show the next comment).
 *   crash_journal verify JOURNAL ACKED
 *       after the power cut: the journal's standing decisions must be those
 *       of the first k decisions for k = ACKED or ACKED + 1 (the one in
 *       flight may have reached the disk), nothing else; then one more
 *       decision is appended and must read back with the rest intact.
 * Exit 0 when all holds, 1 with a message otherwise.
 */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct op {
	const char *id, *decision, *category, *reply;
};

static char long_reply[6000];

static const struct op ops[] = {
	{ "a", "approve", "question", "thanks for asking" },
	{ "b", "skip", "other", NULL },
	{ "c", "hide", "spam", NULL },
	{ "c", "undo", NULL, NULL },
	{ "c", "reject", "spam", NULL },
	{ "d", "approve", "complaint", long_reply },
	{ "a", "undo", NULL, NULL },
	{ "a", "approve", "complaint", "sorry to hear it" },
	{ "e", "approve", "question", "see the label" },
	{ "f", "hide", "toxic", NULL },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static const char *const ids[] = { "a", "b", "c", "d", "e", "f", "g" };
#define NIDS (sizeof(ids) / sizeof(ids[0]))

struct state {
	const char *decision[NIDS], *category[NIDS], *reply[NIDS];
	/* per id, a stack of standing decisions for undo */
	const struct op *stack[NIDS][NOPS + 1];
	size_t depth[NIDS];
};

static size_t id_index(const char *id)
{
	size_t i;

	for (i = 0; i < NIDS; i++)
		if (!strcmp(ids[i], id))
			return i;
	fprintf(stderr, "unknown id %s\n", id);
	exit(1);
}

/* The standing decisions after the first k ops, computed independently. */
static void expected(size_t k, struct state *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < k; i++) {
		size_t x = id_index(ops[i].id);

		if (!strcmp(ops[i].decision, "undo")) {
			if (s->depth[x])
				s->depth[x]--;
		} else
			s->stack[x][s->depth[x]++] = &ops[i];
	}
	for (i = 0; i < NIDS; i++) {
		const struct op *o = s->depth[i] ? s->stack[i][s->depth[i] - 1] : NULL;

		s->decision[i] = o ? o->decision : NULL;
		s->category[i] = o ? o->category : NULL;
		s->reply[i] = o ? o->reply : NULL;
	}
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* 1 when the journal's standing decisions are exactly s's. */
static int matches(const struct journal *j, const struct state *s)
{
	size_t i, n = 0;

	for (i = 0; i < NIDS; i++) {
		struct journal_record r;
		int has = journal_get(j, ids[i], &r);

		if (has != (s->decision[i] != NULL))
			return 0;
		if (!has)
			continue;
		n++;
		if (!same(r.decision, s->decision[i]) ||
		    !same(r.category, s->category[i]) ||
		    !same(r.reply, s->reply[i]))
			return 0;
	}
	return journal_decided(j) == n;
}

static void fill_long_reply(void)
{
	size_t i;

	for (i = 0; i + 1 < sizeof(long_reply); i++)
		long_reply[i] = (char)('a' + (char)(i % 26));
	long_reply[sizeof(long_reply) - 1] = '\0';
}

static int do_write(const char *path)
{
	struct cd_error err = { { 0 }, 0, 0 };
	char warn[512];
	struct journal *j = journal_open(path, warn, sizeof(warn), &err);
	size_t i;

	if (!j) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < NOPS; i++) {
		struct journal_entry e;
		char ack[32];
		int n;

		memset(&e, 0, sizeof(e));
		e.id = ops[i].id;
		e.decision = ops[i].decision;
		e.category = ops[i].category;
		e.reply = ops[i].reply;
		e.approver = "crash";
		e.ts = "2026-12-07T20:00:00Z";
		if (journal_append(j, &e, &err)) {
			fprintf(stderr, "append %zu: %s\n", i + 1, err.msg);
			journal_close(j);
			return 1;
		}
		n = snprintf(ack, sizeof(ack), "ACK %zu\n", i + 1);
		if (write(1, ack, (size_t)n) != n)
			return 1;
	}
	journal_close(j);
	return 0;
}

static int do_verify(const char *path, size_t acked)
{
	struct cd_error err = { { 0 }, 0, 0 };
	char warn[512];
	struct journal *j = journal_open(path, warn, sizeof(warn), &err);
	struct state s;
	struct journal_entry e;
	size_t k, found = NOPS + 1;

	if (!j) {
		fprintf(stderr, "reopen after the crash: %s\n", err.msg);
		return 1;
	}
	for (k = acked; k <= acked + 1 && k <= NOPS; k++) {
		expected(k, &s);
		if (matches(j, &s)) {
			found = k;
			break;
		}
	}
	if (found > NOPS) {
		fprintf(stderr, "after the crash the journal holds neither the %zu "
			"acknowledged decisions nor those plus the next "
			"(%zu standing)\n", acked, journal_decided(j));
		journal_close(j);
		return 1;
	}
	/* the journal goes on: a new decision reads back, the rest intact */
	memset(&e, 0, sizeof(e));
	e.id = "g";
	e.decision = "approve";
	e.category = "question";
	e.reply = "after the crash";
	e.approver = "crash";
	if (journal_append(j, &e, &err)) {
		fprintf(stderr, "append after the crash: %s\n", err.msg);
		journal_close(j);
		return 1;
	}
	journal_close(j);
	j = journal_open(path, warn, sizeof(warn), &err);
	if (!j) {
		fprintf(stderr, "second reopen: %s\n", err.msg);
		return 1;
	}
	expected(found, &s);
	s.decision[NIDS - 1] = "approve";
	s.category[NIDS - 1] = "question";
	s.reply[NIDS - 1] = "after the crash";
	if (!matches(j, &s)) {
		fprintf(stderr, "the decision appended after the crash did not "
			"read back whole, or disturbed the others\n");
		journal_close(j);
		return 1;
	}
	journal_close(j);
	return 0;
}

int main(int argc, char **argv)
{
	fill_long_reply();
	if (argc == 3 && !strcmp(argv[1], "write"))
		return do_write(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return do_verify(argv[2], (size_t)strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: crash_journal write JOURNAL | verify JOURNAL ACKED\n");
	return 2;
}

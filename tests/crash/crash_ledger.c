/*
 * crash_ledger.c - drives core/ledger.c (publish's ledger) under
 * tests/crash/crashfs.c.
 *
 *   crash_ledger write LEDGER
 *       for ids 1..6: appends the intent, writes "I n" to standard output
 *       with one write(2) (publish would now send the request), appends the
 *       outcome "done" and writes "D n" (publish would go on).
 *   crash_ledger verify LEDGER ACKLOG
 *       after the power cut, for each id: an acknowledged "done" reads back
 *       as done; an acknowledged intent never reads back as "never tried"
 *       (that would post twice); an id never acknowledged is at most one
 *       step ahead (its line may have reached the disk before the ack).
 *       Then one more intent is appended and must read back.
 * Exit 0 when all holds, 1 with a message otherwise.
 */
#include "ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NIDS 6

static int do_write(const char *path)
{
	struct cd_error err = { { 0 }, 0, 0 };
	char warn[512], id[16], ack[32];
	struct ledger *l = ledger_open(path, warn, sizeof(warn), &err);
	int i, n;

	if (!l) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	for (i = 1; i <= NIDS; i++) {
		snprintf(id, sizeof(id), "%d", i);
		if (ledger_append(l, id, "v1", "reply", "intent", NULL, &err))
			goto fail;
		n = snprintf(ack, sizeof(ack), "I %d\n", i);
		if (write(1, ack, (size_t)n) != n)
			return 1;
		if (ledger_append(l, id, NULL, "reply", "done", NULL, &err))
			goto fail;
		n = snprintf(ack, sizeof(ack), "D %d\n", i);
		if (write(1, ack, (size_t)n) != n)
			return 1;
	}
	ledger_close(l);
	return 0;
fail:
	fprintf(stderr, "append: %s\n", err.msg);
	ledger_close(l);
	return 1;
}

static int do_verify(const char *path, const char *acklog)
{
	struct cd_error err = { { 0 }, 0, 0 };
	char warn[512], id[16], line[64];
	int intent[NIDS + 1] = { 0 }, done[NIDS + 1] = { 0 }, i, bad = 0;
	FILE *fp = fopen(acklog, "r");
	struct ledger *l;

	if (!fp) {
		perror(acklog);
		return 1;
	}
	while (fgets(line, sizeof(line), fp)) {
		int k = atoi(line + 2);

		if (k < 1 || k > NIDS)
			continue;
		if (line[0] == 'I')
			intent[k] = 1;
		else if (line[0] == 'D')
			done[k] = 1;
	}
	fclose(fp);
	l = ledger_open(path, warn, sizeof(warn), &err);
	if (!l) {
		fprintf(stderr, "reopen after the crash: %s\n", err.msg);
		return 1;
	}
	for (i = 1; i <= NIDS; i++) {
		enum ledger_state s;

		snprintf(id, sizeof(id), "%d", i);
		s = ledger_state(l, id, "reply");
		if (done[i] && s != LEDGER_DONE) {
			fprintf(stderr, "id %d: done was acknowledged, reads %s\n",
				i, ledger_state_name(s));
			bad = 1;
		} else if (intent[i] && s == LEDGER_NONE) {
			fprintf(stderr, "id %d: the intent was acknowledged (the "
				"request went out) but reads as never tried\n", i);
			bad = 1;
		} else if (!intent[i] && s == LEDGER_DONE) {
			fprintf(stderr, "id %d: done without an acknowledged intent\n", i);
			bad = 1;
		}
	}
	if (!bad && ledger_append(l, "7", "v1", "reply", "intent", NULL, &err)) {
		fprintf(stderr, "append after the crash: %s\n", err.msg);
		bad = 1;
	}
	ledger_close(l);
	if (bad)
		return 1;
	l = ledger_open(path, warn, sizeof(warn), &err);
	if (!l || ledger_state(l, "7", "reply") != LEDGER_UNKNOWN) {
		fprintf(stderr, "the intent appended after the crash did not read back\n");
		ledger_close(l);
		return 1;
	}
	ledger_close(l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "write"))
		return do_write(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "verify"))
		return do_verify(argv[2], argv[3]);
	fprintf(stderr, "usage: crash_ledger write LEDGER | verify LEDGER ACKLOG\n");
	return 2;
}

/*
 * journal_bench.c - how long journal_read() takes to index a journal, the
 * loader alone (no model, no templates): what `candor review -j J`,
 * `publish` and `train --journal` pay before they start; and what the
 * team summary `review` prints at quit costs, counted two ways: by
 * journal_each() (every standing line read back and parsed by cJSON, as
 * review did before) and by journal_tally() (what it does now), which
 * must give the same numbers.
 *
 *   journal_bench JOURNAL [RUNS [APPROVER]]
 *
 * Prints, per run, the decided comments, the wall and CPU seconds of the
 * open and of each count; then the process's peak RSS.  APPROVER (default
 * ana) is the "yours" of the summary.  bench/gen_journal.py makes a
 * synthetic journal; docs/performance.md has the figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "error.h"
#include "journal.h"

static double now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The summary as review counted it before: journal_each(), cJSON. */
struct each_tally {
	const char *me;
	struct journal_tally t;
};

static int each_one(void *ctx, const struct journal_record *rec)
{
	static const char *const kinds[] = {
		"approve", "skip", "hide", "reject", "escalate"
	};
	struct each_tally *e = ctx;
	size_t k;

	e->t.all++;
	if (rec->approver && !strcmp(rec->approver, e->me))
		e->t.mine++;
	for (k = 0; k < 5; k++)
		if (!strcmp(rec->decision, kinds[k]))
			e->t.by_kind[k]++;
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 1, i;
	const char *me = argc > 3 ? argv[3] : "ana";
	struct rusage ru;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: journal_bench JOURNAL [RUNS]\n");
		return 2;
	}
	for (i = 0; i < runs; i++) {
		char warning[4400];
		struct cd_error err;
		double w0 = now(CLOCK_MONOTONIC);
		double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		struct journal *j = journal_read(argv[1], warning,
						 sizeof(warning), &err);
		double w1 = now(CLOCK_MONOTONIC);
		double c1 = now(CLOCK_PROCESS_CPUTIME_ID);

		if (!j) {
			fprintf(stderr, "journal_bench: %s\n", err.msg);
			return 1;
		}
		if (warning[0])
			fprintf(stderr, "journal_bench: warning: %s\n", warning);
		struct each_tally e;
		struct journal_tally t;
		double w2, c2, w3, c3;

		printf("decided %zu  wall %.3f s  cpu %.3f s\n",
		       journal_decided(j), w1 - w0, c1 - c0);
		memset(&e, 0, sizeof(e));
		e.me = me;
		journal_each(j, each_one, &e);
		w2 = now(CLOCK_MONOTONIC);
		c2 = now(CLOCK_PROCESS_CPUTIME_ID);
		journal_tally(j, me, &t);
		w3 = now(CLOCK_MONOTONIC);
		c3 = now(CLOCK_PROCESS_CPUTIME_ID);
		printf("summary by journal_each (cJSON)  wall %.3f s  cpu %.3f s\n"
		       "summary by journal_tally         wall %.3f s  cpu %.3f s"
		       "  (%zu standing, %zu by %s)\n", w2 - w1, c2 - c1,
		       w3 - w2, c3 - c2, t.all, t.mine, me);
		if (memcmp(&e.t, &t, sizeof(t))) {
			fprintf(stderr, "journal_bench: the two summaries differ\n");
			return 1;
		}
		journal_close(j);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %.1f MB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}

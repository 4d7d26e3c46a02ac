/*
 * journal_bench.c - how long journal_read() takes to index a journal, the
 * loader alone (no model, no templates): what `candor review -j J`,
 * `publish` and `train --journal` pay before they start.
 *
 *   journal_bench JOURNAL [RUNS]
 *
 * Prints, per run, the decided comments, the wall and CPU seconds of the
 * open; then the process's peak RSS.  bench/gen_journal.py makes a
 * synthetic journal; docs/performance.md has the figures.
 */
#include <stdio.h>
#include <stdlib.h>
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

int main(int argc, char **argv)
{
	int runs = argc > 2 ? atoi(argv[2]) : 1, i;
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
		printf("decided %zu  wall %.3f s  cpu %.3f s\n",
		       journal_decided(j), w1 - w0, c1 - c0);
		journal_close(j);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %.1f MB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}

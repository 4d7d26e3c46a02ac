/*
 * test_claims.c - a team on one journal: claims with leases, takeover
 * after a lease runs out, releases, decisions refused when a teammate got
 * there first, what other processes appended read under the lock, and the
 * escalate decision.  Two journal handles on one file stand for two
 * reviewers' processes (flock locks are per open file, so they exclude
 * each other as two processes do).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "journal.h"

static char path[64];

static struct journal *open_j(void)
{
	char warning[256];
	struct cd_error err;
	struct journal *j = journal_open(path, warning, sizeof(warning), &err);

	if (!j)
		fail_msg("journal_open: %s", err.msg);
	return j;
}

static int decide(struct journal *j, const char *id, const char *decision,
		  const char *who, int64_t now, struct cd_error *err)
{
	struct journal_entry e;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.decision = decision;
	e.category = "complaint";
	e.approver = who;
	e.exclusive = 1;
	e.now = now;
	return journal_append(j, &e, err);
}

static int setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/candor-claims-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static int count_each(void *ctx, const struct journal_record *r)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

static void test_claim_lease_takeover(void **state)
{
	struct journal *alice = open_j(), *bob = open_j();
	struct cd_error err;
	int n = 0;

	(void)state;
	assert_int_equal(journal_claim(alice, "c1", "alice", 1000, 60, &err), 0);
	/* bob's process learns of it from the file, under the lock */
	assert_int_equal(journal_claim(bob, "c1", "bob", 1010, 60, &err),
			 JOURNAL_TAKEN);
	assert_non_null(strstr(err.msg, "alice has this comment"));
	assert_string_equal(journal_claimed_by(bob, "c1", 1010), "alice");
	assert_null(journal_claimed_by(bob, "c1", 1060));  /* lease over */
	/* alice may renew her own claim */
	assert_int_equal(journal_claim(alice, "c1", "alice", 1020, 60, &err), 0);
	assert_int_equal(journal_claim(bob, "c1", "bob", 1070, 60, &err),
			 JOURNAL_TAKEN);
	/* after the lease, bob takes it over */
	assert_int_equal(journal_claim(bob, "c1", "bob", 1081, 60, &err), 0);
	/* and alice's late decision is refused */
	assert_int_equal(decide(alice, "c1", "approve", "alice", 1090, &err),
			 JOURNAL_TAKEN);
	assert_non_null(strstr(err.msg, "bob has this comment meanwhile"));
	assert_int_equal(decide(bob, "c1", "hide", "bob", 1095, &err), 0);
	/* the decision ends the claim, and alice sees bob's decision */
	assert_null(journal_claimed_by(bob, "c1", 1096));
	assert_int_equal(journal_refresh(alice, &err), 0);
	assert_string_equal(journal_decision(alice, "c1"), "hide");
	assert_string_equal(journal_decided_by(alice, "c1"), "bob");
	assert_int_equal(journal_claim(alice, "c1", "alice", 1100, 60, &err),
			 JOURNAL_TAKEN);
	assert_non_null(strstr(err.msg, "bob decided this comment"));
	assert_int_equal(decide(alice, "c1", "approve", "alice", 1100, &err),
			 JOURNAL_TAKEN);
	/* claims are not decisions */
	assert_int_equal(journal_decided(alice), 1);
	journal_each(alice, count_each, &n);
	assert_int_equal(n, 1);
	journal_close(alice);
	journal_close(bob);
}

static void test_release_and_reopen(void **state)
{
	struct journal *alice = open_j(), *bob = open_j(), *again;
	struct cd_error err;

	(void)state;
	assert_int_equal(journal_claim(alice, "c2", "alice", 2000, 600, &err), 0);
	assert_int_equal(journal_claim(alice, "c3", "alice", 2000, 600, &err), 0);
	assert_int_equal(journal_release(alice, "c2", "alice", &err), 0);
	/* bob cannot give back what alice holds */
	assert_int_equal(journal_release(bob, "c3", "bob", &err), 0);
	assert_int_equal(journal_claim(bob, "c2", "bob", 2001, 600, &err), 0);
	assert_int_equal(journal_claim(bob, "c3", "bob", 2001, 600, &err),
			 JOURNAL_TAKEN);
	/* a process killed with -9 leaves its claims in the file: a new
	   process sees them until the lease runs out */
	journal_close(alice);
	again = open_j();
	assert_string_equal(journal_claimed_by(again, "c3", 2100), "alice");
	assert_string_equal(journal_claimed_by(again, "c2", 2100), "bob");
	assert_null(journal_claimed_by(again, "c3", 2600));
	journal_close(again);
	journal_close(bob);
}

static void test_escalate_and_undo_own(void **state)
{
	struct journal *alice = open_j(), *bob = open_j();
	struct journal_entry e;
	struct journal_record rec;
	struct cd_error err;
	char line[1024];
	FILE *fp;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = "c4";
	e.decision = "escalate";
	e.category = "complaint";
	e.flags = "safety";
	e.to = "maria, oleg";
	e.approver = "alice";
	assert_int_equal(journal_append(alice, &e, &err), 0);
	assert_int_equal(decide(bob, "c5", "approve", "bob", 3000, &err), 0);
	assert_string_equal(journal_decision(alice, "c4"), "escalate");
	assert_int_equal(journal_get(alice, "c4", &rec), 1);
	assert_string_equal(rec.decision, "escalate");
	assert_string_equal(rec.approver, "alice");
	/* u undoes the reviewer's own latest decision, not the team's */
	assert_int_equal(journal_refresh(alice, &err), 0);
	assert_string_equal(journal_last_id(alice), "c5");
	assert_string_equal(journal_last_id_by(alice, "alice"), "c4");
	assert_string_equal(journal_last_id_by(alice, "bob"), "c5");
	assert_null(journal_last_id_by(alice, "carol"));
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_non_null(strstr(line, "\"decision\":\"escalate\""));
	assert_non_null(strstr(line, "\"to\":\"maria, oleg\""));
	fclose(fp);
	journal_close(alice);
	journal_close(bob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim_lease_takeover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_release_and_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_escalate_and_undo_own, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

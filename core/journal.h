/*
 * journal.h - the review decisions, append-only JSONL, crash-safe.
 *
 * Every decision a person makes is one line:
 *   {"id","video_id","decision":"approve|skip|hide|reject|escalate|undo",
 *    "category",
 *    "original_category" (only when a person changed it),"flags":[...],
 *    "template","fact" (the fact cited, if any),
 *    "reply","edited","override","tone":{...},"approver","ts","text"}
 * with ts in RFC 3339 UTC.  "undo" is a compensating entry that cancels
 * the latest standing decision on that id: the file is never rewritten.
 * journal_append() writes the line with one write(2) on an O_APPEND
 * descriptor and fsyncs it before returning, so a decision that was shown
 * as made survives a kill or a power cut.  A torn last line (a crash in
 * the middle of a write) is detected on open, reported as a warning, and
 * ignored; the next append starts on a fresh line, so the fragment stays a
 * line of its own that later opens pass over with the same warning.  A
 * complete line longer than JOURNAL_LINE_MAX is passed over with a warning
 * that says so ("line N is longer than the limit (1 MiB)"); it is never
 * read whole.
 *
 * Memory grows with the ids and the decisions that stand (or that an undo
 * could bring back), about 16 bytes each plus each id once, not with the
 * file: the fields of a decision are read back from its line when asked
 * for (journal_get, journal_each).  docs/formats.md has the figures.
 *
 * Ownership: journal_open() returns a journal freed with journal_close().
 * Strings handed to journal_append() are copied.
 */
#ifndef CANDOR_JOURNAL_H
#define CANDOR_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "tone.h"

#define JOURNAL_LINE_MAX (1u << 20)

struct journal;

struct journal_entry {
	const char *id;
	const char *video_id;           /* where a reply goes; NULL or "": none */
	const char *decision;           /* approve, skip, hide, reject, undo */
	const char *category;
	const char *original_category;  /* NULL unless a person changed it */
	const char *template_id;
	const char *fact;               /* the fact cited, or NULL */
	const char *flags;              /* "safety legal", "" or NULL: none */
	const char *reply;
	int edited;                     /* the person edited the draft */
	int override;                   /* approved despite error findings */
	const struct tone_result *tone; /* may be NULL */
	const char *approver;
	const char *text;               /* the comment, for learning */
	const char *ts;                 /* NULL: now */
	const char *to;                 /* escalate: who it went to */
	const char *until;              /* claim: unix seconds (internal) */
	int exclusive;                  /* refuse when another reviewer has
					   decided or holds the comment at
					   `now` (JOURNAL_TAKEN) */
	int64_t now;                    /* for exclusive: unix seconds */
};

/* journal_append() or journal_claim(): another reviewer has the comment. */
#define JOURNAL_TAKEN CD_ERR_DATA

/*
 * A standing decision as read back: from journal_get() its strings live as
 * long as the journal, from journal_each() until the callback returns.
 */
struct journal_record {
	const char *id;
	const char *video_id;           /* NULL when the entry had none */
	const char *decision;
	const char *category;           /* NULL when the entry had none */
	const char *reply;
	const char *text;
	int corrected;                  /* the person changed the category */
	const char *approver;           /* NULL when the entry had none */
	size_t entry;                   /* its decision's index in file order
					   (0-based, undo lines not counted) */
};

/*
 * Open (creating if needed) the journal at path and read what it holds.
 * warning receives a message when a torn or malformed line was ignored
 * ("" otherwise).
 */
struct journal *journal_open(const char *path, char *warning, size_t wsz,
			     struct cd_error *err);
/* Read a journal without creating or changing it (for train). */
struct journal *journal_read(const char *path, char *warning, size_t wsz,
			     struct cd_error *err);
void journal_close(struct journal *j);

/*
 * The standing decision on id into *out: 1, or 0 when undecided.  Its line
 * is read back once and kept for the life of the journal.
 */
int journal_get(const struct journal *j, const char *id,
		struct journal_record *out);

/*
 * Call fn for each standing decision (undone ones replayed away; a later
 * decision on an id stands over an earlier one), in file order.  Stops at
 * and returns fn's first nonzero result.  Each line is read back and parsed
 * for the call: copy what must outlive it.
 */
int journal_each(const struct journal *j,
		 int (*fn)(void *ctx, const struct journal_record *r), void *ctx);

/* The standing decisions counted (what `review` says at quit). */
struct journal_tally {
	size_t all;
	size_t by_kind[5];              /* approve, skip, hide, reject, escalate */
	size_t mine;                    /* those whose approver is the one asked */
};
/*
 * Count the standing decisions as journal_each() would see them, reading
 * no line unless an approver's name was not kept in memory (more than 254
 * reviewers, or a name cJSON reads otherwise than the scanner).
 */
void journal_tally(const struct journal *j, const char *approver,
		   struct journal_tally *t);

/*
 * The number of decision entries read or appended (undo lines not
 * counted): a learner that applied entries [0, n) learns only the records
 * whose entry is n or more next time.
 */
size_t journal_entries(const struct journal *j);

/*
 * A team on one journal.  Every append takes an exclusive flock(2) on the
 * file and first reads what other processes appended since, so several
 * `review` processes (on one machine, or a filesystem that honours
 * flock) share one set of decisions.  Before a reviewer is shown a
 * comment it claims it: a "claim" line with the reviewer and a lease
 * ("until", unix seconds); the others pass over a comment claimed by
 * someone else until the lease runs out (so a reviewer killed with -9
 * loses its claims after the lease), and a "release" line gives one back
 * early.  A decision ends the claim on its comment.  Claims and releases
 * are not decisions: journal_each(), journal_decision() and learning never
 * see them.
 */

/* Claim id for approver until now + lease: 0, or JOURNAL_TAKEN (decided,
 * or held by another whose lease runs) with err naming who. */
int journal_claim(struct journal *j, const char *id, const char *approver,
		  int64_t now, long lease, struct cd_error *err);
/* Give back approver's claim on id (nothing when it holds none). */
int journal_release(struct journal *j, const char *id, const char *approver,
		    struct cd_error *err);
/* The reviewer whose claim on id runs at now, or NULL. */
const char *journal_claimed_by(const struct journal *j, const char *id,
			       int64_t now);
/* Each claim running at now; stops at and returns fn's first nonzero. */
int journal_each_claim(const struct journal *j, int64_t now,
		       int (*fn)(void *ctx, const char *id, const char *who,
				 int64_t until),
		       void *ctx);
/* Read what other processes appended since the last look (under the lock). */
int journal_refresh(struct journal *j, struct cd_error *err);
/* The approver of the standing decision on id, or NULL.  Valid until the
 * next call into the journal. */
const char *journal_decided_by(const struct journal *j, const char *id);
/* The latest standing decision made by approver (what its `u` undoes). */
const char *journal_last_id_by(const struct journal *j, const char *approver);

/* Append one decision and fsync it.  0 or CD_ERR_IO. */
int journal_append(struct journal *j, const struct journal_entry *e,
		   struct cd_error *err);

/*
 * The standing decision on id after every entry (undo included), or NULL
 * when the id is undecided.  Valid until the next append.
 */
const char *journal_decision(const struct journal *j, const char *id);

/* Number of ids with a standing decision. */
size_t journal_decided(const struct journal *j);

/* The id of the latest standing decision (what `u` would undo), or NULL. */
const char *journal_last_id(const struct journal *j);

/* RFC 3339 UTC timestamp of now into buf (at least 21 bytes). */
void journal_now(char *buf, size_t n);

#endif

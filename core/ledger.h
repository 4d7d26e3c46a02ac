/*
 * ledger.h - what publish sent, so that a rerun never posts twice.
 *
 * An append-only JSONL file beside the journal (JOURNAL.ledger).  Before
 * each request publish appends its intent, fsynced; after the answer the
 * outcome, fsynced:
 *   {"id","video_id","action":"reply|hide","state":"intent","ts"}
 *   {"id","action","state":"done|failed|unknown","ts","error"?}
 * On open the last line of each id and action says where it stands: done
 * (skip it), failed (the server certainly did not act: send again), or
 * unknown (an intent with no outcome, as after kill -9 mid-request, or
 * an answer that never came): not sent again until `publish --reconcile`
 * has looked.  A torn last line is ignored with a warning.  No secret is
 * ever written here: ids, actions, states and error messages that the
 * HTTP client has already masked.
 *
 * Ownership: ledger_open() returns a ledger freed with ledger_close().
 */
#ifndef CANDOR_LEDGER_H
#define CANDOR_LEDGER_H

#include <stddef.h>

#include "error.h"

#define LEDGER_LINE_MAX 4096

enum ledger_state {
	LEDGER_NONE = 0,        /* never attempted */
	LEDGER_UNKNOWN,         /* intent without outcome, or "unknown" */
	LEDGER_FAILED,          /* not done; safe to send again */
	LEDGER_DONE
};

struct ledger;

/*
 * Open (creating) the ledger at path and read it.  warning receives a
 * message when a torn or malformed line was passed over ("" otherwise).
 */
struct ledger *ledger_open(const char *path, char *warning, size_t wsz,
			   struct cd_error *err);
/* Read without creating or writing (for --dry-run). NULL path: empty. */
struct ledger *ledger_read(const char *path, char *warning, size_t wsz,
			   struct cd_error *err);
void ledger_close(struct ledger *l);

enum ledger_state ledger_state(const struct ledger *l, const char *id,
			       const char *action);

/*
 * Append one line and fsync it.  state is "intent", "done", "failed" or
 * "unknown"; video_id and error may be NULL.  0 or CD_ERR_IO.
 */
int ledger_append(struct ledger *l, const char *id, const char *video_id,
		  const char *action, const char *state, const char *error,
		  struct cd_error *err);

const char *ledger_state_name(enum ledger_state s);

#endif

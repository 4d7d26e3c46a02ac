/*
 * jobs.h - a stream filter on N threads, its output in input order.
 *
 * classify, suggest and batch read a stream of items (lines, CSV rows) and
 * answer each one.  With --jobs N the command's reader (the calling
 * thread) packs items into chunks of up to JOBS_CHUNK_ITEMS items or
 * JOBS_CHUNK_BYTES bytes; N worker threads answer whole chunks, each with
 * its own state (tokenizer, suggester: nothing mutable is shared, the
 * model, templates, facts and config are only read); a writer thread
 * writes the answers chunk by chunk in input order.  So stdout, stderr and
 * --errors FILE get the same bytes in the same order as with --jobs 1, and
 * a stop (--strict, a fatal read error) ends the output at the same item.
 *
 * Memory: at most 2N+2 chunks exist at once, whatever the input's size.
 * Streaming: a partial chunk is handed on when a read of the input would
 * block (jobs_on_wait as the line reader's wait hook), so a line that
 * arrives on a pipe is answered at once.  With --jobs 1 there are no
 * threads: a chunk is answered and written when it is handed on.
 *
 * Each worker is a struct jobs_worker: the command's shared context, its
 * own state (ops->state_new: a tokenizer, a suggester), a comment parser
 * and an input item, so a command writes only its state and its answer;
 * jobs_run() is a command's whole run from its opened input.
 *
 * Ownership: jobs_new() borrows ops, out and errors (they outlive the
 * jobs); jobs_free() frees the workers and their states (ops->state_free).
 */
#ifndef CANDOR_JOBS_H
#define CANDOR_JOBS_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "input.h"

#define JOBS_MAX 64                     /* --jobs at most */
#define JOBS_CHUNK_ITEMS 256            /* items in one chunk at most */
#define JOBS_CHUNK_BYTES (64u << 10)    /* a chunk is handed on past this */
#define JOBS_OUT_MAX (1u << 28)         /* bytes of answers to one chunk */

struct jobs;
struct jobs_out;                        /* a worker's answers to a chunk */

/* One per thread, made by the jobs; only its thread touches it. */
struct jobs_worker {
	void *ctx;                      /* ops->ctx: shared, only read */
	void *state;                    /* ops->state_new()'s */
	struct comment_parser *cp;      /* for input_item_comment() */
	struct input_item item;         /* ditto */
};

struct jobs_ops {
	void *ctx;                      /* jobs_worker.ctx */
	/* A worker's own state made from state_arg, or NULL after printing
	 * why (before any thread starts); state_free(state_arg, state)
	 * frees it. */
	void *state_arg;
	void *(*state_new)(void *state_arg);
	void (*state_free)(void *state_arg, void *state);
	/*
	 * Answer one item: the bytes and tag jobs_add() was given, line its
	 * number.  Writes to jobs_stdout(o) and with jobs_err() and
	 * jobs_bad(); never prints.
	 */
	void (*work)(struct jobs_worker *w, long line, int tag,
		     const char *bytes, size_t len, struct jobs_out *o);
	/* Optional, on the writer's side after each chunk is written: items
	 * answered (not skipped) and the reader's position (jobs_set_pos). */
	void (*written)(void *ctx, long answered, long long pos);
};

/* The default --jobs: the online cores, 1..JOBS_MAX. */
int jobs_default(void);
/* Parse --jobs N into *n: 0, or EXIT_USAGE after printing why. */
int jobs_parse(const char *cmd, const char *arg, int *n);

/*
 * n workers; answers go to out (flushed before each message on stderr
 * when it is stdout), bad items' bytes to errors (may be NULL).  NULL
 * after printing why.
 */
struct jobs *jobs_new(int n, const struct jobs_ops *ops, FILE *out,
		      FILE *errors);
/* Bytes written to out before the first answer (suggest's TSV header). */
int jobs_set_prefix(struct jobs *j, const char *s, size_t n);

/*
 * A command's whole run: n workers over ops answer every item of in
 * (input_feed(), track_pos as there) into out, after prefix (NULL: none).
 * Returns as jobs_finish() (EXIT_SOFTWARE when the jobs could not start)
 * with the skipped items in *skipped.
 */
int jobs_run(int n, const struct jobs_ops *ops, struct input *in, FILE *out,
	     FILE *errors, const char *prefix, int track_pos, long *skipped);

/* --- the reader's side --- */

/*
 * Add an item (its bytes are copied).  0, or 1 when the output has stopped
 * (--strict, stdout closed): read no more.
 */
int jobs_add(struct jobs *j, long line, int tag, const char *bytes,
	     size_t len);
/*
 * A bad item the reader found: msg (without "candor: "; NULL to say
 * nothing) goes to stderr and raw (NULL: none) to --errors FILE in their
 * place in the output, and it counts as skipped; with stop (an exit code)
 * the output ends there.  0, or 1 as jobs_add.
 */
int jobs_add_bad(struct jobs *j, long line, const char *msg, const char *raw,
		 size_t rawlen, int stop);
/* Hand the partial chunk on (a read is about to block). */
void jobs_flush(struct jobs *j);
/* A line reader's wait hook (lr_on_wait): jobs_flush() when nothing can
 * be read from the fd set by jobs_watch() without blocking. */
void jobs_on_wait(void *j);
void jobs_watch(struct jobs *j, int fd);
/* The reader's position after the last item added (for progress). */
void jobs_set_pos(struct jobs *j, long long pos);
/*
 * Answer and write everything added, stop the threads.  Returns the exit
 * code the output stopped with (0 when it did not, or stopped quietly
 * because out was closed) and the number of skipped items in *skipped.
 */
int jobs_finish(struct jobs *j, long *skipped);
void jobs_free(struct jobs *j);

/* --- a worker's side --- */

/* The buffer the item's answer is appended to (what goes to out). */
struct cd_buf *jobs_stdout(struct jobs_out *o);
/* "candor: <msg>\n" on stderr after the answers so far. */
void jobs_err(struct jobs_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * A bad item: msg (NULL: say nothing) on stderr, raw + "\n" (NULL: none)
 * to --errors FILE, counted as skipped; with stop the output ends here
 * with that exit code.
 */
void jobs_bad(struct jobs_out *o, const char *msg, const char *raw,
	      size_t rawlen, int stop);
/* The output ends here with exit code `code` (0: quietly). */
void jobs_stop(struct jobs_out *o, int code);

#endif

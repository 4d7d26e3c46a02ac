/*
 * jobs.c - see jobs.h.
 *
 * One mutex guards the chunk lists: free chunks, chunks waiting for a
 * worker (a FIFO), and answered chunks waiting for the writer (a ring
 * indexed by sequence number: at most nchunks are in flight, so seq %
 * nchunks never collides).  Chunks are large (hundreds of items), so the
 * lock is taken a few times per chunk, never per item.
 */
#include "jobs.h"
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOBS_IN_MAX (1u << 28)          /* bytes of one chunk's items */

enum ev_kind { EV_ERR, EV_ERRFILE, EV_SKIP, EV_STOP, EV_NOMEM };

/* Something other than an answer, at its place among the answers. */
struct ev {
	size_t at;              /* answer bytes written before it */
	size_t off, len;        /* its bytes in side (ERR, ERRFILE) */
	long line;              /* the item's line (NOMEM) */
	int kind;               /* enum ev_kind */
	int code;               /* STOP: the exit code */
};

struct jobs_out {
	struct cd_buf out;      /* the answers */
	struct cd_buf side;     /* messages and --errors bytes */
	struct ev *ev;
	size_t nev, evcap;
	int stopped;            /* a stop was recorded: answer no more */
	long line;              /* the item being answered */
};

struct item {
	size_t off, len;        /* bytes in the chunk (after msg for a bad one) */
	size_t msglen;          /* bad: message bytes before off (0: none) */
	long line;
	int tag;
	int bad;                /* 1: a bad item the reader found */
	int has_raw;
	int stop;
};

struct chunk {
	unsigned long long seq;
	struct cd_buf in;
	struct item *items;
	size_t n;
	long long pos;
	struct jobs_out o;
	struct chunk *next;
};

/* A worker thread's argument: the jobs and its own state. */
struct worker_arg {
	struct jobs *j;
	struct jobs_worker *w;
};

struct jobs {
	int n;                          /* workers (1: no threads) */
	const struct jobs_ops *ops;
	FILE *out, *errors;
	struct jobs_worker **wstate;
	struct worker_arg *args;
	pthread_t *threads, writer;
	size_t nthreads;
	int writer_started;
	int sync_init;                  /* mu and the conditions exist */
	pthread_mutex_t mu;
	pthread_cond_t work_cv, write_cv, free_cv;
	struct chunk *chunks;
	size_t nchunks;
	struct chunk *free_list, *queue_head, *queue_tail, **ring;
	unsigned long long seq_next, seq_write;
	struct chunk *cur;              /* the one the reader fills */
	int closing;
	atomic_int stopped;             /* the output has ended */
	int stop_code;
	int reader_fail;                /* out of memory on the reader's side */
	int write_errno;                /* why writing to out failed */
	long skipped;
	int fd;
	long long pos;
	struct cd_buf prefix;
	int wrote_any, dirty;
};

int jobs_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > JOBS_MAX ? JOBS_MAX : (int)n;
}

int jobs_parse(const char *cmd, const char *arg, int *n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < 1 || v > JOBS_MAX)
		return cli_usage_error(cmd, "--jobs must be a number of threads "
				       "from 1 to %d (the limit), not '%s'",
				       JOBS_MAX, arg);
	*n = (int)v;
	return 0;
}

/* ------------------------------------------------------------ answers */

static void out_reset(struct jobs_out *o)
{
	cd_buf_reset(&o->out);
	cd_buf_reset(&o->side);
	o->nev = 0;
	o->stopped = 0;
}

/*
 * The out-of-memory stop, in the slot ev_push always keeps free (nev <
 * evcap holds between calls).
 */
static void push_nomem(struct jobs_out *o)
{
	struct ev *e = &o->ev[o->nev++];

	memset(e, 0, sizeof(*e));
	e->at = o->out.len;
	e->kind = EV_NOMEM;
	e->line = o->line;
	o->stopped = 1;
}

/* A new event at the current place; NULL after a stop. */
static struct ev *ev_push(struct jobs_out *o, int kind)
{
	struct ev *e;

	if (o->stopped)
		return NULL;
	if (o->nev + 1 >= o->evcap) {
		size_t cap = o->evcap * 2;
		struct ev *p = realloc(o->ev, cap * sizeof(*p));

		if (!p) {
			push_nomem(o);
			return NULL;
		}
		o->ev = p;
		o->evcap = cap;
	}
	e = &o->ev[o->nev++];
	memset(e, 0, sizeof(*e));
	e->at = o->out.len;
	e->kind = kind;
	return e;
}

/* An event carrying bytes (side[off..off+len)), added after them. */
static void ev_bytes(struct jobs_out *o, int kind, size_t off)
{
	struct ev *e = ev_push(o, kind);

	if (e) {
		e->off = off;
		e->len = o->side.len - off;
	}
}

static void nomem(struct jobs_out *o, size_t side_off)
{
	o->side.len = side_off;
	if (!o->stopped)
		push_nomem(o);
}

struct cd_buf *jobs_stdout(struct jobs_out *o)
{
	return &o->out;
}

static void verr(struct jobs_out *o, const char *fmt, va_list ap)
{
	size_t off = o->side.len;
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || cd_buf_addstr(&o->side, "candor: ") ||
	    cd_buf_grow(&o->side, (size_t)n + 2)) {
		nomem(o, off);
		return;
	}
	vsnprintf(o->side.data + o->side.len, (size_t)n + 1, fmt, ap);
	o->side.len += (size_t)n;
	cd_buf_addch(&o->side, '\n');
	ev_bytes(o, EV_ERR, off);
}

void jobs_err(struct jobs_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(o, fmt, ap);
	va_end(ap);
}

void jobs_stop(struct jobs_out *o, int code)
{
	struct ev *e;

	if (o->stopped)
		return;
	e = ev_push(o, EV_STOP);
	if (e)
		e->code = code;
	o->stopped = 1;
}

void jobs_bad(struct jobs_out *o, const char *msg, const char *raw,
	      size_t rawlen, int stop)
{
	if (msg)
		jobs_err(o, "%s", msg);
	if (raw) {
		size_t off = o->side.len;

		if (cd_buf_add(&o->side, raw, rawlen) ||
		    cd_buf_addch(&o->side, '\n'))
			nomem(o, off);
		else
			ev_bytes(o, EV_ERRFILE, off);
	}
	ev_push(o, EV_SKIP);
	if (stop)
		jobs_stop(o, stop);
}

/* Answer every item of c with worker state w. */
static void answer(struct jobs *j, struct jobs_worker *w, struct chunk *c)
{
	struct jobs_out *o = &c->o;
	size_t i;

	out_reset(o);
	for (i = 0; i < c->n && !o->stopped; i++) {
		const struct item *it = &c->items[i];
		const char *b = c->in.data + it->off;

		o->line = it->line;
		if (it->bad)
			jobs_bad(o, it->msglen ? b - it->msglen : NULL,
				 it->has_raw ? b : NULL, it->len, it->stop);
		else
			j->ops->work(w, it->line, it->tag, b, it->len, o);
	}
}

/* ------------------------------------------------------------ writing */

static void stop_output(struct jobs *j, int code)
{
	j->stop_code = code;
	atomic_store(&j->stopped, 1);
}

/* Answers to out; 0, or -1 when out is closed or full (a quiet stop). */
static int put(struct jobs *j, const char *p, size_t n)
{
	if (!n)
		return 0;
	if (!j->wrote_any && j->prefix.len &&
	    fwrite(j->prefix.data, 1, j->prefix.len, j->out) != j->prefix.len) {
		j->write_errno = errno;
		return -1;
	}
	j->wrote_any = 1;
	j->dirty = 1;
	if (fwrite(p, 1, n, j->out) == n)
		return 0;
	j->write_errno = errno;
	return -1;
}

/* Write c's answers and events in order (the writer's side only). */
static void write_chunk(struct jobs *j, struct chunk *c)
{
	const struct jobs_out *o = &c->o;
	size_t at = 0, i;
	long skipped = 0;

	if (atomic_load(&j->stopped))
		return;
	for (i = 0; i < o->nev; i++) {
		const struct ev *e = &o->ev[i];

		if (put(j, o->out.data + at, e->at - at)) {
			stop_output(j, 0);
			return;
		}
		at = e->at;
		switch (e->kind) {
		case EV_ERR:
			if (j->out == stdout)
				fflush(stdout);
			fwrite(o->side.data + e->off, 1, e->len, stderr);
			break;
		case EV_ERRFILE:
			if (j->errors) {
				fwrite(o->side.data + e->off, 1, e->len,
				       j->errors);
				fflush(j->errors);
			}
			break;
		case EV_SKIP:
			skipped++;
			break;
		case EV_NOMEM:
			if (j->out == stdout)
				fflush(stdout);
			fprintf(stderr, "candor: out of memory answering line "
				"%ld\n", e->line);
			j->skipped += skipped;
			stop_output(j, EXIT_SOFTWARE);
			return;
		case EV_STOP:
			j->skipped += skipped;
			stop_output(j, e->code);
			return;
		}
	}
	if (put(j, o->out.data + at, o->out.len - at)) {
		stop_output(j, 0);
		return;
	}
	j->skipped += skipped;
	if (j->ops->written)
		j->ops->written(j->ops->ctx, (long)c->n - skipped, c->pos);
}

/* A chunk is empty again; memory one huge item grabbed is given back. */
static void chunk_reset(struct chunk *c)
{
	c->n = 0;
	cd_buf_reset(&c->in);
	if (c->in.cap > 4 * JOBS_CHUNK_BYTES)
		cd_buf_release(&c->in);
	if (c->o.out.cap > (16u << 20))
		cd_buf_release(&c->o.out);
	if (c->o.side.cap > (1u << 20))
		cd_buf_release(&c->o.side);
}

static void *writer_main(void *arg)
{
	struct jobs *j = arg;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		struct chunk *c = j->ring[j->seq_write % j->nchunks];

		if (c && c->seq == j->seq_write) {
			j->ring[j->seq_write % j->nchunks] = NULL;
			pthread_mutex_unlock(&j->mu);
			write_chunk(j, c);
			chunk_reset(c);
			pthread_mutex_lock(&j->mu);
			c->next = j->free_list;
			j->free_list = c;
			j->seq_write++;
			pthread_cond_signal(&j->free_cv);
			continue;
		}
		if (j->closing && j->seq_write == j->seq_next)
			break;
		if (j->dirty) {
			/* nothing to write now: let a reader see what is done */
			j->dirty = 0;
			pthread_mutex_unlock(&j->mu);
			fflush(j->out);
			pthread_mutex_lock(&j->mu);
			continue;
		}
		pthread_cond_wait(&j->write_cv, &j->mu);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}


static void *worker_run(void *arg)
{
	struct worker_arg *a = arg;
	struct jobs *j = a->j;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		struct chunk *c = j->queue_head;

		if (!c) {
			if (j->closing)
				break;
			pthread_cond_wait(&j->work_cv, &j->mu);
			continue;
		}
		j->queue_head = c->next;
		if (!j->queue_head)
			j->queue_tail = NULL;
		pthread_mutex_unlock(&j->mu);
		if (atomic_load(&j->stopped))
			out_reset(&c->o);       /* written by nobody */
		else
			answer(j, a->w, c);
		pthread_mutex_lock(&j->mu);
		j->ring[c->seq % j->nchunks] = c;
		if (c->seq == j->seq_write)
			pthread_cond_signal(&j->write_cv);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* ------------------------------------------------------------ the jobs */

static void worker_free(const struct jobs_ops *ops, struct jobs_worker *w)
{
	if (!w)
		return;
	if (w->state)
		ops->state_free(ops->state_arg, w->state);
	comment_parser_free(w->cp);
	free(w);
}

/* A worker with its parser and the command's state; NULL after saying why. */
static struct jobs_worker *worker_new(const struct jobs_ops *ops)
{
	struct jobs_worker *w = calloc(1, sizeof(*w));
	struct cd_error err;

	cd_error_clear(&err);
	if (!w || !(w->cp = comment_parser_new(&err))) {
		cli_err("out of memory");
		free(w);
		return NULL;
	}
	w->ctx = ops->ctx;
	if (!(w->state = ops->state_new(ops->state_arg))) {
		worker_free(ops, w);
		return NULL;
	}
	return w;
}

static int chunk_init(struct chunk *c)
{
	cd_buf_init(&c->in, JOBS_IN_MAX);
	cd_buf_init(&c->o.out, JOBS_OUT_MAX);
	cd_buf_init(&c->o.side, JOBS_OUT_MAX);
	c->items = calloc(JOBS_CHUNK_ITEMS, sizeof(*c->items));
	c->o.evcap = 4 * JOBS_CHUNK_ITEMS + 8;
	c->o.ev = malloc(c->o.evcap * sizeof(*c->o.ev));
	return c->items && c->o.ev ? 0 : -1;
}

static void chunk_release(struct chunk *c)
{
	cd_buf_release(&c->in);
	cd_buf_release(&c->o.out);
	cd_buf_release(&c->o.side);
	free(c->items);
	free(c->o.ev);
}

/* Stop the threads started so far (after the reader is done). */
static void stop_threads(struct jobs *j)
{
	size_t i;

	if (!j->sync_init)
		return;
	pthread_mutex_lock(&j->mu);
	j->closing = 1;
	pthread_cond_broadcast(&j->work_cv);
	pthread_cond_broadcast(&j->write_cv);
	pthread_mutex_unlock(&j->mu);
	for (i = 0; i < j->nthreads; i++)
		pthread_join(j->threads[i], NULL);
	j->nthreads = 0;
	if (j->writer_started)
		pthread_join(j->writer, NULL);
	j->writer_started = 0;
}

struct jobs *jobs_new(int n, const struct jobs_ops *ops, FILE *out,
		      FILE *errors)
{
	struct jobs *j = calloc(1, sizeof(*j));
	size_t i;
	int rc = 0;

	if (!j) {
		cli_err("out of memory");
		return NULL;
	}
	j->n = n < 1 ? 1 : n > JOBS_MAX ? JOBS_MAX : n;
	j->ops = ops;
	j->out = out;
	j->errors = errors;
	j->fd = -1;
	atomic_init(&j->stopped, 0);
	cd_buf_init(&j->prefix, 1u << 16);
	/* a chunk per worker, as many waiting, one being filled, one written */
	j->nchunks = j->n == 1 ? 1 : 2 * (size_t)j->n + 2;
	j->chunks = calloc(j->nchunks, sizeof(*j->chunks));
	j->ring = calloc(j->nchunks, sizeof(*j->ring));
	j->wstate = calloc((size_t)j->n, sizeof(*j->wstate));
	j->args = calloc((size_t)j->n, sizeof(*j->args));
	j->threads = calloc((size_t)j->n, sizeof(*j->threads));
	if (!j->chunks || !j->ring || !j->wstate || !j->args || !j->threads) {
		cli_err("out of memory");
		jobs_free(j);
		return NULL;
	}
	for (i = 0; i < j->nchunks; i++) {
		if (chunk_init(&j->chunks[i])) {
			cli_err("out of memory");
			jobs_free(j);
			return NULL;
		}
		j->chunks[i].next = j->free_list;
		j->free_list = &j->chunks[i];
	}
	for (i = 0; i < (size_t)j->n; i++)
		if (!(j->wstate[i] = worker_new(ops))) {
			jobs_free(j);
			return NULL;
		}
	if (j->n == 1)
		return j;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->work_cv, NULL);
	pthread_cond_init(&j->write_cv, NULL);
	pthread_cond_init(&j->free_cv, NULL);
	j->sync_init = 1;
	for (i = 0; i < (size_t)j->n; i++) {
		j->args[i].j = j;
		j->args[i].w = j->wstate[i];
		rc = pthread_create(&j->threads[i], NULL, worker_run, &j->args[i]);
		if (rc)
			break;
		j->nthreads++;
	}
	if (!rc) {
		rc = pthread_create(&j->writer, NULL, writer_main, j);
		j->writer_started = !rc;
	}
	if (rc) {
		cli_err("cannot start a thread for --jobs %d: %s", j->n,
			strerror(rc));
		jobs_free(j);
		return NULL;
	}
	return j;
}

int jobs_set_prefix(struct jobs *j, const char *s, size_t n)
{
	cd_buf_reset(&j->prefix);
	return cd_buf_add(&j->prefix, s, n);
}

int jobs_run(int n, const struct jobs_ops *ops, struct input *in, FILE *out,
	     FILE *errors, const char *prefix, int track_pos, long *skipped)
{
	struct jobs *j = jobs_new(n, ops, out, errors);
	int rc;

	*skipped = 0;
	if (!j)
		return EXIT_SOFTWARE;
	if (prefix)
		jobs_set_prefix(j, prefix, strlen(prefix));
	input_feed(in, j, track_pos);
	rc = jobs_finish(j, skipped);
	jobs_free(j);
	return rc;
}

/* The chunk the reader fills; NULL when the output has stopped. */
static struct chunk *current(struct jobs *j)
{
	struct chunk *c;

	if (j->cur)
		return j->cur;
	if (j->n == 1) {
		c = j->free_list;       /* the only one, always free here */
	} else {
		pthread_mutex_lock(&j->mu);
		while (!j->free_list)
			pthread_cond_wait(&j->free_cv, &j->mu);
		c = j->free_list;
		j->free_list = c->next;
		pthread_mutex_unlock(&j->mu);
	}
	c->n = 0;
	c->next = NULL;
	return j->cur = c;
}

/* Hand the chunk being filled on to a worker (with 1: answer, write it). */
static void dispatch(struct jobs *j)
{
	struct chunk *c = j->cur;

	if (!c || !c->n)
		return;
	j->cur = NULL;
	c->seq = j->seq_next;
	c->pos = j->pos;
	if (j->n == 1) {
		j->seq_next++;
		answer(j, j->wstate[0], c);
		write_chunk(j, c);
		chunk_reset(c);
		j->seq_write++;
		return;
	}
	pthread_mutex_lock(&j->mu);
	j->seq_next++;
	if (j->queue_tail)
		j->queue_tail->next = c;
	else
		j->queue_head = c;
	j->queue_tail = c;
	pthread_cond_signal(&j->work_cv);
	pthread_mutex_unlock(&j->mu);
}

/* Room for an item of `need` bytes in the current chunk; NULL if none. */
static struct item *new_item(struct jobs *j, size_t need)
{
	struct chunk *c;

	if (atomic_load(&j->stopped) || j->reader_fail)
		return NULL;
	c = current(j);
	if (c->n && c->in.len + need > JOBS_CHUNK_BYTES) {
		dispatch(j);
		c = current(j);
	}
	if (cd_buf_grow(&c->in, need + 1)) {
		j->reader_fail = 1;
		return NULL;
	}
	return memset(&c->items[c->n], 0, sizeof(struct item));
}

/* The item new_item() gave is complete. */
static int added(struct jobs *j)
{
	struct chunk *c = j->cur;

	c->n++;
	if (c->n == JOBS_CHUNK_ITEMS || c->in.len >= JOBS_CHUNK_BYTES)
		dispatch(j);
	return atomic_load(&j->stopped) || j->reader_fail;
}

int jobs_add(struct jobs *j, long line, int tag, const char *bytes,
	     size_t len)
{
	struct item *it = new_item(j, len);
	struct chunk *c = j->cur;

	if (!it)
		return 1;
	it->off = c->in.len;
	it->len = len;
	it->line = line;
	it->tag = tag;
	cd_buf_add(&c->in, bytes, len);         /* room was made */
	c->in.data[c->in.len++] = '\0';        /* items are C strings too */
	return added(j);
}

int jobs_add_bad(struct jobs *j, long line, const char *msg, const char *raw,
		 size_t rawlen, int stop)
{
	size_t msglen = msg ? strlen(msg) + 1 : 0;
	struct item *it = new_item(j, msglen + (raw ? rawlen : 0));
	struct chunk *c = j->cur;

	if (!it)
		return 1;
	if (msg)
		cd_buf_add(&c->in, msg, msglen);        /* with its NUL */
	it->msglen = msglen;
	it->off = c->in.len;
	it->len = raw ? rawlen : 0;
	if (raw)
		cd_buf_add(&c->in, raw, rawlen);
	it->has_raw = raw != NULL;
	it->line = line;
	it->bad = 1;
	it->stop = stop;
	return added(j);
}

void jobs_flush(struct jobs *j)
{
	dispatch(j);
	if (j->n == 1 && j->dirty) {
		j->dirty = 0;
		fflush(j->out);
	}
}

void jobs_watch(struct jobs *j, int fd)
{
	j->fd = fd;
}

void jobs_on_wait(void *arg)
{
	struct jobs *j = arg;
	struct pollfd p;

	if (j->fd >= 0) {
		p.fd = j->fd;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 0) > 0)
			return;         /* more is there: no wait, go on */
	}
	jobs_flush(j);
}

void jobs_set_pos(struct jobs *j, long long pos)
{
	j->pos = pos;
}

int jobs_finish(struct jobs *j, long *skipped)
{
	dispatch(j);
	stop_threads(j);
	*skipped = j->skipped;
	/* the writer's errno is its thread's: main's stdout check reads it */
	if (j->write_errno)
		errno = j->write_errno;
	if (j->reader_fail) {
		if (j->out == stdout)
			fflush(stdout);
		cli_err("out of memory reading the input");
		return EXIT_SOFTWARE;
	}
	return j->stop_code;
}

void jobs_free(struct jobs *j)
{
	size_t i;

	if (!j)
		return;
	stop_threads(j);
	if (j->sync_init) {
		pthread_mutex_destroy(&j->mu);
		pthread_cond_destroy(&j->work_cv);
		pthread_cond_destroy(&j->write_cv);
		pthread_cond_destroy(&j->free_cv);
	}
	for (i = 0; j->wstate && i < (size_t)j->n; i++)
		worker_free(j->ops, j->wstate[i]);
	for (i = 0; j->chunks && i < j->nchunks; i++)
		chunk_release(&j->chunks[i]);
	cd_buf_release(&j->prefix);
	free(j->chunks);
	free(j->ring);
	free(j->wstate);
	free(j->args);
	free(j->threads);
	free(j);
}

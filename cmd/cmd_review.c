/*
 * cmd_review.c - `candor review [FILE|-] [--journal J] [--as NAME]`.
 *
 * The terminal side of the review loop (core/review.c is the state
 * machine).  Comments may come from a pipe while keys come from the
 * controlling terminal (/dev/tty), read one at a time in raw mode.  The
 * terminal is restored on every way out: normal exit, SIGINT, SIGTERM,
 * SIGHUP, and around SIGTSTP/SIGCONT; a window resize redraws.  Without a
 * terminal the command refuses instead of waiting for keys that never come.
 */
#include "cli.h"
#include "color.h"
#include "atomic.h"
#include "csvio.h"
#include "input.h"
#include "pipeline.h"
#include "review.h"
#include "webhook.h"
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define REVIEW_MAX_ITEMS 1000000
#define REVIEW_LEASE_DEFAULT 300        /* seconds, with --team */

static const char usage_review[] =
"usage: candor review [options] [FILE|-]\n"
"\n"
"Shows one comment at a time with its category, confidence, the words that\n"
"decided it, the draft reply and its tone findings, and records what you\n"
"decide.  FILE holds comments (text or JSONL) or a batch CSV (named .csv\n"
"or .tsv; its category, reply, lang and created_at columns are used).\n"
"Keys come from the terminal even when the comments come from a pipe.\n"
"\n"
"  a approve   e edit in $VISUAL/$EDITOR   v next variant   c change category\n"
"  h hide      x escalate to the crisis team   s skip   r reject\n"
"  u undo your last decision   ? help   q quit\n"
"\n"
"  -j, --journal J    where decisions go (default: FILE.journal.jsonl, or\n"
"                     candor-journal.jsonl for stdin); rerunning with the same\n"
"                     journal resumes at the first undecided comment\n"
"      --as NAME      the approver recorded (default: $USER)\n"
"      --follow       FILE grows (like tail -f): keep reading it\n"
"      --arrival-order  show comments in the order they came, not the most\n"
"                     urgent first\n"
"      --team         one of several reviewers on this journal: claim each\n"
"                     comment before showing it ([review] lease, 5m by\n"
"                     default; a lease in the config turns this on)\n"
"      --status       print the queue of the journal (and FILE): decisions\n"
"                     per reviewer, claims, waiting, overdue; no terminal\n"
"  -o, --output-csv OUT  with a batch CSV: write it back with the reply and\n"
"                     status (approved, skipped, hidden, rejected, pending),\n"
"                     with the CSV's own separator (',', ';' or tab)\n"
"      --encoding E   a batch CSV's encoding (as batch --encoding: cp1251,\n"
"                     utf-16le, ...; UTF-16 with a byte order mark is found)\n"
"  -h, --help         this help\n"
"\n"
"Every decision is written and synced to the journal before the next\n"
"comment shows, so killing candor loses nothing already decided.\n";

/* ---- the terminal ------------------------------------------------------ */

static int tty_fd = -1;
static struct termios tty_saved;
static volatile sig_atomic_t tty_raw, resized;

static void tty_cooked(void)
{
	if (tty_fd >= 0 && tty_raw) {
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
		tty_raw = 0;
	}
}

static int tty_make_raw(void)
{
	struct termios t = tty_saved;

	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(tty_fd, TCSAFLUSH, &t))
		return -1;
	tty_raw = 1;
	return 0;
}

static void on_fatal_signal(int sig)
{
	tty_cooked();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_tstp(int sig)
{
	(void)sig;
	tty_cooked();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
}

static void on_cont(int sig)
{
	(void)sig;
	signal(SIGTSTP, on_tstp);
	if (tty_fd >= 0 && !tty_raw)
		tty_make_raw();
	resized = 1;            /* redraw */
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = on_cont;
	sigaction(SIGCONT, &sa, NULL);
	sa.sa_handler = on_winch;       /* no SA_RESTART: read() wakes up */
	sigaction(SIGWINCH, &sa, NULL);
}

/* ---- the live input ------------------------------------------------------ */

/*
 * Comments from a pipe or a growing file are read by a thread of their
 * own, so the person works while they arrive: each comment is copied into
 * a list under a mutex and a byte on a pipe wakes the terminal side, which
 * moves them into the review queue between keys.
 */
struct feed {
	pthread_t th;
	int running;
	pthread_mutex_t mu;
	struct review_item *q;          /* arrived, not yet queued */
	size_t n, cap;
	int done;                       /* the input ended */
	int rc;                         /* its exit code, if it failed */
	int wake[2];                    /* [0] polled with the terminal */
	struct input in;
};

static void item_release(struct review_item *d)
{
	free((char *)d->c.id);
	free((char *)d->c.text);
	free((char *)d->c.author);
	free((char *)d->c.lang);
	free((char *)d->c.created_at);
	free((char *)d->c.video_id);
	free((char *)d->c.parent_id);
}

/* Copy c into the feed's list; 0 or -1 (out of memory). */
static int feed_push(struct feed *f, const struct comment *c)
{
	struct review_item d;
	int rc = 0;

	memset(&d, 0, sizeof(d));
	d.c = *c;
	d.c.id = strdup(c->id);
	d.c.text = strndup(c->text, c->text_len);
	d.c.author = strdup(c->author);
	d.c.lang = strdup(c->lang);
	d.c.created_at = strdup(c->created_at);
	d.c.video_id = strdup(c->video_id ? c->video_id : "");
	d.c.parent_id = strdup(c->parent_id ? c->parent_id : "");
	if (!d.c.id || !d.c.text || !d.c.author || !d.c.lang ||
	    !d.c.created_at || !d.c.video_id || !d.c.parent_id) {
		item_release(&d);
		return -1;
	}
	pthread_mutex_lock(&f->mu);
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct review_item *q = realloc(f->q, cap * sizeof(*q));

		if (q) {
			f->q = q;
			f->cap = cap;
		}
	}
	if (f->n < f->cap)
		f->q[f->n++] = d;
	else
		rc = -1;
	pthread_mutex_unlock(&f->mu);
	if (rc)
		item_release(&d);
	return rc;
}

static void feed_wake(struct feed *f)
{
	ssize_t w;

	do
		w = write(f->wake[1], "x", 1);
	while (w < 0 && errno == EINTR);
}

static void *feed_main(void *arg)
{
	struct feed *f = arg;
	struct comment cm;
	int rc;

	while ((rc = input_next(&f->in, &cm)) == 1) {
		if (feed_push(f, &cm)) {
			rc = EXIT_SOFTWARE;
			break;
		}
		feed_wake(f);
	}
	pthread_mutex_lock(&f->mu);
	f->done = 1;
	f->rc = rc > 1 ? rc : 0;
	pthread_mutex_unlock(&f->mu);
	feed_wake(f);
	return NULL;
}

static int feed_start(struct feed *f, const char *path, int follow,
		      const struct cli *c)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->wake[0] = f->wake[1] = -1;
	rc = input_open(&f->in, path, 0, 1, NULL);
	if (rc)
		return rc;
	(void)c;
	if (follow)
		lr_follow(f->in.lr, 1);
	if (pipe(f->wake) || pthread_mutex_init(&f->mu, NULL)) {
		cli_err("cannot start reading the comments: %s", strerror(errno));
		input_close(&f->in);
		return EXIT_SOFTWARE;
	}
	fcntl(f->wake[0], F_SETFL, O_NONBLOCK);
	if (pthread_create(&f->th, NULL, feed_main, f)) {
		cli_err("cannot start reading the comments");
		input_close(&f->in);
		return EXIT_SOFTWARE;
	}
	f->running = 1;
	return 0;
}

/*
 * Move what arrived into the queue.  Returns the number moved; *ended is
 * set once the input has ended and everything is moved.
 */
static size_t feed_drain(struct feed *f, struct review *r, int *ended)
{
	struct review_item *q;
	struct cd_error err;
	size_t n, i;
	char sink[256];

	while (read(f->wake[0], sink, sizeof(sink)) > 0)
		;
	pthread_mutex_lock(&f->mu);
	q = f->q;
	n = f->n;
	f->q = NULL;
	f->n = f->cap = 0;
	*ended = f->done;
	pthread_mutex_unlock(&f->mu);
	for (i = 0; i < n; i++) {
		if (review_add(r, &q[i], &err))
			cli_err("%s", err.msg);
		item_release(&q[i]);
	}
	free(q);
	return n;
}

/* Wait until the input has ended and move it all into the queue. */
static void feed_settle(struct feed *f, struct review *r)
{
	struct pollfd pf = { f->wake[0], POLLIN, 0 };
	int ended = 0;

	while (!ended) {
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			break;
		feed_drain(f, r, &ended);
	}
	review_input_done(r);
}

static int regular_file(const char *path)
{
	struct stat st;

	return strcmp(path, "-") && !stat(path, &st) && S_ISREG(st.st_mode);
}

static int feed_stop(struct feed *f)
{
	if (!f->running)
		return 0;
	/* the thread may sit in read(2) on a pipe that stays open: leave it */
	pthread_cancel(f->th);
	pthread_join(f->th, NULL);
	f->running = 0;
	free(f->q);
	close(f->wake[0]);
	close(f->wake[1]);
	input_close(&f->in);
	return f->rc;
}

/* ---- the review_io over the terminal ----------------------------------- */

struct term {
	FILE *out;
	int color;
	char msg[512];
	struct review_view last;
	int have_last;
	const char *const *labels;
	struct feed *feed;              /* NULL: all comments loaded */
	struct webhook *webhook;        /* escalation notes, or NULL */
	const char *approver;
	struct review *r;
	int ended;                      /* the feed has ended */
};

/* The draft, indented and wrapped at spaces near REPLY_WIDTH columns. */
#define REPLY_WIDTH 72
static void show_reply(FILE *o, const struct suggestion *g, int color)
{
	size_t cp = 0, i, k, col = 0;
	int prev = 0;

	fputs("    ", o);
	for (i = 0; i < g->reply_len; cp++) {
		int hot = 0;
		size_t n = 1;

		while (i + n < g->reply_len &&
		       ((unsigned char)g->reply[i + n] & 0xC0) == 0x80)
			n++;
		for (k = 0; g->toned && k < g->tone.n; k++)
			if (cp >= g->tone.f[k].start && cp < g->tone.f[k].end)
				hot = g->tone.f[k].severity == TONE_ERROR ? 2 : 1;
		/*
		 * Fix: mark a span once where it starts and ends.  Each code
		 * point used to get its own marks, so without colour a
		 * finding read "[y][o][u]..." instead of "[you ...]".
		 */
		if (hot != prev) {
			if (prev)
				fputs(color ? COLOR_RESET : "]", o);
			if (hot && color)
				fputs(hot == 2 ? COLOR_MARK_ERROR : COLOR_MARK_WARNING, o);
			else if (hot)
				fputc('[', o);
			prev = hot;
		}
		if (g->reply[i] == '\n' ||
		    (g->reply[i] == ' ' && col >= REPLY_WIDTH - 8)) {
			fputs("\n    ", o);
			col = 0;
		} else {
			fwrite(g->reply + i, 1, n, o);
			col++;
		}
		i += n;
	}
	if (prev)
		fputs(color ? COLOR_RESET : "]", o);
	fputc('\n', o);
}

static void term_show(void *ctx, const struct review_view *v)
{
	struct term *t = ctx;
	FILE *o = t->out;
	const struct suggestion *g = v->g;
	const struct comment *c = v->comment;
	const char *b = color(t->color, COLOR_BOLD), *off = color(t->color, COLOR_RESET);
	size_t i;

	t->last = *v;
	t->have_last = 1;
	if (t->color)
		fputs(COLOR_CLEAR_SCREEN, o);
	else
		fputs("\n----------------------------------------\n", o);
	if (g->flags) {
		char names[32];

		suggest_flags_text(g->flags, names, sizeof(names));
		fprintf(o, "%s!! %s: escalate to a person; no stock reply%s\n",
			t->color ? COLOR_BOLD_RED : "", names, off);
	}
	fprintf(o, "%scandor review%s  %zu/%zu", b, off, v->pos, v->total);
	if (c->author[0])
		fprintf(o, "   @%s", c->author);
	if (c->created_at[0])
		fprintf(o, "   %s", c->created_at);
	fprintf(o, "   #%s\n", c->id);
	fprintf(o, "queue: %zu waiting", v->waiting);
	if (v->arrived)
		fprintf(o, " (%zu new since the last look)", v->arrived);
	if (v->more)
		fputs(", more coming", o);
	if (v->why && v->why[0])
		fprintf(o, "; next because: %s%s%s", v->overdue ?
			color(t->color, COLOR_BOLD_YELLOW) : "", v->why,
			v->overdue ? off : "");
	fputc('\n', o);
	fprintf(o, "%s%s%s %.2f", b, g->category, off, g->confidence);
	if (g->uncertain)
		fprintf(o, "  %sUNCERTAIN: press c to choose the category%s",
			color(t->color, COLOR_BOLD_YELLOW), off);
	if (v->original_category)
		fprintf(o, "  (changed from %s)", v->original_category);
	fprintf(o, "   -> %s\n", g->action);
	if (g->nwhy) {
		fputs("why:", o);
		for (i = 0; i < g->nwhy; i++)
			fprintf(o, "%s \"%.*s\"", i ? "," : "",
				(int)(g->why[i].end - g->why[i].start),
				c->text + g->why[i].start);
		fputc('\n', o);
	}
	fprintf(o, "\n  > %.*s\n\n", (int)c->text_len, c->text);
	if (g->reply_len) {
		/* fix: the variant's number was missing ("variant +") */
		fprintf(o, "draft %s%s", g->template_id,
			v->edited ? " (edited)" : "");
		if (v->nvariants > 1)
			fprintf(o, ", variant %u/%zu", v->variant + 1,
				v->nvariants);
		fprintf(o, ", tone %d/100:\n", g->toned ? g->tone.score : 0);
		show_reply(o, g, t->color);
	} else {
		fprintf(o, "no draft%s%s\n", g->note ? ": " : "",
			g->note ? g->note : "");
	}
	for (i = 0; g->toned && i < g->tone.n; i++) {
		const struct tone_finding *f = &g->tone.f[i];

		fprintf(o, "  %s%s%s %s: %s\n",
			color_severity(t->color, f->severity, 0),
			tone_severity_name(f->severity), off, f->rule, f->message);
	}
	fputs("\n[a]pprove [e]dit [v]ariant [c]ategory [h]ide [s]kip [r]eject "
	      "[u]ndo [?] [q]uit  e[x]calate\n", o);
	if (t->msg[0]) {
		fprintf(o, "%s\n", t->msg);
		t->msg[0] = '\0';
	}
	fflush(o);
}

/* A resize that came before we sat down to wait is redrawn now. */
static void redraw_if_resized(struct term *t)
{
	if (resized && t->have_last) {
		resized = 0;
		term_show(t, &t->last);
	}
}

static int read_key(struct term *t)
{
	unsigned char ch;

	for (;;) {
		ssize_t n;

		redraw_if_resized(t);
		n = read(tty_fd, &ch, 1);

		if (n == 1)
			return ch;
		if (n == 0)
			return -1;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * The next key, or REVIEW_KEY_NEWS when comments arrived first (they are
 * moved into the queue here, between keys, and the screen is redrawn).
 */
/*
 * Wait for a key or for comments: 0 when a key can be read, otherwise the
 * number of comments moved into the queue (1 or more), or -1 once the input
 * has ended with nothing moved (-2 on a poll error).
 */
static long wait_key_or_feed(struct term *t)
{
	struct pollfd pf[2];

	pf[0].fd = tty_fd;
	pf[0].events = POLLIN;
	pf[1].fd = t->feed->wake[0];
	pf[1].events = POLLIN;
	for (;;) {
		pf[0].revents = pf[1].revents = 0;
		redraw_if_resized(t);
		if (poll(pf, 2, -1) < 0) {
			if (errno != EINTR)
				return -2;
			continue;
		}
		if (pf[1].revents) {
			size_t n = feed_drain(t->feed, t->r, &t->ended);

			if (n)
				return (long)n;
			if (t->ended)
				return -1;
		}
		if (pf[0].revents)
			return 0;
	}
}

static int term_key(void *ctx)
{
	struct term *t = ctx;
	long w;

	if (!t->feed || t->ended)
		return read_key(t);
	w = wait_key_or_feed(t);
	if (w == -2)
		return -1;
	return w ? REVIEW_KEY_NEWS : read_key(t);
}

/* x: tell the crisis webhook, when one is set, that a comment was escalated. */
static void term_escalated(void *ctx, const struct review_view *v,
			   const char *to)
{
	struct term *t = ctx;
	const struct comment *c = v->comment;
	char flags[32], msg[700];

	if (!t->webhook)
		return;
	suggest_flags_text(v->g->flags, flags, sizeof(flags));
	snprintf(msg, sizeof(msg), "Escalated to %s by %s: %s%s%s comment %s%s%s "
		 "(%s): \"%.300s\"", to, t->approver, flags, flags[0] ? ", " : "",
		 v->g->category, c->id, c->author[0] ? " by @" : "", c->author,
		 c->created_at[0] ? c->created_at : "time unknown", c->text);
	if (webhook_post(t->webhook, msg))
		snprintf(t->msg, sizeof(t->msg), "escalated; the webhook queue "
			 "is full, the note was not sent");
	else
		snprintf(t->msg, sizeof(t->msg), "escalated to %s; note queued "
			 "for the crisis webhook", to);
}

/* Nothing is waiting: say so, and wait for comments or q. */
static int term_wait(void *ctx, size_t decided)
{
	struct term *t = ctx;
	const char *off = color(t->color, COLOR_RESET);
	int k;

	if (!t->feed || t->ended)
		return 0;
	t->have_last = 0;
	if (t->color)
		fputs(COLOR_CLEAR_SCREEN, t->out);
	else
		fputs("\n----------------------------------------\n", t->out);
	fprintf(t->out, "%scandor review%s  nothing waiting; %zu decided in the "
		"journal\nwaiting for comments ... (q quits)\n",
		color(t->color, COLOR_BOLD), off, decided);
	fflush(t->out);
	for (;;) {
		long w = wait_key_or_feed(t);

		if (w == -2)
			return -1;
		if (w == -1)
			return 0;       /* the input ended */
		if (w > 0)
			return 1;
		k = read_key(t);
		if (k == 'q' || k < 0)
			return -1;
	}
}

static void term_message(void *ctx, const char *msg)
{
	struct term *t = ctx;

	snprintf(t->msg, sizeof(t->msg), "%s", msg);
}

static int term_confirm(void *ctx, const char *q)
{
	struct term *t = ctx;
	int k;

	fprintf(t->out, "%s [y/N] ", q);
	fflush(t->out);
	k = read_key(t);
	fputc('\n', t->out);
	return k == 'y' || k == 'Y';
}

static int term_choose(void *ctx, const char *const *labels, size_t n,
		       const char *current)
{
	static const char keys[] = "123456789abdfgijklmnoptwxyz";
	struct term *t = ctx;
	size_t i;
	int k;

	fputs("\ncategory:\n", t->out);
	for (i = 0; i < n && i < sizeof(keys) - 1; i++)
		fprintf(t->out, "  %c  %s%s\n", keys[i], labels[i],
			!strcmp(labels[i], current) ? "  (now)" : "");
	fputs("choose (any other key keeps it): ", t->out);
	fflush(t->out);
	k = read_key(t);
	for (i = 0; i < n && i < sizeof(keys) - 1; i++)
		if (k == keys[i])
			return (int)i;
	return -1;
}

/* Run $VISUAL/$EDITOR on the reply in a temporary file. */
static char *term_edit(void *ctx, const char *reply)
{
	struct term *t = ctx;
	const char *ed = getenv("VISUAL");
	char path[] = "/tmp/candor-reply-XXXXXX";
	char *text = NULL;
	int fd, status;
	size_t len;
	pid_t pid;
	FILE *fp;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	fd = mkstemp(path);
	if (fd < 0 || write(fd, reply, strlen(reply)) < 0 || write(fd, "\n", 1) < 0) {
		term_message(t, "cannot create a temporary file for the editor");
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return NULL;
	}
	close(fd);
	tty_cooked();
	pid = fork();
	if (pid == 0) {
		dup2(tty_fd, 0);
		dup2(tty_fd, 1);
		dup2(tty_fd, 2);
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", ed, path, (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	tty_make_raw();
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		term_message(t, "the editor failed; the draft is unchanged");
		unlink(path);
		return NULL;
	}
	fp = fopen(path, "r");
	if (fp) {
		text = malloc(SUGGEST_REPLY_MAX + 1);
		len = text ? fread(text, 1, SUGGEST_REPLY_MAX, fp) : 0;
		if (text) {
			while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				len--;
			text[len] = '\0';
		}
		fclose(fp);
	}
	unlink(path);
	if (text && !strcmp(text, reply)) {
		free(text);
		return NULL;            /* unchanged */
	}
	return text;
}

/* ---- the input -------------------------------------------------------- */

struct items {
	struct review_item *v;
	size_t n, cap;
	/* batch CSV: every row's fields, for --output-csv */
	char ***fields;
	size_t nfields;
	char **header;
	long cat_col, reply_col, status_col;
	long template_col, action_col, tone_col;
	char sep;                       /* the CSV's separator */
};

static void items_free(struct items *it)
{
	size_t i, k;

	for (i = 0; i < it->n; i++) {
		free((char *)it->v[i].c.id);
		free((char *)it->v[i].c.text);
		free((char *)it->v[i].c.author);
		free((char *)it->v[i].c.lang);
		free((char *)it->v[i].c.created_at);
		free((char *)it->v[i].c.video_id);
		free((char *)it->v[i].category);
		free((char *)it->v[i].reply);
		if (it->fields && it->fields[i]) {
			for (k = 0; k < it->nfields; k++)
				free(it->fields[i][k]);
			free(it->fields[i]);
		}
	}
	for (k = 0; it->header && k < it->nfields; k++)
		free(it->header[k]);
	free(it->header);
	free(it->fields);
	free(it->v);
}

static int items_push(struct items *it, const struct comment *c,
		      const char *category, const char *reply)
{
	struct review_item *d;

	if (it->n == REVIEW_MAX_ITEMS) {
		cli_err("more than %d comments for one review session",
			REVIEW_MAX_ITEMS);
		return EXIT_DATA;
	}
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct review_item *v = realloc(it->v, cap * sizeof(*v));
		char ***f = it->fields ? realloc(it->fields, cap * sizeof(*f)) : NULL;

		if (v)
			it->v = v;
		if (f)
			it->fields = f;
		if (!v || (it->fields && !f))
			return EXIT_SOFTWARE;
		it->cap = cap;
	}
	d = &it->v[it->n];
	memset(d, 0, sizeof(*d));
	if (it->fields)
		it->fields[it->n] = NULL;       /* load_csv fills it next */
	d->c = *c;
	d->c.id = strdup(c->id);
	d->c.text = strndup(c->text, c->text_len);
	d->c.author = strdup(c->author);
	d->c.lang = strdup(c->lang);
	d->c.created_at = strdup(c->created_at);
	d->c.video_id = strdup(c->video_id ? c->video_id : "");
	d->c.parent_id = "";
	d->category = category && *category ? strdup(category) : NULL;
	d->reply = reply && *reply ? strdup(reply) : NULL;
	it->n++;                /* counted now, so items_free frees it all */
	if (!d->c.id || !d->c.text || !d->c.author || !d->c.lang ||
	    !d->c.created_at || !d->c.video_id ||
	    (category && *category && !d->category) ||
	    (reply && *reply && !d->reply)) {
		cli_err("out of memory");
		return EXIT_SOFTWARE;
	}
	return 0;
}

static int load_csv(struct items *it, const char *path, const char *encoding,
		    const struct cli *c)
{
	const char *one[2] = { NULL, NULL };
	struct input_opts o = { 0 };
	struct input in;
	const struct csv_reader *r;
	struct comment cm;
	size_t k;
	int rc = 0, n;

	/* the spreadsheet forms batch reads: ';' or tab, UTF-16, --encoding */
	o.format = INPUT_CSV;
	o.quiet = c->quiet;
	o.encoding = encoding;
	o.no_check = 1;                 /* the text's UTF-8 is checked below */
	if ((rc = input_open_with(&in, path, &o)) != 0)
		return rc;
	r = input_csv(&in);
	it->sep = (char)csvr_delimiter(r);   /* written back the same way */
	one[0] = "category";
	it->cat_col = input_column(&in, one);
	one[0] = "reply";
	it->reply_col = input_column(&in, one);
	one[0] = "status";
	it->status_col = input_column(&in, one);
	one[0] = "template";
	it->template_col = input_column(&in, one);
	one[0] = "action";
	it->action_col = input_column(&in, one);
	one[0] = "tone_score";
	it->tone_col = input_column(&in, one);
	it->nfields = csvr_ncolumns(r);
	it->header = calloc(it->nfields, sizeof(char *));
	it->fields = calloc(1, sizeof(char **));
	if (!it->header || !it->fields) {
		rc = EXIT_SOFTWARE;
		goto out;
	}
	for (k = 0; k < it->nfields; k++)
		it->header[k] = strdup(csvr_column_name(r, k));
	while ((n = input_next(&in, &cm)) == 1) {
		const struct csv_row *row = input_row(&in);
		size_t bad;

		/*
		 * lang and created_at come from their columns as batch read
		 * them (the input's own, else batch's lang, the language its
		 * draft is in): a variant or a new category is drafted in it,
		 * and the queue's age and due time count from created_at
		 */
		if (tok_utf8_check(cm.text, cm.text_len, &bad)) {
			cli_err("%s:%ld: invalid UTF-8 at byte %zu", path, cm.line,
				bad + 1);
			continue;
		}
		rc = items_push(it, &cm, it->cat_col >= 0 ?
				csvr_field(row, (size_t)it->cat_col, NULL) : NULL,
				it->reply_col >= 0 ?
				csvr_field(row, (size_t)it->reply_col, NULL) : NULL);
		if (rc)
			goto out;
		it->fields[it->n - 1] = calloc(it->nfields, sizeof(char *));
		if (!it->fields[it->n - 1]) {
			rc = EXIT_SOFTWARE;
			goto out;
		}
		for (k = 0; k < it->nfields; k++)
			it->fields[it->n - 1][k] = strdup(csvr_field(row, k, NULL));
	}
	if (n > 1)
		rc = n;
out:
	input_close(&in);
	return rc;
}

static int is_csv(const char *path)
{
	return input_csv_name(path);
}

/* Write the batch CSV back with the person's replies and decisions. */
static int write_csv(const struct items *it, const struct review *r,
		     const char *out_path)
{
	static const char *const status_of[][2] = {
		{ "approve", "approved" }, { "skip", "skipped" },
		{ "hide", "hidden" }, { "reject", "rejected" },
	};
	struct atomic_file af;
	struct cd_error err;
	struct cd_buf b;
	FILE *fp;
	size_t i, k, s;
	int rc = 0;

	if (atomic_open(&af, out_path, &err)) {
		cli_err("%s", err.msg);
		return EXIT_IO;
	}
	fp = af.fp;
	cd_buf_init(&b, 1u << 26);
	for (k = 0; k < it->nfields; k++)
		csvw_field_sep(&b, it->header[k], strlen(it->header[k]), k == 0,
			       it->sep);
	if (it->status_col < 0)
		csvw_field_sep(&b, "status", 6, it->nfields == 0, it->sep);
	csvw_end(&b);
	for (i = 0; i < it->n; i++) {
		const char *d = review_decision(r, i), *status = "pending";
		const char *reply = review_final_reply(r, i);
		const char *cat = review_final_category(r, i);
		const char *tpl = review_final_template(r, i);
		const char *act = review_final_action(r, i);
		int score = review_final_tone_score(r, i);
		char num[16];

		for (s = 0; s < 4; s++)
			if (!strcmp(d, status_of[s][0]))
				status = status_of[s][1];
		for (k = 0; k < it->nfields; k++) {
			const char *f = it->fields[i][k];

			if ((long)k == it->status_col)
				f = status;
			else if ((long)k == it->reply_col && reply)
				f = reply;
			else if ((long)k == it->cat_col && cat)
				f = cat;
			else if ((long)k == it->template_col && tpl)
				f = tpl;
			else if ((long)k == it->action_col && act)
				f = act;
			else if ((long)k == it->tone_col && tpl) {
				if (score >= 0)
					snprintf(num, sizeof(num), "%d", score);
				else
					num[0] = '\0';
				f = num;
			}
			csvw_field_sep(&b, f, strlen(f), k == 0, it->sep);
		}
		if (it->status_col < 0)
			csvw_field_sep(&b, status, strlen(status), 0, it->sep);
		csvw_end(&b);
		if (b.len > (1u << 16)) {
			fwrite(b.data, 1, b.len, fp);
			cd_buf_reset(&b);
		}
	}
	fwrite(b.data, 1, b.len, fp);
	cd_buf_release(&b);
	if (atomic_commit(&af, &err)) {
		cli_err("%s", err.msg);
		rc = EXIT_IO;
	}
	atomic_rollback(&af);
	return rc;
}

/* The crisis webhook for x, when one is set ($CANDOR_WEBHOOK_URL first). */
static int open_webhook(const struct cli *c, struct webhook **out)
{
	const char *url = getenv(HTTP_ENV_WEBHOOK_URL), *from;

	*out = NULL;
	from = "$" HTTP_ENV_WEBHOOK_URL;
	if (!url || !*url) {
		url = c->cfg.alerts.webhook_url;
		from = "[alerts] webhook_url";
	}
	if (!url || !*url)
		return 0;
	return webhook_open(out, c, url, from, (size_t)c->cfg.alerts.queue);
}

/* At quit: what this reviewer decided and what the team decided. */
static void team_summary(struct journal *j, const char *me,
			 const struct review_stats *s)
{
	struct journal_tally t;
	struct cd_error err;

	journal_refresh(j, &err);
	journal_tally(j, me, &t);
	printf("you (%s): %zu decisions this session, %zu escalated; the team: "
	       "%zu decided in the journal (approved %zu, skipped %zu, hidden "
	       "%zu, rejected %zu, escalated %zu), %zu of them yours\n", me,
	       s->approved + s->skipped + s->hidden + s->rejected + s->escalated,
	       s->escalated, t.all, t.by_kind[0], t.by_kind[1], t.by_kind[2],
	       t.by_kind[3], t.by_kind[4], t.mine);
}

/* The comments of in_path not yet decided: waiting, overdue, flagged. */
static int status_waiting(struct cli *c, struct journal *j,
			  const char *in_path, int64_t now)
{
	struct queue_params qp;
	struct pipeline p;
	struct input in;
	struct comment cm;
	const struct suggestion *g;
	struct cd_error err;
	size_t waiting = 0, overdue = 0, flagged = 0, held = 0;
	int rc;

	config_queue_params(&c->cfg, &qp);
	if ((rc = pipeline_open(&p, c, 0)) != 0)
		return rc;
	if ((rc = input_open(&in, in_path, 0, 1, NULL)) != 0) {
		pipeline_close(&p);
		return rc;
	}
	while ((rc = input_next(&in, &cm)) == 1) {
		struct queue_key k;

		if (journal_decision(j, cm.id))
			continue;
		if (journal_claimed_by(j, cm.id, now)) {
			held++;
			continue;
		}
		waiting++;
		if (suggester_run(p.sg, &cm, NULL, 0, &g, &err))
			continue;
		memset(&k, 0, sizeof(k));
		k.flags = g->flags;
		k.category = g->category;
		k.likes = cm.likes;
		k.replies = -1;
		k.since = cm.created_ts > 0 ? cm.created_ts : now;
		overdue += (size_t)queue_overdue(&qp, &k, now);
		if (g->flags) {
			char names[32];

			flagged++;
			suggest_flags_text(g->flags, names, sizeof(names));
			printf("  %s  %s, waiting\n", cm.id, names);
		}
	}
	input_close(&in);
	pipeline_close(&p);
	printf("waiting: %zu (flagged %zu, overdue: %zu), claimed: %zu\n",
	       waiting, flagged, overdue, held);
	return rc > 1 ? rc : 0;
}

struct status_ctx {
	const char *who[64];
	size_t count[64], n, other;
};

static int status_count(void *ctx, const struct journal_record *rec)
{
	struct status_ctx *x = ctx;
	const char *a = rec->approver ? rec->approver : "(unknown)";
	size_t i;

	for (i = 0; i < x->n; i++)
		if (!strcmp(x->who[i], a))
			break;
	if (i == x->n) {
		if (x->n == 64) {
			x->other++;
			return 0;
		}
		x->who[x->n] = strdup(a);
		if (!x->who[x->n])
			return -1;
		x->n++;
	}
	x->count[i]++;
	return 0;
}

static int status_claim(void *ctx, const char *id, const char *who,
			int64_t until)
{
	int64_t *now = ctx;

	printf("  %s  claimed by %s, %lld s left\n", id, who,
	       (long long)(until - *now));
	return 0;
}

/*
 * review --status -j J [FILE]: the queue as the team sees it: decisions
 * per reviewer, claims running now, and with FILE the comments still
 * waiting, how many are overdue, and the flagged ones.
 */
static int print_status(struct cli *c, const char *journal_path,
			const char *in_path)
{
	struct status_ctx x;
	struct journal *j;
	struct cd_error err;
	char warning[4400];
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc = 0;

	j = journal_read(journal_path, warning, sizeof(warning), &err);
	if (!j)
		return cli_fail(CD_ERR_NOINPUT, &err);
	if (warning[0] && !c->quiet)
		cli_err("warning: %s", warning);
	memset(&x, 0, sizeof(x));
	journal_each(j, status_count, &x);
	printf("journal %s\ndecided: %zu\n", journal_path, journal_decided(j));
	for (i = 0; i < x.n; i++) {
		printf("  %s %zu\n", x.who[i], x.count[i]);
		free((char *)x.who[i]);
	}
	if (x.other)
		printf("  (others) %zu\n", x.other);
	printf("claimed now:\n");
	journal_each_claim(j, now, status_claim, &now);
	if (in_path)
		rc = status_waiting(c, j, in_path, now);
	journal_close(j);
	return rc;
}

int cmd_review(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "journal", required_argument, NULL, 'j' },
		{ "as", required_argument, NULL, 'A' },
		{ "output-csv", required_argument, NULL, 'o' },
		{ "follow", no_argument, NULL, 'F' },
		{ "arrival-order", no_argument, NULL, 'R' },
		{ "status", no_argument, NULL, 'S' },
		{ "team", no_argument, NULL, 'T' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct review_io io;
	struct term t;
	struct items it;
	struct pipeline p;
	struct journal *j = NULL;
	struct review *r = NULL;
	struct cd_error err;
	const char *journal_path = NULL, *approver = getenv("USER");
	const char *out_csv = NULL, *in_path;
	const char *labels[NB_MAX_LABELS];
	char jbuf[4200], warning[4400];
	struct queue_params qp;
	struct feed feed;
	int follow = 0, arrival = 0, live, settle, status = 0, team = 0;
	const char *encoding = NULL;
	size_t l;
	int opt, rc = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "hj:o:", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': journal_path = optarg; break;
		case 'A': approver = optarg; break;
		case 'o': out_csv = optarg; break;
		case 'F': follow = 1; break;
		case 'R': arrival = 1; break;
		case 'S': status = 1; break;
		case 'T': team = 1; break;
		case 'E': encoding = optarg; break;
		case 'h': fputs(usage_review, stdout); return EXIT_OK;
		default: return cli_usage_error("review", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("review", "at most one input file");
	in_path = optind < argc ? argv[optind] : "-";
	if (out_csv && !is_csv(in_path))
		return cli_usage_error("review", "--output-csv needs a batch CSV "
				       "as input");
	if (follow && (is_csv(in_path) || !strcmp(in_path, "-")))
		return cli_usage_error("review", "--follow needs a comments file "
				       "(text or JSONL) that grows");
	live = !is_csv(in_path);
	settle = live && !follow && regular_file(in_path);
	if (!approver || !*approver)
		approver = "unknown";
	if (!journal_path) {
		if (strcmp(in_path, "-"))
			snprintf(jbuf, sizeof(jbuf), "%s.journal.jsonl", in_path);
		else
			snprintf(jbuf, sizeof(jbuf), "candor-journal.jsonl");
		journal_path = jbuf;
	}

	if (status)
		return print_status(c, journal_path, optind < argc ? in_path : NULL);

	/* keys come from the terminal, not from stdin (comments may be piped) */
	tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty_fd < 0 || tcgetattr(tty_fd, &tty_saved)) {
		cli_err("review needs a terminal for your keys (/dev/tty: %s); use "
			"`candor suggest` or `candor batch` for unattended runs",
			strerror(tty_fd < 0 ? errno : ENOTTY));
		if (tty_fd >= 0)
			close(tty_fd);
		tty_fd = -1;
		return EXIT_USAGE;
	}
	memset(&it, 0, sizeof(it));
	it.sep = ',';
	memset(&feed, 0, sizeof(feed));
	rc = live ? 0 : load_csv(&it, in_path, encoding, c);
	if (rc)
		goto out;
	j = journal_open(journal_path, warning, sizeof(warning), &err);
	if (!j) {
		rc = cli_fail(CD_ERR_IO, &err);
		goto out;
	}
	if (warning[0])
		cli_err("warning: %s", warning);
	if ((rc = pipeline_open(&p, c, 1)) != 0)
		goto out;
	for (l = 0; l < nb_nlabels(c->model); l++)
		labels[l] = nb_label(c->model, l);
	r = review_new(it.v, it.n, p.sg, j, approver, labels,
		       nb_nlabels(c->model), &err);
	if (!r) {
		rc = cli_fail(CD_ERR_NOMEM, &err);
		goto out_pipeline;
	}
	config_queue_params(&c->cfg, &qp);
	review_set_queue(r, arrival ? NULL : &qp, NULL);
	/* a team claims what it shows: --team, or a lease in the config */
	if (team || c->cfg.review.lease > 0)
		review_set_team(r, c->cfg.review.lease > 0 ? c->cfg.review.lease :
				REVIEW_LEASE_DEFAULT, c->cfg.review.team);
	else
		review_set_team(r, 0, c->cfg.review.team);
	if (live) {
		if ((rc = feed_start(&feed, in_path, follow, c)) != 0)
			goto out_review;
		review_expect_more(r);
		/* a whole file is queued before the first pick, so the most
		   urgent comment of it comes first, not the first line */
		if (settle)
			feed_settle(&feed, r);
	}
	memset(&t, 0, sizeof(t));
	t.feed = live ? &feed : NULL;
	t.r = r;
	t.approver = approver;
	if ((rc = open_webhook(c, &t.webhook)) != 0)
		goto out_review;
	t.out = fdopen(dup(tty_fd), "w");
	t.color = !color_disabled();
	t.labels = labels;
	if (journal_decided(j))
		snprintf(t.msg, sizeof(t.msg), "resuming: %zu decided in %.400s",
			 journal_decided(j), journal_path);
	io.ctx = &t;
	io.show = term_show;
	io.key = term_key;
	io.edit = term_edit;
	io.choose = term_choose;
	io.confirm = term_confirm;
	io.message = term_message;
	io.wait = live ? term_wait : NULL;
	io.escalated = term_escalated;
	install_signals();
	if (tty_make_raw()) {
		cli_err("cannot set the terminal to raw mode: %s", strerror(errno));
		rc = EXIT_IO;
	} else {
		int st = review_run(r, &io, &err);

		tty_cooked();
		if (st)
			rc = cli_fail(st, &err);
	}
	if (t.out)
		fclose(t.out);
	{
		const struct review_stats *s = review_stats(r);

		printf("approved %zu (edited %zu, findings overridden %zu), skipped "
		       "%zu, hidden %zu, rejected %zu, categories changed %zu; "
		       "%zu left; journal %s\n", s->approved, s->edited,
		       s->overridden, s->skipped, s->hidden, s->rejected,
		       s->changed, s->remaining, journal_path);
		team_summary(j, approver, s);
	}
	if (t.webhook)
		webhook_sink(t.webhook)->close(webhook_sink(t.webhook));
	if (!rc && out_csv)
		rc = write_csv(&it, r, out_csv);
out_review:
	if (live) {
		int frc = feed_stop(&feed);

		rc = rc ? rc : frc;
	}
	review_free(r);
out_pipeline:
	pipeline_close(&p);
out:
	tty_cooked();
	journal_close(j);
	items_free(&it);
	close(tty_fd);
	tty_fd = -1;
	return rc;
}

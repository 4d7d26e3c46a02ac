/*
 * pty_driver.c - run a command in a pseudo-terminal and drive it from a
 * script, like a person at a keyboard (a tiny expect(1) for CLI tests).
 *
 * usage: pty_driver [-t SECONDS] [-k SECONDS] [-o LOG] [-s SCRIPT] -- CMD ARGS...
 *
 *   -t  timeout of each wait / expect-exit action (default 10)
 *   -k  hard deadline for the whole run: the child is SIGKILLed and the
 *       driver exits 4 (default 60)
 *   -o  append everything the child writes to LOG (carriage returns
 *       dropped), for transcripts
 *   -s  read the script from SCRIPT instead of stdin
 *
 * The child gets a new session whose controlling terminal is the pty slave
 * (80x24, as its stdin, stdout and stderr and /dev/tty).  The script has
 * one action per line; blank lines and lines starting with '#' are skipped:
 *
 *   wait REGEX       wait until the output after the previous match holds
 *                    a match of the POSIX extended REGEX ('^' and '$' match
 *                    at line ends); the output then counts as consumed up
 *                    to the end of the match
 *   send KEYS        type KEYS; C escapes \n \r \t \e \\ and \xHH work
 *   sleep SECONDS    pause (fractions allowed), still reading the output
 *   kill [SIGNO]     send the child a signal (default 9, SIGKILL)
 *   stamp FILE       write the wall clock (nanoseconds since the epoch) to
 *                    FILE, so a test can time what the screen showed
 *   expect-exit N    wait for the child to end and check its status: N is
 *                    the exit code, or 128+SIGNO when a signal ended it
 *
 * Exit status: 0 when every action succeeded and the child ended during
 * the script; 1 when an action failed (a wait timed out or the child ended
 * without the match, a wrong exit status); 2 for a usage or script error;
 * 3 when the child was still running at the end of the script (it is
 * SIGKILLed then); 4 at the hard deadline; 127 when the pty cannot be set
 * up.  A CMD that cannot be run ends with status 127, as in a shell.
 * On a failure the last part of the output goes to stderr.  Every buffer
 * is bounded: the output kept for matching is the last OUT_KEEP bytes.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define OUT_KEEP (256 * 1024)   /* bytes of output kept for matching */
#define LINE_MAX_BYTES 4096     /* one script line */
#define TAIL_SHOWN 1500         /* output shown on a failure */

static int master = -1;
static pid_t child = -1;
static int child_done, child_status;
static FILE *log_fp;

/* The output so far, without '\r' or NUL; cursor: where the next wait looks. */
static char out[OUT_KEEP + 1];
static size_t out_len, cursor;
static int out_eof;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void on_deadline(int sig)
{
	static const char msg[] = "pty_driver: hard deadline reached, child killed\n";

	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(4);
}

static void show_tail(void)
{
	size_t from = out_len > TAIL_SHOWN ? out_len - TAIL_SHOWN : 0;

	fprintf(stderr, "---- last %zu bytes of output (cursor at %zu) ----\n%.*s\n"
		"---- end of output ----\n", out_len - from, cursor,
		(int)(out_len - from), out + from);
}

/* Keep out bounded: drop the oldest half when full. */
static void out_add(const char *p, size_t n)
{
	size_t i;

	if (log_fp)
		for (i = 0; i < n; i++)
			if (p[i] != '\r')
				fputc(p[i], log_fp);
	for (i = 0; i < n; i++) {
		if (p[i] == '\r')
			continue;
		if (out_len == OUT_KEEP) {
			size_t drop = OUT_KEEP / 2;

			memmove(out, out + drop, out_len - drop);
			out_len -= drop;
			cursor = cursor > drop ? cursor - drop : 0;
		}
		out[out_len++] = p[i] ? p[i] : ' ';
	}
	out[out_len] = '\0';
}

static void reap(int block)
{
	int st;
	pid_t r;

	if (child_done || child <= 0)
		return;
	do
		r = waitpid(child, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == child) {
		child_done = 1;
		child_status = WIFEXITED(st) ? WEXITSTATUS(st) :
			       WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	}
}

/*
 * Read what the child wrote for up to `wait` seconds (0: only what is
 * there).  Returns when something arrived, at the end of the output, or
 * when the time is up.
 */
static void pump(double wait)
{
	struct pollfd pfd;
	char buf[4096];
	int ms = (int)(wait * 1000);
	ssize_t n;

	if (out_eof)
		return;
	pfd.fd = master;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms < 0 ? 0 : ms) <= 0)
		return;
	n = read(master, buf, sizeof(buf));
	if (n > 0)
		out_add(buf, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		out_eof = 1;    /* EIO: every slave descriptor is closed */
}

/* Read until the output ends, for at most `limit` seconds. */
static void drain(double limit)
{
	double end = now_s() + limit;

	while (!out_eof && now_s() < end)
		pump(end - now_s());
}

static int act_wait(const char *re_text, double timeout)
{
	regex_t re;
	regmatch_t m;
	double end = now_s() + timeout;
	int rc;

	rc = regcomp(&re, re_text, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		char msg[256];

		regerror(rc, &re, msg, sizeof(msg));
		fprintf(stderr, "pty_driver: bad regex '%s': %s\n", re_text, msg);
		return 2;
	}
	for (;;) {
		if (regexec(&re, out + cursor, 1, &m, 0) == 0) {
			cursor += (size_t)m.rm_eo;
			regfree(&re);
			return 0;
		}
		if (out_eof) {
			fprintf(stderr, "pty_driver: the output ended without '%s'\n",
				re_text);
			break;
		}
		if (now_s() >= end) {
			fprintf(stderr, "pty_driver: timeout after %.1f s waiting "
				"for '%s'\n", timeout, re_text);
			break;
		}
		pump(end - now_s());
	}
	regfree(&re);
	show_tail();
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escapes of a send line in place; returns the length. */
static size_t unescape(char *s)
{
	char *start = s, *w = s;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			*w++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *w++ = '\n'; s++; break;
		case 'r': *w++ = '\r'; s++; break;
		case 't': *w++ = '\t'; s++; break;
		case 'e': *w++ = '\033'; s++; break;
		case 'x':
			if (hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
				*w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
				s += 3;
				break;
			}
			*w++ = *s++;
			break;
		default: *w++ = *s++;
		}
	}
	*w = '\0';
	return (size_t)(w - start);
}

static int act_send(char *keys)
{
	size_t n = unescape(keys), off = 0;

	while (off < n) {
		ssize_t w = write(master, keys + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fprintf(stderr, "pty_driver: cannot send keys: %s\n",
				strerror(errno));
			return 1;
		}
		off += (size_t)w;
	}
	return 0;
}

static int act_expect_exit(const char *arg, double timeout)
{
	char *endp;
	long want = strtol(arg, &endp, 10);
	double end = now_s() + timeout;

	if (endp == arg || *endp) {
		fprintf(stderr, "pty_driver: expect-exit needs a number, not '%s'\n",
			arg);
		return 2;
	}
	for (;;) {
		reap(0);
		if (child_done)
			break;
		if (now_s() >= end) {
			fprintf(stderr, "pty_driver: the child did not end within "
				"%.1f s\n", timeout);
			show_tail();
			return 1;
		}
		if (out_eof)
			nap();
		else
			pump(0.05);
	}
	/* collect what is still buffered, for later waits and the log */
	drain(2);
	if (child_status != want) {
		fprintf(stderr, "pty_driver: the child ended with status %d, "
			"expected %ld\n", child_status, want);
		show_tail();
		return 1;
	}
	return 0;
}

static int act_sleep(const char *arg)
{
	char *endp;
	double s = strtod(arg, &endp), end;

	if (endp == arg || *endp || s < 0 || s > 60) {
		fprintf(stderr, "pty_driver: sleep needs 0..60 seconds, not '%s'\n",
			arg);
		return 2;
	}
	end = now_s() + s;
	while (now_s() < end) {
		if (out_eof)
			nap();
		else
			pump(end - now_s());
	}
	return 0;
}

static int act_kill(const char *arg)
{
	long sig = *arg ? strtol(arg, NULL, 10) : SIGKILL;

	if (sig <= 0 || sig >= 64) {
		fprintf(stderr, "pty_driver: bad signal '%s'\n", arg);
		return 2;
	}
	if (!child_done && kill(child, (int)sig)) {
		fprintf(stderr, "pty_driver: kill: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* Write the wall clock, in nanoseconds since the epoch, to a file. */
static int act_stamp(const char *path)
{
	struct timespec ts;
	FILE *fp = fopen(path, "w");

	if (!fp) {
		fprintf(stderr, "pty_driver: stamp %s: %s\n", path, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(fp, "%lld%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return fclose(fp) ? 1 : 0;
}

/* Run one script line; 0 or the driver's exit status. */
static int run_line(char *line, long lineno, double timeout)
{
	char *arg;
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!n || line[0] == '#')
		return 0;
	arg = strchr(line, ' ');
	if (arg)
		*arg++ = '\0';
	else
		arg = line + n;
	if (!strcmp(line, "wait"))
		return act_wait(arg, timeout);
	if (!strcmp(line, "send"))
		return act_send(arg);
	if (!strcmp(line, "sleep"))
		return act_sleep(arg);
	if (!strcmp(line, "kill"))
		return act_kill(arg);
	if (!strcmp(line, "stamp"))
		return act_stamp(arg);
	if (!strcmp(line, "expect-exit"))
		return act_expect_exit(arg, timeout);
	fprintf(stderr, "pty_driver: script line %ld: unknown action '%s'\n",
		lineno, line);
	return 2;
}

static void usage(void)
{
	fputs("usage: pty_driver [-t SECONDS] [-k SECONDS] [-o LOG] [-s SCRIPT] "
	      "-- CMD ARGS...\n", stderr);
	exit(2);
}

static double seconds_arg(const char *s)
{
	char *endp;
	double v = strtod(s, &endp);

	if (endp == s || *endp || v <= 0 || v > 3600)
		usage();
	return v;
}

static void start_child(char **argv)
{
	struct winsize ws;
	const char *slave_name;
	int slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    !(slave_name = ptsname(master))) {
		fprintf(stderr, "pty_driver: cannot open a pseudo-terminal: %s\n",
			strerror(errno));
		exit(127);
	}
	memset(&ws, 0, sizeof(ws));
	ws.ws_row = 24;
	ws.ws_col = 80;
	child = fork();
	if (child < 0) {
		fprintf(stderr, "pty_driver: fork: %s\n", strerror(errno));
		exit(127);
	}
	if (child == 0) {
		close(master);
		if (setsid() < 0)
			_exit(127);
		slave = open(slave_name, O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			_exit(127);
		ioctl(slave, TIOCSWINSZ, &ws);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "pty_driver: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFD, FD_CLOEXEC);
}

int main(int argc, char **argv)
{
	double timeout = 10, hard = 60;
	const char *log_path = NULL, *script_path = NULL;
	char line[LINE_MAX_BYTES];
	FILE *script = stdin;
	long lineno = 0;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:k:o:s:")) != -1) {
		switch (opt) {
		case 't': timeout = seconds_arg(optarg); break;
		case 'k': hard = seconds_arg(optarg); break;
		case 'o': log_path = optarg; break;
		case 's': script_path = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (script_path && !(script = fopen(script_path, "r"))) {
		fprintf(stderr, "pty_driver: cannot open '%s': %s\n", script_path,
			strerror(errno));
		return 2;
	}
	if (log_path && !(log_fp = fopen(log_path, "a"))) {
		fprintf(stderr, "pty_driver: cannot open '%s': %s\n", log_path,
			strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_deadline);
	alarm((unsigned)hard + 1);
	start_child(argv + optind);
	while (!rc && fgets(line, sizeof(line), script)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(script)) {
			fprintf(stderr, "pty_driver: script line %ld is longer than "
				"%d bytes\n", lineno, LINE_MAX_BYTES - 2);
			rc = 2;
			break;
		}
		rc = run_line(line, lineno, timeout);
	}
	reap(0);
	if (!child_done) {
		kill(child, SIGKILL);
		reap(1);
		if (!rc) {
			fprintf(stderr, "pty_driver: the child was still running at "
				"the end of the script; killed\n");
			rc = 3;
		}
	}
	drain(2);
	if (log_fp)
		fclose(log_fp);
	if (script != stdin)
		fclose(script);
	close(master);
	return rc;
}

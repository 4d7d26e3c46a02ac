/*
 * cmd_batch.c - `candor batch IN.csv [-o OUT.csv]`: CSV in, CSV out.
 *
 * The input's columns come out unchanged and in order, followed by
 * category, confidence, uncertain, flags, lang, action, reply, template,
 * tone_score, tone_issues and status (always "pending": nothing is
 * approved here).  One pass, constant memory.  With -o the output goes to a
 * temporary file beside OUT that is renamed at the end, so a crash never
 * leaves a half-written OUT.csv.
 */
#include "cli.h"
#include "atomic.h"
#include "csvio.h"
#include "input.h"
#include "jobs.h"
#include "pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage_batch[] =
"usage: candor batch [options] IN.csv [-o OUT.csv]\n"
"\n"
"Reads a CSV export (RFC 4180: header row, optional UTF-8 BOM, CRLF or LF,\n"
"quoted multi-line fields) and writes it back with these columns added:\n"
"category, confidence, uncertain, flags, lang, action, reply, template,\n"
"tone_score, tone_issues, status (pending).  IN.csv may be `-` for stdin.\n"
"flags lists safety, legal and press (space-separated): such a row's action\n"
"is escalate; an uncertain row's action is review.\n"
"\n"
"  -o, --output FILE    write here (atomically: a temporary file is renamed\n"
"                       at the end); default stdout\n"
"      --text-col NAME  the comment column (default: text, comment, message,\n"
"                       content or body)\n"
"      --id-col NAME    the id column (default: id, comment_id; else the row's\n"
"                       line number)\n"
"      --author-col NAME  the author column (default: author, username, user)\n"
"      --strict         stop at the first bad row\n"
"      --errors FILE    append bad rows to FILE, byte for byte\n"
"      --no-progress    no progress bar (it shows only on a terminal)\n"
"      --delimiter C    the separator: ',', ';' or tab (default: whichever the\n"
"                       header line uses most; the output keeps it)\n"
"      --encoding E     the input's encoding: utf-8 (default; a UTF-16 file\n"
"                       with a byte order mark is recognised), cp1251,\n"
"                       utf-16le, utf-16be, or any name iconv knows\n"
"      --excel          write for a spreadsheet: a UTF-8 byte order mark first\n"
"      --jobs N         answer on N threads (default: the online cores, at\n"
"                       most 64); the output is the same, in input order\n"
"  -h, --help           this help\n"
"\n"
"A bad row is reported as `candor: FILE:LINE: what` and skipped; the exit\n"
"status is 65 when any row was skipped.\n";

static const char *const added[] = {
	"category", "confidence", "uncertain", "flags", "lang", "action", "reply",
	"template", "tone_score", "tone_issues", "status"
};

struct progress {
	int on;
	long long total;        /* bytes of input, 0 unknown */
	struct timespec t0, last;
	long rows;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The bar after p->rows rows, the input read up to byte pos. */
static void progress_show(struct progress *p, long long pos, int done)
{
	struct timespec now;
	double el, rate, frac = 0;
	int i, w = 30;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && since(&p->last, &now) < 0.1)
		return;
	p->last = now;
	el = since(&p->t0, &now);
	rate = el > 0 ? (double)p->rows / el : 0;
	if (p->total > 0 && pos >= 0)
		frac = done ? 1.0 : (double)pos / (double)p->total;
	fputs("\r[", stderr);
	for (i = 0; i < w; i++)
		fputc(i < (int)(frac * w) ? '#' : '.', stderr);
	fprintf(stderr, "] %3.0f%%  %ld rows  %.0f rows/s", frac * 100, p->rows,
		rate);
	if (frac > 0.01 && frac < 1)
		fprintf(stderr, "  eta %.0fs", el / frac - el);
	fputs(done ? "\n" : "   ", stderr);
}

/*
 * v with exactly `digits` decimals (0..4), as "%.*f" writes it.  Two
 * numbers per row went through snprintf, a tenth of a row's time, so the
 * common case is done here; values near a rounding tie (where the scaled
 * double could round the other way than printf's exact decimal) and
 * anything unusual still go to snprintf.
 */
static void add_num(struct cd_buf *b, double v, int digits, char sep)
{
	static const unsigned scale[] = { 1, 10, 100, 1000, 10000 };
	char tmp[32], rev[16];
	size_t n = 0, r = 0;
	uint64_t x, ip, fp;
	double sc = 0, frac = 0.5;
	int k;

	if (v >= 0 && v < 1e5 && digits >= 0 && digits <= 4) {
		sc = v * scale[digits];
		frac = sc - (double)(uint64_t)sc;
	}
	if (frac > 0.5 - 1e-6 && frac < 0.5 + 1e-6) {
		snprintf(tmp, sizeof(tmp), "%.*f", digits, v);
		csvw_field_sep(b, tmp, strlen(tmp), 0, sep);
		return;
	}
	x = (uint64_t)(sc + 0.5);
	ip = x / scale[digits];
	fp = x % scale[digits];
	do
		rev[r++] = (char)('0' + ip % 10);
	while ((ip /= 10) != 0);
	while (r)
		tmp[n++] = rev[--r];
	if (digits) {
		tmp[n++] = '.';
		for (k = digits - 1; k >= 0; k--) {
			tmp[n + (size_t)k] = (char)('0' + fp % 10);
			fp /= 10;
		}
		n += (size_t)digits;
	}
	csvw_field_sep(b, tmp, n, 0, sep);
}

/* "rule:severity;..." for the tone_issues column. */
static void add_issues(struct cd_buf *b, const struct suggestion *g, char sep)
{
	char tmp[TONE_MAX_FINDINGS * 40];
	size_t i, o = 0;

	tmp[0] = '\0';
	for (i = 0; g->toned && i < g->tone.n && o < sizeof(tmp) - 40; i++)
		o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "%s%s:%s",
				      i ? ";" : "", g->tone.f[i].rule,
				      tone_severity_name(g->tone.f[i].severity));
	csvw_field_sep(b, tmp, o, 0, sep);
}

/* --delimiter: ',', ';' or tab (as "tab", "\t" or a real tab); -1 if not. */
static int parse_delimiter(const char *s)
{
	if (!strcmp(s, ",") || !strcmp(s, ";"))
		return s[0];
	if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
		return '\t';
	return -1;
}

struct batch_job {                      /* shared, read-only */
	const struct input *in;
	struct pipeline *p;
	size_t ncol;
	char sep;
	struct progress *pr;            /* the writer's only */
};

/* One row: the input's fields and the added columns, or a bad row. */
static void batch_row(struct jobs_worker *w, long line, int tag,
		      const char *bytes, size_t len, struct jobs_out *o)
{
	const struct batch_job *job = w->ctx;
	struct cd_buf *b = jobs_stdout(o);
	const struct suggestion *g;
	struct comment cm;
	struct cd_error err;
	char flagbuf[32], sep = job->sep;
	size_t i;

	if (input_item_comment(job->in, &w->item, NULL, line, tag, bytes, len,
			       &cm, o))
		return;
	cd_error_clear(&err);
	/* the tokenizer checks the text: "invalid UTF-8 at byte N" */
	if (suggester_run(w->state, &cm, NULL, 0, &g, &err)) {
		input_bad_item(job->in, &w->item, o, &err);
		return;
	}
	for (i = 0; i < job->ncol; i++)
		csvw_field_sep(b, w->item.f[i], w->item.len[i], i == 0, sep);
	csvw_field_sep(b, g->category, strlen(g->category), 0, sep);
	add_num(b, g->confidence, 4, sep);
	csvw_field_sep(b, g->uncertain ? "true" : "false",
		       g->uncertain ? 4 : 5, 0, sep);
	suggest_flags_text(g->flags, flagbuf, sizeof(flagbuf));
	csvw_field_sep(b, flagbuf, strlen(flagbuf), 0, sep);
	csvw_field_sep(b, g->lang, strlen(g->lang), 0, sep);
	csvw_field_sep(b, g->action, strlen(g->action), 0, sep);
	csvw_field_sep(b, g->reply, g->reply_len, 0, sep);
	csvw_field_sep(b, g->template_id, strlen(g->template_id), 0, sep);
	if (g->toned)
		add_num(b, g->tone.score, 0, sep);
	else
		csvw_field_sep(b, "", 0, 0, sep);
	add_issues(b, g, sep);
	csvw_field_sep(b, "pending", 7, 0, sep);
	csvw_end(b);
}

/* The writer wrote a chunk: rows answered, input read up to pos. */
static void batch_written(void *ctx, long answered, long long pos)
{
	struct batch_job *job = ctx;

	job->pr->rows += answered;
	progress_show(job->pr, pos, 0);
}

int cmd_batch(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "text-col", required_argument, NULL, 'T' },
		{ "id-col", required_argument, NULL, 'I' },
		{ "author-col", required_argument, NULL, 'A' },
		{ "strict", no_argument, NULL, 's' },
		{ "errors", required_argument, NULL, 'e' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "delimiter", required_argument, NULL, 'D' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "excel", no_argument, NULL, 'X' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out_path = NULL, *errors_path = NULL, *in_path;
	struct input_opts io = { 0 };
	struct input in;
	struct pipeline p;
	const struct csv_reader *r;
	struct batch_job job;
	struct jobs_ops ops;
	struct cd_error err;
	struct cd_buf b;
	struct progress pr;
	FILE *out = stdout, *errors = NULL;
	struct atomic_file af = { 0 };
	size_t ncol, i;
	int no_progress = 0, opt, rc = 0, excel = 0, njobs = jobs_default();
	long skipped = 0;
	int out_sep = 0;
	char sep;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out_path = optarg; break;
		case 'T': io.text_col = optarg; break;
		case 'I': io.id_col = optarg; break;
		case 'A': io.author_col = optarg; break;
		case 's': io.strict = 1; break;
		case 'e': errors_path = optarg; break;
		case 'P': no_progress = 1; break;
		case 'D':
			io.delimiter = out_sep = parse_delimiter(optarg);
			if (out_sep < 0)
				return cli_usage_error("batch", "--delimiter must "
						       "be ',', ';' or 'tab', "
						       "not '%s'", optarg);
			break;
		case 'E': io.encoding = optarg; break;
		case 'X': excel = 1; break;
		case 'j':
			if (jobs_parse("batch", optarg, &njobs))
				return EXIT_USAGE;
			break;
		case 'h': fputs(usage_batch, stdout); return EXIT_OK;
		default: return cli_usage_error("batch", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("batch", "give one IN.csv");
	in_path = argv[optind];
	memset(&pr, 0, sizeof(pr));
	io.format = INPUT_CSV;
	io.quiet = c->quiet;
	io.verbose = c->verbose;
	io.col_options = 1;
	io.encoding_hint = 1;
	if ((rc = input_open_with(&in, in_path, &io)) != 0)
		return rc;
	r = input_csv(&in);
	/* the output keeps the input's separator unless told otherwise */
	sep = (char)(out_sep ? out_sep : csvr_delimiter(r));
	ncol = csvr_ncolumns(r);
	if ((rc = pipeline_open(&p, c, 0)) != 0) {
		input_close(&in);
		return rc;
	}
	if (errors_path && !(errors = input_open_errors(errors_path))) {
		rc = EXIT_IO;
		goto done_pipeline;
	}
	in.errors = errors;
	if (out_path) {
		if (atomic_open(&af, out_path, &err)) {
			cli_err("%s", err.msg);
			rc = EXIT_IO;
			goto done_pipeline;
		}
		out = af.fp;
	}
	if (!no_progress && isatty(STDERR_FILENO) && !c->quiet) {
		struct stat st;

		pr.on = 1;
		if (input_file(&in) != stdin &&
		    !fstat(fileno(input_file(&in)), &st))
			pr.total = (long long)st.st_size;
		clock_gettime(CLOCK_MONOTONIC, &pr.t0);
	}
	cd_buf_init(&b, 1u << 20);
	if (excel)              /* a spreadsheet reads UTF-8 only after a BOM */
		cd_buf_add(&b, "\xEF\xBB\xBF", 3);
	for (i = 0; i < ncol; i++) {
		const char *name = csvr_column_name(r, i);

		csvw_field_sep(&b, name, strlen(name), i == 0, sep);
	}
	for (i = 0; i < sizeof(added) / sizeof(added[0]); i++)
		csvw_field_sep(&b, added[i], strlen(added[i]), 0, sep);
	csvw_end(&b);
	fwrite(b.data, 1, b.len, out);
	cd_buf_release(&b);
	memset(&job, 0, sizeof(job));
	job.in = &in;
	job.p = &p;
	job.ncol = ncol;
	job.sep = sep;
	job.pr = &pr;
	memset(&ops, 0, sizeof(ops));
	ops.ctx = &job;
	ops.state_arg = &p;
	ops.state_new = pipeline_suggester;
	ops.state_free = pipeline_suggester_free;
	ops.work = batch_row;
	if (pr.on)
		ops.written = batch_written;
	rc = jobs_run(njobs, &ops, &in, out, errors, NULL, pr.on, &skipped);
	progress_show(&pr, 0, 1);
	if (out != stdout) {
		out = stdout;
		/* --strict or a fatal error: no OUT (the rollback below) */
		if (!rc && atomic_commit(&af, &err)) {
			cli_err("%s", err.msg);
			rc = EXIT_IO;
		}
	}
done_pipeline:
	pipeline_close(&p);
	atomic_rollback(&af);
	if (errors)
		fclose(errors);
	input_close(&in);
	if (rc)
		return rc;
	return skipped ? EXIT_DATA : EXIT_OK;
}

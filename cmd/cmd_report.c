/*
 * cmd_report.c - `candor report FILE... [-o OUT.html|OUT.md]`: the crisis
 * report (SPEC section 8).
 *
 * Each FILE's kind is told from its content (core/report.h): suggestion
 * JSONL, comment JSONL, a review journal, a publish ledger, or a batch CSV.
 * Journals and ledgers are read first, whatever the order on the command
 * line, so that the drafts read afterwards can be matched with what
 * became of them (report.h says why).  Bad lines are reported as
 * `candor: FILE:LINE: what` and skipped; the exit status is then 65.
 * With -o the page goes to a temporary file beside OUT that is renamed
 * at the end, so a failed run never leaves half a report.
 */
#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "lineio.h"
#include "readfile.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char usage_report[] =
"usage: candor report [options] FILE... [-o OUT.html|OUT.md]\n"
"\n"
"The crisis report: one page that shows how the crisis went and what to\n"
"learn.  Reads any mix of these, told apart by their content and joined by\n"
"comment id (`-` is stdin):\n"
"  suggestions      `candor suggest` JSONL (category, confidence, why, draft,\n"
"                   tone; created_at when present)\n"
"  batch CSV        `candor batch` output (id and category columns)\n"
"  journals         `candor review` decisions (JSONL with \"decision\")\n"
"  ledgers          `candor publish` intents and outcomes\n"
"  comments         comment JSONL (for created_at)\n"
"\n"
"The page: comments per category and per flag over time, the confidence\n"
"of the model and where people changed the category, the most telling\n"
"words per category (from the classifier model: the highest log-likelihood\n"
"ratio against the other categories, among the words of this crisis's\n"
"comments when their texts are read), tone findings, approve/edit/hide/\n"
"skip rates, time to decision and to publication (median, 90th\n"
"percentile), facts cited, and what to learn (templates most edited,\n"
"categories most corrected, comments undecided).\n"
"HTML is one self-contained file: inline SVG and CSS, no script, no\n"
"network request; every chart has its numbers in a table.\n"
"\n"
"  -o, --output FILE    write here (atomically); a name ending in .md gives\n"
"                       Markdown, anything else HTML; default: stdout\n"
"  -f, --format F       html or md (overrides the name)\n"
"      --lang L         en or ru: titles, labels and dates (global option;\n"
"                       auto means en)\n"
"  -m, --model FILE     the classifier model whose words are shown (global\n"
"                       option, as for classify; default: $CANDOR_MODEL,\n"
"                       the shipped one)\n"
"      --strict         stop at the first bad line\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 ok, 2 usage, 65 a bad line was skipped or a file's kind\n"
"could not be told, 66 a file is missing, 74 the report could not be\n"
"written.\n";

struct src {
	const char *path;       /* as given */
	const char *name;       /* for messages */
	FILE *fp;
	enum report_kind kind;
	int jsonl;
	int empty;              /* no non-blank line: nothing to read */
	size_t order;
};

static int write_fp(void *ctx, const char *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/* The first non-blank line of fp (then rewound) into buf. */
static int first_line(FILE *fp, char **buf, size_t *cap, size_t *len)
{
	ssize_t n;

	while ((n = getline(buf, cap, fp)) > 0) {
		size_t i = 0;

		while (i < (size_t)n && strchr(" \t\r\n", (*buf)[i]))
			i++;
		if (i < (size_t)n) {
			*len = (size_t)n;
			rewind(fp);
			return 1;
		}
	}
	rewind(fp);
	return 0;
}

static int open_src(struct src *s, char **line, size_t *cap)
{
	size_t len = 0, i;
	const char *p;

	if (!strcmp(s->path, "-")) {
		s->fp = cli_stdin_copy();
	} else {
		s->fp = fopen(s->path, "rb");
	}
	if (!s->fp) {
		cli_err("cannot open '%s': %s", s->name, strerror(errno));
		return EXIT_NOINPUT;
	}
	if (!first_line(s->fp, line, cap, &len)) {
		s->kind = REPORT_UNKNOWN;
		s->empty = 1;
		return 0;
	}
	p = *line;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3, len -= 3;
	for (i = 0; i < len && strchr(" \t", p[i]); i++)
		;
	s->jsonl = i < len && p[i] == '{';
	s->kind = s->jsonl ? report_detect(p, len) : REPORT_BATCH;
	return 0;
}

static int cmp_src(const void *a, const void *b)
{
	const struct src *x = a, *y = b;
	int rx = report_kind_rank(x->kind), ry = report_kind_rank(y->kind);

	if (rx != ry)
		return rx - ry;
	return (x->order > y->order) - (x->order < y->order);
}

/* Feed one JSONL file; returns the number of bad lines, or -1 fatal. */
static long read_jsonl(struct report *r, struct src *s, int strict, int quiet)
{
	struct cd_error err;
	struct line_reader *lr;
	const char *line;
	size_t len;
	long bad = 0, good = 0;
	int fd = dup(fileno(s->fp)), rc;

	/* stdio may have left the descriptor past what it buffered, even
	 * after rewind(): start the line reader at the top */
	lr = fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 ?
		lr_new(fd, s->name, REPORT_LINE_MAX, &err) : NULL;
	if (!lr) {
		if (fd >= 0)
			close(fd);
		cli_err("cannot read '%s'", s->name);
		return -1;
	}
	for (;;) {
		rc = lr_next(lr, &line, &len, &err);
		if (rc == 0)
			break;
		if (rc == 1) {
			size_t i = 0;

			while (i < len && strchr(" \t\r", line[i]))
				i++;
			if (i == len)
				continue;
			rc = report_add_json(r, s->kind, line, len,
					     lr_lineno(lr), &err);
			if (!rc) {
				good++;
				continue;
			}
		}
		if (rc == CD_ERR_IO || rc == CD_ERR_NOMEM) {
			cli_err("%s: %s", s->name, err.msg);
			bad = -1;
			break;
		}
		bad++;
		if (!quiet || strict)
			cli_err("%s:%ld: %s", s->name, err.line ? err.line :
				lr_lineno(lr), err.msg);
		if (strict) {
			bad = -1;
			break;
		}
	}
	report_source_counts(r, good, bad > 0 ? bad : 0);
	lr_free(lr);
	close(fd);
	return bad;
}

static long read_csv(struct report *r, struct src *s, int strict, int quiet)
{
	struct cd_error err;
	struct csv_reader *cr = csvr_new(s->fp, s->name, NULL, &err);
	struct csv_row *row;
	const char **names = NULL, **fields = NULL;
	size_t *lens = NULL, n, i;
	long bad = 0, good = 0;
	int rc;

	if (!cr || (rc = csvr_header(cr, &err)) != 0) {
		cli_err("%s", err.msg);
		csvr_free(cr);
		return strict ? -1 : 1;
	}
	n = csvr_ncolumns(cr);
	names = calloc(n + 1, sizeof(*names));
	fields = calloc(n + 1, sizeof(*fields));
	lens = calloc(n + 1, sizeof(*lens));
	if (!names || !fields || !lens) {
		bad = -1;
		goto out;
	}
	for (i = 0; i < n; i++)
		names[i] = csvr_column_name(cr, i);
	if (report_csv_begin(r, names, n, &err)) {
		cli_err("%s:1: %s", s->name, err.msg);
		bad = strict ? -1 : 1;
		goto out;
	}
	while ((rc = csvr_next(cr, &row, &err)) != 0) {
		if (rc == 1) {
			size_t k = csvr_nfields(row);

			for (i = 0; i < k && i < n; i++)
				fields[i] = csvr_field(row, i, &lens[i]);
			rc = report_add_csv(r, fields, lens, k < n ? k : n,
					    csvr_row_line(row), &err);
			if (!rc) {
				good++;
				continue;
			}
			if (!quiet || strict)
				cli_err("%s:%ld: %s", s->name, err.line,
					err.msg);
		} else {
			if (rc == CD_ERR_IO || rc == CD_ERR_NOMEM) {
				cli_err("%s", err.msg);
				bad = -1;
				break;
			}
			if (!quiet || strict)
				cli_err("%s", err.msg); /* names file, line */
		}
		bad++;
		if (strict) {
			bad = -1;
			break;
		}
	}
out:
	report_source_counts(r, good, bad > 0 ? bad : 0);
	free(names);
	free(fields);
	free(lens);
	csvr_free(cr);
	return bad;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcasecmp(s + a - b, suf);
}

int cmd_report(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out_path = NULL, *format = NULL;
	struct report_params rp;
	struct monitor_params mp;
	struct report *r = NULL;
	struct cd_error err;
	struct atomic_file af = { 0 };
	struct src *srcs = NULL;
	char *line = NULL;
	size_t cap = 0, nsrc, i;
	enum report_format fmt;
	FILE *out = stdout;
	long bad = 0, b;
	int opt, strict = 0, rc = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': out_path = optarg; break;
		case 'f': format = optarg; break;
		case 'S': strict = 1; break;
		case 'h': fputs(usage_report, stdout); return EXIT_OK;
		default: return cli_usage_error("report", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("report", "name at least one FILE");
	if (format && strcmp(format, "html") && strcmp(format, "md"))
		return cli_usage_error("report", "--format must be html or md, "
				       "not '%s'", format);
	fmt = format ? (!strcmp(format, "md") ? REPORT_MARKDOWN : REPORT_HTML) :
		out_path && (ends_with(out_path, ".md") ||
			     ends_with(out_path, ".markdown")) ?
		REPORT_MARKDOWN : REPORT_HTML;
	nsrc = (size_t)(argc - optind);
	if (nsrc > REPORT_MAX_SOURCES)
		return cli_usage_error("report", "at most %d files",
				       REPORT_MAX_SOURCES);
	report_params_default(&rp);
	config_monitor_params(&c->cfg, &mp);    /* as monitor reads them */
	rp.monitor = &mp;
	rp.lang = c->lang && !strcmp(c->lang, "ru") ? REPORT_RU : REPORT_EN;
	srcs = calloc(nsrc, sizeof(*srcs));
	r = report_new(&rp, &err);
	if (!srcs || !r) {
		cli_err("out of memory");
		rc = EXIT_SOFTWARE;
		goto done;
	}
	/* the model's words, with the brand's names as classify reads them */
	if (c->model && ((rc = report_set_model(r, c->model, &err)) != 0 ||
			 (rc = config_tok_names(&c->cfg, report_tokenizer(r),
						&err)) != 0)) {
		rc = cli_fail(rc, &err);
		goto done;
	}
	for (i = 0; i < nsrc; i++) {
		srcs[i].path = argv[optind + (int)i];
		srcs[i].name = cli_input_name(srcs[i].path);
		srcs[i].order = i;
		rc = open_src(&srcs[i], &line, &cap);
		if (rc)
			goto done;
	}
	qsort(srcs, nsrc, sizeof(*srcs), cmp_src);
	for (i = 0; i < nsrc; i++) {
		struct src *s = &srcs[i];

		if (s->empty) {
			cli_info(c, "%s: empty", s->name);
			continue;
		}
		if (s->kind == REPORT_UNKNOWN) {
			cli_err("%s: cannot tell what this file holds (not "
				"suggestions, a journal, a ledger, comments "
				"or a batch CSV)", s->name);
			bad++;
			if (strict) {
				rc = EXIT_DATA;
				goto done;
			}
			continue;
		}
		cli_info(c, "%s: %s", s->name, report_kind_name(s->kind));
		if (report_add_source(r, s->name, s->kind, &err)) {
			rc = cli_fail(CD_ERR_LIMIT, &err);
			goto done;
		}
		b = s->jsonl ? read_jsonl(r, s, strict, c->quiet) :
			read_csv(r, s, strict, c->quiet);
		if (b < 0) {
			rc = EXIT_DATA;
			goto done;
		}
		bad += b;
	}
	if ((rc = report_finish(r, &err)) != 0) {
		rc = cli_fail(rc, &err);
		goto done;
	}
	if (out_path) {
		if (atomic_open(&af, out_path, &err)) {
			cli_err("%s", err.msg);
			rc = EXIT_IO;
			goto done;
		}
		out = af.fp;
	}
	if ((rc = report_write(r, fmt, write_fp, out, &err)) != 0) {
		rc = cli_fail(rc, &err);        /* no OUT: rolled back below */
		goto done;
	}
	if (out_path && atomic_commit(&af, &err)) {
		cli_err("%s", err.msg);
		rc = EXIT_IO;
		goto done;
	}
	rc = bad ? EXIT_DATA : EXIT_OK;
done:
	atomic_rollback(&af);
	for (i = 0; srcs && i < nsrc; i++)
		if (srcs[i].fp)
			fclose(srcs[i].fp);
	free(srcs);
	free(line);
	report_free(r);
	return rc;
}

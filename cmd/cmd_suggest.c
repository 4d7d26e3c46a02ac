/*
 * cmd_suggest.c - `candor suggest [FILE|-]`: one suggestion per comment.
 *
 * Reads plain text or JSONL (told apart by the first non-blank byte) and
 * writes one suggestion record per comment, flushed per line, so it works
 * in pipes and behind `tail -f`.  Every record carries the draft's tone
 * result; nothing is ever published from here.
 */
#include "cli.h"
#include "color.h"
#include "input.h"
#include "jobs.h"
#include "jsonw.h"
#include "pipeline.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_suggest[] =
"usage: candor suggest [options] [FILE|-]\n"
"\n"
"Reads comments (plain text, one per line, or JSONL with \"text\" and the\n"
"optional id, author, lang, created_at, ...; TikTok's comment_id, username\n"
"and create_time too) and writes one suggestion per comment: category,\n"
"confidence, flags, why, action, template, reply and tone.  A CSV with a\n"
"header (named .csv or .tsv, or a file whose first line is one) is read\n"
"by its columns, as batch reads it.\n"
"\n"
"A comment below [classifier] min_confidence gets action `review` (a person\n"
"chooses; nothing is hidden on a guess).  One flagged safety (harm from the\n"
"product), legal or press gets action `escalate` and a draft only from\n"
"templates/<lang>/_safety/ (_legal, _press), never citing a fact.  With -v\n"
"each fake_news comment names the fact cited, or why none was.\n"
"\n"
"  -f, --format F     jsonl (default), tsv, or pretty (for a person)\n"
"      --strict       stop at the first bad line (default: report, skip, go on)\n"
"      --errors FILE  append bad input lines to FILE\n"
"      --jobs N       answer on N threads (default: the online cores, at\n"
"                     most 64); the output is the same, in input order\n"
"  -h, --help         this help\n"
"\n"
"Global options: -c CONFIG, -m MODEL, -t TEMPLATES, --lang, --channel.\n"
"A bad line is reported as `candor: FILE:LINE: what`; the exit status is\n"
"65 when any line was skipped.\n";

enum format { FMT_JSONL, FMT_TSV, FMT_PRETTY };

/* TSV field: tabs, newlines and backslashes escaped. */
static void tsv_field(struct cd_buf *b, const char *s, size_t n, int last)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\t': cd_buf_addstr(b, "\\t"); break;
		case '\n': cd_buf_addstr(b, "\\n"); break;
		case '\r': cd_buf_addstr(b, "\\r"); break;
		case '\\': cd_buf_addstr(b, "\\\\"); break;
		default: cd_buf_addch(b, s[i]);
		}
	}
	cd_buf_addch(b, last ? '\n' : '\t');
}

static void write_tsv(struct cd_buf *b, const struct comment *c,
		      const struct suggestion *g)
{
	char num[32];

	tsv_field(b, c->id, strlen(c->id), 0);
	tsv_field(b, g->category, strlen(g->category), 0);
	snprintf(num, sizeof(num), "%.4f", g->confidence);
	tsv_field(b, num, strlen(num), 0);
	tsv_field(b, g->uncertain ? "true" : "false", g->uncertain ? 4 : 5, 0);
	suggest_flags_text(g->flags, num, sizeof(num));
	tsv_field(b, num, strlen(num), 0);
	tsv_field(b, g->action, strlen(g->action), 0);
	tsv_field(b, g->template_id, strlen(g->template_id), 0);
	if (g->toned)
		snprintf(num, sizeof(num), "%d", g->tone.score);
	else
		num[0] = '\0';
	tsv_field(b, num, strlen(num), 0);
	tsv_field(b, g->reply, g->reply_len, 1);
}

/* Append s wrapped at `width` columns (code points), each line indented. */
static void wrap(struct cd_buf *b, const char *s, size_t n, const char *indent,
		 size_t width)
{
	size_t i = 0;

	while (i < n) {
		size_t col = 0, j = i, brk = 0;

		while (j < n && s[j] != '\n' && col < width) {
			if (s[j] == ' ')
				brk = j;
			j++;
			while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
				j++;
			col++;
		}
		if (j < n && s[j] != '\n' && brk > i)
			j = brk;
		cd_buf_addstr(b, indent);
		cd_buf_add(b, s + i, j - i);
		cd_buf_addch(b, '\n');
		i = j;
		while (i < n && (s[i] == ' ' || s[i] == '\n'))
			i++;
	}
}

static void write_pretty(struct cd_buf *b, const struct comment *c,
			 const struct suggestion *g, int on)
{
	const char *bold = color(on, COLOR_BOLD), *dim = color(on, COLOR_DIM),
		   *red = color(on, COLOR_RED), *yel = color(on, COLOR_YELLOW),
		   *off = color(on, COLOR_RESET);
	size_t i;

	if (g->flags) {
		char names[32];

		suggest_flags_text(g->flags, names, sizeof(names));
		cd_buf_addf(b, "%s%s!! %s: a person must answer this one%s\n",
			    bold, red, names, off);
	}
	cd_buf_addf(b, "%s#%s%s", bold, c->id, off);
	if (c->author[0])
		cd_buf_addf(b, " @%s", c->author);
	cd_buf_addf(b, "  %s%s%s %.2f%s%s%s%s", bold, g->category, off, g->confidence,
		    g->uncertain ? "  " : "", g->uncertain ? yel : "",
		    g->uncertain ? "uncertain: choose the category" : "",
		    g->uncertain ? off : "");
	cd_buf_addf(b, "  -> %s\n", g->action);
	wrap(b, c->text, c->text_len, "  > ", 76);
	if (g->nwhy) {
		cd_buf_addf(b, "  %swhy:", dim);
		for (i = 0; i < g->nwhy; i++)
			cd_buf_addf(b, "%s \"%.*s\"", i ? "," : "",
				    (int)(g->why[i].end - g->why[i].start),
				    c->text + g->why[i].start);
		cd_buf_addf(b, "%s\n", off);
	}
	if (g->reply_len) {
		cd_buf_addf(b, "  reply %s(%s, tone %d/100)%s:\n", dim,
			    g->template_id, g->toned ? g->tone.score : 0, off);
		wrap(b, g->reply, g->reply_len, "    ", 72);
		for (i = 0; g->toned && i < g->tone.n; i++) {
			const struct tone_finding *f = &g->tone.f[i];

			cd_buf_addf(b, "    %s%s %s%s: %s\n",
				    color_severity(on, f->severity, 0),
				    tone_severity_name(f->severity), f->rule, off,
				    f->message);
		}
	}
	if (g->note)
		cd_buf_addf(b, "  %snote: %s%s\n", yel, g->note, off);
	cd_buf_addch(b, '\n');
}

struct suggest_job {                    /* shared, read-only */
	struct cli *c;
	const struct input *in;
	struct pipeline *p;
	enum format fmt;
};

/* One input line: its suggestion, or a bad line reported. */
static void suggest_line(struct jobs_worker *w, long line, int tag,
			 const char *bytes, size_t len, struct jobs_out *o)
{
	const struct suggest_job *job = w->ctx;
	struct suggester *sg = w->state;
	const struct input *in = job->in;
	struct cd_buf *out = jobs_stdout(o);
	const struct suggestion *g;
	struct comment cm;
	struct cd_error err;

	cd_error_clear(&err);
	if (input_item_comment(in, &w->item, w->cp, line, tag, bytes, len,
			       &cm, o))
		return;
	if (suggester_run(sg, &cm, NULL, 0, &g, &err)) {
		jobs_err(o, "%s:%ld: %s", in->name, cm.line, err.msg);
		jobs_bad(o, NULL, NULL, 0, in->strict ? EXIT_DATA : 0);
		return;
	}
	if (job->c->verbose && g->fact)
		jobs_err(o, "%s:%ld: fact '%s' cited (valid until %s)",
			 in->name, cm.line, g->fact->name,
			 g->fact->valid_until);
	else if (job->c->verbose && g->fact_why)
		jobs_err(o, "%s:%ld: no fact cited: %s", in->name, cm.line,
			 g->fact_why);
	if (job->fmt == FMT_JSONL)
		suggestion_json(sg, &cm, g, out);
	else if (job->fmt == FMT_TSV)
		write_tsv(out, &cm, g);
	else
		write_pretty(out, &cm, g, job->c->color);
}

int cmd_suggest(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "strict", no_argument, NULL, 's' },
		{ "errors", required_argument, NULL, 'e' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char tsv_header[] =
		"id\tcategory\tconfidence\tuncertain\tflags\t"
		"action\ttemplate\ttone_score\treply\n";
	struct pipeline p;
	struct input in;
	struct suggest_job job;
	struct jobs_ops ops;
	enum format fmt = FMT_JSONL;
	const char *errors_path = NULL;
	FILE *errors = NULL;
	long skipped = 0;
	int strict = 0, opt, rc, njobs = jobs_default();

	optind = 0;
	while ((opt = getopt_long(argc, argv, "hf:", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (!strcmp(optarg, "jsonl"))
				fmt = FMT_JSONL;
			else if (!strcmp(optarg, "tsv"))
				fmt = FMT_TSV;
			else if (!strcmp(optarg, "pretty"))
				fmt = FMT_PRETTY;
			else
				return cli_usage_error("suggest", "--format must be "
						       "jsonl, tsv or pretty");
			break;
		case 's': strict = 1; break;
		case 'e': errors_path = optarg; break;
		case 'j':
			if (jobs_parse("suggest", optarg, &njobs))
				return EXIT_USAGE;
			break;
		case 'h': fputs(usage_suggest, stdout); return EXIT_OK;
		default: return cli_usage_error("suggest", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("suggest", "at most one input file");
	if ((rc = pipeline_open(&p, c, 1)) != 0)
		return rc;
	if (errors_path && !(errors = input_open_errors(errors_path))) {
		pipeline_close(&p);
		return EXIT_IO;
	}
	rc = input_open(&in, optind < argc ? argv[optind] : "-", strict,
			c->quiet, errors);
	if (rc) {
		pipeline_close(&p);
		if (errors)
			fclose(errors);
		return rc;
	}
	memset(&job, 0, sizeof(job));
	job.c = c;
	job.in = &in;
	job.p = &p;
	job.fmt = fmt;
	memset(&ops, 0, sizeof(ops));
	ops.ctx = &job;
	ops.state_arg = &p;
	ops.state_new = pipeline_suggester;
	ops.state_free = pipeline_suggester_free;
	ops.work = suggest_line;
	/* the TSV header comes with the first record, as it always did */
	rc = jobs_run(njobs, &ops, &in, stdout, errors,
		      fmt == FMT_TSV ? tsv_header : NULL, 0, &skipped);
	input_close(&in);
	pipeline_close(&p);
	if (errors)
		fclose(errors);
	if (rc > 1)
		return rc;
	return skipped ? EXIT_DATA : EXIT_OK;
}

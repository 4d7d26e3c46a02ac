/*
 * cmd_classify.c - `candor classify [FILE|-]`: the fast path.
 *
 * One JSON object per input line: id, category, confidence, uncertain and
 * the calibrated scores of every label.  Output is flushed whenever candor
 * waits for input, so it works in pipes and behind `tail -f`.
 */
#include "cli.h"
#include "input.h"
#include "jobs.h"
#include "jsonw.h"
#include "tokenize.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_classify[] =
"usage: candor classify [options] [FILE|-]\n"
"\n"
"Reads comments (plain text, one per line, or JSONL with a \"text\" field;\n"
"told apart by the first non-blank byte) and writes one JSON object per\n"
"line: {\"id\",\"category\",\"confidence\",\"uncertain\",\"scores\"}.  A CSV\n"
"with a header (named .csv or .tsv, or a file whose first line is one) is\n"
"read by its columns, as batch reads it.\n"
"\n"
"  --strict          stop at the first bad line (default: report, skip, go on)\n"
"  --errors FILE     append bad input lines to FILE\n"
"  --jobs N          answer on N threads (default: the online cores, at\n"
"                    most 64); the output is the same, in input order\n"
"  -h, --help        this help\n"
"\n"
"A bad line is reported as `candor: FILE:LINE: what` and the exit status\n"
"is 65 when any line was skipped.\n";

struct classify_job {                   /* shared, read-only */
	struct cli *c;
	const struct input *in;
	size_t K, keys_len, label_len[NB_MAX_LABELS];
	size_t key_off[NB_MAX_LABELS + 1];
	char keys[NB_MAX_LABELS * (NB_LABEL_MAX + 5)];
};

static void tokenizer_free(void *job, void *tk)
{
	(void)job;
	tok_free(tk);
}

/* A worker's own tokenizer. */
static void *tokenizer_new(void *jp)
{
	const struct classify_job *job = jp;
	struct tokenizer *tk;
	struct tok_params tp;
	struct cd_error err;

	cd_error_clear(&err);
	nb_tok_params(job->c->model, &tp);
	tk = tok_new(&tp, &err);
	if (!tk || config_tok_names(&job->c->cfg, tk, &err)) {
		cli_fail(tk ? CD_ERR_LIMIT : CD_ERR_NOMEM, &err);
		tok_free(tk);
		return NULL;
	}
	return tk;
}

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* One input line: its JSON object, or a bad line reported. */
static void classify_line(struct jobs_worker *w, long line, int tag,
			  const char *bytes, size_t len, struct jobs_out *o)
{
	const struct classify_job *job = w->ctx;
	struct tokenizer *tk = w->state;
	const struct nb_model *m = job->c->model;
	struct cd_buf *out = jobs_stdout(o);
	struct comment cm;
	struct cd_error err;
	double prob[NB_MAX_LABELS];
	size_t l;
	char *p;
	int best;

	cd_error_clear(&err);
	if (input_item_comment(job->in, &w->item, w->cp, line, tag, bytes, len,
			       &cm, o))
		return;
	if (tok_run(tk, cm.text, cm.text_len, &err)) {
		/* invalid UTF-8 in a plain-text line: report, skip */
		input_bad_answer(job->in, o, cm.line, &err, cm.text,
				 cm.text_len);
		return;
	}
	best = nb_classify(m, tk, NULL, prob);
	cd_buf_addstr(out, "{\"id\":");
	jsonw_str(out, cm.id, strlen(cm.id));
	/* the rest has a known maximum size: write it directly */
	if (cd_buf_grow(out, 96 + job->keys_len + job->K * 16)) {
		jobs_err(o, "%s:%ld: output longer than %u bytes", job->in->name,
			 cm.line, JOBS_OUT_MAX);
		jobs_stop(o, EXIT_SOFTWARE);
		return;
	}
	p = out->data + out->len;
	p = put(p, ",\"category\":\"", 13);
	p = put(p, nb_label(m, (size_t)best), job->label_len[best]);
	p = put(p, "\",\"confidence\":", 15);
	p = jsonw_prob4(p, prob[best]);
	if (prob[best] < job->c->cfg.classifier.min_confidence)
		p = put(p, ",\"uncertain\":true,\"scores\":{", 28);
	else
		p = put(p, ",\"uncertain\":false,\"scores\":{", 29);
	for (l = 0; l < job->K; l++) {
		p = put(p, job->keys + job->key_off[l],
			job->key_off[l + 1] - job->key_off[l]);
		p = jsonw_prob4(p, prob[l]);
	}
	p = put(p, "}}\n", 3);
	out->len = (size_t)(p - out->data);
	*p = '\0';
}

int cmd_classify(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "errors", required_argument, NULL, 'e' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct input in;
	struct classify_job job;
	struct jobs_ops ops;
	const char *errors_path = NULL;
	FILE *errors = NULL;
	size_t l;
	long skipped = 0;
	int strict = 0, o, rc, njobs = jobs_default();

	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's': strict = 1; break;
		case 'e': errors_path = optarg; break;
		case 'j':
			if (jobs_parse("classify", optarg, &njobs))
				return EXIT_USAGE;
			break;
		case 'h': fputs(usage_classify, stdout); return EXIT_OK;
		default: return cli_usage_error("classify", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("classify", "at most one input file");
	memset(&job, 0, sizeof(job));
	job.c = c;
	job.in = &in;
	job.K = nb_nlabels(c->model);
	if (errors_path && !(errors = input_open_errors(errors_path)))
		return EXIT_IO;
	rc = input_open(&in, optind < argc ? argv[optind] : "-", strict,
			c->quiet, errors);
	if (rc) {
		if (errors)
			fclose(errors);
		return rc;
	}
	/* the label keys of the scores object, built once: "a":,"b": ... */
	for (l = 0; l < job.K; l++) {
		const char *name = nb_label(c->model, l);

		job.label_len[l] = strlen(name);
		job.key_off[l] = job.keys_len;
		job.keys_len += (size_t)snprintf(job.keys + job.keys_len,
						 sizeof(job.keys) - job.keys_len,
						 "%s\"%s\":", l ? "," : "", name);
	}
	job.key_off[job.K] = job.keys_len;
	memset(&ops, 0, sizeof(ops));
	ops.ctx = &job;
	ops.state_arg = &job;
	ops.state_new = tokenizer_new;
	ops.state_free = tokenizer_free;
	ops.work = classify_line;
	rc = jobs_run(njobs, &ops, &in, stdout, errors, NULL, 0, &skipped);
	input_close(&in);
	if (errors)
		fclose(errors);
	if (rc > 1)
		return rc;
	return skipped ? EXIT_DATA : EXIT_OK;
}

/*
 * cmd_classify.c - `candor classify [FILE|-]`: the fast path.
 *
 * One JSON object per input line: id, category, confidence, uncertain and
 * the calibrated scores of every label.  Output is flushed whenever candor
 * waits for input, so it works in pipes and behind `tail -f`.
 */
#include "cli.h"
#include "input.h"
#include "jsonw.h"
#include "tokenize.h"

#include <getopt.h>
#include <string.h>

static const char usage_classify[] =
"usage: candor classify [options] [FILE|-]\n"
"\n"
"Reads comments (plain text, one per line, or JSONL with a \"text\" field;\n"
"told apart by the first non-blank byte) and writes one JSON object per\n"
"line: {\"id\",\"category\",\"confidence\",\"uncertain\",\"scores\"}.\n"
"\n"
"  --strict          stop at the first bad line (default: report, skip, go on)\n"
"  --errors FILE     append bad input lines to FILE\n"
"  -h, --help        this help\n"
"\n"
"A bad line is reported as `candor: FILE:LINE: what` and the exit status\n"
"is 65 when any line was skipped.\n";

int cmd_classify(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "errors", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct input in;
	struct comment cm;
	struct tok_params tp;
	struct tokenizer *tk;
	struct cd_buf out;
	struct cd_error err;
	double prob[NB_MAX_LABELS];
	const char *errors_path = NULL;
	FILE *errors = NULL;
	size_t K, l;
	int strict = 0, o, rc;

	optind = 0;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's': strict = 1; break;
		case 'e': errors_path = optarg; break;
		case 'h': fputs(usage_classify, stdout); return EXIT_OK;
		default: return cli_usage_error("classify", "unknown option");
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("classify", "at most one input file");
	K = nb_nlabels(c->model);
	if (errors_path && !(errors = input_open_errors(errors_path)))
		return EXIT_IO;
	rc = input_open(&in, optind < argc ? argv[optind] : "-", strict,
			c->quiet, errors);
	if (rc) {
		if (errors)
			fclose(errors);
		return rc;
	}
	nb_tok_params(c->model, &tp);
	tk = tok_new(&tp, &err);
	if (!tk) {
		input_close(&in);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	cd_buf_init(&out, 1u << 20);
	while ((rc = input_next(&in, &cm)) == 1) {
		int best;

		if (tok_run(tk, cm.text, cm.text_len, &err)) {
			rc = cli_fail(CD_ERR_DATA, &err);
			break;
		}
		best = nb_classify(c->model, tk, NULL, prob);
		cd_buf_reset(&out);
		cd_buf_addstr(&out, "{\"id\":");
		jsonw_str(&out, cm.id, strlen(cm.id));
		cd_buf_addstr(&out, ",\"category\":");
		jsonw_str(&out, nb_label(c->model, (size_t)best),
			  strlen(nb_label(c->model, (size_t)best)));
		cd_buf_addstr(&out, ",\"confidence\":");
		jsonw_num(&out, prob[best], 4);
		cd_buf_addstr(&out, prob[best] < c->cfg.classifier.min_confidence ?
				    ",\"uncertain\":true" : ",\"uncertain\":false");
		cd_buf_addstr(&out, ",\"scores\":{");
		for (l = 0; l < K; l++) {
			jsonw_key(&out, nb_label(c->model, l), l == 0);
			jsonw_num(&out, prob[l], 4);
		}
		cd_buf_addstr(&out, "}}\n");
		if (cli_write(out.data, out.len)) {
			rc = 0;         /* stdout closed (EPIPE): stop quietly */
			break;
		}
	}
	cd_buf_release(&out);
	tok_free(tk);
	input_close(&in);
	if (errors)
		fclose(errors);
	if (rc > 1)
		return rc;
	return in.skipped ? EXIT_DATA : EXIT_OK;
}

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
"line: {\"id\",\"category\",\"confidence\",\"uncertain\",\"scores\"}.  A CSV\n"
"with a header (named .csv or .tsv, or a file whose first line is one) is\n"
"read by its columns, as batch reads it.\n"
"\n"
"  --strict          stop at the first bad line (default: report, skip, go on)\n"
"  --errors FILE     append bad input lines to FILE\n"
"  -h, --help        this help\n"
"\n"
"A bad line is reported as `candor: FILE:LINE: what` and the exit status\n"
"is 65 when any line was skipped.\n";

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

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
	size_t K, l, keys_len, label_len[NB_MAX_LABELS];
	size_t key_off[NB_MAX_LABELS + 1];
	char keys[NB_MAX_LABELS * (NB_LABEL_MAX + 5)], *p;
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
	/* the label keys of the scores object, built once: "a":,"b": ... */
	for (l = 0, keys_len = 0; l < K; l++) {
		const char *name = nb_label(c->model, l);

		label_len[l] = strlen(name);
		key_off[l] = keys_len;
		keys_len += (size_t)snprintf(keys + keys_len, sizeof(keys) - keys_len,
					     "%s\"%s\":", l ? "," : "", name);
	}
	key_off[K] = keys_len;
	nb_tok_params(c->model, &tp);
	tk = tok_new(&tp, &err);
	if (!tk || config_tok_names(&c->cfg, tk, &err)) {
		tok_free(tk);
		input_close(&in);
		return cli_fail(tk ? CD_ERR_LIMIT : CD_ERR_NOMEM, &err);
	}
	cd_buf_init(&out, 1u << 20);
	while ((rc = input_next(&in, &cm)) == 1) {
		int best;

		if (tok_run(tk, cm.text, cm.text_len, &err)) {
			/* invalid UTF-8 in a plain-text line: report, skip */
			in.skipped++;
			if (!c->quiet || strict)
				cli_err("%s:%ld: %s", in.name, cm.line, err.msg);
			if (errors) {
				fwrite(cm.text, 1, cm.text_len, errors);
				fputc('\n', errors);
			}
			if (strict) {
				rc = EXIT_DATA;
				break;
			}
			continue;
		}
		best = nb_classify(c->model, tk, NULL, prob);
		cd_buf_reset(&out);
		cd_buf_addstr(&out, "{\"id\":");
		jsonw_str(&out, cm.id, strlen(cm.id));
		/* the rest has a known maximum size: write it directly */
		if (cd_buf_grow(&out, 96 + keys_len + K * 16)) {
			rc = EXIT_SOFTWARE;
			break;
		}
		p = out.data + out.len;
		p = put(p, ",\"category\":\"", 13);
		p = put(p, nb_label(c->model, (size_t)best),
			label_len[best]);
		p = put(p, "\",\"confidence\":", 15);
		p = jsonw_prob4(p, prob[best]);
		if (prob[best] < c->cfg.classifier.min_confidence)
			p = put(p, ",\"uncertain\":true,\"scores\":{", 28);
		else
			p = put(p, ",\"uncertain\":false,\"scores\":{", 29);
		for (l = 0; l < K; l++) {
			p = put(p, keys + key_off[l], key_off[l + 1] - key_off[l]);
			p = jsonw_prob4(p, prob[l]);
		}
		p = put(p, "}}\n", 3);
		out.len = (size_t)(p - out.data);
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

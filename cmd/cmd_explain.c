/*
 * cmd_explain.c - `candor explain TEXT`: why the model decided as it did.
 *
 * For each category, its probability and the tokens that pushed the text
 * towards it, each with its weight: the token's log-probability under the
 * category minus its mean under the others (log-odds, natural log).
 */
#include "cli.h"
#include "jsonw.h"
#include "tokenize.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_explain[] =
"usage: candor explain [options] TEXT...\n"
"\n"
"Shows each category's probability and the tokens that pushed TEXT towards\n"
"it, with their weights (log-odds against the other categories).  The\n"
"words of TEXT are joined with spaces; `-` reads the text from stdin.\n"
"\n"
"  -n, --top N     tokens per category (default 5)\n"
"      --json      {\"category\",\"scores\":{...},\"tokens\":{LABEL:[{\"token\",\"feature\",\"weight\"}]}}\n"
"  -h, --help      this help\n";

#define EXPLAIN_TEXT_MAX 65536

static int read_text(int argc, char **argv, int first, char *buf, size_t cap,
		     size_t *len)
{
	size_t n = 0;
	int i;

	if (argc - first == 1 && !strcmp(argv[first], "-")) {
		n = fread(buf, 1, cap - 1, stdin);
		if (!feof(stdin)) {
			cli_err("<stdin>: text longer than %zu bytes", cap - 2);
			return EXIT_DATA;
		}
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			n--;
	} else {
		for (i = first; i < argc; i++) {
			size_t k = strlen(argv[i]);

			if (n + k + 1 >= cap) {
				cli_err("text longer than %zu bytes", cap - 1);
				return EXIT_DATA;
			}
			if (n)
				buf[n++] = ' ';
			memcpy(buf + n, argv[i], k);
			n += k;
		}
	}
	buf[n] = '\0';
	*len = n;
	return 0;
}

int cmd_explain(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nb_contrib con[64];
	struct tok_params tp;
	struct tokenizer *tk;
	struct cd_error err;
	struct cd_buf b;
	double prob[NB_MAX_LABELS];
	size_t K, l, i, len;
	long top = 5;
	int json = 0, opt, best, rc;
	char *text, *end;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			top = strtol(optarg, &end, 10);
			if (*end || top < 1 || top > 64)
				return cli_usage_error("explain", "--top must be 1 to 64");
			break;
		case 'j': json = 1; break;
		case 'h': fputs(usage_explain, stdout); return EXIT_OK;
		default: return cli_usage_error("explain", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("explain", "no TEXT given");
	K = nb_nlabels(c->model);
	text = malloc(EXPLAIN_TEXT_MAX + 2);
	if (!text)
		return EXIT_SOFTWARE;
	if ((rc = read_text(argc, argv, optind, text, EXPLAIN_TEXT_MAX + 2,
			    &len)) != 0) {
		free(text);
		return rc;
	}
	nb_tok_params(c->model, &tp);
	tk = tok_new(&tp, &err);
	if (!tk || config_tok_names(&c->cfg, tk, &err) ||
	    tok_run(tk, text, len, &err)) {
		tok_free(tk);
		free(text);
		return cli_fail(CD_ERR_DATA, &err);
	}
	best = nb_classify(c->model, tk, NULL, prob);
	cd_buf_init(&b, 1u << 22);
	if (json) {
		cd_buf_addstr(&b, "{\"category\":");
		jsonw_str(&b, nb_label(c->model, (size_t)best),
			  strlen(nb_label(c->model, (size_t)best)));
		cd_buf_addstr(&b, ",\"scores\":{");
		for (l = 0; l < K; l++) {
			jsonw_key(&b, nb_label(c->model, l), l == 0);
			jsonw_num(&b, prob[l], 4);
		}
		cd_buf_addstr(&b, "},\"tokens\":{");
	} else {
		cd_buf_addf(&b, "%-20s %s\n", "category", "probability");
		for (l = 0; l < K; l++)
			cd_buf_addf(&b, "%-20s %.4f%s\n", nb_label(c->model, l),
				    prob[l], (int)l == best ? "  <-" : "");
	}
	for (l = 0; l < K; l++) {
		size_t n = nb_explain(c->model, tk, (int)l, 1, con, (size_t)top);
		const struct tok *toks = tok_list(tk);

		if (json) {
			jsonw_key(&b, nb_label(c->model, l), l == 0);
			cd_buf_addch(&b, '[');
		} else {
			cd_buf_addf(&b, "\n%s:\n", nb_label(c->model, l));
			if (!n)
				cd_buf_addstr(&b, "  (no token pushed towards it)\n");
		}
		for (i = 0; i < n; i++) {
			const struct tok *k = &toks[con[i].tok];
			const char *feat = tok_text(tk, k);

			if (json) {
				cd_buf_addstr(&b, i ? ",{\"token\":" : "{\"token\":");
				jsonw_str(&b, text + k->start, k->end - k->start);
				cd_buf_addstr(&b, ",\"feature\":");
				jsonw_str(&b, feat, k->len);
				cd_buf_addstr(&b, ",\"weight\":");
				jsonw_num(&b, con[i].weight, 4);
				cd_buf_addch(&b, '}');
			} else {
				cd_buf_addf(&b, "  %+7.3f  %.*s", con[i].weight,
					    (int)(k->end - k->start), text + k->start);
				if (strncmp(feat, text + k->start, k->end - k->start))
					cd_buf_addf(&b, "  [%s]", feat);
				cd_buf_addch(&b, '\n');
			}
		}
		if (json)
			cd_buf_addch(&b, ']');
	}
	if (json)
		cd_buf_addstr(&b, "}}\n");
	cli_write(b.data, b.len);
	cd_buf_release(&b);
	tok_free(tk);
	free(text);
	return EXIT_OK;
}

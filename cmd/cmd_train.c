/*
 * cmd_train.c - `candor train DATA... -o MODEL`.
 *
 * Training is counting: each example adds its features to its label.  With
 * --update MODEL the counts are added to an existing model, which gives the
 * same counts as training on all the data at once.
 */
#include "cli.h"
#include "dataset.h"
#include "model_file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_train[] =
"usage: candor train [options] DATA... -o MODEL\n"
"       candor train --update MODEL --from-journal J -o MODEL\n"
"\n"
"Trains a naive-Bayes model from labelled CSV (header row; text and label\n"
"columns) or JSONL ({\"text\":...,\"label\":...}).  Several files add up.\n"
"\n"
"  -o, --output MODEL      where to write the model (required)\n"
"      --update MODEL      start from MODEL's counts (write with -o, may be\n"
"                          the same file)\n"
"      --from-journal J    also learn from a review journal: approved and\n"
"                          hidden comments confirm their category, changed\n"
"                          categories are corrections (undone ones are not)\n"
"      --text-col NAME     text column or field (default: text, comment,\n"
"                          message, content or body)\n"
"      --label-col NAME    label column or field (default: label, category\n"
"                          or class)\n"
"      --alpha A           additive smoothing (default 0.3)\n"
"      --complement        complement naive Bayes instead of multinomial\n"
"      --counts            count repeated features in a comment (default:\n"
"                          once per comment)\n"
"      --no-bigrams        words only\n"
"      --no-stem           no Snowball stemming\n"
"      --temperature T     fixed calibration temperature (default: fitted\n"
"                          by leave-one-out on the training data)\n"
"      --strict            stop at the first bad row\n"
"  -h, --help              this help\n";

struct train_opts {
	const char *output, *update, *text_col, *label_col, *journal;
	struct nb_params p;
	int strict;
};

/* Learn every example of one file; returns 0 or an exit code. */
static int learn_file(const struct cli *c, const struct train_opts *o,
		      struct nb_model *m, struct tokenizer *tk,
		      const char *path, long *n, long *skipped)
{
	struct example ex;
	struct dataset *d;
	struct cd_error err;
	int rc, code = 0;

	d = dataset_open(path, o->text_col, o->label_col, o->strict, c->quiet,
			 &code);
	if (!d)
		return code;
	while ((rc = dataset_next(d, &ex)) == 1) {
		int l = nb_label_index(m, ex.label, 1, &err);

		if (l < 0 || tok_run(tk, ex.text, ex.len, &err) ||
		    nb_learn(m, l, tk, &err) || nb_calib_add(m, l, tk, &err)) {
			cli_err("%s:%ld: %s", path, ex.line, err.msg);
			dataset_close(d);
			return EXIT_DATA;
		}
		(*n)++;
	}
	*skipped += dataset_skipped(d);
	dataset_close(d);
	return rc > 1 ? rc : 0;
}

/* One standing journal entry, for learn_journal. */
struct jentry {
	char *id, *decision, *category, *text;
	int corrected;
	long prev;              /* earlier standing entry on the same id */
	int alive;
};

static void jentry_free(struct jentry *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(e[i].id);
		free(e[i].decision);
		free(e[i].category);
		free(e[i].text);
	}
	free(e);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Learn from a review journal: replay it (an undo cancels the latest
 * standing decision on its id), then count each standing approve or hide
 * as a confirmation of its category and each changed category as a
 * correction.  Lines that are not entries (a torn last line) are skipped
 * with a warning.
 */
static int learn_journal(const struct cli *c, const char *path,
			 struct nb_model *m, struct tokenizer *tk, long *n,
			 long *skipped)
{
	FILE *fp = fopen(path, "r");
	struct jentry *e = NULL;
	struct cd_error err;
	size_t ne = 0, cap = 0, i, k;
	char *line = NULL;
	size_t lcap = 0;
	long lineno = 0, learned = 0;
	int rc = 0;

	if (!fp) {
		cli_err("cannot open journal '%s': %s", path, strerror(errno));
		return EXIT_NOINPUT;
	}
	while (getline(&line, &lcap, fp) >= 0) {
		cJSON *o = cJSON_Parse(line);
		const char *id = jstr(o, "id"), *d = jstr(o, "decision");

		lineno++;
		if (!id || !d) {
			if (line[0] != '\n' && !c->quiet)
				cli_err("warning: %s:%ld: not a journal entry, "
					"skipped", path, lineno);
			cJSON_Delete(o);
			continue;
		}
		if (!strcmp(d, "undo")) {
			for (k = ne; k-- > 0;)
				if (e[k].alive && !strcmp(e[k].id, id)) {
					e[k].alive = 0;
					break;
				}
			cJSON_Delete(o);
			continue;
		}
		if (ne == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct jentry *p = realloc(e, nc * sizeof(*p));

			if (!p) {
				cJSON_Delete(o);
				rc = EXIT_SOFTWARE;
				break;
			}
			e = p;
			cap = nc;
		}
		/* a later decision on the same id supersedes the earlier */
		for (k = ne; k-- > 0;)
			if (e[k].alive && !strcmp(e[k].id, id)) {
				e[k].alive = 0;
				break;
			}
		e[ne].id = strdup(id);
		e[ne].decision = strdup(d);
		e[ne].category = jstr(o, "category") ?
				 strdup(jstr(o, "category")) : NULL;
		e[ne].text = jstr(o, "text") ? strdup(jstr(o, "text")) : NULL;
		e[ne].corrected = jstr(o, "original_category") != NULL;
		e[ne].alive = 1;
		ne++;
		cJSON_Delete(o);
	}
	free(line);
	fclose(fp);
	for (i = 0; i < ne && !rc; i++) {
		int l;

		if (!e[i].alive || !e[i].category || !e[i].text)
			continue;
		if (strcmp(e[i].decision, "approve") &&
		    strcmp(e[i].decision, "hide") && !e[i].corrected)
			continue;
		l = nb_label_index(m, e[i].category, 1, &err);
		if (l < 0 || tok_run(tk, e[i].text, strlen(e[i].text), &err) ||
		    nb_learn(m, l, tk, &err) || nb_calib_add(m, l, tk, &err)) {
			cli_err("%s: entry for '%s': %s", path, e[i].id, err.msg);
			(*skipped)++;
			continue;
		}
		learned++;
	}
	jentry_free(e, ne);
	*n += learned;
	if (!c->quiet)
		fprintf(stderr, "candor: learned %ld decisions from %s\n", learned,
			path);
	return rc;
}

int cmd_train(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "update", required_argument, NULL, 'u' },
		{ "from-journal", required_argument, NULL, 'J' },
		{ "text-col", required_argument, NULL, 'T' },
		{ "label-col", required_argument, NULL, 'L' },
		CLI_NB_OPTIONS,
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct train_opts o;
	struct nb_model *m;
	struct tokenizer *tk;
	struct tok_params tp;
	struct cd_error err;
	long n = 0, skipped = 0;
	int opt, i, rc = 0;

	memset(&o, 0, sizeof(o));
	nb_params_default(&o.p);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.output = optarg; break;
		case 'u': o.update = optarg; break;
		case 'J': o.journal = optarg; break;
		case 'T': o.text_col = optarg; break;
		case 'L': o.label_col = optarg; break;
		case 'a': case 'C': case 'n': case 'B': case 'S': case 't':
			if (cli_nb_option(opt, optarg, &o.p, "train"))
				return EXIT_USAGE;
			break;
		case 's': o.strict = 1; break;
		case 'h': fputs(usage_train, stdout); return EXIT_OK;
		default: return cli_usage_error("train", "unknown option");
		}
	}
	if (!o.output)
		return cli_usage_error("train", "-o MODEL is required");
	if (optind >= argc && !o.journal)
		return cli_usage_error("train", "no training data given");
	if (o.update) {
		m = model_load(o.update, &err);
		if (!m)
			return cli_fail(CD_ERR_DATA, &err);
		/* refit the temperature on the new data unless one is given */
		nb_set_temperature(m, o.p.temperature);
	} else {
		m = nb_new(&o.p, &err);
		if (!m)
			return cli_fail(CD_ERR_USAGE, &err);
	}
	nb_tok_params(m, &tp);
	tk = tok_new(&tp, &err);
	if (!tk) {
		nb_free(m);
		return cli_fail(CD_ERR_NOMEM, &err);
	}
	for (i = optind; i < argc && !rc; i++)
		rc = learn_file(c, &o, m, tk, argv[i], &n, &skipped);
	if (!rc && o.journal)
		rc = learn_journal(c, o.journal, m, tk, &n, &skipped);
	if (!rc && n == 0 && !o.update) {
		cli_err("no usable training examples in the input");
		rc = EXIT_DATA;
	}
	if (!rc && (rc = nb_finalize(m, &err)) != 0)
		rc = cli_fail(rc, &err);
	if (!rc && (rc = model_save(m, o.output, &err)) != 0)
		rc = cli_fail(rc, &err);
	if (!rc && !c->quiet)
		fprintf(stderr, "candor: trained on %ld examples (%ld skipped): "
			"%zu labels, %zu features, temperature %.3g -> %s\n",
			n, skipped, nb_nlabels(m), nb_vocab_size(m),
			nb_temperature(m), o.output);
	tok_free(tk);
	nb_free(m);
	if (rc)
		return rc;
	return skipped ? EXIT_DATA : EXIT_OK;
}

/*
 * cmd_train.c - `candor train DATA... -o MODEL`.
 *
 * Training is counting: each example adds its features to its label.  With
 * --update MODEL the counts are added to an existing model, which gives the
 * same counts as training on all the data at once.
 */
#include "cli.h"
#include "dataset.h"
#include "journal.h"
#include "model_file.h"

#include <getopt.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static const char usage_train[] =
"usage: candor train [options] DATA... -o MODEL\n"
"       candor train --update MODEL --from-journal J -o MODEL\n"
"\n"
"Trains a naive-Bayes model from labelled CSV (header row; text and label\n"
"columns) or JSONL ({\"text\":...,\"label\":...}).  Several files add up;\n"
"- is standard input.\n"
"\n"
"  -o, --output MODEL      where to write the model (required)\n"
"      --update MODEL      start from MODEL's counts (write with -o, may be\n"
"                          the same file)\n"
"      --from-journal J    also learn from a review journal: approved and\n"
"                          hidden comments confirm their category, changed\n"
"                          categories are corrections (undone ones are not);\n"
"                          the model remembers the journal and the entries\n"
"                          applied, so a second run learns only new ones\n"
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
"      --no-extras         no extra features: masked (f**k) and mixed-script\n"
"                          words, <name> and <name+cue> (see\n"
"                          docs/classifier.md)\n"
"      --idf               scale counts (and the comment's features) by\n"
"                          their idf, as TF-IDF does\n"
"      --norm              normalise each category's weights (Rennie et\n"
"                          al. 2003); no prior.  Both help skewed data with\n"
"                          --complement; measure with eval first\n"
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

struct journal_learn {
	struct nb_model *m;
	struct tokenizer *tk;
	const char *path;
	long learned, skipped;
	size_t from;            /* entries before it were learned already */
};

/* Approvals and hides confirm a category; a changed category corrects it. */
static int learn_record(void *ctx, const struct journal_record *r)
{
	struct journal_learn *x = ctx;
	struct cd_error err;
	int l;

	if (!r->category || !r->text || r->entry < x->from)
		return 0;
	if (strcmp(r->decision, "approve") && strcmp(r->decision, "hide") &&
	    !r->corrected)
		return 0;
	l = nb_label_index(x->m, r->category, 1, &err);
	if (l < 0 || tok_run(x->tk, r->text, strlen(r->text), &err) ||
	    nb_learn(x->m, l, x->tk, &err) || nb_calib_add(x->m, l, x->tk, &err)) {
		cli_err("%s: entry for '%s': %s", x->path, r->id, err.msg);
		x->skipped++;
		return 0;
	}
	x->learned++;
	return 0;
}

/*
 * A journal's identity: the 64-bit hash of its first line (an append-only
 * file never changes it).  0 for an empty file.
 */
static int journal_identity(const char *path, uint64_t *id,
			    struct cd_error *err)
{
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	uint64_t h = 0;
	size_t n;

	*id = 0;
	if (!fp)
		return cd_error_set(err, CD_ERR_IO, 0, "cannot open '%s': %s",
				    path, strerror(errno));
	/* the first line, hashed in pieces (a line may be up to 1 MiB) */
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		char *nl = memchr(buf, '\n', n);

		h = tok_hash(buf, nl ? (size_t)(nl - buf) : n) ^ (h * 0x100000001B3ULL);
		if (nl)
			break;
	}
	fclose(fp);
	*id = h;
	return 0;
}

/*
 * Learn from a review journal, replayed by core/journal exactly as the
 * review loop reads it: undone decisions are gone, a later decision on an
 * id stands over an earlier one, a torn line is skipped with a warning.
 */
static int learn_journal(const struct cli *c, const char *path,
			 struct nb_model *m, struct tokenizer *tk, long *n,
			 long *skipped)
{
	struct journal_learn x = { m, tk, path, 0, 0, 0 };
	struct cd_error err;
	struct journal *j;
	char warning[4400];
	uint64_t id;
	size_t total;
	int rc;

	j = journal_read(path, warning, sizeof(warning), &err);
	if (!j)
		return cli_fail(access(path, F_OK) ? CD_ERR_NOINPUT : CD_ERR_DATA,
				&err);
	if (warning[0] && !c->quiet)
		cli_err("warning: %s", warning);
	/*
	 * Learning is idempotent: the model remembers this journal (by its
	 * first line, which an append-only file never changes) and how many
	 * entries it applied, and learns only the entries after those.
	 */
	total = journal_entries(j);
	if (journal_identity(path, &id, &err)) {
		journal_close(j);
		return cli_fail(CD_ERR_IO, &err);
	}
	x.from = (size_t)nb_journal_applied(m, id);
	if (total && x.from >= total) {
		journal_close(j);
		if (!c->quiet)
			cli_err("%s: already learned (all %zu entries): nothing "
				"added", path, total);
		return 0;
	}
	journal_each(j, learn_record, &x);
	journal_close(j);
	if (total && (rc = nb_journal_mark(m, id, total, &err)) != 0)
		return cli_fail(rc, &err);
	if (x.from && !c->quiet)
		cli_err("%s: entries 1-%zu were learned before; learning "
			"entries %zu-%zu", path, x.from, x.from + 1, total);
	*n += x.learned;
	*skipped += x.skipped;
	if (!c->quiet)
		fprintf(stderr, "candor: learned %ld decisions from %s\n",
			x.learned, path);
	return 0;
}

/* "no usable training examples in 'a.csv', 'b.jsonl' and journal 'J'" */
static void no_examples(char **files, int nfiles, const char *journal)
{
	char msg[1024];
	size_t len = 0;
	int i, n = nfiles + (journal != NULL);

	len += (size_t)snprintf(msg, sizeof(msg), "no usable training examples in");
	for (i = 0; i < n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s'%s'",
					i == 0 ? " " : i == n - 1 ? " and " : ", ",
					i < nfiles ? "" : "journal ",
					cli_input_name(i < nfiles ? files[i] :
						       journal));
	cli_err("%s", msg);
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
		case 'a': case 'C': case 'n': case 'B': case 'S': case 'X':
		case 'I': case 'N': case 't':
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
		m = cli_model_load(o.update, &rc);
		if (!m)
			return rc;
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
		no_examples(argv + optind, argc - optind, o.journal);
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

/*
 * cmd_eval.c - `candor eval DATA [--folds K | --test FILE] [--json]`.
 *
 * Stratified, seeded K-fold cross-validation (each label's examples are
 * shuffled with the seed and dealt round-robin into the folds), or training
 * on DATA and testing on FILE, or testing the current model on FILE when no
 * DATA is given.  Prints accuracy, macro-F1, per-class precision, recall,
 * F1 and support, and the confusion matrix.
 */
#include "cli.h"
#include "dataset.h"
#include "jsonw.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_eval[] =
"usage: candor eval [options] DATA...\n"
"       candor eval [options] DATA... --test FILE\n"
"       candor eval [options] --test FILE        (tests the current model)\n"
"\n"
"  -k, --folds K         stratified K-fold cross-validation (default 5)\n"
"      --seed N          shuffle seed (default 1)\n"
"      --test FILE       train on DATA (or use -m MODEL) and test on FILE;\n"
"                        DATA or FILE may be - for standard input\n"
"      --json            {\"accuracy\",\"macro_f1\",\"classes\",\"labels\",\"confusion\"}\n"
"      --text-col NAME, --label-col NAME   as for train\n"
"      --alpha, --complement, --counts, --no-bigrams, --no-stem,\n"
"      --no-extras, --idf, --norm, --temperature   model options, as for\n"
"                        train\n"
"  -h, --help            this help\n";

struct examples {
	size_t n, cap;
	long skipped;                   /* bad rows reported and left out */
	char **text;
	size_t *len;
	char **label;
};

static void examples_free(struct examples *e)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		free(e->text[i]);
		free(e->label[i]);
	}
	free(e->text);
	free(e->len);
	free(e->label);
	memset(e, 0, sizeof(*e));
}

static int examples_load(struct examples *e, const char *path,
			 const char *tcol, const char *lcol, int quiet)
{
	struct dataset *d;
	struct example ex;
	int code = 0, rc;

	d = dataset_open(path, tcol, lcol, 0, quiet, &code);
	if (!d)
		return code;
	while ((rc = dataset_next(d, &ex)) == 1) {
		if (e->n == e->cap) {
			size_t cap = e->cap ? e->cap * 2 : 1024;
			char **t = realloc(e->text, cap * sizeof(*t));
			size_t *l;
			char **lb;

			if (t)
				e->text = t;
			l = realloc(e->len, cap * sizeof(*l));
			if (l)
				e->len = l;
			lb = realloc(e->label, cap * sizeof(*lb));
			if (lb)
				e->label = lb;
			if (!t || !l || !lb) {
				dataset_close(d);
				cli_err("out of memory");
				return EXIT_SOFTWARE;
			}
			e->cap = cap;
		}
		e->text[e->n] = strndup(ex.text, ex.len);
		e->len[e->n] = ex.len;
		e->label[e->n] = strdup(ex.label);
		if (!e->text[e->n] || !e->label[e->n]) {
			dataset_close(d);
			cli_err("out of memory");
			return EXIT_SOFTWARE;
		}
		e->n++;
	}
	e->skipped += dataset_skipped(d);
	dataset_close(d);
	return rc > 1 ? rc : 0;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* The confusion matrix over a label set (labels of the data, sorted). */
struct tally {
	size_t K;
	char labels[NB_MAX_LABELS][NB_LABEL_MAX + 1];
	long conf[NB_MAX_LABELS][NB_MAX_LABELS];
};

static int tally_label(struct tally *t, const char *l)
{
	size_t i;

	for (i = 0; i < t->K; i++)
		if (!strcmp(t->labels[i], l))
			return (int)i;
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int tally_init(struct tally *t, const struct examples *e,
		      const struct nb_model *m)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < e->n; i++) {
		if (tally_label(t, e->label[i]) >= 0)
			continue;
		if (t->K == NB_MAX_LABELS || strlen(e->label[i]) > NB_LABEL_MAX) {
			cli_err("more than %d labels, or a label over %d bytes",
				NB_MAX_LABELS, NB_LABEL_MAX);
			return EXIT_DATA;
		}
		strcpy(t->labels[t->K++], e->label[i]);
	}
	for (i = 0; m && i < nb_nlabels(m); i++) {
		if (tally_label(t, nb_label(m, i)) >= 0 || t->K == NB_MAX_LABELS)
			continue;
		strcpy(t->labels[t->K++], nb_label(m, i));
	}
	qsort(t->labels, t->K, sizeof(t->labels[0]), cmp_str);
	return 0;
}

/* Predict examples whose fold is `fold` (or all, fold < 0) with m. */
static int predict(const struct nb_model *m, const struct examples *e,
		   const int *folds, int fold, struct tally *t,
		   struct tokenizer *tk)
{
	struct cd_error err;
	size_t i;

	for (i = 0; i < e->n; i++) {
		int best, y, p;

		if (fold >= 0 && folds[i] != fold)
			continue;
		if (tok_run(tk, e->text[i], e->len[i], &err))
			return cli_fail(CD_ERR_DATA, &err);
		best = nb_classify(m, tk, NULL, NULL);
		y = tally_label(t, e->label[i]);
		p = tally_label(t, nb_label(m, (size_t)best));
		if (y >= 0 && p >= 0)
			t->conf[y][p]++;
	}
	return 0;
}

static struct nb_model *train_on(const struct nb_params *p,
				 const struct examples *e, const int *folds,
				 int skip_fold, struct tokenizer *tk)
{
	struct cd_error err;
	struct nb_model *m = nb_new(p, &err);
	size_t i;

	if (!m)
		goto fail;
	for (i = 0; i < e->n; i++) {
		int l;

		if (folds && folds[i] == skip_fold)
			continue;
		l = nb_label_index(m, e->label[i], 1, &err);
		if (l < 0 || tok_run(tk, e->text[i], e->len[i], &err) ||
		    nb_learn(m, l, tk, &err) || nb_calib_add(m, l, tk, &err))
			goto fail;
	}
	if (nb_finalize(m, &err))
		goto fail;
	return m;
fail:
	cli_err("%s", err.msg);
	nb_free(m);
	return NULL;
}

struct scores {
	double p[NB_MAX_LABELS], r[NB_MAX_LABELS], f[NB_MAX_LABELS];
	long support[NB_MAX_LABELS];
	double accuracy, macro_f1;
	long total;
};

static void compute(const struct tally *t, struct scores *s)
{
	size_t i, j, present = 0;
	long correct = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < t->K; i++) {
		long tp = t->conf[i][i], row = 0, col = 0;

		for (j = 0; j < t->K; j++) {
			row += t->conf[i][j];
			col += t->conf[j][i];
		}
		s->support[i] = row;
		s->total += row;
		correct += tp;
		s->p[i] = col ? (double)tp / (double)col : 0;
		s->r[i] = row ? (double)tp / (double)row : 0;
		s->f[i] = s->p[i] + s->r[i] > 0 ?
			  2 * s->p[i] * s->r[i] / (s->p[i] + s->r[i]) : 0;
		if (row) {
			s->macro_f1 += s->f[i];
			present++;
		}
	}
	s->accuracy = s->total ? (double)correct / (double)s->total : 0;
	s->macro_f1 = present ? s->macro_f1 / (double)present : 0;
}

static void print_table(const struct tally *t, const struct scores *s,
			const char *how)
{
	size_t i, j;

	printf("accuracy %.4f  macro-F1 %.4f  (%s, %ld examples)\n\n",
	       s->accuracy, s->macro_f1, how, s->total);
	printf("%-20s %9s %9s %9s %9s\n", "label", "precision", "recall", "f1",
	       "support");
	for (i = 0; i < t->K; i++)
		printf("%-20s %9.4f %9.4f %9.4f %9ld\n", t->labels[i], s->p[i],
		       s->r[i], s->f[i], s->support[i]);
	printf("\nconfusion matrix (rows: true label, columns: predicted)\n%-20s",
	       "");
	for (j = 0; j < t->K; j++)
		printf(" %6.6s", t->labels[j]);
	putchar('\n');
	for (i = 0; i < t->K; i++) {
		printf("%-20s", t->labels[i]);
		for (j = 0; j < t->K; j++)
			printf(" %6ld", t->conf[i][j]);
		putchar('\n');
	}
}

static void print_json(const struct tally *t, const struct scores *s)
{
	struct cd_buf b;
	size_t i, j;

	cd_buf_init(&b, 1u << 24);
	cd_buf_addstr(&b, "{\"accuracy\":");
	jsonw_num(&b, s->accuracy, 6);
	cd_buf_addstr(&b, ",\"macro_f1\":");
	jsonw_num(&b, s->macro_f1, 6);
	cd_buf_addstr(&b, ",\"classes\":{");
	for (i = 0; i < t->K; i++) {
		jsonw_key(&b, t->labels[i], i == 0);
		cd_buf_addstr(&b, "{\"precision\":");
		jsonw_num(&b, s->p[i], 6);
		cd_buf_addstr(&b, ",\"recall\":");
		jsonw_num(&b, s->r[i], 6);
		cd_buf_addstr(&b, ",\"f1\":");
		jsonw_num(&b, s->f[i], 6);
		cd_buf_addf(&b, ",\"support\":%ld}", s->support[i]);
	}
	cd_buf_addstr(&b, "},\"labels\":[");
	for (i = 0; i < t->K; i++) {
		if (i)
			cd_buf_addch(&b, ',');
		jsonw_str(&b, t->labels[i], strlen(t->labels[i]));
	}
	cd_buf_addstr(&b, "],\"confusion\":[");
	for (i = 0; i < t->K; i++) {
		cd_buf_addstr(&b, i ? ",[" : "[");
		for (j = 0; j < t->K; j++)
			cd_buf_addf(&b, j ? ",%ld" : "%ld", t->conf[i][j]);
		cd_buf_addch(&b, ']');
	}
	cd_buf_addstr(&b, "]}\n");
	cli_write(b.data, b.len);
	cd_buf_release(&b);
}

int cmd_eval(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "folds", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "text-col", required_argument, NULL, 'T' },
		{ "label-col", required_argument, NULL, 'L' },
		CLI_NB_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nb_params p;
	struct examples train, test;
	struct tally t;
	struct scores s;
	struct tokenizer *tk = NULL;
	struct tok_params tp;
	struct cd_error err;
	const char *test_path = NULL, *tcol = NULL, *lcol = NULL;
	char how[8300];
	long folds = 5;
	uint64_t seed = 1;
	int json = 0, opt, i, rc = 0, *fold = NULL;
	char *end;

	memset(&train, 0, sizeof(train));
	memset(&test, 0, sizeof(test));
	nb_params_default(&p);
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hk:", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			folds = strtol(optarg, &end, 10);
			if (*end || folds < 2 || folds > 100)
				return cli_usage_error("eval", "--folds must be 2 to 100");
			break;
		case 'r':
			seed = strtoull(optarg, &end, 10);
			if (*end)
				return cli_usage_error("eval", "--seed must be a number");
			break;
		case 'x': test_path = optarg; break;
		case 'j': json = 1; break;
		case 'T': tcol = optarg; break;
		case 'L': lcol = optarg; break;
		case 'a': case 'C': case 'n': case 'B': case 'S': case 'X':
		case 'I': case 'N': case 't':
			if (cli_nb_option(opt, optarg, &p, "eval"))
				return EXIT_USAGE;
			break;
		case 'h': fputs(usage_eval, stdout); return EXIT_OK;
		default: return cli_usage_error("eval", "unknown option");
		}
	}
	if (optind == argc && !test_path)
		return cli_usage_error("eval", "give DATA, or --test FILE");
	for (i = optind; i < argc; i++)
		if ((rc = examples_load(&train, argv[i], tcol, lcol, c->quiet)) != 0)
			goto out;
	if (test_path &&
	    (rc = examples_load(&test, test_path, tcol, lcol, c->quiet)) != 0)
		goto out;
	if ((optind < argc && train.n == 0) || (test_path && test.n == 0)) {
		cli_err("no usable examples in '%s'", train.n == 0 && optind < argc ?
			argv[optind] : test_path);
		rc = EXIT_DATA;
		goto out;
	}
	if (test_path && optind == argc) {
		/* test the current model */
		if ((rc = cli_load_model(c)) != 0)
			goto out;
		nb_tok_params(c->model, &tp);
		if (!(tk = tok_new(&tp, &err)) ||
		    config_tok_names(&c->cfg, tk, &err)) {
			tok_free(tk);
			tk = NULL;
			rc = cli_fail(CD_ERR_NOMEM, &err);
			goto out;
		}
		if ((rc = tally_init(&t, &test, c->model)) == 0)
			rc = predict(c->model, &test, NULL, -1, &t, tk);
		snprintf(how, sizeof(how), "model %s on %s", c->model_file,
			 cli_input_name(test_path));
	} else {
		tp.bigrams = p.bigrams;
		tp.stem = p.stem;
		tp.extras = p.extras;
		tp.max_tokens = 0;
		if (!(tk = tok_new(&tp, &err))) {
			rc = cli_fail(CD_ERR_NOMEM, &err);
			goto out;
		}
		if ((rc = tally_init(&t, test_path ? &test : &train, NULL)) != 0)
			goto out;
		if (test_path) {
			struct nb_model *m = train_on(&p, &train, NULL, -1, tk);

			rc = m ? predict(m, &test, NULL, -1, &t, tk) : EXIT_DATA;
			nb_free(m);
			snprintf(how, sizeof(how), "trained on %s%s, tested on %s",
				 cli_input_name(argv[optind]),
				 argc - optind > 1 ? " and more" : "",
				 cli_input_name(test_path));
		} else {
			size_t j, l;
			long f;

			fold = malloc(train.n * sizeof(*fold));
			if (!fold) {
				rc = EXIT_SOFTWARE;
				goto out;
			}
			/* stratified: deal each label's shuffled examples */
			for (l = 0; l < t.K; l++) {
				size_t cnt = 0, *idx = malloc(train.n * sizeof(*idx));
				uint64_t st = seed * 0x9E3779B97F4A7C15ULL + l;

				if (!idx) {
					rc = EXIT_SOFTWARE;
					goto out;
				}
				for (j = 0; j < train.n; j++)
					if (!strcmp(train.label[j], t.labels[l]))
						idx[cnt++] = j;
				for (j = cnt; j > 1; j--) {
					size_t r = splitmix(&st) % j, tmp = idx[j - 1];

					idx[j - 1] = idx[r];
					idx[r] = tmp;
				}
				for (j = 0; j < cnt; j++)
					fold[idx[j]] = (int)(j % (size_t)folds);
				free(idx);
			}
			for (f = 0; f < folds && !rc; f++) {
				struct nb_model *m = train_on(&p, &train, fold, (int)f,
							      tk);

				rc = m ? predict(m, &train, fold, (int)f, &t, tk) :
					 EXIT_DATA;
				nb_free(m);
			}
			snprintf(how, sizeof(how), "%ld-fold stratified, seed %llu",
				 folds, (unsigned long long)seed);
		}
	}
	if (rc)
		goto out;
	compute(&t, &s);
	if (json)
		print_json(&t, &s);
	else
		print_table(&t, &s, how);
	if (train.skipped || test.skipped)
		rc = EXIT_DATA;         /* reported on stderr, left out */
out:
	free(fold);
	tok_free(tk);
	examples_free(&train);
	examples_free(&test);
	return rc;
}

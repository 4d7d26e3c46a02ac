/*
 * tone_cv.c - k-fold cross-validation of the tone check's learned layer.
 *
 * usage: tone_cv CONFIG_TONE_DIR [--folds K] [--repeats R] [--seed S]
 *                [--alpha A,...]
 *                [--bigrams B,...] [--min-count N,...] [--threshold T,...]
 *                [--ok-floor P] [--misses]
 *
 * Reads CONFIG_TONE_DIR/en/replies.tsv and ru/replies.tsv (the corpora the
 * learned layer trains on), splits each language's examples into K folds
 * stratified by label (seeded shuffle; with --repeats R, R times with new
 * shuffles, the counts summed), and for every fold trains the
 * checker on the other K-1 folds (the lists of CONFIG_TONE_DIR plus a
 * replies.tsv of the training folds, in a temporary directory) and checks
 * the held-out examples with the whole checker, lists + model, as `candor
 * tone` would: no category, no comment, no length limit, [brand]
 * competitors FizzCo and ФиззКо as in the shipped candor.ini.
 *
 * A bad example counts as caught when the check has any finding, an ok
 * example as passed when it has none.  Printed per setting and language:
 * recall on bad examples, the part of them caught by the right rule, and
 * the pass rate on ok examples; first for the lists alone, then for every
 * combination of the settings given (defaults: the shipped ones).  The
 * best setting is the one with the highest mean recall of the two
 * languages among those that pass at least P % (--ok-floor, default 95.5)
 * of the ok examples in each: false alarms on every draft make reviewers
 * ignore the checker, so the pass rate is a floor, recall what is bought
 * above it.  With --misses, the held-out examples the best setting gets
 * wrong go to stderr.  Every example is held out exactly once per setting
 * and repeat, so the figures are over the whole corpus.  Not a test: it
 * prints numbers to choose the settings with (docs/tone.md, "The learned
 * layer").
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "tokenize.h"
#include "tone.h"

#define CV_LINE_MAX 4096
#define CV_MAX_VALUES 32        /* values of one setting */
#define CV_MAX_FOLDS 50
#define NLABELS 7

static const char *const labels[NLABELS] = {
	"ok", "blame", "defensive", "dismissive", "insult",
	"absolute_promise", "competitor"
};
static const char *const langs[2] = { "en", "ru" };

struct example {
	int label;              /* index in labels[] */
	int fold;
	char *line;             /* the whole "LABEL\tREPLY" line */
	char *reply;            /* points into line */
};

struct corpus {
	struct example *ex;
	size_t n, cap;
};

/* The counts of one setting in one language. */
struct tally {
	size_t bad, caught, right, ok, passed;
	size_t by_label[NLABELS], caught_label[NLABELS];
};

static char tmpdir[256];

static int label_index(const char *s)
{
	int i;

	for (i = 0; i < NLABELS; i++)
		if (!strcmp(labels[i], s))
			return i;
	return -1;
}

static int read_corpus(const char *path, struct corpus *c)
{
	FILE *fp = fopen(path, "r");
	char line[CV_LINE_MAX];
	long lineno = 0;

	if (!fp) {
		fprintf(stderr, "tone_cv: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);
		char *tab, *s = line;
		struct example *e;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		tab = strchr(s, '\t');
		if (!tab) {
			fprintf(stderr, "tone_cv: %s:%ld: no tab\n", path, lineno);
			fclose(fp);
			return -1;
		}
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 1024;
			struct example *ex = realloc(c->ex, cap * sizeof(*ex));

			if (!ex) {
				fclose(fp);
				return -1;
			}
			c->ex = ex;
			c->cap = cap;
		}
		e = &c->ex[c->n];
		e->line = strdup(s);
		if (!e->line) {
			fclose(fp);
			return -1;
		}
		tab = e->line + (tab - s);
		*tab = '\0';
		e->label = label_index(e->line);
		*tab = '\t';
		e->reply = tab + 1;
		while (*e->reply == ' ' || *e->reply == '\t')
			e->reply++;
		if (e->label < 0) {
			fprintf(stderr, "tone_cv: %s:%ld: unknown label\n", path,
				lineno);
			free(e->line);
			fclose(fp);
			return -1;
		}
		c->n++;
	}
	fclose(fp);
	return 0;
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Folds stratified by label: each label's examples, shuffled, dealt out. */
static void assign_folds(struct corpus *c, int k)
{
	size_t *idx = malloc((c->n ? c->n : 1) * sizeof(*idx));
	size_t i, m;
	int l, next = 0;

	if (!idx)
		exit(1);
	for (l = 0; l < NLABELS; l++) {
		for (m = 0, i = 0; i < c->n; i++)
			if (c->ex[i].label == l)
				idx[m++] = i;
		for (i = m; i > 1; i--) {
			size_t j = (size_t)(rng() % i), t = idx[i - 1];

			idx[i - 1] = idx[j];
			idx[j] = t;
		}
		for (i = 0; i < m; i++) {
			c->ex[idx[i]].fold = next;
			next = (next + 1) % k;
		}
	}
	free(idx);
}

/* path into out, made absolute with the working directory if it is not. */
static int absolute(const char *path, char *out, size_t cap)
{
	char cwd[2048];
	int n;

	if (path[0] == '/')
		n = snprintf(out, cap, "%s", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(out, cap, "%s/%s", cwd, path);
	else
		return -1;
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Link every list (*.txt) of src/<lang> into tmpdir/<lang>. */
static int link_lists(const char *src, const char *lang)
{
	char from[8192], to[8192], abs_src[4096];
	DIR *d;
	struct dirent *de;

	if (absolute(src, abs_src, sizeof(abs_src)))
		return -1;
	snprintf(to, sizeof(to), "%s/%s", tmpdir, lang);
	if (mkdir(to, 0700))
		return -1;
	snprintf(from, sizeof(from), "%s/%s", abs_src, lang);
	d = opendir(from);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".txt"))
			continue;
		snprintf(from, sizeof(from), "%s/%s/%s", abs_src, lang,
			 de->d_name);
		snprintf(to, sizeof(to), "%s/%s/%s", tmpdir, lang, de->d_name);
		if (symlink(from, to)) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

static void remove_tmp(void)
{
	char path[8192];
	DIR *d;
	struct dirent *de;
	int l;

	if (!tmpdir[0])
		return;
	for (l = 0; l < 2; l++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, langs[l]);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", tmpdir, langs[l],
				 de->d_name);
			unlink(path);
		}
		closedir(d);
		snprintf(path, sizeof(path), "%s/%s", tmpdir, langs[l]);
		rmdir(path);
	}
	rmdir(tmpdir);
}

/* Write the folds but `fold` of c as tmpdir/<lang>/replies.tsv. */
static int write_train(const struct corpus *c, const char *lang, int fold)
{
	char path[4096];
	FILE *fp;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s/replies.tsv", tmpdir, lang);
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	for (i = 0; i < c->n; i++)
		if (c->ex[i].fold != fold)
			fprintf(fp, "%s\n", c->ex[i].line);
	return fclose(fp);
}

/* Parse "a,b,c" into v; returns the count. */
static size_t parse_list(const char *s, double *v)
{
	size_t n = 0;
	char *end;

	while (*s && n < CV_MAX_VALUES) {
		v[n++] = strtod(s, &end);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

struct setting {
	struct tone_params p;
	struct tally t[2];
};

/* Check the held-out fold of both languages with rules r into s->t. */
static void check_fold(struct tone_rules *r, struct tokenizer *tk,
		       struct corpus *c, int fold, struct setting *s,
		       int misses)
{
	struct tone_ctx ctx;
	struct tone_result res;
	struct cd_error err;
	size_t i, f;
	int l;

	for (l = 0; l < 2; l++)
		for (i = 0; i < c[l].n; i++) {
			const struct example *e = &c[l].ex[i];
			struct tally *t = &s->t[l];
			size_t right = 0;

			if (e->fold != fold)
				continue;
			memset(&ctx, 0, sizeof(ctx));
			ctx.lang = langs[l];
			ctx.max_chars = 1000000;
			if (tone_check(r, tk, e->reply, strlen(e->reply), &ctx,
				       &res, &err)) {
				fprintf(stderr, "tone_cv: %s\n", err.msg);
				exit(1);
			}
			for (f = 0; f < res.n; f++)
				right |= (size_t)!strcmp(res.f[f].rule,
							 labels[e->label]);
			if (e->label == 0) {
				t->ok++;
				t->passed += res.n == 0;
			} else {
				t->bad++;
				t->caught += res.n > 0;
				t->right += right;
				t->caught_label[e->label] += res.n > 0;
			}
			t->by_label[e->label]++;
			if (misses && (e->label == 0) != (res.n == 0)) {
				fprintf(stderr, "%s\t%s\t", langs[l],
					labels[e->label]);
				for (f = 0; f < res.n; f++)
					fprintf(stderr, "%s%s", f ? "," : "",
						res.f[f].rule);
				fprintf(stderr, "%s\t%s\n", res.n ? "" : "-",
					e->reply);
			}
		}
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static void print_setting(const struct setting *s, int lists_only)
{
	int l;

	if (lists_only)
		printf("%-30s", "lists alone");
	else
		printf("alpha=%-4g bi=%d min=%u thr=%-4g", s->p.alpha,
		       s->p.bigrams, s->p.min_count, s->p.threshold);
	for (l = 0; l < 2; l++) {
		const struct tally *t = &s->t[l];

		printf("  %s bad %5.1f%% (rule %5.1f%%) ok %5.1f%%", langs[l],
		       pct(t->caught, t->bad), pct(t->right, t->bad),
		       pct(t->passed, t->ok));
	}
	printf("\n");
}

static void print_labels(const struct setting *s)
{
	int l, k;

	for (l = 0; l < 2; l++) {
		printf("  %s:", langs[l]);
		for (k = 1; k < NLABELS; k++)
			printf(" %s %.1f%% (%zu)", labels[k],
			       pct(s->t[l].caught_label[k], s->t[l].by_label[k]),
			       s->t[l].by_label[k]);
		printf("\n");
	}
}

/* The same folds, training and checks once more, printing the errors. */
static int show_misses(struct corpus *c, int folds, struct setting *s,
		       struct tokenizer *tk)
{
	static const char *const comps[] = { "FizzCo", "ФиззКо" };
	struct cd_error err;
	int fold, l;

	memset(s->t, 0, sizeof(s->t));
	for (fold = 0; fold < folds; fold++) {
		struct tone_rules *r;

		for (l = 0; l < 2; l++)
			if (write_train(&c[l], langs[l], fold))
				return -1;
		r = tone_rules_load_params(tmpdir, &s->p, &err);
		if (!r || tone_rules_add_competitors(r, comps, 2, &err)) {
			fprintf(stderr, "tone_cv: %s\n", err.msg);
			tone_rules_free(r);
			return -1;
		}
		check_fold(r, tk, c, fold, s, 1);
		tone_rules_free(r);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const comps[] = { "FizzCo", "ФиззКо" };
	double alphas[CV_MAX_VALUES], bis[CV_MAX_VALUES], thrs[CV_MAX_VALUES];
	double mcs[CV_MAX_VALUES];
	size_t na = 0, nbi = 0, nt = 0, nmc = 0, ns, i, a, bi, t, mc;
	struct corpus c[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	struct tone_params def;
	struct setting *set, lists;
	struct tok_params tp;
	struct tokenizer *tk;
	struct cd_error err;
	char path[4096];
	int folds = 10, repeats = 1, rpt, fold, l, misses = 0, arg;
	size_t best = SIZE_MAX;
	double floor_ok = 95.5, best_recall = -1;

	if (argc < 2) {
		fprintf(stderr, "usage: tone_cv CONFIG_TONE_DIR [--folds K] "
			"[--repeats R] [--seed S] [--alpha A,...] [--bigrams B,...] "
			"[--min-count N,...] [--threshold T,...] [--ok-floor P] "
			"[--misses]\n");
		return 2;
	}
	tone_params_default(&def);
	rng_state = 42;
	for (arg = 2; arg < argc; arg++) {
		const char *v = arg + 1 < argc ? argv[arg + 1] : "";

		if (!strcmp(argv[arg], "--folds")) {
			folds = atoi(v);
			arg++;
		} else if (!strcmp(argv[arg], "--repeats")) {
			repeats = atoi(v);
			arg++;
		} else if (!strcmp(argv[arg], "--seed")) {
			rng_state = strtoull(v, NULL, 10);
			arg++;
		} else if (!strcmp(argv[arg], "--alpha")) {
			na = parse_list(v, alphas);
			arg++;
		} else if (!strcmp(argv[arg], "--bigrams")) {
			nbi = parse_list(v, bis);
			arg++;
		} else if (!strcmp(argv[arg], "--min-count")) {
			nmc = parse_list(v, mcs);
			arg++;
		} else if (!strcmp(argv[arg], "--threshold")) {
			nt = parse_list(v, thrs);
			arg++;
		} else if (!strcmp(argv[arg], "--ok-floor")) {
			floor_ok = strtod(v, NULL);
			arg++;
		} else if (!strcmp(argv[arg], "--misses")) {
			misses = 1;
		} else {
			fprintf(stderr, "tone_cv: unknown option '%s'\n", argv[arg]);
			return 2;
		}
	}
	if (folds < 2 || folds > CV_MAX_FOLDS || repeats < 1 || repeats > 100) {
		fprintf(stderr, "tone_cv: --folds must be 2..%d, --repeats "
			"1..100\n", CV_MAX_FOLDS);
		return 2;
	}
	if (!na)
		alphas[na++] = def.alpha;
	if (!nbi)
		bis[nbi++] = def.bigrams;
	if (!nt)
		thrs[nt++] = def.threshold;
	if (!nmc)
		mcs[nmc++] = def.min_count;
	ns = na * nbi * nmc * nt;
	set = calloc(ns, sizeof(*set));
	if (!set)
		return 1;
	for (i = 0, a = 0; a < na; a++)
		for (bi = 0; bi < nbi; bi++)
			for (mc = 0; mc < nmc; mc++)
				for (t = 0; t < nt; t++, i++) {
					struct tone_params *q = &set[i].p;

					*q = def;
					q->alpha = alphas[a];
					q->bigrams = bis[bi] != 0;
					q->min_count = (unsigned)mcs[mc];
					q->threshold = thrs[t];
				}
	memset(&lists, 0, sizeof(lists));
	lists.p = def;
	lists.p.learned = 0;

	for (l = 0; l < 2; l++) {
		snprintf(path, sizeof(path), "%s/%s/replies.tsv", argv[1], langs[l]);
		if (read_corpus(path, &c[l]))
			return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "%s/tone_cv.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "tone_cv: cannot make a temporary directory\n");
		return 1;
	}
	atexit(remove_tmp);
	for (l = 0; l < 2; l++)
		if (link_lists(argv[1], langs[l])) {
			fprintf(stderr, "tone_cv: cannot link the lists\n");
			return 1;
		}
	tok_params_words(&tp);
	tk = tok_new(&tp, &err);
	if (!tk)
		return 1;

	for (rpt = 0; rpt < repeats; rpt++)
	for (fold = 0; fold < folds; fold++) {
		struct tone_rules *r;

		if (fold == 0)
			for (l = 0; l < 2; l++)
				assign_folds(&c[l], folds);
		for (l = 0; l < 2; l++)
			if (write_train(&c[l], langs[l], fold))
				return 1;
		for (i = 0; i <= ns; i++) {
			struct setting *s = i < ns ? &set[i] : &lists;

			r = tone_rules_load_params(tmpdir, &s->p, &err);
			if (!r || tone_rules_add_competitors(r, comps, 2, &err)) {
				fprintf(stderr, "tone_cv: %s\n", err.msg);
				return 1;
			}
			check_fold(r, tk, c, fold, s, 0);
			tone_rules_free(r);
		}
	}
	printf("%d-fold cross-validation x %d, en %zu examples, ru %zu "
	       "examples\n", folds, repeats, c[0].n, c[1].n);
	print_setting(&lists, 1);
	print_labels(&lists);
	for (i = 0; i < ns; i++) {
		/*
		 * The choice: the best mean recall among the settings that
		 * pass at least floor_ok % of the ok examples in each language.
		 */
		double recall = 0;
		int ok = 1;

		for (l = 0; l < 2; l++) {
			recall += pct(set[i].t[l].caught, set[i].t[l].bad) / 2;
			ok &= pct(set[i].t[l].passed, set[i].t[l].ok) >= floor_ok;
		}
		if (ok && recall > best_recall) {
			best_recall = recall;
			best = i;
		}
		print_setting(&set[i], 0);
	}
	if (best == SIZE_MAX) {
		printf("no setting passes %g%% of the ok examples in both "
		       "languages\n", floor_ok);
	} else {
		printf("best: the highest mean recall passing >= %g%% of ok in "
		       "both languages:\n", floor_ok);
		print_setting(&set[best], 0);
		print_labels(&set[best]);
		if (misses && show_misses(c, folds, &set[best], tk))
			return 1;
	}
	tok_free(tk);
	for (l = 0; l < 2; l++) {
		for (i = 0; i < c[l].n; i++)
			free(c[l].ex[i].line);
		free(c[l].ex);
	}
	free(set);
	return 0;
}

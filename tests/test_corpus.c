/*
 * test_corpus.c - the shipped training corpus keeps its promises:
 * every category of SPEC section 2 in English and in Russian with at least
 * 300 comments each, well-formed rows, and no near-duplicates (two
 * comments of 3+ words whose word sets overlap by Jaccard >= 0.8, or two
 * identical comments).
 *
 * usage: test_corpus CORPUS.csv...
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "tokenize.h"

#define MAX_DOCS 20000
#define MAX_WORDS 96

static const char *const categories[] = {
	"complaint", "fake_news", "competitor_attack", "question", "toxic",
	"spam", "other"
};
#define NCAT (sizeof(categories) / sizeof(categories[0]))

struct doc {
	uint64_t words[MAX_WORDS];      /* sorted, distinct word hashes */
	size_t n;
	uint64_t text_hash;             /* of the whole text, for wordless ones */
	int cat, ru;
	char where[96];
};

static struct doc *docs;
static size_t ndocs;
static int nfiles;
static char **files;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lowercased words (unstemmed, no bigrams) of text as sorted hashes. */
static size_t words_of(struct tokenizer *tk, const char *text, size_t len,
		       uint64_t *out)
{
	const struct tok *k;
	size_t i, n = 0, o = 0;

	if (tok_run(tk, text, len, NULL))
		return 0;
	k = tok_list(tk);
	for (i = 0; i < tok_count(tk) && n < MAX_WORDS; i++)
		if (k[i].kind == TOK_WORD || k[i].kind == TOK_NUM)
			out[n++] = k[i].hash;
	qsort(out, n, sizeof(*out), cmp_u64);
	for (i = 0; i < n; i++)
		if (!o || out[o - 1] != out[i])
			out[o++] = out[i];
	return o;
}

static void load(void **state)
{
	struct tok_params tp;
	struct tokenizer *tk;
	int f;

	(void)state;
	tok_params_default(&tp);
	tp.bigrams = 0;
	tp.stem = 0;
	tk = tok_new(&tp, NULL);
	docs = calloc(MAX_DOCS, sizeof(*docs));
	assert_non_null(tk);
	assert_non_null(docs);
	for (f = 0; f < nfiles; f++) {
		FILE *fp = fopen(files[f], "rb");
		struct cd_error err;
		struct csv_reader *r;
		struct csv_row *row;
		long ti, li, gi;
		int rc;

		assert_non_null(fp);
		r = csvr_new(fp, files[f], NULL, &err);
		assert_non_null(r);
		assert_int_equal(csvr_header(r, &err), 0);
		ti = csvr_column(r, "text");
		li = csvr_column(r, "label");
		gi = csvr_column(r, "lang");
		assert_true(ti >= 0 && li >= 0 && gi >= 0);
		while ((rc = csvr_next(r, &row, &err)) != 0) {
			struct doc *d = &docs[ndocs];
			const char *label, *lang, *text;
			size_t len, c;

			if (rc < 0)
				fail_msg("%s", err.msg);
			assert_true(ndocs < MAX_DOCS);
			text = csvr_field(row, (size_t)ti, &len);
			label = csvr_field(row, (size_t)li, NULL);
			lang = csvr_field(row, (size_t)gi, NULL);
			assert_true(len > 0);
			assert_int_equal(tok_utf8_check(text, len, NULL), 0);
			d->cat = -1;
			for (c = 0; c < NCAT; c++)
				if (!strcmp(label, categories[c]))
					d->cat = (int)c;
			if (d->cat < 0)
				fail_msg("%s:%ld: unknown label '%s'", files[f],
					 csvr_row_line(row), label);
			if (strcmp(lang, "en") && strcmp(lang, "ru"))
				fail_msg("%s:%ld: lang '%s'", files[f],
					 csvr_row_line(row), lang);
			d->ru = !strcmp(lang, "ru");
			d->n = words_of(tk, text, len, d->words);
			d->text_hash = tok_hash(text, len);
			snprintf(d->where, sizeof(d->where), "%s:%ld",
				 strrchr(files[f], '/') ? strrchr(files[f], '/') + 1 :
				 files[f], csvr_row_line(row));
			ndocs++;
		}
		csvr_free(r);
		fclose(fp);
	}
	tok_free(tk);
}

static void test_every_category_in_both_languages(void **state)
{
	size_t count[NCAT][2], i, c;

	(void)state;
	memset(count, 0, sizeof(count));
	for (i = 0; i < ndocs; i++)
		count[docs[i].cat][docs[i].ru]++;
	for (c = 0; c < NCAT; c++) {
		if (count[c][0] < 300 || count[c][1] < 300)
			fail_msg("%s: %zu en, %zu ru (need 300 each)",
				 categories[c], count[c][0], count[c][1]);
	}
}

static double jaccard(const struct doc *a, const struct doc *b)
{
	size_t i = 0, j = 0, both = 0;

	while (i < a->n && j < b->n) {
		if (a->words[i] == b->words[j]) {
			both++;
			i++;
			j++;
		} else if (a->words[i] < b->words[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(a->n + b->n - both);
}

static void test_no_near_duplicates(void **state)
{
	size_t i, j, found = 0;

	(void)state;
	for (i = 0; i < ndocs; i++) {
		/*
		 * Short comments too: with one or two words a Jaccard index
		 * of 0.8 means the same words, and four copies of "ok" in the
		 * corpus weigh four times.
		 */
		for (j = i + 1; j < ndocs; j++) {
			/* no words at all (emoji only): the same text */
			if (docs[i].n == 0 || docs[j].n == 0) {
				if (docs[i].n == docs[j].n &&
				    docs[i].text_hash == docs[j].text_hash &&
				    found++ < 40)
					fprintf(stderr, "duplicates: %s and %s\n",
						docs[i].where, docs[j].where);
				continue;
			}
			/* |A∩B| <= min, so J >= 0.8 needs close sizes */
			if (docs[i].n * 5 < docs[j].n * 4 ||
			    docs[j].n * 5 < docs[i].n * 4)
				continue;
			if (jaccard(&docs[i], &docs[j]) >= 0.8) {
				if (found++ < 40)
					fprintf(stderr, "near-duplicates: %s and %s\n",
						docs[i].where, docs[j].where);
			}
		}
	}
	assert_int_equal(found, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_category_in_both_languages),
		cmocka_unit_test(test_no_near_duplicates),
	};

	nfiles = argc - 1;
	files = argv + 1;
	load(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

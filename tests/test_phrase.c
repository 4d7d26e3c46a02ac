/*
 * test_phrase.c - tests for core/phrase.c, the one phrase matcher (tone
 * lists, facts' keywords, comment flags, template topics), and the text
 * helpers of core/text.c it stands on.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "phrase.h"
#include "text.h"
#include "tokenize.h"

static struct tokenizer *stems(void)
{
	struct tok_params p;
	struct cd_error err;

	tok_params_words(&p);
	return tok_new(&p, &err);
}

static struct tokenizer *plain(void)
{
	struct tok_params p;
	struct cd_error err;

	tok_params_words(&p);
	p.stem = 0;
	return tok_new(&p, &err);
}

/* Write text to a temporary list file; its path in path[64]. */
static void list_file(char *path, const char *text)
{
	FILE *fp;
	int fd;

	strcpy(path, "/tmp/test_phrase-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Match text against s; the matches' "group:from-to" (byte spans) in out. */
static size_t run(const struct phrase_set *s, struct tokenizer *tk,
		  const char *text, char *out, size_t size)
{
	struct phrase_word w[64];
	struct phrase_match m[32];
	struct cd_error err;
	size_t n, nm, i, o = 0;

	assert_int_equal(tok_run(tk, text, strlen(text), &err), 0);
	n = phrase_words(tk, text, strlen(text), w, 64);
	nm = phrase_match(s, w, n, m, 32, NULL, NULL, NULL);
	out[0] = '\0';
	for (i = 0; i < nm; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%u:%u-%u",
				      i ? " " : "", m[i].group,
				      w[m[i].from].bs, w[m[i].to - 1].be);
	return nm;
}

static void test_load_and_match(void **state)
{
	struct tokenizer *tk = stems();
	struct phrase_set *s = phrase_set_new(0);
	struct cd_error err;
	char path[64], got[256];
	int found = 0;

	(void)state;
	list_file(path, "# legal threats\n\n  sue you  \nlawyer\n^see you$\n"
		  "!no lawyer\n");
	assert_int_equal(phrase_set_load(s, tk, NULL, path, 7, &found, &err), 0);
	assert_int_equal(found, 1);
	assert_int_equal(phrase_set_build(s, &err), 0);
	assert_int_equal(phrase_set_count(s), 4);

	/* stemmed and case-folded: "Suing You" is "sue you" */
	assert_int_equal(run(s, tk, "We will SUE you, ok", got, sizeof(got)), 1);
	assert_string_equal(got, "7:8-15");
	/* never across a sentence end */
	assert_int_equal(run(s, tk, "I will sue. You know", got, sizeof(got)), 0);
	/* the exception covers its group's match */
	assert_int_equal(run(s, tk, "no lawyer needed", got, sizeof(got)), 0);
	assert_int_equal(run(s, tk, "my lawyers know", got, sizeof(got)), 1);
	assert_string_equal(got, "7:3-10");
	/* anchors: a whole sentence */
	assert_int_equal(run(s, tk, "Ok. See you!", got, sizeof(got)), 1);
	assert_int_equal(run(s, tk, "see you soon", got, sizeof(got)), 0);
	/* which line matched */
	{
		struct phrase_word w[16];
		struct phrase_match m[4];
		const char *t = "call my lawyer";

		assert_int_equal(tok_run(tk, t, strlen(t), &err), 0);
		assert_int_equal(phrase_match(s, w, phrase_words(tk, t, strlen(t),
								 w, 16),
					      m, 4, NULL, NULL, NULL), 1);
		assert_string_equal(phrase_text(s, m[0].phrase), "lawyer");
		assert_int_equal(phrase_line(s, m[0].phrase), 4);
		assert_int_equal(phrase_group(s, m[0].phrase), 7);
	}
	unlink(path);
	phrase_set_free(s);
	tok_free(tk);
}

static void test_load_errors(void **state)
{
	static const struct {
		const char *text, *msg;
		long line;
	} bad[] = {
		{ "ok\n\xff\xfe\n", "line 2: invalid utf-8 at byte 1", 2 },
		{ "ok\n...\n", "line 2: no words in '...'", 2 },
		{ "a b c d e f g h i\n", "line 1: more than 8 words", 1 },
	};
	struct tokenizer *tk = stems();
	struct cd_error err;
	char path[64], longline[300];
	size_t i;
	int found = 0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct phrase_set *s = phrase_set_new(0);

		list_file(path, bad[i].text);
		assert_int_not_equal(phrase_set_load(s, tk, NULL, path, 0, &found,
						     &err), 0);
		assert_non_null(strstr(err.msg, path));
		assert_non_null(strstr(err.msg, bad[i].msg));
		assert_int_equal(err.line, bad[i].line);
		unlink(path);
		phrase_set_free(s);
	}
	memset(longline, 'a', 250);
	strcpy(longline + 250, "\n");
	{
		struct phrase_set *s = phrase_set_new(0);

		list_file(path, longline);
		assert_int_equal(phrase_set_load(s, tk, NULL, path, 0, &found,
						 &err), CD_ERR_CONFIG);
		assert_non_null(strstr(err.msg, "line 1: longer than 200 bytes"));
		unlink(path);
		phrase_set_free(s);
	}
	/* a missing file is no error and not found */
	{
		struct phrase_set *s = phrase_set_new(0);

		found = 0;
		assert_int_equal(phrase_set_load(s, tk, NULL, "/nonexistent/x.txt",
						 0, &found, &err), 0);
		assert_int_equal(found, 0);
		phrase_set_free(s);
	}
	tok_free(tk);
}

/* Keywords: as written (no marks), across sentences, stems or words. */
static void test_keywords(void **state)
{
	struct tokenizer *tk = stems(), *pl = plain();
	struct phrase_set *s = phrase_set_new(PHRASE_KEYWORDS);
	struct cd_error err;
	size_t a, b;
	uint32_t id, id2;
	const char *t;

	(void)state;
	assert_int_equal(phrase_set_add(s, tk, pl, "pulled from shelves", 0,
					"facts.ini", 3, &id, &err), 0);
	/* the same stems twice in a group is one phrase */
	assert_int_equal(phrase_set_add(s, tk, pl, "pulls from shelves", 0,
					"facts.ini", 3, &id2, &err), 0);
	assert_int_equal(id, id2);
	assert_int_equal(phrase_set_count(s), 1);
	/* stemmed text finds it, across a sentence end */
	t = "They were PULLED. From shelves everywhere";
	assert_int_equal(tok_run(tk, t, strlen(t), &err), 0);
	assert_int_equal(phrase_find_tokens(s, id, tk, &a, &b), 1);
	assert_true(a < b);
	/* so does text tokenized without stemming */
	t = "pulled from shelves";
	assert_int_equal(tok_run(pl, t, strlen(t), &err), 0);
	assert_int_equal(phrase_find_tokens(s, id, pl, &a, &b), 1);
	t = "pulled from the shelves";
	assert_int_equal(tok_run(tk, t, strlen(t), &err), 0);
	assert_int_equal(phrase_find_tokens(s, id, tk, &a, &b), 0);
	/* "!" is a word's punctuation here, not an exception mark */
	assert_int_equal(phrase_set_add(s, tk, pl, "!recall", 1, "facts.ini",
					4, &id, &err), 0);
	t = "a recall";
	assert_int_equal(tok_run(tk, t, strlen(t), &err), 0);
	assert_int_equal(phrase_find_tokens(s, id, tk, &a, &b), 1);
	phrase_set_free(s);
	tok_free(tk);
	tok_free(pl);
}

/*
 * A phrase is found by its words as written too: text tokenized without
 * stemming (the words-only tokenizer of a caller that does not stem)
 * gives the written forms' keys, which the table must index beside the
 * stems, for one-word phrases as for longer ones.
 */
static void test_written_forms(void **state)
{
	struct tokenizer *tk = stems(), *pl = plain();
	struct phrase_set *s = phrase_set_new(0);
	struct cd_error err;
	char got[256];
	uint32_t id;

	(void)state;
	assert_int_equal(phrase_set_add(s, tk, pl, "lawyers", 2, "l.txt", 1,
					&id, &err), 0);
	assert_int_equal(phrase_set_add(s, tk, pl, "suing you", 3, "l.txt", 2,
					&id, &err), 0);
	assert_int_equal(phrase_set_build(s, &err), 0);
	/* stemmed text: by the stems */
	assert_int_equal(run(s, tk, "my lawyer", got, sizeof(got)), 1);
	assert_string_equal(got, "2:3-9");
	/* unstemmed text: by the words as written, one word and two */
	assert_int_equal(run(s, pl, "call my lawyers", got, sizeof(got)), 1);
	assert_string_equal(got, "2:8-15");
	assert_int_equal(run(s, pl, "we are suing you", got, sizeof(got)), 1);
	assert_string_equal(got, "3:7-16");
	/* a written form that is neither: no match */
	assert_int_equal(run(s, pl, "we are sued by you", got, sizeof(got)), 0);
	phrase_set_free(s);
	tok_free(tk);
	tok_free(pl);
}

static void test_text(void **state)
{
	char buf[16], s[] = " \t ab c\r\n";
	const char *p = "  x y \n";
	size_t n = strlen(p), bad;

	(void)state;
	assert_string_equal(text_trim(s), "ab c");
	text_trim_span(&p, &n);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "x y", 3);
	assert_int_equal(text_primary_lang("EN-us", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "en");
	assert_int_equal(text_primary_lang("ru_RU", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ru");
	assert_int_equal(text_primary_lang("abcdef", buf, 4), -1);
	assert_string_equal(buf, "abc");
	assert_string_equal(text_detect_lang("привет, как дела? ok", 33), "ru");
	assert_string_equal(text_detect_lang("where is my order @вася", 25), "en");
	assert_string_equal(text_lang_vote(3, 3), "en");
	assert_int_equal(text_utf8_check("ok\xc3\xa9", 4, &bad), 0);
	assert_int_equal(text_utf8_check("ok\xc0\xaf", 4, &bad), CD_ERR_DATA);
	assert_int_equal(bad, 2);
	assert_int_equal(text_utf8_len("\xd0\xbf\xd1\x80", 4), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_match),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_written_forms),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

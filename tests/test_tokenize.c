/*
 * test_tokenize.c - the tokenizer against tests/tokenize/cases.txt, plus
 * span and limit checks in cmocka.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"

static const char *cases_path;

/* Decode \xNN, \n and \\ in place; returns the length. */
static size_t unescape(char *s)
{
	char *o = s, *p = s;

	while (*p) {
		if (p[0] == '\\' && p[1] == 'x' && p[2] && p[3]) {
			char hex[3] = { p[2], p[3], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			p += 4;
		} else if (p[0] == '\\' && p[1] == 'n') {
			*o++ = '\n';
			p += 2;
		} else if (p[0] == '\\' && p[1] == '\\') {
			*o++ = '\\';
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return (size_t)(o - s);
}

static void test_cases_file(void **state)
{
	struct tokenizer *t = tok_new(NULL, NULL);
	char line[4096], input[4096], got[8192];
	size_t inlen = 0;
	FILE *fp;
	int lineno = 0, cases = 0, failed = 0, have_input = 0;

	(void)state;
	assert_non_null(t);
	fp = fopen(cases_path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);
		struct cd_error err;

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '>') {
			strcpy(input, line + 2 - (line[1] != ' '));
			inlen = unescape(input);
			have_input = 1;
			continue;
		}
		if (line[0] != '<')
			continue;
		if (line[1] == '\0')
			strcpy(line, "< ");
		assert_true(have_input);
		have_input = 0;
		cases++;
		got[0] = '\0';
		if (tok_run(t, input, inlen, &err)) {
			snprintf(got, sizeof(got), "error: %s", err.msg);
		} else {
			size_t i, o = 0;

			for (i = 0; i < tok_count(t); i++)
				o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s",
						      i ? " | " : "",
						      tok_text(t, &tok_list(t)[i]));
		}
		{
			const char *want = line[1] == ' ' ? line + 2 : line + 1;

			if (strcmp(got, want)) {
				fprintf(stderr, "%s:%d: want '%s'\n%*sgot  '%s'\n",
					cases_path, lineno, want,
					(int)strlen(cases_path) + 4, "", got);
				failed++;
			}
		}
	}
	fclose(fp);
	tok_free(t);
	assert_true(cases >= 20);
	assert_int_equal(failed, 0);
}

/* Spans point at the original text, in bytes and code points. */
static void test_spans(void **state)
{
	struct tokenizer *t = tok_new(NULL, NULL);
	const char *s = "Привет, Refund!!";
	const struct tok *k;

	(void)state;
	assert_int_equal(tok_run(t, s, strlen(s), NULL), 0);
	k = tok_list(t);
	assert_string_equal(tok_text(t, &k[0]), "привет");
	assert_int_equal(k[0].start, 0);
	assert_int_equal(k[0].end, 12);
	assert_int_equal(k[0].cstart, 0);
	assert_int_equal(k[0].cend, 6);
	assert_string_equal(tok_text(t, &k[1]), "refund");
	assert_int_equal(k[1].start, 14);
	assert_int_equal(k[1].cstart, 8);
	assert_int_equal(k[1].cend, 14);
	assert_int_equal(k[1].script, TOK_SCRIPT_LATIN);
	assert_int_equal(k[0].script, TOK_SCRIPT_CYRILLIC);
	assert_int_equal(k[1].kind, TOK_WORD);
	/* no bigram across the comma */
	assert_int_equal(k[2].kind, TOK_MARK);
	assert_string_equal(tok_text(t, &k[2]), "<!!>");
	assert_int_equal(tok_count(t), 3);
	tok_free(t);
}

/* The token cap holds, and reuse across runs gives the same result. */
static void test_cap_and_reuse(void **state)
{
	struct tok_params p;
	struct tokenizer *t;
	char *big = malloc(300001);
	size_t i;

	(void)state;
	tok_params_default(&p);
	p.max_tokens = 100;
	t = tok_new(&p, NULL);
	for (i = 0; i < 300000; i += 3)
		memcpy(big + i, "ab ", 3);
	big[300000] = '\0';
	assert_int_equal(tok_run(t, big, 300000, NULL), 0);
	assert_int_equal(tok_count(t), 100);
	assert_int_equal(tok_run(t, "late refund", 11, NULL), 0);
	assert_int_equal(tok_count(t), 3);
	assert_string_equal(tok_text(t, &tok_list(t)[2]), "late refund");
	free(big);
	tok_free(t);
}

static void test_normalize_phrase(void **state)
{
	struct tokenizer *t = tok_new(NULL, NULL);
	char out[128];

	(void)state;
	assert_int_equal(tok_normalize_phrase(t, "Сами ВИНОВАТЫ!", out,
					      sizeof(out), NULL), 21);
	assert_string_equal(out, "сам виноват");
	assert_true(tok_normalize_phrase(t, "a very long phrase indeed", out, 8,
					 NULL) < 0);
	tok_free(t);
}

/*
 * Words of every length up to 48 bytes, each the last bytes of a buffer
 * of exactly its size, seen twice (a cache miss, then a hit): the word
 * cache loads words 4 and 8 bytes at a time and must never read past the
 * end (the sanitizer build catches it; a 20-byte word once did).  Every
 * run also gives the same single token as a copy with room after it.
 */
static void test_word_at_buffer_end(void **state)
{
	struct tokenizer *t = tok_new(NULL, NULL);
	struct cd_error err;
	const char *alphabets[] = { "abcdefghijklmnopqrstuvwxyz",
				    "абвгдежзийклмнопрстуфхцчшщ" };
	size_t a, n, rep;

	for (a = 0; a < 2; a++) {
		const char *al = alphabets[a];
		size_t step = a ? 2 : 1;

		for (n = step; n <= 48; n += step) {
			char roomy[64];
			char *exact = malloc(n);
			uint64_t want;

			assert_non_null(exact);
			for (rep = 0; rep < n; rep += step)
				memcpy(exact + rep, al + (rep * 7) % (26 * step), step);
			memcpy(roomy, exact, n);
			memcpy(roomy + n, " tail", 6);
			assert_int_equal(tok_run(t, roomy, n, &err), 0);
			assert_int_equal(tok_count(t), 1);
			want = tok_list(t)[0].hash;
			for (rep = 0; rep < 2; rep++) {
				assert_int_equal(tok_run(t, exact, n, &err), 0);
				assert_int_equal(tok_count(t), 1);
				assert_true(tok_list(t)[0].hash == want);
			}
			free(exact);
		}
	}
	tok_free(t);
	(void)state;
}

static void test_utf8_helpers(void **state)
{
	size_t at = 99;

	(void)state;
	assert_int_equal(tok_utf8_check("ok", 2, &at), 0);
	assert_int_equal(tok_utf8_check("o\xc0\xaf", 3, &at), CD_ERR_DATA);
	assert_int_equal(at, 1);        /* overlong encoding of '/' */
	assert_int_equal(tok_utf8_len("жук", 6), 3);
	assert_int_not_equal(tok_hash("a", 1), tok_hash("b", 1));
}

/* The features of text, " | "-separated, with extras on or off. */
static const char *features(struct tokenizer *t, const char *text)
{
	static char out[4096];
	size_t i, o = 0;
	struct cd_error err;

	assert_int_equal(tok_run(t, text, strlen(text), &err), 0);
	out[0] = '\0';
	for (i = 0; i < tok_count(t); i++) {
		const char *f = tok_text(t, &tok_list(t)[i]);

		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s",
				      i ? " | " : "", f);
	}
	return out;
}

static struct tokenizer *extras_tok(int extras)
{
	struct tok_params p;
	struct tokenizer *t;

	tok_params_default(&p);
	p.extras = extras;
	t = tok_new(&p, NULL);
	assert_non_null(t);
	return t;
}

/* f**k and д*рьмо: one word across the stars, and <masked>. */
static void test_extras_masked(void **state)
{
	struct tokenizer *t = extras_tok(1), *plain = extras_tok(0);

	(void)state;
	assert_string_equal(features(t, "f**k you"),
			    "f**k | <masked> | you | f**k you");
	assert_string_equal(features(plain, "f**k you"),
			    "f | k | f k | you | k you");
	assert_string_equal(features(t, "д*рьмо"), "д*рьмо | <masked>");
	/* the span of the word and of <masked> is the whole masked word */
	features(t, "ну п***ц");
	assert_string_equal(tok_text(t, &tok_list(t)[1]), "п***ц");
	assert_int_equal(tok_list(t)[1].start, 5);
	assert_int_equal(tok_list(t)[1].end, 5 + 2 + 3 + 2);
	assert_int_equal(tok_list(t)[1].cend - tok_list(t)[1].cstart, 5);
	assert_string_equal(tok_text(t, &tok_list(t)[3]), "<masked>");
	assert_int_equal(tok_list(t)[3].start, 5);
	assert_int_equal(tok_list(t)[3].end, tok_list(t)[1].end);
	/* a star that masks nothing is not a join */
	assert_string_equal(features(t, "5* service"), "<num> | servic");
	assert_string_equal(features(t, "wow* ok"), "wow | ok | wow ok");
	assert_string_equal(features(t, "**bold**"), "bold");
	tok_free(t);
	tok_free(plain);
}

/* Latin look-alikes inside a Cyrillic word and back. */
static void test_extras_mixed_script(void **state)
{
	struct tokenizer *t = extras_tok(1), *plain = extras_tok(0);
	char want[256];

	(void)state;
	/* сука with Latin y and a: the Russian word */
	snprintf(want, sizeof(want), "%s", features(t, "сука"));
	assert_string_equal(want, "сук");
	assert_string_equal(features(t, "\xd1\x81\x79\xd0\xba\x61"), want);
	assert_string_not_equal(features(plain, "\xd1\x81\x79\xd0\xba\x61"),
				want);
	/* fuck with a Cyrillic с: the English word */
	assert_string_equal(features(t, "fu\xd1\x81k"), "fuck");
	/* a letter without a look-alike: left as it is */
	snprintf(want, sizeof(want), "%s", features(plain, "zы"));
	assert_string_equal(features(t, "zы"), want);
	/* one script: untouched */
	snprintf(want, sizeof(want), "%s", features(plain, "Доставка опоздала"));
	assert_string_equal(features(t, "Доставка опоздала"), want);
	tok_free(t);
	tok_free(plain);
}

/* <name>: CamelCase or capitalised mid-sentence; <name+cue> once. */
static void test_extras_names(void **state)
{
	struct tokenizer *t = extras_tok(1);

	(void)state;
	assert_string_equal(features(t, "switch to Rydo"),
			    "switch | to | switch to | rydo | to rydo | "
			    "<name> | <name+cue>");
	/* the cue may come after the name, and a sentence start is no name */
	assert_string_equal(features(t, "Rydo is better"),
			    "rydo | is | rydo is | better | is better");
	assert_string_equal(features(t, "ZoomCart is better"),
			    "zoomcart | is | zoomcart is | better | is better | "
			    "<name> | <name+cue>");
	assert_string_equal(features(t, "ПрофиБанк удобнее"),
			    "профибанк | удобн | профибанк удобн | <name> | "
			    "<name+cue>");
	/* no cue: the name only; shouting and "I'm" are not names */
	assert_string_equal(features(t, "ok. I'm at Corvo"),
			    "ok | im | at | im at | corvo | at corvo | <name>");
	assert_string_equal(features(t, "this is BAD"),
			    "this | is | this is | bad | is bad | <caps>");
	/* after a full stop: the start of a sentence */
	assert_string_equal(features(t, "fine. Better now"),
			    "fine | better | now | better now");
	/* polite "Вы" and "Ok" mid-sentence are capitalised, not names */
	assert_string_equal(features(t, "спасибо, Вы лучше, Ok"),
			    "спасиб | вы | лучш | вы лучш | ok");
	tok_free(t);
}

/* The runtime list: any case, several words, replaced and cleared. */
static void test_extras_runtime_names(void **state)
{
	struct tokenizer *t = extras_tok(1), *plain = extras_tok(0);
	const char *names[] = { "FizzCo", "Nimbus Air" };
	const char *five[] = { "a b c d e" };
	struct cd_error err;

	(void)state;
	assert_string_equal(features(t, "fizzco is better"),
			    "fizzco | is | fizzco is | better | is better");
	assert_int_equal(tok_set_names(t, names, 2, &err), 0);
	assert_string_equal(features(t, "fizzco is better"),
			    "fizzco | is | fizzco is | better | is better | "
			    "<name> | <name+cue>");
	features(t, "flew nimbus air, never again");
	assert_int_equal(tok_count(t), 9);
	assert_string_equal(tok_text(t, &tok_list(t)[8]), "<name>");
	assert_int_equal(tok_list(t)[8].start, 5);
	assert_int_equal(tok_list(t)[8].end, 15);
	/* only the whole name */
	assert_string_equal(features(t, "nimbus cloud"),
			    "nimbus | cloud | nimbus cloud");
	/* a plain tokenizer keeps its features whatever the list */
	assert_int_equal(tok_set_names(plain, names, 2, &err), 0);
	assert_string_equal(features(plain, "fizzco is better"),
			    "fizzco | is | fizzco is | better | is better");
	/* limits, then cleared */
	assert_int_equal(tok_set_names(t, five, 1, &err), CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "more than 4 words"));
	assert_int_equal(tok_set_names(t, names, 0, &err), 0);
	assert_string_equal(features(t, "fizzco is better"),
			    "fizzco | is | fizzco is | better | is better");
	tok_free(t);
	tok_free(plain);
}

/* Resident memory of this process in bytes, from /proc/self/statm. */
static size_t resident(void)
{
	FILE *fp = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%lu %lu", &size, &res), 2);
	fclose(fp);
	return (size_t)res * 4096;
}

/*
 * Building a tokenizer (every config, fact sheet and phrase list load
 * does) must not clear its 2 MiB word cache: ten of them stay well under
 * 4 MiB of resident memory, where clearing costs 20 MiB.
 */
static void test_new_is_cheap(void **state)
{
	struct tokenizer *t[10];
	struct cd_error err;
	size_t before, grew, i;

	(void)state;
	before = resident();
	for (i = 0; i < 10; i++) {
		t[i] = tok_new(NULL, &err);
		assert_non_null(t[i]);
	}
	grew = resident() - before;
	for (i = 0; i < 10; i++)
		tok_free(t[i]);
	if (grew > (4u << 20))
		fail_msg("ten tokenizers made %zu bytes resident", grew);
}

/* One run's feature texts and spans, joined, for comparing tokenizers. */
static void dump(struct tokenizer *t, const char *text, char *out, size_t n)
{
	struct cd_error err;
	const struct tok *v;
	size_t i, at = 0;

	assert_int_equal(tok_run(t, text, strlen(text), &err), 0);
	v = tok_list(t);
	out[0] = '\0';
	for (i = 0; i < tok_count(t) && at < n; i++)
		at += (size_t)snprintf(out + at, n - at, "%s@%u-%u#%llx ",
				       tok_text(t, &v[i]), v[i].start, v[i].end,
				       (unsigned long long)v[i].hash);
}

/*
 * The word cache keeps two generations (struct word_cache,
 * tokenize_internal.h): when the current one is half full (65,536
 * words), between runs, the other is emptied by starting a new 8-bit
 * generation and becomes the current one; words of the full one are
 * copied over when seen again.
 * Through 6 turns (65,600 new words a run) the tokenizer gives the same
 * tokens as a new one for text it saw in the last run (read from the
 * previous generation), the run before (a hit) and never (a miss), long
 * words (kept in the arena) included.  Then 260 emptyings of the whole
 * cache (tok_set_names does one), with new words in between: the 8-bit
 * generation wraps and stale slots must not come back to life.
 */
static void test_cache_generations(void **state)
{
	struct tok_params p;
	struct tokenizer *t, *fresh;
	struct cd_error err;
	const char *probe = "Running runners ran: ЖДУ заказ 3 недели! "
			    "@ann #sale https://x.example 12.5 😀 ok ok "
			    "Internationalization недоразумениями";
	size_t words = 65600, run, i, at;
	char *text = malloc(words * 16 + 1), want[4096], got[4096];
	char seen[256], seen_want[4096];

	(void)state;
	assert_non_null(text);
	tok_params_default(&p);
	p.max_tokens = 2 * words;
	p.bigrams = 0;
	p.stem = 0;             /* the cache is what is tested: keep it quick */
	t = tok_new(&p, &err);
	fresh = tok_new(&p, &err);
	assert_non_null(t);
	assert_non_null(fresh);
	dump(fresh, probe, want, sizeof(want));
	for (run = 0; run < 6; run++) {
		for (i = 0, at = 0; i < words; i++)
			at += (size_t)sprintf(text + at, "w%zux%zu ", run, i);
		assert_int_equal(tok_run(t, text, at, &err), 0);
		assert_int_equal(tok_count(t), words);
		dump(t, probe, got, sizeof(got));
		assert_string_equal(got, want);
		/* twice: the second run reads the words from the cache */
		dump(t, probe, got, sizeof(got));
		assert_string_equal(got, want);
		if (run > 0) {  /* the fillers of this run and the one before */
			snprintf(seen, sizeof(seen), "w%zux7 w%zux65599 w%zux9 "
				 "w%zux7", run, run - 1, run + 1, run);
			dump(fresh, seen, seen_want, sizeof(seen_want));
			dump(t, seen, got, sizeof(got));
			assert_string_equal(got, seen_want);
		}
	}
	for (run = 0; run < 260; run++) {
		/* new words first, so the probe's texts land elsewhere in the
		 * arena than 256 emptyings ago, when its words were seen */
		assert_int_equal(tok_set_names(t, NULL, 0, &err), 0);
		for (i = 0, at = 0; i < run % 7 + 1; i++)
			at += (size_t)sprintf(text + at, "v%zux%zu ", run, i);
		assert_int_equal(tok_run(t, text, at, &err), 0);
		if (run > 0 && run < 256)
			continue;       /* the probe's slots stay from run 0 */
		dump(t, probe, got, sizeof(got));
		assert_string_equal(got, want);
	}
	tok_free(t);
	tok_free(fresh);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_file),
		cmocka_unit_test(test_new_is_cheap),
		cmocka_unit_test(test_cache_generations),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_cap_and_reuse),
		cmocka_unit_test(test_normalize_phrase),
		cmocka_unit_test(test_word_at_buffer_end),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_extras_masked),
		cmocka_unit_test(test_extras_mixed_script),
		cmocka_unit_test(test_extras_names),
		cmocka_unit_test(test_extras_runtime_names),
	};

	cases_path = argc > 1 ? argv[1] : "tests/tokenize/cases.txt";
	return cmocka_run_group_tests(tests, NULL, NULL);
}

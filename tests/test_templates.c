/*
 * test_templates.c - the shipped templates and fact sheet, variant choice,
 * rendering, the template data, language detection, and the errors of
 * broken templates (tests/data/templates/) and broken fact sheets (written
 * to a temporary directory by each test).
 *
 * Usage: test_templates REPO_ROOT (the directory holding templates/,
 * config/ and tests/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "comment.h"
#include "config.h"
#include "error.h"
#include "facts.h"
#include "templates.h"
#include "text.h"
#include "tokenize.h"

#define PATH_BYTES 1024
#define REPLY_MAX 4096
#define TIKTOK_CHARS 150
/* 2026-11-26T12:00:00Z: after the sample's expired fact, before the rest */
#define NOW_2026 ((int64_t)1795694400)
/* 2025-06-01T00:00:00Z: when the expired fact was still valid */
#define NOW_2025 ((int64_t)1748736000)

/* Shared by every test through cmocka's prestate. */
struct fixture {
	const char *root;
	char templates[PATH_BYTES];     /* ROOT/templates */
	char facts[PATH_BYTES];         /* ROOT/config/facts.ini */
	char data[PATH_BYTES];          /* ROOT/tests/data/templates */
	struct tpl_set *set;
	struct fact_sheet *sheet;
	struct tokenizer *tk;
	struct cd_config cfg;
};

static const char *const categories[] = {
	"complaint", "fake_news", "competitor_attack", "question", "toxic",
	"other", "spam"
};
#define NCATEGORIES (sizeof(categories) / sizeof(categories[0]))
static const char *const langs[] = { "en", "ru" };

/* ---- helpers ----------------------------------------------------------- */

static struct fixture *fx_of(void **state)
{
	return *state;
}

static void path_join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_BYTES, "%s/%s", a, b);

	assert_true(n > 0 && n < PATH_BYTES);
}

/* A comment with the given fields; text is not NUL-terminated on purpose. */
static struct comment make_comment(const char *id, const char *author,
				   const char *text)
{
	struct comment c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.author = author;
	c.text = text;
	c.text_len = strlen(text);
	c.lang = "";
	c.created_at = "";
	c.created_ts = -1;
	c.likes = -1;
	return c;
}

/* Render t for the comment and fact (may be NULL) into a fresh string. */
static char *render(const struct fixture *fx, const struct tpl *t,
		    const char *author, const struct fact *f)
{
	struct comment c = make_comment("7351", author,
					"this juice made me sick, refund now");
	struct cd_error err;
	struct cd_buf out;
	cJSON *data = tpl_data_new(&c, tpl_lang(t), tpl_category(t), &fx->cfg, f);
	int rc;

	assert_non_null(data);
	cd_buf_init(&out, REPLY_MAX);
	rc = tpl_render(t, data, 0, &out, &err);
	cJSON_Delete(data);
	if (rc)
		fail_msg("%s: %s", tpl_id(t), err.msg);
	return cd_buf_detach(&out, NULL);
}

/* Count 3+ letter words written all in capitals (ASCII and Cyrillic). */
static int caps_words(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int n = 0, letters = 0, upper = 1;

	for (;; u++) {
		int letter = 0, up = 0;

		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z')) {
			letter = 1;
			up = *u <= 'Z';
		} else if ((*u == 0xD0 || *u == 0xD1) && u[1]) {
			/* А..Я is D0 90..D0 AF; Ё is D0 81 */
			letter = 1;
			up = *u == 0xD0 && ((u[1] >= 0x90 && u[1] <= 0xAF) ||
					    u[1] == 0x81);
			u++;
		}
		if (letter) {
			letters++;
			upper &= up;
			continue;
		}
		if (letters >= 3 && upper)
			n++;
		letters = 0;
		upper = 1;
		if (!*u)
			return n;
	}
}

static void check_reply(const struct tpl *t, const char *reply,
			const char *author)
{
	size_t len = strlen(reply), chars = tok_utf8_len(reply, len);
	const char *p;
	int bangs = 0;

	if (chars > TIKTOK_CHARS)
		fail_msg("%s: %zu characters: %s", tpl_id(t), chars, reply);
	assert_true(len > 0);
	assert_null(strstr(reply, "{{"));
	assert_null(strstr(reply, "}}"));
	assert_null(strstr(reply, "  "));
	assert_false(reply[0] == ' ' || reply[0] == '\n');
	assert_false(reply[len - 1] == ' ' || reply[len - 1] == '\n');
	for (p = reply; *p; p++)
		bangs += *p == '!';
	assert_true(bangs <= 1);
	if (caps_words(reply))
		fail_msg("%s: an all-caps word: %s", tpl_id(t), reply);
	assert_null(strstr(reply, "guarantee"));
	assert_null(strstr(reply, "never again"));
	assert_null(strstr(reply, "гарантир"));
	if (*author) {
		assert_true(reply[0] == '@');
		assert_non_null(strstr(reply, author));
	} else {
		assert_true(reply[0] != '@');
	}
}

/* Write text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_BYTES];
	FILE *fp;

	path_join(path, dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void make_tmpdir(char *out)
{
	snprintf(out, PATH_BYTES, "/tmp/candor-test-XXXXXX");
	assert_non_null(mkdtemp(out));
}

/* rm -r of the temporary trees these tests make. */
static void remove_tree(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((de = readdir(d))) {
			char sub[PATH_BYTES];

			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			path_join(sub, path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

/* Load a fact sheet written from text; returns the status, sheet in *out. */
static int load_sheet(struct fixture *fx, const char *text,
		      struct fact_sheet **out, struct cd_error *err,
		      char *path_out)
{
	char dir[PATH_BYTES], path[PATH_BYTES];
	int rc;

	make_tmpdir(dir);
	write_file(dir, "facts.ini", text);
	path_join(path, dir, "facts.ini");
	*out = NULL;
	rc = facts_load(path, fx->tk, out, err);
	if (path_out)
		snprintf(path_out, PATH_BYTES, "%s", path);
	remove_tree(dir);
	return rc;
}

/* The fact of the shipped sheet that matches text (tokenized here). */
static const struct fact *match(struct fixture *fx,
				const struct fact_sheet *fs, const char *text,
				const char *lang, int64_t now, double *score)
{
	struct cd_error err;

	assert_int_equal(tok_run(fx->tk, text, strlen(text), &err), 0);
	return facts_match(fs, fx->tk, lang, now, score);
}

static size_t count_of(const struct tpl_set *s, const char *lang,
		       const char *category)
{
	size_t i, n = 0;

	for (i = 0; i < tpl_count(s); i++)
		n += !strcmp(tpl_lang(tpl_at(s, i)), lang) &&
		     !strcmp(tpl_category(tpl_at(s, i)), category);
	return n;
}

/* ---- the shipped templates --------------------------------------------- */

static void test_shipped_counts(void **state)
{
	struct fixture *fx = fx_of(state);
	size_t l;

	assert_non_null(fx->set);
	for (l = 0; l < 2; l++) {
		assert_true(count_of(fx->set, langs[l], "complaint") >= 3);
		assert_true(count_of(fx->set, langs[l], "fake_news") >= 3);
		assert_true(count_of(fx->set, langs[l], "competitor_attack") >= 3);
		assert_true(count_of(fx->set, langs[l], "question") >= 3);
		assert_true(count_of(fx->set, langs[l], "toxic") >= 2);
		assert_int_equal(count_of(fx->set, langs[l], "other"), 1);
		assert_int_equal(count_of(fx->set, langs[l], "spam"), 0);
	}
}

static void test_shipped_metadata(void **state)
{
	struct fixture *fx = fx_of(state);
	size_t i;

	for (i = 0; i < tpl_count(fx->set); i++) {
		const struct tpl *t = tpl_at(fx->set, i);
		char id[PATH_BYTES];

		assert_true(strlen(tpl_intent(t)) > 0);
		assert_null(strchr(tpl_intent(t), '\n'));
		assert_non_null(tpl_template(t));
		snprintf(id, sizeof(id), "%s/%s/%s", tpl_lang(t),
			 tpl_category(t), tpl_name(t));
		assert_string_equal(tpl_id(t), id);
		assert_ptr_equal(tpl_find(fx->set, id), t);
		if (!strcmp(tpl_category(t), "fake_news")) {
			assert_non_null(strstr(tpl_requires(t), "fact.statement"));
			assert_non_null(strstr(tpl_requires(t), "fact.source_url"));
		}
		if (i)  /* sorted by id */
			assert_true(strcmp(tpl_id(tpl_at(fx->set, i - 1)), id) < 0);
	}
	assert_null(tpl_find(fx->set, "en/complaint/no-such"));
}

/* Every template, with and without an author, fits TikTok's 150. */
static void test_shipped_render_fits(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char *const authors[] = { "maria_k_1234567", "" };
	struct fact longest = {
		"long", "Every batch on sale passed independent safety checks in 2026",
		"sunnyjuice.example/news/2026/fact-1", "2027-12-31", "", 1
	};
	size_t i, a, k;

	assert_int_equal(tok_utf8_len(longest.statement,
				      strlen(longest.statement)), 60);
	assert_int_equal(strlen(longest.source_url), 35);
	for (i = 0; i < tpl_count(fx->set); i++) {
		const struct tpl *t = tpl_at(fx->set, i);
		int fake = !strcmp(tpl_category(t), "fake_news");

		for (a = 0; a < 2; a++) {
			char *r = render(fx, t, authors[a], fake ? &longest : NULL);

			check_reply(t, r, authors[a]);
			if (fake) {
				assert_non_null(strstr(r, longest.statement));
				assert_non_null(strstr(r, longest.source_url));
			}
			free(r);
			if (!fake)
				continue;
			/* and with every fact of the sheet in its language */
			for (k = 0; k < facts_count(fx->sheet); k++) {
				const struct fact *f = facts_get(fx->sheet, k);

				if (*f->lang && strcmp(f->lang, tpl_lang(t)))
					continue;
				r = render(fx, t, authors[a], f);
				check_reply(t, r, authors[a]);
				free(r);
			}
		}
	}
}

/* The data leaves out empty fields, so sections on them are false. */
static void test_data_new(void **state)
{
	struct fixture *fx = fx_of(state);
	char text[] = "refund me now, and more after";
	struct comment c = make_comment("42", "@maria_k", "");
	const struct fact *f = facts_get(fx->sheet, 1);
	const cJSON *b;
	cJSON *d;

	c.text = text;
	c.text_len = 9;                 /* "refund me" of a longer buffer */
	d = tpl_data_new(&c, "en", "complaint", &fx->cfg, NULL);
	assert_non_null(d);
	assert_string_equal(cJSON_GetObjectItem(d, "author")->valuestring,
			    "maria_k");
	assert_string_equal(cJSON_GetObjectItem(d, "text")->valuestring,
			    "refund me");
	assert_string_equal(cJSON_GetObjectItem(d, "id")->valuestring, "42");
	assert_string_equal(cJSON_GetObjectItem(d, "lang")->valuestring, "en");
	assert_string_equal(cJSON_GetObjectItem(d, "category")->valuestring,
			    "complaint");
	b = cJSON_GetObjectItem(d, "brand");
	assert_string_equal(cJSON_GetObjectItem(b, "name")->valuestring,
			    "Sunny Juice");
	assert_string_equal(cJSON_GetObjectItem(b, "support_url")->valuestring,
			    "sunnyjuice.example/help");
	assert_null(cJSON_GetObjectItem(d, "fact"));
	cJSON_Delete(d);

	c.author = "";
	c.text_len = 0;
	d = tpl_data_new(&c, "", "fake_news", NULL, f);
	assert_non_null(d);
	assert_null(cJSON_GetObjectItem(d, "author"));
	assert_null(cJSON_GetObjectItem(d, "text"));
	assert_null(cJSON_GetObjectItem(d, "lang"));
	assert_null(cJSON_GetObjectItem(d, "brand"));
	b = cJSON_GetObjectItem(d, "fact");
	assert_string_equal(cJSON_GetObjectItem(b, "statement")->valuestring,
			    f->statement);
	assert_string_equal(cJSON_GetObjectItem(b, "source_url")->valuestring,
			    f->source_url);
	cJSON_Delete(d);

	d = tpl_data_new(NULL, NULL, NULL, NULL, NULL);
	assert_non_null(d);
	assert_null(d->child);
	cJSON_Delete(d);
}

/* ---- choosing ---------------------------------------------------------- */

static void test_choose_deterministic(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char *const texts[] = {
		"refund me now", "my order is late again",
		"вы продали компанию FizzCo?", ""
	};
	struct cd_error err;
	struct tpl_set *other = tpl_load(fx->templates, &err);
	size_t i, c, l;

	assert_non_null(other);
	for (i = 0; i < 200; i++) {
		char id[16];
		const char *text = texts[i % 4];

		snprintf(id, sizeof(id), "%zu", i * 7919);
		for (l = 0; l < 2; l++)
			for (c = 0; c + 1 < NCATEGORIES; c++) {
				const struct tpl *a, *b, *o;
				int fa, fb, fo;

				a = tpl_choose(fx->set, langs[l], categories[c], id,
					       text, strlen(text), 0, &fa);
				b = tpl_choose(fx->set, langs[l], categories[c], id,
					       text, strlen(text), 0, &fb);
				o = tpl_choose(other, langs[l], categories[c], id,
					       text, strlen(text), 0, &fo);
				assert_non_null(a);
				assert_ptr_equal(a, b);
				assert_string_equal(tpl_id(a), tpl_id(o));
				assert_string_equal(tpl_lang(a), langs[l]);
				assert_string_equal(tpl_category(a), categories[c]);
				assert_int_equal(fa, 0);
				assert_int_equal(fb, 0);
				assert_int_equal(fo, 0);
			}
	}
	/* the text matters as well as the id: not every text gets one variant */
	{
		const struct tpl *first = NULL;
		int differs = 0;

		for (i = 0; i < 50 && !differs; i++) {
			char text[32];
			const struct tpl *t;

			snprintf(text, sizeof(text), "comment number %zu", i);
			t = tpl_choose(fx->set, "en", "complaint", "1", text,
				       strlen(text), 0, NULL);
			if (!first)
				first = t;
			differs = t != first;
		}
		assert_true(differs);
	}
	tpl_free(other);
}

/* A wave of 3000 near-identical comments spreads evenly. */
static void test_choose_spread(void **state)
{
	struct fixture *fx = fx_of(state);
	const char *text = "refund me now";
	size_t l, c, i;

	for (l = 0; l < 2; l++)
		for (c = 0; c < NCATEGORIES; c++) {
			size_t n = count_of(fx->set, langs[l], categories[c]);
			size_t hits[64] = { 0 }, first = 0, k;
			double expect, lo, hi;

			if (n < 2)
				continue;
			assert_true(n <= 64);
			while (strcmp(tpl_lang(tpl_at(fx->set, first)), langs[l]) ||
			       strcmp(tpl_category(tpl_at(fx->set, first)),
				      categories[c]))
				first++;
			for (i = 1; i <= 3000; i++) {
				char id[16];
				const struct tpl *t;

				snprintf(id, sizeof(id), "%zu", i);
				t = tpl_choose(fx->set, langs[l], categories[c], id,
					       text, strlen(text), 0, NULL);
				assert_non_null(t);
				for (k = 0; k < n && tpl_at(fx->set, first + k) != t;
				     k++)
					;
				assert_true(k < n);
				hits[k]++;
			}
			expect = 3000.0 / (double)n;
			lo = expect * 0.85;
			hi = expect * 1.15;
			for (k = 0; k < n; k++)
				if ((double)hits[k] < lo || (double)hits[k] > hi)
					fail_msg("%s/%s variant %zu got %zu of 3000",
						 langs[l], categories[c], k, hits[k]);
		}
}

/* variant_offset walks through every variant, then wraps. */
static void test_choose_variant_offset(void **state)
{
	struct fixture *fx = fx_of(state);
	const char *text = "my order never arrived";
	size_t n = count_of(fx->set, "en", "complaint");
	const struct tpl *seen[64];
	unsigned k;
	size_t j;

	assert_true(n >= 3 && n <= 64);
	for (k = 0; k < n; k++) {
		seen[k] = tpl_choose(fx->set, "en", "complaint", "99", text,
				     strlen(text), k, NULL);
		assert_non_null(seen[k]);
		for (j = 0; j < k; j++)
			assert_ptr_not_equal(seen[j], seen[k]);
	}
	assert_ptr_equal(tpl_choose(fx->set, "en", "complaint", "99", text,
				    strlen(text), (unsigned)n, NULL), seen[0]);
	assert_ptr_equal(tpl_choose(fx->set, "en", "complaint", "99", text,
				    strlen(text), UINT32_MAX, NULL),
			 seen[UINT32_MAX % n]);
	/* NULL id and text are the empty ones */
	assert_ptr_equal(tpl_choose(fx->set, "en", "question", NULL, NULL, 5, 0,
				    NULL),
			 tpl_choose(fx->set, "en", "question", "", "", 0, 0,
				    NULL));
}

static void test_choose_fallback(void **state)
{
	struct fixture *fx = fx_of(state);
	char dir[PATH_BYTES];
	struct cd_error err;
	struct tpl_set *s;
	const struct tpl *t;
	int fb = -1;

	/* a language with no templates at all */
	t = tpl_choose(fx->set, "de", "complaint", "1", "x", 1, 0, &fb);
	assert_non_null(t);
	assert_string_equal(tpl_lang(t), "en");
	assert_int_equal(fb, 1);
	t = tpl_choose(fx->set, "", "question", "1", "x", 1, 0, &fb);
	assert_non_null(t);
	assert_string_equal(tpl_lang(t), "en");
	assert_int_equal(fb, 1);
	t = tpl_choose(fx->set, "ru", "question", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_lang(t), "ru");
	assert_int_equal(fb, 0);
	/* a region or capitals: the language's own templates, no fallback */
	t = tpl_choose(fx->set, "ru_RU", "question", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_lang(t), "ru");
	assert_int_equal(fb, 0);
	t = tpl_choose(fx->set, "RU", "question", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_lang(t), "ru");
	assert_int_equal(fb, 0);
	t = tpl_choose(fx->set, "en-US", "question", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_lang(t), "en");
	assert_int_equal(fb, 0);
	t = tpl_choose(fx->set, "de-AT", "question", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_lang(t), "en");
	assert_int_equal(fb, 1);

	/* a language that has some categories but not this one */
	path_join(dir, fx->data, "fallback");
	s = tpl_load(dir, &err);
	if (!s)
		fail_msg("%s", err.msg);
	assert_int_equal(tpl_count(s), 3);
	t = tpl_choose(s, "ru", "question", "1", "x", 1, 0, &fb);
	assert_non_null(t);
	assert_string_equal(tpl_id(t), "en/question/faq");
	assert_int_equal(fb, 1);
	t = tpl_choose(s, "ru", "complaint", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_id(t), "ru/complaint/sorry");
	assert_int_equal(fb, 0);
	t = tpl_choose(s, "en", "complaint", "1", "x", 1, 0, &fb);
	assert_string_equal(tpl_id(t), "en/complaint/sorry");
	assert_int_equal(fb, 0);
	tpl_free(s);
}

static void test_spam_has_no_template(void **state)
{
	struct fixture *fx = fx_of(state);
	int fb = -1;

	assert_null(tpl_choose(fx->set, "en", "spam", "1", "buy now", 7, 0, &fb));
	assert_int_equal(fb, 0);
	fb = -1;
	assert_null(tpl_choose(fx->set, "ru", "spam", "1", "купи", 8, 0, &fb));
	assert_int_equal(fb, 0);
	assert_null(tpl_choose(fx->set, "en", "no_such_label", "1", "x", 1, 0,
			       NULL));
	assert_null(tpl_choose(fx->set, "en", NULL, "1", "x", 1, 0, NULL));
	assert_null(tpl_choose(NULL, "en", "complaint", "1", "x", 1, 0, NULL));
}

/* ---- rendering --------------------------------------------------------- */

static void test_render_tidy(void **state)
{
	struct fixture *fx = fx_of(state);
	char dir[PATH_BYTES];
	struct cd_error err;
	struct cd_buf out;
	struct tpl_set *s;
	cJSON *data;

	path_join(dir, fx->data, "tidy");
	s = tpl_load(dir, &err);
	if (!s)
		fail_msg("%s", err.msg);
	assert_string_equal(tpl_requires(tpl_at(s, 0)), "");
	assert_string_equal(tpl_intent(tpl_at(s, 0)),
			    "gaps left by empty values are tidied");
	data = tpl_data_new(NULL, "en", "other", &fx->cfg, NULL);
	cd_buf_init(&out, REPLY_MAX);
	assert_int_equal(cd_buf_addstr(&out, ">"), 0);
	assert_int_equal(tpl_render(tpl_at(s, 0), data, 0, &out, &err), 0);
	assert_string_equal(out.data, ">Hi, thanks for writing.\n\nBye Sunny Juice");
	cJSON_Delete(data);
	cd_buf_release(&out);
	tpl_free(s);
}

/* Render t against data into a new string (the caller frees it). */
static char *render_with(const struct tpl *t, const cJSON *data)
{
	struct cd_error err;
	struct cd_buf out;

	cd_buf_init(&out, REPLY_MAX);
	if (tpl_render(t, data, 0, &out, &err))
		fail_msg("%s: %s", tpl_id(t), err.msg);
	return cd_buf_detach(&out, NULL);
}

/*
 * suggest and batch fill one reusable data object per comment instead of
 * building a cJSON tree: every shipped template must render the same
 * through both, for authors with and without '@', no author, text that is
 * not NUL-terminated or holds a NUL, no config, a fact or none.
 */
static void test_data_fill_equals_new(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct fact *f = facts_get(fx->sheet, 0);
	static const char text[] = "this juice made me sick\0 refund now!!";
	struct comment cs[5];
	struct tpl_data *d = tpl_data_alloc();
	size_t i, k, v, compared = 0;

	assert_non_null(d);
	assert_non_null(f);
	cs[0] = make_comment("1", "@@mila", "juice made me sick");
	cs[1] = make_comment("2", "", "где мой заказ");
	cs[2] = make_comment("3", NULL, text);
	cs[2].text_len = sizeof(text) - 1;           /* a NUL inside */
	cs[3] = make_comment("4", "oleg", "late again and again");
	cs[3].text_len = 4;                          /* not NUL-terminated */
	cs[4] = make_comment("", "x", "");
	for (i = 0; i < tpl_count(fx->set); i++) {
		const struct tpl *t = tpl_at(fx->set, i);

		for (k = 0; k < 6; k++)
			for (v = 0; v < 4; v++) {
				const struct comment *c = k < 5 ? &cs[k] : NULL;
				const struct cd_config *cfg = v & 1 ? NULL : &fx->cfg;
				const struct fact *ff = v & 2 ? f : NULL;
				cJSON *fresh = tpl_data_new(c, tpl_lang(t),
							    tpl_category(t), cfg, ff);
				const cJSON *reused = tpl_data_fill(d, c,
					tpl_lang(t), tpl_category(t), cfg, ff);
				char *a, *b;

				assert_non_null(fresh);
				assert_non_null(reused);
				a = render_with(t, fresh);
				b = render_with(t, reused);
				assert_string_equal(a, b);
				compared += *a != '\0';
				free(a);
				free(b);
				cJSON_Delete(fresh);
			}
	}
	assert_true(compared > 100);
	tpl_data_free(d);
}

static void test_render_limits(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct tpl *t = tpl_find(fx->set, "en/complaint/apologize-1");
	struct cd_error err;
	struct cd_buf out;
	cJSON *data;

	assert_non_null(t);
	data = tpl_data_new(NULL, "en", "complaint", &fx->cfg, NULL);
	assert_non_null(data);
	cd_buf_init(&out, REPLY_MAX);
	assert_int_equal(cd_buf_addstr(&out, "keep"), 0);
	assert_int_equal(tpl_render(t, data, 20, &out, &err), CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "en/complaint/apologize-1"));
	assert_non_null(strstr(err.msg, "20 bytes"));
	assert_string_equal(out.data, "keep");
	cd_buf_release(&out);

	/* an empty buffer is rendered into directly: the same limit */
	cd_buf_init(&out, REPLY_MAX);
	assert_int_equal(tpl_render(t, data, 20, &out, &err), CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "en/complaint/apologize-1"));
	assert_non_null(strstr(err.msg, "20 bytes"));
	assert_int_equal(out.len, 0);
	assert_int_equal(out.max, REPLY_MAX);
	assert_int_equal(tpl_render(t, data, 0, &out, &err), 0);
	assert_true(out.len > 20);
	cd_buf_release(&out);

	cd_buf_init(&out, 30);          /* the caller's own cap */
	assert_int_equal(tpl_render(t, data, 0, &out, &err), CD_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "30 bytes"));
	cd_buf_release(&out);
	cJSON_Delete(data);
}

/* ---- load errors ------------------------------------------------------- */

/* tpl_load(DATA/name) fails; err.msg must start with prefix. */
static void expect_load_error(struct fixture *fx, const char *name,
			      const char *file, long line, long col,
			      const char *words)
{
	char dir[PATH_BYTES], prefix[PATH_BYTES * 2];
	struct cd_error err;

	path_join(dir, fx->data, name);
	assert_null(tpl_load(dir, &err));
	snprintf(prefix, sizeof(prefix), "%s/%s:%ld:%ld: ", dir, file, line, col);
	if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, words))
		fail_msg("got '%s', want '%s...%s'", err.msg, prefix, words);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
}

static void test_broken_template(void **state)
{
	expect_load_error(fx_of(state), "broken", "en/complaint/unclosed.mustache",
			  4, 15, "unclosed section 'brand'");
}

static void test_missing_metadata(void **state)
{
	expect_load_error(fx_of(state), "no_meta", "en/other/plain.mustache", 1, 1,
			  "missing the metadata comment");
}

static void test_unknown_requires(void **state)
{
	expect_load_error(fx_of(state), "bad_requires",
			  "en/other/phone.mustache", 2, 27,
			  "unknown variable 'brand.phone' in requires");
}

static void test_load_errors(void **state)
{
	static const char head[] = "{{! intent: x\n requires: }}\n";
	char dir[PATH_BYTES], sub[PATH_BYTES], file[PATH_BYTES];
	char big[TPL_FILE_MAX + 64];
	struct cd_error err;
	struct tpl_set *s;

	(void)state;
	make_tmpdir(dir);
	/* no templates at all */
	assert_null(tpl_load(dir, &err));
	assert_non_null(strstr(err.msg, "no templates in"));
	/* a missing directory */
	path_join(sub, dir, "nowhere");
	assert_null(tpl_load(sub, &err));
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_non_null(strstr(err.msg, "nowhere"));
	/* a template in the wrong place */
	path_join(sub, dir, "en");
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(sub, "lost.mustache", "{{! intent: x\n requires: }}\nx\n");
	assert_null(tpl_load(dir, &err));
	assert_non_null(strstr(err.msg, "lost.mustache: a template belongs in"));
	path_join(file, sub, "lost.mustache");
	unlink(file);
	/* a file over the cap */
	path_join(sub, dir, "en/other");
	assert_int_equal(mkdir(sub, 0700), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, head, strlen(head));
	write_file(sub, "big.mustache", big);
	assert_null(tpl_load(dir, &err));
	assert_non_null(strstr(err.msg, "big.mustache: template larger than "
				       "8192 bytes"));
	/* invalid UTF-8, with its position */
	write_file(sub, "big.mustache", "{{! intent: x\n requires: }}\nab\xff\n");
	assert_null(tpl_load(dir, &err));
	assert_non_null(strstr(err.msg, "big.mustache:3:3: invalid UTF-8"));
	/* other files and dot files are skipped */
	write_file(sub, "big.mustache", "{{! intent: ok\n requires: }}\nok\n");
	write_file(sub, "README.md", "not a template\n");
	write_file(sub, ".draft.mustache", "{{#broken\n");
	s = tpl_load(dir, &err);
	if (!s)
		fail_msg("%s", err.msg);
	assert_int_equal(tpl_count(s), 1);
	assert_string_equal(tpl_id(tpl_at(s, 0)), "en/other/big");
	tpl_free(s);
	remove_tree(dir);
}

/* ---- language and variables ------------------------------------------- */

static void test_detect_lang(void **state)
{
	static const struct {
		const char *text, *lang;
	} cases[] = {
		{ "my order is late and nobody answers", "en" },
		{ "мой заказ опять опоздал", "ru" },
		{ "Sunny Juice опять подняли цены", "ru" },
		{ "FizzCo is better, Sunny Juice лучше", "en" },
		{ "ложь @sunnyjuice_official https://sunnyjuice.example/help", "ru" },
		{ "см. sunnyjuice.example/faq", "ru" },
		{ "Café crème brûlée", "en" },
		{ "", "en" },
		{ "12345 !!! 😡", "en" },
		{ "\xff\xfe привет", "ru" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = text_detect_lang(cases[i].text,
						  strlen(cases[i].text));

		if (strcmp(got, cases[i].lang))
			fail_msg("'%s': got %s", cases[i].text, got);
	}
	/* only len bytes count */
	assert_string_equal(text_detect_lang("ok да да да", 2), "en");
	assert_string_equal(text_detect_lang(NULL, 0), "en");
	/*
	 * The test for a Cyrillic lead byte (eight bytes a step, then the
	 * tail) finds "ы" (D1 8B) and "Ӂ" (U+04C1, D3 81) at every offset
	 * after ASCII, and "é" (C3 A9) is no such byte.
	 */
	{
		static const char *const letters[] = { "\xd1\x8b", "\xd3\x81",
						       "\xd4\x80" };
		char buf[64];
		size_t off, l;

		for (l = 0; l < 3; l++)
			for (off = 0; off + 3 <= sizeof(buf); off++) {
				memset(buf, '1', sizeof(buf));
				memcpy(buf + off, letters[l], 2);
				assert_string_equal(text_detect_lang(buf, off + 2), "ru");
				assert_string_equal(text_detect_lang(buf, sizeof(buf)),
						    "ru");
			}
		memset(buf, 'a', sizeof(buf));
		memcpy(buf + 30, "\xc3\xa9", 2);
		assert_string_equal(text_detect_lang(buf, sizeof(buf)), "en");
	}
}

static void test_known_variable(void **state)
{
	static const char *const yes[] = {
		"author", "id", "text", "lang", "category", "brand.name",
		"brand.handle", "brand.support_url", "brand.faq_url",
		"fact.statement", "fact.source_url", ".", "brand", "fact"
	};
	static const char *const no[] = {
		"brand.phone", "Author", "fact.url", "", "author.name", "facts"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(tpl_known_variable(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(tpl_known_variable(no[i]));
	assert_false(tpl_known_variable(NULL));
}

/* ---- the fact sheet ---------------------------------------------------- */

static const struct fact *by_name(const struct fact_sheet *fs,
				  const char *name)
{
	size_t i;

	for (i = 0; i < facts_count(fs); i++)
		if (!strcmp(facts_get(fs, i)->name, name))
			return facts_get(fs, i);
	return NULL;
}

static void test_facts_shipped(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct fact *old = by_name(fx->sheet, "lab-tests-2025");
	size_t i, expired = 0;

	assert_true(facts_count(fx->sheet) >= 6);
	assert_non_null(old);
	assert_string_equal(old->valid_until, "2025-12-31");
	assert_int_equal(old->line, 15);
	for (i = 0; i < facts_count(fx->sheet); i++) {
		const struct fact *f = facts_get(fx->sheet, i);

		assert_true(*f->statement && *f->source_url);
		assert_true(!*f->lang || !strcmp(f->lang, "en") ||
			    !strcmp(f->lang, "ru"));
		expired += !facts_valid(fx->sheet, f, NOW_2026);
	}
	assert_int_equal(expired, 1);
	assert_false(facts_valid(fx->sheet, old, NOW_2026));
	assert_true(facts_valid(fx->sheet, old, NOW_2025));
	/* cited through the whole of its last day (UTC), not a second more */
	assert_true(facts_valid(fx->sheet, old, (int64_t)1767225600 - 43200));
	assert_true(facts_valid(fx->sheet, old, (int64_t)1767225599));
	assert_false(facts_valid(fx->sheet, old, (int64_t)1767225600));
	assert_null(facts_get(fx->sheet, facts_count(fx->sheet)));
}

static void test_facts_expired_never_used(void **state)
{
	struct fixture *fx = fx_of(state);
	const char *text = "They found pesticides in this juice, lab test hidden";
	const struct fact *f;
	struct fact_sheet *fs;
	struct cd_error err;
	double score;

	/* the expired fact comes first in the file and scores the same */
	f = match(fx, fx->sheet, text, "en", NOW_2026, &score);
	assert_non_null(f);
	assert_string_equal(f->name, "lab-tests-2026");
	assert_true(score == 2.0);
	/* back when it was valid, it won on file order */
	f = match(fx, fx->sheet, text, "en", NOW_2025, &score);
	assert_non_null(f);
	assert_string_equal(f->name, "lab-tests-2025");

	/* the only matching fact has expired: nothing, not a stale fact */
	assert_int_equal(load_sheet(fx,
		"[old]\nkeywords = recall\nstatement = s\nsource_url = u\n"
		"valid_until = 2025-01-31\n", &fs, &err, NULL), 0);
	score = -1;
	assert_null(match(fx, fs, "is there a recall?", "en", NOW_2026, &score));
	assert_true(score == 0.0);
	assert_non_null(match(fx, fs, "is there a recall?", "en",
			      (int64_t)1738367999, NULL));  /* 2025-01-31T23:59:59Z */
	assert_null(match(fx, fs, "is there a recall?", "en",
			  (int64_t)1738368000, NULL));      /* a second later */
	facts_free(fs);
}

static void test_facts_no_match(void **state)
{
	struct fixture *fx = fx_of(state);
	double score = -1;

	assert_null(match(fx, fx->sheet, "I love the new mango flavour", "en",
			  NOW_2026, &score));
	assert_true(score == 0.0);
	assert_null(match(fx, fx->sheet, "", "ru", NOW_2026, &score));
	assert_null(facts_match(NULL, fx->tk, "en", NOW_2026, &score));
	/* a partial phrase is no match: "added" alone is not "added sugar" */
	assert_null(match(fx, fx->sheet, "they added a new colour", "en",
			  NOW_2026, NULL));
}

static void test_facts_better_wins(void **state)
{
	struct fixture *fx = fx_of(state);
	const char *sheet =
		"[factory]\nkeywords = factory, layoffs\nstatement = a\n"
		"source_url = u\nvalid_until = 2030-01-01\n"
		"[factory-closed]\nkeywords = factory, closed, shut\n"
		"statement = b\nsource_url = u\nvalid_until = 2030-01-01\n"
		"[factory-closed-phrase]\nkeywords = factory closed\n"
		"statement = c\nsource_url = u\nvalid_until = 2030-01-01\n"
		"[same-as-first]\nkeywords = factory, layoffs\nstatement = d\n"
		"source_url = u\nvalid_until = 2030-01-01\n";
	const struct fact *f;
	struct fact_sheet *fs;
	struct cd_error err;
	double score;

	assert_int_equal(load_sheet(fx, sheet, &fs, &err, NULL), 0);
	/* two phrases beat one */
	f = match(fx, fs, "They CLOSED the factory!!", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory-closed");
	assert_true(score == 2.0);
	/* one phrase each: the longer phrase is more specific */
	f = match(fx, fs, "factory closed", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory-closed");     /* 2 phrases */
	f = match(fx, fs, "the factory: closed.", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory-closed");
	f = match(fx, fs, "is the factory hiring?", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory");            /* file order */
	assert_true(score == 1.0);
	f = match(fx, fs, "layoffs at the factory", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory");            /* file order */
	facts_free(fs);

	assert_int_equal(load_sheet(fx,
		"[a]\nkeywords = factory\nstatement = a\nsource_url = u\n"
		"valid_until = 2030-01-01\n"
		"[b]\nkeywords = factory closed\nstatement = b\nsource_url = u\n"
		"valid_until = 2030-01-01\n", &fs, &err, NULL), 0);
	f = match(fx, fs, "Factories closed everywhere", "en", NOW_2026, &score);
	assert_string_equal(f->name, "b");
	assert_true(score == 1.0);
	/* capitals and question marks do not break a phrase */
	f = match(fx, fs, "FACTORY CLOSED??", "en", NOW_2026, &score);
	assert_string_equal(f->name, "b");
	f = match(fx, fs, "factory?? closed", "en", NOW_2026, &score);
	assert_string_equal(f->name, "b");
	/* a number between the words breaks the phrase */
	f = match(fx, fs, "factory 7 closed", "en", NOW_2026, &score);
	assert_string_equal(f->name, "a");
	facts_free(fs);

	/* the shipped sheet */
	f = match(fx, fx->sheet, "Sunny Juice is going bankrupt, factory "
		  "closing next week", "en", NOW_2026, &score);
	assert_string_equal(f->name, "factory-open");
	assert_true(score == 2.0);
	f = match(fx, fx->sheet, "so much added sugar, it's basically syrup",
		  "en", NOW_2026, &score);
	assert_string_equal(f->name, "no-added-sugar");
}

/*
 * suggest hands facts_match the classifier's tokenizer (bigrams and <caps>
 * marks between the words) instead of tokenizing the comment again
 * without them: both must find the same fact with the same score.
 */
static void test_facts_bigrams_skipped(void **state)
{
	static const char *const comments[] = {
		"heard sunny juice is getting recalled because people got sick",
		"SUNNY JUICE RECALL is real, the factory is closed",
		"they say the juice has 40g of sugar per bottle, is it true",
		"говорят сок отзывают из магазинов, завод закрыли",
		"в соке полно сахара и консервантов, это правда?",
		"lab tests found pesticides in the orange juice",
	};
	struct fixture *fx = fx_of(state);
	struct tok_params tp;
	struct tokenizer *words;
	struct cd_error err;
	size_t i, found = 0;

	tok_params_words(&tp);
	words = tok_new(&tp, &err);
	assert_non_null(words);
	for (i = 0; i < sizeof(comments) / sizeof(comments[0]); i++) {
		const char *c = comments[i];
		const struct fact *a, *b;
		double sa, sb;

		assert_int_equal(tok_run(words, c, strlen(c), &err), 0);
		a = facts_match(fx->sheet, words, NULL, NOW_2026, &sa);
		b = match(fx, fx->sheet, c, NULL, NOW_2026, &sb);
		assert_ptr_equal(a, b);
		assert_true(sa == sb);
		found += a != NULL;
	}
	assert_true(found >= 4);        /* the comparison compared something */
	tok_free(words);
}

static void test_facts_russian(void **state)
{
	struct fixture *fx = fx_of(state);
	const struct fact *f;
	struct fact_sheet *fs;
	struct cd_error err;
	double score;

	/* "отзыве" stems to "отзыв", the keyword "отзыв" to "отз" */
	assert_int_equal(load_sheet(fx,
		"[recall]\nkeywords = отзыв\nstatement = s\nsource_url = u\n"
		"valid_until = 2030-01-01\n", &fs, &err, NULL), 0);
	f = match(fx, fs, "Я читала об этом в отзыве", "ru", NOW_2026, &score);
	assert_non_null(f);
	assert_true(score == 1.0);
	assert_non_null(match(fx, fs, "ОТЗЫВ!!! Срочно", "ru", NOW_2026, NULL));
	assert_non_null(match(fx, fs, "про отзывы все знают", "ru", NOW_2026,
			      NULL));
	assert_null(match(fx, fs, "очень отзывчивая поддержка", "ru", NOW_2026,
			  NULL));
	facts_free(fs);

	/* two keywords that match the same word count once */
	assert_int_equal(load_sheet(fx,
		"[a]\nkeywords = отзыв, отзывы, завод\nstatement = s\n"
		"source_url = u\nvalid_until = 2030-01-01\n", &fs, &err, NULL), 0);
	assert_non_null(match(fx, fs, "в отзыве", "ru", NOW_2026, &score));
	assert_true(score == 1.0);
	assert_non_null(match(fx, fs, "отзывы про завод", "ru", NOW_2026, &score));
	assert_true(score == 2.0);
	facts_free(fs);

	/* the shipped sheet, in Russian */
	f = match(fx, fx->sheet, "В отзыве пишут, что партию отозвали",
		  "ru", NOW_2026, &score);
	assert_non_null(f);
	assert_string_equal(f->name, "safety-checks-ru");
	assert_true(score == 2.0);
	f = match(fx, fx->sheet, "Говорят, закрыли завод в Валенсии", "ru",
		  NOW_2026, &score);
	assert_non_null(f);
	assert_string_equal(f->name, "factory-open-ru");
	f = match(fx, fx->sheet, "ФиззКо купила Sunny Juice, это правда?", "ru",
		  NOW_2026, &score);
	assert_non_null(f);
	assert_string_equal(f->name, "independent-ru");
	/* no Russian fact answers an English comment */
	f = match(fx, fx->sheet, "FizzCo bought Sunny Juice", "en", NOW_2026,
		  &score);
	assert_string_equal(f->name, "independent");
	assert_string_equal(f->lang, "en");
}

static void test_facts_lang(void **state)
{
	struct fixture *fx = fx_of(state);
	const char *sheet =
		"[en]\nlang = en\nkeywords = FizzCo\nstatement = e\nsource_url = u\n"
		"valid_until = 2030-01-01\n"
		"[any]\nkeywords = FizzCo\nstatement = a\nsource_url = u\n"
		"valid_until = 2030-01-01\n";
	struct fact_sheet *fs;
	struct cd_error err;

	assert_int_equal(load_sheet(fx, sheet, &fs, &err, NULL), 0);
	assert_string_equal(facts_get(fs, 0)->lang, "en");
	assert_string_equal(facts_get(fs, 1)->lang, "");
	assert_string_equal(match(fx, fs, "fizzco", "en", NOW_2026, NULL)->name,
			    "en");
	assert_string_equal(match(fx, fs, "fizzco", "EN", NOW_2026, NULL)->name,
			    "en");
	assert_string_equal(match(fx, fs, "fizzco", "en-GB", NOW_2026, NULL)->name,
			    "en");
	assert_string_equal(match(fx, fs, "fizzco", "eng", NOW_2026, NULL)->name,
			    "any");
	assert_string_equal(match(fx, fs, "fizzco", "ru", NOW_2026, NULL)->name,
			    "any");
	assert_string_equal(match(fx, fs, "fizzco", "", NOW_2026, NULL)->name,
			    "en");
	assert_string_equal(match(fx, fs, "fizzco", NULL, NOW_2026, NULL)->name,
			    "en");
	facts_free(fs);
}

static void test_facts_keywords(void **state)
{
	struct fixture *fx = fx_of(state);
	struct fact_sheet *fs;
	struct cd_error err;
	double score;

	/* repeated keywords lines add up; inflected duplicates count once */
	assert_int_equal(load_sheet(fx,
		"[a]\nkeywords = recall, recalls, recalled,\n"
		"keywords = poisoned  ,, pulled from shelves\n"
		"statement = s\nsource_url = u\nvalid_until = 2030-01-01\n",
		&fs, &err, NULL), 0);
	assert_non_null(match(fx, fs, "POISONED", "en", NOW_2026, &score));
	assert_true(score == 1.0);
	assert_non_null(match(fx, fs, "Recalled and pulled from the shelves? "
			      "No: pulled from shelves", "en", NOW_2026,
			      &score));
	assert_true(score == 2.0);
	facts_free(fs);
}

/* A sheet that must not load: status, line, and words of the message. */
static void expect_sheet_error(struct fixture *fx, const char *text, int rc,
			       long line, const char *words)
{
	char path[PATH_BYTES], prefix[PATH_BYTES + 32];
	struct fact_sheet *fs;
	struct cd_error err;

	assert_int_equal(load_sheet(fx, text, &fs, &err, path), rc);
	assert_null(fs);
	snprintf(prefix, sizeof(prefix), "%s:%ld: ", path, line);
	if (strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, words))
		fail_msg("got '%s', want '%s...%s'", err.msg, prefix, words);
	assert_int_equal(err.line, line);
}

#define GOOD "keywords = k\nstatement = s\nsource_url = u\nvalid_until = 2030-01-01\n"

static void test_facts_unknown_key(void **state)
{
	expect_sheet_error(fx_of(state),
			   "; facts\n[a]\n" GOOD "[b]\nkeywords = k\nstatment = s\n",
			   CD_ERR_CONFIG, 9, "unknown key 'statment' in [b]");
}

static void test_facts_missing(void **state)
{
	struct fixture *fx = fx_of(state);

	expect_sheet_error(fx, "[a]\n" GOOD "\n; the next one\n[b]\nkeywords = k\n"
			   "source_url = u\nvalid_until = 2030-01-01\n",
			   CD_ERR_CONFIG, 8, "fact [b] has no 'statement'");
	expect_sheet_error(fx, "[a]\nkeywords = k\nstatement = s\n"
			   "valid_until = 2030-01-01\n",
			   CD_ERR_CONFIG, 1, "fact [a] has no 'source_url'");
	expect_sheet_error(fx, "[a]\nkeywords = k\nstatement = s\nsource_url = u\n",
			   CD_ERR_CONFIG, 1, "fact [a] has no 'valid_until'");
	expect_sheet_error(fx, "[a]\nstatement = s\nsource_url = u\n"
			   "valid_until = 2030-01-01\n",
			   CD_ERR_CONFIG, 1, "fact [a] has no 'keywords'");
	expect_sheet_error(fx, "[a]\n" GOOD "[empty]\n", CD_ERR_CONFIG, 6,
			   "fact [empty] has no 'statement'");
	expect_sheet_error(fx, "[a]\nstatement =\n", CD_ERR_CONFIG, 2,
			   "'statement' is empty in [a]");
}

static void test_facts_bad_date(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char *const bad[] = {
		"2027-02-29", "2027-13-01", "2027-00-10", "27-01-01", "tomorrow",
		"2027-1-01", "2027-01-01T00:00", "1969-12-31",
		"2100-02-29", "2027-04-31"     /* not leap (century); 30 days */
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[a]\nkeywords = k\nstatement = s\n"
			 "source_url = u\nvalid_until = %s\n", bad[i]);
		expect_sheet_error(fx, text, CD_ERR_CONFIG, 5,
				   "'valid_until' must be a date YYYY-MM-DD");
	}
	{
		struct fact_sheet *fs;
		struct cd_error err;

		assert_int_equal(load_sheet(fx, "[leap]\nkeywords = k\nstatement = s\n"
					    "source_url = u\nvalid_until = 2028-02-29\n",
					    &fs, &err, NULL), 0);
		facts_free(fs);
		/* a century divisible by 400 is a leap year */
		assert_int_equal(load_sheet(fx, "[leap]\nkeywords = k\nstatement = s\n"
					    "source_url = u\nvalid_until = 2400-02-29\n",
					    &fs, &err, NULL), 0);
		facts_free(fs);
	}
}

static void test_facts_long_line(void **state)
{
	char text[512];
	int n;

	n = snprintf(text, sizeof(text), "[a]\n" GOOD "[b]\nkeywords = ");
	memset(text + n, 'x', 250);
	strcpy(text + n + 250, "\nstatement = s\n");
	expect_sheet_error(fx_of(state), text, CD_ERR_CONFIG, 7,
			   "line longer than 199 bytes");
}

static void test_facts_other_errors(void **state)
{
	struct fixture *fx = fx_of(state);
	struct fact_sheet *fs = NULL;
	struct cd_error err;

	expect_sheet_error(fx, "[a]\n" GOOD "[b]\n" GOOD "[a]\nlang = en\n",
			   CD_ERR_CONFIG, 12, "fact [a] appears twice");
	expect_sheet_error(fx, "[a]\n" GOOD "statement = again\n", CD_ERR_CONFIG,
			   6, "'statement' given twice in [a]");
	expect_sheet_error(fx, "keywords = k\n", CD_ERR_CONFIG, 1,
			   "outside a [section]");
	expect_sheet_error(fx, "[a]\nlang = english\n", CD_ERR_CONFIG, 2,
			   "'lang' must be a language code");
	expect_sheet_error(fx, "[a]\nkeywords = k, !!!\n", CD_ERR_CONFIG, 2,
			   "keyword '!!!' has no words");
	expect_sheet_error(fx, "[a]\nkeywords = a b c d e f g h i\n",
			   CD_ERR_LIMIT, 2, "more than 8 words");
	expect_sheet_error(fx, "[a]\nnot a key value line\n", CD_ERR_CONFIG, 2,
			   "malformed line");
	assert_int_equal(facts_load("/nonexistent/facts.ini", fx->tk, &fs, &err),
			 CD_ERR_NOINPUT);
	assert_null(fs);
	assert_non_null(strstr(err.msg, "cannot open '/nonexistent/facts.ini'"));
	/* an empty sheet is fine: every fake_news draft is then flagged */
	assert_int_equal(load_sheet(fx, "; nothing yet\n", &fs, &err, NULL), 0);
	assert_int_equal(facts_count(fs), 0);
	assert_null(match(fx, fs, "recall", "en", NOW_2026, NULL));
	facts_free(fs);
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct fixture fx;
	struct cd_error err;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s REPO_ROOT\n", argv[0]);
		return 2;
	}
	memset(&fx, 0, sizeof(fx));
	fx.root = argv[1];
	snprintf(fx.templates, sizeof(fx.templates), "%s/templates", fx.root);
	snprintf(fx.facts, sizeof(fx.facts), "%s/config/facts.ini", fx.root);
	snprintf(fx.data, sizeof(fx.data), "%s/tests/data/templates", fx.root);
	config_init(&fx.cfg);
	snprintf(fx.cfg.brand.name, sizeof(fx.cfg.brand.name), "Sunny Juice");
	snprintf(fx.cfg.brand.handle, sizeof(fx.cfg.brand.handle), "@sunnyjuice");
	snprintf(fx.cfg.brand.support_url, sizeof(fx.cfg.brand.support_url),
		 "sunnyjuice.example/help");
	snprintf(fx.cfg.brand.faq_url, sizeof(fx.cfg.brand.faq_url),
		 "sunnyjuice.example/faq");
	fx.tk = tok_new(NULL, &err);
	fx.set = tpl_load(fx.templates, &err);
	if (!fx.tk || !fx.set ||
	    facts_load(fx.facts, fx.tk, &fx.sheet, &err)) {
		fprintf(stderr, "test_templates: %s\n", err.msg);
		tpl_free(fx.set);
		tok_free(fx.tk);
		return 1;
	}
	{
		const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_prestate(f, &fx)
			T(test_shipped_counts),
			T(test_shipped_metadata),
			T(test_shipped_render_fits),
			T(test_data_new),
			T(test_choose_deterministic),
			T(test_choose_spread),
			T(test_choose_variant_offset),
			T(test_choose_fallback),
			T(test_spam_has_no_template),
			T(test_render_tidy),
			T(test_render_limits),
			T(test_broken_template),
			T(test_missing_metadata),
			T(test_unknown_requires),
			T(test_load_errors),
			T(test_detect_lang),
			T(test_known_variable),
			T(test_facts_shipped),
			T(test_facts_expired_never_used),
			T(test_facts_no_match),
			T(test_facts_better_wins),
			T(test_facts_bigrams_skipped),
			T(test_data_fill_equals_new),
			T(test_facts_russian),
			T(test_facts_lang),
			T(test_facts_keywords),
			T(test_facts_unknown_key),
			T(test_facts_missing),
			T(test_facts_bad_date),
			T(test_facts_long_line),
			T(test_facts_other_errors),
#undef T
		};

		rc = cmocka_run_group_tests(tests, NULL, NULL);
	}
	facts_free(fx.sheet);
	tpl_free(fx.set);
	tok_free(fx.tk);
	return rc;
}

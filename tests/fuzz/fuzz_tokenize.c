/*
 * fuzz_tokenize.c - tok_run() on arbitrary bytes.
 *
 * Beyond "does not crash", every run is checked against the contract in
 * core/tokenize.h:
 *   - tok_run() succeeds exactly when the bytes are valid UTF-8, as a
 *     reference validator written here from RFC 3629 decides, and on
 *     failure reports the same offset and leaves no tokens;
 *   - every token's byte span lies in the input, starts and ends on code
 *     point boundaries, and its code point span matches the bytes;
 *   - the feature text is NUL-terminated, as long as len says, and its
 *     hash is tok_feature_hash() of that text (what a model file stores);
 *     words and emoji hold no space, so a one-word feature never reads
 *     back as a bigram; the fixed tokens have their fixed texts;
 *   - at most max_tokens tokens; a second run on the same text (now all
 *     word-cache hits) gives the same tokens as the first.
 * Two tokenizers run: the classifier's defaults, and one without
 * stemming or bigrams and with a cap of 16 tokens.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_tokenize.c:%d: check failed: %s\n", line, what);
	abort();
}

/* RFC 3629 table 4: the offset of the first bad sequence, or len. */
static size_t ref_utf8_bad(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	unsigned lo, hi;

	while (i < len) {
		uint8_t c = s[i];

		lo = 0x80;
		hi = 0xBF;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			n = 2;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			return i;
		}
		if (i + n > len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n;
	}
	return len;
}

static size_t cps(const uint8_t *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += (s[i] & 0xC0) != 0x80;
	return c;
}

static int boundary(const uint8_t *s, size_t len, size_t at)
{
	return at == len || (s[at] & 0xC0) != 0x80;
}

static int extra_mark(const char *text)
{
	return !strcmp(text, "<name>") || !strcmp(text, "<name+cue>");
}

static void check_tokens(const struct tokenizer *t, const uint8_t *data,
			 size_t size, size_t max_tokens, int t_extras)
{
	const struct tok *k = tok_list(t);
	size_t n = tok_count(t), i;
	uint32_t last_start = 0;
	int extras_seen = 0;

	CHECK(n <= max_tokens);
	for (i = 0; i < n; i++, k++) {
		const char *text = tok_text(t, k);

		CHECK(k->kind <= TOK_BIGRAM);
		CHECK(k->script <= TOK_SCRIPT_CYRILLIC);
		CHECK(k->start < k->end && k->end <= size);
		CHECK(boundary(data, size, k->start));
		CHECK(boundary(data, size, k->end));
		CHECK(k->cstart == cps(data, k->start));
		CHECK(k->cend - k->cstart == cps(data + k->start,
						 k->end - k->start));
		CHECK(k->len > 0);
		CHECK(text[k->len] == '\0' && strlen(text) == k->len);
		CHECK(tok_utf8_check(text, k->len, NULL) == 0);
		CHECK(k->hash != 0);
		CHECK(k->hash == tok_feature_hash(text, k->len));
		switch (k->kind) {
		case TOK_NUM:
			CHECK(!strcmp(text, "<num>"));
			break;
		case TOK_URL:
			CHECK(!strcmp(text, "<url>"));
			break;
		case TOK_MENTION:
			CHECK(!strcmp(text, "<mention>"));
			break;
		case TOK_MARK:
			if (extra_mark(text)) {
				/* names come last, over their own words */
				CHECK(t_extras);
				extras_seen = 1;
				continue;
			}
			CHECK(!extras_seen);
			CHECK(!strcmp(text, "<q>") || !strcmp(text, "<!!>") ||
			      !strcmp(text, "<caps>") ||
			      (t_extras && !strcmp(text, "<masked>")));
			break;
		case TOK_EMOJI:
			CHECK(k->len == k->end - k->start &&
			      !memcmp(text, data + k->start, k->len));
			break;
		case TOK_WORD:
			CHECK(!memchr(text, ' ', k->len));
			CHECK(!extras_seen);
			break;
		case TOK_BIGRAM: {
			const char *sp = memchr(text, ' ', k->len);

			CHECK(sp && sp > text && sp < text + k->len - 1);
			CHECK(!memchr(sp + 1, ' ', k->len - (size_t)(sp - text) - 1));
			break;
		}
		}
		if (k->kind != TOK_BIGRAM) {
			CHECK(k->start >= last_start);
			last_start = k->start;
		}
	}
}

/* Tokens of the last run, to compare a warm-cache run with a cold one. */
static struct tok *save_tokens(const struct tokenizer *t, char **texts)
{
	size_t n = tok_count(t), i, total = 0;
	struct tok *v = malloc((n ? n : 1) * sizeof(*v));
	char *p;

	for (i = 0; i < n; i++)
		total += tok_list(t)[i].len + 1;
	*texts = p = malloc(total ? total : 1);
	CHECK(v && p);
	if (n)
		memcpy(v, tok_list(t), n * sizeof(*v));
	for (i = 0; i < n; i++) {
		memcpy(p, tok_text(t, &v[i]), v[i].len + 1);
		p += v[i].len + 1;
	}
	return v;
}

static void same_tokens(const struct tokenizer *t, const struct tok *v,
			const char *texts, size_t n)
{
	const struct tok *k = tok_list(t);
	size_t i;

	CHECK(tok_count(t) == n);
	for (i = 0; i < n; i++) {
		CHECK(k[i].hash == v[i].hash && k[i].len == v[i].len);
		CHECK(k[i].start == v[i].start && k[i].end == v[i].end);
		CHECK(k[i].cstart == v[i].cstart && k[i].cend == v[i].cend);
		CHECK(k[i].kind == v[i].kind && k[i].script == v[i].script);
		CHECK(!memcmp(tok_text(t, &k[i]), texts, v[i].len + 1));
		texts += v[i].len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tokenizer *full, *plain, *extras;
	static const struct tok_params plain_params = { 0, 0, 16, 0 };
	static const char *const names[] = { "FizzCo", "Nimbus Air", "ФиззКо" };
	const char *text = (const char *)data;
	struct cd_error err;
	size_t bad = 0, ref = ref_utf8_bad(data, size), n;
	struct tok *saved;
	char *texts, *phrase, norm[64];
	int rc;

	if (!full) {
		struct tok_params p;

		tok_params_default(&p);
		full = tok_new(&p, &err);
		plain = tok_new(&plain_params, &err);
		p.extras = 1;
		extras = tok_new(&p, &err);
		CHECK(full && plain && extras);
		CHECK(tok_set_names(extras, names, 3, &err) == 0);
	}
	if (!size)
		text = "";

	CHECK((tok_utf8_check(text, size, &bad) == 0) == (ref == size));
	if (ref < size)
		CHECK(bad == ref);

	rc = tok_run(full, text, size, &err);
	CHECK(rc == 0 || rc == CD_ERR_DATA);
	CHECK((rc == 0) == (ref == size));
	if (rc) {
		CHECK(tok_count(full) == 0);
		CHECK(tok_run(plain, text, size, &err) == CD_ERR_DATA);
		return 0;
	}
	CHECK(tok_utf8_len(text, size) == cps(data, size));
	check_tokens(full, data, size, 4096, 0);
	n = tok_count(full);
	saved = save_tokens(full, &texts);
	CHECK(tok_run(full, text, size, &err) == 0);
	same_tokens(full, saved, texts, n);
	free(saved);
	free(texts);

	CHECK(tok_run(plain, text, size, &err) == 0);
	check_tokens(plain, data, size, 16, 0);

	/* extra features (masked, mixed-script, names) with a name list */
	CHECK(tok_run(extras, text, size, &err) == 0);
	check_tokens(extras, data, size, 4096, 1);

	/* the phrase normaliser (tone and fact keywords) on a C string */
	phrase = malloc(size + 1);
	CHECK(phrase != NULL);
	if (size)
		memcpy(phrase, data, size);
	phrase[size] = '\0';
	rc = tok_normalize_phrase(full, phrase, norm, sizeof(norm), &err);
	CHECK(rc == CD_ERR_LIMIT || (rc >= 0 && (size_t)rc < sizeof(norm) &&
				     strlen(norm) == (size_t)rc));
	free(phrase);
	return 0;
}

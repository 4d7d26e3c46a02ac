/*
 * tone_dump.c - the tone findings of many replies, for the differential
 * check (tests/diff/snapshot.sh, docs/testing.md).
 *
 * Reads `LANG<TAB>CATEGORY<TAB>COMMENT<TAB>REPLY` lines from stdin (an
 * empty field means none) and writes, for each, the line number and the
 * tone JSON of the reply checked with the words-only tokenizer (what
 * `candor tone` and `suggest` use) and with the default tokenizer, which
 * core/tone.h promises give the same findings; and checks it a third
 * time as `suggest` does, with a memo of checked replies (struct
 * tone_memo) and the comment tokenized apart, which must give the same
 * findings again.  Usage:
 *   tone_dump CONFIG_TONE_DIR < replies.tsv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "tokenize.h"
#include "tone.h"

static char *field(char **p)
{
	char *s = *p, *t;

	if (!s)
		return NULL;
	t = strchr(s, '\t');
	if (t) {
		*t = '\0';
		*p = t + 1;
	} else {
		*p = NULL;
	}
	return s;
}

static void dump(const struct tone_rules *r, struct tokenizer *tk,
		 const char *reply, const struct tone_ctx *ctx, struct cd_buf *b)
{
	struct tone_result res;
	struct cd_error err;

	if (tone_check(r, tk, reply, strlen(reply), ctx, &res, &err)) {
		cd_buf_addstr(b, "error: ");
		cd_buf_addstr(b, err.msg);
	} else {
		tone_result_json(&res, b);
	}
}

int main(int argc, char **argv)
{
	struct tone_rules *r;
	struct tokenizer *words, *pairs, *ctk;
	struct tone_memo *memo;
	struct tok_params tp;
	struct cd_error err;
	char line[70000];
	long n = 0, differ = 0, memo_differ = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tone_dump CONFIG_TONE_DIR < lines\n");
		return 2;
	}
	r = tone_rules_load(argv[1], &err);
	if (!r) {
		fprintf(stderr, "tone_dump: %s\n", err.msg);
		return 1;
	}
	{
		static const char *const comp[] = { "FizzCo", "Brisk Cola" };

		if (tone_rules_add_competitors(r, comp, 2, &err)) {
			fprintf(stderr, "tone_dump: %s\n", err.msg);
			return 1;
		}
	}
	tok_params_words(&tp);
	words = tok_new(&tp, &err);
	ctk = tok_new(&tp, &err);
	tok_params_default(&tp);
	pairs = tok_new(&tp, &err);
	memo = tone_memo_new();
	if (!words || !pairs || !ctk || !memo)
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		struct tone_ctx ctx;
		struct cd_buf a, b, c;
		char *p = line, *lang, *cat, *comment, *reply;
		size_t len = strlen(line);

		n++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		lang = field(&p);
		cat = field(&p);
		comment = field(&p);
		reply = p ? p : "";
		memset(&ctx, 0, sizeof(ctx));
		ctx.lang = lang && *lang ? lang : NULL;
		ctx.category = cat && *cat ? cat : NULL;
		ctx.comment = comment && *comment ? comment : NULL;
		cd_buf_init(&a, 1u << 20);
		cd_buf_init(&b, 1u << 20);
		cd_buf_init(&c, 1u << 20);
		dump(r, words, reply, &ctx, &a);
		dump(r, pairs, reply, &ctx, &b);
		printf("%ld\t%.*s\n", n, (int)a.len, a.data);
		/* as suggest checks its drafts: a memo, the comment apart */
		ctx.memo = memo;
		if (ctx.comment && !tok_run(ctk, ctx.comment,
					    strlen(ctx.comment), &err))
			ctx.comment_tokens = ctk;
		dump(r, words, reply, &ctx, &c);
		if (a.len != c.len || memcmp(a.data, c.data, a.len)) {
			memo_differ++;
			fprintf(stderr, "tone_dump: line %ld: the memo differs\n"
				"  full: %.*s\n  memo: %.*s\n", n,
				(int)a.len, a.data, (int)c.len, c.data);
		}
		cd_buf_release(&c);
		if (a.len != b.len || memcmp(a.data, b.data, a.len)) {
			differ++;
			fprintf(stderr, "tone_dump: line %ld: the tokenizers differ\n"
				"  words: %.*s\n  pairs: %.*s\n", n,
				(int)a.len, a.data, (int)b.len, b.data);
		}
		cd_buf_release(&a);
		cd_buf_release(&b);
	}
	fprintf(stderr, "tone_dump: %ld replies, %ld where the tokenizers differ, "
		"%ld where the memo differs\n", n, differ, memo_differ);
	tok_free(words);
	tok_free(pairs);
	tok_free(ctk);
	tone_memo_free(memo);
	tone_rules_free(r);
	return differ || memo_differ ? 3 : 0;
}

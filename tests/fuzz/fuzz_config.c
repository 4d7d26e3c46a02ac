/*
 * fuzz_config.c - the INI loaders on arbitrary file contents.
 *
 * The bytes are written to a temporary file, which is then loaded as
 * candor.ini (config_load), as a fact sheet (facts_load), as a tone
 * phrase list (tone_rules_load on a directory holding it as
 * en/blame.txt) and as the tone check's training examples (a directory
 * holding it as en/replies.tsv).  All go through core/inifile.c or their
 * own line reader, so this is where a long line, a NUL byte, a stray CR
 * or a byte order mark meets them.
 *
 * Checked: each load returns 0 or a documented status with a message, and
 * a line number that is a line of the file; a config error is the first
 * one (the lines before it load cleanly); a loaded config has
 * NUL-terminated strings within its arrays and at most
 * CONFIG_MAX_COMPETITORS competitors; a loaded fact sheet has every field
 * set, a section name of at most FACTS_NAME_MAX bytes, and can be matched
 * against a comment (the file's own text, so that keywords do match); a
 * replies.tsv error is the first one too (the lines before it load, or
 * lack only the ok or bad examples), and a loaded one checks the file's
 * own lines with the model it trained, giving well-formed findings.
 *
 * The temporary directory is made once per process under $TMPDIR (or
 * /dev/shm, or /tmp) and removed at exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "config.h"
#include "error.h"
#include "facts.h"
#include "tokenize.h"
#include "tone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_config.c:%d: check failed: %s\n", line, what);
	abort();
}

static char dir[256], ini[300], tonedir[300], tonelang[300], tonefile[300];
static char learndir[300], learnlang[300], learnfile[300];

static void cleanup(void)
{
	unlink(ini);
	unlink(tonefile);
	unlink(learnfile);
	rmdir(tonelang);
	rmdir(tonedir);
	rmdir(learnlang);
	rmdir(learndir);
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	/* tmpfs if there is one: every journal append is fsynced */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof(dir), "%s/candor-fuzz-config-XXXXXX", tmp);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(ini, sizeof(ini), "%s/input.ini", dir);
	snprintf(tonedir, sizeof(tonedir), "%s/tone", dir);
	snprintf(tonelang, sizeof(tonelang), "%s/tone/en", dir);
	snprintf(tonefile, sizeof(tonefile), "%s/tone/en/blame.txt", dir);
	CHECK(mkdir(tonedir, 0700) == 0 && mkdir(tonelang, 0700) == 0);
	snprintf(learndir, sizeof(learndir), "%s/learn", dir);
	snprintf(learnlang, sizeof(learnlang), "%s/learn/en", dir);
	snprintf(learnfile, sizeof(learnfile), "%s/learn/en/replies.tsv", dir);
	CHECK(mkdir(learndir, 0700) == 0 && mkdir(learnlang, 0700) == 0);
	atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");

	CHECK(fp != NULL);
	CHECK(fwrite(data, 1, size, fp) == size);
	CHECK(fclose(fp) == 0);
}

/* A NUL-terminated string that fits in an array of n bytes. */
static int fits(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* needle in data[0..size) */
static int contains(const uint8_t *data, size_t size, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= size; i++)
		if (!memcmp(data + i, needle, n))
			return 1;
	return 0;
}

static void check_config(const struct cd_config *c)
{
	size_t i;

	CHECK(fits(c->brand.name, sizeof(c->brand.name)));
	CHECK(fits(c->brand.handle, sizeof(c->brand.handle)));
	CHECK(fits(c->brand.support_url, sizeof(c->brand.support_url)));
	CHECK(fits(c->brand.faq_url, sizeof(c->brand.faq_url)));
	CHECK(fits(c->alerts.webhook_url, sizeof(c->alerts.webhook_url)));
	CHECK(fits(c->reply.channel, sizeof(c->reply.channel)));
	CHECK(c->brand.ncompetitors <= CONFIG_MAX_COMPETITORS);
	for (i = 0; i < c->brand.ncompetitors; i++) {
		CHECK(fits(c->brand.competitors[i],
			   sizeof(c->brand.competitors[i])));
		CHECK(c->brand.competitors[i][0] != '\0');
	}
	CHECK(c->classifier.min_confidence >= 0 &&
	      c->classifier.min_confidence <= 1);
	CHECK(c->reply.max_chars >= 1 && c->reply.max_chars <= 100000);
	CHECK(c->alerts.queue >= 1 && c->alerts.queue <= 100000);
	CHECK(c->crisis.window >= 1 && c->crisis.window <= 86400);
	CHECK(c->crisis.nnegative <= MONITOR_MAX_NEGATIVE);
	for (i = 0; i < c->crisis.nnegative; i++)
		CHECK(fits(c->crisis.negative[i], MONITOR_NAME_MAX));
	/* [category.NAME]: rows with a name, a known action, known bits */
	CHECK(c->categories.n <= CATEGORY_MAX);
	for (i = 0; i < c->categories.n; i++) {
		const struct category *k = &c->categories.row[i];

		CHECK(fits(k->name, sizeof(k->name)) && k->name[0]);
		CHECK(fits(k->action, sizeof(k->action)));
		CHECK(!(k->require & ~15u));
		CHECK(k->cite_fact == 0 || k->cite_fact == 1);
		CHECK(k->echo_claim == 0 || k->echo_claim == 1);
	}
}

static void check_facts(const struct fact_sheet *fs, struct tokenizer *tk,
			const uint8_t *data, size_t size)
{
	size_t i, n = facts_count(fs);
	const struct fact *f;
	double score;

	CHECK(n <= FACTS_MAX);
	for (i = 0; i < n; i++) {
		f = facts_get(fs, i);
		CHECK(f && f->name && f->statement && f->source_url &&
		      f->valid_until && f->lang);
		CHECK(f->name[0] && strlen(f->name) <= FACTS_NAME_MAX);
		CHECK(f->statement[0] && f->source_url[0]);
		CHECK(strlen(f->valid_until) == 10);
		CHECK(f->line >= 1);
		CHECK(facts_valid(fs, f, 0) == 1);
	}
	CHECK(facts_get(fs, n) == NULL);
	if (tok_run(tk, (const char *)data, size, NULL) == 0) {
		f = facts_match(fs, tk, NULL, 0, &score);
		CHECK(f ? score >= 1 : score == 0);
		f = facts_match(fs, tk, "en-US", 0, &score);
		CHECK(f ? score >= 1 && (!f->lang[0] || !strcmp(f->lang, "en"))
			: score == 0);
	}
}

/* Check each line of the file with rules trained on it. */
static void check_learned(const struct tone_rules *r, struct tokenizer *tk,
			  const uint8_t *data, size_t size)
{
	struct tone_result res;
	struct cd_error err;
	size_t at = 0, i, cps;

	while (at < size) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t len = nl ? (size_t)(nl - data) - at : size - at;
		const char *line = (const char *)data + at;
		int rc = tone_check(r, tk, line, len, NULL, &res, &err);

		CHECK((rc == 0) == (tok_utf8_check(line, len, NULL) == 0));
		if (!rc) {
			for (cps = 0, i = 0; i < len; i++)
				cps += (data[at + i] & 0xC0) != 0x80;
			CHECK(res.n <= TONE_MAX_FINDINGS);
			for (i = 0; i < res.n; i++) {
				const struct tone_finding *f = &res.f[i];

				CHECK(tone_rule_known(f->rule));
				CHECK(f->start <= f->end && f->end <= cps);
				CHECK(f->message[0] &&
				      tok_utf8_check(f->message,
						     strlen(f->message),
						     NULL) == 0);
			}
		}
		at += len + 1;
	}
}

/* replies.tsv: a first error, or a model that checks its own lines. */
static void fuzz_replies(struct tokenizer *tk, const uint8_t *data,
			 size_t size, long lines)
{
	struct cd_error err;
	struct tone_rules *r = tone_rules_load(learndir, &err);

	if (r) {
		CHECK(tone_rules_examples(r, "ru") == 0);
		if (tone_rules_examples(r, "en"))
			check_learned(r, tk, data, size);
		tone_rules_free(r);
		return;
	}
	CHECK(err.msg[0] && strstr(err.msg, "replies.tsv"));
	CHECK(err.line >= 0 && err.line <= lines);
	if (err.line > 1) {
		/* the lines before the bad one load (or lack a kind) */
		size_t before = 0;
		long l;

		for (l = 1; l < err.line; l++)
			before = (size_t)((const uint8_t *)memchr(data + before, '\n',
							      size - before) - data) + 1;
		write_file(learnfile, data, before);
		r = tone_rules_load(learndir, &err);
		CHECK(r || strstr(err.msg, "needs examples"));
		tone_rules_free(r);
	}
}

static int config_status(int rc)
{
	return rc == CD_ERR_CONFIG || rc == CD_ERR_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tokenizer *tk;
	struct cd_config c;
	struct cd_error err;
	struct fact_sheet *fs = NULL;
	struct tone_rules *r;
	long lines = 1;
	size_t i;
	int rc;

	if (!tk) {
		struct tok_params tp;

		setup();
		tok_params_default(&tp);
		tk = tok_new(&tp, &err);
		CHECK(tk != NULL);
	}
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	write_file(ini, data, size);
	write_file(tonefile, data, size);
	write_file(learnfile, data, size);

	config_init(&c);
	memset(&err, 0, sizeof(err));
	rc = config_load(&c, ini, &err);
	if (rc) {
		CHECK(config_status(rc) && err.msg[0]);
		CHECK(err.line >= 0 && err.line <= lines);
	}
	check_config(&c);
	/* a half-life left out follows a long window: a file that names
	   none is never refused for one (corpus/config/long-window.ini) */
	if (rc && !contains(data, size, "half_life") &&
	    !contains(data, size, "half-life"))
		CHECK(!strstr(err.msg, "half-life") && !strstr(err.msg, "half_life"));
	if (rc && err.line > 1 && !strstr(err.msg, "NUL byte") &&
	    !strstr(err.msg, "line longer than") &&
	    !strstr(err.msg, "section name longer than")) {
		/*
		 * The error is the first: the lines before it load cleanly.
		 * (A NUL byte, a long line or a long section name anywhere is
		 * found by a first pass over the whole file, so those come
		 * before the rest.)
		 */
		size_t before = 0;
		long l;

		for (l = 1; l < err.line; l++)
			before = (size_t)((const uint8_t *)memchr(data + before, '\n',
							      size - before) - data) + 1;
		write_file(ini, data, before);
		config_init(&c);
		/*
		 * A check across keys made once the whole file is read
		 * (such as [crisis]'s half-lives against its window) may
		 * refuse the prefix; it names no line.  A line's error may
		 * not.
		 */
		rc = config_load(&c, ini, &err);
		CHECK(rc == 0 || err.line == 0);
		write_file(ini, data, size);
	}

	memset(&err, 0, sizeof(err));
	rc = facts_load(ini, tk, &fs, &err);
	if (rc) {
		CHECK((rc == CD_ERR_CONFIG || rc == CD_ERR_LIMIT) && err.msg[0]);
		CHECK(err.line >= 0 && err.line <= lines);
	} else {
		check_facts(fs, tk, data, size);
		facts_free(fs);
	}

	r = tone_rules_load(tonedir, &err);
	if (!r) {
		CHECK(err.msg[0]);
		CHECK(err.line >= 0 && err.line <= lines);
	} else {
		tone_rules_free(r);
	}

	fuzz_replies(tk, data, size, lines);
	return 0;
}

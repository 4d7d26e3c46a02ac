/*
 * test_journal.c - the review journal (core/journal.h): decisions survive
 * a reopen, each append is on disk when journal_append() returns, undo is
 * a compensating entry (the file only grows), a torn last line is passed
 * over with a warning and the next append starts on a fresh line, the
 * JSON fields are the SPEC's, bad input is refused without writing, and
 * the team's tally and "who decided" from memory match the lines.
 *
 * Every test works in its own temporary directory (under $TMPDIR or /tmp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <malloc.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "buf.h"
#include "journal.h"
#include "tone.h"

#define PATH_BYTES 1024
#define WARN_BYTES 1024
#define FIXED_TS "2026-11-26T12:00:00Z"

struct fixture {
	char dir[PATH_BYTES];
	char path[PATH_BYTES + 32];     /* dir/journal.jsonl */
};

/* ---- helpers ----------------------------------------------------------- */

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/candor-journal.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/journal.jsonl", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static struct fixture *fx_of(void **state)
{
	return *state;
}

/* The whole file as a NUL-terminated string (freed by the caller). */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static size_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Line k (1-based) of s, parsed as JSON; NULL when it is not JSON. */
static cJSON *json_line(const char *s, size_t k)
{
	const char *end;
	char *copy;
	cJSON *o;
	size_t i;

	for (i = 1; i < k; i++) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	end = strchr(s, '\n');
	assert_non_null(end);
	copy = strndup(s, (size_t)(end - s));
	assert_non_null(copy);
	o = cJSON_Parse(copy);
	free(copy);
	return o;
}

static const char *str_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static struct journal_entry entry(const char *id, const char *decision)
{
	struct journal_entry e;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.decision = decision;
	e.category = "complaint";
	e.template_id = "en/complaint/apologize-1";
	e.reply = "@ann We're sorry this happened.";
	e.approver = "tester";
	e.ts = FIXED_TS;
	return e;
}

static struct journal *open_ok(const char *path, char *warning)
{
	struct cd_error err;
	struct journal *j = journal_open(path, warning, WARN_BYTES, &err);

	if (!j)
		fail_msg("journal_open('%s'): %s", path, err.msg);
	return j;
}

static void append_ok(struct journal *j, const char *id, const char *decision)
{
	struct journal_entry e = entry(id, decision);
	struct cd_error err;

	if (journal_append(j, &e, &err))
		fail_msg("journal_append(%s, %s): %s", id, decision, err.msg);
}

static void append_raw(const char *path, const char *bytes)
{
	FILE *fp = fopen(path, "ab");

	assert_non_null(fp);
	assert_int_equal(fwrite(bytes, 1, strlen(bytes), fp), strlen(bytes));
	assert_int_equal(fclose(fp), 0);
}

static void assert_decision(const struct journal *j, const char *id,
			    const char *want)
{
	const char *got = journal_decision(j, id);

	if (!want && got)
		fail_msg("'%s' should be undecided, is '%s'", id, got);
	if (want && (!got || strcmp(got, want)))
		fail_msg("'%s' should be '%s', is '%s'", id, want,
			 got ? got : "(undecided)");
}

/* ---- tests ------------------------------------------------------------- */

/* What was appended stands after closing and opening the file again. */
static void test_append_and_reopen(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);

	assert_string_equal(warning, "");
	assert_int_equal(journal_decided(j), 0);
	assert_null(journal_last_id(j));
	assert_null(journal_decision(j, "a"));
	append_ok(j, "a", "approve");
	append_ok(j, "b", "hide");
	append_ok(j, "c", "reject");
	append_ok(j, "d", "skip");
	assert_int_equal(journal_decided(j), 4);
	journal_close(j);

	j = open_ok(fx->path, warning);
	assert_string_equal(warning, "");
	assert_int_equal(journal_decided(j), 4);
	assert_decision(j, "a", "approve");
	assert_decision(j, "b", "hide");
	assert_decision(j, "c", "reject");
	assert_decision(j, "d", "skip");
	assert_decision(j, "e", NULL);
	assert_string_equal(journal_last_id(j), "d");
	journal_close(j);
}

/*
 * Each decision is in the file when journal_append() returns: another
 * reader sees it at once, before the journal is closed (what a kill -9
 * right after the next screen would leave).
 */
static void test_each_append_is_on_disk(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char *const ids[] = { "7351", "7352", "7353" };
	static const char *const decisions[] = { "approve", "skip", "hide" };
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);
	size_t k, len;

	for (k = 0; k < 3; k++) {
		char *text;
		cJSON *o;

		append_ok(j, ids[k], decisions[k]);
		text = slurp(fx->path, &len);
		assert_int_equal(count_lines(text), k + 1);
		assert_true(len > 0 && text[len - 1] == '\n');
		o = json_line(text, k + 1);
		assert_non_null(o);
		assert_string_equal(str_field(o, "id"), ids[k]);
		assert_string_equal(str_field(o, "decision"), decisions[k]);
		cJSON_Delete(o);
		free(text);
	}
	journal_close(j);
}

/*
 * undo appends a compensating entry: the file only grows (what was there
 * stays byte for byte), the id goes back to its previous decision or to
 * undecided, and journal_last_id() moves back.
 */
static void test_undo_is_compensating(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);
	char *before, *after;
	size_t n_before, n_after;
	cJSON *o;

	append_ok(j, "a", "approve");
	append_ok(j, "a", "hide");      /* a second decision on the same id */
	append_ok(j, "b", "approve");
	assert_int_equal(journal_decided(j), 2);
	assert_string_equal(journal_last_id(j), "b");

	before = slurp(fx->path, &n_before);
	append_ok(j, "b", "undo");
	after = slurp(fx->path, &n_after);
	assert_true(n_after > n_before);
	assert_memory_equal(before, after, n_before);
	o = json_line(after, 4);
	assert_non_null(o);
	assert_string_equal(str_field(o, "id"), "b");
	assert_string_equal(str_field(o, "decision"), "undo");
	cJSON_Delete(o);
	free(before);
	free(after);
	assert_decision(j, "b", NULL);
	assert_int_equal(journal_decided(j), 1);
	assert_string_equal(journal_last_id(j), "a");

	/* a's hide goes, its approve stands again */
	append_ok(j, "a", "undo");
	assert_decision(j, "a", "approve");
	assert_int_equal(journal_decided(j), 1);
	assert_string_equal(journal_last_id(j), "a");
	append_ok(j, "a", "undo");
	assert_decision(j, "a", NULL);
	assert_int_equal(journal_decided(j), 0);
	assert_null(journal_last_id(j));

	/* nothing left to undo: harmless, the count does not wrap */
	append_ok(j, "a", "undo");
	assert_int_equal(journal_decided(j), 0);
	assert_int_equal(count_lines(after = slurp(fx->path, NULL)), 7);
	free(after);
	journal_close(j);

	/* the same state after a reopen */
	j = open_ok(fx->path, warning);
	assert_string_equal(warning, "");
	assert_int_equal(journal_decided(j), 0);
	assert_null(journal_last_id(j));
	assert_decision(j, "a", NULL);
	assert_decision(j, "b", NULL);
	journal_close(j);
}

/*
 * A crash in the middle of a write leaves half a line without a newline.
 * Opening passes over it with a warning naming file:line; the next append
 * starts on a fresh line, so the fragment stays a line of its own and the
 * file opens fine again afterwards.
 */
static void test_torn_last_line(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], want[PATH_BYTES + 64];
	struct journal *j = open_ok(fx->path, warning);
	char *text;
	cJSON *o;

	append_ok(j, "a", "approve");
	append_ok(j, "b", "skip");
	journal_close(j);
	append_raw(fx->path, "{\"id\":\"c\",\"decision\":\"appr");

	j = open_ok(fx->path, warning);
	snprintf(want, sizeof(want), "%s:3:", fx->path);
	if (strncmp(warning, want, strlen(want)))
		fail_msg("warning '%s' does not start with '%s'", warning, want);
	assert_int_equal(journal_decided(j), 2);
	assert_decision(j, "c", NULL);
	append_ok(j, "c", "approve");
	assert_decision(j, "c", "approve");

	text = slurp(fx->path, NULL);
	assert_int_equal(count_lines(text), 4);
	assert_null(json_line(text, 3));        /* the fragment, alone */
	o = json_line(text, 4);
	assert_non_null(o);
	assert_string_equal(str_field(o, "id"), "c");
	cJSON_Delete(o);
	free(text);
	journal_close(j);

	/* reopens: the same warning, every decision, appends still fine */
	j = open_ok(fx->path, warning);
	if (strncmp(warning, want, strlen(want)))
		fail_msg("warning '%s' does not start with '%s'", warning, want);
	assert_int_equal(journal_decided(j), 3);
	assert_decision(j, "a", "approve");
	assert_decision(j, "b", "skip");
	assert_decision(j, "c", "approve");
	append_ok(j, "d", "hide");
	journal_close(j);
	j = open_ok(fx->path, warning);
	assert_int_equal(journal_decided(j), 4);
	assert_decision(j, "d", "hide");
	text = slurp(fx->path, NULL);
	assert_int_equal(count_lines(text), 5);
	free(text);
	journal_close(j);
}

/* The warning buffer is optional: journal_open(path, NULL, 0, ...). */
static void test_torn_line_without_warning_buffer(void **state)
{
	struct fixture *fx = fx_of(state);
	struct cd_error err;
	struct journal *j;

	append_raw(fx->path, "{\"id\":\"a\",\"decision\":\"approve\"}\n{\"id\":\"b\",");
	j = journal_open(fx->path, NULL, 0, &err);
	assert_non_null(j);
	assert_int_equal(journal_decided(j), 1);
	journal_close(j);
}

/* A complete last entry that lost only its newline still counts. */
static void test_last_line_without_newline(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j;
	char *text;

	append_raw(fx->path, "{\"id\":\"a\",\"decision\":\"hide\"}");
	j = open_ok(fx->path, warning);
	assert_string_equal(warning, "");
	assert_decision(j, "a", "hide");
	append_ok(j, "b", "approve");
	text = slurp(fx->path, NULL);
	assert_int_equal(count_lines(text), 2);
	assert_true(!strncmp(text, "{\"id\":\"a\",\"decision\":\"hide\"}\n{\"id\":\"b\"",
			     38));
	free(text);
	journal_close(j);
}

/* A line that is not a decision (unknown decision, no id) is passed over. */
static void test_bad_line_in_the_middle(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], want[PATH_BYTES + 64];
	struct journal *j;

	append_raw(fx->path, "{\"id\":\"a\",\"decision\":\"approve\"}\n"
			     "{\"id\":\"b\",\"decision\":\"delete\"}\n"
			     "{\"decision\":\"approve\"}\n"
			     "{\"id\":\"c\",\"decision\":\"skip\"}\n");
	j = open_ok(fx->path, warning);
	snprintf(want, sizeof(want), "%s:2:", fx->path);
	if (strncmp(warning, want, strlen(want)))
		fail_msg("warning '%s' does not start with '%s'", warning, want);
	assert_int_equal(journal_decided(j), 2);
	assert_decision(j, "b", NULL);
	assert_decision(j, "c", "skip");
	journal_close(j);
}

/* Resume: the count and decisions a second session starts from. */
static void test_resume_counts(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);

	append_ok(j, "1", "approve");
	append_ok(j, "2", "approve");
	append_ok(j, "3", "skip");
	append_ok(j, "4", "hide");
	append_ok(j, "4", "undo");
	append_ok(j, "5", "reject");
	assert_int_equal(journal_decided(j), 4);
	journal_close(j);

	j = open_ok(fx->path, warning);
	assert_int_equal(journal_decided(j), 4);
	assert_decision(j, "3", "skip");
	assert_decision(j, "4", NULL);
	assert_string_equal(journal_last_id(j), "5");
	/* the next session decides 4 */
	append_ok(j, "4", "approve");
	assert_int_equal(journal_decided(j), 5);
	journal_close(j);
	j = open_ok(fx->path, warning);
	assert_int_equal(journal_decided(j), 5);
	journal_close(j);
}

/* An unknown decision is refused and nothing is written. */
static void test_unknown_decision_refused(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);
	struct journal_entry e;
	struct cd_error err;
	size_t size;

	append_ok(j, "a", "approve");
	size = file_size(fx->path);
	e = entry("b", "delete");
	assert_int_equal(journal_append(j, &e, &err), CD_ERR_USAGE);
	assert_non_null(strstr(err.msg, "'delete'"));
	e = entry("b", "");
	assert_int_equal(journal_append(j, &e, &err), CD_ERR_USAGE);
	assert_int_equal(file_size(fx->path), size);
	assert_int_equal(journal_decided(j), 1);
	assert_decision(j, "b", NULL);
	assert_string_equal(journal_last_id(j), "a");
	journal_close(j);
}

/*
 * An entry past JOURNAL_LINE_MAX is refused whole: nothing is written and
 * the decision does not count (a line without its reply, or cut in the
 * middle of a string, would be a decision lost on the next open).
 */
static void test_oversized_entry_refused(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j = open_ok(fx->path, warning);
	struct journal_entry e;
	struct cd_error err;
	char *big = malloc(JOURNAL_LINE_MAX);
	size_t size;

	assert_non_null(big);
	append_ok(j, "a", "approve");
	size = file_size(fx->path);

	/* too long at once */
	memset(big, 'x', JOURNAL_LINE_MAX - 1);
	big[JOURNAL_LINE_MAX - 1] = '\0';
	e = entry("b", "approve");
	e.reply = big;
	assert_int_equal(journal_append(j, &e, &err), CD_ERR_LIMIT);
	assert_int_equal(file_size(fx->path), size);
	assert_decision(j, "b", NULL);

	/* too long only once escaped (quotes double): cut mid-string */
	memset(big, '"', JOURNAL_LINE_MAX / 2 + 100);
	big[JOURNAL_LINE_MAX / 2 + 100] = '\0';
	e.reply = big;
	assert_int_equal(journal_append(j, &e, &err), CD_ERR_LIMIT);
	assert_int_equal(file_size(fx->path), size);
	assert_decision(j, "b", NULL);
	assert_int_equal(journal_decided(j), 1);
	free(big);
	journal_close(j);

	j = open_ok(fx->path, warning);
	assert_string_equal(warning, "");
	assert_int_equal(journal_decided(j), 1);
	journal_close(j);
}

static void keys_of(const cJSON *o, char *out, size_t n)
{
	const cJSON *c;

	out[0] = '\0';
	cJSON_ArrayForEach(c, o) {
		size_t l = strlen(out);

		snprintf(out + l, n - l, "%s%s", l ? "," : "", c->string);
	}
}

/*
 * The SPEC's fields, in order: id, decision, category, original_category
 * (only when a person changed it), template, reply, edited and override
 * (only when true), tone, approver, ts (RFC 3339 UTC, "Z"), text.
 */
static void test_json_fields(void **state)
{
	struct fixture *fx = fx_of(state);
	static const char reply[] = "Say \"hi\"\n\\ \xd0\xbf\xd1\x80\xd0\xb8 \xf0\x9f\xa7\xa1\x01";
	char warning[WARN_BYTES], keys[512], before[32], after[32];
	struct journal *j = open_ok(fx->path, warning);
	struct tone_result tone;
	struct journal_entry e;
	struct cd_error err;
	const cJSON *t, *f;
	regex_t rfc3339;
	char *text;
	cJSON *o;

	memset(&tone, 0, sizeof(tone));
	tone.score = 70;
	tone.n = 1;
	snprintf(tone.f[0].rule, sizeof(tone.f[0].rule), "blame");
	tone.f[0].severity = TONE_ERROR;
	snprintf(tone.f[0].message, sizeof(tone.f[0].message), "blames the customer");
	snprintf(tone.f[0].suggestion, sizeof(tone.f[0].suggestion), "say sorry");
	tone.f[0].start = 0;
	tone.f[0].end = 3;

	memset(&e, 0, sizeof(e));
	e.id = "7351";
	e.decision = "approve";
	e.category = "question";
	e.original_category = "complaint";
	e.template_id = "en/question/answer-1";
	e.reply = reply;
	e.edited = 1;
	e.override = 1;
	e.tone = &tone;
	e.approver = "ann";
	e.text = "is it safe?";
	e.ts = NULL;                    /* now */
	journal_now(before, sizeof(before));
	assert_int_equal(journal_append(j, &e, &err), 0);
	journal_now(after, sizeof(after));

	/* the plain case: nothing changed, nothing edited, no tone */
	memset(&e, 0, sizeof(e));
	e.id = "7352";
	e.decision = "skip";
	e.category = "fake_news";
	e.template_id = "";
	e.reply = "";
	e.approver = "bob";
	e.ts = FIXED_TS;
	assert_int_equal(journal_append(j, &e, &err), 0);
	journal_close(j);

	text = slurp(fx->path, NULL);
	o = json_line(text, 1);
	assert_non_null(o);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys, "id,decision,category,original_category,template,"
			    "reply,edited,override,tone,approver,ts,text");
	assert_string_equal(str_field(o, "id"), "7351");
	assert_string_equal(str_field(o, "decision"), "approve");
	assert_string_equal(str_field(o, "category"), "question");
	assert_string_equal(str_field(o, "original_category"), "complaint");
	assert_string_equal(str_field(o, "template"), "en/question/answer-1");
	assert_string_equal(str_field(o, "reply"), reply);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "edited")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "override")));
	assert_string_equal(str_field(o, "approver"), "ann");
	assert_string_equal(str_field(o, "text"), "is it safe?");
	t = cJSON_GetObjectItemCaseSensitive(o, "tone");
	assert_true(cJSON_IsObject(t));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "score")->valueint, 70);
	f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "issues"), 0);
	assert_non_null(f);
	assert_string_equal(str_field(f, "rule"), "blame");
	assert_string_equal(str_field(f, "severity"), "error");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(f, "end")->valueint, 3);

	/* ts: RFC 3339 in UTC with a Z, taken when the entry was written */
	assert_int_equal(regcomp(&rfc3339, "^[0-9]{4}-[01][0-9]-[0-3][0-9]T"
				 "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$",
				 REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&rfc3339, str_field(o, "ts"), 0, NULL, 0), 0);
	assert_true(strcmp(before, str_field(o, "ts")) <= 0);
	assert_true(strcmp(str_field(o, "ts"), after) <= 0);
	assert_int_equal(regexec(&rfc3339, before, 0, NULL, 0), 0);
	regfree(&rfc3339);
	cJSON_Delete(o);

	o = json_line(text, 2);
	assert_non_null(o);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys, "id,decision,category,template,reply,approver,ts");
	assert_string_equal(str_field(o, "ts"), FIXED_TS);
	assert_string_equal(str_field(o, "reply"), "");
	cJSON_Delete(o);
	free(text);
}

/*
 * Enough ids to grow the id table several times, with undone decisions
 * (dead history entries) spread among them: every id keeps its decision
 * through the growth and through a reopen.
 */
#define MANY 700                /* the table starts at 1024 slots, half full */
static void test_many_ids(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], id[32];
	struct journal *j = open_ok(fx->path, warning);
	size_t i, pass;

	for (i = 0; i < MANY; i++) {
		snprintf(id, sizeof(id), "id-%zu", i);
		append_ok(j, id, i % 2 ? "approve" : "skip");
		if (i % 7 == 0) {
			append_ok(j, id, "hide");
			append_ok(j, id, "undo");
		}
		if (i % 11 == 0)
			append_ok(j, id, "undo");
	}
	for (pass = 0; pass < 2; pass++) {
		size_t decided = 0;

		for (i = 0; i < MANY; i++) {
			snprintf(id, sizeof(id), "id-%zu", i);
			if (i % 11 == 0) {
				assert_decision(j, id, NULL);
				continue;
			}
			assert_decision(j, id, i % 2 ? "approve" : "skip");
			decided++;
		}
		assert_int_equal(journal_decided(j), decided);
		snprintf(id, sizeof(id), "id-%d", MANY - 1);
		assert_true((MANY - 1) % 11 != 0);
		assert_string_equal(journal_last_id(j), id);
		journal_close(j);
		j = open_ok(fx->path, warning);
		assert_string_equal(warning, "");
	}
	journal_close(j);
}

/*
 * A complete line longer than JOURNAL_LINE_MAX is named as such (it was
 * not torn by a crash) and the lines around it count; an over-long last
 * line without its newline is the torn case.
 */
static void test_long_line_is_named(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], want[PATH_BYTES + 160];
	size_t big = 2 * JOURNAL_LINE_MAX;
	char *line = malloc(big + 64);
	struct journal *j;
	size_t n;

	assert_non_null(line);
	n = (size_t)snprintf(line, 64, "{\"id\":\"b\",\"decision\":\"skip\",\"text\":\"");
	memset(line + n, 'x', big);
	strcpy(line + n + big, "\"}\n");
	append_raw(fx->path, "{\"id\":\"a\",\"decision\":\"approve\"}\n");
	append_raw(fx->path, line);
	append_raw(fx->path, "{\"id\":\"c\",\"decision\":\"hide\"}\n");
	j = open_ok(fx->path, warning);
	snprintf(want, sizeof(want), "%s: line 2 is longer than the limit "
		 "(1 MiB); ignoring it", fx->path);
	assert_string_equal(warning, want);
	assert_int_equal(journal_decided(j), 2);
	assert_decision(j, "a", "approve");
	assert_decision(j, "b", NULL);
	assert_decision(j, "c", "hide");
	journal_close(j);

	/* the same line torn (no newline) at the end: a crash mid-write */
	line[n + big + 2] = '\0';
	strcpy(fx->path + strlen(fx->path) - 6, ".torn");
	append_raw(fx->path, "{\"id\":\"a\",\"decision\":\"approve\"}\n");
	append_raw(fx->path, line);
	j = open_ok(fx->path, warning);
	snprintf(want, sizeof(want), "%s:2: ignoring a torn or malformed line "
		 "(candor was stopped while writing it)", fx->path);
	assert_string_equal(warning, want);
	assert_int_equal(journal_decided(j), 1);
	append_ok(j, "d", "reject");
	journal_close(j);
	j = open_ok(fx->path, warning);
	assert_int_equal(journal_decided(j), 2);
	assert_decision(j, "d", "reject");
	journal_close(j);
	unlink(fx->path);
	free(line);
}

/* Heap bytes in use (glibc); 0 under ASan, whose allocator it misses. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/*
 * Resuming keeps an index, not the lines: 40 decisions of almost 1 MiB
 * each (40 MB of file) take well under 4 MB, and the fields are still
 * there when asked for.
 */
#define FAT 40
static void test_memory_does_not_follow_the_file(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], id[32];
	size_t textn = JOURNAL_LINE_MAX - 4096, i, before, grew;
	char *text = malloc(textn + 1);
	struct journal_record rec;
	struct journal *j;

	assert_non_null(text);
	memset(text, 'y', textn);
	text[textn] = '\0';
	j = open_ok(fx->path, warning);
	for (i = 0; i < FAT; i++) {
		struct journal_entry e;
		struct cd_error err;

		snprintf(id, sizeof(id), "fat-%zu", i);
		e = entry(id, "approve");
		text[0] = (char)('A' + i % 26);
		e.text = text;
		e.reply = "thanks";
		if (journal_append(j, &e, &err))
			fail_msg("journal_append: %s", err.msg);
	}
	journal_close(j);

	before = heap_in_use();
	j = open_ok(fx->path, warning);
	grew = heap_in_use() - before;
	if (grew > 4u << 20)
		fail_msg("opening %d decisions of %zu bytes took %zu bytes", FAT,
			 textn, grew);
	assert_int_equal(journal_decided(j), FAT);
	assert_true(journal_get(j, "fat-7", &rec));
	assert_string_equal(rec.id, "fat-7");
	assert_string_equal(rec.reply, "thanks");
	assert_int_equal(strlen(rec.text), textn);
	assert_int_equal(rec.text[0], 'A' + 7);
	/* a second get keeps the first one's strings alive */
	{
		struct journal_record rec2;

		assert_true(journal_get(j, "fat-8", &rec2));
		assert_int_equal(rec2.text[0], 'A' + 8);
		assert_int_equal(rec.text[0], 'A' + 7);
		assert_string_equal(rec.reply, "thanks");
	}
	journal_close(j);
	free(text);
}

/*
 * Thousands of undos in the middle of the file (the index drops their
 * entries in a compaction): every decision, the count and the last id
 * stay right, in memory and after a reopen.
 */
#define UNDONE 6000
#define KEPT 3000
static void assert_tally(const struct journal *j, const char *me,
			 size_t want_mine);

static void test_many_undos(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], id[32], line[128];
	struct cd_buf b;
	struct journal *j;
	size_t i, pass, n_ana, n_cy;

	/* written raw: ten thousand fsynced appends would take minutes */
	cd_buf_init(&b, 4u << 20);
	for (i = 0; i < UNDONE + KEPT; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"u-%zu\",\"decision\":\"%s\","
			 "\"approver\":\"%s\"}\n", i, i % 3 ? "approve" : "skip",
			 i % 2 ? "ana" : "bo");
		assert_int_equal(cd_buf_addstr(&b, line), 0);
		if (i < UNDONE || i % 5 == 0) {
			/* stands over the first */
			snprintf(line, sizeof(line), "{\"id\":\"u-%zu\","
				 "\"decision\":\"hide\",\"approver\":\"cy\"}\n", i);
			assert_int_equal(cd_buf_addstr(&b, line), 0);
		}
	}
	for (i = 0; i < UNDONE; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"u-%zu\",\"decision\":\"undo\"}\n", i);
		assert_int_equal(cd_buf_addstr(&b, line), 0);
	}
	assert_int_equal(cd_buf_addch(&b, '\0'), 0);
	append_raw(fx->path, b.data);
	cd_buf_release(&b);
	j = open_ok(fx->path, warning);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < UNDONE + KEPT; i++) {
			const char *want = i % 3 ? "approve" : "skip";

			snprintf(id, sizeof(id), "u-%zu", i);
			if (i >= UNDONE && i % 5 == 0)
				want = "hide";
			assert_decision(j, id, want);
		}
		assert_int_equal(journal_decided(j), UNDONE + KEPT);
		/* the approvers moved with their decisions when compacted */
		for (i = 0, n_ana = 0, n_cy = 0; i < UNDONE + KEPT; i++) {
			if (pass && i >= UNDONE + KEPT - 2)
				continue;       /* the tester's since */
			if (i >= UNDONE && i % 5 == 0)
				n_cy++;
			else
				n_ana += i % 2;
		}
		assert_tally(j, "ana", n_ana);
		assert_tally(j, "cy", n_cy);
		assert_tally(j, "tester", pass ? 2 : 0);
		snprintf(id, sizeof(id), "u-%d", UNDONE + KEPT - 1);
		assert_string_equal(journal_last_id(j), id);
		/*
		 * A session undoes the last two (one decision each, both
		 * approve), then decides them again as they were.
		 */
		if (pass == 0) {
			char prev[32];

			snprintf(prev, sizeof(prev), "u-%d", UNDONE + KEPT - 2);
			append_ok(j, id, "undo");
			assert_decision(j, id, NULL);
			assert_string_equal(journal_last_id(j), prev);
			append_ok(j, prev, "undo");
			assert_decision(j, prev, NULL);
			assert_int_equal(journal_decided(j), UNDONE + KEPT - 2);
			append_ok(j, prev, "approve");
			append_ok(j, id, "approve");
		}
		journal_close(j);
		j = open_ok(fx->path, warning);
		assert_string_equal(warning, "");
	}
	journal_close(j);
}

/*
 * Lines the fast reader hands to cJSON (escapes in the id, a repeated
 * key, a BOM, bytes after the object) count exactly as cJSON reads them.
 */
static void test_lines_cjson_reads(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES];
	struct journal *j;

	append_raw(fx->path,
		   "{\"id\":\"q\\\"1\",\"decision\":\"approve\"}\n"
		   "{\"id\":\"caf\\u00e9\",\"decision\":\"hide\"}\n"
		   "{\"id\":\"d\",\"id\":\"e\",\"decision\":\"skip\",\"decision\":\"x\"}\n"
		   "{\"id\":7,\"id\":\"n\",\"decision\":\"skip\"}\n"
		   "\xef\xbb\xbf{\"id\":\"bom\",\"decision\":\"reject\"}\n"
		   "{\"id\":\"t\",\"decision\":\"approve\"} trailing\n"
		   "{\"id\":\"w\",\"decision\":\"approve\",\"n\":[1,2.5e3,{\"k\":null}]}\n"
		   "{\"i\\u0064\":\"esc\",\"decision\":\"approve\"}\n");
	j = open_ok(fx->path, warning);
	assert_decision(j, "q\"1", "approve");
	assert_decision(j, "caf\xc3\xa9", "hide");
	assert_decision(j, "d", "skip");
	assert_decision(j, "e", NULL);
	assert_decision(j, "n", NULL);
	assert_decision(j, "bom", "reject");
	assert_decision(j, "t", "approve");
	assert_decision(j, "w", "approve");
	assert_decision(j, "esc", "approve");
	assert_int_equal(journal_decided(j), 7);
	journal_close(j);
}

/* The team summary counted by journal_each(): every line read by cJSON. */
struct each_tally {
	const struct journal *j;
	const char *me;
	struct journal_tally t;
	size_t who_checked;
};

static int each_tally_one(void *ctx, const struct journal_record *rec)
{
	static const char *const kinds[] = {
		"approve", "skip", "hide", "reject", "escalate"
	};
	struct each_tally *e = ctx;
	const char *by = journal_decided_by(e->j, rec->id);
	size_t k;

	/* who decided it, as kept in memory = as cJSON reads the line */
	if (!(by == rec->approver || (by && rec->approver &&
				      !strcmp(by, rec->approver))))
		fail_msg("'%s': decided by '%s', the line says '%s'", rec->id,
			 by ? by : "(none)",
			 rec->approver ? rec->approver : "(none)");
	e->who_checked++;
	e->t.all++;
	if (rec->approver && !strcmp(rec->approver, e->me))
		e->t.mine++;
	for (k = 0; k < 5; k++)
		e->t.by_kind[k] += !strcmp(rec->decision, kinds[k]);
	return 0;
}

static void assert_tally(const struct journal *j, const char *me,
			 size_t want_mine)
{
	struct each_tally e;
	struct journal_tally t;
	size_t k;

	memset(&e, 0, sizeof(e));
	e.j = j;
	e.me = me;
	assert_int_equal(journal_each(j, each_tally_one, &e), 0);
	journal_tally(j, me, &t);
	assert_int_equal(t.all, e.t.all);
	assert_int_equal(t.all, journal_decided(j));
	for (k = 0; k < 5; k++)
		assert_int_equal(t.by_kind[k], e.t.by_kind[k]);
	if (t.mine != e.t.mine || t.mine != want_mine)
		fail_msg("'%s': journal_tally says %zu yours, journal_each %zu, "
			 "want %zu", me, t.mine, e.t.mine, want_mine);
}

/*
 * review's summary at quit (journal_tally) and "who decided this"
 * (journal_decided_by) from what the loader kept, the same as reading
 * every line back: names plain, escaped, through cJSON (a \u escape),
 * invalid UTF-8, absent, not a string, named twice; a later decision by
 * another over an earlier one, an undo bringing one back; more reviewers
 * than the loader names (the rest are read back); appended names.
 */
static void test_team_tally(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], line[160], id[16], who[16];
	struct journal_entry e;
	struct cd_error err;
	struct journal *j;
	int i;

	append_raw(fx->path,
		   "{\"id\":\"a1\",\"decision\":\"approve\",\"approver\":\"ana\"}\n"
		   "{\"id\":\"a2\",\"decision\":\"hide\",\"approver\":\"ana\"}\n"
		   "{\"id\":\"a3\",\"decision\":\"skip\",\"approver\":\"ana\"}\n"
		   "{\"id\":\"b1\",\"decision\":\"reject\",\"approver\":\"b\\\"o\"}\n"
		   "{\"id\":\"c1\",\"decision\":\"escalate\",\"approver\":\"caf\\u00e9\"}\n"
		   "{\"id\":\"c2\",\"decision\":\"approve\",\"approver\":\"caf\xc3\xa9\"}\n"
		   "{\"id\":\"x1\",\"decision\":\"approve\",\"approver\":\"\xff\\n\"}\n"
		   "{\"id\":\"x2\",\"decision\":\"approve\",\"approver\":\"\xff\\n\"}\n"
		   "{\"id\":\"n1\",\"decision\":\"approve\"}\n"
		   "{\"id\":\"n2\",\"decision\":\"skip\",\"approver\":7}\n"
		   "{\"id\":\"d1\",\"decision\":\"hide\",\"approver\":\"x\",\"approver\":\"ana\"}\n"
		   /* a1 taken over by bo, a2 too and then undone: ana's again */
		   "{\"id\":\"a1\",\"decision\":\"skip\",\"approver\":\"bo\"}\n"
		   "{\"id\":\"a2\",\"decision\":\"reject\",\"approver\":\"bo\"}\n"
		   "{\"id\":\"a2\",\"decision\":\"undo\",\"approver\":\"bo\"}\n");
	/* 300 reviewers: the loader names 254, reads the others back */
	for (i = 0; i < 300; i++) {
		snprintf(line, sizeof(line), "{\"id\":\"z%d\",\"decision\":\"%s\","
			 "\"approver\":\"z%d\"}\n", i, i % 2 ? "hide" : "approve",
			 i % 150);
		append_raw(fx->path, line);
	}
	j = open_ok(fx->path, warning);
	assert_string_equal(warning, "");
	assert_tally(j, "ana", 2);              /* a2, a3 (d1's is x) */
	assert_tally(j, "bo", 1);
	assert_tally(j, "b\"o", 1);
	assert_tally(j, "caf\xc3\xa9", 2);
	assert_tally(j, "\xff\n", 2);
	assert_tally(j, "x", 1);
	assert_tally(j, "z3", 2);
	assert_tally(j, "nobody", 0);
	/* appended by this process, then by others (the loader's names full) */
	memset(&e, 0, sizeof(e));
	e.decision = "approve";
	e.ts = FIXED_TS;
	for (i = 0; i < 260; i++) {
		snprintf(id, sizeof(id), "p%d", i);
		snprintf(who, sizeof(who), i % 2 ? "w%d" : "\xd0\xb0\xd0\xbd\xd0\xb0", i);
		e.id = id;
		e.approver = who;
		if (journal_append(j, &e, &err))
			fail_msg("append: %s", err.msg);
	}
	e.id = "a3";
	e.approver = "tab\there";
	assert_int_equal(journal_append(j, &e, &err), 0);
	assert_tally(j, "\xd0\xb0\xd0\xbd\xd0\xb0", 130);
	assert_tally(j, "w259", 1);
	assert_tally(j, "tab\there", 1);
	assert_tally(j, "ana", 1);
	journal_close(j);
	j = open_ok(fx->path, warning);
	assert_tally(j, "\xd0\xb0\xd0\xbd\xd0\xb0", 130);
	assert_tally(j, "w259", 1);
	assert_tally(j, "tab\there", 1);
	assert_tally(j, "ana", 1);
	assert_tally(j, "z149", 2);
	journal_close(j);
}

static void test_open_errors(void **state)
{
	struct fixture *fx = fx_of(state);
	char warning[WARN_BYTES], path[PATH_BYTES + 32];
	struct cd_error err;

	snprintf(path, sizeof(path), "%s/no/such/dir/j.jsonl", fx->dir);
	assert_null(journal_open(path, warning, sizeof(warning), &err));
	assert_non_null(strstr(err.msg, "cannot open journal '"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
	assert_null(journal_open(fx->dir, warning, sizeof(warning), &err));
	assert_non_null(strstr(err.msg, fx->dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_append_is_on_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undo_is_compensating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_line_without_warning_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_line_without_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_line_in_the_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_decision_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_entry_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_does_not_follow_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_undos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_cjson_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_team_tally, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

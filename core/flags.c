/*
 * flags.c - see flags.h.  The lists go into one phrase set (core/phrase.h)
 * with a group per flag and one for the negations; a comment is matched
 * once and each flag's first match that no negation cancels counts.
 */
#include "flags.h"
#include "phrase.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>

#define GROUP_NEGATION FLAGS_N
#define MATCH_MAX 256

static const char *const names[FLAGS_N] = { "safety", "legal", "press" };

struct flag_lists {
	struct phrase_set *ph;
};

const char *flags_name(unsigned flag)
{
	size_t i;

	for (i = 0; i < FLAGS_N; i++)
		if (flag == 1u << i)
			return names[i];
	return "";
}

static int load_lang(struct flag_lists *fl, struct tokenizer *tk,
		     const char *dir, const char *lang, struct cd_error *err)
{
	char path[4096];
	size_t g;
	int found = 0, rc = 0;

	for (g = 0; !rc && g <= FLAGS_N; g++) {
		int n = snprintf(path, sizeof(path), "%s/%s/%s.txt", dir, lang,
				 g < FLAGS_N ? names[g] : "negation");

		if (n < 0 || (size_t)n >= sizeof(path))
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "path '%s/%s' longer than %zu bytes",
					    dir, lang, sizeof(path) - 1);
		rc = phrase_set_load(fl->ph, tk, NULL, path, (unsigned)g,
				     &found, err);
	}
	return rc;
}

int flags_load(const char *dir, struct tokenizer *tk, struct flag_lists **out,
	       struct cd_error *err)
{
	struct flag_lists *fl;
	struct dirent *de;
	char sub[4096];
	size_t nlangs = 0;
	DIR *d;
	int rc = 0;

	*out = NULL;
	d = opendir(dir);
	if (!d)
		return cd_error_set(err, CD_ERR_NOINPUT, 0, "cannot open '%s': %s",
				    dir, strerror(errno));
	fl = calloc(1, sizeof(*fl));
	if (fl)
		fl->ph = phrase_set_new(0);
	if (!fl || !fl->ph) {
		closedir(d);
		flags_free(fl);
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	}
	while (!rc && (de = readdir(d))) {
		struct stat st;
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(sub) || stat(sub, &st) ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (++nlangs > FLAGS_LANGS_MAX)
			rc = cd_error_set(err, CD_ERR_LIMIT, 0,
					  "%s: more than %d language folders",
					  dir, FLAGS_LANGS_MAX);
		else
			rc = load_lang(fl, tk, dir, de->d_name, err);
	}
	closedir(d);
	if (!rc)
		rc = phrase_set_build(fl->ph, err);
	if (rc) {
		flags_free(fl);
		return rc == CD_ERR_NOMEM || rc == CD_ERR_LIMIT ? rc :
		       CD_ERR_CONFIG;
	}
	*out = fl;
	return 0;
}

void flags_free(struct flag_lists *fl)
{
	if (!fl)
		return;
	phrase_set_free(fl->ph);
	free(fl);
}

size_t flags_count(const struct flag_lists *fl)
{
	return fl ? phrase_set_count(fl->ph) : 0;
}

unsigned flags_match(const struct flag_lists *fl, const struct tokenizer *tk,
		     const char *text, size_t len, struct flags_result *out)
{
	struct phrase_word w[FLAGS_WORDS_MAX];

	if (!fl || !tk) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return flags_match_words(fl, w, phrase_words(tk, text, len, w,
						     FLAGS_WORDS_MAX), out);
}

unsigned flags_match_words(const struct flag_lists *fl, struct phrase_word *w,
			   size_t n, struct flags_result *out)
{
	struct phrase_match m[MATCH_MAX];
	size_t nm, i;

	memset(out, 0, sizeof(*out));
	if (!fl || !w)
		return 0;
	nm = phrase_match(fl->ph, w, n, m, MATCH_MAX, NULL, NULL, NULL);
	for (i = 0; i < nm; i++) {
		unsigned g = m[i].group;

		if (g >= FLAGS_N || (out->flags & (1u << g)) ||
		    phrase_negated(w, m, nm, m[i].from, GROUP_NEGATION,
				   FLAGS_NEG_WINDOW))
			continue;
		out->flags |= 1u << g;
		out->span[g].start = w[m[i].from].bs;
		out->span[g].end = w[m[i].to - 1].be;
		out->line[g] = phrase_line(fl->ph, m[i].phrase);
	}
	return out->flags;
}

/*
 * templates.c - see templates.h.
 *
 * Loading walks the three directory levels, reads each file whole (capped
 * at TPL_FILE_MAX), checks it is UTF-8, parses it with mustache_parse()
 * and then reads the metadata comment off the front of the source.  The
 * set is sorted by (lang, category, name), so the variants of a category
 * are neighbours and tpl_choose() only has to find where they start.
 */
#include "templates.h"
#include "text.h"
#include "tokenize.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PATH_BYTES 1024                 /* a template's path */
#define META_OPEN "{{!"

struct tpl {
	char *strs;             /* one block: id, path, intent, requires, and
				   lang, category, name, topics,
				   NUL-separated */
	const char *id, *path, *intent, *requires, *topics;
	const char *lang, *category, *name;
	struct mustache_template *mt;
};

/* The templates of one lang + category: v[first, first + n). */
struct tpl_group {
	const char *lang, *category;
	size_t first, n;
};

struct tpl_set {
	struct tpl *v;
	size_t n, cap;
	struct tpl_group *groups;       /* one per lang + category, in order */
	size_t ngroups;
};

/* ---- small helpers ----------------------------------------------------- */

static int nomem(struct cd_error *err)
{
	return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
}

static int is_hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Line and column (in code points, 1-based) of byte off in src. */
static void position(const char *src, size_t off, long *line, long *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (src[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)src[i] & 0xC0) != 0x80) {
			++*col;
		}
	}
}

/* A path component fit for an id: ASCII letters, digits, '-', '_', '.'. */
static int good_part(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > TPL_PART_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n > k && !strcmp(s + n - k, suf);
}

static int is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int join(char *out, const char *a, const char *b, struct cd_error *err)
{
	int n = snprintf(out, PATH_BYTES, "%s/%s", a, b);

	if (n < 0 || n >= PATH_BYTES)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "path '%s/%s' longer than %d bytes", a, b,
				    PATH_BYTES - 1);
	return 0;
}

/* ---- one template ------------------------------------------------------ */

/* Read path whole into a malloc'd NUL-terminated buffer, at most the cap. */
static int read_file(const char *path, char **out, size_t *len,
		     struct cd_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!fp)
		return cd_error_set(err, CD_ERR_NOINPUT, 0,
				    "cannot open '%s': %s", path,
				    strerror(errno));
	buf = malloc(TPL_FILE_MAX + 2);
	if (!buf) {
		fclose(fp);
		return nomem(err);
	}
	n = fread(buf, 1, TPL_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s': %s",
				    path, strerror(errno));
	}
	fclose(fp);
	if (n > TPL_FILE_MAX) {
		free(buf);
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "%s: template larger than %d bytes", path,
				    TPL_FILE_MAX);
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* [s, e) without blanks at either end. */
static void trim(const char **s, const char **e)
{
	size_t n = (size_t)(*e - *s);

	text_trim_span(s, &n);
	*e = *s + n;
}

/* Check each name in requires[s, e) is a known variable. */
static int check_requires(const char *src, const char *s, const char *e,
			  const char *path, struct cd_error *err)
{
	char name[TPL_PART_MAX * 2];
	long line, col;

	while (s < e) {
		const char *w;
		size_t n;

		while (s < e && (is_hspace(*s) || *s == ','))
			s++;
		for (w = s; s < e && !is_hspace(*s) && *s != ','; s++)
			;
		n = (size_t)(s - w);
		if (!n)
			continue;
		if (n < sizeof(name)) {
			memcpy(name, w, n);
			name[n] = '\0';
			if (tpl_known_variable(name))
				continue;
		}
		position(src, (size_t)(w - src), &line, &col);
		return cd_error_setc(err, CD_ERR_DATA, line, col,
				     "%s:%ld:%ld: unknown variable '%.*s' in "
				     "requires", path, line, col,
				     (int)(n > 64 ? 64 : n), w);
	}
	return 0;
}

/*
 * Find the metadata comment at the start of src: the text after "intent:"
 * and after "requires:", each up to the end of its line.
 */
static int read_meta(const char *src, size_t len, const char *path,
		     const char **intent, size_t *intent_len,
		     const char **req, size_t *req_len,
		     const char **topics, size_t *topics_len,
		     struct cd_error *err)
{
	const char *end, *p, *s, *e;
	int have_intent = 0, have_req = 0;
	long line, col;

	if (len < 3 || memcmp(src, META_OPEN, 3))
		return cd_error_setc(err, CD_ERR_DATA, 1, 1,
				     "%s:1:1: missing the metadata comment "
				     "'{{! intent: ... requires: ... }}' at the "
				     "start", path);
	end = strstr(src + 3, "}}");
	if (!end)                       /* mustache_parse caught this */
		end = src + len;
	for (p = src + 3; p < end; p = e + (e < end)) {
		for (e = p; e < end && *e != '\n'; e++)
			;
		s = p;
		while (s < e && is_hspace(*s))
			s++;
		if ((size_t)(e - s) >= 7 && !memcmp(s, "intent:", 7)) {
			const char *v = s + 7, *ve = e;

			trim(&v, &ve);
			*intent = v;
			*intent_len = (size_t)(ve - v);
			have_intent = 1;
			if (!*intent_len) {
				position(src, (size_t)(s - src), &line, &col);
				return cd_error_setc(err, CD_ERR_DATA, line, col,
						     "%s:%ld:%ld: empty intent",
						     path, line, col);
			}
		} else if ((size_t)(e - s) >= 9 && !memcmp(s, "requires:", 9)) {
			const char *v = s + 9, *ve = e;
			int rc;

			trim(&v, &ve);
			rc = check_requires(src, v, ve, path, err);
			if (rc)
				return rc;
			*req = v;
			*req_len = (size_t)(ve - v);
			have_req = 1;
		} else if ((size_t)(e - s) >= 7 && !memcmp(s, "topics:", 7)) {
			const char *v = s + 7, *ve = e;

			trim(&v, &ve);
			if (ve > v && ve[-1] == '}' && ve - v >= 2 && ve[-2] == '}')
				ve -= 2;        /* "topics: x }}" on the last line */
			trim(&v, &ve);
			*topics = v;
			*topics_len = (size_t)(ve - v);
		}
	}
	if (!have_intent || !have_req)
		return cd_error_setc(err, CD_ERR_DATA, 1, 1,
				     "%s:1:1: the metadata comment has no '%s' "
				     "line", path,
				     have_intent ? "requires:" : "intent:");
	return 0;
}

struct var_check {
	const char *path;
	struct cd_error *err;
};

/* mustache_each_name() callback: an unknown variable is a load error. */
static int check_var(void *ctx, const char *name, enum mustache_tag kind,
		     long line, long col)
{
	struct var_check *vc = ctx;

	(void)kind;
	if (tpl_known_variable(name))
		return 0;
	return cd_error_setc(vc->err, CD_ERR_DATA, line, col,
			     "%s:%ld:%ld: unknown variable '%.64s'", vc->path,
			     line, col, name);
}

/* Build t from the file at path: dir/lang/category/name.mustache. */
static int load_one(struct tpl *t, const char *path, const char *lang,
		    const char *category, const char *name,
		    struct cd_error *err)
{
	const char *intent = NULL, *req = NULL, *topics = "";
	size_t len = 0, ilen = 0, rlen = 0, tlen = 0, bad = 0;
	struct var_check vc;
	struct cd_buf b;
	char *src = NULL;
	long line, col;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = read_file(path, &src, &len, err);
	if (rc)
		return rc;
	if (tok_utf8_check(src, len, &bad)) {
		position(src, bad, &line, &col);
		free(src);
		return cd_error_setc(err, CD_ERR_DATA, line, col,
				     "%s:%ld:%ld: invalid UTF-8", path, line,
				     col);
	}
	rc = mustache_parse(src, len, &t->mt, err);
	if (rc) {
		free(src);
		if (rc == CD_ERR_DATA && err) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			return cd_error_setc(err, rc, err->line, err->col,
					     "%s:%ld:%ld: %s", path, err->line,
					     err->col, msg);
		}
		return rc;
	}
	rc = read_meta(src, len, path, &intent, &ilen, &req, &rlen, &topics,
		       &tlen, err);
	if (!rc) {
		/* an unknown variable fails here, before the first comment */
		vc.path = path;
		vc.err = err;
		rc = mustache_each_name(t->mt, check_var, &vc);
	}
	if (!rc) {
		cd_buf_init(&b, 4 * PATH_BYTES + TPL_FILE_MAX);
		/* id, path, intent, requires, lang, category, name */
		if (cd_buf_addf(&b, "%s/%s/%s", lang, category, name) ||
		    cd_buf_add(&b, "", 1) || cd_buf_addstr(&b, path) ||
		    cd_buf_add(&b, "", 1) || cd_buf_add(&b, intent, ilen) ||
		    cd_buf_add(&b, "", 1) || cd_buf_add(&b, req, rlen) ||
		    cd_buf_add(&b, "", 1) || cd_buf_addstr(&b, lang) ||
		    cd_buf_add(&b, "", 1) || cd_buf_addstr(&b, category) ||
		    cd_buf_add(&b, "", 1) || cd_buf_addstr(&b, name) ||
		    cd_buf_add(&b, "", 1) || cd_buf_add(&b, topics, tlen)) {
			cd_buf_release(&b);
			rc = nomem(err);
		} else {
			const char *p;

			t->strs = b.data;
			t->id = p = t->strs;
			t->path = p += strlen(p) + 1;
			t->intent = p += strlen(p) + 1;
			t->requires = p += strlen(p) + 1;
			t->lang = p += strlen(p) + 1;
			t->category = p += strlen(p) + 1;
			t->name = p += strlen(p) + 1;
			t->topics = p += strlen(p) + 1;
		}
	}
	free(src);
	if (rc) {
		mustache_free(t->mt);
		t->mt = NULL;
	}
	return rc;
}

static void release_one(struct tpl *t)
{
	mustache_free(t->mt);
	free(t->strs);
}

/* ---- the set ----------------------------------------------------------- */

/* Load path, the file `file` in dir/lang/category, into the set. */
static int add(struct tpl_set *s, const char *path, const char *lang,
	       const char *category, const char *file, struct cd_error *err)
{
	char name[TPL_PART_MAX + 1];
	size_t n = strlen(file) - strlen(".mustache");
	const char *bad = NULL;
	int rc;

	if (n >= sizeof(name)) {
		bad = file;
	} else {
		memcpy(name, file, n);
		name[n] = '\0';
		bad = !good_part(lang) ? lang : !good_part(category) ? category :
		      !good_part(name) ? file : NULL;
	}
	if (bad)
		return cd_error_set(err, CD_ERR_DATA, 0,
				    "%s: bad name '%s' (use at most %d letters, "
				    "digits, '-', '_' and '.')", path, bad,
				    TPL_PART_MAX);
	if (s->n == TPL_MAX)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d templates", TPL_MAX);
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct tpl *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return nomem(err);
		s->v = v;
		s->cap = cap;
	}
	rc = load_one(&s->v[s->n], path, lang, category, name, err);
	if (!rc)
		s->n++;
	return rc;
}

/* opendir, or NULL with err saying why. */
static DIR *open_dir(const char *path, struct cd_error *err)
{
	DIR *d = opendir(path);

	if (!d)
		cd_error_set(err, CD_ERR_NOINPUT, 0, "cannot open '%s': %s", path,
			     strerror(errno));
	return d;
}

/* dir/lang/category: every *.mustache file in it. */
static int scan_category(struct tpl_set *s, const char *dir, const char *lang,
			 const char *category, struct cd_error *err)
{
	char ldir[PATH_BYTES], path[PATH_BYTES], file[PATH_BYTES];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (join(ldir, dir, lang, err) || join(path, ldir, category, err))
		return CD_ERR_LIMIT;
	if (!(d = open_dir(path, err)))
		return CD_ERR_NOINPUT;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !has_suffix(de->d_name, ".mustache"))
			continue;
		rc = join(file, path, de->d_name, err);
		if (!rc && is_dir(file))
			continue;
		if (!rc)
			rc = add(s, file, lang, category, de->d_name, err);
	}
	closedir(d);
	return rc;
}

/* A .mustache file where no template belongs is a mistake to report. */
static int misplaced(const char *path, struct cd_error *err)
{
	return cd_error_set(err, CD_ERR_DATA, 0,
			    "%s: a template belongs in "
			    "<lang>/<category>/<name>.mustache", path);
}

/* dir/lang: every category directory in it. */
static int scan_lang(struct tpl_set *s, const char *dir, const char *lang,
		     struct cd_error *err)
{
	char path[PATH_BYTES], sub[PATH_BYTES];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (join(path, dir, lang, err))
		return CD_ERR_LIMIT;
	if (!(d = open_dir(path, err)))
		return CD_ERR_NOINPUT;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		rc = join(sub, path, de->d_name, err);
		if (rc)
			break;
		if (is_dir(sub))
			rc = scan_category(s, dir, lang, de->d_name, err);
		else if (has_suffix(de->d_name, ".mustache"))
			rc = misplaced(sub, err);
	}
	closedir(d);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	const struct tpl *x = a, *y = b;
	int c = strcmp(x->lang, y->lang);

	if (!c)
		c = strcmp(x->category, y->category);
	return c ? c : strcmp(x->name, y->name);
}

/*
 * Index the sorted templates by lang + category, so that choosing one per
 * comment scans a dozen groups rather than every template.  0 or
 * CD_ERR_NOMEM.
 */
static int make_groups(struct tpl_set *s)
{
	size_t i;

	s->groups = calloc(s->n ? s->n : 1, sizeof(*s->groups));
	if (!s->groups)
		return CD_ERR_NOMEM;
	s->ngroups = 0;
	for (i = 0; i < s->n; i++) {
		struct tpl_group *g = s->ngroups ? &s->groups[s->ngroups - 1] :
						   NULL;

		if (g && !strcmp(g->lang, s->v[i].lang) &&
		    !strcmp(g->category, s->v[i].category)) {
			g->n++;
			continue;
		}
		g = &s->groups[s->ngroups++];
		g->lang = s->v[i].lang;
		g->category = s->v[i].category;
		g->first = i;
		g->n = 1;
	}
	return 0;
}

struct tpl_set *tpl_load(const char *dir, struct cd_error *err)
{
	struct tpl_set *s;
	char sub[PATH_BYTES];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (!dir) {
		cd_error_set(err, CD_ERR_USAGE, 0, "no templates directory");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		nomem(err);
		return NULL;
	}
	d = opendir(dir);
	if (!d) {
		cd_error_set(err, CD_ERR_NOINPUT, 0, "cannot open '%s': %s", dir,
			     strerror(errno));
		free(s);
		return NULL;
	}
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		rc = join(sub, dir, de->d_name, err);
		if (rc)
			break;
		if (is_dir(sub))
			rc = scan_lang(s, dir, de->d_name, err);
		else if (has_suffix(de->d_name, ".mustache"))
			rc = misplaced(sub, err);
	}
	closedir(d);
	if (!rc && !s->n)
		rc = cd_error_set(err, CD_ERR_DATA, 0,
				  "no templates in '%s' (expected "
				  "<lang>/<category>/<name>.mustache)", dir);
	if (rc) {
		tpl_free(s);
		return NULL;
	}
	qsort(s->v, s->n, sizeof(*s->v), by_id);
	if (make_groups(s)) {
		tpl_free(s);
		nomem(err);
		return NULL;
	}
	for (rc = 0; rc < (int)s->ngroups; rc++)
		if (s->groups[rc].n > TPL_VARIANTS_MAX) {
			cd_error_set(err, CD_ERR_LIMIT, 0,
				     "%s/%s/%s: more than %d variants", dir,
				     s->groups[rc].lang, s->groups[rc].category,
				     TPL_VARIANTS_MAX);
			tpl_free(s);
			return NULL;
		}
	return s;
}

void tpl_free(struct tpl_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		release_one(&s->v[i]);
	free(s->v);
	free(s->groups);
	free(s);
}

size_t tpl_count(const struct tpl_set *s)
{
	return s ? s->n : 0;
}

const struct tpl *tpl_at(const struct tpl_set *s, size_t i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

const struct tpl *tpl_find(const struct tpl_set *s, const char *id)
{
	size_t i;

	for (i = 0; s && id && i < s->n; i++)
		if (!strcmp(s->v[i].id, id))
			return &s->v[i];
	return NULL;
}

const char *tpl_id(const struct tpl *t) { return t->id; }
const char *tpl_lang(const struct tpl *t) { return t->lang; }
const char *tpl_category(const struct tpl *t) { return t->category; }
const char *tpl_name(const struct tpl *t) { return t->name; }
const char *tpl_path(const struct tpl *t) { return t->path; }
const char *tpl_intent(const struct tpl *t) { return t->intent; }
const char *tpl_requires(const struct tpl *t) { return t->requires; }
const char *tpl_topics(const struct tpl *t) { return t->topics; }

const struct mustache_template *tpl_template(const struct tpl *t)
{
	return t->mt;
}

/* ---- choosing ---------------------------------------------------------- */

/*
 * The splitmix64 finaliser (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014): every input bit flips
 * each output bit with probability close to 1/2, so ids 1, 2, 3, ... land
 * on the variants evenly.
 */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* a equals b; inline, since most pairs differ in the first byte */
static int same_str(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* The first template of lang + category and how many follow it. */
static size_t group(const struct tpl_set *s, const char *lang,
		    const char *category, size_t *first)
{
	size_t i;

	for (i = 0; i < s->ngroups; i++)
		if (same_str(s->groups[i].category, category) &&
		    same_str(s->groups[i].lang, lang)) {
			*first = s->groups[i].first;
			return s->groups[i].n;
		}
	return 0;
}

/*
 * The group of lang + category, with the en fallback of tpl_choose():
 * its first index into *first and its size (0: none).
 */
static size_t find_group(const struct tpl_set *s, const char *lang,
			 const char *category, size_t *first, int *fell_back)
{
	char primary[TPL_PART_MAX + 1];
	size_t n = 0;

	if (text_primary_lang(lang, primary, sizeof(primary)))
		primary[0] = '\0';
	if (lang && *lang)
		n = group(s, lang, category, first);
	if (!n && *primary && strcmp(primary, lang))
		n = group(s, primary, category, first);
	if (!n) {
		n = group(s, "en", category, first);
		if (n && fell_back && strcmp(primary, "en"))
			*fell_back = 1;
	}
	return n;
}

static uint64_t choice_hash(const char *id, const char *text, size_t text_len)
{
	if (!id)
		id = "";
	if (!text)
		text_len = 0;
	return mix64(mix64(tok_hash(id, strlen(id))) ^
		     tok_hash(text ? text : "", text_len));
}

const struct tpl *tpl_choose(const struct tpl_set *s, const char *lang,
			     const char *category, const char *id,
			     const char *text, size_t text_len,
			     unsigned variant_offset, int *fell_back)
{
	return tpl_choose_if(s, lang, category, id, text, text_len,
			     variant_offset, NULL, NULL, NULL, fell_back);
}

const struct tpl *tpl_choose_if(const struct tpl_set *s, const char *lang,
				const char *category, const char *id,
				const char *text, size_t text_len,
				unsigned variant_offset,
				int (*fit)(void *ctx, const struct tpl *t),
				void *ctx, size_t *eligible, int *fell_back)
{
	size_t first = 0, n, i, k = 0, best = 0, pick;
	int level[TPL_VARIANTS_MAX];
	uint64_t h;

	if (fell_back)
		*fell_back = 0;
	if (eligible)
		*eligible = 0;
	if (!s || !category)
		return NULL;
	n = find_group(s, lang, category, &first, fell_back);
	if (!n)
		return NULL;
	if (n > sizeof(level) / sizeof(level[0]))
		n = sizeof(level) / sizeof(level[0]);
	/* the best fit level present wins; its variants share the rotation */
	for (i = 0; i < n; i++) {
		level[i] = fit ? fit(ctx, &s->v[first + i]) : 1;
		if (level[i] > (int)best) {
			best = (size_t)level[i];
			k = 0;
		}
		if (level[i] > 0 && (size_t)level[i] == best)
			k++;
	}
	if (!best)
		return NULL;
	if (eligible)
		*eligible = k;
	h = choice_hash(id, text, text_len);
	pick = (size_t)((h % k + variant_offset % k) % k);
	for (i = 0; i < n; i++)
		if ((size_t)level[i] == best && pick-- == 0)
			return &s->v[first + i];
	return NULL;                    /* not reached */
}

/* The value data holds for a dotted name ("brand.faq_url"), or NULL. */
static const cJSON *lookup(const cJSON *data, const char *name, size_t n)
{
	char part[TPL_PART_MAX + 1];
	const cJSON *o = data;

	while (o && n) {
		size_t k = 0;

		while (k < n && name[k] != '.')
			k++;
		if (k >= sizeof(part))
			return NULL;
		memcpy(part, name, k);
		part[k] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, part);
		name += k;
		n -= k;
		if (n) {
			name++;
			n--;
		}
	}
	return o;
}

int tpl_requires_met(const struct tpl *t, const cJSON *data, char *missing,
		     size_t size)
{
	const char *s = t->requires;

	if (missing && size)
		missing[0] = '\0';
	while (*s) {
		const char *w;
		const cJSON *v;

		while (*s && (is_hspace(*s) || *s == ',' || *s == '\n'))
			s++;
		for (w = s; *s && !is_hspace(*s) && *s != ',' && *s != '\n'; s++)
			;
		if (s == w)
			continue;
		v = lookup(data, w, (size_t)(s - w));
		if (v && !cJSON_IsNull(v) && !cJSON_IsFalse(v) &&
		    !(cJSON_IsString(v) && !v->valuestring[0]))
			continue;
		if (missing && size)
			snprintf(missing, size, "%.*s", (int)(s - w), w);
		return 0;
	}
	return 1;
}

/* ---- rendering --------------------------------------------------------- */

static int tight_before(char c)
{
	return c == ',' || c == '.' || c == '!' || c == '?';
}

/*
 * Tidy s[0..n) in place (the result is never longer): see tpl_render().
 * Returns the new length.
 */
static size_t tidy(char *s, size_t n)
{
	size_t i, j, o = 0, newlines = 0;
	int space = 0;

	for (i = 0; i < n;) {
		char c = s[i];

		if (is_hspace(c)) {
			space = 1;
			i++;
			continue;
		}
		if (c == '\n') {
			newlines++;
			space = 0;
			i++;
			continue;
		}
		if (o) {
			if (newlines) {
				s[o++] = '\n';
				if (newlines > 1)
					s[o++] = '\n';
			} else if (space && !tight_before(c)) {
				s[o++] = ' ';
			}
		}
		newlines = 0;
		space = 0;
		/*
		 * c and the bytes after it up to the next space or line break
		 * are kept as they are: move the run in one step.
		 */
		for (j = i + 1; j < n && !is_hspace(s[j]) && s[j] != '\n'; j++)
			;
		if (o != i)
			memmove(s + o, s + i, j - i);
		o += j - i;
		i = j;
	}
	return o;
}

/* rc from rendering t, with the template's id put before err's message */
static int render_failed(const struct tpl *t, int rc, struct cd_error *err)
{
	char msg[sizeof(err->msg)];

	if (!err)
		return rc;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return cd_error_setc(err, rc, err->line, err->col, "template '%s': %s",
			     t->id, msg);
}

int tpl_render(const struct tpl *t, const cJSON *data, size_t max_bytes,
	       struct cd_buf *out, struct cd_error *err)
{
	struct mustache_opts opts = { MUSTACHE_ESCAPE_NONE, NULL, NULL, 0, 0 };
	struct cd_buf raw;
	size_t n, max;
	int rc;

	if (!t || !out)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "tpl_render: missing argument");
	if (!max_bytes)
		max_bytes = TPL_RENDER_MAX;
	if (!out->len && out->max >= max_bytes) {
		/*
		 * out is empty and has room for the longest render (suggest
		 * and batch, once per comment): render straight into it under
		 * the same limit, with no buffer per reply, and tidy in place,
		 * which only ever shortens.
		 */
		max = out->max;
		out->max = max_bytes;
		rc = mustache_render(t->mt, data, &opts, out, err);
		out->max = max;
		if (rc) {
			cd_buf_reset(out);
			return render_failed(t, rc, err);
		}
		if (out->data) {
			out->len = tidy(out->data, out->len);
			out->data[out->len] = '\0';
		}
		return 0;
	}
	cd_buf_init(&raw, max_bytes);
	rc = mustache_render(t->mt, data, &opts, &raw, err);
	if (rc) {
		cd_buf_release(&raw);
		return render_failed(t, rc, err);
	}
	n = raw.data ? tidy(raw.data, raw.len) : 0;
	rc = cd_buf_add(out, raw.data ? raw.data : "", n);
	cd_buf_release(&raw);
	if (rc == CD_ERR_LIMIT)
		return cd_error_set(err, rc, 0,
				    "template '%s': reply exceeds %zu bytes",
				    t->id, out->max);
	return rc ? nomem(err) : 0;
}

/* ---- data -------------------------------------------------------------- */

/*
 * Add name: s[0..n) to o unless it is empty; 0 or CD_ERR_NOMEM.  A string
 * that is NUL-terminated at n is referenced, not copied (the data lives
 * only while one reply renders, and its sources outlive that).
 */
static int add_str(cJSON *o, const char *name, const char *s, size_t n)
{
	cJSON *v;
	char *copy;

	if (!s || !n)
		return 0;
	if (s[n] == '\0' && !memchr(s, '\0', n)) {
		v = cJSON_CreateStringReference(s);
		if (!v || !cJSON_AddItemToObjectCS(o, name, v)) {
			cJSON_Delete(v);
			return CD_ERR_NOMEM;
		}
		return 0;
	}
	copy = malloc(n + 1);
	if (!copy)
		return CD_ERR_NOMEM;
	memcpy(copy, s, n);
	copy[n] = '\0';
	v = cJSON_CreateString(copy);
	free(copy);
	if (!v || !cJSON_AddItemToObjectCS(o, name, v)) {
		cJSON_Delete(v);
		return CD_ERR_NOMEM;
	}
	return 0;
}

static int add_cstr(cJSON *o, const char *name, const char *s)
{
	return add_str(o, name, s, s ? strlen(s) : 0);
}

/* Add o2 to o as name, or drop it when it is empty. */
static int add_object(cJSON *o, const char *name, cJSON *o2)
{
	if (!o2->child) {
		cJSON_Delete(o2);
		return 0;
	}
	if (!cJSON_AddItemToObjectCS(o, name, o2)) {
		cJSON_Delete(o2);
		return CD_ERR_NOMEM;
	}
	return 0;
}

cJSON *tpl_data_new(const struct comment *c, const char *lang,
		    const char *category, const struct cd_config *cfg,
		    const struct fact *f)
{
	cJSON *d = cJSON_CreateObject(), *o;
	int rc = 0;

	if (!d)
		return NULL;
	if (c) {
		const char *author = c->author;

		while (author && *author == '@')
			author++;
		rc |= add_cstr(d, "author", author);
		rc |= add_cstr(d, "id", c->id);
		rc |= add_str(d, "text", c->text, c->text ? c->text_len : 0);
	}
	rc |= add_cstr(d, "lang", lang);
	rc |= add_cstr(d, "category", category);
	if (cfg) {
		o = cJSON_CreateObject();
		if (!o)
			goto fail;
		rc |= add_cstr(o, "name", cfg->brand.name);
		rc |= add_cstr(o, "handle", cfg->brand.handle);
		rc |= add_cstr(o, "support_url", cfg->brand.support_url);
		rc |= add_cstr(o, "faq_url", cfg->brand.faq_url);
		rc |= add_object(d, "brand", o);
	}
	if (f) {
		o = cJSON_CreateObject();
		if (!o)
			goto fail;
		rc |= add_cstr(o, "statement", f->statement);
		rc |= add_cstr(o, "source_url", f->source_url);
		rc |= add_object(d, "fact", o);
	}
	if (!rc)
		return d;
fail:
	cJSON_Delete(d);
	return NULL;
}

/* ---- reusable data ---------------------------------------------------- */

enum { D_AUTHOR, D_ID, D_TEXT, D_LANG, D_CATEGORY, D_NAME, D_HANDLE,
       D_SUPPORT, D_FAQ, D_STATEMENT, D_SOURCE, D_ITEMS };

struct tpl_data {
	cJSON root, brand, fact;
	cJSON item[D_ITEMS];
	struct cd_buf text;     /* the comment text, when not NUL-terminated */
};

struct tpl_data *tpl_data_alloc(void)
{
	static const char *const names[D_ITEMS] = {
		"author", "id", "text", "lang", "category", "name", "handle",
		"support_url", "faq_url", "statement", "source_url"
	};
	struct tpl_data *d = calloc(1, sizeof(*d));
	size_t i;

	if (!d)
		return NULL;
	d->root.type = cJSON_Object;
	d->brand.type = cJSON_Object | cJSON_StringIsConst;
	d->brand.string = (char *)"brand";
	d->fact.type = cJSON_Object | cJSON_StringIsConst;
	d->fact.string = (char *)"fact";
	for (i = 0; i < D_ITEMS; i++) {
		d->item[i].type = cJSON_String | cJSON_IsReference |
				  cJSON_StringIsConst;
		d->item[i].string = (char *)names[i];
	}
	cd_buf_init(&d->text, SIZE_MAX / 2);
	return d;
}

void tpl_data_free(struct tpl_data *d)
{
	if (!d)
		return;
	cd_buf_release(&d->text);
	free(d);
}

/* Append item to parent's children (cJSON: the first child's prev is the
 * last child). */
static void link_child(cJSON *parent, cJSON *item)
{
	item->next = NULL;
	if (!parent->child) {
		parent->child = item;
		item->prev = item;
		return;
	}
	item->prev = parent->child->prev;
	parent->child->prev->next = item;
	parent->child->prev = item;
}

/* Link item with value s[0..n) under parent, unless it is empty. */
static void put_str(cJSON *parent, cJSON *item, const char *s, size_t n)
{
	if (!s || !n)
		return;
	item->valuestring = (char *)s;
	link_child(parent, item);
}

static void put_cstr(cJSON *parent, cJSON *item, const char *s)
{
	put_str(parent, item, s, s ? strlen(s) : 0);
}

const cJSON *tpl_data_fill(struct tpl_data *d, const struct comment *c,
			   const char *lang, const char *category,
			   const struct cd_config *cfg, const struct fact *f)
{
	d->root.child = NULL;
	d->brand.child = NULL;
	d->fact.child = NULL;
	if (c) {
		const char *author = c->author, *text = c->text;
		size_t n = c->text ? c->text_len : 0;

		while (author && *author == '@')
			author++;
		put_cstr(&d->root, &d->item[D_AUTHOR], author);
		put_cstr(&d->root, &d->item[D_ID], c->id);
		if (n && (text[n] != '\0' || memchr(text, '\0', n))) {
			/* as tpl_data_new: a C string of the bytes */
			cd_buf_reset(&d->text);
			if (cd_buf_add(&d->text, text, n))
				return NULL;
			text = d->text.data;
		}
		put_str(&d->root, &d->item[D_TEXT], text, n);
	}
	put_cstr(&d->root, &d->item[D_LANG], lang);
	put_cstr(&d->root, &d->item[D_CATEGORY], category);
	if (cfg) {
		put_cstr(&d->brand, &d->item[D_NAME], cfg->brand.name);
		put_cstr(&d->brand, &d->item[D_HANDLE], cfg->brand.handle);
		put_cstr(&d->brand, &d->item[D_SUPPORT], cfg->brand.support_url);
		put_cstr(&d->brand, &d->item[D_FAQ], cfg->brand.faq_url);
		if (d->brand.child)
			link_child(&d->root, &d->brand);
	}
	if (f) {
		put_cstr(&d->fact, &d->item[D_STATEMENT], f->statement);
		put_cstr(&d->fact, &d->item[D_SOURCE], f->source_url);
		if (d->fact.child)
			link_child(&d->root, &d->fact);
	}
	return &d->root;
}

/* ---- language and variables ------------------------------------------- */

int tpl_known_variable(const char *name)
{
	static const char *const known[] = {
		".", "author", "id", "text", "lang", "category",
		"brand", "brand.name", "brand.handle", "brand.support_url",
		"brand.faq_url",
		"fact", "fact.statement", "fact.source_url", NULL
	};
	size_t i;

	for (i = 0; name && known[i]; i++)
		if (!strcmp(name, known[i]))
			return 1;
	return 0;
}

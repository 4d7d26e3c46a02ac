/*
 * cmd_init.c - `candor init DIR [--brand NAME] [--lang en,ru]`: a new
 * brand's starting kit.
 *
 * Copies the shipped kit (config/kit/: a commented candor.ini, an empty
 * fact sheet, a README and neutral templates for every category and flag)
 * into DIR, with the brand's name filled in.  The .mustache files of the
 * kit's top level are rendered (brand, langs); the templates are copied as
 * they are.  Nothing is ever overwritten: every target is checked before
 * the first file is written, and each file is created with O_EXCL, so a
 * second run, or a race with another, fails instead of losing edits.
 */
#include "cli.h"
#include "mustache.h"
#include "readfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INIT_FILE_MAX   (64 * 1024)     /* bytes in one kit file */
#define INIT_FILES_MAX  512
#define EXIT_CANTCREAT  73              /* sysexits.h: will not overwrite */
#define PATH_BUF        4096

static const char usage_init[] =
"usage: candor init DIR [--brand NAME] [--lang en,ru]\n"
"\n"
"Writes a new brand's starting kit into DIR (created if needed): candor.ini\n"
"(every setting, commented), an empty fact sheet facts.ini with an example,\n"
"neutral reply templates for every category and flag, and a README saying\n"
"what to edit first.  Existing files are never overwritten: if any would be,\n"
"nothing is written.\n"
"\n"
"      --brand NAME   the brand's name in the config and replies\n"
"                     (default: the folder's name)\n"
"      --lang LIST    template languages, comma-separated (default en,ru)\n"
"  -h, --help         this help\n"
"\n"
"Then: export CANDOR_CONFIG=DIR/candor.ini, edit candor.ini and facts.ini,\n"
"and run `candor templates check`.  Exit status 73 when a file exists.\n";

struct kit_file {
	char src[PATH_BUF];
	char dst[PATH_BUF];
	int render;             /* a top-level .mustache: fill in the brand */
};

struct kit {
	struct kit_file *f;
	size_t n;
};

static int add_file(struct kit *k, const char *src, const char *dst,
		    int render)
{
	struct kit_file *f;

	if (k->n == INIT_FILES_MAX) {
		cli_err("the kit has more than %d files", INIT_FILES_MAX);
		return EXIT_SOFTWARE;
	}
	f = &k->f[k->n++];
	if ((size_t)snprintf(f->src, sizeof(f->src), "%s", src) >=
	    sizeof(f->src) ||
	    (size_t)snprintf(f->dst, sizeof(f->dst), "%s", dst) >=
	    sizeof(f->dst)) {
		cli_err("path too long: '%s'", dst);
		return EXIT_USAGE;
	}
	f->render = render;
	return 0;
}

/* out = a/b in PATH_BUF bytes (out may be a); -1 when too long. */
static int path_join(char *out, const char *a, const char *b)
{
	char tmp[PATH_BUF];
	int n = snprintf(tmp, sizeof(tmp), "%s/%s", a, b);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	memcpy(out, tmp, (size_t)n + 1);
	return 0;
}

static int too_long(const char *path)
{
	cli_err("path too long under '%s'", path);
	return EXIT_USAGE;
}

/* Add every file below src (a kit folder) as dst/..., sorted by name. */
static int add_tree(struct kit *k, const char *src, const char *dst)
{
	struct dirent **names;
	char s[PATH_BUF], d[PATH_BUF];
	struct stat st;
	int i, n, rc = 0;

	n = scandir(src, &names, NULL, alphasort);
	if (n < 0) {
		cli_err("cannot read the kit folder '%s': %s", src,
			strerror(errno));
		return EXIT_CONFIG;
	}
	for (i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (!rc && name[0] != '.') {
			if (path_join(s, src, name) || path_join(d, dst, name))
				rc = too_long(dst);
			else if (stat(s, &st))
				rc = EXIT_CONFIG;
			else if (S_ISDIR(st.st_mode))
				rc = add_tree(k, s, d);
			else
				rc = add_file(k, s, d, 0);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* mkdir -p for the folders above path. */
static int make_parents(const char *path)
{
	char tmp[4096], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0777) && errno != EEXIST) {
			cli_err("cannot create '%s': %s", tmp, strerror(errno));
			return EXIT_IO;
		}
		*p = '/';
	}
	return 0;
}

/* The bytes to write for f: rendered with data, or the file as it is. */
static char *contents(const struct kit_file *f, const cJSON *data,
		      size_t *len, int *code)
{
	struct mustache_opts o = { MUSTACHE_ESCAPE_NONE, NULL, NULL, 0, 0 };
	struct mustache_template *t;
	struct cd_error err;
	struct cd_buf out;
	char *src = cli_read_file(f->src, INIT_FILE_MAX, len, code);

	if (!src || !f->render)
		return src;
	if (mustache_parse(src, *len, &t, &err)) {
		cli_err("%s:%ld:%ld: %s", f->src, err.line, err.col, err.msg);
		free(src);
		*code = EXIT_CONFIG;
		return NULL;
	}
	free(src);
	cd_buf_init(&out, INIT_FILE_MAX);
	if (mustache_render(t, data, &o, &out, &err)) {
		cli_err("%s: %s", f->src, err.msg);
		mustache_free(t);
		cd_buf_release(&out);
		*code = EXIT_CONFIG;
		return NULL;
	}
	mustache_free(t);
	*len = out.len;
	return out.data;        /* a cd_buf's data is malloc'd */
}

static int write_new(const struct kit_file *f, const cJSON *data)
{
	size_t len = 0;
	int code = 0, fd, rc = 0;
	char *s = contents(f, data, &len, &code);

	if (!s)
		return code;
	if ((rc = make_parents(f->dst)) != 0) {
		free(s);
		return rc;
	}
	fd = open(f->dst, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		cli_err("cannot create '%s': %s", f->dst, strerror(errno));
		free(s);
		return errno == EEXIST ? EXIT_CANTCREAT : EXIT_IO;
	}
	if (write(fd, s, len) != (ssize_t)len || fsync(fd)) {
		cli_err("cannot write '%s': %s", f->dst, strerror(errno));
		rc = EXIT_IO;
	}
	if (close(fd) && !rc) {
		cli_err("cannot write '%s': %s", f->dst, strerror(errno));
		rc = EXIT_IO;
	}
	free(s);
	return rc;
}

/* "en,ru" -> a list of known languages; 0 or EXIT_USAGE. */
static int parse_langs(const char *s, char langs[][3], size_t *n)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		size_t k = strcspn(p, ", ");

		if (k) {
			if (k != 2 || (strncmp(p, "en", 2) && strncmp(p, "ru", 2)))
				return cli_usage_error("init", "--lang takes en "
						       "and ru, not '%.*s'",
						       (int)k, p);
			if (*n < 2 && !(*n == 1 && !strncmp(langs[0], p, 2))) {
				memcpy(langs[*n], p, 2);
				langs[(*n)++][2] = '\0';
			}
		}
		p += k;
		p += strspn(p, ", ");
	}
	if (!*n)
		return cli_usage_error("init", "--lang names no language");
	return 0;
}

static int plan(struct kit *k, const char *kitdir, const char *dir,
		char langs[][3], size_t nlangs)
{
	static const struct { const char *src, *dst; int render; } top[] = {
		{ "candor.ini.mustache", "candor.ini", 1 },
		{ "facts.ini", "facts.ini", 0 },
		{ "README.mustache", "README", 1 },
	};
	char s[PATH_BUF], d[PATH_BUF];
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < sizeof(top) / sizeof(top[0]); i++) {
		if (path_join(s, kitdir, top[i].src) ||
		    path_join(d, dir, top[i].dst))
			return too_long(dir);
		rc = add_file(k, s, d, top[i].render);
	}
	for (i = 0; !rc && i < nlangs; i++) {
		if (path_join(s, kitdir, "templates") || path_join(s, s, langs[i]) ||
		    path_join(d, dir, "templates") || path_join(d, d, langs[i]))
			return too_long(dir);
		rc = add_tree(k, s, d);
	}
	return rc;
}

/* The folder's own name, for the default brand. */
static const char *base_name(const char *dir, char *buf, size_t n)
{
	size_t len = strlen(dir);
	const char *slash;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	snprintf(buf, n, "%.*s", (int)len, dir);
	slash = strrchr(buf, '/');
	return slash && slash[1] ? slash + 1 : buf;
}

int cmd_init(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "brand", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *brand = NULL, *lang_arg = "en,ru", *dir;
	char langs[2][3], kitdir[4096], namebuf[4096], list[16];
	struct kit k = { NULL, 0 };
	struct stat st;
	cJSON *data = NULL;
	size_t nlangs, i;
	int opt, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': brand = optarg; break;
		case 'h': fputs(usage_init, stdout); return EXIT_OK;
		default: return cli_usage_error("init", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("init", "give one DIR");
	dir = argv[optind];
	if (c->lang && strcmp(c->lang, "auto"))
		lang_arg = c->lang;     /* --lang is parsed with the globals */
	if ((rc = parse_langs(lang_arg, langs, &nlangs)) != 0)
		return rc;
	if (!brand)
		brand = base_name(dir, namebuf, sizeof(namebuf));
	if (!*brand || strchr(brand, '\n') || strlen(brand) >= CONFIG_STR)
		return cli_usage_error("init", "--brand must be one line of at "
				       "most %d bytes", CONFIG_STR - 1);
	if (cli_find_data("config/kit", kitdir, sizeof(kitdir))) {
		cli_err("cannot find the starting kit (config/kit)");
		return EXIT_CONFIG;
	}
	cli_info(c, "kit: %s", kitdir);
	k.f = calloc(INIT_FILES_MAX, sizeof(*k.f));
	if (!k.f)
		return EXIT_SOFTWARE;
	rc = plan(&k, kitdir, dir, langs, nlangs);
	/* refuse before writing anything */
	for (i = 0; !rc && i < k.n; i++) {
		if (!lstat(k.f[i].dst, &st)) {
			cli_err("'%s' exists; candor init never overwrites a file "
				"(move it away or choose another folder)",
				k.f[i].dst);
			rc = EXIT_CANTCREAT;
		}
	}
	snprintf(list, sizeof(list), "%s%s%s", langs[0], nlangs > 1 ? ", " : "",
		 nlangs > 1 ? langs[1] : "");
	data = cJSON_CreateObject();
	if (!rc && (!data || !cJSON_AddStringToObject(data, "brand", brand) ||
		    !cJSON_AddStringToObject(data, "langs", list)))
		rc = EXIT_SOFTWARE;
	for (i = 0; !rc && i < k.n; i++)
		rc = write_new(&k.f[i], data);
	if (!rc && !c->quiet)
		fprintf(stderr, "candor: wrote %zu files to %s; edit %s/candor.ini "
			"and %s/facts.ini next (see %s/README)\n", k.n, dir, dir,
			dir, dir);
	cJSON_Delete(data);
	free(k.f);
	return rc;
}

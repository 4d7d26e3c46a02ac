/* inifile.c - see inifile.h. */
#include "inifile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

struct ctx {
	FILE *fp;
	long line;              /* lines handed to inih so far */
	inifile_fn fn;
	void *user;
	struct cd_error *err;
	int status;
};

static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	char *s = fgets(str, num, c->fp);
	size_t n;
	int ch;

	if (!s)
		return NULL;
	c->line++;
	/*
	 * Fix (found by tests/fuzz/fuzz_config.c): inih's buffer holds
	 * INIFILE_LINE_MAX bytes and the NUL, so a line of exactly that many
	 * bytes (or one followed by CRs, which check_lines() lets past the
	 * limit) came back without its newline, the rest of its line end
	 * was read as a line of its own, and every later line number was one
	 * too high.  All that can be left of such a line is CRs and the
	 * newline, which inih would strip anyway: consume them here.
	 */
	n = strlen(s);
	if (n && s[n - 1] != '\n') {
		while ((ch = getc(c->fp)) == '\r')
			;
		if (ch != '\n' && ch != EOF)
			ungetc(ch, c->fp);
	}
	return s;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct ctx *c = user;
	int rc;

	/*
	 * Fix (seen while fuzzing, checked by tests/fuzz/fuzz_config.c): inih
	 * goes on after a handler fails, so each later bad key overwrote err
	 * and the last error was reported instead of the first.  Keep the
	 * first.
	 */
	if (c->status)
		return 0;
	rc = c->fn(c->user, section, name, value, c->line, c->err);
	if (rc) {
		c->status = rc;
		return 0;
	}
	return 1;
}

/* Refuse lines inih would cut; also catch NUL bytes. */
static int check_lines(FILE *fp, const char *path, struct cd_error *err)
{
	long line = 1, len = 0, sec = -1;       /* sec: bytes of a [name] */
	int ch, lead = 1;

	while ((ch = getc(fp)) != EOF) {
		if (ch == '\n') {
			line++;
			len = 0;
			sec = -1;
			lead = 1;
			continue;
		}
		if (ch == '\0')
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: NUL byte in the file", path,
					    line);
		if (++len > INIFILE_LINE_MAX && ch != '\r')
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: line longer than %d bytes "
					    "(put long lists in a separate file)",
					    path, line, INIFILE_LINE_MAX);
		/* inih cuts a section name silently: [category.<long name>] */
		if (sec >= 0 && ch == ']')
			sec = -2;
		else if (sec >= 0 && ++sec > INIFILE_SECTION_MAX)
			return cd_error_set(err, CD_ERR_CONFIG, line,
					    "%s:%ld: section name longer than "
					    "%d bytes", path, line,
					    INIFILE_SECTION_MAX);
		else if (lead && ch == '[')
			sec = 0;
		if (ch != ' ' && ch != '\t')
			lead = 0;
	}
	if (ferror(fp))
		return cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s': %s",
				    path, strerror(errno));
	rewind(fp);
	return 0;
}

int inifile_parse(const char *path, inifile_fn fn, void *user,
		  struct cd_error *err)
{
	struct ctx c = { NULL, 0, fn, user, err, 0 };
	int rc;

	c.fp = fopen(path, "r");
	if (!c.fp)
		return cd_error_set(err, CD_ERR_NOINPUT, 0,
				    "cannot open '%s': %s", path, strerror(errno));
	rc = check_lines(c.fp, path, err);
	if (rc) {
		fclose(c.fp);
		return rc;
	}
	rc = ini_parse_stream(reader, &c, handler, &c);
	fclose(c.fp);
	/*
	 * Fix (found by tests/fuzz/fuzz_config.c): report the first error.
	 * inih's rc is its first bad line, a failed key included, so a
	 * malformed line before the failed key is the one to report.
	 */
	if (c.status && !(rc > 0 && rc < err->line))
		return c.status;
	if (rc > 0)
		return cd_error_set(err, CD_ERR_CONFIG, rc,
				    "%s:%d: malformed line (expected "
				    "[section] or key = value)", path, rc);
	if (rc < 0)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "cannot parse '%s'",
				    path);
	return 0;
}

int inifile_each_item(const char *value,
		      int (*fn)(void *ctx, const char *item, size_t len),
		      void *ctx)
{
	const char *p = value;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n;
		int rc;

		if (!e)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n && (rc = fn(ctx, p, n)) != 0)
			return rc;
		p = *e ? e + 1 : e;
	}
	return 0;
}

/* readfile.c - see readfile.h. */
#include "readfile.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_read_file(const char *path, size_t max, size_t *len, int *code)
{
	int is_stdin = !strcmp(path, "-");
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	char *buf;
	size_t n;

	if (!fp) {
		cli_err("cannot open '%s': %s", path, strerror(errno));
		*code = EXIT_NOINPUT;
		return NULL;
	}
	buf = malloc(max + 2);
	if (!buf) {
		*code = EXIT_SOFTWARE;
		if (!is_stdin)
			fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, max + 1, fp);
	if (ferror(fp) || n > max) {
		if (n > max)
			cli_err("'%s' is larger than %zu bytes",
				cli_input_name(path), max);
		else
			cli_err("cannot read '%s': %s", path, strerror(errno));
		*code = n > max ? EXIT_DATA : EXIT_IO;
		free(buf);
		if (!is_stdin)
			fclose(fp);
		return NULL;
	}
	if (!is_stdin)
		fclose(fp);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

FILE *cli_stdin_copy(void)
{
	char buf[65536];
	FILE *fp = tmpfile();
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, n, fp) != n)
			break;
	if (ferror(stdin) || ferror(fp) || fflush(fp)) {
		fclose(fp);
		errno = errno ? errno : EIO;
		return NULL;
	}
	rewind(fp);
	return fp;
}

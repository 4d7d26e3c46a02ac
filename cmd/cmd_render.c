/*
 * cmd_render.c - `candor render TEMPLATE --data JSON`: render one Mustache
 * template, for template authors and for the Mustache spec tests.
 */
#include "cli.h"
#include "jsonr.h"
#include "mustache.h"
#include "readfile.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RENDER_SOURCE_MAX (1u << 20)
#define RENDER_OUTPUT_MAX (16u << 20)

static const char usage_render[] =
"usage: candor render TEMPLATE --data JSON [options]\n"
"\n"
"Renders the Mustache template in the file TEMPLATE (`-`: stdin) with the\n"
"JSON data and writes the result to stdout.\n"
"\n"
"  -d, --data JSON        the data: a JSON text, or @FILE to read it from FILE\n"
"  -p, --partials DIR     {{> name}} loads DIR/name.mustache (default: the\n"
"                         template's own folder)\n"
"  -e, --escape MODE      none (plain text, as candor's replies; the default)\n"
"                         or html (as the Mustache spec)\n"
"  -h, --help             this help\n"
"\n"
"Parse errors name the file, line and column.\n";

struct partials {
	const char *dir;
};

/* DIR/name.mustache; names with '/' or starting with '.' are refused. */
static char *load_partial(void *ctx, const char *name)
{
	const struct partials *p = ctx;
	char path[4096];
	size_t len;
	int code;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.mustache", p->dir, name) >=
	    sizeof(path))
		return NULL;
	if (access(path, R_OK))
		return NULL;            /* a missing partial renders empty */
	return cli_read_file(path, RENDER_SOURCE_MAX, &len, &code);
}

int cmd_render(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "partials", required_argument, NULL, 'p' },
		{ "escape", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mustache_opts mo;
	struct mustache_template *t = NULL;
	struct partials parts;
	struct cd_error err;
	struct cd_buf out;
	const char *data_arg = NULL, *tpath, *json;
	char *src, *data_text = NULL, dir[4096];
	cJSON *data;
	size_t len;
	int opt, code = 0, rc;

	(void)c;
	memset(&mo, 0, sizeof(mo));
	mo.escape = MUSTACHE_ESCAPE_NONE;
	parts.dir = NULL;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "hd:p:e:", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': data_arg = optarg; break;
		case 'p': parts.dir = optarg; break;
		case 'e':
			if (!strcmp(optarg, "html"))
				mo.escape = MUSTACHE_ESCAPE_HTML;
			else if (!strcmp(optarg, "none"))
				mo.escape = MUSTACHE_ESCAPE_NONE;
			else
				return cli_usage_error("render", "--escape must be "
						       "html or none");
			break;
		case 'h': fputs(usage_render, stdout); return EXIT_OK;
		default: return cli_usage_error("render", "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("render", "give one TEMPLATE file");
	tpath = argv[optind];
	if (!parts.dir) {
		const char *slash = strrchr(tpath, '/');

		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - tpath) : 1,
			 slash ? tpath : ".");
		parts.dir = dir;
	}
	if (data_arg && data_arg[0] == '@') {
		data_text = cli_read_file(data_arg + 1, RENDER_SOURCE_MAX, &len,
					  &code);
		if (!data_text)
			return code;
	}
	json = data_text ? data_text : data_arg ? data_arg : "{}";
	data = cJSON_Parse(json);
	if (!data && jsonr_too_deep(json, strlen(json), cJSON_GetErrorPtr())) {
		cli_err("%s: JSON data nested deeper than %d levels", data_text ?
			data_arg + 1 : "--data", CJSON_NESTING_LIMIT);
		free(data_text);
		return EXIT_DATA;
	}
	if (!data) {
		cli_err("%s: invalid JSON data near '%.20s'", data_text ?
			data_arg + 1 : "--data", cJSON_GetErrorPtr() ?
			cJSON_GetErrorPtr() : "");
		free(data_text);
		return EXIT_DATA;
	}
	free(data_text);
	src = cli_read_file(tpath, RENDER_SOURCE_MAX, &len, &code);
	if (!src) {
		cJSON_Delete(data);
		return code;
	}
	rc = mustache_parse(src, len, &t, &err);
	free(src);
	if (rc) {
		cli_err("%s:%ld:%ld: %s", tpath, err.line, err.col, err.msg);
		cJSON_Delete(data);
		return EXIT_DATA;
	}
	mo.partial = load_partial;
	mo.partial_ctx = &parts;
	cd_buf_init(&out, RENDER_OUTPUT_MAX);
	rc = mustache_render(t, data, &mo, &out, &err);
	if (rc)
		cli_err("%s: %s", tpath, err.msg);
	else
		cli_write(out.data, out.len);
	cd_buf_release(&out);
	mustache_free(t);
	cJSON_Delete(data);
	return rc ? EXIT_DATA : EXIT_OK;
}

/*
 * cmd_tone.c - `candor tone [FILE|-] | --text T`: lint one reply.
 *
 * The whole of FILE (or T) is one reply.  Prints each finding with its
 * rule, severity, message and suggestion, and the reply's line with a
 * caret under the span; `--json` prints the SPEC's tone object instead.
 * Exits 1 when an error-level finding exists.
 */
#include "cli.h"
#include "color.h"
#include "readfile.h"
#include "tone.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TONE_REPLY_MAX 65536

static const char usage_tone[] =
"usage: candor tone [options] [FILE|-]\n"
"       candor tone [options] --text REPLY\n"
"\n"
"Checks a reply before it is posted: length for the channel, leftover\n"
"placeholders, ALL CAPS, repeated '!', blame, defensiveness, dismissive or\n"
"sarcastic phrases, insults, absolute promises, running down a competitor,\n"
"personal data, echoing the comment, and what the category requires.\n"
"Phrase lists (config/tone/<lang>/*.txt) and a model learned at start-up\n"
"from example replies (replies.tsv) find them.  The whole of FILE is one\n"
"reply.\n"
"\n"
"  --text REPLY        the reply on the command line\n"
"  --category C        add C's rules (complaint, fake_news, toxic, ...)\n"
"  --comment TEXT      the comment answered (for the `echo` rule)\n"
"  --json              {\"score\":N,\"issues\":[{\"rule\",\"severity\",\"message\",\n"
"                      \"start\",\"end\",\"suggestion\"}]}; start/end count code points\n"
"  -h, --help          this help\n"
"\n"
"Global --lang and --channel apply.  Exit status 1 when a finding is an error.\n";

/* Load the tone phrase lists shipped in config/tone (see docs/tone.md). */
struct tone_rules *cli_load_tone(const struct cli *c, int *code)
{
	struct cd_error err;
	struct tone_rules *r;
	char dir[4096];

	if (c->cfg.paths.tone[0]) {
		snprintf(dir, sizeof(dir), "%s", c->cfg.paths.tone);
	} else if (cli_find_data("config/tone", dir, sizeof(dir))) {
		cli_err("cannot find the tone phrase lists (config/tone)");
		*code = EXIT_CONFIG;
		return NULL;
	}
	cli_info(c, "tone lists: %s", dir);
	if (c->cfg.paths.tone[0] && access(dir, R_OK)) {
		cli_err("%s: [tone] dir '%s': %s", c->cfg.path, dir,
			strerror(errno));
		*code = EXIT_CONFIG;
		return NULL;
	}
	r = tone_rules_load(dir, &err);
	if (!r) {
		*code = cli_fail(CD_ERR_CONFIG, &err);
		return NULL;
	}
	/* [brand] competitors, normalised once for every check */
	{
		const char *names[CONFIG_MAX_COMPETITORS];
		size_t i;

		for (i = 0; i < c->cfg.brand.ncompetitors; i++)
			names[i] = c->cfg.brand.competitors[i];
		if (i && tone_rules_add_competitors(r, names, i, &err)) {
			*code = cli_fail(CD_ERR_CONFIG, &err);
			tone_rules_free(r);
			return NULL;
		}
	}
	return r;
}

void cli_tone_ctx(const struct cli *c, struct tone_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->max_chars = c->cfg.reply.max_chars;
	ctx->categories = &c->cfg.categories;
	if (c->lang && strcmp(c->lang, "auto"))
		ctx->lang = c->lang;
}

/* Print the line of reply holding code point `start`, carets under the span. */
static void show_span(const char *reply, size_t start, size_t end, int on)
{
	size_t cp = 0, i = 0, line_start = 0, col = 0, k;
	size_t line_end;

	/* find the byte where the code point `start` is, and its line */
	while (reply[i] && cp < start) {
		if (reply[i] == '\n') {
			line_start = i + 1;
			col = 0;
		} else if (((unsigned char)reply[i] & 0xC0) != 0x80) {
			col++;
		}
		i++;
		while (((unsigned char)reply[i] & 0xC0) == 0x80)
			i++;
		cp++;
	}
	line_end = line_start;
	while (reply[line_end] && reply[line_end] != '\n')
		line_end++;
	printf("    %.*s\n    ", (int)(line_end - line_start), reply + line_start);
	for (k = 0; k < col; k++)
		putchar(' ');
	fputs(color(on, COLOR_RED), stdout);
	for (k = start; k < end || k == start; k++)
		putchar('^');
	fputs(color(on, COLOR_RESET), stdout);
	putchar('\n');
}

int cmd_tone(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "text", required_argument, NULL, 'x' },
		{ "category", required_argument, NULL, 'C' },
		{ "comment", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct tone_rules *rules;
	struct tone_result res;
	struct tone_ctx ctx;
	struct tokenizer *tk;
	struct cd_error err;
	const char *text = NULL, *category = NULL, *comment = NULL;
	char *buf = NULL;
	size_t len, i;
	int json = 0, opt, code = 0, rc;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'x': text = optarg; break;
		case 'C': category = optarg; break;
		case 'm': comment = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage_tone, stdout); return EXIT_OK;
		default: return cli_usage_error("tone", "unknown option");
		}
	}
	if (text && optind < argc)
		return cli_usage_error("tone", "give --text or FILE, not both");
	if (argc - optind > 1)
		return cli_usage_error("tone", "one FILE at most");
	if (!text) {
		buf = cli_read_file(optind < argc ? argv[optind] : "-",
				    TONE_REPLY_MAX, &len, &code);
		if (!buf)
			return code;
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		text = buf;
	} else {
		len = strlen(text);
	}
	rules = cli_load_tone(c, &code);
	tk = rules ? cli_tok_words(&err) : NULL;
	if (!tk) {
		tone_rules_free(rules);
		free(buf);
		return code ? code : EXIT_SOFTWARE;
	}
	cli_tone_ctx(c, &ctx);
	ctx.category = category;
	ctx.comment = comment;
	rc = tone_check(rules, tk, text, len, &ctx, &res, &err);
	if (rc) {
		code = cli_fail(rc == CD_ERR_USAGE ? CD_ERR_USAGE : CD_ERR_DATA, &err);
	} else if (json) {
		struct cd_buf b;

		cd_buf_init(&b, 1u << 20);
		tone_result_json(&res, &b);
		cd_buf_addch(&b, '\n');
		cli_write(b.data, b.len);
		cd_buf_release(&b);
	} else {
		for (i = 0; i < res.n; i++) {
			const struct tone_finding *f = &res.f[i];
			const char *sev = tone_severity_name(f->severity);

			printf("%s%-7s%s %s: %s\n",
			       color_severity(c->color, f->severity, 1), sev,
			       color(c->color, COLOR_RESET), f->rule, f->message);
			show_span(text, f->start, f->end, c->color);
			if (f->suggestion[0])
				printf("    suggestion: %s\n", f->suggestion);
		}
		printf("score %d/100, %zu finding%s%s\n", res.score, res.n,
		       res.n == 1 ? "" : "s", res.n ? "" : ": ready to post");
	}
	if (!rc && tone_result_has_error(&res))
		code = EXIT_FINDINGS;
	tok_free(tk);
	tone_rules_free(rules);
	free(buf);
	return code;
}

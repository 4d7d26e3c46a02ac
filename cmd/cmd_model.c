/*
 * cmd_model.c - `candor model info|dump MODEL` and `model merge A B -o C`.
 */
#include "cli.h"
#include "jsonw.h"
#include "model_file.h"

#include <getopt.h>
#include <string.h>

static const char usage_model[] =
"usage: candor model info MODEL\n"
"       candor model dump MODEL\n"
"       candor model merge A B... -o C\n"
"\n"
"info   header, parameters, labels with their document counts, vocabulary\n"
"       size and checksum\n"
"dump   the whole model as JSON: {\"version\",\"params\",\"labels\",\"docs\",\n"
"       \"features\":{FEATURE:[count per label]}}\n"
"merge  add the counts of several models (training is counting: the result\n"
"       equals training on all their data); the temperature becomes the\n"
"       document-weighted mean\n";

static int info(const char *path)
{
	int code = 0;
	struct nb_model *m = cli_model_load(path, &code);
	const struct nb_params *p;
	unsigned char head[MODEL_HEADER_SIZE];
	FILE *fp;
	size_t l;

	if (!m)
		return code;
	p = nb_params(m);
	fp = fopen(path, "rb");
	if (!fp || fread(head, 1, sizeof(head), fp) != sizeof(head)) {
		if (fp)
			fclose(fp);
		nb_free(m);
		cli_err("cannot read '%s'", path);
		return EXIT_IO;
	}
	fclose(fp);
	printf("file:         %s\n", path);
	printf("format:       candor model version %d\n", MODEL_VERSION);
	printf("checksum:     crc32 %02x%02x%02x%02x\n", head[51], head[50],
	       head[49], head[48]);
	printf("scoring:      %s naive Bayes%s%s, alpha %g, %s\n",
	       p->complement ? "complement" : "multinomial",
	       p->idf ? ", idf" : "", p->norm ? ", normalised weights" : "",
	       p->alpha,
	       p->binary ? "features counted once per comment" :
			   "repeated features counted");
	printf("tokens:       words%s%s%s\n", p->bigrams ? " + bigrams" : "",
	       p->stem ? ", stemmed" : "",
	       p->extras ? ", extras (masked and mixed-script words, names)" :
			   "");
	printf("temperature:  %.4g\n", nb_temperature(m));
	printf("vocabulary:   %zu features\n", nb_vocab_size(m));
	printf("documents:    %llu\n", (unsigned long long)nb_total_docs(m));
	printf("labels:       %zu\n", nb_nlabels(m));
	for (l = 0; l < nb_nlabels(m); l++)
		printf("  %-20s %llu\n", nb_label(m, l),
		       (unsigned long long)nb_label_docs(m, l));
	nb_free(m);
	return EXIT_OK;
}

static int dump(const char *path)
{
	int code = 0;
	struct nb_model *m = cli_model_load(path, &code);
	const struct nb_params *p;
	struct cd_buf b;
	size_t K, l, i;
	int rc = EXIT_OK;

	if (!m)
		return code;
	p = nb_params(m);
	K = nb_nlabels(m);
	cd_buf_init(&b, (size_t)1 << 20);
	cd_buf_addf(&b, "{\"version\":%d,\"params\":{\"alpha\":", MODEL_VERSION);
	jsonw_num(&b, p->alpha, 6);
	cd_buf_addf(&b, ",\"complement\":%s,\"binary\":%s,\"bigrams\":%s,"
		    "\"stem\":%s,\"extras\":%s,\"idf\":%s,\"norm\":%s,"
		    "\"temperature\":",
		    p->complement ? "true" : "false", p->binary ? "true" : "false",
		    p->bigrams ? "true" : "false", p->stem ? "true" : "false",
		    p->extras ? "true" : "false", p->idf ? "true" : "false",
		    p->norm ? "true" : "false");
	jsonw_num(&b, nb_temperature(m), 6);
	cd_buf_addstr(&b, "},\"labels\":[");
	for (l = 0; l < K; l++) {
		if (l)
			cd_buf_addch(&b, ',');
		jsonw_str(&b, nb_label(m, l), strlen(nb_label(m, l)));
	}
	cd_buf_addstr(&b, "],\"docs\":[");
	for (l = 0; l < K; l++)
		cd_buf_addf(&b, l ? ",%llu" : "%llu",
			    (unsigned long long)nb_label_docs(m, l));
	cd_buf_addstr(&b, "],\"features\":{");
	for (i = 0; i < nb_vocab_size(m) && !rc; i++) {
		const char *text;
		const uint32_t *c;

		nb_feature(m, i, &text, &c);
		jsonw_key(&b, text, i == 0);
		cd_buf_addch(&b, '[');
		for (l = 0; l < K; l++)
			cd_buf_addf(&b, l ? ",%u" : "%u", c[l]);
		cd_buf_addch(&b, ']');
		if (b.len > (1u << 19)) {       /* stream in pieces */
			if (cli_write(b.data, b.len))
				rc = EXIT_IO;
			cd_buf_reset(&b);
		}
	}
	cd_buf_addstr(&b, "}}\n");
	if (!rc && cli_write(b.data, b.len))
		rc = EXIT_IO;
	cd_buf_release(&b);
	nb_free(m);
	return rc;
}

static int merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct cd_error err;
	struct nb_model *m = NULL, *o;
	const char *out = NULL;
	int opt, i, rc = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (opt == 'o')
			out = optarg;
		else
			return cli_usage_error("model merge", "unknown option");
	}
	if (!out)
		return cli_usage_error("model merge", "-o C is required");
	if (argc - optind < 2)
		return cli_usage_error("model merge", "give at least two models");
	for (i = optind; i < argc && !rc; i++) {
		o = cli_model_load(argv[i], &rc);
		if (!o)
			break;
		if (!m) {
			m = o;
			continue;
		}
		if (nb_merge(m, o, &err)) {
			cli_err("cannot merge '%s': %s", argv[i], err.msg);
			rc = EXIT_DATA;
		}
		nb_free(o);
	}
	if (!rc && (nb_finalize(m, &err) || model_save(m, out, &err)))
		rc = cli_fail(CD_ERR_IO, &err);
	nb_free(m);
	return rc;
}

int cmd_model(struct cli *c, int argc, char **argv)
{
	(void)c;
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_model, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "merge"))
		return merge(argc - 1, argv + 1);
	if (strcmp(argv[1], "info") && strcmp(argv[1], "dump"))
		return cli_usage_error("model", "unknown subcommand '%s' (info, "
				       "dump or merge)", argv[1]);
	if (argc != 3)
		return cli_usage_error("model", "%s takes one MODEL", argv[1]);
	return !strcmp(argv[1], "info") ? info(argv[2]) : dump(argv[2]);
}

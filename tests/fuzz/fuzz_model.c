/*
 * fuzz_model.c - model_parse() on arbitrary bytes.
 *
 * The CRC-32 in the header stops almost every mutation at the checksum,
 * so each input is parsed twice: as it is, and with the header's payload
 * size and checksum recomputed (and the reserved word zeroed) so that the
 * label and feature records behind them are reached.
 *
 * Whenever a buffer is accepted, two more things are checked:
 *   - changing any one of its header bytes, or one byte at 16 places in
 *     the payload, must make model_parse() refuse it (model_file.h: a
 *     corrupted file is refused): CRC-32 catches every change of up to 32
 *     bits in what it covers, so only an unchecked field can let one by;
 *   - the model is usable: labels are 1..63 bytes, and classifying a
 *     comment gives a label in range and probabilities that are finite
 *     and add up to 1.
 * The seeds are models written by `candor train`.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "model_file.h"
#include "nb.h"
#include "tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) fail(__LINE__, #c); } while (0)

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_model.c:%d: check failed: %s\n", line, what);
	abort();
}

static const char comment[] =
	"my order is late AGAIN and nobody answers?! refund please "
	"@support https://example.com/x 42 \xf0\x9f\x98\xa1 "
	"\xd0\xb3\xd0\xb4\xd0\xb5 \xd0\xbc\xd0\xbe\xd0\xb9 "
	"\xd0\xb7\xd0\xb0\xd0\xba\xd0\xb0\xd0\xb7";

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The model classifies a comment sensibly. */
static void check_model(const struct nb_model *m)
{
	static struct tokenizer *tk[4];
	struct tok_params tp;
	struct cd_error err;
	struct nb_contrib why[8];
	double raw[NB_MAX_LABELS], prob[NB_MAX_LABELS], sum = 0;
	size_t K = nb_nlabels(m), l, i, n;
	int best, slot;

	CHECK(K >= 1 && K <= NB_MAX_LABELS);
	for (l = 0; l < K; l++) {
		size_t len = strlen(nb_label(m, l));

		CHECK(len >= 1 && len <= NB_LABEL_MAX);
	}
	nb_tok_params(m, &tp);
	slot = (tp.bigrams ? 1 : 0) | (tp.stem ? 2 : 0);
	if (!tk[slot]) {
		tk[slot] = tok_new(&tp, &err);
		CHECK(tk[slot] != NULL);
	}
	CHECK(tok_run(tk[slot], comment, sizeof(comment) - 1, &err) == 0);
	best = nb_classify(m, tk[slot], raw, prob);
	CHECK(best >= 0 && (size_t)best < K);
	for (l = 0; l < K; l++) {
		CHECK(isfinite(prob[l]) && prob[l] >= 0 && prob[l] <= 1);
		sum += prob[l];
	}
	CHECK(fabs(sum - 1) < 1e-6);
	n = nb_explain(m, tk[slot], best, 0, why, 8);
	CHECK(n <= 8);
	for (i = 0; i < n; i++)
		CHECK(why[i].tok < tok_count(tk[slot]));
}

/* buf was accepted: no single changed byte may be. */
static void check_flips(uint8_t *buf, size_t len)
{
	struct cd_error err;
	struct nb_model *m;
	size_t i, at;

	for (i = 0; i < MODEL_HEADER_SIZE + 16; i++) {
		uint8_t keep;

		at = i < MODEL_HEADER_SIZE ? i :
		     MODEL_HEADER_SIZE + (len - MODEL_HEADER_SIZE) *
		     (i - MODEL_HEADER_SIZE) / 16;
		if (at >= len)
			break;
		keep = buf[at];
		buf[at] ^= (uint8_t)(1u << (i % 8));
		m = model_parse(buf, len, "fuzz", &err);
		if (m)
			fprintf(stderr, "fuzz_model: a model with byte %zu "
				"changed (%02x -> %02x) was accepted\n", at,
				keep, buf[at]);
		CHECK(m == NULL);
		buf[at] = keep;
	}
}

static void parse_one(uint8_t *buf, size_t len)
{
	struct cd_error err;
	struct nb_model *m = model_parse(buf, len, "fuzz", &err);

	if (!m) {
		CHECK(err.msg[0] != '\0');
		return;
	}
	CHECK(len >= MODEL_HEADER_SIZE);
	check_model(m);
	nb_free(m);
	check_flips(buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	uint32_t crc;

	CHECK(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	parse_one(buf, size);
	if (size >= MODEL_HEADER_SIZE) {
		/* make the checksum right, to get at the records */
		put64(buf + 24, size - MODEL_HEADER_SIZE);
		put32(buf + 52, 0);
		crc = model_crc32(0, buf, 48);
		crc = model_crc32(crc, buf + MODEL_HEADER_SIZE,
				  size - MODEL_HEADER_SIZE);
		put32(buf + 48, crc);
		parse_one(buf, size);
	}
	free(buf);
	return 0;
}

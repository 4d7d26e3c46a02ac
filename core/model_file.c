/*
 * model_file.c - see model_file.h.
 */
#include "model_file.h"
#include "atomic.h"
#include "nb_internal.h"
#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char magic[8] = { 'C', 'A', 'N', 'D', 'O', 'R', 'N', 'B' };

#define MODEL_MAX_BYTES ((size_t)1 << 32)

uint32_t model_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = buf;
	size_t i;

	if (!table[1]) {
		uint32_t k, c;

		for (k = 0; k < 256; k++) {
			c = k;
			for (i = 0; i < 8; i++)
				c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			table[k] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
	return ~crc;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return u;
}

static double bitsd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof(d));
	return d;
}

static int add_u32(struct cd_buf *b, uint32_t v)
{
	unsigned char p[4];

	put32(p, v);
	return cd_buf_add(b, p, 4);
}

static int add_u64(struct cd_buf *b, uint64_t v)
{
	unsigned char p[8];

	put64(p, v);
	return cd_buf_add(b, p, 8);
}

static int add_str8(struct cd_buf *b, const char *s)
{
	size_t n = strlen(s);
	unsigned char c = (unsigned char)n;

	if (n > 255)
		return CD_ERR_LIMIT;
	if (cd_buf_add(b, &c, 1))
		return CD_ERR_NOMEM;
	return cd_buf_add(b, s, n);
}

int model_save(const struct nb_model *m, const char *path,
	       struct cd_error *err)
{
	struct cd_buf b;
	unsigned char *h;
	uint32_t flags = 0, crc;
	size_t i, l, K = m->nlabels;
	struct atomic_file af;
	int rc = 0;

	if (!m->order && m->nfeat)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "the model was not finalized");
	flags |= m->p.complement ? 1u : 0;
	flags |= m->p.binary ? 2u : 0;
	flags |= m->p.bigrams ? 4u : 0;
	flags |= m->p.stem ? 8u : 0;
	flags |= m->p.extras ? 16u : 0;
	flags |= m->p.idf ? 32u : 0;
	flags |= m->p.norm ? 64u : 0;
	cd_buf_init(&b, MODEL_MAX_BYTES);
	rc |= cd_buf_grow(&b, MODEL_HEADER_SIZE);
	if (!rc) {
		memset(b.data, 0, MODEL_HEADER_SIZE);
		b.len = MODEL_HEADER_SIZE;
	}
	for (l = 0; l < K && !rc; l++)
		rc = add_str8(&b, m->labels[l]);
	for (l = 0; l < K && !rc; l++)
		rc = add_u64(&b, m->docs[l]);
	for (i = 0; i < m->nfeat && !rc; i++) {
		const char *text;
		const uint32_t *c;

		nb_feature(m, i, &text, &c);
		rc = add_str8(&b, text);
		for (l = 0; l < K && !rc; l++)
			rc = add_u32(&b, c[l]);
	}
	/* version 2: the review journals learned (identity, entries) */
	if (!rc)
		rc = add_u32(&b, (uint32_t)m->njournals);
	for (i = 0; i < m->njournals && !rc; i++) {
		unsigned char e[16];

		put64(e, m->journals[i].id);
		put64(e + 8, m->journals[i].applied);
		rc = cd_buf_add(&b, e, 16);
	}
	if (rc) {
		cd_buf_release(&b);
		return cd_error_set(err, rc, 0, "cannot serialise the model: %s",
				    rc == CD_ERR_LIMIT ? "model over 4 GiB" :
				    "out of memory");
	}
	h = (unsigned char *)b.data;
	memcpy(h, magic, 8);
	put32(h + 8, MODEL_VERSION);
	put32(h + 12, flags);
	put32(h + 16, (uint32_t)K);
	put32(h + 20, (uint32_t)m->nfeat);
	put64(h + 24, b.len - MODEL_HEADER_SIZE);
	put64(h + 32, dbits(m->p.alpha));
	put64(h + 40, dbits(nb_temperature(m)));
	crc = model_crc32(0, h, 48);
	crc = model_crc32(crc, h + MODEL_HEADER_SIZE, b.len - MODEL_HEADER_SIZE);
	put32(h + 48, crc);

	/* write beside the target and rename: never a half-written model */
	rc = atomic_open(&af, path, err);
	if (!rc) {
		fwrite(b.data, 1, b.len, af.fp);
		rc = atomic_commit(&af, err);
		atomic_rollback(&af);
	}
	cd_buf_release(&b);
	return rc;
}

struct reader {
	const unsigned char *p, *end;
};

static int need(struct reader *r, size_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

struct nb_model *model_parse(const unsigned char *buf, size_t len,
			     const char *name, struct cd_error *err)
{
	struct nb_params p;
	struct nb_model *m = NULL;
	struct reader r;
	uint32_t version, flags, K, V, crc, row[NB_MAX_LABELS];
	uint64_t payload;
	size_t i, l;
	char label[NB_LABEL_MAX + 1];

	if (len == 0) {
		cd_error_set(err, CD_ERR_DATA, 0, "'%s' is empty: not a candor "
			     "model (the file has 0 bytes)", name);
		return NULL;
	}
	/* a prefix of the magic: a model cut short, not some other file */
	if (len < 8 && !memcmp(buf, magic, len)) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is truncated: %zu bytes, the header alone "
			     "needs %d", name, len, MODEL_HEADER_SIZE);
		return NULL;
	}
	if (len < 8) {
		cd_error_set(err, CD_ERR_DATA, 0, "'%s' is not a candor model: "
			     "%zu bytes, shorter than the %d-byte header", name,
			     len, MODEL_HEADER_SIZE);
		return NULL;
	}
	if (memcmp(buf, magic, 8)) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is not a candor model (bad magic)", name);
		return NULL;
	}
	if (len < MODEL_HEADER_SIZE) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is truncated: %zu bytes, the header alone "
			     "needs %d", name, len, MODEL_HEADER_SIZE);
		return NULL;
	}
	version = get32(buf + 8);
	if (version < 1 || version > MODEL_VERSION) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' has model format version %u; this candor "
			     "reads versions 1 to %d (retrain it, or use a newer "
			     "candor)", name, version, MODEL_VERSION);
		return NULL;
	}
	flags = get32(buf + 12);
	K = get32(buf + 16);
	V = get32(buf + 20);
	payload = get64(buf + 24);
	if (payload != len - MODEL_HEADER_SIZE) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is truncated or has trailing data: the "
			     "header says %llu payload bytes, the file has %zu",
			     name, (unsigned long long)payload,
			     len - MODEL_HEADER_SIZE);
		return NULL;
	}
	crc = model_crc32(0, buf, 48);
	crc = model_crc32(crc, buf + MODEL_HEADER_SIZE, len - MODEL_HEADER_SIZE);
	if (crc != get32(buf + 48)) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is corrupted: checksum %08x, expected %08x",
			     name, crc, get32(buf + 48));
		return NULL;
	}
	/*
	 * Fix (found by tests/fuzz/fuzz_model.c): bytes 52..55 lie outside
	 * the CRC, so a changed byte there was accepted; the format says
	 * they are zero, and model_save() writes zeros.
	 */
	if (get32(buf + 52) != 0) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' is corrupted: header bytes 52-55 are not zero",
			     name);
		return NULL;
	}
	if (K == 0 || K > NB_MAX_LABELS || (flags & ~127u)) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' has %u labels or unknown flags %#x (at most "
			     "%d labels)", name, K, flags, NB_MAX_LABELS);
		return NULL;
	}
	p.complement = !!(flags & 1);
	p.binary = !!(flags & 2);
	p.bigrams = !!(flags & 4);
	p.stem = !!(flags & 8);
	p.extras = !!(flags & 16);
	p.idf = !!(flags & 32);
	p.norm = !!(flags & 64);
	p.alpha = bitsd(get64(buf + 32));
	p.temperature = bitsd(get64(buf + 40));
	if (!(p.alpha > 0 && p.alpha < 1e6) ||
	    !(p.temperature > 0 && p.temperature < 1e6)) {
		cd_error_set(err, CD_ERR_DATA, 0,
			     "'%s' has an invalid alpha or temperature", name);
		return NULL;
	}
	m = nb_new(&p, err);
	if (!m)
		return NULL;
	r.p = buf + MODEL_HEADER_SIZE;
	r.end = buf + len;
	for (l = 0; l < K; l++) {
		size_t n;

		if (!need(&r, 1) || !need(&r, 1 + (n = *r.p)))
			goto short_payload;
		if (n == 0 || n > NB_LABEL_MAX)
			goto bad;
		memcpy(label, r.p + 1, n);
		label[n] = '\0';
		r.p += 1 + n;
		if (nb_label_index(m, label, 0, NULL) >= 0 ||
		    nb_label_index(m, label, 1, err) < 0)
			goto bad;
	}
	if (!need(&r, (size_t)K * 8))
		goto short_payload;
	for (l = 0; l < K; l++, r.p += 8)
		m->docs[l] = get64(r.p);
	for (i = 0; i < V; i++) {
		size_t n;

		if (!need(&r, 1) || !need(&r, 1 + (n = *r.p) + (size_t)K * 4))
			goto short_payload;
		for (l = 0; l < K; l++)
			row[l] = get32(r.p + 1 + n + l * 4);
		if (nb_internal_add_counts(m, (const char *)r.p + 1, n,
					   tok_feature_hash((const char *)r.p + 1, n), row,
					   err))
			goto bad;
		r.p += 1 + n + (size_t)K * 4;
	}
	if (version >= 2) {     /* version 1 files remember no journal */
		uint32_t nj;

		if (!need(&r, 4))
			goto short_payload;
		nj = get32(r.p);
		r.p += 4;
		if (nj > NB_JOURNALS_MAX)
			goto bad;
		if (!need(&r, (size_t)nj * 16))
			goto short_payload;
		for (i = 0; i < nj; i++, r.p += 16)
			if (nb_journal_mark(m, get64(r.p), get64(r.p + 8), err))
				goto bad;
	}
	if (r.p != r.end)
		goto bad;
	if (nb_finalize(m, err))
		goto fail;
	return m;
short_payload:
	cd_error_set(err, CD_ERR_DATA, 0,
		     "'%s' is corrupted: its payload ends early", name);
	goto fail;
bad:
	cd_error_set(err, CD_ERR_DATA, 0,
		     "'%s' is corrupted: invalid label or feature record",
		     name);
fail:
	nb_free(m);
	return NULL;
}

struct nb_model *model_load(const char *path, struct cd_error *err)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	struct nb_model *m;
	long size;

	if (!fp) {
		cd_error_set(err, CD_ERR_NOINPUT, 0, "cannot open '%s': %s", path,
			     strerror(errno));
		return NULL;
	}
	if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET)) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s': %s", path,
			     strerror(errno));
		fclose(fp);
		return NULL;
	}
	if ((unsigned long)size > MODEL_MAX_BYTES) {
		cd_error_set(err, CD_ERR_LIMIT, 0,
			     "'%s' is larger than the 4 GiB model limit", path);
		fclose(fp);
		return NULL;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		fclose(fp);
		return NULL;
	}
	if (fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		cd_error_set(err, CD_ERR_IO, 0, "cannot read '%s': %s", path,
			     ferror(fp) ? strerror(errno) : "short read");
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	m = model_parse(buf, (size_t)size, path, err);
	free(buf);
	return m;
}

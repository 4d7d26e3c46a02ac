/*
 * driver.c - a stand-in for libFuzzer's main(), so every harness also
 * builds with gcc and runs as a quick, deterministic ctest.
 *
 * usage: fuzz_<name>_smoke [-n ITERATIONS] [-s SEED] [-m MAXLEN] CORPUS...
 *
 * As libFuzzer does, the driver first calls LLVMFuzzerInitialize() when
 * the harness defines one (one-time setup, such as loading rule files,
 * that no input should be charged for).
 *
 * Each CORPUS is a directory (its regular files are read in name order)
 * or a single file.  Every seed runs once as it is; then ITERATIONS inputs
 * (default 1000) are made by mutating the seeds with a PRNG seeded by SEED
 * (default 1), so a given command line always runs the same inputs: bit
 * flips, random bytes, inserted and deleted runs, duplicated chunks,
 * "interesting" values (0, 0xFF, INT boundaries, CR, LF, quotes, braces,
 * UTF-8 fragments), and splices of two seeds.  There is no coverage
 * feedback: this is a smoke test that keeps the harnesses compiling and
 * the known regressions fixed, not a replacement for real fuzzing
 * (docs/fuzzing.md).
 *
 * A crash is a sanitizer abort or an assertion in the harness, which ends
 * the process; reaching the summary line means there was none.  Each input
 * is handed to LLVMFuzzerTestOneInput() in a heap buffer of exactly its
 * size, as libFuzzer does, so AddressSanitizer sees any read past its end.
 * Set FUZZ_VERBOSE=1 to print each input's size and origin before it runs,
 * FUZZ_LAST=FILE to have each input written to FILE before it runs (after
 * a crash FILE holds the input that caused it), and use -n 0 to replay a
 * crash file alone.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#define FUZZ_NAME "harness"
#endif

#define MAXLEN_DEFAULT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional, as in libFuzzer: a weak reference, NULL when not defined. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

struct seed {
	char *path;
	uint8_t *data;
	size_t len;
};

struct seeds {
	struct seed *v;
	size_t n, cap;
};

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "fuzz %s: %s '%s': %s\n", FUZZ_NAME, what, arg,
		errno ? strerror(errno) : "invalid");
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "fuzz %s: out of memory\n", FUZZ_NAME);
		exit(2);
	}
	return p;
}

static void add_file(struct seeds *s, const char *path, size_t maxlen)
{
	FILE *fp = fopen(path, "rb");
	struct seed *sd;
	size_t n;

	if (!fp)
		die("cannot open", path);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory reading", path);
	}
	sd = &s->v[s->n++];
	sd->path = strdup(path);
	sd->data = xmalloc(maxlen);
	n = fread(sd->data, 1, maxlen, fp);
	if (ferror(fp))
		die("cannot read", path);
	fclose(fp);
	sd->len = n;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files in name order, or the file itself. */
static void add_path(struct seeds *s, const char *path, size_t maxlen)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *full;
	size_t n = 0, cap = 0, i;
	DIR *d;

	errno = 0;
	if (stat(path, &st))
		die("cannot open", path);
	if (!S_ISDIR(st.st_mode)) {
		add_file(s, path, maxlen);
		return;
	}
	d = opendir(path);
	if (!d)
		die("cannot open", path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				die("out of memory reading", path);
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		full = xmalloc(strlen(path) + strlen(names[i]) + 2);
		sprintf(full, "%s/%s", path, names[i]);
		if (!stat(full, &st) && S_ISREG(st.st_mode))
			add_file(s, full, maxlen);
		free(full);
		free(names[i]);
	}
	free(names);
}

/* splitmix64: small, fast, and the same sequence on every machine. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A number in [0, n); n > 0. */
static size_t below(size_t n)
{
	return (size_t)(rnd() % n);
}

/* Byte strings that parsers treat specially. */
static const char *const tokens[] = {
	"\x00", "\xff", "\x7f", "\x80", "\n", "\r", "\r\n", "\"", "\"\"", ",",
	"{{", "}}", "{{{", "}}}", "{{#", "{{/", "{{^", "{{>", "{{!", "{{=",
	"{{&", "=}}", "{", "}", "[", "]", "\\", "\\u0000", "\\ud800", ":",
	"=", ";", "#", "@", ".", "'", " ", "\t", "\xef\xbb\xbf", "\xc3\xa9",
	"\xd0\x96", "\xe2\x80\x99", "\xf0\x9f\x98\xa1", "\xef\xbf\xbd",
	"\xed\xa0\x80", "\xc0\x80", "\xf4\x90\x80\x80", "http://", "www.",
	"!!", "??", "1e999", "-1", "4294967295", "18446744073709551615",
	"9223372036854775807", "2024-01-01T00:00:00Z", "+02:00", "null",
	"true", "[]", "{}", "CANDORNB"
};

/* Integers at type boundaries, written little-endian. */
static const uint64_t interesting[] = {
	0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
	0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000ULL,
	0x7FFFFFFFFFFFFFFFULL, 0x8000000000000000ULL, 0xFFFFFFFFFFFFFFFFULL
};

/* Insert n bytes at `at` (at <= *len), within cap. */
static void insert(uint8_t *buf, size_t *len, size_t cap, size_t at,
		   const uint8_t *src, size_t n)
{
	if (*len + n > cap)
		n = cap - *len;
	memmove(buf + at + n, buf + at, *len - at);
	memcpy(buf + at, src, n);
	*len += n;
}

/* One random change of buf[0..*len), which has room for cap bytes. */
static void mutate_once(uint8_t *buf, size_t *len, size_t cap,
			const struct seeds *s)
{
	size_t at, n, i;
	uint8_t tmp[16];

	switch (below(9)) {
	case 0:         /* flip one bit */
		if (*len)
			buf[below(*len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:         /* set a random byte */
		if (*len)
			buf[below(*len)] = (uint8_t)rnd();
		break;
	case 2:         /* insert random bytes */
		n = 1 + below(8);
		for (i = 0; i < n; i++)
			tmp[i] = (uint8_t)rnd();
		insert(buf, len, cap, below(*len + 1), tmp, n);
		break;
	case 3:         /* delete a run */
		if (*len) {
			at = below(*len);
			n = 1 + below(*len - at < 16 ? *len - at : 16);
			memmove(buf + at, buf + at + n, *len - at - n);
			*len -= n;
		}
		break;
	case 4:         /* duplicate a chunk somewhere else */
		if (*len) {
			uint8_t chunk[64];

			at = below(*len);
			n = 1 + below(*len - at < 64 ? *len - at : 64);
			memcpy(chunk, buf + at, n);
			insert(buf, len, cap, below(*len + 1), chunk, n);
		}
		break;
	case 5:         /* insert a special token */
		i = below(sizeof(tokens) / sizeof(tokens[0]));
		n = tokens[i][0] ? strlen(tokens[i]) : 1;
		insert(buf, len, cap, below(*len + 1),
		       (const uint8_t *)tokens[i], n);
		break;
	case 6:         /* overwrite with an interesting integer */
		if (*len) {
			uint64_t v = interesting[below(sizeof(interesting) /
						       sizeof(interesting[0]))];
			size_t w = (size_t)1 << below(4);       /* 1, 2, 4, 8 */

			at = below(*len);
			for (i = 0; i < w && at + i < *len; i++)
				buf[at + i] = (uint8_t)(v >> (8 * i));
		}
		break;
	case 7:         /* splice: keep a prefix, take another seed's tail */
		if (s->n) {
			const struct seed *o = &s->v[below(s->n)];
			size_t from = o->len ? below(o->len) : 0;

			*len = *len ? below(*len + 1) : 0;
			insert(buf, len, cap, *len, o->data + from,
			       o->len - from);
		}
		break;
	default:        /* truncate */
		if (*len)
			*len = below(*len + 1);
		break;
	}
}

/* Run one input from a heap buffer of exactly its size. */
static void run(const uint8_t *data, size_t len, const char *what)
{
	uint8_t *copy = xmalloc(len);
	const char *last = getenv("FUZZ_LAST");

	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "fuzz %s: %s (%zu bytes)\n", FUZZ_NAME, what,
			len);
	if (last && *last) {
		FILE *fp = fopen(last, "wb");

		if (!fp || fwrite(data, 1, len, fp) != len || fclose(fp))
			die("cannot write", last);
	}
	if (len)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_%s_smoke [-n ITERATIONS] [-s SEED] "
		"[-m MAXLEN] CORPUS...\n", FUZZ_NAME);
	exit(2);
}

static unsigned long long number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct seeds s = { NULL, 0, 0 };
	unsigned long long iters = 1000, seed = 1, k;
	size_t maxlen = MAXLEN_DEFAULT, i, len, ran = 0;
	uint8_t *buf;
	char what[64];
	int a;

	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "--")) {
			a++;
			break;
		}
		if (a + 1 >= argc)
			usage();
		if (!strcmp(argv[a], "-n"))
			iters = number(argv[++a]);
		else if (!strcmp(argv[a], "-s"))
			seed = number(argv[++a]);
		else if (!strcmp(argv[a], "-m"))
			maxlen = (size_t)number(argv[++a]);
		else
			usage();
	}
	if (a == argc || maxlen == 0)
		usage();
	for (; a < argc; a++)
		add_path(&s, argv[a], maxlen);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);

	for (i = 0; i < s.n; i++) {
		run(s.v[i].data, s.v[i].len, s.v[i].path);
		ran++;
	}
	rng_state = seed;
	buf = xmalloc(maxlen);
	for (k = 0; k < iters; k++) {
		size_t m, rounds = 1 + below(4);

		if (s.n) {
			const struct seed *sd = &s.v[below(s.n)];

			memcpy(buf, sd->data, sd->len);
			len = sd->len;
		} else {
			len = 0;
		}
		for (m = 0; m < rounds; m++)
			mutate_once(buf, &len, maxlen, &s);
		snprintf(what, sizeof(what), "mutation %llu", k);
		run(buf, len, what);
		ran++;
	}
	printf("fuzz %s: %zu inputs, 0 crashes\n", FUZZ_NAME, ran);

	free(buf);
	for (i = 0; i < s.n; i++) {
		free(s.v[i].path);
		free(s.v[i].data);
	}
	free(s.v);
	return 0;
}

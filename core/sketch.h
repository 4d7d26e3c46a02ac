/*
 * sketch.h - a 256-bit set of 64-bit keys: "certainly not seen" or
 * "perhaps seen".  Facts, the tone check and scoring use it to skip work
 * that only a seen key could need; a "perhaps" is then checked for real.
 */
#ifndef CANDOR_SKETCH_H
#define CANDOR_SKETCH_H

#include <stdint.h>

struct sketch {
	uint64_t bits[4];
};

#define SKETCH_EMPTY { { 0, 0, 0, 0 } }

static inline void sketch_add(struct sketch *sk, uint64_t key)
{
	sk->bits[(key >> 6) & 3] |= 1ull << (key & 63);
}

static inline int sketch_has(const struct sketch *sk, uint64_t key)
{
	return (int)((sk->bits[(key >> 6) & 3] >> (key & 63)) & 1);
}

#endif

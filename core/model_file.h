/*
 * model_file.h - the binary model file: save, load, verify.
 *
 * Layout (all integers little-endian; see docs/formats.md):
 *
 *   0  8  magic "CANDORNB"
 *   8  4  format version (2; version 1 files are read too)
 *  12  4  flags: 1 complement, 2 binary, 4 bigrams, 8 stem
 *  16  4  number of labels K
 *  20  4  number of features V
 *  24  8  payload size in bytes
 *  32  8  alpha (IEEE 754 double)
 *  40  8  temperature (IEEE 754 double)
 *  48  4  CRC-32 (ISO-HDLC, as zlib) of bytes 0..47 and the payload
 *  52  4  zero
 *  56     payload: K labels (u8 length + bytes), K document counts (u64),
 *         then V features sorted by text (u8 length + bytes + K u32 counts),
 *         then (version 2) the review journals learned: a u32 count and
 *         per journal its identity (u64) and entries applied (u64)
 *
 * The features are written in sorted order and the labels sorted too, so a
 * model's bytes depend only on its counts: training on A+B and merging the
 * models of A and B give the same file (with a fixed temperature).
 *
 * model_load() returns a finalized model that the caller frees with
 * nb_free(); it refuses a short, foreign, newer or corrupted file with a
 * message naming the file.
 */
#ifndef CANDOR_MODEL_FILE_H
#define CANDOR_MODEL_FILE_H

#include <stdint.h>

#include "nb.h"

#define MODEL_VERSION 2
#define MODEL_HEADER_SIZE 56

int model_save(const struct nb_model *m, const char *path,
	       struct cd_error *err);
struct nb_model *model_load(const char *path, struct cd_error *err);
/* Parse a model from memory (used by model_load and the fuzzer). */
struct nb_model *model_parse(const unsigned char *buf, size_t len,
			     const char *name, struct cd_error *err);
/* The CRC-32 stored in a model file's header (for `model info`). */
uint32_t model_crc32(uint32_t crc, const void *buf, size_t len);

#endif

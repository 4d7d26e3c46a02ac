/*
 * dataset.h - labelled examples for train and eval, from CSV or JSONL.
 *
 * CSV needs a header row; the text and label columns are found by name
 * (--text-col, --label-col, or the usual aliases: text, comment, message,
 * content, body / label, category, class).  JSONL objects have "text" and
 * "label" (or "category") fields, or the names given.  A bad row is
 * reported with its file and line and skipped, as in every candor stream.
 */
#ifndef CANDOR_DATASET_H
#define CANDOR_DATASET_H

#include <stddef.h>
#include <stdio.h>

struct dataset;

struct example {
	const char *text;
	size_t len;
	const char *label;
	long line;
};

/* NULL after printing why; *code gets the exit code then. */
struct dataset *dataset_open(const char *path, const char *text_col,
			     const char *label_col, int strict, int quiet,
			     int *code);
/* 1 with an example, 0 at the end, or an exit code (> 1) on a fatal error. */
int dataset_next(struct dataset *d, struct example *ex);
long dataset_skipped(const struct dataset *d);
void dataset_close(struct dataset *d);

#endif

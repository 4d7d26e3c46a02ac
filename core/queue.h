/*
 * queue.h - the order of the review queue: which waiting comment a person
 * sees next, and why.
 *
 * A crisis desk must not make an injury report wait behind forty
 * thank-yous, so the queue is sorted, most urgent first, by:
 *   1. flags: safety, then legal, then press, then none;
 *   2. the category's weight ([review] weights; fake_news and complaint
 *      before question, other last by default);
 *   3. reach: likes (and replies where known), compared on a log scale so
 *      that 1,000 likes beat 10 but 103 does not beat 101;
 *   4. age: the comment that has waited longest (by created_at, else by
 *      arrival) first.
 * Each step only breaks the ties of the one before it.  A comment past its
 * due time ([review] due for a flagged comment, due_other for the rest)
 * is marked overdue; being overdue does not reorder it (its flags and
 * weight already put it where it belongs), it tells the team.
 *
 * Everything here is pure: time is passed in, nothing is read or printed.
 */
#ifndef CANDOR_QUEUE_H
#define CANDOR_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define QUEUE_MAX_WEIGHTS 32
#define QUEUE_NAME_MAX 32

struct queue_params {
	struct {
		char category[QUEUE_NAME_MAX];
		int weight;
	} weights[QUEUE_MAX_WEIGHTS];
	size_t nweights;
	int default_weight;             /* a category not in weights */
	long due_flagged;               /* seconds a flagged comment may wait */
	long due_other;                 /* seconds any other comment may wait */
};

/* What the order looks at in one comment. */
struct queue_key {
	unsigned flags;                 /* SUGGEST_FLAG_* */
	const char *category;
	long likes;                     /* -1 unknown */
	long replies;                   /* -1 unknown */
	int64_t since;                  /* created_at, else arrival (unix s) */
};

/*
 * The defaults: fake_news 5, complaint 4, toxic 3, competitor_attack 2,
 * question 2, spam 1, other 0 (any other category 2); due 15 minutes
 * flagged, 2 hours otherwise.
 */
void queue_params_default(struct queue_params *p);

/*
 * Set the weights from "fake_news:5, complaint:4, ..." (replacing the
 * defaults for the names given).  0 or CD_ERR_CONFIG with err naming the
 * bad item.
 */
int queue_params_weights(struct queue_params *p, const char *list,
			 struct cd_error *err);

/* The weight of a category. */
int queue_weight(const struct queue_params *p, const char *category);

/* <0 when a comes before b (is more urgent), >0 after, 0 tied. */
int queue_cmp(const struct queue_params *p, const struct queue_key *a,
	      const struct queue_key *b);

/* 1 when the comment has waited past its due time at now. */
int queue_overdue(const struct queue_params *p, const struct queue_key *k,
		  int64_t now);

/*
 * Why the comment stands where it does, for the screen:
 * "safety flag, fake_news (weight 5), 1,204 likes, waiting 17m, OVERDUE
 * (due 15m)".  Returns the length written (at most n - 1).
 */
size_t queue_why(const struct queue_params *p, const struct queue_key *k,
		 int64_t now, char *buf, size_t n);

/* "45s", "17m", "3h05m", "2d04h": a waiting time, short. */
size_t queue_duration(long seconds, char *buf, size_t n);

#endif

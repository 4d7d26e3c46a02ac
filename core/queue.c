/* queue.c - see queue.h. */
#include "queue.h"
#include "suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *category;
	int weight;
} default_weights[] = {
	{ "fake_news", 5 }, { "complaint", 4 }, { "toxic", 3 },
	{ "competitor_attack", 2 }, { "question", 2 }, { "spam", 1 },
	{ "other", 0 },
};

void queue_params_default(struct queue_params *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(default_weights) / sizeof(default_weights[0]); i++) {
		snprintf(p->weights[i].category, QUEUE_NAME_MAX, "%s",
			 default_weights[i].category);
		p->weights[i].weight = default_weights[i].weight;
	}
	p->nweights = i;
	p->default_weight = 2;
	p->due_flagged = 15 * 60;
	p->due_other = 2 * 3600;
}

static int set_weight(struct queue_params *p, const char *name, size_t n,
		      int w, struct cd_error *err)
{
	size_t i;

	for (i = 0; i < p->nweights; i++)
		if (strlen(p->weights[i].category) == n &&
		    !memcmp(p->weights[i].category, name, n)) {
			p->weights[i].weight = w;
			return 0;
		}
	if (p->nweights == QUEUE_MAX_WEIGHTS)
		return cd_error_set(err, CD_ERR_CONFIG, 0, "more than %d category "
				    "weights", QUEUE_MAX_WEIGHTS);
	memcpy(p->weights[p->nweights].category, name, n);
	p->weights[p->nweights].category[n] = '\0';
	p->weights[p->nweights++].weight = w;
	return 0;
}

int queue_params_weights(struct queue_params *p, const char *list,
			 struct cd_error *err)
{
	const char *s = list;

	while (*s) {
		size_t k = strcspn(s, ","), n;
		const char *colon = memchr(s, ':', k), *name = s;
		char num[16], *end;
		long w;

		while (name < s + k && (*name == ' ' || *name == '\t'))
			name++;
		n = colon ? (size_t)(colon - name) : 0;
		while (n && (name[n - 1] == ' ' || name[n - 1] == '\t'))
			n--;
		if (!colon || !n || n >= QUEUE_NAME_MAX ||
		    (size_t)(s + k - colon - 1) >= sizeof(num))
			return cd_error_set(err, CD_ERR_CONFIG, 0, "'%.*s' is not "
					    "category:weight", (int)k, s);
		memcpy(num, colon + 1, (size_t)(s + k - colon - 1));
		num[s + k - colon - 1] = '\0';
		w = strtol(num, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (end == num || *end || w < 0 || w > 100)
			return cd_error_set(err, CD_ERR_CONFIG, 0, "'%.*s': the "
					    "weight must be a whole number from 0 "
					    "to 100", (int)k, s);
		if (set_weight(p, name, n, (int)w, err))
			return CD_ERR_CONFIG;
		s += k;
		if (*s == ',')
			s++;
	}
	return 0;
}

int queue_weight(const struct queue_params *p, const char *category)
{
	size_t i;

	for (i = 0; category && i < p->nweights; i++)
		if (!strcmp(p->weights[i].category, category))
			return p->weights[i].weight;
	return p->default_weight;
}

/* 3 safety, 2 legal, 1 press, 0 none. */
static int flag_rank(unsigned flags)
{
	if (flags & SUGGEST_FLAG_SAFETY)
		return 3;
	if (flags & SUGGEST_FLAG_LEGAL)
		return 2;
	if (flags & SUGGEST_FLAG_PRESS)
		return 1;
	return 0;
}

/* Reach on a log scale: 0 for none, then 1 + floor(log2(likes+replies)). */
static int reach_rank(const struct queue_key *k)
{
	long n = (k->likes > 0 ? k->likes : 0) + (k->replies > 0 ? k->replies : 0);
	int r = 0;

	while (n > 0) {
		r++;
		n >>= 1;
	}
	return r;
}

int queue_cmp(const struct queue_params *p, const struct queue_key *a,
	      const struct queue_key *b)
{
	int x, y;

	x = flag_rank(a->flags);
	y = flag_rank(b->flags);
	if (x != y)
		return y - x;
	x = queue_weight(p, a->category);
	y = queue_weight(p, b->category);
	if (x != y)
		return y - x;
	x = reach_rank(a);
	y = reach_rank(b);
	if (x != y)
		return y - x;
	if (a->since != b->since)
		return a->since < b->since ? -1 : 1;
	return 0;
}

int queue_overdue(const struct queue_params *p, const struct queue_key *k,
		  int64_t now)
{
	long due = k->flags ? p->due_flagged : p->due_other;

	return due > 0 && now - k->since > due;
}

size_t queue_duration(long s, char *buf, size_t n)
{
	int w;

	if (s < 0)
		s = 0;
	if (s < 60)
		w = snprintf(buf, n, "%lds", s);
	else if (s < 3600)
		w = snprintf(buf, n, "%ldm", s / 60);
	else if (s < 86400)
		w = snprintf(buf, n, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	else
		w = snprintf(buf, n, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
	return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

/* 1204 -> "1,204" */
static void thousands(long v, char *buf, size_t n)
{
	char tmp[32];
	size_t len, i, o = 0;

	snprintf(tmp, sizeof(tmp), "%ld", v);
	len = strlen(tmp);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

size_t queue_why(const struct queue_params *p, const struct queue_key *k,
		 int64_t now, char *buf, size_t n)
{
	char wait[24], due[24], num[32];
	size_t o = 0;
	int w;

#define ADD(...) do { \
		w = snprintf(buf + o, n - o, __VA_ARGS__); \
		if (w > 0) \
			o += (size_t)w < n - o ? (size_t)w : n - o - 1; \
	} while (0)
	if (!n)
		return 0;
	buf[0] = '\0';
	if (k->flags)
		ADD("%s flag, ", suggest_flag_name(k->flags));
	ADD("%s (weight %d)", k->category ? k->category : "?",
	    queue_weight(p, k->category));
	if (k->likes > 0) {
		thousands(k->likes, num, sizeof(num));
		ADD(", %s like%s", num, k->likes == 1 ? "" : "s");
	}
	if (k->replies > 0) {
		thousands(k->replies, num, sizeof(num));
		ADD(", %s repl%s", num, k->replies == 1 ? "y" : "ies");
	}
	queue_duration((long)(now - k->since), wait, sizeof(wait));
	ADD(", waiting %s", wait);
	if (queue_overdue(p, k, now)) {
		queue_duration(k->flags ? p->due_flagged : p->due_other, due,
			       sizeof(due));
		ADD(", OVERDUE (due %s)", due);
	}
#undef ADD
	return o;
}

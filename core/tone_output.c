/*
 * tone_output.c - hits to findings: merging, the score, messages and
 * suggestions, code point spans, and the JSON (on jsonw).
 */
#include "tone_internal.h"
#include "jsonw.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ merge and output */

static int hits_overlap(const struct hit *a, const struct hit *b)
{
	return a->bs < b->be && b->bs < a->be;
}

/*
 * Merge overlapping hits of one rule into their union (the more severe
 * one's message wins; `required` hits are distinct elements and stay
 * apart), and drop insults that an echo hit already covers.
 */
static void merge_hits(struct hits *hs)
{
	size_t i, j;

	for (i = 0; i < hs->n; i++) {
		for (j = i + 1; j < hs->n; j++) {
			struct hit *a = &hs->h[i], *b = &hs->h[j];

			if (a->rule != b->rule || !hits_overlap(a, b) ||
			    (a->rule == R_REQUIRED && a->why != b->why))
				continue;
			if (b->sev > a->sev) {
				a->why = b->why;
				a->sev = b->sev;
			}
			if (b->bs < a->bs)
				a->bs = b->bs;
			if (b->be > a->be)
				a->be = b->be;
			hs->h[j] = hs->h[--hs->n];
			j = i;      /* the union may now reach others */
		}
	}
	for (i = 0; i < hs->n; i++) {
		if (hs->h[i].rule != R_INSULT)
			continue;
		for (j = 0; j < hs->n; j++)
			if (hs->h[j].rule == R_ECHO &&
			    hs->h[j].bs <= hs->h[i].bs &&
			    hs->h[i].be <= hs->h[j].be)
				break;
		if (j < hs->n)
			hs->h[i--] = hs->h[--hs->n];
	}
}

static int cmp_severity(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;

	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->bs != b->bs)
		return a->bs < b->bs ? -1 : 1;
	return 0;
}

static int cmp_position(const void *pa, const void *pb)
{
	const struct hit *a = pa, *b = pb;

	if (a->bs != b->bs)
		return a->bs < b->bs ? -1 : 1;
	if (a->be != b->be)
		return a->be < b->be ? -1 : 1;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return 0;
}

/* Copy s[bs..be) for a message: at most QUOTE_MAX bytes, whole code
 * points, control characters as spaces, "..." when cut. */
static void quote(char *dst, size_t cap, const char *s, size_t bs, size_t be)
{
	size_t n = 0, i = bs, lim = cap - 4 < QUOTE_MAX ? cap - 4 : QUOTE_MAX;

	while (i < be) {
		size_t k = 1;
		unsigned char c = (unsigned char)s[i];

		if (c >= 0xF0)
			k = 4;
		else if (c >= 0xE0)
			k = 3;
		else if (c >= 0xC0)
			k = 2;
		if (n + k > lim)
			break;
		if (c < 0x20 || c == 0x7F) {
			dst[n++] = ' ';
		} else {
			memcpy(dst + n, s + i, k);
			n += k;
		}
		i += k;
	}
	if (i < be) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

/*
 * "reads as ... (learned from examples: 'a', 'b')".  A quote that would
 * not fit whole is left out, so the message never ends inside a code point.
 */
static void learned_message(struct tone_finding *f, const char *msg,
			    const struct hits *hs, const char *s)
{
	char q[LEARN_QUOTE_MAX + 4];
	size_t i, n, k, cap = sizeof(f->message);

	n = (size_t)snprintf(f->message, cap, "%s (learned from examples", msg);
	for (i = 0; i < hs->nev && n < cap; i++) {
		quote(q, sizeof(q), s, hs->ev_bs[i], hs->ev_be[i]);
		k = strlen(q);
		if (n + k + 5 >= cap)   /* ", '" + q + "'" + ")" + NUL */
			break;
		n += (size_t)snprintf(f->message + n, cap - n, "%s'%s'",
				      i ? ", " : ": ", q);
	}
	if (n + 1 < cap)
		memcpy(f->message + n, ")", 2);
}

void tone_write_finding(struct tone_finding *f, const struct hit *h,
			  const char *s, int ru, const struct hits *hs)
{
	const struct why_info *wi = &tone_why_tab[h->why];
	char q[QUOTE_MAX + 4];
	const char *sugg = ru && wi->sugg_ru ? wi->sugg_ru : wi->sugg;

	snprintf(f->rule, sizeof(f->rule), "%s", tone_rule_name[wi->rule]);
	f->severity = (enum tone_severity)h->sev;
	switch (h->why) {
	case W_LENGTH:
		snprintf(f->message, sizeof(f->message),
			 "reply is %u characters, over the %u-character limit",
			 (unsigned)h->arg, (unsigned)h->arg2);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "cut at least %u characters; move details to a private "
			 "message or a link", (unsigned)(h->arg - h->arg2));
		return;
	case W_EXCLAIM_COUNT:
		snprintf(f->message, sizeof(f->message),
			 "%u exclamation marks in one reply", (unsigned)h->arg);
		break;
	case W_LEARN_BLAME: case W_LEARN_DEFENSIVE: case W_LEARN_DISMISSIVE:
	case W_LEARN_INSULT: case W_LEARN_PROMISE: case W_LEARN_COMPETITOR:
		learned_message(f, wi->msg, hs, s);
		break;
	default:
		if (wi->quote) {
			quote(q, sizeof(q), s, h->bs, h->be);
			snprintf(f->message, sizeof(f->message), "%s: '%s'",
				 wi->msg, q);
		} else {
			snprintf(f->message, sizeof(f->message), "%s", wi->msg);
		}
		break;
	}
	snprintf(f->suggestion, sizeof(f->suggestion), "%s", sugg);
}

/* Code points in s[from..to). */
static size_t cp_count(const char *s, size_t from, size_t to)
{
	size_t n = 0;

	for (; from < to; from++)
		n += ((unsigned char)s[from] & 0xC0) != 0x80;
	return n;
}

void tone_finish(struct hits *hs, const char *s, int ru,
		   struct tone_result *out)
{
	size_t i, keep, at_b = 0, at_c = 0;
	int pen = hs->lost_penalty;

	merge_hits(hs);
	for (i = 0; i < hs->n; i++)
		pen += tone_penalty(hs->h[i].sev);
	out->score = pen >= 100 ? 0 : 100 - pen;
	keep = hs->n;
	if (keep > TONE_MAX_FINDINGS) {
		qsort(hs->h, hs->n, sizeof(hs->h[0]), cmp_severity);
		keep = TONE_MAX_FINDINGS;
	}
	qsort(hs->h, keep, sizeof(hs->h[0]), cmp_position);
	out->n = keep;
	out->dropped = hs->n - keep + hs->lost;
	for (i = 0; i < keep; i++) {
		const struct hit *h = &hs->h[i];
		struct tone_finding *f = &out->f[i];

		at_c += cp_count(s, at_b, h->bs);   /* starts ascend */
		at_b = h->bs;
		f->start = at_c;
		f->end = at_c + cp_count(s, h->bs, h->be);
		tone_write_finding(f, h, s, ru, hs);
	}
}

/* ---------------------------------------------------------------- output */

int tone_rule_known(const char *id)
{
	size_t i;

	for (i = 0; id && i < R_COUNT; i++)
		if (!strcmp(id, tone_rule_name[i]))
			return 1;
	return 0;
}

const char *tone_severity_name(enum tone_severity s)
{
	switch (s) {
	case TONE_ERROR: return "error";
	case TONE_WARNING: return "warning";
	case TONE_INFO: return "info";
	}
	return "info";
}

int tone_result_has_error(const struct tone_result *res)
{
	size_t i;

	for (i = 0; i < res->n; i++)
		if (res->f[i].severity == TONE_ERROR)
			return 1;
	return 0;
}

int tone_result_json(const struct tone_result *res, struct cd_buf *out)
{
	size_t keep = out->len, i;
	int rc = JSONW_LIT(out, "{\"score\":");

	if (!rc)
		rc = jsonw_int(out, res->score);
	if (!rc)
		rc = JSONW_LIT(out, ",\"issues\":[");
	for (i = 0; !rc && i < res->n; i++) {
		const struct tone_finding *f = &res->f[i];
		const char *sev = tone_severity_name(f->severity);

		rc = i ? JSONW_LIT(out, ",{\"rule\":") :
			 JSONW_LIT(out, "{\"rule\":");
		if (!rc)
			rc = jsonw_str(out, f->rule, strlen(f->rule));
		if (!rc)
			rc = JSONW_LIT(out, ",\"severity\":");
		if (!rc)
			rc = jsonw_str(out, sev, strlen(sev));
		if (!rc)
			rc = JSONW_LIT(out, ",\"message\":");
		if (!rc)
			rc = jsonw_str(out, f->message, strlen(f->message));
		if (!rc)
			rc = JSONW_LIT(out, ",\"start\":");
		if (!rc)
			rc = jsonw_int(out, (long long)f->start);
		if (!rc)
			rc = JSONW_LIT(out, ",\"end\":");
		if (!rc)
			rc = jsonw_int(out, (long long)f->end);
		if (!rc)
			rc = JSONW_LIT(out, ",\"suggestion\":");
		if (!rc)
			rc = jsonw_str(out, f->suggestion, strlen(f->suggestion));
		if (!rc)
			rc = cd_buf_addch(out, '}');
	}
	if (!rc)
		rc = JSONW_LIT(out, "]}");
	if (rc) {
		out->len = keep;
		if (out->data)
			out->data[keep] = '\0';
	}
	return rc;
}

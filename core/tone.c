/*
 * tone.c - the tone check: phrase lists, scanners and the score.
 *
 * How it works (docs/tone.md has the user's view):
 *
 *  1. Loading turns every list line into a phrase: the keys of its tokens
 *     as tok_run() produces them, so a list line and a reply are
 *     normalised, case-folded and stemmed by the same code.  Phrases live
 *     in one array; an open-addressing table maps a first key to the chain
 *     of phrases starting with it.
 *  2. A check tokenizes the reply (and the comment, when given) into a
 *     fixed array of words, each with its spans and the kind of
 *     punctuation before it; one pass over the words finds every phrase
 *     of every list.
 *  3. Rules read those matches (blame, defensive, ...), the words (caps,
 *     competitor, echo, required) or the raw bytes (length, placeholder,
 *     exclaim, pii: hand-written scanners, no regex).
 *  4. The learned layer scores the reply's tokens with a naive Bayes
 *     table trained at load from <lang>/replies.tsv and, for wording the
 *     lists missed, adds a warning of the rule its examples point to.
 *  5. Hits keep byte spans; overlapping hits of one rule are merged, all
 *     are scored, the most severe TONE_MAX_FINDINGS are kept, turned into
 *     code points and messages, and sorted by start.
 *
 * Nothing is allocated per reply: the work area lives on the stack
 * (about 48 KiB) and the caller's tokenizer reuses its own buffers.
 */
#include "tone.h"
#include "phrase.h"
#include "jsonw.h"
#include "sketch.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

#include "lineio.h"
#include "nb.h"

#define DEFAULT_MAX_CHARS 150
#define MAX_WORDS 512          /* reply words the word rules look at */
#define MAX_COMMENT_WORDS 256  /* comment words `echo` looks at */
#define MAX_MATCHES 256        /* phrase matches kept per text */
#define MAX_HITS 96            /* hits kept before merging */
#define MAX_PHRASES 200000     /* phrases over all lists */
#define MAX_ROLES 256          /* email_roles entries */
#define ROLE_LEN 32            /* bytes of one email_roles entry */
#define MAX_COMP_WORDS 4       /* words of one competitor name */
#define MAX_COMP_BYTES 64      /* bytes of one competitor name */
#define MAX_ZONES 64           /* urls and e-mails the number scanner skips */
#define NEG_WINDOW 4           /* words from a negation to what it negates */
#define NEAR_WINDOW 5          /* words from a competitor to a negative word */
#define FACT_MIN_WORDS 6       /* content words that make a statement a fact */
#define QUOTE_MAX 72           /* bytes of reply text quoted in a message */
#define LEARN_QUOTES 3         /* words a learned finding quotes */
#define LEARN_QUOTE_MAX 28     /* bytes of one of them */
#define NUM_SALT 0x9e3779b97f4a7c15ULL
#define NONE UINT32_MAX

/* The lists: file stems under config/tone/<lang>/. */
enum list_id {
	LIST_BLAME,
	LIST_DEFENSIVE,
	LIST_DISMISSIVE,
	LIST_INSULT,
	LIST_PROMISE,
	LIST_COMP_NEG,
	LIST_COMP_REF,
	LIST_ACK,
	LIST_NEXT,
	LIST_FACT,
	LIST_CAPS_ALLOW,
	LIST_NEGATION,
	LIST_STOP,
	LIST_PII_ORDER,
	LIST_PII_STREET,
	LIST_PII_UNIT,
	LIST_EMAIL_ROLES,      /* raw e-mail local parts, not phrases */
	LIST_NON_APOLOGY,
	LIST_COUNT
};

static const char *const list_file[LIST_COUNT] = {
	"blame", "defensive", "dismissive", "insult", "absolute_promise",
	"competitor_negative", "competitor_ref", "acknowledge", "next_step",
	"fact", "caps_allow", "negation", "stopwords", "pii_order",
	"pii_street", "pii_unit", "email_roles", "non_apology"
};

static const char *const langs[] = { "en", "ru" };

/* Rule ids, in the order of docs/tone.md. */
enum rule_id {
	R_LENGTH, R_PLACEHOLDER, R_CAPS, R_EXCLAIM, R_BLAME, R_DEFENSIVE,
	R_DISMISSIVE, R_INSULT, R_PROMISE, R_COMPETITOR, R_PII, R_ECHO,
	R_REQUIRED, R_COUNT
};

static const char *const rule_name[R_COUNT] = {
	"length", "placeholder", "caps", "exclaim", "blame", "defensive",
	"dismissive", "insult", "absolute_promise", "competitor", "pii",
	"echo", "required"
};

/* Why a hit was made: picks the rule, severity, message and suggestion. */
enum why {
	W_LENGTH,
	W_PH_BRACES, W_PH_MENTION, W_PH_EMPTY_BEFORE, W_PH_SPACE_BANG,
	W_PH_DOUBLE_SPACE, W_PH_EMPTY_PAIR, W_PH_EMPTY_NUMBER, W_PH_TRAILING,
	W_PH_EMPTY_REPLY, W_PH_PUNCT_DOUBLE,
	W_CAPS, W_EXCLAIM_RUN, W_EXCLAIM_COUNT,
	W_BLAME, W_DEFENSIVE, W_NON_APOLOGY, W_DISMISSIVE, W_INSULT, W_PROMISE, W_COMPETITOR,
	W_PII_EMAIL, W_PII_PHONE, W_PII_CARD, W_PII_NUMBER, W_PII_ORDER,
	W_PII_ADDRESS,
	W_ECHO_INSULT, W_ECHO_CLAIM,
	W_REQ_ACK, W_REQ_NEXT, W_REQ_FACT, W_REQ_SOURCE,
	W_LEARN_BLAME, W_LEARN_DEFENSIVE, W_LEARN_DISMISSIVE, W_LEARN_INSULT,
	W_LEARN_PROMISE, W_LEARN_COMPETITOR,
	W_COUNT
};

struct why_info {
	uint8_t rule;
	uint8_t sev;
	uint8_t quote;          /* the message quotes the span's text */
	const char *msg;
	const char *sugg;
	const char *sugg_ru;    /* NULL: sugg */
};

#define PII_SUGG "remove it and continue in a private message"
#define BLAME_SUGG \
	"own the problem: say what you will do, not what they did wrong"
#define BLAME_SUGG_RU "own the problem, e.g. «мы разберёмся и поможем»"
#define DEFENSIVE_SUGG "acknowledge the concern and state the facts calmly"
#define DISMISSIVE_SUGG "take the concern seriously and drop the sarcasm"
#define INSULT_SUGG "never label people in public; hide and escalate instead"
#define PROMISE_SUGG \
	"promise only what you control, e.g. 'we are working to prevent this'"
#define PROMISE_SUGG_RU "promise only what you control, " \
	"e.g. «делаем всё, чтобы это не повторилось»"
#define COMPETITOR_SUGG "state your own facts; never comment on a competitor"
#define PII_SUGG_RU \
	PII_SUGG ", e.g. «напишите нам в личные сообщения»"

static const struct why_info why_tab[W_COUNT] = {
	[W_LENGTH] = { R_LENGTH, TONE_ERROR, 0, NULL, NULL, NULL },
	[W_PH_BRACES] = { R_PLACEHOLDER, TONE_ERROR, 1,
		"unrendered placeholder",
		"fill in the variable or remove it before posting", NULL },
	[W_PH_MENTION] = { R_PLACEHOLDER, TONE_ERROR, 0,
		"empty @mention: the handle is missing",
		"fill in the author's handle or drop the mention", NULL },
	[W_PH_EMPTY_BEFORE] = { R_PLACEHOLDER, TONE_ERROR, 1,
		"empty value left in the text",
		"a variable rendered empty: fill it in or rephrase", NULL },
	[W_PH_SPACE_BANG] = { R_PLACEHOLDER, TONE_WARNING, 1,
		"space before the mark, likely an empty value",
		"check for an empty variable before the mark", NULL },
	[W_PH_DOUBLE_SPACE] = { R_PLACEHOLDER, TONE_WARNING, 0,
		"doubled space, likely an empty variable",
		"check for an empty variable and remove the extra space", NULL },
	[W_PH_EMPTY_PAIR] = { R_PLACEHOLDER, TONE_ERROR, 1,
		"empty brackets or quotes",
		"a variable rendered empty: fill it in or remove the brackets", NULL },
	[W_PH_EMPTY_NUMBER] = { R_PLACEHOLDER, TONE_ERROR, 1,
		"number sign with no number",
		"a variable rendered empty: fill it in or rephrase", NULL },
	[W_PH_TRAILING] = { R_PLACEHOLDER, TONE_WARNING, 0,
		"reply ends with ':' and nothing after it",
		"the value after the colon is missing: fill it in", NULL },
	[W_PH_EMPTY_REPLY] = { R_PLACEHOLDER, TONE_ERROR, 0,
		"reply is empty",
		"write a reply or choose not to reply", NULL },
	[W_PH_PUNCT_DOUBLE] = { R_PLACEHOLDER, TONE_WARNING, 1,
		"doubled punctuation, likely an empty value",
		"check for an empty variable between the marks", NULL },
	[W_CAPS] = { R_CAPS, TONE_WARNING, 1,
		"all-caps reads as shouting",
		"write it in normal case; add real acronyms to caps_allow.txt", NULL },
	[W_EXCLAIM_RUN] = { R_EXCLAIM, TONE_WARNING, 1,
		"repeated exclamation marks",
		"use at most one '!'; a calm full stop reads better in a crisis", NULL },
	[W_EXCLAIM_COUNT] = { R_EXCLAIM, TONE_WARNING, 0, NULL,
		"use at most one '!'; a calm full stop reads better in a crisis", NULL },
	[W_BLAME] = { R_BLAME, TONE_ERROR, 1,
		"blames the customer", BLAME_SUGG, BLAME_SUGG_RU },
	[W_DEFENSIVE] = { R_DEFENSIVE, TONE_ERROR, 1,
		"argues or defends instead of helping", DEFENSIVE_SUGG, NULL },
	[W_NON_APOLOGY] = { R_DEFENSIVE, TONE_WARNING, 1,
		"apology taken back",
		"apologise without 'but', then explain", NULL },
	[W_DISMISSIVE] = { R_DISMISSIVE, TONE_ERROR, 1,
		"dismissive or sarcastic", DISMISSIVE_SUGG, NULL },
	[W_INSULT] = { R_INSULT, TONE_ERROR, 1,
		"insults the commenter", INSULT_SUGG, NULL },
	[W_PROMISE] = { R_PROMISE, TONE_WARNING, 1,
		"absolute promise", PROMISE_SUGG, PROMISE_SUGG_RU },
	[W_COMPETITOR] = { R_COMPETITOR, TONE_ERROR, 1,
		"runs down another brand", COMPETITOR_SUGG, NULL },
	[W_PII_EMAIL] = { R_PII, TONE_ERROR, 1,
		"e-mail address in a public reply", PII_SUGG, PII_SUGG_RU },
	[W_PII_PHONE] = { R_PII, TONE_ERROR, 1,
		"phone number in a public reply", PII_SUGG, PII_SUGG_RU },
	[W_PII_CARD] = { R_PII, TONE_ERROR, 1,
		"card number in a public reply", PII_SUGG, PII_SUGG_RU },
	[W_PII_NUMBER] = { R_PII, TONE_ERROR, 1,
		"long order, account or card number in a public reply",
		PII_SUGG, PII_SUGG_RU },
	[W_PII_ORDER] = { R_PII, TONE_ERROR, 1,
		"order or ticket number in a public reply", PII_SUGG, PII_SUGG_RU },
	[W_PII_ADDRESS] = { R_PII, TONE_ERROR, 1,
		"street address in a public reply", PII_SUGG, PII_SUGG_RU },
	[W_ECHO_INSULT] = { R_ECHO, TONE_ERROR, 1,
		"repeats the comment's insult",
		"answer without repeating the insult", NULL },
	[W_ECHO_CLAIM] = { R_ECHO, TONE_ERROR, 1,
		"repeats the false claim",
		"state the correct fact without restating the claim", NULL },
	[W_REQ_ACK] = { R_REQUIRED, TONE_WARNING, 0,
		"complaint reply has no acknowledgement or apology",
		"acknowledge first, e.g. 'sorry about this, we hear you'",
		"acknowledge first, e.g. «извините, понимаем вас»" },
	[W_REQ_NEXT] = { R_REQUIRED, TONE_WARNING, 0,
		"complaint reply has no next step (link, dm, message us)",
		"give a concrete next step, e.g. 'DM us your order number'",
		"give a concrete next step, "
		"e.g. «напишите нам в личные сообщения»" },
	[W_REQ_FACT] = { R_REQUIRED, TONE_WARNING, 0,
		"correction states no fact",
		"state the fact from the fact sheet", NULL },
	[W_REQ_SOURCE] = { R_REQUIRED, TONE_ERROR, 0,
		"correction has no source link",
		"add the fact's source url", NULL },
	/* the learned layer: write_finding() adds the words it weighed */
	[W_LEARN_BLAME] = { R_BLAME, TONE_WARNING, 0,
		"reads as blaming the customer", BLAME_SUGG, BLAME_SUGG_RU },
	[W_LEARN_DEFENSIVE] = { R_DEFENSIVE, TONE_WARNING, 0,
		"reads as arguing or defending instead of helping",
		DEFENSIVE_SUGG, NULL },
	[W_LEARN_DISMISSIVE] = { R_DISMISSIVE, TONE_WARNING, 0,
		"reads as dismissive or sarcastic", DISMISSIVE_SUGG, NULL },
	[W_LEARN_INSULT] = { R_INSULT, TONE_WARNING, 0,
		"reads as insulting the commenter", INSULT_SUGG, NULL },
	[W_LEARN_PROMISE] = { R_PROMISE, TONE_WARNING, 0,
		"reads as an absolute promise", PROMISE_SUGG, PROMISE_SUGG_RU },
	[W_LEARN_COMPETITOR] = { R_COMPETITOR, TONE_WARNING, 0,
		"reads as running down another brand", COMPETITOR_SUGG, NULL },
};

/*
 * The labels of replies.tsv: "ok", then one per rule the learned layer
 * feeds, named like the rule, with the hit it makes.
 */
#define LEARN_LABELS 7
static const char *const learn_label[LEARN_LABELS] = {
	"ok", "blame", "defensive", "dismissive", "insult",
	"absolute_promise", "competitor"
};
static const int8_t learn_why[LEARN_LABELS] = {
	-1, W_LEARN_BLAME, W_LEARN_DEFENSIVE, W_LEARN_DISMISSIVE,
	W_LEARN_INSULT, W_LEARN_PROMISE, W_LEARN_COMPETITOR
};

/* Lists whose matches a preceding negation cancels ("not your fault"). */
static int list_negatable(int list)
{
	return list == LIST_BLAME || list == LIST_INSULT ||
		list == LIST_PROMISE || list == LIST_ACK;
}

/* ---------------------------------------------------------------- rules */

/*
 * A competitor name normalised to keys, and the feature text of its last
 * word: Russian inflects names and Snowball does not always strip the
 * ending ("СокПром" -> "сокпр", "СокПрома" -> "сокпром"), so the last word
 * also matches a word that extends it by at most COMP_SUFFIX bytes.
 */
#define COMP_SUFFIX 6   /* three Cyrillic letters */
struct comp {
	uint64_t key[MAX_COMP_WORDS];
	size_t n;
	char last[MAX_COMP_BYTES + 1];
	size_t lastlen;
};

/*
 * The learned layer of one language (tone.h).  core/nb counts the
 * examples; from its counts loading makes a flat table, per feature (a
 * token's hash) log P(f | label) - log P(f | ok) for each bad label in one
 * 32-byte slot, and frees the model: a reply then costs one probe per
 * token and word pair and six additions, and ok (the usual verdict) needs
 * no exp().
 */
#define LEARN_BAD (LEARN_LABELS - 1)    /* the bad labels */
#define LEARN_NEVER (-1e30f)            /* prior of a label with no examples */
#define LEARN_MAX_TOKENS MAX_WORDS      /* tokens but pairs of a reply scored */
struct lslot {
	uint64_t key;           /* tok.hash; 0: empty */
	float v[LEARN_BAD];     /* against ok, in learn_label[1..] order */
	float pad;
};

struct learned {
	struct lslot *slot;     /* NULL: no replies.tsv, the layer is off */
	size_t mask;
	float bias[LEARN_BAD];  /* log P(label) - log P(ok) */
	size_t examples;
};

struct tone_rules {
	struct tone_params p;
	struct learned learn[2];    /* en, ru (langs[]) */
	double learn_odds;          /* log(threshold / (1 - threshold)) */
	struct phrase_set *ph;      /* every list, group = enum list_id */
	char roles[MAX_ROLES][ROLE_LEN];
	size_t nroles;
	struct comp comps[TONE_MAX_COMPETITORS];   /* tone_rules_add_competitors */
	size_t ncomps;
};

/* ---------------------------------------------------------------- words */

#define WF_STOP 1       /* a stopword (stopwords.txt) */
#define WF_CAPS_OK 2    /* an allowed all-caps word (caps_allow.txt) */
#define WF_UNIT 4       /* starts a pii_unit match ("д.", "apt") */
#define WF_NEG 8        /* a one-word negation ("not", "не") */

/*
 * 0 when no word of the comment (the tokenizer's last run on s[0..len),
 * as phrase_words() would take them) has the key of a word of the reply:
 * then `echo` can find nothing, and the comment need not be matched
 * against the lists at all.  Every echo shares a key (a repeated insult
 * phrase, a run of words), so 1 means only "perhaps".
 */
static int may_echo(const struct tokenizer *ct, const char *s, size_t len,
		    const struct phrase_word *rw, size_t rn)
{
	const struct tok *t = tok_list(ct);
	size_t i, n = 0, nt = tok_count(ct);
	struct sketch sk = SKETCH_EMPTY;

	for (i = 0; i < rn; i++)
		sketch_add(&sk, rw[i].key);
	for (i = 0; i < nt && n < MAX_COMMENT_WORDS; i++) {
		const struct tok *k = &t[i];
		uint64_t key = k->hash;

		if (k->kind == TOK_MARK || k->kind == TOK_BIGRAM)
			continue;
		n++;
		if (k->kind == TOK_NUM)
			key = phrase_num_key(s, k->start, k->end,
				      phrase_percent_end(s, len, k->end) > k->end);
		if (sketch_has(&sk, key))
			return 1;
	}
	return 0;
}

/*
 * What the tone check does with a phrase found (phrase_keep_fn): words of
 * stopwords and caps_allow only get flags; pii_unit and one-word negations
 * flag their first word and are kept, as every other list's matches.
 */
static int keep_match(void *ctx, const struct phrase_set *s, uint32_t p,
		      struct phrase_word *w, size_t at)
{
	unsigned list = phrase_group(s, p), n = phrase_nwords(s, p), k;

	(void)ctx;
	if (list == LIST_STOP) {
		if (n == 1)
			w[at].flags |= WF_STOP;
		return 0;
	}
	if (list == LIST_CAPS_ALLOW) {
		for (k = 0; k < n; k++)
			w[at + k].flags |= WF_CAPS_OK;
		return 0;
	}
	if (list == LIST_PII_UNIT)
		w[at].flags |= WF_UNIT;
	else if (list == LIST_NEGATION && n == 1)
		w[at].flags |= WF_NEG;
	return 1;
}

/*
 * Find every phrase of every list in w[0..n) (at most mcap matches; the
 * rest are ignored).  The lists with an exception match are added to
 * *excepted, for the learned layer.
 */
static size_t match_words(const struct tone_rules *r, struct phrase_word *w,
			  size_t n, struct phrase_match *m, size_t mcap,
			  unsigned *excepted)
{
	return phrase_match(r->ph, w, n, m, mcap, keep_match, NULL, excepted);
}

/*
 * 1 when a negation ("not", "can't", "не") ends at most NEG_WINDOW words
 * before word `at`, with no punctuation in between: "not your fault",
 * "we can't guarantee", but not "No, it's your fault".
 */
static int negated(const struct phrase_word *w, const struct phrase_match *m, size_t nm,
		   size_t at)
{
	size_t i, q;

	for (i = 0; i < nm; i++) {
		if (m[i].group != LIST_NEGATION || m[i].to > at ||
		    at - m[i].to > NEG_WINDOW)
			continue;
		for (q = m[i].to; q <= at; q++)
			if (w[q].gap != PHRASE_GAP_NONE)
				break;
		if (q > at)
			return 1;
	}
	return 0;
}

/* Is there a match of list (not cancelled by a negation where it can be)? */
static int has_list(const struct phrase_word *w, const struct phrase_match *m, size_t nm,
		    int list)
{
	size_t i;

	for (i = 0; i < nm; i++)
		if (m[i].group == list && !(list_negatable(list) &&
					   negated(w, m, nm, m[i].from)))
			return 1;
	return 0;
}

/*
 * Count upper- and lower-case letters of s[bs..be); stops at the first
 * lower-case letter (*lower is then 1), all a caps check needs.
 */
static void letter_case(const char *s, size_t bs, size_t be,
			unsigned *upper, unsigned *lower)
{
	size_t i = bs;

	*upper = 0;
	*lower = 0;
	while (i < be) {
		unsigned char c = (unsigned char)s[i];
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		utf8proc_category_t cat;

		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z') {
				(*upper)++;
			} else if (c >= 'a' && c <= 'z') {
				(*lower)++;
				return;
			}
			i++;
			continue;
		}
		if ((c == 0xD0 || c == 0xD1) && i + 1 < be &&
		    ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
			/* U+0400..U+045F: Ѐ-Я are Lu, а-џ are Ll */
			cp = ((c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F);
			if (cp <= 0x42F) {
				(*upper)++;
				i += 2;
				continue;
			}
			if (cp <= 0x45F) {
				(*lower)++;
				return;
			}
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
				     (utf8proc_ssize_t)(be - i), &cp);
		if (k <= 0) {
			i++;
			continue;
		}
		cat = utf8proc_category(cp);
		if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT) {
			(*upper)++;
		} else if (cat == UTF8PROC_CATEGORY_LL) {
			(*lower)++;
			return;
		}
		i += (size_t)k;
	}
}

/* 1 when the word starts with an upper-case letter ("Baker", "Ленина"). */
static int capitalised(const char *s, const struct phrase_word *w)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	utf8proc_category_t cat;

	if (w->kind != TOK_WORD)
		return 0;
	k = utf8proc_iterate((const utf8proc_uint8_t *)s + w->bs,
			     (utf8proc_ssize_t)(w->be - w->bs), &cp);
	if (k <= 0)
		return 0;
	cat = utf8proc_category(cp);
	return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

static size_t digits_in(const char *s, size_t bs, size_t be)
{
	size_t d = 0;

	for (; bs < be; bs++)
		if (text_is_digit((unsigned char)s[bs]))
			d++;
	return d;
}

/* A house or order number: a number, or a word starting with a digit. */
static int number_word(const char *s, const struct phrase_word *w)
{
	if (w->kind != TOK_NUM &&
	    !(w->kind == TOK_WORD && text_is_digit((unsigned char)s[w->bs])))
		return 0;
	return s[w->be - 1] != '%';
}

/* Only digits: an order number, not "3.50", "1,000" or "01.05.2024". */
static int plain_digits(const char *s, const struct phrase_word *w)
{
	size_t i;

	for (i = w->bs; i < w->be; i++)
		if (!text_is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ----------------------------------------------------------------- hits */

struct hit {
	uint32_t bs, be;        /* bytes */
	uint32_t arg, arg2;
	uint8_t why, rule, sev;
};

struct hits {
	struct hit h[MAX_HITS];
	size_t n;
	int lost_penalty;       /* penalty of hits that did not fit */
	size_t lost;
	/* the words a learned hit quotes (there is at most one such hit) */
	uint32_t ev_bs[LEARN_QUOTES], ev_be[LEARN_QUOTES];
	size_t nev;
};

static int penalty(int sev)
{
	return sev == TONE_ERROR ? 30 : sev == TONE_WARNING ? 10 : 2;
}

static void hit_add(struct hits *hs, enum why why, size_t bs, size_t be,
		    size_t arg, size_t arg2)
{
	struct hit *h;

	if (hs->n == MAX_HITS) {
		hs->lost_penalty += penalty(why_tab[why].sev);
		hs->lost++;
		return;
	}
	h = &hs->h[hs->n++];
	h->bs = (uint32_t)bs;
	h->be = (uint32_t)be;
	h->arg = (uint32_t)arg;
	h->arg2 = (uint32_t)arg2;
	h->why = (uint8_t)why;
	h->rule = why_tab[why].rule;
	h->sev = why_tab[why].sev;
}

/* Hit on the words [from, to). */
static void hit_words(struct hits *hs, enum why why, const struct phrase_word *w,
		      size_t from, size_t to)
{
	hit_add(hs, why, w[from].bs, w[to - 1].be, 0, 0);
}

/* ---------------------------------------------------- the byte scanners */

/* The code point that ends right before byte i, or -1. */
static utf8proc_int32_t prev_cp(const char *s, size_t i)
{
	size_t j = i;
	utf8proc_int32_t cp;

	if (i == 0)
		return -1;
	do
		j--;
	while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && i - j < 4);
	if (utf8proc_iterate((const utf8proc_uint8_t *)s + j,
			     (utf8proc_ssize_t)(i - j), &cp) <= 0)
		return -1;
	return cp;
}

static int cp_is_letter_or_digit(utf8proc_int32_t cp)
{
	utf8proc_category_t cat;

	if (cp < 0)
		return 0;
	cat = utf8proc_category(cp);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
		cat == UTF8PROC_CATEGORY_ND;
}

static int is_email_local(unsigned char c)
{
	return text_is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
		c == '-';
}

#define BC_DIGIT 1      /* an ASCII digit: the number scanner runs */
#define BC_AT 2         /* '@': the e-mail scanner runs */
#define BC_BANG 4       /* '!' or a lead byte of U+203C, U+FF01, ...: exclaim */
#define BC_PH 8         /* a byte rule_placeholder looks at */

/* The scanners' trigger bytes, so each skips the rest quickly. */
static const unsigned char byte_class[256] = {
	['0'] = BC_DIGIT, ['1'] = BC_DIGIT, ['2'] = BC_DIGIT, ['3'] = BC_DIGIT,
	['4'] = BC_DIGIT, ['5'] = BC_DIGIT, ['6'] = BC_DIGIT, ['7'] = BC_DIGIT,
	['8'] = BC_DIGIT, ['9'] = BC_DIGIT,
	['@'] = BC_AT | BC_PH,
	['!'] = BC_BANG,
	[0xE2] = BC_BANG | BC_PH, [0xEF] = BC_BANG,
	['{'] = BC_PH, ['}'] = BC_PH, ['$'] = BC_PH, ['%'] = BC_PH,
	['['] = BC_PH, ['<'] = BC_PH, [' '] = BC_PH, ['('] = BC_PH,
	['"'] = BC_PH, [0xC2] = BC_PH, [','] = BC_PH, ['#'] = BC_PH,
	[':'] = BC_PH,
};

/* Nonzero when a byte of x is an ASCII digit ("has between" of the bit
 * hacks, exact for "is there any"). */
static uint64_t any_digit(uint64_t x)
{
	const uint64_t l = 0x0101010101010101ULL;

	return ((l * (127 + 0x3A) - (x & l * 127)) & ~x &
		((x & l * 127) + l * (127 - 0x2F))) & l * 128;
}

/*
 * Which scanners have anything to look at (BC_DIGIT, BC_AT, BC_BANG), and
 * the length in code points: 8 bytes a step for the count and the digits,
 * memchr for the rest.
 */
static unsigned byte_classes(const char *s, size_t len, size_t *cps)
{
	const uint64_t l = 0x0101010101010101ULL, high = l * 0x80;
	unsigned m = 0;
	size_t i = 0, cont = 0;
	uint64_t dig = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w, c;

		memcpy(&w, s + i, 8);
		c = (w & ~(w << 1) & high) >> 7;        /* 10xxxxxx: 1 */
		cont += (size_t)((c * l) >> 56);
		dig |= any_digit(w);
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		cont += (c & 0xC0) == 0x80;
		m |= byte_class[c] & BC_DIGIT;
	}
	if (dig)
		m |= BC_DIGIT;
	if (len && memchr(s, '@', len))
		m |= BC_AT;
	if (len && (memchr(s, '!', len) || memchr(s, 0xE2, len) ||
		    memchr(s, 0xEF, len)))
		m |= BC_BANG;
	*cps = len - cont;
	return m;
}

/* length: over the channel limit.  The span is the part past the limit. */
static void rule_length(const char *s, size_t len, size_t total, size_t max,
			struct hits *hs)
{
	size_t i, cp = 0;

	if (total <= max)
		return;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (cp == max)
				break;
			cp++;
		}
	}
	hit_add(hs, W_LENGTH, i, len, total, max);
}

/* Is the rest of s from i on blank? */
static int rest_blank(const char *s, size_t len, size_t i)
{
	for (; i < len; i++)
		if (!text_is_blank((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * placeholder: template marks left in the text ("{{name}}", "{name}",
 * "${x}", "%s", "[Name]", "<name>") and the traces an empty value leaves:
 * "Hi @,", "Hi ,", "order # is", "()", doubled spaces, ", ,", a trailing
 * ':'.
 */
static void rule_placeholder(const char *s, size_t len, struct hits *hs)
{
	size_t i, j, first = len;

	for (i = 0; i < len; i++)
		if (!text_is_blank((unsigned char)s[i])) {
			first = i;
			break;
		}
	if (first == len) {
		hit_add(hs, W_PH_EMPTY_REPLY, 0, len, 0, 0);
		return;
	}
	for (i = first; i < len; i++) {
		unsigned char c = (unsigned char)s[i], nx, pv;

		if (!(byte_class[c] & BC_PH))
			continue;
		nx = i + 1 < len ? (unsigned char)s[i + 1] : 0;
		pv = i ? (unsigned char)s[i - 1] : 0;
		if (c == ' ' && nx > '?')
			continue;       /* the common case: a word follows (only
					   a space or , ; . ! ? after one counts) */

		switch (c) {
		case '{':
			if (nx == '{' || (nx == '%')) {
				const char *close = nx == '{' ? "}}" : "%}";

				for (j = i + 2; j + 1 < len; j++)
					if (s[j] == close[0] && s[j + 1] == close[1])
						break;
				j = j + 1 < len ? j + 2 : i + 2;
				hit_add(hs, W_PH_BRACES, i, j, 0, 0);
				i = j - 1;
				break;
			}
			for (j = i + 1; j < len && j - i < 40 &&
			     (text_is_alnum((unsigned char)s[j]) || s[j] == '_' ||
			      s[j] == '.'); j++)
				;
			if (j > i + 1 && j < len && s[j] == '}') {
				hit_add(hs, W_PH_BRACES, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '}':
			if (nx == '}') {
				hit_add(hs, W_PH_BRACES, i, i + 2, 0, 0);
				i++;
			}
			break;
		case '$':
			if (nx == '{') {
				for (j = i + 2; j < len && s[j] != '}' && j - i < 40; j++)
					;
				j = j < len && s[j] == '}' ? j + 1 : i + 2;
				hit_add(hs, W_PH_BRACES, i, j, 0, 0);
				i = j - 1;
			}
			break;
		case '%':
			if ((nx == 's' || nx == 'd') && !text_is_alnum(pv) &&
			    !(i + 2 < len && text_is_alnum((unsigned char)s[i + 2])))
				hit_add(hs, W_PH_BRACES, i, i + 2, 0, 0);
			break;
		case '[':
			for (j = i + 1; j < len && j - i <= 32; j++) {
				unsigned char d = (unsigned char)s[j];

				if (!(d >= 0x80 || text_is_alnum(d) || d == '_' ||
				      d == ' ' || d == '.') || text_is_digit(d))
					break;
			}
			if (j < len && s[j] == ']') {
				hit_add(hs, j == i + 1 ? W_PH_EMPTY_PAIR :
					W_PH_BRACES, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '<':
			for (j = i + 1; j < len && j - i <= 24 &&
			     ((s[j] >= 'a' && s[j] <= 'z') ||
			      (s[j] >= 'A' && s[j] <= 'Z') || s[j] == '_'); j++)
				;
			if (j > i + 1 && j < len && s[j] == '>') {
				hit_add(hs, W_PH_BRACES, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '@':
			if (i > 0 && is_email_local(pv))
				break;
			if (!(text_is_alnum(nx) || nx == '_' || nx >= 0x80))
				hit_add(hs, W_PH_MENTION, i, i + 1, 0, 0);
			break;
		case ' ':
			if (nx == ',' || nx == ';' ||
			    (nx == '.' && !(i + 2 < len && s[i + 2] == '.'))) {
				hit_add(hs, W_PH_EMPTY_BEFORE, i, i + 2, 0, 0);
			} else if ((nx == '!' || nx == '?') && pv != ' ') {
				hit_add(hs, W_PH_SPACE_BANG, i, i + 2, 0, 0);
			} else if (nx == ' ') {
				for (j = i; j < len && s[j] == ' '; j++)
					;
				if (j < len && !text_is_blank((unsigned char)s[j]) &&
				    !text_is_blank(pv) && pv != '.' && pv != '!' &&
				    pv != '?')
					hit_add(hs, W_PH_DOUBLE_SPACE, i, j, 0, 0);
				i = j - 1;
			}
			break;
		case '(':
			for (j = i + 1; j < len && s[j] == ' '; j++)
				;
			if (j < len && s[j] == ')') {
				hit_add(hs, W_PH_EMPTY_PAIR, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '"':
			if (nx == '"') {
				hit_add(hs, W_PH_EMPTY_PAIR, i, i + 2, 0, 0);
				i++;
			}
			break;
		case 0xC2:      /* << >> */
			if (nx == 0xAB) {
				for (j = i + 2; j < len && s[j] == ' '; j++)
					;
				if (j + 1 < len && (unsigned char)s[j] == 0xC2 &&
				    (unsigned char)s[j + 1] == 0xBB) {
					hit_add(hs, W_PH_EMPTY_PAIR, i, j + 2, 0, 0);
					i = j + 1;
				}
			}
			break;
		case 0xE2:
			/* curly quotes U+201C U+201D with nothing between */
			if (nx == 0x80 && i + 5 < len &&
			    (unsigned char)s[i + 2] == 0x9C &&
			    (unsigned char)s[i + 3] == 0xE2 &&
			    (unsigned char)s[i + 4] == 0x80 &&
			    (unsigned char)s[i + 5] == 0x9D) {
				hit_add(hs, W_PH_EMPTY_PAIR, i, i + 6, 0, 0);
				i += 5;
			} else if (nx == 0x84 && i + 2 < len &&
				   (unsigned char)s[i + 2] == 0x96) {
				/* U+2116 NUMERO SIGN with no number after it */
				for (j = i + 3; j < len && s[j] == ' '; j++)
					;
				if (j == len || !text_is_digit((unsigned char)s[j]))
					hit_add(hs, W_PH_EMPTY_NUMBER, i, i + 3, 0, 0);
			}
			break;
		case ',':
			if (i == first) {
				hit_add(hs, W_PH_EMPTY_BEFORE, i, i + 1, 0, 0);
			} else {
				for (j = i + 1; j < len && s[j] == ' '; j++)
					;
				if (j < len && s[j] == ',') {
					hit_add(hs, W_PH_PUNCT_DOUBLE, i, j + 1, 0, 0);
					i = j;
				}
			}
			break;
		case '#':
			if ((i == 0 || text_is_blank(pv)) &&
			    (nx == 0 || text_is_blank(nx) || nx == ',' || nx == '.' ||
			     nx == '!' || nx == '?' || nx == ')'))
				hit_add(hs, W_PH_EMPTY_NUMBER, i, i + 1, 0, 0);
			break;
		case ':':
			if (rest_blank(s, len, i + 1))
				hit_add(hs, W_PH_TRAILING, i, i + 1, 0, 0);
			break;
		default:
			break;
		}
	}
}

/*
 * exclaim: a run of marks with a '!' in it ("!!", "?!", a double
 * exclamation emoji), or more than two in the reply.
 */
static void rule_exclaim(const char *s, size_t len, struct hits *hs)
{
	size_t i = 0, total = 0, third = 0, last_end = 0;
	int flagged = 0;

	while (i < len) {
		size_t rs = i, re = i, marks = 0, bangs = 0;

		for (;;) {
			unsigned char c = i < len ? (unsigned char)s[i] : 0;
			utf8proc_int32_t cp;
			utf8proc_ssize_t k;
			size_t b = 0, q = 0;

			if (i >= len)
				break;
			if (c == '!' || c == '?') {
				k = 1;
				cp = c;
			} else if (c == 0xE2 || c == 0xEF) {
				k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
						     (utf8proc_ssize_t)(len - i), &cp);
				if (k <= 0)
					break;
			} else {
				break;
			}
			if (cp == '!' || cp == 0xFF01 || cp == 0x2757 ||
			    cp == 0x2755)
				b = 1;
			else if (cp == 0x203C)
				b = 2;
			else if (cp == 0x2049)
				b = 1, q = 1;
			else if (cp == '?' || cp == 0xFF1F || cp == 0x2753 ||
				 cp == 0x2754)
				q = 1;
			else if (cp == 0xFE0F && marks)
				q = 0;
			else
				break;
			if (b && total < 3 && total + b >= 3)
				third = i;
			total += b;
			bangs += b;
			marks += b + q;
			i += (size_t)k;
			re = i;
			if (b)
				last_end = i;
		}
		if (re > rs) {
			if (bangs >= 2 || (bangs >= 1 && marks >= 2)) {
				hit_add(hs, W_EXCLAIM_RUN, rs, re, 0, 0);
				flagged = 1;
			}
		} else {
			i++;
		}
	}
	if (!flagged && total > 2)
		hit_add(hs, W_EXCLAIM_COUNT, third, last_end, total, 0);
}

/*
 * caps: ALL-CAPS words of 3+ letters not in caps_allow.txt.  Neighbouring
 * all-caps words of the same sentence join one hit ("WE ARE SORRY").
 */
static void rule_caps(const char *s, const struct phrase_word *w, size_t n,
		      struct hits *hs)
{
	size_t i, run_from = 0, run_to = 0, lead = SIZE_MAX;
	int open = 0;

	for (i = 0; i < n; i++) {
		unsigned up, lo;
		int flagged, allowed = (w[i].flags & WF_CAPS_OK) != 0;

		if (w[i].kind == TOK_NUM)
			continue;
		if (open && (w[i].kind != TOK_WORD || w[i].gap == PHRASE_GAP_SENTENCE)) {
			hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be, 0, 0);
			open = 0;
		}
		if (w[i].kind != TOK_WORD || w[i].gap == PHRASE_GAP_SENTENCE)
			lead = SIZE_MAX;
		if (w[i].kind != TOK_WORD)
			continue;
		letter_case(s, w[i].bs, w[i].be, &up, &lo);
		if (!up || lo || digits_in(s, w[i].bs, w[i].be)) {
			/* not an all-caps word ("MP3", "1Z99AA" are codes) */
			if (open)
				hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be,
					0, 0);
			open = 0;
			lead = SIZE_MAX;
			continue;
		}
		flagged = up >= 3 && !allowed;
		if (flagged) {
			if (!open)
				run_from = lead != SIZE_MAX ? lead : i;
			run_to = i;
			open = 1;
		} else if (open && !allowed) {
			run_to = i;     /* "... FIX IT" */
		} else if (!open && lead == SIZE_MAX && !allowed) {
			lead = i;       /* "WE ARE ..." */
		} else if (!open && allowed) {
			lead = SIZE_MAX;
		}
	}
	if (open)
		hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be, 0, 0);
}

/* blame, defensive, dismissive, insult, absolute_promise: the lists. */
static void rule_phrases(const struct phrase_word *w, const struct phrase_match *m,
			 size_t nm, struct hits *hs)
{
	size_t i;

	for (i = 0; i < nm; i++) {
		enum why why;

		switch (m[i].group) {
		case LIST_BLAME: why = W_BLAME; break;
		case LIST_DEFENSIVE: why = W_DEFENSIVE; break;
		case LIST_NON_APOLOGY: why = W_NON_APOLOGY; break;
		case LIST_DISMISSIVE: why = W_DISMISSIVE; break;
		case LIST_INSULT: why = W_INSULT; break;
		case LIST_PROMISE: why = W_PROMISE; break;
		default: continue;
		}
		if (list_negatable(m[i].group) && negated(w, m, nm, m[i].from))
			continue;
		hit_words(hs, why, w, m[i].from, m[i].to);
	}
}

/* No sentence end between the words a and b (a < b)? */
static int same_sentence(const struct phrase_word *w, size_t a, size_t b)
{
	size_t q;

	for (q = a + 1; q <= b; q++)
		if (w[q].gap == PHRASE_GAP_SENTENCE)
			return 0;
	return 1;
}

/*
 * competitor: a configured competitor, or a generic reference ("other
 * brands", "конкуренты"), with a negative word (competitor_negative.txt)
 * at most NEAR_WINDOW words away in the same sentence.
 */
/* Does word w (of tk's last run) match the competitor's last word? */
static int comp_last(const struct tokenizer *tk, const struct phrase_word *w,
		     const struct comp *c)
{
	const struct tok *k;

	if (w->key == c->key[c->n - 1])
		return 1;
	if (w->kind != TOK_WORD || !c->lastlen)
		return 0;
	k = &tok_list(tk)[w->tok];
	return k->len > c->lastlen && k->len - c->lastlen <= COMP_SUFFIX &&
		!memcmp(tok_text(tk, k), c->last, c->lastlen);
}

static void rule_competitor(const struct tokenizer *tk, const struct phrase_word *w,
			    size_t n, const struct phrase_match *m, size_t nm,
			    const struct comp *comps, size_t ncomps,
			    struct hits *hs)
{
	size_t men_from[64], men_to[64], nmen = 0, i, j, k;

	for (i = 0; i < n && nmen < 64; i++)
		for (j = 0; j < ncomps; j++) {
			size_t last = comps[j].n - 1;

			if (comps[j].n > n - i)
				continue;
			for (k = 0; k < last; k++)
				if (w[i + k].key != comps[j].key[k] ||
				    (k && w[i + k].gap == PHRASE_GAP_SENTENCE))
					break;
			if (k == last && (!last || w[i + k].gap != PHRASE_GAP_SENTENCE) &&
			    comp_last(tk, &w[i + k], &comps[j])) {
				k = comps[j].n;
				men_from[nmen] = i;
				men_to[nmen++] = i + k;
				break;
			}
		}
	for (i = 0; i < nm && nmen < 64; i++)
		if (m[i].group == LIST_COMP_REF) {
			men_from[nmen] = m[i].from;
			men_to[nmen++] = m[i].to;
		}
	for (i = 0; i < nmen; i++)
		for (j = 0; j < nm; j++) {
			size_t a, b, dist;

			if (m[j].group != LIST_COMP_NEG)
				continue;
			if (m[j].from >= men_to[i]) {
				dist = m[j].from - men_to[i];
				a = men_to[i] - 1;
				b = m[j].from;
			} else if (men_from[i] >= m[j].to) {
				dist = men_from[i] - m[j].to;
				a = m[j].to - 1;
				b = men_from[i];
			} else {
				dist = 0;
				a = b = men_from[i];
			}
			if (dist > NEAR_WINDOW || !same_sentence(w, a, b))
				continue;
			a = men_from[i] < m[j].from ? men_from[i] : m[j].from;
			b = men_to[i] > m[j].to ? men_to[i] : m[j].to;
			hit_words(hs, W_COMPETITOR, w, a, b);
		}
}

/* Byte ranges the number scanner must skip (urls, e-mails). */
struct zones {
	uint32_t bs[MAX_ZONES], be[MAX_ZONES];
	size_t n;
};

static void zone_add(struct zones *z, size_t bs, size_t be)
{
	if (z->n < MAX_ZONES) {
		z->bs[z->n] = (uint32_t)bs;
		z->be[z->n] = (uint32_t)be;
		z->n++;
	}
}

/* The end of the zone holding byte i, or 0. */
static size_t zone_end(const struct zones *z, size_t i)
{
	size_t k;

	for (k = 0; k < z->n; k++)
		if (i >= z->bs[k] && i < z->be[k])
			return z->be[k];
	return 0;
}

/* Is the e-mail local part a brand's role account (email_roles.txt)? */
static int role_account(const struct tone_rules *r, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < r->nroles; i++) {
		const char *role = r->roles[i];
		size_t rl = strlen(role);

		if (rl > n)
			continue;
		for (k = 0; k < rl; k++) {
			unsigned char c = (unsigned char)s[k];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			if (c != (unsigned char)role[k])
				break;
		}
		/* "support", "support.ru", "support-team" */
		if (k == rl && (rl == n || s[rl] == '.' || s[rl] == '-' ||
				s[rl] == '_'))
			return 1;
	}
	return 0;
}

/* An e-mail address around the '@' at byte at: [*bs, *be) or 0. */
static int find_email(const char *s, size_t len, size_t at, size_t *bs,
		      size_t *be)
{
	size_t l = at, e = at + 1, dot = 0, k;

	while (l > 0 && is_email_local((unsigned char)s[l - 1]))
		l--;
	while (l < at && s[l] == '.')
		l++;
	if (l == at)
		return 0;
	while (e < len && (text_is_alnum((unsigned char)s[e]) || s[e] == '-' ||
			   s[e] == '.'))
		e++;
	while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-'))
		e--;
	for (k = at + 1; k < e; k++)
		if (s[k] == '.')
			dot = k;
	if (!dot || dot == at + 1 || e - dot < 3)
		return 0;
	for (k = dot + 1; k < e; k++)
		if (text_is_digit((unsigned char)s[k]))
			return 0;
	*bs = l;
	*be = e;
	return 1;
}

/*
 * Toll-free numbers are a brand's hotline, not personal data: North
 * American 800, 888, ... (with 1, 7 or 8 before them: 8-800 in Russia)
 * and British freephone 0800 and 0808 (0800 123 4567).
 */
static int toll_free(const char *d, size_t nd)
{
	static const char *const codes[] = {
		"800", "888", "877", "866", "855", "844", "833"
	};
	size_t i;

	if (nd == 11 && (!memcmp(d, "0800", 4) || !memcmp(d, "0808", 4)))
		return 1;
	if (nd == 11 && (d[0] == '1' || d[0] == '7' || d[0] == '8')) {
		d++;
		nd--;
	}
	if (nd != 10)
		return 0;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!memcmp(d, codes[i], 3))
			return 1;
	return 0;
}

enum numclass { NUM_NONE, NUM_PHONE, NUM_CARD, NUM_LONG, NUM_HOTLINE };

/*
 * Read a phone-like run at byte i: an optional '+' or '(', digit groups
 * joined by at most three of ' ', '-', '.', '(', ')'.  Sets *end to the
 * byte after the last digit and returns its class.
 */
static enum numclass scan_number(const char *s, size_t len, size_t i,
				 size_t *end)
{
	char d[24];
	size_t nd = 0, glen[16], ng = 0, j = i, k, last = i;
	int plus = 0, dash = 0, thousands = 1, fours = 1;

	if (s[j] == '+') {
		plus = 1;
		j++;
	} else if (s[j] == '(') {
		j++;
	}
	for (;;) {
		size_t g = 0, nsep = 0;

		while (j < len && text_is_digit((unsigned char)s[j])) {
			if (nd < sizeof(d))
				d[nd] = s[j];
			nd++;
			g++;
			j++;
		}
		if (!g)
			break;
		if (ng < 16)
			glen[ng] = g;
		ng++;
		last = j;
		k = j;
		while (k < len && nsep < 3 && (s[k] == ' ' || s[k] == '-' ||
		       s[k] == '.' || s[k] == '(' || s[k] == ')')) {
			if (s[k] == '-' || s[k] == '(' || s[k] == ')')
				dash = 1;
			k++;
			nsep++;
		}
		if (!nsep || k >= len || !text_is_digit((unsigned char)s[k]))
			break;
		j = k;
	}
	*end = last;
	if (!nd || (last < len && text_is_alnum((unsigned char)s[last])))
		return NUM_NONE;
	if (ng > 16)
		return NUM_NONE;
	for (k = 1; k < ng; k++) {
		if (glen[k] != 3)
			thousands = 0;
		if (glen[k - 1] != 4)
			fours = 0;
	}
	if (glen[0] > 3 || ng < 2)
		thousands = 0;
	if (nd <= sizeof(d) && toll_free(d, nd))
		return NUM_HOTLINE;
	if (plus)
		return nd >= 8 && nd <= 15 ? NUM_PHONE : NUM_NONE;
	if (ng == 1) {
		if (nd >= 13 && nd <= 19)
			return NUM_CARD;
		if (nd == 11 && (d[0] == '7' || d[0] == '8'))
			return NUM_PHONE;
		return nd >= 8 ? NUM_LONG : NUM_NONE;
	}
	if (nd >= 13 && nd <= 19 && fours && glen[ng - 1] <= 4)
		return NUM_CARD;
	if (thousands && !dash)
		return NUM_NONE;
	if (ng >= 3 && ((glen[0] == 4 && glen[1] == 2 && glen[2] == 2) ||
			(glen[0] == 2 && glen[1] == 2 && glen[2] == 4)))
		return NUM_NONE;   /* a date */
	if (nd >= 10 && nd <= 13 && ng <= 6)
		return NUM_PHONE;
	if (nd == 7 && ng == 2 && glen[0] == 3 && glen[1] == 4 && dash)
		return NUM_PHONE;
	return NUM_NONE;
}

/* Bytes of an order-number sign at i ('#', U+2116, "No.", "Nr."), or 0. */
static size_t order_sign(const char *s, size_t len, size_t i)
{
	if (s[i] == '#')
		return 1;
	if (i + 2 < len && (unsigned char)s[i] == 0xE2 &&
	    (unsigned char)s[i + 1] == 0x84 && (unsigned char)s[i + 2] == 0x96)
		return 3;
	if (i + 2 < len && (s[i] == 'N' || s[i] == 'n') &&
	    (s[i + 1] == 'o' || s[i + 1] == 'r') && s[i + 2] == '.')
		return 3;
	return 0;
}

/*
 * pii, the byte part: e-mail addresses (a brand's role address such as
 * support@ is a next step instead), phone numbers (toll-free hotlines are
 * next steps too), card numbers, long digit runs, "#123456", "№ 123456".
 * Sets *contact when a hotline or role address was seen.
 */
static void pii_scan(const struct tone_rules *r, const char *s, size_t len,
		     const struct phrase_word *w, size_t n, unsigned classes,
		     struct hits *hs, int *contact)
{
	struct zones z;
	size_t i, bs, be;

	z.n = 0;
	for (i = 0; i < n; i++)
		if (w[i].kind == TOK_URL)
			zone_add(&z, w[i].bs, w[i].be);
	for (i = 0; (classes & BC_AT) && i < len; i++) {
		const char *at = memchr(s + i, '@', len - i);

		if (!at)
			break;
		i = (size_t)(at - s);
		if (!find_email(s, len, i, &bs, &be))
			continue;
		if (role_account(r, s + bs, i - bs))
			*contact = 1;
		else if (!zone_end(&z, i))
			hit_add(hs, W_PII_EMAIL, bs, be, 0, 0);
		zone_add(&z, bs, be);
		i = be - 1;
	}
	for (i = 0; (classes & BC_DIGIT) && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t ze, sign, j, end;
		utf8proc_int32_t pcp;

		if (!(c == '+' || c == '(' || c == '#' || c == 0xE2 ||
		      c == 'N' || c == 'n' || text_is_digit(c)))
			continue;
		ze = zone_end(&z, i);
		if (ze) {
			i = ze - 1;
			continue;
		}
		pcp = prev_cp(s, i);
		if (cp_is_letter_or_digit(pcp) || pcp == '.' || pcp == ',' ||
		    pcp == '/' || pcp == '_' || pcp == '-')
			continue;
		sign = order_sign(s, len, i);
		if (sign) {
			size_t d0;

			j = i + sign;
			if (j < len && s[j] == ' ')
				j++;
			/* a short letter prefix: "#A-991234", "№ AB123456" */
			for (d0 = j; j < len && j - d0 < 3 &&
			     ((s[j] >= 'A' && s[j] <= 'Z') ||
			      (s[j] >= 'a' && s[j] <= 'z')); j++)
				;
			if (j > d0 && j < len && s[j] == '-')
				j++;
			for (d0 = j; j < len && text_is_digit((unsigned char)s[j]); j++)
				;
			if (j - d0 >= 5 && !(j < len && text_is_alnum((unsigned char)s[j]))) {
				hit_add(hs, W_PII_ORDER, i, j, 0, 0);
				i = j - 1;
			}
			continue;
		}
		if (!(text_is_digit(c) || ((c == '+' || c == '(') && i + 1 < len &&
				      text_is_digit((unsigned char)s[i + 1]))))
			continue;
		switch (scan_number(s, len, i, &end)) {
		case NUM_PHONE:
			hit_add(hs, W_PII_PHONE, i, end, 0, 0);
			break;
		case NUM_CARD:
			hit_add(hs, W_PII_CARD, i, end, 0, 0);
			break;
		case NUM_LONG:
			hit_add(hs, W_PII_NUMBER, i, end, 0, 0);
			break;
		case NUM_HOTLINE:
			*contact = 1;
			break;
		case NUM_NONE:
			break;
		}
		if (end > i)
			i = end - 1;
	}
}

/*
 * pii, the word part: "order 123456", "номер заказа 1234567" (pii_order
 * words, then a number of 4+ digits); "12 Baker Street", "ул. Ленина, 5"
 * (a number and a pii_street word with capitalised names between);
 * "apt 4", "д. 5", "кв. 12" (a pii_unit word and a number).
 */
static void pii_words(const char *s, const struct phrase_word *w,
		      size_t n, const struct phrase_match *m, size_t nm,
		      struct hits *hs)
{
	size_t i, k, q;

	/* codes mixing letters and digits: "1Z999AA10123456784" */
	for (i = 0; i < n; i++)
		if (w[i].kind == TOK_WORD && w[i].be - w[i].bs >= 8 &&
		    digits_in(s, w[i].bs, w[i].be) >= 6)
			hit_add(hs, W_PII_NUMBER, w[i].bs, w[i].be, 0, 0);
	for (i = 0; i < nm; i++) {
		size_t from = m[i].from, to = m[i].to;

		if (m[i].group == LIST_PII_ORDER) {
			/* a chain: "order number", "номер заказа" */
			for (q = 0; q < 3; q++) {
				for (k = 0; k < nm; k++)
					if (m[k].group == LIST_PII_ORDER &&
					    m[k].from == to)
						break;
				if (k == nm)
					break;
				to = m[k].to;
			}
			if (to < n && (w[to].kind == TOK_NUM ?
				       plain_digits(s, &w[to]) :
				       number_word(s, &w[to])) &&
			    digits_in(s, w[to].bs, w[to].be) >= 4)
				hit_words(hs, W_PII_ORDER, w, from, to + 1);
		} else if (m[i].group == LIST_PII_UNIT) {
			if (to < n && number_word(s, &w[to]))
				hit_words(hs, W_PII_ADDRESS, w, from, to + 1);
		} else if (m[i].group == LIST_PII_STREET) {
			size_t caps = 0;

			/* the street first: "ул. Ленина, д. 5", "улица Мира 10" */
			for (q = to; q < n && q - to < 4; q++) {
				if (number_word(s, &w[q]))
					break;
				if (capitalised(s, &w[q]))
					caps++;
				else if (!(w[q].flags & WF_UNIT))
					break;
			}
			if (q < n && q - to < 4 && caps &&
			    number_word(s, &w[q]))
				hit_words(hs, W_PII_ADDRESS, w, from, q + 1);
			/* the number first: "12 Baker Street" */
			caps = 0;
			for (q = from; q > 0 && from - q < 4; q--) {
				if (number_word(s, &w[q - 1])) {
					if (caps)
						hit_words(hs, W_PII_ADDRESS, w,
							  q - 1, to);
					break;
				}
				if (!capitalised(s, &w[q - 1]) ||
				    w[q].gap == PHRASE_GAP_SENTENCE)
					break;
				caps++;
			}
		}
	}
}

/*
 * echo: the reply repeats the comment's insult (the same insult phrase, or
 * a 2+ word run of the comment holding an insult) or, for fake_news, 3+
 * consecutive content words of the comment (the false claim).  Content
 * words skip stopwords and negations, so a denial ("X does not cause Y")
 * still repeats the claim "X causes Y".
 */
static void rule_echo(const struct phrase_word *rw, size_t rn, const struct phrase_match *rm,
		      size_t rnm, const struct phrase_word *cw, size_t cn,
		      const struct phrase_match *cm, size_t cnm, int fake_news,
		      struct hits *hs)
{
	uint8_t cins[MAX_COMMENT_WORDS];
	uint16_t ci[MAX_COMMENT_WORDS], ri[MAX_WORDS];
	uint16_t csid[MAX_COMMENT_WORDS], rsid[MAX_WORDS];
	size_t i, j, k, L, nci = 0, nri = 0;
	int any = 0;

	memset(cins, 0, cn);
	for (i = 0; i < cnm; i++)
		if (cm[i].group == LIST_INSULT) {
			for (k = cm[i].from; k < cm[i].to; k++)
				cins[k] = 1;
			any = 1;
		}
	if (any) {
		for (i = 0; i < rnm; i++) {
			if (rm[i].group != LIST_INSULT)
				continue;
			for (j = 0; j < cnm; j++)
				if (cm[j].group == LIST_INSULT &&
				    cm[j].phrase == rm[i].phrase)
					break;
			if (j < cnm)
				hit_words(hs, W_ECHO_INSULT, rw, rm[i].from,
					  rm[i].to);
		}
		for (i = 0; i < cn; i++)
			for (j = 0; j < rn; j++) {
				if (cw[i].key != rw[j].key)
					continue;
				if (i && j && cw[i - 1].key == rw[j - 1].key &&
				    cw[i].gap != PHRASE_GAP_SENTENCE &&
				    rw[j].gap != PHRASE_GAP_SENTENCE)
					continue;   /* not the start of a run */
				for (L = 1; i + L < cn && j + L < rn &&
				     cw[i + L].key == rw[j + L].key &&
				     cw[i + L].gap != PHRASE_GAP_SENTENCE &&
				     rw[j + L].gap != PHRASE_GAP_SENTENCE; L++)
					;
				if (L < 2)
					continue;
				for (k = i; k < i + L; k++)
					if (cins[k])
						break;
				if (k < i + L)
					hit_words(hs, W_ECHO_INSULT, rw, j, j + L);
			}
	}
	if (!fake_news)
		return;
	/* content words and their sentence numbers */
	for (i = 0, k = 0; i < cn; i++) {
		if (cw[i].gap == PHRASE_GAP_SENTENCE)
			k++;
		if ((cw[i].kind == TOK_WORD || cw[i].kind == TOK_NUM) &&
		    !(cw[i].flags & (WF_STOP | WF_NEG))) {
			csid[nci] = (uint16_t)k;
			ci[nci++] = (uint16_t)i;
		}
	}
	for (i = 0, k = 0; i < rn; i++) {
		if (rw[i].gap == PHRASE_GAP_SENTENCE)
			k++;
		if ((rw[i].kind == TOK_WORD || rw[i].kind == TOK_NUM) &&
		    !(rw[i].flags & (WF_STOP | WF_NEG))) {
			rsid[nri] = (uint16_t)k;
			ri[nri++] = (uint16_t)i;
		}
	}
	for (i = 0; i < nci; i++)
		for (j = 0; j < nri; j++) {
			if (cw[ci[i]].key != rw[ri[j]].key)
				continue;
			if (i && j && cw[ci[i - 1]].key == rw[ri[j - 1]].key &&
			    csid[i - 1] == csid[i] && rsid[j - 1] == rsid[j])
				continue;
			for (L = 1; i + L < nci && j + L < nri &&
			     cw[ci[i + L]].key == rw[ri[j + L]].key &&
			     csid[i + L] == csid[i] && rsid[j + L] == rsid[j]; L++)
				;
			if (L >= 3)
				hit_words(hs, W_ECHO_CLAIM, rw, ri[j],
					  (size_t)ri[j + L - 1] + 1);
		}
}

/*
 * required: what the category's reply must hold.  complaint: an
 * acknowledgement and a next step; fake_news: a fact (a fact.txt marker, a
 * number, or FACT_MIN_WORDS content words) and a source link.
 * (toxic's "no insult back" is `insult` and `echo`, which always run.)
 */
static void rule_required(const char *category, size_t len,
			  const struct phrase_word *w, size_t n,
			  const struct phrase_match *m, size_t nm, int contact,
			  struct hits *hs)
{
	size_t i, content = 0;
	int url = 0, num = 0;

	for (i = 0; i < n; i++) {
		if (w[i].kind == TOK_URL)
			url = 1;
		else if (w[i].kind == TOK_NUM)
			num = 1;
		else if (w[i].kind == TOK_WORD && !(w[i].flags & WF_STOP))
			content++;
	}
	if (!strcmp(category, "complaint")) {
		if (!has_list(w, m, nm, LIST_ACK))
			hit_add(hs, W_REQ_ACK, 0, len, 0, 0);
		if (!has_list(w, m, nm, LIST_NEXT) && !url && !contact)
			hit_add(hs, W_REQ_NEXT, 0, len, 0, 0);
	} else if (!strcmp(category, "fake_news")) {
		/* a fact marker, a number, or a statement with substance */
		if (!has_list(w, m, nm, LIST_FACT) && !num &&
		    content < FACT_MIN_WORDS)
			hit_add(hs, W_REQ_FACT, 0, len, 0, 0);
		if (!url)
			hit_add(hs, W_REQ_SOURCE, 0, len, 0, 0);
	}
}

/* ------------------------------------------------------ the learned layer */

/*
 * The bytes of the sentence holding byte `at`: from its first word (the
 * reply's start for the first sentence) up to the next sentence's first
 * word (the reply's end for the last), blanks trimmed.  With one sentence
 * that is the whole reply.
 */
static void sentence_of(const char *s, size_t len, const struct phrase_word *w,
			size_t n, size_t at, size_t *bs, size_t *be)
{
	size_t i, a = 0, b, from, to;

	for (i = 0; i < n && w[i].bs <= at; i++)
		if (w[i].gap == PHRASE_GAP_SENTENCE)
			a = i;
	for (b = i; b < n && w[b].gap != PHRASE_GAP_SENTENCE; b++)
		;
	from = a == 0 ? 0 : w[a].bs;
	to = b >= n ? len : w[b].bs;
	while (from < to && text_is_blank((unsigned char)s[from]))
		from++;
	while (to > from && text_is_blank((unsigned char)s[to - 1]))
		to--;
	*bs = from;
	*be = to;
}

/*
 * The slot of feature `key` (a tok.hash), or NULL.  tok.hash is well mixed
 * already (core/tokenize.c), so its low bits index the table.
 */
static const struct lslot *lslot_find(const struct learned *ln, uint64_t key)
{
	size_t i = (size_t)key & ln->mask;

	while (ln->slot[i].key) {
		if (ln->slot[i].key == key)
			return &ln->slot[i];
		i = (i + 1) & ln->mask;
	}
	return NULL;
}

/*
 * The running scores of one reply: six scalars, not an array, so that the
 * compiler keeps them in registers over the token loop.
 */
struct lsum {
	float s0, s1, s2, s3, s4, s5;
};

/* Add the log-ratios of feature `key`; 0 when the model does not know it. */
static inline int learned_add(const struct learned *ln, uint64_t key,
			      struct lsum *a)
{
	const struct lslot *sl = lslot_find(ln, key);

	if (!sl)
		return 0;
	a->s0 += sl->v[0];      /* LEARN_BAD == 6 */
	a->s1 += sl->v[1];
	a->s2 += sl->v[2];
	a->s3 += sl->v[3];
	a->s4 += sl->v[4];
	a->s5 += sl->v[5];
	return 1;
}

/*
 * Do the bytes s[from..to) between two words keep a word pair going, as
 * the tokenizer decides (core/tokenize.c keeps_bigram: blanks, quotes,
 * '*', U+FE0F, U+200D, skin tones)?
 */
static int pair_gap(const char *s, size_t from, size_t to)
{
	size_t i = from;

	while (i < to) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		if (s[i] == ' ') {      /* the usual gap */
			i++;
			continue;
		}
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
				     (utf8proc_ssize_t)(to - i), &cp);
		if (k <= 0)
			return 0;
		if (!(cp == '\t' || cp == 0xA0 || cp == '\'' || cp == '"' ||
		      cp == 0x2019 || cp == '*' || cp == 0xFE0F || cp == 0x200D ||
		      (cp >= 0x1F3FB && cp <= 0x1F3FF)))
			return 0;
		i += (size_t)k;
	}
	return 1;
}

/*
 * The multinomial NB scores of the tokenizer's last run on text against
 * ok, s[j] = score(bad label j) - score(ok), with the features nb_learn()
 * counted: every token (the first LEARN_MAX_TOKENS, pairs not counted),
 * and with bigrams the word pairs.  The pairs are always rebuilt here from
 * neighbouring words (pair_gap), and the pairs a tokenizer made are left
 * out: so a tokenizer with pairs and one without (tone_check accepts both)
 * score a reply alike, even where the tokenizer's own pairing and
 * pair_gap disagree ("time#Mayb u", issue 20; tests/fuzz/fuzz_tone.c and
 * tests/diff/tone_dump check it).  The words-only tokenizer `candor tone`
 * and `suggest` use always took this path.
 */
static void learned_scores(const struct learned *ln, int bigrams,
			   const struct tokenizer *tk, const char *text,
			   float *s)
{
	const struct tok *t = tok_list(tk);
	size_t n = tok_count(tk), i, prev = SIZE_MAX, used = 0;
	struct lsum a = { ln->bias[0], ln->bias[1], ln->bias[2], ln->bias[3],
			  ln->bias[4], ln->bias[5] };

	for (i = 0; i < n; i++) {
		int known;

		if (t[i].kind == TOK_BIGRAM)
			continue;       /* rebuilt below, as without pairs */
		if (used++ == LEARN_MAX_TOKENS)
			break;
		known = learned_add(ln, t[i].hash, &a);
		if (!bigrams)
			continue;
		if (t[i].kind == TOK_WORD) {
			/*
			 * Every word of a pair in the model is in it alone
			 * too, so a pair with an unknown word is not looked up.
			 */
			if (prev != SIZE_MAX && known &&
			    pair_gap(text, t[prev].end, t[i].start))
				learned_add(ln, tok_hash_pair(t[prev].hash,
							      t[i].hash), &a);
			prev = known ? i : SIZE_MAX;
		} else if (t[i].kind != TOK_MARK || t[i].len != 6) {
			prev = SIZE_MAX;    /* only <caps> keeps a pair going */
		}
	}
	s[0] = a.s0;
	s[1] = a.s1;
	s[2] = a.s2;
	s[3] = a.s3;
	s[4] = a.s4;
	s[5] = a.s5;
}

/*
 * The evidence of a learned finding for bad label `label`: the (at most
 * LEARN_QUOTES) words, emoji or numbers of the reply with the largest
 * log-ratio for it against ok, strongest first, each feature once, into
 * hs->ev_*; returns how many.  Stopwords ("you", "a") and word pairs
 * weigh in the score but are not quoted (pairs are left out so that
 * tokenizers with and without them give the same quotes).
 */
static size_t learned_evidence(const struct learned *ln, size_t label,
			       const struct tokenizer *tk,
			       const struct phrase_word *w, size_t n,
			       struct hits *hs)
{
	const struct tok *t = tok_list(tk);
	size_t nt = tok_count(tk), i, k = 0, q, used = 0;
	uint64_t key[LEARN_QUOTES];
	float best[LEARN_QUOTES];

	hs->nev = 0;
	for (i = 0; i < nt; i++) {
		const struct lslot *sl;
		float v;

		if (t[i].kind == TOK_BIGRAM)
			continue;
		if (used++ == LEARN_MAX_TOKENS)
			break;
		if (t[i].kind != TOK_WORD && t[i].kind != TOK_EMOJI &&
		    t[i].kind != TOK_NUM)
			continue;
		while (k < n && w[k].tok < i)
			k++;            /* the word of token i, for its flags */
		if (k < n && w[k].tok == i && (w[k].flags & WF_STOP))
			continue;
		sl = lslot_find(ln, t[i].hash);
		if (!sl || (v = sl->v[label]) <= 0)
			continue;
		for (q = 0; q < hs->nev && key[q] != t[i].hash; q++)
			;
		if (q < hs->nev)
			continue;       /* that feature is in already */
		if (hs->nev == LEARN_QUOTES && v <= best[hs->nev - 1])
			continue;
		q = hs->nev < LEARN_QUOTES ? hs->nev++ : hs->nev - 1;
		for (; q > 0 && best[q - 1] < v; q--) {
			best[q] = best[q - 1];
			key[q] = key[q - 1];
			hs->ev_bs[q] = hs->ev_bs[q - 1];
			hs->ev_be[q] = hs->ev_be[q - 1];
		}
		best[q] = v;
		key[q] = t[i].hash;
		hs->ev_bs[q] = t[i].start;
		hs->ev_be[q] = t[i].end;
	}
	return hs->nev;
}

/*
 * Did the lists of `rule` look at this wording and let it pass?  An
 * exception phrase matched ("!you should have received"), or a phrase
 * that a negation cancels ("not your fault", "we can't guarantee").
 * Then the learned layer stays quiet about that rule too: a list line is
 * a person's explicit judgement, the model only a guess from examples.
 */
static int list_vetoed(const struct phrase_word *w, const struct phrase_match *m,
		       size_t nm, unsigned excepted, int rule)
{
	unsigned lists = 0;
	size_t i;

	switch (rule) {
	case R_BLAME: lists = 1u << LIST_BLAME; break;
	case R_DEFENSIVE:
		lists = 1u << LIST_DEFENSIVE | 1u << LIST_NON_APOLOGY;
		break;
	case R_DISMISSIVE: lists = 1u << LIST_DISMISSIVE; break;
	case R_INSULT: lists = 1u << LIST_INSULT; break;
	case R_PROMISE: lists = 1u << LIST_PROMISE; break;
	case R_COMPETITOR:
		lists = 1u << LIST_COMP_NEG | 1u << LIST_COMP_REF;
		break;
	default: break;
	}
	if (excepted & lists)
		return 1;
	for (i = 0; i < nm; i++)
		if (((1u << m[i].group) & lists) && list_negatable(m[i].group) &&
		    negated(w, m, nm, m[i].from))
			return 1;
	return 0;
}

/*
 * The learned layer: score the tokenizer's last run (the reply) with the
 * model of the reply's language.  When P(bad) / P(ok), the sum over the
 * bad labels of exp(s[j]), reaches threshold / (1 - threshold), the bad
 * label with the highest posterior names the rule; unless a list already
 * found that rule or let this wording pass (list_vetoed), that makes a
 * warning on the sentence of the strongest evidence, quoting up to
 * LEARN_QUOTES of the words that weighed most.  Most replies are ok by a
 * wide margin and cost no exp(): sum <= exp(max) * LEARN_BAD.
 */
static void rule_learned(const struct tone_rules *r, const struct learned *ln,
			 const struct tokenizer *tk, const char *s, size_t len,
			 const struct phrase_word *w, size_t n, const struct phrase_match *m,
			 size_t nm, unsigned excepted, struct hits *hs)
{
	float sc[LEARN_BAD];
	double z = 0;
	size_t j, i, bs = 0, be = len, best = 0;
	int why, rule;

	if (!ln->slot)
		return;             /* no replies.tsv for this language */
	learned_scores(ln, r->p.bigrams, tk, s, sc);
	for (j = 1; j < LEARN_BAD; j++)
		if (sc[j] > sc[best])
			best = j;
	if ((double)sc[best] + log((double)LEARN_BAD) < r->learn_odds)
		return;
	for (j = 0; j < LEARN_BAD; j++)
		z += exp((double)sc[j] - (double)sc[best]);
	if ((double)sc[best] + log(z) < r->learn_odds)
		return;
	why = learn_why[best + 1];
	rule = why_tab[why].rule;
	for (i = 0; i < hs->n; i++)
		if (hs->h[i].rule == rule)
			return;         /* a list found it: that finding says more */
	if (list_vetoed(w, m, nm, excepted, rule))
		return;
	/*
	 * A finding points at words: the words themselves (the prior left
	 * out) must lean to the label more than to ok, and one of them, not
	 * a stopword, must be there to quote.  Terse replies ("Will do!")
	 * carry too little to judge and are left to the lists.
	 */
	if (sc[best] - ln->bias[best] <= 0 ||
	    !learned_evidence(ln, best, tk, w, n, hs))
		return;
	/* the span: the sentence of the strongest quote */
	sentence_of(s, len, w, n, hs->ev_bs[0], &bs, &be);
	if (be <= bs) {
		bs = 0;
		be = len;
	}
	hit_add(hs, (enum why)why, bs, be, 0, 0);
}

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

static void write_finding(struct tone_finding *f, const struct hit *h,
			  const char *s, int ru, const struct hits *hs)
{
	const struct why_info *wi = &why_tab[h->why];
	char q[QUOTE_MAX + 4];
	const char *sugg = ru && wi->sugg_ru ? wi->sugg_ru : wi->sugg;

	snprintf(f->rule, sizeof(f->rule), "%s", rule_name[wi->rule]);
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

static void finish(struct hits *hs, const char *s, int ru,
		   struct tone_result *out)
{
	size_t i, keep, at_b = 0, at_c = 0;
	int pen = hs->lost_penalty;

	merge_hits(hs);
	for (i = 0; i < hs->n; i++)
		pen += penalty(hs->h[i].sev);
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
		write_finding(f, h, s, ru, hs);
	}
}

/* ------------------------------------------------------------- loading */

struct role_load {
	struct tone_rules *r;
	const char *path;
};

/* One line of email_roles.txt: an e-mail local part, lowercased. */
static int load_role(void *ctx, char *line, long lineno, struct cd_error *err)
{
	struct tone_rules *r = ((struct role_load *)ctx)->r;
	const char *path = ((struct role_load *)ctx)->path;
	size_t len = strlen(line), i, bad;

	if (text_utf8_check(line, len, &bad))
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: invalid utf-8 at byte %zu",
				    path, lineno, bad + 1);
	if (len >= ROLE_LEN)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: longer than %d bytes",
				    path, lineno, ROLE_LEN - 1);
	if (r->nroles == MAX_ROLES)
		return cd_error_set(err, CD_ERR_LIMIT, lineno,
				    "'%s': line %ld: more than %d e-mail roles",
				    path, lineno, MAX_ROLES);
	for (i = 0; i <= len; i++)
		r->roles[r->nroles][i] = (char)text_lower((unsigned char)line[i]);
	r->nroles++;
	return 0;
}

/* Load one list file; a missing file is fine (*found stays as it was). */
static int load_list(struct tone_rules *r, struct tokenizer *tk, int list,
		     const char *path, int *found, struct cd_error *err)
{
	if (list == LIST_EMAIL_ROLES) {
		struct role_load rl = { r, path };

		return phrase_list_read(path, found, load_role, &rl, err);
	}
	return phrase_set_load(r->ph, tk, NULL, path, (unsigned)list, found, err);
}

/* Which learn_label[] the label is, or -1. */
static int learn_label_index(const char *label)
{
	int i;

	for (i = 0; i < LEARN_LABELS; i++)
		if (!strcmp(learn_label[i], label))
			return i;
	return -1;
}

/*
 * The scoring table from a finalised model's counts: multinomial NB with
 * additive smoothing (nb.h), log P(f | l) = log((n_fl + alpha) /
 * (n_l + alpha * V)), written as log-ratios against ok.
 */
static int learned_table(struct learned *ln, const struct nb_model *m,
			 double alpha, unsigned min_count, struct cd_error *err)
{
	double total[NB_MAX_LABELS] = { 0 }, V = (double)nb_vocab_size(m);
	size_t K = nb_nlabels(m), nf = nb_vocab_size(m), size = 16, i, l, j;
	size_t kept;
	int index[LEARN_LABELS], ok;    /* learn_label[] -> model label, -1 */

	for (j = 0; j < LEARN_LABELS; j++)
		index[j] = nb_label_find(m, learn_label[j]);
	ok = index[0];
	for (i = 0; i < nf; i++) {
		const char *text;
		const uint32_t *c;

		nb_feature(m, i, &text, &c);
		for (l = 0; l < K; l++)
			total[l] += c[l];
	}
	for (j = 0; j < LEARN_BAD; j++) {
		int b = index[j + 1];

		ln->bias[j] = b < 0 ? LEARN_NEVER :
			(float)log((double)nb_label_docs(m, (size_t)b) /
				   (double)nb_label_docs(m, (size_t)ok));
	}
	for (i = 0, kept = 0; i < nf; i++) {
		const char *text;
		const uint32_t *c;
		double row = 0;

		nb_feature(m, i, &text, &c);
		for (l = 0; l < K; l++)
			row += c[l];
		kept += row >= (double)min_count;
	}
	while (size < 2 * kept)
		size *= 2;
	ln->slot = calloc(size, sizeof(*ln->slot));
	if (!ln->slot)
		return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
	ln->mask = size - 1;
	for (i = 0; i < nf; i++) {
		const char *text;
		const uint32_t *c;
		uint64_t key;
		double wok;
		size_t at;

		double row = 0;

		nb_feature(m, i, &text, &c);
		for (l = 0; l < K; l++)
			row += c[l];
		key = tok_feature_hash(text, strlen(text));
		if (!key || row < (double)min_count)
			continue;       /* 0 marks an empty slot: never mind */
		at = (size_t)key & ln->mask;
		while (ln->slot[at].key && ln->slot[at].key != key)
			at = (at + 1) & ln->mask;
		ln->slot[at].key = key;
		wok = log((c[ok] + alpha) / (total[ok] + alpha * V));
		for (j = 0; j < LEARN_BAD; j++) {
			int b = index[j + 1];

			ln->slot[at].v[j] = b < 0 ? 0 : (float)(log((c[b] + alpha) /
				(total[b] + alpha * V)) - wok);
		}
	}
	return 0;
}

/* One replies.tsv line, "LABEL<TAB>REPLY", into the model. */
static int load_example(struct nb_model *m, struct tokenizer *tk, char *line,
			const char *path, long lineno, int *seen,
			struct cd_error *err)
{
	char *tab = strchr(line, '\t'), *label, *reply;
	struct cd_error e;
	size_t bad;
	int li, rc;

	if (text_utf8_check(line, strlen(line), &bad))
		return cd_error_setc(err, CD_ERR_CONFIG, lineno, (long)bad + 1,
				     "'%s': line %ld: invalid utf-8 at byte %zu",
				     path, lineno, bad + 1);
	if (!tab)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: no tab between the label "
				    "and the reply", path, lineno);
	*tab = '\0';
	label = text_trim(line);
	reply = text_trim(tab + 1);
	li = learn_label_index(label);
	if (li < 0)
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: unknown label '%.40s' (ok, "
				    "blame, defensive, dismissive, insult, "
				    "absolute_promise or competitor)", path,
				    lineno, label);
	rc = tok_run(tk, reply, strlen(reply), &e);
	if (rc)
		return cd_error_set(err, rc, lineno, "'%s': line %ld: %s", path,
				    lineno, e.msg);
	if (!tok_count(tk))
		return cd_error_set(err, CD_ERR_CONFIG, lineno,
				    "'%s': line %ld: no words in the reply",
				    path, lineno);
	rc = nb_label_index(m, label, 1, &e);
	if (rc >= 0)
		rc = nb_learn(m, rc, tk, &e);
	if (rc)
		return cd_error_set(err, rc, lineno, "'%s': line %ld: %s", path,
				    lineno, e.msg);
	seen[li] = 1;
	return 0;
}

/*
 * Train the learned layer of language `lang` from path (replies.tsv).  A
 * missing file, or one with no examples, leaves the layer off.
 */
static int load_examples(struct tone_rules *r, size_t lang, const char *path,
			 int *found, struct cd_error *err)
{
	char buf[TONE_MAX_EXAMPLE + 1];
	int seen[LEARN_LABELS] = { 0 };
	struct learned *ln = &r->learn[lang];
	struct line_reader *lr = NULL;
	struct tokenizer *tk = NULL;
	struct tok_params tp;
	struct nb_params np;
	struct nb_model *m;
	struct cd_error e;
	const char *line;
	size_t n, l;
	int fd = open(path, O_RDONLY), rc = 0, bad = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return cd_error_set(err, CD_ERR_NOINPUT, 0,
				    "cannot open '%s': %s", path, strerror(errno));
	}
	*found = 1;
	nb_params_default(&np);
	np.alpha = r->p.alpha;
	np.binary = 0;          /* counts: as good in cross-validation, cheaper */
	np.complement = 0;
	np.temperature = 1;     /* fixed: the threshold is tuned on this scale */
	np.bigrams = r->p.bigrams;
	np.stem = 1;
	np.extras = 0;          /* the tone examples' features stay as tuned */
	m = nb_new(&np, err);
	if (m) {
		nb_tok_params(m, &tp);  /* the model's: words, maybe pairs */
		tk = tok_new(&tp, err);
	}
	if (tk)
		lr = lr_new(fd, path, TONE_MAX_EXAMPLE, err);
	if (!lr) {
		tok_free(tk);
		nb_free(m);
		close(fd);
		return m ? CD_ERR_NOMEM : CD_ERR_USAGE;
	}
	for (;;) {
		int got = lr_next(lr, &line, &n, &e);
		long lineno = lr_lineno(lr);
		char *p;

		if (got == 0)
			break;
		if (got == CD_ERR_LIMIT) {
			rc = cd_error_set(err, CD_ERR_CONFIG, e.line,
					  "'%s': line %ld: longer than %d bytes",
					  path, e.line, TONE_MAX_EXAMPLE);
			break;
		}
		if (got < 0) {
			rc = cd_error_set(err, got, e.line, "cannot read '%s': %s",
					  path, e.msg);
			break;
		}
		if (memchr(line, '\0', n)) {
			rc = cd_error_set(err, CD_ERR_CONFIG, lineno,
					  "'%s': line %ld: NUL byte", path,
					  lineno);
			break;
		}
		memcpy(buf, line, n + 1);
		for (p = buf; *p == ' ' || *p == '\t'; p++)
			;
		if (!*p || *p == '#')
			continue;
		if (ln->examples == TONE_MAX_EXAMPLES) {
			rc = cd_error_set(err, CD_ERR_LIMIT, lineno,
					  "'%s': line %ld: more than %d examples",
					  path, lineno, TONE_MAX_EXAMPLES);
			break;
		}
		rc = load_example(m, tk, p, path, lineno, seen, err);
		if (rc)
			break;
		ln->examples++;
	}
	lr_free(lr);
	tok_free(tk);
	close(fd);
	for (l = 1; l < LEARN_LABELS; l++)
		bad |= seen[l];
	if (!rc && ln->examples && (!seen[0] || !bad))
		rc = cd_error_set(err, CD_ERR_CONFIG, 0,
				  "'%s': needs examples labelled ok and "
				  "examples of at least one bad label", path);
	if (!rc && ln->examples)
		rc = nb_finalize(m, err);
	if (!rc && ln->examples)
		rc = learned_table(ln, m, r->p.alpha, r->p.min_count, err);
	nb_free(m);             /* the table holds all the checks need */
	if (rc || !ln->examples) {
		free(ln->slot);
		ln->slot = NULL;
		ln->examples = 0;
	}
	return rc;
}

void tone_params_default(struct tone_params *p)
{
	p->learned = 1;
	p->alpha = 0.5;
	p->bigrams = 1;
	p->min_count = 1;
	p->threshold = 0.5;
}

struct tone_rules *tone_rules_load(const char *dir, struct cd_error *err)
{
	return tone_rules_load_params(dir, NULL, err);
}

struct tone_rules *tone_rules_load_params(const char *dir,
					  const struct tone_params *p,
					  struct cd_error *err)
{
	struct tone_rules *r;
	struct tokenizer *tk;
	struct tok_params tp;
	char path[4096];
	size_t l, li;
	int found = 0, rc = 0;

	cd_error_clear(err);
	if (!dir) {
		cd_error_set(err, CD_ERR_USAGE, 0, "no tone list directory");
		return NULL;
	}
	if (p && p->learned && !(p->alpha > 0 && p->threshold >= 0 &&
				 p->threshold <= 1)) {
		cd_error_set(err, CD_ERR_USAGE, 0, "tone learning needs an alpha "
			     "above 0 and a threshold in 0..1");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->ph = phrase_set_new(0))) {
		free(r);
		cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
		return NULL;
	}
	if (p)
		r->p = *p;
	else
		tone_params_default(&r->p);
	r->learn_odds = r->p.threshold >= 1 ? INFINITY : r->p.threshold <= 0 ?
		-INFINITY : log(r->p.threshold / (1 - r->p.threshold));
	tok_params_default(&tp);
	tp.bigrams = 0;
	tp.stem = 1;
	tk = tok_new(&tp, err);
	if (!tk) {
		free(r);
		return NULL;
	}
	for (l = 0; l < sizeof(langs) / sizeof(langs[0]) && !rc; l++)
		for (li = 0; li < LIST_COUNT && !rc; li++) {
			int n = snprintf(path, sizeof(path), "%s/%s/%s.txt", dir,
					 langs[l], list_file[li]);

			if (n < 0 || (size_t)n >= sizeof(path)) {
				rc = cd_error_set(err, CD_ERR_LIMIT, 0,
						  "path under '%s' is too long", dir);
				break;
			}
			rc = load_list(r, tk, (int)li, path, &found, err);
		}
	for (l = 0; l < sizeof(langs) / sizeof(langs[0]) && !rc && r->p.learned;
	     l++) {
		int n = snprintf(path, sizeof(path), "%s/%s/replies.tsv", dir,
				 langs[l]);

		if (n < 0 || (size_t)n >= sizeof(path)) {
			rc = cd_error_set(err, CD_ERR_LIMIT, 0,
					  "path under '%s' is too long", dir);
			break;
		}
		rc = load_examples(r, l, path, &found, err);
	}
	tok_free(tk);
	if (!rc && !found)
		rc = cd_error_set(err, CD_ERR_NOINPUT, 0,
				  "no tone lists in '%s/en' or '%s/ru'", dir, dir);
	if (!rc)
		rc = phrase_set_build(r->ph, err);
	if (rc) {
		tone_rules_free(r);
		return NULL;
	}
	return r;
}

void tone_rules_free(struct tone_rules *r)
{
	if (!r)
		return;
	free(r->learn[0].slot);
	free(r->learn[1].slot);
	phrase_set_free(r->ph);
	free(r);
}

size_t tone_rules_count(const struct tone_rules *r)
{
	return r ? phrase_set_count(r->ph) + r->nroles : 0;
}

size_t tone_rules_examples(const struct tone_rules *r, const char *lang)
{
	if (!r || !lang)
		return 0;
	return r->learn[!strcmp(lang, "ru")].examples *
		(!strcmp(lang, "en") || !strcmp(lang, "ru"));
}

/* -------------------------------------------------------------- checking */

/*
 * Normalise competitor names into comps[*ncomps...] (at most cap in all)
 * with one tokenizer run over them joined by newlines (names never span
 * lines).
 */
static int normalize_competitors(struct tokenizer *tk,
				 const char *const *names, size_t nnames,
				 struct comp *comps, size_t *ncomps, size_t cap,
				 struct cd_error *err)
{
	char buf[TONE_MAX_COMPETITORS * (MAX_COMP_BYTES + 1)];
	uint32_t starts[TONE_MAX_COMPETITORS + 1];
	struct phrase_word w[TONE_MAX_COMPETITORS * (MAX_COMP_WORDS + 1)];
	size_t len = 0, i, n, c;
	struct cd_error e;
	int rc;

	if (!nnames)
		return 0;
	if (!names)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "%zu competitors but no names", nnames);
	if (nnames > TONE_MAX_COMPETITORS || *ncomps + nnames > cap)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "more than %d competitors",
				    TONE_MAX_COMPETITORS);
	for (i = 0; i < nnames; i++) {
		const char *name = names[i] ? names[i] : "";
		size_t nl = strlen(name);

		if (nl > MAX_COMP_BYTES)
			return cd_error_set(err, CD_ERR_LIMIT, 0,
					    "competitor name '%.40s...' is over %d bytes",
					    name, MAX_COMP_BYTES);
		if (memchr(name, '\n', nl))
			return cd_error_set(err, CD_ERR_USAGE, 0,
					    "competitor name '%s' has a newline",
					    name);
		starts[i] = (uint32_t)len;
		memcpy(buf + len, name, nl);
		len += nl;
		buf[len++] = '\n';
	}
	starts[i] = (uint32_t)len;
	rc = tok_run(tk, buf, len, &e);
	if (rc)
		return cd_error_set(err, rc, 0, "competitor names: %s", e.msg);
	n = phrase_words(tk, buf, len, w, sizeof(w) / sizeof(w[0]));
	for (c = 0, i = 0; c < nnames; c++) {
		struct comp *cp = &comps[*ncomps];

		cp->n = 0;
		cp->lastlen = 0;
		for (; i < n && w[i].bs < starts[c + 1]; i++) {
			const struct tok *k = &tok_list(tk)[w[i].tok];

			if (cp->n == MAX_COMP_WORDS)
				return cd_error_set(err, CD_ERR_LIMIT, 0,
						    "competitor name '%s' has more than %d words",
						    names[c], MAX_COMP_WORDS);
			cp->key[cp->n++] = w[i].key;
			cp->lastlen = 0;
			if (w[i].kind == TOK_WORD && k->len <= MAX_COMP_BYTES) {
				memcpy(cp->last, tok_text(tk, k), k->len);
				cp->lastlen = k->len;
			}
		}
		if (cp->n)
			(*ncomps)++;
	}
	return 0;
}

int tone_rules_add_competitors(struct tone_rules *r, const char *const *names,
			       size_t n, struct cd_error *err)
{
	struct tok_params tp;
	struct tokenizer *tk;
	size_t keep;
	int rc;

	if (!r)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no tone rules");
	tok_params_default(&tp);
	tp.bigrams = 0;
	tp.stem = 1;
	tk = tok_new(&tp, err);
	if (!tk)
		return CD_ERR_NOMEM;
	keep = r->ncomps;
	rc = normalize_competitors(tk, names, n, r->comps, &r->ncomps,
				   TONE_MAX_COMPETITORS, err);
	if (rc)
		r->ncomps = keep;
	tok_free(tk);
	return rc;
}

/* The work area of one check, on the stack: no allocation per reply. */
struct work {
	struct phrase_word rw[MAX_WORDS];
	struct phrase_word cw[MAX_COMMENT_WORDS];
	struct phrase_match rm[MAX_MATCHES];
	struct phrase_match cm[MAX_MATCHES];
	struct comp comps[2 * TONE_MAX_COMPETITORS];  /* the rules' + ctx's */
	struct hits hs;
};

int tone_check(const struct tone_rules *r, struct tokenizer *tk,
	       const char *reply, size_t len, const struct tone_ctx *ctx,
	       struct tone_result *out, struct cd_error *err)
{
	static const struct tone_ctx none;
	struct work wk;
	struct cd_error e;
	const struct tokenizer *ct = NULL;     /* comment tokens, not matched yet */
	size_t rn, cn = 0, rnm, cnm = 0, ncomps = 0, i, cyr = 0, lat = 0, total;
	size_t clen = 0;
	unsigned classes, excepted = 0;
	int rc, ru, contact = 0;

	if (!out)
		return cd_error_set(err, CD_ERR_USAGE, 0, "no result to fill");
	out->n = 0;
	out->dropped = 0;
	out->score = 100;
	if (!r || !tk || (!reply && len))
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "tone check needs rules, a tokenizer and a reply");
	if (!reply)
		reply = "";
	if (!ctx)
		ctx = &none;
	if (ctx->lang && strcmp(ctx->lang, "en") && strcmp(ctx->lang, "ru") &&
	    strcmp(ctx->lang, "auto"))
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "unknown language '%s' (en, ru or auto)",
				    ctx->lang);
	wk.hs.n = 0;
	wk.hs.lost = 0;
	wk.hs.lost_penalty = 0;
	wk.hs.nev = 0;

	ncomps = r->ncomps;
	memcpy(wk.comps, r->comps, ncomps * sizeof(wk.comps[0]));
	rc = normalize_competitors(tk, ctx->competitors, ctx->ncompetitors,
				   wk.comps, &ncomps,
				   sizeof(wk.comps) / sizeof(wk.comps[0]), err);
	if (rc)
		return rc;
	if (ctx->comment) {
		clen = strlen(ctx->comment);
		ct = ctx->comment_tokens;
		if (!ct || ct == tk) {
			/* tk is needed for the reply: the comment goes first */
			if (!ct && (rc = tok_run(tk, ctx->comment, clen, &e)) != 0)
				return cd_error_set(err, rc, 0, "comment: %s", e.msg);
			cn = phrase_words(tk, ctx->comment, clen, wk.cw,
					   MAX_COMMENT_WORDS);
			cnm = match_words(r, wk.cw, cn, wk.cm, MAX_MATCHES,
					  &excepted);
			ct = NULL;
		}
	}
	rc = tok_run(tk, reply, len, &e);      /* validates the UTF-8 */
	if (rc)
		return cd_error_set(err, rc, 0, "reply: %s", e.msg);
	rn = phrase_words(tk, reply, len, wk.rw, MAX_WORDS);
	excepted = 0;           /* the comment's do not count */
	rnm = match_words(r, wk.rw, rn, wk.rm, MAX_MATCHES, &excepted);
	if (ct && may_echo(ct, ctx->comment, clen, wk.rw, rn)) {
		/* the comment's own tokens: matched only when echo may hit */
		unsigned ignored = 0;

		cn = phrase_words(ct, ctx->comment, clen, wk.cw,
				   MAX_COMMENT_WORDS);
		cnm = match_words(r, wk.cw, cn, wk.cm, MAX_MATCHES, &ignored);
	}

	for (i = 0; i < rn; i++) {
		cyr += wk.rw[i].script == TOK_SCRIPT_CYRILLIC;
		lat += wk.rw[i].script == TOK_SCRIPT_LATIN;
	}
	if (ctx->lang && strcmp(ctx->lang, "auto"))
		ru = !strcmp(ctx->lang, "ru");
	else
		ru = cyr > lat;

	classes = byte_classes(reply, len, &total);
	rule_length(reply, len, total, ctx->max_chars ? ctx->max_chars :
		    DEFAULT_MAX_CHARS, &wk.hs);
	rule_placeholder(reply, len, &wk.hs);
	rule_caps(reply, wk.rw, rn, &wk.hs);
	if (classes & BC_BANG)
		rule_exclaim(reply, len, &wk.hs);
	rule_phrases(wk.rw, wk.rm, rnm, &wk.hs);
	rule_competitor(tk, wk.rw, rn, wk.rm, rnm, wk.comps, ncomps, &wk.hs);
	pii_scan(r, reply, len, wk.rw, rn, classes, &wk.hs, &contact);
	pii_words(reply, wk.rw, rn, wk.rm, rnm, &wk.hs);
	if (ctx->comment)
		rule_echo(wk.rw, rn, wk.rm, rnm, wk.cw, cn, wk.cm, cnm,
			  ctx->category && !strcmp(ctx->category, "fake_news"),
			  &wk.hs);
	if (ctx->category)
		rule_required(ctx->category, len, wk.rw, rn, wk.rm, rnm,
			      contact, &wk.hs);
	/* after the lists, which it defers to; the model of the script */
	rule_learned(r, &r->learn[cyr > lat ? 1 : lat > cyr ? 0 : ru], tk,
		     reply, len, wk.rw, rn, wk.rm, rnm, excepted, &wk.hs);
	finish(&wk.hs, reply, ru, out);
	return 0;
}

/* ---------------------------------------------------------------- output */

int tone_rule_known(const char *id)
{
	size_t i;

	for (i = 0; id && i < R_COUNT; i++)
		if (!strcmp(id, rule_name[i]))
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
	int rc = cd_buf_addf(out, "{\"score\":%d,\"issues\":[", res->score);

	for (i = 0; !rc && i < res->n; i++) {
		const struct tone_finding *f = &res->f[i];

		rc = cd_buf_addstr(out, i ? ",{\"rule\":" : "{\"rule\":");
		if (!rc)
			rc = jsonw_str(out, f->rule, strlen(f->rule));
		if (!rc)
			rc = cd_buf_addstr(out, ",\"severity\":");
		if (!rc)
			rc = jsonw_str(out, tone_severity_name(f->severity),
				       strlen(tone_severity_name(f->severity)));
		if (!rc)
			rc = cd_buf_addstr(out, ",\"message\":");
		if (!rc)
			rc = jsonw_str(out, f->message, strlen(f->message));
		if (!rc)
			rc = cd_buf_addf(out, ",\"start\":%zu,\"end\":%zu",
					 f->start, f->end);
		if (!rc)
			rc = cd_buf_addstr(out, ",\"suggestion\":");
		if (!rc)
			rc = jsonw_str(out, f->suggestion, strlen(f->suggestion));
		if (!rc)
			rc = cd_buf_addch(out, '}');
	}
	if (!rc)
		rc = cd_buf_addstr(out, "]}");
	if (rc) {
		out->len = keep;
		if (out->data)
			out->data[keep] = '\0';
	}
	return rc;
}

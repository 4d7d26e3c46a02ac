/*
 * tone_rules.c - the tone check's tables, words and phrase matches, the
 * byte scanners and the word rules (tone_internal.h).
 */
#include "tone_internal.h"
#include "sketch.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

const char *const tone_list_file[LIST_COUNT] = {
	"blame", "defensive", "dismissive", "insult", "absolute_promise",
	"competitor_negative", "competitor_ref", "acknowledge", "next_step",
	"fact", "caps_allow", "negation", "stopwords", "pii_order",
	"pii_street", "pii_unit", "email_roles", "non_apology"
};

const char *const tone_langs[] = { "en", "ru" };

#define TONE_RULE_NAME(id, name, sev, fn, on) [id] = name,
const char *const tone_rule_name[R_COUNT] = { TONE_RULES(TONE_RULE_NAME) };
#undef TONE_RULE_NAME
#define TONE_RULE_SEV(id, name, sev, fn, on) [id] = sev,
const enum tone_severity tone_rule_severity[R_COUNT] = {
	TONE_RULES(TONE_RULE_SEV)
};
#undef TONE_RULE_SEV

const struct why_info tone_why_tab[W_COUNT] = {
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
	/* the learned layer: tone_write_finding() adds the words it weighed */
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

const char *const tone_learn_label[LEARN_LABELS] = {
	"ok", "blame", "defensive", "dismissive", "insult",
	"absolute_promise", "competitor"
};
const int8_t tone_learn_why[LEARN_LABELS] = {
	-1, W_LEARN_BLAME, W_LEARN_DEFENSIVE, W_LEARN_DISMISSIVE,
	W_LEARN_INSULT, W_LEARN_PROMISE, W_LEARN_COMPETITOR
};

/* Lists whose matches a preceding negation cancels ("not your fault"). */
int tone_list_negatable(int list)
{
	return list == LIST_BLAME || list == LIST_INSULT ||
		list == LIST_PROMISE || list == LIST_ACK;
}

/* ------------------------------------------------------ what echo needs */

/*
 * `echo` (tone_rule_echo) finds something only in two cases:
 *
 *  - insult: the comment matches an insult phrase, and the reply repeats
 *    it (the same phrase) or a run of words holding one of its words.
 *    Either way a word of the comment has the key of a word of an insult
 *    phrase and of a word of the reply; and the comment holds every word
 *    of some insult phrase, so also that phrase's anchor (one word of
 *    each insult phrase, chosen by tone_echo_prepare());
 *  - claim (categories with echo_claim, fake_news): a run of three
 *    content words (no stopword, no negation) of the reply repeated in
 *    the comment, so a content word of the reply is in the comment.
 *
 * tone_echo_keys() keeps what the reply brings to these (its words that
 * are words of insult phrases; its content words when claims count) and
 * tone_may_echo() tests a comment against them and the anchors: 0 means
 * echo can find nothing, so the comment need not be matched at all and
 * the check's findings are those without a comment.
 */

static size_t keyset_slot(uint64_t key, size_t mask)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ULL;
	return (size_t)(key >> 40) & mask;
}

static int keyset_has(const struct keyset *ks, uint64_t key)
{
	size_t i;

	if (!key)
		return ks->zero;
	if (!ks->key)
		return 0;
	for (i = keyset_slot(key, ks->mask); ks->key[i]; i = (i + 1) & ks->mask)
		if (ks->key[i] == key)
			return 1;
	return 0;
}

static void keyset_add(struct keyset *ks, uint64_t key)
{
	size_t i;

	if (!key) {
		ks->zero = 1;
		return;
	}
	for (i = keyset_slot(key, ks->mask); ks->key[i]; i = (i + 1) & ks->mask)
		if (ks->key[i] == key)
			return;
	ks->key[i] = key;
}

/* Room for n keys at most half full; 0 or CD_ERR_NOMEM. */
static int keyset_init(struct keyset *ks, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	ks->key = calloc(cap, sizeof(ks->key[0]));
	ks->mask = cap - 1;
	ks->zero = 0;
	return ks->key ? 0 : CD_ERR_NOMEM;
}

void tone_echo_release(struct tone_rules *r)
{
	free(r->ins_words.key);
	free(r->ins_anchor.key);
	r->ins_words.key = r->ins_anchor.key = NULL;
}

/*
 * Make r's sets of insult-phrase words and anchors, after the phrase set
 * is built.  A phrase's anchor is its last word that is not a one-word
 * stopword (its last word when all are): a comment must hold it to
 * match the phrase, and "you" or "a" would be in most comments.  0 or
 * CD_ERR_NOMEM.
 */
int tone_echo_prepare(struct tone_rules *r)
{
	const struct phrase_set *ps = r->ph;
	struct keyset stop = { 0 };
	size_t np = phrase_set_count(ps), nins = 0, nstop = 0;
	uint32_t p;
	unsigned k, n;
	int rc;

	for (p = 0; p < np; p++) {
		unsigned g = phrase_group(ps, p);

		if (g == LIST_INSULT)
			nins += phrase_nwords(ps, p);
		else if (g == LIST_STOP && phrase_nwords(ps, p) == 1)
			nstop++;
	}
	if ((rc = keyset_init(&r->ins_words, 2 * nins)) != 0 ||
	    (rc = keyset_init(&r->ins_anchor, 2 * nins)) != 0 ||
	    (rc = keyset_init(&stop, 2 * nstop)) != 0) {
		free(stop.key);
		tone_echo_release(r);
		return rc;
	}
	for (p = 0; p < np; p++)
		if (phrase_group(ps, p) == LIST_STOP && phrase_nwords(ps, p) == 1) {
			keyset_add(&stop, phrase_key(ps, p, 0, 0));
			keyset_add(&stop, phrase_key(ps, p, 0, 1));
		}
	for (p = 0; p < np; p++) {
		unsigned a;

		if (phrase_group(ps, p) != LIST_INSULT)
			continue;
		n = phrase_nwords(ps, p);
		for (k = 0; k < n; k++) {
			keyset_add(&r->ins_words, phrase_key(ps, p, k, 0));
			keyset_add(&r->ins_words, phrase_key(ps, p, k, 1));
		}
		for (a = n; a-- > 0;)
			if (!keyset_has(&stop, phrase_key(ps, p, a, 0)) &&
			    !keyset_has(&stop, phrase_key(ps, p, a, 1)))
				break;
		if (a >= n)     /* all stopwords (or no word) */
			a = n ? n - 1 : 0;
		if (n) {
			keyset_add(&r->ins_anchor, phrase_key(ps, p, a, 0));
			keyset_add(&r->ins_anchor, phrase_key(ps, p, a, 1));
		}
	}
	free(stop.key);
	return 0;
}

/*
 * What the reply rw[0..rn) (matched: its words carry their WF_ flags)
 * brings to echo, for tone_may_echo(): its words that are words of an
 * insult phrase, and when claim is set (the category's echo_claim) its
 * content words.
 */
void tone_echo_keys(const struct tone_rules *r, const struct phrase_word *rw,
		    size_t rn, int claim, struct echo_keys *ek)
{
	size_t i;

	ek->insult = (struct sketch)SKETCH_EMPTY;
	ek->claim = (struct sketch)SKETCH_EMPTY;
	ek->any_insult = ek->any_claim = 0;
	for (i = 0; i < rn; i++) {
		if (keyset_has(&r->ins_words, rw[i].key)) {
			sketch_add(&ek->insult, rw[i].key);
			ek->any_insult = 1;
		}
		if (claim && (rw[i].kind == TOK_WORD || rw[i].kind == TOK_NUM) &&
		    !(rw[i].flags & (WF_STOP | WF_NEG))) {
			sketch_add(&ek->claim, rw[i].key);
			ek->any_claim = 1;
		}
	}
}

/*
 * 0 when echo can find nothing in a reply with keys ek (tone_echo_keys())
 * answering the comment s[0..len), the tokenizer ct's last run (its words
 * as phrase_words() would take them): no content word of the reply in it
 * (claims), and not both an insult anchor and an insult word of the reply
 * (insults).  1 means only "perhaps": the comment is matched and echo run.
 */
int tone_may_echo(const struct tone_rules *r, const struct tokenizer *ct,
		  const char *s, size_t len, const struct echo_keys *ek)
{
	const struct tok *t = tok_list(ct);
	size_t i, n = 0, nt = tok_count(ct);
	int anchor = 0, shared = 0;

	if (!ek->any_insult && !ek->any_claim)
		return 0;
	for (i = 0; i < nt && n < MAX_COMMENT_WORDS; i++) {
		const struct tok *k = &t[i];
		uint64_t key = k->hash;

		if (k->kind == TOK_MARK || k->kind == TOK_BIGRAM)
			continue;
		n++;
		if (k->kind == TOK_NUM)
			key = phrase_num_key(s, k->start, k->end,
				      phrase_percent_end(s, len, k->end) > k->end);
		if (ek->any_claim && sketch_has(&ek->claim, key))
			return 1;
		if (ek->any_insult) {
			shared |= sketch_has(&ek->insult, key);
			anchor = anchor || keyset_has(&r->ins_anchor, key);
			if (shared && anchor)
				return 1;
		}
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
size_t tone_match_words(const struct tone_rules *r, struct phrase_word *w,
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
int tone_negated(const struct phrase_word *w, const struct phrase_match *m, size_t nm,
		   size_t at)
{
	return phrase_negated(w, m, nm, at, LIST_NEGATION, NEG_WINDOW);
}

/* Is there a match of list (not cancelled by a negation where it can be)? */
static int has_list(const struct phrase_word *w, const struct phrase_match *m, size_t nm,
		    int list)
{
	size_t i;

	for (i = 0; i < nm; i++)
		if (m[i].group == list && !(tone_list_negatable(list) &&
					   tone_negated(w, m, nm, m[i].from)))
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
int tone_capitalised(const char *s, const struct phrase_word *w)
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

size_t tone_digits_in(const char *s, size_t bs, size_t be)
{
	size_t d = 0;

	for (; bs < be; bs++)
		if (text_is_digit((unsigned char)s[bs]))
			d++;
	return d;
}

/* A house or order number: a number, or a word starting with a digit. */
int tone_number_word(const char *s, const struct phrase_word *w)
{
	if (w->kind != TOK_NUM &&
	    !(w->kind == TOK_WORD && text_is_digit((unsigned char)s[w->bs])))
		return 0;
	return s[w->be - 1] != '%';
}

/* Only digits: an order number, not "3.50", "1,000" or "01.05.2024". */
int tone_plain_digits(const char *s, const struct phrase_word *w)
{
	size_t i;

	for (i = w->bs; i < w->be; i++)
		if (!text_is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

int tone_penalty(int sev)
{
	return sev == TONE_ERROR ? 30 : sev == TONE_WARNING ? 10 : 2;
}

void tone_hit_add(struct hits *hs, enum why why, size_t bs, size_t be,
		    size_t arg, size_t arg2)
{
	struct hit *h;

	if (hs->n == MAX_HITS) {
		hs->lost_penalty += tone_penalty(tone_why_tab[why].sev);
		hs->lost++;
		return;
	}
	h = &hs->h[hs->n++];
	h->bs = (uint32_t)bs;
	h->be = (uint32_t)be;
	h->arg = (uint32_t)arg;
	h->arg2 = (uint32_t)arg2;
	h->why = (uint8_t)why;
	h->rule = tone_why_tab[why].rule;
	h->sev = tone_why_tab[why].sev;
}

/* Hit on the words [from, to). */
void tone_hit_words(struct hits *hs, enum why why, const struct phrase_word *w,
		      size_t from, size_t to)
{
	tone_hit_add(hs, why, w[from].bs, w[to - 1].be, 0, 0);
}

/* ---------------------------------------------------- the byte scanners */

/* The code point that ends right before byte i, or -1. */
utf8proc_int32_t tone_prev_cp(const char *s, size_t i)
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

int tone_cp_is_letter_or_digit(utf8proc_int32_t cp)
{
	utf8proc_category_t cat;

	if (cp < 0)
		return 0;
	cat = utf8proc_category(cp);
	return (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
		cat == UTF8PROC_CATEGORY_ND;
}

int tone_is_email_local(unsigned char c)
{
	return text_is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' ||
		c == '-';
}

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
unsigned tone_byte_classes(const char *s, size_t len, size_t *cps)
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
void tone_rule_length(const char *s, size_t len, size_t total, size_t max,
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
	tone_hit_add(hs, W_LENGTH, i, len, total, max);
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
void tone_rule_placeholder(const char *s, size_t len, struct hits *hs)
{
	size_t i, j, first = len;

	for (i = 0; i < len; i++)
		if (!text_is_blank((unsigned char)s[i])) {
			first = i;
			break;
		}
	if (first == len) {
		tone_hit_add(hs, W_PH_EMPTY_REPLY, 0, len, 0, 0);
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
				tone_hit_add(hs, W_PH_BRACES, i, j, 0, 0);
				i = j - 1;
				break;
			}
			for (j = i + 1; j < len && j - i < 40 &&
			     (text_is_alnum((unsigned char)s[j]) || s[j] == '_' ||
			      s[j] == '.'); j++)
				;
			if (j > i + 1 && j < len && s[j] == '}') {
				tone_hit_add(hs, W_PH_BRACES, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '}':
			if (nx == '}') {
				tone_hit_add(hs, W_PH_BRACES, i, i + 2, 0, 0);
				i++;
			}
			break;
		case '$':
			if (nx == '{') {
				for (j = i + 2; j < len && s[j] != '}' && j - i < 40; j++)
					;
				j = j < len && s[j] == '}' ? j + 1 : i + 2;
				tone_hit_add(hs, W_PH_BRACES, i, j, 0, 0);
				i = j - 1;
			}
			break;
		case '%':
			if ((nx == 's' || nx == 'd') && !text_is_alnum(pv) &&
			    !(i + 2 < len && text_is_alnum((unsigned char)s[i + 2])))
				tone_hit_add(hs, W_PH_BRACES, i, i + 2, 0, 0);
			break;
		case '[':
			for (j = i + 1; j < len && j - i <= 32; j++) {
				unsigned char d = (unsigned char)s[j];

				if (!(d >= 0x80 || text_is_alnum(d) || d == '_' ||
				      d == ' ' || d == '.') || text_is_digit(d))
					break;
			}
			if (j < len && s[j] == ']') {
				tone_hit_add(hs, j == i + 1 ? W_PH_EMPTY_PAIR :
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
				tone_hit_add(hs, W_PH_BRACES, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '@':
			if (i > 0 && tone_is_email_local(pv))
				break;
			if (!(text_is_alnum(nx) || nx == '_' || nx >= 0x80))
				tone_hit_add(hs, W_PH_MENTION, i, i + 1, 0, 0);
			break;
		case ' ':
			if (nx == ',' || nx == ';' ||
			    (nx == '.' && !(i + 2 < len && s[i + 2] == '.'))) {
				tone_hit_add(hs, W_PH_EMPTY_BEFORE, i, i + 2, 0, 0);
			} else if ((nx == '!' || nx == '?') && pv != ' ') {
				tone_hit_add(hs, W_PH_SPACE_BANG, i, i + 2, 0, 0);
			} else if (nx == ' ') {
				for (j = i; j < len && s[j] == ' '; j++)
					;
				if (j < len && !text_is_blank((unsigned char)s[j]) &&
				    !text_is_blank(pv) && pv != '.' && pv != '!' &&
				    pv != '?')
					tone_hit_add(hs, W_PH_DOUBLE_SPACE, i, j, 0, 0);
				i = j - 1;
			}
			break;
		case '(':
			for (j = i + 1; j < len && s[j] == ' '; j++)
				;
			if (j < len && s[j] == ')') {
				tone_hit_add(hs, W_PH_EMPTY_PAIR, i, j + 1, 0, 0);
				i = j;
			}
			break;
		case '"':
			if (nx == '"') {
				tone_hit_add(hs, W_PH_EMPTY_PAIR, i, i + 2, 0, 0);
				i++;
			}
			break;
		case 0xC2:      /* << >> */
			if (nx == 0xAB) {
				for (j = i + 2; j < len && s[j] == ' '; j++)
					;
				if (j + 1 < len && (unsigned char)s[j] == 0xC2 &&
				    (unsigned char)s[j + 1] == 0xBB) {
					tone_hit_add(hs, W_PH_EMPTY_PAIR, i, j + 2, 0, 0);
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
				tone_hit_add(hs, W_PH_EMPTY_PAIR, i, i + 6, 0, 0);
				i += 5;
			} else if (nx == 0x84 && i + 2 < len &&
				   (unsigned char)s[i + 2] == 0x96) {
				/* U+2116 NUMERO SIGN with no number after it */
				for (j = i + 3; j < len && s[j] == ' '; j++)
					;
				if (j == len || !text_is_digit((unsigned char)s[j]))
					tone_hit_add(hs, W_PH_EMPTY_NUMBER, i, i + 3, 0, 0);
			}
			break;
		case ',':
			if (i == first) {
				tone_hit_add(hs, W_PH_EMPTY_BEFORE, i, i + 1, 0, 0);
			} else {
				for (j = i + 1; j < len && s[j] == ' '; j++)
					;
				if (j < len && s[j] == ',') {
					tone_hit_add(hs, W_PH_PUNCT_DOUBLE, i, j + 1, 0, 0);
					i = j;
				}
			}
			break;
		case '#':
			if ((i == 0 || text_is_blank(pv)) &&
			    (nx == 0 || text_is_blank(nx) || nx == ',' || nx == '.' ||
			     nx == '!' || nx == '?' || nx == ')'))
				tone_hit_add(hs, W_PH_EMPTY_NUMBER, i, i + 1, 0, 0);
			break;
		case ':':
			if (rest_blank(s, len, i + 1))
				tone_hit_add(hs, W_PH_TRAILING, i, i + 1, 0, 0);
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
void tone_rule_exclaim(const char *s, size_t len, struct hits *hs)
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
				tone_hit_add(hs, W_EXCLAIM_RUN, rs, re, 0, 0);
				flagged = 1;
			}
		} else {
			i++;
		}
	}
	if (!flagged && total > 2)
		tone_hit_add(hs, W_EXCLAIM_COUNT, third, last_end, total, 0);
}

/*
 * caps: ALL-CAPS words of 3+ letters not in caps_allow.txt.  Neighbouring
 * all-caps words of the same sentence join one hit ("WE ARE SORRY").
 */
void tone_rule_caps(const char *s, const struct phrase_word *w, size_t n,
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
			tone_hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be, 0, 0);
			open = 0;
		}
		if (w[i].kind != TOK_WORD || w[i].gap == PHRASE_GAP_SENTENCE)
			lead = SIZE_MAX;
		if (w[i].kind != TOK_WORD)
			continue;
		letter_case(s, w[i].bs, w[i].be, &up, &lo);
		if (!up || lo || tone_digits_in(s, w[i].bs, w[i].be)) {
			/* not an all-caps word ("MP3", "1Z99AA" are codes) */
			if (open)
				tone_hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be,
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
		tone_hit_add(hs, W_CAPS, w[run_from].bs, w[run_to].be, 0, 0);
}

/* blame, defensive, dismissive, insult, absolute_promise: the lists. */
void tone_rule_phrases(const struct phrase_word *w, const struct phrase_match *m,
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
		if (tone_list_negatable(m[i].group) && tone_negated(w, m, nm, m[i].from))
			continue;
		tone_hit_words(hs, why, w, m[i].from, m[i].to);
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

void tone_rule_competitor(const struct tokenizer *tk, const struct phrase_word *w,
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
			tone_hit_words(hs, W_COMPETITOR, w, a, b);
		}
}

/*
 * echo: the reply repeats the comment's insult (the same insult phrase, or
 * a 2+ word run of the comment holding an insult) or, for fake_news, 3+
 * consecutive content words of the comment (the false claim).  Content
 * words skip stopwords and negations, so a denial ("X does not cause Y")
 * still repeats the claim "X causes Y".
 */
void tone_rule_echo(const struct phrase_word *rw, size_t rn, const struct phrase_match *rm,
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
				tone_hit_words(hs, W_ECHO_INSULT, rw, rm[i].from,
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
					tone_hit_words(hs, W_ECHO_INSULT, rw, j, j + L);
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
				tone_hit_words(hs, W_ECHO_CLAIM, rw, ri[j],
					  (size_t)ri[j + L - 1] + 1);
		}
}

/*
 * required: what the category's reply must hold, CATEGORY_REQ_* bits from
 * its row of the category table (core/category.h; by default complaint:
 * an acknowledgement and a next step; fake_news: a fact (a fact.txt
 * marker, a number, or FACT_MIN_WORDS content words) and a source link).
 * (toxic's "no insult back" is `insult` and `echo`, which always run.)
 */
void tone_rule_required(unsigned require, size_t len,
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
	if ((require & CATEGORY_REQ_ACK) && !has_list(w, m, nm, LIST_ACK))
		tone_hit_add(hs, W_REQ_ACK, 0, len, 0, 0);
	if ((require & CATEGORY_REQ_NEXT) && !has_list(w, m, nm, LIST_NEXT) &&
	    !url && !contact)
		tone_hit_add(hs, W_REQ_NEXT, 0, len, 0, 0);
	/* a fact marker, a number, or a statement with substance */
	if ((require & CATEGORY_REQ_FACT) && !has_list(w, m, nm, LIST_FACT) &&
	    !num && content < FACT_MIN_WORDS)
		tone_hit_add(hs, W_REQ_FACT, 0, len, 0, 0);
	if ((require & CATEGORY_REQ_SOURCE) && !url)
		tone_hit_add(hs, W_REQ_SOURCE, 0, len, 0, 0);
}

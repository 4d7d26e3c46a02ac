/*
 * tone_internal.h - what the files of the tone check share, and nothing
 * else includes (as nb_internal.h for nb.c and model_file.c).
 *
 *   tone.c         the public API and the driver: loading, competitors,
 *                  tone_check() looping over the check table tone_checks[]
 *   tone_rules.c   the tables (lists, rules, messages), the words and
 *                  phrase matches, the byte scanners and the word rules
 *   tone_pii.c     personal data: e-mail, phone, card and order numbers,
 *                  street addresses
 *   tone_learn.c   the learned layer: training from replies.tsv, scoring
 *   tone_output.c  merging hits into findings, messages, the JSON
 *   tone_memo.c    the memo of replies checked before (tone.h)
 */
#ifndef CANDOR_TONE_INTERNAL_H
#define CANDOR_TONE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <utf8proc.h>

#include "category.h"
#include "nb.h"
#include "phrase.h"
#include "sketch.h"
#include "tone.h"

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



/*
 * The rules, one row each, in the order of docs/tone.md and the order
 * their checks run (the order of hits is the order findings of equal
 * severity and start keep):
 *
 *   X(id, name, severity, check, when)
 *
 * id: its enum rule_id; name: the "rule" of its findings; severity: the
 * worst of them; check: the function of tone.c that adds its hits with
 * tone_hit_add() (NULL: the row above's check makes them too, as the five
 * list rules share one pass over the phrase matches); when: ON_* flags
 * (tone.c) the reply or context must have for it to run, 0 always.
 *
 * Adding a rule (git's command table is the model): a row here, its check
 * function in tone.c (the rule itself in tone_rules.c), and its messages
 * as enum why rows of tone_why_tab[] (a rule may have several).  The
 * learned layer is no rule of its own: it runs after the rows and makes
 * findings of the list rules.
 */
#define TONE_RULES(X) \
	X(R_LENGTH, "length", TONE_ERROR, check_length, 0) \
	X(R_PLACEHOLDER, "placeholder", TONE_ERROR, check_placeholder, 0) \
	X(R_CAPS, "caps", TONE_WARNING, check_caps, 0) \
	X(R_EXCLAIM, "exclaim", TONE_WARNING, check_exclaim, ON_BANG) \
	X(R_BLAME, "blame", TONE_ERROR, check_lists, 0) \
	X(R_DEFENSIVE, "defensive", TONE_ERROR, NULL, 0) \
	X(R_DISMISSIVE, "dismissive", TONE_ERROR, NULL, 0) \
	X(R_INSULT, "insult", TONE_ERROR, NULL, 0) \
	X(R_PROMISE, "absolute_promise", TONE_WARNING, NULL, 0) \
	X(R_COMPETITOR, "competitor", TONE_ERROR, check_competitor, 0) \
	X(R_PII, "pii", TONE_ERROR, check_pii, 0) \
	X(R_ECHO, "echo", TONE_ERROR, check_echo, ON_COMMENT) \
	X(R_REQUIRED, "required", TONE_ERROR, check_required, ON_CATEGORY)

/* Rule ids, from TONE_RULES. */
#define TONE_RULE_ID(id, name, sev, fn, on) id,
enum rule_id {
	TONE_RULES(TONE_RULE_ID)
	R_COUNT
};
#undef TONE_RULE_ID


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


/*
 * The labels of replies.tsv: "ok", then one per rule the learned layer
 * feeds, named like the rule, with the hit it makes.
 */
#define LEARN_LABELS 7

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

/* A set of word keys (open addressing; 0 is told apart by `zero`). */
struct keyset {
	uint64_t *key;          /* mask + 1 slots, 0: empty */
	size_t mask;
	int zero;               /* the key 0 is in the set */
};

/* What a reply brings to `echo` (tone_echo_keys(), tone_may_echo()). */
struct echo_keys {
	struct sketch insult;   /* its words that are words of insult phrases */
	struct sketch claim;    /* its content words, when claims count */
	int any_insult, any_claim;
};

struct tone_rules {
	struct tone_params p;
	struct keyset ins_words;    /* every word of an insult phrase */
	struct keyset ins_anchor;   /* one word of each (tone_echo_prepare) */
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

/* ----------------------------------------------------------------- hits */

struct hit {
	uint32_t bs, be;        /* bytes */
	uint32_t arg, arg2;
	uint8_t why, rule, sev;
};

struct hits {
	struct hit h[MAX_HITS];
	size_t n;
	int lost_penalty;       /* tone_penalty of hits that did not fit */
	size_t lost;
	/* the words a learned hit quotes (there is at most one such hit) */
	uint32_t ev_bs[LEARN_QUOTES], ev_be[LEARN_QUOTES];
	size_t nev;
};

#define BC_DIGIT 1      /* an ASCII digit: the number scanner runs */
#define BC_AT 2         /* '@': the e-mail scanner runs */
#define BC_BANG 4       /* '!' or a lead byte of U+203C, U+FF01, ...: exclaim */
#define BC_PH 8         /* a byte tone_rule_placeholder looks at */


extern const char *const tone_list_file[LIST_COUNT];
extern const char *const tone_langs[2];
extern const char *const tone_rule_name[R_COUNT];
extern const enum tone_severity tone_rule_severity[R_COUNT];
extern const struct why_info tone_why_tab[W_COUNT];
extern const char *const tone_learn_label[LEARN_LABELS];
extern const int8_t tone_learn_why[LEARN_LABELS];

/* tone_rules.c */
unsigned tone_byte_classes(const char *s, size_t len, size_t *cps);
int tone_capitalised(const char *s, const struct phrase_word *w);
int tone_cp_is_letter_or_digit(utf8proc_int32_t cp);
size_t tone_digits_in(const char *s, size_t bs, size_t be);
void tone_hit_add(struct hits *hs, enum why why, size_t bs, size_t be,
		    size_t arg, size_t arg2);
void tone_hit_words(struct hits *hs, enum why why, const struct phrase_word *w,
		      size_t from, size_t to);
int tone_is_email_local(unsigned char c);
int tone_list_negatable(int list);
size_t tone_match_words(const struct tone_rules *r, struct phrase_word *w,
			  size_t n, struct phrase_match *m, size_t mcap,
			  unsigned *excepted);
int tone_echo_prepare(struct tone_rules *r);
void tone_echo_release(struct tone_rules *r);
void tone_echo_keys(const struct tone_rules *r, const struct phrase_word *rw,
		    size_t rn, int claim, struct echo_keys *ek);
int tone_may_echo(const struct tone_rules *r, const struct tokenizer *ct,
		  const char *s, size_t len, const struct echo_keys *ek);
/* tone_memo.c: the memo of checked replies (tone.h) */
struct tone_memo_entry;
const struct tone_memo_entry *tone_memo_find(struct tone_memo *m,
					     const struct tone_rules *r,
					     const char *reply, size_t len,
					     const struct tone_ctx *ctx);
const struct echo_keys *tone_memo_echo(const struct tone_memo_entry *e);
void tone_memo_result(const struct tone_memo_entry *e,
		      struct tone_result *out);
void tone_memo_store(struct tone_memo *m, const struct echo_keys *ek,
		     const struct tone_result *res);
int tone_negated(const struct phrase_word *w, const struct phrase_match *m, size_t nm,
		   size_t at);
int tone_number_word(const char *s, const struct phrase_word *w);
int tone_penalty(int sev);
int tone_plain_digits(const char *s, const struct phrase_word *w);
utf8proc_int32_t tone_prev_cp(const char *s, size_t i);
void tone_rule_caps(const char *s, const struct phrase_word *w, size_t n,
		      struct hits *hs);
void tone_rule_competitor(const struct tokenizer *tk, const struct phrase_word *w,
			    size_t n, const struct phrase_match *m, size_t nm,
			    const struct comp *comps, size_t ncomps,
			    struct hits *hs);
void tone_rule_echo(const struct phrase_word *rw, size_t rn, const struct phrase_match *rm,
		      size_t rnm, const struct phrase_word *cw, size_t cn,
		      const struct phrase_match *cm, size_t cnm, int fake_news,
		      struct hits *hs);
void tone_rule_exclaim(const char *s, size_t len, struct hits *hs);
void tone_rule_length(const char *s, size_t len, size_t total, size_t max,
			struct hits *hs);
void tone_rule_phrases(const struct phrase_word *w, const struct phrase_match *m,
			 size_t nm, struct hits *hs);
void tone_rule_placeholder(const char *s, size_t len, struct hits *hs);
void tone_rule_required(unsigned require, size_t len,
			  const struct phrase_word *w, size_t n,
			  const struct phrase_match *m, size_t nm, int contact,
			  struct hits *hs);

/* tone_pii.c */
void tone_pii_scan(const struct tone_rules *r, const char *s, size_t len,
		     const struct phrase_word *w, size_t n, unsigned classes,
		     struct hits *hs, int *contact);
void tone_pii_words(const char *s, const struct phrase_word *w,
		      size_t n, const struct phrase_match *m, size_t nm,
		      struct hits *hs);

/* tone_learn.c */
int tone_load_examples(struct tone_rules *r, size_t lang, const char *path,
			 int *found, struct cd_error *err);
void tone_rule_learned(const struct tone_rules *r, const struct learned *ln,
			 const struct tokenizer *tk, const char *s, size_t len,
			 const struct phrase_word *w, size_t n, const struct phrase_match *m,
			 size_t nm, unsigned excepted, struct hits *hs);

/* tone_output.c */
void tone_finish(struct hits *hs, const char *s, int ru,
		   struct tone_result *out);
void tone_write_finding(struct tone_finding *f, const struct hit *h,
			  const char *s, int ru, const struct hits *hs);

#endif

/*
 * tone_learn.c - the tone check's learned layer: trained at load from
 * <lang>/replies.tsv, scored in every check (tone.h, docs/tone.md).
 */
#include "tone_internal.h"
#include "lineio.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

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
		if (((1u << m[i].group) & lists) && tone_list_negatable(m[i].group) &&
		    tone_negated(w, m, nm, m[i].from))
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
void tone_rule_learned(const struct tone_rules *r, const struct learned *ln,
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
	why = tone_learn_why[best + 1];
	rule = tone_why_tab[why].rule;
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
	tone_hit_add(hs, (enum why)why, bs, be, 0, 0);
}

/* Which tone_learn_label[] the label is, or -1. */
static int learn_label_index(const char *label)
{
	int i;

	for (i = 0; i < LEARN_LABELS; i++)
		if (!strcmp(tone_learn_label[i], label))
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
	int index[LEARN_LABELS], ok;    /* tone_learn_label[] -> model label, -1 */

	for (j = 0; j < LEARN_LABELS; j++)
		index[j] = nb_label_find(m, tone_learn_label[j]);
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
int tone_load_examples(struct tone_rules *r, size_t lang, const char *path,
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

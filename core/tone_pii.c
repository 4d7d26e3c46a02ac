/*
 * tone_pii.c - the `pii` rule: personal data in a public reply, found by
 * hand-written scanners (no regex) and the pii_* lists (tone_internal.h).
 */
#include "tone_internal.h"
#include "text.h"

#include <string.h>

#include <utf8proc.h>

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

	while (l > 0 && tone_is_email_local((unsigned char)s[l - 1]))
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
void tone_pii_scan(const struct tone_rules *r, const char *s, size_t len,
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
			tone_hit_add(hs, W_PII_EMAIL, bs, be, 0, 0);
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
		pcp = tone_prev_cp(s, i);
		if (tone_cp_is_letter_or_digit(pcp) || pcp == '.' || pcp == ',' ||
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
				tone_hit_add(hs, W_PII_ORDER, i, j, 0, 0);
				i = j - 1;
			}
			continue;
		}
		if (!(text_is_digit(c) || ((c == '+' || c == '(') && i + 1 < len &&
				      text_is_digit((unsigned char)s[i + 1]))))
			continue;
		switch (scan_number(s, len, i, &end)) {
		case NUM_PHONE:
			tone_hit_add(hs, W_PII_PHONE, i, end, 0, 0);
			break;
		case NUM_CARD:
			tone_hit_add(hs, W_PII_CARD, i, end, 0, 0);
			break;
		case NUM_LONG:
			tone_hit_add(hs, W_PII_NUMBER, i, end, 0, 0);
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
 * (a number and a pii_street word with tone_capitalised names between);
 * "apt 4", "д. 5", "кв. 12" (a pii_unit word and a number).
 */
void tone_pii_words(const char *s, const struct phrase_word *w,
		      size_t n, const struct phrase_match *m, size_t nm,
		      struct hits *hs)
{
	size_t i, k, q;

	/* codes mixing letters and digits: "1Z999AA10123456784" */
	for (i = 0; i < n; i++)
		if (w[i].kind == TOK_WORD && w[i].be - w[i].bs >= 8 &&
		    tone_digits_in(s, w[i].bs, w[i].be) >= 6)
			tone_hit_add(hs, W_PII_NUMBER, w[i].bs, w[i].be, 0, 0);
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
				       tone_plain_digits(s, &w[to]) :
				       tone_number_word(s, &w[to])) &&
			    tone_digits_in(s, w[to].bs, w[to].be) >= 4)
				tone_hit_words(hs, W_PII_ORDER, w, from, to + 1);
		} else if (m[i].group == LIST_PII_UNIT) {
			if (to < n && tone_number_word(s, &w[to]))
				tone_hit_words(hs, W_PII_ADDRESS, w, from, to + 1);
		} else if (m[i].group == LIST_PII_STREET) {
			size_t caps = 0;

			/* the street first: "ул. Ленина, д. 5", "улица Мира 10" */
			for (q = to; q < n && q - to < 4; q++) {
				if (tone_number_word(s, &w[q]))
					break;
				if (tone_capitalised(s, &w[q]))
					caps++;
				else if (!(w[q].flags & WF_UNIT))
					break;
			}
			if (q < n && q - to < 4 && caps &&
			    tone_number_word(s, &w[q]))
				tone_hit_words(hs, W_PII_ADDRESS, w, from, q + 1);
			/* the number first: "12 Baker Street" */
			caps = 0;
			for (q = from; q > 0 && from - q < 4; q--) {
				if (tone_number_word(s, &w[q - 1])) {
					if (caps)
						tone_hit_words(hs, W_PII_ADDRESS, w,
							  q - 1, to);
					break;
				}
				if (!tone_capitalised(s, &w[q - 1]) ||
				    w[q].gap == PHRASE_GAP_SENTENCE)
					break;
				caps++;
			}
		}
	}
}

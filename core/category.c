/* category.c - see category.h. */
#include "category.h"

#include <stdio.h>
#include <string.h>

/* SPEC section 2's taxonomy: the one place its behaviour is written */
static const struct categories shipped = { {
	{ "competitor_attack", "reply", 0, 0, 0 },
	{ "complaint", "reply", CATEGORY_REQ_ACK | CATEGORY_REQ_NEXT, 0, 0 },
	{ "fake_news", "reply+escalate",
	  CATEGORY_REQ_FACT | CATEGORY_REQ_SOURCE, 1, 1 },
	{ "other", "none", 0, 0, 0 },
	{ "question", "reply", 0, 0, 0 },
	{ "spam", "hide", 0, 0, 0 },
	{ "toxic", "hide+escalate", 0, 0, 0 },
}, 7 };

static const char *const actions[] = {
	"reply", "reply+escalate", "hide", "hide+escalate", "none", "review",
	NULL
};

static const struct {
	const char *name;
	unsigned bit;
} req_names[] = {
	{ "ack", CATEGORY_REQ_ACK }, { "next_step", CATEGORY_REQ_NEXT },
	{ "fact", CATEGORY_REQ_FACT }, { "source", CATEGORY_REQ_SOURCE },
};

void categories_default(struct categories *t)
{
	*t = shipped;
}

const struct categories *categories_builtin(void)
{
	return &shipped;
}

const struct category *categories_find(const struct categories *t,
				       const char *name)
{
	size_t i;

	if (!t)
		t = categories_builtin();
	if (!name)
		return NULL;
	for (i = 0; i < t->n; i++)
		if (!strcmp(t->row[i].name, name))
			return &t->row[i];
	return NULL;
}

static int yes_no(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0")) {
		*out = 0;
		return 0;
	}
	return -1;
}

/* "ack next_step" (spaces or commas), or "none": the CATEGORY_REQ_* bits. */
static int parse_require(const char *v, unsigned *out, struct cd_error *err)
{
	unsigned bits = 0;
	size_t i, n;

	if (!strcmp(v, "none")) {
		*out = 0;
		return 0;
	}
	while (*v) {
		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (!n)
			break;
		for (i = 0; i < sizeof(req_names) / sizeof(req_names[0]); i++)
			if (strlen(req_names[i].name) == n &&
			    !strncmp(req_names[i].name, v, n))
				break;
		if (i == sizeof(req_names) / sizeof(req_names[0]))
			return cd_error_set(err, CD_ERR_CONFIG, 0,
					    "'require' takes ack, next_step, "
					    "fact, source or none, not '%.*s'",
					    (int)(n < 40 ? n : 40), v);
		bits |= req_names[i].bit;
		v += n;
	}
	*out = bits;
	return 0;
}

int categories_set(struct categories *t, const char *name, const char *key,
		   const char *value, struct cd_error *err)
{
	struct category *c = (struct category *)categories_find(t, name);
	size_t i;

	if (!name[0] || strlen(name) >= CATEGORY_NAME_MAX)
		return cd_error_set(err, CD_ERR_CONFIG, 0,
				    "a category name is 1-%d bytes",
				    CATEGORY_NAME_MAX - 1);
	if (!c) {
		if (t->n == CATEGORY_MAX)
			return cd_error_set(err, CD_ERR_CONFIG, 0,
					    "more than %d categories",
					    CATEGORY_MAX);
		c = &t->row[t->n++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	if (!strcmp(key, "action")) {
		for (i = 0; actions[i]; i++)
			if (!strcmp(actions[i], value))
				break;
		if (!actions[i])
			return cd_error_set(err, CD_ERR_CONFIG, 0,
					    "'action' is reply, reply+escalate, "
					    "hide, hide+escalate, none or review, "
					    "not '%.40s'", value);
		snprintf(c->action, sizeof(c->action), "%s", value);
		return 0;
	}
	if (!strcmp(key, "require"))
		return parse_require(value, &c->require, err);
	if (!strcmp(key, "cite_fact") || !strcmp(key, "echo_claim")) {
		int *dst = key[0] == 'c' ? &c->cite_fact : &c->echo_claim;

		if (yes_no(value, dst))
			return cd_error_set(err, CD_ERR_CONFIG, 0,
					    "'%s' is yes or no, not '%.40s'", key,
					    value);
		return 0;
	}
	return cd_error_set(err, CD_ERR_CONFIG, 0,
			    "unknown key '%s' (action, require, cite_fact, "
			    "echo_claim)", key);
}

/*
 * mustache.c - see mustache.h.
 *
 * The parser turns the source into a flat array of ops.  A section op
 * holds the index just past its body, so rendering is a loop over a range
 * of ops that recurses only into section bodies and partials, and that
 * recursion is bounded by max_depth.  The total work is bounded as well,
 * by max_steps: partials that include others several times, or sections
 * nested over long lists, can do exponential work within max_depth.
 * Names live in one pool of NUL-terminated strings: each name as written,
 * then its dotted parts.
 *
 * Standalone lines (a section, inverted, closing, comment, partial or
 * set-delimiter tag alone on its line with only blanks around it) are
 * removed whole while parsing.  Partial indentation follows the spec's
 * reference, which prepends the indentation to every line of the partial's
 * source: the parser puts an OP_INDENT at the start of each source line it
 * keeps, and rendering a partial emits the chain of indentations of the
 * standalone partial tags that led to it there.  Text that variables
 * interpolate is never indented.
 */
#include "mustache.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum op_kind {
	OP_TEXT,        /* literal text src[off, off + len) */
	OP_INDENT,      /* a source line starts: emit the partial indentation */
	OP_VAR,         /* {{x}}; OP_RAW for {{{x}}} and {{&x}} */
	OP_SECTION,     /* {{#x}}, body is ops (this, end) */
	OP_INVERTED,    /* {{^x}}, body is ops (this, end) */
	OP_PARTIAL      /* {{>x}}; OP_STANDALONE: src[off, off + len) indents */
};

#define OP_RAW          1u
#define OP_STANDALONE   2u

#define NO_OP           SIZE_MAX
/* Source bytes of a partial whose parsing counts as one render step. */
#define PARSE_STEP_BYTES 256
/* How much of a bad name or delimiter an error message quotes. */
#define QUOTE_MAX       64

struct op {
	enum op_kind kind;
	unsigned flags;
	size_t off, len;        /* text, or standalone partial indentation */
	size_t name;            /* pool offset of the name as written */
	size_t parts;           /* pool offset of the first dotted part */
	size_t nparts;          /* 0 for "." (and for partial names) */
	size_t end;             /* sections: first op after the body; while
				   parsing an open section: its parent */
	long line, col;         /* of the tag's opening delimiter */
};

struct mustache_template {
	char *src;              /* a copy of the source, NUL-terminated */
	struct op *ops;
	size_t nops;
	char *pool;             /* the names */
};

/* ---- parsing ---------------------------------------------------------- */

/* Line and column of a byte offset, advanced forward only. */
struct cursor {
	size_t off;
	long line, col;
};

struct parser {
	const char *src;
	size_t len;
	char otag[MUSTACHE_DELIM_MAX + 1], ctag[MUSTACHE_DELIM_MAX + 1];
	size_t olen, clen;
	struct op *ops;
	size_t nops, cap;
	struct cd_buf pool;
	size_t open;            /* innermost open section, or NO_OP */
	int depth;              /* sections open */
	struct cursor cur;
	struct cd_error *err;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Offset of the first `needle` in hay[from, len), or NO_OP. */
static size_t find(const char *hay, size_t len, size_t from,
		   const char *needle, size_t nlen)
{
	const char *p;

	while (from < len && len - from >= nlen) {
		p = memchr(hay + from, needle[0], len - from - nlen + 1);
		if (!p)
			return NO_OP;
		if (!memcmp(p, needle, nlen))
			return (size_t)(p - hay);
		from = (size_t)(p - hay) + 1;
	}
	return NO_OP;
}

/* Move the cursor to `off` (never backwards), counting UTF-8 characters. */
static void cursor_to(struct cursor *c, const char *src, size_t off)
{
	for (; c->off < off; c->off++) {
		unsigned char ch = (unsigned char)src[c->off];

		if (ch == '\n') {
			c->line++;
			c->col = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c->col++;
		}
	}
}

/* Set a CD_ERR_DATA error at the tag starting at `ts`. */
static int parse_error(struct parser *ps, size_t ts, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_error(struct parser *ps, size_t ts, const char *fmt, ...)
{
	char msg[sizeof(ps->err->msg)];
	va_list ap;

	cursor_to(&ps->cur, ps->src, ts);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cd_error_setc(ps->err, CD_ERR_DATA, ps->cur.line, ps->cur.col,
			     "%s", msg);
}

static int nomem(struct cd_error *err)
{
	return cd_error_set(err, CD_ERR_NOMEM, 0, "out of memory");
}

/* Append an op of `kind` for the tag at `ts` (NO_OP: no position). */
static struct op *add_op(struct parser *ps, enum op_kind kind, size_t ts)
{
	struct op *op;

	if (ps->nops == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 32;

		if (cap > SIZE_MAX / sizeof(*op))
			return NULL;
		op = realloc(ps->ops, cap * sizeof(*op));
		if (!op)
			return NULL;
		ps->ops = op;
		ps->cap = cap;
	}
	op = &ps->ops[ps->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->end = NO_OP;
	if (ts != NO_OP) {
		cursor_to(&ps->cur, ps->src, ts);
		op->line = ps->cur.line;
		op->col = ps->cur.col;
	}
	return op;
}

static int is_line_start(const struct parser *ps, size_t off)
{
	return off == 0 || ps->src[off - 1] == '\n';
}

/* Emit src[from, to) as text ops, with an OP_INDENT at each line start. */
static int add_text(struct parser *ps, size_t from, size_t to)
{
	struct op *op;
	size_t nl;

	while (from < to) {
		if (is_line_start(ps, from) && !add_op(ps, OP_INDENT, NO_OP))
			return nomem(ps->err);
		nl = find(ps->src, to, from, "\n", 1);
		nl = nl == NO_OP ? to : nl + 1;
		op = add_op(ps, OP_TEXT, NO_OP);
		if (!op)
			return nomem(ps->err);
		op->off = from;
		op->len = nl - from;
		from = nl;
	}
	return 0;
}

/*
 * Check and store the name src[s, s + n) of the tag at `ts` in op.  With
 * `dotted` the name is also split into its parts; each must be non-empty
 * unless the whole name is ".".
 */
static int add_name(struct parser *ps, struct op *op, size_t ts, size_t s,
		    size_t n, int dotted)
{
	const char *name = ps->src + s;
	size_t i, start;
	int rc;

	if (!n)
		return parse_error(ps, ts, "tag has no name");
	for (i = 0; i < n; i++)
		if (is_space(name[i]))
			return parse_error(ps, ts, "bad name '%.*s'",
					   n > QUOTE_MAX ? QUOTE_MAX : (int)n,
					   name);
	op->name = ps->pool.len;
	rc = cd_buf_add(&ps->pool, name, n);
	if (!rc)
		rc = cd_buf_addch(&ps->pool, '\0');
	if (rc)
		return nomem(ps->err);
	op->parts = ps->pool.len;
	if (!dotted || (n == 1 && name[0] == '.'))
		return 0;
	for (start = i = 0; i <= n; i++) {
		if (i < n && name[i] != '.')
			continue;
		if (i == start)
			return parse_error(ps, ts, "bad name '%.*s'",
					   n > QUOTE_MAX ? QUOTE_MAX : (int)n,
					   name);
		rc = cd_buf_add(&ps->pool, name + start, i - start);
		if (!rc)
			rc = cd_buf_addch(&ps->pool, '\0');
		if (rc)
			return nomem(ps->err);
		op->nparts++;
		start = i + 1;
	}
	return 0;
}

/* {{=<% %>=}}: src[s, e) is the trimmed content between the '='s. */
static int set_delims(struct parser *ps, size_t ts, size_t s, size_t e)
{
	size_t o_end, c_start, i;
	const char *src = ps->src;

	for (o_end = s; o_end < e && !is_space(src[o_end]); o_end++)
		;
	for (c_start = o_end; c_start < e && is_space(src[c_start]); c_start++)
		;
	for (i = c_start; i < e && !is_space(src[i]); i++)
		;
	if (o_end == s || c_start == o_end || c_start == e || i != e)
		return parse_error(ps, ts, "bad set-delimiter tag '%.*s'",
				   e - s > QUOTE_MAX ? QUOTE_MAX : (int)(e - s),
				   src + s);
	if (o_end - s > MUSTACHE_DELIM_MAX || e - c_start > MUSTACHE_DELIM_MAX)
		return parse_error(ps, ts,
				   "bad set-delimiter tag '%.*s': a delimiter is longer than %d bytes",
				   e - s > QUOTE_MAX ? QUOTE_MAX : (int)(e - s),
				   src + s, MUSTACHE_DELIM_MAX);
	ps->olen = o_end - s;
	memcpy(ps->otag, src + s, ps->olen);
	ps->otag[ps->olen] = '\0';
	ps->clen = e - c_start;
	memcpy(ps->ctag, src + c_start, ps->clen);
	ps->ctag[ps->clen] = '\0';
	return 0;
}

/* {{/x}} at `ts` with the name src[s, s + n). */
static int close_section(struct parser *ps, size_t ts, size_t s, size_t n)
{
	struct op *op;
	const char *name;

	if (ps->open == NO_OP)
		return parse_error(ps, ts, "closing tag '%.*s' without an open section",
				   n > QUOTE_MAX ? QUOTE_MAX : (int)n,
				   ps->src + s);
	op = &ps->ops[ps->open];
	name = ps->pool.data + op->name;
	if (strlen(name) != n || memcmp(name, ps->src + s, n))
		return parse_error(ps, ts,
				   "closing tag '%.*s' does not match section '%s' opened on line %ld",
				   n > QUOTE_MAX ? QUOTE_MAX : (int)n,
				   ps->src + s, name, op->line);
	ps->open = op->end;
	op->end = ps->nops;
	ps->depth--;
	return 0;
}

/*
 * Whether the tag src[ts, te) stands alone on its line.  If so, *ls is
 * where the line starts and *next where the following line does.
 */
static int standalone(const struct parser *ps, size_t ts, size_t te,
		      size_t *ls, size_t *next)
{
	const char *src = ps->src;
	size_t i = ts;

	while (i > 0 && is_blank(src[i - 1]))
		i--;
	if (!is_line_start(ps, i))
		return 0;
	*ls = i;
	for (i = te; i < ps->len && is_blank(src[i]); i++)
		;
	if (i == ps->len)
		*next = i;
	else if (src[i] == '\n')
		*next = i + 1;
	else if (src[i] == '\r' && i + 1 < ps->len && src[i + 1] == '\n')
		*next = i + 2;
	else
		return 0;
	return 1;
}

/* Parse the tag whose opening delimiter is at `ts`; advance *p past it. */
static int parse_tag(struct parser *ps, size_t ts, size_t *p)
{
	const char *src = ps->src;
	char close[MUSTACHE_DELIM_MAX + 2];
	size_t s = ts + ps->olen, e, te, ls = 0, next = 0, clen;
	char sigil = s < ps->len ? src[s] : '\0';
	struct op *op;
	int alone, rc;

	clen = ps->clen;
	memcpy(close, ps->ctag, clen + 1);
	switch (sigil) {
	case '{':
	case '=':
		close[0] = sigil == '{' ? '}' : '=';
		memcpy(close + 1, ps->ctag, clen + 1);
		clen++;
		s++;
		break;
	case '&': case '#': case '^': case '/': case '>': case '!':
		s++;
		break;
	default:
		sigil = '\0';
		break;
	}
	e = find(src, ps->len, s, close, clen);
	if (e == NO_OP)
		return parse_error(ps, ts, "unclosed tag: expected '%s'",
				   close);
	te = e + clen;

	alone = sigil != '\0' && sigil != '{' && sigil != '&' &&
		standalone(ps, ts, te, &ls, &next);
	if (alone) {
		rc = add_text(ps, *p, ls);
		*p = next;
	} else {
		rc = add_text(ps, *p, ts);
		if (!rc && is_line_start(ps, ts) &&
		    !add_op(ps, OP_INDENT, NO_OP))
			rc = nomem(ps->err);
		*p = te;
	}
	if (rc)
		return rc;

	if (sigil == '!')
		return 0;
	while (s < e && is_space(src[s]))
		s++;
	while (e > s && is_space(src[e - 1]))
		e--;
	if (sigil == '=')
		return set_delims(ps, ts, s, e);
	if (sigil == '/')
		return close_section(ps, ts, s, e - s);
	/*
	 * Rendering refuses this nesting too, but only where it gets that
	 * deep: a false section would hide it until the data changes.
	 */
	if ((sigil == '#' || sigil == '^') && ++ps->depth > MUSTACHE_DEPTH_DEFAULT)
		return parse_error(ps, ts, "section '%.*s' nests deeper than %d "
				   "levels", e - s > QUOTE_MAX ? QUOTE_MAX :
				   (int)(e - s), src + s, MUSTACHE_DEPTH_DEFAULT);

	op = add_op(ps, OP_VAR, ts);
	if (!op)
		return nomem(ps->err);
	switch (sigil) {
	case '{':
	case '&':
		op->flags |= OP_RAW;
		break;
	case '#':
	case '^':
		op->kind = sigil == '#' ? OP_SECTION : OP_INVERTED;
		op->end = ps->open;
		ps->open = ps->nops - 1;
		break;
	case '>':
		op->kind = OP_PARTIAL;
		if (alone) {
			op->flags |= OP_STANDALONE;
			op->off = ls;
			op->len = ts - ls;
		}
		break;
	default:
		break;
	}
	return add_name(ps, op, ts, s, e - s, op->kind != OP_PARTIAL);
}

static int parse(struct parser *ps)
{
	size_t p = 0, ts;
	int rc;

	while (p < ps->len) {
		ts = find(ps->src, ps->len, p, ps->otag, ps->olen);
		if (ts == NO_OP)
			return add_text(ps, p, ps->len);
		rc = parse_tag(ps, ts, &p);
		if (rc)
			return rc;
	}
	return 0;
}

int mustache_parse(const char *src, size_t len, struct mustache_template **out,
		   struct cd_error *err)
{
	struct parser ps;
	struct mustache_template *t;
	int rc;

	cd_error_clear(err);
	if (len >= SIZE_MAX / 2)
		return cd_error_set(err, CD_ERR_LIMIT, 0,
				    "template is too large");
	memset(&ps, 0, sizeof(ps));
	ps.src = src;
	ps.len = len;
	memcpy(ps.otag, "{{", 3);
	memcpy(ps.ctag, "}}", 3);
	ps.olen = ps.clen = 2;
	cd_buf_init(&ps.pool, SIZE_MAX / 2);
	ps.open = NO_OP;
	ps.cur.line = ps.cur.col = 1;
	ps.err = err;

	rc = parse(&ps);
	if (!rc && ps.open != NO_OP) {
		const struct op *op = &ps.ops[ps.open];

		rc = cd_error_setc(err, CD_ERR_DATA, op->line, op->col,
				   "unclosed section '%s'",
				   ps.pool.data + op->name);
	}
	if (rc)
		goto fail;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->src = malloc(len + 1);
	t->pool = cd_buf_detach(&ps.pool, NULL);
	if (!t->src || !t->pool) {
		mustache_free(t);
		goto nomem;
	}
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->ops = ps.ops;
	t->nops = ps.nops;
	*out = t;
	return 0;

nomem:
	rc = nomem(err);
fail:
	free(ps.ops);
	cd_buf_release(&ps.pool);
	return rc;
}

void mustache_free(struct mustache_template *t)
{
	if (!t)
		return;
	free(t->src);
	free(t->ops);
	free(t->pool);
	free(t);
}

int mustache_each_name(const struct mustache_template *t,
		       int (*fn)(void *ctx, const char *name,
				 enum mustache_tag kind, long line, long col),
		       void *ctx)
{
	const struct op *op;
	enum mustache_tag kind;
	size_t i;
	int rc;

	for (i = 0; i < t->nops; i++) {
		op = &t->ops[i];
		switch (op->kind) {
		case OP_VAR:
			kind = MUSTACHE_TAG_VAR;
			break;
		case OP_SECTION:
			kind = MUSTACHE_TAG_SECTION;
			break;
		case OP_INVERTED:
			kind = MUSTACHE_TAG_INVERTED;
			break;
		default:
			continue;
		}
		rc = fn(ctx, t->pool + op->name, kind, op->line, op->col);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- rendering -------------------------------------------------------- */

/* The context stack, innermost first; lives on the C stack. */
struct ctx {
	const cJSON *v;
	const struct ctx *up;
};

/* The indentation of nested standalone partials, innermost first. */
struct indent {
	const char *s;
	size_t n;
	const struct indent *up;
};

struct render {
	enum mustache_escape escape;
	mustache_partial_fn partial;
	void *partial_ctx;
	int max_depth;
	size_t max_steps;
	size_t steps_left;      /* ops still allowed to run */
	struct cd_buf *out;
	struct cd_error *err;
};

static int render_ops(struct render *r, const struct mustache_template *t,
		      size_t i, size_t end, const struct ctx *ctx,
		      const struct indent *ind, int depth);

static int emit(struct render *r, const char *s, size_t n)
{
	int rc = cd_buf_add(r->out, s, n);

	if (rc == CD_ERR_LIMIT)
		return cd_error_set(r->err, rc, 0,
				    "rendered reply exceeds %zu bytes",
				    r->out->max);
	if (rc)
		return nomem(r->err);
	return 0;
}

static int emit_escaped(struct render *r, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *rep;
	int rc;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		rc = emit(r, s + run, i - run);
		if (!rc)
			rc = emit(r, rep, strlen(rep));
		if (rc)
			return rc;
		run = i + 1;
	}
	return emit(r, s + run, n - run);
}

/* Outermost indentation first. */
static int emit_indent(struct render *r, const struct indent *ind)
{
	int rc;

	if (!ind)
		return 0;
	rc = emit_indent(r, ind->up);
	return rc ? rc : emit(r, ind->s, ind->n);
}

/*
 * The shortest of %.15g, %.16g and %.17g that reads back as d, so that
 * 1.21 prints as "1.21" and 85 as "85"; always with a '.' decimal point.
 */
static void format_number(double d, char *buf, size_t size)
{
	const char *dp;
	char *p;
	int prec;

	if (!isfinite(d)) {
		buf[0] = '\0';
		return;
	}
	if (d == 0) {
		snprintf(buf, size, "0");
		return;
	}
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(buf, size, "%.17g", d);
	dp = localeconv()->decimal_point;
	if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
		p = strchr(buf, dp[0]);
		if (p)
			*p = '.';
	}
}

static int emit_value(struct render *r, const cJSON *v, int raw)
{
	char num[64];
	const char *s;

	if (cJSON_IsString(v) && v->valuestring) {
		s = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		format_number(v->valuedouble, num, sizeof(num));
		s = num;
	} else if (cJSON_IsTrue(v)) {
		s = "true";
	} else if (cJSON_IsFalse(v)) {
		s = "false";
	} else {
		return 0;
	}
	if (raw || r->escape == MUSTACHE_ESCAPE_NONE)
		return emit(r, s, strlen(s));
	return emit_escaped(r, s, strlen(s));
}

static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsInvalid(v) || cJSON_IsFalse(v) || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	return 1;
}

/*
 * The spec's name resolution: "." is the top of the stack; otherwise the
 * first part is looked up in each object on the stack from the top, and
 * the other parts only in what the previous part found.  NULL: missing.
 */
static const cJSON *lookup(const struct mustache_template *t,
			   const struct op *op, const struct ctx *ctx)
{
	const char *part = t->pool + op->parts;
	const cJSON *v = NULL;
	size_t i;

	if (!op->nparts)
		return ctx->v;
	for (; ctx; ctx = ctx->up) {
		if (!cJSON_IsObject(ctx->v))
			continue;
		v = cJSON_GetObjectItemCaseSensitive(ctx->v, part);
		if (v)
			break;
	}
	for (i = 1; v && i < op->nparts; i++) {
		part += strlen(part) + 1;
		v = cJSON_IsObject(v) ?
			cJSON_GetObjectItemCaseSensitive(v, part) : NULL;
	}
	return v;
}

static int too_deep(struct render *r, const char *what,
		    const char *name)
{
	return cd_error_set(r->err, CD_ERR_LIMIT, 0,
			    "%s '%s' nests deeper than %d levels", what, name,
			    r->max_depth);
}

static int too_long(struct render *r)
{
	return cd_error_set(r->err, CD_ERR_LIMIT, 0,
			    "rendering takes more than %zu steps",
			    r->max_steps);
}

/* Render the body of the section op i with `top` pushed, one level deeper. */
static int render_body(struct render *r, const struct mustache_template *t,
		       size_t i, const struct ctx *top,
		       const struct indent *ind, int depth)
{
	const struct op *op = &t->ops[i];

	if (depth >= r->max_depth)
		return too_deep(r, "section", t->pool + op->name);
	return render_ops(r, t, i + 1, op->end, top, ind, depth + 1);
}

/*
 * {{#x}} renders its body once for each item of a list and once for any
 * other truthy value, with that pushed on the context stack; {{^x}} renders
 * it once, with the stack unchanged, if x is falsey.
 */
static int render_section(struct render *r,
			  const struct mustache_template *t, size_t i,
			  const struct ctx *ctx, const struct indent *ind,
			  int depth)
{
	const struct op *op = &t->ops[i];
	const cJSON *v = lookup(t, op, ctx);
	struct ctx top = { v, ctx };
	const cJSON *item;
	int rc;

	if (op->kind == OP_INVERTED)
		return truthy(v) ? 0 : render_body(r, t, i, ctx, ind, depth);
	if (!truthy(v))
		return 0;
	if (!cJSON_IsArray(v))
		return render_body(r, t, i, &top, ind, depth);
	cJSON_ArrayForEach(item, v) {
		top.v = item;
		rc = render_body(r, t, i, &top, ind, depth);
		if (rc)
			return rc;
	}
	return 0;
}

static int render_partial(struct render *r,
			  const struct mustache_template *t,
			  const struct op *op, const struct ctx *ctx,
			  const struct indent *ind, int depth)
{
	const char *name = t->pool + op->name;
	struct indent own = { t->src + op->off, op->len, ind };
	struct mustache_template *pt;
	struct cd_error perr;
	size_t len, cost;
	char *src;
	int rc;

	if (!r->partial)
		return 0;
	if (depth >= r->max_depth)
		return too_deep(r, "partial", name);
	src = r->partial(r->partial_ctx, name);
	if (!src)
		return 0;
	len = strlen(src);
	rc = mustache_parse(src, len, &pt, &perr);
	free(src);
	if (rc == CD_ERR_NOMEM)
		return nomem(r->err);
	if (rc)
		return cd_error_setc(r->err, rc, perr.line, perr.col,
				     "partial '%s': %s", name, perr.msg);
	/* Parsing costs about one step per op and per PARSE_STEP_BYTES. */
	cost = pt->nops + len / PARSE_STEP_BYTES;
	if (cost > r->steps_left) {
		mustache_free(pt);
		return too_long(r);
	}
	r->steps_left -= cost;
	rc = render_ops(r, pt, 0, pt->nops, ctx,
			op->flags & OP_STANDALONE ? &own : NULL, depth + 1);
	mustache_free(pt);
	return rc;
}

static int render_ops(struct render *r, const struct mustache_template *t,
		      size_t i, size_t end, const struct ctx *ctx,
		      const struct indent *ind, int depth)
{
	const struct op *op;
	int rc = 0;

	while (!rc && i < end) {
		op = &t->ops[i];
		if (!r->steps_left)
			return too_long(r);
		r->steps_left--;
		switch (op->kind) {
		case OP_TEXT:
			rc = emit(r, t->src + op->off, op->len);
			break;
		case OP_INDENT:
			rc = emit_indent(r, ind);
			break;
		case OP_VAR:
			rc = emit_value(r, lookup(t, op, ctx),
					op->flags & OP_RAW);
			break;
		case OP_SECTION:
		case OP_INVERTED:
			rc = render_section(r, t, i, ctx, ind, depth);
			i = op->end;
			continue;
		case OP_PARTIAL:
			rc = render_partial(r, t, op, ctx, ind, depth);
			break;
		}
		i++;
	}
	return rc;
}

int mustache_render(const struct mustache_template *t, const cJSON *data,
		    const struct mustache_opts *opts, struct cd_buf *out,
		    struct cd_error *err)
{
	struct render r;
	struct ctx root = { data, NULL };
	int rc;

	cd_error_clear(err);
	memset(&r, 0, sizeof(r));
	r.escape = MUSTACHE_ESCAPE_HTML;
	r.max_depth = MUSTACHE_DEPTH_DEFAULT;
	r.max_steps = MUSTACHE_STEPS_DEFAULT;
	if (opts) {
		r.escape = opts->escape;
		r.partial = opts->partial;
		r.partial_ctx = opts->partial_ctx;
		if (opts->max_depth > 0)
			r.max_depth = opts->max_depth;
		if (opts->max_steps > 0)
			r.max_steps = opts->max_steps;
	}
	r.steps_left = r.max_steps;
	r.out = out;
	r.err = err;
	/* Leave a valid (empty) string even when nothing is rendered. */
	rc = emit(&r, "", 0);
	if (rc)
		return rc;
	return render_ops(&r, t, 0, t->nops, &root, NULL, 0);
}

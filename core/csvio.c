/*
 * csvio.c - see csvio.h.
 *
 * How the reader works.  Two state machines read the same bytes: a small
 * scanner of our own and libcsv.  The scanner finds where a record starts
 * and ends (a CR or LF outside quotes), counts lines, and goes on through
 * a record libcsv gave up on; libcsv unquotes the fields and, in strict
 * mode, catches malformed quoting.  On well-formed input both follow the
 * same rules, so they agree on every record end.  On malformed input the
 * scanner's recovery rule decides where the bad record ends: a quote that
 * does not open a field is data, and so is anything after a closing
 * quote, so a stray quote never swallows the lines after it.
 *
 * A record reaches libcsv in the pieces the scanner reads, at most one
 * input block each, so after each piece the field libcsv is building can
 * be measured.  Once a field or record is over its limit libcsv is fed no
 * more, the scanner skips to the end of the record and libcsv is reset:
 * an oversized field costs time, never memory.
 */
#include "csvio.h"
#include "text.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#define IN_BLOCK   ((size_t)64 * 1024)	/* bytes per fread */
#define CSV_BLOCK  ((size_t)64 * 1024)	/* libcsv's field buffer step */
#define SPANS_MIN  16			/* a row's first field table */
#define CSV_OPTS   (CSV_STRICT | CSV_STRICT_FINI)

/* Where the scanner stands inside a record. */
enum scan_state {
	SC_FIELD,	/* at the start of a field */
	SC_PLAIN,	/* in an unquoted field */
	SC_QUOTED,	/* in a quoted field */
	SC_QUOTE	/* after a quote in a quoted field: its end, or "" */
};

/* Why the current record is being skipped (the first reason wins). */
enum fail {
	FAIL_NONE,
	FAIL_QUOTING,
	FAIL_UNTERMINATED,
	FAIL_FIELD,
	FAIL_RECORD,
	FAIL_FIELDS,
	FAIL_NOMEM
};

struct span {
	size_t off;
	size_t len;
};

struct csv_row {
	struct cd_buf text;	/* the fields, each followed by a NUL */
	struct span *fields;
	size_t nfields;
	size_t cap;		/* room in fields */
	size_t bytes;		/* the field lengths added up */
	long line;
};

struct csv_reader {
	FILE *fp;
	char *name;		/* for messages */
	struct csvr_limits lim;
	struct csv_parser csv;
	unsigned char *in;	/* IN_BLOCK bytes */
	size_t inpos;
	size_t inlen;
	int eof;		/* nothing more to read (end or read error) */
	int started;		/* the byte order mark check is done */
	unsigned char delim;	/* ',' ';' or '\t' */
	int detect;		/* csvr_header chooses delim */
	unsigned char special[256];	/* line ends, quote and delim */
	long line;		/* the line in[inpos] is on */
	enum scan_state st;
	long qline;		/* line the open quoted field started on */
	enum fail fail;
	int row_done;		/* libcsv ended the record */
	long nread;		/* records begun, good or bad */
	int have_head;
	struct csv_row row;
	struct csv_row head;
	struct cd_buf raw;	/* the current record's bytes, as read */
	int raw_over;		/* ... unless it was over max_record */
};

/* Sum that sticks at SIZE_MAX instead of wrapping. */
static size_t add_sat(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static void row_init(struct csv_row *row, size_t max)
{
	cd_buf_init(&row->text, max);
	row->fields = NULL;
	row->nfields = 0;
	row->cap = 0;
	row->bytes = 0;
	row->line = 0;
}

static void row_release(struct csv_row *row)
{
	cd_buf_release(&row->text);
	free(row->fields);
	row->fields = NULL;
	row->cap = 0;
	row->nfields = 0;
}

static void row_reset(struct csv_row *row, long line)
{
	cd_buf_reset(&row->text);
	row->nfields = 0;
	row->bytes = 0;
	row->line = line;
}

/* Room for one more field in row's table, which never outgrows max. */
static int row_grow(struct csv_row *row, size_t max)
{
	size_t cap = row->cap ? row->cap * 2 : SPANS_MIN;
	struct span *p;

	if (cap > max || cap < row->cap)
		cap = max;
	p = realloc(row->fields, cap * sizeof(*p));
	if (!p)
		return CD_ERR_NOMEM;
	row->fields = p;
	row->cap = cap;
	return 0;
}

/* Spaces are data (RFC 4180), so libcsv must not trim any. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void parser_setup(struct csv_parser *p, unsigned char delim)
{
	csv_init(p, CSV_OPTS);
	csv_set_space_func(p, no_space);
	csv_set_blk_size(p, CSV_BLOCK);
	csv_set_delim(p, delim ? delim : ',');
}

/* Drop whatever libcsv holds of a bad record, and its memory. */
static void parser_reset(struct csv_reader *r)
{
	csv_free(&r->csv);
	parser_setup(&r->csv, r->delim);
}

/* The separator from now on: the scanner's table and libcsv's. */
static void set_delim(struct csv_reader *r, unsigned char d)
{
	r->delim = d;
	memset(r->special, 0, sizeof(r->special));
	r->special['\n'] = r->special['\r'] = r->special['"'] = 1;
	r->special[d] = 1;
	csv_set_delim(&r->csv, d);
}

/* libcsv's field callback: keep the field in the row, within the limits. */
static void on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;
	struct csv_row *row = &r->row;
	struct span *sp;

	if (r->fail)
		return;
	if (len > r->lim.max_field) {
		r->fail = FAIL_FIELD;
		return;
	}
	if (row->nfields >= r->lim.max_fields) {
		r->fail = FAIL_FIELDS;
		return;
	}
	if (len > r->lim.max_record - row->bytes) {
		r->fail = FAIL_RECORD;
		return;
	}
	if (row->nfields == row->cap && row_grow(row, r->lim.max_fields)) {
		r->fail = FAIL_NOMEM;
		return;
	}
	/* The text cap leaves room for every NUL, so only NOMEM is left. */
	if (cd_buf_grow(&row->text, len + 1)) {
		r->fail = FAIL_NOMEM;
		return;
	}
	sp = &row->fields[row->nfields++];
	sp->off = row->text.len;
	sp->len = len;
	if (len)
		memcpy(row->text.data + row->text.len, s, len);
	row->text.len += len;
	row->text.data[row->text.len++] = '\0';
	row->text.data[row->text.len] = '\0';
	row->bytes += len;
}

/* libcsv's record callback. */
static void on_row(int c, void *data)
{
	struct csv_reader *r = data;

	(void)c;
	r->row_done = 1;
}

/*
 * Hand n bytes of the current record to libcsv, then check the field it
 * is still building against the limits.
 */
static void feed(struct csv_reader *r, const unsigned char *s, size_t n)
{
	struct csv_parser *p = &r->csv;
	size_t open;

	if (csv_parse(p, s, n, on_field, on_row, r) < n) {
		r->fail = csv_error(p) == CSV_EPARSE ? FAIL_QUOTING
						     : FAIL_NOMEM;
		return;
	}
	if (r->fail || p->entry_pos == 0)
		return;
	/*
	 * entry_pos (a public member of struct csv_parser) is the length of
	 * the field so far; a quoted one holds its closing quote until the
	 * next byte shows whether it is the end or half of a "".
	 */
	open = p->entry_pos - 1;
	if (open > r->lim.max_field)
		r->fail = FAIL_FIELD;
	else if (open > r->lim.max_record - r->row.bytes)
		r->fail = FAIL_RECORD;
}

/*
 * Read the next block into r->in.  The first one loses a UTF-8 byte
 * order mark.  Returns 1 with data, 0 at the end, or CD_ERR_IO.
 */
static int fill(struct csv_reader *r, struct cd_error *err)
{
	size_t n;

	r->inpos = 0;
	r->inlen = 0;
	if (r->eof)
		return 0;
	do {
		n = fread(r->in + r->inlen, 1, IN_BLOCK - r->inlen, r->fp);
		r->inlen += n;
	} while (!r->started && n && r->inlen < 3);
	if (r->inlen < IN_BLOCK && ferror(r->fp)) {
		r->eof = 1;
		r->inlen = 0;
		return cd_error_set(err, CD_ERR_IO, 0, "%s: read error: %s",
				    r->name, strerror(errno));
	}
	if (!r->started) {
		r->started = 1;
		if (r->inlen >= 3 && !memcmp(r->in, "\xEF\xBB\xBF", 3))
			r->inpos = 3;
	}
	if (r->inpos < r->inlen)
		return 1;
	if (!n || feof(r->fp)) {
		r->eof = 1;
		return 0;
	}
	return fill(r, err);	/* the block was just the byte order mark */
}

/*
 * Scan the buffered input from inpos through the end of the record or of
 * the buffer, counting lines.  Returns 1 when the record's line end (CR
 * or LF outside quotes) was consumed.
 */
static int scan(struct csv_reader *r)
{
	const unsigned char *p = r->in + r->inpos;
	const unsigned char *end = r->in + r->inlen;
	const unsigned char *q, *nl;
	enum scan_state st = r->st;
	long line = r->line;
	int ended = 0;
	const unsigned char d = r->delim;
	unsigned char c;

	while (p < end) {
		/*
		 * Inside quotes only a quote ends the run (memchr is fast
		 * on long comments), unquoted only the four special bytes.
		 */
		if (st == SC_QUOTED) {
			q = memchr(p, '"', (size_t)(end - p));
			if (!q)
				q = end;
			while ((nl = memchr(p, '\n', (size_t)(q - p)))) {
				line++;
				p = nl + 1;
			}
			p = q;
		} else if (st == SC_PLAIN) {
			while (p < end && !r->special[*p])
				p++;
		}
		if (p == end)
			break;
		c = *p++;
		if (c == '\n')
			line++;
		switch (st) {
		case SC_FIELD:
			if (c == '"') {
				st = SC_QUOTED;
				r->qline = line;
			} else if (c == '\n' || c == '\r') {
				ended = 1;
			} else if (c != d) {
				st = SC_PLAIN;
			}
			break;
		case SC_PLAIN:
			if (c == d)
				st = SC_FIELD;
			else if (c == '\n' || c == '\r')
				ended = 1;
			break;
		case SC_QUOTED:
			if (c == '"')
				st = SC_QUOTE;
			break;
		case SC_QUOTE:
			if (c == '"')
				st = SC_QUOTED;
			else if (c == d)
				st = SC_FIELD;
			else if (c == '\n' || c == '\r')
				ended = 1;
			else
				st = SC_PLAIN;	/* malformed: "a"b */
			break;
		}
		if (ended)
			break;
	}
	r->inpos = (size_t)(p - r->in);
	r->st = st;
	r->line = line;
	return ended;
}

/* The message for r->fail, about the record r->row.line starts. */
static int report(const struct csv_reader *r, struct cd_error *err)
{
	long ln = r->row.line;

	switch (r->fail) {
	case FAIL_NONE:
		break;
	case FAIL_QUOTING:
		return cd_error_set(err, CD_ERR_DATA, ln,
				    "%s:%ld: malformed quoting", r->name, ln);
	case FAIL_UNTERMINATED:
		return cd_error_set(err, CD_ERR_DATA, ln,
				    "%s:%ld: unterminated quoted field "
				    "starting at line %ld", r->name, ln,
				    r->qline);
	case FAIL_FIELD:
		return cd_error_set(err, CD_ERR_LIMIT, ln,
				    "%s:%ld: field longer than %zu bytes",
				    r->name, ln, r->lim.max_field);
	case FAIL_RECORD:
		return cd_error_set(err, CD_ERR_LIMIT, ln,
				    "%s:%ld: record longer than %zu bytes",
				    r->name, ln, r->lim.max_record);
	case FAIL_FIELDS:
		return cd_error_set(err, CD_ERR_LIMIT, ln,
				    "%s:%ld: more than %zu fields", r->name,
				    ln, r->lim.max_fields);
	case FAIL_NOMEM:
		return cd_error_set(err, CD_ERR_NOMEM, ln,
				    "%s:%ld: out of memory", r->name, ln);
	}
	return 0;
}

/* Close the record the scanner ended: 1 with r->row, or its error. */
static int finish(struct csv_reader *r, struct cd_error *err)
{
	/* libcsv and the scanner disagree: cannot happen, but never a row */
	if (!r->fail && !r->row_done)
		r->fail = FAIL_QUOTING;
	if (!r->fail)
		return 1;
	parser_reset(r);
	return report(r, err);
}

/* The input ended inside a record that has no line end. */
static int finish_at_end(struct csv_reader *r, struct cd_error *err)
{
	if (!r->fail) {
		if (r->st == SC_QUOTED)
			r->fail = FAIL_UNTERMINATED;
		else if (csv_fini(&r->csv, on_field, on_row, r))
			r->fail = FAIL_UNTERMINATED;
	}
	return finish(r, err);
}

/*
 * Most records are one line: plain fields and quoted ones ("a, b", "say
 * ""hi""") with no line break inside, and no CR but the one of a CRLF.
 * When the whole line is in the buffer, split it here, through the same
 * field callback and limits as libcsv, and return 1.  0 leaves the record
 * to libcsv (a quoted line break, a lone CR, anything malformed, a record
 * across the end of the buffer, over SPLIT_FIELDS fields), whose
 * byte-by-byte state machine was a tenth of batch's time.  The line is
 * checked whole before the first field is handed over, so libcsv can
 * still take it from the start.
 */
#define SPLIT_FIELDS 64

static int split_line(struct csv_reader *r)
{
	struct {
		unsigned char *p;
		size_t n;
		int escaped;            /* holds "" pairs */
	} sp[SPLIT_FIELDS];
	unsigned char *b = r->in + r->inpos, *p = b, *q, *nl, *end;
	size_t n, i, j, k, nsp = 0;
	int crlf;

	nl = memchr(b, '\n', r->inlen - r->inpos);
	if (!nl)
		return 0;
	crlf = nl > b && nl[-1] == '\r';
	end = crlf ? nl - 1 : nl;               /* the fields end here */
	if (memchr(b, '\r', (size_t)(end - b)))
		return 0;
	for (;;) {                              /* p: the start of a field */
		if (nsp == SPLIT_FIELDS)
			return 0;
		if (p < end && *p == '"') {
			sp[nsp].p = ++p;
			sp[nsp].escaped = 0;
			for (;;) {
				q = memchr(p, '"', (size_t)(end - p));
				if (!q)
					return 0;       /* a line break inside */
				if (q + 1 < end && q[1] == '"') {
					sp[nsp].escaped = 1;
					p = q + 2;
					continue;
				}
				break;
			}
			sp[nsp].n = (size_t)(q - sp[nsp].p);
			p = q + 1;
			if (p < end && *p != r->delim)
				return 0;       /* malformed: libcsv says so */
		} else {
			q = memchr(p, r->delim, (size_t)(end - p));
			if (!q)
				q = end;
			if (memchr(p, '"', (size_t)(q - p)))
				return 0;       /* a quote in a plain field */
			sp[nsp].p = p;
			sp[nsp].n = (size_t)(q - p);
			sp[nsp].escaped = 0;
			p = q;
		}
		nsp++;
		if (p == end)
			break;
		p++;                            /* the separator */
	}
	/*
	 * As the scanner does: a record ends at its CR or LF, and the LF of
	 * a CRLF is left for the next call, which counts the line.
	 */
	n = (size_t)(end - b) + 1;
	if (cd_buf_add(&r->raw, b, n))
		r->raw_over = 1;
	for (i = 0; i < nsp; i++) {
		if (sp[i].escaped) {            /* "" -> ", in place */
			for (j = k = 0; j < sp[i].n; j++, k++) {
				sp[i].p[k] = sp[i].p[j];
				if (sp[i].p[j] == '"')
					j++;
			}
			sp[i].n = k;
		}
		on_field(sp[i].p, sp[i].n, r);
	}
	r->row_done = 1;
	r->inpos += n;
	if (!crlf)
		r->line++;
	return 1;
}

/*
 * Read one record into r->row: 1, 0 at the end of input, or a negative
 * status once the bad record has been skipped.
 */
static int read_record(struct csv_reader *r, struct cd_error *err)
{
	size_t start;
	int rc;

	/* Line ends between records: blank lines, the LF of a CRLF. */
	for (;;) {
		if (r->inpos == r->inlen) {
			rc = fill(r, err);
			if (rc <= 0)
				return rc;
		}
		if (r->in[r->inpos] == '\n')
			r->line++;
		else if (r->in[r->inpos] != '\r')
			break;
		r->inpos++;
	}
	row_reset(&r->row, r->line);
	cd_buf_reset(&r->raw);
	r->raw_over = 0;
	r->st = SC_FIELD;
	r->fail = FAIL_NONE;
	r->row_done = 0;
	r->nread++;
	if (split_line(r))
		return finish(r, err);
	for (;;) {
		if (r->inpos == r->inlen) {
			rc = fill(r, err);
			if (rc < 0) {
				parser_reset(r);
				return rc;
			}
			if (rc == 0)
				return finish_at_end(r, err);
		}
		start = r->inpos;
		rc = scan(r);
		if (!r->raw_over &&
		    cd_buf_add(&r->raw, r->in + start, r->inpos - start))
			r->raw_over = 1;
		if (!r->fail)
			feed(r, r->in + start, r->inpos - start);
		if (rc)
			return finish(r, err);
	}
}

struct csv_reader *csvr_new(FILE *fp, const char *name,
			    const struct csvr_limits *lim,
			    struct cd_error *err)
{
	struct csv_reader *r;
	const char *shown;
	size_t n;

	if (!fp) {
		cd_error_set(err, CD_ERR_USAGE, 0, "csvr_new: no input stream");
		return NULL;
	}
	if (!name)
		shown = "<input>";
	else if (!strcmp(name, "-"))
		shown = "<stdin>";
	else
		shown = name;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto nomem;
	n = strlen(shown) + 1;
	r->name = malloc(n);
	r->in = malloc(IN_BLOCK);
	if (!r->name || !r->in)
		goto nomem;
	memcpy(r->name, shown, n);
	r->fp = fp;
	r->lim.max_field = lim && lim->max_field ? lim->max_field
						 : CSVR_MAX_FIELD;
	r->lim.max_record = lim && lim->max_record ? lim->max_record
						   : CSVR_MAX_RECORD;
	r->lim.max_fields = lim && lim->max_fields ? lim->max_fields
						   : CSVR_MAX_FIELDS;
	parser_setup(&r->csv, ',');
	set_delim(r, ',');
	r->detect = 1;
	r->line = 1;
	n = add_sat(r->lim.max_record, r->lim.max_fields);
	row_init(&r->row, n);
	row_init(&r->head, n);
	cd_buf_init(&r->raw, r->lim.max_record);
	return r;
nomem:
	if (r) {
		free(r->name);
		free(r->in);
		free(r);
	}
	cd_error_set(err, CD_ERR_NOMEM, 0, "%s: out of memory", shown);
	return NULL;
}

void csvr_free(struct csv_reader *r)
{
	if (!r)
		return;
	csv_free(&r->csv);
	row_release(&r->row);
	row_release(&r->head);
	cd_buf_release(&r->raw);
	free(r->in);
	free(r->name);
	free(r);
}

int csvr_next(struct csv_reader *r, struct csv_row **row,
	      struct cd_error *err)
{
	int rc;

	if (row)
		*row = NULL;
	if (!r || !row)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "csvr_next: no reader or row");
	rc = read_record(r, err);
	if (rc <= 0)
		return rc;
	if (r->have_head && r->row.nfields != r->head.nfields)
		return cd_error_set(err, CD_ERR_DATA, r->row.line,
				    "%s:%ld: %zu field%s, the header has %zu",
				    r->name, r->row.line, r->row.nfields,
				    r->row.nfields == 1 ? "" : "s",
				    r->head.nfields);
	*row = &r->row;
	return 1;
}

size_t csvr_nfields(const struct csv_row *row)
{
	return row ? row->nfields : 0;
}

const char *csvr_field(const struct csv_row *row, size_t i, size_t *len)
{
	if (!row || i >= row->nfields) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = row->fields[i].len;
	return row->text.data + row->fields[i].off;
}

long csvr_row_line(const struct csv_row *row)
{
	return row ? row->line : 0;
}

/*
 * Choose the separator from the first line in the buffer: whichever of
 * ',' ';' and TAB stands most often outside quotes (',' on a tie or when
 * none does: a one-column file).  Excel in Russian and German locales
 * writes ';', other tools TAB.
 */
static int detect_delim(struct csv_reader *r, struct cd_error *err)
{
	static const unsigned char cand[] = { ',', ';', '\t' };
	size_t count[3] = { 0, 0, 0 }, i, best = 0;
	const unsigned char *p, *end;
	int rc, quoted = 0;

	if (r->inpos >= r->inlen) {
		rc = fill(r, err);
		if (rc <= 0) {
			set_delim(r, ',');
			return rc;
		}
	}
	p = r->in + r->inpos;
	end = r->in + r->inlen;
	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted)
			for (i = 0; i < 3; i++)
				count[i] += *p == cand[i];
	}
	for (i = 1; i < 3; i++)
		if (count[i] > count[best])
			best = i;
	set_delim(r, cand[best]);
	return 0;
}

int csvr_set_delimiter(struct csv_reader *r, int delim)
{
	if (!r || r->nread || r->have_head ||
	    (delim && delim != ',' && delim != ';' && delim != '\t'))
		return CD_ERR_USAGE;
	r->detect = !delim;
	set_delim(r, delim ? (unsigned char)delim : ',');
	return 0;
}

int csvr_delimiter(const struct csv_reader *r)
{
	return r ? r->delim : ',';
}

int csvr_header(struct csv_reader *r, struct cd_error *err)
{
	struct csv_row tmp;
	int rc;

	if (!r)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "csvr_header: no reader");
	if (r->nread || r->have_head)
		return cd_error_set(err, CD_ERR_USAGE, 0,
				    "%s: the header must be read before "
				    "any row",
				    r->name);
	if (r->detect) {
		rc = detect_delim(r, err);
		if (rc < 0)
			return rc;
	}
	rc = read_record(r, err);
	if (rc == 0)
		return cd_error_set(err, CD_ERR_DATA, 0,
				    "%s: empty input, expected a header row",
				    r->name);
	if (rc < 0)
		return rc;
	tmp = r->head;
	r->head = r->row;
	r->row = tmp;
	r->have_head = 1;
	return 0;
}

long csvr_column(const struct csv_reader *r, const char *name)
{
	const char *want, *have;
	size_t wlen, hlen, i, k;

	if (!r || !name || !r->have_head)
		return -1;
	want = name;
	wlen = strlen(name);
	text_trim_span(&want, &wlen);
	for (i = 0; i < r->head.nfields; i++) {
		have = csvr_field(&r->head, i, &hlen);
		text_trim_span(&have, &hlen);
		if (hlen != wlen)
			continue;
		for (k = 0; k < wlen; k++)
			if (text_lower((unsigned char)have[k]) !=
			    text_lower((unsigned char)want[k]))
				break;
		if (k == wlen)
			return (long)i;
	}
	return -1;
}

long csvr_column_any(const struct csv_reader *r, const char *const *names)
{
	long i;

	if (!names)
		return -1;
	for (; *names; names++) {
		i = csvr_column(r, *names);
		if (i >= 0)
			return i;
	}
	return -1;
}

size_t csvr_ncolumns(const struct csv_reader *r)
{
	return r && r->have_head ? r->head.nfields : 0;
}

const char *csvr_column_name(const struct csv_reader *r, size_t i)
{
	if (!r || !r->have_head)
		return NULL;
	return csvr_field(&r->head, i, NULL);
}

/* Whether a field must be quoted to read back as itself. */
/*
 * Whether s[0..len) must be quoted; *dq is set to the first '"' (NULL when
 * there is none).  memchr scans many bytes a step, and most fields hold
 * none of these.
 */
static int needs_quotes(const char *s, size_t len, int first, char sep,
			const char **dq)
{
	size_t i;
	int special = 0;

	if (len <= 32) {        /* short fields: one pass beats four calls */
		*dq = NULL;
		for (i = 0; i < len; i++) {
			char c = s[i];

			if (c == '"' && !*dq)
				*dq = s + i;
			special |= c == sep || c == '"' || c == '\n' ||
				   c == '\r';
		}
		if (!len)
			return first;
		return special || s[0] == ' ' || s[0] == '\t' ||
		       s[len - 1] == ' ' || s[len - 1] == '\t';
	}
	*dq = memchr(s, '"', len);
	if (*dq || s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
	    s[len - 1] == '\t')
		return 1;
	return memchr(s, sep, len) || memchr(s, '\n', len) ||
	       memchr(s, '\r', len);
}

int csvw_field(struct cd_buf *out, const char *s, size_t len, int first)
{
	return csvw_field_sep(out, s, len, first, ',');
}

int csvw_field_sep(struct cd_buf *out, const char *s, size_t len, int first,
		   char sep)
{
	size_t need, i, head;
	const char *dq;
	char *d;
	int quote, rc;

	if (!out || (!s && len))
		return CD_ERR_USAGE;
	quote = needs_quotes(s, len, first, sep, &dq);
	need = len + (first ? 0 : 1);
	head = dq ? (size_t)(dq - s) : len;     /* bytes before the first '"' */
	if (quote) {
		if (len > (SIZE_MAX - 3) / 2)
			return CD_ERR_LIMIT;
		need += 2;
		for (i = head; i < len; i++)
			if (s[i] == '"')
				need++;
	}
	rc = cd_buf_grow(out, need);
	if (rc)
		return rc;
	d = out->data + out->len;
	if (!first)
		*d++ = sep;
	if (!quote) {
		if (len)
			memcpy(d, s, len);
	} else {
		*d++ = '"';
		if (head)
			memcpy(d, s, head);
		d += head;
		for (i = head; i < len; i++) {
			if (s[i] == '"')
				*d++ = '"';
			*d++ = s[i];
		}
		*d = '"';
	}
	out->len += need;
	out->data[out->len] = '\0';
	return 0;
}

int csvw_end(struct cd_buf *out)
{
	if (!out)
		return CD_ERR_USAGE;
	return cd_buf_addch(out, '\n');
}

const char *csvr_raw(const struct csv_reader *r, size_t *len)
{
	size_t n = r->raw.len;

	if (r->raw_over || !r->raw.data)
		return NULL;
	/* a record's raw bytes end at its CR or LF (a CRLF's LF is left
	 * for the next record): drop only a LF, so a CRLF row keeps its CR */
	if (n && r->raw.data[n - 1] == '\n')
		n--;
	*len = n;
	return r->raw.data;
}

/* A plain column name: letters, digits, '_', '.', '-', maybe quoted. */
static int column_name(const char *s, size_t n)
{
	size_t i;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (!n || n > CSV_SNIFF_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '.' || ch == '-'))
			return 0;
	}
	return 1;
}

static int named(const char *s, size_t n, const char *const *names)
{
	size_t i;

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncasecmp(names[i], s, n))
			return 1;
	return 0;
}

int csv_sniff_header(const char *s, size_t n, const char *const *names)
{
	static const char seps[] = ",;\t";
	size_t cnt[3] = { 0, 0, 0 }, i, start = 0;
	int k, best = 0, text = 0;
	char sep;

	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		s += 3;
		n -= 3;
	}
	for (i = 0; i < n && s[i] != '\n'; i++)
		for (k = 0; k < 3; k++)
			cnt[k] += s[i] == seps[k];
	n = i;
	if (n && s[n - 1] == '\r')
		n--;
	for (k = 1; k < 3; k++)
		if (cnt[k] > cnt[best])
			best = k;
	if (!cnt[best])
		return 0;
	sep = seps[best];
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != sep)
			continue;
		if (!column_name(s + start, i - start))
			return 0;
		text |= named(s + start, i - start, names);
		start = i + 1;
	}
	return text;
}

/*
 * csvio.h - streaming RFC 4180 CSV: a record reader on top of libcsv and a
 * field writer.
 *
 * The reader takes one record at a time from a FILE, in constant memory:
 * input is read in 64 KiB blocks, a field or record over its limit is
 * skipped without being held in memory, and a bad record (malformed
 * quoting, a limit, a field count that does not match the header) is
 * reported with the line it starts on and then skipped, so a stream can
 * report a bad row and go on with the next one.
 *
 * The dialect is RFC 4180 with the usual tolerances:
 *   - the separator is ',' ';' or TAB: by default csvr_header() takes
 *     whichever stands most often outside quotes in the header line (','
 *     on a tie), as spreadsheets in some locales write ';'; rows without a
 *     header read with ',' unless csvr_set_delimiter() says otherwise;
 *   - records end with LF, CRLF or a bare CR; the last one may lack it;
 *   - a UTF-8 byte order mark at the start of the input is dropped;
 *   - empty lines between records are skipped (a line holding only spaces
 *     is a record with one field, as spaces are data);
 *   - spaces are part of a field, never trimmed, and a quoted field must
 *     start right after the comma and end right before the next comma or
 *     line end: `a, "b"` is malformed quoting;
 *   - a quoted field may span lines and holds its line breaks verbatim
 *     (CRLF stays CRLF);
 *   - bytes are not interpreted: UTF-8 validity and NUL bytes are the
 *     caller's business (a field's length is exact even if it holds NUL).
 * Line numbers count LF bytes, so they match what editors and `sed -n`
 * show for LF and CRLF files (a file with bare CR line ends is all line 1).
 *
 * The writer quotes only where needed and ends records with a single LF
 * (not RFC 4180's CRLF): Unix tools and the reader above take either.
 *
 * Ownership: the reader does not own the FILE (the caller closes it after
 * csvr_free).  Every row and every string the reader hands out belongs to
 * the reader: a row and its fields stay valid until the next csvr_next()
 * or csvr_free(), header names until csvr_free().
 */
#ifndef CANDOR_CSVIO_H
#define CANDOR_CSVIO_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "error.h"

/* Defaults for a zero member of struct csvr_limits. */
#define CSVR_MAX_FIELD  ((size_t)1 << 20)	/* 1 MiB */
#define CSVR_MAX_RECORD ((size_t)4 << 20)	/* 4 MiB */
#define CSVR_MAX_FIELDS ((size_t)1024)

/*
 * Caps on what one record may hold; 0 means the default above.
 * max_field: bytes in one field, after unquoting.
 * max_record: bytes in all fields of a record together, after unquoting
 *   (commas, quotes and the line end are not counted).
 * max_fields: fields in a record.
 * Whatever the input, a reader holds at most about max_record + max_field
 * bytes plus a few hundred KiB (and the header).
 */
struct csvr_limits {
	size_t max_field;
	size_t max_record;
	size_t max_fields;
};

struct csv_reader;
struct csv_row;

/*
 * Start reading CSV from fp.  name is what messages call the input ("-"
 * shows as "<stdin>", NULL as "<input>"); it is copied.  lim may be NULL
 * for the defaults.  Nothing is read yet; later reads take 64 KiB blocks
 * with fread(), so from a pipe records arrive a block at a time, not a
 * line at a time.  Returns NULL with err filled
 * (CD_ERR_USAGE, CD_ERR_NOMEM) on failure; free with csvr_free().
 */
struct csv_reader *csvr_new(FILE *fp, const char *name,
			    const struct csvr_limits *lim,
			    struct cd_error *err);

/* Free the reader, its rows and its header (NULL is fine); fp stays open. */
void csvr_free(struct csv_reader *r);

/*
 * Read the next record.  Returns 1 and sets *row, 0 at the end of input
 * (and on every later call), or a negative status with *row NULL:
 *   CD_ERR_DATA   "<name>:<line>: malformed quoting" (a quote inside an
 *                 unquoted field, or anything but a comma or line end
 *                 after a closing quote),
 *                 "<name>:<line>: unterminated quoted field starting at
 *                 line N" (input ends inside quotes),
 *                 "<name>:<line>: N fields, the header has M" ("1 field"
 *                 for one; only after csvr_header);
 *   CD_ERR_LIMIT  "<name>:<line>: field longer than N bytes",
 *                 "<name>:<line>: record longer than N bytes",
 *                 "<name>:<line>: more than N fields";
 *   CD_ERR_NOMEM  "<name>:<line>: out of memory";
 *   CD_ERR_IO     "<name>: read error: <reason>".
 * <line> (also in err->line) is the line the record starts on.  After a
 * bad record the reader has already skipped it: the next call returns the
 * record after it.  After CD_ERR_IO the reader is at its end.
 */
int csvr_next(struct csv_reader *r, struct csv_row **row,
	      struct cd_error *err);

/* Number of fields in row (at least 1). */
size_t csvr_nfields(const struct csv_row *row);

/*
 * Field i of row, NUL-terminated, its length in *len (len may be NULL).
 * NULL (and *len 0) when i is out of range.
 */
const char *csvr_field(const struct csv_row *row, size_t i, size_t *len);

/* The line row starts on, 1-based. */
long csvr_row_line(const struct csv_row *row);

/*
 * Read the first record as the header.  Must come before any csvr_next
 * (CD_ERR_USAGE otherwise).  Returns 0, CD_ERR_DATA "<name>: empty input,
 * expected a header row" when the input holds no record, or the status
 * csvr_next would give for a bad first record (there is then no header).
 * Once there is a header, csvr_next rejects rows with another field count.
 */
int csvr_header(struct csv_reader *r, struct cd_error *err);

/*
 * Index of the header column called name, or -1 (also when there is no
 * header).  Both sides are compared with spaces around them ignored and
 * ASCII letters case-insensitive; the first such column wins.
 */
long csvr_column(const struct csv_reader *r, const char *name);

/*
 * Like csvr_column for a NULL-terminated list of aliases, tried in order:
 * the index of the column matching the first alias that has one, or -1.
 */
long csvr_column_any(const struct csv_reader *r, const char *const *names);

/*
 * The bytes of the record csvr_next() last read or rejected, as they stand
 * in the input without its LF (the CR of a CRLF or a bare CR is kept, so
 * that writing them and a LF gives back a CRLF row byte for byte), so a
 * bad row can be kept verbatim
 * (--errors).  NULL when the record was longer than max_record.  Valid
 * until the next csvr_next().
 */
const char *csvr_raw(const struct csv_reader *r, size_t *len);

/*
 * Set the separator (',' ';' or '\t'), or 0 to detect it from the header
 * line (the default).  Before any read; CD_ERR_USAGE otherwise or for
 * another byte.
 */
int csvr_set_delimiter(struct csv_reader *r, int delim);
/* The separator in use (after csvr_header when it was detected). */
int csvr_delimiter(const struct csv_reader *r);

/* Number of header columns, 0 before csvr_header succeeded. */
size_t csvr_ncolumns(const struct csv_reader *r);

/* Header column i as written in the input, or NULL when out of range. */
const char *csvr_column_name(const struct csv_reader *r, size_t i);

/*
 * Append one field to out: a comma first unless first is set, then s (len
 * bytes; s may be NULL when len is 0).  The field is quoted, with quotes
 * doubled, when it holds a comma, quote, CR or LF or starts or ends with a
 * space or tab; an empty first field is written as "" so that a record
 * never shows as a blank line (which readers skip).  Returns 0, or
 * CD_ERR_LIMIT / CD_ERR_NOMEM from out, which is then unchanged.
 */
int csvw_field(struct cd_buf *out, const char *s, size_t len, int first);

/* csvw_field with another separator (';' or '\t') in place of ','. */
int csvw_field_sep(struct cd_buf *out, const char *s, size_t len, int first,
		   char sep);

/* End a record: append "\n" (LF, never CRLF).  0 or a cd_buf status. */
int csvw_end(struct cd_buf *out);

#define CSV_SNIFF_NAME_MAX 64           /* bytes: a longer field is no name */

/*
 * Does the first line of s (up to the first LF, or all n bytes) read as a
 * CSV header, for an input whose name does not say it is CSV?  1 when it
 * has two or more fields split by the separator standing most often
 * (',' on a tie, then ';', then TAB), each a plain column name (ASCII
 * letters, digits, '_', '.', '-' or bytes >= 0x80, at most
 * CSV_SNIFF_NAME_MAX, optionally in double quotes; no spaces), one of
 * them in names (NULL-terminated, ASCII case-insensitive): "id,text" is a
 * header, "Comment, please" or a sentence or "{...}" is not.  A UTF-8
 * byte order mark and a CR before the LF are passed over.
 */
int csv_sniff_header(const char *s, size_t n, const char *const *names);

#endif

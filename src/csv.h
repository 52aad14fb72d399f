/*
 * csv.h: an RFC 4180 CSV reader over a buffer in memory, and the writing of
 * one field.
 *
 * Fields are separated by commas; a field in double quotes may hold commas,
 * line breaks and doubled quotes ("").  Records end at LF or CRLF.  Each record
 * reports the line on which it starts (1-based), so errors can name it.
 * Not thread-safe per reader; the buffer must outlive the reader.
 */
#ifndef TM_CSV_H
#define TM_CSV_H
#include <stddef.h>

typedef struct csv_reader csv_reader;
struct sbuf; /* sbuf.h */

typedef struct csv_record {
    char **fields;   /* NUL-terminated copies, owned by the reader until the next call */
    size_t n;
    size_t line;     /* line where the record starts */
} csv_record;

/* A reader over data[0..len); a leading UTF-8 byte-order mark is skipped. */
csv_reader *csv_reader_new(const char *data, size_t len, size_t max_fields, size_t max_record_bytes);
void csv_reader_free(csv_reader *r);

/*
 * Reads the next record into *rec.  Returns 1 for a record, 0 at the end, -1
 * on a malformed record (unterminated quote, text after a closing quote, too
 * many fields, too long): *rec->line names its line, msg says why, and the
 * reader has skipped to the next line so reading can go on.
 */
int csv_next(csv_reader *r, csv_record *rec, char *msg, size_t msglen);

/*
 * Appends s (NULL = empty) to b as one field: quoted when it holds a comma,
 * quote or line break; and, since exports are opened in spreadsheets, text
 * starting with = + - @, a tab or a carriage return (OWASP's triggers) gets a
 * leading ' so it is never run as a formula.
 */
void csv_write_field(struct sbuf *b, const char *s);

#endif

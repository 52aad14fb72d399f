/* csv.c: a small state machine over the buffer; fields are copied into a reused arena. */
#include "csv.h"
#include "mem.h"
#include "messages.h"
#include "sbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
    const char *data;
    size_t len, pos;
    size_t line;            /* line of data[pos] */
    size_t max_fields, max_bytes;
    sbuf field;
    char **fields;
    size_t nfields;
};

csv_reader *csv_reader_new(const char *data, size_t len, size_t max_fields, size_t max_record_bytes)
{
    csv_reader *r = xcalloc(1, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    r->max_fields = max_fields;
    r->max_bytes = max_record_bytes;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    sbuf_init(&r->field);
    r->fields = xcalloc(max_fields, sizeof *r->fields);
    return r;
}

static void drop_fields(csv_reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    r->nfields = 0;
}

void csv_reader_free(csv_reader *r)
{
    if (r == NULL)
        return;
    drop_fields(r);
    free(r->fields);
    sbuf_cleanup(&r->field);
    free(r);
}

/* Skips to just after the next line break (error recovery). */
static void skip_line(csv_reader *r)
{
    while (r->pos < r->len && r->data[r->pos] != '\n')
        r->pos++;
    if (r->pos < r->len) {
        r->pos++;
        r->line++;
    }
}

/* Reports a malformed record; skip says whether the rest of its line must be skipped. */
static int fail(csv_reader *r, char *msg, size_t msglen, const char *why, int skip)
{
    snprintf(msg, msglen, "%s", why);
    drop_fields(r);
    if (skip)
        skip_line(r);
    return -1;
}

static int push_field(csv_reader *r)
{
    if (r->nfields == r->max_fields)
        return 0;
    r->fields[r->nfields++] = sbuf_take(&r->field);
    return 1;
}

int csv_next(csv_reader *r, csv_record *rec, char *msg, size_t msglen)
{
    size_t start = r->pos;
    int quoted = 0, after_quote = 0;

    drop_fields(r);
    sbuf_reset(&r->field);
    rec->line = r->line;
    if (r->pos >= r->len)
        return 0;
    for (;;) {
        if (r->pos - start > r->max_bytes)
            return fail(r, msg, msglen, N_("the record is too long"), 1);
        if (r->pos >= r->len) {
            if (quoted)
                return fail(r, msg, msglen, N_("a quoted field is not closed"), 0);
            break;
        }
        char c = r->data[r->pos++];
        if (c == '\0')
            return fail(r, msg, msglen, N_("the record contains a NUL byte"), 1);
        if (quoted) {
            if (c == '"') {
                if (r->pos < r->len && r->data[r->pos] == '"') {
                    sbuf_addc(&r->field, '"');
                    r->pos++;
                } else {
                    quoted = 0;
                    after_quote = 1;
                }
            } else {
                if (c == '\n')
                    r->line++;
                sbuf_addc(&r->field, c);
            }
            continue;
        }
        if (c == ',') {
            if (!push_field(r))
                return fail(r, msg, msglen, N_("the record has too many fields"), 1);
            after_quote = 0;
            continue;
        }
        if (c == '\n' || (c == '\r' && r->pos < r->len && r->data[r->pos] == '\n')) {
            if (c == '\r')
                r->pos++;
            r->line++;
            break;
        }
        if (after_quote)
            return fail(r, msg, msglen, N_("text follows a closing quote"), 1);
        if (c == '"' && r->field.len == 0) {
            quoted = 1;
            continue;
        }
        sbuf_addc(&r->field, c);
    }
    if (!push_field(r))
        return fail(r, msg, msglen, N_("the record has too many fields"), 0); /* its line is already read */
    rec->fields = r->fields;
    rec->n = r->nfields;
    return 1;
}

void csv_write_field(sbuf *b, const char *s)
{
    if (s == NULL)
        return;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        sbuf_addc(b, '"');
    /* OWASP's CSV injection triggers: a tab or carriage return before = is run too. */
    if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
        sbuf_addc(b, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sbuf_addc(b, '"');
        sbuf_addc(b, *p);
    }
    if (quote)
        sbuf_addc(b, '"');
}

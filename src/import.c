/*
 * import.c: turns each CSV record or JSONL line into a JSON object, validates
 * it as a listing, then hands the valid ones to the store in one batch.
 */
#include "import.h"
#include "csv.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct batch {
    listing **rows;      /* valid rows, in file order */
    size_t *row_line;    /* their line numbers */
    size_t n;
    cJSON *report_rows;  /* every row's outcome, in file order */
    size_t failed;
    size_t seen;
} batch;

static void batch_cleanup(batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        listing_free(b->rows[i]);
    free(b->rows);
    free(b->row_line);
    cJSON_Delete(b->report_rows);
}

static void report_invalid(batch *b, size_t line, const char *ref, cJSON *errors)
{
    cJSON *row = cJSON_CreateObject();
    json_add_int(row, "line", (int64_t)line);
    cJSON_AddStringToObject(row, "status", "invalid");
    if (ref)
        cJSON_AddStringToObject(row, "ref", ref);
    cJSON_AddItemToObject(row, "errors", errors);
    cJSON_AddItemToArray(b->report_rows, row);
    b->failed++;
}

/* Validates one row object; keeps it or reports it.  Takes obj. */
static void take_row(batch *b, listing_kind kind, const taxonomy *tax, size_t line, cJSON *obj)
{
    listing *l = listing_new(kind);
    cJSON *errors = cJSON_CreateArray();
    if (listing_apply_json(l, obj, tax, errors) > 0) {
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(obj, "ref");
        report_invalid(b, line, cJSON_IsString(ref) ? ref->valuestring : NULL, errors);
        listing_free(l);
    } else {
        cJSON_Delete(errors);
        b->rows = xrealloc(b->rows, (b->n + 1) * sizeof *b->rows);
        b->row_line = xrealloc(b->row_line, (b->n + 1) * sizeof *b->row_line);
        b->rows[b->n] = l;
        b->row_line[b->n] = line;
        b->n++;
        /* A placeholder keeps file order; filled in after the store answers. */
        cJSON *row = cJSON_CreateObject();
        json_add_int(row, "line", (int64_t)line);
        cJSON_AddItemToArray(b->report_rows, row);
    }
    cJSON_Delete(obj);
}

/* Converts one CSV cell to the JSON value its member expects. */
static cJSON *cell_value(listing_member_type type, const char *cell)
{
    if (type == MEMBER_INT) {
        char *end = NULL;
        long long v = strtoll(cell, &end, 10);
        if (end != cell && *end == '\0')
            return cJSON_CreateNumber((double)v);
        return cJSON_CreateString(cell); /* validation names the problem */
    }
    if (type == MEMBER_LIST) {
        cJSON *a = cJSON_CreateArray();
        const char *p = cell;
        while (*p) {
            const char *sep = p;
            size_t skip = 0;
            while (*sep) {
                if (*sep == ';') {
                    skip = 1;
                    break;
                }
                if ((unsigned char)sep[0] == 0xEF && (unsigned char)sep[1] == 0xBC &&
                    (unsigned char)sep[2] == 0x9B) { /* full-width semicolon */
                    skip = 3;
                    break;
                }
                sep++;
            }
            char *item = xstrndup(p, (size_t)(sep - p));
            char *b = item, *e = item + strlen(item);
            while (*b == ' ')
                b++;
            while (e > b && e[-1] == ' ')
                *--e = '\0';
            if (*b)
                cJSON_AddItemToArray(a, cJSON_CreateString(b));
            free(item);
            p = *sep ? sep + skip : sep;
        }
        return a;
    }
    return cJSON_CreateString(cell);
}

static int parse_csv(batch *b, listing_kind kind, const taxonomy *tax, const char *data, size_t len,
                     cJSON *file_errors)
{
    csv_reader *rd = csv_reader_new(data, len, LIM_CSV_COLUMNS, LIM_IMPORT_LINE);
    csv_record rec;
    char msg[160];
    char **header = NULL;
    listing_member_type *types = NULL;
    size_t ncols = 0;
    int rc = csv_next(rd, &rec, msg, sizeof msg);

    if (rc <= 0) {
        json_error_add(file_errors, "line 1", "%s", rc < 0 ? msg : "the file is empty; a header row was expected");
        csv_reader_free(rd);
        return TM_ERR_INVALID;
    }
    ncols = rec.n;
    header = xcalloc(ncols, sizeof *header);
    types = xcalloc(ncols, sizeof *types);
    for (size_t i = 0; i < ncols; i++) {
        header[i] = xstrdup(rec.fields[i]);
        types[i] = listing_member_type_of(kind, header[i]);
        if (types[i] == MEMBER_UNKNOWN || types[i] == MEMBER_READONLY)
            json_error_add(file_errors, header[i], "column %zu of the header is not an importable member of a %s",
                           i + 1, listing_kind_name(kind));
        for (size_t k = 0; k < i; k++)
            if (strcmp(header[k], header[i]) == 0)
                json_error_add(file_errors, header[i], "the header names this column twice");
    }
    int status = cJSON_GetArraySize(file_errors) > 0 ? TM_ERR_INVALID : TM_OK;
    while (status == TM_OK && (rc = csv_next(rd, &rec, msg, sizeof msg)) != 0) {
        if (++b->seen > LIM_IMPORT_ROWS) {
            json_error_add(file_errors, NULL, "the file has more than %d rows; split it", LIM_IMPORT_ROWS);
            status = TM_ERR_INVALID;
            break;
        }
        cJSON *errors = cJSON_CreateArray();
        if (rc < 0) {
            json_error_add(errors, NULL, "%s", msg);
            report_invalid(b, rec.line, NULL, errors);
            continue;
        }
        if (rec.n == 1 && rec.fields[0][0] == '\0') {
            cJSON_Delete(errors);
            b->seen--;
            continue; /* blank line */
        }
        if (rec.n != ncols) {
            json_error_add(errors, NULL, "the record has %zu fields but the header has %zu", rec.n, ncols);
            report_invalid(b, rec.line, NULL, errors);
            continue;
        }
        cJSON *obj = cJSON_CreateObject();
        for (size_t i = 0; i < ncols; i++) {
            size_t bad;
            if (!mt_utf8_valid(rec.fields[i], strlen(rec.fields[i]), &bad))
                json_error_add(errors, header[i], "is not valid UTF-8");
            else if (rec.fields[i][0] != '\0')
                cJSON_AddItemToObject(obj, header[i], cell_value(types[i], rec.fields[i]));
        }
        if (cJSON_GetArraySize(errors) > 0) {
            report_invalid(b, rec.line, NULL, errors);
            cJSON_Delete(obj);
            continue;
        }
        cJSON_Delete(errors);
        take_row(b, kind, tax, rec.line, obj);
    }
    for (size_t i = 0; i < ncols; i++)
        free(header[i]);
    free(header);
    free(types);
    csv_reader_free(rd);
    return status;
}

static int parse_jsonl(batch *b, listing_kind kind, const taxonomy *tax, const char *data, size_t len,
                       cJSON *file_errors)
{
    size_t pos = 0, line = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        while (n > 0 && (start[n - 1] == '\r' || start[n - 1] == ' ' || start[n - 1] == '\t'))
            n--;
        size_t lead = 0;
        while (lead < n && (start[lead] == ' ' || start[lead] == '\t'))
            lead++;
        if (lead == n)
            continue; /* blank line */
        if (++b->seen > LIM_IMPORT_ROWS) {
            json_error_add(file_errors, NULL, "the file has more than %d rows; split it", LIM_IMPORT_ROWS);
            return TM_ERR_INVALID;
        }
        cJSON *errors = cJSON_CreateArray();
        cJSON *obj = NULL;
        char msg[200];
        if (n > LIM_IMPORT_LINE) {
            json_error_add(errors, NULL, "the line is longer than %d bytes", LIM_IMPORT_LINE);
        } else if (json_parse_body(start, n, LIM_JSON_DEPTH, &obj, msg, sizeof msg) != TM_OK) {
            json_error_add(errors, NULL, "%s", msg);
        } else if (!cJSON_IsObject(obj)) {
            json_error_add(errors, NULL, "the line is not a JSON object");
            cJSON_Delete(obj);
            obj = NULL;
        }
        if (obj == NULL) {
            report_invalid(b, line, NULL, errors);
            continue;
        }
        cJSON_Delete(errors);
        take_row(b, kind, tax, line, obj);
    }
    return TM_OK;
}

typedef struct progress_relay {
    import_progress_fn fn;
    void *ctx;
    size_t total;
} progress_relay;

static void relay(void *ctx, size_t done)
{
    progress_relay *p = ctx;
    p->fn(p->ctx, done, p->total);
}

int import_run(store *s, const taxonomy *tax, listing_kind kind, int64_t org_id, int64_t actor_user_id,
               import_format format, const char *data, size_t len, import_progress_fn progress,
               void *ctx, cJSON **report)
{
    batch b = { 0 };
    cJSON *file_errors = cJSON_CreateArray();
    int status;

    *report = NULL;
    b.report_rows = cJSON_CreateArray();
    status = format == IMPORT_CSV ? parse_csv(&b, kind, tax, data, len, file_errors)
                                  : parse_jsonl(&b, kind, tax, data, len, file_errors);
    if (status == TM_OK && b.seen == 0) {
        json_error_add(file_errors, NULL, "the file has no rows to import");
        status = TM_ERR_INVALID;
    }
    if (status != TM_OK) {
        batch_cleanup(&b);
        *report = file_errors;
        return status;
    }
    cJSON_Delete(file_errors);

    int64_t *ids = xcalloc(b.n ? b.n : 1, sizeof *ids);
    import_action *actions = xcalloc(b.n ? b.n : 1, sizeof *actions);
    progress_relay pr = { progress, ctx, b.n };
    if (b.n > 0)
        status = store_listing_import(s, kind, org_id, b.rows, b.n, actor_user_id, ids, actions,
                                      progress ? relay : NULL, &pr);
    if (status == TM_OK) {
        size_t created = 0, updated = 0, k = 0;
        cJSON *row;
        cJSON_ArrayForEach(row, b.report_rows) {
            if (cJSON_GetObjectItemCaseSensitive(row, "status") != NULL)
                continue; /* an invalid row */
            int upd = actions[k] == IMPORT_UPDATED;
            cJSON_AddStringToObject(row, "status", upd ? "updated" : "created");
            json_add_int(row, "id", ids[k]);
            json_add_string_or_null(row, "ref", b.rows[k]->ref);
            created += !upd;
            updated += upd;
            k++;
        }
        cJSON *out = cJSON_CreateObject();
        json_add_int(out, "created", (int64_t)created);
        json_add_int(out, "updated", (int64_t)updated);
        json_add_int(out, "failed", (int64_t)b.failed);
        cJSON_AddItemToObject(out, "rows", b.report_rows);
        b.report_rows = NULL;
        *report = out;
    }
    free(ids);
    free(actions);
    batch_cleanup(&b);
    return status;
}

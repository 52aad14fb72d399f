/*
 * import.c: turns each CSV record or JSONL line into a JSON object, validates
 * it as a listing, then hands the valid ones to the store in batches of
 * LIM_IMPORT_BATCH rows (a transaction each), and tells what became of each
 * row in an import_result.  Each stored row's
 * listing is kept as the store wrote it, so that matching it needs no read.
 */
#include "import.h"
#include "csv.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "messages.h"
#include "parse.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row of the file: its line, and either its object or why it is unusable. */
typedef struct row {
    size_t line;
    cJSON *obj;       /* the row as a JSON object, or NULL */
    cJSON *errors;    /* problems found, or NULL */
    listing *stored;  /* a copy of the listing the store wrote for it, or NULL */
} row;

typedef struct batch {
    row *rows;
    size_t n, cap;
    size_t seen;      /* non-blank rows, for the row limit */
} batch;

/* A parsed file (import.h): its rows and their kind. */
struct import_file {
    batch b;
    listing_kind kind;
};

static void batch_cleanup(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        cJSON_Delete(b->rows[i].obj);
        cJSON_Delete(b->rows[i].errors);
        listing_free(b->rows[i].stored);
    }
    free(b->rows);
}

/* Adds a row; takes obj and errors (either may be NULL). */
static void add_row(batch *b, size_t line, cJSON *obj, cJSON *errors)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->rows = xrealloc(b->rows, b->cap * sizeof *b->rows);
    }
    b->rows[b->n].line = line;
    b->rows[b->n].obj = obj;
    b->rows[b->n].errors = errors;
    b->rows[b->n].stored = NULL;
    b->n++;
}

/* Converts one CSV cell to the JSON value its member expects. */
static cJSON *cell_value(listing_member_type type, const char *cell)
{
    if (type == MEMBER_INT) {
        int64_t v = 0;
        if (parse_int64(cell, INT64_MIN, INT64_MAX, &v) == TM_OK)
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

static int parse_csv(batch *b, listing_kind kind, const char *data, size_t len,
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
        json_error_add(file_errors, "line 1", "%s", rc < 0 ? msg : N_("the file is empty; a header row was expected"));
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
            add_row(b, rec.line, NULL, errors);
            continue;
        }
        if (rec.n == 1 && rec.fields[0][0] == '\0') {
            cJSON_Delete(errors);
            b->seen--;
            continue; /* blank line */
        }
        if (rec.n != ncols) {
            json_error_add(errors, NULL, "the record has %zu fields but the header has %zu", rec.n, ncols);
            add_row(b, rec.line, NULL, errors);
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
            cJSON_Delete(obj);
            add_row(b, rec.line, NULL, errors);
            continue;
        }
        cJSON_Delete(errors);
        add_row(b, rec.line, obj, NULL);
    }
    for (size_t i = 0; i < ncols; i++)
        free(header[i]);
    free(header);
    free(types);
    csv_reader_free(rd);
    return status;
}

static int parse_jsonl(batch *b, const char *data, size_t len,
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
        char msg[200], path[LIM_JSON_PATH];
        if (n > LIM_IMPORT_LINE) {
            json_error_add(errors, NULL, "the line is longer than %d bytes", LIM_IMPORT_LINE);
        } else if (json_parse_body(start, n, LIM_JSON_DEPTH, &obj, msg, sizeof msg) != TM_OK) {
            json_error_add(errors, NULL, "%s", msg);
        } else if (!cJSON_IsObject(obj)) {
            json_error_add(errors, NULL, "the line is not a JSON object");
            cJSON_Delete(obj);
            obj = NULL;
        } else if (json_find_nul(start, n, path, sizeof path)) {
            json_error_add(errors, path, "must not contain U+0000 (NUL)"); /* cJSON would have cut it there */
            cJSON_Delete(obj);
            obj = NULL;
        }
        if (obj == NULL) {
            add_row(b, line, NULL, errors);
            continue;
        }
        cJSON_Delete(errors);
        add_row(b, line, obj, NULL);
    }
    return TM_OK;
}

/* Relays the store's per-row progress of one batch as the import's: off rows were stored before it. */
typedef struct progress_relay {
    import_progress_fn fn;
    void *ctx;
    size_t off, total;
} progress_relay;

static void relay(void *ctx, size_t done)
{
    progress_relay *p = ctx;
    (void)p->fn(p->ctx, IMPORT_STORING, p->off + done, p->total); /* a stop is seen between batches */
}

/* What the store's apply callback needs: the rows that parsed, by store index. */
typedef struct apply_ctx {
    row **rows;       /* the batch's first row */
    const taxonomy *tax;
} apply_ctx;

/* Validates row i onto l; a valid row keeps a copy of l, which the store then writes unchanged. */
static int apply_row(void *ctx, size_t i, listing *l)
{
    apply_ctx *a = ctx;
    row *rw = a->rows[i];
    cJSON *errors = cJSON_CreateArray();
    if (listing_apply_json(l, rw->obj, a->tax, errors) > 0) {
        rw->errors = errors;
        return TM_ERR_INVALID;
    }
    cJSON_Delete(errors);
    rw->stored = listing_clone(l);
    return TM_OK;
}

/* Copies a [{field, message}] array (as json_error_add makes them) into *out, *n. */
static void take_errors(const cJSON *errors, import_error **out, size_t *n)
{
    size_t count = (size_t)cJSON_GetArraySize(errors), k = 0;
    const cJSON *e;
    *out = count ? xcalloc(count, sizeof **out) : NULL;
    cJSON_ArrayForEach(e, errors) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(e, "field");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
        (*out)[k].field = cJSON_IsString(field) ? xstrdup(field->valuestring) : NULL;
        (*out)[k].message = xstrdup(cJSON_IsString(msg) ? msg->valuestring : "invalid");
        k++;
    }
    *n = k;
}

static void free_errors(import_error *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].field);
        free(e[i].message);
    }
    free(e);
}

/* One stored row: its listing's id and its place among the stored rows. */
typedef struct stored_row {
    int64_t id;
    size_t k;
} stored_row;

static int cmp_stored(const void *a, const void *b)
{
    const stored_row *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

/*
 * Hands the copies the stored rows kept to out->stored, one per listing: when
 * rows share a ref they wrote one listing, and each of them points to the last
 * row's version (the one stored), as a read after the import would give.
 * parsed[k] is the k-th row given to the store, ids[k] its listing.
 */
static void keep_stored(import_result *out, row **parsed, const int64_t *ids, size_t np)
{
    stored_row *order = xcalloc(np ? np : 1, sizeof *order);
    size_t n = 0;
    for (size_t k = 0; k < np; k++)
        if (parsed[k]->stored != NULL)
            order[n++] = (stored_row){ ids[k], k };
    qsort(order, n, sizeof *order, cmp_stored);
    out->stored = xcalloc(n ? n : 1, sizeof *out->stored);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end + 1 < n && order[end + 1].id == order[i].id)
            end++;
        listing *last = parsed[order[end].k]->stored;
        parsed[order[end].k]->stored = NULL;
        last->id = order[i].id; /* a new listing's id comes from the store after the copy */
        out->stored[out->nstored++] = last;
        for (; i <= end; i++) {
            listing_free(parsed[order[i].k]->stored);
            parsed[order[i].k]->stored = last; /* borrowed from here on */
        }
    }
    free(order);
}

/* Fills out's rows and tally from the batch after the store took the parsed rows. */
static void report_rows(import_result *out, const batch *b, const int64_t *ids, const import_action *actions)
{
    size_t k = 0;
    out->rows = xcalloc(b->n ? b->n : 1, sizeof *out->rows);
    out->nrows = b->n;
    for (size_t i = 0; i < b->n; i++) {
        const row *rw = &b->rows[i];
        import_row *o = &out->rows[i];
        const cJSON *ref = rw->obj ? cJSON_GetObjectItemCaseSensitive(rw->obj, "ref") : NULL;
        o->line = rw->line;
        o->action = IMPORT_SKIPPED;
        if (rw->obj != NULL) {
            o->id = ids[k];
            o->action = actions[k];
            k++;
        }
        if (cJSON_IsString(ref))
            o->ref = xstrdup(ref->valuestring);
        if (rw->errors) {
            o->action = IMPORT_SKIPPED;
            o->id = 0;
            take_errors(rw->errors, &o->errors, &o->nerrors);
        } else {
            o->stored = rw->stored;
        }
        out->created += o->action == IMPORT_CREATED;
        out->updated += o->action == IMPORT_UPDATED;
        out->failed += rw->errors != NULL;
    }
}

int import_parse(listing_kind kind, import_format format, const char *data, size_t len, import_file **file,
                 import_result *out)
{
    import_file *f = xcalloc(1, sizeof *f);
    cJSON *file_errors = cJSON_CreateArray();
    memset(out, 0, sizeof *out);
    *file = NULL;
    f->kind = kind;
    int status = format == IMPORT_CSV ? parse_csv(&f->b, kind, data, len, file_errors)
                                      : parse_jsonl(&f->b, data, len, file_errors);
    if (status == TM_OK && f->b.n == 0) {
        json_error_add(file_errors, NULL, "the file has no rows to import");
        status = TM_ERR_INVALID;
    }
    if (status != TM_OK) {
        take_errors(file_errors, &out->errors, &out->nerrors);
        import_file_free(f);
    } else {
        *file = f;
    }
    cJSON_Delete(file_errors);
    return status;
}

size_t import_file_rows(const import_file *f)
{
    return f->b.n;
}

listing_kind import_file_kind(const import_file *f)
{
    return f->kind;
}

void import_file_free(import_file *f)
{
    if (f == NULL)
        return;
    batch_cleanup(&f->b);
    free(f);
}

/*
 * Stores the np parsed rows, LIM_IMPORT_BATCH a transaction, filling ids and
 * actions; *stored counts the rows of the batches that committed.  Returns
 * TM_OK, the first failing batch's status, or TM_ERR_LIMITED when progress
 * asked to stop between two batches.
 */
static int store_batches(store *s, listing_kind kind, int64_t org_id, int64_t actor_user_id, row **parsed,
                         char **refs, size_t np, apply_ctx *actx, int64_t *ids, import_action *actions,
                         import_progress_fn progress, void *ctx, size_t *stored)
{
    *stored = 0;
    for (size_t off = 0; off < np; off += LIM_IMPORT_BATCH) {
        size_t n = np - off < LIM_IMPORT_BATCH ? np - off : LIM_IMPORT_BATCH;
        progress_relay pr = { progress, ctx, off, np };
        if (off > 0 && progress && progress(ctx, IMPORT_STORING, off, np) != 0)
            return TM_ERR_LIMITED;
        actx->rows = parsed + off;
        int status = store_listing_import(s, kind, org_id, n, (const char *const *)refs + off, actor_user_id,
                                          apply_row, actx, ids + off, actions + off, progress ? relay : NULL, &pr);
        if (status != TM_OK)
            return status;
        *stored = off + n;
    }
    return TM_OK;
}

int import_store(store *s, const taxonomy *tax, import_file *f, int64_t org_id, int64_t actor_user_id,
                 import_progress_fn progress, void *ctx, import_result *out)
{
    batch *b = &f->b;
    int status = TM_OK;
    memset(out, 0, sizeof *out);

    /* The rows that parsed go to the store; it validates each onto its listing. */
    row **parsed = xcalloc(b->n ? b->n : 1, sizeof *parsed);
    char **refs = xcalloc(b->n ? b->n : 1, sizeof *refs);
    int64_t *ids = xcalloc(b->n ? b->n : 1, sizeof *ids);
    import_action *actions = xcalloc(b->n ? b->n : 1, sizeof *actions);
    size_t np = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (b->rows[i].obj == NULL)
            continue;
        refs[np] = listing_ref_of(b->rows[i].obj); /* as the listing will hold it */
        parsed[np++] = &b->rows[i];
    }
    apply_ctx actx = { parsed, tax };
    status = store_batches(s, f->kind, org_id, actor_user_id, parsed, refs, np, &actx, ids, actions, progress, ctx,
                           &out->stored_rows);
    if (status == TM_OK) {
        keep_stored(out, parsed, ids, np);
        report_rows(out, b, ids, actions);
        for (size_t k = 0; k < np; k++)
            parsed[k]->stored = NULL; /* the result owns the copies now */
    }
    free(parsed);
    for (size_t i = 0; i < np; i++)
        free(refs[i]);
    free(refs);
    free(ids);
    free(actions);
    /* The rows are spent: a second store would find their copies gone. */
    batch_cleanup(b);
    memset(b, 0, sizeof *b);
    return status;
}

int import_run(store *s, const taxonomy *tax, listing_kind kind, int64_t org_id, int64_t actor_user_id,
               import_format format, const char *data, size_t len, import_progress_fn progress,
               void *ctx, import_result *out)
{
    import_file *f = NULL;
    int status = import_parse(kind, format, data, len, &f, out);
    if (status == TM_OK)
        status = import_store(s, tax, f, org_id, actor_user_id, progress, ctx, out);
    import_file_free(f);
    return status;
}

void import_result_cleanup(import_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nrows; i++) {
        free(r->rows[i].ref);
        free_errors(r->rows[i].errors, r->rows[i].nerrors);
    }
    free(r->rows);
    free_errors(r->errors, r->nerrors);
    for (size_t i = 0; i < r->nstored; i++)
        listing_free(r->stored[i]);
    free(r->stored);
    memset(r, 0, sizeof *r);
}

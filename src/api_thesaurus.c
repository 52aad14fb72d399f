/*
 * api_thesaurus.c: the thesaurus brokers curate, over HTTP.  The handlers
 * validate (each term trimmed, 1..LIM_THESAURUS_TERM characters, the two not
 * the same, a known kind), store the change with its audit row, then hand the
 * listings it touched to matching_thesaurus_changed; a failure of that
 * re-match is logged and does not undo the change (the listings stay in the
 * match queue), as for a listing's own write (listing_write.h).
 */
#include "api_thesaurus.h"
#include "app.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "matching.h"
#include "mem.h"
#include "messages.h"
#include "utf8.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "translation", "synonym", NULL };
#define KINDS_JOINED "translation, synonym"

static int kind_known(const char *kind)
{
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

static cJSON *entry_json(const thesaurus_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", e->id);
    cJSON_AddStringToObject(o, "term_a", e->term_a);
    cJSON_AddStringToObject(o, "term_b", e->term_b);
    cJSON_AddStringToObject(o, "kind", e->kind);
    cJSON_AddStringToObject(o, "note", e->note);
    json_add_id_or_null(o, "created_by", e->created_by);
    cJSON_AddStringToObject(o, "created_by_name", e->created_by_name);
    cJSON_AddStringToObject(o, "created_at", e->created_at);
    return o;
}

/* The byte length of the white space (ASCII or U+3000) at p, or 0. */
static size_t space_at(const char *p)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        return 1;
    if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x80)
        return 3;
    return 0;
}

/* A copy of s without white space at either end (malloc'd). */
static char *trimmed(const char *s)
{
    while (space_at(s))
        s += space_at(s);
    size_t end = 0; /* just after the last byte that is not white space */
    for (size_t i = 0; s[i];) {
        size_t sp = space_at(s + i);
        i += sp ? sp : 1;
        if (sp == 0)
            end = i;
    }
    char *t = xmalloc(end + 1);
    memcpy(t, s, end);
    t[end] = '\0';
    return t;
}

/*
 * Reads the text member v named name (trimmed, 1..max characters, or 0..max
 * when may_be_empty) into *out (malloc'd); adds an error to errors otherwise.
 */
static void text_member(const cJSON *v, const char *name, size_t max, int may_be_empty, cJSON *errors, char **out)
{
    if (!cJSON_IsString(v)) {
        json_error_add(errors, name, "must be a string");
        return;
    }
    char *t = trimmed(v->valuestring);
    if (t[0] == '\0' && !may_be_empty)
        json_error_add(errors, name, "must not be empty");
    else if (mt_utf8_length(t, strlen(t)) > max)
        json_error_add(errors, name, "must have at most %zu characters", max);
    else {
        free(*out);
        *out = t;
        return;
    }
    free(t);
}

/* The add's members, trimmed; free with input_cleanup. */
typedef struct th_input {
    char *term_a, *term_b, *kind, *note;
} th_input;

static void input_cleanup(th_input *in)
{
    free(in->term_a);
    free(in->term_b);
    free(in->kind);
    free(in->note);
}

/* Validates the body into *in; returns 1, or replies 400 naming each bad member and returns 0. */
static int input_or_reply(http_request *r, th_input *in)
{
    const cJSON *body = req_json(r);
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return 0;
    }
    static const char *const names[] = { "term_a", "term_b", "kind", "note", NULL };
    cJSON *errors = cJSON_CreateArray();
    json_reject_unknown(body, names, errors);
    text_member(cJSON_GetObjectItemCaseSensitive(body, "term_a"), "term_a", LIM_THESAURUS_TERM, 0, errors,
                &in->term_a);
    text_member(cJSON_GetObjectItemCaseSensitive(body, "term_b"), "term_b", LIM_THESAURUS_TERM, 0, errors,
                &in->term_b);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(body, "kind");
    if (!cJSON_IsString(kind) || !kind_known(kind->valuestring))
        json_error_add(errors, "kind", "must be one of: %s", KINDS_JOINED);
    else
        in->kind = xstrdup(kind->valuestring);
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(body, "note");
    if (note && !cJSON_IsNull(note))
        text_member(note, "note", LIM_THESAURUS_NOTE, 1, errors, &in->note);
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return 0;
    }
    cJSON_Delete(errors);
    return 1;
}

/* Re-matches what a change touched; a failure is logged (the listings stay queued). Returns how many. */
static size_t rematch(http_request *r, const thesaurus_touched *touched)
{
    size_t n = 0;
    int rc = matching_thesaurus_changed(req_app(r)->matching, req_app(r)->store, touched, &n);
    if (rc != TM_OK)
        log_error("thesaurus: re-matching %zu demands and %zu achievements failed (%s); %zu re-matched",
                  touched->n[0], touched->n[1], tm_strerror(rc), n);
    return n;
}

void api_thesaurus_add(http_request *r)
{
    th_input in = { NULL, NULL, NULL, NULL };
    if (!input_or_reply(r, &in)) {
        input_cleanup(&in);
        return;
    }
    thesaurus_entry *e = xcalloc(1, sizeof *e);
    thesaurus_touched touched;
    thesaurus_input ti = { in.term_a, in.term_b, in.kind, in.note };
    int rc = store_thesaurus_add(req_app(r)->store, &ti, req_principal(r)->user_id, e, &touched);
    input_cleanup(&in);
    if (rc == TM_ERR_INVALID)
        reply_invalid_field(r, "term_b", "must differ from term_a");
    else if (rc == TM_ERR_CONFLICT)
        reply_problem(r, 409, "term_b: this pair of terms is already in the thesaurus");
    else if (rc != TM_OK)
        reply_status(r, rc, NULL);
    else {
        cJSON *out = entry_json(e);
        json_add_int(out, "rematched", (int64_t)rematch(r, &touched));
        store_thesaurus_touched_cleanup(&touched);
        reply_json(r, 201, out);
    }
    free(e);
}

void api_thesaurus_delete(http_request *r)
{
    thesaurus_entry *e = xcalloc(1, sizeof *e);
    thesaurus_touched touched;
    int rc = store_thesaurus_delete(req_app(r)->store, req_param_id(r, 0), req_principal(r)->user_id, e, &touched);
    free(e);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no thesaurus entry with this id" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", req_param_id(r, 0));
    cJSON_AddBoolToObject(out, "deleted", 1);
    json_add_int(out, "rematched", (int64_t)rematch(r, &touched));
    store_thesaurus_touched_cleanup(&touched);
    reply_json(r, 200, out);
}

/* Reads total=true|1|false|0 into *out; returns 1, or replies 400 and returns 0. */
static int total_or_reply(http_request *r, int *out)
{
    const char *total = req_query(r, "total");
    *out = 0;
    if (total == NULL)
        return 1;
    if (strcmp(total, "true") == 0 || strcmp(total, "1") == 0)
        *out = 1;
    else if (strcmp(total, "false") != 0 && strcmp(total, "0") != 0) {
        reply_invalid_field(r, "total", "must be true or false");
        return 0;
    }
    return 1;
}

void api_thesaurus_list(http_request *r)
{
    long limit = LIM_PAGE_DEFAULT;
    thesaurus_filter f = { req_query(r, "q"), req_query(r, "kind"), 0, req_query(r, "cursor"), 0 };
    char msg[96];
    if (!req_query_long_or_reply(r, "limit", 1, LIM_PAGE_MAX, &limit) || !total_or_reply(r, &f.with_total))
        return;
    if (f.q && strlen(f.q) > LIM_QUERY) {
        reply_invalid_field(r, "q", "is too long");
        return;
    }
    if (f.kind && f.kind[0] == '\0')
        f.kind = NULL;
    if (f.kind && !kind_known(f.kind)) {
        snprintf(msg, sizeof msg, N_("must be one of: %s"), KINDS_JOINED);
        reply_invalid_field(r, "kind", msg);
        return;
    }
    f.limit = (size_t)limit;
    thesaurus_page page;
    int rc = store_thesaurus_list(req_app(r)->store, &f, &page);
    if (rc == TM_ERR_INVALID) {
        reply_invalid_field(r, "cursor", "is not a cursor this list returned");
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < page.n; i++)
        cJSON_AddItemToArray(items, entry_json(&page.items[i]));
    json_add_string_or_null(out, "next_cursor", page.next_cursor);
    if (page.total >= 0)
        json_add_int(out, "total", page.total);
    store_thesaurus_page_cleanup(&page);
    reply_json(r, 200, out);
}

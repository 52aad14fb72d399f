/*
 * api_decisions.c: the decisions report (GET /api/review/decisions-report):
 * reads brokers' decisions from the store, computes the report
 * (decisions_report.c) against the policy's suggest threshold, and writes it
 * as JSON.  A module of its own because api_matches.c, where the other review
 * routes live, is near the size a file may have.
 */
#include "api_decisions.h"
#include "parse.h"
#include "api_matches.h"
#include "app.h"
#include "decisions_report.h"
#include "json.h"
#include "messages.h"
#include "taxonomy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest field= taken: a division ("B06") with room for finer codes. */
#define FIELD_PREFIX_MAX 7

/* {threshold, decided, approved, precision, recall} (precision and recall null when undefined). */
static cJSON *cut_json(const dr_cut *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "threshold", c->threshold);
    json_add_int(o, "decided", c->decided);
    json_add_int(o, "approved", c->approved);
    if (c->has_precision)
        cJSON_AddNumberToObject(o, "precision", c->precision);
    else
        cJSON_AddNullToObject(o, "precision");
    if (c->has_recall)
        cJSON_AddNumberToObject(o, "recall", c->recall);
    else
        cJSON_AddNullToObject(o, "recall");
    return o;
}

/* {approved, rejected, precision} of one group, precision null when nothing was decided. */
static void add_counts(cJSON *o, int64_t approved, int64_t rejected)
{
    json_add_int(o, "approved", approved);
    json_add_int(o, "rejected", rejected);
    if (approved + rejected > 0)
        cJSON_AddNumberToObject(o, "precision", (double)approved / (double)(approved + rejected));
    else
        cJSON_AddNullToObject(o, "precision");
}

/* {reason code: count} for the reasons given at least once. */
static cJSON *reasons_json(const int64_t *reasons)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < REASON_COUNT; i++)
        if (reasons[i] > 0)
            json_add_int(o, vocab_code(&vocab_reasons, i), reasons[i]);
    return o;
}

static cJSON *bands_json(const decisions_report *rep)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < rep->nbands; i++) {
        const dr_band *b = &rep->bands[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "from", b->lo / 10.0);
        cJSON_AddNumberToObject(o, "to", (b->lo + 1) / 10.0);
        add_counts(o, b->approved, b->rejected);
        cJSON_AddItemToObject(o, "reasons", reasons_json(b->reasons));
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

static cJSON *fields_json(const review_decisions *d)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < d->nfields; i++) {
        cJSON *o = cJSON_CreateObject();
        json_add_string_or_null(o, "field", d->fields[i].field[0] ? d->fields[i].field : NULL);
        add_counts(o, d->fields[i].approved, d->fields[i].rejected);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

/* Why there is a suggestion or none, in the request's language. */
static void add_verdict(http_request *r, cJSON *out, const decisions_report *rep)
{
    char text[256];
    cJSON *o = cJSON_AddObjectToObject(out, "verdict");
    cJSON_AddStringToObject(o, "code", decisions_report_verdict_code(rep->verdict));
    if (rep->verdict == DR_TOO_FEW)
        snprintf(text, sizeof text, N_("%d decisions so far: a threshold is suggested from %d on"),
                 (int)(rep->approved + rep->rejected), DR_MIN_DECISIONS);
    else if (rep->verdict == DR_TARGET_UNREACHED)
        snprintf(text, sizeof text, N_("no threshold has the target precision above it with at least %d decisions,"
                                       " and a band of its own approved at least half the time"), DR_MIN_ABOVE);
    else
        snprintf(text, sizeof text, N_("the lowest threshold whose decisions above it reach the target precision"));
    char *said = messages_translate(text, req_lang(r), NULL);
    cJSON_AddStringToObject(o, "message", said);
    free(said);
}

/* Reads since= and field= into *since and *field (NULL when absent); replies 400 and returns 0 when malformed. */
static int params_or_reply(http_request *r, const char **since, const char **field)
{
    *since = req_query(r, "since");
    *field = req_query(r, "field");
    if (*since && parse_rfc3339(*since) != TM_OK) {
        reply_invalid_field(r, "since", PARSE_RFC3339_WANTED);
        return 0;
    }
    if (*field && (!taxonomy_code_syntax_ok(*field) || strlen(*field) > FIELD_PREFIX_MAX)) {
        reply_invalid_field(r, "field", "must be a field code or code prefix such as B or B06");
        return 0;
    }
    return 1;
}

void api_decisions_report(http_request *r)
{
    const char *since, *field;
    if (!params_or_reply(r, &since, &field))
        return;
    policy pol;
    review_decisions d;
    memset(&d, 0, sizeof d);
    int rc = store_policy_get(req_app(r)->store, &pol);
    if (rc == TM_OK)
        rc = store_review_decisions(req_app(r)->store, since, field, &d);
    if (rc == TM_ERR_INVALID) {
        store_review_decisions_cleanup(&d);
        reply_invalid_field(r, "since", PARSE_RFC3339_WANTED);
        return;
    }
    if (rc != TM_OK) {
        store_review_decisions_cleanup(&d);
        reply_status(r, rc, NULL);
        return;
    }
    decisions_report rep;
    decisions_report_compute(d.items, d.n, pol.suggest_threshold, DR_TARGET, &rep);
    cJSON *out = cJSON_CreateObject();
    json_add_string_or_null(out, "since", since ? d.since : NULL);
    json_add_string_or_null(out, "field", field);
    cJSON_AddNumberToObject(out, "target_precision", rep.target);
    json_add_int(out, "min_decisions", DR_MIN_DECISIONS);
    json_add_int(out, "min_above", DR_MIN_ABOVE);
    cJSON_AddNumberToObject(out, "min_band_precision", DR_MIN_BAND_PRECISION);
    cJSON *totals = cJSON_AddObjectToObject(out, "decisions");
    add_counts(totals, rep.approved, rep.rejected);
    cJSON_AddItemToObject(out, "reasons", reasons_json(rep.reasons));
    cJSON_AddItemToObject(out, "bands", bands_json(&rep));
    cJSON_AddItemToObject(out, "by_field", fields_json(&d));
    cJSON_AddItemToObject(out, "current", cut_json(&rep.current));
    if (rep.verdict == DR_SUGGESTED)
        cJSON_AddItemToObject(out, "suggested", cut_json(&rep.suggested));
    else
        cJSON_AddNullToObject(out, "suggested");
    add_verdict(r, out, &rep);
    store_review_decisions_cleanup(&d);
    reply_json(r, 200, out);
}

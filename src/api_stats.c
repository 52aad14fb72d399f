/*
 * api_stats.c: what brokers and admins learn from the pipeline: the funnel,
 * the time to a first push, the reasons, the workload, and every decision as
 * CSV for tuning the matcher.
 */
#include "api_stats.h"
#include "app.h"
#include "csv.h"
#include "json.h"
#include "sbuf.h"
#include "vocab.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[FUNNEL_STAGES] = {
    "suggested", "approved", "pushed", "viewed", "interested", "in_talks", "deals",
};

static cJSON *funnel_json(const funnel_row *f)
{
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < FUNNEL_STAGES; k++)
        json_add_int(o, stage_names[k], f->n[k]);
    return o;
}

/* [{key_name: key, funnel...}] */
static cJSON *funnel_list(const funnel_row *rows, size_t n, const char *key_name)
{
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        cJSON *o = funnel_json(&rows[i]);
        cJSON_AddStringToObject(o, key_name, rows[i].key);
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* {demands, median_hours, mean_hours} over the demands pushed at least once. */
static cJSON *time_to_push(double *hours, size_t n)
{
    cJSON *o = cJSON_CreateObject();
    double sum = 0;
    json_add_int(o, "demands", (int64_t)n);
    if (n == 0) {
        cJSON_AddNullToObject(o, "median_hours");
        cJSON_AddNullToObject(o, "mean_hours");
        return o;
    }
    qsort(hours, n, sizeof *hours, cmp_double);
    for (size_t i = 0; i < n; i++)
        sum += hours[i];
    cJSON_AddNumberToObject(o, "median_hours", n % 2 ? hours[n / 2] : (hours[n / 2 - 1] + hours[n / 2]) / 2);
    cJSON_AddNumberToObject(o, "mean_hours", sum / (double)n);
    return o;
}

void api_stats_get(http_request *r)
{
    stats st;
    int rc = store_stats(req_app(r)->store, &st);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "funnel", funnel_json(&st.overall));
    cJSON_AddItemToObject(out, "by_field", funnel_list(st.by_field, st.nfield, "field"));
    cJSON_AddItemToObject(out, "by_month", funnel_list(st.by_month, st.nmonth, "month"));
    cJSON_AddItemToObject(out, "time_to_first_push", time_to_push(st.hours_to_push, st.npushed));
    cJSON *reasons = cJSON_AddObjectToObject(out, "reasons");
    static const enum match_status kinds[] = { MATCH_REJECTED, MATCH_DECLINED, MATCH_CLOSED };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const char *kind = vocab_code(&vocab_match_statuses, (int)kinds[k]);
        cJSON *counts = cJSON_AddObjectToObject(reasons, kind);
        for (size_t i = 0; i < st.nreasons; i++)
            if (strcmp(st.reasons[i].kind, kind) == 0)
                json_add_int(counts, st.reasons[i].reason, st.reasons[i].n);
    }
    cJSON *work = cJSON_AddArrayToObject(out, "workload");
    for (size_t i = 0; i < st.nworkload; i++) {
        cJSON *o = cJSON_CreateObject();
        json_add_int(o, "broker_id", st.workload[i].user_id);
        cJSON_AddStringToObject(o, "name", st.workload[i].name);
        json_add_int(o, "open", st.workload[i].open);
        cJSON_AddItemToArray(work, o);
    }
    cJSON *dist = cJSON_AddObjectToObject(out, "score_distribution");
    cJSON *ap = cJSON_AddArrayToObject(dist, "approved"), *rj = cJSON_AddArrayToObject(dist, "rejected");
    for (int i = 0; i < 10; i++) {
        cJSON_AddItemToArray(ap, cJSON_CreateNumber((double)st.approved_scores[i]));
        cJSON_AddItemToArray(rj, cJSON_CreateNumber((double)st.rejected_scores[i]));
    }
    cJSON *deals = cJSON_AddObjectToObject(out, "deals");
    json_add_int(deals, "count", st.deals);
    json_add_int(deals, "amount", st.deal_amount);
    store_stats_cleanup(&st);
    reply_json(r, 200, out);
}

static int decision_line(void *ctx, const decision_row *d)
{
    sbuf *b = ctx;
    const char *text[] = { d->at, d->action, d->status, d->reason, d->reason_text, d->origin };
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++) {
        csv_write_field(b, text[i]);
        sbuf_addc(b, ',');
    }
    sbuf_printf(b, "%lld,%lld,%lld,%lld,%.6f,%.6f,%.6f\r\n", (long long)d->match_id, (long long)d->user_id,
                (long long)d->demand_id, (long long)d->achievement_id, d->score, d->k, d->f);
    return 0;
}

void api_stats_decisions_csv(http_request *r)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_adds(&b, "at,action,status,reason,reason_text,origin,match_id,user_id,demand_id,achievement_id,score,k,f\r\n");
    int rc = store_decisions_each(req_app(r)->store, decision_line, &b);
    if (rc != TM_OK) {
        sbuf_cleanup(&b);
        reply_status(r, rc, NULL);
        return;
    }
    size_t len = b.len;
    reply_bytes(r, 200, "text/csv; charset=utf-8", sbuf_take(&b), len, "decisions.csv");
}

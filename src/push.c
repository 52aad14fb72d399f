/*
 * push.c: the bodies of the events pushed to enterprises (see push.h).
 */
#include "push.h"
#include "access.h"
#include "json.h"
#include "mem.h"
#include <cjson/cJSON.h>
#include <time.h>

void push_timestamp(char out[21])
{
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

static char *event_text(const char *type, cJSON *data);

/* One match as an event carries it: score, parts, explanation and both listings' public members. */
static cJSON *match_data(const match *m, const listing *d, const listing *a)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "match_id", m->id);
    cJSON_AddNumberToObject(o, "score", m->score);
    cJSON_AddNumberToObject(o, "k", m->k);
    cJSON_AddNumberToObject(o, "f", m->f);
    cJSON *why = m->explanation ? cJSON_Parse(m->explanation) : NULL;
    cJSON_AddItemToObject(o, "explanation", why ? why : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "demand", listing_to_json(d, ACCESS_EVENT_SHOWS_PRIVATE));
    cJSON_AddItemToObject(o, "achievement", listing_to_json(a, ACCESS_EVENT_SHOWS_PRIVATE));
    return o;
}

char *push_match_payload(void *ctx, const match *m, const listing *const *demands,
                         const listing *const *achievements, size_t n, const char **type)
{
    (void)ctx;
    *type = n == 1 ? "match.pushed" : "match.digest";
    if (n == 1)
        return event_text(*type, match_data(m, demands[0], achievements[0]));
    cJSON *data = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(data, "matches");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(list, match_data(&m[i], demands[i], achievements[i]));
    return event_text(*type, data);
}

/* An event with this type and data (taken). */
static char *event_text(const char *type, cJSON *data)
{
    char ts[21];
    push_timestamp(ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "timestamp", ts);
    cJSON_AddItemToObject(o, "data", data);
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

char *push_webhook_disabled_payload(int64_t webhook_id, const char *url, const char *reason)
{
    cJSON *data = cJSON_CreateObject();
    json_add_int(data, "webhook_id", webhook_id);
    cJSON_AddStringToObject(data, "url", url);
    cJSON_AddStringToObject(data, "reason", reason);
    return event_text("webhook.disabled", data);
}

char *push_ping_payload(int64_t webhook_id)
{
    cJSON *data = cJSON_CreateObject();
    json_add_int(data, "webhook_id", webhook_id);
    return event_text("webhook.ping", data);
}

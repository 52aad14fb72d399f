/*
 * push.c: the bodies of the events pushed to enterprises (see push.h).
 */
#include "push.h"
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
    cJSON_AddItemToObject(o, "demand", listing_to_json(d, 0));
    cJSON_AddItemToObject(o, "achievement", listing_to_json(a, 0));
    return o;
}

char *push_match_payload(void *ctx, const match *m, const listing *const *demands,
                         const listing *const *achievements, size_t n, const char **type)
{
    char ts[21];
    (void)ctx;
    push_timestamp(ts);
    *type = n == 1 ? "match.pushed" : "match.digest";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", *type);
    cJSON_AddStringToObject(o, "timestamp", ts);
    if (n == 1) {
        cJSON_AddItemToObject(o, "data", match_data(m, demands[0], achievements[0]));
    } else {
        cJSON *data = cJSON_AddObjectToObject(o, "data");
        cJSON *list = cJSON_AddArrayToObject(data, "matches");
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(list, match_data(&m[i], demands[i], achievements[i]));
    }
    char *text = json_print(o);
    cJSON_Delete(o);
    return text;
}

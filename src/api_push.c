/*
 * api_push.c: an enterprise's subscription (channels, minimum score, real
 * time or daily digest) and its inbox of notifications (the outbox, read).
 */
#include "api_push.h"
#include "app.h"
#include "stream.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include <stdlib.h>
#include <string.h>

static cJSON *subscription_to_json(const subscription *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *ch = cJSON_AddArrayToObject(o, "channels");
    cJSON_AddItemToArray(ch, cJSON_CreateString("inbox"));
    if (s->stream)
        cJSON_AddItemToArray(ch, cJSON_CreateString("stream"));
    if (s->webhook)
        cJSON_AddItemToArray(ch, cJSON_CreateString("webhook"));
    cJSON_AddNumberToObject(o, "min_score", s->min_score);
    cJSON_AddStringToObject(o, "mode", s->digest ? "digest" : "realtime");
    return o;
}

void api_push_subscription_get(http_request *r)
{
    subscription s;
    int rc = store_subscription_get(req_app(r)->store, req_principal(r)->org_id, &s);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    reply_json(r, 200, subscription_to_json(&s));
}

/* Reads "channels": a list of inbox, stream and webhook (the inbox is always on). */
static void channels_member(const cJSON *v, subscription *s, cJSON *errors)
{
    if (!cJSON_IsArray(v)) {
        json_error_add(errors, "channels", "must be a list of inbox, stream and webhook");
        return;
    }
    s->stream = 0;
    s->webhook = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        const char *name = cJSON_GetStringValue(c);
        if (name && strcmp(name, "stream") == 0)
            s->stream = 1;
        else if (name && strcmp(name, "webhook") == 0)
            s->webhook = 1;
        else if (name == NULL || strcmp(name, "inbox") != 0)
            json_error_add(errors, "channels", "must hold only inbox, stream and webhook");
    }
}

void api_push_subscription_put(http_request *r)
{
    const cJSON *body = req_json(r);
    subscription s;
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    int rc = store_subscription_get(req_app(r)->store, req_principal(r)->org_id, &s);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    static const char *const names[] = { "channels", "min_score", "mode", NULL };
    cJSON *errors = cJSON_CreateArray();
    json_reject_unknown(body, names, errors);
    for (const cJSON *m = body->child; m; m = m->next) {
        if (strcmp(m->string, "channels") == 0) {
            channels_member(m, &s, errors);
        } else if (strcmp(m->string, "min_score") == 0) {
            if (!cJSON_IsNumber(m) || !(m->valuedouble >= 0.0 && m->valuedouble <= 1.0))
                json_error_add(errors, "min_score", "must be a number from 0 to 1");
            else
                s.min_score = m->valuedouble;
        } else if (strcmp(m->string, "mode") == 0) {
            const char *mode = cJSON_GetStringValue(m);
            if (mode && strcmp(mode, "realtime") == 0)
                s.digest = 0;
            else if (mode && strcmp(mode, "digest") == 0)
                s.digest = 1;
            else
                json_error_add(errors, "mode", "must be realtime or digest");
        }
    }
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    rc = store_subscription_set(req_app(r)->store, req_principal(r)->org_id, &s, req_principal(r)->user_id);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    reply_json(r, 200, subscription_to_json(&s));
}

void api_push_notifications(http_request *r)
{
    long after = 0, before = -1, limit = LIM_PAGE_DEFAULT;
    if (!req_query_long_or_reply(r, "after", 0, 0x7FFFFFFFFFFFFFFFL, &after) ||
        !req_query_long_or_reply(r, "before", 0, 0x7FFFFFFFFFFFFFFFL, &before) ||
        !req_query_long_or_reply(r, "limit", 1, LIM_NOTIFICATIONS_PAGE, &limit))
        return;
    if (before >= 0 && req_query(r, "after") != NULL) {
        reply_invalid_field(r, "before", "give after (oldest first) or before (newest first), not both");
        return;
    }
    /* before=0 reads from the newest. */
    int newest_first = before >= 0;
    if (before == 0)
        before = 0x7FFFFFFFFFFFFFFFL;
    notification_page page;
    int rc = store_inbox_page(req_app(r)->store, req_principal(r)->org_id, after, newest_first ? before : 0,
                              (size_t)limit, &page);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < page.n; i++) {
        const notification *n = &page.items[i];
        cJSON *it = cJSON_CreateObject();
        json_add_int(it, "id", n->id);
        cJSON_AddStringToObject(it, "type", n->type);
        cJSON_AddStringToObject(it, "created_at", n->created_at);
        cJSON_AddBoolToObject(it, "read", n->read);
        if (n->match_status[0])
            cJSON_AddStringToObject(it, "match_status", n->match_status);
        else
            cJSON_AddNullToObject(it, "match_status");
        cJSON *event = cJSON_Parse(n->payload);
        cJSON_AddItemToObject(it, "event", event ? event : cJSON_CreateNull());
        cJSON_AddItemToArray(items, it);
    }
    const char *cursor = newest_first ? "next_before" : "next_after";
    if (page.more)
        json_add_int(out, cursor, page.items[page.n - 1].id);
    else
        cJSON_AddNullToObject(out, cursor);
    store_notification_page_cleanup(&page);
    reply_json(r, 200, out);
}

void api_push_unread(http_request *r)
{
    int64_t n = 0;
    int rc = store_notifications_unread(req_app(r)->store, req_principal(r)->org_id, &n);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "unread", n);
    reply_json(r, 200, out);
}

void api_push_read(http_request *r)
{
    int rc = store_notification_read(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0));
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no notification with this id in your inbox" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", req_param_id(r, 0));
    cJSON_AddBoolToObject(out, "read", 1);
    reply_json(r, 200, out);
}

/* Reads Last-Event-ID (absent is 0); replies 400 naming it when it is not an id this stream could have sent. */
static int last_event_id_or_reply(http_request *r, int64_t *out)
{
    const char *v = req_header(r, "Last-Event-ID");
    int64_t latest = 0;
    *out = 0;
    if (v == NULL || *v == '\0')
        return 1;
    /* The caller's own latest, not the platform's: an id beyond it tells nothing of other organisations. */
    int rc = store_notifications_last_id_of(req_app(r)->store, req_principal(r)->org_id, &latest);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return 0;
    }
    const char *problem = stream_parse_last_event_id(v, latest, out);
    if (problem) {
        reply_invalid_field(r, "Last-Event-ID", problem);
        return 0;
    }
    return 1;
}

void api_push_stream(http_request *r)
{
    subscription sub;
    int64_t after = 0;
    int rc = store_subscription_get(req_app(r)->store, req_principal(r)->org_id, &sub);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    if (!sub.stream) {
        reply_problem(r, 409, "the stream channel is off in your subscription; turn it on with PUT /api/subscription");
        return;
    }
    if (!last_event_id_or_reply(r, &after))
        return;
    /* The dispatcher has authenticated the token, so it hashes; the stream lives as long as its session. */
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    rc = req_bearer(r) ? auth_token_hash(req_bearer(r), hash) : TM_ERR_AUTH;
    if (rc == TM_OK)
        rc = stream_hub_open(req_app(r)->streams, r, req_principal(r)->org_id, after, hash);
    if (rc == TM_ERR_CONFLICT) {
        reply_problem(r, 503, "the server is stopping; reconnect shortly");
    } else if (rc == TM_ERR_LIMITED) {
        reply_add_header(r, "Retry-After", STREAM_RETRY_AFTER);
        reply_problem(r, 429, "this address has as many live streams open as it may; close one, or retry later");
    } else if (rc != TM_OK) {
        reply_status(r, rc, NULL);
    }
}

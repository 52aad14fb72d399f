/*
 * api_webhooks.c: webhook endpoints over HTTP.  The secret is made and shown
 * once (at creation and rotation); only its key is stored, for signing.
 */
#include "api_webhooks.h"
#include "app.h"
#include "auth.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "messages.h"
#include "push.h"
#include "utf8.h"
#include "webhook.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static cJSON *webhook_to_json(const webhook *w)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", w->id);
    cJSON_AddStringToObject(o, "url", w->url);
    cJSON_AddStringToObject(o, "description", w->description);
    cJSON_AddStringToObject(o, "status", w->status);
    json_add_string_or_null(o, "disabled_reason", w->disabled_reason);
    cJSON_AddStringToObject(o, "created_at", w->created_at);
    cJSON_AddStringToObject(o, "updated_at", w->updated_at);
    return o;
}

/* Replies with the endpoint and its new secret (the only time the secret is shown). */
static void reply_with_secret(http_request *r, unsigned status, const webhook *w, const char *secret)
{
    cJSON *o = webhook_to_json(w);
    cJSON_AddStringToObject(o, "secret", secret);
    reply_json(r, status, o);
}

/*
 * Replies to a create the store refused.  The store counts the endpoints in
 * its write transaction (TM_ERR_LIMITED), so the limit holds under parallel
 * creates; the reply names url, as for any other reason to refuse one.
 */
static void reply_create_refused(http_request *r, int rc)
{
    char msg[96];
    if (rc != TM_ERR_LIMITED) {
        reply_status(r, rc, NULL);
        return;
    }
    snprintf(msg, sizeof msg, N_("an organisation has at most %d endpoints; delete one first"), LIM_WEBHOOKS);
    reply_invalid_field(r, "url", msg);
}

void api_webhooks_create(http_request *r)
{
    const cJSON *body = req_json(r);
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    static const char *const names[] = { "url", "description", NULL };
    cJSON *errors = cJSON_CreateArray();
    const char *url = NULL, *description = "";
    char why[160];
    json_reject_unknown(body, names, errors);
    for (const cJSON *m = body->child; m; m = m->next) {
        if (strcmp(m->string, "url") == 0) {
            url = cJSON_GetStringValue(m);
            if (url == NULL)
                json_error_add(errors, "url", "must be a string");
            else if (webhook_url_check(url, req_app(r)->allow_private_webhooks, why, sizeof why) != TM_OK)
                json_error_add(errors, "url", "%s", why);
        } else if (strcmp(m->string, "description") == 0) {
            description = cJSON_GetStringValue(m);
            if (description == NULL || mt_utf8_length(description, strlen(description)) > LIM_WEBHOOK_DESCRIPTION)
                json_error_add(errors, "description", "must be a string of at most %d characters",
                               LIM_WEBHOOK_DESCRIPTION);
        }
    }
    if (url == NULL && cJSON_GetArraySize(errors) == 0)
        json_error_add(errors, "url", "is required");
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    unsigned char key[AUTH_WEBHOOK_KEY_BYTES];
    char secret[AUTH_WEBHOOK_SECRET_CHARS + 1];
    webhook w;
    auth_webhook_secret_new(key, secret);
    int rc = store_webhook_create(req_app(r)->store, req_principal(r)->org_id, url, description ? description : "",
                                  key, sizeof key, req_principal(r)->user_id, &w);
    sodium_memzero(key, sizeof key);
    if (rc != TM_OK) {
        sodium_memzero(secret, sizeof secret);
        reply_create_refused(r, rc);
        return;
    }
    reply_with_secret(r, 201, &w, secret);
    sodium_memzero(secret, sizeof secret);
    webhook_cleanup(&w);
}

void api_webhooks_list(http_request *r)
{
    webhook *all = NULL;
    size_t n = 0;
    int rc = store_webhook_list(req_app(r)->store, req_principal(r)->org_id, &all, &n);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(items, webhook_to_json(&all[i]));
        webhook_cleanup(&all[i]);
    }
    free(all);
    reply_json(r, 200, out);
}

/* Replies with the endpoint as it now is, or the store's error. */
static void reply_webhook(http_request *r, int rc)
{
    webhook w;
    if (rc == TM_OK)
        rc = store_webhook_get(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), &w);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no webhook with this id in your organisation" : NULL);
        return;
    }
    reply_json(r, 200, webhook_to_json(&w));
    webhook_cleanup(&w);
}

void api_webhooks_delete(http_request *r)
{
    int rc = store_webhook_delete(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0),
                                  req_principal(r)->user_id);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no webhook with this id in your organisation" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", req_param_id(r, 0));
    cJSON_AddBoolToObject(out, "deleted", 1);
    reply_json(r, 200, out);
}

void api_webhooks_rotate(http_request *r)
{
    unsigned char key[AUTH_WEBHOOK_KEY_BYTES];
    char secret[AUTH_WEBHOOK_SECRET_CHARS + 1];
    webhook w;
    auth_webhook_secret_new(key, secret);
    int rc = store_webhook_set_key(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), key, sizeof key,
                                   req_principal(r)->user_id);
    sodium_memzero(key, sizeof key);
    if (rc == TM_OK)
        rc = store_webhook_get(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), &w);
    if (rc != TM_OK) {
        sodium_memzero(secret, sizeof secret);
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no webhook with this id in your organisation" : NULL);
        return;
    }
    reply_with_secret(r, 200, &w, secret);
    sodium_memzero(secret, sizeof secret);
    webhook_cleanup(&w);
}

void api_webhooks_pause(http_request *r)
{
    reply_webhook(r, store_webhook_set_status(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0),
                                              "paused", req_principal(r)->user_id));
}

void api_webhooks_resume(http_request *r)
{
    reply_webhook(r, store_webhook_set_status(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0),
                                              "active", req_principal(r)->user_id));
}

void api_webhooks_ping(http_request *r)
{
    int64_t id = 0;
    char *payload = push_ping_payload(req_param_id(r, 0));
    int rc = store_webhook_ping(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), payload, &id);
    free(payload);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no webhook with this id in your organisation" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "delivery_id", id);
    reply_json(r, 202, out);
}

void api_webhooks_deliveries(http_request *r)
{
    long limit = LIM_PAGE_DEFAULT;
    webhook w;
    if (!req_query_long_or_reply(r, "limit", 1, LIM_PAGE_MAX, &limit))
        return;
    int rc = store_webhook_get(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), &w);
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no webhook with this id in your organisation" : NULL);
        return;
    }
    webhook_cleanup(&w);
    delivery *d = NULL;
    size_t n = 0;
    rc = store_deliveries_list(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0), (size_t)limit, &d, &n);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        json_add_int(it, "id", d[i].id);
        json_add_id_or_null(it, "notification_id", d[i].notification_id);
        cJSON_AddStringToObject(it, "msg_id", d[i].msg_id);
        cJSON_AddStringToObject(it, "state", d[i].state);
        cJSON_AddNumberToObject(it, "attempts", d[i].attempts);
        cJSON_AddStringToObject(it, "created_at", d[i].created_at);
        cJSON_AddStringToObject(it, "updated_at", d[i].updated_at);
        cJSON *tries = cJSON_AddArrayToObject(it, "tries");
        for (size_t k = 0; k < d[i].ntries; k++) {
            const delivery_attempt *a = &d[i].tries[k];
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "at", a->attempted_at);
            if (a->status_code > 0)
                cJSON_AddNumberToObject(t, "status_code", a->status_code);
            else
                cJSON_AddNullToObject(t, "status_code");
            json_add_string_or_null(t, "error", a->error);
            cJSON_AddNumberToObject(t, "duration_ms", (double)a->duration_ms);
            cJSON_AddItemToArray(tries, t);
        }
        cJSON_AddItemToArray(items, it);
    }
    store_deliveries_free(d, n);
    reply_json(r, 200, out);
}

void api_webhooks_resend(http_request *r)
{
    int rc = store_delivery_resend(req_app(r)->store, req_principal(r)->org_id, req_param_id(r, 0),
                                   req_param_id(r, 1));
    if (rc != TM_OK) {
        reply_status(r, rc, rc == TM_ERR_NOT_FOUND ? "no such delivery of this webhook in your organisation" : NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    json_add_int(out, "id", req_param_id(r, 1));
    cJSON_AddStringToObject(out, "state", "pending");
    reply_json(r, 202, out);
}

/* api_meta.c: health, the field taxonomy as a tree, the closed vocabularies, and the API description. */
#include "api_meta.h"
#include "app.h"
#include "stream.h"
#include "embedded.h"
#include "json.h"
#include "vocab.h"
#include <string.h>

void api_meta_health(http_request *r)
{
    app *a = req_app(r);
    cJSON *out = cJSON_CreateObject();
    int ok = store_ping(a->store) == TM_OK;
    cJSON_AddStringToObject(out, "status", ok ? "ok" : "unavailable");
    json_add_int(out, "schema_version", store_schema_version(a->store));
    json_add_int(out, "streams", a->streams ? (int64_t)stream_hub_count(a->streams) : 0);
    reply_json(r, ok ? 200 : 503, out);
}

static cJSON *field_json(const tax_field *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", f->code);
    json_add_int(o, "level", f->level);
    cJSON_AddStringToObject(o, "name_zh", f->name_zh);
    cJSON_AddStringToObject(o, "name_en", f->name_en);
    cJSON_AddArrayToObject(o, "children");
    return o;
}

/* Finds the node for code among nodes built so far (depth-first). */
static cJSON *find_node(cJSON *list, const char *code)
{
    cJSON *n;
    cJSON_ArrayForEach(n, list) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(n, "code");
        if (strcmp(c->valuestring, code) == 0)
            return n;
        if (strncmp(c->valuestring, code, strlen(c->valuestring)) == 0) {
            cJSON *hit = find_node(cJSON_GetObjectItemCaseSensitive(n, "children"), code);
            if (hit)
                return hit;
        }
    }
    return NULL;
}

void api_meta_fields(http_request *r)
{
    const taxonomy *t = req_app(r)->tax;
    cJSON *out = cJSON_CreateObject();
    cJSON *roots = cJSON_AddArrayToObject(out, "fields");
    /* Fields come parents first, so each parent exists when its child arrives. */
    for (size_t i = 0; i < taxonomy_count(t); i++) {
        const tax_field *f = taxonomy_at(t, i);
        cJSON *parent = f->parent ? find_node(roots, f->parent) : NULL;
        cJSON_AddItemToArray(parent ? cJSON_GetObjectItemCaseSensitive(parent, "children") : roots,
                             field_json(f));
    }
    reply_json(r, 200, out);
}

void api_meta_vocabularies(http_request *r)
{
    cJSON *out = cJSON_CreateObject();
    for (size_t i = 0; i < vocab_all_count; i++) {
        const vocab *v = vocab_all[i];
        cJSON *codes = cJSON_AddArrayToObject(out, vocab_name(v));
        for (size_t k = 0; k < vocab_count(v); k++)
            cJSON_AddItemToArray(codes, cJSON_CreateString(vocab_code(v, (int)k)));
    }
    reply_json(r, 200, out);
}

void api_meta_openapi(http_request *r)
{
    reply_static(r, 200, "application/json", embedded_openapi_json, strlen(embedded_openapi_json));
}

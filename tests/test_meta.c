/*
 * test_meta.c: the closed vocabularies (src/vocab.h) -- their lookups, GET
 * /api/meta over HTTP, that the server validates against the lists it
 * serves, and that docs/openapi.json lists the same codes wherever it lists
 * them, so the server, its description and the UI cannot drift apart.
 */
#include "test.h"
#include "embedded.h"
#include "vocab.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Whether the JSON array a holds exactly v's codes, in v's order; names the first difference. */
static int same_codes(const cJSON *a, const vocab *v, const char *where)
{
    if (!cJSON_IsArray(a)) {
        test_fail(__FILE__, __LINE__, "%s: not an array", where);
        return 0;
    }
    if ((size_t)cJSON_GetArraySize(a) != vocab_count(v)) {
        test_fail(__FILE__, __LINE__, "%s: %d codes, the server has %zu (%s)", where, cJSON_GetArraySize(a),
                  vocab_count(v), vocab_joined(v));
        return 0;
    }
    for (size_t i = 0; i < vocab_count(v); i++) {
        const char *got = cJSON_GetStringValue(cJSON_GetArrayItem(a, (int)i));
        if (got == NULL || strcmp(got, vocab_code(v, (int)i)) != 0) {
            test_fail(__FILE__, __LINE__, "%s[%zu] is %s, the server has %s", where, i, got ? got : "(not a string)",
                      vocab_code(v, (int)i));
            return 0;
        }
    }
    return 1;
}

void test_meta_vocab_lookups_and_joins(void)
{
    CHECK_INT(vocab_find(&vocab_match_statuses, "suggested"), MATCH_SUGGESTED);
    CHECK_INT(vocab_find(&vocab_match_statuses, "in_talks"), MATCH_IN_TALKS);
    CHECK_INT(vocab_find(&vocab_match_statuses, "closed"), MATCH_CLOSED);
    CHECK_INT(vocab_find(&vocab_match_statuses, "Closed"), -1);
    CHECK_INT(vocab_find(&vocab_match_statuses, "all"), -1);
    CHECK_INT(vocab_find(&vocab_match_statuses, ""), -1);
    CHECK_INT(vocab_find(&vocab_match_statuses, NULL), -1);
    CHECK_INT(vocab_find(&vocab_roles, "broker"), USER_BROKER);
    CHECK_INT(vocab_find(&vocab_roles, "broker_agency"), -1);
    CHECK_INT(vocab_find(&vocab_org_kinds, "broker_agency"), ORG_BROKER_AGENCY);
    CHECK_INT(vocab_find(&vocab_reasons, "other"), REASON_OTHER);
    CHECK_INT(vocab_find(&vocab_ip_types, "other"), IP_OTHER);
    CHECK_INT(vocab_find(&vocab_transfer_modes, "joint_development"), MODE_JOINT_DEVELOPMENT);

    CHECK_STR(vocab_code(&vocab_match_statuses, MATCH_DEAL), "deal");
    CHECK_STR(vocab_code(&vocab_ip_types, IP_KNOW_HOW), "know_how");
    CHECK(vocab_code(&vocab_roles, USER_ROLE_COUNT) == NULL);
    CHECK(vocab_code(&vocab_roles, -1) == NULL);

    CHECK_INT(vocab_count(&vocab_match_statuses), MATCH_STATUS_COUNT);
    CHECK_INT(vocab_count(&vocab_roles), USER_ROLE_COUNT);
    CHECK_INT(vocab_count(&vocab_reasons), REASON_COUNT);
    CHECK_INT(vocab_count(&vocab_transfer_modes), TRANSFER_MODE_COUNT);
    CHECK_INT(vocab_count(&vocab_ip_types), IP_TYPE_COUNT);
    CHECK_INT(vocab_count(&vocab_org_kinds), ORG_KIND_COUNT);

    /* The messages the API has always given. */
    CHECK_STR(vocab_joined(&vocab_reasons), "too_early_stage, benefit_unclear, commercial_route_unclear, "
                                            "description_vague, out_of_scope, duplicate, other");
    CHECK_STR(vocab_joined(&vocab_ip_types), "invention_patent, utility_model, software_copyright, know_how, other");
    char buf[160];
    vocab_join(&vocab_transfer_modes, " or ", buf, sizeof buf);
    CHECK_STR(buf, "transfer, license, joint_development, equity or service");
    vocab_join(&vocab_transfer_modes, ", ", buf, sizeof buf);
    CHECK_STR(buf, vocab_joined(&vocab_transfer_modes));
    vocab_join(&vocab_transfer_modes, " or ", buf, 12);
    CHECK_STR(buf, "transfer, l");

    /* Every code of a list is found at its own index, once. */
    for (size_t k = 0; k < vocab_all_count; k++)
        for (size_t i = 0; i < vocab_count(vocab_all[k]); i++)
            if (vocab_find(vocab_all[k], vocab_code(vocab_all[k], (int)i)) != (int)i)
                test_fail(__FILE__, __LINE__, "%s: %s is not found at %zu", vocab_name(vocab_all[k]),
                          vocab_code(vocab_all[k], (int)i), i);
}

void test_meta_serves_the_lists_the_server_validates_against(void)
{
    test_server s;
    unlink(test_path("meta.db"));
    REQUIRE(test_server_start(&s, test_path("meta.db"), NULL) == 0);
    char *ent = test_signup(&s, "Meta Mining Co", "enterprise", "meta@example.com");

    /* Anyone, signed in or not, gets every list. */
    const char *tokens[] = { NULL, ent };
    for (size_t t = 0; t < 2; t++) {
        test_resp *r = test_http(&s, "GET", "/api/meta", tokens[t], NULL, NULL, 0);
        CHECK_INT(r->status, 200);
        CHECK_STR(test_resp_header(r, "Content-Type"), "application/json");
        REQUIRE(cJSON_IsObject(r->json));
        CHECK_INT(cJSON_GetArraySize(r->json), vocab_all_count);
        for (size_t k = 0; k < vocab_all_count; k++)
            same_codes(cJSON_GetObjectItemCaseSensitive(r->json, vocab_name(vocab_all[k])), vocab_all[k],
                       vocab_name(vocab_all[k]));
        static const char *const names[] = { "match_statuses", "roles", "reasons", "transfer_modes", "ip_types",
                                             "org_kinds" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r->json, names[i])));
        CHECK_STR(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "match_statuses"), 0)),
                  "suggested");
        test_resp_free(r);
    }

    /* A demand may take every transfer mode /api/meta lists, and nothing else. */
    REQUIRE(ent != NULL);
    char body[512];
    size_t used = (size_t)snprintf(body, sizeof body, "{\"title\":\"meta demand\",\"cooperation_modes\":[");
    for (size_t i = 0; i < vocab_count(&vocab_transfer_modes); i++)
        used += (size_t)snprintf(body + used, sizeof body - used, "%s\"%s\"", i ? "," : "",
                                 vocab_code(&vocab_transfer_modes, (int)i));
    snprintf(body + used, sizeof body - used, "]}");
    test_resp *r = test_json(&s, "POST", "/api/demands", ent, body);
    CHECK_INT(r->status, 201);
    same_codes(cJSON_GetObjectItem(r->json, "cooperation_modes"), &vocab_transfer_modes, "cooperation_modes");
    test_resp_free(r);
    r = test_json(&s, "POST", "/api/demands", ent, "{\"title\":\"meta demand\",\"cooperation_modes\":[\"barter\"]}");
    CHECK_INT(r->status, 400);
    CHECK(test_problem_names(r, "cooperation_modes[0]"));
    CHECK_CONTAINS(r->body, vocab_joined(&vocab_transfer_modes));
    test_resp_free(r);

    free(ent);
    CHECK_INT(test_server_stop(&s), 0);
}

/* The node at a /-separated path of member names under the document's components/schemas, or NULL. */
static const cJSON *schema_at(const cJSON *schemas, const char *path)
{
    const cJSON *node = schemas;
    while (node && *path) {
        const char *slash = strchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : strlen(path);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)n, path);
        node = cJSON_GetObjectItemCaseSensitive(node, name);
        path += slash ? n + 1 : n;
    }
    return node;
}

/* Follows a local "$ref": "#/components/schemas/Name". */
static const cJSON *resolved(const cJSON *schemas, const cJSON *node)
{
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(node, "$ref"));
    static const char prefix[] = "#/components/schemas/";
    if (ref && strncmp(ref, prefix, sizeof prefix - 1) == 0)
        return cJSON_GetObjectItemCaseSensitive(schemas, ref + sizeof prefix - 1);
    return node;
}

/* Whether every item of the JSON array a is a code of v (a subset, such as the roles staff may have). */
static void codes_within(const cJSON *a, const vocab *v, const char *where)
{
    const cJSON *x;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0)
        test_fail(__FILE__, __LINE__, "%s: no enum", where);
    cJSON_ArrayForEach(x, a)
        if (vocab_find(v, cJSON_GetStringValue(x)) < 0)
            test_fail(__FILE__, __LINE__, "%s lists %s, which is not in the server's %s", where,
                      cJSON_GetStringValue(x) ? cJSON_GetStringValue(x) : "(not a string)", vocab_name(v));
}

void test_meta_openapi_lists_the_same_codes(void)
{
    cJSON *doc = cJSON_Parse(embedded_openapi_json);
    REQUIRE(doc != NULL);
    const cJSON *schemas = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "components"),
                                                            "schemas");
    REQUIRE(schemas != NULL);

    /* GET /api/meta is documented with every list, each with the server's codes. */
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"), "/api/meta"), "get");
    CHECK(op != NULL);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(schemas, "Meta");
    REQUIRE(meta != NULL);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "properties")), vocab_all_count);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(meta, "required")), vocab_all_count);
    for (size_t k = 0; k < vocab_all_count; k++) {
        char path[128];
        snprintf(path, sizeof path, "Meta/properties/%s/items", vocab_name(vocab_all[k]));
        const cJSON *items = resolved(schemas, schema_at(schemas, path));
        same_codes(cJSON_GetObjectItemCaseSensitive(items, "enum"), vocab_all[k], path);
    }

    /* Every other place that lists a whole vocabulary. */
    static const struct {
        const char *path;
        const vocab *v;
    } whole[] = {
        { "MatchCore/properties/status/enum", &vocab_match_statuses },
        { "Me/properties/role/enum", &vocab_roles },
        { "Me/properties/org/properties/kind/enum", &vocab_org_kinds },
        { "Reason/properties/reason/enum", &vocab_reasons },
        { "BulkDecision/properties/reason/enum", &vocab_reasons },
        { "TransferMode/enum", &vocab_transfer_modes },
        { "CooperationMode/enum", &vocab_transfer_modes },
        { "IpType/enum", &vocab_ip_types },
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        same_codes(schema_at(schemas, whole[i].path), whole[i].v, whole[i].path);

    /* And the places that list a part of one: who may register, which roles staff have. */
    codes_within(schema_at(schemas, "RegisterRequest/properties/org_kind/enum"), &vocab_org_kinds,
                 "RegisterRequest.org_kind");
    codes_within(schema_at(schemas, "StaffUser/properties/role/enum"), &vocab_roles, "StaffUser.role");
    codes_within(schema_at(schemas, "StaffInput/properties/role/enum"), &vocab_roles, "StaffInput.role");
    cJSON_Delete(doc);
}

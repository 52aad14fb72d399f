/* test_json.c: the checks around cJSON. */
#include "test.h"
#include "json.h"

void test_json_parse_body_checks_before_parsing(void)
{
    cJSON *j = NULL;
    char msg[200];
    CHECK_INT(json_parse_body("{\"a\":1}", 7, 4, &j, msg, sizeof msg), TM_OK);
    cJSON_Delete(j);
    CHECK_INT(json_parse_body("[[[[[1]]]]]", 11, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "nesting");
    CHECK_INT(json_parse_body("{\"a\":\"\xC3\x28\"}", 10, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "UTF-8");
    CHECK_INT(json_parse_body("{\"a\":1} x", 9, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "after the JSON");
    CHECK_INT(json_parse_body("{\"a\":", 5, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "malformed");
    CHECK_INT(json_parse_body("", 0, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    /* Brackets inside strings do not count as nesting. */
    CHECK_INT(json_parse_body("{\"a\":\"[[[[[[[[\"}", 16, 2, &j, msg, sizeof msg), TM_OK);
    cJSON_Delete(j);
    /* A member named twice means two things (found by fuzz_import: an import row with two refs). */
    CHECK_INT(json_parse_body("{\"ref\":\"a\",\"x\":1,\"ref\":\"b\"}", 27, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "\"ref\" appears twice");
    CHECK_INT(json_parse_body("[{\"k\":{\"a\":1,\"a\":2}}]", 21, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_INT(json_parse_body("[{\"a\":1},{\"a\":2}]", 17, 4, &j, msg, sizeof msg), TM_OK);
    cJSON_Delete(j);
    /* A NUL byte after the document is not whitespace. */
    CHECK_INT(json_parse_body("{}\0", 3, 4, &j, msg, sizeof msg), TM_ERR_INVALID);
}

void test_json_get_int_is_strict(void)
{
    int64_t v;
    cJSON *n = cJSON_CreateNumber(7);
    CHECK(json_get_int(n, 1, 9, &v) && v == 7);
    cJSON_SetNumberValue(n, 7.5);
    CHECK(!json_get_int(n, 1, 9, &v));
    cJSON_SetNumberValue(n, 10);
    CHECK(!json_get_int(n, 1, 9, &v));
    cJSON_Delete(n);
    cJSON *s = cJSON_CreateString("7");
    CHECK(!json_get_int(s, 1, 9, &v));
    cJSON_Delete(s);
}

void test_json_reject_unknown_names_each_member(void)
{
    static const char *const allowed[] = { "reason", "text", NULL };
    cJSON *body = cJSON_Parse("{\"reason\":\"other\",\"why\":1,\"text\":\"x\",\"extra\":null}");
    cJSON *errors = cJSON_CreateArray();
    CHECK_INT(json_reject_unknown(body, allowed, errors), 2);
    CHECK_INT(cJSON_GetArraySize(errors), 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 0), "field")), "why");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 1), "field")), "extra");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 0), "message")),
              "is not a member of this request (reason, text)");
    cJSON_Delete(body);
    /* Something that is not an object has no members to refuse (the caller says it must be an object). */
    body = cJSON_Parse("[1,2]");
    CHECK_INT(json_reject_unknown(body, allowed, errors), 0);
    CHECK_INT(cJSON_GetArraySize(errors), 2);
    cJSON_Delete(body);
    cJSON_Delete(errors);
}

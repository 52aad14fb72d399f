/* test_listing.c: member validation and the private view. */
#include "test.h"
#include "embedded.h"
#include "listing.h"
#include <stdio.h>
#include <stdlib.h>

static taxonomy *tax(void)
{
    taxonomy *t = NULL;
    char msg[200];
    if (taxonomy_parse_tsv(embedded_taxonomy_tsv, &t, msg, sizeof msg) != TM_OK)
        return NULL;
    return t;
}

/* Applies json to a new listing of kind; returns the errors array (caller frees). */
static cJSON *apply(listing_kind kind, const char *json, const taxonomy *t, listing **out)
{
    listing *l = listing_new(kind);
    cJSON *obj = cJSON_Parse(json);
    cJSON *errors = cJSON_CreateArray();
    listing_apply_json(l, obj, t, errors);
    cJSON_Delete(obj);
    if (out)
        *out = l;
    else
        listing_free(l);
    return errors;
}

static int names(const cJSON *errors, const char *field)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "field");
        if (cJSON_IsString(f) && strcmp(f->valuestring, field) == 0)
            return 1;
    }
    return 0;
}

void test_listing_valid_demand_applies(void)
{
    taxonomy *t = tax();
    listing *l = NULL;
    cJSON *errors = apply(LISTING_DEMAND,
        "{\"title\":\"  综采工作面液压支架  \",\"description\":\"需要国产化\",\"keywords\":[\"液压支架\",\"液压支架\"],"
        "\"fields\":[\"b06\"],\"budget_min\":100000,\"budget_max\":2000000,"
        "\"cooperation_modes\":[\"license\"],\"deadline\":\"2060-12-31\",\"region\":\"贵州省\"}", t, &l);
    CHECK_INT(cJSON_GetArraySize(errors), 0);
    CHECK_STR(l->title, "综采工作面液压支架");
    CHECK_INT(l->keywords.n, 1);            /* duplicates dropped */
    CHECK_STR(l->fields.v[0], "B06");        /* codes upper-cased */
    CHECK_INT(l->budget_max, 2000000);
    cJSON_Delete(errors);
    listing_free(l);
    taxonomy_free(t);
}

void test_listing_rejects_each_bad_member(void)
{
    static const struct { listing_kind kind; const char *json; const char *field; } cases[] = {
        { LISTING_DEMAND, "{\"description\":\"no title\"}", "title" },
        { LISTING_DEMAND, "{\"title\":\"\"}", "title" },
        { LISTING_DEMAND, "{\"title\":42}", "title" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"fields\":[\"Z99\"]}", "fields[0]" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"fields\":\"B06\"}", "fields" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"budget_min\":-1}", "budget_min" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"budget_max\":1.5}", "budget_max" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"budget_max\":10000000000000}", "budget_max" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"budget_min\":5,\"budget_max\":4}", "budget_min" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"deadline\":\"2020-01-01\"}", "deadline" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"deadline\":\"2060-02-30\"}", "deadline" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"deadline\":\"2030-+1-+1\"}", "deadline" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"deadline\":\"2030- 1- 1\"}", "deadline" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"cooperation_modes\":[\"gift\"]}", "cooperation_modes[0]" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"trl\":5}", "trl" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"status\":\"closed\"}", "status" },
        { LISTING_DEMAND, "{\"title\":\"t\",\"keywords\":[\"\"]}", "keywords[0]" },
        { LISTING_DEMAND, "{\"title\":\"t\\u0001\"}", "title" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"trl\":0}", "trl" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"trl\":10}", "trl" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"ip_type\":\"trade_secret\"}", "ip_type" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"price\":\"100\"}", "price" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"budget_min\":1}", "budget_min" },
        { LISTING_ACHIEVEMENT, "{\"title\":\"t\",\"transfer_modes\":[1]}", "transfer_modes[0]" },
    };
    taxonomy *t = tax();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *errors = apply(cases[i].kind, cases[i].json, t, NULL);
        if (!names(errors, cases[i].field))
            test_fail(__FILE__, __LINE__, "%s: no error names %s", cases[i].json, cases[i].field);
        cJSON_Delete(errors);
    }
    /* Over-long text, counted in characters. */
    char json[2048];
    char title[700];
    for (int i = 0; i < 201; i++)
        memcpy(title + 3 * i, "煤", 3);
    title[603] = '\0';
    snprintf(json, sizeof json, "{\"title\":\"%s\"}", title);
    cJSON *errors = apply(LISTING_DEMAND, json, t, NULL);
    CHECK(names(errors, "title"));
    cJSON_Delete(errors);
    taxonomy_free(t);
}

void test_listing_patch_keeps_other_members(void)
{
    taxonomy *t = tax();
    listing *l = NULL;
    cJSON *errors = apply(LISTING_ACHIEVEMENT, "{\"title\":\"a\",\"trl\":4,\"price\":100,\"keywords\":[\"k\"]}", t, &l);
    cJSON_Delete(errors);
    cJSON *patch = cJSON_Parse("{\"trl\":6,\"price\":null}");
    errors = cJSON_CreateArray();
    CHECK_INT(listing_apply_json(l, patch, t, errors), 0);
    CHECK_INT(l->trl, 6);
    CHECK_INT(l->price, LISTING_NO_MONEY);
    CHECK_STR(l->title, "a");
    CHECK_INT(l->keywords.n, 1);
    cJSON_Delete(patch);
    cJSON_Delete(errors);
    listing_free(l);
    taxonomy_free(t);
}

void test_listing_private_members_only_in_private_view(void)
{
    taxonomy *t = tax();
    listing *d = NULL, *a = NULL;
    cJSON_Delete(apply(LISTING_DEMAND, "{\"title\":\"d\",\"budget_min\":1,\"budget_max\":2,\"contact\":\"138\"}", t,
                       &d));
    cJSON_Delete(apply(LISTING_ACHIEVEMENT, "{\"title\":\"a\",\"price\":9,\"contact\":\"wang\"}", t, &a));
    cJSON *pub = listing_to_json(d, 0), *priv = listing_to_json(d, 1);
    CHECK(cJSON_GetObjectItem(pub, "budget_min") == NULL);
    CHECK(cJSON_GetObjectItem(pub, "contact") == NULL);
    CHECK(cJSON_GetObjectItem(pub, "org") == NULL);
    CHECK(cJSON_GetObjectItem(priv, "budget_min") != NULL);
    CHECK_STR(cJSON_GetObjectItem(priv, "contact")->valuestring, "138");
    cJSON_Delete(pub);
    cJSON_Delete(priv);
    pub = listing_to_json(a, 0);
    CHECK(cJSON_GetObjectItem(pub, "contact") == NULL);
    CHECK(cJSON_GetObjectItem(pub, "price") != NULL);
    CHECK(cJSON_GetObjectItem(pub, "org") != NULL);
    cJSON_Delete(pub);
    listing_free(d);
    listing_free(a);
    taxonomy_free(t);
}

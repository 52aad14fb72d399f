/*
 * fuzz_listing_json.c: a request body's JSON checks (json_parse_body: size,
 * UTF-8, nesting) and then the listing validation every demand and
 * achievement goes through (listing_apply_json), on both kinds, without a
 * server, so it runs fast.
 *
 * Invariants: a body that is accepted and valid prints (listing_to_json,
 * both views) to JSON that parses again; errors name a field.
 */
#include "embedded.h"
#include "json.h"
#include "limits.h"
#include "listing.h"
#include "taxonomy.h"
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static taxonomy *tax;

static void check_prints(const listing *l)
{
    for (int show = 0; show <= 1; show++) {
        cJSON *j = listing_to_json(l, show);
        char *text = json_print(j);
        cJSON *again = text ? cJSON_Parse(text) : NULL;
        if (again == NULL) {
            fprintf(stderr, "a valid listing printed JSON that does not parse: %s\n", text ? text : "(null)");
            abort();
        }
        cJSON_Delete(again);
        free(text);
        cJSON_Delete(j);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[200];
    cJSON *body = NULL;
    if (tax == NULL && taxonomy_parse_tsv(embedded_taxonomy_tsv, &tax, msg, sizeof msg) != TM_OK)
        abort();
    if (json_parse_body((const char *)data, size, LIM_JSON_DEPTH, &body, msg, sizeof msg) != TM_OK)
        return 0;
    for (int kind = 0; kind <= 1; kind++) {
        listing *l = listing_new(kind == 0 ? LISTING_DEMAND : LISTING_ACHIEVEMENT);
        cJSON *errors = cJSON_CreateArray();
        int problems = listing_apply_json(l, body, tax, errors);
        if (problems != cJSON_GetArraySize(errors))
            abort();
        const cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "message")))
                abort();
        }
        if (problems == 0)
            check_prints(l);
        cJSON_Delete(errors);
        listing_free(l);
    }
    cJSON_Delete(body);
    return 0;
}

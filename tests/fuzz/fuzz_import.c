/*
 * fuzz_import.c: bulk import of CSV and JSON Lines (import_run), the path
 * behind POST /api/{kind}/import and `techmatch import`, into a real store.
 *
 * Input: byte 0 picks the format and the kind; the rest is the file.
 * Invariants: a report comes back for every input (the file's errors, or one
 * row per line with its status), and created + updated + failed equals the
 * rows reported.
 */
#include "fuzz_server.h"
#include "import.h"
#include "log.h"
#include "store.h"
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *st;
static taxonomy *tax;
static int64_t org[2];
static void open_store(void)
{
    log_set_quiet(1);
    if (store_open(fuzz_database_path(), &st) != TM_OK || store_fields_load(st, &tax) != TM_OK ||
        store_org_ensure(st, "Fuzz Mining Co", "enterprise", &org[0]) != TM_OK ||
        store_org_ensure(st, "Fuzz University", "university", &org[1]) != TM_OK)
        abort();
}

static int count(const cJSON *report, const char *name)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(report, name);
    if (!cJSON_IsNumber(n))
        abort();
    return n->valueint;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *report = NULL;
    if (size < 1)
        return 0;
    if (st == NULL)
        open_store();
    int achievements = data[0] & 1;
    import_format format = (data[0] & 2) ? IMPORT_JSONL : IMPORT_CSV;
    int rc = import_run(st, tax, achievements ? LISTING_ACHIEVEMENT : LISTING_DEMAND, org[achievements], 0, format,
                        (const char *)data + 1, size - 1, NULL, NULL, &report);
    if (rc == TM_OK) {
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(report, "rows");
        if (!cJSON_IsArray(rows) ||
            count(report, "created") + count(report, "updated") + count(report, "failed") != cJSON_GetArraySize(rows))
            abort();
    } else if (rc == TM_ERR_INVALID) {
        if (!cJSON_IsArray(report) || cJSON_GetArraySize(report) == 0)
            abort();
    } else {
        abort(); /* the store failed: nothing here should make it */
    }
    cJSON_Delete(report);
    return 0;
}

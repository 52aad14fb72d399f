/*
 * fuzz_import.c: bulk import of CSV and JSON Lines (import_run), the path
 * behind POST /api/{kind}/import and `techmatch import`, into a real store.
 *
 * Input: byte 0 picks the format and the kind; the rest is the file.
 * Invariants: a result comes back for every input (the file's errors, or one
 * row per line with its action), created + updated + failed equals the rows
 * reported, an invalid row has errors and nothing stored, and a stored row has
 * its id and the listing as stored.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    import_result res;
    if (size < 1)
        return 0;
    if (st == NULL)
        open_store();
    int achievements = data[0] & 1;
    import_format format = (data[0] & 2) ? IMPORT_JSONL : IMPORT_CSV;
    int rc = import_run(st, tax, achievements ? LISTING_ACHIEVEMENT : LISTING_DEMAND, org[achievements], 0, format,
                        (const char *)data + 1, size - 1, NULL, NULL, &res);
    if (rc == TM_OK) {
        if (res.nrows == 0 || res.created + res.updated + res.failed != res.nrows || res.nerrors != 0)
            abort();
        for (size_t i = 0; i < res.nrows; i++) {
            const import_row *row = &res.rows[i];
            /* An invalid row says why and stored nothing; a stored one has its id and listing. */
            if ((row->action == IMPORT_SKIPPED) != (row->nerrors > 0) ||
                (row->action == IMPORT_SKIPPED) != (row->stored == NULL) ||
                (row->stored != NULL && row->stored->id != row->id) || (row->id == 0) != (row->stored == NULL))
                abort();
        }
    } else if (rc == TM_ERR_INVALID) {
        if (res.nerrors == 0 || res.nrows != 0)
            abort();
    } else {
        abort(); /* the store failed: nothing here should make it */
    }
    import_result_cleanup(&res);
    return 0;
}

/*
 * listing_write.c: store, then match, for every write of a listing (see
 * listing_write.h).  The one rule after a write lives in match_written: the
 * listing as the store returned it goes to the matcher, and a failure there
 * is logged, not returned, as the write stands.
 */
#include "listing_write.h"
#include "access.h"
#include "log.h"
#include <stddef.h>

/* Matches l after its write; returns matching's status, which the caller only reports. */
static int match_written(matching *m, store *s, const listing *l)
{
    int rc = matching_listing_written(m, s, l);
    if (rc != TM_OK)
        log_error("matching %s %lld failed; its suggestions are stale", listing_kind_name(l->kind),
                  (long long)l->id);
    return rc;
}

int listing_write_create(store *s, matching *m, listing *l, int64_t actor_user_id)
{
    int rc = store_listing_create(s, l, actor_user_id);
    if (rc == TM_OK)
        (void)match_written(m, s, l);
    return rc;
}

int listing_write_edit(store *s, matching *m, listing_kind kind, int64_t id, int64_t actor_user_id,
                       listing_edit_fn edit, void *ctx, listing **out)
{
    listing *l = NULL;
    int rc = store_listing_edit(s, kind, id, actor_user_id, edit, ctx, &l);
    if (rc == TM_OK)
        (void)match_written(m, s, l);
    if (rc == TM_OK && out)
        *out = l;
    else
        listing_free(l);
    return rc;
}

/* The check of a close: only the listing's owner changes it (access.h). */
static int owner_only(void *ctx, const listing *l)
{
    return access_owns_listing(ctx, l) ? TM_OK : TM_ERR_FORBIDDEN;
}

int listing_write_close(store *s, matching *m, listing_kind kind, int64_t id, const principal *who, listing **out)
{
    listing *l = NULL;
    int rc = store_listing_set_status(s, kind, id, "closed", who->user_id, owner_only, (void *)who, &l);
    if (rc == TM_OK)
        (void)match_written(m, s, l); /* closed: it leaves the index, its suggestions are withdrawn */
    if (rc == TM_OK && out)
        *out = l;
    else
        listing_free(l);
    return rc;
}

int listing_write_import_file(store *s, matching *m, const taxonomy *tax, import_file *f, int64_t org_id,
                              int64_t actor_user_id, import_progress_fn progress, void *ctx, import_result *out)
{
    listing_kind kind = import_file_kind(f);
    int rc = import_store(s, tax, f, org_id, actor_user_id, progress, ctx, out);
    if (rc != TM_OK)
        return rc;
    /*
     * A process without a matcher opens one now, after the rows are stored,
     * so that its index holds all of them when each is matched.
     */
    matching *own = NULL;
    if (m == NULL) {
        out->match_status = matching_open(s, &own);
        if (out->match_status != TM_OK) {
            log_error("the matcher could not start (%s); the imported %ss are not matched",
                      tm_strerror(out->match_status), listing_kind_name(kind));
            return TM_OK;
        }
        m = own;
    }
    size_t total = 0, done = 0;
    for (size_t i = 0; i < out->nrows; i++)
        total += out->rows[i].stored != NULL;
    for (size_t i = 0; i < out->nrows; i++) {
        if (out->rows[i].stored == NULL)
            continue;
        out->rows[i].match_status = match_written(m, s, out->rows[i].stored);
        if (progress && progress(ctx, IMPORT_MATCHING, ++done, total) != 0)
            break; /* the rest wait in the match queue for the next start */
    }
    matching_close(own);
    return TM_OK;
}

int listing_write_import(store *s, matching *m, const taxonomy *tax, listing_kind kind, int64_t org_id,
                         int64_t actor_user_id, import_format format, const char *data, size_t len,
                         import_progress_fn progress, void *ctx, import_result *out)
{
    import_file *f = NULL;
    int rc = import_parse(kind, format, data, len, &f, out);
    if (rc == TM_OK)
        rc = listing_write_import_file(s, m, tax, f, org_id, actor_user_id, progress, ctx, out);
    import_file_free(f);
    return rc;
}

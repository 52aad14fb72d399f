/*
 * store_fixture.h: scratch stores for the per-noun store tests
 * (tests/test_store_*.c): a fresh database file, an organisation, listings
 * and a push payload builder.  Everything returned is owned by the caller.
 */
#ifndef TM_STORE_FIXTURE_H
#define TM_STORE_FIXTURE_H
#include "store.h"

/* Opens a new, empty store at test_path(name) (a file left by an earlier run is removed); NULL on failure. */
store *fixture_store(const char *name);
/* The id of organisation name of kind (created if needed); 0 on failure. */
int64_t fixture_org(store *s, const char *name, const char *kind);
/* Stores a listing of kind for org with title and one field code; returns it (listing_free), or NULL. */
listing *fixture_listing(store *s, listing_kind kind, int64_t org, const char *title, const char *field);
/* A push_payload_fn: {"n": n, "first": first match id}, type match.pushed (n = 1) or match.digest. */
char *fixture_payload(void *ctx, const match *m, const listing *const *demands, const listing *const *achievements,
                      size_t n, const char **type);
/* Records the pair (demand, achievement) at score as the matcher does for the demand (its other
 * suggestions are withdrawn) and returns the match id, or 0. */
int64_t fixture_match(store *s, int64_t demand, int64_t achievement, double score);

#endif

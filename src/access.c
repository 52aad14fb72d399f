/*
 * access.c: the access rules of access.h, each a short function over the
 * caller (a principal, or NULL when anonymous), the listing or match, and for
 * matches the owner reader.  A role is read from the principal's code
 * (vocab_roles); a status through the lifecycle.
 */
#include "access.h"
#include "lifecycle.h"
#include "vocab.h"
#include <string.h>

/* p's role as enum user_role, or -1 for anonymous (or an unknown code). */
static int role_of(const principal *p)
{
    return p ? vocab_find(&vocab_roles, p->role) : -1;
}

/* Whether the listing of this kind and id is owned by p's organisation, by the caller's reader. */
static int owns(const principal *p, listing_kind kind, int64_t id, access_owner_fn owner, void *ctx)
{
    if (p == NULL)
        return 0;
    int64_t org = owner(ctx, kind, id);
    return org != 0 && org == p->org_id;
}

int access_is_staff(const principal *p)
{
    int role = role_of(p);
    return role == USER_BROKER || role == USER_ADMIN;
}

int access_owns_listing(const principal *p, const listing *l)
{
    return p && p->org_id == l->org_id;
}

int access_listing_private(const principal *p, const listing *l)
{
    return access_owns_listing(p, l) || access_is_staff(p);
}

int access_list_by_org(const principal *p, listing_kind kind, int64_t org_id)
{
    if (kind != LISTING_DEMAND || access_is_staff(p))
        return 1;
    return p && p->org_id == org_id;
}

int access_listing_matches(const principal *p, const listing *l)
{
    return access_owns_listing(p, l) || access_is_staff(p);
}

int access_match_visible(const principal *p, const match *m, access_owner_fn owner, void *ctx)
{
    if (access_is_staff(p))
        return 1;
    switch (role_of(p)) {
    case USER_ENTERPRISE:
        return lifecycle_was_pushed(m->status) && owns(p, LISTING_DEMAND, m->demand_id, owner, ctx);
    case USER_UNIVERSITY: {
        int proposed = m->origin && strcmp(m->origin, "proposal") == 0;
        return (m->introduced_at != NULL || proposed) && owns(p, LISTING_ACHIEVEMENT, m->achievement_id, owner, ctx);
    }
    default:
        return 0;
    }
}

int access_match_demand_side(const principal *p, const match *m, access_owner_fn owner, void *ctx)
{
    return lifecycle_was_pushed(m->status) && owns(p, LISTING_DEMAND, m->demand_id, owner, ctx);
}

int access_match_listing_private(const principal *p, const match *m, listing_kind side)
{
    if (p == NULL)
        return LISTING_SHOW_PUBLIC;
    int demand_side = role_of(p) == USER_ENTERPRISE;
    if (access_is_staff(p) || (side == LISTING_DEMAND) == demand_side)
        return LISTING_SHOW_PRIVATE;
    return m->introduced_at != NULL ? LISTING_SHOW_INTRODUCED : LISTING_SHOW_PUBLIC;
}

int access_match_records_view(const principal *p, const match *m)
{
    return role_of(p) == USER_ENTERPRISE && vocab_find(&vocab_match_statuses, m->status) == MATCH_PUSHED;
}

/*
 * access.h: who sees what -- the one module that decides it.  Handlers ask
 * here and decide nothing for themselves.  (Whether a role may call a route
 * at all is the route table's business: routes.c, enforced by http.c before
 * a handler runs.)
 *
 * The rules:
 *  - Staff (brokers and admins) see everything: every listing's private
 *    members, every match with both its listings in full, notes, assignees.
 *  - A listing's public members are for anyone, signed in or not; its
 *    private members (listing_to_json: a demand's budget, contact and
 *    organisation, an achievement's contact, the import ref) for the users of
 *    the organisation that posted it, and staff.  Only that organisation
 *    changes it, or proposes with it.
 *  - Enterprises stay anonymous: demands are listed by organisation only for
 *    that organisation itself and staff.
 *  - A listing's live matches are for its organisation and staff; each shows
 *    the other side's listing as the caller sees that listing.
 *  - A stored match is for staff; for the enterprise that owns its demand
 *    once the match was pushed to it (lifecycle_was_pushed); for the
 *    university that owns its achievement once the two sides were introduced
 *    (in_talks), or when it proposed the match itself.  Only the enterprise
 *    that owns the demand makes the enterprise's moves, once it was pushed.
 *  - Anonymity until introduction: within a match, each side sees its own
 *    listing's private members, and the other side's only from the
 *    introduction on, and never its import ref.  The demand side's first
 *    look at a pushed match records it as viewed.  A side that may not see a
 *    match, or may not make a move on it, is answered as if it did not exist
 *    (404), and a refused proposal of a pair names its status only to a
 *    university that may see it.
 *  - Events pushed out (inbox, live stream, webhooks) carry public members
 *    only: a push is not an introduction.
 *
 * A principal of NULL is an anonymous caller.  Deciding on a match may need
 * which organisation owns one of its listings: the caller passes a reader
 * (access_owner_fn) that access calls only when the answer depends on it, so
 * a decision costs no read it does not need.  Otherwise the functions are
 * pure: no I/O, thread-safe, nothing to free.
 */
#ifndef TM_ACCESS_H
#define TM_ACCESS_H
#include "listing.h"
#include "principal.h"
#include "store.h"
#include <stdint.h>

/* Whether events pushed out of the server show a listing's private members (no: see above). */
#define ACCESS_EVENT_SHOWS_PRIVATE 0

/* Whether p is staff: a broker or an admin (0 for NULL). */
int access_is_staff(const principal *p);
/* Whether p's organisation posted l: it may change l and propose with it (0 for NULL). */
int access_owns_listing(const principal *p, const listing *l);
/* Whether p sees l's private members: l's own organisation, and staff. */
int access_listing_private(const principal *p, const listing *l);
/* Whether p may list listings of kind by the organisation org_id (?org=): demands only their own, or staff. */
int access_list_by_org(const principal *p, listing_kind kind, int64_t org_id);
/* Whether p sees l's live matches: l's own organisation, and staff. */
int access_listing_matches(const principal *p, const listing *l);

/*
 * Reads which organisation owns the listing of this kind and id; returns its
 * id, or 0 when it cannot be read (no such listing, or the store failed: the
 * caller is then refused).
 */
typedef int64_t (*access_owner_fn)(void *ctx, listing_kind kind, int64_t listing_id);

/* Whether p may see the stored match m at all; owner(ctx, ...) is called at most once. */
int access_match_visible(const principal *p, const match *m, access_owner_fn owner, void *ctx);
/*
 * Whether p may make the enterprise's moves on m: m reached the enterprise
 * (lifecycle_was_pushed) and p's organisation owns m's demand; calls owner at
 * most once.  Before the push the demand side is refused as if m did not exist.
 */
int access_match_demand_side(const principal *p, const match *m, access_owner_fn owner, void *ctx);
/*
 * How p, who may see m (access_match_visible), sees m's listing of this kind
 * (side), as a LISTING_SHOW_* for listing_to_json: staff and each side its own
 * listing LISTING_SHOW_PRIVATE; the other side's LISTING_SHOW_INTRODUCED once
 * introduced (m->introduced_at set: its private members but the import ref,
 * which stays with its organisation), before that LISTING_SHOW_PUBLIC;
 * anonymous always LISTING_SHOW_PUBLIC.  Non-zero means private members shown.
 */
int access_match_listing_private(const principal *p, const match *m, listing_kind side);
/* Whether the look of p, who may see m, records m as viewed: p is the demand side (an enterprise) and m is pushed. */
int access_match_records_view(const principal *p, const match *m);

#endif

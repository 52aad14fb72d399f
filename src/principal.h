/*
 * principal.h: who is making a request -- a signed-in user, the user's role
 * and organisation.
 *
 * Plain data in caller storage (no heap, nothing to free).  The store fills
 * it from a session or a registration; the HTTP server holds one per signed-in
 * request (req_principal) and checks the route's roles by it; access.h decides
 * from it who sees what.  role and org_kind are codes of vocab_roles and
 * vocab_org_kinds (vocab.h).
 */
#ifndef TM_PRINCIPAL_H
#define TM_PRINCIPAL_H
#include <stdint.h>

typedef struct principal {
    int64_t user_id;
    int64_t org_id;
    char role[16];          /* enterprise | university | broker | admin */
    char org_kind[16];      /* enterprise | university | broker_agency */
    char email[256];
    char display_name[512];
    char org_name[512];
} principal;

#endif

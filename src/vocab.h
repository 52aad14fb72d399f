/*
 * vocab.h: the closed vocabularies -- every member of the API whose value is
 * one of a fixed list of codes -- each written once, as an X-macro.
 *
 * Each list gives an enum (MATCH_SUGGESTED, ...), the code of each value
 * ("suggested") and, through its vocab descriptor, the validator (code to
 * enum: vocab_find), the reverse (vocab_code) and the codes joined for error
 * messages (vocab_joined, vocab_join).  GET /api/meta serves every list
 * (vocab_all), and tests/test_meta.c checks that docs/openapi.json lists the
 * same codes, so the server, its description and the UI cannot drift apart.
 *
 * Why one file and not a list in each owner's header: these lists are data
 * that the API, the OpenAPI document and the UI must agree on, so they are
 * kept, served and checked side by side, with one lookup for all.  The rules
 * about them stay with their owners: which move leads to which status
 * (lifecycle.h), which listing member takes which list (listing.h), which
 * role may call which route (routes.c) and who sees what (access.h).
 *
 * A list's order is its order in the API (error messages, /api/meta) and its
 * enum values are indexes into it: append new codes, do not reorder.  SQL in
 * the store keeps its own literals (the schema's CHECK constraints).
 *
 * Everything here is constant data and the functions are pure: thread-safe.
 */
#ifndef TM_VOCAB_H
#define TM_VOCAB_H
#include <stddef.h>

/* Where a match is in its lifecycle (lifecycle.h). */
#define VOCAB_MATCH_STATUSES(X) \
    X(MATCH_SUGGESTED, "suggested") \
    X(MATCH_WITHDRAWN, "withdrawn") \
    X(MATCH_APPROVED, "approved") \
    X(MATCH_REJECTED, "rejected") \
    X(MATCH_PUSHED, "pushed") \
    X(MATCH_VIEWED, "viewed") \
    X(MATCH_INTERESTED, "interested") \
    X(MATCH_DECLINED, "declined") \
    X(MATCH_IN_TALKS, "in_talks") \
    X(MATCH_DEAL, "deal") \
    X(MATCH_CLOSED, "closed")

/* A user's role (principal.h); the route table's role bits follow this order (http.h). */
#define VOCAB_ROLES(X) \
    X(USER_ENTERPRISE, "enterprise") \
    X(USER_UNIVERSITY, "university") \
    X(USER_BROKER, "broker") \
    X(USER_ADMIN, "admin")

/* Why a match was rejected, declined or closed (lifecycle.h). */
#define VOCAB_REASONS(X) \
    X(REASON_TOO_EARLY_STAGE, "too_early_stage") \
    X(REASON_BENEFIT_UNCLEAR, "benefit_unclear") \
    X(REASON_COMMERCIAL_ROUTE_UNCLEAR, "commercial_route_unclear") \
    X(REASON_DESCRIPTION_VAGUE, "description_vague") \
    X(REASON_OUT_OF_SCOPE, "out_of_scope") \
    X(REASON_DUPLICATE, "duplicate") \
    X(REASON_OTHER, "other")

/* How technology changes hands: a demand's cooperation_modes, an achievement's transfer_modes, a deal's mode. */
#define VOCAB_TRANSFER_MODES(X) \
    X(MODE_TRANSFER, "transfer") \
    X(MODE_LICENSE, "license") \
    X(MODE_JOINT_DEVELOPMENT, "joint_development") \
    X(MODE_EQUITY, "equity") \
    X(MODE_SERVICE, "service")

/* The intellectual property an achievement is (listing.h). */
#define VOCAB_IP_TYPES(X) \
    X(IP_INVENTION_PATENT, "invention_patent") \
    X(IP_UTILITY_MODEL, "utility_model") \
    X(IP_SOFTWARE_COPYRIGHT, "software_copyright") \
    X(IP_KNOW_HOW, "know_how") \
    X(IP_OTHER, "other")

/* What an organisation is; enterprises and universities register, brokers' agencies are made with staff. */
#define VOCAB_ORG_KINDS(X) \
    X(ORG_ENTERPRISE, "enterprise") \
    X(ORG_UNIVERSITY, "university") \
    X(ORG_BROKER_AGENCY, "broker_agency")

/*
 * The enums.  They are used by tag (enum match_status), without typedefs:
 * org_kind, ip_type and transfer_mode are also the names of members and
 * variables, which a typedef would shadow.
 */
#define VOCAB_ENUM_ITEM(id, code) id,
enum match_status { VOCAB_MATCH_STATUSES(VOCAB_ENUM_ITEM) MATCH_STATUS_COUNT };
enum user_role { VOCAB_ROLES(VOCAB_ENUM_ITEM) USER_ROLE_COUNT };
enum reason_code { VOCAB_REASONS(VOCAB_ENUM_ITEM) REASON_COUNT };
enum transfer_mode { VOCAB_TRANSFER_MODES(VOCAB_ENUM_ITEM) TRANSFER_MODE_COUNT };
enum ip_type { VOCAB_IP_TYPES(VOCAB_ENUM_ITEM) IP_TYPE_COUNT };
enum org_kind { VOCAB_ORG_KINDS(VOCAB_ENUM_ITEM) ORG_KIND_COUNT };

/* One list: opaque; read it through the functions below. */
typedef struct vocab vocab;

extern const vocab vocab_match_statuses;
extern const vocab vocab_roles;
extern const vocab vocab_reasons;
extern const vocab vocab_transfer_modes;
extern const vocab vocab_ip_types;
extern const vocab vocab_org_kinds;

/* Every list, in the order GET /api/meta answers them. */
extern const vocab *const vocab_all[];
extern const size_t vocab_all_count;

/* The list's name as GET /api/meta answers it ("match_statuses", "roles", ...). Static. */
const char *vocab_name(const vocab *v);
/* How many codes the list has (its enum's ..._COUNT). */
size_t vocab_count(const vocab *v);
/* The code of enum value i ("suggested" for MATCH_SUGGESTED), or NULL when i is out of range. Static. */
const char *vocab_code(const vocab *v, int i);
/* The enum value of code (exact, case-sensitive), or -1 when code is NULL or not in the list: the validator. */
int vocab_find(const vocab *v, const char *code);
/* The codes joined by ", " ("transfer, license, ..."), for error messages. Static. */
const char *vocab_joined(const vocab *v);
/*
 * Writes the codes to out joined by ", " except the last two, joined by last
 * (" or " gives "transfer, license, ... equity or service"); cut short when
 * len is too small.  out is always NUL-terminated (len > 0).
 */
void vocab_join(const vocab *v, const char *last, char *out, size_t len);

#endif

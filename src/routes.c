/*
 * routes.c: the route table, as data.  Each row says who may call the route
 * and how large its body may be; the dispatcher (http.c) enforces both before
 * the handler runs.  Every row must also appear in docs/openapi.json and in the
 * authorization matrix of tests/test_api_http.c (a test checks both).
 */
#include "api_auth.h"
#include "api_decisions.h"
#include "api_listings.h"
#include "api_matches.h"
#include "api_meta.h"
#include "api_push.h"
#include "api_stats.h"
#include "api_thesaurus.h"
#include "api_webhooks.h"
#include "http.h"
#include "limits.h"
#include "listing.h"
#include "metrics.h"

#define D LISTING_DEMAND
#define A LISTING_ACHIEVEMENT

const route http_routes[] = {
    { "GET", "/healthz", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_meta_health, 0 },
    { "GET", "/metrics", ROLE_OPERATOR, LIM_BODY_SMALL, BODY_NONE, metrics_get, 0 },
    { "GET", "/api/openapi.json", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_meta_openapi, 0 },
    { "GET", "/api/fields", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_meta_fields, 0 },
    { "GET", "/api/meta", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_meta_vocabularies, 0 },

    { "POST", "/api/auth/register", ROLE_ANON, LIM_BODY_SMALL, BODY_JSON, api_auth_register, 0 },
    { "POST", "/api/auth/verify", ROLES_ANYONE, LIM_BODY_SMALL, BODY_JSON, api_auth_verify, 0 },
    { "POST", "/api/auth/login", ROLES_ANYONE, LIM_BODY_SMALL, BODY_JSON, api_auth_login, 0 },
    { "POST", "/api/auth/logout", ROLES_SIGNED_IN, LIM_BODY_SMALL, BODY_NONE, api_auth_logout, 0 },
    { "GET", "/api/me", ROLES_SIGNED_IN, LIM_BODY_SMALL, BODY_NONE, api_auth_me, 0 },
    { "GET", "/api/users", ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_auth_staff_list, 0 },
    { "POST", "/api/users", ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_auth_staff_add, 0 },
    { "GET", "/api/staff", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_auth_staff_names, 0 },

    { "GET", "/api/demands", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_listings_list, D },
    { "POST", "/api/demands", ROLE_ENTERPRISE, LIM_BODY_LISTING, BODY_JSON, api_listings_create, D },
    { "POST", "/api/demands/import", ROLE_ENTERPRISE, LIM_BODY_IMPORT, BODY_IMPORT, api_listings_import, D },
    { "GET", "/api/demands/{id}", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_listings_get, D },
    { "PATCH", "/api/demands/{id}", ROLE_ENTERPRISE, LIM_BODY_LISTING, BODY_JSON, api_listings_update, D },
    { "POST", "/api/demands/{id}/close", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_listings_close, D },
    { "GET", "/api/demands/{id}/matches", ROLE_ENTERPRISE | ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE,
      api_matches_for_listing, D },

    { "GET", "/api/achievements", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_listings_list, A },
    { "POST", "/api/achievements", ROLE_UNIVERSITY, LIM_BODY_LISTING, BODY_JSON, api_listings_create, A },
    { "POST", "/api/achievements/import", ROLE_UNIVERSITY, LIM_BODY_IMPORT, BODY_IMPORT, api_listings_import, A },
    { "GET", "/api/achievements/{id}", ROLES_ANYONE, LIM_BODY_SMALL, BODY_NONE, api_listings_get, A },
    { "PATCH", "/api/achievements/{id}", ROLE_UNIVERSITY, LIM_BODY_LISTING, BODY_JSON, api_listings_update, A },
    { "POST", "/api/achievements/{id}/close", ROLE_UNIVERSITY, LIM_BODY_SMALL, BODY_NONE, api_listings_close, A },
    { "GET", "/api/achievements/{id}/matches", ROLE_UNIVERSITY | ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE,
      api_matches_for_listing, A },

    { "GET", "/api/imports/{id}", ROLES_SIGNED_IN, LIM_BODY_SMALL, BODY_NONE, api_listings_import_job, 0 },

    { "GET", "/api/matches", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_list, 0 },
    { "GET", "/api/stats", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_stats_get, 0 },
    { "GET", "/api/export/decisions.csv", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_stats_decisions_csv,
      0 },
    { "GET", "/api/review", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_review, 0 },
    { "GET", "/api/review/summary", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_review_summary,
      0 },
    { "GET", "/api/review/decisions-report", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE,
      api_decisions_report, 0 },
    { "POST", "/api/proposals", ROLE_UNIVERSITY, LIM_BODY_SMALL, BODY_JSON, api_matches_propose, 0 },
    { "POST", "/api/matches/bulk", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_bulk, 0 },
    { "GET", "/api/matches/{id}", ROLE_BROKER | ROLE_ADMIN | ROLE_ENTERPRISE | ROLE_UNIVERSITY, LIM_BODY_SMALL,
      BODY_NONE, api_matches_get, 0 },
    { "POST", "/api/matches/{id}/approve", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE,
      api_matches_approve, 0 },
    { "POST", "/api/matches/{id}/reject", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_move,
      MOVE_REJECT },
    { "POST", "/api/matches/{id}/interested", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_matches_move,
      MOVE_INTERESTED },
    { "POST", "/api/matches/{id}/declined", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_JSON, api_matches_move,
      MOVE_DECLINED },
    { "POST", "/api/matches/{id}/in_talks", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_move,
      MOVE_IN_TALKS },
    { "POST", "/api/matches/{id}/deal", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_move,
      MOVE_DEAL },
    { "POST", "/api/matches/{id}/close", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_move,
      MOVE_CLOSE },
    { "POST", "/api/matches/{id}/assign", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_assign, 0 },
    { "POST", "/api/matches/{id}/notes", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_note, 0 },
    { "GET", "/api/matches/{id}/history", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_history, 0 },
    { "GET", "/api/policy", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_matches_policy_get, 0 },
    { "PUT", "/api/policy", ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_matches_policy_put, 0 },
    { "GET", "/api/thesaurus", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_thesaurus_list, 0 },
    { "POST", "/api/thesaurus", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_JSON, api_thesaurus_add, 0 },
    { "DELETE", "/api/thesaurus/{id}", ROLE_BROKER | ROLE_ADMIN, LIM_BODY_SMALL, BODY_NONE, api_thesaurus_delete, 0 },

    { "GET", "/api/subscription", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_push_subscription_get, 0 },
    { "PUT", "/api/subscription", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_JSON, api_push_subscription_put, 0 },
    { "GET", "/api/notifications", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_push_notifications, 0 },
    { "GET", "/api/notifications/unread", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_push_unread, 0 },
    { "POST", "/api/notifications/{id}/read", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_push_read, 0 },
    { "GET", "/api/stream", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_push_stream, 0 },

    { "POST", "/api/webhooks", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_JSON, api_webhooks_create, 0 },
    { "GET", "/api/webhooks", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_list, 0 },
    { "DELETE", "/api/webhooks/{id}", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_delete, 0 },
    { "POST", "/api/webhooks/{id}/rotate", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_rotate, 0 },
    { "POST", "/api/webhooks/{id}/pause", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_pause, 0 },
    { "POST", "/api/webhooks/{id}/resume", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_resume, 0 },
    { "POST", "/api/webhooks/{id}/ping", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_ping, 0 },
    { "GET", "/api/webhooks/{id}/deliveries", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE, api_webhooks_deliveries, 0 },
    { "POST", "/api/webhooks/{id}/deliveries/{delivery_id}/resend", ROLE_ENTERPRISE, LIM_BODY_SMALL, BODY_NONE,
      api_webhooks_resend, 0 },
};

const size_t http_routes_count = sizeof http_routes / sizeof http_routes[0];

/* api_matches.h: handlers for a listing's live matches and the stored matches (see routes.c). */
#ifndef TM_API_MATCHES_H
#define TM_API_MATCHES_H
#include "http.h"

/* GET /api/{demands|achievements}/{id}/matches: the owner, brokers, admins. */
void api_matches_for_listing(http_request *r);
/* GET /api/matches: brokers and admins. */
void api_matches_list(http_request *r);
/* POST /api/matches/{id}/approve: brokers and admins; pushes the match through the outbox. */
void api_matches_approve(http_request *r);
/* The lifecycle moves a route makes (its arg); see lifecycle.h. */
enum api_match_move { MOVE_REJECT, MOVE_INTERESTED, MOVE_DECLINED, MOVE_IN_TALKS, MOVE_DEAL, MOVE_CLOSE };

/* POST /api/matches/{id}/{reject|interested|declined|in_talks|deal|close}: 409 names the moves allowed. */
void api_matches_move(http_request *r);
/* GET /api/matches/{id}: brokers and admins; the enterprise once pushed; the university once introduced. */
void api_matches_get(http_request *r);
/* POST /api/matches/{id}/assign {broker_id} (null to unassign): brokers and admins. */
void api_matches_assign(http_request *r);
/* POST /api/matches/{id}/notes {text}: brokers and admins. */
void api_matches_note(http_request *r);
/* GET /api/matches/{id}/history: brokers and admins; every action from audit_log. */
void api_matches_history(http_request *r);
/* POST /api/matches/bulk {action: approve|reject, ids, reason, text}: brokers and admins; a result per id. */
void api_matches_bulk(http_request *r);
/*
 * GET /api/review: brokers and admins; suggested matches and proposals, best
 * first, both listings in full; filters field, region, min_score, max_score,
 * max_age_days, assigned (me | none | id), origin (matcher | proposal); the
 * total only with total=true (as GET /api/matches).
 */
void api_matches_review(http_request *r);
/*
 * GET /api/review/summary?since=T: brokers and admins; the queue in figures
 * (waiting, the oldest waiting match) and the review decisions (approve,
 * reject) made since T (RFC 3339 with an offset): total and the caller's own.
 */
void api_matches_review_summary(http_request *r);
/* POST /api/proposals {demand_id, achievement_id, statement}: a university proposes its achievement (揭榜). */
void api_matches_propose(http_request *r);
/* GET /api/policy (brokers and admins) and PUT /api/policy (admins): the matching policy. */
void api_matches_policy_get(http_request *r);
void api_matches_policy_put(http_request *r);


#endif

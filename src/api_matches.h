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
/* GET /api/policy (brokers and admins) and PUT /api/policy (admins): the matching policy. */
void api_matches_policy_get(http_request *r);
void api_matches_policy_put(http_request *r);

#endif

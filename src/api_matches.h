/* api_matches.h: handlers for a listing's live matches and the stored matches (see routes.c). */
#ifndef TM_API_MATCHES_H
#define TM_API_MATCHES_H
#include "http.h"

/* GET /api/{demands|achievements}/{id}/matches: the owner, brokers, admins. */
void api_matches_for_listing(http_request *r);
/* GET /api/matches: brokers and admins. */
void api_matches_list(http_request *r);

#endif

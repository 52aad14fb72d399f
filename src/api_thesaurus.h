/*
 * api_thesaurus.h: the thesaurus brokers curate, over HTTP (brokers and
 * admins; see routes.c).  An entry pairs two terms the matcher is to treat as
 * one, a translation or a synonym; adding or deleting one re-matches the open
 * listings that hold either term (matching_thesaurus_changed) before the
 * reply, which says how many were re-matched.
 */
#ifndef TM_API_THESAURUS_H
#define TM_API_THESAURUS_H
#include "http.h"

/* GET /api/thesaurus?q=&kind=&limit=&cursor=&total=: entries newest first, paged by cursor. */
void api_thesaurus_list(http_request *r);
/* POST /api/thesaurus {term_a, term_b, kind, note}: 201 with the entry and rematched; 409 for a stored pair. */
void api_thesaurus_add(http_request *r);
/* DELETE /api/thesaurus/{id}: 200 {id, deleted, rematched}; 404 when there is no such entry. */
void api_thesaurus_delete(http_request *r);

#endif

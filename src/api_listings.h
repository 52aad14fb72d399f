/*
 * api_listings.h: handlers for /api/demands and /api/achievements (see
 * routes.c).  The route's arg is the listing_kind, so one handler serves both.
 * An import answers 202 with its job (import_job.h); /api/imports/{id} reads it.
 */
#ifndef TM_API_LISTINGS_H
#define TM_API_LISTINGS_H
#include "http.h"

void api_listings_list(http_request *r);
void api_listings_get(http_request *r);
void api_listings_create(http_request *r);
void api_listings_update(http_request *r);
void api_listings_close(http_request *r);
void api_listings_import(http_request *r);
void api_listings_import_job(http_request *r);

#endif

/* api_meta.h: handlers for /healthz, /api/fields, /api/meta and /api/openapi.json (see routes.c). */
#ifndef TM_API_META_H
#define TM_API_META_H
#include "http.h"

void api_meta_health(http_request *r);
void api_meta_fields(http_request *r);
/* GET /api/meta: every closed vocabulary of vocab.h as {name: [code, ...]} (codes only; the UI has the labels). */
void api_meta_vocabularies(http_request *r);
void api_meta_openapi(http_request *r);

#endif

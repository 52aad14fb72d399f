/* api_push.h: handlers for what an enterprise hears: its subscription and its inbox (see routes.c). */
#ifndef TM_API_PUSH_H
#define TM_API_PUSH_H
#include "http.h"

/* GET and PUT /api/subscription: enterprises (their organisation's). */
void api_push_subscription_get(http_request *r);
void api_push_subscription_put(http_request *r);
/* GET /api/notifications?after=ID&limit=N: the organisation's inbox, oldest first after the cursor. */
void api_push_notifications(http_request *r);
/* GET /api/notifications/unread: {"unread": N}. */
void api_push_unread(http_request *r);
/* POST /api/notifications/{id}/read. */
void api_push_read(http_request *r);
/* GET /api/stream: Server-Sent Events of the inbox, resumable with Last-Event-ID. */
void api_push_stream(http_request *r);

#endif

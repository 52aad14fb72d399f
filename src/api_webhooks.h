/* api_webhooks.h: an enterprise's webhook endpoints and their delivery log (see routes.c, webhook.h). */
#ifndef TM_API_WEBHOOKS_H
#define TM_API_WEBHOOKS_H
#include "http.h"

/* POST /api/webhooks {url, description}: 201 with the whsec_ secret, shown this once. */
void api_webhooks_create(http_request *r);
/* GET /api/webhooks: the organisation's endpoints (no secrets). */
void api_webhooks_list(http_request *r);
/* DELETE /api/webhooks/{id}. */
void api_webhooks_delete(http_request *r);
/* POST /api/webhooks/{id}/rotate: a new secret, shown this once; the old one stops working. */
void api_webhooks_rotate(http_request *r);
/* POST /api/webhooks/{id}/pause and /resume (resume also re-enables a disabled endpoint). */
void api_webhooks_pause(http_request *r);
void api_webhooks_resume(http_request *r);
/* POST /api/webhooks/{id}/ping: queues a webhook.ping event to this endpoint. */
void api_webhooks_ping(http_request *r);
/* GET /api/webhooks/{id}/deliveries: newest first, with every attempt. */
void api_webhooks_deliveries(http_request *r);
/* POST /api/webhooks/{id}/deliveries/{delivery_id}/resend. */
void api_webhooks_resend(http_request *r);

#endif

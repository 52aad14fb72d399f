/* api_stats.h: the brokers' statistics and the decisions export (see routes.c). */
#ifndef TM_API_STATS_H
#define TM_API_STATS_H
#include "http.h"

/*
 * GET /api/stats: brokers and admins.  The funnel (suggested, approved,
 * pushed, viewed, interested, in talks, deals) overall, by field and by
 * month; hours from posting a demand to its first push; reject, decline and
 * close reasons counted; each broker's open workload; the scores of approved
 * and of rejected matches (ten bins); deals and their amount.
 */
void api_stats_get(http_request *r);
/* GET /api/export/decisions.csv: every decision with the match's score parts. */
void api_stats_decisions_csv(http_request *r);

#endif

/* api_decisions.h: the decisions report, what brokers' approvals and rejections say about the scores (routes.c). */
#ifndef TM_API_DECISIONS_H
#define TM_API_DECISIONS_H
#include "http.h"

/*
 * GET /api/review/decisions-report: brokers and admins.  Each match's latest
 * review decision (approve or reject) counted by score band and by the
 * demand's field, the rejections' reasons, the precision and recall of
 * approvals at the policy's suggest threshold, and a suggested threshold
 * (decisions_report.h says the rule), or why there is none.  Optional since=
 * (RFC 3339 with its offset: decisions at or after it) and field= (a section
 * or division code: demands with a field under it; the fields are then
 * counted by division).  400 names since or field when malformed.
 */
void api_decisions_report(http_request *r);

#endif

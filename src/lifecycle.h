/*
 * lifecycle.h: which moves a match may make, from which status, by whom
 * (DESIGN.md, "Match lifecycle"), and the reason codes decisions carry.
 *
 *   suggested --approve (broker)--> approved --outbox--> pushed --> viewed
 *   suggested, approved --reject (broker, reason)--> rejected
 *   pushed, viewed --interested (enterprise)--> interested
 *   pushed, viewed, interested --declined (enterprise, reason)--> declined
 *   interested --in_talks (broker)--> in_talks --deal (broker, amount, mode)--> deal
 *   interested, in_talks --close (broker, reason)--> closed
 *
 * Pure data and functions: no I/O, thread-safe.
 */
#ifndef TM_LIFECYCLE_H
#define TM_LIFECYCLE_H
#include <stddef.h>

typedef enum lc_actor { LC_BROKER, LC_ENTERPRISE } lc_actor;

typedef struct lc_move {
    const char *action;          /* as in the route: reject, interested, ... */
    const char *to;              /* the status it leads to */
    lc_actor actor;
    int needs_reason;            /* a reason code is required */
    const char *const *from;     /* NULL-terminated */
} lc_move;

/* The move named action, or NULL. */
const lc_move *lifecycle_move(const char *action);
/* Whether the move may start from status. */
int lifecycle_allows(const lc_move *m, const char *status);
/*
 * Writes the actions this actor may take from status, comma-separated ("none"
 * when there are none), to out.
 */
void lifecycle_allowed(const char *status, lc_actor actor, char *out, size_t len);

/* Whether code is a reason code (too_early_stage, benefit_unclear, ..., other). */
int lifecycle_reason_ok(const char *code);
/* The reason codes, comma-separated, for error messages. */
const char *lifecycle_reasons(void);

#endif

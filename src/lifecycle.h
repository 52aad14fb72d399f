/*
 * lifecycle.h: which moves a match may make, from which status, by whom
 * (DESIGN.md, "Match lifecycle"), and which of them need a reason code.
 *
 *   suggested --approve (broker)--> approved --outbox--> pushed --> viewed
 *   suggested, approved --reject (broker, reason)--> rejected
 *   pushed, viewed --interested (enterprise)--> interested
 *   pushed, viewed, interested --declined (enterprise, reason)--> declined
 *   interested --in_talks (broker)--> in_talks --deal (broker, amount, mode)--> deal
 *   interested, in_talks --close (broker, reason)--> closed
 *
 * The statuses and the reason codes themselves are closed vocabularies
 * (vocab.h: vocab_match_statuses, vocab_reasons); this module says how a
 * match moves between them.
 *
 * Pure data and functions: no I/O, thread-safe.
 */
#ifndef TM_LIFECYCLE_H
#define TM_LIFECYCLE_H
#include "vocab.h"
#include <stddef.h>

typedef enum lc_actor { LC_BROKER, LC_ENTERPRISE } lc_actor;

typedef struct lc_move {
    const char *action;          /* as in the route: reject, interested, ... */
    enum match_status to;        /* the status it leads to */
    lc_actor actor;
    int needs_reason;            /* a reason code (vocab_reasons) is required */
    unsigned from;               /* the statuses it may start from, as bits 1u << enum match_status */
} lc_move;

/* The move named action, or NULL. */
const lc_move *lifecycle_move(const char *action);
/* Whether the move may start from status (a code of vocab_match_statuses; 0 for any other string). */
int lifecycle_allows(const lc_move *m, const char *status);
/*
 * Whether a match in status has reached the enterprise: pushed, or any
 * status it can only get to from there (viewed ... closed).  0 for any other
 * string.
 */
int lifecycle_was_pushed(const char *status);
/*
 * Writes the actions this actor may take from status, comma-separated ("none"
 * when there are none), to out.
 */
void lifecycle_allowed(const char *status, lc_actor actor, char *out, size_t len);
/*
 * Fills out (room for max) with the actions (static strings, in the table's
 * order) this actor may take from status; returns how many there are.
 */
size_t lifecycle_moves(const char *status, lc_actor actor, const char **out, size_t max);

#endif

/* lifecycle.c: the match lifecycle as a table (see lifecycle.h). */
#include "lifecycle.h"
#include <stdio.h>
#include <string.h>

#define FROM(s) (1u << (s))
_Static_assert(MATCH_STATUS_COUNT <= 32, "the statuses of a move fit in an unsigned");

static const lc_move moves[] = {
    { "approve", MATCH_APPROVED, LC_BROKER, 0, FROM(MATCH_SUGGESTED) },
    { "reject", MATCH_REJECTED, LC_BROKER, 1, FROM(MATCH_SUGGESTED) | FROM(MATCH_APPROVED) },
    { "interested", MATCH_INTERESTED, LC_ENTERPRISE, 0, FROM(MATCH_PUSHED) | FROM(MATCH_VIEWED) },
    { "declined", MATCH_DECLINED, LC_ENTERPRISE, 1, FROM(MATCH_PUSHED) | FROM(MATCH_VIEWED) | FROM(MATCH_INTERESTED) },
    { "in_talks", MATCH_IN_TALKS, LC_BROKER, 0, FROM(MATCH_INTERESTED) },
    { "deal", MATCH_DEAL, LC_BROKER, 0, FROM(MATCH_IN_TALKS) },
    { "close", MATCH_CLOSED, LC_BROKER, 1, FROM(MATCH_INTERESTED) | FROM(MATCH_IN_TALKS) },
};

/* The statuses a match has once it reached the enterprise. */
static const unsigned pushed_or_later = FROM(MATCH_PUSHED) | FROM(MATCH_VIEWED) | FROM(MATCH_INTERESTED) |
                                        FROM(MATCH_DECLINED) | FROM(MATCH_IN_TALKS) | FROM(MATCH_DEAL) |
                                        FROM(MATCH_CLOSED);

/* Whether status (a code, or any string) is one of the statuses in mask. */
static int status_in(unsigned mask, const char *status)
{
    int s = vocab_find(&vocab_match_statuses, status);
    return s >= 0 && (mask & FROM(s)) != 0;
}

const lc_move *lifecycle_move(const char *action)
{
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (strcmp(moves[i].action, action) == 0)
            return &moves[i];
    return NULL;
}

int lifecycle_allows(const lc_move *m, const char *status)
{
    return status_in(m->from, status);
}

int lifecycle_was_pushed(const char *status)
{
    return status_in(pushed_or_later, status);
}

void lifecycle_allowed(const char *status, lc_actor actor, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (moves[i].actor == actor && lifecycle_allows(&moves[i], status)) {
            int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", moves[i].action);
            if (n < 0 || (size_t)n >= len - used)
                break;
            used += (size_t)n;
        }
    if (used == 0)
        snprintf(out, len, "none");
}

size_t lifecycle_moves(const char *status, lc_actor actor, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof moves / sizeof moves[0] && n < max; i++)
        if (moves[i].actor == actor && lifecycle_allows(&moves[i], status))
            out[n++] = moves[i].action;
    return n;
}

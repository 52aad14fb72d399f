/* lifecycle.c: the match lifecycle as a table (see lifecycle.h). */
#include "lifecycle.h"
#include <stdio.h>
#include <string.h>

static const char *const from_suggested_approved[] = { "suggested", "approved", NULL };
static const char *const from_pushed[] = { "pushed", "viewed", NULL };
static const char *const from_pushed_interested[] = { "pushed", "viewed", "interested", NULL };
static const char *const from_interested[] = { "interested", NULL };
static const char *const from_in_talks[] = { "in_talks", NULL };
static const char *const from_talks_or_interest[] = { "interested", "in_talks", NULL };
static const char *const from_suggested[] = { "suggested", NULL };

static const lc_move moves[] = {
    { "approve", "approved", LC_BROKER, 0, from_suggested },
    { "reject", "rejected", LC_BROKER, 1, from_suggested_approved },
    { "interested", "interested", LC_ENTERPRISE, 0, from_pushed },
    { "declined", "declined", LC_ENTERPRISE, 1, from_pushed_interested },
    { "in_talks", "in_talks", LC_BROKER, 0, from_interested },
    { "deal", "deal", LC_BROKER, 0, from_in_talks },
    { "close", "closed", LC_BROKER, 1, from_talks_or_interest },
};

static const char *const reasons[] = {
    "too_early_stage", "benefit_unclear", "commercial_route_unclear", "description_vague",
    "out_of_scope", "duplicate", "other", NULL,
};

const lc_move *lifecycle_move(const char *action)
{
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (strcmp(moves[i].action, action) == 0)
            return &moves[i];
    return NULL;
}

int lifecycle_allows(const lc_move *m, const char *status)
{
    for (size_t i = 0; m->from[i]; i++)
        if (strcmp(m->from[i], status) == 0)
            return 1;
    return 0;
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

int lifecycle_reason_ok(const char *code)
{
    for (size_t i = 0; reasons[i]; i++)
        if (strcmp(reasons[i], code) == 0)
            return 1;
    return 0;
}

const char *lifecycle_reasons(void)
{
    return "too_early_stage, benefit_unclear, commercial_route_unclear, description_vague, out_of_scope, "
           "duplicate, other";
}

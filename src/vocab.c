/*
 * vocab.c: the closed vocabularies as tables (see vocab.h).  Each table and
 * its joined form are built at compile time from the X-macro lists, so there
 * is nothing to initialise and nothing to keep in step by hand.
 */
#include "vocab.h"
#include <stdio.h>
#include <string.h>

struct vocab {
    const char *name;           /* member of GET /api/meta */
    const char *const *codes;   /* indexed by the enum */
    size_t n;
    const char *joined;         /* "a, b, c" */
};

#define VOCAB_CODE_ITEM(id, code) code,
/* Each code preceded by ", "; the table points past the first separator. */
#define VOCAB_JOIN_ITEM(id, code) ", " code

#define VOCAB_DEFINE(var, meta_name, LIST) \
    static const char *const var##_codes[] = { LIST(VOCAB_CODE_ITEM) }; \
    const vocab var = { meta_name, var##_codes, sizeof var##_codes / sizeof var##_codes[0], \
                        &(LIST(VOCAB_JOIN_ITEM))[2] };

VOCAB_DEFINE(vocab_match_statuses, "match_statuses", VOCAB_MATCH_STATUSES)
VOCAB_DEFINE(vocab_roles, "roles", VOCAB_ROLES)
VOCAB_DEFINE(vocab_reasons, "reasons", VOCAB_REASONS)
VOCAB_DEFINE(vocab_transfer_modes, "transfer_modes", VOCAB_TRANSFER_MODES)
VOCAB_DEFINE(vocab_ip_types, "ip_types", VOCAB_IP_TYPES)
VOCAB_DEFINE(vocab_org_kinds, "org_kinds", VOCAB_ORG_KINDS)

const vocab *const vocab_all[] = {
    &vocab_match_statuses, &vocab_roles, &vocab_reasons, &vocab_transfer_modes, &vocab_ip_types, &vocab_org_kinds,
};
const size_t vocab_all_count = sizeof vocab_all / sizeof vocab_all[0];

const char *vocab_name(const vocab *v)
{
    return v->name;
}

size_t vocab_count(const vocab *v)
{
    return v->n;
}

const char *vocab_code(const vocab *v, int i)
{
    return i >= 0 && (size_t)i < v->n ? v->codes[i] : NULL;
}

int vocab_find(const vocab *v, const char *code)
{
    if (code == NULL)
        return -1;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->codes[i], code) == 0)
            return (int)i;
    return -1;
}

const char *vocab_joined(const vocab *v)
{
    return v->joined;
}

void vocab_join(const vocab *v, const char *last, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->n && used < len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == v->n ? last : ", ";
        int n = snprintf(out + used, len - used, "%s%s", sep, v->codes[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/*
 * fuzz_last_event_id.c: the Last-Event-ID header of a reconnecting live
 * stream (stream_parse_last_event_id).
 *
 * Input: the header's value.  Invariants: a value is accepted only when it is
 * decimal digits naming an id from 0 to the latest, and then it is that id;
 * anything else gets a problem sentence.
 */
#include "stream.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t latest = 123456789;
    char v[64];
    int64_t id = -1;
    if (size >= sizeof v)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';
    const char *problem = stream_parse_last_event_id(v, latest, &id);
    if (problem != NULL) {
        if (*problem == '\0')
            abort();
        return 0;
    }
    char back[32];
    snprintf(back, sizeof back, "%" PRId64, id);
    size_t zeros = strspn(v, "0");
    const char *digits = v[0] == '\0' ? "0" : v[zeros] == '\0' ? "0" : v + zeros;
    if (id < 0 || id > latest || strcmp(back, digits) != 0)
        abort();
    return 0;
}

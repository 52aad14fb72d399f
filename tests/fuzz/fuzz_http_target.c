/*
 * fuzz_http_target.c: request targets (path and query string) through the
 * real server: libmicrohttpd's request-line and URL decoding, our router
 * ({id} segments, 404/405), the static pages, and every query argument the
 * handlers read (cursors, filters, limits, q=).
 *
 * Input: byte 0 picks the method and the role; the rest is the target.  A
 * finding is a crash, a sanitizer report, a 500, or no answer.
 */
#include "fuzz_server.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = { "GET", "GET", "GET", "POST", "DELETE", "PATCH" };
    if (size < 1)
        return 0;
    /* Signing out would end the session the rest of the run uses. */
    if (memmem(data, size, "logout", 6))
        return 0;
    fuzz_server_start();
    const char *method = methods[(data[0] >> 4) % 6];
    fuzz_role role = (fuzz_role)(data[0] % FUZZ_ROLES);
    const uint8_t *body = NULL;
    /* A POST carries an empty JSON object, so routes without a body of their own still run. */
    if (method[0] == 'P')
        body = (const uint8_t *)"{}";
    fuzz_request(method, (const char *)data + 1, size - 1, role, body ? "application/json" : NULL, NULL, body,
                 body ? 2 : 0);
    return 0;
}

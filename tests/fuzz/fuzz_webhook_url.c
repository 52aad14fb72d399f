/*
 * fuzz_webhook_url.c: the check every webhook URL passes at registration
 * (webhook_url_check), on any text.
 *
 * Names are looked up without the network (no_dns.c): only literal
 * addresses resolve.  Input: byte 0's low bit allows private
 * addresses; the rest is the URL.  Invariants: an accepted URL starts http: or
 * https:; with private addresses refused, a URL that starts
 * http://127.0.0.1/ or http://[::1]/ is not accepted.
 */
#include "webhook.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char url[4096], why[256] = "";
    if (size < 1 || size > sizeof url)
        return 0;
    memcpy(url, data + 1, size - 1);
    url[size - 1] = '\0';
    int allow_private = data[0] & 1;
    int rc = webhook_url_check(url, allow_private, why, sizeof why);
    if (rc != TM_OK) {
        if (why[0] == '\0')
            abort();
        return 0;
    }
    if (strncasecmp(url, "http:", 5) != 0 && strncasecmp(url, "https:", 6) != 0)
        abort();
    if (!allow_private && (strncmp(url, "http://127.0.0.1/", 17) == 0 || strncmp(url, "http://[::1]/", 13) == 0))
        abort();
    return 0;
}

/*
 * no_dns.c: keeps the fuzzers off the network.  Every fuzzer is linked with
 * -Wl,--wrap=getaddrinfo, so techmatch's own look-ups (the webhook URL check)
 * come here, and this one asks for numeric hosts only: a name never becomes a
 * DNS query that leaves the machine, and fuzzing runs the same offline.
 */
#include <netdb.h>

int __real_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res);

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
    struct addrinfo h = { 0 };
    if (hints)
        h = *hints;
    h.ai_flags |= AI_NUMERICHOST;
    return __real_getaddrinfo(node, service, &h, res);
}

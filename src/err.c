/* err.c: names for tm_status values. */
#include "err.h"

const char *tm_strerror(int status)
{
    switch ((tm_status)status) {
    case TM_OK: return "ok";
    case TM_ERR_INVALID: return "invalid input";
    case TM_ERR_NOT_FOUND: return "not found";
    case TM_ERR_CONFLICT: return "conflict";
    case TM_ERR_FORBIDDEN: return "forbidden";
    case TM_ERR_AUTH: return "not authenticated";
    case TM_ERR_LIMITED: return "rate limited";
    case TM_ERR_DB: return "database error";
    case TM_ERR_IO: return "input/output error";
    case TM_ERR_CRYPTO: return "cryptography error";
    case TM_ERR_INTERNAL: return "internal error";
    case TM_ERR_FULL: return "storage is full (no space left for the database)";
    }
    return "unknown error";
}

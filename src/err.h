/*
 * err.h: the one status enum of techmatch.
 *
 * Functions that can fail return a tm_status (0 = TM_OK) and are marked
 * TM_MUST_CHECK.  tm_strerror gives a static English phrase for logs.
 * TM_ERR_FULL is apart from TM_ERR_DB because it is the operator's to fix
 * (free space) and the client's to retry, not a bug: the HTTP layer answers
 * it 507, the CLI names it.
 */
#ifndef TM_ERR_H
#define TM_ERR_H

#define TM_MUST_CHECK __attribute__((warn_unused_result))

typedef enum tm_status {
    TM_OK = 0,
    TM_ERR_INVALID,    /* input failed validation */
    TM_ERR_NOT_FOUND,  /* no such row or file */
    TM_ERR_CONFLICT,   /* unique constraint or state conflict */
    TM_ERR_FORBIDDEN,  /* authenticated but not allowed */
    TM_ERR_AUTH,       /* not authenticated: bad credentials, expired token */
    TM_ERR_LIMITED,    /* rate limit reached */
    TM_ERR_DB,         /* SQLite failed */
    TM_ERR_IO,         /* file or socket failed */
    TM_ERR_CRYPTO,     /* libsodium failed */
    TM_ERR_INTERNAL,   /* a library returned something unexpected */
    TM_ERR_FULL        /* storage is full (ENOSPC, quota): the write was not stored */
} tm_status;

const char *tm_strerror(int status);

#endif

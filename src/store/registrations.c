/*
 * registrations.c: the registration conflict check and the registrations
 * waiting for their email (see store.h, "registrations").  Completing one
 * creates the organisation and user through accounts.c's sx_account_create_in,
 * in the transaction that takes the pending row.
 */
#include "store_int.h"
#include <stdio.h>
#include <string.h>

static st_sql SQL_REG_CONFLICT = ST_SQL("SELECT EXISTS (SELECT 1 FROM users WHERE email = ?2),"
                                        " EXISTS (SELECT 1 FROM orgs WHERE name = ?1)");
static st_sql SQL_REG_PURGE = ST_SQL("DELETE FROM registrations WHERE expires_at <= ?1");
static st_sql SQL_REG_INSERT = ST_SQL("INSERT INTO registrations(token_hash, org_name, org_kind, email,"
                                      " display_name, password_hash, created_at, expires_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
static st_sql SQL_REG_TAKE = ST_SQL("DELETE FROM registrations WHERE token_hash = ?1"
                                    " RETURNING org_name, org_kind, email, display_name, password_hash, expires_at");

typedef struct taken {
    int email, org_name;
} taken;

/* Reads the conflict row: whether the email, and the name, are taken. */
static int taken_row(void *ctx, sqlite3_stmt *row)
{
    taken *t = ctx;
    t->email = sqlite3_column_int(row, 0);
    t->org_name = sqlite3_column_int(row, 1);
    return TM_OK;
}

int store_registration_conflict(store *s, const char *org_name, const char *email, const char **conflict)
{
    taken t = { 0, 0 };
    *conflict = NULL;
    int status = st_read_one(s, &SQL_REG_CONFLICT, ST_ARGS(A_TEXT(org_name), A_TEXT(email)), taken_row, &t,
                             "registration conflict");
    if (status != TM_OK)
        return status;
    if (t.email)
        *conflict = "email";
    else if (t.org_name)
        *conflict = "org_name";
    return *conflict ? TM_ERR_CONFLICT : TM_OK;
}

int store_registration_add(store *s, const unsigned char *token_hash, size_t hash_len,
                           const pending_registration *reg, int64_t now, int64_t expires_at)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_run(c, &SQL_REG_PURGE, ST_ARGS(A_INT(now)), "purge registrations");
    if (status == TM_OK)
        status = st_run(c, &SQL_REG_INSERT,
                        ST_ARGS(A_BLOB(token_hash, hash_len), A_TEXT(reg->org_name), A_TEXT(reg->org_kind),
                                A_TEXT(reg->email), A_TEXT(reg->display_name), A_TEXT(reg->password_hash),
                                A_INT(now), A_INT(expires_at)),
                        "insert registration");
    return st_write_end(s, c, status);
}

/* A pending row as taken: its texts copied (the statement is reset before they are used). */
typedef struct pending_row {
    char org_name[512], org_kind[16], email[256], display_name[512], password_hash[256];
    int64_t expires_at;
} pending_row;

/* Copies the taken row into the pending_row ctx. */
static int pending_row_read(void *ctx, sqlite3_stmt *row)
{
    pending_row *p = ctx;
    st_col_copy(p->org_name, sizeof p->org_name, row, 0);
    st_col_copy(p->org_kind, sizeof p->org_kind, row, 1);
    st_col_copy(p->email, sizeof p->email, row, 2);
    st_col_copy(p->display_name, sizeof p->display_name, row, 3);
    st_col_copy(p->password_hash, sizeof p->password_hash, row, 4);
    p->expires_at = sqlite3_column_int64(row, 5);
    return TM_OK;
}

int store_registration_complete(store *s, const unsigned char *token_hash, size_t hash_len, int64_t now,
                                principal *out, const char **conflict)
{
    pending_row p;
    principal made;
    *conflict = NULL;
    memset(&p, 0, sizeof p);
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_one(c, &SQL_REG_TAKE, ST_ARGS(A_BLOB(token_hash, hash_len)), pending_row_read, &p,
                        "take registration");
    int expired = status == TM_OK && p.expires_at <= now;
    if (status == TM_OK && !expired)
        status = sx_account_create_in(c, p.org_name, p.org_kind, p.email, p.display_name, p.password_hash, &made,
                                      conflict);
    /* An expired row is deleted (committed) and refused as if unknown. */
    status = st_write_end(s, c, status);
    memset(p.password_hash, 0, sizeof p.password_hash);
    if (status == TM_OK && expired)
        return TM_ERR_NOT_FOUND;
    if (status == TM_OK)
        *out = made;
    return status;
}

/*
 * accounts.c: organisations, users, sessions and staff (see store.h,
 * "accounts" and "organisations").
 */
#include "store_int.h"
#include <stdio.h>
#include <string.h>

static st_sql SQL_ORG_INSERT = ST_SQL("INSERT INTO orgs(kind, name) VALUES (?1, ?2) RETURNING id");
static st_sql SQL_ORG_FIND = ST_SQL("SELECT id, kind FROM orgs WHERE name = ?1");
static st_sql SQL_USER_INSERT = ST_SQL("INSERT INTO users(org_id, role, email, display_name, password_hash)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");

/* Inserts an org; returns TM_ERR_CONFLICT if the name exists. */
static int org_insert(conn *c, const char *kind, const char *name, int64_t *id)
{
    return st_int(c, &SQL_ORG_INSERT, ST_ARGS(A_TEXT(kind), A_TEXT(name)), id, "insert org");
}

static int user_insert(conn *c, int64_t org_id, const char *role, const char *email,
                       const char *display_name, const char *hash, int64_t *id)
{
    return st_int(c, &SQL_USER_INSERT, ST_ARGS(A_INT(org_id), A_TEXT(role), A_TEXT(email), A_TEXT(display_name),
                                               A_TEXT(hash)), id, "insert user");
}

int sx_account_create_in(conn *c, const char *org_name, const char *org_kind, const char *email,
                         const char *display_name, const char *password_hash, principal *out, const char **conflict)
{
    int64_t org_id = 0, user_id = 0;
    *conflict = NULL;
    int status = org_insert(c, org_kind, org_name, &org_id);
    if (status == TM_ERR_CONFLICT)
        *conflict = "org_name";
    if (status == TM_OK) {
        status = user_insert(c, org_id, org_kind, email, display_name, password_hash, &user_id);
        if (status == TM_ERR_CONFLICT)
            *conflict = "email";
    }
    if (status == TM_OK) {
        memset(out, 0, sizeof *out);
        out->user_id = user_id;
        out->org_id = org_id;
        snprintf(out->role, sizeof out->role, "%s", org_kind);
        snprintf(out->org_kind, sizeof out->org_kind, "%s", org_kind);
        snprintf(out->email, sizeof out->email, "%s", email);
        snprintf(out->display_name, sizeof out->display_name, "%s", display_name);
        snprintf(out->org_name, sizeof out->org_name, "%s", org_name);
    }
    return status;
}

int store_register(store *s, const char *org_name, const char *org_kind, const char *email,
                   const char *display_name, const char *password_hash, principal *out,
                   const char **conflict)
{
    principal made;
    *conflict = NULL;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_account_create_in(c, org_name, org_kind, email, display_name, password_hash, &made, conflict);
    status = st_write_end(s, c, status);
    if (status == TM_OK)
        *out = made;
    return status;
}

typedef struct org_found {
    int64_t *id;
    char *kind;              /* 16 bytes */
} org_found;

static int org_row(void *ctx, sqlite3_stmt *row)
{
    org_found *f = ctx;
    *f->id = sqlite3_column_int64(row, 0);
    st_col_copy(f->kind, 16, row, 1);
    return TM_OK;
}

static int org_find(conn *c, const char *name, int64_t *id, char *kind)
{
    org_found f = { id, kind };
    return st_one(c, &SQL_ORG_FIND, ST_ARGS(A_TEXT(name)), org_row, &f, "find org");
}

int store_user_add(store *s, const char *email, const char *role, const char *org_name,
                   const char *display_name, const char *password_hash, int64_t *user_id)
{
    int64_t org_id = 0;
    char kind[16] = "";
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, org_name, &org_id, kind);
    if (status == TM_ERR_NOT_FOUND)
        status = org_insert(c, "broker_agency", org_name, &org_id);
    else if (status == TM_OK && strcmp(kind, "broker_agency") != 0)
        status = TM_ERR_INVALID;
    if (status == TM_OK)
        status = user_insert(c, org_id, role, email, display_name, password_hash, user_id);
    return st_write_end(s, c, status);
}

static st_sql SQL_USER_CREDENTIALS = ST_SQL("SELECT id, password_hash FROM users WHERE email = ?1");

typedef struct credentials {
    int64_t *user_id;
    char *hash;
    size_t hashlen;
} credentials;

static int credentials_row(void *ctx, sqlite3_stmt *row)
{
    credentials *x = ctx;
    *x->user_id = sqlite3_column_int64(row, 0);
    st_col_copy(x->hash, x->hashlen, row, 1);
    return TM_OK;
}

int store_user_credentials(store *s, const char *email, int64_t *user_id, char *hash, size_t hashlen)
{
    credentials x = { user_id, hash, hashlen };
    return st_read_one(s, &SQL_USER_CREDENTIALS, ST_ARGS(A_TEXT(email)), credentials_row, &x, "user credentials");
}

static st_sql SQL_USER_ROLE = ST_SQL("SELECT role FROM users WHERE id = ?1");

static int role_row(void *ctx, sqlite3_stmt *row)
{
    st_col_copy(ctx, 16, row, 0);
    return TM_OK;
}

int store_user_role(store *s, int64_t user_id, char *role)
{
    role[0] = '\0';
    int status = st_read_one(s, &SQL_USER_ROLE, ST_ARGS(A_INT(user_id)), role_row, role, "user role");
    return status == TM_ERR_NOT_FOUND ? TM_OK : status;
}

/* ---------- sessions ---------- */

static st_sql SQL_SESSION_PURGE = ST_SQL("DELETE FROM sessions WHERE expires_at <= ?1");
static st_sql SQL_SESSION_INSERT = ST_SQL("INSERT INTO sessions(token_hash, user_id, created_at, expires_at)"
                                          " VALUES (?1, ?2, ?3, ?4)");
static st_sql SQL_SESSION_PRINCIPAL = ST_SQL("SELECT u.id, u.org_id, u.role, u.email, u.display_name, o.name, o.kind"
                                             " FROM sessions s JOIN users u ON u.id = s.user_id"
                                             " JOIN orgs o ON o.id = u.org_id"
                                             " WHERE s.token_hash = ?1 AND s.expires_at > ?2");
static st_sql SQL_SESSION_EXPIRY = ST_SQL("SELECT expires_at FROM sessions WHERE token_hash = ?1 AND expires_at > ?2");
static st_sql SQL_SESSION_DELETE = ST_SQL("DELETE FROM sessions WHERE token_hash = ?1");

int store_session_create(store *s, const unsigned char *token_hash, size_t hash_len,
                         int64_t user_id, int64_t now, int64_t expires_at)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_run(c, &SQL_SESSION_PURGE, ST_ARGS(A_INT(now)), "purge sessions");
    if (status == TM_OK)
        status = st_run(c, &SQL_SESSION_INSERT, ST_ARGS(A_BLOB(token_hash, hash_len), A_INT(user_id), A_INT(now),
                                                        A_INT(expires_at)), "insert session");
    return st_write_end(s, c, status);
}

static int principal_row(void *ctx, sqlite3_stmt *row)
{
    principal *out = ctx;
    memset(out, 0, sizeof *out);
    out->user_id = sqlite3_column_int64(row, 0);
    out->org_id = sqlite3_column_int64(row, 1);
    st_col_copy(out->role, sizeof out->role, row, 2);
    st_col_copy(out->email, sizeof out->email, row, 3);
    st_col_copy(out->display_name, sizeof out->display_name, row, 4);
    st_col_copy(out->org_name, sizeof out->org_name, row, 5);
    st_col_copy(out->org_kind, sizeof out->org_kind, row, 6);
    return TM_OK;
}

int store_session_principal(store *s, const unsigned char *token_hash, size_t hash_len,
                            int64_t now, principal *out)
{
    return st_read_one(s, &SQL_SESSION_PRINCIPAL, ST_ARGS(A_BLOB(token_hash, hash_len), A_INT(now)),
                       principal_row, out, "session lookup");
}

int store_session_expiry(store *s, const unsigned char *token_hash, size_t hash_len, int64_t now,
                         int64_t *expires_at)
{
    return st_read_int(s, &SQL_SESSION_EXPIRY, ST_ARGS(A_BLOB(token_hash, hash_len), A_INT(now)), expires_at,
                       "session expiry");
}

int store_session_delete(store *s, const unsigned char *token_hash, size_t hash_len)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_run(c, &SQL_SESSION_DELETE, ST_ARGS(A_BLOB(token_hash, hash_len)), "delete session");
    return st_write_end(s, c, status);
}

/* ---------- organisations ---------- */

int store_org_find(store *s, const char *name, int64_t *id, char *kind)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, name, id, kind);
    st_release(s, c);
    return status;
}

int store_org_ensure(store *s, const char *name, const char *kind, int64_t *id)
{
    char have[16] = "";
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, name, id, have);
    if (status == TM_ERR_NOT_FOUND)
        status = org_insert(c, kind, name, id);
    else if (status == TM_OK && strcmp(have, kind) != 0)
        status = TM_ERR_CONFLICT;
    return st_write_end(s, c, status);
}

/* ---------- staff ---------- */

static st_sql SQL_STAFF_LIST = ST_SQL("SELECT u.id, u.email, u.display_name, u.role, o.name, u.created_at FROM users u"
                                      " JOIN orgs o ON o.id = u.org_id"
                                      " WHERE u.role IN ('broker', 'admin') ORDER BY u.id");

static int staff_row(void *ctx, sqlite3_stmt *row)
{
    staff_user *u = st_vec_push(ctx);
    u->id = sqlite3_column_int64(row, 0);
    st_col_copy(u->email, sizeof u->email, row, 1);
    st_col_copy(u->display_name, sizeof u->display_name, row, 2);
    st_col_copy(u->role, sizeof u->role, row, 3);
    st_col_copy(u->org_name, sizeof u->org_name, row, 4);
    st_col_copy(u->created_at, sizeof u->created_at, row, 5);
    return TM_OK;
}

int store_staff_list(store *s, staff_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    st_vec v = ST_VEC(out, n);
    return st_read(s, &SQL_STAFF_LIST, ST_NO_ARGS, staff_row, &v, "list staff");
}

/* ---------- the demo (techmatch demo) ---------- */

/* The markers are audit rows: the database's own record that it was seeded as the demo, and when. */
static st_sql SQL_DEMO_ORGS = ST_SQL("SELECT count(*) FROM orgs");
static st_sql SQL_DEMO_MARK = ST_SQL("SELECT count(*) FROM audit_log WHERE entity = 'demo' AND action = ?1");

static int demo_marked(conn *c, const char *action, int *out)
{
    int64_t n = 0;
    int status = st_int(c, &SQL_DEMO_MARK, ST_ARGS(A_TEXT(action)), &n, "read the demo marks");
    *out = n > 0;
    return status;
}

int store_demo_seed_begin(store *s, int *fresh)
{
    int64_t orgs = 0;
    int seeded = 0;
    *fresh = 0;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = demo_marked(c, "demo.seeded", &seeded);
    if (status == TM_OK && !seeded)
        status = st_int(c, &SQL_DEMO_ORGS, ST_NO_ARGS, &orgs, "count organisations");
    if (status == TM_OK && !seeded && orgs > 0)
        status = TM_ERR_CONFLICT;
    if (status == TM_OK && !seeded) {
        status = sx_audit_row(c, 0, "demo.seeded", "demo", 0, NULL, NULL);
        *fresh = status == TM_OK;
    }
    return st_write_end(s, c, status);
}

int store_demo_accounts_add(store *s, const demo_account *a, size_t n, int *created)
{
    int seeded = 0, done = 0;
    *created = 0;
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = demo_marked(c, "demo.seeded", &seeded);
    if (status == TM_OK)
        status = demo_marked(c, "demo.accounts", &done);
    if (status == TM_OK && !seeded)
        status = TM_ERR_CONFLICT;
    for (size_t i = 0; status == TM_OK && !done && i < n; i++) {
        int64_t org_id = 0, user_id = 0;
        char kind[16] = "";
        int staff = strcmp(a[i].role, "broker") == 0 || strcmp(a[i].role, "admin") == 0;
        status = org_find(c, a[i].org_name, &org_id, kind);
        if (status == TM_ERR_NOT_FOUND && staff)
            status = org_insert(c, "broker_agency", a[i].org_name, &org_id);
        else if (status == TM_OK && strcmp(kind, staff ? "broker_agency" : a[i].role) != 0)
            status = TM_ERR_INVALID;
        if (status == TM_OK)
            status = user_insert(c, org_id, a[i].role, a[i].email, a[i].display_name, a[i].password_hash, &user_id);
    }
    if (status == TM_OK && !done) {
        status = sx_audit_row(c, 0, "demo.accounts", "demo", 0, NULL, NULL);
        *created = status == TM_OK;
    }
    status = st_write_end(s, c, status);
    if (status != TM_OK)
        *created = 0;
    return status;
}

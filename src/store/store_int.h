/*
 * store_int.h: what the files of src/store/ share, private to them.  Callers
 * use store.h; nothing outside src/store/ includes this header (or sqlite3.h).
 *
 * Statements.  Each store file declares the SQL it runs next to the code that
 * runs it, as a static st_sql:
 *
 *     static st_sql SQL_NOTE_LIST = ST_SQL("SELECT ... WHERE n.match_id = ?1");
 *
 * An st_sql holds the text and a slot number.  The slot is 0 until the
 * statement is first used; st_prepare then takes the next number from one
 * process-wide counter and installs it with a C11 compare-exchange, so two
 * threads that race on a first use agree on one slot (the loser's number is
 * left unused; ST_MAX_STATEMENTS leaves room for that).  Every connection
 * caches its prepared statements in an array indexed by slot: a statement is
 * prepared once per connection (SQLITE_PREPARE_PERSISTENT), and st_done
 * resets it and clears its bindings after each use.  More distinct statements
 * than ST_MAX_STATEMENTS is a programmer error, logged and answered TM_ERR_DB.
 *
 * Running.  st_bind binds ?1..?n from an st_arg list (texts and blobs are
 * copied, SQLITE_TRANSIENT, so callers may free them at once).  st_query
 * prepares, binds and steps a statement to its end, calling a row callback for
 * each row, and returns TM_OK only when the last step was SQLITE_DONE; every
 * other step result is logged with sqlite3_errmsg and becomes TM_ERR_DB (a
 * unique-constraint violation becomes TM_ERR_CONFLICT, unlogged; a full disk
 * becomes TM_ERR_FULL, logged once until a write commits again).  st_one and
 * st_int read one row; st_read runs st_query on a reader of the pool.  Every
 * execution (a step-to-reset cycle) is counted once in store->statements.
 *
 * Connections and transactions.  Reads run on a pool of read-only connections
 * (st_reader / st_release); writes take the one writer with st_write_begin
 * (BEGIN IMMEDIATE, under the write lock) and end with st_write_end (COMMIT on
 * TM_OK, else ROLLBACK).  The sx_* functions run inside an open write
 * transaction on its connection and are shared between the noun files.
 *
 * A full disk.  SQLite answers SQLITE_FULL (or an I/O error whose errno is
 * ENOSPC or EDQUOT) and may already have rolled the whole transaction back
 * itself, most often on COMMIT, when the WAL frames are written.  The writer
 * then remembers the failure (conn.lost): every later statement of that
 * transaction fails with it at once instead of running outside any
 * transaction, and st_write_end sends ROLLBACK only when a transaction is
 * still open (sqlite3_get_autocommit).  WAL frames of a commit that failed
 * carry no commit mark, so readers never see them and the next commit
 * overwrites them: the database stays as of the last commit.
 *
 * Thread-safety: a conn is used by one thread at a time (the pool and the
 * write lock see to it); st_sql slots and the statement counter are atomic.
 */
#ifndef TM_STORE_INT_H
#define TM_STORE_INT_H
#include "store.h"
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define ST_MAX_STATEMENTS 160
#define ST_MAX_READERS 16

/* The current time as the schema stores it (ISO 8601, UTC, seconds). */
#define ST_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* One SQL statement of a store file; see the top comment. */
typedef struct st_sql {
    const char *text;
    atomic_int slot;          /* 0: not yet used; else its cache index + 1 */
} st_sql;

#define ST_SQL(sql) { (sql), 0 }

typedef struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST_MAX_STATEMENTS];
    struct store *owner;
    struct conn *next_free;
    int notified;            /* the open write transaction wrote notifications */
    int queue_matching;      /* the writer: each listing write enters match_queue (store_queue_matching) */
    int in_write;            /* the writer: between st_write_begin and st_write_end */
    int lost;                /* the writer: the failure after which SQLite ended the transaction itself */
} conn;

struct store {
    char *path;
    conn *writer;
    pthread_mutex_t write_lock;
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    conn *free_readers;
    conn *readers[ST_MAX_READERS];
    size_t nreaders;
    int version;
    void (*notify)(void *ctx);   /* after a commit that wrote notifications */
    void *notify_ctx;
    _Atomic uint64_t statements; /* executions since store_open (store_statements_run) */
    atomic_int full;             /* a write failed on a full disk and none has committed since */
};

/* ---- connections and transactions (conn.c) ---- */

/* A reader of the pool (opened on first need), or NULL (logged). Give it back with st_release. */
conn *st_reader(store *s);
/* Returns a reader to the pool; accepts NULL. */
void st_release(store *s, conn *c);
/* Takes the writer and opens a write transaction; NULL (logged) if BEGIN failed. */
conn *st_write_begin(store *s);
/*
 * Commits when status is TM_OK, else rolls back (unless SQLite already did);
 * releases the writer and returns the final status: the failure that made
 * SQLite end the transaction, or COMMIT's (TM_ERR_FULL on a full disk).
 */
int st_write_end(store *s, conn *c, int status);
/* Runs SQL text without results (pragmas, BEGIN of a read transaction); TM_ERR_FULL or TM_ERR_DB, logged. */
int st_exec_sql(sqlite3 *db, const char *sql);
/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t st_changes(conn *c);

/* ---- statements (stmt.c) ---- */

/* The cached statement q of connection c, prepared on first use; NULL (logged) on failure. */
sqlite3_stmt *st_prepare(conn *c, st_sql *q);
/* Ends one execution of st: reset, bindings cleared, counted.  Accepts NULL. */
void st_done(conn *c, sqlite3_stmt *st);
/* Logs SQLite's message for what and returns TM_ERR_DB. */
int st_error(conn *c, const char *what);
/* Whether rc (an extended result code of db) means the disk or the quota is full. */
int st_is_full(sqlite3 *db, int rc);
/*
 * The status of a failed step rc of c: TM_ERR_CONFLICT for a unique
 * constraint (unlogged), TM_ERR_FULL for a full disk (logged once until a
 * write commits again), else TM_ERR_DB logged as what.
 */
int st_fail(conn *c, int rc, const char *what);

/* A value bound to one parameter. */
typedef enum st_type { ST_A_NULL, ST_A_INT, ST_A_DOUBLE, ST_A_TEXT, ST_A_BLOB, ST_A_JSON } st_type;
typedef struct st_arg {
    st_type type;
    int64_t i;
    double d;
    const void *p;            /* text (NULL binds NULL), blob, or cJSON (ST_A_JSON, printed; NULL binds NULL) */
    size_t n;                 /* blob bytes */
} st_arg;

#define A_NULL ((st_arg){ ST_A_NULL, 0, 0, NULL, 0 })
#define A_INT(v) ((st_arg){ ST_A_INT, (int64_t)(v), 0, NULL, 0 })
#define A_DBL(v) ((st_arg){ ST_A_DOUBLE, 0, (double)(v), NULL, 0 })
#define A_TEXT(s) ((st_arg){ ST_A_TEXT, 0, 0, (s), 0 })
#define A_BLOB(b, len) ((st_arg){ ST_A_BLOB, 0, 0, (b), (len) })
#define A_JSON(j) ((st_arg){ ST_A_JSON, 0, 0, (j), 0 })
/* An id, or NULL when it is not positive (a foreign key that is absent). */
#define A_ID(v) ((v) > 0 ? A_INT(v) : A_NULL)
/* The arguments of one call: ST_ARGS(A_INT(id), A_TEXT(name)) expands to the array and its length. */
#define ST_ARGS(...) (const st_arg[]){ __VA_ARGS__ }, sizeof((const st_arg[]){ __VA_ARGS__ }) / sizeof(st_arg)
#define ST_NO_ARGS NULL, 0

/* Binds a[0..n) to ?1..?n of st.  TM_OK, or TM_ERR_DB (logged). */
int st_bind(conn *c, sqlite3_stmt *st, const st_arg *a, size_t n);

/*
 * Called for each row; returns TM_OK to go on, ST_STOP to end the statement
 * early with success, or any other status to end it with that status.
 */
typedef int (*st_row_fn)(void *ctx, sqlite3_stmt *row);
#define ST_STOP 0x5354 /* outside tm_status, so no row callback returns it by accident */

/*
 * Steps the bound statement st to its end, calling row (may be NULL) for each
 * row, then st_done.  Returns TM_OK only when the last step was SQLITE_DONE
 * (or row said ST_STOP), row's status when it stopped with one, TM_ERR_CONFLICT
 * for a unique constraint, else TM_ERR_DB logged as what.
 */
int st_each(conn *c, sqlite3_stmt *st, st_row_fn row, void *ctx, const char *what);
/* st_prepare + st_bind + st_each of q on c. */
int st_query(conn *c, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what);
/* st_query with no rows expected (INSERT, UPDATE, DELETE). */
int st_run(conn *c, st_sql *q, const st_arg *a, size_t n, const char *what);
/* st_query calling row for the first row only; TM_ERR_NOT_FOUND when there is none. */
int st_one(conn *c, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what);
/* The first column of the first row as an integer (an id, a count); TM_ERR_NOT_FOUND when no row. */
int st_int(conn *c, st_sql *q, const st_arg *a, size_t n, int64_t *out, const char *what);
/* st_query on a reader of s's pool. */
int st_read(store *s, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what);
/* st_one on a reader of s's pool. */
int st_read_one(store *s, st_sql *q, const st_arg *a, size_t n, st_row_fn row, void *ctx, const char *what);
/* st_int on a reader of s's pool. */
int st_read_int(store *s, st_sql *q, const st_arg *a, size_t n, int64_t *out, const char *what);

/* ---- columns and arrays (stmt.c) ---- */

/* Column col as a malloc'd string (NULL for NULL). */
char *st_col_dup(sqlite3_stmt *row, int col);
/* Copies column col into dst of len bytes ("" for NULL). */
void st_col_copy(char *dst, size_t len, sqlite3_stmt *row, int col);
/* Column col as borrowed text valid until the next step, or NULL. */
const char *st_col_text(sqlite3_stmt *row, int col);

/* A growing array that row callbacks append to: *v of *n elements of elem bytes. */
typedef struct st_vec {
    void **v;
    size_t *n;
    size_t cap;
    size_t elem;
} st_vec;
#define ST_VEC(arr, count) { (void **)(arr), (count), 0, sizeof **(arr) }
/* Appends one zeroed element and returns it. */
void *st_vec_push(st_vec *vec);

/* ---- the audit log (conn.c) ---- */

/* One audit_log row (user_id 0: the system); before and after are JSON (borrowed, may be NULL). */
int sx_audit_row(conn *c, int64_t user_id, const char *action, const char *entity, int64_t entity_id,
                 const cJSON *before, const cJSON *after);

/* ---- shared between noun files, each inside an open transaction ---- */

/*
 * accounts.c: creates an organisation of org_kind and its first user, as
 * store_register does, and fills *out.  TM_ERR_CONFLICT with *conflict naming
 * the member ("email" or "org_name") when one is taken.
 */
int sx_account_create_in(conn *c, const char *org_name, const char *org_kind, const char *email,
                         const char *display_name, const char *password_hash, principal *out, const char **conflict);
/* listings.c: reads listing id of kind (TM_ERR_NOT_FOUND); *out caller frees. Works on a reader too. */
int sx_listing_get_in(conn *c, listing_kind kind, int64_t id, listing **out);
/* listings.c: enters (add) or takes out a listing of match_queue. */
int sx_queue_in(conn *c, listing_kind kind, int64_t id, int add);
/* matches.c: reads match id into out (TM_ERR_NOT_FOUND); free with match_cleanup. Works on a reader too. */
int sx_match_get_in(conn *c, int64_t id, match *out);
/*
 * matches.c: pushes the approved matches ms[0..n) of one organisation's
 * demands: one notification (built by payload) and every match becomes pushed.
 */
int sx_push_in(conn *c, int64_t org_id, const match *ms, size_t n, push_payload_fn payload, void *ctx,
               int64_t *notification_id);
/* matches.c: the policy row. */
int sx_policy_in(conn *c, policy *out);
/* outbox.c: the organisation's subscription, or the defaults. */
int sx_subscription_in(conn *c, int64_t org_id, subscription *out);
/*
 * outbox.c: writes one notification to the outbox and its pending deliveries
 * to the organisation's webhooks; the commit then wakes the live channels.
 */
int sx_notification_insert(conn *c, int64_t org_id, const char *type, const char *payload, int64_t *id);

#endif

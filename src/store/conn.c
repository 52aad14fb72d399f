/*
 * conn.c: the store's connections (see store.h for the contract, store_int.h
 * for the design): opening one, the pool of readers and the one writer, write
 * transactions, the audit log, migrations and the taxonomy seed, and
 * store_open / store_close / store_ping.
 */
#include "store_int.h"
#include "embedded.h"
#include "fts.h"
#include "log.h"
#include "mem.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static st_sql SQL_BEGIN = ST_SQL("BEGIN IMMEDIATE");
static st_sql SQL_COMMIT = ST_SQL("COMMIT");
static st_sql SQL_ROLLBACK = ST_SQL("ROLLBACK");
static st_sql SQL_PING = ST_SQL("SELECT 1");
static st_sql SQL_AUDIT = ST_SQL("INSERT INTO audit_log(user_id, action, entity, entity_id, before, after)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");

/* ---------- connections ---------- */

static void conn_close(conn *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < ST_MAX_STATEMENTS; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

int st_exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("SQLite: %s (while running: %.80s)", msg ? msg : "?", sql);
        sqlite3_free(msg);
        return st_is_full(db, rc) ? TM_ERR_FULL : TM_ERR_DB;
    }
    return TM_OK;
}

static int conn_open(store *s, int readonly, conn **out)
{
    conn *c = xcalloc(1, sizeof *c);
    c->owner = s;
    int rc = sqlite3_open_v2(s->path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("cannot open database %s: %s", s->path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return TM_ERR_DB;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 5000);
    /* The FTS5 bridge before query_only: it creates the connection's temp vocabulary tables. */
    if (st_exec_sql(c->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;") != TM_OK ||
        store_fts_register(c->db) != TM_OK || store_fts_vocab_create(c->db) != TM_OK ||
        (readonly && st_exec_sql(c->db, "PRAGMA query_only = ON;") != TM_OK)) {
        conn_close(c);
        return TM_ERR_DB;
    }
    *out = c;
    return TM_OK;
}

int64_t st_changes(conn *c)
{
    return sqlite3_changes(c->db);
}

conn *st_reader(store *s)
{
    conn *c = NULL;
    pthread_mutex_lock(&s->pool_lock);
    while (s->free_readers == NULL && s->nreaders >= ST_MAX_READERS)
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    if (s->free_readers) {
        c = s->free_readers;
        s->free_readers = c->next_free;
    } else if (conn_open(s, 1, &c) == TM_OK) {
        s->readers[s->nreaders++] = c;
    }
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

void st_release(store *s, conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&s->pool_lock);
    c->next_free = s->free_readers;
    s->free_readers = c;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_lock);
}

conn *st_write_begin(store *s)
{
    pthread_mutex_lock(&s->write_lock);
    conn *c = s->writer;
    if (st_run(c, &SQL_BEGIN, ST_NO_ARGS, "begin") != TM_OK) {
        pthread_mutex_unlock(&s->write_lock);
        return NULL;
    }
    c->notified = 0;
    c->in_write = 1;
    c->lost = TM_OK;
    return c;
}

int st_write_end(store *s, conn *c, int status)
{
    if (c->lost != TM_OK)
        status = c->lost; /* SQLite ended the transaction after a failure the caller may have let pass */
    c->lost = TM_OK;
    c->in_write = 0;
    if (status == TM_OK)
        status = st_run(c, &SQL_COMMIT, ST_NO_ARGS, "commit");
    /* A ROLLBACK after SQLite rolled back itself would only fail ("cannot rollback"). */
    if (status != TM_OK && !sqlite3_get_autocommit(c->db))
        (void)st_run(c, &SQL_ROLLBACK, ST_NO_ARGS, "rollback"); /* logged; status already says it failed */
    if (status == TM_OK && atomic_load(&s->full) && atomic_exchange(&s->full, 0))
        log_info("storage has room again: writes are stored");
    int wake = status == TM_OK && c->notified;
    pthread_mutex_unlock(&s->write_lock);
    if (wake && s->notify)
        s->notify(s->notify_ctx);
    return status;
}

void store_set_notify_hook(store *s, void (*hook)(void *ctx), void *ctx)
{
    s->notify = hook;
    s->notify_ctx = ctx;
}

uint64_t store_statements_run(store *s)
{
    return atomic_load(&s->statements);
}

int sx_audit_row(conn *c, int64_t user_id, const char *action, const char *entity, int64_t entity_id,
                 const cJSON *before, const cJSON *after)
{
    return st_run(c, &SQL_AUDIT, ST_ARGS(A_ID(user_id), A_TEXT(action), A_TEXT(entity), A_INT(entity_id),
                                         A_JSON(before), A_JSON(after)), "audit");
}

/* ---------- migrations and taxonomy seed ---------- */

/* The database's PRAGMA user_version, or -1 (logged). */
static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    else
        log_error("SQLite, schema version: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return v;
}

static int migrate(sqlite3 *db, int *version)
{
    int v = user_version(db);
    int known = 0;
    while (embedded_migrations[known].name)
        known++;
    if (v < 0)
        return TM_ERR_DB;
    if (v > known) {
        log_error("the database has schema version %d but this techmatch knows %d migrations; use a newer techmatch",
                  v, known);
        return TM_ERR_DB;
    }
    for (int i = v; i < known; i++) {
        const struct embedded_migration *m = &embedded_migrations[i];
        /* PRAGMA takes no bound parameters; the number is ours, never user input. */
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", i + 1);
        char *msg = NULL;
        if (st_exec_sql(db, "BEGIN IMMEDIATE") != TM_OK)
            return TM_ERR_DB;
        if (sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK || st_exec_sql(db, bump) != TM_OK) {
            log_error("migration schema/%s failed: %s; rolled back, the database is still at version %d",
                      m->name, msg ? msg : sqlite3_errmsg(db), i);
            sqlite3_free(msg);
            if (!sqlite3_get_autocommit(db)) /* a full disk may have rolled it back already */
                (void)st_exec_sql(db, "ROLLBACK");
            return TM_ERR_DB;
        }
        if (st_exec_sql(db, "COMMIT") != TM_OK)
            return TM_ERR_DB;
        log_info("applied migration schema/%s", m->name);
    }
    *version = known;
    return TM_OK;
}

static st_sql SQL_FIELDS_COUNT = ST_SQL("SELECT count(*) FROM fields");
static st_sql SQL_FIELD_INSERT = ST_SQL("INSERT INTO fields(code, parent, level, name_zh, name_en)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5)");
static st_sql SQL_FIELDS_ALL = ST_SQL("SELECT code, parent, level, name_zh, name_en FROM fields ORDER BY level, code");

/* Loads the built-in taxonomy into an empty fields table. */
static int seed_taxonomy(store *s)
{
    taxonomy *t = NULL;
    char msg[200];
    int64_t have = 0;

    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_int(c, &SQL_FIELDS_COUNT, ST_NO_ARGS, &have, "count fields");
    if (status != TM_OK || have > 0)
        return st_write_end(s, c, status == TM_ERR_NOT_FOUND ? TM_ERR_DB : status);
    if (taxonomy_parse_tsv(embedded_taxonomy_tsv, &t, msg, sizeof msg) != TM_OK) {
        log_error("built-in taxonomy: %s", msg);
        return st_write_end(s, c, TM_ERR_INTERNAL);
    }
    for (size_t i = 0; i < taxonomy_count(t) && status == TM_OK; i++) {
        const tax_field *f = taxonomy_at(t, i);
        status = st_run(c, &SQL_FIELD_INSERT, ST_ARGS(A_TEXT(f->code), A_TEXT(f->parent), A_INT(f->level),
                                                      A_TEXT(f->name_zh), A_TEXT(f->name_en)), "insert field");
    }
    if (status == TM_OK)
        log_info("loaded the GB/T 4754-2017 taxonomy (%zu fields)", taxonomy_count(t));
    taxonomy_free(t);
    return st_write_end(s, c, status);
}

static int field_row(void *ctx, sqlite3_stmt *row)
{
    tax_field f = {
        (const char *)sqlite3_column_text(row, 0), (const char *)sqlite3_column_text(row, 1),
        sqlite3_column_int(row, 2), (const char *)sqlite3_column_text(row, 3),
        (const char *)sqlite3_column_text(row, 4)
    };
    if (taxonomy_add(ctx, &f) != TM_OK) {
        log_error("the fields table has a bad row: %s", f.code ? f.code : "(null)");
        return TM_ERR_INVALID;
    }
    return TM_OK;
}

int store_fields_load(store *s, taxonomy **out)
{
    taxonomy *t = taxonomy_new();
    int status = st_read(s, &SQL_FIELDS_ALL, ST_NO_ARGS, field_row, t, "load fields");
    if (status != TM_OK) {
        taxonomy_free(t);
        t = NULL;
    }
    *out = t;
    return status;
}

/* ---------- open, close, ping ---------- */

/*
 * The database holds contacts, password hashes and webhook signing keys, so
 * a missing file is created 0600 here: SQLite would create it 0644 (umask
 * permitting), and it gives the -wal and -shm files the main file's mode.
 * An existing file keeps its mode (the operator's choice), with a warning
 * naming each of the three that others may read.  A file that cannot be
 * created is left for SQLite to report.
 */
static void prepare_files(const char *path)
{
    int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    static const char *const suffixes[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char name[4096 + 8];
        struct stat st;
        snprintf(name, sizeof name, "%s%s", path, suffixes[i]);
        if (stat(name, &st) == 0 && (st.st_mode & 077) != 0)
            log_warn("%s is open to other users (mode %03o); it holds secrets: chmod 600 it", name,
                     (unsigned)(st.st_mode & 0777));
    }
}

int store_open(const char *path, store **out)
{
    store *s = xcalloc(1, sizeof *s);
    int status;

    *out = NULL;
    s->path = xstrdup(path);
    atomic_init(&s->statements, 0);
    atomic_init(&s->full, 0);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    prepare_files(path);
    status = conn_open(s, 0, &s->writer);
    if (status == TM_OK) {
        /* WAL is a property of the file; setting it once on the writer is enough. */
        status = st_exec_sql(s->writer->db, "PRAGMA journal_mode = WAL;");
    }
    if (status == TM_OK)
        status = migrate(s->writer->db, &s->version);
    if (status == TM_OK)
        status = seed_taxonomy(s);
    if (status != TM_OK) {
        store_close(s);
        return status;
    }
    *out = s;
    return TM_OK;
}

void store_remove_files(const char *path)
{
    char side[4096 + 8];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nreaders; i++)
        conn_close(s->readers[i]);
    conn_close(s->writer);
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_cond_destroy(&s->pool_cond);
    free(s->path);
    free(s);
}

int store_schema_version(store *s)
{
    return s->version;
}

int store_ping(store *s)
{
    int status = st_read_one(s, &SQL_PING, ST_NO_ARGS, NULL, NULL, "ping");
    if (status == TM_ERR_NOT_FOUND) {
        log_error("SQLite, ping: SELECT 1 gave no row");
        status = TM_ERR_DB;
    }
    return status;
}

/*
 * backup.c: store_backup and store_restore (see store.h for the contract).
 * Both copy a database file page by page with SQLite's online backup API into
 * a private temporary file beside the target (created 0600 by mkstemp; SQLite
 * gives its journal, -wal and -shm the same mode), check the copy (a techmatch
 * schema version this binary knows, then PRAGMA integrity_check), sync it and
 * rename it into place, so the target name only ever holds a whole, checked
 * database.  A backup reads the live database while the server writes: in WAL
 * mode a reader never blocks the writer, and the pauses between steps leave
 * the file to the server.
 */
#include "store_int.h"
#include "embedded.h"
#include "fts.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages one step copies (1 MiB at SQLite's default 4 KiB page). */
#define BK_STEP_PAGES 256
/* Milliseconds between two steps, so the server's writer is not starved. */
#define BK_PAUSE_MS 5
/* Milliseconds to wait after a step answered SQLITE_BUSY or SQLITE_LOCKED, and how often to retry. */
#define BK_BUSY_PAUSE_MS 50
#define BK_BUSY_TRIES 400
/*
 * A write by the server between two steps restarts the copy from page one.
 * After this many restarts the rest is copied in one step: one read snapshot,
 * which in WAL mode the server's writer goes on beside, so a busy server
 * cannot keep a backup from ever ending.
 */
#define BK_MAX_RESTARTS 3

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes the reason for a failure into why (len bytes), for the CLI to print. */
static void say(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (why == NULL || len == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

/*
 * Opens an existing database file (never creating it) with the techmatch
 * tokenizer registered, so FTS tables read as the server reads them.
 * Returns TM_OK, or TM_ERR_IO with why set; *out is then NULL.
 */
static int bk_open(const char *path, int busy_ms, sqlite3 **out, char *why, size_t len)
{
    sqlite3 *db = NULL;
    *out = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        say(why, len, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return TM_ERR_IO;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_ms);
    if (store_fts_register(db) != TM_OK) {
        say(why, len, "cannot register the search tokenizer on %s", path);
        sqlite3_close(db);
        return TM_ERR_DB;
    }
    *out = db;
    return TM_OK;
}

/*
 * Checks that db (the file path) has a techmatch schema this binary knows:
 * a version from 1 to the number of compiled migrations.  Returns TM_OK, or
 * TM_ERR_INVALID with why set (not a database, not techmatch's, too new).
 */
static int bk_check_version(sqlite3 *db, const char *path, char *why, size_t len)
{
    sqlite3_stmt *st = NULL;
    int known = 0, v = -1;
    while (embedded_migrations[known].name)
        known++;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    else
        say(why, len, "%s is not a SQLite database (%s)", path, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (v < 0)
        return TM_ERR_INVALID;
    if (v == 0) {
        say(why, len, "%s is not a techmatch database (it has no techmatch schema)", path);
        return TM_ERR_INVALID;
    }
    if (v > known) {
        say(why, len, "%s has schema version %d but this techmatch knows %d; use a newer techmatch", path, v, known);
        return TM_ERR_INVALID;
    }
    return TM_OK;
}

/* Runs PRAGMA integrity_check on db.  TM_OK when it says "ok", else TM_ERR_INVALID with its first finding. */
static int bk_check_integrity(sqlite3 *db, const char *path, char *why, size_t len)
{
    sqlite3_stmt *st = NULL;
    int status = TM_ERR_INVALID;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        say(why, len, "the integrity check of %s could not run: %s", path, sqlite3_errmsg(db));
    } else {
        const char *first = (const char *)sqlite3_column_text(st, 0);
        if (first && strcmp(first, "ok") == 0)
            status = TM_OK;
        else
            say(why, len, "%s fails the integrity check: %s", path, first ? first : "(no answer)");
    }
    sqlite3_finalize(st);
    return status;
}

/*
 * Copies every page of src into dst in steps of BK_STEP_PAGES with a pause
 * between them, retrying a step that found the file busy or locked.  Returns
 * TM_OK, or TM_ERR_DB with why set.
 */
static int bk_copy_pages(sqlite3 *src, sqlite3 *dst, const char *from, char *why, size_t len)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL) {
        say(why, len, "cannot start copying %s: %s", from, sqlite3_errmsg(dst));
        return TM_ERR_DB;
    }
    int rc, busy = 0, restarts = 0, left_before = -1;
    for (;;) {
        rc = sqlite3_backup_step(b, restarts >= BK_MAX_RESTARTS ? -1 : BK_STEP_PAGES);
        if (rc == SQLITE_DONE)
            break;
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
            if (++busy > BK_BUSY_TRIES)
                break;
            sqlite3_sleep(BK_BUSY_PAUSE_MS);
            continue;
        }
        if (rc != SQLITE_OK)
            break;
        busy = 0;
        int left = sqlite3_backup_remaining(b);
        if (left_before >= 0 && left >= left_before)
            restarts++; /* the source changed since the last step, and the copy began again */
        left_before = left;
        sqlite3_sleep(BK_PAUSE_MS);
    }
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE || fin != SQLITE_OK) {
        say(why, len, "copying %s failed: %s", from,
            rc != SQLITE_DONE ? sqlite3_errstr(rc) : sqlite3_errmsg(dst));
        return TM_ERR_DB;
    }
    return TM_OK;
}

/* Flushes path (a file or a folder) to the disk.  TM_OK, or TM_ERR_IO with why set. */
static int bk_sync(const char *path, char *why, size_t len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        say(why, len, "cannot sync %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return TM_ERR_IO;
    }
    close(fd);
    return TM_OK;
}

/* The folder of path, into dir (len bytes): "." for a bare name. */
static void bk_folder(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/*
 * Copies the techmatch database at from into a new temporary file named
 * "<to>.tmp-XXXXXX" (0600, its name left in tmp), checks the copy and syncs
 * it.  Returns TM_OK, or a status with why set and no temporary file left.
 */
static int bk_copy_checked(const char *from, const char *to, char *tmp, size_t tmplen, char *why, size_t len)
{
    sqlite3 *src = NULL, *dst = NULL;
    int status;

    if ((size_t)snprintf(tmp, tmplen, "%s.tmp-XXXXXX", to) >= tmplen) {
        say(why, len, "the path %s is too long", to);
        return TM_ERR_INVALID;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        say(why, len, "cannot create a file beside %s: %s", to, strerror(errno));
        return TM_ERR_IO;
    }
    close(fd);
    status = bk_open(from, 5000, &src, why, len);
    if (status == TM_OK && sqlite3_exec(src, "PRAGMA query_only = ON", NULL, NULL, NULL) != SQLITE_OK) {
        say(why, len, "cannot open %s read-only", from);
        status = TM_ERR_DB;
    }
    if (status == TM_OK)
        status = bk_check_version(src, from, why, len);
    if (status == TM_OK)
        status = bk_open(tmp, 5000, &dst, why, len);
    if (status == TM_OK)
        status = bk_copy_pages(src, dst, from, why, len);
    sqlite3_close(src);
    if (status == TM_OK)
        status = bk_check_version(dst, tmp, why, len);
    if (status == TM_OK)
        status = bk_check_integrity(dst, tmp, why, len);
    sqlite3_close(dst); /* the last connection: its -wal is checkpointed into the file and removed */
    if (status == TM_OK)
        status = bk_sync(tmp, why, len);
    if (status != TM_OK)
        store_remove_files(tmp);
    return status;
}

/* Renames tmp to to and syncs their folder.  TM_OK, or TM_ERR_IO with why set (tmp removed). */
static int bk_put_in_place(const char *tmp, const char *to, char *why, size_t len)
{
    char dir[4096];
    if (rename(tmp, to) != 0) {
        say(why, len, "cannot rename %s to %s: %s", tmp, to, strerror(errno));
        store_remove_files(tmp);
        return TM_ERR_IO;
    }
    bk_folder(to, dir, sizeof dir);
    return bk_sync(dir, why, len);
}

int store_backup(const char *db_path, const char *to_path, int force, char *why, size_t whylen)
{
    char tmp[4096];
    struct stat sb, db_sb;
    if (lstat(to_path, &sb) == 0) {
        if (stat(db_path, &db_sb) == 0 && sb.st_dev == db_sb.st_dev && sb.st_ino == db_sb.st_ino) {
            say(why, whylen, "%s is the database itself; back it up to another file", to_path);
            return TM_ERR_INVALID;
        }
        if (!force) {
            say(why, whylen, "%s exists; pass --force to replace it", to_path);
            return TM_ERR_CONFLICT;
        }
    }
    int status = bk_copy_checked(db_path, to_path, tmp, sizeof tmp, why, whylen);
    if (status == TM_OK)
        status = bk_put_in_place(tmp, to_path, why, whylen);
    return status;
}

/*
 * Takes db's file lock exclusively for a moment: it fails while any other
 * connection (a running server) has the database open.  On success the
 * connection is closed again, which checkpoints the old log into the file.
 * Returns TM_OK (also when db does not exist), TM_ERR_CONFLICT when the
 * database is in use, TM_ERR_INVALID when db is not a SQLite database.
 */
static int bk_check_unused(const char *db_path, char *why, size_t len)
{
    sqlite3 *db = NULL;
    struct stat sb;
    if (lstat(db_path, &sb) != 0)
        return TM_OK;
    int status = bk_open(db_path, 0, &db, why, len);
    if (status != TM_OK)
        return status;
    char *msg = NULL;
    int rc = sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;"
                              " SELECT count(*) FROM sqlite_master; COMMIT;", NULL, NULL, &msg);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        say(why, len, "%s is in use (is a techmatch server running on it?); stop the server first", db_path);
        status = TM_ERR_CONFLICT;
    } else if (rc != SQLITE_OK) {
        say(why, len, "%s exists and is not a database this can replace (%s); move it away first", db_path,
            msg ? msg : sqlite3_errstr(rc));
        status = TM_ERR_INVALID;
    }
    sqlite3_free(msg);
    sqlite3_close(db);
    return status;
}

/* Removes path + suffix if it exists.  TM_OK, or TM_ERR_IO with why set. */
static int bk_unlink_side(const char *path, const char *suffix, char *why, size_t len)
{
    char side[4096 + 8];
    snprintf(side, sizeof side, "%s%s", path, suffix);
    if (unlink(side) != 0 && errno != ENOENT) {
        say(why, len, "cannot remove %s: %s", side, strerror(errno));
        return TM_ERR_IO;
    }
    return TM_OK;
}

int store_restore(const char *from_path, const char *db_path, char *why, size_t whylen)
{
    char tmp[4096];
    int status = bk_check_unused(db_path, why, whylen);
    if (status == TM_OK)
        status = bk_copy_checked(from_path, db_path, tmp, sizeof tmp, why, whylen);
    if (status != TM_OK)
        return status;
    /* The old database's log must not be replayed into the new file. */
    status = bk_check_unused(db_path, why, whylen);
    if (status == TM_OK)
        status = bk_unlink_side(db_path, "-wal", why, whylen);
    if (status == TM_OK)
        status = bk_unlink_side(db_path, "-shm", why, whylen);
    if (status == TM_OK)
        status = bk_unlink_side(db_path, "-journal", why, whylen);
    if (status != TM_OK) {
        store_remove_files(tmp);
        return status;
    }
    return bk_put_in_place(tmp, db_path, why, whylen);
}

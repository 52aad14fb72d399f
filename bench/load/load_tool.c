/*
 * load_tool.c: the small steps of bench/load/run.sh that want C rather than
 * sh: seeding a database with the benchmarks' synthetic corpus, logging in,
 * fetching one body, picking a free port, and the check after the load.
 *
 *   load_tool seed DB ACHIEVEMENTS DEMANDS LOGIN_ACCOUNTS OUTDIR
 *   load_tool login PORT EMAIL          (prints the token; every account has PASSWORD)
 *   load_tool get URL                   (prints the body; exit 1 unless 200)
 *   load_tool port                      (prints a free loopback port)
 *   load_tool check DB ACKS             (integrity, then every acknowledged write)
 *
 * seed writes, besides the database, OUTDIR/words.txt (a sample of the
 * corpus's skewed word stream, "zh WORD" or "en WORD" a line) and
 * OUTDIR/fields.txt (the field codes), from which mixed.lua writes its new
 * listings, so they share the seeded listings' vocabulary and match them.
 */
#include "../corpus.h"
#include "../serverkit.h"
#include "auth.h"
#include "listing.h"
#include "log.h"
#include "parse.h"
#include "sbuf.h"
#include "store.h"
#include "store/fts.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PASSWORD "load password 42"
#define WORD_SAMPLE 4000

/* ---------- seed ---------- */

static int write_words(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/words.txt", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (int i = 0; i < WORD_SAMPLE; i++) {
        int english = i % 3 == 0;
        fprintf(f, "%s %s\n", english ? "en" : "zh", corpus_word(english));
    }
    if (fclose(f) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/fields.txt", dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (int i = 0; i < 200; i++)
        fprintf(f, "%s\n", corpus_field());
    return fclose(f) == 0 ? 0 : -1;
}

/*
 * The accounts: an enterprise and a university that own the seeded listings
 * and post the new ones, a broker who reads any listing's matches, and one
 * enterprise account for each wrk thread to log in with (run.sh's reason).
 */
static int seed(const char *db, long achievements, long demands, int logins, const char *dir)
{
    store *s = NULL;
    char hash[AUTH_HASH_STR_BYTES], email[64], org[64];
    principal ent, uni, who;
    const char *conflict;
    int64_t broker;
    int rc = -1;
    corpus_init(20000, 88172645u);
    if (store_open(db, &s) != TM_OK || auth_init() != TM_OK || auth_password_hash(PASSWORD, hash) != TM_OK)
        goto out;
    if (store_register(s, "Load Enterprise", "enterprise", "enterprise@load.test", "Load", hash, &ent, &conflict) !=
            TM_OK ||
        store_register(s, "Load University", "university", "university@load.test", "Load", hash, &uni, &conflict) !=
            TM_OK ||
        store_user_add(s, "broker@load.test", "broker", "Load Brokers", "Load", hash, &broker) != TM_OK)
        goto out;
    for (int i = 0; i < logins; i++) {
        snprintf(email, sizeof email, "login-%d@load.test", i);
        snprintf(org, sizeof org, "Load Login %d", i);
        if (store_register(s, org, "enterprise", email, "Load", hash, &who, &conflict) != TM_OK)
            goto out;
    }
    if (kit_import_listings(s, LISTING_ACHIEVEMENT, uni.org_id, achievements, kit_fill_listing) != 0 ||
        kit_import_listings(s, LISTING_DEMAND, ent.org_id, demands, kit_fill_listing) != 0 || write_words(dir) != 0)
        goto out;
    rc = 0;
out:
    store_close(s);
    corpus_free();
    return rc;
}

/* ---------- HTTP ---------- */

static int login(int port, const char *email)
{
    char token[256];
    CURL *c = curl_easy_init();
    int rc = kit_login(c, port, email, PASSWORD, token, sizeof token);
    curl_easy_cleanup(c);
    if (rc != 0)
        return 1;
    printf("%s\n", token);
    return 0;
}

static int get(const char *url)
{
    sbuf body;
    sbuf_init(&body);
    CURL *c = curl_easy_init();
    long status = kit_request(c, url, "GET", NULL, NULL, &body);
    curl_easy_cleanup(c);
    if (status == 200)
        fwrite(body.buf, 1, body.len, stdout);
    else
        fprintf(stderr, "load_tool: GET %s: status %ld\n", url, status);
    sbuf_cleanup(&body);
    return status == 200 ? 0 : 1;
}

/* A port the kernel has just given out; nginx takes it a moment later (run.sh retries). */
static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    socklen_t len = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return 1;
    printf("%d\n", ntohs(a.sin_port));
    close(fd);
    return 0;
}

/* ---------- check ---------- */

/* Runs sql, whose rows are single texts; counts the rows that are not "ok" and prints them. */
static int expect_ok(sqlite3 *db, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    int bad = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "load_tool: %s: %s\n", what, sqlite3_errmsg(db));
        return 1;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t == NULL || strcmp(t, "ok") != 0) {
            fprintf(stderr, "load_tool: %s: %s\n", what, t ? t : "(null)");
            bad++;
        }
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "load_tool: %s: %s\n", what, sqlite3_errmsg(db));
        bad++;
    }
    sqlite3_finalize(st);
    return bad;
}

/* Runs sql, which answers SQLITE_CORRUPT_VTAB or another error when the check fails. */
static int exec_ok(sqlite3 *db, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    fprintf(stderr, "load_tool: %s: %s\n", what, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return 1;
}

/*
 * Each line of acks is "demand ID TOKEN" or "achievement ID TOKEN": the
 * server answered 201 with that id for a listing whose title holds TOKEN, so
 * the row must be there with that title; or "session TOKEN": a login answered
 * that bearer token, so its session must be stored (by the token's hash).
 */
static int check(const char *path, const char *acks)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *get_d = NULL, *get_a = NULL, *get_s = NULL;
    FILE *f = NULL;
    long missing = 0;
    int bad = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "load_tool: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return 1;
    }
    /* FTS5 needs techmatch's tokenizer to read its tables (the store's bridge, used here for that alone). */
    if (store_fts_register(db) != TM_OK) {
        sqlite3_close(db);
        return 1;
    }
    bad += expect_ok(db, "PRAGMA integrity_check", "integrity_check");
    int integrity = bad;
    /* The full-text indexes agree with their tables (FTS5's own check, which SQLite 3.40's pragma does not run). */
    bad += exec_ok(db, "INSERT INTO demands_fts(demands_fts) VALUES('integrity-check')", "demands_fts");
    bad += exec_ok(db, "INSERT INTO achievements_fts(achievements_fts) VALUES('integrity-check')", "achievements_fts");
    printf("integrity_check: %s; full-text indexes: %s\n", integrity ? "FAILED" : "ok",
           bad > integrity ? "FAILED" : "ok");
    if (sqlite3_prepare_v2(db, "SELECT title FROM demands WHERE id = ?", -1, &get_d, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT title FROM achievements WHERE id = ?", -1, &get_a, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT 'session' FROM sessions WHERE token_hash = ?", -1, &get_s, NULL) != SQLITE_OK ||
        auth_init() != TM_OK) {
        fprintf(stderr, "load_tool: %s\n", sqlite3_errmsg(db));
        bad++;
        goto out;
    }
    f = fopen(acks, "r");
    if (f == NULL) {
        perror(acks);
        bad++;
        goto out;
    }
    char line[512], kind[32], token[128];
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    long long id = 0;
    long listings = 0, sessions = 0;
    while (fgets(line, sizeof line, f)) {
        sqlite3_stmt *st;
        if (sscanf(line, "session %127s", token) == 1 && auth_token_hash(token, hash) == TM_OK) {
            st = get_s;
            sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
            sessions++;
        } else if (sscanf(line, "%31s %lld %127s", kind, &id, token) == 3 &&
                   (strcmp(kind, "demand") == 0 || strcmp(kind, "achievement") == 0)) {
            st = strcmp(kind, "demand") == 0 ? get_d : get_a;
            sqlite3_bind_int64(st, 1, id);
            listings++;
        } else {
            fprintf(stderr, "load_tool: %s: bad line: %s", acks, line);
            bad++;
            continue;
        }
        /* A listing's title holds its token; a session row answers the word "session". */
        const char *text = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (text == NULL || strstr(text, st == get_s ? "session" : token) == NULL) {
            fprintf(stderr, "load_tool: an acknowledged write is missing: %s", line);
            missing++;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    printf("acknowledged writes: %ld checked (%ld listings, %ld sessions), %ld missing\n", listings + sessions,
           listings, sessions, missing);
    bad += missing > 0;
out:
    if (f)
        fclose(f);
    sqlite3_finalize(get_d);
    sqlite3_finalize(get_a);
    sqlite3_finalize(get_s);
    sqlite3_close(db);
    return bad ? 1 : 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: load_tool seed DB ACHIEVEMENTS DEMANDS LOGIN_ACCOUNTS OUTDIR\n"
                    "       load_tool login PORT EMAIL | get URL | port | check DB ACKS\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "seed") == 0 && argc == 7) {
        log_set_quiet(1);
        int64_t a = 0, d = 0, n = 0;
        if (parse_int64(argv[3], 1, INT32_MAX, &a) != TM_OK || parse_int64(argv[4], 1, INT32_MAX, &d) != TM_OK ||
            parse_int64(argv[5], 1, 64, &n) != TM_OK)
            return usage();
        if (seed(argv[2], (long)a, (long)d, (int)n, argv[6]) != 0) {
            fprintf(stderr, "load_tool: seeding %s failed\n", argv[2]);
            return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "login") == 0 && argc == 4) {
        int64_t port = 0;
        if (parse_int64(argv[2], 1, 65535, &port) != TM_OK)
            return usage();
        return login((int)port, argv[3]);
    }
    if (strcmp(cmd, "get") == 0 && argc == 3)
        return get(argv[2]);
    if (strcmp(cmd, "port") == 0 && argc == 2)
        return free_port();
    if (strcmp(cmd, "check") == 0 && argc == 4)
        return check(argv[2], argv[3]);
    return usage();
}

/*
 * test_backup.c: `techmatch backup` and `techmatch restore` on real files: a
 * backup taken while a thread keeps writing listings to a running server is a
 * whole, checked database holding every listing acknowledged before it began;
 * restored under a new name it serves them again; bad input is refused with a
 * message naming the problem.
 */
#include "test.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Listings the writer thread posts at most, so the test stays bounded. */
#define WRITER_MAX 400

typedef struct writer {
    const test_server *srv;
    const char *token;
    atomic_int acked;        /* listings answered 201 so far */
    atomic_int stop;
    long first_id;           /* the first acknowledged listing's id */
} writer;

/* Posts achievements until told to stop (or WRITER_MAX); counts the acknowledged ones. */
static void *write_listings(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < WRITER_MAX && !atomic_load(&w->stop); i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"title\":\"liveupdate %d hydraulic support\",\"fields\":[\"C34\"]}", i);
        test_resp *r = test_json(w->srv, "POST", "/api/achievements", w->token, body);
        if (r->status == 201) {
            if (atomic_load(&w->acked) == 0)
                w->first_id = (long)test_jnum(r->json, "id");
            atomic_fetch_add(&w->acked, 1);
        }
        test_resp_free(r);
    }
    return NULL;
}

/* Writes a CSV of n achievements with long descriptions, so the database spans many backup steps. */
static void write_seed_csv(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return;
    fputs("ref,title,abstract,fields\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "S%d,Seed achievement %d on coal mine hydraulic supports,\"", i, i);
        for (int k = 0; k < 12; k++)
            fprintf(f, "Sensor %d-%d for roof pressure, valve wear and leg cylinder drift. ", i, k);
        fputs("\",B06\n", f);
    }
    fclose(f);
}

/* Runs techmatch with args (NULL-terminated, after the binary); returns the exit status and stdout/stderr. */
static int run_tm(const char *const *args, char **out, char **err)
{
    const char *argv[16] = { test_bin() };
    size_t n = 1;
    while (args[n - 1] && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    return test_run(argv, NULL, out, err);
}

void test_backup_copies_a_live_database_and_restores_it(void)
{
    const char *db = test_path("backup_live.db"), *copy = test_path("backup_copy.db");
    const char *csv = test_path("backup_seed.csv"), *restored = test_path("backup_restored.db");
    unlink(copy);
    unlink(restored);
    unlink(db);
    write_seed_csv(csv, 1500);
    const char *import[] = { "import", "achievements", csv, "--org", "Seed University", "--create-org",
                             "--db", db, NULL };
    REQUIRE(run_tm(import, NULL, NULL) == 0);

    test_server s;
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    char *tok = test_signup(&s, "Live University", "university", "live@example.org");
    REQUIRE(tok != NULL);
    writer w = { .srv = &s, .token = tok };
    atomic_init(&w.acked, 0);
    atomic_init(&w.stop, 0);
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, write_listings, &w) == 0);
    for (int waited = 0; atomic_load(&w.acked) < 5 && waited < 10000; waited += 2)
        usleep(2000);
    int acked_before = atomic_load(&w.acked);
    if (acked_before < 5) {
        atomic_store(&w.stop, 1);
        pthread_join(thread, NULL);
        test_server_stop(&s);
        free(tok);
        REQUIRE(acked_before >= 5); /* the server did not take the writer's listings */
    }

    char *out = NULL, *err = NULL;
    const char *backup[] = { "backup", "--db", db, "--to", copy, NULL };
    int rc = run_tm(backup, &out, &err);
    int acked_after = atomic_load(&w.acked);
    atomic_store(&w.stop, 1);
    pthread_join(thread, NULL);
    printf("  (writes acknowledged: %d before the backup, %d when it ended, %d in all)\n", acked_before,
           acked_after, atomic_load(&w.acked));
    CHECK_INT(rc, 0);
    CHECK_CONTAINS(out, "integrity check ok");
    if (rc != 0)
        fprintf(stderr, "  backup said: %s\n", err ? err : "");
    free(out);
    free(err);

    /* The copy is whole: it passes the check, has every table, and the listings acknowledged before. */
    struct stat sb;
    CHECK(stat(copy, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_INT(test_sqlite_int(copy, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
    CHECK_INT(test_sqlite_int(copy, "PRAGMA user_version"), test_sqlite_int(db, "PRAGMA user_version"));
    CHECK_INT(test_sqlite_int(copy, "SELECT count(*) FROM sqlite_master"),
              test_sqlite_int(db, "SELECT count(*) FROM sqlite_master"));
    CHECK_INT(test_sqlite_int(copy, "SELECT count(*) FROM achievements WHERE ref LIKE 'S%'"), 1500);
    int copied = test_sqlite_int(copy, "SELECT count(*) FROM achievements WHERE title LIKE 'liveupdate %'");
    CHECK(copied >= acked_before);
    CHECK(copied <= atomic_load(&w.acked));

    /* Restore refuses to replace the database the server is using. */
    const char *busy[] = { "restore", "--from", copy, "--db", db, NULL };
    CHECK_INT(run_tm(busy, NULL, &err), 1);
    CHECK_CONTAINS(err, "stop the server first");
    free(err);
    CHECK_INT(test_server_stop(&s), 0);

    /* Restored under a new name, a server answers the listings (search included) and the session. */
    const char *restore[] = { "restore", "--from", copy, "--db", restored, NULL };
    CHECK_INT(run_tm(restore, &out, NULL), 0);
    CHECK_CONTAINS(out, "restored");
    free(out);
    CHECK(stat(restored, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    REQUIRE(test_server_start(&s, restored, NULL) == 0);
    char path[64];
    snprintf(path, sizeof path, "/api/achievements/%ld", w.first_id);
    test_resp *r = test_http(&s, "GET", path, NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    CHECK_CONTAINS(test_jstr(r->json, "title"), "liveupdate 0 ");
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/achievements?q=liveupdate&limit=100", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    int found = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
    CHECK(found >= (acked_before < 100 ? acked_before : 100));
    test_resp_free(r);
    r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
    free(tok);
}

/* Writes text to path. */
static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Runs techmatch with args and checks its exit status and that stderr names the problem. */
static void refused(const char *const *args, int status, const char *message)
{
    char *err = NULL;
    int rc = run_tm(args, NULL, &err);
    if (rc != status)
        test_fail(__FILE__, __LINE__, "%s %s: exit %d, expected %d", args[0], args[1], rc, status);
    if (err == NULL || strstr(err, message) == NULL)
        test_fail(__FILE__, __LINE__, "%s: stderr \"%s\" lacks \"%s\"", args[0], err ? err : "", message);
    free(err);
}

void test_backup_refuses_bad_input(void)
{
    const char *db = test_path("backup_bad.db"), *to = test_path("backup_bad_copy.db");
    const char *junk = test_path("backup_junk.db"), *fresh = test_path("backup_fresh.db");
    unlink(db);
    unlink(fresh);
    unlink(to);
    const char *user[] = { test_bin(), "user", "add", "--role", "admin", "--email", "a@example.org",
                           "--org", "Agency", "--db", db, NULL };
    REQUIRE(test_run(user, TEST_PASSWORD "\n", NULL, NULL) == 0);

    const char *help[] = { "restore", "--help", NULL };
    char *out = NULL;
    CHECK_INT(run_tm(help, &out, NULL), 0);
    CHECK_CONTAINS(out, "usage: techmatch restore");
    free(out);
    const char *no_to[] = { "backup", "--db", db, NULL };
    refused(no_to, 2, "--to FILE is required");
    const char *no_from[] = { "restore", "--db", fresh, NULL };
    refused(no_from, 2, "--from FILE is required");

    put_file(to, "keep me");
    const char *exists[] = { "backup", "--db", db, "--to", to, NULL };
    refused(exists, 1, "exists; pass --force");
    CHECK_INT(test_sqlite_int(to, "PRAGMA user_version"), -1); /* still the text, not a database */
    const char *force[] = { "backup", "--db", db, "--to", to, "--force", NULL };
    CHECK_INT(run_tm(force, NULL, NULL), 0);
    CHECK_INT(test_sqlite_int(to, "SELECT count(*) FROM users WHERE email = 'a@example.org'"), 1);
    const char *itself[] = { "backup", "--db", db, "--to", db, "--force", NULL };
    refused(itself, 1, "is the database itself");
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users WHERE email = 'a@example.org'"), 1);

    put_file(junk, "this is not a database, but it is long enough to have a header of one hundred bytes......");
    const char *not_db[] = { "backup", "--db", junk, "--to", fresh, NULL };
    refused(not_db, 1, "is not a SQLite database");
    CHECK(access(fresh, F_OK) != 0);
    const char *missing[] = { "backup", "--db", test_path("backup_nowhere.db"), "--to", fresh, NULL };
    refused(missing, 1, "cannot open");
    CHECK(access(fresh, F_OK) != 0);
    CHECK(access(test_path("backup_nowhere.db"), F_OK) != 0); /* not created by trying */

    REQUIRE(test_sqlite_exec(fresh, "CREATE TABLE other(x)") == 0);
    const char *foreign[] = { "backup", "--db", fresh, "--to", test_path("backup_foreign.db"), NULL };
    refused(foreign, 1, "is not a techmatch database");
    unlink(fresh);

    const char *bad_copy[] = { "restore", "--from", junk, "--db", fresh, NULL };
    refused(bad_copy, 1, "is not a SQLite database");
    CHECK(access(fresh, F_OK) != 0);
    const char *over_junk[] = { "restore", "--from", to, "--db", junk, NULL };
    refused(over_junk, 1, "is not a database this can replace");
    const char *newer[] = { "restore", "--from", db, "--db", fresh, NULL };
    REQUIRE(test_sqlite_exec(db, "PRAGMA user_version = 999") == 0);
    refused(newer, 1, "schema version 999");
    CHECK(access(fresh, F_OK) != 0);
}

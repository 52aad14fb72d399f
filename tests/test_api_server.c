/*
 * test_api_server.c: the server as a process: a restart keeps every row and
 * session, a failed migration refuses to start and rolls back, shutdown is
 * clean and its log holds no secret or forged line, and IPv6 loopback serves.
 */
#include "api_world.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------- the process: restart, migrations, shutdown, logs ---------- */

void test_api_restart_keeps_every_row(void)
{
    world w;
    if (world_setup(&w, "restart.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    for (int i = 0; i < 10; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"title\":\"row %d\",\"fields\":[\"C3%d\"]}", i, i);
        world_create(&w.srv, "/api/achievements", w.tok[R_UNI], body);
    }
    int before = world_count_mine(&w, "achievements", R_UNI);
    CHECK_INT(before, 11);
    CHECK_INT(test_server_stop(&w.srv), 0);
    REQUIRE(test_server_start(&w.srv, w.srv.db, NULL) == 0);
    /* Sessions survive too: the same token still works. */
    CHECK_INT(world_count_mine(&w, "achievements", R_UNI), before);
    test_resp *r = test_http(&w.srv, "GET", "/api/achievements?q=row&limit=100", NULL, NULL, NULL, 0);
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 10);
    test_resp_free(r);
    world_teardown(&w);
}

void test_api_failed_migration_refuses_to_start(void)
{
    /* A file that already has an `orgs` table makes migration 001 fail. */
    const char *db = test_path("conflict.db");
    unlink(db);
    REQUIRE(test_sqlite_exec(db, "CREATE TABLE orgs(x); CREATE TABLE keep_me(y); "
                                 "INSERT INTO keep_me VALUES (1);") == 0);
    test_server s;
    CHECK(test_server_start(&s, db, NULL) != 0);
    char *log = test_server_log(&s);
    CHECK_CONTAINS(log, "migration schema/001_core.sql failed");
    CHECK_CONTAINS(log, "rolled back");
    free(log);
    CHECK_INT(test_sqlite_int(db, "PRAGMA user_version"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'users'"), 0);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM keep_me"), 1);
}

void test_api_shutdown_is_clean_and_logged(void)
{
    world w;
    if (world_setup(&w, "shutdown.db", NULL) != 0) {
        world_teardown(&w);
        return;
    }
    test_resp *r = test_http(&w.srv, "GET", "/api/demands?q=secret-query-text", NULL, NULL, NULL, 0);
    test_resp_free(r);
    r = test_http(&w.srv, "GET", "/x%0A2026-01-01T00:00:00Z%20info%20forged", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 404);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&w.srv), 0);
    char *log = test_server_log(&w.srv);
    CHECK(strstr(log, "\n2026-01-01T00:00:00Z info forged") == NULL); /* no forged line */
    CHECK_CONTAINS(log, "GET /x\\x0A2026-01-01T00:00:00Z info forged 404");
    CHECK_CONTAINS(log, "GET /api/demands 200 ");
    CHECK_CONTAINS(log, "POST /api/auth/login 200 ");
    CHECK_CONTAINS(log, "received SIGTERM");
    CHECK_CONTAINS(log, "stopped cleanly");
    CHECK(strstr(log, "secret-query-text") == NULL);
    for (int i = R_ENT; i < R_COUNT; i++)
        CHECK(strstr(log, w.tok[i]) == NULL);
    free(log);
    CHECK_INT(test_sqlite_int(w.srv.db, "SELECT count(*) FROM demands"), 1);
    world_teardown(&w);
}

void test_api_serves_ipv6_loopback(void)
{
    test_server s;
    static const char *const extra[] = { "--listen", "[::1]:0", NULL };
    unlink(test_path("v6.db"));
    /* The later --listen wins; the harness reads the port from the printed line. */
    if (test_server_start(&s, test_path("v6.db"), extra) != 0) {
        char *log = test_server_log(&s);
        if (strstr(log, "cannot listen") == NULL)
            test_fail(__FILE__, __LINE__, "the server did not start on ::1: %s", log);
        free(log); /* no IPv6 on this machine: nothing more to check */
        return;
    }
    snprintf(s.base, sizeof s.base, "http://[::1]:%d", s.port);
    test_resp *r = test_http(&s, "GET", "/healthz", NULL, NULL, NULL, 0);
    CHECK_INT(r->status, 200);
    test_resp_free(r);
    CHECK_INT(test_server_stop(&s), 0);
}


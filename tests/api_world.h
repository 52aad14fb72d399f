/*
 * api_world.h: the fixture the API tests (tests/test_api_*.c) share.
 *
 * A world is the real server (test_server from test.h) on a fresh database
 * file in the run's temporary directory, one signed-in user of every role
 * (two enterprises, two universities, a broker and an admin, indexed by the
 * R_* roles; R_ANON has no token) and one open demand of the first enterprise
 * and one open achievement of the first university that match each other
 * (液压支架, B06).
 *
 * Life: the calling test owns the world (usually on its stack).  world_setup
 * starts it; the test calls world_teardown exactly once, also when world_setup
 * failed (it stops whatever did start).  world_teardown stops the server with
 * SIGTERM, and a non-zero exit status or a sanitizer report in its log fails
 * the calling test.  A test may stop, kill and restart w->srv itself in between;
 * the tokens stay valid across a restart on the same database file.
 *
 * Ownership: the tokens belong to the world (freed by world_teardown).  A
 * returned test_resp is the caller's, freed with test_resp_free.
 *
 * Errors: helpers report a failure through test_fail on the calling test (the
 * test goes on) and return 0, -1 or an error status as each one says.
 *
 * Threads: a world is not thread-safe, but the requests it sends are
 * independent, so threads may send requests on one world as long as none
 * sets it up, tears it down or restarts its server meanwhile.
 */
#ifndef TM_API_WORLD_H
#define TM_API_WORLD_H
#include "test.h"

/* The roles of a world's users, an index into world.tok and world_role_names. */
enum { R_ANON, R_ENT, R_ENT2, R_UNI, R_UNI2, R_BROKER, R_ADMIN, R_COUNT };
/* The roles' names, for failure messages ("anonymous", "enterprise", ...). */
extern const char *const world_role_names[R_COUNT];

typedef struct world {
    test_server srv;
    char *tok[R_COUNT];
    long demand_id, achievement_id;
} world;

#define JSON "application/json"

/*
 * Starts a server on test_path(dbname) (removed first) with the extra
 * arguments (a NULL-terminated list, or NULL), signs in one user of every
 * role and creates the world's demand and achievement.  Returns 0, or -1
 * after a test_fail naming what did not work.
 */
int world_setup(world *w, const char *dbname, const char *const *extra);
/* Stops the server if it runs (checking its exit status) and frees the tokens. */
void world_teardown(world *w);

/* Posts body to path as token; returns the new id or 0 (after a test_fail). */
long world_create(const test_server *s, const char *path, const char *token, const char *body);
/* Counts the listings (kind "demands" or "achievements", any status) role's organisation has; -1 on error. */
int world_count_mine(const world *w, const char *kind, int role);

/*
 * POST /api/KIND/import (kind "demands" or "achievements") of body as role,
 * then, when the answer is 202, follows its Location until the job is done
 * or failed.  Returns a response the caller frees: when the job is done, its
 * status is the job's 200 and its json the job's report ({created, updated,
 * failed, rows}, as the import answered when it was synchronous); when it
 * failed, the job itself (after a test_fail); without a 202, the POST's own
 * answer (400, 413, 415, 503...).
 */
test_resp *world_import(const world *w, int role, const char *kind, const char *content_type, const char *body,
                        size_t len);
/*
 * Follows the import job at location (as the Location header said it) as token
 * until it is done or failed, calling seen (may be NULL) with every state of
 * the job read on the way; returns the last response (the caller frees it),
 * or NULL after a test_fail when the job does not finish within minutes.
 */
test_resp *world_follow_job(const test_server *s, const char *token, const char *location,
                            void (*seen)(void *ctx, const cJSON *job), void *ctx);

/* Creates the first university's achievement number n, one that matches the world's demand; returns its id or 0. */
long world_matching_achievement(world *w, int n);
/* The id of the stored match of (demand, achievement) with this status (or "all"), as the broker sees it; or 0. */
long world_match_id(const world *w, const char *status, long demand, long achievement);
/* POST /api/matches/ID/approve as role; returns the response (the caller frees it). */
test_resp *world_approve(world *w, int role, long match_id);
/* GET /api/notifications?after=AFTER as role; returns the response (the caller frees it). */
test_resp *world_inbox(world *w, int role, long after);

#endif

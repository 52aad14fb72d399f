/*
 * test_store_files.c: the database's files on disk.  The file and its -wal
 * and -shm hold contacts, password hashes and webhook signing keys: a new
 * database is created 0600, whatever the umask allows, and its side files
 * follow; an existing file keeps the mode its operator gave it, with a
 * warning naming it.
 */
#include "test.h"
#include "store_fixture.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The permission bits of path, or -1 when it does not exist. */
static int file_mode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

/* The mode of path + suffix (see file_mode). */
static int side_mode(const char *path, const char *suffix)
{
    char name[4096];
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return file_mode(name);
}

void test_store_files_are_private_to_the_owner(void)
{
    /* A umask that lets everyone read is the common default, and what SQLite alone would honour. */
    mode_t old = umask(022);
    store *s = fixture_store("private.db");
    umask(old);
    REQUIRE(s != NULL);
    const char *path = test_path("private.db");
    /* After a write the -wal and -shm exist (the store is still open): all three are the owner's alone. */
    CHECK(fixture_org(s, "Mode Check Ltd", "enterprise") > 0);
    CHECK_INT(file_mode(path), 0600);
    CHECK_INT(side_mode(path, "-wal"), 0600);
    CHECK_INT(side_mode(path, "-shm"), 0600);
    store_close(s);
}

void test_store_files_wider_mode_is_kept_and_named(void)
{
    const char *path = test_path("shared.db");
    store *s = fixture_store("shared.db");
    REQUIRE(s != NULL);
    store_close(s);
    REQUIRE(chmod(path, 0644) == 0);
    /* Opened again (by the CLI, whose log is stderr): it still opens, keeps 0644, and the log names the file. */
    const char *argv[] = { test_bin(), "user", "add", "--role", "broker", "--email", "mode@example.org",
                           "--org", "Provincial Technology Market", "--db", path, NULL };
    char *err = NULL;
    CHECK_INT(test_run(argv, TEST_PASSWORD "\n", NULL, &err), 0);
    CHECK(err != NULL && strstr(err, path) != NULL && strstr(err, "chmod 600") != NULL);
    CHECK_INT(file_mode(path), 0644);
    free(err);
}

/*
 * test_install.c: `make install` and `make uninstall` into a DESTDIR: the release
 * binary lands in PREFIX/bin and runs, the systemd unit in PREFIX/lib/systemd/system
 * names that binary and keeps its sandbox, and `systemd-analyze verify` accepts the
 * unit where systemd-analyze is installed (skipped with a printed reason elsewhere).
 * Runs from the repository root, as tests/run.sh does, with make on the PATH.
 */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALL_PREFIX "/usr/local"
#define UNIT_REL INSTALL_PREFIX "/lib/systemd/system/techmatch.service"
#define BIN_REL INSTALL_PREFIX "/bin/techmatch"

/* Lines the installed unit must hold, each a whole line. */
static const char *const unit_lines[] = {
    "ExecStart=" BIN_REL " serve --db /var/lib/techmatch/techmatch.db --listen 127.0.0.1:8080",
    "DynamicUser=yes", "StateDirectory=techmatch", "StateDirectoryMode=0700", "UMask=0077",
    "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "NoNewPrivileges=yes",
    "CapabilityBoundingSet=", "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
    "ProtectControlGroups=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictNamespaces=yes",
    "LockPersonality=yes", "MemoryDenyWriteExecute=yes", "SystemCallArchitectures=native",
    "SystemCallFilter=@system-service", "Restart=on-failure", "KillSignal=SIGTERM", "TimeoutStopSec=20",
    "WantedBy=multi-user.target",
};

/* Runs `make -s TARGET DESTDIR=destdir PREFIX=/usr/local` in the current directory; returns its status. */
static int run_make(const char *target, const char *destdir, char **err)
{
    char dest_arg[600];
    snprintf(dest_arg, sizeof dest_arg, "DESTDIR=%s", destdir);
    /* A make of its own: not a sub-make of the `make test` that may have started this runner. */
    const char *argv[] = { "/usr/bin/env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u", "MAKELEVEL", "make",
                           "--no-print-directory", "-s", target, dest_arg, "PREFIX=" INSTALL_PREFIX, NULL };
    return test_run(argv, NULL, NULL, err);
}

/* Returns the whole file (malloc'd, the caller frees), or NULL. */
static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

/* Returns 1 if text has line as one whole line. */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; p && *p; ) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && memcmp(p, line, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Writes the full path of program found on $PATH into out; returns 0, or -1 when it is not there. */
static int find_on_path(const char *program, char *out, size_t len)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(out, len, "%.*s/%s", (int)dlen, path, program);
        if (dlen > 0 && access(out, X_OK) == 0)
            return 0;
        path += dlen + (colon ? 1 : 0);
    }
    return -1;
}

/*
 * Verifies a copy of the unit whose ExecStart names the DESTDIR binary, since the
 * unit's own path (/usr/local/bin/techmatch) need not exist on the machine running
 * the tests and verify checks that it does.  verify prints nothing for a good unit.
 */
static void verify_unit(const char *unit_text, const char *destdir)
{
    char analyze[512];
    if (find_on_path("systemd-analyze", analyze, sizeof analyze) != 0) {
        printf("  skipped: systemd-analyze verify (systemd-analyze is not on the PATH)\n");
        return;
    }
    const char *from = "ExecStart=" BIN_REL;
    const char *at = strstr(unit_text, from);
    REQUIRE(at != NULL);
    char verify_dir[512], unit_copy[600];
    snprintf(verify_dir, sizeof verify_dir, "%s", test_path("install_verify"));
    mkdir(verify_dir, 0700);
    snprintf(unit_copy, sizeof unit_copy, "%s/techmatch.service", verify_dir);
    FILE *f = fopen(unit_copy, "w");
    REQUIRE(f != NULL);
    fprintf(f, "%.*sExecStart=%s%s%s", (int)(at - unit_text), unit_text, destdir, BIN_REL, at + strlen(from));
    fclose(f);
    const char *argv[] = { analyze, "verify", "--man=no", unit_copy, NULL };
    char *out = NULL, *err = NULL;
    int rc = test_run(argv, NULL, &out, &err);
    CHECK_INT(rc, 0);
    CHECK_STR(out, "");
    CHECK_STR(err, "");
    free(out);
    free(err);
}

void test_install_puts_the_binary_and_a_sandboxed_unit_in_place(void)
{
    char destdir[512], bin[600], unit[600];
    snprintf(destdir, sizeof destdir, "%s", test_path("install_root"));
    snprintf(bin, sizeof bin, "%s%s", destdir, BIN_REL);
    snprintf(unit, sizeof unit, "%s%s", destdir, UNIT_REL);
    REQUIRE(access("Makefile", R_OK) == 0);  /* the runner runs from the repository root */

    char *err = NULL;
    int rc = run_make("install", destdir, &err);
    if (rc != 0)
        fprintf(stderr, "  make install: %s\n", err ? err : "");
    free(err);
    REQUIRE(rc == 0);

    struct stat st;
    REQUIRE(stat(bin, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0755);
    const char *help[] = { bin, "--help", NULL };
    char *out = NULL;
    CHECK_INT(test_run(help, NULL, &out, NULL), 0);
    CHECK_CONTAINS(out, "usage: techmatch");
    free(out);

    REQUIRE(stat(unit, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0644);
    char *text = read_all(unit);
    REQUIRE(text != NULL);
    for (size_t i = 0; i < sizeof unit_lines / sizeof unit_lines[0]; i++)
        if (!has_line(text, unit_lines[i]))
            test_fail(__FILE__, __LINE__, "the installed unit lacks the line \"%s\"", unit_lines[i]);
    CHECK(strstr(text, "@PREFIX@") == NULL);
    verify_unit(text, destdir);
    free(text);

    CHECK_INT(run_make("uninstall", destdir, NULL), 0);
    CHECK(access(bin, F_OK) != 0);
    CHECK(access(unit, F_OK) != 0);
}

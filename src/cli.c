/*
 * cli.c: `techmatch user`, `techmatch import` and `techmatch backup`, which
 * work on the database file directly (the server may be running: SQLite's WAL
 * and busy timeout serialise the writers), and `techmatch restore`, which
 * replaces the file and so wants the server stopped; `techmatch demo`, which
 * seeds a new database as the demo, with one account per role.
 */
#include "cli.h"
#include "api_auth.h"
#include "auth.h"
#include "import.h"
#include "limits.h"
#include "listing_write.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "vocab.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* ---------- techmatch user add ---------- */

static const char user_usage[] =
    "usage: techmatch user add --role broker|admin --email EMAIL --org NAME [--name DISPLAY_NAME] [--db PATH]\n"
    "\n"
    "Creates a broker or admin user in organisation NAME (a broker agency, created if missing).\n"
    "The password is read from standard input (one line; at least 10 characters), never from\n"
    "the command line.  On a terminal it is asked for without echo.\n";

/* Reads one line from stdin into buf (without the newline); no echo on a terminal. */
static int read_password(char *buf, size_t len)
{
    struct termios old, quiet;
    int tty = isatty(STDIN_FILENO);
    if (tty) {
        fputs("password: ", stderr);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    char *got = fgets(buf, (int)len, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (got == NULL)
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

int cli_user(int argc, char **argv)
{
    static const struct option opts[] = {
        { "role", required_argument, NULL, 'r' },
        { "email", required_argument, NULL, 'e' },
        { "org", required_argument, NULL, 'o' },
        { "name", required_argument, NULL, 'n' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *role = NULL, *email = NULL, *org = NULL, *name = NULL, *db = "techmatch.db";
    char password[LIM_PASSWORD_MAX + 2];
    char hash[AUTH_HASH_STR_BYTES];
    store *s = NULL;
    int64_t id = 0;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 'e': email = optarg; break;
        case 'o': org = optarg; break;
        case 'n': name = optarg; break;
        case 'd': db = optarg; break;
        case 'h': fputs(user_usage, stdout); return 0;
        default: fputs(user_usage, stderr); return 2;
        }
    }
    if (optind + 1 != argc || strcmp(argv[optind], "add") != 0 || !role || !email || !org) {
        fputs(user_usage, stderr);
        return 2;
    }
    int staff = vocab_find(&vocab_roles, role);
    if (staff != USER_BROKER && staff != USER_ADMIN) {
        fprintf(stderr, "techmatch user: --role must be broker or admin\n");
        return 2;
    }
    const char *why = api_auth_email_problem(email);
    if (why) {
        fprintf(stderr, "techmatch user: --email %s\n", why);
        return 2;
    }
    if (org[0] == '\0' || strlen(org) > LIM_NAME * 4) {
        fprintf(stderr, "techmatch user: --org must be 1 to %d characters\n", LIM_NAME);
        return 2;
    }
    if (read_password(password, sizeof password) != 0) {
        fprintf(stderr, "techmatch user: no password on standard input\n");
        return 1;
    }
    why = api_auth_password_problem(password);
    if (why) {
        fprintf(stderr, "techmatch user: the password %s\n", why);
        return 1;
    }
    if (auth_init() != TM_OK || auth_password_hash(password, hash) != TM_OK) {
        fprintf(stderr, "techmatch user: cannot hash the password\n");
        return 1;
    }
    memset(password, 0, sizeof password);
    log_set_quiet(1);
    int rc = store_open(db, &s);
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch user: cannot open the database %s: %s\n", db, tm_strerror(rc));
        return 1;
    }
    rc = store_user_add(s, email, role, org, name ? name : email, hash, &id);
    store_close(s);
    if (rc == TM_ERR_CONFLICT) {
        fprintf(stderr, "techmatch user: a user with email %s already exists\n", email);
        return 1;
    }
    if (rc == TM_ERR_INVALID) {
        fprintf(stderr, "techmatch user: organisation '%s' is an enterprise or university, not a broker agency\n", org);
        return 1;
    }
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch user: %s; nothing was stored\n", tm_strerror(rc));
        return 1;
    }
    printf("added %s %s (user %lld) to %s\n", role, email, (long long)id, org);
    return 0;
}

/* ---------- techmatch import ---------- */

static const char import_usage[] =
    "usage: techmatch import achievements|demands FILE --org NAME [--create-org] [--format csv|jsonl] [--db PATH]\n"
    "\n"
    "Imports listings for organisation NAME from FILE (CSV with a header row, or JSON Lines;\n"
    "the format follows the file name unless --format is given).  Valid rows are stored in one\n"
    "transaction; each invalid row is reported as FILE:LINE: member: reason.  Rows with a ref\n"
    "that the organisation already has update that listing, so re-importing creates no duplicates.\n"
    "Imported listings are matched against the other side, as any write is; a server running\n"
    "on the same database picks them up within seconds.\n"
    "--create-org creates the organisation (a university for achievements, an enterprise for\n"
    "demands) if it does not exist.  Exit status: 0 all rows stored, 1 some rows invalid or an\n"
    "error, 2 usage.\n";

typedef struct progress_bar {
    struct timespec start, last;
    int shown;
} progress_bar;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/*
 * Draws the bar on the terminal.  The last row's bar (done == total) is always
 * drawn, so an import on a terminal ends with its count however fast the
 * machine is (the bar used to wait for half a second in all, and a test saw
 * none on a busy machine).  The rows before it redraw only once the import has
 * run half a second, then at most ten times a second, so a quick import shows
 * one bar, not a flicker.  Only the rows stored are drawn; returns 0 (an
 * import on the command line is never stopped).
 */
static int draw_progress(void *ctx, import_phase phase, size_t done, size_t total)
{
    progress_bar *p = ctx;
    if (phase != IMPORT_STORING)
        return 0; /* the bar counts the rows stored */
    if (done < total) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (seconds_between(&p->start, &now) < 0.5 || seconds_between(&p->last, &now) < 0.1)
            return 0;
        p->last = now;
    }
    p->shown = 1;
    int width = 40, filled = total ? (int)((double)done / (double)total * width) : width;
    char bar[41];
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    fprintf(stderr, "\r[%s] %zu/%zu rows", bar, done, total);
    fflush(stderr);
    return 0;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Prints each error as FILE:LINE: member: reason (FILE: member: reason when line is 0). */
static void print_errors(const char *file, const import_error *errors, size_t n, size_t line)
{
    for (size_t i = 0; i < n; i++) {
        if (line > 0)
            fprintf(stderr, "%s:%zu: ", file, line);
        else
            fprintf(stderr, "%s: ", file);
        if (errors[i].field)
            fprintf(stderr, "%s: ", errors[i].field);
        fprintf(stderr, "%s\n", errors[i].message);
    }
}

int cli_import(int argc, char **argv)
{
    static const struct option opts[] = {
        { "org", required_argument, NULL, 'o' },
        { "create-org", no_argument, NULL, 'c' },
        { "format", required_argument, NULL, 'f' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *org = NULL, *format = NULL, *db = "techmatch.db";
    int create = 0, c, status = 1;
    store *s = NULL;
    taxonomy *tax = NULL;
    char *data = NULL;
    import_result res = { 0 };
    size_t len = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': org = optarg; break;
        case 'c': create = 1; break;
        case 'f': format = optarg; break;
        case 'd': db = optarg; break;
        case 'h': fputs(import_usage, stdout); return 0;
        default: fputs(import_usage, stderr); return 2;
        }
    }
    if (optind + 2 != argc || org == NULL) {
        fputs(import_usage, stderr);
        return 2;
    }
    const char *what = argv[optind], *file = argv[optind + 1];
    listing_kind kind;
    if (strcmp(what, "achievements") == 0)
        kind = LISTING_ACHIEVEMENT;
    else if (strcmp(what, "demands") == 0)
        kind = LISTING_DEMAND;
    else {
        fprintf(stderr, "techmatch import: say 'achievements' or 'demands', not '%s'\n", what);
        return 2;
    }
    import_format fmt;
    if (format ? strcmp(format, "csv") == 0 : ends_with(file, ".csv"))
        fmt = IMPORT_CSV;
    else if (format ? strcmp(format, "jsonl") == 0
                    : (ends_with(file, ".jsonl") || ends_with(file, ".ndjson")))
        fmt = IMPORT_JSONL;
    else {
        fprintf(stderr, "techmatch import: cannot tell the format of %s; use --format csv or --format jsonl\n", file);
        return 2;
    }
    data = cli_read_file(file, &len);
    if (data == NULL) {
        fprintf(stderr, "techmatch import: cannot read %s\n", file);
        return 1;
    }
    log_set_quiet(1);
    int opened = store_open(db, &s);
    if (opened == TM_OK)
        opened = store_fields_load(s, &tax);
    if (opened != TM_OK) {
        fprintf(stderr, "techmatch import: cannot open the database %s: %s\n", db, tm_strerror(opened));
        goto out;
    }

    int64_t org_id = 0;
    char kind_have[16] = "";
    const char *kind_need = vocab_code(&vocab_org_kinds, kind == LISTING_ACHIEVEMENT ? ORG_UNIVERSITY : ORG_ENTERPRISE);
    int rc = create ? store_org_ensure(s, org, kind_need, &org_id) : store_org_find(s, org, &org_id, kind_have);
    if (rc == TM_ERR_NOT_FOUND) {
        fprintf(stderr, "techmatch import: no organisation named '%s' (register it, or pass --create-org)\n", org);
        goto out;
    }
    if (rc == TM_ERR_CONFLICT || (rc == TM_OK && !create && strcmp(kind_have, kind_need) != 0)) {
        fprintf(stderr, "techmatch import: '%s' is not a%s %s, so it cannot own %s\n", org,
                kind == LISTING_ACHIEVEMENT ? "" : "n", kind_need, what);
        goto out;
    }
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch import: %s; nothing was stored\n", tm_strerror(rc));
        goto out;
    }

    /* Stored, then matched like any other write (listing_write opens a matcher after storing). */
    progress_bar bar = { 0 };
    clock_gettime(CLOCK_MONOTONIC, &bar.start);
    rc = listing_write_import(s, NULL, tax, kind, org_id, 0, fmt, data, len,
                              isatty(STDERR_FILENO) ? draw_progress : NULL, &bar, &res);
    if (bar.shown)
        fputc('\n', stderr);
    if (rc == TM_ERR_INVALID) {
        print_errors(file, res.errors, res.nerrors, 0);
        goto out;
    }
    if (rc != TM_OK && res.stored_rows == 0) {
        fprintf(stderr, "techmatch import: %s; nothing was stored\n", tm_strerror(rc));
        goto out;
    }
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch import: %s after the first %zu row(s) that parsed were processed (the valid "
                        "ones are stored); importing the file again is safe for rows with a ref\n",
                tm_strerror(rc), res.stored_rows);
        goto out;
    }
    for (size_t i = 0; i < res.nrows; i++)
        print_errors(file, res.rows[i].errors, res.rows[i].nerrors, res.rows[i].line);
    if (res.match_status != TM_OK)
        fprintf(stderr, "techmatch import: stored, but the matcher could not start; no suggestions were made\n");
    for (size_t i = 0; i < res.nrows; i++)
        if (res.rows[i].match_status != TM_OK)
            fprintf(stderr, "techmatch import: matching line %zu failed\n", res.rows[i].line);
    printf("%s: %zu created, %zu updated, %zu invalid\n", file, res.created, res.updated, res.failed);
    status = res.failed ? 1 : 0;
out:
    import_result_cleanup(&res);
    taxonomy_free(tax);
    store_close(s);
    free(data);
    return status;
}

/* ---------- techmatch backup and restore ---------- */

static const char backup_usage[] =
    "usage: techmatch backup --to FILE [--db PATH] [--force]\n"
    "\n"
    "Copies the database (default techmatch.db) to FILE while the server runs, with SQLite's\n"
    "online backup.  The copy is checked (PRAGMA integrity_check) before it takes the name FILE,\n"
    "and is created readable by its owner only (it holds password hashes and webhook keys).\n"
    "An existing FILE is refused unless --force.  Exit status: 0 copied, 1 failed, 2 usage.\n";

int cli_backup(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "to", required_argument, NULL, 't' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = "techmatch.db", *to = NULL;
    int force = 0, c;
    char why[1024] = "";

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 't': to = optarg; break;
        case 'f': force = 1; break;
        case 'h': fputs(backup_usage, stdout); return 0;
        default: fputs(backup_usage, stderr); return 2;
        }
    }
    if (optind != argc || to == NULL) {
        if (to == NULL)
            fprintf(stderr, "techmatch backup: --to FILE is required\n");
        fputs(backup_usage, stderr);
        return 2;
    }
    log_set_quiet(1);
    if (store_backup(db, to, force, why, sizeof why) != TM_OK) {
        fprintf(stderr, "techmatch backup: %s\n", why);
        return 1;
    }
    printf("backed up %s to %s (integrity check ok)\n", db, to);
    return 0;
}

static const char restore_usage[] =
    "usage: techmatch restore --from FILE --db PATH\n"
    "\n"
    "Replaces the database PATH with the copy FILE made by 'techmatch backup'.  The copy is\n"
    "checked first (integrity, and a schema version this techmatch knows); stop the server\n"
    "first: restore refuses while PATH is in use.  The old database at PATH is not kept.\n"
    "Exit status: 0 restored, 1 failed, 2 usage.\n";

int cli_restore(int argc, char **argv)
{
    static const struct option opts[] = {
        { "from", required_argument, NULL, 'f' },
        { "db", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = NULL, *from = NULL;
    int c;
    char why[1024] = "";

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 'd': db = optarg; break;
        case 'h': fputs(restore_usage, stdout); return 0;
        default: fputs(restore_usage, stderr); return 2;
        }
    }
    if (optind != argc || from == NULL || db == NULL) {
        if (optind == argc)
            fprintf(stderr, "techmatch restore: %s is required\n", from == NULL ? "--from FILE" : "--db PATH");
        fputs(restore_usage, stderr);
        return 2;
    }
    log_set_quiet(1);
    if (store_restore(from, db, why, sizeof why) != TM_OK) {
        fprintf(stderr, "techmatch restore: %s\n", why);
        return 1;
    }
    printf("restored %s from %s\n", db, from);
    return 0;
}

/* ---------- techmatch demo ---------- */

static const char demo_usage[] =
    "usage: techmatch demo [--db PATH] [--seeds DIR]\n"
    "\n"
    "Seeds a new, empty database as the demo: the listings of DIR (default seeds/demo) as its\n"
    "manifest.tsv lists them (FILE, achievements|demands, organisation), loaded and matched as\n"
    "`techmatch import` does, then one account per role: an enterprise and a university user on\n"
    "the demo organisations of the best suggestion (first in the review queue), a broker and an\n"
    "admin.  Each gets a random password, printed here once and stored only as its hash.  Run\n"
    "again on the demo, it loads nothing twice and makes no second set of accounts.  A database\n"
    "that holds organisations and was not seeded by this command is refused (exit 1): demo\n"
    "accounts never go into real data.\n";

#define DEMO_AGENCY "techmatch 演示技术市场"

/* The first organisation of each kind in DIR/manifest.tsv (enterprise: demands, university: achievements). */
typedef struct demo_orgs {
    char enterprise[512], university[512];
} demo_orgs;

/* Splits a manifest line "FILE\tKIND\tORG" in place; 0 when it has three parts. */
static int manifest_split(char *line, char **file, char **kind, char **org)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (t1 == NULL || t2 == NULL)
        return -1;
    *t1 = '\0';
    *t2 = '\0';
    *file = line;
    *kind = t1 + 1;
    *org = t2 + 1;
    return 0;
}

/* Reads the manifest; with load set, imports each file into db.  0, or 1 (reported) on failure. */
static int demo_manifest(const char *dir, const char *db, int load, demo_orgs *orgs)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/manifest.tsv", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "techmatch demo: cannot read %s\n", path);
        return 1;
    }
    int status = 0;
    while (status == 0 && fgets(line, sizeof line, f)) {
        char *file = NULL, *kind = NULL, *org = NULL;
        if (line[0] == '\n' || line[0] == '\0')
            continue;
        if (manifest_split(line, &file, &kind, &org) != 0) {
            fprintf(stderr, "techmatch demo: %s: a line is not FILE<tab>KIND<tab>ORGANISATION\n", path);
            status = 1;
            break;
        }
        int demands = strcmp(kind, "demands") == 0;
        char *slot = demands ? orgs->enterprise : orgs->university;
        if (slot[0] == '\0')
            snprintf(slot, sizeof orgs->enterprise, "%s", org);
        if (load) {
            char fpath[8200];
            snprintf(fpath, sizeof fpath, "%s/%s", dir, file);
            char *argv[] = { "import", kind, fpath, "--org", org, "--create-org", "--db", (char *)db, NULL };
            status = cli_import(8, argv) == 0 ? 0 : 1;
        }
    }
    fclose(f);
    if (status == 0 && (orgs->enterprise[0] == '\0' || orgs->university[0] == '\0')) {
        fprintf(stderr, "techmatch demo: %s lists no demands or no achievements\n", path);
        status = 1;
    }
    return status;
}

/*
 * The demo enterprise and university own the two sides of the best suggestion,
 * which heads the brokers' review queue: a broker's first approval reaches the
 * inbox of the demo's enterprise account, and the university sees the match.
 * Leaves the manifest's first organisations when there is no suggestion.
 */
static void demo_pick_enterprise(store *s, demo_orgs *orgs)
{
    match_filter f = { .status = "suggested", .min_score = 0.0, .max_score = 1.0, .assigned_to = -1, .limit = 1 };
    match_page page = { 0 };
    listing *d = NULL, *a = NULL;
    if (store_match_list(s, &f, &page) == TM_OK && page.n == 1) {
        if (store_listing_get(s, LISTING_DEMAND, page.items[0].demand_id, &d) == TM_OK && d->org_name)
            snprintf(orgs->enterprise, sizeof orgs->enterprise, "%s", d->org_name);
        if (store_listing_get(s, LISTING_ACHIEVEMENT, page.items[0].achievement_id, &a) == TM_OK && a->org_name)
            snprintf(orgs->university, sizeof orgs->university, "%s", a->org_name);
    }
    listing_free(d);
    listing_free(a);
    store_match_page_cleanup(&page);
}

/* Makes the four accounts with fresh random passwords; prints them when they were created now. */
static int demo_accounts(const char *db, demo_orgs *orgs)
{
    static const char *const roles[] = { "enterprise", "university", "broker", "admin" };
    static const char *const names[] = { "演示企业用户", "演示高校用户", "演示经纪人", "演示管理员" };
    char passwords[4][AUTH_RANDOM_PASSWORD_BYTES], hashes[4][AUTH_HASH_STR_BYTES], emails[4][64];
    demo_account a[4];
    store *s = NULL;
    int created = 0;
    int rc = store_open(db, &s);
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch demo: cannot open the database %s: %s\n", db, tm_strerror(rc));
        return 1;
    }
    demo_pick_enterprise(s, orgs);
    for (int i = 0; i < 4; i++) {
        auth_random_password(passwords[i]);
        if (auth_password_hash(passwords[i], hashes[i]) != TM_OK) {
            fprintf(stderr, "techmatch demo: cannot hash a password\n");
            store_close(s);
            return 1;
        }
        snprintf(emails[i], sizeof emails[i], "%s@demo.techmatch.example", roles[i]);
        a[i] = (demo_account){ emails[i], roles[i], i == 0 ? orgs->enterprise : i == 1 ? orgs->university : DEMO_AGENCY,
                               names[i], hashes[i] };
    }
    rc = store_demo_accounts_add(s, a, 4, &created);
    store_close(s);
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch demo: cannot add the demo accounts: %s\n", tm_strerror(rc));
        return 1;
    }
    if (!created) {
        printf("techmatch demo: the demo accounts exist already (their passwords were printed when they were made;\n"
               "to have new ones, seed a new database: rm %s && make run)\n", db);
        return 0;
    }
    printf("\ntechmatch demo: one account per role (each password is shown only this once):\n\n");
    for (int i = 0; i < 4; i++)
        printf("  %-10s  %-36s  %s  (%s)\n", roles[i], emails[i], passwords[i], a[i].org_name);
    printf("\nLog in at the server's address (make run: http://127.0.0.1:8080) with one of them.  Try it: as the\n"
           "broker, approve the first suggestion of the review queue (审核队列); as the enterprise, it is in\n"
           "the inbox (推送).\n");
    memset(passwords, 0, sizeof passwords);
    return 0;
}

int cli_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "seeds", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *db = "techmatch.db", *dir = "seeds/demo";
    demo_orgs orgs = { "", "" };
    store *s = NULL;
    int c, fresh = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's': dir = optarg; break;
        case 'h': fputs(demo_usage, stdout); return 0;
        default: fputs(demo_usage, stderr); return 2;
        }
    }
    if (optind != argc) {
        fputs(demo_usage, stderr);
        return 2;
    }
    if (auth_init() != TM_OK) {
        fprintf(stderr, "techmatch demo: cannot initialise libsodium\n");
        return 1;
    }
    log_set_quiet(1);
    int rc = store_open(db, &s);
    if (rc == TM_OK)
        rc = store_demo_seed_begin(s, &fresh);
    store_close(s);
    if (rc == TM_ERR_CONFLICT) {
        fprintf(stderr, "techmatch demo: %s holds organisations and was not seeded as the demo;"
                        " demo accounts go only into a new database\n", db);
        return 1;
    }
    if (rc != TM_OK) {
        fprintf(stderr, "techmatch demo: cannot open the database %s: %s\n", db, tm_strerror(rc));
        return 1;
    }
    if (!fresh)
        printf("techmatch demo: %s is the demo already; its listings are not loaded again\n", db);
    if (demo_manifest(dir, db, fresh, &orgs) != 0) {
        if (fresh)
            fprintf(stderr, "techmatch demo: the demo is partly loaded; delete %s and run again\n", db);
        return 1;
    }
    return demo_accounts(db, &orgs);
}

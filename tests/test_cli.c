/* test_cli.c: the techmatch command line: help, user add, import, the demo seed. */
#include "test.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void test_cli_help_on_every_subcommand(void)
{
    static const char *const cmds[][3] = {
        { "--help", NULL, NULL }, { "serve", "--help", NULL }, { "user", "--help", NULL },
        { "import", "--help", NULL }, { "rank", "--help", NULL }, { "demo", "--help", NULL },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[] = { test_bin(), cmds[i][0], cmds[i][1], NULL };
        char *out = NULL;
        CHECK_INT(test_run(argv, NULL, &out, NULL), 0);
        CHECK_CONTAINS(out, "usage: techmatch");
        free(out);
    }
    const char *bad[] = { test_bin(), "frobnicate", NULL };
    char *err = NULL;
    CHECK_INT(test_run(bad, NULL, NULL, &err), 2);
    CHECK_CONTAINS(err, "unknown command");
    free(err);
    const char *badopt[] = { test_bin(), "serve", "--listen", "nonsense", NULL };
    CHECK_INT(test_run(badopt, NULL, NULL, NULL), 2);
}

void test_cli_user_add_reads_the_password_from_stdin(void)
{
    const char *db = test_path("cliuser.db");
    unlink(db);
    const char *argv[] = { test_bin(), "user", "add", "--role", "broker", "--email", "b@example.org",
                           "--org", "贵州省技术市场", "--db", db, NULL };
    char *out = NULL, *err = NULL;
    CHECK_INT(test_run(argv, "short\n", NULL, &err), 1);
    CHECK_CONTAINS(err, "at least 10 characters");
    free(err);
    CHECK_INT(test_run(argv, TEST_PASSWORD "\n", &out, NULL), 0);
    CHECK_CONTAINS(out, "added broker b@example.org");
    free(out);
    CHECK_INT(test_run(argv, TEST_PASSWORD "\n", NULL, &err), 1); /* the email is taken now */
    CHECK_CONTAINS(err, "already exists");
    free(err);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM users WHERE role = 'broker'"
                                  " AND password_hash LIKE '$argon2id$%'"), 1);

    const char *badrole[] = { test_bin(), "user", "add", "--role", "king", "--email", "k@example.org",
                              "--org", "X", "--db", db, NULL };
    CHECK_INT(test_run(badrole, TEST_PASSWORD "\n", NULL, NULL), 2);

    /* The broker can sign in to a server on that database. */
    test_server s;
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    char *tok = test_login(&s, "b@example.org", TEST_PASSWORD);
    CHECK(tok != NULL);
    test_resp *r = test_http(&s, "GET", "/api/me", tok, NULL, NULL, 0);
    CHECK_STR(test_jstr(r->json, "role"), "broker");
    test_resp_free(r);
    free(tok);
    CHECK_INT(test_server_stop(&s), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

void test_cli_import_reports_lines_and_is_idempotent(void)
{
    const char *db = test_path("cliimport.db");
    const char *csv = test_path("needs.csv");
    unlink(db);
    write_file(csv, "ref,title,fields,budget_min,budget_max\n"
                    "N1,红缨子高粱机械化收获,A01,100000,200000\n"
                    "N2,Bad budget,A01,300000,200000\n"
                    "N3,智能化茶园管理,A01;I65,,\n");
    const char *argv[] = { test_bin(), "import", "demands", csv, "--org", "仁怀酒业", "--db", db, NULL };
    char *out = NULL, *err = NULL;
    CHECK_INT(test_run(argv, NULL, NULL, &err), 1);
    CHECK_CONTAINS(err, "no organisation named");
    free(err);

    const char *create[] = { test_bin(), "import", "demands", csv, "--org", "仁怀酒业", "--create-org", "--db", db, NULL };
    CHECK_INT(test_run(create, NULL, &out, &err), 1); /* one row is invalid */
    CHECK_CONTAINS(out, "2 created, 0 updated, 1 invalid");
    CHECK_CONTAINS(err, "needs.csv:3: budget_min: must not be greater than budget_max");
    free(out);
    free(err);
    CHECK_INT(test_run(create, NULL, &out, NULL), 1);
    CHECK_CONTAINS(out, "0 created, 2 updated, 1 invalid");
    free(out);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM demands"), 2);
    /* A ref with spaces around it is the same ref (found by fuzz_import: it used to fail the whole file). */
    write_file(csv, "ref,title,fields\n\" N1 \",红缨子高粱机械化收获（二期）,A01\n");
    CHECK_INT(test_run(create, NULL, &out, NULL), 0);
    CHECK_CONTAINS(out, "0 created, 1 updated, 0 invalid");
    free(out);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM demands WHERE ref = 'N1' AND title LIKE '%二期%'"), 1);

    /* An enterprise cannot own achievements. */
    const char *wrong[] = { test_bin(), "import", "achievements", csv, "--org", "仁怀酒业", "--db", db, NULL };
    CHECK_INT(test_run(wrong, NULL, NULL, &err), 1);
    CHECK_CONTAINS(err, "not a university");
    free(err);
    const char *nofile[] = { test_bin(), "import", "demands", test_path("missing.csv"), "--org", "仁怀酒业",
                             "--db", db, NULL };
    CHECK_INT(test_run(nofile, NULL, NULL, NULL), 1);
}

void test_cli_demo_seed_loads_through_import(void)
{
    const char *db = test_path("demo.db");
    unlink(db);
    const char *argv[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    char *err = NULL;
    CHECK_INT(test_run(argv, NULL, NULL, &err), 0);
    CHECK(strstr(err, ":") == NULL || strstr(err, "invalid") == NULL);
    free(err);
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM achievements") >= 60);
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM demands") >= 40);
    /* Both languages are present. */
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM achievements WHERE title GLOB '*[a-z]*'"
                              " AND title NOT GLOB '*[一-龥]*'") >= 10);
    CHECK(test_sqlite_int(db, "SELECT count(*) FROM demands WHERE title GLOB '*[一-龥]*'") >= 10);
    /* Imports are matched as they are written: the demo has suggestions for most demands. */
    CHECK(test_sqlite_int(db, "SELECT count(DISTINCT demand_id) FROM matches WHERE status = 'suggested'") >= 30);
    CHECK_INT(test_sqlite_int(db, "SELECT count(*) FROM matches WHERE score < 0.3 OR score > 1"), 0);
}

void test_cli_readme_session_works_as_written(void)
{
    /* The curl session of README.md's "Try it" ("The API with curl"), run against a seeded server. */
    const char *db = test_path("readme.db");
    unlink(db);
    const char *seed[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    REQUIRE(test_run(seed, NULL, NULL, NULL) == 0);
    test_server s;
    REQUIRE(test_server_start(&s, db, NULL) == 0);

    FILE *f = fopen("README.md", "r");
    REQUIRE(f != NULL);
    char line[4096];
    int in_section = 0, in_block = 0;
    const char *script = test_path("readme-session.sh");
    FILE *out = fopen(script, "w");
    REQUIRE(out != NULL);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "### The API with curl", 21) == 0)
            in_section = 1;
        else if (in_section && !in_block && strncmp(line, "```sh", 5) == 0)
            in_block = 1;
        else if (in_block && strncmp(line, "```", 3) == 0)
            break;
        else if (in_block && strncmp(line, "B=", 2) == 0)
            fprintf(out, "B=%s\n", s.base);
        else if (in_block)
            fputs(line, out);
    }
    fclose(f);
    fclose(out);
    const char *argv[] = { "/bin/bash", "-eu", script, NULL };
    char *got = NULL;
    CHECK_INT(test_run(argv, NULL, &got, NULL), 0);
    CHECK_CONTAINS(got, "\"role\":\"enterprise\"");
    CHECK_CONTAINS(got, "\"kind\":\"demand\"");
    CHECK_CONTAINS(got, "综采工作面液压支架群直线度感知"); /* a seeded achievement */
    free(got);
    CHECK_INT(test_server_stop(&s), 0);
}

void test_cli_import_draws_progress_on_a_terminal(void)
{
    /* script(1) gives the import a pseudo-terminal; the bar of the last row is drawn however fast the machine is. */
    const char *db = test_path("progress.db");
    const char *file = test_path("many.jsonl");
    unlink(db);
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    for (int i = 0; i < 5000; i++)
        fprintf(f, "{\"ref\":\"P%d\",\"title\":\"成果 %d 磷化工 phosphorus\","
                   "\"abstract\":\"湿法磷酸净化工艺 %d\",\"fields\":[\"C26\"]}\n",
                i, i, i);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s import achievements %s --org 'Progress University' --create-org --db %s",
             test_bin(), file, db);
    const char *argv[] = { "/usr/bin/script", "-qec", cmd, "/dev/null", NULL };
    char *out = NULL;
    CHECK_INT(test_run(argv, NULL, &out, NULL), 0);
    CHECK_CONTAINS(out, "\r[");
    CHECK_CONTAINS(out, "] 5000/5000 rows");
    CHECK_CONTAINS(out, "5000 created");
    free(out);
    /* Without a terminal there is no bar. */
    const char *plain[] = { test_bin(), "import", "achievements", file, "--org", "Progress University",
                            "--db", db, NULL };
    char *err = NULL;
    CHECK_INT(test_run(plain, NULL, &out, &err), 0);
    CHECK(strstr(err, "rows") == NULL);
    CHECK_CONTAINS(out, "0 created, 5000 updated");
    free(out);
    free(err);
}

void test_cli_rank_prints_a_trec_run_and_reports_bad_lines(void)
{
    const char *a = test_path("rank-a.jsonl"), *d = test_path("rank-d.jsonl");
    write_file(a, "{\"id\":\"A1\",\"title\":\"液压支架电液控制系统\",\"abstract\":\"综采工作面\","
                  "\"keywords\":[],\"fields\":[\"B06\"]}\n"
                  "not json\n"
                  "[1,2]\n"
                  "{\"id\":\"A2\",\"title\":\"Tea withering machine\",\"abstract\":\"green tea\","
                  "\"fields\":[\"NOPE\"]}\n"
                  "{\"id\":\"A3\",\"title\":\"\",\"abstract\":\"\",\"extra\":1}\n"
                  "{\"title\":\"no id\"}\n");
    write_file(d, "{\"id\":\"D1\",\"title\":\"液压支架国产化\",\"description\":\"\",\"keywords\":[],\"fields\":[\"B06\"]}\n"
                  "{\"id\":\"D2\",\"title\":\"\",\"description\":\"withering of tea leaves\"}\n"
                  "{\"id\":\"D3\",\"title\":\"\",\"description\":\"the of and\"}\n");
    const char *argv[] = { test_bin(), "rank", "--achievements", a, "--demands", d, "--top", "5", NULL };
    char *out = NULL, *err = NULL;
    CHECK_INT(test_run(argv, NULL, &out, &err), 0);
    CHECK_CONTAINS(err, "rank-a.jsonl:2:");
    CHECK_CONTAINS(err, "rank-a.jsonl:3:");
    CHECK_CONTAINS(err, "rank-a.jsonl:4: field code 'NOPE'");
    CHECK_CONTAINS(err, "rank-a.jsonl:6:");
    /* demand_id Q0 achievement_id rank score techmatch, best first. */
    CHECK(strncmp(out, "D1 Q0 A1 1 ", 11) == 0);
    CHECK_CONTAINS(out, "D2 Q0 A2 1 ");
    CHECK(strstr(out, "D3 ") == NULL);
    char did[16], q0[8], aid[16], tag[32];
    int rank;
    double score;
    CHECK_INT(sscanf(out, "%15s %7s %15s %d %lf %31s", did, q0, aid, &rank, &score, tag), 6);
    CHECK_STR(tag, "techmatch");
    CHECK(score > 0 && score <= 1);
    free(out);
    free(err);
    const char *bad[] = { test_bin(), "rank", "--achievements", a, NULL };
    CHECK_INT(test_run(bad, NULL, NULL, NULL), 2);
    const char *missing[] = { test_bin(), "rank", "--achievements", test_path("none.jsonl"), "--demands", d, NULL };
    CHECK_INT(test_run(missing, NULL, NULL, NULL), 1);
}

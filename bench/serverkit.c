/*
 * serverkit.c: starting the real server for a benchmark, one request on a
 * kept-alive libcurl handle, and the synthetic listings the benchmarks load
 * (the contract is in serverkit.h).
 */
#include "serverkit.h"
#include "auth.h"
#include "corpus.h"
#include "parse.h"
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t kit_start(const char *bin, const char *db, const char *const *extra, int *port)
{
    int fd[2];
    const char *argv[32];
    size_t n = 0;
    argv[n++] = bin;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--db";
    argv[n++] = db;
    for (size_t i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(127);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fd[1]);
    char line[256];
    size_t len = 0;
    struct pollfd p = { fd[0], POLLIN, 0 };
    while (len < sizeof line - 1 && poll(&p, 1, 600000) > 0 && read(fd[0], line + len, 1) == 1 && line[len] != '\n')
        len++;
    line[len] = '\0';
    close(fd[0]);
    const char *colon = strrchr(line, ':');
    int64_t listen_port = 0;
    const char *end = NULL;
    if (colon == NULL || parse_int64_prefix(colon + 1, 1, 65535, &listen_port, &end) != TM_OK)
        listen_port = 0;
    *port = (int)listen_port;
    return *port > 0 ? pid : -1;
}

int kit_scratch_db(char *path)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(path);
    return 0;
}

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    sbuf_add(ctx, data, size * n);
    return size * n;
}

long kit_request(CURL *c, const char *url, const char *method, const char *token, const char *json, sbuf *body)
{
    struct curl_slist *h = NULL;
    char auth[256];
    sbuf_reset(body);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HTTPGET, json ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json ? json : "");
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    long status = -1;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    return status;
}

int kit_login(CURL *c, int port, const char *email, const char *password, char *token, size_t len)
{
    char url[128];
    sbuf body, json;
    sbuf_init(&body);
    sbuf_init(&json);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/auth/login", port);
    sbuf_printf(&json, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    int rc = -1;
    if (kit_request(c, url, "POST", NULL, json.buf, &body) == 200) {
        const char *t = strstr(body.buf, "\"token\":\"");
        const char *end = t ? strchr(t + 9, '"') : NULL;
        if (end && (size_t)(end - t - 9) < len) {
            snprintf(token, len, "%.*s", (int)(end - t - 9), t + 9);
            rc = 0;
        }
    }
    sbuf_cleanup(&body);
    sbuf_cleanup(&json);
    return rc;
}

void kit_json_text(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sbuf_addc(b, '\\');
        sbuf_addc(b, *s);
    }
}

int kit_fill_listing(void *ctx, size_t i, listing *l)
{
    (void)ctx;
    int english = i % 3 == 0;
    free(l->title);
    free(l->body);
    l->title = corpus_words(english, 3 + (int)(corpus_rand() % 5));
    l->body = corpus_words(english, 30 + (int)(corpus_rand() % 61));
    for (int k = 0; k < 3; k++)
        strlist_push(&l->keywords, corpus_word(english));
    strlist_push(&l->fields, corpus_field());
    return TM_OK;
}

int kit_import_listings(store *s, listing_kind kind, int64_t org, long n, import_apply_fn fill)
{
    int64_t ids[1000];
    import_action acts[1000];
    const char *refs[1000] = { 0 };
    for (long i = 0; i < n; i += 1000) {
        size_t k = (size_t)(n - i < 1000 ? n - i : 1000);
        if (store_listing_import(s, kind, org, k, refs, 0, fill, NULL, ids, acts, NULL, NULL) != TM_OK)
            return -1;
    }
    return 0;
}

int kit_seed(const char *db, long n, const kit_account *accounts, size_t n_accounts)
{
    store *s = NULL;
    int64_t org = 0;
    char hash[AUTH_HASH_STR_BYTES];
    principal who;
    const char *conflict;
    int rc = store_open(db, &s);
    if (rc == TM_OK)
        rc = store_org_ensure(s, "Bench University", "university", &org);
    if (rc == TM_OK && kit_import_listings(s, LISTING_ACHIEVEMENT, org, n, kit_fill_listing) != 0)
        rc = TM_ERR_DB;
    if (rc == TM_OK && (auth_init() != TM_OK || auth_password_hash(KIT_PASSWORD, hash) != TM_OK))
        rc = TM_ERR_CRYPTO;
    for (size_t i = 0; rc == TM_OK && i < n_accounts; i++)
        rc = store_register(s, accounts[i].org, accounts[i].kind, accounts[i].email, "Bench", hash, &who, &conflict);
    store_close(s);
    return rc == TM_OK ? 0 : -1;
}

/*
 * api_auth.c: accounts over HTTP.  Validation here, secrets in auth.c, rows in
 * the store (src/store/accounts.c).
 */
#include "api_auth.h"
#include "app.h"
#include "auth.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "messages.h"
#include "registration.h"
#include "stream.h"
#include "utf8.h"
#include "vocab.h"
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *api_auth_email_problem(const char *email)
{
    const char *at = strchr(email, '@');
    size_t len = strlen(email);
    if (len == 0 || len > LIM_EMAIL)
        return N_("must be an email address of at most 254 characters");
    if (at == NULL || at == email || strchr(at + 1, '@') != NULL || strchr(at, '.') == NULL ||
        at[1] == '.' || email[len - 1] == '.')
        return N_("must be an email address such as name@example.com");
    for (const unsigned char *p = (const unsigned char *)email; *p; p++)
        if (*p <= ' ' || *p == 0x7F || *p == '<' || *p == '>' || *p == ',' || *p == ';')
            return N_("must not contain spaces, control characters or <>,;");
    return NULL;
}

/*
 * The most common passwords of public breach lists (those of 10 or more
 * characters, which the length rule would let through), compared without
 * regard to ASCII case.
 */
static const char *const common_passwords[] = {
    "1234567890", "12345678910", "123456789a", "1234567890a", "a123456789", "0123456789", "0987654321",
    "9876543210", "1122334455", "1234554321", "12341234", "123123123123", "1234512345", "1357924680",
    "qwertyuiop", "qwertyuiop123", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5", "1qaz2wsx3edc",
    "zaq12wsxcde3", "1qazxsw23edc", "qwerty1234", "qwerty12345", "qwerty123456", "asdfghjkl1",
    "asdfghjkl;", "zxcvbnm123", "zxcvbnm,./", "qazwsxedcrfv", "password12", "password123", "password1234",
    "password12345", "password!1", "passw0rd123", "p@ssw0rd123", "p@ssword123", "mypassword",
    "mypassword1", "thisismypassword", "yourpassword", "changeme123", "letmein123", "letmein1234",
    "welcome123", "welcome1234", "iloveyou123", "iloveyou12", "administrator", "admin12345",
    "admin123456", "admin@123456", "adminadmin", "rootpassword", "superman123", "football123",
    "baseball123", "basketball", "basketball1", "sunshine123", "princess123", "starwars123",
    "monkey12345", "dragon12345", "trustno1234", "1234qwerasdf", "1234qwer!@#$", "!qaz2wsx3edc",
    "q1w2e3r4t5y6", "a1b2c3d4e5", "abc1234567", "abcd123456", "abcdefghij", "abcdefghijk",
    "abcdefghijkl", "abcdefg123", "abc123abc123", "woaini1314", "woaini520", "5201314520",
    "1314520520", "qq123456789", "aa123456789", "computer123", "internet123", "michael123",
    "jordan2323", "liverpool1", "chelsea123", "pokemon123", "minecraft1", "samsung123",
    "whatever123", "qwertyqwerty", "asdfasdfasdf", "iloveyouforever", "correcthorsebatterystaple",
    "p@ssw0rd1234", "passwordpassword", "12344321", "11223344556677", "qwe123qwe123",
};

/* 1 if password is one of common_passwords, ASCII case aside. */
static int is_common_password(const char *password)
{
    for (size_t i = 0; i < sizeof common_passwords / sizeof common_passwords[0]; i++)
        if (strcasecmp(password, common_passwords[i]) == 0)
            return 1;
    return 0;
}

/* 1 if every character of password is white space (ASCII, no-break or ideographic space). */
static int is_only_space(const char *password, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += mt_utf8_decode((const unsigned char *)password + i, len - i, &cp);
        if (cp != ' ' && (cp < '\t' || cp > '\r') && cp != 0xA0 && cp != 0x3000)
            return 0;
    }
    return 1;
}

/* 1 if password repeats one character (code point). */
static int is_one_character(const char *password, size_t len)
{
    uint32_t first, cp;
    size_t step = mt_utf8_decode((const unsigned char *)password, len, &first);
    for (size_t i = step; i < len;) {
        i += mt_utf8_decode((const unsigned char *)password + i, len - i, &cp);
        if (cp != first)
            return 0;
    }
    return 1;
}

const char *api_auth_password_problem(const char *password)
{
    size_t len = strlen(password);
    if (len > LIM_PASSWORD_MAX)
        return N_("is too long (at most 512 bytes)");
    if (mt_utf8_length(password, len) < LIM_PASSWORD_MIN)
        return N_("must have at least 10 characters");
    if (is_only_space(password, len))
        return N_("must not be only spaces");
    if (is_one_character(password, len))
        return N_("must not repeat one character");
    if (is_common_password(password))
        return N_("is one of the most common passwords; choose another");
    return NULL;
}

/* Reads a required string member; adds an error and returns NULL if missing or wrong. */
static const char *string_member(const cJSON *body, const char *name, cJSON *errors)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    if (v == NULL) {
        json_error_add(errors, name, "is required");
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        json_error_add(errors, name, "must be a string");
        return NULL;
    }
    return v->valuestring;
}

static void check_name(const char *value, const char *name, cJSON *errors)
{
    size_t len = strlen(value);
    size_t chars = mt_utf8_length(value, len);
    if (chars == 0 || chars > LIM_NAME) {
        json_error_add(errors, name, "must have 1 to %d characters", LIM_NAME);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            json_error_add(errors, name, "must not contain control characters");
            return;
        }
}

static cJSON *principal_json(const principal *p)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", p->user_id);
    cJSON_AddStringToObject(o, "email", p->email);
    cJSON_AddStringToObject(o, "display_name", p->display_name);
    cJSON_AddStringToObject(o, "role", p->role);
    cJSON *org = cJSON_AddObjectToObject(o, "org");
    json_add_int(org, "id", p->org_id);
    cJSON_AddStringToObject(org, "name", p->org_name);
    cJSON_AddStringToObject(org, "kind", p->org_kind);
    return o;
}

/* The checks every new account's email and password pass (either may be NULL: already reported missing). */
static void check_credentials(const char *email, const char *password, cJSON *errors)
{
    const char *why = email ? api_auth_email_problem(email) : NULL;
    if (why)
        json_error_add(errors, "email", "%s", why);
    why = password ? api_auth_password_problem(password) : NULL;
    if (why)
        json_error_add(errors, "password", "%s", why);
}

/*
 * The rate-limit key of a client address: IPv4 as is, IPv6 by its /64 (one
 * host usually holds a whole /64, so single addresses would not limit it).
 */
static void address_key(const char *addr, char *out, size_t len)
{
    unsigned char a6[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, addr, a6) == 1 && !IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)a6)) {
        memset(a6 + 8, 0, 8);
        inet_ntop(AF_INET6, a6, text, sizeof text);
        snprintf(out, len, "addr6:%s/64", text);
    } else {
        snprintf(out, len, "addr:%s", addr);
    }
}

/*
 * Counts a registration from the client's address (auth.h); returns 0, or
 * replies 429 with Retry-After and returns 1 when the address is over
 * --register-limit.
 */
static int register_limit_or_reply(http_request *r)
{
    char key[96];
    int64_t retry = 0;
    struct timespec mono;
    address_key(req_client_addr(r), key + 4, sizeof key - 4);
    memcpy(key, "reg:", 4);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    int64_t now_ms = (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
    if (auth_limiter_register(req_app(r)->limiter, key, req_app(r)->register_limit, now_ms, &retry) == TM_OK)
        return 0;
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)retry);
    reply_add_header(r, "Retry-After", secs);
    reply_problem(r, 429, "too many registrations from this address; try again later (see Retry-After)");
    return 1;
}

/* Replies 409 naming the taken member (registration without mail). */
static void reply_register_conflict(http_request *r, const char *conflict)
{
    reply_problem(r, 409, strcmp(conflict, "email") == 0
                              ? "email: an account with this email already exists"
                              : "org_name: an organisation with this name is already registered");
}

/*
 * Registration without mail: replies 409 and returns 1 when a name is taken,
 * before any password is hashed (a taken email costs no argon2id); 0 to go on.
 */
static int register_conflict_or_reply(http_request *r, const char *org_name, const char *email)
{
    const char *conflict = NULL;
    int status = store_registration_conflict(req_app(r)->store, org_name, email, &conflict);
    if (status == TM_OK)
        return 0;
    if (status == TM_ERR_CONFLICT)
        reply_register_conflict(r, conflict);
    else
        reply_status(r, status, NULL);
    return 1;
}

/*
 * Registration with mail: hands the hashed registration to registration.c,
 * which mails a link or a notice, and answers 202 with the same body whatever
 * the names were.
 */
static void register_by_mail(http_request *r, const pending_registration *reg)
{
    int status = registration_request(&req_app(r)->registration, reg, (int64_t)time(NULL));
    if (status != TM_OK) {
        reply_status(r, status, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "status", "mail_sent");
    char *detail = messages_translate("if the registration can go on, a link to finish it has been mailed to "
                                      "this address; otherwise the mail says why", req_lang(r), NULL);
    cJSON_AddStringToObject(out, "detail", detail);
    free(detail);
    reply_json(r, 202, out);
}

/* A validated string member of the request body (the handler checked it before deferring). Borrowed. */
static const char *body_string(http_request *r, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req_json(r), name));
}

static void register_finish(http_request *r, void *ctx);

void api_auth_register(http_request *r)
{
    static const char *const allowed[] = { "org_name", "org_kind", "email", "password", "display_name", NULL };
    const cJSON *body = req_json(r);
    cJSON *errors = cJSON_CreateArray();

    if (!cJSON_IsObject(body)) {
        cJSON_Delete(errors);
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    json_reject_unknown(body, allowed, errors);
    const char *org_name = string_member(body, "org_name", errors);
    const char *org_kind = string_member(body, "org_kind", errors);
    const char *email = string_member(body, "email", errors);
    const char *password = string_member(body, "password", errors);
    const char *display_name = string_member(body, "display_name", errors);
    if (org_name)
        check_name(org_name, "org_name", errors);
    if (display_name)
        check_name(display_name, "display_name", errors);
    int kind = vocab_find(&vocab_org_kinds, org_kind);
    if (org_kind && kind != ORG_ENTERPRISE && kind != ORG_UNIVERSITY) /* brokers' agencies come with staff */
        json_error_add(errors, "org_kind", "must be \"enterprise\" or \"university\"");
    check_credentials(email, password, errors);
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    int by_mail = req_app(r)->registration.mail != NULL;
    if (register_limit_or_reply(r) || (!by_mail && register_conflict_or_reply(r, org_name, email)))
        return;
    /* argon2id runs off the request threads; register_finish stores (or mails) and answers. */
    auth_password_job *job = auth_password_job_hash(password);
    if (!reply_deferred(r, auth_password_job_run, register_finish, job))
        auth_password_job_free(job);
}

/* After the password's hash (off the request thread): mails or stores the registration and answers; frees the job. */
static void register_finish(http_request *r, void *ctx)
{
    auth_password_job *job = ctx;
    principal who;
    const char *conflict = NULL;
    const char *org_name = body_string(r, "org_name"), *org_kind = body_string(r, "org_kind");
    const char *email = body_string(r, "email"), *display_name = body_string(r, "display_name");
    if (auth_password_job_status(job) != TM_OK) {
        auth_password_job_free(job);
        reply_status(r, TM_ERR_CRYPTO, NULL);
        return;
    }
    if (req_app(r)->registration.mail != NULL) {
        pending_registration reg = { org_name, org_kind, email, display_name, auth_password_job_result(job) };
        register_by_mail(r, &reg);
        auth_password_job_free(job);
        return;
    }
    int status = store_register(req_app(r)->store, org_name, org_kind, email, display_name,
                                auth_password_job_result(job), &who, &conflict);
    auth_password_job_free(job);
    if (status == TM_ERR_CONFLICT) {
        reply_register_conflict(r, conflict);
        return;
    }
    if (status != TM_OK) {
        reply_status(r, status, NULL);
        return;
    }
    reply_json(r, 201, principal_json(&who));
}

static void iso_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Starts a session for user_id and answers status with out (taken) plus
 * "token" and "expires_at" (login's members); with cookie the token goes only
 * into the HttpOnly session cookie and "token" is null.
 */
static void reply_session(http_request *r, int64_t user_id, int cookie, cJSON *out, int status)
{
    app *a = req_app(r);
    char token[AUTH_TOKEN_CHARS + 1];
    unsigned char token_hash[AUTH_TOKEN_HASH_BYTES];
    char expires[32];
    int64_t now = (int64_t)time(NULL);
    auth_token_new(token, token_hash);
    int64_t expires_at = now + a->session_ttl;
    int rc = store_session_create(a->store, token_hash, sizeof token_hash, user_id, now, expires_at);
    if (rc != TM_OK) {
        sodium_memzero(token, sizeof token);
        cJSON_Delete(out);
        reply_status(r, rc, NULL);
        return;
    }
    iso_time(expires_at, expires, sizeof expires);
    if (cookie) {
        /* The browser UI: the token goes only into an HttpOnly cookie, out of reach of any script. */
        char set[AUTH_TOKEN_CHARS + 128];
        snprintf(set, sizeof set, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s", HTTP_SESSION_COOKIE,
                 token, (long long)a->session_ttl, a->secure_cookie ? "; Secure" : "");
        reply_add_header(r, "Set-Cookie", set);
        sodium_memzero(set, sizeof set);
        cJSON_AddNullToObject(out, "token");
    } else {
        cJSON_AddStringToObject(out, "token", token);
    }
    sodium_memzero(token, sizeof token);
    cJSON_AddStringToObject(out, "expires_at", expires);
    reply_json(r, status, out);
}

/* A login waiting for its password check: what login_finish needs besides the request. */
typedef struct login_job {
    auth_password_job *pw;
    int64_t user_id;
    char acct_key[LIM_EMAIL + 8], addr_key[80];
} login_job;

static void login_job_free(login_job *job)
{
    auth_password_job_free(job->pw);
    free(job);
}

/* The password check, on a worker of the deferred replies. */
static void login_work(void *ctx)
{
    login_job *job = ctx;
    auth_password_job_run(job->pw);
}

static void login_finish(http_request *r, void *ctx);

void api_auth_login(http_request *r)
{
    static const char *const allowed[] = { "email", "password", "cookie", NULL };
    const cJSON *body = req_json(r);
    app *a = req_app(r);
    cJSON *errors = cJSON_CreateArray();
    char hash[AUTH_HASH_STR_BYTES];
    char acct_key[LIM_EMAIL + 8], addr_key[80];
    int64_t retry = 0, user_id = 0;

    if (!cJSON_IsObject(body)) {
        cJSON_Delete(errors);
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    json_reject_unknown(body, allowed, errors);
    const char *email = string_member(body, "email", errors);
    const char *password = string_member(body, "password", errors);
    const cJSON *cookie = cJSON_GetObjectItemCaseSensitive(body, "cookie");
    if (cookie && !cJSON_IsBool(cookie))
        json_error_add(errors, "cookie", "must be true or false");
    if (email && strlen(email) > LIM_EMAIL)
        json_error_add(errors, "email", "is too long");
    if (password && strlen(password) > LIM_PASSWORD_MAX)
        json_error_add(errors, "password", "is too long");
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);

    /* Limits apply per client address and per account (case-insensitive email): see auth.h. */
    snprintf(acct_key, sizeof acct_key, "acct:");
    for (size_t i = 0; email[i] && i + 6 < sizeof acct_key; i++) {
        char c = email[i];
        acct_key[5 + i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        acct_key[6 + i] = '\0';
    }
    address_key(req_client_addr(r), addr_key, sizeof addr_key);
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    int64_t now_ms = (int64_t)mono.tv_sec * 1000 + mono.tv_nsec / 1000000;
    int limited = auth_limiter_attempt(a->limiter, acct_key, addr_key, now_ms, &retry);
    if (limited != TM_OK) {
        char secs[24];
        snprintf(secs, sizeof secs, "%lld", (long long)retry);
        reply_add_header(r, "Retry-After", secs);
        reply_problem(r, 429, "too many failed logins; try again later (see Retry-After)");
        return;
    }
    /* Both attempts are reserved as failures until the password proves right. */
    int status = store_user_credentials(a->store, email, &user_id, hash, sizeof hash);
    if (status != TM_OK && status != TM_ERR_NOT_FOUND) {
        sodium_memzero(hash, sizeof hash);
        auth_limiter_release(a->limiter, acct_key, addr_key);
        reply_status(r, status, NULL);
        return;
    }
    /* argon2id runs off the request threads (an unknown email burns the same time); login_finish answers. */
    login_job *job = xcalloc(1, sizeof *job);
    job->pw = auth_password_job_verify(status == TM_OK ? hash : NULL, password);
    job->user_id = user_id;
    snprintf(job->acct_key, sizeof job->acct_key, "%s", acct_key);
    snprintf(job->addr_key, sizeof job->addr_key, "%s", addr_key);
    sodium_memzero(hash, sizeof hash);
    if (!reply_deferred(r, login_work, login_finish, job)) {
        auth_limiter_release(a->limiter, acct_key, addr_key);
        login_job_free(job);
    }
}

/* After the password check (off the request thread): settles the limiter, opens the session, answers. */
static void login_finish(http_request *r, void *ctx)
{
    login_job *job = ctx;
    app *a = req_app(r);
    const cJSON *cookie = cJSON_GetObjectItemCaseSensitive(req_json(r), "cookie");
    int64_t user_id = job->user_id;
    int status = auth_password_job_status(job->pw);
    if (status == TM_ERR_AUTH) {
        login_job_free(job);
        reply_problem(r, 401, "the email or the password is wrong");
        return;
    }
    if (status != TM_OK) {
        auth_limiter_release(a->limiter, job->acct_key, job->addr_key);
        login_job_free(job);
        reply_status(r, status, NULL);
        return;
    }
    auth_limiter_succeeded(a->limiter, job->acct_key, job->addr_key);
    login_job_free(job);
    reply_session(r, user_id, cJSON_IsTrue(cookie), cJSON_CreateObject(), 200);
}

/*
 * POST /api/auth/verify {token, cookie?}: completes a registration confirmed
 * by email (registration.h) and signs its new user in, answering what
 * registration without mail answers (201 with the user) plus the session as
 * login gives it.  400 for a token that is not shaped like one, 410 for one
 * unknown, used or expired, 409 for a name taken since the mail.
 */
void api_auth_verify(http_request *r)
{
    static const char *const allowed[] = { "token", "cookie", NULL };
    const cJSON *body = req_json(r);
    const char *conflict = NULL;
    principal who;

    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    cJSON *errors = cJSON_CreateArray();
    json_reject_unknown(body, allowed, errors);
    const char *token = string_member(body, "token", errors);
    const cJSON *cookie = cJSON_GetObjectItemCaseSensitive(body, "cookie");
    if (cookie && !cJSON_IsBool(cookie))
        json_error_add(errors, "cookie", "must be true or false");
    if (token && strlen(token) > LIM_TOKEN)
        json_error_add(errors, "token", "is too long");
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    int status = registration_verify(req_app(r)->store, token, (int64_t)time(NULL), &who, &conflict);
    if (status == TM_ERR_INVALID) {
        reply_invalid_field(r, "token", "is not a registration token (copy the whole link from the mail)");
        return;
    }
    if (status == TM_ERR_NOT_FOUND) {
        reply_problem(r, 410, "token: this link is unknown, used already or expired; register again");
        return;
    }
    if (status == TM_ERR_CONFLICT) {
        reply_register_conflict(r, conflict);
        return;
    }
    if (status != TM_OK) {
        reply_status(r, status, NULL);
        return;
    }
    reply_session(r, who.user_id, cJSON_IsTrue(cookie), principal_json(&who), 201);
}

void api_auth_logout(http_request *r)
{
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    const char *token = req_bearer(r);
    /* The dispatcher has authenticated the token, so it hashes. */
    if (token == NULL || auth_token_hash(token, hash) != TM_OK) {
        reply_status(r, TM_ERR_AUTH, NULL);
        return;
    }
    int status = store_session_delete(req_app(r)->store, hash, sizeof hash);
    if (status != TM_OK) {
        reply_status(r, status, NULL);
        return;
    }
    stream_hub_end_session(req_app(r)->streams, hash);
    reply_add_header(r, "Set-Cookie", HTTP_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    reply_json(r, 200, cJSON_CreateObject());
}

void api_auth_me(http_request *r)
{
    reply_json(r, 200, principal_json(req_principal(r)));
}

static cJSON *staff_json(const staff_user *u)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", u->id);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddStringToObject(o, "display_name", u->display_name);
    cJSON_AddStringToObject(o, "role", u->role);
    cJSON_AddStringToObject(o, "org_name", u->org_name);
    cJSON_AddStringToObject(o, "created_at", u->created_at);
    return o;
}

/* What a broker sees of a staff member: whom a match may be assigned to (no email, no organisation). */
static cJSON *staff_name_json(const staff_user *u)
{
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", u->id);
    cJSON_AddStringToObject(o, "display_name", u->display_name);
    cJSON_AddStringToObject(o, "role", u->role);
    return o;
}

/* Answers {items: [...]}: every staff account as to_json writes it. */
static void reply_staff(http_request *r, cJSON *(*to_json)(const staff_user *))
{
    staff_user *v = NULL;
    size_t n = 0;
    int rc = store_staff_list(req_app(r)->store, &v, &n);
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(out, "items");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(items, to_json(&v[i]));
    free(v);
    reply_json(r, 200, out);
}

void api_auth_staff_list(http_request *r)
{
    reply_staff(r, staff_json);
}

void api_auth_staff_names(http_request *r)
{
    reply_staff(r, staff_name_json);
}

static void staff_add_finish(http_request *r, void *ctx);

void api_auth_staff_add(http_request *r)
{
    static const char *const allowed[] = { "email", "password", "display_name", "role", "org_name", NULL };
    const cJSON *body = req_json(r);
    if (!cJSON_IsObject(body)) {
        reply_invalid_field(r, NULL, "the body must be a JSON object");
        return;
    }
    cJSON *errors = cJSON_CreateArray();
    json_reject_unknown(body, allowed, errors);
    const char *email = string_member(body, "email", errors);
    const char *password = string_member(body, "password", errors);
    const char *name = string_member(body, "display_name", errors);
    const char *role = string_member(body, "role", errors);
    const char *org = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "org_name"));
    check_credentials(email, password, errors);
    if (name)
        check_name(name, "display_name", errors);
    int staff = vocab_find(&vocab_roles, role);
    if (role && staff != USER_BROKER && staff != USER_ADMIN)
        json_error_add(errors, "role", "must be broker or admin");
    if (org)
        check_name(org, "org_name", errors);
    if (cJSON_GetArraySize(errors) > 0) {
        reply_invalid(r, errors);
        return;
    }
    cJSON_Delete(errors);
    /* argon2id runs off the request threads; staff_add_finish stores and answers. */
    auth_password_job *job = auth_password_job_hash(password);
    if (!reply_deferred(r, auth_password_job_run, staff_add_finish, job))
        auth_password_job_free(job);
}

/* After the password's hash (off the request thread): stores the staff user and answers; frees the job. */
static void staff_add_finish(http_request *r, void *ctx)
{
    auth_password_job *job = ctx;
    const char *email = body_string(r, "email"), *role = body_string(r, "role");
    const char *name = body_string(r, "display_name"), *org = body_string(r, "org_name");
    if (auth_password_job_status(job) != TM_OK) {
        auth_password_job_free(job);
        reply_status(r, TM_ERR_CRYPTO, NULL);
        return;
    }
    staff_user u = { 0 };
    int rc = store_user_add(req_app(r)->store, email, role, org ? org : req_principal(r)->org_name, name,
                            auth_password_job_result(job), &u.id);
    auth_password_job_free(job);
    if (rc == TM_ERR_CONFLICT) {
        reply_problem(r, 409, "email: an account with this email already exists"); /* as registration says it */
        return;
    }
    if (rc == TM_ERR_INVALID) {
        reply_invalid_field(r, "org_name", "is an enterprise or university, not a broker agency");
        return;
    }
    if (rc != TM_OK) {
        reply_status(r, rc, NULL);
        return;
    }
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.display_name, sizeof u.display_name, "%s", name);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.org_name, sizeof u.org_name, "%s", org ? org : req_principal(r)->org_name);
    iso_time((int64_t)time(NULL), u.created_at, sizeof u.created_at); /* the row's default, to the second */
    reply_json(r, 201, staff_json(&u));
}

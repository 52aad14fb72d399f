/*
 * registration.c: registration by email (see registration.h).  The three
 * mails are written here, in Chinese and English.  They carry no text the
 * registrant typed but the organisation name (validated: no control
 * characters); the notice to an address that has an account repeats nothing
 * an outsider wrote.
 */
#include "registration.h"
#include "auth.h"
#include "log.h"
#include "sbuf.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Appends the public URL without its trailing slashes, then path. */
static void add_url(sbuf *b, const char *public_url, const char *path)
{
    size_t n = strlen(public_url);
    while (n > 0 && public_url[n - 1] == '/')
        n--;
    sbuf_add(b, public_url, n);
    sbuf_adds(b, path);
}

/* Queues one mail; a refusal is logged by the sender or here, never answered (the reply must not differ). */
static void send_or_log(const registration_config *cfg, const char *to, const char *subject, const sbuf *text)
{
    if (mail_send(cfg->mail, to, subject, text->buf) != TM_OK)
        log_warn("registration: a mail could not be queued");
}

/* The link that completes a pending registration. */
static void mail_link(const registration_config *cfg, const pending_registration *reg, const char *token,
                      int64_t expires_at)
{
    char until[32];
    time_t t = (time_t)expires_at;
    struct tm tm;
    sbuf b, link;
    gmtime_r(&t, &tm);
    strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", &tm);
    sbuf_init(&b);
    sbuf_init(&link);
    add_url(&link, cfg->public_url, "/#/verify?token=");
    sbuf_adds(&link, token);
    sbuf_printf(&b, "您好！\n\n请打开下面的链接，完成机构“%s”在 techmatch 的注册（%s 前有效，只能使用一次）：\n\n%s\n\n"
                    "如果您没有注册，请忽略本邮件。\n\n", reg->org_name, until, link.buf);
    sbuf_printf(&b, "Hello,\n\nOpen this link to finish registering the organisation \"%s\" on techmatch "
                    "(it works once, until %s):\n\n%s\n\nIf you did not register, ignore this message.\n",
                reg->org_name, until, link.buf);
    send_or_log(cfg, reg->email, "techmatch: 请确认注册 / confirm your registration", &b);
    sodium_memzero(link.buf, link.len);
    sodium_memzero(b.buf, b.len);
    sbuf_cleanup(&link);
    sbuf_cleanup(&b);
}

/* The notice to an address that has an account: someone tried to register with it. */
static void mail_email_taken(const registration_config *cfg, const char *email)
{
    sbuf b, login;
    sbuf_init(&b);
    sbuf_init(&login);
    add_url(&login, cfg->public_url, "/#/login");
    sbuf_printf(&b, "您好！\n\n有人（也许是您）用本邮箱在 techmatch 注册新机构，但本邮箱已有账号，因此没有做任何更改。"
                    "如果是您，请直接登录：\n\n%s\n\n如果不是您，请忽略本邮件，您的账号不受影响。\n\n", login.buf);
    sbuf_printf(&b, "Hello,\n\nSomeone (perhaps you) tried to register a new organisation on techmatch with this "
                    "address, which has an account already, so nothing was changed. If it was you, sign in "
                    "instead:\n\n%s\n\nIf it was not you, ignore this message; your account is unaffected.\n",
                login.buf);
    send_or_log(cfg, email, "techmatch: 有人用您的邮箱注册 / someone tried to register with your address", &b);
    sbuf_cleanup(&login);
    sbuf_cleanup(&b);
}

/* The notice that the organisation name is taken (the address itself has no account). */
static void mail_org_taken(const registration_config *cfg, const pending_registration *reg)
{
    sbuf b, again;
    sbuf_init(&b);
    sbuf_init(&again);
    add_url(&again, cfg->public_url, "/#/register");
    sbuf_printf(&b, "您好！\n\n有人（也许是您）用本邮箱在 techmatch 注册机构“%s”，但已有同名机构注册，因此没有创建账号。"
                    "请换一个名称重新注册：\n\n%s\n\n如果不是您，请忽略本邮件。\n\n", reg->org_name, again.buf);
    sbuf_printf(&b, "Hello,\n\nSomeone (perhaps you) tried to register the organisation \"%s\" on techmatch with "
                    "this address, but an organisation of that name is registered already, so no account was "
                    "made. Register again with another name:\n\n%s\n\nIf it was not you, ignore this message.\n",
                reg->org_name, again.buf);
    send_or_log(cfg, reg->email, "techmatch: 机构名称已被注册 / the organisation name is taken", &b);
    sbuf_cleanup(&again);
    sbuf_cleanup(&b);
}

int registration_request(const registration_config *cfg, const pending_registration *reg, int64_t now)
{
    const char *conflict = NULL;
    int status = store_registration_conflict(cfg->store, reg->org_name, reg->email, &conflict);
    if (status == TM_ERR_CONFLICT) {
        if (strcmp(conflict, "email") == 0)
            mail_email_taken(cfg, reg->email);
        else
            mail_org_taken(cfg, reg);
        return TM_OK;
    }
    if (status != TM_OK)
        return status;
    char token[AUTH_TOKEN_CHARS + 1];
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    auth_token_new(token, hash);
    int64_t expires_at = now + cfg->ttl;
    status = store_registration_add(cfg->store, hash, sizeof hash, reg, now, expires_at);
    if (status == TM_OK)
        mail_link(cfg, reg, token, expires_at);
    sodium_memzero(token, sizeof token);
    return status;
}

int registration_verify(store *s, const char *token, int64_t now, principal *out, const char **conflict)
{
    unsigned char hash[AUTH_TOKEN_HASH_BYTES];
    *conflict = NULL;
    if (auth_token_hash(token, hash) != TM_OK)
        return TM_ERR_INVALID;
    return store_registration_complete(s, hash, sizeof hash, now, out, conflict);
}

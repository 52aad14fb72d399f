/*
 * mail.c: the mail sender (see mail.h).  mail_send composes the whole RFC 5322
 * message at once, so the queue holds only finished texts; one thread takes
 * the message that is due first, hands it to libcurl's SMTP (one connection a
 * message: registrations and notices are few) and either drops it, delivered
 * or out of attempts, or sets when its next attempt is due.
 */
#include "mail.h"
#include "limits.h"
#include "log.h"
#include "mem.h"
#include "sbuf.h"
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DELAY_MS (3600L * 1000)
#define SUBJECT_CHUNK 45      /* raw bytes in one encoded word: 60 base64 characters, within RFC 2047's 75 */
#define BODY_CHUNK 57         /* raw bytes in one body line: 76 base64 characters */

typedef struct mail_msg {
    struct mail_msg *next;
    char *to;                 /* the envelope recipient, "<addr>" */
    char *text;               /* the whole message, CRLF line ends */
    size_t len, sent;         /* bytes, and bytes handed to libcurl in this attempt */
    char id[48];              /* Message-ID without brackets, for the log */
    int attempts;
    int64_t due_ms;
} mail_msg;

struct mail_sender {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mail_msg *queue;          /* unordered; the earliest due goes first */
    size_t queued;
    atomic_int stopping;
    char *url, *from, *from_domain;
    int attempts;
    long retry_ms, timeout_ms;
};

void mail_config_default(mail_config *cfg)
{
    cfg->url = NULL;
    cfg->from = NULL;
    cfg->attempts = 6;
    cfg->retry_ms = 2000;
    cfg->timeout_ms = 30000;
}

/* The monotonic clock in milliseconds (due times never jump with the wall clock). */
static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* 1 if addr is one address that keeps a header line whole (an @, no spaces, controls or <>,;). */
static int address_ok(const char *addr)
{
    const char *at = strchr(addr, '@');
    if (at == NULL || at == addr || at[1] == '\0' || strlen(addr) > LIM_EMAIL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p <= ' ' || *p == 0x7F || *p == '<' || *p == '>' || *p == ',' || *p == ';')
            return 0;
    return 1;
}

/* Appends the base64 of data[0..n) to b. */
static void add_base64(sbuf *b, const unsigned char *data, size_t n)
{
    char out[sodium_base64_ENCODED_LEN(BODY_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(out, sizeof out, data, n, sodium_base64_VARIANT_ORIGINAL);
    sbuf_adds(b, out);
}

/* Appends the Subject header: as is when ASCII, else as RFC 2047 encoded words on folded lines. */
static void add_subject(sbuf *b, const char *subject)
{
    size_t len = strlen(subject), i = 0;
    int ascii = 1;
    for (size_t k = 0; k < len; k++)
        ascii = ascii && (unsigned char)subject[k] < 0x80;
    sbuf_adds(b, "Subject: ");
    if (ascii) {
        sbuf_adds(b, subject);
        sbuf_adds(b, "\r\n");
        return;
    }
    while (i < len) {
        size_t n = len - i < SUBJECT_CHUNK ? len - i : SUBJECT_CHUNK;
        /* Never split a UTF-8 sequence: back off while the next byte continues one. */
        while (i + n < len && n > 1 && ((unsigned char)subject[i + n] & 0xC0) == 0x80)
            n--;
        sbuf_adds(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        add_base64(b, (const unsigned char *)subject + i, n);
        sbuf_adds(b, "?=");
        i += n;
    }
    sbuf_adds(b, "\r\n");
}

/* Appends text (\n line ends, made CRLF) as base64 lines of 76 characters. */
static void add_body(sbuf *b, const char *text)
{
    sbuf crlf;
    sbuf_init(&crlf);
    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            sbuf_addc(&crlf, '\r');
        sbuf_addc(&crlf, *p);
    }
    for (size_t i = 0; i < crlf.len; i += BODY_CHUNK) {
        size_t n = crlf.len - i < BODY_CHUNK ? crlf.len - i : BODY_CHUNK;
        add_base64(b, (const unsigned char *)crlf.buf + i, n);
        sbuf_adds(b, "\r\n");
    }
    sbuf_cleanup(&crlf);
}

/* Composes a message; returns it (the caller frees with msg_free). */
static mail_msg *msg_new(const mail_sender *m, const char *to, const char *subject, const char *text)
{
    mail_msg *msg = xcalloc(1, sizeof *msg);
    unsigned char rnd[16];
    char hex[sizeof rnd * 2 + 1], date[64];
    time_t t = time(NULL);
    struct tm tm;
    sbuf b;

    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    gmtime_r(&t, &tm);
    /* RFC 5322 names days and months in English, whatever the locale: written out here. */
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(msg->id, sizeof msg->id, "%s", hex);

    sbuf_init(&b);
    sbuf_printf(&b, "From: %s\r\nTo: %s\r\n", m->from, to);
    add_subject(&b, subject);
    sbuf_printf(&b, "Date: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n", date, hex, m->from_domain);
    sbuf_adds(&b, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    add_body(&b, text);
    msg->len = b.len;
    msg->text = sbuf_take(&b);
    sbuf_cleanup(&b);
    size_t n = strlen(to) + 3;
    msg->to = xmalloc(n);
    snprintf(msg->to, n, "<%s>", to);
    return msg;
}

/* Frees msg, wiping its text first; accepts NULL. */
static void msg_free(mail_msg *msg)
{
    if (msg == NULL)
        return;
    sodium_memzero(msg->text, msg->len); /* it may hold a sign-up link */
    free(msg->text);
    free(msg->to);
    free(msg);
}

int mail_send(mail_sender *m, const char *to, const char *subject, const char *text)
{
    if (!address_ok(to))
        return TM_ERR_INVALID;
    for (const unsigned char *p = (const unsigned char *)subject; *p; p++)
        if (*p < ' ' || *p == 0x7F)
            return TM_ERR_INVALID;
    mail_msg *msg = msg_new(m, to, subject, text);
    int status = TM_OK;
    pthread_mutex_lock(&m->lock);
    if (m->queued >= LIM_MAIL_QUEUE) {
        status = TM_ERR_LIMITED;
    } else {
        msg->due_ms = now_ms();
        msg->next = m->queue;
        m->queue = msg;
        m->queued++;
        msg = NULL;
        pthread_cond_signal(&m->cond);
    }
    pthread_mutex_unlock(&m->lock);
    if (msg) {
        log_warn("mail: %d messages are waiting already; message %s not queued", LIM_MAIL_QUEUE, msg->id);
        msg_free(msg);
    }
    return status;
}

/* libcurl's read callback: the message's next bytes. */
static size_t read_message(char *buf, size_t size, size_t nitems, void *ctx)
{
    mail_msg *msg = ctx;
    size_t room = size * nitems, left = msg->len - msg->sent;
    size_t n = left < room ? left : room;
    memcpy(buf, msg->text + msg->sent, n);
    msg->sent += n;
    return n;
}

/* libcurl's progress callback: a non-zero return cuts the attempt short when the sender stops. */
static int still_wanted(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load(&((mail_sender *)ctx)->stopping);
}

/* One attempt to deliver msg; returns TM_OK, or TM_ERR_IO with libcurl's reason in err. */
static int deliver(mail_sender *m, mail_msg *msg, char *err)
{
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, CURL_ERROR_SIZE, "libcurl could not start");
        return TM_ERR_IO;
    }
    size_t n = strlen(m->from) + 3;
    char *from = xmalloc(n);
    snprintf(from, n, "<%s>", m->from);
    struct curl_slist *rcpt = curl_slist_append(NULL, msg->to);
    err[0] = '\0';
    msg->sent = 0;
    curl_easy_setopt(c, CURLOPT_URL, m->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, msg);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, still_wanted);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, m);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK && err[0] == '\0')
        snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(rc));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    free(from);
    return rc == CURLE_OK ? TM_OK : TM_ERR_IO;
}

/* The queued message due first, taken out of the queue, or NULL when none is due (*wait_ms: until one is). */
static mail_msg *take_due(mail_sender *m, int64_t now, int64_t *wait_ms)
{
    mail_msg **best = NULL;
    /* The queue is newest first, so <= lets the oldest of equally due messages go first. */
    for (mail_msg **p = &m->queue; *p; p = &(*p)->next)
        if (best == NULL || (*p)->due_ms <= (*best)->due_ms)
            best = p;
    *wait_ms = -1;
    if (best == NULL)
        return NULL;
    if ((*best)->due_ms > now) {
        *wait_ms = (*best)->due_ms - now;
        return NULL;
    }
    mail_msg *msg = *best;
    *best = msg->next;
    msg->next = NULL;
    return msg;
}

/* Waits on the sender's condition for up to wait_ms (< 0: until signalled).  Caller holds the lock. */
static void wait_for(mail_sender *m, int64_t wait_ms)
{
    if (wait_ms < 0) {
        pthread_cond_wait(&m->cond, &m->lock);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += (time_t)(wait_ms / 1000);
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&m->cond, &m->lock, &until);
}

/* After an attempt: drops msg (delivered, or out of attempts) or puts it back with its next due time. */
static void settle(mail_sender *m, mail_msg *msg, int status, const char *err)
{
    msg->attempts++;
    if (status == TM_OK) {
        log_info("mail: message %s delivered (attempt %d)", msg->id, msg->attempts);
    } else if (msg->attempts >= m->attempts) {
        log_error("mail: message %s dropped after %d attempts: %s", msg->id, msg->attempts, err);
    } else {
        long delay = m->retry_ms;
        for (int i = 1; i < msg->attempts && delay < MAX_DELAY_MS; i++)
            delay *= 2;
        delay = delay < MAX_DELAY_MS ? delay : MAX_DELAY_MS;
        log_warn("mail: message %s not delivered (attempt %d of %d): %s; next in %ld ms", msg->id, msg->attempts,
                 m->attempts, err, delay);
        pthread_mutex_lock(&m->lock);
        msg->due_ms = now_ms() + delay;
        msg->next = m->queue;
        m->queue = msg;
        pthread_mutex_unlock(&m->lock);
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->queued--;
    pthread_mutex_unlock(&m->lock);
    msg_free(msg);
}

/* The sender thread: delivers the message due first, else sleeps until one is due or queued; returns at stop. */
static void *sender_main(void *arg)
{
    mail_sender *m = arg;
    char err[CURL_ERROR_SIZE];
    pthread_mutex_lock(&m->lock);
    while (!atomic_load(&m->stopping)) {
        int64_t wait_ms;
        mail_msg *msg = take_due(m, now_ms(), &wait_ms);
        if (msg == NULL) {
            wait_for(m, wait_ms);
            continue;
        }
        pthread_mutex_unlock(&m->lock);
        int status = deliver(m, msg, err);
        if (status != TM_OK && atomic_load(&m->stopping)) {
            /* Cut short by the stop: it stays queued, counted as undelivered. */
            pthread_mutex_lock(&m->lock);
            msg->next = m->queue;
            m->queue = msg;
            continue;
        }
        settle(m, msg, status, err);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

mail_sender *mail_sender_start(const mail_config *cfg)
{
    mail_sender *m = xcalloc(1, sizeof *m);
    pthread_condattr_t ca;
    m->url = xstrdup(cfg->url);
    m->from = xstrdup(cfg->from);
    const char *at = strchr(cfg->from, '@');
    m->from_domain = xstrdup(at ? at + 1 : "techmatch");
    m->attempts = cfg->attempts > 0 ? cfg->attempts : 1;
    m->retry_ms = cfg->retry_ms;
    m->timeout_ms = cfg->timeout_ms;
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&m->thread, NULL, sender_main, m) != 0) {
        log_error("mail: cannot start the sender thread");
        pthread_cond_destroy(&m->cond);
        pthread_mutex_destroy(&m->lock);
        free(m->url);
        free(m->from);
        free(m->from_domain);
        free(m);
        return NULL;
    }
    log_info("mail: sender started (from %s)", m->from);
    return m;
}

void mail_sender_stop(mail_sender *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->lock);
    atomic_store(&m->stopping, 1);
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    if (m->queued > 0)
        log_warn("mail: stopping with %zu message(s) undelivered", m->queued);
    while (m->queue) {
        mail_msg *next = m->queue->next;
        msg_free(m->queue);
        m->queue = next;
    }
    pthread_cond_destroy(&m->cond);
    pthread_mutex_destroy(&m->lock);
    sodium_memzero(m->url, strlen(m->url)); /* it may hold SMTP credentials */
    free(m->url);
    free(m->from);
    free(m->from_domain);
    free(m);
}

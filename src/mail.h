/*
 * mail.h: outgoing mail over SMTP (libcurl), delivered off the request threads.
 *
 * Contract.  mail_sender_start starts one sender thread.  mail_send composes
 * a plain-text message (UTF-8, base64 body, the subject encoded when it is not
 * ASCII, Date and Message-ID headers), puts a copy in the sender's queue and
 * returns at once; the thread delivers queued messages, each with up to
 * cfg->attempts attempts, the delay doubling from cfg->retry_ms.  A message
 * that still fails is dropped with a log line; every failed attempt is logged
 * too.  Log lines name the Message-ID and libcurl's reason, never the
 * recipient, the body (it may hold a secret such as a sign-up link) or the
 * server's URL (it may hold SMTP credentials).
 *
 * At most once per attempt, at least once while the process lives: the queue
 * is in memory, so messages not yet delivered when the server stops (or dies)
 * are lost; mail_sender_stop logs how many.  Callers that must not lose a
 * message keep their own record of it (as the outbox does for events).
 *
 * Ownership: the sender copies the configuration's strings and every message;
 * callers keep theirs.  Thread-safety: mail_send may be called from any
 * thread at once; start and stop from one thread.
 */
#ifndef TM_MAIL_H
#define TM_MAIL_H
#include "err.h"

typedef struct mail_sender mail_sender;

typedef struct mail_config {
    const char *url;      /* smtp://HOST:PORT (STARTTLS when the server offers it) or smtps://HOST:PORT */
    const char *from;     /* the sender's address: envelope and From header */
    int attempts;         /* attempts per message before it is dropped */
    long retry_ms;        /* delay before the first retry, doubling after each */
    long timeout_ms;      /* one attempt, connection included */
} mail_config;

/* Fills the defaults: 6 attempts, 2 s first retry (about a minute in all), 30 s an attempt. */
void mail_config_default(mail_config *cfg);

/* Starts the sender thread; returns it, or NULL (logged) when the thread cannot start. */
mail_sender *mail_sender_start(const mail_config *cfg);

/*
 * Queues a message to `to` with this subject (one line) and text (lines
 * separated by \n).  Returns TM_OK once queued; TM_ERR_INVALID when to is not
 * one address (it needs an @ and may not hold spaces, control characters or
 * <>,;: the caller validates addresses; this only keeps headers whole) or the
 * subject holds a control character;
 * TM_ERR_LIMITED (logged) when LIM_MAIL_QUEUE messages are waiting already.
 */
TM_MUST_CHECK int mail_send(mail_sender *m, const char *to, const char *subject, const char *text);

/*
 * Stops the thread (an attempt in flight is cut short), logs the number of
 * messages left undelivered and frees everything.  Accepts NULL.
 */
void mail_sender_stop(mail_sender *m);

#endif

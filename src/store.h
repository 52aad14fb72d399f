/*
 * store.h: all of techmatch's storage.  The implementation lives in src/store/
 * (one file per noun behind the private store_int.h); nothing outside that
 * folder sees SQL or the database engine, and nothing in this header names it.
 *
 * A store is one database file, written ahead in a log (foreign keys on, a
 * busy timeout, every commit synced: a write that was acknowledged survives a
 * crash of the process and of the machine).  store_open applies the
 * migrations compiled from schema/ in order, each in its own transaction,
 * recording the count in the schema version; a failing migration is rolled
 * back and named in the log, and store_open fails.  On first start it loads the default taxonomy.
 *
 * Concurrency: every function is thread-safe.  Reads run on a pool of
 * read-only connections, in parallel; writes are serialised through one writer
 * connection.  Prepared statements are prepared once per connection and reset
 * after each use.
 *
 * Errors: functions return a tm_status; TM_ERR_DB is logged here with the
 * database's message, so callers only map it to a reply.  Returned structs are owned by
 * the caller unless the comment says otherwise.
 */
#ifndef TM_STORE_H
#define TM_STORE_H
#include "err.h"
#include "limits.h"
#include "listing.h"
#include "principal.h"
#include "taxonomy.h"
#include <stddef.h>
#include <stdint.h>

typedef struct store store;

/* Opens (creating if needed) and migrates the database at path. */
TM_MUST_CHECK int store_open(const char *path, store **out);
/* Closes every connection (the log is checkpointed on the last close). Accepts NULL. */
void store_close(store *s);
/*
 * Deletes the database file at path with its -wal and -shm files (scratch
 * databases of tests and benchmarks; never an open one).
 */
void store_remove_files(const char *path);
/* Runs a trivial query on a reader; TM_OK when the database answers. */
TM_MUST_CHECK int store_ping(store *s);
/* The schema version (number of migrations applied). */
int store_schema_version(store *s);
/*
 * The number of statement executions (each run of a prepared statement, from
 * its first step to its reset, counted once) since store_open: a benchmark
 * running the server in-process divides it by its requests.  Thread-safe.
 */
uint64_t store_statements_run(store *s);
/*
 * Copies the database at db_path to to_path while a server may be writing it
 * (SQLite's online backup, in short steps with pauses, so the server's writer
 * goes on).  The copy is made in a temporary file beside to_path (mode 0600:
 * it holds password hashes and webhook keys), must have a schema version this
 * binary knows and pass PRAGMA integrity_check, is synced, and only then
 * renamed to to_path.  Refuses an existing to_path unless force.  Returns
 * TM_OK; else TM_ERR_CONFLICT (to_path exists), TM_ERR_INVALID (db_path is not
 * a techmatch database, to_path is db_path itself, or the copy failed its
 * checks), TM_ERR_IO or TM_ERR_DB,
 * with a sentence naming the problem in why (whylen bytes).  Nothing is logged.
 */
TM_MUST_CHECK int store_backup(const char *db_path, const char *to_path, int force, char *why, size_t whylen);
/*
 * Replaces the database at db_path with a copy made by store_backup: the copy
 * at from_path is copied beside db_path and checked as store_backup checks
 * (schema version known, integrity), then the old database's -wal, -shm and
 * -journal are removed and the checked file renamed over db_path.  Refuses
 * (TM_ERR_CONFLICT) while another connection, such as a running server, has
 * db_path open, and (TM_ERR_INVALID) when db_path exists but is not a SQLite
 * database.  Other errors as store_backup, with why set.  The old database is
 * not kept.
 */
TM_MUST_CHECK int store_restore(const char *from_path, const char *db_path, char *why, size_t whylen);

/* ---- taxonomy ---- */

/* Loads the fields table into a new taxonomy (caller frees). */
TM_MUST_CHECK int store_fields_load(store *s, taxonomy **out);

/* ---- accounts ---- */

/*
 * Creates an organisation of org_kind and its first user (role = org_kind) in
 * one transaction.  TM_ERR_CONFLICT if the email or the organisation name is
 * taken; *conflict then names the member ("email" or "org_name").
 */
TM_MUST_CHECK int store_register(store *s, const char *org_name, const char *org_kind,
                                 const char *email, const char *display_name,
                                 const char *password_hash, principal *out,
                                 const char **conflict);

/*
 * Adds a broker or admin user to the organisation org_name, creating it as a
 * broker_agency if it does not exist.  TM_ERR_CONFLICT if the email is taken;
 * TM_ERR_INVALID if org_name is an enterprise or university.
 */
TM_MUST_CHECK int store_user_add(store *s, const char *email, const char *role,
                                 const char *org_name, const char *display_name,
                                 const char *password_hash, int64_t *user_id);

/* A broker or admin account. */
typedef struct staff_user {
    int64_t id;
    char email[256], display_name[512], role[16], org_name[512];
    char created_at[32];    /* ISO 8601 UTC, as stored */
} staff_user;

/* Every broker and admin, oldest first (free the array). */
TM_MUST_CHECK int store_staff_list(store *s, staff_user **out, size_t *n);

/* Copies the user's id and argon2id hash string; TM_ERR_NOT_FOUND if no such email. */
TM_MUST_CHECK int store_user_credentials(store *s, const char *email, int64_t *user_id,
                                         char *hash, size_t hashlen);

/* Stores a session (token hash, owner, expiry in Unix seconds) and drops expired ones. */
TM_MUST_CHECK int store_session_create(store *s, const unsigned char *token_hash, size_t hash_len,
                                       int64_t user_id, int64_t now, int64_t expires_at);
/* Fills *out for a live session; TM_ERR_NOT_FOUND if unknown or expired at now. */
TM_MUST_CHECK int store_session_principal(store *s, const unsigned char *token_hash, size_t hash_len,
                                          int64_t now, principal *out);
/* Sets *expires_at (Unix seconds) of a live session; TM_ERR_NOT_FOUND if unknown or expired at now. */
TM_MUST_CHECK int store_session_expiry(store *s, const unsigned char *token_hash, size_t hash_len,
                                       int64_t now, int64_t *expires_at);
TM_MUST_CHECK int store_session_delete(store *s, const unsigned char *token_hash, size_t hash_len);

/* ---- registrations (a server with mail: each waits for its email to be confirmed) ---- */

/*
 * Which of a new registration's names is taken, in one read: TM_OK when
 * neither, else TM_ERR_CONFLICT with *conflict "email" (an account has it,
 * case aside) or else "org_name".  Cheap, so registration asks it before
 * hashing the password.
 */
TM_MUST_CHECK int store_registration_conflict(store *s, const char *org_name, const char *email,
                                              const char **conflict);

/* A registration waiting for its email; the strings are borrowed. */
typedef struct pending_registration {
    const char *org_name, *org_kind, *email, *display_name;
    const char *password_hash;  /* argon2id string, made at registration */
} pending_registration;

/*
 * Stores reg under the hash of the token mailed for it, until expires_at
 * (Unix seconds), and purges the registrations expired at now, in one
 * transaction.  Names are not checked here (store_registration_complete does).
 */
TM_MUST_CHECK int store_registration_add(store *s, const unsigned char *token_hash, size_t hash_len,
                                         const pending_registration *reg, int64_t now, int64_t expires_at);
/*
 * Completes the registration of token_hash in one transaction: the pending
 * row is taken (so a token works once) and its organisation and first user
 * are created as store_register does, filling *out.  TM_ERR_NOT_FOUND when no
 * row has this hash (never issued or already used) or it expired at now (the
 * row is then deleted); TM_ERR_CONFLICT with *conflict ("email" or
 * "org_name") when a name was taken meanwhile (the row stays until it expires).
 */
TM_MUST_CHECK int store_registration_complete(store *s, const unsigned char *token_hash, size_t hash_len,
                                              int64_t now, principal *out, const char **conflict);

/* ---- organisations ---- */

/* Finds an organisation by exact name; TM_ERR_NOT_FOUND if none. kind has 16 bytes. */
TM_MUST_CHECK int store_org_find(store *s, const char *name, int64_t *id, char *kind);
/* Finds or creates an organisation of this kind; TM_ERR_CONFLICT if it exists with another kind. */
TM_MUST_CHECK int store_org_ensure(store *s, const char *name, const char *kind, int64_t *id);

/* ---- the demo (techmatch demo) ---- */

/*
 * Marks an empty database as the demo, in one transaction, before the demo is
 * loaded into it: *fresh 1 when it was marked now, 0 when it was marked
 * before.  TM_ERR_CONFLICT (nothing stored) when the database holds
 * organisations and was never marked: it is not a demo, and gets no demo
 * accounts.
 */
TM_MUST_CHECK int store_demo_seed_begin(store *s, int *fresh);

/* One demo account; the strings are borrowed. */
typedef struct demo_account {
    const char *email, *role, *org_name, *display_name;
    const char *password_hash;  /* argon2id string */
} demo_account;

/*
 * Adds the demo accounts a[0..n) once, in one transaction: an enterprise or
 * university user joins the existing organisation of that kind
 * (TM_ERR_NOT_FOUND if there is none, TM_ERR_INVALID if it has another kind),
 * a broker or admin the broker agency org_name (created if missing).
 * *created is 1 when they were added now, 0 when they had been added before
 * (nothing is stored then).  TM_ERR_CONFLICT when the database was not marked
 * as the demo by store_demo_seed_begin; TM_ERR_CONFLICT also when an email is
 * taken.  Nothing is stored on error.
 */
TM_MUST_CHECK int store_demo_accounts_add(store *s, const demo_account *a, size_t n, int *created);

/* ---- listings ---- */

/* Stores a new listing (l->kind, l->org_id and members) and fills l->id and timestamps. */
TM_MUST_CHECK int store_listing_create(store *s, listing *l, int64_t actor_user_id);
/* Reads one listing; TM_ERR_NOT_FOUND if there is none with this id. */
TM_MUST_CHECK int store_listing_get(store *s, listing_kind kind, int64_t id, listing **out);
/*
 * Reads the n listings of kind with ids[0..n) in one statement (whatever n):
 * out[i] receives the listing with ids[i], or NULL when there is none (an id
 * may repeat; each out[i] is its own copy).  The caller frees each out[i]
 * with listing_free.  On an error every out[i] is NULL.
 */
TM_MUST_CHECK int store_listings_get_many(store *s, listing_kind kind, const int64_t *ids, size_t n,
                                          listing **out);
/*
 * An edit of a stored listing, run inside the write transaction: it changes l
 * (the listing as stored) and returns TM_OK to store the result, or any other
 * status to leave the listing as it was.
 */
typedef int (*listing_edit_fn)(void *ctx, listing *l);

/*
 * Reads listing id, applies edit and stores the result, all in one write
 * transaction (so concurrent edits never lose each other's changes).  Returns
 * TM_ERR_NOT_FOUND, edit's refusal, or a store error; on TM_OK, *out (when not
 * NULL) receives the stored listing (caller frees).
 */
TM_MUST_CHECK int store_listing_edit(store *s, listing_kind kind, int64_t id, int64_t actor_user_id,
                                     listing_edit_fn edit, void *ctx, listing **out);
/*
 * A look at a stored listing before it changes, run inside the write
 * transaction: TM_OK lets the change go on, any other status refuses it.  It
 * must not change l.
 */
typedef int (*listing_check_fn)(void *ctx, const listing *l);

/*
 * Sets the status ("open" | "closed") of listing id in one write transaction,
 * once check (may be NULL) has accepted the listing as stored; a listing that
 * has this status already is not written.  Returns TM_ERR_NOT_FOUND if there
 * is no such listing, check's refusal, or a store error; on TM_OK, *out (when
 * not NULL) receives the listing as stored (caller frees).
 */
TM_MUST_CHECK int store_listing_set_status(store *s, listing_kind kind, int64_t id, const char *status,
                                           int64_t actor_user_id, listing_check_fn check, void *ctx,
                                           listing **out);

typedef struct listing_filter {
    const char *field_prefix;  /* taxonomy code prefix, or NULL */
    const char *region;        /* region prefix, or NULL */
    const char *status;        /* "open" | "closed", or NULL for both */
    int64_t org_id;            /* 0 for any */
    const char *q;             /* search text (FTS5, bm25-ranked), or NULL */
    size_t limit;              /* 1..LIM_PAGE_MAX */
    const char *cursor;        /* from a previous page's next_cursor, or NULL */
    int newest;                /* with q: order the matches newest first instead of by relevance */
    int with_total;            /* also count the matches of every page (listing_page.total); else total is -1 */
} listing_filter;

typedef struct listing_page {
    listing **items;
    size_t n;
    char *next_cursor;         /* NULL on the last page */
    strlist terms_used;        /* a search's words searched: the LIM_SEARCH_TERMS rarest */
    strlist terms_dropped;     /* a search's words left out (repeats and words with no token are neither) */
    int truncated;             /* words were dropped, or more than LIM_SEARCH_ROWS matched (the newest are ranked) */
    int64_t total;             /* with f->with_total, listings matching f on every page: counted up to
                                * LIM_LIST_COUNT (a search's: the ranked ones, up to LIM_SEARCH_ROWS); else -1 */
    int total_capped;          /* 1 when the count stopped at its bound (more match than total) */
} listing_page;

/*
 * Lists listings matching f, newest first, or best bm25 match first when f->q
 * is set and f->newest is not (a bounded search: its words and truncation are
 * in the page, see store/fts.h).  With f->with_total the page's total counts
 * the matches of every page, at bounded cost (see listing_page).  TM_ERR_INVALID if the cursor is malformed.  Free with
 * store_page_cleanup.
 */
TM_MUST_CHECK int store_listing_list(store *s, listing_kind kind, const listing_filter *f,
                                     listing_page *out);
void store_page_cleanup(listing_page *p);

/* What happened to one imported row (0: skipped, as the apply callback refused it). */
typedef enum import_action { IMPORT_SKIPPED = 0, IMPORT_CREATED = 1, IMPORT_UPDATED = 2 } import_action;

/*
 * Fills l for import row i: l is the organisation's listing whose ref is
 * refs[i] when there is one (so the row changes only the members it has), else
 * a new listing.  Returns TM_OK to store it, anything else to skip the row.
 */
typedef int (*import_apply_fn)(void *ctx, size_t i, listing *l);

/*
 * Stores n import rows of kind for org_id in one transaction (all or none on a
 * store error, so a crash never leaves half a file).  refs[i] may be NULL.
 * Fills ids[i] and actions[i].  progress (may be NULL) is called after each row.
 */
TM_MUST_CHECK int store_listing_import(store *s, listing_kind kind, int64_t org_id, size_t n,
                                       const char *const *refs, int64_t actor_user_id,
                                       import_apply_fn apply, void *apply_ctx,
                                       int64_t *ids, import_action *actions,
                                       void (*progress)(void *ctx, size_t done), void *progress_ctx);

/* ---- matching ---- */

/* Calls fn for every open listing of kind, oldest first; stops at fn's first non-zero status. */
TM_MUST_CHECK int store_listing_each_open(store *s, listing_kind kind,
                                          int (*fn)(void *ctx, const listing *l), void *ctx);

/*
 * Listings of kind written at or after since (a timestamp as in updated_at),
 * oldest first, at most limit.  Free with store_page_cleanup.
 */
TM_MUST_CHECK int store_listing_changed_since(store *s, listing_kind kind, const char *since, size_t limit,
                                              listing_page *out);

/* The admin's matching policy (one row). */
typedef struct policy {
    double suggest_threshold;    /* minimum score to record a suggestion */
    int auto_approve;            /* 1 when auto_approve_score applies */
    double auto_approve_score;   /* suggestions at or above it are approved at once */
    int64_t updated_by;          /* 0 when no user has changed it */
    char updated_by_name[128];   /* that user's display name, or "" */
    char updated_at[32];
} policy;

TM_MUST_CHECK int store_policy_get(store *s, policy *out);
/*
 * The thresholds of p as JSON: {suggest_threshold, auto_approve_score (or
 * null)}, as the audit log records them.  Caller deletes.
 */
cJSON *store_policy_json(const policy *p);
/* Stores the thresholds of p, recording the change in the audit log. */
TM_MUST_CHECK int store_policy_set(store *s, const policy *p, int64_t actor_user_id);

/* A scored pair to record; explanation is JSON text (borrowed). */
typedef struct match_row {
    int64_t demand_id, achievement_id;
    double score, k, f;
    const char *explanation;
} match_row;

typedef struct match {
    int64_t id, demand_id, achievement_id;
    double score, k, f;
    char *explanation;         /* JSON text */
    char *status, *origin, *created_at, *updated_at;
    char *reason, *reason_text;    /* the last reject, decline or close (or NULL) */
    int64_t assigned_to;           /* broker user id, 0 = nobody */
    int64_t deal_amount;           /* yuan, -1 = none */
    char *transfer_mode;           /* of a deal, or NULL */
    char *statement;               /* of a proposal, or NULL */
    char *introduced_at;           /* when it went to in_talks (contacts shown from then), or NULL */
} match;

void match_cleanup(match *m);

/*
 * Builds the body of the event that pushes matches to the organisation that
 * owns their demands: n = 1 for one match ("match.pushed"), more for a digest
 * ("match.digest"); *type receives a static event type.  Runs inside the
 * write transaction; returns malloc'd JSON text, or NULL to fail it.
 */
typedef char *(*push_payload_fn)(void *ctx, const match *m, const listing *const *demands,
                                 const listing *const *achievements, size_t n, const char **type);

/*
 * Records the matches of one listing (kind, id) after it was written, in one
 * transaction: the matcher's current suggestions of it are withdrawn
 * (proposals stay), then each row is
 * inserted as suggested, or re-scored when the pair exists (a withdrawn or
 * suggested pair becomes suggested again; a pair further along keeps its
 * status).  A suggestion at or above the policy's auto-approve score is
 * approved and pushed in the same transaction (see store_match_approve).
 */
TM_MUST_CHECK int store_matches_record(store *s, listing_kind kind, int64_t id,
                                       const match_row *rows, size_t n,
                                       push_payload_fn payload, void *payload_ctx);
/* Withdraws every suggestion of the listing, proposals included (it was closed). */
TM_MUST_CHECK int store_matches_withdraw(store *s, listing_kind kind, int64_t id);

/*
 * The matcher's queue, so that a crash between writing a listing and
 * recording its matches (two transactions) leaves no listing unmatched.
 * After store_queue_matching, every listing this store writes enters
 * match_queue in the write's own transaction; store_matches_record and
 * store_matches_withdraw take it out in theirs.  The server turns it on;
 * tools that load listings without matching them (benchmarks) leave it off.
 */
void store_queue_matching(store *s);
/* The ids of the queued listings of kind, oldest first (*ids malloc'd, caller frees, also on error). */
TM_MUST_CHECK int store_match_queue(store *s, listing_kind kind, int64_t **ids, size_t *n);

typedef struct match_filter {
    const char *status;        /* or NULL for any */
    const char *field_prefix;  /* either side has a code with this prefix, or NULL */
    double min_score, max_score;
    int max_age_days;          /* created within this many days; 0 = any age */
    int64_t demand_id;         /* 0 = any */
    int64_t achievement_id;    /* 0 = any */
    const char *region_prefix; /* either listing's region starts with it, or NULL */
    int64_t assigned_to;       /* -1 any, 0 nobody, else this broker */
    const char *origin;        /* matcher | proposal, or NULL */
    size_t limit;
    const char *cursor;        /* from next_cursor */
    int with_total;            /* also count every match the filter selects (match_page.total) */
} match_filter;

typedef struct match_page {
    match *items;
    size_t n;
    char *next_cursor;         /* NULL on the last page */
    int64_t total;             /* with with_total: the matches the filter selects on all pages; else -1 */
} match_page;

/* Lists matches best score first.  TM_ERR_INVALID for a malformed cursor. */
TM_MUST_CHECK int store_match_list(store *s, const match_filter *f, match_page *out);
void store_match_page_cleanup(match_page *p);

/*
 * A broker approves suggestion id: in one transaction its status becomes
 * approved and, when the demand's organisation takes real-time pushes at
 * this score, a notification is written to the outbox and the status becomes
 * pushed (*notification_id > 0; else 0: a digest or a score below the
 * subscription's minimum waits).  TM_ERR_NOT_FOUND if there is no such
 * match; TM_ERR_CONFLICT if it is not suggested (out->status says what it
 * is).  out is filled on TM_OK and on TM_ERR_CONFLICT; free with match_cleanup.
 */
TM_MUST_CHECK int store_match_approve(store *s, int64_t id, int64_t actor_user_id,
                                      push_payload_fn payload, void *payload_ctx,
                                      match *out, int64_t *notification_id);

/*
 * Brokers' decisions on one demand's matches, for the matcher to learn from:
 * the achievements a broker approved (approved and every later status an
 * approval leads to: pushed, viewed, interested, in_talks, deal) and those a
 * broker rejected, the newest MATCH_DECISIONS_MAX of them.  Approvals by the
 * policy's auto-approve score are no broker's decision and are left out.  Free with
 * match_decisions_cleanup (also after an error).
 */
#define MATCH_DECISIONS_MAX 200
typedef struct match_decisions {
    int64_t *approved, *rejected;   /* achievement ids */
    size_t napproved, nrejected;
} match_decisions;

TM_MUST_CHECK int store_match_decisions(store *s, int64_t demand_id, match_decisions *out);
void match_decisions_cleanup(match_decisions *d);

/* ---- the pipeline: decisions, assignment, notes, history ---- */

/*
 * A university proposes an achievement for a demand (揭榜): the pair, scored
 * by the matcher, becomes a suggested match of origin "proposal" with the
 * statement (a pair that was only suggested or withdrawn becomes the
 * proposal).  TM_ERR_CONFLICT when the pair is further along; out then holds
 * it.  Free out with match_cleanup.
 */
TM_MUST_CHECK int store_match_propose(store *s, const match_row *pair, const char *statement, int64_t actor_user_id,
                                      match *out);

/* One stored match; TM_ERR_NOT_FOUND.  Free with match_cleanup. */
TM_MUST_CHECK int store_match_get(store *s, int64_t id, match *out);

/*
 * A change to a stored match, run inside the write transaction: it may set
 * m->status, reason, reason_text, assigned_to, deal_amount and transfer_mode
 * (replacing owned strings with malloc'd ones), and returns TM_OK to store
 * them, or any other status to leave the match as it was.
 */
typedef int (*match_edit_fn)(void *ctx, match *m);

/*
 * Reads match id, applies edit and stores the result with an audit_log row
 * (action, the actor, the state before and after) in one write transaction,
 * so two brokers deciding at once cannot both act on the same state.  When
 * review is 1 the actor is recorded as the reviewer.  out receives the match
 * as stored, or as it was when edit refused (free with match_cleanup in both
 * cases); TM_ERR_NOT_FOUND leaves it empty.
 */
TM_MUST_CHECK int store_match_edit(store *s, int64_t id, int64_t actor_user_id, const char *action, int review,
                                   match_edit_fn edit, void *ctx, match *out);

/* The role of a user ("" when there is no such user); role has 16 bytes. */
TM_MUST_CHECK int store_user_role(store *s, int64_t user_id, char *role);

typedef struct match_note {
    int64_t id, user_id;
    char *author, *text;
    char created_at[32];
} match_note;

/* Adds a broker's note (and an audit row); TM_ERR_NOT_FOUND if there is no such match. */
TM_MUST_CHECK int store_match_note_add(store *s, int64_t match_id, int64_t user_id, const char *text,
                                       int64_t *note_id);
/* A match's notes, oldest first.  Free with store_match_notes_free. */
TM_MUST_CHECK int store_match_notes(store *s, int64_t match_id, match_note **out, size_t *n);
void store_match_notes_free(match_note *v, size_t n);

typedef struct history_item {
    char at[32];
    int64_t user_id;               /* 0 for the system (auto-approval, the matcher) */
    char *who;                     /* display name, or "" */
    char action[48];
    char *before, *after;          /* JSON text, or NULL */
} history_item;

/* Everything done to a match, oldest first (from audit_log).  Free with store_history_free. */
TM_MUST_CHECK int store_match_history(store *s, int64_t match_id, history_item **out, size_t *n);
void store_history_free(history_item *v, size_t n);

/* ---- the thesaurus brokers curate (thesaurus.c) ---- */

/*
 * An entry: two terms the matcher is to treat as one, a translation
 * (激光熔覆 ≈ laser cladding) or a synonym.  Terms are kept as given (trimmed,
 * at most LIM_THESAURUS_TERM characters); a pair is stored once, in either
 * order, compared in a normalised form (full-width ASCII folded, ASCII lower
 * case, runs of white space as one space).
 */
typedef struct thesaurus_entry {
    int64_t id;
    char term_a[4 * LIM_THESAURUS_TERM + 1], term_b[4 * LIM_THESAURUS_TERM + 1];
    char kind[16];                 /* translation | synonym */
    char note[4 * LIM_THESAURUS_NOTE + 1];
    int64_t created_by;            /* 0 when the user is gone */
    char created_by_name[512];     /* that user's display name, or "" */
    char created_at[32];
} thesaurus_entry;

/* What an add stores; the strings are borrowed, trimmed and checked by the caller (note may be NULL). */
typedef struct thesaurus_input {
    const char *term_a, *term_b, *kind, *note;
} thesaurus_input;

/*
 * The open listings an entry's change touches: those whose title, body text
 * or keywords hold either term (as a phrase, tokenized as the matcher does),
 * the newest LIM_THESAURUS_TOUCHED of each kind.  ids[kind] is malloc'd.
 */
typedef struct thesaurus_touched {
    int64_t *ids[2];               /* by listing_kind, newest first */
    size_t n[2];
} thesaurus_touched;

void store_thesaurus_touched_cleanup(thesaurus_touched *t);

/*
 * Adds an entry with its audit row ("thesaurus.add") in one transaction, and
 * reads the listings it touches into *touched; when the store queues matching
 * they enter match_queue in the same transaction (so a crash before they are
 * re-matched leaves them to matching_recover).  Fills *out with the entry as
 * stored.  TM_ERR_INVALID when the two terms are the same once normalised;
 * TM_ERR_CONFLICT when the pair is stored already (either order): *out then
 * holds that entry, and *touched is empty.
 */
TM_MUST_CHECK int store_thesaurus_add(store *s, const thesaurus_input *in, int64_t actor_user_id,
                                      thesaurus_entry *out, thesaurus_touched *touched);
/*
 * Deletes entry id with its audit row ("thesaurus.delete", the entry as it
 * was) in one transaction, reading and queueing the listings it touched as
 * store_thesaurus_add does.  *out receives the entry deleted.
 * TM_ERR_NOT_FOUND when there is none.
 */
TM_MUST_CHECK int store_thesaurus_delete(store *s, int64_t id, int64_t actor_user_id, thesaurus_entry *out,
                                         thesaurus_touched *touched);

typedef struct thesaurus_filter {
    const char *q;                 /* text in either term or the note (normalised, as a substring), or NULL */
    const char *kind;              /* translation | synonym, or NULL for both */
    size_t limit;                  /* 1..LIM_PAGE_MAX */
    const char *cursor;            /* from a previous page's next_cursor, or NULL */
    int with_total;                /* also count the entries of every page (else total is -1) */
} thesaurus_filter;

typedef struct thesaurus_page {
    thesaurus_entry *items;
    size_t n;
    char *next_cursor;             /* NULL on the last page */
    int64_t total;                 /* with_total: the entries f selects on every page; else -1 */
} thesaurus_page;

/* Lists the entries f selects, newest first.  TM_ERR_INVALID for a malformed cursor.  Free with the cleanup. */
TM_MUST_CHECK int store_thesaurus_list(store *s, const thesaurus_filter *f, thesaurus_page *out);
void store_thesaurus_page_cleanup(thesaurus_page *p);

/*
 * Calls fn for every entry, oldest first (what the matcher is fed with);
 * stops at fn's first non-zero return, which is returned.  The entry is
 * borrowed for the call.
 */
TM_MUST_CHECK int store_thesaurus_each(store *s, int (*fn)(void *ctx, const thesaurus_entry *e), void *ctx);

/* ---- statistics and the decisions export ---- */

/* How many matches reached each stage (a deal reached all seven). */
enum { FUNNEL_SUGGESTED, FUNNEL_APPROVED, FUNNEL_PUSHED, FUNNEL_VIEWED, FUNNEL_INTERESTED, FUNNEL_IN_TALKS,
       FUNNEL_DEALS, FUNNEL_STAGES };

typedef struct funnel_row {
    char key[64];                  /* a field code, a month (YYYY-MM), or "" overall */
    int64_t n[FUNNEL_STAGES];
} funnel_row;

typedef struct count_row {
    char kind[16];                 /* rejected | declined | closed */
    char reason[32];
    int64_t n;
} count_row;

typedef struct workload_row {
    int64_t user_id;
    char name[128];
    int64_t open;                  /* assigned matches not yet decided for good */
} workload_row;

typedef struct stats {
    funnel_row overall;
    funnel_row *by_field, *by_month;
    size_t nfield, nmonth;
    count_row *reasons;
    size_t nreasons;
    workload_row *workload;
    size_t nworkload;
    double *hours_to_push;         /* per demand pushed at least once: hours from posting to the first push */
    size_t npushed;
    int64_t deals, deal_amount;    /* yuan */
    int64_t approved_scores[10];   /* matches approved (and not rejected since), by score tenth: [0, 0.1), ... */
    int64_t rejected_scores[10];   /* matches rejected, by score tenth */
} stats;

TM_MUST_CHECK int store_stats(store *s, stats *out);
void store_stats_cleanup(stats *st);

/* One decision on a match, with the match's score parts (for tuning the matcher). */
typedef struct decision_row {
    const char *at, *action, *status, *reason, *reason_text, *origin; /* borrowed for the call; may be NULL */
    int64_t match_id, user_id, demand_id, achievement_id;
    double score, k, f;
} decision_row;

/* Calls fn for every decision, oldest first; stops at fn's first non-zero return. */
TM_MUST_CHECK int store_decisions_each(store *s, int (*fn)(void *ctx, const decision_row *d), void *ctx);

/* The review queue in figures, as a broker's home page shows them. */
typedef struct queue_figures {
    int64_t waiting;   /* suggested matches */
    int64_t oldest_id; /* the suggested match created first (the lowest id among equals); 0 when none waits */
    char since[32];    /* the time asked about, in UTC: YYYY-MM-DDTHH:MM:SSZ */
    int64_t decisions; /* review decisions (approve, reject; not the policy's auto-approvals) at or after since */
    int64_t mine;      /* those of them made by the caller */
} queue_figures;

/*
 * Reads the queue's figures in one statement: decisions count from since
 * (an RFC 3339 time with Z or an offset, which SQLite converts to UTC), mine
 * those of user_id.  TM_ERR_INVALID when since is not a time SQLite reads.
 */
TM_MUST_CHECK int store_queue_figures(store *s, const char *since, int64_t user_id, queue_figures *out);

/* ---- the decisions report: what brokers decided about scored pairs ---- */

/* A match's latest review decision (a broker's or admin's approve or reject; not the policy's auto-approvals). */
typedef struct review_decision {
    double score;       /* the match's score now (what a threshold applies to) */
    int approved;       /* 1 approved, 0 rejected */
    char reason[32];    /* a rejection's reason code; "" for an approval */
} review_decision;

/* The decisions on the matches of the demands in one field group. */
typedef struct review_field_count {
    char field[8];      /* a section ("B") or a division ("B06"); "" for demands without a field */
    int64_t approved, rejected;
} review_field_count;

typedef struct review_decisions {
    char since[32];                 /* since in UTC (YYYY-MM-DDTHH:MM:SSZ), or "" when every decision counts */
    review_decision *items;         /* best score first */
    size_t n;
    review_field_count *fields;     /* by code; a decision counts once in each group its demand's fields fall in */
    size_t nfields;
} review_decisions;

/*
 * Reads, in one read transaction, the latest review decision of every match
 * decided at or after since (an RFC 3339 time SQLite reads, or NULL for all)
 * whose demand has a field code starting with field_prefix (NULL or "" for
 * every demand), and counts them by field group: sections without a prefix,
 * divisions (the prefix's own) with one.  TM_ERR_INVALID when since is not a
 * time SQLite reads.  Free with store_review_decisions_cleanup (also after a
 * failure).
 */
TM_MUST_CHECK int store_review_decisions(store *s, const char *since, const char *field_prefix,
                                         review_decisions *out);
void store_review_decisions_cleanup(review_decisions *d);

/* ---- push: subscriptions and the outbox ---- */

/* What an organisation wants to hear, and how. */
typedef struct subscription {
    int stream;            /* live stream on */
    int webhook;           /* webhooks on */
    double min_score;      /* matches below it are not pushed */
    int digest;            /* 1: one digest event a period instead of each match */
} subscription;

/* The organisation's subscription, or the defaults (all channels, real time, 0) when it has none. */
TM_MUST_CHECK int store_subscription_get(store *s, int64_t org_id, subscription *out);
TM_MUST_CHECK int store_subscription_set(store *s, int64_t org_id, const subscription *sub,
                                         int64_t actor_user_id);

/*
 * Sends the digests that are due at now (Unix seconds): for each organisation
 * taking digests whose last digest is at least period seconds old and that
 * has approved matches waiting, one notification gathers them and they become
 * pushed, each organisation in its own transaction.  *sent receives the count.
 */
TM_MUST_CHECK int store_digests_run(store *s, int64_t now, int64_t period, push_payload_fn payload,
                                    void *payload_ctx, size_t *sent);

typedef struct notification {
    int64_t id, org_id;
    char type[32];
    char *payload;         /* JSON text */
    char created_at[32];
    int read;
    char match_status[16]; /* store_inbox_page: the pushed match's status now; "" for other events and digests */
} notification;

typedef struct notification_page {
    notification *items;
    size_t n;
    int more;              /* 1 when ids after the last one exist */
} notification_page;

/* The organisation's notifications with id > after, oldest first, at most limit. */
TM_MUST_CHECK int store_notifications_list(store *s, int64_t org_id, int64_t after, size_t limit,
                                           notification_page *out);
void store_notification_page_cleanup(notification_page *p);
/*
 * The organisation's inbox as its owner reads it, each notification with its
 * match_status: with before = 0, the notifications with id > after, oldest
 * first; with before > 0, those with id < before, newest first (after is then
 * ignored; before = INT64_MAX starts at the newest).  At most limit; more says
 * whether a further page exists in that direction.
 */
TM_MUST_CHECK int store_inbox_page(store *s, int64_t org_id, int64_t after, int64_t before, size_t limit,
                                   notification_page *out);
/* How many of the organisation's notifications are unread. */
TM_MUST_CHECK int store_notifications_unread(store *s, int64_t org_id, int64_t *count);
/* Marks one read; TM_ERR_NOT_FOUND if it is not the organisation's. */
TM_MUST_CHECK int store_notification_read(store *s, int64_t org_id, int64_t id);
/* The largest id of the organisation's own notifications (0 when none): what its stream may resume after. */
TM_MUST_CHECK int store_notifications_last_id_of(store *s, int64_t org_id, int64_t *id);

/* What the outbox still owes, read at once (for GET /metrics). */
typedef struct outbox_backlog {
    int64_t matches_waiting;       /* approved and not pushed: waiting for a digest, or below the minimum score */
    int64_t notifications_unread;  /* in all inboxes */
} outbox_backlog;

TM_MUST_CHECK int store_outbox_backlog(store *s, outbox_backlog *out);

/* ---- webhooks: endpoints and deliveries ---- */

/*
 * Writing a notification also writes, in the same transaction, one pending
 * delivery to each webhook of its organisation (when the subscription has
 * webhooks on), whatever the webhook's status: a paused or disabled endpoint
 * gets its backlog, in order, when it is resumed.
 */

typedef struct webhook {
    int64_t id, org_id;
    char *url, *description;
    char status[16];               /* active | paused | disabled */
    char *disabled_reason;         /* or NULL */
    char created_at[32], updated_at[32];
} webhook;

void webhook_cleanup(webhook *w);

/*
 * Registers an endpoint with its signing key; fills out.  TM_ERR_LIMITED when
 * the organisation already has LIM_WEBHOOKS endpoints (counted in the write
 * transaction, so parallel creates never exceed it).
 */
TM_MUST_CHECK int store_webhook_create(store *s, int64_t org_id, const char *url, const char *description,
                                       const unsigned char *key, size_t key_len, int64_t actor_user_id,
                                       webhook *out);
/* The organisation's endpoints, oldest first (free each with webhook_cleanup, then the array). */
TM_MUST_CHECK int store_webhook_list(store *s, int64_t org_id, webhook **out, size_t *n);
/* One endpoint of the organisation; TM_ERR_NOT_FOUND if it is not theirs. */
TM_MUST_CHECK int store_webhook_get(store *s, int64_t org_id, int64_t id, webhook *out);
/* Deletes an endpoint and its deliveries; TM_ERR_NOT_FOUND if it is not theirs. */
TM_MUST_CHECK int store_webhook_delete(store *s, int64_t org_id, int64_t id, int64_t actor_user_id);
/* Replaces the signing key; TM_ERR_NOT_FOUND if it is not theirs. */
TM_MUST_CHECK int store_webhook_set_key(store *s, int64_t org_id, int64_t id, const unsigned char *key,
                                        size_t key_len, int64_t actor_user_id);
/* Sets status to "active" (clearing a disabled reason) or "paused"; TM_ERR_NOT_FOUND if not theirs. */
TM_MUST_CHECK int store_webhook_set_status(store *s, int64_t org_id, int64_t id, const char *status,
                                           int64_t actor_user_id);
/* Queues a ping (payload) to this endpoint alone; *delivery_id receives its id. */
TM_MUST_CHECK int store_webhook_ping(store *s, int64_t org_id, int64_t id, const char *payload,
                                     int64_t *delivery_id);

typedef struct delivery_attempt {
    char attempted_at[40];
    int status_code;               /* 0 when no answer came */
    char *error;                   /* or NULL */
    int64_t duration_ms;
} delivery_attempt;

typedef struct delivery {
    int64_t id, webhook_id, notification_id;   /* notification_id 0 for a ping */
    char msg_id[64];
    char state[16];                /* pending | succeeded | failed */
    int attempts;
    int64_t next_attempt_at;       /* Unix milliseconds */
    char created_at[32], updated_at[32];
    delivery_attempt *tries;
    size_t ntries;
} delivery;

/* An endpoint's deliveries, newest first, at most limit, each with its attempts. */
TM_MUST_CHECK int store_deliveries_list(store *s, int64_t org_id, int64_t webhook_id, size_t limit,
                                        delivery **out, size_t *n);
void store_deliveries_free(delivery *d, size_t n);
/* Makes a delivery pending again, due now; TM_ERR_NOT_FOUND if it is not this endpoint's. */
TM_MUST_CHECK int store_delivery_resend(store *s, int64_t org_id, int64_t webhook_id, int64_t delivery_id);

/* A delivery the sender should attempt now. */
typedef struct due_delivery {
    int64_t id, webhook_id, org_id;
    char *url, *payload;
    char msg_id[64];
    unsigned char key[64];
    size_t key_len;
    int attempts;                  /* made so far */
} due_delivery;

/*
 * The oldest pending delivery of each active endpoint, when it is due at
 * now_ms, at most max (the sender skips endpoints it has one in flight for).
 * Free with store_due_free.
 */
TM_MUST_CHECK int store_deliveries_due(store *s, int64_t now_ms, size_t max, due_delivery **out, size_t *n);
void store_due_free(due_delivery *d, size_t n);

/* How an attempt ended, for store_delivery_result. */
typedef struct attempt_result {
    int status_code;               /* 0 when no answer came */
    const char *error;             /* transport error, or NULL */
    int64_t duration_ms;
    int delivered;                 /* 2xx */
    int64_t retry_at_ms;           /* > 0: pending again until then; 0: no retry */
    const char *disable_reason;    /* non-NULL: the endpoint is disabled... */
    const char *disabled_event;    /* ...and this event (JSON) goes to the owner's inbox */
} attempt_result;

/*
 * Records n attempts and their outcomes in one transaction: each attempt row,
 * the delivery's state (succeeded, pending until retry_at_ms, or failed), and
 * when asked the endpoint disabled with a notification to its owner.  A
 * delivery deleted meanwhile (with its endpoint) is not an error.
 */
TM_MUST_CHECK int store_delivery_results(store *s, const due_delivery *const *d, const attempt_result *r, size_t n);

/* The webhook deliveries still owed, and the endpoints by status (for GET /metrics). */
typedef struct delivery_backlog {
    int64_t pending;               /* deliveries pending (due now or waiting for a retry) */
    int64_t oldest_pending_s;      /* seconds since the oldest pending delivery was written; 0 when none */
    int64_t endpoints_active, endpoints_paused, endpoints_disabled;
} delivery_backlog;

TM_MUST_CHECK int store_delivery_backlog(store *s, delivery_backlog *out);

/*
 * Called after every commit that wrote notifications (outside the write
 * lock), so that live channels wake up at once.  Set once before serving.
 */
void store_set_notify_hook(store *s, void (*hook)(void *ctx), void *ctx);

#endif

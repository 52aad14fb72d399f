/*
 * store.c: SQLite storage (see store.h for the contract).
 *
 * Layout: a statement table (SQL text by enum), connections that cache their
 * prepared statements, a pool of readers and one writer, migrations, then the
 * domain functions grouped as in store.h.
 *
 * Binding: every text is bound SQLITE_TRANSIENT unless it outlives the step
 * (documented where SQLITE_STATIC is used), so callers may free their strings
 * as soon as a function returns.
 */
#include "store.h"
#include "embedded.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "mem.h"
#include "store_fts.h"
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_READERS 16

/* ---------- statements ---------- */

/* The select list shared by both kinds, in the column order row_to_listing reads. */
#define D_COLS "l.id, l.org_id, o.name, l.ref, l.title, l.description, l.keywords, l.fields, " \
    "l.region, l.cooperation_modes, l.contact, l.status, l.created_at, l.updated_at, " \
    "l.budget_min, l.budget_max, l.deadline, NULL, NULL, '', NULL"
#define A_COLS "l.id, l.org_id, o.name, l.ref, l.title, l.abstract, l.keywords, l.fields, " \
    "l.region, l.transfer_modes, l.contact, l.status, l.created_at, l.updated_at, " \
    "NULL, NULL, NULL, l.trl, l.ip_type, l.patent_no, l.price"
#define NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
/* Whether a match has an audit row of one of these actions (a SQL list). */
#define DID(actions) "EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'match' AND a.entity_id = m.id" \
                     " AND a.action IN (" actions "))"
/* The funnel's seven counts over the matches m of a query. */
#define FUNNEL_SUMS "count(*), sum(" DID("'match.approve', 'match.auto_approve'") "), sum(m.pushed_at IS NOT NULL)," \
                    " sum(" DID("'match.view', 'match.interested', 'match.declined'") ")," \
                    " sum(" DID("'match.interested'") "), sum(m.introduced_at IS NOT NULL), sum(m.status = 'deal')"
/* A match's columns, in the order row_to_match reads them. */
#define MATCH_COLS "m.id, m.demand_id, m.achievement_id, m.score, m.k, m.f, m.explanation, m.status, m.origin," \
                   " m.created_at, m.updated_at, m.reason, m.reason_text, coalesce(m.assigned_to, 0)," \
                   " coalesce(m.deal_amount, -1), m.transfer_mode, m.statement, m.introduced_at"

/* Filters of the list routes: ?1..?2 field range, ?3 region prefix, ?4 status, ?5 org. */
#define FILTERS(FT, FID) \
    " WHERE (?1 IS NULL OR EXISTS (SELECT 1 FROM " FT " f WHERE f." FID " = l.id" \
    " AND f.code >= ?1 AND f.code < ?2))" \
    " AND (?3 IS NULL OR instr(l.region, ?3) = 1)" \
    " AND (?4 IS NULL OR l.status = ?4) AND (?5 IS NULL OR l.org_id = ?5)"

#define LIST_SQL(COLS, T, FT, FID) \
    "SELECT " COLS " FROM " T " l JOIN orgs o ON o.id = l.org_id" FILTERS(FT, FID) \
    " AND (?6 IS NULL OR l.id < ?6) ORDER BY l.id DESC LIMIT ?7"
/*
 * Search ranks rowids alone (FTS5's rank = the bm25 weights set in schema/) and
 * joins the full rows only for the page, so the sorter never carries text.
 */
#define SEARCH_SQL(COLS, T, FT, FID, FTS) \
    "SELECT " COLS " FROM (SELECT " FTS ".rowid AS rid, " FTS ".rank AS score FROM " FTS \
    " JOIN " T " l ON l.id = " FTS ".rowid" FILTERS(FT, FID) " AND " FTS " MATCH ?6" \
    " ORDER BY " FTS ".rank, l.id DESC LIMIT ?7 OFFSET ?8) m" \
    " JOIN " T " l ON l.id = m.rid JOIN orgs o ON o.id = l.org_id ORDER BY m.score, l.id DESC"

enum stmt_id {
    /* Pairs indexed by listing_kind: X_D + kind. */
    ST_GET_D, ST_GET_A,
    ST_LIST_D, ST_LIST_A,
    ST_SEARCH_D, ST_SEARCH_A,
    ST_INSERT_D, ST_INSERT_A,
    ST_UPDATE_D, ST_UPDATE_A,
    ST_STATUS_D, ST_STATUS_A,
    ST_BY_REF_D, ST_BY_REF_A,
    ST_PING,
    ST_FIELDS_COUNT, ST_FIELD_INSERT, ST_FIELDS_ALL,
    ST_ORG_INSERT, ST_ORG_FIND,
    ST_USER_INSERT, ST_USER_CREDENTIALS,
    ST_SESSION_INSERT, ST_SESSION_PRINCIPAL, ST_SESSION_DELETE, ST_SESSION_PURGE,
    ST_AUDIT,
    ST_OPEN_D, ST_OPEN_A,
    ST_CHANGED_D, ST_CHANGED_A,
    ST_WITHDRAW_D, ST_WITHDRAW_A,
    ST_QUEUE_ADD, ST_QUEUE_DONE, ST_QUEUE_LIST,
    ST_MATCH_UPSERT, ST_MATCH_LIST, ST_MATCH_GET, ST_MATCH_APPROVED, ST_MATCH_PUSHED,
    ST_MATCH_SAVE, ST_NOTE_INSERT, ST_NOTE_LIST, ST_HISTORY, ST_USER_ROLE, ST_PROPOSE, ST_PAIR_ID,
    ST_STATS_ALL, ST_STATS_FIELD, ST_STATS_MONTH, ST_STATS_REASONS, ST_STATS_PUSH_HOURS, ST_STATS_WORKLOAD,
    ST_STATS_DEALS, ST_DECISIONS, ST_STAFF_LIST, ST_STATS_SCORES,
    ST_POLICY_GET, ST_POLICY_SET,
    ST_SUB_GET, ST_SUB_SET,
    ST_NOTIF_INSERT, ST_NOTIF_LIST, ST_NOTIF_UNREAD, ST_NOTIF_READ, ST_NOTIF_LAST,
    ST_DIGEST_DUE, ST_DIGEST_MATCHES, ST_DIGEST_DONE,
    ST_DELIV_FANOUT, ST_WH_INSERT, ST_WH_LIST, ST_WH_GET, ST_WH_DELETE, ST_WH_SET_KEY, ST_WH_SET_STATUS,
    ST_WH_DISABLE, ST_PING_INSERT, ST_DELIV_LIST, ST_ATTEMPT_LIST, ST_DELIV_RESEND, ST_DUE, ST_ATTEMPT_INSERT,
    ST_DELIV_UPDATE,
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_COUNT
};

static const char *const sql_text[ST_COUNT] = {
    [ST_GET_D] = "SELECT " D_COLS " FROM demands l JOIN orgs o ON o.id = l.org_id WHERE l.id = ?1",
    [ST_GET_A] = "SELECT " A_COLS " FROM achievements l JOIN orgs o ON o.id = l.org_id WHERE l.id = ?1",
    [ST_LIST_D] = LIST_SQL(D_COLS, "demands", "demand_fields", "demand_id"),
    [ST_LIST_A] = LIST_SQL(A_COLS, "achievements", "achievement_fields", "achievement_id"),
    [ST_SEARCH_D] = SEARCH_SQL(D_COLS, "demands", "demand_fields", "demand_id", "demands_fts"),
    [ST_SEARCH_A] = SEARCH_SQL(A_COLS, "achievements", "achievement_fields", "achievement_id",
                               "achievements_fts"),
    [ST_INSERT_D] = "INSERT INTO demands(org_id, ref, title, description, keywords, fields, region,"
                    " cooperation_modes, contact, budget_min, budget_max, deadline)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                    " RETURNING id, created_at, updated_at",
    [ST_INSERT_A] = "INSERT INTO achievements(org_id, ref, title, abstract, keywords, fields, region,"
                    " transfer_modes, contact, trl, ip_type, patent_no, price)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                    " RETURNING id, created_at, updated_at",
    [ST_UPDATE_D] = "UPDATE demands SET ref = ?2, title = ?3, description = ?4, keywords = ?5,"
                    " fields = ?6, region = ?7, cooperation_modes = ?8, contact = ?9,"
                    " budget_min = ?10, budget_max = ?11, deadline = ?12, updated_at = " NOW
                    " WHERE id = ?1 RETURNING updated_at",
    [ST_UPDATE_A] = "UPDATE achievements SET ref = ?2, title = ?3, abstract = ?4, keywords = ?5,"
                    " fields = ?6, region = ?7, transfer_modes = ?8, contact = ?9,"
                    " trl = ?10, ip_type = ?11, patent_no = ?12, price = ?13, updated_at = " NOW
                    " WHERE id = ?1 RETURNING updated_at",
    [ST_STATUS_D] = "UPDATE demands SET status = ?2, updated_at = " NOW " WHERE id = ?1",
    [ST_STATUS_A] = "UPDATE achievements SET status = ?2, updated_at = " NOW " WHERE id = ?1",
    [ST_BY_REF_D] = "SELECT id FROM demands WHERE org_id = ?1 AND ref = ?2",
    [ST_BY_REF_A] = "SELECT id FROM achievements WHERE org_id = ?1 AND ref = ?2",
    [ST_PING] = "SELECT 1",
    [ST_FIELDS_COUNT] = "SELECT count(*) FROM fields",
    [ST_FIELD_INSERT] = "INSERT INTO fields(code, parent, level, name_zh, name_en) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_FIELDS_ALL] = "SELECT code, parent, level, name_zh, name_en FROM fields ORDER BY level, code",
    [ST_ORG_INSERT] = "INSERT INTO orgs(kind, name) VALUES (?1, ?2) RETURNING id",
    [ST_ORG_FIND] = "SELECT id, kind FROM orgs WHERE name = ?1",
    [ST_USER_INSERT] = "INSERT INTO users(org_id, role, email, display_name, password_hash)"
                       " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    [ST_USER_CREDENTIALS] = "SELECT id, password_hash FROM users WHERE email = ?1",
    [ST_SESSION_INSERT] = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    [ST_SESSION_PRINCIPAL] = "SELECT u.id, u.org_id, u.role, u.email, u.display_name, o.name, o.kind"
                             " FROM sessions s JOIN users u ON u.id = s.user_id"
                             " JOIN orgs o ON o.id = u.org_id"
                             " WHERE s.token_hash = ?1 AND s.expires_at > ?2",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
    [ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
    [ST_AUDIT] = "INSERT INTO audit_log(user_id, action, entity, entity_id, before, after)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_OPEN_D] = "SELECT " D_COLS " FROM demands l JOIN orgs o ON o.id = l.org_id WHERE l.status = 'open' ORDER BY l.id",
    [ST_OPEN_A] = "SELECT " A_COLS " FROM achievements l JOIN orgs o ON o.id = l.org_id WHERE l.status = 'open' ORDER BY l.id",
    [ST_CHANGED_D] = "SELECT " D_COLS " FROM demands l JOIN orgs o ON o.id = l.org_id"
                     " WHERE l.updated_at >= ?1 ORDER BY l.updated_at, l.id LIMIT ?2",
    [ST_CHANGED_A] = "SELECT " A_COLS " FROM achievements l JOIN orgs o ON o.id = l.org_id"
                     " WHERE l.updated_at >= ?1 ORDER BY l.updated_at, l.id LIMIT ?2",
    /* ?2 = 1: proposals too (the listing closed); 0: the matcher's own suggestions (it is re-matched) */
    [ST_WITHDRAW_D] = "UPDATE matches SET status = 'withdrawn', updated_at = " NOW
                      " WHERE demand_id = ?1 AND status = 'suggested' AND (?2 OR origin = 'matcher')",
    [ST_WITHDRAW_A] = "UPDATE matches SET status = 'withdrawn', updated_at = " NOW
                      " WHERE achievement_id = ?1 AND status = 'suggested' AND (?2 OR origin = 'matcher')",
    /* ?1 kind name, ?2 listing id: what the matcher still owes a pass (see store_queue_matching) */
    [ST_QUEUE_ADD] = "INSERT OR IGNORE INTO match_queue(kind, listing_id) VALUES (?1, ?2)",
    [ST_QUEUE_DONE] = "DELETE FROM match_queue WHERE kind = ?1 AND listing_id = ?2",
    [ST_QUEUE_LIST] = "SELECT listing_id FROM match_queue WHERE kind = ?1 ORDER BY listing_id",
    /* ?1..?6 as ST_MATCH_UPSERT, ?7 statement, ?8 proposer; a pair further along than suggested is left alone */
    [ST_PROPOSE] = "INSERT INTO matches(demand_id, achievement_id, score, k, f, explanation, origin, statement, proposed_by)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'proposal', ?7, ?8)"
                   " ON CONFLICT(demand_id, achievement_id) DO UPDATE SET origin = 'proposal', statement = excluded.statement,"
                   " proposed_by = excluded.proposed_by, score = excluded.score, k = excluded.k, f = excluded.f,"
                   " explanation = excluded.explanation, status = 'suggested', updated_at = " NOW
                   " WHERE matches.status IN ('suggested', 'withdrawn') RETURNING id",
    [ST_PAIR_ID] = "SELECT id FROM matches WHERE demand_id = ?1 AND achievement_id = ?2",
    [ST_STAFF_LIST] = "SELECT u.id, u.email, u.display_name, u.role, o.name FROM users u JOIN orgs o ON o.id = u.org_id"
                      " WHERE u.role IN ('broker', 'admin') ORDER BY u.id",
    [ST_STATS_ALL] = "SELECT '', " FUNNEL_SUMS " FROM matches m",
    [ST_STATS_FIELD] = "SELECT df.code, " FUNNEL_SUMS " FROM matches m JOIN demand_fields df ON df.demand_id = m.demand_id"
                       " GROUP BY df.code ORDER BY df.code",
    [ST_STATS_MONTH] = "SELECT substr(m.created_at, 1, 7), " FUNNEL_SUMS " FROM matches m GROUP BY 1 ORDER BY 1",
    [ST_STATS_REASONS] = "SELECT status, reason, count(*) FROM matches WHERE reason IS NOT NULL"
                         " AND status IN ('rejected', 'declined', 'closed') GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
    [ST_STATS_PUSH_HOURS] = "SELECT (julianday(min(m.pushed_at)) - julianday(d.created_at)) * 24 FROM matches m"
                            " JOIN demands d ON d.id = m.demand_id WHERE m.pushed_at IS NOT NULL GROUP BY d.id",
    [ST_STATS_WORKLOAD] = "SELECT u.id, u.display_name, count(m.id) FROM users u LEFT JOIN matches m ON m.assigned_to = u.id"
                          " AND m.status IN ('suggested', 'approved', 'pushed', 'viewed', 'interested', 'in_talks')"
                          " WHERE u.role = 'broker' GROUP BY u.id ORDER BY u.id",
 /* 0 approved, 1 rejected; the score's tenth (0..9); the count */
    [ST_STATS_SCORES] = "SELECT m.status = 'rejected', min(9, CAST(m.score * 10 AS INTEGER)), count(*) FROM matches m"
                        " WHERE m.status = 'rejected' OR " DID("'match.approve', 'match.auto_approve'") " GROUP BY 1, 2",
    [ST_STATS_DEALS] = "SELECT count(*), coalesce(sum(deal_amount), 0) FROM matches WHERE status = 'deal'",
    [ST_DECISIONS] = "SELECT a.at, a.action, json_extract(a.after, '$.status'), json_extract(a.after, '$.reason'),"
                     " json_extract(a.after, '$.reason_text'), m.origin, m.id, coalesce(a.user_id, 0), m.demand_id,"
                     " m.achievement_id, m.score, m.k, m.f FROM audit_log a JOIN matches m ON m.id = a.entity_id"
                     " WHERE a.entity = 'match' AND a.action IN ('match.approve', 'match.auto_approve', 'match.reject',"
                     " 'match.interested', 'match.declined', 'match.in_talks', 'match.deal', 'match.close') ORDER BY a.id",
    [ST_MATCH_UPSERT] = "INSERT INTO matches(demand_id, achievement_id, score, k, f, explanation)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                        " ON CONFLICT(demand_id, achievement_id) DO UPDATE SET score = excluded.score,"
                        " k = excluded.k, f = excluded.f, explanation = excluded.explanation,"
                        " status = CASE WHEN matches.status IN ('suggested', 'withdrawn') THEN 'suggested'"
                        " ELSE matches.status END, updated_at = " NOW " RETURNING id, status",
    /* ?1 status, ?2..?3 field range, ?4..?5 score range, ?6 days, ?7..?8 cursor, ?9 limit, ?10 demand, ?11 achievement */
    [ST_MATCH_LIST] = "SELECT " MATCH_COLS " FROM matches m"
                      " WHERE (?1 IS NULL OR m.status = ?1)"
                      " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM demand_fields df WHERE df.demand_id = m.demand_id"
                      " AND df.code >= ?2 AND df.code < ?3) OR EXISTS (SELECT 1 FROM achievement_fields af"
                      " WHERE af.achievement_id = m.achievement_id AND af.code >= ?2 AND af.code < ?3))"
                      " AND m.score >= ?4 AND m.score <= ?5"
                      " AND (?6 IS NULL OR m.created_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || ?6 || ' days'))"
                      " AND (?7 IS NULL OR m.score < ?7 OR (m.score = ?7 AND m.id < ?8))"
                      " AND (?10 IS NULL OR m.demand_id = ?10) AND (?11 IS NULL OR m.achievement_id = ?11)"
                      " AND (?12 IS NULL OR EXISTS (SELECT 1 FROM demands d WHERE d.id = m.demand_id"
                      " AND substr(d.region, 1, length(?12)) = ?12) OR EXISTS (SELECT 1 FROM achievements a"
                      " WHERE a.id = m.achievement_id AND substr(a.region, 1, length(?12)) = ?12))"
                      " AND (?13 IS NULL OR (?13 = 0 AND m.assigned_to IS NULL) OR m.assigned_to = ?13)"
                      " AND (?14 IS NULL OR m.origin = ?14)"
                      " ORDER BY m.score DESC, m.id DESC LIMIT ?9",
    [ST_MATCH_GET] = "SELECT " MATCH_COLS " FROM matches m WHERE m.id = ?1",
    /* ?1 id, ?2 status, ?3 reason, ?4 text, ?5 assigned, ?6 amount, ?7 mode, ?8 reviewer (or NULL) */
    [ST_MATCH_SAVE] = "UPDATE matches SET status = ?2, reason = ?3, reason_text = ?4, assigned_to = ?5, deal_amount = ?6,"
                      " transfer_mode = ?7, reviewed_by = coalesce(?8, reviewed_by),"
                      " reviewed_at = CASE WHEN ?8 IS NULL THEN reviewed_at ELSE " NOW " END,"
                      " introduced_at = CASE WHEN ?2 = 'in_talks' THEN coalesce(introduced_at, " NOW ") ELSE introduced_at END,"
                      " updated_at = " NOW " WHERE id = ?1",
    [ST_NOTE_INSERT] = "INSERT INTO match_notes(match_id, user_id, text) VALUES (?1, ?2, ?3) RETURNING id",
    [ST_NOTE_LIST] = "SELECT n.id, n.user_id, u.display_name, n.text, n.created_at FROM match_notes n"
                     " JOIN users u ON u.id = n.user_id WHERE n.match_id = ?1 ORDER BY n.id",
    [ST_HISTORY] = "SELECT a.at, coalesce(a.user_id, 0), coalesce(u.display_name, ''), a.action, a.before, a.after"
                   " FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                   " WHERE a.entity = 'match' AND a.entity_id = ?1 ORDER BY a.id",
    [ST_USER_ROLE] = "SELECT role FROM users WHERE id = ?1",
    [ST_MATCH_APPROVED] = "UPDATE matches SET status = 'approved', reviewed_by = ?2, reviewed_at = " NOW ","
                          " updated_at = " NOW " WHERE id = ?1 AND status = 'suggested'",
    [ST_MATCH_PUSHED] = "UPDATE matches SET status = 'pushed', pushed_at = " NOW ", updated_at = " NOW
                        " WHERE id = ?1 AND status = 'approved'",
    [ST_POLICY_GET] = "SELECT p.suggest_threshold, p.auto_approve_score, coalesce(p.updated_by, 0), p.updated_at,"
                      " coalesce(u.display_name, '') FROM policy p LEFT JOIN users u ON u.id = p.updated_by WHERE p.id = 1",
    [ST_POLICY_SET] = "UPDATE policy SET suggest_threshold = ?1, auto_approve_score = ?2, updated_by = ?3,"
                      " updated_at = " NOW " WHERE id = 1",
    [ST_SUB_GET] = "SELECT stream, webhook, min_score, mode FROM subscriptions WHERE org_id = ?1",
    [ST_SUB_SET] = "INSERT INTO subscriptions(org_id, stream, webhook, min_score, mode) VALUES (?1, ?2, ?3, ?4, ?5)"
                   " ON CONFLICT(org_id) DO UPDATE SET stream = excluded.stream, webhook = excluded.webhook,"
                   " min_score = excluded.min_score, mode = excluded.mode, updated_at = " NOW,
    [ST_NOTIF_INSERT] = "INSERT INTO notifications(org_id, type, payload) VALUES (?1, ?2, ?3) RETURNING id",
    [ST_NOTIF_LIST] = "SELECT id, org_id, type, payload, created_at, read_at IS NOT NULL FROM notifications"
                      " WHERE org_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    [ST_NOTIF_UNREAD] = "SELECT count(*) FROM notifications WHERE org_id = ?1 AND read_at IS NULL",
    [ST_NOTIF_READ] = "UPDATE notifications SET read_at = coalesce(read_at, " NOW ") WHERE id = ?1 AND org_id = ?2",
    [ST_NOTIF_LAST] = "SELECT coalesce(max(id), 0) FROM notifications",
    /* ?1: digests last sent at or before this (Unix seconds) are due */
    [ST_DIGEST_DUE] = "SELECT s.org_id, s.min_score FROM subscriptions s WHERE s.mode = 'digest' AND s.last_digest_at <= ?1"
                      " AND EXISTS (SELECT 1 FROM matches m JOIN demands d ON d.id = m.demand_id"
                      " WHERE d.org_id = s.org_id AND m.status = 'approved' AND m.score >= s.min_score)",
    [ST_DIGEST_MATCHES] = "SELECT m.id FROM matches m JOIN demands d ON d.id = m.demand_id WHERE d.org_id = ?1"
                          " AND m.status = 'approved' AND m.score >= ?2 ORDER BY m.score DESC, m.id LIMIT ?3",
    [ST_DIGEST_DONE] = "UPDATE subscriptions SET last_digest_at = ?2 WHERE org_id = ?1",
    /* ?1 notification id, ?2 payload, ?3 organisation */
    [ST_DELIV_FANOUT] = "INSERT INTO deliveries(webhook_id, notification_id, msg_id, payload)"
                        " SELECT w.id, ?1, 'msg_' || ?1, ?2 FROM webhooks w WHERE w.org_id = ?3"
                        " AND coalesce((SELECT webhook FROM subscriptions WHERE org_id = ?3), 1) = 1 ORDER BY w.id",
    [ST_WH_INSERT] = "INSERT INTO webhooks(org_id, url, description, secret) VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [ST_WH_LIST] = "SELECT id, org_id, url, description, status, disabled_reason, created_at, updated_at"
                   " FROM webhooks WHERE org_id = ?1 ORDER BY id",
    [ST_WH_GET] = "SELECT id, org_id, url, description, status, disabled_reason, created_at, updated_at"
                  " FROM webhooks WHERE org_id = ?1 AND id = ?2",
    [ST_WH_DELETE] = "DELETE FROM webhooks WHERE id = ?1 AND org_id = ?2",
    [ST_WH_SET_KEY] = "UPDATE webhooks SET secret = ?3, updated_at = " NOW " WHERE id = ?1 AND org_id = ?2",
    [ST_WH_SET_STATUS] = "UPDATE webhooks SET status = ?3, disabled_reason = NULL, updated_at = " NOW
                         " WHERE id = ?1 AND org_id = ?2",
    [ST_WH_DISABLE] = "UPDATE webhooks SET status = 'disabled', disabled_reason = ?2, updated_at = " NOW " WHERE id = ?1",
    [ST_PING_INSERT] = "INSERT INTO deliveries(webhook_id, msg_id, payload) VALUES (?1, 'msg_ping_' || lower(hex(randomblob(8))), ?2)"
                       " RETURNING id",
    [ST_DELIV_LIST] = "SELECT d.id, d.webhook_id, coalesce(d.notification_id, 0), d.msg_id, d.state, d.attempts,"
                      " d.next_attempt_at, d.created_at, d.updated_at FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                      " WHERE w.org_id = ?1 AND d.webhook_id = ?2 ORDER BY d.id DESC LIMIT ?3",
    [ST_ATTEMPT_LIST] = "SELECT attempted_at, coalesce(status_code, 0), error, duration_ms FROM delivery_attempts"
                        " WHERE delivery_id = ?1 ORDER BY id",
    [ST_DELIV_RESEND] = "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = 0, updated_at = " NOW
                        " WHERE id = ?1 AND webhook_id = (SELECT id FROM webhooks WHERE id = ?2 AND org_id = ?3)",
    /* the oldest pending delivery of each active endpoint, if due at ?1 (ms) */
    [ST_DUE] = "SELECT d.id, d.webhook_id, w.org_id, w.url, d.payload, d.msg_id, w.secret, d.attempts FROM webhooks w"
               " JOIN deliveries d ON d.id = (SELECT min(p.id) FROM deliveries p WHERE p.webhook_id = w.id AND p.state = 'pending')"
               " WHERE w.status = 'active' AND d.next_attempt_at <= ?1 ORDER BY d.id LIMIT ?2",
    [ST_ATTEMPT_INSERT] = "INSERT INTO delivery_attempts(delivery_id, status_code, error, duration_ms)"
                          " SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = ?1)",
    [ST_DELIV_UPDATE] = "UPDATE deliveries SET state = ?2, attempts = attempts + 1, next_attempt_at = ?3, updated_at = " NOW
                        " WHERE id = ?1",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};

/* ---------- connections ---------- */

typedef struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    struct conn *next_free;
    int notified;            /* the open write transaction wrote notifications */
    int queue_matching;      /* the writer: each listing write enters match_queue (store_queue_matching) */
} conn;

struct store {
    char *path;
    conn *writer;
    pthread_mutex_t write_lock;
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    conn *free_readers;
    conn *readers[MAX_READERS];
    size_t nreaders;
    int version;
    void (*notify)(void *ctx);   /* after a commit that wrote notifications */
    void *notify_ctx;
};

static void conn_close(conn *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("SQLite: %s (while running: %.80s)", msg ? msg : "?", sql);
        sqlite3_free(msg);
        return TM_ERR_DB;
    }
    return TM_OK;
}

static int conn_open(const char *path, int readonly, conn **out)
{
    conn *c = xcalloc(1, sizeof *c);
    int rc = sqlite3_open_v2(path, &c->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("cannot open database %s: %s", path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        conn_close(c);
        return TM_ERR_DB;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, 5000);
    if (exec_sql(c->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;") != TM_OK ||
        (readonly && exec_sql(c->db, "PRAGMA query_only = ON;") != TM_OK) ||
        store_fts_register(c->db) != TM_OK) {
        conn_close(c);
        return TM_ERR_DB;
    }
    *out = c;
    return TM_OK;
}

/* Returns the cached, reset statement id of connection c (preparing it the first time). */
static sqlite3_stmt *stmt(conn *c, enum stmt_id id)
{
    if (c->st[id] == NULL) {
        if (sqlite3_prepare_v3(c->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL) != SQLITE_OK) {
            log_error("SQLite cannot prepare statement %d: %s", (int)id, sqlite3_errmsg(c->db));
            return NULL;
        }
    }
    return c->st[id];
}

static void done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static int db_error(conn *c, const char *what)
{
    log_error("SQLite, %s: %s", what, sqlite3_errmsg(c->db));
    return TM_ERR_DB;
}

static conn *reader_acquire(store *s)
{
    conn *c = NULL;
    pthread_mutex_lock(&s->pool_lock);
    while (s->free_readers == NULL && s->nreaders >= MAX_READERS)
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    if (s->free_readers) {
        c = s->free_readers;
        s->free_readers = c->next_free;
    } else if (conn_open(s->path, 1, &c) == TM_OK) {
        s->readers[s->nreaders++] = c;
    }
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

static void reader_release(store *s, conn *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&s->pool_lock);
    c->next_free = s->free_readers;
    s->free_readers = c;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_lock);
}

/* Takes the writer and opens a write transaction.  NULL if BEGIN failed. */
static conn *write_begin(store *s)
{
    pthread_mutex_lock(&s->write_lock);
    conn *c = s->writer;
    sqlite3_stmt *st = stmt(c, ST_BEGIN);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    done(st);
    if (rc != SQLITE_DONE) {
        db_error(c, "begin");
        pthread_mutex_unlock(&s->write_lock);
        return NULL;
    }
    c->notified = 0;
    return c;
}

/* Commits when status is TM_OK, else rolls back; releases the writer. Returns the final status. */
static int write_end(store *s, conn *c, int status)
{
    sqlite3_stmt *st = stmt(c, status == TM_OK ? ST_COMMIT : ST_ROLLBACK);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    done(st);
    if (rc != SQLITE_DONE) {
        db_error(c, status == TM_OK ? "commit" : "rollback");
        if (status == TM_OK) {
            exec_sql(c->db, "ROLLBACK");
            status = TM_ERR_DB;
        }
    }
    int wake = status == TM_OK && c->notified;
    pthread_mutex_unlock(&s->write_lock);
    if (wake && s->notify)
        s->notify(s->notify_ctx);
    return status;
}

void store_set_notify_hook(store *s, void (*hook)(void *ctx), void *ctx)
{
    s->notify = hook;
    s->notify_ctx = ctx;
}

/* ---------- migrations and taxonomy seed ---------- */

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int migrate(sqlite3 *db, int *version)
{
    int v = user_version(db);
    int known = 0;
    while (embedded_migrations[known].name)
        known++;
    if (v < 0)
        return TM_ERR_DB;
    if (v > known) {
        log_error("the database has schema version %d but this techmatch knows %d migrations; use a newer techmatch",
                  v, known);
        return TM_ERR_DB;
    }
    for (int i = v; i < known; i++) {
        const struct embedded_migration *m = &embedded_migrations[i];
        /* PRAGMA takes no bound parameters; the number is ours, never user input. */
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", i + 1);
        char *msg = NULL;
        if (exec_sql(db, "BEGIN IMMEDIATE") != TM_OK)
            return TM_ERR_DB;
        if (sqlite3_exec(db, m->sql, NULL, NULL, &msg) != SQLITE_OK || exec_sql(db, bump) != TM_OK) {
            log_error("migration schema/%s failed: %s; rolled back, the database is still at version %d",
                      m->name, msg ? msg : sqlite3_errmsg(db), i);
            sqlite3_free(msg);
            exec_sql(db, "ROLLBACK");
            return TM_ERR_DB;
        }
        if (exec_sql(db, "COMMIT") != TM_OK)
            return TM_ERR_DB;
        log_info("applied migration schema/%s", m->name);
    }
    *version = known;
    return TM_OK;
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int seed_taxonomy(store *s)
{
    taxonomy *t = NULL;
    char msg[200];
    int status = TM_OK;

    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_FIELDS_COUNT);
    if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
        done(st);
        return write_end(s, c, db_error(c, "count fields"));
    }
    int have = sqlite3_column_int(st, 0);
    done(st);
    if (have > 0)
        return write_end(s, c, TM_OK);
    if (taxonomy_parse_tsv(embedded_taxonomy_tsv, &t, msg, sizeof msg) != TM_OK) {
        log_error("built-in taxonomy: %s", msg);
        return write_end(s, c, TM_ERR_INTERNAL);
    }
    st = stmt(c, ST_FIELD_INSERT);
    for (size_t i = 0; st && i < taxonomy_count(t) && status == TM_OK; i++) {
        const tax_field *f = taxonomy_at(t, i);
        bind_text_or_null(st, 1, f->code);
        bind_text_or_null(st, 2, f->parent);
        sqlite3_bind_int(st, 3, f->level);
        bind_text_or_null(st, 4, f->name_zh);
        bind_text_or_null(st, 5, f->name_en);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = db_error(c, "insert field");
        done(st);
    }
    if (st == NULL)
        status = TM_ERR_DB;
    if (status == TM_OK)
        log_info("loaded the GB/T 4754-2017 taxonomy (%zu fields)", taxonomy_count(t));
    taxonomy_free(t);
    return write_end(s, c, status);
}

int store_open(const char *path, store **out)
{
    store *s = xcalloc(1, sizeof *s);
    int status;

    *out = NULL;
    s->path = xstrdup(path);
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    status = conn_open(path, 0, &s->writer);
    if (status == TM_OK) {
        /* WAL is a property of the file; setting it once on the writer is enough. */
        status = exec_sql(s->writer->db, "PRAGMA journal_mode = WAL;");
    }
    if (status == TM_OK)
        status = migrate(s->writer->db, &s->version);
    if (status == TM_OK)
        status = seed_taxonomy(s);
    if (status != TM_OK) {
        store_close(s);
        return status;
    }
    *out = s;
    return TM_OK;
}

void store_remove_files(const char *path)
{
    char side[4096 + 8];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nreaders; i++)
        conn_close(s->readers[i]);
    conn_close(s->writer);
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_cond_destroy(&s->pool_cond);
    free(s->path);
    free(s);
}

int store_schema_version(store *s)
{
    return s->version;
}

int store_ping(store *s)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_PING);
    int status = (st && sqlite3_step(st) == SQLITE_ROW) ? TM_OK : db_error(c, "ping");
    done(st);
    reader_release(s, c);
    return status;
}

int store_fields_load(store *s, taxonomy **out)
{
    taxonomy *t = taxonomy_new();
    int status = TM_OK;
    conn *c = reader_acquire(s);
    if (c == NULL) {
        taxonomy_free(t);
        return TM_ERR_DB;
    }
    sqlite3_stmt *st = stmt(c, ST_FIELDS_ALL);
    int rc;
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        tax_field f = {
            (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            sqlite3_column_int(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4)
        };
        if (taxonomy_add(t, &f) != TM_OK) {
            log_error("the fields table has a bad row: %s", f.code ? f.code : "(null)");
            status = TM_ERR_INVALID;
            break;
        }
    }
    if (st == NULL || (status == TM_OK && rc != SQLITE_DONE))
        status = db_error(c, "load fields");
    done(st);
    reader_release(s, c);
    if (status != TM_OK) {
        taxonomy_free(t);
        t = NULL;
    }
    *out = t;
    return status;
}

/* ---------- accounts ---------- */

static void copy_col(char *dst, size_t len, sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    snprintf(dst, len, "%s", v ? v : "");
}

/*
 * Steps a bound statement that yields one id (a SELECT of it, or an INSERT ...
 * RETURNING id) and resets it.  TM_OK with *id, TM_ERR_NOT_FOUND when there is
 * no row, TM_ERR_CONFLICT on a unique constraint, else TM_ERR_DB (logged as what).
 */
static int step_id(conn *c, sqlite3_stmt *st, int64_t *id, const char *what)
{
    int rc = sqlite3_step(st);
    int status = TM_OK;
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        status = TM_ERR_NOT_FOUND;
    else if (rc == SQLITE_CONSTRAINT_UNIQUE)
        status = TM_ERR_CONFLICT;
    else
        status = db_error(c, what);
    done(st);
    return status;
}

/* Inserts an org; returns TM_ERR_CONFLICT if the name exists. */
static int org_insert(conn *c, const char *kind, const char *name, int64_t *id)
{
    sqlite3_stmt *st = stmt(c, ST_ORG_INSERT);
    if (st == NULL)
        return TM_ERR_DB;
    bind_text_or_null(st, 1, kind);
    bind_text_or_null(st, 2, name);
    return step_id(c, st, id, "insert org");
}

static int user_insert(conn *c, int64_t org_id, const char *role, const char *email,
                       const char *display_name, const char *hash, int64_t *id)
{
    sqlite3_stmt *st = stmt(c, ST_USER_INSERT);
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, org_id);
    bind_text_or_null(st, 2, role);
    bind_text_or_null(st, 3, email);
    bind_text_or_null(st, 4, display_name);
    bind_text_or_null(st, 5, hash);
    return step_id(c, st, id, "insert user");
}

int store_register(store *s, const char *org_name, const char *org_kind, const char *email,
                   const char *display_name, const char *password_hash, principal *out,
                   const char **conflict)
{
    int64_t org_id = 0, user_id = 0;
    *conflict = NULL;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_insert(c, org_kind, org_name, &org_id);
    if (status == TM_ERR_CONFLICT)
        *conflict = "org_name";
    if (status == TM_OK) {
        status = user_insert(c, org_id, org_kind, email, display_name, password_hash, &user_id);
        if (status == TM_ERR_CONFLICT)
            *conflict = "email";
    }
    status = write_end(s, c, status);
    if (status == TM_OK) {
        memset(out, 0, sizeof *out);
        out->user_id = user_id;
        out->org_id = org_id;
        snprintf(out->role, sizeof out->role, "%s", org_kind);
        snprintf(out->org_kind, sizeof out->org_kind, "%s", org_kind);
        snprintf(out->email, sizeof out->email, "%s", email);
        snprintf(out->display_name, sizeof out->display_name, "%s", display_name);
        snprintf(out->org_name, sizeof out->org_name, "%s", org_name);
    }
    return status;
}

static int org_find(conn *c, const char *name, int64_t *id, char *kind)
{
    sqlite3_stmt *st = stmt(c, ST_ORG_FIND);
    if (st == NULL)
        return TM_ERR_DB;
    bind_text_or_null(st, 1, name);
    int rc = sqlite3_step(st);
    int status = TM_OK;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        copy_col(kind, 16, st, 1);
    } else if (rc == SQLITE_DONE) {
        status = TM_ERR_NOT_FOUND;
    } else {
        status = db_error(c, "find org");
    }
    done(st);
    return status;
}

int store_user_add(store *s, const char *email, const char *role, const char *org_name,
                   const char *display_name, const char *password_hash, int64_t *user_id)
{
    int64_t org_id = 0;
    char kind[16] = "";
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, org_name, &org_id, kind);
    if (status == TM_ERR_NOT_FOUND)
        status = org_insert(c, "broker_agency", org_name, &org_id);
    else if (status == TM_OK && strcmp(kind, "broker_agency") != 0)
        status = TM_ERR_INVALID;
    if (status == TM_OK)
        status = user_insert(c, org_id, role, email, display_name, password_hash, user_id);
    return write_end(s, c, status);
}

int store_user_credentials(store *s, const char *email, int64_t *user_id, char *hash, size_t hashlen)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_USER_CREDENTIALS);
    int status = TM_ERR_DB;
    if (st) {
        bind_text_or_null(st, 1, email);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *user_id = sqlite3_column_int64(st, 0);
            copy_col(hash, hashlen, st, 1);
            status = TM_OK;
        } else if (rc == SQLITE_DONE) {
            status = TM_ERR_NOT_FOUND;
        } else {
            status = db_error(c, "user credentials");
        }
    }
    done(st);
    reader_release(s, c);
    return status;
}

int store_session_create(store *s, const unsigned char *token_hash, size_t hash_len,
                         int64_t user_id, int64_t now, int64_t expires_at)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = TM_OK;
    sqlite3_stmt *st = stmt(c, ST_SESSION_PURGE);
    if (st == NULL)
        status = TM_ERR_DB;
    else {
        sqlite3_bind_int64(st, 1, now);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = db_error(c, "purge sessions");
        done(st);
    }
    st = status == TM_OK ? stmt(c, ST_SESSION_INSERT) : NULL;
    if (st) {
        sqlite3_bind_blob(st, 1, token_hash, (int)hash_len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_int64(st, 3, now);
        sqlite3_bind_int64(st, 4, expires_at);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = db_error(c, "insert session");
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    return write_end(s, c, status);
}

int store_session_principal(store *s, const unsigned char *token_hash, size_t hash_len,
                            int64_t now, principal *out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_SESSION_PRINCIPAL);
    int status = TM_ERR_DB;
    if (st) {
        sqlite3_bind_blob(st, 1, token_hash, (int)hash_len, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            out->user_id = sqlite3_column_int64(st, 0);
            out->org_id = sqlite3_column_int64(st, 1);
            copy_col(out->role, sizeof out->role, st, 2);
            copy_col(out->email, sizeof out->email, st, 3);
            copy_col(out->display_name, sizeof out->display_name, st, 4);
            copy_col(out->org_name, sizeof out->org_name, st, 5);
            copy_col(out->org_kind, sizeof out->org_kind, st, 6);
            status = TM_OK;
        } else if (rc == SQLITE_DONE) {
            status = TM_ERR_NOT_FOUND;
        } else {
            status = db_error(c, "session lookup");
        }
    }
    done(st);
    reader_release(s, c);
    return status;
}

int store_session_delete(store *s, const unsigned char *token_hash, size_t hash_len)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_SESSION_DELETE);
    int status = TM_ERR_DB;
    if (st) {
        sqlite3_bind_blob(st, 1, token_hash, (int)hash_len, SQLITE_TRANSIENT);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "delete session");
    }
    done(st);
    return write_end(s, c, status);
}

/* ---------- organisations ---------- */

int store_org_find(store *s, const char *name, int64_t *id, char *kind)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, name, id, kind);
    reader_release(s, c);
    return status;
}

int store_org_ensure(store *s, const char *name, const char *kind, int64_t *id)
{
    char have[16] = "";
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = org_find(c, name, id, have);
    if (status == TM_ERR_NOT_FOUND)
        status = org_insert(c, kind, name, id);
    else if (status == TM_OK && strcmp(have, kind) != 0)
        status = TM_ERR_CONFLICT;
    return write_end(s, c, status);
}

/* ---------- listings ---------- */

static void strlist_from_json_text(strlist *dst, const char *text)
{
    cJSON *a = text ? cJSON_Parse(text) : NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, a) {
        if (cJSON_IsString(item))
            strlist_push(dst, item->valuestring);
    }
    cJSON_Delete(a);
}

static char *col_dup(sqlite3_stmt *st, int col)
{
    const char *v = (const char *)sqlite3_column_text(st, col);
    return v ? xstrdup(v) : NULL;
}

static int64_t col_money(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? LISTING_NO_MONEY : sqlite3_column_int64(st, col);
}

/* Reads a row of D_COLS / A_COLS. */
static listing *row_to_listing(listing_kind kind, sqlite3_stmt *st)
{
    listing *l = listing_new(kind);
    l->id = sqlite3_column_int64(st, 0);
    l->org_id = sqlite3_column_int64(st, 1);
    l->org_name = col_dup(st, 2);
    l->ref = col_dup(st, 3);
    free(l->title);
    l->title = col_dup(st, 4);
    free(l->body);
    l->body = col_dup(st, 5);
    strlist_from_json_text(&l->keywords, (const char *)sqlite3_column_text(st, 6));
    strlist_from_json_text(&l->fields, (const char *)sqlite3_column_text(st, 7));
    free(l->region);
    l->region = col_dup(st, 8);
    strlist_from_json_text(&l->modes, (const char *)sqlite3_column_text(st, 9));
    free(l->contact);
    l->contact = col_dup(st, 10);
    free(l->status);
    l->status = col_dup(st, 11);
    l->created_at = col_dup(st, 12);
    l->updated_at = col_dup(st, 13);
    l->budget_min = col_money(st, 14);
    l->budget_max = col_money(st, 15);
    l->deadline = col_dup(st, 16);
    l->trl = sqlite3_column_type(st, 17) == SQLITE_NULL ? LISTING_NO_TRL : sqlite3_column_int(st, 17);
    l->ip_type = col_dup(st, 18);
    free(l->patent_no);
    l->patent_no = col_dup(st, 19);
    l->price = col_money(st, 20);
    return l;
}

static void bind_list(sqlite3_stmt *st, int i, const strlist *s)
{
    cJSON *a = strlist_to_json(s);
    char *text = json_print(a);
    cJSON_Delete(a);
    /* SQLite takes ownership and frees with free(). */
    sqlite3_bind_text(st, i, text, -1, free);
}

static void bind_money(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == LISTING_NO_MONEY)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

/* Binds ?2..?13 of ST_INSERT_* (after org_id) or ST_UPDATE_* (after id); same order. */
static void bind_members(sqlite3_stmt *st, const listing *l)
{
    bind_text_or_null(st, 2, l->ref);
    bind_text_or_null(st, 3, l->title);
    bind_text_or_null(st, 4, l->body);
    bind_list(st, 5, &l->keywords);
    bind_list(st, 6, &l->fields);
    bind_text_or_null(st, 7, l->region);
    bind_list(st, 8, &l->modes);
    bind_text_or_null(st, 9, l->contact);
    if (l->kind == LISTING_DEMAND) {
        bind_money(st, 10, l->budget_min);
        bind_money(st, 11, l->budget_max);
        bind_text_or_null(st, 12, l->deadline);
    } else {
        if (l->trl == LISTING_NO_TRL)
            sqlite3_bind_null(st, 10);
        else
            sqlite3_bind_int(st, 10, l->trl);
        bind_text_or_null(st, 11, l->ip_type);
        bind_text_or_null(st, 12, l->patent_no);
        bind_money(st, 13, l->price);
    }
}

/* One audit_log row; before and after are JSON values (borrowed, may be NULL). */
static int audit_row(conn *c, int64_t user_id, const char *action, const char *entity, int64_t entity_id,
                     const cJSON *before, const cJSON *after)
{
    sqlite3_stmt *st = stmt(c, ST_AUDIT);
    if (st == NULL)
        return TM_ERR_DB;
    if (user_id > 0)
        sqlite3_bind_int64(st, 1, user_id);
    else
        sqlite3_bind_null(st, 1);
    bind_text_or_null(st, 2, action);
    bind_text_or_null(st, 3, entity);
    sqlite3_bind_int64(st, 4, entity_id);
    for (int i = 0; i < 2; i++) {
        const cJSON *x = i == 0 ? before : after;
        if (x == NULL)
            sqlite3_bind_null(st, 5 + i);
        else
            sqlite3_bind_text(st, 5 + i, json_print(x), -1, free);
    }
    int status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "audit");
    done(st);
    return status;
}

/* Grows *v (of elem bytes each) to hold one more; returns the new slot, zeroed. */
static void *push_slot(void **v, size_t *n, size_t *cap, size_t elem)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = xrealloc(*v, *cap * elem);
    }
    void *slot = (char *)*v + (*n)++ * elem;
    memset(slot, 0, elem);
    return slot;
}

/* Enters (add) or takes out a listing of match_queue, in the open write transaction. */
static int queue_in(conn *c, listing_kind kind, int64_t id, int add)
{
    sqlite3_stmt *st = stmt(c, add ? ST_QUEUE_ADD : ST_QUEUE_DONE);
    if (st == NULL)
        return TM_ERR_DB;
    bind_text_or_null(st, 1, listing_kind_name(kind));
    sqlite3_bind_int64(st, 2, id);
    int status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "match queue");
    done(st);
    return status;
}

/*
 * Every write of a listing passes here: its audit row, and (when the server
 * queues matching) its place in match_queue, in the write's own transaction.
 */
static int audit(conn *c, int64_t user_id, const char *action, const listing *before, const listing *after)
{
    const listing *l = after ? after : before;
    cJSON *b = before ? listing_to_json(before, 1) : NULL;
    cJSON *a = after ? listing_to_json(after, 1) : NULL;
    int status = audit_row(c, user_id, action, listing_kind_name(l->kind), l->id, b, a);
    cJSON_Delete(b);
    cJSON_Delete(a);
    if (status == TM_OK && c->queue_matching)
        status = queue_in(c, l->kind, l->id, 1);
    return status;
}

static int get_in(conn *c, listing_kind kind, int64_t id, listing **out)
{
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_GET_D + kind));
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    int status = TM_OK;
    *out = NULL;
    if (rc == SQLITE_ROW)
        *out = row_to_listing(kind, st);
    else if (rc == SQLITE_DONE)
        status = TM_ERR_NOT_FOUND;
    else
        status = db_error(c, "get listing");
    done(st);
    return status;
}

static int insert_in(conn *c, listing *l, int64_t actor)
{
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_INSERT_D + l->kind));
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, l->org_id);
    bind_members(st, l);
    int rc = sqlite3_step(st);
    int status = TM_OK;
    if (rc == SQLITE_ROW) {
        l->id = sqlite3_column_int64(st, 0);
        free(l->created_at);
        free(l->updated_at);
        l->created_at = col_dup(st, 1);
        l->updated_at = col_dup(st, 2);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        status = rc == SQLITE_CONSTRAINT_UNIQUE ? TM_ERR_CONFLICT : db_error(c, "insert listing");
    done(st);
    if (status == TM_OK)
        status = audit(c, actor, "create", NULL, l);
    return status;
}

static int update_in(conn *c, listing *l, int64_t actor)
{
    listing *before = NULL;
    int status = get_in(c, l->kind, l->id, &before);
    if (status != TM_OK)
        return status;
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_UPDATE_D + l->kind));
    if (st == NULL) {
        listing_free(before);
        return TM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, l->id);
    bind_members(st, l);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        free(l->updated_at);
        l->updated_at = col_dup(st, 0);
        rc = sqlite3_step(st);
    }
    if (rc != SQLITE_DONE)
        status = rc == SQLITE_CONSTRAINT_UNIQUE ? TM_ERR_CONFLICT : db_error(c, "update listing");
    done(st);
    if (status == TM_OK)
        status = audit(c, actor, "update", before, l);
    listing_free(before);
    return status;
}

int store_listing_create(store *s, listing *l, int64_t actor_user_id)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    return write_end(s, c, insert_in(c, l, actor_user_id));
}

int store_listing_get(store *s, listing_kind kind, int64_t id, listing **out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = get_in(c, kind, id, out);
    reader_release(s, c);
    return status;
}

int store_listing_edit(store *s, listing_kind kind, int64_t id, int64_t actor_user_id,
                       listing_edit_fn edit, void *ctx, listing **out)
{
    listing *l = NULL;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = get_in(c, kind, id, &l);
    if (status == TM_OK)
        status = edit(ctx, l);
    if (status == TM_OK)
        status = update_in(c, l, actor_user_id);
    status = write_end(s, c, status);
    if (status == TM_OK && out)
        *out = l;
    else
        listing_free(l);
    return status;
}

int store_listing_set_status(store *s, listing_kind kind, int64_t id, int64_t org_id, const char *status_value,
                             int64_t actor_user_id, listing **out)
{
    listing *before = NULL, *after = NULL;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = get_in(c, kind, id, &before);
    if (status == TM_OK && before->org_id != org_id)
        status = TM_ERR_FORBIDDEN;
    int change = status == TM_OK && strcmp(before->status, status_value) != 0;
    sqlite3_stmt *st = change ? stmt(c, (enum stmt_id)(ST_STATUS_D + kind)) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        bind_text_or_null(st, 2, status_value);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = db_error(c, "set status");
        done(st);
    } else if (change) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK && change)
        status = get_in(c, kind, id, &after);
    if (status == TM_OK && change)
        status = audit(c, actor_user_id, status_value, before, after);
    status = write_end(s, c, status);
    if (status == TM_OK && out) { /* the listing as stored: as it was when nothing changed */
        *out = change ? after : before;
        if (change)
            after = NULL;
        else
            before = NULL;
    }
    listing_free(before);
    listing_free(after);
    return status;
}

void store_page_cleanup(listing_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        listing_free(p->items[i]);
    free(p->items);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

/* Parses a cursor: "<id>" for recency lists, "s<offset>" for search. Returns 1 if valid. */
static int parse_cursor(const char *cursor, int search, int64_t *value)
{
    const char *p = cursor;
    char *end = NULL;
    if (search) {
        if (*p != 's')
            return 0;
        p++;
    }
    if (*p < '0' || *p > '9')
        return 0;
    long long v = strtoll(p, &end, 10);
    if (*end != '\0' || v < 0 || v > (1LL << 53))
        return 0;
    *value = v;
    return 1;
}

static void bind_filters(sqlite3_stmt *st, const listing_filter *f, char *upper, size_t upper_len)
{
    if (f->field_prefix && f->field_prefix[0]) {
        size_t n = strlen(f->field_prefix);
        snprintf(upper, upper_len, "%s", f->field_prefix);
        if (n < upper_len)
            upper[n - 1] = (char)(upper[n - 1] + 1);
        bind_text_or_null(st, 1, f->field_prefix);
        bind_text_or_null(st, 2, upper);
    }
    if (f->region && f->region[0])
        bind_text_or_null(st, 3, f->region);
    if (f->status)
        bind_text_or_null(st, 4, f->status);
    if (f->org_id > 0)
        sqlite3_bind_int64(st, 5, f->org_id);
}

int store_listing_list(store *s, listing_kind kind, const listing_filter *f, listing_page *out)
{
    int search = f->q != NULL;
    int64_t cursor = 0;
    char upper[32];
    char *fts = NULL;

    memset(out, 0, sizeof *out);
    if (f->cursor && !parse_cursor(f->cursor, search, &cursor))
        return TM_ERR_INVALID;
    if (search) {
        fts = store_fts_query(f->q);
        if (fts == NULL)
            return TM_OK; /* nothing searchable: an empty page */
    }
    conn *c = reader_acquire(s);
    if (c == NULL) {
        free(fts);
        return TM_ERR_DB;
    }
    sqlite3_stmt *st = stmt(c, (enum stmt_id)((search ? ST_SEARCH_D : ST_LIST_D) + kind));
    int status = TM_OK;
    if (st == NULL) {
        reader_release(s, c);
        free(fts);
        return TM_ERR_DB;
    }
    bind_filters(st, f, upper, sizeof upper);
    /* One extra row tells whether there is a next page. */
    sqlite3_bind_int64(st, 7, (int64_t)f->limit + 1);
    if (search) {
        sqlite3_bind_text(st, 6, fts, -1, SQLITE_STATIC); /* fts outlives the step loop */
        sqlite3_bind_int64(st, 8, cursor);
    } else if (f->cursor) {
        sqlite3_bind_int64(st, 6, cursor);
    }
    out->items = xcalloc(f->limit + 1, sizeof *out->items);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == f->limit) {
            char buf[32];
            if (search)
                snprintf(buf, sizeof buf, "s%lld", (long long)(cursor + (int64_t)f->limit));
            else
                snprintf(buf, sizeof buf, "%lld", (long long)out->items[out->n - 1]->id);
            out->next_cursor = xstrdup(buf);
            rc = SQLITE_DONE;
            break;
        }
        out->items[out->n++] = row_to_listing(kind, st);
    }
    if (rc != SQLITE_DONE)
        status = db_error(c, "list listings");
    done(st);
    reader_release(s, c);
    free(fts);
    if (status != TM_OK)
        store_page_cleanup(out);
    return status;
}

static int find_by_ref(conn *c, listing_kind kind, int64_t org_id, const char *ref, int64_t *id)
{
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_BY_REF_D + kind));
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, org_id);
    bind_text_or_null(st, 2, ref);
    return step_id(c, st, id, "find by ref");
}

int store_listing_import(store *s, listing_kind kind, int64_t org_id, size_t n,
                         const char *const *refs, int64_t actor_user_id,
                         import_apply_fn apply, void *apply_ctx,
                         int64_t *ids, import_action *actions,
                         void (*progress)(void *ctx, size_t done), void *progress_ctx)
{
    conn *c = write_begin(s);
    int status = TM_OK;
    if (c == NULL)
        return TM_ERR_DB;
    for (size_t i = 0; i < n && status == TM_OK; i++) {
        int64_t existing = 0;
        listing *l = NULL;
        ids[i] = 0;
        actions[i] = IMPORT_SKIPPED;
        status = refs[i] ? find_by_ref(c, kind, org_id, refs[i], &existing) : TM_ERR_NOT_FOUND;
        if (status == TM_OK) {
            status = get_in(c, kind, existing, &l);
        } else if (status == TM_ERR_NOT_FOUND) {
            l = listing_new(kind);
            l->org_id = org_id;
            status = TM_OK;
        }
        if (status == TM_OK && apply(apply_ctx, i, l) == TM_OK) {
            status = existing ? update_in(c, l, actor_user_id) : insert_in(c, l, actor_user_id);
            ids[i] = l->id;
            actions[i] = existing ? IMPORT_UPDATED : IMPORT_CREATED;
        }
        listing_free(l);
        if (progress)
            progress(progress_ctx, i + 1);
    }
    return write_end(s, c, status);
}

/* ---------- matching ---------- */

int store_listing_each_open(store *s, listing_kind kind, int (*fn)(void *ctx, const listing *l), void *ctx)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_OPEN_D + kind));
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    while (status == TM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        listing *l = row_to_listing(kind, st);
        status = fn(ctx, l);
        listing_free(l);
    }
    if (status == TM_OK && rc != SQLITE_DONE)
        status = db_error(c, "open listings");
    done(st);
    reader_release(s, c);
    return status;
}

int store_listing_changed_since(store *s, listing_kind kind, const char *since, size_t limit, listing_page *out)
{
    memset(out, 0, sizeof *out);
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_CHANGED_D + kind));
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    if (st) {
        bind_text_or_null(st, 1, since);
        sqlite3_bind_int64(st, 2, (int64_t)limit);
        out->items = xcalloc(limit ? limit : 1, sizeof *out->items);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < limit)
            out->items[out->n++] = row_to_listing(kind, st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            status = db_error(c, "changed listings");
    }
    done(st);
    reader_release(s, c);
    if (status != TM_OK)
        store_page_cleanup(out);
    return status;
}

static int policy_in(conn *c, policy *out)
{
    sqlite3_stmt *st = stmt(c, ST_POLICY_GET);
    int status = TM_ERR_DB;
    memset(out, 0, sizeof *out);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        out->suggest_threshold = sqlite3_column_double(st, 0);
        out->auto_approve = sqlite3_column_type(st, 1) != SQLITE_NULL;
        out->auto_approve_score = out->auto_approve ? sqlite3_column_double(st, 1) : 0;
        out->updated_by = sqlite3_column_int64(st, 2);
        copy_col(out->updated_at, sizeof out->updated_at, st, 3);
        copy_col(out->updated_by_name, sizeof out->updated_by_name, st, 4);
        status = TM_OK;
    } else {
        db_error(c, "policy");
    }
    done(st);
    return status;
}

int store_policy_get(store *s, policy *out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = policy_in(c, out);
    reader_release(s, c);
    return status;
}

cJSON *store_policy_json(const policy *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "suggest_threshold", p->suggest_threshold);
    if (p->auto_approve)
        cJSON_AddNumberToObject(o, "auto_approve_score", p->auto_approve_score);
    else
        cJSON_AddNullToObject(o, "auto_approve_score");
    return o;
}

int store_policy_set(store *s, const policy *p, int64_t actor_user_id)
{
    policy before;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = policy_in(c, &before);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, ST_POLICY_SET) : NULL;
    if (st) {
        sqlite3_bind_double(st, 1, p->suggest_threshold);
        if (p->auto_approve)
            sqlite3_bind_double(st, 2, p->auto_approve_score);
        if (actor_user_id > 0)
            sqlite3_bind_int64(st, 3, actor_user_id);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "set policy");
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK) {
        cJSON *b = store_policy_json(&before), *a = store_policy_json(p);
        status = audit_row(c, actor_user_id, "policy.update", "policy", 1, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    return write_end(s, c, status);
}

static int withdraw_in(conn *c, listing_kind kind, int64_t id, int proposals_too)
{
    sqlite3_stmt *st = stmt(c, (enum stmt_id)(ST_WITHDRAW_D + kind));
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, proposals_too);
    int status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "withdraw matches");
    done(st);
    return status;
}

void match_cleanup(match *m)
{
    free(m->explanation);
    free(m->status);
    free(m->origin);
    free(m->created_at);
    free(m->updated_at);
    free(m->reason);
    free(m->reason_text);
    free(m->transfer_mode);
    free(m->statement);
    free(m->introduced_at);
    memset(m, 0, sizeof *m);
}

static char *col_dup_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL : col_dup(st, col);
}

/* Reads the MATCH_COLS columns into m. */
static void row_to_match(sqlite3_stmt *st, match *m)
{
    m->id = sqlite3_column_int64(st, 0);
    m->demand_id = sqlite3_column_int64(st, 1);
    m->achievement_id = sqlite3_column_int64(st, 2);
    m->score = sqlite3_column_double(st, 3);
    m->k = sqlite3_column_double(st, 4);
    m->f = sqlite3_column_double(st, 5);
    m->explanation = col_dup(st, 6);
    m->status = col_dup(st, 7);
    m->origin = col_dup(st, 8);
    m->created_at = col_dup(st, 9);
    m->updated_at = col_dup(st, 10);
    m->reason = col_dup_or_null(st, 11);
    m->reason_text = col_dup_or_null(st, 12);
    m->assigned_to = sqlite3_column_int64(st, 13);
    m->deal_amount = sqlite3_column_int64(st, 14);
    m->transfer_mode = col_dup_or_null(st, 15);
    m->statement = col_dup_or_null(st, 16);
    m->introduced_at = col_dup_or_null(st, 17);
}

static int match_get_in(conn *c, int64_t id, match *out)
{
    sqlite3_stmt *st = stmt(c, ST_MATCH_GET);
    if (st == NULL)
        return TM_ERR_DB;
    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), status = TM_OK;
    if (rc == SQLITE_ROW)
        row_to_match(st, out);
    else
        status = rc == SQLITE_DONE ? TM_ERR_NOT_FOUND : db_error(c, "get match");
    done(st);
    return status;
}

/* Runs a statement whose ?1 is an id (and ?2, when not 0, a second one) to completion. */
static int exec_ids(conn *c, enum stmt_id id, int64_t a, int64_t b, const char *what)
{
    sqlite3_stmt *st = stmt(c, id);
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, a);
    if (b != 0)
        sqlite3_bind_int64(st, 2, b);
    int status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, what);
    done(st);
    return status;
}

static int subscription_in(conn *c, int64_t org_id, subscription *out)
{
    sqlite3_stmt *st = stmt(c, ST_SUB_GET);
    if (st == NULL)
        return TM_ERR_DB;
    *out = (subscription){ 1, 1, 0.0, 0 };
    sqlite3_bind_int64(st, 1, org_id);
    int rc = sqlite3_step(st), status = TM_OK;
    if (rc == SQLITE_ROW) {
        out->stream = sqlite3_column_int(st, 0);
        out->webhook = sqlite3_column_int(st, 1);
        out->min_score = sqlite3_column_double(st, 2);
        out->digest = strcmp((const char *)sqlite3_column_text(st, 3), "digest") == 0;
    } else if (rc != SQLITE_DONE) {
        status = db_error(c, "get subscription");
    }
    done(st);
    return status;
}

/* Writes one notification to the outbox; the commit then wakes the live channels. */
static int notification_insert(conn *c, int64_t org_id, const char *type, const char *payload, int64_t *id)
{
    sqlite3_stmt *st = stmt(c, ST_NOTIF_INSERT);
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, org_id);
    bind_text_or_null(st, 2, type);
    bind_text_or_null(st, 3, payload);
    int status = step_id(c, st, id, "insert notification");
    st = status == TM_OK ? stmt(c, ST_DELIV_FANOUT) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, *id);
        bind_text_or_null(st, 2, payload);
        sqlite3_bind_int64(st, 3, org_id);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "queue deliveries");
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK)
        c->notified = 1;
    return status;
}

/*
 * Pushes the approved matches ms[0..n) of one organisation's demands: one
 * notification (built by payload) and every match becomes pushed.
 */
static int push_in(conn *c, int64_t org_id, const match *ms, size_t n, push_payload_fn payload, void *ctx,
                   int64_t *notification_id)
{
    listing **d = xcalloc(n, sizeof *d), **a = xcalloc(n, sizeof *a);
    int status = TM_OK;
    for (size_t i = 0; i < n && status == TM_OK; i++) {
        status = get_in(c, LISTING_DEMAND, ms[i].demand_id, &d[i]);
        if (status == TM_OK)
            status = get_in(c, LISTING_ACHIEVEMENT, ms[i].achievement_id, &a[i]);
    }
    const char *type = NULL;
    char *body = status == TM_OK ? payload(ctx, ms, (const listing *const *)d, (const listing *const *)a, n, &type)
                                 : NULL;
    if (status == TM_OK && body == NULL)
        status = TM_ERR_INTERNAL;
    if (status == TM_OK)
        status = notification_insert(c, org_id, type, body, notification_id);
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = exec_ids(c, ST_MATCH_PUSHED, ms[i].id, 0, "mark pushed");
    free(body);
    for (size_t i = 0; i < n; i++) {
        listing_free(d[i]);
        listing_free(a[i]);
    }
    free(d);
    free(a);
    return status;
}

/* Approves suggestion m (read in this transaction) and pushes it when its organisation takes it now. */
static int approve_in(conn *c, match *m, int64_t actor, push_payload_fn payload, void *ctx, int64_t *nid)
{
    listing *d = NULL;
    subscription sub;
    *nid = 0;
    int status = exec_ids(c, ST_MATCH_APPROVED, m->id, actor, "approve match");
    if (status == TM_OK)
        status = get_in(c, LISTING_DEMAND, m->demand_id, &d);
    if (status == TM_OK)
        status = subscription_in(c, d->org_id, &sub);
    if (status == TM_OK && !sub.digest && m->score >= sub.min_score)
        status = push_in(c, d->org_id, m, 1, payload, ctx, nid);
    if (status == TM_OK) {
        cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "status", "suggested");
        cJSON_AddStringToObject(a, "status", *nid ? "pushed" : "approved");
        status = audit_row(c, actor, actor > 0 ? "match.approve" : "match.auto_approve", "match", m->id, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    if (status == TM_OK) {
        free(m->status);
        m->status = xstrdup(*nid ? "pushed" : "approved");
    }
    listing_free(d);
    return status;
}

int store_matches_record(store *s, listing_kind kind, int64_t id, const match_row *rows, size_t n,
                         push_payload_fn payload, void *payload_ctx)
{
    policy pol;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = withdraw_in(c, kind, id, 0);
    if (status == TM_OK)
        status = queue_in(c, kind, id, 0);
    if (status == TM_OK)
        status = policy_in(c, &pol);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, ST_MATCH_UPSERT) : NULL;
    if (st == NULL && status == TM_OK)
        status = TM_ERR_DB;
    for (size_t i = 0; st && i < n && status == TM_OK; i++) {
        sqlite3_bind_int64(st, 1, rows[i].demand_id);
        sqlite3_bind_int64(st, 2, rows[i].achievement_id);
        sqlite3_bind_double(st, 3, rows[i].score);
        sqlite3_bind_double(st, 4, rows[i].k);
        sqlite3_bind_double(st, 5, rows[i].f);
        bind_text_or_null(st, 6, rows[i].explanation);
        int64_t match_id = 0;
        int suggested = 0;
        if (sqlite3_step(st) == SQLITE_ROW) {
            match_id = sqlite3_column_int64(st, 0);
            suggested = strcmp((const char *)sqlite3_column_text(st, 1), "suggested") == 0;
        } else {
            status = db_error(c, "record match");
        }
        done(st);
        if (status == TM_OK && suggested && pol.auto_approve && rows[i].score >= pol.auto_approve_score) {
            match m;
            int64_t nid;
            status = match_get_in(c, match_id, &m);
            if (status == TM_OK)
                status = approve_in(c, &m, 0, payload, payload_ctx, &nid);
            match_cleanup(&m);
        }
    }
    return write_end(s, c, status);
}

int store_match_approve(store *s, int64_t id, int64_t actor_user_id, push_payload_fn payload, void *payload_ctx,
                        match *out, int64_t *notification_id)
{
    *notification_id = 0;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = match_get_in(c, id, out);
    if (status == TM_OK && strcmp(out->status, "suggested") != 0)
        status = TM_ERR_CONFLICT;
    if (status == TM_OK)
        status = approve_in(c, out, actor_user_id, payload, payload_ctx, notification_id);
    status = write_end(s, c, status);
    if (status != TM_OK && status != TM_ERR_CONFLICT)
        match_cleanup(out);
    return status;
}

/* ---------- push: subscriptions, digests and the outbox ---------- */

int store_subscription_get(store *s, int64_t org_id, subscription *out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = subscription_in(c, org_id, out);
    reader_release(s, c);
    return status;
}

static cJSON *subscription_json(const subscription *sub)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "stream", sub->stream);
    cJSON_AddBoolToObject(o, "webhook", sub->webhook);
    cJSON_AddNumberToObject(o, "min_score", sub->min_score);
    cJSON_AddStringToObject(o, "mode", sub->digest ? "digest" : "realtime");
    return o;
}

int store_subscription_set(store *s, int64_t org_id, const subscription *sub, int64_t actor_user_id)
{
    subscription before;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = subscription_in(c, org_id, &before);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, ST_SUB_SET) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, org_id);
        sqlite3_bind_int(st, 2, sub->stream ? 1 : 0);
        sqlite3_bind_int(st, 3, sub->webhook ? 1 : 0);
        sqlite3_bind_double(st, 4, sub->min_score);
        bind_text_or_null(st, 5, sub->digest ? "digest" : "realtime");
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "set subscription");
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK) {
        cJSON *b = subscription_json(&before), *a = subscription_json(sub);
        status = audit_row(c, actor_user_id, "subscription.update", "org", org_id, b, a);
        cJSON_Delete(b);
        cJSON_Delete(a);
    }
    return write_end(s, c, status);
}

/* Sends one organisation's digest (its approved matches waiting, best first). */
static int digest_one(store *s, int64_t org_id, double min_score, int64_t now, push_payload_fn payload, void *ctx,
                      size_t *sent)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_DIGEST_MATCHES);
    int status = st ? TM_OK : TM_ERR_DB;
    match *ms = xcalloc(LIM_DIGEST_MATCHES, sizeof *ms);
    int64_t *ids = xcalloc(LIM_DIGEST_MATCHES, sizeof *ids);
    size_t n = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, org_id);
        sqlite3_bind_double(st, 2, min_score);
        sqlite3_bind_int(st, 3, LIM_DIGEST_MATCHES);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ids[n++] = sqlite3_column_int64(st, 0);
        if (rc != SQLITE_DONE)
            status = db_error(c, "digest matches");
        done(st);
    }
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = match_get_in(c, ids[i], &ms[i]);
    int64_t nid = 0;
    if (status == TM_OK && n > 0)
        status = push_in(c, org_id, ms, n, payload, ctx, &nid);
    if (status == TM_OK)
        status = exec_ids(c, ST_DIGEST_DONE, org_id, now, "digest sent");
    for (size_t i = 0; i < n; i++)
        match_cleanup(&ms[i]);
    free(ms);
    free(ids);
    status = write_end(s, c, status);
    if (status == TM_OK && n > 0)
        (*sent)++;
    return status;
}

int store_digests_run(store *s, int64_t now, int64_t period, push_payload_fn payload, void *payload_ctx,
                      size_t *sent)
{
    *sent = 0;
    int64_t orgs[64];
    double mins[64];
    size_t n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_DIGEST_DUE);
    int status = st ? TM_OK : TM_ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, now - period);
        int rc;
        while (n < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            orgs[n] = sqlite3_column_int64(st, 0);
            mins[n] = sqlite3_column_double(st, 1);
            n++;
        }
        if (n < 64 && rc != SQLITE_DONE)
            status = db_error(c, "digests due");
        done(st);
    }
    reader_release(s, c);
    /* At most 64 organisations a run; the next run takes the rest. */
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = digest_one(s, orgs[i], mins[i], now, payload, payload_ctx, sent);
    return status;
}

void store_notification_page_cleanup(notification_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->items[i].payload);
    free(p->items);
    memset(p, 0, sizeof *p);
}

int store_notifications_list(store *s, int64_t org_id, int64_t after, size_t limit, notification_page *out)
{
    memset(out, 0, sizeof *out);
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_NOTIF_LIST);
    if (st == NULL) {
        reader_release(s, c);
        return TM_ERR_DB;
    }
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int64(st, 3, (int64_t)limit + 1);
    out->items = xcalloc(limit + 1, sizeof *out->items);
    int rc, status = TM_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == limit) {
            out->more = 1;
            rc = SQLITE_DONE;
            break;
        }
        notification *x = &out->items[out->n++];
        x->id = sqlite3_column_int64(st, 0);
        x->org_id = sqlite3_column_int64(st, 1);
        copy_col(x->type, sizeof x->type, st, 2);
        x->payload = col_dup(st, 3);
        copy_col(x->created_at, sizeof x->created_at, st, 4);
        x->read = sqlite3_column_int(st, 5);
    }
    if (rc != SQLITE_DONE)
        status = db_error(c, "list notifications");
    done(st);
    reader_release(s, c);
    if (status != TM_OK)
        store_notification_page_cleanup(out);
    return status;
}

/* Reads one integer from a statement whose ?1 is a (when not 0). */
static int read_int(store *s, enum stmt_id id, int64_t a, int64_t *out, const char *what)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, id);
    int status = TM_ERR_DB;
    if (st) {
        if (a != 0)
            sqlite3_bind_int64(st, 1, a);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            status = TM_OK;
        } else {
            status = db_error(c, what);
        }
        done(st);
    }
    reader_release(s, c);
    return status;
}

int store_notifications_unread(store *s, int64_t org_id, int64_t *count)
{
    return read_int(s, ST_NOTIF_UNREAD, org_id, count, "unread notifications");
}

int store_notifications_last_id(store *s, int64_t *id)
{
    return read_int(s, ST_NOTIF_LAST, 0, id, "last notification");
}

int store_notification_read(store *s, int64_t org_id, int64_t id)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = exec_ids(c, ST_NOTIF_READ, id, org_id, "read notification");
    if (status == TM_OK && sqlite3_changes(c->db) == 0)
        status = TM_ERR_NOT_FOUND;
    return write_end(s, c, status);
}

int store_matches_withdraw(store *s, listing_kind kind, int64_t id)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = withdraw_in(c, kind, id, 1);
    if (status == TM_OK)
        status = queue_in(c, kind, id, 0);
    return write_end(s, c, status);
}

void store_queue_matching(store *s)
{
    pthread_mutex_lock(&s->write_lock);
    s->writer->queue_matching = 1;
    pthread_mutex_unlock(&s->write_lock);
}

int store_match_queue(store *s, listing_kind kind, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_QUEUE_LIST);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    if (st) {
        bind_text_or_null(st, 1, listing_kind_name(kind));
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            *(int64_t *)push_slot((void **)ids, n, &cap, sizeof **ids) = sqlite3_column_int64(st, 0);
        if (rc != SQLITE_DONE)
            status = db_error(c, "match queue");
        done(st);
    }
    reader_release(s, c);
    return status;
}

void store_match_page_cleanup(match_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        match_cleanup(&p->items[i]);
    free(p->items);
    free(p->next_cursor);
    memset(p, 0, sizeof *p);
}

int store_match_list(store *s, const match_filter *f, match_page *out)
{
    double cur_score = 0;
    long long cur_id = 0;
    char upper[32];
    memset(out, 0, sizeof *out);
    if (f->cursor) {
        char *end = NULL;
        cur_score = strtod(f->cursor, &end);
        if (end == f->cursor || *end != ':')
            return TM_ERR_INVALID;
        char *idp = end + 1;
        cur_id = strtoll(idp, &end, 10);
        if (end == idp || *end != '\0' || cur_id <= 0)
            return TM_ERR_INVALID;
    }
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_MATCH_LIST);
    if (st == NULL) {
        reader_release(s, c);
        return TM_ERR_DB;
    }
    if (f->status)
        bind_text_or_null(st, 1, f->status);
    if (f->field_prefix && f->field_prefix[0]) {
        size_t n = strlen(f->field_prefix);
        snprintf(upper, sizeof upper, "%s", f->field_prefix);
        if (n < sizeof upper)
            upper[n - 1] = (char)(upper[n - 1] + 1);
        bind_text_or_null(st, 2, f->field_prefix);
        bind_text_or_null(st, 3, upper);
    }
    sqlite3_bind_double(st, 4, f->min_score);
    sqlite3_bind_double(st, 5, f->max_score);
    if (f->max_age_days > 0)
        sqlite3_bind_int(st, 6, f->max_age_days);
    if (f->cursor) {
        sqlite3_bind_double(st, 7, cur_score);
        sqlite3_bind_int64(st, 8, cur_id);
    }
    sqlite3_bind_int64(st, 9, (int64_t)f->limit + 1);
    if (f->demand_id > 0)
        sqlite3_bind_int64(st, 10, f->demand_id);
    if (f->achievement_id > 0)
        sqlite3_bind_int64(st, 11, f->achievement_id);
    if (f->region_prefix && f->region_prefix[0])
        bind_text_or_null(st, 12, f->region_prefix);
    if (f->assigned_to >= 0)
        sqlite3_bind_int64(st, 13, f->assigned_to);
    if (f->origin)
        bind_text_or_null(st, 14, f->origin);
    out->items = xcalloc(f->limit + 1, sizeof *out->items);
    int rc, status = TM_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == f->limit) {
            char buf[64];
            const match *last = &out->items[out->n - 1];
            snprintf(buf, sizeof buf, "%.17g:%lld", last->score, (long long)last->id);
            out->next_cursor = xstrdup(buf);
            rc = SQLITE_DONE;
            break;
        }
        row_to_match(st, &out->items[out->n++]);
    }
    if (rc != SQLITE_DONE)
        status = db_error(c, "list matches");
    done(st);
    reader_release(s, c);
    if (status != TM_OK)
        store_match_page_cleanup(out);
    return status;
}

/* ---------- webhooks ---------- */



void webhook_cleanup(webhook *w)
{
    free(w->url);
    free(w->description);
    free(w->disabled_reason);
    memset(w, 0, sizeof *w);
}

/* Reads columns 0..7 of ST_WH_LIST / ST_WH_GET. */
static void row_to_webhook(sqlite3_stmt *st, webhook *w)
{
    w->id = sqlite3_column_int64(st, 0);
    w->org_id = sqlite3_column_int64(st, 1);
    w->url = col_dup(st, 2);
    w->description = col_dup(st, 3);
    copy_col(w->status, sizeof w->status, st, 4);
    w->disabled_reason = sqlite3_column_type(st, 5) == SQLITE_NULL ? NULL : col_dup(st, 5);
    copy_col(w->created_at, sizeof w->created_at, st, 6);
    copy_col(w->updated_at, sizeof w->updated_at, st, 7);
}

static int webhook_get_in(conn *c, int64_t org_id, int64_t id, webhook *out)
{
    sqlite3_stmt *st = stmt(c, ST_WH_GET);
    if (st == NULL)
        return TM_ERR_DB;
    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st), status = TM_OK;
    if (rc == SQLITE_ROW)
        row_to_webhook(st, out);
    else
        status = rc == SQLITE_DONE ? TM_ERR_NOT_FOUND : db_error(c, "get webhook");
    done(st);
    return status;
}

/* An audit row for an endpoint: after holds its url and status (never the secret). */
static int audit_webhook(conn *c, int64_t actor, const char *action, const webhook *w)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "url", w->url ? w->url : "");
    cJSON_AddStringToObject(a, "status", w->status);
    int status = audit_row(c, actor, action, "webhook", w->id, NULL, a);
    cJSON_Delete(a);
    return status;
}

int store_webhook_create(store *s, int64_t org_id, const char *url, const char *description,
                         const unsigned char *key, size_t key_len, int64_t actor_user_id, webhook *out)
{
    int64_t id = 0;
    memset(out, 0, sizeof *out);
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_WH_INSERT);
    int status = st ? TM_OK : TM_ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, org_id);
        bind_text_or_null(st, 2, url);
        bind_text_or_null(st, 3, description ? description : "");
        sqlite3_bind_blob(st, 4, key, (int)key_len, SQLITE_TRANSIENT);
        status = step_id(c, st, &id, "insert webhook");
    }
    if (status == TM_OK)
        status = webhook_get_in(c, org_id, id, out);
    if (status == TM_OK)
        status = audit_webhook(c, actor_user_id, "webhook.create", out);
    status = write_end(s, c, status);
    if (status != TM_OK)
        webhook_cleanup(out);
    return status;
}

int store_webhook_list(store *s, int64_t org_id, webhook **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_WH_LIST);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    size_t cap = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, org_id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            row_to_webhook(st, push_slot((void **)out, n, &cap, sizeof **out));
        }
        if (rc != SQLITE_DONE)
            status = db_error(c, "list webhooks");
        done(st);
    }
    reader_release(s, c);
    return status;
}

int store_webhook_get(store *s, int64_t org_id, int64_t id, webhook *out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, out);
    reader_release(s, c);
    return status;
}

/* Runs a change to one of the organisation's endpoints; TM_ERR_NOT_FOUND when it changed nothing. */
static int webhook_change(store *s, int64_t org_id, int64_t id, int64_t actor, const char *action,
                          enum stmt_id which, const char *text, const unsigned char *blob, size_t blob_len)
{
    webhook w;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, &w);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, which) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, org_id);
        if (text)
            bind_text_or_null(st, 3, text);
        if (blob)
            sqlite3_bind_blob(st, 3, blob, (int)blob_len, SQLITE_TRANSIENT);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, action);
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK) {
        if (text)
            snprintf(w.status, sizeof w.status, "%s", text);
        status = audit_webhook(c, actor, action, &w);
    }
    webhook_cleanup(&w);
    return write_end(s, c, status);
}

int store_webhook_delete(store *s, int64_t org_id, int64_t id, int64_t actor_user_id)
{
    return webhook_change(s, org_id, id, actor_user_id, "webhook.delete", ST_WH_DELETE, NULL, NULL, 0);
}

int store_webhook_set_key(store *s, int64_t org_id, int64_t id, const unsigned char *key, size_t key_len,
                          int64_t actor_user_id)
{
    return webhook_change(s, org_id, id, actor_user_id, "webhook.rotate", ST_WH_SET_KEY, NULL, key, key_len);
}

int store_webhook_set_status(store *s, int64_t org_id, int64_t id, const char *status_value, int64_t actor_user_id)
{
    int rc = webhook_change(s, org_id, id, actor_user_id, "webhook.status", ST_WH_SET_STATUS, status_value, NULL, 0);
    if (rc == TM_OK && s->notify)
        s->notify(s->notify_ctx); /* a resumed endpoint has deliveries waiting */
    return rc;
}

int store_webhook_ping(store *s, int64_t org_id, int64_t id, const char *payload, int64_t *delivery_id)
{
    webhook w;
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = webhook_get_in(c, org_id, id, &w);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, ST_PING_INSERT) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        bind_text_or_null(st, 2, payload);
        status = step_id(c, st, delivery_id, "queue ping");
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK)
        c->notified = 1; /* wakes the sender */
    webhook_cleanup(&w);
    return write_end(s, c, status);
}

void store_deliveries_free(delivery *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d[i].ntries; k++)
            free(d[i].tries[k].error);
        free(d[i].tries);
    }
    free(d);
}

static int attempts_in(conn *c, delivery *d)
{
    sqlite3_stmt *st = stmt(c, ST_ATTEMPT_LIST);
    if (st == NULL)
        return TM_ERR_DB;
    size_t cap = 0;
    int rc;
    sqlite3_bind_int64(st, 1, d->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        delivery_attempt *a = push_slot((void **)&d->tries, &d->ntries, &cap, sizeof *a);
        copy_col(a->attempted_at, sizeof a->attempted_at, st, 0);
        a->status_code = sqlite3_column_int(st, 1);
        a->error = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : col_dup(st, 2);
        a->duration_ms = sqlite3_column_int64(st, 3);
    }
    int status = rc == SQLITE_DONE ? TM_OK : db_error(c, "list attempts");
    done(st);
    return status;
}

int store_deliveries_list(store *s, int64_t org_id, int64_t webhook_id, size_t limit, delivery **out, size_t *n)
{
    *out = xcalloc(limit ? limit : 1, sizeof **out);
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL) {
        free(*out);
        *out = NULL;
        return TM_ERR_DB;
    }
    sqlite3_stmt *st = stmt(c, ST_DELIV_LIST);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    if (st) {
        sqlite3_bind_int64(st, 1, org_id);
        sqlite3_bind_int64(st, 2, webhook_id);
        sqlite3_bind_int64(st, 3, (int64_t)limit);
        while (*n < limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            delivery *d = &(*out)[(*n)++];
            d->id = sqlite3_column_int64(st, 0);
            d->webhook_id = sqlite3_column_int64(st, 1);
            d->notification_id = sqlite3_column_int64(st, 2);
            copy_col(d->msg_id, sizeof d->msg_id, st, 3);
            copy_col(d->state, sizeof d->state, st, 4);
            d->attempts = sqlite3_column_int(st, 5);
            d->next_attempt_at = sqlite3_column_int64(st, 6);
            copy_col(d->created_at, sizeof d->created_at, st, 7);
            copy_col(d->updated_at, sizeof d->updated_at, st, 8);
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            status = db_error(c, "list deliveries");
        done(st);
    }
    for (size_t i = 0; i < *n && status == TM_OK; i++)
        status = attempts_in(c, &(*out)[i]);
    reader_release(s, c);
    if (status != TM_OK) {
        store_deliveries_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return status;
}

int store_delivery_resend(store *s, int64_t org_id, int64_t webhook_id, int64_t delivery_id)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_DELIV_RESEND);
    int status = st ? TM_OK : TM_ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, delivery_id);
        sqlite3_bind_int64(st, 2, webhook_id);
        sqlite3_bind_int64(st, 3, org_id);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "resend delivery");
        if (status == TM_OK && sqlite3_changes(c->db) == 0)
            status = TM_ERR_NOT_FOUND;
        done(st);
    }
    if (status == TM_OK)
        c->notified = 1; /* wakes the sender */
    return write_end(s, c, status);
}

void store_due_free(due_delivery *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].url);
        free(d[i].payload);
        sodium_memzero(d[i].key, sizeof d[i].key);
    }
    free(d);
}

int store_deliveries_due(store *s, int64_t now_ms, size_t max, due_delivery **out, size_t *n)
{
    *out = xcalloc(max ? max : 1, sizeof **out);
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_DUE);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    if (st) {
        sqlite3_bind_int64(st, 1, now_ms);
        sqlite3_bind_int64(st, 2, (int64_t)max);
        while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            due_delivery *d = &(*out)[(*n)++];
            d->id = sqlite3_column_int64(st, 0);
            d->webhook_id = sqlite3_column_int64(st, 1);
            d->org_id = sqlite3_column_int64(st, 2);
            d->url = col_dup(st, 3);
            d->payload = col_dup(st, 4);
            copy_col(d->msg_id, sizeof d->msg_id, st, 5);
            int len = sqlite3_column_bytes(st, 6);
            d->key_len = len > 0 && (size_t)len <= sizeof d->key ? (size_t)len : 0;
            if (d->key_len)
                memcpy(d->key, sqlite3_column_blob(st, 6), d->key_len);
            d->attempts = sqlite3_column_int(st, 7);
        }
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            status = db_error(c, "deliveries due");
        done(st);
    }
    reader_release(s, c);
    return status;
}

static int delivery_result_in(conn *c, const due_delivery *d, const attempt_result *r)
{
    sqlite3_stmt *st = stmt(c, ST_ATTEMPT_INSERT);
    int status = st ? TM_OK : TM_ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, d->id);
        if (r->status_code > 0)
            sqlite3_bind_int(st, 2, r->status_code);
        bind_text_or_null(st, 3, r->error);
        sqlite3_bind_int64(st, 4, r->duration_ms);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "record attempt");
        done(st);
    }
    st = status == TM_OK ? stmt(c, ST_DELIV_UPDATE) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, d->id);
        bind_text_or_null(st, 2, r->delivered ? "succeeded" : r->retry_at_ms > 0 ? "pending" : "failed");
        sqlite3_bind_int64(st, 3, r->retry_at_ms);
        status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "update delivery");
        done(st);
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK && r->disable_reason) {
        st = stmt(c, ST_WH_DISABLE);
        if (st) {
            sqlite3_bind_int64(st, 1, d->webhook_id);
            bind_text_or_null(st, 2, r->disable_reason);
            status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "disable webhook");
            done(st);
        } else {
            status = TM_ERR_DB;
        }
        int64_t nid = 0;
        if (status == TM_OK && sqlite3_changes(c->db) > 0 && r->disabled_event)
            status = notification_insert(c, d->org_id, "webhook.disabled", r->disabled_event, &nid);
    }
    return status;
}

int store_delivery_results(store *s, const due_delivery *const *d, const attempt_result *r, size_t n)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = TM_OK;
    for (size_t i = 0; i < n && status == TM_OK; i++)
        status = delivery_result_in(c, d[i], &r[i]);
    return write_end(s, c, status);
}

/* ---------- the pipeline ---------- */

int store_match_get(store *s, int64_t id, match *out)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = match_get_in(c, id, out);
    reader_release(s, c);
    return status;
}

/* The decision state of a match, as its audit rows record it. */
static cJSON *match_state_json(const match *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", m->status ? m->status : "");
    json_add_string_or_null(o, "reason", m->reason);
    json_add_string_or_null(o, "reason_text", m->reason_text);
    if (m->assigned_to > 0)
        json_add_int(o, "assigned_to", m->assigned_to);
    if (m->deal_amount >= 0)
        json_add_int(o, "deal_amount", m->deal_amount);
    if (m->transfer_mode)
        cJSON_AddStringToObject(o, "transfer_mode", m->transfer_mode);
    return o;
}

static int match_save_in(conn *c, const match *m, int64_t reviewer)
{
    sqlite3_stmt *st = stmt(c, ST_MATCH_SAVE);
    if (st == NULL)
        return TM_ERR_DB;
    sqlite3_bind_int64(st, 1, m->id);
    bind_text_or_null(st, 2, m->status);
    bind_text_or_null(st, 3, m->reason);
    bind_text_or_null(st, 4, m->reason_text);
    if (m->assigned_to > 0)
        sqlite3_bind_int64(st, 5, m->assigned_to);
    if (m->deal_amount >= 0)
        sqlite3_bind_int64(st, 6, m->deal_amount);
    bind_text_or_null(st, 7, m->transfer_mode);
    if (reviewer > 0)
        sqlite3_bind_int64(st, 8, reviewer);
    int status = sqlite3_step(st) == SQLITE_DONE ? TM_OK : db_error(c, "save match");
    done(st);
    return status;
}

int store_match_edit(store *s, int64_t id, int64_t actor_user_id, const char *action, int review,
                     match_edit_fn edit, void *ctx, match *out)
{
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = match_get_in(c, id, out);
    cJSON *before = status == TM_OK ? match_state_json(out) : NULL;
    if (status == TM_OK)
        status = edit(ctx, out);
    if (status == TM_OK)
        status = match_save_in(c, out, review ? actor_user_id : 0);
    if (status == TM_OK) {
        cJSON *after = match_state_json(out);
        status = audit_row(c, actor_user_id, action, "match", id, before, after);
        cJSON_Delete(after);
    }
    cJSON_Delete(before);
    int rc = write_end(s, c, status);
    if (rc != TM_OK && rc == status) {
        /* The edit refused (or the store failed): answer the match as it still is. */
        match_cleanup(out);
        if (rc != TM_ERR_NOT_FOUND && store_match_get(s, id, out) != TM_OK)
            memset(out, 0, sizeof *out);
    }
    return rc;
}

int store_user_role(store *s, int64_t user_id, char *role)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_USER_ROLE);
    int status = st ? TM_OK : TM_ERR_DB;
    role[0] = '\0';
    if (st) {
        sqlite3_bind_int64(st, 1, user_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            copy_col(role, 16, st, 0);
        else if (rc != SQLITE_DONE)
            status = db_error(c, "user role");
        done(st);
    }
    reader_release(s, c);
    return status;
}

int store_match_note_add(store *s, int64_t match_id, int64_t user_id, const char *text, int64_t *note_id)
{
    match m = { 0 };
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = match_get_in(c, match_id, &m);
    sqlite3_stmt *st = status == TM_OK ? stmt(c, ST_NOTE_INSERT) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, match_id);
        sqlite3_bind_int64(st, 2, user_id);
        bind_text_or_null(st, 3, text);
        status = step_id(c, st, note_id, "insert note");
    } else if (status == TM_OK) {
        status = TM_ERR_DB;
    }
    if (status == TM_OK) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "note", text);
        status = audit_row(c, user_id, "match.note", "match", match_id, NULL, a);
        cJSON_Delete(a);
    }
    if (m.id)
        match_cleanup(&m);
    return write_end(s, c, status);
}

void store_match_notes_free(match_note *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].author);
        free(v[i].text);
    }
    free(v);
}

int store_match_notes(store *s, int64_t match_id, match_note **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_NOTE_LIST);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    size_t cap = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, match_id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            match_note *x = push_slot((void **)out, n, &cap, sizeof *x);
            x->id = sqlite3_column_int64(st, 0);
            x->user_id = sqlite3_column_int64(st, 1);
            x->author = col_dup(st, 2);
            x->text = col_dup(st, 3);
            copy_col(x->created_at, sizeof x->created_at, st, 4);
        }
        if (rc != SQLITE_DONE)
            status = db_error(c, "list notes");
        done(st);
    }
    reader_release(s, c);
    return status;
}

void store_history_free(history_item *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].who);
        free(v[i].before);
        free(v[i].after);
    }
    free(v);
}

int store_match_history(store *s, int64_t match_id, history_item **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_HISTORY);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    size_t cap = 0;
    if (st) {
        sqlite3_bind_int64(st, 1, match_id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            history_item *x = push_slot((void **)out, n, &cap, sizeof *x);
            copy_col(x->at, sizeof x->at, st, 0);
            x->user_id = sqlite3_column_int64(st, 1);
            x->who = col_dup(st, 2);
            copy_col(x->action, sizeof x->action, st, 3);
            x->before = col_dup_or_null(st, 4);
            x->after = col_dup_or_null(st, 5);
        }
        if (rc != SQLITE_DONE)
            status = db_error(c, "match history");
        done(st);
    }
    reader_release(s, c);
    return status;
}

int store_match_propose(store *s, const match_row *pair, const char *statement, int64_t actor_user_id, match *out)
{
    int64_t id = 0;
    memset(out, 0, sizeof *out);
    conn *c = write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_PROPOSE);
    int status = st ? TM_OK : TM_ERR_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, pair->demand_id);
        sqlite3_bind_int64(st, 2, pair->achievement_id);
        sqlite3_bind_double(st, 3, pair->score);
        sqlite3_bind_double(st, 4, pair->k);
        sqlite3_bind_double(st, 5, pair->f);
        bind_text_or_null(st, 6, pair->explanation);
        bind_text_or_null(st, 7, statement);
        sqlite3_bind_int64(st, 8, actor_user_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
        else if (rc != SQLITE_DONE)
            status = db_error(c, "propose");
        done(st);
    }
    if (status == TM_OK && id == 0) {
        /* The pair exists further along than a suggestion: say what it is. */
        st = stmt(c, ST_PAIR_ID);
        if (st) {
            sqlite3_bind_int64(st, 1, pair->demand_id);
            sqlite3_bind_int64(st, 2, pair->achievement_id);
            if (sqlite3_step(st) == SQLITE_ROW)
                id = sqlite3_column_int64(st, 0);
            done(st);
        }
        status = id > 0 && match_get_in(c, id, out) == TM_OK ? TM_ERR_CONFLICT : TM_ERR_DB;
    } else if (status == TM_OK) {
        status = match_get_in(c, id, out);
        if (status == TM_OK) {
            cJSON *a = match_state_json(out);
            cJSON_AddStringToObject(a, "statement", statement);
            status = audit_row(c, actor_user_id, "match.propose", "match", id, NULL, a);
            cJSON_Delete(a);
        }
    }
    int rc = write_end(s, c, status);
    if (rc != TM_OK && rc != TM_ERR_CONFLICT)
        match_cleanup(out);
    return rc;
}

/* ---------- statistics ---------- */

void store_stats_cleanup(stats *st)
{
    free(st->by_field);
    free(st->by_month);
    free(st->reasons);
    free(st->workload);
    free(st->hours_to_push);
    memset(st, 0, sizeof *st);
}

/* Runs a funnel query; each row goes to *rows (grown), or to *one when rows is NULL. */
static int funnel_rows(conn *c, enum stmt_id id, funnel_row **rows, size_t *n, funnel_row *one)
{
    sqlite3_stmt *st = stmt(c, id);
    if (st == NULL)
        return TM_ERR_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        funnel_row *f = rows ? push_slot((void **)rows, n, &cap, sizeof **rows) : one;
        copy_col(f->key, sizeof f->key, st, 0);
        for (int k = 0; k < FUNNEL_STAGES; k++)
            f->n[k] = sqlite3_column_int64(st, 1 + k);
    }
    int status = rc == SQLITE_DONE ? TM_OK : db_error(c, "funnel");
    done(st);
    return status;
}

static int stats_rest(conn *c, stats *out)
{
    size_t cap = 0;
    int rc, status = TM_OK;
    sqlite3_stmt *st = stmt(c, ST_STATS_REASONS);
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        count_row *x = push_slot((void **)&out->reasons, &out->nreasons, &cap, sizeof *x);
        copy_col(x->kind, sizeof x->kind, st, 0);
        copy_col(x->reason, sizeof x->reason, st, 1);
        x->n = sqlite3_column_int64(st, 2);
    }
    done(st);
    cap = 0;
    st = stmt(c, ST_STATS_PUSH_HOURS);
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        double *h = push_slot((void **)&out->hours_to_push, &out->npushed, &cap, sizeof *h);
        *h = sqlite3_column_double(st, 0);
    }
    done(st);
    cap = 0;
    st = stmt(c, ST_STATS_WORKLOAD);
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        workload_row *x = push_slot((void **)&out->workload, &out->nworkload, &cap, sizeof *x);
        x->user_id = sqlite3_column_int64(st, 0);
        copy_col(x->name, sizeof x->name, st, 1);
        x->open = sqlite3_column_int64(st, 2);
    }
    done(st);
    st = stmt(c, ST_STATS_SCORES);
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int tenth = sqlite3_column_int(st, 1);
        if (tenth < 0 || tenth > 9)
            continue;
        if (sqlite3_column_int(st, 0))
            out->rejected_scores[tenth] = sqlite3_column_int64(st, 2);
        else
            out->approved_scores[tenth] = sqlite3_column_int64(st, 2);
    }
    done(st);
    st = stmt(c, ST_STATS_DEALS);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
        out->deals = sqlite3_column_int64(st, 0);
        out->deal_amount = sqlite3_column_int64(st, 1);
    } else {
        status = db_error(c, "statistics");
    }
    done(st);
    return status;
}

int store_stats(store *s, stats *out)
{
    memset(out, 0, sizeof *out);
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    /* One read transaction, so every figure describes the same moment. */
    int status = exec_sql(c->db, "BEGIN");
    if (status == TM_OK)
        status = funnel_rows(c, ST_STATS_ALL, NULL, NULL, &out->overall);
    if (status == TM_OK)
        status = funnel_rows(c, ST_STATS_FIELD, &out->by_field, &out->nfield, NULL);
    if (status == TM_OK)
        status = funnel_rows(c, ST_STATS_MONTH, &out->by_month, &out->nmonth, NULL);
    if (status == TM_OK)
        status = stats_rest(c, out);
    (void)exec_sql(c->db, "COMMIT");
    reader_release(s, c);
    if (status != TM_OK)
        store_stats_cleanup(out);
    return status;
}

static const char *col_text_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, col);
}

int store_decisions_each(store *s, int (*fn)(void *ctx, const decision_row *d), void *ctx)
{
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_DECISIONS);
    int status = st ? TM_OK : TM_ERR_DB, rc = SQLITE_DONE;
    while (st && status == TM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        decision_row d = { col_text_or_null(st, 0), col_text_or_null(st, 1), col_text_or_null(st, 2),
                           col_text_or_null(st, 3), col_text_or_null(st, 4), col_text_or_null(st, 5),
                           sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8),
                           sqlite3_column_int64(st, 9), sqlite3_column_double(st, 10), sqlite3_column_double(st, 11),
                           sqlite3_column_double(st, 12) };
        status = fn(ctx, &d);
    }
    if (st && status == TM_OK && rc != SQLITE_DONE)
        status = db_error(c, "decisions");
    done(st);
    reader_release(s, c);
    return status;
}

int store_staff_list(store *s, staff_user **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    conn *c = reader_acquire(s);
    if (c == NULL)
        return TM_ERR_DB;
    sqlite3_stmt *st = stmt(c, ST_STAFF_LIST);
    size_t cap = 0;
    int rc = SQLITE_DONE;
    while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        staff_user *u = push_slot((void **)out, n, &cap, sizeof *u);
        u->id = sqlite3_column_int64(st, 0);
        copy_col(u->email, sizeof u->email, st, 1);
        copy_col(u->display_name, sizeof u->display_name, st, 2);
        copy_col(u->role, sizeof u->role, st, 3);
        copy_col(u->org_name, sizeof u->org_name, st, 4);
    }
    int status = st && rc == SQLITE_DONE ? TM_OK : db_error(c, "list staff");
    done(st);
    reader_release(s, c);
    return status;
}

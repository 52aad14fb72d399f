/*
 * pipeline.c: what happens to a match after the matcher (see store.h, "the
 * pipeline"): a university's proposal, reading a match, decisions and
 * assignment as audited edits, brokers' notes, and a match's history.
 */
#include "store_int.h"
#include "json.h"
#include "mem.h"
#include <stdlib.h>
#include <string.h>

int store_match_get(store *s, int64_t id, match *out)
{
    conn *c = st_reader(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_match_get_in(c, id, out);
    st_release(s, c);
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

/* ---------- proposals ---------- */

/* ?1..?6 as the matcher's pairs, ?7 statement, ?8 proposer; a pair further along than suggested is left alone */
static st_sql SQL_PROPOSE = ST_SQL("INSERT INTO matches(demand_id, achievement_id, score, k, f, explanation, origin,"
                                   " statement, proposed_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'proposal', ?7, ?8)"
                                   " ON CONFLICT(demand_id, achievement_id) DO UPDATE SET origin = 'proposal',"
                                   " statement = excluded.statement, proposed_by = excluded.proposed_by,"
                                   " score = excluded.score, k = excluded.k, f = excluded.f,"
                                   " explanation = excluded.explanation, status = 'suggested', updated_at = " ST_NOW
                                   " WHERE matches.status IN ('suggested', 'withdrawn') RETURNING id");
static st_sql SQL_PAIR_ID = ST_SQL("SELECT id FROM matches WHERE demand_id = ?1 AND achievement_id = ?2");

int store_match_propose(store *s, const match_row *pair, const char *statement, int64_t actor_user_id, match *out)
{
    int64_t id = 0;
    memset(out, 0, sizeof *out);
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = st_int(c, &SQL_PROPOSE, ST_ARGS(A_INT(pair->demand_id), A_INT(pair->achievement_id),
                                                 A_DBL(pair->score), A_DBL(pair->k), A_DBL(pair->f),
                                                 A_TEXT(pair->explanation), A_TEXT(statement), A_INT(actor_user_id)),
                        &id, "propose");
    if (status == TM_ERR_NOT_FOUND) {
        /* The pair exists further along than a suggestion: say what it is. */
        status = st_int(c, &SQL_PAIR_ID, ST_ARGS(A_INT(pair->demand_id), A_INT(pair->achievement_id)), &id,
                        "pair id");
        if (status == TM_OK)
            status = sx_match_get_in(c, id, out);
        status = status == TM_OK ? TM_ERR_CONFLICT : TM_ERR_DB;
    } else if (status == TM_OK) {
        status = sx_match_get_in(c, id, out);
        if (status == TM_OK) {
            cJSON *a = match_state_json(out);
            cJSON_AddStringToObject(a, "statement", statement);
            status = sx_audit_row(c, actor_user_id, "match.propose", "match", id, NULL, a);
            cJSON_Delete(a);
        }
    }
    int rc = st_write_end(s, c, status);
    if (rc != TM_OK && rc != TM_ERR_CONFLICT)
        match_cleanup(out);
    return rc;
}

/* ---------- edits ---------- */

/* ?1 id, ?2 status, ?3 reason, ?4 text, ?5 assigned, ?6 amount, ?7 mode, ?8 reviewer (or NULL) */
static st_sql SQL_MATCH_SAVE = ST_SQL("UPDATE matches SET status = ?2, reason = ?3, reason_text = ?4,"
                                      " assigned_to = ?5, deal_amount = ?6, transfer_mode = ?7,"
                                      " reviewed_by = coalesce(?8, reviewed_by),"
                                      " reviewed_at = CASE WHEN ?8 IS NULL THEN reviewed_at ELSE " ST_NOW " END,"
                                      " introduced_at = CASE WHEN ?2 = 'in_talks'"
                                      " THEN coalesce(introduced_at, " ST_NOW ") ELSE introduced_at END,"
                                      " updated_at = " ST_NOW " WHERE id = ?1");

static int match_save_in(conn *c, const match *m, int64_t reviewer)
{
    return st_run(c, &SQL_MATCH_SAVE, ST_ARGS(A_INT(m->id), A_TEXT(m->status), A_TEXT(m->reason),
                                              A_TEXT(m->reason_text), A_ID(m->assigned_to),
                                              m->deal_amount >= 0 ? A_INT(m->deal_amount) : A_NULL,
                                              A_TEXT(m->transfer_mode), A_ID(reviewer)), "save match");
}

int store_match_edit(store *s, int64_t id, int64_t actor_user_id, const char *action, int review,
                     match_edit_fn edit, void *ctx, match *out)
{
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_match_get_in(c, id, out);
    cJSON *before = status == TM_OK ? match_state_json(out) : NULL;
    if (status == TM_OK)
        status = edit(ctx, out);
    if (status == TM_OK)
        status = match_save_in(c, out, review ? actor_user_id : 0);
    if (status == TM_OK) {
        cJSON *after = match_state_json(out);
        status = sx_audit_row(c, actor_user_id, action, "match", id, before, after);
        cJSON_Delete(after);
    }
    cJSON_Delete(before);
    int rc = st_write_end(s, c, status);
    if (rc != TM_OK && rc == status) {
        /* The edit refused (or the store failed): answer the match as it still is. */
        match_cleanup(out);
        if (rc != TM_ERR_NOT_FOUND && store_match_get(s, id, out) != TM_OK)
            memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---------- notes ---------- */

static st_sql SQL_NOTE_INSERT = ST_SQL("INSERT INTO match_notes(match_id, user_id, text) VALUES (?1, ?2, ?3)"
                                       " RETURNING id");
static st_sql SQL_NOTE_LIST = ST_SQL("SELECT n.id, n.user_id, u.display_name, n.text, n.created_at FROM match_notes n"
                                     " JOIN users u ON u.id = n.user_id WHERE n.match_id = ?1 ORDER BY n.id");

int store_match_note_add(store *s, int64_t match_id, int64_t user_id, const char *text, int64_t *note_id)
{
    match m = { 0 };
    conn *c = st_write_begin(s);
    if (c == NULL)
        return TM_ERR_DB;
    int status = sx_match_get_in(c, match_id, &m);
    if (status == TM_OK)
        status = st_int(c, &SQL_NOTE_INSERT, ST_ARGS(A_INT(match_id), A_INT(user_id), A_TEXT(text)), note_id,
                        "insert note");
    if (status == TM_OK) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "note", text);
        status = sx_audit_row(c, user_id, "match.note", "match", match_id, NULL, a);
        cJSON_Delete(a);
    }
    match_cleanup(&m);
    return st_write_end(s, c, status);
}

void store_match_notes_free(match_note *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].author);
        free(v[i].text);
    }
    free(v);
}

static int note_row(void *ctx, sqlite3_stmt *row)
{
    match_note *x = st_vec_push(ctx);
    x->id = sqlite3_column_int64(row, 0);
    x->user_id = sqlite3_column_int64(row, 1);
    x->author = st_col_dup(row, 2);
    x->text = st_col_dup(row, 3);
    st_col_copy(x->created_at, sizeof x->created_at, row, 4);
    return TM_OK;
}

int store_match_notes(store *s, int64_t match_id, match_note **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    st_vec v = ST_VEC(out, n);
    return st_read(s, &SQL_NOTE_LIST, ST_ARGS(A_INT(match_id)), note_row, &v, "list notes");
}

/* ---------- history ---------- */

static st_sql SQL_HISTORY = ST_SQL("SELECT a.at, coalesce(a.user_id, 0), coalesce(u.display_name, ''), a.action,"
                                   " a.before, a.after FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                                   " WHERE a.entity = 'match' AND a.entity_id = ?1 ORDER BY a.id");

void store_history_free(history_item *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].who);
        free(v[i].before);
        free(v[i].after);
    }
    free(v);
}

static int history_row(void *ctx, sqlite3_stmt *row)
{
    history_item *x = st_vec_push(ctx);
    st_col_copy(x->at, sizeof x->at, row, 0);
    x->user_id = sqlite3_column_int64(row, 1);
    x->who = st_col_dup(row, 2);
    st_col_copy(x->action, sizeof x->action, row, 3);
    x->before = st_col_dup(row, 4);
    x->after = st_col_dup(row, 5);
    return TM_OK;
}

int store_match_history(store *s, int64_t match_id, history_item **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    st_vec v = ST_VEC(out, n);
    return st_read(s, &SQL_HISTORY, ST_ARGS(A_INT(match_id)), history_row, &v, "match history");
}

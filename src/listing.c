/*
 * listing.c: members of demands and achievements, their validation and their
 * JSON form.  One table describes every member; validation walks the JSON
 * object and dispatches on that table.
 */
#include "listing.h"
#include "json.h"
#include "limits.h"
#include "mem.h"
#include "messages.h"
#include "utf8.h"
#include "vocab.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KIND_D (1 << LISTING_DEMAND)
#define KIND_A (1 << LISTING_ACHIEVEMENT)

typedef int (*member_setter)(listing *l, const char *name, const cJSON *v,
                             const taxonomy *tax, cJSON *errors);

typedef struct member {
    const char *name;
    int kinds;
    listing_member_type type;
    member_setter set;
} member;

/* ---------- strings and lists ---------- */

void strlist_clear(strlist *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

void strlist_push(strlist *s, const char *item)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = xstrdup(item);
}

static void strlist_copy(strlist *dst, const strlist *src)
{
    dst->v = NULL;
    dst->n = 0;
    for (size_t i = 0; i < src->n; i++)
        strlist_push(dst, src->v[i]);
}

cJSON *strlist_to_json(const strlist *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < s->n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(s->v[i]));
    return a;
}

static void set_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

/* ---------- lifecycle ---------- */

listing *listing_new(listing_kind kind)
{
    listing *l = xcalloc(1, sizeof *l);
    l->kind = kind;
    l->title = xstrdup("");
    l->body = xstrdup("");
    l->region = xstrdup("");
    l->contact = xstrdup("");
    l->patent_no = xstrdup("");
    l->status = xstrdup("open");
    l->budget_min = l->budget_max = l->price = LISTING_NO_MONEY;
    l->trl = LISTING_NO_TRL;
    return l;
}

void listing_free(listing *l)
{
    if (l == NULL)
        return;
    free(l->org_name);
    free(l->ref);
    free(l->title);
    free(l->body);
    strlist_clear(&l->keywords);
    strlist_clear(&l->fields);
    strlist_clear(&l->modes);
    free(l->region);
    free(l->contact);
    free(l->status);
    free(l->created_at);
    free(l->updated_at);
    free(l->deadline);
    free(l->ip_type);
    free(l->patent_no);
    free(l);
}

listing *listing_clone(const listing *l)
{
    listing *c = xmalloc(sizeof *c);
    *c = *l;
    c->org_name = xstrdup(l->org_name);
    c->ref = xstrdup(l->ref);
    c->title = xstrdup(l->title);
    c->body = xstrdup(l->body);
    strlist_copy(&c->keywords, &l->keywords);
    strlist_copy(&c->fields, &l->fields);
    strlist_copy(&c->modes, &l->modes);
    c->region = xstrdup(l->region);
    c->contact = xstrdup(l->contact);
    c->status = xstrdup(l->status);
    c->created_at = xstrdup(l->created_at);
    c->updated_at = xstrdup(l->updated_at);
    c->deadline = xstrdup(l->deadline);
    c->ip_type = xstrdup(l->ip_type);
    c->patent_no = xstrdup(l->patent_no);
    return c;
}

const char *listing_kind_name(listing_kind kind)
{
    return kind == LISTING_DEMAND ? "demand" : "achievement";
}

const char *listing_body_member(listing_kind kind)
{
    return kind == LISTING_DEMAND ? "description" : "abstract";
}

const char *listing_modes_member(listing_kind kind)
{
    return kind == LISTING_DEMAND ? "cooperation_modes" : "transfer_modes";
}

/* ---------- value checks ---------- */

/*
 * Checks a text value: at most max code points, no control characters except
 * (when multiline) newline and tab.  Returns NULL if fine, else the reason.
 */
static const char *text_problem(const char *s, size_t max, int multiline)
{
    size_t len = strlen(s);
    if (!mt_utf8_valid(s, len, NULL))
        return N_("is not valid UTF-8");
    if (mt_utf8_length(s, len) > max)
        return N_("is too long");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) {
            if (multiline && (*p == '\n' || *p == '\t' || *p == '\r'))
                continue;
            return N_("contains control characters");
        }
    }
    return NULL;
}

/* Returns a trimmed copy of s (ASCII and ideographic spaces at both ends). */
static char *trimmed(const char *s)
{
    const char *b = s;
    const char *e = s + strlen(s);
    for (;;) {
        if (b < e && strchr(" \t\r\n", *b) && *b)
            b++;
        else if (e - b >= 3 && memcmp(b, "\xE3\x80\x80", 3) == 0)
            b += 3;
        else
            break;
    }
    for (;;) {
        if (e > b && strchr(" \t\r\n", e[-1]) && e[-1])
            e--;
        else if (e - b >= 3 && memcmp(e - 3, "\xE3\x80\x80", 3) == 0)
            e -= 3;
        else
            break;
    }
    return xstrndup(b, (size_t)(e - b));
}

static int days_from_civil(int y, int m, int d, long *out)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return 0;
    /* Howard Hinnant's algorithm. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = era * 146097 + doe - 719468;
    return 1;
}

/* Reads n ASCII digits at s; returns -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Returns NULL if s is exactly YYYY-MM-DD, a real date, not before today (UTC); else the reason. */
static const char *deadline_problem(const char *s)
{
    long day;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return N_("must be a date written YYYY-MM-DD");
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0 || !days_from_civil(y, m, d, &day))
        return N_("must be a date written YYYY-MM-DD");
    long today = (long)(time(NULL) / 86400);
    if (day < today)
        return N_("must not be in the past");
    if (day > today + 366L * 50)
        return N_("is more than 50 years away");
    return NULL;
}

/* ---------- setters, one per member shape ---------- */

static int set_text(char **dst, const char *name, const cJSON *v, size_t max,
                    int multiline, int nullable, cJSON *errors)
{
    if (cJSON_IsNull(v) && nullable) {
        set_str(dst, multiline ? "" : NULL);
        return 0;
    }
    if (!cJSON_IsString(v)) {
        json_error_add(errors, name, "must be a string");
        return 1;
    }
    char *t = trimmed(v->valuestring);
    const char *why = text_problem(t, max, multiline);
    if (why) {
        json_error_add(errors, name, "%s (at most %zu characters)", why, max);
        free(t);
        return 1;
    }
    free(*dst);
    *dst = t;
    return 0;
}

char *listing_ref_of(const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "ref");
    char *t = cJSON_IsString(v) ? trimmed(v->valuestring) : NULL;
    if (t && t[0] == '\0') {
        free(t);
        t = NULL;
    }
    return t;
}

static int set_title(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_text(&l->title, name, v, LIM_TITLE, 0, 0, errors);
}

static int set_body(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_text(&l->body, name, v, LIM_BODY_TEXT, 1, 1, errors);
}

static int set_region(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    int n = set_text(&l->region, name, v, LIM_REGION, 0, 1, errors);
    if (l->region == NULL)
        l->region = xstrdup("");
    return n;
}

static int set_contact(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_text(&l->contact, name, v, LIM_CONTACT, 1, 1, errors);
}

static int set_patent_no(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    int n = set_text(&l->patent_no, name, v, LIM_PATENT_NO, 0, 1, errors);
    if (l->patent_no == NULL)
        l->patent_no = xstrdup("");
    return n;
}

static int set_ref(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    int n = set_text(&l->ref, name, v, LIM_REF, 0, 1, errors);
    if (n == 0 && l->ref != NULL && l->ref[0] == '\0') {
        free(l->ref);
        l->ref = NULL;
    }
    return n;
}

/* Kinds of list item check. */
enum item_rule { ITEM_KEYWORD, ITEM_FIELD, ITEM_MODE };

static int set_list(strlist *dst, const char *name, const cJSON *v, size_t max_items,
                    enum item_rule rule, const taxonomy *tax, cJSON *errors)
{
    strlist out = { 0 };
    int problems = 0;
    char where[64];

    if (cJSON_IsNull(v)) {
        strlist_clear(dst);
        return 0;
    }
    if (!cJSON_IsArray(v)) {
        json_error_add(errors, name, "must be an array of strings");
        return 1;
    }
    if ((size_t)cJSON_GetArraySize(v) > max_items) {
        json_error_add(errors, name, "has more than %zu items", max_items);
        return 1;
    }
    size_t i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        snprintf(where, sizeof where, "%s[%zu]", name, i++);
        if (!cJSON_IsString(item)) {
            json_error_add(errors, where, "must be a string");
            problems++;
            continue;
        }
        char *t = trimmed(item->valuestring);
        const char *why = NULL;
        if (t[0] == '\0') {
            why = N_("must not be empty");
        } else if (rule == ITEM_KEYWORD) {
            why = text_problem(t, LIM_KEYWORD, 0);
        } else if (rule == ITEM_FIELD) {
            for (char *p = t; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 32);
            if (!taxonomy_code_syntax_ok(t) || taxonomy_find(tax, t) == NULL)
                why = N_("is not a field code of the taxonomy (see GET /api/fields)");
        } else if (vocab_find(&vocab_transfer_modes, t) < 0) {
            json_error_add(errors, where, "must be one of: %s", vocab_joined(&vocab_transfer_modes));
            problems++;
            free(t);
            continue;
        }
        if (why) {
            json_error_add(errors, where, "%s", why);
            problems++;
        } else {
            int dup = 0;
            for (size_t k = 0; k < out.n && !dup; k++)
                dup = strcmp(out.v[k], t) == 0;
            if (!dup)
                strlist_push(&out, t);
        }
        free(t);
    }
    if (problems) {
        strlist_clear(&out);
        return problems;
    }
    strlist_clear(dst);
    *dst = out;
    return 0;
}

static int set_keywords(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    return set_list(&l->keywords, name, v, LIM_KEYWORDS, ITEM_KEYWORD, tax, errors);
}

static int set_fields(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    return set_list(&l->fields, name, v, LIM_FIELDS, ITEM_FIELD, tax, errors);
}

static int set_modes(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    return set_list(&l->modes, name, v, LIM_MODES, ITEM_MODE, tax, errors);
}

static int set_money(int64_t *dst, const char *name, const cJSON *v, cJSON *errors)
{
    int64_t x;
    if (cJSON_IsNull(v)) {
        *dst = LISTING_NO_MONEY;
        return 0;
    }
    if (!json_get_int(v, 0, LIM_MONEY_MAX, &x)) {
        json_error_add(errors, name, "must be a whole number of yuan from 0 to %lld",
                       (long long)LIM_MONEY_MAX);
        return 1;
    }
    *dst = x;
    return 0;
}

static int set_budget_min(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_money(&l->budget_min, name, v, errors);
}

static int set_budget_max(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_money(&l->budget_max, name, v, errors);
}

static int set_price(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    return set_money(&l->price, name, v, errors);
}

static int set_trl(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    int64_t x;
    (void)tax;
    if (cJSON_IsNull(v)) {
        l->trl = LISTING_NO_TRL;
        return 0;
    }
    if (!json_get_int(v, 1, 9, &x)) {
        json_error_add(errors, name, "must be a whole number from 1 to 9 (technology readiness level)");
        return 1;
    }
    l->trl = (int)x;
    return 0;
}

static int set_ip_type(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    if (cJSON_IsNull(v)) {
        set_str(&l->ip_type, NULL);
        return 0;
    }
    if (!cJSON_IsString(v) || vocab_find(&vocab_ip_types, v->valuestring) < 0) {
        json_error_add(errors, name, "must be one of: %s", vocab_joined(&vocab_ip_types));
        return 1;
    }
    set_str(&l->ip_type, v->valuestring);
    return 0;
}

static int set_deadline(listing *l, const char *name, const cJSON *v, const taxonomy *tax, cJSON *errors)
{
    (void)tax;
    if (cJSON_IsNull(v)) {
        set_str(&l->deadline, NULL);
        return 0;
    }
    if (!cJSON_IsString(v)) {
        json_error_add(errors, name, "must be a date written YYYY-MM-DD");
        return 1;
    }
    const char *why = deadline_problem(v->valuestring);
    if (why) {
        json_error_add(errors, name, "%s", why);
        return 1;
    }
    set_str(&l->deadline, v->valuestring);
    return 0;
}

static const member members[] = {
    { "ref", KIND_D | KIND_A, MEMBER_STRING, set_ref },
    { "title", KIND_D | KIND_A, MEMBER_STRING, set_title },
    { "description", KIND_D, MEMBER_STRING, set_body },
    { "abstract", KIND_A, MEMBER_STRING, set_body },
    { "keywords", KIND_D | KIND_A, MEMBER_LIST, set_keywords },
    { "fields", KIND_D | KIND_A, MEMBER_LIST, set_fields },
    { "region", KIND_D | KIND_A, MEMBER_STRING, set_region },
    { "contact", KIND_D | KIND_A, MEMBER_STRING, set_contact },
    { "budget_min", KIND_D, MEMBER_INT, set_budget_min },
    { "budget_max", KIND_D, MEMBER_INT, set_budget_max },
    { "cooperation_modes", KIND_D, MEMBER_LIST, set_modes },
    { "deadline", KIND_D, MEMBER_STRING, set_deadline },
    { "trl", KIND_A, MEMBER_INT, set_trl },
    { "ip_type", KIND_A, MEMBER_STRING, set_ip_type },
    { "patent_no", KIND_A, MEMBER_STRING, set_patent_no },
    { "transfer_modes", KIND_A, MEMBER_LIST, set_modes },
    { "price", KIND_A, MEMBER_INT, set_price },
    { "id", KIND_D | KIND_A, MEMBER_READONLY, NULL },
    { "kind", KIND_D | KIND_A, MEMBER_READONLY, NULL },
    { "org", KIND_D | KIND_A, MEMBER_READONLY, NULL },
    { "status", KIND_D | KIND_A, MEMBER_READONLY, NULL },
    { "created_at", KIND_D | KIND_A, MEMBER_READONLY, NULL },
    { "updated_at", KIND_D | KIND_A, MEMBER_READONLY, NULL },
};

static const member *find_member(listing_kind kind, const char *name)
{
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++)
        if ((members[i].kinds & (1 << kind)) && strcmp(members[i].name, name) == 0)
            return &members[i];
    return NULL;
}

listing_member_type listing_member_type_of(listing_kind kind, const char *name)
{
    const member *m = find_member(kind, name);
    return m ? m->type : MEMBER_UNKNOWN;
}

int listing_apply_json(listing *l, const cJSON *obj, const taxonomy *tax, cJSON *errors)
{
    int problems = 0;
    const cJSON *v;

    if (!cJSON_IsObject(obj)) {
        json_error_add(errors, NULL, "the %s must be a JSON object", listing_kind_name(l->kind));
        return 1;
    }
    cJSON_ArrayForEach(v, obj) {
        const member *m = find_member(l->kind, v->string);
        if (m == NULL) {
            json_error_add(errors, v->string, "is not a member of a %s", listing_kind_name(l->kind));
            problems++;
        } else if (m->type == MEMBER_READONLY) {
            json_error_add(errors, v->string, "is read-only");
            problems++;
        } else {
            problems += m->set(l, m->name, v, tax, errors);
        }
    }
    /* A title that was given but rejected has its error already. */
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(obj, "title");
    if (l->title[0] == '\0' && (title == NULL || cJSON_IsString(title))) {
        int given = title != NULL && text_problem(title->valuestring, LIM_TITLE, 0) == NULL;
        if (title == NULL || given) {
            json_error_add(errors, "title", title ? "must not be empty" : "is required");
            problems++;
        }
    }
    if (l->budget_min != LISTING_NO_MONEY && l->budget_max != LISTING_NO_MONEY &&
        l->budget_min > l->budget_max) {
        json_error_add(errors, "budget_min", "must not be greater than budget_max");
        problems++;
    }
    return problems;
}

static void add_money(cJSON *o, const char *name, int64_t v)
{
    if (v == LISTING_NO_MONEY)
        cJSON_AddNullToObject(o, name);
    else
        json_add_int(o, name, v);
}

cJSON *listing_to_json(const listing *l, int show)
{
    int show_private = show != LISTING_SHOW_PUBLIC;
    cJSON *o = cJSON_CreateObject();
    json_add_int(o, "id", l->id);
    cJSON_AddStringToObject(o, "kind", listing_kind_name(l->kind));
    if (l->kind == LISTING_ACHIEVEMENT || show_private) {
        cJSON *org = cJSON_AddObjectToObject(o, "org");
        json_add_int(org, "id", l->org_id);
        json_add_string_or_null(org, "name", l->org_name);
    }
    if (show == LISTING_SHOW_PRIVATE)
        json_add_string_or_null(o, "ref", l->ref);
    cJSON_AddStringToObject(o, "title", l->title);
    cJSON_AddStringToObject(o, listing_body_member(l->kind), l->body);
    cJSON_AddItemToObject(o, "keywords", strlist_to_json(&l->keywords));
    cJSON_AddItemToObject(o, "fields", strlist_to_json(&l->fields));
    cJSON_AddStringToObject(o, "region", l->region);
    cJSON_AddItemToObject(o, listing_modes_member(l->kind), strlist_to_json(&l->modes));
    if (l->kind == LISTING_DEMAND) {
        if (show_private) {
            add_money(o, "budget_min", l->budget_min);
            add_money(o, "budget_max", l->budget_max);
        }
        json_add_string_or_null(o, "deadline", l->deadline);
    } else {
        if (l->trl == LISTING_NO_TRL)
            cJSON_AddNullToObject(o, "trl");
        else
            json_add_int(o, "trl", l->trl);
        json_add_string_or_null(o, "ip_type", l->ip_type);
        cJSON_AddStringToObject(o, "patent_no", l->patent_no);
        add_money(o, "price", l->price);
    }
    if (show_private)
        cJSON_AddStringToObject(o, "contact", l->contact);
    cJSON_AddStringToObject(o, "status", l->status);
    json_add_string_or_null(o, "created_at", l->created_at);
    json_add_string_or_null(o, "updated_at", l->updated_at);
    return o;
}

/*
 * listing.h: demands and achievements, the two kinds of listing.
 *
 * One struct serves both kinds: the members they share, plus each kind's own
 * (unused ones stay at their "absent" values).  This module owns the JSON form
 * of a listing: member names, validation (listing_apply_json) and output with
 * the privacy rules (listing_to_json).  It does no I/O.
 *
 * Ownership: a listing and every string in it are heap memory owned by the
 * listing; listing_free releases all.  Functions are thread-safe on distinct
 * listings.
 */
#ifndef TM_LISTING_H
#define TM_LISTING_H
#include "taxonomy.h"
#include <cjson/cJSON.h>
#include <stdint.h>

typedef enum listing_kind { LISTING_DEMAND = 0, LISTING_ACHIEVEMENT = 1 } listing_kind;

/* Absent optional numbers. */
#define LISTING_NO_MONEY (-1)
#define LISTING_NO_TRL 0

typedef struct strlist {
    char **v;
    size_t n;
} strlist;

typedef struct listing {
    listing_kind kind;
    int64_t id;            /* 0 until stored */
    int64_t org_id;
    char *org_name;        /* filled by the store on reads */
    char *ref;             /* external reference (import), or NULL */
    char *title;
    char *body;            /* demand: description; achievement: abstract */
    strlist keywords;
    strlist fields;        /* taxonomy codes */
    strlist modes;         /* demand: cooperation_modes; achievement: transfer_modes (vocab_transfer_modes) */
    char *region;
    char *contact;
    char *status;          /* "open" | "closed" */
    char *created_at, *updated_at;
    /* demands */
    int64_t budget_min, budget_max;   /* LISTING_NO_MONEY when absent */
    char *deadline;                   /* YYYY-MM-DD or NULL */
    /* achievements */
    int trl;                          /* 1..9, LISTING_NO_TRL when absent */
    char *ip_type;                    /* a code of vocab_ip_types, NULL when absent */
    char *patent_no;
    int64_t price;                    /* LISTING_NO_MONEY when absent */
} listing;

/* Returns an empty listing of this kind (strings "", lists empty, status "open"). */
listing *listing_new(listing_kind kind);
void listing_free(listing *l);
/* Deep copy. */
listing *listing_clone(const listing *l);

/* "demand" / "achievement", and the JSON member names that differ by kind. */
const char *listing_kind_name(listing_kind kind);
const char *listing_body_member(listing_kind kind);
const char *listing_modes_member(listing_kind kind);

/* How a member is written in CSV (import turns cells into JSON by this). */
typedef enum listing_member_type {
    MEMBER_UNKNOWN = 0,
    MEMBER_STRING,
    MEMBER_INT,
    MEMBER_LIST,
    MEMBER_READONLY
} listing_member_type;
listing_member_type listing_member_type_of(listing_kind kind, const char *name);

/*
 * Applies the members of the JSON object obj to l, validating each one: type,
 * length, enumerations, field codes in tax, TRL 1..9, money 0..LIM_MONEY_MAX,
 * deadline YYYY-MM-DD not before today (UTC).  Unknown and read-only members
 * are errors.  null clears an optional member.  Then checks the whole
 * listing (title present, budget_min <= budget_max).
 *
 * Each problem is appended to errors as {field, message}; the return value is
 * the number of problems added (0 = valid).  l may be partly changed when
 * there are errors; callers discard it then.
 */
int listing_apply_json(listing *l, const cJSON *obj, const taxonomy *tax, cJSON *errors);

/*
 * The ref that listing_apply_json would give a listing from obj (its "ref"
 * member trimmed), malloc'd; NULL when obj sets none or an empty one.  Import
 * finds the listing a row updates by it.
 */
char *listing_ref_of(const cJSON *obj);

/*
 * What listing_to_json shows besides the public members (access.h decides
 * which): LISTING_SHOW_PRIVATE (1, so a yes/no "private" decision passes as
 * is) is the owner's and staff's view, LISTING_SHOW_INTRODUCED the other side
 * of a match after the introduction: the same without the import ref.
 */
enum { LISTING_SHOW_PUBLIC = 0, LISTING_SHOW_PRIVATE = 1, LISTING_SHOW_INTRODUCED = 2 };

/*
 * Returns the JSON form of l (caller cJSON_Deletes).  show (a LISTING_SHOW_*)
 * adds what only the owner, brokers and admins see: a demand's budget,
 * contact and organisation, an achievement's contact, and the import ref of
 * either; LISTING_SHOW_INTRODUCED all of it but the ref.
 */
cJSON *listing_to_json(const listing *l, int show);

/* Frees the items and empties the list. */
void strlist_clear(strlist *s);
/* Appends a copy of item. */
void strlist_push(strlist *s, const char *item);
/* Returns a JSON array of the items. */
cJSON *strlist_to_json(const strlist *s);

#endif

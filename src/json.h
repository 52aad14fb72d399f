/*
 * json.h: the checks techmatch puts around cJSON, and small builders.
 *
 * cJSON neither validates UTF-8 nor bounds nesting by request; json_parse_body
 * does both before parsing.  Every cJSON returned is owned by the caller
 * (cJSON_Delete).  Thread-safe.
 */
#ifndef TM_JSON_H
#define TM_JSON_H
#include "err.h"
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses a complete JSON text.  Returns TM_OK and a tree in *out, or
 * TM_ERR_INVALID with a one-sentence reason in msg (invalid UTF-8 and where,
 * nesting deeper than max_depth, where the syntax broke, anything but
 * whitespace after the document, or a member named twice in one object).
 */
TM_MUST_CHECK int json_parse_body(const char *text, size_t len, int max_depth,
                                  cJSON **out, char *msg, size_t msglen);

/*
 * Finds a string of a JSON text that holds U+0000 (the escape \u0000 or a raw
 * NUL byte), member names included.  cJSON ends its strings at the NUL, so
 * such a text would be read cut short; callers refuse it instead.  Returns 1
 * and the member's path in path ("title", "keywords[2]", "a.b"; "" for the
 * document itself; a name holding the NUL is written up to it), else 0.  Meant
 * for text json_parse_body accepted, but reads any text safely.
 */
int json_find_nul(const char *text, size_t len, char *path, size_t pathlen);

/* Appends {"field": field, "message": ...} to the array errors. */
void json_error_add(cJSON *errors, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The one check of a request body's member names: appends an error
 * ("is not a member of this request (a, b, c)") to errors for each member of
 * the object body whose name is not in allowed (a NULL-terminated list).
 * Returns the number of unknown members; a body that is not an object has none.
 */
int json_reject_unknown(const cJSON *body, const char *const *allowed, cJSON *errors);

/* Adds name: value, or name: null when value is NULL. */
void json_add_string_or_null(cJSON *obj, const char *name, const char *value);

/* Adds an integer member (exact up to 2^53). */
void json_add_int(cJSON *obj, const char *name, int64_t value);
/* Adds an id member, or name: null when id is 0 or less (nobody, none). */
void json_add_id_or_null(cJSON *obj, const char *name, int64_t id);

/*
 * Reads an integral JSON number into *out.  Returns 1 if item is a number with
 * no fractional part within [min, max] and within +-LIM_ID_MAX (2^53 - 1,
 * beyond which a JSON number is not exact), else 0.  Ids pass 1, LIM_ID_MAX.
 */
int json_get_int(const cJSON *item, int64_t min, int64_t max, int64_t *out);

/* Serialises without whitespace; returns a malloc'd string (free()). */
char *json_print(const cJSON *item);

#endif

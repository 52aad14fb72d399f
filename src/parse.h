/*
 * parse.h: the one checked way to read a number from text (query parameters,
 * cursors, command-line arguments, CSV cells, the taxonomy file).
 *
 * The syntax is strtoll's and strtod's in the C locale: optional leading white
 * space, an optional sign, then digits (for doubles, a decimal number; no
 * hexadecimal, infinity or NaN).  Unlike a raw strtol call, every function here
 * rejects text with no digits, overflow and values out of range, so no caller
 * has to remember errno or the end pointer.  checksrc.sh allows strto* calls in
 * parse.c alone.
 *
 * Thread-safe; nothing is allocated.  On TM_ERR_INVALID the outputs are left
 * untouched.
 */
#ifndef TM_PARSE_H
#define TM_PARSE_H
#include "err.h"
#include <stdint.h>

/* Reads all of text as a base-10 integer in [lo, hi]: TM_OK, or TM_ERR_INVALID. */
TM_MUST_CHECK int parse_int64(const char *text, int64_t lo, int64_t hi, int64_t *out);

/*
 * Reads the base-10 integer at the start of text, in [lo, hi]; *end receives
 * the first character after it (the caller checks what may follow).
 * TM_ERR_INVALID when there are no digits, on overflow or out of range.
 */
TM_MUST_CHECK int parse_int64_prefix(const char *text, int64_t lo, int64_t hi, int64_t *out, const char **end);

/* Reads the hexadecimal number (no 0x) at the start of text, at most max; *end as in parse_int64_prefix. */
TM_MUST_CHECK int parse_hex_prefix(const char *text, uint64_t max, uint64_t *out, const char **end);

/* Reads all of text as a finite decimal number in [lo, hi]: TM_OK, or TM_ERR_INVALID. */
TM_MUST_CHECK int parse_double(const char *text, double lo, double hi, double *out);

/* Reads the finite decimal number at the start of text, in [lo, hi]; *end as in parse_int64_prefix. */
TM_MUST_CHECK int parse_double_prefix(const char *text, double lo, double hi, double *out, const char **end);

/*
 * Whether text is an RFC 3339 date-time with Z or a numeric offset,
 * YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM): TM_OK, or TM_ERR_INVALID
 * (the shape only; SQLite's reading of the instant is the caller's).
 */
TM_MUST_CHECK int parse_rfc3339(const char *text);

/* What a refused RFC 3339 parameter is told (src/messages.c has it in Chinese). */
#define PARSE_RFC3339_WANTED "must be an RFC 3339 time with its offset, such as 2026-11-29T00:00:00+08:00"

#endif

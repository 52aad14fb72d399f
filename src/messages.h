/*
 * messages.h: the catalogue of what the server says to people -- every
 * problem+json `title` and `detail` and every `errors[].message` -- in English
 * and in Chinese, and the choice between them by a request's Accept-Language.
 *
 * The key of a message is its English text, as the code writes it: a literal
 * ("no such route") or a printf format ("must have 1 to %d characters").  Code
 * keeps building its messages in English, as before; the HTTP layer (http.c)
 * translates a reply's texts once, just before it sends them, when the request
 * asked for Chinese.  Translating a text finds the catalogue entry whose
 * English format matches the whole text (literal parts equal, %d/%zu/... a
 * whole number, %s any text), the most specific one when several do, and
 * writes the entry's Chinese format with the same arguments: in order, or by
 * position ("%2$s ... %1$d").  An argument that is itself a message of the
 * catalogue ("%s (at most %zu characters)" around "is too long") is
 * translated too, and so is one made only of the words of a match's lifecycle
 * (statuses, moves: "interested", "declined, close"; "%#s" in a Chinese
 * format writes them as moves).  A text no entry
 * matches is sent as it is (English): tests/test_messages.c fails when a
 * message the code can send has no entry, or an entry no Chinese.
 *
 * A message built away from its call (returned by a helper, written with
 * snprintf) marks its literal with N_(), which changes nothing at run time and
 * lets the test find it.
 *
 * Constant data and pure functions: thread-safe.
 */
#ifndef TM_MESSAGES_H
#define TM_MESSAGES_H
#include <cjson/cJSON.h>
#include <stddef.h>

/* Marks a message literal that reaches the reply through a variable (see above); expands to the literal. */
#define N_(text) text

typedef enum msg_lang {
    MSG_EN,     /* English: the catalogue's keys; also for no or an unknown Accept-Language */
    MSG_ZH      /* Simplified Chinese */
} msg_lang;

/*
 * The language of an Accept-Language header value (RFC 9110, 12.5.4): the
 * acceptable one (q > 0) with the highest q, the first listed on a tie; every
 * tag zh or zh-* (zh-CN, zh-Hans, zh-TW, ...) is Chinese, any other tag
 * English.  NULL, empty or malformed: English.
 */
msg_lang messages_lang(const char *accept_language);

/* The language's tag for Content-Language: "en" or "zh". */
const char *messages_lang_tag(msg_lang lang);

/*
 * text in lang, as a new heap string (free() it); never NULL.  For MSG_EN, or
 * when no entry matches, a copy of text.  *found (when not NULL) is 1 when an
 * entry matched.
 */
char *messages_translate(const char *text, msg_lang lang, int *found);

/* Translates the "message" of each {field, message} item of errors in place (MSG_EN: nothing to do). */
void messages_translate_errors(cJSON *errors, msg_lang lang);

/* ---- the catalogue itself, for its tests ---- */

/* The number of entries, and entry i's English format (its key) and Chinese format. */
size_t messages_count(void);
const char *messages_english(size_t i);
const char *messages_chinese(size_t i);
/* The words of the lifecycle that translate inside messages: the number, and word i in each language. */
size_t messages_words_count(void);
const char *messages_word(size_t i, msg_lang lang);
/* Word i in Chinese where a message lists it as a move ("表示有意向" for interested). */
const char *messages_word_move(size_t i);

#endif

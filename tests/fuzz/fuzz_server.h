/*
 * fuzz_server.h: what the fuzzers share: a database file of their own, and
 * the real techmatch server inside a fuzzer's process with a keep-alive HTTP
 * client to it on 127.0.0.1.  Linked into every fuzzer.
 *
 * fuzz_server_start builds the application as `techmatch serve` does (store on
 * a fresh fuzz_database_path, taxonomy, matcher, live-stream hub;
 * no webhook sender, so nothing is ever sent anywhere), starts the HTTP server
 * on a free loopback port, and makes one user of each role plus a few
 * listings and matches, so routes with ids reach their handlers.  It runs once
 * per process; everything lives until the process exits.
 *
 * fuzz_request sends one request and reads the whole answer.  It aborts (a
 * finding for libFuzzer) when the server answers 500, answers nothing within
 * 30 s (a hang: the fuzzers run with -timeout=60), or sends a response that is not HTTP/1.1.
 */
#ifndef TM_FUZZ_SERVER_H
#define TM_FUZZ_SERVER_H
#include <stddef.h>
#include <stdint.h>

typedef enum fuzz_role { FUZZ_ANON, FUZZ_ENTERPRISE, FUZZ_UNIVERSITY, FUZZ_BROKER, FUZZ_ADMIN, FUZZ_ROLES } fuzz_role;

/* Starts the server once; later calls do nothing. */
void fuzz_server_start(void);

/*
 * A new database file's path for this process: in $TM_FUZZ_DB_DIR (run.sh
 * makes one in /dev/shm), else /dev/shm or /tmp, where fsync costs little.
 * Removed with its -wal and -shm files when the process exits.  Once per process.
 */
const char *fuzz_database_path(void);

/*
 * Sends method target as role with body (may be NULL) of content_type (NULL:
 * none) plus extra_headers (NULL, or complete "Name: value\r\n" lines).
 * target is sent as given except that bytes that would end the request line
 * (controls, space, DEL) are %-escaped.  Returns the status.
 */
int fuzz_request(const char *method, const char *target, size_t target_len, fuzz_role role,
                 const char *content_type, const char *extra_headers, const uint8_t *body, size_t body_len);

#endif

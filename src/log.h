/*
 * log.h: one-line log messages on standard error.
 *
 * Thread-safe (each line is written with one fprintf on a locked stream).
 * Never pass a secret, a token or a password to these functions.
 */
#ifndef TM_LOG_H
#define TM_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Silences log_info (the CLI uses it; warnings and errors still print). */
void log_set_quiet(int quiet);

#endif

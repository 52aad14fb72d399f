/*
 * cli.h: the subcommands of the techmatch program.  Each takes the arguments
 * after its name (argv[0] is the subcommand), prints its own --help, and
 * returns the process exit status: 0 success, 1 failure, 2 usage error.
 */
#ifndef TM_CLI_H
#define TM_CLI_H
#include <stddef.h>

int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_rank(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_demo(int argc, char **argv);

/*
 * Splits "HOST:PORT" ("[::1]:8080" for IPv6) into host (hostlen bytes) and
 * port.  Returns 0 on success, -1 if malformed.
 */
int cli_parse_listen(const char *arg, char *host, size_t hostlen, int *port);

/* Reads a whole file into a NUL-terminated malloc'd buffer (*len bytes); NULL if it cannot be read. */
char *cli_read_file(const char *path, size_t *len);

#endif

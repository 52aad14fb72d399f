/*
 * main.c: techmatch's entry point; finds the subcommand and runs it.
 */
#include "cli.h"
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: techmatch <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve    run the HTTP server (API and web UI)\n"
    "  user     manage users: techmatch user add --role broker|admin --email E --org NAME\n"
    "  import   bulk-import listings: techmatch import achievements|demands FILE --org NAME\n"
    "  rank     rank achievements for demands from JSON Lines files (the rank contract)\n"
    "  backup   copy the database while the server runs: techmatch backup --db PATH --to FILE\n"
    "  demo     seed a new database as the demo, with one account per role: techmatch demo --db PATH\n"
    "  restore  put a backup in place (server stopped): techmatch restore --from FILE --db PATH\n"
    "\n"
    "Run 'techmatch <command> --help' for a command's options.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "serve") == 0)
        return cli_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "user") == 0)
        return cli_user(argc - 1, argv + 1);
    if (strcmp(argv[1], "import") == 0)
        return cli_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "rank") == 0)
        return cli_rank(argc - 1, argv + 1);
    if (strcmp(argv[1], "backup") == 0)
        return cli_backup(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return cli_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "restore") == 0)
        return cli_restore(argc - 1, argv + 1);
    fprintf(stderr, "techmatch: unknown command '%s'\n\n%s", argv[1], usage);
    return 2;
}

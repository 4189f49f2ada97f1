/* Loading the scenario a subcommand was given (or the built-in default),
 * with every diagnostic printed to stderr the same way by each command. */
#ifndef SIM_CLI_SCENARIO_H
#define SIM_CLI_SCENARIO_H

#include <stdint.h>

struct scenario;
struct net;

/* Loads file, or the built-in classic scenario when file is NULL. On
 * failure prints the diagnostics (at most those kept, then a count) and
 * returns NULL. *name_r gets the name to show (file or the built-in's). */
struct scenario *cli_load_scenario(const char *file, const char **name_r);

/* A host of the built world by its scenario name or its fqdn (without
 * case), or -1. */
int cli_find_host(const struct scenario *s, const struct net *net, const char *name);
/* Lists the hosts (with their fqdns) on stderr, after a "no host" error. */
void cli_list_hosts(const struct scenario *s, const struct net *net);
/* A non-negative decimal number that fits 64 bits: 0, or -1. */
int cli_parse_u64(const char *text, uint64_t *v_r);

#endif

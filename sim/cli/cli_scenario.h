/* Loading the scenario a subcommand was given (or the built-in default),
 * with every diagnostic printed to stderr the same way by each command. */
#ifndef SIM_CLI_SCENARIO_H
#define SIM_CLI_SCENARIO_H

struct scenario;

/* Loads file, or the built-in classic scenario when file is NULL. On
 * failure prints the diagnostics (at most those kept, then a count) and
 * returns NULL. *name_r gets the name to show (file or the built-in's). */
struct scenario *cli_load_scenario(const char *file, const char **name_r);

#endif

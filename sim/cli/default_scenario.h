/* The built-in default scenario that `mailsim` with no arguments runs. Its
 * text is scenarios/juan-maria.json, embedded at build time by embed.cmake. */
#ifndef SIM_CLI_DEFAULT_SCENARIO_H
#define SIM_CLI_DEFAULT_SCENARIO_H

#include <stddef.h>

/* The JSON text, NUL-terminated, and its length without the NUL. */
extern const char cli_default_scenario[];
extern const size_t cli_default_scenario_len;

/* The name used for it in messages. */
#define CLI_DEFAULT_SCENARIO_NAME "juan-maria.json (built in)"

#endif

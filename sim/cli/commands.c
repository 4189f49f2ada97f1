/* The subcommand table. Add a row here for each new subcommand. */
#include "sim/cli/commands.h"

#include <stddef.h>

const struct cli_command cli_commands[] = {
	{"run", "run a scenario (the built-in default without FILE)", cmd_run},
	{"check", "validate scenario files without running them", cmd_check},
	{NULL, NULL, NULL},
};

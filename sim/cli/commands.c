/* The subcommand table. Add a row here for each new subcommand. */
#include "sim/cli/commands.h"

#include <stddef.h>

const struct cli_command cli_commands[] = {
	{NULL, NULL, NULL},
};

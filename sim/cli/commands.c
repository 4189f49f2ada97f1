/* The subcommand table. Add a row here for each new subcommand. */
#include "sim/cli/commands.h"

#include <stddef.h>

#include "sim/cli/cmd_msg.h"

const struct cli_command cli_commands[] = {
	{"msg", "build, show and extract RFC 5322 / MIME messages", cmd_msg},
	{NULL, NULL, NULL},
};

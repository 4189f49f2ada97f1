/* The subcommand table. Add a row here for each new subcommand. */
#include "sim/cli/commands.h"

#include <stddef.h>

#include "sim/bench/bench.h"

const struct cli_command cli_commands[] = {
	{"bench", "run a benchmark and print its figures (--json for JSON)", bench_command},
	{NULL, NULL, NULL},
};

/* The mailsim subcommands. Each takes the arguments after its name (argv[0]
 * is the subcommand's name) and returns the process exit code: 0 ok,
 * 1 the run failed its expectations (or a check failed), 2 usage or input
 * error. */
#ifndef SIM_CLI_COMMANDS_H
#define SIM_CLI_COMMANDS_H

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* The table of subcommands, ended by a row with a NULL name. */
extern const struct cli_command cli_commands[];

#endif

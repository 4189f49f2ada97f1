/* mailsim: the command-line entry point. Dispatches to a subcommand from the
 * table in commands.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/commands.h"
#include "viz/viz_cli.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim [COMMAND] [ARGS...]\n\n"
		     "A teaching simulator of e-mail: SMTP, POP3, IMAP and DNS over simulated TCP/IP.\n\n"
		     "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nRun 'mailsim COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		/* No arguments: the built-in default scenario, in the viewer
		 * when a display is available, else in the terminal. Output
		 * going to a pipe or file (a script, a test) means the
		 * terminal: nobody is there to close a window. */
		int window = isatty(STDOUT_FILENO) && cli_display_available();
		char *args[] = {window ? "view" : "run", NULL};
		for (const struct cli_command *c = cli_commands; c->name; c++)
			if (strcmp(c->name, args[0]) == 0)
				return c->run(1, args);
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("mailsim 0.1.0\n");
		return 0;
	}
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "mailsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

/* The subcommand table. Add a row here for each new subcommand. */
#include "sim/cli/commands.h"

#include <stddef.h>

#include "sim/bench/bench.h"
#include "sim/cli/cmd_bridge.h"
#include "sim/cli/cmd_check.h"
#include "sim/cli/cmd_explain.h"
#include "sim/cli/cmd_grade.h"
#include "sim/cli/cmd_msg.h"
#include "sim/cli/cmd_run.h"
#include "sim/cli/cmd_step.h"
#include "sim/cli/cmd_telnet.h"
#include "viz/viz_cli.h"

const struct cli_command cli_commands[] = {
	{"run", "run a scenario (the built-in default without FILE)", cmd_run},
	{"check", "validate scenario files without running them", cmd_check},
	{"msg", "build, show and extract RFC 5322 / MIME messages", cmd_msg},
	{"telnet", "type SMTP, POP3 or IMAP by hand to a simulated server, as with telnet", cmd_telnet},
	{"bridge", "let real clients (telnet, curl, smtplib, mutt) talk to simulated servers", cmd_bridge},
	{"view", "watch a scenario in the viewer window (the built-in default without FILE)", cmd_view},
	{"snapshot", "render the viewer to PNG images, with no display needed", cmd_snapshot},
	{"step", "step through a scenario line by line, with explanations (--predict: a quiz)", cmd_step},
	{"explain", "explain an SMTP, POP3, IMAP or DNS command, reply or code (English, Spanish)", cmd_explain},
	{"grade", "grade a student's submission to an exercise (text, JSON, JUnit, Gradescope)", cmd_grade},
	{"bench", "run a benchmark and print its figures (--json for JSON)", bench_command},
	{NULL, NULL, NULL},
};

/* `mailsim run [FILE]`: run a scenario (the built-in default without FILE)
 * and report how it went. */
#ifndef SIM_CLI_CMD_RUN_H
#define SIM_CLI_CMD_RUN_H

int cmd_run(int argc, char **argv);

#endif

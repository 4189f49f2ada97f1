/* `mailsim check FILE...`: validate scenario files without running them. */
#ifndef SIM_CLI_CMD_CHECK_H
#define SIM_CLI_CMD_CHECK_H

int cmd_check(int argc, char **argv);

#endif

/* `mailsim msg`: build, show and extract RFC 5322 / MIME messages. */
#ifndef SIM_CLI_CMD_MSG_H
#define SIM_CLI_CMD_MSG_H

int cmd_msg(int argc, char **argv);

#endif

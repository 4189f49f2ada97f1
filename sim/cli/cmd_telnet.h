/* `mailsim telnet`: type a protocol session by hand over the simulated
 * network (see cmd_telnet.c). */
#ifndef SIM_CLI_CMD_TELNET_H
#define SIM_CLI_CMD_TELNET_H

int cmd_telnet(int argc, char **argv);

#endif

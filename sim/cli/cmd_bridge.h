/* `mailsim bridge`: real clients talk to simulated servers (cmd_bridge.c). */
#ifndef SIM_CLI_CMD_BRIDGE_H
#define SIM_CLI_CMD_BRIDGE_H

int cmd_bridge(int argc, char **argv);

#endif

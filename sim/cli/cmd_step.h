/* `mailsim step [FILE]`: the terminal stepper (sim/cli/cmd_step.c). */
#ifndef SIM_CLI_CMD_STEP_H
#define SIM_CLI_CMD_STEP_H

int cmd_step(int argc, char **argv);

#endif

/* `mailsim explain`: looks commands, replies and codes up in the
 * explanations catalogue (sim/explain/explain.h). */
#ifndef SIM_CLI_CMD_EXPLAIN_H
#define SIM_CLI_CMD_EXPLAIN_H

int cmd_explain(int argc, char **argv);

#endif

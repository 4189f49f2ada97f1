/* The stepper's "s HOST": what a host holds at this moment of the run: an
 * MTA's queue, its mailboxes (folders, messages with UIDs, flags and
 * Subject), and the DNS server's zone data. */
#ifndef SIM_CLI_STEP_STATE_H
#define SIM_CLI_STEP_STATE_H

#include <stdio.h>

#include "sim/explain/explain.h"

struct scn_world;

/* Writes the state of host (an index of the scenario's hosts) to out.
 * Returns 0, or -1 if memory ran out. */
int step_state_print(FILE *out, struct scn_world *w, int host, enum explain_lang lang);
/* Writes one line per host: its name, role and what it runs. */
void step_state_hosts(FILE *out, struct scn_world *w, enum explain_lang lang);

#endif

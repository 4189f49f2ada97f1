/* The fault campaign (docs/reliability.md): a random, seeded schedule of
 * faults added to a loaded scenario, every one repaired before the end of
 * the scenario's span, and a run long enough after it for the retries to
 * finish. The campaign test (tests/campaign/) runs every scenario under
 * hundreds of such schedules and checks the mail ledger after each;
 * `mailsim run FILE --faults-seed N` replays one.
 *
 *   sim_time span, until;
 *   scn_campaign_span(s, run_seed, &span, err, sizeof err);
 *   scn_campaign_add_faults(s, faults_seed, span, &until, err, sizeof err);
 *   w = scn_world_new(s, run_seed, ...); scn_world_run(w, until);
 *
 * A schedule is one to six episodes, each a fault and its repair at random
 * times in [0, span]: a link down then up; a link's loss and latency changed
 * then restored; a host crash then restart; a DNS outage or SERVFAIL then
 * the server back; a full disk on an MTA's host then freed; a clock skew
 * then set right. Only what the scenario has is chosen (no DNS episode
 * without a DNS server). The same scenario and seed give the same
 * schedule. */
#ifndef SIM_SCENARIO_CAMPAIGN_H
#define SIM_SCENARIO_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct scenario;

/* After the span, this long for retries (the MTA retries hourly at most,
 * after at most 31 minutes of shorter waits). */
#define SCN_CAMPAIGN_GRACE (3 * 3600 * SIM_S)

/* The span faults fall in: the scenario's "until", or else the time a
 * fault-free run with run_seed ends (at least 1 s, at most a day).
 * 0, or -1 with a message in err (the world could not be built). */
int scn_campaign_span(const struct scenario *s, uint64_t run_seed, sim_time *span_r, char *err, size_t errlen);

/* Adds the schedule of faults_seed to s's faults (kept sorted by time,
 * each described "campaign episode K"), and sets *until_r to span plus
 * SCN_CAMPAIGN_GRACE. 0, or -1 on ENOMEM with a message in err. */
int scn_campaign_add_faults(struct scenario *s, uint64_t faults_seed, sim_time span, sim_time *until_r, char *err,
			    size_t errlen);

#endif

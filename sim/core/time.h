/* Simulated time: signed 64-bit nanoseconds since the start of a run.
 * int64 nanoseconds cover 292 years, far beyond any scenario. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
#define SIM_TIME_NEVER INT64_MAX

/* Formats t as seconds with nine decimals ("12.000345000") into buf.
 * Returns buf. buf must hold at least 32 bytes. */
char *sim_time_format(sim_time t, char *buf, size_t size);

/* Parses a duration such as "5ms", "1.5s", "200us", "10ns", "2m", "1h".
 * Returns 0 and sets *out_r, or -1 if text is not a duration. */
int sim_time_parse(const char *text, sim_time *out_r);

#endif

/* Seeded pseudo-random numbers with independent named streams.
 *
 * A run has one seed. Every user of randomness (a link's loss, a host's TCP
 * initial sequence numbers, an MTA's MX tie-breaking) derives its own stream
 * from (seed, stream name), so adding a new user of randomness never shifts
 * the numbers another one sees, and runs stay reproducible. The generator is
 * xoshiro256**, seeded through splitmix64. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seeds r with the stream named name (any string) of the run seed seed. */
void rng_init_stream(struct rng *r, uint64_t seed, const char *name);

uint64_t rng_next(struct rng *r);
/* Uniform in [0, bound); bound 0 returns 0. Unbiased (rejection sampling). */
uint64_t rng_below(struct rng *r, uint64_t bound);
/* Uniform in [lo, hi], inclusive. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double rng_unit(struct rng *r);
/* True with probability p (p <= 0 never, p >= 1 always; draws nothing then). */
int rng_chance(struct rng *r, double p);

#endif

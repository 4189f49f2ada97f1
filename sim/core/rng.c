/* xoshiro256** with splitmix64 seeding; see rng.h for the stream contract. */
#include "sim/core/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_init_stream(struct rng *r, uint64_t seed, const char *name)
{
	/* FNV-1a of the name, mixed with the seed: distinct names give
	 * unrelated starting points. */
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)name; p && *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	uint64_t x = seed ^ (h * 0x9e3779b97f4a7c15ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_below(struct rng *r, uint64_t bound)
{
	if (bound == 0)
		return 0;
	uint64_t threshold = (0 - bound) % bound;
	for (;;) {
		uint64_t x = rng_next(r);
		if (x >= threshold)
			return x % bound;
	}
}

int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = (uint64_t)hi - (uint64_t)lo;
	if (span == UINT64_MAX)
		return (int64_t)rng_next(r);
	return (int64_t)((uint64_t)lo + rng_below(r, span + 1));
}

double rng_unit(struct rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

int rng_chance(struct rng *r, double p)
{
	if (p <= 0)
		return 0;
	if (p >= 1)
		return 1;
	return rng_unit(r) < p;
}

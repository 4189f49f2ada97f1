/* Event queue and kernel: ordering by (time, insertion), cancellation, the
 * heap checked against a plain sorted array under random operations, run
 * control and real-time pacing with a fake clock. */
#include <stdlib.h>

#include "harness.h"
#include "sim/core/evq.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"

static int order_log[64];
static int order_n;

static void record(struct sim *sim, void *ctx)
{
	(void)sim;
	order_log[order_n++] = (int)(intptr_t)ctx;
}

static void test_order_and_ties(void)
{
	struct sim *sim = sim_new(1);
	int h = sim_handler(sim, record);
	order_n = 0;
	sim_at(sim, 30, h, (void *)3);
	sim_at(sim, 10, h, (void *)1);
	sim_at(sim, 20, h, (void *)2);
	sim_at(sim, 20, h, (void *)22); /* same time: after the earlier insert */
	sim_at(sim, 10, h, (void *)11);
	CHECK_EQ_INT(sim_run(sim), SIM_DRAINED);
	int want[] = {1, 11, 2, 22, 3};
	CHECK_EQ_INT(order_n, 5);
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(order_log[i], want[i]);
	CHECK_EQ_INT(sim_now(sim), 30);
	CHECK_EQ_INT(sim_events_run(sim), 5);
	sim_free(&sim);
	CHECK(sim == NULL);
}

static void test_cancel(void)
{
	struct sim *sim = sim_new(1);
	int h = sim_handler(sim, record);
	order_n = 0;
	sim_event_id a = sim_at(sim, 10, h, (void *)1);
	sim_event_id b = sim_at(sim, 20, h, (void *)2);
	sim_at(sim, 30, h, (void *)3);
	CHECK_EQ_INT(sim_cancel(sim, b), 1);
	CHECK_EQ_INT(sim_cancel(sim, b), 0); /* twice: harmless */
	CHECK_EQ_INT(sim_cancel(sim, 0), 0);
	sim_run(sim);
	CHECK_EQ_INT(sim_cancel(sim, a), 0); /* already ran */
	CHECK_EQ_INT(order_n, 2);
	CHECK_EQ_INT(order_log[0], 1);
	CHECK_EQ_INT(order_log[1], 3);
	/* A stale id must not cancel the event that reuses its slot. */
	order_n = 0;
	sim_event_id c = sim_at(sim, 40, h, (void *)4);
	CHECK_EQ_INT(sim_cancel(sim, a), 0);
	CHECK_EQ_INT(sim_cancel(sim, b), 0);
	sim_run(sim);
	CHECK_EQ_INT(order_n, 1);
	CHECK(c != a && c != b);
	sim_free(&sim);
}

/* The heap against a plain array (the reference), under random pushes,
 * pops and cancels; then a deliberately wrong reference must disagree, to
 * prove the comparison can fail. */
struct ref_event {
	sim_time t;
	uint64_t seq;
	sim_event_id id;
	int live;
};

static int run_against_reference(int corrupt)
{
	struct evq *q = evq_new();
	int h = evq_handler(q, record);
	struct rng r;
	rng_init_stream(&r, 42, "evq-test");
	enum { N = 20000 };
	struct ref_event *ref = calloc(N, sizeof *ref);
	int n = 0, mismatches = 0;
	uint64_t seq = 0;
	for (int step = 0; step < N; step++) {
		uint64_t op = rng_below(&r, 10);
		if (op < 5 && n < N) {
			sim_time t = (sim_time)rng_below(&r, 1000);
			ref[n] = (struct ref_event){t, seq++, evq_push(q, t, h, (void *)(intptr_t)n), 1};
			n++;
		} else if (op < 7 && n > 0) {
			int victim = (int)rng_below(&r, (uint64_t)n);
			int got = evq_cancel(q, ref[victim].id);
			if (got != ref[victim].live)
				mismatches++;
			ref[victim].live = 0;
		} else {
			int best = -1;
			for (int i = 0; i < n; i++)
				if (ref[i].live && (best < 0 || ref[i].t < ref[best].t ||
						    (ref[i].t == ref[best].t && ref[i].seq < ref[best].seq)))
					best = i;
			if (corrupt && best >= 0)
				best = n - 1; /* the wrong answer */
			sim_time t;
			evq_fn fn;
			void *ctx;
			int popped = evq_pop(q, &t, &fn, &ctx);
			if (popped != (best >= 0) || (popped && (int)(intptr_t)ctx != best))
				mismatches++;
			if (best >= 0)
				ref[best].live = 0;
			if (popped && corrupt)
				ref[(int)(intptr_t)ctx].live = 0;
		}
	}
	size_t live = 0;
	for (int i = 0; i < n; i++)
		live += ref[i].live;
	if (!corrupt && live != evq_size(q))
		mismatches++;
	free(ref);
	evq_free(&q);
	return mismatches;
}

static void test_against_reference(void)
{
	CHECK_EQ_INT(run_against_reference(0), 0);
	CHECK(run_against_reference(1) > 0);
	CHECK_EQ_INT(evq_bytes_per_event(), 32);
}

static struct sim *chain_sim;
static int chain_h, chain_left;
static void chain(struct sim *sim, void *ctx)
{
	(void)ctx;
	if (--chain_left > 0)
		sim_after(sim, 7, chain_h, NULL);
	if (chain_left == 5)
		sim_stop(sim);
}

static void test_run_controls(void)
{
	struct sim *sim = sim_new(1);
	chain_sim = sim;
	chain_h = sim_handler(sim, chain);
	chain_left = 10;
	sim_at(sim, 0, chain_h, NULL);
	CHECK_EQ_INT(sim_step(sim), SIM_STEPPED);
	CHECK_EQ_INT(sim_events_run(sim), 1);
	CHECK_EQ_INT(sim_run_until(sim, 14), SIM_REACHED); /* runs t=7, t=14 */
	CHECK_EQ_INT(sim_events_run(sim), 3);
	CHECK_EQ_INT(sim_now(sim), 14);
	CHECK_EQ_INT(sim_run_until(sim, 15), SIM_REACHED);
	CHECK_EQ_INT(sim_now(sim), 15);
	CHECK_EQ_INT(sim_run(sim), SIM_STOPPED); /* chain_left hits 5 */
	CHECK_EQ_INT(sim_events_run(sim), 5);
	CHECK_EQ_INT(sim_run(sim), SIM_DRAINED);
	CHECK_EQ_INT(sim_events_run(sim), 10);
	CHECK_EQ_INT(sim_now(sim), 63);
	CHECK_EQ_INT(sim_step(sim), SIM_DRAINED);
	sim_fail(sim, "broken %d", 7);
	CHECK_STR(sim_error(sim), "broken 7");
	CHECK_EQ_INT(sim_run(sim), SIM_FAILED);
	sim_free(&sim);
}

/* Real-time pacing against a fake wall clock: simulated time must advance
 * at speed times wall time, so the sleeps add up to (span / speed). */
struct fake_clock {
	int64_t now;
	int64_t slept;
	int sleeps;
};
static int64_t fake_wall(void *ctx) { return ((struct fake_clock *)ctx)->now; }
static void fake_sleep(void *ctx, int64_t ns)
{
	struct fake_clock *f = ctx;
	f->now += ns;
	f->slept += ns;
	f->sleeps++;
}

static void test_realtime(void)
{
	struct sim *sim = sim_new(1);
	struct fake_clock fc = {1000000, 0, 0};
	struct sim_clock clock = {fake_wall, fake_sleep, &fc, 0};
	sim_set_clock(sim, &clock);
	int h = sim_handler(sim, record);
	order_n = 0;
	sim_at(sim, 1 * SIM_S, h, (void *)1);
	sim_at(sim, 3 * SIM_S, h, (void *)2);
	CHECK_EQ_INT(sim_run_realtime(sim, 2.0, SIM_TIME_NEVER), SIM_DRAINED);
	CHECK_EQ_INT(order_n, 2);
	CHECK_EQ_INT(fc.slept, 1500 * SIM_MS); /* 3 s of simulation at 2x */
	CHECK_EQ_INT(sim_now(sim), 3 * SIM_S);
	/* Until a time with no events: sleeps to it and stops there. */
	CHECK_EQ_INT(sim_run_realtime(sim, 1.0, 4 * SIM_S), SIM_REACHED);
	CHECK_EQ_INT(sim_now(sim), 4 * SIM_S);
	CHECK_EQ_INT(fc.slept, 2500 * SIM_MS);
	sim_free(&sim);
}

/* With early_ns, an event due within that much wall time runs without a
 * sleep, and earliness never accumulates: a later event far enough away is
 * slept for exactly up to its own wall time. */
static void test_realtime_early(void)
{
	struct sim *sim = sim_new(1);
	struct fake_clock fc = {1000000, 0, 0};
	struct sim_clock clock = {fake_wall, fake_sleep, &fc, 50 * SIM_US};
	sim_set_clock(sim, &clock);
	int h = sim_handler(sim, record);
	order_n = 0;
	for (int i = 1; i <= 10; i++)
		sim_at(sim, i * 10 * SIM_US, h, (void *)(intptr_t)i);
	sim_at(sim, 10 * SIM_MS, h, (void *)11);
	CHECK_EQ_INT(sim_run_realtime(sim, 1.0, SIM_TIME_NEVER), SIM_DRAINED);
	CHECK_EQ_INT(order_n, 11);
	/* The fake wall clock stands still while events run: those due within
	 * 50 us of it (10 to 50 us) ran at once, the 60 us one needed a sleep
	 * (to its own time), after which 70 to 100 us were within reach again;
	 * the 10 ms event was slept for up to its own time, counted from the
	 * run's start: 10 ms of sleep in all, nothing lost or gained. */
	CHECK_EQ_INT(fc.sleeps, 2);
	CHECK_EQ_INT(fc.slept, 10 * SIM_MS);
	sim_free(&sim);
}

static void test_rng_streams(void)
{
	struct rng a, b, c;
	rng_init_stream(&a, 7, "link:0:0:loss");
	rng_init_stream(&b, 7, "link:0:0:loss");
	rng_init_stream(&c, 7, "link:0:1:loss");
	int same = 0, differ = 0;
	for (int i = 0; i < 100; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
		same += x == y;
		differ += x != z;
	}
	CHECK_EQ_INT(same, 100);
	CHECK(differ > 95);
	rng_init_stream(&a, 8, "link:0:0:loss");
	rng_init_stream(&b, 7, "link:0:0:loss");
	CHECK(rng_next(&a) != rng_next(&b));
	/* Bounds and rough uniformity. */
	int buckets[10] = {0};
	for (int i = 0; i < 100000; i++) {
		uint64_t v = rng_below(&a, 10);
		REQUIRE(v < 10);
		buckets[v]++;
	}
	for (int i = 0; i < 10; i++)
		CHECK(buckets[i] > 9000 && buckets[i] < 11000);
	for (int i = 0; i < 1000; i++) {
		int64_t v = rng_range(&a, -5, 5);
		REQUIRE(v >= -5 && v <= 5);
	}
	CHECK_EQ_INT(rng_chance(&a, 0.0), 0);
	CHECK_EQ_INT(rng_chance(&a, 1.0), 1);
}

static void test_time_parse(void)
{
	sim_time t;
	CHECK(sim_time_parse("5ms", &t) == 0 && t == 5 * SIM_MS);
	CHECK(sim_time_parse("1.5s", &t) == 0 && t == 1500 * SIM_MS);
	CHECK(sim_time_parse("200us", &t) == 0 && t == 200 * SIM_US);
	CHECK(sim_time_parse("10ns", &t) == 0 && t == 10);
	CHECK(sim_time_parse("2m", &t) == 0 && t == 120 * SIM_S);
	CHECK(sim_time_parse("5", &t) < 0);
	CHECK(sim_time_parse("-1s", &t) < 0);
	CHECK(sim_time_parse("5 parsecs", &t) < 0);
	CHECK(sim_time_parse("", &t) < 0);
	CHECK(sim_time_parse("1e300s", &t) < 0);
	char buf[32];
	CHECK_STR(sim_time_format(1234567890, buf, sizeof buf), "1.234567890");
	CHECK_STR(sim_time_format(-5, buf, sizeof buf), "-0.000000005");
}

int main(void)
{
	RUN(test_order_and_ties);
	RUN(test_cancel);
	RUN(test_against_reference);
	RUN(test_run_controls);
	RUN(test_realtime);
	RUN(test_realtime_early);
	RUN(test_rng_streams);
	RUN(test_time_parse);
	return harness_done();
}

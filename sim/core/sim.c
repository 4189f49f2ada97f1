/* The simulation kernel: run loops over the event queue. See sim.h. */
#include "sim/core/sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/core/bus.h"

struct sim {
	sim_time now;
	uint64_t seed;
	uint64_t events_run;
	struct evq *queue;
	struct obs_bus *bus;
	int stop_requested;
	int failed;
	char error[256];
	struct sim_clock clock;
};

static int64_t system_wall_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void system_sleep_ns(void *ctx, int64_t ns)
{
	(void)ctx;
	if (ns <= 0)
		return;
	struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct sim_clock system_clock = {system_wall_ns, system_sleep_ns, NULL, 0};

struct sim *sim_new(uint64_t seed)
{
	struct sim *sim = calloc(1, sizeof *sim);
	if (!sim)
		return NULL;
	sim->seed = seed;
	sim->queue = evq_new();
	sim->bus = bus_new();
	sim->clock = system_clock;
	if (!sim->queue || !sim->bus) {
		sim_free(&sim);
		return NULL;
	}
	return sim;
}

void sim_free(struct sim **simp)
{
	if (!simp || !*simp)
		return;
	evq_free(&(*simp)->queue);
	bus_free(&(*simp)->bus);
	free(*simp);
	*simp = NULL;
}

sim_time sim_now(const struct sim *sim) { return sim->now; }
uint64_t sim_seed(const struct sim *sim) { return sim->seed; }
struct obs_bus *sim_bus(struct sim *sim) { return sim->bus; }
uint64_t sim_events_run(const struct sim *sim) { return sim->events_run; }
size_t sim_events_pending(const struct sim *sim) { return evq_size(sim->queue); }
sim_time sim_next_time(const struct sim *sim) { return evq_peek_time(sim->queue); }
size_t sim_queue_memory(const struct sim *sim) { return evq_memory(sim->queue); }

void sim_rng(const struct sim *sim, const char *name, struct rng *r) { rng_init_stream(r, sim->seed, name); }

int sim_handler(struct sim *sim, sim_fn fn)
{
	int h = evq_handler(sim->queue, fn);
	if (h < 0)
		sim_fail(sim, "out of memory registering an event handler");
	return h;
}

sim_event_id sim_at(struct sim *sim, sim_time t, int handler, void *ctx)
{
	if (t < sim->now)
		t = sim->now;
	sim_event_id id = evq_push(sim->queue, t, handler, ctx);
	if (!id)
		sim_fail(sim, "event queue exhausted (%zu events pending, %llu run)", evq_size(sim->queue),
			 (unsigned long long)sim->events_run);
	return id;
}

sim_event_id sim_after(struct sim *sim, sim_time delay, int handler, void *ctx)
{
	if (delay < 0)
		delay = 0;
	sim_time t = sim->now > SIM_TIME_NEVER - delay ? SIM_TIME_NEVER : sim->now + delay;
	return sim_at(sim, t, handler, ctx);
}

int sim_cancel(struct sim *sim, sim_event_id id) { return evq_cancel(sim->queue, id); }

void sim_stop(struct sim *sim) { sim->stop_requested = 1; }

void sim_fail(struct sim *sim, const char *fmt, ...)
{
	if (!sim->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(sim->error, sizeof sim->error, fmt, ap);
		va_end(ap);
	}
	sim->failed = 1;
	sim->stop_requested = 1;
}

const char *sim_error(const struct sim *sim) { return sim->failed ? sim->error : NULL; }

static inline void run_one(struct sim *sim)
{
	sim_time t;
	evq_fn fn;
	void *ctx;
	evq_pop(sim->queue, &t, &fn, &ctx);
	sim->now = t;
	sim->events_run++;
	fn(sim, ctx);
}

enum sim_stop_reason sim_step(struct sim *sim)
{
	if (sim->failed)
		return SIM_FAILED;
	if (evq_size(sim->queue) == 0)
		return SIM_DRAINED;
	run_one(sim);
	return sim->failed ? SIM_FAILED : SIM_STEPPED;
}

static enum sim_stop_reason after_stop(struct sim *sim)
{
	sim->stop_requested = 0;
	return sim->failed ? SIM_FAILED : SIM_STOPPED;
}

enum sim_stop_reason sim_run_until(struct sim *sim, sim_time until)
{
	if (sim->failed)
		return SIM_FAILED;
	sim->stop_requested = 0;
	for (;;) {
		sim_time next = evq_peek_time(sim->queue);
		if (next == SIM_TIME_NEVER && evq_size(sim->queue) == 0)
			return SIM_DRAINED;
		if (next > until) {
			if (until > sim->now)
				sim->now = until;
			return SIM_REACHED;
		}
		run_one(sim);
		if (sim->stop_requested)
			return after_stop(sim);
	}
}

enum sim_stop_reason sim_run(struct sim *sim) { return sim_run_until(sim, SIM_TIME_NEVER); }

void sim_set_clock(struct sim *sim, const struct sim_clock *clock) { sim->clock = clock ? *clock : system_clock; }

enum sim_stop_reason sim_run_realtime(struct sim *sim, double speed, sim_time until)
{
	if (sim->failed)
		return SIM_FAILED;
	if (!(speed > 0))
		speed = 1.0;
	sim->stop_requested = 0;
	const struct sim_clock *c = &sim->clock;
	int64_t wall0 = c->wall_ns(c->ctx);
	sim_time sim0 = sim->now;
	for (;;) {
		sim_time next = evq_peek_time(sim->queue);
		sim_time target = next < until ? next : until;
		if (target == SIM_TIME_NEVER)
			return SIM_DRAINED;
		/* Sleep until wall time catches up with the next event. Sleep may
		 * return early (the bridge polls sockets in it and may schedule
		 * new, earlier events), so look again after every wake-up. */
		int64_t due = wall0 + (int64_t)((double)(target - sim0) / speed);
		int64_t wall = c->wall_ns(c->ctx);
		if (wall + c->early_ns < due) {
			c->sleep_ns(c->ctx, due - wall);
			if (sim->stop_requested)
				return after_stop(sim);
			if (c->wall_ns(c->ctx) + c->early_ns < due || evq_peek_time(sim->queue) < next)
				continue;
		}
		if (next > until) {
			if (until > sim->now)
				sim->now = until;
			return SIM_REACHED;
		}
		run_one(sim);
		if (sim->stop_requested)
			return after_stop(sim);
	}
}

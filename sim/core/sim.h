/* The simulation kernel: simulated clock, event scheduling, run control,
 * seeded randomness and the observation bus of one run.
 *
 * Single-threaded and deterministic: events run in (time, insertion order),
 * and all randomness comes from named streams of the run's seed (rng.h).
 * Handlers may schedule and cancel events, and may call sim_stop().
 *
 * Typical use:
 *   struct sim *sim = sim_new(seed);
 *   int h = sim_handler(sim, on_timer);        // once per handler function
 *   sim_after(sim, 5 * SIM_MS, h, ctx);
 *   sim_run(sim);
 *   sim_free(&sim);
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdint.h>

#include "sim/core/evq.h"
#include "sim/core/rng.h"
#include "sim/core/time.h"

struct sim;
struct obs_bus;

typedef evq_fn sim_fn; /* void fn(struct sim *sim, void *ctx) */

/* Why a run loop returned. */
enum sim_stop_reason {
	SIM_DRAINED,   /* no events left */
	SIM_REACHED,   /* the requested time was reached */
	SIM_STOPPED,   /* a handler called sim_stop() */
	SIM_FAILED,    /* sim_fail() was called or a kernel limit was hit */
	SIM_STEPPED,   /* sim_step ran one event */
};

/* Wall clock used for real-time pacing; replaceable for tests and for the
 * bridge, whose sleep polls real sockets. Times in nanoseconds. */
struct sim_clock {
	int64_t (*wall_ns)(void *ctx);
	/* Waits up to ns nanoseconds (may return early). */
	void (*sleep_ns)(void *ctx, int64_t ns);
	void *ctx;
	/* An event may run up to this long before its wall time: a wait that
	 * short is not worth a sleep, which the OS ends tens of microseconds
	 * late on a busy machine anyway. Never accumulates (times are counted
	 * from the run's start). 0: events never run early. */
	int64_t early_ns;
};

/* A new kernel at time 0 with the given seed; NULL on ENOMEM. */
struct sim *sim_new(uint64_t seed);
/* Frees the kernel and its bus; pending events are dropped unrun. Accepts
 * NULL; sets *sim to NULL. Free everything that schedules events first. */
void sim_free(struct sim **sim);

sim_time sim_now(const struct sim *sim);
uint64_t sim_seed(const struct sim *sim);
struct obs_bus *sim_bus(struct sim *sim);
/* Number of events run so far. */
uint64_t sim_events_run(const struct sim *sim);
size_t sim_events_pending(const struct sim *sim);
/* Time of the next pending event, SIM_TIME_NEVER if none: lets a caller
 * (the viewer) run events one at a time up to a time with a cap. */
sim_time sim_next_time(const struct sim *sim);
/* Bytes of event-queue memory (for benchmarks). */
size_t sim_queue_memory(const struct sim *sim);

/* Seeds r as the stream called name of this run's seed. */
void sim_rng(const struct sim *sim, const char *name, struct rng *r);

/* Registers a handler function; returns its number for sim_at/sim_after.
 * Registering the same function again returns the same number. */
int sim_handler(struct sim *sim, sim_fn fn);
/* Schedules handler at absolute time t (clamped to now if earlier). Returns
 * the event id, or 0 after marking the run failed (queue limit or ENOMEM). */
sim_event_id sim_at(struct sim *sim, sim_time t, int handler, void *ctx);
sim_event_id sim_after(struct sim *sim, sim_time delay, int handler, void *ctx);
/* Cancels a pending event; 1 if it was pending, 0 otherwise. */
int sim_cancel(struct sim *sim, sim_event_id id);

/* Runs the earliest event. Returns SIM_STEPPED, or SIM_DRAINED if none. */
enum sim_stop_reason sim_step(struct sim *sim);
/* Runs every event with time <= until, then advances the clock to until
 * (SIM_REACHED), unless the queue drains, a handler stops the run or it
 * fails first. until = SIM_TIME_NEVER runs to completion. */
enum sim_stop_reason sim_run_until(struct sim *sim, sim_time until);
enum sim_stop_reason sim_run(struct sim *sim);
/* Like sim_run_until, but paced so that simulated time advances at speed
 * times wall time (speed 2.0: twice as fast as real time). */
enum sim_stop_reason sim_run_realtime(struct sim *sim, double speed, sim_time until);
/* Replaces the wall clock (NULL restores the system's monotonic clock). */
void sim_set_clock(struct sim *sim, const struct sim_clock *clock);

/* Asks the running loop to return after the current event. */
void sim_stop(struct sim *sim);
/* Marks the run failed with a message (printf format) and stops it. The
 * first failure's message is kept. */
void sim_fail(struct sim *sim, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The failure message, or NULL if the run has not failed. */
const char *sim_error(const struct sim *sim);

#endif

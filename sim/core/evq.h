/* The event queue: pending events ordered by (time, insertion sequence).
 *
 * An implicit 4-ary min-heap of 16-byte entries {time, key} over a pool of
 * 16-byte slots {ctx, heap position, handler}: 32 bytes per pending event, no
 * allocation per event once the arrays have grown to the peak population.
 * key = sequence << 24 | slot, so comparing keys compares insertion order and
 * a key names its event uniquely: it doubles as the cancellation handle.
 *
 * Handlers are registered once (evq_handler) and named by a small integer,
 * which keeps a function pointer out of every slot.
 *
 * Limits: 16,777,215 events pending at once; 2^40 events pushed in one run.
 * Past either, evq_push returns 0 and the caller reports the run as failed. */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

/* Identifies one pending event; 0 is never a valid id. */
typedef uint64_t sim_event_id;

struct sim;
/* The caller of evq_pop runs the handler with its struct sim (the kernel
 * passes itself; bare-queue tests may pass NULL). */
typedef void (*evq_fn)(struct sim *owner, void *ctx);

struct evq;

/* A new empty queue, or NULL on ENOMEM. */
struct evq *evq_new(void);
/* Frees the queue and sets *q to NULL; pending events are dropped unrun.
 * Accepts NULL and a pointer to NULL. */
void evq_free(struct evq **q);

/* Registers fn and returns its handler number (the same number for the same
 * fn), or -1 when memory runs out. */
int evq_handler(struct evq *q, evq_fn fn);

/* Schedules handler (a number from evq_handler) with ctx at time t. Returns
 * the event's id, or 0 when a limit or memory is exhausted. */
sim_event_id evq_push(struct evq *q, sim_time t, int handler, void *ctx);

/* Cancels a pending event. Returns 1 if it was pending, 0 if it had already
 * run or been cancelled (ids are never reused, so a stale id is harmless). */
int evq_cancel(struct evq *q, sim_event_id id);

/* Removes the earliest event. Returns 0 when empty, else 1 with its time,
 * function and context in the out parameters. */
int evq_pop(struct evq *q, sim_time *t_r, evq_fn *fn_r, void **ctx_r);

/* Time of the earliest event, SIM_TIME_NEVER when empty. */
sim_time evq_peek_time(const struct evq *q);
size_t evq_size(const struct evq *q);
/* Bytes held by the heap and slot arrays (for the benchmarks). */
size_t evq_memory(const struct evq *q);
/* Bytes of bookkeeping per pending event (the 32 of the design). */
size_t evq_bytes_per_event(void);

#endif

/* A minimal event loop over a plain binary min-heap: the yardstick for the
 * kernel benchmark (bench_kernel.c). Deliberately the simplest thing that
 * works: 32-byte entries {time, seq, fn, ctx} ordered by (time, seq), no
 * cancellation, no handler table, array doubling. Not used by the simulator. */
#ifndef SIM_BENCH_REF_HEAP_H
#define SIM_BENCH_REF_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct ref_heap;
typedef void (*ref_heap_fn)(struct ref_heap *h, void *ctx);

/* NULL on ENOMEM. */
struct ref_heap *ref_heap_new(void);
/* Accepts NULL; sets *h to NULL. */
void ref_heap_free(struct ref_heap **h);
/* Schedules fn(ctx) at time t. Returns 0, or -1 on ENOMEM. */
int ref_heap_push(struct ref_heap *h, int64_t t, ref_heap_fn fn, void *ctx);
/* Runs the earliest events, at most max of them; returns how many ran. */
uint64_t ref_heap_run(struct ref_heap *h, uint64_t max);
int64_t ref_heap_now(const struct ref_heap *h);
size_t ref_heap_size(const struct ref_heap *h);
/* Bytes of the entry array (its capacity, like evq_memory). */
size_t ref_heap_memory(const struct ref_heap *h);
size_t ref_heap_bytes_per_event(void);

#endif

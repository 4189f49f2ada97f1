/* Event queue: implicit 4-ary heap over a slot pool. See evq.h.
 *
 * Invariant: for every pending event in slot s at heap position p,
 * heap[p].key & SLOT_MASK == s and slots[s].heap_pos == p. A free slot's
 * heap_pos field links the free list. */
#include "sim/core/evq.h"

#include <stdlib.h>

#define SLOT_BITS 24
#define SLOT_MASK ((1ull << SLOT_BITS) - 1)
#define MAX_SLOTS SLOT_MASK /* slot index SLOT_MASK is reserved as "none" */
#define MAX_SEQ ((1ull << (64 - SLOT_BITS)) - 1)
#define NO_SLOT ((uint32_t)SLOT_MASK)

struct heap_entry {
	sim_time time;
	uint64_t key;
};

struct slot {
	void *ctx;
	uint32_t heap_pos;
	uint32_t handler;
};

struct evq {
	struct heap_entry *heap;
	size_t size, heap_cap;
	struct slot *slots;
	uint32_t slot_cap, free_head, slots_used;
	uint64_t next_seq;
	evq_fn *handlers;
	int handler_count, handler_cap;
};

_Static_assert(sizeof(struct heap_entry) + sizeof(struct slot) == 32, "32 bytes per pending event");

struct evq *evq_new(void)
{
	struct evq *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->free_head = NO_SLOT;
	q->next_seq = 1;
	return q;
}

void evq_free(struct evq **qp)
{
	if (!qp || !*qp)
		return;
	struct evq *q = *qp;
	free(q->heap);
	free(q->slots);
	free(q->handlers);
	free(q);
	*qp = NULL;
}

int evq_handler(struct evq *q, evq_fn fn)
{
	for (int i = 0; i < q->handler_count; i++)
		if (q->handlers[i] == fn)
			return i;
	if (q->handler_count == q->handler_cap) {
		int cap = q->handler_cap ? q->handler_cap * 2 : 16;
		evq_fn *h = realloc(q->handlers, (size_t)cap * sizeof *h);
		if (!h)
			return -1;
		q->handlers = h;
		q->handler_cap = cap;
	}
	q->handlers[q->handler_count] = fn;
	return q->handler_count++;
}

/* Branch-free on purpose: event times are random, so a branchy
 * comparison mispredicts about half the time on every heap level. */
static inline int entry_less(const struct heap_entry *a, const struct heap_entry *b)
{
	return (a->time < b->time) | ((a->time == b->time) & (a->key < b->key));
}

static void sift_up(struct evq *q, size_t pos, struct heap_entry e)
{
	struct heap_entry *heap = q->heap;
	while (pos > 0) {
		size_t parent = (pos - 1) >> 2;
		if (!entry_less(&e, &heap[parent]))
			break;
		heap[pos] = heap[parent];
		q->slots[heap[pos].key & SLOT_MASK].heap_pos = (uint32_t)pos;
		pos = parent;
	}
	heap[pos] = e;
	q->slots[e.key & SLOT_MASK].heap_pos = (uint32_t)pos;
}

static void sift_down(struct evq *q, size_t pos, struct heap_entry e)
{
	struct heap_entry *heap = q->heap;
	size_t n = q->size;
	for (;;) {
		size_t first = (pos << 2) + 1;
		if (first >= n)
			break;
		size_t best;
		if (first + 4 <= n) {
			/* The common case, a full family: a tournament of two
			 * pairs, selected without branches. */
			size_t a = first + entry_less(&heap[first + 1], &heap[first]);
			size_t b = first + 2 + entry_less(&heap[first + 3], &heap[first + 2]);
			best = entry_less(&heap[b], &heap[a]) ? b : a;
		} else {
			best = first;
			for (size_t c = first + 1; c < n; c++)
				if (entry_less(&heap[c], &heap[best]))
					best = c;
		}
		if (!entry_less(&heap[best], &e))
			break;
		heap[pos] = heap[best];
		q->slots[heap[pos].key & SLOT_MASK].heap_pos = (uint32_t)pos;
		pos = best;
	}
	heap[pos] = e;
	q->slots[e.key & SLOT_MASK].heap_pos = (uint32_t)pos;
}

static int grow(struct evq *q)
{
	if (q->size == q->heap_cap) {
		size_t cap = q->heap_cap ? q->heap_cap * 2 : 256;
		struct heap_entry *h = realloc(q->heap, cap * sizeof *h);
		if (!h)
			return -1;
		q->heap = h;
		q->heap_cap = cap;
	}
	if (q->free_head == NO_SLOT) {
		if (q->slot_cap >= MAX_SLOTS)
			return -1;
		uint32_t cap = q->slot_cap ? q->slot_cap * 2 : 256;
		if (cap > MAX_SLOTS)
			cap = MAX_SLOTS;
		struct slot *s = realloc(q->slots, (size_t)cap * sizeof *s);
		if (!s)
			return -1;
		q->slots = s;
		/* Thread the new slots onto the free list, lowest index first. */
		for (uint32_t i = cap; i-- > q->slot_cap;) {
			s[i].heap_pos = q->free_head;
			s[i].ctx = NULL;
			s[i].handler = 0;
			q->free_head = i;
		}
		q->slot_cap = cap;
	}
	return 0;
}

sim_event_id evq_push(struct evq *q, sim_time t, int handler, void *ctx)
{
	if (handler < 0 || handler >= q->handler_count || q->next_seq > MAX_SEQ)
		return 0;
	if ((q->size == q->heap_cap || q->free_head == NO_SLOT) && grow(q) < 0)
		return 0;
	uint32_t s = q->free_head;
	q->free_head = q->slots[s].heap_pos;
	q->slots[s].ctx = ctx;
	q->slots[s].handler = (uint32_t)handler;
	q->slots_used++;
	struct heap_entry e = {t, (q->next_seq++ << SLOT_BITS) | s};
	q->size++;
	sift_up(q, q->size - 1, e);
	return e.key;
}

static void release_slot(struct evq *q, uint32_t s)
{
	q->slots[s].heap_pos = q->free_head;
	q->slots[s].ctx = NULL;
	q->free_head = s;
	q->slots_used--;
}

/* Removes the entry at pos, keeping the heap valid. */
static void remove_at(struct evq *q, size_t pos)
{
	struct heap_entry last = q->heap[--q->size];
	if (pos == q->size)
		return;
	if (pos > 0 && entry_less(&last, &q->heap[(pos - 1) >> 2]))
		sift_up(q, pos, last);
	else
		sift_down(q, pos, last);
}

int evq_cancel(struct evq *q, sim_event_id id)
{
	uint64_t s = id & SLOT_MASK;
	if (id == 0 || s >= q->slot_cap)
		return 0;
	uint32_t pos = q->slots[s].heap_pos;
	if (pos >= q->size || q->heap[pos].key != id)
		return 0;
	remove_at(q, pos);
	release_slot(q, (uint32_t)s);
	return 1;
}

int evq_pop(struct evq *q, sim_time *t_r, evq_fn *fn_r, void **ctx_r)
{
	if (q->size == 0)
		return 0;
	struct heap_entry top = q->heap[0];
	uint32_t s = (uint32_t)(top.key & SLOT_MASK);
	*t_r = top.time;
	*fn_r = q->handlers[q->slots[s].handler];
	*ctx_r = q->slots[s].ctx;
	remove_at(q, 0);
	release_slot(q, s);
	return 1;
}

sim_time evq_peek_time(const struct evq *q) { return q->size ? q->heap[0].time : SIM_TIME_NEVER; }

size_t evq_size(const struct evq *q) { return q->size; }

size_t evq_memory(const struct evq *q)
{
	return q->heap_cap * sizeof(struct heap_entry) + (size_t)q->slot_cap * sizeof(struct slot);
}

size_t evq_bytes_per_event(void) { return sizeof(struct heap_entry) + sizeof(struct slot); }

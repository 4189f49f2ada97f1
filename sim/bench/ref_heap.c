/* The reference binary heap of the kernel benchmark. See ref_heap.h. */
#include "sim/bench/ref_heap.h"

#include <stdlib.h>

struct ref_entry {
	int64_t time;
	uint64_t seq;
	ref_heap_fn fn;
	void *ctx;
};

struct ref_heap {
	struct ref_entry *a;
	size_t n, cap;
	uint64_t seq;
	int64_t now;
};

static int before(const struct ref_entry *x, const struct ref_entry *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

struct ref_heap *ref_heap_new(void) { return calloc(1, sizeof(struct ref_heap)); }

void ref_heap_free(struct ref_heap **h)
{
	if (!h || !*h)
		return;
	free((*h)->a);
	free(*h);
	*h = NULL;
}

int ref_heap_push(struct ref_heap *h, int64_t t, ref_heap_fn fn, void *ctx)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct ref_entry *a = realloc(h->a, cap * sizeof *a);
		if (!a)
			return -1;
		h->a = a, h->cap = cap;
	}
	struct ref_entry e = {t, h->seq++, fn, ctx};
	size_t i = h->n++;
	while (i > 0 && before(&e, &h->a[(i - 1) / 2])) {
		h->a[i] = h->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->a[i] = e;
	return 0;
}

uint64_t ref_heap_run(struct ref_heap *h, uint64_t max)
{
	uint64_t ran = 0;
	while (ran < max && h->n > 0) {
		struct ref_entry top = h->a[0], last = h->a[--h->n];
		size_t i = 0;
		for (;;) {
			size_t c = 2 * i + 1;
			if (c >= h->n)
				break;
			if (c + 1 < h->n && before(&h->a[c + 1], &h->a[c]))
				c++;
			if (!before(&h->a[c], &last))
				break;
			h->a[i] = h->a[c];
			i = c;
		}
		h->a[i] = last;
		h->now = top.time;
		ran++;
		top.fn(h, top.ctx);
	}
	return ran;
}

int64_t ref_heap_now(const struct ref_heap *h) { return h->now; }
size_t ref_heap_size(const struct ref_heap *h) { return h->n; }
size_t ref_heap_memory(const struct ref_heap *h) { return h->cap * sizeof(struct ref_entry); }
size_t ref_heap_bytes_per_event(void) { return sizeof(struct ref_entry); }

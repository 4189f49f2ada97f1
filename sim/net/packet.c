/* The packet pool: free lists by capacity class (powers of two from 64 bytes
 * of payload up). Single-threaded like the rest of the simulator. */
#include "sim/net/packet.h"

#include <stdlib.h>
#include <string.h>

#define CLASS_COUNT 20 /* 64 B << 19 = 32 MiB: far above any MTU */
#define MIN_CAP 64u

static struct packet *free_lists[CLASS_COUNT];
static long live;

static int class_of(uint32_t len, uint32_t *cap_r)
{
	uint32_t cap = MIN_CAP;
	int c = 0;
	while (cap < len && c < CLASS_COUNT - 1) {
		cap <<= 1;
		c++;
	}
	*cap_r = cap;
	return cap >= len ? c : -1;
}

struct packet *packet_new(uint32_t len)
{
	uint32_t cap;
	int c = class_of(len, &cap);
	if (c < 0)
		return NULL;
	struct packet *p = free_lists[c];
	if (p) {
		free_lists[c] = p->next;
	} else {
		p = malloc(sizeof *p + cap);
		if (!p)
			return NULL;
	}
	memset(p, 0, sizeof *p);
	p->cap = cap;
	p->len = len;
	p->link = -1;
	p->ttl = 64;
	live++;
	return p;
}

void packet_free(struct packet **pp)
{
	if (!pp || !*pp)
		return;
	struct packet *p = *pp;
	uint32_t cap;
	int c = class_of(p->cap, &cap);
	p->next = free_lists[c];
	free_lists[c] = p;
	live--;
	*pp = NULL;
}

void packet_pool_drain(void)
{
	for (int c = 0; c < CLASS_COUNT; c++) {
		while (free_lists[c]) {
			struct packet *p = free_lists[c];
			free_lists[c] = p->next;
			free(p);
		}
	}
}

long packet_live_count(void) { return live; }

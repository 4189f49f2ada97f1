/* UDP over the simulated network. See udp.h. Bindings are a chained hash
 * on (host, port) that doubles as it fills: a resolver binds a fresh port
 * per query, so thousands can be bound at once. */
#include "sim/net/udp.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"

#define UDP_MAX_PAYLOAD 65507
#define EPHEMERAL_FIRST 49152
#define EPHEMERAL_COUNT 16384
#define INITIAL_BUCKETS 64

struct binding {
	struct binding *next;
	int host;
	uint16_t port;
	udp_recv_fn fn;
	void *ctx;
};

struct udp {
	struct net *net;
	struct binding **buckets;
	size_t nbuckets, count;
	uint16_t next_port;
};

static void udp_input(void *ctx, int host, struct packet *p);

struct udp *udp_new(struct net *net)
{
	struct udp *udp = calloc(1, sizeof *udp);
	if (!udp)
		return NULL;
	udp->net = net;
	udp->next_port = EPHEMERAL_FIRST;
	udp->buckets = calloc(INITIAL_BUCKETS, sizeof *udp->buckets);
	if (!udp->buckets) {
		free(udp);
		return NULL;
	}
	udp->nbuckets = INITIAL_BUCKETS;
	net_set_l4_handler(net, IPPROTO_SIM_UDP, udp_input, udp);
	return udp;
}

void udp_free(struct udp **udpp)
{
	if (!udpp || !*udpp)
		return;
	struct udp *udp = *udpp;
	for (size_t i = 0; i < udp->nbuckets; i++) {
		for (struct binding *b = udp->buckets[i], *n; b; b = n) {
			n = b->next;
			free(b);
		}
	}
	net_set_l4_handler(udp->net, IPPROTO_SIM_UDP, NULL, NULL);
	free(udp->buckets);
	free(udp);
	*udpp = NULL;
}

static size_t bucket_of(int host, uint16_t port, size_t nbuckets)
{
	uint64_t h = ((uint64_t)(uint32_t)host << 16 | port) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 32) & (nbuckets - 1);
}

static struct binding **slot(struct udp *udp, int host, uint16_t port)
{
	return &udp->buckets[bucket_of(host, port, udp->nbuckets)];
}

static void grow(struct udp *udp)
{
	size_t n = udp->nbuckets * 2;
	struct binding **nb = calloc(n, sizeof *nb);
	if (!nb)
		return; /* keep the smaller table: slower, still correct */
	for (size_t i = 0; i < udp->nbuckets; i++) {
		for (struct binding *b = udp->buckets[i], *next; b; b = next) {
			next = b->next;
			size_t j = bucket_of(b->host, b->port, n);
			b->next = nb[j];
			nb[j] = b;
		}
	}
	free(udp->buckets);
	udp->buckets = nb;
	udp->nbuckets = n;
}

static struct binding *find(struct udp *udp, int host, uint16_t port)
{
	for (struct binding *b = *slot(udp, host, port); b; b = b->next)
		if (b->host == host && b->port == port)
			return b;
	return NULL;
}

int udp_bind(struct udp *udp, int host, uint16_t port, udp_recv_fn fn, void *ctx)
{
	if (port == 0) {
		for (int i = 0; i < EPHEMERAL_COUNT && !port; i++) {
			uint16_t cand = udp->next_port;
			udp->next_port = (uint16_t)(cand + 1 >= EPHEMERAL_FIRST + EPHEMERAL_COUNT ? EPHEMERAL_FIRST
												 : cand + 1);
			if (!find(udp, host, cand))
				port = cand;
		}
		if (!port)
			return -1;
	} else if (find(udp, host, port)) {
		return -1;
	}
	struct binding *b = malloc(sizeof *b);
	if (!b)
		return -1;
	if (udp->count >= udp->nbuckets)
		grow(udp);
	struct binding **head = slot(udp, host, port);
	*b = (struct binding){*head, host, port, fn, ctx};
	*head = b;
	udp->count++;
	return port;
}

void udp_unbind(struct udp *udp, int host, uint16_t port)
{
	for (struct binding **pp = slot(udp, host, port); *pp; pp = &(*pp)->next) {
		if ((*pp)->host == host && (*pp)->port == port) {
			struct binding *b = *pp;
			*pp = b->next;
			free(b);
			udp->count--;
			return;
		}
	}
}

void udp_host_reset(struct udp *udp, int host)
{
	for (size_t i = 0; i < udp->nbuckets; i++) {
		for (struct binding **pp = &udp->buckets[i]; *pp;) {
			if ((*pp)->host == host) {
				struct binding *b = *pp;
				*pp = b->next;
				free(b);
				udp->count--;
			} else {
				pp = &(*pp)->next;
			}
		}
	}
}

int udp_send(struct udp *udp, int host, uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
	     size_t len)
{
	if (len > UDP_MAX_PAYLOAD)
		return -1;
	struct packet *p = packet_new((uint32_t)len);
	if (!p)
		return -1;
	p->proto = IPPROTO_SIM_UDP;
	p->src_ip = net_source_ip(udp->net, host, dst_ip);
	p->dst_ip = dst_ip;
	p->src_port = src_port;
	p->dst_port = dst_port;
	if (len)
		memcpy(p->data, data, len);
	net_send(udp->net, host, p, 0);
	return 0;
}

static void udp_input(void *ctx, int host, struct packet *p)
{
	struct udp *udp = ctx;
	struct binding *b = find(udp, host, p->dst_port);
	if (!b) {
		net_drop_unclaimed(udp->net, host, p);
		return;
	}
	b->fn(b->ctx, host, p->src_ip, p->src_port, p->dst_port, p->data, p->len);
	packet_free(&p);
}

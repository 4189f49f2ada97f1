/* The simulated network: hosts, links, routing and packet movement. See net.h.
 *
 * A packet crossing a link costs one event (its arrival at the far end);
 * queueing needs none: each link direction remembers when its transmitter
 * is next free (busy_until), so the backlog in bytes is (busy_until - now)
 * times the bandwidth, and drop-tail compares that with the queue limit.
 * Packets on links are kept in an in-flight list so net_free can cancel
 * their arrivals and return them to the pool. */
#include "sim/net/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/packet.h"

struct iface {
	uint32_t ip;
	int link; /* -1 until joined */
};

struct host {
	char *name;
	struct iface *ifaces;
	int iface_count, iface_cap;
	int32_t *route_link; /* per destination host; NULL: single interface */
	uint16_t next_ip_id;
	int down; /* crashed: sends nothing, receives and forwards nothing */
};

struct link_dir {
	sim_time busy_until;
	sim_time last_arrival; /* keeps each direction FIFO when latency changes */
	struct rng loss_rng;
};

struct link {
	int host[2], iface[2];
	struct link_params p;
	int up;
	uint32_t epoch; /* bumped when the link goes down: in-flight packets die */
	struct link_dir dir[2];
	char *name;
};

struct route_override {
	int host, dest, link;
};

struct ip_slot {
	uint32_t ip; /* 0: empty */
	int32_t host;
};

struct net {
	struct sim *sim;
	struct obs_bus *bus;
	struct host *hosts;
	int host_count, host_cap;
	struct link *links;
	int link_count, link_cap;
	struct route_override *overrides;
	int override_count, override_cap;
	struct ip_slot *ip_table;
	size_t ip_cap, ip_used;
	int32_t *name_table; /* host index + 1; 0 empty */
	size_t name_cap;
	net_l4_fn l4_fn[2];
	void *l4_ctx[2];
	int h_arrive;
	int finalized;
	uint64_t next_packet_id;
	struct packet *in_flight;
	struct net_stats stats;
};

struct link_params link_params_default(void)
{
	return (struct link_params){1 * SIM_MS, 100000000ull, 0.0, 1500, 65536};
}

static void on_arrive(struct sim *sim, void *ctx);

struct net *net_new(struct sim *sim)
{
	struct net *net = calloc(1, sizeof *net);
	if (!net)
		return NULL;
	net->sim = sim;
	net->bus = sim_bus(sim);
	net->h_arrive = sim_handler(sim, on_arrive);
	if (net->h_arrive < 0) {
		free(net);
		return NULL;
	}
	return net;
}

void net_free(struct net **netp)
{
	if (!netp || !*netp)
		return;
	struct net *net = *netp;
	while (net->in_flight) {
		struct packet *p = net->in_flight;
		net->in_flight = p->next;
		sim_cancel(net->sim, p->event);
		packet_free(&p);
	}
	for (int i = 0; i < net->host_count; i++) {
		free(net->hosts[i].name);
		free(net->hosts[i].ifaces);
		free(net->hosts[i].route_link);
	}
	for (int i = 0; i < net->link_count; i++)
		free(net->links[i].name);
	free(net->hosts);
	free(net->links);
	free(net->overrides);
	free(net->ip_table);
	free(net->name_table);
	free(net);
	*netp = NULL;
}

struct sim *net_sim(const struct net *net) { return net->sim; }

/* ---- lookup tables ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static inline size_t hash_ip(uint32_t ip) { return (size_t)((ip * 0x9e3779b97f4a7c15ull) >> 32); }

static int name_table_grow(struct net *net)
{
	size_t cap = net->name_cap ? net->name_cap * 2 : 64;
	int32_t *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (int i = 0; i < net->host_count; i++) {
		size_t j = hash_str(net->hosts[i].name) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = i + 1;
	}
	free(net->name_table);
	net->name_table = t;
	net->name_cap = cap;
	return 0;
}

int net_host_by_name(const struct net *net, const char *name)
{
	if (!net->name_cap || !name)
		return -1;
	size_t j = hash_str(name) & (net->name_cap - 1);
	while (net->name_table[j]) {
		int h = net->name_table[j] - 1;
		if (strcmp(net->hosts[h].name, name) == 0)
			return h;
		j = (j + 1) & (net->name_cap - 1);
	}
	return -1;
}

static int ip_table_insert(struct net *net, uint32_t ip, int host)
{
	if ((net->ip_used + 1) * 2 > net->ip_cap) {
		size_t cap = net->ip_cap ? net->ip_cap * 2 : 64;
		struct ip_slot *t = calloc(cap, sizeof *t);
		if (!t)
			return -1;
		for (size_t i = 0; i < net->ip_cap; i++) {
			if (!net->ip_table[i].ip)
				continue;
			size_t j = hash_ip(net->ip_table[i].ip) & (cap - 1);
			while (t[j].ip)
				j = (j + 1) & (cap - 1);
			t[j] = net->ip_table[i];
		}
		free(net->ip_table);
		net->ip_table = t;
		net->ip_cap = cap;
	}
	size_t j = hash_ip(ip) & (net->ip_cap - 1);
	while (net->ip_table[j].ip)
		j = (j + 1) & (net->ip_cap - 1);
	net->ip_table[j] = (struct ip_slot){ip, host};
	net->ip_used++;
	return 0;
}

int net_host_by_ip(const struct net *net, uint32_t ip)
{
	if (!net->ip_cap || !ip)
		return -1;
	size_t j = hash_ip(ip) & (net->ip_cap - 1);
	while (net->ip_table[j].ip) {
		if (net->ip_table[j].ip == ip)
			return net->ip_table[j].host;
		j = (j + 1) & (net->ip_cap - 1);
	}
	return -1;
}

/* ---- building ---- */

int net_add_host(struct net *net, const char *name)
{
	if (net->finalized || !name || !*name || net_host_by_name(net, name) >= 0)
		return -1;
	if (net->host_count == net->host_cap) {
		int cap = net->host_cap ? net->host_cap * 2 : 16;
		struct host *h = realloc(net->hosts, (size_t)cap * sizeof *h);
		if (!h)
			return -1;
		net->hosts = h;
		net->host_cap = cap;
	}
	if ((size_t)(net->host_count + 1) * 2 > net->name_cap && name_table_grow(net) < 0)
		return -1;
	char *copy = strdup(name);
	if (!copy)
		return -1;
	int id = net->host_count++;
	net->hosts[id] = (struct host){.name = copy};
	size_t j = hash_str(name) & (net->name_cap - 1);
	while (net->name_table[j])
		j = (j + 1) & (net->name_cap - 1);
	net->name_table[j] = id + 1;
	return id;
}

int net_add_iface(struct net *net, int host, uint32_t ip)
{
	if (net->finalized || host < 0 || host >= net->host_count || ip == 0 || net_host_by_ip(net, ip) >= 0)
		return -1;
	struct host *h = &net->hosts[host];
	if (h->iface_count == h->iface_cap) {
		int cap = h->iface_cap ? h->iface_cap * 2 : 1;
		struct iface *f = realloc(h->ifaces, (size_t)cap * sizeof *f);
		if (!f)
			return -1;
		h->ifaces = f;
		h->iface_cap = cap;
	}
	if (ip_table_insert(net, ip, host) < 0)
		return -1;
	h->ifaces[h->iface_count] = (struct iface){ip, -1};
	return h->iface_count++;
}

static int valid_iface(const struct net *net, int host, int iface)
{
	return host >= 0 && host < net->host_count && iface >= 0 && iface < net->hosts[host].iface_count;
}

int net_add_link(struct net *net, int host_a, int iface_a, int host_b, int iface_b, const struct link_params *p)
{
	if (net->finalized || !valid_iface(net, host_a, iface_a) || !valid_iface(net, host_b, iface_b) ||
	    host_a == host_b || net->hosts[host_a].ifaces[iface_a].link >= 0 ||
	    net->hosts[host_b].ifaces[iface_b].link >= 0 || p->mtu < 68 || p->mtu > 65535)
		return -1;
	if (net->link_count == net->link_cap) {
		int cap = net->link_cap ? net->link_cap * 2 : 16;
		struct link *l = realloc(net->links, (size_t)cap * sizeof *l);
		if (!l)
			return -1;
		net->links = l;
		net->link_cap = cap;
	}
	size_t n = strlen(net->hosts[host_a].name) + strlen(net->hosts[host_b].name) + 2;
	char *name = malloc(n);
	if (!name)
		return -1;
	snprintf(name, n, "%s-%s", net->hosts[host_a].name, net->hosts[host_b].name);
	int id = net->link_count++;
	struct link *l = &net->links[id];
	*l = (struct link){.host = {host_a, host_b}, .iface = {iface_a, iface_b}, .p = *p, .up = 1, .name = name};
	for (int d = 0; d < 2; d++) {
		char stream[64];
		snprintf(stream, sizeof stream, "link:%d:%d:loss", id, d);
		sim_rng(net->sim, stream, &l->dir[d].loss_rng);
	}
	net->hosts[host_a].ifaces[iface_a].link = id;
	net->hosts[host_b].ifaces[iface_b].link = id;
	return id;
}

int net_add_route(struct net *net, int host, int dest_host, int link)
{
	if (net->finalized || host < 0 || host >= net->host_count || dest_host < 0 ||
	    dest_host >= net->host_count || link < 0 || link >= net->link_count ||
	    (net->links[link].host[0] != host && net->links[link].host[1] != host))
		return -1;
	if (net->override_count == net->override_cap) {
		int cap = net->override_cap ? net->override_cap * 2 : 8;
		struct route_override *o = realloc(net->overrides, (size_t)cap * sizeof *o);
		if (!o)
			return -1;
		net->overrides = o;
		net->override_cap = cap;
	}
	net->overrides[net->override_count++] = (struct route_override){host, dest_host, link};
	return 0;
}

/* ---- routing: Dijkstra from every host with more than one interface ---- */

struct dj_item {
	sim_time dist;
	int hops;
	int host;
};

static int dj_less(const struct dj_item *a, const struct dj_item *b)
{
	return a->dist < b->dist || (a->dist == b->dist && a->hops < b->hops);
}

static void dj_push(struct dj_item *heap, size_t *n, struct dj_item it)
{
	size_t i = (*n)++;
	while (i > 0 && dj_less(&it, &heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = it;
}

static struct dj_item dj_pop(struct dj_item *heap, size_t *n)
{
	struct dj_item top = heap[0], last = heap[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && dj_less(&heap[c + 1], &heap[c]))
			c++;
		if (!dj_less(&heap[c], &last))
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (*n)
		heap[i] = last;
	return top;
}

static int link_other_end(const struct link *l, int host) { return l->host[0] == host ? l->host[1] : l->host[0]; }

static int compute_routes_from(struct net *net, int src, sim_time *dist, int *hops, int32_t *first,
			       struct dj_item *heap)
{
	int n = net->host_count;
	for (int i = 0; i < n; i++) {
		dist[i] = SIM_TIME_NEVER;
		hops[i] = 0;
		first[i] = -1;
	}
	size_t hn = 0;
	dist[src] = 0;
	dj_push(heap, &hn, (struct dj_item){0, 0, src});
	while (hn) {
		struct dj_item it = dj_pop(heap, &hn);
		if (it.dist != dist[it.host] || it.hops != hops[it.host])
			continue;
		const struct host *h = &net->hosts[it.host];
		for (int f = 0; f < h->iface_count; f++) {
			int lk = h->ifaces[f].link;
			if (lk < 0)
				continue;
			const struct link *l = &net->links[lk];
			int v = link_other_end(l, it.host);
			sim_time nd = it.dist + l->p.latency;
			int nh = it.hops + 1;
			int32_t fl = it.host == src ? lk : first[it.host];
			int better = nd < dist[v] || (nd == dist[v] && nh < hops[v]) ||
				     (nd == dist[v] && nh == hops[v] && fl < first[v]);
			if (v != src && better) {
				dist[v] = nd;
				hops[v] = nh;
				first[v] = fl;
				dj_push(heap, &hn, (struct dj_item){nd, nh, v});
			}
		}
	}
	return 0;
}

int net_finalize(struct net *net, char *err, size_t errlen)
{
	int n = net->host_count;
	if (net->finalized)
		return 0;
	for (int i = 0; i < n; i++) {
		if (net->hosts[i].iface_count == 0) {
			snprintf(err, errlen, "host %s has no address", net->hosts[i].name);
			return -1;
		}
	}
	sim_time *dist = malloc((size_t)n * sizeof *dist);
	int *hops = malloc((size_t)n * sizeof *hops);
	struct dj_item *heap = malloc(((size_t)net->link_count * 2 + 1) * sizeof *heap);
	int rc = 0;
	if (!dist || !hops || !heap)
		rc = -1;
	for (int s = 0; s < n && rc == 0; s++) {
		if (net->hosts[s].iface_count < 2)
			continue;
		int32_t *first = malloc((size_t)n * sizeof *first);
		if (!first) {
			rc = -1;
			break;
		}
		compute_routes_from(net, s, dist, hops, first, heap);
		net->hosts[s].route_link = first;
	}
	free(dist);
	free(hops);
	free(heap);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory computing routes");
		return -1;
	}
	net->finalized = 1;
	return 0;
}

/* ---- queries ---- */

int net_host_count(const struct net *net) { return net->host_count; }
int net_link_count(const struct net *net) { return net->link_count; }
const char *net_host_name(const struct net *net, int host)
{
	return host >= 0 && host < net->host_count ? net->hosts[host].name : "?";
}
int net_host_iface_count(const struct net *net, int host)
{
	return host >= 0 && host < net->host_count ? net->hosts[host].iface_count : 0;
}
uint32_t net_host_ip(const struct net *net, int host, int iface)
{
	return valid_iface(net, host, iface) ? net->hosts[host].ifaces[iface].ip : 0;
}
void net_link_ends(const struct net *net, int link, int *host_a_r, int *iface_a_r, int *host_b_r, int *iface_b_r)
{
	const struct link *l = &net->links[link];
	*host_a_r = l->host[0];
	*iface_a_r = l->iface[0];
	*host_b_r = l->host[1];
	*iface_b_r = l->iface[1];
}
const struct link_params *net_link_params(const struct net *net, int link) { return &net->links[link].p; }
int net_link_is_up(const struct net *net, int link) { return net->links[link].up; }
const char *net_link_name(const struct net *net, int link) { return net->links[link].name; }
const struct net_stats *net_stats(const struct net *net) { return &net->stats; }

void net_set_l4_handler(struct net *net, uint8_t proto, net_l4_fn fn, void *ctx)
{
	int i = proto == IPPROTO_SIM_TCP ? 0 : 1;
	net->l4_fn[i] = fn;
	net->l4_ctx[i] = ctx;
}

void net_get_l4_handler(const struct net *net, uint8_t proto, net_l4_fn *fn_r, void **ctx_r)
{
	int i = proto == IPPROTO_SIM_TCP ? 0 : 1;
	*fn_r = net->l4_fn[i];
	*ctx_r = net->l4_ctx[i];
}

/* The link host uses towards destination host dest, or -1. */
static int route(const struct net *net, int host, int dest)
{
	for (int i = 0; i < net->override_count; i++)
		if (net->overrides[i].host == host && net->overrides[i].dest == dest)
			return net->overrides[i].link;
	const struct host *h = &net->hosts[host];
	if (h->route_link)
		return h->route_link[dest];
	return h->iface_count ? h->ifaces[0].link : -1;
}

uint32_t net_path_mtu(const struct net *net, int host, uint32_t dst)
{
	int dest = net_host_by_ip(net, dst);
	if (dest < 0)
		return 0;
	uint32_t mtu = 65535;
	for (int at = host, guard = 0; at != dest; guard++) {
		int lk = route(net, at, dest);
		if (lk < 0 || guard > net->host_count)
			return 0;
		if (net->links[lk].p.mtu < mtu)
			mtu = net->links[lk].p.mtu;
		at = link_other_end(&net->links[lk], at);
	}
	return mtu;
}

uint32_t net_source_ip(const struct net *net, int host, uint32_t dst)
{
	const struct host *h = &net->hosts[host];
	int dest = net_host_by_ip(net, dst);
	if (dest == host)
		return dst;
	int lk = dest >= 0 ? route(net, host, dest) : -1;
	for (int f = 0; f < h->iface_count; f++)
		if (h->ifaces[f].link == lk)
			return h->ifaces[f].ip;
	return h->iface_count ? h->ifaces[0].ip : 0;
}

/* ---- moving packets ---- */

static void publish_pkt(struct net *net, enum obs_type type, const struct packet *p, int host, int link, int dir,
			sim_time arrival, enum obs_drop_reason reason)
{
	if (!bus_wants(net->bus, type))
		return;
	struct obs_record r = {.type = type, .time = sim_now(net->sim)};
	r.u.pkt.pkt = p;
	r.u.pkt.host = host;
	r.u.pkt.link = link;
	r.u.pkt.dir = dir;
	r.u.pkt.arrival = arrival;
	r.u.pkt.reason = reason;
	bus_publish(net->bus, &r);
}

static void drop(struct net *net, struct packet *p, int host, int link, int dir, enum obs_drop_reason reason)
{
	net->stats.drops[reason]++;
	publish_pkt(net, OBS_PKT_DROP, p, host, link, dir, 0, reason);
	packet_free(&p);
}

static void in_flight_add(struct net *net, struct packet *p)
{
	p->prev = NULL;
	p->next = net->in_flight;
	if (net->in_flight)
		net->in_flight->prev = p;
	net->in_flight = p;
}

static void in_flight_remove(struct net *net, struct packet *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		net->in_flight = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static void transmit(struct net *net, int host, int lk, struct packet *p)
{
	struct link *l = &net->links[lk];
	int dir = l->host[0] == host ? 0 : 1;
	if (!l->up) {
		drop(net, p, host, lk, dir, OBS_DROP_LINK_DOWN);
		return;
	}
	uint32_t size = packet_ip_len(p);
	if (size > l->p.mtu) {
		drop(net, p, host, lk, dir, OBS_DROP_TOO_BIG);
		return;
	}
	struct link_dir *d = &l->dir[dir];
	sim_time now = sim_now(net->sim);
	sim_time start = d->busy_until > now ? d->busy_until : now;
	sim_time tx = 0;
	if (l->p.bandwidth_bps) {
		/* Backlog already waiting, in bytes, against the queue limit. */
		double backlog = (double)(start - now) * (double)l->p.bandwidth_bps / 8e9;
		if (backlog + size > (double)l->p.queue_bytes && start > now) {
			drop(net, p, host, lk, dir, OBS_DROP_QUEUE);
			return;
		}
		tx = (sim_time)(((unsigned __int128)size * 8u * 1000000000u + l->p.bandwidth_bps - 1) /
				l->p.bandwidth_bps);
	}
	d->busy_until = start + tx;
	sim_time arrival = start + tx + l->p.latency;
	if (arrival < d->last_arrival)
		arrival = d->last_arrival;
	d->last_arrival = arrival;
	p->link = lk;
	p->dir = (uint8_t)dir;
	p->link_epoch = l->epoch;
	p->lost = (uint8_t)rng_chance(&d->loss_rng, l->p.loss);
	p->owner = net;
	publish_pkt(net, OBS_PKT_TX, p, host, lk, dir, arrival, 0);
	p->event = sim_at(net->sim, arrival, net->h_arrive, p);
	if (!p->event) {
		packet_free(&p);
		return;
	}
	in_flight_add(net, p);
}

static void deliver_or_forward(struct net *net, int host, struct packet *p)
{
	if (net->hosts[host].down) {
		drop(net, p, host, -1, -1, OBS_DROP_HOST_DOWN);
		return;
	}
	if (net_host_by_ip(net, p->dst_ip) == host) {
		net->stats.packets_delivered++;
		publish_pkt(net, OBS_PKT_RECV, p, host, -1, -1, 0, 0);
		int i = p->proto == IPPROTO_SIM_TCP ? 0 : 1;
		if (net->l4_fn[i])
			net->l4_fn[i](net->l4_ctx[i], host, p);
		else
			drop(net, p, host, -1, -1, OBS_DROP_NO_SOCKET);
		return;
	}
	int dest = net_host_by_ip(net, p->dst_ip);
	int lk = dest >= 0 ? route(net, host, dest) : -1;
	if (lk < 0) {
		drop(net, p, host, -1, -1, OBS_DROP_NO_ROUTE);
		return;
	}
	if (p->ttl <= 1) {
		drop(net, p, host, -1, -1, OBS_DROP_TTL);
		return;
	}
	p->ttl--;
	transmit(net, host, lk, p);
}

static void on_arrive(struct sim *sim, void *ctx)
{
	(void)sim;
	struct packet *p = ctx;
	struct net *net = p->owner;
	struct link *l = &net->links[p->link];
	in_flight_remove(net, p);
	p->event = 0;
	int dir = p->dir;
	if (p->link_epoch != l->epoch) {
		drop(net, p, l->host[dir], p->link, dir, OBS_DROP_LINK_DOWN);
		return;
	}
	if (p->lost) {
		drop(net, p, l->host[dir], p->link, dir, OBS_DROP_LOSS);
		return;
	}
	int to = l->host[1 - dir];
	p->link = -1;
	deliver_or_forward(net, to, p);
}

static void on_loopback(struct sim *sim, void *ctx)
{
	(void)sim;
	struct packet *p = ctx;
	struct net *net = p->owner;
	in_flight_remove(net, p);
	p->event = 0;
	deliver_or_forward(net, p->src_host, p);
}

void net_send(struct net *net, int host, struct packet *p, int retransmit)
{
	p->src_host = host;
	p->id = ++net->next_packet_id;
	p->ip_id = net->hosts[host].next_ip_id++;
	p->owner = net;
	net->stats.packets_sent++;
	net->stats.bytes_sent += packet_ip_len(p);
	if (retransmit)
		net->stats.retransmissions++;
	int dest = net_host_by_ip(net, p->dst_ip);
	int lk = dest >= 0 && dest != host ? route(net, host, dest) : -1;
	/* Observers learn the first link too (the pcap writer takes the
	 * Ethernet addresses of its two ends). */
	int dir = lk >= 0 ? (net->links[lk].host[0] == host ? 0 : 1) : -1;
	publish_pkt(net, retransmit ? OBS_PKT_RETRANSMIT : OBS_PKT_SEND, p, host, lk, dir, 0, 0);
	if (net->hosts[host].down) {
		drop(net, p, host, -1, -1, OBS_DROP_HOST_DOWN);
		return;
	}
	if (dest == host) {
		int h = sim_handler(net->sim, on_loopback);
		p->event = h >= 0 ? sim_after(net->sim, 0, h, p) : 0;
		if (!p->event) {
			packet_free(&p);
			return;
		}
		in_flight_add(net, p);
		return;
	}
	if (lk < 0) {
		drop(net, p, host, -1, -1, OBS_DROP_NO_ROUTE);
		return;
	}
	transmit(net, host, lk, p);
}

void net_drop_unclaimed(struct net *net, int host, struct packet *p) { drop(net, p, host, -1, -1, OBS_DROP_NO_SOCKET); }

/* ---- faults ---- */

void net_link_set_up(struct net *net, int link, int up)
{
	struct link *l = &net->links[link];
	up = !!up;
	if (l->up == up)
		return;
	l->up = up;
	if (!up) {
		l->epoch++;
		/* The transmitter's backlog is gone with the link. */
		for (int d = 0; d < 2; d++)
			l->dir[d].busy_until = 0;
	}
	if (bus_wants(net->bus, OBS_LINK_STATE)) {
		struct obs_record r = {.type = OBS_LINK_STATE, .time = sim_now(net->sim)};
		r.u.link.link = link;
		r.u.link.up = up;
		bus_publish(net->bus, &r);
	}
}

void net_host_set_up(struct net *net, int host, int up)
{
	if (host >= 0 && host < net->host_count)
		net->hosts[host].down = !up;
}

int net_host_is_up(const struct net *net, int host)
{
	return host >= 0 && host < net->host_count && !net->hosts[host].down;
}

void net_link_set_loss(struct net *net, int link, double loss)
{
	net->links[link].p.loss = loss < 0 ? 0 : loss > 1 ? 1 : loss;
}

void net_link_set_latency(struct net *net, int link, sim_time latency)
{
	net->links[link].p.latency = latency < 0 ? 0 : latency;
}

/* ---- addresses ---- */

char *ipv4_format(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return buf;
}

int ipv4_parse(const char *text, uint32_t *ip_r)
{
	uint32_t ip = 0;
	const char *p = text;
	for (int part = 0; part < 4; part++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
			return -1;
		unsigned v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (++digits > 3 || v > 255)
				return -1;
			p++;
		}
		ip = ip << 8 | v;
		if (part < 3) {
			if (*p != '.')
				return -1;
			p++;
		}
	}
	if (*p)
		return -1;
	*ip_r = ip;
	return 0;
}

/* The generated world (see source_gen.h). */
#include "viz/source_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

struct gen_world;

struct gen_flow_state {
	struct gen_world *gw;
	const struct viz_gen_flow *spec;
	uint64_t sent;
	struct tcp_conn *conn;
};

struct gen_world {
	const struct viz_gen_opts *o;
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	struct udp *udp;
	int *leaf_host;
	struct gen_flow_state *flows;
	int h_start, h_down, h_up;
};

static const uint8_t zeros[16384];

static void bulk_push(struct gen_flow_state *f)
{
	while (f->conn && f->sent < f->spec->bytes) {
		uint64_t left = f->spec->bytes - f->sent;
		size_t n = left < sizeof zeros ? (size_t)left : sizeof zeros;
		size_t took = tcp_send(f->conn, zeros, n);
		f->sent += took;
		if (took < n)
			return;
	}
	if (f->conn && f->sent >= f->spec->bytes) {
		tcp_close(f->conn);
		f->conn = NULL;
	}
}

static void cl_connected(void *ctx, struct tcp_conn *c)
{
	(void)c;
	bulk_push(ctx);
}
static void cl_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	bulk_push(ctx);
}
static void cl_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	(void)e;
	struct gen_flow_state *f = ctx;
	f->conn = NULL;
}
static const struct tcp_callbacks client_cbs = {.connected = cl_connected, .writable = cl_writable, .closed = cl_closed};

static void sv_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)c;
	(void)b;
	(void)n;
}
static void sv_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}
static void sv_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)ctx;
	(void)c;
	(void)e;
}
static const struct tcp_callbacks server_cbs = {.data = sv_data, .peer_closed = sv_peer_closed, .closed = sv_closed};
static void sv_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_set_callbacks(c, &server_cbs, NULL);
}

static void udp_sink(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port, const uint8_t *data,
		     size_t len)
{
	(void)ctx, (void)host, (void)src_ip, (void)src_port, (void)dst_port, (void)data, (void)len;
}

static void on_start(struct sim *sim, void *ctx)
{
	(void)sim;
	struct gen_flow_state *f = ctx;
	struct gen_world *gw = f->gw;
	int ch = gw->leaf_host[f->spec->client], sh = gw->leaf_host[f->spec->server];
	uint32_t dst = net_host_ip(gw->net, sh, 0);
	if (f->spec->udp) {
		static const uint8_t query[40] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01};
		udp_send(gw->udp, ch, 40000, dst, f->spec->port, query, sizeof query);
		return;
	}
	f->conn = tcp_connect(gw->tcp, ch, dst, f->spec->port, &client_cbs, f);
}

static void on_down(struct sim *sim, void *ctx)
{
	(void)sim;
	struct gen_world *gw = ctx;
	net_link_set_up(gw->net, gw->o->fault_link, 0);
}
static void on_up(struct sim *sim, void *ctx)
{
	(void)sim;
	struct gen_world *gw = ctx;
	net_link_set_up(gw->net, gw->o->fault_link, 1);
}

static void gen_destroy(void *ctx, struct viz_world *w)
{
	(void)ctx;
	struct gen_world *gw = w->impl;
	if (gw) {
		tcp_free(&gw->tcp);
		udp_free(&gw->udp);
		net_free(&gw->net);
		sim_free(&gw->sim);
		free(gw->leaf_host);
		free(gw->flows);
		free(gw);
	}
	memset(w, 0, sizeof *w);
}

static int gen_build(void *ctx, struct viz_world *w, char *err, size_t errlen)
{
	const struct viz_gen_opts *o = ctx;
	memset(w, 0, sizeof *w);
	struct gen_world *gw = calloc(1, sizeof *gw);
	int nleaves = o->routers * o->leaves;
	if (gw) {
		w->impl = gw;
		gw->o = o;
		gw->leaf_host = calloc((size_t)nleaves + 1, sizeof(int));
		gw->flows = calloc(o->nflows + 1, sizeof *gw->flows);
		gw->sim = sim_new(o->seed ? o->seed : 1);
	}
	if (!gw || !gw->leaf_host || !gw->flows || !gw->sim || !(gw->net = net_new(gw->sim))) {
		snprintf(err, errlen, "out of memory");
		gen_destroy(ctx, w);
		return -1;
	}
	struct link_params lp = link_params_default();
	lp.latency = o->latency;
	lp.bandwidth_bps = o->bandwidth_bps;
	lp.queue_bytes = 256 * 1024;
	int prev_router = -1, prev_if = -1, nlink = 0;
	for (int r = 0; r < o->routers; r++) {
		char name[32];
		snprintf(name, sizeof name, "r%d", r);
		int rh = net_add_host(gw->net, name);
		int in_if = net_add_iface(gw->net, rh, 0x0a000000u | ((uint32_t)r << 8) | 1u);
		if (prev_router >= 0 && !o->star) {
			net_add_link(gw->net, prev_router, prev_if, rh, in_if, &lp);
			nlink++;
		}
		for (int l = 0; l < o->leaves; l++) {
			int k = r * o->leaves + l;
			if (o->names)
				snprintf(name, sizeof name, "%s", o->names[k]);
			else
				snprintf(name, sizeof name, "h%d-%d", r, l);
			int h = net_add_host(gw->net, name);
			uint32_t base = 0x0b000000u | ((uint32_t)r << 16) | ((uint32_t)l << 2);
			int hif = net_add_iface(gw->net, h, base | 2u);
			int rif = net_add_iface(gw->net, rh, base | 1u);
			struct link_params p = lp;
			if (nlink == (o->routers > 1 ? 0 : 0) && r == 0 && l == 0)
				p.loss = o->loss;
			net_add_link(gw->net, h, hif, rh, rif, &p);
			nlink++;
			gw->leaf_host[k] = h;
		}
		prev_router = rh;
		prev_if = net_add_iface(gw->net, rh, 0x0c000000u | ((uint32_t)r << 8) | 1u);
	}
	if (o->star && o->routers > 0) {
		int core = net_add_host(gw->net, "core");
		for (int r = 0; r < o->routers; r++) {
			int cif = net_add_iface(gw->net, core, 0x0d000000u | ((uint32_t)r << 8) | 1u);
			/* Router r is host r * (leaves + 1); its first interface faces the core. */
			net_add_link(gw->net, core, cif, r * (o->leaves + 1), 0, &lp);
		}
	}
	if (net_finalize(gw->net, err, errlen) < 0 || !(gw->tcp = tcp_new(gw->net, NULL)) ||
	    !(gw->udp = udp_new(gw->net))) {
		if (!err[0])
			snprintf(err, errlen, "out of memory");
		gen_destroy(ctx, w);
		return -1;
	}
	gw->h_start = sim_handler(gw->sim, on_start);
	gw->h_down = sim_handler(gw->sim, on_down);
	gw->h_up = sim_handler(gw->sim, on_up);
	for (size_t i = 0; i < o->nflows; i++) {
		const struct viz_gen_flow *fl = &o->flows[i];
		if (fl->client < 0 || fl->client >= nleaves || fl->server < 0 || fl->server >= nleaves) {
			snprintf(err, errlen, "flow %zu: no such leaf", i);
			gen_destroy(ctx, w);
			return -1;
		}
		int sh = gw->leaf_host[fl->server];
		if (fl->udp)
			udp_bind(gw->udp, sh, fl->port, udp_sink, NULL); /* may already be bound */
		else
			tcp_listen(gw->tcp, sh, fl->port, sv_accept, NULL);
		gw->flows[i] = (struct gen_flow_state){gw, fl, 0, NULL};
		sim_at(gw->sim, fl->start, gw->h_start, &gw->flows[i]);
	}
	if (o->fault_link >= 0 && o->fault_link < net_link_count(gw->net)) {
		sim_at(gw->sim, o->fault_down, gw->h_down, gw);
		sim_at(gw->sim, o->fault_up, gw->h_up, gw);
	}
	w->sim = gw->sim;
	w->net = gw->net;
	return 0;
}

static enum viz_role gen_role(void *ctx, int host)
{
	const struct viz_gen_opts *o = ctx;
	/* Host numbers: each router, then its leaves. */
	int per = o->leaves + 1, r = host / per, l = host % per - 1;
	if (l < 0 || r >= o->routers)
		return VIZ_ROLE_ROUTER;
	return o->roles ? o->roles[r * o->leaves + l] : VIZ_ROLE_HOST;
}

static int gen_position(void *ctx, int host, double *x, double *y)
{
	const struct viz_gen_opts *o = ctx;
	if (!o->positions)
		return 0;
	int per = o->leaves + 1, r = host / per, l = host % per - 1;
	*x = l < 0 ? 0 : 1 + l;
	*y = r;
	return 1;
}

struct viz_source *viz_gen_source_new(const struct viz_gen_opts *opts)
{
	struct viz_source *s = calloc(1, sizeof *s);
	struct viz_gen_opts *o = malloc(sizeof *o);
	if (!s || !o) {
		free(s);
		free(o);
		return NULL;
	}
	*o = *opts;
	s->build = gen_build;
	s->destroy = gen_destroy;
	s->role = gen_role;
	s->position = gen_position;
	s->until = SIM_TIME_NEVER;
	s->title = o->title;
	s->ctx = o;
	return s;
}

void viz_gen_source_free(struct viz_source **sp)
{
	if (!sp || !*sp)
		return;
	free((*sp)->ctx);
	free(*sp);
	*sp = NULL;
}

void viz_gen_opts_big(struct viz_gen_opts *o)
{
	memset(o, 0, sizeof *o);
	o->routers = 10;
	o->leaves = 19; /* 10 + 190 = 200 hosts */
	o->latency = 40 * SIM_MS;
	o->bandwidth_bps = 20000000;
	o->fault_link = -1;
	o->seed = 7;
	o->title = "generated: 200 hosts, 52 bulk flows";
	static const uint16_t ports[] = {25, 110, 143, 9};
	/* 52 flows across the router chain, each window-limited to about 45
	 * segments in flight, plus their ACKs: some 2,000 packets on links. */
	for (int i = 0; i < 52; i++) {
		struct viz_gen_flow *f = &o->flows[o->nflows++];
		f->client = (i * 7) % 190;
		f->server = (i * 7 + 95) % 190;
		f->port = ports[i % 4];
		f->bytes = 40u * 1024 * 1024;
		f->start = (sim_time)i * SIM_MS;
	}
}

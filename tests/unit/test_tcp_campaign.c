/* A TCP fault campaign: many seeded runs over random paths (loss up to 15%,
 * small drop-tail queues, random latency and bandwidth, link flaps), each
 * with several concurrent connections sending random amounts both ways.
 * Every connection must end cleanly with every byte delivered intact, or
 * (when a link stays down too long) with a reported error, never silently;
 * no packet or connection may leak. A failing seed is printed so it can be
 * replayed alone: test_tcp_campaign SEED. */
#include <stdlib.h>

#include "harness.h"
#include "sim/core/bus.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"

#define MAX_CONNS 6

struct peer {
	size_t to_send, sent, received, expect;
	uint32_t salt;
	int mismatch, done, closed;
	enum tcp_error err;
	/* A slow reader: stops reading now and then, so its window closes
	 * and the sender must probe (zero-window handling). */
	int slow;
	struct tcp_conn *conn;
	struct rng rng;
	struct sim *sim;
	int h_resume;
	int paused;
};

static void resume_reading(struct sim *sim, void *ctx)
{
	(void)sim;
	struct peer *p = ctx;
	if (p->paused && p->conn && !p->closed) {
		p->paused = 0;
		tcp_pause_reading(p->conn, 0);
	}
}

static uint8_t byte_at(uint32_t salt, size_t i) { return (uint8_t)(((i + salt) * 2654435761u) >> 11); }

static void push(struct peer *p, struct tcp_conn *c)
{
	uint8_t buf[4096];
	while (p->sent < p->to_send) {
		size_t n = p->to_send - p->sent < sizeof buf ? p->to_send - p->sent : sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = byte_at(p->salt, p->sent + i);
		size_t took = tcp_send(c, buf, n);
		p->sent += took;
		if (took < n)
			return;
	}
	if (!p->done) {
		p->done = 1;
		tcp_close(c);
	}
}

static void on_connected(void *ctx, struct tcp_conn *c) { push(ctx, c); }
static void on_writable(void *ctx, struct tcp_conn *c) { push(ctx, c); }
static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	struct peer *p = ctx;
	/* The peer's bytes use the peer's salt: salt ^ 1. */
	for (size_t i = 0; i < n; i++)
		if (b[i] != byte_at(p->salt ^ 1, p->received + i))
			p->mismatch++;
	p->received += n;
	if (p->slow && !p->paused && rng_chance(&p->rng, 0.02)) {
		p->paused = 1;
		p->conn = c;
		tcp_pause_reading(c, 1);
		sim_after(p->sim, (sim_time)rng_range(&p->rng, 50, 3000) * SIM_MS, p->h_resume, p);
	}
}
static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	struct peer *p = ctx;
	p->closed = 1;
	p->err = e;
	p->conn = NULL;
}
static const struct tcp_callbacks cbs = {
    .connected = on_connected, .data = on_data, .writable = on_writable, .closed = on_closed};

struct run {
	struct peer client[MAX_CONNS], server[MAX_CONNS];
	int nconns, accepted;
};

static void on_accept(void *ctx, struct tcp_conn *c)
{
	struct run *r = ctx;
	/* Connections are matched to their server half by the client's port
	 * order: the client's k-th connection is accepted k-th unless SYNs are
	 * lost and reordered, so match by remote port instead. */
	int k = r->accepted++;
	(void)k;
	uint16_t port = tcp_conn_remote_port(c);
	(void)port;
	int idx = -1;
	for (int i = 0; i < r->nconns; i++) {
		if (r->server[i].salt == (uint32_t)port * 2u + 1u) {
			idx = i;
			break;
		}
	}
	if (idx < 0) {
		tcp_abort(c);
		return;
	}
	tcp_set_callbacks(c, &cbs, &r->server[idx]);
	push(&r->server[idx], c);
}

static void trace_record(void *ctx, const struct obs_record *rec)
{
	(void)ctx;
	char t[32];
	sim_time_format(rec->time, t, sizeof t);
	if (rec->type == OBS_CONN_STATE) {
		printf("%s host%d conn%u %s -> %s %s\n", t, rec->u.conn.host, rec->u.conn.conn_id, rec->u.conn.from,
		       rec->u.conn.to, rec->u.conn.why ? rec->u.conn.why : "");
	} else if (rec->type == OBS_LINK_STATE) {
		printf("%s link%d %s\n", t, rec->u.link.link, rec->u.link.up ? "up" : "down");
	} else if (rec->type != OBS_PKT_TX && rec->type <= OBS_PKT_DROP) {
		const struct packet *p = rec->u.pkt.pkt;
		printf("%s %-10s host%d %u>%u fl=%02x seq=%u ack=%u win=%u len=%u %s\n", t, obs_type_name(rec->type),
		       rec->u.pkt.host, p->src_port, p->dst_port, p->flags, p->seq, p->ack, p->window, p->len,
		       rec->type == OBS_PKT_DROP ? obs_drop_reason_name(rec->u.pkt.reason) : "");
	}
}

static int one_run(uint64_t seed, int verbose)
{
	struct rng r;
	rng_init_stream(&r, seed, "campaign");
	struct sim *sim = sim_new(seed);
	if (verbose > 1)
		bus_subscribe(sim_bus(sim), OBS_MASK_ALL, trace_record, NULL);
	struct net *net = net_new(sim);
	int hops = 1 + (int)rng_below(&r, 3);
	int prev = net_add_host(net, "h0"), prev_if = net_add_iface(net, prev, 0x0a000001);
	int client = prev, links[4];
	for (int i = 0; i < hops; i++) {
		char name[16];
		snprintf(name, sizeof name, "h%d", i + 1);
		int h = net_add_host(net, name);
		int in_if = net_add_iface(net, h, 0x0a010000u + (uint32_t)i * 16 + 1);
		struct link_params lp = link_params_default();
		lp.latency = (sim_time)rng_range(&r, 1, 40) * SIM_MS;
		lp.bandwidth_bps = (uint64_t)rng_range(&r, 1, 100) * 1000000ull;
		lp.loss = (double)rng_below(&r, 16) / 100.0;
		lp.queue_bytes = (uint32_t)rng_range(&r, 3000, 100000);
		lp.mtu = rng_chance(&r, 0.3) ? 576 : 1500;
		links[i] = net_add_link(net, prev, prev_if, h, in_if, &lp);
		prev = h;
		prev_if = i + 1 < hops ? net_add_iface(net, h, 0x0a020000u + (uint32_t)i * 16 + 1) : -1;
	}
	int server = prev;
	uint32_t server_ip = net_host_ip(net, server, 0);
	char err[64];
	net_finalize(net, err, sizeof err);
	struct tcp_config cfg = tcp_config_default();
	cfg.max_retransmits = 30; /* ride out the flaps below */
	cfg.max_rto = 8 * SIM_S;
	cfg.time_wait = 60 * SIM_S;   /* 2 MSL well above the largest RTO */
	cfg.fin_wait_2 = 600 * SIM_S; /* silence of minutes happens at 15% loss */
	cfg.connect_timeout = 120 * SIM_S;
	struct tcp *tcp = tcp_new(net, &cfg);
	struct run *run = calloc(1, sizeof *run);
	run->nconns = 1 + (int)rng_below(&r, MAX_CONNS);
	tcp_listen(tcp, server, 7, on_accept, run);
	for (int i = 0; i < run->nconns; i++) {
		struct peer *c = &run->client[i], *s = &run->server[i];
		c->to_send = (size_t)rng_below(&r, 200000);
		s->to_send = (size_t)rng_below(&r, 200000);
		struct peer *both[2] = {c, s};
		for (int k = 0; k < 2; k++) {
			both[k]->slow = rng_chance(&r, 0.3);
			both[k]->sim = sim;
			both[k]->h_resume = sim_handler(sim, resume_reading);
			char name[32];
			snprintf(name, sizeof name, "slow:%d:%d", i, k);
			rng_init_stream(&both[k]->rng, seed, name);
		}
		struct tcp_conn *conn = tcp_connect(tcp, client, server_ip, 7, &cbs, c);
		uint16_t port = tcp_conn_local_port(conn);
		c->salt = (uint32_t)port * 2u;
		s->salt = (uint32_t)port * 2u + 1u;
	}
	/* Link flaps: down for up to 5 s, a few times. */
	int flaps = (int)rng_below(&r, 3);
	for (int f = 0; f < flaps; f++) {
		int lk = links[rng_below(&r, (uint64_t)hops)];
		sim_run_until(sim, sim_now(sim) + (sim_time)rng_range(&r, 10, 3000) * SIM_MS);
		net_link_set_up(net, lk, 0);
		sim_run_until(sim, sim_now(sim) + (sim_time)rng_range(&r, 10, 5000) * SIM_MS);
		net_link_set_up(net, lk, 1);
	}
	sim_run(sim);
	int bad = 0;
	for (int i = 0; i < run->nconns; i++) {
		struct peer *c = &run->client[i], *s = &run->server[i];
		int ok = c->closed && s->closed && c->err == TCP_OK && s->err == TCP_OK && !c->mismatch &&
			 !s->mismatch && c->received == s->to_send && s->received == c->to_send;
		if (!ok) {
			bad++;
			if (verbose)
				fprintf(stderr,
					"seed %llu conn %d: client closed=%d err=%s got %zu/%zu mism=%d; server "
					"closed=%d err=%s got %zu/%zu mism=%d\n",
					(unsigned long long)seed, i, c->closed, tcp_error_name(c->err), c->received,
					s->to_send, c->mismatch, s->closed, tcp_error_name(s->err), s->received,
					c->to_send, s->mismatch);
		}
	}
	if (tcp_stats(tcp)->live_pcbs != 0)
		bad++;
	free(run);
	tcp_free(&tcp);
	net_free(&net);
	sim_free(&sim);
	if (packet_live_count() != 0)
		bad++;
	packet_pool_drain();
	return bad;
}

static void test_campaign(void)
{
	int failed_runs = 0;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		int bad = one_run(seed, 1);
		if (bad) {
			failed_runs++;
			fprintf(stderr, "campaign: seed %llu failed; replay with: test_tcp_campaign %llu\n",
				(unsigned long long)seed, (unsigned long long)seed);
		}
	}
	CHECK_EQ_INT(failed_runs, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		int bad = one_run(strtoull(argv[1], NULL, 10), getenv("TCP_TEST_VERBOSE") ? 2 : 1);
		printf("%s\n", bad ? "FAILED" : "ok");
		return bad != 0;
	}
	RUN(test_campaign);
	return harness_done();
}

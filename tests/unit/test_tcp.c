/* TCP over the simulated network: handshake and close sequences, MSS and
 * segmentation, a 1 MiB echo over a lossy three-hop path, out-of-order
 * reassembly, link failure and recovery, RST on a closed port, timeouts,
 * flow control with a zero window, determinism, and no leaked packets or
 * connections after each test. */
#include <stdlib.h>

#include "harness.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

/* ---- a small world: client - r1 - ... - server ---- */

struct world {
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	int client, server;
	int links[8];
	int nlinks;
	uint32_t server_ip;
};

/* TCP_TEST_VERBOSE=1 prints every record, for debugging a failure. */
static void verbose_record(void *ctx, const struct obs_record *r)
{
	(void)ctx;
	char t[32];
	sim_time_format(r->time, t, sizeof t);
	if (r->type == OBS_CONN_STATE) {
		printf("%s host%d conn%u %s -> %s %s\n", t, r->u.conn.host, r->u.conn.conn_id, r->u.conn.from,
		       r->u.conn.to, r->u.conn.why ? r->u.conn.why : "");
		return;
	}
	if (r->type == OBS_LINK_STATE) {
		printf("%s link%d %s\n", t, r->u.link.link, r->u.link.up ? "up" : "down");
		return;
	}
	if (r->type > OBS_PKT_DROP || r->type == OBS_PKT_TX)
		return;
	const struct packet *p = r->u.pkt.pkt;
	printf("%s %-10s host%d %u>%u fl=%02x seq=%u ack=%u win=%u len=%u%s\n", t, obs_type_name(r->type),
	       r->u.pkt.host, p->src_port, p->dst_port, p->flags, p->seq, p->ack, p->window, p->len,
	       r->type == OBS_PKT_DROP ? obs_drop_reason_name(r->u.pkt.reason) : "");
}

static void world_init(struct world *w, uint64_t seed, int hops, struct link_params lp, const struct tcp_config *cfg)
{
	w->sim = sim_new(seed);
	if (getenv("TCP_TEST_VERBOSE"))
		bus_subscribe(sim_bus(w->sim), OBS_MASK_ALL, verbose_record, NULL);
	w->net = net_new(w->sim);
	int prev = net_add_host(w->net, "client");
	net_add_iface(w->net, prev, 0x0a000001);
	w->client = prev;
	int prev_if = 0;
	w->nlinks = 0;
	for (int i = 0; i < hops; i++) {
		char name[16];
		int last = i == hops - 1;
		snprintf(name, sizeof name, last ? "server" : "r%d", i + 1);
		int h = net_add_host(w->net, name);
		int in_if = net_add_iface(w->net, h, 0x0a000100u + (uint32_t)i * 2 + 2);
		w->links[w->nlinks++] = net_add_link(w->net, prev, prev_if, h, in_if, &lp);
		if (!last)
			prev_if = net_add_iface(w->net, h, 0x0a000200u + (uint32_t)i * 2 + 2);
		else
			w->server_ip = net_host_ip(w->net, h, in_if);
		prev = h;
	}
	w->server = prev;
	char err[128];
	int rc = net_finalize(w->net, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "finalize: %s\n", err);
	w->tcp = tcp_new(w->net, cfg);
}

static void world_free(struct world *w)
{
	tcp_free(&w->tcp);
	net_free(&w->net);
	sim_free(&w->sim);
	packet_pool_drain();
}

/* ---- echo server, with backpressure: when its send buffer is full it
 * stops reading until the buffer drains ---- */

struct echo_state {
	uint8_t pending[65536];
	size_t npending;
};

static void echo_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n);
static void echo_writable(void *ctx, struct tcp_conn *c)
{
	struct echo_state *e = ctx;
	size_t sent = tcp_send(c, e->pending, e->npending);
	memmove(e->pending, e->pending + sent, e->npending - sent);
	e->npending -= sent;
	if (e->npending == 0)
		tcp_pause_reading(c, 0);
}
static void echo_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	struct echo_state *e = ctx;
	size_t sent = e->npending ? 0 : tcp_send(c, b, n);
	if (sent < n) {
		if (e->npending + n - sent > sizeof e->pending) {
			fprintf(stderr, "echo: overflow\n");
			return;
		}
		memcpy(e->pending + e->npending, b + sent, n - sent);
		e->npending += n - sent;
		tcp_pause_reading(c, 1);
	}
}
static void echo_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}
static int server_closed_ok, server_closed_err;
static void echo_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	free(ctx);
	if (e == TCP_OK)
		server_closed_ok++;
	else
		server_closed_err++;
}
static const struct tcp_callbacks echo_cbs = {
    .data = echo_data, .writable = echo_writable, .peer_closed = echo_peer_closed, .closed = echo_closed};
static void echo_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_set_callbacks(c, &echo_cbs, calloc(1, sizeof(struct echo_state)));
}

/* ---- a client that sends a pattern and checks the echo ---- */

struct client {
	size_t total, sent, received;
	int mismatch, connected, closed;
	enum tcp_error err;
	int close_after_echo;
	struct tcp_conn *conn;
};

static uint8_t pattern(size_t i) { return (uint8_t)((i * 2654435761u) >> 13); }

static void client_push(struct client *cl, struct tcp_conn *c)
{
	uint8_t chunk[8192];
	while (cl->sent < cl->total) {
		size_t n = cl->total - cl->sent < sizeof chunk ? cl->total - cl->sent : sizeof chunk;
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(cl->sent + i);
		size_t took = tcp_send(c, chunk, n);
		cl->sent += took;
		if (took < n)
			return; /* wait for writable */
	}
}
static void client_connected(void *ctx, struct tcp_conn *c)
{
	struct client *cl = ctx;
	cl->connected = 1;
	client_push(cl, c);
}
static void client_writable(void *ctx, struct tcp_conn *c) { client_push(ctx, c); }
static void client_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	struct client *cl = ctx;
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern(cl->received + i))
			cl->mismatch++;
	cl->received += n;
	if (cl->received == cl->total && cl->close_after_echo)
		tcp_close(c);
}
static void client_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	struct client *cl = ctx;
	cl->closed = 1;
	cl->err = e;
	cl->conn = NULL;
}
static const struct tcp_callbacks client_cbs = {
    .connected = client_connected, .data = client_data, .writable = client_writable, .closed = client_closed};

static void start_client(struct world *w, struct client *cl, size_t bytes, uint16_t port)
{
	memset(cl, 0, sizeof *cl);
	cl->total = bytes;
	cl->close_after_echo = 1;
	cl->conn = tcp_connect(w->tcp, w->client, w->server_ip, port, &client_cbs, cl);
}

/* ---- recording what the bus shows ---- */

struct seen {
	char flags[256][8];
	uint32_t lens[256];
	int n;
	int data_segments;
	uint32_t max_len;
	char states[64][48];
	int nstates;
	uint64_t hash;
};

static void seen_record(void *ctx, const struct obs_record *r)
{
	struct seen *s = ctx;
	/* FNV over every record's essentials: a fingerprint of the run. */
	uint64_t h = s->hash ? s->hash : 0xcbf29ce484222325ull;
	uint64_t vals[8] = {(uint64_t)r->type, (uint64_t)r->time};
	if (r->type <= OBS_PKT_DROP) {
		vals[2] = r->u.pkt.pkt->seq;
		vals[3] = r->u.pkt.pkt->ack;
		vals[4] = r->u.pkt.pkt->flags;
		vals[5] = r->u.pkt.pkt->len;
		vals[6] = (uint64_t)r->u.pkt.host;
	}
	for (int i = 0; i < 8; i++) {
		h ^= vals[i];
		h *= 0x100000001b3ull;
	}
	s->hash = h;
	if (r->type == OBS_PKT_SEND && s->n < 256) {
		const struct packet *p = r->u.pkt.pkt;
		if (p->proto != IPPROTO_SIM_TCP)
			return;
		char *f = s->flags[s->n];
		int k = 0;
		if (p->flags & TCP_SYN)
			f[k++] = 'S';
		if (p->flags & TCP_FIN)
			f[k++] = 'F';
		if (p->flags & TCP_RST)
			f[k++] = 'R';
		if (p->flags & TCP_ACK)
			f[k++] = '.';
		f[k] = 0;
		s->lens[s->n] = p->len;
		if (p->len) {
			s->data_segments++;
			if (p->len > s->max_len)
				s->max_len = p->len;
		}
		s->n++;
	}
	if (r->type == OBS_CONN_STATE && s->nstates < 64)
		snprintf(s->states[s->nstates++], 48, "%s:%s>%s", r->u.conn.host == 0 ? "c" : "s", r->u.conn.from,
			 r->u.conn.to);
}

static struct link_params lp_default(void)
{
	struct link_params lp = link_params_default();
	lp.latency = 5 * SIM_MS;
	return lp;
}

static void test_handshake_and_close(void)
{
	struct world w;
	world_init(&w, 1, 1, lp_default(), NULL);
	struct seen seen = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND) | OBS_MASK(OBS_CONN_STATE), seen_record, &seen);
	REQUIRE(tcp_listen(w.tcp, w.server, 7, echo_accept, NULL) == 0);
	CHECK(tcp_listen(w.tcp, w.server, 7, echo_accept, NULL) < 0); /* taken */
	server_closed_ok = server_closed_err = 0;
	struct client cl;
	start_client(&w, &cl, 100, 7);
	REQUIRE(cl.conn != NULL);
	CHECK_STR(tcp_conn_state_name(cl.conn), "SYN_SENT");
	sim_run(w.sim);
	CHECK(cl.connected);
	CHECK_EQ_INT(cl.received, 100);
	CHECK_EQ_INT(cl.mismatch, 0);
	CHECK(cl.closed);
	CHECK_EQ_INT(cl.err, TCP_OK);
	CHECK_EQ_INT(server_closed_ok, 1);
	/* SYN, SYN-ACK, ACK+data (the client sends at once), echo, ... */
	REQUIRE(seen.n >= 6);
	CHECK_STR(seen.flags[0], "S");
	CHECK_STR(seen.flags[1], "S.");
	CHECK_STR(seen.flags[2], ".");
	CHECK_EQ_INT(seen.lens[2], 100);
	/* Both FINs appear, and the last segment is the final ACK. */
	int fins = 0;
	for (int i = 0; i < seen.n; i++)
		fins += strchr(seen.flags[i], 'F') != NULL;
	CHECK_EQ_INT(fins, 2);
	CHECK_STR(seen.flags[seen.n - 1], ".");
	/* The RFC 793 state sequences of both ends. */
	const char *want[] = {"c:CLOSED>SYN_SENT",       "s:CLOSED>LISTEN",          "s:LISTEN>SYN_RECEIVED",
			      "c:SYN_SENT>ESTABLISHED",   "s:SYN_RECEIVED>ESTABLISHED", "c:ESTABLISHED>FIN_WAIT_1",
			      "s:ESTABLISHED>CLOSE_WAIT", "s:CLOSE_WAIT>LAST_ACK",    "c:FIN_WAIT_1>FIN_WAIT_2",
			      "c:FIN_WAIT_2>TIME_WAIT",   "s:LAST_ACK>CLOSED",        "c:TIME_WAIT>CLOSED"};
	CHECK_EQ_INT(seen.nstates, 12);
	for (int i = 0; i < 12 && i < seen.nstates; i++)
		CHECK_STR(seen.states[i], want[i]);
	CHECK_EQ_INT(tcp_stats(w.tcp)->live_pcbs, 0);
	CHECK_EQ_INT(packet_live_count(), 0);
	world_free(&w);
}

static void test_segmentation_at_mss(void)
{
	uint32_t mtus[] = {1500, 576, 9000};
	for (int m = 0; m < 3; m++) {
		struct link_params lp = lp_default();
		lp.mtu = mtus[m];
		lp.queue_bytes = 1 << 20;
		struct world w;
		world_init(&w, 1, 2, lp, NULL);
		struct seen seen = {0};
		bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND), seen_record, &seen);
		tcp_listen(w.tcp, w.server, 9, echo_accept, NULL);
		struct client cl;
		start_client(&w, &cl, 20000, 9);
		sim_run(w.sim);
		uint32_t mss = mtus[m] - 40;
		CHECK_EQ_INT(tcp_stats(w.tcp)->bytes_delivered, 40000);
		CHECK_EQ_INT(cl.mismatch, 0);
		CHECK_EQ_INT(seen.max_len, mss);
		CHECK_EQ_INT(tcp_stats(w.tcp)->retransmissions, 0);
		world_free(&w);
	}
	/* The smaller MTU anywhere on the path decides the MSS. */
	struct world w;
	world_init(&w, 1, 3, lp_default(), NULL);
	CHECK_EQ_INT(net_path_mtu(w.net, w.client, w.server_ip), 1500);
	world_free(&w);
}

static void test_megabyte_over_lossy_path(void)
{
	struct link_params lp = lp_default();
	lp.loss = 0.05;
	lp.bandwidth_bps = 10000000;
	struct world w;
	world_init(&w, 3, 3, lp, NULL);
	tcp_listen(w.tcp, w.server, 7, echo_accept, NULL);
	struct client cl;
	start_client(&w, &cl, 1 << 20, 7);
	sim_run(w.sim);
	const struct tcp_stats *st = tcp_stats(w.tcp);
	CHECK_EQ_INT(cl.received, 1 << 20);
	CHECK_EQ_INT(cl.mismatch, 0);
	CHECK_EQ_INT(cl.err, TCP_OK);
	CHECK(st->retransmissions > 0);
	CHECK(st->fast_retransmits > 0);
	CHECK(st->out_of_order > 0); /* losses leave holes that later fill */
	CHECK(net_stats(w.net)->drops[OBS_DROP_LOSS] > 0);
	printf("1 MiB echo over 3 lossy hops: %.3f s simulated, %llu retransmissions (%llu fast, %llu timeouts), "
	       "%llu out-of-order segments\n",
	       (double)sim_now(w.sim) / 1e9, (unsigned long long)st->retransmissions,
	       (unsigned long long)st->fast_retransmits, (unsigned long long)st->timeouts,
	       (unsigned long long)st->out_of_order);
	CHECK_EQ_INT(st->live_pcbs, 0);
	CHECK_EQ_INT(packet_live_count(), 0);
	world_free(&w);
}

/* Link down for 3 s in the middle of a transfer: the sender backs off and
 * the transfer completes after the link returns. */
static int fault_link;
static struct net *fault_net;
static void link_down(struct sim *sim, void *ctx)
{
	(void)sim;
	(void)ctx;
	net_link_set_up(fault_net, fault_link, 0);
}
static void link_up(struct sim *sim, void *ctx)
{
	(void)sim;
	(void)ctx;
	net_link_set_up(fault_net, fault_link, 1);
}

static void test_link_down_and_up(void)
{
	struct link_params lp = lp_default();
	lp.bandwidth_bps = 1000000; /* 1 Mb/s: 256 KiB take about 2 s each way */
	lp.queue_bytes = 1 << 20;
	struct world w;
	world_init(&w, 5, 2, lp, NULL);
	tcp_listen(w.tcp, w.server, 7, echo_accept, NULL);
	struct client cl;
	start_client(&w, &cl, 256 * 1024, 7);
	fault_net = w.net;
	fault_link = w.links[1];
	sim_at(w.sim, 500 * SIM_MS, sim_handler(w.sim, link_down), NULL);
	sim_at(w.sim, 3500 * SIM_MS, sim_handler(w.sim, link_up), NULL);
	sim_run(w.sim);
	CHECK_EQ_INT(cl.received, 256 * 1024);
	CHECK_EQ_INT(cl.mismatch, 0);
	CHECK_EQ_INT(cl.err, TCP_OK);
	CHECK(net_stats(w.net)->drops[OBS_DROP_LINK_DOWN] > 0);
	CHECK(tcp_stats(w.tcp)->timeouts > 0);
	CHECK(sim_now(w.sim) > 3500 * SIM_MS);
	CHECK_EQ_INT(packet_live_count(), 0);
	world_free(&w);
}

static void test_rst_on_closed_port(void)
{
	struct world w;
	world_init(&w, 1, 2, lp_default(), NULL);
	struct seen seen = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND), seen_record, &seen);
	struct client cl;
	start_client(&w, &cl, 10, 25); /* nobody listens on 25 */
	sim_run(w.sim);
	CHECK(cl.closed);
	CHECK_EQ_INT(cl.err, TCP_ERR_REFUSED);
	CHECK(!cl.connected);
	REQUIRE(seen.n == 2);
	CHECK_STR(seen.flags[0], "S");
	CHECK_STR(seen.flags[1], "R.");
	CHECK(sim_now(w.sim) < 100 * SIM_MS); /* one round trip, no retries */
	CHECK_EQ_INT(tcp_stats(w.tcp)->connections_failed, 1);
	world_free(&w);
}

static void test_connect_timeout(void)
{
	struct tcp_config cfg = tcp_config_default();
	cfg.connect_timeout = 10 * SIM_S;
	struct world w;
	world_init(&w, 1, 2, lp_default(), &cfg);
	net_link_set_up(w.net, w.links[1], 0);
	struct seen seen = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND) | OBS_MASK(OBS_PKT_RETRANSMIT), seen_record, &seen);
	tcp_listen(w.tcp, w.server, 7, echo_accept, NULL);
	struct client cl;
	start_client(&w, &cl, 10, 7);
	sim_run(w.sim);
	CHECK_EQ_INT(cl.err, TCP_ERR_CONNECT_TIMEOUT);
	CHECK_EQ_INT(sim_now(w.sim), 10 * SIM_S);
	/* SYN at 0, retries at 1, 3 and 7 s (RTO 1 s doubling). */
	CHECK_EQ_INT(tcp_stats(w.tcp)->retransmissions, 3);
	world_free(&w);
}

static int idle_calls;
static void idle_cb(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	idle_calls++;
	tcp_close(c);
}
static void idle_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)ctx;
	(void)c;
	server_closed_ok += e == TCP_OK;
}
static const struct tcp_callbacks idle_cbs = {.idle = idle_cb, .closed = idle_closed};
static void idle_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_set_callbacks(c, &idle_cbs, NULL);
	tcp_set_idle_timeout(c, 5 * SIM_S);
}
static void idle_client_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}

static void test_idle_timeout(void)
{
	struct world w;
	world_init(&w, 1, 1, lp_default(), NULL);
	tcp_listen(w.tcp, w.server, 25, idle_accept, NULL);
	idle_calls = 0;
	server_closed_ok = 0;
	static const struct tcp_callbacks cbs = {.peer_closed = idle_client_peer_closed};
	tcp_connect(w.tcp, w.client, w.server_ip, 25, &cbs, NULL);
	sim_run(w.sim);
	CHECK_EQ_INT(idle_calls, 1);
	CHECK_EQ_INT(server_closed_ok, 1);
	CHECK(sim_now(w.sim) >= 5 * SIM_S);
	CHECK_EQ_INT(tcp_stats(w.tcp)->live_pcbs, 0);
	world_free(&w);
}

/* A receiver that stops reading: the window closes, the sender probes, and
 * everything arrives once reading resumes. */
static struct tcp_conn *slow_conn;
static size_t slow_received;
static void slow_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)c;
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern(slow_received + i))
			server_closed_err++;
	slow_received += n;
}
static void slow_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}
static const struct tcp_callbacks slow_cbs = {.data = slow_data, .peer_closed = slow_peer_closed};
static void slow_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	slow_conn = c;
	tcp_set_callbacks(c, &slow_cbs, NULL);
	tcp_pause_reading(c, 1);
}
static void resume(struct sim *sim, void *ctx)
{
	(void)sim;
	(void)ctx;
	tcp_pause_reading(slow_conn, 0);
}
static void client_send_all_then_close(void *ctx, struct tcp_conn *c)
{
	struct client *cl = ctx;
	client_push(cl, c);
	if (cl->sent == cl->total)
		tcp_close(c);
}
static void test_zero_window(void)
{
	struct world w;
	world_init(&w, 1, 1, lp_default(), NULL);
	tcp_listen(w.tcp, w.server, 7, slow_accept, NULL);
	slow_received = 0;
	server_closed_err = 0;
	struct client cl;
	memset(&cl, 0, sizeof cl);
	cl.total = 200000;
	static const struct tcp_callbacks cbs = {.connected = client_send_all_then_close,
						 .writable = client_send_all_then_close,
						 .closed = client_closed};
	tcp_connect(w.tcp, w.client, w.server_ip, 7, &cbs, &cl);
	sim_run_until(w.sim, 10 * SIM_S);
	CHECK_EQ_INT(slow_received, 0);
	CHECK(tcp_unacked(slow_conn) == 0);
	sim_at(w.sim, sim_now(w.sim), sim_handler(w.sim, resume), NULL);
	sim_run(w.sim);
	CHECK_EQ_INT(slow_received, 200000);
	CHECK_EQ_INT(server_closed_err, 0);
	CHECK_EQ_INT(cl.err, TCP_OK);
	world_free(&w);
}

static uint64_t run_fingerprint(uint64_t seed)
{
	struct link_params lp = lp_default();
	lp.loss = 0.03;
	struct world w;
	world_init(&w, seed, 3, lp, NULL);
	struct seen seen = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK_ALL, seen_record, &seen);
	tcp_listen(w.tcp, w.server, 7, echo_accept, NULL);
	struct client cl;
	start_client(&w, &cl, 100000, 7);
	sim_run(w.sim);
	world_free(&w);
	return seen.hash;
}

static void test_determinism(void)
{
	uint64_t a = run_fingerprint(11), b = run_fingerprint(11), c = run_fingerprint(12);
	CHECK(a == b);
	CHECK(a != c);
}

static void test_udp(void)
{
	struct world w;
	world_init(&w, 1, 2, lp_default(), NULL);
	struct udp *udp = udp_new(w.net);
	static int got;
	got = 0;
	struct ctx {
		int dummy;
	};
	void (*recv)(void *, int, uint32_t, uint16_t, uint16_t, const uint8_t *, size_t);
	recv = NULL;
	(void)recv;
	CHECK_EQ_INT(udp_bind(udp, w.server, 53, NULL, NULL) == 53, 1);
	CHECK_EQ_INT(udp_bind(udp, w.server, 53, NULL, NULL), -1);
	udp_unbind(udp, w.server, 53);
	int port = udp_bind(udp, w.client, 0, NULL, NULL);
	CHECK(port >= 49152);
	udp_send(udp, w.client, (uint16_t)port, w.server_ip, 99, "x", 1); /* nobody there */
	sim_run(w.sim);
	CHECK_EQ_INT(net_stats(w.net)->drops[OBS_DROP_NO_SOCKET], 1);
	CHECK_EQ_INT(udp_send(udp, w.client, (uint16_t)port, w.server_ip, 99, "x", 70000), -1);
	udp_free(&udp);
	(void)got;
	world_free(&w);
}

int main(void)
{
	RUN(test_handshake_and_close);
	RUN(test_segmentation_at_mss);
	RUN(test_megabyte_over_lossy_path);
	RUN(test_link_down_and_up);
	RUN(test_rst_on_closed_port);
	RUN(test_connect_timeout);
	RUN(test_idle_timeout);
	RUN(test_zero_window);
	RUN(test_determinism);
	RUN(test_udp);
	return harness_done();
}

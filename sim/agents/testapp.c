/* The built-in test application: echo and discard services and clients that
 * send a byte stream or request lines. See testapp.h. */
#include "sim/agents/testapp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

#define CHUNK 16384

static const char *const outcome_names[] = {"unfinished", "complete", "refused", "reset",
					     "timeout",    "mismatch", "unreachable"};

const char *testapp_outcome_name(enum testapp_outcome o)
{
	return o < TESTAPP_OUTCOME_COUNT ? outcome_names[o] : "?";
}

int testapp_outcome_from_name(const char *name)
{
	for (int i = 0; i < TESTAPP_OUTCOME_COUNT; i++)
		if (strcmp(outcome_names[i], name) == 0)
			return i;
	return -1;
}

uint8_t testapp_pattern_byte(uint64_t i)
{
	/* A multiplicative hash of the offset: no short period, so a
	 * duplicated, lost or reordered segment shows as a mismatch. */
	uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull;
	x ^= x >> 29;
	return (uint8_t)(x >> 24);
}

struct ta_conn; /* a service's accepted connection */

struct ta_client {
	struct testapp *app;
	char *name;
	struct testapp_client_spec spec;
	struct tcp_conn *conn;
	sim_event_id start_ev, deadline, send_ev;
	uint8_t *line;          /* lines mode: the current line */
	uint32_t line_len;      /* its length */
	uint32_t line_index;    /* 0-based line being sent or echoed */
	uint32_t line_sent;     /* bytes of it accepted by tcp_send */
	uint32_t line_echoed;   /* bytes of it echoed back so far */
	int udp_port;           /* UDP: the bound local port, 0 if none */
	uint8_t *seen;          /* UDP: one flag per datagram echoed */
	uint8_t *dgram;         /* UDP: datagram buffer */
	int closing;            /* tcp_close called */
	struct testapp_client_result res;
	char detail[128];
};

struct ta_service {
	struct testapp *app;
	enum testapp_service_kind kind;
	int udp;
	int host;
	uint16_t port;
};

struct ta_conn {
	struct testapp *app;
	struct ta_service *svc;
	struct tcp_conn *c;
	uint8_t *pending; /* echo bytes tcp_send did not take yet */
	size_t plen, pcap;
	int peer_closed;
	struct ta_conn *prev, *next;
};

struct testapp {
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	struct udp *udp;
	int h_start, h_deadline, h_datagram;
	struct ta_service **services;
	size_t service_count;
	struct ta_client **clients;
	size_t client_count;
	struct ta_conn *conns; /* open service connections */
};

static void publish(struct testapp *app, int host, const struct tcp_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void publish(struct testapp *app, int host, const struct tcp_conn *c, const char *fmt, ...)
{
	struct obs_bus *bus = sim_bus(app->sim);
	if (!bus_wants(bus, OBS_APP))
		return;
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct obs_record rec = {.type = OBS_APP, .time = sim_now(app->sim)};
	rec.u.app.host = host;
	rec.u.app.conn_id = c ? tcp_conn_id(c) : 0;
	rec.u.app.kind = "app";
	rec.u.app.text = text;
	bus_publish(bus, &rec);
}

/* ---- services ---- */

static void conn_unlink_free(struct ta_conn *tc)
{
	struct testapp *app = tc->app;
	if (tc->prev)
		tc->prev->next = tc->next;
	else
		app->conns = tc->next;
	if (tc->next)
		tc->next->prev = tc->prev;
	free(tc->pending);
	free(tc);
}

static int pending_append(struct ta_conn *tc, const uint8_t *b, size_t n)
{
	if (tc->plen + n > tc->pcap) {
		size_t cap = tc->pcap ? tc->pcap : 4096;
		while (cap < tc->plen + n)
			cap *= 2;
		uint8_t *p = realloc(tc->pending, cap);
		if (!p)
			return -1;
		tc->pending = p;
		tc->pcap = cap;
	}
	memcpy(tc->pending + tc->plen, b, n);
	tc->plen += n;
	return 0;
}

static void echo_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	struct ta_conn *tc = ctx;
	if (tc->svc->kind == TESTAPP_DISCARD)
		return;
	size_t n = tc->plen ? 0 : tcp_send(c, bytes, len);
	if (n < len) {
		/* Back-pressure: hold the rest and stop reading until the
		 * send buffer drains, so the client's window closes. */
		if (pending_append(tc, bytes + n, len - n) < 0) {
			tcp_abort(c);
			conn_unlink_free(tc);
			return;
		}
		tcp_pause_reading(c, 1);
	}
}

static void echo_writable(void *ctx, struct tcp_conn *c)
{
	struct ta_conn *tc = ctx;
	if (!tc->plen)
		return;
	size_t n = tcp_send(c, tc->pending, tc->plen);
	memmove(tc->pending, tc->pending + n, tc->plen - n);
	tc->plen -= n;
	if (tc->plen == 0) {
		tcp_pause_reading(c, 0);
		if (tc->peer_closed)
			tcp_close(c);
	}
}

static void echo_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct ta_conn *tc = ctx;
	tc->peer_closed = 1;
	if (tc->plen == 0)
		tcp_close(c);
}

static void echo_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	conn_unlink_free(ctx);
}

static const struct tcp_callbacks service_cbs = {
	.data = echo_data,
	.writable = echo_writable,
	.peer_closed = echo_peer_closed,
	.closed = echo_closed,
};

static void service_accept(void *ctx, struct tcp_conn *c)
{
	struct ta_service *svc = ctx;
	struct ta_conn *tc = calloc(1, sizeof *tc);
	if (!tc) {
		tcp_abort(c);
		return;
	}
	tc->app = svc->app;
	tc->svc = svc;
	tc->c = c;
	tc->next = svc->app->conns;
	if (tc->next)
		tc->next->prev = tc;
	svc->app->conns = tc;
	tcp_set_callbacks(c, &service_cbs, tc);
}

static void udp_service_recv(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			     const uint8_t *data, size_t len)
{
	struct ta_service *svc = ctx;
	if (svc->kind == TESTAPP_ECHO)
		udp_send(svc->app->udp, host, dst_port, src_ip, src_port, data, len);
}

void testapp_host_restarted(struct testapp *app, int host)
{
	for (size_t i = 0; i < app->service_count; i++) {
		struct ta_service *svc = app->services[i];
		if (svc->host != host)
			continue;
		if (svc->udp)
			udp_bind(app->udp, host, svc->port, udp_service_recv, svc);
		else
			tcp_listen(app->tcp, host, svc->port, service_accept, svc);
	}
}

int testapp_add_service(struct testapp *app, enum testapp_service_kind kind, int udp, int host, uint16_t port)
{
	struct ta_service *svc = calloc(1, sizeof *svc);
	struct ta_service **list = realloc(app->services, (app->service_count + 1) * sizeof *list);
	if (!svc || !list) {
		free(svc);
		if (list)
			app->services = list;
		return -1;
	}
	app->services = list;
	*svc = (struct ta_service){app, kind, udp, host, port};
	int rc = udp ? udp_bind(app->udp, host, port, udp_service_recv, svc)
		     : tcp_listen(app->tcp, host, port, service_accept, svc);
	if (rc < 0) {
		free(svc);
		return -1;
	}
	app->services[app->service_count++] = svc;
	return 0;
}

/* ---- clients ---- */

static void client_finish(struct ta_client *cl, enum testapp_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void client_finish(struct ta_client *cl, enum testapp_outcome o, const char *fmt, ...)
{
	if (cl->res.finished >= 0)
		return;
	struct testapp *app = cl->app;
	cl->res.outcome = o;
	cl->res.finished = sim_now(app->sim);
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(cl->detail, sizeof cl->detail, fmt, ap);
		va_end(ap);
	}
	sim_cancel(app->sim, cl->deadline);
	if (cl->udp_port) {
		udp_unbind(app->udp, cl->spec.host, (uint16_t)cl->udp_port);
		cl->udp_port = 0;
	}
	publish(app, cl->spec.host, cl->conn, "client %s: %s%s%s (%llu bytes sent, %llu received)", cl->name,
		testapp_outcome_name(o), cl->detail[0] ? ": " : "", cl->detail, (unsigned long long)cl->res.bytes_sent,
		(unsigned long long)cl->res.bytes_received);
}

/* Fails the client now and drops its connection with a RST. */
static void client_fail(struct ta_client *cl, enum testapp_outcome o, const char *detail)
{
	client_finish(cl, o, "%s", detail);
	if (cl->conn) {
		struct tcp_conn *c = cl->conn;
		cl->conn = NULL;
		tcp_abort(c);
	}
}

static void make_line(struct ta_client *cl)
{
	uint32_t len = cl->spec.line_length;
	char prefix[64];
	int n = snprintf(prefix, sizeof prefix, "line %u of %u: ", cl->line_index + 1, cl->spec.lines);
	size_t body = len - 2;
	size_t p = (size_t)n < body ? (size_t)n : body;
	memcpy(cl->line, prefix, p);
	for (size_t i = p; i < body; i++)
		cl->line[i] = (uint8_t)('a' + (i + cl->line_index) % 26);
	cl->line[body] = '\r';
	cl->line[body + 1] = '\n';
	cl->line_len = len;
	cl->line_sent = cl->line_echoed = 0;
}

static void client_close(struct ta_client *cl)
{
	if (!cl->closing && cl->conn) {
		cl->closing = 1;
		tcp_close(cl->conn);
	}
}

static void client_pump(struct ta_client *cl)
{
	struct tcp_conn *c = cl->conn;
	if (!c || cl->closing)
		return;
	if (cl->spec.lines) {
		while (cl->line_sent < cl->line_len) {
			size_t n = tcp_send(c, cl->line + cl->line_sent, cl->line_len - cl->line_sent);
			if (n == 0)
				return;
			cl->line_sent += (uint32_t)n;
			cl->res.bytes_sent += n;
		}
		return;
	}
	uint8_t buf[CHUNK];
	while (cl->res.bytes_sent < cl->spec.bytes) {
		uint64_t left = cl->spec.bytes - cl->res.bytes_sent;
		/* Offer a whole chunk even when the buffer has less room:
		 * writable is only promised after tcp_send took less than it
		 * was offered. */
		size_t want = left < CHUNK ? (size_t)left : CHUNK;
		for (size_t i = 0; i < want; i++)
			buf[i] = testapp_pattern_byte(cl->res.bytes_sent + i);
		size_t n = tcp_send(c, buf, want);
		cl->res.bytes_sent += n;
		if (n < want)
			return;
	}
	if (!cl->spec.echo || cl->res.bytes_received >= cl->spec.bytes)
		client_close(cl);
}

static void client_connected(void *ctx, struct tcp_conn *c)
{
	struct ta_client *cl = ctx;
	char ip[16];
	publish(cl->app, cl->spec.host, c, "client %s: connected to %s:%u", cl->name,
		ipv4_format(cl->spec.dst_ip, ip), cl->spec.dst_port);
	client_pump(cl);
}

static void client_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	struct ta_client *cl = ctx;
	(void)c;
	uint64_t base = cl->res.bytes_received;
	cl->res.bytes_received += len;
	if (!cl->spec.echo || cl->res.finished >= 0)
		return;
	char why[128];
	if (cl->spec.lines) {
		for (size_t i = 0; i < len; i++) {
			if (cl->line_echoed >= cl->line_sent) {
				snprintf(why, sizeof why, "the server sent bytes before line %u was sent", cl->line_index + 1);
				client_fail(cl, TESTAPP_MISMATCH, why);
				return;
			}
			if (bytes[i] != cl->line[cl->line_echoed]) {
				snprintf(why, sizeof why, "line %u differs at byte %u", cl->line_index + 1, cl->line_echoed);
				client_fail(cl, TESTAPP_MISMATCH, why);
				return;
			}
			if (++cl->line_echoed == cl->line_len) {
				publish(cl->app, cl->spec.host, cl->conn, "client %s: line %u of %u echoed", cl->name,
					cl->line_index + 1, cl->spec.lines);
				if (++cl->line_index == cl->spec.lines) {
					if (i + 1 < len) {
						client_fail(cl, TESTAPP_MISMATCH, "the server sent more than was sent to it");
						return;
					}
					client_close(cl);
					return;
				}
				make_line(cl);
				client_pump(cl);
			}
		}
		return;
	}
	for (size_t i = 0; i < len; i++) {
		uint64_t off = base + i;
		if (off >= cl->res.bytes_sent || bytes[i] != testapp_pattern_byte(off)) {
			snprintf(why, sizeof why, off >= cl->res.bytes_sent ? "byte %llu came back before it was sent"
									  : "byte %llu differs",
				 (unsigned long long)off);
			client_fail(cl, TESTAPP_MISMATCH, why);
			return;
		}
	}
	if (cl->res.bytes_received == cl->spec.bytes && cl->res.bytes_sent == cl->spec.bytes)
		client_close(cl);
}

static void client_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	client_pump(ctx);
}

static int client_done(const struct ta_client *cl)
{
	if (cl->spec.lines)
		return cl->line_index == cl->spec.lines;
	return cl->res.bytes_sent == cl->spec.bytes && (!cl->spec.echo || cl->res.bytes_received == cl->spec.bytes);
}

static void client_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct ta_client *cl = ctx;
	(void)c;
	if (!client_done(cl) && cl->spec.echo) {
		char why[128];
		snprintf(why, sizeof why, "the server closed after echoing %llu bytes",
			 (unsigned long long)cl->res.bytes_received);
		client_finish(cl, TESTAPP_MISMATCH, "%s", why);
	}
	client_close(cl);
}

static void client_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	struct ta_client *cl = ctx;
	(void)c;
	cl->conn = NULL;
	switch (err) {
	case TCP_OK:
		if (client_done(cl))
			client_finish(cl, TESTAPP_COMPLETE, NULL);
		else
			client_finish(cl, TESTAPP_MISMATCH, "closed before all bytes were sent");
		break;
	case TCP_ERR_REFUSED: client_finish(cl, TESTAPP_REFUSED, "connection refused (RST)"); break;
	case TCP_ERR_RESET: client_finish(cl, TESTAPP_RESET, "connection reset by the peer"); break;
	case TCP_ERR_HOST_DOWN: client_finish(cl, TESTAPP_RESET, "the client's host went down"); break;
	case TCP_ERR_TIMEOUT: client_finish(cl, TESTAPP_TIMEOUT, "retransmissions gave up"); break;
	case TCP_ERR_CONNECT_TIMEOUT: client_finish(cl, TESTAPP_TIMEOUT, "no answer to SYN"); break;
	case TCP_ERR_IDLE_TIMEOUT: client_finish(cl, TESTAPP_TIMEOUT, "idle timeout"); break;
	case TCP_ERR_NO_ROUTE: client_finish(cl, TESTAPP_UNREACHABLE, "no route to the server"); break;
	default: client_finish(cl, TESTAPP_RESET, "%s", tcp_error_name(err)); break;
	}
}

static const struct tcp_callbacks client_cbs = {
	.connected = client_connected,
	.data = client_data,
	.writable = client_writable,
	.peer_closed = client_peer_closed,
	.closed = client_closed,
};

/* ---- UDP clients ---- */

/* Datagram seq: a 4-byte big-endian sequence number, then the pattern of
 * the stream offset seq * size + i, so a datagram is checked on its own. */
static void make_datagram(struct ta_client *cl, uint32_t seq)
{
	uint8_t *d = cl->dgram;
	uint32_t size = cl->spec.datagram_size;
	d[0] = (uint8_t)(seq >> 24);
	d[1] = (uint8_t)(seq >> 16);
	d[2] = (uint8_t)(seq >> 8);
	d[3] = (uint8_t)seq;
	for (uint32_t i = 4; i < size; i++)
		d[i] = testapp_pattern_byte((uint64_t)seq * size + i);
}

static int udp_all_back(const struct ta_client *cl)
{
	return !cl->spec.echo || cl->res.datagrams_received == cl->spec.datagrams;
}

static void udp_client_recv(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			    const uint8_t *data, size_t len)
{
	struct ta_client *cl = ctx;
	(void)host;
	(void)dst_port;
	if (cl->res.finished >= 0 || src_ip != cl->spec.dst_ip || src_port != cl->spec.dst_port)
		return;
	cl->res.bytes_received += len;
	if (!cl->spec.echo)
		return;
	uint32_t seq = len >= 4 ? (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3]
				: UINT32_MAX;
	char why[128];
	if (len != cl->spec.datagram_size || seq >= cl->res.datagrams_sent || cl->seen[seq]) {
		snprintf(why, sizeof why, "an unexpected datagram of %zu bytes came back", len);
		client_finish(cl, TESTAPP_MISMATCH, "%s", why);
		return;
	}
	make_datagram(cl, seq);
	if (memcmp(cl->dgram, data, len) != 0) {
		snprintf(why, sizeof why, "datagram %u came back changed", seq + 1);
		client_finish(cl, TESTAPP_MISMATCH, "%s", why);
		return;
	}
	cl->seen[seq] = 1;
	cl->res.datagrams_received++;
	if (cl->res.datagrams_sent == cl->spec.datagrams && udp_all_back(cl))
		client_finish(cl, TESTAPP_COMPLETE, NULL);
}

static void udp_client_send(struct sim *sim, void *ctx)
{
	struct ta_client *cl = ctx;
	cl->send_ev = 0;
	if (cl->res.finished >= 0)
		return;
	uint32_t seq = cl->res.datagrams_sent;
	make_datagram(cl, seq);
	/* Loss on the way is silent, as in real UDP; only a datagram too big
	 * for UDP at all fails here, and the loader never allows one. */
	if (udp_send(cl->app->udp, cl->spec.host, (uint16_t)cl->udp_port, cl->spec.dst_ip, cl->spec.dst_port,
		     cl->dgram, cl->spec.datagram_size) == 0)
		cl->res.bytes_sent += cl->spec.datagram_size;
	cl->res.datagrams_sent++;
	if (cl->res.datagrams_sent < cl->spec.datagrams)
		cl->send_ev = sim_after(sim, cl->spec.interval, cl->app->h_datagram, cl);
	else if (udp_all_back(cl))
		client_finish(cl, TESTAPP_COMPLETE, NULL);
}

static void udp_client_start(struct ta_client *cl)
{
	int port = udp_bind(cl->app->udp, cl->spec.host, 0, udp_client_recv, cl);
	if (port <= 0) {
		client_finish(cl, TESTAPP_UNREACHABLE, "no free UDP port");
		return;
	}
	cl->udp_port = port;
	if (cl->spec.datagrams == 0) {
		client_finish(cl, TESTAPP_COMPLETE, NULL);
		return;
	}
	udp_client_send(cl->app->sim, cl);
}

static void client_start(struct sim *sim, void *ctx)
{
	struct ta_client *cl = ctx;
	cl->start_ev = 0;
	cl->res.started = sim_now(sim);
	char ip[16];
	publish(cl->app, cl->spec.host, NULL, "client %s: %s %s:%u", cl->name,
		cl->spec.udp ? "sending datagrams to" : "connecting to", ipv4_format(cl->spec.dst_ip, ip),
		cl->spec.dst_port);
	if (cl->spec.udp) {
		udp_client_start(cl);
		return;
	}
	if (cl->spec.lines)
		make_line(cl);
	cl->conn = tcp_connect(cl->app->tcp, cl->spec.host, cl->spec.dst_ip, cl->spec.dst_port, &client_cbs, cl);
	if (!cl->conn)
		client_finish(cl, TESTAPP_UNREACHABLE, "no free port or memory for a connection");
}

static void client_deadline(struct sim *sim, void *ctx)
{
	struct ta_client *cl = ctx;
	char t[40];
	(void)sim;
	cl->deadline = 0;
	if (cl->spec.udp)
		snprintf(t, sizeof t, "%u of %u datagrams came back", cl->res.datagrams_received,
			 cl->res.datagrams_sent);
	else
		snprintf(t, sizeof t, "not finished %.3f s after it started", (double)cl->spec.timeout / 1e9);
	client_fail(cl, TESTAPP_TIMEOUT, t);
}

int testapp_add_client(struct testapp *app, const struct testapp_client_spec *spec)
{
	struct ta_client **list = realloc(app->clients, (app->client_count + 1) * sizeof *list);
	if (!list)
		return -1;
	app->clients = list;
	struct ta_client *cl = calloc(1, sizeof *cl);
	if (!cl)
		return -1;
	cl->app = app;
	cl->spec = *spec;
	if (cl->spec.lines && cl->spec.line_length < 16)
		cl->spec.line_length = 16;
	if (cl->spec.lines)
		cl->spec.echo = 1;
	if (cl->spec.udp && (cl->spec.datagram_size < 4 || cl->spec.datagram_size > 65507)) {
		free(cl);
		return -1;
	}
	cl->name = malloc(strlen(spec->name) + 1);
	cl->line = cl->spec.lines && !cl->spec.udp ? malloc(cl->spec.line_length) : NULL;
	cl->seen = cl->spec.udp ? calloc(cl->spec.datagrams + 1, 1) : NULL;
	cl->dgram = cl->spec.udp ? malloc(cl->spec.datagram_size) : NULL;
	if (!cl->name || (cl->spec.lines && !cl->spec.udp && !cl->line) || (cl->spec.udp && (!cl->seen || !cl->dgram))) {
		free(cl->name);
		free(cl->line);
		free(cl->seen);
		free(cl->dgram);
		free(cl);
		return -1;
	}
	strcpy(cl->name, spec->name);
	cl->spec.name = cl->name;
	cl->res.started = -1;
	cl->res.finished = -1;
	cl->res.detail = cl->detail;
	cl->start_ev = sim_at(app->sim, spec->start, app->h_start, cl);
	if (!cl->start_ev) {
		free(cl->name);
		free(cl->line);
		free(cl->seen);
		free(cl->dgram);
		free(cl);
		return -1;
	}
	/* A deadline past the end of simulated time is no deadline. */
	if (spec->timeout > 0 && spec->start <= SIM_TIME_NEVER - spec->timeout)
		cl->deadline = sim_at(app->sim, spec->start + spec->timeout, app->h_deadline, cl);
	app->clients[app->client_count] = cl;
	return (int)app->client_count++;
}

struct testapp *testapp_new(struct sim *sim, struct net *net, struct tcp *tcp, struct udp *udp)
{
	struct testapp *app = calloc(1, sizeof *app);
	if (!app)
		return NULL;
	app->sim = sim;
	app->net = net;
	app->tcp = tcp;
	app->udp = udp;
	app->h_start = sim_handler(sim, client_start);
	app->h_deadline = sim_handler(sim, client_deadline);
	app->h_datagram = sim_handler(sim, udp_client_send);
	if (app->h_start < 0 || app->h_deadline < 0 || app->h_datagram < 0) {
		free(app);
		return NULL;
	}
	return app;
}

void testapp_free(struct testapp **appp)
{
	if (!appp || !*appp)
		return;
	struct testapp *app = *appp;
	/* tcp_abort forgets a connection without calling back, so nothing
	 * here can be reached through a stale callback afterwards. */
	while (app->conns) {
		tcp_abort(app->conns->c);
		conn_unlink_free(app->conns);
	}
	for (size_t i = 0; i < app->client_count; i++) {
		struct ta_client *cl = app->clients[i];
		sim_cancel(app->sim, cl->start_ev);
		sim_cancel(app->sim, cl->deadline);
		sim_cancel(app->sim, cl->send_ev);
		if (cl->conn)
			tcp_abort(cl->conn);
		if (cl->udp_port)
			udp_unbind(app->udp, cl->spec.host, (uint16_t)cl->udp_port);
		free(cl->name);
		free(cl->line);
		free(cl->seen);
		free(cl->dgram);
		free(cl);
	}
	for (size_t i = 0; i < app->service_count; i++) {
		if (app->services[i]->udp)
			udp_unbind(app->udp, app->services[i]->host, app->services[i]->port);
		else
			tcp_unlisten(app->tcp, app->services[i]->host, app->services[i]->port);
		free(app->services[i]);
	}
	free(app->clients);
	free(app->services);
	free(app);
	*appp = NULL;
}

size_t testapp_client_count(const struct testapp *app) { return app->client_count; }

const char *testapp_client_name(const struct testapp *app, size_t i)
{
	return i < app->client_count ? app->clients[i]->name : NULL;
}

const struct testapp_client_result *testapp_client_result(const struct testapp *app, size_t i)
{
	return i < app->client_count ? &app->clients[i]->res : NULL;
}

/* Real sockets spliced into simulated connections; see bridge.h. */
#define _GNU_SOURCE /* ppoll */
#include "sim/agents/bridge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/agents/agent_env.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

#define READ_CHUNK 16384
#define OUT_HIGH_WATER (256 * 1024) /* pause the simulated side above this */
#define MAX_LINE 1000               /* longest client line published */
/* Events due this soon run at once instead of after a sleep (sim_clock's
 * early_ns). A session's round trips on a fast simulated LAN are chains of
 * waits of a few microseconds each; as sleeps, each one cost a wake-up
 * that a loaded machine delivers 50 to 100 us late, which made those waits
 * tens of times longer than the simulated network says. */
#define BRIDGE_EARLY_NS 50000

struct listener {
	int fd;
	uint32_t sim_ip;
	uint16_t sim_port;
};

struct splice {
	struct bridge *b;
	int fd;                /* the real socket, -1 once closed */
	struct tcp_conn *sc;   /* the simulated connection, NULL once over */
	int peer;              /* the simulated server's host */
	uint32_t conn_id;
	const char *proto;
	int sim_open;          /* the simulated handshake is done */
	int sim_peer_closed;   /* the simulated server sent FIN */
	int sim_failed;        /* the simulated connection ended badly */
	int real_eof;          /* the real client sent FIN */
	int real_shut;         /* we sent FIN to the real client */
	int paused;
	uint8_t *out;          /* simulated server -> real client, unsent */
	size_t out_len, out_cap;
	char line[MAX_LINE + 1]; /* the client's current line */
	size_t line_len;
};

struct bridge {
	const struct agent_env *env;
	int gateway;
	struct listener *listeners;
	size_t nlisteners;
	struct splice **splices;
	size_t nsplices, capsplices;
	size_t max_connections;
	sim_time interval;
	int handler, io_handler;
	int io_pending;
	/* pfds[0..fresh) holds what the sleep's ppoll just reported, for the
	 * service it scheduled (no second poll); 0: poll again. */
	size_t fresh;
	sim_event_id tick_id, io_id;
	struct sim_clock clock;
	struct pollfd *pfds;
	size_t cappfds;
	struct bridge_stats stats;
	uint8_t buf[READ_CHUNK];
};

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL, 0);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- the simulated side ---- */

static void publish_client_bytes(struct splice *sp, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			size_t len = sp->line_len && sp->line[sp->line_len - 1] == '\r' ? sp->line_len - 1 : sp->line_len;
			agent_publish_line(sp->b->env, sp->b->gateway, sp->peer, sp->conn_id, sp->proto, 1, 0, sp->line,
					   len);
			sp->line_len = 0;
		} else if (sp->line_len < MAX_LINE) {
			sp->line[sp->line_len++] = (char)p[i];
		}
	}
}

/* The simulated connection is reset from our side (the tcp module calls
 * no callback after an abort, so forget it here). */
static void abort_sim(struct splice *sp)
{
	if (sp->sc) {
		tcp_abort(sp->sc);
		sp->sc = NULL;
	}
	sp->sim_failed = 1;
}

static void flush_out(struct splice *sp)
{
	while (sp->fd >= 0 && sp->out_len) {
		ssize_t w = send(sp->fd, sp->out, sp->out_len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			/* The real client vanished: nothing more to deliver. */
			sp->out_len = 0;
			close(sp->fd);
			sp->fd = -1;
			abort_sim(sp);
			return;
		}
		memmove(sp->out, sp->out + w, sp->out_len - (size_t)w);
		sp->out_len -= (size_t)w;
		sp->b->stats.bytes_out += (uint64_t)w;
	}
	if (sp->paused && sp->out_len < OUT_HIGH_WATER / 2 && sp->sc) {
		tcp_pause_reading(sp->sc, 0);
		sp->paused = 0;
	}
}

static void on_connected(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct splice *sp = ctx;
	sp->sim_open = 1;
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	struct splice *sp = ctx;
	if (sp->fd < 0)
		return; /* nobody to give it to */
	if (sp->out_len + len > sp->out_cap) {
		size_t cap = (sp->out_len + len) * 2;
		uint8_t *p = realloc(sp->out, cap);
		if (!p) {
			(void)c;
			abort_sim(sp);
			return;
		}
		sp->out = p;
		sp->out_cap = cap;
	}
	memcpy(sp->out + sp->out_len, bytes, len);
	sp->out_len += len;
	flush_out(sp);
	if (sp->out_len > OUT_HIGH_WATER && sp->sc && !sp->paused) {
		tcp_pause_reading(sp->sc, 1);
		sp->paused = 1;
	}
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct splice *sp = ctx;
	sp->sim_peer_closed = 1;
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	struct splice *sp = ctx;
	sp->sc = NULL;
	if (err != TCP_OK)
		sp->sim_failed = 1;
}

static const struct tcp_callbacks sim_callbacks = {
	.connected = on_connected, .data = on_data, .peer_closed = on_peer_closed, .closed = on_closed};

/* ---- the real side ---- */

static void accept_all(struct bridge *b, const struct listener *l)
{
	for (;;) {
		/* Non-blocking from the start: one system call, not three, per
		 * connection (one-message sessions make that count). */
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a client that gave up */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		b->stats.accepted++;
		if (b->stats.active >= b->max_connections) {
			close(fd);
			b->stats.refused++;
			continue;
		}
		if (b->nsplices == b->capsplices) {
			size_t cap = b->capsplices ? b->capsplices * 2 : 64;
			struct splice **p = realloc(b->splices, cap * sizeof *p);
			if (!p) {
				close(fd);
				b->stats.refused++;
				continue;
			}
			b->splices = p;
			b->capsplices = cap;
		}
		struct splice *sp = calloc(1, sizeof *sp);
		if (!sp) {
			close(fd);
			b->stats.refused++;
			continue;
		}
		sp->b = b;
		sp->fd = fd;
		sp->proto = agent_proto_for_port(l->sim_port);
		sp->peer = net_host_by_ip(b->env->net, l->sim_ip);
		sp->sc = tcp_connect(b->env->tcp, b->gateway, l->sim_ip, l->sim_port, &sim_callbacks, sp);
		if (!sp->sc) {
			close(fd);
			free(sp);
			b->stats.refused++;
			continue;
		}
		sp->conn_id = tcp_conn_id(sp->sc);
		b->splices[b->nsplices++] = sp;
		b->stats.active++;
		if (b->stats.active > b->stats.peak_active)
			b->stats.peak_active = b->stats.active;
	}
}

static void read_client(struct splice *sp)
{
	struct bridge *b = sp->b;
	size_t room = sp->sc ? tcp_send_space(sp->sc) : 0;
	if (!room)
		return;
	ssize_t n = recv(sp->fd, b->buf, room < READ_CHUNK ? room : READ_CHUNK, 0);
	if (n > 0) {
		publish_client_bytes(sp, b->buf, (size_t)n);
		tcp_send(sp->sc, b->buf, (size_t)n);
		b->stats.bytes_in += (uint64_t)n;
	} else if (n == 0) {
		sp->real_eof = 1;
		tcp_close(sp->sc);
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		/* Reset by the real client: the simulated server sees a reset. */
		close(sp->fd);
		sp->fd = -1;
		sp->out_len = 0;
		abort_sim(sp);
	}
}

/* Closes the real side once the simulated side is over and everything it
 * sent has been written; a failed simulated connection is a reset. */
static int settle(struct splice *sp)
{
	if (sp->fd >= 0 && sp->sim_peer_closed && !sp->out_len && !sp->real_shut) {
		shutdown(sp->fd, SHUT_WR);
		sp->real_shut = 1;
	}
	if (sp->fd >= 0 && !sp->sc && (!sp->out_len || sp->sim_failed)) {
		if (sp->sim_failed) {
			struct linger lg = {1, 0}; /* RST, as the server did */
			setsockopt(sp->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		}
		close(sp->fd);
		sp->fd = -1;
	}
	return sp->fd < 0 && !sp->sc;
}

/* Fills b->pfds with what to wait for: new connections, client bytes
 * that fit in the simulated send buffer, room to write to slow clients.
 * Returns how many entries. */
static size_t prepare_poll(struct bridge *b)
{
	size_t n = b->nlisteners + b->nsplices;
	if (n > b->cappfds) {
		struct pollfd *p = realloc(b->pfds, n * 2 * sizeof *p);
		if (!p)
			return 0;
		b->pfds = p;
		b->cappfds = n * 2;
	}
	size_t k = 0;
	for (size_t i = 0; i < b->nlisteners; i++)
		b->pfds[k++] = (struct pollfd){.fd = b->listeners[i].fd, .events = b->listeners[i].fd >= 0 ? POLLIN : 0};
	for (size_t i = 0; i < b->nsplices; i++) {
		struct splice *sp = b->splices[i];
		short ev = 0;
		if (sp->fd >= 0 && sp->sc && sp->sim_open && !sp->real_eof && tcp_send_space(sp->sc) > 0)
			ev |= POLLIN;
		if (sp->fd >= 0 && sp->out_len)
			ev |= POLLOUT;
		b->pfds[k++] = (struct pollfd){.fd = sp->fd >= 0 && ev ? sp->fd : -1, .events = ev};
	}
	return k;
}

/* Moves whatever is ready, now, in simulated time. */
static void service(struct bridge *b)
{
	/* The sleep's ppoll results still hold: the splices change only here,
	 * and a socket closed since then is skipped below (fd < 0). */
	size_t k = b->fresh;
	int ready = k > 0;
	b->fresh = 0;
	if (!ready) {
		k = prepare_poll(b);
		ready = k && poll(b->pfds, k, 0) > 0;
	}
	if (ready) {
		/* Only the splices polled: accepting adds new ones behind them. */
		size_t polled = b->nsplices;
		for (size_t i = 0; i < b->nlisteners; i++)
			if (b->pfds[i].revents & POLLIN)
				accept_all(b, &b->listeners[i]);
		for (size_t i = 0; i < polled; i++) {
			struct splice *sp = b->splices[i];
			short re = b->pfds[b->nlisteners + i].revents;
			if (sp->fd >= 0 && (re & POLLOUT))
				flush_out(sp);
			if (sp->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
				read_client(sp);
		}
	}
	/* Sweep the finished ones (order kept: deterministic publishing). */
	size_t w = 0;
	for (size_t i = 0; i < b->nsplices; i++) {
		struct splice *sp = b->splices[i];
		if (settle(sp)) {
			free(sp->out);
			free(sp);
			b->stats.active--;
		} else {
			b->splices[w++] = sp;
		}
	}
	b->nsplices = w;
}

/* The periodic safety net: I/O is normally served as soon as it is ready
 * (bridge_sleep wakes up for it), this catches anything else. */
static void tick(struct sim *sim, void *ctx)
{
	struct bridge *b = ctx;
	service(b);
	b->tick_id = sim_after(sim, b->interval, b->handler, b);
}

static void io_ready(struct sim *sim, void *ctx)
{
	(void)sim;
	struct bridge *b = ctx;
	b->io_pending = 0;
	service(b);
}

static int64_t bridge_wall_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The real-time loop's sleep: waits in poll() for real I/O, so bytes from a
 * real client are served at once instead of at the next tick. */
static void bridge_sleep(void *ctx, int64_t ns)
{
	struct bridge *b = ctx;
	size_t k = prepare_poll(b);
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	if (ppoll(k ? b->pfds : NULL, k, &ts, NULL) > 0 && !b->io_pending) {
		b->io_pending = 1;
		b->fresh = k;
		b->io_id = sim_after(b->env->sim, 0, b->io_handler, b);
	}
}

const struct sim_clock *bridge_clock(struct bridge *b)
{
	/* Sleeps are short and many (one per simulated event in flight): the
	 * default 50 us timer slack would dominate them. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	b->clock = (struct sim_clock){
		.wall_ns = bridge_wall_ns, .sleep_ns = bridge_sleep, .ctx = b, .early_ns = BRIDGE_EARLY_NS};
	return &b->clock;
}

/* ---- setup ---- */

struct bridge *bridge_new(const struct agent_env *env, int gateway, char *err, size_t errlen)
{
	if (gateway < 0 || gateway >= net_host_count(env->net)) {
		snprintf(err, errlen, "no such gateway host");
		return NULL;
	}
	struct bridge *b = calloc(1, sizeof *b);
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->env = env;
	b->gateway = gateway;
	b->max_connections = 1000;
	b->handler = -1;
	b->io_handler = -1;
	return b;
}

int bridge_listen(struct bridge *b, const char *addr, uint16_t port, uint32_t sim_ip, uint16_t sim_port,
		  uint16_t *bound_r, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	const char *a = strcmp(addr, "localhost") == 0 ? "127.0.0.1" : addr;
	if (inet_pton(AF_INET, a, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "\"%s\" is not an IPv4 address", addr);
		return -1;
	}
	struct listener *p = realloc(b->listeners, (b->nlisteners + 1) * sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	b->listeners = p;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 512) < 0) {
		snprintf(err, errlen, "cannot listen on %s:%u: %s", addr, (unsigned)port, strerror(errno));
		close(fd);
		return -1;
	}
	set_nonblocking(fd);
	socklen_t sl = sizeof sa;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	if (bound_r)
		*bound_r = ntohs(sa.sin_port);
	b->listeners[b->nlisteners++] = (struct listener){fd, sim_ip, sim_port};
	return 0;
}

int bridge_start(struct bridge *b, sim_time interval)
{
	b->interval = interval > 0 ? interval : SIM_MS;
	if (b->handler < 0) {
		b->handler = sim_handler(b->env->sim, tick);
		b->io_handler = sim_handler(b->env->sim, io_ready);
	}
	if (b->handler < 0 || b->io_handler < 0)
		return -1;
	b->tick_id = sim_after(b->env->sim, 0, b->handler, b);
	return b->tick_id ? 0 : -1;
}

void bridge_stop_listening(struct bridge *b)
{
	for (size_t i = 0; i < b->nlisteners; i++)
		if (b->listeners[i].fd >= 0) {
			close(b->listeners[i].fd);
			b->listeners[i].fd = -1;
		}
}

void bridge_set_max_connections(struct bridge *b, size_t max) { b->max_connections = max ? max : 1; }

const struct bridge_stats *bridge_stats(const struct bridge *b) { return &b->stats; }

void bridge_free(struct bridge **bp)
{
	if (!bp || !*bp)
		return;
	struct bridge *b = *bp;
	if (b->tick_id)
		sim_cancel(b->env->sim, b->tick_id);
	if (b->io_pending)
		sim_cancel(b->env->sim, b->io_id);
	bridge_stop_listening(b);
	for (size_t i = 0; i < b->nsplices; i++) {
		struct splice *sp = b->splices[i];
		if (sp->fd >= 0)
			close(sp->fd);
		if (sp->sc) {
			tcp_set_callbacks(sp->sc, NULL, NULL);
			tcp_abort(sp->sc);
		}
		free(sp->out);
		free(sp);
	}
	free(b->splices);
	free(b->listeners);
	free(b->pfds);
	free(b);
	*bp = NULL;
}

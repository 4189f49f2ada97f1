/* A typed session over a raw connection; see telnet_conn.h. */
#include "sim/agents/telnet_conn.h"

#include <stdlib.h>
#include <string.h>

#include "sim/agents/agent_env.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct telnet_conn {
	const struct agent_env *env;
	struct tcp_conn *conn;
	int host, peer;
	uint32_t conn_id;
	const char *proto;
	enum telnet_conn_state state;
	const char *error;
	uint64_t received;
	telnet_bytes_fn on_bytes;
	void *ctx;
};

const char *telnet_conn_proto(uint16_t port) { return agent_proto_for_port(port); }

static void on_connected(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct telnet_conn *t = ctx;
	t->state = TELNET_OPEN;
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)c;
	struct telnet_conn *t = ctx;
	t->received += n;
	if (t->on_bytes)
		t->on_bytes(t->ctx, b, n);
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct telnet_conn *t = ctx;
	t->state = TELNET_PEER_CLOSED;
	/* telnet closes its side too once the server has ("Connection
	 * closed by foreign host."). */
	tcp_close(c);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	struct telnet_conn *t = ctx;
	t->conn = NULL;
	t->state = TELNET_CLOSED;
	if (e != TCP_OK)
		t->error = tcp_error_name(e);
}

static const struct tcp_callbacks callbacks = {
	.connected = on_connected, .data = on_data, .peer_closed = on_peer_closed, .closed = on_closed};

struct telnet_conn *telnet_conn_open(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
				     telnet_bytes_fn on_bytes, void *ctx)
{
	struct telnet_conn *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->env = env;
	t->host = host;
	t->peer = net_host_by_ip(env->net, ip);
	t->proto = telnet_conn_proto(port);
	t->on_bytes = on_bytes;
	t->ctx = ctx;
	t->state = TELNET_CONNECTING;
	t->conn = tcp_connect(env->tcp, host, ip, port, &callbacks, t);
	if (!t->conn) {
		free(t);
		return NULL;
	}
	t->conn_id = tcp_conn_id(t->conn);
	return t;
}

void telnet_conn_free(struct telnet_conn **tp)
{
	if (!tp || !*tp)
		return;
	if ((*tp)->conn)
		tcp_abort((*tp)->conn);
	free(*tp);
	*tp = NULL;
}

int telnet_conn_send_line(struct telnet_conn *t, const char *line, size_t len)
{
	if (!t->conn || t->state != TELNET_OPEN)
		return -1;
	if (memchr(line, '\r', len) || memchr(line, '\n', len) || memchr(line, 0, len))
		return -1;
	if (tcp_send_space(t->conn) < len + 2)
		return -2; /* let the network drain first, as a blocked write would */
	/* The typist publishes what it types; the server publishes its
	 * replies (each end publishes the lines it sends). */
	agent_publish_line(t->env, t->host, t->peer, t->conn_id, t->proto, 1, 0, line, len);
	tcp_send(t->conn, line, len);
	tcp_send(t->conn, "\r\n", 2);
	return 0;
}

void telnet_conn_close(struct telnet_conn *t)
{
	if (t->conn && t->state != TELNET_CLOSED)
		tcp_close(t->conn);
}

enum telnet_conn_state telnet_conn_state(const struct telnet_conn *t) { return t->state; }
const char *telnet_conn_error(const struct telnet_conn *t) { return t->error; }
uint64_t telnet_conn_bytes_received(const struct telnet_conn *t) { return t->received; }

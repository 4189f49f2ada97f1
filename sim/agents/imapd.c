/* The imapd agent. See imapd.h. */
#include "sim/agents/imapd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/imap_server.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/imap_store_ms.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct imap_session {
	struct imapd *d;
	struct imap_session *next;
	struct tcp_conn *conn;
	struct imap_server *engine;
	struct imap_ms *binding;
	int peer;
	uint32_t conn_id;
	int closing;
	int in_feed; /* the engine is busy with our own bytes */
	int logged_in;
};

struct imapd {
	const struct agent_env *env;
	int host;
	struct mailstore *store;
	char hostname[256];
	char *alert;
	uint16_t port;
	unsigned idle_timeout_s;
	int listening;
	struct imap_session *sessions;
	struct imapd_stats stats;
};

static void session_flush(struct imap_session *ss)
{
	if (!ss->conn)
		return;
	size_t n;
	const uint8_t *p = imap_server_output(ss->engine, &n);
	if (n) {
		size_t sent = tcp_send(ss->conn, p, n);
		imap_server_consume(ss->engine, sent);
		if (sent < n)
			return; /* the rest when writable */
	}
	if (imap_server_should_close(ss->engine) && !ss->closing) {
		ss->closing = 1;
		tcp_close(ss->conn);
	}
}

/* A change of the selected folder reached the engine from outside its
 * own feed (another session, a delivery): send what it queued. */
static void on_changed(void *ctx)
{
	struct imap_session *ss = ctx;
	if (!ss->in_feed)
		session_flush(ss);
}

static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct imap_session *ss = ctx;
	if (!sent)
		return; /* the client publishes its own lines */
	agent_publish_line(ss->d->env, ss->d->host, ss->peer, ss->conn_id, "IMAP", 0, 0, line, len);
}

static void on_state(void *ctx, enum imap_server_state from, enum imap_server_state to)
{
	struct imap_session *ss = ctx;
	if (from == IMAP_SERVER_NOT_AUTH && to == IMAP_SERVER_AUTH) {
		ss->logged_in = 1;
		ss->d->stats.logins++;
	}
	agent_publish_note(ss->d->env, ss->d->host, ss->conn_id, "imap-state", "%s -> %s",
			   imap_server_state_name(from), imap_server_state_name(to));
}

static void session_unlink(struct imap_session *ss)
{
	struct imapd *d = ss->d;
	for (struct imap_session **pp = &d->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	}
	imap_server_free(&ss->engine);
	imap_ms_free(&ss->binding);
	d->stats.active--;
	free(ss);
}

static void ss_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct imap_session *ss = ctx;
	ss->in_feed = 1;
	imap_server_feed(ss->engine, bytes, len);
	ss->in_feed = 0;
	session_flush(ss);
}

static void ss_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	session_flush(ctx);
}

static void ss_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct imap_session *ss = ctx;
	if (!ss->closing) {
		ss->closing = 1;
		tcp_close(c);
	}
}

static void ss_idle(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct imap_session *ss = ctx;
	imap_server_timeout(ss->engine);
	session_flush(ss);
}

static void ss_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct imap_session *ss = ctx;
	ss->conn = NULL;
	session_unlink(ss);
}

static const struct tcp_callbacks session_tcp = {
	.data = ss_data, .writable = ss_writable, .peer_closed = ss_peer_closed, .idle = ss_idle, .closed = ss_closed};

static void on_accept(void *ctx, struct tcp_conn *c)
{
	struct imapd *d = ctx;
	struct imap_session *ss = calloc(1, sizeof *ss);
	if (!ss) {
		tcp_abort(c);
		return;
	}
	ss->d = d;
	ss->conn = c;
	ss->peer = net_host_by_ip(d->env->net, tcp_conn_remote_ip(c));
	ss->conn_id = tcp_conn_id(c);
	ss->binding = imap_ms_new(d->store, d->env);
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, d->hostname);
	cfg.alert = d->alert;
	struct imap_server_host h = {
		.ctx = ss,
		.store = imap_ms_ops(),
		.store_ctx = ss->binding,
		.state_changed = on_state,
		.trace = on_trace,
	};
	/* The greeting is traced from inside imap_server_new: the session
	 * must be complete enough for on_trace by then. */
	ss->engine = ss->binding ? imap_server_new(&cfg, &h) : NULL;
	if (!ss->engine) {
		imap_ms_free(&ss->binding);
		free(ss);
		tcp_abort(c);
		return;
	}
	imap_ms_attach(ss->binding, ss->engine, on_changed, ss);
	ss->next = d->sessions;
	d->sessions = ss;
	d->stats.sessions++;
	d->stats.active++;
	tcp_set_callbacks(c, &session_tcp, ss);
	tcp_set_idle_timeout(c, (sim_time)d->idle_timeout_s * SIM_S);
	session_flush(ss);
}

static int listen_now(struct imapd *d)
{
	if (tcp_listen(d->env->tcp, d->host, d->port, on_accept, d) < 0)
		return -1;
	d->listening = 1;
	return 0;
}

struct imapd *imapd_new(const struct agent_env *env, int host, struct mailstore *store,
			const struct imapd_config *cfg)
{
	if (!env || !store || !cfg || !cfg->hostname)
		return NULL;
	struct imapd *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->env = env;
	d->host = host;
	d->store = store;
	snprintf(d->hostname, sizeof d->hostname, "%s", cfg->hostname);
	d->alert = cfg->alert ? strdup(cfg->alert) : NULL;
	d->port = cfg->port ? cfg->port : 143;
	d->idle_timeout_s = cfg->idle_timeout_s ? cfg->idle_timeout_s : 30 * 60;
	if ((cfg->alert && !d->alert) || listen_now(d) < 0) {
		free(d->alert);
		free(d);
		return NULL;
	}
	return d;
}

void imapd_free(struct imapd **dp)
{
	if (!dp || !*dp)
		return;
	struct imapd *d = *dp;
	while (d->sessions) {
		struct imap_session *ss = d->sessions;
		if (ss->conn)
			tcp_abort(ss->conn);
		ss->conn = NULL;
		session_unlink(ss);
	}
	if (d->listening)
		tcp_unlisten(d->env->tcp, d->host, d->port);
	free(d->alert);
	free(d);
	*dp = NULL;
}

void imapd_crash(struct imapd *d)
{
	while (d->sessions) {
		struct imap_session *ss = d->sessions;
		ss->conn = NULL; /* the stack reset forgot them */
		session_unlink(ss);
	}
	d->listening = 0;
}

void imapd_restart(struct imapd *d)
{
	if (!d->listening)
		listen_now(d);
}

const struct imapd_stats *imapd_stats(const struct imapd *d) { return &d->stats; }
int imapd_host(const struct imapd *d) { return d->host; }

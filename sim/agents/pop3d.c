/* The pop3d agent; see pop3d.h. One struct pop3_sess per accepted
 * connection: its TCP connection, its engine, and the maildrop it locked
 * (the user, and the UIDs of the INBOX snapshot, so message numbers stay
 * fixed even if mail arrives or an IMAP session expunges meanwhile). */
#include "sim/agents/pop3d.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/md5.h"
#include "protocols/pop3_server.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct pop3_sess {
	struct pop3d *d;
	struct pop3_sess *next;
	struct tcp_conn *conn;
	struct pop3_server *engine;
	int peer;
	uint32_t conn_id;
	int closing;
	struct ms_user *user; /* locked by this session */
	uint32_t *uids;       /* the snapshot: message i is INBOX UID uids[i] */
	size_t nuids;
};

struct pop3d {
	const struct agent_env *env;
	int host;
	struct pop3d_config cfg;
	int listening;
	struct pop3_sess *sessions;
	struct pop3d_stats stats;
};

static uint16_t port_of(const struct pop3d *d) { return d->cfg.port ? d->cfg.port : 110; }

/* "maria" or "maria@dominio.de.maria", without case. */
static struct ms_user *find_user(const struct pop3d *d, const char *name)
{
	struct ms_user *u = mailstore_find_user(d->cfg.store, name);
	if (u)
		return u;
	for (size_t i = 0; i < mailstore_user_count(d->cfg.store); i++) {
		u = mailstore_user_at(d->cfg.store, i);
		if (strcasecmp(ms_user_login(u), name) == 0)
			return u;
	}
	return NULL;
}

static struct ms_folder *inbox(const struct pop3_sess *ps) { return ms_folder_find(ps->user, "INBOX"); }

/* ---- the engine's questions ---- */

static int on_authenticate(void *ctx, const char *user, const char *pass)
{
	struct pop3_sess *ps = ctx;
	struct ms_user *u = find_user(ps->d, user);
	int ok = u && strcmp(ms_user_password(u), pass) == 0;
	if (!ok) {
		ps->d->stats.failed_logins++;
		agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "login failed for \"%s\"", user);
	}
	return ok;
}

static int on_apop(void *ctx, const char *user, const char *digest, const char *timestamp)
{
	struct pop3_sess *ps = ctx;
	struct ms_user *u = find_user(ps->d, user);
	int ok = 0;
	if (u) {
		struct md5 m;
		unsigned char dg[16];
		char hex[33];
		md5_init(&m);
		md5_update(&m, timestamp, strlen(timestamp));
		md5_update(&m, ms_user_password(u), strlen(ms_user_password(u)));
		md5_final(&m, dg);
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", dg[i]);
		ok = strcmp(hex, digest) == 0;
	}
	if (!ok) {
		ps->d->stats.failed_logins++;
		agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "APOP failed for \"%s\"", user);
	}
	return ok;
}

static int on_lock(void *ctx, const char *user)
{
	struct pop3_sess *ps = ctx;
	struct ms_user *u = find_user(ps->d, user);
	if (!u)
		return POP3_LOCK_FAILED;
	if (ms_user_lock(u, ps) != MS_OK) {
		ps->d->stats.in_use++;
		agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3",
				   "maildrop of %s is locked by another session", ms_user_address(u));
		return POP3_LOCK_IN_USE;
	}
	ps->user = u;
	struct ms_folder *f = inbox(ps);
	size_t n = ms_folder_size(f);
	free(ps->uids);
	ps->uids = n ? calloc(n, sizeof *ps->uids) : NULL;
	if (n && !ps->uids) {
		ms_user_unlock(u, ps);
		ps->user = NULL;
		return POP3_LOCK_FAILED;
	}
	for (size_t i = 0; i < n; i++)
		ps->uids[i] = ms_folder_message(f, i)->uid;
	ps->nuids = n;
	ps->d->stats.logins++;
	agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "maildrop of %s locked (%zu messages)",
			   ms_user_address(u), n);
	return POP3_LOCK_OK;
}

static void on_unlock(void *ctx, const char *user)
{
	(void)user;
	struct pop3_sess *ps = ctx;
	if (!ps->user)
		return;
	ms_user_unlock(ps->user, ps);
	agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "maildrop of %s unlocked",
			   ms_user_address(ps->user));
	ps->user = NULL;
}

static size_t on_count(void *ctx) { return ((struct pop3_sess *)ctx)->nuids; }

static const struct ms_message *message_at(struct pop3_sess *ps, size_t i)
{
	if (!ps->user || i >= ps->nuids)
		return NULL;
	struct ms_folder *f = inbox(ps);
	long k = ms_folder_index_of(f, ps->uids[i]);
	return k < 0 ? NULL : ms_folder_message(f, (size_t)k);
}

static void on_info(void *ctx, size_t i, struct pop3_msg_info *info)
{
	struct pop3_sess *ps = ctx;
	const struct ms_message *m = message_at(ps, i);
	info->size = m ? blob_len(m->body) : 0;
	snprintf(info->uid, sizeof info->uid, "%u.%u", (unsigned)ms_folder_uidvalidity(inbox(ps)),
		 (unsigned)ps->uids[i]);
}

static const uint8_t *on_get(void *ctx, size_t i, size_t *len_r)
{
	const struct ms_message *m = message_at(ctx, i);
	*len_r = m ? blob_len(m->body) : 0;
	return m ? blob_data(m->body) : NULL;
}

/* UPDATE (RFC 1939 section 6): remove what DELE marked. */
static int on_commit(void *ctx, const size_t *idx, size_t n)
{
	struct pop3_sess *ps = ctx;
	struct ms_folder *f = inbox(ps);
	size_t removed = 0;
	int rc = 0;
	for (size_t k = 0; k < n; k++) {
		if (idx[k] < ps->nuids && ms_remove(f, ps->uids[idx[k]]) == MS_OK)
			removed++;
		else
			rc = -1; /* gone already (an IMAP expunge): not ours to remove */
	}
	ps->d->stats.updates++;
	ps->d->stats.removed += removed;
	agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "UPDATE: %zu message%s removed from %s",
			   removed, removed == 1 ? "" : "s", ms_user_address(ps->user));
	return rc;
}

/* Each end publishes the lines it sends. */
static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct pop3_sess *ps = ctx;
	if (sent)
		agent_publish_line(ps->d->env, ps->d->host, ps->peer, ps->conn_id, "POP3", 0, 0, line, len);
}

/* ---- connections ---- */

static void sess_free(struct pop3_sess *ps)
{
	struct pop3d *d = ps->d;
	for (struct pop3_sess **pp = &d->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == ps) {
			*pp = ps->next;
			break;
		}
	}
	pop3_server_free(&ps->engine); /* releases the lock, removes nothing */
	free(ps->uids);
	free(ps);
}

static void flush(struct pop3_sess *ps)
{
	if (!ps->conn)
		return;
	for (;;) {
		size_t n;
		const uint8_t *p = pop3_server_output(ps->engine, &n);
		if (n == 0)
			break;
		size_t sent = tcp_send(ps->conn, p, n);
		pop3_server_consume(ps->engine, sent); /* may run backlogged commands */
		if (sent < n)
			return; /* the rest when the send buffer drains */
	}
	if (pop3_server_should_close(ps->engine) && !ps->closing) {
		ps->closing = 1;
		tcp_close(ps->conn);
	}
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct pop3_sess *ps = ctx;
	pop3_server_feed(ps->engine, bytes, len);
	flush(ps);
}

static void on_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	flush(ctx);
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct pop3_sess *ps = ctx;
	if (!ps->closing) {
		ps->closing = 1;
		tcp_close(c);
	}
}

static void on_idle(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct pop3_sess *ps = ctx;
	agent_publish_note(ps->d->env, ps->d->host, ps->conn_id, "pop3", "autologout timer expired: no UPDATE");
	pop3_server_timeout(ps->engine);
	flush(ps);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct pop3_sess *ps = ctx;
	ps->conn = NULL;
	sess_free(ps);
}

static const struct tcp_callbacks sess_tcp = {.data = on_data,
					      .writable = on_writable,
					      .peer_closed = on_peer_closed,
					      .idle = on_idle,
					      .closed = on_closed};

static void on_accept(void *ctx, struct tcp_conn *c)
{
	struct pop3d *d = ctx;
	struct pop3_sess *ps = calloc(1, sizeof *ps);
	if (!ps) {
		tcp_abort(c);
		return;
	}
	ps->d = d;
	ps->conn = c;
	ps->peer = net_host_by_ip(d->env->net, tcp_conn_remote_ip(c));
	ps->conn_id = tcp_conn_id(c);
	struct pop3_server_config sc;
	pop3_server_config_init(&sc, d->cfg.hostname);
	sc.apop = d->cfg.apop;
	sc.user_pass = !d->cfg.no_user_pass;
	sc.max_failed_logins = d->cfg.max_failed_logins;
	sc.implementation = "mailsim";
	/* The timestamp's "process id" and clock (RFC 1939 section 7): a
	 * session counter and the simulated wall clock, so runs repeat. */
	sc.pid = 1000 + (uint32_t)d->stats.sessions;
	sc.clock = (uint64_t)(d->env->epoch_unix_s + sim_now(d->env->sim) / SIM_S);
	struct pop3_server_host h = {.ctx = ps,
				     .authenticate = on_authenticate,
				     .apop = on_apop,
				     .lock = on_lock,
				     .unlock = on_unlock,
				     .count = on_count,
				     .info = on_info,
				     .get = on_get,
				     .commit = on_commit,
				     .trace = on_trace};
	ps->next = d->sessions;
	d->sessions = ps;
	ps->engine = pop3_server_new(&sc, &h);
	if (!ps->engine) {
		ps->conn = NULL;
		sess_free(ps);
		tcp_abort(c);
		return;
	}
	d->stats.sessions++;
	tcp_set_callbacks(c, &sess_tcp, ps);
	tcp_set_idle_timeout(c, (sim_time)pop3_server_rfc_timeout(ps->engine) * SIM_S);
	flush(ps);
}

/* ---- life cycle ---- */

struct pop3d *pop3d_new(const struct agent_env *env, int host, const struct pop3d_config *cfg)
{
	if (!cfg || !cfg->store || !cfg->hostname)
		return NULL;
	struct pop3d *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->env = env;
	d->host = host;
	d->cfg = *cfg;
	if (tcp_listen(env->tcp, host, port_of(d), on_accept, d) < 0) {
		free(d);
		return NULL;
	}
	d->listening = 1;
	return d;
}

void pop3d_free(struct pop3d **dp)
{
	if (!dp || !*dp)
		return;
	struct pop3d *d = *dp;
	while (d->sessions) {
		struct pop3_sess *ps = d->sessions;
		if (ps->conn)
			tcp_abort(ps->conn);
		ps->conn = NULL;
		sess_free(ps);
	}
	if (d->listening)
		tcp_unlisten(d->env->tcp, d->host, port_of(d));
	free(d);
	*dp = NULL;
}

void pop3d_crash(struct pop3d *d)
{
	while (d->sessions) {
		struct pop3_sess *ps = d->sessions;
		ps->conn = NULL; /* the stack reset forgets them */
		sess_free(ps);
	}
	d->listening = 0;
}

void pop3d_restart(struct pop3d *d)
{
	if (!d->listening && tcp_listen(d->env->tcp, d->host, port_of(d), on_accept, d) == 0)
		d->listening = 1;
}

const struct pop3d_stats *pop3d_stats(const struct pop3d *d) { return &d->stats; }
int pop3d_host(const struct pop3d *d) { return d->host; }

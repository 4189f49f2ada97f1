/* The MTA agent: configuration, the SMTP server side (one struct smtpd per
 * accepted connection), acceptance decisions, the Received field and local
 * delivery. The queue is in mta_queue.c. See mta.h. */
#include "sim/agents/mta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/message.h"
#include "protocols/smtp_client.h"
#include "protocols/smtp_server.h"
#include "sim/agents/host_life.h"
#include "sim/agents/mail_rules.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta_internal.h"
#include "sim/agents/resolver.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

static const sim_time default_retries[] = {1 * 60 * SIM_S, 2 * 60 * SIM_S,  4 * 60 * SIM_S,
					   8 * 60 * SIM_S, 16 * 60 * SIM_S, 60 * 60 * SIM_S};

void mta_config_default(struct mta_config *cfg, const char *hostname)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hostname = hostname;
	cfg->retry_schedule = default_retries;
	cfg->n_retry = sizeof default_retries / sizeof default_retries[0];
	cfg->max_queue_time = 5 * 24 * 3600 * SIM_S;
	cfg->max_hops = 30;
	cfg->max_message_size = 10 * 1024 * 1024;
	cfg->queued_text = "Ok: queued as %q";
}

struct smtpd {
	struct mta *m;
	struct smtpd *next;
	struct tcp_conn *conn;
	struct smtp_server *engine;
	uint32_t client_ip;
	int peer;
	uint32_t conn_id;
	char client_addr[16];
	char rname[256];
	char helo[256];
	long ptr_lookup;
	int closing;
	/* After TURN: we are the client on this connection. */
	struct smtp_client *client;
	struct mta_turn *turn;
};

const char *mta_domain_of(const char *address)
{
	const char *at = strrchr(address, '@');
	return at ? at + 1 : "";
}

int mta_is_local_domain(const struct mta *m, const char *domain)
{
	for (size_t i = 0; i < m->cfg.n_local_domains; i++)
		if (strcasecmp(m->cfg.local_domains[i], domain) == 0)
			return 1;
	return 0;
}

static int may_relay(const struct mta *m, uint32_t ip)
{
	if (m->cfg.open_relay)
		return 1;
	for (size_t i = 0; i < m->cfg.n_relay_nets; i++)
		if ((ip & m->cfg.relay_nets[i].mask) == (m->cfg.relay_nets[i].addr & m->cfg.relay_nets[i].mask))
			return 1;
	return 0;
}

void mta_make_qid(struct mta *m, char out[24])
{
	/* Postfix-like: hex digits, unique per MTA, in arrival order. */
	snprintf(out, 24, "%05llX%04X", (unsigned long long)++m->next_qid, (unsigned)(m->host & 0xffff));
}

/* The message as stored: "Return-Path: <from>" (RFC 5321 4.4: added at
 * final delivery) in front of what arrived. */
static struct blob *with_return_path(const char *from, const uint8_t *data, size_t len)
{
	struct buf b;
	buf_init(&b, len + 1024);
	struct buf rp;
	buf_init(&rp, 1024);
	if (msg_return_path_format(&rp, from) != 0 || hdr_write(&b, "Return-Path", rp.data ? rp.data : "<>") != 0 ||
	    buf_append(&b, data, len) != 0) {
		buf_free(&rp);
		buf_free(&b);
		return NULL;
	}
	buf_free(&rp);
	size_t n;
	char *bytes = buf_steal(&b, &n);
	return bytes ? blob_take(bytes, n) : NULL;
}

static int store_for(struct mta *m, const char *rcpt, struct blob *stored, const char *qid, const char *from,
		     const char *message_id, const uint8_t *data, size_t len)
{
	struct ms_user *u = m->cfg.store ? mailstore_find_user(m->cfg.store, rcpt) : NULL;
	if (!u)
		return MS_ERR_NOT_FOUND;
	if (m->cfg.rules && mail_rules_for(m->cfg.rules, rcpt))
		return mta_rules_deliver(m, u, qid, from, rcpt, message_id, stored, data, len);
	struct ms_folder *inbox = ms_folder_find(u, "INBOX");
	long uid = ms_append(inbox, stored, MS_RECENT, 0, sim_now(m->env->sim));
	if (uid < 0)
		return (int)uid;
	m->stats.delivered++;
	agent_publish_mail(m->env, m->host, OBS_MAIL_DELIVERED, qid, message_id, from, rcpt, "INBOX");
	return 0;
}

/* Delivers to local recipients, sharing one stored copy. */
static int deliver_local_all(struct mta *m, const char *qid, const char *from, const char *const *rcpts, size_t n,
			     const char *message_id, const uint8_t *data, size_t len)
{
	struct blob *stored = with_return_path(from, data, len);
	if (!stored)
		return MS_ERR_NOMEM;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = store_for(m, rcpts[i], stored, qid, from, message_id, data, len);
	blob_unref(&stored);
	return rc;
}

int mta_deliver_local(struct mta *m, const char *qid, const char *from, const char *rcpt, const char *message_id,
		      const uint8_t *data, size_t len)
{
	const char *one[1] = {rcpt};
	return deliver_local_all(m, qid, from, one, 1, message_id, data, len);
}

/* ---- the SMTP server side ---- */

static void smtpd_flush(struct smtpd *sd);

static void on_hello(void *ctx, const char *name, int esmtp);
static void on_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply);
static void on_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
		       struct smtp_reply *reply);
static void on_etrn(void *ctx, const char *node, struct smtp_reply *reply);
static int on_starttls(void *ctx);
static void on_trace(void *ctx, int sent, const char *line, size_t len);

static int count_received(const uint8_t *data, size_t len)
{
	size_t pos = 0;
	struct hdr_field f;
	unsigned defects = 0;
	int n = 0;
	while (hdr_next((const char *)data, len, &pos, &f, &defects) > 0)
		n += hdr_name_is(&f, "Received");
	return n;
}

static void on_hello(void *ctx, const char *name, int esmtp)
{
	(void)esmtp;
	struct smtpd *sd = ctx;
	snprintf(sd->helo, sizeof sd->helo, "%s", name);
}

static void on_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply)
{
	(void)env;
	struct smtpd *sd = ctx;
	struct mta *m = sd->m;
	const char *domain = mta_domain_of(rcpt);
	if (mta_is_local_domain(m, domain)) {
		if (!m->cfg.store || !mailstore_find_user(m->cfg.store, rcpt)) {
			reply->code = 550;
			reply->enhanced = "5.1.1";
			reply->text = "<%d>: Recipient address rejected: User unknown in local recipient table";
			m->stats.refused_rcpts++;
		}
		return;
	}
	if (!may_relay(m, sd->client_ip) || !*domain) {
		reply->code = 554;
		reply->enhanced = "5.7.1";
		reply->text = "<%d>: Relay access denied";
		m->stats.refused_rcpts++;
	}
}

/* A message without a Message-ID (typed by hand, as in the class note) is
 * still followed from hop to hop by the ledger: every hop sees the same
 * oldest Received field, so "the first MTA and its queue id" names it.
 * Written into key as "[first accepted by HOST as QID]". */
static void first_hop_key(const void *bytes, size_t len, char *key, size_t size)
{
	const char *text = bytes;
	size_t pos = 0;
	struct hdr_field f, last = {0};
	unsigned defects = 0;
	int found = 0;
	while (hdr_next(text, len, &pos, &f, &defects) > 0)
		if (hdr_name_is(&f, "Received")) {
			last = f;
			found = 1;
		}
	if (!found)
		return;
	struct msg_received r = {0};
	if (msg_received_parse(last.value, last.value_len, &r) == 0 && r.by && r.id) {
		size_t host_len = strcspn(r.by, " \t(");
		snprintf(key, size, "[first accepted by %.*s as %s]", (int)host_len, r.by, r.id);
	}
	msg_received_clear(&r);
}

static void on_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
		       struct smtp_reply *reply)
{
	struct smtpd *sd = ctx;
	struct mta *m = sd->m;
	if (count_received(data, len) >= m->cfg.max_hops) {
		reply->code = 554;
		reply->enhanced = "5.4.6";
		reply->text = "Too many hops: a mail loop?";
		return;
	}
	size_t nlocal = 0;
	for (size_t i = 0; i < env->nrcpts; i++)
		nlocal += mta_is_local_domain(m, mta_domain_of(env->rcpts[i]));
	if (nlocal && mailstore_free_space(m->cfg.store) < (uint64_t)len + 2048) {
		reply->code = 452;
		reply->enhanced = "4.3.1";
		reply->text = "Insufficient system storage";
		return;
	}
	/* Static: the engine formats the reply (with %q) after we return. */
	static char qid[24];
	mta_make_qid(m, qid);
	/* Our Received field (RFC 5321 4.4), on top of the message. */
	char date[MSG_DATE_MAX], from[600], by[300];
	agent_host_date_now(m->env, m->host, date);
	snprintf(from, sizeof from, "%s (%s [%s])", sd->helo[0] ? sd->helo : "unknown",
		 sd->rname[0] ? sd->rname : "unknown", sd->client_addr);
	snprintf(by, sizeof by, "%s (mailsim)", m->cfg.hostname);
	struct msg_received r = {0};
	r.from = from;
	r.by = by;
	r.with = (char *)(env->esmtp ? (env->encrypted ? "ESMTPS" : "ESMTP") : "SMTP");
	r.id = qid;
	r.for_addr = env->nrcpts == 1 ? (char *)env->rcpts[0] : NULL;
	struct buf value, field;
	buf_init(&value, 4096);
	buf_init(&field, len + 8192);
	int rc = msg_received_format(&value, &r, date);
	if (rc == 0)
		rc = hdr_write(&field, "Received", value.data);
	size_t field_len = field.len;
	if (rc == 0)
		rc = buf_append(&field, data, len);
	buf_free(&value);
	if (rc != 0) {
		buf_free(&field);
		reply->code = 451;
		reply->enhanced = "4.3.0";
		reply->text = "Local error in processing";
		return;
	}
	size_t total;
	char *bytes = buf_steal(&field, &total);
	struct blob *msg = blob_take(bytes, total);
	if (!msg) {
		reply->code = 451;
		reply->enhanced = "4.3.0";
		reply->text = "Local error in processing";
		return;
	}
	char message_id[256] = "";
	struct hdr_field mf;
	if (hdr_find((const char *)data, len, "Message-ID", 0, &mf)) {
		size_t n = mf.value_len < sizeof message_id - 1 ? mf.value_len : sizeof message_id - 1;
		memcpy(message_id, mf.value, n);
		message_id[n] = 0;
		/* trim */
		char *s = message_id;
		while (*s == ' ' || *s == '\t')
			s++;
		memmove(message_id, s, strlen(s) + 1);
		for (size_t k = strlen(message_id); k > 0 && (message_id[k - 1] == ' ' || message_id[k - 1] == '\r' ||
							    message_id[k - 1] == '\n');
		     k--)
			message_id[k - 1] = 0;
	}
	if (!message_id[0])
		first_hop_key(blob_data(msg), blob_len(msg), message_id, sizeof message_id);
	m->stats.accepted++;
	for (size_t i = 0; i < env->nrcpts; i++)
		agent_publish_mail(m->env, m->host, OBS_MAIL_ACCEPTED, qid, message_id, env->reverse_path,
				   env->rcpts[i], NULL);
	{
		char *text = strndup((const char *)blob_data(msg), field_len >= 2 ? field_len - 2 : field_len);
		agent_publish_mail(m->env, m->host, OBS_MAIL_HEADER, qid, message_id, env->reverse_path, NULL, text);
		free(text);
	}
	/* Local recipients now; remote ones queued, one entry per domain. */
	const char *local[128];
	size_t nl = 0;
	for (size_t i = 0; i < env->nrcpts && nl < 128; i++)
		if (mta_is_local_domain(m, mta_domain_of(env->rcpts[i])))
			local[nl++] = env->rcpts[i];
	if (nl)
		deliver_local_all(m, qid, env->reverse_path, local, nl, message_id, blob_data(msg), blob_len(msg));
	for (size_t i = 0; i < env->nrcpts; i++) {
		const char *d = mta_domain_of(env->rcpts[i]);
		if (mta_is_local_domain(m, d))
			continue;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcasecmp(mta_domain_of(env->rcpts[k]), d) == 0;
		if (seen)
			continue;
		const char *group[128];
		size_t ng = 0;
		for (size_t k = i; k < env->nrcpts && ng < 128; k++)
			if (strcasecmp(mta_domain_of(env->rcpts[k]), d) == 0)
				group[ng++] = env->rcpts[k];
		mta_enqueue(m, qid, env->reverse_path, d, message_id, group, ng, msg);
	}
	blob_unref(&msg);
	reply->code = 250;
	reply->queue_id = qid;
}

static void on_etrn(void *ctx, const char *node, struct smtp_reply *reply)
{
	struct smtpd *sd = ctx;
	const char *domain = node[0] == '@' ? node + 1 : node;
	if (node[0] == '#') {
		reply->code = 458;
		reply->text = "Unable to queue messages for node %d";
		return;
	}
	if (!mta_queue_has_domain(sd->m, domain)) {
		reply->code = 251;
		reply->text = "OK, no messages waiting for node %d";
		return;
	}
	mta_flush(sd->m, domain);
}

static int on_starttls(void *ctx) { return ((struct smtpd *)ctx)->m->cfg.starttls; }

static void on_turn(void *ctx, struct smtp_reply *reply)
{
	(void)ctx;
	(void)reply; /* 250: RFC 821 has no way to check who is asking */
}

static void client_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct smtpd *sd = ctx;
	if (sent)
		agent_publish_line(sd->m->env, sd->m->host, sd->peer, sd->conn_id, "SMTP", 1, 0, line, len);
}

/* Our 250 to TURN is out: from now on we are the client on this
 * connection, delivering what we hold for the domain the peer claimed. */
static void start_turned(struct smtpd *sd)
{
	struct mta *m = sd->m;
	const char *domain = sd->helo[0] ? sd->helo : "";
	sd->turn = mta_turn_begin(m, domain, sd->client_ip);
	struct smtp_client_options o;
	smtp_client_options_init(&o, m->cfg.hostname);
	struct smtp_client_host h = {0};
	if (sd->turn)
		mta_turn_host(sd->turn, &h, client_trace, sd);
	sd->client = sd->turn ? smtp_client_new(&o, &h) : NULL;
	if (!sd->client) {
		mta_turn_end(&sd->turn);
		tcp_close(sd->conn);
		sd->closing = 1;
		return;
	}
	agent_publish_note(m->env, m->host, sd->conn_id, "smtp", "TURN: now the client, delivering mail for %s to %s",
			   domain, sd->client_addr);
	mta_turn_add_jobs(sd->turn, sd->client);
	smtp_client_finish(sd->client);
}

static void client_pump(struct smtpd *sd)
{
	for (;;) {
		size_t n;
		const uint8_t *p = smtp_client_output(sd->client, &n);
		if (n == 0)
			break;
		size_t sent = tcp_send(sd->conn, p, n);
		smtp_client_consume(sd->client, sent);
		if (sent < n)
			return;
	}
	if (smtp_client_done(sd->client) && !sd->closing) {
		sd->closing = 1;
		tcp_close(sd->conn);
	}
}

/* Each end publishes the lines it sends, so every line reaches the bus
 * once (the client's driver publishes the commands). */
static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct smtpd *sd = ctx;
	if (!sent)
		return;
	agent_publish_line(sd->m->env, sent ? sd->m->host : sd->peer, sent ? sd->peer : sd->m->host, sd->conn_id,
			   "SMTP", !sent, sd->engine ? smtp_server_encrypted(sd->engine) : 0, line, len);
}

static void on_ptr(void *ctx, enum resolver_status st, const char *name)
{
	struct smtpd *sd = ctx;
	sd->ptr_lookup = 0;
	if (st == RESOLVER_OK && name) {
		snprintf(sd->rname, sizeof sd->rname, "%s", name);
		smtp_server_set_client_rname(sd->engine, name);
	}
}

static void smtpd_unlink(struct smtpd *sd)
{
	struct mta *m = sd->m;
	for (struct smtpd **pp = &m->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == sd) {
			*pp = sd->next;
			break;
		}
	}
	if (sd->ptr_lookup && m->resolver)
		resolver_cancel(m->resolver, sd->ptr_lookup);
	smtp_server_free(&sd->engine);
	smtp_client_free(&sd->client);
	mta_turn_abandon(&sd->turn);
	free(sd);
}

static void smtpd_flush(struct smtpd *sd)
{
	if (!sd->conn)
		return;
	for (;;) {
		size_t n;
		const uint8_t *p = smtp_server_output(sd->engine, &n);
		if (n) {
			size_t sent = tcp_send(sd->conn, p, n);
			smtp_server_consume(sd->engine, sent);
			if (sent < n)
				return;
		}
		if (!smtp_server_tls_pending(sd->engine))
			break;
		/* The modelled TLS handshake, right after "220 Ready to start
		 * TLS" went out: what follows is enciphered on the wire. */
		tcp_encrypt_from_now(sd->conn);
		smtp_server_tls_established(sd->engine);
	}
	if (smtp_server_state(sd->engine) == SMTP_SERVER_TURNED) {
		if (!sd->client && !sd->closing)
			start_turned(sd);
		if (sd->client)
			client_pump(sd);
		return;
	}
	if (smtp_server_should_close(sd->engine) && !sd->closing) {
		sd->closing = 1;
		tcp_close(sd->conn);
	}
}

static void sd_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct smtpd *sd = ctx;
	if (sd->client) { /* turned: the peer is the server now */
		smtp_client_feed(sd->client, bytes, len);
		client_pump(sd);
		return;
	}
	/* The engine takes every byte (it answers 421 itself when a client
	 * pipelines far ahead without reading the replies). */
	smtp_server_feed(sd->engine, bytes, len);
	smtpd_flush(sd);
}

static void sd_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	smtpd_flush(ctx);
}

static void sd_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct smtpd *sd = ctx;
	if (!sd->closing) {
		sd->closing = 1;
		tcp_close(c);
	}
}

static void sd_idle(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct smtpd *sd = ctx;
	smtp_server_timeout(sd->engine);
	smtpd_flush(sd);
}

static void sd_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct smtpd *sd = ctx;
	sd->conn = NULL;
	if (sd->client && !smtp_client_done(sd->client))
		smtp_client_connection_lost(sd->client);
	mta_turn_end(&sd->turn);
	smtpd_unlink(sd);
}

static const struct tcp_callbacks smtpd_tcp = {
    .data = sd_data, .writable = sd_writable, .peer_closed = sd_peer_closed, .idle = sd_idle, .closed = sd_closed};

static void on_accept(void *ctx, struct tcp_conn *c)
{
	struct mta *m = ctx;
	struct smtpd *sd = calloc(1, sizeof *sd);
	if (!sd) {
		tcp_abort(c);
		return;
	}
	sd->m = m;
	sd->conn = c;
	sd->client_ip = tcp_conn_remote_ip(c);
	sd->peer = net_host_by_ip(m->env->net, sd->client_ip);
	sd->conn_id = tcp_conn_id(c);
	ipv4_format(sd->client_ip, sd->client_addr);
	struct smtp_server_config sc;
	smtp_server_config_init(&sc, m->cfg.hostname);
	sc.turn_enabled = m->cfg.turn_enabled;
	sc.max_message_size = m->cfg.max_message_size;
#define TEMPLATE(f)                                                                                            \
	if (m->cfg.f)                                                                                          \
		sc.f = m->cfg.f;
	TEMPLATE(greeting)
	TEMPLATE(helo_text)
	TEMPLATE(ehlo_text)
	TEMPLATE(mail_ok_text)
	TEMPLATE(rcpt_ok_text)
	TEMPLATE(data_text)
	TEMPLATE(queued_text)
	TEMPLATE(quit_text)
#undef TEMPLATE
	struct smtp_server_host h = {
	    .ctx = sd,
	    .hello = on_hello,
	    .rcpt = on_rcpt,
	    .message = on_message,
	    .etrn = on_etrn,
	    .starttls = on_starttls,
	    .turn = on_turn,
	    .trace = on_trace,
	};
	sd->engine = smtp_server_new(&sc, &h, sd->client_addr, NULL);
	if (!sd->engine) {
		free(sd);
		tcp_abort(c);
		return;
	}
	sd->next = m->sessions;
	m->sessions = sd;
	m->stats.sessions++;
	tcp_set_callbacks(c, &smtpd_tcp, sd);
	tcp_set_idle_timeout(c, (sim_time)smtp_server_rfc_timeout(sd->engine) * SIM_S);
	/* The reverse lookup the note speaks of: its answer goes into the
	 * Received field (sendmail asks at connect time, as here). */
	if (m->resolver)
		sd->ptr_lookup = resolver_ptr(m->resolver, sd->client_ip, on_ptr, sd);
	if (sd->ptr_lookup < 0)
		sd->ptr_lookup = 0;
	smtpd_flush(sd);
}

static void on_accept(void *ctx, struct tcp_conn *c);

/* ---- TURN, the asking side ---- */

/* Connects to a server, says HELO claiming a domain, asks TURN, and on 250
 * becomes the server on that connection (the accept path), so whatever the
 * peer holds for the domain is delivered here. RFC 821's TURN, which RFC
 * 2821 dropped because nothing checks the claim. */
struct turn_req {
	struct mta *m;
	struct tcp_conn *conn;
	int peer, step;
	uint32_t conn_id;
	char helo[256];
	char line[600];
	size_t len;
};

static void turn_req_say(struct turn_req *t, const char *text)
{
	agent_publish_line(t->m->env, t->m->host, t->peer, t->conn_id, "SMTP", 1, 0, text, strlen(text));
	tcp_send(t->conn, text, strlen(text));
	tcp_send(t->conn, "\r\n", 2);
}

static void turn_req_reply(struct turn_req *t, const char *line, size_t n)
{
	if (n < 3 || (n > 3 && line[3] == '-'))
		return; /* not the last line of a reply */
	int code = atoi(line); /* the server publishes its own replies */
	char cmd[300];
	switch (t->step++) {
	case 0: /* greeting */
		if (code != 220)
			break;
		snprintf(cmd, sizeof cmd, "HELO %s", t->helo);
		turn_req_say(t, cmd);
		return;
	case 1:
		if (code != 250)
			break;
		turn_req_say(t, "TURN");
		return;
	case 2:
		if (code != 250)
			break;
		/* The roles reverse: the connection is now one of ours. */
		{
			struct tcp_conn *c = t->conn;
			struct mta *m = t->m;
			free(t);
			on_accept(m, c);
		}
		return;
	default:
		return;
	}
	turn_req_say(t, "QUIT");
	t->step = 99;
}

static void turn_req_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)c;
	struct turn_req *t = ctx;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			size_t l = t->len && t->line[t->len - 1] == '\r' ? t->len - 1 : t->len;
			t->len = 0;
			int was = t->step;
			turn_req_reply(t, t->line, l);
			if (was == 2)
				return; /* the answer to TURN: t may be gone, the smtpd owns the rest */
		} else if (t->len < sizeof t->line - 1) {
			t->line[t->len++] = (char)b[i];
		}
	}
}

static void turn_req_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}

static void turn_req_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	(void)e;
	free(ctx);
}

static const struct tcp_callbacks turn_req_tcp = {
    .data = turn_req_data, .peer_closed = turn_req_peer_closed, .closed = turn_req_closed};

int mta_turn_request(struct mta *m, uint32_t server_ip, const char *claimed_domain)
{
	struct turn_req *t = calloc(1, sizeof *t);
	if (!t)
		return -1;
	t->m = m;
	t->peer = net_host_by_ip(m->env->net, server_ip);
	snprintf(t->helo, sizeof t->helo, "%s", claimed_domain);
	t->conn = tcp_connect(m->env->tcp, m->host, server_ip, 25, &turn_req_tcp, t);
	if (!t->conn) {
		free(t);
		return -1;
	}
	t->conn_id = tcp_conn_id(t->conn);
	return 0;
}

/* ---- lifecycle ---- */

static void hook_crash(void *ctx, int host)
{
	(void)host;
	mta_crash(ctx);
}

static void hook_restart(void *ctx, int host)
{
	(void)host;
	mta_restart(ctx);
}

static const struct host_life_hooks mta_life = {.crash = hook_crash, .restart = hook_restart};

static int listen_all(struct mta *m)
{
	if (tcp_listen(m->env->tcp, m->host, 25, on_accept, m) < 0)
		return -1;
	if (tcp_listen(m->env->tcp, m->host, 587, on_accept, m) < 0) {
		tcp_unlisten(m->env->tcp, m->host, 25);
		return -1;
	}
	m->listening = 1;
	return 0;
}

struct mta *mta_new(const struct agent_env *env, int host, const struct mta_config *cfg)
{
	struct mta *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->env = env;
	m->host = host;
	m->cfg = *cfg;
	m->h_attempt = mta_queue_handler(m);
	if (cfg->dns_server) {
		struct resolver_config rc;
		resolver_config_default(&rc);
		rc.server_ip = cfg->dns_server;
		m->resolver = resolver_new(env->sim, env->net, env->udp, host, &rc);
		if (!m->resolver) {
			free(m);
			return NULL;
		}
	}
	if (listen_all(m) < 0 || host_life_register(env->life, host, &mta_life, m) < 0) {
		if (m->listening) {
			tcp_unlisten(env->tcp, host, 25);
			tcp_unlisten(env->tcp, host, 587);
		}
		resolver_free(&m->resolver);
		free(m);
		return NULL;
	}
	return m;
}

void mta_free(struct mta **mp)
{
	if (!mp || !*mp)
		return;
	struct mta *m = *mp;
	host_life_unregister(m->env->life, m->host, m);
	while (m->sessions) {
		struct smtpd *sd = m->sessions;
		if (sd->conn)
			tcp_abort(sd->conn);
		sd->conn = NULL;
		smtpd_unlink(sd);
	}
	if (m->listening) {
		tcp_unlisten(m->env->tcp, m->host, 25);
		tcp_unlisten(m->env->tcp, m->host, 587);
	}
	mta_queue_free(m);
	resolver_free(&m->resolver);
	free(m);
	*mp = NULL;
}

/* The crash hook (host_life.h): the host is already down in the network,
 * and tcp_host_reset will remove the connections and listeners after
 * this, silently, so sessions detach instead of aborting (a dead host
 * sends no RST). The queue is on disk and stays. */
void mta_crash(struct mta *m)
{
	while (m->sessions) {
		struct smtpd *sd = m->sessions;
		if (sd->conn)
			tcp_set_callbacks(sd->conn, NULL, NULL);
		sd->conn = NULL;
		smtpd_unlink(sd);
	}
	mta_queue_crash(m);
	resolver_free(&m->resolver); /* its lookups and ports were in memory */
	m->listening = 0;
}

void mta_restart(struct mta *m)
{
	if (!m->resolver && m->cfg.dns_server) {
		struct resolver_config rc;
		resolver_config_default(&rc);
		rc.server_ip = m->cfg.dns_server;
		m->resolver = resolver_new(m->env->sim, m->env->net, m->env->udp, m->host, &rc);
	}
	if (!m->listening)
		listen_all(m);
	mta_queue_resume(m);
}

const struct mta_stats *mta_stats(const struct mta *m) { return &m->stats; }
int mta_host(const struct mta *m) { return m->host; }
const char *mta_hostname(const struct mta *m) { return m->cfg.hostname; }

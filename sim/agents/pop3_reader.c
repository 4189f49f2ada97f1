/* The UA's POP3 reading side; see pop3_reader.h. One struct pop3_job per
 * download: a TCP connection driven by a pop3_client engine in session
 * mode, freed after its report. */
#include "sim/agents/pop3_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/agent_env.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct pop3_job {
	struct pop3_reader *r;
	struct pop3_job *next;
	int id;
	struct tcp_conn *conn;
	struct pop3_client *engine;
	int peer;
	uint32_t ip, conn_id;
	char *user;
	int keep, reported, in_callback, free_pending;
	size_t local_keep;
	size_t stored;
	struct pop3_client_result result;
	char code[32], text[256];
	int have_result;
};

struct pop3_reader {
	const struct agent_env *env;
	int host;
	struct mailstore *store;
	char *address;
	pop3_reader_report_fn report;
	void *ctx;
	struct pop3_job *jobs;
	int next_id;
	/* unique-ids downloaded: "a.b.c.d user uid" */
	char **seen;
	size_t nseen, capseen;
};

static char *seen_key(const struct pop3_job *j, const char *uid)
{
	char ip[16];
	ipv4_format(j->ip, ip);
	size_t n = strlen(ip) + strlen(j->user) + strlen(uid) + 3;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%s %s %s", ip, j->user, uid);
	return k;
}

static int seen(const struct pop3_job *j, const char *uid)
{
	if (!uid[0])
		return 0; /* no UIDL: nothing can be recognised */
	char *k = seen_key(j, uid);
	int found = 0;
	for (size_t i = 0; k && i < j->r->nseen && !found; i++)
		found = strcmp(j->r->seen[i], k) == 0;
	free(k);
	return found;
}

static void remember(struct pop3_job *j, const char *uid)
{
	struct pop3_reader *r = j->r;
	if (!uid[0] || seen(j, uid))
		return;
	if (r->nseen == r->capseen) {
		size_t cap = r->capseen ? r->capseen * 2 : 16;
		char **p = realloc(r->seen, cap * sizeof *p);
		if (!p)
			return;
		r->seen = p;
		r->capseen = cap;
	}
	char *k = seen_key(j, uid);
	if (k)
		r->seen[r->nseen++] = k;
}

/* Forgets the unique-ids of j's server and user. Called after a complete
 * download-and-delete that deleted everything it listed: those messages
 * are gone from the server and cannot be offered again, so remembering
 * them would only grow the list for as long as the reader lives. */
static void forget_all(struct pop3_job *j)
{
	struct pop3_reader *r = j->r;
	char *prefix = seen_key(j, "");
	if (!prefix)
		return;
	size_t plen = strlen(prefix), kept = 0;
	for (size_t i = 0; i < r->nseen; i++) {
		if (strncmp(r->seen[i], prefix, plen) == 0)
			free(r->seen[i]);
		else
			r->seen[kept++] = r->seen[i];
	}
	r->nseen = kept;
	free(prefix);
}

static void job_free(struct pop3_job *j)
{
	pop3_client_free(&j->engine);
	free(j->user);
	free(j);
}

static void unlink_job(struct pop3_job *j)
{
	for (struct pop3_job **pp = &j->r->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
}

/* Reports once, then frees (later if inside an engine call). */
static void finish(struct pop3_job *j)
{
	if (j->reported)
		return;
	j->reported = 1;
	struct pop3_reader *r = j->r;
	struct pop3_reader_report rep = {.id = j->id, .outcome = POP3_CLIENT_LOST, .code = "", .text = "no connection"};
	if (j->have_result) {
		rep.outcome = j->result.outcome;
		rep.code = j->code;
		rep.text = j->text;
		rep.listed = j->result.listed;
		rep.retrieved = j->result.retrieved;
		rep.deleted = j->result.deleted;
		rep.skipped = j->result.skipped;
	}
	rep.stored = j->stored;
	if (j->have_result && rep.outcome == POP3_CLIENT_OK && !j->keep && rep.deleted == rep.listed)
		forget_all(j);
	agent_publish_note(r->env, r->host, j->conn_id, "pop3",
			   "download for %s: %s (%zu listed, %zu retrieved, %zu stored, %zu deleted, %zu skipped)%s%s",
			   j->user, pop3_client_outcome_name(rep.outcome), rep.listed, rep.retrieved, rep.stored,
			   rep.deleted, rep.skipped, rep.outcome == POP3_CLIENT_OK ? "" : ": ",
			   rep.outcome == POP3_CLIENT_OK ? "" : rep.text);
	unlink_job(j);
	if (r->report)
		r->report(r->ctx, &rep);
	if (j->in_callback)
		j->free_pending = 1;
	else
		job_free(j);
}

/* ---- engine callbacks ---- */

static int on_want(void *ctx, size_t msgno, const char *uid, uint64_t size)
{
	(void)msgno;
	(void)size;
	struct pop3_job *j = ctx;
	/* keep: only what this reader has not downloaded before */
	return !(j->keep && seen(j, uid));
}

static void on_message(void *ctx, size_t msgno, const char *uid, const uint8_t *data, size_t len, int truncated)
{
	(void)msgno;
	struct pop3_job *j = ctx;
	struct pop3_reader *r = j->r;
	if (truncated || seen(j, uid))
		return;
	struct ms_user *u = mailstore_find_user(r->store, r->address);
	struct blob *b = blob_new(data, len);
	struct ms_folder *inbox = u ? ms_folder_find(u, "INBOX") : NULL;
	if (u && b && ms_append(inbox, b, 0, 0, sim_now(r->env->sim)) > 0) {
		j->stored++;
		remember(j, uid);
		ms_folder_trim(inbox, j->local_keep);
	}
	blob_unref(&b);
}

static void on_done(void *ctx, const struct pop3_client_result *res)
{
	struct pop3_job *j = ctx;
	j->result = *res;
	snprintf(j->code, sizeof j->code, "%s", res->code);
	snprintf(j->text, sizeof j->text, "%s", res->text);
	j->have_result = 1;
}

static void on_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct pop3_job *j = ctx;
	if (sent)
		agent_publish_line(j->r->env, j->r->host, j->peer, j->conn_id, "POP3", 1, 0, line, len);
}

/* ---- TCP ---- */

static void pump(struct pop3_job *j)
{
	if (!j->conn)
		return;
	for (;;) {
		size_t n;
		const uint8_t *p = pop3_client_output(j->engine, &n);
		if (n == 0)
			break;
		size_t sent = tcp_send(j->conn, p, n);
		pop3_client_consume(j->engine, sent);
		if (sent < n)
			return;
	}
	if (pop3_client_done(j->engine)) {
		struct tcp_conn *c = j->conn;
		j->conn = NULL;
		tcp_set_callbacks(c, NULL, NULL);
		tcp_close(c);
		finish(j);
	}
}

static void enter(struct pop3_job *j) { j->in_callback++; }
static void leave(struct pop3_job *j)
{
	if (--j->in_callback == 0 && j->free_pending)
		job_free(j);
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct pop3_job *j = ctx;
	enter(j);
	if (!j->reported) {
		pop3_client_feed(j->engine, bytes, len);
		pump(j);
	}
	leave(j);
}

static void on_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct pop3_job *j = ctx;
	enter(j);
	pump(j);
	leave(j);
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct pop3_job *j = ctx;
	enter(j);
	if (!pop3_client_done(j->engine))
		pop3_client_connection_lost(j->engine);
	leave(j);
	tcp_close(c);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	(void)err;
	struct pop3_job *j = ctx;
	j->conn = NULL;
	enter(j);
	if (!pop3_client_done(j->engine))
		pop3_client_connection_lost(j->engine);
	finish(j);
	leave(j);
}

static const struct tcp_callbacks job_tcp = {
    .data = on_data, .writable = on_writable, .peer_closed = on_peer_closed, .closed = on_closed};

int pop3_reader_fetch(struct pop3_reader *r, const struct pop3_reader_options *o)
{
	if (!o || !o->user || !o->password)
		return -1;
	struct pop3_job *j = calloc(1, sizeof *j);
	if (!j)
		return -1;
	j->r = r;
	j->ip = o->server_ip;
	j->keep = o->keep;
	j->local_keep = o->local_keep;
	j->peer = net_host_by_ip(r->env->net, o->server_ip);
	j->user = strdup(o->user);
	struct pop3_client_host h = {
	    .ctx = j, .want = on_want, .message = on_message, .done = on_done, .trace = on_trace};
	j->engine = pop3_client_new(&h);
	struct pop3_client_session_options so = {o->user, o->password, o->apop, o->keep};
	if (!j->user || !j->engine || pop3_client_start_session(j->engine, &so) != 0) {
		job_free(j);
		return -1;
	}
	j->conn = tcp_connect(r->env->tcp, r->host, o->server_ip, o->port ? o->port : 110, &job_tcp, j);
	if (!j->conn) {
		job_free(j);
		return -1;
	}
	j->conn_id = tcp_conn_id(j->conn);
	j->id = r->next_id++;
	j->next = r->jobs;
	r->jobs = j;
	return j->id;
}

/* ---- life cycle ---- */

struct pop3_reader *pop3_reader_new(const struct agent_env *env, int host, struct mailstore *store,
				    const char *address, pop3_reader_report_fn report, void *ctx)
{
	if (!store || !address)
		return NULL;
	struct pop3_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->env = env;
	r->host = host;
	r->store = store;
	r->report = report;
	r->ctx = ctx;
	r->address = strdup(address);
	if (!r->address || (!mailstore_find_user(store, address) && !mailstore_add_user(store, address, ""))) {
		free(r->address);
		free(r);
		return NULL;
	}
	return r;
}

void pop3_reader_free(struct pop3_reader **rp)
{
	if (!rp || !*rp)
		return;
	struct pop3_reader *r = *rp;
	while (r->jobs) {
		struct pop3_job *j = r->jobs;
		r->jobs = j->next;
		if (j->conn)
			tcp_abort(j->conn);
		job_free(j);
	}
	for (size_t i = 0; i < r->nseen; i++)
		free(r->seen[i]);
	free(r->seen);
	free(r->address);
	free(r);
	*rp = NULL;
}

size_t pop3_reader_active(const struct pop3_reader *r)
{
	size_t n = 0;
	for (const struct pop3_job *j = r->jobs; j; j = j->next)
		n++;
	return n;
}

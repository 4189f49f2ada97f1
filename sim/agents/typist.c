/* A hand-typed protocol session; see typist.h. */
#include "sim/agents/typist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/agent_env.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

#define MAX_REPLY_LINE 1024

struct typist {
	const struct agent_env *env;
	struct tcp_conn *conn;
	int host, peer;
	uint32_t conn_id;
	char **lines;
	size_t nlines, next;
	char partial[MAX_REPLY_LINE];
	size_t plen;
	int in_data; /* typing a message after 354 */
	int done;
	const char *proto; /* "SMTP", "POP3" or "IMAP", by the server's port */
	char tag[64];      /* IMAP: the tag of the command typed last ("" before) */
	int after_plus;    /* IMAP: the next line answers a "+" (not a command) */
};

static void type_line(struct typist *t)
{
	while (t->conn && t->next < t->nlines) {
		const char *l = t->lines[t->next++];
		/* What the person types is published by the typist; the
		 * server publishes its replies. */
		agent_publish_line(t->env, t->host, t->peer, t->conn_id, t->proto, 1, 0, l, strlen(l));
		if (t->proto[0] == 'I' && !t->after_plus) {
			size_t k = strcspn(l, " ");
			snprintf(t->tag, sizeof t->tag, "%.*s", (int)(k < sizeof t->tag ? k : sizeof t->tag - 1), l);
		}
		tcp_send(t->conn, l, strlen(l));
		tcp_send(t->conn, "\r\n", 2);
		if (t->in_data && strcmp(l, ".") == 0) {
			t->in_data = 0;
			return; /* wait for the reply to the message */
		}
		if (!t->in_data)
			return; /* wait for the reply */
	}
	if (t->conn && t->next >= t->nlines && !t->in_data) {
		t->done = 1;
		tcp_close(t->conn);
	}
}

/* A complete reply ends with a line "ddd text" (SMTP) or "+OK"/"-ERR". */
static void on_reply_line(struct typist *t, const char *line, size_t n)
{
	int smtp_final = n >= 3 && line[0] >= '1' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' &&
			 line[2] >= '0' && line[2] <= '9' && (n == 3 || line[3] == ' ');
	int pop_final = (n >= 3 && memcmp(line, "+OK", 3) == 0) || (n >= 4 && memcmp(line, "-ERR", 4) == 0);
	if (t->proto[0] == 'I') {
		/* IMAP: the greeting, the tagged reply to the line typed last,
		 * or a "+" asking for more (a literal, IDLE's DONE). */
		size_t k = strlen(t->tag);
		int greeting = t->next == 0 && n >= 4 && line[0] == '*' && line[1] == ' ';
		int tagged = k && n > k && memcmp(line, t->tag, k) == 0 && line[k] == ' ';
		int more = t->next > 0 && n >= 1 && line[0] == '+';
		smtp_final = greeting || tagged || more;
		pop_final = 0;
		t->after_plus = more && !tagged;
	}
	if (!smtp_final && !pop_final)
		return;
	if (t->proto[0] != 'I' && smtp_final && line[0] == '3' && line[1] == '5' && line[2] == '4')
		t->in_data = 1;
	if (t->done && t->conn)
		return;
	type_line(t);
}

static void on_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)c;
	struct typist *t = ctx;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			size_t len = t->plen && t->partial[t->plen - 1] == '\r' ? t->plen - 1 : t->plen;
			t->partial[len] = 0;
			t->plen = 0;
			on_reply_line(t, t->partial, len);
			if (!t->conn)
				return;
		} else if (t->plen < MAX_REPLY_LINE - 1) {
			t->partial[t->plen++] = (char)b[i];
		}
	}
}

static void on_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct typist *t = ctx;
	t->done = 1;
	tcp_close(c);
}

static void on_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	(void)e;
	struct typist *t = ctx;
	t->conn = NULL;
	t->done = 1;
}

static const struct tcp_callbacks cbs = {.data = on_data, .peer_closed = on_peer_closed, .closed = on_closed};

struct typist *typist_start(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
			    const char *const *lines, size_t nlines)
{
	struct typist *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->env = env;
	t->proto = port == 143 ? "IMAP" : port == 110 ? "POP3" : "SMTP";
	t->lines = calloc(nlines + 1, sizeof *t->lines);
	if (!t->lines) {
		free(t);
		return NULL;
	}
	for (size_t i = 0; i < nlines; i++) {
		t->lines[i] = strdup(lines[i]);
		if (!t->lines[i]) {
			t->nlines = i;
			typist_free(&t);
			return NULL;
		}
	}
	t->nlines = nlines;
	/* The server speaks first (its greeting); typing starts on it. */
	t->conn = tcp_connect(env->tcp, host, ip, port, &cbs, t);
	if (!t->conn) {
		typist_free(&t);
		return NULL;
	}
	t->host = host;
	t->peer = net_host_by_ip(env->net, ip);
	t->conn_id = tcp_conn_id(t->conn);
	return t;
}

void typist_free(struct typist **tp)
{
	if (!tp || !*tp)
		return;
	struct typist *t = *tp;
	if (t->conn)
		tcp_abort(t->conn);
	for (size_t i = 0; i < t->nlines; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t);
	*tp = NULL;
}

size_t typist_typed(const struct typist *t) { return t->next; }
int typist_done(const struct typist *t) { return t->done; }

uint32_t typist_conn_id(const struct typist *t) { return t->conn_id; }

/* The message tracker (see msgtrack.h).
 *
 * SMTP sessions are found by the client's connection id for the client's
 * lines, and by the (client host, server host) pair for the server's
 * replies, which carry the server's own connection id. Replies are matched
 * to commands in order (pipelining keeps the order, RFC 2920), so a refused
 * RCPT leaves the envelope and a refused DATA does not make the next
 * commands look like message text. */
#include "viz/msgtrack.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/codec.h"
#include "protocols/mime.h"
#include "sim/core/bus.h"

#define MAX_TEXT (1u << 20)
#define MAX_FIELDS 128
#define MAX_PARTS 64
#define MAX_RCPTS 64
#define MAX_SESSIONS 256
#define PENDING 64

enum cmd_kind { CMD_OTHER, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_DOT };

struct session {
	uint32_t conn_id;
	int client, server;
	sim_time start, last;
	char *mail_from;
	char *rcpts[MAX_RCPTS];
	uint8_t rcpt_ok[MAX_RCPTS];
	size_t nrcpts;
	int in_data, data_confirmed;
	struct buf data;
	/* Commands waiting for their reply, oldest first. */
	uint8_t pend_kind[PENDING];
	uint8_t pend_rcpt[PENDING];
	unsigned pend_head, pend_n;
};

struct viz_msgs {
	struct viz_msg *msgs;
	size_t n, cap;
	uint64_t dropped; /* messages past VIZ_MSG_KEEP */
	struct session *sess[MAX_SESSIONS];
	size_t nsess;
	uint64_t hops;
	int last_hop_msg;
	int oom;
};

struct viz_msgs *viz_msgs_new(void)
{
	struct viz_msgs *m = calloc(1, sizeof *m);
	if (m)
		m->last_hop_msg = -1;
	return m;
}

static void session_clear_envelope(struct session *s)
{
	free(s->mail_from);
	s->mail_from = NULL;
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	s->nrcpts = 0;
	s->in_data = 0;
	s->data_confirmed = 0;
	buf_reset(&s->data);
}

static void session_free(struct session *s)
{
	if (!s)
		return;
	session_clear_envelope(s);
	buf_free(&s->data);
	free(s);
}

static void copy_release(struct viz_msg_copy *c)
{
	free(c->mail_from);
	for (size_t i = 0; i < c->nrcpts; i++)
		free(c->rcpts[i]);
	free(c->rcpts);
	for (size_t i = 0; i < c->nfields; i++) {
		free(c->fields[i].name);
		free(c->fields[i].value);
	}
	free(c->fields);
	free(c->parts);
}

void viz_msgs_free(struct viz_msgs **mp)
{
	struct viz_msgs *m = mp ? *mp : NULL;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < m->msgs[i].ncopies; k++)
			copy_release(&m->msgs[i].copies[k]);
		free(m->msgs[i].copies);
		free(m->msgs[i].events);
	}
	free(m->msgs);
	for (size_t i = 0; i < m->nsess; i++)
		session_free(m->sess[i]);
	free(m);
	*mp = NULL;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 4;
	void *p = realloc(*arr, nc * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/* ---- messages ---- */

static int find_msg(const struct viz_msgs *m, const char *id)
{
	if (!id || !*id)
		return -1;
	for (size_t i = m->n; i-- > 0;)
		if (strcmp(m->msgs[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int new_msg(struct viz_msgs *m, const char *id, sim_time t)
{
	if (m->n >= VIZ_MSG_KEEP) {
		m->dropped++;
		return -1;
	}
	if (grow((void **)&m->msgs, &m->cap, m->n, sizeof *m->msgs) < 0) {
		m->oom = 1;
		return -1;
	}
	struct viz_msg *g = &m->msgs[m->n];
	memset(g, 0, sizeof *g);
	snprintf(g->id, sizeof g->id, "%s", id ? id : "");
	g->first_seen = t;
	return (int)m->n++;
}

static struct viz_msg_copy *new_copy(struct viz_msgs *m, struct viz_msg *g)
{
	if (grow((void **)&g->copies, &g->ccopies, g->ncopies, sizeof *g->copies) < 0) {
		m->oom = 1;
		return NULL;
	}
	struct viz_msg_copy *c = &g->copies[g->ncopies++];
	memset(c, 0, sizeof *c);
	c->arrived = SIM_TIME_NEVER;
	c->from_host = -1;
	return c;
}

static char *dupn(struct viz_msgs *m, const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) {
		m->oom = 1;
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Adds a field "Name: value" (one field, maybe folded) to c, at the front
 * when prepend. */
static void add_field(struct viz_msgs *m, struct viz_msg_copy *c, const char *text, size_t len, sim_time added,
		      int prepend)
{
	if (c->nfields >= MAX_FIELDS)
		return;
	const char *colon = memchr(text, ':', len);
	if (!colon)
		return;
	size_t nl = (size_t)(colon - text);
	while (nl > 0 && (text[nl - 1] == ' ' || text[nl - 1] == '\t'))
		nl--;
	/* Unfold: each CRLF (or LF) and the blanks after it become one space. */
	char *v = malloc(len - (size_t)(colon - text) + 1);
	if (!v) {
		m->oom = 1;
		return;
	}
	size_t k = 0;
	const char *p = colon + 1, *end = text + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end) {
		if (*p == '\r' || *p == '\n') {
			while (p < end && (*p == '\r' || *p == '\n' || *p == ' ' || *p == '\t'))
				p++;
			if (p < end)
				v[k++] = ' ';
			continue;
		}
		v[k++] = *p++;
	}
	v[k] = '\0';
	if (!c->fields && !(c->fields = calloc(MAX_FIELDS, sizeof *c->fields))) {
		free(v);
		m->oom = 1;
		return;
	}
	char *name = dupn(m, text, nl);
	if (!name) {
		free(v);
		return;
	}
	if (prepend) {
		memmove(&c->fields[1], &c->fields[0], c->nfields * sizeof *c->fields);
		c->fields[0] = (struct viz_msg_field){name, v, added};
	} else {
		c->fields[c->nfields] = (struct viz_msg_field){name, v, added};
	}
	c->nfields++;
}

static void parse_header(struct viz_msgs *m, struct viz_msg_copy *c, const char *text, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		/* A field runs to the CRLF not followed by a blank. */
		for (;;) {
			const char *nl = memchr(text + i, '\n', len - i);
			if (!nl) {
				i = len;
				break;
			}
			i = (size_t)(nl - text) + 1;
			if (i >= len || (text[i] != ' ' && text[i] != '\t'))
				break;
		}
		size_t flen = i - start;
		while (flen > 0 && (text[start + flen - 1] == '\n' || text[start + flen - 1] == '\r'))
			flen--;
		if (flen == 0)
			return; /* the empty line: end of the header section */
		add_field(m, c, text + start, flen, -1, 0);
	}
}

static void walk_mime(struct viz_msg_copy *c, const struct mime_node *n, int depth)
{
	if (c->nparts >= MAX_PARTS)
		return;
	struct viz_msg_part *p = &c->parts[c->nparts++];
	memset(p, 0, sizeof *p);
	p->depth = depth;
	snprintf(p->type, sizeof p->type, "%s/%s", mime_node_type(n), mime_node_subtype(n));
	snprintf(p->cte, sizeof p->cte, "%s", mime_node_cte_name(n));
	const char *fn = mime_node_filename(n);
	if (fn)
		snprintf(p->filename, sizeof p->filename, "%s", fn);
	size_t blen = 0;
	if (mime_node_body(n, &blen))
		p->size = blen;
	for (size_t i = 0; i < mime_node_child_count(n); i++)
		walk_mime(c, mime_node_child(n, i), depth + 1);
}

static void parse_text(struct viz_msgs *m, struct viz_msg_copy *c, const char *text, size_t len)
{
	c->size = len;
	parse_header(m, c, text, len);
	struct mime_doc *doc = NULL;
	if (mime_parse(text, len, NULL, &doc) != 0) {
		m->oom = 1;
		return;
	}
	c->parts = calloc(MAX_PARTS, sizeof *c->parts);
	if (c->parts)
		walk_mime(c, mime_doc_root(doc), 0);
	else
		m->oom = 1;
	mime_doc_free(&doc);
}

static void set_envelope(struct viz_msgs *m, struct viz_msg_copy *c, const struct session *s)
{
	c->mail_from = dupn(m, s->mail_from ? s->mail_from : "", s->mail_from ? strlen(s->mail_from) : 0);
	c->rcpts = calloc(s->nrcpts + 1, sizeof *c->rcpts);
	if (!c->rcpts) {
		m->oom = 1;
		return;
	}
	for (size_t i = 0; i < s->nrcpts; i++)
		if (s->rcpt_ok[i])
			c->rcpts[c->nrcpts++] = dupn(m, s->rcpts[i], strlen(s->rcpts[i]));
}

/* Field value of name in the header section of text, trimmed, into out. */
static void header_value(const char *text, size_t len, const char *name, char *out, size_t size)
{
	out[0] = '\0';
	size_t nl = strlen(name), i = 0;
	while (i < len) {
		const char *eol = memchr(text + i, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - text) - i : len - i;
		if (ll == 0 || (ll == 1 && text[i] == '\r'))
			return;
		if (ll > nl && strncasecmp(text + i, name, nl) == 0 && text[i + nl] == ':') {
			const char *v = text + i + nl + 1;
			size_t vl = ll - nl - 1;
			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
				vl--;
			snprintf(out, size, "%.*s", (int)vl, v);
			return;
		}
		i += ll + 1;
	}
}

static void hop(struct viz_msgs *m, struct viz_msg *g)
{
	g->hops++;
	m->hops++;
	m->last_hop_msg = (int)(g - m->msgs);
}

/* The final "." of a transaction: the message is on its way to the server. */
static void message_sent(struct viz_msgs *m, struct session *s, sim_time t)
{
	const char *text = s->data.data ? s->data.data : "";
	size_t len = s->data.len;
	char id[160], subj[160];
	header_value(text, len, "Message-ID", id, sizeof id);
	int gi = find_msg(m, id);
	if (gi < 0 && (gi = new_msg(m, id, t)) < 0)
		return;
	struct viz_msg *g = &m->msgs[gi];
	if (!g->subject[0]) {
		header_value(text, len, "Subject", subj, sizeof subj);
		struct buf b;
		buf_init(&b, sizeof g->subject - 1);
		unsigned defects = 0;
		if (codec_hdr_decode(&b, subj, strlen(subj), &defects) == 0 && b.data)
			snprintf(g->subject, sizeof g->subject, "%s", b.data);
		else
			snprintf(g->subject, sizeof g->subject, "%s", subj);
		buf_free(&b);
	}
	int composer = 1;
	for (size_t i = 0; i < g->ncopies; i++)
		if (g->copies[i].host == s->client)
			composer = 0;
	if (composer) {
		struct viz_msg_copy *c = new_copy(m, g);
		if (!c)
			return;
		c->host = s->client;
		c->sent = c->arrived = s->start;
		c->conn_id = s->conn_id;
		c->session_start = s->start;
		set_envelope(m, c, s);
		parse_text(m, c, text, len);
	}
	struct viz_msg_copy *c = new_copy(m, g);
	if (!c)
		return;
	c->host = s->server;
	c->from_host = s->client;
	c->sent = t;
	c->conn_id = s->conn_id;
	c->session_start = s->start;
	set_envelope(m, c, s);
	parse_text(m, c, text, len);
}

/* ---- sessions ---- */

static struct session *session_by_conn(struct viz_msgs *m, uint32_t conn_id, int client, int server, int create)
{
	for (size_t i = 0; i < m->nsess; i++)
		if (m->sess[i]->conn_id == conn_id && m->sess[i]->client == client && m->sess[i]->server == server)
			return m->sess[i];
	if (!create)
		return NULL;
	if (m->nsess == MAX_SESSIONS) {
		/* Forget the idlest: a session that went quiet for good. */
		size_t old = 0;
		for (size_t i = 1; i < m->nsess; i++)
			if (m->sess[i]->last < m->sess[old]->last)
				old = i;
		session_free(m->sess[old]);
		m->sess[old] = m->sess[--m->nsess];
	}
	struct session *s = calloc(1, sizeof *s);
	if (!s) {
		m->oom = 1;
		return NULL;
	}
	s->conn_id = conn_id;
	s->client = client;
	s->server = server;
	buf_init(&s->data, MAX_TEXT);
	m->sess[m->nsess++] = s;
	return s;
}

static void session_drop(struct viz_msgs *m, struct session *s)
{
	for (size_t i = 0; i < m->nsess; i++)
		if (m->sess[i] == s) {
			session_free(s);
			m->sess[i] = m->sess[--m->nsess];
			return;
		}
}

static void pend_push(struct session *s, enum cmd_kind k, size_t rcpt)
{
	if (s->pend_n == PENDING)
		return;
	unsigned i = (s->pend_head + s->pend_n++) % PENDING;
	s->pend_kind[i] = (uint8_t)k;
	s->pend_rcpt[i] = (uint8_t)rcpt;
}

/* The path of "MAIL FROM:<a> SIZE=1" or "RCPT TO:<b>": from the '<' to the
 * matching '>', else the first word. */
static char *path_of(struct viz_msgs *m, const char *arg, size_t n)
{
	while (n && (*arg == ' '))
		arg++, n--;
	size_t k = 0;
	if (n && *arg == '<') {
		const char *gt = memchr(arg, '>', n);
		k = gt ? (size_t)(gt - arg) + 1 : n;
	} else {
		while (k < n && arg[k] != ' ')
			k++;
	}
	return dupn(m, arg, k);
}

static int verb_is(const char *text, size_t len, const char *verb)
{
	size_t n = strlen(verb);
	return len >= n && strncasecmp(text, verb, n) == 0 && (len == n || text[n] == ' ' || verb[n - 1] == ':');
}

static void client_line(struct viz_msgs *m, const struct obs_record *r)
{
	const char *text = r->u.line.text ? r->u.line.text : "";
	size_t len = r->u.line.len;
	struct session *s = session_by_conn(m, r->u.line.conn_id, r->u.line.host, r->u.line.peer, 1);
	if (!s)
		return;
	s->last = r->time;
	if (s->in_data) {
		if (len == 1 && text[0] == '.') {
			pend_push(s, CMD_DOT, 0);
			message_sent(m, s, r->time);
			s->in_data = 0;
			buf_reset(&s->data);
			return;
		}
		buf_append(&s->data, text, len);
		buf_append(&s->data, "\r\n", 2);
		return;
	}
	if (verb_is(text, len, "MAIL FROM:")) {
		session_clear_envelope(s);
		s->start = r->time;
		s->mail_from = path_of(m, text + 10, len - 10);
		pend_push(s, CMD_MAIL, 0);
	} else if (verb_is(text, len, "RCPT TO:")) {
		if (s->nrcpts < MAX_RCPTS) {
			s->rcpts[s->nrcpts] = path_of(m, text + 8, len - 8);
			s->rcpt_ok[s->nrcpts] = s->rcpts[s->nrcpts] != NULL;
			if (s->rcpts[s->nrcpts])
				s->nrcpts++;
		}
		pend_push(s, CMD_RCPT, s->nrcpts ? s->nrcpts - 1 : 0);
	} else if (verb_is(text, len, "DATA")) {
		s->in_data = 1;
		s->data_confirmed = 0;
		buf_reset(&s->data);
		pend_push(s, CMD_DATA, 0);
	} else if (verb_is(text, len, "RSET")) {
		session_clear_envelope(s);
		pend_push(s, CMD_OTHER, 0);
	} else if (verb_is(text, len, "QUIT")) {
		session_drop(m, s);
	} else {
		pend_push(s, CMD_OTHER, 0);
	}
}

static void server_line(struct viz_msgs *m, const struct obs_record *r)
{
	const char *text = r->u.line.text ? r->u.line.text : "";
	size_t len = r->u.line.len;
	/* Only final lines of a reply ("250 x", not "250-x") answer a command. */
	if (len < 3 || !isdigit((unsigned char)text[0]) || (len > 3 && text[3] == '-'))
		return;
	struct session *s = NULL;
	for (size_t i = m->nsess; i-- > 0;)
		if (m->sess[i]->client == r->u.line.peer && m->sess[i]->server == r->u.line.host && m->sess[i]->pend_n &&
		    (!s || m->sess[i]->last > s->last))
			s = m->sess[i];
	if (!s)
		return;
	unsigned i = s->pend_head;
	s->pend_head = (s->pend_head + 1) % PENDING;
	s->pend_n--;
	int ok = text[0] == '2' || text[0] == '3';
	switch ((enum cmd_kind)s->pend_kind[i]) {
	case CMD_RCPT:
		if (!ok && s->pend_rcpt[i] < s->nrcpts)
			s->rcpt_ok[s->pend_rcpt[i]] = 0;
		break;
	case CMD_DATA:
		if (strncmp(text, "354", 3) == 0)
			s->data_confirmed = 1;
		else if (s->in_data) {
			s->in_data = 0;
			buf_reset(&s->data);
		}
		break;
	default:
		break;
	}
}

/* ---- mail events ---- */

static struct viz_msg_copy *copy_at_host(struct viz_msg *g, int host, int pending)
{
	for (size_t i = g->ncopies; i-- > 0;) {
		struct viz_msg_copy *c = &g->copies[i];
		if (c->host == host && (pending ? c->arrived == SIM_TIME_NEVER : c->arrived != SIM_TIME_NEVER))
			return c;
	}
	return NULL;
}

/* The message of a mail record: by Message-ID, else the one with a copy
 * on its way to (or accepted by) that host with that queue id. */
static int msg_of_record(struct viz_msgs *m, const struct obs_record *r)
{
	int gi = find_msg(m, r->u.mail.message_id);
	if (gi >= 0)
		return gi;
	for (size_t i = m->n; i-- > 0;)
		for (size_t k = 0; k < m->msgs[i].ncopies; k++) {
			const struct viz_msg_copy *c = &m->msgs[i].copies[k];
			if (c->host != r->u.mail.host)
				continue;
			if (r->u.mail.queue_id ? strcmp(c->queue_id, r->u.mail.queue_id) == 0
					       : c->arrived == SIM_TIME_NEVER)
				return (int)i;
		}
	return -1;
}

static void mail_record(struct viz_msgs *m, const struct obs_record *r)
{
	int host = r->u.mail.host;
	enum obs_mail_event ev = r->u.mail.event;
	int gi = msg_of_record(m, r);
	if (gi < 0 && ev == OBS_MAIL_ACCEPTED && (gi = new_msg(m, r->u.mail.message_id, r->time)) < 0)
		return;
	if (gi < 0)
		return;
	struct viz_msg *g = &m->msgs[gi];
	if (ev == OBS_MAIL_ACCEPTED) {
		struct viz_msg_copy *c = copy_at_host(g, host, 1);
		const char *qid = r->u.mail.queue_id ? r->u.mail.queue_id : "";
		struct viz_msg_copy *same = NULL;
		for (size_t i = 0; i < g->ncopies; i++)
			if (g->copies[i].host == host && g->copies[i].arrived != SIM_TIME_NEVER &&
			    strcmp(g->copies[i].queue_id, qid) == 0 && qid[0])
				same = &g->copies[i];
		if (!same) {
			if (!c) {
				/* Made here (a bounce the MTA wrote itself): no text seen. */
				if (!(c = new_copy(m, g)))
					return;
				c->host = host;
				c->sent = r->time;
				c->mail_from = dupn(m, r->u.mail.from ? r->u.mail.from : "",
						    r->u.mail.from ? strlen(r->u.mail.from) : 0);
			}
			c->arrived = r->time;
			snprintf(c->queue_id, sizeof c->queue_id, "%s", qid);
			hop(m, g);
		}
	} else if (ev == OBS_MAIL_HEADER && r->u.mail.text) {
		struct viz_msg_copy *c = copy_at_host(g, host, 0);
		if (c)
			add_field(m, c, r->u.mail.text, strlen(r->u.mail.text), r->time, 1);
		return; /* shown in the header list, not as an event */
	} else if (ev == OBS_MAIL_DELIVERED || ev == OBS_MAIL_BOUNCED || ev == OBS_MAIL_DISCARDED) {
		hop(m, g);
	}
	if (grow((void **)&g->events, &g->cevents, g->nevents, sizeof *g->events) < 0) {
		m->oom = 1;
		return;
	}
	struct viz_msg_event *e = &g->events[g->nevents++];
	memset(e, 0, sizeof *e);
	e->time = r->time;
	e->host = host;
	e->event = (uint8_t)ev;
	snprintf(e->rcpt, sizeof e->rcpt, "%s", r->u.mail.rcpt ? r->u.mail.rcpt : "");
	snprintf(e->text, sizeof e->text, "%s", r->u.mail.text ? r->u.mail.text : "");
}

void viz_msgs_record(struct viz_msgs *m, const struct obs_record *r)
{
	if (r->type == OBS_MAIL) {
		mail_record(m, r);
		return;
	}
	if (r->type != OBS_LINE || !r->u.line.proto || strcmp(r->u.line.proto, "SMTP") != 0)
		return;
	if (r->u.line.from_client)
		client_line(m, r);
	else
		server_line(m, r);
}

size_t viz_msgs_count(const struct viz_msgs *m) { return m->n; }
const struct viz_msg *viz_msgs_get(const struct viz_msgs *m, size_t i) { return &m->msgs[i]; }
uint64_t viz_msgs_hops(const struct viz_msgs *m) { return m->hops; }
int viz_msgs_last_hop_msg(const struct viz_msgs *m) { return m->last_hop_msg; }
int viz_msgs_oom(const struct viz_msgs *m) { return m->oom; }

int viz_msg_copy_held(const struct viz_msg_copy *c, sim_time t) { return c->arrived != SIM_TIME_NEVER && c->arrived <= t; }

const struct viz_msg_copy *viz_msg_copy_at(const struct viz_msg *msg, int host, sim_time t)
{
	const struct viz_msg_copy *best = NULL;
	for (size_t i = 0; i < msg->ncopies; i++) {
		const struct viz_msg_copy *c = &msg->copies[i];
		if (c->host == host && viz_msg_copy_held(c, t))
			best = c;
	}
	if (best)
		return best;
	for (size_t i = 0; i < msg->ncopies; i++) {
		const struct viz_msg_copy *c = &msg->copies[i];
		if (viz_msg_copy_held(c, t) && (!best || c->arrived >= best->arrived))
			best = c;
	}
	return best;
}

int viz_msgs_find_line(const struct viz_msgs *m, int host, int peer, sim_time t)
{
	for (size_t i = m->n; i-- > 0;)
		for (size_t k = 0; k < m->msgs[i].ncopies; k++) {
			const struct viz_msg_copy *c = &m->msgs[i].copies[k];
			if (c->from_host < 0)
				continue;
			int pair = (c->from_host == host && c->host == peer) || (c->from_host == peer && c->host == host);
			sim_time end = c->arrived != SIM_TIME_NEVER ? c->arrived : c->sent;
			if (pair && t >= c->session_start && t <= end)
				return (int)i;
		}
	return -1;
}

const struct viz_msg_field *viz_msg_field_find(const struct viz_msg_copy *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (strcasecmp(c->fields[i].name, name) == 0)
			return &c->fields[i];
	return NULL;
}

/* Recording a graded run from the observation bus, and looking things up
 * in the record afterwards. See obs.h. */
#include "sim/grade/obs.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/mailstore.h"
#include "sim/grade/exercise.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/scenario/check.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

static int grow(void **v, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *nv = realloc(*v, ncap * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

static char *dup_n(const char *s, size_t n)
{
	if (!s)
		return strdup("");
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
		/* Keep the record printable: a NUL inside would cut it, control
		 * bytes would garble a report. */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)d[i] < 32 && d[i] != '\t')
				d[i] = '?';
	}
	return d;
}

static const char *proto_static(const char *p)
{
	if (!p)
		return "?";
	if (!strcmp(p, "SMTP"))
		return "SMTP";
	if (!strcmp(p, "POP3"))
		return "POP3";
	if (!strcmp(p, "IMAP"))
		return "IMAP";
	return "?";
}

static long find_end(const struct grade_obs *o, int host, uint32_t conn_id);

static void on_line(struct grade_obs *o, const struct obs_record *r)
{
	if (o->line_count >= GRADE_OBS_MAX_RECORDS) {
		o->dropped++;
		return;
	}
	if (grow((void **)&o->lines, &o->line_cap, o->line_count, sizeof *o->lines) < 0) {
		o->nomem = 1;
		return;
	}
	struct grade_line *l = &o->lines[o->line_count];
	size_t n = r->u.line.len > GRADE_OBS_MAX_LINE ? GRADE_OBS_MAX_LINE : r->u.line.len;
	*l = (struct grade_line){.t = r->time,
				 .conn_id = r->u.line.conn_id,
				 .host = r->u.line.host,
				 .peer = r->u.line.peer,
				 .from_client = r->u.line.from_client,
				 .proto = proto_static(r->u.line.proto),
				 .text = dup_n(r->u.line.text, n)};
	if (!l->text) {
		o->nomem = 1;
		return;
	}
	/* The line's end: the publisher's or its peer's (a server may
	 * publish what it received under its own connection's id). */
	long e = find_end(o, l->host, l->conn_id);
	if (e < 0)
		e = find_end(o, l->peer, l->conn_id);
	struct grade_session *s = NULL;
	if (e >= 0 && o->ends[e].session >= 0)
		s = &o->sessions[o->ends[e].session];
	else if (e >= 0 && o->ends[e].partner >= 0 && o->ends[o->ends[e].partner].session >= 0)
		s = &o->sessions[o->ends[o->ends[e].partner].session];
	else if (e < 0)
		s = grade_obs_session_of(o, l->conn_id);
	if (!s) {
		if (grow((void **)&o->sessions, &o->session_cap, o->session_count, sizeof *o->sessions) < 0) {
			free(l->text);
			o->nomem = 1;
			return;
		}
		s = &o->sessions[o->session_count++];
		*s = (struct grade_session){.conn_id = l->conn_id,
					    .client = l->from_client ? l->host : l->peer,
					    .server = l->from_client ? l->peer : l->host,
					    .proto = l->proto};
	}
	if (e >= 0) {
		long si = (long)(s - o->sessions);
		o->ends[e].session = si;
		if (o->ends[e].partner >= 0) {
			o->ends[o->ends[e].partner].session = si;
			s->conn_id = o->ends[e].conn_id;
			s->conn_id2 = o->ends[o->ends[e].partner].conn_id;
		}
	}
	if (grow((void **)&s->lines, &s->cap, s->count, sizeof *s->lines) < 0) {
		free(l->text);
		o->nomem = 1;
		return;
	}
	s->lines[s->count++] = o->line_count++;
}

static void on_mail(struct grade_obs *o, const struct obs_record *r)
{
	if (o->mail_count >= GRADE_OBS_MAX_RECORDS) {
		o->dropped++;
		return;
	}
	if (grow((void **)&o->mail, &o->mail_cap, o->mail_count, sizeof *o->mail) < 0) {
		o->nomem = 1;
		return;
	}
	const char *f[5] = {r->u.mail.queue_id, r->u.mail.message_id, r->u.mail.from, r->u.mail.rcpt, r->u.mail.text};
	char *c[5];
	for (int i = 0; i < 5; i++) {
		size_t n = f[i] ? strlen(f[i]) : 0;
		c[i] = dup_n(f[i], n > GRADE_OBS_MAX_LINE ? GRADE_OBS_MAX_LINE : n);
	}
	if (!c[0] || !c[1] || !c[2] || !c[3] || !c[4]) {
		for (int i = 0; i < 5; i++)
			free(c[i]);
		o->nomem = 1;
		return;
	}
	o->mail[o->mail_count++] = (struct grade_mail){r->time, r->u.mail.host, r->u.mail.event, c[0], c[1], c[2], c[3], c[4]};
}

static long find_end(const struct grade_obs *o, int host, uint32_t conn_id)
{
	for (size_t i = o->end_count; i-- > 0;)
		if (o->ends[i].conn_id == conn_id && o->ends[i].host == host)
			return (long)i;
	return -1;
}

static void track_end(struct grade_obs *o, const struct obs_record *r)
{
	if (r->u.conn.remote_ip == 0 && r->u.conn.remote_port == 0)
		return; /* a listening socket */
	if (find_end(o, r->u.conn.host, r->u.conn.conn_id) >= 0)
		return;
	if (o->end_count >= GRADE_OBS_MAX_RECORDS) {
		o->dropped++;
		return;
	}
	if (grow((void **)&o->ends, &o->end_cap, o->end_count, sizeof *o->ends) < 0) {
		o->nomem = 1;
		return;
	}
	struct grade_end *e = &o->ends[o->end_count];
	*e = (struct grade_end){r->u.conn.host,	       r->u.conn.conn_id, r->u.conn.local_ip, r->u.conn.remote_ip,
				r->u.conn.local_port, r->u.conn.remote_port, -1, -1};
	for (size_t j = o->end_count; j-- > 0;) {
		struct grade_end *p = &o->ends[j];
		if (p->partner < 0 && p->lip == e->rip && p->rip == e->lip && p->lport == e->rport && p->rport == e->lport) {
			p->partner = (long)o->end_count;
			e->partner = (long)j;
			break;
		}
	}
	o->end_count++;
}

static void on_conn(struct grade_obs *o, const struct obs_record *r)
{
	track_end(o, r);
	if (!r->u.conn.to || strcmp(r->u.conn.to, "SYN_SENT") != 0)
		return;
	if (o->connect_count >= GRADE_OBS_MAX_RECORDS) {
		o->dropped++;
		return;
	}
	if (grow((void **)&o->connects, &o->connect_cap, o->connect_count, sizeof *o->connects) < 0) {
		o->nomem = 1;
		return;
	}
	o->connects[o->connect_count++] = (struct grade_connect){r->time, r->u.conn.host, r->u.conn.remote_ip,
								 r->u.conn.local_port, r->u.conn.remote_port,
								 r->u.conn.conn_id};
}

static void on_send(struct grade_obs *o, const struct obs_record *r)
{
	const struct packet *p = r->u.pkt.pkt;
	if (!p || p->proto != IPPROTO_SIM_TCP || p->len == 0)
		return;
	if (o->seg_count >= GRADE_OBS_MAX_RECORDS) {
		o->dropped++;
		return;
	}
	if (grow((void **)&o->segs, &o->seg_cap, o->seg_count, sizeof *o->segs) < 0) {
		o->nomem = 1;
		return;
	}
	o->segs[o->seg_count++] =
		(struct grade_segment){r->time, r->u.pkt.host, p->dst_ip, p->src_port, p->dst_port, p->len};
}

static void on_record(void *ctx, const struct obs_record *r)
{
	struct grade_obs *o = ctx;
	switch (r->type) {
	case OBS_LINE:
		on_line(o, r);
		break;
	case OBS_MAIL:
		on_mail(o, r);
		break;
	case OBS_CONN_STATE:
		on_conn(o, r);
		break;
	case OBS_PKT_SEND:
		on_send(o, r);
		break;
	default:
		break;
	}
}

#define GRADE_OBS_MASK (OBS_MASK(OBS_LINE) | OBS_MASK(OBS_MAIL) | OBS_MASK(OBS_CONN_STATE) | OBS_MASK(OBS_PKT_SEND))

int grade_obs_open(struct grade_obs *o, struct scn_world *w)
{
	o->w = w;
	o->s = scn_world_scenario(w);
	return bus_subscribe(sim_bus(scn_world_sim(w)), GRADE_OBS_MASK, on_record, o);
}

void grade_obs_close(struct grade_obs *o)
{
	if (o->w)
		bus_unsubscribe(sim_bus(scn_world_sim(o->w)), on_record, o);
}

void grade_obs_clear(struct grade_obs *o)
{
	for (size_t i = 0; i < o->line_count; i++)
		free(o->lines[i].text);
	free(o->lines);
	for (size_t i = 0; i < o->session_count; i++)
		free(o->sessions[i].lines);
	free(o->sessions);
	for (size_t i = 0; i < o->mail_count; i++) {
		free(o->mail[i].qid);
		free(o->mail[i].msgid);
		free(o->mail[i].from);
		free(o->mail[i].rcpt);
		free(o->mail[i].text);
	}
	free(o->mail);
	free(o->connects);
	free(o->segs);
	free(o->ends);
	o->ends = NULL;
	o->end_count = 0;
	free(o->typed_line_no);
	free(o->probe_action);
	free(o->probe_conn);
	o->probe_conn = NULL;
	free(o->ledger_text);
	o->lines = NULL;
	o->sessions = NULL;
	o->mail = NULL;
	o->connects = NULL;
	o->segs = NULL;
	o->typed_line_no = NULL;
	o->probe_action = NULL;
	o->ledger_text = NULL;
	o->line_count = o->session_count = o->mail_count = o->connect_count = o->seg_count = 0;
}

struct grade_session *grade_obs_session_of(struct grade_obs *o, uint32_t conn_id)
{
	/* Recent sessions are the likely ones: search backwards. */
	for (size_t i = o->session_count; i-- > 0;)
		if (o->sessions[i].conn_id == conn_id || o->sessions[i].conn_id2 == conn_id)
			return &o->sessions[i];
	return NULL;
}

struct grade_session *grade_obs_find_session(struct grade_obs *o, int client, int server)
{
	for (size_t i = 0; i < o->session_count; i++)
		if ((client < 0 || o->sessions[i].client == client) && (server < 0 || o->sessions[i].server == server))
			return &o->sessions[i];
	return NULL;
}

struct grade_session *grade_obs_student(struct grade_obs *o)
{
	return o->student_session >= 0 && (size_t)o->student_session < o->session_count
		       ? &o->sessions[o->student_session]
		       : NULL;
}

struct grade_session *grade_obs_check_session(struct grade_obs *o, const cJSON *check)
{
	const cJSON *sess = cJSON_GetObjectItemCaseSensitive(check, "session");
	if (!cJSON_IsObject(sess))
		return grade_obs_student(o);
	const char *from = scn_get_string(sess, "from"), *to = scn_get_string(sess, "to");
	int c = from ? scenario_host_by_name(o->s, from) : -1;
	int s = to ? scenario_host_by_name(o->s, to) : -1;
	return grade_obs_find_session(o, c, s);
}

const struct grade_line *grade_obs_line(const struct grade_obs *o, const struct grade_session *s, size_t k)
{
	return k < s->count ? &o->lines[s->lines[k]] : NULL;
}

void grade_obs_describe_client(struct grade_obs *o, const struct grade_session *s, size_t typed,
			       const struct grade_line *l, struct buf *out)
{
	size_t no = 0;
	if (s == grade_obs_student(o) && typed < o->typed_count)
		no = o->typed_line_no[typed];
	if (no)
		buf_printf(out, GL(o->lang, "line %zu `%s`", "línea %zu `%s`"), no, l->text);
	else
		buf_printf(out, "`%s`", l->text);
}

void grade_obs_explain_line(struct grade_obs *o, const struct grade_line *l, struct buf *out)
{
	if (!o->explain)
		return;
	const struct explain_entry *e[EXPLAIN_LINE_MAX];
	size_t n = explain_line(o->explain, l->proto, l->from_client, l->text, strlen(l->text), e, EXPLAIN_LINE_MAX);
	if (n > EXPLAIN_LINE_MAX)
		n = EXPLAIN_LINE_MAX;
	/* The most specific entry says most (an enhanced code over its
	 * reply code); one sentence keeps the detail readable. */
	if (n)
		buf_printf(out, " (%s: %s)", e[n - 1]->rfc, e[n - 1]->text[o->lang]);
}

struct ms_user *grade_obs_user(struct grade_obs *o, const char *address)
{
	for (size_t i = 0; o->w && address; i++) {
		struct mailstore *ms = scn_world_mailstore(o->w, i);
		if (!ms)
			break;
		struct ms_user *u = mailstore_find_user(ms, address);
		if (u)
			return u;
	}
	return NULL;
}

const char *grade_obs_host_name(const struct grade_obs *o, int h, int fqdn)
{
	if (!o->s || h < 0 || (size_t)h >= o->s->host_count)
		return "?";
	if (fqdn && o->s->fqdns && o->s->fqdns[h])
		return o->s->fqdns[h];
	return o->s->hosts[h].name;
}

int grade_obs_host_by_ip(const struct grade_obs *o, uint32_t ip)
{
	return o->w ? net_host_by_ip(scn_world_net(o->w), ip) : -1;
}

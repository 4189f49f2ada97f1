/* The authoritative DNS server agent. See dns_server.h. */
#include "sim/agents/dns_server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/agents/host_life.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/udp.h"

struct dns_server {
	struct sim *sim;
	struct udp *udp;
	int host;
	int bound;
	enum dns_server_mode mode;
	struct dns_db *db;
	struct dns_msg *query, *resp; /* scratch: a server answers one datagram at a time */
	struct dns_server_stats stats;
	struct host_life *life;
};

/* RFC 6891 6.1.1: more than one OPT record in a query MUST get FORMERR;
 * 6.1.2: its owner is the root. This server does not speak EDNS (it
 * answers in 512 octets and leaves OPT out), but a malformed OPT is a
 * malformed query all the same. NULL when the additional section is fine. */
static const char *opt_problem(const struct dns_msg *q)
{
	size_t n;
	const struct dns_rr *rr = dns_msg_section(q, DNS_SEC_ADDITIONAL, &n);
	int opts = 0;
	for (size_t i = 0; i < n; i++) {
		if (rr[i].type != 41)
			continue;
		if (++opts > 1)
			return "more than one OPT record";
		if (rr[i].name.len != 1)
			return "OPT record not owned by the root";
	}
	return NULL;
}

static void on_datagram(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			const uint8_t *data, size_t len);

struct dns_server *dns_server_new(struct sim *sim, struct udp *udp, int host)
{
	struct dns_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sim = sim;
	s->udp = udp;
	s->host = host;
	s->db = dns_db_new();
	s->query = dns_msg_new();
	s->resp = dns_msg_new();
	if (!s->db || !s->query || !s->resp || dns_server_rebind(s) < 0) {
		dns_server_free(&s);
		return NULL;
	}
	return s;
}

void dns_server_free(struct dns_server **sp)
{
	if (!sp || !*sp)
		return;
	struct dns_server *s = *sp;
	host_life_unregister(s->life, s->host, s);
	if (s->bound)
		udp_unbind(s->udp, s->host, DNS_PORT);
	dns_db_free(&s->db);
	dns_msg_free(&s->query);
	dns_msg_free(&s->resp);
	free(s);
	*sp = NULL;
}

int dns_server_rebind(struct dns_server *s)
{
	/* After a host reset the old binding is gone; unbinding first makes a
	 * rebind of a live server harmless too. */
	if (s->bound)
		udp_unbind(s->udp, s->host, DNS_PORT);
	s->bound = udp_bind(s->udp, s->host, DNS_PORT, on_datagram, s) == DNS_PORT;
	return s->bound ? 0 : -1;
}

static void on_crash(void *ctx, int host)
{
	(void)host;
	struct dns_server *s = ctx;
	if (s->bound)
		udp_unbind(s->udp, s->host, DNS_PORT);
	s->bound = 0;
}

static void on_restart(void *ctx, int host)
{
	(void)host;
	dns_server_rebind(ctx);
}

int dns_server_attach_life(struct dns_server *s, struct host_life *life)
{
	static const struct host_life_hooks hooks = {.crash = on_crash, .restart = on_restart};
	host_life_unregister(s->life, s->host, s);
	s->life = life;
	return host_life_register(life, s->host, &hooks, s);
}

struct dns_db *dns_server_db(struct dns_server *s) { return s->db; }
void dns_server_set_mode(struct dns_server *s, enum dns_server_mode mode) { s->mode = mode; }
enum dns_server_mode dns_server_mode(const struct dns_server *s) { return s->mode; }
int dns_server_host(const struct dns_server *s) { return s->host; }
const struct dns_server_stats *dns_server_stats(const struct dns_server *s) { return &s->stats; }

const char *dns_server_mode_name(enum dns_server_mode mode)
{
	switch (mode) {
	case DNS_SERVER_NORMAL: return "normal";
	case DNS_SERVER_SERVFAIL: return "servfail";
	case DNS_SERVER_SILENT: return "silent";
	}
	return "?";
}

static void publish(struct dns_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void publish(struct dns_server *s, const char *fmt, ...)
{
	struct obs_bus *bus = sim_bus(s->sim);
	if (!bus_wants(bus, OBS_APP))
		return;
	char text[DNS_NAME_TEXT_MAX + 200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct obs_record rec = {.type = OBS_APP, .time = sim_now(s->sim)};
	rec.u.app.host = s->host;
	rec.u.app.kind = "dns";
	rec.u.app.text = text;
	bus_publish(bus, &rec);
}

static void send_response(struct dns_server *s, uint32_t ip, uint16_t port)
{
	uint8_t wire[DNS_UDP_MAX];
	size_t len = 0;
	if (dns_build(s->resp, wire, sizeof wire, &len) < 0) {
		/* The echoed question alone cannot overflow 512 octets, since it
		 * came in a message of at most 512; drop it to be safe. */
		s->resp->nqd = 0;
		for (int i = 0; i < DNS_SEC_COUNT; i++)
			s->resp->n[i] = 0;
		if (dns_build(s->resp, wire, sizeof wire, &len) < 0)
			return;
	}
	if (wire[2] & 2)
		s->stats.truncated++;
	if (udp_send(s->udp, s->host, DNS_PORT, ip, port, wire, len) == 0) {
		s->stats.answered++;
		s->stats.by_rcode[s->resp->h.rcode < 6 ? s->resp->h.rcode : 0]++;
	}
}

/* A header-only error response (the question could not be read). */
static void send_error(struct dns_server *s, const struct dns_header *qh, uint8_t rcode, uint32_t ip, uint16_t port)
{
	dns_msg_clear(s->resp);
	s->resp->h.id = qh->id;
	s->resp->h.qr = 1;
	s->resp->h.opcode = qh->opcode;
	s->resp->h.rd = qh->rd;
	s->resp->h.rcode = rcode;
	send_response(s, ip, port);
}

static void on_datagram(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			const uint8_t *data, size_t len)
{
	(void)host;
	(void)dst_port;
	struct dns_server *s = ctx;
	char ip[16], qtext[DNS_NAME_TEXT_MAX + 16];
	dns_ipv4_format(src_ip, ip);
	s->stats.received++;
	struct dns_header h;
	int hrc = dns_parse_header(data, len, &h);
	int rc = hrc < 0 ? hrc : dns_parse(data, len, s->query);
	if (rc == 0 && s->query->nqd == 1)
		dns_question_to_text(&s->query->qd[0], qtext, sizeof qtext);
	else
		snprintf(qtext, sizeof qtext, "(unreadable)");

	if (s->mode == DNS_SERVER_SILENT) {
		s->stats.dropped++;
		publish(s, "DROPPED QUERY %s from %s:%u (outage)", qtext, ip, src_port);
		return;
	}
	if (hrc < 0) {
		s->stats.dropped++;
		publish(s, "IGNORED %zu octets from %s:%u (shorter than a DNS header)", len, ip, src_port);
		return;
	}
	if (h.qr) {
		s->stats.dropped++;
		publish(s, "IGNORED a response from %s:%u (servers answer queries only)", ip, src_port);
		return;
	}
	if (h.opcode != DNS_OP_QUERY) {
		publish(s, "NOTIMP to %s:%u (opcode %u)", ip, src_port, h.opcode);
		if (rc == 0) {
			dns_msg_init_response(s->resp, s->query, DNS_R_NOTIMP);
			send_response(s, src_ip, src_port);
		} else {
			send_error(s, &h, DNS_R_NOTIMP, src_ip, src_port);
		}
		return;
	}
	if (rc < 0) {
		publish(s, "FORMERR to %s:%u (%s)", ip, src_port, dns_strerror(rc));
		send_error(s, &h, DNS_R_FORMERR, src_ip, src_port);
		return;
	}
	const struct dns_msg *q = s->query;
	if (q->nqd != 1 || q->n[DNS_SEC_ANSWER] || q->n[DNS_SEC_AUTHORITY]) {
		publish(s, "FORMERR to %s:%u (%zu questions, %zu answers, %zu authority records)", ip, src_port,
			q->nqd, q->n[DNS_SEC_ANSWER], q->n[DNS_SEC_AUTHORITY]);
		send_error(s, &h, DNS_R_FORMERR, src_ip, src_port);
		return;
	}
	const char *opt_err = opt_problem(q);
	if (opt_err) {
		publish(s, "FORMERR to %s:%u (%s)", ip, src_port, opt_err);
		send_error(s, &h, DNS_R_FORMERR, src_ip, src_port);
		return;
	}
	dns_msg_init_response(s->resp, q, DNS_R_NOERROR);
	uint16_t type = q->qd[0].type, class_ = q->qd[0].class_;
	if (s->mode == DNS_SERVER_SERVFAIL) {
		publish(s, "SERVFAIL QUERY %s to %s:%u (fault)", qtext, ip, src_port);
		s->resp->h.rcode = DNS_R_SERVFAIL;
	} else if (type == DNS_T_AXFR || type == 251 || type == 253 || type == 254) {
		publish(s, "NOTIMP to %s:%u (%s)", ip, src_port, qtext);
		s->resp->h.rcode = DNS_R_NOTIMP;
	} else if (class_ != DNS_CLASS_IN && class_ != DNS_CLASS_ANY) {
		s->resp->h.rcode = DNS_R_REFUSED;
	} else {
		dns_db_answer(s->db, &q->qd[0], s->resp);
	}
	send_response(s, src_ip, src_port);
}

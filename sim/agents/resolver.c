/* The stub resolver agent. See resolver.h.
 *
 * A lookup (struct rop: a plain query, MX, address or PTR lookup) owns one
 * or more wire queries (struct rquery), each with its own UDP port, id,
 * retry timer and CNAME re-query count. A wire query is unbound and freed
 * before its outcome is passed up, and a lookup is unlinked from the
 * resolver before its callback runs and freed after it, so a callback may
 * start, cancel or free anything. */
#include "sim/agents/resolver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/udp.h"

#define PORT_FIRST 1024

struct rop;

struct rquery {
	struct rquery *next; /* in its lookup */
	struct rop *op;
	int slot;              /* MX: the exchanger it finds addresses for; -1 otherwise */
	struct dns_name name;  /* asked now (a CNAME target after a re-query) */
	char asked[DNS_NAME_TEXT_MAX]; /* the name first asked, for the callback */
	uint16_t type;
	uint16_t id;
	uint16_t port;
	struct resolver_config cfg; /* as when the lookup started */
	int tries; /* sent so far for the current name */
	int chain; /* CNAME re-queries so far */
	sim_event_id timer;
};

enum op_kind { OP_QUERY, OP_MX, OP_ADDR, OP_PTR, OP_REVERSE };

struct rop {
	struct rop *next, *prev; /* in the resolver's list, while linked */
	int linked;
	struct resolver *r;
	long handle;
	enum op_kind kind;
	struct rquery *queries;
	void *ctx;
	resolver_fn query_fn;
	resolver_mx_fn mx_fn;
	resolver_addr_fn addr_fn;
	resolver_ptr_fn ptr_fn;
	resolver_reverse_fn reverse_fn;
	/* Reverse lookups: the address asked about, the PTR name found. */
	uint32_t ip;
	enum resolver_status ptr_status;
	/* MX lookups only. */
	char domain[DNS_NAME_TEXT_MAX];
	int implicit;
	int pending;
	size_t nhosts;
	struct resolver_mx_host *hosts;
};

struct resolver {
	struct sim *sim;
	struct net *net;
	struct udp *udp;
	int host;
	struct resolver_config cfg;
	struct rng ids, mx;
	struct rop *ops;
	long next_handle;
	int timer_handler;
	struct resolver_stats stats;
};

static void on_timeout(struct sim *sim, void *ctx);
static void on_reply(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
		     const uint8_t *data, size_t len);

void resolver_config_default(struct resolver_config *cfg)
{
	cfg->server_ip = 0;
	cfg->timeout = 2 * SIM_S;
	cfg->tries = 3;
}

static int config_ok(const struct resolver_config *cfg)
{
	return cfg && cfg->server_ip != 0 && cfg->tries >= 1 && cfg->timeout > 0;
}

const char *resolver_status_name(enum resolver_status st)
{
	switch (st) {
	case RESOLVER_OK: return "OK";
	case RESOLVER_NODATA: return "NODATA";
	case RESOLVER_NXDOMAIN: return "NXDOMAIN";
	case RESOLVER_SERVFAIL: return "SERVFAIL";
	case RESOLVER_REFUSED: return "REFUSED";
	case RESOLVER_TIMEOUT: return "TIMEOUT";
	case RESOLVER_LOOP: return "LOOP";
	case RESOLVER_NULL_MX: return "NULL_MX";
	case RESOLVER_ERROR: return "ERROR";
	}
	return "?";
}

int resolver_status_is_permanent(enum resolver_status st)
{
	return st == RESOLVER_NXDOMAIN || st == RESOLVER_NODATA || st == RESOLVER_NULL_MX;
}

struct resolver *resolver_new(struct sim *sim, struct net *net, struct udp *udp, int host,
			      const struct resolver_config *cfg)
{
	if (!config_ok(cfg))
		return NULL;
	struct resolver *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->sim = sim;
	r->net = net;
	r->udp = udp;
	r->host = host;
	r->cfg = *cfg;
	r->next_handle = 1;
	r->timer_handler = sim_handler(sim, on_timeout);
	char stream[300];
	snprintf(stream, sizeof stream, "dns.resolver:%s", net_host_name(net, host));
	sim_rng(sim, stream, &r->ids);
	snprintf(stream, sizeof stream, "dns.mx:%s", net_host_name(net, host));
	sim_rng(sim, stream, &r->mx);
	return r;
}

int resolver_set_config(struct resolver *r, const struct resolver_config *cfg)
{
	if (!config_ok(cfg))
		return -1;
	r->cfg = *cfg;
	return 0;
}

int resolver_host(const struct resolver *r) { return r->host; }
const struct resolver_stats *resolver_stats(const struct resolver *r) { return &r->stats; }

size_t resolver_pending(const struct resolver *r)
{
	size_t n = 0;
	for (const struct rop *op = r->ops; op; op = op->next)
		n++;
	return n;
}

static void publish(struct resolver *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void publish(struct resolver *r, const char *fmt, ...)
{
	struct obs_bus *bus = sim_bus(r->sim);
	if (!bus_wants(bus, OBS_APP))
		return;
	char text[4 * DNS_NAME_TEXT_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct obs_record rec = {.type = OBS_APP, .time = sim_now(r->sim)};
	rec.u.app.host = r->host;
	rec.u.app.kind = "dns";
	rec.u.app.text = text;
	bus_publish(bus, &rec);
}

/* ---- wire queries ---- */

static void query_text(const struct rquery *q, char *buf, size_t size)
{
	struct dns_question qq = {.name = q->name, .type = q->type, .class_ = DNS_CLASS_IN};
	if (dns_question_to_text(&qq, buf, size) < 0)
		snprintf(buf, size, "(name too long to show)");
}

static void send_try(struct rquery *q)
{
	struct resolver *r = q->op->r;
	/* header, the name uncompressed, type and class: at most 271 octets */
	uint8_t wire[DNS_HEADER_LEN + DNS_MAX_NAME + 4];
	memset(wire, 0, DNS_HEADER_LEN);
	wire[0] = (uint8_t)(q->id >> 8);
	wire[1] = (uint8_t)q->id;
	wire[2] = 1; /* RD */
	wire[5] = 1; /* one question */
	memcpy(wire + DNS_HEADER_LEN, q->name.wire, q->name.len);
	size_t len = DNS_HEADER_LEN + q->name.len;
	wire[len++] = (uint8_t)(q->type >> 8);
	wire[len++] = (uint8_t)q->type;
	wire[len++] = 0;
	wire[len++] = DNS_CLASS_IN;
	q->tries++;
	r->stats.sent++;
	char text[DNS_NAME_TEXT_MAX + 16];
	query_text(q, text, sizeof text);
	if (q->tries == 1) {
		publish(r, "QUERY %s", text);
	} else {
		r->stats.retries++;
		publish(r, "QUERY %s (try %d/%d)", text, q->tries, q->cfg.tries);
	}
	/* A failed send (memory) is a lost datagram: the timer retries it. */
	udp_send(r->udp, r->host, q->port, q->cfg.server_ip, DNS_PORT, wire, len);
	q->timer = sim_after(r->sim, q->cfg.timeout, r->timer_handler, q);
}

static uint16_t new_id(struct resolver *r) { return (uint16_t)rng_below(&r->ids, 65536); }

/* Starts a wire query for (name, type) in op. 0 or DNS_E_NOMEM. */
static int rquery_start(struct rop *op, int slot, const struct dns_name *name, uint16_t type)
{
	struct resolver *r = op->r;
	struct rquery *q = calloc(1, sizeof *q);
	if (!q)
		return DNS_E_NOMEM;
	q->op = op;
	q->slot = slot;
	q->cfg = r->cfg;
	q->name = *name;
	q->type = type;
	if (dns_name_to_text(name, q->asked, sizeof q->asked) < 0)
		q->asked[0] = 0;
	int port = -1;
	for (int i = 0; i < 16 && port < 0; i++) {
		uint16_t cand = (uint16_t)(PORT_FIRST + rng_below(&r->ids, 65536 - PORT_FIRST));
		port = udp_bind(r->udp, r->host, cand, on_reply, q);
	}
	if (port < 0)
		port = udp_bind(r->udp, r->host, 0, on_reply, q);
	if (port < 0) {
		free(q);
		return DNS_E_NOMEM;
	}
	q->port = (uint16_t)port;
	q->id = new_id(r);
	q->next = op->queries;
	op->queries = q;
	r->stats.queries++;
	send_try(q);
	return 0;
}

/* Unlinks, stops and frees q. */
static void rquery_drop(struct rquery *q)
{
	struct rop *op = q->op;
	for (struct rquery **pp = &op->queries; *pp; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	if (q->timer)
		sim_cancel(op->r->sim, q->timer);
	udp_unbind(op->r->udp, op->r->host, q->port);
	free(q);
}

/* ---- lookups ---- */

static struct rop *op_new(struct resolver *r, enum op_kind kind, void *ctx)
{
	struct rop *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->r = r;
	op->kind = kind;
	op->ctx = ctx;
	op->handle = r->next_handle++;
	return op;
}

static void op_free(struct rop *op)
{
	while (op->queries)
		rquery_drop(op->queries);
	free(op->hosts);
	free(op);
}

static void op_link(struct rop *op)
{
	op->prev = NULL;
	op->next = op->r->ops;
	if (op->next)
		op->next->prev = op;
	op->r->ops = op;
	op->linked = 1;
}

static void op_unlink(struct rop *op)
{
	if (!op->linked)
		return;
	if (op->prev)
		op->prev->next = op->next;
	else
		op->r->ops = op->next;
	if (op->next)
		op->next->prev = op->prev;
	op->next = op->prev = NULL;
	op->linked = 0;
}

static void mx_finish(struct rop *op, enum resolver_status st);

static void mx_host_done(struct rop *op, int slot, const struct resolver_answer *a)
{
	struct resolver_mx_host *h = &op->hosts[slot];
	h->status = a->status;
	for (size_t i = 0; i < a->count && h->naddrs < RESOLVER_ADDR_MAX; i++)
		if (a->records[i].type == DNS_T_A)
			h->addrs[h->naddrs++] = a->records[i].d.a;
	if (--op->pending == 0)
		mx_finish(op, RESOLVER_OK);
}

/* Orders the exchangers by preference, shuffling each run of equal
 * preferences (Fisher-Yates) with the host's MX stream. */
static void mx_order(struct rop *op)
{
	struct resolver_mx_host *h = op->hosts, tmp;
	for (size_t i = 1; i < op->nhosts; i++) {
		for (size_t k = i; k > 0 && h[k - 1].preference > h[k].preference; k--) {
			tmp = h[k];
			h[k] = h[k - 1];
			h[k - 1] = tmp;
		}
	}
	for (size_t start = 0; start < op->nhosts;) {
		size_t end = start + 1;
		while (end < op->nhosts && h[end].preference == h[start].preference)
			end++;
		for (size_t i = end - 1; i > start; i--) {
			size_t j = start + (size_t)rng_below(&op->r->mx, i - start + 1);
			tmp = h[i];
			h[i] = h[j];
			h[j] = tmp;
		}
		start = end;
	}
}

static void mx_lookup_addresses(struct rop *op, const struct resolver_answer *a)
{
	for (size_t i = 0; i < op->nhosts; i++) {
		struct resolver_mx_host *h = &op->hosts[i];
		struct dns_name n;
		if (dns_name_from_text(h->name, &n) < 0) {
			h->status = RESOLVER_ERROR;
			continue;
		}
		/* Addresses the server sent along in the additional section. */
		size_t count = 0;
		const struct dns_rr *add =
		    a && a->msg ? dns_msg_section(a->msg, DNS_SEC_ADDITIONAL, &count) : NULL;
		for (size_t k = 0; k < count && h->naddrs < RESOLVER_ADDR_MAX; k++)
			if (add[k].type == DNS_T_A && dns_name_equal(&add[k].name, &n))
				h->addrs[h->naddrs++] = add[k].d.a;
		if (h->naddrs) {
			h->status = RESOLVER_OK;
			continue;
		}
		if (rquery_start(op, (int)i, &n, DNS_T_A) < 0)
			h->status = RESOLVER_ERROR;
		else
			op->pending++;
	}
	if (op->pending == 0)
		mx_finish(op, RESOLVER_OK);
}

/* Room for n exchangers (at most RESOLVER_MX_MAX), allocated once the
 * answer says how many: lookups in flight stay small. */
static int mx_alloc(struct rop *op, size_t n)
{
	n = n == 0 ? 1 : n > RESOLVER_MX_MAX ? RESOLVER_MX_MAX : n;
	op->hosts = malloc(n * sizeof *op->hosts);
	return op->hosts ? 0 : -1;
}

static void mx_main_done(struct rop *op, const struct resolver_answer *a)
{
	if ((a->status == RESOLVER_NODATA || a->status == RESOLVER_OK) && mx_alloc(op, a->count) < 0) {
		mx_finish(op, RESOLVER_ERROR);
		return;
	}
	if (a->status == RESOLVER_NODATA) {
		/* RFC 5321 5.1: no MX records, so the domain itself is the
		 * exchanger, with preference 0. */
		op->implicit = 1;
		op->nhosts = 1;
		snprintf(op->hosts[0].name, sizeof op->hosts[0].name, "%s", op->domain);
		op->hosts[0].preference = 0;
		op->hosts[0].status = RESOLVER_ERROR;
		op->hosts[0].naddrs = 0;
		mx_lookup_addresses(op, NULL);
		return;
	}
	if (a->status != RESOLVER_OK) {
		mx_finish(op, a->status);
		return;
	}
	size_t nmx = 0, nroot = 0;
	for (size_t i = 0; i < a->count; i++) {
		if (a->records[i].type != DNS_T_MX)
			continue;
		nmx++;
		if (a->records[i].d.mx.exchange.len == 1) {
			nroot++;
			continue; /* "." is no host */
		}
		if (op->nhosts == RESOLVER_MX_MAX)
			continue;
		struct resolver_mx_host *h = &op->hosts[op->nhosts];
		if (dns_name_to_text(&a->records[i].d.mx.exchange, h->name, sizeof h->name) < 0)
			continue;
		h->preference = a->records[i].d.mx.preference;
		h->status = RESOLVER_ERROR;
		h->naddrs = 0;
		op->nhosts++;
	}
	if (nroot && nroot == nmx) {
		mx_finish(op, RESOLVER_NULL_MX);
		return;
	}
	mx_order(op);
	mx_lookup_addresses(op, a);
}

static void mx_finish(struct rop *op, enum resolver_status st)
{
	struct resolver *r = op->r;
	if (st == RESOLVER_OK) {
		st = RESOLVER_NODATA;
		enum resolver_status temp = RESOLVER_OK, perm = RESOLVER_OK;
		for (size_t i = 0; i < op->nhosts; i++) {
			const struct resolver_mx_host *h = &op->hosts[i];
			if (h->naddrs) {
				st = RESOLVER_OK;
				break;
			}
			if (!resolver_status_is_permanent(h->status) && temp == RESOLVER_OK)
				temp = h->status;
			if (resolver_status_is_permanent(h->status) && perm == RESOLVER_OK)
				perm = h->status;
		}
		if (st != RESOLVER_OK)
			st = temp != RESOLVER_OK ? temp : perm != RESOLVER_OK ? perm : RESOLVER_NODATA;
	}
	if (bus_wants(sim_bus(r->sim), OBS_APP)) {
		char text[4 * DNS_NAME_TEXT_MAX];
		size_t len = 0;
		if (st != RESOLVER_OK) {
			snprintf(text, sizeof text, "%s", resolver_status_name(st));
			len = strlen(text);
		}
		for (size_t i = 0; st == RESOLVER_OK && i < op->nhosts && len < sizeof text - 1; i++) {
			const struct resolver_mx_host *h = &op->hosts[i];
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%u %s", i ? ", " : "",
						op->implicit ? "implicit " : "", h->preference, h->name);
			if (!h->naddrs && len < sizeof text - 1)
				len += (size_t)snprintf(text + len, sizeof text - len, " %s",
							resolver_status_name(h->status));
			for (size_t k = 0; k < h->naddrs && len < sizeof text - 1; k++) {
				char ip[16];
				len += (size_t)snprintf(text + len, sizeof text - len, " %s",
							dns_ipv4_format(h->addrs[k], ip));
			}
		}
		publish(r, "MX %s: %s", op->domain, text);
	}
	static const struct resolver_mx_host none; /* hosts is never NULL */
	struct resolver_mx_result res = {
	    .status = st,
	    .domain = op->domain,
	    .implicit = op->implicit,
	    .count = st == RESOLVER_OK ? op->nhosts : 0,
	    .hosts = op->hosts ? op->hosts : &none,
	};
	op_unlink(op);
	op->mx_fn(op->ctx, &res);
	op_free(op);
}

/* A reverse lookup: first the PTR record, then the A records of the name
 * found, which must include the address for the name to be confirmed. */
static void reverse_done(struct rop *op, int slot, const struct resolver_answer *a)
{
	int confirmed = -1;
	if (slot < 0) {
		op->ptr_status = a->status;
		struct dns_name target;
		if (a->status == RESOLVER_OK && a->count &&
		    dns_name_to_text(&a->records[0].d.target, op->domain, sizeof op->domain) >= 0) {
			target = a->records[0].d.target;
			if (rquery_start(op, 0, &target, DNS_T_A) == 0)
				return;
		} else if (a->status == RESOLVER_OK) {
			op->ptr_status = RESOLVER_ERROR;
		}
	} else {
		confirmed = a->status == RESOLVER_OK ? 0 : resolver_status_is_permanent(a->status) ? 0 : -1;
		for (size_t i = 0; i < a->count; i++)
			if (a->records[i].type == DNS_T_A && a->records[i].d.a == op->ip)
				confirmed = 1;
	}
	op_unlink(op);
	op->reverse_fn(op->ctx, op->ptr_status, op->ptr_status == RESOLVER_OK ? op->domain : NULL, confirmed);
	op_free(op);
}

/* Passes the outcome of one wire query (already dropped) to its lookup. */
static void dispatch(struct rop *op, int slot, const struct resolver_answer *a)
{
	if (op->kind == OP_REVERSE) {
		reverse_done(op, slot, a);
		return;
	}
	if (op->kind == OP_MX) {
		if (slot < 0)
			mx_main_done(op, a);
		else
			mx_host_done(op, slot, a);
		return;
	}
	op_unlink(op);
	if (op->kind == OP_QUERY) {
		op->query_fn(op->ctx, a);
	} else if (op->kind == OP_ADDR) {
		uint32_t addrs[RESOLVER_ADDR_MAX];
		size_t n = 0;
		for (size_t i = 0; i < a->count && n < RESOLVER_ADDR_MAX; i++)
			if (a->records[i].type == DNS_T_A)
				addrs[n++] = a->records[i].d.a;
		op->addr_fn(op->ctx, a->status, addrs, n);
	} else {
		char name[DNS_NAME_TEXT_MAX];
		const char *found = NULL;
		if (a->status == RESOLVER_OK && a->count &&
		    dns_name_to_text(&a->records[0].d.target, name, sizeof name) >= 0)
			found = name;
		enum resolver_status st = a->status;
		if (st == RESOLVER_OK && !found)
			st = RESOLVER_ERROR; /* a target too long to show as text */
		op->ptr_fn(op->ctx, st, found);
	}
	op_free(op);
}

static void complete(struct rquery *q, struct resolver_answer *a)
{
	struct rop *op = q->op;
	int slot = q->slot;
	char asked[DNS_NAME_TEXT_MAX];
	memcpy(asked, q->asked, sizeof asked);
	a->name = asked;
	a->type = q->type;
	rquery_drop(q);
	dispatch(op, slot, a);
}

static void on_timeout(struct sim *sim, void *ctx)
{
	(void)sim;
	struct rquery *q = ctx;
	struct resolver *r = q->op->r;
	q->timer = 0;
	if (q->tries < q->cfg.tries) {
		send_try(q);
		return;
	}
	char text[DNS_NAME_TEXT_MAX + 16];
	query_text(q, text, sizeof text);
	publish(r, "TIMEOUT %s after %d tries", text, q->tries);
	r->stats.timeouts++;
	struct resolver_answer a = {.status = RESOLVER_TIMEOUT};
	complete(q, &a);
}

static void publish_reply(struct resolver *r, const struct dns_msg *m)
{
	if (!bus_wants(sim_bus(r->sim), OBS_APP))
		return;
	char rb[16], q[DNS_NAME_TEXT_MAX + 16], line[4 * DNS_NAME_TEXT_MAX];
	if (m->nqd == 0 || dns_question_to_text(&m->qd[0], q, sizeof q) < 0)
		snprintf(q, sizeof q, "(no question)");
	publish(r, "REPLY %s %s%s", dns_rcode_name(m->h.rcode, rb), q, m->h.tc ? " tc" : "");
	static const char *const sec[] = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
	size_t idx = 0;
	for (int s = 0; s < DNS_SEC_COUNT; s++) {
		for (size_t i = 0; i < m->n[s]; i++, idx++) {
			dns_rr_to_text(&m->rr[idx], line, sizeof line);
			publish(r, "%s %s", sec[s], line);
		}
	}
}

/* Interprets an accepted NOERROR reply: the records of the asked type at
 * the end of the CNAME chain. Sets *requery_r to the name to ask next when
 * the chain leaves the server's data. */
static enum resolver_status follow_chain(const struct rquery *q, const struct dns_msg *m, struct dns_rr *out,
					 size_t *count_r, struct dns_name *requery_r, int *requery)
{
	struct dns_name cur = q->name;
	size_t n;
	const struct dns_rr *an = dns_msg_section(m, DNS_SEC_ANSWER, &n);
	int followed = 0;
	*count_r = 0;
	*requery = 0;
	for (int hops = 0; hops <= RESOLVER_MAX_CHAIN; hops++) {
		for (size_t i = 0; i < n; i++)
			if (dns_name_equal(&an[i].name, &cur) && (an[i].type == q->type || q->type == DNS_T_ANY))
				out[(*count_r)++] = an[i];
		if (*count_r)
			return RESOLVER_OK;
		const struct dns_rr *cname = NULL;
		for (size_t i = 0; i < n && !cname; i++)
			if (an[i].type == DNS_T_CNAME && dns_name_equal(&an[i].name, &cur))
				cname = &an[i];
		if (!cname)
			break;
		cur = cname->d.target;
		followed = 1;
	}
	if (followed) {
		size_t ns;
		const struct dns_rr *auth = dns_msg_section(m, DNS_SEC_AUTHORITY, &ns);
		int soa = 0;
		for (size_t i = 0; i < ns; i++)
			soa |= auth[i].type == DNS_T_SOA;
		if (!soa) {
			/* The server gave the chain but no verdict on its end. */
			*requery_r = cur;
			*requery = 1;
			return RESOLVER_OK;
		}
	}
	return RESOLVER_NODATA;
}

static void on_reply(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
		     const uint8_t *data, size_t len)
{
	(void)host;
	(void)dst_port;
	struct rquery *q = ctx;
	struct resolver *r = q->op->r;
	char from[24], ip[16];
	snprintf(from, sizeof from, "%s:%u", dns_ipv4_format(src_ip, ip), src_port);
	const char *why = NULL;
	char whybuf[120];
	struct dns_header h;
	struct dns_msg *m = NULL;
	int rc;
	if (src_ip != q->cfg.server_ip || src_port != DNS_PORT) {
		why = "not from the server";
	} else if ((rc = dns_parse_header(data, len, &h)) < 0) {
		snprintf(whybuf, sizeof whybuf, "malformed: %s", dns_strerror(rc));
		why = whybuf;
	} else if (!h.qr) {
		why = "not a response";
	} else if (h.id != q->id) {
		snprintf(whybuf, sizeof whybuf, "wrong id %u", h.id);
		why = whybuf;
	} else if (!(m = dns_msg_new())) {
		why = "out of memory";
	} else if ((rc = dns_parse(data, len, m)) < 0) {
		snprintf(whybuf, sizeof whybuf, "malformed: %s", dns_strerror(rc));
		why = whybuf;
	} else if (m->nqd == 0 ? m->h.rcode == DNS_R_NOERROR
			       : (m->nqd != 1 || !dns_name_equal(&m->qd[0].name, &q->name) ||
				  m->qd[0].type != q->type || m->qd[0].class_ != DNS_CLASS_IN)) {
		why = "wrong question";
	}
	if (why) {
		r->stats.ignored++;
		publish(r, "IGNORED reply from %s (%s)", from, why);
		dns_msg_free(&m);
		return;
	}
	r->stats.answers++;
	publish_reply(r, m);
	if (q->timer) {
		sim_cancel(r->sim, q->timer);
		q->timer = 0;
	}
	struct dns_rr *records = NULL;
	struct resolver_answer a = {.rcode = m->h.rcode, .truncated = m->h.tc, .msg = m};
	switch (m->h.rcode) {
	case DNS_R_NOERROR: {
		records = malloc((m->n[DNS_SEC_ANSWER] ? m->n[DNS_SEC_ANSWER] : 1) * sizeof *records);
		if (!records) {
			a.status = RESOLVER_ERROR;
			break;
		}
		struct dns_name next;
		int requery = 0;
		a.status = follow_chain(q, m, records, &a.count, &next, &requery);
		if (requery) {
			if (q->chain >= RESOLVER_MAX_CHAIN) {
				a.status = RESOLVER_LOOP;
				a.count = 0;
				break;
			}
			q->chain++;
			q->name = next;
			q->tries = 0;
			q->id = new_id(r);
			r->stats.queries++;
			free(records);
			dns_msg_free(&m);
			send_try(q);
			return;
		}
		/* A truncated reply with nothing usable says nothing about the
		 * name, and there is no DNS over TCP to ask again: temporary. */
		if (a.status == RESOLVER_NODATA && m->h.tc)
			a.status = RESOLVER_ERROR;
		break;
	}
	case DNS_R_NXDOMAIN: a.status = RESOLVER_NXDOMAIN; break;
	case DNS_R_SERVFAIL: a.status = RESOLVER_SERVFAIL; break;
	default: a.status = RESOLVER_REFUSED;
	}
	a.records = records;
	complete(q, &a); /* q and perhaps r are gone after this */
	free(records);
	dns_msg_free(&m);
}

/* ---- public lookups ---- */

static long start(struct rop *op, const struct dns_name *name, uint16_t type)
{
	int rc = rquery_start(op, -1, name, type);
	if (rc < 0) {
		op_free(op);
		return rc;
	}
	op_link(op);
	return op->handle;
}

long resolver_query(struct resolver *r, const char *name, uint16_t type, resolver_fn fn, void *ctx)
{
	struct dns_name n;
	int rc = dns_name_from_text(name, &n);
	if (rc < 0)
		return rc;
	struct rop *op = op_new(r, OP_QUERY, ctx);
	if (!op)
		return DNS_E_NOMEM;
	op->query_fn = fn;
	return start(op, &n, type);
}

long resolver_addr(struct resolver *r, const char *name, resolver_addr_fn fn, void *ctx)
{
	struct dns_name n;
	int rc = dns_name_from_text(name, &n);
	if (rc < 0)
		return rc;
	struct rop *op = op_new(r, OP_ADDR, ctx);
	if (!op)
		return DNS_E_NOMEM;
	op->addr_fn = fn;
	return start(op, &n, DNS_T_A);
}

long resolver_ptr(struct resolver *r, uint32_t ip, resolver_ptr_fn fn, void *ctx)
{
	struct dns_name n;
	dns_name_reverse_ipv4(ip, &n);
	struct rop *op = op_new(r, OP_PTR, ctx);
	if (!op)
		return DNS_E_NOMEM;
	op->ptr_fn = fn;
	return start(op, &n, DNS_T_PTR);
}

long resolver_reverse(struct resolver *r, uint32_t ip, resolver_reverse_fn fn, void *ctx)
{
	struct dns_name n;
	dns_name_reverse_ipv4(ip, &n);
	struct rop *op = op_new(r, OP_REVERSE, ctx);
	if (!op)
		return DNS_E_NOMEM;
	op->reverse_fn = fn;
	op->ip = ip;
	return start(op, &n, DNS_T_PTR);
}

long resolver_mx(struct resolver *r, const char *domain, resolver_mx_fn fn, void *ctx)
{
	struct dns_name n;
	int rc = dns_name_from_text(domain, &n);
	if (rc < 0)
		return rc;
	struct rop *op = op_new(r, OP_MX, ctx);
	if (!op)
		return DNS_E_NOMEM;
	op->mx_fn = fn;
	dns_name_to_text(&n, op->domain, sizeof op->domain);
	return start(op, &n, DNS_T_MX);
}

int resolver_cancel(struct resolver *r, long handle)
{
	for (struct rop *op = r->ops; op; op = op->next) {
		if (op->handle == handle) {
			op_unlink(op);
			op_free(op);
			return 1;
		}
	}
	return 0;
}

void resolver_free(struct resolver **rp)
{
	if (!rp || !*rp)
		return;
	struct resolver *r = *rp;
	while (r->ops) {
		struct rop *op = r->ops;
		op_unlink(op);
		op_free(op);
	}
	free(r);
	*rp = NULL;
}

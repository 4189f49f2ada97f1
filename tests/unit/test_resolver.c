/* The DNS server and stub resolver agents over a simulated network:
 * MX ordering (seeded shuffle of equal preferences), the implicit MX
 * fallback to A, null MX, NXDOMAIN vs NODATA vs SERVFAIL vs TIMEOUT,
 * retries over a down link, a silent server and a lossy link, forged and
 * mismatched replies ignored, CNAME chasing and re-queries, PTR lookups,
 * the server's FORMERR/NOTIMP/REFUSED/TC answers to odd queries,
 * cancellation and freeing in callbacks, and the transcript lines.
 *
 * The world: client 10.0.0.1, dns 10.0.0.53 and other 10.0.0.66, each one
 * 1 ms link from a router. */
#include <stdlib.h>

#include "harness.h"
#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/resolver.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/udp.h"

#define CLIENT_IP 0x0a000001u
#define DNS_IP 0x0a000035u
#define OTHER_IP 0x0a000042u

struct world {
	struct sim *sim;
	struct net *net;
	struct udp *udp;
	int client, dns, other, router;
	int l_client, l_dns, l_other;
	struct dns_server *srv;
	struct resolver *res;
};

static struct link_params lp(double loss)
{
	struct link_params p = link_params_default();
	p.latency = SIM_MS;
	p.bandwidth_bps = 0; /* no serialisation delay: round trips of exactly 4 ms */
	p.loss = loss;
	return p;
}

static void load_zones(struct dns_db *db)
{
	static const char *const zones[] = {"dominio.de.maria", "nomx.example", "nomail.example", "nullmx.example",
					    "single.example"};
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		dns_db_add_zone(db, zones[i], 3600, NULL);
	static const char *const rows[][3] = {
	    {"dominio.de.maria", "MX", "10 mx1.dominio.de.maria"},
	    {"dominio.de.maria", "MX", "10 mx2.dominio.de.maria"},
	    {"dominio.de.maria", "MX", "10 mx3.dominio.de.maria"},
	    {"dominio.de.maria", "MX", "20 alias.dominio.de.maria"},
	    {"dominio.de.maria", "MX", "5 noaddr.dominio.de.maria"},
	    {"mx1.dominio.de.maria", "A", "10.0.3.1"},
	    {"mx2.dominio.de.maria", "A", "10.0.3.2"},
	    {"mx2.dominio.de.maria", "A", "10.0.4.2"},
	    {"mx3.dominio.de.maria", "A", "10.0.3.3"},
	    {"alias.dominio.de.maria", "CNAME", "mx1.dominio.de.maria"},
	    {"www.dominio.de.maria", "CNAME", "alias.dominio.de.maria"},
	    {"outside.dominio.de.maria", "CNAME", "smtp.gmail.com"},
	    {"nomx.example", "A", "10.0.5.5"},
	    {"nomail.example", "NS", "ns.nomail.example"},
	    {"nullmx.example", "MX", "0 ."},
	    {"single.example", "MX", "10 mail.single.example"},
	    {"mail.single.example", "A", "10.0.6.6"},
	};
	char err[200];
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (dns_db_add_text(db, rows[i][0], 3600, rows[i][1], rows[i][2], err, sizeof err) < 0)
			fprintf(stderr, "zone: %s\n", err);
	dns_db_add_reverse(db, 0x0a000301u, "mx1.dominio.de.maria", 3600);
	dns_db_add_reverse(db, OTHER_IP, "mx2.dominio.de.maria", 3600);  /* a lie */
	dns_db_add_reverse(db, 0x0a000063u, "ghost.dominio.de.maria", 3600); /* no such name */
	for (int i = 0; i < 40; i++) {
		char ip[20];
		snprintf(ip, sizeof ip, "10.1.0.%d", i + 1);
		dns_db_add_text(db, "many.single.example", 60, "A", ip, NULL, 0);
	}
}

static void world_init(struct world *w, uint64_t seed, double dns_loss, int tries)
{
	memset(w, 0, sizeof *w);
	w->sim = sim_new(seed);
	w->net = net_new(w->sim);
	w->client = net_add_host(w->net, "client");
	w->dns = net_add_host(w->net, "dns");
	w->other = net_add_host(w->net, "other");
	w->router = net_add_host(w->net, "router");
	net_add_iface(w->net, w->client, CLIENT_IP);
	net_add_iface(w->net, w->dns, DNS_IP);
	net_add_iface(w->net, w->other, OTHER_IP);
	for (uint32_t i = 0; i < 3; i++)
		net_add_iface(w->net, w->router, 0x0a000101u + i);
	struct link_params p = lp(0);
	struct link_params pd = lp(dns_loss);
	w->l_client = net_add_link(w->net, w->client, 0, w->router, 0, &p);
	w->l_dns = net_add_link(w->net, w->dns, 0, w->router, 1, &pd);
	w->l_other = net_add_link(w->net, w->other, 0, w->router, 2, &p);
	char err[128];
	if (net_finalize(w->net, err, sizeof err) != 0)
		fprintf(stderr, "finalize: %s\n", err);
	w->udp = udp_new(w->net);
	w->srv = dns_server_new(w->sim, w->udp, w->dns);
	if (w->srv)
		load_zones(dns_server_db(w->srv));
	struct resolver_config cfg;
	resolver_config_default(&cfg);
	cfg.server_ip = DNS_IP;
	if (tries)
		cfg.tries = tries;
	w->res = resolver_new(w->sim, w->net, w->udp, w->client, &cfg);
}

static void world_free(struct world *w)
{
	resolver_free(&w->res);
	dns_server_free(&w->srv);
	udp_free(&w->udp);
	net_free(&w->net);
	sim_free(&w->sim);
	packet_pool_drain();
}

/* ---- collecting outcomes ---- */

struct mx_out {
	int calls;
	enum resolver_status status;
	int implicit;
	size_t count;
	struct resolver_mx_host hosts[RESOLVER_MX_MAX];
	sim_time at;
	struct sim *sim;
};

static void on_mx(void *ctx, const struct resolver_mx_result *res)
{
	struct mx_out *o = ctx;
	o->calls++;
	o->status = res->status;
	o->implicit = res->implicit;
	o->count = res->count;
	memcpy(o->hosts, res->hosts, res->count * sizeof res->hosts[0]);
	if (o->sim)
		o->at = sim_now(o->sim);
}

struct q_out {
	int calls;
	enum resolver_status status;
	uint8_t rcode;
	size_t count;
	char first[600];
	char name[300];
	sim_time at;
	struct sim *sim;
	uint32_t addrs[RESOLVER_ADDR_MAX];
	size_t naddrs;
};

static void on_query(void *ctx, const struct resolver_answer *a)
{
	struct q_out *o = ctx;
	o->calls++;
	o->status = a->status;
	o->rcode = a->rcode;
	o->count = a->count;
	snprintf(o->name, sizeof o->name, "%s", a->name);
	o->first[0] = 0;
	if (a->count)
		dns_rr_to_text(&a->records[0], o->first, sizeof o->first);
	if (o->sim)
		o->at = sim_now(o->sim);
}

static void on_addr(void *ctx, enum resolver_status st, const uint32_t *addrs, size_t n)
{
	struct q_out *o = ctx;
	o->calls++;
	o->status = st;
	o->naddrs = n;
	memcpy(o->addrs, addrs, n * sizeof *addrs);
}

static void on_ptr(void *ctx, enum resolver_status st, const char *name)
{
	struct q_out *o = ctx;
	o->calls++;
	o->status = st;
	snprintf(o->name, sizeof o->name, "%s", name ? name : "(null)");
}

/* The order of exchanger names as one string. */
static void mx_order_text(const struct mx_out *o, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = 0;
	for (size_t i = 0; i < o->count; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%u %s", i ? ", " : "", o->hosts[i].preference,
					o->hosts[i].name);
}

static void mx_run(uint64_t seed, char *order, size_t size)
{
	struct world w;
	world_init(&w, seed, 0, 0);
	struct mx_out o = {.calls = 0};
	CHECK(resolver_mx(w.res, "dominio.de.maria", on_mx, &o) > 0);
	sim_run(w.sim);
	CHECK_EQ_INT(o.calls, 1);
	mx_order_text(&o, order, size);
	world_free(&w);
}

static void test_mx_order(void)
{
	struct world w;
	world_init(&w, 1, 0, 0);
	REQUIRE(w.srv && w.res);
	struct mx_out o = {.sim = w.sim};
	CHECK(resolver_mx(w.res, "Dominio.De.Maria", on_mx, &o) > 0);
	CHECK_EQ_INT(o.calls, 0); /* never called back from inside the call */
	sim_run(w.sim);
	CHECK_EQ_INT(o.calls, 1);
	CHECK_EQ_INT(o.status, RESOLVER_OK);
	CHECK_EQ_INT(o.implicit, 0);
	REQUIRE(o.count == 5);
	/* noaddr first (preference 5, no address), three of 10, then 20. */
	CHECK_STR(o.hosts[0].name, "noaddr.dominio.de.maria");
	CHECK_EQ_INT(o.hosts[0].naddrs, 0);
	CHECK_EQ_INT(o.hosts[0].status, RESOLVER_NXDOMAIN);
	for (int i = 1; i <= 3; i++) {
		CHECK_EQ_INT(o.hosts[i].preference, 10);
		const char *n = o.hosts[i].name;
		if (strcmp(n, "mx2.dominio.de.maria") == 0)
			CHECK(o.hosts[i].naddrs == 2 && o.hosts[i].addrs[0] == 0x0a000302u &&
			      o.hosts[i].addrs[1] == 0x0a000402u);
		else
			CHECK(o.hosts[i].naddrs == 1 && o.hosts[i].addrs[0] == 0x0a000300u + (uint32_t)(n[2] - '0'));
		CHECK_EQ_INT(o.hosts[i].status, RESOLVER_OK);
	}
	CHECK(strcmp(o.hosts[1].name, o.hosts[2].name) && strcmp(o.hosts[2].name, o.hosts[3].name) &&
	      strcmp(o.hosts[1].name, o.hosts[3].name));
	/* The CNAME exchanger was resolved by asking (no additional data). */
	CHECK_STR(o.hosts[4].name, "alias.dominio.de.maria");
	CHECK_EQ_INT(o.hosts[4].naddrs, 1);
	CHECK(o.hosts[4].addrs[0] == 0x0a000301u);
	/* MX query, then A for noaddr and alias in parallel: two round trips of 4 ms. */
	CHECK_EQ_INT(o.at, 8 * SIM_MS);
	CHECK_EQ_INT(resolver_stats(w.res)->queries, 3);
	CHECK_EQ_INT(resolver_pending(w.res), 0);
	world_free(&w);

	/* Same seed, same order; over several seeds, more than one order. */
	char a[2000], b[2000];
	mx_run(7, a, sizeof a);
	mx_run(7, b, sizeof b);
	CHECK_STR(a, b);
	int distinct = 0;
	char seen[6][2000];
	for (uint64_t seed = 1; seed <= 30; seed++) {
		mx_run(seed, a, sizeof a);
		int known = 0;
		for (int i = 0; i < distinct; i++)
			known |= strcmp(seen[i], a) == 0;
		if (!known && distinct < 6)
			snprintf(seen[distinct++], sizeof seen[0], "%s", a);
		CHECK(strncmp(a, "5 noaddr.dominio.de.maria, 10 mx", 32) == 0);
		CHECK(strstr(a, ", 20 alias.dominio.de.maria") != NULL);
	}
	CHECK(distinct >= 4); /* 6 possible orders of the three */
}

static void test_mx_fallback_and_null(void)
{
	struct world w;
	world_init(&w, 2, 0, 0);
	struct mx_out o1 = {0}, o2 = {0}, o3 = {0}, o4 = {0};
	resolver_mx(w.res, "nomx.example", on_mx, &o1);
	resolver_mx(w.res, "nomail.example", on_mx, &o2);
	resolver_mx(w.res, "nullmx.example", on_mx, &o3);
	resolver_mx(w.res, "single.example", on_mx, &o4);
	CHECK_EQ_INT(resolver_pending(w.res), 4);
	sim_run(w.sim);
	CHECK_EQ_INT(o1.calls, 1);
	CHECK_EQ_INT(o1.status, RESOLVER_OK);
	CHECK_EQ_INT(o1.implicit, 1);
	REQUIRE(o1.count == 1);
	CHECK_STR(o1.hosts[0].name, "nomx.example");
	CHECK_EQ_INT(o1.hosts[0].preference, 0);
	CHECK(o1.hosts[0].naddrs == 1 && o1.hosts[0].addrs[0] == 0x0a000505u);
	/* No MX and no A: permanent. */
	CHECK_EQ_INT(o2.status, RESOLVER_NODATA);
	CHECK(resolver_status_is_permanent(o2.status));
	CHECK_EQ_INT(o2.count, 0);
	CHECK_EQ_INT(o3.status, RESOLVER_NULL_MX);
	CHECK(resolver_status_is_permanent(o3.status));
	CHECK_EQ_INT(o4.status, RESOLVER_OK);
	CHECK(o4.count == 1 && o4.hosts[0].addrs[0] == 0x0a000606u && !o4.implicit);
	world_free(&w);
}

static void test_nxdomain_nodata(void)
{
	struct world w;
	world_init(&w, 3, 0, 0);
	struct mx_out mx = {0};
	struct q_out a = {0}, b = {0}, c = {0};
	resolver_mx(w.res, "nobody.dominio.de.maria", on_mx, &mx);
	resolver_query(w.res, "nobody.dominio.de.maria", DNS_T_A, on_query, &a);
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_MX, on_query, &b);
	resolver_query(w.res, "example.org", DNS_T_A, on_query, &c);
	sim_run(w.sim);
	CHECK_EQ_INT(mx.status, RESOLVER_NXDOMAIN);
	CHECK(resolver_status_is_permanent(mx.status));
	CHECK_EQ_INT(a.status, RESOLVER_NXDOMAIN);
	CHECK_EQ_INT(a.rcode, DNS_R_NXDOMAIN);
	CHECK_STR(a.name, "nobody.dominio.de.maria");
	CHECK_EQ_INT(b.status, RESOLVER_NODATA);
	CHECK_EQ_INT(b.rcode, DNS_R_NOERROR);
	CHECK_EQ_INT(c.status, RESOLVER_REFUSED); /* not this server's zone */
	CHECK(!resolver_status_is_permanent(c.status));
	CHECK_EQ_INT(resolver_query(w.res, "bad..name", DNS_T_A, on_query, &a), DNS_E_TEXT);
	CHECK_EQ_INT(resolver_mx(w.res, "bad..name", on_mx, &mx), DNS_E_TEXT);
	CHECK_EQ_INT(resolver_addr(w.res, "bad..name", on_addr, &a), DNS_E_TEXT);
	world_free(&w);
}

static void test_servfail(void)
{
	struct world w;
	world_init(&w, 4, 0, 0);
	dns_server_set_mode(w.srv, DNS_SERVER_SERVFAIL);
	CHECK_STR(dns_server_mode_name(dns_server_mode(w.srv)), "servfail");
	struct mx_out o = {0};
	resolver_mx(w.res, "dominio.de.maria", on_mx, &o);
	sim_run(w.sim);
	CHECK_EQ_INT(o.status, RESOLVER_SERVFAIL);
	CHECK(!resolver_status_is_permanent(o.status));
	CHECK_EQ_INT(resolver_stats(w.res)->sent, 1); /* an answer, so no retry */
	CHECK_EQ_INT(dns_server_stats(w.srv)->by_rcode[DNS_R_SERVFAIL], 1);
	dns_server_set_mode(w.srv, DNS_SERVER_NORMAL);
	struct mx_out o2 = {0};
	resolver_mx(w.res, "dominio.de.maria", on_mx, &o2);
	sim_run(w.sim);
	CHECK_EQ_INT(o2.status, RESOLVER_OK);
	world_free(&w);
}

static void test_timeout_link_down(void)
{
	struct world w;
	world_init(&w, 5, 0, 0);
	net_link_set_up(w.net, w.l_dns, 0);
	struct q_out o = {.sim = w.sim};
	struct mx_out mx = {.sim = w.sim};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	resolver_mx(w.res, "dominio.de.maria", on_mx, &mx);
	sim_run(w.sim);
	CHECK_EQ_INT(o.calls, 1);
	CHECK_EQ_INT(o.status, RESOLVER_TIMEOUT);
	CHECK(!resolver_status_is_permanent(o.status));
	CHECK_EQ_INT(o.at, 6 * SIM_S); /* 3 tries of 2 s */
	CHECK_EQ_INT(mx.status, RESOLVER_TIMEOUT);
	CHECK_EQ_INT(resolver_stats(w.res)->sent, 6);
	CHECK_EQ_INT(resolver_stats(w.res)->retries, 4);
	CHECK_EQ_INT(resolver_stats(w.res)->timeouts, 2);
	CHECK_EQ_INT(dns_server_stats(w.srv)->received, 0);

	/* Back up during the second wait: the third try gets through. */
	struct resolver_config cfg;
	resolver_config_default(&cfg);
	cfg.server_ip = DNS_IP;
	cfg.timeout = 500 * SIM_MS;
	cfg.tries = 4;
	CHECK_EQ_INT(resolver_set_config(w.res, &cfg), 0);
	struct q_out o2 = {.sim = w.sim};
	sim_time t0 = sim_now(w.sim);
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o2);
	sim_run_until(w.sim, t0 + 700 * SIM_MS);
	net_link_set_up(w.net, w.l_dns, 1);
	sim_run(w.sim);
	CHECK_EQ_INT(o2.status, RESOLVER_OK);
	CHECK_EQ_INT(o2.at - t0, 1000 * SIM_MS + 4 * SIM_MS);
	CHECK_STR(o2.first, "mx1.dominio.de.maria A 10.0.3.1");
	cfg.tries = 0;
	CHECK_EQ_INT(resolver_set_config(w.res, &cfg), -1);
	world_free(&w);
}

/* A slow answer to the first try arrives after the second was sent: it
 * still counts (same id and port), and the answer to the second try then
 * finds the port closed. */
static void test_late_answer_counts(void)
{
	struct world w;
	world_init(&w, 14, 0, 0);
	net_link_set_latency(w.net, w.l_dns, 1400 * SIM_MS);
	struct q_out o = {.sim = w.sim};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	sim_run(w.sim);
	CHECK_EQ_INT(o.calls, 1);
	CHECK_EQ_INT(o.status, RESOLVER_OK);
	CHECK_EQ_INT(o.at, 2 * (1401 * SIM_MS));
	CHECK_EQ_INT(resolver_stats(w.res)->sent, 2);
	CHECK_EQ_INT(dns_server_stats(w.srv)->answered, 2);
	CHECK_EQ_INT(net_stats(w.net)->drops[OBS_DROP_NO_SOCKET], 1);
	world_free(&w);
}

static void test_silent_server(void)
{
	struct world w;
	world_init(&w, 6, 0, 2);
	dns_server_set_mode(w.srv, DNS_SERVER_SILENT);
	struct q_out o = {.sim = w.sim};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	sim_run(w.sim);
	CHECK_EQ_INT(o.status, RESOLVER_TIMEOUT);
	CHECK_EQ_INT(o.at, 4 * SIM_S);
	CHECK_EQ_INT(dns_server_stats(w.srv)->received, 2);
	CHECK_EQ_INT(dns_server_stats(w.srv)->dropped, 2);
	CHECK_EQ_INT(dns_server_stats(w.srv)->answered, 0);
	world_free(&w);
}

static void test_loss_recovered(void)
{
	struct world w;
	world_init(&w, 7, 0.3, 8);
	enum { N = 40 };
	struct q_out o[N];
	memset(o, 0, sizeof o);
	for (int i = 0; i < N; i++)
		resolver_query(w.res, i % 2 ? "mx2.dominio.de.maria" : "mx3.dominio.de.maria", DNS_T_A, on_query, &o[i]);
	sim_run(w.sim);
	int ok = 0;
	for (int i = 0; i < N; i++)
		ok += o[i].calls == 1 && o[i].status == RESOLVER_OK;
	CHECK_EQ_INT(ok, N);
	/* Each try crosses the lossy link twice: about half are lost. */
	CHECK(resolver_stats(w.res)->retries >= 10);
	CHECK(net_stats(w.net)->drops[OBS_DROP_LOSS] >= 10);
	printf("loss: %d queries, %llu retries, %llu drops\n", N,
	       (unsigned long long)resolver_stats(w.res)->retries,
	       (unsigned long long)net_stats(w.net)->drops[OBS_DROP_LOSS]);
	world_free(&w);
}

/* ---- forged and mismatched replies ---- */

struct spy {
	uint16_t port, id;
	int seen;
	struct udp *udp;
	int dns, other;
};

static void spy_record(void *ctx, const struct obs_record *rec)
{
	struct spy *s = ctx;
	const struct packet *p = rec->u.pkt.pkt;
	if (!s->seen && p->proto == IPPROTO_SIM_UDP && p->dst_port == DNS_PORT && p->len >= 2) {
		s->port = p->src_port;
		s->id = (uint16_t)(p->data[0] << 8 | p->data[1]);
		s->seen = 1;
	}
}

static size_t forged(uint16_t id, const char *qname, int qr, uint8_t *wire)
{
	struct dns_msg *m = dns_msg_new();
	dns_msg_init_query(m, id, qname, DNS_T_A);
	m->h.qr = (uint8_t)qr;
	struct dns_rr rr;
	memset(&rr, 0, sizeof rr);
	rr.name = m->qd[0].name;
	rr.type = DNS_T_A;
	rr.class_ = DNS_CLASS_IN;
	rr.ttl = 60;
	rr.d.a = 0x06060606u;
	dns_msg_add_rr(m, DNS_SEC_ANSWER, &rr);
	size_t len = 0;
	dns_build(m, wire, DNS_UDP_MAX, &len);
	dns_msg_free(&m);
	return len;
}

static void forge(struct sim *sim, void *ctx)
{
	(void)sim;
	struct spy *s = ctx;
	uint8_t w[DNS_UDP_MAX];
	size_t n;
	n = forged((uint16_t)(s->id + 1), "mx1.dominio.de.maria", 1, w); /* wrong id */
	udp_send(s->udp, s->dns, DNS_PORT, CLIENT_IP, s->port, w, n);
	n = forged(s->id, "mx2.dominio.de.maria", 1, w); /* wrong question */
	udp_send(s->udp, s->dns, DNS_PORT, CLIENT_IP, s->port, w, n);
	n = forged(s->id, "mx1.dominio.de.maria", 1, w); /* right, but from elsewhere */
	udp_send(s->udp, s->other, DNS_PORT, CLIENT_IP, s->port, w, n);
	udp_send(s->udp, s->dns, 5353, CLIENT_IP, s->port, w, n); /* wrong source port */
	udp_send(s->udp, s->dns, DNS_PORT, CLIENT_IP, s->port, w, n - 3); /* truncated */
	udp_send(s->udp, s->dns, DNS_PORT, CLIENT_IP, s->port, w, 5);     /* not even a header */
	n = forged(s->id, "mx1.dominio.de.maria", 0, w);                  /* a query, not a reply */
	udp_send(s->udp, s->dns, DNS_PORT, CLIENT_IP, s->port, w, n);
}

struct lines {
	char text[64][300];
	int n;
};

static void collect_lines(void *ctx, const struct obs_record *rec)
{
	struct lines *l = ctx;
	if (rec->type != OBS_APP || strcmp(rec->u.app.kind, "dns") != 0 || l->n >= 64)
		return;
	snprintf(l->text[l->n++], sizeof l->text[0], "%s %s", rec->u.app.host == 0 ? "client" : "dns",
		 rec->u.app.text);
}

static void test_mismatched_ignored(void)
{
	struct world w;
	world_init(&w, 8, 0, 0);
	struct spy s = {.udp = w.udp, .dns = w.dns, .other = w.other};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND), spy_record, &s);
	static struct lines l;
	l.n = 0;
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_APP), collect_lines, &l);
	struct q_out o = {.sim = w.sim};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	REQUIRE(s.seen);
	CHECK(s.port >= 1024);
	/* Forgeries leave at 0.5 ms and arrive at 2.5 ms, before the real
	 * answer (4 ms). */
	sim_after(w.sim, SIM_MS / 2, sim_handler(w.sim, forge), &s);
	sim_run(w.sim);
	CHECK_EQ_INT(o.calls, 1);
	CHECK_EQ_INT(o.status, RESOLVER_OK);
	CHECK_STR(o.first, "mx1.dominio.de.maria A 10.0.3.1");
	CHECK_EQ_INT(o.at, 4 * SIM_MS);
	CHECK_EQ_INT(resolver_stats(w.res)->ignored, 7);
	CHECK_EQ_INT(resolver_stats(w.res)->sent, 1);
	int ignored = 0;
	for (int i = 0; i < l.n; i++)
		ignored += strncmp(l.text[i], "client IGNORED reply from ", 26) == 0;
	CHECK_EQ_INT(ignored, 7);
	char want[100];
	snprintf(want, sizeof want, "client IGNORED reply from 10.0.0.53:53 (wrong id %u)", (uint16_t)(s.id + 1));
	const char *expect[] = {
	    want,
	    "client IGNORED reply from 10.0.0.53:53 (wrong question)",
	    "client IGNORED reply from 10.0.0.66:53 (not from the server)",
	    "client IGNORED reply from 10.0.0.53:5353 (not from the server)",
	    "client IGNORED reply from 10.0.0.53:53 (malformed: message ends inside a field)",
	    "client IGNORED reply from 10.0.0.53:53 (not a response)",
	};
	/* Arrival order across the two senders is the network's business. */
	for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
		int found = 0;
		for (int i = 0; i < l.n; i++)
			found += strcmp(l.text[i], expect[k]) == 0;
		CHECK_EQ_INT(found, k == 4 ? 2 : 1);
	}
	CHECK_STR(l.text[0], "client QUERY A mx1.dominio.de.maria");
	CHECK_STR(l.text[8], "client REPLY NOERROR A mx1.dominio.de.maria");
	world_free(&w);
}

/* Ids and ports come from the seed: the same seed repeats them, another
 * does not. */
static void ids_for_seed(uint64_t seed, uint16_t *port, uint16_t *id)
{
	struct world w;
	world_init(&w, seed, 0, 0);
	struct spy s = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND), spy_record, &s);
	struct q_out o = {0};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	sim_run(w.sim);
	*port = s.port;
	*id = s.id;
	world_free(&w);
}

static void test_random_ids(void)
{
	uint16_t p1, i1, p2, i2, p3, i3;
	ids_for_seed(11, &p1, &i1);
	ids_for_seed(11, &p2, &i2);
	ids_for_seed(12, &p3, &i3);
	CHECK(p1 == p2 && i1 == i2);
	CHECK(p1 != p3 || i1 != i3);
}

static void test_cname_and_ptr(void)
{
	struct world w;
	world_init(&w, 9, 0, 0);
	struct q_out a = {0}, b = {0}, c = {0}, d = {0}, e = {0};
	resolver_addr(w.res, "www.dominio.de.maria", on_addr, &a);
	resolver_query(w.res, "outside.dominio.de.maria", DNS_T_A, on_query, &b);
	resolver_ptr(w.res, 0x0a000301u, on_ptr, &c);
	resolver_ptr(w.res, 0x0a000309u, on_ptr, &d);
	resolver_query(w.res, "www.dominio.de.maria", DNS_T_CNAME, on_query, &e);
	sim_run(w.sim);
	CHECK_EQ_INT(a.status, RESOLVER_OK);
	CHECK(a.naddrs == 1 && a.addrs[0] == 0x0a000301u);
	/* The chain leaves the server's data; asking for smtp.gmail.com is
	 * refused, since this server does not serve gmail.com. */
	CHECK_EQ_INT(b.status, RESOLVER_REFUSED);
	CHECK_STR(b.name, "outside.dominio.de.maria");
	CHECK_EQ_INT(c.status, RESOLVER_OK);
	CHECK_STR(c.name, "mx1.dominio.de.maria");
	CHECK_EQ_INT(d.status, RESOLVER_NXDOMAIN);
	CHECK_STR(d.name, "(null)");
	CHECK_EQ_INT(e.status, RESOLVER_OK);
	CHECK_STR(e.first, "www.dominio.de.maria CNAME alias.dominio.de.maria");
	CHECK_EQ_INT(resolver_stats(w.res)->queries, 6); /* five lookups and one re-query */
	world_free(&w);
}

struct rev_out {
	int calls;
	enum resolver_status status;
	char name[300];
	int confirmed;
};

static void on_reverse(void *ctx, enum resolver_status st, const char *name, int confirmed)
{
	struct rev_out *o = ctx;
	o->calls++;
	o->status = st;
	snprintf(o->name, sizeof o->name, "%s", name ? name : "(null)");
	o->confirmed = confirmed;
}

static void test_reverse_confirmed(void)
{
	struct world w;
	world_init(&w, 16, 0, 0);
	struct rev_out a = {0}, b = {0}, c = {0}, d = {0}, e = {0};
	resolver_reverse(w.res, 0x0a000301u, on_reverse, &a);
	resolver_reverse(w.res, OTHER_IP, on_reverse, &b);
	resolver_reverse(w.res, 0x0a000063u, on_reverse, &c);
	resolver_reverse(w.res, 0x0a000309u, on_reverse, &d);
	sim_run(w.sim);
	CHECK(a.calls == 1 && a.status == RESOLVER_OK && a.confirmed == 1);
	CHECK_STR(a.name, "mx1.dominio.de.maria");
	CHECK(b.calls == 1 && b.status == RESOLVER_OK && b.confirmed == 0); /* may be forged */
	CHECK_STR(b.name, "mx2.dominio.de.maria");
	CHECK(c.calls == 1 && c.status == RESOLVER_OK && c.confirmed == 0);
	CHECK_STR(c.name, "ghost.dominio.de.maria");
	CHECK(d.calls == 1 && d.status == RESOLVER_NXDOMAIN && d.confirmed == -1);
	CHECK_STR(d.name, "(null)");
	/* The server fails between the two steps: not known. */
	long h = resolver_reverse(w.res, 0x0a000301u, on_reverse, &e);
	CHECK(h > 0);
	sim_run_until(w.sim, sim_now(w.sim) + 3 * SIM_MS); /* the server has answered the PTR query */
	dns_server_set_mode(w.srv, DNS_SERVER_SERVFAIL);
	sim_run(w.sim);
	CHECK(e.calls == 1 && e.status == RESOLVER_OK && e.confirmed == -1);
	CHECK_EQ_INT(resolver_stats(w.res)->queries, 9);
	world_free(&w);
}

/* ---- the server's answers to odd queries ---- */

struct raw_out {
	int n;
	size_t len[8];
	uint8_t data[8][DNS_UDP_MAX];
};

static void on_raw(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port, const uint8_t *data,
		   size_t len)
{
	(void)host;
	(void)src_ip;
	(void)src_port;
	(void)dst_port;
	struct raw_out *o = ctx;
	if (o->n < 8 && len <= DNS_UDP_MAX) {
		memcpy(o->data[o->n], data, len);
		o->len[o->n++] = len;
	}
}

static int ask_raw(struct world *w, const uint8_t *q, size_t len, struct raw_out *o)
{
	o->n = 0;
	udp_send(w->udp, w->client, 4000, DNS_IP, DNS_PORT, q, len);
	sim_run(w->sim);
	return o->n;
}

static void test_server_odd_queries(void)
{
	struct world w;
	world_init(&w, 10, 0, 0);
	static struct raw_out o;
	CHECK_EQ_INT(udp_bind(w.udp, w.client, 4000, on_raw, &o), 4000);
	struct dns_msg *m = dns_msg_new();
	struct dns_header h;
	uint8_t q[DNS_UDP_MAX];
	size_t len;

	/* A pointer loop: FORMERR, same id, header only. */
	static const uint8_t loop[] = {0xAB, 0xCD, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
	CHECK_EQ_INT(ask_raw(&w, loop, sizeof loop, &o), 1);
	CHECK_EQ_INT(o.len[0], 12);
	dns_parse_header(o.data[0], o.len[0], &h);
	CHECK(h.id == 0xABCD && h.qr && h.rcode == DNS_R_FORMERR && h.rd && h.qdcount == 0);
	/* Opcode UPDATE: NOTIMP with the question echoed. */
	dns_msg_init_query(m, 77, "dominio.de.maria", DNS_T_MX);
	m->h.opcode = DNS_OP_UPDATE;
	dns_build(m, q, sizeof q, &len);
	CHECK_EQ_INT(ask_raw(&w, q, len, &o), 1);
	CHECK_EQ_INT(dns_parse(o.data[0], o.len[0], m), 0);
	CHECK(m->h.id == 77 && m->h.rcode == DNS_R_NOTIMP && m->h.opcode == DNS_OP_UPDATE && m->nqd == 1);
	/* Two questions: FORMERR. */
	dns_msg_init_query(m, 78, "dominio.de.maria", DNS_T_MX);
	dns_msg_add_question(m, &m->qd[0]);
	dns_build(m, q, sizeof q, &len);
	ask_raw(&w, q, len, &o);
	dns_parse_header(o.data[0], o.len[0], &h);
	CHECK(h.id == 78 && h.rcode == DNS_R_FORMERR);
	/* An EDNS OPT record (as dig sends) is accepted and ignored. */
	dns_msg_init_query(m, 83, "mx1.dominio.de.maria", DNS_T_A);
	struct dns_rr opt;
	memset(&opt, 0, sizeof opt);
	dns_name_from_text(".", &opt.name);
	opt.type = 41;
	opt.class_ = 1232;
	dns_msg_add_rr(m, DNS_SEC_ADDITIONAL, &opt);
	dns_build(m, q, sizeof q, &len);
	CHECK_EQ_INT(ask_raw(&w, q, len, &o), 1);
	CHECK_EQ_INT(dns_parse(o.data[0], o.len[0], m), 0);
	CHECK(m->h.id == 83 && m->h.rcode == DNS_R_NOERROR && m->n[DNS_SEC_ANSWER] == 1 && m->n[DNS_SEC_ADDITIONAL] == 0);
	/* Zone transfer: NOTIMP. Class CH: REFUSED. */
	dns_msg_init_query(m, 79, "dominio.de.maria", DNS_T_AXFR);
	dns_build(m, q, sizeof q, &len);
	ask_raw(&w, q, len, &o);
	dns_parse_header(o.data[0], o.len[0], &h);
	CHECK(h.id == 79 && h.rcode == DNS_R_NOTIMP);
	dns_msg_init_query(m, 80, "dominio.de.maria", DNS_T_A);
	m->qd[0].class_ = 3;
	dns_build(m, q, sizeof q, &len);
	ask_raw(&w, q, len, &o);
	dns_parse_header(o.data[0], o.len[0], &h);
	CHECK(h.id == 80 && h.rcode == DNS_R_REFUSED);
	/* A response sent to the server, and a runt: no answer at all. */
	dns_msg_init_query(m, 81, "dominio.de.maria", DNS_T_A);
	m->h.qr = 1;
	dns_build(m, q, sizeof q, &len);
	CHECK_EQ_INT(ask_raw(&w, q, len, &o), 0);
	CHECK_EQ_INT(ask_raw(&w, q, 5, &o), 0);
	CHECK_EQ_INT(ask_raw(&w, q, 0, &o), 0);
	/* Forty addresses do not fit: TC, and at most 512 octets. */
	dns_msg_init_query(m, 82, "many.single.example", DNS_T_A);
	dns_build(m, q, sizeof q, &len);
	ask_raw(&w, q, len, &o);
	CHECK(o.len[0] <= DNS_UDP_MAX);
	CHECK_EQ_INT(dns_parse(o.data[0], o.len[0], m), 0);
	CHECK(m->h.tc && m->h.aa && m->n[DNS_SEC_ANSWER] > 20 && m->n[DNS_SEC_ANSWER] < 40);
	/* The resolver uses a truncated answer as it is. */
	struct q_out t = {0};
	resolver_query(w.res, "many.single.example", DNS_T_A, on_query, &t);
	sim_run(w.sim);
	CHECK(t.status == RESOLVER_OK && t.count == m->n[DNS_SEC_ANSWER]);
	const struct dns_server_stats *st = dns_server_stats(w.srv);
	CHECK_EQ_INT(st->received, 11);
	CHECK_EQ_INT(st->answered, 8);
	CHECK_EQ_INT(st->dropped, 3);
	CHECK_EQ_INT(st->truncated, 2);
	CHECK_EQ_INT(st->by_rcode[DNS_R_FORMERR], 2);
	CHECK_EQ_INT(st->by_rcode[DNS_R_NOTIMP], 2);
	/* A second server cannot take port 53 of the same host. */
	struct dns_server *again = dns_server_new(w.sim, w.udp, w.dns);
	CHECK(again == NULL);
	/* A host crash drops the binding; rebinding brings the server back. */
	udp_host_reset(w.udp, w.dns);
	CHECK_EQ_INT(ask_raw(&w, q, len, &o), 0);
	CHECK_EQ_INT(dns_server_rebind(w.srv), 0);
	CHECK_EQ_INT(ask_raw(&w, q, len, &o), 1);
	dns_msg_free(&m);
	udp_unbind(w.udp, w.client, 4000);
	world_free(&w);
}

/* Mutated queries: every datagram of at least a header that is not a
 * response gets exactly one well-formed reply with its id (an answer,
 * FORMERR or NOTIMP); anything else gets none; the server never stops
 * serving. */
static void test_server_mutated_queries(void)
{
	struct world w;
	world_init(&w, 15, 0, 0);
	static struct raw_out o;
	udp_bind(w.udp, w.client, 4000, on_raw, &o);
	struct dns_msg *m = dns_msg_new(), *r = dns_msg_new();
	dns_msg_init_query(m, 0x5151, "mx2.dominio.de.maria", DNS_T_A);
	uint8_t base[DNS_UDP_MAX], q[DNS_UDP_MAX];
	size_t blen;
	dns_build(m, base, sizeof base, &blen);
	uint64_t x = 88172645463325252ull;
	int bad = 0, answered = 0, silent = 0;
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = blen;
		memcpy(q, base, blen);
		int edits = 1 + (int)(x % 3);
		for (int e = 0; e < edits; e++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t at = x % len;
			if ((x >> 20) % 7 == 0)
				len = at ? at : 1;
			else
				q[at] ^= (uint8_t)(1u << ((x >> 32) % 8));
		}
		int expect = len >= DNS_HEADER_LEN && !(q[2] & 0x80);
		int n = ask_raw(&w, q, len, &o);
		if (n != expect) {
			bad++;
			continue;
		}
		if (!n) {
			silent++;
			continue;
		}
		answered++;
		if (dns_parse(o.data[0], o.len[0], r) < 0 || !r->h.qr || r->h.id != (uint16_t)(q[0] << 8 | q[1]))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK(answered > 1000 && silent > 100);
	/* Still serving. */
	dns_msg_init_query(m, 1, "mx1.dominio.de.maria", DNS_T_A);
	dns_build(m, q, sizeof q, &blen);
	CHECK_EQ_INT(ask_raw(&w, q, blen, &o), 1);
	CHECK_EQ_INT(dns_parse(o.data[0], o.len[0], r), 0);
	CHECK(r->h.rcode == DNS_R_NOERROR && r->n[DNS_SEC_ANSWER] == 1 && r->rr[0].d.a == 0x0a000301u);
	dns_msg_free(&m);
	dns_msg_free(&r);
	world_free(&w);
}

/* ---- cancellation, freeing in callbacks ---- */

struct freer {
	struct resolver **res;
	int calls;
};

static void free_in_callback(void *ctx, const struct resolver_answer *a)
{
	(void)a;
	struct freer *f = ctx;
	f->calls++;
	resolver_free(f->res);
}

static void test_cancel_and_free(void)
{
	struct world w;
	world_init(&w, 12, 0, 0);
	struct q_out a = {0}, b = {0};
	struct mx_out m = {0};
	long ha = resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &a);
	long hm = resolver_mx(w.res, "dominio.de.maria", on_mx, &m);
	resolver_query(w.res, "mx2.dominio.de.maria", DNS_T_A, on_query, &b);
	CHECK_EQ_INT(resolver_cancel(w.res, ha), 1);
	CHECK_EQ_INT(resolver_cancel(w.res, ha), 0);
	sim_run_until(w.sim, 5 * SIM_MS); /* the MX is waiting for its A lookups */
	CHECK_EQ_INT(m.calls, 0);
	CHECK_EQ_INT(resolver_cancel(w.res, hm), 1);
	sim_run(w.sim);
	CHECK_EQ_INT(a.calls, 0);
	CHECK_EQ_INT(m.calls, 0);
	CHECK_EQ_INT(b.calls, 1);
	CHECK_EQ_INT(resolver_pending(w.res), 0);

	/* Freeing the resolver from a callback, with other lookups pending. */
	struct freer f = {.res = &w.res};
	struct q_out c = {0};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, free_in_callback, &f);
	resolver_mx(w.res, "dominio.de.maria", on_mx, &m);
	resolver_query(w.res, "mx3.dominio.de.maria", DNS_T_A, on_query, &c);
	sim_run(w.sim);
	CHECK_EQ_INT(f.calls, 1);
	CHECK(w.res == NULL);
	CHECK_EQ_INT(m.calls + c.calls, 0);

	/* Freeing with queries in flight: no callbacks, nothing leaks. */
	struct resolver_config cfg;
	resolver_config_default(&cfg);
	cfg.server_ip = DNS_IP;
	w.res = resolver_new(w.sim, w.net, w.udp, w.client, &cfg);
	resolver_mx(w.res, "dominio.de.maria", on_mx, &m);
	resolver_free(&w.res);
	sim_run(w.sim);
	CHECK_EQ_INT(m.calls, 0);
	resolver_free(&w.res);
	cfg.server_ip = 0;
	CHECK(resolver_new(w.sim, w.net, w.udp, w.client, &cfg) == NULL);
	world_free(&w);
}

static void test_transcript(void)
{
	struct world w;
	world_init(&w, 13, 0, 2);
	static struct lines l;
	l.n = 0;
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_APP), collect_lines, &l);
	struct mx_out m = {0};
	resolver_mx(w.res, "single.example", on_mx, &m);
	sim_run(w.sim);
	static const char *const want[] = {
	    "client QUERY MX single.example",
	    "client REPLY NOERROR MX single.example",
	    "client ANSWER single.example MX 10 mail.single.example",
	    "client ADDITIONAL mail.single.example A 10.0.6.6",
	    "client MX single.example: 10 mail.single.example 10.0.6.6",
	};
	CHECK_EQ_INT(l.n, 5);
	for (int i = 0; i < 5 && i < l.n; i++)
		CHECK_STR(l.text[i], want[i]);

	l.n = 0;
	resolver_mx(w.res, "nomx.example", on_mx, &m);
	sim_run(w.sim);
	static const char *const want2[] = {
	    "client QUERY MX nomx.example",
	    "client REPLY NOERROR MX nomx.example",
	    "client AUTHORITY nomx.example SOA ns.nomx.example hostmaster.nomx.example 1 3600 600 86400 300",
	    "client QUERY A nomx.example",
	    "client REPLY NOERROR A nomx.example",
	    "client ANSWER nomx.example A 10.0.5.5",
	    "client MX nomx.example: implicit 0 nomx.example 10.0.5.5",
	};
	CHECK_EQ_INT(l.n, 7);
	for (int i = 0; i < 7 && i < l.n; i++)
		CHECK_STR(l.text[i], want2[i]);

	l.n = 0;
	dns_server_set_mode(w.srv, DNS_SERVER_SILENT);
	resolver_mx(w.res, "nomx.example", on_mx, &m);
	sim_run(w.sim);
	static const char *const want3[] = {
	    "client QUERY MX nomx.example",
	    "dns DROPPED QUERY MX nomx.example from 10.0.0.1:",
	    "client QUERY MX nomx.example (try 2/2)",
	    "dns DROPPED QUERY MX nomx.example from 10.0.0.1:",
	    "client TIMEOUT MX nomx.example after 2 tries",
	    "client MX nomx.example: TIMEOUT",
	};
	CHECK_EQ_INT(l.n, 6);
	for (int i = 0; i < 6 && i < l.n; i++)
		CHECK(strncmp(l.text[i], want3[i], strlen(want3[i])) == 0);
	CHECK(strstr(l.text[1], " (outage)") != NULL);

	l.n = 0;
	dns_server_set_mode(w.srv, DNS_SERVER_NORMAL);
	static const uint8_t loop[] = {0xAB, 0xCD, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1};
	udp_send(w.udp, w.client, 4000, DNS_IP, DNS_PORT, loop, sizeof loop);
	sim_run(w.sim);
	CHECK_EQ_INT(l.n, 1);
	CHECK_STR(l.text[0], "dns FORMERR to 10.0.0.1:4000 (compression pointer does not point backwards)");
	world_free(&w);
}

int main(void)
{
	RUN(test_mx_order);
	RUN(test_mx_fallback_and_null);
	RUN(test_nxdomain_nodata);
	RUN(test_servfail);
	RUN(test_timeout_link_down);
	RUN(test_late_answer_counts);
	RUN(test_silent_server);
	RUN(test_loss_recovered);
	RUN(test_mismatched_ignored);
	RUN(test_random_ids);
	RUN(test_cname_and_ptr);
	RUN(test_reverse_confirmed);
	RUN(test_server_odd_queries);
	RUN(test_server_mutated_queries);
	RUN(test_cancel_and_free);
	RUN(test_transcript);
	return harness_done();
}

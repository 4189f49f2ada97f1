/* `mailsim bench mail`: the whole journey of many messages, timed.
 *
 * R routers hang off one core router (a star of stars); the DNS server sits
 * on the core. The MTAs are spread over the routers round-robin: the first
 * MTA of each router is its outbound gateway, every other one serves one
 * domain (dN.example, MX mx.dN.example) into its own mailstore. Each UA
 * (a host of its own) is a user of one domain and submits on port 587 to
 * that domain's MTA, which routes everything remote to its router's
 * gateway, which looks up the recipient domain's MX in DNS and relays
 * there: UA -> MTA -> gateway -> MX, three SMTP hops, every message to
 * another domain than its sender's.
 *
 * Senders, recipients, sizes (uniform in 2-50 KB of body text) and send
 * times (uniform over a simulated interval) come from the seed's
 * "bench.mail" stream. The run ends when every message is in its
 * recipient's INBOX; it is broken (exit 1) unless every submission was
 * accepted, every message was delivered exactly once with three Received
 * fields, and nothing bounced or is left queued.
 *
 * Beside it, in the same run, Postfix's smtp-source pushes the same number
 * of messages of the same sizes into smtp-sink over loopback (one hop,
 * postfix_ref.h); skipped with a note if the tools are not installed. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/compose.h"
#include "protocols/dns_zone.h"
#include "protocols/header.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/agents/ua.h"
#include "sim/bench/bench.h"
#include "sim/bench/postfix_ref.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

#define MAX_ROUTERS 250
#define MAX_LINKS_PER_ROUTER 16383 /* 10.R.x.y/30 per link */
#define MAX_MESSAGES 10000000
#define DRAIN_LIMIT (24 * 3600 * SIM_S) /* after the last send */
#define HOPS 3
#define POSTFIX_SESSIONS 20
#define POSTFIX_TIMEOUT_S 1800.0

struct bench_mail;

struct mail_mta {
	struct mta *mta;
	struct mailstore *store; /* NULL for a gateway */
	int host, router;
	uint32_t ip;
	char hostname[48], domain[32], gw_ip[16];
	const char *domains[1];
	struct mta_net relay[1];
	struct mta_route route[1];
};

struct mail_ua {
	struct bench_mail *b;
	struct ua *ua;
	uint32_t domain; /* index into the domain MTAs */
	int host;
	char address[48], helo[48];
};

struct mail_send {
	sim_time at;
	uint32_t index; /* draw order: breaks ties between equal times */
	uint32_t ua, rcpt, size;
};

struct bench_mail {
	/* Parameters. */
	uint64_t messages, seed;
	uint32_t n_mtas, n_uas, n_routers, n_domains;
	uint32_t interval_s, min_size, max_size;
	/* The world. */
	struct agent_env env;
	struct dns_server *dns;
	int core_host, dns_host;
	int *router_host;
	uint32_t *router_links;
	uint32_t dns_ip;
	struct mail_mta *mtas; /* gateways first (index = router), then domains */
	struct mail_ua *uas;
	struct mail_send *sends;
	uint32_t *sizes;
	char *text; /* max_size bytes of body text, NUL-terminated per send */
	int send_handler, check_handler;
	uint64_t next_send; /* sends run in time order, one pending at a time */
	/* Outcome. */
	uint64_t submitted, reported_sent, send_failures, delivered_at_stop;
	int complete;
	char error[300];
};

static void fail(struct bench_mail *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct bench_mail *b, const char *fmt, ...)
{
	if (b->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b->error, sizeof b->error, fmt, ap);
	va_end(ap);
}

static struct mail_mta *domain_mta(struct bench_mail *b, uint32_t d) { return &b->mtas[b->n_routers + d]; }

/* Adds a host on router r (or on the core if r < 0) with its own link; its
 * address is that link's host end. Returns the host, or -1. */
static int add_edge_host(struct bench_mail *b, const char *name, int r, uint32_t *ip_r)
{
	uint32_t base;
	struct link_params lp = link_params_default();
	lp.bandwidth_bps = 100000000;
	lp.latency = SIM_MS;
	int router;
	if (r >= 0) {
		uint32_t k = b->router_links[r]++;
		if (k >= MAX_LINKS_PER_ROUTER)
			return -1;
		base = (10u << 24) | ((uint32_t)r << 16) | (k << 2);
		router = b->router_host[r];
	} else {
		base = (10u << 24) | (254u << 16);
		router = b->core_host;
	}
	int h = net_add_host(b->env.net, name);
	int hi = h < 0 ? -1 : net_add_iface(b->env.net, h, base | 2);
	int ri = net_add_iface(b->env.net, router, base | 1);
	if (h < 0 || hi < 0 || ri < 0 || net_add_link(b->env.net, router, ri, h, hi, &lp) < 0)
		return -1;
	*ip_r = base | 2;
	return h;
}

static int add_text(struct dns_db *db, const char *owner, const char *type, const char *value)
{
	char err[160];
	return dns_db_add_text(db, owner, 3600, type, value, err, sizeof err);
}

static int build_network(struct bench_mail *b)
{
	struct net *net = b->env.net;
	b->core_host = net_add_host(net, "core");
	for (uint32_t r = 0; r < b->n_routers; r++) {
		char name[32];
		snprintf(name, sizeof name, "router%" PRIu32, r);
		uint32_t base = (10u << 24) | (255u << 16) | (r << 2);
		struct link_params lp = link_params_default();
		lp.bandwidth_bps = 1000000000;
		lp.latency = 5 * SIM_MS;
		int h = net_add_host(net, name);
		int hi = h < 0 ? -1 : net_add_iface(net, h, base | 2);
		int ci = net_add_iface(net, b->core_host, base | 1);
		if (h < 0 || hi < 0 || ci < 0 || net_add_link(net, b->core_host, ci, h, hi, &lp) < 0)
			return -1;
		b->router_host[r] = h;
	}
	b->dns_host = add_edge_host(b, "dns", -1, &b->dns_ip);
	if (b->dns_host < 0)
		return -1;
	for (uint32_t i = 0; i < b->n_mtas; i++) {
		struct mail_mta *m = &b->mtas[i];
		m->router = (int)(i % b->n_routers);
		if (i < b->n_routers) {
			snprintf(m->hostname, sizeof m->hostname, "gw%" PRIu32 ".relay.example", i);
		} else {
			snprintf(m->domain, sizeof m->domain, "d%" PRIu32 ".example", i - b->n_routers);
			snprintf(m->hostname, sizeof m->hostname, "mx.%s", m->domain);
		}
		m->host = add_edge_host(b, m->hostname, m->router, &m->ip);
		if (m->host < 0)
			return -1;
	}
	for (uint32_t j = 0; j < b->n_uas; j++) {
		struct mail_ua *u = &b->uas[j];
		u->b = b;
		u->domain = j % b->n_domains;
		struct mail_mta *m = domain_mta(b, u->domain);
		snprintf(u->address, sizeof u->address, "u%" PRIu32 "@%s", j, m->domain);
		snprintf(u->helo, sizeof u->helo, "ua%" PRIu32 ".%s", j, m->domain);
		uint32_t ip;
		u->host = add_edge_host(b, u->helo, m->router, &ip);
		if (u->host < 0)
			return -1;
	}
	char err[160];
	if (net_finalize(net, err, sizeof err) < 0) {
		fail(b, "net_finalize: %s", err);
		return -1;
	}
	return 0;
}

/* One zone per domain with its MX and the A and PTR records of every
 * host (the MTAs look up their clients' names). */
static int build_dns(struct bench_mail *b)
{
	b->dns = dns_server_new(b->env.sim, b->env.udp, b->dns_host);
	if (!b->dns)
		return -1;
	struct dns_db *db = dns_server_db(b->dns);
	char ip[16], mx[64];
	int rc = dns_db_add_zone(db, "relay.example", 3600, NULL);
	for (uint32_t i = 0; i < b->n_mtas && rc == 0; i++) {
		struct mail_mta *m = &b->mtas[i];
		if (m->domain[0]) {
			snprintf(mx, sizeof mx, "10 %s", m->hostname);
			rc = dns_db_add_zone(db, m->domain, 3600, NULL);
			rc = rc ? rc : add_text(db, m->domain, "MX", mx);
		}
		rc = rc ? rc : add_text(db, m->hostname, "A", ipv4_format(m->ip, ip));
		rc = rc ? rc : dns_db_add_reverse(db, m->ip, m->hostname, 3600);
	}
	for (uint32_t j = 0; j < b->n_uas && rc == 0; j++) {
		uint32_t uip = net_host_ip(b->env.net, b->uas[j].host, 0);
		rc = add_text(db, b->uas[j].helo, "A", ipv4_format(uip, ip));
		rc = rc ? rc : dns_db_add_reverse(db, uip, b->uas[j].helo, 3600);
	}
	return rc ? -1 : 0;
}

static void on_report(void *ctx, const struct ua_send_report *r)
{
	struct mail_ua *u = ctx;
	struct bench_mail *b = u->b;
	if (r->outcome != UA_SENT) {
		b->send_failures++;
		fail(b, "%s: submission %s: %s", u->address, ua_outcome_name(r->outcome), r->reply ? r->reply : "");
		return;
	}
	b->reported_sent++;
	/* The user empties the Sent folder: the copies are not part of the
	 * journey, and would otherwise hold as much memory as the mailboxes. */
	struct ms_user *me = mailstore_find_user(ua_local_store(u->ua), u->address);
	struct ms_folder *sent = me ? ms_folder_find(me, "Sent") : NULL;
	const struct ms_message *m = sent ? ms_folder_message(sent, 0) : NULL;
	if (m)
		ms_remove(sent, m->uid);
}

static int build_agents(struct bench_mail *b)
{
	for (uint32_t i = 0; i < b->n_mtas; i++) {
		struct mail_mta *m = &b->mtas[i];
		struct mta_config c;
		mta_config_default(&c, m->hostname);
		/* Relay for the router's own network (10.R.0.0/16). */
		m->relay[0] = (struct mta_net){(10u << 24) | ((uint32_t)m->router << 16), 0xffff0000u};
		c.relay_nets = m->relay;
		c.n_relay_nets = 1;
		c.dns_server = b->dns_ip;
		if (m->domain[0]) {
			m->store = mailstore_new();
			if (!m->store)
				return -1;
			m->domains[0] = m->domain;
			c.local_domains = m->domains;
			c.n_local_domains = 1;
			c.store = m->store;
			ipv4_format(b->mtas[m->router].ip, m->gw_ip);
			m->route[0] = (struct mta_route){"*", m->gw_ip};
			c.routes = m->route;
			c.n_routes = 1;
		}
		m->mta = mta_new(&b->env, m->host, &c);
		if (!m->mta)
			return -1;
	}
	for (uint32_t j = 0; j < b->n_uas; j++) {
		struct mail_ua *u = &b->uas[j];
		struct mail_mta *m = domain_mta(b, u->domain);
		if (!mailstore_add_user(m->store, u->address, "secret"))
			return -1;
		struct ua_config uc = {.address = u->address, .helo_name = u->helo, .submit_ip = m->ip,
				       .submit_port = 587, .use_ehlo = 1};
		u->ua = ua_new(&b->env, u->host, &uc, on_report, u);
		if (!u->ua)
			return -1;
	}
	return 0;
}

/* Runs the next send and schedules the one after: one pending event
 * for all the sends keeps the event queue as small as the traffic's. */
static void send_one(struct sim *sim, void *ctx)
{
	struct bench_mail *b = ctx;
	struct mail_send *s = &b->sends[b->next_send++];
	if (b->next_send < b->messages && !sim_at(sim, b->sends[b->next_send].at, b->send_handler, b))
		fail(b, "scheduling a send failed");
	struct mail_ua *u = &b->uas[s->ua];
	char subject[48];
	snprintf(subject, sizeof subject, "bench message %u bytes", (unsigned)s->size);
	/* The shared text, cut at this message's size for the call. */
	char saved = b->text[s->size];
	b->text[s->size] = 0;
	struct msg_draft d = {.from = u->address, .to = b->uas[s->rcpt].address, .subject = subject, .text = b->text};
	char err[200];
	int id = ua_send(u->ua, &d, err, sizeof err);
	b->text[s->size] = saved;
	if (id < 0) {
		b->send_failures++;
		fail(b, "ua_send from %s: %s", u->address, err);
		return;
	}
	b->submitted++;
}

static uint64_t delivered_total(const struct bench_mail *b)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < b->n_mtas; i++)
		n += mta_stats(b->mtas[i].mta)->delivered;
	return n;
}

/* Once a simulated second: stop when every message is in its mailbox. */
static void check_done(struct sim *sim, void *ctx)
{
	struct bench_mail *b = ctx;
	if (b->submitted + b->send_failures == b->messages && delivered_total(b) >= b->messages) {
		b->complete = 1;
		sim_stop(sim);
		return;
	}
	sim_after(sim, SIM_S, b->check_handler, b);
}

/* Lines of 71 characters and a newline: plain 7-bit text, no dots. */
static void fill_text(char *text, size_t len)
{
	static const char words[] = "the quick brown fox jumps over the lazy dog while mail crosses three MTAs ";
	size_t w = 0;
	for (size_t i = 0; i < len; i++)
		text[i] = i % 72 == 71 ? '\n' : words[w++ % (sizeof words - 1)];
	text[len] = 0;
}

static int send_cmp(const void *a, const void *b)
{
	const struct mail_send *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int schedule_sends(struct bench_mail *b)
{
	struct rng rng;
	sim_rng(b->env.sim, "bench.mail", &rng);
	b->send_handler = sim_handler(b->env.sim, send_one);
	b->check_handler = sim_handler(b->env.sim, check_done);
	for (uint64_t i = 0; i < b->messages; i++) {
		struct mail_send *s = &b->sends[i];
		s->index = (uint32_t)i;
		s->ua = (uint32_t)rng_below(&rng, b->n_uas);
		do
			s->rcpt = (uint32_t)rng_below(&rng, b->n_uas);
		while (b->uas[s->rcpt].domain == b->uas[s->ua].domain);
		s->size = (uint32_t)rng_range(&rng, b->min_size, b->max_size);
		b->sizes[i] = s->size;
		s->at = rng_range(&rng, 0, (int64_t)b->interval_s * SIM_S - 1);
	}
	qsort(b->sends, b->messages, sizeof *b->sends, send_cmp);
	if (!sim_at(b->env.sim, b->sends[0].at, b->send_handler, b))
		return -1;
	return sim_after(b->env.sim, SIM_S, b->check_handler, b) ? 0 : -1;
}

static int bench_mail_setup(struct bench_mail *b)
{
	b->env.sim = sim_new(b->seed);
	b->env.net = b->env.sim ? net_new(b->env.sim) : NULL;
	b->env.epoch_unix_s = 1150944635;
	b->router_host = calloc(b->n_routers, sizeof *b->router_host);
	b->router_links = calloc(b->n_routers, sizeof *b->router_links);
	b->mtas = calloc(b->n_mtas, sizeof *b->mtas);
	b->uas = calloc(b->n_uas, sizeof *b->uas);
	b->sends = calloc(b->messages, sizeof *b->sends);
	b->sizes = calloc(b->messages, sizeof *b->sizes);
	b->text = malloc((size_t)b->max_size + 1);
	if (!b->env.net || !b->router_host || !b->router_links || !b->mtas || !b->uas || !b->sends || !b->sizes ||
	    !b->text) {
		fail(b, "out of memory building the world");
		return -1;
	}
	fill_text(b->text, b->max_size);
	if (build_network(b) < 0) {
		fail(b, "building the network failed (too many hosts on a router?)");
		return -1;
	}
	b->env.tcp = tcp_new(b->env.net, NULL);
	b->env.udp = udp_new(b->env.net);
	if (!b->env.tcp || !b->env.udp || build_dns(b) < 0) {
		fail(b, "building the DNS failed");
		return -1;
	}
	if (build_agents(b) < 0) {
		fail(b, "starting the MTAs and UAs failed");
		return -1;
	}
	if (schedule_sends(b) < 0) {
		fail(b, "scheduling the sends failed");
		return -1;
	}
	return 0;
}

static void bench_mail_teardown(struct bench_mail *b)
{
	for (uint32_t j = 0; b->uas && j < b->n_uas; j++)
		ua_free(&b->uas[j].ua);
	for (uint32_t i = 0; b->mtas && i < b->n_mtas; i++)
		mta_free(&b->mtas[i].mta);
	dns_server_free(&b->dns);
	for (uint32_t i = 0; b->mtas && i < b->n_mtas; i++)
		mailstore_free(&b->mtas[i].store);
	udp_free(&b->env.udp);
	tcp_free(&b->env.tcp);
	net_free(&b->env.net);
	sim_free(&b->env.sim);
	packet_pool_drain();
	free(b->router_host);
	free(b->router_links);
	free(b->mtas);
	free(b->uas);
	free(b->sends);
	free(b->sizes);
	free(b->text);
}

struct mail_figures {
	double setup_s, wall_s, cpu_s, sim_s;
	uint64_t events, delivered, inbox_messages, bounced, queued, bad_received, mailbox_bytes, text_bytes;
	uint64_t peak_rss;
};

/* Every domain's INBOXes: counts, bytes, and the three Received fields
 * each message must carry. */
static void audit(struct bench_mail *b, struct mail_figures *f)
{
	for (uint32_t i = 0; i < b->n_mtas; i++) {
		const struct mta_stats *st = mta_stats(b->mtas[i].mta);
		f->delivered += st->delivered;
		f->bounced += st->bounced + st->discarded;
		f->queued += st->queued;
		struct mailstore *ms = b->mtas[i].store;
		if (!ms)
			continue;
		f->mailbox_bytes += mailstore_bytes(ms);
		for (size_t u = 0; u < mailstore_user_count(ms); u++) {
			struct ms_folder *in = ms_folder_find(mailstore_user_at(ms, u), "INBOX");
			for (size_t k = 0; in && k < ms_folder_size(in); k++) {
				const struct ms_message *m = ms_folder_message(in, k);
				const char *t = (const char *)blob_data(m->body);
				size_t len = blob_len(m->body);
				struct hdr_field hf;
				if (!hdr_find(t, len, "Received", HOPS - 1, &hf) || hdr_find(t, len, "Received", HOPS, &hf))
					f->bad_received++;
				f->inbox_messages++;
			}
		}
	}
	for (uint64_t i = 0; i < b->messages; i++)
		f->text_bytes += b->sizes[i];
}

static int run_mail(struct bench_mail *b, struct mail_figures *f)
{
	int64_t t0 = bench_wall_ns();
	if (bench_mail_setup(b) < 0)
		return -1;
	int64_t t1 = bench_wall_ns(), c1 = bench_cpu_ns();
	sim_run_until(b->env.sim, (sim_time)b->interval_s * SIM_S + DRAIN_LIMIT);
	int64_t t2 = bench_wall_ns(), c2 = bench_cpu_ns();
	f->setup_s = (double)(t1 - t0) / 1e9;
	f->wall_s = (double)(t2 - t1) / 1e9;
	f->cpu_s = (double)(c2 - c1) / 1e9;
	f->sim_s = (double)sim_now(b->env.sim) / (double)SIM_S;
	f->events = sim_events_run(b->env.sim);
	f->peak_rss = bench_peak_rss_bytes();
	audit(b, f);
	if (sim_error(b->env.sim))
		fail(b, "the simulation failed: %s", sim_error(b->env.sim));
	if (!b->complete)
		fail(b, "only %" PRIu64 " of %" PRIu64 " messages were delivered after %.0f simulated seconds",
		     f->delivered, b->messages, f->sim_s);
	if (b->reported_sent != b->messages)
		fail(b, "%" PRIu64 " of %" PRIu64 " submissions were reported sent", b->reported_sent, b->messages);
	if (f->delivered != b->messages || f->inbox_messages != b->messages)
		fail(b, "%" PRIu64 " deliveries and %" PRIu64 " INBOX messages for %" PRIu64 " sent", f->delivered,
		     f->inbox_messages, b->messages);
	if (f->bounced || f->queued)
		fail(b, "%" PRIu64 " bounced or discarded, %" PRIu64 " still queued", f->bounced, f->queued);
	if (f->bad_received)
		fail(b, "%" PRIu64 " delivered messages do not have exactly %d Received fields", f->bad_received, HOPS);
	return b->error[0] ? -1 : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mailsim bench mail [--json] [--messages N] [--mtas M] [--uas U] [--routers R]\n"
		"                          [--interval S] [--seed S] [--no-postfix]\n\n"
		"The whole journey of N messages (2-50 KB of text each) between U user agents:\n"
		"UA -> its MTA -> its router's gateway -> the recipient domain's MX (found in\n"
		"DNS), over R routers holding M MTAs (R gateways, M - R domains). Prints wall\n"
		"time, messages per wall second, events per second and peak memory, and beside\n"
		"them the wall time of Postfix's smtp-source pushing the same messages into\n"
		"smtp-sink over loopback (skipped if postfix is not installed). Every message\n"
		"must be delivered, or the benchmark fails (exit 1).\n\n"
		"  --messages N   messages (default 100k)\n"
		"  --mtas M       MTAs, gateways included (default 100)\n"
		"  --uas U        user agents, each on its own host (default 10k; at least M - R)\n"
		"  --routers R    routers around the core (default min(10, M / 3))\n"
		"  --interval S   simulated seconds the sends are spread over (default 600)\n"
		"  --seed S       seed of the run (default 1)\n"
		"  --no-postfix   skip the Postfix reference\n"
		"  --json         print one JSON object instead of the report\n"
		"M - R must be at least 2 (two domains) and every router needs a domain.\n");
}

static cJSON *postfix_json(const struct postfix_ref *p, int skipped, double mailsim_wall)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "available", p->available);
	cJSON_AddBoolToObject(o, "skipped", skipped || !p->available);
	if (skipped || !p->available) {
		cJSON_AddStringToObject(o, "reason", skipped ? "--no-postfix" : "smtp-source/smtp-sink not installed");
		return o;
	}
	cJSON_AddStringToObject(o, "tools", p->tool_dir);
	cJSON_AddNumberToObject(o, "wall_seconds", p->wall_s);
	cJSON_AddNumberToObject(o, "messages", (double)p->messages);
	cJSON_AddNumberToObject(o, "body_bytes", (double)p->bytes);
	cJSON_AddNumberToObject(o, "size_bands", p->bands);
	cJSON_AddNumberToObject(o, "sessions", p->sessions);
	cJSON_AddNumberToObject(o, "messages_counted_by_sink", (double)p->sink_count);
	cJSON_AddNumberToObject(o, "messages_per_wall_second", p->wall_s > 0 ? (double)p->messages / p->wall_s : 0);
	cJSON_AddNumberToObject(o, "mailsim_wall_over_postfix_wall", p->wall_s > 0 ? mailsim_wall / p->wall_s : 0);
	cJSON_AddBoolToObject(o, "goal_mailsim_faster_met", mailsim_wall < p->wall_s);
	return o;
}

int bench_mail_main(int argc, char **argv)
{
	uint64_t messages = 100000, mtas = 100, uas = 10000, routers = 0, interval = 600, seed = 1;
	int json = 0, no_postfix = 0;
	static const struct option opts[] = {
		{"messages", required_argument, NULL, 'n'}, {"mtas", required_argument, NULL, 'm'},
		{"uas", required_argument, NULL, 'u'},      {"routers", required_argument, NULL, 'r'},
		{"interval", required_argument, NULL, 'i'}, {"seed", required_argument, NULL, 's'},
		{"no-postfix", no_argument, NULL, 'p'},     {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	optind = 1;
	int c, li = 0;
	while ((c = getopt_long(argc, argv, "", opts, &li)) != -1) {
		uint64_t *target = c == 'n' ? &messages
				   : c == 'm' ? &mtas
				   : c == 'u' ? &uas
				   : c == 'r' ? &routers
				   : c == 'i' ? &interval
				   : c == 's' ? &seed
					      : NULL;
		if (target) {
			if (bench_parse_count(optarg, target) < 0) {
				fprintf(stderr, "mailsim bench mail: --%s: '%s' is not a count\n", opts[li].name, optarg);
				return 2;
			}
			continue;
		}
		switch (c) {
		case 'p':
			no_postfix = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mailsim bench mail: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!routers)
		routers = mtas / 3 < 10 ? (mtas / 3 ? mtas / 3 : 1) : 10;
	if (messages < 1 || messages > MAX_MESSAGES || routers > MAX_ROUTERS || mtas > 100000 || uas > 1000000 ||
	    interval < 1 || interval > 30 * 86400) {
		fprintf(stderr, "mailsim bench mail: --messages must be 1..%d, --routers 1..%d, --mtas at most 100k, "
				"--uas at most 1M, --interval 1..2592000\n",
			MAX_MESSAGES, MAX_ROUTERS);
		return 2;
	}
	if (mtas < 2 * routers || mtas - routers < 2 || uas < mtas - routers) {
		fprintf(stderr, "mailsim bench mail: need --mtas >= 2 x routers (a gateway and a domain each), two "
				"domains at least, and --uas >= the %" PRIu64 " domains\n",
			mtas > routers ? mtas - routers : 0);
		return 2;
	}

	struct bench_mail *b = calloc(1, sizeof *b);
	if (!b) {
		fprintf(stderr, "mailsim bench mail: out of memory\n");
		return 1;
	}
	b->messages = messages;
	b->seed = seed;
	b->n_mtas = (uint32_t)mtas;
	b->n_uas = (uint32_t)uas;
	b->n_routers = (uint32_t)routers;
	b->n_domains = (uint32_t)(mtas - routers);
	b->interval_s = (uint32_t)interval;
	b->min_size = 2 * 1024;
	b->max_size = 50 * 1024;
	double load = bench_load_average();
	struct mail_figures f = {0};
	int rc = run_mail(b, &f);
	uint32_t *sizes = b->sizes;
	b->sizes = NULL; /* kept for the Postfix reference */
	bench_mail_teardown(b);
	if (rc < 0) {
		fprintf(stderr, "mailsim bench mail: FAILED: %s\n", b->error);
		free(sizes);
		free(b);
		return 1;
	}
	struct postfix_ref pf = {0};
	char perr[300] = "";
	int prc = no_postfix ? 0 : postfix_ref_run(sizes, messages, POSTFIX_SESSIONS, POSTFIX_TIMEOUT_S, &pf, perr,
						 sizeof perr);
	free(sizes);
	free(b);
	if (prc < 0) {
		fprintf(stderr, "mailsim bench mail: the Postfix reference failed: %s\n", perr);
		return 1;
	}

	double ratio = f.mailbox_bytes ? (double)f.peak_rss / (double)f.mailbox_bytes : 0;
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "benchmark", "mail");
	cJSON_AddBoolToObject(root, "ok", 1);
	cJSON_AddNumberToObject(root, "load_average_at_start", load);
	cJSON_AddNumberToObject(root, "seed", (double)seed);
	cJSON_AddNumberToObject(root, "messages", (double)messages);
	cJSON_AddNumberToObject(root, "mtas", (double)mtas);
	cJSON_AddNumberToObject(root, "gateways", (double)routers);
	cJSON_AddNumberToObject(root, "domains", (double)(mtas - routers));
	cJSON_AddNumberToObject(root, "routers", (double)routers);
	cJSON_AddNumberToObject(root, "uas", (double)uas);
	cJSON_AddNumberToObject(root, "smtp_hops_per_message", HOPS);
	cJSON_AddNumberToObject(root, "interval_simulated_seconds", (double)interval);
	cJSON_AddNumberToObject(root, "body_bytes_min", 2 * 1024);
	cJSON_AddNumberToObject(root, "body_bytes_max", 50 * 1024);
	cJSON_AddNumberToObject(root, "body_bytes_total", (double)f.text_bytes);
	cJSON_AddNumberToObject(root, "setup_seconds", f.setup_s);
	cJSON_AddNumberToObject(root, "wall_seconds", f.wall_s);
	cJSON_AddNumberToObject(root, "cpu_seconds", f.cpu_s);
	cJSON_AddNumberToObject(root, "simulated_seconds", f.sim_s);
	cJSON_AddNumberToObject(root, "events", (double)f.events);
	cJSON_AddNumberToObject(root, "events_per_second", f.wall_s > 0 ? (double)f.events / f.wall_s : 0);
	cJSON_AddNumberToObject(root, "messages_per_wall_second", f.wall_s > 0 ? (double)messages / f.wall_s : 0);
	cJSON_AddNumberToObject(root, "delivered", (double)f.delivered);
	cJSON_AddBoolToObject(root, "all_delivered", f.delivered == messages && f.inbox_messages == messages);
	cJSON_AddNumberToObject(root, "mailbox_bytes", (double)f.mailbox_bytes);
	cJSON_AddNumberToObject(root, "peak_rss_bytes", (double)f.peak_rss);
	cJSON_AddNumberToObject(root, "peak_rss_over_mailbox_bytes", ratio);
	cJSON_AddBoolToObject(root, "goal_memory_met", ratio < 2.0);
	cJSON_AddItemToObject(root, "postfix", postfix_json(&pf, no_postfix, f.wall_s));
	if (json)
		return bench_print_json(&root) < 0 ? 1 : 0;
	cJSON_Delete(root);

	char b1[32], b2[32], b3[32];
	printf("Mail: %s messages (%s bytes of body text, 2-50 KB each) from %s UAs over %" PRIu64
	       " MTAs (%" PRIu64 " gateways, %" PRIu64 " domains) on %" PRIu64 " routers, seed %" PRIu64
	       ", load average %.2f\n",
	       bench_fmt_count((double)messages, b1, sizeof b1), bench_fmt_count((double)f.text_bytes, b2, sizeof b2),
	       bench_fmt_count((double)uas, b3, sizeof b3), mtas, routers, mtas - routers, routers, seed, load);
	printf("each message: UA -> MTA -> gateway -> MX found by DNS (%d SMTP hops), sends spread over %" PRIu64
	       " simulated s\n\n",
	       HOPS, interval);
	printf("  setup             %10.3f s wall\n", f.setup_s);
	printf("  run               %10.3f s wall, %.3f s CPU, %.1f s simulated\n", f.wall_s, f.cpu_s, f.sim_s);
	printf("  messages / wall s %10.0f\n", (double)messages / f.wall_s);
	printf("  events            %10s (%s per wall s)\n", bench_fmt_count((double)f.events, b1, sizeof b1),
	       bench_fmt_count((double)f.events / f.wall_s, b2, sizeof b2));
	printf("  delivered         %10s of %s, all with %d Received fields; nothing bounced or queued\n",
	       bench_fmt_count((double)f.delivered, b1, sizeof b1), bench_fmt_count((double)messages, b2, sizeof b2),
	       HOPS);
	printf("  mailbox bytes     %10.1f MB\n", (double)f.mailbox_bytes / 1e6);
	printf("  peak RSS          %10.1f MB (%.2f x the mailboxes; goal < 2: %s)\n", (double)f.peak_rss / 1e6, ratio,
	       ratio < 2.0 ? "met" : "NOT met");
	if (no_postfix || !pf.available) {
		printf("\nPostfix reference skipped: %s\n",
		       no_postfix ? "--no-postfix" : "smtp-source/smtp-sink not installed (apt-get install postfix)");
		return 0;
	}
	printf("\nPostfix %s/smtp-source -> smtp-sink over loopback, %d sessions, %d size bands at their means:\n",
	       pf.tool_dir, pf.sessions, pf.bands);
	printf("  one hop           %10.3f s wall for %s messages (%.0f per s), all counted by smtp-sink\n", pf.wall_s,
	       bench_fmt_count((double)pf.messages, b1, sizeof b1), (double)pf.messages / pf.wall_s);
	printf("  mailsim / postfix %10.2f (goal: the simulated three-hop journey in less wall time than one real hop: "
	       "%s)\n",
	       f.wall_s / pf.wall_s, f.wall_s < pf.wall_s ? "met" : "NOT met");
	return 0;
}

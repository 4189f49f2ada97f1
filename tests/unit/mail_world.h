/* The mail world of test_mta.c, test_ledger.c and test_transcript.c: a laptop, three
 * MTAs in the note's chain (mta1 "smtp.gmail.com" with a route to the
 * gateway gw "gw.relay.net", then MX lookups to mx "mx.dominio.de.maria",
 * with mx2 as a backup MX that relays to it), a DNS server, an outsider,
 * all hanging off one router with 2 ms links; w->log collects
 * "host:event:rcpt" lines. */
#ifndef TEST_MAIL_WORLD_H
#define TEST_MAIL_WORLD_H

#include <stdlib.h>
#include <string.h>

#include "protocols/compose.h"
#include "protocols/dns_zone.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/host_life.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/agents/ua.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"

enum { LAPTOP, MTA1, GW, MX, MX2, DNS, OUTSIDER, ROUTER, NHOSTS };
static const char *const names[NHOSTS] = {"laptop", "mta1", "gw", "mx", "mx2", "dns", "outsider", "router"};

struct world {
	struct agent_env env;
	int host[NHOSTS];
	uint32_t ip[NHOSTS];
	int link[NHOSTS];
	struct dns_server *dns;
	struct mailstore *gmail_store, *maria_store, *backup_store;
	struct mta *mta1, *gw, *mx, *mx2;
	struct ua *ua;
	int reports;
	struct ua_send_report last;
	char log[1 << 16];
	int mx_accepted; /* OBS_MAIL accepted events at mx */
};

static inline void record_mail(void *ctx, const struct obs_record *r)
{
	struct world *w = ctx;
	if (r->type != OBS_MAIL)
		return;
	if (r->u.mail.host == w->host[MX] && r->u.mail.event == OBS_MAIL_ACCEPTED)
		w->mx_accepted++;
	size_t n = strlen(w->log);
	const char *who = "?";
	for (int i = 0; i < NHOSTS; i++)
		if (w->host[i] == r->u.mail.host)
			who = names[i];
	snprintf(w->log + n, sizeof w->log - n, "%s:%s:%s\n", who, obs_mail_event_name(r->u.mail.event),
		 r->u.mail.rcpt ? r->u.mail.rcpt : "-");
}

static inline void on_report(void *ctx, const struct ua_send_report *r)
{
	struct world *w = ctx;
	w->reports++;
	w->last = *r;
}

static inline void world_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	struct sim *sim = sim_new(7);
	struct net *net = net_new(sim);
	w->env.sim = sim;
	w->env.net = net;
	w->env.epoch_unix_s = 1150944635; /* the note's session: June 2006 */
	w->env.zone_min = -180;
	bus_subscribe(sim_bus(sim), OBS_MASK(OBS_MAIL), record_mail, w);
	w->host[ROUTER] = net_add_host(net, "router");
	for (int i = 0; i < NHOSTS; i++) {
		if (i == ROUTER)
			continue;
		w->host[i] = net_add_host(net, names[i]);
		w->ip[i] = 0x0a000000u + ((uint32_t)i + 1) * 256 + 2;
		int f = net_add_iface(net, w->host[i], w->ip[i]);
		int rf = net_add_iface(net, w->host[ROUTER], w->ip[i] - 1);
		struct link_params lp = link_params_default();
		lp.latency = 2 * SIM_MS;
		w->link[i] = net_add_link(net, w->host[i], f, w->host[ROUTER], rf, &lp);
	}
	char err[128];
	net_finalize(net, err, sizeof err);
	w->env.tcp = tcp_new(net, NULL);
	w->env.udp = udp_new(net);
	w->env.life = host_life_new(&w->env); /* crashes: test_faults.c */
	w->dns = dns_server_new(sim, w->env.udp, w->host[DNS]);
	dns_server_attach_life(w->dns, w->env.life);
	struct dns_db *db = dns_server_db(w->dns);
	dns_db_add_zone(db, "gmail.com", 3600, NULL);
	dns_db_add_zone(db, "dominio.de.maria", 3600, NULL);
	dns_db_add_zone(db, "relay.net", 3600, NULL);
	char ip[16];
	dns_db_add_text(db, "gmail.com", 3600, "MX", "10 smtp.gmail.com", err, sizeof err);
	dns_db_add_text(db, "smtp.gmail.com", 3600, "A", ipv4_format(w->ip[MTA1], ip), err, sizeof err);
	dns_db_add_text(db, "dominio.de.maria", 3600, "MX", "10 mx.dominio.de.maria", err, sizeof err);
	dns_db_add_text(db, "dominio.de.maria", 3600, "MX", "20 mx2.dominio.de.maria", err, sizeof err);
	dns_db_add_text(db, "mx.dominio.de.maria", 3600, "A", ipv4_format(w->ip[MX], ip), err, sizeof err);
	dns_db_add_text(db, "mx2.dominio.de.maria", 3600, "A", ipv4_format(w->ip[MX2], ip), err, sizeof err);
	dns_db_add_text(db, "gw.relay.net", 3600, "A", ipv4_format(w->ip[GW], ip), err, sizeof err);
	dns_db_add_reverse(db, w->ip[LAPTOP], "laptop.juan.gmail.com", 3600);
	dns_db_add_reverse(db, w->ip[MTA1], "smtp.gmail.com", 3600);
	dns_db_add_reverse(db, w->ip[GW], "gw.relay.net", 3600);
	dns_db_add_reverse(db, w->ip[MX2], "mx2.dominio.de.maria", 3600);

	w->gmail_store = mailstore_new();
	mailstore_add_user(w->gmail_store, "juan@gmail.com", "juan");
	mailstore_add_user(w->gmail_store, "pepe@gmail.com", "pepe");
	w->maria_store = mailstore_new();
	mailstore_add_user(w->maria_store, "maria@dominio.de.maria", "serenata");
	w->backup_store = NULL;

	static const char *gmail_domains[] = {"gmail.com"};
	static const char *maria_domains[] = {"dominio.de.maria"};
	static struct mta_net laptop_net[1];
	laptop_net[0] = (struct mta_net){w->ip[LAPTOP], 0xffffffffu};
	static struct mta_net mta1_net[1];
	mta1_net[0] = (struct mta_net){w->ip[MTA1], 0xffffffffu};
	static const struct mta_route to_gw[] = {{"*", "gw"}};

	struct mta_config c;
	mta_config_default(&c, "smtp.gmail.com");
	c.local_domains = gmail_domains;
	c.n_local_domains = 1;
	c.store = w->gmail_store;
	c.relay_nets = laptop_net;
	c.n_relay_nets = 1;
	c.routes = to_gw;
	c.n_routes = 1;
	c.dns_server = w->ip[DNS];
	w->mta1 = mta_new(&w->env, w->host[MTA1], &c);

	mta_config_default(&c, "gw.relay.net");
	c.relay_nets = mta1_net;
	c.n_relay_nets = 1;
	c.dns_server = w->ip[DNS];
	w->gw = mta_new(&w->env, w->host[GW], &c);

	mta_config_default(&c, "mx.dominio.de.maria");
	c.local_domains = maria_domains;
	c.n_local_domains = 1;
	c.store = w->maria_store;
	c.dns_server = w->ip[DNS];
	w->mx = mta_new(&w->env, w->host[MX], &c);

	/* The backup MX relays anything for dominio.de.maria to the primary. */
	static struct mta_net anyone[1] = {{0, 0}};
	mta_config_default(&c, "mx2.dominio.de.maria");
	c.relay_nets = anyone;
	c.n_relay_nets = 1;
	c.dns_server = w->ip[DNS];
	w->mx2 = mta_new(&w->env, w->host[MX2], &c);

	struct ua_config uc = {.address = "juan@gmail.com", .helo_name = "laptop.juan.gmail.com",
			       .submit_ip = w->ip[MTA1], .submit_port = 587, .use_ehlo = 1};
	w->ua = ua_new(&w->env, w->host[LAPTOP], &uc, on_report, w);
}

static inline void world_free(struct world *w)
{
	ua_free(&w->ua);
	mta_free(&w->mta1);
	mta_free(&w->gw);
	mta_free(&w->mx);
	mta_free(&w->mx2);
	dns_server_free(&w->dns);
	mailstore_free(&w->gmail_store);
	mailstore_free(&w->maria_store);
	host_life_free(&w->env.life);
	udp_free(&w->env.udp);
	tcp_free(&w->env.tcp);
	net_free(&w->env.net);
	sim_free(&w->env.sim);
	packet_pool_drain();
}

static inline int send_draft(struct world *w, const char *to, const char *bcc)
{
	struct msg_draft d = {0};
	d.from = "Juan <juan@gmail.com>";
	d.to = to;
	d.bcc = bcc;
	d.subject = "Hola, ¿cómo estás?";
	d.text = "Hola María,\n\nte mando una serenata.\n.\nChau!\n";
	char err[200];
	int id = ua_send(w->ua, &d, err, sizeof err);
	if (id < 0)
		fprintf(stderr, "ua_send: %s\n", err);
	return id;
}

#endif

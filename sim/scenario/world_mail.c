/* The mail part of a world: the DNS server with the scenario's zones (and
 * automatic A and PTR records for hosts with an fqdn), one MTA with its
 * mailstore per "mtas" entry, one UA per "uas" entry, the "mail" timeline,
 * and the mailbox expectations checked after the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/compose.h"
#include "protocols/dns_zone.h"
#include "protocols/header.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/host_life.h"
#include "sim/agents/imap_reader.h"
#include "sim/agents/imapd.h"
#include "sim/agents/mail_rules.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/agents/pop3_reader.h"
#include "sim/agents/pop3d.h"
#include "sim/agents/testapp.h"
#include "sim/agents/typist.h"
#include "sim/observe/sniffer.h"
#include "sim/agents/ua.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world_internal.h"

/* The run's calendar start: the note's telnet session, 21 June 2006,
 * Buenos Aires time. */
#define EPOCH_UNIX_S 1150944635
#define ZONE_MIN (-180)

struct mail_event {
	struct scn_world *w;
	const struct scn_mail_action *a;
};

static uint32_t host_ip(const struct scn_world *w, int host) { return net_host_ip(w->net, host, 0); }

/* Adds name -> ip (A) in the zone that covers it, creating a zone for the
 * name's parent domain when none does. */
static void add_auto_a(struct dns_db *db, const char *name, uint32_t ip)
{
	char ipt[16], err[200];
	ipv4_format(ip, ipt);
	if (dns_db_add_text(db, name, 3600, "A", ipt, err, sizeof err) == 0)
		return;
	const char *dot = strchr(name, '.');
	dns_db_add_zone(db, dot && dot[1] ? dot + 1 : name, 3600, NULL);
	dns_db_add_text(db, name, 3600, "A", ipt, err, sizeof err);
}

static int start_dns(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	if (s->dns.server < 0)
		return 0;
	w->dns = dns_server_new(w->sim, w->udp, s->dns.server);
	if (!w->dns || dns_server_attach_life(w->dns, w->life) < 0) {
		snprintf(err, errlen, "cannot start the DNS server on \"%s\"", s->hosts[s->dns.server].name);
		return -1;
	}
	struct dns_db *db = dns_server_db(w->dns);
	for (size_t z = 0; z < s->dns.zone_count; z++) {
		const struct scn_dns_zone *zone = &s->dns.zones[z];
		if (dns_db_add_zone(db, zone->origin, zone->ttl, NULL) < 0) {
			snprintf(err, errlen, "%s: dns.zones[%zu]: cannot add zone \"%s\"", s->file, z, zone->origin);
			return -1;
		}
		for (size_t r = 0; r < zone->record_count; r++) {
			const struct scn_dns_record *rec = &zone->records[r];
			char why[200] = "";
			if (dns_db_add_text(db, rec->name, rec->ttl, rec->type, rec->value, why, sizeof why) < 0) {
				snprintf(err, errlen, "%s: dns.zones[%zu].records[%zu]: %s", s->file, z, r,
					 why[0] ? why : "cannot add the record");
				return -1;
			}
		}
	}
	if (s->dns.auto_records) {
		for (size_t h = 0; h < s->host_count; h++) {
			if (!s->fqdns || !s->fqdns[h])
				continue;
			add_auto_a(db, s->fqdns[h], host_ip(w, (int)h));
			for (int f = 0; f < net_host_iface_count(w->net, (int)h); f++)
				dns_db_add_reverse(db, net_host_ip(w->net, (int)h, f), s->fqdns[h], 3600);
		}
	}
	return 0;
}

/* The users of MTA i: each with INBOX, Sent, Drafts and Trash, the mail
 * the scenario gives it (the seed's bodies shared, not copied) and its
 * rules. Store and rules belong to the world, like a disk: they outlive
 * any crash of the MTA. */
static int start_users(struct scn_world *w, size_t i, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	const struct scn_mta *sm = &s->mtas[i];
	mailstore_set_epoch(w->stores[i], EPOCH_UNIX_S);
	w->rules[i] = mail_rules_new();
	if (!w->rules[i]) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t u = 0; u < sm->user_count; u++) {
		const struct scn_user *su = &sm->users[u];
		struct ms_user *mu = mailstore_add_user(w->stores[i], su->address, su->password);
		if (!mu) {
			snprintf(err, errlen, "%s: mtas[%zu].users[%zu]: user \"%s\" listed twice", s->file, i, u,
				 su->address);
			return -1;
		}
		int rc = ms_user_add_default_folders(mu);
		struct ms_user *seed = su->seed ? mailstore_find_user(su->seed, su->address) : NULL;
		if (rc == MS_OK && seed)
			rc = ms_user_clone(mu, seed);
		if (rc == MS_OK && su->rules && mail_rules_set(w->rules[i], su->address, su->rules) < 0)
			rc = MS_ERR_NOMEM;
		if (rc != MS_OK) {
			snprintf(err, errlen, "%s: mtas[%zu].users[%zu]: %s", s->file, i, u, ms_error_text(rc));
			return -1;
		}
	}
	return 0;
}

/* ---- POP3: pop3d on MTA hosts with "pop3", downloads on the timeline ---- */

/* pop3d and imapd lose their sessions in a crash and listen again after
 * the restart; the mailstore they serve is the host's disk. */
static void pop3d_on_crash(void *ctx, int host)
{
	(void)host;
	pop3d_crash(ctx);
}

static void pop3d_on_restart(void *ctx, int host)
{
	(void)host;
	pop3d_restart(ctx);
}

static void imapd_on_crash(void *ctx, int host)
{
	(void)host;
	imapd_crash(ctx);
}

static void imapd_on_restart(void *ctx, int host)
{
	(void)host;
	imapd_restart(ctx);
}

static int start_pop3d(struct scn_world *w, size_t i, char *err, size_t errlen)
{
	const struct scn_mta *sm = &w->s->mtas[i];
	if (!sm->pop3)
		return 0;
	if (!w->pop3ds && !(w->pop3ds = calloc(w->s->mta_count + 1, sizeof *w->pop3ds))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct pop3d_config c = {.hostname = sm->hostname,
				 .store = w->stores[i],
				 .apop = sm->pop3_apop,
				 .no_user_pass = sm->pop3_no_user_pass,
				 .max_failed_logins = sm->pop3_max_failed};
	w->pop3ds[i] = pop3d_new(&w->env, sm->host, &c);
	if (!w->pop3ds[i]) {
		snprintf(err, errlen, "%s: mtas[%zu]: cannot start the POP3 server on \"%s\" (port 110 taken?)",
			 w->s->file, i, w->s->hosts[sm->host].name);
		return -1;
	}
	static const struct host_life_hooks pop3d_life = {pop3d_on_crash, pop3d_on_restart};
	if (host_life_register(w->life, sm->host, &pop3d_life, w->pop3ds[i]) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void pop3_download(struct scn_world *w, const struct scn_mail_action *a)
{
	const struct scn_ua *su = &w->s->uas[a->ua];
	if (!w->pop3_readers)
		w->pop3_readers = calloc(w->s->ua_count + 1, sizeof *w->pop3_readers);
	if (w->pop3_readers && !w->pop3_readers[a->ua])
		w->pop3_readers[a->ua] =
		    pop3_reader_new(&w->env, su->host, ua_local_store(w->uas[a->ua]), su->address, NULL, NULL);
	struct pop3_reader_options o = {.server_ip = host_ip(w, w->s->mtas[a->mta].host),
					.user = a->pop3_user,
					.password = a->pop3_password,
					.apop = a->pop3_apop,
					.keep = a->pop3_keep,
					.local_keep = su->local_keep};
	if (!w->pop3_readers || !w->pop3_readers[a->ua] || pop3_reader_fetch(w->pop3_readers[a->ua], &o) < 0)
		agent_publish_note(&w->env, su->host, 0, "pop3", "cannot start the POP3 download");
}

static void pop3_free(struct scn_world *w)
{
	for (size_t i = 0; w->pop3_readers && i < w->s->ua_count; i++)
		pop3_reader_free(&w->pop3_readers[i]);
	for (size_t i = 0; w->pop3ds && i < w->s->mta_count; i++) {
		if (w->pop3ds[i])
			host_life_unregister(w->life, w->s->mtas[i].host, w->pop3ds[i]);
		pop3d_free(&w->pop3ds[i]);
	}
	free(w->pop3_readers);
	free(w->pop3ds);
	w->pop3_readers = NULL;
	w->pop3ds = NULL;
}

static int start_mtas(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	size_t n = s->mta_count;
	w->stores = calloc(n + 1, sizeof *w->stores);
	w->mtas = calloc(n + 1, sizeof *w->mtas);
	w->relay_nets = calloc(n + 1, sizeof *w->relay_nets);
	w->routes = calloc(n + 1, sizeof *w->routes);
	w->domains = calloc(n + 1, sizeof *w->domains);
	w->holds = calloc(n + 1, sizeof *w->holds);
	w->rules = calloc(n + 1, sizeof *w->rules);
	if (!w->rules || !w->stores || !w->mtas || !w->relay_nets || !w->routes || !w->domains || !w->holds)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const struct scn_mta *sm = &s->mtas[i];
		w->stores[i] = mailstore_new();
		if (!w->stores[i])
			goto nomem;
		mailstore_set_capacity(w->stores[i], sm->disk);
		if (start_users(w, i, err, errlen) < 0)
			return -1;
		w->relay_nets[i] = calloc(sm->relay_count + 1, sizeof **w->relay_nets);
		w->routes[i] = calloc(sm->route_count + 1, sizeof **w->routes);
		w->domains[i] = calloc(sm->local_domain_count + 1, sizeof **w->domains);
		w->holds[i] = calloc(sm->hold_domain_count + 1, sizeof **w->holds);
		if (!w->relay_nets[i] || !w->routes[i] || !w->domains[i] || !w->holds[i])
			goto nomem;
		for (size_t k = 0; k < sm->relay_count; k++)
			w->relay_nets[i][k] = (struct mta_net){sm->relay_addr[k], sm->relay_mask[k]};
		for (size_t k = 0; k < sm->route_count; k++)
			w->routes[i][k] = (struct mta_route){sm->routes[k].domain, sm->routes[k].via};
		for (size_t k = 0; k < sm->local_domain_count; k++)
			w->domains[i][k] = sm->local_domains[k];
		for (size_t k = 0; k < sm->hold_domain_count; k++)
			w->holds[i][k] = sm->hold_domains[k];
		struct mta_config c;
		mta_config_default(&c, sm->hostname);
		c.local_domains = w->domains[i];
		c.n_local_domains = sm->local_domain_count;
		c.store = w->stores[i];
		c.rules = w->rules[i];
		c.relay_nets = w->relay_nets[i];
		c.n_relay_nets = sm->relay_count;
		c.open_relay = sm->open_relay;
		c.routes = w->routes[i];
		c.n_routes = sm->route_count;
		c.hold_domains = w->holds[i];
		c.n_hold_domains = sm->hold_domain_count;
		c.dns_server = sm->dns >= 0 ? host_ip(w, sm->dns) : 0;
		if (sm->retry_count) {
			c.retry_schedule = sm->retry;
			c.n_retry = sm->retry_count;
		}
		if (sm->max_queue_time)
			c.max_queue_time = sm->max_queue_time;
		if (sm->max_hops)
			c.max_hops = sm->max_hops;
		if (sm->max_message_size)
			c.max_message_size = sm->max_message_size;
		c.turn_enabled = sm->turn;
		c.starttls = sm->starttls;
		const char **texts[SCN_TEXT_COUNT] = {&c.greeting, &c.helo_text,   &c.ehlo_text,   &c.mail_ok_text,
						      &c.rcpt_ok_text, &c.data_text, &c.queued_text, &c.quit_text};
		for (int t = 0; t < SCN_TEXT_COUNT; t++)
			if (sm->texts[t])
				*texts[t] = sm->texts[t];
		w->mtas[i] = mta_new(&w->env, sm->host, &c);
		if (!w->mtas[i]) {
			snprintf(err, errlen, "%s: mtas[%zu]: cannot start the MTA on \"%s\" (ports 25 and 587 taken?)",
				 s->file, i, s->hosts[sm->host].name);
			return -1;
		}
		if (start_pop3d(w, i, err, errlen) < 0)
			return -1;
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- IMAP (mailbox access) ---- */

static int start_imapds(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	size_t nimap = 0;
	for (size_t i = 0; i < s->mail_count; i++)
		nimap += s->mail[i].kind == SCN_MAIL_IMAP;
	w->imapds = calloc(s->mta_count + 1, sizeof *w->imapds);
	w->imap_readers = calloc(s->mail_count + 1, sizeof *w->imap_readers);
	w->imap_slot = calloc(s->mail_count + 1, sizeof *w->imap_slot);
	w->imap_final = calloc(nimap + 1, sizeof *w->imap_final);
	w->imap_final_set = calloc(nimap + 1, 1);
	w->imap_live = calloc(nimap + 1, sizeof *w->imap_live);
	if (!w->imapds || !w->imap_readers || !w->imap_slot || !w->imap_final || !w->imap_final_set || !w->imap_live) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0, k = 0; i < s->mail_count; i++)
		w->imap_slot[i] = s->mail[i].kind == SCN_MAIL_IMAP ? (long)k++ : -1;
	for (size_t i = 0; i < s->mta_count; i++) {
		if (!s->mtas[i].imap)
			continue;
		struct imapd_config c = {.hostname = s->mtas[i].hostname};
		w->imapds[i] = imapd_new(&w->env, s->mtas[i].host, w->stores[i], &c);
		if (!w->imapds[i]) {
			snprintf(err, errlen, "%s: mtas[%zu]: cannot start the IMAP server on \"%s\" (port 143 taken?)",
				 s->file, i, s->hosts[s->mtas[i].host].name);
			return -1;
		}
		static const struct host_life_hooks imapd_life = {imapd_on_crash, imapd_on_restart};
		if (host_life_register(w->life, s->mtas[i].host, &imapd_life, w->imapds[i]) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* Frees the readers that have finished, keeping their stats. Run before
 * every mail action, so at most the readers of one reading round live. */
static void reap_imap_readers(struct scn_world *w)
{
	size_t kept = 0;
	for (size_t k = 0; k < w->imap_live_count; k++) {
		size_t i = w->imap_live[k];
		struct imap_reader *rd = w->imap_readers[i];
		if (rd && imap_reader_finished(rd)) {
			long slot = w->imap_slot[i];
			w->imap_final[slot] = *imap_reader_stats(rd);
			w->imap_final_set[slot] = 1;
			imap_reader_free(&w->imap_readers[i]);
		} else if (rd) {
			w->imap_live[kept++] = i;
		}
	}
	w->imap_live_count = kept;
}

static void start_imap_reader(struct scn_world *w, const struct scn_mail_action *a)
{
	const struct scn_imap *im = a->imap;
	size_t i = (size_t)(a - w->s->mail);
	struct imap_reader_config c = {.user = im->user,
				       .password = im->password,
				       .server_ip = host_ip(w, im->server),
				       .port = im->port,
				       .steps = im->steps,
				       .step_count = im->step_count};
	/* Each action runs once: its slot is never live here. */
	imap_reader_free(&w->imap_readers[i]);
	w->imap_readers[i] = imap_reader_start(&w->env, im->host, &c);
	if (!w->imap_readers[i])
		agent_publish_note(&w->env, im->host, 0, "imap", "cannot open a connection");
	else
		w->imap_live[w->imap_live_count++] = i;
}

static void free_imap(struct scn_world *w)
{
	const struct scenario *s = w->s;
	for (size_t i = 0; w->imap_readers && i < s->mail_count; i++)
		imap_reader_free(&w->imap_readers[i]);
	for (size_t i = 0; w->imapds && i < s->mta_count; i++) {
		if (w->imapds[i])
			host_life_unregister(w->life, s->mtas[i].host, w->imapds[i]);
		imapd_free(&w->imapds[i]);
	}
	free(w->imap_readers);
	free(w->imapds);
	free(w->imap_slot);
	free(w->imap_final);
	free(w->imap_final_set);
	free(w->imap_live);
	w->imap_readers = NULL;
	w->imapds = NULL;
	w->imap_slot = NULL;
	w->imap_final = NULL;
	w->imap_final_set = NULL;
	w->imap_live = NULL;
	w->imap_live_count = 0;
}

struct imapd *scn_world_imapd(struct scn_world *w, size_t i)
{
	return w->imapds && i < w->s->mta_count ? w->imapds[i] : NULL;
}

struct imap_reader *scn_world_imap_reader(struct scn_world *w, size_t i)
{
	return w->imap_readers && i < w->s->mail_count ? w->imap_readers[i] : NULL;
}

const struct imap_reader_stats *scn_world_imap_stats(struct scn_world *w, size_t i)
{
	if (!w->imap_readers || i >= w->s->mail_count || w->imap_slot[i] < 0)
		return NULL;
	if (w->imap_readers[i])
		return imap_reader_stats(w->imap_readers[i]);
	return w->imap_final_set[w->imap_slot[i]] ? &w->imap_final[w->imap_slot[i]] : NULL;
}

struct typist *scn_world_typist(struct scn_world *w, size_t i)
{
	return w->typists && i < w->s->mail_count ? w->typists[i] : NULL;
}

/* ---- UAs ---- */

static void ua_report(void *ctx, const struct ua_send_report *r)
{
	(void)ctx;
	(void)r; /* the bus has it (OBS_MAIL and a note) */
}

static int start_uas(struct scn_world *w, char *err, size_t errlen)
{
	const struct scenario *s = w->s;
	w->uas = calloc(s->ua_count + 1, sizeof *w->uas);
	if (!w->uas) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->ua_count; i++) {
		const struct scn_ua *su = &s->uas[i];
		struct ua_config c = {.address = su->address,
				      .helo_name = su->helo,
				      .submit_ip = host_ip(w, su->mta),
				      .submit_port = su->port,
				      .use_ehlo = su->ehlo,
				      .starttls = su->starttls,
				      .local_keep = su->local_keep};
		w->uas[i] = ua_new(&w->env, su->host, &c, ua_report, w);
		if (!w->uas[i]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static void run_mail_event(struct sim *sim, void *ctx)
{
	(void)sim;
	struct mail_event *me = ctx;
	struct scn_world *w = me->w;
	const struct scn_mail_action *a = me->a;
	reap_imap_readers(w);
	if (a->kind == SCN_MAIL_FLUSH) {
		mta_flush(w->mtas[a->mta], a->domain);
		return;
	}
	if (a->kind == SCN_MAIL_TURN) {
		if (a->mta >= 0 && mta_turn_request(w->mtas[a->mta], host_ip(w, a->session_to), a->turn_helo) < 0)
			agent_publish_note(&w->env, w->s->mtas[a->mta].host, 0, "smtp", "TURN: cannot open a connection");
		return;
	}
	if (a->kind == SCN_MAIL_POP3) {
		pop3_download(w, a);
		return;
	}
	if (a->kind == SCN_MAIL_IMAP) {
		start_imap_reader(w, a);
		return;
	}
	if (a->kind == SCN_MAIL_SESSION) {
		if (w->s->skip_sessions)
			return;
		size_t i = (size_t)(a - w->s->mail);
		w->typists[i] = typist_start(&w->env, a->session_from, host_ip(w, a->session_to), a->session_port,
					     (const char *const *)a->lines, a->line_count);
		if (!w->typists[i])
			agent_publish_note(&w->env, a->session_from, 0, "typist", "cannot open a connection");
		return;
	}
	const struct scn_ua *su = &w->s->uas[a->ua];
	struct msg_attachment atts[64];
	size_t na = a->attachment_count < 64 ? a->attachment_count : 64;
	for (size_t i = 0; i < na; i++)
		atts[i] = (struct msg_attachment){a->attachments[i].filename, a->attachments[i].type,
						  a->attachments[i].data, a->attachments[i].len, NULL};
	struct msg_draft d = {.from = a->from ? a->from : su->address,
			      .to = a->to,
			      .cc = a->cc,
			      .bcc = a->bcc,
			      .subject = a->subject,
			      .text = a->text,
			      .html = a->html,
			      .attachments = atts,
			      .n_attachments = na};
	char err[256] = "";
	if (ua_send(w->uas[a->ua], &d, err, sizeof err) < 0)
		agent_publish_note(&w->env, su->host, 0, "ua", "cannot send: %s", err);
}

static void services_restart(void *ctx, int host) { testapp_host_restarted(ctx, host); }

int scn_world_mail_start(struct scn_world *w, char *err, size_t errlen)
{
	w->env = (struct agent_env){w->sim, w->net, w->tcp, w->udp, EPOCH_UNIX_S, ZONE_MIN, NULL};
	w->life = host_life_new(&w->env);
	if (!w->life) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->env.life = w->life;
	/* The test services listen again when their host restarts. */
	static const struct host_life_hooks services_life = {NULL, services_restart};
	for (size_t i = 0; i < w->s->service_count; i++) {
		int h = w->s->services[i].host;
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= w->s->services[k].host == h;
		if (!seen && host_life_register(w->life, h, &services_life, w->app) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (start_dns(w, err, errlen) < 0 || start_mtas(w, err, errlen) < 0 || start_uas(w, err, errlen) < 0 ||
	    start_imapds(w, err, errlen) < 0)
		return -1;
	const struct scenario *s = w->s;
	w->sniffers = calloc(s->sniffer_count + 1, sizeof *w->sniffers);
	for (size_t i = 0; w->sniffers && i < s->sniffer_count; i++) {
		w->sniffers[i] = obs_sniffer_open(w->sim, w->net, w->link_ids[s->sniffers[i].link], s->sniffers[i].name,
					     s->links[s->sniffers[i].link].name);
		if (!w->sniffers[i]) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	w->mail_events = calloc(s->mail_count + 1, sizeof *w->mail_events);
	w->typists = calloc(s->mail_count + 1, sizeof *w->typists);
	int h = sim_handler(w->sim, run_mail_event);
	if (!w->mail_events || !w->typists || h < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < s->mail_count; i++) {
		w->mail_events[i] = (struct mail_event){w, &s->mail[i]};
		if (!sim_at(w->sim, s->mail[i].at, h, &w->mail_events[i])) {
			snprintf(err, errlen, "cannot schedule the mail timeline");
			return -1;
		}
	}
	return 0;
}

void scn_world_mail_free(struct scn_world *w)
{
	const struct scenario *s = w->s;
	for (size_t i = 0; w->sniffers && i < s->sniffer_count; i++)
		obs_sniffer_close(&w->sniffers[i]);
	free(w->sniffers);
	w->sniffers = NULL;
	for (size_t i = 0; w->typists && i < s->mail_count; i++)
		typist_free(&w->typists[i]);
	free(w->typists);
	w->typists = NULL;
	pop3_free(w); /* the readers borrow the UAs' stores; pop3d the MTAs' */
	free_imap(w);
	for (size_t i = 0; w->uas && i < s->ua_count; i++)
		ua_free(&w->uas[i]);
	for (size_t i = 0; w->mtas && i < s->mta_count; i++)
		mta_free(&w->mtas[i]);
	dns_server_free(&w->dns);
	for (size_t i = 0; w->stores && i < s->mta_count; i++) {
		mailstore_free(&w->stores[i]);
		if (w->rules)
			mail_rules_free(&w->rules[i]);
		if (w->relay_nets)
			free(w->relay_nets[i]);
		if (w->routes)
			free(w->routes[i]);
		if (w->domains)
			free(w->domains[i]);
		if (w->holds)
			free(w->holds[i]);
	}
	free(w->uas);
	free(w->mtas);
	free(w->stores);
	free(w->rules);
	w->rules = NULL;
	free(w->relay_nets);
	free(w->routes);
	free(w->domains);
	free(w->holds);
	free(w->mail_events);
	host_life_free(&w->life);
	w->env.life = NULL;
	w->uas = NULL;
	w->mtas = NULL;
	w->stores = NULL;
}

struct mailstore *scn_world_mailstore(struct scn_world *w, size_t i)
{
	return w->stores && i < w->s->mta_count ? w->stores[i] : NULL;
}

struct dns_server *scn_world_dns_server(struct scn_world *w) { return w->dns; }

struct mta *scn_world_mta(struct scn_world *w, size_t i) { return w->mtas && i < w->s->mta_count ? w->mtas[i] : NULL; }

int scn_world_export_maildir(struct scn_world *w, const char *dir, char *err, size_t errlen)
{
	for (size_t i = 0; w->stores && i < w->s->mta_count; i++)
		if (mailstore_export_maildir(w->stores[i], dir, err, errlen) != 0)
			return -1;
	return 0;
}

/* ---- expectations ---- */

static struct ms_user *find_user(const struct scn_world *w, const char *address)
{
	for (size_t i = 0; w->stores && i < w->s->mta_count; i++) {
		struct ms_user *u = mailstore_find_user(w->stores[i], address);
		if (u)
			return u;
	}
	return NULL;
}

static int count_fields(const struct ms_message *m, const char *name)
{
	struct hdr_field f;
	int n = 0;
	while (hdr_find((const char *)blob_data(m->body), blob_len(m->body), name, n, &f))
		n++;
	return n;
}

struct obs_sniffer *scn_world_sniffer(struct scn_world *w, size_t i)
{
	return w->sniffers && i < w->s->sniffer_count ? w->sniffers[i] : NULL;
}

size_t scn_world_mail_failed_expectations(const struct scn_world *w, FILE *out)
{
	size_t failed = 0;
	for (size_t i = 0; w->sniffers && i < w->s->sniffer_expect_count; i++) {
		const struct scn_sniffer_expect *x = &w->s->sniffer_expects[i];
		int read = obs_sniffer_read(w->sniffers[x->sniffer], x->text);
		int ok = read == x->readable;
		failed += !ok;
		if (out)
			fprintf(out, "  expect sniffer %s %s \"%s\": %s\n", w->s->sniffers[x->sniffer].name,
				x->readable ? "reads" : "cannot read", x->text, ok ? "ok" : "FAILED");
	}
	for (size_t i = 0; i < w->s->mail_expect_count; i++) {
		const struct scn_mail_expect *x = &w->s->mail_expects[i];
		struct ms_user *u = x->ua >= 0 && w->uas && w->uas[x->ua]
					? mailstore_find_user(ua_local_store(w->uas[x->ua]), x->mailbox)
					: find_user(w, x->mailbox);
		struct ms_folder *f = u ? ms_folder_find(u, x->folder) : NULL;
		size_t n = f ? ms_folder_size(f) : 0;
		char why[300] = "";
		if (!f)
			snprintf(why, sizeof why, "no folder %s", x->folder);
		else if (x->messages >= 0 && (int)n != x->messages)
			snprintf(why, sizeof why, "%zu message(s), expected %d", n, x->messages);
		for (size_t k = 0; f && !why[0] && k < n; k++) {
			const struct ms_message *m = ms_folder_message(f, k);
			int rec = count_fields(m, "Received");
			struct hdr_field hf;
			if (x->received >= 0 && rec != x->received)
				snprintf(why, sizeof why, "message %zu has %d Received field(s), expected %d", k + 1, rec,
					 x->received);
			else if (x->absent_header && hdr_find((const char *)blob_data(m->body), blob_len(m->body),
							      x->absent_header, 0, &hf))
				snprintf(why, sizeof why, "message %zu has a %s field", k + 1, x->absent_header);
			else if (x->subject) {
				int ok = hdr_find((const char *)blob_data(m->body), blob_len(m->body), "Subject", 0, &hf);
				char subj[400];
				snprintf(subj, sizeof subj, "%.*s", ok ? (int)hf.value_len : 0, ok ? hf.value : "");
				if (!strstr(subj, x->subject))
					snprintf(why, sizeof why, "message %zu's Subject lacks \"%s\"", k + 1, x->subject);
			}
		}
		if (why[0]) {
			failed++;
			if (out)
				fprintf(out, "  expect mailbox %s %s%s%s: FAILED: %s\n", x->mailbox, x->folder,
					x->ua >= 0 ? " on " : "", x->ua >= 0 ? w->s->hosts[w->s->uas[x->ua].host].name : "",
					why);
		} else if (out) {
			fprintf(out, "  expect mailbox %s %s%s%s: ok (%zu message%s)\n", x->mailbox, x->folder,
				x->ua >= 0 ? " on " : "", x->ua >= 0 ? w->s->hosts[w->s->uas[x->ua].host].name : "", n,
				n == 1 ? "" : "s");
		}
	}
	return failed;
}

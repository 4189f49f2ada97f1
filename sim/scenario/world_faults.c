/* The faults of a world, applied at their time: each changes the network,
 * a host, the DNS server or a mailstore, and is announced as an OBS_APP
 * note of kind "fault" (host crashes, restarts and clock changes by
 * host_life.h, the others here), so the transcript, the trace and the
 * viewer's event log all show it. */
#include <stdio.h>

#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/host_life.h"
#include "sim/agents/mailstore.h"
#include "sim/net/net.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world_internal.h"

#define NOTE(w, host, ...) agent_publish_note(&(w)->env, (host), 0, "fault", __VA_ARGS__)

static const char *why_sep(const struct scn_fault *f) { return f->description && *f->description ? ": " : ""; }
static const char *why(const struct scn_fault *f) { return f->description ? f->description : ""; }

static void link_fault(struct scn_world *w, const struct scn_fault *f)
{
	struct net *net = w->net;
	int link = w->link_ids[f->link];
	const char *name = w->s->links[f->link].name;
	switch (f->kind) {
	case SCN_FAULT_DOWN:
		NOTE(w, -1, "LINK %s DOWN: what is queued or in flight on it is lost, nothing crosses it%s%s", name,
		     why_sep(f), why(f));
		net_link_set_up(net, link, 0);
		break;
	case SCN_FAULT_UP:
		NOTE(w, -1, "LINK %s UP again%s%s", name, why_sep(f), why(f));
		net_link_set_up(net, link, 1);
		break;
	default: {
		const struct link_params *p = net_link_params(net, link);
		double loss = f->set_loss ? f->loss : p->loss;
		sim_time lat = f->set_latency ? f->latency : p->latency;
		NOTE(w, -1, "LINK %s now loses %.3g%% of packets, latency %.3f ms (was %.3g%%, %.3f ms)%s%s", name,
		     loss * 100, (double)lat / SIM_MS, p->loss * 100, (double)p->latency / SIM_MS, why_sep(f), why(f));
		if (f->set_loss)
			net_link_set_loss(net, link, f->loss);
		if (f->set_latency)
			net_link_set_latency(net, link, f->latency);
		break;
	}
	}
}

static void dns_fault(struct scn_world *w, const struct scn_fault *f)
{
	if (!w->dns)
		return;
	int host = dns_server_host(w->dns);
	struct dns_db *db = dns_server_db(w->dns);
	char err[200] = "";
	int rc = 0;
	switch (f->kind) {
	case SCN_FAULT_DNS_DOWN:
		dns_server_set_mode(w->dns, DNS_SERVER_SILENT);
		NOTE(w, host, "DNS OUTAGE: the server stops answering; resolvers time out and mail waits in the queues%s%s",
		     why_sep(f), why(f));
		return;
	case SCN_FAULT_DNS_SERVFAIL:
		dns_server_set_mode(w->dns, DNS_SERVER_SERVFAIL);
		NOTE(w, host, "DNS SERVFAIL: every answer is SERVFAIL, a temporary failure: mail is retried later%s%s",
		     why_sep(f), why(f));
		return;
	case SCN_FAULT_DNS_UP:
		dns_server_set_mode(w->dns, DNS_SERVER_NORMAL);
		NOTE(w, host, "DNS BACK: the server answers again%s%s", why_sep(f), why(f));
		return;
	case SCN_FAULT_DNS_SET:
		rc = dns_db_replace_text(db, f->name, f->ttl, f->type, f->value, err, sizeof err);
		if (rc >= 0)
			NOTE(w, host, "DNS CHANGE: %s %s is now \"%s\" (the old records are gone)%s%s", f->name, f->type,
			     f->value, why_sep(f), why(f));
		break;
	case SCN_FAULT_DNS_ADD:
		rc = dns_db_add_text(db, f->name, f->ttl, f->type, f->value, err, sizeof err);
		if (rc >= 0)
			NOTE(w, host, "DNS CHANGE: added %s %s \"%s\"%s%s", f->name, f->type, f->value, why_sep(f), why(f));
		break;
	case SCN_FAULT_DNS_REMOVE: {
		int type = dns_type_from_name(f->type);
		rc = type > 0 ? dns_db_remove(db, f->name, (uint16_t)type) : -1;
		if (rc >= 0)
			NOTE(w, host, "DNS CHANGE: removed %d %s record%s of %s%s%s", rc, f->type, rc == 1 ? "" : "s",
			     f->name, why_sep(f), why(f));
		break;
	}
	default: return;
	}
	if (rc < 0)
		NOTE(w, host, "DNS CHANGE of %s %s failed: %s", f->name, f->type, err[0] ? err : dns_strerror(rc));
}

static void disk_fault(struct scn_world *w, const struct scn_fault *f)
{
	struct mailstore *ms = w->stores ? w->stores[f->mta] : NULL;
	if (!ms)
		return;
	if (f->kind == SCN_FAULT_DISK_FULL) {
		uint64_t used = mailstore_bytes(ms);
		/* Capacity 0 means unlimited: an empty store gets 1 byte. */
		mailstore_set_capacity(ms, used ? used : 1);
		NOTE(w, f->host,
		     "DISK FULL: the mailboxes hold %llu bytes and nothing more fits; deliveries get 452 4.3.1 and "
		     "the senders keep the mail queued%s%s",
		     (unsigned long long)used, why_sep(f), why(f));
		return;
	}
	uint64_t cap = w->s->mtas[f->mta].disk;
	mailstore_set_capacity(ms, cap);
	if (cap)
		NOTE(w, f->host, "DISK FREED: %llu of %llu bytes free again; queued mail can be delivered%s%s",
		     (unsigned long long)mailstore_free_space(ms), (unsigned long long)cap, why_sep(f), why(f));
	else
		NOTE(w, f->host, "DISK FREED: space is no longer a limit; queued mail can be delivered%s%s", why_sep(f),
		     why(f));
}

void scn_world_apply_fault(struct sim *sim, void *ctx)
{
	(void)sim;
	struct fault_event *fe = ctx;
	struct scn_world *w = fe->w;
	const struct scn_fault *f = fe->f;
	switch (f->kind) {
	case SCN_FAULT_DOWN:
	case SCN_FAULT_UP:
	case SCN_FAULT_SET: link_fault(w, f); break;
	case SCN_FAULT_CRASH:
		if (host_life_crash(w->life, f->host, f->description) < 0)
			NOTE(w, f->host, "CRASH of %s ignored: it is down already", w->s->hosts[f->host].name);
		break;
	case SCN_FAULT_RESTART:
		if (host_life_restart(w->life, f->host, f->description) < 0)
			NOTE(w, f->host, "RESTART of %s ignored: it is not down", w->s->hosts[f->host].name);
		break;
	case SCN_FAULT_DNS_DOWN:
	case SCN_FAULT_DNS_UP:
	case SCN_FAULT_DNS_SERVFAIL:
	case SCN_FAULT_DNS_SET:
	case SCN_FAULT_DNS_ADD:
	case SCN_FAULT_DNS_REMOVE: dns_fault(w, f); break;
	case SCN_FAULT_DISK_FULL:
	case SCN_FAULT_DISK_FREE: disk_fault(w, f); break;
	case SCN_FAULT_CLOCK: host_life_set_skew(w->life, f->host, f->skew, f->description); break;
	default: break;
	}
}

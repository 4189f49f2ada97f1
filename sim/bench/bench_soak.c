/* `mailsim bench soak`: the long soak of issue 9. A generated campus
 * scenario (three mail domains on three MTAs, DNS, a user per host on each
 * domain) runs for a simulated week: users send mail through the day to
 * random users of every domain; three times a day each reads: POP3 users
 * download and delete, IMAP users fetch, flag \Deleted and expunge, so the
 * mailboxes stop growing. Every day brings faults (a link down, an MTA
 * crash, a DNS outage, a full disk, a lossy link), all repaired.
 *
 * At the end of each simulated day it samples the process's memory
 * (VmRSS and VmHWM from /proc/self/status) and the messages held in the
 * mailboxes and queues, so a reader sees memory flat once mailboxes stop
 * growing; at the end it prints messages handled, the mail ledger and
 * whether the heap stayed flat from day 2 on. The users delete on their
 * PCs too ("local_keep"), or the PCs' local folders would keep growing.
 *
 * The ledger keeps a record per accepted recipient for the whole run (a
 * few hundred bytes each: about 2 MB for the default week), which is part
 * of the memory shown; docs/performance.md ("Soak") discusses it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/bench/bench.h"
#include "sim/core/rng.h"
#include "sim/core/sim.h"
#include "sim/observe/ledger.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define DOMAINS 3
#define DAY (24 * 3600 * SIM_S)
#define LOCAL_KEEP 10 /* messages each user keeps per local folder */
/* Memory is "flat" when the heap in use after the last day is at most this
 * much above its value after day 2 (by then the mailboxes, the PCs' local
 * folders and every pool have reached their working size). */
#define FLAT_FROM_DAY 2
#define FLAT_TOLERANCE_KB 64

struct soak_opts {
	uint64_t days, users, per_day, seed;
	int json, no_ledger;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mailsim bench soak [--days N] [--users N] [--messages N] [--seed N] [--no-ledger] [--json]\n\n"
		     "Runs a generated campus (3 domains, N users each) for a simulated week with\n"
		     "daily faults; readers download and delete (POP3) or expunge (IMAP). Prints\n"
		     "memory (VmRSS, VmHWM, heap in use) per simulated day, whether the heap is\n"
		     "flat from day 2 on (within 64 kB), messages handled and the mail ledger.\n\n"
		     "  --days N      simulated days (default 7)\n"
		     "  --users N     users per domain (default 10)\n"
		     "  --messages N  messages each user sends per day (default 8)\n"
		     "  --seed N      seed (default 1)\n"
		     "  --no-ledger   run without the mail ledger (to see what it costs in memory)\n"
		     "  --json        one JSON object instead of the report\n");
}

/* VmRSS and VmHWM of this process, in KiB (0 when unknown). */
static void read_vm(uint64_t *rss_kb, uint64_t *hwm_kb)
{
	*rss_kb = *hwm_kb = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;
		if (sscanf(line, "VmRSS: %llu kB", &v) == 1)
			*rss_kb = v;
		else if (sscanf(line, "VmHWM: %llu kB", &v) == 1)
			*hwm_kb = v;
	}
	fclose(f);
}

static void add_host(cJSON *hosts, cJSON *router_ifaces, cJSON *links, const char *name, const char *role,
		     const char *ip, const char *router_ip, const char *fqdn)
{
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "name", name);
	cJSON_AddStringToObject(h, "role", role);
	cJSON_AddStringToObject(h, "ip", ip);
	cJSON_AddStringToObject(h, "fqdn", fqdn);
	cJSON_AddItemToArray(hosts, h);
	char ifname[64];
	snprintf(ifname, sizeof ifname, "to-%s", name);
	cJSON *i = cJSON_CreateObject();
	cJSON_AddStringToObject(i, "name", ifname);
	cJSON_AddStringToObject(i, "ip", router_ip);
	cJSON_AddItemToArray(router_ifaces, i);
	cJSON *l = cJSON_CreateObject();
	cJSON_AddStringToObject(l, "a", name);
	cJSON_AddStringToObject(l, "b", "campus");
	cJSON_AddStringToObject(l, "b_iface", ifname);
	cJSON_AddStringToObject(l, "latency", "5ms");
	cJSON_AddStringToObject(l, "bandwidth", "100Mbps");
	cJSON_AddItemToArray(links, l);
}

static void at_text(sim_time t, char *buf, size_t n) { snprintf(buf, n, "%.3fs", (double)t / SIM_S); }

static void add_fault(cJSON *faults, sim_time t, const char *key, const char *target, const char *action)
{
	char at[40];
	at_text(t, at, sizeof at);
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "at", at);
	if (key)
		cJSON_AddStringToObject(f, key, target);
	cJSON_AddStringToObject(f, "action", action);
	cJSON_AddItemToArray(faults, f);
}

/* The campus scenario as JSON text (malloc'd), or NULL on ENOMEM. */
static char *campus_json(const struct soak_opts *o)
{
	struct rng r;
	rng_init_stream(&r, o->seed, "soak-campus");
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "title", "campus soak");
	cJSON_AddNumberToObject(root, "seed", (double)o->seed);
	cJSON *hosts = cJSON_AddArrayToObject(root, "hosts");
	cJSON *links = cJSON_AddArrayToObject(root, "links");
	cJSON *router = cJSON_CreateObject();
	cJSON_AddStringToObject(router, "name", "campus");
	cJSON_AddStringToObject(router, "role", "router");
	cJSON *ifaces = cJSON_AddArrayToObject(router, "interfaces");
	add_host(hosts, ifaces, links, "dns", "dns", "10.0.100.53", "10.0.100.1", "ns.campus");
	cJSON *mtas = cJSON_CreateArray(), *uas = cJSON_CreateArray(), *zones = cJSON_CreateArray();
	char name[64], ip[32], rip[32], fqdn[96], dom[32], addr[96];
	for (int d = 0; d < DOMAINS; d++) {
		snprintf(dom, sizeof dom, "d%d.campus", d);
		snprintf(name, sizeof name, "mx%d", d);
		snprintf(ip, sizeof ip, "10.%d.0.25", d + 1);
		snprintf(rip, sizeof rip, "10.%d.0.1", d + 1);
		snprintf(fqdn, sizeof fqdn, "mx.%s", dom);
		add_host(hosts, ifaces, links, name, "mta", ip, rip, fqdn);
		cJSON *z = cJSON_CreateObject();
		cJSON_AddStringToObject(z, "origin", dom);
		cJSON *recs = cJSON_AddArrayToObject(z, "records");
		cJSON *mx = cJSON_CreateObject();
		cJSON_AddStringToObject(mx, "name", dom);
		cJSON_AddStringToObject(mx, "type", "MX");
		char val[120];
		snprintf(val, sizeof val, "10 %s", fqdn);
		cJSON_AddStringToObject(mx, "value", val);
		cJSON_AddItemToArray(recs, mx);
		cJSON_AddItemToArray(zones, z);
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "host", name);
		cJSON *doms = cJSON_AddArrayToObject(m, "domains");
		cJSON_AddItemToArray(doms, cJSON_CreateString(dom));
		cJSON_AddBoolToObject(m, d == 1 ? "imap" : "pop3", 1);
		cJSON *relay = cJSON_AddArrayToObject(m, "relay_from");
		cJSON_AddItemToArray(relay, cJSON_CreateString("10.0.0.0/8"));
		cJSON *users = cJSON_AddArrayToObject(m, "users");
		for (uint64_t u = 0; u < o->users; u++) {
			snprintf(addr, sizeof addr, "u%llu@%s", (unsigned long long)u, dom);
			cJSON *us = cJSON_CreateObject();
			cJSON_AddStringToObject(us, "address", addr);
			cJSON_AddStringToObject(us, "password", "secreto");
			cJSON_AddItemToArray(users, us);
			snprintf(name, sizeof name, "pc%d-%llu", d, (unsigned long long)u);
			snprintf(ip, sizeof ip, "10.%d.%llu.10", d + 1, (unsigned long long)u + 1);
			snprintf(rip, sizeof rip, "10.%d.%llu.1", d + 1, (unsigned long long)u + 1);
			snprintf(fqdn, sizeof fqdn, "pc%llu.%s", (unsigned long long)u, dom);
			add_host(hosts, ifaces, links, name, "ua", ip, rip, fqdn);
			cJSON *ua = cJSON_CreateObject();
			cJSON_AddStringToObject(ua, "host", name);
			cJSON_AddStringToObject(ua, "address", addr);
			snprintf(name, sizeof name, "mx%d", d);
			cJSON_AddStringToObject(ua, "mta", name);
			/* The user reads and deletes on the PC too: without it the PC's
			 * INBOX (POP3 downloads) and Sent grow all week. */
			cJSON_AddNumberToObject(ua, "local_keep", LOCAL_KEEP);
			cJSON_AddItemToArray(uas, ua);
		}
		cJSON_AddItemToArray(mtas, m);
	}
	cJSON_AddItemToArray(hosts, router);
	cJSON *dns = cJSON_AddObjectToObject(root, "dns");
	cJSON_AddStringToObject(dns, "server", "dns");
	cJSON_AddItemToObject(dns, "zones", zones);
	cJSON_AddItemToObject(root, "mtas", mtas);
	cJSON_AddItemToObject(root, "uas", uas);
	cJSON *mail = cJSON_AddArrayToObject(root, "mail");
	cJSON *faults = cJSON_AddArrayToObject(root, "faults");
	char at[40];
	for (uint64_t day = 0; day < o->days; day++) {
		sim_time base = (sim_time)day * DAY;
		/* Senders: office hours, 8:00 to 20:00. */
		for (int d = 0; d < DOMAINS; d++)
			for (uint64_t u = 0; u < o->users; u++)
				for (uint64_t k = 0; k < o->per_day; k++) {
					sim_time t = base + 8 * 3600 * SIM_S + (sim_time)rng_below(&r, 12 * 3600) * SIM_S;
					int td = (int)rng_below(&r, DOMAINS);
					uint64_t tu = rng_below(&r, o->users);
					cJSON *a = cJSON_CreateObject();
					at_text(t, at, sizeof at);
					cJSON_AddStringToObject(a, "at", at);
					snprintf(name, sizeof name, "pc%d-%llu", d, (unsigned long long)u);
					cJSON_AddStringToObject(a, "ua", name);
					cJSON *s = cJSON_AddObjectToObject(a, "send");
					snprintf(addr, sizeof addr, "u%llu@d%d.campus", (unsigned long long)u, d);
					cJSON_AddStringToObject(s, "from", addr);
					snprintf(addr, sizeof addr, "u%llu@d%d.campus", (unsigned long long)tu, td);
					cJSON_AddStringToObject(s, "to", addr);
					cJSON_AddStringToObject(s, "subject", "apuntes");
					cJSON_AddStringToObject(s, "text",
								"Hola: te paso los apuntes de hoy, con la lista de "
								"ejercicios para el martes.\n");
					cJSON_AddItemToArray(mail, a);
				}
		/* Readers: 9:00, 13:00 and 18:00, a few seconds apart. */
		static const int hours[] = {9, 13, 18};
		for (int h = 0; h < 3; h++)
			for (int d = 0; d < DOMAINS; d++)
				for (uint64_t u = 0; u < o->users; u++) {
					sim_time t = base + (sim_time)hours[h] * 3600 * SIM_S +
						     (sim_time)(d * (int)o->users + (int)u) * 7 * SIM_S;
					cJSON *a = cJSON_CreateObject();
					at_text(t, at, sizeof at);
					cJSON_AddStringToObject(a, "at", at);
					cJSON *rd = cJSON_AddObjectToObject(a, d == 1 ? "imap" : "pop3");
					snprintf(name, sizeof name, "pc%d-%llu", d, (unsigned long long)u);
					cJSON_AddStringToObject(rd, "ua", name);
					snprintf(name, sizeof name, "mx%d", d);
					cJSON_AddStringToObject(rd, "server", name);
					snprintf(addr, sizeof addr, "u%llu", (unsigned long long)u);
					cJSON_AddStringToObject(rd, "user", addr);
					cJSON_AddStringToObject(rd, "password", "secreto");
					if (d == 1) {
						cJSON *steps = cJSON_AddArrayToObject(rd, "steps");
						cJSON *st = cJSON_CreateObject();
						cJSON_AddStringToObject(st, "sync", "INBOX");
						cJSON_AddItemToArray(steps, st);
						st = cJSON_CreateObject();
						cJSON_AddStringToObject(st, "fetch", "1:* (BODY.PEEK[])");
						cJSON_AddItemToArray(steps, st);
						st = cJSON_CreateObject();
						cJSON_AddStringToObject(st, "store", "1:* +FLAGS.SILENT (\\Deleted)");
						cJSON_AddItemToArray(steps, st);
						st = cJSON_CreateObject();
						cJSON_AddBoolToObject(st, "expunge", 1);
						cJSON_AddItemToArray(steps, st);
					}
					cJSON_AddItemToArray(mail, a);
				}
		/* The day's faults, each repaired. */
		add_fault(faults, base + 3 * 3600 * SIM_S, "link", "mx1-campus", "down");
		add_fault(faults, base + 3 * 3600 * SIM_S + 600 * SIM_S, "link", "mx1-campus", "up");
		add_fault(faults, base + 10 * 3600 * SIM_S, "host", "mx2", "crash");
		add_fault(faults, base + 10 * 3600 * SIM_S + 300 * SIM_S, "host", "mx2", "restart");
		add_fault(faults, base + 12 * 3600 * SIM_S, NULL, NULL, "dns-down");
		add_fault(faults, base + 12 * 3600 * SIM_S + 300 * SIM_S, NULL, NULL, "dns-up");
		add_fault(faults, base + 15 * 3600 * SIM_S, "host", "mx0", "disk-full");
		add_fault(faults, base + 15 * 3600 * SIM_S + 900 * SIM_S, "host", "mx0", "disk-free");
		cJSON *loss = cJSON_CreateObject();
		at_text(base + 16 * 3600 * SIM_S, at, sizeof at);
		cJSON_AddStringToObject(loss, "at", at);
		cJSON_AddStringToObject(loss, "link", "pc0-0-campus");
		cJSON_AddStringToObject(loss, "action", "set");
		cJSON_AddNumberToObject(loss, "loss", 0.05);
		cJSON_AddItemToArray(faults, loss);
		loss = cJSON_CreateObject();
		at_text(base + 17 * 3600 * SIM_S, at, sizeof at);
		cJSON_AddStringToObject(loss, "at", at);
		cJSON_AddStringToObject(loss, "link", "pc0-0-campus");
		cJSON_AddStringToObject(loss, "action", "set");
		cJSON_AddNumberToObject(loss, "loss", 0);
		cJSON_AddItemToArray(faults, loss);
	}
	char *text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

struct day_sample {
	uint64_t rss_kb, hwm_kb, heap;
	uint64_t stored; /* bytes in the mailboxes */
	size_t queued, accepted;
};

/* Bytes held in every MTA's mailboxes. */
static uint64_t stored_bytes(struct scn_world *w, size_t mtas)
{
	uint64_t n = 0;
	for (size_t i = 0; i < mtas; i++) {
		struct mailstore *ms = scn_world_mailstore(w, i);
		if (ms)
			n += mailstore_bytes(ms);
	}
	return n;
}

static void count_queued(void *ctx, const char *qid, const char *from, const char *rcpt, sim_time next,
			 const char *err)
{
	(void)qid, (void)from, (void)rcpt, (void)next, (void)err;
	(*(size_t *)ctx)++;
}

int bench_soak_main(int argc, char **argv)
{
	struct soak_opts o = {.days = 7, .users = 10, .per_day = 8, .seed = 1};
	static const struct option opts[] = {
	    {"days", required_argument, NULL, 'd'},  {"users", required_argument, NULL, 'u'},
	    {"messages", required_argument, NULL, 'm'}, {"seed", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},        {"no-ledger", no_argument, NULL, 'L'},
	           {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	optind = 1;
	int c, li = 0;
	while ((c = getopt_long(argc, argv, "", opts, &li)) != -1) {
		uint64_t *target = c == 'd' ? &o.days : c == 'u' ? &o.users : c == 'm' ? &o.per_day : c == 's' ? &o.seed : NULL;
		if (target) {
			if (bench_parse_count(optarg, target) < 0) {
				fprintf(stderr, "mailsim bench soak: --%s: '%s' is not a count\n", opts[li].name, optarg);
				return 2;
			}
		} else if (c == 'j') {
			o.json = 1;
		} else if (c == 'L') {
			o.no_ledger = 1;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || o.days < 1 || o.days > 365 || o.users < 1 || o.users > 200 || o.per_day > 200 ||
	    o.days * DOMAINS * o.users * (o.per_day + 3) > 19000) {
		fprintf(stderr, "mailsim bench soak: days 1..365, users 1..200, messages up to 200, and at most 19000 "
				"actions in all (days x 3 x users x (messages + 3))\n");
		return 2;
	}
	char *text = campus_json(&o);
	struct scn_diag *diag = scn_diag_new();
	struct scenario *s = text && diag ? scenario_load_text("soak-campus", text, strlen(text), diag) : NULL;
	free(text);
	if (!s) {
		fprintf(stderr, "mailsim bench soak: the generated campus does not load\n");
		for (size_t i = 0; diag && i < scn_diag_kept(diag); i++)
			fprintf(stderr, "  %s\n", scn_diag_message(diag, i));
		scn_diag_free(&diag);
		return 1;
	}
	scn_diag_free(&diag);
	char err[256] = "";
	struct scn_world *w = scn_world_new(s, o.seed, err, sizeof err);
	struct obs_ledger *l = w && !o.no_ledger ? obs_ledger_open(scn_world_sim(w), scn_world_net(w)) : NULL;
	if (!w || (!l && !o.no_ledger)) {
		fprintf(stderr, "mailsim bench soak: %s\n", w ? "out of memory" : err);
		scn_world_free(&w);
		scenario_free(&s);
		return 1;
	}
	struct day_sample *days = calloc(o.days + 1, sizeof *days);
	int64_t t0 = bench_wall_ns(), c0 = bench_cpu_ns();
	int failed = 0;
	for (uint64_t d = 0; d <= o.days && days; d++) {
		/* Sample 0 is after loading and building; then each day's end
		 * (the last day gets 6 more hours for the evening's retries). */
		if (d > 0 && scn_world_run(w, (sim_time)d * DAY + (d == o.days ? 6 * 3600 * SIM_S : 0)) == SIM_FAILED)
			failed = 1;
		read_vm(&days[d].rss_kb, &days[d].hwm_kb);
		days[d].heap = bench_malloc_bytes();
		days[d].stored = stored_bytes(w, s->mta_count);
		for (size_t i = 0; i < s->mta_count; i++)
			mta_foreach_queued(scn_world_mta(w, i), count_queued, &days[d].queued);
		for (size_t i = 0; i < s->mta_count; i++)
			days[d].accepted += mta_stats(scn_world_mta(w, i))->accepted;
		if (!o.json)
			printf("day %llu: VmRSS %llu kB, VmHWM %llu kB, heap in use %llu kB; %zu recipients accepted so far, %llu bytes in "
			       "mailboxes, %zu queued\n",
			       (unsigned long long)d, (unsigned long long)days[d].rss_kb,
			       (unsigned long long)days[d].hwm_kb, (unsigned long long)days[d].heap / 1024, days[d].accepted,
			       (unsigned long long)days[d].stored,
			       days[d].queued);
		fflush(stdout);
	}
	double wall = (double)(bench_wall_ns() - t0) / 1e9, cpu = (double)(bench_cpu_ns() - c0) / 1e9;
	/* The flatness verdict needs a day after FLAT_FROM_DAY to compare. */
	int judged = days && o.days > FLAT_FROM_DAY;
	/* Heap in use 0 means unknown (no mallinfo2, or a sanitizer's own
	 * allocator): then there is no verdict, rather than a false "yes". */
	int heap_known = days && days[o.days > FLAT_FROM_DAY ? FLAT_FROM_DAY : o.days].heap > 0;
	judged = judged && heap_known;
	int64_t growth = judged ? (int64_t)days[o.days].heap - (int64_t)days[FLAT_FROM_DAY].heap : 0;
	int flat = judged && growth <= FLAT_TOLERANCE_KB * 1024;
	for (size_t i = 0; l && i < s->mta_count; i++)
		obs_ledger_declare_mta(l, scn_world_mta(w, i));
	struct obs_ledger_totals t = {0};
	if (l)
		obs_ledger_totals(l, &t);
	int balanced = l ? obs_ledger_balanced(l) : 1;
	uint64_t sent = 0, delivered = 0;
	for (size_t i = 0; i < s->mta_count; i++) {
		const struct mta_stats *st = mta_stats(scn_world_mta(w, i));
		sent += st->accepted;
		delivered += st->delivered;
	}
	if (!days) {
		failed = 1;
	} else if (o.json) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "bench", "soak");
		cJSON_AddNumberToObject(root, "days", (double)o.days);
		cJSON_AddNumberToObject(root, "users", (double)(o.users * DOMAINS));
		cJSON_AddNumberToObject(root, "seed", (double)o.seed);
		cJSON_AddNumberToObject(root, "wall_s", wall);
		cJSON_AddNumberToObject(root, "cpu_s", cpu);
		cJSON_AddNumberToObject(root, "load_average", bench_load_average());
		cJSON_AddNumberToObject(root, "messages_accepted", (double)sent);
		cJSON_AddNumberToObject(root, "delivered", (double)delivered);
		cJSON *lj = cJSON_CreateObject();
		cJSON_AddNumberToObject(lj, "accepted", (double)t.accepted);
		cJSON_AddNumberToObject(lj, "delivered", (double)t.delivered);
		cJSON_AddNumberToObject(lj, "relayed", (double)t.relayed);
		cJSON_AddNumberToObject(lj, "bounced", (double)t.bounced);
		cJSON_AddNumberToObject(lj, "queued", (double)t.queued);
		cJSON_AddNumberToObject(lj, "problems", (double)t.problems);
		cJSON_AddNumberToObject(lj, "duplicates", (double)t.duplicates);
		cJSON_AddBoolToObject(lj, "balanced", balanced);
		cJSON_AddItemToObject(root, "ledger", lj);
		cJSON *fj = cJSON_CreateObject();
		cJSON_AddNumberToObject(fj, "from_day", FLAT_FROM_DAY);
		cJSON_AddNumberToObject(fj, "tolerance_bytes", FLAT_TOLERANCE_KB * 1024);
		if (judged) {
			cJSON_AddNumberToObject(fj, "heap_growth_bytes", (double)growth);
			cJSON_AddBoolToObject(fj, "flat", flat);
		} else {
			cJSON_AddNullToObject(fj, "flat");
		}
		cJSON_AddBoolToObject(fj, "ledger_kept", l != NULL);
		cJSON_AddItemToObject(root, "memory", fj);
		cJSON *arr = cJSON_AddArrayToObject(root, "per_day");
		for (uint64_t d = 0; d <= o.days; d++) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "day", (double)d);
			cJSON_AddNumberToObject(e, "vm_rss_kb", (double)days[d].rss_kb);
			cJSON_AddNumberToObject(e, "vm_hwm_kb", (double)days[d].hwm_kb);
			cJSON_AddNumberToObject(e, "heap_bytes", (double)days[d].heap);
			cJSON_AddNumberToObject(e, "accepted", (double)days[d].accepted);
			cJSON_AddNumberToObject(e, "mailbox_bytes", (double)days[d].stored);
			cJSON_AddNumberToObject(e, "queued", (double)days[d].queued);
			cJSON_AddItemToArray(arr, e);
		}
		if (bench_print_json(&root) < 0)
			failed = 1;
	} else {
		printf("soak: %llu simulated days, %llu users, %.1f s wall, %.1f s CPU (load %.2f)\n",
		       (unsigned long long)o.days, (unsigned long long)(o.users * DOMAINS), wall, cpu,
		       bench_load_average());
		printf("messages: %llu accepted by the MTAs, %llu delivered to mailboxes\n", (unsigned long long)sent,
		       (unsigned long long)delivered);
		if (l)
			printf("ledger: accepted %zu = delivered %zu + relayed %zu + bounced %zu + discarded %zu + queued %zu: %s"
		       " (%zu problems, %zu RFC 1047 duplicates)\n",
		       t.accepted, t.delivered, t.relayed, t.bounced, t.discarded, t.queued,
		       balanced ? "balanced" : "NOT balanced", t.problems, t.duplicates);
		else
			printf("ledger: not kept (--no-ledger)\n");
		if (!balanced)
			obs_ledger_print(l, stdout);
		printf("memory: VmRSS %llu kB after day 1, %llu kB after day %llu; peak VmHWM %llu kB\n",
		       (unsigned long long)days[o.days >= 1 ? 1 : 0].rss_kb, (unsigned long long)days[o.days].rss_kb,
		       (unsigned long long)o.days, (unsigned long long)days[o.days].hwm_kb);
		if (!judged && !heap_known)
			printf("memory flat: not judged (heap in use unknown in this build)\n");
		else if (!judged)
			printf("memory flat: not judged (needs --days %d or more)\n", FLAT_FROM_DAY + 1);
		else
			printf("memory flat: %s: heap in use %llu kB after day %d, %llu kB after day %llu (%+lld kB; "
			       "tolerance +%d kB)%s\n",
			       flat ? "yes" : "NO", (unsigned long long)days[FLAT_FROM_DAY].heap / 1024, FLAT_FROM_DAY,
			       (unsigned long long)days[o.days].heap / 1024, (unsigned long long)o.days,
			       (long long)(growth >= 0 ? (growth + 512) / 1024 : -((-growth + 512) / 1024)), FLAT_TOLERANCE_KB,
			       !flat && l ? "; the ledger keeps a record per accepted recipient for the whole run: "
					    "run with --no-ledger to see the rest alone"
					  : "");
	}
	if (!balanced)
		failed = 1;
	free(days);
	obs_ledger_close(&l);
	scn_world_free(&w);
	scenario_free(&s);
	return failed ? 1 : 0;
}

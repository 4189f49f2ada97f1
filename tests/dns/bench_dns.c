/* bench_dns: what an MX lookup costs in the simulation. One resolver host
 * and one authoritative server on a 1 ms link; D domains, each with two MX
 * records whose addresses come in the additional section; L MX lookups
 * started in batches of B (each batch run to completion). Prints wall time,
 * CPU time, lookups per CPU second, events and peak memory. A benchmark,
 * not a test: it measures and judges nothing. Built as build/bin/bench_dns
 * (a candidate for `mailsim bench dns` once that command exists).
 *
 *   bench_dns [--lookups L] [--batch B] [--domains D] [--seed N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "protocols/dns_zone.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/resolver.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/udp.h"

struct tally {
	long done, ok;
};

static void on_mx(void *ctx, const struct resolver_mx_result *r)
{
	struct tally *t = ctx;
	t->done++;
	t->ok += r->status == RESOLVER_OK && r->count == 2;
}

static double seconds(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: bench_dns [--lookups L] [--batch B] [--domains D] [--seed N]\n");
	return code;
}

static int parse_long(const char *s, long min, long *v_r)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == 0 || *end || v < min)
		return -1;
	*v_r = v;
	return 0;
}

int main(int argc, char **argv)
{
	long lookups = 100000, batch = 1000, domains = 100, seed = 1;
	static const struct option opts[] = {{"lookups", required_argument, NULL, 'l'},
					     {"batch", required_argument, NULL, 'b'},
					     {"domains", required_argument, NULL, 'd'},
					     {"seed", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		long *target = c == 'l' ? &lookups : c == 'b' ? &batch : c == 'd' ? &domains : c == 's' ? &seed : NULL;
		if (c == 'h')
			return usage(stdout, 0);
		if (!target || parse_long(optarg, c == 's' ? 0 : 1, target) < 0)
			return usage(stderr, 2);
	}
	if (optind != argc || batch > 20000)
		return usage(stderr, 2);

	struct sim *sim = sim_new((uint64_t)seed);
	struct net *net = net_new(sim);
	int client = net_add_host(net, "mta");
	int dns = net_add_host(net, "dns");
	net_add_iface(net, client, 0x0a000001u);
	net_add_iface(net, dns, 0x0a000035u);
	struct link_params lp = link_params_default();
	lp.queue_bytes = 64u << 20; /* a batch is sent at once: no drop-tail losses */
	net_add_link(net, client, 0, dns, 0, &lp);
	char err[200];
	if (net_finalize(net, err, sizeof err) < 0) {
		fprintf(stderr, "bench_dns: %s\n", err);
		return 1;
	}
	struct udp *udp = udp_new(net);
	struct dns_server *srv = dns_server_new(sim, udp, dns);
	struct dns_db *db = dns_server_db(srv);
	char name[128], value[128];
	for (long i = 0; i < domains; i++) {
		snprintf(name, sizeof name, "dom%ld.example", i);
		dns_db_add_zone(db, name, 3600, NULL);
		snprintf(value, sizeof value, "10 mx1.dom%ld.example", i);
		dns_db_add_text(db, name, 3600, "MX", value, NULL, 0);
		snprintf(value, sizeof value, "10 mx2.dom%ld.example", i);
		dns_db_add_text(db, name, 3600, "MX", value, NULL, 0);
		snprintf(name, sizeof name, "mx1.dom%ld.example", i);
		snprintf(value, sizeof value, "10.%ld.%ld.1", (i >> 8) & 255, i & 255);
		dns_db_add_text(db, name, 3600, "A", value, NULL, 0);
		snprintf(name, sizeof name, "mx2.dom%ld.example", i);
		snprintf(value, sizeof value, "10.%ld.%ld.2", (i >> 8) & 255, i & 255);
		dns_db_add_text(db, name, 3600, "A", value, NULL, 0);
	}
	struct resolver_config cfg;
	resolver_config_default(&cfg);
	cfg.server_ip = 0x0a000035u;
	struct resolver *res = resolver_new(sim, net, udp, client, &cfg);
	struct tally t = {0, 0};
	double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (long started = 0; started < lookups;) {
		for (long i = 0; i < batch && started < lookups; i++, started++) {
			snprintf(name, sizeof name, "dom%ld.example", (started * 7919) % domains);
			if (resolver_mx(res, name, on_mx, &t) < 0) {
				fprintf(stderr, "bench_dns: resolver_mx failed\n");
				return 1;
			}
		}
		sim_run(sim);
	}
	double wall = seconds(CLOCK_MONOTONIC) - w0, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("lookups %ld (ok %ld) batch %ld domains %ld\n", t.done, t.ok, batch, domains);
	printf("wall %.3f s, cpu %.3f s, %.0f lookups per cpu second, %.2f us cpu per lookup\n", wall, cpu,
	       cpu > 0 ? (double)t.done / cpu : 0.0, t.done ? cpu * 1e6 / (double)t.done : 0.0);
	printf("events %llu, simulated time %.3f s, peak rss %ld KiB\n", (unsigned long long)sim_events_run(sim),
	       (double)sim_now(sim) / 1e9, ru.ru_maxrss);
	int failed = t.done != lookups || t.ok != lookups;
	resolver_free(&res);
	dns_server_free(&srv);
	udp_free(&udp);
	net_free(&net);
	sim_free(&sim);
	packet_pool_drain();
	return failed;
}

/* bench_observers: what each observer costs on a real run. A bulk TCP
 * transfer (default 64 MiB) over two 1 Gb/s hops is run once per observer
 * set (none, pcap, trace, summary, text log, all) and the wall time, the
 * time per packet sent and the bytes written are printed. A benchmark, not
 * a test: it measures and judges nothing. Built as build/bin/bench_observers
 * (a candidate for `mailsim bench observe` once that command exists).
 *
 *   bench_observers [--bytes N] [--repeat N] [--dir DIR]
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/observe/observers.h"

struct xfer {
	uint8_t *payload;
	size_t bytes, sent;
};

static void push(void *ctx, struct tcp_conn *c)
{
	struct xfer *x = ctx;
	while (x->sent < x->bytes) {
		size_t n = tcp_send(c, x->payload + x->sent, x->bytes - x->sent);
		if (!n)
			return;
		x->sent += n;
	}
	tcp_close(c);
}

static void sink(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)c;
	(void)b;
	(void)n;
}

static void peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}

static void accept_conn(void *ctx, struct tcp_conn *c)
{
	static const struct tcp_callbacks cbs = {.data = sink, .peer_closed = peer_closed};
	tcp_set_callbacks(c, &cbs, ctx);
}

static double wall(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* One run with the observers named in mode; returns 0 and the figures. */
static int run(const char *mode, size_t bytes, const char *dir, double *secs_r, uint64_t *packets_r,
	       long *written_r)
{
	char err[256], pcap_path[512], trace_path[512], log_path[512];
	snprintf(pcap_path, sizeof pcap_path, "%s/bench_observers.pcap", dir);
	snprintf(trace_path, sizeof trace_path, "%s/bench_observers.jsonl", dir);
	snprintf(log_path, sizeof log_path, "%s/bench_observers.log", dir);
	struct xfer x = {calloc(1, bytes), bytes, 0};
	struct sim *sim = sim_new(1);
	struct net *net = sim ? net_new(sim) : NULL;
	if (!x.payload || !net)
		return -1;
	struct link_params lp = link_params_default();
	lp.bandwidth_bps = 1000000000;
	lp.queue_bytes = 1 << 22;
	int c = net_add_host(net, "client"), r = net_add_host(net, "router"), s = net_add_host(net, "server");
	int ci = net_add_iface(net, c, 0x0a000001), r0 = net_add_iface(net, r, 0x0a000002);
	int r1 = net_add_iface(net, r, 0x0a000101), si = net_add_iface(net, s, 0x0a000102);
	if (net_add_link(net, c, ci, r, r0, &lp) < 0 || net_add_link(net, r, r1, s, si, &lp) < 0 ||
	    net_finalize(net, err, sizeof err) < 0)
		return -1;
	struct tcp_config cfg = tcp_config_default();
	cfg.sndbuf = 1 << 20;
	struct tcp *tcp = tcp_new(net, &cfg);
	if (!tcp || tcp_listen(tcp, s, 9, accept_conn, NULL) < 0)
		return -1;

	int all = strcmp(mode, "all") == 0;
	struct obs_pcap *pcap = NULL;
	struct obs_trace *trace = NULL;
	struct obs_summary *sum = NULL;
	struct obs_text_log *log = NULL;
	FILE *logf = NULL;
	if ((all || !strcmp(mode, "pcap")) && !(pcap = obs_pcap_open(sim, net, pcap_path, err, sizeof err)))
		return -1;
	if ((all || !strcmp(mode, "trace")) && !(trace = obs_trace_open(sim, net, trace_path, err, sizeof err)))
		return -1;
	if ((all || !strcmp(mode, "summary")) && !(sum = obs_summary_open(sim, net)))
		return -1;
	if (all || !strcmp(mode, "log")) {
		logf = fopen(log_path, "w");
		if (!logf || !(log = obs_text_log_open(sim, net, logf)))
			return -1;
	}
	static const struct tcp_callbacks cli = {.connected = push, .writable = push};
	if (!tcp_connect(tcp, c, 0x0a000102, 9, &cli, &x))
		return -1;

	double t0 = wall();
	sim_run(sim);
	if (sum) {
		cJSON_Delete(obs_summary_json(sum, tcp));
		obs_summary_close(&sum);
	}
	int rc = obs_pcap_close(&pcap) | obs_trace_close(&trace) | obs_text_log_close(&log);
	if (logf)
		fclose(logf);
	*secs_r = wall() - t0;
	*packets_r = net_stats(net)->packets_sent;
	*written_r = file_size(pcap_path) + file_size(trace_path) + file_size(log_path);
	remove(pcap_path);
	remove(trace_path);
	remove(log_path);
	tcp_free(&tcp);
	net_free(&net);
	sim_free(&sim);
	free(x.payload);
	packet_pool_drain();
	return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"bytes", required_argument, NULL, 'b'},
					     {"repeat", required_argument, NULL, 'r'},
					     {"dir", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	size_t bytes = 64u << 20;
	int repeat = 5;
	const char *dir = "/tmp";
	int o;
	while ((o = getopt_long(argc, argv, "b:r:d:h", opts, NULL)) != -1) {
		char *end;
		switch (o) {
		case 'b':
			bytes = (size_t)strtoull(optarg, &end, 10);
			if (*end || !bytes) {
				fprintf(stderr, "bench_observers: --bytes: not a positive number: %s\n", optarg);
				return 2;
			}
			break;
		case 'r':
			repeat = atoi(optarg);
			if (repeat < 1) {
				fprintf(stderr, "bench_observers: --repeat: not a positive number: %s\n", optarg);
				return 2;
			}
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			printf("usage: bench_observers [--bytes N] [--repeat N] [--dir DIR]\n"
			       "Times a TCP transfer of N bytes (default 64 MiB) with each observer; best of\n"
			       "--repeat runs (default 5); files go to DIR (default /tmp) and are removed.\n");
			return 0;
		default:
			return 2;
		}
	}
	static const char *const modes[] = {"none", "summary", "pcap", "log", "trace", "all"};
	printf("%-8s %10s %10s %14s %12s\n", "observer", "wall s", "packets", "ns per packet", "MB written");
	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		double best = 0;
		uint64_t packets = 0;
		long written = 0;
		for (int i = 0; i < repeat; i++) {
			double secs;
			if (run(modes[m], bytes, dir, &secs, &packets, &written) < 0) {
				fprintf(stderr, "bench_observers: the %s run failed\n", modes[m]);
				return 1;
			}
			if (i == 0 || secs < best)
				best = secs;
		}
		printf("%-8s %10.4f %10llu %14.0f %12.1f\n", modes[m], best, (unsigned long long)packets,
		       best * 1e9 / (double)packets, (double)written / 1e6);
	}
	return 0;
}

/* The observers on a real run: a 100,000-byte TCP transfer over a lossless
 * two-hop path (client - router - server) with the pcap, the trace, the
 * text log and the summary all attached. Checks that the pcap holds every
 * packet the stack sent, once, with correct checksums and the client's
 * bytes in order; that the trace has one line per record and the summary
 * agrees with the stack's counters; and that two runs with the same seed
 * give byte-identical files while another seed changes them (random
 * ISNs). The capture and an expectations file stay in the build folder
 * for tshark (tests/observe.cmake: zero tcp.analysis.flags, the right
 * number of segments; with loss, exactly the retransmissions made). */
#include <cjson/cJSON.h>
#include <ctype.h>

#include "harness.h"
#include "observe_fixture.h"
#include "pcap_check.h"
#include "sim/net/tcp.h"
#include "sim/observe/observers.h"

#define OUT MAILSIM_BINARY_DIR "/observe_stack"
#define BYTES 100000u
#define MAX_FRAMES 4096

static uint8_t pattern(size_t i) { return (uint8_t)(i * 7 + (i >> 8)); }

struct run {
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	uint8_t *payload;
	size_t received, mismatches;
	int server_closed, client_closed;
	enum tcp_error client_err;
	uint64_t sends, records; /* counted by a subscriber of our own */
	cJSON *summary;
	char *log;
	size_t loglen;
};

static void count_record(void *ctx, const struct obs_record *r)
{
	struct run *run = ctx;
	run->records++;
	if (r->type == OBS_PKT_SEND || r->type == OBS_PKT_RETRANSMIT)
		run->sends++;
}

static void srv_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)c;
	struct run *run = ctx;
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern(run->received + i))
			run->mismatches++;
	run->received += n;
}

static void srv_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}

static void srv_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	(void)e;
	((struct run *)ctx)->server_closed = 1;
}

static void srv_accept(void *ctx, struct tcp_conn *c)
{
	static const struct tcp_callbacks cbs = {.data = srv_data, .peer_closed = srv_peer_closed, .closed = srv_closed};
	tcp_set_callbacks(c, &cbs, ctx);
}

static void cli_connected(void *ctx, struct tcp_conn *c)
{
	struct run *run = ctx;
	size_t n = tcp_send(c, run->payload, BYTES);
	if (n == BYTES)
		tcp_close(c);
	else
		tcp_abort(c); /* the send buffer is larger: cannot happen */
}

static void cli_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)c;
	struct run *run = ctx;
	run->client_closed = 1;
	run->client_err = e;
}

/* Runs the transfer with every observer attached, files named OUT-tag.*. */
static int run_transfer(struct run *run, uint64_t seed, const char *tag, double loss)
{
	char err[256], pcap_path[512], trace_path[512];
	snprintf(pcap_path, sizeof pcap_path, "%s-%s.pcap", OUT, tag);
	snprintf(trace_path, sizeof trace_path, "%s-%s.jsonl", OUT, tag);
	memset(run, 0, sizeof *run);
	run->payload = malloc(BYTES);
	if (!run->payload)
		return -1;
	for (size_t i = 0; i < BYTES; i++)
		run->payload[i] = pattern(i);

	run->sim = sim_new(seed);
	run->net = net_new(run->sim);
	struct link_params lp = link_params_default();
	lp.latency = 5 * SIM_MS;
	lp.bandwidth_bps = 10000000;
	lp.queue_bytes = 1 << 20;
	lp.loss = loss;
	int c = net_add_host(run->net, "client"), r = net_add_host(run->net, "router"),
	    s = net_add_host(run->net, "server");
	int ci = net_add_iface(run->net, c, IP4(192, 168, 1, 2));
	int r0 = net_add_iface(run->net, r, IP4(192, 168, 1, 1)), r1 = net_add_iface(run->net, r, IP4(10, 9, 0, 1));
	int si = net_add_iface(run->net, s, IP4(10, 9, 0, 25));
	if (net_add_link(run->net, c, ci, r, r0, &lp) < 0 || net_add_link(run->net, r, r1, s, si, &lp) < 0 ||
	    net_finalize(run->net, err, sizeof err) < 0)
		return -1;
	run->tcp = tcp_new(run->net, NULL);
	if (!run->tcp || tcp_listen(run->tcp, s, 9, srv_accept, run) < 0)
		return -1;

	FILE *logf = open_memstream(&run->log, &run->loglen);
	struct obs_pcap *pcap = obs_pcap_open(run->sim, run->net, pcap_path, err, sizeof err);
	struct obs_trace *trace = obs_trace_open(run->sim, run->net, trace_path, err, sizeof err);
	struct obs_text_log *log = logf ? obs_text_log_open(run->sim, run->net, logf) : NULL;
	struct obs_summary *sum = obs_summary_open(run->sim, run->net);
	if (!pcap || !trace || !log || !sum || bus_subscribe(sim_bus(run->sim), OBS_MASK_ALL, count_record, run) < 0)
		return -1;

	static const struct tcp_callbacks cli = {.connected = cli_connected, .closed = cli_closed};
	if (!tcp_connect(run->tcp, c, IP4(10, 9, 0, 25), 9, &cli, run))
		return -1;
	sim_run(run->sim);

	run->summary = obs_summary_json(sum, run->tcp);
	obs_summary_close(&sum);
	int rc = obs_pcap_close(&pcap) | obs_trace_close(&trace) | obs_text_log_close(&log);
	fclose(logf);
	return rc < 0 || !run->summary ? -1 : 0;
}

static void run_free(struct run *run)
{
	tcp_free(&run->tcp);
	net_free(&run->net);
	sim_free(&run->sim);
	cJSON_Delete(run->summary);
	free(run->payload);
	free(run->log);
}

static cJSON *item(cJSON *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof key, "%.*s", (int)n, path);
		o = isdigit((unsigned char)key[0]) ? cJSON_GetArrayItem(o, atoi(key))
						   : cJSON_GetObjectItemCaseSensitive(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

static double num(cJSON *o, const char *path)
{
	cJSON *v = item(o, path);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const char *str(cJSON *o, const char *path)
{
	cJSON *v = item(o, path);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void test_transfer(void)
{
	struct run run;
	REQUIRE(run_transfer(&run, 1, "a", 0) == 0);
	const struct net_stats *ns = net_stats(run.net);
	const struct tcp_stats *ts = tcp_stats(run.tcp);
	CHECK_EQ_INT(run.received, BYTES);
	CHECK_EQ_INT(run.mismatches, 0);
	CHECK(run.client_closed && run.server_closed);
	CHECK_EQ_INT(run.client_err, TCP_OK);
	CHECK_EQ_INT(ns->retransmissions, 0);
	CHECK_EQ_INT(ts->segments_sent, ns->packets_sent);

	/* The capture: every packet sent, once, checksums right, and the
	 * client's payload in order. */
	size_t len = 0;
	unsigned char *buf = fixture_slurp(OUT "-a.pcap", &len);
	REQUIRE(buf);
	static struct pcap_frame fr[MAX_FRAMES];
	int n = pcap_frames(buf, len, fr, MAX_FRAMES);
	CHECK_EQ_INT(n, ns->packets_sent);
	CHECK_EQ_INT(n, run.sends);
	size_t off = 0, data_segments = 0, bad = 0, mss = 0;
	uint64_t last_t = 0;
	for (int i = 0; i < n; i++) {
		const unsigned char *ip = fr[i].d + 14, *tcp = ip + 20;
		if (!pcap_frame_checksums_ok(&fr[i]))
			bad++;
		uint64_t t = (uint64_t)fr[i].sec * 1000000000u + fr[i].nsec;
		CHECK(t >= last_t);
		last_t = t;
		if (tcp[13] & TCP_SYN && rd32(ip + 12) == IP4(192, 168, 1, 2))
			mss = rd16(tcp + 22);
		unsigned hl = (tcp[12] >> 4) * 4u, plen = rd16(ip + 2) - 20 - hl;
		if (rd32(ip + 12) == IP4(192, 168, 1, 2) && plen) {
			data_segments++;
			CHECK(plen <= 1460);
			if (off + plen <= BYTES && memcmp(tcp + hl, run.payload + off, plen) != 0)
				bad++;
			off += plen;
		}
		/* First hop MACs: client side of link 0 or server side of link 1. */
		CHECK(fr[i].d[0] == 0x02 && fr[i].d[6] == 0x02);
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(off, BYTES);
	CHECK_EQ_INT(mss, 1460);
	CHECK(data_segments >= (BYTES + 1459) / 1460);
	free(buf);

	/* For tshark (tests/observe.cmake). */
	FILE *ex = fopen(OUT "-a.expect", "w");
	REQUIRE(ex);
	fprintf(ex, "frames=%d\ndata_segments=%zu\npayload=%u\n", n, data_segments, BYTES);
	fclose(ex);

	/* The trace: the run line, one line per record, the end line. */
	unsigned char *trace = fixture_slurp(OUT "-a.jsonl", &len);
	REQUIRE(trace);
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += trace[i] == '\n';
	CHECK_EQ_INT(lines, run.records + 2);
	free(trace);

	/* The text log saw the handshake and the close. */
	CHECK(strstr(run.log, "client conn#") && strstr(run.log, "SYN_SENT -> ESTABLISHED"));
	CHECK(strstr(run.log, "TIME_WAIT -> CLOSED") != NULL);

	/* The summary agrees with the stack. */
	cJSON *s = run.summary;
	CHECK_EQ_INT(num(s, "totals.packets_sent"), ns->packets_sent);
	CHECK_EQ_INT(num(s, "totals.tcp.bytes_delivered"), BYTES);
	CHECK_EQ_INT(num(s, "totals.drops.loss"), 0);
	CHECK_EQ_INT(cJSON_GetArraySize(item(s, "connections")), 2);
	CHECK_STR(str(s, "connections.0.host"), "client");
	CHECK_STR(str(s, "connections.0.remote"), "10.9.0.25:9");
	CHECK_STR(str(s, "connections.0.state"), "CLOSED");
	CHECK_EQ_INT(num(s, "connections.0.bytes_sent"), BYTES);
	CHECK_EQ_INT(num(s, "connections.1.bytes_received"), BYTES);
	CHECK_STR(str(s, "connections.1.host"), "server");
	CHECK_EQ_INT(num(s, "links.0.a_to_b.packets") + num(s, "links.0.b_to_a.packets"),
		     num(s, "links.1.a_to_b.packets") + num(s, "links.1.b_to_a.packets"));
	CHECK_EQ_INT(num(s, "links.0.a_to_b.packets") + num(s, "links.1.b_to_a.packets"), ns->packets_sent);
	CHECK_EQ_INT(num(s, "events"), sim_events_run(run.sim));
	run_free(&run);
	CHECK_EQ_INT(packet_live_count(), 0);
}

static int same_file(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	unsigned char *x = fixture_slurp(a, &la), *y = fixture_slurp(b, &lb);
	int same = x && y && la == lb && memcmp(x, y, la) == 0;
	free(x);
	free(y);
	return same;
}

static void test_determinism(void)
{
	struct run run;
	REQUIRE(run_transfer(&run, 1, "b", 0) == 0);
	run_free(&run);
	REQUIRE(run_transfer(&run, 2, "c", 0) == 0);
	run_free(&run);
	CHECK(same_file(OUT "-a.pcap", OUT "-b.pcap"));
	CHECK(same_file(OUT "-a.jsonl", OUT "-b.jsonl"));
	CHECK(!same_file(OUT "-a.pcap", OUT "-c.pcap"));
	CHECK(!same_file(OUT "-a.jsonl", OUT "-c.jsonl"));
	remove(OUT "-b.pcap");
	remove(OUT "-b.jsonl");
	remove(OUT "-c.pcap");
	remove(OUT "-c.jsonl");
}

/* With loss, tshark must flag exactly the retransmissions the stack made
 * (tests/observe.cmake); here, the capture holds them all. */
static void test_lossy(void)
{
	struct run run;
	REQUIRE(run_transfer(&run, 7, "lossy", 0.03) == 0);
	const struct net_stats *ns = net_stats(run.net);
	CHECK_EQ_INT(run.received, BYTES);
	CHECK_EQ_INT(run.mismatches, 0);
	CHECK(ns->retransmissions > 0);
	size_t len = 0;
	unsigned char *buf = fixture_slurp(OUT "-lossy.pcap", &len);
	REQUIRE(buf);
	static struct pcap_frame fr[MAX_FRAMES];
	int n = pcap_frames(buf, len, fr, MAX_FRAMES);
	CHECK_EQ_INT(n, ns->packets_sent);
	int bad = 0;
	for (int i = 0; i < n; i++)
		bad += !pcap_frame_checksums_ok(&fr[i]);
	CHECK_EQ_INT(bad, 0);
	free(buf);
	FILE *ex = fopen(OUT "-lossy.expect", "w");
	REQUIRE(ex);
	fprintf(ex, "frames=%d\nretransmissions=%llu\n", n, (unsigned long long)ns->retransmissions);
	fclose(ex);
	run_free(&run);
	CHECK_EQ_INT(packet_live_count(), 0);
}

int main(void)
{
	RUN(test_transfer);
	RUN(test_determinism);
	RUN(test_lossy);
	packet_pool_drain();
	return harness_done();
}

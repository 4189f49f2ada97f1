/* Tests of the built-in test application over the real network and TCP:
 * echo (bytes and lines), discard, refused, a deadline timeout, and the
 * checks that must fail: a server that corrupts one byte and one that
 * closes early are reported as mismatches. Also: a world built from a
 * scenario leaves no packet or connection behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/agents/testapp.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define NET                                                                                                   \
	"\"hosts\": [{\"name\": \"c\", \"ip\": \"10.0.0.1\"}, {\"name\": \"s\", \"ip\": \"10.0.0.2\"}],"          \
	"\"links\": [{\"a\": \"c\", \"b\": \"s\", \"latency\": \"5ms\", \"bandwidth\": \"10Mbps\"}],"

struct run {
	struct scenario *s;
	struct scn_world *w;
};

static int start(struct run *r, const char *text)
{
	struct scn_diag *d = scn_diag_new();
	r->s = scenario_load_text("t.json", text, strlen(text), d);
	if (!r->s) {
		fprintf(stderr, "%s\n", scn_diag_message(d, 0));
		scn_diag_free(&d);
		return -1;
	}
	scn_diag_free(&d);
	char err[256];
	r->w = scn_world_new(r->s, r->s->seed, err, sizeof err);
	if (!r->w) {
		fprintf(stderr, "%s\n", err);
		scenario_free(&r->s);
		return -1;
	}
	return 0;
}

static const struct testapp_client_result *result(struct run *r, size_t i)
{
	return testapp_client_result(scn_world_testapp(r->w), i);
}

static void finish(struct run *r)
{
	scn_world_free(&r->w);
	scenario_free(&r->s);
	CHECK_EQ_INT(packet_live_count(), 0);
}

static void test_echo_discard_lines(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": [{\"type\": \"echo\", \"host\": \"s\", \"port\": 7},"
			  "{\"type\": \"discard\", \"host\": \"s\", \"port\": 9},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 7, \"bytes\": \"300KiB\"},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 9, \"bytes\": 100000},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 7, \"lines\": 5,"
			  " \"line_length\": 30},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 7}]}") == 0);
	CHECK(scn_world_run(r.w, SIM_TIME_NEVER) == SIM_DRAINED);
	const struct testapp_client_result *e = result(&r, 0), *d = result(&r, 1), *l = result(&r, 2),
					   *z = result(&r, 3);
	CHECK_STR(testapp_outcome_name(e->outcome), "complete");
	CHECK_EQ_INT(e->bytes_sent, 300 * 1024);
	CHECK_EQ_INT(e->bytes_received, 300 * 1024);
	CHECK_STR(testapp_outcome_name(d->outcome), "complete");
	CHECK_EQ_INT(d->bytes_sent, 100000);
	CHECK_EQ_INT(d->bytes_received, 0);
	CHECK_STR(testapp_outcome_name(l->outcome), "complete");
	CHECK_EQ_INT(l->bytes_sent, 150);
	CHECK_EQ_INT(l->bytes_received, 150);
	CHECK_STR(testapp_outcome_name(z->outcome), "complete");
	CHECK(e->finished > e->started && e->started == 0);
	CHECK_EQ_INT(tcp_stats(scn_world_tcp(r.w))->live_pcbs, 0);
	finish(&r);
}

static void test_refused_and_deadline(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": [{\"type\": \"discard\", \"host\": \"s\", \"port\": 9},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 25, \"bytes\": 10},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 9, \"lines\": 1, "
			  "\"at\": \"1s\", \"timeout\": \"3s\"}]}") == 0);
	scn_world_run(r.w, SIM_TIME_NEVER);
	CHECK_STR(testapp_outcome_name(result(&r, 0)->outcome), "refused");
	/* Lines wait for an echo that a discard server never sends. */
	CHECK_STR(testapp_outcome_name(result(&r, 1)->outcome), "timeout");
	CHECK_EQ_INT(result(&r, 1)->finished, 4 * SIM_S);
	CHECK_EQ_INT(scn_world_failed_expectations(r.w), 0);
	finish(&r);
}

/* A server that echoes with byte 1000 changed, and one that closes as
 * soon as it has read anything: the client's checks must catch both. */
static void bad_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	uint64_t *seen = ctx;
	uint8_t buf[65536];
	memcpy(buf, b, n);
	if (*seen <= 1000 && *seen + n > 1000)
		buf[1000 - *seen] ^= 1;
	*seen += n;
	tcp_send(c, buf, n);
}
static void bad_peer_closed(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_close(c);
}
static void bad_closed(void *ctx, struct tcp_conn *c, enum tcp_error e)
{
	(void)ctx;
	(void)c;
	(void)e;
}
static const struct tcp_callbacks corrupt_cbs = {.data = bad_data, .peer_closed = bad_peer_closed, .closed = bad_closed};
static uint64_t corrupt_seen;
static void corrupt_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	corrupt_seen = 0;
	tcp_set_callbacks(c, &corrupt_cbs, &corrupt_seen);
}
static void early_data(void *ctx, struct tcp_conn *c, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
	tcp_close(c);
}
static const struct tcp_callbacks early_cbs = {.data = early_data, .peer_closed = bad_peer_closed, .closed = bad_closed};
static void early_accept(void *ctx, struct tcp_conn *c)
{
	(void)ctx;
	tcp_set_callbacks(c, &early_cbs, NULL);
}

static void test_checks_can_fail(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": ["
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 70, \"bytes\": 5000, \"echo\": true},"
			  "{\"type\": \"client\", \"host\": \"c\", \"to\": \"s\", \"port\": 71, \"bytes\": 5000, \"echo\": true,"
			  " \"at\": \"1s\"}]}") == 0);
	REQUIRE(tcp_listen(scn_world_tcp(r.w), 1, 70, corrupt_accept, NULL) == 0);
	REQUIRE(tcp_listen(scn_world_tcp(r.w), 1, 71, early_accept, NULL) == 0);
	scn_world_run(r.w, SIM_TIME_NEVER);
	const struct testapp_client_result *a = result(&r, 0), *b = result(&r, 1);
	CHECK_STR(testapp_outcome_name(a->outcome), "mismatch");
	CHECK_STR(a->detail, "byte 1000 differs");
	CHECK_STR(testapp_outcome_name(b->outcome), "mismatch");
	CHECK(strstr(b->detail, "the server closed") != NULL);
	tcp_unlisten(scn_world_tcp(r.w), 1, 70);
	tcp_unlisten(scn_world_tcp(r.w), 1, 71);
	finish(&r);
}

static void test_expectations_counted(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": [{\"type\": \"client\", \"name\": \"x\", \"host\": \"c\", \"to\": \"s\", "
			  "\"port\": 7, \"expect\": \"complete\"}],"
			  "\"expect\": [{\"client\": \"x\", \"outcome\": \"refused\"}, {\"client\": \"x\", \"outcome\": "
			  "\"reset\"}]}") == 0);
	scn_world_run(r.w, SIM_TIME_NEVER);
	CHECK_STR(testapp_outcome_name(result(&r, 0)->outcome), "refused");
	CHECK_EQ_INT(scn_world_failed_expectations(r.w), 2); /* complete and reset */
	finish(&r);
}

static void test_udp(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": [{\"type\": \"echo\", \"proto\": \"udp\", \"host\": \"s\", \"port\": 7},"
			  "{\"type\": \"discard\", \"proto\": \"udp\", \"host\": \"s\", \"port\": 9},"
			  "{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"c\", \"to\": \"s\", \"port\": 7, "
			  "\"datagrams\": 50, \"size\": 1000, \"interval\": \"1ms\"},"
			  "{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"c\", \"to\": \"s\", \"port\": 9, "
			  "\"datagrams\": 5},"
			  "{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"c\", \"to\": \"s\", \"port\": 7, "
			  "\"datagrams\": 3, \"size\": 1473},"
			  "{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"c\", \"to\": \"s\", \"port\": 8, "
			  "\"datagrams\": 3, \"echo\": true, \"timeout\": \"2s\"}]}") == 0);
	scn_world_run(r.w, SIM_TIME_NEVER);
	const struct testapp_client_result *e = result(&r, 0), *d = result(&r, 1), *big = result(&r, 2),
					   *none = result(&r, 3);
	CHECK_STR(testapp_outcome_name(e->outcome), "complete");
	CHECK_EQ_INT(e->datagrams_sent, 50);
	CHECK_EQ_INT(e->datagrams_received, 50);
	CHECK_EQ_INT(e->bytes_received, 50000);
	CHECK_STR(testapp_outcome_name(d->outcome), "complete"); /* discard: done once all are sent */
	CHECK_EQ_INT(d->datagrams_sent, 5);
	CHECK_EQ_INT(d->finished, 40 * SIM_MS); /* 5 datagrams, 10 ms apart */
	/* 1473 bytes of payload + 28 of headers exceed the 1500-byte MTU: no
	 * fragmentation is modelled, so none arrives. */
	CHECK_STR(testapp_outcome_name(big->outcome), "timeout");
	CHECK_EQ_INT(big->datagrams_received, 0);
	CHECK_STR(big->detail, "0 of 3 datagrams came back");
	CHECK_EQ_INT(big->finished, 20 * SIM_MS + 5 * SIM_S); /* the default wait after the last one */
	CHECK_STR(testapp_outcome_name(none->outcome), "timeout"); /* nobody on port 8 */
	CHECK_EQ_INT(none->finished, 2 * SIM_S);
	finish(&r);
}

/* A UDP server that changes one byte of the second datagram. */
static struct udp *bad_udp;
static int bad_count;
static void udp_corrupt(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			const uint8_t *data, size_t len)
{
	(void)ctx;
	uint8_t buf[2048];
	memcpy(buf, data, len);
	if (++bad_count == 2)
		buf[len - 1] ^= 0x80;
	udp_send(bad_udp, host, dst_port, src_ip, src_port, buf, len);
}

static void test_udp_mismatch(void)
{
	struct run r;
	REQUIRE(start(&r, "{" NET "\"apps\": [{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"c\", "
			  "\"to\": \"s\", \"port\": 70, \"datagrams\": 4, \"size\": 100, \"echo\": true}]}") == 0);
	bad_udp = scn_world_udp(r.w);
	bad_count = 0;
	REQUIRE(udp_bind(bad_udp, 1, 70, udp_corrupt, NULL) == 70);
	scn_world_run(r.w, SIM_TIME_NEVER);
	CHECK_STR(testapp_outcome_name(result(&r, 0)->outcome), "mismatch");
	CHECK_STR(result(&r, 0)->detail, "datagram 2 came back changed");
	udp_unbind(bad_udp, 1, 70);
	finish(&r);
}

static void test_pattern(void)
{
	/* The pattern must not repeat with a short period, or a segment
	 * delivered twice or out of place could go unnoticed. */
	int same = 0;
	for (uint64_t i = 0; i < 100000; i++)
		same += testapp_pattern_byte(i) == testapp_pattern_byte(i + 1460);
	CHECK(same < 1000);
}

int main(void)
{
	RUN(test_echo_discard_lines);
	RUN(test_refused_and_deadline);
	RUN(test_checks_can_fail);
	RUN(test_expectations_counted);
	RUN(test_udp);
	RUN(test_udp_mismatch);
	RUN(test_pattern);
	packet_pool_drain();
	return harness_done();
}

/* The run summary: the story of synthetic records gives exactly the
 * expected object (per-link packets, bytes and drops by direction, link
 * flaps, connections with endpoints, states and bytes); thousands of
 * connections, with a four-tuple reused, are told apart; the same records
 * give the same bytes. */
#include <cjson/cJSON.h>

#include "harness.h"
#include "observe_fixture.h"
#include "sim/observe/observers.h"

static char *summary_story(void)
{
	struct fixture f;
	if (fixture_init(&f, 99) < 0)
		return NULL;
	struct obs_summary *s = obs_summary_open(f.sim, f.net);
	char *text = NULL;
	if (s && fixture_story(&f) == 0) {
		cJSON *o = obs_summary_json(s, NULL);
		text = o ? cJSON_Print(o) : NULL;
		cJSON_Delete(o);
	}
	obs_summary_close(&s);
	CHECK(s == NULL);
	fixture_fini(&f);
	return text;
}

/* Reviewed by hand: link 0 carried the SYN (44 bytes), the data segment
 * twice (53) and the datagram (31) from a to b. */
static const char want[] =
    "{\n"
    "\t\"seed\":\t99,\n"
    "\t\"end_time_ns\":\t0,\n"
    "\t\"end_time\":\t\"0.000000000\",\n"
    "\t\"events\":\t0,\n"
    "\t\"hosts\":\t[{\n"
    "\t\t\t\"name\":\t\"laptop\",\n"
    "\t\t\t\"ips\":\t[\"10.0.0.1\"]\n"
    "\t\t}, {\n"
    "\t\t\t\"name\":\t\"mta\",\n"
    "\t\t\t\"ips\":\t[\"10.0.0.2\", \"10.0.1.1\"]\n"
    "\t\t}, {\n"
    "\t\t\t\"name\":\t\"server\",\n"
    "\t\t\t\"ips\":\t[\"10.0.1.2\"]\n"
    "\t\t}],\n"
    "\t\"links\":\t[{\n"
    "\t\t\t\"link\":\t0,\n"
    "\t\t\t\"name\":\t\"laptop-mta\",\n"
    "\t\t\t\"a\":\t\"laptop\",\n"
    "\t\t\t\"a_ip\":\t\"10.0.0.1\",\n"
    "\t\t\t\"b\":\t\"mta\",\n"
    "\t\t\t\"b_ip\":\t\"10.0.0.2\",\n"
    "\t\t\t\"latency_ns\":\t2000000,\n"
    "\t\t\t\"bandwidth_bps\":\t10000000,\n"
    "\t\t\t\"loss\":\t0.05,\n"
    "\t\t\t\"mtu\":\t1500,\n"
    "\t\t\t\"queue_bytes\":\t65536,\n"
    "\t\t\t\"up\":\ttrue,\n"
    "\t\t\t\"downs\":\t0,\n"
    "\t\t\t\"ups\":\t0,\n"
    "\t\t\t\"a_to_b\":\t{\n"
    "\t\t\t\t\"packets\":\t4,\n"
    "\t\t\t\t\"bytes\":\t181,\n"
    "\t\t\t\t\"drops\":\t{\n"
    "\t\t\t\t\t\"loss\":\t1\n"
    "\t\t\t\t}\n"
    "\t\t\t},\n"
    "\t\t\t\"b_to_a\":\t{\n"
    "\t\t\t\t\"packets\":\t2,\n"
    "\t\t\t\t\"bytes\":\t84,\n"
    "\t\t\t\t\"drops\":\t{\n"
    "\t\t\t\t}\n"
    "\t\t\t}\n"
    "\t\t}, {\n"
    "\t\t\t\"link\":\t1,\n"
    "\t\t\t\"name\":\t\"mta-server\",\n"
    "\t\t\t\"a\":\t\"mta\",\n"
    "\t\t\t\"a_ip\":\t\"10.0.1.1\",\n"
    "\t\t\t\"b\":\t\"server\",\n"
    "\t\t\t\"b_ip\":\t\"10.0.1.2\",\n"
    "\t\t\t\"latency_ns\":\t1000000,\n"
    "\t\t\t\"bandwidth_bps\":\t100000000,\n"
    "\t\t\t\"loss\":\t0,\n"
    "\t\t\t\"mtu\":\t1500,\n"
    "\t\t\t\"queue_bytes\":\t65536,\n"
    "\t\t\t\"up\":\ttrue,\n"
    "\t\t\t\"downs\":\t1,\n"
    "\t\t\t\"ups\":\t1,\n"
    "\t\t\t\"a_to_b\":\t{\n"
    "\t\t\t\t\"packets\":\t2,\n"
    "\t\t\t\t\"bytes\":\t75,\n"
    "\t\t\t\t\"drops\":\t{\n"
    "\t\t\t\t\t\"link-down\":\t1\n"
    "\t\t\t\t}\n"
    "\t\t\t},\n"
    "\t\t\t\"b_to_a\":\t{\n"
    "\t\t\t\t\"packets\":\t2,\n"
    "\t\t\t\t\"bytes\":\t84,\n"
    "\t\t\t\t\"drops\":\t{\n"
    "\t\t\t\t}\n"
    "\t\t\t}\n"
    "\t\t}],\n"
    "\t\"connections\":\t[{\n"
    "\t\t\t\"conn\":\t1,\n"
    "\t\t\t\"host\":\t\"laptop\",\n"
    "\t\t\t\"local\":\t\"10.0.0.1:49152\",\n"
    "\t\t\t\"remote\":\t\"10.0.1.2:25\",\n"
    "\t\t\t\"first_state\":\t\"CLOSED\",\n"
    "\t\t\t\"state\":\t\"CLOSED\",\n"
    "\t\t\t\"reason\":\t\"reset\",\n"
    "\t\t\t\"start_ns\":\t0,\n"
    "\t\t\t\"end_ns\":\t2006000000,\n"
    "\t\t\t\"segments_sent\":\t2,\n"
    "\t\t\t\"bytes_sent\":\t13,\n"
    "\t\t\t\"retransmits\":\t1,\n"
    "\t\t\t\"bytes_retransmitted\":\t13,\n"
    "\t\t\t\"segments_received\":\t2,\n"
    "\t\t\t\"bytes_received\":\t0\n"
    "\t\t}, {\n"
    "\t\t\t\"conn\":\t2,\n"
    "\t\t\t\"host\":\t\"server\",\n"
    "\t\t\t\"local\":\t\"10.0.1.2:25\",\n"
    "\t\t\t\"remote\":\t\"10.0.0.1:49152\",\n"
    "\t\t\t\"first_state\":\t\"LISTEN\",\n"
    "\t\t\t\"state\":\t\"CLOSED\",\n"
    "\t\t\t\"reason\":\t\"reset\",\n"
    "\t\t\t\"start_ns\":\t6000000,\n"
    "\t\t\t\"end_ns\":\t2000000000,\n"
    "\t\t\t\"segments_sent\":\t2,\n"
    "\t\t\t\"bytes_sent\":\t0,\n"
    "\t\t\t\"retransmits\":\t0,\n"
    "\t\t\t\"bytes_retransmitted\":\t0,\n"
    "\t\t\t\"segments_received\":\t0,\n"
    "\t\t\t\"bytes_received\":\t0\n"
    "\t\t}],\n"
    "\t\"totals\":\t{\n"
    "\t\t\"packets_sent\":\t0,\n"
    "\t\t\"packets_delivered\":\t0,\n"
    "\t\t\"retransmissions\":\t0,\n"
    "\t\t\"bytes_sent\":\t0,\n"
    "\t\t\"drops\":\t{\n"
    "\t\t\t\"loss\":\t0,\n"
    "\t\t\t\"queue-full\":\t0,\n"
    "\t\t\t\"link-down\":\t0,\n"
    "\t\t\t\"no-route\":\t0,\n"
    "\t\t\t\"ttl\":\t0,\n"
    "\t\t\t\"too-big\":\t0,\n"
    "\t\t\t\"no-socket\":\t0,\n"
    "\t\t\t\"host-down\":\t0\n"
    "\t\t}\n"
    "\t},\n"
    "\t\"mail_events\":\t{\n"
    "\t\t\"submitted\":\t0,\n"
    "\t\t\"accepted\":\t0,\n"
    "\t\t\"header\":\t0,\n"
    "\t\t\"queued\":\t0,\n"
    "\t\t\"deferred\":\t0,\n"
    "\t\t\"relayed\":\t0,\n"
    "\t\t\"delivered\":\t0,\n"
    "\t\t\"bounced\":\t0,\n"
    "\t\t\"discarded\":\t0,\n"
    "\t\t\"forwarded\":\t0\n"
    "\t}\n"
    "}";

static void test_story(void)
{
	char *got = summary_story();
	REQUIRE(got);
	CHECK_STR(got, want);
	cJSON_free(got);
}

static void test_deterministic(void)
{
	char *a = summary_story(), *b = summary_story();
	REQUIRE(a && b);
	CHECK_STR(a, b);
	cJSON_free(a);
	cJSON_free(b);
}

static cJSON *conn_at(cJSON *conns, int i) { return cJSON_GetArrayItem(conns, i); }

static double num(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* 5,000 connections from the laptop to the server, each sending i % 7
 * bytes; then connection 5001 reuses the four-tuple of connection 1, and
 * later segments on that tuple count for it. */
static void test_many(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 4) == 0);
	struct obs_summary *s = obs_summary_open(f.sim, f.net);
	REQUIRE(s);
	const uint32_t lap = IP4(10, 0, 0, 1), srv = IP4(10, 0, 1, 2);
	const int n = 5000;
	for (int i = 1; i <= n; i++)
		fixture_conn(&f, i, (uint32_t)i, HOST_LAPTOP, lap, (uint16_t)(10000 + i), srv, 25, "CLOSED", "SYN_SENT",
			     NULL);
	for (int i = n; i >= 1; i--) {
		struct packet *p = fixture_tcp(lap, (uint16_t)(10000 + i), srv, 25, 1, 1, TCP_ACK, 0, NULL,
					       (uint32_t)(i % 7));
		REQUIRE(p);
		fixture_pkt(&f, OBS_PKT_SEND, 10 * SIM_S, p, HOST_LAPTOP, 0, 0);
		packet_free(&p);
	}
	fixture_conn(&f, 11 * SIM_S, 1, HOST_LAPTOP, lap, 10001, srv, 25, "SYN_SENT", "CLOSED", "timeout");
	fixture_conn(&f, 12 * SIM_S, (uint32_t)n + 1, HOST_LAPTOP, lap, 10001, srv, 25, "CLOSED", "SYN_SENT", NULL);
	/* A late change of the old connection does not take the tuple back. */
	fixture_conn(&f, 12 * SIM_S + 1, 1, HOST_LAPTOP, lap, 10001, srv, 25, "CLOSED", "CLOSED", "late");
	struct packet *p = fixture_tcp(lap, 10001, srv, 25, 1, 1, TCP_ACK, 0, NULL, 100);
	REQUIRE(p);
	fixture_pkt(&f, OBS_PKT_SEND, 13 * SIM_S, p, HOST_LAPTOP, 0, 0);
	packet_free(&p);

	cJSON *o = obs_summary_json(s, NULL);
	REQUIRE(o);
	cJSON *conns = cJSON_GetObjectItemCaseSensitive(o, "connections");
	CHECK_EQ_INT(cJSON_GetArraySize(conns), n + 1);
	for (int i = 1; i <= n; i++) {
		cJSON *c = conn_at(conns, i - 1);
		CHECK_EQ_INT(num(c, "conn"), i);
		CHECK_EQ_INT(num(c, "bytes_sent"), i % 7);
		CHECK_EQ_INT(num(c, "segments_sent"), 1);
	}
	cJSON *first = conn_at(conns, 0), *last = conn_at(conns, n);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(first, "state")->valuestring, "CLOSED");
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(first, "reason")->valuestring, "late");
	CHECK_EQ_INT(num(first, "end_ns"), 12 * SIM_S + 1);
	CHECK_EQ_INT(num(first, "bytes_sent"), 1);
	CHECK_EQ_INT(num(last, "conn"), n + 1);
	CHECK_EQ_INT(num(last, "bytes_sent"), 100);
	CHECK_STR(cJSON_GetObjectItemCaseSensitive(last, "local")->valuestring, "10.0.0.1:10001");
	CHECK(cJSON_GetObjectItemCaseSensitive(o, "incomplete") == NULL);
	cJSON_Delete(o);
	obs_summary_close(&s);
	obs_summary_close(&s); /* NULL is accepted */
	fixture_fini(&f);
}

/* Without a network (NULL), every observer still takes every record. */
static void test_no_network(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 5) == 0);
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	REQUIRE(out);
	struct obs_text_log *log = obs_text_log_open(f.sim, NULL, out);
	struct obs_trace *t = obs_trace_open(f.sim, NULL, MAILSIM_BINARY_DIR "/observe_nonet.jsonl", err, sizeof err);
	struct obs_pcap *p = obs_pcap_open(f.sim, NULL, MAILSIM_BINARY_DIR "/observe_nonet.pcap", err, sizeof err);
	struct obs_summary *s = obs_summary_open(f.sim, NULL);
	REQUIRE(log && t && p && s);
	CHECK_EQ_INT(obs_text_log_verbose(log, 1), 0);
	CHECK_EQ_INT(fixture_story(&f), 0);
	cJSON *o = obs_summary_json(s, NULL);
	CHECK(o != NULL);
	CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "connections")), 2);
	cJSON_Delete(o);
	obs_summary_close(&s);
	CHECK_EQ_INT(obs_pcap_close(&p), 0);
	CHECK_EQ_INT(obs_trace_close(&t), 0);
	CHECK_EQ_INT(obs_text_log_close(&log), 0);
	fclose(out);
	CHECK(strstr(text, "  1.015000000  -    DROP link-down on - (->-): ") != NULL);
	free(text);
	remove(MAILSIM_BINARY_DIR "/observe_nonet.jsonl");
	remove(MAILSIM_BINARY_DIR "/observe_nonet.pcap");
	fixture_fini(&f);
}

/* Mail events are counted by type. */
static void test_mail_events(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 5) == 0);
	struct obs_summary *s = obs_summary_open(f.sim, f.net);
	REQUIRE(s);
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", "<a@b>", "a@b", "x@y", NULL);
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", "<a@b>", "a@b", "z@y", NULL);
	fixture_mail(&f, 2, HOST_MTA, OBS_MAIL_DELIVERED, "Q1", "<a@b>", "a@b", "x@y", "INBOX");
	fixture_mail(&f, 3, HOST_MTA, OBS_MAIL_DEFERRED, "Q1", "<a@b>", "a@b", "z@y", "later");
	fixture_line(&f, 3, HOST_LAPTOP, HOST_MTA, 1, 1, 0, "QUIT");
	cJSON *o = obs_summary_json(s, NULL);
	REQUIRE(o);
	cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mail_events");
	CHECK(cJSON_GetObjectItemCaseSensitive(m, "accepted") &&
	      cJSON_GetObjectItemCaseSensitive(m, "accepted")->valuedouble == 2);
	CHECK(cJSON_GetObjectItemCaseSensitive(m, "delivered")->valuedouble == 1);
	CHECK(cJSON_GetObjectItemCaseSensitive(m, "deferred")->valuedouble == 1);
	CHECK(cJSON_GetObjectItemCaseSensitive(m, "bounced")->valuedouble == 0);
	CHECK_EQ_INT(cJSON_GetArraySize(m), OBS_MAIL_EVENT_COUNT);
	cJSON_Delete(o);
	obs_summary_close(&s);
	fixture_fini(&f);
}

int main(void)
{
	RUN(test_story);
	RUN(test_deterministic);
	RUN(test_many);
	RUN(test_no_network);
	RUN(test_mail_events);
	CHECK_EQ_INT(packet_live_count(), 0);
	packet_pool_drain();
	return harness_done();
}

/* Tests of the scenario loader: the model built from a good file, the
 * values of every unit syntax, error messages (file, line, JSON path, what
 * was expected), several errors at once, and robustness: thousands of
 * mutated scenarios load or fail cleanly, never crash. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/agents/testapp.h"
#include "sim/core/rng.h"
#include "sim/scenario/check.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"

static struct scn_diag *diag;

static struct scenario *load(const char *text)
{
	scn_diag_clear(diag);
	return scenario_load_text("t.json", text, strlen(text), diag);
}

/* The first error of loading text, or "" if it loaded. */
static const char *first_error(const char *text)
{
	static char buf[1024];
	struct scenario *s = load(text);
	if (s) {
		scenario_free(&s);
		return "";
	}
	snprintf(buf, sizeof buf, "%s", scn_diag_kept(diag) ? scn_diag_message(diag, 0) : "(no message)");
	return buf;
}

#define TWO_HOSTS "\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}, {\"name\": \"b\", \"ip\": \"10.0.0.2\"}]"

static void test_default_scenario_model(void)
{
	struct scenario *s = scenario_load_file(MAILSIM_SOURCE_DIR "/scenarios/default.json", diag);
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->seed, 1);
	CHECK(s->until == SIM_TIME_NEVER);
	CHECK_EQ_INT(s->host_count, 3);
	CHECK_STR(s->hosts[1].name, "router");
	CHECK_EQ_INT(s->hosts[1].role, SCN_ROLE_ROUTER);
	CHECK_EQ_INT(s->hosts[1].iface_count, 2);
	CHECK_STR(s->hosts[1].ifaces[1].name, "wan");
	CHECK_EQ_INT(s->hosts[1].ifaces[1].ip, (200u << 24) | 2);
	CHECK(s->hosts[0].has_position && s->hosts[0].x == 100 && s->hosts[0].y == 300);
	CHECK_EQ_INT(s->link_count, 2);
	const struct scn_link *up = &s->links[1];
	CHECK_STR(up->name, "uplink");
	CHECK_EQ_INT(up->a, 1);
	CHECK_EQ_INT(up->a_iface, 1); /* "wan" */
	CHECK_EQ_INT(up->b, 2);
	CHECK_EQ_INT(up->params.latency, 10 * SIM_MS);
	CHECK_EQ_INT(up->params.bandwidth_bps, 10000000);
	CHECK_EQ_INT(up->params.queue_bytes, 64000);
	CHECK_EQ_INT(s->links[0].b_iface, 0); /* "lan" */
	CHECK_EQ_INT(s->service_count, 2);
	CHECK_EQ_INT(s->client_count, 2);
	CHECK_STR(s->clients[0].name, "hello");
	CHECK_EQ_INT(s->clients[0].lines, 3);
	CHECK_EQ_INT(s->clients[0].echo, 1);
	CHECK_EQ_INT(s->clients[0].at, 100 * SIM_MS);
	CHECK_EQ_INT(s->clients[1].bytes, 65536);
	CHECK_EQ_INT(s->clients[1].echo, 0); /* port 9 is discard */
	CHECK_EQ_INT(s->expect_count, 2);
	scenario_free(&s);
	scenario_free(&s); /* a cleared pointer is fine */
}

static void test_units(void)
{
	struct scenario *s = load("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"latency\": \"1.5s\","
				  " \"bandwidth\": \"56kbps\", \"queue\": \"1MiB\", \"mtu\": 576, \"loss\": 0.25}],"
				  " \"until\": \"2m\", \"seed\": 42}");
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->links[0].params.latency, 1500 * SIM_MS);
	CHECK_EQ_INT(s->links[0].params.bandwidth_bps, 56000);
	CHECK_EQ_INT(s->links[0].params.queue_bytes, 1048576);
	CHECK_EQ_INT(s->links[0].params.mtu, 576);
	CHECK(s->links[0].params.loss == 0.25);
	CHECK_EQ_INT(s->until, 120 * SIM_S);
	CHECK_EQ_INT(s->seed, 42);
	CHECK_STR(s->links[0].name, "a-b");
	scenario_free(&s);
	s = load("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"bandwidth\": \"1Gbps\", \"queue\": 3000}]}");
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->links[0].params.bandwidth_bps, 1000000000);
	CHECK_EQ_INT(s->links[0].params.queue_bytes, 3000);
	scenario_free(&s);
	s = load("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"bandwidth\": \"unlimited\"}]}");
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->links[0].params.bandwidth_bps, 0);
	scenario_free(&s);
}

static void test_messages(void)
{
	/* The issue's own example, at the right line. */
	CHECK_STR(first_error("{\n\"hosts\": [\n{\"name\": \"a\", \"ip\": \"10.0.0.1\"},\n"
			      "{\"name\": \"b\", \"ip\": \"10.0.0.2\"},\n{\"name\": \"c\",\n \"ip\": \"10.0.0.300\"}]}"),
		  "t.json:6: hosts[2].ip: \"10.0.0.300\" is not an IPv4 address");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\", \"rol\": \"ua\"}]}"),
		  "t.json:1: hosts[0].rol: unknown key \"rol\" (did you mean \"role\"?)");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\", \"zzzzzz\": 1}]}"),
		  "t.json:1: hosts[0].zzzzzz: unknown key \"zzzzzz\" (known keys: name, role, ip, interfaces, x, y, "
		  "description, fqdn)");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": 7, \"ip\": \"10.0.0.1\"}]}"),
		  "t.json:1: hosts[0].name: expected a host name such as \"laptop\", found a number");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a b\", \"ip\": \"10.0.0.1\"}]}"),
		  "t.json:1: hosts[0].name: \"a b\" is not a valid host name (use 1 to 63 letters, digits, '-', '_' or "
		  "'.')");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\"}]}"),
		  "t.json:1: hosts[0].ip: missing (a host needs an address: \"ip\", or \"interfaces\" for several)");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\", \"interfaces\": []}]}"),
		  "t.json:1: hosts[0].interfaces: give either \"ip\" (one interface) or \"interfaces\" (several), not "
		  "both");
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\", \"x\": 3}]}"),
		  "t.json:1: hosts[0].y: missing (a layout position needs both \"x\" and \"y\")");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"latency\": 5}]}"),
		  "t.json:1: links[0].latency: expected a duration such as \"5ms\", found a number");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"latency\": \"-5ms\"}]}"),
		  "t.json:1: links[0].latency: \"-5ms\" is negative (expected a duration of zero or more)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"bandwidth\": \"0Mbps\"}]}"),
		  "t.json:1: links[0].bandwidth: \"0Mbps\" is out of range (expected 1bps to 1000Gbps, or \"unlimited\")");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"mtu\": 1500.5}]}"),
		  "t.json:1: links[0].mtu: 1500.5 is not a whole number");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\", \"a_iface\": \"eth9\"}]}"),
		  "t.json:1: links[0].a_iface: host \"a\" has no interface \"eth9\" (its interfaces: eth0)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\"}], \"faults\": [{\"at\": \"1s\","
			      " \"link\": \"a-b\", \"action\": \"down\", \"loss\": 0.5}]}"),
		  "t.json:1: faults[0].loss: only used with \"action\": \"set\" (a link going down keeps its settings)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\"}], \"faults\": [{\"at\": \"1s\","
			      " \"link\": \"a-b\", \"action\": \"set\"}]}"),
		  "t.json:1: faults[0].loss: missing (\"action\": \"set\" changes \"loss\", \"latency\" or both)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\"}], \"faults\": [{\"at\": \"1s\","
			      " \"link\": \"a-b\", \"action\": \"explode\"}]}"),
		  "t.json:1: faults[0].action: \"explode\" is not one of down, up, set, crash, restart, dns-down, dns-up, dns-servfail, dns-set, dns-add, "
	      "dns-remove, disk-full, disk-free, clock");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"host\": \"a\", \"to\": \"b\", "
			      "\"port\": 7, \"bytes\": 10, \"lines\": 2}]}"),
		  "t.json:1: apps[0].lines: give either \"bytes\" (a stream) or \"lines\" (request lines), not both");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"host\": \"a\", \"to\": \"b\", "
			      "\"port\": 7, \"bytes\": \"2GiB\"}]}"),
		  "t.json:1: apps[0].bytes: 2147483648 bytes is out of range (expected 0 to 1073741824 bytes)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"echo\", \"host\": \"b\", \"port\": 7, "
			      "\"bytes\": 1}]}"),
		  "t.json:1: apps[0].bytes: unknown key \"bytes\" (known keys: type, host, port, proto, description)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"host\": \"a\", \"to\": \"b\", "
			      "\"port\": 7}], \"expect\": [{\"client\": \"client2\", \"outcome\": \"complete\"}]}"),
		  "t.json:1: expect[0].client: unknown client \"client2\" (did you mean \"client1\"?)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"a\", "
			      "\"to\": \"b\", \"port\": 53, \"bytes\": 10}]}"),
		  "t.json:1: apps[0].bytes: only used by TCP clients (this one is \"proto\": \"udp\")");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"host\": \"a\", "
			      "\"to\": \"b\", \"port\": 53, \"datagrams\": 10}]}"),
		  "t.json:1: apps[0].datagrams: only used by UDP clients (this one is \"proto\": \"tcp\")");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"echo\", \"proto\": \"sctp\", \"host\": \"a\", "
			      "\"port\": 7}]}"),
		  "t.json:1: apps[0].proto: \"sctp\" is not one of tcp, udp (did you mean \"tcp\"?)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"apps\": [{\"type\": \"echo\", \"host\": \"a\", \"port\": 7},"
			      "{\"type\": \"echo\", \"host\": \"a\", \"port\": 7, \"proto\": \"udp\"},"
			      "{\"type\": \"discard\", \"host\": \"a\", \"port\": 7, \"proto\": \"udp\"}]}"),
		  "t.json:1: apps[2].port: UDP port 7 of \"a\" already has a service");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"seed\": -1}"),
		  "t.json:1: seed: -1 is out of range (expected 0 to 9007199254740992)");
	CHECK_STR(first_error("{" TWO_HOSTS ", \"until\": \"0s\"}"),
		  "t.json:1: until: a run of zero time shows nothing (expected a duration such as \"30s\", or leave "
		  "\"until\" out to run until nothing is left to do)");
	/* Control bytes in keys are escaped, so a message stays one line. */
	CHECK_STR(first_error("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}], \"x\\ny\": 1}"),
		  "t.json:1: x\\x0ay: unknown key \"x\\x0ay\" (known keys: title, description, seed, until, tcp, hosts, "
		  "links, routes, apps, dns, mtas, uas, mail, faults, sniffers, expect)");
	CHECK_STR(first_error(""), "t.json:1:1: not valid JSON: the text ends too early (an unclosed string, list or "
				   "object?)");
	CHECK_STR(first_error("{\"hosts\": [1,]}"), "t.json:1:14: not valid JSON: parsing stopped at ']'");
	CHECK_STR(first_error("{} {}"), "t.json:1:4: not valid JSON: parsing stopped at '{'");
}

static void test_several_errors(void)
{
	struct scenario *s = load("{\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\", \"bogus\": 1},\n"
				  "{\"name\": \"b\", \"ip\": \"1.2.3\"}],\n\"links\": [{\"a\": \"a\", \"b\": \"c\"}]}");
	CHECK(s == NULL);
	CHECK_EQ_INT(scn_diag_count(diag), 3);
	CHECK_STR(scn_diag_message(diag, 1), "t.json:2: hosts[1].ip: \"1.2.3\" is not an IPv4 address");
	CHECK_STR(scn_diag_message(diag, 2), "t.json:3: links[0].b: unknown host \"c\" (did you mean \"a\"?)");
}

static void test_interfaces_and_routes(void)
{
	const char *text = "{\"hosts\": ["
			   "{\"name\": \"a\", \"ip\": \"10.0.0.1\"},"
			   "{\"name\": \"r\", \"interfaces\": [{\"ip\": \"10.0.0.2\"}, {\"ip\": \"10.0.1.2\"}, "
			   "{\"name\": \"x\", \"ip\": \"10.0.2.2\"}]},"
			   "{\"name\": \"c\", \"interfaces\": [{\"ip\": \"10.0.1.3\"}, {\"ip\": \"10.0.3.3\"}]},"
			   "{\"name\": \"d\", \"interfaces\": [{\"ip\": \"10.0.2.3\"}, {\"ip\": \"10.0.3.4\"}]}],"
			   "\"links\": [{\"a\": \"a\", \"b\": \"r\"}, {\"a\": \"r\", \"a_iface\": \"x\", \"b\": \"d\"},"
			   " {\"a\": \"c\", \"b\": \"r\"}, {\"name\": \"cd\", \"a\": \"d\", \"b\": \"c\"}],"
			   "\"routes\": [{\"host\": \"a\", \"dest\": \"c\", \"via\": \"r\"},"
			   " {\"host\": \"d\", \"dest\": \"c\", \"link\": \"cd\"}]}";
	struct scenario *s = load(text);
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->links[0].b_iface, 0);
	CHECK_EQ_INT(s->links[1].a_iface, 2);
	CHECK_EQ_INT(s->links[2].b_iface, 1); /* the first free one */
	CHECK_EQ_INT(s->route_count, 2);
	CHECK_EQ_INT(s->routes[0].link, 0);
	CHECK_EQ_INT(s->routes[1].link, 3);
	scenario_free(&s);
}

static void test_fault_order_and_apps(void)
{
	struct scenario *s = load("{" TWO_HOSTS ", \"links\": [{\"a\": \"a\", \"b\": \"b\"}], \"faults\": ["
				  "{\"at\": \"3s\", \"link\": \"a-b\", \"action\": \"up\"},"
				  "{\"at\": \"1s\", \"link\": \"a-b\", \"action\": \"down\"},"
				  "{\"at\": \"3s\", \"link\": \"a-b\", \"action\": \"set\", \"loss\": 0.1},"
				  "{\"at\": \"2s\", \"link\": \"a-b\", \"action\": \"set\", \"latency\": \"9ms\"}],"
				  "\"apps\": [{\"type\": \"client\", \"host\": \"a\", \"to\": \"10.0.0.2\", \"port\": 7, "
				  "\"lines\": 2, \"line_length\": 20, \"expect\": \"refused\"},"
				  "{\"type\": \"echo\", \"host\": \"b\", \"port\": 7}]}");
	REQUIRE(s != NULL);
	REQUIRE(s->fault_count == 4);
	CHECK_EQ_INT(s->faults[0].kind, SCN_FAULT_DOWN);
	CHECK_EQ_INT(s->faults[1].latency, 9 * SIM_MS);
	CHECK_EQ_INT(s->faults[2].kind, SCN_FAULT_UP); /* equal times keep the file's order */
	CHECK_EQ_INT(s->faults[3].set_loss, 1);
	CHECK_EQ_INT(s->faults[3].set_latency, 0);
	CHECK_EQ_INT(s->clients[0].dest_host, 1); /* found by address */
	CHECK_EQ_INT(s->clients[0].echo, 1);
	CHECK_EQ_INT(s->clients[0].line_length, 20);
	CHECK_EQ_INT(s->expect_count, 1);
	CHECK_EQ_INT(s->expects[0].outcome, TESTAPP_REFUSED);
	scenario_free(&s);
}

static void test_udp_client_defaults(void)
{
	struct scenario *s = load("{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"a\", "
				  "\"to\": \"b\", \"port\": 7, \"datagrams\": 11, \"interval\": \"100ms\"},"
				  "{\"type\": \"echo\", \"host\": \"b\", \"port\": 7, \"proto\": \"udp\"},"
				  "{\"type\": \"client\", \"proto\": \"udp\", \"host\": \"a\", \"to\": \"b\", "
				  "\"port\": 7, \"size\": \"1KB\", \"timeout\": \"1s\"}]}");
	REQUIRE(s != NULL);
	CHECK_EQ_INT(s->clients[0].udp, 1);
	CHECK_EQ_INT(s->clients[0].echo, 1); /* the UDP service on port 7 is an echo */
	CHECK_EQ_INT(s->clients[0].datagram_size, 512);
	CHECK_EQ_INT(s->clients[0].timeout, 6 * SIM_S); /* 10 intervals and 5 s for the echoes */
	CHECK_EQ_INT(s->clients[1].datagram_size, 1000);
	CHECK_EQ_INT(s->clients[1].timeout, 1 * SIM_S);
	CHECK_EQ_INT(s->services[0].udp, 1);
	scenario_free(&s);
}

static void test_outcome_names_match(void)
{
	/* The loader's "expect" words are the test application's names. */
	for (int o = 0; o < TESTAPP_OUTCOME_COUNT; o++) {
		char text[400];
		snprintf(text, sizeof text,
			 "{" TWO_HOSTS ", \"apps\": [{\"type\": \"client\", \"host\": \"a\", \"to\": \"b\", \"port\": 7, "
			 "\"expect\": \"%s\"}]}",
			 testapp_outcome_name((enum testapp_outcome)o));
		struct scenario *s = load(text);
		REQUIRE(s != NULL);
		CHECK_EQ_INT(s->expects[0].outcome, o);
		CHECK_EQ_INT(testapp_outcome_from_name(testapp_outcome_name((enum testapp_outcome)o)), o);
		scenario_free(&s);
	}
}

static void test_suggest_and_format(void)
{
	const char *names[] = {"latency", "bandwidth", "loss", "mtu", "queue", NULL};
	CHECK_STR(scn_suggest("latnecy", names), "latency");
	CHECK_STR(scn_suggest("Bandwith", names), "bandwidth");
	CHECK_STR(scn_suggest("lat", names), "latency");
	CHECK(scn_suggest("colour", names) == NULL);
	char buf[32];
	CHECK_STR(scn_format_duration(1500 * SIM_MS, buf, sizeof buf), "1500ms");
	CHECK_STR(scn_format_duration(120 * SIM_S, buf, sizeof buf), "2m");
	CHECK_STR(scn_format_duration(0, buf, sizeof buf), "0s");
	uint32_t ip;
	CHECK(scn_text_ipv4("192.168.001.1", &ip) < 0);
	CHECK(scn_text_ipv4("1.2.3.4.5", &ip) < 0);
	CHECK(scn_text_ipv4("1.2.3.4 ", &ip) < 0);
	CHECK(scn_text_ipv4("0.0.0.0", &ip) == 0 && ip == 0);
	sim_time t;
	CHECK(scn_text_duration("5 ms", &t) < 0);
	CHECK(scn_text_duration("5ms", &t) == 0 && t == 5 * SIM_MS);
}

/* Mutates the default scenario thousands of times (bytes flipped,
 * inserted, deleted, spans duplicated): each load either succeeds or
 * reports at least one error that names the file and a line. Run under
 * ASan/UBSan in the sanitizer build. */
static void test_mutations_never_crash(void)
{
	FILE *f = fopen(MAILSIM_SOURCE_DIR "/scenarios/default.json", "rb");
	REQUIRE(f != NULL);
	static char orig[1 << 16];
	size_t n = fread(orig, 1, sizeof orig, f);
	fclose(f);
	struct rng r;
	rng_init_stream(&r, 1, "scenario-mutations");
	static const char alphabet[] = "{}[]\":,-.0123456789eE \n\\abcxyz";
	int loaded = 0, failed = 0;
	for (int iter = 0; iter < 3000; iter++) {
		char *buf = malloc(2 * n + 64);
		memcpy(buf, orig, n);
		size_t len = n;
		int edits = 1 + (int)rng_below(&r, 4);
		for (int e = 0; e < edits; e++) {
			size_t pos = len ? (size_t)rng_below(&r, len) : 0;
			switch (rng_below(&r, 4)) {
			case 0:
				if (len)
					buf[pos] = alphabet[rng_below(&r, sizeof alphabet - 1)];
				break;
			case 1:
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = alphabet[rng_below(&r, sizeof alphabet - 1)];
				len++;
				break;
			case 2:
				if (len) {
					memmove(buf + pos, buf + pos + 1, len - pos - 1);
					len--;
				}
				break;
			default: {
				size_t span = (size_t)rng_below(&r, 40);
				if (pos + span <= len && len + span <= 2 * n + 32) {
					memmove(buf + pos + span, buf + pos, len - pos);
					len += span;
				}
				break;
			}
			}
		}
		char *exact = malloc(len ? len : 1); /* no slack: ASan sees overreads */
		memcpy(exact, buf, len);
		free(buf);
		scn_diag_clear(diag);
		struct scenario *s = scenario_load_text("m.json", exact, len, diag);
		if (s) {
			loaded++;
			scenario_free(&s);
		} else {
			failed++;
			CHECK(scn_diag_count(diag) > 0);
			const char *m = scn_diag_message(diag, 0);
			CHECK(m && strncmp(m, "m.json:", 7) == 0 && m[7] >= '1' && m[7] <= '9');
		}
		free(exact);
	}
	CHECK(failed > 1000);
	CHECK(loaded > 0);
	printf("mutations: %d loaded, %d rejected\n", loaded, failed);
}

/* Inputs built to be slow: a huge object, thousands of hosts with one
 * duplicate name, thousands of unknown keys. Each must be rejected with a
 * bounded number of messages (ctest's timeout catches a hang). */
static char *big_text(size_t *len_r, int kind)
{
	size_t cap = 8u << 20, n = 0;
	char *b = malloc(cap);
	n += (size_t)snprintf(b + n, cap - n, "{\"hosts\": [");
	int hosts = kind == 0 ? 5001 : 4000;
	for (int i = 0; i < hosts; i++) {
		const char *extra = kind == 2 ? ", \"bogus\": 1" : "";
		n += (size_t)snprintf(b + n, cap - n, "%s{\"name\": \"h%d\", \"ip\": \"10.%d.%d.1\"%s}", i ? ", " : "",
				      kind == 1 && i == hosts - 1 ? 0 : i, i / 250, i % 250, extra);
	}
	n += (size_t)snprintf(b + n, cap - n, "], \"title\": \"x\"");
	if (kind == 3)
		for (int i = 0; i < 100000; i++)
			n += (size_t)snprintf(b + n, cap - n, ", \"k%d\": %d", i, i);
	n += (size_t)snprintf(b + n, cap - n, "}");
	*len_r = n;
	return b;
}

static void test_large_inputs_bounded(void)
{
	const char *want[] = {
		"t.json:1: hosts: 5001 hosts is more than mailsim supports (at most 5000)",
		"t.json:1: hosts[3999].name: duplicate host name \"h0\" (hosts[0] already has it)",
		"t.json:1: hosts[0].bogus: unknown key \"bogus\" (known keys: name, role, ip, interfaces, x, y, description, fqdn)",
		"t.json:1: an object with 100002 keys: expected at most 64 (known keys are few; is this the right file?)",
	};
	for (int kind = 0; kind < 4; kind++) {
		size_t len;
		char *text = big_text(&len, kind);
		scn_diag_clear(diag);
		struct scenario *s = scenario_load_text("t.json", text, len, diag);
		CHECK(s == NULL);
		CHECK(scn_diag_kept(diag) <= SCN_DIAG_MAX);
		CHECK_STR(scn_diag_message(diag, 0), want[kind]);
		scenario_free(&s);
		free(text);
	}
}

int main(void)
{
	diag = scn_diag_new();
	RUN(test_default_scenario_model);
	RUN(test_units);
	RUN(test_messages);
	RUN(test_several_errors);
	RUN(test_interfaces_and_routes);
	RUN(test_fault_order_and_apps);
	RUN(test_udp_client_defaults);
	RUN(test_outcome_names_match);
	RUN(test_suggest_and_format);
	RUN(test_mutations_never_crash);
	RUN(test_large_inputs_bounded);
	scn_diag_free(&diag);
	return harness_done();
}

/* The JSON Lines trace: the story of synthetic records gives exactly the
 * expected lines (keys in documented order, integers exact), every line is
 * one JSON object that cJSON parses back, a long and hostile application
 * text survives escaping, and the same records give the same bytes. */
#include <cjson/cJSON.h>

#include "harness.h"
#include "observe_fixture.h"
#include "sim/observe/obs_util.h"
#include "sim/observe/observers.h"

#define TRACE_FILE MAILSIM_BINARY_DIR "/observe_trace_unit.jsonl"

/* Runs the story (plus extra, if set) into a trace; returns the file's
 * text. */
static char *trace_story(uint64_t seed, void (*extra)(struct fixture *f))
{
	struct fixture f;
	char err[256] = "";
	if (fixture_init(&f, seed) < 0)
		return NULL;
	struct obs_trace *t = obs_trace_open(f.sim, f.net, TRACE_FILE, err, sizeof err);
	if (!t) {
		fprintf(stderr, "%s\n", err);
		fixture_fini(&f);
		return NULL;
	}
	int ok = fixture_story(&f) == 0;
	if (extra)
		extra(&f);
	ok = obs_trace_close(&t) == 0 && ok;
	fixture_fini(&f);
	size_t len = 0;
	char *text = ok ? (char *)fixture_slurp(TRACE_FILE, &len) : NULL;
	if (text) {
		char *z = realloc(text, len + 1);
		if (!z) {
			free(text);
			return NULL;
		}
		text = z;
		text[len] = '\0';
	}
	return text;
}

/* Reviewed by hand against docs/trace-format.md. */
static const char want[] =
    "{\"t\":0,\"type\":\"run\",\"version\":1,\"seed\":18446744073709551615,\"hosts\":[{\"name\":\"laptop\",\"ips\":[\"10.0.0.1\"]},{\"name\":\"mta\",\"ips\":[\"10.0.0.2\",\"10.0.1.1\"]},{\"name\":\"server\",\"ips\":[\"10.0.1.2\"]}],\"links\":[{\"link\":0,\"name\":\"laptop-mta\",\"a\":\"laptop\",\"a_ip\":\"10.0.0.1\",\"b\":\"mta\",\"b_ip\":\"10.0.0.2\",\"latency\":2000000,\"bandwidth\":10000000,\"loss\":0.05,\"mtu\":1500,\"queue\":65536,\"up\":true},{\"link\":1,\"name\":\"mta-server\",\"a\":\"mta\",\"a_ip\":\"10.0.1.1\",\"b\":\"server\",\"b_ip\":\"10.0.1.2\",\"latency\":1000000,\"bandwidth\":100000000,\"loss\":0,\"mtu\":1500,\"queue\":65536,\"up\":true}]}\n"
    "{\"t\":0,\"type\":\"conn\",\"host\":\"laptop\",\"conn\":1,\"local_ip\":\"10.0.0.1\",\"local_port\":49152,\"remote_ip\":\"10.0.1.2\",\"remote_port\":25,\"from\":\"CLOSED\",\"to\":\"SYN_SENT\"}\n"
    "{\"t\":0,\"type\":\"send\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"pkt\":1,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":0,\"type\":\"tx\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"arrival\":3000000,\"pkt\":1,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":3000000,\"type\":\"tx\",\"host\":\"mta\",\"link\":1,\"dir\":0,\"arrival\":6000000,\"pkt\":1,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":6000000,\"type\":\"recv\",\"host\":\"server\",\"pkt\":1,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":1000,\"ack\":0,\"flags\":\"S\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":6000000,\"type\":\"conn\",\"host\":\"server\",\"conn\":2,\"local_ip\":\"10.0.1.2\",\"local_port\":25,\"remote_ip\":\"10.0.0.1\",\"remote_port\":49152,\"from\":\"LISTEN\",\"to\":\"SYN_RECEIVED\"}\n"
    "{\"t\":6000000,\"type\":\"send\",\"host\":\"server\",\"link\":1,\"dir\":1,\"pkt\":2,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5000,\"ack\":1001,\"flags\":\"SA\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":6000000,\"type\":\"tx\",\"host\":\"server\",\"link\":1,\"dir\":1,\"arrival\":9000000,\"pkt\":2,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5000,\"ack\":1001,\"flags\":\"SA\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":9000000,\"type\":\"tx\",\"host\":\"mta\",\"link\":0,\"dir\":1,\"arrival\":12000000,\"pkt\":2,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5000,\"ack\":1001,\"flags\":\"SA\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":12000000,\"type\":\"recv\",\"host\":\"laptop\",\"pkt\":2,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5000,\"ack\":1001,\"flags\":\"SA\",\"win\":65535,\"mss\":1460}\n"
    "{\"t\":12000000,\"type\":\"conn\",\"host\":\"laptop\",\"conn\":1,\"local_ip\":\"10.0.0.1\",\"local_port\":49152,\"remote_ip\":\"10.0.1.2\",\"remote_port\":25,\"from\":\"SYN_SENT\",\"to\":\"ESTABLISHED\"}\n"
    "{\"t\":12000000,\"type\":\"send\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":12000000,\"type\":\"tx\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"arrival\":15000000,\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":12000500,\"type\":\"drop\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"reason\":\"loss\",\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":13000000,\"type\":\"app\",\"host\":\"laptop\",\"conn\":1,\"kind\":\"smtp\",\"text\":\"C: HELO laptop\\r\\n\"}\n"
    "{\"t\":100000000,\"type\":\"link\",\"link\":1,\"name\":\"mta-server\",\"up\":false}\n"
    "{\"t\":1012000000,\"type\":\"retransmit\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":1012000000,\"type\":\"tx\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"arrival\":1015000000,\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":1015000000,\"type\":\"drop\",\"host\":\"mta\",\"link\":1,\"dir\":0,\"reason\":\"link-down\",\"pkt\":3,\"proto\":\"tcp\",\"src\":\"10.0.0.1\",\"sport\":49152,\"dst\":\"10.0.1.2\",\"dport\":25,\"ttl\":64,\"ip_id\":2,\"len\":13,\"seq\":1001,\"ack\":5001,\"flags\":\"PA\",\"win\":65535}\n"
    "{\"t\":1500000000,\"type\":\"link\",\"link\":1,\"name\":\"mta-server\",\"up\":true}\n"
    "{\"t\":1600000000,\"type\":\"send\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"pkt\":5,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.1.2\",\"dport\":53,\"ttl\":64,\"ip_id\":0,\"len\":3}\n"
    "{\"t\":1600000000,\"type\":\"tx\",\"host\":\"laptop\",\"link\":0,\"dir\":0,\"arrival\":1603000000,\"pkt\":5,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.1.2\",\"dport\":53,\"ttl\":64,\"ip_id\":0,\"len\":3}\n"
    "{\"t\":1603000000,\"type\":\"tx\",\"host\":\"mta\",\"link\":1,\"dir\":0,\"arrival\":1606000000,\"pkt\":5,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.1.2\",\"dport\":53,\"ttl\":64,\"ip_id\":0,\"len\":3}\n"
    "{\"t\":1606000000,\"type\":\"drop\",\"host\":\"server\",\"reason\":\"no-socket\",\"pkt\":5,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"sport\":40000,\"dst\":\"10.0.1.2\",\"dport\":53,\"ttl\":64,\"ip_id\":0,\"len\":3}\n"
    "{\"t\":2000000000,\"type\":\"send\",\"host\":\"server\",\"link\":1,\"dir\":1,\"pkt\":4,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5001,\"ack\":0,\"flags\":\"R\",\"win\":65535}\n"
    "{\"t\":2000000000,\"type\":\"conn\",\"host\":\"server\",\"conn\":2,\"local_ip\":\"10.0.1.2\",\"local_port\":25,\"remote_ip\":\"10.0.0.1\",\"remote_port\":49152,\"from\":\"SYN_RECEIVED\",\"to\":\"CLOSED\",\"why\":\"reset\"}\n"
    "{\"t\":2000000000,\"type\":\"tx\",\"host\":\"server\",\"link\":1,\"dir\":1,\"arrival\":2003000000,\"pkt\":4,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5001,\"ack\":0,\"flags\":\"R\",\"win\":65535}\n"
    "{\"t\":2003000000,\"type\":\"tx\",\"host\":\"mta\",\"link\":0,\"dir\":1,\"arrival\":2006000000,\"pkt\":4,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5001,\"ack\":0,\"flags\":\"R\",\"win\":65535}\n"
    "{\"t\":2006000000,\"type\":\"recv\",\"host\":\"laptop\",\"pkt\":4,\"proto\":\"tcp\",\"src\":\"10.0.1.2\",\"sport\":25,\"dst\":\"10.0.0.1\",\"dport\":49152,\"ttl\":64,\"ip_id\":0,\"len\":0,\"seq\":5001,\"ack\":0,\"flags\":\"R\",\"win\":65535}\n"
    "{\"t\":2006000000,\"type\":\"conn\",\"host\":\"laptop\",\"conn\":1,\"local_ip\":\"10.0.0.1\",\"local_port\":49152,\"remote_ip\":\"10.0.1.2\",\"remote_port\":25,\"from\":\"ESTABLISHED\",\"to\":\"CLOSED\",\"why\":\"reset\"}\n"
    "{\"t\":3000000000,\"type\":\"app\",\"host\":null,\"kind\":\"note\",\"text\":\"run over\"}\n"
    "{\"t\":0,\"type\":\"end\",\"events\":0}\n";

static void test_story(void)
{
	char *got = trace_story(18446744073709551615ULL, NULL);
	REQUIRE(got);
	CHECK_STR(got, want);
	free(got);
}

/* Every line is one JSON object whose first keys are "t" then "type". */
static void test_lines_parse(void)
{
	char *got = trace_story(3, NULL);
	REQUIRE(got);
	int lines = 0;
	for (char *line = got, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		cJSON *o = cJSON_Parse(line);
		CHECK(o && cJSON_IsObject(o));
		if (o) {
			CHECK(o->child && strcmp(o->child->string, "t") == 0 && cJSON_IsNumber(o->child));
			CHECK(o->child && o->child->next && strcmp(o->child->next->string, "type") == 0);
		}
		cJSON_Delete(o);
		lines++;
	}
	CHECK_EQ_INT(lines, 33); /* run + 31 records + end */
	free(got);
}

static char long_text[20000];

static void publish_long(struct fixture *f)
{
	for (size_t i = 0; i < sizeof long_text - 1; i++)
		long_text[i] = (char)(i % 3 == 0 ? '"' : i % 3 == 1 ? '\x01' : 'x');
	fixture_app(f, 4 * SIM_S, HOST_MTA, 9, "note", long_text);
}

static void test_long_text(void)
{
	char *got = trace_story(3, publish_long);
	REQUIRE(got);
	char *last = strstr(got, "\"kind\":\"note\",\"text\":\"\\\"\\u0001x");
	REQUIRE(last);
	while (last > got && last[-1] != '\n')
		last--;
	char *nl = strchr(last, '\n');
	REQUIRE(nl);
	*nl = '\0';
	cJSON *o = cJSON_Parse(last);
	REQUIRE(o);
	cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
	CHECK(cJSON_IsString(text) && strcmp(text->valuestring, long_text) == 0);
	cJSON_Delete(o);
	free(got);
}

static void test_deterministic(void)
{
	char *a = trace_story(5, NULL), *b = trace_story(5, NULL);
	REQUIRE(a && b);
	CHECK_STR(a, b);
	free(a);
	free(b);
}

/* The trace's own integer and address formatting against snprintf. */
static void test_formatting(void)
{
	char a[32], b[32];
	static const int64_t ints[] = {0, 1, -1, 9, 10, 99, 100, 1234567890123LL, INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		snprintf(b, sizeof b, "%lld", (long long)ints[i]);
		CHECK_STR(obs_fmt_i64(ints[i], a), b);
		snprintf(b, sizeof b, "%llu", (unsigned long long)ints[i]);
		CHECK_STR(obs_fmt_u64((uint64_t)ints[i], a), b);
	}
	static const uint32_t ips[] = {0, 0xffffffffu, IP4(10, 0, 0, 1), IP4(192, 168, 100, 9), IP4(1, 20, 200, 0)};
	for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++)
		CHECK_STR(obs_fmt_ip(ips[i], a), ipv4_format(ips[i], b));

	/* Latin-1 é, UTF-8 é, a surrogate, above U+10FFFF, overlong '/',
	 * truncated sequence at the end. */
	static const char bad[] = "caf\xe9 \xc3\xa9 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf \xe2\x82";
	char out[3 * sizeof bad];
	CHECK_EQ_INT(obs_utf8_valid_prefix(bad), 3);
	CHECK_EQ_INT(obs_utf8_valid_prefix("ok \xe2\x82\xac \xf0\x9f\x93\xa7"), 11);
	CHECK_STR(obs_utf8_sanitize(bad, out), "caf\xef\xbf\xbd \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
					       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
					       "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
}

static void publish_latin1(struct fixture *f) { fixture_app(f, 4 * SIM_S, HOST_MTA, 0, "smtp", "S: 250 Se\xf1or"); }

/* Bytes that are not UTF-8 reach the trace as U+FFFD: the line stays
 * valid JSON for any reader. */
static void test_not_utf8(void)
{
	char *got = trace_story(3, publish_latin1);
	REQUIRE(got);
	CHECK(strstr(got, "{\"t\":4000000000,\"type\":\"app\",\"host\":\"mta\",\"kind\":\"smtp\","
			  "\"text\":\"S: 250 Se\xef\xbf\xbdor\"}\n") != NULL);
	free(got);
}

static void publish_mail(struct fixture *f)
{
	static const char nul_line[] = {'D', 'A', 0, 'A'};
	struct obs_record r = {.type = OBS_LINE, .time = 5 * SIM_S};
	fixture_line(f, 5 * SIM_S, HOST_LAPTOP, HOST_MTA, 1, 1, 0, "MAIL FROM:<juan@gmail.com>");
	fixture_line(f, 5 * SIM_S + 1, HOST_MTA, HOST_LAPTOP, 2, 0, 1, "250 2.1.0 Ok");
	r.u.line.host = HOST_LAPTOP;
	r.u.line.peer = -1;
	r.u.line.conn_id = 1;
	r.u.line.proto = "SMTP";
	r.u.line.from_client = 1;
	r.u.line.text = nul_line;
	r.u.line.len = sizeof nul_line;
	bus_publish(sim_bus(f->sim), &r);
	fixture_mail(f, 6 * SIM_S, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", "<1@gmail.com>", "juan@gmail.com",
		     "maria@dominio.de.maria", NULL);
	fixture_mail(f, 6 * SIM_S, HOST_MTA, OBS_MAIL_HEADER, "Q1", "<1@gmail.com>", "juan@gmail.com", NULL,
		     "Received: from laptop\r\n by mta");
	fixture_mail(f, 7 * SIM_S, HOST_SERVER, OBS_MAIL_DISCARDED, "Q2", NULL, "", "x@y", "a bounce cannot be bounced");
}

/* Protocol lines and mail events with every field; absent strings are
 * null, a NUL byte in a line is U+FFFD. */
static void test_line_and_mail(void)
{
	char *got = trace_story(3, publish_mail);
	REQUIRE(got);
	static const char *const want_lines[] = {
	    "{\"t\":5000000000,\"type\":\"line\",\"host\":\"laptop\",\"peer\":\"mta\",\"conn\":1,\"proto\":\"SMTP\","
	    "\"from_client\":true,\"encrypted\":false,\"len\":26,\"text\":\"MAIL FROM:<juan@gmail.com>\"}\n",
	    "{\"t\":5000000001,\"type\":\"line\",\"host\":\"mta\",\"peer\":\"laptop\",\"conn\":2,\"proto\":\"SMTP\","
	    "\"from_client\":false,\"encrypted\":true,\"len\":12,\"text\":\"250 2.1.0 Ok\"}\n",
	    "{\"t\":5000000000,\"type\":\"line\",\"host\":\"laptop\",\"peer\":null,\"conn\":1,\"proto\":\"SMTP\","
	    "\"from_client\":true,\"encrypted\":false,\"len\":4,\"text\":\"DA\xef\xbf\xbd" "A\"}\n",
	    "{\"t\":6000000000,\"type\":\"mail\",\"host\":\"mta\",\"event\":\"accepted\",\"queue_id\":\"Q1\","
	    "\"message_id\":\"<1@gmail.com>\",\"from\":\"juan@gmail.com\",\"rcpt\":\"maria@dominio.de.maria\","
	    "\"text\":null}\n",
	    "{\"t\":6000000000,\"type\":\"mail\",\"host\":\"mta\",\"event\":\"header\",\"queue_id\":\"Q1\","
	    "\"message_id\":\"<1@gmail.com>\",\"from\":\"juan@gmail.com\",\"rcpt\":null,"
	    "\"text\":\"Received: from laptop\\r\\n by mta\"}\n",
	    "{\"t\":7000000000,\"type\":\"mail\",\"host\":\"server\",\"event\":\"discarded\",\"queue_id\":\"Q2\","
	    "\"message_id\":null,\"from\":\"\",\"rcpt\":\"x@y\",\"text\":\"a bounce cannot be bounced\"}\n",
	};
	for (size_t i = 0; i < sizeof want_lines / sizeof want_lines[0]; i++) {
		CHECK(strstr(got, want_lines[i]) != NULL);
		if (!strstr(got, want_lines[i]))
			fprintf(stderr, "missing: %s", want_lines[i]);
	}
	free(got);
}

static void test_open_error(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	char err[256] = "";
	struct obs_trace *t = obs_trace_open(f.sim, f.net, "/nonexistent-dir/t.jsonl", err, sizeof err);
	CHECK(t == NULL);
	CHECK(strstr(err, "/nonexistent-dir/t.jsonl") != NULL);
	CHECK_EQ_INT(obs_trace_close(&t), 0);
	fixture_fini(&f);
}

int main(void)
{
	RUN(test_story);
	RUN(test_lines_parse);
	RUN(test_long_text);
	RUN(test_deterministic);
	RUN(test_formatting);
	RUN(test_not_utf8);
	RUN(test_open_error);
	RUN(test_line_and_mail);
	CHECK_EQ_INT(packet_live_count(), 0);
	packet_pool_drain();
	remove(TRACE_FILE);
	return harness_done();
}

/* The text log: a story of synthetic records gives exactly the expected
 * lines, in normal and verbose mode; application text is escaped onto one
 * line; the same records give the same bytes. */
#include "harness.h"
#include "observe_fixture.h"
#include "sim/observe/observers.h"
#include "sim/observe/obs_util.h"

/* Runs the story through a text log; returns the malloc'd log text. */
static char *log_story(int verbose)
{
	struct fixture f;
	char *text = NULL;
	size_t len = 0;
	if (fixture_init(&f, 7) < 0)
		return NULL;
	FILE *out = open_memstream(&text, &len);
	struct obs_text_log *log = out ? obs_text_log_open(f.sim, f.net, out) : NULL;
	if (log && (!verbose || obs_text_log_verbose(log, 1) == 0) && fixture_story(&f) == 0 &&
	    obs_text_log_close(&log) == 0) {
		fclose(out);
		fixture_fini(&f);
		return text;
	}
	obs_text_log_close(&log);
	if (out)
		fclose(out);
	free(text);
	fixture_fini(&f);
	return NULL;
}

static const char quiet_want[] =
    "  0.000000000  laptop conn#1 CLOSED -> SYN_SENT 10.0.0.1:49152 <-> 10.0.1.2:25\n"
    "  0.000000000  laptop 10.0.0.1:49152 > 10.0.1.2:25 [S] seq=1000 win=65535 len=0 mss=1460\n"
    "  0.006000000  server conn#2 LISTEN -> SYN_RECEIVED 10.0.1.2:25 <-> 10.0.0.1:49152\n"
    "  0.006000000  server 10.0.1.2:25 > 10.0.0.1:49152 [S.] seq=5000 ack=1001 win=65535 len=0 mss=1460\n"
    "  0.012000000  laptop conn#1 SYN_SENT -> ESTABLISHED 10.0.0.1:49152 <-> 10.0.1.2:25\n"
    "  0.012000000  laptop 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  0.012000500  laptop DROP loss on laptop-mta (laptop>mta): 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  0.013000000  laptop conn#1 smtp: C: HELO laptop\\r\\n\n"
    "  0.100000000  -      link mta-server down\n"
    "  1.012000000  laptop retransmit 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  1.015000000  mta    DROP link-down on mta-server (mta>server): 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  1.500000000  -      link mta-server up\n"
    "  1.600000000  laptop 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  1.606000000  server DROP no-socket: 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  2.000000000  server 10.0.1.2:25 > 10.0.0.1:49152 [R] seq=5001 win=65535 len=0\n"
    "  2.000000000  server conn#2 SYN_RECEIVED -> CLOSED 10.0.1.2:25 <-> 10.0.0.1:49152 (reset)\n"
    "  2.006000000  laptop conn#1 ESTABLISHED -> CLOSED 10.0.0.1:49152 <-> 10.0.1.2:25 (reset)\n"
    "  3.000000000  -      note: run over\n";

static const char verbose_want[] =
    "  0.000000000  laptop conn#1 CLOSED -> SYN_SENT 10.0.0.1:49152 <-> 10.0.1.2:25\n"
    "  0.000000000  laptop 10.0.0.1:49152 > 10.0.1.2:25 [S] seq=1000 win=65535 len=0 mss=1460\n"
    "  0.000000000  laptop tx on laptop-mta (laptop>mta) arrives 0.003000000: 10.0.0.1:49152 > 10.0.1.2:25 [S] seq=1000 win=65535 len=0 mss=1460\n"
    "  0.003000000  mta    tx on mta-server (mta>server) arrives 0.006000000: 10.0.0.1:49152 > 10.0.1.2:25 [S] seq=1000 win=65535 len=0 mss=1460\n"
    "  0.006000000  server recv 10.0.0.1:49152 > 10.0.1.2:25 [S] seq=1000 win=65535 len=0 mss=1460\n"
    "  0.006000000  server conn#2 LISTEN -> SYN_RECEIVED 10.0.1.2:25 <-> 10.0.0.1:49152\n"
    "  0.006000000  server 10.0.1.2:25 > 10.0.0.1:49152 [S.] seq=5000 ack=1001 win=65535 len=0 mss=1460\n"
    "  0.006000000  server tx on mta-server (server>mta) arrives 0.009000000: 10.0.1.2:25 > 10.0.0.1:49152 [S.] seq=5000 ack=1001 win=65535 len=0 mss=1460\n"
    "  0.009000000  mta    tx on laptop-mta (mta>laptop) arrives 0.012000000: 10.0.1.2:25 > 10.0.0.1:49152 [S.] seq=5000 ack=1001 win=65535 len=0 mss=1460\n"
    "  0.012000000  laptop recv 10.0.1.2:25 > 10.0.0.1:49152 [S.] seq=5000 ack=1001 win=65535 len=0 mss=1460\n"
    "  0.012000000  laptop conn#1 SYN_SENT -> ESTABLISHED 10.0.0.1:49152 <-> 10.0.1.2:25\n"
    "  0.012000000  laptop 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  0.012000000  laptop tx on laptop-mta (laptop>mta) arrives 0.015000000: 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  0.012000500  laptop DROP loss on laptop-mta (laptop>mta): 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  0.013000000  laptop conn#1 smtp: C: HELO laptop\\r\\n\n"
    "  0.100000000  -      link mta-server down\n"
    "  1.012000000  laptop retransmit 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  1.012000000  laptop tx on laptop-mta (laptop>mta) arrives 1.015000000: 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  1.015000000  mta    DROP link-down on mta-server (mta>server): 10.0.0.1:49152 > 10.0.1.2:25 [P.] seq=1001 ack=5001 win=65535 len=13\n"
    "  1.500000000  -      link mta-server up\n"
    "  1.600000000  laptop 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  1.600000000  laptop tx on laptop-mta (laptop>mta) arrives 1.603000000: 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  1.603000000  mta    tx on mta-server (mta>server) arrives 1.606000000: 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  1.606000000  server DROP no-socket: 10.0.0.1:40000 > 10.0.1.2:53 UDP len=3\n"
    "  2.000000000  server 10.0.1.2:25 > 10.0.0.1:49152 [R] seq=5001 win=65535 len=0\n"
    "  2.000000000  server conn#2 SYN_RECEIVED -> CLOSED 10.0.1.2:25 <-> 10.0.0.1:49152 (reset)\n"
    "  2.000000000  server tx on mta-server (server>mta) arrives 2.003000000: 10.0.1.2:25 > 10.0.0.1:49152 [R] seq=5001 win=65535 len=0\n"
    "  2.003000000  mta    tx on laptop-mta (mta>laptop) arrives 2.006000000: 10.0.1.2:25 > 10.0.0.1:49152 [R] seq=5001 win=65535 len=0\n"
    "  2.006000000  laptop recv 10.0.1.2:25 > 10.0.0.1:49152 [R] seq=5001 win=65535 len=0\n"
    "  2.006000000  laptop conn#1 ESTABLISHED -> CLOSED 10.0.0.1:49152 <-> 10.0.1.2:25 (reset)\n"
    "  3.000000000  -      note: run over\n";

static void test_quiet(void)
{
	char *got = log_story(0);
	REQUIRE(got);
	CHECK_STR(got, quiet_want);
	free(got);
}

static void test_verbose(void)
{
	char *got = log_story(1);
	REQUIRE(got);
	CHECK_STR(got, verbose_want);
	free(got);
}

static void test_deterministic(void)
{
	char *a = log_story(1), *b = log_story(1);
	REQUIRE(a && b);
	CHECK_STR(a, b);
	free(a);
	free(b);
}

/* Protocol lines and mail events: one line each, escaped. */
static void test_line_and_mail(void)
{
	struct fixture f;
	char *text = NULL;
	size_t len = 0;
	REQUIRE(fixture_init(&f, 7) == 0);
	FILE *out = open_memstream(&text, &len);
	REQUIRE(out);
	struct obs_text_log *log = obs_text_log_open(f.sim, f.net, out);
	REQUIRE(log);
	fixture_line(&f, 5 * SIM_S, HOST_LAPTOP, HOST_MTA, 1, 1, 0, "MAIL FROM:<juan@gmail.com>");
	fixture_line(&f, 5 * SIM_S, HOST_MTA, HOST_LAPTOP, 2, 0, 1, "250 Ok\tdone");
	fixture_mail(&f, 6 * SIM_S, HOST_MTA, OBS_MAIL_HEADER, "Q1", "<1@gmail.com>", "juan@gmail.com", NULL,
		     "Received: from laptop\r\n by mta");
	fixture_mail(&f, 6 * SIM_S, HOST_SERVER, OBS_MAIL_DELIVERED, "Q2", NULL, "", "maria@dominio.de.maria", "INBOX");
	CHECK_EQ_INT(obs_text_log_close(&log), 0);
	fclose(out);
	CHECK_STR(text, "  5.000000000  laptop conn#1 SMTP to mta C: MAIL FROM:<juan@gmail.com>\n"
			"  5.000000000  mta    conn#2 SMTP/TLS to laptop S: 250 Ok\\tdone\n"
			"  6.000000000  mta    mail header Q1 <1@gmail.com> from=<juan@gmail.com> rcpt=-: "
			"Received: from laptop\\r\\n by mta\n"
			"  6.000000000  server mail delivered Q2 - from=<> rcpt=maria@dominio.de.maria: INBOX\n");
	free(text);
	fixture_fini(&f);
}

static void test_escape(void)
{
	char buf[16];
	CHECK_STR(obs_escape_line("a\r\n\t\\\x01z", buf, sizeof buf), "a\\r\\n\\t\\\\\\x01z");
	CHECK_STR(obs_escape_line(NULL, buf, sizeof buf), "");
	CHECK_STR(obs_escape_line("0123456789abcde", buf, sizeof buf), "0123456789abcde");
	CHECK_STR(obs_escape_line("0123456789abcdef", buf, sizeof buf), "0123456789ab...");
	CHECK_STR(obs_escape_line("caf\xc3\xa9", buf, sizeof buf), "caf\xc3\xa9");
	CHECK_STR(obs_escape_bytes("a\0b", 3, buf, sizeof buf), "a\\x00b");
	CHECK_STR(obs_escape_bytes(NULL, 3, buf, sizeof buf), "");
	char f[8];
	CHECK_STR(obs_tcp_flags_tcpdump(TCP_SYN | TCP_ACK, f), "S.");
	CHECK_STR(obs_tcp_flags_tcpdump(TCP_FIN | TCP_PSH | TCP_ACK, f), "FP.");
	CHECK_STR(obs_tcp_flags_tcpdump(0, f), "none");
	CHECK_STR(obs_tcp_flags_letters(TCP_SYN | TCP_ACK, f), "SA");
	CHECK_STR(obs_tcp_flags_letters(TCP_FIN | TCP_RST | TCP_PSH | TCP_ACK | TCP_SYN, f), "FSRPA");
	CHECK_STR(obs_tcp_flags_letters(0, f), "");
}

int main(void)
{
	RUN(test_quiet);
	RUN(test_verbose);
	RUN(test_deterministic);
	RUN(test_escape);
	RUN(test_line_and_mail);
	CHECK_EQ_INT(packet_live_count(), 0);
	packet_pool_drain();
	return harness_done();
}

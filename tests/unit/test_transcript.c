/* The text transcript: a story of synthetic records (both ends of each
 * connection publishing every line, STARTTLS, a long DATA body, DNS, mail
 * events, a close and a reset, a connection nobody announced) gives exactly
 * the expected text in the eavesdropper's view, and the plaintext and whole
 * body on request; the same records give the same bytes. Then a whole run
 * over test_mta.c's world reads like the note's telnet listing, each line
 * once. */
#include "harness.h"
#include "mail_world.h"
#include "observe_fixture.h"
#include "sim/observe/transcript.h"

static const uint32_t lap = IP4(10, 0, 0, 1), srv = IP4(10, 0, 1, 2);

/* One line as both ends publish it: the sender when it sends (its conn
 * id), the receiver 6 ms later (its own conn id). */
static void both(struct fixture *f, sim_time t, int from_client, uint32_t client_conn, uint32_t server_conn,
		 int encrypted, const char *text)
{
	int sender = from_client ? HOST_LAPTOP : HOST_SERVER, receiver = from_client ? HOST_SERVER : HOST_LAPTOP;
	uint32_t sconn = from_client ? client_conn : server_conn, rconn = from_client ? server_conn : client_conn;
	fixture_line(f, t, sender, receiver, sconn, from_client, encrypted, text);
	fixture_line(f, t + 6 * SIM_MS, sender, receiver, rconn, from_client, encrypted, text);
}

static void story(struct fixture *f)
{
	const sim_time ms = SIM_MS;
	fixture_conn(f, 0, 9, HOST_SERVER, srv, 25, 0, 0, "CLOSED", "LISTEN", NULL);
	fixture_conn(f, 0, 1, HOST_LAPTOP, lap, 49152, srv, 25, "CLOSED", "SYN_SENT", NULL);
	fixture_conn(f, 6 * ms, 2, HOST_SERVER, srv, 25, lap, 49152, "LISTEN", "SYN_RECEIVED", NULL);
	fixture_conn(f, 12 * ms, 1, HOST_LAPTOP, lap, 49152, srv, 25, "SYN_SENT", "ESTABLISHED", NULL);
	both(f, 12 * ms, 0, 1, 2, 0, "220 server ESMTP");
	fixture_app(f, 12 * ms, HOST_SERVER, 0, "dns", "QUERY PTR 1.0.0.10.in-addr.arpa");
	fixture_conn(f, 18 * ms, 2, HOST_SERVER, srv, 25, lap, 49152, "SYN_RECEIVED", "ESTABLISHED", NULL);
	both(f, 18 * ms, 1, 1, 2, 0, "EHLO laptop");
	fixture_app(f, 20 * ms, HOST_SERVER, 0, "dns", "ANSWER 1.0.0.10.in-addr.arpa PTR laptop");
	both(f, 24 * ms, 0, 1, 2, 0, "250-server");
	both(f, 24 * ms, 0, 1, 2, 0, "250 STARTTLS");
	both(f, 30 * ms, 1, 1, 2, 0, "STARTTLS");
	both(f, 36 * ms, 0, 1, 2, 0, "220 Ready to start TLS");
	both(f, 42 * ms, 1, 1, 2, 1, "EHLO laptop");
	both(f, 48 * ms, 0, 1, 2, 1, "250 server");
	both(f, 54 * ms, 1, 1, 2, 1, "QUIT");
	fixture_conn(f, 60 * ms, 2, HOST_SERVER, srv, 25, lap, 49152, "ESTABLISHED", "FIN_WAIT_1", NULL);
	fixture_conn(f, 66 * ms, 1, HOST_LAPTOP, lap, 49152, srv, 25, "ESTABLISHED", "CLOSE_WAIT", NULL);

	/* A second connection, plain, with a message of 7 body lines; it
	 * ends in a reset. */
	fixture_conn(f, 100 * ms, 3, HOST_LAPTOP, lap, 49153, srv, 25, "CLOSED", "SYN_SENT", NULL);
	fixture_conn(f, 106 * ms, 4, HOST_SERVER, srv, 25, lap, 49153, "LISTEN", "SYN_RECEIVED", NULL);
	both(f, 112 * ms, 0, 3, 4, 0, "220 server ESMTP");
	both(f, 118 * ms, 1, 3, 4, 0, "MAIL FROM:<juan@gmail.com>");
	both(f, 118 * ms, 1, 3, 4, 0, "RCPT TO:<maria@dominio.de.maria>");
	both(f, 118 * ms, 1, 3, 4, 0, "DATA");
	both(f, 124 * ms, 0, 3, 4, 0, "250 ok");
	both(f, 124 * ms, 0, 3, 4, 0, "250 ok");
	both(f, 124 * ms, 0, 3, 4, 0, "354 go ahead punk, make my day");
	static const char *const data[] = {"Subject: Esto es una prueba", "", "Hola Como estas?", "linea 2", "linea 3",
					   "linea 4", "linea 5", "linea 6", "Chau!", "."};
	for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
		both(f, 130 * ms, 1, 3, 4, 0, data[i]);
	fixture_mail(f, 136 * ms, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q1", "<1@gmail.com>", "juan@gmail.com",
		     "maria@dominio.de.maria", NULL);
	fixture_mail(f, 136 * ms, HOST_SERVER, OBS_MAIL_HEADER, "Q1", "<1@gmail.com>", "juan@gmail.com", NULL,
		     "Received: from laptop (laptop [10.0.0.1]) by\r\n server with SMTP id Q1");
	fixture_mail(f, 136 * ms, HOST_SERVER, OBS_MAIL_DELIVERED, "Q1", "<1@gmail.com>", "juan@gmail.com",
		     "maria@dominio.de.maria", "INBOX");
	both(f, 136 * ms, 0, 3, 4, 0, "250 ok 1150944635 qp 24023 by server");
	fixture_conn(f, 140 * ms, 4, HOST_SERVER, srv, 25, lap, 49153, "ESTABLISHED", "CLOSED", "reset");

	/* Lines of a connection no state record announced: one end only. */
	fixture_line(f, 200 * ms, HOST_LAPTOP, HOST_MTA, 77, 1, 0, "USER maria");
	fixture_line(f, 206 * ms, HOST_MTA, HOST_LAPTOP, 77, 0, 0, "+OK\tya\x01");
}

static char *transcript_of(const struct obs_transcript_options *opt)
{
	struct fixture f;
	if (fixture_init(&f, 3) < 0)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct obs_transcript *t = out ? obs_transcript_open(f.sim, f.net, out, opt) : NULL;
	int ok = t != NULL;
	if (t)
		story(&f);
	ok = obs_transcript_close(&t) == 0 && ok;
	if (out)
		fclose(out);
	fixture_fini(&f);
	if (!ok) {
		free(text);
		return NULL;
	}
	return text;
}

static const char head[] =
    "  0.012000  --- laptop connects to server:25 (SMTP) ---\n"
    "  0.012000  server -> laptop  S: 220 server ESMTP\n"
    "  0.012000      server dns: QUERY PTR 1.0.0.10.in-addr.arpa\n"
    "  0.018000  laptop -> server  C: EHLO laptop\n"
    "  0.020000      server dns: ANSWER 1.0.0.10.in-addr.arpa PTR laptop\n"
    "  0.024000  server -> laptop  S: 250-server\n"
    "  0.024000  server -> laptop  S: 250 STARTTLS\n"
    "  0.030000  laptop -> server  C: STARTTLS\n"
    "  0.036000  server -> laptop  S: 220 Ready to start TLS\n";

static const char tls_hidden[] =
    "  0.042000  laptop -> server  C: [encrypted]\n"
    "  0.048000  server -> laptop  S: [encrypted]\n"
    "  0.054000  laptop -> server  C: [encrypted]\n";

static const char tls_shown[] =
    "  0.042000  laptop -> server  C: EHLO laptop\n"
    "  0.048000  server -> laptop  S: 250 server\n"
    "  0.054000  laptop -> server  C: QUIT\n";

static const char second_head[] =
    "  0.060000  --- server closes laptop -> server:25 ---\n"
    "  0.112000  --- laptop connects to server:25 (SMTP) ---\n"
    "  0.112000  server -> laptop  S: 220 server ESMTP\n"
    "  0.118000  laptop -> server  C: MAIL FROM:<juan@gmail.com>\n"
    "  0.118000  laptop -> server  C: RCPT TO:<maria@dominio.de.maria>\n"
    "  0.118000  laptop -> server  C: DATA\n"
    "  0.124000  server -> laptop  S: 250 ok\n"
    "  0.124000  server -> laptop  S: 250 ok\n"
    "  0.124000  server -> laptop  S: 354 go ahead punk, make my day\n"
    "  0.130000  laptop -> server  C: Subject: Esto es una prueba\n"
    "  0.130000  laptop -> server  C: \n"
    "  0.130000  laptop -> server  C: Hola Como estas?\n"
    "  0.130000  laptop -> server  C: linea 2\n";

static const char body_cut[] =
    "  0.130000  laptop -> server  C: [... 5 more lines ...]\n";

static const char body_rest[] =
    "  0.130000  laptop -> server  C: linea 3\n"
    "  0.130000  laptop -> server  C: linea 4\n"
    "  0.130000  laptop -> server  C: linea 5\n"
    "  0.130000  laptop -> server  C: linea 6\n"
    "  0.130000  laptop -> server  C: Chau!\n";

static const char tail[] =
    "  0.130000  laptop -> server  C: .\n"
    "  0.136000  server: accepted Q1 <1@gmail.com> from <juan@gmail.com> for maria@dominio.de.maria\n"
    "  0.136000  server: adds Received: from laptop (laptop [10.0.0.1]) by\n"
    "                          server with SMTP id Q1\n"
    "  0.136000  server: delivered Q1 to maria@dominio.de.maria (INBOX)\n"
    "  0.136000  server -> laptop  S: 250 ok 1150944635 qp 24023 by server\n"
    "  0.140000  --- laptop -> server:25 aborted at server (reset) ---\n"
    "  0.200000  --- laptop connects to mta (SMTP) ---\n"
    "  0.200000  laptop -> mta     C: USER maria\n"
    "  0.206000  mta -> laptop     S: +OK\\tya\\x01\n";

static void test_eavesdropper_view(void)
{
	struct obs_transcript_options opt;
	obs_transcript_options_default(&opt);
	opt.body_lines = 2;
	char *got = transcript_of(&opt);
	char want[8192];
	snprintf(want, sizeof want, "%s%s%s%s%s", head, tls_hidden, second_head, body_cut, tail);
	CHECK_STR(got, want);
	free(got);
}

static void test_endpoint_view(void)
{
	struct obs_transcript_options opt;
	obs_transcript_options_default(&opt);
	opt.body_lines = -1;
	opt.show_plaintext = 1;
	opt.show_notes = 0; /* dns records are shown all the same */
	char *got = transcript_of(&opt);
	char want[8192];
	snprintf(want, sizeof want, "%s%s%s%s%s", head, tls_shown, second_head, body_rest, tail);
	CHECK_STR(got, want);
	free(got);
}

static void test_deterministic(void)
{
	char *a = transcript_of(NULL), *b = transcript_of(NULL);
	REQUIRE(a && b);
	CHECK_STR(a, b);
	/* The default shows four body lines. */
	CHECK(strstr(a, "C: linea 4\n") && !strstr(a, "C: linea 5\n") && strstr(a, "C: [... 3 more lines ...]\n"));
	free(a);
	free(b);
}

/* POP3: the answer to RETR is a message, cut like a DATA body; LIST's
 * answer is not. */
static void test_pop3_retr(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 3) == 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	REQUIRE(out);
	struct obs_transcript_options opt;
	obs_transcript_options_default(&opt);
	opt.body_lines = 1;
	struct obs_transcript *t = obs_transcript_open(f.sim, f.net, out, &opt);
	REQUIRE(t);
	static const char *const lines[][2] = {
	    {"S", "+OK POP3 ready"}, {"C", "LIST"}, {"S", "+OK 1 messages"}, {"S", "1 120"}, {"S", "2 130"},
	    {"S", "."},		     {"C", "RETR 1"}, {"S", "+OK 120 octets"}, {"S", "Subject: hola"}, {"S", ""},
	    {"S", "uno"},	     {"S", "dos"}, {"S", "tres"}, {"S", "."}, {"C", "QUIT"},
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int c = lines[i][0][0] == 'C';
		struct obs_record r = {.type = OBS_LINE, .time = (sim_time)i * SIM_MS};
		r.u.line.host = c ? HOST_LAPTOP : HOST_SERVER;
		r.u.line.peer = c ? HOST_SERVER : HOST_LAPTOP;
		r.u.line.conn_id = 5;
		r.u.line.proto = "POP3";
		r.u.line.from_client = c;
		r.u.line.text = lines[i][1];
		r.u.line.len = strlen(lines[i][1]);
		bus_publish(sim_bus(f.sim), &r);
	}
	CHECK_EQ_INT(obs_transcript_close(&t), 0);
	fclose(out);
	CHECK_STR(text, "  0.000000  --- laptop connects to server (POP3) ---\n"
			"  0.000000  server -> laptop  S: +OK POP3 ready\n"
			"  0.001000  laptop -> server  C: LIST\n"
			"  0.002000  server -> laptop  S: +OK 1 messages\n"
			"  0.003000  server -> laptop  S: 1 120\n"
			"  0.004000  server -> laptop  S: 2 130\n"
			"  0.005000  server -> laptop  S: .\n"
			"  0.006000  laptop -> server  C: RETR 1\n"
			"  0.007000  server -> laptop  S: +OK 120 octets\n"
			"  0.008000  server -> laptop  S: Subject: hola\n"
			"  0.009000  server -> laptop  S: \n"
			"  0.010000  server -> laptop  S: uno\n"
			"  0.013000  server -> laptop  S: [... 2 more lines ...]\n"
			"  0.013000  server -> laptop  S: .\n"
			"  0.014000  laptop -> server  C: QUIT\n");
	free(text);
	fixture_fini(&f);
}

/* A multipart message: boundaries and part headers are always shown, the
 * content lines share the budget. */
static void test_mime_parts(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 3) == 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	REQUIRE(out);
	struct obs_transcript_options opt;
	obs_transcript_options_default(&opt);
	opt.body_lines = 2;
	struct obs_transcript *t = obs_transcript_open(f.sim, f.net, out, &opt);
	REQUIRE(t);
	static const char *const lines[] = {
	    "S354 go ahead", "CContent-Type: multipart/mixed; boundary=b", "C", "Cpreamble", "C--b",
	    "CContent-Type: text/plain", "C", "CHola", "Cuno", "Cdos", "C--b", "CContent-Type: image/jpeg",
	    "C", "CAAAA", "C-- ", "C--b--", "C.", "S250 ok",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		int c = lines[i][0] == 'C';
		struct obs_record r = {.type = OBS_LINE, .time = SIM_MS};
		r.u.line.host = c ? HOST_LAPTOP : HOST_SERVER;
		r.u.line.peer = c ? HOST_SERVER : HOST_LAPTOP;
		r.u.line.conn_id = 5;
		r.u.line.proto = "SMTP";
		r.u.line.from_client = c;
		r.u.line.text = lines[i] + 1;
		r.u.line.len = strlen(lines[i] + 1);
		bus_publish(sim_bus(f.sim), &r);
	}
	CHECK_EQ_INT(obs_transcript_close(&t), 0);
	fclose(out);
	CHECK_STR(text, "  0.001000  --- laptop connects to server (SMTP) ---\n"
			"  0.001000  server -> laptop  S: 354 go ahead\n"
			"  0.001000  laptop -> server  C: Content-Type: multipart/mixed; boundary=b\n"
			"  0.001000  laptop -> server  C: \n"
			"  0.001000  laptop -> server  C: preamble\n"
			"  0.001000  laptop -> server  C: --b\n"
			"  0.001000  laptop -> server  C: Content-Type: text/plain\n"
			"  0.001000  laptop -> server  C: \n"
			"  0.001000  laptop -> server  C: Hola\n"
			"  0.001000  laptop -> server  C: [... 2 more lines ...]\n"
			"  0.001000  laptop -> server  C: --b\n"
			"  0.001000  laptop -> server  C: Content-Type: image/jpeg\n"
			"  0.001000  laptop -> server  C: \n"
			"  0.001000  laptop -> server  C: [... 2 more lines ...]\n"
			"  0.001000  laptop -> server  C: --b--\n"
			"  0.001000  laptop -> server  C: .\n"
			"  0.001000  server -> laptop  S: 250 ok\n");
	free(text);
	fixture_fini(&f);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Juan's mail through the three MTAs, as the transcript tells it. */
static void test_world(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	REQUIRE(out);
	struct obs_transcript *t = obs_transcript_open(w->env.sim, w->env.net, out, NULL);
	REQUIRE(t && w->ua);
	REQUIRE(send_draft(w, "María <maria@dominio.de.maria>", NULL) >= 0);
	sim_run(w->env.sim);
	CHECK_EQ_INT(obs_transcript_close(&t), 0);
	fclose(out);
	REQUIRE(text);
	/* The note's dialogue, host-prefixed, each line once. */
	static const char *const once[] = {
	    "--- laptop connects to mta1:587 (SMTP) ---\n",
	    "  mta1 -> laptop        S: 220 smtp.gmail.com ESMTP\n",
	    "  laptop -> mta1        C: EHLO laptop.juan.gmail.com\n",
	    "  laptop -> mta1        C: RCPT TO:<maria@dominio.de.maria>\n",
	    "  laptop -> mta1        C: DATA\n",
	    "  mta1 -> laptop        S: 354 Start mail input; end with <CRLF>.<CRLF>\n",
	    "  laptop -> mta1        C: Subject: Hola, =?utf-8?q?=C2=BFc=C3=B3mo_est=C3=A1s=3F?=\n",
	    "  laptop -> mta1        C: QUIT\n",
	    "--- mta1 connects to gw:25 (SMTP) ---\n",
	    "--- gw connects to mx:25 (SMTP) ---\n",
	    "      gw dns: QUERY MX dominio.de.maria\n",
	    "      gw dns: ANSWER dominio.de.maria MX 10 mx.dominio.de.maria\n",
	    "  mta1: adds Received: from laptop.juan.gmail.com (laptop.juan.gmail.com [10.0.1.2]) by\n",
	    "  gw: adds Received: from smtp.gmail.com (smtp.gmail.com [10.0.2.2]) by gw.relay.net\n",
	    "  mx: adds Received: from gw.relay.net (gw.relay.net [10.0.3.2]) by mx.dominio.de.maria\n",
	    "  mx: delivered ",
	};
	for (size_t i = 0; i < sizeof once / sizeof once[0]; i++) {
		CHECK_EQ_INT(count(text, once[i]), 1);
		if (count(text, once[i]) != 1)
			fprintf(stderr, "expected once: %s", once[i]);
	}
	CHECK(strstr(text, "  laptop -> mta1        C: MAIL FROM:<juan@gmail.com>"));
	CHECK(strstr(text, "  mta1 -> laptop        S: 250 2.1.0 OK\n"));
	CHECK(strstr(text, " to maria@dominio.de.maria (INBOX)\n"));
	/* Every SMTP line of every hop once: EHLO three times in all. */
	CHECK_EQ_INT(count(text, "C: EHLO "), 3);
	CHECK_EQ_INT(count(text, "S: 221 "), 3);
	/* In time order: the first hop's QUIT before the last hop's greeting. */
	CHECK(strstr(text, "laptop -> mta1        C: QUIT") < strstr(text, "mx -> gw              S: 220 "));
	free(text);
	world_free(w);
	free(w);
}

int main(void)
{
	RUN(test_eavesdropper_view);
	RUN(test_endpoint_view);
	RUN(test_deterministic);
	RUN(test_pop3_retr);
	RUN(test_mime_parts);
	RUN(test_world);
	CHECK_EQ_INT(packet_live_count(), 0);
	return harness_done();
}

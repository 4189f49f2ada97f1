/* The SMTP client engine: end to end against the server engine in memory
 * (the client's output fed to the server and back, whole and one byte at
 * a time) for single and multiple messages, rejected and deferred
 * recipients, refused data, HELO fallback, pipelining, STARTTLS, ETRN,
 * dot-stuffing and line-end normalisation; and against scripted server
 * bytes for the failures a real server could produce (bad greetings, 421,
 * malformed replies, lost connections). */
#include <stdlib.h>

#include "harness.h"
#include "protocols/smtp_client.h"
#include "protocols/smtp_server.h"

/* ---- the server side -------------------------------------------------- */

struct srv {
	struct smtp_server_config cfg;
	int starttls;
	const char *reject_rcpt;  /* 550 5.1.1 */
	const char *defer_rcpt;   /* 452 4.2.2 */
	const char *reject_from;  /* 553 */
	int data_code;            /* final reply, 0: 250 */
	int messages;
	int encrypted_at_message;
	char data[8192];
	size_t data_len;
	char envelope[1024];
	char etrn[128];
};

static void srv_mail(void *ctx, const struct smtp_envelope *env, struct smtp_reply *reply)
{
	struct srv *v = ctx;
	if (v->reject_from && strcmp(env->reverse_path, v->reject_from) == 0) {
		reply->code = 553;
		reply->text = "sender refused";
	}
}

static void srv_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply)
{
	struct srv *v = ctx;
	(void)env;
	if (v->reject_rcpt && strcmp(rcpt, v->reject_rcpt) == 0) {
		reply->code = 550;
		reply->text = "No such user here";
	}
	if (v->defer_rcpt && strcmp(rcpt, v->defer_rcpt) == 0) {
		reply->code = 452;
		reply->enhanced = "4.2.2";
		reply->text = "Mailbox full, try later";
	}
}

static void srv_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			struct smtp_reply *reply)
{
	struct srv *v = ctx;
	v->messages++;
	v->encrypted_at_message = env->encrypted;
	if (v->data_len + len < sizeof v->data) {
		memcpy(v->data + v->data_len, data, len);
		v->data_len += len;
		v->data[v->data_len] = 0;
	}
	size_t o = strlen(v->envelope);
	o += (size_t)snprintf(v->envelope + o, sizeof v->envelope - o, "%s<%s>", o ? " | " : "", env->reverse_path);
	for (size_t i = 0; i < env->nrcpts; i++)
		o += (size_t)snprintf(v->envelope + o, sizeof v->envelope - o, " <%s>", env->rcpts[i]);
	if (v->data_code) {
		reply->code = v->data_code;
		reply->text = "Message content rejected";
	} else {
		reply->queue_id = "Q1";
	}
}

static void note_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			 struct smtp_reply *reply)
{
	srv_message(ctx, env, data, len, reply);
	reply->queue_id = "1150944635 qp 24023";
}

static void srv_etrn(void *ctx, const char *node, struct smtp_reply *reply)
{
	struct srv *v = ctx;
	snprintf(v->etrn, sizeof v->etrn, "%s", node);
	(void)reply;
}

static int srv_starttls(void *ctx) { return ((struct srv *)ctx)->starttls; }

/* ---- the client side --------------------------------------------------- */

struct cli {
	char log[4096];
	size_t rcpt_done, msg_done, sessions;
};

static void cli_logf(struct cli *c, const char *line)
{
	size_t o = strlen(c->log);
	snprintf(c->log + o, sizeof c->log - o, "%s\n", line);
}

static void cli_rcpt(void *ctx, int job, size_t i, const struct smtp_client_reply *r)
{
	struct cli *c = ctx;
	char line[600];
	snprintf(line, sizeof line, "rcpt %d.%zu %d %s %.400s", job, i, r->code, r->enhanced[0] ? r->enhanced : "-",
		 r->text);
	cli_logf(c, line);
	c->rcpt_done++;
}

static void cli_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct cli *c = ctx;
	char line[600];
	snprintf(line, sizeof line, "message %d %d%s accepted=%zu %.400s", job, r->code, r->local ? " local" : "",
		 accepted, r->text);
	cli_logf(c, line);
	c->msg_done++;
}

static void cli_etrn(void *ctx, int job, const struct smtp_client_reply *r)
{
	char line[600];
	snprintf(line, sizeof line, "etrn %d %d %.400s", job, r->code, r->text);
	cli_logf(ctx, line);
}

static void cli_session(void *ctx, enum smtp_client_failure why, const struct smtp_client_reply *r)
{
	struct cli *c = ctx;
	char line[600];
	snprintf(line, sizeof line, "session %d %d%s %.400s", (int)why, r->code, r->local ? " local" : "", r->text);
	cli_logf(c, line);
	c->sessions++;
}

/* ---- the wire between them --------------------------------------------- */

struct wire {
	struct smtp_client *c;
	struct smtp_server *s;
	int bytewise;
	char c2s[16384]; /* everything the client sent */
	size_t c2s_len;
	char chunks[8][512]; /* the first client transmissions, one each */
	int nchunks;
};

static void to_server(struct wire *w, const uint8_t *p, size_t n)
{
	if (w->c2s_len + n < sizeof w->c2s) {
		memcpy(w->c2s + w->c2s_len, p, n);
		w->c2s_len += n;
	}
	if (w->nchunks < 8) {
		snprintf(w->chunks[w->nchunks++], sizeof w->chunks[0], "%.*s", (int)n, (const char *)p);
	}
	size_t off = 0;
	while (off < n) {
		size_t step = w->bytewise ? 1 : n - off;
		off += smtp_server_feed(w->s, p + off, step);
	}
}

static void to_client(struct wire *w, const uint8_t *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		size_t step = w->bytewise ? 1 : n - off;
		off += smtp_client_feed(w->c, p + off, step);
	}
}

/* Moves bytes both ways until neither side has anything to say; performs
 * the modelled TLS handshake when both sides wait for it. */
static void pump(struct wire *w)
{
	for (int round = 0; round < 100000; round++) {
		int moved = 0;
		size_t n;
		const uint8_t *p = smtp_client_output(w->c, &n);
		if (n) {
			uint8_t *copy = malloc(n);
			memcpy(copy, p, n);
			smtp_client_consume(w->c, n);
			to_server(w, copy, n);
			free(copy);
			moved = 1;
		}
		p = smtp_server_output(w->s, &n);
		if (n) {
			uint8_t *copy = malloc(n);
			memcpy(copy, p, n);
			smtp_server_consume(w->s, n);
			to_client(w, copy, n);
			free(copy);
			moved = 1;
		}
		if (smtp_server_tls_pending(w->s) && smtp_client_tls_pending(w->c)) {
			smtp_server_tls_established(w->s);
			smtp_client_tls_established(w->c);
			moved = 1;
		}
		if (!moved)
			break;
	}
	if (smtp_server_should_close(w->s) && !smtp_client_done(w->c))
		smtp_client_connection_lost(w->c);
}

static const struct smtp_client_host cli_host_template = {
	.rcpt = cli_rcpt, .message = cli_message, .etrn = cli_etrn, .session = cli_session};

static void setup(struct wire *w, struct srv *v, struct cli *cl, const struct smtp_client_options *o, int bytewise)
{
	memset(w, 0, sizeof *w);
	w->bytewise = bytewise;
	struct smtp_server_host sh = {.ctx = v,
				      .mail = srv_mail,
				      .rcpt = srv_rcpt,
				      .message = srv_message,
				      .etrn = srv_etrn,
				      .starttls = srv_starttls};
	w->s = smtp_server_new(&v->cfg, &sh, "192.0.2.7", "client.example.net");
	struct smtp_client_host ch = cli_host_template;
	ch.ctx = cl;
	w->c = smtp_client_new(o, &ch);
}

static void teardown(struct wire *w)
{
	smtp_client_free(&w->c);
	smtp_server_free(&w->s);
}

static void srv_init(struct srv *v)
{
	memset(v, 0, sizeof *v);
	smtp_server_config_init(&v->cfg, "mx.example.org");
}

/* Every LF the client sent follows a CR and every CR precedes an LF. */
static int no_bare_line_ends(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return 0;
		if (p[i] == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
			return 0;
	}
	return 1;
}

static const uint8_t body1[] = "From: juan@gmail.com\r\nTo: maria@dominio.de.maria\r\nSubject: hola\r\n\r\nTe quiero.\r\n";

static void test_single_message(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		smtp_client_options_init(&o, "mta.gmail.com");
		setup(&w, &v, &cl, &o, bytewise);
		REQUIRE(w.s && w.c);
		const char *rc[] = {"maria@dominio.de.maria"};
		CHECK_EQ_INT(smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1), 0);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\nmessage 0 250 accepted=1 OK\n");
		CHECK_EQ_INT(v.messages, 1);
		CHECK_STR(v.data, (const char *)body1);
		CHECK_STR(v.envelope, "<juan@gmail.com> <maria@dominio.de.maria>");
		CHECK(smtp_client_done(w.c));
		CHECK(smtp_server_should_close(w.s));
		CHECK(smtp_client_server_extensions(w.c) & SMTP_EXT_PIPELINING);
		CHECK_EQ_INT(smtp_client_server_max_size(w.c), 10 * 1024 * 1024);
		CHECK(no_bare_line_ends(w.c2s, w.c2s_len));
		/* the session on the wire, client side */
		CHECK(strstr(w.c2s, "EHLO mta.gmail.com\r\n") == w.c2s);
		CHECK(strstr(w.c2s, "MAIL FROM:<juan@gmail.com> SIZE=79\r\n") != NULL);
		CHECK(strstr(w.c2s, "\r\n.\r\nQUIT\r\n") != NULL);
		teardown(&w);
	}
}

static void test_recipients_rejected_and_deferred(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		v.reject_rcpt = "nobody@example.org";
		v.defer_rcpt = "full@example.org";
		smtp_client_options_init(&o, "mta.gmail.com");
		setup(&w, &v, &cl, &o, bytewise);
		const char *rc[] = {"a@example.org", "nobody@example.org", "full@example.org", "b@example.org"};
		CHECK_EQ_INT(smtp_client_add_message(w.c, "juan@gmail.com", rc, 4, body1, sizeof body1 - 1), 0);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\n"
				  "rcpt 0.1 550 5.1.1 No such user here\n"
				  "rcpt 0.2 452 4.2.2 Mailbox full, try later\n"
				  "rcpt 0.3 250 2.1.5 OK\n"
				  "message 0 250 accepted=2 OK\n");
		CHECK_STR(v.envelope, "<juan@gmail.com> <a@example.org> <b@example.org>");
		teardown(&w);
	}
}

static void test_data_refused(void)
{
	struct srv v;
	struct cli cl = {0};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	v.data_code = 554;
	smtp_client_options_init(&o, "mta.gmail.com");
	setup(&w, &v, &cl, &o, 0);
	const char *rc[] = {"a@example.org", "b@example.org"};
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 2, body1, sizeof body1 - 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\nrcpt 0.1 250 2.1.5 OK\n"
			  "message 0 554 accepted=2 Message content rejected\n");
	CHECK(smtp_client_done(w.c));
	teardown(&w);
}

/* Against an RFC 821 server: EHLO gets 500, the client says HELO, learns
 * no extensions and so sends its commands one at a time. */
static void test_helo_fallback(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		v.cfg.no_ehlo = 1;
		smtp_client_options_init(&o, "mta.gmail.com");
		setup(&w, &v, &cl, &o, bytewise);
		const char *rc[] = {"a@example.org", "b@example.org"};
		smtp_client_add_message(w.c, "juan@gmail.com", rc, 2, body1, sizeof body1 - 1);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(cl.log, "rcpt 0.0 250 - OK\nrcpt 0.1 250 - OK\nmessage 0 250 accepted=2 OK\n");
		CHECK(strstr(w.c2s, "EHLO mta.gmail.com\r\nHELO mta.gmail.com\r\nMAIL FROM:<juan@gmail.com>\r\n") ==
		      w.c2s);
		CHECK_EQ_INT(smtp_client_server_extensions(w.c), 0);
		if (!bytewise) {
			CHECK_STR(w.chunks[3], "RCPT TO:<a@example.org>\r\n");
			CHECK_STR(w.chunks[4], "RCPT TO:<b@example.org>\r\n");
			CHECK_STR(w.chunks[5], "DATA\r\n");
		}
		teardown(&w);
	}
}

/* With PIPELINING, MAIL, every RCPT and DATA leave in one transmission;
 * without it (by option) they go one by one. */
static void test_pipelining(void)
{
	for (int pipelining = 1; pipelining >= 0; pipelining--) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		v.reject_rcpt = "nobody@example.org";
		smtp_client_options_init(&o, "mta.gmail.com");
		o.use_pipelining = pipelining;
		setup(&w, &v, &cl, &o, 0);
		const char *rc[] = {"a@example.org", "nobody@example.org"};
		smtp_client_add_message(w.c, "juan@gmail.com", rc, 2, body1, sizeof body1 - 1);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(w.chunks[0], "EHLO mta.gmail.com\r\n");
		if (pipelining) {
			CHECK_STR(w.chunks[1], "MAIL FROM:<juan@gmail.com> SIZE=79\r\nRCPT TO:<a@example.org>\r\n"
					       "RCPT TO:<nobody@example.org>\r\nDATA\r\n");
		} else {
			CHECK_STR(w.chunks[1], "MAIL FROM:<juan@gmail.com> SIZE=79\r\n");
			CHECK_STR(w.chunks[2], "RCPT TO:<a@example.org>\r\n");
		}
		CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\nrcpt 0.1 550 5.1.1 No such user here\n"
				  "message 0 250 accepted=1 OK\n");
		teardown(&w);
	}
}

/* A pipelined batch whose MAIL is refused: the recipients are failed with
 * the MAIL reply, the moot RCPT and DATA replies are skipped, and the next
 * message on the connection starts with RSET. */
static void test_pipelined_mail_refused_then_next_message(void)
{
	struct srv v;
	struct cli cl = {0};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	v.reject_from = "spammer@evil.example";
	smtp_client_options_init(&o, "mta.gmail.com");
	setup(&w, &v, &cl, &o, 0);
	const char *rc[] = {"a@example.org", "b@example.org"};
	CHECK_EQ_INT(smtp_client_add_message(w.c, "spammer@evil.example", rc, 2, body1, sizeof body1 - 1), 0);
	CHECK_EQ_INT(smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1), 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(cl.log, "rcpt 0.0 553 5.1.3 sender refused\nrcpt 0.1 553 5.1.3 sender refused\n"
			  "message 0 553 accepted=0 sender refused\n"
			  "rcpt 1.0 250 2.1.5 OK\nmessage 1 250 accepted=1 OK\n");
	CHECK(strstr(w.c2s, "DATA\r\nRSET\r\nMAIL FROM:<juan@gmail.com>") != NULL);
	CHECK_EQ_INT(v.messages, 1);
	teardown(&w);
}

static void test_several_messages_one_connection(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		smtp_client_options_init(&o, "mta.gmail.com");
		setup(&w, &v, &cl, &o, bytewise);
		const char *r1[] = {"a@example.org"}, *r2[] = {"b@example.org", "c@example.org"};
		static const uint8_t m1[] = "Subject: 1\r\n\r\none\r\n", m2[] = "Subject: 2\r\n\r\ntwo\r\n";
		smtp_client_add_message(w.c, "juan@gmail.com", r1, 1, m1, sizeof m1 - 1);
		pump(&w); /* the first goes out while the host is still adding */
		smtp_client_add_message(w.c, "", r2, 2, m2, sizeof m2 - 1);
		smtp_client_add_message(w.c, "juan@gmail.com", r1, 1, m1, sizeof m1 - 1);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_EQ_INT(v.messages, 3);
		CHECK_STR(v.envelope, "<juan@gmail.com> <a@example.org> | <> <b@example.org> <c@example.org> | "
				      "<juan@gmail.com> <a@example.org>");
		CHECK_STR(v.data, "Subject: 1\r\n\r\none\r\nSubject: 2\r\n\r\ntwo\r\nSubject: 1\r\n\r\none\r\n");
		CHECK_EQ_INT(cl.msg_done, 3);
		CHECK_EQ_INT(cl.rcpt_done, 4);
		const char *rset1 = strstr(w.c2s, "RSET\r\n");
		CHECK(rset1 != NULL && strstr(rset1 + 1, "RSET\r\n") != NULL);
		CHECK(smtp_client_done(w.c));
		CHECK_EQ_INT(smtp_client_add_message(w.c, "juan@gmail.com", r1, 1, m1, 1), SMTP_CLIENT_ECLOSED);
		teardown(&w);
	}
}

static void test_starttls(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct cli cl = {0};
		struct wire w;
		struct smtp_client_options o;
		srv_init(&v);
		v.starttls = 1;
		smtp_client_options_init(&o, "mta.gmail.com");
		o.want_starttls = 1;
		setup(&w, &v, &cl, &o, bytewise);
		const char *rc[] = {"a@example.org"};
		smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\nmessage 0 250 accepted=1 OK\n");
		CHECK(smtp_client_encrypted(w.c));
		CHECK(smtp_server_encrypted(w.s));
		CHECK_EQ_INT(v.encrypted_at_message, 1);
		CHECK(strstr(w.c2s, "EHLO mta.gmail.com\r\nSTARTTLS\r\nEHLO mta.gmail.com\r\nMAIL FROM:") == w.c2s);
		CHECK(!(smtp_client_server_extensions(w.c) & SMTP_EXT_STARTTLS));
		teardown(&w);
	}
	/* TLS wanted but unavailable: the mail goes in the clear */
	struct srv v;
	struct cli cl = {0};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	smtp_client_options_init(&o, "mta.gmail.com");
	o.want_starttls = 1;
	setup(&w, &v, &cl, &o, 0);
	const char *rc[] = {"a@example.org"};
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK(!smtp_client_encrypted(w.c));
	CHECK_EQ_INT(v.messages, 1);
	teardown(&w);
	/* TLS required but unavailable: nothing is sent, the job is failed */
	memset(&cl, 0, sizeof cl);
	srv_init(&v);
	o.require_starttls = 1;
	setup(&w, &v, &cl, &o, 0);
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1);
	pump(&w);
	CHECK_EQ_INT(v.messages, 0);
	CHECK_STR(cl.log, "session 4 421 local STARTTLS required but not offered\n"
			  "rcpt 0.0 421 4.7.0 STARTTLS required but not offered\n"
			  "message 0 421 local accepted=0 STARTTLS required but not offered\n");
	CHECK(strstr(w.c2s, "MAIL") == NULL);
	CHECK(smtp_client_done(w.c));
	teardown(&w);
}

/* Bodies with leading dots and with bare CR and LF line ends arrive as
 * the same text with CRLF line ends; no bare CR or LF is ever sent. */
static void test_dot_stuffing_and_line_ends(void)
{
	static const struct {
		const char *body, *arrives;
	} cases[] = {
		{".\r\n..\r\n.hidden\r\na.b\r\n", ".\r\n..\r\n.hidden\r\na.b\r\n"},
		{"no final newline", "no final newline\r\n"},
		{"a\nb\r\nc\rd\n.\n", "a\r\nb\r\nc\r\nd\r\n.\r\n"},
		{"x\r\n.\r\nQUIT\r\n", "x\r\n.\r\nQUIT\r\n"},
		{"\n\n.\n", "\r\n\r\n.\r\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int bytewise = 0; bytewise <= 1; bytewise++) {
			struct srv v;
			struct cli cl = {0};
			struct wire w;
			struct smtp_client_options o;
			srv_init(&v);
			smtp_client_options_init(&o, "mta.gmail.com");
			setup(&w, &v, &cl, &o, bytewise);
			const char *rc[] = {"a@example.org"};
			smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, (const uint8_t *)cases[i].body,
						strlen(cases[i].body));
			smtp_client_finish(w.c);
			pump(&w);
			CHECK_EQ_INT(v.messages, 1);
			CHECK_STR(v.data, cases[i].arrives);
			CHECK(no_bare_line_ends(w.c2s, w.c2s_len));
			teardown(&w);
		}
	}
}

static void test_etrn(void)
{
	struct srv v;
	struct cli cl = {0};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	smtp_client_options_init(&o, "nakula.mindflip.com");
	setup(&w, &v, &cl, &o, 0);
	CHECK_EQ_INT(smtp_client_add_etrn(w.c, "mindflip.com"), 0);
	CHECK_EQ_INT(smtp_client_add_etrn(w.c, "bad domain"), SMTP_CLIENT_EINVAL);
	CHECK_EQ_INT(smtp_client_add_etrn(w.c, "#queue\r\nQUIT"), SMTP_CLIENT_EINVAL);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(v.etrn, "mindflip.com");
	CHECK_STR(cl.log, "etrn 0 250 Queuing for node mindflip.com started\n");
	CHECK(smtp_client_done(w.c));
	teardown(&w);
}

static void test_size_limit_known_in_advance(void)
{
	struct srv v;
	struct cli cl = {0};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	v.cfg.max_message_size = 40;
	smtp_client_options_init(&o, "mta.gmail.com");
	setup(&w, &v, &cl, &o, 0);
	const char *rc[] = {"a@example.org"};
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(cl.log, "rcpt 0.0 552 5.3.4 message larger than the server's SIZE limit\n"
			  "message 0 552 local accepted=0 message larger than the server's SIZE limit\n");
	CHECK(strstr(w.c2s, "MAIL") == NULL);
	CHECK(smtp_client_done(w.c));
	teardown(&w);

	/* the same after a first message went through (RSET came first) */
	memset(&cl, 0, sizeof cl);
	srv_init(&v);
	v.cfg.max_message_size = 40;
	setup(&w, &v, &cl, &o, 0);
	static const uint8_t small[] = "Subject: hi\r\n\r\nsmall\r\n";
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, small, sizeof small - 1);
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, body1, sizeof body1 - 1);
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, small, sizeof small - 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(cl.log, "rcpt 0.0 250 2.1.5 OK\nmessage 0 250 accepted=1 OK\n"
			  "rcpt 1.0 552 5.3.4 message larger than the server's SIZE limit\n"
			  "message 1 552 local accepted=0 message larger than the server's SIZE limit\n"
			  "rcpt 2.0 250 2.1.5 OK\nmessage 2 250 accepted=1 OK\n");
	CHECK_EQ_INT(v.messages, 2);
	CHECK(smtp_client_done(w.c));
	teardown(&w);
}

struct observer {
	char states[512];
	char trace[2048];
};

static void obs_state(void *ctx, enum smtp_client_state from, enum smtp_client_state to)
{
	struct observer *ob = ctx;
	size_t o = strlen(ob->states);
	snprintf(ob->states + o, sizeof ob->states - o, "%s%s->%s", o ? " " : "", smtp_client_state_name(from),
		 smtp_client_state_name(to));
}

static void obs_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct observer *ob = ctx;
	size_t o = strlen(ob->trace);
	snprintf(ob->trace + o, sizeof ob->trace - o, "%s %.*s\n", sent ? "C:" : "S:", (int)len, line);
}

/* The state setter reports every transition and the trace shows the
 * session as the class note prints it. */
static void test_states_and_trace(void)
{
	struct srv v;
	struct observer ob = {{0}, {0}};
	struct wire w;
	struct smtp_client_options o;
	srv_init(&v);
	smtp_client_options_init(&o, "milagro.dc.uba.ar");
	struct smtp_server_host sh = {.ctx = &v, .message = srv_message};
	memset(&w, 0, sizeof w);
	w.s = smtp_server_new(&v.cfg, &sh, "10.0.0.7", NULL);
	struct smtp_client_host ch = {.ctx = &ob, .state_changed = obs_state, .trace = obs_trace};
	w.c = smtp_client_new(&o, &ch);
	REQUIRE(w.s && w.c);
	const char *rc[] = {"mcarri@dc.uba.ar"};
	static const uint8_t b[] = "Subject: Esto es una prueba\n\n.Hola\n";
	smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, b, sizeof b - 1);
	smtp_client_finish(w.c);
	pump(&w);
	CHECK_STR(ob.states, "GREETING->EHLO EHLO->READY READY->MAIL MAIL->RCPT RCPT->DATA DATA->BODY "
			     "BODY->READY READY->QUIT QUIT->CLOSED");
	CHECK_STR(ob.trace, "S: 220 mx.example.org ESMTP\n"
			    "C: EHLO milagro.dc.uba.ar\n"
			    "S: 250-mx.example.org greets milagro.dc.uba.ar\n"
			    "S: 250-PIPELINING\n"
			    "S: 250-8BITMIME\n"
			    "S: 250-SIZE 10485760\n"
			    "S: 250-ENHANCEDSTATUSCODES\n"
			    "S: 250-ETRN\n"
			    "S: 250 HELP\n"
			    "C: MAIL FROM:<juan@gmail.com> SIZE=39\n"
			    "C: RCPT TO:<mcarri@dc.uba.ar>\n"
			    "C: DATA\n"
			    "S: 250 2.1.0 OK\n"
			    "S: 250 2.1.5 OK\n"
			    "S: 354 Start mail input; end with <CRLF>.<CRLF>\n"
			    "C: Subject: Esto es una prueba\n"
			    "C: \n"
			    "C: ..Hola\n"
			    "C: .\n"
			    "S: 250 2.0.0 OK\n"
			    "C: QUIT\n"
			    "S: 221 2.0.0 mx.example.org Service closing transmission channel\n");
	CHECK_STR(v.data, "Subject: Esto es una prueba\r\n\r\n.Hola\r\n");
	teardown(&w);
}

/* The class note's telnet session (section 3), produced by the two engines:
 * a client saying HELO and typing "MAIL FROM: <...>" as the note's user
 * did, against a server with the note's texts. The trace must be the
 * note's listing, line for line. */
static void test_note_session_end_to_end(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		struct srv v;
		struct observer ob = {{0}, {0}};
		struct wire w;
		srv_init(&v);
		v.cfg.hostname = "smtp-1.dc.uba.ar";
		v.cfg.helo_text = "%h";
		v.cfg.mail_ok_text = "ok";
		v.cfg.rcpt_ok_text = "ok";
		v.cfg.data_text = "go ahead punk, make my day";
		v.cfg.queued_text = "ok %q by %h";
		v.cfg.quit_text = "%h Goodbye.";
		struct smtp_server_host sh = {.ctx = &v, .message = note_message};
		memset(&w, 0, sizeof w);
		w.bytewise = bytewise;
		w.s = smtp_server_new(&v.cfg, &sh, "10.0.0.7", "milagro.dc.uba.ar");
		struct smtp_client_options o;
		smtp_client_options_init(&o, "milagro.dc.uba.ar");
		o.use_ehlo = 0;
		o.space_before_path = 1;
		struct smtp_client_host ch = {.ctx = &ob, .trace = obs_trace};
		w.c = smtp_client_new(&o, &ch);
		REQUIRE(w.s && w.c);
		const char *rc[] = {"mcarri@dc.uba.ar", "pepe@gil.com.ar"};
		static const char body[] = "Subject: Esto es una prueba\nHola Como est\xc3\xa1s?\nChau!\n";
		smtp_client_add_message(w.c, "juan@gmail.com", rc, 2, (const uint8_t *)body, sizeof body - 1);
		smtp_client_finish(w.c);
		pump(&w);
		CHECK_STR(ob.trace, "S: 220 smtp-1.dc.uba.ar ESMTP\n"
				    "C: HELO milagro.dc.uba.ar\n"
				    "S: 250 smtp-1.dc.uba.ar\n"
				    "C: MAIL FROM: <juan@gmail.com>\n"
				    "S: 250 ok\n"
				    "C: RCPT TO: <mcarri@dc.uba.ar>\n"
				    "S: 250 ok\n"
				    "C: RCPT TO: <pepe@gil.com.ar>\n"
				    "S: 250 ok\n"
				    "C: DATA\n"
				    "S: 354 go ahead punk, make my day\n"
				    "C: Subject: Esto es una prueba\n"
				    "C: Hola Como est\xc3\xa1s?\n"
				    "C: Chau!\n"
				    "C: .\n"
				    "S: 250 ok 1150944635 qp 24023 by smtp-1.dc.uba.ar\n"
				    "C: QUIT\n"
				    "S: 221 smtp-1.dc.uba.ar Goodbye.\n");
		CHECK_STR(v.envelope, "<juan@gmail.com> <mcarri@dc.uba.ar> <pepe@gil.com.ar>");
		teardown(&w);
	}
}

/* An MTA feeding its queue one message at a time: each message callback
 * adds the next message, and the last one calls finish. */
struct feeder {
	struct smtp_client *c;
	int sent, results;
};

static void feed_next(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct feeder *f = ctx;
	(void)job;
	(void)accepted;
	if (r->code == 250)
		f->results++;
	static const char *const rc[] = {"a@example.org"};
	static const uint8_t m[] = "Subject: next\r\n\r\nx\r\n";
	if (f->sent < 5) {
		CHECK(smtp_client_add_message(f->c, "juan@gmail.com", rc, 1, m, sizeof m - 1) >= 0);
		f->sent++;
	} else {
		smtp_client_finish(f->c);
	}
}

static void test_jobs_added_from_callbacks(void)
{
	for (int pipelining = 0; pipelining <= 1; pipelining++) {
		struct srv v;
		struct feeder f = {0};
		struct wire w;
		srv_init(&v);
		struct smtp_server_host sh = {.ctx = &v, .message = srv_message};
		memset(&w, 0, sizeof w);
		w.s = smtp_server_new(&v.cfg, &sh, "10.0.0.7", NULL);
		struct smtp_client_options o;
		smtp_client_options_init(&o, "mta.gmail.com");
		o.use_pipelining = pipelining;
		struct smtp_client_host ch = {.ctx = &f, .message = feed_next};
		w.c = f.c = smtp_client_new(&o, &ch);
		REQUIRE(w.s && w.c);
		static const char *const rc[] = {"a@example.org"};
		static const uint8_t m[] = "Subject: first\r\n\r\nx\r\n";
		smtp_client_add_message(w.c, "juan@gmail.com", rc, 1, m, sizeof m - 1);
		f.sent = 1;
		pump(&w);
		CHECK_EQ_INT(f.results, 5);
		CHECK_EQ_INT(v.messages, 5);
		CHECK(smtp_client_done(w.c));
		teardown(&w);
	}
}

static void test_bad_arguments(void)
{
	struct smtp_client_options o;
	smtp_client_options_init(&o, "bad name");
	CHECK(smtp_client_new(&o, NULL) == NULL);
	smtp_client_options_init(&o, "ok.example");
	struct smtp_client *c = smtp_client_new(&o, NULL);
	REQUIRE(c);
	const char *evil[] = {"a@example.org>\r\nRCPT TO:<b@example.org"};
	const char *good[] = {"a@example.org"};
	CHECK_EQ_INT(smtp_client_add_message(c, "x@example.net", evil, 1, body1, 3), SMTP_CLIENT_EINVAL);
	CHECK_EQ_INT(smtp_client_add_message(c, "x@example.net\n", good, 1, body1, 3), SMTP_CLIENT_EINVAL);
	CHECK_EQ_INT(smtp_client_add_message(c, "x@example.net", good, 0, body1, 3), SMTP_CLIENT_EINVAL);
	CHECK_EQ_INT(smtp_client_add_message(c, "", good, 1, body1, 3), 0);
	size_t n;
	smtp_client_output(c, &n);
	CHECK_EQ_INT(n, 0); /* nothing before the greeting */
	smtp_client_free(&c);
	CHECK(c == NULL);
	smtp_client_free(&c);
}

/* ---- scripted servers --------------------------------------------------- */

struct scripted {
	const char *server; /* all the server's bytes, fed in one go */
	const char *log;    /* the expected client log */
	const char *sent;   /* the expected client output, or NULL */
};

static void run_scripted(const struct scripted *t, int bytewise)
{
	struct cli cl = {0};
	struct smtp_client_host ch = cli_host_template;
	ch.ctx = &cl;
	struct smtp_client_options o;
	smtp_client_options_init(&o, "mta.gmail.com");
	struct smtp_client *c = smtp_client_new(&o, &ch);
	REQUIRE(c);
	const char *rc[] = {"a@example.org", "b@example.org"};
	smtp_client_add_message(c, "juan@gmail.com", rc, 2, body1, sizeof body1 - 1);
	smtp_client_finish(c);
	size_t n = strlen(t->server), off = 0;
	char sent[4096];
	size_t sl = 0;
	while (off < n) {
		off += smtp_client_feed(c, t->server + off, bytewise ? 1 : n - off);
		size_t on;
		const uint8_t *p = smtp_client_output(c, &on);
		if (sl + on < sizeof sent) {
			memcpy(sent + sl, p, on);
			sl += on;
		}
		smtp_client_consume(c, on);
	}
	sent[sl] = 0;
	smtp_client_connection_lost(c);
	if (strcmp(cl.log, t->log) != 0)
		fprintf(stderr, "server script:\n%s\nclient log:\n%s\n", t->server, cl.log);
	CHECK_STR(cl.log, t->log);
	if (t->sent)
		CHECK_STR(sent, t->sent);
	CHECK(smtp_client_done(c));
	smtp_client_free(&c);
}

#define EHLO_OK "250-mx.example.org\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n"

static void test_scripted_failures(void)
{
	static const struct scripted cases[] = {
		/* greeting refused: QUIT, both recipients failed with it */
		{"554 No SMTP service here\r\n",
		 "session 0 554 No SMTP service here\nrcpt 0.0 554 - No SMTP service here\n"
		 "rcpt 0.1 554 - No SMTP service here\nmessage 0 554 accepted=0 No SMTP service here\n",
		 "QUIT\r\n"},
		/* a multi-line greeting, then 421 in the middle of RCPTs */
		{"220-mx.example.org\r\n220 ready\r\n" EHLO_OK "250 2.1.0 ok\r\n250 2.1.5 ok\r\n"
		 "421 4.3.2 shutting down\r\n",
		 "rcpt 0.0 250 2.1.5 ok\nsession 2 421 shutting down\n"
		 "rcpt 0.1 421 4.3.2 shutting down\nmessage 0 421 accepted=1 shutting down\n",
		 NULL},
		/* continuation lines with another code */
		{"220 hi\r\n250-mx.example.org\r\n251 PIPELINING\r\n",
		 "session 3 451 local protocol error: reply code changed inside a multi-line reply\n"
		 "rcpt 0.0 451 4.5.0 protocol error: reply code changed inside a multi-line reply\n"
		 "rcpt 0.1 451 4.5.0 protocol error: reply code changed inside a multi-line reply\n"
		 "message 0 451 local accepted=0 protocol error: reply code changed inside a multi-line reply\n",
		 "EHLO mta.gmail.com\r\n"},
		/* garbage instead of a code */
		{"HTTP/1.1 400 Bad Request\r\n",
		 "session 3 451 local protocol error: malformed reply line\n"
		 "rcpt 0.0 451 4.5.0 protocol error: malformed reply line\n"
		 "rcpt 0.1 451 4.5.0 protocol error: malformed reply line\n"
		 "message 0 451 local accepted=0 protocol error: malformed reply line\n",
		 ""},
		/* a bare CR inside a reply */
		{"220 h\ri\r\n",
		 "session 3 451 local protocol error: NUL or bare CR in a reply\n"
		 "rcpt 0.0 451 4.5.0 protocol error: NUL or bare CR in a reply\n"
		 "rcpt 0.1 451 4.5.0 protocol error: NUL or bare CR in a reply\n"
		 "message 0 451 local accepted=0 protocol error: NUL or bare CR in a reply\n",
		 ""},
		/* EHLO and HELO both refused */
		{"220 hi\r\n502 no\r\n554 go away\r\n",
		 "session 1 554 go away\nrcpt 0.0 554 - go away\nrcpt 0.1 554 - go away\n"
		 "message 0 554 accepted=0 go away\n",
		 "EHLO mta.gmail.com\r\nHELO mta.gmail.com\r\nQUIT\r\n"},
		/* the connection drops after the data went out: accepted
		 * recipients get a local 4xx for the message, to retry, and
		 * the reply says the server may have it (RFC 1047) */
		{"220 hi\r\n" EHLO_OK "250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 unknown\r\n354 go\r\n",
		 "rcpt 0.0 250 2.1.5 ok\nrcpt 0.1 550 5.1.1 unknown\nsession 5 421 local connection lost after the end "
		 "of the data, before its reply (RFC 1047: the server may have accepted the message)\n"
		 "message 0 421 local accepted=1 connection lost after the end of the data, before its reply (RFC 1047: "
		 "the server may have accepted the message)\n",
		 NULL},
		/* a bare code with no text is a valid reply */
		{"220\r\n250\r\n250\r\n250\r\n250\r\n354\r\n250\r\n221\r\n",
		 "rcpt 0.0 250 - \nrcpt 0.1 250 - \nmessage 0 250 accepted=2 \n", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (int bytewise = 0; bytewise <= 1; bytewise++)
			run_scripted(&cases[i], bytewise);
}

/* A reply when the client awaits none, and a NUL in a reply. */
static void test_unexpected_replies(void)
{
	struct cli cl = {0};
	struct smtp_client_host ch = cli_host_template;
	ch.ctx = &cl;
	struct smtp_client_options o;
	smtp_client_options_init(&o, "mta.gmail.com");
	struct smtp_client *c = smtp_client_new(&o, &ch);
	REQUIRE(c);
	smtp_client_feed(c, "220 hi\r\n250 hello\r\n", 19);
	CHECK_EQ_INT(smtp_client_state(c), SMTP_CLIENT_READY);
	CHECK_STR(cl.log, "");
	smtp_client_feed(c, "250 surplus\r\n", 13);
	CHECK_STR(cl.log, "session 3 451 local protocol error: reply without a command\n");
	CHECK(smtp_client_done(c));
	smtp_client_free(&c);

	memset(&cl, 0, sizeof cl);
	c = smtp_client_new(&o, &ch);
	REQUIRE(c);
	smtp_client_feed(c, "220 h\0i\r\n", 9);
	CHECK_STR(cl.log, "session 3 451 local protocol error: NUL or bare CR in a reply\n");
	CHECK(smtp_client_done(c));
	smtp_client_free(&c);
}

/* A server line over 512 octets and a reply of 150 lines end the session
 * as protocol errors; a 100 KB junk stream never crashes or hangs. */
static void test_hostile_server(void)
{
	char big[2000];
	memset(big, 'x', sizeof big);
	memcpy(big, "220 ", 4);
	memcpy(big + sizeof big - 2, "\r\n", 2);
	struct cli cl = {0};
	struct smtp_client_host ch = cli_host_template;
	ch.ctx = &cl;
	struct smtp_client_options o;
	smtp_client_options_init(&o, "mta.gmail.com");
	struct smtp_client *c = smtp_client_new(&o, &ch);
	REQUIRE(c);
	CHECK_EQ_INT(smtp_client_feed(c, big, sizeof big), sizeof big);
	CHECK(smtp_client_done(c));
	CHECK(strstr(cl.log, "reply line too long") != NULL);
	smtp_client_free(&c);

	memset(&cl, 0, sizeof cl);
	c = smtp_client_new(&o, &ch);
	for (int i = 0; i < 150; i++)
		smtp_client_feed(c, "220-more\r\n", 10);
	CHECK(smtp_client_done(c));
	CHECK(strstr(cl.log, "too many lines") != NULL);
	smtp_client_free(&c);

	uint32_t x = 12345;
	char junk[100000];
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	c = smtp_client_new(&o, &ch);
	size_t off = 0;
	while (off < sizeof junk) {
		size_t took = smtp_client_feed(c, junk + off, sizeof junk - off);
		size_t on;
		smtp_client_output(c, &on);
		smtp_client_consume(c, on);
		CHECK(took > 0);
		if (!took)
			break;
		off += took;
	}
	CHECK(smtp_client_done(c));
	smtp_client_free(&c);
}

/* Counts callbacks per job and recipient: the MTA's ledger depends on each
 * being reported exactly once, whatever the server does. */
struct once {
	int rcpt[4][3];
	int msg[4];
	int etrn[4];
	int delivered;
};

static void once_rcpt(void *ctx, int job, size_t i, const struct smtp_client_reply *r)
{
	struct once *o = ctx;
	(void)r;
	if (job >= 0 && job < 4 && i < 3)
		o->rcpt[job][i]++;
}

static void once_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct once *o = ctx;
	if (r->code / 100 == 2 && accepted > 0)
		o->delivered++;
	if (job >= 0 && job < 4)
		o->msg[job]++;
}

static void once_etrn(void *ctx, int job, const struct smtp_client_reply *r)
{
	struct once *o = ctx;
	(void)r;
	if (job >= 0 && job < 4)
		o->etrn[job]++;
}

/* Random but plausible server replies in random splits: every job is
 * answered exactly once, and nothing the client sends has a bare CR/LF. */
static void test_random_servers(void)
{
	static const char *const replies[] = {
		"220 hi\r\n", "250 ok\r\n", "250-x\r\n", "250-PIPELINING\r\n", "250-STARTTLS\r\n", "354 go\r\n",
		"421 bye\r\n", "550 5.1.1 no\r\n", "452 4.2.2 later\r\n", "221 bye\r\n", "500 what\r\n",
		"220 Ready to start TLS\r\n", "garbage\r\n", "250\r\n", "\r\n", "554-a\r\n554 b\r\n",
	};
	uint32_t x = 99;
	int delivered = 0;
	for (int run = 0; run < 400; run++) {
		struct once ob;
		memset(&ob, 0, sizeof ob);
		struct smtp_client_host ch = {.ctx = &ob, .rcpt = once_rcpt, .message = once_message, .etrn = once_etrn};
		struct smtp_client_options o;
		smtp_client_options_init(&o, "mta.gmail.com");
		o.want_starttls = run % 2;
		o.use_pipelining = run % 3 != 0;
		struct smtp_client *c = smtp_client_new(&o, &ch);
		REQUIRE(c);
		const char *rc[] = {"a@example.org", "b@example.org", "c@example.org"};
		smtp_client_add_message(c, "juan@gmail.com", rc, 3, body1, sizeof body1 - 1);
		smtp_client_add_etrn(c, "example.org");
		smtp_client_add_message(c, "", rc, 2, (const uint8_t *)".\n.x", 4);
		smtp_client_add_message(c, "juan@gmail.com", rc, 1, body1, 10);
		smtp_client_finish(c);
		for (int step = 0; step < 60 && !smtp_client_done(c); step++) {
			x = x * 1103515245u + 12345u;
			const char *rep = replies[(x >> 8) % (sizeof replies / sizeof replies[0])];
			if ((x >> 20) % 3 == 0)
				rep = "250 ok\r\n"; /* keep sessions going further */
			size_t n = strlen(rep), off = 0;
			while (off < n) {
				x = x * 1103515245u + 12345u;
				size_t k = 1 + (x >> 16) % 4;
				if (k > n - off)
					k = n - off;
				off += smtp_client_feed(c, rep + off, k);
			}
			if (smtp_client_tls_pending(c))
				smtp_client_tls_established(c);
			size_t on;
			const uint8_t *p = smtp_client_output(c, &on);
			CHECK(no_bare_line_ends((const char *)p, on));
			CHECK(on == 0 || (p[on - 2] == '\r' && p[on - 1] == '\n'));
			smtp_client_consume(c, on);
		}
		smtp_client_connection_lost(c);
		CHECK(smtp_client_done(c));
		for (int j = 0; j < 4; j++) {
			int nr = j == 0 ? 3 : j == 2 ? 2 : j == 3 ? 1 : 0;
			for (int i = 0; i < 3; i++)
				CHECK_EQ_INT(ob.rcpt[j][i], i < nr ? 1 : 0);
			CHECK_EQ_INT(ob.msg[j], j == 1 ? 0 : 1);
			CHECK_EQ_INT(ob.etrn[j], j == 1 ? 1 : 0);
		}
		delivered += ob.delivered;
		smtp_client_free(&c);
	}
	fprintf(stderr, "random servers: %d messages got a 2xx\n", delivered);
	CHECK(delivered > 10);
}

int main(void)
{
	RUN(test_single_message);
	RUN(test_recipients_rejected_and_deferred);
	RUN(test_data_refused);
	RUN(test_helo_fallback);
	RUN(test_pipelining);
	RUN(test_pipelined_mail_refused_then_next_message);
	RUN(test_several_messages_one_connection);
	RUN(test_starttls);
	RUN(test_dot_stuffing_and_line_ends);
	RUN(test_etrn);
	RUN(test_size_limit_known_in_advance);
	RUN(test_states_and_trace);
	RUN(test_note_session_end_to_end);
	RUN(test_jobs_added_from_callbacks);
	RUN(test_bad_arguments);
	RUN(test_scripted_failures);
	RUN(test_unexpected_replies);
	RUN(test_hostile_server);
	RUN(test_random_servers);
	return harness_done();
}

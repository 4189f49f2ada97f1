/* The POP3 client engine: command by command (status lines, response
 * codes, multi-line bodies dot-unstuffed, pipelining, the greeting's
 * timestamp), whole sessions against the server engine (APOP and
 * USER/PASS, delete or keep, only new messages by UIDL) with the server's
 * bytes fed whole and one at a time, messages with 10,000-octet lines, NUL
 * octets and leading dots coming through intact, and hostile servers. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pop3_host.h"
#include "protocols/pop3_client.h"
#include "protocols/pop3_server.h"

/* ---- command mode against scripted server bytes ---- */

struct log {
	char text[16384];
	int responses;
	struct pop3_client_result result; /* code and text point at the copies below */
	char code[32], text_r[512];
	int done;
	int want_calls, messages;
	char seen[8][80]; /* uids already downloaded (keep mode) */
	size_t nseen;
	uint8_t last[32768];
	size_t last_len;
};

static void on_response(void *ctx, const struct pop3_client_response *r)
{
	struct log *l = ctx;
	l->responses++;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof l->text - n, "[%s] %s code=%s text=%s%s%s len=%zu\n", r->command,
		 r->ok ? "+OK" : "-ERR", r->code, r->text, r->multiline ? " multi" : "", r->local ? " local" : "",
		 r->len);
	if (r->multiline && r->len < sizeof l->last) {
		memcpy(l->last, r->data, r->len);
		l->last_len = r->len;
	}
}

static void feed_str(struct pop3_client *c, const char *s) { pop3_client_feed(c, s, strlen(s)); }

static void take_output(struct pop3_client *c, char *out, size_t cap)
{
	size_t n;
	const uint8_t *p = pop3_client_output(c, &n);
	size_t k = n < cap - 1 ? n : cap - 1;
	memcpy(out, p, k);
	out[k] = 0;
	pop3_client_consume(c, n);
}

static void test_command_mode(void)
{
	static struct log l;
	memset(&l, 0, sizeof l);
	struct pop3_client_host h = {.ctx = &l, .response = on_response};
	struct pop3_client *c = pop3_client_new(&h);
	REQUIRE(c != NULL);
	CHECK_EQ_INT(pop3_client_state(c), POP3_CLIENT_GREETING);
	feed_str(c, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n");
	CHECK_STR(pop3_client_timestamp(c), "<1896.697170952@dbc.mtview.ca.us>");
	CHECK_EQ_INT(pop3_client_state(c), POP3_CLIENT_READY);
	/* pipelined: three commands before any response */
	CHECK_EQ_INT(pop3_client_send(c, "STAT"), 0);
	CHECK_EQ_INT(pop3_client_send(c, "LIST"), 0);
	CHECK_EQ_INT(pop3_client_send(c, "RETR 1"), 0);
	CHECK_EQ_INT(pop3_client_send(c, "UIDL 1"), 0);
	CHECK_EQ_INT(pop3_client_pending(c), 4);
	char out[512];
	take_output(c, out, sizeof out);
	CHECK_STR(out, "STAT\r\nLIST\r\nRETR 1\r\nUIDL 1\r\n");
	/* the server's answers, split at awkward places */
	const char *srv = "+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n+OK 120 octets\r\n"
			  "Subject: x\r\n\r\n..dot\r\n...\r\nbare\nLF\r\n.\r\n-ERR [SYS/TEMP] busy\r\n";
	for (size_t i = 0; srv[i]; i++)
		pop3_client_feed(c, srv + i, 1);
	CHECK_STR(l.text, "[] +OK code= text=POP3 server ready <1896.697170952@dbc.mtview.ca.us> len=0\n"
			  "[STAT] +OK code= text=2 320 len=0\n"
			  "[LIST] +OK code= text=2 messages multi len=14\n"
			  "[RETR 1] +OK code= text=120 octets multi len=33\n"
			  "[UIDL 1] -ERR code=SYS/TEMP text=busy len=0\n");
	/* the last body, unstuffed; a bare LF stays inside its line */
	CHECK_EQ_INT(l.last_len, 33);
	CHECK(memcmp(l.last, "Subject: x\r\n\r\n.dot\r\n..\r\nbare\nLF\r\n", 33) == 0);
	/* bad command lines never reach the wire */
	CHECK_EQ_INT(pop3_client_send(c, "RETR 1\r\nDELE 1"), POP3_CLIENT_EINVAL);
	CHECK_EQ_INT(pop3_client_send(c, ""), POP3_CLIENT_EINVAL);
	char longcmd[300];
	memset(longcmd, 'x', sizeof longcmd - 1);
	longcmd[sizeof longcmd - 1] = 0;
	CHECK_EQ_INT(pop3_client_send(c, longcmd), POP3_CLIENT_EINVAL);
	CHECK_EQ_INT(pop3_client_start_session(c, &(struct pop3_client_session_options){"a", "b", 0, 0}),
		     POP3_CLIENT_ECLOSED);
	CHECK_EQ_INT(pop3_client_send(c, "QUIT"), 0);
	CHECK_EQ_INT(pop3_client_state(c), POP3_CLIENT_QUIT);
	feed_str(c, "+OK bye\r\n");
	CHECK(pop3_client_done(c));
	CHECK_EQ_INT(pop3_client_send(c, "NOOP"), POP3_CLIENT_ECLOSED);
	pop3_client_free(&c);
	CHECK(c == NULL);
	pop3_client_free(&c);
}

static void test_hostile_servers(void)
{
	static struct log l;
	struct pop3_client_host h = {.ctx = &l, .response = on_response};
	/* neither +OK nor -ERR */
	memset(&l, 0, sizeof l);
	struct pop3_client *c = pop3_client_new(&h);
	feed_str(c, "+OK hi\r\n");
	pop3_client_send(c, "STAT");
	feed_str(c, "OK 1 2\r\n");
	CHECK(pop3_client_done(c));
	CHECK(strstr(l.text, "[STAT] -ERR code= text=the server sent neither +OK nor -ERR local") != NULL);
	pop3_client_free(&c);
	/* "+OKAY" is not "+OK" */
	memset(&l, 0, sizeof l);
	c = pop3_client_new(&h);
	feed_str(c, "+OKAY\r\n");
	CHECK(pop3_client_done(c));
	pop3_client_free(&c);
	/* a response nobody asked for */
	memset(&l, 0, sizeof l);
	c = pop3_client_new(&h);
	feed_str(c, "+OK hi\r\n+OK surprise\r\n");
	CHECK(pop3_client_done(c));
	pop3_client_free(&c);
	/* a status line of 10,000 octets */
	memset(&l, 0, sizeof l);
	c = pop3_client_new(&h);
	feed_str(c, "+OK hi\r\n");
	pop3_client_send(c, "NOOP");
	static char big[10010];
	memset(big, 'x', sizeof big);
	memcpy(big, "+OK ", 4);
	pop3_client_feed(c, big, sizeof big);
	CHECK(pop3_client_done(c));
	CHECK(strstr(l.text, "[NOOP] -ERR code= text=a status line longer than 512 octets local") != NULL);
	pop3_client_free(&c);
	/* the connection drops in the middle of a body */
	memset(&l, 0, sizeof l);
	c = pop3_client_new(&h);
	feed_str(c, "+OK hi\r\n");
	pop3_client_send(c, "RETR 1");
	pop3_client_send(c, "QUIT");
	feed_str(c, "+OK\r\nSubject: x\r\n");
	pop3_client_connection_lost(c);
	CHECK(pop3_client_done(c));
	CHECK(strstr(l.text, "[RETR 1] -ERR code= text=connection lost local len=0\n[QUIT] -ERR") != NULL);
	pop3_client_free(&c);
	/* a body over max_body is read to its end and reported truncated */
	memset(&l, 0, sizeof l);
	c = pop3_client_new(&h);
	pop3_client_set_max_body(c, 10);
	feed_str(c, "+OK hi\r\n");
	pop3_client_send(c, "RETR 1");
	pop3_client_send(c, "NOOP");
	feed_str(c, "+OK\r\n0123456789abcdef\r\n.\r\n+OK\r\n");
	CHECK(strstr(l.text, "[RETR 1] +OK code= text= multi len=0\n[NOOP] +OK") != NULL);
	CHECK(!pop3_client_done(c));
	pop3_client_free(&c);
}

/* ---- whole sessions against the server engine ---- */

static int want_new(void *ctx, size_t msgno, const char *uid, uint64_t size)
{
	(void)msgno;
	(void)size;
	struct log *l = ctx;
	l->want_calls++;
	for (size_t i = 0; i < l->nseen; i++)
		if (strcmp(l->seen[i], uid) == 0)
			return 0;
	return 1;
}

static void on_message(void *ctx, size_t msgno, const char *uid, const uint8_t *data, size_t len, int truncated)
{
	(void)msgno;
	(void)truncated;
	struct log *l = ctx;
	l->messages++;
	if (l->nseen < 8)
		snprintf(l->seen[l->nseen++], sizeof l->seen[0], "%s", uid);
	if (len <= sizeof l->last) {
		memcpy(l->last, data, len);
		l->last_len = len;
	}
}

static void on_done(void *ctx, const struct pop3_client_result *r)
{
	struct log *l = ctx;
	l->done++;
	l->result = *r;
	snprintf(l->code, sizeof l->code, "%s", r->code);
	snprintf(l->text_r, sizeof l->text_r, "%s", r->text);
	l->result.code = l->code;
	l->result.text = l->text_r;
}

static void client_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct log *l = ctx;
	if (!sent)
		return;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof l->text - n, "C: %.*s\n", (int)len, line);
}

/* Runs a client session against a server session until both are done;
 * bytewise feeds the server's output one octet at a time. */
static void run_session(struct ph_host *ph, struct pop3_server_config *cfg, struct log *l,
			const struct pop3_client_session_options *o, int bytewise)
{
	struct ph_session ps = {ph, NULL};
	struct pop3_server_host sh = ph_callbacks(&ps);
	struct pop3_server *s = pop3_server_new(cfg, &sh);
	struct pop3_client_host ch = {.ctx = l, .want = want_new, .message = on_message, .done = on_done,
				      .trace = client_trace};
	struct pop3_client *c = pop3_client_new(&ch);
	if (!s || !c || pop3_client_start_session(c, o) != 0) {
		CHECK(0);
		pop3_server_free(&s);
		pop3_client_free(&c);
		return;
	}
	for (int rounds = 0; rounds < 10000 && !pop3_client_done(c); rounds++) {
		size_t n;
		const uint8_t *p = pop3_server_output(s, &n);
		if (bytewise) {
			for (size_t i = 0; i < n; i++)
				pop3_client_feed(c, p + i, 1);
		} else {
			pop3_client_feed(c, p, n);
		}
		pop3_server_consume(s, n);
		p = pop3_client_output(c, &n);
		pop3_server_feed(s, p, n);
		pop3_client_consume(c, n);
		if (pop3_server_should_close(s) && (pop3_server_output(s, &n), n == 0) && !pop3_client_done(c))
			pop3_client_connection_lost(c);
	}
	CHECK(pop3_client_done(c));
	pop3_server_free(&s);
	pop3_client_free(&c);
}

static void test_session_apop_delete(void)
{
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		static struct ph_host ph;
		memset(&ph, 0, sizeof ph);
		struct ph_user *u = ph_add_user(&ph, "mrose", "tanstaaf");
		ph_add_sized(u, 120, "whqtswO00WBw418f9t5JxYwZ");
		ph_add_sized(u, 200, "QhdPYR:00WBw1Ph7x7");
		struct pop3_server_config cfg;
		pop3_server_config_init(&cfg, "dbc.mtview.ca.us");
		cfg.apop = 1;
		cfg.pid = 1896;
		cfg.clock = 697170952;
		static struct log l;
		memset(&l, 0, sizeof l);
		struct pop3_client_session_options o = {"mrose", "tanstaaf", 1, 0};
		run_session(&ph, &cfg, &l, &o, bytewise);
		/* RFC 1939 section 10's commands, with UIDL before LIST */
		CHECK_STR(l.text, "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb\nC: STAT\nC: UIDL\nC: LIST\n"
				  "C: RETR 1\nC: DELE 1\nC: RETR 2\nC: DELE 2\nC: QUIT\n");
		CHECK_EQ_INT(l.done, 1);
		CHECK_EQ_INT(l.result.outcome, POP3_CLIENT_OK);
		CHECK_EQ_INT(l.result.listed, 2);
		CHECK_EQ_INT(l.result.retrieved, 2);
		CHECK_EQ_INT(l.result.deleted, 2);
		CHECK_STR(l.result.text, "dbc.mtview.ca.us POP3 server signing off (maildrop empty)");
		CHECK_EQ_INT(u->n, 0);
		CHECK_EQ_INT(l.last_len, 200);
		CHECK_STR(l.seen[0], "whqtswO00WBw418f9t5JxYwZ");
		ph_free(&ph);
	}
}

static void test_session_keep_only_new(void)
{
	static struct ph_host ph;
	memset(&ph, 0, sizeof ph);
	struct ph_user *u = ph_add_user(&ph, "maria", "serenata");
	ph_add_sized(u, 100, "1150944635.1");
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx");
	static struct log l;
	memset(&l, 0, sizeof l);
	struct pop3_client_session_options keep = {"maria", "serenata", 0, 1};
	run_session(&ph, &cfg, &l, &keep, 0);
	CHECK_STR(l.text, "C: USER maria\nC: PASS serenata\nC: STAT\nC: UIDL\nC: LIST\nC: RETR 1\nC: QUIT\n");
	CHECK_EQ_INT(l.messages, 1);
	CHECK_EQ_INT(u->n, 1); /* left on the server */
	/* a new message arrives; the next session fetches only it */
	ph_add_sized(u, 150, "1150944635.2");
	l.text[0] = 0;
	run_session(&ph, &cfg, &l, &keep, 1);
	CHECK_STR(l.text, "C: USER maria\nC: PASS serenata\nC: STAT\nC: UIDL\nC: LIST\nC: RETR 2\nC: QUIT\n");
	CHECK_EQ_INT(l.messages, 2);
	CHECK_EQ_INT(l.result.skipped, 1);
	CHECK_EQ_INT(l.result.retrieved, 1);
	CHECK_EQ_INT(l.last_len, 150);
	CHECK_EQ_INT(u->n, 2);
	ph_free(&ph);
}

static void test_session_failures(void)
{
	static struct ph_host ph;
	memset(&ph, 0, sizeof ph);
	struct ph_user *u = ph_add_user(&ph, "maria", "serenata");
	ph_add_sized(u, 100, "u1");
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx");
	static struct log l;
	/* a wrong password: -ERR [AUTH], then QUIT */
	memset(&l, 0, sizeof l);
	struct pop3_client_session_options bad = {"maria", "wrong", 0, 0};
	run_session(&ph, &cfg, &l, &bad, 0);
	CHECK_EQ_INT(l.result.outcome, POP3_CLIENT_LOGIN_FAILED);
	CHECK_STR(l.result.code, "AUTH");
	CHECK_STR(l.text, "C: USER maria\nC: PASS wrong\nC: QUIT\n");
	CHECK_EQ_INT(l.done, 1);
	/* APOP against a server without a timestamp */
	memset(&l, 0, sizeof l);
	struct pop3_client_session_options apop = {"maria", "serenata", 1, 0};
	run_session(&ph, &cfg, &l, &apop, 0);
	CHECK_EQ_INT(l.result.outcome, POP3_CLIENT_NO_APOP);
	CHECK_STR(pop3_client_outcome_name(l.result.outcome), "no-apop");
	/* the maildrop is locked by somebody else: -ERR [IN-USE] */
	memset(&l, 0, sizeof l);
	u->locked_by = &ph;
	struct pop3_client_session_options good = {"maria", "serenata", 0, 0};
	run_session(&ph, &cfg, &l, &good, 0);
	CHECK_EQ_INT(l.result.outcome, POP3_CLIENT_LOGIN_FAILED);
	CHECK_STR(l.result.code, "IN-USE");
	CHECK_EQ_INT(u->n, 1);
	u->locked_by = NULL;
	/* bad options */
	struct pop3_client *c = pop3_client_new(NULL);
	CHECK_EQ_INT(pop3_client_start_session(c, &(struct pop3_client_session_options){"a b", "x", 0, 0}),
		     POP3_CLIENT_EINVAL);
	CHECK_EQ_INT(pop3_client_start_session(c, &(struct pop3_client_session_options){"a", "x\r\n", 0, 0}),
		     POP3_CLIENT_EINVAL);
	pop3_client_free(&c);
	ph_free(&ph);
}

/* Hard messages come through byte for byte (CRLF line ends kept): a
 * 10,000-octet line, NUL octets, lines that are or start with dots. */
static void test_hard_message_round_trip(void)
{
	static struct ph_host ph;
	memset(&ph, 0, sizeof ph);
	struct ph_user *u = ph_add_user(&ph, "maria", "serenata");
	static char msg[12000];
	size_t o = (size_t)snprintf(msg, sizeof msg, "Subject: hard\r\n\r\n.\r\n..\r\n.starts\r\n");
	memset(msg + o, 'L', 10000);
	o += 10000;
	memcpy(msg + o, "\r\nnul\0here\r\n.\r\n", 15);
	o += 15;
	ph_add_msg(u, msg, o, "hard");
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx");
	for (int bytewise = 0; bytewise <= 1; bytewise++) {
		static struct log l;
		memset(&l, 0, sizeof l);
		struct pop3_client_session_options keep = {"maria", "serenata", 0, 1};
		run_session(&ph, &cfg, &l, &keep, bytewise);
		CHECK_EQ_INT(l.result.outcome, POP3_CLIENT_OK);
		CHECK_EQ_INT(l.messages, 1);
		CHECK_EQ_INT(l.last_len, o);
		CHECK(memcmp(l.last, msg, o) == 0);
	}
	ph_free(&ph);
}

int main(void)
{
	RUN(test_command_mode);
	RUN(test_hostile_servers);
	RUN(test_session_apop_delete);
	RUN(test_session_keep_only_new);
	RUN(test_session_failures);
	RUN(test_hard_message_round_trip);
	return harness_done();
}

/* The POP3 server engine's hostile-input catalogue (issue 9 item 4): named
 * attacks and mistakes, each run against a fresh maildrop host (three
 * messages for mrose), each checked for the exact reply RFC 1939 and RFC
 * 2449 ask for and for what happened to the maildrop (intact, or changed
 * exactly as the RFC says), and each followed by a well-behaved session on
 * the same host (the same lock, the same maildrop) that must log in, see
 * the expected messages, retrieve one intact and sign off.
 *
 * A row: the attack's name, its reference, and the function that mounts
 * it and checks the answers. Replay a single row by name with
 *   build/tests/unit/test_pop3_hostile NAME */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pop3_host.h"
#include "protocols/md5.h"
#include "protocols/pop3_server.h"

#define USER "mrose"
#define PASS "tanstaaf"

static const char *const bodies[3] = {
    "Subject: one\r\n\r\nfirst line\r\n.a line that starts with a dot\r\nlast\r\n",
    "Subject: two\r\nX-Note: second\r\n\r\nbody 1\r\nbody 2\r\nbody 3\r\nbody 4\r\n",
    "Subject: three\r\n\r\nthird\r\n",
};

/* A client connection: its own session of the engine on the shared host,
 * and what the server said since the last talk(). */
struct cli {
	struct ph_session ps;
	struct pop3_server *s;
	char *out;
	size_t len, cap;
	char greeting[256];
};

static uint64_t next_clock = 811280000; /* every greeting gets a new timestamp */

static void cli_open_cfg(struct cli *c, struct ph_host *h, const struct pop3_server_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->ps.h = h;
	struct pop3_server_host host = ph_callbacks(&c->ps);
	c->s = pop3_server_new(cfg, &host);
	c->cap = 1 << 16;
	c->out = malloc(c->cap);
	c->out[0] = 0;
	size_t n;
	const uint8_t *p = pop3_server_output(c->s, &n);
	snprintf(c->greeting, sizeof c->greeting, "%.*s", (int)n, (const char *)p);
	pop3_server_consume(c->s, n);
}

static void cli_open(struct cli *c, struct ph_host *h)
{
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mail.example.net");
	cfg.apop = 1;
	cfg.pid = 1896;
	cfg.clock = next_clock++;
	cli_open_cfg(c, h, &cfg);
}

static void cli_close(struct cli *c)
{
	pop3_server_free(&c->s);
	free(c->out);
	c->out = NULL;
}

static void cli_drain(struct cli *c)
{
	size_t n;
	const uint8_t *p = pop3_server_output(c->s, &n);
	if (c->len + n + 1 > c->cap) {
		while (c->len + n + 1 > c->cap)
			c->cap *= 2;
		c->out = realloc(c->out, c->cap);
	}
	memcpy(c->out + c->len, p, n);
	c->len += n;
	c->out[c->len] = 0;
	pop3_server_consume(c->s, n);
}

/* Feeds n bytes in segment-sized pieces, reading the replies after each,
 * and returns everything the server said since the last call. */
static const char *talkn(struct cli *c, const char *bytes, size_t n)
{
	c->len = 0;
	c->out[0] = 0;
	size_t off = 0;
	do {
		size_t k = n - off < 1400 ? n - off : 1400;
		pop3_server_feed(c->s, bytes + off, k);
		off += k;
		cli_drain(c);
	} while (off < n);
	return c->out;
}

static const char *talk(struct cli *c, const char *text) { return talkn(c, text, strlen(text)); }

static int has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  missing \"%s\" in: %.400s\n", needle, hay);
		return 0;
	}
	return 1;
}

static int lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle)) {
		fprintf(stderr, "  unexpected \"%s\" in: %.400s\n", needle, hay);
		return 0;
	}
	return 1;
}

/* The exact reply, all of it. */
static int is(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "  got \"%.300s\", wanted \"%s\"\n", got, want);
		return 0;
	}
	return 1;
}

/* Linear (strstr from every hit would rescan the rest under ASan's
 * interceptor, which measures the whole haystack each call). */
static int count_of(const char *hay, const char *needle)
{
	size_t hn = strlen(hay), nn = strlen(needle);
	int n = 0;
	for (size_t i = 0; nn && i + nn <= hn; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nn) == 0)
			n++;
	return n;
}

static int state_is(struct cli *c, enum pop3_server_state st)
{
	if (pop3_server_state(c->s) != st) {
		fprintf(stderr, "  state %s, expected %s\n", pop3_server_state_name(pop3_server_state(c->s)),
			pop3_server_state_name(st));
		return 0;
	}
	return 1;
}

static int login(struct cli *c)
{
	talk(c, "USER " USER "\r\n");
	return has(talk(c, "PASS " PASS "\r\n"), "+OK " USER "'s maildrop has");
}

static void apop_digest(const char *timestamp, const char *secret, char hex[33])
{
	char in[512];
	snprintf(in, sizeof in, "%s%s", timestamp, secret);
	md5_hex(in, strlen(in), hex);
}

/* ---- the attacks ------------------------------------------------------ */

/* Each returns 1 when the server answered as it must. *left_r is how many
 * messages the maildrop must hold afterwards (3 unless the attack QUITs
 * after deleting). */
typedef int attack_fn(struct ph_host *h, int *left_r);

static int atk_overlong_line(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	char line[400];
	/* 253 octets + CRLF = 255, the most RFC 2449 section 4 allows: parsed. */
	memset(line, ' ', sizeof line);
	memcpy(line, "CAPA", 4);
	memcpy(line + 253, "\r\n", 3);
	int ok = is(talk(&c, line), "-ERR syntax: CAPA takes no argument\r\n");
	/* One more octet: refused as too long, the session goes on. */
	memcpy(line + 254, "\r\n", 3);
	ok &= is(talk(&c, line), "-ERR line too long (at most 255 octets with CRLF)\r\n");
	ok &= has(talk(&c, "CAPA\r\n"), "+OK Capability list follows");
	/* A too-long USER line must not leave a USER behind for PASS. */
	memset(line, 'u', sizeof line);
	memcpy(line, "USER ", 5);
	memcpy(line + 300, "\r\n", 3);
	ok &= has(talk(&c, line), "-ERR line too long");
	ok &= is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_endless_line(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	size_t n = 1 << 20;
	char *b = malloc(n + 2);
	memset(b, 'x', n);
	memcpy(b + n, "\r\n", 2);
	/* A megabyte without a line end, read as it comes: one -ERR, memory
	 * bounded by the line reader, the session goes on. */
	const char *r = talkn(&c, b, n + 2);
	int ok = is(r, "-ERR line too long (at most 255 octets with CRLF)\r\n");
	ok &= !pop3_server_should_close(c.s);
	ok &= login(&c);
	free(b);
	cli_close(&c);
	return ok;
}

static int atk_nul_in_command(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = is(talkn(&c, "USER mr\0ose\r\n", 13), "-ERR NUL or bare CR in command\r\n");
	ok &= is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	ok &= login(&c);
	ok &= is(talkn(&c, "DELE 1\0\r\n", 9), "-ERR NUL or bare CR in command\r\n");
	ok &= has(talk(&c, "QUIT\r\n"), "+OK mail.example.net POP3 server signing off (3 messages left)");
	ok &= lacks(h->log, "commit");
	cli_close(&c);
	return ok;
}

static int atk_bare_cr(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	/* Two commands glued with a bare CR are one bad line, not two. */
	int ok = is(talk(&c, "USER " USER "\rPASS " PASS "\r\n"), "-ERR NUL or bare CR in command\r\n");
	ok &= state_is(&c, POP3_SERVER_AUTHORIZATION);
	ok &= login(&c);
	ok &= is(talk(&c, "DELE 1\rQUIT\r\n"), "-ERR NUL or bare CR in command\r\n");
	ok &= state_is(&c, POP3_SERVER_TRANSACTION);
	cli_close(&c);
	return ok;
}

static int atk_bare_lf(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	/* Lines ended by LF alone are accepted (docs/pop3.md: be liberal in
	 * what you accept); each is one command, answered with CRLF. */
	int ok = is(talk(&c, "USER " USER "\n"), "+OK send PASS\r\n");
	ok &= has(talk(&c, "PASS " PASS "\n"), "+OK " USER "'s maildrop has 3 messages");
	char want[64];
	snprintf(want, sizeof want, "+OK 3 %zu\r\n+OK\r\n", strlen(bodies[0]) + strlen(bodies[1]) + strlen(bodies[2]));
	ok &= is(talk(&c, "STAT\nNOOP\n"), want);
	cli_close(&c);
	return ok;
}

static int atk_empty_line(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = is(talk(&c, "\r\n"), "-ERR empty command\r\n");
	ok &= is(talk(&c, " USER " USER "\r\n"), "-ERR empty command\r\n");
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_retr_before_login(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = is(talk(&c, "RETR 1\r\n"), "-ERR RETR not allowed before login\r\n");
	ok &= is(talk(&c, "DELE 1\r\n"), "-ERR DELE not allowed before login\r\n");
	ok &= is(talk(&c, "LIST\r\n"), "-ERR LIST not allowed before login\r\n");
	ok &= is(talk(&c, "TOP 1 10\r\n"), "-ERR TOP not allowed before login\r\n");
	ok &= lacks(h->log, "lock");
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_pass_without_user(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	/* PASS must come right after USER: anything between forgets it. */
	ok &= is(talk(&c, "USER " USER "\r\n"), "+OK send PASS\r\n");
	ok &= has(talk(&c, "CAPA\r\n"), "+OK Capability list follows");
	ok &= is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	ok &= state_is(&c, POP3_SERVER_AUTHORIZATION);
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_auth_commands_after_login(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* Switching users inside a locked session is not possible. */
	ok &= is(talk(&c, "USER other\r\n"), "-ERR USER not allowed after login\r\n");
	ok &= is(talk(&c, "PASS x\r\n"), "-ERR PASS not allowed after login\r\n");
	ok &= is(talk(&c, "APOP " USER " 0123456789abcdef0123456789abcdef\r\n"),
		 "-ERR APOP not allowed after login\r\n");
	ok &= !strcmp(pop3_server_user(c.s), USER);
	cli_close(&c);
	return ok;
}

static int atk_message_number_2_64(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	const char *nums[] = {"18446744073709551616", "18446744073709551617", "99999999999999999999999999",
			      "4294967297", "4"};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "RETR %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
		snprintf(cmd, sizeof cmd, "DELE %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
		snprintf(cmd, sizeof cmd, "LIST %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
	}
	ok &= has(talk(&c, "QUIT\r\n"), "(3 messages left)");
	ok &= lacks(h->log, "commit");
	cli_close(&c);
	return ok;
}

static int atk_message_number_signs(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* msg is digits only (RFC 1939 section 3): no sign, no hex, no
	 * spaces; "1" in any of these disguises must not reach message 1. */
	const char *nums[] = {"-1", "+1", "0", "0x1", "1.0", "1e0", "\xef\xbc\x91" /* fullwidth 1 */};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "DELE %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
		snprintf(cmd, sizeof cmd, "RETR %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
	}
	/* Leading zeros are still the number. */
	char want[64];
	snprintf(want, sizeof want, "+OK 1 %zu\r\n", strlen(bodies[0]));
	ok &= is(talk(&c, "LIST 0001\r\n"), want);
	ok &= has(talk(&c, "QUIT\r\n"), "(3 messages left)");
	cli_close(&c);
	return ok;
}

static int atk_retr_dele_deleted(struct ph_host *h, int *left_r)
{
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	ok &= is(talk(&c, "DELE 1\r\n"), "+OK message 1 deleted\r\n");
	/* Section 5: a deleted message may not be referred to again. */
	ok &= is(talk(&c, "RETR 1\r\n"), "-ERR message 1 already deleted\r\n");
	ok &= is(talk(&c, "DELE 1\r\n"), "-ERR message 1 already deleted\r\n");
	ok &= is(talk(&c, "TOP 1 0\r\n"), "-ERR message 1 already deleted\r\n");
	ok &= is(talk(&c, "LIST 1\r\n"), "-ERR message 1 already deleted\r\n");
	ok &= is(talk(&c, "UIDL 1\r\n"), "-ERR message 1 already deleted\r\n");
	/* Numbers do not shift: message 2 is still message 2. */
	ok &= is(talk(&c, "UIDL 2\r\n"), "+OK 2 uid-2\r\n");
	ok &= has(talk(&c, "LIST\r\n"), "+OK 2 messages");
	ok &= lacks(c.out, "\r\n1 ");
	ok &= has(talk(&c, "QUIT\r\n"), "+OK mail.example.net POP3 server signing off (2 messages left)");
	ok &= has(h->log, "commit 1\n");
	*left_r = 2;
	cli_close(&c);
	return ok;
}

static int atk_apop_replay(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	char ts[128], d[33], cmd[160];
	snprintf(ts, sizeof ts, "%s", pop3_server_timestamp(c.s));
	int ok = has(c.greeting, ts);
	apop_digest(ts, PASS, d);
	snprintf(cmd, sizeof cmd, "APOP " USER " %s\r\n", d);
	ok &= has(talk(&c, cmd), "+OK " USER "'s maildrop has 3 messages");
	talk(&c, "QUIT\r\n");
	cli_close(&c);
	/* An eavesdropper replays the digest to a new session: its greeting
	 * has a new timestamp (RFC 1939 section 7), so the digest is wrong. */
	cli_open(&c, h);
	ok &= strcmp(pop3_server_timestamp(c.s), ts) != 0;
	ok &= is(talk(&c, cmd), "-ERR [AUTH] invalid user name or password\r\n");
	ok &= state_is(&c, POP3_SERVER_AUTHORIZATION);
	/* The digest for this session's timestamp works. */
	apop_digest(pop3_server_timestamp(c.s), PASS, d);
	snprintf(cmd, sizeof cmd, "APOP " USER " %s\r\n", d);
	ok &= has(talk(&c, cmd), "+OK " USER "'s maildrop has 3 messages");
	cli_close(&c);
	return ok;
}

static int atk_apop_bad_digest(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mail.example.net");
	cfg.apop = 1;
	cfg.pid = 77;
	cfg.clock = next_clock++;
	cfg.max_failed_logins = 10;
	cli_open_cfg(&c, h, &cfg);
	char d[33];
	apop_digest(pop3_server_timestamp(c.s), PASS, d);
	const char *tries[] = {
	    "0123456789abcdef0123456789abcdef",  /* well-formed, wrong */
	    "0123456789abcdef0123456789abcde",   /* 31 digits */
	    "0123456789abcdef0123456789abcdef0", /* 33 digits */
	    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",  /* not hex */
	    "",
	};
	int ok = 1;
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		char cmd[160];
		snprintf(cmd, sizeof cmd, "APOP " USER " %s\r\n", tries[i]);
		const char *want = tries[i][0] ? "-ERR [AUTH] invalid user name or password\r\n"
					       : "-ERR syntax: APOP name digest\r\n";
		ok &= is(talk(&c, cmd), want);
	}
	/* The right digest with a prefix of it appended, or for another user. */
	char cmd[160];
	snprintf(cmd, sizeof cmd, "APOP " USER " %s0\r\n", d);
	ok &= is(talk(&c, cmd), "-ERR [AUTH] invalid user name or password\r\n");
	snprintf(cmd, sizeof cmd, "APOP nobody %s\r\n", d);
	ok &= is(talk(&c, cmd), "-ERR [AUTH] invalid user name or password\r\n");
	ok &= state_is(&c, POP3_SERVER_AUTHORIZATION);
	ok &= lacks(h->log, "lock");
	snprintf(cmd, sizeof cmd, "APOP " USER " %s\r\n", d);
	ok &= has(talk(&c, cmd), "+OK");
	cli_close(&c);
	return ok;
}

static int atk_password_guessing(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	const char *guesses[] = {"password", "123456", "mrose"};
	int ok = 1;
	for (int i = 0; i < 3; i++) {
		char cmd[64];
		talk(&c, "USER " USER "\r\n");
		snprintf(cmd, sizeof cmd, "PASS %s\r\n", guesses[i]);
		ok &= is(talk(&c, cmd), i < 2 ? "-ERR [AUTH] invalid user name or password\r\n"
					     : "-ERR [AUTH] invalid user name or password; too many failures, "
					       "signing off\r\n");
	}
	ok &= pop3_server_should_close(c.s) && state_is(&c, POP3_SERVER_CLOSED);
	/* The fourth guess, the right one, is not even read. */
	ok &= is(talk(&c, "USER " USER "\r\nPASS " PASS "\r\n"), "");
	ok &= lacks(h->log, "lock");
	cli_close(&c);
	return ok;
}

static int atk_pipelining_flood(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* 5,000 commands in one segment: each answered, in order. */
	size_t n = 5000;
	char *b = malloc(n * 6 + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(b + i * 6, i % 2 ? "NOOP\r\n" : "STAT\r\n", 6);
	pop3_server_feed(c.s, b, n * 6);
	c.len = 0;
	cli_drain(&c);
	/* Flow control: the engine stops reading while output waits; keep
	 * reading until it has answered all. */
	for (int guard = 0; guard < 100000 && count_of(c.out, "\r\n") < (int)n; guard++)
		cli_drain(&c);
	ok &= count_of(c.out, "+OK 3 ") == (int)n / 2 && count_of(c.out, "+OK\r\n") == (int)n / 2;
	ok &= count_of(c.out, "\r\n") == (int)n;
	free(b);
	/* 200,000 commands without reading: past 64 KiB of pipelined input
	 * the session is closed; nothing is deleted. */
	n = 200000;
	b = malloc(n * 8);
	for (size_t i = 0; i < n; i++)
		memcpy(b + i * 8, "DELE 1\r\n", 8);
	size_t off = 0;
	while (off < n * 8 && !pop3_server_should_close(c.s)) {
		pop3_server_feed(c.s, b + off, 1400);
		off += 1400;
	}
	ok &= pop3_server_should_close(c.s);
	c.len = 0;
	cli_drain(&c);
	ok &= has(c.out, "-ERR too many pipelined commands, closing\r\n");
	ok &= lacks(h->log, "commit");
	free(b);
	cli_close(&c);
	return ok;
}

static int atk_pipelined_delete_then_drop(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	/* A whole session in one segment but the QUIT: the connection drops,
	 * so nothing may be removed (section 6). */
	const char *r = talk(&c, "USER " USER "\r\nPASS " PASS "\r\nDELE 1\r\nDELE 2\r\nDELE 3\r\nSTAT\r\n");
	int ok = has(r, "+OK message 3 deleted\r\n+OK 0 0\r\n");
	cli_close(&c);
	ok &= lacks(h->log, "commit") && has(h->log, "unlock " USER);
	return ok;
}

static int atk_second_session_locked(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli a, b;
	cli_open(&a, h);
	cli_open(&b, h);
	int ok = login(&a);
	ok &= is(talk(&b, "USER " USER "\r\n"), "+OK send PASS\r\n");
	ok &= is(talk(&b, "PASS " PASS "\r\n"), "-ERR [IN-USE] maildrop already locked by another session\r\n");
	ok &= state_is(&b, POP3_SERVER_AUTHORIZATION);
	char d[33], cmd[128];
	apop_digest(pop3_server_timestamp(b.s), PASS, d);
	snprintf(cmd, sizeof cmd, "APOP " USER " %s\r\n", d);
	ok &= is(talk(&b, cmd), "-ERR [IN-USE] maildrop already locked by another session\r\n");
	/* The lock holder goes on undisturbed. */
	ok &= is(talk(&a, "DELE 3\r\n"), "+OK message 3 deleted\r\n");
	ok &= has(talk(&a, "RSET\r\n"), "+OK maildrop has 3 messages");
	cli_close(&b); /* a session that never locked must not unlock */
	ok &= h->users[0].locked_by == &a.ps;
	ok &= has(talk(&a, "QUIT\r\n"), "(3 messages left)");
	cli_close(&a);
	return ok;
}

static int atk_top_huge_count(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* More lines than the body has: the whole message (section 7). The
	 * largest counts must neither wrap around nor be refused. */
	char whole[512];
	snprintf(whole, sizeof whole, "+OK top of message follows\r\n%s.\r\n", bodies[1]);
	const char *counts[] = {"5", "4294967296", "18446744073709551615", "18446744073709551619",
				"99999999999999999999999999999999"};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "TOP 2 %s\r\n", counts[i]);
		ok &= is(talk(&c, cmd), whole);
	}
	ok &= is(talk(&c, "TOP 2 1\r\n"),
		 "+OK top of message follows\r\nSubject: two\r\nX-Note: second\r\n\r\nbody 1\r\n.\r\n");
	ok &= is(talk(&c, "TOP 2 -1\r\n"), "-ERR syntax: TOP msg n\r\n");
	ok &= is(talk(&c, "TOP 2\r\n"), "-ERR syntax: TOP msg n\r\n");
	ok &= is(talk(&c, "TOP 2 1 1\r\n"), "-ERR syntax: TOP msg n\r\n");
	cli_close(&c);
	return ok;
}

static int atk_uidl_out_of_range(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	const char *nums[] = {"0", "4", "10000001", "18446744073709551616"};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "UIDL %s\r\n", nums[i]);
		ok &= is(talk(&c, cmd), "-ERR no such message, only 3 messages in maildrop\r\n");
	}
	ok &= is(talk(&c, "UIDL 3\r\n"), "+OK 3 uid-3\r\n");
	ok &= is(talk(&c, "UIDL\r\n"), "+OK unique-id listing follows\r\n1 uid-1\r\n2 uid-2\r\n3 uid-3\r\n.\r\n");
	cli_close(&c);
	return ok;
}

static int atk_invalid_utf8_user(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	/* A name is printable ASCII here; overlong encodings, lone
	 * continuation bytes and 0xFF are refused before any lookup. */
	const char *names[] = {"\xc0\xafroot", "mr\xffose", "\x80\x80", "m\xc3\xa9lanie"};
	int ok = 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "USER %s\r\n", names[i]);
		ok &= is(talk(&c, cmd), "-ERR syntax: USER name\r\n");
		ok &= is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	}
	ok &= lacks(h->log, "lock");
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_crlf_injection_user(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	/* The argument tries to smuggle a second line (a CR alone, then a
	 * fake response) or control octets into what the server stores. */
	int ok = is(talk(&c, "USER " USER "\r+OK fake\r\n"), "-ERR NUL or bare CR in command\r\n");
	ok &= is(talk(&c, "USER " USER "\x1b[2J\r\n"), "-ERR syntax: USER name\r\n");
	ok &= is(talk(&c, "USER " USER "\t" PASS "\r\n"), "-ERR syntax: USER name\r\n");
	ok &= is(talk(&c, "USER " USER " " USER "\r\n"), "-ERR syntax: USER name\r\n");
	/* 41 octets is past RFC 1939's 40. */
	ok &= is(talk(&c, "USER aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"), "-ERR syntax: USER name\r\n");
	ok &= is(talk(&c, "PASS " PASS "\r\n"), "-ERR send USER first\r\n");
	ok &= login(&c);
	cli_close(&c);
	return ok;
}

static int atk_vanish_mid_retr(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	ok &= has(talk(&c, "DELE 2\r\nDELE 3\r\n"), "+OK message 3 deleted");
	/* RETR 1, read a few octets of it, and the connection is gone. */
	pop3_server_feed(c.s, "RETR 1\r\n", 8);
	size_t n;
	pop3_server_output(c.s, &n);
	ok &= n > 10;
	pop3_server_consume(c.s, 10);
	cli_close(&c);
	ok &= lacks(h->log, "commit") && has(h->log, "unlock " USER);
	ok &= h->users[0].n == 3 && h->users[0].locked_by == NULL;
	return ok;
}

static int atk_quit_in_authorization(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	talk(&c, "USER " USER "\r\n");
	/* Section 4: QUIT here ends the session without UPDATE. */
	int ok = is(talk(&c, "QUIT\r\nPASS " PASS "\r\n"), "+OK mail.example.net POP3 server signing off\r\n");
	ok &= pop3_server_should_close(c.s);
	ok &= lacks(h->log, "lock") && lacks(h->log, "commit");
	ok &= is(talk(&c, "STAT\r\n"), "");
	cli_close(&c);
	return ok;
}

static int atk_unknown_commands(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	const char *cmds[] = {"XTND XMIT", "AUTH PLAIN", "STLS", "GET / HTTP/1.1", "RETRIEVE 1", "DELETE 1",
			      "LAST", "RPOP mrose", "\x01\x02\x03"};
	int ok = 1;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "%s\r\n", cmds[i]);
		ok &= is(talk(&c, cmd), "-ERR unknown command\r\n");
	}
	ok &= !pop3_server_should_close(c.s);
	ok &= login(&c);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char cmd[80];
		snprintf(cmd, sizeof cmd, "%s\r\n", cmds[i]);
		ok &= is(talk(&c, cmd), "-ERR unknown command\r\n");
	}
	ok &= has(talk(&c, "QUIT\r\n"), "(3 messages left)");
	cli_close(&c);
	return ok;
}

static int atk_lowercase_commands(struct ph_host *h, int *left_r)
{
	struct cli c;
	cli_open(&c, h);
	/* Keywords are case-insensitive (section 3). */
	int ok = is(talk(&c, "user " USER "\r\n"), "+OK send PASS\r\n");
	ok &= has(talk(&c, "pAsS " PASS "\r\n"), "+OK " USER "'s maildrop has 3 messages");
	ok &= has(talk(&c, "stat\r\n"), "+OK 3 ");
	ok &= has(talk(&c, "retr 3\r\n"), "+OK ");
	ok &= has(c.out, "third\r\n.\r\n");
	ok &= is(talk(&c, "dele 3\r\n"), "+OK message 3 deleted\r\n");
	ok &= has(talk(&c, "Quit\r\n"), "(2 messages left)");
	*left_r = 2;
	cli_close(&c);
	return ok;
}

static int atk_trailing_spaces(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* One space after a keyword with no argument is harmless; beyond that,
	 * arguments are separated by single spaces (section 3) and anything
	 * else is a syntax error, never a guess. */
	ok &= has(talk(&c, "STAT \r\n"), "+OK 3 ");
	ok &= is(talk(&c, "STAT  \r\n"), "-ERR syntax: STAT takes no argument\r\n");
	ok &= is(talk(&c, "DELE 1 \r\n"), "-ERR syntax: DELE msg\r\n");
	ok &= is(talk(&c, "DELE  1\r\n"), "-ERR syntax: DELE msg\r\n");
	ok &= is(talk(&c, "RETR 1 \r\n"), "-ERR syntax: RETR msg\r\n");
	ok &= is(talk(&c, "LIST 1 \r\n"), "-ERR syntax: LIST [msg]\r\n");
	ok &= has(talk(&c, "QUIT \r\n"), "(3 messages left)");
	ok &= lacks(h->log, "commit");
	cli_close(&c);
	return ok;
}

static int atk_commands_after_quit(struct ph_host *h, int *left_r)
{
	struct cli c;
	cli_open(&c, h);
	int ok = login(&c);
	/* Bytes pipelined behind QUIT are never read: the RSET cannot undo
	 * the deletion, the DELE cannot add one. */
	const char *r = talk(&c, "DELE 2\r\nQUIT\r\nRSET\r\nDELE 1\r\n");
	ok &= is(r, "+OK message 2 deleted\r\n+OK mail.example.net POP3 server signing off (2 messages left)\r\n");
	ok &= has(h->log, "commit 2\n") && count_of(h->log, "commit") == 1;
	*left_r = 2;
	cli_close(&c);
	return ok;
}

static int atk_retr_flood_never_reading(struct ph_host *h, int *left_r)
{
	(void)left_r;
	struct cli c;
	cli_open(&c, h);
	talk(&c, "USER bulk\r\n");
	int ok = has(talk(&c, "PASS secret\r\n"), "+OK bulk's maildrop has 1 messages (300000 octets)");
	/* 100 RETRs of a 300 KB message, never reading: the engine stops
	 * reading commands while 256 KiB wait, so at most one message is
	 * queued beyond that, not 30 MB. */
	for (int i = 0; i < 100; i++)
		pop3_server_feed(c.s, "RETR 1\r\n", 8);
	size_t n;
	pop3_server_output(c.s, &n);
	ok &= n > 300000 && n < 256 * 1024 + 2 * 300000;
	ok &= !pop3_server_should_close(c.s);
	/* Reading resumes the work: every RETR is answered in the end. */
	c.len = 0;
	int answers = 0;
	for (int guard = 0; guard < 1000 && answers < 100; guard++) {
		pop3_server_output(c.s, &n);
		if (n == 0)
			break;
		const uint8_t *p = pop3_server_output(c.s, &n);
		for (const uint8_t *q = p, *end = p + n; (q = memchr(q, '+', (size_t)(end - q))) != NULL; q++)
			answers += end - q >= 17 && memcmp(q, "+OK 300000 octets", 17) == 0;
		pop3_server_consume(c.s, n);
	}
	ok &= answers == 100;
	cli_close(&c);
	return ok;
}

struct attack {
	const char *name;
	const char *ref;
	attack_fn *fn;
};

static const struct attack attacks[] = {
    {"overlong-command-line", "RFC 2449 4: command lines are at most 255 octets", atk_overlong_line},
    {"endless-line-no-crlf", "RFC 2449 4; memory stays bounded", atk_endless_line},
    {"nul-in-command", "RFC 1939 3: commands are printable ASCII", atk_nul_in_command},
    {"bare-cr-glued-commands", "RFC 1939 3: commands end with CRLF", atk_bare_cr},
    {"bare-lf-line-ends", "RFC 1939 3; liberal in what is accepted (docs/pop3.md)", atk_bare_lf},
    {"empty-and-leading-space-lines", "RFC 1939 3: a line starts with a keyword", atk_empty_line},
    {"retr-before-login", "RFC 1939 4: TRANSACTION commands need a locked maildrop", atk_retr_before_login},
    {"pass-without-user", "RFC 1939 7: PASS only right after a successful USER", atk_pass_without_user},
    {"auth-commands-after-login", "RFC 1939 3: USER/PASS/APOP only in AUTHORIZATION",
     atk_auth_commands_after_login},
    {"message-number-2^64", "RFC 1939 5: no such message", atk_message_number_2_64},
    {"message-number-signs-and-zero", "RFC 1939 3/5: msg is a decimal number from 1", atk_message_number_signs},
    {"retr-dele-of-deleted", "RFC 1939 5: a deleted message may not be referred to", atk_retr_dele_deleted},
    {"apop-replay", "RFC 1939 7: the digest binds the greeting's unique timestamp", atk_apop_replay},
    {"apop-wrong-short-nonhex-digest", "RFC 1939 7: digest is 32 hex digits", atk_apop_bad_digest},
    {"password-guessing", "RFC 1939 13, RFC 2449 8.1.2: [AUTH], then sign off after 3", atk_password_guessing},
    {"pipelining-flood", "RFC 2449 6.6: answered in order; past 64 KiB, closed", atk_pipelining_flood},
    {"pipelined-deletes-then-drop", "RFC 1939 6: no UPDATE without QUIT", atk_pipelined_delete_then_drop},
    {"second-session-while-locked", "RFC 1939 8, RFC 2449 8.1.1: [IN-USE]", atk_second_session_locked},
    {"top-huge-line-count", "RFC 1939 7: more lines than the body: the whole message", atk_top_huge_count},
    {"uidl-out-of-range", "RFC 1939 7: no such message", atk_uidl_out_of_range},
    {"invalid-utf8-user", "RFC 1939 3: arguments are printable ASCII", atk_invalid_utf8_user},
    {"crlf-injection-in-user", "RFC 1939 3: one command per CRLF line, args <= 40 octets", atk_crlf_injection_user},
    {"client-vanishes-mid-retr", "RFC 1939 6: nothing removed without QUIT", atk_vanish_mid_retr},
    {"quit-in-authorization", "RFC 1939 4: QUIT before login, no UPDATE", atk_quit_in_authorization},
    {"unknown-commands", "RFC 1939 3: -ERR and the session goes on", atk_unknown_commands},
    {"lowercase-commands", "RFC 1939 3: keywords are case-insensitive", atk_lowercase_commands},
    {"trailing-spaces", "RFC 1939 3: single spaces between arguments", atk_trailing_spaces},
    {"retr-flood-never-reading", "RFC 2449 6.6 pipelining; output bounded by flow control",
     atk_retr_flood_never_reading},
    {"commands-after-quit", "RFC 1939 6: the session ends at QUIT", atk_commands_after_quit},
};

static void fill(struct ph_host *h)
{
	memset(h, 0, sizeof *h);
	struct ph_user *u = ph_add_user(h, USER, PASS);
	for (int i = 0; i < 3; i++) {
		char uid[16];
		snprintf(uid, sizeof uid, "uid-%d", i + 1);
		ph_add_msg(u, bodies[i], strlen(bodies[i]), uid);
	}
	ph_add_sized(ph_add_user(h, "bulk", "secret"), 300000, "big");
}

/* A well-behaved client on the same host after the attack. */
static int well_behaved(struct ph_host *h, int left)
{
	struct cli c;
	cli_open(&c, h);
	char want[128];
	snprintf(want, sizeof want, "+OK " USER "'s maildrop has %d messages", left);
	talk(&c, "USER " USER "\r\n");
	int ok = has(talk(&c, "PASS " PASS "\r\n"), want);
	/* The last message is the third in every attack that leaves 3 and the
	 * first or the third otherwise: compare with what the host holds. */
	struct ph_user *u = ph_user(h, USER);
	ok &= u && u->n == (size_t)left;
	if (ok && left > 0) {
		char cmd[32], whole[1100];
		snprintf(cmd, sizeof cmd, "RETR %d\r\n", left);
		const char *data = u->msgs[left - 1].data;
		char stuffed[512];
		size_t o = 0;
		for (const char *p = data; *p && o < sizeof stuffed - 2; p++) {
			if (*p == '.' && (p == data || p[-1] == '\n'))
				stuffed[o++] = '.';
			stuffed[o++] = *p;
		}
		stuffed[o] = 0;
		snprintf(whole, sizeof whole, "+OK %zu octets\r\n%s.\r\n", strlen(data), stuffed);
		ok &= is(talk(&c, cmd), whole);
	}
	ok &= has(talk(&c, "QUIT\r\n"), "+OK");
	ok &= u && u->locked_by == NULL;
	if (!ok)
		fprintf(stderr, "  the well-behaved session after the attack failed\n");
	cli_close(&c);
	return ok;
}

static const char *only; /* a row's name from the command line */

static void test_catalogue(void)
{
	size_t n = sizeof attacks / sizeof attacks[0];
	CHECK(n >= 20);
	struct ph_host *h = calloc(1, sizeof *h);
	REQUIRE(h != NULL);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, attacks[i].name) != 0)
			continue;
		fill(h);
		int left = 3;
		int ok = attacks[i].fn(h, &left);
		ok = ok && well_behaved(h, left);
		if (!ok)
			fprintf(stderr, "attack %s (%s) not handled\n", attacks[i].name, attacks[i].ref);
		else
			printf("handled: %-34s %s\n", attacks[i].name, attacks[i].ref);
		CHECK(ok);
		ph_free(h);
	}
	free(h);
}

int main(int argc, char **argv)
{
	only = argc > 1 ? argv[1] : NULL;
	RUN(test_catalogue);
	return harness_done();
}

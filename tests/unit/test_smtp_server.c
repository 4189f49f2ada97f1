/* The SMTP server engine: every transcript in tests/transcripts/smtp/ (the
 * class note's sessions, RFC 5321 Appendix D, error paths, pipelining,
 * STARTTLS, smuggling) replayed a line at a time and one byte at a time,
 * plus the limits and host interactions a transcript cannot express
 * compactly (long lines, 100 recipients, size, timeouts, state reports,
 * output back-pressure) and the RFC 5321 path parser. */
#include <dirent.h>
#include <stdlib.h>

#include "harness.h"
#include "protocols/smtp_path.h"
#include "smtp_transcript.h"

#define TRANSCRIPT_DIR MAILSIM_SOURCE_DIR "/tests/transcripts/smtp"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_transcripts(void)
{
	DIR *d = opendir(TRANSCRIPT_DIR);
	REQUIRE(d != NULL);
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".txt") == 0) {
			names[n] = malloc(l + 1);
			memcpy(names[n++], e->d_name, l + 1);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	CHECK(n >= 10);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", TRANSCRIPT_DIR, names[i]);
		for (int bytewise = 0; bytewise <= 1; bytewise++) {
			struct tr_result res;
			if (!tr_run(path, bytewise, &res)) {
				fprintf(stderr, "transcript %s (%s):\n%s\n", names[i],
					bytewise ? "one byte at a time" : "a line at a time", res.why);
				CHECK(!"transcript failed");
			}
		}
		free(names[i]);
	}
}

/* The runner must be able to fail: a wrong reply, a missing host log line
 * and a reply out of place are each caught. */
static void test_transcript_runner_fails(void)
{
	static const char *const bad[] = {
		"S: 220 localhost ESMTP\nC: HELO a.example\nS: 250 not-localhost\n",
		"S: 220 localhost ESMTP\nC: HELO a.example\nS: 250 localhost\nH: helo b.example\n",
		"S: 220 localhost ESMTP\nS: 250 localhost\nC: HELO a.example\n",
		"S: 220 localhost ESMTP\nC: QUIT\nS: 221 localhost Service closing transmission channel\nE: open\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[] = "/tmp/mailsim-smtp-tr-XXXXXX";
		int fd = mkstemp(path);
		REQUIRE(fd >= 0);
		FILE *f = fdopen(fd, "w");
		fputs(bad[i], f);
		fclose(f);
		struct tr_result res;
		CHECK(tr_run(path, 0, &res) == 0);
		CHECK(tr_run(path, 1, &res) == 0);
		remove(path);
	}
}

/* ---- a scripted host for the direct tests ---------------------------- */

struct host_log {
	int messages;
	size_t last_len;
	char states[512];
	int rcpt_multi; /* answer RCPT with a two-line 550 */
};

static void log_state(void *ctx, enum smtp_server_state from, enum smtp_server_state to)
{
	struct host_log *h = ctx;
	size_t o = strlen(h->states);
	snprintf(h->states + o, sizeof h->states - o, "%s%s->%s", o ? " " : "", smtp_server_state_name(from),
		 smtp_server_state_name(to));
}

static void count_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			  struct smtp_reply *reply)
{
	struct host_log *h = ctx;
	(void)env;
	(void)data;
	(void)reply;
	h->messages++;
	h->last_len = len;
}

static void multi_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply)
{
	struct host_log *h = ctx;
	(void)env;
	if (h->rcpt_multi && strcmp(rcpt, "x@example.org") == 0) {
		reply->code = 550;
		reply->text = "No such user %d\r\nTry postmaster";
	}
	if (h->rcpt_multi && strcmp(rcpt, "y@example.org") == 0) {
		reply->code = 550;
		reply->enhanced = "5.1.1\r\n250 2.0.0 injected"; /* refused: the default is used */
	}
	if (h->rcpt_multi && strcmp(rcpt, "z@example.org") == 0) {
		reply->code = 450;
		reply->enhanced = "5.1.1"; /* wrong class: refused too */
	}
}

static struct smtp_server *new_server(struct host_log *h, uint64_t max_size)
{
	struct smtp_server_config cfg;
	smtp_server_config_init(&cfg, "mx.example.org");
	if (max_size)
		cfg.max_message_size = max_size;
	struct smtp_server_host host = {
		.ctx = h, .message = count_message, .state_changed = log_state, .rcpt = multi_rcpt};
	return smtp_server_new(&cfg, &host, "192.0.2.9", NULL);
}

/* Feeds s and returns everything it answered (static buffer). */
static const char *talk(struct smtp_server *s, const char *bytes, size_t n)
{
	static char out[1 << 16];
	size_t o = 0;
	size_t off = 0;
	do {
		off += smtp_server_feed(s, bytes + off, n - off);
		size_t len;
		const uint8_t *p = smtp_server_output(s, &len);
		if (o + len < sizeof out) {
			memcpy(out + o, p, len);
			o += len;
		}
		smtp_server_consume(s, len);
	} while (off < n);
	out[o] = 0;
	return out;
}

static const char *says(struct smtp_server *s, const char *text) { return talk(s, text, strlen(text)); }

static void hello(struct smtp_server *s)
{
	says(s, "");
	says(s, "EHLO client.example.net\r\n");
}

static void test_command_line_limits(void)
{
	struct host_log h = {0};
	struct smtp_server *s = new_server(&h, 0);
	REQUIRE(s);
	hello(s);
	char line[700];
	/* 510 octets + CRLF = 512: the longest legal command line */
	memset(line, 'A', sizeof line);
	memcpy(line, "NOOP ", 5);
	memcpy(line + 510, "\r\n", 3);
	CHECK_STR(says(s, line), "250 2.0.0 OK\r\n");
	memset(line, 'A', sizeof line);
	memcpy(line, "NOOP ", 5);
	memcpy(line + 511, "\r\n", 3);
	CHECK_STR(says(s, line), "500 5.5.2 Line too long\r\n");
	/* 5000 octets with no line end: one 500, then the session goes on */
	char big[5000];
	memset(big, 'B', sizeof big);
	const char *r = talk(s, big, sizeof big);
	r = says(s, "\r\nNOOP\r\n");
	CHECK(strstr(r, "250 2.0.0 OK\r\n") != NULL);
	CHECK_STR(talk(s, "NO\0OP\r\n", 7), "500 5.5.2 Syntax error: NUL, bare CR or bare LF in command\r\n");
	CHECK_STR(says(s, "NO\rOP\r\n"), "500 5.5.2 Syntax error: NUL, bare CR or bare LF in command\r\n");
	CHECK_STR(says(s, "NOOP\n"), "500 5.5.2 Syntax error: NUL, bare CR or bare LF in command\r\n");
	CHECK_STR(says(s, "NOOP\r\n"), "250 2.0.0 OK\r\n");
	smtp_server_free(&s);
	CHECK(s == NULL);
	smtp_server_free(&s); /* NULL is fine */
}

static void test_recipient_limit(void)
{
	struct host_log h = {0};
	struct smtp_server *s = new_server(&h, 0);
	REQUIRE(s);
	hello(s);
	CHECK_STR(says(s, "MAIL FROM:<a@example.net>\r\n"), "250 2.1.0 OK\r\n");
	char cmd[64];
	for (int i = 0; i < 100; i++) {
		snprintf(cmd, sizeof cmd, "RCPT TO:<u%d@example.org>\r\n", i);
		CHECK_STR(says(s, cmd), "250 2.1.5 OK\r\n");
	}
	CHECK_STR(says(s, "RCPT TO:<u100@example.org>\r\n"), "452 4.5.3 Too many recipients\r\n");
	CHECK_STR(says(s, "DATA\r\n"), "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
	CHECK_STR(says(s, "hi\r\n.\r\n"), "250 2.0.0 OK\r\n");
	CHECK_EQ_INT(h.messages, 1);
	/* the limit is per transaction */
	CHECK_STR(says(s, "MAIL FROM:<a@example.net>\r\nRCPT TO:<v@example.org>\r\n"),
		  "250 2.1.0 OK\r\n250 2.1.5 OK\r\n");
	smtp_server_free(&s);
}

static void test_data_line_and_size_limits(void)
{
	struct host_log h = {0};
	struct smtp_server *s = new_server(&h, 4000);
	REQUIRE(s);
	hello(s);
	const char *start = "MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";
	CHECK_STR(says(s, start), "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n");
	/* 998 octets + CRLF is legal; 999 is not, and the 500 comes only
	 * after the terminator, never mid-stream */
	char line[1200];
	memset(line, 'x', sizeof line);
	memcpy(line + 998, "\r\n", 3);
	CHECK_STR(says(s, line), "");
	CHECK_STR(says(s, ".\r\n"), "250 2.0.0 OK\r\n");
	CHECK_EQ_INT(h.messages, 1);
	CHECK_EQ_INT(h.last_len, 1000);
	says(s, start);
	memset(line, 'x', sizeof line);
	memcpy(line + 999, "\r\n", 3);
	CHECK_STR(says(s, line), "");
	CHECK_STR(says(s, "more\r\n"), "");
	CHECK_STR(says(s, ".\r\n"), "500 5.5.2 Line too long\r\n");
	CHECK_EQ_INT(h.messages, 1);
	/* over the size limit: the data is read to its end, then 552 */
	says(s, start);
	for (int i = 0; i < 10; i++) {
		memset(line, 'y', 500);
		memcpy(line + 500, "\r\n", 3);
		CHECK_STR(says(s, line), "");
	}
	CHECK_STR(says(s, ".\r\n"), "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
	CHECK_EQ_INT(h.messages, 1);
	/* and SIZE= over the limit is refused up front */
	CHECK_STR(says(s, "MAIL FROM:<a@example.net> SIZE=4001\r\n"),
		  "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
	CHECK_STR(says(s, "MAIL FROM:<a@example.net> SIZE=4000\r\n"), "250 2.1.0 OK\r\n");
	smtp_server_free(&s);
}

static void test_states_timeout_and_close(void)
{
	struct host_log h = {0};
	struct smtp_server *s = new_server(&h, 0);
	REQUIRE(s);
	CHECK_EQ_INT(smtp_server_state(s), SMTP_SERVER_INIT);
	hello(s);
	says(s, "MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\nRSET\r\n");
	CHECK_STR(h.states, "INIT->READY READY->MAIL MAIL->RCPT RCPT->DATA DATA->READY");
	CHECK(!smtp_server_should_close(s));
	smtp_server_timeout(s);
	CHECK_STR(says(s, ""), "421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
	CHECK(smtp_server_should_close(s));
	CHECK_EQ_INT(smtp_server_state(s), SMTP_SERVER_CLOSED);
	CHECK_STR(says(s, "NOOP\r\n"), "");
	CHECK_EQ_INT(smtp_server_feed(s, "NOOP\r\n", 6), 6);
	smtp_server_free(&s);

	struct host_log h2 = {0};
	s = new_server(&h2, 0);
	REQUIRE(s);
	smtp_server_shutdown(s, NULL);
	CHECK_STR(says(s, ""), "220 mx.example.org ESMTP\r\n421 mx.example.org Service not available, closing "
			       "transmission channel\r\n");
	CHECK(smtp_server_should_close(s));
	smtp_server_free(&s);
}

static void test_reply_texts_are_safe(void)
{
	struct host_log h = {.rcpt_multi = 1};
	struct smtp_server_config cfg;
	smtp_server_config_init(&cfg, "mx.example.org");
	cfg.helo_text = "%h hi %c 100%% sure %z";
	struct smtp_server_host host = {.ctx = &h, .rcpt = multi_rcpt};
	struct smtp_server *s = smtp_server_new(&cfg, &host, "192.0.2.9", NULL);
	REQUIRE(s);
	says(s, "");
	/* a client's name is never expanded again */
	CHECK_STR(says(s, "HELO %h%r%%\r\n"), "250 mx.example.org hi %h%r%% 100% sure %z\r\n");
	says(s, "EHLO c.example\r\nMAIL FROM:<a@example.net>\r\n");
	/* a host text with LF is a multi-line reply; CR becomes a space */
	CHECK_STR(says(s, "RCPT TO:<x@example.org>\r\n"),
		  "550-5.1.1 No such user x@example.org \r\n550 5.1.1 Try postmaster\r\n");
	CHECK_STR(says(s, "RCPT TO:<y@example.org>\r\n"), "550 5.1.1 Requested action not taken: mailbox unavailable\r\n");
	CHECK_STR(says(s, "RCPT TO:<z@example.org>\r\n"), "450 4.2.0 Requested mail action not taken: mailbox unavailable\r\n");
	smtp_server_free(&s);
	struct smtp_server *t = smtp_server_new(&cfg, &host, NULL, NULL);
	smtp_server_free(&t);
	cfg.hostname = NULL;
	CHECK(smtp_server_new(&cfg, &host, NULL, NULL) == NULL);
}

/* A client pipelining thousands of commands without reading: every one is
 * answered in order while the unread replies stay under 1 MiB; a client
 * that keeps going past that is cut off with 421, so memory stays bounded
 * even when the host never drains the output. */
static void test_unread_replies(void)
{
	struct host_log h = {0};
	struct smtp_server *s = new_server(&h, 0);
	REQUIRE(s);
	hello(s);
	size_t count = 20000, n = count * 6;
	char *in = malloc(n);
	REQUIRE(in);
	for (size_t i = 0; i < count; i++)
		memcpy(in + i * 6, "NOOP\r\n", 6);
	CHECK_EQ_INT(smtp_server_feed(s, in, n), n);
	size_t len;
	const uint8_t *p = smtp_server_output(s, &len);
	size_t replies = 0;
	for (size_t i = 0; i < len; i++)
		replies += p[i] == '\n';
	CHECK_EQ_INT(replies, count);
	CHECK(!smtp_server_should_close(s));
	smtp_server_consume(s, len);
	free(in);

	/* HELP answers ~100 octets to 6: 20000 of them pass 1 MiB */
	in = malloc(n);
	REQUIRE(in);
	for (size_t i = 0; i < count; i++)
		memcpy(in + i * 6, "HELP\r\n", 6);
	CHECK_EQ_INT(smtp_server_feed(s, in, n), n);
	CHECK_EQ_INT(smtp_server_feed(s, in, n), n); /* dropped */
	p = smtp_server_output(s, &len);
	CHECK(len > 1024 * 1024 && len < 1024 * 1024 + 1024);
	static const char tail[] = "421 4.7.0 mx.example.org Error: too many unread replies, closing\r\n";
	CHECK(len > sizeof tail && memcmp(p + len - (sizeof tail - 1), tail, sizeof tail - 1) == 0);
	CHECK(smtp_server_should_close(s));
	free(in);
	smtp_server_free(&s);
}

struct taker {
	struct smtp_server *s;
	uint8_t *kept;
	size_t kept_len;
	char seen[128];
};

static void take_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			 struct smtp_reply *reply)
{
	struct taker *t = ctx;
	(void)reply;
	snprintf(t->seen, sizeof t->seen, "%s %s %s %zu", env->client_addr, env->client_rname, env->helo, len);
	t->kept = smtp_server_take_data(t->s, &t->kept_len);
	(void)data;
}

/* The host may keep the message buffer without copying it, and learn the
 * client's reverse name after the session started. */
static void test_take_data_and_rname(void)
{
	struct taker t = {0};
	struct smtp_server_config cfg;
	smtp_server_config_init(&cfg, "mx.example.org");
	cfg.ehlo_text = "%h Hello %r [%a]";
	struct smtp_server_host host = {.ctx = &t, .message = take_message};
	t.s = smtp_server_new(&cfg, &host, "206.50.17.90", NULL);
	REQUIRE(t.s);
	size_t len;
	CHECK(smtp_server_take_data(t.s, &len) == NULL); /* outside the callback */
	CHECK(strstr(says(t.s, "EHLO mindflip.com\r\n"), "250-mx.example.org Hello unknown [206.50.17.90]\r\n"));
	smtp_server_set_client_rname(t.s, "nakula");
	CHECK(strstr(says(t.s, "EHLO mindflip.com\r\n"), "250-mx.example.org Hello nakula [206.50.17.90]\r\n"));
	CHECK_STR(says(t.s, "MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nhi\r\n.\r\n"),
		  "250 2.1.0 OK\r\n250 2.1.5 OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK\r\n");
	CHECK_STR(t.seen, "206.50.17.90 nakula mindflip.com 4");
	REQUIRE(t.kept != NULL);
	CHECK_EQ_INT(t.kept_len, 4);
	CHECK(memcmp(t.kept, "hi\r\n", 4) == 0);
	free(t.kept);
	t.kept = NULL;
	/* the next message still works with a fresh buffer */
	says(t.s, "MAIL FROM:<a@example.net>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nagain\r\n.\r\n");
	REQUIRE(t.kept != NULL);
	CHECK_EQ_INT(t.kept_len, 7);
	free(t.kept);
	CHECK_EQ_INT(smtp_server_rfc_timeout(t.s), 300);
	smtp_server_free(&t.s);
}

/* Random commands, bytes and splits, with handshakes and timeouts thrown
 * in: the engine never crashes, never answers with anything but
 * well-formed reply lines, and keeps its output bounded. */
static void test_random_sessions(void)
{
	static const char *const pieces[] = {
		"HELO a.example\r\n", "EHLO b.example\r\n", "MAIL FROM:<x@example.net>\r\n",
		"MAIL FROM:<> SIZE=10 BODY=8BITMIME\r\n", "RCPT TO:<y@example.org>\r\n", "RCPT TO:<Postmaster>\r\n",
		"DATA\r\n", ".\r\n", "\r\n.\r\n", "RSET\r\n", "NOOP\r\n", "VRFY x\r\n", "EXPN y\r\n", "HELP\r\n",
		"ETRN example.org\r\n", "TURN\r\n", "STARTTLS\r\n", "\n", "\r", "\0", ".", "..\r\n",
		"MAIL FROM:<%h%%@x>\r\n", "RCPT TO:<\"q\\\"x\"@e.org> FOO=BAR\r\n", "\xff\xfe\r\n",
	};
	uint32_t x = 2026;
	int total_messages = 0;
	for (int session = 0; session < 300; session++) {
		struct host_log h = {0};
		struct smtp_server_config cfg;
		smtp_server_config_init(&cfg, "mx.example.org");
		cfg.max_message_size = 2000;
		cfg.max_recipients = 5;
		struct smtp_server_host host = {.ctx = &h, .message = count_message};
		struct smtp_server *s = smtp_server_new(&cfg, &host, "192.0.2.1", NULL);
		REQUIRE(s);
		char buf[4096];
		for (int step = 0; step < 200; step++) {
			x = x * 1103515245u + 12345u;
			uint32_t r = x >> 8;
			size_t n = 0;
			if (r % 293 == 0) {
				n = 6;
				memcpy(buf, "QUIT\r\n", 6);
			} else if (r % 10 == 0) {
				n = r % 1500;
				for (size_t i = 0; i < n; i++) {
					x = x * 1103515245u + 12345u;
					buf[i] = (char)(x >> 16);
				}
			} else {
				const char *p = pieces[r % (sizeof pieces / sizeof pieces[0])];
				n = strlen(p);
				if (p[0] == 0) /* the "\\0" piece: one NUL byte */
					n = 1;
				memcpy(buf, p, n);
			}
			size_t off = 0;
			while (off < n) {
				x = x * 1103515245u + 12345u;
				size_t step_len = 1 + (x >> 16) % 64;
				if (step_len > n - off)
					step_len = n - off;
				off += smtp_server_feed(s, buf + off, step_len);
				size_t len;
				const uint8_t *out = smtp_server_output(s, &len);
				/* every line: 3 digits, SP or '-', printable text, CRLF */
				for (size_t i = 0; i < len;) {
					const uint8_t *lf = memchr(out + i, '\n', len - i);
					REQUIRE(lf != NULL);
					size_t e = (size_t)(lf - out);
					CHECK(e - i >= 4 && out[e - 1] == '\r');
					CHECK(out[i] >= '2' && out[i] <= '5' && out[i + 1] >= '0' && out[i + 1] <= '9');
					CHECK(out[i + 3] == ' ' || out[i + 3] == '-');
					for (size_t k = i; k + 1 < e; k++)
						CHECK(out[k] >= 32 && out[k] != 127);
					CHECK(e - i <= 512);
					i = e + 1;
				}
				smtp_server_consume(s, len);
			}
			if (r % 37 == 0)
				smtp_server_tls_established(s);
			if (r % 211 == 0)
				smtp_server_timeout(s);
		}
		total_messages += h.messages;
		smtp_server_free(&s);
	}
	/* the mix does reach the deep states, not only error replies */
	fprintf(stderr, "random sessions: %d messages accepted\n", total_messages);
	CHECK(total_messages > 10);
}

static void test_paths(void)
{
	char out[SMTP_PATH_MAX + 1];
	static const struct {
		const char *in;
		unsigned flags;
		int rc;
		const char *mailbox;
	} cases[] = {
		{"<juan@gmail.com>", 0, 16, "juan@gmail.com"},
		{"<juan@gmail.com> SIZE=10", 0, 16, "juan@gmail.com"},
		{"<>", SMTP_PATH_ALLOW_NULL, 2, ""},
		{"<>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<Postmaster>", SMTP_PATH_ALLOW_POSTMASTER, 12, "Postmaster"},
		{"<Postmaster>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<@relay.example,@b.example:user@c.example>", 0, 42, "user@c.example"},
		{"<\"john q\"@example.org>", 0, 22, "\"john q\"@example.org"},
		{"<user@[192.0.2.1]>", 0, 18, "user@[192.0.2.1]"},
		{"<a.b-c+d@sub.example-x.org>", 0, 27, "a.b-c+d@sub.example-x.org"},
		{"juan@gmail.com", 0, SMTP_PATH_SYNTAX, NULL},
		{"<juan@gmail.com", 0, SMTP_PATH_SYNTAX, NULL},
		{"<juan>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<.juan@gmail.com>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<ju..an@gmail.com>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<juan@-gmail.com>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<juan@gmail..com>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<juan@gmail.com\r\nRCPT>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<ju an@gmail.com>", 0, SMTP_PATH_SYNTAX, NULL},
		{"<\"unterminated@gmail.com>", 0, SMTP_PATH_SYNTAX, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = smtp_path_parse(cases[i].in, strlen(cases[i].in), cases[i].flags, out, sizeof out);
		if (rc != cases[i].rc)
			fprintf(stderr, "path %s: rc %d, wanted %d\n", cases[i].in, rc, cases[i].rc);
		CHECK_EQ_INT(rc, cases[i].rc);
		if (rc > 0 && cases[i].mailbox)
			CHECK_STR(out, cases[i].mailbox);
	}
	/* 64-octet local part is the limit; a 65-octet one is refused */
	char path[400];
	snprintf(path, sizeof path, "<%064d@example.org>", 0);
	CHECK(smtp_path_parse(path, strlen(path), 0, out, sizeof out) > 0);
	snprintf(path, sizeof path, "<%065d@example.org>", 0);
	CHECK(smtp_path_parse(path, strlen(path), 0, out, sizeof out) < 0);
	/* a path over 256 octets */
	char dom[300];
	memset(dom, 'a', sizeof dom);
	for (int i = 60; i < 290; i += 61)
		dom[i] = '.';
	dom[250] = 0;
	snprintf(path, sizeof path, "<%.60s@%s>", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", dom);
	CHECK_EQ_INT(smtp_path_parse(path, strlen(path), 0, out, sizeof out), SMTP_PATH_TOO_LONG);
	CHECK(smtp_mailbox_valid("juan@gmail.com", 0));
	CHECK(!smtp_mailbox_valid("juan@gmail.com>\r\nRSET", 0));
	CHECK(!smtp_mailbox_valid("", 0));
	CHECK(smtp_mailbox_valid("", SMTP_PATH_ALLOW_NULL));
	CHECK(smtp_domain_valid("milagro.dc.uba.ar", 17));
	CHECK(smtp_domain_valid("[10.0.0.7]", 10));
	CHECK(!smtp_domain_valid("bad_name", 8));
}

int main(void)
{
	RUN(test_transcripts);
	RUN(test_transcript_runner_fails);
	RUN(test_command_line_limits);
	RUN(test_recipient_limit);
	RUN(test_data_line_and_size_limits);
	RUN(test_states_timeout_and_close);
	RUN(test_reply_texts_are_safe);
	RUN(test_unread_replies);
	RUN(test_take_data_and_rname);
	RUN(test_random_sessions);
	RUN(test_paths);
	return harness_done();
}

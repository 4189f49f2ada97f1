/* The POP3 server engine: every transcript in tests/transcripts/pop3/ (the
 * RFC 1939 section 10 example session, every command's success and error
 * paths, byte-stuffing, failed logins, the lock) fed whole and one byte at
 * a time; then what transcripts cannot show: two sessions on one maildrop,
 * a lost connection and a timeout that remove nothing, flow control when
 * the client does not read, and hostile pipelining. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pop3_transcript.h"
#include "protocols/pop3_server.h"

#define TRANSCRIPT_DIR MAILSIM_SOURCE_DIR "/tests/transcripts/pop3"

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_transcripts(void)
{
	DIR *d = opendir(TRANSCRIPT_DIR);
	REQUIRE(d != NULL);
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		if (strstr(e->d_name, ".txt"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp_names);
	CHECK(n >= 6);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", TRANSCRIPT_DIR, names[i]);
		for (int bytewise = 0; bytewise <= 1; bytewise++) {
			struct pt_result r;
			if (!pt_run(path, bytewise, &r)) {
				fprintf(stderr, "%s (%s)\n%s\n", names[i], bytewise ? "byte by byte" : "whole", r.why);
				CHECK(0);
			}
		}
		free(names[i]);
	}
}

/* The runner must catch a wrong transcript, or the test above proves
 * nothing. */
static void test_runner_can_fail(void)
{
	const char *path = "/tmp/mailsim-pop3-wrong.txt";
	FILE *f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs("@user a b\nS: +OK POP3 server ready\nC: STAT\nS: +OK 0 0\n", f);
	fclose(f);
	struct pt_result r;
	CHECK(pt_run(path, 0, &r) == 0);
	f = fopen(path, "w");
	fputs("@user a b\nS: +OK POP3 server ready\nC: USER a\nS: +OK send PASS\nC: PASS b\n"
	      "S: +OK a's maildrop has 0 messages (0 octets)\nC: QUIT\nS: +OK localhost POP3 server signing off "
	      "(maildrop empty)\nH: lock a\n",
	      f);
	fclose(f);
	CHECK(pt_run(path, 0, &r) == 0); /* the host log lacks "unlock a" */
	remove(path);
}

static void drain(struct pop3_server *s, char *out, size_t cap)
{
	size_t n;
	const uint8_t *p = pop3_server_output(s, &n);
	size_t k = n < cap - 1 ? n : cap - 1;
	memcpy(out, p, k);
	out[k] = 0;
	pop3_server_consume(s, n);
}

static void say(struct pop3_server *s, const char *line, char *out, size_t cap)
{
	pop3_server_feed(s, line, strlen(line));
	drain(s, out, cap);
}

static struct pop3_server *session(struct ph_session *ps, char *out, size_t cap)
{
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx.example");
	struct pop3_server_host h = ph_callbacks(ps);
	struct pop3_server *s = pop3_server_new(&cfg, &h);
	if (s)
		drain(s, out, cap);
	return s;
}

static void test_second_session_in_use(void)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	ph_add_sized(ph_add_user(&h, "maria", "pw"), 100, "u1");
	struct ph_session a = {&h, NULL}, b = {&h, NULL};
	char out[4096];
	struct pop3_server *s1 = session(&a, out, sizeof out);
	struct pop3_server *s2 = session(&b, out, sizeof out);
	REQUIRE(s1 && s2);
	say(s1, "USER maria\r\nPASS pw\r\n", out, sizeof out);
	CHECK(strstr(out, "+OK maria's maildrop has 1 messages") != NULL);
	CHECK_EQ_INT(pop3_server_state(s1), POP3_SERVER_TRANSACTION);
	say(s2, "USER maria\r\nPASS pw\r\n", out, sizeof out);
	CHECK(strstr(out, "-ERR [IN-USE]") != NULL);
	CHECK_EQ_INT(pop3_server_state(s2), POP3_SERVER_AUTHORIZATION);
	CHECK(!pop3_server_should_close(s2));
	/* the first session ends with QUIT: the lock goes, the second gets in */
	say(s1, "DELE 1\r\nQUIT\r\n", out, sizeof out);
	CHECK(strstr(out, "(maildrop empty)") != NULL);
	CHECK(pop3_server_should_close(s1));
	say(s2, "USER maria\r\nPASS pw\r\n", out, sizeof out);
	CHECK(strstr(out, "+OK maria's maildrop has 0 messages (0 octets)") != NULL);
	pop3_server_free(&s1);
	pop3_server_free(&s2);
	CHECK(s1 == NULL && s2 == NULL);
	CHECK(h.users[0].locked_by == NULL);
	CHECK_STR(h.log, "lock maria\ncommit 1\nunlock maria\nlock maria\nunlock maria\n");
	ph_free(&h);
}

static void test_lost_connection_removes_nothing(void)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	struct ph_user *u = ph_add_user(&h, "maria", "pw");
	ph_add_sized(u, 100, "u1");
	ph_add_sized(u, 100, "u2");
	struct ph_session a = {&h, NULL};
	char out[4096];
	struct pop3_server *s = session(&a, out, sizeof out);
	REQUIRE(s != NULL);
	say(s, "USER maria\r\nPASS pw\r\nDELE 1\r\nDELE 2\r\n", out, sizeof out);
	CHECK(strstr(out, "+OK message 2 deleted") != NULL);
	pop3_server_free(&s); /* the connection is gone: no QUIT */
	CHECK_EQ_INT(u->n, 2);
	CHECK(u->locked_by == NULL);
	CHECK_STR(h.log, "lock maria\nunlock maria\n");
	/* the inactivity timer: no response, no UPDATE, lock released */
	h.log[0] = 0;
	s = session(&a, out, sizeof out);
	say(s, "USER maria\r\nPASS pw\r\nDELE 1\r\n", out, sizeof out);
	CHECK_EQ_INT(pop3_server_rfc_timeout(s), 600);
	pop3_server_timeout(s);
	drain(s, out, sizeof out);
	CHECK_STR(out, "");
	CHECK(pop3_server_should_close(s));
	CHECK_EQ_INT(pop3_server_state(s), POP3_SERVER_CLOSED);
	CHECK(u->locked_by == NULL);
	say(s, "QUIT\r\n", out, sizeof out); /* ignored once closed */
	CHECK_STR(out, "");
	pop3_server_free(&s);
	CHECK_EQ_INT(u->n, 2);
	CHECK_STR(h.log, "lock maria\nunlock maria\n");
	/* a commit that fails: -ERR, and the session still ends */
	h.log[0] = 0;
	h.fail_commit = 1;
	s = session(&a, out, sizeof out);
	say(s, "USER maria\r\nPASS pw\r\nDELE 1\r\nQUIT\r\n", out, sizeof out);
	CHECK(strstr(out, "-ERR some deleted messages not removed\r\n") != NULL);
	CHECK(pop3_server_should_close(s));
	pop3_server_free(&s);
	CHECK_STR(h.log, "lock maria\ncommit 1\nunlock maria\n");
	ph_free(&h);
}

static void test_states_reported(void)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	ph_add_sized(ph_add_user(&h, "maria", "pw"), 50, "u1");
	struct ph_session a = {&h, NULL};
	char out[4096];
	struct pop3_server *s = session(&a, out, sizeof out);
	REQUIRE(s != NULL);
	CHECK_EQ_INT(pop3_server_state(s), POP3_SERVER_AUTHORIZATION);
	say(s, "USER maria\r\nPASS pw\r\n", out, sizeof out);
	CHECK_STR(h.states, "AUTHORIZATION->TRANSACTION\n");
	say(s, "QUIT\r\n", out, sizeof out);
	CHECK_STR(h.states, "AUTHORIZATION->TRANSACTION\nTRANSACTION->UPDATE\nUPDATE->CLOSED\n");
	CHECK_STR(pop3_server_state_name(POP3_SERVER_UPDATE), "UPDATE");
	CHECK_STR(pop3_server_state_name((enum pop3_server_state)99), "?");
	pop3_server_free(&s);
	ph_free(&h);
}

/* A client that pipelines RETRs of a large message and never reads: the
 * engine stops reading commands at 256 KiB of unsent output and resumes
 * as the host consumes. Pipelined input past 64 KiB closes the session. */
static void test_flow_control(void)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	struct ph_user *u = ph_add_user(&h, "maria", "pw");
	ph_add_sized(u, 200000, "big");
	struct ph_session a = {&h, NULL};
	char out[256];
	struct pop3_server *s = session(&a, out, sizeof out);
	REQUIRE(s != NULL);
	say(s, "USER maria\r\nPASS pw\r\n", out, sizeof out);
	char cmds[10 * 8 + 1];
	size_t o = 0;
	for (int i = 0; i < 10; i++)
		o += (size_t)snprintf(cmds + o, sizeof cmds - o, "RETR 1\r\n");
	pop3_server_feed(s, cmds, o);
	size_t n;
	pop3_server_output(s, &n);
	CHECK(n > 256 * 1024 && n < 3 * 200100); /* two answers, not ten */
	size_t total = 0;
	int rounds = 0;
	while ((pop3_server_output(s, &n), n) > 0 && rounds++ < 100) {
		total += n;
		pop3_server_consume(s, n);
	}
	CHECK(total > 10 * 200000 && total < 10 * 200500);
	CHECK(!pop3_server_should_close(s));
	/* 70 KiB of pipelined NOOPs while output is held back */
	pop3_server_feed(s, cmds, o);
	static char flood[70 * 1024];
	for (size_t i = 0; i + 6 <= sizeof flood; i += 6)
		memcpy(flood + i, "NOOP\r\n", 6);
	pop3_server_feed(s, flood, sizeof flood);
	CHECK(pop3_server_should_close(s));
	pop3_server_free(&s);
	CHECK(u->locked_by == NULL);
	CHECK_EQ_INT(u->n, 1);
	ph_free(&h);
}

static void test_capa_and_options(void)
{
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	ph_add_user(&h, "maria", "pw");
	struct ph_session a = {&h, NULL};
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx.example");
	cfg.apop = 1;
	cfg.pid = 42;
	cfg.clock = 7;
	cfg.user_pass = 0;
	cfg.implementation = "mailsim %h";
	cfg.greeting = "%h ready%%";
	struct pop3_server_host host = ph_callbacks(&a);
	struct pop3_server *s = pop3_server_new(&cfg, &host);
	REQUIRE(s != NULL);
	char out[4096];
	drain(s, out, sizeof out);
	CHECK_STR(out, "+OK mx.example ready% <42.7@mx.example>\r\n");
	CHECK_STR(pop3_server_timestamp(s), "<42.7@mx.example>");
	say(s, "CAPA\r\n", out, sizeof out);
	CHECK_STR(out, "+OK Capability list follows\r\nTOP\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\n"
		       "IMPLEMENTATION mailsim mx.example\r\n.\r\n");
	say(s, "USER maria\r\n", out, sizeof out);
	CHECK_STR(out, "-ERR USER/PASS not allowed here; use APOP\r\n");
	char cmd[128], in[128], hex[33];
	snprintf(in, sizeof in, "<42.7@mx.example>pw");
	md5_hex(in, strlen(in), hex);
	for (char *p = hex; *p; p++) /* the server accepts upper case hex too */
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(cmd, sizeof cmd, "apop maria %s\r\n", hex);
	say(s, cmd, out, sizeof out);
	CHECK_STR(out, "+OK maria's maildrop has 0 messages (0 octets)\r\n");
	CHECK_STR(pop3_server_user(s), "maria");
	say(s, "CAPA\r\n", out, sizeof out);
	CHECK(strncmp(out, "+OK Capability list follows\r\n", 29) == 0);
	say(s, "QUIT\r\n", out, sizeof out);
	CHECK_STR(out, "+OK mx.example POP3 server signing off (maildrop empty)\r\n");
	pop3_server_free(&s);
	pop3_server_free(&s); /* NULL is fine */
	CHECK(pop3_server_new(NULL, &host) == NULL);
	ph_free(&h);
}

int main(void)
{
	RUN(test_transcripts);
	RUN(test_runner_can_fail);
	RUN(test_second_session_in_use);
	RUN(test_lost_connection_removes_nothing);
	RUN(test_states_reported);
	RUN(test_flow_control);
	RUN(test_capa_and_options);
	return harness_done();
}

/* The IMAP client engine: responses whole and byte by byte (with literals),
 * synchronising literals held until "+", LITERAL+, a refused literal, and
 * garbage from the server; and the client against the server engine. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "imap_sess.h"
#include "protocols/imap_client.h"

static const char server_text[] =
	"* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n"
	"A001 OK [CAPABILITY IMAP4rev1 IDLE SASL-IR] Logged in\r\n"
	"* 3 EXISTS\r\n"
	"* OK [UIDVALIDITY 7] UIDs valid\r\n"
	"* 2 FETCH (UID 9 BODY[] {12}\r\nHola\r\nchau\r\n FLAGS (\\Seen))\r\n"
	"* SEARCH 1 3\r\n"
	"A002 NO [TRYCREATE] Mailbox doesn't exist\r\n"
	"+ idling\r\n"
	"* BYE bye\r\n";

struct seen {
	char log[4096];
};

static void drain(struct imap_client *c, struct seen *s)
{
	struct imap_client_event ev;
	while (imap_client_next(c, &ev) > 0) {
		size_t n = strlen(s->log);
		snprintf(s->log + n, sizeof s->log - n, "%d|%u|%d|%s|%s|%s|%.*s\n", (int)ev.type, ev.id, (int)ev.status,
			 ev.keyword, ev.code, ev.text, (int)ev.rest_len, ev.rest ? (const char *)ev.rest : "");
	}
}

static void test_responses_whole_and_bytewise(void)
{
	struct seen whole = {{0}}, bytes = {{0}};
	struct imap_client *c = imap_client_new(NULL);
	REQUIRE(c);
	imap_client_feed(c, server_text, sizeof server_text - 1);
	drain(c, &whole);
	imap_client_free(&c);
	c = imap_client_new(NULL);
	for (size_t i = 0; i < sizeof server_text - 1; i++) {
		imap_client_feed(c, server_text + i, 1);
		drain(c, &bytes);
	}
	CHECK_STR(whole.log, bytes.log);
	CHECK(strstr(whole.log, "0|0|1|OK|CAPABILITY IMAP4rev1 IDLE|ready|") != NULL);
	CHECK(strstr(whole.log, "3|1|1|OK|CAPABILITY IMAP4rev1 IDLE SASL-IR|Logged in|") != NULL);
	CHECK(strstr(whole.log, "1|0|0|EXISTS|||\n") != NULL);
	CHECK(strstr(whole.log, "1|0|0|FETCH|||(UID 9 BODY[] {12}\r\nHola\r\nchau\r\n FLAGS (\\Seen))\n") != NULL);
	CHECK(strstr(whole.log, "1|0|0|SEARCH|||1 3\n") != NULL);
	CHECK(strstr(whole.log, "3|2|2|NO|TRYCREATE|Mailbox doesn't exist|") != NULL);
	CHECK(strstr(whole.log, "2|0|0|||idling|idling\n") != NULL);
	CHECK(strstr(whole.log, "1|0|5|BYE||bye|") != NULL);
	imap_client_free(&c);
}

static const char *out_str(struct imap_client *c)
{
	static char buf[4096];
	size_t n;
	const uint8_t *p = imap_client_output(c, &n);
	snprintf(buf, sizeof buf, "%.*s", (int)n, (const char *)p);
	imap_client_consume(c, n);
	return buf;
}

static void test_literals_out(void)
{
	struct imap_client *c = imap_client_new(NULL);
	REQUIRE(c);
	const char cmd[] = "APPEND INBOX {5}\r\nhello";
	CHECK(imap_client_command(c, cmd, sizeof cmd - 1) == 1);
	CHECK(imap_client_command(c, "NOOP", 4) == 2);
	/* Only the first line goes before "+"; NOOP waits behind it. */
	CHECK_STR(out_str(c), "A001 APPEND INBOX {5}\r\n");
	imap_client_feed(c, "+ go ahead\r\n", 12);
	struct imap_client_event ev;
	CHECK(imap_client_next(c, &ev) == 0); /* the "+" was ours */
	CHECK_STR(out_str(c), "hello\r\nA002 NOOP\r\n");
	CHECK(imap_client_pending(c) == 2);
	/* A refused literal: the rest is dropped, later commands go on. */
	CHECK(imap_client_command(c, "APPEND INBOX {3}\r\nabc", 21) == 3);
	CHECK(imap_client_command(c, "NOOP", 4) == 4);
	CHECK_STR(out_str(c), "A003 APPEND INBOX {3}\r\n");
	imap_client_feed(c, "A003 NO [TOOBIG] no\r\n", 21);
	CHECK(imap_client_next(c, &ev) == 1 && ev.type == IMAP_CEV_TAGGED && ev.id == 3);
	CHECK_STR(out_str(c), "A004 NOOP\r\n");
	/* Malformed command texts are refused. */
	CHECK(imap_client_command(c, "LOGIN a\r\nb", 10) == 0);
	CHECK(imap_client_command(c, "APPEND x {9}\r\nab", 16) == 0);
	CHECK(imap_client_command(c, "NOOP\n", 5) == 0);
	imap_client_free(&c);

	/* LITERAL+ announced: "{n+}" and no waiting. */
	c = imap_client_new(NULL);
	imap_client_feed(c, "* OK [CAPABILITY IMAP4rev1 LITERAL+] hi\r\n", 41);
	CHECK(imap_client_next(c, &ev) == 1 && ev.type == IMAP_CEV_GREETING);
	CHECK(imap_client_has_cap(c, "literal+"));
	imap_client_command(c, cmd, sizeof cmd - 1);
	CHECK_STR(out_str(c), "A001 APPEND INBOX {5+}\r\nhello\r\n");
	imap_client_done(c);
	CHECK_STR(out_str(c), "DONE\r\n");
	imap_client_free(&c);
}

static void test_garbage(void)
{
	static const char *const bad[] = {
		"hello\r\n", "A0 OK x\r\n", "* 99999999999 EXISTS\r\n", "A001 MAYBE x\r\n",
		"* 1 FETCH (BODY[] {99999999999999999999}\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct imap_client *c = imap_client_new(NULL);
		imap_client_feed(c, "* OK hi\r\n", 9);
		struct imap_client_event ev;
		CHECK(imap_client_next(c, &ev) == 1);
		imap_client_feed(c, bad[i], strlen(bad[i]));
		CHECK(imap_client_next(c, &ev) == 1 && ev.type == IMAP_CEV_ERROR);
		CHECK(imap_client_closed(c));
		CHECK(imap_client_next(c, &ev) == 0);
		imap_client_free(&c);
	}
	/* A 100,000-byte line. */
	struct imap_client *c = imap_client_new(NULL);
	char *big = malloc(100000);
	REQUIRE(big);
	memset(big, 'x', 100000);
	imap_client_feed(c, big, 100000);
	struct imap_client_event ev;
	CHECK(imap_client_next(c, &ev) == 1 && ev.type == IMAP_CEV_ERROR);
	free(big);
	imap_client_free(&c);
}

static int contains(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return 1;
	return 0;
}

/* The client engine against the server engine, literals both ways. */
static void test_against_server(void)
{
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "secreto");
	tsess_deliver(ms_folder_find(u, "INBOX"), "Juan <juan@uba.ar>", "Serenata", 0);
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	struct imap_client *c = imap_client_new(NULL);
	/* A password with a quote and an 8-bit octet goes as a literal. */
	const char *cmds[] = {"LOGIN maria {7}\r\nsecreto", "SELECT INBOX", "FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
			      "APPEND INBOX {11}\r\nSubject: x\n", "LOGOUT"};
	size_t tagged = 0, literals = 0, ok = 0;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		CHECK(imap_client_command(c, cmds[i], strlen(cmds[i])) == i + 1);
	for (int round = 0; round < 50 && !imap_server_should_close(t.s); round++) {
		size_t n;
		const uint8_t *p = imap_client_output(c, &n);
		tsess_feed(&t, p, n);
		imap_client_consume(c, n);
		imap_client_feed(c, t.got.data ? t.got.data : "", t.got.len);
		buf_reset(&t.got);
		struct imap_client_event ev;
		while (imap_client_next(c, &ev) > 0) {
			if (ev.type == IMAP_CEV_TAGGED) {
				tagged++;
				ok += ev.status == IMAP_ST_OK;
			}
			if (ev.type == IMAP_CEV_UNTAGGED && contains(ev.rest, ev.rest_len, "Subject: Serenata"))
				literals++;
		}
	}
	CHECK(tagged == 5);
	CHECK(ok == 5);
	CHECK(literals == 1);
	CHECK(ms_folder_size(ms_folder_find(u, "INBOX")) == 2);
	imap_client_free(&c);
	tsess_close(&t);
	mailstore_free(&ms);
}

int main(void)
{
	RUN(test_responses_whole_and_bytewise);
	RUN(test_literals_out);
	RUN(test_garbage);
	RUN(test_against_server);
	CHECK(blob_live_count() == 0);
	return harness_done();
}

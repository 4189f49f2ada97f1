/* The SMTP server engine's hostile-input catalogue (issue 9 item 4): named
 * attacks and mistakes, each fed to a fresh session, each answered as RFC
 * 5321 (and practice since the 2023 smuggling reports) says, and each
 * followed by an ordinary transaction that must still be accepted intact,
 * on the same session when the attack leaves it open, else on a new one
 * (the server goes on serving others).
 *
 * A row: the attack's name and reference, what the client sends first
 * (setup), the attack bytes, a string the replies must contain, a string
 * they must not contain, how many messages the attack itself may deliver,
 * and whether the session must end. Replay a single row by name with
 *   build/tests/unit/test_smtp_hostile NAME */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/smtp_server.h"

struct victim {
	int messages;
	char last_rcpts[512];
	char last_data[4096];
	size_t last_len;
};

static void on_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
		       struct smtp_reply *reply)
{
	struct victim *v = ctx;
	(void)reply;
	v->messages++;
	v->last_len = len;
	size_t n = len < sizeof v->last_data - 1 ? len : sizeof v->last_data - 1;
	memcpy(v->last_data, data, n);
	v->last_data[n] = 0;
	v->last_rcpts[0] = 0;
	for (size_t i = 0; i < env->nrcpts; i++) {
		size_t o = strlen(v->last_rcpts);
		snprintf(v->last_rcpts + o, sizeof v->last_rcpts - o, "%s%s", i ? "," : "", env->rcpts[i]);
	}
}

/* The host's relay policy, as an MTA for example.org would have it: local
 * users only; anything else is relaying, refused for this client. */
static void on_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply)
{
	(void)ctx;
	(void)env;
	const char *at = strrchr(rcpt, '@');
	if (!at || strcmp(at, "@example.org") != 0) {
		reply->code = 554;
		reply->enhanced = "5.7.1";
		reply->text = "<%d>: Relay access denied";
		return;
	}
	if (strcmp(rcpt, "maria@example.org") != 0) {
		reply->code = 550;
		reply->enhanced = "5.1.1";
		reply->text = "<%d>: Recipient address rejected: User unknown";
	}
}

static int tls_available(void *ctx)
{
	(void)ctx;
	return 1;
}

static struct smtp_server *new_session(struct victim *v)
{
	struct smtp_server_config cfg;
	smtp_server_config_init(&cfg, "mx.example.org");
	cfg.max_message_size = 64 * 1024;
	cfg.max_errors = 20;
	struct smtp_server_host host = {.ctx = v, .message = on_message, .rcpt = on_rcpt, .starttls = tls_available};
	return smtp_server_new(&cfg, &host, "192.0.2.66", NULL);
}

/* Feeds every byte (reading the replies as they come, unless unread) and
 * returns what the server answered, kept up to a bound. */
static char *feed(struct smtp_server *s, const char *bytes, size_t n, int unread)
{
	size_t cap = 4u << 20, o = 0;
	char *out = malloc(cap + 1);
	if (!out)
		return NULL;
	size_t off = 0;
	do {
		size_t chunk = n - off < 1400 ? n - off : 1400; /* segment-sized */
		off += smtp_server_feed(s, bytes + off, chunk);
		if (!unread || off == n) {
			size_t len;
			const uint8_t *p = smtp_server_output(s, &len);
			size_t keep = len < cap - o ? len : cap - o;
			memcpy(out + o, p, keep);
			o += keep;
			smtp_server_consume(s, len);
		}
	} while (off < n);
	out[o] = 0;
	return out;
}

struct attack {
	const char *name;
	const char *ref;
	const char *setup;     /* sent first, replies ignored */
	char *bytes;           /* the attack (built by build_attacks) */
	size_t len;
	const char *expect;    /* must appear in the replies to the attack */
	const char *forbid;    /* must not (NULL: nothing) */
	int delivers;          /* messages the attack itself delivers */
	int closes;            /* the session must be over afterwards */
	int unread;            /* the attacker never reads our replies */
	const char *data_has;  /* the delivered message contains this */
};

#define EHLO "EHLO attacker.example\r\n"
#define TXN "MAIL FROM:<a@example.net>\r\nRCPT TO:<maria@example.org>\r\nDATA\r\n"

static char *repeat(const char *unit, size_t times, const char *prefix, const char *suffix, size_t *len_r)
{
	size_t u = strlen(unit), p = strlen(prefix), s = strlen(suffix);
	char *b = malloc(p + u * times + s + 1);
	if (!b)
		return NULL;
	memcpy(b, prefix, p);
	for (size_t i = 0; i < times; i++)
		memcpy(b + p + i * u, unit, u);
	memcpy(b + p + u * times, suffix, s + 1);
	*len_r = p + u * times + s;
	return b;
}

static char *text(const char *t, size_t *len_r)
{
	*len_r = strlen(t);
	return strdup(t);
}

static char *raw(const char *t, size_t n, size_t *len_r)
{
	char *b = malloc(n + 1);
	if (b) {
		memcpy(b, t, n);
		b[n] = 0;
	}
	*len_r = n;
	return b;
}

static struct attack attacks[] = {
	{"overlong-command", "RFC 5321 4.5.3.1.4: command lines are at most 512 octets", EHLO, NULL, 0,
	 "500 5.5.2 Line too long", "250 2.0.0 OK", 0, 0, 0, NULL},
	{"ten-thousand-byte-line", "RFC 5321 4.5.3.1.4", EHLO, NULL, 0, "500 5.5.2 Line too long", NULL, 0, 0, 0, NULL},
	{"endless-line-no-crlf", "RFC 5321 4.5.3.1.4; memory stays bounded", EHLO, NULL, 0, "500 5.5.2 Line too long",
	 NULL, 0, 0, 0, NULL},
	{"nul-in-command", "RFC 5321 2.3.8: NUL is not allowed", EHLO, NULL, 0, "500 5.5.2 Syntax error: NUL",
	 "250 2.1.0", 0, 0, 0, NULL},
	{"bare-lf-command", "RFC 5321 2.3.8: lines end with CRLF", EHLO, NULL, 0, "500 5.5.2", "250 2.0.0", 0, 0, 0, NULL},
	{"bare-cr-command", "RFC 5321 2.3.8", EHLO, NULL, 0, "500 5.5.2", "250 2.0.0", 0, 0, 0, NULL},
	{"empty-line", "RFC 5321 4.1.1: a command has a verb", EHLO, NULL, 0, "500", NULL, 0, 0, 0, NULL},
	{"http-request-on-port-25", "cross-protocol: a browser or proxy talking HTTP", NULL, NULL, 0,
	 "500 Syntax error, command unrecognized", "250", 0, 0, 0, NULL},
	{"rcpt-before-mail", "RFC 5321 3.3: MAIL starts a transaction", EHLO, NULL, 0, "503 5.5.1", "250 2.1.5", 0, 0, 0,
	 NULL},
	{"data-without-recipients", "RFC 5321 3.3", EHLO "MAIL FROM:<a@example.net>\r\n", NULL, 0, "554 5.5.1",
	 "354", 0, 0, 0, NULL},
	{"nested-mail", "RFC 5321 4.1.4: MAIL inside a transaction is a sequence error", EHLO, NULL, 0,
	 "503 5.5.1 Error: nested MAIL command", NULL, 0, 0, 0, NULL},
	{"recipient-flood", "RFC 5321 4.5.3.1.8: 100 recipients, then 452", EHLO "MAIL FROM:<a@example.net>\r\n", NULL,
	 0, "452 4.5.3", NULL, 0, 0, 0, NULL},
	{"overlong-data-line", "RFC 5321 4.5.3.1.6: text lines at most 1000 octets; refused after the end",
	 EHLO TXN, NULL, 0, "500 5.5.2 Line too long", "250 2.0.0 OK", 0, 0, 0, NULL},
	{"message-larger-than-declared", "RFC 1870: the data counts, not the SIZE= claim",
	 EHLO "MAIL FROM:<a@example.net> SIZE=10\r\nRCPT TO:<maria@example.org>\r\nDATA\r\n", NULL, 0, "552 5.3.4",
	 "250 2.0.0 OK", 0, 0, 0, NULL},
	{"huge-size-declared", "RFC 1870 6.1", EHLO, NULL, 0, "552 5.3.4", "250 2.1.0", 0, 0, 0, NULL},
	{"smuggling-lf-dot-lf", "SMTP smuggling 2023: only CRLF.CRLF ends DATA", EHLO TXN, NULL, 0, "250 2.0.0 OK",
	 "554 5.7.1", 1, 0, 0, "MAIL FROM:<evil@example.com>"},
	{"smuggling-lf-dot-crlf", "SMTP smuggling 2023", EHLO TXN, NULL, 0, "250 2.0.0 OK", "554 5.7.1", 1, 0, 0,
	 "RCPT TO:<victim@example.com>"},
	{"smuggling-crlf-dot-lf", "SMTP smuggling 2023", EHLO TXN, NULL, 0, "250 2.0.0 OK", "554 5.7.1", 1, 0, 0,
	 "RCPT TO:<victim@example.com>"},
	{"smuggling-cr-dot-cr", "SMTP smuggling 2023", EHLO TXN, NULL, 0, "250 2.0.0 OK", "554 5.7.1", 1, 0, 0,
	 "RCPT TO:<victim@example.com>"},
	{"open-relay-attempt", "RFC 5321 3.6.2 and RFC 5068: no relaying for strangers", EHLO, NULL, 0,
	 "554 5.7.1 <victim@example.com>: Relay access denied", "250 2.1.5", 0, 0, 0, NULL},
	{"source-route-relay", "RFC 5321 3.6.1 and C: the route is dropped, the real domain judged", EHLO, NULL, 0,
	 "554 5.7.1 <victim@example.com>: Relay access denied", "250 2.1.5", 0, 0, 0, NULL},
	{"percent-hack-relay", "RFC 5321 3.6.2: user%host@local is a local part here, not a route", EHLO, NULL, 0,
	 "550 5.1.1", "250 2.1.5", 0, 0, 0, NULL},
	{"bang-path-relay", "RFC 5321 3.6.2 (UUCP paths are local parts)", EHLO, NULL, 0, "550 5.1.1", "250 2.1.5", 0, 0,
	 0, NULL},
	{"crlf-injection-in-helo-echo", "replies never carry client control octets", NULL, NULL, 0,
	 "250-mx.example.org greets evil example", "\x01", 0, 0, 0, NULL},
	{"invalid-utf8-address", "RFC 5321 4.1.2 (no SMTPUTF8): addresses are ASCII", EHLO, NULL, 0, "501 5.1.7",
	 "250 2.1.0", 0, 0, 0, NULL},
	{"overlong-path", "RFC 5321 4.5.3.1.3: paths are at most 256 octets", EHLO, NULL, 0, "501", "250 2.1.0", 0, 0, 0,
	 NULL},
	{"starttls-command-injection", "RFC 3207 4.2 (CVE-2011-0411): pipelined plaintext after STARTTLS is dropped",
	 EHLO, NULL, 0, "220 2.0.0", "250 2.1.0", 0, 0, 0, NULL},
	{"auth-not-offered", "RFC 4954: AUTH is not offered here", EHLO, NULL, 0, "500", "235", 0, 0, 0, NULL},
	{"unknown-command-flood", "error limit: disconnect after 20 bad commands (RFC 5321 4.3.2 allows 421)", EHLO,
	 NULL, 0, "421 4.7.0 mx.example.org Error: too many errors", NULL, 0, 1, 0, NULL},
	{"pipelining-flood-never-reading", "replies kept below 1 MiB: 421 and close", EHLO, NULL, 0, "421", NULL, 0, 1,
	 1, NULL},
	{"smuggling-crlf-dot-cr", "SMTP smuggling 2023: <CR><LF>.<CR> is no end", EHLO TXN, NULL, 0, "250 2.0.0 OK",
	 "554 5.7.1", 1, 0, 0, "RCPT TO:<victim@example.com>"},
	{"smuggling-cr-dot-lf", "SMTP smuggling 2023: <CR>.<LF> is no end", EHLO TXN, NULL, 0, "250 2.0.0 OK",
	 "554 5.7.1", 1, 0, 0, "RCPT TO:<victim@example.com>"},
	{"smuggling-lf-dot-cr", "SMTP smuggling 2023: <LF>.<CR> is no end", EHLO TXN, NULL, 0, "250 2.0.0 OK",
	 "554 5.7.1", 1, 0, 0, "RCPT TO:<victim@example.com>"},
	{"smuggling-cr-dot-crlf", "SMTP smuggling 2023: <CR>.<CR><LF> is no end", EHLO TXN, NULL, 0, "250 2.0.0 OK",
	 "554 5.7.1", 1, 0, 0, "RCPT TO:<victim@example.com>"},
	{"smuggling-whole-second-message", "SMTP smuggling 2023: a full transaction behind <LF>.<LF>", EHLO TXN, NULL,
	 0, "250 2.0.0 OK", "354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 OK\r\n250", 1, 0, 0,
	 "DATA\r\nSubject: smuggled"},
	{"crlf-injection-in-mail-parameter", "RFC 5321 2.3.8: a CR inside a command line", EHLO, NULL, 0, "500 5.5.2",
	 "250 2.1.5", 0, 0, 0, NULL},
	{"header-injection-in-helo", "RFC 5321 4.1.1.1: the HELO name ends up in Received:", NULL, NULL, 0, "500",
	 "250-mx.example.org", 0, 0, 0, NULL},
	{"mail-before-helo", "RFC 5321 4.1.4: a client MUST greet first", NULL, NULL, 0, "503", "250 2.1.0", 0, 0, 0,
	 NULL},
	{"size-value-overflow", "RFC 1870: size-value = 1*20DIGIT", EHLO, NULL, 0, "501 5.5.4 Bad SIZE parameter", "250 2.1.0", 0, 0, 0, NULL},
	{"pipelining-flood-reading", "RFC 2920 3.1: every command answered, in order", EHLO, NULL, 0, "250 2.0.0 OK",
	 "421", 0, 0, 0, NULL},
	{"bdat-not-offered", "RFC 3030: BDAT without CHUNKING is unknown", EHLO, NULL, 0, "500 5.5.1 Syntax error, command unrecognized", "250 2.0.0 OK", 0, 0, 0,
	 NULL},
};

static void build_attacks(void)
{
	char buf[2048];
	for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
		struct attack *a = &attacks[i];
		size_t *l = &a->len;
		const char *n = a->name;
		if (!strcmp(n, "overlong-command"))
			a->bytes = repeat("A", 600, "NOOP ", "\r\n", l);
		else if (!strcmp(n, "ten-thousand-byte-line"))
			a->bytes = repeat("x", 10000, "", "\r\n", l);
		else if (!strcmp(n, "endless-line-no-crlf"))
			a->bytes = repeat("B", 200000, "", "\r\n", l);
		else if (!strcmp(n, "nul-in-command"))
			a->bytes = raw("MAIL FROM:<a@example.net>\0\r\n", 28, l);
		else if (!strcmp(n, "bare-lf-command"))
			a->bytes = text("NOOP\n", l);
		else if (!strcmp(n, "bare-cr-command"))
			a->bytes = text("NO\rOP\r\n", l);
		else if (!strcmp(n, "empty-line"))
			a->bytes = text("\r\n", l);
		else if (!strcmp(n, "http-request-on-port-25"))
			a->bytes = text("GET / HTTP/1.1\r\nHost: mx.example.org\r\n\r\n", l);
		else if (!strcmp(n, "rcpt-before-mail"))
			a->bytes = text("RCPT TO:<maria@example.org>\r\n", l);
		else if (!strcmp(n, "data-without-recipients"))
			a->bytes = text("DATA\r\nRSET\r\n", l);
		else if (!strcmp(n, "nested-mail"))
			a->bytes = text("MAIL FROM:<a@example.net>\r\nMAIL FROM:<b@example.net>\r\nRSET\r\n", l);
		else if (!strcmp(n, "recipient-flood"))
			a->bytes = repeat("RCPT TO:<maria@example.org>\r\n", 150, "", "RSET\r\n", l);
		else if (!strcmp(n, "overlong-data-line"))
			a->bytes = repeat("y", 2000, "Subject: x\r\n\r\n", "\r\n.\r\n", l);
		else if (!strcmp(n, "message-larger-than-declared"))
			a->bytes = repeat("0123456789012345678901234567890123456789012345678901234567890123456789\r\n",
					  1200, "", ".\r\n", l);
		else if (!strcmp(n, "huge-size-declared"))
			a->bytes = text("MAIL FROM:<a@example.net> SIZE=18446744073709551615\r\n", l);
		else if (!strcmp(n, "smuggling-lf-dot-lf"))
			a->bytes = text("Subject: s\r\n\r\nhi\n.\nMAIL FROM:<evil@example.com>\r\nbye\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-lf-dot-crlf"))
			a->bytes = text("Subject: s\r\n\r\nhi\n.\r\nRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-crlf-dot-lf"))
			a->bytes = text("Subject: s\r\n\r\nhi\r\n.\nRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-cr-dot-cr"))
			a->bytes = text("Subject: s\r\n\r\nhi\r.\rRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "open-relay-attempt"))
			a->bytes = text("MAIL FROM:<spammer@example.net>\r\nRCPT TO:<victim@example.com>\r\nRSET\r\n", l);
		else if (!strcmp(n, "source-route-relay"))
			a->bytes = text("MAIL FROM:<spammer@example.net>\r\n"
					"RCPT TO:<@mx.example.org,@relay.example.com:victim@example.com>\r\nRSET\r\n",
					l);
		else if (!strcmp(n, "percent-hack-relay"))
			a->bytes = text("MAIL FROM:<spammer@example.net>\r\n"
					"RCPT TO:<victim%example.com@example.org>\r\nRSET\r\n",
					l);
		else if (!strcmp(n, "bang-path-relay"))
			a->bytes = text("MAIL FROM:<spammer@example.net>\r\nRCPT TO:<example.com!victim@example.org>\r\nRSET\r\n",
					l);
		else if (!strcmp(n, "crlf-injection-in-helo-echo"))
			a->bytes = text("EHLO evil\x01" "example\r\n", l);
		else if (!strcmp(n, "invalid-utf8-address"))
			a->bytes = text("MAIL FROM:<\xff\xfe\xc0\x80@example.net>\r\n", l);
		else if (!strcmp(n, "overlong-path"))
			a->bytes = repeat("l", 300, "MAIL FROM:<", "@example.net>\r\n", l);
		else if (!strcmp(n, "starttls-command-injection")) {
			snprintf(buf, sizeof buf, "STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n");
			a->bytes = text(buf, l);
		} else if (!strcmp(n, "auth-not-offered"))
			a->bytes = text("AUTH PLAIN AGpvaG4Ac2VjcmV0\r\n", l);
		else if (!strcmp(n, "unknown-command-flood"))
			a->bytes = repeat("XYZZY plugh\r\n", 25, "", "", l);
		else if (!strcmp(n, "pipelining-flood-never-reading"))
			a->bytes = repeat("NOOP\r\n", 200000, "", "", l);
		else if (!strcmp(n, "smuggling-crlf-dot-cr"))
			a->bytes = text("Subject: s\r\n\r\nhi\r\n.\rRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-cr-dot-lf"))
			a->bytes = text("Subject: s\r\n\r\nhi\r.\nRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-lf-dot-cr"))
			a->bytes = text("Subject: s\r\n\r\nhi\n.\rRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-cr-dot-crlf"))
			a->bytes = text("Subject: s\r\n\r\nhi\r.\r\nRCPT TO:<victim@example.com>\r\n.\r\n", l);
		else if (!strcmp(n, "smuggling-whole-second-message"))
			a->bytes = text("Subject: s\r\n\r\nhi\n.\nMAIL FROM:<ceo@example.org>\r\n"
					"RCPT TO:<maria@example.org>\r\nDATA\r\nSubject: smuggled\r\n\r\npay now\r\n.\r\n",
					l);
		else if (!strcmp(n, "crlf-injection-in-mail-parameter"))
			a->bytes = text("MAIL FROM:<a@example.net>\rRCPT TO:<maria@example.org>\r\n", l);
		else if (!strcmp(n, "header-injection-in-helo"))
			a->bytes = text("EHLO evil\rReceived: from trusted.example.org\r\n", l);
		else if (!strcmp(n, "mail-before-helo"))
			a->bytes = text("MAIL FROM:<a@example.net>\r\n", l);
		else if (!strcmp(n, "size-value-overflow"))
			a->bytes = text("MAIL FROM:<a@example.net> SIZE=99999999999999999999999\r\n", l);
		else if (!strcmp(n, "pipelining-flood-reading"))
			a->bytes = repeat("NOOP\r\n", 5000, "", "", l);
		else if (!strcmp(n, "bdat-not-offered"))
			a->bytes = text("MAIL FROM:<a@example.net>\r\nRCPT TO:<maria@example.org>\r\nBDAT 5 LAST\r\nhello"
					"RSET\r\n", l);
		else
			a->bytes = NULL;
	}
}

/* An ordinary message after the attack: accepted and intact. */
static int ordinary_transaction(struct smtp_server *s, struct victim *v, int fresh)
{
	const char *msg = "Subject: after\r\n\r\nstill here\r\n.\r\n";
	char *all = malloc(4096);
	snprintf(all, 4096, "%sRSET\r\n" TXN "%s", fresh ? EHLO : "", msg);
	int before = v->messages;
	char *out = feed(s, all, strlen(all), 0);
	int ok = out && strstr(out, "250 2.0.0 OK") && v->messages == before + 1 &&
		 strcmp(v->last_data, "Subject: after\r\n\r\nstill here\r\n") == 0 &&
		 strcmp(v->last_rcpts, "maria@example.org") == 0;
	if (!ok)
		fprintf(stderr, "  ordinary transaction failed; replies: %.300s\n", out ? out : "(none)");
	free(out);
	free(all);
	return ok;
}

static int run_attack(const struct attack *a)
{
	struct victim v = {0};
	struct smtp_server *s = new_session(&v);
	if (!s || !a->bytes)
		return 0;
	free(feed(s, "", 0, 0)); /* the greeting */
	if (a->setup)
		free(feed(s, a->setup, strlen(a->setup), 0));
	if (!strcmp(a->name, "starttls-command-injection")) {
		char *out = feed(s, a->bytes, a->len, 0);
		int ok = out && strstr(out, a->expect) && !strstr(out, a->forbid) && smtp_server_tls_pending(s);
		free(out);
		smtp_server_tls_established(s);
		/* The injected MAIL is gone: a transaction needs a new EHLO. */
		out = feed(s, "MAIL FROM:<a@example.net>\r\n", 27, 0);
		ok = ok && out && strstr(out, "503");
		free(out);
		ok = ok && ordinary_transaction(s, &v, 1);
		smtp_server_free(&s);
		return ok;
	}
	char *out = feed(s, a->bytes, a->len, a->unread);
	int ok = out != NULL;
	if (ok && !strstr(out, a->expect)) {
		size_t l = strlen(out);
		fprintf(stderr, "  expected \"%s\" in the replies, which end: %s\n", a->expect, out + (l > 300 ? l - 300 : 0));
		ok = 0;
	}
	if (ok && a->forbid && strstr(out, a->forbid)) {
		fprintf(stderr, "  \"%s\" must not be in the replies: %.400s\n", a->forbid, out);
		ok = 0;
	}
	if (ok && v.messages != a->delivers) {
		fprintf(stderr, "  the attack delivered %d messages, expected %d\n", v.messages, a->delivers);
		ok = 0;
	}
	if (ok && !strcmp(a->name, "pipelining-flood-reading")) {
		int k = 0;
		for (const char *p = strstr(out, "250 2.0.0 OK\r\n"); p; p = strstr(p + 1, "250 2.0.0 OK\r\n"))
			k++;
		if (k != 5000) {
			fprintf(stderr, "  %d of 5000 NOOPs answered\n", k);
			ok = 0;
		}
	}
	if (ok && a->data_has && !strstr(v.last_data, a->data_has)) {
		fprintf(stderr, "  the delivered message lacks \"%s\": %.300s\n", a->data_has, v.last_data);
		ok = 0;
	}
	if (ok && a->closes != smtp_server_should_close(s)) {
		fprintf(stderr, "  the session is %s, expected %s\n", smtp_server_should_close(s) ? "closed" : "open",
			a->closes ? "closed" : "open");
		ok = 0;
	}
	free(out);
	if (ok && !a->closes)
		ok = ordinary_transaction(s, &v, a->setup == NULL);
	smtp_server_free(&s);
	if (ok && a->closes) {
		/* The server serves the next client. */
		struct victim w = {0};
		struct smtp_server *t = new_session(&w);
		free(feed(t, "", 0, 0));
		ok = ordinary_transaction(t, &w, 1);
		smtp_server_free(&t);
	}
	return ok;
}

static const char *only; /* a row's name from the command line */

static void test_catalogue(void)
{
	build_attacks();
	size_t n = sizeof attacks / sizeof attacks[0];
	CHECK(n >= 20);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, attacks[i].name) != 0)
			continue;
		int ok = run_attack(&attacks[i]);
		if (!ok)
			fprintf(stderr, "attack %s (%s) not handled\n", attacks[i].name, attacks[i].ref);
		else
			printf("handled: %-32s %s\n", attacks[i].name, attacks[i].ref);
		CHECK(ok);
		free(attacks[i].bytes);
	}
}

int main(int argc, char **argv)
{
	only = argc > 1 ? argv[1] : NULL;
	RUN(test_catalogue);
	return harness_done();
}

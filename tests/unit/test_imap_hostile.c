/* The IMAP server engine's hostile-input catalogue (issue 9 item 4): named
 * attacks and mistakes, each mounted by its own session on a fresh
 * mailstore (maria's INBOX holds three messages) while a second, honest
 * session has the same INBOX selected. Each attack checks the RFC 3501
 * answer (BAD, NO, the response code), that the mailbox is unchanged or
 * changed exactly as the command says, and afterwards that the honest
 * session still gets answers and that a new session can log in and read
 * the messages intact.
 *
 * Some attacks run against a server configured with 1 MiB lines, so that
 * nesting bombs and sequence-set explosions are not stopped by the line
 * limit alone. Each attack's time is printed (a pathological input the
 * server spends long on is a bug; ctest's timeout catches a hang).
 *
 * Replay a single row by name with
 *   build/bin/test_imap_hostile NAME */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "imap_sess.h"

static struct mailstore *ms;
static struct ms_folder *inbox;

static void world(void)
{
	mailstore_free(&ms);
	ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, "maria@dominio.de.maria", "secreto");
	mailstore_add_user(ms, "juan@uba.ar", "clave");
	inbox = ms_folder_find(u, "INBOX");
	ms_folder_create(u, "Sent", NULL);
	tsess_deliver(inbox, "Juan <juan@uba.ar>", "Serenata", MS_SEEN);
	tsess_deliver(inbox, "Ana <ana@example.com>", "Apuntes", MS_SEEN | MS_FLAGGED);
	tsess_deliver(inbox, "Juan <juan@uba.ar>", "Foto", 0);
}

static int has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  missing \"%s\" in: %.600s\n", needle, hay);
		return 0;
	}
	return 1;
}

static int lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle)) {
		fprintf(stderr, "  unexpected \"%s\" in: %.600s\n", needle, hay);
		return 0;
	}
	return 1;
}

static int is(const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "  got \"%.400s\", wanted \"%s\"\n", got, want);
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

/* An attacker's session; big: lines up to 1 MiB. */
static int open_sess(struct tsess *t, int big)
{
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.test");
	if (big)
		cfg.max_line = 1u << 20;
	return tsess_open(t, ms, &cfg);
}

static int login_select(struct tsess *t)
{
	int ok = has(tsess_talk(t, "l1 LOGIN maria secreto"), "l1 OK");
	ok &= has(tsess_talk(t, "l2 SELECT INBOX"), "l2 OK [READ-WRITE]");
	return ok;
}

/* Builds prefix + unit * times + suffix. */
static char *repeat(const char *prefix, const char *unit, size_t times, const char *suffix)
{
	size_t p = strlen(prefix), u = strlen(unit), s = strlen(suffix);
	char *b = malloc(p + u * times + s + 1);
	memcpy(b, prefix, p);
	for (size_t i = 0; i < times; i++)
		memcpy(b + p + i * u, unit, u);
	memcpy(b + p + u * times, suffix, s + 1);
	return b;
}

/* ---- the attacks ------------------------------------------------------ */

/* Each returns 1 when answered as it must be; *exists_r is how many
 * messages INBOX must hold afterwards (3 unless the attack changes it). */
typedef int attack_fn(int *exists_r);

static int atk_seqset_full_range(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* UIDs: a range over the whole 32-bit space names the three there are. */
	const char *r = tsess_talk(&t, "a1 UID FETCH 1:4294967295 (FLAGS)");
	ok &= count_of(r, " FETCH (") == 3 && has(r, "a1 OK UID FETCH completed");
	r = tsess_talk(&t, "a2 UID FETCH 4294967295:1 (FLAGS)");
	ok &= count_of(r, " FETCH (") == 3 && has(r, "a2 OK");
	/* Sequence numbers past the message count do not exist (RFC 3501 9). */
	ok &= has(tsess_talk(&t, "a3 FETCH 1:4294967295 (FLAGS)"), "a3 BAD");
	ok &= has(tsess_talk(&t, "a4 STORE 1:4294967295 +FLAGS (\\Deleted)"), "a4 BAD");
	ok &= has(tsess_talk(&t, "a5 UID STORE 1:4294967295 +FLAGS (\\Flagged)"), "a5 OK");
	ok &= has(tsess_talk(&t, "a6 UID STORE 1:4294967295 -FLAGS (\\Flagged)"), "a6 OK");
	tsess_close(&t);
	return ok;
}

static int atk_seqset_repeated(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 1);
	int ok = login_select(&t);
	/* 9,000 copies of 1:* (about 36 KB): under the range cap, each message
	 * fetched once. */
	char *cmd = repeat("b1 FETCH 1:*", ",1:*", 8999, " (FLAGS)");
	const char *r = tsess_talk(&t, cmd);
	ok &= count_of(r, " FETCH (") == 3 && has(r, "b1 OK FETCH completed");
	free(cmd);
	cmd = repeat("b2 UID SEARCH UID 1:4294967295", ",1:4294967295", 8999, "");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "* SEARCH 1 2 3\r\nb2 OK");
	free(cmd);
	/* 200,000 elements (a 1.6 MB line would be too long even here; use
	 * 120,000 single numbers, about 360 KB): past the cap, BAD, nothing
	 * allocated without bound. */
	cmd = repeat("b3 UID FETCH 1", ",1", 119999, " (FLAGS)");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "b3 BAD") && lacks(r, " FETCH (");
	free(cmd);
	ok &= has(tsess_talk(&t, "b4 NOOP"), "b4 OK");
	tsess_close(&t);
	return ok;
}

static int atk_seqset_odd_numbers(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* "*:*" is the last message; "*" alone too. */
	const char *r = tsess_talk(&t, "c1 FETCH *:* (FLAGS)");
	ok &= has(r, "* 3 FETCH (FLAGS (") && count_of(r, " FETCH (") == 1 && has(r, "c1 OK");
	/* Zero, 2^32 and beyond, signs, empty elements: BAD, nothing done. */
	const char *bad[] = {"0",   "0:*",        "4294967296", "99999999999999999999", "-1",  "+1", "1:",
			     ":1",  "1,,2",       "1:2:3",      "*:0",                  "1.5", "",   "1 ,2",
			     "1:*x", "\xef\xbc\x91"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "c2 STORE %s +FLAGS (\\Deleted)", bad[i]);
		r = tsess_talk(&t, cmd);
		if (!has(r, "c2 BAD"))
			fprintf(stderr, "  (for \"%s\")\n", bad[i]);
		ok &= has(r, "c2 BAD") && lacks(r, " FETCH (");
		snprintf(cmd, sizeof cmd, "c3 UID COPY %s Sent", bad[i]);
		r = tsess_talk(&t, cmd);
		if (!has(r, "c3 BAD"))
			fprintf(stderr, "  (for \"%s\")\n", bad[i]);
		ok &= has(r, "c3 BAD");
	}
	ok &= is(tsess_talk(&t, "c4 EXPUNGE"), "c4 OK EXPUNGE completed\r\n");
	tsess_close(&t);
	return ok;
}

static int atk_huge_sync_literal(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* RFC 7889 / RFC 3501 7.1: refused before the "+", so the client never
	 * sends a byte of it. */
	const char *sizes[] = {"4294967296", "99999999999999999999", "18446744073709551615", "10485761"};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char cmd[96];
		snprintf(cmd, sizeof cmd, "d%zu APPEND INBOX {%s}", i, sizes[i]);
		const char *r = tsess_talk(&t, cmd);
		char no[32], bad[32];
		snprintf(no, sizeof no, "d%zu NO [TOOBIG]", i);
		snprintf(bad, sizeof bad, "d%zu BAD", i);
		/* 2^32 and 10 MiB + 1 are numbers: too big. Past 2^64 - 1 the
		 * number itself is malformed (RFC 3501 9: number is 32-bit). */
		int answered = i == 0 || i == 3 ? has(r, no) : strstr(r, no) || strstr(r, bad);
		ok &= answered && lacks(r, "+ Ready") && lacks(r, "BYE");
	}
	/* The next line is a command again, not literal data. */
	ok &= has(tsess_talk(&t, "d9 NOOP"), "d9 OK");
	tsess_close(&t);
	return ok;
}

static int atk_literal_plus_abuse(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* A non-synchronising literal over the limit: BAD [TOOBIG], its octets
	 * skipped (a command hidden in them is not run). */
	size_t n = 10u * 1024 * 1024 + 1;
	char head[64];
	snprintf(head, sizeof head, "e1 APPEND INBOX {%zu+}\r\n", n);
	tsess_feed(&t, head, strlen(head));
	char *junk = malloc(n);
	memset(junk, 'x', n);
	memcpy(junk, "\r\ne99 LOGOUT\r\n", 14);
	tsess_feed(&t, junk, n);
	free(junk);
	const char *r = tsess_talk(&t, "");
	ok &= has(r, "e1 BAD [TOOBIG]") && lacks(r, "BYE") && lacks(r, "e99");
	ok &= has(tsess_talk(&t, "e2 NOOP"), "e2 OK");
	/* LITERAL+ on a server that did not offer it is read all the same
	 * (liberal: the octets come at once either way), no "+" sent. */
	tsess_close(&t);
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.test");
	cfg.no_literal_plus = 1;
	tsess_open(&t, ms, &cfg);
	r = tsess_talk(&t, "e3 LOGIN {5+}\r\nmaria secreto");
	ok &= lacks(r, "+ Ready") && has(r, "e3 OK");
	tsess_close(&t);
	/* An absurd one cannot be skipped: BYE (the session ends, others not). */
	open_sess(&t, 0);
	r = tsess_talk(&t, "e5 LOGIN {99999999999999+}");
	ok &= has(r, "* BYE") && imap_server_should_close(t.s);
	tsess_close(&t);
	return ok;
}

static int atk_literal_count_flood(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* 1,200 tiny LITERAL+ strings in one SEARCH: past 1,000 literals per
	 * command, refused. */
	char *cmd = repeat("f1 SEARCH", " TEXT {1+}\r\nx", 1200, "");
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "f1 BAD") && lacks(r, "* SEARCH");
	free(cmd);
	ok &= has(tsess_talk(&t, "f2 NOOP"), "f2 OK");
	tsess_close(&t);
	return ok;
}

static int atk_unterminated_quoted(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = has(tsess_talk(&t, "g1 LOGIN \"maria secreto"), "g1 BAD");
	ok &= has(tsess_talk(&t, "g2 LOGIN \"maria\" \"secreto"), "g2 BAD");
	ok &= has(tsess_talk(&t, "g3 LOGIN \"maria\\\" secreto"), "g3 BAD");
	ok &= has(tsess_talk(&t, "g4 LOGIN \"maria\\"), "g4 BAD");
	ok &= imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH;
	ok &= login_select(&t);
	ok &= has(tsess_talk(&t, "g5 SEARCH SUBJECT \"Foto"), "g5 BAD");
	ok &= has(tsess_talk(&t, "g6 SELECT \"Sent"), "g6 BAD");
	ok &= imap_server_state(t.s) == IMAP_SERVER_SELECTED;
	tsess_close(&t);
	return ok;
}

static int atk_paren_bomb_fetch(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 1);
	int ok = login_select(&t);
	/* 400,000 nested parentheses: refused without recursing that deep. */
	size_t n = 400000;
	char *cmd = malloc(2 * n + 64);
	size_t o = (size_t)sprintf(cmd, "h1 FETCH 1 ");
	memset(cmd + o, '(', n);
	o += n;
	o += (size_t)sprintf(cmd + o, "FLAGS");
	memset(cmd + o, ')', n);
	o += n;
	cmd[o] = 0;
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "h1 BAD") && lacks(r, " FETCH (");
	free(cmd);
	ok &= has(tsess_talk(&t, "h2 FETCH 1 ((FLAGS))"), "h2 BAD");
	ok &= has(tsess_talk(&t, "h3 FETCH 1 BODY[HEADER.FIELDS ((((((Subject))))))]"), "h3 BAD");
	ok &= has(tsess_talk(&t, "h4 FETCH 1 (FLAGS)"), "h4 OK");
	tsess_close(&t);
	return ok;
}

static int atk_paren_bomb_search(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 1);
	int ok = login_select(&t);
	size_t n = 400000;
	char *cmd = malloc(2 * n + 64);
	size_t o = (size_t)sprintf(cmd, "i1 SEARCH ");
	memset(cmd + o, '(', n);
	o += n;
	o += (size_t)sprintf(cmd + o, "ALL");
	memset(cmd + o, ')', n);
	o += n;
	cmd[o] = 0;
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "i1 BAD") && lacks(r, "* SEARCH");
	free(cmd);
	cmd = repeat("i2 SEARCH", " NOT", 200000, " ALL");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "i2 BAD") && lacks(r, "* SEARCH");
	free(cmd);
	/* Modest nesting is fine. */
	ok &= has(tsess_talk(&t, "i3 SEARCH ((((NOT DELETED))))"), "* SEARCH 1 2 3\r\ni3 OK");
	tsess_close(&t);
	return ok;
}

static int atk_search_or_flood(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 1);
	int ok = login_select(&t);
	/* OR is binary prefix: 100,000 of them nest 100,000 deep. */
	char *cmd = repeat("j1 SEARCH", " OR SEEN", 100000, " ALL");
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "j1 BAD") && lacks(r, "* SEARCH");
	free(cmd);
	/* 100,000 keys side by side (an AND, no nesting): too many keys. */
	cmd = repeat("j2 SEARCH", " SEEN", 100000, "");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "j2 BAD") && lacks(r, "* SEARCH");
	free(cmd);
	/* Thousands of ORs in a shallow balanced form are fine: 20 ORs. */
	cmd = repeat("j3 SEARCH", " OR FLAGGED", 20, " FLAGGED");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "* SEARCH 2\r\nj3 OK");
	free(cmd);
	ok &= has(tsess_talk(&t, "j4 SEARCH LARGER 99999999999999999999"), "j4 BAD");
	ok &= has(tsess_talk(&t, "j5 SEARCH UID 1:4294967296"), "j5 BAD");
	ok &= has(tsess_talk(&t, "j6 SEARCH SENTBEFORE 99-Foo-99999"), "j6 BAD");
	tsess_close(&t);
	return ok;
}

static int atk_commands_before_login(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	const char *cmds[] = {"SELECT INBOX", "EXAMINE INBOX", "FETCH 1 BODY[]", "UID FETCH 1:* BODY[]",
			      "STORE 1 +FLAGS (\\Deleted)", "EXPUNGE", "LIST \"\" *", "STATUS INBOX (MESSAGES)",
			      "APPEND INBOX {3+}\r\nabc", "DELETE INBOX", "COPY 1 Sent", "IDLE", "SEARCH ALL"};
	int ok = 1;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char cmd[96];
		snprintf(cmd, sizeof cmd, "k%zu %s", i, cmds[i]);
		const char *r = tsess_talk(&t, cmd);
		char want[32];
		snprintf(want, sizeof want, "k%zu BAD", i);
		ok &= has(r, want) && lacks(r, " FETCH (") && lacks(r, "* LIST") && lacks(r, "+ idling");
	}
	ok &= imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH && !imap_server_idling(t.s);
	/* And SELECT-state commands in AUTH. */
	ok &= has(tsess_talk(&t, "k20 LOGIN maria secreto"), "k20 OK");
	ok &= has(tsess_talk(&t, "k21 FETCH 1 FLAGS"), "k21 BAD");
	ok &= has(tsess_talk(&t, "k22 EXPUNGE"), "k22 BAD");
	tsess_close(&t);
	return ok;
}

static int atk_login_crlf_injection(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	/* A quoted string may not hold CR or LF (RFC 3501 9, QUOTED-CHAR): the
	 * CRLF ends the line, leaving an unterminated string, and the second
	 * half is a command of its own, with a tag that is not a command. */
	const char *r = tsess_talk(&t, "m1 LOGIN \"maria\r\nm2 LOGOUT\" secreto");
	int ok = has(r, "m1 BAD") && lacks(r, "BYE") && lacks(r, "m2 OK");
	ok &= !imap_server_should_close(t.s);
	/* A CR alone inside the quotes. */
	r = tsess_talk(&t, "m3 LOGIN \"mar\ria\" secreto");
	ok &= has(r, "m3 BAD") && lacks(r, "m3 OK");
	/* The escape "\r" is no escape (only \\ and \" are). */
	r = tsess_talk(&t, "m4 LOGIN \"maria\\r\" secreto");
	ok &= has(r, "m4 BAD");
	ok &= imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH;
	/* A literal may hold a CRLF: a user name with one is just wrong. */
	r = tsess_talk(&t, "m5 LOGIN {14+}\r\nmaria\r\nm6 NOOP secreto");
	ok &= has(r, "m5 NO [AUTHENTICATIONFAILED]") && lacks(r, "m6 ");
	ok &= has(tsess_talk(&t, "m7 LOGIN maria secreto"), "m7 OK");
	tsess_close(&t);
	return ok;
}

static int atk_tag_abuse(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	/* No tag: the verb is taken as the tag, and what follows is no command. */
	int ok = has(tsess_talk(&t, "LOGIN maria secreto"), "LOGIN BAD");
	ok &= imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH;
	/* "*" and "+" are not tags (RFC 3501 9: tag excludes "+", and "*" is
	 * a list-wildcard). The answer is untagged, never "* OK". */
	ok &= has(tsess_talk(&t, "* LOGIN maria secreto"), "* BAD");
	ok &= has(tsess_talk(&t, "+ LOGIN maria secreto"), "* BAD");
	ok &= has(tsess_talk(&t, "a{1} NOOP"), "BAD");
	ok &= has(tsess_talk(&t, "a(b NOOP"), "BAD");
	ok &= has(tsess_talk(&t, "a%b NOOP"), "BAD");
	ok &= has(tsess_talk(&t, "\"a\" NOOP"), "BAD");
	ok &= imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH;
	/* A tag of 8,000 octets: answered, the session goes on. */
	char *cmd = repeat("", "t", 8000, " NOOP");
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "BAD") || has(r, "OK NOOP completed");
	free(cmd);
	ok &= has(tsess_talk(&t, "n1 LOGIN maria secreto"), "n1 OK");
	tsess_close(&t);
	return ok;
}

static int atk_overlong_line(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* A 9,000-octet command: BAD, the session goes on. */
	char *cmd = repeat("o1 SEARCH", " ALL", 2250, "");
	const char *r = tsess_talk(&t, cmd);
	ok &= has(r, "BAD Line too long") && lacks(r, "* SEARCH");
	free(cmd);
	ok &= has(tsess_talk(&t, "o2 NOOP"), "o2 OK");
	/* One that ends announcing a LITERAL+ string: the literal is read and
	 * dropped, the commands hidden in it are not run. */
	cmd = repeat("o3 APPEND INBOX (", "\\Seen ", 1500, "\\Seen) {32+}\r\no4 DELETE Sent\r\no5 CREATE Evil\r\n");
	r = tsess_talk(&t, cmd);
	free(cmd);
	ok &= has(r, "BAD Line too long") && lacks(r, "o4 ") && lacks(r, "o5 ");
	r = tsess_talk(&t, "o6 LIST \"\" *");
	ok &= has(r, "\" Sent\r\n") && lacks(r, "Evil") && has(r, "o6 OK");
	/* 4 MB without any line end: its end (and any literal it announces)
	 * is never seen, so the session ends (as Dovecot's "BYE Too long
	 * argument"); memory stays bounded meanwhile. */
	size_t n = 4u << 20;
	char *b = malloc(n);
	memset(b, 'A', n);
	memcpy(b, "o7 ", 3);
	for (size_t off = 0; off < n; off += 1400)
		tsess_feed(&t, b + off, n - off < 1400 ? n - off : 1400);
	free(b);
	r = tsess_talk(&t, "");
	ok &= has(r, "* BYE Line too long, closing") && imap_server_should_close(t.s);
	tsess_close(&t);
	return ok;
}

static int atk_nul_bytes(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	tsess_feed(&t, "p1 SELECT IN\0BOX\r\n", 18);
	const char *r = tsess_pending(&t);
	ok &= has(r, "p1 BAD") && lacks(r, "[READ-WRITE]");
	tsess_feed(&t, "p2 STORE 1 +FLAGS (\\Dele\0ted)\r\n", 31);
	ok &= has(tsess_pending(&t), "p2 BAD");
	/* RFC 3501 4.3: a literal is CHAR8, no NUL; a message with one is not
	 * stored (it needs BINARY, RFC 3516, not offered). */
	static const char app[] = "p3 APPEND INBOX {21+}\r\nSubject: \0x\r\n\r\nbody\r\n\r\n";
	tsess_feed(&t, app, sizeof app - 1);
	r = tsess_pending(&t);
	ok &= lacks(r, "p3 OK") && has(r, "p3 BAD NUL in a literal");
	/* A line refused for its NUL that announces a LITERAL+ string: the
	 * literal's octets are skipped, never run as commands (a desync the
	 * refusal must not open). */
	static const char smug[] = "p4 APPEND INBOX \0{27+}\r\np5 DELETE Sent\r\np6 LOGOUT\r\n\r\n";
	tsess_feed(&t, smug, sizeof smug - 1);
	r = tsess_pending(&t);
	ok &= has(r, "p4 BAD") && lacks(r, "p5 ") && lacks(r, "p6 ") && lacks(r, "BYE");
	ok &= has(tsess_talk(&t, "p7 LIST \"\" Sent"), "* LIST (\\HasNoChildren) \"/\" Sent");
	tsess_close(&t);
	return ok;
}

static int atk_invalid_utf8_mailbox(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = has(tsess_talk(&t, "q0 LOGIN maria secreto"), "q0 OK");
	/* Mailbox names are 7-bit (modified UTF-7, RFC 3501 5.1.3): raw 8-bit
	 * octets, overlong forms and broken UTF-7 are refused, nothing made. */
	const char *names[] = {"\xff\xfe", "Caf\xc3\xa9", "\xc0\xaf" "etc", "a&Jjo", "&-&", "a/../../b", "a//b", "/a"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char cmd[96];
		snprintf(cmd, sizeof cmd, "q1 CREATE \"%s\"", names[i]);
		const char *r = tsess_talk(&t, cmd);
		if (strstr(r, "q1 OK"))
			fprintf(stderr, "  CREATE of \"%s\" succeeded\n", names[i]);
		ok &= lacks(r, "q1 OK");
		snprintf(cmd, sizeof cmd, "q2 SELECT \"%s\"", names[i]);
		r = tsess_talk(&t, cmd);
		ok &= lacks(r, "q2 OK");
	}
	const char *r = tsess_talk(&t, "q3 LIST \"\" *");
	ok &= has(r, "q3 OK");
	if (count_of(r, "* LIST ") != 2)
		ok = 0, fprintf(stderr, "  LIST: %s\n", r);
	tsess_close(&t);
	return ok;
}

static int atk_idle_garbage(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	ok &= has(tsess_talk(&t, "r1 IDLE"), "+ idling");
	ok &= imap_server_idling(t.s);
	/* Anything but DONE ends IDLE with BAD (RFC 2177); the garbage is not
	 * run as a command. */
	const char *r = tsess_talk(&t, "r2 LOGOUT");
	ok &= has(r, "r1 BAD") && lacks(r, "BYE") && !imap_server_idling(t.s);
	ok &= has(tsess_talk(&t, "r3 IDLE"), "+ idling");
	char *big = repeat("", "D", 20000, "");
	r = tsess_talk(&t, big);
	free(big);
	ok &= has(r, "r3 BAD") && !imap_server_idling(t.s);
	ok &= has(tsess_talk(&t, "DONE"), "DONE BAD");
	ok &= has(tsess_talk(&t, "r4 IDLE"), "+ idling");
	ok &= has(tsess_talk(&t, "done"), "r4 OK IDLE terminated");
	ok &= has(tsess_talk(&t, "r5 NOOP"), "r5 OK");
	tsess_close(&t);
	return ok;
}

static int atk_store_flags(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* \Recent cannot be set by a client; an unknown \-flag is BAD. */
	const char *r0;
	ok &= has(tsess_talk(&t, "s1 STORE 1 +FLAGS (\\Bogus)"), "s1 BAD");
	/* \Recent is the server's (RFC 3501 2.3.2): a STORE of it changes
	 * nothing (ignored, as Cyrus and Dovecot do). */
	r0 = tsess_talk(&t, "s2 STORE 1 +FLAGS (\\Recent)");
	ok &= has(r0, "* 1 FETCH (FLAGS (\\Seen))") && has(r0, "s2 OK") && lacks(r0, "\\Recent");
	ok &= has(tsess_talk(&t, "s3 STORE 1 +FLAGS (\\Seen"), "s3 BAD");
	ok &= has(tsess_talk(&t, "s4 STORE 1 +FLAGS (a\"b)"), "s4 BAD");
	ok &= has(tsess_talk(&t, "s5 STORE 1 BOGUS (\\Seen)"), "s5 BAD");
	/* 5,000 distinct keywords in one STORE: past the 64 a mailbox holds,
	 * NO [LIMIT], and no keyword of them half-stored on the message. */
	struct buf b;
	buf_init(&b, 1u << 20);
	buf_puts(&b, "s6 STORE 1 +FLAGS (");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "%skw%d", i ? " " : "", i);
	buf_puts(&b, ")");
	struct tsess big;
	open_sess(&big, 1);
	login_select(&big);
	const char *r = tsess_talk(&big, b.data);
	ok &= has(r, "s6 BAD Too many keywords") && lacks(r, "kw4999");
	r = tsess_talk(&big, "s7 FETCH 1 FLAGS");
	ok &= has(r, "* 1 FETCH (FLAGS (\\Seen))") && has(r, "s7 OK");
	tsess_close(&big);
	buf_free(&b);
	/* The same flag 3,000 times is one flag. */
	char *cmd = repeat("s8 STORE 2 +FLAGS (", "\\Answered ", 700, "\\Answered)");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "* 2 FETCH (FLAGS (\\Seen \\Answered \\Flagged))") && has(r, "s8 OK");
	free(cmd);
	ok &= has(tsess_talk(&t, "s9 STORE 2 -FLAGS (\\Answered)"), "s9 OK");
	tsess_close(&t);
	return ok;
}

static int atk_append_nonexistent(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = has(tsess_talk(&t, "u0 LOGIN maria secreto"), "u0 OK");
	/* RFC 3501 6.3.11: NO [TRYCREATE] when the mailbox does not exist. */
	const char *r = tsess_talk(&t, "u1 APPEND Nope {19+}\r\nSubject: x\r\n\r\nhello");
	ok &= has(r, "u1 NO [TRYCREATE]");
	r = tsess_talk(&t, "u2 APPEND Nope {19}");
	if (strstr(r, "+ Ready"))
		r = tsess_talk(&t, "Subject: x\r\n\r\nhello");
	ok &= has(r, "u2 NO [TRYCREATE]");
	ok &= has(tsess_talk(&t, "u3 SELECT INBOX"), "u3 OK");
	ok &= has(tsess_talk(&t, "u4 COPY 1:* Nope"), "u4 NO [TRYCREATE]");
	ok &= has(tsess_talk(&t, "u5 UID COPY 1:4294967295 Nope"), "u5 NO [TRYCREATE]");
	r = tsess_talk(&t, "u6 LIST \"\" Nope");
	ok &= lacks(r, "* LIST") && has(r, "u6 OK");
	tsess_close(&t);
	return ok;
}

static int atk_fetch_partial_huge(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* An origin past the end gives an empty string (RFC 3501 6.4.5). */
	const char *r = tsess_talk(&t, "v1 FETCH 1 BODY.PEEK[]<4294967295.4294967295>");
	ok &= has(r, "* 1 FETCH (BODY[]<4294967295> \"\")") && has(r, "v1 OK");
	r = tsess_talk(&t, "v2 FETCH 1 BODY.PEEK[]<0.4294967295>");
	ok &= has(r, "* 1 FETCH (BODY[]<0> {") && has(r, "Hola.\r\n)") && has(r, "v2 OK");
	ok &= has(tsess_talk(&t, "v3 FETCH 1 BODY[]<4294967296.1>"), "v3 BAD");
	ok &= has(tsess_talk(&t, "v4 FETCH 1 BODY[]<99999999999999999999.1>"), "v4 BAD");
	ok &= has(tsess_talk(&t, "v5 FETCH 1 BODY[]<1.0>"), "v5 BAD");
	ok &= has(tsess_talk(&t, "v6 FETCH 1 BODY[]<-1.5>"), "v6 BAD");
	ok &= has(tsess_talk(&t, "v7 FETCH 1 BODY[4294967295.4294967295.1]"), "v7 ");
	ok &= has(tsess_talk(&t, "v8 FETCH 1 BODY[0]"), "v8 BAD");
	char *cmd = repeat("v9 FETCH 1 BODY[1", ".1", 2000, "]");
	r = tsess_talk(&t, cmd);
	ok &= has(r, "v9 ") && lacks(r, "BYE");
	free(cmd);
	ok &= has(tsess_talk(&t, "v10 NOOP"), "v10 OK");
	tsess_close(&t);
	return ok;
}

static int atk_disconnect_mid_literal(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	ok &= has(tsess_talk(&t, "w1 APPEND INBOX {100}"), "+ Ready");
	tsess_feed(&t, "Subject: half\r\n\r\n", 17);
	tsess_close(&t); /* gone: the half message is not stored */
	open_sess(&t, 0);
	ok &= login_select(&t);
	ok &= has(tsess_talk(&t, "w2 APPEND INBOX {100+}"), "");
	tsess_feed(&t, "Subject: half\r\n", 15);
	tsess_close(&t);
	/* And one in IDLE, and one mid-AUTHENTICATE. */
	open_sess(&t, 0);
	login_select(&t);
	tsess_talk(&t, "w3 IDLE");
	tsess_close(&t);
	open_sess(&t, 0);
	ok &= has(tsess_talk(&t, "w4 AUTHENTICATE PLAIN"), "+ ");
	tsess_close(&t);
	return ok;
}

static int atk_login_guessing(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = has(tsess_talk(&t, "x1 LOGIN maria password"), "x1 NO [AUTHENTICATIONFAILED]");
	ok &= has(tsess_talk(&t, "x2 AUTHENTICATE PLAIN AG1hcmlhADEyMzQ1Ng=="), "x2 NO [AUTHENTICATIONFAILED]");
	const char *r = tsess_talk(&t, "x3 LOGIN maria maria\r\nx4 LOGIN maria secreto");
	ok &= has(r, "* BYE") && lacks(r, "x4 OK") && imap_server_should_close(t.s);
	tsess_close(&t);
	return ok;
}

static int atk_pipelining_flood(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* 50,000 commands in one go, read as they come: all answered, in order. */
	size_t n = 50000;
	char *cmd = repeat("", "z NOOP\r\n", n, "");
	tsess_feed(&t, cmd, strlen(cmd));
	free(cmd);
	const char *r = tsess_pending(&t);
	ok &= count_of(r, "z OK NOOP completed\r\n") == (int)n;
	/* Never reading: the output limit ends the session, memory bounded. */
	tsess_close(&t);
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.test");
	cfg.max_output = 1 << 20;
	struct tsess u;
	tsess_open(&u, ms, &cfg);
	tsess_talk(&u, "l1 LOGIN maria secreto");
	tsess_talk(&u, "l2 SELECT INBOX");
	cmd = repeat("", "y FETCH 1:* BODY.PEEK[]\r\n", 20000, "");
	size_t len = strlen(cmd);
	for (size_t off = 0; off < len && !imap_server_should_close(u.s); off += 1400)
		imap_server_feed(u.s, cmd + off, len - off < 1400 ? len - off : 1400);
	free(cmd);
	size_t out;
	imap_server_output(u.s, &out);
	ok &= imap_server_should_close(u.s) && out < (2u << 20);
	tsess_close(&u);
	return ok;
}

static int atk_expunge_race_delete(int *exists_r)
{
	struct tsess t;
	open_sess(&t, 0);
	int ok = login_select(&t);
	/* Mark one message and expunge: the honest session learns of it at
	 * its next command, and the count drops by exactly one. */
	ok &= has(tsess_talk(&t, "ex1 STORE 3 +FLAGS.SILENT (\\Deleted)"), "ex1 OK");
	ok &= is(tsess_talk(&t, "ex2 EXPUNGE"), "* 3 EXPUNGE\r\nex2 OK EXPUNGE completed\r\n");
	ok &= has(tsess_talk(&t, "ex3 FETCH 3 FLAGS"), "ex3 BAD");
	*exists_r = 2;
	tsess_close(&t);
	return ok;
}

static int atk_rename_delete_inbox(int *exists_r)
{
	(void)exists_r;
	struct tsess t;
	open_sess(&t, 0);
	int ok = has(tsess_talk(&t, "y0 LOGIN maria secreto"), "y0 OK");
	ok &= has(tsess_talk(&t, "y1 DELETE INBOX"), "y1 NO");
	ok &= has(tsess_talk(&t, "y2 CREATE INBOX"), "y2 NO");
	ok &= has(tsess_talk(&t, "y3 DELETE inbox"), "y3 NO");
	ok &= has(tsess_talk(&t, "y4 RENAME Sent INBOX"), "y4 NO");
	ok &= has(tsess_talk(&t, "y5 RENAME Sent Sent/Sent"), "y5 ");
	ok &= has(tsess_talk(&t, "y6 CREATE \"\""), "y6 ");
	ok &= lacks(tsess_talk(&t, "y7 DELETE \"\""), "y7 OK");
	tsess_close(&t);
	return ok;
}

struct attack {
	const char *name;
	const char *ref;
	attack_fn *fn;
};

static const struct attack attacks[] = {
    {"seqset-full-32-bit-range", "RFC 3501 9: seq-number; UID ranges are unordered", atk_seqset_full_range},
    {"seqset-repeated-thousands", "RFC 3501 9; a cap on ranges, never expanded", atk_seqset_repeated},
    {"seqset-star-zero-2^32", "RFC 3501 9: nz-number, *:* is the last message", atk_seqset_odd_numbers},
    {"huge-synchronising-literal", "RFC 3501 7.5, RFC 7889: NO [TOOBIG] before the +", atk_huge_sync_literal},
    {"literal-plus-abuse", "RFC 7888 4/5: BAD [TOOBIG], octets skipped, or BYE", atk_literal_plus_abuse},
    {"literal-count-flood", "RFC 3501 4.3; at most 1,000 literals a command", atk_literal_count_flood},
    {"unterminated-quoted-string", "RFC 3501 4.3: quoted = DQUOTE *QUOTED-CHAR DQUOTE", atk_unterminated_quoted},
    {"paren-bomb-fetch", "RFC 3501 6.4.5; nesting bounded", atk_paren_bomb_fetch},
    {"paren-and-not-bomb-search", "RFC 3501 6.4.4; nesting bounded", atk_paren_bomb_search},
    {"search-or-flood", "RFC 3501 6.4.4: OR nests; keys bounded", atk_search_or_flood},
    {"commands-before-login", "RFC 3501 3: commands valid only in their state", atk_commands_before_login},
    {"login-crlf-injection", "RFC 3501 9: QUOTED-CHAR excludes CR and LF", atk_login_crlf_injection},
    {"tag-abuse", "RFC 3501 9: tag = 1*<any ASTRING-CHAR except \"+\">", atk_tag_abuse},
    {"overlong-lines", "RFC 7162 4: servers limit line length; BAD, or BYE past the buffer",
     atk_overlong_line},
    {"nul-bytes", "RFC 3501 4.3/9: CHAR8 excludes NUL", atk_nul_bytes},
    {"invalid-utf8-mailbox-names", "RFC 3501 5.1.3: mailbox names are modified UTF-7", atk_invalid_utf8_mailbox},
    {"idle-without-done", "RFC 2177 3: only DONE ends IDLE", atk_idle_garbage},
    {"store-unknown-and-huge-flags", "RFC 3501 2.3.2, 6.4.6: \\Recent and unknown \\flags; [LIMIT]",
     atk_store_flags},
    {"append-to-nonexistent", "RFC 3501 6.3.11: NO [TRYCREATE]", atk_append_nonexistent},
    {"fetch-partial-huge-offsets", "RFC 3501 6.4.5: <origin.octets> past the end is empty", atk_fetch_partial_huge},
    {"disconnect-mid-literal", "RFC 3501 6.3.11: nothing appended from a half literal",
     atk_disconnect_mid_literal},
    {"login-guessing", "RFC 3501 6.2.3, RFC 5530: [AUTHENTICATIONFAILED], then BYE", atk_login_guessing},
    {"pipelining-flood", "RFC 3501 5.5: answered in order; unsent output bounded", atk_pipelining_flood},
    {"expunge-under-another-session", "RFC 3501 7.4.1: EXPUNGE reaches the others", atk_expunge_race_delete},
    {"delete-rename-inbox", "RFC 3501 6.3.4/6.3.5: INBOX cannot be deleted or replaced", atk_rename_delete_inbox},
};

/* The honest session: was working before the attack, must be after. */
static int honest_after(struct tsess *h, int exists)
{
	const char *r = tsess_talk(h, "H1 NOOP");
	int ok = has(r, "H1 OK NOOP completed");
	r = tsess_talk(h, "H2 FETCH 1:* (FLAGS)");
	ok &= count_of(r, " FETCH (") == exists && has(r, "H2 OK");
	/* A newcomer logs in and reads the first message whole. */
	struct tsess n;
	open_sess(&n, 0);
	ok &= has(tsess_talk(&n, "N1 LOGIN maria secreto"), "N1 OK");
	char want[32];
	snprintf(want, sizeof want, "* %d EXISTS", exists);
	ok &= has(tsess_talk(&n, "N2 EXAMINE INBOX"), want);
	r = tsess_talk(&n, "N3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])");
	ok &= has(r, "Subject: Serenata\r\n") && has(r, "BODY[TEXT] {7}\r\nHola.\r\n") && has(r, "N3 OK");
	ok &= has(tsess_talk(&n, "N4 LOGOUT"), "N4 OK");
	tsess_close(&n);
	if (!ok)
		fprintf(stderr, "  the sessions after the attack failed\n");
	return ok;
}

static const char *only; /* a row's name from the command line */

static void test_catalogue(void)
{
	size_t n = sizeof attacks / sizeof attacks[0];
	CHECK(n >= 20);
	for (size_t i = 0; i < n; i++) {
		if (only && strcmp(only, attacks[i].name) != 0)
			continue;
		world();
		struct tsess h;
		REQUIRE(open_sess(&h, 0) == 0);
		CHECK(has(tsess_talk(&h, "H0 LOGIN maria secreto"), "H0 OK"));
		CHECK(has(tsess_talk(&h, "H0 SELECT INBOX"), "H0 OK"));
		int exists = 3;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int ok = attacks[i].fn(&exists);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms_taken = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		ok = ok && honest_after(&h, exists);
		tsess_close(&h);
		if (!ok)
			fprintf(stderr, "attack %s (%s) not handled\n", attacks[i].name, attacks[i].ref);
		else
			printf("handled: %-30s %7.1f ms  %s\n", attacks[i].name, ms_taken, attacks[i].ref);
		CHECK(ok);
	}
	mailstore_free(&ms);
}

int main(int argc, char **argv)
{
	only = argc > 1 ? argv[1] : NULL;
	RUN(test_catalogue);
	return harness_done();
}

/* The IMAP server engine over a real mailstore: every command's success
 * and error paths, literals (synchronising, LITERAL+, refused, split into
 * single bytes), states, several sessions on one folder and the moments
 * they learn of each other's changes, and hostile input. */
#include <stdlib.h>
#include <string.h>

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
	tsess_deliver(inbox, "Juan <juan@uba.ar>", "Foto", MS_RECENT);
}

static int has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  missing \"%s\" in:\n%s\n", needle, hay);
		return 0;
	}
	return 1;
}

static void login(struct tsess *t)
{
	const char *r = tsess_talk(t, "l1 LOGIN maria secreto");
	CHECK(has(r, "l1 OK"));
}

static void test_greeting_and_any_state(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	const char *r = tsess_talk(&t, "a1 CAPABILITY");
	CHECK(has(r, "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE CHILDREN AUTH=PLAIN\r\na1 OK CAPABILITY completed\r\n"));
	CHECK(has(tsess_talk(&t, "a2 NOOP"), "a2 OK NOOP completed\r\n"));
	CHECK(has(tsess_talk(&t, "a3 noop extra"), "a3 BAD"));
	CHECK(has(tsess_talk(&t, "a4 SELECT INBOX"), "a4 BAD Log in first"));
	CHECK(has(tsess_talk(&t, "a5 FETCH 1 FLAGS"), "a5 BAD Log in first"));
	CHECK(has(tsess_talk(&t, "a6 FROBNICATE"), "a6 BAD Unknown command"));
	r = tsess_talk(&t, "a7 LOGOUT");
	CHECK(has(r, "* BYE imap.test IMAP4rev1 server logging out\r\na7 OK LOGOUT completed\r\n"));
	CHECK(imap_server_should_close(t.s));
	CHECK(imap_server_state(t.s) == IMAP_SERVER_LOGOUT);
	CHECK_STR(tsess_talk(&t, "a8 NOOP"), "");
	tsess_close(&t);
}

static void test_login_paths(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	CHECK(has(tsess_talk(&t, "b1 LOGIN maria wrong"), "b1 NO [AUTHENTICATIONFAILED]"));
	CHECK(has(tsess_talk(&t, "b2 LOGIN nobody x"), "b2 NO [AUTHENTICATIONFAILED]"));
	CHECK(has(tsess_talk(&t, "b3 LOGIN maria"), "b3 BAD"));
	/* A synchronising literal: "+" first, then the octets. */
	CHECK(has(tsess_talk(&t, "b4 LOGIN {5}"), "+ Ready for literal data\r\n"));
	CHECK(has(tsess_talk(&t, "maria \"secreto\""), "b4 OK Logged in"));
	CHECK_STR(imap_server_user(t.s), "maria");
	CHECK(has(tsess_talk(&t, "b5 LOGIN maria secreto"), "b5 BAD Already logged in"));
	tsess_close(&t);

	/* LITERAL+: no "+" is sent. */
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	const char *r = tsess_talk(&t, "c1 LOGIN {22+}\r\nmaria@dominio.de.maria secreto");
	CHECK(!strstr(r, "+ Ready"));
	CHECK(has(r, "c1 OK"));
	tsess_close(&t);

	/* Three failures and the server gives up. */
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	tsess_talk(&t, "d1 LOGIN maria x");
	tsess_talk(&t, "d2 LOGIN maria y");
	r = tsess_talk(&t, "d3 LOGIN maria z");
	CHECK(has(r, "* BYE Too many failed logins"));
	CHECK(imap_server_should_close(t.s));
	tsess_close(&t);
}

static void test_authenticate_plain(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	/* "\0maria\0secreto" */
	CHECK(has(tsess_talk(&t, "e1 AUTHENTICATE PLAIN"), "+ \r\n"));
	CHECK(has(tsess_talk(&t, "AG1hcmlhAHNlY3JldG8="), "e1 OK Logged in"));
	tsess_close(&t);
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	CHECK(has(tsess_talk(&t, "e2 AUTHENTICATE PLAIN AG1hcmlhAHNlY3JldG8="), "e2 OK Logged in"));
	tsess_close(&t);
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	tsess_talk(&t, "e3 AUTHENTICATE PLAIN");
	CHECK(has(tsess_talk(&t, "*"), "e3 BAD Authentication cancelled"));
	CHECK(has(tsess_talk(&t, "e4 AUTHENTICATE PLAIN !!!"), "e4 BAD Invalid base64"));
	CHECK(has(tsess_talk(&t, "e5 AUTHENTICATE PLAIN AG1hcmlhAHdyb25n"), "e5 NO [AUTHENTICATIONFAILED]"));
	CHECK(has(tsess_talk(&t, "e6 AUTHENTICATE CRAM-MD5"), "e6 NO"));
	CHECK(imap_server_state(t.s) == IMAP_SERVER_NOT_AUTH);
	tsess_close(&t);
}

static void test_select_examine(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	const char *r = tsess_talk(&t, "s1 SELECT INBOX");
	CHECK(has(r, "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n"));
	CHECK(has(r, "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)]"));
	CHECK(has(r, "* 3 EXISTS\r\n* 1 RECENT\r\n* OK [UNSEEN 3]"));
	CHECK(has(r, "* OK [UIDVALIDITY 1]"));
	CHECK(has(r, "* OK [UIDNEXT 4]"));
	CHECK(has(r, "s1 OK [READ-WRITE] SELECT completed"));
	/* \Recent went to this session: a second one sees none. */
	struct tsess u;
	REQUIRE(tsess_open(&u, ms, NULL) == 0);
	login(&u);
	r = tsess_talk(&u, "s2 EXAMINE inbox");
	CHECK(has(r, "* 0 RECENT"));
	CHECK(has(r, "* OK [PERMANENTFLAGS ()]"));
	CHECK(has(r, "s2 OK [READ-ONLY] EXAMINE completed"));
	CHECK(has(tsess_talk(&u, "s3 STORE 1 +FLAGS (\\Deleted)"), "s3 NO [READ-ONLY]"));
	CHECK(has(tsess_talk(&u, "s4 EXPUNGE"), "s4 NO [READ-ONLY]"));
	CHECK(has(tsess_talk(&u, "s5 SELECT Nowhere"), "s5 NO [NONEXISTENT]"));
	CHECK(imap_server_state(u.s) == IMAP_SERVER_AUTH);
	CHECK(has(tsess_talk(&u, "s6 FETCH 1 FLAGS"), "s6 BAD No mailbox selected"));
	tsess_close(&u);
	tsess_close(&t);
}

static void test_mailbox_commands(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	CHECK(has(tsess_talk(&t, "m1 CREATE Archive/2006"), "m1 OK CREATE completed"));
	CHECK(has(tsess_talk(&t, "m2 CREATE Archive"), "m2 NO [ALREADYEXISTS]"));
	CHECK(has(tsess_talk(&t, "m3 CREATE INBOX"), "m3 NO"));
	CHECK(has(tsess_talk(&t, "m4 CREATE \"bad%name\""), "m4 NO [CANNOT]"));
	const char *r = tsess_talk(&t, "m5 LIST \"\" *");
	CHECK(has(r, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
		     "* LIST (\\HasChildren) \"/\" Archive\r\n"
		     "* LIST (\\HasNoChildren) \"/\" Archive/2006\r\n"
		     "* LIST (\\HasNoChildren) \"/\" Sent\r\n"
		     "m5 OK LIST completed"));
	r = tsess_talk(&t, "m6 LIST \"\" %");
	CHECK(!strstr(r, "Archive/2006"));
	CHECK(has(r, "\"/\" Archive\r\n"));
	CHECK(has(tsess_talk(&t, "m7 LIST \"\" \"\""), "* LIST (\\Noselect) \"/\" \"\"\r\nm7 OK"));
	CHECK(has(tsess_talk(&t, "m8 LIST Archive/ %"), "\"/\" Archive/2006\r\nm8 OK"));
	CHECK(has(tsess_talk(&t, "m9 DELETE Archive"), "m9 NO [INUSE]"));
	CHECK(has(tsess_talk(&t, "m10 RENAME Archive Old"), "m10 OK RENAME completed"));
	r = tsess_talk(&t, "m11 LIST \"\" Old*");
	CHECK(has(r, "\"/\" Old\r\n"));
	CHECK(has(r, "\"/\" Old/2006\r\n"));
	CHECK(has(tsess_talk(&t, "m12 UNSUBSCRIBE Old"), "m12 OK"));
	r = tsess_talk(&t, "m13 LSUB \"\" %");
	CHECK(has(r, "* LSUB (\\Noselect \\HasChildren) \"/\" Old\r\n"));
	r = tsess_talk(&t, "m14 LSUB \"\" *");
	CHECK(!strstr(r, "\"/\" Old\r\n"));
	CHECK(has(r, "\"/\" Old/2006\r\n"));
	CHECK(has(tsess_talk(&t, "m15 SUBSCRIBE Nowhere"), "m15 NO"));
	CHECK(has(tsess_talk(&t, "m16 DELETE Old/2006"), "m16 OK"));
	CHECK(has(tsess_talk(&t, "m17 DELETE INBOX"), "m17 NO"));
	CHECK(has(tsess_talk(&t, "m18 DELETE Nowhere"), "m18 NO [NONEXISTENT]"));
	r = tsess_talk(&t, "m19 STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)");
	CHECK(has(r, "* STATUS INBOX (MESSAGES 3 RECENT 1 UIDNEXT 4 UIDVALIDITY 1 UNSEEN 1)\r\nm19 OK"));
	CHECK(has(tsess_talk(&t, "m20 STATUS INBOX (BOGUS)"), "m20 BAD"));
	CHECK(has(tsess_talk(&t, "m21 STATUS Nowhere (MESSAGES)"), "m21 NO"));
	/* Patterns of stars cannot take exponential time. */
	CHECK(has(tsess_talk(&t, "m22 LIST \"\" "
				 "\"*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%*%x\""),
		  "m22 OK"));
	tsess_close(&t);
}

static void test_append(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	const char *msg = "From: maria@dominio.de.maria\r\nSubject: borrador\r\n\r\nHola\r\n";
	char cmd[256];
	snprintf(cmd, sizeof cmd, "p1 APPEND Sent (\\Seen \\Draft $Pendiente) \"21-Jun-2006 10:00:00 -0300\" {%zu}",
		 strlen(msg));
	CHECK(has(tsess_talk(&t, cmd), "+ Ready for literal data"));
	CHECK(has(tsess_talk(&t, msg), "p1 OK APPEND completed"));
	struct ms_folder *sent = ms_folder_find(mailstore_find_user(ms, "maria@dominio.de.maria"), "Sent");
	REQUIRE(ms_folder_size(sent) == 1);
	const struct ms_message *m = ms_folder_message(sent, 0);
	CHECK(m->flags == (MS_SEEN | MS_DRAFT | MS_RECENT));
	CHECK(m->keywords == 1);
	CHECK(m->internal_date == (int64_t)1150894800 * 1000000000);
	snprintf(cmd, sizeof cmd, "p2 APPEND Nowhere {%zu+}\r\n%s", strlen(msg), msg);
	CHECK(has(tsess_talk(&t, cmd), "p2 NO [TRYCREATE]"));
	CHECK(has(tsess_talk(&t, "p3 APPEND Sent \"bad date\" {1+}\r\nx"), "p3 BAD"));
	CHECK(has(tsess_talk(&t, "p4 APPEND Sent (\\Bogus) {1+}\r\nx"), "p4 BAD"));
	CHECK(has(tsess_talk(&t, "p5 APPEND Sent"), "p5 BAD"));
	/* Appending to the selected mailbox announces it at the end. */
	tsess_talk(&t, "p6 SELECT Sent");
	snprintf(cmd, sizeof cmd, "p7 APPEND Sent {%zu+}\r\n%s", strlen(msg), msg);
	CHECK(has(tsess_talk(&t, cmd), "* 2 EXISTS\r\n* 2 RECENT\r\np7 OK"));
	tsess_close(&t);
}

static void test_store_fetch_copy_expunge(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	tsess_talk(&t, "f0 SELECT INBOX");
	const char *r = tsess_talk(&t, "f1 FETCH 1:* (UID FLAGS)");
	CHECK(has(r, "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n"
		     "* 2 FETCH (UID 2 FLAGS (\\Seen \\Flagged))\r\n"
		     "* 3 FETCH (UID 3 FLAGS (\\Recent))\r\n"
		     "f1 OK FETCH completed"));
	r = tsess_talk(&t, "f2 STORE 1 +FLAGS (\\Deleted)");
	CHECK(has(r, "* 1 FETCH (FLAGS (\\Seen \\Deleted))\r\nf2 OK STORE completed"));
	CHECK_STR(tsess_talk(&t, "f3 STORE 2 -FLAGS.SILENT \\Flagged"), "f3 OK STORE completed\r\n");
	r = tsess_talk(&t, "f4 STORE 3 FLAGS (\\Answered $Label1)");
	CHECK(has(r, "* 3 FETCH (FLAGS (\\Answered \\Recent $Label1))"));
	CHECK(has(tsess_talk(&t, "f5 STORE 3 FLAGS (\\Recent)"), "f5 OK"));
	CHECK(has(tsess_talk(&t, "f6 STORE 1 XFLAGS (\\Seen)"), "f6 BAD"));
	CHECK(has(tsess_talk(&t, "f7 COPY 2:3 Nowhere"), "f7 NO [TRYCREATE]"));
	CHECK(has(tsess_talk(&t, "f8 COPY 2:3 Sent"), "f8 OK COPY completed"));
	r = tsess_talk(&t, "f9 STATUS Sent (MESSAGES RECENT)");
	CHECK(has(r, "(MESSAGES 2 RECENT 2)"));
	/* The RFC 3501 6.4.3 example's numbering: each EXPUNGE shifts. */
	tsess_talk(&t, "f10 STORE 1:3 +FLAGS.SILENT (\\Deleted)");
	r = tsess_talk(&t, "f11 EXPUNGE");
	CHECK_STR(r, "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nf11 OK EXPUNGE completed\r\n");
	CHECK(ms_folder_size(inbox) == 0);
	CHECK(has(tsess_talk(&t, "f12 FETCH 1:* FLAGS"), "f12 BAD"));
	tsess_talk(&t, "f13 SELECT Sent");
	tsess_talk(&t, "f14 STORE 1 +FLAGS (\\Deleted)");
	CHECK_STR(tsess_talk(&t, "f15 CLOSE"), "f15 OK CLOSE completed\r\n");
	CHECK(imap_server_state(t.s) == IMAP_SERVER_AUTH);
	struct ms_folder *sent = ms_folder_find(mailstore_find_user(ms, "maria@dominio.de.maria"), "Sent");
	CHECK(ms_folder_size(sent) == 1);
	tsess_close(&t);
}

static void test_search_and_uid(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	tsess_talk(&t, "u0 SELECT INBOX");
	CHECK(has(tsess_talk(&t, "u1 SEARCH FROM \"juan\""), "* SEARCH 1 3\r\nu1 OK SEARCH completed"));
	CHECK(has(tsess_talk(&t, "u2 SEARCH UNSEEN"), "* SEARCH 3\r\n"));
	CHECK(has(tsess_talk(&t, "u3 SEARCH FLAGGED NOT FROM juan"), "* SEARCH 2\r\n"));
	CHECK(has(tsess_talk(&t, "u4 SEARCH CHARSET KOI8-R FROM x"), "u4 NO [BADCHARSET"));
	CHECK(has(tsess_talk(&t, "u5 SEARCH (FROM"), "u5 BAD"));
	CHECK(has(tsess_talk(&t, "u6 SEARCH"), "u6 BAD"));
	/* UIDs differ from numbers once something is expunged. */
	tsess_talk(&t, "u7 STORE 1 +FLAGS (\\Deleted)");
	tsess_talk(&t, "u8 EXPUNGE");
	CHECK(has(tsess_talk(&t, "u9 UID SEARCH FROM juan"), "* SEARCH 3\r\nu9 OK UID SEARCH completed"));
	CHECK(has(tsess_talk(&t, "u10 UID FETCH 3 FLAGS"), "* 2 FETCH (UID 3 FLAGS (\\Recent))\r\n"));
	CHECK_STR(tsess_talk(&t, "u11 UID FETCH 1 FLAGS"), "u11 OK UID FETCH completed\r\n");
	CHECK(has(tsess_talk(&t, "u12 UID FETCH 9:* UID"), "* 2 FETCH (UID 3)\r\n"));
	CHECK(has(tsess_talk(&t, "u13 UID STORE 2 +FLAGS (\\Answered)"),
		  "* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged) UID 2)\r\n"));
	CHECK(has(tsess_talk(&t, "u14 UID COPY 2:3 Sent"), "u14 OK UID COPY completed"));
	CHECK(has(tsess_talk(&t, "u15 UID FROB 1"), "u15 BAD Unknown command"));
	tsess_close(&t);
}

static void test_bad_input(void)
{
	world();
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	login(&t);
	tsess_talk(&t, "x0 SELECT INBOX");
	/* Malformed sequence sets. */
	CHECK(has(tsess_talk(&t, "x1 FETCH 0 FLAGS"), "x1 BAD"));
	CHECK(has(tsess_talk(&t, "x2 FETCH 1:x FLAGS"), "x2 BAD"));
	CHECK(has(tsess_talk(&t, "x3 FETCH 9 FLAGS"), "x3 BAD"));
	CHECK(has(tsess_talk(&t, "x4 FETCH 1,,2 FLAGS"), "x4 BAD"));
	CHECK(has(tsess_talk(&t, "x5 FETCH 99999999999 FLAGS"), "x5 BAD"));
	CHECK(has(tsess_talk(&t, "x6 FETCH 1 (FLAGS"), "x6 BAD"));
	CHECK(has(tsess_talk(&t, "x7 STORE 1:* +FLAGS"), "x7 BAD"));
	/* A 10,000-byte line. */
	char *big = malloc(10001);
	REQUIRE(big);
	memset(big, 'A', 10000);
	big[10000] = 0;
	memcpy(big, "x8 NOOP ", 8);
	CHECK(has(tsess_talk(&t, big), "* BAD Line too long"));
	CHECK(has(tsess_talk(&t, "x9 NOOP"), "x9 OK"));
	/* A huge synchronising literal: NO before any octet is read. */
	const char *r = tsess_talk(&t, "x10 APPEND INBOX {4294967296}");
	CHECK(has(r, "x10 NO [TOOBIG]"));
	CHECK(!strstr(r, "+ Ready"));
	CHECK(has(tsess_talk(&t, "x11 NOOP"), "x11 OK"));
	/* A too big non-synchronising one: BAD, its octets skipped. */
	size_t n = 11u * 1024 * 1024;
	char head[64];
	snprintf(head, sizeof head, "x12 APPEND INBOX {%zu+}\r\n", n);
	tsess_feed(&t, head, strlen(head));
	char *junk = malloc(n);
	REQUIRE(junk);
	memset(junk, 'x', n);
	memcpy(junk, "x99 LOGOUT\r\n", 12); /* must not be read as a command */
	tsess_feed(&t, junk, n);
	free(junk);
	r = tsess_talk(&t, "");
	CHECK(has(r, "x12 BAD [TOOBIG]"));
	CHECK(!strstr(r, "BYE"));
	CHECK(has(tsess_talk(&t, "x13 NOOP"), "x13 OK"));
	/* Absurd non-sync literal: the session cannot skip it. */
	r = tsess_talk(&t, "x14 APPEND INBOX {99999999999999+}");
	CHECK(has(r, "* BYE"));
	tsess_close(&t);

	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	CHECK(has(tsess_talk(&t, "y1 LOGIN {12x}"), "y1 BAD"));
	CHECK(has(tsess_talk(&t, ""), "* BAD"));
	CHECK(has(tsess_talk(&t, "+ NOOP"), "* BAD"));
	tsess_feed(&t, "y2 NO\0OP\r\n", 10);
	CHECK(has(tsess_pending(&t), "y2 BAD"));
	CHECK(has(tsess_talk(&t, "y3 UID"), "y3 BAD"));
	CHECK(has(tsess_talk(&t, "y4 CAPABILITY"), "y4 OK"));
	tsess_close(&t);
	free(big);
}

/* Two sessions on one folder: what each is told, and when. */
static void test_two_sessions(void)
{
	world();
	struct tsess a, b;
	REQUIRE(tsess_open(&a, ms, NULL) == 0);
	REQUIRE(tsess_open(&b, ms, NULL) == 0);
	login(&a);
	login(&b);
	tsess_talk(&a, "a1 SELECT INBOX");
	tsess_talk(&b, "b1 SELECT INBOX");
	/* A delivery: both learn of it at their next command; \Recent goes
	 * to one of them only. */
	tsess_deliver(inbox, "Juan <juan@uba.ar>", "Nueva", MS_RECENT);
	CHECK_STR(tsess_pending(&a), "");
	CHECK_STR(tsess_talk(&a, "a2 NOOP"), "* 4 EXISTS\r\n* 2 RECENT\r\na2 OK NOOP completed\r\n");
	CHECK_STR(tsess_talk(&b, "b2 NOOP"), "* 4 EXISTS\r\n* 0 RECENT\r\nb2 OK NOOP completed\r\n");
	/* A flag change by A reaches B as an unsolicited FETCH. */
	tsess_talk(&a, "a3 STORE 4 +FLAGS.SILENT (\\Flagged)");
	CHECK_STR(tsess_talk(&b, "b3 NOOP"), "* 4 FETCH (FLAGS (\\Flagged))\r\nb3 OK NOOP completed\r\n");
	/* Changed and changed back before B looks: nothing to tell. */
	tsess_talk(&a, "a4 STORE 1 +FLAGS.SILENT (\\Answered)");
	tsess_talk(&a, "a5 STORE 1 -FLAGS.SILENT (\\Answered)");
	CHECK_STR(tsess_talk(&b, "b4 NOOP"), "b4 OK NOOP completed\r\n");
	/* A expunges message 2: B must not hear of it during FETCH, STORE
	 * or SEARCH, and keeps its numbering until then. */
	tsess_talk(&a, "a6 STORE 2 +FLAGS.SILENT (\\Deleted)");
	CHECK_STR(tsess_talk(&a, "a7 EXPUNGE"), "* 2 EXPUNGE\r\na7 OK EXPUNGE completed\r\n");
	const char *r = tsess_talk(&b, "b5 FETCH 1:4 UID");
	CHECK(!strstr(r, "EXPUNGE\r\n"));
	CHECK(has(r, "* 1 FETCH (UID 1)\r\n* 3 FETCH (UID 3)\r\n* 4 FETCH (UID 4)\r\n"));
	CHECK(has(r, "b5 NO [EXPUNGEISSUED]"));
	r = tsess_talk(&b, "b6 SEARCH ALL");
	CHECK(!strstr(r, "EXPUNGE\r\n"));
	CHECK(has(r, "* SEARCH 1 3 4\r\n"));
	r = tsess_talk(&b, "b7 STORE 3 +FLAGS (\\Seen)");
	CHECK(!strstr(r, "EXPUNGE\r\n"));
	CHECK(has(r, "* 3 FETCH (FLAGS (\\Seen))\r\n"));
	/* A UID command may carry it; so does NOOP. */
	r = tsess_talk(&b, "b8 UID FETCH 1 UID");
	CHECK(has(r, "* 2 EXPUNGE\r\nb8 OK"));
	CHECK_STR(tsess_talk(&b, "b9 NOOP"), "b9 OK NOOP completed\r\n");
	/* A delivered and expunged before B looked: B hears nothing. */
	long uid = tsess_deliver(inbox, "x@y", "fugaz", 0);
	ms_set_flags(inbox, (uint32_t)uid, MS_DELETED, 0);
	ms_expunge(inbox);
	CHECK_STR(tsess_talk(&b, "b10 NOOP"), "b10 OK NOOP completed\r\n");
	tsess_talk(&a, "a8 NOOP");
	/* Deleting the folder B has selected: B is told to go. */
	struct ms_user *u = mailstore_find_user(ms, "maria@dominio.de.maria");
	struct ms_folder *f = NULL;
	ms_folder_create(u, "Tmp", &f);
	tsess_talk(&b, "b11 SELECT Tmp");
	CHECK(has(tsess_talk(&a, "a9 DELETE Tmp"), "a9 OK"));
	CHECK(has(tsess_pending(&b), "* BYE Selected mailbox was deleted"));
	CHECK(imap_server_should_close(b.s));
	tsess_close(&a);
	tsess_close(&b);
}

static void test_idle(void)
{
	world();
	struct tsess a, b;
	REQUIRE(tsess_open(&a, ms, NULL) == 0);
	REQUIRE(tsess_open(&b, ms, NULL) == 0);
	login(&a);
	login(&b);
	tsess_talk(&a, "a1 SELECT INBOX");
	tsess_talk(&b, "b1 SELECT INBOX");
	CHECK_STR(tsess_talk(&a, "a2 IDLE"), "+ idling\r\n");
	CHECK(imap_server_idling(a.s));
	/* Everything reaches the idler at once. */
	tsess_deliver(inbox, "Juan <juan@uba.ar>", "En vivo", MS_RECENT);
	CHECK_STR(tsess_pending(&a), "* 4 EXISTS\r\n* 2 RECENT\r\n");
	tsess_talk(&b, "b2 STORE 1 +FLAGS.SILENT (\\Flagged)");
	CHECK_STR(tsess_pending(&a), "* 1 FETCH (FLAGS (\\Seen \\Flagged))\r\n");
	tsess_talk(&b, "b3 STORE 2 +FLAGS.SILENT (\\Deleted)");
	tsess_pending(&a);
	tsess_talk(&b, "b4 EXPUNGE");
	CHECK_STR(tsess_pending(&a), "* 2 EXPUNGE\r\n");
	CHECK_STR(tsess_talk(&a, "DONE"), "a2 OK IDLE terminated\r\n");
	CHECK(!imap_server_idling(a.s));
	tsess_talk(&a, "a3 IDLE");
	CHECK(has(tsess_talk(&a, "NOT-DONE"), "a3 BAD"));
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.test");
	cfg.no_idle = 1;
	cfg.no_literal_plus = 1;
	struct tsess c;
	REQUIRE(tsess_open(&c, ms, &cfg) == 0);
	login(&c);
	CHECK(has(tsess_talk(&c, "c1 IDLE"), "c1 BAD Unknown command"));
	CHECK(has(tsess_talk(&c, "c2 CAPABILITY"), "IMAP4rev1 SASL-IR CHILDREN AUTH=PLAIN\r\n"));
	tsess_close(&c);
	tsess_close(&a);
	tsess_close(&b);
}

/* [ALERT] after login, the autologout timer, and a shutdown. */
static void test_alert_timeout_shutdown(void)
{
	world();
	struct imap_server_config cfg;
	imap_server_config_init(&cfg, "imap.test");
	cfg.alert = "The server goes down for maintenance at 18:00";
	cfg.greeting = "Hola";
	struct tsess t;
	REQUIRE(tsess_open(&t, ms, &cfg) == 0);
	const char *r = tsess_talk(&t, "a1 LOGIN maria secreto");
	CHECK(has(r, "AUTH=PLAIN] Hola\r\n* OK [ALERT] The server goes down for maintenance at 18:00\r\n"
		     "a1 OK Logged in\r\n"));
	tsess_talk(&t, "a2 SELECT INBOX");
	imap_server_timeout(t.s);
	CHECK_STR(tsess_pending(&t), "* BYE Autologout; idle for too long\r\n");
	CHECK(imap_server_should_close(t.s));
	CHECK(imap_server_state(t.s) == IMAP_SERVER_LOGOUT);
	/* The folder is no longer watched: a delivery reaches nobody. */
	tsess_deliver(inbox, "x@y", "late", MS_RECENT);
	CHECK_STR(tsess_pending(&t), "");
	tsess_close(&t);
	REQUIRE(tsess_open(&t, ms, NULL) == 0);
	tsess_pending(&t); /* the greeting */
	imap_server_shutdown(t.s, NULL);
	CHECK_STR(tsess_pending(&t), "* BYE Server shutting down\r\n");
	tsess_close(&t);
}

/* The same conversation fed whole and one byte at a time must give the
 * same bytes. */
static void test_bytewise(void)
{
	static const char *const script[] = {
		"a LOGIN {5}", "maria {7}", "secreto", "b SELECT \"INBOX\"", "c FETCH 1:* (FLAGS UID RFC822.SIZE)",
		"d APPEND Sent {10}", "0123456789", "e APPEND Sent {3+}\r\nabc", "f SEARCH OR FROM juan SUBJECT apuntes",
		"g STORE 1:2 +FLAGS (\\Seen)", "h LIST \"\" *", "i LOGOUT",
	};
	struct buf whole, bytes;
	buf_init(&whole, 1 << 20);
	buf_init(&bytes, 1 << 20);
	for (int mode = 0; mode < 2; mode++) {
		world();
		struct tsess t;
		REQUIRE(tsess_open(&t, ms, NULL) == 0);
		t.bytewise = mode;
		struct buf *out = mode ? &bytes : &whole;
		for (size_t i = 0; i < sizeof script / sizeof script[0]; i++)
			buf_puts(out, tsess_talk(&t, script[i]));
		tsess_close(&t);
	}
	CHECK(whole.len > 500);
	CHECK(whole.len == bytes.len && memcmp(whole.data, bytes.data, whole.len) == 0);
	CHECK(has(whole.data, "+ Ready for literal data\r\n"));
	CHECK(has(whole.data, "* SEARCH 1 2 3\r\n"));
	buf_free(&whole);
	buf_free(&bytes);
}

int main(void)
{
	RUN(test_greeting_and_any_state);
	RUN(test_login_paths);
	RUN(test_authenticate_plain);
	RUN(test_select_examine);
	RUN(test_mailbox_commands);
	RUN(test_append);
	RUN(test_store_fetch_copy_expunge);
	RUN(test_search_and_uid);
	RUN(test_bad_input);
	RUN(test_two_sessions);
	RUN(test_idle);
	RUN(test_alert_timeout_shutdown);
	RUN(test_bytewise);
	mailstore_free(&ms);
	CHECK(blob_live_count() == 0);
	return harness_done();
}

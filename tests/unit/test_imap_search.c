/* Unit tests for protocols/imap_search: every RFC 3501 6.4.4 key true and
 * false against one message, NEW/OLD and dates at zone edges, the RFC's
 * examples, CHARSET and [BADCHARSET], and malformed programs (bad sets,
 * unbalanced parentheses, huge numbers, deep nesting) refused cleanly. */
#include "protocols/imap_search.h"

#include <stdlib.h>

#include "protocols/imap_msgview.h"

#include "protocols/proto_err.h"
#include "tests/unit/harness.h"

/* Juan's note to María, with a Latin-1 quoted-printable text part and a
 * base64 attachment; sent late on 1 May in -0300 (2 May in UTC). */
static const char juan[] = "From: Juan <juan@dominio.de.juan>\r\n"
			   "To: =?utf-8?q?Mar=C3=ADa?= <maria@dominio.de.maria>\r\n"
			   "Cc: Ana <ana@ejemplo.org>\r\n"
			   "Bcc: pepe@gmail.com\r\n"
			   "Subject: =?utf-8?q?Hola=2C_=C2=BFc=C3=B3mo_est=C3=A1s=3F?=\r\n"
			   "Date: Mon, 01 May 2006 23:30:00 -0300\r\n"
			   "X-Mailer: mailsim\r\n"
			   "MIME-Version: 1.0\r\n"
			   "Content-Type: multipart/mixed; boundary=B\r\n"
			   "\r\n"
			   "--B\r\n"
			   "Content-Type: text/plain; charset=iso-8859-1\r\n"
			   "Content-Transfer-Encoding: quoted-printable\r\n"
			   "\r\n"
			   "Hola Mar=EDa, te mando una SERENATA.\r\n"
			   "--B\r\n"
			   "Content-Type: audio/wav; name=serenata.wav\r\n"
			   "Content-Transfer-Encoding: base64\r\n"
			   "\r\n"
			   "UklGRg==\r\n"
			   "--B--\r\n";

/* 2006-05-02 03:00 UTC. */
#define MAY2_0300 (13270 * 86400LL + 3 * 3600)

static const char *const juan_kw[] = {"$Forwarded"};

static struct imap_msgview juan_view(void)
{
	struct imap_msgview v = {.seq = 3,
				 .uid = 30,
				 .flags = IMAP_F_SEEN | IMAP_F_FLAGGED,
				 .keywords = juan_kw,
				 .keyword_count = 1,
				 .internal_date = MAY2_0300,
				 .internal_zone_min = 0,
				 .raw = juan,
				 .raw_len = sizeof juan - 1};
	return v;
}

static const struct imap_search_ctx ctx = {.exists = 5, .max_uid = 50};

/* 1/0 for a match, or the parse error (negative). */
static int run(const char *prog, const struct imap_msgview *v)
{
	struct imap_cursor c;
	imap_cursor_init(&c, prog, strlen(prog));
	struct imap_search *s = NULL;
	int bad;
	int rc = imap_search_parse(&c, NULL, &s, &bad);
	if (rc < 0)
		return rc;
	rc = imap_search_match(s, &ctx, v);
	imap_search_free(&s);
	return rc;
}

static void test_every_key(void)
{
	struct imap_msgview v = juan_view();
	static const struct {
		const char *prog;
		int want;
	} cases[] = {
		{"ALL", 1},
		{"ANSWERED", 0},
		{"UNANSWERED", 1},
		{"BCC pepe", 1},
		{"BCC juan", 0},
		{"BEFORE 3-May-2006", 1},
		{"BEFORE 2-May-2006", 0},
		{"ON 2-May-2006", 1},
		{"ON 1-May-2006", 0},
		{"SINCE 2-May-2006", 1},
		{"SINCE 3-May-2006", 0},
		{"BODY serenata", 1},
		{"BODY \"MAR\xc3\x8d" "A\"", 1}, /* Latin-1 part converted; case folded */
		{"BODY UklGRg", 0},            /* the attachment is not text */
		{"BODY mailsim", 0},           /* a header is not the body */
		{"CC ana", 1},
		{"CC pepe", 0},
		{"DELETED", 0},
		{"UNDELETED", 1},
		{"DRAFT", 0},
		{"UNDRAFT", 1},
		{"FLAGGED", 1},
		{"UNFLAGGED", 0},
		{"FROM juan", 1},
		{"FROM \"JUAN@DOMINIO\"", 1},
		{"FROM maria", 0},
		{"HEADER X-Mailer \"\"", 1},
		{"HEADER X-Other \"\"", 0},
		{"HEADER x-mailer SIM", 1},
		{"HEADER x-mailer exim", 0},
		{"KEYWORD $Forwarded", 1},
		{"KEYWORD work", 0},
		{"UNKEYWORD work", 1},
		{"UNKEYWORD $forwarded", 0},
		{"LARGER 10", 1},
		{"LARGER 100000", 0},
		{"SMALLER 100000", 1},
		{"SMALLER 10", 0},
		{"NEW", 0},
		{"OLD", 1},
		{"RECENT", 0},
		{"SEEN", 1},
		{"UNSEEN", 0},
		{"NOT SEEN", 0},
		{"NOT UNSEEN", 1},
		{"OR SEEN DELETED", 1},
		{"OR DELETED DRAFT", 0},
		{"SENTON 1-May-2006", 1}, /* the Date header's own day */
		{"SENTON 2-May-2006", 0},
		{"SENTBEFORE 2-May-2006", 1},
		{"SENTBEFORE 1-May-2006", 0},
		{"SENTSINCE 1-May-2006", 1},
		{"SENTSINCE 2-May-2006", 0},
		{"SUBJECT \"c\xc3\xb3mo\"", 1},
		{"SUBJECT c\xc3\xb3mo", PROTO_EINVAL}, /* 8-bit is not an atom */
		{"SUBJECT \"C\xc3\x93MO EST\xc3\x81S\"", 1},
		{"SUBJECT =?utf", 0},
		{"TEXT serenata", 1},
		{"TEXT pepe@gmail", 1}, /* header text counts */
		{"TEXT nothere", 0},
		{"TO \"mar\xc3\xad" "a\"", 1},
		{"TO juan", 0},
		{"UID 30", 1},
		{"UID 1:29", 0},
		{"UID 40:*", 0},
		{"UID 31:*,2,30", 1},
		{"3", 1},
		{"1:2", 0},
		{"3:*", 1},
		{"*", 0},
		{"2,4:5", 0},
		{"(SEEN FLAGGED)", 1},
		{"(SEEN DELETED)", 0},
		{"SEEN FLAGGED FROM juan", 1},
		{"SEEN UNFLAGGED", 0},
		{"NOT (OR DELETED (NOT SEEN))", 1},
		{"OR (DELETED) (OR ANSWERED (FROM juan UID 30))", 1},
		{"CHARSET UTF-8 SUBJECT {5}\r\nc\xc3\xb3mo", 1},
		{"charset us-ascii from JUAN", 1},
		{"from {4+}\r\njuan", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = run(cases[i].prog, &v);
		if (got != cases[i].want)
			fprintf(stderr, "  search %s: got %d, want %d\n", cases[i].prog, got, cases[i].want);
		CHECK(got == cases[i].want);
	}
}

static void test_new_old_and_dates(void)
{
	const char *m = "Subject: x\r\n\r\nbody\r\n";
	struct imap_msgview v = {.seq = 1, .uid = 1, .flags = IMAP_F_RECENT, .raw = m, .raw_len = strlen(m)};
	CHECK(run("NEW", &v) == 1);
	CHECK(run("OLD", &v) == 0);
	CHECK(run("RECENT", &v) == 1);
	CHECK(run("UNSEEN", &v) == 1);
	v.flags |= IMAP_F_SEEN;
	CHECK(run("NEW", &v) == 0);
	/* No Date header: no SENT* key matches, their negations do. */
	CHECK(run("SENTON 1-Jan-1970", &v) == 0);
	CHECK(run("SENTBEFORE 1-Jan-2100", &v) == 0);
	CHECK(run("NOT SENTSINCE 1-Jan-1900", &v) == 1);
	/* The internal date's day is taken in its own zone: 03:00 UTC on
	 * 2 May is 1 May at -0500. */
	struct imap_msgview w = juan_view();
	w.internal_zone_min = -300;
	CHECK(run("ON 1-May-2006", &w) == 1);
	CHECK(run("ON 2-May-2006", &w) == 0);
	w.internal_date = -1; /* 31 Dec 1969 */
	w.internal_zone_min = 0;
	CHECK(run("ON 31-Dec-1969", &w) == 1);
	CHECK(run("BEFORE 1-Jan-1970", &w) == 1);
	/* An unreadable Date header matches no SENT* key. */
	const char *bad = "Date: not a date\r\n\r\n";
	struct imap_msgview b = {.raw = bad, .raw_len = strlen(bad)};
	CHECK(run("SENTSINCE 1-Jan-1900", &b) == 0);
	/* An empty header search matches any message with the field. */
	CHECK(run("HEADER Date \"\"", &b) == 1);
	CHECK(run("SUBJECT \"\"", &b) == 0);
}

/* RFC 3501 6.4.4's examples parse and say what the RFC says. */
static void test_rfc_examples(void)
{
	const char *m = "From: Smith <smith@example.com>\r\nDate: Wed, 2 Feb 1994 10:00:00 +0000\r\n\r\nhi\r\n";
	struct imap_msgview v = {.seq = 1,
				 .uid = 1,
				 .flags = IMAP_F_FLAGGED,
				 .internal_date = 8798 * 86400LL,
				 .raw = m,
				 .raw_len = strlen(m)};
	CHECK(run("FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", &v) == 0);
	CHECK(run("FLAGGED SINCE 1-Feb-1994 NOT FROM \"Jones\"", &v) == 1);
	CHECK(run("TEXT \"string not in mailbox\"", &v) == 0);
	CHECK(run("CHARSET UTF-8 TEXT {2}\r\nhi", &v) == 1);
	CHECK(run("OR SMALLER 1 LARGER 10", &v) == 1);
}

static void test_write(void)
{
	const char *prog = "or seen (deleted NOT from \"x y\") 2:4,* uid 1:* header X-A b before 1-Feb-1994 "
			   "keyword k larger 7";
	struct imap_cursor c;
	imap_cursor_init(&c, prog, strlen(prog));
	struct imap_search *s = NULL;
	int bad = -1;
	REQUIRE(imap_search_parse(&c, NULL, &s, &bad) == 0);
	CHECK(bad == 0);
	struct buf b;
	buf_init(&b, 4096);
	CHECK(imap_search_write(&b, s) == 0);
	CHECK_STR(b.data, "OR SEEN (DELETED NOT FROM \"x y\") 2:4,* UID 1:* HEADER X-A \"b\" BEFORE 1-Feb-1994 "
			  "KEYWORD k LARGER 7");
	CHECK(!imap_search_needs_body(s));
	imap_search_free(&s);
	CHECK(s == NULL);
	imap_search_free(&s);
	imap_cursor_init(&c, "NOT (SEEN BODY x)", 17);
	REQUIRE(imap_search_parse(&c, NULL, &s, &bad) == 0);
	CHECK(imap_search_needs_body(s));
	imap_search_free(&s);
	buf_free(&b);
}

static int parse_rc(const char *prog, size_t n, const struct imap_search_limits *lim, int *bad_r)
{
	struct imap_cursor c;
	imap_cursor_init(&c, prog, n);
	struct imap_search *s = NULL;
	int bad = -1;
	int rc = imap_search_parse(&c, lim, &s, &bad);
	if (rc < 0) {
		CHECK(s == NULL);
		CHECK(c.err != NULL);
	}
	imap_search_free(&s);
	if (bad_r)
		*bad_r = bad;
	return rc;
}

static void test_malformed(void)
{
	const char *bad[] = {"",
			     "(",
			     "(SEEN",
			     "SEEN)",
			     "()",
			     "((SEEN)",
			     "(SEEN))",
			     "FOO",
			     "FROM",
			     "FROM ",
			     "FROM (x)",
			     "BEFORE 1-Foo-2000",
			     "BEFORE 31-Feb-2000",
			     "BEFORE",
			     "LARGER x",
			     "LARGER 99999999999",
			     "LARGER -1",
			     "UID",
			     "UID 0",
			     "UID x",
			     "NOT",
			     "NOT ",
			     "OR SEEN",
			     "OR SEEN ",
			     "SEEN  SEEN",
			     "SEEN ",
			     " SEEN",
			     "KEYWORD \\Seen",
			     "KEYWORD",
			     "HEADER",
			     "HEADER X",
			     "HEADER \"a:b\" x",
			     "CHARSET",
			     "CHARSET UTF-8",
			     "CHARSET UTF-8 ",
			     "0",
			     "1:",
			     "1,,2",
			     "4294967296",
			     "SUBJECT {10}\r\nshort",
			     "SUBJECT \"unterminated",
			     "SEEN\r\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse_rc(bad[i], strlen(bad[i]), NULL, NULL);
		if (rc == 0)
			fprintf(stderr, "  accepted: %s\n", bad[i]);
		CHECK(rc == PROTO_EINVAL || rc == PROTO_ELIMIT);
	}
	int badcs = 0;
	CHECK(parse_rc("CHARSET KOI8-R SEEN", 19, NULL, &badcs) == PROTO_EINVAL);
	CHECK(badcs == 1);
	CHECK(parse_rc("CHARSET \"\" SEEN", 15, NULL, &badcs) == PROTO_EINVAL);
	CHECK(badcs == 1);
	CHECK(parse_rc("FOO", 3, NULL, &badcs) == PROTO_EINVAL);
	CHECK(badcs == 0);

	/* Deep nesting of NOT, of parentheses and of OR. */
	struct buf b;
	buf_init(&b, 1 << 22);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "NOT ");
	buf_puts(&b, "SEEN");
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == PROTO_ELIMIT);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, '(');
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == PROTO_ELIMIT);
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_puts(&b, "OR SEEN ");
	buf_puts(&b, "SEEN");
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == PROTO_ELIMIT);
	/* Just inside the depth limit is fine. */
	buf_reset(&b);
	for (int i = 0; i < 63; i++)
		buf_puts(&b, "NOT ");
	buf_puts(&b, "SEEN");
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == 0);
	/* Too many keys; then under a raised limit. */
	buf_reset(&b);
	for (int i = 0; i < 2000; i++)
		buf_puts(&b, i ? " SEEN" : "SEEN");
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == PROTO_ELIMIT);
	struct imap_search_limits lim = {.max_keys = 5000};
	CHECK(parse_rc(b.data, b.len, &lim, NULL) == 0);
	/* A sequence-set explosion. */
	buf_reset(&b);
	buf_puts(&b, "UID ");
	for (int i = 1; i <= 100000; i++)
		buf_printf(&b, i > 1 ? ",%d" : "%d", i);
	CHECK(parse_rc(b.data, b.len, NULL, NULL) == PROTO_ELIMIT);
	buf_free(&b);
}

/* The header keys give the same answers from a parse cache as without
 * one, on the first and later searches: every occurrence of a repeated
 * field, no match across two occurrences, an absent field, the empty
 * string, and a cache moved to other text starting over. */
static void test_cached_headers(void)
{
	static const char two[] = "From: Ana <ana@a.example>\r\nFrom: Bea <bea@b.example>\r\n"
				  "Subject: =?utf-8?q?=C3=81rbol?=\r\n\r\nx\r\n";
	struct imap_msgcache *mc = imap_msgcache_new();
	REQUIRE(mc != NULL);
	struct imap_msgview plain = {.seq = 1, .uid = 1, .raw = two, .raw_len = sizeof two - 1};
	struct imap_msgview cached = plain;
	cached.cache = mc;
	static const struct {
		const char *prog;
		int want;
	} cases[] = {
		{"FROM \"bea@b\"", 1}, {"FROM ana", 1}, {"FROM \"example>bea\"", 0}, /* spans two Froms */
		{"FROM \"\"", 1},      {"TO \"\"", 0}, {"CC ana", 0},
		{"SUBJECT \"\xc3\xa1rbol\"", 1}, {"FROM carla", 0},   {"HEADER FROM bea", 1},
		{"OR FROM zed SUBJECT ARBOL", 0},   /* folding covers Latin-1 letters only in UTF-8 form */
	};
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			CHECK_EQ_INT(run(cases[i].prog, &plain), cases[i].want);
			CHECK_EQ_INT(run(cases[i].prog, &cached), cases[i].want);
		}
	struct imap_msgview other = juan_view();
	other.cache = mc;
	CHECK_EQ_INT(run("FROM juan", &other), 1);
	CHECK_EQ_INT(run("FROM bea", &other), 0);
	CHECK_EQ_INT(run("FROM bea", &cached), 1);
	imap_msgcache_free(&mc);
}

int main(void)
{
	RUN(test_cached_headers);
	RUN(test_every_key);
	RUN(test_new_old_and_dates);
	RUN(test_rfc_examples);
	RUN(test_write);
	RUN(test_malformed);
	return harness_done();
}

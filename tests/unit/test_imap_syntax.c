/* Unit tests for protocols/imap_syntax: every reader and writer, literals,
 * quoted escapes, failures leaving the cursor where it was, and dates. */
#include "protocols/imap_syntax.h"

#include <stdlib.h>

#include "protocols/proto_err.h"
#include "tests/unit/harness.h"

static struct buf b;

static void cur(struct imap_cursor *c, const char *s)
{
	imap_cursor_init(c, s, strlen(s));
	buf_reset(&b);
}

/* Reads with fn; on failure checks the cursor did not move. */
#define READ_FAIL(c, call)                                                                                     \
	do {                                                                                                   \
		const uint8_t *before_ = (c).p;                                                               \
		CHECK((call) == PROTO_EINVAL);                                                                 \
		CHECK((c).p == before_);                                                                       \
		CHECK((c).err != NULL);                                                                        \
	} while (0)

static void test_basics(void)
{
	struct imap_cursor c;
	cur(&c, "a1 NOOP");
	CHECK_EQ_INT(imap_peek(&c), 'a');
	CHECK(!imap_at_end(&c));
	CHECK(imap_read_tag(&c, &b) == 0);
	CHECK_STR(b.data, "a1");
	CHECK(imap_sp(&c) == 0);
	READ_FAIL(c, imap_sp(&c));
	CHECK(imap_accept_word(&c, "NOO") == 0);
	CHECK(imap_accept_word(&c, "noop") == 1);
	CHECK(imap_at_end(&c));
	CHECK_EQ_INT(imap_peek(&c), -1);
	cur(&c, "BODY[");
	CHECK(imap_accept_word(&c, "body") == 1);
	CHECK(imap_expect(&c, '[') == 0);
	cur(&c, "x");
	CHECK(imap_expect(&c, 'X') == 0);
}

static void test_tag_atom(void)
{
	struct imap_cursor c;
	cur(&c, "+x");
	READ_FAIL(c, imap_read_tag(&c, &b));
	cur(&c, "A]1 x");
	CHECK(imap_read_tag(&c, &b) == 0);
	CHECK_STR(b.data, "A]1");
	cur(&c, "abc]def");
	CHECK(imap_read_atom(&c, &b) == 0);
	CHECK_STR(b.data, "abc");
	CHECK_EQ_INT(imap_peek(&c), ']');
	cur(&c, "(x");
	READ_FAIL(c, imap_read_atom(&c, &b));
	cur(&c, "*");
	READ_FAIL(c, imap_read_atom(&c, &b));
	cur(&c, "\xc3\xa9");
	READ_FAIL(c, imap_read_atom(&c, &b));
	cur(&c, "BODY.PEEK[TEXT]");
	CHECK(imap_read_atom_until(&c, "[.", &b) == 0);
	CHECK_STR(b.data, "BODY");
	CHECK_EQ_INT(imap_peek(&c), '.');
	cur(&c, "RFC822.SIZE<");
	CHECK(imap_read_atom_until(&c, "[<", &b) == 0);
	CHECK_STR(b.data, "RFC822.SIZE");
}

static void test_numbers(void)
{
	struct imap_cursor c;
	uint32_t n;
	uint64_t n64;
	cur(&c, "4294967295 ");
	CHECK(imap_read_number(&c, &n) == 0);
	CHECK(n == 4294967295u);
	cur(&c, "4294967296");
	READ_FAIL(c, imap_read_number(&c, &n));
	cur(&c, "0");
	CHECK(imap_read_number(&c, &n) == 0 && n == 0);
	cur(&c, "0");
	READ_FAIL(c, imap_read_nz_number(&c, &n));
	cur(&c, "x1");
	READ_FAIL(c, imap_read_number(&c, &n));
	cur(&c, "18446744073709551615");
	CHECK(imap_read_number64(&c, &n64) == 0 && n64 == UINT64_MAX);
	cur(&c, "18446744073709551616");
	READ_FAIL(c, imap_read_number64(&c, &n64));
	cur(&c, "99999999999999999999999999999");
	READ_FAIL(c, imap_read_number(&c, &n));
}

static void test_strings(void)
{
	struct imap_cursor c;
	cur(&c, "\"a \\\"b\\\" \\\\c\" rest");
	CHECK(imap_read_string(&c, &b) == 0);
	CHECK_STR(b.data, "a \"b\" \\c");
	CHECK_EQ_INT(imap_peek(&c), ' ');
	cur(&c, "\"\"");
	CHECK(imap_read_string(&c, &b) == 0);
	CHECK_EQ_INT(b.len, 0);
	cur(&c, "\"bad \\n escape\"");
	READ_FAIL(c, imap_read_string(&c, &b));
	CHECK_EQ_INT(b.len, 0);
	cur(&c, "\"unterminated");
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "\"cr\rin\"");
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "{5}\r\nhello world");
	CHECK(imap_read_string(&c, &b) == 0);
	CHECK_STR(b.data, "hello");
	CHECK_EQ_INT(imap_peek(&c), ' ');
	cur(&c, "{5+}\r\nhe\r\nl");
	CHECK(imap_read_string(&c, &b) == 0);
	CHECK_STR(b.data, "he\r\nl");
	CHECK(imap_at_end(&c));
	cur(&c, "{0}\r\n");
	CHECK(imap_read_string(&c, &b) == 0);
	CHECK_EQ_INT(b.len, 0);
	cur(&c, "{6}\r\nhello");
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "{5}hello");
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "{5x}\r\nhello");
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "{99999999999999999999999}\r\n");
	READ_FAIL(c, imap_read_string(&c, &b));
	imap_cursor_init(&c, "{3}\r\na\0b", 8);
	READ_FAIL(c, imap_read_string(&c, &b));
	cur(&c, "atom");
	READ_FAIL(c, imap_read_string(&c, &b));

	/* A buffer too small for the string: the cursor stays, nothing kept. */
	struct buf small;
	buf_init(&small, 3);
	cur(&c, "\"abcdef\"");
	CHECK(imap_read_string(&c, &small) == PROTO_ELIMIT);
	CHECK(c.p == (const uint8_t *)c.end - 8);
	CHECK_EQ_INT(small.len, 0);
	buf_free(&small);
}

static void test_astring_nstring(void)
{
	struct imap_cursor c;
	int nil = -1;
	cur(&c, "INBOX] x");
	CHECK(imap_read_astring(&c, &b) == 0);
	CHECK_STR(b.data, "INBOX]");
	cur(&c, "\"My Box\"");
	CHECK(imap_read_astring(&c, &b) == 0);
	CHECK_STR(b.data, "My Box");
	cur(&c, "{2}\r\nab");
	CHECK(imap_read_astring(&c, &b) == 0);
	CHECK_STR(b.data, "ab");
	cur(&c, "(x)");
	READ_FAIL(c, imap_read_astring(&c, &b));
	cur(&c, "NIL)");
	CHECK(imap_read_nstring(&c, &b, &nil) == 0);
	CHECK(nil == 1);
	CHECK_EQ_INT(imap_peek(&c), ')');
	cur(&c, "\"NIL\"");
	CHECK(imap_read_nstring(&c, &b, &nil) == 0);
	CHECK(nil == 0);
	CHECK_STR(b.data, "NIL");
	cur(&c, "NILS");
	READ_FAIL(c, imap_read_nstring(&c, &b, &nil));
	cur(&c, "foo");
	READ_FAIL(c, imap_read_nstring(&c, &b, &nil));
}

static void test_list_mailbox_flag(void)
{
	struct imap_cursor c;
	cur(&c, "INBOX/%* x");
	CHECK(imap_read_list_mailbox(&c, &b) == 0);
	CHECK_STR(b.data, "INBOX/%*");
	cur(&c, "\"\"");
	CHECK(imap_read_list_mailbox(&c, &b) == 0);
	CHECK_EQ_INT(b.len, 0);
	cur(&c, "(");
	READ_FAIL(c, imap_read_list_mailbox(&c, &b));
	cur(&c, "\\Seen)");
	CHECK(imap_read_flag(&c, &b) == 0);
	CHECK_STR(b.data, "\\Seen");
	cur(&c, "\\*");
	CHECK(imap_read_flag(&c, &b) == 0);
	CHECK_STR(b.data, "\\*");
	cur(&c, "$Forwarded ");
	CHECK(imap_read_flag(&c, &b) == 0);
	CHECK_STR(b.data, "$Forwarded");
	cur(&c, "\\");
	READ_FAIL(c, imap_read_flag(&c, &b));
	CHECK_EQ_INT(b.len, 0);
	cur(&c, "\\(");
	READ_FAIL(c, imap_read_flag(&c, &b));
}

static void test_dates(void)
{
	struct imap_cursor c;
	int64_t days, t;
	int zone;
	cur(&c, "1-Feb-1994");
	CHECK(imap_read_date(&c, &days) == 0);
	CHECK_EQ_INT(days, 8797); /* 1994-02-01 */
	cur(&c, "\"01-jan-1970\"");
	CHECK(imap_read_date(&c, &days) == 0);
	CHECK_EQ_INT(days, 0);
	cur(&c, "29-Feb-2024");
	CHECK(imap_read_date(&c, &days) == 0);
	cur(&c, "29-Feb-2023");
	READ_FAIL(c, imap_read_date(&c, &days));
	cur(&c, "32-Jan-2020");
	READ_FAIL(c, imap_read_date(&c, &days));
	cur(&c, "1-Foo-2020");
	READ_FAIL(c, imap_read_date(&c, &days));
	cur(&c, "1-Jan-20");
	READ_FAIL(c, imap_read_date(&c, &days));
	cur(&c, "\"1-Jan-2020");
	READ_FAIL(c, imap_read_date(&c, &days));
	cur(&c, "\"17-Jul-1996 02:44:25 -0700\"");
	CHECK(imap_read_date_time(&c, &t, &zone) == 0);
	CHECK_EQ_INT(t, 837596665);
	CHECK_EQ_INT(zone, -420);
	cur(&c, "\" 7-Jul-1996 02:44:25 +0130\"");
	CHECK(imap_read_date_time(&c, &t, &zone) == 0);
	CHECK_EQ_INT(zone, 90);
	cur(&c, "\"17-Jul-1996 24:44:25 -0700\"");
	READ_FAIL(c, imap_read_date_time(&c, &t, &zone));
	cur(&c, "\"17-Jul-1996 02:44:25 0700\"");
	READ_FAIL(c, imap_read_date_time(&c, &t, &zone));
	cur(&c, "17-Jul-1996 02:44:25 -0700");
	READ_FAIL(c, imap_read_date_time(&c, &t, &zone));

	buf_reset(&b);
	CHECK(imap_write_date_time(&b, 837596665, -420) == 0);
	CHECK_STR(b.data, "\"17-Jul-1996 02:44:25 -0700\"");
	buf_reset(&b);
	CHECK(imap_write_date_time(&b, 0, 90) == 0);
	CHECK_STR(b.data, "\"01-Jan-1970 01:30:00 +0130\"");
	buf_reset(&b);
	CHECK(imap_write_date_time(&b, -1, 0) == 0);
	CHECK_STR(b.data, "\"31-Dec-1969 23:59:59 +0000\"");
	/* Round trip over a spread of times and zones. */
	for (int64_t s = -86400 * 400; s < 86400LL * 365 * 80; s += 86400 * 37 + 3671) {
		int zm = (int)(s % 1500) - 750;
		buf_reset(&b);
		REQUIRE(imap_write_date_time(&b, s, zm) == 0);
		imap_cursor_init(&c, b.data, b.len);
		REQUIRE(imap_read_date_time(&c, &t, &zone) == 0);
		CHECK(t == s && zone == zm);
	}
}

static void test_line_literal(void)
{
	uint64_t n = 0;
	int ns = -1;
#define LL(s) imap_line_literal((const uint8_t *)(s), strlen(s), &n, &ns)
	CHECK(LL("a LOGIN {5}") == 1 && n == 5 && ns == 0);
	CHECK(LL("a APPEND x {123+}") == 1 && n == 123 && ns == 1);
	CHECK(LL("a NOOP") == 0);
	CHECK(LL("a SELECT foo}") == 0);
	CHECK(LL("a SELECT \"{x}\"") == 0);
	CHECK(LL("a LOGIN {12x}") == PROTO_EINVAL);
	CHECK(LL("a LOGIN {}") == PROTO_EINVAL);
	CHECK(LL("a LOGIN {+}") == PROTO_EINVAL);
	CHECK(LL("a X {9223372036854775807}") == 1 && n == 9223372036854775807ull);
	CHECK(LL("a X {9223372036854775808}") == 1);
	CHECK(LL("a X {9223372036854775809}") == PROTO_EINVAL);
	CHECK(LL("a X {99999999999999999999999}") == PROTO_EINVAL);
#undef LL
}

static void test_writers(void)
{
	buf_reset(&b);
	CHECK(imap_write_string(&b, "a\"b\\c", 5) == 0);
	CHECK_STR(b.data, "\"a\\\"b\\\\c\"");
	buf_reset(&b);
	CHECK(imap_write_string(&b, "", 0) == 0);
	CHECK_STR(b.data, "\"\"");
	buf_reset(&b);
	CHECK(imap_write_string(&b, "a\r\nb", 4) == 0);
	CHECK_STR(b.data, "{4}\r\na\r\nb");
	buf_reset(&b);
	CHECK(imap_write_string(&b, "Mar\xc3\xad" "a", 6) == 0);
	CHECK_STR(b.data, "{6}\r\nMar\xc3\xad" "a");
	char big[1001];
	memset(big, 'x', sizeof big);
	buf_reset(&b);
	CHECK(imap_write_string(&b, big, 1000) == 0);
	CHECK(b.data[0] == '"' && b.len == 1002);
	buf_reset(&b);
	CHECK(imap_write_string(&b, big, 1001) == 0);
	CHECK(strncmp(b.data, "{1001}\r\n", 8) == 0);
	buf_reset(&b);
	CHECK(imap_write_nstring(&b, NULL, 0) == 0);
	CHECK_STR(b.data, "NIL");
	buf_reset(&b);
	CHECK(imap_write_nstring(&b, "x", 1) == 0);
	CHECK_STR(b.data, "\"x\"");
	buf_reset(&b);
	CHECK(imap_write_astring(&b, "INBOX]", 6) == 0);
	CHECK_STR(b.data, "INBOX]");
	buf_reset(&b);
	CHECK(imap_write_astring(&b, "My Box", 6) == 0);
	CHECK_STR(b.data, "\"My Box\"");
	buf_reset(&b);
	CHECK(imap_write_astring(&b, "", 0) == 0);
	CHECK_STR(b.data, "\"\"");
	buf_reset(&b);
	CHECK(imap_write_astring(&b, "nil", 3) == 0);
	CHECK_STR(b.data, "\"nil\"");

	/* Writers fail cleanly on a full buffer, leaving it unchanged. */
	struct buf small;
	buf_init(&small, 8);
	buf_puts(&small, "ab");
	CHECK(imap_write_string(&small, "abcdefgh", 8) == PROTO_ELIMIT);
	CHECK_STR(small.data, "ab");
	CHECK(imap_write_string(&small, "a\nbcdefgh", 9) == PROTO_ELIMIT);
	CHECK_STR(small.data, "ab");
	buf_free(&small);

	/* What the writer produces, the reader gives back. */
	const char *samples[] = {"plain", "with \"quotes\" and \\", "", "line\r\nbreak", "\xc3\xb1" "and\xc3\xba"};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		struct buf w, r;
		buf_init(&w, 1 << 16);
		buf_init(&r, 1 << 16);
		REQUIRE(imap_write_string(&w, samples[i], strlen(samples[i])) == 0);
		struct imap_cursor c;
		imap_cursor_init(&c, w.data, w.len);
		CHECK(imap_read_string(&c, &r) == 0);
		CHECK(imap_at_end(&c));
		CHECK(r.len == strlen(samples[i]) && memcmp(r.data ? r.data : "", samples[i], r.len) == 0);
		buf_free(&w);
		buf_free(&r);
	}
}

int main(void)
{
	buf_init(&b, 1 << 20);
	RUN(test_basics);
	RUN(test_tag_atom);
	RUN(test_numbers);
	RUN(test_strings);
	RUN(test_astring_nstring);
	RUN(test_list_mailbox_flag);
	RUN(test_dates);
	RUN(test_line_literal);
	RUN(test_writers);
	buf_free(&b);
	return harness_done();
}

/* SMTP reply parsing (RFC 5321 4.2): single and multi-line replies,
 * enhanced codes taken apart only when well formed and of the right class,
 * and every malformation refused with a reason. */
#include <stdlib.h>

#include "harness.h"
#include "protocols/smtp_reply.h"

/* Feeds "\n"-separated lines; returns the last status. */
static int feed(struct smtp_reply_parser *rp, const char *lines)
{
	int rc = SMTP_REPLY_MORE;
	while (*lines) {
		size_t n = strcspn(lines, "\n");
		rc = smtp_reply_parser_line(rp, lines, n);
		lines += n + (lines[n] == '\n');
		if (rc == SMTP_REPLY_BAD)
			break;
	}
	return rc;
}

static void test_good_replies(void)
{
	static const struct {
		const char *lines, *enhanced, *text;
		int code;
	} cases[] = {
		{"220 smtp-1.dc.uba.ar ESMTP", "", "smtp-1.dc.uba.ar ESMTP", 220},
		{"250-foo.com greets bar.com\n250-8BITMIME\n250 HELP", "", "foo.com greets bar.com\n8BITMIME\nHELP", 250},
		{"550 5.1.1 No such user here", "5.1.1", "No such user here", 550},
		{"452-4.5.3 Too many\n452 4.5.3 recipients", "4.5.3", "Too many\nrecipients", 452},
		{"250 2.0.0", "2.0.0", "", 250},
		{"250", "", "", 250},
		{"250 ", "", "", 250},
		{"550 2.1.1 wrong class", "", "2.1.1 wrong class", 550},
		{"250 2.1.1234 too many digits", "", "2.1.1234 too many digits", 250},
		{"250 2.1.5x no space", "", "2.1.5x no space", 250},
		{"354 go ahead punk, make my day", "", "go ahead punk, make my day", 354},
	};
	struct smtp_reply_parser *rp = smtp_reply_parser_new();
	REQUIRE(rp);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_EQ_INT(feed(rp, cases[i].lines), SMTP_REPLY_DONE);
		CHECK_EQ_INT(smtp_reply_code(rp), cases[i].code);
		CHECK_STR(smtp_reply_enhanced(rp), cases[i].enhanced);
		CHECK_STR(smtp_reply_text(rp), cases[i].text);
	}
	CHECK_EQ_INT(smtp_reply_parser_line(rp, "250-more", 8), SMTP_REPLY_MORE);
	smtp_reply_parser_free(&rp);
	CHECK(rp == NULL);
	smtp_reply_parser_free(&rp);
}

static void test_bad_replies(void)
{
	static const struct {
		const char *lines, *why;
	} cases[] = {
		{"25", "malformed reply line"},
		{"hello", "malformed reply line"},
		{"150 FTP, not SMTP", "malformed reply line"},
		{"260 second digit", "malformed reply line"},
		{"250_underscore", "malformed reply line"},
		{"250-one\n251 two", "reply code changed inside a multi-line reply"},
		{"250 a\rb", "NUL or bare CR in a reply"},
	};
	struct smtp_reply_parser *rp = smtp_reply_parser_new();
	REQUIRE(rp);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_EQ_INT(feed(rp, cases[i].lines), SMTP_REPLY_BAD);
		CHECK_STR(smtp_reply_error(rp), cases[i].why);
	}
	CHECK_EQ_INT(smtp_reply_parser_line(rp, "250 a\0b", 7), SMTP_REPLY_BAD);
	/* after an error the parser starts afresh */
	CHECK_EQ_INT(feed(rp, "221 bye"), SMTP_REPLY_DONE);
	CHECK_STR(smtp_reply_text(rp), "bye");
	for (int i = 0; i < SMTP_REPLY_MAX_LINES; i++)
		CHECK_EQ_INT(smtp_reply_parser_line(rp, "250-x", 5), SMTP_REPLY_MORE);
	CHECK_EQ_INT(smtp_reply_parser_line(rp, "250 x", 5), SMTP_REPLY_BAD);
	CHECK_STR(smtp_reply_error(rp), "reply has too many lines");
	smtp_reply_parser_free(&rp);
}

int main(void)
{
	RUN(test_good_replies);
	RUN(test_bad_replies);
	return harness_done();
}

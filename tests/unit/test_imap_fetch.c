/* Unit tests for protocols/imap_fetch (and the message view it renders):
 * attribute parsing and its errors, the RFC 3501 7.4.2 example reply,
 * ENVELOPE group syntax and NIL rules, BODYSTRUCTURE of the class note's
 * message (Juan to María with foto.jpg and serenata.wav) checked against
 * its MIME tree, sections and partials, \Seen reporting, and the cache. */
#include "protocols/imap_fetch.h"

#include <stdlib.h>

#include "protocols/compose.h"
#include "protocols/proto_err.h"
#include "tests/unit/harness.h"

static struct buf out;

/* The class note's message, as tests/unit/test_mime.c builds it. */
static char *juan_to_maria(size_t *len_r)
{
	static const unsigned char jpg[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 0xff, 0xd9};
	struct msg_attachment att[2] = {{"foto.jpg", "image/jpeg", jpg, sizeof jpg, NULL},
					{"serenata.wav", "audio/wav", "RIFF....WAVE", 12, NULL}};
	struct msg_draft d = {.from = "Juan <juan@dominio.de.juan>",
			      .to = "María <maria@dominio.de.maria>",
			      .subject = "Hola, ¿cómo estás?",
			      .date = "Mon, 01 May 2006 10:00:00 -0300",
			      .text = "Hola María,\nte mando una foto.\n",
			      .html = "<p>Hola Mar&iacute;a</p>",
			      .attachments = att,
			      .n_attachments = 2,
			      .seed = 3};
	struct buf b;
	buf_init(&b, 1 << 20);
	char err[100];
	if (msg_compose(&b, &d, err, sizeof err) < 0)
		return NULL;
	return buf_steal(&b, len_r);
}

static struct imap_fetch *parse(const char *s)
{
	struct imap_cursor c;
	imap_cursor_init(&c, s, strlen(s));
	struct imap_fetch *f = NULL;
	if (imap_fetch_parse(&c, &f) < 0 || !imap_at_end(&c)) {
		imap_fetch_free(&f);
		return NULL;
	}
	return f;
}

static const char *render(const char *atts, const struct imap_msgview *v, unsigned opts)
{
	buf_reset(&out);
	struct imap_fetch *f = parse(atts);
	if (!f)
		return "(parse failed)";
	if (imap_fetch_render(f, v, opts, &out) < 0)
		buf_puts(&out, "(render failed)");
	imap_fetch_free(&f);
	return out.data;
}

static void test_parse_errors(void)
{
	const char *bad[] = {"",
			     "(",
			     "()",
			     "(FLAGS",
			     "(FLAGS UID",
			     "(FLAGS  UID)",
			     "(ALL)",
			     "(FLAGS FAST)",
			     "NOSUCH",
			     "BODY[",
			     "BODY[1",
			     "BODY[0]",
			     "BODY[1.]",
			     "BODY[1.FOO]",
			     "BODY[MIME]",
			     "BODY[HEADER.FIELDS]",
			     "BODY[HEADER.FIELDS ()]",
			     "BODY[HEADER.FIELDS (A:B)]",
			     "BODY[HEADER.FIELDS (FROM]",
			     "BODY[]<1>",
			     "BODY[]<1.0>",
			     "BODY[]<x.1>",
			     "BODY[]<1.2",
			     "BODY.PEEK",
			     "BODY[4294967296]",
			     "FLAGS[]",
			     "RFC822.SIZE<0.1>",
			     "BODY[1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27.28.29.30.31.32.33]"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct imap_cursor c;
		imap_cursor_init(&c, bad[i], strlen(bad[i]));
		struct imap_fetch *f = NULL;
		int rc = imap_fetch_parse(&c, &f);
		if (rc == 0) {
			/* A valid attribute followed by junk is the caller's to refuse. */
			if (imap_at_end(&c))
				fprintf(stderr, "accepted: %s\n", bad[i]);
			CHECK(!imap_at_end(&c));
			imap_fetch_free(&f);
			continue;
		}
		CHECK(rc == PROTO_EINVAL || rc == PROTO_ELIMIT);
		CHECK(c.err != NULL);
		CHECK(c.p == (const uint8_t *)bad[i]);
		CHECK(f == NULL);
	}
	/* Too many attributes. */
	struct buf b;
	buf_init(&b, 1 << 16);
	buf_putc(&b, '(');
	for (int i = 0; i < IMAP_FETCH_MAX_ATTS + 1; i++)
		buf_puts(&b, i ? " UID" : "UID");
	buf_putc(&b, ')');
	struct imap_cursor c;
	imap_cursor_init(&c, b.data, b.len);
	struct imap_fetch *f = NULL;
	CHECK(imap_fetch_parse(&c, &f) == PROTO_ELIMIT);
	CHECK_STR(c.err, "too many FETCH attributes");
	buf_free(&b);
}

static void test_parse_kinds(void)
{
	struct imap_fetch *f = parse("ALL");
	REQUIRE(f);
	CHECK(imap_fetch_has(f, IMAP_FA_FLAGS) && imap_fetch_has(f, IMAP_FA_INTERNALDATE) &&
	      imap_fetch_has(f, IMAP_FA_RFC822_SIZE) && imap_fetch_has(f, IMAP_FA_ENVELOPE));
	CHECK(!imap_fetch_has(f, IMAP_FA_BODY) && !imap_fetch_needs_mime(f) && !imap_fetch_sets_seen(f));
	imap_fetch_free(&f);
	f = parse("fast");
	REQUIRE(f);
	CHECK(imap_fetch_has(f, IMAP_FA_FLAGS) && !imap_fetch_has(f, IMAP_FA_ENVELOPE));
	imap_fetch_free(&f);
	f = parse("FULL");
	REQUIRE(f);
	CHECK(imap_fetch_has(f, IMAP_FA_BODY) && imap_fetch_needs_mime(f));
	imap_fetch_free(&f);

	struct {
		const char *atts;
		int seen, mime;
	} cases[] = {
		{"BODY[]", 1, 0},          {"BODY.PEEK[]", 0, 0},      {"RFC822", 1, 0},
		{"RFC822.TEXT", 1, 0},     {"RFC822.HEADER", 0, 0},    {"(UID FLAGS ENVELOPE)", 0, 0},
		{"BODY.PEEK[1.2]", 0, 1},  {"(FLAGS BODY[TEXT])", 1, 0}, {"BODYSTRUCTURE", 0, 1},
		{"body.peek[header.fields.not (x-a \"x-b\")]<5.6>", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = parse(cases[i].atts);
		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK_EQ_INT(imap_fetch_sets_seen(f), cases[i].seen);
		CHECK_EQ_INT(imap_fetch_needs_mime(f), cases[i].mime);
		imap_fetch_free(&f);
	}
	imap_fetch_free(&f);
}

/* RFC 3501 7.4.2's example reply, rebuilt from a message with the same
 * header and a body of 3028 octets in 92 lines, RFC822.SIZE 4286. */
static void test_rfc3501_example(void)
{
	struct buf m;
	buf_init(&m, 1 << 16);
	buf_puts(&m, "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
		     "From: Terry Gray <gray@cac.washington.edu>\r\n"
		     "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
		     "To: imap@cac.washington.edu\r\n"
		     "cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n"
		     "Message-Id: <B27397-0100000@cac.washington.edu>\r\n"
		     "MIME-Version: 1.0\r\n"
		     "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n");
	size_t pad = 4286 - 3028 - m.len - 2 - strlen("X-Pad: \r\n");
	buf_puts(&m, "X-Pad: ");
	for (size_t i = 0; i < pad; i++)
		buf_putc(&m, 'p');
	buf_puts(&m, "\r\n\r\n");
	/* 92 lines: 91 of 31 octets + CRLF, then one of 3028 - 91*33 - 2. */
	for (int i = 0; i < 92; i++) {
		size_t n = i < 91 ? 31 : 3028 - 91 * 33 - 2;
		for (size_t k = 0; k < n; k++)
			buf_putc(&m, 'a' + (char)(k % 26));
		buf_puts(&m, "\r\n");
	}
	REQUIRE(m.len == 4286);
	const char *kw[] = {};
	struct imap_msgview v = {.seq = 12,
				 .uid = 12,
				 .flags = IMAP_F_SEEN,
				 .keywords = kw,
				 .internal_date = 837596665,
				 .internal_zone_min = -420,
				 .raw = m.data,
				 .raw_len = m.len};
	CHECK_STR(render("(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)", &v, 0),
		  "(FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
		  "RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
		  "\"IMAP4rev1 WG mtg summary and minutes\" "
		  "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
		  "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
		  "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
		  "((NIL NIL \"imap\" \"cac.washington.edu\")) "
		  "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
		  "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
		  "\"<B27397-0100000@cac.washington.edu>\") "
		  "BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))");
	/* The 6.4.5 example's HEADER.FIELDS (DATE FROM). */
	CHECK_STR(render("(FLAGS BODY[HEADER.FIELDS (DATE FROM)])", &v, 0),
		  "(FLAGS (\\Seen) BODY[HEADER.FIELDS (DATE FROM)] {91}\r\n"
		  "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n"
		  "From: Terry Gray <gray@cac.washington.edu>\r\n\r\n)");
	buf_free(&m);
}

static void test_envelope_rules(void)
{
	const char *g = "To: A Group: a@b.c, d@e.f;, x@y.z\r\n"
			"Cc: undisclosed-recipients:;\r\n"
			"From: \"Doe, J\" <j@d.org>\r\n"
			"Sender:\r\n"
			"Reply-To: r@d.org\r\n"
			"Subject:\r\n"
			"In-Reply-To: <a@b>\r\n"
			"\r\n";
	struct imap_msgview v = {.raw = g, .raw_len = strlen(g)};
	buf_reset(&out);
	REQUIRE(imap_write_envelope(&out, &v) == 0);
	CHECK_STR(out.data, "(NIL \"\" ((\"Doe, J\" NIL \"j\" \"d.org\")) ((\"Doe, J\" NIL \"j\" \"d.org\")) "
			    "((NIL NIL \"r\" \"d.org\")) "
			    "((NIL NIL \"A Group\" NIL)(NIL NIL \"a\" \"b.c\")(NIL NIL \"d\" \"e.f\")(NIL NIL NIL NIL)"
			    "(NIL NIL \"x\" \"y.z\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL "
			    "\"<a@b>\" NIL)");
	/* No header at all: everything NIL. */
	struct imap_msgview e = {.raw = "\r\nbody", .raw_len = 6};
	buf_reset(&out);
	REQUIRE(imap_write_envelope(&out, &e) == 0);
	CHECK_STR(out.data, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
	/* A folded subject is unfolded, not decoded; a name with a quote is
	 * escaped; a mailbox without a domain has host NIL. */
	const char *f = "Subject: a\r\n b =?utf-8?q?=C3=B1?=\r\nFrom: \"say \\\"hi\\\"\" <x@y>, root\r\n\r\n";
	struct imap_msgview w = {.raw = f, .raw_len = strlen(f)};
	buf_reset(&out);
	REQUIRE(imap_write_envelope(&out, &w) == 0);
	const char *want = "(NIL \"a b =?utf-8?q?=C3=B1?=\" ((\"say \\\"hi\\\"\" NIL \"x\" \"y\")(NIL NIL \"root\" NIL))";
	CHECK(strncmp(out.data, want, strlen(want)) == 0);
}

/* The note's message: BODYSTRUCTURE's sizes and lines come from the MIME
 * tree, the layout from RFC 3501. */
static void test_note_message(void)
{
	size_t len;
	char *raw = juan_to_maria(&len);
	REQUIRE(raw);
	struct mime_doc *doc = NULL;
	REQUIRE(mime_parse(raw, len, NULL, &doc) == 0);
	const struct mime_node *root = mime_doc_root(doc);
	REQUIRE(mime_node_child_count(root) == 3);
	const struct mime_node *alt = mime_node_child(root, 0), *jpg = mime_node_child(root, 1),
			       *wav = mime_node_child(root, 2);
	REQUIRE(mime_node_child_count(alt) == 2);
	const struct mime_node *plain = mime_node_child(alt, 0), *html = mime_node_child(alt, 1);
	char want[4096];
	snprintf(want, sizeof want,
		 "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" %zu %zu NIL NIL NIL NIL)"
		 "(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" %zu %zu NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"%s\") "
		 "NIL NIL NIL)"
		 "(\"IMAGE\" \"JPEG\" (\"NAME\" \"foto.jpg\") NIL NIL \"BASE64\" %zu NIL (\"ATTACHMENT\" (\"FILENAME\" "
		 "\"foto.jpg\")) NIL NIL)"
		 "(\"AUDIO\" \"WAV\" (\"NAME\" \"serenata.wav\") NIL NIL \"7BIT\" %zu NIL (\"ATTACHMENT\" (\"FILENAME\" "
		 "\"serenata.wav\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"%s\") NIL NIL NIL)",
		 mime_node_body_len(plain), mime_node_body_lines(plain), mime_node_body_len(html),
		 mime_node_body_lines(html), mime_node_param(alt, "boundary"), mime_node_body_len(jpg),
		 mime_node_body_len(wav), mime_node_param(root, "boundary"));
	CHECK_EQ_INT(mime_node_body_lines(plain), 2);
	CHECK_EQ_INT(mime_node_body_len(wav), 12);

	struct imap_msgcache *cache = imap_msgcache_new();
	REQUIRE(cache);
	struct imap_msgview v = {.seq = 1,
				 .uid = 7,
				 .raw = raw,
				 .raw_len = len,
				 .internal_date = 1146488400,
				 .internal_zone_min = -180,
				 .cache = cache};
	for (int pass = 0; pass < 2; pass++) { /* the second from the cache */
		buf_reset(&out);
		REQUIRE(imap_write_bodystructure(&out, &v, 1) == 0);
		CHECK_STR(out.data, want);
	}
	/* BODY is BODYSTRUCTURE without extension data. */
	buf_reset(&out);
	REQUIRE(imap_write_bodystructure(&out, &v, 0) == 0);
	CHECK(strstr(out.data, "\"AUDIO\" \"WAV\" (\"NAME\" \"serenata.wav\") NIL NIL \"7BIT\" 12) \"MIXED\")") != NULL);
	CHECK(strstr(out.data, "ATTACHMENT") == NULL);

	CHECK_STR(render("(UID FLAGS ENVELOPE)", &v, 0),
		  "(UID 7 FLAGS () ENVELOPE (\"Mon, 01 May 2006 10:00:00 -0300\" "
		  "\"Hola, =?utf-8?q?=C2=BFc=C3=B3mo_est=C3=A1s=3F?=\" "
		  "((\"Juan\" NIL \"juan\" \"dominio.de.juan\")) ((\"Juan\" NIL \"juan\" \"dominio.de.juan\")) "
		  "((\"Juan\" NIL \"juan\" \"dominio.de.juan\")) "
		  "((\"=?utf-8?q?Mar=C3=ADa?=\" NIL \"maria\" \"dominio.de.maria\")) NIL NIL NIL "
		  "\"<b4446d9ec5ed3b1a.0@dominio.de.juan>\"))");
	CHECK_STR(render("INTERNALDATE", &v, IMAP_FETCH_ADD_UID),
		  "(UID 7 INTERNALDATE \"01-May-2006 10:00:00 -0300\")");

	/* Sections, against the tree's offsets. */
	const char *text = mime_doc_text(doc, NULL);
	char sec[2048];
	snprintf(sec, sizeof sec, "(BODY[3] \"RIFF....WAVE\" BODY[1.2]<3> \"Hola\")");
	CHECK_STR(render("(BODY.PEEK[3] BODY[1.2]<3.4>)", &v, 0), sec);
	buf_reset(&out);
	size_t hl = mime_node_header_len(jpg);
	snprintf(sec, sizeof sec, "(BODY[2.MIME] {%zu}\r\n%.*s)", hl, (int)hl, text + mime_node_offset(jpg));
	CHECK_STR(render("BODY[2.MIME]", &v, 0), sec);
	size_t bl = mime_node_body_len(alt);
	snprintf(sec, sizeof sec, "(BODY[1] {%zu}\r\n%.*s)", bl, (int)bl, text + mime_node_body_offset(alt));
	CHECK_STR(render("BODY[1]", &v, 0), sec);
	CHECK_STR(render("BODY[2]<0.4>", &v, 0), "(BODY[2]<0> \"/9j/\")");
	CHECK_STR(render("BODY[2]<10000.4>", &v, 0), "(BODY[2]<10000> \"\")");
	CHECK_STR(render("BODY[9]", &v, 0), "(BODY[9] NIL)");
	CHECK_STR(render("BODY[1.1.1]", &v, 0), "(BODY[1.1.1] NIL)");
	CHECK_STR(render("BODY[2.HEADER]", &v, 0), "(BODY[2.HEADER] NIL)");
	/* Whole message and its halves. */
	size_t body = mime_node_body_offset(root);
	snprintf(sec, sizeof sec, "(RFC822.HEADER {%zu}\r\n%.*s)", body, (int)body, raw);
	CHECK_STR(render("RFC822.HEADER", &v, 0), sec);
	buf_reset(&out);
	struct imap_fetch *f = parse("(RFC822 BODY[TEXT] BODY[HEADER] BODY[])");
	REQUIRE(f);
	REQUIRE(imap_fetch_render(f, &v, IMAP_FETCH_ADD_FLAGS, &out) == 0);
	char head[64];
	snprintf(head, sizeof head, "(RFC822 {%zu}\r\n", len);
	CHECK(strncmp(out.data, head, strlen(head)) == 0);
	snprintf(head, sizeof head, " BODY[TEXT] {%zu}\r\n", len - body);
	CHECK(strstr(out.data, head) != NULL);
	snprintf(head, sizeof head, " BODY[HEADER] {%zu}\r\n", body);
	CHECK(strstr(out.data, head) != NULL);
	CHECK(strstr(out.data, " FLAGS ())") != NULL);
	CHECK(imap_fetch_sets_seen(f));
	imap_fetch_free(&f);

	/* HEADER.FIELDS.NOT and a repeated item sent once. */
	CHECK_STR(render("(UID UID BODY.PEEK[HEADER.FIELDS.NOT (Content-Type MIME-Version Message-ID Subject "
			 "Date)])",
			 &v, IMAP_FETCH_ADD_UID),
		  "(UID 7 BODY[HEADER.FIELDS.NOT (CONTENT-TYPE MIME-VERSION MESSAGE-ID SUBJECT DATE)] {90}\r\n"
		  "From: Juan <juan@dominio.de.juan>\r\n"
		  "To: =?utf-8?q?Mar=C3=ADa?= <maria@dominio.de.maria>\r\n\r\n)");

	/* The cache follows the text it is given. */
	const char *other = "Subject: other\r\n\r\nx";
	struct imap_msgview w = {.raw = other, .raw_len = strlen(other), .cache = cache};
	buf_reset(&out);
	REQUIRE(imap_write_bodystructure(&out, &w, 0) == 0);
	CHECK_STR(out.data, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
	buf_reset(&out);
	REQUIRE(imap_write_envelope(&out, &w) == 0);
	CHECK(strncmp(out.data, "(NIL \"other\" NIL", 16) == 0);

	imap_msgcache_free(&cache);
	CHECK(cache == NULL);
	imap_msgcache_free(&cache);
	mime_doc_free(&doc);
	free(raw);
}

/* message/rfc822 parts: ENVELOPE and BODY inside BODYSTRUCTURE, and the
 * HEADER/TEXT/part sections of the encapsulated message. */
static void test_encapsulated(void)
{
	const char *m = "From: a@b\r\n"
			"Subject: fwd\r\n"
			"MIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed; boundary=XX\r\n"
			"\r\n"
			"--XX\r\n"
			"Content-Type: text/plain\r\n"
			"Content-Language: en, es\r\n"
			"Content-Location: http://x/y\r\n"
			"Content-ID: <id1@x>\r\n"
			"Content-Description: the note\r\n"
			"\r\n"
			"see below\r\n"
			"--XX\r\n"
			"Content-Type: message/rfc822\r\n"
			"Content-Disposition: inline\r\n"
			"\r\n"
			"From: Juan <juan@x>\r\n"
			"Subject: inner\r\n"
			"Content-Type: text/plain; charset=us-ascii\r\n"
			"\r\n"
			"inner body\r\n"
			"--XX--\r\n";
	struct imap_msgview v = {.raw = m, .raw_len = strlen(m)};
	buf_reset(&out);
	REQUIRE(imap_write_bodystructure(&out, &v, 1) == 0);
	CHECK_STR(out.data,
		  "((\"TEXT\" \"PLAIN\" NIL \"<id1@x>\" \"the note\" \"7BIT\" 9 1 NIL NIL (\"en\" \"es\") "
		  "\"http://x/y\")"
		  "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 93 "
		  "(NIL \"inner\" ((\"Juan\" NIL \"juan\" \"x\")) ((\"Juan\" NIL \"juan\" \"x\")) "
		  "((\"Juan\" NIL \"juan\" \"x\")) NIL NIL NIL NIL NIL) "
		  "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 5 NIL "
		  "(\"INLINE\" NIL) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL)");
	CHECK_STR(render("BODY[2.TEXT]", &v, 0), "(BODY[2.TEXT] \"inner body\")");
	CHECK_STR(render("BODY[2.1]", &v, 0), "(BODY[2.1] \"inner body\")");
	CHECK_STR(render("BODY[2.HEADER.FIELDS (subject)]", &v, 0),
		  "(BODY[2.HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: inner\r\n\r\n)");
	CHECK_STR(render("BODY[2.HEADER]<0.4>", &v, 0), "(BODY[2.HEADER]<0> \"From\")");
	CHECK_STR(render("BODY[1.TEXT]", &v, 0), "(BODY[1.TEXT] NIL)");
}

static void test_single_part_and_flags(void)
{
	const char *m = "Subject: x\r\n\r\nhello\r\n";
	const char *kw[] = {"$Forwarded", "work"};
	struct imap_msgview v = {.uid = 3,
				 .flags = IMAP_F_SEEN | IMAP_F_DELETED | IMAP_F_RECENT,
				 .keywords = kw,
				 .keyword_count = 2,
				 .raw = m,
				 .raw_len = strlen(m)};
	CHECK_STR(render("(BODY[1] BODY[1.MIME] FLAGS RFC822.SIZE)", &v, 0),
		  "(BODY[1] {7}\r\nhello\r\n BODY[1.MIME] {14}\r\nSubject: x\r\n\r\n FLAGS (\\Seen \\Deleted \\Recent "
		  "$Forwarded work) RFC822.SIZE 21)");
	CHECK_STR(render("BODY[2]", &v, 0), "(BODY[2] NIL)");
	CHECK_EQ_INT(imap_flag_bit("\\seen", 5), IMAP_F_SEEN);
	CHECK_EQ_INT(imap_flag_bit("\\Draft", 6), IMAP_F_DRAFT);
	CHECK_EQ_INT(imap_flag_bit("\\Recent", 7), -1);
	CHECK_EQ_INT(imap_flag_bit("\\Foo", 4), -1);
	CHECK_EQ_INT(imap_flag_bit("work", 4), 0);
	CHECK_STR(imap_flag_name(IMAP_F_ANSWERED), "\\Answered");
	CHECK(imap_flag_name(3) == NULL);

	/* A buffer that fills up reports it. */
	struct buf small;
	buf_init(&small, 10);
	struct imap_fetch *f = parse("(RFC822 FLAGS)");
	REQUIRE(f);
	CHECK(imap_fetch_render(f, &v, 0, &small) == PROTO_ELIMIT);
	imap_fetch_free(&f);
	buf_free(&small);
}

/* Parameters the MIME parser decoded to non-ASCII go back RFC 2231-encoded;
 * Content-MD5 and disposition parameters are in the extension data. */
static void test_params(void)
{
	const char *m = "Content-Type: audio/wav; name*=utf-8''canci%C3%B3n.wav\r\n"
			"Content-Disposition: attachment;\r\n filename*0*=utf-8''canci%C3%B3n; filename*1=\".wav\"; "
			"size=12\r\n"
			"Content-MD5: abc==\r\n"
			"\r\n"
			"RIFF....WAVE";
	struct imap_msgview v = {.raw = m, .raw_len = strlen(m)};
	buf_reset(&out);
	REQUIRE(imap_write_bodystructure(&out, &v, 1) == 0);
	CHECK_STR(out.data, "(\"AUDIO\" \"WAV\" (\"NAME*\" \"utf-8''canci%C3%B3n.wav\") NIL NIL \"7BIT\" 12 \"abc==\" "
			    "(\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''canci%C3%B3n.wav\" \"SIZE\" \"12\")) NIL NIL)");
}

int main(void)
{
	buf_init(&out, 1 << 22);
	RUN(test_parse_errors);
	RUN(test_parse_kinds);
	RUN(test_rfc3501_example);
	RUN(test_envelope_rules);
	RUN(test_note_message);
	RUN(test_encapsulated);
	RUN(test_single_part_and_flags);
	RUN(test_params);
	buf_free(&out);
	return harness_done();
}

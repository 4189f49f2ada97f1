/* RFC 5322 layer: header sections (folding, defects), writing within 78 and
 * 998 octets, addresses (names, quotes, comments, groups, encoded words),
 * dates, Message-IDs, Received and Return-Path, and the Bcc rule. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/address.h"
#include "protocols/buf.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "protocols/proto_err.h"
#include "sim/core/rng.h"

static void test_header_read(void)
{
	const char *m = "From: a@b.c\r\nSubject: one\r\n two\r\n\tthree\r\nX-Empty:\r\n\r\nbody\r\n";
	size_t pos = 0;
	struct hdr_field f;
	unsigned d = 0;
	REQUIRE(hdr_next(m, strlen(m), &pos, &f, &d) == 1);
	CHECK(f.name_len == 4 && memcmp(f.name, "From", 4) == 0);
	CHECK(f.value_len == 5 && memcmp(f.value, "a@b.c", 5) == 0);
	REQUIRE(hdr_next(m, strlen(m), &pos, &f, &d) == 1);
	CHECK(hdr_name_is(&f, "SUBJECT"));
	struct buf u;
	buf_init(&u, 1024);
	hdr_unfold(&u, f.value, f.value_len);
	CHECK_STR(u.data, "one two\tthree");
	buf_free(&u);
	REQUIRE(hdr_next(m, strlen(m), &pos, &f, &d) == 1);
	CHECK_EQ_INT(f.value_len, 0);
	CHECK_EQ_INT(hdr_next(m, strlen(m), &pos, &f, &d), 0);
	CHECK_STR(m + pos, "body\r\n");
	CHECK_EQ_INT(d, 0);

	/* The same message with bare LF, a leading mbox line and odd lines. */
	const char *lf = "From juan Mon May  1 10:00:00 2006\n  stray\nSubject : x\nno colon here\nrest\n";
	pos = 0;
	d = 0;
	REQUIRE(hdr_next(lf, strlen(lf), &pos, &f, &d) == 1);
	CHECK(hdr_name_is(&f, "Subject"));
	CHECK_EQ_INT(hdr_next(lf, strlen(lf), &pos, &f, &d), 0);
	CHECK_STR(lf + pos, "no colon here\nrest\n");
	CHECK(d & HDR_D_LF_ONLY);
	CHECK(d & HDR_D_CONTINUATION);
	CHECK(d & HDR_D_NAME_SPACE);
	CHECK(d & HDR_D_NO_SEPARATOR);

	/* Byte by byte: every prefix reads without harm and never past its end. */
	for (size_t k = 0; k <= strlen(m); k++) {
		pos = 0;
		while (hdr_next(m, k, &pos, &f, NULL) > 0)
			CHECK(f.offset + f.length <= k);
		CHECK(pos <= k);
	}
}

static void test_header_write(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	char v[400] = "";
	for (int i = 0; i < 40; i++)
		strcat(v, i ? " word" : "word");
	CHECK_EQ_INT(hdr_write(&b, "X-Long", v), 0);
	size_t col = 0, lines = 1;
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == '\n') {
			CHECK(col <= 79); /* 78 + the CR */
			col = 0;
			lines++;
		} else {
			col++;
		}
	}
	CHECK(lines > 3);
	/* Unfolding gives the value back. */
	struct hdr_field f;
	REQUIRE(hdr_find(b.data, b.len, "x-long", 0, &f));
	struct buf u;
	buf_init(&u, 1 << 16);
	hdr_unfold(&u, f.value, f.value_len);
	CHECK_STR(u.data, v);
	buf_free(&u);
	/* A run without white space longer than 998 octets cannot be written. */
	char huge[1200];
	memset(huge, 'x', sizeof huge - 1);
	huge[sizeof huge - 1] = '\0';
	size_t before = b.len;
	CHECK_EQ_INT(hdr_write(&b, "X-Huge", huge), PROTO_ELIMIT);
	CHECK_EQ_INT(b.len, before);
	CHECK_EQ_INT(hdr_write(&b, "Bad Name", "v"), PROTO_EINVAL);
	/* A value that starts on the line after "Name:" reads without the fold. */
	const char *late = "X-Late:\r\n   value here\r\n\r\n";
	REQUIRE(hdr_find(late, strlen(late), "x-late", 0, &f));
	CHECK(f.value_len == 10 && memcmp(f.value, "value here", 10) == 0);
	before = b.len;
	CHECK_EQ_INT(hdr_write(&b, "X", "line\r\nbreak"), PROTO_EINVAL);
	buf_reset(&b);
	CHECK_EQ_INT(hdr_write_text(&b, "Subject", "Hola, ¿cómo estás?"), 0);
	CHECK_STR(b.data, "Subject: Hola, =?utf-8?q?=C2=BFc=C3=B3mo_est=C3=A1s=3F?=\r\n");
	/* Long encoded subjects keep every line within 78 characters. */
	const char *subjects[] = {"ñññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññññ",
				  "Re: canción de cumpleaños para María José, con fotos y una serenata en wav",
				  "日本語のテキストはとても長いのでいくつかのエンコードされた単語に分割されます"};
	for (size_t k = 0; k < 3; k++) {
		struct buf t;
		buf_init(&t, 1 << 16);
		CHECK_EQ_INT(hdr_write_text(&t, "Subject", subjects[k]), 0);
		size_t width = 0;
		for (size_t i = 0; i < t.len; i++) {
			if (t.data[i] == '\n') {
				CHECK(width <= 79);
				width = 0;
			} else {
				width++;
			}
		}
		REQUIRE(hdr_find(t.data, t.len, "subject", 0, &f));
		buf_init(&u, 1024);
		hdr_decode(&u, f.value, f.value_len, NULL);
		CHECK_STR(u.data, subjects[k]);
		buf_free(&u);
		buf_free(&t);
	}
	REQUIRE(hdr_find(b.data, b.len, "subject", 0, &f));
	buf_init(&u, 1024);
	hdr_decode(&u, f.value, f.value_len, NULL);
	CHECK_STR(u.data, "Hola, ¿cómo estás?");
	buf_free(&u);
	buf_free(&b);
}

struct want {
	const char *name, *mailbox, *group;
};

static void check_addrs(const char *in, unsigned want_defects, const struct want *w, size_t n)
{
	struct addr_list *l = NULL;
	unsigned d = 0;
	REQUIRE(addr_parse(in, (size_t)-1, &l, &d) == 0);
	if (addr_list_count(l) != n || d != want_defects)
		fprintf(stderr, "addresses of \"%s\": %zu (want %zu), defects %x (want %x)\n", in, addr_list_count(l),
			n, d, want_defects);
	CHECK_EQ_INT(addr_list_count(l), n);
	CHECK_EQ_INT(d, want_defects);
	for (size_t i = 0; i < n && i < addr_list_count(l); i++) {
		const struct addr *a = addr_list_get(l, i);
		CHECK_STR(a->name, w[i].name);
		if (w[i].mailbox)
			CHECK_STR(a->mailbox, w[i].mailbox);
		else
			CHECK(a->mailbox == NULL);
		if (w[i].group)
			CHECK_STR(a->group, w[i].group);
		else
			CHECK(a->group == NULL);
	}
	addr_list_free(&l);
	CHECK(l == NULL);
}

static void test_addresses(void)
{
	check_addrs("juan@dominio.de.juan", 0, (struct want[]){{"", "juan@dominio.de.juan", NULL}}, 1);
	check_addrs("Juan Perez <juan@x.org>, \"Perez, Maria\" <maria@y.org>", 0,
		    (struct want[]){{"Juan Perez", "juan@x.org", NULL}, {"Perez, Maria", "maria@y.org", NULL}}, 2);
	check_addrs("=?utf-8?q?Mar=C3=ADa?= <maria@y.org>", 0, (struct want[]){{"María", "maria@y.org", NULL}}, 1);
	check_addrs("juan@x.org (Juan Perez)", 0, (struct want[]){{"Juan Perez", "juan@x.org", NULL}}, 1);
	check_addrs("Juan (el de la foto) <juan @ x.org>", 0, (struct want[]){{"Juan", "juan@x.org", NULL}}, 1);
	check_addrs("\"odd local\"@x.org", 0, (struct want[]){{"", "\"odd local\"@x.org", NULL}}, 1);
	check_addrs("amigos: ana@a.org, Beto <beto@b.org>;, carla@c.org", 0,
		    (struct want[]){{"", "ana@a.org", "amigos"}, {"Beto", "beto@b.org", "amigos"},
				    {"", "carla@c.org", NULL}},
		    3);
	check_addrs("undisclosed-recipients:;", 0, (struct want[]){{"", NULL, "undisclosed-recipients"}}, 1);
	check_addrs("<@route.org,@b.org:juan@x.org>", 0, (struct want[]){{"", "juan@x.org", NULL}}, 1);
	check_addrs("nodomain", ADDR_D_NO_DOMAIN, (struct want[]){{"", "nodomain", NULL}}, 1);
	check_addrs("\"unclosed <a@b.c>", ADDR_D_UNCLOSED | ADDR_D_NO_DOMAIN,
		    (struct want[]){{"", "\"unclosed <a@b.c>\"", NULL}}, 1);
	check_addrs(" , ,a@b.c,", 0, (struct want[]){{"", "a@b.c", NULL}}, 1);
	check_addrs("", 0, NULL, 0);

	/* Formatting quotes and encodes only when needed, and reads back. */
	struct addr_list *l = addr_list_new();
	REQUIRE(l != NULL);
	addr_list_add(l, "Juan Pérez", "juan@x.org", NULL);
	addr_list_add(l, "Perez, Maria \"la jefa\"", "maria@y.org", NULL);
	addr_list_add(l, "plain name", "p@z.org", NULL);
	addr_list_add(l, "", "solo@z.org", NULL);
	addr_list_add(l, "", "a@g.org", "Mi grupo");
	addr_list_add(l, "B", "b@g.org", "Mi grupo");
	struct buf b;
	buf_init(&b, 1 << 16);
	addr_list_format(&b, l);
	CHECK_STR(b.data, "=?utf-8?q?Juan_P=C3=A9rez?= <juan@x.org>, \"Perez, Maria \\\"la jefa\\\"\" <maria@y.org>, "
			  "plain name <p@z.org>, solo@z.org, Mi grupo: a@g.org, B <b@g.org>;");
	struct addr_list *back = NULL;
	unsigned d = 0;
	REQUIRE(addr_parse(b.data, b.len, &back, &d) == 0);
	CHECK_EQ_INT(d, 0);
	REQUIRE(addr_list_count(back) == addr_list_count(l));
	for (size_t i = 0; i < addr_list_count(l); i++) {
		CHECK_STR(addr_list_get(back, i)->name, addr_list_get(l, i)->name);
		CHECK_STR(addr_list_get(back, i)->mailbox, addr_list_get(l, i)->mailbox);
	}
	addr_list_free(&back);
	addr_list_free(&l);
	buf_free(&b);
}

static void test_dates(void)
{
	char s[MSG_DATE_MAX];
	CHECK_EQ_INT(msg_date_format(s, 0, 0), 0);
	CHECK_STR(s, "Thu, 01 Jan 1970 00:00:00 +0000");
	/* 2006-05-01 13:00:00 UTC shown in Buenos Aires (-03:00). */
	CHECK_EQ_INT(msg_date_format(s, 1146488400, -180), 0);
	CHECK_STR(s, "Mon, 01 May 2006 10:00:00 -0300");
	CHECK_EQ_INT(msg_date_format(s, 951782400, 330), 0); /* 2000-02-29 00:00 UTC */
	CHECK_STR(s, "Tue, 29 Feb 2000 05:30:00 +0530");
	CHECK_EQ_INT(msg_date_format(s, 0, 2000), PROTO_EINVAL);
	CHECK_EQ_INT(msg_time_from_sim(1146488400, 2500000000LL), 1146488402);
	CHECK_EQ_INT(msg_time_from_sim(1146488400, -1), 1146488399);

	int64_t t;
	int z;
	CHECK_EQ_INT(msg_date_parse("Mon, 01 May 2006 10:00:00 -0300", 31, &t, &z), 0);
	CHECK_EQ_INT(t, 1146488400);
	CHECK_EQ_INT(z, -180);
	const char *lenient = "1 may 06 13:00 GMT (comment)";
	CHECK_EQ_INT(msg_date_parse(lenient, strlen(lenient), &t, &z), 0);
	CHECK_EQ_INT(t, 1146488400);
	lenient = "Monday, 01-May-2006 09:00:00 EDT";
	CHECK_EQ_INT(msg_date_parse(lenient, strlen(lenient), &t, &z), 0);
	CHECK_EQ_INT(t, 1146488400);
	CHECK_EQ_INT(z, -240);
	const char *bad[] = {"", "yesterday", "32 Jan 2006 10:00", "1 Foo 2006 10:00", "1 Jan 2006 25:00",
			     "1 Jan 2006 10:00 +99"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_EQ_INT(msg_date_parse(bad[i], strlen(bad[i]), &t, &z), PROTO_EINVAL);

	struct rng r;
	rng_init_stream(&r, 3, "dates");
	for (int i = 0; i < 2000; i++) {
		int64_t when = rng_range(&r, -2208988800LL, 253402300799LL - 86400);
		int zone = (int)rng_range(&r, -1439, 1439);
		REQUIRE(msg_date_format(s, when, zone) == 0);
		CHECK_EQ_INT(msg_date_parse(s, strlen(s), &t, &z), 0);
		CHECK(t == when && z == zone);
	}
}

static void test_message_id(void)
{
	char a[128], b[128], c[128];
	CHECK_EQ_INT(msg_id_make(a, sizeof a, 1, 0, "x.org"), 0);
	CHECK_EQ_INT(msg_id_make(b, sizeof b, 1, 0, "x.org"), 0);
	CHECK_EQ_INT(msg_id_make(c, sizeof c, 1, 1, "x.org"), 0);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(a[0] == '<' && a[strlen(a) - 1] == '>' && strstr(a, "@x.org>"));
	CHECK_EQ_INT(msg_id_make(c, sizeof c, 2, 0, "x.org"), 0);
	CHECK(strcmp(a, c) != 0);
	CHECK_EQ_INT(msg_id_make(a, 10, 1, 0, "x.org"), PROTO_EINVAL);
	CHECK_EQ_INT(msg_id_make(a, sizeof a, 1, 0, ""), PROTO_EINVAL);
	/* Unique over a run's worth of counters. */
	enum { N = 2000 };
	static char ids[N][64];
	for (int i = 0; i < N; i++)
		msg_id_make(ids[i], sizeof ids[i], 77, (uint64_t)i, "d");
	int dup = 0;
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			dup += strcmp(ids[i], ids[j]) == 0;
	CHECK_EQ_INT(dup, 0);
}

static void test_received(void)
{
	struct msg_received r = {.from = "laptop.juan (laptop.juan [10.0.0.2])",
				 .by = "mta.dominio.de.juan",
				 .with = "ESMTP",
				 .id = "A1B2",
				 .for_addr = "maria@dominio.de.maria"};
	struct buf b;
	buf_init(&b, 1 << 16);
	CHECK_EQ_INT(msg_received_format(&b, &r, "Mon, 01 May 2006 10:00:00 -0300"), 0);
	CHECK_STR(b.data, "from laptop.juan (laptop.juan [10.0.0.2]) by mta.dominio.de.juan with ESMTP id A1B2 "
			  "for <maria@dominio.de.maria>; Mon, 01 May 2006 10:00:00 -0300");
	struct buf f;
	buf_init(&f, 1 << 16);
	CHECK_EQ_INT(hdr_write(&f, "Received", b.data), 0);
	struct hdr_field h;
	REQUIRE(hdr_find(f.data, f.len, "received", 0, &h));
	struct msg_received p;
	REQUIRE(msg_received_parse(h.value, h.value_len, &p) == 0);
	CHECK_STR(p.from, r.from);
	CHECK_STR(p.by, r.by);
	CHECK(p.via == NULL);
	CHECK_STR(p.with, r.with);
	CHECK_STR(p.id, r.id);
	CHECK_STR(p.for_addr, r.for_addr);
	CHECK(p.has_date && p.unix_s == 1146488400);
	msg_received_clear(&p);
	const char *real = "from mail.example.org (mail.example.org [192.0.2.1]) (using TLSv1.3)\r\n"
			   "\tby mx.example.com (Postfix) via SMTP with ESMTPS id 4Q2;\r\n\tTue, 2 May 2006 1:02:03 +0000";
	REQUIRE(msg_received_parse(real, strlen(real), &p) == 0);
	CHECK_STR(p.from, "mail.example.org (mail.example.org [192.0.2.1]) (using TLSv1.3)");
	CHECK_STR(p.by, "mx.example.com (Postfix)");
	CHECK_STR(p.via, "SMTP");
	CHECK_STR(p.with, "ESMTPS");
	CHECK_STR(p.id, "4Q2");
	CHECK(p.has_date);
	msg_received_clear(&p);
	CHECK_EQ_INT(msg_received_parse("", 0, &p), PROTO_EINVAL);
	buf_free(&b);
	buf_free(&f);

	buf_init(&b, 256);
	msg_return_path_format(&b, "juan@x.org");
	CHECK_STR(b.data, "<juan@x.org>");
	buf_reset(&b);
	msg_return_path_format(&b, "");
	CHECK_STR(b.data, "<>");
	buf_reset(&b);
	CHECK_EQ_INT(msg_return_path_parse(&b, " < juan@x.org > ", 16), 0);
	CHECK_STR(b.data, "juan@x.org");
	CHECK_EQ_INT(msg_return_path_parse(&b, "juan", 4), PROTO_EINVAL);
	buf_free(&b);
}

static void test_bcc(void)
{
	const char *m = "From: juan@x.org\r\nTo: Maria <maria@y.org>\r\nBcc: pedro@z.org,\r\n ana@w.org\r\n"
			"Cc: MARIA@y.org, luis@v.org\r\nSubject: s\r\nbcc: otro@q.org\r\n\r\nBcc: in the body stays\r\n";
	struct buf b;
	buf_init(&b, 1 << 16);
	CHECK_EQ_INT(msg_strip_bcc(&b, m, strlen(m)), 0);
	CHECK_STR(b.data, "From: juan@x.org\r\nTo: Maria <maria@y.org>\r\nCc: MARIA@y.org, luis@v.org\r\n"
			  "Subject: s\r\n\r\nBcc: in the body stays\r\n");
	struct addr_list *l = NULL;
	REQUIRE(msg_recipients(m, strlen(m), &l) == 0);
	const char *want[] = {"maria@y.org", "luis@v.org", "pedro@z.org", "ana@w.org", "otro@q.org"};
	CHECK_EQ_INT(addr_list_count(l), 5);
	for (size_t i = 0; i < 5 && i < addr_list_count(l); i++)
		CHECK_STR(addr_list_get(l, i)->mailbox, want[i]);
	addr_list_free(&l);
	buf_free(&b);
}

int main(void)
{
	RUN(test_header_read);
	RUN(test_header_write);
	RUN(test_addresses);
	RUN(test_dates);
	RUN(test_message_id);
	RUN(test_received);
	RUN(test_bcc);
	return harness_done();
}

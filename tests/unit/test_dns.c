/* DNS wire format: names in text and wire form, build/parse round trips for
 * every record type, name compression (with the exact size), truncation
 * with TC, the text form, and hostile packets (every truncation of a valid
 * packet, pointer loops and forward pointers, long labels and names, wrong
 * counts, empty and oversized messages) plus a bounded random-mutation loop
 * that checks parse never fails to return and that whatever parses
 * re-encodes to the same meaning. */
#include <stdlib.h>

#include "harness.h"
#include "protocols/dns.h"

static struct dns_rr rr_text(const char *owner, const char *type, const char *value)
{
	struct dns_rr rr;
	memset(&rr, 0, sizeof rr);
	dns_name_from_text(owner, &rr.name);
	rr.type = (uint16_t)dns_type_from_name(type);
	rr.class_ = DNS_CLASS_IN;
	rr.ttl = 3600;
	if (dns_rdata_from_text(rr.type, value, &rr) < 0)
		fprintf(stderr, "bad test value %s %s\n", type, value);
	return rr;
}

static int name_is(const struct dns_name *n, const char *text)
{
	char buf[DNS_NAME_TEXT_MAX];
	return dns_name_to_text(n, buf, sizeof buf) >= 0 && strcmp(buf, text) == 0;
}

static void test_names(void)
{
	struct dns_name n, m;
	CHECK_EQ_INT(dns_name_from_text("dominio.de.maria", &n), 0);
	CHECK_EQ_INT(n.len, 18);
	CHECK(memcmp(n.wire, "\7dominio\2de\5maria\0", 18) == 0);
	CHECK(name_is(&n, "dominio.de.maria"));
	CHECK_EQ_INT(dns_name_from_text("DOMINIO.De.Maria.", &m), 0);
	CHECK(dns_name_equal(&n, &m));
	CHECK(name_is(&m, "DOMINIO.De.Maria")); /* case kept, compared without */
	CHECK_EQ_INT(dns_name_label_count(&n), 3);
	struct dns_name zone;
	dns_name_from_text("de.MARIA", &zone);
	CHECK(dns_name_is_under(&n, &zone));
	CHECK(dns_name_is_under(&zone, &zone));
	dns_name_from_text("e.maria", &zone);
	CHECK(!dns_name_is_under(&n, &zone)); /* a suffix of text but not of labels */
	dns_name_from_text(".", &zone);
	CHECK(dns_name_is_under(&n, &zone));
	CHECK_EQ_INT(zone.len, 1);
	CHECK(name_is(&zone, "."));
	dns_name_parent(&n, &m);
	CHECK(name_is(&m, "de.maria"));
	dns_name_from_text("DOMINIO.DE.MARIA", &m);
	CHECK(dns_name_hash(&n) == dns_name_hash(&m));
	dns_name_from_text("dominio.de.mario", &m);
	CHECK(dns_name_hash(&n) != dns_name_hash(&m));

	/* Escapes round trip. */
	CHECK_EQ_INT(dns_name_from_text("a\\.b.c\\\\d.\\000x", &n), 0);
	CHECK_EQ_INT(dns_name_label_count(&n), 3);
	CHECK(name_is(&n, "a\\.b.c\\\\d.\\000x"));
	/* Bad text. */
	CHECK_EQ_INT(dns_name_from_text("a..b", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text(".a", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text("a b", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text("a\\25", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text("a\\256", &n), DNS_E_TEXT);
	CHECK_EQ_INT(dns_name_from_text("a\\", &n), DNS_E_TEXT);
	/* Bounds: 63-octet labels pass, 64 do not; 255 octets pass, 256 do not. */
	char label[70], text[400];
	memset(label, 'x', 63);
	label[63] = 0;
	CHECK_EQ_INT(dns_name_from_text(label, &n), 0);
	memset(label, 'x', 64);
	label[64] = 0;
	CHECK_EQ_INT(dns_name_from_text(label, &n), DNS_E_LABEL);
	memset(text, 'y', sizeof text);
	text[63] = text[127] = text[191] = '.';
	text[191 + 62] = 0; /* 3*64 + 62 + root = 255 */
	CHECK_EQ_INT(dns_name_from_text(text, &n), 0);
	CHECK_EQ_INT(n.len, 255);
	text[191 + 62] = 'y';
	text[191 + 63] = 0;
	CHECK_EQ_INT(dns_name_from_text(text, &n), DNS_E_NAME);

	dns_name_reverse_ipv4(0xC0000201u, &n);
	CHECK(name_is(&n, "1.2.0.192.in-addr.arpa"));

	char small[4];
	dns_name_from_text("dominio.de.maria", &n);
	CHECK_EQ_INT(dns_name_to_text(&n, small, sizeof small), DNS_E_SPACE);
}

static void test_text_helpers(void)
{
	char b[16];
	CHECK_STR(dns_type_name(DNS_T_MX, b), "MX");
	CHECK_STR(dns_type_name(99, b), "TYPE99");
	CHECK_EQ_INT(dns_type_from_name("mx"), DNS_T_MX);
	CHECK_EQ_INT(dns_type_from_name("TYPE99"), 99);
	CHECK_EQ_INT(dns_type_from_name("TYPE"), -1);
	CHECK_EQ_INT(dns_type_from_name("TYPE70000"), -1);
	CHECK_EQ_INT(dns_type_from_name("BOGUS"), -1);
	CHECK_STR(dns_rcode_name(DNS_R_NXDOMAIN, b), "NXDOMAIN");
	CHECK_STR(dns_rcode_name(11, b), "RCODE11");
	uint32_t ip;
	CHECK_EQ_INT(dns_ipv4_parse("10.0.3.25", &ip), 0);
	CHECK(ip == 0x0a000319u);
	CHECK_EQ_INT(dns_ipv4_parse("10.0.3.256", &ip), DNS_E_TEXT);
	CHECK_EQ_INT(dns_ipv4_parse("10.0.03.2", &ip), DNS_E_TEXT);
	CHECK_EQ_INT(dns_ipv4_parse("10.0.3", &ip), DNS_E_TEXT);
	CHECK_EQ_INT(dns_ipv4_parse("10.0.3.2.", &ip), DNS_E_TEXT);
	CHECK_EQ_INT(dns_ipv4_parse("1000.0.3.2", &ip), DNS_E_TEXT);
	struct dns_rr rr;
	memset(&rr, 0, sizeof rr);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_MX, "10", &rr), DNS_E_TEXT);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_MX, "70000 mx.a", &rr), DNS_E_TEXT);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_MX, "10 mx.a extra", &rr), DNS_E_TEXT);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_SOA, "a b 1 2 3 4", &rr), DNS_E_TEXT);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_TXT, "x", &rr), DNS_E_TEXT);
	CHECK_EQ_INT(dns_rdata_from_text(DNS_T_A, " 10.0.0.1 ", &rr), 0);
}

/* A response holding one record of every type. */
static void fill_every_type(struct dns_msg *m)
{
	dns_msg_init_query(m, 0x1234, "dominio.de.maria", DNS_T_ANY);
	m->h.qr = 1;
	m->h.aa = 1;
	struct dns_rr rr[] = {
	    rr_text("dominio.de.maria", "MX", "10 mx.dominio.de.maria"),
	    rr_text("mx.dominio.de.maria", "A", "10.0.3.25"),
	    rr_text("www.dominio.de.maria", "CNAME", "dominio.de.maria"),
	    rr_text("25.3.0.10.in-addr.arpa", "PTR", "mx.dominio.de.maria"),
	    rr_text("dominio.de.maria", "NS", "ns.dominio.de.maria"),
	    rr_text("dominio.de.maria", "SOA", "ns.dominio.de.maria hostmaster.dominio.de.maria 2026112701 3600 600 "
					       "86400 300"),
	};
	for (size_t i = 0; i < 4; i++)
		dns_msg_add_rr(m, DNS_SEC_ANSWER, &rr[i]);
	dns_msg_add_rr(m, DNS_SEC_AUTHORITY, &rr[5]);
	dns_msg_add_rr(m, DNS_SEC_AUTHORITY, &rr[4]);
	struct dns_rr txt;
	memset(&txt, 0, sizeof txt);
	dns_name_from_text("dominio.de.maria", &txt.name);
	txt.type = DNS_T_TXT;
	txt.class_ = DNS_CLASS_IN;
	txt.ttl = 60;
	txt.d.raw.len = 6;
	memcpy(txt.d.raw.data, "\5hola!", 6);
	dns_msg_add_rr(m, DNS_SEC_ADDITIONAL, &txt);
}

static void test_round_trip_every_type(void)
{
	struct dns_msg *m = dns_msg_new(), *p = dns_msg_new();
	REQUIRE(m && p);
	fill_every_type(m);
	uint8_t wire[DNS_UDP_MAX];
	size_t len = 0;
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), 0);
	CHECK_EQ_INT(dns_parse(wire, len, p), 0);
	CHECK_EQ_INT(p->h.id, 0x1234);
	CHECK(p->h.qr && p->h.aa && p->h.rd && !p->h.tc);
	CHECK_EQ_INT(p->h.qdcount, 1);
	CHECK_EQ_INT(p->h.ancount, 4);
	CHECK_EQ_INT(p->h.nscount, 2);
	CHECK_EQ_INT(p->h.arcount, 1);
	size_t n;
	const struct dns_rr *an = dns_msg_section(p, DNS_SEC_ANSWER, &n);
	CHECK_EQ_INT(n, 4);
	CHECK_EQ_INT(an[0].d.mx.preference, 10);
	CHECK(name_is(&an[0].d.mx.exchange, "mx.dominio.de.maria"));
	CHECK(an[1].d.a == 0x0a000319u);
	CHECK(name_is(&an[2].d.target, "dominio.de.maria"));
	CHECK(name_is(&an[3].name, "25.3.0.10.in-addr.arpa"));
	CHECK(name_is(&an[3].d.target, "mx.dominio.de.maria"));
	const struct dns_rr *ns = dns_msg_section(p, DNS_SEC_AUTHORITY, &n);
	CHECK_EQ_INT(n, 2);
	CHECK(ns[0].d.soa.serial == 2026112701u && ns[0].d.soa.minimum == 300 && ns[0].d.soa.expire == 86400);
	CHECK(name_is(&ns[0].d.soa.rname, "hostmaster.dominio.de.maria"));
	CHECK(name_is(&ns[1].d.target, "ns.dominio.de.maria"));
	const struct dns_rr *ar = dns_msg_section(p, DNS_SEC_ADDITIONAL, &n);
	CHECK_EQ_INT(n, 1);
	CHECK(ar[0].type == DNS_T_TXT && ar[0].d.raw.len == 6 && memcmp(ar[0].d.raw.data, "\5hola!", 6) == 0);
	CHECK(ar[0].ttl == 60 && an[0].ttl == 3600 && an[0].class_ == DNS_CLASS_IN);

	char text[4096], text2[4096];
	CHECK(dns_msg_to_text(m, text, sizeof text) > 0);
	CHECK(dns_msg_to_text(p, text2, sizeof text2) > 0);
	CHECK_STR(text, text2);
	CHECK_STR(text, ";; HEADER id 4660 QUERY NOERROR qr aa rd\n"
			"QUESTION ANY dominio.de.maria\n"
			"ANSWER dominio.de.maria MX 10 mx.dominio.de.maria\n"
			"ANSWER mx.dominio.de.maria A 10.0.3.25\n"
			"ANSWER www.dominio.de.maria CNAME dominio.de.maria\n"
			"ANSWER 25.3.0.10.in-addr.arpa PTR mx.dominio.de.maria\n"
			"AUTHORITY dominio.de.maria SOA ns.dominio.de.maria hostmaster.dominio.de.maria "
			"2026112701 3600 600 86400 300\n"
			"AUTHORITY dominio.de.maria NS ns.dominio.de.maria\n"
			"ADDITIONAL dominio.de.maria TXT \\# 6 05686f6c6121\n");
	char line[256];
	CHECK(dns_rr_to_text(&an[0], line, sizeof line) > 0);
	CHECK_STR(line, "dominio.de.maria MX 10 mx.dominio.de.maria");
	CHECK(dns_question_to_text(&p->qd[0], line, sizeof line) > 0);
	CHECK_STR(line, "ANY dominio.de.maria");
	CHECK_EQ_INT(dns_rr_to_text(&an[0], line, 10), DNS_E_SPACE);
	CHECK_EQ_INT(strlen(line), 9);

	/* Rebuilding the parsed message gives the same octets. */
	uint8_t wire2[DNS_UDP_MAX];
	size_t len2 = 0;
	CHECK_EQ_INT(dns_build(p, wire2, sizeof wire2, &len2), 0);
	CHECK(len2 == len && memcmp(wire, wire2, len) == 0);

	/* A plain query. */
	CHECK_EQ_INT(dns_msg_init_query(m, 7, "dominio.de.maria", DNS_T_MX), 0);
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), 0);
	CHECK_EQ_INT(len, 12 + 18 + 4);
	static const uint8_t expect[] = {0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	CHECK(memcmp(wire, expect, 12) == 0);
	CHECK_EQ_INT(dns_msg_init_query(m, 7, "bad..name", DNS_T_MX), DNS_E_TEXT);
	dns_msg_free(&m);
	dns_msg_free(&p);
	CHECK(m == NULL);
	dns_msg_free(&m);
	dns_msg_free(NULL);
}

static void test_compression(void)
{
	struct dns_msg *m = dns_msg_new(), *p = dns_msg_new();
	REQUIRE(m && p);
	dns_msg_init_query(m, 1, "dominio.de.maria", DNS_T_MX);
	m->h.qr = 1;
	struct dns_rr mx1 = rr_text("dominio.de.maria", "MX", "10 mx.dominio.de.maria");
	struct dns_rr mx2 = rr_text("Dominio.DE.maria", "MX", "20 mx2.dominio.de.maria");
	struct dns_rr a1 = rr_text("mx.dominio.de.maria", "A", "10.0.3.25");
	struct dns_rr a2 = rr_text("mx2.dominio.de.maria", "A", "10.0.3.26");
	dns_msg_add_rr(m, DNS_SEC_ANSWER, &mx1);
	dns_msg_add_rr(m, DNS_SEC_ANSWER, &mx2);
	dns_msg_add_rr(m, DNS_SEC_ADDITIONAL, &a1);
	dns_msg_add_rr(m, DNS_SEC_ADDITIONAL, &a2);
	uint8_t wire[DNS_UDP_MAX];
	size_t len = 0;
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), 0);
	/* header 12, question 18+4, MX 2+10+(2+3+2), MX (8+3+2)+10+(2+4+2) (the
	 * owner differs in case, so only "maria" is shared), A 2+10+4 twice */
	CHECK_EQ_INT(len, 12 + 22 + 19 + 31 + 16 + 16);
	CHECK(wire[34] == 0xC0 && wire[35] == 12);      /* first answer's owner points at the question */
	CHECK(wire[48] == 2 && wire[49] == 'm'); /* "mx" written once ... */
	CHECK(wire[51] == 0xC0 && wire[52] == 12); /* ... then the rest of the name by pointer */
	CHECK(wire[53] == 7 && wire[54] == 'D' && wire[64] == 0xC0 && wire[65] == 23);
	CHECK(wire[84] == 0xC0 && wire[85] == 48); /* the A record's owner points at "mx..." */
	/* Without compression the same records take 18 octets per name. */
	size_t uncompressed = 12 + 22 + (18 + 10 + 2 + 21) + (18 + 10 + 2 + 22) + (21 + 14) + (22 + 14);
	CHECK(len < uncompressed);
	CHECK_EQ_INT(dns_parse(wire, len, p), 0);
	size_t n;
	const struct dns_rr *an = dns_msg_section(p, DNS_SEC_ANSWER, &n);
	CHECK_EQ_INT(n, 2);
	CHECK(name_is(&an[1].name, "Dominio.DE.maria")); /* case survives compression */
	CHECK(name_is(&an[1].d.mx.exchange, "mx2.dominio.de.maria"));
	const struct dns_rr *ar = dns_msg_section(p, DNS_SEC_ADDITIONAL, &n);
	CHECK(n == 2 && name_is(&ar[0].name, "mx.dominio.de.maria") && name_is(&ar[1].name, "mx2.dominio.de.maria"));
	dns_msg_free(&m);
	dns_msg_free(&p);
}

static void test_truncation(void)
{
	struct dns_msg *m = dns_msg_new(), *p = dns_msg_new();
	REQUIRE(m && p);
	dns_msg_init_query(m, 2, "many.dominio.de.maria", DNS_T_A);
	m->h.qr = 1;
	for (int i = 0; i < 40; i++) {
		char ip[20];
		snprintf(ip, sizeof ip, "10.0.0.%d", i + 1);
		struct dns_rr a = rr_text("many.dominio.de.maria", "A", ip);
		CHECK_EQ_INT(dns_msg_add_rr(m, DNS_SEC_ANSWER, &a), 0);
	}
	uint8_t wire[DNS_UDP_MAX];
	size_t len = 0;
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), 0);
	CHECK(len <= DNS_UDP_MAX);
	CHECK_EQ_INT(dns_parse(wire, len, p), 0);
	CHECK_EQ_INT(p->h.tc, 1);
	/* question 23+4; each A 16 octets: (512 - 12 - 27) / 16 = 29 fit */
	CHECK_EQ_INT(p->n[DNS_SEC_ANSWER], 29);
	CHECK_EQ_INT(len, 12 + 27 + 29 * 16);

	/* Additional records that do not fit are dropped without TC. */
	dns_msg_init_query(m, 3, "many.dominio.de.maria", DNS_T_A);
	m->h.qr = 1;
	struct dns_rr a = rr_text("many.dominio.de.maria", "A", "10.0.0.1");
	dns_msg_add_rr(m, DNS_SEC_ANSWER, &a);
	for (int i = 0; i < 40; i++)
		dns_msg_add_rr(m, DNS_SEC_ADDITIONAL, &a);
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), 0);
	CHECK_EQ_INT(dns_parse(wire, len, p), 0);
	CHECK_EQ_INT(p->h.tc, 0);
	CHECK_EQ_INT(p->n[DNS_SEC_ANSWER], 1);
	CHECK_EQ_INT(p->n[DNS_SEC_ADDITIONAL], 28);

	/* A message that cannot hold its own question. */
	dns_msg_init_query(m, 4, "many.dominio.de.maria", DNS_T_A);
	CHECK_EQ_INT(dns_build(m, wire, 20, &len), DNS_E_TOO_BIG);
	CHECK_EQ_INT(dns_build(m, wire, 8, &len), DNS_E_TOO_BIG);
	/* Full message struct. */
	for (int i = 0; i < DNS_MAX_RR; i++)
		dns_msg_add_rr(m, DNS_SEC_ANSWER, &a);
	CHECK_EQ_INT(dns_msg_add_rr(m, DNS_SEC_ANSWER, &a), DNS_E_TOO_MANY);
	struct dns_question q = m->qd[0];
	for (int i = 1; i < DNS_MAX_QD; i++)
		CHECK_EQ_INT(dns_msg_add_question(m, &q), 0);
	CHECK_EQ_INT(dns_msg_add_question(m, &q), DNS_E_TOO_MANY);
	/* Raw rdata longer than its buffer is refused, not overread. */
	dns_msg_init_query(m, 5, "x", DNS_T_TXT);
	struct dns_rr bad;
	memset(&bad, 0, sizeof bad);
	bad.type = DNS_T_TXT;
	dns_name_from_text("x", &bad.name);
	bad.d.raw.len = DNS_MAX_RAW + 1;
	dns_msg_add_rr(m, DNS_SEC_ANSWER, &bad);
	CHECK_EQ_INT(dns_build(m, wire, sizeof wire, &len), DNS_E_RDATA);
	dns_msg_free(&m);
	dns_msg_free(&p);
}

/* Builds the valid packet the hostile tests start from. */
static size_t valid_packet(uint8_t *wire)
{
	struct dns_msg *m = dns_msg_new();
	fill_every_type(m);
	size_t len = 0;
	dns_build(m, wire, DNS_UDP_MAX, &len);
	dns_msg_free(&m);
	return len;
}

static int parse_raw(const uint8_t *b, size_t len)
{
	struct dns_msg *m = dns_msg_new();
	int rc = dns_parse(b, len, m);
	dns_msg_free(&m);
	return rc;
}

static void test_hostile(void)
{
	uint8_t wire[DNS_UDP_MAX + 8];
	size_t len = valid_packet(wire);
	REQUIRE(len > 100);
	CHECK_EQ_INT(parse_raw(wire, len), 0);
	/* Every truncation fails: each prefix is copied to a buffer of exactly
	 * its size, so an overread would show under AddressSanitizer. */
	int fails = 0;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, wire, cut);
		int rc = parse_raw(copy, cut);
		if (rc >= 0)
			fprintf(stderr, "truncated at %zu parsed\n", cut);
		fails += rc < 0;
		free(copy);
	}
	CHECK_EQ_INT(fails, (int)len);
	CHECK_EQ_INT(parse_raw(wire, 0), DNS_E_EMPTY);
	CHECK_EQ_INT(parse_raw(wire, 11), DNS_E_SHORT);
	struct dns_header h;
	CHECK_EQ_INT(dns_parse_header(wire, 11, &h), DNS_E_SHORT);
	CHECK_EQ_INT(dns_parse_header(wire, 12, &h), 0);
	CHECK_EQ_INT(h.id, 0x1234);

	/* Trailing octets, and an oversized message. */
	wire[len] = 0;
	CHECK_EQ_INT(parse_raw(wire, len + 1), DNS_E_TRAILING);
	uint8_t big[DNS_UDP_MAX + 1];
	memset(big, 0, sizeof big);
	CHECK_EQ_INT(parse_raw(big, sizeof big), DNS_E_TOO_BIG);
	CHECK_EQ_INT(parse_raw(big, DNS_UDP_MAX), DNS_E_TRAILING); /* empty header, 500 zeros */

	/* Header: one question. Then hand-made names at offset 12. */
	uint8_t b[DNS_UDP_MAX];
	uint8_t hdr[12] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
#define PKT(...)                                                                                               \
	do {                                                                                                   \
		static const uint8_t body_[] = {__VA_ARGS__};                                                  \
		memcpy(b, hdr, 12);                                                                            \
		memcpy(b + 12, body_, sizeof body_);                                                           \
		plen = 12 + sizeof body_;                                                                      \
	} while (0)
	size_t plen;
	PKT(1, 'a', 0, 0, 1, 0, 1);
	CHECK_EQ_INT(parse_raw(b, plen), 0);
	PKT(0xC0, 12, 0, 1, 0, 1); /* points at itself */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_POINTER);
	PKT(1, 'a', 0xC0, 12, 0, 1, 0, 1); /* points back to its own start: a loop */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_POINTER);
	PKT(0xC0, 14, 1, 'a', 0, 0, 1, 0, 1); /* forward pointer */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_POINTER);
	PKT(0xC0, 2, 0, 1, 0, 1); /* into the header */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_POINTER);
	PKT(0xC0); /* half a pointer */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_SHORT);
	PKT(0x40, 'a', 0, 0, 1, 0, 1); /* label 64: the 01 label type */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_LABEL);
	PKT(0x80, 'a', 0, 0, 1, 0, 1);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_LABEL);
	PKT(5, 'a', 'b', 0, 1, 0, 1); /* label longer than the message */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_SHORT);
	PKT(1, 'a', 0, 0, 1); /* type without class */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_SHORT);
	PKT();
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_COUNT); /* one question counted, none there */
	hdr[5] = 5;                                        /* more questions than a message holds */
	PKT(1, 'a', 0, 0, 1, 0, 1);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_TOO_MANY);
	hdr[5] = 2;
	memcpy(b, hdr, 12);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_COUNT);
	hdr[5] = 1;
	hdr[7] = 60; /* 60 answers claimed */
	memcpy(b, hdr, 12);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_TOO_MANY);
	hdr[7] = 3; /* three claimed, one present */
	PKT(1, 'a', 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_COUNT);
	hdr[7] = 1;
	memcpy(b, hdr, 12);
	CHECK_EQ_INT(parse_raw(b, plen), 0);
	PKT(1, 'a', 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 10, 0, 0, 1, 9); /* A of 5 octets */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_RDATA);
	PKT(1, 'a', 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 10, 0, 0, 1); /* rdlength too long */
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_SHORT);
	/* MX whose exchange runs past its rdata (rdlength 4, name needs 5). */
	PKT(1, 'a', 0, 0, 15, 0, 1, 0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 1, 0, 4, 0, 10, 2, 'm', 'x', 0);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_RDATA);
	/* MX with rdata octets left after the exchange. */
	PKT(1, 'a', 0, 0, 15, 0, 1, 0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 1, 0, 6, 0, 10, 0xC0, 12, 7, 7);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_RDATA);
	PKT(1, 'a', 0, 0, 15, 0, 1, 0xC0, 12, 0, 15, 0, 1, 0, 0, 0, 1, 0, 4, 0, 10, 0xC0, 12);
	CHECK_EQ_INT(parse_raw(b, plen), 0);
	/* SOA with a short fixed part. */
	PKT(1, 'a', 0, 0, 6, 0, 1, 0xC0, 12, 0, 6, 0, 1, 0, 0, 0, 1, 0, 8, 0xC0, 12, 0xC0, 12, 0, 0, 0, 1);
	CHECK_EQ_INT(parse_raw(b, plen), DNS_E_RDATA);
	hdr[7] = 0;

	/* Names over 255 octets: five 63-octet labels in place ... */
	memcpy(b, hdr, 12);
	size_t pos = 12;
	for (int i = 0; i < 5; i++) {
		b[pos++] = 63;
		memset(b + pos, 'z', 63);
		pos += 63;
	}
	b[pos++] = 0;
	b[pos++] = 0;
	b[pos++] = 1;
	b[pos++] = 0;
	b[pos++] = 1;
	CHECK_EQ_INT(parse_raw(b, pos), DNS_E_NAME);
	/* ... and a name legal in place whose pointer makes it too long. */
	memcpy(b, hdr, 12);
	b[7] = 1; /* one answer */
	pos = 12;
	for (int i = 0; i < 3; i++) {
		b[pos++] = 63;
		memset(b + pos, 'z', 63);
		pos += 63;
	}
	b[pos++] = 0; /* 193 octets */
	memcpy(b + pos, "\0\1\0\1", 4);
	pos += 4;
	b[pos++] = 63;
	memset(b + pos, 'w', 63);
	pos += 63;
	b[pos++] = 0xC0;
	b[pos++] = 12; /* 64 + 193 = 257 */
	memcpy(b + pos, "\0\1\0\1\0\0\0\1\0\4\1\2\3\4", 14);
	pos += 14;
	CHECK_EQ_INT(parse_raw(b, pos), DNS_E_NAME);
	/* A chain of pointers each pointing one step back is fine ... */
	memcpy(b, hdr, 12);
	b[5] = 3;
	pos = 12;
	memcpy(b + pos, "\1a\0\0\1\0\1", 7);
	pos += 7;
	b[pos++] = 1;
	b[pos++] = 'b';
	b[pos++] = 0xC0;
	b[pos++] = 12;
	memcpy(b + pos, "\0\1\0\1", 4);
	pos += 4;
	b[pos++] = 0xC0;
	b[pos++] = 19; /* -> "b" -> "a" */
	memcpy(b + pos, "\0\1\0\1", 4);
	pos += 4;
	struct dns_msg *m = dns_msg_new();
	CHECK_EQ_INT(dns_parse(b, pos, m), 0);
	CHECK(name_is(&m->qd[2].name, "b.a"));
	dns_msg_free(&m);
	/* ... but one that jumps back into its own piece's start is a loop. */
	b[19 + 2] = 0xC0;
	b[19 + 3] = 19;
	CHECK_EQ_INT(parse_raw(b, pos), DNS_E_POINTER);
#undef PKT
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_random_mutations(void)
{
	uint8_t base[DNS_UDP_MAX];
	size_t blen = valid_packet(base);
	struct dns_msg *m = dns_msg_new(), *m2 = dns_msg_new();
	REQUIRE(m && m2);
	static char t1[1 << 16], t2[1 << 16];
	uint8_t *rebuilt = malloc(65535);
	uint64_t s = 0x9E3779B97F4A7C15ull;
	int parsed = 0, failed = 0, mismatched = 0;
	for (int iter = 0; iter < 30000; iter++) {
		size_t len = blen;
		uint8_t *b = malloc(DNS_UDP_MAX + 16);
		memcpy(b, base, blen);
		int edits = 1 + (int)(xs(&s) % 4);
		for (int e = 0; e < edits; e++) {
			size_t at = len ? xs(&s) % len : 0;
			switch (xs(&s) % 5) {
			case 0: b[at] ^= (uint8_t)(1u << (xs(&s) % 8)); break;
			case 1: b[at] = (uint8_t)xs(&s); break;
			case 2: /* a pointer somewhere */
				if (at + 1 < len) {
					b[at] = 0xC0 | (uint8_t)(xs(&s) % 2);
					b[at + 1] = (uint8_t)xs(&s);
				}
				break;
			case 3: len = at; break;
			default: /* count fields */
				b[4 + (xs(&s) % 8)] = (uint8_t)(xs(&s) % 6);
			}
		}
		/* Exact-size copy so any overread trips AddressSanitizer. */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, b, len);
		free(b);
		int rc = dns_parse(exact, len, m);
		free(exact);
		if (rc < 0) {
			CHECK(rc >= DNS_E_EMPTY);
			failed++;
			continue;
		}
		parsed++;
		/* Whatever parses means the same after re-encoding. */
		size_t rlen = 0;
		if (dns_build(m, rebuilt, 65535, &rlen) < 0 || rlen > DNS_UDP_MAX) {
			continue; /* raw rdata can defeat compression; not a parse property */
		}
		if (dns_parse(rebuilt, rlen, m2) < 0 || dns_msg_to_text(m, t1, sizeof t1) < 0 ||
		    dns_msg_to_text(m2, t2, sizeof t2) < 0 || strcmp(t1, t2) != 0)
			mismatched++;
	}
	CHECK(parsed > 100);
	CHECK(failed > 1000);
	CHECK_EQ_INT(mismatched, 0);
	printf("mutations: %d parsed, %d rejected\n", parsed, failed);
	free(rebuilt);
	dns_msg_free(&m);
	dns_msg_free(&m2);
}

static void test_strerror(void)
{
	for (int e = DNS_E_NOMEM; e <= 0; e++)
		CHECK(strcmp(dns_strerror(e), "unknown DNS error") != 0);
	CHECK_STR(dns_strerror(-99), "unknown DNS error");
}

int main(void)
{
	RUN(test_names);
	RUN(test_text_helpers);
	RUN(test_round_trip_every_type);
	RUN(test_compression);
	RUN(test_truncation);
	RUN(test_hostile);
	RUN(test_random_mutations);
	RUN(test_strerror);
	return harness_done();
}

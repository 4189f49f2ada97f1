/* Zone data and lookups: answers for each type, CNAME chasing (in zone, out
 * of zone, loops, to a missing name), NXDOMAIN vs NODATA with the SOA,
 * empty non-terminals appearing and vanishing, reverse (PTR) entries, MX
 * additional data, REFUSED outside the zones, run-time replacement, and the
 * errors a scenario's bad records get. */
#include <stdlib.h>

#include "harness.h"
#include "protocols/dns_zone.h"

static struct dns_db *sample(void)
{
	struct dns_db *db = dns_db_new();
	char err[200];
	int rc = 0;
	rc |= dns_db_add_zone(db, "dominio.de.maria", 7200, NULL);
	rc |= dns_db_add_zone(db, "gmail.com", 3600, NULL);
	static const char *const rows[][3] = {
	    {"dominio.de.maria", "MX", "10 mx.dominio.de.maria"},
	    {"dominio.de.maria", "MX", "20 mx2.dominio.de.maria"},
	    {"mx.dominio.de.maria", "A", "10.0.3.25"},
	    {"mx2.dominio.de.maria", "A", "10.0.3.26"},
	    {"mx2.dominio.de.maria", "A", "10.0.4.26"},
	    {"www.dominio.de.maria", "CNAME", "web.dominio.de.maria"},
	    {"web.dominio.de.maria", "CNAME", "mx.dominio.de.maria"},
	    {"away.dominio.de.maria", "CNAME", "smtp.gmail.com"},
	    {"lost.dominio.de.maria", "CNAME", "nothing.dominio.de.maria"},
	    {"outside.dominio.de.maria", "CNAME", "mail.example.org"},
	    {"loop1.dominio.de.maria", "CNAME", "loop2.dominio.de.maria"},
	    {"loop2.dominio.de.maria", "CNAME", "loop1.dominio.de.maria"},
	    {"a.b.c.dominio.de.maria", "A", "10.0.3.99"},
	    {"smtp.gmail.com", "A", "10.0.1.25"},
	    {"dominio.de.maria", "NS", "ns.dominio.de.maria"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int r = dns_db_add_text(db, rows[i][0], 3600, rows[i][1], rows[i][2], err, sizeof err);
		if (r < 0)
			fprintf(stderr, "%s: %s\n", rows[i][0], err);
		rc |= r;
	}
	rc |= dns_db_add_reverse(db, 0x0a000319u, "mx.dominio.de.maria", 86400);
	if (rc)
		fprintf(stderr, "sample zone setup failed\n");
	return db;
}

/* Asks db and returns the response as text (one static buffer). */
static const char *ask(const struct dns_db *db, const char *name, uint16_t type, int *rcode_r)
{
	static char text[8192];
	struct dns_msg *q = dns_msg_new(), *r = dns_msg_new();
	dns_msg_init_query(q, 99, name, type);
	dns_msg_init_response(r, q, DNS_R_NOERROR);
	int rcode = dns_db_answer(db, &q->qd[0], r);
	if (rcode_r)
		*rcode_r = rcode;
	if (rcode != r->h.rcode)
		fprintf(stderr, "rcode mismatch\n");
	/* Through the wire too, so what the server sends is what we check. */
	uint8_t wire[DNS_UDP_MAX];
	size_t len;
	if (dns_build(r, wire, sizeof wire, &len) < 0 || dns_parse(wire, len, q) < 0)
		snprintf(text, sizeof text, "wire error");
	else
		dns_msg_to_text(q, text, sizeof text);
	dns_msg_free(&q);
	dns_msg_free(&r);
	return text;
}

static void test_answers(void)
{
	struct dns_db *db = sample();
	REQUIRE(db);
	int rc;
	CHECK_STR(ask(db, "dominio.de.maria", DNS_T_MX, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION MX dominio.de.maria\n"
		  "ANSWER dominio.de.maria MX 10 mx.dominio.de.maria\n"
		  "ANSWER dominio.de.maria MX 20 mx2.dominio.de.maria\n"
		  "ADDITIONAL mx.dominio.de.maria A 10.0.3.25\n"
		  "ADDITIONAL mx2.dominio.de.maria A 10.0.3.26\n"
		  "ADDITIONAL mx2.dominio.de.maria A 10.0.4.26\n");
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	/* Case-insensitive lookup. */
	CHECK(strstr(ask(db, "MX2.Dominio.DE.maria", DNS_T_A, &rc), "ANSWER mx2.dominio.de.maria A 10.0.4.26\n"));
	CHECK_STR(ask(db, "dominio.de.maria", DNS_T_NS, NULL),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION NS dominio.de.maria\n"
		  "ANSWER dominio.de.maria NS ns.dominio.de.maria\n");
	CHECK_STR(ask(db, "dominio.de.maria", DNS_T_SOA, NULL),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION SOA dominio.de.maria\n"
		  "ANSWER dominio.de.maria SOA ns.dominio.de.maria hostmaster.dominio.de.maria 1 3600 600 86400 300\n");
	const char *any = ask(db, "dominio.de.maria", DNS_T_ANY, &rc);
	CHECK(strstr(any, "ANSWER dominio.de.maria SOA") && strstr(any, "ANSWER dominio.de.maria NS") &&
	      strstr(any, "ANSWER dominio.de.maria MX 20"));
	CHECK_EQ_INT(dns_db_zone_count(db), 3); /* the two and in-addr.arpa */
	CHECK_EQ_INT(dns_db_record_count(db), 16);
	dns_db_free(&db);
	CHECK(db == NULL);
	dns_db_free(&db);
	dns_db_free(NULL);
}

static void test_negative(void)
{
	struct dns_db *db = sample();
	int rc;
	/* NXDOMAIN: SOA with TTL min(7200, 300). */
	CHECK_STR(ask(db, "nobody.dominio.de.maria", DNS_T_MX, &rc),
		  ";; HEADER id 99 QUERY NXDOMAIN qr aa rd\n"
		  "QUESTION MX nobody.dominio.de.maria\n"
		  "AUTHORITY dominio.de.maria SOA ns.dominio.de.maria hostmaster.dominio.de.maria 1 3600 600 86400 "
		  "300\n");
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	/* NODATA: the name exists, no MX. */
	CHECK_STR(ask(db, "mx.dominio.de.maria", DNS_T_MX, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION MX mx.dominio.de.maria\n"
		  "AUTHORITY dominio.de.maria SOA ns.dominio.de.maria hostmaster.dominio.de.maria 1 3600 600 86400 "
		  "300\n");
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	/* Empty non-terminals exist until their last record below goes. */
	ask(db, "b.c.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	ask(db, "c.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	ask(db, "x.b.c.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	CHECK_EQ_INT(dns_db_remove(db, "A.B.C.dominio.de.maria", DNS_T_A), 1);
	ask(db, "b.c.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	ask(db, "a.b.c.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	ask(db, "dominio.de.maria", DNS_T_A, &rc); /* the apex always exists */
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	CHECK_EQ_INT(dns_db_remove(db, "nothing.here", DNS_T_A), 0);
	/* Outside every zone: not authoritative. */
	CHECK_STR(ask(db, "example.org", DNS_T_A, &rc), ";; HEADER id 99 QUERY REFUSED qr rd\n"
							 "QUESTION A example.org\n");
	CHECK_EQ_INT(rc, DNS_R_REFUSED);
	dns_db_free(&db);
}

static void test_cname(void)
{
	struct dns_db *db = sample();
	int rc;
	CHECK_STR(ask(db, "www.dominio.de.maria", DNS_T_A, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION A www.dominio.de.maria\n"
		  "ANSWER www.dominio.de.maria CNAME web.dominio.de.maria\n"
		  "ANSWER web.dominio.de.maria CNAME mx.dominio.de.maria\n"
		  "ANSWER mx.dominio.de.maria A 10.0.3.25\n");
	/* Asking for the CNAME itself does not chase. */
	CHECK_STR(ask(db, "www.dominio.de.maria", DNS_T_CNAME, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION CNAME www.dominio.de.maria\n"
		  "ANSWER www.dominio.de.maria CNAME web.dominio.de.maria\n");
	/* Into another zone we serve. */
	CHECK_STR(ask(db, "away.dominio.de.maria", DNS_T_A, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION A away.dominio.de.maria\n"
		  "ANSWER away.dominio.de.maria CNAME smtp.gmail.com\n"
		  "ANSWER smtp.gmail.com A 10.0.1.25\n");
	/* To a missing name: NXDOMAIN for the end of the chain (RFC 6604). */
	const char *t = ask(db, "lost.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	CHECK(strstr(t, "ANSWER lost.dominio.de.maria CNAME nothing.dominio.de.maria\nAUTHORITY dominio.de.maria SOA"));
	/* Out of our data: the chain so far, no SOA, for the resolver to follow. */
	CHECK_STR(ask(db, "outside.dominio.de.maria", DNS_T_A, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION A outside.dominio.de.maria\n"
		  "ANSWER outside.dominio.de.maria CNAME mail.example.org\n");
	/* A loop stops after DNS_ZONE_MAX_CHAIN links. */
	t = ask(db, "loop1.dominio.de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_SERVFAIL);
	CHECK(strstr(t, "SERVFAIL"));
	dns_db_free(&db);
}

static void test_reverse(void)
{
	struct dns_db *db = sample();
	int rc;
	CHECK_STR(ask(db, "25.3.0.10.in-addr.arpa", DNS_T_PTR, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION PTR 25.3.0.10.in-addr.arpa\n"
		  "ANSWER 25.3.0.10.in-addr.arpa PTR mx.dominio.de.maria\n");
	ask(db, "26.3.0.10.in-addr.arpa", DNS_T_PTR, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	/* A second reverse entry reuses the zone; a declared narrower zone wins. */
	CHECK_EQ_INT(dns_db_add_reverse(db, 0x0a000326u, "mx2.dominio.de.maria", 60), 0);
	CHECK_EQ_INT(dns_db_zone_count(db), 3);
	CHECK_EQ_INT(dns_db_add_zone(db, "4.0.10.in-addr.arpa", 60, NULL), 0);
	CHECK_EQ_INT(dns_db_add_reverse(db, 0x0a00041au, "mx2.dominio.de.maria", 60), 0);
	const char *t = ask(db, "99.4.0.10.in-addr.arpa", DNS_T_PTR, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	CHECK(strstr(t, "AUTHORITY 4.0.10.in-addr.arpa SOA ns.4.0.10.in-addr.arpa"));
	t = ask(db, "26.4.0.10.in-addr.arpa", DNS_T_PTR, &rc);
	CHECK(strstr(t, "ANSWER 26.4.0.10.in-addr.arpa PTR mx2.dominio.de.maria\n"));
	dns_db_free(&db);
}

static void test_zone_cut_after_records(void)
{
	struct dns_db *db = dns_db_new();
	CHECK_EQ_INT(dns_db_add_zone(db, "maria", 60, NULL), 0);
	CHECK_EQ_INT(dns_db_add_text(db, "x.dominio.de.maria", 60, "A", "10.0.0.1", NULL, 0), 0);
	CHECK_EQ_INT(dns_db_add_zone(db, "dominio.de.maria", 60, NULL), 0);
	CHECK_EQ_INT(dns_db_add_zone(db, "Dominio.de.maria.", 60, NULL), DNS_E_EXISTS);
	int rc;
	const char *t = ask(db, "x.dominio.de.maria", DNS_T_MX, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	CHECK(strstr(t, "AUTHORITY dominio.de.maria SOA"));
	t = ask(db, "y.dominio.de.maria", DNS_T_MX, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	/* The names between the two zones exist in the outer one. */
	ask(db, "de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	t = ask(db, "xx.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	CHECK(strstr(t, "AUTHORITY maria SOA"));
	CHECK_EQ_INT(dns_db_remove(db, "x.dominio.de.maria", DNS_T_ANY), 1);
	ask(db, "x.dominio.de.maria", DNS_T_MX, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	ask(db, "dominio.de.maria", DNS_T_MX, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	ask(db, "de.maria", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	/* Declared the other way round: the same. */
	struct dns_db *db2 = dns_db_new();
	dns_db_add_zone(db2, "b.c.d", 60, NULL);
	dns_db_add_zone(db2, "d", 60, NULL);
	dns_db_add_text(db2, "x.b.c.d", 60, "A", "10.0.0.1", NULL, 0);
	ask(db2, "c.d", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	ask(db2, "e.d", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	ask(db2, "y.b.c.d", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	t = ask(db2, "x.b.c.d", DNS_T_A, &rc);
	CHECK(strstr(t, "ANSWER x.b.c.d A 10.0.0.1"));
	dns_db_free(&db2);
	/* A root zone serves everything. */
	CHECK_EQ_INT(dns_db_add_zone(db, ".", 60, NULL), 0);
	CHECK_EQ_INT(dns_db_add_text(db, "host.example", 60, "A", "10.9.9.9", NULL, 0), 0);
	t = ask(db, "host.example", DNS_T_A, &rc);
	CHECK(strstr(t, "ANSWER host.example A 10.9.9.9\n"));
	t = ask(db, "nothing.example", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NXDOMAIN);
	CHECK(strstr(t, "AUTHORITY . SOA ns hostmaster 1"));
	ask(db, "example", DNS_T_A, &rc);
	CHECK_EQ_INT(rc, DNS_R_NOERROR);
	dns_db_free(&db);
}

static void test_errors_and_changes(void)
{
	struct dns_db *db = sample();
	char err[200];
	CHECK_EQ_INT(dns_db_add_text(db, "mail.example.org", 60, "A", "10.0.0.1", err, sizeof err), DNS_E_NOZONE);
	CHECK_STR(err, "\"mail.example.org\" is not inside any declared zone");
	CHECK_EQ_INT(dns_db_add_text(db, "www.dominio.de.maria", 60, "A", "10.0.0.1", err, sizeof err),
		     DNS_E_CONFLICT);
	CHECK_STR(err, "\"www.dominio.de.maria\" would have a CNAME beside other records");
	CHECK_EQ_INT(dns_db_add_text(db, "mx.dominio.de.maria", 60, "CNAME", "x.dominio.de.maria", err, sizeof err),
		     DNS_E_CONFLICT);
	CHECK_EQ_INT(dns_db_add_text(db, "www.dominio.de.maria", 60, "CNAME", "x.dominio.de.maria", err, sizeof err),
		     DNS_E_CONFLICT);
	CHECK_EQ_INT(dns_db_add_text(db, "dominio.de.maria", 60, "CNAME", "x.dominio.de.maria", err, sizeof err),
		     DNS_E_CONFLICT);
	CHECK_EQ_INT(dns_db_add_text(db, "mx.dominio.de.maria", 60, "A", "10.0.3.300", err, sizeof err), DNS_E_TEXT);
	CHECK_STR(err, "A value \"10.0.3.300\" is not an IPv4 address such as 192.0.2.1");
	CHECK_EQ_INT(dns_db_add_text(db, "mx.dominio.de.maria", 60, "MX", "mx", err, sizeof err), DNS_E_TEXT);
	CHECK_STR(err, "MX value \"mx\" is not a preference and a host, such as \"10 mx.example\"");
	CHECK_EQ_INT(dns_db_add_text(db, "mx.dominio.de.maria", 60, "TXT", "hi", err, sizeof err), DNS_E_TEXT);
	CHECK_STR(err, "record type \"TXT\" is not one of A, MX, PTR, CNAME, NS");
	CHECK_EQ_INT(dns_db_add_text(db, "bad..name", 60, "A", "10.0.0.1", err, sizeof err), DNS_E_TEXT);
	CHECK_STR(err, "\"bad..name\" is not a domain name");
	CHECK_EQ_INT(dns_db_add_zone(db, "a..b", 60, NULL), DNS_E_TEXT);
	/* Duplicates are one record. */
	size_t before = dns_db_record_count(db);
	CHECK_EQ_INT(dns_db_add_text(db, "MX.dominio.de.maria", 60, "A", "10.0.3.25", err, sizeof err), 0);
	CHECK_EQ_INT(dns_db_record_count(db), before);

	/* Run-time answer change: the MX now points elsewhere. */
	CHECK_EQ_INT(dns_db_replace_text(db, "dominio.de.maria", 300, "MX", "5 backup.dominio.de.maria", err,
					 sizeof err),
		     0);
	int rc;
	CHECK_STR(ask(db, "dominio.de.maria", DNS_T_MX, &rc),
		  ";; HEADER id 99 QUERY NOERROR qr aa rd\n"
		  "QUESTION MX dominio.de.maria\n"
		  "ANSWER dominio.de.maria MX 5 backup.dominio.de.maria\n");
	/* Replacing by a CNAME takes the name over; and back. */
	CHECK_EQ_INT(dns_db_replace_text(db, "mx2.dominio.de.maria", 60, "CNAME", "mx.dominio.de.maria", err,
					 sizeof err),
		     0);
	CHECK(strstr(ask(db, "mx2.dominio.de.maria", DNS_T_A, &rc),
		     "ANSWER mx2.dominio.de.maria CNAME mx.dominio.de.maria\nANSWER mx.dominio.de.maria A 10.0.3.25\n"));
	CHECK_EQ_INT(dns_db_replace_text(db, "mx2.dominio.de.maria", 60, "A", "10.0.3.27", err, sizeof err), 0);
	CHECK(strstr(ask(db, "mx2.dominio.de.maria", DNS_T_A, &rc), "ANSWER mx2.dominio.de.maria A 10.0.3.27\n"));
	CHECK_EQ_INT(dns_db_replace_text(db, "x.example.org", 60, "A", "10.0.3.27", err, sizeof err), DNS_E_NOZONE);
	/* SOA records only come with their zone. */
	struct dns_rr soa;
	memset(&soa, 0, sizeof soa);
	soa.type = DNS_T_SOA;
	dns_name_from_text("dominio.de.maria", &soa.name);
	CHECK_EQ_INT(dns_db_add(db, &soa), DNS_E_CONFLICT);
	dns_db_free(&db);
}

struct dump {
	char text[8192];
	size_t len;
};

static void dump_rr(void *ctx, const struct dns_rr *rr)
{
	struct dump *d = ctx;
	char line[600];
	dns_rr_to_text(rr, line, sizeof line);
	d->len += (size_t)snprintf(d->text + d->len, sizeof d->text - d->len, "%s\n", line);
}

static void test_foreach(void)
{
	struct dns_db *db = dns_db_new();
	struct dns_soa soa;
	memset(&soa, 0, sizeof soa);
	dns_name_from_text("ns1.gmail.com", &soa.mname);
	dns_name_from_text("dns-admin.gmail.com", &soa.rname);
	soa.serial = 7;
	soa.minimum = 60;
	CHECK_EQ_INT(dns_db_add_zone(db, "gmail.com", 60, &soa), 0);
	dns_db_add_text(db, "gmail.com", 60, "MX", "5 gmail-smtp-in.l.google.com", NULL, 0);
	dns_db_add_text(db, "smtp.gmail.com", 60, "A", "10.0.1.25", NULL, 0);
	dns_db_add_text(db, "gmail.com", 60, "MX", "10 alt1.gmail.com", NULL, 0);
	struct dump d = {.len = 0};
	dns_db_foreach(db, dump_rr, &d);
	CHECK_STR(d.text, "gmail.com SOA ns1.gmail.com dns-admin.gmail.com 7 0 0 0 60\n"
			  "gmail.com MX 5 gmail-smtp-in.l.google.com\n"
			  "gmail.com MX 10 alt1.gmail.com\n"
			  "smtp.gmail.com A 10.0.1.25\n");
	dns_db_free(&db);
}

static void test_many_names(void)
{
	/* The table grows; every name is still found. */
	struct dns_db *db = dns_db_new();
	dns_db_add_zone(db, "big", 60, NULL);
	char name[64], ip[20];
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof name, "h%d.big", i);
		snprintf(ip, sizeof ip, "10.%d.%d.1", i / 256, i % 256);
		CHECK_EQ_INT(dns_db_add_text(db, name, 60, "A", ip, NULL, 0), 0);
	}
	int bad = 0;
	for (int i = 0; i < 3000; i += 7) {
		snprintf(name, sizeof name, "H%d.BIG", i);
		snprintf(ip, sizeof ip, " A 10.%d.%d.1\n", i / 256, i % 256);
		int rc;
		if (!strstr(ask(db, name, DNS_T_A, &rc), ip))
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	dns_db_free(&db);
}

int main(void)
{
	RUN(test_answers);
	RUN(test_negative);
	RUN(test_cname);
	RUN(test_reverse);
	RUN(test_zone_cut_after_records);
	RUN(test_errors_and_changes);
	RUN(test_foreach);
	RUN(test_many_names);
	return harness_done();
}

/* The DNS hostile-input catalogue (issue 9 item 4): malformed and hostile
 * messages for the authoritative server agent, the stub resolver and the
 * wire parser, each answered as RFC 1035 (and RFC 6891 for EDNS) says:
 * FORMERR, NOTIMP or REFUSED with the query's id, or silence where there is
 * nothing to answer, and for the resolver: ignored unless it is the answer
 * to the query it sent. After every server attack an ordinary query must be
 * answered; after every resolver attack the real answer must be the one
 * used.
 *
 * The world is test_resolver.c's: client 10.0.0.1, dns 10.0.0.53 and
 * other 10.0.0.66, each a 1 ms link from a router. Replay a single row by
 * name with
 *   build/bin/test_dns_hostile NAME */
#include <stdlib.h>

#include "harness.h"
#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/resolver.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/udp.h"

#define CLIENT_IP 0x0a000001u
#define DNS_IP 0x0a000035u
#define OTHER_IP 0x0a000042u
#define RAW_PORT 4000

struct raw_out {
	int n;
	size_t len[8];
	uint8_t data[8][DNS_UDP_MAX + 64];
	uint32_t src_ip[8];
};

struct world {
	struct sim *sim;
	struct net *net;
	struct udp *udp;
	int client, dns, other, router;
	struct dns_server *srv;
	struct resolver *res;
	struct raw_out raw;
};

static void on_raw(void *ctx, int host, uint32_t src_ip, uint16_t src_port, uint16_t dst_port, const uint8_t *data,
		   size_t len)
{
	(void)host;
	(void)src_port;
	(void)dst_port;
	struct raw_out *o = ctx;
	if (o->n < 8) {
		size_t k = len < sizeof o->data[0] ? len : sizeof o->data[0];
		memcpy(o->data[o->n], data, k);
		o->len[o->n] = len;
		o->src_ip[o->n++] = src_ip;
	}
}

static void world_init(struct world *w, uint64_t seed)
{
	memset(w, 0, sizeof *w);
	w->sim = sim_new(seed);
	w->net = net_new(w->sim);
	w->client = net_add_host(w->net, "client");
	w->dns = net_add_host(w->net, "dns");
	w->other = net_add_host(w->net, "other");
	w->router = net_add_host(w->net, "router");
	net_add_iface(w->net, w->client, CLIENT_IP);
	net_add_iface(w->net, w->dns, DNS_IP);
	net_add_iface(w->net, w->other, OTHER_IP);
	for (uint32_t i = 0; i < 3; i++)
		net_add_iface(w->net, w->router, 0x0a000101u + i);
	struct link_params p = link_params_default();
	p.latency = SIM_MS;
	p.bandwidth_bps = 0;
	net_add_link(w->net, w->client, 0, w->router, 0, &p);
	net_add_link(w->net, w->dns, 0, w->router, 1, &p);
	net_add_link(w->net, w->other, 0, w->router, 2, &p);
	char err[128];
	if (net_finalize(w->net, err, sizeof err) != 0)
		fprintf(stderr, "finalize: %s\n", err);
	w->udp = udp_new(w->net);
	w->srv = dns_server_new(w->sim, w->udp, w->dns);
	struct dns_db *db = dns_server_db(w->srv);
	dns_db_add_zone(db, "dominio.de.maria", 3600, NULL);
	dns_db_add_text(db, "dominio.de.maria", 3600, "MX", "10 mx1.dominio.de.maria", NULL, 0);
	dns_db_add_text(db, "mx1.dominio.de.maria", 3600, "A", "10.0.3.1", NULL, 0);
	struct resolver_config cfg;
	resolver_config_default(&cfg);
	cfg.server_ip = DNS_IP;
	w->res = resolver_new(w->sim, w->net, w->udp, w->client, &cfg);
	udp_bind(w->udp, w->client, RAW_PORT, on_raw, &w->raw);
}

static void world_free(struct world *w)
{
	udp_unbind(w->udp, w->client, RAW_PORT);
	resolver_free(&w->res);
	dns_server_free(&w->srv);
	udp_free(&w->udp);
	net_free(&w->net);
	sim_free(&w->sim);
	packet_pool_drain();
}

/* Sends a datagram to the server from the raw port; returns how many
 * datagrams came back. */
static int ask(struct world *w, const uint8_t *q, size_t len)
{
	w->raw.n = 0;
	udp_send(w->udp, w->client, RAW_PORT, DNS_IP, DNS_PORT, q, len);
	sim_run(w->sim);
	return w->raw.n;
}

/* ---- building raw messages -------------------------------------------- */

struct wire {
	uint8_t b[2048];
	size_t n;
};

static void put8(struct wire *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void put16(struct wire *w, unsigned v)
{
	put8(w, v >> 8);
	put8(w, v & 0xff);
}
static void put32(struct wire *w, uint32_t v)
{
	put16(w, v >> 16);
	put16(w, v & 0xffff);
}
static void put_raw(struct wire *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* flags: the 16-bit second word (QR, opcode, AA, TC, RD, RA, Z, RCODE). */
static void header(struct wire *w, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
	w->n = 0;
	put16(w, id);
	put16(w, flags);
	put16(w, qd);
	put16(w, an);
	put16(w, ns);
	put16(w, ar);
}

/* A name in wire form from dotted text, uncompressed. */
static void put_name(struct wire *w, const char *text)
{
	while (*text) {
		size_t l = strcspn(text, ".");
		put8(w, (unsigned)l);
		put_raw(w, text, l);
		text += l;
		if (*text == '.')
			text++;
	}
	put8(w, 0);
}

static void question(struct wire *w, const char *name, unsigned type, unsigned class_)
{
	put_name(w, name);
	put16(w, type);
	put16(w, class_);
}

/* The ordinary query: mx1.dominio.de.maria A, RD set. */
static void ordinary(struct wire *w, unsigned id)
{
	header(w, id, 0x0100, 1, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
}

/* ---- the server catalogue --------------------------------------------- */

#define SILENT -1

struct server_attack {
	const char *name;
	const char *ref;
	void (*build)(struct wire *w);
	int rcode;       /* expected, or SILENT */
	int echoes;      /* the response carries the question (else header only is fine) */
};

static void b_pointer_self(struct wire *w)
{
	header(w, 0xA001, 0x0100, 1, 0, 0, 0);
	put8(w, 0xC0);
	put8(w, 12); /* points at itself */
	put16(w, 1);
	put16(w, 1);
}

static void b_pointer_pair(struct wire *w)
{
	/* Two pointers that point at each other: the second points back to
	 * the first, which points forward to the second. */
	header(w, 0xA002, 0x0100, 1, 0, 0, 0);
	put8(w, 0xC0);
	put8(w, 14);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, 1);
	put16(w, 1);
}

static void b_pointer_forward(struct wire *w)
{
	header(w, 0xA003, 0x0100, 1, 0, 0, 0);
	put8(w, 3);
	put_raw(w, "mx1", 3);
	put8(w, 0xC0);
	put8(w, 30); /* into the bytes that follow */
	put16(w, 1);
	put16(w, 1);
	put_raw(w, "\x07" "dominio\x00\x00\x00\x00", 12);
}

static void b_pointer_out_of_bounds(struct wire *w)
{
	header(w, 0xA004, 0x0100, 1, 0, 0, 0);
	put8(w, 0xFF);
	put8(w, 0xFF);
	put16(w, 1);
	put16(w, 1);
}

static void b_label_64(struct wire *w)
{
	header(w, 0xA005, 0x0100, 1, 0, 0, 0);
	put8(w, 64); /* 0x40: the reserved "01" label type, or a 64-octet label */
	for (int i = 0; i < 64; i++)
		put8(w, 'a');
	put8(w, 0);
	put16(w, 1);
	put16(w, 1);
}

static void b_label_extended(struct wire *w)
{
	header(w, 0xA006, 0x0100, 1, 0, 0, 0);
	put8(w, 0x80 | 5); /* "10" label type: reserved */
	put_raw(w, "abcde", 5);
	put8(w, 0);
	put16(w, 1);
	put16(w, 1);
}

static void b_name_256(struct wire *w)
{
	/* Five labels of 63 octets: 321 octets of name, past 255. */
	header(w, 0xA007, 0x0100, 1, 0, 0, 0);
	for (int l = 0; l < 5; l++) {
		put8(w, 63);
		for (int i = 0; i < 63; i++)
			put8(w, 'a' + l);
	}
	put8(w, 0);
	put16(w, 1);
	put16(w, 1);
}

static void b_name_256_by_pointers(struct wire *w)
{
	/* Each question extends the previous name by a 63-octet label via a
	 * pointer: the fourth is 4 * 64 + 1 = 257 octets long. */
	header(w, 0xA008, 0x0100, 4, 0, 0, 0);
	size_t prev = 0;
	for (int q = 0; q < 4; q++) {
		size_t here = w->n;
		put8(w, 63);
		for (int i = 0; i < 63; i++)
			put8(w, 'a' + q);
		if (q == 0) {
			put8(w, 0);
		} else {
			put8(w, 0xC0 | (unsigned)(prev >> 8));
			put8(w, prev & 0xff);
		}
		put16(w, 1);
		put16(w, 1);
		prev = here;
	}
}

static void b_qdcount_0(struct wire *w) { header(w, 0xA009, 0x0100, 0, 0, 0, 0); }

static void b_qdcount_65535(struct wire *w)
{
	header(w, 0xA00A, 0x0100, 65535, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
}

static void b_two_questions(struct wire *w)
{
	header(w, 0xA00B, 0x0100, 2, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	question(w, "dominio.de.maria", DNS_T_MX, DNS_CLASS_IN);
}

static void b_truncated_header(struct wire *w)
{
	ordinary(w, 0xA00C);
	w->n = 11;
}

static void b_truncated_question(struct wire *w)
{
	ordinary(w, 0xA00D);
	w->n -= 3; /* the name and type are there, the class is cut */
}

static void b_empty(struct wire *w) { w->n = 0; }

static void b_trailing_garbage(struct wire *w)
{
	ordinary(w, 0xA00E);
	put_raw(w, "GARBAGE", 7);
}

static void b_oversized(struct wire *w)
{
	/* 600 octets: a question, then an additional TXT-ish record of junk. */
	header(w, 0xA00F, 0x0100, 1, 0, 0, 1);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	put8(w, 0);
	put16(w, 16);
	put16(w, 1);
	put32(w, 0);
	size_t len = 600 - w->n - 2;
	put16(w, (unsigned)len);
	for (size_t i = 0; i < len; i++)
		put8(w, 'j');
}

static void b_opcode_iquery(struct wire *w)
{
	header(w, 0xA010, 0x0100 | (DNS_OP_IQUERY << 11), 1, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
}

static void b_opcode_update(struct wire *w)
{
	header(w, 0xA011, DNS_OP_UPDATE << 11, 1, 0, 0, 0);
	question(w, "dominio.de.maria", DNS_T_SOA, DNS_CLASS_IN);
}

static void b_opcode_15_unparsable(struct wire *w)
{
	header(w, 0xA012, 15u << 11, 1, 0, 0, 0);
	put8(w, 0xC0);
	put8(w, 12);
}

static void b_qr_set(struct wire *w)
{
	ordinary(w, 0xA013);
	w->b[2] |= 0x80;
}

static void b_unknown_type(struct wire *w)
{
	header(w, 0xA014, 0x0100, 1, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", 65280, DNS_CLASS_IN);
}

static void b_class_chaos(struct wire *w)
{
	header(w, 0xA015, 0x0100, 1, 0, 0, 0);
	question(w, "version.bind", DNS_T_TXT, 3);
}

static void b_class_none(struct wire *w)
{
	header(w, 0xA016, 0x0100, 1, 0, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, 254);
}

static void b_axfr(struct wire *w)
{
	header(w, 0xA017, 0x0000, 1, 0, 0, 0);
	question(w, "dominio.de.maria", DNS_T_AXFR, DNS_CLASS_IN);
}

static void b_answers_in_query(struct wire *w)
{
	/* A query that carries an answer of its own (a poisoning try on a
	 * server that would learn from queries). */
	header(w, 0xA018, 0x0100, 1, 1, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	put_name(w, "mx1.dominio.de.maria");
	put16(w, DNS_T_A);
	put16(w, DNS_CLASS_IN);
	put32(w, 86400);
	put16(w, 4);
	put32(w, 0x06060606u);
}

static void opt(struct wire *w, const char *owner, unsigned rdlen, const void *rdata)
{
	put_name(w, owner);
	put16(w, 41);
	put16(w, 1232); /* UDP payload size */
	put32(w, 0);
	put16(w, rdlen);
	if (rdata)
		put_raw(w, rdata, rdlen);
}

static void b_edns_two_opt(struct wire *w)
{
	header(w, 0xA019, 0x0100, 1, 0, 0, 2);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	opt(w, "", 0, NULL);
	opt(w, "", 0, NULL);
}

static void b_edns_opt_overrun(struct wire *w)
{
	header(w, 0xA01A, 0x0100, 1, 0, 0, 1);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	opt(w, "", 200, NULL); /* says 200 octets of options, has none */
}

static void b_edns_opt_junk_options(struct wire *w)
{
	/* Options whose own lengths overrun the record: an EDNS server would
	 * answer FORMERR; this one does not speak EDNS and ignores OPT's
	 * content (RFC 6891 7: a responder without EDNS ignores it). */
	header(w, 0xA01B, 0x0100, 1, 0, 0, 1);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	opt(w, "", 6, "\xff\xff\xff\xff\x00\x01");
}

static void b_edns_opt_not_root(struct wire *w)
{
	header(w, 0xA01C, 0x0100, 1, 0, 0, 1);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	opt(w, "evil.example", 0, NULL);
}

static void b_z_bits(struct wire *w)
{
	ordinary(w, 0xA01D);
	w->b[3] |= 0x70; /* Z must be zero in queries and responses: ignored */
}

static void b_binary_name(struct wire *w)
{
	header(w, 0xA01E, 0x0100, 1, 0, 0, 0);
	put8(w, 4);
	put_raw(w, "\x00\xff\r\n", 4);
	put_raw(w, "\x07" "dominio\x02" "de\x05" "maria\x00", 18);
	put16(w, DNS_T_A);
	put16(w, DNS_CLASS_IN);
}

static void b_outside_zone(struct wire *w)
{
	header(w, 0xA01F, 0x0100, 1, 0, 0, 0);
	question(w, "www.bank.example", DNS_T_A, DNS_CLASS_IN);
}

static const struct server_attack server_attacks[] = {
    {"pointer-loop-self", "RFC 1035 4.1.4: a pointer to itself never ends", b_pointer_self, DNS_R_FORMERR, 0},
    {"pointer-loop-pair", "RFC 1035 4.1.4: two pointers pointing at each other", b_pointer_pair, DNS_R_FORMERR, 0},
    {"pointer-forward", "RFC 1035 4.1.4: pointers point to a prior occurrence", b_pointer_forward, DNS_R_FORMERR, 0},
    {"pointer-out-of-bounds", "RFC 1035 4.1.4", b_pointer_out_of_bounds, DNS_R_FORMERR, 0},
    {"label-64-octets", "RFC 1035 2.3.4: labels are 63 octets or less", b_label_64, DNS_R_FORMERR, 0},
    {"label-type-reserved", "RFC 1035 4.1.4 / RFC 6891 5: 10 label type", b_label_extended, DNS_R_FORMERR, 0},
    {"name-over-255", "RFC 1035 2.3.4: names are 255 octets or less", b_name_256, DNS_R_FORMERR, 0},
    {"name-over-255-by-pointers", "RFC 1035 2.3.4, 4.1.4", b_name_256_by_pointers, DNS_R_FORMERR, 0},
    {"qdcount-0", "RFC 1035 4.1.2; one question per query", b_qdcount_0, DNS_R_FORMERR, 0},
    {"qdcount-65535", "RFC 1035 4.1.1: counts must match the records", b_qdcount_65535, DNS_R_FORMERR, 0},
    {"two-questions", "RFC 1035 4.1.2 (practice: exactly one)", b_two_questions, DNS_R_FORMERR, 0},
    {"truncated-header", "RFC 1035 4.1.1: no id to answer", b_truncated_header, SILENT, 0},
    {"truncated-question", "RFC 1035 4.1.2", b_truncated_question, DNS_R_FORMERR, 0},
    {"empty-datagram", "RFC 1035 4.1.1", b_empty, SILENT, 0},
    {"trailing-garbage", "RFC 1035 4.1: the message is its sections", b_trailing_garbage, DNS_R_FORMERR, 0},
    {"oversized-udp-query", "RFC 1035 4.2.1: UDP messages are 512 octets", b_oversized, DNS_R_FORMERR, 0},
    {"opcode-iquery", "RFC 3425 / RFC 1035 4.1.1: NOTIMP", b_opcode_iquery, DNS_R_NOTIMP, 1},
    {"opcode-update", "RFC 2136 not implemented: NOTIMP", b_opcode_update, DNS_R_NOTIMP, 1},
    {"opcode-15-unparsable", "RFC 1035 4.1.1: NOTIMP before parsing", b_opcode_15_unparsable, DNS_R_NOTIMP, 0},
    {"qr-set-on-query", "RFC 1035 4.1.1: a response is never answered", b_qr_set, SILENT, 0},
    {"unknown-type", "RFC 3597 / RFC 2308: NODATA, not an error", b_unknown_type, DNS_R_NOERROR, 1},
    {"class-chaos", "RFC 1035 3.2.4: only IN is served: REFUSED", b_class_chaos, DNS_R_REFUSED, 1},
    {"class-none", "RFC 2136 NONE is for UPDATE: REFUSED", b_class_none, DNS_R_REFUSED, 1},
    {"zone-transfer", "RFC 5936 not offered: NOTIMP", b_axfr, DNS_R_NOTIMP, 1},
    {"answers-in-query", "RFC 1035 4.1.1: a query has no answers", b_answers_in_query, DNS_R_FORMERR, 0},
    {"edns-two-opt", "RFC 6891 6.1.1: more than one OPT is FORMERR", b_edns_two_opt, DNS_R_FORMERR, 0},
    {"edns-opt-rdlength-overrun", "RFC 1035 4.1.3: RDLENGTH within the message", b_edns_opt_overrun, DNS_R_FORMERR,
     0},
    {"edns-opt-junk-options", "RFC 6891 7: a server without EDNS ignores OPT", b_edns_opt_junk_options,
     DNS_R_NOERROR, 1},
    {"edns-opt-owner-not-root", "RFC 6891 6.1.2: OPT's owner is the root", b_edns_opt_not_root, DNS_R_FORMERR, 0},
    {"z-bits-set", "RFC 1035 4.1.1: Z is zero; ignored on input, zero on output", b_z_bits, DNS_R_NOERROR, 1},
    {"binary-octets-in-name", "RFC 2181 11: any octet in a label", b_binary_name, DNS_R_NXDOMAIN, 1},
    {"name-outside-zones", "RFC 1035 4.3.1 (not recursive): REFUSED", b_outside_zone, DNS_R_REFUSED, 1},
};

static int server_still_answers(struct world *w)
{
	struct wire q;
	ordinary(&q, 0x5151);
	if (ask(w, q.b, q.n) != 1)
		return 0;
	struct dns_msg *m = dns_msg_new();
	int ok = dns_parse(w->raw.data[0], w->raw.len[0], m) == 0 && m->h.id == 0x5151 &&
		 m->h.rcode == DNS_R_NOERROR && m->n[DNS_SEC_ANSWER] == 1 && m->rr[0].d.a == 0x0a000301u;
	dns_msg_free(&m);
	if (!ok)
		fprintf(stderr, "  the ordinary query after the attack was not answered\n");
	return ok;
}

static int run_server_attack(const struct server_attack *a)
{
	struct world w;
	world_init(&w, 21);
	struct wire q;
	a->build(&q);
	uint16_t id = q.n >= 2 ? (uint16_t)(q.b[0] << 8 | q.b[1]) : 0;
	int got = ask(&w, q.b, q.n);
	int ok = 1;
	if (a->rcode == SILENT) {
		if (got != 0) {
			fprintf(stderr, "  expected silence, got %d datagrams\n", got);
			ok = 0;
		}
	} else if (got != 1) {
		fprintf(stderr, "  expected one response, got %d\n", got);
		ok = 0;
	} else {
		struct dns_header h;
		const uint8_t *r = w.raw.data[0];
		size_t rl = w.raw.len[0];
		ok = dns_parse_header(r, rl, &h) == 0 && rl <= DNS_UDP_MAX;
		if (ok && (h.id != id || !h.qr || h.rcode != a->rcode || h.z != 0)) {
			char b[16];
			fprintf(stderr, "  response id %u qr %u rcode %s z %u, expected id %u rcode %s\n", h.id, h.qr,
				dns_rcode_name(h.rcode, b), h.z, id, dns_rcode_name((uint8_t)a->rcode, b + 8));
			ok = 0;
		}
		/* Every response parses, and echoes the question when it could be read. */
		struct dns_msg *m = dns_msg_new();
		int prc = dns_parse(r, rl, m);
		if (ok && prc != 0) {
			fprintf(stderr, "  the response does not parse: %s\n", dns_strerror(prc));
			ok = 0;
		}
		if (ok && a->echoes && m->nqd != 1) {
			fprintf(stderr, "  the response does not echo the question\n");
			ok = 0;
		}
		if (ok && h.rcode != DNS_R_NOERROR && m->n[DNS_SEC_ANSWER] != 0) {
			fprintf(stderr, "  an error response with answers\n");
			ok = 0;
		}
		dns_msg_free(&m);
	}
	ok = ok && server_still_answers(&w);
	world_free(&w);
	return ok;
}

/* ---- the resolver catalogue ------------------------------------------- */

struct spy {
	uint16_t port, id;
	int seen;
};

static void spy_record(void *ctx, const struct obs_record *rec)
{
	struct spy *s = ctx;
	const struct packet *p = rec->u.pkt.pkt;
	if (!s->seen && p->proto == IPPROTO_SIM_UDP && p->dst_port == DNS_PORT && p->src_port != RAW_PORT &&
	    p->len >= 2) {
		s->port = p->src_port;
		s->id = (uint16_t)(p->data[0] << 8 | p->data[1]);
		s->seen = 1;
	}
}

struct q_out {
	int calls;
	enum resolver_status status;
	size_t count;
	int truncated;
	char first[600];
};

static void on_query(void *ctx, const struct resolver_answer *a)
{
	struct q_out *o = ctx;
	o->calls++;
	o->status = a->status;
	o->count = a->count;
	o->truncated = a->truncated;
	o->first[0] = 0;
	if (a->count)
		dns_rr_to_text(&a->records[0], o->first, sizeof o->first);
}

/* A response to the resolver's query for mx1.dominio.de.maria A, forged:
 * id, question name and answer address as given; flags as given. */
static void forged(struct wire *w, unsigned id, unsigned flags, const char *qname, uint32_t addr)
{
	header(w, id, flags, 1, 1, 0, 0);
	question(w, qname, DNS_T_A, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_A);
	put16(w, DNS_CLASS_IN);
	put32(w, 86400);
	put16(w, 4);
	put32(w, addr);
}

struct injection {
	struct world *w;
	struct spy *spy;
	int kind;
};

enum {
	INJ_UNSOLICITED,
	INJ_WRONG_ID,
	INJ_OTHER_NAME,
	INJ_POINTER_LOOP,
	INJ_QUERY_NOT_RESPONSE,
	INJ_FROM_OTHER_HOST,
	INJ_EXTRA_OWNER,
	INJ_TC_EMPTY,
	INJ_HEADER_ONLY_WRONG_ID,
	INJ_COUNT
};

static void inject(struct sim *sim, void *ctx)
{
	(void)sim;
	struct injection *in = ctx;
	struct world *w = in->w;
	struct spy *s = in->spy;
	struct wire f;
	int from = w->dns;
	switch (in->kind) {
	case INJ_UNSOLICITED:
		/* To a port the resolver never used, and with an id it never sent. */
		forged(&f, (unsigned)(s->id ^ 0x5a5a), 0x8580, "mx1.dominio.de.maria", 0x06060606u);
		udp_send(w->udp, from, DNS_PORT, CLIENT_IP, (uint16_t)(s->port + 1), f.b, f.n);
		break;
	case INJ_WRONG_ID:
		for (unsigned k = 1; k <= 50; k++) { /* a burst of guesses, none right */
			forged(&f, (unsigned)(s->id + k), 0x8580, "mx1.dominio.de.maria", 0x06060606u);
			udp_send(w->udp, from, DNS_PORT, CLIENT_IP, s->port, f.b, f.n);
		}
		return;
	case INJ_OTHER_NAME:
		forged(&f, s->id, 0x8580, "www.bank.example", 0x06060606u);
		break;
	case INJ_POINTER_LOOP:
		header(&f, s->id, 0x8580, 1, 1, 0, 0);
		question(&f, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
		put8(&f, 0xC0);
		put8(&f, (unsigned)f.n - 1); /* the answer's owner points at itself */
		put16(&f, DNS_T_A);
		put16(&f, DNS_CLASS_IN);
		put32(&f, 60);
		put16(&f, 4);
		put32(&f, 0x06060606u);
		break;
	case INJ_QUERY_NOT_RESPONSE:
		forged(&f, s->id, 0x0100, "mx1.dominio.de.maria", 0x06060606u);
		break;
	case INJ_FROM_OTHER_HOST:
		forged(&f, s->id, 0x8580, "mx1.dominio.de.maria", 0x06060606u);
		from = w->other;
		break;
	case INJ_EXTRA_OWNER:
		/* Not a forgery: the server's own port and the right id, but one
		 * answer belongs to another name; only the asked name's records
		 * are used. */
		header(&f, s->id, 0x8580, 1, 2, 0, 0);
		question(&f, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
		put_name(&f, "www.bank.example");
		put16(&f, DNS_T_A);
		put16(&f, DNS_CLASS_IN);
		put32(&f, 86400);
		put16(&f, 4);
		put32(&f, 0x06060606u);
		put8(&f, 0xC0);
		put8(&f, 12);
		put16(&f, DNS_T_A);
		put16(&f, DNS_CLASS_IN);
		put32(&f, 3600);
		put16(&f, 4);
		put32(&f, 0x0a000301u);
		break;
	case INJ_TC_EMPTY:
		header(&f, s->id, 0x8780, 1, 0, 0, 0); /* TC, no records */
		question(&f, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
		break;
	case INJ_HEADER_ONLY_WRONG_ID:
		header(&f, (unsigned)(s->id ^ 1), 0x8182, 0, 0, 0, 0); /* SERVFAIL, header only */
		break;
	default:
		return;
	}
	udp_send(w->udp, from, DNS_PORT, CLIENT_IP, s->port, f.b, f.n);
}

struct resolver_attack {
	const char *name;
	const char *ref;
	int kind;
	enum resolver_status status; /* what the query must end with */
	const char *first;           /* its first record */
	int ignored;                 /* datagrams the resolver must have ignored
					(-1: at most one; a datagram to a port
					the resolver does not use may be dropped
					by the network before it) */
};

static const struct resolver_attack resolver_attacks[] = {
    {"response-never-asked-for", "RFC 5452 9.1: only answers to queries sent", INJ_UNSOLICITED, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", -1},
    {"id-guessing-burst", "RFC 5452 4.3: the id must match", INJ_WRONG_ID, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 50},
    {"response-for-another-name", "RFC 5452 9.1: the question must match (poisoning)", INJ_OTHER_NAME,
     RESOLVER_OK, "mx1.dominio.de.maria A 10.0.3.1", 1},
    {"response-pointer-loop", "RFC 1035 4.1.4: a malformed reply is dropped", INJ_POINTER_LOOP, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 1},
    {"query-sent-to-resolver", "RFC 1035 4.1.1: QR clear is not an answer", INJ_QUERY_NOT_RESPONSE, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 1},
    {"response-from-other-host", "RFC 5452 9.1: from the server asked", INJ_FROM_OTHER_HOST, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 1},
    {"answer-for-other-owner", "RFC 2181 5.4.1: only the asked name's records", INJ_EXTRA_OWNER, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 0},
    {"tc-bit-no-records", "RFC 1035 4.2.1: truncated to nothing is a temporary error", INJ_TC_EMPTY,
     RESOLVER_ERROR, "", 0},
    {"header-only-error-wrong-id", "RFC 5452 4.3", INJ_HEADER_ONLY_WRONG_ID, RESOLVER_OK,
     "mx1.dominio.de.maria A 10.0.3.1", 1},
};

static int run_resolver_attack(const struct resolver_attack *a)
{
	struct world w;
	world_init(&w, 33);
	struct spy s = {0};
	bus_subscribe(sim_bus(w.sim), OBS_MASK(OBS_PKT_SEND), spy_record, &s);
	struct q_out o = {0};
	resolver_query(w.res, "mx1.dominio.de.maria", DNS_T_A, on_query, &o);
	int ok = s.seen;
	/* The forgeries leave at 0.5 ms and arrive at 2.5 ms, before the real
	 * answer (4 ms). */
	struct injection in = {&w, &s, a->kind};
	sim_after(w.sim, SIM_MS / 2, sim_handler(w.sim, inject), &in);
	sim_run(w.sim);
	if (o.calls != 1 || o.status != a->status || strcmp(o.first, a->first) != 0 ||
	    (a->kind == INJ_EXTRA_OWNER && o.count != 1)) {
		fprintf(stderr, "  %d callbacks, status %s, %zu records, first \"%s\"\n", o.calls,
			resolver_status_name(o.status), o.count, o.first);
		ok = 0;
	}
	uint64_t ign = resolver_stats(w.res)->ignored;
	if (a->ignored >= 0 ? ign != (uint64_t)a->ignored : ign > 1) {
		fprintf(stderr, "  ignored %llu, expected %d\n", (unsigned long long)resolver_stats(w.res)->ignored,
			a->ignored);
		ok = 0;
	}
	/* The resolver (and the server) go on: a second lookup works. */
	struct q_out o2 = {0};
	resolver_query(w.res, "dominio.de.maria", DNS_T_MX, on_query, &o2);
	sim_run(w.sim);
	if (o2.calls != 1 || o2.status != RESOLVER_OK || strcmp(o2.first, "dominio.de.maria MX 10 mx1.dominio.de.maria")) {
		fprintf(stderr, "  the next lookup failed: %s \"%s\"\n", resolver_status_name(o2.status), o2.first);
		ok = 0;
	}
	ok = ok && resolver_pending(w.res) == 0;
	world_free(&w);
	return ok;
}

/* ---- the parser catalogue (responses, as the resolver reads them) ----- */

struct parse_attack {
	const char *name;
	const char *ref;
	void (*build)(struct wire *w);
	int err; /* the DNS_E_* dns_parse must return */
};

static void p_mx_exchange_loop(struct wire *w)
{
	header(w, 1, 0x8180, 1, 1, 0, 0);
	question(w, "dominio.de.maria", DNS_T_MX, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_MX);
	put16(w, DNS_CLASS_IN);
	put32(w, 60);
	put16(w, 4);
	put16(w, 10);
	put8(w, 0xC0);
	put8(w, (unsigned)w->n - 1); /* the exchange points at itself */
}

static void p_rdlength_past_end(struct wire *w)
{
	header(w, 1, 0x8180, 1, 1, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_A);
	put16(w, DNS_CLASS_IN);
	put32(w, 60);
	put16(w, 65535);
	put32(w, 0x0a000301u);
}

static void p_a_rdlength_3(struct wire *w)
{
	header(w, 1, 0x8180, 1, 1, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_A);
	put16(w, DNS_CLASS_IN);
	put32(w, 60);
	put16(w, 3);
	put_raw(w, "\x0a\x00\x03", 3);
}

static void p_mx_name_beyond_rdata(struct wire *w)
{
	/* The exchange name runs past RDLENGTH into the next record. */
	header(w, 1, 0x8180, 1, 1, 0, 0);
	question(w, "dominio.de.maria", DNS_T_MX, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_MX);
	put16(w, DNS_CLASS_IN);
	put32(w, 60);
	put16(w, 4);
	put16(w, 10);
	put_name(w, "mx1");
}

static void p_ancount_65535(struct wire *w)
{
	header(w, 1, 0x8180, 1, 65535, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
}

static void p_ancount_lies(struct wire *w)
{
	header(w, 1, 0x8180, 1, 40, 0, 0);
	question(w, "mx1.dominio.de.maria", DNS_T_A, DNS_CLASS_IN);
}

static void p_soa_short(struct wire *w)
{
	header(w, 1, 0x8180, 1, 1, 0, 0);
	question(w, "dominio.de.maria", DNS_T_SOA, DNS_CLASS_IN);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, DNS_T_SOA);
	put16(w, DNS_CLASS_IN);
	put32(w, 60);
	put16(w, 6);
	put8(w, 0xC0);
	put8(w, 12);
	put8(w, 0xC0);
	put8(w, 12);
	put16(w, 1); /* the five numbers are missing */
}

static const struct parse_attack parse_attacks[] = {
    {"parse-mx-exchange-pointer-loop", "RFC 1035 4.1.4", p_mx_exchange_loop, DNS_E_POINTER},
    {"parse-rdlength-past-end", "RFC 1035 4.1.3", p_rdlength_past_end, DNS_E_SHORT},
    {"parse-a-rdlength-3", "RFC 1035 3.4.1: an A is 4 octets", p_a_rdlength_3, DNS_E_RDATA},
    {"parse-mx-name-beyond-rdata", "RFC 1035 3.3.9", p_mx_name_beyond_rdata, DNS_E_RDATA},
    {"parse-ancount-65535", "RFC 1035 4.1.1; no more than 512 octets hold", p_ancount_65535, DNS_E_TOO_MANY},
    {"parse-ancount-lies", "RFC 1035 4.1.1: counts must match the records", p_ancount_lies, DNS_E_COUNT},
    {"parse-soa-short", "RFC 1035 3.3.13", p_soa_short, DNS_E_RDATA},
};

static int run_parse_attack(const struct parse_attack *a)
{
	struct wire q;
	a->build(&q);
	struct dns_msg *m = dns_msg_new();
	int rc = dns_parse(q.b, q.n, m);
	/* every prefix too: never a crash, never success past the end */
	int ok = rc == a->err;
	if (!ok)
		fprintf(stderr, "  dns_parse gave %d (%s), expected %d (%s)\n", rc, dns_strerror(rc), a->err,
			dns_strerror(a->err));
	for (size_t n = 0; n < q.n; n++)
		if (dns_parse(q.b, n, m) == 0) {
			fprintf(stderr, "  a %zu-octet prefix parsed\n", n);
			ok = 0;
		}
	dns_msg_free(&m);
	return ok;
}

static const char *only; /* a row's name from the command line */

static void report(const char *name, const char *ref, int ok)
{
	if (!ok)
		fprintf(stderr, "attack %s (%s) not handled\n", name, ref);
	else
		printf("handled: %-30s %s\n", name, ref);
	CHECK(ok);
}

static void test_catalogue(void)
{
	size_t ns = sizeof server_attacks / sizeof server_attacks[0];
	size_t nr = sizeof resolver_attacks / sizeof resolver_attacks[0];
	size_t np = sizeof parse_attacks / sizeof parse_attacks[0];
	CHECK(ns + nr + np >= 20);
	for (size_t i = 0; i < ns; i++)
		if (!only || !strcmp(only, server_attacks[i].name))
			report(server_attacks[i].name, server_attacks[i].ref, run_server_attack(&server_attacks[i]));
	for (size_t i = 0; i < nr; i++)
		if (!only || !strcmp(only, resolver_attacks[i].name))
			report(resolver_attacks[i].name, resolver_attacks[i].ref,
			       run_resolver_attack(&resolver_attacks[i]));
	for (size_t i = 0; i < np; i++)
		if (!only || !strcmp(only, parse_attacks[i].name))
			report(parse_attacks[i].name, parse_attacks[i].ref, run_parse_attack(&parse_attacks[i]));
}

/* A burst of 2,000 queries, good and bad interleaved: each good one is
 * answered, each bad one gets its FORMERR, and the server never stops. */
static void test_query_flood(void)
{
	if (only && strcmp(only, "query-flood"))
		return;
	struct world w;
	world_init(&w, 5);
	static struct raw_out big; /* counts only */
	int good = 0, bad = 0;
	for (int i = 0; i < 2000; i++) {
		struct wire q;
		if (i % 2)
			ordinary(&q, (unsigned)i);
		else
			b_pointer_self(&q);
		udp_send(w.udp, w.client, RAW_PORT, DNS_IP, DNS_PORT, q.b, q.n);
	}
	w.raw.n = 0;
	(void)big;
	sim_run(w.sim);
	const struct dns_server_stats *st = dns_server_stats(w.srv);
	good = (int)st->by_rcode[DNS_R_NOERROR];
	bad = (int)st->by_rcode[DNS_R_FORMERR];
	CHECK_EQ_INT(st->received, 2000);
	CHECK_EQ_INT(good, 1000);
	CHECK_EQ_INT(bad, 1000);
	CHECK(server_still_answers(&w));
	printf("handled: %-30s %s\n", "query-flood", "2,000 queries in a burst, every one answered");
	world_free(&w);
}

int main(int argc, char **argv)
{
	only = argc > 1 ? argv[1] : NULL;
	RUN(test_catalogue);
	RUN(test_query_flood);
	return harness_done();
}

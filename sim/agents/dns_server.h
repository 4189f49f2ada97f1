/* The authoritative DNS server agent: answers queries on UDP port 53 of a
 * simulated host from its zone database (protocols/dns_zone.h).
 *
 * Per RFC 1035: a query it cannot parse gets FORMERR (header only, same id),
 * as does one without exactly one question, or with more than one OPT
 * record or an OPT not owned by the root (RFC 6891 6.1); opcodes other
 * than QUERY get NOTIMP, as do zone transfers (AXFR, IXFR) and MAILA/MAILB; classes other
 * than IN and ANY get REFUSED, as do names outside its zones; answers over
 * 512 octets are truncated with TC set. Datagrams shorter than a header, and
 * responses (QR set) sent to it, are dropped unanswered: there is no id to
 * answer, and answering a response could start a loop.
 *
 * Faults for the robustness scenarios: dns_server_set_mode() makes it answer
 * every query with SERVFAIL, or stay silent (an outage: queries are dropped,
 * so resolvers time out); dns_server_db() gives the zone data for changing an
 * answer at run time (dns_db_replace_text, dns_db_remove).
 *
 * Transcript: the server publishes OBS_APP records of kind "dns" for what a
 * resolver cannot see by itself (the resolver publishes queries and the
 * answers it receives; see resolver.h):
 *   DROPPED QUERY MX dominio.de.maria from 10.0.0.1:40123 (outage)
 *   SERVFAIL QUERY MX dominio.de.maria to 10.0.0.1:40123 (fault)
 *   FORMERR to 10.0.0.1:40123 (compression pointer does not point backwards)
 *   NOTIMP to 10.0.0.1:40123 (opcode 5)
 *   IGNORED 7 octets from 10.0.0.1:40123 (shorter than a DNS header)
 *
 *   struct dns_server *s = dns_server_new(sim, udp, host);
 *   dns_db_add_zone(dns_server_db(s), "dominio.de.maria", 3600, NULL);
 *   ...
 *   dns_server_free(&s);   // before udp_free and sim_free */
#ifndef SIM_AGENTS_DNS_SERVER_H
#define SIM_AGENTS_DNS_SERVER_H

#include <stdint.h>

struct sim;
struct udp;
struct dns_db;
struct dns_server;

enum dns_server_mode {
	DNS_SERVER_NORMAL,   /* answer from the zones */
	DNS_SERVER_SERVFAIL, /* answer every query with SERVFAIL */
	DNS_SERVER_SILENT,   /* drop every query (an outage) */
};

struct dns_server_stats {
	uint64_t received;   /* datagrams that reached port 53 */
	uint64_t answered;   /* responses sent, of any rcode */
	uint64_t by_rcode[6]; /* responses per rcode, NOERROR..REFUSED */
	uint64_t truncated;  /* responses sent with TC */
	uint64_t dropped;    /* silent mode, too short, or a response */
};

/* A server bound to UDP port 53 of host, with an empty zone database.
 * NULL if the port is taken or memory runs out. */
struct dns_server *dns_server_new(struct sim *sim, struct udp *udp, int host);
/* Unbinds and frees the server and its database. Accepts NULL; clears the
 * pointer. */
void dns_server_free(struct dns_server **srv);

/* The zone data served, owned by the server; changes apply to the next
 * query. */
struct dns_db *dns_server_db(struct dns_server *srv);
void dns_server_set_mode(struct dns_server *srv, enum dns_server_mode mode);
enum dns_server_mode dns_server_mode(const struct dns_server *srv);
const char *dns_server_mode_name(enum dns_server_mode mode);
/* Binds port 53 again after the host crashed and restarted (udp_host_reset
 * dropped the binding). 0, or -1 if the port is taken. */
int dns_server_rebind(struct dns_server *srv);
/* Registers the server's crash and restart hooks with life (host_life.h):
 * a crash unbinds port 53 (queries go unanswered, as in an outage), the
 * zones survive (they are files), a restart binds again. Undone by
 * dns_server_free. 0, or -1 on ENOMEM. */
struct host_life;
int dns_server_attach_life(struct dns_server *srv, struct host_life *life);
int dns_server_host(const struct dns_server *srv);
const struct dns_server_stats *dns_server_stats(const struct dns_server *srv);

#endif

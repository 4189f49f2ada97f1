/* Authoritative DNS data: the zones a scenario's DNS server serves, and the
 * lookup that turns a question into a response (RFC 1034 4.3.2, without
 * delegations or wildcards, which the scenarios do not need).
 *
 * A database holds zones (an origin with its SOA) and records; every record
 * must lie inside a declared zone. Lookups chase CNAMEs inside the served
 * data (at most DNS_ZONE_MAX_CHAIN links; a longer chain or a loop gives
 * SERVFAIL), and tell apart a name that does not exist (NXDOMAIN) from a
 * name without data of the asked type (NOERROR with an empty answer,
 * "NODATA"); both carry the zone's SOA in the authority section (RFC 2308).
 * A name with no records but with records below it (an "empty
 * non-terminal") exists. MX and NS answers get the A records of the named
 * hosts in the additional section when the database has them.
 *
 * libc only; the server agent (sim/agents/dns_server.h) puts it on UDP 53.
 *
 *   struct dns_db *db = dns_db_new();
 *   dns_db_add_zone(db, "dominio.de.maria", 3600, NULL);
 *   dns_db_add_text(db, "dominio.de.maria", 3600, "MX", "10 mx.dominio.de.maria", err, sizeof err);
 *   dns_db_add_text(db, "mx.dominio.de.maria", 3600, "A", "10.0.3.25", err, sizeof err);
 *   dns_db_add_reverse(db, ip, "mx.dominio.de.maria", 3600);
 *   int rcode = dns_db_answer(db, &query->qd[0], response);
 */
#ifndef PROTOCOLS_DNS_ZONE_H
#define PROTOCOLS_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/dns.h"

#define DNS_ZONE_MAX_CHAIN 8

struct dns_db;

struct dns_db *dns_db_new(void);
void dns_db_free(struct dns_db **db);

/* Declares the zone origin. soa NULL gives defaults: mname "ns.<origin>",
 * rname "hostmaster.<origin>", serial 1, refresh 3600, retry 600, expire
 * 86400, minimum 300. ttl is the SOA record's TTL. Returns 0, DNS_E_EXISTS,
 * a name error, or DNS_E_NOMEM. */
int dns_db_add_zone(struct dns_db *db, const char *origin, uint32_t ttl, const struct dns_soa *soa);
/* Adds a record (class IN is assumed for the lookup). An identical record
 * (same name, type and value) is not added twice. Returns 0, DNS_E_NOZONE,
 * DNS_E_CONFLICT (a CNAME beside other data), or DNS_E_NOMEM. SOA records
 * come from dns_db_add_zone, not from here (DNS_E_CONFLICT). */
int dns_db_add(struct dns_db *db, const struct dns_rr *rr);
/* dns_db_add from text: type a mnemonic (A, MX, PTR, CNAME, NS), value as
 * in a zone file ("10 mx.dominio.de.maria"). On error, err (may be NULL)
 * says what was wrong. */
int dns_db_add_text(struct dns_db *db, const char *owner, uint32_t ttl, const char *type, const char *value,
		    char *err, size_t errlen);
/* Adds the PTR record d.c.b.a.in-addr.arpa -> name for address ip (host byte
 * order). If no declared zone covers the reverse name, the zone
 * "in-addr.arpa" is declared with default SOA values first. */
int dns_db_add_reverse(struct dns_db *db, uint32_t ip, const char *name, uint32_t ttl);
/* Removes the records of type at owner (DNS_T_ANY: all of them). Returns how
 * many were removed, or a name error. */
int dns_db_remove(struct dns_db *db, const char *owner, uint16_t type);
/* Replaces the records of type at owner by one record with value: the
 * run-time "answer change" fault. */
int dns_db_replace_text(struct dns_db *db, const char *owner, uint32_t ttl, const char *type, const char *value,
			char *err, size_t errlen);

/* Answers question q into resp, whose header and question the caller has
 * set (dns_msg_init_response): sets rcode and AA and fills the answer,
 * authority and additional sections. Returns the rcode: NOERROR (with or
 * without answers), NXDOMAIN, SERVFAIL (CNAME chain too long), or REFUSED
 * (the name is outside every zone: this server is not authoritative). */
int dns_db_answer(const struct dns_db *db, const struct dns_question *q, struct dns_msg *resp);

size_t dns_db_zone_count(const struct dns_db *db);
size_t dns_db_record_count(const struct dns_db *db);
/* Calls fn for every record, SOAs first (zone order), then names in the
 * order they were first used and records in the order they were added
 * (for the viewer's host inspector and for dumps). */
void dns_db_foreach(const struct dns_db *db, void (*fn)(void *ctx, const struct dns_rr *rr), void *ctx);

#endif

/* The stub resolver agent of a simulated host: asks one configured DNS
 * server over UDP, with a timeout per try and a number of tries, and hands
 * the outcome to a callback. Helpers on top: the MX lookup an MTA needs
 * (RFC 5321 5.1), address lookup, and the reverse (PTR) lookup an MTA does
 * after EHLO for its Received header.
 *
 * Each query uses a random id and a random source port from the host's own
 * stream of the run's seed ("dns.resolver:<host name>"), kept across its
 * tries so that a late answer to an earlier try still counts. An answer is
 * accepted only if it comes from the server's address and port 53, to the
 * query's port, with the query's id, QR set and the same question (a
 * header-only FORMERR/NOTIMP/SERVFAIL/REFUSED reply may omit the question);
 * anything else is ignored (and shown in the transcript) and the query keeps
 * waiting. A CNAME chain that leaves the server's data is followed by asking
 * again for its target, at most RESOLVER_MAX_CHAIN times. Truncated (TC)
 * answers are used as they are, since there is no DNS over TCP here; one
 * truncated to no usable record gives RESOLVER_ERROR (temporary), not
 * NODATA.
 *
 * Outcomes are distinct because an MTA acts on them differently: NXDOMAIN
 * (and NODATA, and a null MX) are permanent, so the mail bounces;
 * SERVFAIL, REFUSED, TIMEOUT and local errors are temporary, so the mail
 * stays queued and is retried (resolver_status_is_permanent()).
 *
 * Callbacks are never called from inside resolver_query() and friends: a
 * call that fails returns a negative number and never calls back; one that
 * succeeds calls back exactly once, from a later event, unless cancelled.
 * A callback may start new queries, cancel others and free the resolver.
 *
 * Transcript: OBS_APP records of kind "dns" on the resolver's host, one line
 * each:
 *   QUERY MX dominio.de.maria                  a query sent (first try)
 *   QUERY MX dominio.de.maria (try 2/3)        the same query sent again
 *   REPLY NOERROR MX dominio.de.maria          an accepted answer (" tc" appended
 *                                              when truncated), then one line
 *                                              per record received:
 *   ANSWER dominio.de.maria MX 10 mx.dominio.de.maria
 *   AUTHORITY dominio.de.maria SOA ns.dominio.de.maria hostmaster.dominio.de.maria 1 3600 600 86400 300
 *   ADDITIONAL mx.dominio.de.maria A 10.0.3.25
 *   TIMEOUT MX dominio.de.maria after 3 tries
 *   IGNORED reply from 10.0.0.66:53 (wrong id 4660)   also: "not from the
 *                                              server", "not a response",
 *                                              "wrong question", "malformed: ..."
 *   MX dominio.de.maria: 10 mx.dominio.de.maria 10.0.3.25, 20 mx2.dominio.de.maria 10.0.3.26
 *                                              the MX helper's final order
 *                                              ("implicit 0 <domain> <addr>"
 *                                              for the A fallback; the status
 *                                              name when it failed)
 *
 *   struct resolver_config cfg;
 *   resolver_config_default(&cfg);
 *   cfg.server_ip = dns_ip;
 *   struct resolver *r = resolver_new(sim, net, udp, host, &cfg);
 *   resolver_mx(r, "dominio.de.maria", on_mx, mta);
 *   ...
 *   resolver_free(&r);   // before udp_free and sim_free */
#ifndef SIM_AGENTS_RESOLVER_H
#define SIM_AGENTS_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/dns.h"
#include "sim/core/time.h"

struct sim;
struct net;
struct udp;
struct resolver;

#define RESOLVER_MAX_CHAIN 8 /* re-queries to follow CNAMEs out of the server's data */
#define RESOLVER_MX_MAX 16   /* exchangers kept per domain */
#define RESOLVER_ADDR_MAX 8  /* addresses kept per exchanger */

struct resolver_config {
	uint32_t server_ip; /* the DNS server, host byte order */
	sim_time timeout;   /* wait per try; default 2 s */
	int tries;          /* tries per query, >= 1; default 3 */
};

/* Fills the defaults; server_ip is 0 and must be set. */
void resolver_config_default(struct resolver_config *cfg);

enum resolver_status {
	RESOLVER_OK,       /* NOERROR with records of the asked type */
	RESOLVER_NODATA,   /* NOERROR, the name exists but has no records of the type */
	RESOLVER_NXDOMAIN, /* the name does not exist */
	RESOLVER_SERVFAIL, /* the server answered SERVFAIL */
	RESOLVER_REFUSED,  /* REFUSED, NOTIMP, FORMERR or an unknown rcode */
	RESOLVER_TIMEOUT,  /* no acceptable answer after every try */
	RESOLVER_LOOP,     /* a CNAME chain longer than RESOLVER_MAX_CHAIN */
	RESOLVER_NULL_MX,  /* MX helper: the domain says it takes no mail (RFC 7505) */
	RESOLVER_ERROR,    /* a local failure (memory, no port) */
};

const char *resolver_status_name(enum resolver_status st);
/* Nonzero for outcomes that will not change by asking again (NXDOMAIN,
 * NODATA, NULL_MX): an MTA bounces on these and retries on the others. */
int resolver_status_is_permanent(enum resolver_status st);

/* What a query found. Everything is borrowed for the callback's duration. */
struct resolver_answer {
	enum resolver_status status;
	const char *name;   /* the name asked */
	uint16_t type;      /* the type asked */
	uint8_t rcode;      /* of the last reply (0 on timeout) */
	int truncated;      /* the last reply had TC set */
	/* The records of the asked type owned by the name the CNAME chain ends
	 * at, in the order received (count 0 unless status is OK). */
	const struct dns_rr *records;
	size_t count;
	/* The last reply whole (all sections), or NULL on timeout and errors. */
	const struct dns_msg *msg;
};

typedef void (*resolver_fn)(void *ctx, const struct resolver_answer *ans);

/* One exchanger of an MX lookup, in the order to try them. */
struct resolver_mx_host {
	char name[DNS_NAME_TEXT_MAX];
	uint16_t preference;
	enum resolver_status status; /* of its address lookup */
	size_t naddrs;
	uint32_t addrs[RESOLVER_ADDR_MAX]; /* host byte order */
};

struct resolver_mx_result {
	/* OK when at least one exchanger has an address; otherwise the first
	 * temporary failure among the lookups, or else the permanent one. */
	enum resolver_status status;
	const char *domain;
	int implicit; /* no MX records: the domain's own A record, preference 0 */
	size_t count;
	const struct resolver_mx_host *hosts;
};

typedef void (*resolver_mx_fn)(void *ctx, const struct resolver_mx_result *res);
typedef void (*resolver_addr_fn)(void *ctx, enum resolver_status st, const uint32_t *addrs, size_t n);
/* name is the PTR target in text form, NULL unless st is RESOLVER_OK. */
typedef void (*resolver_ptr_fn)(void *ctx, enum resolver_status st, const char *name);

/* A resolver for host. NULL on ENOMEM or a config without a server or with
 * tries < 1 or timeout <= 0. */
struct resolver *resolver_new(struct sim *sim, struct net *net, struct udp *udp, int host,
			      const struct resolver_config *cfg);
/* Cancels every outstanding lookup (no callbacks) and frees. Accepts NULL;
 * clears the pointer. */
void resolver_free(struct resolver **r);

/* Asks for (name, type). Returns a handle > 0 for resolver_cancel, or a
 * negative DNS_E_* code (a bad name, DNS_E_NOMEM) and no callback. */
long resolver_query(struct resolver *r, const char *name, uint16_t type, resolver_fn fn, void *ctx);
/* The mail exchangers of domain, sorted by preference, equal preferences in
 * a random order from the host's "dns.mx:<host>" stream; each with its
 * addresses (from the reply's additional section, or asked for). No MX
 * records (NODATA) falls back to the domain's A records as an implicit MX of
 * preference 0 (RFC 5321 5.1). */
long resolver_mx(struct resolver *r, const char *domain, resolver_mx_fn fn, void *ctx);
/* The A records of name (CNAMEs followed). */
long resolver_addr(struct resolver *r, const char *name, resolver_addr_fn fn, void *ctx);
/* The PTR record of ip (host byte order), via d.c.b.a.in-addr.arpa. */
long resolver_ptr(struct resolver *r, uint32_t ip, resolver_ptr_fn fn, void *ctx);
/* A forward-confirmed reverse lookup, as an MTA does after EHLO: the PTR
 * record of ip, then the A records of the name found. st and name are the
 * PTR lookup's; confirmed is 1 if the name's addresses include ip, 0 if
 * they do not (or the name has none), -1 if that could not be learnt (a
 * temporary failure, or no name). sendmail writes "(may be forged)" in the
 * Received header when the name is not confirmed. */
typedef void (*resolver_reverse_fn)(void *ctx, enum resolver_status st, const char *name, int confirmed);
long resolver_reverse(struct resolver *r, uint32_t ip, resolver_reverse_fn fn, void *ctx);
/* Cancels a lookup: its callback will not be called. 1 if it was pending. */
int resolver_cancel(struct resolver *r, long handle);

/* Lookups in progress. */
size_t resolver_pending(const struct resolver *r);
int resolver_host(const struct resolver *r);
/* Changes the server, timeout and tries for wire queries started
 * afterwards; a query keeps the settings it started with, retries included.
 * 0, or -1 (and no change) for a config resolver_new would refuse. */
int resolver_set_config(struct resolver *r, const struct resolver_config *cfg);

struct resolver_stats {
	uint64_t queries;   /* lookups on the wire (CNAME re-queries included) */
	uint64_t sent;      /* datagrams sent, retries included */
	uint64_t retries;
	uint64_t timeouts;  /* queries that ran out of tries */
	uint64_t ignored;   /* datagrams ignored as not matching */
	uint64_t answers;   /* accepted replies */
};
const struct resolver_stats *resolver_stats(const struct resolver *r);

#endif

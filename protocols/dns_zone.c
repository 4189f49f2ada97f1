/* Authoritative zone data and lookups. See dns_zone.h.
 *
 * Names are nodes in a hash table (chained, case-insensitive), kept also in
 * creation order for deterministic dumps. Each node counts its own records
 * and the records below it inside its zone, so a name exists exactly when
 * either count is nonzero (or it is a zone apex), and removing the last
 * record under a name makes it vanish again (NXDOMAIN). */
#include "protocols/dns_zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct dns_name name;
	struct node *next; /* hash chain */
	int zone;          /* index of the closest enclosing zone */
	int apex;          /* this name is that zone's origin */
	size_t nrr, cap;
	struct dns_rr *rr;
	size_t below; /* records at names under this one, in the same zone */
};

struct zone {
	struct dns_name origin;
	struct dns_rr soa;
};

struct dns_db {
	struct node **buckets;
	size_t nbuckets;
	struct node **nodes; /* creation order */
	size_t nnodes, capnodes;
	struct zone *zones;
	size_t nzones, capzones;
	size_t nrecords;
};

struct dns_db *dns_db_new(void)
{
	struct dns_db *db = calloc(1, sizeof *db);
	if (!db)
		return NULL;
	db->nbuckets = 64;
	db->buckets = calloc(db->nbuckets, sizeof *db->buckets);
	if (!db->buckets) {
		free(db);
		return NULL;
	}
	return db;
}

void dns_db_free(struct dns_db **dbp)
{
	if (!dbp || !*dbp)
		return;
	struct dns_db *db = *dbp;
	for (size_t i = 0; i < db->nnodes; i++) {
		free(db->nodes[i]->rr);
		free(db->nodes[i]);
	}
	free(db->nodes);
	free(db->buckets);
	free(db->zones);
	free(db);
	*dbp = NULL;
}

static struct node *find(const struct dns_db *db, const struct dns_name *n)
{
	for (struct node *x = db->buckets[dns_name_hash(n) % db->nbuckets]; x; x = x->next)
		if (dns_name_equal(&x->name, n))
			return x;
	return NULL;
}

static int grow_table(struct dns_db *db)
{
	size_t nb = db->nbuckets * 2;
	struct node **b = calloc(nb, sizeof *b);
	if (!b)
		return DNS_E_NOMEM;
	for (size_t i = 0; i < db->nnodes; i++) {
		struct node *x = db->nodes[i];
		size_t h = dns_name_hash(&x->name) % nb;
		x->next = b[h];
		b[h] = x;
	}
	free(db->buckets);
	db->buckets = b;
	db->nbuckets = nb;
	return 0;
}

/* The node for n, created if missing; NULL on ENOMEM. */
static struct node *get(struct dns_db *db, const struct dns_name *n, int zone)
{
	struct node *x = find(db, n);
	if (x)
		return x;
	if (db->nnodes == db->capnodes) {
		size_t cap = db->capnodes ? db->capnodes * 2 : 16;
		struct node **v = realloc(db->nodes, cap * sizeof *v);
		if (!v)
			return NULL;
		db->nodes = v;
		db->capnodes = cap;
	}
	if (db->nnodes >= db->nbuckets && grow_table(db) < 0)
		return NULL;
	x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->name = *n;
	x->zone = zone;
	size_t h = dns_name_hash(n) % db->nbuckets;
	x->next = db->buckets[h];
	db->buckets[h] = x;
	db->nodes[db->nnodes++] = x;
	return x;
}

/* The closest zone enclosing n, or -1. */
static int count_up(struct dns_db *db, const struct dns_name *n, int zone, long delta);

static int zone_of(const struct dns_db *db, const struct dns_name *n)
{
	struct dns_name cur = *n;
	for (;;) {
		const struct node *x = find(db, &cur);
		if (x && x->apex)
			return x->zone;
		if (cur.len <= 1)
			return -1;
		dns_name_parent(&cur, &cur);
	}
}

int dns_db_add_zone(struct dns_db *db, const char *origin, uint32_t ttl, const struct dns_soa *soa)
{
	struct dns_name o;
	int rc = dns_name_from_text(origin, &o);
	if (rc < 0)
		return rc;
	struct node *existing = find(db, &o);
	if (existing && existing->apex)
		return DNS_E_EXISTS;
	if (db->nzones == db->capzones) {
		size_t cap = db->capzones ? db->capzones * 2 : 4;
		struct zone *z = realloc(db->zones, cap * sizeof *z);
		if (!z)
			return DNS_E_NOMEM;
		db->zones = z;
		db->capzones = cap;
	}
	struct zone *z = &db->zones[db->nzones];
	memset(z, 0, sizeof *z);
	z->origin = o;
	z->soa.name = o;
	z->soa.type = DNS_T_SOA;
	z->soa.class_ = DNS_CLASS_IN;
	z->soa.ttl = ttl;
	if (soa) {
		z->soa.d.soa = *soa;
	} else {
		char text[DNS_NAME_TEXT_MAX + 16];
		char otext[DNS_NAME_TEXT_MAX];
		dns_name_to_text(&o, otext, sizeof otext);
		int root = o.len == 1;
		snprintf(text, sizeof text, "ns%s%s", root ? "" : ".", root ? "" : otext);
		if (dns_name_from_text(text, &z->soa.d.soa.mname) < 0)
			z->soa.d.soa.mname = o; /* the origin is too long to prefix */
		snprintf(text, sizeof text, "hostmaster%s%s", root ? "" : ".", root ? "" : otext);
		if (dns_name_from_text(text, &z->soa.d.soa.rname) < 0)
			z->soa.d.soa.rname = o;
		z->soa.d.soa.serial = 1;
		z->soa.d.soa.refresh = 3600;
		z->soa.d.soa.retry = 600;
		z->soa.d.soa.expire = 86400;
		z->soa.d.soa.minimum = 300;
	}
	struct node *apex = get(db, &o, (int)db->nzones);
	if (!apex)
		return DNS_E_NOMEM;
	/* A zone cut below an existing zone: names already under it now belong to
	 * the new zone, and their counts must move with them. Scenarios declare
	 * zones first, so this is rare; recount everything to stay exact. */
	apex->apex = 1;
	apex->zone = (int)db->nzones;
	db->nzones++;
	for (size_t i = 0; i < db->nnodes; i++) {
		struct node *x = db->nodes[i];
		x->below = 0;
		if (!x->apex)
			x->zone = -1;
	}
	for (size_t i = 0; i < db->nnodes; i++) {
		struct node *x = db->nodes[i];
		if (!x->apex)
			x->zone = zone_of(db, &x->name);
	}
	/* count_up may add nodes (empty non-terminals); they hold no records. */
	size_t n = db->nnodes;
	for (size_t i = 0; i < n; i++) {
		struct node *x = db->nodes[i];
		if (x->nrr && !x->apex && count_up(db, &x->name, x->zone, (long)x->nrr) < 0)
			return DNS_E_NOMEM;
	}
	/* A zone served inside another makes the names between them exist in
	 * the outer zone, as its delegation would: "de.maria" is no NXDOMAIN
	 * when "dominio.de.maria" is a zone inside "maria". */
	for (size_t zi = 0; zi < db->nzones; zi++) {
		struct dns_name up;
		if (db->zones[zi].origin.len <= 1)
			continue;
		dns_name_parent(&db->zones[zi].origin, &up);
		int outer = zone_of(db, &up);
		if (outer >= 0 && count_up(db, &db->zones[zi].origin, outer, 1) < 0)
			return DNS_E_NOMEM;
	}
	return 0;
}

static int rdata_equal(const struct dns_rr *a, const struct dns_rr *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case DNS_T_A:
		return a->d.a == b->d.a;
	case DNS_T_MX:
		return a->d.mx.preference == b->d.mx.preference && dns_name_equal(&a->d.mx.exchange, &b->d.mx.exchange);
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		return dns_name_equal(&a->d.target, &b->d.target);
	default:
		return a->d.raw.len == b->d.raw.len && a->d.raw.len <= DNS_MAX_RAW &&
		       memcmp(a->d.raw.data, b->d.raw.data, a->d.raw.len) == 0;
	}
}

/* Adds delta to the below-counts of n's ancestors up to its zone's apex,
 * creating the empty non-terminal nodes on the way. */
static int count_up(struct dns_db *db, const struct dns_name *n, int zone, long delta)
{
	struct dns_name cur = *n;
	while (cur.len > 1) {
		dns_name_parent(&cur, &cur);
		struct node *up = get(db, &cur, zone);
		if (!up)
			return DNS_E_NOMEM;
		up->below = (size_t)((long)up->below + delta);
		if (up->apex && up->zone == zone)
			break;
	}
	return 0;
}

int dns_db_add(struct dns_db *db, const struct dns_rr *rr)
{
	if (rr->type == DNS_T_SOA || rr->type == DNS_T_ANY || rr->type == DNS_T_AXFR)
		return DNS_E_CONFLICT;
	int zone = zone_of(db, &rr->name);
	if (zone < 0)
		return DNS_E_NOZONE;
	struct node *x = get(db, &rr->name, zone);
	if (!x)
		return DNS_E_NOMEM;
	for (size_t i = 0; i < x->nrr; i++) {
		if (rdata_equal(&x->rr[i], rr))
			return 0;
		if ((x->rr[i].type == DNS_T_CNAME) != (rr->type == DNS_T_CNAME) ||
		    (rr->type == DNS_T_CNAME && x->rr[i].type == DNS_T_CNAME))
			return DNS_E_CONFLICT; /* one CNAME and nothing beside it */
	}
	if (rr->type == DNS_T_CNAME && x->apex)
		return DNS_E_CONFLICT; /* the apex has its SOA */
	if (x->nrr == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 2;
		struct dns_rr *v = realloc(x->rr, cap * sizeof *v);
		if (!v)
			return DNS_E_NOMEM;
		x->rr = v;
		x->cap = cap;
	}
	if (!x->apex && count_up(db, &rr->name, zone, 1) < 0)
		return DNS_E_NOMEM;
	/* count_up may have grown the table, but nodes never move. */
	x->rr[x->nrr] = *rr;
	x->rr[x->nrr].class_ = DNS_CLASS_IN;
	x->nrr++;
	db->nrecords++;
	return 0;
}

static int parse_record(const char *owner, uint32_t ttl, const char *type, const char *value, struct dns_rr *rr,
			char *err, size_t errlen)
{
	memset(rr, 0, sizeof *rr);
	if (dns_name_from_text(owner, &rr->name) < 0) {
		if (err)
			snprintf(err, errlen, "\"%s\" is not a domain name", owner);
		return DNS_E_TEXT;
	}
	int t = dns_type_from_name(type);
	if (t != DNS_T_A && t != DNS_T_MX && t != DNS_T_PTR && t != DNS_T_CNAME && t != DNS_T_NS) {
		if (err)
			snprintf(err, errlen, "record type \"%s\" is not one of A, MX, PTR, CNAME, NS", type);
		return DNS_E_TEXT;
	}
	rr->type = (uint16_t)t;
	rr->class_ = DNS_CLASS_IN;
	rr->ttl = ttl;
	if (dns_rdata_from_text(rr->type, value, rr) < 0) {
		if (err) {
			static const char *const want[] = {[DNS_T_A] = "an IPv4 address such as 192.0.2.1",
							   [DNS_T_NS] = "a host name",
							   [DNS_T_CNAME] = "a domain name",
							   [DNS_T_PTR] = "a domain name",
							   [DNS_T_MX] = "a preference and a host, such as \"10 mx.example\""};
			snprintf(err, errlen, "%s value \"%s\" is not %s", type, value, want[t]);
		}
		return DNS_E_TEXT;
	}
	return 0;
}

static void explain(int rc, const char *owner, char *err, size_t errlen)
{
	if (!err || rc >= 0)
		return;
	if (rc == DNS_E_NOZONE)
		snprintf(err, errlen, "\"%s\" is not inside any declared zone", owner);
	else if (rc == DNS_E_CONFLICT)
		snprintf(err, errlen, "\"%s\" would have a CNAME beside other records", owner);
	else
		snprintf(err, errlen, "%s", dns_strerror(rc));
}

int dns_db_add_text(struct dns_db *db, const char *owner, uint32_t ttl, const char *type, const char *value,
		    char *err, size_t errlen)
{
	struct dns_rr rr;
	int rc = parse_record(owner, ttl, type, value, &rr, err, errlen);
	if (rc < 0)
		return rc;
	rc = dns_db_add(db, &rr);
	explain(rc, owner, err, errlen);
	return rc;
}

int dns_db_add_reverse(struct dns_db *db, uint32_t ip, const char *name, uint32_t ttl)
{
	struct dns_rr rr = {.type = DNS_T_PTR, .class_ = DNS_CLASS_IN, .ttl = ttl};
	dns_name_reverse_ipv4(ip, &rr.name);
	int rc = dns_name_from_text(name, &rr.d.target);
	if (rc < 0)
		return rc;
	if (zone_of(db, &rr.name) < 0 && (rc = dns_db_add_zone(db, "in-addr.arpa", ttl, NULL)) < 0)
		return rc;
	return dns_db_add(db, &rr);
}

int dns_db_remove(struct dns_db *db, const char *owner, uint16_t type)
{
	struct dns_name n;
	int rc = dns_name_from_text(owner, &n);
	if (rc < 0)
		return rc;
	struct node *x = find(db, &n);
	if (!x)
		return 0;
	size_t out = 0, removed = 0;
	for (size_t i = 0; i < x->nrr; i++) {
		if (type == DNS_T_ANY || x->rr[i].type == type)
			removed++;
		else
			x->rr[out++] = x->rr[i];
	}
	x->nrr = out;
	db->nrecords -= removed;
	if (removed && !x->apex)
		count_up(db, &n, x->zone, -(long)removed); /* nodes exist: no allocation */
	return (int)removed;
}

int dns_db_replace_text(struct dns_db *db, const char *owner, uint32_t ttl, const char *type, const char *value,
			char *err, size_t errlen)
{
	struct dns_rr rr;
	int rc = parse_record(owner, ttl, type, value, &rr, err, errlen);
	if (rc < 0)
		return rc;
	if (zone_of(db, &rr.name) < 0) {
		explain(DNS_E_NOZONE, owner, err, errlen);
		return DNS_E_NOZONE;
	}
	/* Replacing by a CNAME takes the name over; replacing other data drops a
	 * CNAME there. */
	dns_db_remove(db, owner, rr.type == DNS_T_CNAME ? DNS_T_ANY : rr.type);
	if (rr.type != DNS_T_CNAME)
		dns_db_remove(db, owner, DNS_T_CNAME);
	rc = dns_db_add(db, &rr);
	explain(rc, owner, err, errlen);
	return rc;
}

/* ---- lookup ---- */

static void add(struct dns_msg *resp, enum dns_section sec, const struct dns_rr *rr)
{
	for (size_t i = 0, n; i < DNS_SEC_COUNT; i++) {
		const struct dns_rr *s = dns_msg_section(resp, (enum dns_section)i, &n);
		for (size_t k = 0; k < n; k++)
			if (dns_name_equal(&s[k].name, &rr->name) && rdata_equal(&s[k], rr))
				return; /* already there: additional data the answer holds */
	}
	if (dns_msg_add_rr(resp, sec, rr) < 0)
		resp->h.tc = 1; /* more than a message can hold */
}

static void add_soa(const struct dns_db *db, int zone, struct dns_msg *resp)
{
	struct dns_rr soa = db->zones[zone].soa;
	/* RFC 2308 3: the negative-caching TTL is the smaller of the two. */
	if (soa.d.soa.minimum < soa.ttl)
		soa.ttl = soa.d.soa.minimum;
	add(resp, DNS_SEC_AUTHORITY, &soa);
}

static void add_addresses(const struct dns_db *db, const struct dns_name *host, struct dns_msg *resp)
{
	const struct node *x = find(db, host);
	for (size_t i = 0; x && i < x->nrr; i++)
		if (x->rr[i].type == DNS_T_A)
			add(resp, DNS_SEC_ADDITIONAL, &x->rr[i]);
}

int dns_db_answer(const struct dns_db *db, const struct dns_question *q, struct dns_msg *resp)
{
	struct dns_name cur = q->name;
	int chain = 0;
	resp->h.rcode = DNS_R_NOERROR;
	resp->h.aa = 0;
	for (;;) {
		int zone = zone_of(db, &cur);
		if (zone < 0) {
			/* Outside our data: a first name gets REFUSED; a CNAME target
			 * is left for the resolver to follow. */
			if (chain == 0)
				resp->h.rcode = DNS_R_REFUSED;
			break;
		}
		resp->h.aa = 1;
		const struct node *x = find(db, &cur);
		if (!x || (!x->apex && x->nrr == 0 && x->below == 0)) {
			resp->h.rcode = DNS_R_NXDOMAIN;
			add_soa(db, zone, resp);
			break;
		}
		const struct dns_rr *cname = NULL;
		for (size_t i = 0; i < x->nrr; i++)
			if (x->rr[i].type == DNS_T_CNAME)
				cname = &x->rr[i];
		if (cname && q->type != DNS_T_CNAME && q->type != DNS_T_ANY) {
			if (++chain > DNS_ZONE_MAX_CHAIN) {
				resp->h.rcode = DNS_R_SERVFAIL;
				break;
			}
			add(resp, DNS_SEC_ANSWER, cname);
			cur = cname->d.target;
			continue;
		}
		size_t found = 0;
		if (x->apex && (q->type == DNS_T_SOA || q->type == DNS_T_ANY)) {
			add(resp, DNS_SEC_ANSWER, &db->zones[x->zone].soa);
			found++;
		}
		for (size_t i = 0; i < x->nrr; i++) {
			if (q->type != DNS_T_ANY && x->rr[i].type != q->type)
				continue;
			add(resp, DNS_SEC_ANSWER, &x->rr[i]);
			found++;
		}
		if (!found) {
			add_soa(db, zone, resp);
			break;
		}
		for (size_t i = 0; i < x->nrr; i++) {
			if (x->rr[i].type == DNS_T_MX && (q->type == DNS_T_MX || q->type == DNS_T_ANY))
				add_addresses(db, &x->rr[i].d.mx.exchange, resp);
			else if (x->rr[i].type == DNS_T_NS && (q->type == DNS_T_NS || q->type == DNS_T_ANY))
				add_addresses(db, &x->rr[i].d.target, resp);
		}
		break;
	}
	return resp->h.rcode;
}

size_t dns_db_zone_count(const struct dns_db *db) { return db->nzones; }
size_t dns_db_record_count(const struct dns_db *db) { return db->nrecords; }

void dns_db_foreach(const struct dns_db *db, void (*fn)(void *ctx, const struct dns_rr *rr), void *ctx)
{
	for (size_t z = 0; z < db->nzones; z++)
		fn(ctx, &db->zones[z].soa);
	for (size_t i = 0; i < db->nnodes; i++)
		for (size_t k = 0; k < db->nodes[i]->nrr; k++)
			fn(ctx, &db->nodes[i]->rr[k]);
}

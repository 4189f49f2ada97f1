/* DNS messages in the RFC 1035 wire format: build and parse queries and
 * responses (header, question, answer, authority and additional sections)
 * with name compression on output and checked decompression on input, and
 * the presentation ("dig-like") text form used by the transcript.
 *
 * libc only, sans-I/O: the simulated server and resolver (sim/agents) move
 * the bytes. The parser never trusts its input: every label is <= 63
 * octets, every name <= 255, every compression pointer points strictly
 * before the name piece it was found in (so decompression always ends),
 * every record lies inside the message, counts must match the records that
 * follow, and messages are limited to the 512 octets of DNS over UDP. A
 * malformed message gives a negative DNS_E_* code, never a crash or a read
 * beyond len.
 *
 * Names are kept in uncompressed wire form (struct dns_name) so that
 * comparison, compression and bounds are exact; dns_name_from_text() and
 * dns_name_to_text() convert to and from the text form, which has no
 * trailing dot ("dominio.de.maria"; the root is ".") and escapes odd bytes
 * as \DDD or \c the way zone files and dig do.
 *
 *   struct dns_msg *q = dns_msg_new();
 *   dns_msg_init_query(q, id, "dominio.de.maria", DNS_T_MX);
 *   uint8_t wire[DNS_UDP_MAX]; size_t n;
 *   if (dns_build(q, wire, sizeof wire, &n) < 0) ...
 *   struct dns_msg *r = dns_msg_new();
 *   int rc = dns_parse(reply, reply_len, r);   // 0 or DNS_E_*
 *   dns_msg_free(&q); dns_msg_free(&r); */
#ifndef PROTOCOLS_DNS_H
#define PROTOCOLS_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_UDP_MAX 512        /* RFC 1035 4.2.1: UDP messages are at most 512 octets */
#define DNS_HEADER_LEN 12
#define DNS_MAX_LABEL 63       /* octets in one label */
#define DNS_MAX_NAME 255       /* octets of a name in wire form, root byte included */
#define DNS_NAME_TEXT_MAX 1024 /* enough for any name in text form, escapes included */
#define DNS_MAX_QD 4           /* questions held by a message (servers accept only 1) */
/* Records held by a message, all sections together: a 512-octet message
 * cannot carry more than 45 (each takes at least 11 octets). */
#define DNS_MAX_RR 48
#define DNS_MAX_RAW 500 /* rdata octets kept for types this module does not decode */

enum dns_type {
	DNS_T_A = 1,
	DNS_T_NS = 2,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_TXT = 16,
	DNS_T_AAAA = 28,
	DNS_T_AXFR = 252,
	DNS_T_ANY = 255,
};

#define DNS_CLASS_IN 1
#define DNS_CLASS_ANY 255

enum dns_opcode {
	DNS_OP_QUERY = 0,
	DNS_OP_IQUERY = 1,
	DNS_OP_STATUS = 2,
	DNS_OP_NOTIFY = 4,
	DNS_OP_UPDATE = 5,
};

enum dns_rcode {
	DNS_R_NOERROR = 0,
	DNS_R_FORMERR = 1,
	DNS_R_SERVFAIL = 2,
	DNS_R_NXDOMAIN = 3,
	DNS_R_NOTIMP = 4,
	DNS_R_REFUSED = 5,
};

enum dns_section {
	DNS_SEC_ANSWER,
	DNS_SEC_AUTHORITY,
	DNS_SEC_ADDITIONAL,
	DNS_SEC_COUNT
};

/* Errors: every function here returns 0 (or a length) on success and one of
 * these on failure. */
enum dns_err {
	DNS_E_SHORT = -1,     /* the message ends inside a header, name or record */
	DNS_E_LABEL = -2,     /* a label longer than 63 octets, or a reserved label type */
	DNS_E_NAME = -3,      /* a name longer than 255 octets */
	DNS_E_POINTER = -4,   /* a compression pointer that does not point backwards */
	DNS_E_COUNT = -5,     /* the header counts more records than the message holds */
	DNS_E_TRAILING = -6,  /* octets after the last counted record */
	DNS_E_TOO_BIG = -7,   /* over 512 octets (parse), or a query that does not fit (build) */
	DNS_E_TOO_MANY = -8,  /* more questions or records than a struct dns_msg holds */
	DNS_E_RDATA = -9,     /* rdata whose length or content does not fit its type */
	DNS_E_SPACE = -10,    /* the output buffer is too small */
	DNS_E_TEXT = -11,     /* text that is not a valid name or record value */
	DNS_E_EMPTY = -12,    /* a zero-length message */
	/* Zone data (dns_zone.h). */
	DNS_E_NOZONE = -13,   /* a record outside every zone the database holds */
	DNS_E_CONFLICT = -14, /* CNAME beside other data at one name (RFC 1034 3.6.2) */
	DNS_E_EXISTS = -15,   /* the zone is already declared */
	DNS_E_NOMEM = -16,    /* out of memory */
};
const char *dns_strerror(int err);

/* A domain name in uncompressed wire form: length-prefixed labels ending
 * with the zero-length root label. len counts every octet (1 for the root). */
struct dns_name {
	uint8_t len;
	uint8_t wire[DNS_MAX_NAME];
};

struct dns_header {
	uint16_t id;
	uint8_t qr;     /* 1 in responses */
	uint8_t opcode; /* enum dns_opcode */
	uint8_t aa, tc, rd, ra;
	uint8_t z;      /* the three reserved bits, kept as received */
	uint8_t rcode;  /* enum dns_rcode */
	/* Counts as received (parse); dns_build writes the real counts. */
	uint16_t qdcount, ancount, nscount, arcount;
};

struct dns_question {
	struct dns_name name;
	uint16_t type, class_;
};

struct dns_soa {
	struct dns_name mname, rname;
	uint32_t serial, refresh, retry, expire, minimum;
};

struct dns_rr {
	struct dns_name name;
	uint16_t type, class_;
	uint32_t ttl;
	union {
		uint32_t a; /* A: the address in host byte order */
		struct {
			uint16_t preference;
			struct dns_name exchange;
		} mx;
		struct dns_name target; /* CNAME, PTR, NS */
		struct dns_soa soa;
		struct {
			uint16_t len;
			uint8_t data[DNS_MAX_RAW];
		} raw; /* any other type, kept as octets */
	} d;
};

/* A message. Records are stored answer section first, then authority, then
 * additional; n[] counts each section. Large (some 40 KB): use the heap. */
struct dns_msg {
	struct dns_header h;
	size_t nqd;
	struct dns_question qd[DNS_MAX_QD];
	size_t n[DNS_SEC_COUNT];
	struct dns_rr rr[DNS_MAX_RR];
};

/* ---- names ---- */

/* Parses a text name ("mx.dominio.de.maria", trailing dot optional, "." or
 * "" for the root; \. \\ and \DDD escapes). 0 or DNS_E_TEXT, _LABEL, _NAME. */
int dns_name_from_text(const char *text, struct dns_name *out_r);
/* Writes the text form (no trailing dot; "." for the root) into buf.
 * Returns its length, or DNS_E_SPACE if size is too small. */
int dns_name_to_text(const struct dns_name *n, char *buf, size_t size);
/* Case-insensitive (ASCII) equality, as RFC 1035 2.3.3 asks. */
int dns_name_equal(const struct dns_name *a, const struct dns_name *b);
/* Nonzero if n equals zone or lies below it. */
int dns_name_is_under(const struct dns_name *n, const struct dns_name *zone);
int dns_name_label_count(const struct dns_name *n);
/* The name one label up (n without its first label); the root stays root. */
void dns_name_parent(const struct dns_name *n, struct dns_name *out_r);
/* d.c.b.a.in-addr.arpa for address a.b.c.d (ip in host byte order). */
void dns_name_reverse_ipv4(uint32_t ip, struct dns_name *out_r);
/* A 32-bit hash of n, case-insensitive, for tables. */
uint32_t dns_name_hash(const struct dns_name *n);

/* ---- messages ---- */

/* An empty message (header and counts zeroed; the question and record
 * arrays are uninitialised until added to), or NULL on ENOMEM. dns_msg_free
 * accepts NULL and clears the pointer. */
struct dns_msg *dns_msg_new(void);
void dns_msg_free(struct dns_msg **m);
void dns_msg_clear(struct dns_msg *m);
/* Clears m and makes it a standard query (RD set) for name and type, class
 * IN. 0 or the dns_name_from_text error. */
int dns_msg_init_query(struct dns_msg *m, uint16_t id, const char *name, uint16_t type);
/* Clears resp and makes it the response header to query q: same id, opcode
 * and RD, QR set, q's questions copied, the given rcode. */
void dns_msg_init_response(struct dns_msg *resp, const struct dns_msg *q, uint8_t rcode);
/* Appends a question; 0 or DNS_E_TOO_MANY. */
int dns_msg_add_question(struct dns_msg *m, const struct dns_question *q);
/* Appends rr to the end of section sec; 0 or DNS_E_TOO_MANY. */
int dns_msg_add_rr(struct dns_msg *m, enum dns_section sec, const struct dns_rr *rr);
/* The records of a section and their number. */
const struct dns_rr *dns_msg_section(const struct dns_msg *m, enum dns_section sec, size_t *count_r);

/* Encodes m into out (capacity cap; use DNS_UDP_MAX for UDP), compressing
 * names. When the records do not all fit: answer and authority records that
 * do not fit are left out and TC is set (RFC 1035 4.2.1); additional records
 * that do not fit are left out without TC (RFC 2181 9). A message whose
 * header and questions do not fit gives DNS_E_TOO_BIG. Returns 0 and the
 * length in *len_r, or a DNS_E_* code (DNS_E_RDATA for a raw record longer
 * than its buffer). */
int dns_build(const struct dns_msg *m, uint8_t *out, size_t cap, size_t *len_r);

/* Decodes a whole message of len octets (at most DNS_UDP_MAX) into out.
 * Returns 0, or a DNS_E_* code with out in an unspecified state. */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out_r);
/* Decodes only the 12-octet header, so a server can answer FORMERR with the
 * right id to a message it cannot parse. 0 or DNS_E_SHORT / DNS_E_EMPTY. */
int dns_parse_header(const uint8_t *msg, size_t len, struct dns_header *out_r);

/* ---- text forms (the transcript) ---- */

/* "A", "MX", ... or "TYPE123". The returned string is static, except for
 * numeric forms, which use buf (16 octets). */
const char *dns_type_name(uint16_t type, char *buf);
/* Type number for a mnemonic (case-insensitive, "TYPE123" accepted), or -1. */
int dns_type_from_name(const char *name);
/* "NOERROR", "NXDOMAIN", ... or "RCODE12" in buf (16 octets). */
const char *dns_rcode_name(uint8_t rcode, char *buf);

/* The record's value alone, as in a zone file: "10 mx.dominio.de.maria" for
 * MX, "192.0.2.1" for A, a name for CNAME/PTR/NS, "mname rname serial
 * refresh retry expire minimum" for SOA, RFC 3597 "\# len hex" otherwise.
 * Returns the length, or DNS_E_SPACE (buf then holds a truncated string). */
int dns_rdata_to_text(const struct dns_rr *rr, char *buf, size_t size);
/* "dominio.de.maria MX 10 mx.dominio.de.maria": owner, type, value. */
int dns_rr_to_text(const struct dns_rr *rr, char *buf, size_t size);
/* "MX dominio.de.maria": type then name, as the transcript's QUERY lines. */
int dns_question_to_text(const struct dns_question *q, char *buf, size_t size);
/* Parses a record value in the form dns_rdata_to_text writes, for type
 * (A, NS, CNAME, SOA, PTR, MX) into rr->d. 0 or DNS_E_TEXT. */
int dns_rdata_from_text(uint16_t type, const char *text, struct dns_rr *rr);
/* A dig-like multi-line dump of the whole message, one line each:
 *   ;; HEADER id 4660 QUERY NOERROR qr aa rd
 *   QUESTION MX dominio.de.maria
 *   ANSWER dominio.de.maria MX 10 mx.dominio.de.maria
 *   AUTHORITY ...
 *   ADDITIONAL ...
 * Returns the length, or DNS_E_SPACE (truncated). */
int dns_msg_to_text(const struct dns_msg *m, char *buf, size_t size);

/* Parses a dotted quad ("192.0.2.1", no leading zeros) into host byte order;
 * 0 or DNS_E_TEXT. Here so protocols/ needs nothing from sim/net. */
int dns_ipv4_parse(const char *text, uint32_t *ip_r);
/* Writes a dotted quad into buf (16 octets); returns buf. */
char *dns_ipv4_format(uint32_t ip, char *buf);

#endif

/* DNS wire format (RFC 1035 section 4) and its text form. See dns.h.
 *
 * Decompression terminates because each pointer must point strictly before
 * the start of the name piece that contained it: the start of the piece
 * being read falls with every jump. Compression on output remembers where
 * each name suffix was first written (offsets below 0x4000 only, since a
 * pointer has 14 bits). */
#include "protocols/dns.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMP_MAX 256

const char *dns_strerror(int err)
{
	switch (err) {
	case 0: return "no error";
	case DNS_E_SHORT: return "message ends inside a field";
	case DNS_E_LABEL: return "label longer than 63 octets or of a reserved type";
	case DNS_E_NAME: return "name longer than 255 octets";
	case DNS_E_POINTER: return "compression pointer does not point backwards";
	case DNS_E_COUNT: return "header counts more records than the message holds";
	case DNS_E_TRAILING: return "octets after the last record";
	case DNS_E_TOO_BIG: return "message larger than 512 octets";
	case DNS_E_TOO_MANY: return "too many questions or records";
	case DNS_E_RDATA: return "record data does not match its type";
	case DNS_E_SPACE: return "output buffer too small";
	case DNS_E_TEXT: return "not a valid name or record value";
	case DNS_E_EMPTY: return "empty message";
	case DNS_E_NOZONE: return "name is outside every zone";
	case DNS_E_CONFLICT: return "CNAME cannot coexist with other data";
	case DNS_E_EXISTS: return "zone already declared";
	case DNS_E_NOMEM: return "out of memory";
	default: return "unknown DNS error";
	}
}

/* ---- names ---- */

static uint8_t fold(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

static int bytes_equal_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold(a[i]) != fold(b[i]))
			return 0;
	return 1;
}

static void name_root(struct dns_name *n)
{
	n->wire[0] = 0;
	n->len = 1;
}

int dns_name_from_text(const char *text, struct dns_name *out_r)
{
	if (!text)
		return DNS_E_TEXT;
	const char *p = text;
	if (*p == 0 || (p[0] == '.' && p[1] == 0)) {
		name_root(out_r);
		return 0;
	}
	size_t pos = 0;
	while (*p) {
		uint8_t label[DNS_MAX_LABEL];
		size_t ll = 0;
		while (*p && *p != '.') {
			unsigned c = (unsigned char)*p++;
			if (c <= 0x20 || c >= 0x7f)
				return DNS_E_TEXT;
			if (c == '\\') {
				if (p[0] >= '0' && p[0] <= '9') {
					if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
						return DNS_E_TEXT;
					c = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
					    (unsigned)(p[2] - '0');
					if (c > 255)
						return DNS_E_TEXT;
					p += 3;
				} else if (*p > 0x20 && *p < 0x7f) {
					c = (unsigned char)*p++;
				} else {
					return DNS_E_TEXT;
				}
			}
			if (ll == DNS_MAX_LABEL)
				return DNS_E_LABEL;
			label[ll++] = (uint8_t)c;
		}
		if (ll == 0)
			return DNS_E_TEXT; /* "a..b" or ".a" */
		if (pos + 1 + ll + 1 > DNS_MAX_NAME)
			return DNS_E_NAME;
		out_r->wire[pos++] = (uint8_t)ll;
		memcpy(out_r->wire + pos, label, ll);
		pos += ll;
		if (*p == '.')
			p++;
	}
	out_r->wire[pos++] = 0;
	out_r->len = (uint8_t)pos;
	return 0;
}

static int plain_char(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c == '-' || c == '_' || c == '*' || c == '/' || c == '+' || c == '=' || c == '#' || c == ':' ||
	       c == '!' || c == '%' || c == '&' || c == ',' || c == '?' || c == '^' || c == '~' || c == '<' ||
	       c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '|' || c == '`' || c == '\'';
}

int dns_name_to_text(const struct dns_name *n, char *buf, size_t size)
{
	size_t out = 0;
	if (n->len <= 1) {
		if (size < 2)
			return DNS_E_SPACE;
		buf[0] = '.';
		buf[1] = 0;
		return 1;
	}
	for (size_t i = 0; i < n->len && n->wire[i]; i += 1u + n->wire[i]) {
		if (i) {
			if (out + 1 >= size)
				return DNS_E_SPACE;
			buf[out++] = '.';
		}
		for (size_t k = 0; k < n->wire[i]; k++) {
			uint8_t c = n->wire[i + 1 + k];
			if (out + 5 >= size)
				return DNS_E_SPACE;
			if (plain_char(c)) {
				buf[out++] = (char)c;
			} else if (c > 0x20 && c < 0x7f) {
				buf[out++] = '\\';
				buf[out++] = (char)c;
			} else {
				out += (size_t)snprintf(buf + out, size - out, "\\%03u", c);
			}
		}
	}
	if (out >= size)
		return DNS_E_SPACE;
	buf[out] = 0;
	return (int)out;
}

int dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	return a->len == b->len && bytes_equal_ci(a->wire, b->wire, a->len);
}

int dns_name_is_under(const struct dns_name *n, const struct dns_name *zone)
{
	for (size_t i = 0; i < n->len; i += 1u + n->wire[i]) {
		if ((size_t)n->len - i == zone->len)
			return bytes_equal_ci(n->wire + i, zone->wire, zone->len);
		if (n->wire[i] == 0)
			break;
	}
	return 0;
}

int dns_name_label_count(const struct dns_name *n)
{
	int count = 0;
	for (size_t i = 0; i < n->len && n->wire[i]; i += 1u + n->wire[i])
		count++;
	return count;
}

void dns_name_parent(const struct dns_name *n, struct dns_name *out_r)
{
	if (n->len <= 1) {
		name_root(out_r);
		return;
	}
	size_t skip = 1u + n->wire[0];
	out_r->len = (uint8_t)(n->len - skip);
	memmove(out_r->wire, n->wire + skip, out_r->len);
}

void dns_name_reverse_ipv4(uint32_t ip, struct dns_name *out_r)
{
	char text[64];
	snprintf(text, sizeof text, "%u.%u.%u.%u.in-addr.arpa", ip & 255, (ip >> 8) & 255, (ip >> 16) & 255,
		 ip >> 24);
	dns_name_from_text(text, out_r); /* cannot fail */
}

uint32_t dns_name_hash(const struct dns_name *n)
{
	uint32_t h = 2166136261u; /* FNV-1a over the folded octets */
	for (size_t i = 0; i < n->len; i++) {
		h ^= fold(n->wire[i]);
		h *= 16777619u;
	}
	return h;
}

/* ---- messages ---- */

struct dns_msg *dns_msg_new(void)
{
	/* Not calloc: 40 KB zeroed per reply would dominate a resolver's cost,
	 * and the arrays are only read up to the counts. */
	struct dns_msg *m = malloc(sizeof *m);
	if (m)
		dns_msg_clear(m);
	return m;
}

void dns_msg_free(struct dns_msg **m)
{
	if (!m)
		return;
	free(*m);
	*m = NULL;
}

void dns_msg_clear(struct dns_msg *m)
{
	/* Only the header and counts: the arrays are read up to the counts. */
	memset(&m->h, 0, sizeof m->h);
	m->nqd = 0;
	for (int s = 0; s < DNS_SEC_COUNT; s++)
		m->n[s] = 0;
}

int dns_msg_init_query(struct dns_msg *m, uint16_t id, const char *name, uint16_t type)
{
	dns_msg_clear(m);
	m->h.id = id;
	m->h.rd = 1;
	struct dns_question q = {.type = type, .class_ = DNS_CLASS_IN};
	int rc = dns_name_from_text(name, &q.name);
	if (rc < 0)
		return rc;
	return dns_msg_add_question(m, &q);
}

void dns_msg_init_response(struct dns_msg *resp, const struct dns_msg *q, uint8_t rcode)
{
	dns_msg_clear(resp);
	resp->h.id = q->h.id;
	resp->h.qr = 1;
	resp->h.opcode = q->h.opcode;
	resp->h.rd = q->h.rd;
	resp->h.rcode = rcode;
	for (size_t i = 0; i < q->nqd; i++)
		resp->qd[resp->nqd++] = q->qd[i];
}

int dns_msg_add_question(struct dns_msg *m, const struct dns_question *q)
{
	if (m->nqd >= DNS_MAX_QD)
		return DNS_E_TOO_MANY;
	m->qd[m->nqd++] = *q;
	return 0;
}

static size_t section_start(const struct dns_msg *m, enum dns_section sec)
{
	size_t start = 0;
	for (int s = 0; s < (int)sec; s++)
		start += m->n[s];
	return start;
}

int dns_msg_add_rr(struct dns_msg *m, enum dns_section sec, const struct dns_rr *rr)
{
	size_t total = m->n[0] + m->n[1] + m->n[2];
	if (total >= DNS_MAX_RR || (unsigned)sec >= DNS_SEC_COUNT)
		return DNS_E_TOO_MANY;
	size_t at = section_start(m, sec) + m->n[sec];
	memmove(&m->rr[at + 1], &m->rr[at], (total - at) * sizeof m->rr[0]);
	m->rr[at] = *rr;
	m->n[sec]++;
	return 0;
}

const struct dns_rr *dns_msg_section(const struct dns_msg *m, enum dns_section sec, size_t *count_r)
{
	*count_r = m->n[sec];
	return &m->rr[section_start(m, sec)];
}

/* ---- building ---- */

struct comp_entry {
	const uint8_t *suffix; /* borrowed from the message being built */
	uint8_t len;
	uint16_t off;
};

struct builder {
	uint8_t *out;
	size_t cap, pos;
	struct comp_entry comp[COMP_MAX];
	size_t ncomp;
};

static int put_u8(struct builder *b, uint8_t v)
{
	if (b->pos + 1 > b->cap)
		return DNS_E_SPACE;
	b->out[b->pos++] = v;
	return 0;
}

static int put_u16(struct builder *b, uint16_t v)
{
	if (b->pos + 2 > b->cap)
		return DNS_E_SPACE;
	b->out[b->pos++] = (uint8_t)(v >> 8);
	b->out[b->pos++] = (uint8_t)v;
	return 0;
}

static int put_u32(struct builder *b, uint32_t v)
{
	int rc = put_u16(b, (uint16_t)(v >> 16));
	return rc < 0 ? rc : put_u16(b, (uint16_t)v);
}

static int put_bytes(struct builder *b, const uint8_t *p, size_t n)
{
	if (b->pos + n > b->cap)
		return DNS_E_SPACE;
	memcpy(b->out + b->pos, p, n);
	b->pos += n;
	return 0;
}

static int put_name(struct builder *b, const struct dns_name *n)
{
	size_t i = 0;
	while (i < n->len && n->wire[i]) {
		uint8_t slen = (uint8_t)(n->len - i);
		for (size_t e = 0; e < b->ncomp; e++) {
			/* Exact octets, so a pointer never changes a name's case
			 * (RFC 4343 4.1 asks servers to preserve it). */
			if (b->comp[e].len == slen && memcmp(b->comp[e].suffix, n->wire + i, slen) == 0)
				return put_u16(b, (uint16_t)(0xC000u | b->comp[e].off));
		}
		if (b->pos < 0x4000 && b->ncomp < COMP_MAX)
			b->comp[b->ncomp++] = (struct comp_entry){n->wire + i, slen, (uint16_t)b->pos};
		int rc = put_bytes(b, n->wire + i, 1u + n->wire[i]);
		if (rc < 0)
			return rc;
		i += 1u + n->wire[i];
	}
	return put_u8(b, 0);
}

static int put_rdata(struct builder *b, const struct dns_rr *rr)
{
	int rc = 0;
	switch (rr->type) {
	case DNS_T_A:
		return put_u32(b, rr->d.a);
	case DNS_T_MX:
		rc = put_u16(b, rr->d.mx.preference);
		return rc < 0 ? rc : put_name(b, &rr->d.mx.exchange);
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		return put_name(b, &rr->d.target);
	case DNS_T_SOA:
		if ((rc = put_name(b, &rr->d.soa.mname)) < 0 || (rc = put_name(b, &rr->d.soa.rname)) < 0 ||
		    (rc = put_u32(b, rr->d.soa.serial)) < 0 || (rc = put_u32(b, rr->d.soa.refresh)) < 0 ||
		    (rc = put_u32(b, rr->d.soa.retry)) < 0 || (rc = put_u32(b, rr->d.soa.expire)) < 0)
			return rc;
		return put_u32(b, rr->d.soa.minimum);
	default:
		if (rr->d.raw.len > DNS_MAX_RAW)
			return DNS_E_RDATA;
		return put_bytes(b, rr->d.raw.data, rr->d.raw.len);
	}
}

static int put_rr(struct builder *b, const struct dns_rr *rr)
{
	int rc;
	if ((rc = put_name(b, &rr->name)) < 0 || (rc = put_u16(b, rr->type)) < 0 ||
	    (rc = put_u16(b, rr->class_)) < 0 || (rc = put_u32(b, rr->ttl)) < 0)
		return rc;
	size_t len_at = b->pos;
	if ((rc = put_u16(b, 0)) < 0 || (rc = put_rdata(b, rr)) < 0)
		return rc;
	size_t rdlen = b->pos - len_at - 2;
	b->out[len_at] = (uint8_t)(rdlen >> 8);
	b->out[len_at + 1] = (uint8_t)rdlen;
	return 0;
}

static void put_header(uint8_t *out, const struct dns_header *h, size_t qd, size_t an, size_t ns, size_t ar)
{
	out[0] = (uint8_t)(h->id >> 8);
	out[1] = (uint8_t)h->id;
	out[2] = (uint8_t)((h->qr ? 0x80 : 0) | ((h->opcode & 15) << 3) | (h->aa ? 4 : 0) | (h->tc ? 2 : 0) |
			   (h->rd ? 1 : 0));
	out[3] = (uint8_t)((h->ra ? 0x80 : 0) | ((h->z & 7) << 4) | (h->rcode & 15));
	size_t counts[4] = {qd, an, ns, ar};
	for (int i = 0; i < 4; i++) {
		out[4 + 2 * i] = (uint8_t)(counts[i] >> 8);
		out[5 + 2 * i] = (uint8_t)counts[i];
	}
}

int dns_build(const struct dns_msg *m, uint8_t *out, size_t cap, size_t *len_r)
{
	struct builder bld;
	struct builder *b = &bld;
	b->out = out;
	b->cap = cap;
	b->pos = DNS_HEADER_LEN;
	b->ncomp = 0;
	if (cap < DNS_HEADER_LEN)
		return DNS_E_TOO_BIG;
	int rc;
	for (size_t i = 0; i < m->nqd; i++) {
		const struct dns_question *q = &m->qd[i];
		if ((rc = put_name(b, &q->name)) < 0 || (rc = put_u16(b, q->type)) < 0 ||
		    (rc = put_u16(b, q->class_)) < 0)
			return rc == DNS_E_SPACE ? DNS_E_TOO_BIG : rc;
	}
	size_t written[DNS_SEC_COUNT] = {0, 0, 0};
	struct dns_header h = m->h;
	size_t idx = 0;
	int stop = 0;
	for (int s = 0; s < DNS_SEC_COUNT; s++) {
		for (size_t i = 0; i < m->n[s]; i++, idx++) {
			if (stop)
				continue;
			size_t save_pos = b->pos, save_comp = b->ncomp;
			rc = put_rr(b, &m->rr[idx]);
			if (rc == DNS_E_SPACE) {
				b->pos = save_pos;
				b->ncomp = save_comp;
				/* Dropped answers or authority make the reply incomplete;
				 * dropped additional data does not. */
				if (s != DNS_SEC_ADDITIONAL)
					h.tc = 1;
				stop = 1;
				continue;
			}
			if (rc < 0)
				return rc;
			written[s]++;
		}
	}
	put_header(out, &h, m->nqd, written[0], written[1], written[2]);
	*len_r = b->pos;
	return 0;
}

/* ---- parsing ---- */

int dns_parse_header(const uint8_t *msg, size_t len, struct dns_header *out_r)
{
	if (len == 0)
		return DNS_E_EMPTY;
	if (len < DNS_HEADER_LEN)
		return DNS_E_SHORT;
	out_r->id = (uint16_t)(msg[0] << 8 | msg[1]);
	out_r->qr = msg[2] >> 7;
	out_r->opcode = (msg[2] >> 3) & 15;
	out_r->aa = (msg[2] >> 2) & 1;
	out_r->tc = (msg[2] >> 1) & 1;
	out_r->rd = msg[2] & 1;
	out_r->ra = msg[3] >> 7;
	out_r->z = (msg[3] >> 4) & 7;
	out_r->rcode = msg[3] & 15;
	out_r->qdcount = (uint16_t)(msg[4] << 8 | msg[5]);
	out_r->ancount = (uint16_t)(msg[6] << 8 | msg[7]);
	out_r->nscount = (uint16_t)(msg[8] << 8 | msg[9]);
	out_r->arcount = (uint16_t)(msg[10] << 8 | msg[11]);
	return 0;
}

/* Reads the name at *off, whose in-place octets must end by limit (the end
 * of the message, or of the rdata holding it); pointers may lead anywhere
 * earlier in the message. On success *off is just past the in-place part. */
static int read_name(const uint8_t *msg, size_t len, size_t *off, size_t limit, struct dns_name *out)
{
	size_t pos = *off, piece = *off, bound = limit, after = 0, n = 0;
	int jumped = 0;
	for (;;) {
		if (pos >= bound)
			return DNS_E_SHORT;
		uint8_t b = msg[pos];
		if ((b & 0xC0) == 0xC0) {
			if (pos + 1 >= bound)
				return DNS_E_SHORT;
			size_t target = (size_t)(b & 0x3F) << 8 | msg[pos + 1];
			if (!jumped) {
				after = pos + 2;
				jumped = 1;
			}
			if (target >= piece || target < DNS_HEADER_LEN)
				return DNS_E_POINTER;
			pos = piece = target;
			bound = len;
			continue;
		}
		if (b & 0xC0)
			return DNS_E_LABEL; /* 01 and 10: extended and reserved label types */
		if (n + 1u + b + (b ? 1u : 0u) > DNS_MAX_NAME)
			return DNS_E_NAME;
		if (b == 0) {
			out->wire[n++] = 0;
			pos++;
			break;
		}
		if (pos + 1u + b > bound)
			return DNS_E_SHORT;
		memcpy(out->wire + n, msg + pos, 1u + b);
		n += 1u + b;
		pos += 1u + b;
	}
	out->len = (uint8_t)n;
	*off = jumped ? after : pos;
	return 0;
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get_u32(const uint8_t *p) { return (uint32_t)get_u16(p) << 16 | get_u16(p + 2); }

static int read_rdata(const uint8_t *msg, size_t len, size_t pos, size_t end, struct dns_rr *rr)
{
	int rc = 0;
	size_t rdlen = end - pos;
	switch (rr->type) {
	case DNS_T_A:
		if (rdlen != 4)
			return DNS_E_RDATA;
		rr->d.a = get_u32(msg + pos);
		return 0;
	case DNS_T_MX:
		if (rdlen < 3)
			return DNS_E_RDATA;
		rr->d.mx.preference = get_u16(msg + pos);
		pos += 2;
		rc = read_name(msg, len, &pos, end, &rr->d.mx.exchange);
		break;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		rc = read_name(msg, len, &pos, end, &rr->d.target);
		break;
	case DNS_T_SOA:
		if ((rc = read_name(msg, len, &pos, end, &rr->d.soa.mname)) < 0 ||
		    (rc = read_name(msg, len, &pos, end, &rr->d.soa.rname)) < 0)
			break;
		if (end - pos != 20)
			return DNS_E_RDATA;
		rr->d.soa.serial = get_u32(msg + pos);
		rr->d.soa.refresh = get_u32(msg + pos + 4);
		rr->d.soa.retry = get_u32(msg + pos + 8);
		rr->d.soa.expire = get_u32(msg + pos + 12);
		rr->d.soa.minimum = get_u32(msg + pos + 16);
		return 0;
	default:
		if (rdlen > DNS_MAX_RAW)
			return DNS_E_RDATA;
		rr->d.raw.len = (uint16_t)rdlen;
		memcpy(rr->d.raw.data, msg + pos, rdlen);
		return 0;
	}
	if (rc == DNS_E_SHORT)
		return DNS_E_RDATA; /* a name running past its rdata */
	if (rc < 0)
		return rc;
	return pos == end ? 0 : DNS_E_RDATA;
}

int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out_r)
{
	if (len > DNS_UDP_MAX)
		return DNS_E_TOO_BIG;
	dns_msg_clear(out_r);
	int rc = dns_parse_header(msg, len, &out_r->h);
	if (rc < 0)
		return rc;
	const struct dns_header *h = &out_r->h;
	if (h->qdcount > DNS_MAX_QD || (size_t)h->ancount + h->nscount + h->arcount > DNS_MAX_RR)
		return DNS_E_TOO_MANY;
	size_t pos = DNS_HEADER_LEN;
	for (size_t i = 0; i < h->qdcount; i++) {
		if (pos == len)
			return DNS_E_COUNT;
		struct dns_question *q = &out_r->qd[i];
		if ((rc = read_name(msg, len, &pos, len, &q->name)) < 0)
			return rc;
		if (len - pos < 4)
			return DNS_E_SHORT;
		q->type = get_u16(msg + pos);
		q->class_ = get_u16(msg + pos + 2);
		pos += 4;
		out_r->nqd++;
	}
	uint16_t counts[DNS_SEC_COUNT] = {h->ancount, h->nscount, h->arcount};
	size_t idx = 0;
	for (int s = 0; s < DNS_SEC_COUNT; s++) {
		for (size_t i = 0; i < counts[s]; i++, idx++) {
			if (pos == len)
				return DNS_E_COUNT;
			struct dns_rr *rr = &out_r->rr[idx];
			if ((rc = read_name(msg, len, &pos, len, &rr->name)) < 0)
				return rc;
			if (len - pos < 10)
				return DNS_E_SHORT;
			rr->type = get_u16(msg + pos);
			rr->class_ = get_u16(msg + pos + 2);
			rr->ttl = get_u32(msg + pos + 4);
			size_t rdlen = get_u16(msg + pos + 8);
			pos += 10;
			if (rdlen > len - pos)
				return DNS_E_SHORT;
			if ((rc = read_rdata(msg, len, pos, pos + rdlen, rr)) < 0)
				return rc;
			pos += rdlen;
			out_r->n[s]++;
		}
	}
	return pos == len ? 0 : DNS_E_TRAILING;
}

/* ---- text ---- */

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
    {DNS_T_A, "A"},       {DNS_T_NS, "NS"},     {DNS_T_CNAME, "CNAME"}, {DNS_T_SOA, "SOA"},
    {DNS_T_PTR, "PTR"},   {DNS_T_MX, "MX"},     {DNS_T_TXT, "TXT"},     {DNS_T_AAAA, "AAAA"},
    {DNS_T_AXFR, "AXFR"}, {DNS_T_ANY, "ANY"},
};

const char *dns_type_name(uint16_t type, char *buf)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	snprintf(buf, 16, "TYPE%u", type);
	return buf;
}

static int ascii_casecmp(const char *a, const char *b)
{
	while (*a && fold((uint8_t)*a) == fold((uint8_t)*b)) {
		a++;
		b++;
	}
	return fold((uint8_t)*a) - fold((uint8_t)*b);
}

/* Parses a decimal number in [0, max]; 0 or -1. */
static int parse_uint(const char *s, unsigned long max, unsigned long *v_r)
{
	if (!*s)
		return -1;
	unsigned long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	*v_r = v;
	return 0;
}

int dns_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (ascii_casecmp(type_names[i].name, name) == 0)
			return type_names[i].type;
	unsigned long v;
	if (strlen(name) > 4 && fold((uint8_t)name[0]) == 't' && fold((uint8_t)name[1]) == 'y' &&
	    fold((uint8_t)name[2]) == 'p' && fold((uint8_t)name[3]) == 'e' && parse_uint(name + 4, 65535, &v) == 0)
		return (int)v;
	return -1;
}

const char *dns_rcode_name(uint8_t rcode, char *buf)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
	if (rcode < sizeof names / sizeof names[0])
		return names[rcode];
	snprintf(buf, 16, "RCODE%u", rcode);
	return buf;
}

/* A bounded string appender: overflow is remembered, never written past. */
struct text {
	char *buf;
	size_t size, len;
	int overflow;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	if (t->overflow || t->size == 0) {
		t->overflow = 1;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->len) {
		t->overflow = 1;
		t->len = t->size - 1;
		return;
	}
	t->len += (size_t)n;
}

static void text_name(struct text *t, const struct dns_name *n)
{
	char name[DNS_NAME_TEXT_MAX];
	if (dns_name_to_text(n, name, sizeof name) < 0)
		snprintf(name, sizeof name, "?");
	text_add(t, "%s", name);
}

static int text_done(struct text *t)
{
	if (t->size)
		t->buf[t->len] = 0;
	return t->overflow ? DNS_E_SPACE : (int)t->len;
}

char *dns_ipv4_format(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return buf;
}

int dns_ipv4_parse(const char *text, uint32_t *ip_r)
{
	uint32_t ip = 0;
	const char *p = text;
	for (int part = 0; part < 4; part++) {
		if (part) {
			if (*p != '.')
				return DNS_E_TEXT;
			p++;
		}
		if (*p < '0' || *p > '9')
			return DNS_E_TEXT;
		if (*p == '0' && p[1] >= '0' && p[1] <= '9')
			return DNS_E_TEXT;
		unsigned v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (v > 255 || digits > 3)
			return DNS_E_TEXT;
		ip = ip << 8 | v;
	}
	if (*p)
		return DNS_E_TEXT;
	*ip_r = ip;
	return 0;
}

static void rdata_text(struct text *t, const struct dns_rr *rr)
{
	char ip[16];
	switch (rr->type) {
	case DNS_T_A:
		text_add(t, "%s", dns_ipv4_format(rr->d.a, ip));
		return;
	case DNS_T_MX:
		text_add(t, "%u ", rr->d.mx.preference);
		text_name(t, &rr->d.mx.exchange);
		return;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		text_name(t, &rr->d.target);
		return;
	case DNS_T_SOA:
		text_name(t, &rr->d.soa.mname);
		text_add(t, " ");
		text_name(t, &rr->d.soa.rname);
		text_add(t, " %u %u %u %u %u", rr->d.soa.serial, rr->d.soa.refresh, rr->d.soa.retry,
			 rr->d.soa.expire, rr->d.soa.minimum);
		return;
	default:
		text_add(t, "\\# %u", rr->d.raw.len);
		if (rr->d.raw.len)
			text_add(t, " ");
		for (size_t i = 0; i < rr->d.raw.len && i < DNS_MAX_RAW; i++)
			text_add(t, "%02x", rr->d.raw.data[i]);
	}
}

int dns_rdata_to_text(const struct dns_rr *rr, char *buf, size_t size)
{
	struct text t = {buf, size, 0, 0};
	rdata_text(&t, rr);
	return text_done(&t);
}

static void rr_text(struct text *t, const struct dns_rr *rr)
{
	char tb[16];
	text_name(t, &rr->name);
	text_add(t, " %s ", dns_type_name(rr->type, tb));
	rdata_text(t, rr);
}

int dns_rr_to_text(const struct dns_rr *rr, char *buf, size_t size)
{
	struct text t = {buf, size, 0, 0};
	rr_text(&t, rr);
	return text_done(&t);
}

int dns_question_to_text(const struct dns_question *q, char *buf, size_t size)
{
	struct text t = {buf, size, 0, 0};
	char tb[16];
	text_add(&t, "%s ", dns_type_name(q->type, tb));
	text_name(&t, &q->name);
	return text_done(&t);
}

static const char *opcode_name(uint8_t op, char *buf)
{
	static const char *const names[] = {"QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE"};
	if (op < sizeof names / sizeof names[0] && names[op])
		return names[op];
	snprintf(buf, 16, "OPCODE%u", op);
	return buf;
}

int dns_msg_to_text(const struct dns_msg *m, char *buf, size_t size)
{
	struct text t = {buf, size, 0, 0};
	char ob[16], rb[16], tb[16];
	text_add(&t, ";; HEADER id %u %s %s", m->h.id, opcode_name(m->h.opcode, ob), dns_rcode_name(m->h.rcode, rb));
	if (m->h.qr)
		text_add(&t, " qr");
	if (m->h.aa)
		text_add(&t, " aa");
	if (m->h.tc)
		text_add(&t, " tc");
	if (m->h.rd)
		text_add(&t, " rd");
	if (m->h.ra)
		text_add(&t, " ra");
	text_add(&t, "\n");
	for (size_t i = 0; i < m->nqd; i++) {
		text_add(&t, "QUESTION %s ", dns_type_name(m->qd[i].type, tb));
		text_name(&t, &m->qd[i].name);
		text_add(&t, "\n");
	}
	static const char *const sec_names[] = {"ANSWER", "AUTHORITY", "ADDITIONAL"};
	size_t idx = 0;
	for (int s = 0; s < DNS_SEC_COUNT; s++) {
		for (size_t i = 0; i < m->n[s]; i++, idx++) {
			text_add(&t, "%s ", sec_names[s]);
			rr_text(&t, &m->rr[idx]);
			text_add(&t, "\n");
		}
	}
	return text_done(&t);
}

/* Splits text at blanks into at most max tokens, copied into store.
 * Returns the count, or -1 if there are more or store is too small. */
static int split(const char *text, char *store, size_t cap, char **tok, int max)
{
	size_t len = strlen(text);
	if (len >= cap)
		return -1;
	memcpy(store, text, len + 1);
	int n = 0;
	char *p = store;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return -1;
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = 0;
	}
}

int dns_rdata_from_text(uint16_t type, const char *text, struct dns_rr *rr)
{
	char store[DNS_NAME_TEXT_MAX * 2 + 64];
	char *tok[8];
	int n = split(text, store, sizeof store, tok, 7);
	unsigned long v[5];
	switch (type) {
	case DNS_T_A:
		return n == 1 && dns_ipv4_parse(tok[0], &rr->d.a) == 0 ? 0 : DNS_E_TEXT;
	case DNS_T_MX:
		if (n != 2 || parse_uint(tok[0], 65535, &v[0]) < 0)
			return DNS_E_TEXT;
		rr->d.mx.preference = (uint16_t)v[0];
		return dns_name_from_text(tok[1], &rr->d.mx.exchange) < 0 ? DNS_E_TEXT : 0;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		return n == 1 && dns_name_from_text(tok[0], &rr->d.target) == 0 ? 0 : DNS_E_TEXT;
	case DNS_T_SOA:
		if (n != 7 || dns_name_from_text(tok[0], &rr->d.soa.mname) < 0 ||
		    dns_name_from_text(tok[1], &rr->d.soa.rname) < 0)
			return DNS_E_TEXT;
		for (int i = 0; i < 5; i++)
			if (parse_uint(tok[2 + i], 0xffffffffUL, &v[i]) < 0)
				return DNS_E_TEXT;
		rr->d.soa.serial = (uint32_t)v[0];
		rr->d.soa.refresh = (uint32_t)v[1];
		rr->d.soa.retry = (uint32_t)v[2];
		rr->d.soa.expire = (uint32_t)v[3];
		rr->d.soa.minimum = (uint32_t)v[4];
		return 0;
	default:
		return DNS_E_TEXT;
	}
}

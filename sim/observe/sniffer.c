/* The link eavesdropper; see sniffer.h. */
#include "sim/observe/sniffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/wire_cipher.h"

#define FLOW_CAP (1u << 20)
#define MAX_FLOWS 256

struct flow {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint32_t next_seq;
	int started;
	char *text; /* what was read, ciphertext shown as a marker */
	size_t len, cap;
	size_t plain, cipher;
	int in_cipher; /* the last bytes appended were ciphertext */
};

struct obs_sniffer {
	struct sim *sim;
	const struct net *net;
	int link;
	char *name, *link_name;
	struct flow flows[MAX_FLOWS];
	size_t nflows;
	size_t plain, cipher;
};

static void append(struct flow *f, const char *p, size_t n)
{
	if (f->len + n > FLOW_CAP)
		n = FLOW_CAP > f->len ? FLOW_CAP - f->len : 0;
	if (!n)
		return;
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4096;
		while (cap < f->len + n + 1)
			cap *= 2;
		char *t = realloc(f->text, cap);
		if (!t)
			return;
		f->text = t;
		f->cap = cap;
	}
	memcpy(f->text + f->len, p, n);
	f->len += n;
	f->text[f->len] = 0;
}

static struct flow *flow_of(struct obs_sniffer *s, const struct packet *p)
{
	for (size_t i = 0; i < s->nflows; i++) {
		struct flow *f = &s->flows[i];
		if (f->src_ip == p->src_ip && f->dst_ip == p->dst_ip && f->src_port == p->src_port &&
		    f->dst_port == p->dst_port)
			return f;
	}
	if (s->nflows == MAX_FLOWS)
		return NULL;
	struct flow *f = &s->flows[s->nflows++];
	memset(f, 0, sizeof *f);
	f->src_ip = p->src_ip;
	f->dst_ip = p->dst_ip;
	f->src_port = p->src_port;
	f->dst_port = p->dst_port;
	return f;
}

static void on_tx(void *ctx, const struct obs_record *r)
{
	struct obs_sniffer *s = ctx;
	const struct packet *p = r->u.pkt.pkt;
	if (r->u.pkt.link != s->link || !p || p->proto != IPPROTO_SIM_TCP || p->len == 0)
		return;
	struct flow *f = flow_of(s, p);
	if (!f)
		return;
	if (!f->started) {
		f->started = 1;
		f->next_seq = p->seq;
	}
	/* In order only: a retransmission of what was read is skipped, a
	 * segment after a gap waits for its retransmission. */
	uint32_t skip = f->next_seq - p->seq;
	if ((int32_t)(p->seq - f->next_seq) > 0 || skip >= p->len)
		return;
	size_t n = p->len - skip;
	f->next_seq += (uint32_t)n;
	if (p->encrypted) {
		uint8_t buf[65536];
		memcpy(buf, p->data, p->len);
		wire_encipher(sim_seed(s->sim), p, buf, p->len);
		/* One line per enciphered segment: its size and first bytes. */
		char mark[96];
		int m = snprintf(mark, sizeof mark, "%s[ciphertext, %zu bytes:", f->len && f->text[f->len - 1] != '\n' ? "\n" : "",
				 n);
		append(f, mark, (size_t)m);
		for (size_t i = skip; i < p->len && i < skip + 8; i++) {
			m = snprintf(mark, sizeof mark, " %02x", buf[i]);
			append(f, mark, (size_t)m);
		}
		append(f, " ...]\n", 6);
		f->in_cipher = 1;
		f->cipher += n;
		s->cipher += n;
		return;
	}
	f->in_cipher = 0;
	append(f, (const char *)p->data + skip, n);
	f->plain += n;
	s->plain += n;
}

struct obs_sniffer *obs_sniffer_open(struct sim *sim, const struct net *net, int link, const char *name,
				     const char *link_name)
{
	struct obs_sniffer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sim = sim;
	s->net = net;
	s->link = link;
	s->name = strdup(name ? name : "sniffer");
	s->link_name = strdup(link_name ? link_name : net_link_name(net, link));
	if (!s->name || !s->link_name || bus_subscribe(sim_bus(sim), OBS_MASK(OBS_PKT_TX), on_tx, s) < 0) {
		free(s->name);
		free(s->link_name);
		free(s);
		return NULL;
	}
	return s;
}

void obs_sniffer_close(struct obs_sniffer **sp)
{
	if (!sp || !*sp)
		return;
	struct obs_sniffer *s = *sp;
	bus_unsubscribe(sim_bus(s->sim), on_tx, s);
	for (size_t i = 0; i < s->nflows; i++)
		free(s->flows[i].text);
	free(s->name);
	free(s->link_name);
	free(s);
	*sp = NULL;
}

int obs_sniffer_print(const struct obs_sniffer *s, FILE *out)
{
	int rc = 0;
	rc |= fprintf(out, "--- what %s read on link %s: %zu bytes in the clear, %zu bytes of ciphertext ---\n",
		      s->name, s->link_name, s->plain, s->cipher) < 0;
	for (size_t i = 0; i < s->nflows; i++) {
		const struct flow *f = &s->flows[i];
		char a[16], b[16];
		rc |= fprintf(out, "%s:%u > %s:%u (%zu bytes clear, %zu ciphertext)\n", ipv4_format(f->src_ip, a),
			      f->src_port, ipv4_format(f->dst_ip, b), f->dst_port, f->plain, f->cipher) < 0;
		/* Line by line, indented; CRs dropped, control bytes shown as '.'. */
		const char *t = f->text ? f->text : "";
		while (*t) {
			const char *nl = strchr(t, '\n');
			size_t n = nl ? (size_t)(nl - t) : strlen(t);
			fputs("    ", out);
			for (size_t k = 0; k < n; k++) {
				unsigned char c = (unsigned char)t[k];
				if (c == '\r')
					continue;
				fputc(c < 32 || c == 127 ? '.' : c, out);
			}
			fputc('\n', out);
			t += n + (nl ? 1 : 0);
		}
	}
	return rc ? -1 : 0;
}

int obs_sniffer_read(const struct obs_sniffer *s, const char *text)
{
	for (size_t i = 0; i < s->nflows; i++)
		if (s->flows[i].text && strstr(s->flows[i].text, text))
			return 1;
	return 0;
}

size_t obs_sniffer_plain_bytes(const struct obs_sniffer *s) { return s->plain; }
size_t obs_sniffer_cipher_bytes(const struct obs_sniffer *s) { return s->cipher; }

/* The run summary (`mailsim run --summary FILE`): gathers from the bus what
 * the network's counters do not keep (packets and drops per link and
 * direction, link flaps, each connection's endpoints, states and bytes) and
 * builds one cJSON object at the end of the run with the kernel's, the
 * network's and TCP's totals. The layout is documented in
 * docs/trace-format.md, beside the trace.
 *
 * Connections are keyed by (host, conn id); segments are matched to the
 * connection of their sending (or receiving) host by the address and port
 * four-tuple, through hash tables, so a summary of thousands of
 * connections costs a few probes per packet. A four-tuple reused by a later
 * connection belongs to the newest one. */
#include "sim/observe/observers.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/observe/obs_util.h"

#define STATE_MAX 24
#define WHY_MAX 48

struct dir_stats {
	uint64_t packets, bytes; /* started across the link (OBS_PKT_TX), IP bytes */
	uint64_t drops[OBS_DROP_REASON_COUNT];
};

struct link_stats {
	struct dir_stats dir[2];
	uint64_t downs, ups;
};

struct conn_stats {
	uint32_t id;
	int host;
	uint32_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	char first[STATE_MAX], state[STATE_MAX], why[WHY_MAX];
	sim_time start, end;
	uint64_t segments_sent, bytes_sent, retransmits, bytes_retransmitted;
	uint64_t segments_received, bytes_received;
};

/* Open addressing over indices into conns; -1 marks an empty slot. */
struct index_table {
	int32_t *slots;
	size_t mask;
};

struct obs_summary {
	struct sim *sim;
	const struct net *net;
	struct link_stats *links;
	int nlinks;
	struct conn_stats *conns;
	size_t nconns, capconns;
	struct index_table by_id, by_tuple;
	size_t ntuples; /* used slots of by_tuple, stale ones included */
	int failed; /* out of memory on the way: the summary says "incomplete" */
	uint64_t mail[OBS_MAIL_EVENT_COUNT]; /* OBS_MAIL records by event */
};

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_id(int host, uint32_t id) { return mix64((uint64_t)(uint32_t)host << 32 | id); }

static uint64_t hash_tuple(uint32_t lip, uint16_t lport, uint32_t rip, uint16_t rport)
{
	return mix64(mix64((uint64_t)lip << 32 | rip) ^ ((uint64_t)lport << 16 | rport));
}

static int id_matches(const struct obs_summary *s, int32_t i, const void *key)
{
	const struct conn_stats *k = key, *c = &s->conns[i];
	return c->host == k->host && c->id == k->id;
}

static int tuple_matches(const struct obs_summary *s, int32_t i, const void *key)
{
	const struct conn_stats *k = key, *c = &s->conns[i];
	return c->local_ip == k->local_ip && c->local_port == k->local_port && c->remote_ip == k->remote_ip &&
	       c->remote_port == k->remote_port;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t table_find(const struct obs_summary *s, const struct index_table *t, uint64_t h, const void *key,
			 int (*matches)(const struct obs_summary *, int32_t, const void *))
{
	size_t i = (size_t)h & t->mask;
	while (t->slots[i] >= 0 && !matches(s, t->slots[i], key))
		i = (i + 1) & t->mask;
	return i;
}

static int table_init(struct index_table *t, size_t cap)
{
	t->slots = malloc(cap * sizeof *t->slots);
	if (!t->slots)
		return -1;
	memset(t->slots, 0xff, cap * sizeof *t->slots);
	t->mask = cap - 1;
	return 0;
}

/* Rebuilds both tables at twice the size once they are half full. */
static int tables_grow(struct obs_summary *s)
{
	size_t cap = (s->by_id.mask + 1) * 2;
	struct index_table id, tuple;
	if (table_init(&id, cap) < 0)
		return -1;
	if (table_init(&tuple, cap) < 0) {
		free(id.slots);
		return -1;
	}
	free(s->by_id.slots);
	free(s->by_tuple.slots);
	s->by_id = id;
	s->by_tuple = tuple;
	s->ntuples = 0;
	for (size_t i = 0; i < s->nconns; i++) {
		const struct conn_stats *c = &s->conns[i];
		s->by_id.slots[table_find(s, &s->by_id, hash_id(c->host, c->id), c, id_matches)] = (int32_t)i;
		/* Later connections win a shared four-tuple, as when recording. */
		size_t t = table_find(s, &s->by_tuple, hash_tuple(c->local_ip, c->local_port, c->remote_ip, c->remote_port),
				      c, tuple_matches);
		if (s->by_tuple.slots[t] < 0)
			s->ntuples++;
		s->by_tuple.slots[t] = (int32_t)i;
	}
	return 0;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "?");
}

static void on_conn(struct obs_summary *s, const struct obs_record *rec)
{
	struct conn_stats key = {.id = rec->u.conn.conn_id,
				 .host = rec->u.conn.host,
				 .local_ip = rec->u.conn.local_ip,
				 .remote_ip = rec->u.conn.remote_ip,
				 .local_port = rec->u.conn.local_port,
				 .remote_port = rec->u.conn.remote_port};
	/* Room for one more connection and one more four-tuple. */
	size_t cap = s->by_id.mask + 1;
	if ((s->nconns + 1) * 2 > cap || (s->ntuples + 1) * 2 > cap) {
		if (s->nconns >= INT32_MAX / 4 || tables_grow(s) < 0) {
			s->failed = 1;
			return;
		}
	}
	size_t slot = table_find(s, &s->by_id, hash_id(key.host, key.id), &key, id_matches);
	struct conn_stats *c;
	if (s->by_id.slots[slot] >= 0) {
		c = &s->conns[s->by_id.slots[slot]];
	} else {
		if (s->nconns == s->capconns) {
			size_t ncap = s->capconns ? s->capconns * 2 : 64;
			struct conn_stats *n = realloc(s->conns, ncap * sizeof *n);
			if (!n) {
				s->failed = 1;
				return;
			}
			s->conns = n;
			s->capconns = ncap;
		}
		s->by_id.slots[slot] = (int32_t)s->nconns;
		c = &s->conns[s->nconns++];
		*c = key;
		copy_name(c->first, sizeof c->first, rec->u.conn.from);
		c->start = rec->time;
	}
	/* The endpoints may be completed after the first record: keep the
	 * latest and index them (an older slot for other endpoints goes
	 * stale: it no longer matches and is dropped when the tables grow). */
	c->local_ip = key.local_ip;
	c->local_port = key.local_port;
	c->remote_ip = key.remote_ip;
	c->remote_port = key.remote_port;
	size_t ts = table_find(s, &s->by_tuple, hash_tuple(c->local_ip, c->local_port, c->remote_ip, c->remote_port),
			       c, tuple_matches);
	int32_t idx = (int32_t)(c - s->conns);
	/* The newest connection owns a shared four-tuple, even when an older
	 * one reports a late change (leaving TIME-WAIT, say). */
	if (s->by_tuple.slots[ts] < 0)
		s->ntuples++;
	if (s->by_tuple.slots[ts] < idx)
		s->by_tuple.slots[ts] = idx;
	copy_name(c->state, sizeof c->state, rec->u.conn.to);
	if (rec->u.conn.why)
		copy_name(c->why, sizeof c->why, rec->u.conn.why);
	c->end = rec->time;
}

static struct conn_stats *conn_by_tuple(struct obs_summary *s, uint32_t lip, uint16_t lport, uint32_t rip,
					uint16_t rport)
{
	if (!s->nconns)
		return NULL;
	struct conn_stats key = {.local_ip = lip, .local_port = lport, .remote_ip = rip, .remote_port = rport};
	size_t i = table_find(s, &s->by_tuple, hash_tuple(lip, lport, rip, rport), &key, tuple_matches);
	return s->by_tuple.slots[i] >= 0 ? &s->conns[s->by_tuple.slots[i]] : NULL;
}

static void on_packet(struct obs_summary *s, const struct obs_record *rec)
{
	const struct packet *pkt = rec->u.pkt.pkt;
	int link = rec->u.pkt.link, dir = rec->u.pkt.dir ? 1 : 0;
	if (rec->type == OBS_PKT_TX && link >= 0 && link < s->nlinks && pkt) {
		s->links[link].dir[dir].packets++;
		s->links[link].dir[dir].bytes += packet_ip_len(pkt);
	} else if (rec->type == OBS_PKT_DROP && (unsigned)rec->u.pkt.reason < OBS_DROP_REASON_COUNT && link >= 0 &&
		   link < s->nlinks) {
		s->links[link].dir[dir].drops[rec->u.pkt.reason]++;
	}
	if (!pkt || pkt->proto != IPPROTO_SIM_TCP)
		return;
	struct conn_stats *c;
	switch (rec->type) {
	case OBS_PKT_SEND:
		if ((c = conn_by_tuple(s, pkt->src_ip, pkt->src_port, pkt->dst_ip, pkt->dst_port))) {
			c->segments_sent++;
			c->bytes_sent += pkt->len;
		}
		break;
	case OBS_PKT_RETRANSMIT:
		if ((c = conn_by_tuple(s, pkt->src_ip, pkt->src_port, pkt->dst_ip, pkt->dst_port))) {
			c->retransmits++;
			c->bytes_retransmitted += pkt->len;
		}
		break;
	case OBS_PKT_RECV:
		if ((c = conn_by_tuple(s, pkt->dst_ip, pkt->dst_port, pkt->src_ip, pkt->src_port))) {
			c->segments_received++;
			c->bytes_received += pkt->len;
		}
		break;
	default:
		break;
	}
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_summary *s = ctx;
	switch (rec->type) {
	case OBS_PKT_SEND:
	case OBS_PKT_RETRANSMIT:
	case OBS_PKT_TX:
	case OBS_PKT_RECV:
	case OBS_PKT_DROP:
		on_packet(s, rec);
		break;
	case OBS_CONN_STATE:
		on_conn(s, rec);
		break;
	case OBS_MAIL:
		if ((unsigned)rec->u.mail.event < OBS_MAIL_EVENT_COUNT)
			s->mail[rec->u.mail.event]++;
		break;
	case OBS_LINK_STATE:
		if (rec->u.link.link >= 0 && rec->u.link.link < s->nlinks) {
			if (rec->u.link.up)
				s->links[rec->u.link.link].ups++;
			else
				s->links[rec->u.link.link].downs++;
		}
		break;
	default:
		break;
	}
}

struct obs_summary *obs_summary_open(struct sim *sim, const struct net *net)
{
	struct obs_summary *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sim = sim;
	s->net = net;
	s->nlinks = net ? net_link_count(net) : 0;
	s->links = calloc(s->nlinks ? (size_t)s->nlinks : 1, sizeof *s->links);
	if (!s->links || table_init(&s->by_id, 64) < 0 || table_init(&s->by_tuple, 64) < 0 ||
	    bus_subscribe(sim_bus(sim), OBS_MASK_ALL & ~OBS_MASK(OBS_APP), on_record, s) < 0) {
		free(s->links);
		free(s->by_id.slots);
		free(s->by_tuple.slots);
		free(s);
		return NULL;
	}
	return s;
}

void obs_summary_close(struct obs_summary **sp)
{
	if (!sp || !*sp)
		return;
	struct obs_summary *s = *sp;
	bus_unsubscribe(sim_bus(s->sim), on_record, s);
	free(s->links);
	free(s->conns);
	free(s->by_id.slots);
	free(s->by_tuple.slots);
	free(s);
	*sp = NULL;
}

/* Building the object: every helper returns 0, or -1 once an allocation
 * has failed (then the caller deletes the whole object). */

/* Integers are cJSON numbers (doubles, which readers expect) while they
 * print exactly as integers, and raw JSON text beyond 10^15. */
static int add_int(cJSON *o, const char *key, int64_t v)
{
	if (v > -1000000000000000LL && v < 1000000000000000LL)
		return cJSON_AddNumberToObject(o, key, (double)v) ? 0 : -1;
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_AddRawToObject(o, key, buf) ? 0 : -1;
}

static int add_uint(cJSON *o, const char *key, uint64_t v)
{
	if (v < 1000000000000000ULL)
		return add_int(o, key, (int64_t)v);
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_AddRawToObject(o, key, buf) ? 0 : -1;
}

static int add_str(cJSON *o, const char *key, const char *v) { return cJSON_AddStringToObject(o, key, v) ? 0 : -1; }

static int add_ip(cJSON *o, const char *key, uint32_t ip)
{
	char a[16];
	return add_str(o, key, ipv4_format(ip, a));
}

static int add_endpoint(cJSON *o, const char *key, uint32_t ip, uint16_t port)
{
	char a[16], buf[24];
	snprintf(buf, sizeof buf, "%s:%u", ipv4_format(ip, a), (unsigned)port);
	return add_str(o, key, buf);
}

static int add_time(cJSON *o, const char *key_ns, const char *key_s, sim_time t)
{
	char buf[32];
	return add_int(o, key_ns, t) < 0 || add_str(o, key_s, sim_time_format(t, buf, sizeof buf)) < 0 ? -1 : 0;
}

/* {"loss": 2, ...}: the nonzero counts of a drop array, in reason order. */
static int add_drops(cJSON *o, const char *key, const uint64_t *drops, int all)
{
	cJSON *d = cJSON_AddObjectToObject(o, key);
	if (!d)
		return -1;
	for (int r = 0; r < OBS_DROP_REASON_COUNT; r++)
		if ((all || drops[r]) && add_uint(d, obs_drop_reason_name((enum obs_drop_reason)r), drops[r]) < 0)
			return -1;
	return 0;
}

static int add_hosts(cJSON *root, const struct net *net)
{
	cJSON *hosts = cJSON_AddArrayToObject(root, "hosts");
	if (!hosts)
		return -1;
	int n = net ? net_host_count(net) : 0;
	for (int h = 0; h < n; h++) {
		cJSON *ho = cJSON_CreateObject(), *ips;
		if (!ho || !cJSON_AddItemToArray(hosts, ho) || add_str(ho, "name", obs_host_label(net, h)) < 0 ||
		    !(ips = cJSON_AddArrayToObject(ho, "ips")))
			return -1;
		for (int i = 0; i < net_host_iface_count(net, h); i++) {
			char buf[16];
			cJSON *ip = cJSON_CreateString(ipv4_format(net_host_ip(net, h, i), buf));
			if (!ip || !cJSON_AddItemToArray(ips, ip))
				return -1;
		}
	}
	return 0;
}

static int add_dir(cJSON *lo, const char *key, const struct dir_stats *d)
{
	cJSON *o = cJSON_AddObjectToObject(lo, key);
	return !o || add_uint(o, "packets", d->packets) < 0 || add_uint(o, "bytes", d->bytes) < 0 ||
			       add_drops(o, "drops", d->drops, 0) < 0
		   ? -1
		   : 0;
}

static int add_links(cJSON *root, const struct obs_summary *s)
{
	cJSON *links = cJSON_AddArrayToObject(root, "links");
	if (!links)
		return -1;
	const struct net *net = s->net;
	for (int l = 0; l < s->nlinks; l++) {
		int ha, ia, hb, ib;
		net_link_ends(net, l, &ha, &ia, &hb, &ib);
		const struct link_params *p = net_link_params(net, l);
		const struct link_stats *ls = &s->links[l];
		cJSON *lo = cJSON_CreateObject();
		if (!lo || !cJSON_AddItemToArray(links, lo) || add_int(lo, "link", l) < 0 ||
		    add_str(lo, "name", obs_link_label(net, l)) < 0 || add_str(lo, "a", obs_host_label(net, ha)) < 0 ||
		    add_ip(lo, "a_ip", net_host_ip(net, ha, ia)) < 0 ||
		    add_str(lo, "b", obs_host_label(net, hb)) < 0 ||
		    add_ip(lo, "b_ip", net_host_ip(net, hb, ib)) < 0 ||
		    add_int(lo, "latency_ns", p->latency) < 0 || add_uint(lo, "bandwidth_bps", p->bandwidth_bps) < 0 ||
		    !cJSON_AddNumberToObject(lo, "loss", p->loss) || add_uint(lo, "mtu", p->mtu) < 0 ||
		    add_uint(lo, "queue_bytes", p->queue_bytes) < 0 ||
		    !cJSON_AddBoolToObject(lo, "up", net_link_is_up(net, l)) || add_uint(lo, "downs", ls->downs) < 0 ||
		    add_uint(lo, "ups", ls->ups) < 0 || add_dir(lo, "a_to_b", &ls->dir[0]) < 0 ||
		    add_dir(lo, "b_to_a", &ls->dir[1]) < 0)
			return -1;
	}
	return 0;
}

static int add_conns(cJSON *root, const struct obs_summary *s)
{
	cJSON *conns = cJSON_AddArrayToObject(root, "connections");
	if (!conns)
		return -1;
	for (size_t i = 0; i < s->nconns; i++) {
		const struct conn_stats *c = &s->conns[i];
		cJSON *co = cJSON_CreateObject();
		if (!co || !cJSON_AddItemToArray(conns, co) || add_uint(co, "conn", c->id) < 0 ||
		    add_str(co, "host", obs_host_label(s->net, c->host)) < 0 ||
		    add_endpoint(co, "local", c->local_ip, c->local_port) < 0 ||
		    add_endpoint(co, "remote", c->remote_ip, c->remote_port) < 0 ||
		    add_str(co, "first_state", c->first) < 0 || add_str(co, "state", c->state) < 0 ||
		    (c->why[0] && add_str(co, "reason", c->why) < 0) || add_int(co, "start_ns", c->start) < 0 ||
		    add_int(co, "end_ns", c->end) < 0 || add_uint(co, "segments_sent", c->segments_sent) < 0 ||
		    add_uint(co, "bytes_sent", c->bytes_sent) < 0 || add_uint(co, "retransmits", c->retransmits) < 0 ||
		    add_uint(co, "bytes_retransmitted", c->bytes_retransmitted) < 0 ||
		    add_uint(co, "segments_received", c->segments_received) < 0 ||
		    add_uint(co, "bytes_received", c->bytes_received) < 0)
			return -1;
	}
	return 0;
}

static int add_totals(cJSON *root, const struct obs_summary *s, const struct tcp *tcp)
{
	cJSON *t = cJSON_AddObjectToObject(root, "totals");
	if (!t)
		return -1;
	const struct net_stats *ns = s->net ? net_stats(s->net) : NULL;
	if (ns) {
		uint64_t drops[OBS_DROP_REASON_COUNT];
		for (int r = 0; r < OBS_DROP_REASON_COUNT; r++)
			drops[r] = (size_t)r < sizeof ns->drops / sizeof ns->drops[0] ? ns->drops[r] : 0;
		if (add_uint(t, "packets_sent", ns->packets_sent) < 0 ||
		    add_uint(t, "packets_delivered", ns->packets_delivered) < 0 ||
		    add_uint(t, "retransmissions", ns->retransmissions) < 0 ||
		    add_uint(t, "bytes_sent", ns->bytes_sent) < 0 || add_drops(t, "drops", drops, 1) < 0)
			return -1;
	}
	if (tcp) {
		const struct tcp_stats *ts = tcp_stats(tcp);
		cJSON *o = cJSON_AddObjectToObject(t, "tcp");
		if (!o || add_uint(o, "connections_opened", ts->connections_opened) < 0 ||
		    add_uint(o, "connections_failed", ts->connections_failed) < 0 ||
		    add_uint(o, "segments_sent", ts->segments_sent) < 0 ||
		    add_uint(o, "segments_received", ts->segments_received) < 0 ||
		    add_uint(o, "retransmissions", ts->retransmissions) < 0 ||
		    add_uint(o, "fast_retransmits", ts->fast_retransmits) < 0 || add_uint(o, "timeouts", ts->timeouts) < 0 ||
		    add_uint(o, "bytes_delivered", ts->bytes_delivered) < 0)
			return -1;
	}
	return 0;
}

/* {"submitted": 1, "accepted": 3, ...}: every event, zeros included. */
static int add_mail_events(cJSON *root, const struct obs_summary *s)
{
	cJSON *o = cJSON_AddObjectToObject(root, "mail_events");
	if (!o)
		return -1;
	for (int e = 0; e < OBS_MAIL_EVENT_COUNT; e++)
		if (add_uint(o, obs_mail_event_name((enum obs_mail_event)e), s->mail[e]) < 0)
			return -1;
	return 0;
}

cJSON *obs_summary_json(struct obs_summary *s, const struct tcp *tcp)
{
	cJSON *root = cJSON_CreateObject();
	if (!root)
		return NULL;
	if (add_uint(root, "seed", sim_seed(s->sim)) < 0 ||
	    add_time(root, "end_time_ns", "end_time", sim_now(s->sim)) < 0 ||
	    add_uint(root, "events", sim_events_run(s->sim)) < 0 || add_hosts(root, s->net) < 0 ||
	    add_links(root, s) < 0 || add_conns(root, s) < 0 || add_totals(root, s, tcp) < 0 ||
	    add_mail_events(root, s) < 0 ||
	    (s->failed && !cJSON_AddBoolToObject(root, "incomplete", 1))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

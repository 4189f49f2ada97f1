/* The scene model (see scene.h): a bus subscriber that keeps what a frame
 * needs. Arrays are compacted in place (stable, so the draw order is the
 * publication order whatever the frame rate) when they have grown past
 * twice their size at the last compaction. */
#include "viz/scene.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "viz/idmap.h"
#include "viz/layout.h"
#include "viz/msgtrack.h"

struct viz_scene {
	const struct viz_source *src;
	struct viz_world world;
	struct obs_bus *bus;
	sim_time linger;

	int nhosts, nlinks;
	enum viz_role *roles;
	char (*addrs)[16];
	struct viz_layout layout;
	uint8_t *link_up;
	uint8_t *host_up; /* follows crashes and restarts (fault notes) */

	struct viz_flight *flights;
	size_t nflights, cflights, flights_compacted;
	struct viz_idmap retx;   /* ids of retransmitted packets still travelling */
	struct viz_idmap doomed; /* ids shown dropped when their link went down */

	struct viz_conn *conns;
	size_t nconns, cconns, conns_compacted;
	struct viz_idmap conn_index; /* conn_id -> index in conns */

	struct viz_log_entry *log; /* ring of VIZ_LOG_KEEP */
	size_t log_head, log_count;
	uint64_t log_total; /* entries ever added */
	/* The run of protocol lines going one way on one connection (a DATA
	 * body, a long listing): after RUN_SHOWN lines the rest is counted in
	 * one "... N more lines" entry, so a 100 KB attachment does not push
	 * everything else out of the log. */
	uint32_t run_conn;
	int run_host, run_client;
	unsigned run_len, run_hidden;
	uint64_t run_entry; /* log_total when the count entry was added */

	struct viz_msgs *msgs;

	struct viz_scene_stats stats;
	sim_time last_time;
	int oom;
};

const char *viz_proto_name(enum viz_proto p)
{
	static const char *const names[VIZ_P_COUNT] = {"smtp", "pop3", "imap", "dns", "data", "control"};
	return (unsigned)p < VIZ_P_COUNT ? names[p] : "?";
}

static enum viz_proto port_proto(uint16_t port)
{
	switch (port) {
	case 25:
	case 465:
	case 587:
		return VIZ_P_SMTP;
	case 110:
		return VIZ_P_POP3;
	case 143:
		return VIZ_P_IMAP;
	case 53:
		return VIZ_P_DNS;
	default:
		return VIZ_P_DATA;
	}
}

enum viz_proto viz_app_proto(uint16_t sport, uint16_t dport)
{
	/* The server's port decides; try the destination first, then the
	 * source (replies come from the well-known port). */
	enum viz_proto p = port_proto(dport);
	return p != VIZ_P_DATA ? p : port_proto(sport);
}

enum viz_proto viz_proto_classify(uint8_t ipproto, uint16_t sport, uint16_t dport, uint32_t len)
{
	if (ipproto == IPPROTO_SIM_TCP && len == 0)
		return VIZ_P_CONTROL;
	return viz_app_proto(sport, dport);
}

/* ---- log ---- */

static struct viz_log_entry *log_add(struct viz_scene *s, sim_time t, enum viz_log_kind kind, int host)
{
	size_t i;
	if (s->log_count < VIZ_LOG_KEEP) {
		i = (s->log_head + s->log_count) % VIZ_LOG_KEEP;
		s->log_count++;
	} else {
		i = s->log_head;
		s->log_head = (s->log_head + 1) % VIZ_LOG_KEEP;
	}
	struct viz_log_entry *e = &s->log[i];
	memset(e, 0, sizeof *e);
	e->seq = s->log_total++;
	e->time = t;
	e->kind = (uint8_t)kind;
	e->host = host;
	e->link = -1;
	return e;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void packet_summary(const struct packet *p, char *buf, size_t size)
{
	char src[16], dst[16];
	ipv4_format(p->src_ip, src);
	ipv4_format(p->dst_ip, dst);
	if (p->proto == IPPROTO_SIM_TCP) {
		char fl[24] = "";
		static const struct {
			uint8_t bit;
			const char *name;
		} names[] = {{TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"}, {TCP_ACK, "ACK"}};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (p->flags & names[i].bit) {
				if (fl[0])
					strcat(fl, ",");
				strcat(fl, names[i].name);
			}
		snprintf(buf, size, "%s:%u > %s:%u [%s] seq=%u len=%u", src, p->src_port, dst, p->dst_port, fl,
			 p->seq, p->len);
	} else {
		snprintf(buf, size, "%s:%u > %s:%u UDP len=%u", src, p->src_port, dst, p->dst_port, p->len);
	}
}

/* ---- flights ---- */

static int flight_dead(const struct viz_flight *f, sim_time t, sim_time linger)
{
	return f->dropped ? t > f->drop_time + linger : t > f->arrival;
}

int viz_flight_visible(const struct viz_flight *f, sim_time t, sim_time linger)
{
	if (f->dropped)
		return t >= f->drop_time && t <= f->drop_time + linger;
	return t >= f->queued_at && t <= f->arrival;
}

double viz_flight_frac(const struct viz_flight *f, sim_time t)
{
	if (f->dropped && t >= f->drop_time)
		return f->drop_frac;
	if (f->arrival <= f->depart)
		return t >= f->arrival ? 1.0 : 0.0;
	double x = (double)(t - f->depart) / (double)(f->arrival - f->depart);
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static void compact_flights(struct viz_scene *s, sim_time t)
{
	size_t j = 0;
	for (size_t i = 0; i < s->nflights; i++)
		if (!flight_dead(&s->flights[i], t, s->linger))
			s->flights[j++] = s->flights[i];
	s->nflights = j;
	s->flights_compacted = j;
}

static struct viz_flight *flight_add(struct viz_scene *s, sim_time t)
{
	if (s->nflights >= 2 * s->flights_compacted + 64)
		compact_flights(s, t);
	if (s->nflights == s->cflights) {
		size_t n = s->cflights ? s->cflights * 2 : 256;
		struct viz_flight *f = realloc(s->flights, n * sizeof *f);
		if (!f) {
			s->oom = 1;
			return NULL;
		}
		s->flights = f;
		s->cflights = n;
	}
	struct viz_flight *f = &s->flights[s->nflights++];
	memset(f, 0, sizeof *f);
	return f;
}

static void fill_packet(struct viz_flight *f, const struct packet *p)
{
	f->id = p->id;
	f->ipproto = p->proto;
	f->flags = p->proto == IPPROTO_SIM_TCP ? p->flags : 0;
	f->src_ip = p->src_ip;
	f->dst_ip = p->dst_ip;
	f->sport = p->src_port;
	f->dport = p->dst_port;
	f->seq = p->seq;
	f->ack = p->ack;
	f->len = p->len;
	f->proto = (uint8_t)viz_proto_classify(p->proto, p->src_port, p->dst_port, p->len);
	f->app = (uint8_t)viz_app_proto(p->src_port, p->dst_port);
}

static struct viz_flight *flight_find(struct viz_scene *s, uint64_t id, int link)
{
	for (size_t i = s->nflights; i-- > 0;)
		if (s->flights[i].id == id && s->flights[i].link == link)
			return &s->flights[i];
	return NULL;
}

static void on_tx(struct viz_scene *s, const struct obs_record *r)
{
	const struct packet *p = r->u.pkt.pkt;
	struct viz_flight *f = flight_add(s, r->time);
	if (!f)
		return;
	fill_packet(f, p);
	f->link = r->u.pkt.link;
	f->dir = r->u.pkt.dir;
	f->host = r->u.pkt.host;
	f->queued_at = r->time;
	f->arrival = r->u.pkt.arrival;
	const struct link_params *lp = net_link_params(s->world.net, f->link);
	sim_time tx = 0;
	if (lp->bandwidth_bps)
		tx = (sim_time)((double)packet_ip_len(p) * 8e9 / (double)lp->bandwidth_bps);
	sim_time depart = f->arrival - lp->latency - tx;
	f->depart = depart > r->time ? depart : r->time;
	uint32_t dummy;
	f->retransmit = (uint8_t)viz_idmap_get(&s->retx, p->id, &dummy);
}

static double drop_point(enum obs_drop_reason reason)
{
	/* Losses are decided at arrival: show them just short of the
	 * receiver; queue, MTU and link-down-at-send drops at the sender. */
	return reason == OBS_DROP_LOSS || reason == OBS_DROP_LINK_DOWN ? 0.9 : 0.06;
}

static void on_drop(struct viz_scene *s, const struct obs_record *r)
{
	const struct packet *p = r->u.pkt.pkt;
	enum obs_drop_reason reason = r->u.pkt.reason;
	s->stats.dropped++;
	viz_idmap_del(&s->retx, p->id);
	if (reason == OBS_DROP_LINK_DOWN && viz_idmap_del(&s->doomed, p->id))
		return; /* already shown where the link failed under it */
	struct viz_flight *f = r->u.pkt.link >= 0 ? flight_find(s, p->id, r->u.pkt.link) : NULL;
	if (!f || f->dropped) {
		f = flight_add(s, r->time);
		if (!f)
			return;
		fill_packet(f, p);
		f->link = r->u.pkt.link;
		f->dir = r->u.pkt.dir < 0 ? 0 : r->u.pkt.dir;
		f->host = r->u.pkt.host;
		f->queued_at = f->depart = f->arrival = r->time;
		f->drop_frac = (float)drop_point(reason);
		if (f->link >= 0 && reason == OBS_DROP_LOSS)
			f->drop_frac = 0.9f;
	} else {
		f->drop_frac = (float)(reason == OBS_DROP_LOSS ? 0.9 : viz_flight_frac(f, r->time));
	}
	f->dropped = 1;
	f->drop_time = r->time;
	f->drop_reason = (uint8_t)reason;
	struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_DROP, r->u.pkt.host);
	e->link = r->u.pkt.link;
	e->aux = (int)reason;
	packet_summary(p, e->text, sizeof e->text);
}

static void on_link_state(struct viz_scene *s, const struct obs_record *r)
{
	int link = r->u.link.link;
	if (link < 0 || link >= s->nlinks)
		return;
	s->link_up[link] = (uint8_t)(r->u.link.up != 0);
	struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_LINK, -1);
	e->link = link;
	e->aux = r->u.link.up != 0;
	if (r->u.link.up)
		return;
	/* Everything on the link is lost now: show each where it is. */
	for (size_t i = 0; i < s->nflights; i++) {
		struct viz_flight *f = &s->flights[i];
		if (f->link != link || f->dropped || r->time > f->arrival)
			continue;
		f->drop_frac = (float)viz_flight_frac(f, r->time);
		f->dropped = 1;
		f->drop_time = r->time;
		f->drop_reason = OBS_DROP_LINK_DOWN;
		if (viz_idmap_put(&s->doomed, f->id, 1) < 0)
			s->oom = 1;
	}
}

/* ---- connections ---- */

static void compact_conns(struct viz_scene *s, sim_time t)
{
	size_t j = 0;
	viz_idmap_clear(&s->conn_index);
	for (size_t i = 0; i < s->nconns; i++) {
		const struct viz_conn *c = &s->conns[i];
		if (!viz_conn_visible(c, t, s->linger))
			continue;
		s->conns[j] = *c;
		viz_idmap_put(&s->conn_index, c->conn_id, (uint32_t)j); /* cannot grow: fewer than before */
		j++;
	}
	s->nconns = j;
	s->conns_compacted = j;
}

static void on_conn_state(struct viz_scene *s, const struct obs_record *r)
{
	uint32_t idx;
	struct viz_conn *c;
	if (viz_idmap_get(&s->conn_index, r->u.conn.conn_id, &idx)) {
		c = &s->conns[idx];
	} else {
		if (s->nconns >= 2 * s->conns_compacted + 64)
			compact_conns(s, r->time);
		if (s->nconns == s->cconns) {
			size_t n = s->cconns ? s->cconns * 2 : 64;
			struct viz_conn *nc = realloc(s->conns, n * sizeof *nc);
			if (!nc) {
				s->oom = 1;
				return;
			}
			s->conns = nc;
			s->cconns = n;
		}
		if (viz_idmap_put(&s->conn_index, r->u.conn.conn_id, (uint32_t)s->nconns) < 0) {
			s->oom = 1;
			return;
		}
		c = &s->conns[s->nconns++];
		memset(c, 0, sizeof *c);
		c->conn_id = r->u.conn.conn_id;
		c->host = r->u.conn.host;
		c->opened = r->time;
	}
	c->local_ip = r->u.conn.local_ip;
	c->remote_ip = r->u.conn.remote_ip;
	c->local_port = r->u.conn.local_port;
	c->remote_port = r->u.conn.remote_port;
	copy_str(c->state, sizeof c->state, r->u.conn.to);
	c->changed = r->time;
	struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_CONN, r->u.conn.host);
	e->conn_id = r->u.conn.conn_id;
	copy_str(e->a, sizeof e->a, r->u.conn.from);
	copy_str(e->b, sizeof e->b, r->u.conn.to);
	char rip[16];
	ipv4_format(r->u.conn.remote_ip, rip);
	snprintf(e->text, sizeof e->text, ":%u %s:%u%s%s", r->u.conn.local_port, rip, r->u.conn.remote_port,
		 r->u.conn.why ? " " : "", r->u.conn.why ? r->u.conn.why : "");
}

/* Protocol text is shown as printable ASCII: other bytes become '?', so
 * no line can upset the text renderer or the terminal of a test. */
static void copy_printable(char *dst, size_t size, const char *src, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	dst[n] = '\0';
}

#define RUN_SHOWN 8

static void on_line(struct viz_scene *s, const struct obs_record *r)
{
	int same = r->u.line.conn_id == s->run_conn && r->u.line.host == s->run_host &&
		   r->u.line.from_client == s->run_client;
	if (!same) {
		s->run_conn = r->u.line.conn_id;
		s->run_host = r->u.line.host;
		s->run_client = r->u.line.from_client;
		s->run_len = 0;
		s->run_hidden = 0;
	}
	s->run_len++;
	/* The lone dot that ends DATA always shows: it is the lesson. */
	int dot = r->u.line.len == 1 && r->u.line.text && r->u.line.text[0] == '.';
	if (s->run_len > RUN_SHOWN && !dot) {
		s->run_hidden++;
		struct viz_log_entry *e;
		if (s->run_hidden > 1 && s->run_entry == s->log_total && s->log_count) {
			e = &s->log[(s->log_head + s->log_count - 1) % VIZ_LOG_KEEP];
		} else {
			e = log_add(s, r->time, VIZ_LOG_LINE, r->u.line.host);
			e->aux = r->u.line.peer;
			e->conn_id = r->u.line.conn_id;
			copy_str(e->a, sizeof e->a, r->u.line.proto);
			copy_str(e->b, sizeof e->b, r->u.line.from_client ? "C:" : "S:");
			s->run_entry = s->log_total;
			s->run_hidden = 1;
		}
		e->time = r->time;
		snprintf(e->text, sizeof e->text, "... %u more line%s", s->run_hidden, s->run_hidden == 1 ? "" : "s");
		return;
	}
	struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_LINE, r->u.line.host);
	e->aux = r->u.line.peer;
	e->conn_id = r->u.line.conn_id;
	copy_str(e->a, sizeof e->a, r->u.line.proto);
	copy_str(e->b, sizeof e->b, r->u.line.from_client ? "C:" : "S:");
	if (r->u.line.encrypted)
		copy_str(e->text, sizeof e->text, "(encrypted)");
	else if (r->u.line.text)
		copy_printable(e->text, sizeof e->text, r->u.line.text, r->u.line.len);
}

static void on_mail(struct viz_scene *s, const struct obs_record *r)
{
	struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_MAIL, r->u.mail.host);
	copy_str(e->a, sizeof e->a, obs_mail_event_name(r->u.mail.event));
	char t[160];
	snprintf(t, sizeof t, "%s%s%s%s%s", r->u.mail.queue_id ? r->u.mail.queue_id : "",
		 r->u.mail.rcpt ? " to " : "", r->u.mail.rcpt ? r->u.mail.rcpt : "", r->u.mail.text ? ": " : "",
		 r->u.mail.text ? r->u.mail.text : "");
	copy_printable(e->text, sizeof e->text, t, strlen(t));
}

/* ---- the subscriber ---- */

static void on_record(void *ctx, const struct obs_record *r)
{
	struct viz_scene *s = ctx;
	s->stats.records++;
	s->last_time = r->time;
	switch (r->type) {
	case OBS_PKT_SEND:
		s->stats.sent++;
		break;
	case OBS_PKT_RETRANSMIT: {
		s->stats.sent++;
		s->stats.retransmits++;
		if (viz_idmap_put(&s->retx, r->u.pkt.pkt->id, 1) < 0)
			s->oom = 1;
		struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_RETRANS, r->u.pkt.host);
		packet_summary(r->u.pkt.pkt, e->text, sizeof e->text);
		break;
	}
	case OBS_PKT_TX:
		if (r->u.pkt.link >= 0 && r->u.pkt.link < s->nlinks)
			on_tx(s, r);
		break;
	case OBS_PKT_RECV:
		s->stats.received++;
		viz_idmap_del(&s->retx, r->u.pkt.pkt->id);
		break;
	case OBS_PKT_DROP:
		on_drop(s, r);
		break;
	case OBS_CONN_STATE:
		on_conn_state(s, r);
		break;
	case OBS_LINK_STATE:
		on_link_state(s, r);
		break;
	case OBS_LINE:
		s->stats.lines++;
		on_line(s, r);
		viz_msgs_record(s->msgs, r);
		break;
	case OBS_MAIL:
		viz_msgs_record(s->msgs, r);
		on_mail(s, r);
		break;
	case OBS_APP: {
		/* A crash or restart is announced after the host's state changed,
		 * so the network tells what to draw. */
		int h = r->u.app.host;
		if (h >= 0 && h < s->nhosts && r->u.app.kind && !strcmp(r->u.app.kind, "fault"))
			s->host_up[h] = (uint8_t)net_host_is_up(s->world.net, h);
		struct viz_log_entry *e = log_add(s, r->time, VIZ_LOG_APP, r->u.app.host);
		e->conn_id = r->u.app.conn_id;
		copy_str(e->a, sizeof e->a, r->u.app.kind);
		copy_str(e->text, sizeof e->text, r->u.app.text);
		break;
	}
	default:
		break;
	}
}

struct viz_scene *viz_scene_new(const struct viz_source *src, const struct viz_world *w)
{
	struct viz_scene *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->src = src;
	s->world = *w;
	s->bus = sim_bus(w->sim);
	s->linger = 500 * SIM_MS;
	s->nhosts = net_host_count(w->net);
	s->nlinks = net_link_count(w->net);
	s->roles = calloc((size_t)s->nhosts + 1, sizeof *s->roles);
	s->addrs = calloc((size_t)s->nhosts + 1, sizeof *s->addrs);
	s->link_up = calloc((size_t)s->nlinks + 1, 1);
	s->host_up = calloc((size_t)s->nhosts + 1, 1);
	s->log = calloc(VIZ_LOG_KEEP, sizeof *s->log);
	s->msgs = viz_msgs_new();
	viz_idmap_init(&s->retx);
	viz_idmap_init(&s->doomed);
	viz_idmap_init(&s->conn_index);
	if (!s->roles || !s->addrs || !s->link_up || !s->host_up || !s->log || !s->msgs)
		goto fail;
	for (int h = 0; h < s->nhosts; h++) {
		s->roles[h] = src->role ? src->role(src->ctx, h) : VIZ_ROLE_HOST;
		if (net_host_iface_count(w->net, h) > 0)
			ipv4_format(net_host_ip(w->net, h, 0), s->addrs[h]);
	}
	for (int l = 0; l < s->nlinks; l++)
		s->link_up[l] = (uint8_t)net_link_is_up(w->net, l);
	for (int h = 0; h < s->nhosts; h++)
		s->host_up[h] = (uint8_t)net_host_is_up(w->net, h);
	if (viz_layout_compute(w->net, src, s->roles, &s->layout) < 0)
		goto fail;
	if (bus_subscribe(s->bus, OBS_MASK_ALL, on_record, s) < 0)
		goto fail;
	return s;
fail:
	viz_scene_free(&s);
	return NULL;
}

void viz_scene_free(struct viz_scene **sp)
{
	struct viz_scene *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->bus)
		bus_unsubscribe(s->bus, on_record, s);
	viz_layout_release(&s->layout);
	viz_idmap_release(&s->retx);
	viz_idmap_release(&s->doomed);
	viz_idmap_release(&s->conn_index);
	free(s->roles);
	free(s->addrs);
	free(s->link_up);
	free(s->host_up);
	free(s->flights);
	free(s->conns);
	free(s->log);
	viz_msgs_free(&s->msgs);
	free(s);
	*sp = NULL;
}

void viz_scene_set_drop_linger(struct viz_scene *s, sim_time linger) { s->linger = linger > 0 ? linger : 0; }
sim_time viz_scene_drop_linger(const struct viz_scene *s) { return s->linger; }

void viz_scene_prune(struct viz_scene *s, sim_time t)
{
	compact_flights(s, t);
	compact_conns(s, t);
}

const struct viz_world *viz_scene_world(const struct viz_scene *s) { return &s->world; }
const struct viz_source *viz_scene_source(const struct viz_scene *s) { return s->src; }
int viz_scene_host_count(const struct viz_scene *s) { return s->nhosts; }
const char *viz_scene_host_name(const struct viz_scene *s, int host) { return net_host_name(s->world.net, host); }
enum viz_role viz_scene_host_role(const struct viz_scene *s, int host) { return s->roles[host]; }
const char *viz_scene_host_addr(const struct viz_scene *s, int host) { return s->addrs[host]; }

void viz_scene_host_pos(const struct viz_scene *s, int host, double *x_r, double *y_r)
{
	*x_r = s->layout.x[host];
	*y_r = s->layout.y[host];
}

void viz_scene_cell(const struct viz_scene *s, double *w_r, double *h_r)
{
	*w_r = s->layout.cell_w;
	*h_r = s->layout.cell_h;
}

int viz_scene_link_count(const struct viz_scene *s) { return s->nlinks; }

void viz_scene_link_ends(const struct viz_scene *s, int link, int *a_r, int *b_r)
{
	int ia, ib;
	net_link_ends(s->world.net, link, a_r, &ia, b_r, &ib);
}

int viz_scene_link_up(const struct viz_scene *s, int link) { return s->link_up[link]; }
int viz_scene_host_up(const struct viz_scene *s, int host) { return s->host_up[host]; }

const char *viz_scene_link_name(const struct viz_scene *s, int link)
{
	const char *n = s->src->link_name ? s->src->link_name(s->src->ctx, link) : NULL;
	return n ? n : net_link_name(s->world.net, link);
}

size_t viz_scene_flight_count(const struct viz_scene *s) { return s->nflights; }
const struct viz_flight *viz_scene_flight(const struct viz_scene *s, size_t i) { return &s->flights[i]; }

int viz_conn_visible(const struct viz_conn *c, sim_time t, sim_time linger)
{
	return strcmp(c->state, "CLOSED") != 0 || t <= c->changed + linger;
}

size_t viz_scene_conn_count(const struct viz_scene *s) { return s->nconns; }
const struct viz_conn *viz_scene_conn(const struct viz_scene *s, size_t i) { return &s->conns[i]; }

size_t viz_scene_log_count(const struct viz_scene *s) { return s->log_count; }
const struct viz_log_entry *viz_scene_log(const struct viz_scene *s, size_t i)
{
	return &s->log[(s->log_head + i) % VIZ_LOG_KEEP];
}

const struct viz_scene_stats *viz_scene_stats(const struct viz_scene *s) { return &s->stats; }

const struct viz_log_entry *viz_scene_log_seq(const struct viz_scene *s, uint64_t seq)
{
	if (s->log_count == 0)
		return NULL;
	uint64_t first = viz_scene_log(s, 0)->seq;
	if (seq < first || seq - first >= s->log_count)
		return NULL;
	const struct viz_log_entry *e = viz_scene_log(s, (size_t)(seq - first));
	return e->seq == seq ? e : NULL;
}

const struct viz_msgs *viz_scene_msgs(const struct viz_scene *s) { return s->msgs; }

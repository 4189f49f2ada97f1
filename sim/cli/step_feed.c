/* The stepper's feed; see step_feed.h. The queue is a linked FIFO of
 * heap-allocated items: a run publishes a few thousand at most, and the
 * stepper consumes them as fast as a person reads. */
#include "sim/cli/step_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/packet.h"

#define WATCH_MAX 64

struct node {
	struct node *next;
	struct step_item item;
};

struct end_ports {
	int host;
	uint32_t conn_id;
	uint16_t local, remote;
};

struct flow {
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
};

struct step_feed {
	struct sim *sim;
	struct node *head, *tail;
	int watch_losses, failed;
	struct flow watched[WATCH_MAX];
	size_t nwatched;
	struct end_ports *ends;
	size_t nends, capends;
};

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		if (n)
			memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

static char *dup_opt(const char *s) { return s ? dup_n(s, strlen(s)) : NULL; }

static void item_free(struct step_item *it)
{
	free(it->text);
	free(it->queue_id);
	free(it->message_id);
	free(it->rcpt);
}

/* A new zeroed item at the tail, with text copied; NULL on ENOMEM. */
static struct step_item *push(struct step_feed *f, enum step_kind kind, sim_time t, const char *text, size_t len)
{
	struct node *n = calloc(1, sizeof *n);
	if (n)
		n->item.text = dup_n(text ? text : "", text ? len : 0);
	if (!n || !n->item.text) {
		free(n);
		f->failed = 1;
		return NULL;
	}
	n->item.kind = kind;
	n->item.time = t;
	n->item.host = n->item.peer = -1;
	if (f->tail)
		f->tail->next = n;
	else
		f->head = n;
	f->tail = n;
	return &n->item;
}

static int flow_index(const struct step_feed *f, const struct packet *p)
{
	for (size_t i = 0; i < f->nwatched; i++) {
		const struct flow *w = &f->watched[i];
		if (w->src_ip == p->src_ip && w->dst_ip == p->dst_ip && w->src_port == p->src_port &&
		    w->dst_port == p->dst_port)
			return (int)i;
	}
	return -1;
}

static void segment_item(struct step_feed *f, const struct obs_record *rec, enum step_kind kind, int retransmit)
{
	const struct packet *p = rec->u.pkt.pkt;
	const char *why = kind == STEP_DROP ? obs_drop_reason_name(rec->u.pkt.reason) : "";
	struct step_item *it = push(f, kind, rec->time, why, strlen(why));
	if (!it)
		return;
	it->host = rec->u.pkt.host;
	it->retransmit = retransmit;
	it->src_ip = p->src_ip;
	it->dst_ip = p->dst_ip;
	it->src_port = p->src_port;
	it->dst_port = p->dst_port;
	it->seq = p->seq;
	it->len = p->len;
}

static void on_packet(struct step_feed *f, const struct obs_record *rec)
{
	const struct packet *p = rec->u.pkt.pkt;
	if (!p || p->proto != IPPROTO_SIM_TCP)
		return;
	int w = f->watch_losses ? flow_index(f, p) : -1;
	if (rec->type == OBS_PKT_DROP) {
		segment_item(f, rec, STEP_DROP, 0);
		if (f->watch_losses && w < 0 && f->nwatched < WATCH_MAX)
			f->watched[f->nwatched++] =
				(struct flow){p->src_ip, p->dst_ip, p->src_port, p->dst_port};
		return;
	}
	int retransmit = rec->type == OBS_PKT_RETRANSMIT;
	if (w >= 0) {
		f->watched[w] = f->watched[--f->nwatched];
		segment_item(f, rec, STEP_SEGMENT, retransmit);
	} else if (retransmit) {
		segment_item(f, rec, STEP_RETRANSMIT, 1);
	}
}

static void on_conn(struct step_feed *f, const struct obs_record *rec)
{
	int found = 0;
	for (size_t i = f->nends; i-- > 0;) {
		struct end_ports *e = &f->ends[i];
		if (e->host == rec->u.conn.host && e->conn_id == rec->u.conn.conn_id) {
			e->local = rec->u.conn.local_port;
			e->remote = rec->u.conn.remote_port;
			found = 1;
			break;
		}
	}
	if (!found && rec->u.conn.remote_port) {
		if (f->nends == f->capends) {
			size_t cap = f->capends ? f->capends * 2 : 32;
			struct end_ports *n = realloc(f->ends, cap * sizeof *n);
			if (!n) {
				f->failed = 1;
				return;
			}
			f->ends = n;
			f->capends = cap;
		}
		f->ends[f->nends++] = (struct end_ports){rec->u.conn.host, rec->u.conn.conn_id, rec->u.conn.local_port,
							 rec->u.conn.remote_port};
	}
	const char *to = rec->u.conn.to ? rec->u.conn.to : "";
	int fin = !strcmp(to, "FIN_WAIT_1");
	int abort = !strcmp(to, "CLOSED") && rec->u.conn.why;
	if (!fin && !abort)
		return;
	const char *why = abort ? rec->u.conn.why : "";
	struct step_item *it = push(f, STEP_CLOSE, rec->time, why, strlen(why));
	if (!it)
		return;
	it->host = rec->u.conn.host;
	it->conn_id = rec->u.conn.conn_id;
	it->aborted = abort;
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct step_feed *f = ctx;
	struct step_item *it;
	switch (rec->type) {
	case OBS_LINE:
		it = push(f, STEP_LINE, rec->time, rec->u.line.text, rec->u.line.text ? rec->u.line.len : 0);
		if (!it)
			return;
		it->host = rec->u.line.host;
		it->peer = rec->u.line.peer;
		it->conn_id = rec->u.line.conn_id;
		snprintf(it->proto, sizeof it->proto, "%s", rec->u.line.proto ? rec->u.line.proto : "?");
		it->from_client = rec->u.line.from_client;
		it->encrypted = rec->u.line.encrypted;
		break;
	case OBS_APP: {
		const char *kind = rec->u.app.kind ? rec->u.app.kind : "app";
		const char *text = rec->u.app.text ? rec->u.app.text : "";
		it = push(f, strcmp(kind, "dns") ? STEP_NOTE : STEP_DNS, rec->time, text, strlen(text));
		if (!it)
			return;
		it->host = rec->u.app.host;
		it->conn_id = rec->u.app.conn_id;
		snprintf(it->proto, sizeof it->proto, "%s", kind);
		break;
	}
	case OBS_MAIL: {
		const char *text = rec->u.mail.text ? rec->u.mail.text : "";
		it = push(f, STEP_MAIL, rec->time, text, strlen(text));
		if (!it)
			return;
		it->host = rec->u.mail.host;
		it->mail_event = (int)rec->u.mail.event;
		it->queue_id = dup_opt(rec->u.mail.queue_id);
		it->message_id = dup_opt(rec->u.mail.message_id);
		it->rcpt = dup_opt(rec->u.mail.rcpt);
		if ((rec->u.mail.queue_id && !it->queue_id) || (rec->u.mail.message_id && !it->message_id) ||
		    (rec->u.mail.rcpt && !it->rcpt))
			f->failed = 1;
		break;
	}
	case OBS_CONN_STATE:
		on_conn(f, rec);
		break;
	case OBS_PKT_SEND:
	case OBS_PKT_RETRANSMIT:
	case OBS_PKT_DROP:
		on_packet(f, rec);
		break;
	default:
		break;
	}
}

struct step_feed *step_feed_open(struct sim *sim, int watch_losses)
{
	struct step_feed *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->sim = sim;
	f->watch_losses = watch_losses;
	unsigned mask = OBS_MASK(OBS_LINE) | OBS_MASK(OBS_APP) | OBS_MASK(OBS_MAIL) | OBS_MASK(OBS_CONN_STATE) |
			OBS_MASK(OBS_PKT_RETRANSMIT) | OBS_MASK(OBS_PKT_DROP);
	if (watch_losses)
		mask |= OBS_MASK(OBS_PKT_SEND);
	if (bus_subscribe(sim_bus(sim), mask, on_record, f) < 0) {
		free(f);
		return NULL;
	}
	return f;
}

void step_feed_close(struct step_feed **fp)
{
	if (!fp || !*fp)
		return;
	struct step_feed *f = *fp;
	bus_unsubscribe(sim_bus(f->sim), on_record, f);
	while (f->head)
		step_feed_pop(f);
	free(f->ends);
	free(f);
	*fp = NULL;
}

const struct step_item *step_feed_peek(const struct step_feed *f) { return f->head ? &f->head->item : NULL; }

void step_feed_pop(struct step_feed *f)
{
	struct node *n = f->head;
	if (!n)
		return;
	f->head = n->next;
	if (!f->head)
		f->tail = NULL;
	item_free(&n->item);
	free(n);
}

int step_feed_failed(const struct step_feed *f) { return f->failed; }

int step_feed_ports(const struct step_feed *f, int host, uint32_t conn_id, uint16_t *local_r, uint16_t *remote_r)
{
	for (size_t i = f->nends; i-- > 0;) {
		if (f->ends[i].host == host && f->ends[i].conn_id == conn_id) {
			*local_r = f->ends[i].local;
			*remote_r = f->ends[i].remote;
			return 0;
		}
	}
	return -1;
}

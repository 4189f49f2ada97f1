/* The human text log (`mailsim run --log`): one line per record, in the
 * spirit of tcpdump, for a terminal or a file:
 *
 *   0.001000000  laptop 10.0.0.1:49152 > 10.0.1.1:25 [S] seq=1234 win=65535 len=0 mss=1460
 *   0.021000000  laptop conn#1 SYN_SENT -> ESTABLISHED 10.0.0.1:49152 <-> 10.0.1.1:25
 *   0.022000000  laptop DROP loss on laptop-mta (laptop>mta): 10.0.0.1:49152 > 10.0.1.1:25 [P.] seq=...
 *
 * Columns: simulated seconds (nine decimals), the host where it happened
 * ("-" for none), then what happened. Packets are logged when their host
 * originates them (and when TCP retransmits them, prefixed "retransmit"),
 * and when they are dropped; per-hop transmissions (OBS_PKT_TX) and
 * arrivals (OBS_PKT_RECV) are logged only in verbose mode, since they
 * triple the volume and add little for a reader. Application text and
 * protocol lines are escaped so every record stays on one line:
 *
 *   0.016036400  laptop conn#1 SMTP to mta1 C: EHLO laptop.juan.gmail.com
 *   0.036194240  mta1   mail accepted 000010002 <1.2@gmail.com> from=<juan@gmail.com> rcpt=maria@dominio.de.maria
 */
#include "sim/observe/observers.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/observe/obs_util.h"

#define HOST_COLUMN_MAX 16
#define APP_TEXT_MAX 2048

struct obs_text_log {
	struct sim *sim;
	const struct net *net;
	FILE *out;
	int width; /* host column */
	int failed;
	char text[APP_TEXT_MAX];
};

static const unsigned quiet_mask = OBS_MASK(OBS_PKT_SEND) | OBS_MASK(OBS_PKT_RETRANSMIT) | OBS_MASK(OBS_PKT_DROP) |
				   OBS_MASK(OBS_CONN_STATE) | OBS_MASK(OBS_LINK_STATE) | OBS_MASK(OBS_APP) |
				   OBS_MASK(OBS_LINE) | OBS_MASK(OBS_MAIL);

/* "10.0.0.1:49152 > 10.0.1.1:25 [S.] seq=1 ack=2 win=65535 len=0 mss=1460" */
static void print_packet(FILE *out, const struct packet *pkt)
{
	char a[16], b[16], f[8];
	fprintf(out, "%s:%u > %s:%u", ipv4_format(pkt->src_ip, a), (unsigned)pkt->src_port,
		ipv4_format(pkt->dst_ip, b), (unsigned)pkt->dst_port);
	if (pkt->proto == IPPROTO_SIM_TCP) {
		fprintf(out, " [%s] seq=%lu", obs_tcp_flags_tcpdump(pkt->flags, f), (unsigned long)pkt->seq);
		if (pkt->flags & TCP_ACK)
			fprintf(out, " ack=%lu", (unsigned long)pkt->ack);
		fprintf(out, " win=%u len=%lu", (unsigned)pkt->window, (unsigned long)pkt->len);
		if (pkt->mss_option)
			fprintf(out, " mss=%u", (unsigned)pkt->mss_option);
	} else if (pkt->proto == IPPROTO_SIM_UDP) {
		fprintf(out, " UDP len=%lu", (unsigned long)pkt->len);
	} else {
		fprintf(out, " proto=%u len=%lu", (unsigned)pkt->proto, (unsigned long)pkt->len);
	}
}

static void print_link_dir(const struct obs_text_log *log, int link, int dir)
{
	if (link < 0)
		return;
	const struct net *net = log->net;
	const char *from = "-", *to = "-";
	if (net && link < net_link_count(net)) {
		int ha, ia, hb, ib;
		net_link_ends(net, link, &ha, &ia, &hb, &ib);
		from = obs_host_label(net, dir ? hb : ha);
		to = obs_host_label(net, dir ? ha : hb);
	}
	fprintf(log->out, " on %s (%s>%s)", obs_link_label(net, link), from, to);
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_text_log *log = ctx;
	FILE *out = log->out;
	char when[32], a[16], b[16];
	int host = -1;
	switch (rec->type) {
	case OBS_PKT_SEND:
	case OBS_PKT_RETRANSMIT:
	case OBS_PKT_TX:
	case OBS_PKT_RECV:
	case OBS_PKT_DROP:
		host = rec->u.pkt.host;
		break;
	case OBS_CONN_STATE:
		host = rec->u.conn.host;
		break;
	case OBS_APP:
		host = rec->u.app.host;
		break;
	case OBS_LINE:
		host = rec->u.line.host;
		break;
	case OBS_MAIL:
		host = rec->u.mail.host;
		break;
	default:
		break;
	}
	fprintf(out, "%13s  %-*s ", sim_time_format(rec->time, when, sizeof when), log->width,
		obs_host_label(log->net, host));

	switch (rec->type) {
	case OBS_PKT_SEND:
	case OBS_PKT_RETRANSMIT:
	case OBS_PKT_TX:
	case OBS_PKT_RECV:
	case OBS_PKT_DROP: {
		if (rec->type == OBS_PKT_RETRANSMIT)
			fputs("retransmit ", out);
		else if (rec->type == OBS_PKT_RECV)
			fputs("recv ", out);
		if (rec->type == OBS_PKT_DROP) {
			fprintf(out, "DROP %s", obs_drop_reason_name(rec->u.pkt.reason));
			print_link_dir(log, rec->u.pkt.link, rec->u.pkt.dir);
			fputs(": ", out);
		} else if (rec->type == OBS_PKT_TX) {
			fputs("tx", out);
			print_link_dir(log, rec->u.pkt.link, rec->u.pkt.dir);
			fprintf(out, " arrives %s: ", sim_time_format(rec->u.pkt.arrival, when, sizeof when));
		}
		if (rec->u.pkt.pkt)
			print_packet(out, rec->u.pkt.pkt);
		break;
	}
	case OBS_CONN_STATE:
		fprintf(out, "conn#%lu %s -> %s %s:%u <-> %s:%u", (unsigned long)rec->u.conn.conn_id,
			rec->u.conn.from ? rec->u.conn.from : "?", rec->u.conn.to ? rec->u.conn.to : "?",
			ipv4_format(rec->u.conn.local_ip, a), (unsigned)rec->u.conn.local_port,
			ipv4_format(rec->u.conn.remote_ip, b), (unsigned)rec->u.conn.remote_port);
		if (rec->u.conn.why)
			fprintf(out, " (%s)", rec->u.conn.why);
		break;
	case OBS_LINK_STATE:
		fprintf(out, "link %s %s", obs_link_label(log->net, rec->u.link.link), rec->u.link.up ? "up" : "down");
		break;
	case OBS_APP:
		if (rec->u.app.conn_id)
			fprintf(out, "conn#%lu ", (unsigned long)rec->u.app.conn_id);
		fprintf(out, "%s: %s", rec->u.app.kind ? rec->u.app.kind : "app",
			obs_escape_line(rec->u.app.text, log->text, sizeof log->text));
		break;
	case OBS_LINE:
		/* Both ends publish a line (sent and received): two log lines,
		 * each with its end's connection number. */
		fprintf(out, "conn#%lu %s%s to %s %s: %s", (unsigned long)rec->u.line.conn_id,
			rec->u.line.proto ? rec->u.line.proto : "?", rec->u.line.encrypted ? "/TLS" : "",
			obs_host_label(log->net, rec->u.line.peer), rec->u.line.from_client ? "C" : "S",
			obs_escape_bytes(rec->u.line.text, rec->u.line.text ? rec->u.line.len : 0, log->text,
					 sizeof log->text));
		break;
	case OBS_MAIL: {
		const char *m = rec->u.mail.message_id, *q = rec->u.mail.queue_id;
		fprintf(out, "mail %s %s %s from=<%s> rcpt=%s", obs_mail_event_name(rec->u.mail.event),
			q && *q ? q : "-", m && *m ? m : "-", rec->u.mail.from ? rec->u.mail.from : "",
			rec->u.mail.rcpt ? rec->u.mail.rcpt : "-");
		if (rec->u.mail.text)
			fprintf(out, ": %s", obs_escape_line(rec->u.mail.text, log->text, sizeof log->text));
		break;
	}
	default:
		fprintf(out, "record type %d", (int)rec->type);
		break;
	}
	if (fputc('\n', out) == EOF)
		log->failed = 1;
}

struct obs_text_log *obs_text_log_open(struct sim *sim, const struct net *net, FILE *out)
{
	struct obs_text_log *log = calloc(1, sizeof *log);
	if (!log)
		return NULL;
	log->sim = sim;
	log->net = net;
	log->out = out;
	log->width = 4;
	int hosts = net ? net_host_count(net) : 0;
	for (int h = 0; h < hosts; h++) {
		int len = (int)strlen(obs_host_label(net, h));
		if (len > log->width)
			log->width = len < HOST_COLUMN_MAX ? len : HOST_COLUMN_MAX;
	}
	if (bus_subscribe(sim_bus(sim), quiet_mask, on_record, log) < 0) {
		free(log);
		return NULL;
	}
	return log;
}

int obs_text_log_verbose(struct obs_text_log *log, int verbose)
{
	struct obs_bus *bus = sim_bus(log->sim);
	unsigned mask = quiet_mask;
	if (verbose)
		mask |= OBS_MASK(OBS_PKT_TX) | OBS_MASK(OBS_PKT_RECV);
	/* Cannot fail: unsubscribing left room in the bus's table. */
	bus_unsubscribe(bus, on_record, log);
	if (bus_subscribe(bus, mask, on_record, log) < 0)
		return -1;
	return 0;
}

int obs_text_log_close(struct obs_text_log **lp)
{
	if (!lp || !*lp)
		return 0;
	struct obs_text_log *log = *lp;
	bus_unsubscribe(sim_bus(log->sim), on_record, log);
	int failed = log->failed || fflush(log->out) != 0 || ferror(log->out);
	free(log);
	*lp = NULL;
	return failed ? -1 : 0;
}

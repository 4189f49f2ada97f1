/* The JSON Lines trace: one compact JSON object per line for every record
 * on the bus, framed by a "run" line (seed and topology) written at open and
 * an "end" line written at close. docs/trace-format.md documents each record
 * type; keys always come in the order written here, so the same run gives
 * the same bytes.
 *
 * Speed: one cJSON object per record would cost a dozen allocations, so each
 * line is assembled from a fixed set of cJSON items made once: strings are
 * references to borrowed text, integers are raw references to text we
 * format (exact for all 64 bits, where cJSON numbers are doubles), and the
 * line is printed with cJSON_PrintPreallocated into a buffer that only
 * grows. No allocation per record in the steady state. */
#include "sim/observe/observers.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/observe/obs_util.h"

#define MAX_FIELDS 24
#define IO_BUFFER (1u << 18)

/* One line under construction: the root object and its reusable items. */
struct jline {
	cJSON *root;
	cJSON *items[MAX_FIELDS];
	char nums[MAX_FIELDS][24]; /* integer texts */
	char ips[4][16];           /* dotted quads */
	char flags[8];
	char *text;      /* app text made valid UTF-8, when it was not */
	size_t textcap;
	int oom;         /* a text could not be copied: close reports failure */
	int n, nips;
	size_t strings; /* total length of string values, to size the buffer */
	char *out;
	size_t outcap;
};

struct obs_trace {
	struct sim *sim;
	const struct net *net;
	FILE *out;
	int owns_out;
	char *iobuf;
	int failed;
	struct jline line;
	char *linebuf; /* a protocol line made a C string */
	size_t linecap;
};

static int jline_init(struct jline *j)
{
	j->root = cJSON_CreateObject();
	if (!j->root)
		return -1;
	for (int i = 0; i < MAX_FIELDS; i++) {
		j->items[i] = cJSON_CreateStringReference("");
		if (!j->items[i])
			return -1;
	}
	j->outcap = 4096;
	j->out = malloc(j->outcap);
	return j->out ? 0 : -1;
}

static void jline_free(struct jline *j)
{
	if (j->root) {
		j->root->child = NULL;
		cJSON_Delete(j->root);
	}
	for (int i = 0; i < MAX_FIELDS; i++) {
		if (!j->items[i])
			continue;
		/* References and constant keys: cJSON frees only the item. */
		j->items[i]->next = j->items[i]->prev = NULL;
		cJSON_Delete(j->items[i]);
	}
	free(j->out);
	free(j->text);
	memset(j, 0, sizeof *j);
}

static void jl_begin(struct jline *j)
{
	j->root->child = NULL;
	j->n = 0;
	j->nips = 0;
	j->strings = 0;
}

/* Appends key (a string literal) with an item of the given type whose text
 * is text (borrowed until the line is printed). */
static void jl_put(struct jline *j, const char *key, int type, const char *text)
{
	if (j->n == MAX_FIELDS)
		return; /* cannot happen: records have fewer fields */
	cJSON *it = j->items[j->n++];
	/* The previous key is a constant too: nothing to free. */
	it->type = type | cJSON_IsReference | cJSON_StringIsConst;
	it->valuestring = (char *)text;
	it->next = it->prev = NULL;
	cJSON_AddItemToObjectCS(j->root, key, it);
	j->strings += strlen(key) + strlen(text);
}

static void jl_str(struct jline *j, const char *key, const char *s) { jl_put(j, key, cJSON_String, s ? s : ""); }

static void jl_int(struct jline *j, const char *key, int64_t v)
{
	if (j->n == MAX_FIELDS)
		return;
	jl_put(j, key, cJSON_Raw, obs_fmt_i64(v, j->nums[j->n]));
}

static void jl_uint(struct jline *j, const char *key, uint64_t v)
{
	if (j->n == MAX_FIELDS)
		return;
	jl_put(j, key, cJSON_Raw, obs_fmt_u64(v, j->nums[j->n]));
}

/* Application text may be any bytes (a protocol line, later binary data);
 * JSON must be UTF-8, so invalid bytes become U+FFFD. Valid text, the
 * usual case, is used in place. */
static void jl_text(struct jline *j, const char *key, const char *s)
{
	s = s ? s : "";
	size_t valid = obs_utf8_valid_prefix(s);
	if (!s[valid]) {
		jl_str(j, key, s);
		return;
	}
	size_t need = 3 * strlen(s) + 1;
	if (need > j->textcap) {
		char *b = realloc(j->text, need);
		if (!b) {
			j->oom = 1;
			jl_str(j, key, "");
			return;
		}
		j->text = b;
		j->textcap = need;
	}
	jl_str(j, key, obs_utf8_sanitize(s, j->text));
}

/* A string, or null when the record does not know it. */
static void jl_opt_text(struct jline *j, const char *key, const char *s)
{
	if (s)
		jl_text(j, key, s);
	else
		jl_put(j, key, cJSON_Raw, "null");
}

static void jl_bool(struct jline *j, const char *key, int v) { jl_put(j, key, cJSON_Raw, v ? "true" : "false"); }

static void jl_null(struct jline *j, const char *key) { jl_put(j, key, cJSON_Raw, "null"); }

static void jl_ip(struct jline *j, const char *key, uint32_t ip)
{
	if (j->nips == 4)
		return;
	jl_str(j, key, obs_fmt_ip(ip, j->ips[j->nips++]));
}

/* A host name, or null when the record is not about a known host. */
static void jl_host(struct jline *j, const struct net *net, int host)
{
	if (net && host >= 0 && host < net_host_count(net))
		jl_str(j, "host", net_host_name(net, host));
	else
		jl_null(j, "host");
}

/* Prints the line and a newline to out; 0, or -1 on failure. */
static int jl_write(struct jline *j, FILE *out)
{
	/* Escaping at most sextuples a string (\u00XX); keys, punctuation and
	 * the integers take the rest, with cJSON's 5-byte print margin. */
	size_t need = j->strings * 6 + (size_t)j->n * 32 + 64;
	if (need > INT_MAX)
		return -1;
	if (need > j->outcap) {
		char *b = realloc(j->out, need);
		if (!b)
			return -1;
		j->out = b;
		j->outcap = need;
	}
	if (!cJSON_PrintPreallocated(j->root, j->out, (int)j->outcap, 0))
		return -1;
	size_t len = strlen(j->out);
	j->out[len] = '\n';
	return fwrite(j->out, 1, len + 1, out) == len + 1 ? 0 : -1;
}

/* Like jl_host, for another key. */
static void jl_host_as(struct jline *j, const struct net *net, const char *key, int host)
{
	if (net && host >= 0 && host < net_host_count(net))
		jl_str(j, key, net_host_name(net, host));
	else
		jl_null(j, key);
}

/* A protocol line is len bytes, not a C string: copied, with each NUL
 * byte made 0xff, which jl_text then shows as U+FFFD. */
static const char *line_text(struct obs_trace *t, const char *text, size_t len)
{
	if (!text)
		return "";
	if (len + 1 > t->linecap) {
		char *b = realloc(t->linebuf, len + 1);
		if (!b) {
			t->line.oom = 1;
			return "";
		}
		t->linebuf = b;
		t->linecap = len + 1;
	}
	for (size_t i = 0; i < len; i++)
		t->linebuf[i] = text[i] ? text[i] : (char)0xff;
	t->linebuf[len] = 0;
	return t->linebuf;
}

static void put_packet(struct jline *j, const struct obs_trace *t, const struct obs_record *rec)
{
	const struct packet *pkt = rec->u.pkt.pkt;
	jl_host(j, t->net, rec->u.pkt.host);
	if (rec->u.pkt.link >= 0) {
		jl_int(j, "link", rec->u.pkt.link);
		jl_int(j, "dir", rec->u.pkt.dir);
	}
	if (rec->type == OBS_PKT_TX)
		jl_int(j, "arrival", rec->u.pkt.arrival);
	if (rec->type == OBS_PKT_DROP)
		jl_str(j, "reason", obs_drop_reason_name(rec->u.pkt.reason));
	if (!pkt)
		return;
	jl_uint(j, "pkt", pkt->id);
	jl_str(j, "proto", pkt->proto == IPPROTO_SIM_TCP ? "tcp" : pkt->proto == IPPROTO_SIM_UDP ? "udp" : "?");
	jl_ip(j, "src", pkt->src_ip);
	jl_int(j, "sport", pkt->src_port);
	jl_ip(j, "dst", pkt->dst_ip);
	jl_int(j, "dport", pkt->dst_port);
	jl_int(j, "ttl", pkt->ttl);
	jl_int(j, "ip_id", pkt->ip_id);
	jl_int(j, "len", pkt->len);
	if (pkt->proto == IPPROTO_SIM_TCP) {
		jl_uint(j, "seq", pkt->seq);
		jl_uint(j, "ack", pkt->ack);
		jl_str(j, "flags", obs_tcp_flags_letters(pkt->flags, j->flags));
		jl_int(j, "win", pkt->window);
		if (pkt->mss_option)
			jl_int(j, "mss", pkt->mss_option);
	}
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_trace *t = ctx;
	struct jline *j = &t->line;
	jl_begin(j);
	jl_int(j, "t", rec->time);
	jl_str(j, "type", obs_type_name(rec->type));
	switch (rec->type) {
	case OBS_PKT_SEND:
	case OBS_PKT_RETRANSMIT:
	case OBS_PKT_TX:
	case OBS_PKT_RECV:
	case OBS_PKT_DROP:
		put_packet(j, t, rec);
		break;
	case OBS_CONN_STATE:
		jl_host(j, t->net, rec->u.conn.host);
		jl_uint(j, "conn", rec->u.conn.conn_id);
		jl_ip(j, "local_ip", rec->u.conn.local_ip);
		jl_int(j, "local_port", rec->u.conn.local_port);
		jl_ip(j, "remote_ip", rec->u.conn.remote_ip);
		jl_int(j, "remote_port", rec->u.conn.remote_port);
		jl_str(j, "from", rec->u.conn.from);
		jl_str(j, "to", rec->u.conn.to);
		if (rec->u.conn.why)
			jl_str(j, "why", rec->u.conn.why);
		break;
	case OBS_LINK_STATE:
		jl_int(j, "link", rec->u.link.link);
		jl_str(j, "name", obs_link_label(t->net, rec->u.link.link));
		jl_bool(j, "up", rec->u.link.up);
		break;
	case OBS_APP:
		jl_host(j, t->net, rec->u.app.host);
		if (rec->u.app.conn_id)
			jl_uint(j, "conn", rec->u.app.conn_id);
		jl_str(j, "kind", rec->u.app.kind);
		jl_text(j, "text", rec->u.app.text);
		break;
	case OBS_LINE:
		jl_host(j, t->net, rec->u.line.host);
		jl_host_as(j, t->net, "peer", rec->u.line.peer);
		jl_uint(j, "conn", rec->u.line.conn_id);
		jl_str(j, "proto", rec->u.line.proto);
		jl_bool(j, "from_client", rec->u.line.from_client);
		jl_bool(j, "encrypted", rec->u.line.encrypted);
		jl_uint(j, "len", rec->u.line.text ? rec->u.line.len : 0);
		jl_text(j, "text", line_text(t, rec->u.line.text, rec->u.line.len));
		break;
	case OBS_MAIL:
		jl_host(j, t->net, rec->u.mail.host);
		jl_str(j, "event", obs_mail_event_name(rec->u.mail.event));
		jl_opt_text(j, "queue_id", rec->u.mail.queue_id);
		jl_opt_text(j, "message_id", rec->u.mail.message_id);
		jl_opt_text(j, "from", rec->u.mail.from);
		jl_opt_text(j, "rcpt", rec->u.mail.rcpt);
		jl_opt_text(j, "text", rec->u.mail.text);
		break;
	default:
		break;
	}
	if (jl_write(j, t->out) < 0 || j->oom)
		t->failed = 1;
}

/* Integers in the "run" line go out as raw JSON so 64-bit values stay
 * exact. */
static int add_int(cJSON *obj, const char *key, int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_AddRawToObject(obj, key, buf) ? 0 : -1;
}

static int add_ip(cJSON *obj, const char *key, uint32_t ip)
{
	char buf[16];
	return cJSON_AddStringToObject(obj, key, ipv4_format(ip, buf)) ? 0 : -1;
}

static cJSON *run_header(struct sim *sim, const struct net *net)
{
	cJSON *o = cJSON_CreateObject();
	char seed[24];
	snprintf(seed, sizeof seed, "%" PRIu64, sim_seed(sim));
	int bad = !o || add_int(o, "t", sim_now(sim)) < 0 || !cJSON_AddStringToObject(o, "type", "run") ||
		  add_int(o, "version", 1) < 0 || !cJSON_AddRawToObject(o, "seed", seed);
	cJSON *hosts = bad ? NULL : cJSON_AddArrayToObject(o, "hosts");
	cJSON *links = hosts ? cJSON_AddArrayToObject(o, "links") : NULL;
	if (!links) {
		cJSON_Delete(o);
		return NULL;
	}
	int nh = net ? net_host_count(net) : 0, nl = net ? net_link_count(net) : 0;
	for (int h = 0; h < nh && !bad; h++) {
		cJSON *ho = cJSON_CreateObject(), *ips = NULL;
		bad = !ho || !cJSON_AddItemToArray(hosts, ho) || !cJSON_AddStringToObject(ho, "name", net_host_name(net, h)) ||
		      !(ips = cJSON_AddArrayToObject(ho, "ips"));
		for (int i = 0; !bad && i < net_host_iface_count(net, h); i++) {
			char buf[16];
			cJSON *s = cJSON_CreateString(ipv4_format(net_host_ip(net, h, i), buf));
			bad = !s || !cJSON_AddItemToArray(ips, s);
		}
	}
	for (int l = 0; l < nl && !bad; l++) {
		int ha, ia, hb, ib;
		net_link_ends(net, l, &ha, &ia, &hb, &ib);
		const struct link_params *lp = net_link_params(net, l);
		cJSON *lo = cJSON_CreateObject();
		bad = !lo || !cJSON_AddItemToArray(links, lo) || add_int(lo, "link", l) < 0 ||
		      !cJSON_AddStringToObject(lo, "name", net_link_name(net, l)) ||
		      !cJSON_AddStringToObject(lo, "a", net_host_name(net, ha)) ||
		      add_ip(lo, "a_ip", net_host_ip(net, ha, ia)) < 0 ||
		      !cJSON_AddStringToObject(lo, "b", net_host_name(net, hb)) ||
		      add_ip(lo, "b_ip", net_host_ip(net, hb, ib)) < 0 || add_int(lo, "latency", lp->latency) < 0 ||
		      add_int(lo, "bandwidth", (int64_t)lp->bandwidth_bps) < 0 ||
		      !cJSON_AddNumberToObject(lo, "loss", lp->loss) || add_int(lo, "mtu", lp->mtu) < 0 ||
		      add_int(lo, "queue", lp->queue_bytes) < 0 || !cJSON_AddBoolToObject(lo, "up", net_link_is_up(net, l));
	}
	if (bad) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int write_object(cJSON *o, FILE *out)
{
	char *text = cJSON_PrintUnformatted(o);
	if (!text)
		return -1;
	int rc = fputs(text, out) >= 0 && fputc('\n', out) != EOF ? 0 : -1;
	cJSON_free(text);
	return rc;
}

struct obs_trace *obs_trace_open(struct sim *sim, const struct net *net, const char *path, char *err,
				 size_t errlen)
{
	struct obs_trace *t = calloc(1, sizeof *t);
	if (!t || jline_init(&t->line) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		goto fail;
	}
	t->sim = sim;
	t->net = net;
	if (strcmp(path, "-") == 0) {
		t->out = stdout;
	} else {
		t->out = fopen(path, "w");
		if (!t->out) {
			snprintf(err, errlen, "%s: cannot create trace file: %s", path, strerror(errno));
			goto fail;
		}
		t->owns_out = 1;
		t->iobuf = malloc(IO_BUFFER);
		if (t->iobuf)
			setvbuf(t->out, t->iobuf, _IOFBF, IO_BUFFER);
	}
	cJSON *head = run_header(sim, net);
	int rc = head ? write_object(head, t->out) : -1;
	cJSON_Delete(head);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot write trace", path);
		goto fail;
	}
	if (bus_subscribe(sim_bus(sim), OBS_MASK_ALL, on_record, t) < 0) {
		snprintf(err, errlen, "trace: out of memory");
		goto fail;
	}
	return t;
fail:
	if (t) {
		if (t->owns_out)
			fclose(t->out);
		free(t->iobuf);
		jline_free(&t->line);
		free(t->linebuf);
		free(t);
	}
	return NULL;
}

int obs_trace_close(struct obs_trace **tp)
{
	if (!tp || !*tp)
		return 0;
	struct obs_trace *t = *tp;
	bus_unsubscribe(sim_bus(t->sim), on_record, t);
	struct jline *j = &t->line;
	jl_begin(j);
	jl_int(j, "t", sim_now(t->sim));
	jl_str(j, "type", "end");
	jl_uint(j, "events", sim_events_run(t->sim));
	int failed = t->failed || jl_write(j, t->out) < 0;
	if (t->owns_out) {
		if (fclose(t->out) != 0)
			failed = 1;
	} else if (fflush(t->out) != 0) {
		failed = 1;
	}
	free(t->iobuf);
	jline_free(&t->line);
	free(t->linebuf);
	free(t);
	*tp = NULL;
	return failed ? -1 : 0;
}

/* The inspectors' rows (see inspect.h). */
#include "viz/inspect.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/core/bus.h"
#include "sim/net/net.h"
#include "viz/describe.h"
#include "viz/msgtrack.h"

static const char *hname(const struct viz_scene *s, int h)
{
	return h >= 0 && h < viz_scene_host_count(s) ? viz_scene_host_name(s, h) : "-";
}

static void fmt_secs(sim_time t, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%06lld", (long long)(t / SIM_S), (long long)((t % SIM_S) / SIM_US));
}

static void fmt_size(size_t n, char *buf, size_t size)
{
	if (n >= 10240)
		snprintf(buf, size, "%zu KiB", n / 1024);
	else
		snprintf(buf, size, "%zu B", n);
}

void viz_inspect_message(struct viz_rows *out, const struct viz_scene *s, int msg, int host, sim_time now, sim_time hl,
			 enum viz_lang lang)
{
	const struct viz_msgs *ms = viz_scene_msgs(s);
	if (msg < 0 || (size_t)msg >= viz_msgs_count(ms))
		return;
	const struct viz_msg *g = viz_msgs_get(ms, (size_t)msg);
	viz_rows_add(out, VIZ_ROW_TITLE, 0, 0, "%s %d: %s", viz_str(lang, VIZ_S_MESSAGE), msg + 1,
		     g->subject[0] ? g->subject : g->id);
	const struct viz_msg_copy *c = viz_msg_copy_at(g, host, now);
	if (!c) {
		viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s %s", g->id, viz_str(lang, VIZ_S_NOT_YET));
		return;
	}
	char ts[32];
	fmt_secs(c->arrived, ts, sizeof ts);
	if (c->from_host < 0)
		viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s %s (%s) %s", viz_str(lang, VIZ_S_MSG_AT), hname(s, c->host),
			     viz_str(lang, VIZ_S_MSG_COMPOSED), g->id);
	else
		viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s %s, %s %s, %s s, id %s", viz_str(lang, VIZ_S_MSG_AT),
			     hname(s, c->host), viz_str(lang, VIZ_S_MSG_FROM_HOST), hname(s, c->from_host), ts,
			     c->queue_id[0] ? c->queue_id : "-");
	/* The envelope beside the address fields: the Bcc lesson at a glance. */
	viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_ENVELOPE));
	viz_rows_add(out, VIZ_ROW_SECTION, 1, 0, "%s", viz_str(lang, VIZ_S_HEADER_ADDR));
	viz_rows_add(out, VIZ_ROW_ENV, 0, 0, "MAIL FROM:%s", c->mail_from ? c->mail_from : "<>");
	for (size_t i = 0; i < c->nrcpts; i++)
		viz_rows_add(out, VIZ_ROW_ENV, 0, 0, "RCPT TO:%s", c->rcpts[i]);
	static const char *const addr[] = {"From", "To", "Cc", "Bcc"};
	for (size_t i = 0; i < 4; i++) {
		const struct viz_msg_field *f = viz_msg_field_find(c, addr[i]);
		if (f)
			viz_rows_add(out, VIZ_ROW_ADDR, 1, 0, "%s: %s", f->name, f->value);
		else
			viz_rows_add(out, VIZ_ROW_ABSENT, 1, 0, "%s: %s", addr[i], viz_str(lang, VIZ_S_ABSENT));
	}
	/* The trace fields first (the lesson of each hop), then the MIME tree,
	 * then the other fields: what a small window must cut comes last. */
	viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_HEADER_FIELDS));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->nfields; i++) {
			const struct viz_msg_field *f = &c->fields[i];
			if (f->added > now)
				continue;
			/* Trace fields that came with the message are trace fields too. */
			int trace = f->added >= 0 || strcasecmp(f->name, "Received") == 0;
			if (trace != (pass == 0))
				continue;
			enum viz_row_kind k = !trace				    ? VIZ_ROW_FIELD
					      : f->added >= 0 && now - f->added <= hl ? VIZ_ROW_NEW
										    : VIZ_ROW_TRACE;
			viz_rows_add(out, k, 0, 0, "%s: %s", f->name, f->value);
		}
		if (pass == 0 && c->nparts) {
			viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_MIME_TREE));
			for (size_t i = 0; i < c->nparts; i++) {
				const struct viz_msg_part *p = &c->parts[i];
				char sz[32] = "";
				if (strncasecmp(p->type, "multipart/", 10) != 0)
					fmt_size(p->size, sz, sizeof sz);
				viz_rows_add(out, VIZ_ROW_PART, 0, p->depth, "%s  %s%s%s%s%s", p->type, p->cte, sz[0] ? "  " : "",
					     sz, p->filename[0] ? "  " : "", p->filename);
			}
			viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_OTHER_FIELDS));
		}
	}
	size_t shown = 0;
	for (size_t i = 0; i < g->nevents; i++)
		shown += g->events[i].time <= now;
	if (shown) {
		viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_HOPS));
		for (size_t i = 0; i < g->nevents; i++) {
			const struct viz_msg_event *e = &g->events[i];
			if (e->time > now)
				continue;
			fmt_secs(e->time, ts, sizeof ts);
			enum viz_row_kind k = e->event == OBS_MAIL_DEFERRED || e->event == OBS_MAIL_BOUNCED ? VIZ_ROW_WARN
													       : VIZ_ROW_EVENT;
			viz_rows_add(out, k, 0, 0, "%s %s %s%s%s%s%s", ts, hname(s, e->host),
				     obs_mail_event_name((enum obs_mail_event)e->event), e->rcpt[0] ? " " : "", e->rcpt,
				     e->text[0] ? ": " : "", e->text);
		}
	}
}

void viz_inspect_host(struct viz_rows *out, const struct viz_scene *s, int host, sim_time now, enum viz_lang lang)
{
	if (host < 0 || host >= viz_scene_host_count(s))
		return;
	const struct net *net = viz_scene_world(s)->net;
	viz_rows_add(out, VIZ_ROW_TITLE, 0, 0, "%s: %s", viz_str(lang, VIZ_S_SEL_HOST), viz_scene_host_name(s, host));
	char a[16];
	for (int i = 0; i < net_host_iface_count(net, host); i++)
		viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s%s", i ? "" : "", ipv4_format(net_host_ip(net, host, i), a));
	viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s", viz_role_name(viz_scene_host_role(s, host), lang));
	viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_CONNECTIONS));
	size_t nconn = 0;
	sim_time linger = viz_scene_drop_linger(s);
	for (size_t i = 0; i < viz_scene_conn_count(s); i++) {
		const struct viz_conn *c = viz_scene_conn(s, i);
		if (c->host != host || !viz_conn_visible(c, now, linger) || c->changed > now)
			continue;
		char l[16], r[16];
		viz_rows_add(out, VIZ_ROW_TEXT, 0, 0, "%s:%u > %s:%u %s", ipv4_format(c->local_ip, l), c->local_port,
			     ipv4_format(c->remote_ip, r), c->remote_port, c->state);
		nconn++;
	}
	if (!nconn)
		viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s", viz_str(lang, VIZ_S_NO_CONNECTIONS));
	const struct viz_source *src = viz_scene_source(s);
	if (src->inspect)
		src->inspect(src->ctx, viz_scene_world(s), host, lang, out);
}

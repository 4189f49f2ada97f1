/* Words for the scene (see describe.h). */
#include "viz/describe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "viz/msgtrack.h"

const char *viz_tcp_flags(uint8_t flags, char *buf, size_t size)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {{TCP_SYN, "SYN"}, {TCP_FIN, "FIN"}, {TCP_RST, "RST"}, {TCP_PSH, "PSH"}, {TCP_ACK, "ACK"}};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & names[i].bit) {
			int w = snprintf(buf + n, size - n, "%s%s", n ? "," : "", names[i].name);
			if (w < 0 || (size_t)w >= size - n)
				break;
			n += (size_t)w;
		}
	if (!n)
		snprintf(buf, size, "-");
	return buf;
}

const char *viz_role_label(enum viz_role role)
{
	static const char *const labels[VIZ_ROLE_COUNT] = {"HOST", "UA", "MTA", "DNS", "MBOX", "R", "SNIFF"};
	return (unsigned)role < VIZ_ROLE_COUNT ? labels[role] : "?";
}

const char *viz_role_name(enum viz_role role, enum viz_lang lang)
{
	return viz_str(lang, (enum viz_str)(VIZ_S_ROLE_HOST + ((unsigned)role < VIZ_ROLE_COUNT ? (int)role : 0)));
}

const char *viz_drop_reason_text(int reason, enum viz_lang lang)
{
	if (reason < 0 || reason >= OBS_DROP_REASON_COUNT)
		return "?";
	return viz_str(lang, (enum viz_str)(VIZ_S_DROP_LOSS + reason));
}

static const char *host_name(const struct viz_scene *s, int host)
{
	return host >= 0 && host < viz_scene_host_count(s) ? viz_scene_host_name(s, host) : "-";
}

void viz_log_format(const struct viz_scene *s, const struct viz_log_entry *e, enum viz_lang lang, char *buf,
		    size_t size)
{
	char tmp[64];
	switch ((enum viz_log_kind)e->kind) {
	case VIZ_LOG_CONN:
		snprintf(buf, size, "%s %s → %s %s", host_name(s, e->host), e->a, e->b, e->text);
		break;
	case VIZ_LOG_LINK:
		snprintf(tmp, sizeof tmp, "%s", viz_scene_link_name(s, e->link));
		snprintf(buf, size, viz_str(lang, e->aux ? VIZ_S_LINK_UP : VIZ_S_LINK_DOWN), tmp);
		break;
	case VIZ_LOG_DROP:
		/* On a link, the link is where it happened; else the host. */
		snprintf(buf, size, "%s %s (%s): %s",
			 e->link >= 0 && e->link < viz_scene_link_count(s) ? viz_scene_link_name(s, e->link)
									  : host_name(s, e->host),
			 viz_str(lang, VIZ_S_DROPPED), viz_drop_reason_text(e->aux, lang), e->text);
		break;
	case VIZ_LOG_RETRANS:
		snprintf(buf, size, "%s %s %s", host_name(s, e->host), viz_str(lang, VIZ_S_RETRANSMIT), e->text);
		break;
	case VIZ_LOG_APP:
		snprintf(buf, size, "%s %s: %s", host_name(s, e->host), e->a, e->text);
		break;
	case VIZ_LOG_LINE:
		snprintf(buf, size, "%s → %s %s %s %s", host_name(s, e->host), host_name(s, e->aux), e->a, e->b, e->text);
		break;
	case VIZ_LOG_MAIL:
		snprintf(buf, size, "%s mail %s %s", host_name(s, e->host), e->a, e->text);
		break;
	default:
		snprintf(buf, size, "?");
	}
}

/* ---- the debug description ---- */

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int w = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (w < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)w < b->cap - b->n) {
			b->n += (size_t)w;
			return;
		}
		size_t ncap = b->cap * 2 + (size_t)w;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static int cmp_flight(const void *a, const void *b)
{
	const struct viz_flight *x = *(const struct viz_flight *const *)a, *y = *(const struct viz_flight *const *)b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->link - y->link;
}

char *viz_scene_describe(const struct viz_scene *s, sim_time t)
{
	struct sbuf b = {malloc(4096), 0, 4096, 0};
	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	char tbuf[32], fl[24], a1[16], a2[16];
	sb_printf(&b, "time %s\n", sim_time_format(t, tbuf, sizeof tbuf));
	for (int h = 0; h < viz_scene_host_count(s); h++) {
		double x, y;
		viz_scene_host_pos(s, h, &x, &y);
		sb_printf(&b, "host %d %s role=%s addr=%s at=%.3f,%.3f%s\n", h, viz_scene_host_name(s, h),
			  viz_role_label(viz_scene_host_role(s, h)), viz_scene_host_addr(s, h), x, y,
			  viz_scene_host_up(s, h) ? "" : " down");
	}
	for (int l = 0; l < viz_scene_link_count(s); l++) {
		int a, bb;
		viz_scene_link_ends(s, l, &a, &bb);
		sb_printf(&b, "link %d %s %s-%s %s\n", l, viz_scene_link_name(s, l), viz_scene_host_name(s, a),
			  viz_scene_host_name(s, bb), viz_scene_link_up(s, l) ? "up" : "down");
	}
	size_t n = viz_scene_flight_count(s), k = 0;
	const struct viz_flight **vis = malloc(sizeof *vis * (n + 1));
	if (!vis) {
		free(b.p);
		return NULL;
	}
	sim_time linger = viz_scene_drop_linger(s);
	for (size_t i = 0; i < n; i++) {
		const struct viz_flight *f = viz_scene_flight(s, i);
		if (viz_flight_visible(f, t, linger))
			vis[k++] = f;
	}
	qsort(vis, k, sizeof *vis, cmp_flight);
	for (size_t i = 0; i < k; i++) {
		const struct viz_flight *f = vis[i];
		ipv4_format(f->src_ip, a1);
		ipv4_format(f->dst_ip, a2);
		if (f->dropped)
			sb_printf(&b, "drop id=%llu link=%d host=%s reason=%s frac=%.3f %s:%u>%s:%u\n",
				  (unsigned long long)f->id, f->link, host_name(s, f->host),
				  obs_drop_reason_name(f->drop_reason), f->drop_frac, a1, f->sport, a2, f->dport);
		else
			sb_printf(&b, "packet id=%llu link=%d dir=%d proto=%s app=%s flags=%s len=%u%s frac=%.3f %s:%u>%s:%u\n",
				  (unsigned long long)f->id, f->link, f->dir, viz_proto_name(f->proto),
				  viz_proto_name(f->app), viz_tcp_flags(f->flags, fl, sizeof fl), f->len,
				  f->retransmit ? " retransmit" : "", viz_flight_frac(f, t), a1, f->sport, a2, f->dport);
	}
	free(vis);
	for (size_t i = 0; i < viz_scene_conn_count(s); i++) {
		const struct viz_conn *c = viz_scene_conn(s, i);
		if (!viz_conn_visible(c, t, linger))
			continue;
		ipv4_format(c->local_ip, a1);
		ipv4_format(c->remote_ip, a2);
		sb_printf(&b, "conn %u %s %s:%u > %s:%u %s\n", c->conn_id, host_name(s, c->host), a1, c->local_port, a2,
			  c->remote_port, c->state);
	}
	const struct viz_msgs *ms = viz_scene_msgs(s);
	for (size_t i = 0; i < viz_msgs_count(ms); i++) {
		const struct viz_msg *g = viz_msgs_get(ms, i);
		if (g->first_seen > t)
			continue;
		sb_printf(&b, "message %zu %s held=", i + 1, g->id[0] ? g->id : "-");
		int any = 0;
		for (size_t j = 0; j < g->ncopies; j++)
			if (viz_msg_copy_held(&g->copies[j], t)) {
				sb_printf(&b, "%s%s", any ? "," : "", host_name(s, g->copies[j].host));
				any = 1;
			}
		sb_printf(&b, "%s\n", any ? "" : "-");
	}
	char line[256];
	for (size_t i = 0; i < viz_scene_log_count(s); i++) {
		const struct viz_log_entry *e = viz_scene_log(s, i);
		viz_log_format(s, e, VIZ_LANG_EN, line, sizeof line);
		sb_printf(&b, "log %s %s\n", sim_time_format(e->time, tbuf, sizeof tbuf), line);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

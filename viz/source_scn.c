/* Scenario-file source (see source_scn.h). */
#include "viz/source_scn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/agents/bridge.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/core/blob.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"
#include "viz/rows.h"

struct scn_src {
	struct viz_source src;
	struct scenario *scn;
	uint64_t seed;
	/* A live source: the caller's world, handed out once, and the bridge
	 * whose real connections run in it. */
	struct scn_world *live;
	int live_built;
	const struct bridge *bridge;
	int gateway;
};

static int scn_build(void *ctx, struct viz_world *w, char *err, size_t errlen)
{
	struct scn_src *s = ctx;
	memset(w, 0, sizeof *w);
	if (s->live) {
		if (s->live_built) {
			snprintf(err, errlen, "a live run cannot be replayed");
			return -1;
		}
		s->live_built = 1;
		w->impl = s->live;
		w->sim = scn_world_sim(s->live);
		w->net = scn_world_net(s->live);
		return 0;
	}
	struct scn_world *sw = scn_world_new(s->scn, s->seed, err, errlen);
	if (!sw)
		return -1;
	w->impl = sw;
	w->sim = scn_world_sim(sw);
	w->net = scn_world_net(sw);
	return 0;
}

static void scn_destroy(void *ctx, struct viz_world *w)
{
	struct scn_src *s = ctx;
	struct scn_world *sw = w->impl;
	if (!s->live) /* the live world is its caller's */
		scn_world_free(&sw);
	memset(w, 0, sizeof *w);
}

static enum viz_role scn_role_of(void *ctx, int host)
{
	struct scn_src *s = ctx;
	if (host < 0 || (size_t)host >= s->scn->host_count)
		return VIZ_ROLE_HOST;
	switch (s->scn->hosts[host].role) {
	case SCN_ROLE_UA:
		return VIZ_ROLE_UA;
	case SCN_ROLE_MTA:
		return VIZ_ROLE_MTA;
	case SCN_ROLE_DNS:
		return VIZ_ROLE_DNS;
	case SCN_ROLE_MAILBOX:
		return VIZ_ROLE_MAILBOX;
	case SCN_ROLE_ROUTER:
		return VIZ_ROLE_ROUTER;
	case SCN_ROLE_SNIFFER:
		return VIZ_ROLE_SNIFFER;
	default:
		return VIZ_ROLE_HOST;
	}
}

static int scn_position(void *ctx, int host, double *x, double *y)
{
	struct scn_src *s = ctx;
	if (host < 0 || (size_t)host >= s->scn->host_count || !s->scn->hosts[host].has_position)
		return 0;
	*x = s->scn->hosts[host].x;
	*y = s->scn->hosts[host].y;
	return 1;
}

static const char *scn_link_name(void *ctx, int link)
{
	struct scn_src *s = ctx;
	return link >= 0 && (size_t)link < s->scn->link_count ? s->scn->links[link].name : NULL;
}

/* ---- the host inspector's view of the scenario's agents ---- */

struct queue_walk {
	struct viz_rows *out;
	sim_time now;
	enum viz_lang lang;
	size_t n;
};

static void queue_row(void *ctx, const char *qid, const char *from, const char *rcpt, sim_time next,
		      const char *last_error)
{
	struct queue_walk *q = ctx;
	char in[48];
	if (next == SIM_TIME_NEVER)
		snprintf(in, sizeof in, "-");
	else if (next <= q->now)
		snprintf(in, sizeof in, "%.3f s (%s)", (double)next / 1e9, q->lang == VIZ_LANG_ES ? "en curso" : "under way");
	else
		snprintf(in, sizeof in, "%.3f s (+%.3f s)", (double)next / 1e9, (double)(next - q->now) / 1e9);
	viz_rows_add(q->out, VIZ_ROW_TEXT, 0, 0, "%s <%s> -> <%s>", qid, from ? from : "", rcpt ? rcpt : "");
	viz_rows_add(q->out, last_error && *last_error ? VIZ_ROW_WARN : VIZ_ROW_SUB, 0, 1, "%s %s%s%s",
		     viz_str(q->lang, VIZ_S_NEXT_ATTEMPT), in, last_error && *last_error ? ": " : "",
		     last_error ? last_error : "");
	q->n++;
}

static void flags_text(const struct ms_user *u, const struct ms_message *msg, char *buf, size_t size)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{MS_SEEN, "\\Seen"},     {MS_ANSWERED, "\\Answered"}, {MS_FLAGGED, "\\Flagged"},
		     {MS_DELETED, "\\Deleted"}, {MS_DRAFT, "\\Draft"},       {MS_RECENT, "\\Recent"}};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0] && n + 1 < size; i++)
		if (msg->flags & names[i].bit)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", names[i].name);
	for (int b = 0; b < MS_MAX_KEYWORDS && n + 1 < size; b++)
		if (msg->keywords & ((uint64_t)1 << b)) {
			const char *k = ms_keyword_name(u, b);
			if (k)
				n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? " " : "", k);
		}
	if (!n)
		snprintf(buf, size, "-");
}

/* The Subject of a stored message, for its row. */
static void stored_subject(const struct ms_message *msg, char *out, size_t size)
{
	out[0] = '\0';
	const char *p = (const char *)blob_data(msg->body);
	size_t len = blob_len(msg->body), i = 0;
	while (i < len) {
		const char *eol = memchr(p + i, '\n', len - i);
		size_t ll = eol ? (size_t)(eol - p) - i : len - i;
		if (ll == 0 || (ll == 1 && p[i] == '\r'))
			return;
		if (ll > 8 && strncasecmp(p + i, "Subject:", 8) == 0) {
			size_t v = 8;
			while (v < ll && p[i + v] == ' ')
				v++;
			size_t vl = ll - v;
			if (vl && p[i + ll - 1] == '\r')
				vl--;
			snprintf(out, size, "%.*s", (int)(vl > 60 ? 60 : vl), p + i + v);
			return;
		}
		i += ll + 1;
	}
}

static void zone_row(void *ctx, const struct dns_rr *rr)
{
	char t[300];
	if (dns_rr_to_text(rr, t, sizeof t) >= 0)
		viz_rows_add(ctx, VIZ_ROW_TEXT, 0, 0, "%s", t);
}

static void scn_inspect(void *ctx, const struct viz_world *w, int host, enum viz_lang lang, struct viz_rows *out)
{
	(void)ctx;
	struct scn_world *sw = w->impl;
	sim_time now = sim_now(w->sim);
	for (size_t i = 0;; i++) {
		struct mta *m = scn_world_mta(sw, i);
		if (!m)
			break;
		if (mta_host(m) != host)
			continue;
		viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s (%s)", viz_str(lang, VIZ_S_MTA_QUEUE), mta_hostname(m));
		struct queue_walk q = {out, now, lang, 0};
		mta_foreach_queued(m, queue_row, &q);
		if (!q.n)
			viz_rows_add(out, VIZ_ROW_SUB, 0, 0, "%s", viz_str(lang, VIZ_S_QUEUE_EMPTY));
		struct mailstore *ms = scn_world_mailstore(sw, i);
		if (!ms || mailstore_user_count(ms) == 0)
			continue;
		viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s", viz_str(lang, VIZ_S_MAILBOXES));
		for (size_t u = 0; u < mailstore_user_count(ms); u++) {
			struct ms_user *user = mailstore_user_at(ms, u);
			viz_rows_add(out, VIZ_ROW_TEXT, 0, 0, "%s%s", ms_user_address(user),
				     ms_user_locked(user) ? " (POP3 lock)" : "");
			for (size_t f = 0; f < ms_folder_count(user); f++) {
				struct ms_folder *fo = ms_folder_at(user, f);
				viz_rows_add(out, VIZ_ROW_SUB, 0, 1, "%s: %zu (UIDVALIDITY %u, UIDNEXT %u)", ms_folder_name(fo),
					     ms_folder_size(fo), ms_folder_uidvalidity(fo), ms_folder_uidnext(fo));
				for (size_t k = 0; k < ms_folder_size(fo); k++) {
					const struct ms_message *msg = ms_folder_message(fo, k);
					char fl[160], subj[64];
					flags_text(user, msg, fl, sizeof fl);
					stored_subject(msg, subj, sizeof subj);
					viz_rows_add(out, VIZ_ROW_TEXT, 0, 2, "UID %u [%s] %s", msg->uid, fl, subj);
				}
			}
		}
	}
	struct dns_server *dns = scn_world_dns_server(sw);
	if (dns && dns_server_host(dns) == host) {
		viz_rows_add(out, VIZ_ROW_SECTION, 0, 0, "%s (%s)", viz_str(lang, VIZ_S_DNS_ZONE),
			     dns_server_mode_name(dns_server_mode(dns)));
		dns_db_foreach(dns_server_db(dns), zone_row, out);
	}
}

static struct viz_source *wrap(struct scenario *scn, int has_seed, uint64_t seed, char *err, size_t errlen)
{
	struct scn_src *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		scenario_free(&scn);
		return NULL;
	}
	s->scn = scn;
	s->seed = has_seed ? seed : scn->seed;
	s->src.build = scn_build;
	s->src.destroy = scn_destroy;
	s->src.role = scn_role_of;
	s->src.position = scn_position;
	s->src.link_name = scn_link_name;
	s->src.inspect = scn_inspect;
	s->src.until = scn->until;
	s->src.title = scn->title && *scn->title ? scn->title : scn->file;
	s->src.ctx = s;
	return &s->src;
}

/* The loader's messages, one a line, as much as err holds. */
static void diag_to(const struct scn_diag *d, char *err, size_t errlen)
{
	size_t n = 0;
	err[0] = '\0';
	for (size_t i = 0; i < scn_diag_kept(d) && n + 1 < errlen; i++) {
		int w = snprintf(err + n, errlen - n, "%s%s", i ? "\n" : "", scn_diag_message(d, i));
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (!err[0])
		snprintf(err, errlen, "cannot load the scenario");
}

struct viz_source *viz_scn_source_open(const char *path, int has_seed, uint64_t seed, char *err, size_t errlen)
{
	struct scn_diag *d = scn_diag_new();
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct scenario *scn = scenario_load_file(path, d);
	if (!scn) {
		diag_to(d, err, errlen);
		scn_diag_free(&d);
		return NULL;
	}
	scn_diag_free(&d);
	return wrap(scn, has_seed, seed, err, errlen);
}

struct viz_source *viz_scn_source_open_text(const char *name, const char *text, size_t len, int has_seed, uint64_t seed,
					    char *err, size_t errlen)
{
	struct scn_diag *d = scn_diag_new();
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct scenario *scn = scenario_load_text(name, text, len, d);
	if (!scn) {
		diag_to(d, err, errlen);
		scn_diag_free(&d);
		return NULL;
	}
	scn_diag_free(&d);
	return wrap(scn, has_seed, seed, err, errlen);
}

static void live_status(void *ctx, int playing, enum viz_lang lang, char *buf, size_t size)
{
	struct scn_src *s = ctx;
	const struct net *net = scn_world_net(s->live);
	snprintf(buf, size, viz_str(lang, playing ? VIZ_S_LIVE : VIZ_S_LIVE_PAUSED), net_host_name(net, s->gateway),
		 (unsigned long long)bridge_stats(s->bridge)->active);
}

struct viz_source *viz_scn_source_live(const struct scenario *scn, struct scn_world *w, const struct bridge *b,
				       int gateway, sim_time until, char *err, size_t errlen)
{
	struct scn_src *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->scn = (struct scenario *)scn; /* not owned: see viz_scn_source_free */
	s->live = w;
	s->bridge = b;
	s->gateway = gateway;
	s->src.build = scn_build;
	s->src.destroy = scn_destroy;
	s->src.role = scn_role_of;
	s->src.position = scn_position;
	s->src.link_name = scn_link_name;
	s->src.inspect = scn_inspect;
	s->src.until = until;
	s->src.title = scn->title && *scn->title ? scn->title : scn->file;
	s->src.live = 1;
	s->src.status = live_status;
	s->src.ctx = s;
	return &s->src;
}

void viz_scn_source_free(struct viz_source **srcp)
{
	if (!srcp || !*srcp)
		return;
	struct scn_src *s = (struct scn_src *)*srcp;
	if (!s->live)
		scenario_free(&s->scn);
	free(s);
	*srcp = NULL;
}

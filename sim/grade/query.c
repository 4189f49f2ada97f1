/* Computed answers: each query reads the recorded run (and the run's
 * scenario, for DNS data) and returns the right answer as JSON. See
 * query.h for the list. */
#include "sim/grade/query.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/grade/check.h"
#include "sim/grade/obs.h"
#include "sim/scenario/check.h"
#include "sim/scenario/scenario.h"

static const char *const query_names[GRADE_Q_COUNT + 1] = {
	"received_hosts", "first_mx", "mx_order", "data_segments", "hops", "delivered_count", "bounced_count", NULL,
};

static const struct scn_key mailbox_keys[] = {
	{"query", SCN_STRING, 1, "the query's name"},
	{"mailbox", SCN_STRING, 1, "the address of the mailbox"},
	{"folder", SCN_STRING, 0, "the folder (default INBOX)"},
	{"match", SCN_OBJECT, 0, "which message"},
	{"index", SCN_NUMBER, 0, "which of the matching messages (default 0)"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key domain_keys[] = {
	{"query", SCN_STRING, 1, "the query's name"},
	{"domain", SCN_STRING, 1, "a mail domain such as \"gil.com.ar\""},
	{NULL, 0, 0, NULL},
};
static const struct scn_key session_keys[] = {
	{"query", SCN_STRING, 1, "the query's name"},
	{"from", SCN_STRING, 1, "the client's host"},
	{"to", SCN_STRING, 1, "the server's host"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key count_keys[] = {
	{"query", SCN_STRING, 1, "the query's name"},
	{"mailbox", SCN_STRING, 0, "only messages delivered to this address"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key bare_keys[] = {
	{"query", SCN_STRING, 1, "the query's name"},
	{NULL, 0, 0, NULL},
};

int grade_query_validate(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	if (!cJSON_IsObject(c))
		return -1;
	int q = -1;
	const char *name = scn_get_string(c, "query");
	if (!name) {
		scn_error_key(ctx, "query", 0, "is missing (expected one of received_hosts, first_mx, mx_order, data_segments, hops, delivered_count, bounced_count)");
		return -1;
	}
	if (scn_parse_enum(ctx, c, "query", query_names, &q) != 0)
		return -1;
	const struct scn_key *keys = bare_keys;
	switch (q) {
	case GRADE_Q_RECEIVED_HOSTS:
	case GRADE_Q_HOPS:
		keys = mailbox_keys;
		break;
	case GRADE_Q_FIRST_MX:
	case GRADE_Q_MX_ORDER:
		keys = domain_keys;
		break;
	case GRADE_Q_DATA_SEGMENTS:
		keys = session_keys;
		break;
	case GRADE_Q_DELIVERED_COUNT:
		keys = count_keys;
		break;
	default:
		break;
	}
	if (scn_check_keys(ctx, c, keys))
		return -1;
	int before = ctx->errors;
	if (keys == mailbox_keys) {
		grade_validate_mailbox(ctx, ex, c);
		grade_validate_match(ctx, c);
	} else if (keys == session_keys) {
		grade_validate_host(ctx, ex, c, "from");
		grade_validate_host(ctx, ex, c, "to");
	}
	return ctx->errors == before ? q : -1;
}

cJSON *grade_received_hosts(const char *text, size_t len)
{
	cJSON *out = cJSON_CreateArray();
	size_t pos = 0;
	struct hdr_field f;
	/* Each hop adds its field on top: the header lists them newest
	 * first, so travel order is the reverse. */
	while (out && hdr_next(text, len, &pos, &f, NULL) > 0) {
		if (!hdr_name_is(&f, "Received"))
			continue;
		struct msg_received r = {0};
		const char *by = "?";
		if (msg_received_parse(f.value, f.value_len, &r) == 0 && r.by)
			by = r.by;
		cJSON *s = cJSON_CreateString(by);
		if (s)
			cJSON_InsertItemInArray(out, 0, s);
		msg_received_clear(&r);
	}
	return out;
}

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The MX targets of domain in the run's scenario, most preferred first
 * (ties in the zone's order), into names (up to max). */
static size_t mx_targets(const struct scenario *s, const char *domain, const char **names, int *prefs, size_t max)
{
	size_t n = 0;
	for (size_t z = 0; z < s->dns.zone_count; z++) {
		const struct scn_dns_zone *zone = &s->dns.zones[z];
		for (size_t r = 0; r < zone->record_count && n < max; r++) {
			const struct scn_dns_record *rec = &zone->records[r];
			if (strcasecmp(rec->type, "MX"))
				continue;
			char full[512];
			size_t nl = strlen(rec->name);
			if (nl && rec->name[nl - 1] == '.')
				snprintf(full, sizeof full, "%.*s", (int)(nl - 1), rec->name);
			else
				snprintf(full, sizeof full, "%s", rec->name);
			if (strcasecmp(full, domain))
				continue;
			int pref = atoi(rec->value);
			const char *target = rec->value + strspn(rec->value, "0123456789 ");
			size_t k = n;
			while (k > 0 && prefs[k - 1] > pref) {
				names[k] = names[k - 1];
				prefs[k] = prefs[k - 1];
				k--;
			}
			names[k] = target;
			prefs[k] = pref;
			n++;
		}
	}
	return n;
}

static int name_eq(const char *a, const char *b)
{
	size_t an = strlen(a), bn = strlen(b);
	if (an && a[an - 1] == '.')
		an--;
	if (bn && b[bn - 1] == '.')
		bn--;
	return an == bn && strncasecmp(a, b, an) == 0;
}

static cJSON *first_mx(struct grade_obs *o, const char *domain, char *why, size_t wl)
{
	const char *names[64];
	int prefs[64];
	size_t n = mx_targets(o->s, domain, names, prefs, 64);
	/* The first connection to port 25 of a host that is one of the
	 * domain's MX (or the domain itself: the implicit MX). */
	for (size_t i = 0; i < o->connect_count; i++) {
		const struct grade_connect *c = &o->connects[i];
		if (c->remote_port != 25)
			continue;
		int h = grade_obs_host_by_ip(o, c->remote_ip);
		if (h < 0 || !o->s->fqdns || !o->s->fqdns[h])
			continue;
		const char *fq = o->s->fqdns[h];
		int is_mx = name_eq(fq, domain);
		for (size_t k = 0; k < n && !is_mx; k++)
			is_mx = name_eq(fq, names[k]);
		if (is_mx)
			return cJSON_CreateString(fq);
	}
	snprintf(why, wl, o->lang == EXPLAIN_ES ? "ningún MTA se conectó a un MX de %s" : "no MTA connected to an MX of %s",
		 domain);
	return NULL;
}

static cJSON *data_segments(struct grade_obs *o, const cJSON *c, char *why, size_t wl)
{
	int from = scenario_host_by_name(o->s, str(c, "from")), to = scenario_host_by_name(o->s, str(c, "to"));
	for (size_t si = 0; si < o->session_count; si++) {
		struct grade_session *s = &o->sessions[si];
		if (s->client != from || s->server != to)
			continue;
		sim_time start = -1, end = -1;
		for (size_t k = 0; k < s->count; k++) {
			const struct grade_line *l = grade_obs_line(o, s, k);
			if (l->from_client)
				continue;
			if (start < 0 && !strncmp(l->text, "354", 3))
				start = l->t;
			else if (start >= 0 && l->t > start && l->text[0] >= '2' && l->text[0] <= '5' &&
				 (l->text[3] == ' ' || l->text[3] == 0)) {
				end = l->t;
				break;
			}
		}
		if (start < 0 || end < 0)
			continue;
		/* The connection's ports tell its segments from others
		 * between the same hosts. */
		const struct grade_connect *cn = NULL;
		for (size_t i = 0; i < o->connect_count && !cn; i++)
			if (o->connects[i].conn_id == s->conn_id)
				cn = &o->connects[i];
		long count = 0;
		for (size_t i = 0; i < o->seg_count; i++) {
			const struct grade_segment *g = &o->segs[i];
			if (g->host != from || g->t < start || g->t > end || grade_obs_host_by_ip(o, g->dst_ip) != to)
				continue;
			if (cn && (g->src_port != cn->local_port || g->dst_port != cn->remote_port))
				continue;
			count++;
		}
		return cJSON_CreateNumber((double)count);
	}
	snprintf(why, wl, o->lang == EXPLAIN_ES ? "ninguna sesión de %s a %s llegó al final de DATA"
						: "no session from %s to %s got to the end of DATA",
		 str(c, "from"), str(c, "to"));
	return NULL;
}

cJSON *grade_query_compute(const struct grade_question *q, struct grade_obs *o, char *why, size_t wl)
{
	const cJSON *c = q->compute;
	why[0] = 0;
	switch (q->query) {
	case GRADE_Q_RECEIVED_HOSTS:
	case GRADE_Q_HOPS: {
		struct buf b;
		buf_init(&b, 1024);
		const struct ms_message *m = grade_find_message(o, c, &b);
		if (!m) {
			snprintf(why, wl, "%s", b.data ? b.data : "");
			buf_free(&b);
			return NULL;
		}
		buf_free(&b);
		cJSON *hosts = grade_received_hosts((const char *)blob_data(m->body), blob_len(m->body));
		if (q->query == GRADE_Q_RECEIVED_HOSTS || !hosts)
			return hosts;
		int n = cJSON_GetArraySize(hosts);
		cJSON_Delete(hosts);
		return cJSON_CreateNumber(n);
	}
	case GRADE_Q_FIRST_MX:
		return first_mx(o, str(c, "domain"), why, wl);
	case GRADE_Q_MX_ORDER: {
		const char *names[64];
		int prefs[64];
		size_t n = mx_targets(o->s, str(c, "domain"), names, prefs, 64);
		if (!n) {
			snprintf(why, wl, o->lang == EXPLAIN_ES ? "%s no tiene registros MX" : "%s has no MX records",
				 str(c, "domain"));
			return NULL;
		}
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; a && i < n; i++) {
			char t[256];
			snprintf(t, sizeof t, "%s", names[i]);
			size_t tl = strlen(t);
			if (tl && t[tl - 1] == '.')
				t[tl - 1] = 0;
			cJSON_AddItemToArray(a, cJSON_CreateString(t));
		}
		return a;
	}
	case GRADE_Q_DATA_SEGMENTS:
		return data_segments(o, c, why, wl);
	case GRADE_Q_DELIVERED_COUNT:
	case GRADE_Q_BOUNCED_COUNT: {
		const char *mb = str(c, "mailbox");
		enum obs_mail_event ev = q->query == GRADE_Q_DELIVERED_COUNT ? OBS_MAIL_DELIVERED : OBS_MAIL_BOUNCED;
		long n = 0;
		for (size_t i = 0; i < o->mail_count; i++)
			if (o->mail[i].ev == ev && (!mb || !strcasecmp(o->mail[i].rcpt, mb)))
				n++;
		return cJSON_CreateNumber((double)n);
	}
	default:
		snprintf(why, wl, "unknown query");
		return NULL;
	}
}

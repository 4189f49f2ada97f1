/* The stepper's host state view; see step_state.h. Reads the agents'
 * public walking APIs only (mta_foreach_queued, the mailstore, the zone
 * database): a view, never a change. */
#include "sim/cli/step_state.h"

#include <string.h>

#include "protocols/buf.h"
#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "protocols/header.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/core/blob.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define L(en, es) (lang == EXPLAIN_ES ? (es) : (en))

struct queue_ctx {
	FILE *out;
	size_t n;
	enum explain_lang lang;
};

static void on_queued(void *ctx, const char *qid, const char *from, const char *rcpt, sim_time next,
		      const char *last_error)
{
	struct queue_ctx *q = ctx;
	enum explain_lang lang = q->lang;
	char when[40];
	fprintf(q->out, "    %s <%s> -> %s, %s %s s", qid, from, rcpt, L("next attempt at", "próximo intento a los"),
		sim_time_format(next, when, sizeof when));
	if (last_error && *last_error)
		fprintf(q->out, " (%s)", last_error);
	fputc('\n', q->out);
	q->n++;
}

static void put_flags(FILE *out, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{MS_SEEN, "\\Seen"},       {MS_ANSWERED, "\\Answered"}, {MS_FLAGGED, "\\Flagged"},
		     {MS_DELETED, "\\Deleted"}, {MS_DRAFT, "\\Draft"},       {MS_RECENT, "\\Recent"}};
	int any = 0;
	fputc('(', out);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (flags & names[i].bit) {
			fprintf(out, "%s%s", any ? " " : "", names[i].name);
			any = 1;
		}
	}
	fputc(')', out);
}

static int put_subject(FILE *out, const struct ms_message *m)
{
	const char *text = (const char *)blob_data(m->body);
	struct hdr_field f;
	if (!hdr_find(text, blob_len(m->body), "Subject", 0, &f)) {
		fputs("(no Subject)", out);
		return 0;
	}
	struct buf b;
	buf_init(&b, 4096);
	unsigned defects = 0;
	int rc = hdr_decode(&b, f.value, f.value_len, &defects);
	if (rc == 0)
		fprintf(out, "Subject: %.*s", (int)b.len, (const char *)b.data);
	buf_free(&b);
	return rc == 0 ? 0 : -1;
}

static int print_store(FILE *out, const struct mailstore *ms, enum explain_lang lang)
{
	int rc = 0;
	for (size_t u = 0; u < mailstore_user_count(ms); u++) {
		struct ms_user *user = mailstore_user_at(ms, u);
		fprintf(out, "  %s %s%s\n", L("mailbox", "casilla"), ms_user_address(user),
			ms_user_locked(user) ? L(" (locked by a POP3 session)", " (bloqueada por una sesión POP3)") : "");
		for (size_t i = 0; i < ms_folder_count(user); i++) {
			struct ms_folder *f = ms_folder_at(user, i);
			size_t n = ms_folder_size(f);
			fprintf(out, "    %s: %zu %s, %llu bytes, UIDVALIDITY %u, UIDNEXT %u\n", ms_folder_name(f), n,
				n == 1 ? L("message", "mensaje") : L("messages", "mensajes"),
				(unsigned long long)ms_folder_bytes(f), ms_folder_uidvalidity(f), ms_folder_uidnext(f));
			for (size_t k = 0; k < n; k++) {
				const struct ms_message *m = ms_folder_message(f, k);
				fprintf(out, "      %zu UID %u ", k + 1, m->uid);
				put_flags(out, m->flags);
				fprintf(out, " %zu bytes ", blob_len(m->body));
				if (put_subject(out, m) < 0)
					rc = -1;
				fputc('\n', out);
			}
		}
	}
	return rc;
}

static void on_rr(void *ctx, const struct dns_rr *rr)
{
	FILE *out = ctx;
	char text[2 * DNS_NAME_TEXT_MAX];
	if (dns_rr_to_text(rr, text, sizeof text) < 0)
		snprintf(text, sizeof text, "(a record too long to show)");
	fprintf(out, "    %s\n", text);
}

int step_state_print(FILE *out, struct scn_world *w, int host, enum explain_lang lang)
{
	const struct scenario *s = scn_world_scenario(w);
	int rc = 0, shown = 0;
	fprintf(out, "--- %s (%s)", s->hosts[host].name, scn_role_name(s->hosts[host].role));
	if (s->fqdns && s->fqdns[host])
		fprintf(out, " %s", s->fqdns[host]);
	fputs(" ---\n", out);
	for (size_t i = 0; i < s->mta_count; i++) {
		if (s->mtas[i].host != host)
			continue;
		struct mta *m = scn_world_mta(w, i);
		const struct mta_stats *st = mta_stats(m);
		fprintf(out, "  MTA %s: %llu %s, %llu %s, %llu %s, %llu %s\n", mta_hostname(m),
			(unsigned long long)st->accepted, L("accepted", "aceptados"), (unsigned long long)st->relayed,
			L("relayed", "reenviados"), (unsigned long long)st->delivered, L("delivered", "entregados"),
			(unsigned long long)st->bounced, L("bounced", "rebotados"));
		struct queue_ctx q = {out, 0, lang};
		fprintf(out, "  %s:\n", L("queue", "cola"));
		mta_foreach_queued(m, on_queued, &q);
		if (!q.n)
			fprintf(out, "    %s\n", L("(empty)", "(vacía)"));
		struct mailstore *ms = scn_world_mailstore(w, i);
		if (ms && mailstore_user_count(ms) && print_store(out, ms, lang) < 0)
			rc = -1;
		shown = 1;
	}
	struct dns_server *dns = scn_world_dns_server(w);
	if (dns && dns_server_host(dns) == host) {
		fprintf(out, "  %s (%s):\n", L("DNS zone data", "datos de las zonas DNS"),
			dns_server_mode_name(dns_server_mode(dns)));
		dns_db_foreach(dns_server_db(dns), on_rr, out);
		shown = 1;
	}
	if (!shown)
		fprintf(out, "  %s\n", L("(no MTA, mailbox or DNS server on this host)",
					 "(no hay MTA, casillas ni servidor DNS en este host)"));
	return rc;
}

void step_state_hosts(FILE *out, struct scn_world *w, enum explain_lang lang)
{
	const struct scenario *s = scn_world_scenario(w);
	fprintf(out, "%s:\n", L("hosts", "hosts"));
	for (size_t h = 0; h < s->host_count; h++) {
		fprintf(out, "  %-16s %-8s", s->hosts[h].name, scn_role_name(s->hosts[h].role));
		if (s->fqdns && s->fqdns[h])
			fprintf(out, " %s", s->fqdns[h]);
		fputc('\n', out);
	}
}

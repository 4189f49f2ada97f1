/* The MTA and the UA's sending side over a simulated network: Juan's mail
 * to María crosses three MTAs (a route to the gateway, then MX lookups),
 * each adding a Received field; the Bcc rule; an unknown user bounces with
 * an RFC 3464 report back to Juan; relay is refused to outsiders; a dead
 * primary MX makes the mail go to the backup; and nothing leaks. */
#include <stdlib.h>

#include "harness.h"
#include "mail_world.h"
#include "protocols/compose.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/dns_server.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta.h"
#include "sim/agents/ua.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "sim/net/tcp.h"
#include "sim/net/udp.h"
#include "protocols/dns_zone.h"

static const struct ms_message *inbox_message(struct mailstore *ms, const char *user, size_t i)
{
	struct ms_user *u = mailstore_find_user(ms, user);
	struct ms_folder *f = u ? ms_folder_find(u, "INBOX") : NULL;
	return f ? ms_folder_message(f, i) : NULL;
}

static size_t inbox_size(struct mailstore *ms, const char *user)
{
	struct ms_user *u = mailstore_find_user(ms, user);
	return u ? ms_folder_size(ms_folder_find(u, "INBOX")) : 0;
}

/* Whether the index-th Received field of m, unfolded, contains needle. */
static int received_has(const struct ms_message *m, int index, const char *needle)
{
	struct hdr_field f;
	if (!hdr_find((const char *)blob_data(m->body), blob_len(m->body), "Received", index, &f))
		return 0;
	struct buf ub;
	buf_init(&ub, 4096);
	hdr_unfold(&ub, f.value, f.value_len);
	buf_putc(&ub, 0);
	int found = strstr(ub.data, needle) != NULL;
	buf_free(&ub);
	return found;
}

static void test_three_hops(void)
{
	long blobs = blob_live_count();
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	REQUIRE(w->mta1 && w->gw && w->mx && w->ua);
	REQUIRE(send_draft(w, "María <maria@dominio.de.maria>", "pepe@gmail.com") >= 0);
	sim_run(w->env.sim);
	CHECK_EQ_INT(w->reports, 1);
	CHECK_EQ_INT(w->last.outcome, UA_SENT);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 1);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "pepe@gmail.com"), 1); /* the Bcc recipient */
	const struct ms_message *m = inbox_message(w->maria_store, "maria@dominio.de.maria", 0);
	REQUIRE(m != NULL);
	const char *text = (const char *)blob_data(m->body);
	size_t len = blob_len(m->body);
	/* Return-Path on top, then three Received fields, newest first. */
	struct hdr_field f;
	CHECK(hdr_find(text, len, "Return-Path", 0, &f) && strstr(f.value, "<juan@gmail.com>") != NULL);
	const char *by[3] = {"by mx.dominio.de.maria", "by gw.relay.net", "by smtp.gmail.com"};
	const char *from[3] = {"from gw.relay.net (gw.relay.net", "from smtp.gmail.com (smtp.gmail.com",
			       "from laptop.juan.gmail.com (laptop.juan.gmail.com"};
	for (int i = 0; i < 3; i++) {
		REQUIRE(hdr_find(text, len, "Received", i, &f));
		struct buf ub;
		buf_init(&ub, 4096);
		hdr_unfold(&ub, f.value, f.value_len);
		char v[600];
		snprintf(v, sizeof v, "%.*s", (int)ub.len, ub.data);
		buf_free(&ub);
		CHECK(strstr(v, by[i]) != NULL);
		CHECK(strstr(v, from[i]) != NULL);
		if (!strstr(v, by[i]) || !strstr(v, from[i]))
			fprintf(stderr, "Received %d: %s\n", i, v);
	}
	CHECK(!hdr_find(text, len, "Received", 3, &f));
	CHECK(!hdr_find(text, len, "Bcc", 0, &f)); /* the Bcc rule */
	/* Juan's Sent copy keeps the Bcc. */
	struct ms_user *juan = mailstore_find_user(ua_local_store(w->ua), "juan@gmail.com");
	const struct ms_message *sent = ms_folder_message(ms_folder_find(juan, "Sent"), 0);
	REQUIRE(sent != NULL);
	CHECK(hdr_find((const char *)blob_data(sent->body), blob_len(sent->body), "Bcc", 0, &f));
	/* The path, as the bus saw it. */
	CHECK(strstr(w->log, "mta1:accepted:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mta1:relayed:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "gw:relayed:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mx:delivered:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mta1:delivered:pepe@gmail.com\n") != NULL);
	CHECK_EQ_INT(mta_stats(w->mta1)->queued + mta_stats(w->gw)->queued + mta_stats(w->mx)->queued, 0);
	world_free(w);
	free(w);
	CHECK_EQ_INT(blob_live_count(), blobs);
	CHECK_EQ_INT(packet_live_count(), 0);
}

static void test_unknown_user_bounces(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	REQUIRE(send_draft(w, "nadie@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	/* mta1 accepted it (it cannot know); the gateway got 550 from the MX
	 * and sent a delivery status notification back to Juan. */
	CHECK_EQ_INT(w->last.outcome, UA_SENT);
	CHECK(strstr(w->log, "gw:bounced:nadie@dominio.de.maria\n") != NULL);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "juan@gmail.com"), 1);
	const struct ms_message *m = inbox_message(w->gmail_store, "juan@gmail.com", 0);
	REQUIRE(m != NULL);
	const char *text = (const char *)blob_data(m->body);
	size_t len = blob_len(m->body);
	struct hdr_field f;
	CHECK(hdr_find(text, len, "Content-Type", 0, &f) && strstr(f.value, "multipart/report") != NULL);
	CHECK(strstr(text, "Final-Recipient: rfc822; nadie@dominio.de.maria") != NULL);
	CHECK(strstr(text, "Status: 5.1.1") != NULL);
	CHECK(hdr_find(text, len, "Return-Path", 0, &f) && strstr(f.value, "<>") != NULL);
	world_free(w);
	free(w);
}

static void test_relay_denied_and_backup_mx(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	/* The outsider tries to relay through mta1: refused. */
	struct ua_config uc = {.address = "spammer@spam.example", .helo_name = "outsider", .submit_ip = w->ip[MTA1],
			       .submit_port = 25, .use_ehlo = 1};
	struct ua *spam = ua_new(&w->env, w->host[OUTSIDER], &uc, on_report, w);
	struct msg_draft d = {.from = "spammer@spam.example", .to = "victim@dominio.de.maria", .subject = "buy",
			      .text = "buy now\n"};
	char err[100];
	REQUIRE(ua_send(spam, &d, err, sizeof err) >= 0);
	/* The primary MX is down: the gateway falls back to mx2, which
	 * relays to the primary once it is back. */
	net_link_set_up(w->env.net, w->link[MX], 0);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run_until(w->env.sim, 90 * SIM_S);
	CHECK(strstr(w->log, "gw:relayed:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mx2:queued:maria@dominio.de.maria\n") != NULL);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 0);
	net_link_set_up(w->env.net, w->link[MX], 1);
	sim_run_until(w->env.sim, 3600 * SIM_S);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 1);
	const struct ms_message *m = inbox_message(w->maria_store, "maria@dominio.de.maria", 0);
	struct hdr_field f;
	REQUIRE(m != NULL);
	/* One more hop: four Received fields, the backup's among them. */
	CHECK(hdr_find((const char *)blob_data(m->body), blob_len(m->body), "Received", 3, &f));
	CHECK(received_has(m, 1, "by mx2.dominio.de.maria (mailsim)"));
	CHECK(received_has(m, 0, "from mx2.dominio.de.maria (mx2.dominio.de.maria"));
	CHECK(strstr(w->log, "mx2:deferred:maria@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mta1:accepted:victim@dominio.de.maria") == NULL);
	CHECK_EQ_INT(mta_stats(w->mta1)->refused_rcpts, 1);
	ua_free(&spam);
	world_free(w);
	free(w);
}

int main(void)
{
	RUN(test_three_hops);
	RUN(test_unknown_user_bounces);
	RUN(test_relay_denied_and_backup_mx);
	return harness_done();
}

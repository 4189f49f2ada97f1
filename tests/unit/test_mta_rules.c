/* Users' rules carried out by the MTA (mta_rules.c) in the shared mail
 * world: a remote forward with the original envelope sender, a local
 * forwarding loop bounced as 5.4.6, and a host crash that loses the
 * sessions but neither the mailstore nor the vacation memory; the ledger
 * balances each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mail_world.h"
#include "protocols/buf.h"
#include "protocols/header.h"
#include "sim/agents/mail_rules.h"
#include "sim/core/blob.h"
#include "sim/observe/ledger.h"

static size_t inbox_size(struct mailstore *ms, const char *user)
{
	struct ms_user *u = mailstore_find_user(ms, user);
	return u ? ms_folder_size(ms_folder_find(u, "INBOX")) : 0;
}

static int field_is(const struct ms_message *m, const char *name, const char *value)
{
	struct hdr_field f;
	if (!m || !hdr_find((const char *)blob_data(m->body), blob_len(m->body), name, 0, &f))
		return 0;
	struct buf b;
	buf_init(&b, 256);
	hdr_unfold(&b, f.value, f.value_len);
	int same = b.len == strlen(value) && memcmp(b.data, value, b.len) == 0;
	buf_free(&b);
	return same;
}

static const struct ms_message *inbox_message(struct mailstore *ms, const char *user, size_t i)
{
	struct ms_user *u = mailstore_find_user(ms, user);
	return u ? ms_folder_message(ms_folder_find(u, "INBOX"), i) : NULL;
}

/* The mail world with mx's users given rules: mx restarted with them. */
static void with_rules(struct world *w, struct mail_rules *rules)
{
	static const char *maria_domains[] = {"dominio.de.maria"};
	mta_free(&w->mx);
	struct mta_config c;
	mta_config_default(&c, "mx.dominio.de.maria");
	c.local_domains = maria_domains;
	c.n_local_domains = 1;
	c.store = w->maria_store;
	c.dns_server = w->ip[DNS];
	c.rules = rules;
	w->mx = mta_new(&w->env, w->host[MX], &c);
}

static int balanced(struct world *w, struct obs_ledger *l)
{
	struct mta *all[] = {w->mta1, w->gw, w->mx, w->mx2};
	for (size_t i = 0; i < 4; i++)
		obs_ledger_declare_mta(l, all[i]);
	int ok = obs_ledger_balanced(l);
	if (!ok)
		obs_ledger_print(l, stderr);
	return ok;
}

static void test_forward_remote(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	struct mr_rules *r = mr_rules_new();
	r->forward = calloc(1, sizeof(char *));
	r->forward[0] = strdup("pepe@gmail.com");
	r->nforward = 1;
	r->forward_keep = 1;
	struct mail_rules *rules = mail_rules_new();
	mail_rules_set(rules, "maria@dominio.de.maria", r);
	with_rules(w, rules);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 1);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "pepe@gmail.com"), 1);
	const struct ms_message *m = inbox_message(w->gmail_store, "pepe@gmail.com", 0);
	CHECK(field_is(m, "Return-Path", "<juan@gmail.com>")); /* the original envelope sender */
	CHECK(field_is(m, "Delivered-To", "maria@dominio.de.maria"));
	CHECK(strstr(w->log, "mx:accepted:pepe@gmail.com\n") != NULL); /* a new queue entry */
	CHECK(strstr(w->log, "mx:relayed:pepe@gmail.com\n") != NULL);
	CHECK(balanced(w, l));
	obs_ledger_close(&l);
	world_free(w);
	free(w);
	mail_rules_free(&rules);
	mr_rules_free(&r);
}

static void test_forward_loop_bounces(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	mailstore_add_user(w->maria_store, "ana@dominio.de.maria", "x");
	mailstore_add_user(w->maria_store, "bob@dominio.de.maria", "x");
	struct mr_rules *ra = mr_rules_new(), *rb = mr_rules_new();
	ra->forward = calloc(1, sizeof(char *));
	ra->forward[0] = strdup("bob@dominio.de.maria");
	ra->nforward = 1;
	rb->forward = calloc(1, sizeof(char *));
	rb->forward[0] = strdup("ana@dominio.de.maria");
	rb->nforward = 1;
	struct mail_rules *rules = mail_rules_new();
	mail_rules_set(rules, "ana@dominio.de.maria", ra);
	mail_rules_set(rules, "bob@dominio.de.maria", rb);
	with_rules(w, rules);
	REQUIRE(send_draft(w, "ana@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	/* ana -> bob -> ana: the second arrival at ana carries Delivered-To:
	 * ana and bounces; nothing is stored, nothing loops. */
	CHECK_EQ_INT(inbox_size(w->maria_store, "ana@dominio.de.maria"), 0);
	CHECK_EQ_INT(inbox_size(w->maria_store, "bob@dominio.de.maria"), 0);
	CHECK(strstr(w->log, "mx:forwarded:ana@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mx:forwarded:bob@dominio.de.maria\n") != NULL);
	CHECK(strstr(w->log, "mx:bounced:ana@dominio.de.maria\n") != NULL);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "juan@gmail.com"), 1); /* the DSN */
	const struct ms_message *dsn = inbox_message(w->gmail_store, "juan@gmail.com", 0);
	REQUIRE(dsn != NULL);
	CHECK(strstr((const char *)blob_data(dsn->body), "Status: 5.4.6") != NULL);
	CHECK(balanced(w, l));
	obs_ledger_close(&l);
	world_free(w);
	free(w);
	mail_rules_free(&rules);
	mr_rules_free(&ra);
	mr_rules_free(&rb);
}

static void test_crash_keeps_store_and_memory(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	struct mr_rules *r = mr_rules_new();
	r->vacation_text = strdup("De vacaciones.\n");
	r->vacation_period = 7 * 24 * 3600 * SIM_S;
	struct mail_rules *rules = mail_rules_new();
	mail_rules_set(rules, "maria@dominio.de.maria", r);
	with_rules(w, rules);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 1);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "juan@gmail.com"), 1); /* the vacation reply */
	CHECK(field_is(inbox_message(w->gmail_store, "juan@gmail.com", 0), "Auto-Submitted", "auto-replied"));
	CHECK(field_is(inbox_message(w->gmail_store, "juan@gmail.com", 0), "Return-Path", "<>"));
	/* The mailbox host crashes and comes back: sessions are gone, the
	 * disk (store and vacation memory, owned outside the MTA) is not. */
	tcp_host_reset(w->env.tcp, w->host[MX]);
	mta_crash(w->mx);
	mta_restart(w->mx);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	CHECK_EQ_INT(inbox_size(w->maria_store, "maria@dominio.de.maria"), 2);
	CHECK_EQ_INT(inbox_size(w->gmail_store, "juan@gmail.com"), 1); /* still one reply */
	CHECK(balanced(w, l));
	obs_ledger_close(&l);
	world_free(w);
	free(w);
	mail_rules_free(&rules);
	mr_rules_free(&r);
}

int main(void)
{
	RUN(test_forward_remote);
	RUN(test_forward_loop_bounces);
	RUN(test_crash_keeps_store_and_memory);
	return harness_done();
}

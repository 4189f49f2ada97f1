/* The mail ledger: synthetic records give exactly the expected text for a
 * balanced run, for a recipient still queued (balanced only when the MTA's
 * declared queue agrees: lost when the queue is empty, unverified when it
 * is not declared, a mismatch when the queue holds what the ledger saw
 * end), for records that break the rules (an end without acceptance, two
 * ends) and for a duplicate delivery (the RFC 1047 case, which is reported
 * but does not unbalance); the JSON form. Then whole runs over the world of
 * test_mta.c: three hops, a bounce, a backup MX holding the mail, a bounce
 * that cannot be bounced, and a reply to the final "." lost on the wire
 * (the real RFC 1047 duplicate). */
#include <cjson/cJSON.h>

#include "harness.h"
#include "mail_world.h"
#include "observe_fixture.h"
#include "sim/observe/ledger.h"

#define M1 "<m1@gmail.com>"

static char *print_ledger(struct obs_ledger *l)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	int rc = obs_ledger_print(l, out);
	fclose(out);
	if (rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Juan's message: pepe delivered at the mta, maria relayed to the server
 * and delivered there (or left for the caller to end). */
static void juan_sends(struct fixture *f, int maria_ends)
{
	fixture_mail(f, 1, HOST_LAPTOP, OBS_MAIL_SUBMITTED, NULL, M1, "juan@gmail.com", NULL, "250 Ok");
	fixture_mail(f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", M1, "juan@gmail.com", "pepe@gmail.com", NULL);
	fixture_mail(f, 1, HOST_MTA, OBS_MAIL_HEADER, "Q1", M1, "juan@gmail.com", NULL, "Received: by mta");
	fixture_mail(f, 1, HOST_MTA, OBS_MAIL_DELIVERED, "Q1", M1, "juan@gmail.com", "pepe@gmail.com", "INBOX");
	fixture_mail(f, 1, HOST_MTA, OBS_MAIL_QUEUED, "Q1", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "dominio.de.maria");
	fixture_mail(f, 2, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q2", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(f, 2, HOST_MTA, OBS_MAIL_RELAYED, "Q1", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "to server [10.0.1.2]: 250 Ok");
	if (maria_ends)
		fixture_mail(f, 2, HOST_SERVER, OBS_MAIL_DELIVERED, "Q2", M1, "juan@gmail.com", "maria@dominio.de.maria",
			     "INBOX");
	else
		fixture_mail(f, 3, HOST_SERVER, OBS_MAIL_DEFERRED, "Q2", M1, "juan@gmail.com",
			     "maria@dominio.de.maria", "retry at 60.000000000s: 452 4.2.2 Mailbox full");
}

static void test_balanced(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 1);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	char *text = print_ledger(l);
	CHECK_STR(text, "ledger: accepted 3 = delivered 2 + relayed 1 + bounced 0 + discarded 0 + queued 0: balanced\n"
			"message <m1@gmail.com> from <juan@gmail.com>: delivered\n"
			"  maria@dominio.de.maria: delivered at server Q2 (INBOX); path laptop > mta > server\n"
			"  pepe@gmail.com: delivered at mta Q1 (INBOX); path laptop > mta\n");
	free(text);
	CHECK(obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 0);
	obs_ledger_close(&l);
	CHECK(l == NULL);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

static const char queued_head[] =
    "ledger: accepted 3 = delivered 1 + relayed 1 + bounced 0 + discarded 0 + queued 1: ";
static const char queued_tail[] =
    "message <m1@gmail.com> from <juan@gmail.com>: mixed\n"
    "  maria@dominio.de.maria: queued at server Q2: retry at 60.000000000s: 452 4.2.2 Mailbox full; path laptop > "
    "mta > server\n"
    "  pepe@gmail.com: delivered at mta Q1 (INBOX); path laptop > mta\n";

/* maria never ends at the server: balanced only if the server's queue
 * really holds her. */
static void queued_case(int declare, const char *declared_qid, const char *want_problem)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	if (declare) {
		CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
		if (declared_qid)
			CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_SERVER, declared_qid, "maria@dominio.de.maria",
							       "452 4.2.2 Mailbox full"),
				     0);
	}
	char want[2048];
	if (want_problem)
		snprintf(want, sizeof want, "%sNOT balanced (1 problem)\n  problem: %s\n%s", queued_head, want_problem,
			 queued_tail);
	else
		snprintf(want, sizeof want, "%sbalanced\n%s", queued_head, queued_tail);
	char *text = print_ledger(l);
	CHECK_STR(text, want);
	free(text);
	CHECK_EQ_INT(obs_ledger_balanced(l), want_problem == NULL);
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	CHECK_EQ_INT(t.queued, 1);
	CHECK_EQ_INT(t.problems, want_problem ? 1 : 0);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

static void test_queued_declared(void) { queued_case(1, "Q2", NULL); }

static void test_queued_but_queue_empty(void)
{
	queued_case(1, NULL,
		    "lost: server accepted Q2 for maria@dominio.de.maria; it was never relayed, delivered, bounced or "
		    "discarded, and server's queue does not hold it (last deferral: retry at 60.000000000s: 452 4.2.2 "
		    "Mailbox full)");
}

static void test_queued_unverified(void)
{
	queued_case(0, NULL,
		    "unverified: server accepted Q2 for maria@dominio.de.maria and never ended it, but server's queue "
		    "was not declared");
}

/* The queue says Q1 waits at the mta, which the ledger saw relayed. */
static void test_queue_mismatch(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 1);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_MTA, "Q1", "x", NULL), -1); /* not declared yet */
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_MTA, "Q1", "maria@dominio.de.maria", ""), 0);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_MTA, "Q7", "nobody@x", ""), 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	CHECK(!obs_ledger_balanced(l));
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "NOT balanced (2 problems)\n"
				   "  problem: mta's queue holds Q1 for maria@dominio.de.maria, which the ledger saw "
				   "relayed\n"
				   "  problem: mta's queue holds Q7 for nobody@x, which the ledger never saw accepted\n"));
	free(text);
	/* Declaring again starts afresh: now it agrees. */
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK(obs_ledger_balanced(l));
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* Records that break the rules are problems, reported in order. */
static void test_bad_records(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_DELIVERED, "Q5", "<x@y>", "a@b", "c@d", "INBOX");
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q6", "<z@y>", "", "a@b", NULL);
	fixture_mail(&f, 2, HOST_MTA, OBS_MAIL_BOUNCED, "Q6", "<z@y>", "", "a@b", "550 no");
	fixture_mail(&f, 2, HOST_MTA, OBS_MAIL_DISCARDED, "Q6", "<z@y>", "", "a@b", "a bounce cannot be bounced");
	fixture_mail(&f, 3, HOST_MTA, OBS_MAIL_ACCEPTED, "Q6", "<z@y>", "", "a@b", NULL);
	fixture_mail(&f, 3, HOST_MTA, OBS_MAIL_ACCEPTED, "Q8", "<w@y>", "", NULL, NULL);
	fixture_mail(&f, 4, HOST_LAPTOP, OBS_MAIL_SUBMITTED, NULL, "<v@y>", "a@b", NULL, "250 Ok");
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	char *text = print_ledger(l);
	CHECK_STR(text, "ledger: accepted 1 = delivered 0 + relayed 0 + bounced 1 + discarded 0 + queued 0: NOT "
			"balanced (5 problems)\n"
			"  problem: mta delivered Q5 for c@d, which it never accepted\n"
			"  problem: mta discarded Q6 for a@b, which had already been bounced\n"
			"  problem: mta accepted Q6 for a@b twice\n"
			"  problem: mta accepted Q8 without naming a recipient\n"
			"  problem: lost: laptop submitted <v@y>, which no MTA accepted\n"
			"message <z@y> from <>: bounced\n"
			"  a@b: bounced at mta Q6: 550 no; path mta\n"
			"message <v@y> from <a@b>: unaccepted\n");
	free(text);
	CHECK(!obs_ledger_balanced(l));
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* An event naming no recipient ends every open recipient of the queue id;
 * a message without a Message-ID is followed by its queue id. */
static void test_all_recipients_and_no_id(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", "", "juan@gmail.com", "a@x", NULL);
	fixture_mail(&f, 1, HOST_MTA, OBS_MAIL_ACCEPTED, "Q1", "", "juan@gmail.com", "b@x", NULL);
	fixture_mail(&f, 2, HOST_MTA, OBS_MAIL_RELAYED, "Q1", "", "juan@gmail.com", NULL, "to server");
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	char *text = print_ledger(l);
	CHECK_STR(text, "ledger: accepted 2 = delivered 0 + relayed 2 + bounced 0 + discarded 0 + queued 0: balanced\n"
			"message (no Message-ID) from <juan@gmail.com>: relayed\n"
			"  a@x: relayed by mta Q1, not seen again: to server; path mta\n"
			"  b@x: relayed by mta Q1, not seen again: to server; path mta\n");
	free(text);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* The server accepted maria's copy but the mta never heard its 250: it
 * tried again later and the server accepted and delivered it again. */
static void test_duplicate(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 1);
	/* Undo nothing: a second copy of the same message arrives through
	 * a retry by the mta of another queue entry. */
	fixture_mail(&f, 5, HOST_MTA, OBS_MAIL_ACCEPTED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(&f, 6, HOST_MTA, OBS_MAIL_DEFERRED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "retry at 60s: 421 4.4.2 connection lost after the end of the data, before its reply (RFC 1047: "
		     "the server may have accepted the message)");
	fixture_mail(&f, 7, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q4", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(&f, 7, HOST_SERVER, OBS_MAIL_DELIVERED, "Q4", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "INBOX");
	fixture_mail(&f, 7, HOST_MTA, OBS_MAIL_RELAYED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "to server: 250 Ok");
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	char *text = print_ledger(l);
	CHECK_STR(text, "ledger: accepted 5 = delivered 3 + relayed 2 + bounced 0 + discarded 0 + queued 0: balanced\n"
			"  duplicate: <m1@gmail.com> delivered 2 times to maria@dominio.de.maria (server Q2, server "
			"Q4): the RFC 1047 case, the message was sent again after the reply to its final \".\" was "
			"lost\n"
			"message <m1@gmail.com> from <juan@gmail.com>: delivered\n"
			"  maria@dominio.de.maria: delivered at server Q2 (INBOX) [delivered 2 times]; path laptop > mta "
			"> server > mta > server\n"
			"  pepe@gmail.com: delivered at mta Q1 (INBOX); path laptop > mta\n");
	free(text);
	CHECK(obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 1);
	/* The same mailbox in another case is the same mailbox. */
	fixture_mail(&f, 8, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q5", M1, "juan@gmail.com", "Maria@Dominio.de.maria",
		     NULL);
	fixture_mail(&f, 8, HOST_SERVER, OBS_MAIL_DELIVERED, "Q5", M1, "juan@gmail.com", "Maria@Dominio.de.maria",
		     "INBOX");
	/* A third copy with only one lost reply to explain it: a bug, not
	 * RFC 1047, and the ledger no longer balances. */
	text = print_ledger(l);
	CHECK(text && strstr(text, "problem: duplicate: <m1@gmail.com> delivered 3 times to maria@dominio.de.maria "
				   "(server Q2, server Q4, server Q5), but only 1 attempt lost the reply to the data: "
				   "not the RFC 1047 case"));
	free(text);
	CHECK(!obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 0);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* Two copies and no attempt that lost its reply: not RFC 1047. */
static void test_duplicate_unexplained(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 1);
	fixture_mail(&f, 5, HOST_MTA, OBS_MAIL_ACCEPTED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(&f, 6, HOST_MTA, OBS_MAIL_DEFERRED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "retry at 60s: 451 4.4.2 connection lost");
	fixture_mail(&f, 7, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q4", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	fixture_mail(&f, 7, HOST_SERVER, OBS_MAIL_DELIVERED, "Q4", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "INBOX");
	fixture_mail(&f, 7, HOST_MTA, OBS_MAIL_RELAYED, "Q3", M1, "juan@gmail.com", "maria@dominio.de.maria",
		     "to server: 250 Ok");
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	CHECK(!obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 0);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "delivered 2 times to maria@dominio.de.maria (server Q2, server Q4), but only 0 "
				   "attempts lost the reply to the data: not the RFC 1047 case"));
	free(text);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* A queue entry declared with no reason at all (never deferred, no
 * error): "still queued" must say why. */
static void test_queued_without_reason(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	fixture_mail(&f, 1, HOST_SERVER, OBS_MAIL_ACCEPTED, "Q2", M1, "juan@gmail.com", "maria@dominio.de.maria", NULL);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_SERVER, "Q2", "maria@dominio.de.maria", ""), 0);
	CHECK(!obs_ledger_balanced(l));
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "problem: queued without a reason: server holds Q2 for maria@dominio.de.maria"));
	free(text);
	/* With its error declared it is queued with a reason. */
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_SERVER, "Q2", "maria@dominio.de.maria", "452 4.3.1 full"), 0);
	CHECK(obs_ledger_balanced(l));
	obs_ledger_close(&l);
	fixture_fini(&f);
}

static cJSON *item(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

static void test_json(void)
{
	struct fixture f;
	REQUIRE(fixture_init(&f, 1) == 0);
	struct obs_ledger *l = obs_ledger_open(f.sim, f.net);
	REQUIRE(l);
	juan_sends(&f, 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_MTA), 0);
	CHECK_EQ_INT(obs_ledger_declare_queue(l, HOST_SERVER), 0);
	CHECK_EQ_INT(obs_ledger_declare_queued(l, HOST_SERVER, "Q2", "maria@dominio.de.maria", "452 full"), 0);
	cJSON *root = cJSON_CreateObject();
	REQUIRE(root);
	CHECK_EQ_INT(obs_ledger_add_json(l, root), 0);
	char *got = cJSON_PrintUnformatted(item(root, "ledger"));
	CHECK_STR(got,
		  "{\"accepted\":3,\"delivered\":1,\"relayed\":1,\"bounced\":0,\"discarded\":0,\"queued\":1,\"forwarded\":0,"
		  "\"balanced\":true,\"duplicates\":0,\"problems\":[],\"duplicate_reports\":[],"
		  "\"queue\":[{\"host\":\"server\",\"queue_id\":\"Q2\",\"rcpt\":\"maria@dominio.de.maria\","
		  "\"reason\":\"retry at 60.000000000s: 452 4.2.2 Mailbox full\",\"verified\":true}],"
		  "\"messages\":[{\"id\":\"<m1@gmail.com>\",\"from\":\"juan@gmail.com\",\"fate\":\"mixed\","
		  "\"recipients\":[{\"rcpt\":\"maria@dominio.de.maria\",\"fate\":\"queued\",\"host\":\"server\","
		  "\"queue_id\":\"Q2\",\"detail\":\"retry at 60.000000000s: 452 4.2.2 Mailbox full\",\"deliveries\":0,"
		  "\"path\":[\"laptop\",\"mta\",\"server\"]},"
		  "{\"rcpt\":\"pepe@gmail.com\",\"fate\":\"delivered\",\"host\":\"mta\",\"queue_id\":\"Q1\","
		  "\"detail\":\"INBOX\",\"deliveries\":1,\"path\":[\"laptop\",\"mta\"]}]}]}");
	cJSON_free(got);
	cJSON_Delete(root);
	obs_ledger_close(&l);
	fixture_fini(&f);
}

/* ---- whole runs ---- */

static void declare_all(struct obs_ledger *l, struct world *w)
{
	CHECK_EQ_INT(obs_ledger_declare_mta(l, w->mta1), 0);
	CHECK_EQ_INT(obs_ledger_declare_mta(l, w->gw), 0);
	CHECK_EQ_INT(obs_ledger_declare_mta(l, w->mx), 0);
	CHECK_EQ_INT(obs_ledger_declare_mta(l, w->mx2), 0);
}

static void report_if_unbalanced(struct obs_ledger *l)
{
	if (!obs_ledger_balanced(l))
		obs_ledger_print(l, stderr);
}

static void test_world_three_hops(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l && w->ua);
	REQUIRE(send_draft(w, "María <maria@dominio.de.maria>", "pepe@gmail.com") >= 0);
	sim_run(w->env.sim);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(obs_ledger_balanced(l));
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	CHECK_EQ_INT(t.accepted, 4); /* mta1: maria, pepe; gw: maria; mx: maria */
	CHECK_EQ_INT(t.delivered, 2);
	CHECK_EQ_INT(t.relayed, 2);
	CHECK_EQ_INT(t.queued + t.bounced + t.discarded + t.duplicates, 0);
	CHECK_EQ_INT(t.messages, 1);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "  maria@dominio.de.maria: delivered at mx ") &&
	      strstr(text, " (INBOX); path laptop > mta1 > gw > mx\n") &&
	      strstr(text, "  pepe@gmail.com: delivered at mta1 "));
	free(text);
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

static void test_world_bounce(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l && w->ua);
	REQUIRE(send_draft(w, "nadie@dominio.de.maria", NULL) >= 0);
	sim_run(w->env.sim);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(obs_ledger_balanced(l));
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	/* mta1 relays nadie to gw, which bounces it; the DSN, accepted at gw,
	 * is relayed to mta1 and delivered to Juan. */
	CHECK_EQ_INT(t.bounced, 1);
	CHECK_EQ_INT(t.messages, 2);
	CHECK_EQ_INT(t.delivered, 1);
	CHECK_EQ_INT(t.accepted, t.delivered + t.relayed + t.bounced);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "  nadie@dominio.de.maria: bounced at gw ") &&
	      strstr(text, " from <>: delivered\n  juan@gmail.com: delivered at mta1 "));
	free(text);
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

/* A bounce of a bounce is discarded, once. */
static void test_world_bounce_of_bounce(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l);
	/* A sender that does not exist either: the DSN to it bounces too. */
	struct ua_config uc = {.address = "fantasma@dominio.de.maria", .helo_name = "laptop.juan.gmail.com",
			       .submit_ip = w->ip[MTA1], .submit_port = 587, .use_ehlo = 1};
	struct ua *ghost = ua_new(&w->env, w->host[LAPTOP] , &uc, on_report, w);
	REQUIRE(ghost);
	struct msg_draft d = {.from = "fantasma@dominio.de.maria", .to = "nadie@dominio.de.maria", .subject = "boo",
			      .text = "boo\n"};
	char err[100];
	REQUIRE(ua_send(ghost, &d, err, sizeof err) >= 0);
	sim_run(w->env.sim);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(obs_ledger_balanced(l));
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	CHECK_EQ_INT(t.discarded, 1);
	CHECK_EQ_INT(t.accepted, t.delivered + t.relayed + t.bounced + t.discarded);
	ua_free(&ghost);
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

/* The primary MX is down: the backup holds the mail (queued, declared by
 * its MTA), then relays it once the primary is back. */
static void test_world_backup_mx(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l && w->ua);
	net_link_set_up(w->env.net, w->link[MX], 0);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run_until(w->env.sim, 90 * SIM_S);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(obs_ledger_balanced(l));
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	CHECK_EQ_INT(t.queued, 1);
	CHECK_EQ_INT(t.delivered, 0);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "  maria@dominio.de.maria: queued at mx2 ") && strstr(text, "path laptop > mta1 > gw > mx2\n"));
	free(text);
	/* Undeclared, mx2's queue cannot vouch for it. */
	obs_ledger_close(&l);
	l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l);
	net_link_set_up(w->env.net, w->link[MX], 1);
	sim_run_until(w->env.sim, 3600 * SIM_S);
	/* This ledger saw only the end: mx2 relaying what it never saw
	 * accepted. */
	declare_all(l, w);
	CHECK(!obs_ledger_balanced(l));
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

/* RFC 1047 for real: mx accepts maria's copy, but its 250 is lost with
 * the link; the gateway never hears it, tries again (the backup MX, then
 * the primary), and the message is delivered twice. The ledger balances
 * and names the duplicate. */
static void test_world_rfc1047(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l && w->ua);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	while (w->mx_accepted == 0 && sim_step(w->env.sim) == SIM_STEPPED)
		;
	REQUIRE(w->mx_accepted == 1);
	net_link_set_up(w->env.net, w->link[MX], 0);
	sim_run_until(w->env.sim, sim_now(w->env.sim) + 1800 * SIM_S);
	net_link_set_up(w->env.net, w->link[MX], 1);
	sim_run_until(w->env.sim, sim_now(w->env.sim) + 6 * 3600 * SIM_S);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 1);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "delivered 2 times to maria@dominio.de.maria") && strstr(text, "RFC 1047"));
	if (obs_ledger_duplicates(l) != 1)
		fputs(text ? text : "", stderr);
	free(text);
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

/* RFC 1047 exactly: the wire loses the mx's "250 ... queued" after gw's
 * final "." (that segment and every retransmission of it, nothing else).
 * gw's TCP has nothing left to send, so only the SMTP client's timeout for
 * the reply to the data (RFC 5321 4.5.3.2: 10 minutes) ends the wait; the
 * failure says the reply was lost after the end of the data, gw hands the
 * message to the backup MX, which relays it to mx: two copies, one
 * duplicate, reported as the RFC 1047 case, and the ledger balances. */
struct reply_filter {
	net_l4_fn fn;
	void *ctx;
	struct world *w;
	int dropped;
};

static void drop_final_reply(void *ctx, int host, struct packet *p)
{
	struct reply_filter *f = ctx;
	static const char reply[] = "250 2.0.0 Ok: queued";
	if (host == f->w->host[GW] && p->src_ip == f->w->ip[MX] && p->src_port == 25 && p->len >= sizeof reply - 1 &&
	    memcmp(p->data, reply, sizeof reply - 1) == 0) {
		f->dropped++;
		net_drop_unclaimed(f->w->env.net, host, p);
		return;
	}
	f->fn(f->ctx, host, p);
}

static void test_world_rfc1047_reply_dropped(void)
{
	struct world *w = calloc(1, sizeof *w);
	REQUIRE(w);
	world_init(w);
	struct reply_filter f = {.w = w};
	net_get_l4_handler(w->env.net, IPPROTO_SIM_TCP, &f.fn, &f.ctx);
	REQUIRE(f.fn);
	net_set_l4_handler(w->env.net, IPPROTO_SIM_TCP, drop_final_reply, &f);
	struct obs_ledger *l = obs_ledger_open(w->env.sim, w->env.net);
	REQUIRE(l && w->ua);
	REQUIRE(send_draft(w, "maria@dominio.de.maria", NULL) >= 0);
	sim_run_until(w->env.sim, 6 * 3600 * SIM_S);
	declare_all(l, w);
	report_if_unbalanced(l);
	CHECK(f.dropped >= 1);
	CHECK_EQ_INT(w->mx_accepted, 2);
	CHECK(obs_ledger_balanced(l));
	CHECK_EQ_INT(obs_ledger_duplicates(l), 1);
	char *text = print_ledger(l);
	CHECK(text && strstr(text, "delivered 2 times to maria@dominio.de.maria") && strstr(text, "RFC 1047 case"));
	CHECK(text && strstr(text, "path laptop > mta1 > gw > mx > mx2 > mx"));
	if (obs_ledger_duplicates(l) != 1)
		fputs(text ? text : "", stderr);
	free(text);
	obs_ledger_close(&l);
	world_free(w);
	free(w);
}

int main(void)
{
	RUN(test_balanced);
	RUN(test_queued_declared);
	RUN(test_queued_but_queue_empty);
	RUN(test_queued_unverified);
	RUN(test_queue_mismatch);
	RUN(test_bad_records);
	RUN(test_all_recipients_and_no_id);
	RUN(test_duplicate);
	RUN(test_duplicate_unexplained);
	RUN(test_queued_without_reason);
	RUN(test_json);
	RUN(test_world_three_hops);
	RUN(test_world_bounce);
	RUN(test_world_bounce_of_bounce);
	RUN(test_world_backup_mx);
	RUN(test_world_rfc1047);
	RUN(test_world_rfc1047_reply_dropped);
	return harness_done();
}

/* pop3d and the UA's POP3 reading side end to end in the mail world of
 * mail_world.h: Juan's mail crosses three MTAs by SMTP into María's
 * mailbox at mx, and María (on the "outsider" host) downloads it over
 * POP3 into her local store: deleted on the server, or kept and fetched
 * only once by UIDL; APOP; the lock (a second reader gets -ERR [IN-USE]);
 * a connection reset mid-session removes nothing; a crash of the mailbox
 * host keeps the mail and frees the lock; and nothing leaks. */
#include <stdlib.h>

#include "harness.h"
#include "mail_world.h"
#include "sim/agents/pop3_maildrop.h"
#include "sim/agents/pop3_reader.h"
#include "sim/agents/pop3d.h"
#include "sim/core/blob.h"

#define MARIA "maria@dominio.de.maria"

struct p3w {
	struct world w;
	struct pop3d *pop3d;
	struct mailstore *local; /* María's laptop's store */
	struct pop3_reader *reader, *reader2;
	int reports;
	struct pop3_reader_report last[4];
	char last_text[4][256], last_code[4][32];
	int stop_on_dele; /* sim_stop() when the server confirms a DELE */
	int lines;        /* POP3 lines published */
};

static void on_pop3_report(void *ctx, const struct pop3_reader_report *r)
{
	struct p3w *p = ctx;
	int k = p->reports++ % 4;
	p->last[k] = *r;
	snprintf(p->last_text[k], sizeof p->last_text[k], "%s", r->text);
	snprintf(p->last_code[k], sizeof p->last_code[k], "%s", r->code);
}

static void on_line(void *ctx, const struct obs_record *r)
{
	struct p3w *p = ctx;
	if (r->type != OBS_LINE || !r->u.line.proto || strcmp(r->u.line.proto, "POP3") != 0)
		return;
	p->lines++;
	if (p->stop_on_dele && r->u.line.len >= 12 && !memcmp(r->u.line.text, "+OK message", 11))
		sim_stop(p->w.env.sim);
}

static struct p3w *p3w_new(int apop)
{
	struct p3w *p = calloc(1, sizeof *p);
	world_init(&p->w);
	struct pop3d_config c = {.hostname = "mx.dominio.de.maria", .store = p->w.maria_store, .apop = apop};
	p->pop3d = pop3d_new(&p->w.env, p->w.host[MX], &c);
	p->local = mailstore_new();
	p->reader = pop3_reader_new(&p->w.env, p->w.host[OUTSIDER], p->local, MARIA, on_pop3_report, p);
	p->reader2 = pop3_reader_new(&p->w.env, p->w.host[OUTSIDER], p->local, MARIA, on_pop3_report, p);
	bus_subscribe(sim_bus(p->w.env.sim), OBS_MASK(OBS_LINE), on_line, p);
	return p;
}

static void p3w_free(struct p3w *p)
{
	pop3_reader_free(&p->reader);
	pop3_reader_free(&p->reader2);
	pop3d_free(&p->pop3d);
	mailstore_free(&p->local);
	world_free(&p->w);
	free(p);
}

static size_t inbox_n(struct mailstore *ms)
{
	struct ms_user *u = mailstore_find_user(ms, MARIA);
	return u ? ms_folder_size(ms_folder_find(u, "INBOX")) : 0;
}

static int fetch(struct p3w *p, struct pop3_reader *r, const char *pass, int apop, int keep)
{
	struct pop3_reader_options o = {.server_ip = p->w.ip[MX], .user = "maria", .password = pass, .apop = apop,
					.keep = keep};
	return pop3_reader_fetch(r, &o);
}

static void test_smtp_then_pop3_delete(void)
{
	long blobs = blob_live_count();
	for (int apop = 0; apop <= 1; apop++) {
		struct p3w *p = p3w_new(apop);
		REQUIRE(p->pop3d && p->reader);
		REQUIRE(send_draft(&p->w, "María <" MARIA ">", NULL) >= 0);
		sim_run(p->w.env.sim);
		REQUIRE(inbox_n(p->w.maria_store) == 1);
		struct ms_folder *srv = ms_folder_find(mailstore_find_user(p->w.maria_store, MARIA), "INBOX");
		struct blob *server_copy = blob_ref(ms_folder_message(srv, 0)->body);
		CHECK(fetch(p, p->reader, "serenata", apop, 0) >= 0);
		sim_run(p->w.env.sim);
		CHECK_EQ_INT(p->reports, 1);
		CHECK_EQ_INT(p->last[0].outcome, POP3_CLIENT_OK);
		CHECK_EQ_INT(p->last[0].retrieved, 1);
		CHECK_EQ_INT(p->last[0].deleted, 1);
		CHECK_EQ_INT(p->last[0].stored, 1);
		CHECK_EQ_INT(inbox_n(p->w.maria_store), 0); /* moved off the server */
		CHECK_EQ_INT(inbox_n(p->local), 1);
		const struct ms_message *m =
		    ms_folder_message(ms_folder_find(mailstore_find_user(p->local, MARIA), "INBOX"), 0);
		/* byte for byte what the MTA stored (its line ends are CRLF) */
		CHECK(m && blob_len(m->body) == blob_len(server_copy) &&
		      memcmp(blob_data(m->body), blob_data(server_copy), blob_len(server_copy)) == 0);
		CHECK(!ms_user_locked(mailstore_find_user(p->w.maria_store, MARIA)));
		CHECK_EQ_INT(pop3d_stats(p->pop3d)->removed, 1);
		CHECK(p->lines > 10);
		blob_unref(&server_copy);
		p3w_free(p);
	}
	CHECK_EQ_INT(blob_live_count(), blobs);
}

static void test_keep_fetches_new_only(void)
{
	struct p3w *p = p3w_new(0);
	REQUIRE(send_draft(&p->w, MARIA, NULL) >= 0);
	sim_run(p->w.env.sim);
	fetch(p, p->reader, "serenata", 0, 1);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[0].stored, 1);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 1); /* kept */
	fetch(p, p->reader, "serenata", 0, 1);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[1].outcome, POP3_CLIENT_OK);
	CHECK_EQ_INT(p->last[1].skipped, 1);
	CHECK_EQ_INT(p->last[1].retrieved, 0);
	REQUIRE(send_draft(&p->w, MARIA, NULL) >= 0);
	sim_run(p->w.env.sim);
	fetch(p, p->reader, "serenata", 0, 1);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[2].retrieved, 1);
	CHECK_EQ_INT(p->last[2].skipped, 1);
	CHECK_EQ_INT(inbox_n(p->local), 2);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 2);
	/* now download and delete: nothing is stored twice */
	fetch(p, p->reader, "serenata", 0, 0);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[3].retrieved, 2);
	CHECK_EQ_INT(p->last[3].stored, 0);
	CHECK_EQ_INT(p->last[3].deleted, 2);
	CHECK_EQ_INT(inbox_n(p->local), 2);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 0);
	p3w_free(p);
}

static void test_lock_and_bad_password(void)
{
	struct p3w *p = p3w_new(0);
	REQUIRE(send_draft(&p->w, MARIA, NULL) >= 0);
	sim_run(p->w.env.sim);
	/* two readers at once: the one that logs in second finds the lock */
	fetch(p, p->reader, "serenata", 0, 0);
	fetch(p, p->reader2, "serenata", 0, 0);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->reports, 2);
	int ok = p->last[0].outcome == POP3_CLIENT_OK ? 0 : 1;
	CHECK_EQ_INT(p->last[ok].outcome, POP3_CLIENT_OK);
	CHECK_EQ_INT(p->last[1 - ok].outcome, POP3_CLIENT_LOGIN_FAILED);
	CHECK_STR(p->last_code[1 - ok], "IN-USE");
	CHECK_EQ_INT(pop3d_stats(p->pop3d)->in_use, 1);
	CHECK_EQ_INT(inbox_n(p->local), 1);
	/* a wrong password */
	fetch(p, p->reader, "wrong", 0, 0);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[2].outcome, POP3_CLIENT_LOGIN_FAILED);
	CHECK_STR(p->last_code[2], "AUTH");
	/* nobody listens on 110 elsewhere: the connection is refused */
	struct pop3_reader_options o = {.server_ip = p->w.ip[GW], .user = "maria", .password = "x"};
	CHECK(pop3_reader_fetch(p->reader, &o) >= 0);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[3].outcome, POP3_CLIENT_LOST);
	CHECK_EQ_INT(pop3_reader_active(p->reader), 0);
	p3w_free(p);
}

static void test_reset_mid_session_removes_nothing(void)
{
	struct p3w *p = p3w_new(0);
	REQUIRE(send_draft(&p->w, MARIA, NULL) >= 0);
	sim_run(p->w.env.sim);
	p->stop_on_dele = 1;
	fetch(p, p->reader, "serenata", 0, 0);
	sim_run(p->w.env.sim); /* stops at "+OK message 1 deleted" */
	p->stop_on_dele = 0;
	struct ms_user *u = mailstore_find_user(p->w.maria_store, MARIA);
	CHECK(ms_user_locked(u));
	CHECK_EQ_INT(pop3_reader_active(p->reader), 1);
	pop3_reader_free(&p->reader); /* the laptop resets the connection */
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 1); /* no QUIT, no UPDATE */
	CHECK(!ms_user_locked(u));
	CHECK_EQ_INT(pop3d_stats(p->pop3d)->updates, 0);
	/* the same, but the mailbox host crashes: the store survives */
	p->stop_on_dele = 1;
	fetch(p, p->reader2, "serenata", 0, 0);
	sim_run(p->w.env.sim);
	p->stop_on_dele = 0;
	CHECK(ms_user_locked(u));
	tcp_host_reset(p->w.env.tcp, p->w.host[MX]);
	pop3d_crash(p->pop3d);
	CHECK(!ms_user_locked(u));
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 1);
	CHECK_EQ_INT(p->last[p->reports - 1].outcome, POP3_CLIENT_LOST);
	pop3d_restart(p->pop3d);
	fetch(p, p->reader2, "serenata", 0, 0);
	sim_run(p->w.env.sim);
	CHECK_EQ_INT(p->last[(p->reports - 1) % 4].outcome, POP3_CLIENT_OK);
	CHECK_EQ_INT(inbox_n(p->w.maria_store), 0);
	p3w_free(p);
}

/* The server engine driven in-process over a mailstore through
 * pop3_maildrop (no network): how benchmarks use it. */
static void test_maildrop_in_process(void)
{
	long blobs = blob_live_count();
	struct mailstore *ms = mailstore_new();
	struct ms_user *u = mailstore_add_user(ms, MARIA, "serenata");
	struct ms_folder *in = ms_folder_find(u, "INBOX");
	for (int i = 0; i < 3; i++) {
		char text[64];
		int n = snprintf(text, sizeof text, "Subject: %d\r\n\r\n.body %d\r\n", i, i);
		struct blob *b = blob_new(text, (size_t)n);
		ms_append(in, b, 0, 0, 0);
		blob_unref(&b);
	}
	struct pop3_maildrop *md = pop3_maildrop_new(ms, NULL, NULL);
	struct pop3_maildrop *md2 = pop3_maildrop_new(ms, NULL, NULL);
	struct pop3_server_host h, h2;
	pop3_maildrop_host(md, &h);
	pop3_maildrop_host(md2, &h2);
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "mx");
	struct pop3_server *s = pop3_server_new(&cfg, &h);
	struct pop3_server *s2 = pop3_server_new(&cfg, &h2);
	REQUIRE(s && s2);
	const char *cmds = "USER maria\r\nPASS serenata\r\nUIDL\r\nRETR 2\r\nDELE 2\r\n";
	pop3_server_feed(s, cmds, strlen(cmds));
	size_t n;
	const char *out = (const char *)pop3_server_output(s, &n);
	CHECK(strstr(out, "+OK maria's maildrop has 3 messages") != NULL);
	CHECK(strstr(out, "1 1.1\r\n2 1.2\r\n3 1.3\r\n.\r\n") != NULL);
	CHECK(strstr(out, "+OK 23 octets\r\nSubject: 1\r\n\r\n..body 1\r\n.\r\n") != NULL);
	pop3_server_consume(s, n);
	CHECK(pop3_maildrop_user(md) == u);
	/* another session: locked out; by the whole address too */
	cmds = "USER maria@dominio.de.maria\r\nPASS serenata\r\n";
	pop3_server_feed(s2, cmds, strlen(cmds));
	out = (const char *)pop3_server_output(s2, &n);
	CHECK(strstr(out, "-ERR [IN-USE]") != NULL);
	pop3_server_consume(s2, n);
	pop3_server_feed(s, "QUIT\r\n", 6);
	CHECK_EQ_INT(ms_folder_size(in), 2);
	CHECK(ms_folder_index_of(in, 2) < 0);
	CHECK(!ms_user_locked(u));
	/* the second session gets in now, and leaves without QUIT */
	cmds = "USER maria\r\nPASS serenata\r\nDELE 1\r\n";
	pop3_server_feed(s2, cmds, strlen(cmds));
	CHECK(ms_user_locked(u));
	pop3_server_free(&s2);
	pop3_maildrop_free(&md2);
	CHECK(!ms_user_locked(u));
	CHECK_EQ_INT(ms_folder_size(in), 2);
	pop3_server_free(&s);
	pop3_maildrop_free(&md);
	mailstore_free(&ms);
	CHECK_EQ_INT(blob_live_count(), blobs);
}

int main(void)
{
	RUN(test_maildrop_in_process);
	RUN(test_smtp_then_pop3_delete);
	RUN(test_keep_fetches_new_only);
	RUN(test_lock_and_bad_password);
	RUN(test_reset_mid_session_removes_nothing);
	return harness_done();
}

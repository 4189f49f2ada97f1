/* End to end: Juan's mail crosses three MTAs over SMTP into María's
 * mailstore; imapd serves it on port 143 of her MX; two IMAP readers (the
 * UA's reading side) read it over simulated TCP: the phone idles and is
 * told of a second message the moment it is delivered, the laptop
 * searches on the server, flags, moves a message and expunges, and the
 * idling phone is told of each change. The lines of both sides reach the
 * bus, and the run is deterministic. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mail_world.h"
#include "sim/agents/imap_reader.h"
#include "sim/agents/imapd.h"
#include "sim/agents/typist.h"
#include "sim/core/blob.h"

struct lines {
	char text[1 << 16];
	size_t n, server, client;
};

static void on_line(void *ctx, const struct obs_record *r)
{
	struct lines *l = ctx;
	if (r->type != OBS_LINE || strcmp(r->u.line.proto, "IMAP") != 0)
		return;
	if (r->u.line.from_client)
		l->client++;
	else
		l->server++;
	size_t room = sizeof l->text - l->n;
	int k = snprintf(l->text + l->n, room, "%c %.*s\n", r->u.line.from_client ? 'C' : 'S', (int)r->u.line.len,
			 r->u.line.text);
	if (k > 0 && (size_t)k < room)
		l->n += (size_t)k;
}

static struct imap_reader_step *steps(const char *const *kv, size_t n)
{
	struct imap_reader_step *v = calloc(n, sizeof *v);
	char err[200];
	for (size_t i = 0; i < n; i++)
		if (imap_reader_step_parse(kv[2 * i], kv[2 * i + 1], &v[i], err, sizeof err) < 0)
			fprintf(stderr, "step %zu: %s\n", i, err);
	return v;
}

static void run_world(struct lines *l, struct imap_reader_stats *phone_r, struct imap_reader_stats *laptop_r,
		      size_t *inbox_r, size_t *archive_r)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	bus_subscribe(sim_bus(w->env.sim), OBS_MASK(OBS_LINE), on_line, l);
	struct imapd_config ic = {.hostname = "mx.dominio.de.maria"};
	struct imapd *d = imapd_new(&w->env, w->host[MX], w->maria_store, &ic);
	send_draft(w, "maria@dominio.de.maria", NULL);
	sim_run_until(w->env.sim, 10 * SIM_S);
	static const char *const phone_kv[] = {"sync", "INBOX", "idle", "60s", "noop", ""};
	static const char *const laptop_kv[] = {"select",  "INBOX",      "search", "FROM \"juan\"", "store",
						"$ +FLAGS (\\Flagged)", "create", "Archive", "move", "1 Archive"};
	struct imap_reader_step *ps = steps(phone_kv, 3), *ls = steps(laptop_kv, 5);
	struct imap_reader_config pc = {.user = "maria", .password = "serenata", .server_ip = w->ip[MX],
					.steps = ps, .step_count = 3};
	struct imap_reader_config lc = pc;
	lc.steps = ls;
	lc.step_count = 5;
	lc.user = "maria@dominio.de.maria";
	struct imap_reader *phone = imap_reader_start(&w->env, w->host[OUTSIDER], &pc);
	sim_run_until(w->env.sim, 15 * SIM_S);
	send_draft(w, "maria@dominio.de.maria", NULL); /* arrives while the phone idles */
	sim_run_until(w->env.sim, 30 * SIM_S);
	struct imap_reader *laptop = imap_reader_start(&w->env, w->host[LAPTOP], &lc);
	sim_run_until(w->env.sim, 120 * SIM_S);
	*phone_r = *imap_reader_stats(phone);
	*laptop_r = *imap_reader_stats(laptop);
	struct ms_user *u = mailstore_find_user(w->maria_store, "maria@dominio.de.maria");
	*inbox_r = ms_folder_size(ms_folder_find(u, "INBOX"));
	struct ms_folder *ar = ms_folder_find(u, "Archive");
	*archive_r = ar ? ms_folder_size(ar) : 0;
	CHECK(imapd_stats(d)->sessions == 2 && imapd_stats(d)->logins == 2 && imapd_stats(d)->active == 0);
	imap_reader_free(&phone);
	imap_reader_free(&laptop);
	for (size_t i = 0; i < 3; i++)
		imap_reader_step_clear(&ps[i]);
	for (size_t i = 0; i < 5; i++)
		imap_reader_step_clear(&ls[i]);
	free(ps);
	free(ls);
	imapd_free(&d);
	world_free(w);
	free(w);
}

static void test_smtp_then_imap(void)
{
	struct lines *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct imap_reader_stats phone, laptop;
	size_t inbox = 0, archive = 0;
	run_world(a, &phone, &laptop, &inbox, &archive);
	CHECK(phone.logged_in && phone.done && phone.bad == 0 && phone.no == 0);
	CHECK(laptop.logged_in && laptop.done && laptop.bad == 0 && laptop.no == 0);
	CHECK(phone.live_exists == 1);   /* the second message, while idling */
	CHECK(phone.live_flags >= 2);    /* \Flagged on both, \Deleted on one */
	CHECK(phone.live_expunges == 1); /* the move */
	CHECK_STR(laptop.last_search, "1 2");
	CHECK(inbox == 1);
	CHECK(archive == 1);
	CHECK(strstr(a->text, "C A001 LOGIN maria serenata\n") != NULL);
	CHECK(strstr(a->text, "S * SEARCH 1 2\n") != NULL);
	CHECK(strstr(a->text, "C A004 STORE 1,2 +FLAGS (\\Flagged)\n") != NULL);
	CHECK(strstr(a->text, "S * 1 EXPUNGE\n") != NULL);
	CHECK(strstr(a->text, "Subject: Hola") == NULL); /* no body travelled */
	CHECK(a->client > 10 && a->server > 20);
	/* Same seed, same bytes. */
	run_world(b, &phone, &laptop, &inbox, &archive);
	CHECK(a->n == b->n && memcmp(a->text, b->text, a->n) == 0);
	free(a);
	free(b);
}

/* A session typed by hand to port 143, as a student does with telnet:
 * each line after the tagged reply to the one before. */
static void test_typed_session(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	struct lines *l = calloc(1, sizeof *l);
	bus_subscribe(sim_bus(w->env.sim), OBS_MASK(OBS_LINE), on_line, l);
	struct imapd_config ic = {.hostname = "mx.dominio.de.maria"};
	struct imapd *d = imapd_new(&w->env, w->host[MX], w->maria_store, &ic);
	send_draft(w, "maria@dominio.de.maria", NULL);
	sim_run_until(w->env.sim, 10 * SIM_S);
	static const char *const typed[] = {"a1 LOGIN maria serenata", "a2 SELECT INBOX", "a3 SEARCH FROM juan",
					    "a4 IDLE", "DONE", "a5 LOGOUT"};
	struct typist *t = typist_start(&w->env, w->host[LAPTOP], w->ip[MX], 143, typed, 6);
	REQUIRE(t);
	sim_run_until(w->env.sim, 60 * SIM_S);
	CHECK(typist_typed(t) == 6 && typist_done(t));
	CHECK(strstr(l->text, "C a3 SEARCH FROM juan\nS * SEARCH 1\nS a3 OK SEARCH completed\n") != NULL);
	CHECK(strstr(l->text, "C a4 IDLE\nS + idling\nC DONE\nS a4 OK IDLE terminated\n") != NULL);
	CHECK(strstr(l->text, "S a5 OK LOGOUT completed\n") != NULL);
	typist_free(&t);
	imapd_free(&d);
	world_free(w);
	free(w);
	free(l);
}

/* A wrong password and a server that is not there are reported. */
static void test_failures(void)
{
	struct world *w = calloc(1, sizeof *w);
	world_init(w);
	struct imapd_config ic = {.hostname = "mx.dominio.de.maria"};
	struct imapd *d = imapd_new(&w->env, w->host[MX], w->maria_store, &ic);
	CHECK(imapd_new(&w->env, w->host[MX], w->maria_store, &ic) == NULL); /* port taken */
	static const char *const kv[] = {"select", "INBOX"};
	struct imap_reader_step *st = steps(kv, 1);
	struct imap_reader_config c = {.user = "maria", .password = "wrong", .server_ip = w->ip[MX], .steps = st,
				       .step_count = 1};
	struct imap_reader *r1 = imap_reader_start(&w->env, w->host[LAPTOP], &c);
	c.server_ip = w->ip[GW]; /* no IMAP there */
	struct imap_reader *r2 = imap_reader_start(&w->env, w->host[LAPTOP], &c);
	sim_run_until(w->env.sim, 60 * SIM_S);
	CHECK(!imap_reader_stats(r1)->logged_in && imap_reader_stats(r1)->done);
	CHECK(strstr(imap_reader_stats(r1)->last_error, "AUTHENTICATIONFAILED") != NULL);
	CHECK(!imap_reader_stats(r2)->connected && imap_reader_stats(r2)->done);
	CHECK(strstr(imap_reader_stats(r2)->last_error, "connection") != NULL);
	char err[200];
	struct imap_reader_step bad;
	CHECK(imap_reader_step_parse("frobnicate", "x", &bad, err, sizeof err) < 0);
	CHECK(imap_reader_step_parse("idle", "soon", &bad, err, sizeof err) < 0);
	CHECK(imap_reader_step_parse("move", "1", &bad, err, sizeof err) < 0);
	CHECK(imap_reader_step_parse("select", "", &bad, err, sizeof err) < 0);
	CHECK(imap_reader_step_parse("store", "1 +FLAGS x\r\nA LOGOUT", &bad, err, sizeof err) < 0);
	/* The host crashes with a reader idling: the session is lost, the
	 * mail is not; after the restart a new reader logs in again. */
	static const char *const idle_kv[] = {"select", "INBOX", "idle", "60s"};
	struct imap_reader_step *is = steps(idle_kv, 2);
	c.password = "serenata";
	c.server_ip = w->ip[MX];
	c.steps = is;
	c.step_count = 2;
	struct imap_reader *r3 = imap_reader_start(&w->env, w->host[LAPTOP], &c);
	sim_run_until(w->env.sim, 70 * SIM_S);
	CHECK(imap_reader_stats(r3)->logged_in && !imap_reader_stats(r3)->done);
	CHECK(imapd_stats(d)->active == 1);
	tcp_host_reset(w->env.tcp, w->host[MX]);
	imapd_crash(d);
	CHECK(imapd_stats(d)->active == 0);
	sim_run_until(w->env.sim, 200 * SIM_S);
	CHECK(imap_reader_stats(r3)->done);
	imapd_restart(d);
	struct imap_reader *r4 = imap_reader_start(&w->env, w->host[LAPTOP], &c);
	sim_run_until(w->env.sim, 400 * SIM_S);
	CHECK(imap_reader_stats(r4)->logged_in && imap_reader_stats(r4)->done && imap_reader_stats(r4)->bad == 0);
	imap_reader_free(&r3);
	imap_reader_free(&r4);
	imap_reader_step_clear(&is[0]);
	imap_reader_step_clear(&is[1]);
	free(is);
	imap_reader_free(&r1);
	imap_reader_free(&r2);
	imap_reader_step_clear(&st[0]);
	free(st);
	imapd_free(&d);
	world_free(w);
	free(w);
}

int main(void)
{
	RUN(test_smtp_then_imap);
	RUN(test_failures);
	RUN(test_typed_session);
	CHECK(blob_live_count() == 0);
	return harness_done();
}

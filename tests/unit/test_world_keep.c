/* What a long run must not keep: a UA with "local_keep" trims its local
 * INBOX (POP3 downloads) and Sent to the newest N, and the world frees a
 * finished IMAP reader while still answering for its stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/agents/imap_reader.h"
#include "sim/core/sim.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define SEND(t) "{\"at\": \"" t "\", \"ua\": \"pc\", \"send\": {\"to\": \"maria@d.example\", \"subject\": \"n" t "\", \"text\": \"hola\\n\"}},"

static const char *scenario_text(const char *keep)
{
	static char text[4096];
	snprintf(text, sizeof text,
		 "{\"hosts\": [{\"name\": \"mx\", \"ip\": \"10.0.0.1\"}, {\"name\": \"pc\", \"ip\": \"10.0.0.2\"}],"
		 "\"links\": [{\"a\": \"mx\", \"b\": \"pc\"}],"
		 "\"mtas\": [{\"host\": \"mx\", \"domains\": [\"d.example\"], \"imap\": true, \"pop3\": true,"
		 "\"users\": [{\"address\": \"maria@d.example\", \"password\": \"x\"}]}],"
		 "\"uas\": [{\"host\": \"pc\", \"address\": \"maria@d.example\", \"mta\": \"mx\"%s}],"
		 "\"mail\": [" SEND("1s") SEND("2s") SEND("3s") SEND("4s")
		 "{\"at\": \"20s\", \"imap\": {\"ua\": \"pc\", \"server\": \"mx\", \"user\": \"maria\", \"password\": \"x\","
		 " \"steps\": [{\"sync\": \"INBOX\"}, {\"fetch\": \"1:* (FLAGS)\"}]}},"
		 "{\"at\": \"40s\", \"pop3\": {\"ua\": \"pc\", \"server\": \"mx\", \"user\": \"maria\", \"password\": \"x\"}},"
		 "{\"at\": \"90s\", \"ua\": \"pc\", \"flush\": \"mx\"}],"
		 "\"expect\": [{\"mailbox\": \"maria@d.example\", \"ua\": \"pc\", \"messages\": 2},"
		 "{\"mailbox\": \"maria@d.example\", \"ua\": \"pc\", \"folder\": \"Sent\", \"messages\": 2},"
		 "{\"mailbox\": \"maria@d.example\", \"messages\": 0}]}",
		 keep);
	return text;
}

/* Runs the scenario to 2 minutes; the failed expectations in *failed_r. */
static void run(const char *keep, int check_imap, size_t *failed_r)
{
	*failed_r = 99;
	struct scn_diag *diag = scn_diag_new();
	const char *text = scenario_text(keep);
	struct scenario *s = scenario_load_text("t.json", text, strlen(text), diag);
	if (!s && scn_diag_kept(diag))
		fprintf(stderr, "%s\n", scn_diag_message(diag, 0));
	scn_diag_free(&diag);
	REQUIRE(s);
	char err[256] = "";
	struct scn_world *w = scn_world_new(s, 1, err, sizeof err);
	REQUIRE(w);
	size_t imap_action = 4;
	REQUIRE(s->mail[imap_action].kind == SCN_MAIL_IMAP);
	CHECK(scn_world_imap_stats(w, imap_action) == NULL); /* not started yet */
	scn_world_run(w, 30 * SIM_S);
	scn_world_run(w, 120 * SIM_S);
	if (check_imap) {
		/* Reaped at a later action: freed, its stats kept. */
		CHECK(scn_world_imap_reader(w, imap_action) == NULL);
		const struct imap_reader_stats *st = scn_world_imap_stats(w, imap_action);
		REQUIRE(st);
		CHECK(st->logged_in && st->done && st->exists == 4 && st->no == 0 && st->bad == 0);
		CHECK(scn_world_imap_stats(w, 0) == NULL); /* a send action */
	}
	*failed_r = scn_world_mail_failed_expectations(w, stderr);
	scn_world_free(&w);
	scenario_free(&s);
}

static void test_local_keep(void)
{
	size_t failed;
	run(", \"local_keep\": 2", 1, &failed);
	CHECK(failed == 0);
	/* Without it the PC keeps all four in each: two expectations fail. */
	run("", 0, &failed);
	CHECK(failed == 2);
}

static void test_local_keep_errors(void)
{
	struct scn_diag *diag = scn_diag_new();
	const char *text = scenario_text(", \"local_keep\": -1");
	struct scenario *s = scenario_load_text("t.json", text, strlen(text), diag);
	CHECK(s == NULL);
	CHECK(scn_diag_kept(diag) && strstr(scn_diag_message(diag, 0), "local_keep"));
	scenario_free(&s);
	scn_diag_free(&diag);
}

int main(void)
{
	RUN(test_local_keep);
	RUN(test_local_keep_errors);
	return harness_done();
}

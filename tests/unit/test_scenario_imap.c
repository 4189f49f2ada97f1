/* The scenario loader's IMAP keys: an MTA's "imap" and the "imap" timeline
 * action, its steps and their errors (each naming the JSON path and what
 * was expected). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/agents/imap_reader.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"

static struct scn_diag *diag;

#define HEAD                                                                                                   \
	"{\"hosts\": [{\"name\": \"mx\", \"ip\": \"10.0.0.1\"}, {\"name\": \"phone\", \"ip\": \"10.0.0.2\"}],"    \
	"\"links\": [{\"a\": \"mx\", \"b\": \"phone\"}],"                                                        \
	"\"mtas\": [{\"host\": \"mx\", \"domains\": [\"d.example\"], \"imap\": %s,"                               \
	"\"users\": [{\"address\": \"maria@d.example\", \"password\": \"x\"}]}],"                                 \
	"\"mail\": [{\"at\": \"1s\", \"imap\": %s}]}"

static const char *first_error(const char *imap_on, const char *action)
{
	static char buf[1024];
	char text[4096];
	snprintf(text, sizeof text, HEAD, imap_on, action);
	scn_diag_clear(diag);
	struct scenario *s = scenario_load_text("t.json", text, strlen(text), diag);
	if (s) {
		scenario_free(&s);
		return "";
	}
	snprintf(buf, sizeof buf, "%s", scn_diag_kept(diag) ? scn_diag_message(diag, 0) : "(no message)");
	return buf;
}

static void test_model(void)
{
	char text[4096];
	snprintf(text, sizeof text, HEAD, "true",
		 "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"maria\", \"password\": \"x\", \"steps\": "
		 "[{\"sync\": \"INBOX\"}, {\"search\": \"FROM \\\"juan\\\"\"}, {\"fetch\": \"$ (ENVELOPE)\"}, "
		 "{\"expunge\": true}, {\"idle\": \"30s\"}, {\"create\": \"Mis cosas\"}]}");
	scn_diag_clear(diag);
	struct scenario *s = scenario_load_text("t.json", text, strlen(text), diag);
	REQUIRE(s);
	CHECK(s->mtas[0].imap == 1);
	REQUIRE(s->mail_count == 1 && s->mail[0].kind == SCN_MAIL_IMAP && s->mail[0].imap);
	const struct scn_imap *im = s->mail[0].imap;
	CHECK(im->host == 1 && im->server == 0 && im->port == 143);
	CHECK_STR(im->user, "maria");
	REQUIRE(im->step_count == 6);
	CHECK(im->steps[0].kind == IMAP_STEP_SYNC);
	CHECK_STR(im->steps[1].text, "SEARCH FROM \"juan\"");
	CHECK(im->steps[2].kind == IMAP_STEP_FETCH);
	CHECK_STR(im->steps[3].text, "EXPUNGE");
	CHECK(im->steps[4].kind == IMAP_STEP_IDLE && im->steps[4].duration == 30 * SIM_S);
	CHECK_STR(im->steps[5].text, "CREATE \"Mis cosas\"");
	scenario_free(&s);
}

static void test_errors(void)
{
	const char *ok_steps = "\"steps\": [{\"noop\": true}]";
	char a[1024];
	snprintf(a, sizeof a, "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"maria\", %s}", ok_steps);
	CHECK_STR(first_error("true", a), "");
	CHECK(strstr(first_error("false", a), "mail[0].imap.server: host \"mx\" runs no IMAP server") != NULL);
	snprintf(a, sizeof a, "{\"ua\": \"nowhere\", \"server\": \"mx\", \"user\": \"maria\", %s}", ok_steps);
	CHECK(strstr(first_error("true", a), "mail[0].imap.ua") != NULL);
	snprintf(a, sizeof a, "{\"ua\": \"phone\", \"server\": \"mx\", %s}", ok_steps);
	CHECK(strstr(first_error("true", a), "mail[0].imap.user: missing") != NULL);
	CHECK(strstr(first_error("true", "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"m\", \"steps\": "
					  "[{\"frobnicate\": \"x\"}]}"),
		     "mail[0].imap.steps[0].frobnicate: unknown IMAP step \"frobnicate\"") != NULL);
	CHECK(strstr(first_error("true", "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"m\", \"steps\": "
					  "[{\"idle\": \"forever\"}]}"),
		     "mail[0].imap.steps[0].idle: the idle step needs a duration") != NULL);
	CHECK(strstr(first_error("true", "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"m\", \"steps\": "
					  "[{\"select\": \"a\", \"fetch\": \"1\"}]}"),
		     "mail[0].imap.steps[0]: expected one step with one key") != NULL);
	CHECK(strstr(first_error("true", "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"m\", \"steps\": "
					  "[{\"store\": 7.5}, {\"select\": null}]}"),
		     "mail[0].imap.steps[1].select: expected a string") != NULL);
	CHECK(strstr(first_error("true", "{\"ua\": \"phone\", \"server\": \"mx\", \"user\": \"m\", \"steps\": "
					  "[], \"colour\": 1}"),
		     "mail[0].imap.colour: unknown key") != NULL);
}

int main(void)
{
	diag = scn_diag_new();
	RUN(test_model);
	RUN(test_errors);
	scn_diag_free(&diag);
	return harness_done();
}

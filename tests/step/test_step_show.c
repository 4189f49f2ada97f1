/* The stepper's display and --predict on POP3 and IMAP sessions, fed as
 * synthetic protocol lines (the engines publishing them are not in the
 * tree yet; the stepper must handle any proto on OBS_LINE generically):
 * status lines and response codes explained, a CAPA listing's
 * capabilities, a RETR answer shown as a message block with its body
 * elided and its final dot, IMAP tagged statuses and untagged data, and
 * the reply questions scored. Hosts come from the telnet-smtp-1 scenario. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/cli/step_internal.h"
#include "sim/core/sim.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

struct fixture {
	struct scenario *scn;
	struct scn_world *w;
	struct stepper st;
	char *out;
	size_t outlen;
	FILE *answers;
};

static int setup(struct fixture *f, const char *answers)
{
	memset(f, 0, sizeof *f);
	struct scn_diag *d = scn_diag_new();
	f->scn = scenario_load_file(MAILSIM_SOURCE_DIR "/scenarios/telnet-smtp-1.json", d);
	scn_diag_free(&d);
	char err[256];
	if (!f->scn || !(f->w = scn_world_new(f->scn, 1, err, sizeof err)))
		return -1;
	struct stepper *st = &f->st;
	st->world = f->w;
	st->scn = f->scn;
	st->net = scn_world_net(f->w);
	st->ex = explain_builtin(err, sizeof err);
	st->lang = EXPLAIN_EN;
	st->out = open_memstream(&f->out, &f->outlen);
	f->answers = fmemopen((void *)answers, strlen(answers), "r");
	st->in = f->answers;
	st->echo = 1;
	st->predict = 1;
	st->width = 20;
	st->mode = MODE_STEP;
	st->feed = step_feed_open(scn_world_sim(f->w), 0);
	st->seen = st->ex ? calloc(explain_count(st->ex) + 1, 1) : NULL;
	return st->ex && st->out && f->answers && st->feed && st->seen ? 0 : -1;
}

static void teardown(struct fixture *f)
{
	struct stepper *st = &f->st;
	step_feed_close(&st->feed);
	free(st->seen);
	free(st->sessions);
	explain_free(&st->ex);
	if (st->out)
		fclose(st->out);
	if (getenv("STEP_SHOW_PRINT") && f->out) /* to look at what a student sees */
		fputs(f->out, stderr);
	if (f->answers)
		fclose(f->answers);
	free(f->out);
	scn_world_free(&f->w);
	scenario_free(&f->scn);
}

/* Asks (predict) and shows one line from host to peer; returns whether
 * the stepper would stop after it. */
static int line(struct fixture *f, const char *proto, int client, const char *text)
{
	int milagro = 0, smtp1 = 1; /* the scenario's first two hosts */
	char copy[512];
	snprintf(copy, sizeof copy, "%s", text);
	struct step_item it = {.kind = STEP_LINE, .time = SIM_MS, .host = client ? milagro : smtp1,
			       .peer = client ? smtp1 : milagro, .conn_id = client ? 101 : 202, .from_client = client,
			       .text = copy};
	snprintf(it.proto, sizeof it.proto, "%s", proto);
	if (step_quiz(&f->st, &it) < 0)
		return -1;
	return step_show(&f->st, &it);
}

static int has(struct fixture *f, const char *needle)
{
	fflush(f->st.out);
	int ok = f->out && strstr(f->out, needle) != NULL;
	if (!ok)
		fprintf(stderr, "output lacks \"%s\"\n", needle);
	return ok;
}

static void test_pop3(void)
{
	struct fixture f;
	/* the greeting is a new connection: a hop question, then the reply */
	REQUIRE(setup(&f, "smtp-1\n+OK\n-ERR\nERR\n+OK\n+OK\n") == 0);
	CHECK(line(&f, "POP3", 0, "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>") == 1);
	CHECK(line(&f, "POP3", 1, "USER mcarri") == 1);
	CHECK(line(&f, "POP3", 0, "+OK") == 1);      /* answered -ERR: wrong */
	CHECK(line(&f, "POP3", 1, "PASS x") == 1);
	CHECK(line(&f, "POP3", 0, "-ERR [IN-USE] maildrop already locked") == 1); /* ERR: right */
	CHECK(line(&f, "POP3", 1, "CAPA") == 1);
	CHECK(line(&f, "POP3", 0, "+OK Capability list follows") == 1);
	CHECK(line(&f, "POP3", 0, "TOP") == 1);  /* first line of the listing: a stop */
	CHECK(line(&f, "POP3", 0, "UIDL") == 0);
	CHECK(line(&f, "POP3", 0, ".") == 1);
	CHECK(line(&f, "POP3", 1, "RETR 1") == 1);
	CHECK(line(&f, "POP3", 0, "+OK 120 octets") == 1);
	CHECK(line(&f, "POP3", 0, "Subject: hola") == 1);
	CHECK(line(&f, "POP3", 0, "") == 0);
	for (int i = 1; i <= 7; i++) {
		char b[32];
		snprintf(b, sizeof b, "body line %d", i);
		CHECK(line(&f, "POP3", 0, b) == 0);
	}
	CHECK(line(&f, "POP3", 0, ".") == 1);
	CHECK(line(&f, "POP3", 1, "QUIT") == 1);
	CHECK(line(&f, "POP3", 0, "+OK bye") == -1); /* no answer left: the end of input */
	CHECK(has(&f, "--- milagro connects to smtp-1"));
	CHECK(has(&f, "(POP3) ---"));
	CHECK(has(&f, "+OK, RFC 1939 3: Positive answer"));
	CHECK(has(&f, "USER, RFC 1939 7"));
	CHECK(has(&f, "IN-USE, RFC 2449 8.1.1"));
	CHECK(has(&f, "TOP, RFC 2449 6.1: The server implements TOP."));
	CHECK(has(&f, "UIDL, RFC 2449 6.8"));
	CHECK(has(&f, "multiline, RFC 1939 3"));
	CHECK(has(&f, "S: body line 4\n"));
	CHECK(!strstr(f.out, "S: body line 5\n"));
	CHECK(has(&f, "S: [... 3 more lines ...]\n"));
	CHECK(has(&f, "S: .\n"));
	/* hop right; +OK/-ERR: greeting right, -ERR for +OK wrong, ERR right,
	 * the listing's and message's +OK right; QUIT's +OK meets the end of
	 * the answers */
	CHECK_EQ_INT(f.st.asked[QUIZ_HOP], 1);
	CHECK_EQ_INT(f.st.right[QUIZ_HOP], 1);
	CHECK_EQ_INT(f.st.asked[QUIZ_REPLY], 5);
	CHECK_EQ_INT(f.st.right[QUIZ_REPLY], 4);
	teardown(&f);
}

static void test_imap(void)
{
	struct fixture f;
	REQUIRE(setup(&f, "\nOK\nNO\nOK\n") == 0);
	CHECK(line(&f, "IMAP", 0, "* OK [CAPABILITY IMAP4rev1 IDLE] ready") == 1); /* no reply question */
	CHECK(line(&f, "IMAP", 1, "a1 LOGIN maria x") == 1);
	CHECK(line(&f, "IMAP", 0, "a1 OK LOGIN completed") == 1);
	CHECK(line(&f, "IMAP", 1, "a2 SELECT INBOX") == 1);
	CHECK(line(&f, "IMAP", 0, "* 1 EXISTS") == 1);
	CHECK(line(&f, "IMAP", 0, "* OK [UIDVALIDITY 7] UIDs valid") == 1);
	CHECK(line(&f, "IMAP", 0, "a2 OK [READ-WRITE] SELECT completed") == 1);
	CHECK(line(&f, "IMAP", 1, "a3 IDLE") == 1);
	CHECK(line(&f, "IMAP", 0, "+ idling") == 1);
	CHECK(line(&f, "IMAP", 0, "* 2 EXISTS") == 1);
	CHECK(line(&f, "IMAP", 1, "DONE") == 1);
	CHECK(line(&f, "IMAP", 0, "a3 OK IDLE terminated") == 1);
	CHECK(has(&f, "CAPABILITY, RFC 3501 7.1"));
	CHECK(has(&f, "LOGIN, RFC 3501 6.2.3"));
	CHECK(has(&f, "EXISTS, RFC 3501 7.3.1"));
	CHECK(has(&f, "UIDVALIDITY, RFC 3501 7.1, 2.3.1.1"));
	CHECK(has(&f, "READ-WRITE, RFC 3501 7.1"));
	CHECK(has(&f, "IDLE, RFC 2177 3"));
	CHECK(has(&f, "+, RFC 3501 7.5"));
	CHECK(has(&f, "DONE, RFC 2177 3"));
	/* the hop skipped; tagged statuses: OK right, NO wrong, OK right */
	CHECK_EQ_INT(f.st.asked[QUIZ_HOP], 0);
	CHECK_EQ_INT(f.st.asked[QUIZ_REPLY], 3);
	CHECK_EQ_INT(f.st.right[QUIZ_REPLY], 2);
	teardown(&f);
}

/* The end of the answers ends the quiz: step_quiz reports it. */
static void test_end_of_input(void)
{
	struct fixture f;
	REQUIRE(setup(&f, "") == 0);
	CHECK(line(&f, "POP3", 0, "+OK ready") == -1);
	teardown(&f);
}

int main(void)
{
	RUN(test_pop3);
	RUN(test_imap);
	RUN(test_end_of_input);
	return harness_done();
}

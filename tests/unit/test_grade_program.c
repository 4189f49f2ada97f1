/* Kind "program" (sim/grade/grade_program.h) driven directly, without the
 * grader's checks: each submission of the smtp-client-program exercise is
 * compiled and run against a fresh world through the bridge, the world is
 * run on to its end, and the mailboxes and the outcome are what the
 * submission deserves: the references deliver the whole message, the
 * mistakes lose what they should, the hostile ones are contained and said
 * why. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/grade/grade_program.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

#define EX_DIR MAILSIM_SOURCE_DIR "/scenarios/exercises/smtp-client-program"

static struct scenario *scn;
static cJSON *exercise;

static char *slurp(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	*len_r = n;
	return buf;
}

struct result {
	struct grade_program_outcome po;
	int rc;
	size_t local, remote;   /* messages in mcarri's and pepe's INBOX */
	char local_text[4096];  /* mcarri's first message */
	char *detail_en, *detail_es;
};

static size_t inbox(struct scn_world *w, size_t mta, const char *user, char *text, size_t cap)
{
	struct ms_user *u = mailstore_find_user(scn_world_mailstore(w, mta), user);
	struct ms_folder *f = u ? ms_folder_find(u, "INBOX") : NULL;
	if (!f)
		return 0;
	if (text && ms_folder_size(f)) {
		const struct blob *b = ms_folder_message(f, 0)->body;
		size_t n = blob_len(b) < cap - 1 ? blob_len(b) : cap - 1;
		memcpy(text, blob_data(b), n);
		text[n] = 0;
	}
	return ms_folder_size(f);
}

static void grade(const char *sub, struct result *r)
{
	memset(r, 0, sizeof *r);
	char path[600], err[512] = "";
	snprintf(path, sizeof path, EX_DIR "/submissions/%s", sub);
	size_t len;
	char *src = slurp(path, &len);
	REQUIRE(src != NULL);
	struct grade_program_spec spec;
	REQUIRE(grade_program_spec_from_json(cJSON_GetObjectItem(exercise, "submission"), &spec, err, sizeof err) == 0);
	spec.source = src;
	spec.source_len = len;
	spec.source_name = sub;
	spec.until = 120 * SIM_S;
	struct scn_world *w = scn_world_new(scn, scn->seed, err, sizeof err);
	REQUIRE(w != NULL);
	r->rc = grade_program_run(w, &spec, &r->po, err, sizeof err);
	if (r->rc < 0)
		fprintf(stderr, "%s: %s\n", sub, err);
	scn_world_run(w, spec.until);
	r->local = inbox(w, 0, "mcarri@dc.uba.ar", r->local_text, sizeof r->local_text);
	r->remote = inbox(w, 1, "pepe@gil.com.ar", NULL, 0);
	r->detail_en = grade_program_outcome_detail(&r->po, EXPLAIN_EN);
	r->detail_es = grade_program_outcome_detail(&r->po, EXPLAIN_ES);
	scn_world_free(&w);
	grade_program_spec_clear(&spec);
	free(src);
}

static void result_clear(struct result *r)
{
	grade_program_outcome_clear(&r->po);
	free(r->detail_en);
	free(r->detail_es);
}

static void check_full_delivery(const char *sub)
{
	struct result r;
	grade(sub, &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(grade_program_outcome_ok(&r.po));
	CHECK_EQ_INT(r.po.connections, 1);
	CHECK_EQ_INT(r.local, 1);
	CHECK_EQ_INT(r.remote, 1);
	CHECK(strstr(r.local_text, "\r\n.profile y .bashrc ya estan listos\r\n") != NULL);
	CHECK(strstr(r.local_text, "\r\n.\r\n") != NULL);
	CHECK(strstr(r.local_text, "Chau!") != NULL);
	CHECK(r.detail_en && strstr(r.detail_en, "exited with status 0; it opened 1 connection to the server"));
	CHECK(r.detail_es && strstr(r.detail_es, "terminó con estado 0; abrió 1 conexión al servidor"));
	CHECK(strstr(r.po.run.out, "sent: 250") != NULL);
	if (!grade_program_outcome_ok(&r.po))
		fprintf(stderr, "%s: %s\n", sub, r.detail_en);
	result_clear(&r);
}

static void test_reference_python(void) { check_full_delivery("reference.py"); }
static void test_reference_c(void) { check_full_delivery("reference.c"); }

static void test_no_dot_stuffing(void)
{
	struct result r;
	grade("wrong-no-dot-stuffing.c", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK_EQ_INT(r.local, 1);
	/* Cut at the lone dot. */
	CHECK(strstr(r.local_text, "la lista de pasos:") != NULL);
	CHECK(strstr(r.local_text, ".profile") == NULL);
	CHECK(strstr(r.local_text, "Chau!") == NULL);
	result_clear(&r);
}

static void test_no_quit_hits_wall(void)
{
	struct result r;
	grade("wrong-no-quit.py", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(r.po.run.limit == SANDBOX_LIMIT_WALL);
	CHECK_EQ_INT(r.local, 1);
	CHECK(r.detail_en && strstr(r.detail_en, "was stopped at the time limit (10 s)"));
	/* Its print() stayed in Python's buffer: killed, never written. */
	result_clear(&r);
}

static void test_outside_address_unreachable(void)
{
	struct result r;
	grade("wrong-outside-address.py", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(r.po.run.exited && r.po.run.exit_code == 1);
	CHECK(strstr(r.po.run.err, "Network is unreachable") != NULL);
	CHECK(strstr(r.po.run.out, "connected to the outside") == NULL);
	CHECK_EQ_INT(r.po.connections, 0);
	CHECK_EQ_INT(r.local, 0);
	CHECK(r.detail_en && strstr(r.detail_en, "Network is unreachable"));
	result_clear(&r);
}

static void test_compile_error(void)
{
	struct result r;
	grade("wrong-compile-error.c", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(r.po.status == GRADE_PROGRAM_NOT_COMPILED);
	CHECK(!grade_program_outcome_ok(&r.po));
	CHECK(strstr(r.po.compile.err, "submission.c:6") != NULL);
	CHECK(r.detail_en && strstr(r.detail_en, "the program did not compile: the compiler exited with status 1"));
	CHECK(r.detail_en && strstr(r.detail_en, "The compiler said:\nsubmission.c:"));
	CHECK(r.detail_es && strstr(r.detail_es, "el programa no compiló"));
	CHECK_EQ_INT(r.local, 0);
	result_clear(&r);
}

static void test_endless_loop_cpu(void)
{
	struct result r;
	grade("wrong-endless-loop.c", &r);
	CHECK_EQ_INT(r.rc, 0);
	/* On a machine loaded beyond its cores the wall limit (10 s) can come
	 * before 3 s of CPU; either way it is stopped and told so. */
	CHECK(r.po.run.limit == SANDBOX_LIMIT_CPU || r.po.run.limit == SANDBOX_LIMIT_WALL);
	if (r.po.run.limit == SANDBOX_LIMIT_CPU)
		CHECK(r.detail_en && strstr(r.detail_en, "CPU time limit (3 s)"));
	else
		CHECK(r.po.run.cpu_ms > 0);
	result_clear(&r);
}

static void test_fork_bomb_contained(void)
{
	struct result r;
	grade("wrong-fork-bomb.c", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(!grade_program_outcome_ok(&r.po));
	CHECK(r.po.run.limit == SANDBOX_LIMIT_WALL || r.po.run.limit == SANDBOX_LIMIT_CPU);
	CHECK(r.po.run.wall_ms < 30000);
	CHECK_EQ_INT(r.local, 0);
	result_clear(&r);
}

static void test_memory_hog(void)
{
	struct result r;
	grade("wrong-memory-hog.py", &r);
	CHECK_EQ_INT(r.rc, 0);
	CHECK(r.po.run.limit == SANDBOX_LIMIT_MEMORY);
	CHECK(r.detail_en && strstr(r.detail_en, "memory limit (256 MiB)"));
	result_clear(&r);
}

static void test_wrong_language(void)
{
	struct grade_program_spec spec;
	char err[256];
	REQUIRE(grade_program_spec_from_json(cJSON_GetObjectItem(exercise, "submission"), &spec, err, sizeof err) == 0);
	spec.source = "echo hi";
	spec.source_len = 7;
	spec.source_name = "dir.v2/mine.sh";
	struct scn_world *w = scn_world_new(scn, scn->seed, err, sizeof err);
	REQUIRE(w != NULL);
	struct grade_program_outcome po;
	CHECK(grade_program_run(w, &spec, &po, err, sizeof err) == 0);
	CHECK(po.status == GRADE_PROGRAM_WRONG_LANG);
	char line[300];
	CHECK_STR(grade_program_outcome_line(&po, EXPLAIN_EN, line, sizeof line),
		  "the submission is a \".sh\" file; this exercise takes a program in C (.c) or Python (.py)");
	grade_program_outcome_clear(&po);
	scn_world_free(&w);
	grade_program_spec_clear(&spec);
}

/* Whatever bytes a program prints, the detail is valid UTF-8 text. */
static void test_detail_is_clean_text(void)
{
	struct grade_program_outcome po;
	memset(&po, 0, sizeof po);
	po.status = GRADE_PROGRAM_RAN;
	po.lang = GRADE_PROGRAM_PYTHON;
	po.isolated = 1;
	po.run.exited = 1;
	static const char junk[] = "ok \xc3\xa1\n\xff\xfe bad \x01\x1b[31m \xed\xa0\x80 \xf0\x9f\x98\x80\x00" "end";
	po.run.out = malloc(sizeof junk);
	REQUIRE(po.run.out != NULL);
	memcpy(po.run.out, junk, sizeof junk);
	po.run.out_len = sizeof junk - 1;
	char *d = grade_program_outcome_detail(&po, EXPLAIN_EN);
	REQUIRE(d != NULL);
	CHECK(strstr(d, "Its standard output ended with:\nok \xc3\xa1\n?? bad ??[31m ??? \xf0\x9f\x98\x80?end\n") != NULL);
	free(d);
	grade_program_outcome_clear(&po);
}

/* The teacher's mistakes in the submission object are named by key. */
static void test_spec_errors(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{\"languages\": [\"c\", \"rust\"]}", "submission.languages:"},
		{"{\"wall_limit\": \"forever\"}", "submission.wall_limit:"},
		{"{\"wall_limit\": \"1h\"}", "submission.wall_limit:"},
		{"{\"memory_mb\": 2}", "submission.memory_mb:"},
		{"{\"bridge\": {\"via\": \"a\", \"from\": \"b\"}}", "submission.bridge.from: unknown key"},
		{"{\"bridge\": {\"port\": 70000}}", "submission.bridge.port:"},
		{"{\"args\": [\"a\", 3]}", "submission.args[1]:"},
		{"{\"env\": {\"MAILSIM_SMTP_PORT\": \"1\"}}", "submission.env.MAILSIM_SMTP_PORT:"},
		{"{\"env\": {\"A B\": \"1\"}}", "submission.env.A B:"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		cJSON *j = cJSON_Parse(cases[i].json);
		struct grade_program_spec spec;
		char err[300] = "";
		CHECK(grade_program_spec_from_json(j, &spec, err, sizeof err) < 0);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
		CHECK(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0);
		cJSON_Delete(j);
	}
}

int main(void)
{
	size_t len;
	char *text = slurp(EX_DIR "/exercise.json", &len);
	exercise = text ? cJSON_Parse(text) : NULL;
	free(text);
	struct scn_diag *d = scn_diag_new();
	scn = scenario_load_file(EX_DIR "/scenario.json", d);
	scn_diag_free(&d);
	if (!exercise || !scn) {
		fprintf(stderr, "test_grade_program: cannot load the exercise\n");
		return 1;
	}
	RUN(test_spec_errors);
	RUN(test_detail_is_clean_text);
	RUN(test_wrong_language);
	RUN(test_reference_python);
	RUN(test_reference_c);
	RUN(test_no_dot_stuffing);
	RUN(test_outside_address_unreachable);
	RUN(test_compile_error);
	RUN(test_memory_hog);
	RUN(test_endless_loop_cpu);
	RUN(test_no_quit_hits_wall);
	RUN(test_fork_bomb_contained);
	scenario_free(&scn);
	cJSON_Delete(exercise);
	return harness_done();
}

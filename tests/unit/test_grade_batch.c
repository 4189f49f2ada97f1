/* Unit tests of the batch grader's parts (sim/grade/grade_batch*.c): the
 * process pool (with /bin/sh children: timeouts, signals, output caps,
 * exec failures, grandchildren holding the pipes, -j 2 ordering), the
 * report parser, the CSV bytes (RFC 4180 quoting) and the summary, and
 * grade_batch_run() on bad input with the real mailsim binary as the
 * child. The whole pipeline over real exercises is tests/grade_batch.cmake. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "sim/grade/grade_batch.h"
#include "sim/grade/grade_batch_internal.h"

#define SH "/bin/sh"

static void run_sh(const char *const *scripts, size_t n, int jobs, double timeout_s, struct gb_child *kids)
{
	char **argvs[8];
	for (size_t i = 0; i < n; i++) {
		argvs[i] = calloc(4, sizeof(char *));
		argvs[i][0] = "sh";
		argvs[i][1] = "-c";
		argvs[i][2] = (char *)scripts[i];
	}
	char err[200] = "";
	memset(kids, 0, n * sizeof *kids);
	CHECK_EQ_INT(gb_pool_run(SH, (char **const *)argvs, n, jobs, timeout_s, kids, err, sizeof err), 0);
	for (size_t i = 0; i < n; i++)
		free(argvs[i]);
}

static void test_pool_outcomes(void)
{
	const char *scripts[] = {
		"printf '{\"a\": 1}'; echo oops >&2; exit 1",
		"sleep 30",
		"kill -SEGV $$",
		"echo refused >&2; exit 2",
		"head -c 17000000 /dev/zero",
		"sleep 30 & echo bye; exit 0", /* a grandchild keeps the pipes */
	};
	struct gb_child kids[6];
	run_sh(scripts, 6, 2, 1.5, kids);
	CHECK(kids[0].started && kids[0].exited);
	CHECK_EQ_INT(kids[0].exit_code, 1);
	CHECK_STR(kids[0].out, "{\"a\": 1}");
	CHECK_STR(kids[0].err, "oops\n");
	CHECK(kids[1].timed_out);
	CHECK(!kids[1].exited);
	CHECK_EQ_INT(kids[2].signal, 11);
	CHECK(!kids[2].timed_out);
	CHECK_EQ_INT(kids[3].exit_code, 2);
	CHECK_STR(kids[3].err, "refused\n");
	CHECK(kids[4].out_overflow);
	CHECK(kids[4].out_len <= GB_OUT_CAP);
	/* The grandchild was killed with the group when its parent was
	 * reaped, so the exit counts and nothing timed out. */
	CHECK(kids[5].exited && kids[5].exit_code == 0 && !kids[5].timed_out);
	CHECK_STR(kids[5].out, "bye\n");
	for (int i = 0; i < 6; i++)
		gb_child_clear(&kids[i]);
}

static void test_pool_exec_failure(void)
{
	char *argv[] = {"x", NULL};
	char **argvs[1] = {argv};
	struct gb_child kid = {0};
	char err[100];
	CHECK_EQ_INT(gb_pool_run("/nonexistent/mailsim", argvs, 1, 1, 5, &kid, err, sizeof err), 0);
	CHECK(!kid.started);
	CHECK_EQ_INT(kid.spawn_errno, ENOENT);
	struct gb_row row = {0};
	CHECK_EQ_INT(gb_row_from_child(&row, &kid, 5, 0), 0);
	CHECK_EQ_INT(row.status, GB_ERROR);
	CHECK(row.reason && strstr(row.reason, "could not be started"));
	gb_row_clear(&row);
	gb_child_clear(&kid);
}

/* Children finishing in another order than started still land in their
 * own slots. */
static void test_pool_order(void)
{
	const char *scripts[] = {"sleep 0.3; echo 0", "echo 1", "sleep 0.1; echo 2", "echo 3"};
	struct gb_child kids[4];
	run_sh(scripts, 4, 2, 10, kids);
	for (int i = 0; i < 4; i++) {
		char want[4];
		snprintf(want, sizeof want, "%d\n", i);
		CHECK_STR(kids[i].out, want);
		gb_child_clear(&kids[i]);
	}
}

static const char REPORT[] =
	"{\"exercise\": \"x\", \"status\": \"graded\", \"score\": 3.5, \"max_score\": 5,\n"
	" \"checks\": [{\"id\": \"a\", \"score\": 2, \"passed\": true},\n"
	"            {\"id\": \"b,c\", \"score\": 1.5, \"passed\": false}]}\n";

static void test_parse_report(void)
{
	struct gb_row row = {0};
	char why[200];
	REQUIRE(gb_row_parse_report(&row, REPORT, strlen(REPORT), why, sizeof why) == 0);
	CHECK_EQ_INT(row.status, GB_GRADED);
	CHECK(row.score == 3.5 && row.max_score == 5);
	CHECK_EQ_INT(row.nchecks, 2);
	CHECK_STR(row.checks[1].id, "b,c");
	CHECK(!row.checks[1].passed && row.checks[0].passed);
	gb_row_clear(&row);

	const char *rej = "{\"status\": \"rejected\", \"reason\": \"too big\", \"score\": 0, \"max_score\": 5,"
			  " \"checks\": []}";
	REQUIRE(gb_row_parse_report(&row, rej, strlen(rej), why, sizeof why) == 0);
	CHECK_EQ_INT(row.status, GB_REJECTED);
	CHECK_STR(row.reason, "too big");
	gb_row_clear(&row);

	static const char *const bad[] = {
		"",
		"hello",
		"{\"status\": \"graded\", \"score\": 1, \"max_score\": 2, \"checks\": []} trailing",
		"[1, 2]",
		"{\"status\": \"done\", \"score\": 1, \"max_score\": 2, \"checks\": []}",
		"{\"status\": \"graded\", \"score\": \"1\", \"max_score\": 2, \"checks\": []}",
		"{\"status\": \"graded\", \"score\": 1, \"max_score\": 2}",
		"{\"status\": \"graded\", \"score\": 1, \"max_score\": 2, \"checks\": [{\"id\": \"a\", \"score\": 1}]}",
		"{\"status\": \"graded\", \"score\": 1, \"max_score\": 2, \"checks\": [{\"id\": \"a\", \"score\": 1, "
		"\"passed\": true}, {\"id\": \"a\", \"score\": 0, \"passed\": false}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why[0] = 0;
		CHECK(gb_row_parse_report(&row, bad[i], strlen(bad[i]), why, sizeof why) < 0);
		CHECK(why[0] != 0);
		CHECK(row.checks == NULL && row.reason == NULL);
	}
}

static void test_rows_from_children(void)
{
	struct gb_child c = {.started = 1, .exited = 1, .exit_code = 1};
	c.out = strdup(REPORT);
	c.out_len = strlen(REPORT);
	struct gb_row row = {0};
	CHECK_EQ_INT(gb_row_from_child(&row, &c, 10, 0), 0);
	CHECK_EQ_INT(row.status, GB_GRADED);
	gb_row_clear(&row);
	/* A valid report from a child that exited 2 is still a refusal. */
	c.exit_code = 2;
	snprintf(c.err, sizeof c.err, "mailsim grade: x: no such file\nmore\n");
	CHECK_EQ_INT(gb_row_from_child(&row, &c, 10, 0), 0);
	CHECK_EQ_INT(row.status, GB_ERROR);
	CHECK_STR(row.reason, "the grader refused it (exit status 2): mailsim grade: x: no such file");
	gb_row_clear(&row);
	c.exit_code = 0;
	c.timed_out = 1;
	CHECK_EQ_INT(gb_row_from_child(&row, &c, 2.5, 1), 0);
	CHECK_STR(row.reason, "superó el tiempo límite de 2.5 s (terminado)");
	gb_row_clear(&row);
	gb_child_clear(&c);
}

static char *print_to_string(const struct gb_table *t, int csv)
{
	FILE *f = tmpfile();
	if (!f)
		return NULL;
	if (csv)
		gb_print_csv(t, f);
	else
		gb_print_summary(t, "subs", f);
	long n = ftell(f);
	rewind(f);
	char *s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void test_csv_and_summary(void)
{
	struct gb_check a1[] = {{"a", 2, 1}, {"b,c", 3, 1}};
	struct gb_check a2[] = {{"a", 0, 0}, {"b,c", 3, 1}};
	struct gb_check a3[] = {{"a", 0, 0}, {"b,c", 0, 0}};
	struct gb_row rows[] = {
		{.name = "ana", .status = GB_GRADED, .score = 5, .max_score = 5, .has_max = 1, .checks = a1, .nchecks = 2},
		{.name = "bo \"b\", x", .status = GB_GRADED, .score = 3, .max_score = 5, .has_max = 1, .checks = a2,
		 .nchecks = 2},
		{.name = "cy", .status = GB_REJECTED, .score = 0, .max_score = 5, .has_max = 1, .reason = "not UTF-8",
		 .checks = a3, .nchecks = 2},
		{.name = "di\nx", .status = GB_ERROR, .reason = "timed out after 60 s (killed)"},
	};
	char *cols[] = {"a", "b,c"};
	struct gb_table t = {.exercise = "ex", .rows = rows, .nrows = 4, .columns = cols, .ncolumns = 2,
			     .max_score = 5};
	char *csv = print_to_string(&t, 1);
	CHECK_STR(csv, "submission,score,max_score,status,a,\"b,c\",reason\r\n"
		       "ana,5,5,graded,2,3,\r\n"
		       "\"bo \"\"b\"\", x\",3,5,graded,0,3,\r\n"
		       "cy,0,5,rejected,0,0,not UTF-8\r\n"
		       "\"di\nx\",0,5,error,0,0,timed out after 60 s (killed)\r\n");
	free(csv);
	char *sum = print_to_string(&t, 0);
	REQUIRE(sum != NULL);
	CHECK(strstr(sum, "Exercise ex: 4 submissions in subs\n") != NULL);
	CHECK(strstr(sum, "graded 2, rejected 1, errors 1\n") != NULL);
	CHECK(strstr(sum, "mean 2, median 1.5, min 0, max 5 (errors count as 0)") != NULL);
	CHECK(strstr(sum, "[0-0.5)            2 ########################################\n") != NULL);
	CHECK(strstr(sum, "[4.5-5]            1 ####################\n") != NULL);
	/* a failed in bo and cy; b,c only in cy. */
	CHECK(strstr(sum, "Most-failed checks (of 3 graded or rejected):\n  a   2\n  b,c 1\n") != NULL);
	CHECK(strstr(sum, "  cy: not UTF-8\n") != NULL);
	CHECK(strstr(sum, "  di?x: timed out after 60 s (killed)\n") != NULL);
	free(sum);
}

static int make_dir_with(const char *dir, const char *name)
{
	char path[300];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("HELO x\n", f);
	return fclose(f);
}

/* Bad input stops before grading, with exit 2 and no CSV, whatever the
 * real binary's grader makes of the exercise. */
static void test_run_bad_input(void)
{
	char dir[] = "/tmp/test-grade-batch-XXXXXX";
	REQUIRE(mkdtemp(dir) != NULL);
	char subs[100], empty[100], csv[100];
	snprintf(subs, sizeof subs, "%s/subs", dir);
	snprintf(empty, sizeof empty, "%s/empty", dir);
	snprintf(csv, sizeof csv, "%s/grades.csv", dir);
	REQUIRE(make_dir_with(subs, "alice.txt") == 0);
	REQUIRE(make_dir_with(subs, ".hidden") == 0);
	REQUIRE(mkdir(empty, 0755) == 0);
	FILE *out = tmpfile(), *err = tmpfile();
	REQUIRE(out && err);
	struct grade_batch_opts o = {.exercise = "/nonexistent/exercise.json", .batch_dir = subs, .csv_path = csv,
				     .jobs = 2, .timeout_s = 30, .program = MAILSIM_BINARY_DIR "/bin/mailsim"};
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	CHECK(access(csv, F_OK) != 0);
	o.batch_dir = empty;
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	o.batch_dir = "/nonexistent/folder";
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	o.batch_dir = subs;
	o.csv_path = "/nonexistent/folder/grades.csv";
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	o.csv_path = dir; /* a folder */
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	o.csv_path = csv;
	o.jobs = GRADE_BATCH_MAX_JOBS + 1;
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	o.jobs = 1;
	o.lang = "fr";
	CHECK_EQ_INT(grade_batch_run(&o, out, err), 2);
	/* Nothing was written on out: the summary is for real batches. */
	CHECK_EQ_INT(ftell(out), 0);
	CHECK(ftell(err) > 0);
	fclose(out);
	fclose(err);
	char path[200];
	snprintf(path, sizeof path, "%s/alice.txt", subs);
	unlink(path);
	snprintf(path, sizeof path, "%s/.hidden", subs);
	unlink(path);
	rmdir(subs);
	rmdir(empty);
	rmdir(dir);
}

int main(void)
{
	RUN(test_pool_outcomes);
	RUN(test_pool_exec_failure);
	RUN(test_pool_order);
	RUN(test_parse_report);
	RUN(test_rows_from_children);
	RUN(test_csv_and_summary);
	RUN(test_run_bad_input);
	return harness_done();
}

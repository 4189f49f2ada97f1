/* Batch grading: `mailsim grade EXERCISE --batch DIR --csv FILE -j N`.
 *
 * Every entry of DIR (a file or a folder; names starting with '.' are
 * skipped) is one submission; a folder holding exactly one visible entry,
 * a regular file, is graded as that file (a learning platform's download
 * gives each student a folder), any other folder is handed to the grader
 * as it is. Each is graded in its own process: the
 * mailsim binary itself (/proc/self/exe unless opts->program says
 * otherwise) run as `mailsim grade EXERCISE DIR/NAME --format json
 * [--lang L]`, in its own process group, stdin from /dev/null, killed
 * with its whole group when it outlives opts->timeout_s. At most
 * opts->jobs children run at once; the parent sleeps in poll() on their
 * pipes and pidfds (no busy waiting).
 *
 * A child that cannot be started, dies of a signal, times out, exits with
 * a status other than 0 or 1, or prints something that is not a grade
 * report (grade-spec.md, "Report JSON") becomes a row with score 0, status
 * "error" and the reason. A report with status "rejected" (the submission
 * itself was unusable) is a normal row with its reason.
 *
 * Before the batch, the exercise is checked once by grading an empty
 * submission (a 0-byte file in a private temporary directory): exit
 * status 2 there means the exercise (or the command line) is bad, and the
 * batch stops with exit 2 and the grader's message before grading anyone.
 * That run's report also gives the columns: the exercise's check ids in
 * its order, and max_score.
 *
 * Outputs: the CSV (RFC 4180, CRLF line ends; written to a temporary
 * file in the CSV's directory and renamed over it, so a reader never sees
 * half a file) with one row per submission, sorted by name (bytewise):
 *
 *   submission,score,max_score,status,<one column per check id>,reason
 *
 * (a check cell is that check's score; status is graded, rejected or
 * error; reason is empty for graded rows), and a summary on out: counts,
 * mean, median, min, max (errors count as 0), a histogram over the
 * deciles of max_score, the most-failed checks (over the graded and
 * rejected rows) and the rejected and errored submissions with their
 * reasons. Both depend only on the submissions, never on -j or timing:
 * -j 1 and -j 2 give the same bytes. Progress and timing go nowhere.
 *
 * Return value (the process exit code): 0 every submission was graded
 * (whatever its score), 1 at least one errored, 2 bad input (no such
 * directory, no submissions in it, the exercise refused by the grader,
 * an unwritable CSV path, bad options); messages for 2 go to err. */
#ifndef SIM_GRADE_GRADE_BATCH_H
#define SIM_GRADE_GRADE_BATCH_H

#include <stdio.h>

#define GRADE_BATCH_DEFAULT_TIMEOUT_S 60.0
#define GRADE_BATCH_MAX_JOBS 64

struct grade_batch_opts {
	const char *exercise;  /* as given on the command line: passed to each child */
	const char *batch_dir; /* the folder of submissions */
	const char *csv_path;  /* the CSV to write, or NULL for none */
	int jobs;              /* children at once, 1..GRADE_BATCH_MAX_JOBS; <= 0: the number of CPUs */
	const char *lang;      /* "en", "es" or NULL (en): passed to children, and the summary's language */
	double timeout_s;      /* wall limit per child; <= 0: GRADE_BATCH_DEFAULT_TIMEOUT_S */
	const char *program;   /* the mailsim binary to run; NULL: /proc/self/exe */
};

/* Runs the batch described by o (which is only read). Returns the exit
 * code described above. */
int grade_batch_run(const struct grade_batch_opts *o, FILE *out, FILE *err);

/* The command line of batch mode (grade_batch_cli.c), called by `mailsim
 * grade` (sim/cli/cmd_grade.c) when it sees --batch, --csv or -j: argv is
 * the whole `grade ...` argv (argv[0] "grade"), optind reset by the caller:
 *
 *   mailsim grade EXERCISE --batch DIR [--csv FILE] [-j N] [--lang en|es]
 *                 [--timeout SECONDS]
 *
 * Summary on stdout, messages on stderr; returns the exit code. */
int grade_batch_main(int argc, char **argv);

#endif

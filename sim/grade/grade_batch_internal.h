/* What the batch grader's files share (grade_batch.h is the public side):
 * the process pool that runs the graders (grade_batch_pool.c), the rows
 * built from their reports (grade_batch_row.c) and the CSV and summary
 * written from the rows (grade_batch_out.c). Not for use elsewhere. */
#ifndef SIM_GRADE_GRADE_BATCH_INTERNAL_H
#define SIM_GRADE_GRADE_BATCH_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* Bytes of a child's stdout kept (a report is far smaller; more is an
 * error), and of its stderr (the start, for the reason). */
#define GB_OUT_CAP ((size_t)16 << 20)
#define GB_ERR_CAP 2048

/* ---- the pool (grade_batch_pool.c) ---- */

struct gb_child {
	int started;        /* fork and exec succeeded */
	int spawn_errno;    /* why not, when !started */
	int exited;         /* ended by exit(); then exit_code */
	int exit_code;
	int signal;         /* killed by this signal (not our timeout), or 0 */
	int timed_out;      /* we killed it at the wall limit */
	int out_overflow;   /* it printed more than GB_OUT_CAP: killed */
	char *out;          /* its stdout, NUL-terminated (malloc) */
	size_t out_len;
	char err[GB_ERR_CAP]; /* the start of its stderr, NUL-terminated */
};

/* Runs the n commands argvs[i] (each a NULL-ended argv for program) with
 * at most jobs at once, each under timeout_s of wall time, and fills
 * children[i]. Returns 0, or -1 with err set when the pool itself failed
 * (pipes, poll); children not run then have started == 0. */
int gb_pool_run(const char *program, char **const *argvs, size_t n, int jobs, double timeout_s,
		struct gb_child *children, char *err, size_t errlen);
void gb_child_clear(struct gb_child *c);

/* ---- rows (grade_batch_row.c) ---- */

enum gb_status { GB_GRADED, GB_REJECTED, GB_ERROR };

struct gb_check {
	char *id;
	double score;
	int passed;
};

struct gb_row {
	char *name;          /* the entry's name in the batch folder */
	enum gb_status status;
	double score;
	double max_score;    /* from the report; error rows get the exercise's */
	int has_max;
	char *reason;        /* rejected or error: why; else NULL */
	struct gb_check *checks;
	size_t nchecks;
};

/* Turns a finished child into the row: its report when it printed a valid
 * one and exited 0 or 1, else an error row with the reason (in Spanish
 * when es). Returns 0, or -1 when out of memory. */
int gb_row_from_child(struct gb_row *row, const struct gb_child *c, double timeout_s, int es);
void gb_row_clear(struct gb_row *row);

/* Parses text as a grade report into row (name untouched). Returns 0, or
 * -1 with why set to what is wrong with it. */
int gb_row_parse_report(struct gb_row *row, const char *text, size_t len, char *why, size_t whylen);

/* ---- outputs (grade_batch_out.c) ---- */

struct gb_table {
	const char *exercise;
	struct gb_row *rows;
	size_t nrows;
	char **columns;      /* check ids, in the exercise's order */
	size_t ncolumns;
	double max_score;    /* the exercise's (from the empty submission's report) */
	int es;              /* summary in Spanish */
};

/* Writes the CSV of t to path atomically. Returns 0, or -1 with err set. */
int gb_write_csv(const struct gb_table *t, const char *path, char *err, size_t errlen);
/* Writes the CSV of t to f (the bytes gb_write_csv stores). */
void gb_print_csv(const struct gb_table *t, FILE *f);
/* Prints the summary of t. */
void gb_print_summary(const struct gb_table *t, const char *batch_dir, FILE *out);

#endif

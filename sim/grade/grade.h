/* The grader's public API (issue 8): load an exercise, grade a submission
 * in its scenario, write the report.
 *
 *   struct scn_diag *d = scn_diag_new();
 *   struct grade_exercise *ex = grade_exercise_load_file("x/exercise.json", d);
 *   // NULL: print d's messages (file:line: json.path: what was expected)
 *   struct grade_report *r = grade_file(ex, "sub.txt", EXPLAIN_ES, err, sizeof err);
 *   grade_report_write(r, GRADE_FORMAT_JSON, stdout, 1);
 *   int code = r->status == GRADE_GRADED && grade_report_passed(r) ? 0 : 1;
 *   grade_report_free(&r);
 *   grade_exercise_free(&ex);
 *
 * Grading is deterministic: the same exercise and submission give the same
 * report, byte for byte. A submission is untrusted: whatever it holds, the
 * result is a report (status "rejected" with a reason when it is unusable:
 * too large, not UTF-8 text, not JSON, a patch touching a forbidden key);
 * NULL is returned only for the grader's own failures (ENOMEM, a world that
 * cannot be built). docs/exercises.md documents the format and reports. */
#ifndef SIM_GRADE_H
#define SIM_GRADE_H

#include <stddef.h>
#include <stdio.h>

#include "sim/explain/explain.h"
#include "sim/grade/exercise.h"

enum grade_status { GRADE_GRADED, GRADE_REJECTED };

struct grade_check_result {
	char *id, *title;
	double points, score;
	int passed;
	char *feedback; /* the exercise's feedback ("" when passed) */
	char *detail;   /* generated: what was seen */
};

struct grade_report {
	char *exercise;   /* the exercise's id */
	char *submission; /* the path as given */
	enum explain_lang lang;
	enum grade_status status;
	char *reason; /* rejected: why; else NULL */
	double score, max_score;
	struct grade_check_result *checks;
	size_t check_count;
};

/* Grades the submission read from path (at most the kind's max_bytes; a
 * larger or unreadable file gives a rejected report). NULL with a message
 * in err only on the grader's own failure. */
struct grade_report *grade_file(const struct grade_exercise *ex, const char *path, enum explain_lang lang, char *err,
				size_t errlen);
/* The same for a submission in memory (data, len bytes), named name. */
struct grade_report *grade_text(const struct grade_exercise *ex, const char *name, const char *data, size_t len,
				enum explain_lang lang, char *err, size_t errlen);
void grade_report_free(struct grade_report **r);
/* 1 when graded and every check passed. */
int grade_report_passed(const struct grade_report *r);

enum grade_format { GRADE_FORMAT_TEXT, GRADE_FORMAT_JSON, GRADE_FORMAT_JUNIT, GRADE_FORMAT_GRADESCOPE };
/* "text", "json", "junit", "gradescope": 0, or -1. */
int grade_format_parse(const char *s, enum grade_format *f_r);
/* Writes the report; utf8: the text format may use ✓ and ✗. 0, or -1 on
 * ENOMEM or a write error. */
int grade_report_write(const struct grade_report *r, enum grade_format f, FILE *out, int utf8);
/* The report as a string of that format (caller frees), or NULL on ENOMEM. */
char *grade_report_string(const struct grade_report *r, enum grade_format f, int utf8);

/* Numbers in reports: %.10g, so the same score prints the same. */
void grade_format_number(char out[32], double v);

#endif

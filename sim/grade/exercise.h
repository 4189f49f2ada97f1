/* The exercise model (internal to sim/grade): what exercise.c's loader
 * builds from an exercise JSON file and what the submission readers, the
 * run and the checks read. docs/exercises.md documents the keys.
 *
 * The loader checks every key and value with the scenario loader's helpers
 * (sim/scenario/check.h), so every error names the file, line and JSON
 * path and says what was expected; it also loads the exercise's scenario
 * once, unmodified, so a broken scenario is the teacher's error, found
 * before any student is graded. Everything here is owned by the struct
 * grade_exercise and read-only after loading. */
#ifndef SIM_GRADE_EXERCISE_H
#define SIM_GRADE_EXERCISE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "sim/explain/explain.h"

/* "en text" or "es text" by the report's language: the grader's own
 * strings come in both. */
#define GL(lang, en, es) ((lang) == EXPLAIN_ES ? (es) : (en))

struct cJSON;
struct scenario;
struct scn_ctx;
struct scn_diag;

enum grade_kind {
	GRADE_KIND_TRANSCRIPT,
	GRADE_KIND_EML,
	GRADE_KIND_PATCH,
	GRADE_KIND_ANSWERS,
	GRADE_KIND_PROGRAM,
	GRADE_KIND_COUNT
};
const char *grade_kind_name(enum grade_kind k);

/* Default and largest size of a submission, per kind. */
#define GRADE_DEFAULT_MAX_BYTES 65536
#define GRADE_MAX_MAX_BYTES (8u << 20)
/* The simulated-time limit: the scenario's "until" unless the exercise
 * gives one, and never more than a day. */
#define GRADE_MAX_UNTIL ((sim_time)86400 * SIM_S)

/* A text in every language; es falls back to en when the exercise gives
 * no Spanish (only for optional texts: titles of checks). */
struct grade_text {
	char *text[EXPLAIN_LANG_COUNT];
};
const char *grade_text_get(const struct grade_text *t, enum explain_lang lang);

enum grade_query {
	GRADE_Q_RECEIVED_HOSTS,
	GRADE_Q_FIRST_MX,
	GRADE_Q_MX_ORDER,
	GRADE_Q_DATA_SEGMENTS,
	GRADE_Q_HOPS,
	GRADE_Q_DELIVERED_COUNT,
	GRADE_Q_BOUNCED_COUNT,
	GRADE_Q_COUNT
};

struct grade_question {
	char *id;
	struct grade_text text;
	enum grade_query query;
	struct cJSON *compute; /* the "compute" object (owned copy) */
};

struct grade_submission_spec {
	enum grade_kind kind;
	uint64_t max_bytes;
	/* transcript, eml: the session is typed from host "from" to "to". */
	char *from, *to;
	uint16_t port;
	sim_time at;
	char *mail_from;  /* eml: NULL: the message's From */
	char **rcpt_to;   /* eml: NULL: every To/Cc/Bcc address */
	size_t rcpt_count;
	/* patch: JSON pointers ("*" matches one key or index). */
	char **allow;
	size_t allow_count;
	struct grade_question *questions;
	size_t question_count;
	struct cJSON *program; /* program: the submission object (owned copy) */
};

/* One check type's row in check.c's table. */
struct grade_check_type;

struct grade_check {
	char *id;
	const struct grade_check_type *type;
	double points;
	int partial;
	struct grade_text title, feedback;
	struct cJSON *spec; /* the check object (owned copy), validated */
};

struct grade_exercise {
	char *file; /* the name used in messages */
	char *id, *note_section;
	struct grade_text title, statement;
	/* The scenario's JSON and the name it is loaded under: its path, so
	 * relative paths in it (attachments, mbox) resolve from its folder;
	 * the exercise's path when the scenario is inline. */
	struct cJSON *scenario_json;
	char *scenario_name;
	struct scenario *scenario; /* loaded once, unmodified */
	int has_seed;
	uint64_t seed;
	sim_time until;
	struct grade_submission_spec sub;
	struct grade_check *checks;
	size_t check_count;
};

/* Loads text (len bytes) named file in messages; NULL with errors in diag. */
struct grade_exercise *grade_exercise_load_text(const char *file, const char *text, size_t len,
						 struct scn_diag *diag);
struct grade_exercise *grade_exercise_load_file(const char *path, struct scn_diag *diag);
void grade_exercise_free(struct grade_exercise **ex);

const struct grade_question *grade_exercise_question(const struct grade_exercise *ex, const char *id);
/* The scenario host named name, or -1. */
int grade_exercise_host(const struct grade_exercise *ex, const char *name);

/* Reads a {"en": ..., "es": ...} text at key of obj (reporting errors at
 * the context's path); required: both languages must be there. Returns 0,
 * 1 when absent, -1 on an error (reported) or ENOMEM. */
int grade_parse_text(struct scn_ctx *ctx, const struct cJSON *obj, const char *key, int required,
		     struct grade_text *t_r);
void grade_text_clear(struct grade_text *t);

/* Reads a whole file of at most max bytes into a NUL-terminated buffer.
 * 0, or -1 with a message in err (cannot open, too large). */
int grade_read_file(const char *path, uint64_t max, char **buf_r, size_t *len_r, char *err, size_t errlen);

#endif

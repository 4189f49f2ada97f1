/* Reading a student's submission (internal to sim/grade): each kind is
 * checked and turned into what the run needs. A submission is untrusted:
 * every reader bounds sizes and counts and never fails on content; what it
 * cannot use is rejected with a reason in the report's language.
 *
 * - transcript: the lines to type (one per line of the file; a final line
 *   break is no extra empty line), each with its line number;
 * - eml: an SMTP session typing the message (HELO, MAIL FROM, RCPT TO,
 *   DATA, the message with dot-stuffing and its Bcc fields removed, ".",
 *   QUIT); the message's lines keep their line numbers;
 * - patch: the scenario JSON with the RFC 7386 merge patch applied, after
 *   checking that every difference lies under an allowed JSON pointer;
 * - answers: the JSON object of answers. */
#ifndef SIM_GRADE_SUBMISSION_H
#define SIM_GRADE_SUBMISSION_H

#include <stddef.h>

#include "sim/grade/exercise.h"

struct cJSON;

/* Lines a transcript or message may have, and their length (RFC 5321
 * 4.5.3.1.6: 998 octets plus CRLF). */
#define GRADE_MAX_LINES 20000
#define GRADE_MAX_LINE_LEN 998

struct grade_prepared {
	char **lines;
	size_t *line_no;
	size_t count;
	struct cJSON *scenario; /* patch: the patched scenario (owned) */
	struct cJSON *answers;  /* answers (owned) */
};

enum { GRADE_PREP_OK = 0, GRADE_PREP_REJECTED = 1, GRADE_PREP_NOMEM = -1 };

/* Prepares data (len bytes) for ex's kind. GRADE_PREP_OK, or
 * GRADE_PREP_REJECTED with a reason, or GRADE_PREP_NOMEM. */
int grade_submission_prepare(const struct grade_exercise *ex, const char *data, size_t len, enum explain_lang lang,
			     struct grade_prepared *p, char *reason, size_t rlen);
void grade_prepared_clear(struct grade_prepared *p);

/* RFC 7386 merge patch of target by patch, in place (target may be
 * replaced: the new root is returned; NULL on ENOMEM). */
struct cJSON *grade_merge_patch(struct cJSON *target, const struct cJSON *patch);
/* The first JSON pointer where a and b differ that no allow pattern
 * covers, written to where (empty string: none); "*" in a pattern matches
 * one key or index, and a pattern covers everything under it. Returns 1
 * when such a difference exists, 0 when all differences are allowed. */
int grade_patch_forbidden(const struct cJSON *a, const struct cJSON *b, char *const *allow, size_t allow_count,
			  char *where, size_t wlen);

#endif

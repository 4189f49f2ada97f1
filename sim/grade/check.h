/* The check types of the grader (internal to sim/grade): one row per type
 * in check.c's table, each with its keys (validated by the exercise
 * loader), an optional semantic validation, and the handler that judges a
 * finished run. Handlers live in check_*.c, one file per family.
 *
 * A handler sets v->fraction (1: passed, 0: failed, in between only for
 * partial credit, which the caller applies when the check says "partial")
 * and writes v->detail in the report's language: what was seen, pointing
 * at the line or header concerned. */
#ifndef SIM_GRADE_CHECK_H
#define SIM_GRADE_CHECK_H

#include "protocols/buf.h"
#include "sim/grade/exercise.h"
#include "sim/scenario/check.h"

struct cJSON;
struct grade_obs;

struct grade_verdict {
	double fraction;
	struct buf detail;
};

struct grade_check_type {
	const char *name;
	const struct scn_key *keys; /* the type's own keys, NULL-ended */
	/* Semantic checks beyond the key table (hosts exist, codes are
	 * plausible); NULL if none. Errors through ctx. */
	void (*validate)(struct scn_ctx *ctx, const struct grade_exercise *ex, const struct cJSON *c);
	void (*run)(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
};

const struct grade_check_type *grade_check_type_find(const char *name);
/* NULL-ended list of the type names (for suggestions and messages). */
const char *const *grade_check_type_names(void);


/* The handlers (check_*.c). */
void grade_check_delivered(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_header(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_mime(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_mailbox_count(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_reply(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_no_protocol_errors(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_relay_refused(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_bounced(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_ledger(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);
void grade_check_answer(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v);

/* Shared validation helpers (check.c). */
void grade_validate_host(struct scn_ctx *ctx, const struct grade_exercise *ex, const struct cJSON *c, const char *key);
void grade_validate_mailbox(struct scn_ctx *ctx, const struct grade_exercise *ex, const struct cJSON *c);
void grade_validate_match(struct scn_ctx *ctx, const struct cJSON *c);
void grade_validate_session(struct scn_ctx *ctx, const struct grade_exercise *ex, const struct cJSON *c);
void grade_validate_string_list(struct scn_ctx *ctx, const struct cJSON *c, const char *key, const char *what);

#endif

/* ---- mailbox helpers (check_mail.c), shared with the queries ---- */
struct ms_folder;
struct ms_message;
/* The folder ("folder", default INBOX) of the check's or query's
 * "mailbox"; NULL with why written (no such user, no such folder). */
struct ms_folder *grade_folder(struct grade_obs *o, const struct cJSON *c, struct buf *why);
/* 1 if the message matches the "match" object (NULL matches all); else 0
 * and, if why is not NULL, what did not match. */
int grade_match(const struct grade_obs *o, const char *text, size_t len, const struct cJSON *match, struct buf *why);
/* The index-th message of the folder matching the check's "match" (and
 * "index", default 0, counting matches), or NULL with why written. */
const struct ms_message *grade_find_message(struct grade_obs *o, const struct cJSON *c, struct buf *why);
/* 1 if host names name (its scenario name or fqdn, no case) or name
 * equals text. */
int grade_host_is(const struct grade_obs *o, const char *text, const char *name);

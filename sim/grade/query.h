/* Computed answers (internal to sim/grade): the right answer to a question
 * of an "answers" exercise is computed from the run, never written into
 * the exercise, so a changed scenario changes the answers with it.
 *
 * Queries (the "compute" object's "query"; docs/exercises.md):
 *   received_hosts {mailbox, folder?, index?}  the `by` hosts of the
 *                  message's Received fields, in travel order (a list)
 *   hops {mailbox, folder?, index?}            its number of Received fields
 *   first_mx {domain}       the host an MTA first connected to for the domain
 *   mx_order {domain}       the domain's MX hosts, most preferred first
 *   data_segments {from, to} TCP segments with payload the client sent
 *                  between the 354 and the final reply of DATA
 *   delivered_count {mailbox?}  messages delivered (to the mailbox)
 *   bounced_count {}        bounces (DSNs) produced */
#ifndef SIM_GRADE_QUERY_H
#define SIM_GRADE_QUERY_H

#include "sim/grade/exercise.h"

struct cJSON;
struct scn_ctx;
struct grade_obs;

/* Checks a "compute" object (at the context's path). Returns the query,
 * or -1 after reporting errors. */
int grade_query_validate(struct scn_ctx *ctx, const struct grade_exercise *ex, const struct cJSON *compute);
/* The right answer (a new cJSON value), or NULL when the run gives none,
 * with why in why (the report's language). */
struct cJSON *grade_query_compute(const struct grade_question *q, struct grade_obs *o, char *why, size_t whylen);

/* The `by` hosts of a message's Received fields, in travel order (the
 * field added first, lowest in the header, first). Returns a cJSON array
 * or NULL on ENOMEM. */
struct cJSON *grade_received_hosts(const char *text, size_t len);

#endif

/* Diagnostics of a scenario load: the list of error messages, each one line
 * of the form "file:line: json.path: what was expected". The loader appends
 * to it and keeps going where it safely can, so a user sees several
 * mistakes at once; callers print them. */
#ifndef SIM_SCENARIO_DIAG_H
#define SIM_SCENARIO_DIAG_H

#include <stddef.h>

/* At most this many messages are kept; later ones are counted only. */
#define SCN_DIAG_MAX 50

struct scn_diag;

struct scn_diag *scn_diag_new(void);
/* Accepts NULL; sets *d to NULL. */
void scn_diag_free(struct scn_diag **d);
/* Appends a message (printf format). Never fails: on ENOMEM the message is
 * counted but not kept. */
void scn_diag_add(struct scn_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Number of errors reported (including any not kept). */
size_t scn_diag_count(const struct scn_diag *d);
/* Number of messages kept, and message i of them (valid while d lives). */
size_t scn_diag_kept(const struct scn_diag *d);
const char *scn_diag_message(const struct scn_diag *d, size_t i);
void scn_diag_clear(struct scn_diag *d);

#endif

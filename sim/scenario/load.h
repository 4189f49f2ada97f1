/* Section loaders of the scenario loader (internal to sim/scenario).
 *
 * load.c owns the table of top-level sections; each section has a loader
 * here, called with the root object (the context's path is empty) once the
 * root's keys have been checked, so the section's value, when present, has
 * the type its table row allows. A loader reports every
 * error through the context and fills its part of the model; it returns
 * nonzero on ENOMEM only (validation errors are counted in ctx->errors).
 * Sections run in table order, so later ones may refer to earlier ones
 * (links to hosts, faults to links, expectations to clients). */
#ifndef SIM_SCENARIO_LOAD_H
#define SIM_SCENARIO_LOAD_H

#include "sim/scenario/check.h"
#include "sim/scenario/scenario.h"

struct cJSON;

/* Size limits of the lists: far above any classroom scenario, low enough
 * that the loader's cross-checks (names, addresses, interfaces) stay fast
 * on hostile input. */
#define SCN_MAX_HOSTS 5000
#define SCN_MAX_IFACES 64
#define SCN_MAX_LIST 20000

typedef int (*scn_section_fn)(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);

int scn_load_hosts(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_links(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_routes(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_faults(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_apps(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_expect(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
/* load_mail.c: "dns" (also reads the hosts' "fqdn"), "mtas", "uas", "mail". */
int scn_load_dns(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_mtas(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_uas(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
int scn_load_mail(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
/* One "expect" entry with "mailbox" or "ledger" (e is the entry, at the
 * context's path). */
int scn_load_mail_expect(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *e);
int scn_load_sniffers(struct scn_ctx *ctx, struct scenario *s, const struct cJSON *v);
void scn_free_mail(struct scenario *s);
/* load_users.c: an MTA's "users" list (users may be NULL: absent). */
void scn_load_users(struct scn_ctx *ctx, struct scenario *s, struct scn_mta *m, const struct cJSON *users);
void scn_free_user(struct scn_user *u);
/* "local@domain" with a plausible local part and domain. */
int scn_valid_address(const char *a);

/* The host named by the string at key of e (-1 if absent); an unknown name
 * is reported at e.key, with a suggestion. */
int scn_host_of(struct scn_ctx *ctx, const struct scenario *s, const struct cJSON *e, const char *key);
/* Reports an unknown host name at the current path, suggesting a close one. */
void scn_error_unknown_host(struct scn_ctx *ctx, const struct scenario *s, const char *name);
/* strdup that returns NULL on ENOMEM. */
char *scn_strdup(const char *s);
/* Host names: 1..63 letters, digits, '-', '_' or '.'. */
int scn_valid_name(const char *name);

#endif

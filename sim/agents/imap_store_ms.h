/* The IMAP server engine's store interface (protocols/imap_server.h)
 * implemented over a mailbox host's mailstore: one struct imap_ms per IMAP
 * session. It watches the session's selected folder and passes every
 * change (by this session, by others, by the MTA delivering) to the
 * engine as imap_server_note_*; it keeps a parse cache per message of the
 * selected folder so that FETCH ENVELOPE and SEARCH parse each message
 * once per session.
 *
 *   struct imap_ms *b = imap_ms_new(store, env);
 *   struct imap_server_host host = {.ctx = me, .store = imap_ms_ops(),
 *                                   .store_ctx = b, ...};
 *   struct imap_server *s = imap_server_new(&cfg, &host);
 *   imap_ms_attach(b, s, flush_my_output, me);
 *   ...
 *   imap_server_free(&s);   // first: it unselects through b
 *   imap_ms_free(&b);
 *
 * Login names are a user's address or its local part ("maria"). Times:
 * INTERNALDATE is env->epoch_unix_s plus the message's simulated instant,
 * shown in env->zone_min; env may be NULL (epoch 0, UTC, "now" is 0),
 * which is what a benchmark driving the engine in-process wants. */
#ifndef SIM_IMAP_STORE_MS_H
#define SIM_IMAP_STORE_MS_H

#include "protocols/imap_server.h"

struct agent_env;
struct mailstore;
struct imap_ms;

/* NULL on ENOMEM. ms and env are borrowed for the binding's life. */
struct imap_ms *imap_ms_new(struct mailstore *ms, const struct agent_env *env);
/* Stops watching and frees. Accepts NULL; clears *b. */
void imap_ms_free(struct imap_ms **b);

/* The vtable to put in imap_server_host.store (store_ctx: the imap_ms). */
const struct imap_store_ops *imap_ms_ops(void);

/* The engine to tell of changes. changed (may be NULL) is called after
 * each note, so the host can send what the engine queued (a session in
 * IDLE answers at once); it must not change the mailstore. */
void imap_ms_attach(struct imap_ms *b, struct imap_server *s, void (*changed)(void *ctx), void *ctx);

/* The logged-in user, or NULL. */
struct ms_user *imap_ms_user(const struct imap_ms *b);

#endif

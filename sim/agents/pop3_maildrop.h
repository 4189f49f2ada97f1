/* A POP3 maildrop over a mailstore: the host side of one pop3_server
 * engine session (protocols/pop3_server.h). It answers the engine's
 * callbacks from the store: users log in by the local part of their
 * address ("maria") or the whole address, with the user's password (also
 * APOP's shared secret); the maildrop is the user's INBOX, locked with
 * ms_user_lock() for the session; the message numbers map to the INBOX UIDs
 * seen at lock time; unique-ids are "UIDVALIDITY.UID"; commit removes
 * (ms_remove) what DELE marked.
 *
 * Used by the pop3d agent (one per connection) and by anything that drives
 * the server engine in-process over a store (benchmarks):
 *
 *   struct pop3_maildrop *md = pop3_maildrop_new(store, NULL, NULL);
 *   struct pop3_server_host h;
 *   pop3_maildrop_host(md, &h);   // then set h.trace etc. if wanted
 *   struct pop3_server *s = pop3_server_new(&cfg, &h);
 *   ...
 *   pop3_server_free(&s);          // releases the lock through md
 *   pop3_maildrop_free(&md);
 *
 * The maildrop must outlive the engine that uses it. */
#ifndef SIM_POP3_MAILDROP_H
#define SIM_POP3_MAILDROP_H

#include <stddef.h>

#include "protocols/pop3_server.h"

struct mailstore;
struct ms_user;
struct pop3_maildrop;

enum pop3_maildrop_event {
	POP3_MD_LOGIN_FAILED, /* user: the name tried */
	POP3_MD_IN_USE,       /* user: the address; locked by another session */
	POP3_MD_LOCKED,       /* n: messages in the snapshot */
	POP3_MD_UNLOCKED,
	POP3_MD_UPDATE,       /* n: messages removed */
};

/* What happened, for notes and statistics (may be NULL). */
typedef void (*pop3_maildrop_event_fn)(void *ctx, enum pop3_maildrop_event ev, const char *user, size_t n);

/* store is borrowed. NULL on ENOMEM. */
struct pop3_maildrop *pop3_maildrop_new(struct mailstore *store, pop3_maildrop_event_fn event, void *ctx);
/* Releases a lock still held (nothing is removed). Accepts NULL; clears
 * the pointer. */
void pop3_maildrop_free(struct pop3_maildrop **md);
/* Fills every maildrop callback of host_r with ctx md; trace and
 * state_changed are left NULL. */
void pop3_maildrop_host(struct pop3_maildrop *md, struct pop3_server_host *host_r);
/* The ctx given to pop3_maildrop_new (for a host's own callbacks, such as
 * trace, which get the maildrop as their ctx). */
void *pop3_maildrop_ctx(const struct pop3_maildrop *md);
/* The user whose maildrop is locked, or NULL. */
struct ms_user *pop3_maildrop_user(const struct pop3_maildrop *md);

#endif

/* The pop3d agent: a POP3 server (RFC 1939) on port 110 of a mailbox host,
 * serving the users of the host's mailstore (the one its MTA delivers
 * into). Each accepted connection runs the POP3 server engine
 * (protocols/pop3_server.h), answered from the store by a pop3_maildrop
 * (pop3_maildrop.h):
 *   - a user logs in by the local part of the address ("maria") or the
 *     whole address, with the user's password (also APOP's secret);
 *   - the maildrop is the user's INBOX, locked with ms_user_lock() for the
 *     whole session, so a second session gets "-ERR [IN-USE]" (IMAP
 *     sessions do not take this lock: they see POP3's deletions as
 *     expunges);
 *   - unique-ids are "UIDVALIDITY.UID", stable across sessions;
 *   - messages marked with DELE are removed (ms_remove) only when the
 *     client's QUIT brings the session to UPDATE; a lost connection, a
 *     timeout or a crash of the host removes nothing.
 * Every line it sends is published on the bus (OBS_LINE, proto "POP3"),
 * and the lock, each login failure and the UPDATE as notes (kind "pop3"). */
#ifndef SIM_POP3D_H
#define SIM_POP3D_H

#include <stdint.h>

struct agent_env;
struct mailstore;
struct pop3d;

struct pop3d_config {
	const char *hostname;     /* in the greeting and the APOP timestamp */
	struct mailstore *store;  /* borrowed; must outlive the agent */
	int apop;                 /* offer APOP (a timestamp in the greeting) */
	int no_user_pass;         /* refuse USER/PASS (APOP only) */
	unsigned max_failed_logins; /* then the session is closed (0: 3) */
	uint16_t port;            /* 0: 110 */
};

/* Starts listening at once. The config is copied (its strings borrowed).
 * NULL if the port is taken or memory runs out. */
struct pop3d *pop3d_new(const struct agent_env *env, int host, const struct pop3d_config *cfg);
/* Stops listening and resets every session (locks released, nothing
 * removed). Accepts NULL; clears the pointer. */
void pop3d_free(struct pop3d **d);

/* The host crashed (call after tcp_host_reset()): sessions vanish without
 * UPDATE, locks are released; the store survives. pop3d_restart listens
 * again. */
void pop3d_crash(struct pop3d *d);
void pop3d_restart(struct pop3d *d);

struct pop3d_stats {
	uint64_t sessions, logins, failed_logins, in_use, updates, removed;
};
const struct pop3d_stats *pop3d_stats(const struct pop3d *d);
int pop3d_host(const struct pop3d *d);

#endif

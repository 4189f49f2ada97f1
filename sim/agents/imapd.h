/* The imapd agent: an IMAP4rev1 server on port 143 of a mailbox host,
 * serving the host's mailstore (the one its MTA delivers into) through the
 * sans-I/O engine of protocols/imap_server.h. Every line it sends is
 * published on the bus (proto "IMAP"); the client's lines are published by
 * the client. Several sessions may have one folder selected at once; each
 * is told of the others' changes by the engine's rules, and a session in
 * IDLE is told at once.
 *
 * The mailstore is the host's disk: imapd_crash() loses the sessions (after
 * tcp_host_reset()), never mail. */
#ifndef SIM_IMAPD_H
#define SIM_IMAPD_H

#include <stddef.h>
#include <stdint.h>

struct agent_env;
struct mailstore;
struct imapd;

struct imapd_config {
	const char *hostname;  /* in the greeting */
	uint16_t port;         /* 0: 143 */
	const char *alert;     /* NULL, or an [ALERT] text shown after login */
	unsigned idle_timeout_s; /* autologout (0: 30 minutes, RFC 3501 5.4) */
};

/* Starts listening at once. cfg strings are copied; env and store are
 * borrowed. NULL if the port is taken or memory runs out. */
struct imapd *imapd_new(const struct agent_env *env, int host, struct mailstore *store,
			const struct imapd_config *cfg);
/* Aborts every session and stops listening. Accepts NULL; clears *d. */
void imapd_free(struct imapd **d);

/* The host crashed (call after tcp_host_reset): sessions vanish. */
void imapd_crash(struct imapd *d);
/* Listens again after a crash. */
void imapd_restart(struct imapd *d);

struct imapd_stats {
	uint64_t sessions;   /* accepted so far */
	uint64_t logins;     /* successful logins */
	size_t active;       /* sessions open now */
};
const struct imapd_stats *imapd_stats(const struct imapd *d);
int imapd_host(const struct imapd *d);

#endif

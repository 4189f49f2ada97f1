/* The MTA agent: an SMTP server on ports 25 and 587 of a host, local
 * delivery to a mailstore, and a queue that relays mail for remote domains
 * to the next hop (smarthost or route, else the domain's MX records from
 * DNS, in preference order with fallback), with retries, bounces (RFC 3464
 * delivery status notifications) and a Received field at every acceptance.
 *
 * What it decides, per RFC 5321:
 *   - a recipient in a local domain must be a user of the mailstore
 *     (550 5.1.1 otherwise);
 *   - a remote recipient is accepted only from a client allowed to relay
 *     (its address in relay_nets, or open_relay set for the spam lesson);
 *     otherwise 554 5.7.1 Relay access denied;
 *   - a message that already has max_hops Received fields is refused
 *     (554 5.4.6, a mail loop);
 *   - 4xx replies and connection failures are retried on retry_schedule;
 *     5xx replies, NXDOMAIN and queue expiry bounce; a bounce (empty
 *     reverse path) is never bounced.
 * The queue is the host's disk: mta_crash() loses sessions, not mail. */
#ifndef SIM_MTA_H
#define SIM_MTA_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct agent_env;
struct mail_rules;
struct mailstore;
struct mta;

struct mta_route {
	const char *domain;   /* "*" matches every remote domain */
	const char *next_hop; /* a host name of the scenario, or a dotted quad */
};

struct mta_net {
	uint32_t addr, mask; /* host byte order */
};

struct mta_config {
	const char *hostname;             /* its name in greetings and Received */
	const char *const *local_domains; /* delivered to store */
	size_t n_local_domains;
	struct mailstore *store;          /* borrowed; NULL when no local domains */
	struct mail_rules *rules;         /* borrowed; users' filters, forwarding and
					     vacation (mta_rules.c); NULL: none */
	const struct mta_net *relay_nets; /* clients allowed to relay */
	size_t n_relay_nets;
	int open_relay;                   /* relay for anybody (insecure) */
	const struct mta_route *routes;   /* first match wins; before DNS */
	size_t n_routes;
	const char *const *hold_domains;  /* kept queued until ETRN */
	size_t n_hold_domains;
	uint32_t dns_server;              /* 0: no DNS (routes only) */
	const sim_time *retry_schedule;   /* delays between attempts */
	size_t n_retry;
	sim_time max_queue_time;          /* then bounce (RFC 5321: 4-5 days) */
	int max_hops;                     /* Received fields allowed (30) */
	int turn_enabled;
	int starttls;                     /* offer STARTTLS; use it when offered */
	uint64_t max_message_size;
	/* Reply templates (see protocols/smtp_server.h); NULL: defaults. */
	const char *greeting, *helo_text, *ehlo_text, *mail_ok_text, *rcpt_ok_text, *data_text, *queued_text,
	    *quit_text;
};

/* Fills the defaults: 25 and 587, retries at 1, 2, 4, 8 and 16 minutes
 * then hourly, expiry after 5 days, 30 hops, 10 MiB. */
void mta_config_default(struct mta_config *cfg, const char *hostname);

/* Starts an MTA on host (listening at once). The config is copied, the
 * store is borrowed. NULL if a port is taken or memory runs out. */
struct mta *mta_new(const struct agent_env *env, int host, const struct mta_config *cfg);
/* Stops listening and frees everything, queued mail included (silently:
 * the run is over). Accepts NULL; clears the pointer. */
void mta_free(struct mta **m);

/* The hooks the MTA registers with env->life (host_life.h); call
 * host_life_crash() and host_life_restart() rather than these. A crash
 * forgets the sessions (their peers hear nothing, then a reset after the
 * restart), the resolver and any attempt in progress (its recipients wait
 * in the queue again); the queue survives, as on disk. A restart listens
 * again and resumes the queue: entries whose retry time passed during the
 * crash are tried at once. */
void mta_crash(struct mta *m);
void mta_restart(struct mta *m);

/* Starts a queue run now for every remote domain (or one domain): what
 * ETRN asks for, and what a scenario's "flush" action does. */
void mta_flush(struct mta *m, const char *domain);

/* TURN (RFC 821), the asking side: connects to server_ip:25, says HELO
 * claimed_domain, asks TURN and, on 250, serves the connection itself: the
 * server delivers what it holds for that domain here. Nothing checks the
 * claim, which is why TURN was dropped. 0, or -1 if no connection opens. */
int mta_turn_request(struct mta *m, uint32_t server_ip, const char *claimed_domain);

struct mta_stats {
	uint64_t sessions, accepted, refused_rcpts, relayed, delivered, bounced, deferred, discarded;
	uint64_t forwarded, auto_replied; /* by users' rules (mta_rules.c) */
	size_t queued; /* recipients waiting now */
};
const struct mta_stats *mta_stats(const struct mta *m);
int mta_host(const struct mta *m);
const char *mta_hostname(const struct mta *m);

/* Walks the queue (for summaries, the ledger and viewers): each waiting
 * recipient with its message's queue id, reverse path, next attempt time
 * and last error ("" if none). */
void mta_foreach_queued(const struct mta *m,
			void (*fn)(void *ctx, const char *queue_id, const char *from, const char *rcpt,
				   sim_time next_attempt, const char *last_error),
			void *ctx);

#endif

/* An outgoing SMTP connection: a TCP connection from a host to a server's
 * port, driven by the SMTP client engine (protocols/smtp_client.h). Used by
 * the UA (submission) and the MTA (relaying).
 *
 * The owner creates it with its job callbacks (rcpt, message, etrn,
 * session, exactly as in struct smtp_client_host; their ctx is the
 * owner's), adds jobs through smtp_out_engine(), and is told once, by
 * done(), that the connection is over (after QUIT, a failure, or a refused
 * or timed-out TCP connection: every job not yet answered has then been
 * failed through the session callback). done() is the last call; the
 * smtp_out is freed right after it returns.
 *
 * Every protocol line is published on the bus (OBS_LINE, proto "SMTP").
 * STARTTLS is modelled: the handshake completes at once and the
 * connection's bytes are marked encrypted from then on. */
#ifndef SIM_SMTP_OUT_H
#define SIM_SMTP_OUT_H

#include <stdint.h>

#include "protocols/smtp_client.h"

struct agent_env;
struct smtp_out;

typedef void (*smtp_out_done_fn)(void *ctx, struct smtp_out *out);

/* Connects host to ip:port. NULL if no connection can be opened (no port
 * or memory): no callback then. */
struct smtp_out *smtp_out_open(const struct agent_env *env, int host, uint32_t ip, uint16_t port,
			       const struct smtp_client_options *opts, const struct smtp_client_host *jobs,
			       smtp_out_done_fn done);
struct smtp_client *smtp_out_engine(struct smtp_out *out);
/* Sends what the engine has queued (call after adding jobs from outside a
 * callback). */
void smtp_out_flush(struct smtp_out *out);
/* Whether the TCP connection got established (the done callback uses it
 * to tell "refused" from "failed later"). */
int smtp_out_connected(const struct smtp_out *out);
uint32_t smtp_out_ip(const struct smtp_out *out);
/* Abandons the connection at once (reset), without callbacks. */
void smtp_out_abort(struct smtp_out *out);
/* The host crashed: forgets the connection without sending anything (a
 * dead host sends no RST; tcp_host_reset removes it) and frees, without
 * callbacks. Only from a host_life crash hook. */
void smtp_out_forget(struct smtp_out *out);

#endif

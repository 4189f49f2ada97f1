/* What every agent of a run shares: the kernel, the network and its
 * transports, and the wall-clock instant the run starts at (for Date and
 * Received fields). Borrowed by agents; owned by whoever builds the world. */
#ifndef SIM_AGENT_ENV_H
#define SIM_AGENT_ENV_H

#include <stddef.h>
#include <stdint.h>

struct sim;
struct net;
struct tcp;
struct udp;

struct agent_env {
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	struct udp *udp;
	int64_t epoch_unix_s; /* the instant of simulated time 0, seconds since 1970 */
	int zone_min;         /* the time zone shown in dates, minutes east of UTC */
};

/* Publishes one protocol line (OBS_LINE) if anybody listens. host sent it
 * to peer (-1 if unknown) on connection conn_id. */
void agent_publish_line(const struct agent_env *env, int host, int peer, uint32_t conn_id, const char *proto,
			int from_client, int encrypted, const char *text, size_t len);

/* Publishes a message event (OBS_MAIL) if anybody listens. */
void agent_publish_mail(const struct agent_env *env, int host, int event, const char *queue_id,
			const char *message_id, const char *from, const char *rcpt, const char *text);

/* Publishes an application note (OBS_APP) of the given kind. */
void agent_publish_note(const struct agent_env *env, int host, uint32_t conn_id, const char *kind, const char *fmt,
			...) __attribute__((format(printf, 5, 6)));

/* The current simulated instant as an RFC 5322 date ("Tue, 20 Jun 2006
 * 23:30:35 -0300") into out (at least 40 bytes). */
void agent_date_now(const struct agent_env *env, char *out);

/* The mail protocol usually served on a TCP port, for transcripts of raw
 * connections (telnet, the bridge): "SMTP" (25, 587, 2525), "POP3" (110),
 * "IMAP" (143), else "TCP". */
const char *agent_proto_for_port(uint16_t port);

#endif

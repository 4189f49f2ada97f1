/* The stepper's feed: a bus subscriber that turns the records a run
 * publishes into a queue of items to reveal one at a time (protocol lines,
 * DNS records, mail events, TCP losses and retransmissions, connection
 * closes). The kernel runs ahead only until the queue has something, so
 * the stepper can pause between any two lines of a run.
 *
 * Items own copies of their strings: records are valid only during the
 * callback. Protocol lines are taken as published once by their sender. */
#ifndef SIM_CLI_STEP_FEED_H
#define SIM_CLI_STEP_FEED_H

#include <stdint.h>

#include "sim/core/time.h"

struct sim;

enum step_kind {
	STEP_LINE,       /* a protocol line: host sent text to peer */
	STEP_DNS,        /* a DNS transcript record at host */
	STEP_MAIL,       /* a message event at host (mail_event) */
	STEP_DROP,       /* a TCP segment was lost (host: where) */
	STEP_RETRANSMIT, /* host sent a TCP segment again */
	STEP_SEGMENT,    /* the first segment of a flow after a loss (watched flows only) */
	STEP_CLOSE,      /* host closed (or aborted) a connection end */
	STEP_NOTE,       /* another application record (kind in proto) */
};

struct step_item {
	enum step_kind kind;
	sim_time time;
	int host, peer; /* peer: the receiver of a line, else -1 */
	uint32_t conn_id;
	char proto[12]; /* "SMTP", "POP3", "IMAP"; for STEP_NOTE the record's kind */
	int from_client, encrypted;
	int mail_event; /* enum obs_mail_event */
	int retransmit; /* STEP_SEGMENT: whether it was a retransmission */
	int aborted;    /* STEP_CLOSE: an abort rather than a FIN */
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint32_t seq, len;
	char *text;                   /* the line, record or reason; never NULL */
	char *queue_id, *message_id, *rcpt; /* STEP_MAIL, may be NULL */
};

struct step_feed;

/* Subscribes to sim's bus. watch_losses: after a TCP segment is dropped,
 * queue the next segment of that flow as a STEP_SEGMENT (for predictions)
 * instead of nothing or a STEP_RETRANSMIT. NULL on ENOMEM. */
struct step_feed *step_feed_open(struct sim *sim, int watch_losses);
/* Unsubscribes and frees queued items. Accepts NULL; clears the pointer. */
void step_feed_close(struct step_feed **f);

/* The oldest queued item, or NULL; it stays valid until step_feed_pop(). */
const struct step_item *step_feed_peek(const struct step_feed *f);
void step_feed_pop(struct step_feed *f);
/* Nonzero once memory ran out (items were lost). */
int step_feed_failed(const struct step_feed *f);
/* The local and remote ports of a connection end (host, conn id), from the
 * connection-state records; 0 and -1 when unknown. */
int step_feed_ports(const struct step_feed *f, int host, uint32_t conn_id, uint16_t *local_r, uint16_t *remote_r);

#endif

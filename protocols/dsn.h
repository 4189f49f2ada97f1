/* Delivery status notifications (RFC 3464): the bounce an MTA sends to the
 * reverse path when it gives up on recipients. A multipart/report with
 * report-type=delivery-status (RFC 6522): a human-readable explanation, the
 * machine-readable message/delivery-status part, and the original message's
 * header section as text/rfc822-headers. */
#ifndef PROTOCOLS_DSN_H
#define PROTOCOLS_DSN_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"

struct dsn_recipient {
	const char *address;    /* the final recipient, "user@domain" */
	const char *status;     /* RFC 3463, "5.1.1" */
	const char *diagnostic; /* the remote reply, "550 5.1.1 User unknown"; NULL if none */
	const char *remote_mta; /* the host that gave it; NULL if local */
};

struct dsn_info {
	const char *reporting_mta;  /* our host name */
	const char *postmaster;     /* From address, "MAILER-DAEMON@host" */
	const char *to;             /* the original reverse path */
	const char *date;           /* RFC 5322 date of the report */
	const char *arrival_date;   /* when the original arrived; may be NULL */
	const char *message_id;     /* the report's own Message-ID, "<...>" */
	const char *queue_id;       /* the original's queue id; may be NULL */
	const struct dsn_recipient *rcpts;
	size_t nrcpts;
	const uint8_t *original;    /* the original message (its header is quoted) */
	size_t original_len;
	uint64_t seed;              /* for the MIME boundary */
};

/* Appends the whole report message (header fields and body) to out.
 * 0, or a negative proto_err code. */
int dsn_build(struct buf *out, const struct dsn_info *info);

#endif

/* RFC 5322 message-level helpers: the Date field from simulated time,
 * deterministic Message-IDs, Received and Return-Path trace fields, and the
 * Bcc rule. Field reading and writing is in header.h, addresses in
 * address.h, MIME in mime.h.
 *
 * Nothing here reads a clock or a random source: the caller passes the
 * simulated time and the seed, so the same run gives the same bytes. */
#ifndef PROTOCOLS_MESSAGE_H
#define PROTOCOLS_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/address.h"
#include "protocols/buf.h"

#define MSG_DATE_MAX 40 /* room for any date msg_date_format writes, NUL included */

/* Seconds since 1970-01-01 UTC of the simulated instant sim_ns nanoseconds
 * after the run's epoch (itself given in seconds since 1970), rounded down. */
int64_t msg_time_from_sim(int64_t epoch_unix_s, int64_t sim_ns);
/* Writes an RFC 5322 date-time, "Mon, 01 May 2006 14:30:00 -0300", for the
 * instant unix_s shown in the zone zone_min minutes east of UTC (-1439 ..
 * 1439). Returns 0, or PROTO_EINVAL for a zone or year out of range
 * (years 1900..9999). */
int msg_date_format(char out[MSG_DATE_MAX], int64_t unix_s, int zone_min);
/* Reads a date-time leniently (optional day name, 2- and 3-digit years,
 * optional seconds, obsolete zone names such as GMT, EST or "UT", a missing
 * zone read as -0000). 0 with the instant and zone, or PROTO_EINVAL. */
int msg_date_parse(const char *s, size_t n, int64_t *unix_s_r, int *zone_min_r);

/* A Message-ID "<16 hex digits.counter@domain>" where the hex digits mix
 * seed and counter: unique within a run as long as counter is, and the same
 * for the same (seed, counter, domain). Returns 0 or PROTO_EINVAL if the
 * result would not fit in size bytes or domain is empty. */
int msg_id_make(char *out, size_t size, uint64_t seed, uint64_t counter, const char *domain);

/* A Received field (RFC 5321 4.4 / RFC 5322 3.6.7). For building, NULL
 * fields are left out; from/by are the domain and any comment, e.g.
 * "laptop.juan (laptop.juan [10.0.0.2])". */
struct msg_received {
	char *from, *by, *via, *with, *id, *for_addr; /* for_addr without angle brackets */
	char *date;      /* the date-time text after ';' */
	int64_t unix_s;  /* parsed date, if has_date */
	int zone_min;
	int has_date;
};

/* Appends the field's value (no name, no CRLF): "from A by B via C with D
 * id E for <F>; DATE". date is the date-time text. */
int msg_received_format(struct buf *out, const struct msg_received *r, const char *date);
/* Reads a Received value (folds allowed). Unknown clauses are skipped.
 * Fills *r with strings it allocates (release with msg_received_clear).
 * 0, PROTO_ENOMEM, or PROTO_EINVAL if there is neither a clause nor a date. */
int msg_received_parse(const char *v, size_t n, struct msg_received *r);
void msg_received_clear(struct msg_received *r);

/* Appends a Return-Path value: "<reverse-path>" ("<>" for a bounce). */
int msg_return_path_format(struct buf *out, const char *reverse_path);
/* Reads a Return-Path value into out (the address, "" for <>). 0 or
 * PROTO_EINVAL if there is no angle address. */
int msg_return_path_parse(struct buf *out, const char *v, size_t n);

/* The Bcc rule (RFC 5322 3.6.3): the copy sent to the recipients has no
 * Bcc field; the sender's own copy (the message as composed) keeps it.
 * Appends the message text[0..n) without its Bcc fields. */
int msg_strip_bcc(struct buf *out, const char *text, size_t n);
/* The envelope recipients of a composed message: every mailbox of To, Cc
 * and Bcc in that order, each address once (compared without case).
 * 0 and a new list in *list_r, or PROTO_ENOMEM. */
int msg_recipients(const char *text, size_t n, struct addr_list **list_r);

#endif

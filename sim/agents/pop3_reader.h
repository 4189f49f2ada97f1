/* The UA's reading side over POP3 (RFC 1939): connects from the UA's host
 * to a POP3 server, logs in (USER/PASS, or APOP), downloads the messages
 * into the UA's own local store (the INBOX of the UA's user there) and
 * either deletes them on the server ("download and delete", the classic
 * POP3 way) or leaves them there ("keep"), then QUITs.
 *
 * A reader remembers the unique-ids (UIDL) it has downloaded, per server
 * and user, for as long as it lives: with keep, a later download fetches
 * only new messages, as real clients do; without keep, a message already
 * downloaded is not stored twice.
 *
 * Driven by the POP3 client engine (protocols/pop3_client.h) in session
 * mode over a simulated TCP connection. Every command it sends is
 * published on the bus (OBS_LINE, proto "POP3"), and each download's
 * outcome as a note (kind "pop3"). */
#ifndef SIM_POP3_READER_H
#define SIM_POP3_READER_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/pop3_client.h"

struct agent_env;
struct mailstore;
struct pop3_reader;

struct pop3_reader_options {
	uint32_t server_ip;
	uint16_t port;        /* 0: 110 */
	const char *user;     /* the login name (copied) */
	const char *password; /* or APOP's secret (copied) */
	int apop;
	int keep;             /* leave the messages on the server */
	size_t local_keep;    /* the local INBOX keeps at most this many, oldest deleted (0: all) */
};

struct pop3_reader_report {
	int id; /* pop3_reader_fetch()'s return value */
	enum pop3_client_outcome outcome; /* POP3_CLIENT_LOST also when no connection opened */
	const char *code, *text;          /* the deciding response (see pop3_client.h) */
	size_t listed, retrieved, deleted, skipped;
	size_t stored; /* new messages put in the local store */
};

typedef void (*pop3_reader_report_fn)(void *ctx, const struct pop3_reader_report *r);

/* A reader for host, storing into store (borrowed, must outlive the
 * reader) under the user address (copied; added to the store if absent).
 * report (may be NULL) gets each download's outcome. NULL on ENOMEM. */
struct pop3_reader *pop3_reader_new(const struct agent_env *env, int host, struct mailstore *store,
				    const char *address, pop3_reader_report_fn report, void *ctx);
/* Resets any download in progress (nothing is reported for it). Accepts
 * NULL; clears the pointer. */
void pop3_reader_free(struct pop3_reader **r);

/* Starts a download now. Returns its id (>= 0), or -1 if it cannot start
 * (bad options, no port or memory): then nothing is reported. */
int pop3_reader_fetch(struct pop3_reader *r, const struct pop3_reader_options *o);

/* Downloads in progress. */
size_t pop3_reader_active(const struct pop3_reader *r);

#endif

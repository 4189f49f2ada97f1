/* The POP3 server engine (RFC 1939, with RFC 2449's CAPA and response
 * codes), sans-I/O.
 *
 * The host (the pop3d agent, a test, the bridge) owns the connection and
 * the maildrop. It feeds the bytes the client sent, in any split, and sends
 * what the engine queued in its output buffer. The maildrop is reached only
 * through host callbacks: check credentials, lock the maildrop, describe
 * its messages, hand over a message's bytes, and remove the messages marked
 * deleted when the session reaches the UPDATE state.
 *
 *   struct pop3_server_config cfg;
 *   pop3_server_config_init(&cfg, "mx.dominio.de.maria");
 *   cfg.apop = 1; cfg.pid = 1896; cfg.clock = 697170952;
 *   struct pop3_server_host host = { .ctx = agent, .authenticate = ...,
 *       .apop = ..., .lock = ..., .unlock = ..., .count = ...,
 *       .info = ..., .get = ..., .commit = ... };
 *   struct pop3_server *s = pop3_server_new(&cfg, &host);
 *   // the +OK greeting is already queued
 *   on_bytes_from_client:
 *       pop3_server_feed(s, buf, n);
 *       send_all(s);            // pop3_server_output + pop3_server_consume
 *       if (pop3_server_should_close(s) && nothing left to send) close();
 *   on_connection_lost: pop3_server_free(&s);   // no deletions applied
 *
 * The states are RFC 1939's (section 3): AUTHORIZATION after the greeting,
 * TRANSACTION once the client is identified and the maildrop locked,
 * UPDATE after QUIT in TRANSACTION (the host's commit callback removes the
 * messages marked deleted, then the session closes). Only QUIT leads to
 * UPDATE: a session that ends otherwise (the host frees the engine, the
 * connection is lost, the idle timer fires) removes nothing and releases
 * the lock (section 6: "if a session terminates for some reason other than
 * a client-issued QUIT command, the POP3 session does not enter the UPDATE
 * state and MUST not remove any messages").
 *
 * Message numbers are fixed for the session: the engine takes a snapshot of
 * the maildrop (count, and size and unique id of each message) when the
 * lock is acquired; mail that arrives later is seen by the next session.
 *
 * Responses carry RFC 2449 response codes where they apply: "-ERR [IN-USE]"
 * when the maildrop is locked by another session, "-ERR [AUTH]" for bad
 * credentials (CAPA advertises RESP-CODES and AUTH-RESP-CODE). After
 * cfg.max_failed_logins such failures the engine closes the session.
 *
 * Limits: a command line is at most 255 octets with its CRLF (RFC 2449
 * section 4); a longer one is answered "-ERR line too long" and the session
 * goes on. Arguments are at most 40 octets (RFC 1939 section 3), except
 * PASS's, which may hold spaces and runs to the end of the line. A command
 * with a NUL or a bare CR is refused. Message numbers are digits only (no
 * sign); TOP's line count may have any number of digits, and any count
 * past the body's last line gives the whole message. Commands are
 * case-insensitive. Bad commands and commands in the wrong state get -ERR
 * and the session goes on. A client may pipeline (RFC 2449 PIPELINING):
 * while more than 256 KiB of responses wait unsent the engine stops reading
 * commands, and resumes when the host consumes output; pipelined input
 * beyond 64 KiB closes the session. So memory stays bounded whatever the
 * client does.
 *
 * Multi-line responses (LIST, UIDL, RETR, TOP, CAPA) are byte-stuffed with
 * line_dot_stuff() (section 3): a line starting with "." gets another, every
 * line end becomes CRLF, and the response ends with CRLF "." CRLF. */
#ifndef PROTOCOLS_POP3_SERVER_H
#define PROTOCOLS_POP3_SERVER_H

#include <stddef.h>
#include <stdint.h>

enum pop3_server_state {
	POP3_SERVER_AUTHORIZATION, /* greeted; waiting for USER/PASS or APOP */
	POP3_SERVER_TRANSACTION,   /* identified, maildrop locked */
	POP3_SERVER_UPDATE,        /* QUIT in TRANSACTION: deletions applied */
	POP3_SERVER_CLOSED,        /* signed off, timed out or failed: input ignored */
};

struct pop3_server_config {
	const char *hostname;        /* %h, and the timestamp's host */
	const char *greeting;        /* after "+OK "; default "POP3 server ready" */
	const char *quit_text;       /* after "+OK "; default "%h POP3 server
					signing off"; in UPDATE " (maildrop
					empty)" or " (N messages left)" follows */
	int apop;                    /* offer APOP: a timestamp in the greeting */
	int user_pass;               /* accept USER/PASS (default 1) */
	/* The greeting's timestamp is "<pid.clock@hostname>" (RFC 1939
	 * section 7); the host supplies both numbers so runs are
	 * deterministic (a real server uses its process id and clock). */
	uint32_t pid;
	uint64_t clock;
	unsigned max_failed_logins;  /* -ERR [AUTH] replies before closing (0: 3) */
	const char *implementation;  /* CAPA IMPLEMENTATION text; NULL: none */
};

/* One message of the maildrop, as the host describes it. */
struct pop3_msg_info {
	uint64_t size;    /* octets, as RETR will send them before stuffing */
	char uid[71];     /* unique-id: 1 to 70 octets in 0x21..0x7E (RFC 1939
			     section 7); a bad one is replaced by the
			     message's number */
};

enum pop3_lock_result {
	POP3_LOCK_OK = 0,
	POP3_LOCK_IN_USE = -1, /* another session holds it: -ERR [IN-USE] */
	POP3_LOCK_FAILED = -2, /* any other reason: -ERR [SYS/TEMP] */
};

/* Host callbacks; ctx is handed back to each. user is the name the client
 * gave (USER or APOP), at most 40 octets, no spaces or control octets.
 * Callbacks must not call back into the engine. */
struct pop3_server_host {
	void *ctx;
	/* USER/PASS: 1 if pass is user's password, else 0. NULL: nobody. */
	int (*authenticate)(void *ctx, const char *user, const char *pass);
	/* APOP: 1 if digest (32 lowercase hex digits) is MD5 of timestamp
	 * followed by user's shared secret (see md5.h), else 0. NULL: APOP
	 * always fails. */
	int (*apop)(void *ctx, const char *user, const char *digest, const char *timestamp);
	/* Locks user's maildrop for this session (enum pop3_lock_result),
	 * and keeps it locked until unlock. */
	int (*lock)(void *ctx, const char *user);
	/* Releases the lock; called exactly once after a successful lock
	 * (after commit when the session reaches UPDATE). */
	void (*unlock)(void *ctx, const char *user);
	/* The maildrop right after lock: how many messages, and each one's
	 * size and unique id (index 0 is message 1). */
	size_t (*count)(void *ctx);
	void (*info)(void *ctx, size_t index, struct pop3_msg_info *info_r);
	/* The bytes of a message (borrowed until the next callback); NULL
	 * if it cannot be read (-ERR). */
	const uint8_t *(*get)(void *ctx, size_t index, size_t *len_r);
	/* UPDATE: remove the messages at these indices (ascending). Returns
	 * 0, or -1 if some could not be removed ("-ERR some deleted messages
	 * not removed", section 6). NULL: nothing is removed (and -ERR). */
	int (*commit)(void *ctx, const size_t *indices, size_t n);
	/* Every state change, old -> new (for the observation bus). */
	void (*state_changed)(void *ctx, enum pop3_server_state from, enum pop3_server_state to);
	/* Every line in either direction without its CRLF: sent = 1 for a
	 * response line the engine queued (multi-line bodies line by line,
	 * stuffed, "." included), 0 for a command it got. PASS arguments
	 * are traced as given: a transcript shows what an eavesdropper
	 * would see. May be NULL. */
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
};

struct pop3_server;

/* Fills cfg with the defaults for hostname (borrowed): USER/PASS on, APOP
 * off, 3 failed logins. */
void pop3_server_config_init(struct pop3_server_config *cfg, const char *hostname);

/* Creates a session and queues the greeting. cfg, host and the strings are
 * copied. NULL on ENOMEM or a NULL hostname. */
struct pop3_server *pop3_server_new(const struct pop3_server_config *cfg, const struct pop3_server_host *host);
/* Ends the session: a held lock is released without applying any deletion
 * (the connection was lost, or the host shuts down). Accepts NULL; clears
 * the pointer. */
void pop3_server_free(struct pop3_server **s);

/* Hands len bytes from the client to the engine, which takes them all (the
 * return value is always len) and queues the responses. Bytes after the
 * session closed are dropped. */
size_t pop3_server_feed(struct pop3_server *s, const void *bytes, size_t len);

/* The bytes queued for the client (borrowed, valid until the next call into
 * the engine) and how many; pop3_server_consume drops the first n once
 * sent (and lets a backlogged engine read further commands). */
const uint8_t *pop3_server_output(const struct pop3_server *s, size_t *len_r);
void pop3_server_consume(struct pop3_server *s, size_t n);

/* The host's inactivity timer fired (RFC 1939 section 3: at least 10
 * minutes): the session closes without a response and without entering
 * UPDATE, so nothing is removed; the lock is released. */
void pop3_server_timeout(struct pop3_server *s);
/* The autologout timeout RFC 1939 section 3 asks for, in seconds (600). */
unsigned pop3_server_rfc_timeout(const struct pop3_server *s);

enum pop3_server_state pop3_server_state(const struct pop3_server *s);
const char *pop3_server_state_name(enum pop3_server_state st);
/* 1 once the session is over: close after sending the output. */
int pop3_server_should_close(const struct pop3_server *s);
/* The greeting's timestamp ("" when APOP is off); valid while s lives. */
const char *pop3_server_timestamp(const struct pop3_server *s);
/* The user the session is logged in as ("" before). */
const char *pop3_server_user(const struct pop3_server *s);

#endif

/* The POP3 client engine (RFC 1939, RFC 2449 response codes), sans-I/O:
 * what a UA runs to read its mail from a POP3 server.
 *
 * The host feeds the bytes the server sent, in any split, and sends what the
 * engine queued in its output buffer. The engine parses every response:
 * "+OK" or "-ERR", the RFC 2449 response code in brackets if any, and for
 * the commands that get one (LIST and UIDL without an argument, RETR, TOP,
 * CAPA) the multi-line body after a +OK, dot-unstuffed, up to the CRLF "."
 * CRLF that ends it (the line engine's LINE_MODE_DOT_DATA, so a bare LF
 * before or after the dot never ends it).
 *
 * Two ways to drive it:
 *
 * Command by command: pop3_client_send(c, "STAT") queues a command; the
 * response callback gets each response in order, the greeting first
 * (command ""). Commands may be pipelined (sent before the previous
 * response arrived).
 *
 * A whole session: pop3_client_start_session(c, &opts) after creating the
 * engine. It waits for the greeting, logs in with APOP (MD5 of the
 * greeting's timestamp and the password, RFC 1939 section 7) or USER and
 * PASS, asks STAT, UIDL and LIST, then for each message the host's want
 * callback accepts (say, those whose unique-id it has not seen: "leave
 * mail on the server") sends RETR and, unless opts.keep, DELE; then QUIT.
 * The message callback gets each message; done gets the outcome, once.
 * Commands go one at a time, so a transcript reads as a textbook session.
 *
 *   struct pop3_client_host h = { .ctx = ua, .want = .., .message = ..,
 *                                 .done = .. };
 *   struct pop3_client *c = pop3_client_new(&h);
 *   struct pop3_client_session_options o = { "maria", "serenata", 1, 0 };
 *   pop3_client_start_session(c, &o);
 *   on bytes: pop3_client_feed(c, buf, n); send pop3_client_output();
 *   if (pop3_client_done(c)) close, pop3_client_free(&c);
 *
 * The engine never trusts the server: a status line longer than 512
 * octets with its CRLF (RFC 2449 section 4), a line that is neither +OK nor
 * -ERR, or a response nobody asked for is a protocol error that ends the
 * session. Multi-line bodies are kept up to max_body octets (the rest is
 * read and dropped; the response says truncated). */
#ifndef PROTOCOLS_POP3_CLIENT_H
#define PROTOCOLS_POP3_CLIENT_H

#include <stddef.h>
#include <stdint.h>

enum pop3_client_state {
	POP3_CLIENT_GREETING, /* connected, waiting for +OK */
	POP3_CLIENT_AUTH,     /* USER, PASS or APOP sent (session mode) */
	POP3_CLIENT_READY,    /* greeted (command mode) or logged in */
	POP3_CLIENT_QUIT,     /* QUIT sent */
	POP3_CLIENT_CLOSED,   /* the session is over */
};

/* A response as the host sees it; valid during the callback only. */
struct pop3_client_response {
	const char *command; /* the command it answers ("" for the greeting;
				"PASS" without its argument) */
	int ok;              /* 1: +OK, 0: -ERR (or made up locally) */
	const char *code;    /* RFC 2449 response code ("IN-USE", "AUTH",
				"SYS/TEMP"...), "" if none */
	const char *text;    /* the rest of the status line, code removed */
	int multiline;       /* a body follows the +OK */
	const uint8_t *data; /* the body, unstuffed, CRLF line ends, without
				the terminating "." line */
	size_t len;
	int truncated;       /* the body was longer than max_body */
	int local;           /* made up by the engine (connection lost,
				protocol error), not sent by the server */
};

enum pop3_client_outcome {
	POP3_CLIENT_OK,        /* QUIT answered +OK: the session is complete */
	POP3_CLIENT_GREETING_FAILED,
	POP3_CLIENT_LOGIN_FAILED,  /* -ERR to USER, PASS or APOP (see code) */
	POP3_CLIENT_NO_APOP,       /* APOP asked for, no timestamp offered */
	POP3_CLIENT_COMMAND_FAILED, /* -ERR to STAT, LIST or QUIT */
	POP3_CLIENT_PROTOCOL_ERROR, /* a malformed or unexpected response */
	POP3_CLIENT_LOST,           /* pop3_client_connection_lost() */
};
const char *pop3_client_outcome_name(enum pop3_client_outcome o);

/* What a session did (done callback). */
struct pop3_client_result {
	enum pop3_client_outcome outcome;
	const char *code;  /* the response code of the failing response, or "" */
	const char *text;  /* the failing response's text, or the last +OK's */
	size_t listed;     /* messages in the maildrop (STAT) */
	size_t retrieved;  /* RETR answered +OK */
	size_t deleted;    /* DELE answered +OK (removed only if QUIT was +OK) */
	size_t skipped;    /* not wanted by the host */
	size_t failed;     /* RETR or DELE answered -ERR */
};

/* Host callbacks (each may be NULL); ctx is handed back to each. They may
 * read the engine and queue commands, but not free it. */
struct pop3_client_host {
	void *ctx;
	/* Command mode: each response in order, the greeting first. */
	void (*response)(void *ctx, const struct pop3_client_response *r);
	/* Session mode: retrieve message msgno (from 1) with this unique id
	 * ("" if the server has no UIDL) and size? 1 yes, 0 skip. NULL: all. */
	int (*want)(void *ctx, size_t msgno, const char *uid, uint64_t size);
	/* Session mode: a retrieved message (unstuffed, CRLF line ends). */
	void (*message)(void *ctx, size_t msgno, const char *uid, const uint8_t *data, size_t len, int truncated);
	/* Session mode: the outcome, exactly once. */
	void (*done)(void *ctx, const struct pop3_client_result *r);
	/* Every state change, old -> new (for the observation bus). */
	void (*state_changed)(void *ctx, enum pop3_client_state from, enum pop3_client_state to);
	/* Every line in either direction without its CRLF (sent = 1: a
	 * command; 0: a status line or a body line, unstuffed). */
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
};

struct pop3_client_session_options {
	const char *user;     /* the login name */
	const char *password; /* the password, or APOP's shared secret */
	int apop;             /* 1: APOP (fails if the greeting has no timestamp) */
	int keep;             /* 1: leave the messages on the server (no DELE) */
};

struct pop3_client;

/* host is copied; max_body 0 means 64 MiB. NULL on ENOMEM. */
struct pop3_client *pop3_client_new(const struct pop3_client_host *host);
void pop3_client_free(struct pop3_client **c);
/* The largest multi-line body kept (default 64 MiB). */
void pop3_client_set_max_body(struct pop3_client *c, size_t max_body);

enum pop3_client_error {
	POP3_CLIENT_EINVAL = -1, /* a bad command line or option */
	POP3_CLIENT_ENOMEM = -2,
	POP3_CLIENT_ECLOSED = -3, /* the session is over, or a session runs */
};

/* Command mode: queues one command line (no CR, LF or NUL; at most 253
 * octets; e.g. "RETR 1"). Whether a multi-line response is expected follows
 * from the command. 0 or a pop3_client_error. */
int pop3_client_send(struct pop3_client *c, const char *line);
/* Session mode: runs the whole session (call before the greeting arrives;
 * the options' strings are copied). 0 or a pop3_client_error. */
int pop3_client_start_session(struct pop3_client *c, const struct pop3_client_session_options *o);

/* Bytes from the server, in any split; all are taken (returns len). */
size_t pop3_client_feed(struct pop3_client *c, const void *bytes, size_t len);
/* The bytes to send (borrowed until the next call into the engine). */
const uint8_t *pop3_client_output(const struct pop3_client *c, size_t *len_r);
void pop3_client_consume(struct pop3_client *c, size_t n);

/* The connection broke (or the host's timer fired): pending commands get a
 * local -ERR response, a session ends with POP3_CLIENT_LOST. */
void pop3_client_connection_lost(struct pop3_client *c);

enum pop3_client_state pop3_client_state(const struct pop3_client *c);
const char *pop3_client_state_name(enum pop3_client_state st);
/* 1 when the session is over (the host closes after sending output). */
int pop3_client_done(const struct pop3_client *c);
/* The greeting's APOP timestamp ("" if none or not yet greeted). */
const char *pop3_client_timestamp(const struct pop3_client *c);
/* Commands sent and not yet answered. */
size_t pop3_client_pending(const struct pop3_client *c);

#endif

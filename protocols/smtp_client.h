/* The SMTP client engine, sans-I/O: what an MTA (relaying) or a UA
 * (submitting) runs on its side of an SMTP connection.
 *
 * The host queues jobs (messages, each an envelope and its bytes, or ETRN
 * requests), feeds the bytes the server sent, in any split, and sends what
 * the engine queued in its output buffer. The engine walks the session:
 * greeting, EHLO (HELO when EHLO gets a 5xx), STARTTLS when offered and
 * wanted, then per message MAIL, RCPT..., DATA and the dot-stuffed body
 * (all of MAIL, RCPT and DATA in one batch when the server offers
 * PIPELINING), RSET before every message but the first, and QUIT once the
 * host says there is nothing more. It never emits a bare CR or LF: the
 * body goes through line_dot_stuff(), and addresses, names and ETRN nodes
 * are checked before they reach a command line.
 *
 *   struct smtp_client_options o;
 *   smtp_client_options_init(&o, "mta-1.gmail.com");
 *   struct smtp_client_host h = { .ctx = agent, .rcpt = on_rcpt,
 *                                 .message = on_message, .session = on_fail };
 *   struct smtp_client *c = smtp_client_new(&o, &h);
 *   smtp_client_add_message(c, "juan@gmail.com", rcpts, 2, body, len);
 *   smtp_client_finish(c);               // QUIT after the last job
 *   on connect / on bytes: smtp_client_feed(...); send smtp_client_output();
 *   if (smtp_client_tls_pending(c)) { ...handshake...;
 *                                     smtp_client_tls_established(c); }
 *   if (smtp_client_done(c)) close, smtp_client_free(&c);
 *
 * Outcomes, each reported exactly once:
 *   rcpt(job, i, reply)   the reply to RCPT TO for recipient i (or the
 *                         failure that kept it from being sent: a MAIL
 *                         rejection, a session failure, a local check);
 *   message(job, reply, accepted)  the final reply to the data, or the
 *                         reply that stopped the transaction before it;
 *                         accepted: recipients that got a 2xx to RCPT.
 *   etrn(job, reply)      the reply to ETRN.
 * A recipient's fate is therefore: rcpt reply not 2xx -> that reply;
 * otherwise the message reply (2xx delivered, 4xx retry, 5xx bounce).
 * session(reply) reports a failure of the whole connection (greeting 4xx
 * or 5xx, EHLO and HELO refused, 421, a malformed reply, STARTTLS required
 * but refused, the connection lost, a timeout); every job not yet
 * answered is then failed with the same reply. Replies the engine makes
 * up itself have local = 1: connection lost, timeout, protocol error or
 * STARTTLS missing give a 4xx code, so the message is retried (RFC 5321
 * 4.5.4.1); a message over the server's advertised SIZE gets 552 and a
 * transaction whose recipients were all refused gets 554 for the message
 * (each recipient keeps its own RCPT reply).
 *
 * Replies are parsed per RFC 5321 4.2 by smtp_reply.h: lines of a 3-digit
 * code, "-" or SP (or nothing) and text; every line of one reply has the
 * same code; at most 512 octets a line and 100 lines a reply. Anything else
 * is a protocol error: the engine stops, reports it and asks to close; it
 * never crashes on what a server sends. */
#ifndef PROTOCOLS_SMTP_CLIENT_H
#define PROTOCOLS_SMTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

enum smtp_client_state {
	SMTP_CLIENT_GREETING,   /* connected, waiting for 220 */
	SMTP_CLIENT_EHLO,       /* EHLO sent */
	SMTP_CLIENT_HELO,       /* HELO sent (fallback or by option) */
	SMTP_CLIENT_STARTTLS,   /* STARTTLS sent */
	SMTP_CLIENT_TLS_HANDSHAKE, /* 220 to STARTTLS; the host's turn */
	SMTP_CLIENT_READY,      /* hello done, between jobs */
	SMTP_CLIENT_RSET,       /* RSET sent before the next message */
	SMTP_CLIENT_MAIL,       /* MAIL (and, pipelined, RCPTs and DATA) sent */
	SMTP_CLIENT_RCPT,       /* RCPTs sent, replies pending */
	SMTP_CLIENT_DATA,       /* DATA sent, waiting for 354 */
	SMTP_CLIENT_BODY,       /* body sent, waiting for the final reply */
	SMTP_CLIENT_ETRN,       /* ETRN sent */
	SMTP_CLIENT_QUIT,       /* QUIT sent */
	SMTP_CLIENT_CLOSED,     /* done: 221 received or session failed */
};

struct smtp_client_options {
	const char *helo_name;  /* our name in EHLO/HELO (required) */
	int use_ehlo;           /* 1 (default): EHLO, HELO on a 5xx; 0: HELO */
	int use_pipelining;     /* 1 (default): batch MAIL/RCPT/DATA if offered */
	int want_starttls;      /* 1: STARTTLS when offered (default 0) */
	int require_starttls;   /* 1: fail the session without TLS */
	int space_before_path;  /* 1: "MAIL FROM: <a@b>" as typed in the class
				   note's telnet session (RFC 5321 has no
				   space; servers accept it) */
};

/* A server reply as the host sees it; valid during the callback only. */
struct smtp_client_reply {
	int code;            /* 200..599 */
	char enhanced[16];   /* "2.1.5" when the server sent one, else "" */
	const char *text;    /* the text of every line, enhanced code
				removed, lines joined with "\n" */
	int local;           /* made up by the engine, not sent by the server */
};

enum smtp_client_failure {
	SMTP_CLIENT_FAIL_GREETING,  /* the greeting was not 220 */
	SMTP_CLIENT_FAIL_HELLO,     /* EHLO and HELO refused */
	SMTP_CLIENT_FAIL_421,       /* the server is closing the channel */
	SMTP_CLIENT_FAIL_PROTOCOL,  /* a malformed or unexpected reply */
	SMTP_CLIENT_FAIL_TLS,       /* STARTTLS required but not available */
	SMTP_CLIENT_FAIL_LOST,      /* smtp_client_connection_lost() */
	SMTP_CLIENT_FAIL_TIMEOUT,   /* smtp_client_timeout() */
};

/* Host callbacks (each may be NULL); ctx is handed back to each. They may
 * read the engine and add jobs, but not free it (do that after the call
 * into the engine returns). See the top of this file for when each one
 * comes. */
struct smtp_client_host {
	void *ctx;
	/* recipient index of job: its RCPT reply, or what stopped it */
	void (*rcpt)(void *ctx, int job, size_t index, const struct smtp_client_reply *r);
	/* the message's outcome; accepted = recipients with a 2xx RCPT */
	void (*message)(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted);
	void (*etrn)(void *ctx, int job, const struct smtp_client_reply *r);
	/* the whole session failed; the open jobs' callbacks follow */
	void (*session)(void *ctx, enum smtp_client_failure why, const struct smtp_client_reply *r);
	/* every state change, old -> new (for the observation bus) */
	void (*state_changed)(void *ctx, enum smtp_client_state from, enum smtp_client_state to);
	/* Every line in either direction without CRLF (sent = 1: ours). */
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
};

struct smtp_client;

/* Defaults: EHLO, pipelining, no STARTTLS. helo_name is borrowed. */
void smtp_client_options_init(struct smtp_client_options *o, const char *helo_name);

/* NULL on ENOMEM or an invalid helo_name. o and host are copied. */
struct smtp_client *smtp_client_new(const struct smtp_client_options *o, const struct smtp_client_host *host);
void smtp_client_free(struct smtp_client **c);

enum smtp_client_error {
	SMTP_CLIENT_EINVAL = -1, /* a bad address, node or argument */
	SMTP_CLIENT_ENOMEM = -2,
	SMTP_CLIENT_ECLOSED = -3, /* after finish or the end of the session */
};

/* Queues a message: reverse_path ("" for a bounce) and nrcpts (>= 1)
 * recipients as bare mailboxes ("user@domain"); all are copied. body
 * (the RFC 5322 message, any line ends) is borrowed and must stay valid
 * until the message callback for this job. Returns the job id (>= 0) or
 * an smtp_client_error. */
int smtp_client_add_message(struct smtp_client *c, const char *reverse_path, const char *const *rcpts,
			    size_t nrcpts, const uint8_t *body, size_t len);
/* Queues "ETRN node" (node: a domain, "@domain" or "#queue"). */
int smtp_client_add_etrn(struct smtp_client *c, const char *node);
/* No more jobs: QUIT once the queued ones are answered. */
void smtp_client_finish(struct smtp_client *c);

/* Bytes from the server, in any split; all are taken (the return value is
 * always len). Replies make little output, so no flow control is needed. */
size_t smtp_client_feed(struct smtp_client *c, const void *bytes, size_t len);
/* The bytes to send (borrowed until the next call into the engine). */
const uint8_t *smtp_client_output(const struct smtp_client *c, size_t *len_r);
void smtp_client_consume(struct smtp_client *c, size_t n);

/* The host's TLS handshake (modelled) finished: the engine sends EHLO
 * again, as RFC 3207 requires. */
void smtp_client_tls_established(struct smtp_client *c);
/* The connection broke, or the host's timer fired: every open job fails
 * with a local 4xx reply and the session ends. */
void smtp_client_connection_lost(struct smtp_client *c);
void smtp_client_timeout(struct smtp_client *c);
/* The text those failures' replies contain when the whole message, final
 * "." included, had been sent and its reply was still awaited: the server
 * may have accepted it, so a retry may deliver it twice (RFC 1047). The
 * mail ledger looks for it. */
#define SMTP_CLIENT_RFC1047_MARK "RFC 1047"

/* The timeout RFC 5321 4.5.3.2 recommends while waiting in the current
 * state, in seconds: 5 minutes for the greeting, MAIL, RCPT and others,
 * 2 minutes for the 354, 10 minutes for the reply to the data. */
unsigned smtp_client_rfc_timeout(const struct smtp_client *c);

enum smtp_client_state smtp_client_state(const struct smtp_client *c);
const char *smtp_client_state_name(enum smtp_client_state st);
int smtp_client_tls_pending(const struct smtp_client *c);
int smtp_client_encrypted(const struct smtp_client *c);
/* 1 when the session is over (the host closes after sending output). */
int smtp_client_done(const struct smtp_client *c);
/* What the server offered in its EHLO reply (smtp_server_ext bits, the
 * same values as smtp_server.h), and its SIZE limit (0: none given). */
unsigned smtp_client_server_extensions(const struct smtp_client *c);
uint64_t smtp_client_server_max_size(const struct smtp_client *c);

#endif

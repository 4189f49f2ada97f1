/* The SMTP server engine (RFC 5321 with ESMTP: PIPELINING, SIZE, 8BITMIME,
 * ENHANCEDSTATUSCODES, ETRN, STARTTLS), sans-I/O.
 *
 * The host (an MTA agent, a test, the bridge) owns the connection. It feeds
 * the bytes the client sent, in any split, and sends whatever the engine
 * queued in its output buffer. Decisions that belong to the host (is this
 * recipient local, may this client relay, where does the message go) are
 * callbacks, all synchronous. Timeouts are the host's: when its idle timer
 * fires it calls smtp_server_timeout().
 *
 *   struct smtp_server_config cfg;
 *   smtp_server_config_init(&cfg, "smtp-1.dc.uba.ar");
 *   struct smtp_server_host host = { .ctx = agent, .rcpt = my_rcpt,
 *                                    .message = my_message };
 *   struct smtp_server *s = smtp_server_new(&cfg, &host, "10.0.0.7", NULL);
 *   // the 220 greeting is already queued
 *   on_bytes_from_client:
 *       smtp_server_feed(s, buf, n);
 *       send_all(s);       // smtp_server_output + smtp_server_consume
 *       if (smtp_server_tls_pending(s)) { ...handshake...;
 *                                         smtp_server_tls_established(s); }
 *       if (smtp_server_should_close(s) && nothing left to send) close();
 *   smtp_server_free(&s);
 *
 * Texts (greeting, HELO/EHLO, 354, the final 250, 221, ...) are templates
 * set per server in the config, so a scenario can reproduce a real
 * server's session line for line. In a template:
 *   %h  the server's host name      %c  the name the client gave in HELO/EHLO
 *   %a  the client's address        %r  the client's reverse-DNS name
 *   %d  the command's argument (ETRN node, VRFY string)
 *   %q  the queue id the host returned for a message     %%  a percent sign
 * Anything else after % is kept as is. Host-supplied reply texts are
 * templates too. An LF in a template starts another line of a multi-line
 * reply; in a substituted value it becomes a space, as do CR and every
 * other control octet anywhere; each line is cut at 400 octets. So no text
 * (and nothing a client sends) can break the reply framing.
 *
 * Enhanced status codes (RFC 2034, RFC 3463) are put on every reply except
 * the greeting, the EHLO/HELO reply and 354, once the client has sent EHLO
 * and ENHANCEDSTATUSCODES is among the extensions offered; a HELO session
 * gets plain RFC 821 replies (as in the class note's telnet session).
 *
 * Limits (RFC 5321 4.5.3.1): command lines up to 512 octets with CRLF
 * (longer: "500 Line too long", the rest of the line discarded); text lines
 * in DATA up to 1000 octets with CRLF (longer: the whole message is
 * rejected with 500 after its end, never mid-stream); 100 recipients (then
 * 452 4.5.3); message size cfg.max_message_size (552 5.3.4, for a SIZE=
 * parameter at MAIL time and for the data received). Commands with a NUL,
 * a bare CR or a bare LF are rejected with 500. DATA ends only at
 * CRLF "." CRLF (the line engine's smuggling-safe mode).
 *
 * STARTTLS is modelled (DESIGN.md): after "220 Ready to start TLS" the
 * engine is in SMTP_SERVER_TLS_HANDSHAKE and discards every byte until the
 * host calls smtp_server_tls_established(); anything the client pipelined
 * after STARTTLS is thereby dropped (RFC 3207 section 4.2), the session is
 * reset to its initial state (a new EHLO is needed) and marked encrypted. */
#ifndef PROTOCOLS_SMTP_SERVER_H
#define PROTOCOLS_SMTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

enum smtp_server_state {
	SMTP_SERVER_INIT,          /* greeted; waiting for HELO/EHLO */
	SMTP_SERVER_READY,         /* hello done, no mail transaction */
	SMTP_SERVER_MAIL,          /* MAIL FROM accepted, no recipient yet */
	SMTP_SERVER_RCPT,          /* at least one recipient accepted */
	SMTP_SERVER_DATA,          /* 354 sent; receiving the message */
	SMTP_SERVER_TLS_HANDSHAKE, /* 220 to STARTTLS sent; input discarded */
	SMTP_SERVER_TURNED,        /* 250 to TURN sent; roles reversed, the
				      host drives a client engine now */
	SMTP_SERVER_CLOSED,        /* 221 or 421 sent; input ignored */
};

/* Extensions advertised in the EHLO reply (and so accepted in commands). */
enum smtp_server_ext {
	SMTP_EXT_PIPELINING = 1 << 0,
	SMTP_EXT_SIZE = 1 << 1,
	SMTP_EXT_8BITMIME = 1 << 2,
	SMTP_EXT_ENHANCEDSTATUSCODES = 1 << 3,
	SMTP_EXT_ETRN = 1 << 4,
	SMTP_EXT_STARTTLS = 1 << 5, /* offered only when host->starttls says
				       it is available, never once encrypted */
	SMTP_EXT_VRFY = 1 << 6,     /* an RFC 5321 D.4-style "VRFY" keyword */
	SMTP_EXT_HELP = 1 << 7,
	SMTP_EXT_ALL = (1 << 8) - 1,
};

enum smtp_body_type { SMTP_BODY_UNSPECIFIED, SMTP_BODY_7BIT, SMTP_BODY_8BITMIME };

struct smtp_server_config {
	const char *hostname;         /* %h */
	unsigned extensions;          /* smtp_server_ext bits */
	uint64_t max_message_size;    /* octets; advertised as SIZE n (0: 10 MiB) */
	unsigned max_recipients;      /* per transaction; RFC minimum 100 (0: 100) */
	int turn_enabled;             /* TURN: 502 unless set (and host->turn) */
	unsigned max_errors;          /* after this many 500-504/555 replies:
					 "421 4.7.0 Error: too many errors"
					 and close (0: never) */
	int no_ehlo;                  /* an RFC 821 server: EHLO is "500
					 command unrecognized" (clients then
					 fall back to HELO) */
	/* Templates (see the top of this file). */
	const char *greeting;         /* 220 ...; default "%h ESMTP" */
	const char *helo_text;        /* 250 ... to HELO; default "%h" */
	const char *ehlo_text;        /* first line to EHLO; default "%h greets %c" */
	const char *mail_ok_text;     /* 250 to MAIL; default "OK" */
	const char *rcpt_ok_text;     /* 250 to RCPT; default "OK" */
	const char *data_text;        /* 354; default "Start mail input; end with <CRLF>.<CRLF>" */
	const char *queued_text;      /* 250 after the data when the host gives
					 no text; default "OK" */
	const char *quit_text;        /* 221; default "%h Service closing transmission channel" */
	const char *timeout_text;     /* 421; default "%h Error: timeout exceeded" */
};

/* A reply chosen by the host. The engine hands every decision callback a
 * zeroed one: left alone it means the engine's proposal (written beside
 * each callback). code 0 keeps the proposed code; enhanced NULL (or not a
 * valid "x.y.z" of the code's class) lets the engine pick the RFC 3463
 * code; text NULL keeps the proposed text, or RFC 5321's text for a code
 * the host changed. Strings must stay valid until the callback returns;
 * the engine formats them at once. */
struct smtp_reply {
	int code;
	const char *enhanced; /* "5.1.1" */
	const char *text;     /* a template; may contain "\n" for a multi-line reply */
	const char *queue_id; /* %q, for the reply to a message */
};

/* The envelope of the transaction in progress, valid during a callback. */
struct smtp_envelope {
	const char *client_addr;   /* as given to smtp_server_new */
	const char *client_rname;  /* "unknown" until the host knows it */
	const char *helo;          /* the HELO/EHLO argument */
	int esmtp;                 /* the client said EHLO */
	int encrypted;             /* after STARTTLS */
	const char *reverse_path;  /* "" for <> */
	uint64_t declared_size;    /* SIZE=, 0 if none */
	enum smtp_body_type body;
	const char *const *rcpts;  /* accepted recipients so far */
	size_t nrcpts;
};

/* Host callbacks; ctx is handed back to each. Every one may be NULL, which
 * means the default written beside it. A callback must not call back into
 * the same engine, except to read it (state, flags) and, in the message
 * callback, to take the data with smtp_server_take_data(). */
struct smtp_server_host {
	void *ctx;
	/* The client named itself (HELO/EHLO arg); report only (reverse
	 * lookups are the host's business). */
	void (*hello)(void *ctx, const char *name, int esmtp);
	/* May the transaction start with this reverse path? Proposal: 250
	 * cfg.mail_ok_text; anything but 2xx refuses it. */
	void (*mail)(void *ctx, const struct smtp_envelope *env, struct smtp_reply *reply_r);
	/* Is this recipient acceptable (local user? relay allowed for this
	 * client?). proposal: 250 cfg.rcpt_ok_text; set 550 5.1.1, 551, 554 5.7.1,
	 * 452 ... to refuse. Only 2xx replies add the recipient. Default:
	 * accept everybody. */
	void (*rcpt)(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply_r);
	/* The message is complete (data: unstuffed, CRLF line ends, exactly
	 * what the client sent, valid during the call; copy what you keep).
	 * proposal: 250 cfg.queued_text; the host answers 250
	 * with a queue_id, 452, 554, ... Default: 250 (the message is lost). */
	void (*message)(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			struct smtp_reply *reply_r);
	/* ETRN node (RFC 1985): proposal: 250 "Queuing for node %d
	 * started"; 251, 252, 253, 458, 459 are the others. Default (NULL):
	 * 458 "Unable to queue messages for node %d". */
	void (*etrn)(void *ctx, const char *node, struct smtp_reply *reply_r);
	/* VRFY string: proposal: 252 "Cannot VRFY user, but will accept
	 * message and attempt delivery"; the host may give 250/251/550/553. */
	void (*vrfy)(void *ctx, const char *what, struct smtp_reply *reply_r);
	/* EXPN list: proposal: 502 (not implemented) */
	void (*expn)(void *ctx, const char *what, struct smtp_reply *reply_r);
	/* TURN (cfg.turn_enabled): proposal: 250; on a 2xx reply the engine
	 * enters SMTP_SERVER_TURNED and the host becomes the client. */
	void (*turn)(void *ctx, struct smtp_reply *reply_r);
	/* 1 if TLS can be started now; 0 gives "454 TLS not available due
	 * to temporary reason" to STARTTLS and leaves it out of EHLO. NULL:
	 * never available. */
	int (*starttls)(void *ctx);
	/* Every state change, old -> new (for the observation bus). */
	void (*state_changed)(void *ctx, enum smtp_server_state from, enum smtp_server_state to);
	/* Every line in either direction, without its CRLF: sent = 1 for a
	 * reply line the engine queued, 0 for a command or data line it got
	 * (data lines unstuffed). For transcripts; may be NULL. */
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
};

struct smtp_server;

/* Fills cfg with the defaults above for hostname (borrowed): all
 * extensions, 10 MiB, 100 recipients, TURN disabled. */
void smtp_server_config_init(struct smtp_server_config *cfg, const char *hostname);

/* Creates a session for a client at client_addr (%a) whose reverse name is
 * client_rname (%r; NULL: "unknown") and queues the 220 greeting. cfg,
 * host and the strings are copied. NULL on ENOMEM or a NULL hostname. */
struct smtp_server *smtp_server_new(const struct smtp_server_config *cfg, const struct smtp_server_host *host,
				    const char *client_addr, const char *client_rname);
void smtp_server_free(struct smtp_server **s);

/* Hands len bytes from the client to the engine, which takes them all
 * (the return value is always len) and queues the replies. A client that
 * pipelines without reading makes the output grow: a host with flow
 * control may stop reading while much output waits (tcp_pause_reading),
 * and past 1 MiB of unsent replies the engine answers 421 and closes, so
 * memory stays bounded either way. Bytes after the session closed, turned
 * or during the TLS handshake are dropped. */
size_t smtp_server_feed(struct smtp_server *s, const void *bytes, size_t len);

/* The bytes queued for the client (borrowed, valid until the next call
 * into the engine) and how many; smtp_server_consume drops the first n
 * once sent. */
const uint8_t *smtp_server_output(const struct smtp_server *s, size_t *len_r);
void smtp_server_consume(struct smtp_server *s, size_t n);

/* The host's idle timer fired: queues "421 4.4.2 <timeout_text>" and
 * closes the session (RFC 5321 4.5.3.2 gives the timeouts per state;
 * smtp_server_state tells which applies). */
void smtp_server_timeout(struct smtp_server *s);
/* The host shuts the service down: "421 <text>" and close. */
void smtp_server_shutdown(struct smtp_server *s, const char *text);

/* From inside the message callback: takes the message data buffer (the
 * same bytes as the callback's data argument) so the host can keep it
 * without a copy; free() it when done. *len_r gets its length. NULL when
 * called elsewhere or after it was taken. */
uint8_t *smtp_server_take_data(struct smtp_server *s, size_t *len_r);

/* The host learnt the client's reverse-DNS name (%r, and the envelope's
 * client_rname from now on). */
void smtp_server_set_client_rname(struct smtp_server *s, const char *rname);

/* The idle timeout RFC 5321 4.5.3.2.7 recommends for the current state, in
 * seconds (5 minutes; the host may choose another). */
unsigned smtp_server_rfc_timeout(const struct smtp_server *s);

/* The modelled TLS handshake is done: the session is reset (a new
 * EHLO is needed) and marked encrypted. Ignored unless tls_pending. */
void smtp_server_tls_established(struct smtp_server *s);

enum smtp_server_state smtp_server_state(const struct smtp_server *s);
const char *smtp_server_state_name(enum smtp_server_state st);
int smtp_server_tls_pending(const struct smtp_server *s);
int smtp_server_encrypted(const struct smtp_server *s);
/* 1 once 221 or 421 is queued: close after sending the output. */
int smtp_server_should_close(const struct smtp_server *s);

#endif

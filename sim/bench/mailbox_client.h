/* The client side of `mailsim bench mailbox`: sends one IMAP or POP3
 * command, waits for its whole response and says what it held, over any
 * transport: a real socket (to Dovecot) or an in-process engine.
 *
 * Commands are sent one at a time and each response is read to its end
 * (IMAP: the tagged status line, reading past literals; POP3: the status
 * line and, for multi-line responses, the terminating "."), so the time
 * around a call is the command's round trip. Responses are checked only as
 * far as the benchmark needs: the status, how many FETCH responses, the
 * SEARCH hits, how many lines and octets a multi-line POP3 answer held.
 *
 *   struct mbx_io io = {.ctx = sock, .send = sock_send, .recv = sock_recv};
 *   struct mbx_client *c = mbx_client_new(&io);
 *   mbx_imap_greeting(c, &r);
 *   mbx_imap_command(c, "LOGIN user0001 pw", &r);   // r.status == 'O'
 *   mbx_client_free(&c); */
#ifndef SIM_BENCH_MAILBOX_CLIENT_H
#define SIM_BENCH_MAILBOX_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct buf;

struct mbx_io {
	void *ctx;
	/* Sends all len bytes. 0, or -1 with err set. */
	int (*send)(void *ctx, const void *data, size_t len, char *err, size_t errlen);
	/* Appends at least one byte of what the server said to in (blocking
	 * as needed). Returns how many, 0 if the server closed or (in
	 * process) has nothing more to say, or -1 with err set. */
	long (*recv)(void *ctx, struct buf *in, char *err, size_t errlen);
};

struct mbx_result {
	char status;        /* IMAP: 'O' OK, 'N' NO, 'B' BAD, 'Y' BYE greeting;
			       POP3: '+' or '-' */
	uint32_t untagged;  /* IMAP untagged responses */
	uint32_t fetches;   /* IMAP "* n FETCH" responses */
	uint32_t search_hits; /* numbers in IMAP "* SEARCH" */
	uint32_t lines;     /* POP3 multi-line: lines before the "." */
	uint64_t octets;    /* POP3 multi-line: octets of those lines, CRLF
			       included, dot-stuffing removed (a RETR's
			       message size) */
	uint64_t bytes;     /* every byte of the response */
	char text[120];     /* the status line (start), for error messages */
};

struct mbx_client;

struct mbx_client *mbx_client_new(const struct mbx_io *io);
void mbx_client_free(struct mbx_client **c);

/* The last error (transport failure, closed connection, a response that
 * does not parse). */
const char *mbx_client_error(const struct mbx_client *c);

/* Reads the IMAP greeting ("* OK ..."). 0, or -1 (see mbx_client_error). */
int mbx_imap_greeting(struct mbx_client *c, struct mbx_result *r);
/* Sends "<tag> command CRLF" (tags are A1, A2, ...) and reads the response
 * through the tagged line. 0 (whatever the status), or -1. */
int mbx_imap_command(struct mbx_client *c, const char *command, struct mbx_result *r);

/* Reads the POP3 greeting. 0, or -1. */
int mbx_pop3_greeting(struct mbx_client *c, struct mbx_result *r);
/* Sends "command CRLF" and reads the status line, and if multiline and the
 * status is +OK the lines up to ".". 0, or -1. */
int mbx_pop3_command(struct mbx_client *c, const char *command, int multiline, struct mbx_result *r);

#endif

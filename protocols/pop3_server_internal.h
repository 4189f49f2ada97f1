/* POP3 server internals shared by pop3_server.c (the session: input with
 * flow control, output, responses, state, life cycle) and pop3_server_cmd.c
 * (the command table and its handlers). Not for use outside
 * protocols/pop3_server*.c. */
#ifndef PROTOCOLS_POP3_SERVER_INTERNAL_H
#define PROTOCOLS_POP3_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/line.h"
#include "protocols/pop3_server.h"

#define POP3_CMD_LINE_MAX 253    /* 255 with CRLF (RFC 2449 section 4) */
#define POP3_ARG_MAX 40          /* RFC 1939 section 3 */
#define POP3_RESP_TEXT_MAX 500   /* a status line stays under 512 octets */
#define POP3_READER_BUFFER 1024
#define POP3_OUT_SOFT (256 * 1024) /* stop reading commands above this */
#define POP3_IN_MAX (64 * 1024)    /* pipelined bytes held at most */
#define POP3_MAX_MESSAGES 10000000 /* a snapshot larger than this is refused */

struct pop3_msg {
	uint64_t size;
	char uid[71];
	unsigned char deleted;
};

struct pop3_server {
	struct pop3_server_config cfg; /* strings point at owned copies */
	char *owned[4];
	struct pop3_server_host host;
	struct line_reader *lr;
	enum pop3_server_state state;
	int closing;
	char timestamp[160];
	char user[POP3_ARG_MAX + 1]; /* USER given, waiting for PASS */
	int have_user;
	char login[POP3_ARG_MAX + 1]; /* identified as (lock held) */
	int locked;
	unsigned failed_logins;

	/* the maildrop as it was when the lock was taken */
	struct pop3_msg *msgs;
	size_t nmsgs;

	/* pipelined input not yet handed to the line reader: in[in_start, in_len) */
	uint8_t *in;
	size_t in_start, in_len, in_cap;
	/* responses not yet taken by the host: out[out_start, out_len) */
	uint8_t *out;
	size_t out_start, out_len, out_cap;
};

/* The ONLY way to change state, so the host sees every transition. */
void pop3_server_set_state(struct pop3_server *s, enum pop3_server_state to);
/* "+OK text" / "-ERR text" (printf-style; control octets become spaces). */
void pop3_server_ok(struct pop3_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pop3_server_err(struct pop3_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The body of a multi-line response, byte-stuffed, with its "." line. */
void pop3_server_multiline(struct pop3_server *s, const uint8_t *body, size_t len);
/* Expands %h and %% of a config template into out (cap >= 1). */
void pop3_server_expand(const struct pop3_server *s, const char *tmpl, char *out, size_t cap);
/* Releases the lock (if held) without applying deletions, and closes. */
void pop3_server_close_session(struct pop3_server *s);
void pop3_server_release(struct pop3_server *s);

/* pop3_server_cmd.c: one command line (without its line end). */
void pop3_server_command_line(struct pop3_server *s, const struct line_event *ev);

#endif

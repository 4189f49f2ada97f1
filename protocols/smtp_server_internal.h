/* SMTP server internals shared by smtp_server.c (the session: output,
 * replies, state, input and life cycle) and smtp_server_cmd.c (the command
 * table and its handlers). Not for use outside protocols/smtp_server*.c. */
#ifndef PROTOCOLS_SMTP_SERVER_INTERNAL_H
#define PROTOCOLS_SMTP_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/line.h"
#include "protocols/smtp_path.h"
#include "protocols/smtp_server.h"

#define CMD_LINE_MAX 510    /* 512 with CRLF (4.5.3.1.4) */
#define TEXT_LINE_MAX 998   /* 1000 with CRLF (4.5.3.1.6) */
#define READER_BUFFER 4096
#define OUTPUT_HARD_CAP (1024 * 1024) /* unread replies before 421 */
#define REPLY_TEXT_MAX 400  /* per reply line, before code and CRLF */
#define EXPAND_MAX 4096
#define NAME_MAX_LEN 255

struct smtp_server {
	struct smtp_server_config cfg; /* strings point at owned copies */
	char *owned[10];
	struct smtp_server_host host;
	struct line_reader *lr;
	enum smtp_server_state state;
	char client_addr[64];
	char client_rname[NAME_MAX_LEN + 1];
	char helo[NAME_MAX_LEN + 1];
	int esmtp, encrypted, closing;
	unsigned errors; /* 500-504 and 555 replies so far */

	/* the mail transaction */
	char reverse_path[SMTP_PATH_MAX + 1];
	uint64_t declared_size;
	enum smtp_body_type body;
	char **rcpts;
	size_t nrcpts, rcpt_cap;

	/* the message being received */
	uint8_t *data;
	size_t data_len, data_cap;
	uint64_t data_total;
	int data_long_line;
	int in_message_cb; /* smtp_server_take_data is allowed */

	/* replies not yet taken by the host: out[out_start, out_len) */
	uint8_t *out;
	size_t out_start, out_len, out_cap;
};

/* The ONLY way to change state, so the host sees every transition. */
void smtp_server_set_state(struct smtp_server *s, enum smtp_server_state to);

/* Expands template tmpl (see smtp_server.h) into out; arg is %d, qid %q. */
void smtp_server_expand(const struct smtp_server *s, const char *tmpl, const char *arg, const char *qid, char *out,
			size_t cap);
/* Queues a reply: code, the RFC 3463 code when negotiated, the expanded
 * text (one "code-" line per LF in it, "code " on the last). */
void smtp_server_reply_ex(struct smtp_server *s, int code, const char *enhanced, const char *tmpl, const char *arg,
			  const char *qid);
void smtp_server_reply(struct smtp_server *s, int code, const char *enhanced, const char *tmpl);
/* Sends the reply a host callback settled on (got) over the engine's
 * proposal; verb picks default enhanced codes. */
void smtp_server_host_reply(struct smtp_server *s, const struct smtp_reply *proposed, const struct smtp_reply *got,
			    const char *verb, const char *arg);

void smtp_server_reset_transaction(struct smtp_server *s);
void smtp_server_envelope(const struct smtp_server *s, struct smtp_envelope *env);
void smtp_server_close_session(struct smtp_server *s);

/* Input, from smtp_server.c's event loop into smtp_server_cmd.c. */
void smtp_server_command_line(struct smtp_server *s, const struct line_event *ev);
void smtp_server_data_piece(struct smtp_server *s, const struct line_event *ev);
void smtp_server_data_end(struct smtp_server *s);

#endif

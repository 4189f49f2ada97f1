/* SMTP reply parsing (RFC 5321 section 4.2, enhanced codes per RFC 3463):
 * assembles reply lines into replies. Used by the SMTP client engine, and
 * by anything else that reads a server's side of a session (the grader,
 * the transcript tools).
 *
 *   struct smtp_reply_parser *rp = smtp_reply_parser_new();
 *   for each line (without CRLF):
 *       int rc = smtp_reply_parser_line(rp, line, len);
 *       if (rc == SMTP_REPLY_DONE)  use smtp_reply_code(rp), ..._text(rp)
 *       if (rc == SMTP_REPLY_BAD)   smtp_reply_error(rp) says why
 *
 * A line is a 3-digit code (first digit 2-5, second 0-5), then "-" (more
 * lines follow), SP or nothing, then text; every line of a reply carries
 * the same code; at most 100 lines. An enhanced code ("2.1.5") opening a
 * line's text, of the same class as the reply, is taken apart. */
#ifndef PROTOCOLS_SMTP_REPLY_H
#define PROTOCOLS_SMTP_REPLY_H

#include <stddef.h>

#define SMTP_REPLY_MAX_LINES 100

enum smtp_reply_status {
	SMTP_REPLY_MORE = 0, /* a "-" line: the reply goes on */
	SMTP_REPLY_DONE = 1, /* the reply is complete */
	SMTP_REPLY_BAD = -1, /* malformed; the parser is reset */
};

struct smtp_reply_parser;

/* NULL on ENOMEM. */
struct smtp_reply_parser *smtp_reply_parser_new(void);
void smtp_reply_parser_free(struct smtp_reply_parser **rp);

/* Takes one line (len octets, no CRLF; a NUL or a CR in it is malformed). */
int smtp_reply_parser_line(struct smtp_reply_parser *rp, const char *line, size_t len);

/* After SMTP_REPLY_DONE, until the next line: the code, the enhanced code
 * of its first line ("" if none), and the text of every line without code
 * and enhanced code, joined with "\n". */
int smtp_reply_code(const struct smtp_reply_parser *rp);
const char *smtp_reply_enhanced(const struct smtp_reply_parser *rp);
const char *smtp_reply_text(const struct smtp_reply_parser *rp);
/* After SMTP_REPLY_BAD: why, as a short English phrase. */
const char *smtp_reply_error(const struct smtp_reply_parser *rp);

#endif

/* The IMAP4rev1 client engine (RFC 3501), sans-I/O.
 *
 * The host (the UA's IMAP reader, a test, the grader) queues commands and
 * sends what the engine puts in its output buffer; it feeds the server's
 * bytes in any split and pulls one event per response: the greeting,
 * untagged data, continuation requests and tagged completions.
 *
 *   struct imap_client *c = imap_client_new(NULL);
 *   uint32_t id = imap_client_command(c, "LOGIN maria secreto", 19);
 *   on_bytes: imap_client_feed(c, buf, n);
 *             while (imap_client_next(c, &ev) > 0) switch (ev.type) ...
 *             send imap_client_output() and imap_client_consume().
 *
 * Tags are "A001", "A002", ...; imap_client_command returns the number.
 * A command's text may hold literals in the form imap_write_string() makes
 * ("{n}" CRLF then n octets): the engine sends the command up to each
 * literal, waits for the server's "+" before the octets (unless the
 * server announced LITERAL+, when it sends "{n+}" and goes on at once),
 * and holds every later command behind it so the order on the wire is
 * the order of the calls. If the server refuses the command instead of
 * saying "+", the rest of it is dropped.
 *
 * Responses are assembled with their literals into one buffer (the same
 * form: "{n}" CRLF octets), so the host can read them with the cursor of
 * protocols/imap_syntax.h. Limits: response lines up to 64 KiB, literals
 * up to cfg.max_literal; past them the engine reports IMAP_CEV_ERROR and
 * takes no more input (the connection is beyond repair). */
#ifndef PROTOCOLS_IMAP_CLIENT_H
#define PROTOCOLS_IMAP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/imap_syntax.h"

enum imap_cev_type {
	IMAP_CEV_GREETING, /* "* OK", "* PREAUTH" or "* BYE" as the first response */
	IMAP_CEV_UNTAGGED, /* "* ..." data or status */
	IMAP_CEV_CONTINUE, /* "+ ..." not consumed by a literal of ours (IDLE, AUTHENTICATE) */
	IMAP_CEV_TAGGED,   /* a command completed */
	IMAP_CEV_ERROR,    /* a response the engine cannot read; no more events */
};

enum imap_status {
	IMAP_ST_NONE, /* not a status response (EXISTS, FETCH, SEARCH, ...) */
	IMAP_ST_OK,
	IMAP_ST_NO,
	IMAP_ST_BAD,
	IMAP_ST_PREAUTH,
	IMAP_ST_BYE,
};

/* One response; every pointer is borrowed until the next call into the
 * engine. Strings are NUL-terminated. */
struct imap_client_event {
	enum imap_cev_type type;
	uint32_t id;            /* TAGGED: the command's number */
	enum imap_status status;
	const char *code;       /* the response code without brackets
				   ("UIDVALIDITY 3"), "" if none */
	const char *text;       /* status responses: the human text */
	int has_number;         /* "* 5 EXISTS" */
	uint32_t number;
	const char *keyword;    /* UNTAGGED: "EXISTS", "FETCH", "LIST", "OK", ... (upper case) */
	const uint8_t *rest;    /* UNTAGGED: what follows the keyword and a SP,
				   literals inline; CONTINUE: the text after "+ " */
	size_t rest_len;
	const uint8_t *raw;     /* the whole response without its final CRLF */
	size_t raw_len;
};

struct imap_client_config {
	uint64_t max_literal; /* octets per response literal (0: 64 MiB) */
};

struct imap_client;

/* cfg may be NULL. NULL on ENOMEM. */
struct imap_client *imap_client_new(const struct imap_client_config *cfg);
void imap_client_free(struct imap_client **c);

/* Queues "Annn text" CRLF (text without the tag and the final CRLF; CR
 * and LF only inside literal announcements). Returns the command's number
 * (> 0), or 0 if text is malformed or memory ran out. */
uint32_t imap_client_command(struct imap_client *c, const char *text, size_t len);
/* Ends an IDLE: queues "DONE" CRLF. */
void imap_client_done(struct imap_client *c);

size_t imap_client_feed(struct imap_client *c, const void *bytes, size_t len);
/* 1 and the next event, or 0 when more input is needed. */
int imap_client_next(struct imap_client *c, struct imap_client_event *ev_r);

/* What to send (borrowed until the next call into the engine). */
const uint8_t *imap_client_output(const struct imap_client *c, size_t *len_r);
void imap_client_consume(struct imap_client *c, size_t n);

/* Commands sent and not completed yet (tagged response not seen). */
size_t imap_client_pending(const struct imap_client *c);
/* 1 if the server announced this capability (CAPABILITY response or the
 * [CAPABILITY ...] code), compared without case. */
int imap_client_has_cap(const struct imap_client *c, const char *cap);
/* 1 after BYE or an ERROR event. */
int imap_client_closed(const struct imap_client *c);

/* Skips one value at the cursor: an atom, number, quoted string, literal,
 * NIL or a parenthesised list (nested at most 64 deep), for reading the
 * items of a FETCH response. 0 or PROTO_EINVAL. */
int imap_skip_value(struct imap_cursor *cur);

#endif

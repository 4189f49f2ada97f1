/* Composing a whole message the way a user agent does: the header (From,
 * To, Cc, Bcc, Subject, Date, Message-ID, MIME-Version) and a MIME body
 * made of a text part, an optional HTML alternative (with its inline
 * images in multipart/related) and attachments (multipart/mixed).
 *
 * The structure chosen:
 *   text only                     text/plain
 *   text + html                   multipart/alternative (text, html)
 *   html + inline images          multipart/related (html, images) inside the above
 *   any of those + attachments    multipart/mixed (body, attachment, ...)
 *
 * Deterministic: Message-ID and boundaries derive from draft.seed. */
#ifndef PROTOCOLS_COMPOSE_H
#define PROTOCOLS_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"

struct msg_attachment {
	const char *filename; /* UTF-8; may be NULL */
	const char *type;     /* media type; NULL means application/octet-stream */
	const void *data;
	size_t len;
	const char *content_id; /* non-NULL: an inline image of the HTML part, <cid> without brackets */
};

struct msg_draft {
	/* Address lists as written by a user ("María <maria@x>, juan@y"); parsed
	 * and re-written correctly quoted and encoded. to/cc/bcc may be NULL. */
	const char *from, *to, *cc, *bcc;
	const char *subject;    /* UTF-8, may be NULL */
	const char *date;       /* an RFC 5322 date-time (message.h msg_date_format) */
	const char *message_id; /* "<...>"; NULL: made from seed and counter with the From domain */
	uint64_t seed, counter;
	const char *text; /* UTF-8 plain text; NULL or "" with html set: html only */
	const char *html;
	const struct msg_attachment *attachments;
	size_t n_attachments;
	int allow_8bit;
};

/* Appends the message. 0, or a negative proto_err code with a short
 * reason in err (e.g. "bad address in To"); nothing is appended then. */
int msg_compose(struct buf *out, const struct msg_draft *d, char *err, size_t err_size);

#endif

/* IMAP FETCH (RFC 3501 6.4.5 and 7.4.2): parsing the attribute list of a
 * FETCH or UID FETCH command and rendering one message's data item list
 * "(UID 7 FLAGS (\Seen) ENVELOPE (...))".
 *
 * The macros ALL, FAST and FULL expand as RFC 3501 says. BODY[section] and
 * BODY.PEEK[section] take the sections HEADER, HEADER.FIELDS (list),
 * HEADER.FIELDS.NOT (list), TEXT, MIME and part numbers ("1.2", "1.2.TEXT"),
 * with an optional <origin.count>. The reply echoes each item as RFC 3501
 * 7.4.2 says: BODY.PEEK answers as BODY, the partial as <origin>, and the
 * field names of HEADER.FIELDS in the client's order, upper-cased.
 *
 * A fetch that reads the body without PEEK (BODY[...], RFC822,
 * RFC822.TEXT) sets \Seen: imap_fetch_sets_seen() tells the server, which
 * then sets the flag before rendering and asks for FLAGS to be added to the
 * reply with IMAP_FETCH_ADD_FLAGS (unless it was already \Seen).
 *
 *   struct imap_fetch *f = NULL;
 *   if (imap_fetch_parse(&c, &f) < 0) reply BAD c.err;
 *   for each message in the set:
 *           buf_printf(&out, "* %u FETCH ", v.seq);
 *           imap_fetch_render(f, &v, uid_cmd ? IMAP_FETCH_ADD_UID : 0, &out);
 *           buf_puts(&out, "\r\n");
 *   imap_fetch_free(&f);
 */
#ifndef PROTOCOLS_IMAP_FETCH_H
#define PROTOCOLS_IMAP_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"
#include "protocols/imap_msgview.h"
#include "protocols/imap_syntax.h"

/* The most attributes in one FETCH and the most field names in one
 * HEADER.FIELDS list. */
#define IMAP_FETCH_MAX_ATTS 64
#define IMAP_FETCH_MAX_FIELDS 100

enum imap_fetch_kind {
	IMAP_FA_FLAGS,
	IMAP_FA_INTERNALDATE,
	IMAP_FA_RFC822_SIZE,
	IMAP_FA_ENVELOPE,
	IMAP_FA_BODY,          /* BODY without a section: BODYSTRUCTURE without extension data */
	IMAP_FA_BODYSTRUCTURE,
	IMAP_FA_UID,
	IMAP_FA_RFC822,
	IMAP_FA_RFC822_HEADER,
	IMAP_FA_RFC822_TEXT,
	IMAP_FA_SECTION,       /* BODY[...] or BODY.PEEK[...] */
};

/* Render options. */
enum imap_fetch_opt {
	IMAP_FETCH_ADD_UID = 1 << 0,   /* UID FETCH: UID is in the reply even if not asked (first) */
	IMAP_FETCH_ADD_FLAGS = 1 << 1, /* \Seen was just set: FLAGS is in the reply even if not asked (last) */
};

struct imap_fetch;

/* Reads fetch-att, a macro or "(" fetch-att *(SP fetch-att) ")" from the
 * cursor (it stops after the element; the caller checks for the end).
 * PROTO_EINVAL with c->err on malformed input, PROTO_ELIMIT over the caps,
 * PROTO_ENOMEM. */
int imap_fetch_parse(struct imap_cursor *c, struct imap_fetch **f_r);
void imap_fetch_free(struct imap_fetch **f);

/* 1 if fetching sets \Seen (BODY[...] without PEEK, RFC822, RFC822.TEXT). */
int imap_fetch_sets_seen(const struct imap_fetch *f);
/* 1 if any attribute of this kind was asked for. */
int imap_fetch_has(const struct imap_fetch *f, enum imap_fetch_kind kind);
/* 1 if rendering needs the full MIME tree (BODY, BODYSTRUCTURE, part
 * sections), not just the header. */
int imap_fetch_needs_mime(const struct imap_fetch *f);

/* Appends "(" item SP value ... ")" for the message to out. opts are enum
 * imap_fetch_opt bits. 0, PROTO_ENOMEM or the buffer's PROTO_ELIMIT (out
 * then holds a partial item list: truncate it). */
int imap_fetch_render(const struct imap_fetch *f, const struct imap_msgview *v, unsigned opts, struct buf *out);

/* The ENVELOPE and BODYSTRUCTURE (extensible 1, or BODY with 0) values
 * alone, for tests and the client engine's checks. */
int imap_write_envelope(struct buf *out, const struct imap_msgview *v);
int imap_write_bodystructure(struct buf *out, const struct imap_msgview *v, int extensible);

#endif

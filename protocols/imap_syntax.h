/* Reading and writing IMAP4rev1 syntax (RFC 3501 sections 4 and 9), shared
 * by the IMAP server engine (commands), the client engine (responses) and
 * the SEARCH and FETCH parsers.
 *
 * A command or response is assembled by its reader into one buffer before
 * it is parsed: the line's bytes, and for every literal the announcement
 * "{n}" or "{n+}" CRLF followed by the n raw bytes, then the rest of the
 * line (without the final CRLF). A cursor walks that buffer; every read
 * either consumes a whole element and returns 0, or consumes nothing,
 * returns PROTO_EINVAL and records a short English reason in c->err (for
 * the "BAD" text).
 *
 *   struct imap_cursor c;
 *   imap_cursor_init(&c, cmd, cmd_len);
 *   struct buf tag, name;  ...
 *   if (imap_read_tag(&c, &tag) || imap_sp(&c) || imap_read_atom(&c, &name))
 *       reply BAD c.err;
 *
 * Strings are decoded into a caller's struct buf (appended; reset it
 * first): quoted strings lose their quotes and backslash escapes, literals
 * are copied as they are (they may hold any octet but NUL). */
#ifndef PROTOCOLS_IMAP_SYNTAX_H
#define PROTOCOLS_IMAP_SYNTAX_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"

struct imap_cursor {
	const uint8_t *p;   /* next byte */
	const uint8_t *end; /* one past the last byte */
	const char *err;    /* why the last failed read failed (static text) */
};

void imap_cursor_init(struct imap_cursor *c, const void *data, size_t len);
int imap_at_end(const struct imap_cursor *c);
/* The next byte, or -1 at the end. */
int imap_peek(const struct imap_cursor *c);
/* Consumes ch (compared without case for letters) or fails. */
int imap_expect(struct imap_cursor *c, char ch);
/* Consumes one SP (exactly one, as the grammar says). */
int imap_sp(struct imap_cursor *c);
/* Consumes the ASCII word w (without case) if it is next and is followed by
 * a delimiter (SP, '(', ')', '[', ']', '<', end); returns 1 if consumed, 0
 * if not (no error). */
int imap_accept_word(struct imap_cursor *c, const char *w);

/* tag: 1*<any ASTRING-CHAR except "+">. */
int imap_read_tag(struct imap_cursor *c, struct buf *out);
/* atom: 1*ATOM-CHAR (no atom-specials: ( ) { SP CTL % * " \ ]). */
int imap_read_atom(struct imap_cursor *c, struct buf *out);
/* Like an atom, but also stops at any byte in stop (such as "[" to split
 * "BODY[" or "." to split "BODY.PEEK"). */
int imap_read_atom_until(struct imap_cursor *c, const char *stop, struct buf *out);
/* number (0..4294967295) and nz-number (1..4294967295). */
int imap_read_number(struct imap_cursor *c, uint32_t *n_r);
int imap_read_nz_number(struct imap_cursor *c, uint32_t *n_r);
/* number64, for sizes and APPEND literal lengths that may exceed 32 bits. */
int imap_read_number64(struct imap_cursor *c, uint64_t *n_r);
/* string: quoted or literal. */
int imap_read_string(struct imap_cursor *c, struct buf *out);
/* astring: atom (ASTRING-CHAR, which allows "]") or string. */
int imap_read_astring(struct imap_cursor *c, struct buf *out);
/* nstring: string or NIL; *is_nil_r says which. */
int imap_read_nstring(struct imap_cursor *c, struct buf *out, int *is_nil_r);
/* list-mailbox: 1*(ATOM-CHAR / "%" / "*" / resp-specials) or string. */
int imap_read_list_mailbox(struct imap_cursor *c, struct buf *out);
/* flag: "\" atom (system flags, \* in PERMANENTFLAGS) or a keyword atom;
 * the backslash is kept in out. */
int imap_read_flag(struct imap_cursor *c, struct buf *out);
/* date (SEARCH): date-text "d-Mon-yyyy" or "dd-Mon-yyyy", bare or quoted.
 * *days_r is days since 1970-01-01. */
int imap_read_date(struct imap_cursor *c, int64_t *days_r);
/* date-time (APPEND): "dd-Mon-yyyy hh:mm:ss +zzzz", quoted; day may be
 * " d". *unix_s_r is UTC seconds since 1970, *zone_min_r the zone. */
int imap_read_date_time(struct imap_cursor *c, int64_t *unix_s_r, int *zone_min_r);

/* Does this line (as read, without CRLF) end with a literal announcement
 * "{n}" or "{n+}"? Returns 1 and sets *n_r and *non_sync_r (1 for "{n+}",
 * RFC 7888 LITERAL+), 0 if not, PROTO_EINVAL if it ends with a malformed
 * one such as "{12x}" or a count over 2^63. */
int imap_line_literal(const uint8_t *line, size_t len, uint64_t *n_r, int *non_sync_r);

/* Writers (append to out; return 0 or the buf's error). A string goes out
 * quoted when it can be (no CR, LF, NUL or 8-bit octets and at most 1,000
 * octets; '"' and '\' escaped), otherwise as a synchronising literal. */
int imap_write_string(struct buf *out, const void *s, size_t n);
/* NIL when s is NULL. */
int imap_write_nstring(struct buf *out, const void *s, size_t n);
/* A bare atom when every octet is an ASTRING-CHAR, else as a string;
 * "NIL" (any case) is quoted, so that it cannot be read back as nil. */
int imap_write_astring(struct buf *out, const void *s, size_t n);
/* "dd-Mon-yyyy hh:mm:ss +zzzz" with quotes (INTERNALDATE). */
int imap_write_date_time(struct buf *out, int64_t unix_s, int zone_min);

#endif

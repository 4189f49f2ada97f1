/* RFC 5322 header fields: reading a header section, unfolding and decoding
 * values, and writing fields folded at 78 characters within the 998-octet
 * hard limit.
 *
 * Reading never allocates: hdr_next() hands out pointers into the caller's
 * text, valid as long as that text is. Writing appends to a struct buf.
 *
 *   size_t pos = 0;
 *   struct hdr_field f;
 *   unsigned defects = 0;
 *   while (hdr_next(text, len, &pos, &f, &defects) > 0)
 *           ...;                // pos is now the offset of the body
 */
#ifndef PROTOCOLS_HEADER_H
#define PROTOCOLS_HEADER_H

#include <stddef.h>

#include "protocols/buf.h"

#define HDR_LINE_MAX 998 /* RFC 5322 2.1.1: octets per line, CRLF excluded */
#define HDR_FOLD_AT 78   /* RFC 5322 2.1.1: lines SHOULD be no longer */

/* Oddities in a header section. */
enum hdr_defect {
	HDR_D_NO_SEPARATOR = 1u << 0, /* a line without a colon ended the header (it starts the body) */
	HDR_D_CONTINUATION = 1u << 1, /* the section began with a folded (indented) line, ignored */
	HDR_D_LONG_LINE = 1u << 2,    /* a line longer than 998 octets */
	HDR_D_8BIT = 1u << 3,         /* raw 8-bit octets in a field */
	HDR_D_LF_ONLY = 1u << 4,      /* lines end in a bare LF instead of CRLF */
	HDR_D_NAME_SPACE = 1u << 5,   /* white space between a field name and its colon (obsolete) */
	HDR_D_NO_BODY = 1u << 6,      /* the text ended inside the header, no empty line */
};

/* One field as it appears in the text: value is everything after the colon
 * up to the field's final line break, folds included, leading white space
 * skipped. Both pointers are borrowed from the text given to hdr_next(). */
struct hdr_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	size_t offset; /* where the field starts in the text */
	size_t length; /* the field's bytes including its final line break */
};

/* Reads the field at text[*pos..n). Returns 1 with *f filled and *pos moved
 * past it, or 0 at the end of the header section with *pos at the first
 * byte of the body (after the empty line, or n). A leading mbox "From "
 * line at offset 0 is skipped. Defects are ORed into *defects_r (may be
 * NULL). */
int hdr_next(const char *text, size_t n, size_t *pos, struct hdr_field *f, unsigned *defects_r);

/* 1 if the field's name is name, ignoring case. */
int hdr_name_is(const struct hdr_field *f, const char *name);
/* Finds the index-th (0-based) field called name in the header section of
 * text[0..n); 1 if found. */
int hdr_find(const char *text, size_t n, const char *name, int index, struct hdr_field *f_r);

/* Appends the value with folds removed and outer white space trimmed. */
int hdr_unfold(struct buf *out, const char *value, size_t n);
/* Appends the value unfolded and RFC 2047-decoded to UTF-8 (codec.h
 * defects ORed into *defects_r). */
int hdr_decode(struct buf *out, const char *value, size_t n, unsigned *defects_r);

/* Writes "Name: value" CRLF, folding at white space so that lines stay
 * within 78 characters where the value allows it. value must already be
 * encoded for the wire (see hdr_write_text) and may not contain line
 * breaks. PROTO_ELIMIT if some run without white space would make a line
 * longer than 998 octets; PROTO_EINVAL if value has a CR or LF or name is
 * not a valid field name. Nothing is appended on error. */
int hdr_write(struct buf *out, const char *name, const char *value);
/* hdr_write for unstructured UTF-8 text (Subject, Comments): encodes it
 * with RFC 2047 where needed first. */
int hdr_write_text(struct buf *out, const char *name, const char *utf8);

/* Copies the message text[0..n) to out without any field called name (all
 * occurrences, folds included); the rest is byte for byte the same. */
int hdr_strip(struct buf *out, const char *text, size_t n, const char *name);

#endif

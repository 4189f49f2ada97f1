/* Content and header codecs for mail (RFC 2045, 2047, 2231): base64,
 * quoted-printable, encoded-words and charset conversion to UTF-8.
 *
 * All functions append to a struct buf (buf.h) and return 0 or a negative
 * proto_err code (only PROTO_ENOMEM / PROTO_ELIMIT from the buffer, and
 * PROTO_EINVAL from strict decoders). Lenient decoders never fail on bad
 * input: they do what real mail readers do and report what was wrong as
 * CODEC_D_* bits ORed into *defects_r (which may be NULL). */
#ifndef PROTOCOLS_CODEC_H
#define PROTOCOLS_CODEC_H

#include <stddef.h>

#include "protocols/buf.h"

/* Oddities found by lenient decoders. */
enum codec_defect {
	CODEC_D_B64_CHAR = 1u << 0,    /* base64: characters outside the alphabet were skipped */
	CODEC_D_B64_PAD = 1u << 1,     /* base64: missing/misplaced padding or leftover bits */
	CODEC_D_QP_ESCAPE = 1u << 2,   /* quoted-printable: '=' not followed by two hex digits */
	CODEC_D_QP_LINE = 1u << 3,     /* quoted-printable: line over 998 (strict: 76) or raw control/8-bit octets */
	CODEC_D_WORD = 1u << 4,        /* RFC 2047: malformed encoded-word (left as is) */
	CODEC_D_CHARSET = 1u << 5,     /* unknown charset label (bytes kept if UTF-8, else read as Latin-1) */
	CODEC_D_UTF8 = 1u << 6,        /* invalid UTF-8 (replaced by U+FFFD) */
	CODEC_D_8BIT_HEADER = 1u << 7, /* raw 8-bit octets in a header that are not UTF-8 (read as Latin-1) */
};

enum codec_mode { CODEC_LENIENT = 0, CODEC_STRICT = 1 };

/* Base64 (RFC 2045 6.8). line_len 0 gives one line; otherwise lines of
 * line_len characters (rounded down to a multiple of 4, at least 4) ending
 * in CRLF, the last one included. */
int codec_b64_encode(struct buf *out, const void *in, size_t n, size_t line_len);
/* Strict: only the alphabet, CR, LF and correct final padding; anything else
 * is PROTO_EINVAL (out may then hold a partial result). Lenient: skips other
 * characters, stops at the padding, decodes what it can of a short tail. */
int codec_b64_decode(struct buf *out, const char *in, size_t n, enum codec_mode mode, unsigned *defects_r);

/* Quoted-printable (RFC 2045 6.7). In text mode (binary 0) CRLF in the input
 * is a line break and stays one; in binary mode every CR and LF is encoded.
 * Output lines are at most 76 characters; trailing white space is encoded. */
int codec_qp_encode(struct buf *out, const void *in, size_t n, int binary);
/* Line breaks in the input (CRLF or a bare LF) are copied as they are;
 * trailing white space on a line is removed; soft breaks are joined. Strict
 * mode rejects bad escapes, raw control or 8-bit octets and long lines. */
int codec_qp_decode(struct buf *out, const char *in, size_t n, enum codec_mode mode, unsigned *defects_r);

/* Decodes an unstructured header value (RFC 2047 encoded-words, B and Q,
 * any charset label) to UTF-8. Folding line breaks are removed, white space
 * between adjacent encoded-words is dropped, and raw 8-bit text is kept if
 * it is UTF-8 (RFC 6532) or else read as Latin-1. */
int codec_hdr_decode(struct buf *out, const char *in, size_t n, unsigned *defects_r);
/* Encodes UTF-8 header text for transmission. Pure printable ASCII is copied
 * unchanged (unless it contains "=?", which must not be misread); otherwise
 * the non-ASCII stretches become Q encoded-words of at most 75 characters,
 * separated by single spaces (where a header folder may fold), never
 * splitting a UTF-8 sequence. phrase 1 encodes the whole text and uses only
 * the characters RFC 2047 5(3) allows in a phrase (display names). */
int codec_hdr_encode(struct buf *out, const char *utf8, size_t n, int phrase);
/* The same, when only room characters are left on the first line (e.g.
 * 78 - strlen("Subject: ")): the first encoded-word is sized to fit there
 * when at least 24 are left. */
int codec_hdr_encode_room(struct buf *out, const char *utf8, size_t n, int phrase, size_t room);

/* Converts n bytes in charset (a MIME label, any case: utf-8, us-ascii,
 * iso-8859-1 and its aliases, iso-8859-15, windows-1252) to UTF-8. Unknown
 * labels: bytes kept if valid UTF-8, else read as Latin-1, CODEC_D_CHARSET. */
int codec_charset_to_utf8(struct buf *out, const char *charset, const char *in, size_t n, unsigned *defects_r);

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs or surrogates). */
int codec_utf8_valid(const char *s, size_t n);
/* 1 if any octet of s[0..n) has its high bit set (checked a word at a time). */
int codec_has_8bit(const char *s, size_t n);
/* 1 if every byte is printable ASCII or tab. */
int codec_is_ascii_text(const char *s, size_t n);

/* RFC 2231 value encoding: percent-encodes everything but attribute-chars. */
int codec_pct_encode(struct buf *out, const char *s, size_t n);
/* Undoes %XX escapes (bad ones are kept literally and flagged CODEC_D_WORD). */
int codec_pct_decode(struct buf *out, const char *s, size_t n, unsigned *defects_r);

#endif

/* Building MIME entities (RFC 2045-2049): single parts and multipart/mixed,
 * alternative and related trees, nested, written with boundaries that are
 * checked not to occur in the content, correctly quoted parameters, RFC
 * 2231 file names and a transfer encoding chosen per part.
 *
 *   struct mime_build *mix = mime_build_multipart("mixed");
 *   mime_build_add(mix, mime_build_leaf("text/plain", txt, strlen(txt)));
 *   struct mime_build *jpg = mime_build_leaf("image/jpeg", data, len);
 *   mime_build_disposition(jpg, "attachment", "foto.jpg");
 *   mime_build_add(mix, jpg);
 *   struct mime_build_opts o = {.seed = run_seed};
 *   mime_build_write(&out, mix, &o);    // entity header fields, blank line, body
 *   mime_build_free(&mix);
 *
 * A message is its own header fields, "MIME-Version: 1.0", then the root
 * entity written by mime_build_write() (compose.h does this). Builder calls
 * record the first error (ENOMEM, invalid argument) in the node and
 * mime_build_write() returns it, so building code need not check each
 * call; constructors return NULL only on ENOMEM. */
#ifndef PROTOCOLS_MIME_BUILD_H
#define PROTOCOLS_MIME_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"
#include "protocols/mime.h"

struct mime_build;

/* A leaf of the given media type ("text/plain", "image/jpeg"), with a copy
 * of the body. Text bodies are stored in canonical form: bare LF or CR
 * line breaks become CRLF (RFC 2046 4.1.1). A text part with non-ASCII
 * content and no charset gets charset=utf-8. */
struct mime_build *mime_build_leaf(const char *type, const void *body, size_t n);
/* A multipart ("mixed", "alternative", "related", ...). */
struct mime_build *mime_build_multipart(const char *subtype);
/* Appends child (taking ownership, even on error) to a multipart. */
int mime_build_add(struct mime_build *parent, struct mime_build *child);
/* Sets a Content-Type parameter; UTF-8 values that are not ASCII are
 * written with RFC 2231 encoding. */
int mime_build_param(struct mime_build *p, const char *name, const char *value);
/* Content-Disposition ("attachment" or "inline") with an optional file
 * name (UTF-8; RFC 2231-encoded when not ASCII). A name= parameter with the
 * same name is added to Content-Type for old readers. */
int mime_build_disposition(struct mime_build *p, const char *disposition, const char *filename);
/* Any other field of the entity (Content-ID, Content-Description...), value
 * already encoded for the wire. */
int mime_build_header(struct mime_build *p, const char *name, const char *value);
/* Forces a transfer encoding instead of the automatic choice (base64 or
 * quoted-printable are always safe; 7bit is refused at write time with
 * PROTO_EINVAL if the content is not 7bit). */
void mime_build_force_cte(struct mime_build *p, enum mime_cte cte);
void mime_build_free(struct mime_build **p);

struct mime_build_opts {
	uint64_t seed;  /* boundaries derive from it: same seed, same bytes */
	int allow_8bit; /* the transport has 8BITMIME: 8bit is allowed for text */
};

/* The transfer encoding mime_build_write() would choose for this content:
 * 7bit when it is 7bit data (ASCII, no NUL, lines <= 998, CRLF only);
 * otherwise for text 8bit if allowed, else quoted-printable when at most
 * a third of the octets need escapes and base64 when more do; for
 * message types 8bit or binary (RFC 2046 5.2.1); base64 for other types. */
enum mime_cte mime_build_choose_cte(const char *type, const void *body, size_t n, int allow_8bit);

/* Appends the entity: its header fields, an empty line and its body.
 * 0, or the first error recorded while building or writing. */
int mime_build_write(struct buf *out, const struct mime_build *p, const struct mime_build_opts *o);

#endif

/* A growable byte buffer with a hard cap, in the manner of curl's dynbuf.
 *
 * Every builder in protocols/ writes into a struct buf. The buffer is always
 * NUL-terminated after its last byte (the NUL is not counted in len), so text
 * can be used as a C string. Appending past max fails with PROTO_ELIMIT and
 * leaves the contents unchanged; a failed append also sets err, so a long
 * sequence of appends can be checked once at the end.
 *
 *   struct buf b;
 *   buf_init(&b, 1 << 20);
 *   buf_puts(&b, "Subject: hi\r\n");
 *   if (b.err) ...;
 *   buf_free(&b);
 *
 * The fields are public for reading; change them only through buf_*(). */
#ifndef PROTOCOLS_BUF_H
#define PROTOCOLS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NULL until the first append; NUL-terminated after */
	size_t len; /* bytes in use */
	size_t cap; /* bytes allocated */
	size_t max; /* hard cap on len */
	int err;    /* first error of any append (0 if none) */
};

/* An empty buffer that will refuse to grow beyond max bytes. */
void buf_init(struct buf *b, size_t max);
/* Releases the storage; the buffer is empty afterwards and may be reused. */
void buf_free(struct buf *b);
/* Empties the buffer, keeping its storage and clearing err. */
void buf_reset(struct buf *b);
/* Makes room for n more bytes. 0 or PROTO_ENOMEM / PROTO_ELIMIT. */
int buf_reserve(struct buf *b, size_t n);

int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Shortens the buffer to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);
/* Takes the storage away from the buffer (caller frees it with free()); the
 * buffer is left empty. Returns a NUL-terminated string even when empty, or
 * NULL on ENOMEM. len_r may be NULL. */
char *buf_steal(struct buf *b, size_t *len_r);

#endif

/* A growable byte ring buffer with a hard cap: TCP's send buffer (bytes from
 * SND.UNA on) and its paused receive buffer. Storage is allocated on first
 * write and released when the ring empties, so idle connections hold none. */
#ifndef SIM_BYTERING_H
#define SIM_BYTERING_H

#include <stddef.h>
#include <stdint.h>

struct bytering {
	uint8_t *buf;
	size_t cap;  /* power of two, or 0 when unallocated */
	size_t head; /* index of the first byte */
	size_t len;
	size_t limit; /* never holds more than this */
};

/* Appends up to len bytes (fewer when the limit is reached, or on ENOMEM);
 * returns how many were appended. */
size_t bytering_write(struct bytering *r, const void *data, size_t len);
/* Copies len bytes starting offset bytes after the head into out. The range
 * must lie within the ring. */
void bytering_peek(const struct bytering *r, size_t offset, void *out, size_t len);
/* Drops the first n bytes (n <= len); frees storage when empty. */
void bytering_consume(struct bytering *r, size_t n);
void bytering_free(struct bytering *r);
static inline size_t bytering_space(const struct bytering *r) { return r->limit - r->len; }

#endif

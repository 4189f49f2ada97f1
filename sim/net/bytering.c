/* Byte ring buffer; see bytering.h. */
#include "sim/net/bytering.h"

#include <stdlib.h>
#include <string.h>

static int grow(struct bytering *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 512;
	while (cap < need)
		cap *= 2;
	if (cap == r->cap)
		return 0;
	uint8_t *b = malloc(cap);
	if (!b)
		return -1;
	if (r->len)
		bytering_peek(r, 0, b, r->len);
	free(r->buf);
	r->buf = b;
	r->cap = cap;
	r->head = 0;
	return 0;
}

size_t bytering_write(struct bytering *r, const void *data, size_t len)
{
	size_t room = r->limit > r->len ? r->limit - r->len : 0;
	if (len > room)
		len = room;
	if (len == 0 || grow(r, r->len + len) < 0)
		return 0;
	size_t tail = (r->head + r->len) & (r->cap - 1);
	size_t first = r->cap - tail < len ? r->cap - tail : len;
	memcpy(r->buf + tail, data, first);
	memcpy(r->buf, (const uint8_t *)data + first, len - first);
	r->len += len;
	return len;
}

void bytering_peek(const struct bytering *r, size_t offset, void *out, size_t len)
{
	if (len == 0)
		return;
	size_t start = (r->head + offset) & (r->cap - 1);
	size_t first = r->cap - start < len ? r->cap - start : len;
	memcpy(out, r->buf + start, first);
	memcpy((uint8_t *)out + first, r->buf, len - first);
}

void bytering_consume(struct bytering *r, size_t n)
{
	if (n > r->len)
		n = r->len;
	r->len -= n;
	if (r->len == 0) {
		bytering_free(r);
		return;
	}
	r->head = (r->head + n) & (r->cap - 1);
}

void bytering_free(struct bytering *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->head = 0;
	r->len = 0;
}

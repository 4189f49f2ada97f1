/* Growable byte buffer with a hard cap (see buf.h). */
#include "protocols/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/proto_err.h"

const char *proto_strerror(int code)
{
	switch (code) {
	case PROTO_ENOMEM: return "out of memory";
	case PROTO_ELIMIT: return "size or count limit exceeded";
	case PROTO_EINVAL: return "invalid input";
	default: return code < 0 ? "unknown error" : "no error";
	}
}

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
	b->err = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int fail(struct buf *b, int code)
{
	if (!b->err)
		b->err = code;
	return code;
}

int buf_reserve(struct buf *b, size_t n)
{
	if (n > b->max || b->len > b->max - n)
		return fail(b, PROTO_ELIMIT);
	size_t need = b->len + n + 1; /* room for the NUL */
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1 > need ? b->max + 1 : need;
	char *p = realloc(b->data, cap);
	if (!p)
		return fail(b, PROTO_ENOMEM);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_putc(struct buf *b, int c)
{
	if (b->len + 1 < b->cap && b->len < b->max) {
		b->data[b->len++] = (char)c;
		b->data[b->len] = '\0';
		return 0;
	}
	char ch = (char)c;
	return buf_append(b, &ch, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return fail(b, PROTO_EINVAL);
	if ((size_t)n < sizeof small)
		return buf_append(b, small, (size_t)n);
	int rc = buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = '\0';
	}
}

char *buf_steal(struct buf *b, size_t *len_r)
{
	char *p = b->data;
	size_t n = b->len;
	if (!p) {
		p = malloc(1);
		if (!p)
			return NULL;
		p[0] = '\0';
	}
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
	if (len_r)
		*len_r = n;
	return p;
}

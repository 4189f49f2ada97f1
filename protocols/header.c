/* RFC 5322 header fields: reading, unfolding, decoding, folding (header.h). */
#include "protocols/header.h"

#include <string.h>

#include "protocols/codec.h"
#include "protocols/proto_err.h"

static void flag(unsigned *defects_r, unsigned bit)
{
	if (defects_r)
		*defects_r |= bit;
}

/* End of the line starting at p: index of its '\n', or n. */
static size_t line_end(const char *text, size_t n, size_t p)
{
	const char *nl = memchr(text + p, '\n', n - p);
	return nl ? (size_t)(nl - text) : n;
}

/* Checks one line [p, e) (e at '\n' or n) for length, bare LF and 8-bit. */
static void check_line(const char *text, size_t n, size_t p, size_t e, unsigned *defects_r)
{
	size_t len = e - p;
	if (e < n) {
		if (len > 0 && text[e - 1] == '\r')
			len--;
		else
			flag(defects_r, HDR_D_LF_ONLY);
	}
	if (len > HDR_LINE_MAX)
		flag(defects_r, HDR_D_LONG_LINE);
	if (codec_has_8bit(text + p, e - p))
		flag(defects_r, HDR_D_8BIT);
}

int hdr_next(const char *text, size_t n, size_t *pos, struct hdr_field *f, unsigned *defects_r)
{
	size_t p = *pos;
	if (p == 0 && n >= 5 && memcmp(text, "From ", 5) == 0) {
		size_t e = line_end(text, n, 0);
		p = e < n ? e + 1 : n;
	}
	for (;;) {
		if (p >= n) {
			*pos = n;
			flag(defects_r, HDR_D_NO_BODY);
			return 0;
		}
		size_t e = line_end(text, n, p);
		if (text[p] == '\n' || (text[p] == '\r' && p + 1 < n && text[p + 1] == '\n')) {
			if (text[p] == '\n')
				flag(defects_r, HDR_D_LF_ONLY);
			*pos = e + 1;
			return 0;
		}
		if (text[p] == ' ' || text[p] == '\t') {
			flag(defects_r, HDR_D_CONTINUATION);
			p = e < n ? e + 1 : n;
			continue;
		}
		const char *colon = memchr(text + p, ':', e - p);
		size_t name_end = colon ? (size_t)(colon - text) : p;
		size_t trimmed = name_end;
		while (trimmed > p && (text[trimmed - 1] == ' ' || text[trimmed - 1] == '\t'))
			trimmed--;
		int ok = colon && trimmed > p;
		for (size_t i = p; ok && i < trimmed; i++) {
			unsigned char c = (unsigned char)text[i];
			if (c < 33 || c > 126)
				ok = 0;
		}
		if (!ok) {
			flag(defects_r, HDR_D_NO_SEPARATOR);
			*pos = p;
			return 0;
		}
		if (trimmed != name_end)
			flag(defects_r, HDR_D_NAME_SPACE);
		f->name = text + p;
		f->name_len = trimmed - p;
		f->offset = p;
		size_t v = name_end + 1;
		while (v < e && (text[v] == ' ' || text[v] == '\t'))
			v++;
		check_line(text, n, p, e, defects_r);
		/* Continuation lines: any following line that starts with WSP. */
		size_t last = e;
		while (last < n && last + 1 < n && (text[last + 1] == ' ' || text[last + 1] == '\t')) {
			size_t e2 = line_end(text, n, last + 1);
			check_line(text, n, last + 1, e2, defects_r);
			last = e2;
		}
		size_t vend = last;
		if (vend < n && vend > v && text[vend - 1] == '\r')
			vend--;
		if (v > vend)
			v = vend;
		/* "Name:" alone on its line, the value folded onto the next. */
		while (v < vend && (text[v] == '\r' || text[v] == '\n' || text[v] == ' ' || text[v] == '\t'))
			v++;
		f->value = text + v;
		f->value_len = vend - v;
		p = last < n ? last + 1 : n;
		f->length = p - f->offset;
		*pos = p;
		return 1;
	}
}

static int ieq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	if (an != bn)
		return 0;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

int hdr_name_is(const struct hdr_field *f, const char *name) { return ieq(f->name, f->name_len, name); }

int hdr_find(const char *text, size_t n, const char *name, int index, struct hdr_field *f_r)
{
	size_t pos = 0;
	struct hdr_field f;
	while (hdr_next(text, n, &pos, &f, NULL) > 0)
		if (hdr_name_is(&f, name) && index-- == 0) {
			*f_r = f;
			return 1;
		}
	return 0;
}

int hdr_unfold(struct buf *out, const char *value, size_t n)
{
	size_t a = 0, b = n;
	while (a < b && (value[a] == ' ' || value[a] == '\t' || value[a] == '\r' || value[a] == '\n'))
		a++;
	while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t' || value[b - 1] == '\r' || value[b - 1] == '\n'))
		b--;
	size_t run = a;
	for (size_t i = a; i < b; i++) {
		if (value[i] == '\r' || value[i] == '\n') {
			buf_append(out, value + run, i - run);
			run = i + 1;
		}
	}
	buf_append(out, value + run, b - run);
	return out->err;
}

int hdr_decode(struct buf *out, const char *value, size_t n, unsigned *defects_r)
{
	size_t a = 0, b = n;
	while (a < b && (value[a] == ' ' || value[a] == '\t' || value[a] == '\r' || value[a] == '\n'))
		a++;
	while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t' || value[b - 1] == '\r' || value[b - 1] == '\n'))
		b--;
	return codec_hdr_decode(out, value + a, b - a, defects_r);
}

static int valid_name(const char *name)
{
	if (!*name)
		return 0;
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 33 || (unsigned char)*p > 126 || *p == ':')
			return 0;
	return 1;
}

int hdr_write(struct buf *out, const char *name, const char *value)
{
	if (!valid_name(name) || strpbrk(value, "\r\n"))
		return PROTO_EINVAL;
	size_t start = out->len;
	size_t col = strlen(name) + 2;
	buf_puts(out, name);
	buf_append(out, ": ", 2);
	size_t n = strlen(value);
	size_t i = 0;
	int first = 1;
	while (i < n) {
		size_t ws = i;
		while (ws < n && (value[ws] == ' ' || value[ws] == '\t'))
			ws++;
		size_t we = ws;
		while (we < n && value[we] != ' ' && value[we] != '\t')
			we++;
		size_t seg = we - i;
		/* Fold before the white space, never before the first word. */
		if (!first && ws > i && we > ws && col + seg > HDR_FOLD_AT) {
			buf_append(out, "\r\n", 2);
			col = 0;
		}

		if (col + seg > HDR_LINE_MAX) {
			buf_truncate(out, start);
			return PROTO_ELIMIT;
		}
		buf_append(out, value + i, seg);
		col += seg;
		first = 0;
		i = we;
	}
	buf_append(out, "\r\n", 2);
	if (out->err) {
		int rc = out->err;
		buf_truncate(out, start);
		return rc;
	}
	return 0;
}

int hdr_write_text(struct buf *out, const char *name, const char *utf8)
{
	struct buf enc;
	buf_init(&enc, 64 * 1024);
	size_t used = strlen(name) + 2;
	int rc = codec_hdr_encode_room(&enc, utf8, strlen(utf8), 0, used < HDR_FOLD_AT ? HDR_FOLD_AT - used : 0);
	if (rc == 0) {
		/* Line breaks in the text become spaces: a header value is one line. */
		for (size_t i = 0; i < enc.len; i++)
			if (enc.data[i] == '\r' || enc.data[i] == '\n')
				enc.data[i] = ' ';
		rc = hdr_write(out, name, enc.data ? enc.data : "");
	}
	buf_free(&enc);
	return rc;
}

int hdr_strip(struct buf *out, const char *text, size_t n, const char *name)
{
	size_t pos = 0, copied = 0;
	struct hdr_field f;
	while (hdr_next(text, n, &pos, &f, NULL) > 0) {
		if (!hdr_name_is(&f, name))
			continue;
		buf_append(out, text + copied, f.offset - copied);
		copied = f.offset + f.length;
	}
	buf_append(out, text + copied, n - copied);
	return out->err;
}

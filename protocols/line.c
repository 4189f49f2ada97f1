/* The shared line engine; see line.h for the contract. */
#include "protocols/line.h"

#include <stdlib.h>
#include <string.h>

struct line_reader {
	uint8_t *buf;
	size_t cap;
	size_t start, end; /* unconsumed bytes are buf[start, end) */
	size_t max_line;
	enum line_mode mode;
	uint64_t literal_left;
	int discarding;    /* text mode: skipping the rest of an overlong line */
	int at_line_start; /* data mode: the next byte begins a line */
	int cur_long;      /* data mode: the line in progress is overlong */
};

struct line_reader *line_reader_new(size_t max_line, size_t buffer)
{
	if (max_line < 1 || buffer < max_line + 2)
		return NULL;
	struct line_reader *lr = calloc(1, sizeof *lr);
	if (!lr)
		return NULL;
	lr->buf = malloc(buffer);
	if (!lr->buf) {
		free(lr);
		return NULL;
	}
	lr->cap = buffer;
	lr->max_line = max_line;
	lr->at_line_start = 1;
	return lr;
}

void line_reader_free(struct line_reader **lrp)
{
	if (!lrp || !*lrp)
		return;
	free((*lrp)->buf);
	free(*lrp);
	*lrp = NULL;
}

size_t line_reader_feed(struct line_reader *lr, const void *bytes, size_t len)
{
	if (lr->start > 0 && lr->end + len > lr->cap) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	size_t room = lr->cap - lr->end;
	if (len > room)
		len = room;
	memcpy(lr->buf + lr->end, bytes, len);
	lr->end += len;
	return len;
}

void line_reader_set_mode(struct line_reader *lr, enum line_mode mode, uint64_t literal_len)
{
	lr->mode = mode;
	lr->literal_left = literal_len;
	lr->discarding = 0;
	lr->at_line_start = 1;
	lr->cur_long = 0;
}

enum line_mode line_reader_mode(const struct line_reader *lr) { return lr->mode; }
size_t line_reader_pending(const struct line_reader *lr) { return lr->end - lr->start; }

void line_reader_discard(struct line_reader *lr)
{
	lr->start = lr->end = 0;
	lr->discarding = 0;
	lr->at_line_start = 1;
	lr->cur_long = 0;
}

static void scan_flags(struct line_event *ev, const uint8_t *p, size_t n)
{
	ev->has_nul = memchr(p, 0, n) != NULL;
	ev->bare_cr = 0;
	const uint8_t *end = p + n;
	for (const uint8_t *q = p; (q = memchr(q, '\r', (size_t)(end - q))) != NULL; q++) {
		if (q + 1 >= end || q[1] != '\n') {
			ev->bare_cr = 1;
			return;
		}
	}
}

static int next_text(struct line_reader *lr, struct line_event *ev)
{
	uint8_t *base = lr->buf + lr->start;
	size_t avail = lr->end - lr->start;
	uint8_t *lf = memchr(base, '\n', avail);
	if (lr->discarding) {
		if (!lf) {
			lr->start = lr->end;
			return 0;
		}
		lr->start += (size_t)(lf - base) + 1;
		lr->discarding = 0;
		return -1; /* look again */
	}
	if (!lf) {
		if (avail > lr->max_line + 1 && avail == lr->cap) {
			/* No line end in sight, too long, and the buffer is
			 * full. (Until it is, the line end may still come and
			 * the whole line be shown with the event.) */
			memset(ev, 0, sizeof *ev);
			ev->type = LINE_EV_TOO_LONG;
			lr->start = lr->end;
			lr->discarding = 1;
			return 1;
		}
		return 0;
	}
	size_t n = (size_t)(lf - base);
	memset(ev, 0, sizeof *ev);
	ev->bare_lf = !(n > 0 && base[n - 1] == '\r');
	if (!ev->bare_lf)
		n--;
	lr->start += (size_t)(lf - base) + 1;
	if (n > lr->max_line) {
		/* The whole line is at hand: show it, so that a protocol can
		 * see what its end announced (an IMAP literal). */
		ev->type = LINE_EV_TOO_LONG;
		ev->text = base;
		ev->len = n;
		return 1;
	}
	ev->type = LINE_EV_LINE;
	ev->text = base;
	ev->len = n;
	scan_flags(ev, base, n);
	return 1;
}

/* Finds the first CRLF at or after from; returns the index of its LF. */
static uint8_t *find_crlf(uint8_t *from, uint8_t *base, size_t avail)
{
	uint8_t *end = base + avail;
	while (from < end) {
		uint8_t *lf = memchr(from, '\n', (size_t)(end - from));
		if (!lf)
			return NULL;
		if (lf > base && lf[-1] == '\r')
			return lf;
		from = lf + 1;
	}
	return NULL;
}

static int next_data(struct line_reader *lr, struct line_event *ev)
{
	uint8_t *base = lr->buf + lr->start;
	size_t avail = lr->end - lr->start;
	if (avail == 0)
		return 0;
	memset(ev, 0, sizeof *ev);
	if (lr->at_line_start && avail >= 3 && base[0] == '.' && base[1] == '\r' && base[2] == '\n') {
		lr->start += 3;
		ev->type = LINE_EV_DATA_END;
		line_reader_set_mode(lr, LINE_MODE_TEXT, 0);
		return 1;
	}
	if (lr->at_line_start && (avail < 3 && base[0] == '.'))
		return 0; /* could be the terminator: wait */
	uint8_t *lf = find_crlf(base, base, avail);
	size_t skip = lr->at_line_start && base[0] == '.' ? 1 : 0; /* unstuff */
	if (lf) {
		size_t n = (size_t)(lf - base) + 1;
		int long_line = lr->cur_long || n - 2 > lr->max_line;
		ev->type = LINE_EV_DATA;
		ev->text = base + skip;
		ev->len = n - skip;
		ev->long_line = long_line;
		scan_flags(ev, ev->text, ev->len);
		lr->start += n;
		lr->at_line_start = 1;
		lr->cur_long = 0;
		return 1;
	}
	if (avail <= lr->max_line + 1)
		return 0;
	/* An overlong line: hand it over in pieces, keeping a last CR back in
	 * case its LF is still to come. */
	size_t n = avail - (base[avail - 1] == '\r' ? 1 : 0);
	if (n <= skip)
		return 0;
	ev->type = LINE_EV_DATA;
	ev->text = base + skip;
	ev->len = n - skip;
	ev->long_line = 1;
	scan_flags(ev, ev->text, ev->len);
	lr->start += n;
	lr->at_line_start = 0;
	lr->cur_long = 1;
	return 1;
}

static int next_literal(struct line_reader *lr, struct line_event *ev)
{
	memset(ev, 0, sizeof *ev);
	if (lr->literal_left == 0) {
		ev->type = LINE_EV_LITERAL_END;
		line_reader_set_mode(lr, LINE_MODE_TEXT, 0);
		return 1;
	}
	size_t avail = lr->end - lr->start;
	if (avail == 0)
		return 0;
	size_t n = avail < lr->literal_left ? avail : (size_t)lr->literal_left;
	ev->type = LINE_EV_LITERAL;
	ev->text = lr->buf + lr->start;
	ev->len = n;
	lr->start += n;
	lr->literal_left -= n;
	return 1;
}

int line_reader_next(struct line_reader *lr, struct line_event *ev_r)
{
	for (;;) {
		int rc;
		switch (lr->mode) {
		case LINE_MODE_DOT_DATA:
			rc = next_data(lr, ev_r);
			break;
		case LINE_MODE_LITERAL:
			rc = next_literal(lr, ev_r);
			break;
		default:
			rc = next_text(lr, ev_r);
			break;
		}
		if (rc >= 0) {
			if (lr->start == lr->end)
				lr->start = lr->end = 0;
			return rc;
		}
	}
}

/* Appends n bytes at *o (as many as fit in cap; the count goes on). */
static void put_bytes(uint8_t *out, size_t cap, size_t *o, const void *src, size_t n)
{
	if (*o < cap)
		memcpy(out + *o, src, n < cap - *o ? n : cap - *o);
	*o += n;
}

/* Line by line with memchr and memcpy rather than byte by byte: bodies
 * are large and this runs once per hop (the SMTP client's hot spot). */
static size_t stuff(const uint8_t *body, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0, i = 0, next_lf = 0;
	int line_start = 1, lf_known = 0;
	while (i < len) {
		if (line_start && body[i] == '.')
			put_bytes(out, cap, &o, ".", 1);
		line_start = 0;
		if (!lf_known || next_lf < i) {
			/* remembered, so CR-only line ends cost no rescans */
			const uint8_t *lf = memchr(body + i, '\n', len - i);
			next_lf = lf ? (size_t)(lf - body) : len;
			lf_known = 1;
		}
		size_t end = next_lf;
		const uint8_t *cr = memchr(body + i, '\r', end - i);
		if (cr)
			end = (size_t)(cr - body);
		put_bytes(out, cap, &o, body + i, end - i);
		i = end;
		if (i < len) { /* a CR, an LF or a CRLF: one CRLF out */
			if (body[i] == '\r' && i + 1 < len && body[i + 1] == '\n')
				i++;
			i++;
			put_bytes(out, cap, &o, "\r\n", 2);
			line_start = 1;
		}
	}
	if (!line_start)
		put_bytes(out, cap, &o, "\r\n", 2);
	put_bytes(out, cap, &o, ".\r\n", 3);
	return o;
}

size_t line_dot_stuff(const uint8_t *body, size_t len, uint8_t *out, size_t cap) { return stuff(body, len, out, cap); }

size_t line_dot_stuffed_size(const uint8_t *body, size_t len) { return stuff(body, len, NULL, 0); }

/* The IMAP client engine: commands out (with literals held for "+"),
 * responses in (assembled with their literals), one event per response.
 * See imap_client.h for the contract. */
#include "protocols/imap_client.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/line.h"
#include "protocols/proto_err.h"

#define RESP_LINE_MAX (64 * 1024)
#define MAX_CAPS 32

/* A piece of a command that waits for the server's "+" (a literal's
 * octets and what follows), or any command queued behind one. */
struct held {
	uint32_t id;
	int wait_plus;
	struct buf bytes;
};

struct imap_client {
	struct line_reader *lr;
	uint64_t max_literal;
	struct buf in; /* fed and not yet taken by the line reader */
	size_t in_start;
	struct buf resp; /* the response being assembled */
	int resp_done;   /* resp holds the last event's response */
	int greeted, closed, errored;
	uint32_t next_id;
	size_t pending;
	struct buf out;
	size_t out_start;
	struct held *held;
	size_t nheld, capheld;
	char caps[MAX_CAPS][32];
	size_t ncaps;
	char code[512], text[1024], keyword[32];
};

struct imap_client *imap_client_new(const struct imap_client_config *cfg)
{
	struct imap_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->max_literal = cfg && cfg->max_literal ? cfg->max_literal : 64u * 1024 * 1024;
	c->lr = line_reader_new(RESP_LINE_MAX, RESP_LINE_MAX + 4096);
	if (!c->lr) {
		free(c);
		return NULL;
	}
	buf_init(&c->in, SIZE_MAX / 2);
	buf_init(&c->resp, (size_t)c->max_literal + 4 * RESP_LINE_MAX);
	buf_init(&c->out, SIZE_MAX / 2);
	return c;
}

void imap_client_free(struct imap_client **cp)
{
	if (!cp || !*cp)
		return;
	struct imap_client *c = *cp;
	line_reader_free(&c->lr);
	buf_free(&c->in);
	buf_free(&c->resp);
	buf_free(&c->out);
	for (size_t i = 0; i < c->nheld; i++)
		buf_free(&c->held[i].bytes);
	free(c->held);
	free(c);
	*cp = NULL;
}

/* ---- output ---------------------------------------------------------- */

static void out_append(struct imap_client *c, const void *p, size_t n)
{
	if (c->out_start && c->out_start == c->out.len) {
		buf_reset(&c->out);
		c->out_start = 0;
	}
	buf_append(&c->out, p, n);
}

static void release_held(struct imap_client *c)
{
	size_t k = 0;
	while (k < c->nheld && !c->held[k].wait_plus) {
		out_append(c, c->held[k].bytes.data, c->held[k].bytes.len);
		buf_free(&c->held[k].bytes);
		k++;
	}
	if (k) {
		memmove(c->held, c->held + k, (c->nheld - k) * sizeof *c->held);
		c->nheld -= k;
	}
}

static int push_part(struct imap_client *c, uint32_t id, int wait_plus, struct buf *part)
{
	if (c->nheld == 0 && !wait_plus) {
		out_append(c, part->data, part->len);
		buf_free(part);
		return 0;
	}
	if (c->nheld == c->capheld) {
		size_t cap = c->capheld ? c->capheld * 2 : 8;
		struct held *v = realloc(c->held, cap * sizeof *v);
		if (!v) {
			buf_free(part);
			return -1;
		}
		c->held = v;
		c->capheld = cap;
	}
	c->held[c->nheld++] = (struct held){id, wait_plus, *part};
	return 0;
}

uint32_t imap_client_command(struct imap_client *c, const char *text, size_t len)
{
	if (c->closed)
		return 0;
	int literal_plus = imap_client_has_cap(c, "LITERAL+");
	uint32_t id = ++c->next_id;
	struct buf part;
	buf_init(&part, SIZE_MAX / 2);
	buf_printf(&part, "A%03u ", id);
	int wait = 0;
	size_t pos = 0;
	for (;;) {
		const char *crlf = NULL;
		for (size_t i = pos; i + 1 < len; i++)
			if (text[i] == '\r' && text[i + 1] == '\n') {
				crlf = text + i;
				break;
			}
		if (!crlf) {
			if (memchr(text + pos, '\r', len - pos) || memchr(text + pos, '\n', len - pos))
				goto bad;
			buf_append(&part, text + pos, len - pos);
			buf_puts(&part, "\r\n");
			if (part.err || push_part(c, id, wait, &part) < 0)
				goto bad;
			break;
		}
		size_t line_len = (size_t)(crlf - (text + pos));
		uint64_t n = 0;
		int nonsync = 0;
		if (imap_line_literal((const uint8_t *)text + pos, line_len, &n, &nonsync) != 1 ||
		    n > len - (size_t)(crlf + 2 - text))
			goto bad;
		if (literal_plus && !nonsync) {
			buf_append(&part, text + pos, line_len - 1);
			buf_puts(&part, "+}");
		} else {
			buf_append(&part, text + pos, line_len);
		}
		buf_puts(&part, "\r\n");
		if (part.err || push_part(c, id, wait, &part) < 0)
			goto bad;
		wait = !(literal_plus || nonsync);
		buf_init(&part, SIZE_MAX / 2);
		size_t lit_start = (size_t)(crlf + 2 - text);
		buf_append(&part, text + lit_start, (size_t)n);
		pos = lit_start + (size_t)n;
	}
	c->pending++;
	return id;
bad:
	buf_free(&part);
	/* Drop what was held of this command (nothing of it was sent
	 * except possibly its first line, which cannot be taken back). */
	for (size_t i = 0; i < c->nheld;) {
		if (c->held[i].id == id) {
			buf_free(&c->held[i].bytes);
			memmove(c->held + i, c->held + i + 1, (c->nheld - i - 1) * sizeof *c->held);
			c->nheld--;
		} else {
			i++;
		}
	}
	return 0;
}

void imap_client_done(struct imap_client *c)
{
	struct buf part;
	buf_init(&part, 16);
	buf_puts(&part, "DONE\r\n");
	push_part(c, 0, 0, &part);
}

const uint8_t *imap_client_output(const struct imap_client *c, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = c->out.len - c->out_start;
	return c->out.data ? (const uint8_t *)c->out.data + c->out_start : empty;
}

void imap_client_consume(struct imap_client *c, size_t n)
{
	size_t have = c->out.len - c->out_start;
	c->out_start += n < have ? n : have;
	if (c->out_start == c->out.len) {
		buf_reset(&c->out);
		c->out_start = 0;
	}
}

size_t imap_client_pending(const struct imap_client *c) { return c->pending; }
int imap_client_closed(const struct imap_client *c) { return c->closed || c->errored; }

int imap_client_has_cap(const struct imap_client *c, const char *cap)
{
	for (size_t i = 0; i < c->ncaps; i++)
		if (strcasecmp(c->caps[i], cap) == 0)
			return 1;
	return 0;
}

static void record_caps(struct imap_client *c, const char *p, const char *end)
{
	c->ncaps = 0;
	while (p < end && c->ncaps < MAX_CAPS) {
		while (p < end && *p == ' ')
			p++;
		const char *w = p;
		while (p < end && *p != ' ')
			p++;
		size_t n = (size_t)(p - w);
		if (n && n < sizeof c->caps[0]) {
			memcpy(c->caps[c->ncaps], w, n);
			c->caps[c->ncaps++][n] = 0;
		}
	}
}

/* ---- input ----------------------------------------------------------- */

size_t imap_client_feed(struct imap_client *c, const void *bytes, size_t len)
{
	if (c->closed || c->errored)
		return len;
	if (c->in_start && c->in_start == c->in.len) {
		buf_reset(&c->in);
		c->in_start = 0;
	}
	buf_append(&c->in, bytes, len);
	return len;
}

static void copy_text(char *dst, size_t cap, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = 0;
}

static enum imap_status status_of(const char *kw)
{
	static const char *const names[] = {"", "OK", "NO", "BAD", "PREAUTH", "BYE"};
	for (int i = 1; i < 6; i++)
		if (strcmp(kw, names[i]) == 0)
			return (enum imap_status)i;
	return IMAP_ST_NONE;
}

/* [code] text, after a status word and its SP. */
static void parse_status_text(struct imap_client *c, const char *p, const char *end)
{
	c->code[0] = 0;
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (close) {
			copy_text(c->code, sizeof c->code, p + 1, close);
			p = close + 1;
			if (p < end && *p == ' ')
				p++;
		}
	}
	copy_text(c->text, sizeof c->text, p, end);
	if (strncasecmp(c->code, "CAPABILITY ", 11) == 0)
		record_caps(c, c->code + 11, c->code + strlen(c->code));
}

static int drop_held_of(struct imap_client *c, uint32_t id)
{
	int dropped = 0;
	for (size_t i = 0; i < c->nheld;) {
		if (c->held[i].id == id && c->held[i].wait_plus) {
			/* The rest of a refused command: never sent. Its
			 * following parts go with it. */
			size_t j = i;
			while (j < c->nheld && c->held[j].id == id) {
				buf_free(&c->held[j].bytes);
				j++;
			}
			memmove(c->held + i, c->held + j, (c->nheld - j) * sizeof *c->held);
			c->nheld -= j - i;
			dropped = 1;
		} else {
			i++;
		}
	}
	release_held(c);
	return dropped;
}

/* Turns the assembled response into an event; 0 if it was consumed
 * internally (a "+" for one of our literals). */
static int make_event(struct imap_client *c, struct imap_client_event *ev)
{
	memset(ev, 0, sizeof *ev);
	const char *p = c->resp.data ? c->resp.data : "";
	const char *end = p + c->resp.len;
	ev->raw = (const uint8_t *)p;
	ev->raw_len = c->resp.len;
	ev->code = c->code;
	ev->text = c->text;
	ev->keyword = c->keyword;
	c->code[0] = c->text[0] = c->keyword[0] = 0;
	if (p < end && *p == '+') {
		if (c->nheld && c->held[0].wait_plus) {
			c->held[0].wait_plus = 0;
			release_held(c);
			return 0;
		}
		ev->type = IMAP_CEV_CONTINUE;
		const char *r = p + 1;
		if (r < end && *r == ' ')
			r++;
		ev->rest = (const uint8_t *)r;
		ev->rest_len = (size_t)(end - r);
		copy_text(c->text, sizeof c->text, r, end);
		return 1;
	}
	if (end - p >= 2 && p[0] == '*' && p[1] == ' ') {
		const char *q = p + 2;
		if (q < end && isdigit((unsigned char)*q)) {
			uint64_t n = 0;
			while (q < end && isdigit((unsigned char)*q) && n <= UINT32_MAX)
				n = n * 10 + (uint64_t)(*q++ - '0');
			if (n > UINT32_MAX || q >= end || *q != ' ')
				goto bad;
			ev->has_number = 1;
			ev->number = (uint32_t)n;
			q++;
		}
		const char *w = q;
		while (q < end && *q != ' ' && *q != '(' && *q != '[')
			q++;
		if (q == w)
			goto bad;
		size_t kl = (size_t)(q - w) < sizeof c->keyword ? (size_t)(q - w) : sizeof c->keyword - 1;
		for (size_t i = 0; i < kl; i++)
			c->keyword[i] = (char)toupper((unsigned char)w[i]);
		c->keyword[kl] = 0;
		if (q < end && *q == ' ')
			q++;
		ev->rest = (const uint8_t *)q;
		ev->rest_len = (size_t)(end - q);
		ev->status = ev->has_number ? IMAP_ST_NONE : status_of(c->keyword);
		if (ev->status != IMAP_ST_NONE)
			parse_status_text(c, q, end);
		if (strcmp(c->keyword, "CAPABILITY") == 0)
			record_caps(c, q, end);
		if (ev->status == IMAP_ST_BYE)
			c->closed = 1;
		ev->type = c->greeted ? IMAP_CEV_UNTAGGED : IMAP_CEV_GREETING;
		c->greeted = 1;
		return 1;
	}
	/* tag SP status SP ... */
	if (p < end && (*p == 'A' || *p == 'a')) {
		const char *q = p + 1;
		uint64_t id = 0;
		while (q < end && isdigit((unsigned char)*q) && id <= UINT32_MAX)
			id = id * 10 + (uint64_t)(*q++ - '0');
		if (q >= end || *q != ' ' || id == 0 || id > UINT32_MAX)
			goto bad;
		q++;
		const char *w = q;
		while (q < end && *q != ' ')
			q++;
		copy_text(c->keyword, sizeof c->keyword, w, q);
		for (char *k = c->keyword; *k; k++)
			*k = (char)toupper((unsigned char)*k);
		ev->status = status_of(c->keyword);
		if (ev->status != IMAP_ST_OK && ev->status != IMAP_ST_NO && ev->status != IMAP_ST_BAD)
			goto bad;
		if (q < end)
			q++;
		parse_status_text(c, q, end);
		ev->type = IMAP_CEV_TAGGED;
		ev->id = (uint32_t)id;
		if (c->pending)
			c->pending--;
		drop_held_of(c, ev->id);
		return 1;
	}
bad:
	ev->type = IMAP_CEV_ERROR;
	snprintf(c->text, sizeof c->text, "unreadable response");
	c->errored = 1;
	return 1;
}

int imap_client_next(struct imap_client *c, struct imap_client_event *ev_r)
{
	if (c->resp_done) {
		buf_reset(&c->resp);
		c->resp_done = 0;
	}
	for (;;) {
		if (c->errored)
			return 0;
		struct line_event le;
		while (line_reader_next(c->lr, &le) > 0) {
			switch (le.type) {
			case LINE_EV_LINE: {
				buf_append(&c->resp, le.text, le.len);
				uint64_t n = 0;
				int nonsync = 0;
				int lit = imap_line_literal(le.text, le.len, &n, &nonsync);
				if (lit == 1 && n <= c->max_literal && !c->resp.err) {
					buf_append(&c->resp, "\r\n", 2);
					line_reader_set_mode(c->lr, LINE_MODE_LITERAL, n);
					break;
				}
				if (lit < 0 || lit == 1 || c->resp.err) {
					memset(ev_r, 0, sizeof *ev_r);
					ev_r->type = IMAP_CEV_ERROR;
					ev_r->code = ev_r->keyword = "";
					ev_r->text = "response literal malformed or too large";
					c->errored = 1;
					return 1;
				}
				c->resp_done = 1;
				if (make_event(c, ev_r))
					return 1;
				buf_reset(&c->resp);
				c->resp_done = 0;
				break;
			}
			case LINE_EV_LITERAL:
				buf_append(&c->resp, le.text, le.len);
				break;
			case LINE_EV_TOO_LONG:
				memset(ev_r, 0, sizeof *ev_r);
				ev_r->type = IMAP_CEV_ERROR;
				ev_r->code = ev_r->keyword = "";
				ev_r->text = "response line too long";
				c->errored = 1;
				return 1;
			default:
				break;
			}
		}
		size_t avail = c->in.len - c->in_start;
		if (!avail)
			return 0;
		size_t took = line_reader_feed(c->lr, c->in.data + c->in_start, avail);
		c->in_start += took;
		if (took == 0)
			return 0;
	}
}

/* ---- reading values -------------------------------------------------- */

static int skip_depth(struct imap_cursor *cur, int depth)
{
	int ch = imap_peek(cur);
	if (ch < 0) {
		cur->err = "value expected";
		return PROTO_EINVAL;
	}
	if (ch == '(') {
		if (depth >= 64) {
			cur->err = "lists nested too deep";
			return PROTO_EINVAL;
		}
		imap_expect(cur, '(');
		if (imap_peek(cur) == ')')
			return imap_expect(cur, ')');
		for (;;) {
			int rc = skip_depth(cur, depth + 1);
			if (rc < 0)
				return rc;
			if (imap_peek(cur) == ')')
				return imap_expect(cur, ')');
			if (imap_sp(cur) < 0)
				return PROTO_EINVAL;
		}
	}
	struct buf tmp;
	buf_init(&tmp, SIZE_MAX / 2);
	int rc;
	if (ch == '"' || ch == '{') {
		rc = imap_read_string(cur, &tmp);
	} else {
		/* atom, number, NIL, or a flag like \Seen, or BODY[...]<n> */
		const uint8_t *s = cur->p;
		while (cur->p < cur->end && *cur->p != ' ' && *cur->p != ')' && *cur->p != '(') {
			if (*cur->p == '[') {
				const uint8_t *close = memchr(cur->p, ']', (size_t)(cur->end - cur->p));
				if (!close)
					break;
				cur->p = close;
			}
			cur->p++;
		}
		rc = cur->p > s ? 0 : PROTO_EINVAL;
		if (rc < 0)
			cur->err = "value expected";
	}
	buf_free(&tmp);
	return rc;
}

int imap_skip_value(struct imap_cursor *cur) { return skip_depth(cur, 0); }

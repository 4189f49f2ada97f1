/* The benchmark's IMAP and POP3 client (mailbox_client.h): one command,
 * its whole response, a few counts. */
#include "sim/bench/mailbox_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"

#define MBX_INPUT_MAX ((size_t)1 << 30) /* a response bigger than this is broken */
#define MBX_LITERAL_MAX ((uint64_t)1 << 28)

struct mbx_client {
	struct mbx_io io;
	struct buf in;
	size_t pos; /* start of what is not yet read */
	unsigned next_tag;
	struct buf out;
	char error[200];
};

struct mbx_client *mbx_client_new(const struct mbx_io *io)
{
	struct mbx_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->io = *io;
	buf_init(&c->in, MBX_INPUT_MAX);
	buf_init(&c->out, 4096);
	return c;
}

void mbx_client_free(struct mbx_client **cp)
{
	struct mbx_client *c = *cp;
	if (!c)
		return;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	*cp = NULL;
}

const char *mbx_client_error(const struct mbx_client *c) { return c->error; }

static int fail(struct mbx_client *c, const char *what)
{
	snprintf(c->error, sizeof c->error, "%s", what);
	return -1;
}

/* Gets more input; -1 if there is none to be had. */
static int more(struct mbx_client *c)
{
	if (c->in.len >= MBX_INPUT_MAX - 65536)
		return fail(c, "response too large");
	long n = c->io.recv(c->io.ctx, &c->in, c->error, sizeof c->error);
	if (n > 0)
		return 0;
	if (n == 0)
		snprintf(c->error, sizeof c->error, "the server closed the connection (or said nothing) mid-response");
	return -1;
}

/* Index of the LF ending the line that contains from, reading more as
 * needed; -1 on failure. */
static long line_end(struct mbx_client *c, size_t from)
{
	for (;;) {
		const char *lf = from < c->in.len ? memchr(c->in.data + from, '\n', c->in.len - from) : NULL;
		if (lf)
			return lf - c->in.data;
		from = c->in.len;
		if (more(c) < 0)
			return -1;
	}
}

/* Drops what has been read, so the buffer does not grow across commands. */
static void compact(struct mbx_client *c)
{
	if (c->pos == c->in.len) {
		buf_reset(&c->in);
	} else if (c->pos > 0) {
		memmove(c->in.data, c->in.data + c->pos, c->in.len - c->pos);
		buf_truncate(&c->in, c->in.len - c->pos);
	}
	c->pos = 0;
}

static void reset_result(struct mbx_result *r)
{
	memset(r, 0, sizeof *r);
}

static void set_text(struct mbx_result *r, const char *line, size_t len)
{
	if (len >= sizeof r->text)
		len = sizeof r->text - 1;
	memcpy(r->text, line, len);
	r->text[len] = 0;
	for (char *p = r->text; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = ' ';
}

/* A literal announcement "{n}" ending the segment [seg, end) (end at the
 * CR): its n, or -1. */
static long long literal_at(const char *seg, const char *end)
{
	if (end - seg < 3 || end[-1] != '}')
		return -1;
	const char *p = end - 2;
	if (*p == '+')
		p--;
	uint64_t n = 0, mult = 1;
	const char *digits_end = p + 1;
	while (p > seg && *p >= '0' && *p <= '9') {
		n += (uint64_t)(*p - '0') * mult;
		mult *= 10;
		p--;
	}
	if (*p != '{' || p + 1 == digits_end || digits_end - p > 12 || n > MBX_LITERAL_MAX)
		return -1;
	return (long long)n;
}

static int starts(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && strncasecmp(line, word, n) == 0;
}

static void untagged(const char *line, size_t len, struct mbx_result *r)
{
	r->untagged++;
	const char *p = line + 2, *end = line + len;
	if (p < end && *p >= '0' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (starts(p, (size_t)(end - p), " FETCH "))
			r->fetches++;
		return;
	}
	if (!starts(p, (size_t)(end - p), "SEARCH"))
		return;
	for (p += 6; p < end; p++)
		if (*p >= '0' && *p <= '9' && p[-1] == ' ')
			r->search_hits++;
}

static int status_word(const char *p, size_t len, struct mbx_result *r)
{
	if (starts(p, len, "OK"))
		r->status = 'O';
	else if (starts(p, len, "NO"))
		r->status = 'N';
	else if (starts(p, len, "BAD"))
		r->status = 'B';
	else if (starts(p, len, "BYE"))
		r->status = 'Y';
	else if (starts(p, len, "PREAUTH"))
		r->status = 'O';
	else
		return -1;
	return 0;
}

/* Reads IMAP responses through the one tagged tag (or, for tag NULL, one
 * greeting line). */
static int imap_read(struct mbx_client *c, const char *tag, struct mbx_result *r)
{
	size_t tag_len = tag ? strlen(tag) : 0;
	size_t start = c->pos, line = c->pos, seg = c->pos;
	for (;;) {
		long lf = line_end(c, seg);
		if (lf < 0)
			return -1;
		const char *d = c->in.data;
		size_t cr = (size_t)lf > seg && d[lf - 1] == '\r' ? (size_t)lf - 1 : (size_t)lf;
		long long lit = literal_at(d + seg, d + cr);
		if (lit >= 0) {
			/* The literal's octets, then the line goes on. */
			while (c->in.len < (size_t)lf + 1 + (size_t)lit)
				if (more(c) < 0)
					return -1;
			seg = (size_t)lf + 1 + (size_t)lit;
			continue;
		}
		d = c->in.data;
		const char *l = d + line;
		size_t len = cr - line;
		seg = line = (size_t)lf + 1;
		if (!tag) {
			set_text(r, l, len);
			if (!starts(l, len, "* ") || status_word(l + 2, len - 2, r) < 0)
				return fail(c, "the greeting is not * OK, * PREAUTH or * BYE");
			break;
		}
		if (starts(l, len, "* ")) {
			untagged(l, len, r);
		} else if (len > tag_len && strncmp(l, tag, tag_len) == 0 && l[tag_len] == ' ') {
			set_text(r, l, len);
			if (status_word(l + tag_len + 1, len - tag_len - 1, r) < 0 || r->status == 'Y')
				return fail(c, "a tagged response that is not OK, NO or BAD");
			break;
		} else {
			set_text(r, l, len);
			snprintf(c->error, sizeof c->error, "unexpected response line: %s", r->text);
			return -1;
		}
	}
	r->bytes = line - start;
	c->pos = line;
	compact(c);
	return 0;
}

static int send_line(struct mbx_client *c, const char *tag, const char *command)
{
	buf_reset(&c->out);
	if (tag)
		buf_printf(&c->out, "%s %s\r\n", tag, command);
	else
		buf_printf(&c->out, "%s\r\n", command);
	if (c->out.err)
		return fail(c, "command too long");
	return c->io.send(c->io.ctx, c->out.data, c->out.len, c->error, sizeof c->error);
}

int mbx_imap_greeting(struct mbx_client *c, struct mbx_result *r)
{
	reset_result(r);
	return imap_read(c, NULL, r);
}

int mbx_imap_command(struct mbx_client *c, const char *command, struct mbx_result *r)
{
	reset_result(r);
	char tag[16];
	snprintf(tag, sizeof tag, "A%u", ++c->next_tag);
	if (send_line(c, tag, command) < 0)
		return -1;
	return imap_read(c, tag, r);
}

static int pop3_read(struct mbx_client *c, int multiline, struct mbx_result *r)
{
	size_t start = c->pos;
	long lf = line_end(c, c->pos);
	if (lf < 0)
		return -1;
	const char *d = c->in.data;
	size_t status_len = (size_t)lf - c->pos - ((size_t)lf > c->pos && d[lf - 1] == '\r');
	set_text(r, d + c->pos, status_len);
	if (starts(d + c->pos, status_len, "+OK"))
		r->status = '+';
	else if (starts(d + c->pos, status_len, "-ERR"))
		r->status = '-';
	else
		return fail(c, "a POP3 status line that is neither +OK nor -ERR");
	size_t line = (size_t)lf + 1;
	if (multiline && r->status == '+') {
		for (;;) {
			lf = line_end(c, line);
			if (lf < 0)
				return -1;
			d = c->in.data;
			size_t len = (size_t)lf + 1 - line; /* with the LF */
			const char *l = d + line;
			line = (size_t)lf + 1;
			if (l[0] == '.' && (len == 2 || (len == 3 && l[1] == '\r')))
				break;
			r->lines++;
			r->octets += len - (l[0] == '.');
		}
	}
	r->bytes = line - start;
	c->pos = line;
	compact(c);
	return 0;
}

int mbx_pop3_greeting(struct mbx_client *c, struct mbx_result *r)
{
	reset_result(r);
	return pop3_read(c, 0, r);
}

int mbx_pop3_command(struct mbx_client *c, const char *command, int multiline, struct mbx_result *r)
{
	reset_result(r);
	if (send_line(c, NULL, command) < 0)
		return -1;
	return pop3_read(c, multiline, r);
}

/* The POP3 server session: input with flow control, output, responses,
 * state and life cycle. The commands are in pop3_server_cmd.c; see
 * pop3_server.h for the contract. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/pop3_server_internal.h"

static const char *const state_names[] = {
	[POP3_SERVER_AUTHORIZATION] = "AUTHORIZATION",
	[POP3_SERVER_TRANSACTION] = "TRANSACTION",
	[POP3_SERVER_UPDATE] = "UPDATE",
	[POP3_SERVER_CLOSED] = "CLOSED",
};

const char *pop3_server_state_name(enum pop3_server_state st)
{
	if ((unsigned)st < sizeof state_names / sizeof state_names[0] && state_names[st])
		return state_names[st];
	return "?";
}

void pop3_server_set_state(struct pop3_server *s, enum pop3_server_state to)
{
	enum pop3_server_state from = s->state;
	if (from == to)
		return;
	s->state = to;
	if (s->host.state_changed)
		s->host.state_changed(s->host.ctx, from, to);
}

/* ---- output ---------------------------------------------------------- */

static int out_reserve(struct pop3_server *s, size_t more)
{
	if (s->out_start > 0 && s->out_start == s->out_len)
		s->out_start = s->out_len = 0;
	if (s->out_len + more <= s->out_cap)
		return 0;
	if (s->out_start > 0) {
		memmove(s->out, s->out + s->out_start, s->out_len - s->out_start);
		s->out_len -= s->out_start;
		s->out_start = 0;
		if (s->out_len + more <= s->out_cap)
			return 0;
	}
	size_t cap = s->out_cap ? s->out_cap : 1024;
	while (cap < s->out_len + more) {
		if (cap > SIZE_MAX / 2)
			return -1;
		cap *= 2;
	}
	uint8_t *p = realloc(s->out, cap);
	if (!p)
		return -1;
	s->out = p;
	s->out_cap = cap;
	return 0;
}

static void trace_lines(struct pop3_server *s, const uint8_t *p, size_t n)
{
	if (!s->host.trace)
		return;
	for (size_t i = 0; i < n;) {
		const uint8_t *lf = memchr(p + i, '\n', n - i); /* stuffed: every LF follows a CR */
		size_t e = lf ? (size_t)(lf - p) : n;
		s->host.trace(s->host.ctx, 1, (const char *)p + i, e > i ? e - i - 1 : 0);
		i = e + 1;
	}
}

/* Appends one status line; a server that cannot answer must not go on, so
 * on ENOMEM the session closes. */
static void out_line(struct pop3_server *s, const char *line, size_t len)
{
	if (out_reserve(s, len + 2) < 0) {
		pop3_server_close_session(s);
		return;
	}
	memcpy(s->out + s->out_len, line, len);
	s->out[s->out_len + len] = '\r';
	s->out[s->out_len + len + 1] = '\n';
	s->out_len += len + 2;
	if (s->host.trace)
		s->host.trace(s->host.ctx, 1, line, len);
}

void pop3_server_multiline(struct pop3_server *s, const uint8_t *body, size_t len)
{
	size_t n = line_dot_stuffed_size(body, len);
	if (out_reserve(s, n) < 0) {
		pop3_server_close_session(s);
		return;
	}
	uint8_t *dst = s->out + s->out_len;
	line_dot_stuff(body, len, dst, n);
	s->out_len += n;
	trace_lines(s, dst, n);
}

static void status(struct pop3_server *s, const char *indicator, const char *fmt, va_list ap)
{
	char text[POP3_RESP_TEXT_MAX + 1];
	vsnprintf(text, sizeof text, fmt, ap);
	char line[POP3_RESP_TEXT_MAX + 8];
	size_t o = (size_t)snprintf(line, sizeof line, "%s", indicator);
	if (text[0]) {
		line[o++] = ' ';
		for (const char *p = text; *p && o < sizeof line - 1; p++)
			line[o++] = ((unsigned char)*p < 32 || *p == 127) ? ' ' : *p;
	}
	line[o] = 0;
	out_line(s, line, o);
}

void pop3_server_ok(struct pop3_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	status(s, "+OK", fmt, ap);
	va_end(ap);
}

void pop3_server_err(struct pop3_server *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	status(s, "-ERR", fmt, ap);
	va_end(ap);
}

const uint8_t *pop3_server_output(const struct pop3_server *s, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = s->out_len - s->out_start;
	return s->out ? s->out + s->out_start : empty;
}

static void process(struct pop3_server *s);

void pop3_server_consume(struct pop3_server *s, size_t n)
{
	size_t have = s->out_len - s->out_start;
	s->out_start += n < have ? n : have;
	if (s->out_start == s->out_len)
		s->out_start = s->out_len = 0;
	process(s); /* a backlog may be waiting for room */
}

void pop3_server_expand(const struct pop3_server *s, const char *tmpl, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = tmpl; p && *p && o + 1 < cap; p++) {
		if (*p == '%' && (p[1] == 'h' || p[1] == '%')) {
			const char *v = p[1] == 'h' ? s->cfg.hostname : "%";
			for (; *v && o + 1 < cap; v++)
				out[o++] = ((unsigned char)*v < 32 || *v == 127) ? ' ' : *v;
			p++;
			continue;
		}
		out[o++] = ((unsigned char)*p < 32 || *p == 127) ? ' ' : *p;
	}
	out[o] = 0;
}

/* ---- session end ----------------------------------------------------- */

void pop3_server_release(struct pop3_server *s)
{
	if (s->locked && s->host.unlock)
		s->host.unlock(s->host.ctx, s->login);
	s->locked = 0;
}

void pop3_server_close_session(struct pop3_server *s)
{
	pop3_server_release(s);
	s->closing = 1;
	pop3_server_set_state(s, POP3_SERVER_CLOSED);
}

/* ---- input ----------------------------------------------------------- */

static void handle_event(struct pop3_server *s, const struct line_event *ev)
{
	switch (ev->type) {
	case LINE_EV_LINE:
		pop3_server_command_line(s, ev);
		break;
	case LINE_EV_TOO_LONG:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, "(line too long)", 15);
		s->have_user = 0;
		pop3_server_err(s, "line too long (at most 255 octets with CRLF)");
		break;
	default:
		break; /* the reader stays in text mode: nothing else comes */
	}
}

/* Runs commands while there are some and the output is not backlogged. */
static void process(struct pop3_server *s)
{
	while (!s->closing && s->out_len - s->out_start < POP3_OUT_SOFT) {
		struct line_event ev;
		if (line_reader_next(s->lr, &ev) > 0) {
			handle_event(s, &ev);
			continue;
		}
		if (s->in_start == s->in_len)
			break;
		size_t took = line_reader_feed(s->lr, s->in + s->in_start, s->in_len - s->in_start);
		if (took == 0)
			break; /* cannot happen: the reader empties on a too-long line */
		s->in_start += took;
		if (s->in_start == s->in_len)
			s->in_start = s->in_len = 0;
	}
	if (s->closing) {
		line_reader_discard(s->lr);
		s->in_start = s->in_len = 0;
	}
}

size_t pop3_server_feed(struct pop3_server *s, const void *bytes, size_t len)
{
	if (s->closing || len == 0)
		return len;
	if (s->in_len - s->in_start + len > POP3_IN_MAX) {
		pop3_server_err(s, "too many pipelined commands, closing");
		pop3_server_close_session(s);
		return len;
	}
	if (s->in_start > 0) {
		memmove(s->in, s->in + s->in_start, s->in_len - s->in_start);
		s->in_len -= s->in_start;
		s->in_start = 0;
	}
	if (s->in_len + len > s->in_cap) {
		size_t cap = s->in_cap ? s->in_cap : 512;
		while (cap < s->in_len + len)
			cap *= 2;
		uint8_t *p = realloc(s->in, cap);
		if (!p) {
			pop3_server_close_session(s);
			return len;
		}
		s->in = p;
		s->in_cap = cap;
	}
	memcpy(s->in + s->in_len, bytes, len);
	s->in_len += len;
	process(s);
	return len;
}

/* ---- life cycle ------------------------------------------------------ */

void pop3_server_config_init(struct pop3_server_config *cfg, const char *hostname)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hostname = hostname;
	cfg->user_pass = 1;
	cfg->max_failed_logins = 3;
}

static const char *own(struct pop3_server *s, size_t slot, const char *v, const char *def)
{
	const char *src = v ? v : def;
	if (!src)
		return NULL;
	size_t n = strlen(src);
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	memcpy(c, src, n + 1);
	s->owned[slot] = c;
	return c;
}

struct pop3_server *pop3_server_new(const struct pop3_server_config *cfg, const struct pop3_server_host *host)
{
	if (!cfg || !cfg->hostname)
		return NULL;
	struct pop3_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (host)
		s->host = *host;
	if (!s->cfg.max_failed_logins)
		s->cfg.max_failed_logins = 3;
	s->cfg.hostname = own(s, 0, cfg->hostname, NULL);
	s->cfg.greeting = own(s, 1, cfg->greeting, "POP3 server ready");
	s->cfg.quit_text = own(s, 2, cfg->quit_text, "%h POP3 server signing off");
	s->cfg.implementation = cfg->implementation ? own(s, 3, cfg->implementation, NULL) : NULL;
	s->lr = line_reader_new(POP3_CMD_LINE_MAX, POP3_READER_BUFFER);
	if (!s->cfg.hostname || !s->cfg.greeting || !s->cfg.quit_text ||
	    (cfg->implementation && !s->cfg.implementation) || !s->lr) {
		pop3_server_free(&s);
		return NULL;
	}
	/* RFC 1939 section 4: the greeting; section 7: with APOP, a
	 * timestamp "<process-ID.clock@hostname>" unique to this session.
	 * Its host part is the hostname with every octet outside what a
	 * msg-id allows dropped, so the timestamp stays one token. */
	if (s->cfg.apop) {
		size_t o = (size_t)snprintf(s->timestamp, sizeof s->timestamp, "<%u.%llu@", (unsigned)s->cfg.pid,
					    (unsigned long long)s->cfg.clock);
		for (const char *p = s->cfg.hostname; *p && o + 2 < sizeof s->timestamp; p++)
			if ((unsigned char)*p > 32 && (unsigned char)*p < 127 && *p != '<' && *p != '>')
				s->timestamp[o++] = *p;
		s->timestamp[o++] = '>';
		s->timestamp[o] = 0;
	}
	char text[POP3_RESP_TEXT_MAX];
	pop3_server_expand(s, s->cfg.greeting, text, 360);
	s->state = POP3_SERVER_AUTHORIZATION;
	if (s->cfg.apop)
		pop3_server_ok(s, "%s %s", text, s->timestamp);
	else
		pop3_server_ok(s, "%s", text);
	return s;
}

void pop3_server_free(struct pop3_server **sp)
{
	if (!sp || !*sp)
		return;
	struct pop3_server *s = *sp;
	pop3_server_release(s); /* no UPDATE: nothing is removed */
	free(s->msgs);
	free(s->in);
	free(s->out);
	line_reader_free(&s->lr);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
	free(s);
	*sp = NULL;
}

void pop3_server_timeout(struct pop3_server *s)
{
	if (s->state == POP3_SERVER_CLOSED)
		return;
	/* RFC 1939 section 3: "the server should close the TCP connection
	 * without removing any messages or sending any response". */
	pop3_server_close_session(s);
}

unsigned pop3_server_rfc_timeout(const struct pop3_server *s)
{
	(void)s;
	return 10 * 60;
}

enum pop3_server_state pop3_server_state(const struct pop3_server *s) { return s->state; }
int pop3_server_should_close(const struct pop3_server *s) { return s->closing; }
const char *pop3_server_timestamp(const struct pop3_server *s) { return s->timestamp; }
const char *pop3_server_user(const struct pop3_server *s) { return s->login; }

/* The SMTP server engine's session: output buffer, reply formatting, the
 * state setter, the input loop and the life cycle. The protocol itself (the
 * command table and its handlers) is in smtp_server_cmd.c. See
 * smtp_server.h for the contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/smtp_server_internal.h"

static const char *const state_names[] = {
	[SMTP_SERVER_INIT] = "INIT",
	[SMTP_SERVER_READY] = "READY",
	[SMTP_SERVER_MAIL] = "MAIL",
	[SMTP_SERVER_RCPT] = "RCPT",
	[SMTP_SERVER_DATA] = "DATA",
	[SMTP_SERVER_TLS_HANDSHAKE] = "TLS_HANDSHAKE",
	[SMTP_SERVER_TURNED] = "TURNED",
	[SMTP_SERVER_CLOSED] = "CLOSED",
};

const char *smtp_server_state_name(enum smtp_server_state st)
{
	if ((unsigned)st < sizeof state_names / sizeof state_names[0] && state_names[st])
		return state_names[st];
	return "?";
}

/* The ONLY way to change state, so the host sees every transition. */
void smtp_server_set_state(struct smtp_server *s, enum smtp_server_state to)
{
	enum smtp_server_state from = s->state;
	if (from == to)
		return;
	s->state = to;
	if (s->host.state_changed)
		s->host.state_changed(s->host.ctx, from, to);
}

/* ---- output ---------------------------------------------------------- */

static int out_reserve(struct smtp_server *s, size_t more)
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
	while (cap < s->out_len + more)
		cap *= 2;
	uint8_t *p = realloc(s->out, cap);
	if (!p)
		return -1;
	s->out = p;
	s->out_cap = cap;
	return 0;
}

/* Appends one reply line; on ENOMEM the line is lost and the session
 * closed, as a server that cannot answer must not go on. */
static void out_line(struct smtp_server *s, const char *line, size_t len)
{
	if (out_reserve(s, len + 2) < 0) {
		s->closing = 1;
		return;
	}
	memcpy(s->out + s->out_len, line, len);
	s->out[s->out_len + len] = '\r';
	s->out[s->out_len + len + 1] = '\n';
	s->out_len += len + 2;
	if (s->host.trace)
		s->host.trace(s->host.ctx, 1, line, len);
}

const uint8_t *smtp_server_output(const struct smtp_server *s, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = s->out_len - s->out_start;
	return s->out ? s->out + s->out_start : empty; /* never NULL, even when empty */
}

void smtp_server_consume(struct smtp_server *s, size_t n)
{
	size_t have = s->out_len - s->out_start;
	s->out_start += n < have ? n : have;
	if (s->out_start == s->out_len)
		s->out_start = s->out_len = 0;
}

/* ---- replies --------------------------------------------------------- */

/* Appends src to out[*o..cap) turning every control octet into a space;
 * keep_lf keeps LF as the line separator of a multi-line reply. */
static void put_clean(char *out, size_t *o, size_t cap, const char *src, int keep_lf)
{
	for (; src && *src && *o + 1 < cap; src++) {
		unsigned char c = (unsigned char)*src;
		if (c == '\n' && keep_lf)
			out[(*o)++] = '\n';
		else
			out[(*o)++] = (c < 32 || c == 127) ? ' ' : (char)c;
	}
	out[*o] = 0;
}

void smtp_server_expand(const struct smtp_server *s, const char *tmpl, const char *arg, const char *qid, char *out,
		   size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (const char *p = tmpl; p && *p && o + 1 < cap; p++) {
		if (*p != '%' || !p[1]) {
			char one[2] = {*p, 0};
			put_clean(out, &o, cap, one, 1);
			continue;
		}
		const char *v = NULL;
		switch (p[1]) {
		case 'h': v = s->cfg.hostname; break;
		case 'c': v = s->helo; break;
		case 'a': v = s->client_addr; break;
		case 'r': v = s->client_rname; break;
		case 'd': v = arg ? arg : ""; break;
		case 'q': v = qid ? qid : ""; break;
		case '%': v = "%"; break;
		default: {
			char two[3] = {p[0], p[1], 0};
			put_clean(out, &o, cap, two, 1);
			p++;
			continue;
		}
		}
		put_clean(out, &o, cap, v, 0);
		p++;
	}
}

static int use_enhanced(const struct smtp_server *s, int code)
{
	int cls = code / 100;
	return s->esmtp && (s->cfg.extensions & SMTP_EXT_ENHANCEDSTATUSCODES) && (cls == 2 || cls == 4 || cls == 5);
}

/* Queues a reply: code, an RFC 3463 code when negotiated, and the
 * expanded text, one "code-" line per LF in it and "code " on the last. */
void smtp_server_reply_ex(struct smtp_server *s, int code, const char *enhanced, const char *tmpl, const char *arg,
		     const char *qid)
{
	if ((code >= 500 && code <= 504) || code == 555)
		s->errors++;
	char text[EXPAND_MAX];
	smtp_server_expand(s, tmpl, arg, qid, text, sizeof text);
	const char *enh = use_enhanced(s, code) && enhanced && *enhanced ? enhanced : NULL;
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > REPLY_TEXT_MAX)
			n = REPLY_TEXT_MAX;
		char line[REPLY_TEXT_MAX + 32];
		int k = snprintf(line, sizeof line, "%03d%c%s%s%.*s", code, nl ? '-' : ' ', enh ? enh : "",
				 enh ? " " : "", (int)n, p);
		out_line(s, line, (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void smtp_server_reply(struct smtp_server *s, int code, const char *enhanced, const char *tmpl)
{
	smtp_server_reply_ex(s, code, enhanced, tmpl, NULL, NULL);
}

/* The RFC 3463 code for a reply the host chose without one. */
static const char *default_enhanced(int code, const char *verb)
{
	int rcpt = verb && (strcmp(verb, "RCPT") == 0 || strcmp(verb, "VRFY") == 0);
	switch (code) {
	case 250: return rcpt ? "2.1.5" : verb && strcmp(verb, "MAIL") == 0 ? "2.1.0" : "2.0.0";
	case 251: return "2.1.5";
	case 450: return "4.2.0";
	case 451: return "4.3.0";
	case 452: return "4.3.1";
	case 454: return "4.7.0";
	case 550: return rcpt ? "5.1.1" : "5.7.1";
	case 551: return "5.1.6";
	case 552: return "5.3.4";
	case 553: return "5.1.3";
	case 554: return rcpt ? "5.7.1" : "5.6.0";
	}
	switch (code / 100) {
	case 2: return "2.0.0";
	case 4: return "4.0.0";
	case 5: return "5.0.0";
	}
	return NULL;
}

/* RFC 5321 4.2.2-4.2.3's texts, for a code a host chose without one. */
static const char *default_text(int code)
{
	switch (code) {
	case 251: return "User not local; will forward";
	case 252: return "Cannot VRFY user, but will accept message and attempt delivery";
	case 421: return "%h Service not available, closing transmission channel";
	case 450: return "Requested mail action not taken: mailbox unavailable";
	case 451: return "Requested action aborted: local error in processing";
	case 452: return "Requested action not taken: insufficient system storage";
	case 550: return "Requested action not taken: mailbox unavailable";
	case 551: return "User not local";
	case 552: return "Requested mail action aborted: exceeded storage allocation";
	case 553: return "Requested action not taken: mailbox name not allowed";
	case 554: return "Transaction failed";
	}
	return code / 100 == 2 ? "OK" : "Requested action not taken";
}

/* class "." 1*3digit "." 1*3digit (RFC 3463 section 2), class matching
 * the reply code's first digit. */
static int enhanced_valid(const char *e, int code)
{
	if (e[0] != '0' + code / 100 || e[1] != '.')
		return 0;
	const char *p = e + 2;
	for (int part = 0; part < 2; part++) {
		int d = 0;
		while (*p >= '0' && *p <= '9' && d < 4)
			p++, d++;
		if (d == 0 || d > 3)
			return 0;
		if (part == 0 && *p++ != '.')
			return 0;
	}
	return *p == 0;
}

/* Sends the reply a host callback settled on; proposed is what it saw. */
void smtp_server_host_reply(struct smtp_server *s, const struct smtp_reply *proposed, const struct smtp_reply *got,
		       const char *verb, const char *arg)
{
	int code = got->code >= 200 && got->code <= 599 ? got->code : proposed->code;
	const char *enh = got->enhanced;
	if (enh && !enhanced_valid(enh, code))
		enh = NULL; /* never let a host string break the reply line */
	if (!enh)
		enh = code == proposed->code ? proposed->enhanced : default_enhanced(code, verb);
	const char *text = got->text ? got->text : proposed->text;
	if (code != proposed->code && !got->text)
		text = default_text(code);
	smtp_server_reply_ex(s, code, enh, text, arg, got->queue_id);
}

/* ---- the transaction ------------------------------------------------- */

void smtp_server_reset_transaction(struct smtp_server *s)
{
	for (size_t i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	s->nrcpts = 0;
	s->reverse_path[0] = 0;
	s->declared_size = 0;
	s->body = SMTP_BODY_UNSPECIFIED;
	s->data_len = 0;
	s->data_total = 0;
	s->data_long_line = 0;
}

void smtp_server_envelope(const struct smtp_server *s, struct smtp_envelope *env)
{
	env->client_addr = s->client_addr;
	env->client_rname = s->client_rname;
	env->helo = s->helo;
	env->esmtp = s->esmtp;
	env->encrypted = s->encrypted;
	env->reverse_path = s->reverse_path;
	env->declared_size = s->declared_size;
	env->body = s->body;
	env->rcpts = (const char *const *)s->rcpts;
	env->nrcpts = s->nrcpts;
}

void smtp_server_close_session(struct smtp_server *s)
{
	s->closing = 1;
	smtp_server_set_state(s, SMTP_SERVER_CLOSED);
}


static int input_dropped(const struct smtp_server *s)
{
	return s->state == SMTP_SERVER_CLOSED || s->state == SMTP_SERVER_TURNED ||
	       s->state == SMTP_SERVER_TLS_HANDSHAKE || s->closing;
}

static void handle_event(struct smtp_server *s, const struct line_event *ev)
{
	switch (ev->type) {
	case LINE_EV_LINE:
		smtp_server_command_line(s, ev);
		break;
	case LINE_EV_TOO_LONG:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, "(line too long)", 15);
		smtp_server_reply(s, 500, "5.5.2", "Line too long");
		break;
	case LINE_EV_DATA:
		smtp_server_data_piece(s, ev);
		break;
	case LINE_EV_DATA_END:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, ".", 1);
		smtp_server_data_end(s);
		break;
	default:
		break; /* literals are not SMTP */
	}
	if (s->cfg.max_errors && s->errors >= s->cfg.max_errors && s->state != SMTP_SERVER_CLOSED) {
		smtp_server_reply(s, 421, "4.7.0", "%h Error: too many errors");
		smtp_server_close_session(s);
	}
}

size_t smtp_server_feed(struct smtp_server *s, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	size_t off = 0;
	while (off < len && !input_dropped(s)) {
		size_t took = line_reader_feed(s->lr, p + off, len - off);
		off += took;
		struct line_event ev;
		int events = 0;
		while (!input_dropped(s) && line_reader_next(s->lr, &ev) > 0) {
			handle_event(s, &ev);
			events++;
			if (s->out_len - s->out_start > OUTPUT_HARD_CAP) {
				/* A client that pipelines without ever reading
				 * would make us hold its replies forever. */
				smtp_server_reply(s, 421, "4.7.0", "%h Error: too many unread replies, closing");
				smtp_server_close_session(s);
			}
		}
		if (took == 0 && events == 0)
			break; /* cannot happen with a sane reader; never spin */
	}
	if (input_dropped(s))
		line_reader_discard(s->lr);
	return len;
}

/* ---- life cycle ------------------------------------------------------ */

void smtp_server_config_init(struct smtp_server_config *cfg, const char *hostname)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hostname = hostname;
	cfg->extensions = SMTP_EXT_ALL & ~(unsigned)SMTP_EXT_VRFY;
	cfg->max_message_size = 10 * 1024 * 1024;
	cfg->max_recipients = 100;
}

static const char *own(struct smtp_server *s, size_t slot, const char *v, const char *def)
{
	const char *src = v ? v : def;
	size_t n = strlen(src);
	char *c = malloc(n + 1);
	if (!c)
		return NULL;
	memcpy(c, src, n + 1);
	s->owned[slot] = c;
	return c;
}

static void copy_name(char *dst, size_t cap, const char *src, const char *def)
{
	size_t o = 0;
	put_clean(dst, &o, cap, src ? src : def, 0);
}

struct smtp_server *smtp_server_new(const struct smtp_server_config *cfg, const struct smtp_server_host *host,
				    const char *client_addr, const char *client_rname)
{
	if (!cfg || !cfg->hostname)
		return NULL;
	struct smtp_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.max_message_size == 0)
		s->cfg.max_message_size = 10 * 1024 * 1024;
	if (host)
		s->host = *host;
	if (s->cfg.max_recipients == 0)
		s->cfg.max_recipients = 100;
	const char **fields[] = {&s->cfg.hostname, &s->cfg.greeting, &s->cfg.helo_text, &s->cfg.ehlo_text,
				 &s->cfg.mail_ok_text, &s->cfg.rcpt_ok_text, &s->cfg.data_text, &s->cfg.queued_text,
				 &s->cfg.quit_text, &s->cfg.timeout_text};
	const char *defaults[] = {"", "%h ESMTP", "%h", "%h greets %c", "OK", "OK",
				  "Start mail input; end with <CRLF>.<CRLF>", "OK",
				  "%h Service closing transmission channel", "%h Error: timeout exceeded"};
	int bad = 0;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		*fields[i] = own(s, i, *fields[i], defaults[i]);
		if (!*fields[i])
			bad = 1;
	}
	s->lr = line_reader_new(TEXT_LINE_MAX, READER_BUFFER);
	if (bad || !s->lr) {
		smtp_server_free(&s);
		return NULL;
	}
	copy_name(s->client_addr, sizeof s->client_addr, client_addr, "unknown");
	copy_name(s->client_rname, sizeof s->client_rname, client_rname, "unknown");
	s->state = SMTP_SERVER_INIT;
	smtp_server_reply(s, 220, NULL, s->cfg.greeting);
	return s;
}

void smtp_server_free(struct smtp_server **sp)
{
	if (!sp || !*sp)
		return;
	struct smtp_server *s = *sp;
	smtp_server_reset_transaction(s);
	free(s->rcpts);
	free(s->data);
	free(s->out);
	line_reader_free(&s->lr);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
	free(s);
	*sp = NULL;
}

void smtp_server_timeout(struct smtp_server *s)
{
	if (s->state == SMTP_SERVER_CLOSED)
		return;
	smtp_server_reply(s, 421, "4.4.2", s->cfg.timeout_text);
	smtp_server_close_session(s);
}

void smtp_server_shutdown(struct smtp_server *s, const char *text)
{
	if (s->state == SMTP_SERVER_CLOSED)
		return;
	smtp_server_reply(s, 421, "4.3.2", text ? text : "%h Service not available, closing transmission channel");
	smtp_server_close_session(s);
}

void smtp_server_tls_established(struct smtp_server *s)
{
	if (s->state != SMTP_SERVER_TLS_HANDSHAKE)
		return;
	line_reader_discard(s->lr);
	line_reader_set_mode(s->lr, LINE_MODE_TEXT, 0);
	smtp_server_reset_transaction(s);
	s->helo[0] = 0;
	s->esmtp = 0;
	s->encrypted = 1;
	smtp_server_set_state(s, SMTP_SERVER_INIT);
}

uint8_t *smtp_server_take_data(struct smtp_server *s, size_t *len_r)
{
	*len_r = 0;
	if (!s->in_message_cb || !s->data)
		return NULL;
	uint8_t *d = s->data;
	*len_r = s->data_len;
	s->data = NULL;
	s->data_cap = 0;
	s->data_len = 0;
	return d;
}

void smtp_server_set_client_rname(struct smtp_server *s, const char *rname)
{
	copy_name(s->client_rname, sizeof s->client_rname, rname, "unknown");
}

unsigned smtp_server_rfc_timeout(const struct smtp_server *s)
{
	(void)s;
	return 5 * 60;
}

enum smtp_server_state smtp_server_state(const struct smtp_server *s) { return s->state; }
int smtp_server_tls_pending(const struct smtp_server *s) { return s->state == SMTP_SERVER_TLS_HANDSHAKE; }
int smtp_server_encrypted(const struct smtp_server *s) { return s->encrypted; }
int smtp_server_should_close(const struct smtp_server *s) { return s->closing; }

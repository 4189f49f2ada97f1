/* The SMTP server engine; see smtp_server.h for the contract. The command
 * table below is the protocol: one row per verb with the states it is
 * allowed in and its handler, smtp_cmd_<verb>(), headed by its grammar.
 * State changes go only through set_state(). */
#include "protocols/smtp_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/line.h"
#include "protocols/smtp_path.h"

#define CMD_LINE_MAX 510    /* 512 with CRLF (4.5.3.1.4) */
#define TEXT_LINE_MAX 998   /* 1000 with CRLF (4.5.3.1.6) */
#define READER_BUFFER 4096
#define OUTPUT_SOFT_CAP 65536
#define REPLY_TEXT_MAX 400  /* per reply line, before code and CRLF */
#define EXPAND_MAX 4096
#define NAME_MAX_LEN 255

struct smtp_server {
	struct smtp_server_config cfg; /* strings point at owned copies */
	char *owned[10];
	struct smtp_server_host host;
	struct line_reader *lr;
	enum smtp_server_state state;
	char client_addr[64];
	char client_rname[NAME_MAX_LEN + 1];
	char helo[NAME_MAX_LEN + 1];
	int esmtp, encrypted, closing;

	/* the mail transaction */
	char reverse_path[SMTP_PATH_MAX + 1];
	uint64_t declared_size;
	enum smtp_body_type body;
	char **rcpts;
	size_t nrcpts, rcpt_cap;

	/* the message being received */
	uint8_t *data;
	size_t data_len, data_cap;
	uint64_t data_total;
	int data_long_line;
	int in_message_cb; /* smtp_server_take_data is allowed */

	/* replies not yet taken by the host: out[out_start, out_len) */
	uint8_t *out;
	size_t out_start, out_len, out_cap;
};

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
static void set_state(struct smtp_server *s, enum smtp_server_state to)
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

static void expand(const struct smtp_server *s, const char *tmpl, const char *arg, const char *qid, char *out,
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
static void reply_ex(struct smtp_server *s, int code, const char *enhanced, const char *tmpl, const char *arg,
		     const char *qid)
{
	char text[EXPAND_MAX];
	expand(s, tmpl, arg, qid, text, sizeof text);
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

static void reply(struct smtp_server *s, int code, const char *enhanced, const char *tmpl)
{
	reply_ex(s, code, enhanced, tmpl, NULL, NULL);
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

/* Sends the reply a host callback settled on; proposed is what it saw. */
static void host_reply(struct smtp_server *s, const struct smtp_reply *proposed, const struct smtp_reply *got,
		       const char *verb, const char *arg)
{
	int code = got->code >= 200 && got->code <= 599 ? got->code : proposed->code;
	const char *enh = got->enhanced;
	if (!enh)
		enh = code == proposed->code ? proposed->enhanced : default_enhanced(code, verb);
	const char *text = got->text ? got->text : proposed->text;
	if (code != proposed->code && !got->text)
		text = code / 100 == 2 ? "OK" : "Requested action not taken";
	reply_ex(s, code, enh, text, arg, got->queue_id);
}

/* ---- the transaction ------------------------------------------------- */

static void reset_transaction(struct smtp_server *s)
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

static void envelope(const struct smtp_server *s, struct smtp_envelope *env)
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

static void close_session(struct smtp_server *s)
{
	s->closing = 1;
	set_state(s, SMTP_SERVER_CLOSED);
}

/* ---- commands -------------------------------------------------------- */

struct smtp_command;
typedef void smtp_cmd_fn(struct smtp_server *s, const struct smtp_command *cmd, char *arg);

#define ST(x) (1u << SMTP_SERVER_##x)
#define ST_SESSION (ST(INIT) | ST(READY) | ST(MAIL) | ST(RCPT))
#define ST_HELLOED (ST(READY) | ST(MAIL) | ST(RCPT))

struct smtp_command {
	const char *verb;
	unsigned states; /* where it is allowed; elsewhere 503 */
	smtp_cmd_fn *fn;
	const char *syntax; /* for HELP <verb> and 501 replies */
};

static smtp_cmd_fn smtp_cmd_helo, smtp_cmd_ehlo, smtp_cmd_mail, smtp_cmd_rcpt, smtp_cmd_data, smtp_cmd_rset,
	smtp_cmd_noop, smtp_cmd_vrfy, smtp_cmd_expn, smtp_cmd_help, smtp_cmd_quit, smtp_cmd_etrn, smtp_cmd_turn,
	smtp_cmd_starttls;

static const struct smtp_command commands[] = {
	{"HELO", ST_SESSION, smtp_cmd_helo, "HELO <hostname>"},
	{"EHLO", ST_SESSION, smtp_cmd_ehlo, "EHLO <hostname>"},
	{"MAIL", ST(READY), smtp_cmd_mail, "MAIL FROM:<address> [SIZE=<n>] [BODY=7BIT|8BITMIME]"},
	{"RCPT", ST(MAIL) | ST(RCPT), smtp_cmd_rcpt, "RCPT TO:<address>"},
	{"DATA", ST(MAIL) | ST(RCPT), smtp_cmd_data, "DATA"},
	{"RSET", ST_SESSION, smtp_cmd_rset, "RSET"},
	{"NOOP", ST_SESSION, smtp_cmd_noop, "NOOP [<string>]"},
	{"VRFY", ST_SESSION, smtp_cmd_vrfy, "VRFY <user>"},
	{"EXPN", ST_SESSION, smtp_cmd_expn, "EXPN <list>"},
	{"HELP", ST_SESSION, smtp_cmd_help, "HELP [<command>]"},
	{"QUIT", ST_SESSION, smtp_cmd_quit, "QUIT"},
	{"ETRN", ST(READY), smtp_cmd_etrn, "ETRN <domain> | ETRN @<domain> | ETRN #<queue>"},
	{"TURN", ST(READY), smtp_cmd_turn, "TURN"},
	{"STARTTLS", ST(READY), smtp_cmd_starttls, "STARTTLS"},
};

static void syntax_error(struct smtp_server *s, const struct smtp_command *cmd)
{
	char text[128];
	snprintf(text, sizeof text, "Syntax: %s", cmd->syntax);
	reply(s, 501, "5.5.4", text);
}

/* Why cmd is not allowed now (the 503 text). */
static const char *sequence_text(const struct smtp_server *s, const struct smtp_command *cmd)
{
	if (s->state == SMTP_SERVER_INIT)
		return "Error: send HELO/EHLO first";
	if (cmd->fn == smtp_cmd_mail)
		return "Error: nested MAIL command";
	if (cmd->fn == smtp_cmd_rcpt || cmd->fn == smtp_cmd_data)
		return "Error: need MAIL command";
	if (s->state == SMTP_SERVER_MAIL || s->state == SMTP_SERVER_RCPT)
		return "Error: MAIL transaction in progress";
	return "Bad sequence of commands";
}

/* Shared by HELO and EHLO: Domain / address-literal, taken leniently (any
 * printable word) since 4.1.4 forbids refusing a name that fails checks. */
static int hello_common(struct smtp_server *s, const struct smtp_command *cmd, char *arg, int esmtp)
{
	size_t n = strlen(arg);
	if (n == 0 || n > NAME_MAX_LEN || strchr(arg, ' ')) {
		syntax_error(s, cmd);
		return -1;
	}
	reset_transaction(s);
	memcpy(s->helo, arg, n + 1);
	s->esmtp = esmtp;
	if (s->host.hello)
		s->host.hello(s->host.ctx, s->helo, esmtp);
	return 0;
}

/* helo = "HELO" SP Domain CRLF */
static void smtp_cmd_helo(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (hello_common(s, cmd, arg, 0) < 0)
		return;
	reply(s, 250, NULL, s->cfg.helo_text);
	set_state(s, SMTP_SERVER_READY);
}

static int tls_offered(const struct smtp_server *s)
{
	return (s->cfg.extensions & SMTP_EXT_STARTTLS) && !s->encrypted && s->host.starttls &&
	       s->host.starttls(s->host.ctx);
}

/* ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
 * ehlo-ok-rsp = "250" SP Domain [ SP ehlo-greet ] CRLF
 *             / "250-" Domain [ SP ehlo-greet ] CRLF
 *               *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF */
static void smtp_cmd_ehlo(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (hello_common(s, cmd, arg, 1) < 0)
		return;
	char text[EXPAND_MAX];
	expand(s, s->cfg.ehlo_text, NULL, NULL, text, sizeof text);
	/* The first line is a template already expanded: protect its '%'. */
	char lines[EXPAND_MAX + 256];
	size_t o = 0;
	for (const char *p = text; *p && o + 2 < EXPAND_MAX; p++) {
		if (*p == '\n')
			continue;
		if (*p == '%')
			lines[o++] = '%';
		lines[o++] = *p;
	}
	lines[o] = 0;
	unsigned x = s->cfg.extensions;
	char size_kw[40];
	snprintf(size_kw, sizeof size_kw, "SIZE %llu", (unsigned long long)s->cfg.max_message_size);
	const char *kw[9];
	size_t nkw = 0;
	/* RFC 5321 D.1's order first (8BITMIME, SIZE, ..., VRFY, HELP). */
	if (x & SMTP_EXT_PIPELINING)
		kw[nkw++] = "PIPELINING";
	if (x & SMTP_EXT_8BITMIME)
		kw[nkw++] = "8BITMIME";
	if (x & SMTP_EXT_SIZE)
		kw[nkw++] = size_kw;
	if (x & SMTP_EXT_ENHANCEDSTATUSCODES)
		kw[nkw++] = "ENHANCEDSTATUSCODES";
	if (x & SMTP_EXT_ETRN)
		kw[nkw++] = "ETRN";
	if (tls_offered(s))
		kw[nkw++] = "STARTTLS";
	if (x & SMTP_EXT_VRFY)
		kw[nkw++] = "VRFY";
	if (x & SMTP_EXT_HELP)
		kw[nkw++] = "HELP";
	for (size_t i = 0; i < nkw; i++)
		o += (size_t)snprintf(lines + o, sizeof lines - o, "\n%s", kw[i]);
	reply(s, 250, NULL, lines);
	set_state(s, SMTP_SERVER_READY);
}

/* Splits "FROM:" / "TO:" off arg; returns what follows (spaces skipped, as
 * many clients, and the class note's telnet session, put one there). */
static char *after_keyword(char *arg, const char *kw)
{
	size_t k = strlen(kw);
	if (strncasecmp(arg, kw, k) != 0)
		return NULL;
	arg += k;
	while (*arg == ' ')
		arg++;
	return arg;
}

/* esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 * esmtp-value = 1*(%d33-60 / %d62-126) */
static int next_param(char **p, char **kw_r, char **val_r)
{
	while (**p == ' ')
		(*p)++;
	if (!**p)
		return 0;
	char *kw = *p;
	char *end = kw + strcspn(kw, " ");
	if (*end)
		*end++ = 0;
	*p = end;
	char *eq = strchr(kw, '=');
	*val_r = NULL;
	if (eq) {
		*eq = 0;
		*val_r = eq + 1;
		if (!**val_r)
			return -1;
		for (char *v = *val_r; *v; v++)
			if ((unsigned char)*v < 33 || (unsigned char)*v > 126 || *v == '=')
				return -1;
	}
	for (char *c = kw; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      (*c == '-' && c != kw)))
			return -1;
	*kw_r = kw;
	return kw[0] ? 1 : -1;
}

/* mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
 * Mail-parameters = esmtp-param *(SP esmtp-param)
 * size-param = "SIZE=" 1*20DIGIT                       (RFC 1870)
 * body-param = "BODY=" ("7BIT" / "8BITMIME")           (RFC 6152) */
static void smtp_cmd_mail(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	char *p = after_keyword(arg, "FROM:");
	if (!p) {
		syntax_error(s, cmd);
		return;
	}
	char path[SMTP_PATH_MAX + 1];
	int n = smtp_path_parse(p, strlen(p), SMTP_PATH_ALLOW_NULL, path, sizeof path);
	if (n < 0) {
		reply(s, 501, "5.1.7", n == SMTP_PATH_TOO_LONG ? "Path too long" : "Bad sender address syntax");
		return;
	}
	p += n;
	if (*p && *p != ' ') {
		reply(s, 501, "5.1.7", "Bad sender address syntax");
		return;
	}
	uint64_t size = 0;
	enum smtp_body_type body = SMTP_BODY_UNSPECIFIED;
	int seen_size = 0;
	char *kw, *val;
	int rc;
	while ((rc = next_param(&p, &kw, &val)) != 0) {
		if (rc < 0) {
			reply(s, 501, "5.5.4", "Syntax error in parameters");
			return;
		}
		if (s->esmtp && (s->cfg.extensions & SMTP_EXT_SIZE) && strcasecmp(kw, "SIZE") == 0) {
			size_t dl = val ? strspn(val, "0123456789") : 0;
			if (!val || dl == 0 || dl > 20 || val[dl] || seen_size) {
				reply(s, 501, "5.5.4", "Bad SIZE parameter");
				return;
			}
			seen_size = 1;
			size = 0;
			for (const char *d = val; *d; d++) {
				if (size > (UINT64_MAX - 9) / 10) {
					size = UINT64_MAX;
					break;
				}
				size = size * 10 + (uint64_t)(*d - '0');
			}
		} else if (s->esmtp && (s->cfg.extensions & SMTP_EXT_8BITMIME) && strcasecmp(kw, "BODY") == 0) {
			if (body != SMTP_BODY_UNSPECIFIED || !val) {
				reply(s, 501, "5.5.4", "Bad BODY parameter");
				return;
			}
			if (strcasecmp(val, "7BIT") == 0) {
				body = SMTP_BODY_7BIT;
			} else if (strcasecmp(val, "8BITMIME") == 0) {
				body = SMTP_BODY_8BITMIME;
			} else {
				reply(s, 501, "5.5.4", "Unsupported BODY type");
				return;
			}
		} else {
			reply(s, 555, "5.5.4", "MAIL FROM parameters not recognized or not implemented");
			return;
		}
	}
	if (size > s->cfg.max_message_size) {
		reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
		return;
	}
	reset_transaction(s);
	memcpy(s->reverse_path, path, strlen(path) + 1);
	s->declared_size = size;
	s->body = body;
	struct smtp_reply proposed = {250, "2.1.0", s->cfg.mail_ok_text, NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.mail) {
		struct smtp_envelope env;
		envelope(s, &env);
		s->host.mail(s->host.ctx, &env, &got);
	}
	host_reply(s, &proposed, &got, "MAIL", path);
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2)
		set_state(s, SMTP_SERVER_MAIL);
	else
		reset_transaction(s);
}

/* rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" /
 *        Forward-path ) [SP Rcpt-parameters] CRLF */
static void smtp_cmd_rcpt(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	char *p = after_keyword(arg, "TO:");
	if (!p) {
		syntax_error(s, cmd);
		return;
	}
	char path[SMTP_PATH_MAX + 1];
	int n = smtp_path_parse(p, strlen(p), SMTP_PATH_ALLOW_POSTMASTER, path, sizeof path);
	if (n < 0) {
		reply(s, 501, "5.1.3", n == SMTP_PATH_TOO_LONG ? "Path too long" : "Bad recipient address syntax");
		return;
	}
	p += n;
	char *kw, *val;
	int rc = *p && *p != ' ' ? -1 : next_param(&p, &kw, &val);
	if (rc < 0) {
		reply(s, 501, "5.5.4", "Syntax error in parameters");
		return;
	}
	if (rc > 0) {
		reply(s, 555, "5.5.4", "RCPT TO parameters not recognized or not implemented");
		return;
	}
	if (s->nrcpts >= s->cfg.max_recipients) {
		reply(s, 452, "4.5.3", "Too many recipients");
		return;
	}
	struct smtp_reply proposed = {250, "2.1.5", s->cfg.rcpt_ok_text, NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.rcpt) {
		struct smtp_envelope env;
		envelope(s, &env);
		s->host.rcpt(s->host.ctx, &env, path, &got);
	}
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2) {
		if (s->nrcpts == s->rcpt_cap) {
			size_t cap = s->rcpt_cap ? s->rcpt_cap * 2 : 8;
			char **r = realloc(s->rcpts, cap * sizeof *r);
			if (!r) {
				reply(s, 452, "4.3.1", "Insufficient system storage");
				return;
			}
			s->rcpts = r;
			s->rcpt_cap = cap;
		}
		char *copy = malloc(strlen(path) + 1);
		if (!copy) {
			reply(s, 452, "4.3.1", "Insufficient system storage");
			return;
		}
		memcpy(copy, path, strlen(path) + 1);
		s->rcpts[s->nrcpts++] = copy;
	}
	host_reply(s, &proposed, &got, "RCPT", path);
	if (code / 100 == 2)
		set_state(s, SMTP_SERVER_RCPT);
}

/* data = "DATA" CRLF */
static void smtp_cmd_data(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	if (s->nrcpts == 0) {
		/* 3.3 allows 503 or 554 here; RFC 2920 clients expect 554
		 * after a pipelined batch whose recipients all failed. */
		reply(s, 554, "5.5.1", "Error: no valid recipients");
		return;
	}
	reply(s, 354, NULL, s->cfg.data_text);
	s->data_len = 0;
	s->data_total = 0;
	s->data_long_line = 0;
	line_reader_set_mode(s->lr, LINE_MODE_DOT_DATA, 0);
	set_state(s, SMTP_SERVER_DATA);
}

static void data_piece(struct smtp_server *s, const struct line_event *ev)
{
	if (s->host.trace) {
		size_t n = ev->len;
		if (n >= 2 && ev->text[n - 2] == '\r' && ev->text[n - 1] == '\n')
			n -= 2;
		s->host.trace(s->host.ctx, 0, (const char *)ev->text, n);
	}
	if (ev->long_line)
		s->data_long_line = 1;
	s->data_total += ev->len;
	if (s->data_total > s->cfg.max_message_size)
		return; /* counted, not kept: 552 at the end */
	if (s->data_len + ev->len > s->data_cap) {
		size_t cap = s->data_cap ? s->data_cap : 4096;
		while (cap < s->data_len + ev->len)
			cap *= 2;
		uint8_t *d = realloc(s->data, cap);
		if (!d) {
			s->data_total = UINT64_MAX; /* answered as too big */
			return;
		}
		s->data = d;
		s->data_cap = cap;
	}
	memcpy(s->data + s->data_len, ev->text, ev->len);
	s->data_len += ev->len;
}

static void data_end(struct smtp_server *s)
{
	if (s->data_long_line) {
		reply(s, 500, "5.5.2", "Line too long");
	} else if (s->data_total > s->cfg.max_message_size) {
		reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
	} else {
		struct smtp_reply proposed = {250, "2.0.0", s->cfg.queued_text, NULL}, got = {0, NULL, NULL, NULL};
		if (s->host.message) {
			struct smtp_envelope env;
			envelope(s, &env);
			s->in_message_cb = 1;
			s->host.message(s->host.ctx, &env, s->data ? s->data : (const uint8_t *)"", s->data_len, &got);
			s->in_message_cb = 0;
		}
		host_reply(s, &proposed, &got, "DATA", NULL);
	}
	reset_transaction(s);
	set_state(s, SMTP_SERVER_READY);
}

/* rset = "RSET" CRLF */
static void smtp_cmd_rset(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	reset_transaction(s);
	reply(s, 250, "2.0.0", "OK");
	if (s->state != SMTP_SERVER_INIT)
		set_state(s, SMTP_SERVER_READY);
}

/* noop = "NOOP" [ SP String ] CRLF */
static void smtp_cmd_noop(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	(void)cmd;
	(void)arg;
	reply(s, 250, "2.0.0", "OK");
}

/* vrfy = "VRFY" SP String CRLF */
static void smtp_cmd_vrfy(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!*arg) {
		syntax_error(s, cmd);
		return;
	}
	struct smtp_reply proposed = {252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery",
				      NULL},
			  got = {0, NULL, NULL, NULL};
	if (s->host.vrfy)
		s->host.vrfy(s->host.ctx, arg, &got);
	host_reply(s, &proposed, &got, "VRFY", arg);
}

/* expn = "EXPN" SP String CRLF */
static void smtp_cmd_expn(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!*arg) {
		syntax_error(s, cmd);
		return;
	}
	struct smtp_reply proposed = {502, "5.5.1", "Command not implemented", NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.expn)
		s->host.expn(s->host.ctx, arg, &got);
	host_reply(s, &proposed, &got, "EXPN", arg);
}

/* help = "HELP" [ SP String ] CRLF */
static void smtp_cmd_help(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	(void)cmd;
	char text[512];
	size_t o = 0;
	if (!*arg) {
		o += (size_t)snprintf(text, sizeof text, "Commands:");
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			o += (size_t)snprintf(text + o, sizeof text - o, " %s", commands[i].verb);
		reply(s, 214, "2.0.0", text);
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcasecmp(arg, commands[i].verb) == 0) {
			reply(s, 214, "2.0.0", commands[i].syntax);
			return;
		}
	}
	reply(s, 504, "5.5.4", "HELP topic unknown");
}

/* quit = "QUIT" CRLF */
static void smtp_cmd_quit(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	reply(s, 221, "2.0.0", s->cfg.quit_text);
	close_session(s);
}

/* etrn = "ETRN" SP [ "@" / "#" ] node CRLF                 (RFC 1985) */
static void smtp_cmd_etrn(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!(s->cfg.extensions & SMTP_EXT_ETRN)) {
		reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	const char *node = arg[0] == '@' || arg[0] == '#' ? arg + 1 : arg;
	int ok = arg[0] == '#' ? *node && !strchr(node, ' ') : smtp_domain_valid(node, strlen(node));
	if (!ok) {
		syntax_error(s, cmd);
		return;
	}
	struct smtp_reply proposed = {250, "2.0.0", "Queuing for node %d started", NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.etrn) {
		s->host.etrn(s->host.ctx, arg, &got);
	} else {
		got.code = 458;
		got.text = "Unable to queue messages for node %d";
	}
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code != 250 && !got.text) {
		switch (code) {
		case 251: got.text = "OK, no messages waiting for node %d"; break;
		case 252: got.text = "OK, pending messages for node %d started"; break;
		case 253: got.text = "OK, pending messages for node %d started"; break;
		case 458: got.text = "Unable to queue messages for node %d"; break;
		case 459: got.text = "Node %d not allowed"; break;
		}
	}
	host_reply(s, &proposed, &got, "ETRN", node);
}

/* turn = "TURN" CRLF                                        (RFC 821) */
static void smtp_cmd_turn(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!s->cfg.turn_enabled || !s->host.turn) {
		reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	struct smtp_reply proposed = {250, "2.0.0", "OK", NULL}, got = {0, NULL, NULL, NULL};
	s->host.turn(s->host.ctx, &got);
	host_reply(s, &proposed, &got, "TURN", NULL);
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2)
		set_state(s, SMTP_SERVER_TURNED);
}

/* starttls = "STARTTLS" CRLF                               (RFC 3207) */
static void smtp_cmd_starttls(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	(void)cmd;
	if (!(s->cfg.extensions & SMTP_EXT_STARTTLS)) {
		reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	if (*arg) {
		reply(s, 501, "5.5.4", "Syntax error (no parameters allowed)");
		return;
	}
	if (s->encrypted) {
		reply(s, 503, "5.5.1", "Error: TLS already active");
		return;
	}
	if (!tls_offered(s)) {
		reply(s, 454, "4.7.0", "TLS not available due to temporary reason");
		return;
	}
	reply(s, 220, "2.0.0", "Ready to start TLS");
	set_state(s, SMTP_SERVER_TLS_HANDSHAKE);
}

/* ---- input ----------------------------------------------------------- */

static void command_line(struct smtp_server *s, const struct line_event *ev)
{
	if (s->host.trace)
		s->host.trace(s->host.ctx, 0, (const char *)ev->text, ev->len);
	if (ev->len > CMD_LINE_MAX) {
		reply(s, 500, "5.5.2", "Line too long");
		return;
	}
	if (ev->has_nul || ev->bare_cr || ev->bare_lf) {
		reply(s, 500, "5.5.2", "Syntax error: NUL, bare CR or bare LF in command");
		return;
	}
	char line[CMD_LINE_MAX + 1];
	memcpy(line, ev->text, ev->len);
	line[ev->len] = 0;
	size_t n = ev->len;
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = 0;
	size_t vlen = strcspn(line, " ");
	char *arg = line + vlen;
	while (*arg == ' ')
		arg++;
	const struct smtp_command *cmd = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strlen(commands[i].verb) == vlen && strncasecmp(line, commands[i].verb, vlen) == 0) {
			cmd = &commands[i];
			break;
		}
	}
	if (!cmd || (cmd->fn == smtp_cmd_ehlo && s->cfg.no_ehlo)) {
		reply(s, 500, "5.5.1", "Syntax error, command unrecognized");
		return;
	}
	if (!(cmd->states & (1u << s->state))) {
		reply(s, 503, "5.5.1", sequence_text(s, cmd));
		return;
	}
	cmd->fn(s, cmd, arg);
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
		command_line(s, ev);
		break;
	case LINE_EV_TOO_LONG:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, "(line too long)", 15);
		reply(s, 500, "5.5.2", "Line too long");
		break;
	case LINE_EV_DATA:
		data_piece(s, ev);
		break;
	case LINE_EV_DATA_END:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, ".", 1);
		data_end(s);
		break;
	default:
		break; /* literals are not SMTP */
	}
}

size_t smtp_server_feed(struct smtp_server *s, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	size_t off = 0;
	while (off < len) {
		if (input_dropped(s)) {
			line_reader_discard(s->lr);
			return len;
		}
		if (s->out_len - s->out_start > OUTPUT_SOFT_CAP)
			break;
		size_t took = line_reader_feed(s->lr, p + off, len - off);
		off += took;
		struct line_event ev;
		int events = 0;
		while (!input_dropped(s) && line_reader_next(s->lr, &ev) > 0) {
			handle_event(s, &ev);
			events++;
		}
		if (took == 0 && events == 0)
			break; /* cannot happen with a sane reader; never spin */
	}
	if (input_dropped(s)) {
		line_reader_discard(s->lr);
		return len;
	}
	return off;
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
	reply(s, 220, NULL, s->cfg.greeting);
	return s;
}

void smtp_server_free(struct smtp_server **sp)
{
	if (!sp || !*sp)
		return;
	struct smtp_server *s = *sp;
	reset_transaction(s);
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
	reply(s, 421, "4.4.2", s->cfg.timeout_text);
	close_session(s);
}

void smtp_server_shutdown(struct smtp_server *s, const char *text)
{
	if (s->state == SMTP_SERVER_CLOSED)
		return;
	reply(s, 421, "4.3.2", text ? text : "%h Service not available, closing transmission channel");
	close_session(s);
}

void smtp_server_tls_established(struct smtp_server *s)
{
	if (s->state != SMTP_SERVER_TLS_HANDSHAKE)
		return;
	line_reader_discard(s->lr);
	line_reader_set_mode(s->lr, LINE_MODE_TEXT, 0);
	reset_transaction(s);
	s->helo[0] = 0;
	s->esmtp = 0;
	s->encrypted = 1;
	set_state(s, SMTP_SERVER_INIT);
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

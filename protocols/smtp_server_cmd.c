/* The SMTP server's protocol: the command table reads like RFC 5321 (one
 * row per verb with the states it is allowed in and its handler,
 * smtp_cmd_<verb>(), headed by its grammar), and the DATA phase. Replies
 * and state changes go through smtp_server.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/smtp_server_internal.h"

/* ---- commands -------------------------------------------------------- */

struct smtp_command;
typedef void smtp_cmd_fn(struct smtp_server *s, const struct smtp_command *cmd, char *arg);

#define ST(x) (1u << SMTP_SERVER_##x)
#define ST_SESSION (ST(INIT) | ST(READY) | ST(MAIL) | ST(RCPT))

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
	smtp_server_reply(s, 501, "5.5.4", text);
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
	smtp_server_reset_transaction(s);
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
	smtp_server_reply(s, 250, NULL, s->cfg.helo_text);
	smtp_server_set_state(s, SMTP_SERVER_READY);
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
	smtp_server_expand(s, s->cfg.ehlo_text, NULL, NULL, text, sizeof text);
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
	smtp_server_reply(s, 250, NULL, lines);
	smtp_server_set_state(s, SMTP_SERVER_READY);
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
		smtp_server_reply(s, 501, "5.1.7", n == SMTP_PATH_TOO_LONG ? "Path too long" : "Bad sender address syntax");
		return;
	}
	p += n;
	if (*p && *p != ' ') {
		smtp_server_reply(s, 501, "5.1.7", "Bad sender address syntax");
		return;
	}
	uint64_t size = 0;
	enum smtp_body_type body = SMTP_BODY_UNSPECIFIED;
	int seen_size = 0;
	char *kw, *val;
	int rc;
	while ((rc = next_param(&p, &kw, &val)) != 0) {
		if (rc < 0) {
			smtp_server_reply(s, 501, "5.5.4", "Syntax error in parameters");
			return;
		}
		if (s->esmtp && (s->cfg.extensions & SMTP_EXT_SIZE) && strcasecmp(kw, "SIZE") == 0) {
			size_t dl = val ? strspn(val, "0123456789") : 0;
			if (!val || dl == 0 || dl > 20 || val[dl] || seen_size) {
				smtp_server_reply(s, 501, "5.5.4", "Bad SIZE parameter");
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
				smtp_server_reply(s, 501, "5.5.4", "Bad BODY parameter");
				return;
			}
			if (strcasecmp(val, "7BIT") == 0) {
				body = SMTP_BODY_7BIT;
			} else if (strcasecmp(val, "8BITMIME") == 0) {
				body = SMTP_BODY_8BITMIME;
			} else {
				smtp_server_reply(s, 501, "5.5.4", "Unsupported BODY type");
				return;
			}
		} else {
			smtp_server_reply(s, 555, "5.5.4", "MAIL FROM parameters not recognized or not implemented");
			return;
		}
	}
	if (size > s->cfg.max_message_size) {
		smtp_server_reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
		return;
	}
	smtp_server_reset_transaction(s);
	memcpy(s->reverse_path, path, strlen(path) + 1);
	s->declared_size = size;
	s->body = body;
	struct smtp_reply proposed = {250, "2.1.0", s->cfg.mail_ok_text, NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.mail) {
		struct smtp_envelope env;
		smtp_server_envelope(s, &env);
		s->host.mail(s->host.ctx, &env, &got);
	}
	smtp_server_host_reply(s, &proposed, &got, "MAIL", path);
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2)
		smtp_server_set_state(s, SMTP_SERVER_MAIL);
	else
		smtp_server_reset_transaction(s);
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
		smtp_server_reply(s, 501, "5.1.3", n == SMTP_PATH_TOO_LONG ? "Path too long" : "Bad recipient address syntax");
		return;
	}
	p += n;
	char *kw, *val;
	int rc = *p && *p != ' ' ? -1 : next_param(&p, &kw, &val);
	if (rc < 0) {
		smtp_server_reply(s, 501, "5.5.4", "Syntax error in parameters");
		return;
	}
	if (rc > 0) {
		smtp_server_reply(s, 555, "5.5.4", "RCPT TO parameters not recognized or not implemented");
		return;
	}
	if (s->nrcpts >= s->cfg.max_recipients) {
		smtp_server_reply(s, 452, "4.5.3", "Too many recipients");
		return;
	}
	struct smtp_reply proposed = {250, "2.1.5", s->cfg.rcpt_ok_text, NULL}, got = {0, NULL, NULL, NULL};
	if (s->host.rcpt) {
		struct smtp_envelope env;
		smtp_server_envelope(s, &env);
		s->host.rcpt(s->host.ctx, &env, path, &got);
	}
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2) {
		if (s->nrcpts == s->rcpt_cap) {
			size_t cap = s->rcpt_cap ? s->rcpt_cap * 2 : 8;
			char **r = realloc(s->rcpts, cap * sizeof *r);
			if (!r) {
				smtp_server_reply(s, 452, "4.3.1", "Insufficient system storage");
				return;
			}
			s->rcpts = r;
			s->rcpt_cap = cap;
		}
		char *copy = malloc(strlen(path) + 1);
		if (!copy) {
			smtp_server_reply(s, 452, "4.3.1", "Insufficient system storage");
			return;
		}
		memcpy(copy, path, strlen(path) + 1);
		s->rcpts[s->nrcpts++] = copy;
	}
	smtp_server_host_reply(s, &proposed, &got, "RCPT", path);
	if (code / 100 == 2)
		smtp_server_set_state(s, SMTP_SERVER_RCPT);
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
		smtp_server_reply(s, 554, "5.5.1", "Error: no valid recipients");
		return;
	}
	smtp_server_reply(s, 354, NULL, s->cfg.data_text);
	s->data_len = 0;
	s->data_total = 0;
	s->data_long_line = 0;
	line_reader_set_mode(s->lr, LINE_MODE_DOT_DATA, 0);
	smtp_server_set_state(s, SMTP_SERVER_DATA);
}

void smtp_server_data_piece(struct smtp_server *s, const struct line_event *ev)
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

void smtp_server_data_end(struct smtp_server *s)
{
	if (s->data_long_line) {
		smtp_server_reply(s, 500, "5.5.2", "Line too long");
	} else if (s->data_total > s->cfg.max_message_size) {
		smtp_server_reply(s, 552, "5.3.4", "Message size exceeds fixed maximum message size");
	} else {
		struct smtp_reply proposed = {250, "2.0.0", s->cfg.queued_text, NULL}, got = {0, NULL, NULL, NULL};
		if (s->host.message) {
			struct smtp_envelope env;
			smtp_server_envelope(s, &env);
			s->in_message_cb = 1;
			s->host.message(s->host.ctx, &env, s->data ? s->data : (const uint8_t *)"", s->data_len, &got);
			s->in_message_cb = 0;
		}
		smtp_server_host_reply(s, &proposed, &got, "DATA", NULL);
	}
	smtp_server_reset_transaction(s);
	smtp_server_set_state(s, SMTP_SERVER_READY);
}

/* rset = "RSET" CRLF */
static void smtp_cmd_rset(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	smtp_server_reset_transaction(s);
	smtp_server_reply(s, 250, "2.0.0", "OK");
	if (s->state != SMTP_SERVER_INIT)
		smtp_server_set_state(s, SMTP_SERVER_READY);
}

/* noop = "NOOP" [ SP String ] CRLF */
static void smtp_cmd_noop(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	(void)cmd;
	(void)arg;
	smtp_server_reply(s, 250, "2.0.0", "OK");
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
	smtp_server_host_reply(s, &proposed, &got, "VRFY", arg);
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
	smtp_server_host_reply(s, &proposed, &got, "EXPN", arg);
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
		smtp_server_reply(s, 214, "2.0.0", text);
		return;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcasecmp(arg, commands[i].verb) == 0) {
			smtp_server_reply(s, 214, "2.0.0", commands[i].syntax);
			return;
		}
	}
	smtp_server_reply(s, 504, "5.5.4", "HELP topic unknown");
}

/* quit = "QUIT" CRLF */
static void smtp_cmd_quit(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	smtp_server_reply(s, 221, "2.0.0", s->cfg.quit_text);
	smtp_server_close_session(s);
}

/* etrn = "ETRN" SP [ "@" / "#" ] node CRLF                 (RFC 1985) */
static void smtp_cmd_etrn(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!(s->cfg.extensions & SMTP_EXT_ETRN)) {
		smtp_server_reply(s, 502, "5.5.1", "Command not implemented");
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
	smtp_server_host_reply(s, &proposed, &got, "ETRN", node);
}

/* turn = "TURN" CRLF                                        (RFC 821) */
static void smtp_cmd_turn(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	if (!s->cfg.turn_enabled || !s->host.turn) {
		smtp_server_reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	if (*arg) {
		syntax_error(s, cmd);
		return;
	}
	struct smtp_reply proposed = {250, "2.0.0", "OK", NULL}, got = {0, NULL, NULL, NULL};
	s->host.turn(s->host.ctx, &got);
	smtp_server_host_reply(s, &proposed, &got, "TURN", NULL);
	int code = got.code >= 200 && got.code <= 599 ? got.code : 250;
	if (code / 100 == 2)
		smtp_server_set_state(s, SMTP_SERVER_TURNED);
}

/* starttls = "STARTTLS" CRLF                               (RFC 3207) */
static void smtp_cmd_starttls(struct smtp_server *s, const struct smtp_command *cmd, char *arg)
{
	(void)cmd;
	if (!(s->cfg.extensions & SMTP_EXT_STARTTLS)) {
		smtp_server_reply(s, 502, "5.5.1", "Command not implemented");
		return;
	}
	if (*arg) {
		smtp_server_reply(s, 501, "5.5.4", "Syntax error (no parameters allowed)");
		return;
	}
	if (s->encrypted) {
		smtp_server_reply(s, 503, "5.5.1", "Error: TLS already active");
		return;
	}
	if (!tls_offered(s)) {
		smtp_server_reply(s, 454, "4.7.0", "TLS not available due to temporary reason");
		return;
	}
	smtp_server_reply(s, 220, "2.0.0", "Ready to start TLS");
	smtp_server_set_state(s, SMTP_SERVER_TLS_HANDSHAKE);
}

/* ---- dispatch -------------------------------------------------------- */


void smtp_server_command_line(struct smtp_server *s, const struct line_event *ev)
{
	if (s->host.trace)
		s->host.trace(s->host.ctx, 0, (const char *)ev->text, ev->len);
	if (ev->len > CMD_LINE_MAX) {
		smtp_server_reply(s, 500, "5.5.2", "Line too long");
		return;
	}
	if (ev->has_nul || ev->bare_cr || ev->bare_lf) {
		smtp_server_reply(s, 500, "5.5.2", "Syntax error: NUL, bare CR or bare LF in command");
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
		smtp_server_reply(s, 500, "5.5.1", "Syntax error, command unrecognized");
		return;
	}
	if (!(cmd->states & (1u << s->state))) {
		smtp_server_reply(s, 503, "5.5.1", sequence_text(s, cmd));
		return;
	}
	cmd->fn(s, cmd, arg);
}

/* Replays an SMTP transcript file against the server engine (included by
 * test_smtp_server.c only). A transcript reads like the RFC's examples:
 *
 *   # a comment
 *   @greeting %h Simple Mail Transfer Service Ready   (server config)
 *   @rcpt Green@foo.com 550 No such user here          (host decisions)
 *   S: 220 foo.com Simple Mail Transfer Service Ready  (a server line)
 *   C: EHLO bar.com                                    (a client line + CRLF)
 *   R: \r\n.\n                                         (raw client bytes,
 *                                                       escapes \r \n \0 \\)
 *   T: handshake      the modelled TLS handshake completes
 *   X: timeout        the host's idle timer fires
 *   E: closed         the engine must ask to close by now (E: open: not;
 *                     E: turned: it gave up the server role after TURN)
 *   H: line           an expected line of the host log (HELO names, each
 *                     message's envelope and data lines, ETRN requests)
 *
 * Config keys: hostname greeting helo_text ehlo_text mail_ok_text
 * rcpt_ok_text data_text queued_text quit_text timeout_text client_addr
 * client_rname extensions (names, or "none") max_size max_recipients
 * max_errors
 * starttls (1: available) turn (a reply code; enables TURN) queue_id.
 * Host decisions: @rcpt ADDR CODE [X.Y.Z] [TEXT], @vrfy WHAT CODE ...,
 * @etrn CODE ..., @message CODE ... (the final reply to every message).
 *
 * Client bytes are fed in order, either a line at a time or one byte per
 * feed; after every block of client input, the server output so far must
 * equal the S: lines so far, so both content and interleaving are checked.
 * At the end, the host log must equal the H: lines. */
#ifndef TEST_SMTP_TRANSCRIPT_H
#define TEST_SMTP_TRANSCRIPT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/smtp_server.h"

#define TR_MAX_RULES 32

struct tr_rule {
	char key[128];
	struct smtp_reply reply;
	char enhanced[16];
	char text[256];
};

struct tr_host {
	struct tr_rule rcpt[TR_MAX_RULES], vrfy[TR_MAX_RULES];
	size_t nrcpt, nvrfy;
	struct tr_rule etrn, message, turn;
	int has_etrn, has_message, has_turn, starttls;
	char queue_id[64];
	char *log;
	size_t log_len, log_cap;
};

static void tr_log(struct tr_host *h, const char *fmt, const char *a, size_t alen)
{
	char line[1200];
	int n = snprintf(line, sizeof line, fmt, (int)alen, a);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (h->log_len + (size_t)n + 2 > h->log_cap) {
		h->log_cap = (h->log_cap + (size_t)n + 2) * 2;
		h->log = realloc(h->log, h->log_cap);
	}
	memcpy(h->log + h->log_len, line, (size_t)n);
	h->log_len += (size_t)n;
	h->log[h->log_len++] = '\n';
	h->log[h->log_len] = 0;
}

static void tr_apply(const struct tr_rule *r, struct smtp_reply *out)
{
	out->code = r->reply.code;
	out->enhanced = r->enhanced[0] ? r->enhanced : NULL;
	out->text = r->text[0] ? r->text : NULL;
}

static void tr_cb_hello(void *ctx, const char *name, int esmtp)
{
	tr_log(ctx, esmtp ? "ehlo %.*s" : "helo %.*s", name, strlen(name));
}

static void tr_cb_rcpt(void *ctx, const struct smtp_envelope *env, const char *rcpt, struct smtp_reply *reply)
{
	struct tr_host *h = ctx;
	(void)env;
	for (size_t i = 0; i < h->nrcpt; i++)
		if (strcasecmp(h->rcpt[i].key, rcpt) == 0)
			tr_apply(&h->rcpt[i], reply);
}

static void tr_cb_message(void *ctx, const struct smtp_envelope *env, const uint8_t *data, size_t len,
			  struct smtp_reply *reply)
{
	struct tr_host *h = ctx;
	char head[2048];
	size_t o = (size_t)snprintf(head, sizeof head, "message from <%s> to", env->reverse_path);
	for (size_t i = 0; i < env->nrcpts && o < sizeof head; i++)
		o += (size_t)snprintf(head + o, sizeof head - o, " <%s>", env->rcpts[i]);
	tr_log(h, "%.*s", head, strlen(head));
	/* one log line per CRLF-ended data line; bare CR, LF, NUL escaped */
	char esc[2400];
	size_t o2 = 0;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n') {
			tr_log(h, "| %.*s", esc, o2);
			o2 = 0;
			i++;
			continue;
		}
		if (o2 + 3 >= sizeof esc)
			continue;
		if (data[i] == '\r' || data[i] == '\n' || data[i] == 0) {
			esc[o2++] = '\\';
			esc[o2++] = data[i] == '\r' ? 'r' : data[i] == '\n' ? 'n' : '0';
		} else {
			esc[o2++] = (char)data[i];
		}
	}
	if (o2)
		tr_log(h, "| %.*s", esc, o2);
	if (h->has_message)
		tr_apply(&h->message, reply);
	if (h->queue_id[0])
		reply->queue_id = h->queue_id;
}

static void tr_cb_etrn(void *ctx, const char *node, struct smtp_reply *reply)
{
	struct tr_host *h = ctx;
	tr_log(h, "etrn %.*s", node, strlen(node));
	if (h->has_etrn)
		tr_apply(&h->etrn, reply);
}

static void tr_cb_vrfy(void *ctx, const char *what, struct smtp_reply *reply)
{
	struct tr_host *h = ctx;
	for (size_t i = 0; i < h->nvrfy; i++)
		if (strcasecmp(h->vrfy[i].key, what) == 0)
			tr_apply(&h->vrfy[i], reply);
}

static void tr_cb_turn(void *ctx, struct smtp_reply *reply)
{
	struct tr_host *h = ctx;
	tr_apply(&h->turn, reply);
}

static int tr_cb_starttls(void *ctx) { return ((struct tr_host *)ctx)->starttls; }

/* "CODE [X.Y.Z] [TEXT]" */
static int tr_parse_reply(const char *s, struct tr_rule *r)
{
	char *end;
	long code = strtol(s, &end, 10);
	if (end == s || code < 200 || code > 599)
		return -1;
	r->reply.code = (int)code;
	s = end;
	while (*s == ' ')
		s++;
	size_t w = strcspn(s, " ");
	int dots = 0;
	for (size_t i = 0; i < w; i++)
		dots += s[i] == '.';
	if (w > 0 && w < sizeof r->enhanced && dots == 2 && s[0] >= '2' && s[0] <= '5') {
		memcpy(r->enhanced, s, w);
		r->enhanced[w] = 0;
		s += w;
		while (*s == ' ')
			s++;
	}
	snprintf(r->text, sizeof r->text, "%s", s);
	return 0;
}

static unsigned tr_extensions(const char *v)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"PIPELINING", SMTP_EXT_PIPELINING}, {"SIZE", SMTP_EXT_SIZE},
		     {"8BITMIME", SMTP_EXT_8BITMIME},     {"ENHANCEDSTATUSCODES", SMTP_EXT_ENHANCEDSTATUSCODES},
		     {"ETRN", SMTP_EXT_ETRN},             {"STARTTLS", SMTP_EXT_STARTTLS},
		     {"VRFY", SMTP_EXT_VRFY},             {"HELP", SMTP_EXT_HELP}};
	unsigned x = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", v);
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcasecmp(tok, names[i].name) == 0)
				x |= names[i].bit;
	return x;
}

static size_t tr_unescape(const char *s, char *out)
{
	size_t o = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			out[o++] = *s;
			continue;
		}
		s++;
		out[o++] = *s == 'r' ? '\r' : *s == 'n' ? '\n' : *s == '0' ? '\0' : *s == 't' ? '\t' : *s;
	}
	return o;
}

struct tr_result {
	int ok;
	char why[1024];
};

static void tr_fail(struct tr_result *res, const char *file, int line, const char *fmt, const char *a)
{
	if (!res->ok)
		return;
	res->ok = 0;
	char msg[700];
	snprintf(msg, sizeof msg, fmt, a);
	snprintf(res->why, sizeof res->why, "%.200s:%d: %.700s", file, line, msg);
}

static void tr_drain(struct smtp_server *s, char **out, size_t *len, size_t *cap)
{
	size_t n;
	const uint8_t *p = smtp_server_output(s, &n);
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*out = realloc(*out, *cap);
	}
	memcpy(*out + *len, p, n);
	*len += n;
	(*out)[*len] = 0;
	smtp_server_consume(s, n);
}

static void tr_feed(struct smtp_server *s, const char *bytes, size_t n, int bytewise, char **out, size_t *len,
		    size_t *cap)
{
	size_t off = 0;
	while (off < n) {
		size_t step = bytewise ? 1 : n - off;
		off += smtp_server_feed(s, bytes + off, step);
		tr_drain(s, out, len, cap);
	}
}

/* Runs one transcript; returns 1 when it passes, else 0 with the reason. */
static int tr_run(const char *path, int bytewise, struct tr_result *res)
{
	res->ok = 1;
	res->why[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		tr_fail(res, path, 0, "cannot open%.300s", "");
		return 0;
	}
	struct smtp_server_config cfg;
	static char cfgstr[16][512];
	smtp_server_config_init(&cfg, "localhost");
	struct tr_host h;
	memset(&h, 0, sizeof h);
	struct smtp_server_host host = {.ctx = &h,
					.hello = tr_cb_hello,
					.rcpt = tr_cb_rcpt,
					.message = tr_cb_message,
					.etrn = tr_cb_etrn,
					.vrfy = tr_cb_vrfy,
					.starttls = tr_cb_starttls};
	char client_addr[64] = "192.0.2.1", client_rname[256] = "unknown";
	struct smtp_server *s = NULL;
	char *out = NULL, *want = NULL, *hwant = NULL;
	size_t out_len = 0, out_cap = 0, want_len = 0, want_cap = 0, hw_len = 0, hw_cap = 0;
	char line[4096], raw[4096];
	int lineno = 0, last_was_s = 0, nstr = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strcspn(line, "\r\n");
		line[n] = 0;
		if (line[0] == '#' || n == 0)
			continue;
		if (line[0] == '@') {
			char *val = line + 1 + strcspn(line + 1, " ");
			if (*val)
				*val++ = 0;
			const char *key = line + 1;
			const char **tmpl = NULL;
			if (strcmp(key, "hostname") == 0) tmpl = &cfg.hostname;
			else if (strcmp(key, "greeting") == 0) tmpl = &cfg.greeting;
			else if (strcmp(key, "helo_text") == 0) tmpl = &cfg.helo_text;
			else if (strcmp(key, "ehlo_text") == 0) tmpl = &cfg.ehlo_text;
			else if (strcmp(key, "mail_ok_text") == 0) tmpl = &cfg.mail_ok_text;
			else if (strcmp(key, "rcpt_ok_text") == 0) tmpl = &cfg.rcpt_ok_text;
			else if (strcmp(key, "data_text") == 0) tmpl = &cfg.data_text;
			else if (strcmp(key, "queued_text") == 0) tmpl = &cfg.queued_text;
			else if (strcmp(key, "quit_text") == 0) tmpl = &cfg.quit_text;
			else if (strcmp(key, "timeout_text") == 0) tmpl = &cfg.timeout_text;
			if (tmpl && nstr < 16) {
				snprintf(cfgstr[nstr], sizeof cfgstr[nstr], "%s", val);
				*tmpl = cfgstr[nstr++];
			} else if (strcmp(key, "client_addr") == 0) {
				snprintf(client_addr, sizeof client_addr, "%s", val);
			} else if (strcmp(key, "client_rname") == 0) {
				snprintf(client_rname, sizeof client_rname, "%s", val);
			} else if (strcmp(key, "extensions") == 0) {
				cfg.extensions = tr_extensions(val);
			} else if (strcmp(key, "max_size") == 0) {
				cfg.max_message_size = strtoull(val, NULL, 10);
			} else if (strcmp(key, "max_errors") == 0) {
				cfg.max_errors = (unsigned)strtoul(val, NULL, 10);
			} else if (strcmp(key, "max_recipients") == 0) {
				cfg.max_recipients = (unsigned)strtoul(val, NULL, 10);
			} else if (strcmp(key, "starttls") == 0) {
				h.starttls = atoi(val);
			} else if (strcmp(key, "queue_id") == 0) {
				snprintf(h.queue_id, sizeof h.queue_id, "%s", val);
			} else if (strcmp(key, "turn") == 0 && tr_parse_reply(val, &h.turn) == 0) {
				cfg.turn_enabled = 1;
				host.turn = tr_cb_turn;
			} else if (strcmp(key, "etrn") == 0 && tr_parse_reply(val, &h.etrn) == 0) {
				h.has_etrn = 1;
			} else if (strcmp(key, "message") == 0 && tr_parse_reply(val, &h.message) == 0) {
				h.has_message = 1;
			} else if ((strcmp(key, "rcpt") == 0 && h.nrcpt < TR_MAX_RULES) ||
				   (strcmp(key, "vrfy") == 0 && h.nvrfy < TR_MAX_RULES)) {
				struct tr_rule *r = key[0] == 'r' ? &h.rcpt[h.nrcpt++] : &h.vrfy[h.nvrfy++];
				size_t k = strcspn(val, " ");
				snprintf(r->key, sizeof r->key, "%.*s", (int)k, val);
				if (!val[k] || tr_parse_reply(val + k + 1, r) < 0)
					tr_fail(res, path, lineno, "bad rule%.300s", "");
			} else {
				tr_fail(res, path, lineno, "unknown directive @%.300s", key);
			}
			continue;
		}
		if (n < 2 || line[1] != ':') {
			tr_fail(res, path, lineno, "bad line: %.300s", line);
			continue;
		}
		const char *text = line[2] == ' ' ? line + 3 : line + 2;
		if (!s) {
			s = smtp_server_new(&cfg, &host, client_addr, client_rname);
			if (!s) {
				tr_fail(res, path, lineno, "smtp_server_new failed%.300s", "");
				break;
			}
			tr_drain(s, &out, &out_len, &out_cap);
		}
		if (line[0] == 'S') {
			size_t tn = strlen(text);
			if (want_len + tn + 3 > want_cap) {
				want_cap = (want_len + tn + 3) * 2;
				want = realloc(want, want_cap);
			}
			memcpy(want + want_len, text, tn);
			want_len += tn;
			want[want_len++] = '\r';
			want[want_len++] = '\n';
			want[want_len] = 0;
			last_was_s = 1;
			continue;
		}
		if (line[0] == 'H') {
			size_t tn = strlen(text);
			if (hw_len + tn + 2 > hw_cap) {
				hw_cap = (hw_len + tn + 2) * 2;
				hwant = realloc(hwant, hw_cap);
			}
			memcpy(hwant + hw_len, text, tn);
			hw_len += tn;
			hwant[hw_len++] = '\n';
			hwant[hw_len] = 0;
			continue;
		}
		if (last_was_s || line[0] == 'E') {
			/* a block of server lines ended: all of it must be out */
			if (out_len != want_len || (want_len && memcmp(out, want, want_len) != 0)) {
				char msg[600];
				snprintf(msg, sizeof msg, "server output differs; got:\n%.250s\nwanted:\n%.250s",
					 out_len > 250 ? out + out_len - 250 : out ? out : "",
					 want_len > 250 ? want + want_len - 250 : want ? want : "");
				tr_fail(res, path, lineno, "%.650s", msg);
			}
			last_was_s = 0;
		}
		switch (line[0]) {
		case 'C': {
			size_t tn = strlen(text);
			memcpy(raw, text, tn);
			raw[tn] = '\r';
			raw[tn + 1] = '\n';
			tr_feed(s, raw, tn + 2, bytewise, &out, &out_len, &out_cap);
			break;
		}
		case 'R': {
			size_t rn = tr_unescape(text, raw);
			tr_feed(s, raw, rn, bytewise, &out, &out_len, &out_cap);
			break;
		}
		case 'T':
			if (!smtp_server_tls_pending(s))
				tr_fail(res, path, lineno, "no TLS handshake pending%.300s", "");
			smtp_server_tls_established(s);
			if (!smtp_server_encrypted(s))
				tr_fail(res, path, lineno, "not encrypted after the handshake%.300s", "");
			break;
		case 'X':
			smtp_server_timeout(s);
			tr_drain(s, &out, &out_len, &out_cap);
			break;
		case 'E':
			if (strcmp(text, "turned") == 0) {
				if (smtp_server_state(s) != SMTP_SERVER_TURNED)
					tr_fail(res, path, lineno, "not turned%.300s", "");
				break;
			}
			if (smtp_server_should_close(s) != (strcmp(text, "closed") == 0))
				tr_fail(res, path, lineno, "should_close is not as expected (%.300s)", text);
			break;
		default:
			tr_fail(res, path, lineno, "unknown line kind: %.300s", line);
		}
	}
	fclose(f);
	if (s && (out_len != want_len || (want_len && memcmp(out, want, want_len) != 0))) {
		char msg[600];
		snprintf(msg, sizeof msg, "server output differs at the end; got:\n%.250s\nwanted:\n%.250s",
			 out_len > 250 ? out + out_len - 250 : out ? out : "",
			 want_len > 250 ? want + want_len - 250 : want ? want : "");
		tr_fail(res, path, lineno, "%.650s", msg);
	}
	if (strcmp(h.log ? h.log : "", hwant ? hwant : "") != 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "host log differs; got:\n%.280s\nwanted:\n%.280s", h.log ? h.log : "",
			 hwant ? hwant : "");
		tr_fail(res, path, lineno, "%.650s", msg);
	}
	smtp_server_free(&s);
	free(out);
	free(want);
	free(hwant);
	free(h.log);
	return res->ok;
}

#endif

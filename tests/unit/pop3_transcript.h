/* Replays a POP3 transcript file against the server engine (included by
 * test_pop3_server.c). A transcript reads like RFC 1939's examples:
 *
 *   # a comment
 *   @hostname dbc.mtview.ca.us          server config: hostname greeting
 *   @apop 1896 697170952                quit_text implementation, apop PID
 *   @user mrose tanstaaf                CLOCK, user_pass 0|1, max_failed N
 *   @sized mrose 120 uid-1              a message of exactly 120 octets
 *   @message mrose uid-3 .a\r\nb\0\r\n  a message (escapes \r \n \0 \\)
 *   @locked mrose                       another session holds the lock
 *   @fail_commit                        the host cannot remove messages
 *   S: +OK POP3 server ready            a server line (CRLF added)
 *   B: nul \0 inside                    a server line with escapes
 *   S: <message mrose 1>                that message as RETR sends it,
 *                                       byte-stuffed, with its "." line
 *   C: STAT                             a client line (CRLF added)
 *   R: \r\n                             raw client bytes (escapes)
 *   L: 10000                            a client line of 10000 'x' octets
 *   X: timeout                          the host's inactivity timer fires
 *   E: closed / E: open                 the engine asks to close / not
 *   H: commit 1 2                       an expected line of the host log
 *
 * Client bytes are fed whole or one byte per feed; after every block of
 * client input the server output so far must equal the S: lines so far;
 * at the end the host log must equal the H: lines. */
#ifndef TEST_POP3_TRANSCRIPT_H
#define TEST_POP3_TRANSCRIPT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pop3_host.h"
#include "protocols/line.h"
#include "protocols/pop3_server.h"

struct pt_result {
	int ok;
	char why[1200];
};

static void pt_fail(struct pt_result *r, const char *file, int line, const char *msg)
{
	if (!r->ok)
		return;
	r->ok = 0;
	snprintf(r->why, sizeof r->why, "%.200s:%d: %.900s", file, line, msg);
}

static size_t pt_unescape(const char *s, char *out)
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

struct pt_bytes {
	char *p;
	size_t len, cap;
};

static void pt_add(struct pt_bytes *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void pt_drain(struct pop3_server *s, struct pt_bytes *out)
{
	size_t n;
	const uint8_t *p = pop3_server_output(s, &n);
	pt_add(out, p, n);
	pop3_server_consume(s, n);
}

static void pt_feed(struct pop3_server *s, const char *bytes, size_t n, int bytewise, struct pt_bytes *out)
{
	size_t off = 0;
	while (off < n) {
		size_t step = bytewise ? 1 : n - off;
		off += pop3_server_feed(s, bytes + off, step);
		pt_drain(s, out);
	}
	pt_drain(s, out);
}

static void pt_show(char *dst, size_t cap, const struct pt_bytes *b)
{
	size_t from = b->len > 300 ? b->len - 300 : 0;
	size_t o = 0;
	for (size_t i = from; i < b->len && o + 4 < cap; i++) {
		char c = b->p[i];
		if (c == '\r')
			dst[o++] = '\\', dst[o++] = 'r';
		else if (c == 0)
			dst[o++] = '\\', dst[o++] = '0';
		else
			dst[o++] = c;
	}
	dst[o] = 0;
}

/* Runs one transcript; returns 1 when it passes, else 0 with the reason. */
static int pt_run(const char *path, int bytewise, struct pt_result *res)
{
	res->ok = 1;
	res->why[0] = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		pt_fail(res, path, 0, "cannot open");
		return 0;
	}
	static char strs[8][512];
	int nstr = 0;
	struct pop3_server_config cfg;
	pop3_server_config_init(&cfg, "localhost");
	static struct ph_host h;
	memset(&h, 0, sizeof h);
	struct ph_session sess = {&h, NULL};
	struct pop3_server_host host = ph_callbacks(&sess);
	struct pop3_server *s = NULL;
	struct pt_bytes out = {0}, want = {0}, hwant = {0};
	static char line[20000], raw[20000];
	int lineno = 0, last_was_s = 0;
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
			const char **tmpl = !strcmp(key, "hostname")	     ? &cfg.hostname
					    : !strcmp(key, "greeting")	     ? &cfg.greeting
					    : !strcmp(key, "quit_text")	     ? &cfg.quit_text
					    : !strcmp(key, "implementation") ? &cfg.implementation
									     : NULL;
			char a[512], b[512], c[512];
			if (tmpl && nstr < 8) {
				snprintf(strs[nstr], sizeof strs[nstr], "%s", val);
				*tmpl = strs[nstr++];
			} else if (!strcmp(key, "apop") && sscanf(val, "%u %llu", &cfg.pid,
								  (unsigned long long *)&cfg.clock) == 2) {
				cfg.apop = 1;
			} else if (!strcmp(key, "user_pass")) {
				cfg.user_pass = atoi(val);
			} else if (!strcmp(key, "max_failed")) {
				cfg.max_failed_logins = (unsigned)atoi(val);
			} else if (!strcmp(key, "user") && sscanf(val, "%511s %511s", a, b) == 2) {
				ph_add_user(&h, a, b);
			} else if (!strcmp(key, "sized") && sscanf(val, "%511s %511s %511s", a, b, c) == 3 &&
				   ph_user(&h, a)) {
				ph_add_sized(ph_user(&h, a), (size_t)atol(b), c);
			} else if (!strcmp(key, "message") && sscanf(val, "%511s %511s", a, b) == 2 && ph_user(&h, a)) {
				const char *text = val + strlen(a) + 1 + strlen(b) + 1;
				size_t len = pt_unescape(text, raw);
				ph_add_msg(ph_user(&h, a), raw, len, b);
			} else if (!strcmp(key, "locked") && ph_user(&h, val)) {
				ph_user(&h, val)->locked_by = &h; /* someone else */
			} else if (!strcmp(key, "fail_commit")) {
				h.fail_commit = 1;
			} else {
				pt_fail(res, path, lineno, "unknown or malformed directive");
			}
			continue;
		}
		if (n < 2 || line[1] != ':') {
			pt_fail(res, path, lineno, "bad line");
			continue;
		}
		const char *text = line[2] == ' ' ? line + 3 : line + 2;
		if (!s) {
			s = pop3_server_new(&cfg, &host);
			if (!s) {
				pt_fail(res, path, lineno, "pop3_server_new failed");
				break;
			}
			pt_drain(s, &out);
		}
		if (line[0] == 'B') {
			pt_add(&want, raw, pt_unescape(text, raw));
			pt_add(&want, "\r\n", 2);
			last_was_s = 1;
			continue;
		}
		if (line[0] == 'S') {
			char who[128];
			unsigned k;
			if (sscanf(text, "<message %127s %u>", who, &k) == 2 && ph_user(&h, who) &&
			    k >= 1 && k <= ph_user(&h, who)->n) {
				const struct ph_msg *m = &ph_user(&h, who)->msgs[k - 1];
				size_t sz = line_dot_stuffed_size((const uint8_t *)m->data, m->len);
				char *st = malloc(sz);
				line_dot_stuff((const uint8_t *)m->data, m->len, (uint8_t *)st, sz);
				pt_add(&want, st, sz);
				free(st);
			} else {
				pt_add(&want, text, strlen(text));
				pt_add(&want, "\r\n", 2);
			}
			last_was_s = 1;
			continue;
		}
		if (line[0] == 'H') {
			pt_add(&hwant, text, strlen(text));
			pt_add(&hwant, "\n", 1);
			continue;
		}
		if (last_was_s || line[0] == 'E') {
			if (out.len != want.len || (want.len && memcmp(out.p, want.p, want.len) != 0)) {
				char got[700], wanted[700], msg[1100];
				pt_show(got, sizeof got, &out);
				pt_show(wanted, sizeof wanted, &want);
				snprintf(msg, sizeof msg, "server output differs; got:\n%.450s\nwanted:\n%.450s", got,
					 wanted);
				pt_fail(res, path, lineno, msg);
			}
			last_was_s = 0;
		}
		switch (line[0]) {
		case 'C': {
			size_t tn = strlen(text);
			memcpy(raw, text, tn);
			memcpy(raw + tn, "\r\n", 2);
			pt_feed(s, raw, tn + 2, bytewise, &out);
			break;
		}
		case 'R':
			pt_feed(s, raw, pt_unescape(text, raw), bytewise, &out);
			break;
		case 'L': {
			size_t tn = (size_t)atol(text);
			if (tn > sizeof raw - 2)
				tn = sizeof raw - 2;
			memset(raw, 'x', tn);
			memcpy(raw + tn, "\r\n", 2);
			pt_feed(s, raw, tn + 2, bytewise, &out);
			break;
		}
		case 'X':
			pop3_server_timeout(s);
			pt_drain(s, &out);
			break;
		case 'E':
			if (!strcmp(text, "closed") != !!pop3_server_should_close(s))
				pt_fail(res, path, lineno, "the engine's should_close differs");
			break;
		default:
			pt_fail(res, path, lineno, "unknown line type");
		}
	}
	fclose(f);
	if (s && (out.len != want.len || (want.len && memcmp(out.p, want.p, want.len) != 0))) {
		char got[700], wanted[700], msg[1100];
		pt_show(got, sizeof got, &out);
		pt_show(wanted, sizeof wanted, &want);
		snprintf(msg, sizeof msg, "server output differs at the end; got:\n%.450s\nwanted:\n%.450s", got, wanted);
		pt_fail(res, path, lineno, msg);
	}
	pop3_server_free(&s); /* a session without QUIT: unlock, no commit */
	const char *hw = hwant.p ? hwant.p : "";
	if (strcmp(h.log, hw) != 0) {
		char msg[1100];
		snprintf(msg, sizeof msg, "host log differs; got:\n%.450s\nwanted:\n%.450s", h.log, hw);
		pt_fail(res, path, lineno, msg);
	}
	ph_free(&h);
	free(out.p);
	free(want.p);
	free(hwant.p);
	return res->ok;
}

#endif

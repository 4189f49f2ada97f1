/* The POP3 client engine; see pop3_client.h for the contract. Responses
 * are matched to commands in order (a FIFO of the commands sent), which
 * is what makes pipelining safe (RFC 2449 section 6.6). */
#include "protocols/pop3_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/line.h"
#include "protocols/md5.h"

#define STATUS_LINE_MAX 510 /* 512 with CRLF (RFC 2449 section 4) */
#define CMD_LINE_MAX 253    /* 255 with CRLF */
#define READER_BUFFER 8192
#define DEFAULT_MAX_BODY ((size_t)64 << 20)
#define MAX_PENDING 1024
#define MAX_MESSAGES 10000000

/* What a command is for, in session mode. */
enum step { STEP_NONE, STEP_USER, STEP_PASS, STEP_APOP, STEP_STAT, STEP_UIDL, STEP_LIST, STEP_RETR, STEP_DELE,
	    STEP_QUIT };

struct pending {
	char shown[16]; /* the verb (and argument, except PASS and APOP's digest) */
	char command[CMD_LINE_MAX + 1];
	int multiline;
	enum step step;
	size_t msgno;
};

struct msg {
	uint64_t size;
	char uid[71];
};

struct pop3_client {
	struct pop3_client_host host;
	struct line_reader *lr;
	enum pop3_client_state state;
	size_t max_body;
	char timestamp[256];
	int greeted;

	struct pending *pend; /* FIFO: pend[head, tail) */
	size_t head, tail, cap;

	/* the response being read */
	char code[32];
	char text[STATUS_LINE_MAX + 1];
	int in_body, body_truncated;
	struct buf body;

	/* session mode */
	int session;
	struct pop3_client_session_options opts;
	char *user, *password;
	struct msg *msgs;
	size_t nmsgs, next;
	int have_uidl;
	struct pop3_client_result result;
	char result_code[32], result_text[STATUS_LINE_MAX + 1];
	int reported;

	uint8_t *out;
	size_t out_start, out_len, out_cap;
};

static const char *const state_names[] = {"GREETING", "AUTH", "READY", "QUIT", "CLOSED"};

const char *pop3_client_state_name(enum pop3_client_state st)
{
	return (unsigned)st < sizeof state_names / sizeof state_names[0] ? state_names[st] : "?";
}

const char *pop3_client_outcome_name(enum pop3_client_outcome o)
{
	static const char *const names[] = {"ok",	      "greeting-failed", "login-failed", "no-apop",
					    "command-failed", "protocol-error",  "lost"};
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

/* The ONLY way to change state, so the host sees every transition. */
static void set_state(struct pop3_client *c, enum pop3_client_state to)
{
	enum pop3_client_state from = c->state;
	if (from == to)
		return;
	c->state = to;
	if (c->host.state_changed)
		c->host.state_changed(c->host.ctx, from, to);
}

/* ---- output ---------------------------------------------------------- */

static int out_line(struct pop3_client *c, const char *line)
{
	size_t n = strlen(line);
	if (c->out_start > 0 && c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
	if (c->out_len + n + 2 > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 512;
		while (cap < c->out_len + n + 2)
			cap *= 2;
		uint8_t *p = realloc(c->out, cap);
		if (!p)
			return POP3_CLIENT_ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, line, n);
	memcpy(c->out + c->out_len + n, "\r\n", 2);
	c->out_len += n + 2;
	if (c->host.trace)
		c->host.trace(c->host.ctx, 1, line, n);
	return 0;
}

const uint8_t *pop3_client_output(const struct pop3_client *c, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = c->out_len - c->out_start;
	return c->out ? c->out + c->out_start : empty;
}

void pop3_client_consume(struct pop3_client *c, size_t n)
{
	size_t have = c->out_len - c->out_start;
	c->out_start += n < have ? n : have;
	if (c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
}

/* ---- commands -------------------------------------------------------- */

/* RFC 1939: the commands answered with a multi-line response. */
static int expects_multiline(const char *line)
{
	size_t v = strcspn(line, " ");
	int has_arg = line[v] != 0;
	if (v == 4 && (!strncasecmp(line, "RETR", 4) || !strncasecmp(line, "CAPA", 4)))
		return 1;
	if (v == 3 && !strncasecmp(line, "TOP", 3))
		return 1;
	if (v == 4 && (!strncasecmp(line, "LIST", 4) || !strncasecmp(line, "UIDL", 4)))
		return !has_arg;
	return 0;
}

static int queue(struct pop3_client *c, const char *line, enum step step, size_t msgno)
{
	size_t n = strlen(line);
	if (n == 0 || n > CMD_LINE_MAX || strpbrk(line, "\r\n"))
		return POP3_CLIENT_EINVAL;
	if (c->tail - c->head >= MAX_PENDING)
		return POP3_CLIENT_ENOMEM;
	if (c->head > 0 && c->head == c->tail)
		c->head = c->tail = 0;
	if (c->tail == c->cap) {
		if (c->head > 0) {
			memmove(c->pend, c->pend + c->head, (c->tail - c->head) * sizeof *c->pend);
			c->tail -= c->head;
			c->head = 0;
		} else {
			size_t cap = c->cap ? c->cap * 2 : 8;
			struct pending *p = realloc(c->pend, cap * sizeof *p);
			if (!p)
				return POP3_CLIENT_ENOMEM;
			c->pend = p;
			c->cap = cap;
		}
	}
	struct pending *p = &c->pend[c->tail];
	memset(p, 0, sizeof *p);
	memcpy(p->command, line, n + 1);
	size_t v = strcspn(line, " ");
	int secret = (v == 4 && !strncasecmp(line, "PASS", 4)) || (v == 4 && !strncasecmp(line, "APOP", 4));
	snprintf(p->shown, sizeof p->shown, "%.*s", (int)(secret ? v : n < sizeof p->shown - 1 ? n : sizeof p->shown - 1),
		 line);
	p->multiline = expects_multiline(line);
	p->step = step;
	p->msgno = msgno;
	int rc = out_line(c, line);
	if (rc < 0)
		return rc;
	c->tail++;
	return 0;
}

int pop3_client_send(struct pop3_client *c, const char *line)
{
	if (c->state == POP3_CLIENT_CLOSED || c->session)
		return POP3_CLIENT_ECLOSED;
	int rc = queue(c, line, STEP_NONE, 0);
	if (rc == 0 && strcspn(line, " ") == 4 && !strncasecmp(line, "QUIT", 4))
		set_state(c, POP3_CLIENT_QUIT);
	return rc;
}

/* ---- session mode ---------------------------------------------------- */

static void finish(struct pop3_client *c, enum pop3_client_outcome o, const char *code, const char *text)
{
	if (!c->session || c->reported)
		return;
	c->reported = 1;
	c->result.outcome = o;
	snprintf(c->result_code, sizeof c->result_code, "%s", code ? code : "");
	snprintf(c->result_text, sizeof c->result_text, "%s", text ? text : "");
	c->result.code = c->result_code;
	c->result.text = c->result_text;
	if (c->host.done)
		c->host.done(c->host.ctx, &c->result);
}

static void fail_local(struct pop3_client *c, enum pop3_client_outcome o, const char *text);

static void send_step(struct pop3_client *c, const char *line, enum step step, size_t msgno)
{
	if (queue(c, line, step, msgno) < 0)
		fail_local(c, POP3_CLIENT_PROTOCOL_ERROR, "cannot queue a command (bad option or out of memory)");
}

static void quit(struct pop3_client *c)
{
	send_step(c, "QUIT", STEP_QUIT, 0);
	set_state(c, POP3_CLIENT_QUIT);
}

/* The next message the host wants: RETR it, or QUIT when none is left. */
static void next_message(struct pop3_client *c)
{
	while (c->next < c->nmsgs) {
		size_t i = c->next++;
		if (c->host.want && !c->host.want(c->host.ctx, i + 1, c->msgs[i].uid, c->msgs[i].size)) {
			c->result.skipped++;
			continue;
		}
		char cmd[40];
		snprintf(cmd, sizeof cmd, "RETR %zu", i + 1);
		send_step(c, cmd, STEP_RETR, i + 1);
		return;
	}
	quit(c);
}

/* Parses "n rest" lines of a LIST or UIDL body into the message table. */
static void parse_listing(struct pop3_client *c, int uidl)
{
	const char *p = c->body.data ? c->body.data : "";
	const char *end = p + c->body.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char line[200];
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
		line[strcspn(line, "\r")] = 0;
		char *sp = strchr(line, ' ');
		char *num_end = NULL;
		unsigned long long k = strtoull(line, &num_end, 10);
		if (sp && num_end == sp && k >= 1 && k <= c->nmsgs) {
			const char *v = sp + 1;
			if (uidl) {
				size_t l = strcspn(v, " ");
				if (l > 0 && l < sizeof c->msgs[k - 1].uid)
					snprintf(c->msgs[k - 1].uid, sizeof c->msgs[k - 1].uid, "%.*s", (int)l, v);
			} else {
				c->msgs[k - 1].size = strtoull(v, NULL, 10);
			}
		}
		p += n + (eol ? 1 : 0);
	}
}

static void login(struct pop3_client *c)
{
	set_state(c, POP3_CLIENT_AUTH);
	char cmd[CMD_LINE_MAX + 1];
	if (c->opts.apop) {
		if (!c->timestamp[0]) {
			finish(c, POP3_CLIENT_NO_APOP, "", "the greeting has no timestamp: the server offers no APOP");
			quit(c);
			return;
		}
		struct buf b;
		buf_init(&b, 1024);
		buf_puts(&b, c->timestamp);
		buf_puts(&b, c->password);
		char hex[33];
		md5_hex(b.data ? b.data : "", b.len, hex);
		buf_free(&b);
		snprintf(cmd, sizeof cmd, "APOP %s %s", c->user, hex);
		send_step(c, cmd, STEP_APOP, 0);
		return;
	}
	snprintf(cmd, sizeof cmd, "USER %s", c->user);
	send_step(c, cmd, STEP_USER, 0);
}

/* A session's response to one of its commands. */
static void session_step(struct pop3_client *c, const struct pending *p, const struct pop3_client_response *r)
{
	char cmd[CMD_LINE_MAX + 1];
	switch (p->step) {
	case STEP_NONE:
		if (!r->ok) { /* the greeting */
			finish(c, POP3_CLIENT_GREETING_FAILED, r->code, r->text);
			set_state(c, POP3_CLIENT_CLOSED);
			return;
		}
		login(c);
		return;
	case STEP_USER:
		if (!r->ok)
			break;
		snprintf(cmd, sizeof cmd, "PASS %s", c->password);
		send_step(c, cmd, STEP_PASS, 0);
		return;
	case STEP_PASS:
	case STEP_APOP:
		if (!r->ok)
			break;
		set_state(c, POP3_CLIENT_READY);
		send_step(c, "STAT", STEP_STAT, 0);
		return;
	case STEP_STAT: {
		unsigned long long n = 0;
		if (!r->ok || sscanf(r->text, "%llu", &n) != 1 || n > MAX_MESSAGES) {
			finish(c, r->ok ? POP3_CLIENT_PROTOCOL_ERROR : POP3_CLIENT_COMMAND_FAILED, r->code, r->text);
			quit(c);
			return;
		}
		c->result.listed = (size_t)n;
		c->nmsgs = (size_t)n;
		c->msgs = n ? calloc((size_t)n, sizeof *c->msgs) : NULL;
		if (n && !c->msgs) {
			fail_local(c, POP3_CLIENT_PROTOCOL_ERROR, "out of memory");
			return;
		}
		if (n == 0)
			quit(c);
		else
			send_step(c, "UIDL", STEP_UIDL, 0);
		return;
	}
	case STEP_UIDL:
		/* UIDL is optional (section 7): without it every message is
		 * offered with an empty unique-id. */
		if (r->ok) {
			c->have_uidl = 1;
			parse_listing(c, 1);
		}
		send_step(c, "LIST", STEP_LIST, 0);
		return;
	case STEP_LIST:
		if (!r->ok) {
			finish(c, POP3_CLIENT_COMMAND_FAILED, r->code, r->text);
			quit(c);
			return;
		}
		parse_listing(c, 0);
		next_message(c);
		return;
	case STEP_RETR:
		if (r->ok) {
			c->result.retrieved++;
			if (c->host.message)
				c->host.message(c->host.ctx, p->msgno, c->msgs[p->msgno - 1].uid, r->data, r->len,
						r->truncated);
			if (!c->opts.keep && !r->truncated) {
				snprintf(cmd, sizeof cmd, "DELE %zu", p->msgno);
				send_step(c, cmd, STEP_DELE, p->msgno);
				return;
			}
		} else {
			c->result.failed++;
		}
		next_message(c);
		return;
	case STEP_DELE:
		if (r->ok)
			c->result.deleted++;
		else
			c->result.failed++;
		next_message(c);
		return;
	case STEP_QUIT:
		if (r->ok)
			finish(c, POP3_CLIENT_OK, r->code, r->text);
		else
			finish(c, POP3_CLIENT_COMMAND_FAILED, r->code, r->text);
		set_state(c, POP3_CLIENT_CLOSED);
		return;
	}
	/* -ERR to USER, PASS or APOP: give up politely. */
	finish(c, POP3_CLIENT_LOGIN_FAILED, r->code, r->text);
	quit(c);
}

int pop3_client_start_session(struct pop3_client *c, const struct pop3_client_session_options *o)
{
	if (c->session || c->greeted || c->tail != c->head || c->state != POP3_CLIENT_GREETING)
		return POP3_CLIENT_ECLOSED;
	if (!o || !o->user || !o->password || !*o->user || strpbrk(o->user, " \r\n") ||
	    strlen(o->user) > 40 || strpbrk(o->password, "\r\n") || strlen(o->password) > 200)
		return POP3_CLIENT_EINVAL;
	c->user = strdup(o->user);
	c->password = strdup(o->password);
	if (!c->user || !c->password) {
		free(c->user);
		free(c->password);
		c->user = c->password = NULL;
		return POP3_CLIENT_ENOMEM;
	}
	c->opts = *o;
	c->session = 1;
	return 0;
}

/* ---- responses ------------------------------------------------------- */

static void deliver(struct pop3_client *c, const struct pending *p, int ok, int multiline, int local)
{
	struct pop3_client_response r = {
	    .command = p ? p->shown : "",
	    .ok = ok,
	    .code = c->code,
	    .text = c->text,
	    .multiline = multiline,
	    .data = (const uint8_t *)(c->body.data ? c->body.data : ""),
	    .len = c->body.len,
	    .truncated = c->body_truncated,
	    .local = local,
	};
	if (c->host.response)
		c->host.response(c->host.ctx, &r);
	if (c->session) {
		struct pending none = {.step = STEP_NONE};
		session_step(c, p ? p : &none, &r);
	}
}

static void fail_local(struct pop3_client *c, enum pop3_client_outcome o, const char *text)
{
	if (c->state == POP3_CLIENT_CLOSED)
		return;
	set_state(c, POP3_CLIENT_CLOSED);
	c->code[0] = 0;
	snprintf(c->text, sizeof c->text, "%s", text);
	buf_reset(&c->body);
	c->in_body = 0;
	int session = c->session;
	c->session = 0; /* no more steps: the session is over */
	while (c->head < c->tail) {
		struct pending p = c->pend[c->head++];
		deliver(c, &p, 0, 0, 1);
	}
	c->session = session;
	finish(c, o, "", text);
}

/* status = ("+OK" / "-ERR") [SP ["[" resp-code "]" SP] text]   (RFC 2449) */
static int parse_status(struct pop3_client *c, const char *line, size_t len, int *ok_r)
{
	const char *rest;
	if (len >= 3 && !strncmp(line, "+OK", 3) && (len == 3 || line[3] == ' ')) {
		*ok_r = 1;
		rest = line + 3;
	} else if (len >= 4 && !strncmp(line, "-ERR", 4) && (len == 4 || line[4] == ' ')) {
		*ok_r = 0;
		rest = line + 4;
	} else {
		return -1;
	}
	const char *end = line + len;
	if (rest < end)
		rest++;
	c->code[0] = 0;
	if (rest < end && *rest == '[') {
		const char *close = memchr(rest, ']', (size_t)(end - rest));
		if (close && (size_t)(close - rest - 1) < sizeof c->code) {
			snprintf(c->code, sizeof c->code, "%.*s", (int)(close - rest - 1), rest + 1);
			rest = close + 1;
			if (rest < end && *rest == ' ')
				rest++;
		}
	}
	size_t n = (size_t)(end - rest);
	memcpy(c->text, rest, n);
	c->text[n] = 0;
	for (char *q = c->text; q < c->text + n; q++)
		if (*q == 0)
			*q = ' ';
	return 0;
}

static void on_status(struct pop3_client *c, const struct line_event *ev)
{
	if (c->host.trace)
		c->host.trace(c->host.ctx, 0, (const char *)ev->text, ev->len);
	int ok;
	if (parse_status(c, (const char *)ev->text, ev->len, &ok) < 0) {
		fail_local(c, POP3_CLIENT_PROTOCOL_ERROR, "the server sent neither +OK nor -ERR");
		return;
	}
	buf_reset(&c->body);
	c->body_truncated = 0;
	if (!c->greeted) {
		c->greeted = 1;
		/* section 7: the timestamp is the last "<...>" with an "@" */
		const char *lt = strrchr(c->text, '<');
		const char *gt = lt ? strchr(lt, '>') : NULL;
		if (ok && lt && gt && memchr(lt, '@', (size_t)(gt - lt)) && (size_t)(gt - lt) + 2 < sizeof c->timestamp)
			snprintf(c->timestamp, sizeof c->timestamp, "%.*s", (int)(gt - lt + 1), lt);
		if (!c->session)
			set_state(c, ok ? POP3_CLIENT_READY : POP3_CLIENT_CLOSED);
		deliver(c, NULL, ok, 0, 0);
		return;
	}
	if (c->head == c->tail) {
		fail_local(c, POP3_CLIENT_PROTOCOL_ERROR, "a response nobody asked for");
		return;
	}
	if (ok && c->pend[c->head].multiline) {
		c->in_body = 1;
		line_reader_set_mode(c->lr, LINE_MODE_DOT_DATA, 0);
		return;
	}
	struct pending p = c->pend[c->head++];
	if (!c->session && strcasecmp(p.shown, "QUIT") == 0)
		set_state(c, POP3_CLIENT_CLOSED);
	deliver(c, &p, ok, 0, 0);
}

static void on_body(struct pop3_client *c, const struct line_event *ev)
{
	if (c->host.trace && !ev->long_line) {
		size_t n = ev->len >= 2 ? ev->len - 2 : ev->len;
		c->host.trace(c->host.ctx, 0, (const char *)ev->text, n);
	}
	if (c->body_truncated)
		return;
	if (c->body.len + ev->len > c->max_body || buf_append(&c->body, ev->text, ev->len) != 0)
		c->body_truncated = 1;
}

static void on_event(struct pop3_client *c, const struct line_event *ev)
{
	switch (ev->type) {
	case LINE_EV_LINE:
		on_status(c, ev);
		break;
	case LINE_EV_TOO_LONG:
		fail_local(c, POP3_CLIENT_PROTOCOL_ERROR, "a status line longer than 512 octets");
		break;
	case LINE_EV_DATA:
		on_body(c, ev);
		break;
	case LINE_EV_DATA_END: {
		if (c->host.trace)
			c->host.trace(c->host.ctx, 0, ".", 1);
		c->in_body = 0;
		struct pending p = c->pend[c->head++];
		deliver(c, &p, 1, 1, 0);
		break;
	}
	default:
		break;
	}
}

size_t pop3_client_feed(struct pop3_client *c, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	size_t off = 0;
	while (off < len && c->state != POP3_CLIENT_CLOSED) {
		size_t took = line_reader_feed(c->lr, p + off, len - off);
		off += took;
		struct line_event ev;
		int events = 0;
		while (c->state != POP3_CLIENT_CLOSED && line_reader_next(c->lr, &ev) > 0) {
			on_event(c, &ev);
			events++;
		}
		if (took == 0 && events == 0)
			break; /* never spin */
	}
	return len;
}

void pop3_client_connection_lost(struct pop3_client *c)
{
	if (c->state == POP3_CLIENT_CLOSED) {
		finish(c, POP3_CLIENT_LOST, "", "connection lost");
		return;
	}
	fail_local(c, POP3_CLIENT_LOST, "connection lost");
}

/* ---- life cycle ------------------------------------------------------ */

struct pop3_client *pop3_client_new(const struct pop3_client_host *host)
{
	struct pop3_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (host)
		c->host = *host;
	c->max_body = DEFAULT_MAX_BODY;
	buf_init(&c->body, (size_t)-1);
	c->lr = line_reader_new(STATUS_LINE_MAX, READER_BUFFER);
	if (!c->lr) {
		free(c);
		return NULL;
	}
	return c;
}

void pop3_client_free(struct pop3_client **cp)
{
	if (!cp || !*cp)
		return;
	struct pop3_client *c = *cp;
	line_reader_free(&c->lr);
	buf_free(&c->body);
	free(c->pend);
	free(c->msgs);
	free(c->user);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c->out);
	free(c);
	*cp = NULL;
}

void pop3_client_set_max_body(struct pop3_client *c, size_t max_body)
{
	c->max_body = max_body ? max_body : DEFAULT_MAX_BODY;
}

enum pop3_client_state pop3_client_state(const struct pop3_client *c) { return c->state; }
int pop3_client_done(const struct pop3_client *c) { return c->state == POP3_CLIENT_CLOSED; }
const char *pop3_client_timestamp(const struct pop3_client *c) { return c->timestamp; }
size_t pop3_client_pending(const struct pop3_client *c) { return c->tail - c->head; }

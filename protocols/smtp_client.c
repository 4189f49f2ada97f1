/* The SMTP client engine; see smtp_client.h for the contract. Every command
 * sent pushes what it waits for onto a FIFO of expected replies, so a
 * pipelined batch and a lock-step dialogue are handled by the same code:
 * each complete reply pops one entry and on_reply() switches on it. State
 * changes go only through set_state(). */
#include "protocols/smtp_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/line.h"
#include "protocols/smtp_path.h"
#include "protocols/smtp_reply.h"
#include "protocols/smtp_server.h" /* SMTP_EXT_* bits */

#define REPLY_LINE_MAX 510 /* 512 with CRLF (4.5.3.1.5) */
#define READER_BUFFER 4096

enum expect {
	EXP_GREETING,
	EXP_EHLO,
	EXP_HELO,
	EXP_STARTTLS,
	EXP_RSET,
	EXP_MAIL,
	EXP_RCPT,
	EXP_DATA,
	EXP_BODY,
	EXP_ETRN,
	EXP_QUIT,
};

enum job_kind { JOB_MESSAGE, JOB_ETRN };

struct job {
	int id;
	enum job_kind kind;
	char *reverse_path;
	char **rcpts;
	size_t nrcpts;
	unsigned char *rcpt_reported;
	const uint8_t *body;
	size_t len;
	size_t stuffed; /* line_dot_stuffed_size(body), once MAIL is sent */
	char *node;
	size_t accepted;
	size_t next_rcpt; /* lock-step: the next RCPT to send */
	int failed;       /* MAIL refused: later replies of the batch are moot */
	int reported;     /* message (or etrn) callback made */
};

struct smtp_client {
	struct smtp_client_options opt;
	char *helo_name;
	struct smtp_client_host host;
	struct line_reader *lr;
	enum smtp_client_state state;
	int encrypted, finished;
	unsigned ext;
	uint64_t server_max_size;
	int transactions; /* begun on this connection: RSET before the next */

	struct job **jobs; /* queued and open jobs, oldest first */
	size_t njobs, jobs_cap;
	int next_id;

	enum expect *exp; /* replies awaited: exp[exp_head, exp_len) */
	size_t *exp_arg;
	size_t exp_head, exp_len, exp_cap;

	struct smtp_reply_parser *rp;

	uint8_t *out;
	size_t out_start, out_len, out_cap;
};

static const char *const state_names[] = {
	[SMTP_CLIENT_GREETING] = "GREETING", [SMTP_CLIENT_EHLO] = "EHLO",
	[SMTP_CLIENT_HELO] = "HELO",         [SMTP_CLIENT_STARTTLS] = "STARTTLS",
	[SMTP_CLIENT_TLS_HANDSHAKE] = "TLS_HANDSHAKE",
	[SMTP_CLIENT_READY] = "READY",       [SMTP_CLIENT_RSET] = "RSET",
	[SMTP_CLIENT_MAIL] = "MAIL",         [SMTP_CLIENT_RCPT] = "RCPT",
	[SMTP_CLIENT_DATA] = "DATA",         [SMTP_CLIENT_BODY] = "BODY",
	[SMTP_CLIENT_ETRN] = "ETRN",         [SMTP_CLIENT_QUIT] = "QUIT",
	[SMTP_CLIENT_CLOSED] = "CLOSED",
};

const char *smtp_client_state_name(enum smtp_client_state st)
{
	if ((unsigned)st < sizeof state_names / sizeof state_names[0] && state_names[st])
		return state_names[st];
	return "?";
}

/* The ONLY way to change state. */
static void set_state(struct smtp_client *c, enum smtp_client_state to)
{
	enum smtp_client_state from = c->state;
	if (from == to)
		return;
	c->state = to;
	if (c->host.state_changed)
		c->host.state_changed(c->host.ctx, from, to);
}

/* ---- output ---------------------------------------------------------- */

static int out_reserve(struct smtp_client *c, size_t more)
{
	if (c->out_start > 0 && c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
	if (c->out_len + more <= c->out_cap)
		return 0;
	if (c->out_start > 0) {
		memmove(c->out, c->out + c->out_start, c->out_len - c->out_start);
		c->out_len -= c->out_start;
		c->out_start = 0;
		if (c->out_len + more <= c->out_cap)
			return 0;
	}
	size_t cap = c->out_cap ? c->out_cap : 1024;
	while (cap < c->out_len + more)
		cap *= 2;
	uint8_t *p = realloc(c->out, cap);
	if (!p)
		return -1;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

static void session_fail(struct smtp_client *c, enum smtp_client_failure why, const struct smtp_client_reply *r,
			 int send_quit);
static void protocol_error(struct smtp_client *c, const char *why);

static void local_reply(struct smtp_client_reply *r, int code, const char *enhanced, const char *text)
{
	memset(r, 0, sizeof *r);
	r->code = code;
	snprintf(r->enhanced, sizeof r->enhanced, "%s", enhanced);
	r->text = text;
	r->local = 1;
}

/* Records that the next reply answers e (arg: the recipient index). */
static int expect_push(struct smtp_client *c, enum expect e, size_t arg)
{
	if (c->exp_head > 0) {
		memmove(c->exp, c->exp + c->exp_head, (c->exp_len - c->exp_head) * sizeof *c->exp);
		memmove(c->exp_arg, c->exp_arg + c->exp_head, (c->exp_len - c->exp_head) * sizeof *c->exp_arg);
		c->exp_len -= c->exp_head;
		c->exp_head = 0;
	}
	if (c->exp_len == c->exp_cap) {
		size_t cap = c->exp_cap * 2;
		enum expect *e2 = realloc(c->exp, cap * sizeof *e2);
		if (!e2)
			return -1;
		c->exp = e2;
		size_t *a2 = realloc(c->exp_arg, cap * sizeof *a2);
		if (!a2)
			return -1;
		c->exp_arg = a2;
		c->exp_cap = cap;
	}
	c->exp[c->exp_len] = e;
	c->exp_arg[c->exp_len] = arg;
	c->exp_len++;
	return 0;
}

/* Queues one command line (callers only build lines from checked parts,
 * so it holds no CR or LF) and what its reply will answer. */
static int send_cmd(struct smtp_client *c, const char *line, enum expect e, size_t arg)
{
	size_t n = strlen(line);
	if (out_reserve(c, n + 2) < 0 || expect_push(c, e, arg) < 0)
		return -1;
	memcpy(c->out + c->out_len, line, n);
	c->out[c->out_len + n] = '\r';
	c->out[c->out_len + n + 1] = '\n';
	c->out_len += n + 2;
	if (c->host.trace)
		c->host.trace(c->host.ctx, 1, line, n);
	return 0;
}

/* send_cmd, turning ENOMEM into a failed session. */
static int cmd(struct smtp_client *c, const char *line, enum expect e, size_t arg)
{
	if (send_cmd(c, line, e, arg) == 0)
		return 0;
	struct smtp_client_reply r;
	local_reply(&r, 451, "4.3.0", "local error: out of memory");
	session_fail(c, SMTP_CLIENT_FAIL_PROTOCOL, &r, 0);
	return -1;
}

const uint8_t *smtp_client_output(const struct smtp_client *c, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = c->out_len - c->out_start;
	return c->out ? c->out + c->out_start : empty; /* never NULL, even when empty */
}

void smtp_client_consume(struct smtp_client *c, size_t n)
{
	size_t have = c->out_len - c->out_start;
	c->out_start += n < have ? n : have;
	if (c->out_start == c->out_len)
		c->out_start = c->out_len = 0;
}

/* ---- jobs ------------------------------------------------------------ */

static void job_free(struct job *j)
{
	if (!j)
		return;
	free(j->reverse_path);
	for (size_t i = 0; i < j->nrcpts; i++)
		free(j->rcpts[i]);
	free(j->rcpts);
	free(j->rcpt_reported);
	free(j->node);
	free(j);
}

static struct job *current(const struct smtp_client *c) { return c->njobs ? c->jobs[0] : NULL; }

static void job_pop(struct smtp_client *c)
{
	if (!c->njobs)
		return;
	job_free(c->jobs[0]);
	memmove(c->jobs, c->jobs + 1, (c->njobs - 1) * sizeof *c->jobs);
	c->njobs--;
}

static void report_rcpt(struct smtp_client *c, struct job *j, size_t i, const struct smtp_client_reply *r)
{
	if (i >= j->nrcpts || j->rcpt_reported[i])
		return;
	j->rcpt_reported[i] = 1;
	if (r->code / 100 == 2)
		j->accepted++;
	if (c->host.rcpt)
		c->host.rcpt(c->host.ctx, j->id, i, r);
}

/* Reports everything still open in j with r and marks it answered. */
static void report_job(struct smtp_client *c, struct job *j, const struct smtp_client_reply *r)
{
	if (j->reported)
		return;
	if (j->kind == JOB_ETRN) {
		j->reported = 1;
		if (c->host.etrn)
			c->host.etrn(c->host.ctx, j->id, r);
		return;
	}
	for (size_t i = 0; i < j->nrcpts; i++)
		report_rcpt(c, j, i, r);
	j->reported = 1;
	if (c->host.message)
		c->host.message(c->host.ctx, j->id, r, j->accepted);
}

static int add_job(struct smtp_client *c, struct job *j)
{
	if (c->njobs == c->jobs_cap) {
		size_t cap = c->jobs_cap ? c->jobs_cap * 2 : 4;
		struct job **p = realloc(c->jobs, cap * sizeof *p);
		if (!p)
			return SMTP_CLIENT_ENOMEM;
		c->jobs = p;
		c->jobs_cap = cap;
	}
	j->id = c->next_id++;
	c->jobs[c->njobs++] = j;
	return j->id;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static void advance(struct smtp_client *c);

int smtp_client_add_message(struct smtp_client *c, const char *reverse_path, const char *const *rcpts,
			    size_t nrcpts, const uint8_t *body, size_t len)
{
	if (c->finished || c->state == SMTP_CLIENT_CLOSED || c->state == SMTP_CLIENT_QUIT)
		return SMTP_CLIENT_ECLOSED;
	if (!reverse_path || !rcpts || nrcpts == 0 || (!body && len) ||
	    !smtp_mailbox_valid(reverse_path, SMTP_PATH_ALLOW_NULL))
		return SMTP_CLIENT_EINVAL;
	for (size_t i = 0; i < nrcpts; i++)
		if (!rcpts[i] || !smtp_mailbox_valid(rcpts[i], SMTP_PATH_ALLOW_POSTMASTER))
			return SMTP_CLIENT_EINVAL;
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return SMTP_CLIENT_ENOMEM;
	j->kind = JOB_MESSAGE;
	j->body = body;
	j->len = len;
	j->reverse_path = dup_str(reverse_path);
	j->rcpts = calloc(nrcpts, sizeof *j->rcpts);
	j->rcpt_reported = calloc(nrcpts, 1);
	int bad = !j->reverse_path || !j->rcpts || !j->rcpt_reported;
	for (size_t i = 0; !bad && i < nrcpts; i++) {
		j->rcpts[i] = dup_str(rcpts[i]);
		j->nrcpts = i + 1;
		bad = !j->rcpts[i];
	}
	int id = bad ? SMTP_CLIENT_ENOMEM : add_job(c, j);
	if (id < 0) {
		job_free(j);
		return id;
	}
	advance(c);
	return id;
}

int smtp_client_add_etrn(struct smtp_client *c, const char *node)
{
	if (c->finished || c->state == SMTP_CLIENT_CLOSED || c->state == SMTP_CLIENT_QUIT)
		return SMTP_CLIENT_ECLOSED;
	if (!node)
		return SMTP_CLIENT_EINVAL;
	const char *n = node[0] == '@' || node[0] == '#' ? node + 1 : node;
	int ok = smtp_domain_valid(n, strlen(n));
	if (node[0] == '#') {
		ok = *n != 0 && strlen(n) <= 255;
		for (const char *p = n; *p; p++)
			if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127)
				ok = 0;
	}
	if (!ok)
		return SMTP_CLIENT_EINVAL;
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return SMTP_CLIENT_ENOMEM;
	j->kind = JOB_ETRN;
	j->node = dup_str(node);
	int id = j->node ? add_job(c, j) : SMTP_CLIENT_ENOMEM;
	if (id < 0) {
		job_free(j);
		return id;
	}
	advance(c);
	return id;
}

void smtp_client_finish(struct smtp_client *c)
{
	c->finished = 1;
	advance(c);
}

/* ---- the dialogue ---------------------------------------------------- */

static int has_8bit(const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) { /* a word at a time: bodies are large */
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w & 0x8080808080808080ull)
			return 1;
	}
	for (; i < n; i++)
		if (p[i] & 0x80)
			return 1;
	return 0;
}

static void send_hello(struct smtp_client *c, int ehlo)
{
	char line[300];
	snprintf(line, sizeof line, "%s %s", ehlo ? "EHLO" : "HELO", c->helo_name);
	if (cmd(c, line, ehlo ? EXP_EHLO : EXP_HELO, 0) == 0)
		set_state(c, ehlo ? SMTP_CLIENT_EHLO : SMTP_CLIENT_HELO);
}

static int send_rcpt(struct smtp_client *c, struct job *j, size_t i)
{
	char line[SMTP_PATH_MAX + 16];
	snprintf(line, sizeof line, "RCPT TO:%s<%s>", c->opt.space_before_path ? " " : "", j->rcpts[i]);
	return cmd(c, line, EXP_RCPT, i);
}

/* Opens the transaction for the current message job. */
static void start_message(struct smtp_client *c, struct job *j)
{
	c->transactions++;
	/* CRLF line ends counted, as RFC 1870 asks; stuffing dots too, which
	 * keeps it an upper bound */
	j->stuffed = line_dot_stuffed_size(j->body, j->len);
	size_t size = j->stuffed - 3;
	if (c->server_max_size && size > c->server_max_size) {
		/* RFC 1870 6.1: do not send what the server said it refuses. */
		struct smtp_client_reply r;
		local_reply(&r, 552, "5.3.4", "message larger than the server's SIZE limit");
		report_job(c, j, &r);
		job_pop(c);
		c->transactions--;
		set_state(c, SMTP_CLIENT_READY); /* we may come from RSET */
		advance(c);
		return;
	}
	char line[SMTP_PATH_MAX + 80];
	int o = snprintf(line, sizeof line, "MAIL FROM:%s<%s>", c->opt.space_before_path ? " " : "", j->reverse_path);
	if (c->ext & SMTP_EXT_SIZE)
		o += snprintf(line + o, sizeof line - (size_t)o, " SIZE=%zu", size);
	if ((c->ext & SMTP_EXT_8BITMIME) && has_8bit(j->body, j->len))
		snprintf(line + o, sizeof line - (size_t)o, " BODY=8BITMIME");
	if (cmd(c, line, EXP_MAIL, 0) < 0)
		return;
	set_state(c, SMTP_CLIENT_MAIL);
	if (c->opt.use_pipelining && (c->ext & SMTP_EXT_PIPELINING)) {
		/* RFC 2920: MAIL, every RCPT and DATA in one batch. */
		for (size_t i = 0; i < j->nrcpts; i++)
			if (send_rcpt(c, j, i) < 0)
				return;
		j->next_rcpt = j->nrcpts;
		cmd(c, "DATA", EXP_DATA, 0);
	}
}

/* Sends the next command when nothing is awaited. */
static void advance(struct smtp_client *c)
{
	if (c->state != SMTP_CLIENT_READY || c->exp_head < c->exp_len)
		return;
	struct job *j = current(c);
	if (j && j->kind == JOB_ETRN) {
		char line[300];
		snprintf(line, sizeof line, "ETRN %s", j->node);
		if (cmd(c, line, EXP_ETRN, 0) == 0)
			set_state(c, SMTP_CLIENT_ETRN);
	} else if (j && c->transactions > 0) {
		if (cmd(c, "RSET", EXP_RSET, 0) == 0)
			set_state(c, SMTP_CLIENT_RSET);
	} else if (j) {
		start_message(c, j);
	} else if (c->finished) {
		if (cmd(c, "QUIT", EXP_QUIT, 0) == 0)
			set_state(c, SMTP_CLIENT_QUIT);
	}
}

/* Queues body, dot-stuffed (n = line_dot_stuffed_size(body, len)). */
static void send_body(struct smtp_client *c, const uint8_t *body, size_t len, size_t n)
{
	if (out_reserve(c, n) < 0) {
		struct smtp_client_reply r;
		local_reply(&r, 451, "4.3.0", "local error: out of memory");
		session_fail(c, SMTP_CLIENT_FAIL_PROTOCOL, &r, 0);
		return;
	}
	uint8_t *dst = c->out + c->out_len;
	line_dot_stuff(body, len, dst, n);
	c->out_len += n;
	if (c->host.trace) {
		for (size_t i = 0; i < n;) {
			uint8_t *crlf = memchr(dst + i, '\n', n - i); /* stuffed: every LF follows a CR */
			size_t e = crlf ? (size_t)(crlf - dst) : n;
			c->host.trace(c->host.ctx, 1, (const char *)dst + i, e > i ? e - i - 1 : 0);
			i = e + 1;
		}
	}
}

/* Parses the EHLO keywords (lines after the first). */
static void parse_ehlo(struct smtp_client *c, const char *text)
{
	c->ext = 0;
	c->server_max_size = 0;
	const char *p = strchr(text, '\n');
	while (p) {
		p++;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t k = strcspn(p, " \n");
		if (k > n)
			k = n;
#define KW(s) (k == strlen(s) && strncasecmp(p, s, k) == 0)
		if (KW("PIPELINING"))
			c->ext |= SMTP_EXT_PIPELINING;
		else if (KW("8BITMIME"))
			c->ext |= SMTP_EXT_8BITMIME;
		else if (KW("ENHANCEDSTATUSCODES"))
			c->ext |= SMTP_EXT_ENHANCEDSTATUSCODES;
		else if (KW("ETRN"))
			c->ext |= SMTP_EXT_ETRN;
		else if (KW("STARTTLS"))
			c->ext |= SMTP_EXT_STARTTLS;
		else if (KW("VRFY"))
			c->ext |= SMTP_EXT_VRFY;
		else if (KW("HELP"))
			c->ext |= SMTP_EXT_HELP;
		else if (KW("SIZE")) {
			c->ext |= SMTP_EXT_SIZE;
			uint64_t v = 0;
			for (const char *d = p + k + (k < n ? 1 : 0); d < p + n && *d >= '0' && *d <= '9'; d++)
				v = v > UINT64_MAX / 10 - 10 ? UINT64_MAX : v * 10 + (uint64_t)(*d - '0');
			c->server_max_size = v;
		}
#undef KW
		p = nl;
	}
}

static void hello_done(struct smtp_client *c)
{
	if (c->opt.want_starttls && !c->encrypted && (c->ext & SMTP_EXT_STARTTLS)) {
		if (cmd(c, "STARTTLS", EXP_STARTTLS, 0) == 0)
			set_state(c, SMTP_CLIENT_STARTTLS);
		return;
	}
	if (c->opt.require_starttls && !c->encrypted) {
		struct smtp_client_reply r;
		local_reply(&r, 421, "4.7.0", "STARTTLS required but not offered");
		session_fail(c, SMTP_CLIENT_FAIL_TLS, &r, 1);
		return;
	}
	set_state(c, SMTP_CLIENT_READY);
	advance(c);
}

/* The transaction of the current job is over. */
static void job_done(struct smtp_client *c)
{
	job_pop(c);
	set_state(c, SMTP_CLIENT_READY);
	advance(c);
}

static void on_reply(struct smtp_client *c, const struct smtp_client_reply *r)
{
	if (c->exp_head == c->exp_len) {
		if (r->code == 421 && c->state != SMTP_CLIENT_CLOSED) {
			session_fail(c, SMTP_CLIENT_FAIL_421, r, 0);
			return;
		}
		struct smtp_client_reply pe;
		local_reply(&pe, 451, "4.5.0", "protocol error: reply without a command");
		session_fail(c, SMTP_CLIENT_FAIL_PROTOCOL, &pe, 0);
		return;
	}
	enum expect e = c->exp[c->exp_head];
	size_t arg = c->exp_arg[c->exp_head];
	c->exp_head++;
	if (c->exp_head == c->exp_len)
		c->exp_head = c->exp_len = 0;
	int cls = r->code / 100;
	if (r->code == 421 && e != EXP_QUIT) {
		session_fail(c, SMTP_CLIENT_FAIL_421, r, 0);
		return;
	}
	struct job *j = current(c);
	switch (e) {
	case EXP_GREETING:
		if (r->code == 220)
			send_hello(c, c->opt.use_ehlo);
		else
			session_fail(c, SMTP_CLIENT_FAIL_GREETING, r, 1);
		break;
	case EXP_EHLO:
		if (cls == 2) {
			parse_ehlo(c, r->text);
			hello_done(c);
		} else if (cls == 5) {
			send_hello(c, 0);
		} else {
			session_fail(c, SMTP_CLIENT_FAIL_HELLO, r, 1);
		}
		break;
	case EXP_HELO:
		if (cls == 2) {
			c->ext = 0;
			c->server_max_size = 0;
			hello_done(c);
		} else {
			session_fail(c, SMTP_CLIENT_FAIL_HELLO, r, 1);
		}
		break;
	case EXP_STARTTLS:
		if (r->code == 220) {
			set_state(c, SMTP_CLIENT_TLS_HANDSHAKE);
		} else if (c->opt.require_starttls) {
			session_fail(c, SMTP_CLIENT_FAIL_TLS, r, 1);
		} else {
			set_state(c, SMTP_CLIENT_READY);
			advance(c);
		}
		break;
	case EXP_RSET:
		if (cls == 2) {
			if (j)
				start_message(c, j);
			else
				job_done(c);
		} else {
			session_fail(c, SMTP_CLIENT_FAIL_PROTOCOL, r, 1);
		}
		break;
	case EXP_MAIL:
		if (!j)
			break;
		if (cls != 2) {
			j->failed = 1;
			report_job(c, j, r);
			if (c->exp_head == c->exp_len) /* lock-step: nothing else pending */
				job_done(c);
			break;
		}
		if (j->next_rcpt < j->nrcpts) {
			if (send_rcpt(c, j, j->next_rcpt++) == 0)
				set_state(c, SMTP_CLIENT_RCPT);
		} else {
			set_state(c, SMTP_CLIENT_RCPT);
		}
		break;
	case EXP_RCPT:
		if (!j)
			break;
		if (!j->failed)
			report_rcpt(c, j, arg, r);
		if (j->failed || j->next_rcpt < j->nrcpts) {
			if (!j->failed && send_rcpt(c, j, j->next_rcpt++) < 0)
				return;
			break;
		}
		if (arg + 1 < j->nrcpts)
			break; /* pipelined: more RCPT replies to come */
		if (c->exp_head < c->exp_len) {
			set_state(c, SMTP_CLIENT_DATA); /* pipelined: its reply is next */
			break;
		}
		if (j->accepted == 0) {
			struct smtp_client_reply nr;
			local_reply(&nr, 554, "5.5.1", "no recipient was accepted");
			report_job(c, j, &nr);
			job_done(c);
		} else if (cmd(c, "DATA", EXP_DATA, 0) == 0) {
			set_state(c, SMTP_CLIENT_DATA);
		}
		break;
	case EXP_DATA:
		if (!j)
			break;
		if (r->code == 354) {
			if (j->accepted == 0 || j->failed) {
				/* RFC 2920 3.1: a 354 after failed recipients
				 * still needs the terminator; its reply is moot. */
				static const uint8_t empty = 0;
				send_body(c, &empty, 0, line_dot_stuffed_size(&empty, 0));
				j->failed = 1;
			} else {
				send_body(c, j->body, j->len, j->stuffed);
			}
			if (c->state == SMTP_CLIENT_CLOSED)
				break;
			if (expect_push(c, EXP_BODY, 0) < 0) {
				protocol_error(c, "local error: out of memory");
				break;
			}
			set_state(c, SMTP_CLIENT_BODY);
			break;
		}
		if (j->accepted == 0 && !j->failed) {
			struct smtp_client_reply nr;
			local_reply(&nr, 554, "5.5.1", "no recipient was accepted");
			report_job(c, j, &nr);
		} else {
			report_job(c, j, r);
		}
		job_done(c);
		break;
	case EXP_BODY:
		if (j)
			report_job(c, j, r); /* a no-op after a failed batch */
		job_done(c);
		break;
	case EXP_ETRN:
		if (j)
			report_job(c, j, r);
		job_done(c);
		break;
	case EXP_QUIT:
		set_state(c, SMTP_CLIENT_CLOSED);
		break;
	}
}

/* Fails every open job with r; sends QUIT when the server still talks. */
static void session_fail(struct smtp_client *c, enum smtp_client_failure why, const struct smtp_client_reply *r,
			 int send_quit)
{
	if (c->state == SMTP_CLIENT_CLOSED)
		return;
	c->finished = 1; /* callbacks below cannot add jobs to a dead session */
	c->exp_head = c->exp_len = 0;
	if (c->host.session)
		c->host.session(c->host.ctx, why, r);
	while (c->njobs) {
		report_job(c, c->jobs[0], r);
		job_pop(c);
	}
	if (send_quit && send_cmd(c, "QUIT", EXP_QUIT, 0) == 0)
		set_state(c, SMTP_CLIENT_QUIT);
	else
		set_state(c, SMTP_CLIENT_CLOSED);
}

/* ---- replies (parsed by smtp_reply.c) --------------------------------- */

static void protocol_error(struct smtp_client *c, const char *why)
{
	struct smtp_client_reply r;
	local_reply(&r, 451, "4.5.0", why);
	session_fail(c, SMTP_CLIENT_FAIL_PROTOCOL, &r, 0);
}

static void reply_line(struct smtp_client *c, const struct line_event *ev)
{
	if (c->host.trace)
		c->host.trace(c->host.ctx, 0, (const char *)ev->text, ev->len);
	int rc = smtp_reply_parser_line(c->rp, (const char *)ev->text, ev->len);
	if (rc == SMTP_REPLY_BAD) {
		char why[128];
		snprintf(why, sizeof why, "protocol error: %s", smtp_reply_error(c->rp));
		protocol_error(c, why);
		return;
	}
	if (rc == SMTP_REPLY_MORE)
		return;
	struct smtp_client_reply r = {0};
	r.code = smtp_reply_code(c->rp);
	snprintf(r.enhanced, sizeof r.enhanced, "%s", smtp_reply_enhanced(c->rp));
	r.text = smtp_reply_text(c->rp);
	on_reply(c, &r);
}

static int input_dropped(const struct smtp_client *c)
{
	/* after 220 to STARTTLS, nothing may come in the clear */
	return c->state == SMTP_CLIENT_CLOSED || c->state == SMTP_CLIENT_TLS_HANDSHAKE;
}

size_t smtp_client_feed(struct smtp_client *c, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	size_t off = 0;
	while (off < len && !input_dropped(c)) {
		size_t took = line_reader_feed(c->lr, p + off, len - off);
		off += took;
		struct line_event ev;
		int events = 0;
		while (!input_dropped(c) && line_reader_next(c->lr, &ev) > 0) {
			events++;
			if (ev.type == LINE_EV_LINE)
				reply_line(c, &ev);
			else
				protocol_error(c, "protocol error: reply line too long");
		}
		if (took == 0 && events == 0) {
			protocol_error(c, "local error: line reader stuck"); /* never spin */
			break;
		}
	}
	if (input_dropped(c))
		line_reader_discard(c->lr);
	return len;
}

/* ---- life cycle ------------------------------------------------------ */

void smtp_client_options_init(struct smtp_client_options *o, const char *helo_name)
{
	memset(o, 0, sizeof *o);
	o->helo_name = helo_name;
	o->use_ehlo = 1;
	o->use_pipelining = 1;
}

struct smtp_client *smtp_client_new(const struct smtp_client_options *o, const struct smtp_client_host *host)
{
	if (!o || !o->helo_name || !smtp_domain_valid(o->helo_name, strlen(o->helo_name)))
		return NULL;
	struct smtp_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->opt = *o;
	if (host)
		c->host = *host;
	c->helo_name = dup_str(o->helo_name);
	c->opt.helo_name = c->helo_name;
	c->lr = line_reader_new(REPLY_LINE_MAX, READER_BUFFER);
	c->rp = smtp_reply_parser_new();
	c->exp_cap = 16;
	c->exp = malloc(c->exp_cap * sizeof *c->exp);
	c->exp_arg = malloc(c->exp_cap * sizeof *c->exp_arg);
	if (!c->helo_name || !c->lr || !c->rp || !c->exp || !c->exp_arg) {
		smtp_client_free(&c);
		return NULL;
	}
	c->exp[0] = EXP_GREETING;
	c->exp_arg[0] = 0;
	c->exp_len = 1;
	c->state = SMTP_CLIENT_GREETING;
	return c;
}

void smtp_client_free(struct smtp_client **cp)
{
	if (!cp || !*cp)
		return;
	struct smtp_client *c = *cp;
	for (size_t i = 0; i < c->njobs; i++)
		job_free(c->jobs[i]);
	free(c->jobs);
	free(c->exp);
	free(c->exp_arg);
	smtp_reply_parser_free(&c->rp);
	free(c->out);
	free(c->helo_name);
	line_reader_free(&c->lr);
	free(c);
	*cp = NULL;
}

void smtp_client_tls_established(struct smtp_client *c)
{
	if (c->state != SMTP_CLIENT_TLS_HANDSHAKE)
		return;
	c->encrypted = 1;
	c->ext = 0;
	c->server_max_size = 0;
	line_reader_discard(c->lr);
	send_hello(c, 1); /* RFC 3207 4.2: forget what was learnt, EHLO again */
}

static void lost(struct smtp_client *c, enum smtp_client_failure why, const char *text)
{
	if (c->state == SMTP_CLIENT_CLOSED)
		return;
	if (c->state == SMTP_CLIENT_QUIT && c->njobs == 0) {
		set_state(c, SMTP_CLIENT_CLOSED);
		return;
	}
	/* After the final "." left, the server may have accepted the message
	 * and its reply been lost: a retry may deliver it twice (RFC 1047).
	 * The reply says so, for the sender's log and the mail ledger. */
	char uncertain[200];
	size_t unsent;
	smtp_client_output(c, &unsent);
	if (c->state == SMTP_CLIENT_BODY && unsent == 0) {
		snprintf(uncertain, sizeof uncertain, "%s after the end of the data, before its reply (" SMTP_CLIENT_RFC1047_MARK
			 ": the server may have accepted the message)", text);
		text = uncertain;
	}
	struct smtp_client_reply r;
	local_reply(&r, 421, "4.4.2", text);
	session_fail(c, why, &r, 0);
}

void smtp_client_connection_lost(struct smtp_client *c) { lost(c, SMTP_CLIENT_FAIL_LOST, "connection lost"); }
void smtp_client_timeout(struct smtp_client *c) { lost(c, SMTP_CLIENT_FAIL_TIMEOUT, "timeout waiting for the server"); }

unsigned smtp_client_rfc_timeout(const struct smtp_client *c)
{
	switch (c->state) {
	case SMTP_CLIENT_DATA: return 2 * 60;
	case SMTP_CLIENT_BODY: return 10 * 60;
	default: return 5 * 60;
	}
}

enum smtp_client_state smtp_client_state(const struct smtp_client *c) { return c->state; }
int smtp_client_tls_pending(const struct smtp_client *c) { return c->state == SMTP_CLIENT_TLS_HANDSHAKE; }
int smtp_client_encrypted(const struct smtp_client *c) { return c->encrypted; }
int smtp_client_done(const struct smtp_client *c) { return c->state == SMTP_CLIENT_CLOSED; }
unsigned smtp_client_server_extensions(const struct smtp_client *c) { return c->ext; }
uint64_t smtp_client_server_max_size(const struct smtp_client *c) { return c->server_max_size; }

/* The POP3 server's commands: the table reads like RFC 1939 (one row per
 * command with the states it is allowed in and its handler,
 * pop3_cmd_<verb>(), headed by its grammar and section), plus CAPA from
 * RFC 2449. Responses and state changes go through pop3_server.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/pop3_server_internal.h"

typedef void pop3_cmd_fn(struct pop3_server *s, char *arg);

#define ST(x) (1u << POP3_SERVER_##x)

struct pop3_command {
	const char *verb;
	unsigned states; /* where it is allowed; elsewhere -ERR */
	pop3_cmd_fn *fn;
};

static pop3_cmd_fn pop3_cmd_user, pop3_cmd_pass, pop3_cmd_apop, pop3_cmd_stat, pop3_cmd_list, pop3_cmd_retr,
	pop3_cmd_dele, pop3_cmd_noop, pop3_cmd_rset, pop3_cmd_top, pop3_cmd_uidl, pop3_cmd_quit, pop3_cmd_capa;

static const struct pop3_command commands[] = {
	/* section 7: the AUTHORIZATION state */
	{"USER", ST(AUTHORIZATION), pop3_cmd_user},
	{"PASS", ST(AUTHORIZATION), pop3_cmd_pass},
	{"APOP", ST(AUTHORIZATION), pop3_cmd_apop},
	/* section 5: the TRANSACTION state */
	{"STAT", ST(TRANSACTION), pop3_cmd_stat},
	{"LIST", ST(TRANSACTION), pop3_cmd_list},
	{"RETR", ST(TRANSACTION), pop3_cmd_retr},
	{"DELE", ST(TRANSACTION), pop3_cmd_dele},
	{"NOOP", ST(TRANSACTION), pop3_cmd_noop},
	{"RSET", ST(TRANSACTION), pop3_cmd_rset},
	/* section 7: optional commands */
	{"TOP", ST(TRANSACTION), pop3_cmd_top},
	{"UIDL", ST(TRANSACTION), pop3_cmd_uidl},
	/* sections 4 and 6: QUIT in both states */
	{"QUIT", ST(AUTHORIZATION) | ST(TRANSACTION), pop3_cmd_quit},
	/* RFC 2449 section 5: CAPA in both states */
	{"CAPA", ST(AUTHORIZATION) | ST(TRANSACTION), pop3_cmd_capa},
};

/* ---- arguments ------------------------------------------------------- */

/* Splits arg at single spaces into at most max arguments of 1 to 40
 * octets (section 3). Returns the count, or -1 if there are more, an
 * argument is too long, or spaces are doubled. */
static int split_args(char *arg, char **argv, int max)
{
	int n = 0;
	char *p = arg;
	while (*p) {
		if (n == max)
			return -1;
		char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len > POP3_ARG_MAX)
			return -1;
		argv[n++] = p;
		if (!end)
			break;
		*end = 0;
		p = end + 1;
		if (!*p)
			return -1; /* a trailing space */
	}
	return n;
}

/* A decimal number of digits only. Past max it is -1, or max itself when
 * saturate is set (a TOP line count beyond any message means the whole
 * message); the test comes before the multiplication, so nothing wraps. */
static int parse_number(const char *a, uint64_t max, int saturate, uint64_t *v_r)
{
	uint64_t v = 0;
	if (!*a)
		return -1;
	for (const char *p = a; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (max - d) / 10) {
			if (!saturate)
				return -1;
			v = max;
			continue;
		}
		v = v * 10 + d;
	}
	*v_r = v;
	return 0;
}

/* msg: a message-number of this session's maildrop, not marked deleted
 * (section 5: such a message may not be referred to). Answers -ERR itself
 * and returns -1 when it is not. */
static int message_arg(struct pop3_server *s, const char *a, size_t *index_r)
{
	uint64_t v;
	if (parse_number(a, POP3_MAX_MESSAGES, 0, &v) < 0 || v == 0 || v > s->nmsgs) {
		pop3_server_err(s, "no such message, only %zu messages in maildrop", s->nmsgs);
		return -1;
	}
	if (s->msgs[v - 1].deleted) {
		pop3_server_err(s, "message %llu already deleted", (unsigned long long)v);
		return -1;
	}
	*index_r = (size_t)(v - 1);
	return 0;
}

static void live_totals(const struct pop3_server *s, size_t *count_r, uint64_t *octets_r)
{
	size_t n = 0;
	uint64_t o = 0;
	for (size_t i = 0; i < s->nmsgs; i++) {
		if (!s->msgs[i].deleted) {
			n++;
			o += s->msgs[i].size;
		}
	}
	*count_r = n;
	*octets_r = o;
}

/* A user name: printable, no spaces (split_args saw to length). */
static int valid_name(const char *u)
{
	if (!*u)
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 32 || *p >= 127)
			return 0;
	return 1;
}

/* ---- AUTHORIZATION (sections 4 and 7) --------------------------------- */

/* A failed USER/PASS or APOP: -ERR [AUTH] (RFC 2449 section 8.1.2); after
 * cfg.max_failed_logins of them the session is closed (section 4 lets the
 * server close after a failure). */
static void login_failed(struct pop3_server *s)
{
	if (++s->failed_logins >= s->cfg.max_failed_logins) {
		pop3_server_err(s, "[AUTH] invalid user name or password; too many failures, signing off");
		pop3_server_close_session(s);
		return;
	}
	pop3_server_err(s, "[AUTH] invalid user name or password");
}

/* The client is identified: lock the maildrop and take its snapshot
 * (section 8: "the server acquires an exclusive-access lock on the
 * maildrop"; on failure -ERR [IN-USE], RFC 2449 section 8.1.1, and the
 * session stays in AUTHORIZATION). */
static void login(struct pop3_server *s, const char *user)
{
	int rc = s->host.lock ? s->host.lock(s->host.ctx, user) : POP3_LOCK_FAILED;
	if (rc == POP3_LOCK_IN_USE) {
		pop3_server_err(s, "[IN-USE] maildrop already locked by another session");
		return;
	}
	if (rc != POP3_LOCK_OK) {
		pop3_server_err(s, "[SYS/TEMP] unable to lock maildrop");
		return;
	}
	snprintf(s->login, sizeof s->login, "%s", user);
	s->locked = 1;
	size_t n = s->host.count ? s->host.count(s->host.ctx) : 0;
	if (n > POP3_MAX_MESSAGES) {
		pop3_server_release(s);
		pop3_server_err(s, "[SYS/PERM] maildrop too large");
		return;
	}
	free(s->msgs);
	s->msgs = n ? calloc(n, sizeof *s->msgs) : NULL;
	if (n && !s->msgs) {
		pop3_server_release(s);
		pop3_server_err(s, "[SYS/TEMP] out of memory");
		return;
	}
	s->nmsgs = n;
	for (size_t i = 0; i < n; i++) {
		struct pop3_msg_info info;
		memset(&info, 0, sizeof info);
		if (s->host.info)
			s->host.info(s->host.ctx, i, &info);
		s->msgs[i].size = info.size;
		info.uid[sizeof info.uid - 1] = 0;
		int ok = info.uid[0] != 0;
		for (const unsigned char *p = (const unsigned char *)info.uid; *p; p++)
			ok &= *p >= 0x21 && *p <= 0x7e;
		if (ok)
			memcpy(s->msgs[i].uid, info.uid, sizeof info.uid);
		else
			snprintf(s->msgs[i].uid, sizeof s->msgs[i].uid, "%zu", i + 1);
	}
	size_t count;
	uint64_t octets;
	live_totals(s, &count, &octets);
	pop3_server_ok(s, "%s's maildrop has %zu messages (%llu octets)", user, count, (unsigned long long)octets);
	pop3_server_set_state(s, POP3_SERVER_TRANSACTION);
}

/* user = "USER" SP name CRLF                               (section 7) */
static void pop3_cmd_user(struct pop3_server *s, char *arg)
{
	char *argv[1];
	if (!s->cfg.user_pass) {
		pop3_server_err(s, "USER/PASS not allowed here; use APOP");
		return;
	}
	if (split_args(arg, argv, 1) != 1 || !valid_name(argv[0])) {
		pop3_server_err(s, "syntax: USER name");
		return;
	}
	/* Every name gets +OK: telling real users from others here would
	 * let anybody probe for mailboxes (section 13). */
	snprintf(s->user, sizeof s->user, "%s", argv[0]);
	s->have_user = 1;
	pop3_server_ok(s, "send PASS");
}

/* pass = "PASS" SP string CRLF                             (section 7)
 * Only right after a successful USER; the argument may contain spaces. */
static void pop3_cmd_pass(struct pop3_server *s, char *arg)
{
	if (!s->have_user) {
		pop3_server_err(s, "send USER first");
		return;
	}
	s->have_user = 0;
	if (!*arg) {
		pop3_server_err(s, "syntax: PASS string");
		return;
	}
	if (!s->host.authenticate || !s->host.authenticate(s->host.ctx, s->user, arg)) {
		login_failed(s);
		return;
	}
	login(s, s->user);
}

/* apop = "APOP" SP name SP digest CRLF                     (section 7)
 * digest: MD5 of the greeting's timestamp followed by the shared secret,
 * as 32 lowercase hex digits. */
static void pop3_cmd_apop(struct pop3_server *s, char *arg)
{
	char *argv[2];
	if (!s->cfg.apop) {
		pop3_server_err(s, "APOP not supported (no timestamp in the greeting)");
		return;
	}
	if (split_args(arg, argv, 2) != 2 || !valid_name(argv[0])) {
		pop3_server_err(s, "syntax: APOP name digest");
		return;
	}
	char *d = argv[1];
	int ok = strlen(d) == 32;
	for (char *p = d; *p && ok; p++) {
		*p = (char)tolower((unsigned char)*p);
		ok = isxdigit((unsigned char)*p) != 0;
	}
	if (!ok || !s->host.apop || !s->host.apop(s->host.ctx, argv[0], d, s->timestamp)) {
		login_failed(s);
		return;
	}
	login(s, argv[0]);
}

/* ---- TRANSACTION (section 5) ----------------------------------------- */

static int no_args(struct pop3_server *s, const char *arg, const char *verb)
{
	if (*arg) {
		pop3_server_err(s, "syntax: %s takes no argument", verb);
		return -1;
	}
	return 0;
}

/* stat = "STAT" CRLF  ->  "+OK" SP nn SP mm (deleted messages not counted) */
static void pop3_cmd_stat(struct pop3_server *s, char *arg)
{
	if (no_args(s, arg, "STAT") < 0)
		return;
	size_t count;
	uint64_t octets;
	live_totals(s, &count, &octets);
	pop3_server_ok(s, "%zu %llu", count, (unsigned long long)octets);
}

/* A listing for LIST or UIDL: with msg, one line; without, a multi-line
 * response with one "n value" line per message not marked deleted. */
static void listing(struct pop3_server *s, char *arg, const char *verb, int uidl)
{
	char *argv[1];
	int argc = split_args(arg, argv, 1);
	if (argc < 0) {
		pop3_server_err(s, "syntax: %s [msg]", verb);
		return;
	}
	if (argc == 1) {
		size_t i;
		if (message_arg(s, argv[0], &i) < 0)
			return;
		if (uidl)
			pop3_server_ok(s, "%zu %s", i + 1, s->msgs[i].uid);
		else
			pop3_server_ok(s, "%zu %llu", i + 1, (unsigned long long)s->msgs[i].size);
		return;
	}
	size_t count;
	uint64_t octets;
	live_totals(s, &count, &octets);
	struct buf b;
	buf_init(&b, (size_t)-1);
	for (size_t i = 0; i < s->nmsgs; i++) {
		if (s->msgs[i].deleted)
			continue;
		if (uidl)
			buf_printf(&b, "%zu %s\r\n", i + 1, s->msgs[i].uid);
		else
			buf_printf(&b, "%zu %llu\r\n", i + 1, (unsigned long long)s->msgs[i].size);
	}
	if (b.err) {
		buf_free(&b);
		pop3_server_err(s, "[SYS/TEMP] out of memory");
		return;
	}
	if (uidl)
		pop3_server_ok(s, "unique-id listing follows");
	else
		pop3_server_ok(s, "%zu messages (%llu octets)", count, (unsigned long long)octets);
	pop3_server_multiline(s, (const uint8_t *)b.data, b.len);
	buf_free(&b);
}

/* list = "LIST" [SP msg] CRLF                               (section 5) */
static void pop3_cmd_list(struct pop3_server *s, char *arg) { listing(s, arg, "LIST", 0); }

/* uidl = "UIDL" [SP msg] CRLF                               (section 7) */
static void pop3_cmd_uidl(struct pop3_server *s, char *arg) { listing(s, arg, "UIDL", 1); }

static const uint8_t *message_bytes(struct pop3_server *s, size_t i, size_t *len_r)
{
	*len_r = 0;
	const uint8_t *p = s->host.get ? s->host.get(s->host.ctx, i, len_r) : NULL;
	if (!p)
		pop3_server_err(s, "[SYS/TEMP] message %zu cannot be read", i + 1);
	return p;
}

/* retr = "RETR" SP msg CRLF                                 (section 5) */
static void pop3_cmd_retr(struct pop3_server *s, char *arg)
{
	char *argv[1];
	if (split_args(arg, argv, 1) != 1) {
		pop3_server_err(s, "syntax: RETR msg");
		return;
	}
	size_t i, len;
	if (message_arg(s, argv[0], &i) < 0)
		return;
	const uint8_t *p = message_bytes(s, i, &len);
	if (!p)
		return;
	pop3_server_ok(s, "%llu octets", (unsigned long long)s->msgs[i].size);
	pop3_server_multiline(s, p, len);
}

/* The header section and the first n lines of the body (section 7):
 * where the header ends (the empty line included), then n line ends
 * further, or the whole message if it is shorter. */
static size_t top_length(const uint8_t *p, size_t len, uint64_t n)
{
	size_t i = 0;
	int at_line_start = 1;
	while (i < len) {
		if (at_line_start && (p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n'))) {
			i += p[i] == '\r' ? 2 : 1;
			break; /* the empty line that ends the header */
		}
		at_line_start = p[i] == '\n';
		i++;
	}
	for (; n > 0 && i < len; n--) {
		const uint8_t *lf = memchr(p + i, '\n', len - i);
		i = lf ? (size_t)(lf - p) + 1 : len;
	}
	return i;
}

/* top = "TOP" SP msg SP n CRLF                              (section 7) */
static void pop3_cmd_top(struct pop3_server *s, char *arg)
{
	char *argv[2];
	uint64_t n;
	if (split_args(arg, argv, 2) != 2 || parse_number(argv[1], UINT64_MAX, 1, &n) < 0) {
		pop3_server_err(s, "syntax: TOP msg n");
		return;
	}
	size_t i, len;
	if (message_arg(s, argv[0], &i) < 0)
		return;
	const uint8_t *p = message_bytes(s, i, &len);
	if (!p)
		return;
	pop3_server_ok(s, "top of message follows");
	pop3_server_multiline(s, p, top_length(p, len, n));
}

/* dele = "DELE" SP msg CRLF                                 (section 5)
 * Only marks the message: it is removed in the UPDATE state. */
static void pop3_cmd_dele(struct pop3_server *s, char *arg)
{
	char *argv[1];
	if (split_args(arg, argv, 1) != 1) {
		pop3_server_err(s, "syntax: DELE msg");
		return;
	}
	size_t i;
	if (message_arg(s, argv[0], &i) < 0)
		return;
	s->msgs[i].deleted = 1;
	pop3_server_ok(s, "message %zu deleted", i + 1);
}

/* noop = "NOOP" CRLF                                        (section 5) */
static void pop3_cmd_noop(struct pop3_server *s, char *arg)
{
	if (no_args(s, arg, "NOOP") == 0)
		pop3_server_ok(s, "%s", "");
}

/* rset = "RSET" CRLF                                        (section 5)
 * Unmarks every message marked deleted. */
static void pop3_cmd_rset(struct pop3_server *s, char *arg)
{
	if (no_args(s, arg, "RSET") < 0)
		return;
	for (size_t i = 0; i < s->nmsgs; i++)
		s->msgs[i].deleted = 0;
	size_t count;
	uint64_t octets;
	live_totals(s, &count, &octets);
	pop3_server_ok(s, "maildrop has %zu messages (%llu octets)", count, (unsigned long long)octets);
}

/* quit = "QUIT" CRLF                                  (sections 4 and 6)
 * In AUTHORIZATION the session just ends; in TRANSACTION it enters UPDATE,
 * where the messages marked deleted are removed and the lock released. */
static void pop3_cmd_quit(struct pop3_server *s, char *arg)
{
	if (no_args(s, arg, "QUIT") < 0)
		return;
	char text[POP3_RESP_TEXT_MAX];
	pop3_server_expand(s, s->cfg.quit_text, text, 400);
	if (s->state == POP3_SERVER_AUTHORIZATION) {
		pop3_server_ok(s, "%s", text);
		pop3_server_close_session(s);
		return;
	}
	pop3_server_set_state(s, POP3_SERVER_UPDATE);
	size_t *del = NULL, ndel = 0;
	if (s->nmsgs)
		del = malloc(s->nmsgs * sizeof *del);
	for (size_t i = 0; del && i < s->nmsgs; i++)
		if (s->msgs[i].deleted)
			del[ndel++] = i;
	int rc = 0;
	if (s->nmsgs && !del)
		rc = -1;
	else if (ndel)
		rc = s->host.commit ? s->host.commit(s->host.ctx, del, ndel) : -1;
	free(del);
	if (rc < 0) {
		pop3_server_err(s, "some deleted messages not removed");
	} else {
		size_t left = s->nmsgs - ndel;
		if (left == 0)
			pop3_server_ok(s, "%s (maildrop empty)", text);
		else
			pop3_server_ok(s, "%s (%zu message%s left)", text, left, left == 1 ? "" : "s");
	}
	pop3_server_close_session(s);
}

/* capa = "CAPA" CRLF                                (RFC 2449 section 5)
 * The capabilities this engine has, one per line. */
static void pop3_cmd_capa(struct pop3_server *s, char *arg)
{
	if (no_args(s, arg, "CAPA") < 0)
		return;
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "TOP\r\n");
	if (s->cfg.user_pass)
		buf_puts(&b, "USER\r\n");
	buf_puts(&b, "RESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUIDL\r\n");
	if (s->cfg.implementation) {
		char impl[300];
		pop3_server_expand(s, s->cfg.implementation, impl, sizeof impl);
		buf_printf(&b, "IMPLEMENTATION %s\r\n", impl);
	}
	pop3_server_ok(s, "Capability list follows");
	pop3_server_multiline(s, (const uint8_t *)b.data, b.len);
	buf_free(&b);
}

/* ---- dispatch -------------------------------------------------------- */

void pop3_server_command_line(struct pop3_server *s, const struct line_event *ev)
{
	if (s->host.trace)
		s->host.trace(s->host.ctx, 0, (const char *)ev->text, ev->len);
	int had_user = s->have_user;
	s->have_user = 0; /* PASS must come right after USER */
	if (ev->has_nul || ev->bare_cr) {
		pop3_server_err(s, "NUL or bare CR in command");
		return;
	}
	char line[POP3_CMD_LINE_MAX + 1];
	memcpy(line, ev->text, ev->len);
	line[ev->len] = 0;
	/* section 3: a keyword, then arguments after single spaces */
	size_t vlen = strcspn(line, " ");
	char *arg = line + vlen;
	if (*arg)
		*arg++ = 0;
	const struct pop3_command *cmd = NULL;
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcasecmp(line, commands[i].verb) == 0) {
			cmd = &commands[i];
			break;
		}
	}
	if (!cmd) {
		pop3_server_err(s, vlen ? "unknown command" : "empty command");
		return;
	}
	if (!(cmd->states & (1u << s->state))) {
		pop3_server_err(s, s->state == POP3_SERVER_AUTHORIZATION ? "%s not allowed before login"
									     : "%s not allowed after login",
				cmd->verb);
		return;
	}
	if (cmd->fn == pop3_cmd_pass)
		s->have_user = had_user;
	cmd->fn(s, arg);
}

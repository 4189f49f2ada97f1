/* The IMAP server engine's session: command assembly from lines and
 * literals, the output buffer, the state setter, the selected mailbox's
 * sequence map and the untagged updates it owes the client, and the life
 * cycle. The commands are in imap_server_cmd.c and imap_server_msg.c. See
 * imap_server.h for the contract. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/imap_server_internal.h"

static const char *const state_names[] = {
	[IMAP_SERVER_NOT_AUTH] = "NOT_AUTHENTICATED",
	[IMAP_SERVER_AUTH] = "AUTHENTICATED",
	[IMAP_SERVER_SELECTED] = "SELECTED",
	[IMAP_SERVER_LOGOUT] = "LOGOUT",
};

const char *imap_server_state_name(enum imap_server_state st)
{
	if ((unsigned)st < sizeof state_names / sizeof state_names[0] && state_names[st])
		return state_names[st];
	return "?";
}

void imap_srv_set_state(struct imap_server *s, enum imap_server_state to)
{
	enum imap_server_state from = s->state;
	if (from == to)
		return;
	s->state = to;
	if (s->host.state_changed)
		s->host.state_changed(s->host.ctx, from, to);
}

/* ---- output ---------------------------------------------------------- */

static void trace_lines(struct imap_server *s, int sent, const uint8_t *p, size_t len)
{
	if (!s->host.trace)
		return;
	while (len > 0) {
		const uint8_t *lf = memchr(p, '\n', len);
		size_t n = lf ? (size_t)(lf - p) : len;
		size_t shown = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
		s->host.trace(s->host.ctx, sent, (const char *)p, shown);
		if (!lf)
			break;
		len -= n + 1;
		p += n + 1;
	}
}

void imap_srv_out(struct imap_server *s, const void *bytes, size_t len)
{
	if (s->closing && s->state == IMAP_SERVER_LOGOUT && s->out.err)
		return;
	if (s->out_start > 0 && s->out_start == s->out.len) {
		buf_reset(&s->out);
		s->out_start = 0;
	} else if (s->out_start > (1u << 16) && s->out_start * 2 > s->out.len) {
		size_t keep = s->out.len - s->out_start;
		memmove(s->out.data, s->out.data + s->out_start, keep);
		buf_truncate(&s->out, keep);
		s->out_start = 0;
	}
	if (s->out.len - s->out_start + len > s->cfg.max_output || buf_append(&s->out, bytes, len) < 0) {
		/* A client that never reads, or a response we cannot hold:
		 * end the session rather than grow without bound. */
		if (!s->closing) {
			static const char bye[] = "* BYE Too much unread output, closing\r\n";
			s->out.err = 0;
			buf_append(&s->out, bye, sizeof bye - 1);
			trace_lines(s, 1, (const uint8_t *)bye, sizeof bye - 1);
			s->closing = 1;
			imap_srv_set_state(s, IMAP_SERVER_LOGOUT);
		}
		return;
	}
	trace_lines(s, 1, bytes, len);
}

void imap_srv_out_buf(struct imap_server *s, const struct buf *b)
{
	if (b->err) {
		imap_srv_bye(s, "Response too large");
		return;
	}
	imap_srv_out(s, b->data, b->len);
}

void imap_srv_untagged(struct imap_server *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof line - 2 ? (size_t)n : sizeof line - 3;
	line[len++] = '\r';
	line[len++] = '\n';
	imap_srv_out(s, line, len);
}

void imap_srv_bye(struct imap_server *s, const char *text)
{
	if (s->closing)
		return;
	imap_srv_untagged(s, "* BYE %s", text);
	s->closing = 1;
	s->idling = 0;
	s->auth_pending = 0;
	if (s->state == IMAP_SERVER_SELECTED)
		imap_srv_unselect(s);
	imap_srv_set_state(s, IMAP_SERVER_LOGOUT);
}

const uint8_t *imap_server_output(const struct imap_server *s, size_t *len_r)
{
	static const uint8_t empty[1];
	*len_r = s->out.len - s->out_start;
	return s->out.data ? (const uint8_t *)s->out.data + s->out_start : empty;
}

void imap_server_consume(struct imap_server *s, size_t n)
{
	size_t have = s->out.len - s->out_start;
	s->out_start += n < have ? n : have;
	if (s->out_start == s->out.len) {
		buf_reset(&s->out);
		s->out_start = 0;
	}
}

/* ---- results --------------------------------------------------------- */

static void clean_copy(char *dst, size_t cap, const char *src)
{
	size_t o = 0;
	for (; src && *src && o + 1 < cap; src++)
		dst[o++] = ((unsigned char)*src < 32 || *src == 127) ? ' ' : *src;
	dst[o] = 0;
}

void imap_srv_result(struct imap_server *s, const char *status, const char *code, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	s->res_status = status;
	clean_copy(s->res_code, sizeof s->res_code, code ? code : "");
	clean_copy(s->res_text, sizeof s->res_text, text);
}

void imap_srv_bad(struct imap_server *s, const char *why)
{
	imap_srv_result(s, "BAD", NULL, "%s", why && *why ? why : "Syntax error");
}

int imap_srv_end(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_at_end(c))
		return 0;
	imap_srv_bad(s, "Unexpected extra arguments");
	return -1;
}

void imap_srv_store_error(struct imap_server *s, int err, int trycreate)
{
	switch (err) {
	case IMAP_STORE_NOT_FOUND:
		imap_srv_result(s, "NO", trycreate ? "TRYCREATE" : "NONEXISTENT", "Mailbox doesn't exist");
		break;
	case IMAP_STORE_EXISTS: imap_srv_result(s, "NO", "ALREADYEXISTS", "Mailbox already exists"); break;
	case IMAP_STORE_BAD_NAME: imap_srv_result(s, "NO", "CANNOT", "Invalid mailbox name"); break;
	case IMAP_STORE_FULL: imap_srv_result(s, "NO", "OVERQUOTA", "Mailbox host disk full"); break;
	case IMAP_STORE_INBOX: imap_srv_result(s, "NO", "CANNOT", "INBOX cannot be deleted"); break;
	case IMAP_STORE_HAS_CHILDREN:
		imap_srv_result(s, "NO", "INUSE", "Mailbox has children, delete them first");
		break;
	case IMAP_STORE_LOCKED: imap_srv_result(s, "NO", "INUSE", "Mailbox locked by a POP3 session"); break;
	case IMAP_STORE_TOO_MANY: imap_srv_result(s, "NO", "LIMIT", "Too many mailboxes or keywords"); break;
	case IMAP_STORE_AUTH:
		imap_srv_result(s, "NO", "AUTHENTICATIONFAILED", "Authentication failed");
		break;
	default: imap_srv_result(s, "NO", "SERVERBUG", "Internal error (%d)", err); break;
	}
}

/* ---- flags ----------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t bit;
} system_flags[] = {
	{"\\Seen", IMAP_F_SEEN},       {"\\Answered", IMAP_F_ANSWERED}, {"\\Flagged", IMAP_F_FLAGGED},
	{"\\Deleted", IMAP_F_DELETED}, {"\\Draft", IMAP_F_DRAFT},       {"\\Recent", IMAP_F_RECENT},
};

void imap_srv_put_flags(struct imap_server *s, struct buf *b, uint32_t flags, uint64_t keywords)
{
	buf_putc(b, '(');
	int first = 1;
	for (size_t i = 0; i < sizeof system_flags / sizeof system_flags[0]; i++) {
		if (!(flags & system_flags[i].bit))
			continue;
		if (!first)
			buf_putc(b, ' ');
		buf_puts(b, system_flags[i].name);
		first = 0;
	}
	for (int k = 0; keywords && k < IMAP_MAX_KEYWORDS; k++) {
		if (!(keywords & (UINT64_C(1) << k)))
			continue;
		const char *name = s->st->keyword_name(s->sctx, k);
		if (!name)
			continue;
		if (!first)
			buf_putc(b, ' ');
		buf_puts(b, name);
		first = 0;
	}
	buf_putc(b, ')');
}

const char *imap_srv_read_flags(struct imap_server *s, struct imap_cursor *c, int paren_optional, int create,
				uint32_t *flags_r, uint64_t *keywords_r)
{
	*flags_r = 0;
	*keywords_r = 0;
	int paren = imap_peek(c) == '(';
	if (!paren && !paren_optional)
		return "Expected a flag list";
	if (paren) {
		imap_expect(c, '(');
		if (imap_peek(c) == ')') {
			imap_expect(c, ')');
			return NULL;
		}
	}
	struct buf f;
	buf_init(&f, 256);
	const char *err = NULL;
	for (;;) {
		buf_reset(&f);
		if (imap_read_flag(c, &f) < 0) {
			err = c->err ? c->err : "Bad flag";
			break;
		}
		if (f.data[0] == '\\') {
			size_t i;
			for (i = 0; i < sizeof system_flags / sizeof system_flags[0]; i++)
				if (strcasecmp(f.data, system_flags[i].name) == 0)
					break;
			if (i == sizeof system_flags / sizeof system_flags[0]) {
				err = "Unknown system flag";
				break;
			}
			/* \Recent belongs to the server (RFC 3501 2.3.2). */
			if (system_flags[i].bit != IMAP_F_RECENT)
				*flags_r |= system_flags[i].bit;
		} else {
			int bit = s->st->keyword(s->sctx, f.data, create);
			if (bit >= 0 && bit < IMAP_MAX_KEYWORDS)
				*keywords_r |= UINT64_C(1) << bit;
			else if (create) {
				err = "Too many keywords";
				break;
			}
		}
		if (paren && imap_peek(c) == ')') {
			imap_expect(c, ')');
			break;
		}
		if (!paren && imap_peek(c) != ' ')
			break;
		if (imap_sp(c) < 0) {
			err = "Expected a space or ')' in the flag list";
			break;
		}
	}
	buf_free(&f);
	return err;
}

/* ---- the selected mailbox -------------------------------------------- */

static int push_uid(uint32_t **v, size_t *n, size_t *cap, uint32_t uid)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		uint32_t *p = realloc(*v, nc * sizeof *p);
		if (!p)
			return -1;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = uid;
	return 0;
}

static int map_reserve(struct imap_server *s, size_t more)
{
	if (s->nmap + more <= s->capmap)
		return 0;
	size_t cap = s->capmap ? s->capmap : 64;
	while (cap < s->nmap + more)
		cap *= 2;
	struct imap_seq *p = realloc(s->map, cap * sizeof *p);
	if (!p)
		return -1;
	s->map = p;
	s->capmap = cap;
	return 0;
}

long imap_srv_seq_of_uid(const struct imap_server *s, uint32_t uid)
{
	size_t lo = 0, hi = s->nmap;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->map[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nmap && s->map[lo].uid == uid ? (long)lo : -1;
}

/* Adds the store's message at index to the map, taking \Recent if this
 * session may. */
static int map_add(struct imap_server *s, const struct imap_store_msg *m)
{
	if (map_reserve(s, 1) < 0)
		return -1;
	uint32_t flags = m->flags & IMAP_FLAG_SYSTEM_MASK;
	if (!s->read_only && s->st->take_recent(s->sctx, m->uid) > 0) {
		flags |= IMAP_F_RECENT;
		s->nrecent++;
	}
	s->map[s->nmap++] = (struct imap_seq){m->uid, flags, m->keywords};
	return 0;
}

int imap_srv_select(struct imap_server *s, const char *name, int read_only)
{
	struct imap_mailbox_status st;
	int rc = s->st->select(s->sctx, name, &st);
	if (rc < 0)
		return rc;
	snprintf(s->mailbox, sizeof s->mailbox, "%s", name);
	s->read_only = read_only;
	s->uidvalidity = st.uidvalidity;
	s->nmap = s->ngone = s->nnew = s->nflag = 0;
	s->nrecent = 0;
	size_t n = s->st->count(s->sctx);
	if (map_reserve(s, n) < 0) {
		s->st->unselect(s->sctx);
		return IMAP_STORE_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct imap_store_msg m;
		if (s->st->message_at(s->sctx, i, &m) == 0)
			map_add(s, &m);
	}
	/* Our own take_recent calls may have queued flag notes: drop them. */
	s->nflag = 0;
	imap_srv_set_state(s, IMAP_SERVER_SELECTED);
	return 0;
}

void imap_srv_unselect(struct imap_server *s)
{
	if (s->state != IMAP_SERVER_SELECTED)
		return;
	s->st->unselect(s->sctx);
	s->nmap = s->ngone = s->nnew = s->nflag = 0;
	s->nrecent = 0;
	s->mailbox[0] = 0;
	imap_srv_set_state(s, s->closing ? IMAP_SERVER_LOGOUT : IMAP_SERVER_AUTH);
}

static int selected(const struct imap_server *s) { return s->state == IMAP_SERVER_SELECTED && !s->closing; }

void imap_server_note_appended(struct imap_server *s, uint32_t uid)
{
	if (!selected(s))
		return;
	if ((s->nmap && uid <= s->map[s->nmap - 1].uid) || (s->nnew && uid <= s->new_uids[s->nnew - 1]))
		return; /* not new to us */
	if (push_uid(&s->new_uids, &s->nnew, &s->capnew, uid) < 0)
		return;
	if (s->idling)
		imap_srv_flush_updates(s, 1);
}

void imap_server_note_flags(struct imap_server *s, uint32_t uid)
{
	if (!selected(s) || (s->own_change && uid == s->own_uid))
		return;
	long i = imap_srv_seq_of_uid(s, uid);
	if (i < 0 || (s->map[i].flags & (SEQ_GONE | SEQ_PENDING)))
		return;
	if (push_uid(&s->flag_uids, &s->nflag, &s->capflag, uid) < 0)
		return;
	s->map[i].flags |= SEQ_PENDING;
	if (s->idling)
		imap_srv_flush_updates(s, 1);
}

void imap_server_note_expunged(struct imap_server *s, uint32_t uid)
{
	if (!selected(s))
		return;
	long i = imap_srv_seq_of_uid(s, uid);
	if (i < 0) {
		/* Appended and expunged before we told the client: forget it. */
		for (size_t k = 0; k < s->nnew; k++)
			if (s->new_uids[k] == uid)
				s->new_uids[k] = 0;
		return;
	}
	if (s->map[i].flags & SEQ_GONE)
		return;
	s->map[i].flags |= SEQ_GONE;
	s->ngone++;
	if (s->idling)
		imap_srv_flush_updates(s, 1);
}

void imap_server_note_gone(struct imap_server *s)
{
	if (!selected(s) || s->self_remove)
		return;
	imap_srv_bye(s, "Selected mailbox was deleted or renamed, have to disconnect");
}

static void flush_flags(struct imap_server *s)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	for (size_t k = 0; k < s->nflag; k++) {
		long i = imap_srv_seq_of_uid(s, s->flag_uids[k]);
		if (i < 0)
			continue;
		struct imap_seq *e = &s->map[i];
		e->flags &= ~SEQ_PENDING;
		long si = e->flags & SEQ_GONE ? -1 : s->st->index_of(s->sctx, e->uid);
		struct imap_store_msg m;
		if (si < 0 || s->st->message_at(s->sctx, (size_t)si, &m) < 0)
			continue;
		uint32_t now = (m.flags & IMAP_FLAG_SYSTEM_MASK) | (e->flags & IMAP_F_RECENT);
		if (now == (e->flags & (IMAP_FLAG_SYSTEM_MASK | IMAP_F_RECENT)) && m.keywords == e->keywords)
			continue; /* changed and changed back, or only \Recent moved */
		e->flags = now | (e->flags & SEQ_GONE);
		e->keywords = m.keywords;
		buf_reset(&b);
		buf_printf(&b, "* %ld FETCH (FLAGS ", i + 1);
		imap_srv_put_flags(s, &b, now, m.keywords);
		if (s->uid_cmd)
			buf_printf(&b, " UID %u", e->uid);
		buf_puts(&b, ")\r\n");
		imap_srv_out_buf(s, &b);
	}
	s->nflag = 0;
	buf_free(&b);
}

static void flush_expunges(struct imap_server *s)
{
	size_t w = 0, removed = 0;
	for (size_t i = 0; i < s->nmap; i++) {
		if (s->map[i].flags & SEQ_GONE) {
			/* Numbers after each EXPUNGE move down by one. */
			imap_srv_untagged(s, "* %zu EXPUNGE", i - removed + 1);
			if (s->map[i].flags & IMAP_F_RECENT)
				s->nrecent--;
			removed++;
			continue;
		}
		s->map[w++] = s->map[i];
	}
	s->nmap = w;
	s->ngone = 0;
}

static void flush_new(struct imap_server *s)
{
	uint32_t recent_before = s->nrecent;
	size_t before = s->nmap;
	for (size_t k = 0; k < s->nnew; k++) {
		uint32_t uid = s->new_uids[k];
		long si = uid ? s->st->index_of(s->sctx, uid) : -1;
		struct imap_store_msg m;
		if (si < 0 || s->st->message_at(s->sctx, (size_t)si, &m) < 0)
			continue;
		s->own_change = 1;
		s->own_uid = uid;
		map_add(s, &m);
		s->own_change = 0;
	}
	s->nnew = 0;
	if (s->nmap != before) {
		imap_srv_untagged(s, "* %zu EXISTS", s->nmap);
		imap_srv_untagged(s, "* %u RECENT", s->nrecent);
	} else if (s->nrecent != recent_before) {
		imap_srv_untagged(s, "* %u RECENT", s->nrecent);
	}
}

void imap_srv_flush_updates(struct imap_server *s, int allow_expunge)
{
	if (!selected(s))
		return;
	if (s->nflag)
		flush_flags(s);
	if (allow_expunge && s->ngone)
		flush_expunges(s);
	if (s->nnew)
		flush_new(s);
}

/* ---- input ----------------------------------------------------------- */

/* The tag at the start of the command being assembled, for replies to a
 * command refused before it is whole. */
static void partial_tag(struct imap_server *s, char *out, size_t cap)
{
	size_t n = 0;
	while (n < s->cmd.len && n + 1 < cap && n < IMAP_TAG_MAX) {
		unsigned char ch = (unsigned char)s->cmd.data[n];
		if (ch <= ' ' || ch >= 127 || ch == '{' || ch == '(' || ch == ')' || ch == '%' || ch == '*' ||
		    ch == '"' || ch == '\\' || ch == '+')
			break;
		out[n++] = (char)ch;
	}
	out[n] = 0;
	if (n == 0)
		snprintf(out, cap, "*");
}

static void refuse_partial(struct imap_server *s, const char *status, const char *code, const char *text)
{
	char tag[IMAP_TAG_MAX + 1];
	partial_tag(s, tag, sizeof tag);
	imap_srv_untagged(s, "%s %s %s%s%s%s", tag, status, code ? "[" : "", code ? code : "", code ? "] " : "",
			  text);
	buf_reset(&s->cmd);
	s->nliterals = 0;
}

/* A refused line that ends announcing a non-synchronising literal: the
 * client sends its octets without waiting, so they are read and dropped
 * (RFC 7888 4), never taken for commands; past IMAP_DISCARD_FACTOR times
 * the literal limit the session ends instead. A synchronising one needs
 * nothing: the client waits for a "+" that never comes. */
static void skip_announced_literal(struct imap_server *s, const struct line_event *ev)
{
	uint64_t n = 0;
	int nonsync = 0;
	if (imap_line_literal(ev->text, ev->len, &n, &nonsync) != 1 || !nonsync)
		return;
	if (n / IMAP_DISCARD_FACTOR > s->cfg.max_literal) {
		imap_srv_bye(s, "Literal too big to skip, closing");
		return;
	}
	s->discarding = 1;
	line_reader_set_mode(s->lr, LINE_MODE_LITERAL, n);
}

static void command_line(struct imap_server *s, const struct line_event *ev)
{
	if (s->host.trace)
		s->host.trace(s->host.ctx, 0, (const char *)ev->text, ev->len);
	if (s->idling || s->auth_pending) {
		if (s->idling) {
			s->idling = 0;
			int done = ev->len == 4 && strncasecmp((const char *)ev->text, "DONE", 4) == 0;
			if (done)
				imap_srv_result(s, "OK", NULL, "IDLE terminated");
			else
				imap_srv_result(s, "BAD", NULL, "Expected DONE to end IDLE");
			s->uid_cmd = 0;
			s->cmd_flags = 0;
			imap_srv_finish(s);
		} else {
			imap_srv_auth_response(s, ev->text, ev->len);
		}
		return;
	}
	if (s->skipping) {
		/* The tail of a refused command; it may announce more literals. */
		uint64_t n = 0;
		int nonsync = 0;
		s->skipping = 0;
		if (imap_line_literal(ev->text, ev->len, &n, &nonsync) == 1 && nonsync &&
		    n / IMAP_DISCARD_FACTOR <= s->cfg.max_literal) {
			s->discarding = 1;
			line_reader_set_mode(s->lr, LINE_MODE_LITERAL, n);
		}
		return;
	}
	if (ev->has_nul) {
		buf_append(&s->cmd, ev->text, ev->len);
		refuse_partial(s, "BAD", NULL, "NUL octets are not allowed in commands");
		skip_announced_literal(s, ev);
		return;
	}
	if (buf_append(&s->cmd, ev->text, ev->len) < 0) {
		refuse_partial(s, "BAD", NULL, "Command too long");
		skip_announced_literal(s, ev);
		return;
	}
	uint64_t n = 0;
	int nonsync = 0;
	int lit = imap_line_literal(ev->text, ev->len, &n, &nonsync);
	if (lit < 0) {
		refuse_partial(s, "BAD", NULL, "Malformed literal");
		return;
	}
	if (lit == 0) {
		s->nliterals = 0;
		imap_srv_execute(s, (const uint8_t *)s->cmd.data, s->cmd.len);
		/* Keep a small buffer for the next command, not an APPEND's. */
		if (s->cmd.cap > 64 * 1024)
			buf_free(&s->cmd);
		else
			buf_reset(&s->cmd);
		return;
	}
	if (n > s->cfg.max_literal || ++s->nliterals > IMAP_MAX_LITERALS || s->cmd.len + n + 2 > s->cmd.max) {
		if (!nonsync) {
			/* Nothing of it was sent yet: the client waits for "+". */
			refuse_partial(s, "NO", "TOOBIG", "Literal too big");
			return;
		}
		refuse_partial(s, "BAD", "TOOBIG", "Literal too big");
		if (n / IMAP_DISCARD_FACTOR > s->cfg.max_literal) {
			imap_srv_bye(s, "Literal too big to skip, closing");
			return;
		}
		s->discarding = 1;
		line_reader_set_mode(s->lr, LINE_MODE_LITERAL, n);
		return;
	}
	buf_append(&s->cmd, "\r\n", 2);
	s->literal_start = s->cmd.len;
	if (buf_reserve(&s->cmd, (size_t)n) < 0) {
		refuse_partial(s, "NO", "TOOBIG", "Literal too big for this server now");
		return;
	}
	line_reader_set_mode(s->lr, LINE_MODE_LITERAL, n);
	if (!nonsync)
		imap_srv_untagged(s, "+ Ready for literal data");
}

static void handle_event(struct imap_server *s, const struct line_event *ev)
{
	switch (ev->type) {
	case LINE_EV_LINE:
		command_line(s, ev);
		break;
	case LINE_EV_TOO_LONG:
		if (s->host.trace)
			s->host.trace(s->host.ctx, 0, "(line too long)", 15);
		if (s->idling || s->auth_pending) {
			struct line_event empty = {.type = LINE_EV_LINE, .text = (const uint8_t *)"", .len = 0};
			command_line(s, &empty);
		} else if (!ev->text) {
			/* Longer than the whole buffer: its end is never seen,
			 * so whether it announced a LITERAL+ string (whose
			 * octets would then be taken for commands) cannot be
			 * known. Closing is the safe answer (Dovecot's "BYE Too
			 * long argument"). */
			imap_srv_bye(s, "Line too long, closing");
		} else if (s->cmd.len > 0) {
			refuse_partial(s, "BAD", NULL, "Line too long");
			skip_announced_literal(s, ev);
		} else {
			imap_srv_untagged(s, "* BAD Line too long");
			skip_announced_literal(s, ev);
		}
		break;
	case LINE_EV_LITERAL:
		if (!s->discarding)
			buf_append(&s->cmd, ev->text, ev->len);
		break;
	case LINE_EV_LITERAL_END:
		if (s->discarding) {
			/* The rest of the refused command's line follows. */
			s->discarding = 0;
			s->skipping = 1;
			break;
		}
		if (s->host.trace && s->cmd.len > s->literal_start)
			trace_lines(s, 0, (const uint8_t *)s->cmd.data + s->literal_start,
				    s->cmd.len - s->literal_start);
		break;
	default:
		break;
	}
}

size_t imap_server_feed(struct imap_server *s, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	size_t off = 0;
	while (off < len && !s->closing) {
		size_t took = line_reader_feed(s->lr, p + off, len - off);
		off += took;
		struct line_event ev;
		int events = 0;
		while (!s->closing && line_reader_next(s->lr, &ev) > 0) {
			handle_event(s, &ev);
			events++;
		}
		if (took == 0 && events == 0)
			break;
	}
	if (s->closing)
		line_reader_discard(s->lr);
	return len;
}

/* ---- life cycle ------------------------------------------------------ */

void imap_server_config_init(struct imap_server_config *cfg, const char *hostname)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->hostname = hostname;
	cfg->max_line = 8192;
	cfg->max_literal = 10 * 1024 * 1024;
	cfg->max_output = 64 * 1024 * 1024;
	cfg->max_bad_logins = 3;
}

static int store_complete(const struct imap_store_ops *o)
{
	return o && o->login && o->mailbox_at && o->create && o->remove && o->rename && o->subscribe && o->status &&
	       o->append && o->select && o->unselect && o->count && o->message_at && o->index_of && o->set_flags &&
	       o->take_recent && o->copy && o->expunge && o->keyword && o->keyword_name;
}

static char *dup_or(const char *v, const char *def)
{
	const char *src = v ? v : def;
	size_t n = strlen(src);
	char *c = malloc(n + 1);
	if (c)
		memcpy(c, src, n + 1);
	return c;
}

struct imap_server *imap_server_new(const struct imap_server_config *cfg, const struct imap_server_host *host)
{
	if (!cfg || !cfg->hostname || !host || !store_complete(host->store))
		return NULL;
	struct imap_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->host = *host;
	s->st = host->store;
	s->sctx = host->store_ctx;
	if (!s->cfg.max_line)
		s->cfg.max_line = 8192;
	if (!s->cfg.max_literal)
		s->cfg.max_literal = 10 * 1024 * 1024;
	if (!s->cfg.max_output)
		s->cfg.max_output = 64 * 1024 * 1024;
	if (!s->cfg.max_bad_logins)
		s->cfg.max_bad_logins = 3;
	char def_greeting[300];
	snprintf(def_greeting, sizeof def_greeting, "%.200s IMAP4rev1 server ready", cfg->hostname);
	s->owned[0] = dup_or(cfg->hostname, "");
	s->owned[1] = dup_or(cfg->greeting, def_greeting);
	s->owned[2] = cfg->alert ? dup_or(cfg->alert, "") : NULL;
	s->cfg.hostname = s->owned[0];
	s->cfg.greeting = s->owned[1];
	s->cfg.alert = s->owned[2];
	s->lr = line_reader_new(s->cfg.max_line, s->cfg.max_line + 4096);
	buf_init(&s->cmd, (size_t)(s->cfg.max_literal < SIZE_MAX / 2 ? s->cfg.max_literal : SIZE_MAX / 4) +
				  IMAP_CMD_EXTRA);
	buf_init(&s->out, SIZE_MAX / 2);
	if (!s->owned[0] || !s->owned[1] || (cfg->alert && !s->owned[2]) || !s->lr) {
		imap_server_free(&s);
		return NULL;
	}
	s->state = IMAP_SERVER_NOT_AUTH;
	imap_srv_untagged(s, "* OK [CAPABILITY %s] %s", imap_srv_capabilities(s), s->cfg.greeting);
	return s;
}

void imap_server_free(struct imap_server **sp)
{
	if (!sp || !*sp)
		return;
	struct imap_server *s = *sp;
	if (s->state == IMAP_SERVER_SELECTED)
		s->st->unselect(s->sctx);
	line_reader_free(&s->lr);
	buf_free(&s->cmd);
	buf_free(&s->out);
	free(s->map);
	free(s->new_uids);
	free(s->flag_uids);
	for (size_t i = 0; i < sizeof s->owned / sizeof s->owned[0]; i++)
		free(s->owned[i]);
	free(s);
	*sp = NULL;
}

void imap_server_timeout(struct imap_server *s) { imap_srv_bye(s, "Autologout; idle for too long"); }

void imap_server_shutdown(struct imap_server *s, const char *text)
{
	imap_srv_bye(s, text ? text : "Server shutting down");
}

enum imap_server_state imap_server_state(const struct imap_server *s) { return s->state; }
int imap_server_idling(const struct imap_server *s) { return s->idling; }
int imap_server_should_close(const struct imap_server *s) { return s->closing; }
const char *imap_server_user(const struct imap_server *s) { return s->user; }

/* The IMAP server's command table, the dispatcher, and the commands of the
 * any, not-authenticated and authenticated states (RFC 3501 6.1-6.3) with
 * IDLE (RFC 2177). Each handler is headed by the grammar it implements.
 * The selected-state commands and APPEND are in imap_server_msg.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/codec.h"
#include "protocols/imap_server_internal.h"

#define ANY ((1u << IMAP_SERVER_NOT_AUTH) | (1u << IMAP_SERVER_AUTH) | (1u << IMAP_SERVER_SELECTED))
#define NOT_AUTH (1u << IMAP_SERVER_NOT_AUTH)
#define AUTHED ((1u << IMAP_SERVER_AUTH) | (1u << IMAP_SERVER_SELECTED))
#define SELECTED (1u << IMAP_SERVER_SELECTED)

const char *imap_srv_capabilities(const struct imap_server *s)
{
	static const char *const caps[2][2] = {
		{"IMAP4rev1 LITERAL+ SASL-IR IDLE CHILDREN AUTH=PLAIN", "IMAP4rev1 LITERAL+ SASL-IR CHILDREN AUTH=PLAIN"},
		{"IMAP4rev1 SASL-IR IDLE CHILDREN AUTH=PLAIN", "IMAP4rev1 SASL-IR CHILDREN AUTH=PLAIN"},
	};
	return caps[s->cfg.no_literal_plus ? 1 : 0][s->cfg.no_idle ? 1 : 0];
}

/* RFC 3501 5.1.3: a mailbox name is 7-bit, international characters in
 * modified UTF-7: "&-" is "&", and any other "&" opens a run of modified
 * BASE64 (A-Z a-z 0-9 + ,) closed by "-". Names are not decoded here (see
 * docs/imap.md), but raw 8-bit octets and broken "&" runs are refused, so
 * no such name is ever created or listed (LIST output is 7-bit). */
static int valid_mailbox_name(const char *n, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)n[i];
		if (ch < 0x20 || ch > 0x7e)
			return 0;
		if (ch != '&')
			continue;
		size_t k = i + 1;
		while (k < len && (isalnum((unsigned char)n[k]) || n[k] == '+' || n[k] == ','))
			k++;
		if (k >= len || n[k] != '-')
			return 0;
		i = k;
	}
	return 1;
}

/* Reads SP astring into a NUL-terminated name (no NUL inside). */
static int read_name(struct imap_server *s, struct imap_cursor *c, struct buf *b)
{
	buf_reset(b);
	if (imap_sp(c) < 0 || imap_read_astring(c, b) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a mailbox name");
		return -1;
	}
	if (b->len == 0 || strlen(b->data) != b->len || !valid_mailbox_name(b->data, b->len)) {
		imap_srv_result(s, "NO", "CANNOT", "Invalid mailbox name");
		return -1;
	}
	return 0;
}

static int is_inbox(const char *name) { return strcasecmp(name, "INBOX") == 0; }

static int same_mailbox(const char *a, const char *b)
{
	return is_inbox(a) ? is_inbox(b) : strcmp(a, b) == 0;
}

/* ---- any state ------------------------------------------------------- */

/* capability = "CAPABILITY" */
static void imap_cmd_capability(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	imap_srv_untagged(s, "* CAPABILITY %s", imap_srv_capabilities(s));
	imap_srv_result(s, "OK", NULL, "CAPABILITY completed");
}

/* "NOOP": its point is the untagged updates the dispatcher sends. */
static void imap_cmd_noop(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	imap_srv_result(s, "OK", NULL, "NOOP completed");
}

/* "LOGOUT" */
static void imap_cmd_logout(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	char text[300];
	snprintf(text, sizeof text, "%.200s IMAP4rev1 server logging out", s->cfg.hostname);
	imap_srv_bye(s, text);
	imap_srv_result(s, "OK", NULL, "LOGOUT completed");
}

/* ---- not authenticated ----------------------------------------------- */

static void login_as(struct imap_server *s, const char *user, const char *password)
{
	int rc = s->st->login(s->sctx, user, password);
	if (rc < 0) {
		s->bad_logins++;
		imap_srv_store_error(s, rc == IMAP_STORE_AUTH ? rc : IMAP_STORE_AUTH, 0);
		if (s->bad_logins >= s->cfg.max_bad_logins)
			imap_srv_bye(s, "Too many failed logins");
		return;
	}
	snprintf(s->user, sizeof s->user, "%s", user);
	imap_srv_set_state(s, IMAP_SERVER_AUTH);
	if (s->cfg.alert)
		imap_srv_untagged(s, "* OK [ALERT] %s", s->cfg.alert);
	imap_srv_result(s, "OK", NULL, "Logged in");
}

/* login = "LOGIN" SP userid SP password */
static void imap_cmd_login(struct imap_server *s, struct imap_cursor *c)
{
	struct buf user, pass;
	buf_init(&user, IMAP_NAME_MAX - 1);
	buf_init(&pass, IMAP_NAME_MAX - 1);
	if (imap_sp(c) < 0 || imap_read_astring(c, &user) < 0 || imap_sp(c) < 0 || imap_read_astring(c, &pass) < 0)
		imap_srv_bad(s, c->err ? c->err : "Expected user name and password");
	else if (imap_srv_end(s, c) == 0) {
		if (strlen(user.data ? user.data : "") != user.len || strlen(pass.data ? pass.data : "") != pass.len)
			imap_srv_store_error(s, IMAP_STORE_AUTH, 0);
		else
			login_as(s, user.data ? user.data : "", pass.data ? pass.data : "");
	}
	buf_free(&user);
	buf_free(&pass);
}

/* The SASL PLAIN message (RFC 4616): [authzid] NUL authcid NUL passwd. */
static void plain_response(struct imap_server *s, const char *b64, size_t n)
{
	if (n == 1 && b64[0] == '*') {
		imap_srv_result(s, "BAD", NULL, "Authentication cancelled");
		return;
	}
	struct buf raw;
	buf_init(&raw, 2048);
	if (n == 1 && b64[0] == '=')
		n = 0; /* RFC 4959: an empty initial response */
	if (codec_b64_decode(&raw, b64, n, CODEC_STRICT, NULL) < 0) {
		imap_srv_result(s, "BAD", NULL, "Invalid base64 in the SASL response");
		buf_free(&raw);
		return;
	}
	const char *p = raw.data ? raw.data : "";
	const char *nul1 = memchr(p, 0, raw.len);
	const char *nul2 = nul1 ? memchr(nul1 + 1, 0, raw.len - (size_t)(nul1 + 1 - p)) : NULL;
	if (!nul2) {
		imap_srv_result(s, "BAD", NULL, "Malformed PLAIN response");
	} else if (nul1 != p && strcmp(p, nul1 + 1) != 0) {
		s->bad_logins++;
		imap_srv_result(s, "NO", "AUTHORIZATIONFAILED", "Cannot act as another user");
	} else {
		login_as(s, nul1 + 1, nul2 + 1);
	}
	buf_free(&raw);
}

/* authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
 *                *(CRLF base64)   -- PLAIN takes one response */
static void imap_cmd_authenticate(struct imap_server *s, struct imap_cursor *c)
{
	struct buf mech;
	buf_init(&mech, 64);
	if (imap_sp(c) < 0 || imap_read_atom(c, &mech) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a mechanism");
	} else if (strcasecmp(mech.data, "PLAIN") != 0) {
		imap_srv_result(s, "NO", "CANNOT", "Unsupported authentication mechanism");
	} else if (imap_at_end(c)) {
		s->auth_pending = 1;
		imap_srv_untagged(s, "+ ");
	} else if (imap_sp(c) < 0 || imap_at_end(c)) {
		imap_srv_bad(s, "Expected an initial response");
	} else {
		plain_response(s, (const char *)c->p, (size_t)(c->end - c->p));
	}
	buf_free(&mech);
}

void imap_srv_auth_response(struct imap_server *s, const uint8_t *line, size_t len)
{
	s->auth_pending = 0;
	plain_response(s, (const char *)line, len);
	imap_srv_finish(s);
}

/* ---- authenticated --------------------------------------------------- */

static void select_common(struct imap_server *s, struct imap_cursor *c, int read_only)
{
	struct buf name;
	buf_init(&name, IMAP_NAME_MAX - 1);
	if (read_name(s, c, &name) < 0 || imap_srv_end(s, c) < 0) {
		buf_free(&name);
		return;
	}
	imap_srv_unselect(s);
	int rc = imap_srv_select(s, name.data, read_only);
	buf_free(&name);
	if (rc < 0) {
		imap_srv_store_error(s, rc, 0);
		return;
	}
	struct buf b;
	buf_init(&b, 64 * 1024);
	uint64_t all_kw = 0;
	for (int k = 0; k < IMAP_MAX_KEYWORDS && s->st->keyword_name(s->sctx, k); k++)
		all_kw |= UINT64_C(1) << k;
	buf_puts(&b, "* FLAGS ");
	imap_srv_put_flags(s, &b, IMAP_FLAG_SYSTEM_MASK, all_kw);
	buf_puts(&b, "\r\n* OK [PERMANENTFLAGS ");
	if (read_only) {
		buf_puts(&b, "()");
	} else {
		imap_srv_put_flags(s, &b, IMAP_FLAG_SYSTEM_MASK, all_kw);
		buf_truncate(&b, b.len - 1);
		buf_puts(&b, " \\*)");
	}
	buf_puts(&b, "] Flags permitted\r\n");
	imap_srv_out_buf(s, &b);
	buf_free(&b);
	imap_srv_untagged(s, "* %zu EXISTS", s->nmap);
	imap_srv_untagged(s, "* %u RECENT", s->nrecent);
	for (size_t i = 0; i < s->nmap; i++) {
		if (!(s->map[i].flags & IMAP_F_SEEN)) {
			imap_srv_untagged(s, "* OK [UNSEEN %zu] First unseen", i + 1);
			break;
		}
	}
	struct imap_mailbox_status st;
	memset(&st, 0, sizeof st);
	s->st->status(s->sctx, s->mailbox, &st);
	imap_srv_untagged(s, "* OK [UIDVALIDITY %u] UIDs valid", s->uidvalidity);
	imap_srv_untagged(s, "* OK [UIDNEXT %u] Predicted next UID", st.uidnext);
	imap_srv_result(s, "OK", read_only ? "READ-ONLY" : "READ-WRITE", "%s completed",
			read_only ? "EXAMINE" : "SELECT");
}

/* select = "SELECT" SP mailbox */
static void imap_cmd_select(struct imap_server *s, struct imap_cursor *c) { select_common(s, c, 0); }
/* examine = "EXAMINE" SP mailbox */
static void imap_cmd_examine(struct imap_server *s, struct imap_cursor *c) { select_common(s, c, 1); }

/* create = "CREATE" SP mailbox; a trailing delimiter only says children
 * will follow; missing superiors are created too (6.3.3). */
static void imap_cmd_create(struct imap_server *s, struct imap_cursor *c)
{
	struct buf name;
	buf_init(&name, IMAP_NAME_MAX - 1);
	if (read_name(s, c, &name) < 0 || imap_srv_end(s, c) < 0)
		goto out;
	while (name.len > 1 && name.data[name.len - 1] == '/')
		buf_truncate(&name, name.len - 1);
	if (is_inbox(name.data)) {
		imap_srv_result(s, "NO", "ALREADYEXISTS", "INBOX always exists");
		goto out;
	}
	/* Superiors made here are removed again if the name itself is
	 * refused ("a/b.c", "a//b"): a failed CREATE leaves nothing behind. */
	size_t made[64], nmade = 0;
	int rc = 0;
	for (char *p = strchr(name.data + 1, '/'); p && rc >= 0; p = strchr(p + 1, '/')) {
		*p = 0;
		rc = s->st->create(s->sctx, name.data);
		*p = '/';
		if (rc == IMAP_STORE_EXISTS)
			rc = 0;
		else if (rc == 0 && nmade < sizeof made / sizeof made[0])
			made[nmade++] = (size_t)(p - name.data);
	}
	if (rc >= 0)
		rc = s->st->create(s->sctx, name.data);
	if (rc < 0) {
		while (nmade > 0) {
			size_t at = made[--nmade];
			name.data[at] = 0;
			s->st->remove(s->sctx, name.data);
			name.data[at] = '/';
		}
		imap_srv_store_error(s, rc, 0);
	} else {
		imap_srv_result(s, "OK", NULL, "CREATE completed");
	}
out:
	buf_free(&name);
}

/* Runs a store call that may delete or rename the selected mailbox: this
 * session then leaves it quietly instead of being told it is gone. */
static int touching_selected(struct imap_server *s, const char *name)
{
	return s->state == IMAP_SERVER_SELECTED && same_mailbox(name, s->mailbox);
}

/* delete = "DELETE" SP mailbox */
static void imap_cmd_delete(struct imap_server *s, struct imap_cursor *c)
{
	struct buf name;
	buf_init(&name, IMAP_NAME_MAX - 1);
	if (read_name(s, c, &name) == 0 && imap_srv_end(s, c) == 0) {
		int self = touching_selected(s, name.data);
		s->self_remove = self;
		int rc = s->st->remove(s->sctx, name.data);
		s->self_remove = 0;
		if (rc < 0) {
			imap_srv_store_error(s, rc, 0);
		} else {
			if (self)
				imap_srv_unselect(s);
			imap_srv_result(s, "OK", NULL, "DELETE completed");
		}
	}
	buf_free(&name);
}

/* rename = "RENAME" SP mailbox SP mailbox */
static void imap_cmd_rename(struct imap_server *s, struct imap_cursor *c)
{
	struct buf from, to;
	buf_init(&from, IMAP_NAME_MAX - 1);
	buf_init(&to, IMAP_NAME_MAX - 1);
	if (read_name(s, c, &from) == 0 && read_name(s, c, &to) == 0 && imap_srv_end(s, c) == 0) {
		int self = touching_selected(s, from.data) && !is_inbox(from.data);
		s->self_remove = self;
		int rc = s->st->rename(s->sctx, from.data, to.data);
		s->self_remove = 0;
		if (rc < 0) {
			imap_srv_store_error(s, rc, 0);
		} else {
			if (self)
				imap_srv_unselect(s);
			imap_srv_result(s, "OK", NULL, "RENAME completed");
		}
	}
	buf_free(&from);
	buf_free(&to);
}

static void subscription(struct imap_server *s, struct imap_cursor *c, int on)
{
	struct buf name;
	buf_init(&name, IMAP_NAME_MAX - 1);
	if (read_name(s, c, &name) == 0 && imap_srv_end(s, c) == 0) {
		int rc = s->st->subscribe(s->sctx, name.data, on);
		if (rc < 0)
			imap_srv_store_error(s, rc, 0);
		else
			imap_srv_result(s, "OK", NULL, "%s completed", on ? "SUBSCRIBE" : "UNSUBSCRIBE");
	}
	buf_free(&name);
}

/* subscribe = "SUBSCRIBE" SP mailbox */
static void imap_cmd_subscribe(struct imap_server *s, struct imap_cursor *c) { subscription(s, c, 1); }
/* unsubscribe = "UNSUBSCRIBE" SP mailbox */
static void imap_cmd_unsubscribe(struct imap_server *s, struct imap_cursor *c) { subscription(s, c, 0); }

/* Does name match the LIST pattern (RFC 3501 6.3.8: "*" matches anything,
 * "%" anything but the delimiter)? Row-by-row dynamic programming, so no
 * pattern of stars can take exponential time. INBOX matches without case. */
static int list_match(const char *pat, const char *name)
{
	size_t np = strlen(pat);
	unsigned char small[257];
	unsigned char *row = np < sizeof small ? small : malloc(np + 1);
	if (!row)
		return 0;
	/* row[j]: pat[0..j) matches the name read so far */
	row[0] = 1;
	for (size_t j = 1; j <= np; j++)
		row[j] = row[j - 1] && (pat[j - 1] == '*' || pat[j - 1] == '%');
	int inbox = is_inbox(name);
	for (const char *n = name; *n; n++) {
		unsigned char prev_diag = row[0];
		row[0] = 0;
		for (size_t j = 1; j <= np; j++) {
			unsigned char above = row[j];
			char pc = pat[j - 1];
			unsigned char v;
			if (pc == '*')
				v = above || row[j - 1];
			else if (pc == '%')
				v = (above && *n != '/') || row[j - 1];
			else {
				int eq = inbox ? ((pc | 0x20) == (*n | 0x20)) : pc == *n;
				v = prev_diag && eq;
			}
			prev_diag = above;
			row[j] = v;
		}
	}
	int r = row[np];
	if (row != small)
		free(row);
	return r;
}

static int name_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int ix = is_inbox(x), iy = is_inbox(y);
	if (ix || iy)
		return iy - ix;
	return strcmp(x, y);
}

struct list_name {
	char *name;
	int exists, subscribed;
};

/* list = "LIST" SP mailbox SP list-mailbox
 * lsub = "LSUB" SP mailbox SP list-mailbox */
static void list_common(struct imap_server *s, struct imap_cursor *c, int lsub)
{
	struct buf ref, pat;
	buf_init(&ref, IMAP_NAME_MAX - 1);
	buf_init(&pat, 256);
	char **names = NULL;
	size_t n = 0, cap = 0;
	if (imap_sp(c) < 0 || imap_read_astring(c, &ref) < 0 || imap_sp(c) < 0 ||
	    imap_read_list_mailbox(c, &pat) < 0) {
		imap_srv_bad(s, c->err ? c->err : "Expected a reference and a pattern");
		goto out;
	}
	if (imap_srv_end(s, c) < 0)
		goto out;
	const char *verb = lsub ? "LSUB" : "LIST";
	if (pat.len == 0) {
		/* The hierarchy delimiter and root (6.3.8). */
		if (!lsub)
			imap_srv_untagged(s, "* LIST (\\Noselect) \"/\" \"\"");
		imap_srv_result(s, "OK", NULL, "%s completed", verb);
		goto out;
	}
	struct buf full;
	buf_init(&full, 2 * IMAP_NAME_MAX);
	buf_append(&full, ref.data ? ref.data : "", ref.len);
	buf_append(&full, pat.data, pat.len);
	/* Every mailbox and every superior name of one; a trailing "*" marks
	 * the real ones, a trailing "+" the subscribed ones. */
	for (size_t i = 0;; i++) {
		int sub = 0;
		const char *m = s->st->mailbox_at(s->sctx, i, &sub);
		if (!m)
			break;
		size_t len = strlen(m);
		for (size_t k = 0; k <= len; k++) {
			if (k < len && m[k] != '/')
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 32;
				char **v = realloc(names, nc * sizeof *v);
				if (!v)
					break;
				names = v;
				cap = nc;
			}
			char *e = malloc(k + 3);
			if (!e)
				break;
			memcpy(e, m, k);
			e[k] = 0;
			e[k + 1] = k == len ? '*' : 0;
			e[k + 2] = k == len && sub ? '+' : 0;
			names[n++] = e;
		}
	}
	qsort(names, n, sizeof *names, name_cmp);
	struct buf b;
	buf_init(&b, 4096);
	for (size_t i = 0; i < n;) {
		/* Merge the duplicates of one name. */
		const char *nm = names[i];
		int exists = 0, subscribed = 0;
		size_t j = i;
		for (; j < n && strcmp(names[j], nm) == 0; j++) {
			size_t l = strlen(names[j]);
			exists |= names[j][l + 1] == '*';
			subscribed |= names[j][l + 2] == '+';
		}
		size_t l = strlen(nm);
		int children = j < n && strncmp(names[j], nm, l) == 0 && names[j][l] == '/';
		for (size_t k = j; !children && k < n && strncmp(names[k], nm, l) == 0; k++)
			children = names[k][l] == '/';
		i = j;
		if (!list_match(full.data, nm))
			continue;
		if (lsub && !subscribed) {
			/* An unsubscribed superior shows only under "%" (6.3.9). */
			int shown = 0;
			for (size_t k = i; k < n && strncmp(names[k], nm, l) == 0; k++) {
				size_t kl = strlen(names[k]);
				if (names[k][l] == '/' && names[k][kl + 2] == '+')
					shown = 1;
			}
			if (!shown || strchr(full.data, '%') == NULL)
				continue;
			exists = 0;
		}
		buf_reset(&b);
		buf_printf(&b, "* %s (", verb);
		if (!exists)
			buf_puts(&b, "\\Noselect ");
		buf_puts(&b, children ? "\\HasChildren" : "\\HasNoChildren");
		buf_puts(&b, ") \"/\" ");
		imap_write_astring(&b, nm, l);
		buf_puts(&b, "\r\n");
		imap_srv_out_buf(s, &b);
	}
	buf_free(&b);
	buf_free(&full);
	imap_srv_result(s, "OK", NULL, "%s completed", verb);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&ref);
	buf_free(&pat);
}

static void imap_cmd_list(struct imap_server *s, struct imap_cursor *c) { list_common(s, c, 0); }
static void imap_cmd_lsub(struct imap_server *s, struct imap_cursor *c) { list_common(s, c, 1); }

/* status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
 * status-att = "MESSAGES" / "RECENT" / "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" */
static void imap_cmd_status(struct imap_server *s, struct imap_cursor *c)
{
	static const char *const atts[] = {"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN"};
	struct buf name, att;
	buf_init(&name, IMAP_NAME_MAX - 1);
	buf_init(&att, 64);
	unsigned want[8];
	size_t nwant = 0;
	if (read_name(s, c, &name) < 0)
		goto out;
	if (imap_sp(c) < 0 || imap_expect(c, '(') < 0) {
		imap_srv_bad(s, "Expected a list of status items");
		goto out;
	}
	for (;;) {
		buf_reset(&att);
		if (imap_read_atom(c, &att) < 0) {
			imap_srv_bad(s, c->err);
			goto out;
		}
		size_t k;
		for (k = 0; k < 5; k++)
			if (strcasecmp(att.data, atts[k]) == 0)
				break;
		if (k == 5) {
			imap_srv_bad(s, "Unknown status item");
			goto out;
		}
		if (nwant < 8)
			want[nwant++] = (unsigned)k;
		if (imap_peek(c) == ')')
			break;
		if (imap_sp(c) < 0) {
			imap_srv_bad(s, "Expected a space or ')'");
			goto out;
		}
	}
	imap_expect(c, ')');
	if (imap_srv_end(s, c) < 0)
		goto out;
	struct imap_mailbox_status st;
	memset(&st, 0, sizeof st);
	int rc = s->st->status(s->sctx, name.data, &st);
	if (rc < 0) {
		imap_srv_store_error(s, rc, 0);
		goto out;
	}
	uint32_t vals[5] = {st.messages, st.recent, st.uidnext, st.uidvalidity, st.unseen};
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, "* STATUS ");
	imap_write_astring(&b, name.data, name.len);
	buf_puts(&b, " (");
	for (size_t i = 0; i < nwant; i++)
		buf_printf(&b, "%s%s %u", i ? " " : "", atts[want[i]], vals[want[i]]);
	buf_puts(&b, ")\r\n");
	imap_srv_out_buf(s, &b);
	buf_free(&b);
	imap_srv_result(s, "OK", NULL, "STATUS completed");
out:
	buf_free(&name);
	buf_free(&att);
}

/* idle = "IDLE" CRLF "DONE" (RFC 2177) */
static void imap_cmd_idle(struct imap_server *s, struct imap_cursor *c)
{
	if (imap_srv_end(s, c) < 0)
		return;
	s->idling = 1;
	imap_srv_untagged(s, "+ idling");
	imap_srv_flush_updates(s, 1);
}

/* ---- the table ------------------------------------------------------- */

static const struct imap_cmd commands[] = {
	{"CAPABILITY", ANY, 0, imap_cmd_capability},
	{"NOOP", ANY, 0, imap_cmd_noop},
	{"LOGOUT", ANY, 0, imap_cmd_logout},
	{"LOGIN", NOT_AUTH, 0, imap_cmd_login},
	{"AUTHENTICATE", NOT_AUTH, CMD_DEFERRED, imap_cmd_authenticate},
	{"SELECT", AUTHED, 0, imap_cmd_select},
	{"EXAMINE", AUTHED, 0, imap_cmd_examine},
	{"CREATE", AUTHED, 0, imap_cmd_create},
	{"DELETE", AUTHED, 0, imap_cmd_delete},
	{"RENAME", AUTHED, 0, imap_cmd_rename},
	{"SUBSCRIBE", AUTHED, 0, imap_cmd_subscribe},
	{"UNSUBSCRIBE", AUTHED, 0, imap_cmd_unsubscribe},
	{"LIST", AUTHED, 0, imap_cmd_list},
	{"LSUB", AUTHED, 0, imap_cmd_lsub},
	{"STATUS", AUTHED, 0, imap_cmd_status},
	{"APPEND", AUTHED, 0, imap_cmd_append},
	{"IDLE", AUTHED, CMD_DEFERRED, imap_cmd_idle},
	{"CHECK", SELECTED, 0, imap_cmd_check},
	{"CLOSE", SELECTED, 0, imap_cmd_close},
	{"EXPUNGE", SELECTED, 0, imap_cmd_expunge},
	{"SEARCH", SELECTED, CMD_NO_EXPUNGE, imap_cmd_search},
	{"FETCH", SELECTED, CMD_NO_EXPUNGE, imap_cmd_fetch},
	{"STORE", SELECTED, CMD_NO_EXPUNGE, imap_cmd_store},
	{"COPY", SELECTED, 0, imap_cmd_copy},
};

static const struct imap_cmd uid_commands[] = {
	{"FETCH", SELECTED, 0, imap_cmd_fetch},
	{"SEARCH", SELECTED, 0, imap_cmd_search},
	{"STORE", SELECTED, 0, imap_cmd_store},
	{"COPY", SELECTED, 0, imap_cmd_copy},
};

const struct imap_cmd *imap_srv_find_cmd(const char *name, int uid)
{
	const struct imap_cmd *t = uid ? uid_commands : commands;
	size_t n = uid ? sizeof uid_commands / sizeof uid_commands[0] : sizeof commands / sizeof commands[0];
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

void imap_srv_finish(struct imap_server *s)
{
	if (s->idling || s->auth_pending)
		return;
	if (!s->res_status)
		imap_srv_result(s, "BAD", "SERVERBUG", "Command gave no result");
	if (s->state == IMAP_SERVER_SELECTED)
		imap_srv_flush_updates(s, s->uid_cmd || !(s->cmd_flags & CMD_NO_EXPUNGE));
	if (s->res_code[0])
		imap_srv_untagged(s, "%s %s [%s] %s", s->tag, s->res_status, s->res_code, s->res_text);
	else
		imap_srv_untagged(s, "%s %s %s", s->tag, s->res_status, s->res_text);
	s->res_status = NULL;
}

/* Why a command is refused in this state, from the states it needs. */
static const char *state_refusal(const struct imap_cmd *cmd, enum imap_server_state st)
{
	if (cmd->states == NOT_AUTH)
		return "Already logged in";
	if (cmd->states == SELECTED && st == IMAP_SERVER_AUTH)
		return "No mailbox selected (SELECT or EXAMINE first)";
	return "Log in first (LOGIN or AUTHENTICATE)";
}

void imap_srv_execute(struct imap_server *s, const uint8_t *cmd, size_t len)
{
	struct imap_cursor c;
	imap_cursor_init(&c, cmd, len);
	struct buf tag, name;
	buf_init(&tag, IMAP_TAG_MAX);
	buf_init(&name, 32);
	s->res_status = NULL;
	s->res_code[0] = 0;
	s->uid_cmd = 0;
	s->cmd_flags = 0;
	s->expunge_issued = 0;
	if (len == 0) {
		imap_srv_untagged(s, "* BAD Empty command line");
		goto out;
	}
	if (imap_read_tag(&c, &tag) < 0) {
		imap_srv_untagged(s, "* BAD Missing or invalid tag");
		goto out;
	}
	snprintf(s->tag, sizeof s->tag, "%s", tag.data);
	if (imap_sp(&c) < 0 || imap_read_atom(&c, &name) < 0) {
		imap_srv_result(s, "BAD", NULL, "Missing command");
		imap_srv_finish(s);
		goto out;
	}
	if (strcasecmp(name.data, "UID") == 0) {
		s->uid_cmd = 1;
		buf_reset(&name);
		if (imap_sp(&c) < 0 || imap_read_atom(&c, &name) < 0) {
			imap_srv_result(s, "BAD", NULL, "Missing command after UID");
			imap_srv_finish(s);
			goto out;
		}
	}
	const struct imap_cmd *cmdp = imap_srv_find_cmd(name.data, s->uid_cmd);
	if (cmdp && ((s->cfg.no_idle && cmdp->run == imap_cmd_idle)))
		cmdp = NULL;
	if (!cmdp) {
		imap_srv_result(s, "BAD", NULL, "Unknown command");
	} else if (!(cmdp->states & (1u << s->state))) {
		imap_srv_result(s, "BAD", NULL, "%s", state_refusal(cmdp, s->state));
	} else {
		s->cmd_flags = cmdp->flags;
		cmdp->run(s, &c);
	}
	imap_srv_finish(s);
out:
	buf_free(&tag);
	buf_free(&name);
}

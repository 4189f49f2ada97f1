/* Mail rules: filters, forwarding and the vacation responder. See
 * mail_rules.h for the semantics. */
#include "sim/agents/mail_rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/address.h"
#include "protocols/buf.h"
#include "protocols/compose.h"
#include "protocols/header.h"
#include "sim/agents/mailstore.h"

/* ---- configuration ---- */

struct mr_rules *mr_rules_new(void) { return calloc(1, sizeof(struct mr_rules)); }

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void mr_rules_free(struct mr_rules **rp)
{
	if (!rp || !*rp)
		return;
	struct mr_rules *r = *rp;
	for (size_t i = 0; i < r->nfilters; i++) {
		struct mr_filter *f = &r->filters[i];
		for (size_t k = 0; k < f->nconds; k++) {
			free(f->conds[k].header);
			free(f->conds[k].value);
		}
		for (size_t k = 0; k < f->nactions; k++)
			free(f->actions[k].arg);
		free(f->conds);
		free(f->actions);
		free(f->name);
	}
	free(r->filters);
	free_list(r->forward, r->nforward);
	free(r->vacation_text);
	free(r->vacation_subject);
	free_list(r->vacation_addresses, r->nvacation_addresses);
	free(r);
	*rp = NULL;
}

uint32_t mr_flag_by_name(const char *name)
{
	static const struct {
		const char *name;
		uint32_t flag;
	} flags[] = {{"\\Seen", MS_SEEN},     {"\\Answered", MS_ANSWERED}, {"\\Flagged", MS_FLAGGED},
		     {"\\Deleted", MS_DELETED}, {"\\Draft", MS_DRAFT}};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (strcasecmp(flags[i].name, name) == 0)
			return flags[i].flag;
	return 0;
}

/* ---- the host: rules per user, vacation memory ---- */

struct mr_user {
	char *address;
	const struct mr_rules *rules;
};

struct mr_replied {
	char *user, *sender;
	sim_time at;
};

struct mail_rules {
	struct mr_user *users;
	size_t nusers, capusers;
	struct mr_replied *replied;
	size_t nreplied, capreplied;
};

struct mail_rules *mail_rules_new(void) { return calloc(1, sizeof(struct mail_rules)); }

void mail_rules_free(struct mail_rules **hp)
{
	if (!hp || !*hp)
		return;
	struct mail_rules *h = *hp;
	for (size_t i = 0; i < h->nusers; i++)
		free(h->users[i].address);
	for (size_t i = 0; i < h->nreplied; i++) {
		free(h->replied[i].user);
		free(h->replied[i].sender);
	}
	free(h->users);
	free(h->replied);
	free(h);
	*hp = NULL;
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, nc * size);
	if (!p)
		return -1;
	*v = p;
	*cap = nc;
	return 0;
}

int mail_rules_set(struct mail_rules *h, const char *address, const struct mr_rules *r)
{
	for (size_t i = 0; i < h->nusers; i++) {
		if (strcasecmp(h->users[i].address, address) == 0) {
			h->users[i].rules = r;
			return 0;
		}
	}
	if (grow((void **)&h->users, &h->capusers, h->nusers, sizeof *h->users) < 0)
		return -1;
	char *a = strdup(address);
	if (!a)
		return -1;
	h->users[h->nusers++] = (struct mr_user){a, r};
	return 0;
}

const struct mr_rules *mail_rules_for(const struct mail_rules *h, const char *address)
{
	for (size_t i = 0; h && i < h->nusers; i++)
		if (strcasecmp(h->users[i].address, address) == 0)
			return h->users[i].rules;
	return NULL;
}

/* The vacation memory: the last reply from user to sender, or NULL. */
static struct mr_replied *replied_find(struct mail_rules *h, const char *user, const char *sender)
{
	for (size_t i = 0; i < h->nreplied; i++)
		if (strcasecmp(h->replied[i].user, user) == 0 && strcasecmp(h->replied[i].sender, sender) == 0)
			return &h->replied[i];
	return NULL;
}

static int replied_record(struct mail_rules *h, const char *user, const char *sender, sim_time now)
{
	struct mr_replied *r = replied_find(h, user, sender);
	if (r) {
		r->at = now;
		return 0;
	}
	if (grow((void **)&h->replied, &h->capreplied, h->nreplied, sizeof *h->replied) < 0)
		return -1;
	char *u = strdup(user), *s = strdup(sender);
	if (!u || !s) {
		free(u);
		free(s);
		return -1;
	}
	h->replied[h->nreplied++] = (struct mr_replied){u, s, now};
	return 0;
}

/* ---- conditions ---- */

static int tolower_ascii(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Case-insensitive (i;ascii-casemap) wildcard match: * any run, ? one
 * character, \ quotes the next one. Iterative, so hostile patterns stay
 * linear in practice (one backtrack point, the last star). */
static int glob_match(const char *p, const char *s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = p++;
			resume = s;
		} else if (*p == '?' || (*p == '\\' && p[1] && tolower_ascii(p[1]) == tolower_ascii(*s)) ||
			   (*p != '\\' && *p && tolower_ascii(*p) == tolower_ascii(*s))) {
			p += *p == '\\' ? 2 : 1;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == 0;
}

static int test_text(const struct mr_cond *c, const char *v)
{
	switch (c->test) {
	case MR_IS:
		return strcasecmp(v, c->value) == 0;
	case MR_CONTAINS: {
		size_t n = strlen(c->value);
		for (const char *p = v; *p; p++)
			if (strncasecmp(p, c->value, n) == 0)
				return 1;
		return n == 0;
	}
	case MR_MATCHES:
		return glob_match(c->value, v);
	default:
		return 1;
	}
}

/* One occurrence of the field: its decoded text or each of its addresses. */
static int test_field(const struct mr_cond *c, const struct hdr_field *f)
{
	struct buf b;
	buf_init(&b, f->value_len + 16);
	unsigned defects = 0;
	int ok = 0;
	if (hdr_decode(&b, f->value, f->value_len, &defects) == 0 && buf_append(&b, "", 1) == 0) {
		if (!c->address) {
			ok = test_text(c, b.data);
		} else {
			struct addr_list *l = NULL;
			if (addr_parse(f->value, f->value_len, &l, &defects) == 0) {
				for (size_t i = 0; !ok && i < addr_list_count(l); i++) {
					const struct addr *a = addr_list_get(l, i);
					ok = a->mailbox && test_text(c, a->mailbox);
				}
			}
			addr_list_free(&l);
		}
	}
	buf_free(&b);
	return ok;
}

static int cond_holds(const struct mr_cond *c, const uint8_t *data, size_t len)
{
	int r = 0;
	if (c->test == MR_SIZE_OVER) {
		r = len > c->size;
	} else if (c->test == MR_SIZE_UNDER) {
		r = len < c->size;
	} else {
		size_t pos = 0;
		struct hdr_field f;
		int any = strcmp(c->header, "*") == 0;
		while (!r && hdr_next((const char *)data, len, &pos, &f, NULL) > 0) {
			if (!any && !hdr_name_is(&f, c->header))
				continue;
			r = c->test == MR_EXISTS || test_field(c, &f);
		}
	}
	return c->negate ? !r : r;
}

static int filter_holds(const struct mr_filter *f, const uint8_t *data, size_t len)
{
	if (f->nconds == 0)
		return 1;
	for (size_t i = 0; i < f->nconds; i++) {
		int h = cond_holds(&f->conds[i], data, len);
		if (f->any && h)
			return 1;
		if (!f->any && !h)
			return 0;
	}
	return !f->any;
}

/* ---- RFC 3834 ---- */

static int field_value(const uint8_t *data, size_t len, const char *name, char *out, size_t cap)
{
	struct hdr_field f;
	if (!hdr_find((const char *)data, len, name, 0, &f))
		return 0;
	struct buf b;
	buf_init(&b, f.value_len + 1);
	if (hdr_unfold(&b, f.value, f.value_len) == 0)
		snprintf(out, cap, "%.*s", (int)b.len, b.data ? b.data : "");
	else
		out[0] = 0;
	buf_free(&b);
	return 1;
}

/* Whether one of addrs appears in the address fields a reply may be
 * triggered by (RFC 5230 4.5: To, Cc, Bcc and their Resent- forms). */
static int addressed_to(const uint8_t *data, size_t len, const char *const *addrs, size_t naddrs)
{
	static const char *const fields[] = {"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"};
	for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
		struct hdr_field f;
		for (int n = 0; hdr_find((const char *)data, len, fields[k], n, &f); n++) {
			struct addr_list *l = NULL;
			unsigned d = 0;
			int hit = 0;
			if (addr_parse(f.value, f.value_len, &l, &d) == 0)
				for (size_t i = 0; !hit && i < addr_list_count(l); i++)
					for (size_t a = 0; !hit && a < naddrs; a++)
						hit = addr_list_get(l, i)->mailbox &&
						      strcasecmp(addr_list_get(l, i)->mailbox, addrs[a]) == 0;
			addr_list_free(&l);
			if (hit)
				return 1;
		}
	}
	return 0;
}

const char *mr_vacation_refusal(const struct mr_rules *r, const char *user, const char *env_from,
				const uint8_t *data, size_t len)
{
	char v[256];
	if (field_value(data, len, "Auto-Submitted", v, sizeof v)) {
		char *semi = strchr(v, ';');
		if (semi)
			*semi = 0;
		for (size_t n = strlen(v); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
			v[n - 1] = 0;
		if (strcasecmp(v, "no") != 0)
			return "it is Auto-Submitted (RFC 3834 2)";
	}
	if (!env_from || !*env_from)
		return "the Return-Path is empty (a bounce or another automatic reply)";
	const char *at = strrchr(env_from, '@');
	size_t local_len = at ? (size_t)(at - env_from) : strlen(env_from);
	char local[256];
	snprintf(local, sizeof local, "%.*s", (int)(local_len < 255 ? local_len : 255), env_from);
	/* RFC 5230 4.5: senders that are programs, not people. */
	static const char *const robots[] = {"MAILER-DAEMON", "LISTSERV", "majordomo", "postmaster"};
	for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++)
		if (strcasecmp(local, robots[i]) == 0)
			return "the sender is a mail program (MAILER-DAEMON, LISTSERV, majordomo, postmaster)";
	size_t ll = strlen(local);
	if (strncasecmp(local, "owner-", 6) == 0 || (ll > 8 && strcasecmp(local + ll - 8, "-request") == 0))
		return "the sender is a list address (owner-* or *-request)";
	if (strcasecmp(env_from, user) == 0)
		return "the sender is the user";
	if (field_value(data, len, "Precedence", v, sizeof v) &&
	    (strcasecmp(v, "bulk") == 0 || strcasecmp(v, "list") == 0 || strcasecmp(v, "junk") == 0))
		return "it has Precedence: bulk, list or junk";
	static const char *const lists[] = {"List-Id",   "List-Help",  "List-Subscribe", "List-Unsubscribe",
					    "List-Post", "List-Owner", "List-Archive"};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		if (field_value(data, len, lists[i], v, sizeof v))
			return "it is list mail (List-* fields, RFC 2369 and 2919)";
	const char *addrs[33];
	size_t na = 0;
	addrs[na++] = user;
	for (size_t i = 0; i < r->nvacation_addresses && na < 33; i++)
		addrs[na++] = r->vacation_addresses[i];
	if (!addressed_to(data, len, addrs, na))
		return "the user's address is not in To or Cc";
	return NULL;
}

/* ---- applying ---- */

static void note(struct mr_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct mr_verdict *v, const char *fmt, ...)
{
	if (v->nnotes == MR_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->notes[v->nnotes++], sizeof v->notes[0], fmt, ap);
	va_end(ap);
}

static void add_folder(struct mr_verdict *v, const char *folder)
{
	for (size_t i = 0; i < v->nfolders; i++)
		if (strcasecmp(v->folders[i], folder) == 0)
			return; /* filing twice into one folder stores once (RFC 5228 2.10.3) */
	if (v->nfolders < MR_MAX_FOLDERS)
		v->folders[v->nfolders++] = folder;
}

static void add_forward(struct mr_verdict *v, const char *to)
{
	for (size_t i = 0; i < v->nforward; i++)
		if (strcasecmp(v->forward[i], to) == 0)
			return;
	if (v->nforward < MR_MAX_FORWARDS)
		v->forward[v->nforward++] = to;
}

static void add_keyword(struct mr_verdict *v, const char *kw)
{
	for (size_t i = 0; i < v->nkeywords; i++)
		if (strcasecmp(v->keywords[i], kw) == 0)
			return;
	if (v->nkeywords < MR_MAX_KEYWORDS)
		v->keywords[v->nkeywords++] = kw;
}

static const char *flag_name(uint32_t flag)
{
	switch (flag) {
	case MS_SEEN: return "\\Seen";
	case MS_ANSWERED: return "\\Answered";
	case MS_FLAGGED: return "\\Flagged";
	case MS_DELETED: return "\\Deleted";
	case MS_DRAFT: return "\\Draft";
	default: return "?";
	}
}

int mail_rules_apply(struct mail_rules *h, const struct mr_input *in, struct mr_verdict *v)
{
	memset(v, 0, sizeof *v);
	const struct mr_rules *r = mail_rules_for(h, in->rcpt);
	int implicit_keep = 1, discard = 0;
	for (size_t i = 0; r && i < r->nfilters; i++) {
		const struct mr_filter *f = &r->filters[i];
		if (!filter_holds(f, in->data, in->len))
			continue;
		int stop = 0;
		for (size_t k = 0; k < f->nactions && !stop; k++) {
			const struct mr_action *a = &f->actions[k];
			switch (a->kind) {
			case MR_MOVE:
				add_folder(v, a->arg);
				implicit_keep = 0;
				note(v, "filter \"%s\": move to %s", f->name, a->arg);
				break;
			case MR_KEEP:
				add_folder(v, "INBOX");
				implicit_keep = 0;
				note(v, "filter \"%s\": keep in INBOX", f->name);
				break;
			case MR_FLAG:
				v->flags |= a->flag;
				note(v, "filter \"%s\": flag %s", f->name, flag_name(a->flag));
				break;
			case MR_KEYWORD:
				add_keyword(v, a->arg);
				note(v, "filter \"%s\": keyword %s", f->name, a->arg);
				break;
			case MR_FORWARD:
				add_forward(v, a->arg);
				implicit_keep = 0;
				note(v, "filter \"%s\": forward to %s", f->name, a->arg);
				break;
			case MR_DISCARD:
				discard = 1;
				implicit_keep = 0;
				if (!v->discarded_by)
					v->discarded_by = f->name;
				note(v, "filter \"%s\": discard", f->name);
				break;
			case MR_STOP:
				stop = 1;
				break;
			}
		}
		if (stop) {
			note(v, "filter \"%s\": stop", f->name);
			break;
		}
	}
	if (r && r->nforward && !discard) {
		for (size_t i = 0; i < r->nforward; i++)
			add_forward(v, r->forward[i]);
		if (!r->forward_keep)
			implicit_keep = 0;
		note(v, "forward to %s%s%s", r->forward[0], r->nforward > 1 ? " and others" : "",
		     r->forward_keep ? ", keeping a copy" : ", keeping no copy");
	}
	if (implicit_keep)
		add_folder(v, "INBOX");
	v->discarded = discard && v->nfolders == 0 && v->nforward == 0;
	if (r && r->vacation_text && !v->discarded) {
		const char *why = mr_vacation_refusal(r, in->rcpt, in->env_from, in->data, in->len);
		struct mr_replied *last = why ? NULL : replied_find(h, in->rcpt, in->env_from);
		if (!why && last && in->now - last->at < r->vacation_period)
			why = "the sender had a vacation reply within the period";
		if (why) {
			note(v, "vacation: no reply to <%s>: %s", in->env_from, why);
		} else {
			if (replied_record(h, in->rcpt, in->env_from, in->now) < 0)
				return -1;
			v->vacation = 1;
			note(v, "vacation: reply to <%s>", in->env_from);
		}
	}
	return 0;
}

/* ---- the reply ---- */

int mr_vacation_reply(struct buf *out, const struct mr_rules *r, const char *user, const char *env_from,
		      const uint8_t *data, size_t len, const char *date, const char *message_id)
{
	char orig_id[512] = "", refs[2048] = "";
	struct buf subject;
	buf_init(&subject, 256);
	int rc = 0;
	if (r->vacation_subject) {
		rc = buf_append(&subject, r->vacation_subject, strlen(r->vacation_subject));
	} else {
		struct hdr_field f;
		struct buf orig;
		buf_init(&orig, 256);
		unsigned d = 0;
		if (hdr_find((const char *)data, len, "Subject", 0, &f))
			rc = hdr_decode(&orig, f.value, f.value_len, &d);
		const char *s = orig.data ? orig.data : "";
		size_t n = orig.len;
		/* "Re: " once, not "Re: Re: ". */
		if (rc == 0 && !(n >= 3 && strncasecmp(s, "Re:", 3) == 0))
			rc = buf_append(&subject, "Re: ", 4);
		if (rc == 0)
			rc = buf_append(&subject, s, n);
		buf_free(&orig);
	}
	if (rc == 0)
		rc = buf_append(&subject, "", 1);
	field_value(data, len, "Message-ID", orig_id, sizeof orig_id);
	field_value(data, len, "References", refs, sizeof refs);
	if (orig_id[0]) {
		size_t n = strlen(refs);
		snprintf(refs + n, sizeof refs - n, "%s%s", n ? " " : "", orig_id);
	}
	struct buf msg;
	buf_init(&msg, 2048);
	char err[200];
	struct msg_draft d = {.from = user,
			      .to = env_from,
			      .subject = rc == 0 ? subject.data : "",
			      .date = date,
			      .message_id = message_id,
			      .text = r->vacation_text,
			      .allow_8bit = 0};
	if (rc == 0)
		rc = msg_compose(&msg, &d, err, sizeof err);
	/* Auto-Submitted first: it is what stops the other side's responder. */
	if (rc == 0)
		rc = hdr_write(out, "Auto-Submitted", "auto-replied");
	if (rc == 0 && orig_id[0])
		rc = hdr_write(out, "In-Reply-To", orig_id);
	if (rc == 0 && refs[0])
		rc = hdr_write(out, "References", refs);
	if (rc == 0)
		rc = buf_append(out, msg.data, msg.len);
	buf_free(&msg);
	buf_free(&subject);
	return rc == 0 ? 0 : -1;
}

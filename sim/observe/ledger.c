/* The mail ledger; see ledger.h for what it checks.
 *
 * Storage: entries (host, queue id, recipient) in acceptance order, each
 * pointing at its message; messages (by Message-ID, or by host and queue id
 * when the message has none) in order first seen, each listing its entries.
 * Both are found through string-keyed hash tables of indices. Problems seen
 * while the run goes are kept as text; the end-of-run checks (lost and
 * unverified entries, queue mismatches, duplicates) are recomputed by
 * settle() whenever a result is asked for, so declarations may come in any
 * order before that. */
#include "sim/observe/ledger.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/smtp_client.h"
#include "sim/agents/mta.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/observe/ledger_internal.h"

const char *const ledger_fate_names[] = {"queued", "relayed", "delivered", "bounced", "discarded", "forwarded"};

/* ---- small containers ---- */

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > INT32_MAX)
		return -1;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int map_init(struct ledger_strmap *m, size_t cap)
{
	m->keys = calloc(cap, sizeof *m->keys);
	m->vals = malloc(cap * sizeof *m->vals);
	if (!m->keys || !m->vals) {
		free(m->keys);
		free(m->vals);
		return -1;
	}
	m->mask = cap - 1;
	m->used = 0;
	return 0;
}

static void map_free(struct ledger_strmap *m)
{
	if (m->keys)
		for (size_t i = 0; i <= m->mask; i++)
			free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static size_t map_slot(const struct ledger_strmap *m, const char *key)
{
	size_t i = (size_t)hash_str(key) & m->mask;
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & m->mask;
	return i;
}

static int32_t map_get(const struct ledger_strmap *m, const char *key)
{
	size_t i = map_slot(m, key);
	return m->keys[i] ? m->vals[i] : -1;
}

/* Adds key (copied; not present yet). 0, or -1 on ENOMEM. */
static int map_add(struct ledger_strmap *m, const char *key, int32_t val)
{
	if ((m->used + 1) * 2 > m->mask + 1) {
		struct ledger_strmap n;
		if (map_init(&n, (m->mask + 1) * 2) < 0)
			return -1;
		for (size_t i = 0; i <= m->mask; i++) {
			if (!m->keys[i])
				continue;
			size_t j = map_slot(&n, m->keys[i]);
			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
		n.used = m->used;
		free(m->keys);
		free(m->vals);
		*m = n;
	}
	size_t i = map_slot(m, key);
	if (!(m->keys[i] = strdup(key)))
		return -1;
	m->vals[i] = val;
	m->used++;
	return 0;
}

static void list_clear(struct ledger_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	l->n = 0;
}

static void list_free(struct ledger_strlist *l)
{
	list_clear(l);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static void list_add(struct obs_ledger *l, struct ledger_strlist *list, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void list_add(struct obs_ledger *l, struct ledger_strlist *list, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s || grow((void **)&list->items, &list->cap, list->n, sizeof *list->items) < 0) {
		free(s);
		l->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	list->items[list->n++] = s;
}

/* ---- names and keys ---- */

const char *ledger_host_name(const struct obs_ledger *l, int host, char buf[24])
{
	if (l->net && host >= 0 && host < net_host_count(l->net))
		return net_host_name(l->net, host);
	snprintf(buf, 24, "host %d", host);
	return buf;
}

/* host, queue id and recipient joined by unit separators, into a malloc'd
 * string. */
static char *entry_key(int host, const char *qid, const char *rcpt)
{
	qid = qid ? qid : "";
	rcpt = rcpt ? rcpt : "";
	size_t n = strlen(qid) + strlen(rcpt) + 32;
	char *k = malloc(n);
	if (k)
		snprintf(k, n, "%d\x1f%s\x1f%s", host, qid, rcpt);
	return k;
}

static int find_entry(const struct obs_ledger *l, int host, const char *qid, const char *rcpt)
{
	char *k = entry_key(host, qid, rcpt);
	if (!k)
		return -2;
	int e = map_get(&l->by_entry, k);
	free(k);
	return e;
}

static int same_mailbox(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

/* ---- messages ---- */

/* The message with this Message-ID, or (none) the one of host's queue id;
 * created when new. -1 on ENOMEM. */
static int message_for(struct obs_ledger *l, const char *mid, int host, const char *qid, const char *from)
{
	char *key;
	int has_id = mid && *mid;
	if (has_id) {
		key = malloc(strlen(mid) + 4);
		if (key)
			sprintf(key, "id\x1f%s", mid);
	} else {
		key = entry_key(host, qid, "(no Message-ID)");
	}
	if (!key)
		return -1;
	int m = map_get(&l->by_msg, key);
	if (m < 0 && grow((void **)&l->msgs, &l->capmsgs, l->nmsgs, sizeof *l->msgs) == 0) {
		struct ledger_message *msg = &l->msgs[l->nmsgs];
		memset(msg, 0, sizeof *msg);
		msg->submit_host = -1;
		msg->id = has_id ? strdup(mid) : NULL;
		msg->from = dup_or_empty(from);
		if ((has_id && !msg->id) || !msg->from || map_add(&l->by_msg, key, (int32_t)l->nmsgs) < 0) {
			free(msg->id);
			free(msg->from);
		} else {
			m = (int)l->nmsgs++;
		}
	}
	free(key);
	return m;
}

/* ---- records ---- */

static void on_accepted(struct obs_ledger *l, const struct obs_record *rec, const char *where)
{
	const char *qid = rec->u.mail.queue_id ? rec->u.mail.queue_id : "", *rcpt = rec->u.mail.rcpt;
	if (!rcpt || !*rcpt) {
		list_add(l, &l->seen, "%s accepted %s without naming a recipient", where, qid);
		return;
	}
	int e = find_entry(l, rec->u.mail.host, qid, rcpt);
	if (e >= 0) {
		list_add(l, &l->seen, "%s accepted %s for %s twice", where, qid, rcpt);
		return;
	}
	int m = e == -1 ? message_for(l, rec->u.mail.message_id, rec->u.mail.host, qid, rec->u.mail.from) : -1;
	if (m < 0 || grow((void **)&l->entries, &l->capentries, l->nentries, sizeof *l->entries) < 0 ||
	    grow((void **)&l->msgs[m].entries, &l->msgs[m].cap, l->msgs[m].n, sizeof *l->msgs[m].entries) < 0) {
		l->oom = 1;
		return;
	}
	struct ledger_entry *en = &l->entries[l->nentries];
	memset(en, 0, sizeof *en);
	en->host = rec->u.mail.host;
	en->qid = strdup(qid);
	en->rcpt = strdup(rcpt);
	en->msg = m;
	char *key = entry_key(en->host, qid, rcpt);
	if (!en->qid || !en->rcpt || !key || map_add(&l->by_entry, key, (int32_t)l->nentries) < 0) {
		free(en->qid);
		free(en->rcpt);
		free(key);
		l->oom = 1;
		return;
	}
	free(key);
	l->msgs[m].entries[l->msgs[m].n++] = (int)l->nentries;
	l->nentries++;
}

/* The entry an event is about; or, for an event naming no recipient,
 * every open entry of that queue id (count in *n_r, indices in out). */
static size_t event_entries(struct obs_ledger *l, const struct obs_record *rec, int *one, int **many_r)
{
	const char *qid = rec->u.mail.queue_id ? rec->u.mail.queue_id : "";
	*many_r = NULL;
	if (rec->u.mail.rcpt) {
		*one = find_entry(l, rec->u.mail.host, qid, rec->u.mail.rcpt);
		if (*one == -2)
			l->oom = 1;
		return *one >= 0 ? 1 : 0;
	}
	size_t n = 0, cap = 0;
	int *many = NULL;
	for (size_t i = 0; i < l->nentries; i++) {
		const struct ledger_entry *en = &l->entries[i];
		if (en->host != rec->u.mail.host || en->fate != FATE_OPEN || strcmp(en->qid, qid) != 0)
			continue;
		if (grow((void **)&many, &cap, n, sizeof *many) < 0) {
			l->oom = 1;
			break;
		}
		many[n++] = (int)i;
	}
	*many_r = many;
	return n;
}

static void set_text(struct obs_ledger *l, char **dst, const char *text)
{
	char *s = dup_or_empty(text);
	if (!s) {
		l->oom = 1;
		return;
	}
	free(*dst);
	*dst = s;
}

static void on_event(struct obs_ledger *l, const struct obs_record *rec, const char *where)
{
	enum obs_mail_event ev = rec->u.mail.event;
	const char *qid = rec->u.mail.queue_id ? rec->u.mail.queue_id : "";
	const char *rcpt = rec->u.mail.rcpt ? rec->u.mail.rcpt : "(every recipient)";
	int one = -1, *many;
	size_t n = event_entries(l, rec, &one, &many);
	if (n == 0) {
		list_add(l, &l->seen, "%s %s %s for %s, which it never accepted", where, obs_mail_event_name(ev), qid,
			 rcpt);
		free(many);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct ledger_entry *en = &l->entries[many ? many[i] : one];
		switch (ev) {
		case OBS_MAIL_QUEUED:
			break;
		case OBS_MAIL_DEFERRED:
			set_text(l, &en->deferred, rec->u.mail.text);
			if (rec->u.mail.text && strstr(rec->u.mail.text, SMTP_CLIENT_RFC1047_MARK))
				en->uncertain++;
			break;
		default: {
			enum ledger_fate f = ev == OBS_MAIL_RELAYED	? FATE_RELAYED
				      : ev == OBS_MAIL_DELIVERED ? FATE_DELIVERED
				      : ev == OBS_MAIL_BOUNCED	 ? FATE_BOUNCED
				      : ev == OBS_MAIL_FORWARDED ? FATE_FORWARDED
								 : FATE_DISCARDED;
			if (en->fate != FATE_OPEN) {
				list_add(l, &l->seen, "%s %s %s for %s, which had already been %s", where,
					 obs_mail_event_name(ev), qid, en->rcpt, ledger_fate_names[en->fate]);
				break;
			}
			en->fate = f;
			set_text(l, &en->detail, rec->u.mail.text);
			break;
		}
		}
	}
	free(many);
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_ledger *l = ctx;
	if (rec->type != OBS_MAIL)
		return;
	char buf[24];
	const char *where = ledger_host_name(l, rec->u.mail.host, buf);
	switch (rec->u.mail.event) {
	case OBS_MAIL_SUBMITTED: {
		int m = message_for(l, rec->u.mail.message_id, rec->u.mail.host, rec->u.mail.queue_id,
				    rec->u.mail.from);
		if (m < 0)
			l->oom = 1;
		else if (l->msgs[m].submit_host < 0)
			l->msgs[m].submit_host = rec->u.mail.host;
		break;
	}
	case OBS_MAIL_ACCEPTED:
		on_accepted(l, rec, where);
		break;
	case OBS_MAIL_HEADER:
		break;
	case OBS_MAIL_QUEUED:
	case OBS_MAIL_DEFERRED:
	case OBS_MAIL_RELAYED:
	case OBS_MAIL_DELIVERED:
	case OBS_MAIL_BOUNCED:
	case OBS_MAIL_DISCARDED:
	case OBS_MAIL_FORWARDED:
		on_event(l, rec, where);
		break;
	default:
		list_add(l, &l->seen, "%s: unknown mail event %d", where, (int)rec->u.mail.event);
		break;
	}
}

/* ---- declarations ---- */

static int host_declared(const struct obs_ledger *l, int host)
{
	for (size_t i = 0; i < l->ndecl_hosts; i++)
		if (l->decl_hosts[i] == host)
			return 1;
	return 0;
}

int obs_ledger_declare_queue(struct obs_ledger *l, int host)
{
	/* Afresh: forget what was declared for host before. */
	size_t keep = 0;
	for (size_t i = 0; i < l->ndecl; i++) {
		if (l->decl[i].host == host) {
			free(l->decl[i].qid);
			free(l->decl[i].rcpt);
			free(l->decl[i].error);
		} else {
			l->decl[keep++] = l->decl[i];
		}
	}
	l->ndecl = keep;
	if (host_declared(l, host))
		return 0;
	if (grow((void **)&l->decl_hosts, &l->capdecl_hosts, l->ndecl_hosts, sizeof *l->decl_hosts) < 0)
		return -1;
	l->decl_hosts[l->ndecl_hosts++] = host;
	return 0;
}

int obs_ledger_declare_queued(struct obs_ledger *l, int host, const char *queue_id, const char *rcpt,
			      const char *last_error)
{
	if (!host_declared(l, host))
		return -1;
	if (grow((void **)&l->decl, &l->capdecl, l->ndecl, sizeof *l->decl) < 0)
		return -1;
	struct ledger_declared *d = &l->decl[l->ndecl];
	d->host = host;
	d->qid = dup_or_empty(queue_id);
	d->rcpt = dup_or_empty(rcpt);
	d->error = dup_or_empty(last_error);
	if (!d->qid || !d->rcpt || !d->error) {
		free(d->qid);
		free(d->rcpt);
		free(d->error);
		return -1;
	}
	l->ndecl++;
	return 0;
}

struct declare_ctx {
	struct obs_ledger *l;
	int host;
	int failed;
};

static void declare_one(void *ctx, const char *queue_id, const char *from, const char *rcpt, sim_time next_attempt,
			const char *last_error)
{
	(void)from;
	struct declare_ctx *d = ctx;
	/* An entry never tried to the end has no error yet; its reason to
	 * be in the queue is the attempt to come (or going on). */
	char why[128];
	if (!last_error || !*last_error) {
		char when[32];
		sim_time_format(next_attempt, when, sizeof when);
		if (next_attempt == SIM_TIME_NEVER)
			snprintf(why, sizeof why, "waiting, with no attempt planned");
		else
			snprintf(why, sizeof why, "first attempt due at %ss, not finished when the run ended", when);
		last_error = why;
	}
	if (obs_ledger_declare_queued(d->l, d->host, queue_id, rcpt, last_error) < 0)
		d->failed = 1;
}

int obs_ledger_declare_mta(struct obs_ledger *l, const struct mta *m)
{
	struct declare_ctx d = {l, mta_host(m), 0};
	if (obs_ledger_declare_queue(l, d.host) < 0)
		return -1;
	mta_foreach_queued(m, declare_one, &d);
	return d.failed ? -1 : 0;
}

/* ---- the end-of-run checks ---- */

static const char *or_none(const char *s) { return s && *s ? s : "none"; }

/* Whether entry i is the first of its message's entries for its mailbox. */
int ledger_first_for_mailbox(const struct obs_ledger *l, const struct ledger_message *m, size_t k)
{
	const char *rcpt = l->entries[m->entries[k]].rcpt;
	for (size_t j = 0; j < k; j++)
		if (same_mailbox(l->entries[m->entries[j]].rcpt, rcpt))
			return 0;
	return 1;
}

static void settle(struct obs_ledger *l)
{
	list_clear(&l->settled);
	list_clear(&l->dups);
	char b1[24];
	for (size_t i = 0; i < l->nentries; i++) {
		l->entries[i].declared = 0;
		l->entries[i].queue_error = NULL;
	}
	for (size_t i = 0; i < l->ndecl; i++) {
		const struct ledger_declared *d = &l->decl[i];
		int e = find_entry(l, d->host, d->qid, d->rcpt);
		const char *where = ledger_host_name(l, d->host, b1);
		if (e == -2) {
			l->oom = 1;
		} else if (e < 0) {
			list_add(l, &l->settled, "%s's queue holds %s for %s, which the ledger never saw accepted", where,
				 d->qid, d->rcpt);
		} else if (l->entries[e].fate != FATE_OPEN) {
			list_add(l, &l->settled, "%s's queue holds %s for %s, which the ledger saw %s", where, d->qid,
				 d->rcpt, ledger_fate_names[l->entries[e].fate]);
		} else if (l->entries[e].declared) {
			list_add(l, &l->settled, "%s's queue holds %s for %s twice", where, d->qid, d->rcpt);
		} else {
			l->entries[e].declared = 1;
			l->entries[e].queue_error = d->error;
		}
	}
	for (size_t i = 0; i < l->nentries; i++) {
		const struct ledger_entry *en = &l->entries[i];
		if (en->fate == FATE_OPEN && en->declared && !(en->deferred && *en->deferred) &&
		    !(en->queue_error && *en->queue_error))
			list_add(l, &l->settled, "queued without a reason: %s holds %s for %s, never deferred and with no error",
				 ledger_host_name(l, en->host, b1), en->qid, en->rcpt);
		if (en->fate != FATE_OPEN || en->declared)
			continue;
		const char *where = ledger_host_name(l, en->host, b1);
		if (host_declared(l, en->host))
			list_add(l, &l->settled,
				 "lost: %s accepted %s for %s; it was never relayed, delivered, bounced or discarded, "
				 "and %s's queue does not hold it (last deferral: %s)",
				 where, en->qid, en->rcpt, where, or_none(en->deferred));
		else
			list_add(l, &l->settled,
				 "unverified: %s accepted %s for %s and never ended it, but %s's queue was not declared",
				 where, en->qid, en->rcpt, where);
	}
	/* A UA heard 250 for it, so some MTA must have accepted it. */
	for (size_t m = 0; m < l->nmsgs; m++)
		if (l->msgs[m].submit_host >= 0 && l->msgs[m].n == 0)
			list_add(l, &l->settled, "lost: %s submitted %s, which no MTA accepted",
				 ledger_host_name(l, l->msgs[m].submit_host, b1),
				 l->msgs[m].id ? l->msgs[m].id : "a message without a Message-ID");
	/* Duplicates: per message and mailbox, deliveries through separate
	 * acceptances. */
	for (size_t m = 0; m < l->nmsgs; m++) {
		const struct ledger_message *msg = &l->msgs[m];
		for (size_t k = 0; k < msg->n; k++) {
			if (!ledger_first_for_mailbox(l, msg, k))
				continue;
			const char *rcpt = l->entries[msg->entries[k]].rcpt;
			size_t count = 0, uncertain = 0;
			char where[512] = "";
			size_t wl = 0;
			for (size_t j = k; j < msg->n; j++) {
				const struct ledger_entry *en = &l->entries[msg->entries[j]];
				if (!same_mailbox(en->rcpt, rcpt))
					continue;
				uncertain += en->uncertain;
				if (en->fate != FATE_DELIVERED)
					continue;
				count++;
				if (wl < sizeof where)
					wl += (size_t)snprintf(where + wl, sizeof where - wl, "%s%s %s", count > 1 ? ", " : "",
							       ledger_host_name(l, en->host, b1), en->qid);
			}
			/* Each extra copy needs an attempt that lost the reply
			 * to its data; any other copy is a bug. */
			if (count > 1 && uncertain < count - 1)
				list_add(l, &l->settled,
					 "duplicate: %s delivered %zu times to %s (%s), but only %zu attempt%s lost the "
					 "reply to the data: not the RFC 1047 case",
					 msg->id ? msg->id : "(no Message-ID)", count, rcpt, where, uncertain,
					 uncertain == 1 ? "" : "s");
			else if (count > 1)
				list_add(l, &l->dups,
					 "duplicate: %s delivered %zu times to %s (%s): the RFC 1047 case, the message "
					 "was sent again after the reply to its final \".\" was lost",
					 msg->id ? msg->id : "(no Message-ID)", count, rcpt, where);
		}
	}
}

void obs_ledger_totals(struct obs_ledger *l, struct obs_ledger_totals *t)
{
	settle(l);
	memset(t, 0, sizeof *t);
	t->accepted = l->nentries;
	for (size_t i = 0; i < l->nentries; i++) {
		switch (l->entries[i].fate) {
		case FATE_OPEN: t->queued++; break;
		case FATE_RELAYED: t->relayed++; break;
		case FATE_DELIVERED: t->delivered++; break;
		case FATE_BOUNCED: t->bounced++; break;
		case FATE_DISCARDED: t->discarded++; break;
		case FATE_FORWARDED: t->forwarded++; break;
		}
	}
	t->problems = l->seen.n + l->settled.n + (l->oom ? 1 : 0);
	t->duplicates = l->dups.n;
	t->messages = l->nmsgs;
}

int obs_ledger_balanced(struct obs_ledger *l)
{
	struct obs_ledger_totals t;
	obs_ledger_totals(l, &t);
	return t.problems == 0 &&
	       t.accepted == t.delivered + t.relayed + t.bounced + t.discarded + t.queued + t.forwarded;
}

size_t obs_ledger_duplicates(struct obs_ledger *l)
{
	settle(l);
	return l->dups.n;
}

/* ---- one recipient's journey ---- */

/* Follows rcpt (the mailbox of entry k onwards) through message m: the
 * hosts it was accepted at, in order, after its submitter; its fate is the
 * first of delivered, bounced, discarded, queued, relayed that any of its
 * entries reached. */
void ledger_follow(const struct obs_ledger *l, const struct ledger_message *m, size_t k, struct ledger_journey *j)
{
	static const int rank[] = {[FATE_DELIVERED] = 0, [FATE_BOUNCED] = 1, [FATE_DISCARDED] = 2,
				   [FATE_OPEN] = 3, [FATE_FORWARDED] = 4, [FATE_RELAYED] = 5};
	memset(j, 0, sizeof *j);
	const char *rcpt = l->entries[m->entries[k]].rcpt;
	if (m->submit_host >= 0)
		j->path[j->npath++] = m->submit_host;
	for (size_t i = k; i < m->n; i++) {
		const struct ledger_entry *en = &l->entries[m->entries[i]];
		if (!same_mailbox(en->rcpt, rcpt))
			continue;
		if (j->npath == 0 || j->path[j->npath - 1] != en->host) {
			if (j->npath < sizeof j->path / sizeof j->path[0])
				j->path[j->npath++] = en->host;
			else
				j->path_truncated = 1;
		}
		if (en->fate == FATE_DELIVERED)
			j->deliveries++;
		if (!j->at || rank[en->fate] < rank[j->fate]) {
			j->at = en;
			j->fate = en->fate;
		}
	}
}

/* The journey's detail: the folder, the reason, the next hop. */
const char *ledger_journey_detail(const struct ledger_journey *j)
{
	if (j->fate == FATE_OPEN) {
		if (j->at->deferred && *j->at->deferred)
			return j->at->deferred;
		return j->at->queue_error ? j->at->queue_error : "";
	}
	return j->at->detail ? j->at->detail : "";
}

/* A message's fate: its recipients' one fate, or "mixed". */
const char *ledger_message_fate(const struct obs_ledger *l, const struct ledger_message *m)
{
	const char *fate = NULL;
	for (size_t k = 0; k < m->n; k++) {
		if (!ledger_first_for_mailbox(l, m, k))
			continue;
		struct ledger_journey j;
		ledger_follow(l, m, k, &j);
		if (fate && strcmp(fate, ledger_fate_names[j.fate]) != 0)
			return "mixed";
		fate = ledger_fate_names[j.fate];
	}
	return fate ? fate : "unaccepted";
}

/* ---- life cycle ---- */

struct obs_ledger *obs_ledger_open(struct sim *sim, const struct net *net)
{
	struct obs_ledger *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->sim = sim;
	l->net = net;
	if (map_init(&l->by_entry, 64) < 0 || map_init(&l->by_msg, 64) < 0 ||
	    bus_subscribe(sim_bus(sim), OBS_MASK(OBS_MAIL), on_record, l) < 0) {
		map_free(&l->by_entry);
		map_free(&l->by_msg);
		free(l);
		return NULL;
	}
	return l;
}

void obs_ledger_close(struct obs_ledger **lp)
{
	if (!lp || !*lp)
		return;
	struct obs_ledger *l = *lp;
	bus_unsubscribe(sim_bus(l->sim), on_record, l);
	for (size_t i = 0; i < l->nentries; i++) {
		free(l->entries[i].qid);
		free(l->entries[i].rcpt);
		free(l->entries[i].detail);
		free(l->entries[i].deferred);
	}
	free(l->entries);
	for (size_t i = 0; i < l->nmsgs; i++) {
		free(l->msgs[i].id);
		free(l->msgs[i].from);
		free(l->msgs[i].entries);
	}
	free(l->msgs);
	for (size_t i = 0; i < l->ndecl; i++) {
		free(l->decl[i].qid);
		free(l->decl[i].rcpt);
		free(l->decl[i].error);
	}
	free(l->decl);
	free(l->decl_hosts);
	map_free(&l->by_entry);
	map_free(&l->by_msg);
	list_free(&l->seen);
	list_free(&l->settled);
	list_free(&l->dups);
	free(l);
	*lp = NULL;
}

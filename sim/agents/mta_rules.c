/* The MTA's local delivery through a user's rules (mail_rules.h): it asks
 * mail_rules_apply() for a verdict and carries it out, publishing each step
 * so the transcript and the ledger show it.
 *
 * Ledger: the accepted recipient ends exactly once: "delivered" (the
 * folders it was stored in), "forwarded" (sent on, no copy kept) or
 * "discarded" (a filter). Every forwarded copy and every vacation reply is
 * a new message accepted at this host under a new queue id, then delivered
 * here or queued like any other.
 *
 * Forwarding keeps the original envelope sender (RFC 5321 3.9.1: an alias
 * changes the recipient, not the reverse path), so a bounce of the
 * forwarded copy goes to the original sender, and the header is untouched
 * but for a "Delivered-To: user" field on top, which is how the copy is
 * recognised if it ever comes back: mail for a user that already carries
 * that user's Delivered-To is bounced as a forwarding loop (5.4.6), as
 * Postfix's local delivery does. No SRS: in this simulation no receiver
 * checks SPF, and the lesson is the envelope, not sender rewriting.
 *
 * The vacation reply goes out with an empty envelope sender (RFC 3834 3.3)
 * and Auto-Submitted: auto-replied, so no responder answers it and no
 * bounce comes back for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/agents/mail_rules.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/mta_internal.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"

static int delivered_to(const uint8_t *data, size_t len, const char *rcpt)
{
	struct hdr_field f;
	for (int i = 0; hdr_find((const char *)data, len, "Delivered-To", i, &f); i++) {
		struct buf b;
		buf_init(&b, f.value_len + 1);
		int same = hdr_unfold(&b, f.value, f.value_len) == 0 && b.len == strlen(rcpt) &&
			   strncasecmp(b.data, rcpt, b.len) == 0;
		buf_free(&b);
		if (same)
			return 1;
	}
	return 0;
}

static void fail_rcpt(struct qrcpt *q, const char *address, const char *status, const char *reply)
{
	memset(q, 0, sizeof *q);
	q->address = (char *)address;
	q->state = RCPT_BOUNCED;
	snprintf(q->status, sizeof q->status, "%s", status);
	snprintf(q->reply, sizeof q->reply, "%s", reply);
}

/* Ends (qid, rcpt) as bounced and sends the DSN to from. */
static void bounce_one(struct mta *m, const char *qid, const char *from, const char *rcpt, const char *message_id,
		       const char *status, const char *reply, const uint8_t *data, size_t len)
{
	struct qrcpt q;
	fail_rcpt(&q, rcpt, status, reply);
	char date[MSG_DATE_MAX];
	agent_date_now(m->env, date);
	if (from && *from) {
		m->stats.bounced++;
		agent_publish_mail(m->env, m->host, OBS_MAIL_BOUNCED, qid, message_id, from, rcpt, reply);
	}
	mta_bounce(m, qid, from, date, &q, 1, data, len);
}

/* Hands a message this host generated (a forwarded copy, a vacation
 * reply), already published as accepted under qid for each of rcpts, to
 * local delivery or the queue. */
static void route_new(struct mta *m, const char *qid, const char *from, const char *message_id,
		      const char *const *rcpts, size_t n, struct blob *msg)
{
	for (size_t i = 0; i < n; i++) {
		const char *d = mta_domain_of(rcpts[i]);
		if (mta_is_local_domain(m, d)) {
			int rc = mta_deliver_local(m, qid, from, rcpts[i], message_id, blob_data(msg), blob_len(msg));
			if (rc == MS_ERR_NOT_FOUND)
				bounce_one(m, qid, from, rcpts[i], message_id, "5.1.1",
					   "550 5.1.1 User unknown in local recipient table", blob_data(msg),
					   blob_len(msg));
			else if (rc < 0)
				bounce_one(m, qid, from, rcpts[i], message_id, "4.3.1", ms_error_text(rc),
					   blob_data(msg), blob_len(msg));
			continue;
		}
		int seen = 0;
		for (size_t k = 0; k < i; k++)
			seen |= strcasecmp(mta_domain_of(rcpts[k]), d) == 0;
		if (seen)
			continue;
		const char *group[MR_MAX_FORWARDS];
		size_t ng = 0;
		for (size_t k = i; k < n && ng < MR_MAX_FORWARDS; k++)
			if (strcasecmp(mta_domain_of(rcpts[k]), d) == 0)
				group[ng++] = rcpts[k];
		if (mta_enqueue(m, qid, from, d, message_id, group, ng, msg) != 0)
			for (size_t k = 0; k < ng; k++) {
				m->stats.discarded++;
				agent_publish_mail(m->env, m->host, OBS_MAIL_DISCARDED, qid, message_id, from, group[k],
						   "out of memory");
			}
	}
}

static void forward(struct mta *m, const char *rcpt, const char *from, const char *message_id,
		    const struct mr_verdict *v, const uint8_t *data, size_t len)
{
	struct buf b;
	buf_init(&b, len + 256);
	if (hdr_write(&b, "Delivered-To", rcpt) != 0 || buf_append(&b, data, len) != 0) {
		buf_free(&b);
		agent_publish_note(m->env, m->host, 0, "rules", "%s: cannot forward: out of memory", rcpt);
		return;
	}
	size_t field_len = 0;
	while (field_len + 1 < b.len && !(b.data[field_len] == '\r' && b.data[field_len + 1] == '\n'))
		field_len++;
	size_t n;
	char *bytes = buf_steal(&b, &n);
	struct blob *copy = bytes ? blob_take(bytes, n) : NULL;
	if (!copy)
		return;
	char fq[24];
	mta_make_qid(m, fq);
	char text[300];
	snprintf(text, sizeof text, "forwarded by %s", rcpt);
	for (size_t i = 0; i < v->nforward; i++)
		agent_publish_mail(m->env, m->host, OBS_MAIL_ACCEPTED, fq, message_id, from, v->forward[i], text);
	{
		char *field = strndup((const char *)blob_data(copy), field_len);
		agent_publish_mail(m->env, m->host, OBS_MAIL_HEADER, fq, message_id, from, NULL, field);
		free(field);
	}
	m->stats.forwarded += v->nforward;
	route_new(m, fq, from, message_id, v->forward, v->nforward, copy);
	blob_unref(&copy);
}

static void vacation(struct mta *m, const char *rcpt, const char *to, const uint8_t *data, size_t len)
{
	const struct mr_rules *r = mail_rules_for(m->cfg.rules, rcpt);
	char date[MSG_DATE_MAX], msgid[300];
	agent_date_now(m->env, date);
	if (msg_id_make(msgid, sizeof msgid, sim_seed(m->env->sim) ^ (uint64_t)m->host << 32, ++m->next_msgid,
			m->cfg.hostname) != 0)
		snprintf(msgid, sizeof msgid, "<vacation.%llu@%s>", (unsigned long long)m->next_msgid, m->cfg.hostname);
	struct buf b;
	buf_init(&b, 4096);
	if (!r || mr_vacation_reply(&b, r, rcpt, to, data, len, date, msgid) != 0) {
		buf_free(&b);
		agent_publish_note(m->env, m->host, 0, "rules", "%s: vacation: cannot write the reply to <%s>", rcpt, to);
		return;
	}
	size_t n;
	char *bytes = buf_steal(&b, &n);
	struct blob *reply = bytes ? blob_take(bytes, n) : NULL;
	if (!reply)
		return;
	char vq[24];
	mta_make_qid(m, vq);
	char text[300];
	snprintf(text, sizeof text, "vacation auto-reply from %s", rcpt);
	agent_publish_mail(m->env, m->host, OBS_MAIL_ACCEPTED, vq, msgid, "", to, text);
	m->stats.auto_replied++;
	const char *one[1] = {to};
	route_new(m, vq, "", msgid, one, 1, reply);
	blob_unref(&reply);
}

int mta_rules_deliver(struct mta *m, struct ms_user *u, const char *qid, const char *from, const char *rcpt,
		      const char *message_id, struct blob *stored, const uint8_t *data, size_t len)
{
	if (delivered_to(data, len, rcpt)) {
		agent_publish_note(m->env, m->host, 0, "rules", "%s: mail forwarding loop (Delivered-To: %s): bounced",
				   rcpt, rcpt);
		char reply[300];
		snprintf(reply, sizeof reply, "554 5.4.6 mail forwarding loop for %s", rcpt);
		bounce_one(m, qid, from, rcpt, message_id, "5.4.6", reply, data, len);
		return 0;
	}
	struct mr_input in = {rcpt, from ? from : "", blob_data(stored), blob_len(stored), sim_now(m->env->sim)};
	struct mr_verdict v;
	if (mail_rules_apply(m->cfg.rules, &in, &v) < 0)
		return MS_ERR_NOMEM;
	for (size_t i = 0; i < v.nnotes; i++)
		agent_publish_note(m->env, m->host, 0, "rules", "%s: %s", rcpt, v.notes[i]);
	uint64_t kw = 0;
	for (size_t i = 0; i < v.nkeywords; i++) {
		int b = ms_keyword(u, v.keywords[i], 1);
		if (b >= 0)
			kw |= 1ull << b;
		else
			agent_publish_note(m->env, m->host, 0, "rules", "%s: keyword %s not set: %s", rcpt,
					   v.keywords[i], ms_error_text(b));
	}
	char where[400] = "";
	for (size_t i = 0; i < v.nfolders; i++) {
		struct ms_folder *f = ms_folder_find(u, v.folders[i]);
		if (!f) {
			int rc = ms_folder_create(u, v.folders[i], &f);
			if (rc != MS_OK) {
				/* A folder that cannot exist: INBOX gets it (Sieve's
				 * fileinto failure keeps the message). */
				agent_publish_note(m->env, m->host, 0, "rules", "%s: cannot create folder %s (%s): INBOX",
						   rcpt, v.folders[i], ms_error_text(rc));
				f = ms_folder_find(u, "INBOX");
			} else {
				agent_publish_note(m->env, m->host, 0, "rules", "%s: created folder %s", rcpt,
						   v.folders[i]);
			}
		}
		long uid = ms_append(f, stored, MS_RECENT | v.flags, kw, sim_now(m->env->sim));
		if (uid < 0)
			return (int)uid;
		size_t o = strlen(where);
		snprintf(where + o, sizeof where - o, "%s%s", o ? ", " : "", ms_folder_name(f));
	}
	if (v.nfolders) {
		m->stats.delivered++;
		agent_publish_mail(m->env, m->host, OBS_MAIL_DELIVERED, qid, message_id, from, rcpt, where);
	} else if (v.nforward) {
		char to[400] = "";
		for (size_t i = 0; i < v.nforward; i++) {
			size_t o = strlen(to);
			snprintf(to + o, sizeof to - o, "%s%s", i ? ", " : "to ", v.forward[i]);
		}
		agent_publish_mail(m->env, m->host, OBS_MAIL_FORWARDED, qid, message_id, from, rcpt, to);
	} else {
		char why[200];
		snprintf(why, sizeof why, "by %s's filter \"%s\"", rcpt, v.discarded_by ? v.discarded_by : "?");
		m->stats.discarded++;
		agent_publish_mail(m->env, m->host, OBS_MAIL_DISCARDED, qid, message_id, from, rcpt, why);
	}
	if (v.nforward)
		forward(m, rcpt, from ? from : "", message_id, &v, data, len);
	if (v.vacation)
		vacation(m, rcpt, from, blob_data(stored), blob_len(stored));
	return 0;
}

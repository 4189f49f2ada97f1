/* The UA's sending side; see ua.h. */
#include "sim/agents/ua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/address.h"
#include "protocols/compose.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "sim/agents/agent_env.h"
#include "sim/agents/host_life.h"
#include "sim/agents/mailstore.h"
#include "sim/agents/smtp_out.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"

#define MAX_RCPTS 100

struct ua_job {
	struct ua *ua;
	int id;
	struct blob *wire; /* the copy sent: no Bcc */
	char message_id[256];
	size_t nrcpts, accepted, refused;
	char reply[300];
	int final_code;
	struct smtp_out *out; /* until its done callback */
	struct ua_job *next;
};

struct ua {
	const struct agent_env *env;
	int host;
	struct ua_config cfg;
	ua_report_fn report;
	void *ctx;
	struct mailstore *local;
	struct ua_job *jobs;
	int next_id;
	uint64_t counter;
};

const char *ua_outcome_name(enum ua_outcome o)
{
	static const char *const names[] = {"pending", "sent", "partial", "refused", "failed", "bad-draft"};
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

struct ua *ua_new(const struct agent_env *env, int host, const struct ua_config *cfg, ua_report_fn report, void *ctx)
{
	struct ua *ua = calloc(1, sizeof *ua);
	if (!ua)
		return NULL;
	ua->env = env;
	ua->host = host;
	ua->cfg = *cfg;
	ua->report = report;
	ua->ctx = ctx;
	ua->local = mailstore_new();
	if (!ua->local || !mailstore_add_user(ua->local, cfg->address, "") ||
	    ms_folder_create(mailstore_find_user(ua->local, cfg->address), "Sent", NULL) != MS_OK) {
		mailstore_free(&ua->local);
		free(ua);
		return NULL;
	}
	return ua;
}

static void job_free(struct ua_job *j)
{
	blob_unref(&j->wire);
	free(j);
}

void ua_free(struct ua **uap)
{
	if (!uap || !*uap)
		return;
	struct ua *ua = *uap;
	while (ua->jobs) {
		struct ua_job *j = ua->jobs;
		ua->jobs = j->next;
		if (j->out)
			smtp_out_abort(j->out);
		job_free(j);
	}
	mailstore_free(&ua->local);
	free(ua);
	*uap = NULL;
}

struct mailstore *ua_local_store(struct ua *ua) { return ua->local; }
int ua_host(const struct ua *ua) { return ua->host; }

static void on_rcpt(void *ctx, int job, size_t index, const struct smtp_client_reply *r)
{
	(void)job;
	(void)index;
	struct ua_job *j = ctx;
	if (r->code / 100 == 2) {
		j->accepted++;
	} else {
		j->refused++;
		snprintf(j->reply, sizeof j->reply, "%d %s", r->code, r->text);
	}
}

static void on_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	(void)job;
	(void)accepted;
	struct ua_job *j = ctx;
	j->final_code = r->code;
	snprintf(j->reply, sizeof j->reply, "%d %s", r->code, r->text);
	for (char *p = j->reply; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void on_done(void *ctx, struct smtp_out *out)
{
	(void)out;
	struct ua_job *j = ctx;
	struct ua *ua = j->ua;
	j->out = NULL;
	struct ua_send_report rep = {.id = j->id, .message_id = j->message_id, .reply = j->reply};
	if (j->final_code / 100 == 2 && j->refused == 0)
		rep.outcome = UA_SENT;
	else if (j->final_code / 100 == 2)
		rep.outcome = UA_PARTIAL;
	else if (j->final_code / 100 == 5 || (j->refused && j->final_code == 554))
		rep.outcome = UA_REFUSED;
	else
		rep.outcome = UA_FAILED;
	rep.accepted = j->final_code / 100 == 2 ? j->accepted : 0;
	rep.refused = j->refused;
	if (rep.outcome == UA_SENT || rep.outcome == UA_PARTIAL)
		agent_publish_mail(ua->env, ua->host, OBS_MAIL_SUBMITTED, NULL, j->message_id, ua->cfg.address, NULL,
				   j->reply);
	agent_publish_note(ua->env, ua->host, 0, "ua", "send %s: %s (%s)", j->message_id, ua_outcome_name(rep.outcome),
			   j->reply);
	if (ua->report)
		ua->report(ua->ctx, &rep);
	for (struct ua_job **pp = &ua->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	job_free(j);
}

int ua_send(struct ua *ua, const struct msg_draft *draft, char *err, size_t errlen)
{
	if (!host_life_is_up(ua->env->life, ua->host)) {
		snprintf(err, errlen, "%s is down (crashed)", net_host_name(ua->env->net, ua->host));
		return -1;
	}
	struct msg_draft d = *draft;
	char date[MSG_DATE_MAX];
	if (!d.date) {
		agent_host_date_now(ua->env, ua->host, date);
		d.date = date;
	}
	if (!d.message_id) {
		d.seed = sim_seed(ua->env->sim) ^ ((uint64_t)ua->host << 40);
		d.counter = ++ua->counter;
	}
	struct buf composed;
	buf_init(&composed, 64 << 20);
	if (msg_compose(&composed, &d, err, errlen) != 0) {
		buf_free(&composed);
		return -1;
	}
	struct ua_job *j = calloc(1, sizeof *j);
	if (!j) {
		buf_free(&composed);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	j->ua = ua;
	j->id = ua->next_id++;
	struct hdr_field mf;
	if (hdr_find(composed.data, composed.len, "Message-ID", 0, &mf)) {
		const char *v = mf.value;
		size_t n = mf.value_len;
		while (n && (*v == ' ' || *v == '\t'))
			v++, n--;
		while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
			n--;
		snprintf(j->message_id, sizeof j->message_id, "%.*s", (int)n, v);
	}
	/* The envelope: every To, Cc and Bcc mailbox. */
	struct addr_list *rl = NULL;
	if (msg_recipients(composed.data, composed.len, &rl) != 0 || addr_list_count(rl) == 0) {
		addr_list_free(&rl);
		buf_free(&composed);
		free(j);
		snprintf(err, errlen, "the message has no recipients");
		return -1;
	}
	const char *rcpts[MAX_RCPTS];
	size_t n = 0;
	for (size_t i = 0; i < addr_list_count(rl) && n < MAX_RCPTS; i++)
		rcpts[n++] = addr_list_get(rl, i)->mailbox;
	j->nrcpts = n;
	/* The Bcc rule: the Sent copy keeps Bcc; the wire copy has none. */
	struct buf wire;
	buf_init(&wire, 64 << 20);
	struct blob *sent_copy = NULL;
	if (msg_strip_bcc(&wire, composed.data, composed.len) == 0) {
		size_t wl, cl;
		char *wb = buf_steal(&wire, &wl);
		j->wire = wb ? blob_take(wb, wl) : NULL;
		char *cb = buf_steal(&composed, &cl);
		sent_copy = cb ? blob_take(cb, cl) : NULL;
	}
	buf_free(&wire);
	buf_free(&composed);
	if (!j->wire || !sent_copy) {
		blob_unref(&sent_copy);
		addr_list_free(&rl);
		job_free(j);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct ms_user *me = mailstore_find_user(ua->local, ua->cfg.address);
	struct ms_folder *sent = ms_folder_find(me, "Sent");
	ms_append(sent, sent_copy, MS_SEEN, 0, sim_now(ua->env->sim));
	ms_folder_trim(sent, ua->cfg.local_keep);
	blob_unref(&sent_copy);
	struct smtp_client_options o;
	smtp_client_options_init(&o, ua->cfg.helo_name);
	o.use_ehlo = ua->cfg.use_ehlo;
	o.want_starttls = ua->cfg.starttls;
	struct smtp_client_host h = {.ctx = j, .rcpt = on_rcpt, .message = on_message};
	struct smtp_out *out = smtp_out_open(ua->env, ua->host, ua->cfg.submit_ip,
					     ua->cfg.submit_port ? ua->cfg.submit_port : 587, &o, &h, on_done);
	int rc = out ? smtp_client_add_message(smtp_out_engine(out), ua->cfg.address, rcpts, n, blob_data(j->wire),
					       blob_len(j->wire))
		     : -1;
	addr_list_free(&rl);
	if (rc < 0) {
		if (out)
			smtp_out_abort(out);
		job_free(j);
		snprintf(err, errlen, "cannot start the SMTP session");
		return -1;
	}
	smtp_client_finish(smtp_out_engine(out));
	j->out = out;
	j->next = ua->jobs;
	ua->jobs = j;
	return j->id;
}

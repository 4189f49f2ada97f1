/* The MTA queue: one entry per message and remote domain, delivered to the
 * next hop (a route, or the domain's MX records in preference order, each
 * address tried in turn when a connection fails), retried on temporary
 * failures, bounced with an RFC 3464 report on permanent ones or expiry.
 * See mta.h for the policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/dsn.h"
#include "protocols/message.h"
#include "sim/agents/host_life.h"
#include "sim/agents/mta_internal.h"
#include "sim/agents/resolver.h"
#include "sim/agents/smtp_out.h"
#include "sim/core/blob.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"

static void on_attempt_timer(struct sim *sim, void *ctx);
static void try_next(struct qentry *e);
static void conclude(struct qentry *e);

int mta_queue_handler(struct mta *m) { return sim_handler(m->env->sim, on_attempt_timer); }

static int is_hold_domain(const struct mta *m, const char *domain)
{
	for (size_t i = 0; i < m->cfg.n_hold_domains; i++)
		if (strcasecmp(m->cfg.hold_domains[i], domain) == 0)
			return 1;
	return 0;
}

static void schedule(struct qentry *e, sim_time at)
{
	struct sim *sim = e->m->env->sim;
	if (e->timer)
		sim_cancel(sim, e->timer);
	e->next_attempt = at;
	e->timer = sim_at(sim, at, e->m->h_attempt, e);
}

static void entry_free(struct qentry *e)
{
	for (size_t i = 0; i < e->nrcpts; i++)
		free(e->rcpts[i].address);
	free(e->rcpts);
	free(e->from);
	free(e->domain);
	free(e->message_id);
	blob_unref(&e->data);
	free(e);
}

static void entry_remove(struct qentry *e)
{
	struct mta *m = e->m;
	for (struct qentry **pp = &m->queue; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	if (e->timer)
		sim_cancel(m->env->sim, e->timer);
	entry_free(e);
}

static size_t count_queued(const struct mta *m)
{
	size_t n = 0;
	for (const struct qentry *e = m->queue; e; e = e->next)
		n += e->nrcpts;
	return n;
}

int mta_enqueue(struct mta *m, const char *qid, const char *from, const char *domain, const char *message_id,
		const char *const *rcpts, size_t nrcpts, struct blob *data)
{
	struct qentry *e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	e->m = m;
	snprintf(e->qid, sizeof e->qid, "%s", qid);
	e->from = strdup(from ? from : "");
	e->domain = strdup(domain);
	e->message_id = strdup(message_id ? message_id : "");
	e->rcpts = calloc(nrcpts, sizeof *e->rcpts);
	if (!e->from || !e->domain || !e->message_id || !e->rcpts) {
		entry_free(e);
		return -1;
	}
	for (size_t i = 0; i < nrcpts; i++) {
		e->rcpts[i].address = strdup(rcpts[i]);
		if (!e->rcpts[i].address) {
			entry_free(e);
			return -1;
		}
		e->nrcpts = i + 1;
	}
	e->data = blob_ref(data);
	e->arrived = sim_now(m->env->sim);
	agent_host_date_now(m->env, m->host, e->arrival_date);
	e->held = is_hold_domain(m, domain);
	/* Keep arrival order: append. */
	struct qentry **tail = &m->queue;
	while (*tail)
		tail = &(*tail)->next;
	*tail = e;
	for (size_t i = 0; i < nrcpts; i++)
		agent_publish_mail(m->env, m->host, OBS_MAIL_QUEUED, e->qid, e->message_id, e->from, rcpts[i],
				   e->held ? "held until ETRN" : domain);
	m->stats.queued = count_queued(m);
	if (!e->held)
		schedule(e, sim_now(m->env->sim));
	return 0;
}

/* ---- one delivery attempt ---- */

static void rcpt_set(struct qrcpt *r, enum rcpt_state st, int code, const char *enhanced, const char *text,
		     const char *remote)
{
	r->state = st;
	snprintf(r->reply, sizeof r->reply, "%d%s%s %s", code, enhanced && *enhanced ? " " : "",
		 enhanced ? enhanced : "", text ? text : "");
	for (char *p = r->reply; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (enhanced && *enhanced)
		snprintf(r->status, sizeof r->status, "%s", enhanced);
	else
		snprintf(r->status, sizeof r->status, "%d.0.0", (code / 100) % 10);
	snprintf(r->remote, sizeof r->remote, "%s", remote ? remote : "");
}

static void fail_pending(struct qentry *e, enum rcpt_state st, int code, const char *enhanced, const char *text)
{
	for (size_t i = 0; i < e->nrcpts; i++)
		if (e->rcpts[i].state == RCPT_PENDING)
			rcpt_set(&e->rcpts[i], st, code, enhanced, text, NULL);
}

static void on_job_rcpt(void *ctx, int job, size_t index, const struct smtp_client_reply *r)
{
	(void)job;
	struct qentry *e = ctx;
	if (index >= e->job_count)
		return;
	struct qrcpt *q = &e->rcpts[e->job_map[index]];
	const char *remote = e->cand_name[e->next_cand - 1];
	if (r->code / 100 == 2)
		return; /* the message reply decides */
	rcpt_set(q, r->code / 100 == 5 ? RCPT_BOUNCED : RCPT_DEFERRED, r->code, r->enhanced, r->text,
		 r->local ? NULL : remote);
}

static void on_job_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	(void)job;
	(void)accepted;
	struct qentry *e = ctx;
	struct mta *m = e->m;
	const char *remote = e->cand_name[e->next_cand - 1];
	for (size_t k = 0; k < e->job_count; k++) {
		struct qrcpt *q = &e->rcpts[e->job_map[k]];
		if (q->state != RCPT_PENDING)
			continue;
		if (r->code / 100 == 2) {
			q->state = RCPT_RELAYED;
			char text[400];
			char ip[16];
			snprintf(text, sizeof text, "to %s [%s]: %d %s", remote, ipv4_format(e->cand[e->next_cand - 1], ip),
				 r->code, r->text);
			m->stats.relayed++;
			agent_publish_mail(m->env, m->host, OBS_MAIL_RELAYED, e->qid, e->message_id, e->from, q->address,
					   text);
		} else {
			rcpt_set(q, r->code / 100 == 5 ? RCPT_BOUNCED : RCPT_DEFERRED, r->code, r->enhanced, r->text,
				 r->local ? NULL : remote);
		}
	}
}

static void on_job_session(void *ctx, enum smtp_client_failure why, const struct smtp_client_reply *r)
{
	(void)r;
	struct qentry *e = ctx;
	/* RFC 5321 5.1: when a server cannot be reached or will not talk
	 * (no greeting, 421, connection lost), try the next address. */
	e->conn_failed = why == SMTP_CLIENT_FAIL_GREETING || why == SMTP_CLIENT_FAIL_421 ||
			 why == SMTP_CLIENT_FAIL_LOST || why == SMTP_CLIENT_FAIL_TIMEOUT ||
			 why == SMTP_CLIENT_FAIL_HELLO;
}

static void on_out_done(void *ctx, struct smtp_out *out)
{
	(void)out;
	struct qentry *e = ctx;
	e->out = NULL;
	if (e->conn_failed && e->next_cand < e->ncand) {
		for (size_t i = 0; i < e->nrcpts; i++) {
			if (e->rcpts[i].state != RCPT_DEFERRED)
				continue;
			/* A lost reply to the data is said before the next
			 * exchanger gets a copy: the ledger counts these
			 * attempts to tell an RFC 1047 duplicate from a bug. */
			if (strstr(e->rcpts[i].reply, SMTP_CLIENT_RFC1047_MARK)) {
				char text[400];
				snprintf(text, sizeof text, "trying the next exchanger at once: %s", e->rcpts[i].reply);
				agent_publish_mail(e->m->env, e->m->host, OBS_MAIL_DEFERRED, e->qid, e->message_id, e->from,
						   e->rcpts[i].address, text);
			}
			e->rcpts[i].state = RCPT_PENDING;
		}
		e->conn_failed = 0;
		try_next(e);
		return;
	}
	conclude(e);
}

static void try_next(struct qentry *e)
{
	struct mta *m = e->m;
	while (e->next_cand < e->ncand) {
		uint32_t ip = e->cand[e->next_cand++];
		struct smtp_client_options o;
		smtp_client_options_init(&o, m->cfg.hostname);
		o.want_starttls = m->cfg.starttls;
		struct smtp_client_host jobs = {
		    .ctx = e, .rcpt = on_job_rcpt, .message = on_job_message, .session = on_job_session};
		e->conn_failed = 0;
		e->out = smtp_out_open(m->env, m->host, ip, 25, &o, &jobs, on_out_done);
		if (!e->out)
			continue;
		const char *list[128];
		e->job_count = 0;
		for (size_t i = 0; i < e->nrcpts && e->job_count < 128; i++) {
			if (e->rcpts[i].state == RCPT_PENDING) {
				e->job_map[e->job_count] = i;
				list[e->job_count++] = e->rcpts[i].address;
			}
		}
		struct smtp_client *c = smtp_out_engine(e->out);
		if (smtp_client_add_message(c, e->from, list, e->job_count, blob_data(e->data), blob_len(e->data)) < 0) {
			smtp_out_abort(e->out);
			e->out = NULL;
			fail_pending(e, RCPT_BOUNCED, 553, "5.1.3", "Bad address syntax");
			break;
		}
		smtp_client_finish(c);
		return;
	}
	fail_pending(e, RCPT_DEFERRED, 451, "4.4.1", "No answer from any mail exchanger");
	conclude(e);
}

static void add_candidate(struct qentry *e, uint32_t ip, const char *name)
{
	if (e->ncand >= sizeof e->cand / sizeof e->cand[0])
		return;
	e->cand[e->ncand] = ip;
	/* Shown in replies and bounces only: a long name is cut, explicitly
	 * (snprintf's truncation warning fails the sanitizer build). */
	size_t n = strnlen(name, sizeof e->cand_name[0] - 1);
	memcpy(e->cand_name[e->ncand], name, n);
	e->cand_name[e->ncand][n] = '\0';
	e->ncand++;
}

static int is_own_address(const struct mta *m, uint32_t ip) { return net_host_by_ip(m->env->net, ip) == m->host; }

static void on_mx(void *ctx, const struct resolver_mx_result *res)
{
	struct qentry *e = ctx;
	struct mta *m = e->m;
	e->lookup = 0;
	if (res->status != RESOLVER_OK) {
		char text[300];
		snprintf(text, sizeof text, "Host or domain name not found. Name service error for name=%s type=MX: %s",
			 e->domain, resolver_status_name(res->status));
		if (resolver_status_is_permanent(res->status))
			fail_pending(e, RCPT_BOUNCED, 550, res->status == RESOLVER_NULL_MX ? "5.1.10" : "5.1.2", text);
		else
			fail_pending(e, RCPT_DEFERRED, 451, "4.4.3", text);
		conclude(e);
		return;
	}
	/* If we are an exchanger ourselves, only better (lower) preferences
	 * may be used (RFC 5321 5.1): a backup MX relays to the primary. */
	int own_pref = -1;
	for (size_t i = 0; i < res->count; i++)
		for (size_t k = 0; k < res->hosts[i].naddrs; k++)
			if (is_own_address(m, res->hosts[i].addrs[k]) &&
			    (own_pref < 0 || res->hosts[i].preference < own_pref))
				own_pref = res->hosts[i].preference;
	for (size_t i = 0; i < res->count; i++) {
		if (own_pref >= 0 && res->hosts[i].preference >= own_pref)
			continue;
		for (size_t k = 0; k < res->hosts[i].naddrs; k++)
			add_candidate(e, res->hosts[i].addrs[k], res->hosts[i].name);
	}
	if (e->ncand == 0) {
		fail_pending(e, RCPT_BOUNCED, 554, "5.4.6", "mail for this domain loops back to myself");
		conclude(e);
		return;
	}
	try_next(e);
}

static void start_attempt(struct qentry *e)
{
	struct mta *m = e->m;
	if (e->busy || e->held)
		return;
	/* A crashed host runs nothing (a flush asked of it, say); the
	 * restart resumes the queue. */
	if (!host_life_is_up(m->env->life, m->host))
		return;
	e->busy = 1;
	e->attempts++;
	e->ncand = e->next_cand = 0;
	for (size_t i = 0; i < e->nrcpts; i++)
		if (e->rcpts[i].state == RCPT_DEFERRED)
			e->rcpts[i].state = RCPT_PENDING;
	for (size_t i = 0; i < m->cfg.n_routes; i++) {
		const struct mta_route *r = &m->cfg.routes[i];
		if (strcmp(r->domain, "*") != 0 && strcasecmp(r->domain, e->domain) != 0)
			continue;
		uint32_t ip = 0;
		int h = net_host_by_name(m->env->net, r->next_hop);
		if (h >= 0)
			ip = net_host_ip(m->env->net, h, 0);
		else
			ipv4_parse(r->next_hop, &ip);
		if (ip)
			add_candidate(e, ip, r->next_hop);
		if (e->ncand == 0) {
			fail_pending(e, RCPT_DEFERRED, 451, "4.4.0", "route to an unknown next hop");
			conclude(e);
			return;
		}
		try_next(e);
		return;
	}
	if (!m->resolver) {
		fail_pending(e, RCPT_BOUNCED, 554, "5.4.4", "Unable to route: no DNS and no route for this domain");
		conclude(e);
		return;
	}
	e->lookup = resolver_mx(m->resolver, e->domain, on_mx, e);
	if (e->lookup < 0) {
		e->lookup = 0;
		fail_pending(e, RCPT_DEFERRED, 451, "4.4.3", "DNS lookup could not be started");
		conclude(e);
	}
}

static void on_attempt_timer(struct sim *sim, void *ctx)
{
	(void)sim;
	struct qentry *e = ctx;
	e->timer = 0;
	start_attempt(e);
}

/* ---- bounces ---- */

void mta_bounce(struct mta *m, const char *qid, const char *from, const char *arrival_date,
		const struct qrcpt *failed, size_t nfailed, const uint8_t *data, size_t len)
{
	if (nfailed == 0)
		return;
	if (!from || !*from) {
		/* Never bounce a bounce (RFC 5321 6.1). */
		for (size_t i = 0; i < nfailed; i++) {
			m->stats.discarded++;
			agent_publish_mail(m->env, m->host, OBS_MAIL_DISCARDED, qid, NULL, "", failed[i].address,
					   "a bounce cannot be bounced");
		}
		return;
	}
	struct dsn_recipient rs[128];
	size_t n = nfailed < 128 ? nfailed : 128;
	for (size_t i = 0; i < n; i++) {
		rs[i].address = failed[i].address;
		rs[i].status = failed[i].status;
		rs[i].diagnostic = failed[i].reply;
		rs[i].remote_mta = failed[i].remote[0] ? failed[i].remote : NULL;
	}
	char date[MSG_DATE_MAX], postmaster[300], msgid[300];
	agent_host_date_now(m->env, m->host, date);
	snprintf(postmaster, sizeof postmaster, "MAILER-DAEMON@%s", m->cfg.hostname);
	if (msg_id_make(msgid, sizeof msgid, sim_seed(m->env->sim) ^ (uint64_t)m->host << 32, ++m->next_msgid,
			m->cfg.hostname) != 0)
		snprintf(msgid, sizeof msgid, "<bounce.%llu@%s>", (unsigned long long)m->next_msgid, m->cfg.hostname);
	struct dsn_info info = {
	    .reporting_mta = m->cfg.hostname,
	    .postmaster = postmaster,
	    .to = from,
	    .date = date,
	    .arrival_date = arrival_date,
	    .message_id = msgid,
	    .queue_id = qid,
	    .rcpts = rs,
	    .nrcpts = n,
	    .original = data,
	    .original_len = len,
	    .seed = sim_seed(m->env->sim) ^ m->next_msgid,
	};
	struct buf out;
	buf_init(&out, len + (1 << 20));
	if (dsn_build(&out, &info) != 0) {
		buf_free(&out);
		return;
	}
	size_t blen;
	char *bytes = buf_steal(&out, &blen);
	struct blob *dsn = bytes ? blob_take(bytes, blen) : NULL;
	if (!dsn)
		return;
	char bqid[24];
	mta_make_qid(m, bqid);
	agent_publish_mail(m->env, m->host, OBS_MAIL_ACCEPTED, bqid, msgid, "", from, "delivery status notification");
	const char *domain = mta_domain_of(from);
	if (mta_is_local_domain(m, domain)) {
		if (mta_deliver_local(m, bqid, "", from, msgid, blob_data(dsn), blob_len(dsn)) != 0) {
			m->stats.discarded++;
			agent_publish_mail(m->env, m->host, OBS_MAIL_DISCARDED, bqid, msgid, "", from,
					   "the bounce could not be stored");
		}
	} else {
		const char *one[1] = {from};
		if (mta_enqueue(m, bqid, "", domain, msgid, one, 1, dsn) != 0) {
			m->stats.discarded++;
			agent_publish_mail(m->env, m->host, OBS_MAIL_DISCARDED, bqid, msgid, "", from, "out of memory");
		}
	}
	blob_unref(&dsn);
}

/* The attempt is over: report, bounce, reschedule or forget. */
static void conclude(struct qentry *e)
{
	struct mta *m = e->m;
	sim_time now = sim_now(m->env->sim);
	e->busy = 0;
	int expired = now - e->arrived >= m->cfg.max_queue_time;
	struct qrcpt failed[128];
	size_t nfailed = 0;
	for (size_t i = 0; i < e->nrcpts; i++) {
		struct qrcpt *r = &e->rcpts[i];
		if (r->state == RCPT_PENDING) /* never reached a server: try again */
			rcpt_set(r, RCPT_DEFERRED, 451, "4.4.0", "not attempted", NULL);
		if (r->state == RCPT_DEFERRED && expired) {
			char reason[256];
			snprintf(reason, sizeof reason, "delivery time expired; last error: %.200s", r->reply);
			rcpt_set(r, RCPT_BOUNCED, 451, "4.4.7", reason, NULL);
		}
		if (r->state == RCPT_BOUNCED) {
			/* A bounce that fails is not bounced: mta_bounce()
			 * discards it, and that is its one end (the ledger
			 * counts one end per recipient). */
			if (e->from[0]) {
				m->stats.bounced++;
				agent_publish_mail(m->env, m->host, OBS_MAIL_BOUNCED, e->qid, e->message_id, e->from,
						   r->address, r->reply);
			}
			if (nfailed < 128)
				failed[nfailed++] = *r;
		}
	}
	if (nfailed)
		mta_bounce(m, e->qid, e->from, e->arrival_date, failed, nfailed, blob_data(e->data), blob_len(e->data));
	/* Keep only the recipients still waiting. */
	size_t keep = 0;
	for (size_t i = 0; i < e->nrcpts; i++) {
		if (e->rcpts[i].state == RCPT_DEFERRED)
			e->rcpts[keep++] = e->rcpts[i];
		else
			free(e->rcpts[i].address);
	}
	e->nrcpts = keep;
	if (keep == 0) {
		entry_remove(e);
		m->stats.queued = count_queued(m);
		return;
	}
	size_t step = e->attempts > 0 ? (size_t)e->attempts - 1 : 0;
	if (step >= m->cfg.n_retry)
		step = m->cfg.n_retry ? m->cfg.n_retry - 1 : 0;
	sim_time delay = m->cfg.n_retry ? m->cfg.retry_schedule[step] : 60 * SIM_S;
	m->stats.deferred++;
	char when[32], text[400];
	sim_time_format(now + delay, when, sizeof when);
	for (size_t i = 0; i < e->nrcpts; i++) {
		snprintf(text, sizeof text, "retry at %ss: %s", when, e->rcpts[i].reply);
		agent_publish_mail(m->env, m->host, OBS_MAIL_DEFERRED, e->qid, e->message_id, e->from,
				   e->rcpts[i].address, text);
	}
	schedule(e, now + delay);
	m->stats.queued = count_queued(m);
}

/* ---- queue control ---- */

int mta_queue_has_domain(const struct mta *m, const char *domain)
{
	for (const struct qentry *e = m->queue; e; e = e->next)
		if (strcasecmp(e->domain, domain) == 0)
			return 1;
	return 0;
}

void mta_flush(struct mta *m, const char *domain)
{
	for (struct qentry *e = m->queue; e; e = e->next) {
		if (domain && strcasecmp(e->domain, domain) != 0)
			continue;
		e->held = 0;
		if (!e->busy)
			schedule(e, sim_now(m->env->sim));
	}
}

void mta_queue_resume(struct mta *m)
{
	sim_time now = sim_now(m->env->sim);
	for (struct qentry *e = m->queue; e; e = e->next)
		if (!e->busy && !e->held)
			schedule(e, e->next_attempt > now ? e->next_attempt : now);
}

void mta_queue_crash(struct mta *m)
{
	for (struct qentry *e = m->queue, *next; e; e = next) {
		next = e->next;
		if (!e->busy)
			continue;
		if (e->lookup && m->resolver)
			resolver_cancel(m->resolver, e->lookup);
		e->lookup = 0;
		const char *why = "attempt interrupted: this host crashed";
		if (e->out) {
			size_t unsent;
			struct smtp_client *c = smtp_out_engine(e->out);
			smtp_client_output(c, &unsent);
			if (smtp_client_state(c) == SMTP_CLIENT_BODY && unsent == 0)
				why = "attempt interrupted: this host crashed after the end of the data, before its reply "
				      "(" SMTP_CLIENT_RFC1047_MARK ": the next hop may have accepted the message)";
			smtp_out_forget(e->out);
		}
		e->out = NULL;
		/* Recipients already answered keep their answer (it reached
		 * the disk with the reply); the others wait for the restart.
		 * If the peer had said 250 to the data and the reply was lost
		 * in the crash, the retry delivers a second copy: the RFC 1047
		 * duplicate the ledger reports. */
		for (size_t i = 0; i < e->nrcpts; i++)
			if (e->rcpts[i].state == RCPT_PENDING)
				rcpt_set(&e->rcpts[i], RCPT_DEFERRED, 451, "4.3.2", why, NULL);
		conclude(e);
	}
	/* Nothing runs on a dead host; mta_queue_resume() reschedules. */
	for (struct qentry *e = m->queue; e; e = e->next) {
		if (e->timer)
			sim_cancel(m->env->sim, e->timer);
		e->timer = 0;
	}
}

void mta_queue_free(struct mta *m)
{
	while (m->queue) {
		struct qentry *e = m->queue;
		m->queue = e->next;
		if (e->timer)
			sim_cancel(m->env->sim, e->timer);
		if (e->lookup && m->resolver)
			resolver_cancel(m->resolver, e->lookup);
		if (e->out)
			smtp_out_abort(e->out);
		entry_free(e);
	}
}

void mta_foreach_queued(const struct mta *m,
			void (*fn)(void *ctx, const char *queue_id, const char *from, const char *rcpt,
				   sim_time next_attempt, const char *last_error),
			void *ctx)
{
	for (const struct qentry *e = m->queue; e; e = e->next)
		for (size_t i = 0; i < e->nrcpts; i++)
			fn(ctx, e->qid, e->from, e->rcpts[i].address, e->held ? SIM_TIME_NEVER : e->next_attempt,
			   e->held ? "held until ETRN" : e->rcpts[i].reply);
}

/* ---- TURN: delivering held mail over a connection the peer opened ---- */

#define TURN_MAX 32

struct mta_turn {
	struct mta *m;
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
	void *trace_ctx;
	struct qentry *entries[TURN_MAX];
	int jobs[TURN_MAX];
	size_t n;
};

struct mta_turn *mta_turn_begin(struct mta *m, const char *domain, uint32_t peer_ip)
{
	struct mta_turn *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->m = m;
	for (struct qentry *e = m->queue; e && t->n < TURN_MAX; e = e->next) {
		if (e->busy || strcasecmp(e->domain, domain) != 0)
			continue;
		e->busy = 1;
		e->held = 0;
		e->attempts++;
		if (e->timer) {
			sim_cancel(m->env->sim, e->timer);
			e->timer = 0;
		}
		e->ncand = e->next_cand = 1; /* the peer, as the only candidate */
		e->cand[0] = peer_ip;
		snprintf(e->cand_name[0], sizeof e->cand_name[0], "%s", domain);
		for (size_t i = 0; i < e->nrcpts; i++)
			if (e->rcpts[i].state == RCPT_DEFERRED)
				e->rcpts[i].state = RCPT_PENDING;
		t->entries[t->n++] = e;
	}
	return t;
}

static struct qentry *turn_entry(struct mta_turn *t, int job)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->jobs[i] == job)
			return t->entries[i];
	return NULL;
}

static void turn_rcpt(void *ctx, int job, size_t index, const struct smtp_client_reply *r)
{
	struct qentry *e = turn_entry(ctx, job);
	if (e)
		on_job_rcpt(e, job, index, r);
}

static void turn_message(void *ctx, int job, const struct smtp_client_reply *r, size_t accepted)
{
	struct qentry *e = turn_entry(ctx, job);
	if (e)
		on_job_message(e, job, r, accepted);
}

static void turn_trace(void *ctx, int sent, const char *line, size_t len)
{
	struct mta_turn *t = ctx;
	if (t->trace)
		t->trace(t->trace_ctx, sent, line, len);
}

void mta_turn_host(struct mta_turn *t, struct smtp_client_host *h,
		   void (*trace)(void *ctx, int sent, const char *line, size_t len), void *trace_ctx)
{
	t->trace = trace;
	t->trace_ctx = trace_ctx;
	h->ctx = t;
	h->rcpt = turn_rcpt;
	h->message = turn_message;
	h->trace = turn_trace;
}

int mta_turn_add_jobs(struct mta_turn *t, struct smtp_client *c)
{
	int added = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct qentry *e = t->entries[i];
		const char *list[128];
		e->job_count = 0;
		for (size_t k = 0; k < e->nrcpts && e->job_count < 128; k++) {
			if (e->rcpts[k].state == RCPT_PENDING) {
				e->job_map[e->job_count] = k;
				list[e->job_count++] = e->rcpts[k].address;
			}
		}
		t->jobs[i] = e->job_count ? smtp_client_add_message(c, e->from, list, e->job_count, blob_data(e->data),
								     blob_len(e->data))
					  : -1;
		added += t->jobs[i] >= 0;
	}
	return added;
}

void mta_turn_end(struct mta_turn **tp)
{
	if (!tp || !*tp)
		return;
	struct mta_turn *t = *tp;
	for (size_t i = 0; i < t->n; i++)
		conclude(t->entries[i]);
	free(t);
	*tp = NULL;
}

void mta_turn_abandon(struct mta_turn **tp)
{
	if (!tp || !*tp)
		return;
	free(*tp);
	*tp = NULL;
}

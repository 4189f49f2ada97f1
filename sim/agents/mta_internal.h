/* MTA internals shared by mta.c (the SMTP server side and local delivery)
 * and mta_queue.c (the queue: relaying, retries, bounces). */
#ifndef SIM_MTA_INTERNAL_H
#define SIM_MTA_INTERNAL_H

#include "sim/agents/agent_env.h"
#include "sim/agents/mta.h"
#include "sim/core/evq.h"

struct blob;
struct resolver;
struct smtpd;
struct qentry;

enum rcpt_state { RCPT_PENDING, RCPT_RELAYED, RCPT_BOUNCED, RCPT_DEFERRED };

struct qrcpt {
	char *address;
	enum rcpt_state state;
	char reply[256]; /* the last reply or error about it */
	char status[12]; /* RFC 3463 code for a bounce */
	char remote[64]; /* the host that gave the reply */
};

/* One message for the recipients of one remote domain. */
struct qentry {
	struct mta *m;
	struct qentry *next;
	char qid[24];
	char *from; /* "" for a bounce */
	char *domain;
	char *message_id;
	struct qrcpt *rcpts;
	size_t nrcpts;
	struct blob *data; /* with our Received field on top */
	sim_time arrived, next_attempt;
	char arrival_date[40];
	int attempts;
	int held;       /* a hold domain: waits for ETRN */
	int busy;       /* an attempt is running */
	sim_event_id timer;
	/* The attempt in progress: candidate addresses in order. */
	uint32_t cand[16];
	char cand_name[16][64];
	size_t ncand, next_cand;
	long lookup;
	struct smtp_out *out;
	int conn_failed; /* this candidate failed at connection level */
	size_t job_map[128]; /* recipient index per position in the job */
	size_t job_count;
};

struct mta {
	const struct agent_env *env;
	int host;
	struct mta_config cfg;
	struct resolver *resolver;
	int listening;
	struct smtpd *sessions;
	struct qentry *queue;
	uint64_t next_qid;
	uint64_t next_msgid;
	struct mta_stats stats;
	int h_attempt;
};

/* mta.c */
int mta_is_local_domain(const struct mta *m, const char *domain);
/* Stores a message for a local recipient (Return-Path added). 0, or an
 * ms_error (MS_ERR_FULL: try later; MS_ERR_NOT_FOUND: no such user). */
int mta_deliver_local(struct mta *m, const char *qid, const char *from, const char *rcpt, const char *message_id,
		      const uint8_t *data, size_t len);
void mta_make_qid(struct mta *m, char out[24]);

/* mta_rules.c: delivers to local user u through the user's rules (filters,
 * forwarding, vacation), carrying out the verdict: stores into folders,
 * forwards (new queue entries, original envelope sender), sends the
 * vacation reply (empty envelope sender), or bounces a forwarding loop.
 * stored is the message with Return-Path, data the message as accepted.
 * 0 or an ms_error. */
struct ms_user;
int mta_rules_deliver(struct mta *m, struct ms_user *u, const char *qid, const char *from, const char *rcpt,
		      const char *message_id, struct blob *stored, const uint8_t *data, size_t len);

/* mta_queue.c */
/* Queues data for the remote recipients rcpts (all of domain). Takes a
 * reference to data. */
int mta_enqueue(struct mta *m, const char *qid, const char *from, const char *domain, const char *message_id,
		const char *const *rcpts, size_t nrcpts, struct blob *data);
/* Bounces for a message that never got queued (a local failure at
 * acceptance): builds and routes the DSN. */
void mta_bounce(struct mta *m, const char *qid, const char *from, const char *arrival_date,
		const struct qrcpt *failed, size_t nfailed, const uint8_t *data, size_t len);
void mta_queue_free(struct mta *m);
void mta_queue_resume(struct mta *m);
/* The host crashed: attempts in progress are abandoned (their recipients
 * deferred, those already answered concluded), timers stopped. */
void mta_queue_crash(struct mta *m);
int mta_queue_has_domain(const struct mta *m, const char *domain);
int mta_queue_handler(struct mta *m);

/* TURN (RFC 821), the server side: after its 250 to TURN the MTA becomes
 * the client on the same connection and delivers what it holds for the
 * domain the client named in HELO (nothing checks that claim: the lesson).
 * mta_turn_begin takes the queue entries for domain and adds them as jobs
 * of c (whose host callbacks must be the ones mta_turn_host fills);
 * mta_turn_end concludes them (delivered, bounced or deferred) and frees. */
struct mta_turn;
struct smtp_client;
struct smtp_client_host;
struct mta_turn *mta_turn_begin(struct mta *m, const char *domain, uint32_t peer_ip);
void mta_turn_host(struct mta_turn *t, struct smtp_client_host *h,
		   void (*trace)(void *ctx, int sent, const char *line, size_t len), void *trace_ctx);
int mta_turn_add_jobs(struct mta_turn *t, struct smtp_client *c);
void mta_turn_end(struct mta_turn **t);
/* Frees without concluding (the MTA itself is being freed). */
void mta_turn_abandon(struct mta_turn **t);

/* Domain of an address ("" if none), pointing into it. */
const char *mta_domain_of(const char *address);

#endif

/* The user agent's sending side: composes RFC 5322 + MIME messages with
 * the mail format library, applies the Bcc rule (the copy sent has no Bcc
 * field; the Sent copy keeps it), submits over SMTP to its MTA (the
 * envelope has every To, Cc and Bcc address), keeps the Sent copy in the
 * UA's own local store, and reports the outcome.
 *
 * The reading side (POP3, IMAP, filters, vacation) is the mailbox access
 * issue's. */
#ifndef SIM_UA_H
#define SIM_UA_H

#include <stddef.h>
#include <stdint.h>

struct agent_env;
struct msg_draft;
struct ua;

struct ua_config {
	const char *address;   /* the user's address, the envelope sender */
	const char *helo_name; /* the machine's name in EHLO */
	uint32_t submit_ip;    /* its MTA */
	uint16_t submit_port;  /* 587 (submission) or 25 */
	int use_ehlo;          /* 0: HELO, as in the class note */
	int starttls;          /* use STARTTLS when offered */
	size_t local_keep;     /* Sent keeps at most this many, oldest deleted (0: all) */
};

enum ua_outcome {
	UA_PENDING,
	UA_SENT,      /* the MTA accepted it for every recipient */
	UA_PARTIAL,   /* accepted for some recipients, refused for others */
	UA_REFUSED,   /* refused (5xx) */
	UA_FAILED,    /* temporary failure or no connection */
	UA_BAD_DRAFT, /* the draft could not be composed */
};
const char *ua_outcome_name(enum ua_outcome o);

struct ua_send_report {
	int id;                  /* ua_send()'s return value */
	enum ua_outcome outcome;
	const char *message_id;
	const char *reply;       /* the last relevant server reply */
	size_t accepted, refused;
};

typedef void (*ua_report_fn)(void *ctx, const struct ua_send_report *r);

/* cfg's strings are borrowed. NULL on ENOMEM. */
struct ua *ua_new(const struct agent_env *env, int host, const struct ua_config *cfg, ua_report_fn report, void *ctx);
void ua_free(struct ua **ua);

/* Composes and submits the draft now. Returns a send id (>= 0), or -1 if
 * it cannot start (then the report, with UA_BAD_DRAFT and the reason in
 * err, comes at once through the return value only). */
int ua_send(struct ua *ua, const struct msg_draft *draft, char *err, size_t errlen);

/* The UA's local folders (Sent keeps what was sent, Bcc included). */
struct mailstore *ua_local_store(struct ua *ua);
int ua_host(const struct ua *ua);

#endif

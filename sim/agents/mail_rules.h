/* A user's mail rules, applied by the mailbox host when a message is
 * delivered into the user's mailbox (the class note's section 7: the UA's
 * filters, forwarding and vacation, done where the mail lands, as Sieve or
 * procmail do): filters with conditions on header fields and size and
 * actions (move to a folder, flag, keyword, discard, forward, keep, stop),
 * a forwarding rule (keep a copy or not), and a vacation responder that
 * follows RFC 3834 so that two vacationing users never loop.
 *
 * This module decides; it sends nothing. mail_rules_apply() returns a
 * verdict (the folders to store into, the flags, the forward addresses,
 * whether to send a vacation reply, and notes saying why) and the MTA
 * (mta_rules.c) carries it out. The vacation memory (who was answered
 * when) lives in struct mail_rules, which belongs to the mailbox host
 * like its mailstore: it survives a host crash.
 *
 * Semantics, as in Sieve (RFC 5228): filters run in order; every filter
 * whose conditions hold (all of them, or any with "any") runs its actions;
 * "stop" ends the filters. Unless an action filed the message ("move",
 * "keep"), forwarded it without keeping it, or discarded it, it is kept in
 * INBOX (the implicit keep). Flags and keywords set by actions apply to
 * every copy stored. The forwarding rule then applies to every message a
 * filter did not discard (without "keep" it cancels the implicit keep, not
 * a filter's "move"), and the vacation responder answers every message not
 * discarded that RFC 3834 allows it to answer. */
#ifndef SIM_MAIL_RULES_H
#define SIM_MAIL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct buf;

/* ---- configuration (the scenario's "rules" of a user) ---- */

enum mr_test {
	MR_CONTAINS,   /* the value contains text (ASCII case-insensitive) */
	MR_IS,         /* the value is text */
	MR_MATCHES,    /* the value matches a pattern with * and ? */
	MR_EXISTS,     /* the field is present */
	MR_SIZE_OVER,  /* the message is larger than size bytes */
	MR_SIZE_UNDER, /* the message is smaller than size bytes */
};

struct mr_cond {
	enum mr_test test;
	char *header;   /* the field's name, "*" for any field; NULL for size */
	int address;    /* compare the addresses in the field, not its text */
	char *value;    /* for contains, is, matches */
	uint64_t size;  /* for size tests */
	int negate;
};

enum mr_action_kind { MR_MOVE, MR_FLAG, MR_KEYWORD, MR_DISCARD, MR_FORWARD, MR_KEEP, MR_STOP };

struct mr_action {
	enum mr_action_kind kind;
	char *arg;     /* folder, keyword or address */
	uint32_t flag; /* MR_FLAG: an enum ms_flag bit */
};

struct mr_filter {
	char *name;
	int any; /* any condition suffices (default: all must hold) */
	struct mr_cond *conds;
	size_t nconds;
	struct mr_action *actions;
	size_t nactions;
};

struct mr_rules {
	struct mr_filter *filters;
	size_t nfilters;
	/* The forwarding rule: nforward > 0 when set. */
	char **forward;
	size_t nforward;
	int forward_keep;
	/* The vacation responder: on when vacation_text is set. */
	char *vacation_text;
	char *vacation_subject; /* NULL: "Re: " and the original subject */
	sim_time vacation_period;   /* at most one reply per sender per period */
	char **vacation_addresses;  /* the user's other addresses */
	size_t nvacation_addresses;
};

/* All-zero rules (no filters, no forward, no vacation); NULL on ENOMEM.
 * Its strings and arrays are malloc'd and owned by it. */
struct mr_rules *mr_rules_new(void);
void mr_rules_free(struct mr_rules **r);

/* The flag named by an IMAP flag ("\\Seen", "\\Flagged", ...; no
 * \\Recent), or 0. */
uint32_t mr_flag_by_name(const char *name);

/* ---- the host's rules and vacation memory ---- */

struct mail_rules;

struct mail_rules *mail_rules_new(void);
void mail_rules_free(struct mail_rules **h);
/* Sets address's rules (borrowed: they must outlive h). 0 or -1 (ENOMEM). */
int mail_rules_set(struct mail_rules *h, const char *address, const struct mr_rules *r);
/* The rules of address (compared without case), or NULL. */
const struct mr_rules *mail_rules_for(const struct mail_rules *h, const char *address);

struct mr_input {
	const char *rcpt;     /* the user the message is delivered to */
	const char *env_from; /* the envelope's reverse path ("" for <>) */
	const uint8_t *data;  /* the message */
	size_t len;
	sim_time now;
};

#define MR_MAX_FOLDERS 16
#define MR_MAX_FORWARDS 16
#define MR_MAX_KEYWORDS 16
#define MR_MAX_NOTES 24

struct mr_verdict {
	const char *folders[MR_MAX_FOLDERS]; /* where to store (borrowed from the rules) */
	size_t nfolders;
	uint32_t flags;                         /* ms_flag bits for every stored copy */
	const char *keywords[MR_MAX_KEYWORDS];  /* keyword names for every stored copy */
	size_t nkeywords;
	const char *forward[MR_MAX_FORWARDS];   /* addresses to forward to */
	size_t nforward;
	int discarded;          /* a filter discarded it: nothing stored, nothing sent */
	const char *discarded_by; /* the filter's name */
	int vacation;           /* send a vacation reply to env_from */
	char notes[MR_MAX_NOTES][200]; /* what each rule did, or why not */
	size_t nnotes;
};

/* Decides what happens to one message delivered to in->rcpt. A user
 * without rules gets the implicit keep. When the verdict says vacation,
 * the reply is recorded in the vacation memory (so call this once per
 * delivery). 0, or -1 on ENOMEM. */
int mail_rules_apply(struct mail_rules *h, const struct mr_input *in, struct mr_verdict *v_r);

/* Why RFC 3834 (and RFC 5230 4.5) forbids an automatic reply to this
 * message for user (with the user's other addresses), or NULL if a reply
 * is allowed. Does not look at the vacation memory. */
const char *mr_vacation_refusal(const struct mr_rules *r, const char *user, const char *env_from,
				const uint8_t *data, size_t len);

/* Appends the vacation reply of user (rules r) to the message data it
 * answers: From the user, To env_from, Subject "Re: " and the original's
 * (or the configured one), In-Reply-To and References, Auto-Submitted:
 * auto-replied (RFC 3834 5), and the text. date is an RFC 5322 date and
 * message_id the reply's "<...>". The reply must be sent with an empty
 * envelope sender (RFC 3834 3.3). 0 or -1 (bad address or ENOMEM). */
int mr_vacation_reply(struct buf *out, const struct mr_rules *r, const char *user, const char *env_from,
		      const uint8_t *data, size_t len, const char *date, const char *message_id);

#endif

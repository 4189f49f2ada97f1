/* The mail ledger (DESIGN.md): every recipient an MTA accepts with 250 is
 * accounted for at the end of a run, never silently lost or duplicated.
 *
 * It reads the OBS_MAIL records. Each (host, queue id, recipient) accepted
 * must end exactly once, relayed, delivered, bounced or discarded, or else
 * still be in that host's queue at the end, where the last deferral gives
 * the reason. "Still queued" is not taken on trust: after the run the
 * caller declares what each MTA's queue really holds (obs_ledger_declare_mta
 * walks mta_foreach_queued), and the ledger cross-checks; an accepted
 * recipient that never ended and is in no declared queue is lost, and a
 * queue entry the ledger saw end (or never saw accepted) is a mismatch.
 * Problems seen on the way (an end without an acceptance, two ends, two
 * acceptances of one entry) and a message a UA submitted (heard 250) that
 * no MTA accepted also make the ledger unbalanced.
 *
 * It also follows each message end to end by Message-ID and recipient
 * (submitted, accepted at each hop, then delivered, bounced, discarded,
 * queued, or relayed out of sight) and finds duplicates: one Message-ID
 * delivered more than once to the same mailbox (address) through separate
 * acceptances, the RFC 1047 case (a sender that lost the reply to its final
 * "." sends again). A duplicate is reported as such and does not unbalance
 * the ledger (obs_ledger_duplicates() tells) only when the run explains it:
 * the message's entries for that mailbox recorded at least as many
 * deferrals marked SMTP_CLIENT_RFC1047_MARK (an attempt that lost the reply
 * to its data) as there are extra copies; any other duplicate is a problem.
 * A declared queue entry with no reason at all (never deferred, no error)
 * is a problem too: "still queued" must say why. obs_ledger_declare_mta()
 * gives an entry not yet tried the reason "first attempt due at T".
 *
 *   struct obs_ledger *l = obs_ledger_open(sim, net);   // before the run
 *   ... sim_run ...
 *   obs_ledger_declare_mta(l, mta1); ...                // every MTA of the run
 *   obs_ledger_print(l, stdout);
 *   obs_ledger_add_json(l, summary);                    // "ledger" key
 *   int ok = obs_ledger_balanced(l);
 *   obs_ledger_close(&l);
 *
 * Output is deterministic: hosts, messages and recipients in the order
 * first seen. */
#ifndef SIM_OBSERVE_LEDGER_H
#define SIM_OBSERVE_LEDGER_H

#include <stddef.h>
#include <stdio.h>

struct sim;
struct net;
struct mta;
struct cJSON;

struct obs_ledger;

/* Subscribes to the kernel's bus. net names the hosts (may be NULL: hosts
 * are then "host N"). NULL on ENOMEM. */
struct obs_ledger *obs_ledger_open(struct sim *sim, const struct net *net);
/* Unsubscribes and frees. Accepts NULL; clears the pointer. */
void obs_ledger_close(struct obs_ledger **l);

/* Declares that host's queue is being reported: from now on exactly the
 * entries added with obs_ledger_declare_queued() are in it (none if no
 * entry is added). Declaring a host again starts its list afresh.
 * 0, or -1 on ENOMEM. */
int obs_ledger_declare_queue(struct obs_ledger *l, int host);
/* One recipient of host's queue (host declared first), with the last
 * error its MTA keeps (NULL or "" if none). 0, or -1 on ENOMEM or an
 * undeclared host. */
int obs_ledger_declare_queued(struct obs_ledger *l, int host, const char *queue_id, const char *rcpt,
			      const char *last_error);
/* Both of the above for an MTA, from mta_foreach_queued(). 0 or -1. */
int obs_ledger_declare_mta(struct obs_ledger *l, const struct mta *m);

/* The totals (recipients accepted, and how each ended), as counted now. */
struct obs_ledger_totals {
	size_t accepted, delivered, relayed, bounced, discarded, queued;
	size_t forwarded; /* ended by a user's forwarding rule (no copy kept) */
	size_t problems;   /* lost, unverified or mismatched entries, bad records */
	size_t duplicates; /* (Message-ID, mailbox) pairs delivered more than once */
	size_t messages;   /* distinct messages followed */
};
void obs_ledger_totals(struct obs_ledger *l, struct obs_ledger_totals *t_r);

/* 1 if every accepted recipient is accounted for (no problems), else 0. */
int obs_ledger_balanced(struct obs_ledger *l);
/* Duplicate deliveries found (0 if none). */
size_t obs_ledger_duplicates(struct obs_ledger *l);

/* The ledger as text: the totals line
 *   ledger: accepted N = delivered D + relayed R + bounced B + discarded X + queued Q: balanced
 * (with "+ forwarded F" before the colon when a forwarding rule ended some)
 * then each problem, each duplicate, and each message's fate per recipient
 * with its path. 0, or -1 if a write failed or memory ran out. */
int obs_ledger_print(struct obs_ledger *l, FILE *out);

/* Adds the key "ledger" to obj: accepted, delivered, relayed, bounced,
 * discarded, queued, balanced, duplicates, problems (strings), queue (what
 * is still queued, with its reason) and messages (per message its id,
 * sender, fate and per recipient fate, host, detail and path); see
 * docs/trace-format.md. 0, or -1 on ENOMEM (obj may then hold part). */
int obs_ledger_add_json(struct obs_ledger *l, struct cJSON *obj);

#endif

/* The mail ledger's inside, shared by ledger.c (recording and the
 * end-of-run checks) and ledger_report.c (text and JSON). Not for other
 * modules: use ledger.h. */
#ifndef SIM_OBSERVE_LEDGER_INTERNAL_H
#define SIM_OBSERVE_LEDGER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/observe/ledger.h"

enum ledger_fate { FATE_OPEN, FATE_RELAYED, FATE_DELIVERED, FATE_BOUNCED, FATE_DISCARDED, FATE_FORWARDED };

/* "queued", "relayed", ...: indexed by enum ledger_fate. */
extern const char *const ledger_fate_names[];

struct ledger_entry {
	int host;
	char *qid, *rcpt;
	int msg;
	enum ledger_fate fate;
	char *detail;   /* the end's text (folder, reason, next hop) */
	char *deferred; /* the last deferral's text */
	size_t uncertain; /* attempts that lost the reply to their data (RFC 1047) */
	int declared;   /* found in its host's declared queue (settle) */
	const char *queue_error; /* the declared queue's last error (settle) */
};

struct ledger_message {
	char *id; /* the Message-ID, NULL if it had none */
	char *from;
	int submit_host; /* -1: no submission seen */
	int *entries;
	size_t n, cap;
};

struct ledger_declared {
	int host;
	char *qid, *rcpt, *error;
};

struct ledger_strmap {
	char **keys;
	int32_t *vals;
	size_t mask, used;
};

struct ledger_strlist {
	char **items;
	size_t n, cap;
};

struct obs_ledger {
	struct sim *sim;
	const struct net *net;
	struct ledger_entry *entries;
	size_t nentries, capentries;
	struct ledger_message *msgs;
	size_t nmsgs, capmsgs;
	struct ledger_strmap by_entry, by_msg;
	struct ledger_declared *decl;
	size_t ndecl, capdecl;
	int *decl_hosts;
	size_t ndecl_hosts, capdecl_hosts;
	struct ledger_strlist seen;    /* problems found while the run went */
	struct ledger_strlist settled; /* problems found by settle() */
	struct ledger_strlist dups;    /* duplicate reports, by settle() */
	int oom;
};


struct ledger_journey {
	enum ledger_fate fate;
	const struct ledger_entry *at; /* the entry that decides the fate */
	size_t deliveries;
	int path[64];
	size_t npath;
	int path_truncated;
};

/* The host's name, or "host N" written into buf. */
const char *ledger_host_name(const struct obs_ledger *l, int host, char buf[24]);
/* Whether entry k is the first of message m's entries for its mailbox. */
int ledger_first_for_mailbox(const struct obs_ledger *l, const struct ledger_message *m, size_t k);
/* Follows the mailbox of m's entry k (from k onwards): the hosts it was
 * accepted at, in order, after its submitter; its fate is the first of
 * delivered, bounced, discarded, queued, relayed that any entry reached. */
void ledger_follow(const struct obs_ledger *l, const struct ledger_message *m, size_t k, struct ledger_journey *j);
/* The journey's detail: the folder, the reason, the next hop. */
const char *ledger_journey_detail(const struct ledger_journey *j);
/* A message's fate: its recipients' one fate, "mixed", or "unaccepted". */
const char *ledger_message_fate(const struct obs_ledger *l, const struct ledger_message *m);

#endif

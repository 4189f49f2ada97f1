/* The world's insides, shared by world.c (network, faults, test apps) and
 * world_mail.c (DNS, MTAs, UAs, the mail timeline). */
#ifndef SIM_SCENARIO_WORLD_INTERNAL_H
#define SIM_SCENARIO_WORLD_INTERNAL_H

#include <stdio.h>

#include "sim/agents/agent_env.h"
#include "sim/scenario/world.h"

struct dns_server;
struct mailstore;
struct mail_rules;
struct mta;
struct ua;
struct obs_sniffer;
struct pop3d;
struct pop3_reader;
struct imapd;
struct imap_reader;

struct fault_event {
	struct scn_world *w;
	const struct scn_fault *f;
};

struct scn_world {
	const struct scenario *s;
	struct sim *sim;
	struct net *net;
	struct tcp *tcp;
	struct udp *udp;
	struct testapp *app;
	struct fault_event *faults;
	int *link_ids; /* scenario link -> net link */
	/* Mail. */
	struct agent_env env;
	struct host_life *life; /* crashes, restarts, clocks (env.life) */
	struct dns_server *dns;
	struct mailstore **stores; /* per scenario MTA: the host's disk */
	struct mail_rules **rules; /* per scenario MTA: users' rules and vacation memory (disk too) */
	struct mta **mtas;
	struct ua **uas;
	struct typist **typists; /* per mail action */
	struct obs_sniffer **sniffers;
	struct mail_event *mail_events;
	struct mta_net **relay_nets;
	struct mta_route **routes;
	const char ***domains, ***holds;
	/* POP3: pop3d per MTA with "pop3" (else NULL); a reader per UA, made
	 * on its first download. */
	struct pop3d **pop3ds;
	struct pop3_reader **pop3_readers;
	/* IMAP (mailbox access): imapd per MTA with "imap", readers per action. */
	struct imapd **imapds;
	struct imap_reader **imap_readers; /* per mail action, while running */
	/* A finished reader is freed (in a week of readings they would pile
	 * up, 64 KiB each) and its stats kept here: imap_slot[i] indexes the
	 * i-th mail action's entry (-1: no "imap" action), imap_final_set[k]
	 * says whether entry k holds a finished reader's stats. */
	long *imap_slot;
	struct imap_reader_stats *imap_final;
	unsigned char *imap_final_set;
	size_t *imap_live; /* mail actions with a reader in imap_readers */
	size_t imap_live_count;
};


/* world_faults.c: the kernel event of a fault (ctx: a struct fault_event). */
void scn_world_apply_fault(struct sim *sim, void *ctx);

/* world_mail.c */
int scn_world_mail_start(struct scn_world *w, char *err, size_t errlen);
void scn_world_mail_free(struct scn_world *w);

#endif

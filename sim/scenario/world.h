/* A world: a loaded scenario built into a runnable simulation: the kernel,
 * the network with its hosts, links and routes, TCP and UDP, the scenario's
 * faults scheduled on the timeline and its test services and clients.
 *
 *   struct scn_world *w = scn_world_new(scn, seed, err, sizeof err);
 *   ... open observers on scn_world_sim(w) and scn_world_net(w) ...
 *   scn_world_run(w, until);
 *   ... read results, close observers ...
 *   scn_world_free(&w);
 *
 * The world borrows the scenario, which must outlive it. Building can still
 * fail on what only the network can judge (net_finalize: a host that cannot
 * be reached is fine, an inconsistent route is not) or on ENOMEM. */
#ifndef SIM_SCENARIO_WORLD_H
#define SIM_SCENARIO_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/sim.h"

struct scenario;
struct scn_world;
struct net;
struct tcp;
struct udp;
struct testapp;

/* Builds the world at time 0 with the given seed. Returns NULL and a
 * message in err on failure. */
struct scn_world *scn_world_new(const struct scenario *s, uint64_t seed, char *err, size_t errlen);
/* Frees everything the world built. Accepts NULL; sets *w to NULL. */
void scn_world_free(struct scn_world **w);

/* Runs until time until (SIM_TIME_NEVER: until no events are left). */
enum sim_stop_reason scn_world_run(struct scn_world *w, sim_time until);

struct sim *scn_world_sim(struct scn_world *w);
struct net *scn_world_net(struct scn_world *w);
struct tcp *scn_world_tcp(struct scn_world *w);
struct udp *scn_world_udp(struct scn_world *w);
struct testapp *scn_world_testapp(struct scn_world *w);
const struct scenario *scn_world_scenario(const struct scn_world *w);
struct agent_env;
/* What the world's agents share (kernel, network, transports, epoch), for
 * agents added from outside the scenario (`mailsim telnet`). */
const struct agent_env *scn_world_env(const struct scn_world *w);

/* Number of expectations that failed after the run (scenario "expect"
 * entries and per-client "expect", mailboxes included). */
size_t scn_world_failed_expectations(const struct scn_world *w);
/* The mail expectations that failed, each described in one line written
 * to out (may be NULL); returns how many failed. */
size_t scn_world_mail_failed_expectations(const struct scn_world *w, FILE *out);

struct mailstore;
struct mta;
/* The mailstore of the scenario's i-th MTA (NULL past the end). */
struct mailstore *scn_world_mailstore(struct scn_world *w, size_t i);
struct mta *scn_world_mta(struct scn_world *w, size_t i);
struct dns_server;
/* The scenario's DNS server, or NULL when it has none. */
struct dns_server *scn_world_dns_server(struct scn_world *w);
struct obs_sniffer;
/* The scenario's i-th sniffer (NULL past the end). */
struct obs_sniffer *scn_world_sniffer(struct scn_world *w, size_t i);
/* IMAP (mailbox access): the imapd of the scenario's i-th MTA (NULL if it
 * has none), and the reader started by the i-th "mail" action while it
 * runs (NULL if that action is no "imap" one, has not run yet, or has
 * finished: a finished reader is freed so that a long run does not pile
 * them up). scn_world_imap_stats() gives the reader's stats, running or
 * finished (NULL if the action is no "imap" one or has not started). */
struct imapd;
struct imap_reader;
struct imap_reader_stats;
struct imapd *scn_world_imapd(struct scn_world *w, size_t i);
struct imap_reader *scn_world_imap_reader(struct scn_world *w, size_t i);
const struct imap_reader_stats *scn_world_imap_stats(struct scn_world *w, size_t i);
/* The typist of the i-th "mail" action, a hand-typed "session" (NULL if
 * that action is no session, has not started yet or could not connect);
 * it lives as long as the world (the grader reads its connection id). */
struct typist;
struct typist *scn_world_typist(struct scn_world *w, size_t i);
/* Writes every MTA's mailboxes as Maildir++ under dir. 0, or -1 with err. */
int scn_world_export_maildir(struct scn_world *w, const char *dir, char *err, size_t errlen);

#endif

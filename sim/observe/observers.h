/* The first subscribers of the observation bus: a human text log, a JSON
 * Lines trace (docs/trace-format.md), a pcap capture and the run summary.
 *
 * Each is opened on a kernel and a finalized network (the topology is read
 * at open), subscribes itself to the kernel's bus, and is closed (which
 * flushes, unsubscribes and frees) after the run. Open functions return
 * NULL on failure, with a message in err where they take one (a file that
 * cannot be created, say); close functions accept NULL and return 0, or -1
 * if a write failed. Output is deterministic: the same run gives the same
 * bytes. Formats: docs/trace-format.md.
 *
 * Pcap placement: every packet is captured once, when its originating host
 * sends it (as a capture on that host would see it), and again each time
 * TCP retransmits it; so a lossless run shows each segment exactly once and
 * tshark reports no analysis flags. */
#ifndef SIM_OBSERVERS_H
#define SIM_OBSERVERS_H

#include <stddef.h>
#include <stdio.h>

struct sim;
struct net;
struct tcp;
struct cJSON;

struct obs_text_log;
/* Writes one readable line per record to out (borrowed; flushed but not
 * closed): packets sent, retransmitted and dropped, connection states, link
 * states, application records, protocol lines and mail events. NULL on
 * ENOMEM. */
struct obs_text_log *obs_text_log_open(struct sim *sim, const struct net *net, FILE *out);
/* Verbose mode adds every hop (OBS_PKT_TX) and every arrival (OBS_PKT_RECV).
 * Returns 0, or -1 on ENOMEM. */
int obs_text_log_verbose(struct obs_text_log *log, int verbose);
int obs_text_log_close(struct obs_text_log **log);

struct obs_trace;
/* JSON Lines trace of every record to path ("-" for stdout), framed by a
 * "run" line with the seed and topology and an "end" line written by close
 * (docs/trace-format.md). Open it after the network is built. */
struct obs_trace *obs_trace_open(struct sim *sim, const struct net *net, const char *path, char *err,
				 size_t errlen);
int obs_trace_close(struct obs_trace **trace);

struct obs_pcap;
/* Classic pcap (nanosecond variant, LINKTYPE_ETHERNET, timestamps =
 * simulated time) to path: the packets of OBS_PKT_SEND and
 * OBS_PKT_RETRANSMIT records. */
struct obs_pcap *obs_pcap_open(struct sim *sim, const struct net *net, const char *path, char *err, size_t errlen);
int obs_pcap_close(struct obs_pcap **pcap);

struct obs_summary;
/* Collects what the run summary needs (connections seen, packets and drops
 * by link, mail events by type). NULL on ENOMEM. */
struct obs_summary *obs_summary_open(struct sim *sim, const struct net *net);
/* The summary as a cJSON object (the caller owns it and may add keys, such
 * as the mail ledger, before printing it): hosts, links, connections,
 * segment counts, drops by reason, retransmissions, events, mail events by
 * type. tcp may be NULL
 * (no "tcp" totals then). NULL on ENOMEM. May be called more than once. */
struct cJSON *obs_summary_json(struct obs_summary *s, const struct tcp *tcp);
void obs_summary_close(struct obs_summary **s);

#endif

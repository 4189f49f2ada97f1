/* The text transcript (`mailsim run` prints it): each connection's
 * protocol lines in time order, host-prefixed, the way the class note's
 * telnet listing reads, with DNS lookups, the Received fields as they are
 * added and the other mail events woven in:
 *
 *     0.012020  --- laptop connects to mta1:587 (SMTP) ---
 *     0.012020  mta1 -> laptop        S: 220 smtp.gmail.com ESMTP
 *     0.012020      mta1 dns: QUERY PTR 2.1.0.10.in-addr.arpa
 *     0.016036  laptop -> mta1        C: EHLO laptop.juan.gmail.com
 *     ...
 *     0.036194  mta1: adds Received: from laptop.juan.gmail.com (...) by
 *                          smtp.gmail.com (mailsim) with ESMTP id 000010002; ...
 *     0.036194  mx: delivered 000010004 to maria@dominio.de.maria (INBOX)
 *     0.048230  --- mta1 closes laptop -> mta1:587 ---
 *
 * Each line is shown once, when it is first published: both ends of a
 * connection publish what they send and what they receive, so the
 * transcript pairs the two ends of each TCP connection (from the
 * connection-state records) and, per direction, shows a line only when the
 * publishing end is ahead of the other one. A connection where only one
 * end publishes is shown whole. Lines sent after STARTTLS are "[encrypted]"
 * (an eavesdropper's view) unless the options ask for the plaintext (the
 * endpoints' view). A message in transit (SMTP DATA, a POP3 RETR or TOP
 * answer) shows its header section and the first body_lines body lines,
 * then "[... N more lines ...]" and the final "."; MIME boundaries and the
 * parts' header sections are always shown (they do not count), so each
 * part's type is seen.
 *
 * Open it on a kernel and a finalized network before the run; close it
 * after (flushes, unsubscribes, frees). Output is deterministic.
 *
 * Known limits: a message body line consisting of a single "." that was
 * shown from the receiving end's copy (unstuffed) reads as the end of the
 * data; a sender whose lines the receiver splits (a line over the length
 * limit) may show a few lines twice. */
#ifndef SIM_OBSERVE_TRANSCRIPT_H
#define SIM_OBSERVE_TRANSCRIPT_H

#include <stdio.h>

struct sim;
struct net;

struct obs_transcript_options {
	int body_lines;     /* body lines of a message shown; -1: all (default 4) */
	int show_plaintext; /* 1: show lines sent after STARTTLS (default 0) */
	int show_notes;     /* 1: show OBS_APP records other than "dns" (default 1) */
};

void obs_transcript_options_default(struct obs_transcript_options *o);

struct obs_transcript;
/* Writes the transcript to out (borrowed; flushed, not closed). opt may be
 * NULL for the defaults; it is copied. NULL on ENOMEM. */
struct obs_transcript *obs_transcript_open(struct sim *sim, const struct net *net, FILE *out,
					   const struct obs_transcript_options *opt);
/* Ends any message still elided ("[... N more lines ...]"), flushes,
 * unsubscribes and frees. Accepts NULL; clears the pointer. 0, or -1 if a
 * write failed or memory ran out on the way (the transcript may then have
 * shown some lines twice). */
int obs_transcript_close(struct obs_transcript **t);

#endif

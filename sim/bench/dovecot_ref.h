/* The Dovecot reference of `mailsim bench mailbox`: a real Dovecot
 * (Debian's dovecot-imapd and dovecot-pop3d) serving the same mail, and a
 * socket transport for the benchmark's client (mailbox_client.h).
 *
 * dovecot_ref_start() makes a throwaway directory under /tmp, writes the
 * mailstore's users there as Maildir (mailstore_export_maildir), a
 * passwd-file with their plaintext passwords and a dovecot.conf of its own
 * (IMAP and POP3 listeners on free loopback ports, no SSL, logs in the
 * directory), and starts `dovecot -F -c` on it as an unprivileged process
 * (as "nobody" when run as root, else as the caller). It never reads or
 * changes the system's Dovecot configuration or service.
 * dovecot_ref_stop() stops it and removes the directory, whatever happened.
 *
 *   struct dovecot_ref *d;
 *   if (dovecot_ref_start(store, &d, why, sizeof why) < 0)
 *       printf("Dovecot skipped: %s\n", why);
 *   ... dovecot_ref_connect(d, DOVECOT_IMAP, &io, err, sizeof err) ...
 *   dovecot_ref_stop(&d); */
#ifndef SIM_BENCH_DOVECOT_REF_H
#define SIM_BENCH_DOVECOT_REF_H

#include <stddef.h>

struct mailstore;
struct mbx_io;
struct dovecot_ref;

enum dovecot_service { DOVECOT_IMAP, DOVECOT_POP3 };

/* Starts Dovecot over the users of ms (logins are the full addresses).
 * Returns 0, or -1 with why set (not installed, could not start, did not
 * listen in time: with the tail of its log); nothing is left running or on
 * disk then. */
int dovecot_ref_start(const struct mailstore *ms, struct dovecot_ref **d_r, char *why, size_t whylen);
void dovecot_ref_stop(struct dovecot_ref **d);

/* "2.3.19.1 (9b53102964)", or "" if unknown. */
const char *dovecot_ref_version(const struct dovecot_ref *d);
/* The user the server runs as. */
const char *dovecot_ref_run_as(const struct dovecot_ref *d);
/* The folder holding the users' Maildirs (one per address, named by the
 * address), and the uid and gid owning them: another program delivering
 * into them (bench grade's Postfix) writes there as that owner. */
const char *dovecot_ref_mail_dir(const struct dovecot_ref *d);
void dovecot_ref_owner(const struct dovecot_ref *d, unsigned *uid_r, unsigned *gid_r);
/* Seconds the Maildir export took, and how long Dovecot took to listen. */
double dovecot_ref_export_seconds(const struct dovecot_ref *d);
double dovecot_ref_start_seconds(const struct dovecot_ref *d);

/* Opens a blocking loopback connection to the service and fills io (its
 * send and recv use the socket; 30 s timeouts). 0, or -1 with err set. */
int dovecot_ref_connect(struct dovecot_ref *d, enum dovecot_service s, struct mbx_io *io, char *err, size_t errlen);
/* Closes a connection opened by dovecot_ref_connect. */
void dovecot_ref_disconnect(struct mbx_io *io);

#endif

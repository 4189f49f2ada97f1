/* The Postfix half of `mailsim bench grade`'s reference: a fresh, real
 * Postfix MTA (Debian's postfix package) the way a lab with real servers
 * would run one to grade a student's SMTP session: its own throwaway
 * configuration, queue and data folders under /tmp, smtpd listening on a
 * free loopback port, every recipient a virtual mailbox delivered by
 * Postfix's virtual(8) agent into a Maildir that Dovecot serves
 * (dovecot_ref.h). It never reads or changes the system's Postfix
 * configuration (/etc/postfix/main.cf) or service.
 *
 * Started with `postfix -c DIR start-fg` (all of `postfix start`'s checks
 * and queue creation, with the master in the foreground as our child) and
 * stopped with `postfix -c DIR stop`; the folder is removed afterwards.
 * Postfix's master must run as root (it binds, then drops to mail_owner):
 * without root the start fails with that reason.
 *
 *   struct postfix_lab *p;
 *   if (postfix_lab_start(addrs, n, maildirs, uid, gid, &p, why, sizeof why) < 0)
 *       ... why says what failed (with the tail of Postfix's log) ...
 *   ... SMTP to 127.0.0.1:postfix_lab_port(p) ...
 *   postfix_lab_stop(&p); */
#ifndef SIM_BENCH_POSTFIX_LAB_H
#define SIM_BENCH_POSTFIX_LAB_H

#include <stddef.h>

struct postfix_lab;

/* Starts Postfix accepting mail for the n addresses (their domains become
 * virtual mailbox domains), delivering each into maildir_base/ADDRESS/ as
 * uid:gid. Returns 0 once smtpd greets, or -1 with why set; nothing is
 * left running or on disk then. */
int postfix_lab_start(const char *const *addresses, size_t n, const char *maildir_base, unsigned uid, unsigned gid,
		      struct postfix_lab **p_r, char *why, size_t whylen);
/* Stops it (postfix stop; killed if it lingers) and removes its folder.
 * Accepts NULL; clears *p. */
void postfix_lab_stop(struct postfix_lab **p);

int postfix_lab_port(const struct postfix_lab *p);
/* "3.7.11", or "" if unknown. */
const char *postfix_lab_version(const struct postfix_lab *p);
/* Seconds from `postfix start-fg` to smtpd's greeting. */
double postfix_lab_start_seconds(const struct postfix_lab *p);
/* As postfix_lab_stop, and returns the seconds the stop took. */
double postfix_lab_stop_timed(struct postfix_lab **p);

#endif

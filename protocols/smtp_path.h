/* RFC 5321 paths and mailboxes (section 4.1.2): the "<...>" argument of
 * MAIL FROM and RCPT TO. Shared by the SMTP server (parsing what a client
 * sent) and the SMTP client (refusing to send an address that would break
 * the command line, e.g. one carrying CR or LF).
 *
 * Only US-ASCII addresses are accepted (SMTPUTF8 is not offered). Source
 * routes ("<@a,@b:user@c>") are accepted and dropped, as section 3.6.1
 * allows. Limits are section 4.5.3.1: local part 64, domain 255, path 256
 * octets. */
#ifndef PROTOCOLS_SMTP_PATH_H
#define PROTOCOLS_SMTP_PATH_H

#include <stddef.h>

#define SMTP_PATH_MAX 256 /* octets, brackets included (4.5.3.1.3) */

enum smtp_path_flags {
	SMTP_PATH_ALLOW_NULL = 1,       /* "<>" (the reverse path of bounces) */
	SMTP_PATH_ALLOW_POSTMASTER = 2, /* "<Postmaster>" without a domain */
};

enum smtp_path_error {
	SMTP_PATH_SYNTAX = -1,
	SMTP_PATH_TOO_LONG = -2,
};

/* Parses a path at the start of s (len octets; what follows the ">" is
 * left to the caller, e.g. mail parameters). On success returns the number
 * of octets the path took and writes the bare mailbox into out (cap must be
 * at least SMTP_PATH_MAX + 1): "user@domain", "" for "<>", "Postmaster".
 * Returns SMTP_PATH_SYNTAX or SMTP_PATH_TOO_LONG otherwise. */
int smtp_path_parse(const char *s, size_t len, unsigned flags, char *out, size_t cap);

/* 1 if mailbox (NUL-terminated, without brackets) is a valid RFC 5321
 * Mailbox, "" when flags allow the null path, or "Postmaster" when flags
 * allow it; 0 otherwise. */
int smtp_mailbox_valid(const char *mailbox, unsigned flags);

/* 1 if s is a Domain or an address literal as EHLO, HELO and ETRN take. */
int smtp_domain_valid(const char *s, size_t len);

#endif

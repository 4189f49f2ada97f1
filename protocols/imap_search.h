/* IMAP SEARCH programs (RFC 3501 6.4.4): parsing the criteria of a SEARCH
 * or UID SEARCH command into a tree and evaluating it against one message
 * at a time.
 *
 * Every search key of RFC 3501 is supported, with sequence sets,
 * parenthesised lists, OR, NOT and the implicit AND of a list. Strings are
 * matched as substrings without regard to case (ASCII letters, and the
 * Latin-1 range of UTF-8), against header values with RFC 2047 words
 * decoded, and for BODY and TEXT against the text parts' decoded and
 * UTF-8-converted contents. BEFORE, ON and SINCE compare the internal
 * date's calendar day (in its own zone, the time ignored); SENTBEFORE,
 * SENTON and SENTSINCE the Date header's day (its own zone). A message
 * with no or an unreadable Date header matches no SENT* key.
 *
 *   struct imap_search *s = NULL;
 *   int badcharset = 0;
 *   if (imap_search_parse(&c, NULL, &s, &badcharset) < 0)
 *           reply badcharset ? "NO [BADCHARSET (US-ASCII UTF-8)] ..."
 *                            : "BAD" c.err;
 *   struct imap_search_ctx ctx = {.exists = n, .max_uid = last_uid};
 *   for each message: if (imap_search_match(s, &ctx, &view) == 1) ...;
 *   imap_search_free(&s);
 */
#ifndef PROTOCOLS_IMAP_SEARCH_H
#define PROTOCOLS_IMAP_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/imap_msgview.h"
#include "protocols/imap_syntax.h"

struct imap_search_limits {
	size_t max_depth;  /* nesting of (), NOT and OR; 0 means 64 */
	size_t max_keys;   /* keys in the whole program; 0 means 1000 */
	size_t max_ranges; /* per sequence set; 0 means IMAP_SEQSET_MAX_RANGES */
};

/* What a search needs to know about the mailbox besides the message. */
struct imap_search_ctx {
	uint32_t exists;  /* message count: the value of "*" in sequence sets */
	uint32_t max_uid; /* largest UID in the mailbox: "*" in UID sets */
};

struct imap_search;

/* Reads "[CHARSET SP astring SP] search-key *(SP search-key)" from the
 * cursor to its end. CHARSET US-ASCII and UTF-8 (any case) are accepted;
 * another charset fails with *badcharset_r set to 1 (reply NO [BADCHARSET
 * (US-ASCII UTF-8)]). Malformed keys, unbalanced parentheses, bad sets or
 * dates fail with PROTO_EINVAL and c->err; too deep or too many keys with
 * PROTO_ELIMIT and c->err. limits may be NULL. On failure the cursor is
 * where the error was found. */
int imap_search_parse(struct imap_cursor *c, const struct imap_search_limits *limits, struct imap_search **s_r,
		      int *badcharset_r);
void imap_search_free(struct imap_search **s);

/* 1 if the message matches, 0 if not, or PROTO_ENOMEM. The search is not
 * changed in any way visible to the caller (its sequence sets cache their
 * sorted form, hence the non-const pointer). */
int imap_search_match(struct imap_search *s, const struct imap_search_ctx *ctx, const struct imap_msgview *v);

/* 1 if the program needs message text beyond the header and flags (BODY,
 * TEXT): a server may then prefer a cache. */
int imap_search_needs_body(const struct imap_search *s);

/* Writes the program back in a canonical form ("(OR FROM \"juan\" (SEEN
 * NOT DELETED))"), for tests and the transcript. */
int imap_search_write(struct buf *out, const struct imap_search *s);

#endif

/* A read-only view of one message as the IMAP FETCH and SEARCH code sees
 * it, filled by the server from its mailstore (protocols/ cannot include
 * sim/, so the flag bits repeat mailstore.h's enum ms_flag values).
 *
 * Every pointer is borrowed for the duration of the call it is passed to.
 * Parsing is lazy: ENVELOPE and header searches read the header section
 * only; the full MIME tree (BODYSTRUCTURE, BODY[1.2], BODY/TEXT searches)
 * is parsed on demand. Give the view a cache (one per message, kept as
 * long as the message is) and each message is parsed at most once and its
 * ENVELOPE and BODYSTRUCTURE rendered at most once; without a cache the
 * work is redone on every call.
 *
 *   struct imap_msgview v = {.seq = 1, .uid = 7, .flags = IMAP_F_SEEN,
 *           .raw = text, .raw_len = len, .cache = msg->imap_cache};
 */
#ifndef PROTOCOLS_IMAP_MSGVIEW_H
#define PROTOCOLS_IMAP_MSGVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"
#include "protocols/mime.h"

/* System flags; the same values as enum ms_flag in sim/agents/mailstore.h. */
enum imap_flag {
	IMAP_F_SEEN = 1 << 0,
	IMAP_F_ANSWERED = 1 << 1,
	IMAP_F_FLAGGED = 1 << 2,
	IMAP_F_DELETED = 1 << 3,
	IMAP_F_DRAFT = 1 << 4,
	IMAP_F_RECENT = 1 << 5,
};
#define IMAP_F_ALL 0x3f

struct imap_msgcache;

struct imap_msgview {
	uint32_t seq;                 /* message sequence number (1-based) */
	uint32_t uid;
	uint32_t flags;               /* enum imap_flag bits */
	const char *const *keywords;  /* keyword names (atoms, no backslash) */
	size_t keyword_count;
	int64_t internal_date;        /* unix seconds, UTC */
	int internal_zone_min;        /* zone of the internal date, minutes east of UTC */
	const char *raw;              /* the whole message, CRLF line ends */
	size_t raw_len;               /* RFC822.SIZE */
	struct imap_msgcache *cache;  /* optional (NULL: nothing is kept) */
};

/* A per-message cache of parse results. It is tied to the first raw text
 * it sees (pointer and length); given a view of other text it starts over.
 * NULL on ENOMEM. */
struct imap_msgcache *imap_msgcache_new(void);
void imap_msgcache_free(struct imap_msgcache **cache);

/* The message's MIME tree. With a cache the doc is the cache's (lives as
 * long as the cache); without, a new doc is stored in *owned_r and must be
 * freed by the caller with mime_doc_free() (*owned_r is NULL otherwise).
 * 0 or PROTO_ENOMEM. */
int imap_msgview_mime(const struct imap_msgview *v, const struct mime_doc **doc_r, struct mime_doc **owned_r);

/* Offset of the body (after the header's empty line) in raw. */
size_t imap_msgview_body_offset(const struct imap_msgview *v);

/* The bit of a system flag name ("\Seen", any case), 0 for a keyword (an
 * atom without backslash), -1 for an unknown or unsettable backslash flag
 * (\Recent, \*, \Foo). */
int imap_flag_bit(const char *name, size_t n);
/* The name of one system flag bit ("\Seen"), or NULL. */
const char *imap_flag_name(uint32_t bit);
/* Writes "(\Seen \Flagged kw1 kw2)": system flags in bit order, then the
 * keywords in the given order. */
int imap_write_flags(struct buf *out, uint32_t flags, const char *const *keywords, size_t keyword_count);

#endif

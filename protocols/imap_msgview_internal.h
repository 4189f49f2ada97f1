/* The message cache's insides, shared by imap_msgview.c, imap_fetch.c and
 * imap_search.c only. */
#ifndef PROTOCOLS_IMAP_MSGVIEW_INTERNAL_H
#define PROTOCOLS_IMAP_MSGVIEW_INTERNAL_H

#include "protocols/imap_msgview.h"

/* Cap on one cached rendering (ENVELOPE, BODYSTRUCTURE). */
#define IMAP_MSGCACHE_MAX (16u << 20)
#define IMAP_MSGCACHE_NFIELDS 5

struct imap_msgcache {
	const char *raw; /* the text the entries below were made from */
	size_t raw_len;
	struct mime_doc *doc;
	struct buf envelope;
	struct buf body[2]; /* BODY, BODYSTRUCTURE */
	size_t body_offset;
	int have_envelope, have_body[2], have_body_offset;
	/* SEARCH's header keys (imap_search.c's IMAP_MSGCACHE_FIELDS: Bcc, Cc,
	 * From, Subject, To): every occurrence decoded and case-folded, each
	 * followed by a NUL (a search string holds no NUL, so no match spans
	 * two occurrences; empty: the field is absent). */
	struct buf field[IMAP_MSGCACHE_NFIELDS];
	unsigned have_field; /* bit i: field[i] is filled */
};

/* The view's cache, emptied first if it was made from other text; NULL
 * when the view has none. */
struct imap_msgcache *imap_msgview_cache(const struct imap_msgview *v);

#endif

/* RFC 5322 address lists: mailboxes with display names, quoted strings,
 * comments, groups and angle addresses; parsing real-world lists and
 * writing them back correctly quoted and encoded.
 *
 *   struct addr_list *l = NULL;
 *   if (addr_parse("\"Juan P.\" <juan@x.org>, team: a@b.c;", -1, &l, NULL) == 0)
 *           for (size_t i = 0; i < addr_list_count(l); i++)
 *                   puts(addr_list_get(l, i)->mailbox);
 *   addr_list_free(&l);
 */
#ifndef PROTOCOLS_ADDRESS_H
#define PROTOCOLS_ADDRESS_H

#include <stddef.h>

#include "protocols/buf.h"

enum addr_defect {
	ADDR_D_SYNTAX = 1u << 0,    /* a piece that is not an address was skipped */
	ADDR_D_NO_DOMAIN = 1u << 1, /* an address without "@domain" */
	ADDR_D_UNCLOSED = 1u << 2,  /* an unterminated quoted string, comment, <...> or group */
	ADDR_D_ENCODING = 1u << 3,  /* a display name had encoding oddities (codec.h defects) */
};

/* One mailbox. Strings are owned by the list and NUL-terminated. */
struct addr {
	const char *name;    /* display name, UTF-8 (encoded-words decoded); "" if none */
	const char *mailbox; /* addr-spec "local@domain" (local part re-quoted if needed); NULL for an empty group */
	const char *group;   /* the group's name (UTF-8) if the mailbox is in one, else NULL */
};

struct addr_list;

/* Parses an address list (a To/Cc/From value, folds allowed); n may be
 * (size_t)-1 for a NUL-terminated string. Always tolerant: what cannot be
 * read is skipped and flagged. 0 and a new list in *list_r (possibly
 * empty), or PROTO_ENOMEM. */
int addr_parse(const char *s, size_t n, struct addr_list **list_r, unsigned *defects_r);
/* A new empty list for building; NULL on ENOMEM. */
struct addr_list *addr_list_new(void);
/* Appends a mailbox (name may be NULL or "", group NULL). 0 or PROTO_ENOMEM. */
int addr_list_add(struct addr_list *l, const char *name, const char *mailbox, const char *group);
size_t addr_list_count(const struct addr_list *l);
/* The i-th mailbox, valid until the list is freed; NULL if out of range. */
const struct addr *addr_list_get(const struct addr_list *l, size_t i);
void addr_list_free(struct addr_list **l);

/* Writes one mailbox as "Name <local@domain>" (or a bare addr-spec if name
 * is empty): ASCII names quoted when they are not a plain phrase, non-ASCII
 * names as RFC 2047 encoded-words. */
int addr_format(struct buf *out, const char *name, const char *mailbox);
/* Writes a whole list separated by ", ", groups as "name: a, b;". */
int addr_list_format(struct buf *out, const struct addr_list *l);

#endif

/* IMAP sequence sets (RFC 3501 section 9: sequence-set, seq-number,
 * seq-range, "*"), for message sequence numbers and UIDs alike.
 *
 * A set is kept as the ranges the client wrote ("*" remembered as such),
 * with a hard cap on their number so that "1,2,3,...,100000" cannot make a
 * server allocate without bound. Before a question is asked the value of
 * "*" must be known (the message count, or the largest UID in use; 0 for an
 * empty mailbox); the set then sorts and merges its ranges once per value
 * of "*" and answers membership by binary search and iterates in ascending
 * order without ever expanding a range.
 *
 * A range is unordered (RFC 3501: "2:4" and "4:2" are the same), so with
 * "*" taken as the largest UID the UID range "n:*" always includes the
 * largest UID even when n is above it, as RFC 3501 6.4.8 requires.
 *
 *   struct imap_seqset *set = NULL;
 *   if (imap_seqset_parse(&c, 0, &set) < 0) reply BAD c.err;
 *   struct imap_seqset_iter it;
 *   uint32_t n;
 *   imap_seqset_iter_init(&it, set, exists, exists);
 *   while (imap_seqset_iter_next(&it, &n)) ...;
 *   imap_seqset_free(&set);
 */
#ifndef PROTOCOLS_IMAP_SEQSET_H
#define PROTOCOLS_IMAP_SEQSET_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/imap_syntax.h"

/* The default cap on the number of comma-separated elements. */
#define IMAP_SEQSET_MAX_RANGES 10000

struct imap_seqset;

/* Reads a sequence-set at the cursor (it ends before the first byte that
 * cannot continue it: SP, ')' or the end). max_ranges caps the number of
 * comma-separated elements (0 means IMAP_SEQSET_MAX_RANGES); over the cap
 * the read fails with c->err "too many ranges in sequence set". Zero, a
 * number over 4294967295, an empty element or a stray character fail with
 * PROTO_EINVAL and a reason in c->err, the cursor unchanged; PROTO_ENOMEM
 * if memory runs out. */
int imap_seqset_parse(struct imap_cursor *c, size_t max_ranges, struct imap_seqset **set_r);
/* The same over a whole string (for tests and the client engine): fails
 * unless all of s[0..n) is one sequence-set. */
int imap_seqset_parse_str(const char *s, size_t n, size_t max_ranges, struct imap_seqset **set_r);
void imap_seqset_free(struct imap_seqset **set);

/* A new set holding the single range lo:hi (0 stands for "*"); for a server
 * that builds sets itself (e.g. "1:*"). NULL on ENOMEM. */
struct imap_seqset *imap_seqset_new_range(uint32_t lo, uint32_t hi);

/* Number of elements as written. */
size_t imap_seqset_count(const struct imap_seqset *set);
/* 1 if "*" appears anywhere in the set. */
int imap_seqset_has_star(const struct imap_seqset *set);
/* The largest number the set names when "*" is star (0 if none). A server
 * compares it with the message count to refuse a sequence number that does
 * not exist (RFC 3501 9: "*" on an empty mailbox, or 7 of 5 messages). */
uint32_t imap_seqset_max(struct imap_seqset *set, uint32_t star);
/* 1 if n is in the set when "*" stands for star, else 0. The set caches its
 * sorted form for the last star, hence the non-const pointer. */
int imap_seqset_contains(struct imap_seqset *set, uint32_t n, uint32_t star);

/* Ascending, duplicate-free iteration over the set's numbers in [1, limit]
 * with "*" standing for star. The set must outlive the iterator and not be
 * asked about another star while iterating. */
struct imap_seqset_iter {
	const struct imap_seqset *set; /* private */
	size_t range;                  /* private */
	uint32_t next, limit;          /* private */
	int done;                      /* private */
};
void imap_seqset_iter_init(struct imap_seqset_iter *it, struct imap_seqset *set, uint32_t star, uint32_t limit);
/* 1 and the next number in *n_r, or 0 when there is none left. */
int imap_seqset_iter_next(struct imap_seqset_iter *it, uint32_t *n_r);

/* Writes the set in canonical form for star (sorted, merged: "1:3,7");
 * star 0 keeps "*" as written. For the client engine and tests. */
int imap_seqset_write(struct buf *out, struct imap_seqset *set, uint32_t star);

#endif

/* The mail of `mailsim bench mailbox`: users and their INBOXes, made up
 * deterministically from a seed.
 *
 * Messages look like a real mailbox's: varied senders (names with and
 * without accents, several domains), subjects (replies with "Re:" and
 * In-Reply-To, some UTF-8, encoded by the composer), a Return-Path and a
 * Received field as an MTA would add, 0.3-6 KB of text, and some MIME
 * multiparts (text+HTML alternatives, small attachments). Flags are mostly
 * \Seen, some \Answered or \Flagged, some unread.
 *
 * Memory stays bounded at any number of users: a corpus of `distinct`
 * message bodies is composed once, and every user's INBOX is a selection of
 * `messages` of them in date order, shared by reference (blob.h), as the
 * mailstore shares one delivered message between its recipients. With
 * users x messages <= distinct every message of every user is different.
 *
 *   struct mbox_corpus *c = mbox_corpus_new(&params, err, sizeof err);
 *   mbox_corpus_fill(c, store, 0, params.users, err, sizeof err);
 *   mbox_corpus_free(&c);        // the store keeps its own references */
#ifndef SIM_BENCH_MAILBOX_GEN_H
#define SIM_BENCH_MAILBOX_GEN_H

#include <stddef.h>
#include <stdint.h>

struct mailstore;
struct mbox_corpus;

struct mbox_gen_params {
	uint32_t users;    /* at least 1 */
	uint32_t messages; /* per user, at least 1 */
	uint32_t distinct; /* bodies composed; at least messages (more is capped at users x messages) */
	uint64_t seed;
};

#define MBOX_GEN_DOMAIN "bench.example"

/* Composes the corpus. NULL with err set on a bad parameter or ENOMEM. */
struct mbox_corpus *mbox_corpus_new(const struct mbox_gen_params *p, char *err, size_t errlen);
void mbox_corpus_free(struct mbox_corpus **c);

/* Adds users first .. first + n - 1 to ms, each with an INBOX of its
 * messages (UIDs 1..messages) and flags. Returns 0, or -1 with err set. */
int mbox_corpus_fill(const struct mbox_corpus *c, struct mailstore *ms, uint32_t first, uint32_t n, char *err,
		     size_t errlen);

/* User i's address ("user0007@bench.example"), IMAP/POP3 login (its local
 * part) and password. */
void mbox_user_address(uint32_t i, char *out, size_t cap);
void mbox_user_login(uint32_t i, char *out, size_t cap);
void mbox_user_password(uint32_t i, char *out, size_t cap);

/* The string user i searches for with SEARCH FROM: the surname of one of
 * the senders in the middle of its mailbox (lower case ASCII), so it
 * matches a few percent of the messages. Valid while c lives. */
const char *mbox_corpus_search_term(const struct mbox_corpus *c, uint32_t user);
/* How many of user i's messages have the term in their From field (name or
 * address, without case): what SEARCH FROM must answer. */
uint32_t mbox_corpus_search_hits(const struct mbox_corpus *c, uint32_t user);
/* Bytes of user i's messages, and of every user's. */
uint64_t mbox_corpus_user_bytes(const struct mbox_corpus *c, uint32_t user);
uint64_t mbox_corpus_total_bytes(const struct mbox_corpus *c);
/* Bytes of the distinct bodies (what the corpus holds in memory). */
uint64_t mbox_corpus_distinct_bytes(const struct mbox_corpus *c);
uint32_t mbox_corpus_distinct(const struct mbox_corpus *c);
/* How many bodies are multipart (of the distinct ones). */
uint32_t mbox_corpus_multiparts(const struct mbox_corpus *c);

#endif

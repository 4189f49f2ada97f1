/* The mailstore of a mailbox host: users, folders, messages with UIDs and
 * flags. It is the host's disk: it survives a simulated crash of the host
 * (sessions do not), the MTA delivers into it, pop3d and imapd read it.
 *
 * Message bodies are shared blobs (sim/core/blob.h): appending takes a
 * reference, never a copy. Every folder has a UIDVALIDITY and UIDNEXT (RFC
 * 3501 2.3.1.1); UIDs only grow. Changes are announced to watchers (the
 * IMAP sessions that have the folder selected) so several sessions see each
 * other's appends, flag changes and expunges.
 *
 * Folder names are full paths with '/' as the hierarchy delimiter
 * ("Archive/2006"); "INBOX" is matched case-insensitively and always exists.
 * Pointers to users and folders stay valid until the folder is deleted or
 * the store freed; message pointers until the next change of that folder. */
#ifndef SIM_MAILSTORE_H
#define SIM_MAILSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct blob;
struct mailstore;
struct ms_user;
struct ms_folder;

enum ms_flag {
	MS_SEEN = 1 << 0,
	MS_ANSWERED = 1 << 1,
	MS_FLAGGED = 1 << 2,
	MS_DELETED = 1 << 3,
	MS_DRAFT = 1 << 4,
	MS_RECENT = 1 << 5,
};
#define MS_MAX_KEYWORDS 64
#define MS_FOLDER_DELIMITER '/'

enum ms_error {
	MS_OK = 0,
	MS_ERR_NOMEM = -1,
	MS_ERR_EXISTS = -2,     /* the folder or user exists already */
	MS_ERR_NOT_FOUND = -3,
	MS_ERR_BAD_NAME = -4,   /* empty, too long, bad characters */
	MS_ERR_FULL = -5,       /* the disk is full: mail is refused (452) */
	MS_ERR_INBOX = -6,      /* INBOX cannot be deleted */
	MS_ERR_HAS_CHILDREN = -7,
	MS_ERR_LOCKED = -8,     /* the maildrop is locked by a POP3 session */
	MS_ERR_TOO_MANY = -9,   /* a limit on keywords or folders */
	MS_ERR_IO = -10,
};
const char *ms_error_text(int err);

struct ms_message {
	uint32_t uid;
	uint32_t flags;    /* enum ms_flag bits */
	uint64_t keywords; /* bits into the user's keyword table */
	/* Simulated time of arrival; the calendar instant is
	 * mailstore_epoch() + internal_date / 1e9 seconds (mail imported from
	 * before the run has a negative time). */
	sim_time internal_date;
	struct blob *body; /* borrowed */
};

/* Watchers of a folder; any callback may be NULL. They must not change the
 * folder from inside the callback. */
struct ms_watch_fns {
	void (*appended)(void *ctx, struct ms_folder *f, uint32_t uid);
	void (*flags_changed)(void *ctx, struct ms_folder *f, uint32_t uid);
	void (*expunged)(void *ctx, struct ms_folder *f, uint32_t uid);
	/* The folder is being deleted or renamed away: drop the pointer. */
	void (*gone)(void *ctx, struct ms_folder *f);
};

struct mailstore *mailstore_new(void);
void mailstore_free(struct mailstore **ms);

/* The whole store's size limit in bytes (0: unlimited): appends that would
 * pass it fail with MS_ERR_FULL (the full-disk fault). */
void mailstore_set_capacity(struct mailstore *ms, uint64_t bytes);
uint64_t mailstore_bytes(const struct mailstore *ms);
/* The Unix time (seconds) of simulated time 0, for internal dates on disk
 * (0 unless set: internal dates are then Unix times). */
void mailstore_set_epoch(struct mailstore *ms, int64_t unix_s);
int64_t mailstore_epoch(const struct mailstore *ms);
/* Bytes that can still be stored (UINT64_MAX when unlimited). */
uint64_t mailstore_free_space(const struct mailstore *ms);

/* Users are addresses ("maria@dominio.de.maria"), compared without case.
 * Returns the new user, or NULL if it exists or on ENOMEM. */
struct ms_user *mailstore_add_user(struct mailstore *ms, const char *address, const char *password);
struct ms_user *mailstore_find_user(const struct mailstore *ms, const char *address);
/* A POP3/IMAP login: the user with that address, else the first user
 * added whose login (local part) it is; without case. NULL if none. Both
 * lookups are hashed. */
struct ms_user *mailstore_find_login(const struct mailstore *ms, const char *name);
size_t mailstore_user_count(const struct mailstore *ms);
struct ms_user *mailstore_user_at(const struct mailstore *ms, size_t i);
const char *ms_user_address(const struct ms_user *u);
const char *ms_user_password(const struct ms_user *u);
/* The local part of the address (the POP3/IMAP login name). */
const char *ms_user_login(const struct ms_user *u);
/* Creates Sent, Drafts and Trash if missing (INBOX always exists): the
 * folders every mailbox of a scenario starts with. 0 or an ms_error. */
int ms_user_add_default_folders(struct ms_user *u);
/* Copies src's folders, subscriptions, UIDVALIDITY/UIDNEXT, messages
 * (bodies by reference), flags, keywords and internal dates (the same
 * instants, converted between the stores' epochs) into dst, which must have no
 * messages yet (folders it already has are reused). 0 or an ms_error. */
int ms_user_clone(struct ms_user *dst, const struct ms_user *src);

/* The POP3 maildrop lock (RFC 1939: exclusive for a session). */
int ms_user_lock(struct ms_user *u, const void *owner);
void ms_user_unlock(struct ms_user *u, const void *owner);
int ms_user_locked(const struct ms_user *u);

/* Keywords: names interned per user (at most MS_MAX_KEYWORDS). Returns the
 * bit number, or a negative ms_error. */
int ms_keyword(struct ms_user *u, const char *name, int create);
const char *ms_keyword_name(const struct ms_user *u, int bit);

struct ms_folder *ms_folder_find(const struct ms_user *u, const char *name);
int ms_folder_create(struct ms_user *u, const char *name, struct ms_folder **f_r);
int ms_folder_delete(struct ms_user *u, const char *name);
/* Renames a folder and its children; renaming INBOX moves its messages into
 * a new folder and leaves INBOX empty (RFC 3501 6.3.5). */
int ms_folder_rename(struct ms_user *u, const char *from, const char *to);
size_t ms_folder_count(const struct ms_user *u);
/* Folders in name order, INBOX first. */
struct ms_folder *ms_folder_at(const struct ms_user *u, size_t i);
const char *ms_folder_name(const struct ms_folder *f);
struct ms_user *ms_folder_user(const struct ms_folder *f);
uint32_t ms_folder_uidvalidity(const struct ms_folder *f);
uint32_t ms_folder_uidnext(const struct ms_folder *f);
int ms_folder_subscribed(const struct ms_folder *f);
void ms_folder_set_subscribed(struct ms_folder *f, int on);

size_t ms_folder_size(const struct ms_folder *f);
uint64_t ms_folder_bytes(const struct ms_folder *f);
const struct ms_message *ms_folder_message(const struct ms_folder *f, size_t index);
/* Index of uid, or -1. */
long ms_folder_index_of(const struct ms_folder *f, uint32_t uid);

/* Appends body (takes a reference). Returns the new UID (> 0) or a negative
 * ms_error. */
long ms_append(struct ms_folder *f, struct blob *body, uint32_t flags, uint64_t keywords, sim_time internal_date);
/* ms_append with a chosen UID (an import keeping the UIDs of a Maildir or
 * mbox): uid must be at least the folder's UIDNEXT (MS_ERR_EXISTS
 * otherwise); UIDNEXT becomes uid + 1. */
long ms_append_uid(struct ms_folder *f, uint32_t uid, struct blob *body, uint32_t flags, uint64_t keywords,
		   sim_time internal_date);
/* Sets UIDVALIDITY and raises UIDNEXT (never lowers it) of a folder being
 * imported. 0 or MS_ERR_EXISTS when uidnext is below a UID in use. */
int ms_folder_set_uids(struct ms_folder *f, uint32_t uidvalidity, uint32_t uidnext);
int ms_set_flags(struct ms_folder *f, uint32_t uid, uint32_t flags, uint64_t keywords);
/* Removes one message (POP3 UPDATE). */
int ms_remove(struct ms_folder *f, uint32_t uid);
/* Removes every \Deleted message; returns how many. */
size_t ms_expunge(struct ms_folder *f);
/* Removes the oldest messages (lowest UIDs) until at most keep remain, as
 * a user who deletes what they have read; returns how many. keep 0 keeps
 * everything. */
size_t ms_folder_trim(struct ms_folder *f, size_t keep);
/* Copies a message into dst with its flags (plus \Recent); the new UID in
 * *uid_r. */
int ms_copy(struct ms_folder *src, uint32_t uid, struct ms_folder *dst, uint32_t *uid_r);

int ms_watch(struct ms_folder *f, const struct ms_watch_fns *fns, void *ctx);
void ms_unwatch(struct ms_folder *f, const struct ms_watch_fns *fns, void *ctx);

/* Writes every user as a Maildir++ tree: dir/<address>/{cur,new,tmp},
 * subfolders as dir/<address>/.A.B/ (the delimiter becomes '.'), flags in
 * the ":2," info suffix (D F R S T), keywords as Dovecot's letters with a
 * dovecot-keywords file, UIDs kept in dovecot-uidlist, and a subscriptions
 * file. dir is created if missing. Returns 0 or MS_ERR_IO with err set. */
int mailstore_export_maildir(const struct mailstore *ms, const char *dir, char *err, size_t errlen);

/* Pre-filling a user's folders (mailstore_mbox.c, mailstore_maildir_read.c).
 * Both return the number of messages imported, or a negative ms_error with
 * a message naming the file (and line) in err. Bad input is an error,
 * never a crash; a failed import may leave part of the mail imported. */

/* Reads an mbox file (mboxrd or mboxo: messages start at "From " lines;
 * ">From " lines lose one '>') into folder (created if missing). Status:
 * and X-Status: give the flags (R seen, O old i.e. not \Recent, A answered,
 * F flagged, T draft, D deleted), X-Keywords: the keywords, X-UID: and
 * X-IMAPbase: the UIDs and UIDVALIDITY (Dovecot's and UW's headers); those
 * headers are metadata and are not stored. The "From " line's date is the
 * internal date. Lines end in CRLF once stored. */
long mailstore_import_mbox(struct ms_user *u, const char *folder, const char *path, char *err, size_t errlen);

/* Reads a Maildir++ tree (the root is INBOX, ".A.B" directories are the
 * folders A/B): cur/ and new/ (new/ is \Recent), the ":2," flags (D F R S
 * T; P is ignored) and keyword letters a-z named by each folder's
 * dovecot-keywords, UIDs and UIDVALIDITY from dovecot-uidlist when present
 * (other messages get UIDs after them in file name order), subscriptions,
 * and each file's mtime as its internal date. */
long mailstore_import_maildir(struct ms_user *u, const char *path, char *err, size_t errlen);

#endif

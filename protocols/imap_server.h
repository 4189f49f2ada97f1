/* The IMAP4rev1 server engine (RFC 3501, with IDLE (RFC 2177), LITERAL+
 * (RFC 7888), SASL-IR (RFC 4959), CHILDREN (RFC 3348) and UIDPLUS's
 * APPENDUID/COPYUID codes (RFC 4315)), sans-I/O.
 *
 * The host (the imapd agent, a test, a benchmark) owns the connection: it
 * feeds the bytes the client sent, in any split, and sends what the engine
 * queued in its output buffer. The mailboxes are reached through a small
 * store interface (struct imap_store_ops, a vtable): protocols/ knows no
 * mailstore. sim/agents/imap_store_ms.h implements it over the simulator's
 * mailstore.
 *
 *   struct imap_server_config cfg;
 *   imap_server_config_init(&cfg, "imap.dominio.de.maria");
 *   struct imap_server_host host = { .ctx = me, .store = &ops,
 *                                    .store_ctx = my_store, .trace = tr };
 *   struct imap_server *s = imap_server_new(&cfg, &host);
 *   // the "* OK" greeting is already queued
 *   on_bytes: imap_server_feed(s, buf, n); send imap_server_output(),
 *             imap_server_consume(); close once imap_server_should_close()
 *             and the output is empty.
 *   on a change of the selected mailbox made by anybody (another session,
 *   a delivery, this session itself): imap_server_note_appended() and
 *   friends, then send any output (a session in IDLE answers at once).
 *   imap_server_free(&s);
 *
 * Each session keeps its own map from sequence numbers to UIDs, so others'
 * changes reach it only as untagged responses, at the moments RFC 3501
 * 5.2 and 7.4.1 allow: new messages (EXISTS, RECENT) and flag changes
 * (FETCH) at the end of every command and during IDLE; expunges (EXPUNGE)
 * at the end of every command except FETCH, STORE and SEARCH (the UID
 * forms may have them), at NOOP and CHECK and during IDLE. Until then an
 * expunged message keeps its number; FETCH or STORE of it is skipped and
 * the command ends "NO [EXPUNGEISSUED]" (RFC 2180 4.1.2, RFC 5530).
 * \Recent goes to the first session that learns of a message with the
 * mailbox selected read-write (the store's take_recent decides).
 *
 * Limits: lines up to cfg.max_line octets (longer: "BAD Line too long",
 * the line dropped, the session goes on; longer than max_line + 4096, the
 * reader's buffer: "* BYE", as its end is never seen); literals up to cfg.max_literal
 * (more: a synchronising literal gets "tag NO [TOOBIG]" instead of the
 * "+" and nothing of it is read; a non-synchronising one gets "tag BAD"
 * and its octets are read and dropped; past 64 times the limit the
 * session says BYE); at most 1,000 literals per command; unsent output
 * past cfg.max_output ends the session with "* BYE". */
#ifndef PROTOCOLS_IMAP_SERVER_H
#define PROTOCOLS_IMAP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/imap_msgview.h"

enum imap_server_state {
	IMAP_SERVER_NOT_AUTH, /* greeted; LOGIN or AUTHENTICATE expected */
	IMAP_SERVER_AUTH,     /* logged in, no mailbox selected */
	IMAP_SERVER_SELECTED, /* a mailbox is selected */
	IMAP_SERVER_LOGOUT,   /* BYE sent; input ignored */
};

/* Flags are protocols/imap_msgview.h's enum imap_flag bits (IMAP_F_*);
 * IMAP_F_RECENT is never stored by a client. */
#define IMAP_FLAG_SYSTEM_MASK 0x1fu /* the flags a client may set */
#define IMAP_MAX_KEYWORDS 64
/* An APPEND without a date-time: the store uses the current instant. */
#define IMAP_DATE_NOW INT64_MIN

/* Store results: 0 or one of these. The engine turns them into NO
 * responses ([TRYCREATE] for IMAP_STORE_NOT_FOUND in APPEND and COPY). */
enum imap_store_err {
	IMAP_STORE_OK = 0,
	IMAP_STORE_ENOMEM = -1,
	IMAP_STORE_EXISTS = -2,
	IMAP_STORE_NOT_FOUND = -3,
	IMAP_STORE_BAD_NAME = -4,
	IMAP_STORE_FULL = -5,
	IMAP_STORE_INBOX = -6,        /* INBOX cannot be deleted */
	IMAP_STORE_HAS_CHILDREN = -7, /* a folder with subfolders */
	IMAP_STORE_LOCKED = -8,       /* held by a POP3 session */
	IMAP_STORE_TOO_MANY = -9,
	IMAP_STORE_IO = -10,
	IMAP_STORE_AUTH = -11,        /* unknown user or wrong password */
};

/* One message as the store shows it; pointers borrowed until the next
 * call into the store. */
struct imap_store_msg {
	uint32_t uid;
	uint32_t flags;          /* IMAP_F_* bits */
	uint64_t keywords;       /* bits, named by keyword_name */
	int64_t internal_date;   /* seconds since 1970, UTC */
	int zone_min;            /* the zone INTERNALDATE is shown in */
	const uint8_t *data;     /* the RFC 5322 message, CRLF line ends */
	size_t len;
	/* A parse cache kept as long as the message (imap_msgview.h), or
	 * NULL: FETCH and SEARCH then parse the message every time. */
	struct imap_msgcache *cache;
};

struct imap_mailbox_status {
	uint32_t messages, recent, unseen, uidnext, uidvalidity;
	uint32_t first_unseen; /* store index + 1 of the first message without
				  \Seen, 0 if none (SELECT's [UNSEEN]) */
};

/* The mailbox interface. Names are full paths with '/' as the hierarchy
 * delimiter; "INBOX" is case-insensitive. Functions return 0 or a
 * negative imap_store_err unless said otherwise. "The selected mailbox"
 * is the one of the last successful select. */
struct imap_store_ops {
	/* Checks the user's password and, on success, makes the user's
	 * mailboxes the ones the other functions see. */
	int (*login)(void *ctx, const char *user, const char *password);
	/* The i-th mailbox (from 0, INBOX first, then in name order), or NULL
	 * past the last one; *subscribed_r says whether it is subscribed. */
	const char *(*mailbox_at)(void *ctx, size_t i, int *subscribed_r);
	int (*create)(void *ctx, const char *name);
	int (*remove)(void *ctx, const char *name);
	int (*rename)(void *ctx, const char *from, const char *to);
	int (*subscribe)(void *ctx, const char *name, int on);
	int (*status)(void *ctx, const char *name, struct imap_mailbox_status *st_r);
	/* Adds a message (internal_date may be IMAP_DATE_NOW); *uid_r and
	 * *uidvalidity_r get where it went. */
	int (*append)(void *ctx, const char *name, const uint8_t *data, size_t len, uint32_t flags, uint64_t keywords,
		      int64_t internal_date, int zone_min, uint32_t *uid_r, uint32_t *uidvalidity_r);
	/* Selects a mailbox: from now on the host tells the engine of every
	 * change to it (imap_server_note_*). */
	int (*select)(void *ctx, const char *name, struct imap_mailbox_status *st_r);
	void (*unselect)(void *ctx);
	/* Messages of the selected mailbox, by store index (ascending UIDs). */
	size_t (*count)(void *ctx);
	int (*message_at)(void *ctx, size_t index, struct imap_store_msg *m_r);
	/* The store index of uid, or -1. */
	long (*index_of)(void *ctx, uint32_t uid);
	int (*set_flags)(void *ctx, uint32_t uid, uint32_t flags, uint64_t keywords);
	/* 1 if the message had \Recent, which is now cleared (this session
	 * takes it), 0 if not. */
	int (*take_recent)(void *ctx, uint32_t uid);
	/* Copies one message of the selected mailbox into dest. */
	int (*copy)(void *ctx, uint32_t uid, const char *dest, uint32_t *new_uid_r, uint32_t *uidvalidity_r);
	/* Removes every \Deleted message of the selected mailbox (each one
	 * announced through imap_server_note_expunged); returns how many. */
	long (*expunge)(void *ctx);
	/* The bit of keyword name (created if create), or a negative error. */
	int (*keyword)(void *ctx, const char *name, int create);
	/* The name of keyword bit, or NULL. */
	const char *(*keyword_name)(void *ctx, int bit);
};

struct imap_server_config {
	const char *hostname;   /* in the greeting and BYE */
	const char *greeting;   /* text after "* OK [CAPABILITY ...] "; NULL:
				   "<hostname> IMAP4rev1 server ready" */
	const char *alert;      /* NULL, or an [ALERT] text sent after login */
	size_t max_line;        /* octets per line without CRLF (0: 8192) */
	uint64_t max_literal;   /* octets per literal (0: 10 MiB) */
	size_t max_output;      /* unsent octets before BYE (0: 64 MiB) */
	int no_literal_plus;    /* do not offer LITERAL+ */
	int no_idle;            /* do not offer IDLE */
	unsigned max_bad_logins; /* then BYE (0: 3) */
};

struct imap_server_host {
	void *ctx;
	const struct imap_store_ops *store;
	void *store_ctx;
	/* Every state change, old -> new. May be NULL. */
	void (*state_changed)(void *ctx, enum imap_server_state from, enum imap_server_state to);
	/* Every line in either direction without its CRLF (sent = 1 for the
	 * engine's). A literal's octets are traced line by line as they are,
	 * after the line that announced it. May be NULL. */
	void (*trace)(void *ctx, int sent, const char *line, size_t len);
};

struct imap_server;

/* Fills cfg with the defaults for hostname (borrowed). */
void imap_server_config_init(struct imap_server_config *cfg, const char *hostname);

/* A session; queues the greeting. cfg strings are copied; host->store is
 * borrowed for the session's life. NULL on ENOMEM, a NULL hostname or a
 * store without every function. */
struct imap_server *imap_server_new(const struct imap_server_config *cfg, const struct imap_server_host *host);
/* Frees the session (unselecting its mailbox). Accepts NULL; clears *s. */
void imap_server_free(struct imap_server **s);

/* Hands len bytes from the client to the engine, which takes them all and
 * queues the responses. Bytes after LOGOUT are dropped. */
size_t imap_server_feed(struct imap_server *s, const void *bytes, size_t len);

/* The bytes queued for the client (borrowed until the next call into the
 * engine), and how many; consume drops the first n once sent. */
const uint8_t *imap_server_output(const struct imap_server *s, size_t *len_r);
void imap_server_consume(struct imap_server *s, size_t n);

/* Changes to the selected mailbox, from the host (see the top). uid is the
 * message's UID; changes to UIDs this session never saw are ignored. */
void imap_server_note_appended(struct imap_server *s, uint32_t uid);
void imap_server_note_flags(struct imap_server *s, uint32_t uid);
void imap_server_note_expunged(struct imap_server *s, uint32_t uid);
/* The selected mailbox was deleted or renamed away: "* BYE" and close
 * (as Dovecot does: the client must reselect after reconnecting). */
void imap_server_note_gone(struct imap_server *s);

/* The host's inactivity timer fired (RFC 3501 5.4: at least 30 minutes):
 * "* BYE Autologout; idle for too long" and close. */
void imap_server_timeout(struct imap_server *s);
/* The host shuts down: "* BYE <text>" and close. */
void imap_server_shutdown(struct imap_server *s, const char *text);

enum imap_server_state imap_server_state(const struct imap_server *s);
const char *imap_server_state_name(enum imap_server_state st);
/* 1 while an IDLE command is in progress. */
int imap_server_idling(const struct imap_server *s);
/* 1 once BYE is queued: close after sending the output. */
int imap_server_should_close(const struct imap_server *s);
/* The logged-in user ("" before login). */
const char *imap_server_user(const struct imap_server *s);

#endif

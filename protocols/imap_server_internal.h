/* IMAP server internals shared by imap_server.c (the session: input
 * assembly with literals, output, state, the updates of the selected
 * mailbox), imap_server_cmd.c (the command table and the commands that
 * work on mailboxes) and imap_server_msg.c (the commands that work on
 * messages). Not for use outside protocols/imap_server*.c. */
#ifndef PROTOCOLS_IMAP_SERVER_INTERNAL_H
#define PROTOCOLS_IMAP_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"
#include "protocols/imap_server.h"
#include "protocols/imap_syntax.h"
#include "protocols/line.h"

#define IMAP_TAG_MAX 64
#define IMAP_NAME_MAX 1024       /* mailbox names and user names */
#define IMAP_MAX_LITERALS 1000   /* per command */
#define IMAP_CMD_EXTRA (1 << 20) /* command octets beyond its literals */
#define IMAP_DISCARD_FACTOR 64   /* non-sync literal octets we will drop */

/* Bits of a sequence map entry's flags beyond the imap_flag bits. */
#define SEQ_GONE (1u << 30)    /* expunged, not yet announced */
#define SEQ_PENDING (1u << 29) /* a flag change is queued for it */

/* One message as this session numbers it. IMAP_F_RECENT in flags means
 * recent for this session; the other flag bits and keywords are what the
 * client was last told (or would be told by FETCH FLAGS). */
struct imap_seq {
	uint32_t uid;
	uint32_t flags;
	uint64_t keywords;
};

/* Commands that must not be followed by EXPUNGE responses (7.4.1). */
#define CMD_NO_EXPUNGE 1u
/* Commands that answer later (IDLE, AUTHENTICATE): no tagged reply yet. */
#define CMD_DEFERRED 2u

struct imap_server {
	struct imap_server_config cfg; /* strings point at owned copies */
	char *owned[3];
	struct imap_server_host host;
	const struct imap_store_ops *st;
	void *sctx;
	struct line_reader *lr;
	enum imap_server_state state;
	int closing;
	char user[IMAP_NAME_MAX];
	unsigned bad_logins;

	/* the command being assembled: lines and literals */
	struct buf cmd;
	size_t nliterals;
	size_t literal_start;   /* cmd offset where the literal's octets start */
	int discarding;         /* dropping a refused non-sync literal */
	int skipping;           /* the line after it ends the refused command */

	/* the reply of the command running now */
	char tag[IMAP_TAG_MAX + 1];
	const char *res_status; /* "OK", "NO", "BAD"; NULL while unset */
	char res_code[128];
	char res_text[256];
	unsigned cmd_flags;
	int uid_cmd;

	/* continuations */
	int idling;
	int auth_pending;

	/* the selected mailbox */
	char mailbox[IMAP_NAME_MAX];
	int read_only;
	struct imap_seq *map;
	size_t nmap, capmap;
	size_t ngone;
	uint32_t nrecent;
	uint32_t uidvalidity;
	uint32_t *new_uids; /* appended, not yet announced (ascending) */
	size_t nnew, capnew;
	uint32_t *flag_uids; /* flags changed by others, not yet announced */
	size_t nflag, capflag;
	uint32_t own_uid; /* a flag change this session is making itself */
	int own_change;
	int self_remove; /* this session deletes or renames its mailbox */
	int expunge_issued; /* a FETCH/STORE met a message expunged by others */

	/* output not yet taken by the host: out.data[out_start, out.len) */
	struct buf out;
	size_t out_start;
};

/* The ONLY way to change state, so the host sees every transition. */
void imap_srv_set_state(struct imap_server *s, enum imap_server_state to);

/* Output. Every response goes through imap_srv_out (which traces it line
 * by line); the rest are conveniences. */
void imap_srv_out(struct imap_server *s, const void *bytes, size_t len);
void imap_srv_untagged(struct imap_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A response built in b (ending with CRLF). */
void imap_srv_out_buf(struct imap_server *s, const struct buf *b);
void imap_srv_bye(struct imap_server *s, const char *text);

/* The command's result; code may be NULL (no response code). */
void imap_srv_result(struct imap_server *s, const char *status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "BAD <why>" for a syntax error. */
void imap_srv_bad(struct imap_server *s, const char *why);
/* 0 at the end of the command; else BAD "Unexpected arguments" and -1. */
int imap_srv_end(struct imap_server *s, struct imap_cursor *c);
/* NO with the text of a store error (and [TRYCREATE] if asked). */
void imap_srv_store_error(struct imap_server *s, int err, int trycreate);

/* The selected mailbox. */
int imap_srv_select(struct imap_server *s, const char *name, int read_only);
void imap_srv_unselect(struct imap_server *s);
/* Index into map of uid, or -1. */
long imap_srv_seq_of_uid(const struct imap_server *s, uint32_t uid);
/* Queues the pending updates: flag FETCHes, EXPUNGEs if allowed, EXISTS
 * and RECENT. */
void imap_srv_flush_updates(struct imap_server *s, int allow_expunge);
/* Appends the flag list "(\Seen kw)" of flags/keywords to b. */
void imap_srv_put_flags(struct imap_server *s, struct buf *b, uint32_t flags, uint64_t keywords);
/* Reads "(" flag *(SP flag) ")" or (paren_optional) a bare flag list into
 * flags/keywords; keywords are created when create. NULL or "BAD" text. */
const char *imap_srv_read_flags(struct imap_server *s, struct imap_cursor *c, int paren_optional, int create,
				uint32_t *flags_r, uint64_t *keywords_r);

/* The CAPABILITY list of this session (static storage). */
const char *imap_srv_capabilities(const struct imap_server *s);

/* The command table. */
struct imap_cmd {
	const char *name;
	unsigned states; /* 1 << imap_server_state */
	unsigned flags;  /* CMD_* */
	void (*run)(struct imap_server *s, struct imap_cursor *c);
};
const struct imap_cmd *imap_srv_find_cmd(const char *name, int uid);
/* Ends the command running now: the pending updates, then the tagged
 * reply of imap_srv_result (unless it is waiting for a continuation). */
void imap_srv_finish(struct imap_server *s);
/* The input from the line engine once a command is whole. */
void imap_srv_execute(struct imap_server *s, const uint8_t *cmd, size_t len);
/* A line typed while AUTHENTICATE waits for the client's response. */
void imap_srv_auth_response(struct imap_server *s, const uint8_t *line, size_t len);

/* Handlers in imap_server_msg.c. */
void imap_cmd_check(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_close(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_expunge(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_search(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_fetch(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_store(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_copy(struct imap_server *s, struct imap_cursor *c);
void imap_cmd_append(struct imap_server *s, struct imap_cursor *c);

#endif

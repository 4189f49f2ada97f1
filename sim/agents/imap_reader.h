/* The UA's IMAP side on the scenario timeline: a mail reader (María's
 * phone, her laptop's mail client) that connects to an IMAP server, logs
 * in, runs a list of steps and logs out, through the client engine of
 * protocols/imap_client.h. It publishes every line it sends (proto "IMAP";
 * the server publishes its own) and a note after the steps that show the
 * user something: how many messages a folder has, what a search found,
 * what changed while it was idling.
 *
 * Steps, as a scenario writes them (key and value; see
 * docs/scenario-reference.md):
 *   select NAME, examine NAME, create NAME, delete NAME, subscribe NAME
 *   sync NAME          LIST "" "*", SELECT NAME, FETCH 1:* (UID FLAGS ENVELOPE)
 *   fetch ARGS         FETCH ARGS (skipped, with a note, if the folder is empty)
 *   search CRITERIA    SEARCH CRITERIA (only the numbers travel back)
 *   store ARGS         STORE ARGS, e.g. 1 +FLAGS (\Flagged)
 *   copy "SET FOLDER"  COPY SET FOLDER
 *   move "SET FOLDER"  COPY, then STORE SET +FLAGS.SILENT (\Deleted), EXPUNGE
 *   expunge, noop, check, close   (any value)
 *   list PATTERN       LIST "" PATTERN
 *   status ARGS        STATUS ARGS, e.g. INBOX (MESSAGES UNSEEN)
 *   idle DURATION      IDLE, then DONE after DURATION ("30s")
 *   wait DURATION      nothing (the connection stays open)
 *   command TEXT       any command, as typed after the tag
 * A step the server refuses (NO, BAD) is reported and the reader goes on
 * with the next one. */
#ifndef SIM_IMAP_READER_H
#define SIM_IMAP_READER_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct agent_env;
struct imap_reader;

enum imap_step_kind {
	IMAP_STEP_COMMAND, /* text is the command after the tag */
	IMAP_STEP_SYNC,    /* text is the folder */
	IMAP_STEP_FETCH,   /* text is FETCH's arguments */
	IMAP_STEP_MOVE,    /* text is "SET FOLDER" */
	IMAP_STEP_IDLE,    /* for duration */
	IMAP_STEP_WAIT,    /* for duration */
};

struct imap_reader_step {
	enum imap_step_kind kind;
	char *text;
	sim_time duration;
};

/* Turns a scenario step (key, value as text) into *st (st->text is
 * malloc'd: free it with imap_reader_step_clear). 0, or -1 with a reason
 * in err. */
int imap_reader_step_parse(const char *key, const char *value, struct imap_reader_step *st, char *err,
			   size_t errlen);
void imap_reader_step_clear(struct imap_reader_step *st);

struct imap_reader_config {
	const char *user, *password;
	uint32_t server_ip;
	uint16_t port; /* 0: 143 */
	const struct imap_reader_step *steps; /* borrowed for the reader's life */
	size_t step_count;
};

/* What happened, for tests and summaries. */
struct imap_reader_stats {
	int connected, logged_in, done; /* done: logged out or connection over */
	size_t ok, no, bad;             /* tagged replies */
	uint32_t exists;                /* the selected folder's last EXISTS */
	size_t live_exists, live_flags, live_expunges; /* untagged news during IDLE */
	size_t search_hits;             /* numbers in the last SEARCH reply */
	char last_search[512];          /* "1 3" */
	char last_error[256];           /* the last NO/BAD or failure */
};

/* Connects from host now. cfg's strings and steps are borrowed. NULL on
 * ENOMEM or if no connection can be opened. */
struct imap_reader *imap_reader_start(const struct agent_env *env, int host, const struct imap_reader_config *cfg);
/* Aborts the connection if still open and frees. Accepts NULL. */
void imap_reader_free(struct imap_reader **r);
const struct imap_reader_stats *imap_reader_stats(const struct imap_reader *r);
/* 1 when the reader is done and its connection fully closed: nothing more
 * will happen, so freeing it now changes nothing on the network. */
int imap_reader_finished(const struct imap_reader *r);

#endif

/* The scene's model of messages, for the message inspector: it follows
 * each message (by Message-ID) from host to host with nothing but
 * observation-bus records, as the ledger and the transcript do.
 *
 * From the OBS_LINE records of SMTP it keeps each session's envelope (MAIL
 * FROM, RCPT TO) and the lines after DATA; the final "." makes a copy of
 * the message "in transit" to the server host, which becomes the copy at
 * that host when the OBS_MAIL "accepted" record of that host comes. The
 * sender's own copy (a UA composing) is the first one. The OBS_MAIL
 * "header" record prepends the trace field a hop adds (its Received line)
 * to that host's copy, stamped with the time, so the inspector can light
 * it up at the moment it is added. Each copy keeps its header fields
 * (unfolded), its envelope and its MIME tree (type, encoding, file name,
 * decoded size per part, from protocols/mime.h); each message keeps its
 * events (accepted, queued, relayed, delivered ...) for the hop list.
 *
 * Everything is bounded: at most VIZ_MSG_KEEP messages (later ones are
 * counted, not kept), a message's text up to 1 MiB, 128 header fields and
 * 64 MIME parts per copy. No SDL. */
#ifndef VIZ_MSGTRACK_H
#define VIZ_MSGTRACK_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct obs_record;

#define VIZ_MSG_KEEP 512

struct viz_msg_field {
	char *name;       /* as written ("Received") */
	char *value;      /* unfolded, leading blanks removed */
	sim_time added;   /* a trace field added at this copy's host; -1 for fields that came with it */
};

struct viz_msg_part {
	int depth;        /* 0 for the root */
	char type[64];    /* "multipart/mixed" */
	char cte[24];     /* "base64" */
	char filename[96];
	size_t size;      /* decoded bytes of a leaf (0 for a multipart) */
};

struct viz_msg_copy {
	int host;            /* where this copy is (or is going) */
	int from_host;       /* who sent it there; -1 for the composer's own copy */
	sim_time sent;       /* when the final "." left the sender */
	sim_time arrived;    /* when host accepted it (SIM_TIME_NEVER: not yet, or refused) */
	uint32_t conn_id;    /* the sender's connection */
	sim_time session_start; /* MAIL FROM of its transaction */
	char queue_id[32];
	char *mail_from;     /* the reverse path, brackets included */
	char **rcpts;        /* RCPT TO paths */
	size_t nrcpts;
	struct viz_msg_field *fields;
	size_t nfields;
	struct viz_msg_part *parts;
	size_t nparts;
	size_t size;         /* bytes of the message text */
};

struct viz_msg_event {
	sim_time time;
	int host;
	uint8_t event;       /* enum obs_mail_event */
	char rcpt[96];
	char text[96];
};

struct viz_msg {
	char id[160];        /* the Message-ID ("" if none) */
	char subject[160];
	sim_time first_seen;
	struct viz_msg_copy *copies;
	size_t ncopies, ccopies;
	struct viz_msg_event *events;
	size_t nevents, cevents;
	uint64_t hops;       /* acceptances and final fates so far (for "next hop") */
};

struct viz_msgs;

struct viz_msgs *viz_msgs_new(void);
/* Accepts NULL; clears the pointer. */
void viz_msgs_free(struct viz_msgs **m);

/* Feed OBS_LINE and OBS_MAIL records (others are ignored). */
void viz_msgs_record(struct viz_msgs *m, const struct obs_record *r);

size_t viz_msgs_count(const struct viz_msgs *m);
const struct viz_msg *viz_msgs_get(const struct viz_msgs *m, size_t i);
/* Hops of every message so far, and the message of the last hop (-1 if
 * none yet). */
uint64_t viz_msgs_hops(const struct viz_msgs *m);
int viz_msgs_last_hop_msg(const struct viz_msgs *m);
/* 1 if memory ran out at some point (some message is incomplete). */
int viz_msgs_oom(const struct viz_msgs *m);

/* The copy to inspect at time t: the newest copy at host that host holds
 * by t (the composer's from its sending, others from their acceptance);
 * with host -1, or if host holds none, the newest copy held anywhere by t.
 * NULL if the message is nowhere yet. */
const struct viz_msg_copy *viz_msg_copy_at(const struct viz_msg *msg, int host, sim_time t);
/* 1 if the copy is held by its host at t. */
int viz_msg_copy_held(const struct viz_msg_copy *c, sim_time t);
/* The message a protocol line belongs to: the SMTP transaction that host
 * and peer had at time t (either side may have published the line). -1 if
 * none. */
int viz_msgs_find_line(const struct viz_msgs *m, int host, int peer, sim_time t);
/* The first header field called name (any case) in c, or NULL. */
const struct viz_msg_field *viz_msg_field_find(const struct viz_msg_copy *c, const char *name);

#endif

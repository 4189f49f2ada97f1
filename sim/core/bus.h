/* The observation bus: every observable happening of a run is published as a
 * typed record to the subscribers that asked for its type.
 *
 * Publishing is synchronous and read-only: subscribers may not change the
 * simulation (they are views: text log, JSON Lines trace, pcap, summary,
 * viewer, grader). Pointers inside a record are borrowed and valid only for
 * the duration of the callback. Publishers check bus_wants() first so a run
 * with no subscriber for a type builds no record for it. */
#ifndef SIM_BUS_H
#define SIM_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"

struct packet; /* sim/net/packet.h */

enum obs_type {
	OBS_PKT_SEND,       /* a host's stack originated a packet (first send) */
	OBS_PKT_RETRANSMIT, /* TCP sent a segment again (timeout or fast retransmit) */
	OBS_PKT_TX,         /* a packet started across a link (every hop) */
	OBS_PKT_RECV,       /* a packet reached the stack of its destination host */
	OBS_PKT_DROP,       /* a packet was lost; see obs_drop_reason */
	OBS_CONN_STATE,     /* a TCP connection changed state */
	OBS_LINK_STATE,     /* a link went down or up (a fault or its repair) */
	OBS_APP,            /* an application record: a note, a DNS event */
	OBS_LINE,           /* a protocol line (SMTP, POP3, IMAP) on a connection */
	OBS_MAIL,           /* a message event at a host: see obs_mail_event */
	OBS_TYPE_COUNT
};

#define OBS_MASK(t) (1u << (t))
#define OBS_MASK_ALL ((1u << OBS_TYPE_COUNT) - 1)

enum obs_drop_reason {
	OBS_DROP_LOSS,       /* the link's random loss */
	OBS_DROP_QUEUE,      /* the link's transmit queue was full (drop-tail) */
	OBS_DROP_LINK_DOWN,  /* the link was down when sent, or went down in flight */
	OBS_DROP_NO_ROUTE,   /* no route to the destination address */
	OBS_DROP_TTL,        /* the TTL ran out */
	OBS_DROP_TOO_BIG,    /* larger than the link MTU */
	OBS_DROP_NO_SOCKET,  /* UDP to a port nobody is bound to */
	OBS_DROP_HOST_DOWN,  /* sent to, through or from a crashed host */
	OBS_DROP_REASON_COUNT
};

/* What happened to a message at a host (the mail ledger reads these). */
enum obs_mail_event {
	OBS_MAIL_SUBMITTED, /* a UA's SMTP client got 250 for its message */
	OBS_MAIL_ACCEPTED,  /* an MTA answered 250 to the data: it is
			       responsible for the recipients in rcpt now */
	OBS_MAIL_HEADER,    /* a trace header was added (text: the field) */
	OBS_MAIL_QUEUED,    /* waiting in an MTA queue for a remote domain */
	OBS_MAIL_DEFERRED,  /* an attempt failed temporarily; text says when
			       the next one is */
	OBS_MAIL_RELAYED,   /* the next hop answered 250: handed over */
	OBS_MAIL_DELIVERED, /* stored in a mailbox (rcpt; text: the folder) */
	OBS_MAIL_BOUNCED,   /* given up permanently; a DSN goes to the sender */
	OBS_MAIL_DISCARDED, /* dropped on purpose (a bounce of a bounce, a filter) */
	OBS_MAIL_FORWARDED, /* a user's rule sent it on to other addresses and
			       kept no copy (text: to whom, the new queue id) */
	OBS_MAIL_EVENT_COUNT
};
const char *obs_mail_event_name(enum obs_mail_event e);

const char *obs_type_name(enum obs_type t);
const char *obs_drop_reason_name(enum obs_drop_reason r);

struct obs_record {
	enum obs_type type;
	sim_time time;
	union {
		/* OBS_PKT_SEND, _RETRANSMIT, _RECV, _DROP, _TX. host is where it
		 * happens; link and dir are -1 when not on a link. For _TX,
		 * arrival is when the last bit reaches the far end. */
		struct {
			const struct packet *pkt;
			int host;
			int link;
			int dir; /* 0: a->b, 1: b->a */
			sim_time arrival;
			enum obs_drop_reason reason;
		} pkt;
		/* OBS_CONN_STATE. Addresses in host byte order. */
		struct {
			uint32_t conn_id;
			int host;
			uint32_t local_ip, remote_ip;
			uint16_t local_port, remote_port;
			const char *from, *to; /* RFC 793 state names */
			const char *why;       /* NULL or a reason: "timeout", "reset" ... */
		} conn;
		/* OBS_LINK_STATE. */
		struct {
			int link;
			int up;
		} link;
		/* OBS_LINE: one protocol line without its CRLF (DATA lines
		 * included, unstuffed). host sent it to peer; from_client
		 * says which side (C: or S: in a transcript). */
		struct {
			int host, peer;
			uint32_t conn_id;
			const char *proto; /* "SMTP", "POP3", "IMAP" */
			int from_client;
			int encrypted; /* after STARTTLS: an eavesdropper sees nothing */
			const char *text;
			size_t len;
		} line;
		/* OBS_MAIL. Strings may be NULL when not known. */
		struct {
			int host;
			enum obs_mail_event event;
			const char *queue_id;   /* this host's id for the message */
			const char *message_id; /* the Message-ID field */
			const char *from;       /* the reverse path */
			const char *rcpt;       /* one recipient, or NULL for all */
			const char *text;       /* the header, the reason, the folder */
		} mail;
		/* OBS_APP: host -1 for records about the run itself. */
		struct {
			int host;
			uint32_t conn_id; /* 0 when not about one connection */
			const char *kind; /* short tag: "note", "app" ... */
			const char *text;
		} app;
	} u;
};

typedef void (*obs_fn)(void *ctx, const struct obs_record *rec);

struct obs_bus;

struct obs_bus *bus_new(void);
void bus_free(struct obs_bus **bus);

/* Subscribes fn for the record types in mask (OBS_MASK bits). Subscribers are
 * called in the order they subscribed. Returns 0, or -1 on ENOMEM. */
int bus_subscribe(struct obs_bus *bus, unsigned mask, obs_fn fn, void *ctx);
/* Removes every subscription of (fn, ctx). */
void bus_unsubscribe(struct obs_bus *bus, obs_fn fn, void *ctx);

/* Nonzero if somebody listens for type t: publishers skip building records
 * nobody reads. */
static inline int bus_wants(const struct obs_bus *bus, enum obs_type t)
{
	return bus && (*(const unsigned *)bus & OBS_MASK(t));
}

void bus_publish(struct obs_bus *bus, const struct obs_record *rec);

#endif

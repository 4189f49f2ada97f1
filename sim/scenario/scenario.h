/* A scenario: the validated, semantic model of a scenario JSON file.
 *
 * Loading parses the JSON with cJSON, checks every key and value (errors in
 * a struct scn_diag, each naming the file, line and JSON path and what was
 * expected) and produces this model, which holds plain values and indices
 * and no network objects: `mailsim check` stops here, `mailsim run` hands
 * it to scn_world_new() (world.h) to build the network and start the apps.
 *
 * The model is read-only for its users and owned by the struct scenario;
 * strings live as long as it does. Later issues add sections (DNS zones, MTA
 * settings, users, the mail timeline) as new members here and new section
 * loaders in load.c's table. docs/scenario-reference.md documents the keys. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/agents/testapp.h"
#include "sim/core/time.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

struct scn_diag;

enum scn_role {
	SCN_ROLE_HOST,
	SCN_ROLE_UA,
	SCN_ROLE_MTA,
	SCN_ROLE_DNS,
	SCN_ROLE_MAILBOX,
	SCN_ROLE_ROUTER,
	SCN_ROLE_SNIFFER,
	SCN_ROLE_COUNT
};
const char *scn_role_name(enum scn_role r);

struct scn_iface {
	char *name; /* "eth0", ... */
	uint32_t ip;
	int link; /* the link using it, -1 if none */
};

struct scn_host {
	char *name;
	enum scn_role role;
	char *description; /* "" if none */
	int has_position;
	double x, y; /* layout for viewers, when has_position */
	struct scn_iface *ifaces;
	size_t iface_count;
};

struct scn_link {
	char *name; /* given, or "a-b" from the hosts' names */
	int a, a_iface, b, b_iface;
	struct link_params params;
};

struct scn_route {
	int host, dest, link;
};

/* A fault on the timeline (docs/scenario-reference.md, "faults"); the
 * order is that of the "action" names. */
enum scn_fault_kind {
	SCN_FAULT_DOWN, /* link */
	SCN_FAULT_UP,
	SCN_FAULT_SET,     /* link loss and latency */
	SCN_FAULT_CRASH,   /* host */
	SCN_FAULT_RESTART,
	SCN_FAULT_DNS_DOWN, /* the DNS server stops answering */
	SCN_FAULT_DNS_UP,
	SCN_FAULT_DNS_SERVFAIL,
	SCN_FAULT_DNS_SET, /* records of (name, type) replaced by one */
	SCN_FAULT_DNS_ADD,
	SCN_FAULT_DNS_REMOVE,
	SCN_FAULT_DISK_FULL, /* an MTA's mailstore */
	SCN_FAULT_DISK_FREE,
	SCN_FAULT_CLOCK, /* a host's clock skew */
	SCN_FAULT_KIND_COUNT
};

struct scn_fault {
	sim_time at;
	enum scn_fault_kind kind;
	int link;                  /* link faults; else -1 */
	int host;                  /* host faults; else -1 */
	int mta;                   /* disk faults: index into mtas; else -1 */
	int set_loss, set_latency; /* SCN_FAULT_SET: which to change */
	double loss;
	sim_time latency;
	char *name, *type, *value; /* DNS faults (value: set and add) */
	uint32_t ttl;
	sim_time skew; /* SCN_FAULT_CLOCK */
	char *description; /* NULL if none */
};
const char *scn_fault_action_name(enum scn_fault_kind k);

struct scn_service {
	enum testapp_service_kind kind;
	int udp; /* 0: TCP, 1: UDP */
	int host;
	uint16_t port;
};

struct scn_client {
	char *name;
	int host;
	int dest_host; /* -1 when given by an address no host owns */
	uint32_t dest_ip;
	uint16_t port;
	int udp;
	sim_time at;
	uint32_t datagrams, datagram_size; /* UDP */
	sim_time interval;                 /* UDP */
	uint64_t bytes;
	uint32_t lines, line_length;
	int echo;
	sim_time timeout;
	int has_expect;
	enum testapp_outcome expect;
};

/* An expectation checked after the run: client's outcome. */
struct scn_expect {
	int client;
	enum testapp_outcome outcome;
};

/* ---- mail (DNS zones, MTAs, UAs, the mail timeline) ---- */

struct scn_dns_record {
	char *name, *type, *value;
	uint32_t ttl;
};

struct scn_dns_zone {
	char *origin;
	uint32_t ttl;
	struct scn_dns_record *records;
	size_t record_count;
};

struct scn_dns {
	int server;       /* host running the DNS server; -1: none */
	int auto_records; /* A and PTR records for every host with an fqdn */
	struct scn_dns_zone *zones;
	size_t zone_count;
};

struct mailstore;
struct mr_rules;

struct scn_user {
	char *address, *password;
	/* Mail it starts with, read from "mbox" and "maildir" at load time
	 * (a store holding just this user), or NULL. */
	struct mailstore *seed;
	struct mr_rules *rules; /* its "rules", or NULL */
};

struct scn_mta_route {
	char *domain, *via;
};

enum scn_mta_text { SCN_TEXT_GREETING, SCN_TEXT_HELO, SCN_TEXT_EHLO, SCN_TEXT_MAIL_OK, SCN_TEXT_RCPT_OK,
		    SCN_TEXT_DATA, SCN_TEXT_QUEUED, SCN_TEXT_QUIT, SCN_TEXT_COUNT };

struct scn_mta {
	int host;
	char *hostname; /* the host's fqdn, or its name */
	char **local_domains;
	size_t local_domain_count;
	struct scn_user *users;
	size_t user_count;
	uint32_t *relay_addr, *relay_mask;
	size_t relay_count;
	int open_relay;
	struct scn_mta_route *routes;
	size_t route_count;
	char **hold_domains;
	size_t hold_domain_count;
	int dns; /* DNS server host; -1: none */
	sim_time *retry;
	size_t retry_count; /* 0: the MTA's defaults */
	sim_time max_queue_time; /* 0: default */
	int max_hops;            /* 0: default */
	int turn, starttls;
	uint64_t max_message_size; /* 0: default */
	uint64_t disk;             /* mailstore capacity, 0: unlimited */
	char *texts[SCN_TEXT_COUNT];
	/* POP3: pop3d on port 110 of the MTA's host, serving its store. */
	int pop3, pop3_apop, pop3_no_user_pass;
	unsigned pop3_max_failed; /* 0: the engine's default */
	/* IMAP (mailbox access): imapd on port 143 of the host. */
	int imap;
};

struct scn_ua {
	int host;
	char *address;
	char *helo; /* the host's fqdn or name */
	int mta;    /* host of its MTA */
	uint16_t port;
	int ehlo, starttls;
	/* "local_keep": the user keeps at most this many messages in each of
	 * the PC's local folders (INBOX for POP3 downloads, Sent), deleting
	 * the oldest; 0 keeps everything. */
	size_t local_keep;
};

struct scn_attachment {
	char *filename, *type;
	uint8_t *data;
	size_t len;
};

enum scn_mail_kind { SCN_MAIL_SEND, SCN_MAIL_FLUSH, SCN_MAIL_SESSION, SCN_MAIL_TURN, SCN_MAIL_POP3, SCN_MAIL_IMAP };

/* ---- IMAP (mailbox access): a mail reader's session on the timeline ---- */
struct imap_reader_step;
struct scn_imap {
	int host;   /* the machine the reader runs on ("ua") */
	int server; /* the host running imapd */
	uint16_t port;
	char *user, *password;
	struct imap_reader_step *steps;
	size_t step_count;
};

struct scn_mail_action {
	sim_time at;
	enum scn_mail_kind kind;
	int ua;       /* SEND: index into uas */
	int mta;      /* FLUSH: index into mtas */
	char *domain; /* FLUSH: NULL for all */
	char *from, *to, *cc, *bcc, *subject, *text, *html;
	struct scn_attachment *attachments;
	size_t attachment_count;
	/* SESSION: lines typed by hand from host from to host to, port. */
	int session_from, session_to;
	uint16_t session_port;
	char **lines;
	size_t line_count;
	/* TURN: the MTA at index mta asks session_to's MTA, claiming turn_helo. */
	char *turn_helo;
	/* POP3: the UA at index ua downloads from the pop3d of mtas[mta]. */
	char *pop3_user, *pop3_password;
	int pop3_apop, pop3_keep;
	/* IMAP: a reader's session. */
	struct scn_imap *imap;
};

/* An eavesdropper on a link (what it reads is printed after the run). */
struct scn_sniffer {
	char *name;
	int link;
};

/* After the run: a sniffer read (or could not read) a text in the clear. */
struct scn_sniffer_expect {
	int sniffer;
	char *text;
	int readable;
};

/* After the run: a mailbox holds messages (count, Received fields each,
 * a Subject containing a text, a header that must be absent). */
struct scn_mail_expect {
	char *mailbox, *folder;
	int messages;        /* -1: not checked */
	int received;        /* -1: not checked */
	char *subject;       /* NULL: not checked */
	char *absent_header; /* NULL: not checked */
	int ua;              /* >= 0: that UA's local store, not the MTAs' */
};

struct scenario {
	char *file; /* the name used in messages */
	char *title, *description;
	uint64_t seed;
	sim_time until; /* SIM_TIME_NEVER: run until no events are left */
	struct tcp_config tcp;
	struct scn_host *hosts;
	size_t host_count;
	struct scn_link *links;
	size_t link_count;
	struct scn_route *routes;
	size_t route_count;
	struct scn_fault *faults; /* sorted by time, stable */
	size_t fault_count;
	struct scn_service *services;
	size_t service_count;
	struct scn_client *clients;
	size_t client_count;
	struct scn_expect *expects; /* explicit entries and per-client "expect", in that order */
	size_t expect_count;
	/* Mail. */
	char *dir; /* the scenario file's folder, for attachment paths ("" built in) */
	char **fqdns; /* per host: its fully qualified name, or NULL */
	struct scn_dns dns;
	struct scn_mta *mtas;
	size_t mta_count;
	/* Hand-typed sessions of the timeline are left out when the world runs
	 * (`mailsim telnet`: the user types instead). */
	int skip_sessions;
	struct scn_ua *uas;
	size_t ua_count;
	struct scn_mail_action *mail;
	size_t mail_count;
	struct scn_mail_expect *mail_expects;
	size_t mail_expect_count;
	int expect_ledger; /* "expect" has {"ledger": "balanced"} */
	struct scn_sniffer *sniffers;
	size_t sniffer_count;
	struct scn_sniffer_expect *sniffer_expects;
	size_t sniffer_expect_count;
};

/* Loads text (len bytes, need not be NUL-terminated) named file in
 * messages. Returns the scenario, or NULL with the errors appended to diag
 * (at least one). Never crashes on any input. */
struct scenario *scenario_load_text(const char *file, const char *text, size_t len, struct scn_diag *diag);
/* Reads path and loads it; names it by path in messages. */
struct scenario *scenario_load_file(const char *path, struct scn_diag *diag);
/* Accepts NULL; sets *s to NULL. */
void scenario_free(struct scenario **s);

int scenario_host_by_name(const struct scenario *s, const char *name);
int scenario_link_by_name(const struct scenario *s, const char *name);

#endif

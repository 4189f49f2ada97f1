/* What the grader saw of a run (internal to sim/grade): the protocol lines
 * grouped into sessions (one per TCP connection), the mail events, the TCP
 * connections opened and the data segments sent, all recorded from the
 * observation bus while the world ran; plus the world itself (mailboxes)
 * and the submission, for the checks and queries to read afterwards.
 *
 * Recording is bounded (GRADE_OBS_MAX_RECORDS of each kind, lines cut at
 * GRADE_OBS_MAX_LINE bytes), so a hostile submission cannot make the grader
 * hold a day of traffic. */
#ifndef SIM_GRADE_OBS_H
#define SIM_GRADE_OBS_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/buf.h"
#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/explain/explain.h"

struct cJSON;
struct scenario;
struct scn_world;
struct grade_exercise;
struct ms_user;
struct ms_folder;

#define GRADE_OBS_MAX_RECORDS 200000
#define GRADE_OBS_MAX_LINE 1000

struct grade_line {
	sim_time t;
	uint32_t conn_id;
	int host, peer, from_client;
	const char *proto; /* static: "SMTP", "POP3", "IMAP" or "?" */
	char *text;
};

/* One end of a TCP connection (each end has its own id on the bus);
 * the two ends of a connection are paired by their addresses and ports,
 * so the client's lines and the server's replies make one session. */
struct grade_end {
	int host;
	uint32_t conn_id;
	uint32_t lip, rip;
	uint16_t lport, rport;
	long partner; /* the other end, -1 until seen */
	long session; /* -1 until a line is seen */
};

struct grade_session {
	uint32_t conn_id;  /* the end that published its first line */
	uint32_t conn_id2; /* the other end's id (0 if unknown) */
	int client, server; /* host indices */
	const char *proto;
	size_t *lines; /* indices into grade_obs.lines, in order */
	size_t count, cap;
};

struct grade_mail {
	sim_time t;
	int host;
	enum obs_mail_event ev;
	char *qid, *msgid, *from, *rcpt, *text; /* "" when not known */
};

/* A TCP connection a host opened (SYN sent). */
struct grade_connect {
	sim_time t;
	int host;
	uint32_t remote_ip;
	uint16_t local_port, remote_port;
	uint32_t conn_id;
};

/* A TCP segment with payload sent for the first time (not a retransmit). */
struct grade_segment {
	sim_time t;
	int host;
	uint32_t dst_ip;
	uint16_t src_port, dst_port;
	uint32_t len;
};

struct grade_obs {
	const struct grade_exercise *ex;
	enum explain_lang lang;
	const struct explain *explain; /* may be NULL */
	struct scn_world *w;
	const struct scenario *s; /* the run's scenario (patched, with the sessions) */
	struct grade_line *lines;
	size_t line_count, line_cap;
	struct grade_session *sessions;
	size_t session_count, session_cap;
	struct grade_end *ends;
	size_t end_count, end_cap;
	struct grade_mail *mail;
	size_t mail_count, mail_cap;
	struct grade_connect *connects;
	size_t connect_count, connect_cap;
	struct grade_segment *segs;
	size_t seg_count, seg_cap;
	size_t dropped; /* records past the limits */
	int nomem;
	/* The student's session (transcript, eml): the mail action that typed
	 * it, its session (-1: it never got a line through), and for every
	 * typed line the submission's line number (0: generated). */
	long student_action;
	long student_session;
	size_t *typed_line_no;
	size_t typed_count;
	/* Probe sessions the grader typed for relay_refused checks: per check
	 * index, the mail action (-1: none). */
	long *probe_action;
	uint32_t *probe_conn; /* per check index: the probe's connection (0: none) */
	/* After the run. */
	int ledger_balanced;
	char *ledger_text; /* the ledger's report, for the detail */
	sim_time end_time;
	/* The submission, for checks that read it (mime "source":
	 * "submission") and answers. */
	const char *sub_text;
	size_t sub_len;
	const struct cJSON *answers;
};

/* Starts recording: subscribes to the world's bus. 0 or -1 on ENOMEM. */
int grade_obs_open(struct grade_obs *o, struct scn_world *w);
/* Stops recording (unsubscribes); the records stay. */
void grade_obs_close(struct grade_obs *o);
/* Frees the records. */
void grade_obs_clear(struct grade_obs *o);

/* The session of a connection, or NULL. */
struct grade_session *grade_obs_session_of(struct grade_obs *o, uint32_t conn_id);
/* The first session from host client to host server (either may be -1:
 * any), or NULL. */
struct grade_session *grade_obs_find_session(struct grade_obs *o, int client, int server);
/* The student's session, or NULL. */
struct grade_session *grade_obs_student(struct grade_obs *o);
/* The session a check means: its "session" {"from", "to"} if given, else
 * the student's. */
struct grade_session *grade_obs_check_session(struct grade_obs *o, const struct cJSON *check);
/* The session's k-th line. */
const struct grade_line *grade_obs_line(const struct grade_obs *o, const struct grade_session *s, size_t k);
/* Appends where a client line of the student's session came from:
 * "line 4 `RCPT TO:<x>`" (the submission's line number when known). k is
 * the line's position in the session; typed is its position among the
 * client lines. */
void grade_obs_describe_client(struct grade_obs *o, const struct grade_session *s, size_t typed,
			       const struct grade_line *l, struct buf *out);
/* Appends the explanations catalogue's sentence for a protocol line in the
 * report's language, as " (RFC ...: text)"; nothing if none. */
void grade_obs_explain_line(struct grade_obs *o, const struct grade_line *l, struct buf *out);

/* The mailbox user (an address) in any MTA's store, or NULL. */
struct ms_user *grade_obs_user(struct grade_obs *o, const char *address);
/* The name of host h (its fqdn if it has one when fqdn is set). */
const char *grade_obs_host_name(const struct grade_obs *o, int h, int fqdn);
/* The host whose interface has ip, or -1. */
int grade_obs_host_by_ip(const struct grade_obs *o, uint32_t ip);

#endif

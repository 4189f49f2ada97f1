/* The scene: what the viewer knows about a run at the current simulated
 * time, built only from observation-bus records (it is a subscriber like
 * the text log and the trace), with no SDL anywhere.
 *
 * It keeps the hosts (with roles and layout positions), the links and their
 * state, the packets on links (departure and arrival times, so a packet's
 * place at time t is interpolated), recent drops (shown where they happened
 * for the drop linger time), each TCP connection's state, and the event
 * log. frame.h turns a scene into draw commands; viz_scene_describe() turns
 * it into text for tests.
 *
 * Everything shown at time t depends only on the records published up to t
 * and on t, never on when frames were drawn: so replaying a run from zero to
 * t (scrubbing) gives the same scene as playing to t.
 *
 * Later record types (protocol lines, DNS, mail hops) get their own models
 * next to these (a file each) fed from on_record's switch, and their own
 * panes in the frame: views are subscribers, never hooks in agents. */
#ifndef VIZ_SCENE_H
#define VIZ_SCENE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "viz/source.h"

struct viz_scene;

/* How a packet is coloured: its protocol, from the well-known ports. */
enum viz_proto {
	VIZ_P_SMTP,        /* 25, 587, 465 */
	VIZ_P_POP3,        /* 110 */
	VIZ_P_IMAP,        /* 143 */
	VIZ_P_DNS,         /* 53 */
	VIZ_P_DATA,        /* any other payload */
	VIZ_P_CONTROL,     /* a TCP segment with no payload (SYN, ACK, FIN, RST) */
	VIZ_P_COUNT
};
const char *viz_proto_name(enum viz_proto p);
/* The protocol of a packet: ipproto 6 (TCP) or 17 (UDP), ports, payload
 * length. Control wins for TCP without payload; the port protocol is then
 * the packet's "app" (viz_app_proto). */
enum viz_proto viz_proto_classify(uint8_t ipproto, uint16_t sport, uint16_t dport, uint32_t len);
/* The protocol of the ports alone (VIZ_P_DATA if none is known). */
enum viz_proto viz_app_proto(uint16_t sport, uint16_t dport);

/* A packet on a link, or a drop marker (on a link or at a host). */
struct viz_flight {
	uint64_t id;          /* the packet's id in the run */
	int link, dir;        /* link -1: a drop at host */
	int host;             /* the host that sent it over this link, or where it was dropped */
	sim_time depart;      /* first bit leaves (after queueing and before serialisation) */
	sim_time arrival;     /* last bit reaches the far end */
	sim_time queued_at;   /* when it was handed to the link */
	uint8_t proto;        /* enum viz_proto */
	uint8_t app;          /* enum viz_proto of the ports */
	uint8_t ipproto;
	uint8_t flags;        /* TCP flags */
	uint8_t retransmit;   /* a TCP retransmission */
	uint8_t dropped;      /* a drop marker from drop_time on */
	uint8_t drop_reason;  /* enum obs_drop_reason */
	float drop_frac;      /* where along the link (0 at the sender) */
	sim_time drop_time;
	uint32_t src_ip, dst_ip;
	uint16_t sport, dport;
	uint32_t seq, ack, len;
};

struct viz_conn {
	uint32_t conn_id;
	int host;
	uint32_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	char state[16];
	sim_time changed; /* last state change */
	sim_time opened;
};

enum viz_log_kind {
	VIZ_LOG_CONN,     /* a TCP state change */
	VIZ_LOG_LINK,     /* a link down or up */
	VIZ_LOG_DROP,     /* a packet dropped */
	VIZ_LOG_RETRANS,  /* a TCP retransmission */
	VIZ_LOG_APP,      /* an application record */
	VIZ_LOG_LINE,     /* a protocol line (a = protocol, b = "C:" or "S:", aux = peer) */
	VIZ_LOG_MAIL,     /* a message event (a = the event) */
};

/* One event-log entry, kept structured so it is worded in the viewer's
 * current language when drawn (viz_log_format). */
struct viz_log_entry {
	sim_time time;
	uint8_t kind; /* enum viz_log_kind */
	int host, link, aux;
	uint32_t conn_id;
	uint64_t seq;       /* the entry's number since time 0 (stable for selection) */
	char a[24], b[24];  /* states, or the app record's kind */
	char text[160];     /* app text, or a packet summary */
};

/* A scene over world w (which must outlive it), subscribed to its bus.
 * Create it before the run starts. NULL on ENOMEM. */
struct viz_scene *viz_scene_new(const struct viz_source *src, const struct viz_world *w);
/* Unsubscribes and frees. Accepts NULL; sets *s to NULL. */
void viz_scene_free(struct viz_scene **s);

/* How long a drop marker stays visible, in simulated time (the control sets
 * it from the play speed so a drop shows for about a second of wall time). */
void viz_scene_set_drop_linger(struct viz_scene *s, sim_time linger);
sim_time viz_scene_drop_linger(const struct viz_scene *s);

/* Forgets what is no longer visible at t (t must not go backwards). */
void viz_scene_prune(struct viz_scene *s, sim_time t);

const struct viz_world *viz_scene_world(const struct viz_scene *s);
const struct viz_source *viz_scene_source(const struct viz_scene *s);
int viz_scene_host_count(const struct viz_scene *s);
const char *viz_scene_host_name(const struct viz_scene *s, int host);
enum viz_role viz_scene_host_role(const struct viz_scene *s, int host);
/* The host's first address as a dotted quad ("" if none). */
const char *viz_scene_host_addr(const struct viz_scene *s, int host);
/* Layout position in [0,1]x[0,1] (y down), and the layout's cell: hosts
 * are at least a cell apart in x or in y, so boxes smaller than a cell
 * never overlap. */
void viz_scene_host_pos(const struct viz_scene *s, int host, double *x_r, double *y_r);
void viz_scene_cell(const struct viz_scene *s, double *w_r, double *h_r);

int viz_scene_link_count(const struct viz_scene *s);
void viz_scene_link_ends(const struct viz_scene *s, int link, int *a_r, int *b_r);
int viz_scene_link_up(const struct viz_scene *s, int link);
/* 0 while the host is crashed (a "crash" fault until its restart). */
int viz_scene_host_up(const struct viz_scene *s, int host);
/* The source's name for the link, else the network's "a-b". */
const char *viz_scene_link_name(const struct viz_scene *s, int link);

/* Packets and drop markers, in the order they were published. Some may be
 * invisible at t (see viz_flight_visible). */
size_t viz_scene_flight_count(const struct viz_scene *s);
const struct viz_flight *viz_scene_flight(const struct viz_scene *s, size_t i);
/* 1 if f is drawn at time t: on its link (depart <= t <= arrival and not
 * yet dropped), or a drop marker within the linger. */
int viz_flight_visible(const struct viz_flight *f, sim_time t, sim_time linger);
/* Fraction of the link f's leading edge has covered at t, 0 (sender) to 1
 * (receiver); the drop point for drop markers. */
double viz_flight_frac(const struct viz_flight *f, sim_time t);

/* Connections the scene has seen, in the order they first appeared; those
 * CLOSED for longer than the drop linger are forgotten. */
size_t viz_scene_conn_count(const struct viz_scene *s);
/* 1 if c is shown at t: not CLOSED, or CLOSED for at most linger. */
int viz_conn_visible(const struct viz_conn *c, sim_time t, sim_time linger);
const struct viz_conn *viz_scene_conn(const struct viz_scene *s, size_t i);

/* The event log: the newest VIZ_LOG_KEEP entries, oldest first. */
#define VIZ_LOG_KEEP 512
size_t viz_scene_log_count(const struct viz_scene *s);
const struct viz_log_entry *viz_scene_log(const struct viz_scene *s, size_t i);

/* The entry numbered seq (viz_log_entry.seq) if still kept, else NULL. */
const struct viz_log_entry *viz_scene_log_seq(const struct viz_scene *s, uint64_t seq);

/* The messages followed so far (msgtrack.h). */
struct viz_msgs;
const struct viz_msgs *viz_scene_msgs(const struct viz_scene *s);

/* Counters since time 0. */
struct viz_scene_stats {
	uint64_t sent, received, retransmits, dropped, records;
	uint64_t lines; /* protocol lines (every one, shown or counted) */
};
const struct viz_scene_stats *viz_scene_stats(const struct viz_scene *s);

#endif

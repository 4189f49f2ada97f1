/* The text transcript subscriber; see transcript.h for what it shows.
 *
 * Bookkeeping: every TCP connection end seen in a connection-state record
 * is an "end" (host, conn id, four-tuple); the two ends of one connection
 * share a "session", found by the mirrored four-tuple (the newest session
 * of a reused tuple wins). A protocol line names its sender (host), its
 * receiver (peer) and the publishing end's conn id, which is owned by one
 * of them: that gives the session and which end published. Per session and
 * direction, each end's published lines are counted; a line is new, and
 * shown, when its end's count passes the other end's. Both maps are open
 * addressing over indices into growing arrays; nothing is ever removed
 * (a run's connections are few enough to keep). */
#include "sim/observe/transcript.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/observe/obs_util.h"

#define HOST_NAME_MAX_COLUMN 16
#define PROTO_MAX 8
#define DEFAULT_BODY_LINES 4

struct tr_end {
	int host;
	uint32_t id;
	int session; /* -1: not part of a session (a listening socket) */
	int side;    /* 0 the client (it connected), 1 the server */
};

struct tr_session {
	int host[2];     /* client, server; -1 unknown */
	uint32_t ip[2];  /* client, server */
	uint16_t port[2];
	int end[2];      /* indices of the client's and server's ends, -1 none */
	uint64_t count[2][2]; /* [direction: 0 client to server][publishing side] */
	char proto[PROTO_MAX];
	unsigned announced : 1, closed : 1;
	/* A message in transit: its direction (-1 none), whether its header
	 * section is over, body lines shown and elided. */
	int msg_dir;
	int msg_in_body;
	long msg_shown, msg_hidden;
	int retr_pending; /* POP3: RETR or TOP sent, +OK starts a message */
};

struct tr_slot {
	uint64_t a, b;
	int32_t val; /* -1 empty */
};

struct tr_map {
	struct tr_slot *slots;
	size_t mask, used;
};

struct obs_transcript {
	struct sim *sim;
	const struct net *net;
	FILE *out;
	struct obs_transcript_options opt;
	int width; /* the "a -> b" column */
	int failed;
	struct tr_end *ends;
	size_t nends, capends;
	struct tr_session *sessions;
	size_t nsessions, capsessions;
	struct tr_map by_end, by_tuple;
	char *text; /* escaped line */
	size_t textcap;
};

/* ---- maps ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static int map_init(struct tr_map *m, size_t cap)
{
	m->slots = malloc(cap * sizeof *m->slots);
	if (!m->slots)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m->slots[i].val = -1;
	m->mask = cap - 1;
	m->used = 0;
	return 0;
}

static struct tr_slot *map_slot(const struct tr_map *m, uint64_t a, uint64_t b)
{
	size_t i = (size_t)mix64(a ^ mix64(b)) & m->mask;
	while (m->slots[i].val >= 0 && (m->slots[i].a != a || m->slots[i].b != b))
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

static int32_t map_get(const struct tr_map *m, uint64_t a, uint64_t b) { return map_slot(m, a, b)->val; }

/* Sets (a, b) to val, replacing an older value. 0, or -1 on ENOMEM. */
static int map_put(struct tr_map *m, uint64_t a, uint64_t b, int32_t val)
{
	if ((m->used + 1) * 2 > m->mask + 1) {
		struct tr_map n;
		if (map_init(&n, (m->mask + 1) * 2) < 0)
			return -1;
		for (size_t i = 0; i <= m->mask; i++) {
			const struct tr_slot *s = &m->slots[i];
			if (s->val >= 0)
				*map_slot(&n, s->a, s->b) = *s;
		}
		n.used = m->used;
		free(m->slots);
		*m = n;
	}
	struct tr_slot *s = map_slot(m, a, b);
	if (s->val < 0)
		m->used++;
	s->a = a;
	s->b = b;
	s->val = val;
	return 0;
}

static uint64_t end_key(int host, uint32_t id) { return (uint64_t)(uint32_t)host << 32 | id; }

/* ---- output helpers ---- */

/* Returns the columns written. */
static int put_time(struct obs_transcript *t, sim_time when)
{
	if (when < 0)
		when = 0;
	return fprintf(t->out, "%3lld.%06lld  ", (long long)(when / SIM_S), (long long)(when % SIM_S / 1000));
}

static const char *host_name(const struct obs_transcript *t, int host) { return obs_host_label(t->net, host); }

/* Makes len bytes of text one printable line in t->text: control bytes and
 * DEL as \xNN (\r \n \t by name), bytes >= 0x80 kept (UTF-8). A backslash
 * is doubled only where it could be read as one of those escapes (before
 * r, n, t, x or another backslash), so IMAP's \Seen and \Flagged read as
 * typed. NULL when memory runs out. */
static const char *escape(struct obs_transcript *t, const char *text, size_t len)
{
	if (!text)
		len = 0;
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	size_t need = len * 4 + 1;
	if (need > t->textcap) {
		char *b = realloc(t->text, need);
		if (!b)
			return NULL;
		t->text = b;
		t->textcap = need;
	}
	char *o = t->text;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\\') {
			char next = i + 1 < len ? text[i + 1] : 0;
			*o++ = '\\';
			if (next == 'r' || next == 'n' || next == 't' || next == 'x' || next == '\\')
				*o++ = '\\';
		} else if (c == '\r' || c == '\n' || c == '\t') {
			*o++ = '\\';
			*o++ = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		} else if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = (char)c;
		}
	}
	*o = 0;
	return t->text;
}

static void end_line(struct obs_transcript *t)
{
	if (fputc('\n', t->out) == EOF)
		t->failed = 1;
}

/* ---- connections ---- */

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > INT32_MAX)
		return -1;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int new_session(struct obs_transcript *t)
{
	if (grow((void **)&t->sessions, &t->capsessions, t->nsessions, sizeof *t->sessions) < 0)
		return -1;
	struct tr_session *s = &t->sessions[t->nsessions];
	memset(s, 0, sizeof *s);
	s->host[0] = s->host[1] = -1;
	s->end[0] = s->end[1] = -1;
	s->msg_dir = -1;
	return (int)t->nsessions++;
}

static int new_end(struct obs_transcript *t, int host, uint32_t id)
{
	if (grow((void **)&t->ends, &t->capends, t->nends, sizeof *t->ends) < 0)
		return -1;
	int e = (int)t->nends;
	if (map_put(&t->by_end, end_key(host, id), 0, e) < 0)
		return -1;
	t->ends[e] = (struct tr_end){.host = host, .id = id, .session = -1, .side = 0};
	t->nends++;
	return e;
}

static uint64_t tuple_a(uint32_t cip, uint32_t sip) { return (uint64_t)cip << 32 | sip; }
static uint64_t tuple_b(uint16_t cport, uint16_t sport) { return (uint64_t)cport << 16 | sport; }

/* Gives a newly seen end its session: the one of its mirrored tuple when
 * that still lacks this side, else a new one. */
static void join_session(struct obs_transcript *t, int e, const struct obs_record *rec)
{
	const char *from = rec->u.conn.from ? rec->u.conn.from : "", *to = rec->u.conn.to ? rec->u.conn.to : "";
	int side;
	if (!strcmp(to, "SYN_SENT") || !strcmp(from, "SYN_SENT"))
		side = 0;
	else if (!strcmp(to, "SYN_RECEIVED") || !strcmp(from, "SYN_RECEIVED") || !strcmp(from, "LISTEN"))
		side = 1;
	else /* seen mid-connection: the ephemeral port is the client's */
		side = rec->u.conn.local_port > rec->u.conn.remote_port ? 0 : 1;
	uint32_t ip[2];
	uint16_t port[2];
	ip[side] = rec->u.conn.local_ip;
	port[side] = rec->u.conn.local_port;
	ip[1 - side] = rec->u.conn.remote_ip;
	port[1 - side] = rec->u.conn.remote_port;
	uint64_t a = tuple_a(ip[0], ip[1]), b = tuple_b(port[0], port[1]);
	int s = map_get(&t->by_tuple, a, b);
	if (s < 0 || t->sessions[s].end[side] >= 0) {
		s = new_session(t);
		if (s < 0 || map_put(&t->by_tuple, a, b, s) < 0) {
			t->failed = 1;
			return;
		}
		memcpy(t->sessions[s].ip, ip, sizeof ip);
		memcpy(t->sessions[s].port, port, sizeof port);
	}
	struct tr_session *ss = &t->sessions[s];
	ss->end[side] = e;
	ss->host[side] = rec->u.conn.host;
	t->ends[e].session = s;
	t->ends[e].side = side;
}

/* "laptop -> mta1:587" */
static void put_conn_name(struct obs_transcript *t, const struct tr_session *s)
{
	fprintf(t->out, "%s -> %s", host_name(t, s->host[0]), host_name(t, s->host[1]));
	if (s->port[1])
		fprintf(t->out, ":%u", (unsigned)s->port[1]);
}

static void put_elided(struct obs_transcript *t, struct tr_session *s, sim_time when)
{
	if (s->msg_hidden <= 0)
		return;
	int dir = s->msg_dir;
	put_time(t, when);
	char col[2 * HOST_NAME_MAX_COLUMN + 64];
	snprintf(col, sizeof col, "%s -> %s", host_name(t, s->host[dir]), host_name(t, s->host[1 - dir]));
	fprintf(t->out, "%-*s  %s [... %ld more line%s ...]", t->width, col, dir == 0 ? "C:" : "S:", s->msg_hidden,
		s->msg_hidden == 1 ? "" : "s");
	end_line(t);
	s->msg_hidden = 0;
}

static void on_conn(struct obs_transcript *t, const struct obs_record *rec)
{
	int e = map_get(&t->by_end, end_key(rec->u.conn.host, rec->u.conn.conn_id), 0);
	if (e < 0) {
		if (rec->u.conn.remote_ip == 0 && rec->u.conn.remote_port == 0)
			return; /* a listening socket carries no lines */
		e = new_end(t, rec->u.conn.host, rec->u.conn.conn_id);
		if (e < 0) {
			t->failed = 1;
			return;
		}
		join_session(t, e, rec);
	}
	int s = t->ends[e].session;
	if (s < 0)
		return;
	struct tr_session *ss = &t->sessions[s];
	if (!ss->announced || ss->closed)
		return;
	const char *to = rec->u.conn.to ? rec->u.conn.to : "";
	int fin = !strcmp(to, "FIN_WAIT_1");
	int abort = !strcmp(to, "CLOSED") && rec->u.conn.why;
	if (!fin && !abort)
		return;
	if (ss->msg_dir >= 0) {
		put_elided(t, ss, rec->time);
		ss->msg_dir = -1;
	}
	ss->closed = 1;
	put_time(t, rec->time);
	fputs("--- ", t->out);
	if (fin) {
		fprintf(t->out, "%s closes ", host_name(t, rec->u.conn.host));
		put_conn_name(t, ss);
	} else {
		put_conn_name(t, ss);
		fprintf(t->out, " aborted at %s (%s)", host_name(t, rec->u.conn.host), rec->u.conn.why);
	}
	fputs(" ---", t->out);
	end_line(t);
}

/* The session and publishing side of a line; -1 when memory ran out. */
static int line_session(struct obs_transcript *t, const struct obs_record *rec, int *side_r)
{
	int e = map_get(&t->by_end, end_key(rec->u.line.host, rec->u.line.conn_id), 0);
	if (e < 0)
		e = map_get(&t->by_end, end_key(rec->u.line.peer, rec->u.line.conn_id), 0);
	if (e >= 0 && t->ends[e].session >= 0) {
		*side_r = t->ends[e].side;
		return t->ends[e].session;
	}
	/* No connection record for it (a transcript opened late, a
	 * synthetic record): its own session, every line shown. */
	int client = rec->u.line.from_client ? rec->u.line.host : rec->u.line.peer;
	int server = rec->u.line.from_client ? rec->u.line.peer : rec->u.line.host;
	if (e < 0) {
		e = new_end(t, rec->u.line.host, rec->u.line.conn_id);
		if (e < 0)
			return -1;
	}
	int s = new_session(t);
	if (s < 0)
		return -1;
	t->sessions[s].host[0] = client;
	t->sessions[s].host[1] = server;
	t->sessions[s].end[0] = e;
	t->ends[e].session = s;
	t->ends[e].side = 0;
	*side_r = 0;
	return s;
}

static int starts_with_word(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && strncasecmp(text, word, n) == 0 && (len == n || text[n] == ' ');
}

/* Whether the line (direction dir) is shown, updating the message state. */
static int message_filter(struct obs_transcript *t, struct tr_session *s, int dir, const char *text, size_t len,
			  sim_time when, int *terminator_r)
{
	*terminator_r = 0;
	if (s->msg_dir == dir) {
		if (len == 1 && text[0] == '.') {
			put_elided(t, s, when);
			s->msg_dir = -1;
			*terminator_r = 1;
			return 1;
		}
		if (!s->msg_in_body) {
			if (len == 0)
				s->msg_in_body = 1;
			return 1;
		}
		/* A MIME boundary and the part's header section are the
		 * message's structure: shown free, so a reader sees each
		 * part's type and the first lines of content. (A body line
		 * that merely starts with "--x" is taken for one.) */
		if (len >= 3 && text[0] == '-' && text[1] == '-' && text[2] != ' ' && text[2] != '-') {
			put_elided(t, s, when);
			s->msg_in_body = 0;
			return 1;
		}
		if (t->opt.body_lines < 0 || s->msg_shown < t->opt.body_lines) {
			s->msg_shown++;
			return 1;
		}
		s->msg_hidden++;
		return 0;
	}
	int starts = 0;
	if (!strcmp(s->proto, "SMTP")) {
		starts = dir == 1 && len >= 3 && !memcmp(text, "354", 3) && (len == 3 || text[3] == ' ' || text[3] == '-');
	} else if (!strcmp(s->proto, "POP3")) {
		if (dir == 0)
			s->retr_pending = starts_with_word(text, len, "RETR") || starts_with_word(text, len, "TOP");
		else if (s->retr_pending) {
			starts = len >= 3 && !memcmp(text, "+OK", 3);
			s->retr_pending = 0;
			if (starts) {
				s->msg_dir = 1;
				s->msg_in_body = 0;
				s->msg_shown = s->msg_hidden = 0;
				return 1; /* the +OK line itself; the message follows */
			}
		}
	}
	if (starts) {
		/* 354 answers the client: the client's data follows. */
		s->msg_dir = 0;
		s->msg_in_body = 0;
		s->msg_shown = s->msg_hidden = 0;
	}
	return 1;
}

static void on_line(struct obs_transcript *t, const struct obs_record *rec)
{
	int side;
	int si = line_session(t, rec, &side);
	if (si < 0) {
		t->failed = 1;
		return;
	}
	struct tr_session *s = &t->sessions[si];
	int dir = rec->u.line.from_client ? 0 : 1;
	/* Lines are counted by the direction they travel (who sent them), not
	 * by role: after TURN the server's end sends client lines. */
	int travel = rec->u.line.host == s->host[0] ? 0 : rec->u.line.host == s->host[1] ? 1 : dir;
	if (++s->count[travel][side] <= s->count[travel][1 - side])
		return; /* the other end published it already */
	const char *text = rec->u.line.text ? rec->u.line.text : "";
	size_t len = rec->u.line.text ? rec->u.line.len : 0;
	if (!s->announced) {
		s->announced = 1;
		snprintf(s->proto, sizeof s->proto, "%s", rec->u.line.proto ? rec->u.line.proto : "?");
		/* The ends may be unknown: take the hosts from the line. */
		if (s->host[dir] < 0)
			s->host[dir] = rec->u.line.host;
		if (s->host[1 - dir] < 0)
			s->host[1 - dir] = rec->u.line.peer;
		put_time(t, rec->time);
		fprintf(t->out, "--- %s connects to %s", host_name(t, s->host[0]), host_name(t, s->host[1]));
		if (s->port[1])
			fprintf(t->out, ":%u", (unsigned)s->port[1]);
		fprintf(t->out, " (%s) ---", s->proto);
		end_line(t);
	}
	int terminator;
	if (!message_filter(t, s, dir, text, len, rec->time, &terminator))
		return;
	const char *shown;
	if (rec->u.line.encrypted && !t->opt.show_plaintext)
		shown = "[encrypted]";
	else if (!(shown = escape(t, text, len))) {
		t->failed = 1;
		shown = "[out of memory]";
	}
	char col[2 * HOST_NAME_MAX_COLUMN + 64];
	snprintf(col, sizeof col, "%s -> %s", host_name(t, rec->u.line.host), host_name(t, rec->u.line.peer));
	put_time(t, rec->time);
	fprintf(t->out, "%-*s  %s %s", t->width, col, dir == 0 ? "C:" : "S:", shown);
	end_line(t);
}

/* ---- application records and mail events ---- */

static void on_app(struct obs_transcript *t, const struct obs_record *rec)
{
	const char *kind = rec->u.app.kind ? rec->u.app.kind : "app";
	if (strcmp(kind, "dns") != 0 && !t->opt.show_notes)
		return;
	const char *text = rec->u.app.text ? rec->u.app.text : "";
	const char *shown = escape(t, text, strlen(text));
	if (!shown) {
		t->failed = 1;
		return;
	}
	put_time(t, rec->time);
	fprintf(t->out, "    %s %s: %s", host_name(t, rec->u.app.host), kind, shown);
	end_line(t);
}

static const char *or_dash(const char *s) { return s && *s ? s : "-"; }

/* A folded header field: its first line after the prefix, then each
 * continuation line indented to the prefix's column. */
static void put_field(struct obs_transcript *t, int column, const char *text)
{
	const char *p = text;
	int first = 1;
	while (*p) {
		size_t n = strcspn(p, "\r\n");
		const char *shown = escape(t, p, n);
		if (!shown) {
			t->failed = 1;
			return;
		}
		if (!first)
			fprintf(t->out, "%*s", column, "");
		fputs(shown, t->out);
		end_line(t);
		first = 0;
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
	if (first)
		end_line(t);
}

static void on_mail(struct obs_transcript *t, const struct obs_record *rec)
{
	const char *host = host_name(t, rec->u.mail.host);
	const char *qid = or_dash(rec->u.mail.queue_id), *rcpt = or_dash(rec->u.mail.rcpt);
	const char *from = rec->u.mail.from ? rec->u.mail.from : "";
	const char *text = rec->u.mail.text;
	/* Reasons and folders are one line; the header keeps its folding. */
	const char *etext = NULL;
	if (text && rec->u.mail.event != OBS_MAIL_HEADER && !(etext = escape(t, text, strlen(text)))) {
		t->failed = 1;
		return;
	}
	int column = put_time(t, rec->time) + (int)strlen(host) + 2;
	fprintf(t->out, "%s: ", host);
	switch (rec->u.mail.event) {
	case OBS_MAIL_SUBMITTED:
		fprintf(t->out, "submitted %s from <%s>", or_dash(rec->u.mail.message_id), from);
		if (rec->u.mail.rcpt)
			fprintf(t->out, " for %s", rcpt);
		if (etext)
			fprintf(t->out, ": %s", etext);
		break;
	case OBS_MAIL_ACCEPTED:
		fprintf(t->out, "accepted %s %s from <%s> for %s", qid, or_dash(rec->u.mail.message_id), from, rcpt);
		if (etext)
			fprintf(t->out, " (%s)", etext);
		break;
	case OBS_MAIL_HEADER:
		fputs("adds ", t->out);
		put_field(t, column + 5, text ? text : "");
		return;
	case OBS_MAIL_QUEUED:
		fprintf(t->out, "queued %s for %s", qid, rcpt);
		if (etext)
			fprintf(t->out, " (%s)", etext);
		break;
	case OBS_MAIL_DELIVERED:
		fprintf(t->out, "delivered %s to %s", qid, rcpt);
		if (etext)
			fprintf(t->out, " (%s)", etext);
		break;
	case OBS_MAIL_RELAYED:
		fprintf(t->out, "relayed %s for %s", qid, rcpt);
		if (etext)
			fprintf(t->out, " %s", etext);
		break;
	case OBS_MAIL_DEFERRED:
	case OBS_MAIL_BOUNCED:
	case OBS_MAIL_DISCARDED:
	case OBS_MAIL_FORWARDED:
		fprintf(t->out, "%s %s for %s", obs_mail_event_name(rec->u.mail.event), qid, rcpt);
		if (etext)
			fprintf(t->out, ": %s", etext);
		break;
	default:
		fprintf(t->out, "mail event %d %s for %s", (int)rec->u.mail.event, qid, rcpt);
		break;
	}
	end_line(t);
}

static void on_record(void *ctx, const struct obs_record *rec)
{
	struct obs_transcript *t = ctx;
	switch (rec->type) {
	case OBS_CONN_STATE:
		on_conn(t, rec);
		break;
	case OBS_LINE:
		on_line(t, rec);
		break;
	case OBS_APP:
		on_app(t, rec);
		break;
	case OBS_MAIL:
		on_mail(t, rec);
		break;
	default:
		break;
	}
}

void obs_transcript_options_default(struct obs_transcript_options *o)
{
	o->body_lines = DEFAULT_BODY_LINES;
	o->show_plaintext = 0;
	o->show_notes = 1;
}

static void transcript_free(struct obs_transcript *t)
{
	free(t->ends);
	free(t->sessions);
	free(t->by_end.slots);
	free(t->by_tuple.slots);
	free(t->text);
	free(t);
}

struct obs_transcript *obs_transcript_open(struct sim *sim, const struct net *net, FILE *out,
					   const struct obs_transcript_options *opt)
{
	struct obs_transcript *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->sim = sim;
	t->net = net;
	t->out = out;
	if (opt)
		t->opt = *opt;
	else
		obs_transcript_options_default(&t->opt);
	int longest = 4;
	int hosts = net ? net_host_count(net) : 0;
	for (int h = 0; h < hosts; h++) {
		int len = (int)strlen(obs_host_label(net, h));
		if (len > longest)
			longest = len < HOST_NAME_MAX_COLUMN ? len : HOST_NAME_MAX_COLUMN;
	}
	t->width = 2 * longest + 4;
	unsigned mask = OBS_MASK(OBS_CONN_STATE) | OBS_MASK(OBS_LINE) | OBS_MASK(OBS_APP) | OBS_MASK(OBS_MAIL);
	if (map_init(&t->by_end, 64) < 0 || map_init(&t->by_tuple, 64) < 0 ||
	    bus_subscribe(sim_bus(sim), mask, on_record, t) < 0) {
		transcript_free(t);
		return NULL;
	}
	return t;
}

int obs_transcript_close(struct obs_transcript **tp)
{
	if (!tp || !*tp)
		return 0;
	struct obs_transcript *t = *tp;
	bus_unsubscribe(sim_bus(t->sim), on_record, t);
	for (size_t i = 0; i < t->nsessions; i++)
		if (t->sessions[i].msg_dir >= 0)
			put_elided(t, &t->sessions[i], sim_now(t->sim));
	int failed = t->failed || fflush(t->out) != 0 || ferror(t->out);
	transcript_free(t);
	*tp = NULL;
	return failed ? -1 : 0;
}

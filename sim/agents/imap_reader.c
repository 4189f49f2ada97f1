/* The UA's IMAP reader. See imap_reader.h. */
#include "sim/agents/imap_reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/imap_client.h"
#include "protocols/imap_syntax.h"
#include "sim/agents/agent_env.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "sim/net/tcp.h"

/* Where the reader is in its script. */
enum phase { PH_CONNECTING, PH_GREETING, PH_LOGIN, PH_STEPS, PH_IDLE, PH_WAIT, PH_LOGOUT, PH_DONE };

struct imap_reader {
	const struct agent_env *env;
	struct imap_reader_config cfg;
	int host, peer;
	uint32_t conn_id;
	struct tcp_conn *conn;
	struct imap_client *client;
	enum phase phase;
	size_t step;       /* the step running */
	int sub;           /* the command within a step (sync, move) */
	uint32_t waiting;  /* the command whose tagged reply is awaited */
	int handler;
	sim_event_id timer;
	struct imap_reader_stats stats;
	size_t idle_exists, idle_flags, idle_expunges;
};

/* ---- steps ----------------------------------------------------------- */

static char *astring(const char *s)
{
	struct buf b;
	buf_init(&b, 4096);
	imap_write_astring(&b, s, strlen(s));
	return buf_steal(&b, NULL);
}

static char *joined(const char *verb, const char *arg, int quote)
{
	char *a = quote ? astring(arg) : strdup(arg);
	if (!a)
		return NULL;
	size_t n = strlen(verb) + strlen(a) + 2;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s%s%s", verb, *a ? " " : "", a);
	free(a);
	return out;
}

int imap_reader_step_parse(const char *key, const char *value, struct imap_reader_step *st, char *err,
			   size_t errlen)
{
	static const struct {
		const char *key, *verb;
		int quote; /* the value is one mailbox name */
		int takes_value;
	} simple[] = {
		{"select", "SELECT", 1, 1}, {"examine", "EXAMINE", 1, 1}, {"create", "CREATE", 1, 1},
		{"delete", "DELETE", 1, 1}, {"subscribe", "SUBSCRIBE", 1, 1}, {"unsubscribe", "UNSUBSCRIBE", 1, 1},
		{"search", "SEARCH", 0, 1}, {"store", "STORE", 0, 1},       {"copy", "COPY", 0, 1},
		{"status", "STATUS", 0, 1}, {"expunge", "EXPUNGE", 0, 0},   {"noop", "NOOP", 0, 0},
		{"check", "CHECK", 0, 0},   {"close", "CLOSE", 0, 0},       {"command", "", 0, 1},
	};
	memset(st, 0, sizeof *st);
	if (!value)
		value = "";
	if (strchr(value, '\r') || strchr(value, '\n')) {
		snprintf(err, errlen, "the %s step's text must be on one line", key);
		return -1;
	}
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
		if (strcmp(key, simple[i].key) != 0)
			continue;
		if (simple[i].takes_value && !*value) {
			snprintf(err, errlen, "the %s step needs a value", key);
			return -1;
		}
		st->kind = IMAP_STEP_COMMAND;
		st->text = simple[i].verb[0] ? joined(simple[i].verb, simple[i].takes_value ? value : "", simple[i].quote)
					     : strdup(value);
		goto done;
	}
	if (strcmp(key, "list") == 0) {
		char *pat = astring(*value ? value : "*");
		if (pat) {
			size_t n = strlen(pat) + 16;
			st->text = malloc(n);
			if (st->text)
				snprintf(st->text, n, "LIST \"\" %s", pat);
		}
		free(pat);
		st->kind = IMAP_STEP_COMMAND;
		goto done;
	}
	if (strcmp(key, "sync") == 0 || strcmp(key, "fetch") == 0 || strcmp(key, "move") == 0) {
		if (!*value) {
			snprintf(err, errlen, "the %s step needs a value", key);
			return -1;
		}
		if (strcmp(key, "move") == 0 && !strchr(value, ' ')) {
			snprintf(err, errlen, "the move step is \"SET FOLDER\", e.g. \"1 Archive\"");
			return -1;
		}
		st->kind = key[0] == 's' ? IMAP_STEP_SYNC : key[0] == 'f' ? IMAP_STEP_FETCH : IMAP_STEP_MOVE;
		st->text = strdup(value);
		goto done;
	}
	if (strcmp(key, "idle") == 0 || strcmp(key, "wait") == 0) {
		if (sim_time_parse(value, &st->duration) < 0 || st->duration < 0) {
			snprintf(err, errlen, "the %s step needs a duration such as \"30s\"", key);
			return -1;
		}
		st->kind = key[0] == 'i' ? IMAP_STEP_IDLE : IMAP_STEP_WAIT;
		st->text = strdup(key);
		goto done;
	}
	snprintf(err, errlen,
		 "unknown IMAP step \"%s\" (expected select, examine, sync, fetch, search, store, copy, move, "
		 "expunge, create, delete, subscribe, unsubscribe, list, status, noop, check, close, idle, wait or "
		 "command)",
		 key);
	return -1;
done:
	if (!st->text) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void imap_reader_step_clear(struct imap_reader_step *st)
{
	free(st->text);
	st->text = NULL;
}

/* ---- sending --------------------------------------------------------- */

static void pump(struct imap_reader *r)
{
	if (!r->conn)
		return;
	size_t n;
	const uint8_t *p = imap_client_output(r->client, &n);
	if (n)
		imap_client_consume(r->client, tcp_send(r->conn, p, n));
}

/* "$" as a word stands for the last SEARCH's result (the notation of
 * RFC 5182), written as a sequence set. 0, or -1 if the search found
 * nothing (the command then makes no sense). */
static int expand_dollar(const struct imap_reader *r, const char *text, char *out, size_t cap)
{
	const char *d = strstr(text, " $");
	if (!d || (d[2] && d[2] != ' ')) {
		snprintf(out, cap, "%s", text);
		return 0;
	}
	if (!r->stats.search_hits)
		return -1;
	char set[sizeof r->stats.last_search];
	snprintf(set, sizeof set, "%s", r->stats.last_search);
	for (char *c = set; *c; c++)
		if (*c == ' ')
			*c = ',';
	snprintf(out, cap, "%.*s %s%s", (int)(d - text), text, set, d + 2);
	return 0;
}

/* Sends a command and publishes it as the user's client typed it. */
static void send_cmd(struct imap_reader *r, const char *text)
{
	uint32_t id = imap_client_command(r->client, text, strlen(text));
	if (!id) {
		snprintf(r->stats.last_error, sizeof r->stats.last_error, "cannot send \"%.200s\"", text);
		return;
	}
	r->waiting = id;
	char line[1200];
	int n = snprintf(line, sizeof line, "A%03u %s", id, text);
	agent_publish_line(r->env, r->host, r->peer, r->conn_id, "IMAP", 1, 0, line,
			   (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	pump(r);
}

static void finish(struct imap_reader *r)
{
	r->phase = PH_DONE;
	r->stats.done = 1;
	if (r->timer) {
		sim_cancel(r->env->sim, r->timer);
		r->timer = 0;
	}
	if (r->conn)
		tcp_close(r->conn);
}

static void next_step(struct imap_reader *r);

static void on_timer(struct sim *sim, void *ctx)
{
	(void)sim;
	struct imap_reader *r = ctx;
	r->timer = 0;
	if (r->phase == PH_IDLE) {
		agent_publish_line(r->env, r->host, r->peer, r->conn_id, "IMAP", 1, 0, "DONE", 4);
		imap_client_done(r->client);
		pump(r);
		agent_publish_note(r->env, r->host, r->conn_id, "imap",
				   "seen live while idle: %zu new, %zu flag change(s), %zu expunged", r->idle_exists,
				   r->idle_flags, r->idle_expunges);
	} else if (r->phase == PH_WAIT) {
		r->phase = PH_STEPS;
		r->step++;
		r->sub = 0;
		next_step(r);
	}
}

/* Runs the command(s) of the current step, one per call (sub counts). */
static void next_step(struct imap_reader *r)
{
	if (r->phase != PH_STEPS)
		return;
	while (r->step < r->cfg.step_count) {
		const struct imap_reader_step *st = &r->cfg.steps[r->step];
		char cmd[1200];
		switch (st->kind) {
		case IMAP_STEP_COMMAND:
			if (r->sub++ == 0) {
				if (expand_dollar(r, st->text, cmd, sizeof cmd) < 0) {
					agent_publish_note(r->env, r->host, r->conn_id, "imap",
							   "the last search found nothing: %s skipped", st->text);
					break;
				}
				send_cmd(r, cmd);
				return;
			}
			break;
		case IMAP_STEP_SYNC: {
			int k = r->sub++;
			if (k == 0) {
				send_cmd(r, "LIST \"\" \"*\"");
				return;
			}
			if (k == 1) {
				char *m = astring(st->text);
				snprintf(cmd, sizeof cmd, "SELECT %s", m ? m : "INBOX");
				free(m);
				send_cmd(r, cmd);
				return;
			}
			if (k == 2 && r->stats.exists > 0) {
				send_cmd(r, "FETCH 1:* (UID FLAGS ENVELOPE)");
				return;
			}
			break;
		}
		case IMAP_STEP_FETCH:
			if (r->sub++ == 0) {
				if (r->stats.exists == 0) {
					agent_publish_note(r->env, r->host, r->conn_id, "imap",
							   "the folder is empty: nothing to fetch");
					break;
				}
				snprintf(cmd, sizeof cmd, "FETCH %s", st->text);
				char full[1200];
				if (expand_dollar(r, cmd, full, sizeof full) < 0) {
					agent_publish_note(r->env, r->host, r->conn_id, "imap",
							   "the last search found nothing: nothing to fetch");
					break;
				}
				send_cmd(r, full);
				return;
			}
			break;
		case IMAP_STEP_MOVE: {
			/* No MOVE extension in RFC 3501: copy, mark, expunge. */
			int k = r->sub++;
			const char *sp = strchr(st->text, ' ');
			int setlen = (int)(sp - st->text);
			char raw[1100];
			if (k == 0)
				snprintf(raw, sizeof raw, "COPY %s", st->text);
			else if (k == 1)
				snprintf(raw, sizeof raw, "STORE %.*s +FLAGS.SILENT (\\Deleted)", setlen, st->text);
			else if (k == 2)
				snprintf(raw, sizeof raw, "EXPUNGE");
			else
				break;
			if (expand_dollar(r, raw, cmd, sizeof cmd) < 0) {
				agent_publish_note(r->env, r->host, r->conn_id, "imap",
						   "the last search found nothing: nothing to move");
				r->sub = 3;
				break;
			}
			send_cmd(r, cmd);
			return;
		}
		case IMAP_STEP_IDLE:
			if (r->sub++ == 0) {
				r->idle_exists = r->idle_flags = r->idle_expunges = 0;
				r->phase = PH_IDLE;
				send_cmd(r, "IDLE");
				return;
			}
			break;
		case IMAP_STEP_WAIT:
			r->phase = PH_WAIT;
			r->timer = sim_after(r->env->sim, st->duration, r->handler, r);
			return;
		}
		r->step++;
		r->sub = 0;
	}
	r->phase = PH_LOGOUT;
	send_cmd(r, "LOGOUT");
}

/* ---- responses ------------------------------------------------------- */

static void on_untagged(struct imap_reader *r, const struct imap_client_event *ev)
{
	int idle = r->phase == PH_IDLE;
	if (strcmp(ev->keyword, "EXISTS") == 0) {
		if (idle && ev->number > r->stats.exists)
			r->idle_exists += ev->number - r->stats.exists, r->stats.live_exists++;
		r->stats.exists = ev->number;
	} else if (strcmp(ev->keyword, "EXPUNGE") == 0) {
		if (r->stats.exists)
			r->stats.exists--;
		if (idle)
			r->idle_expunges++, r->stats.live_expunges++;
	} else if (strcmp(ev->keyword, "FETCH") == 0) {
		if (idle)
			r->idle_flags++, r->stats.live_flags++;
	} else if (strcmp(ev->keyword, "SEARCH") == 0) {
		snprintf(r->stats.last_search, sizeof r->stats.last_search, "%.*s", (int)ev->rest_len,
			 (const char *)ev->rest);
		size_t hits = 0;
		for (size_t i = 0; i < ev->rest_len; i++)
			if (ev->rest[i] != ' ' && (i == 0 || ev->rest[i - 1] == ' '))
				hits++;
		r->stats.search_hits = hits;
		agent_publish_note(r->env, r->host, r->conn_id, "imap",
				   "the server searched; %zu message number(s) came back: %s", hits,
				   hits ? r->stats.last_search : "(none)");
	}
}

static void on_tagged(struct imap_reader *r, const struct imap_client_event *ev)
{
	if (ev->status == IMAP_ST_OK)
		r->stats.ok++;
	else {
		if (ev->status == IMAP_ST_NO)
			r->stats.no++;
		else
			r->stats.bad++;
		snprintf(r->stats.last_error, sizeof r->stats.last_error, "%s%s%s%s %s",
			 ev->status == IMAP_ST_NO ? "NO" : "BAD", ev->code[0] ? " [" : "", ev->code,
			 ev->code[0] ? "]" : "", ev->text);
	}
	if (ev->id != r->waiting)
		return;
	switch (r->phase) {
	case PH_LOGIN:
		if (ev->status != IMAP_ST_OK) {
			agent_publish_note(r->env, r->host, r->conn_id, "imap", "login refused: %s", ev->text);
			r->phase = PH_LOGOUT;
			send_cmd(r, "LOGOUT");
			return;
		}
		r->stats.logged_in = 1;
		r->phase = PH_STEPS;
		next_step(r);
		break;
	case PH_IDLE:
		r->phase = PH_STEPS;
		next_step(r);
		break;
	case PH_STEPS:
		if (ev->status == IMAP_ST_OK) {
			const struct imap_reader_step *st = &r->cfg.steps[r->step];
			if (st->kind == IMAP_STEP_SYNC && r->sub == 3)
				agent_publish_note(r->env, r->host, r->conn_id, "imap",
						   "%s synchronised: %u message(s) on the server", st->text,
						   r->stats.exists);
		}
		next_step(r);
		break;
	case PH_LOGOUT:
		finish(r);
		break;
	default:
		break;
	}
}

static void rd_data(void *ctx, struct tcp_conn *c, const uint8_t *bytes, size_t len)
{
	(void)c;
	struct imap_reader *r = ctx;
	imap_client_feed(r->client, bytes, len);
	struct imap_client_event ev;
	while (r->phase != PH_DONE && imap_client_next(r->client, &ev) > 0) {
		switch (ev.type) {
		case IMAP_CEV_GREETING:
			if (ev.status != IMAP_ST_OK) {
				finish(r);
				break;
			}
			r->phase = PH_LOGIN;
			{
				char *u = astring(r->cfg.user), *p = astring(r->cfg.password);
				char cmd[1200];
				snprintf(cmd, sizeof cmd, "LOGIN %s %s", u ? u : "\"\"", p ? p : "\"\"");
				free(u);
				free(p);
				send_cmd(r, cmd);
			}
			break;
		case IMAP_CEV_UNTAGGED:
			on_untagged(r, &ev);
			if (ev.status == IMAP_ST_BYE && r->phase != PH_LOGOUT)
				finish(r);
			break;
		case IMAP_CEV_CONTINUE:
			if (r->phase == PH_IDLE && !r->timer)
				r->timer = sim_after(r->env->sim, r->cfg.steps[r->step].duration, r->handler, r);
			break;
		case IMAP_CEV_TAGGED:
			on_tagged(r, &ev);
			break;
		case IMAP_CEV_ERROR:
			snprintf(r->stats.last_error, sizeof r->stats.last_error, "%s", ev.text);
			finish(r);
			break;
		}
	}
	pump(r);
}

static void rd_connected(void *ctx, struct tcp_conn *c)
{
	(void)c;
	struct imap_reader *r = ctx;
	r->stats.connected = 1;
	r->phase = PH_GREETING;
}

static void rd_writable(void *ctx, struct tcp_conn *c)
{
	(void)c;
	pump(ctx);
}

static void rd_peer_closed(void *ctx, struct tcp_conn *c)
{
	struct imap_reader *r = ctx;
	(void)c;
	if (r->phase != PH_DONE)
		finish(r);
}

static void rd_closed(void *ctx, struct tcp_conn *c, enum tcp_error err)
{
	(void)c;
	struct imap_reader *r = ctx;
	if (err != TCP_OK && r->phase != PH_DONE)
		snprintf(r->stats.last_error, sizeof r->stats.last_error, "connection: %s", tcp_error_name(err));
	r->conn = NULL;
	r->stats.done = 1;
	if (r->timer) {
		sim_cancel(r->env->sim, r->timer);
		r->timer = 0;
	}
	r->phase = PH_DONE;
}

static const struct tcp_callbacks reader_tcp = {.connected = rd_connected,
						.data = rd_data,
						.writable = rd_writable,
						.peer_closed = rd_peer_closed,
						.closed = rd_closed};

struct imap_reader *imap_reader_start(const struct agent_env *env, int host, const struct imap_reader_config *cfg)
{
	struct imap_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->env = env;
	r->cfg = *cfg;
	r->host = host;
	r->peer = net_host_by_ip(env->net, cfg->server_ip);
	r->client = imap_client_new(NULL);
	r->handler = sim_handler(env->sim, on_timer);
	if (!r->client || r->handler < 0) {
		imap_reader_free(&r);
		return NULL;
	}
	r->conn = tcp_connect(env->tcp, host, cfg->server_ip, cfg->port ? cfg->port : 143, &reader_tcp, r);
	if (!r->conn) {
		imap_reader_free(&r);
		return NULL;
	}
	r->conn_id = tcp_conn_id(r->conn);
	return r;
}

void imap_reader_free(struct imap_reader **rp)
{
	if (!rp || !*rp)
		return;
	struct imap_reader *r = *rp;
	if (r->timer)
		sim_cancel(r->env->sim, r->timer);
	if (r->conn)
		tcp_abort(r->conn);
	imap_client_free(&r->client);
	free(r);
	*rp = NULL;
}

const struct imap_reader_stats *imap_reader_stats(const struct imap_reader *r) { return &r->stats; }

int imap_reader_finished(const struct imap_reader *r) { return r->stats.done && !r->conn && !r->timer; }

/* The viewer's controls (see control.h). */
#include "viz/control.h"
#include "viz/explain_view.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sim/core/bus.h"
#include "sim/core/sim.h"
#include "sim/net/net.h"
#include "viz/describe.h"
#include "viz/inspect.h"
#include "viz/msgtrack.h"
#include "viz/rows.h"
#include "viz/scene.h"

static const double speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])

/* How long a drop stays on screen, in wall time. */
#define DROP_WALL_NS 1500000000.0
/* A live run: how far stepping to a line or a hop may run ahead (real
 * clients type at their pace; running hours of simulated time ahead of
 * them would fire their sessions' timeouts), and how much simulated time a
 * busy run may owe the wall clock and make up in later frames. */
#define LIVE_STEP_LIMIT (2 * SIM_S)
#define LIVE_MAX_DEBT (2 * SIM_S)

struct viz_control {
	const struct viz_source *src;
	struct viz_control_opts o;
	struct viz_world world;
	int have_world;
	struct viz_scene *scene;
	struct viz_frame *frame;
	sim_time now, end;
	int end_known, drained;
	int playing, help, projector, quit, dragging;
	double speed;
	enum viz_lang lang;
	struct viz_hit selected;
	uint64_t last_tick_events;
	int64_t last_replay_ns;
	int msg; /* inspected message, -1 if none */
	sim_time debt; /* live: simulated time a capped tick did not run yet */
	char notice[300];
	/* Breakpoints; armed only while playing or stepping to a hop. */
	int bp_5xx, bp_mailbox, bp_armed, bp_hit;
	char bp_cmd[16];
	char breaks[64];
	char break_note[200];
};

/* The commands K cycles through when no client line is selected. */
static const char *const break_cmds[] = {"EHLO", "MAIL", "RCPT", "DATA", "QUIT", "STARTTLS",
					 "USER", "RETR", "DELE", "SELECT", "FETCH", "SEARCH"};
#define NBREAK_CMDS (sizeof break_cmds / sizeof break_cmds[0])

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct viz_control_opts viz_control_opts_default(void)
{
	struct viz_control_opts o = {.speed = 0.1, .lang = VIZ_LANG_EN};
	return o;
}

static double clamp_speed(double s)
{
	if (!(s >= speeds[0]))
		return speeds[0];
	return s > speeds[NSPEEDS - 1] ? speeds[NSPEEDS - 1] : s;
}

static void apply_linger(struct viz_control *c)
{
	if (c->scene)
		viz_scene_set_drop_linger(c->scene, (sim_time)(DROP_WALL_NS * c->speed));
}

static void on_break_record(void *ctx, const struct obs_record *r);

static void drop_world(struct viz_control *c)
{
	if (c->have_world)
		bus_unsubscribe(sim_bus(c->world.sim), on_break_record, c);
	viz_scene_free(&c->scene);
	if (c->have_world)
		c->src->destroy(c->src->ctx, &c->world);
	c->have_world = 0;
}

static int new_world(struct viz_control *c, char *err, size_t errlen)
{
	drop_world(c);
	if (c->src->build(c->src->ctx, &c->world, err, errlen) < 0)
		return -1;
	c->have_world = 1;
	c->scene = viz_scene_new(c->src, &c->world);
	if (!c->scene) {
		snprintf(err, errlen, "out of memory building the scene");
		drop_world(c);
		return -1;
	}
	/* After the scene, so a stop finds the scene up to date. */
	if (bus_subscribe(sim_bus(c->world.sim), OBS_MASK(OBS_LINE) | OBS_MASK(OBS_MAIL), on_break_record, c) < 0) {
		snprintf(err, errlen, "out of memory building the scene");
		drop_world(c);
		return -1;
	}
	apply_linger(c);
	c->now = 0;
	c->drained = 0;
	return 0;
}

static const char *host_label(const struct viz_control *c, int h)
{
	return h >= 0 && h < net_host_count(c->world.net) ? net_host_name(c->world.net, h) : "-";
}

/* The verb of a command line: its first word, upper case, into buf. */
static void verb_of(const char *text, size_t len, char *buf, size_t size)
{
	size_t n = 0;
	while (n < len && n + 1 < size && text[n] != ' ' && text[n] != ':')
		n++;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)toupper((unsigned char)text[i]);
	buf[n] = '\0';
}

/* IMAP commands come after a tag ("a1 FETCH 1 BODY[]"): the verb is then
 * the second word. */
static int command_matches(const char *proto, const char *text, size_t len, const char *verb)
{
	char v[16];
	verb_of(text, len, v, sizeof v);
	if (strcasecmp(v, verb) == 0)
		return 1;
	if (proto && strcmp(proto, "IMAP") == 0) {
		const char *sp = memchr(text, ' ', len);
		if (sp) {
			verb_of(sp + 1, len - (size_t)(sp + 1 - text), v, sizeof v);
			return strcasecmp(v, verb) == 0;
		}
	}
	return 0;
}

static void on_break_record(void *ctx, const struct obs_record *r)
{
	struct viz_control *c = ctx;
	if (!c->bp_armed || c->bp_hit)
		return;
	char note[200] = "";
	if (r->type == OBS_LINE) {
		const char *t = r->u.line.text ? r->u.line.text : "";
		size_t len = r->u.line.len;
		if (r->u.line.encrypted)
			return; /* nobody but the ends can read it */
		if (c->bp_5xx && !r->u.line.from_client && len >= 3 && t[0] == '5' && isdigit((unsigned char)t[1]) &&
		    isdigit((unsigned char)t[2]) && (len == 3 || t[3] == ' ' || t[3] == '-'))
			snprintf(note, sizeof note, "5xx: %s -> %s %.*s", host_label(c, r->u.line.host),
				 host_label(c, r->u.line.peer), (int)(len > 120 ? 120 : len), t);
		else if (c->bp_cmd[0] && r->u.line.from_client && command_matches(r->u.line.proto, t, len, c->bp_cmd))
			snprintf(note, sizeof note, "%s: %s -> %s %.*s", c->bp_cmd, host_label(c, r->u.line.host),
				 host_label(c, r->u.line.peer), (int)(len > 120 ? 120 : len), t);
	} else if (r->type == OBS_MAIL && c->bp_mailbox && r->u.mail.event == OBS_MAIL_DELIVERED) {
		snprintf(note, sizeof note, "mailbox: %s %s (%s) at %s", r->u.mail.queue_id ? r->u.mail.queue_id : "",
			 r->u.mail.rcpt ? r->u.mail.rcpt : "", r->u.mail.text ? r->u.mail.text : "",
			 host_label(c, r->u.mail.host));
	}
	if (note[0]) {
		c->bp_hit = 1;
		snprintf(c->break_note, sizeof c->break_note, "%s", note);
	}
}

static void update_breaks(struct viz_control *c)
{
	snprintf(c->breaks, sizeof c->breaks, "%s%s%s%s%s", c->bp_5xx ? "5xx" : "",
		 c->bp_5xx && c->bp_cmd[0] ? ", " : "", c->bp_cmd, (c->bp_5xx || c->bp_cmd[0]) && c->bp_mailbox ? ", " : "",
		 c->bp_mailbox ? "mailbox" : "");
}

void viz_control_set_break(struct viz_control *c, enum viz_break kind, int on, const char *verb)
{
	switch (kind) {
	case VIZ_BREAK_5XX:
		c->bp_5xx = on != 0;
		break;
	case VIZ_BREAK_MAILBOX:
		c->bp_mailbox = on != 0;
		break;
	case VIZ_BREAK_COMMAND:
		if (on && verb && *verb)
			verb_of(verb, strlen(verb), c->bp_cmd, sizeof c->bp_cmd);
		else
			c->bp_cmd[0] = '\0';
		break;
	}
	update_breaks(c);
}

const char *viz_control_breaks(const struct viz_control *c) { return c->breaks; }
const char *viz_control_break_note(const struct viz_control *c) { return c->break_note; }

/* Runs every event up to t with no cap (seeking), and moves the view to t
 * (to the run's end at most). */
static void run_to(struct viz_control *c, sim_time t)
{
	if (c->src->until != SIM_TIME_NEVER && t > c->src->until)
		t = c->src->until;
	if (t < c->now)
		return;
	enum sim_stop_reason r = sim_run_until(c->world.sim, t);
	if (r == SIM_DRAINED || r == SIM_FAILED)
		c->drained = 1;
	c->now = t;
}

/* Learns the end of the run with a throwaway replay, bounded in wall time
 * so a huge scenario still opens at once. */
static void learn_end(struct viz_control *c)
{
	struct viz_world w;
	char err[256];
	c->end_known = 0;
	c->end = SIM_S;
	if (c->src->build(c->src->ctx, &w, err, sizeof err) < 0)
		return;
	int64_t t0 = c->o.wall_ns(), limit = 2000000000;
	sim_time step = 100 * SIM_MS, until = c->src->until;
	for (;;) {
		sim_time to = sim_now(w.sim) + step;
		if (until != SIM_TIME_NEVER && to >= until) {
			sim_run_until(w.sim, until);
			c->end = until;
			c->end_known = 1;
			break;
		}
		enum sim_stop_reason r = sim_run_until(w.sim, to);
		if (r == SIM_DRAINED || r == SIM_FAILED) {
			c->end = sim_now(w.sim);
			c->end_known = 1;
			break;
		}
		if (c->o.wall_ns() - t0 > limit) {
			c->end = sim_now(w.sim);
			break;
		}
		step *= 2;
	}
	if (c->end <= 0)
		c->end = SIM_S;
	c->src->destroy(c->src->ctx, &w);
}

struct viz_control *viz_control_new(const struct viz_source *src, const struct viz_control_opts *o, char *err,
				    size_t errlen)
{
	struct viz_control *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->src = src;
	c->o = o ? *o : viz_control_opts_default();
	if (!c->o.wall_ns)
		c->o.wall_ns = mono_ns;
	if (!c->o.max_events)
		c->o.max_events = 50000;
	if (!c->o.budget_ns)
		c->o.budget_ns = 8000000;
	c->speed = clamp_speed(c->o.speed);
	c->lang = c->o.lang;
	c->projector = c->o.projector;
	c->playing = c->o.playing;
	c->last_replay_ns = -1;
	c->msg = -1;
	c->frame = viz_frame_new();
	if (!c->frame) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
	viz_control_set_break(c, VIZ_BREAK_5XX, c->o.break_5xx, NULL);
	viz_control_set_break(c, VIZ_BREAK_MAILBOX, c->o.break_mailbox, NULL);
	viz_control_set_break(c, VIZ_BREAK_COMMAND, c->o.break_cmd != NULL, c->o.break_cmd);
	/* A live world exists once: no throwaway replay to learn the end. */
	if (!src->live)
		learn_end(c);
	if (new_world(c, err, errlen) < 0) {
		viz_control_free(&c);
		return NULL;
	}
	return c;
}

void viz_control_free(struct viz_control **cp)
{
	struct viz_control *c = cp ? *cp : NULL;
	if (!c)
		return;
	drop_world(c);
	viz_frame_free(&c->frame);
	free(c);
	*cp = NULL;
}

static int at_end(const struct viz_control *c)
{
	return (c->drained && c->end_known && c->now >= c->end) ||
	       (c->src->until != SIM_TIME_NEVER && c->now >= c->src->until);
}

void viz_control_tick(struct viz_control *c, int64_t wall_dt_ns)
{
	c->last_tick_events = 0;
	if (!c->playing || !c->have_world)
		return;
	if (at_end(c)) {
		c->playing = 0;
		return;
	}
	sim_time target = c->now + (sim_time)((double)wall_dt_ns * c->speed);
	/* A live run keeps up with the wall clock: what a busy frame could not
	 * run comes in the next ones (up to a bound, past which it plays
	 * slower, as a replayed run does). */
	if (c->src->live)
		target += c->debt;
	if (c->end_known && c->drained && target > c->end)
		target = c->end;
	if (c->src->until != SIM_TIME_NEVER && target > c->src->until)
		target = c->src->until;
	/* Event by event up to the target, so the cap is exact: a busy run
	 * plays slower than asked instead of holding up the frame. */
	struct sim *sim = c->world.sim;
	uint64_t ev0 = sim_events_run(sim), ran = 0;
	int64_t t0 = c->o.wall_ns();
	int capped = 0;
	c->bp_armed = 1;
	c->bp_hit = 0;
	while (!c->drained) {
		if (c->bp_hit) {
			capped = 1; /* stop right here: the view shows the breakpoint's moment */
			c->playing = 0;
			break;
		}
		sim_time next = sim_next_time(sim);
		if (next == SIM_TIME_NEVER && sim_events_pending(sim) == 0) {
			c->drained = 1;
			break;
		}
		if (next > target)
			break;
		if (ran >= c->o.max_events || ((ran & 63) == 63 && c->o.wall_ns() - t0 >= c->o.budget_ns)) {
			capped = 1;
			break;
		}
		if (sim_step(sim) != SIM_STEPPED)
			c->drained = 1;
		ran++;
	}
	if (c->bp_hit && !capped) {
		capped = 1;
		c->playing = 0;
	}
	c->bp_armed = 0;
	c->debt = 0;
	if (capped) {
		if (sim_now(sim) > c->now)
			c->now = sim_now(sim);
		if (c->src->live && c->playing && target > c->now)
			c->debt = target - c->now < LIVE_MAX_DEBT ? target - c->now : LIVE_MAX_DEBT;
	} else {
		if (!c->drained)
			sim_run_until(sim, target); /* nothing left before target: moves the clock */
		c->now = target;
	}
	c->last_tick_events = sim_events_run(c->world.sim) - ev0;
	if (c->drained && !c->end_known) {
		c->end = c->now;
		c->end_known = 1;
	}
	if (c->now > c->end)
		c->end = c->now;
	viz_scene_prune(c->scene, c->now);
	if (at_end(c))
		c->playing = 0;
}

int viz_control_seek(struct viz_control *c, sim_time t)
{
	/* A live run cannot be replayed, and jumping ahead would run the real
	 * clients' sessions past them. */
	if (c->src->live)
		return t == c->now ? 0 : -1;
	if (t < 0)
		t = 0;
	if (c->end_known && t > c->end)
		t = c->end;
	if (t >= c->now && c->have_world) {
		run_to(c, t);
	} else {
		char err[256];
		int64_t t0 = c->o.wall_ns();
		if (new_world(c, err, sizeof err) < 0)
			return -1;
		run_to(c, t);
		c->last_replay_ns = c->o.wall_ns() - t0;
	}
	if (c->now > c->end)
		c->end = c->now;
	viz_scene_prune(c->scene, c->now);
	return 0;
}

int viz_control_step(struct viz_control *c)
{
	c->playing = 0;
	if (!c->have_world || c->drained)
		return 0;
	enum sim_stop_reason r = sim_step(c->world.sim);
	if (r != SIM_STEPPED) {
		c->drained = 1;
		return 0;
	}
	if (sim_now(c->world.sim) > c->now)
		c->now = sim_now(c->world.sim);
	if (c->now > c->end)
		c->end = c->now;
	return 1;
}

int viz_control_step_line(struct viz_control *c)
{
	uint64_t before = viz_scene_stats(c->scene)->lines;
	sim_time limit = c->src->live ? c->now + LIVE_STEP_LIMIT : SIM_TIME_NEVER;
	for (int i = 0; i < 1000000; i++) {
		if (sim_next_time(c->world.sim) > limit || !viz_control_step(c))
			return 0;
		if (viz_scene_stats(c->scene)->lines != before)
			return 1;
	}
	return 0;
}

int viz_control_step_hop(struct viz_control *c)
{
	const struct viz_msgs *ms = viz_scene_msgs(c->scene);
	int target = c->msg;
	uint64_t before = target >= 0 && (size_t)target < viz_msgs_count(ms) ? viz_msgs_get(ms, (size_t)target)->hops
									     : viz_msgs_hops(ms);
	if (target >= 0 && (size_t)target >= viz_msgs_count(ms))
		target = -1;
	c->bp_armed = 1;
	c->bp_hit = 0;
	c->break_note[0] = '\0';
	int got = 0;
	sim_time limit = c->src->live ? c->now + LIVE_STEP_LIMIT : SIM_TIME_NEVER;
	for (int i = 0; i < 1000000 && !got; i++) {
		if (sim_next_time(c->world.sim) > limit || !viz_control_step(c))
			break;
		ms = viz_scene_msgs(c->scene);
		if (target >= 0)
			got = viz_msgs_get(ms, (size_t)target)->hops != before;
		else if (viz_msgs_hops(ms) != before) {
			got = 1;
			c->msg = viz_msgs_last_hop_msg(ms);
		}
		if (c->bp_hit)
			break;
	}
	c->bp_armed = 0;
	return got;
}

void viz_control_select_message(struct viz_control *c, int msg) { c->msg = msg < 0 ? -1 : msg; }
int viz_control_message(const struct viz_control *c) { return c->msg; }

static void next_message(struct viz_control *c)
{
	size_t n = viz_msgs_count(viz_scene_msgs(c->scene));
	/* Only messages already on their way by now (the scene may hold none later). */
	if (n == 0) {
		c->msg = -1;
		return;
	}
	c->msg = c->msg + 1 >= (int)n ? -1 : c->msg + 1;
}

/* K: the selected client line's command, else the next in the list. */
static void cycle_break_cmd(struct viz_control *c)
{
	if (c->selected.kind == VIZ_HIT_LINE) {
		const struct viz_log_entry *e = viz_scene_log_seq(c->scene, c->selected.id);
		if (e && strcmp(e->b, "C:") == 0 && e->text[0] && e->text[0] != '.') {
			char v[16];
			const char *t = e->text;
			if (strcmp(e->a, "IMAP") == 0 && strchr(t, ' '))
				t = strchr(t, ' ') + 1;
			verb_of(t, strlen(t), v, sizeof v);
			if (strcmp(v, c->bp_cmd) != 0) {
				viz_control_set_break(c, VIZ_BREAK_COMMAND, 1, v);
				return;
			}
		}
	}
	size_t i = 0;
	while (i < NBREAK_CMDS && strcasecmp(break_cmds[i], c->bp_cmd) != 0)
		i++;
	/* Not in the list (or none): the first; the last: none. */
	if (!c->bp_cmd[0] || i == NBREAK_CMDS)
		viz_control_set_break(c, VIZ_BREAK_COMMAND, 1, break_cmds[0]);
	else if (i + 1 < NBREAK_CMDS)
		viz_control_set_break(c, VIZ_BREAK_COMMAND, 1, break_cmds[i + 1]);
	else
		viz_control_set_break(c, VIZ_BREAK_COMMAND, 0, NULL);
}

void viz_control_set_playing(struct viz_control *c, int playing)
{
	c->playing = playing != 0;
	if (c->playing)
		c->break_note[0] = '\0';
	if (c->playing && at_end(c) && !c->src->live)
		viz_control_seek(c, 0);
}

void viz_control_set_speed(struct viz_control *c, double speed)
{
	c->speed = clamp_speed(speed);
	apply_linger(c);
}

static void speed_step(struct viz_control *c, int dir)
{
	size_t i = 0;
	while (i + 1 < NSPEEDS && speeds[i] < c->speed - 1e-9)
		i++;
	if (dir > 0 && speeds[i] <= c->speed + 1e-9 && i + 1 < NSPEEDS)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	viz_control_set_speed(c, speeds[i]);
}

void viz_control_select(struct viz_control *c, struct viz_hit hit) { c->selected = hit; }

static void on_key(struct viz_control *c, enum viz_key k)
{
	sim_time jump = c->end / 50 > 0 ? c->end / 50 : SIM_MS;
	switch (k) {
	case VIZ_KEY_PLAY:
		viz_control_set_playing(c, !c->playing);
		break;
	case VIZ_KEY_STEP:
		viz_control_step(c);
		break;
	case VIZ_KEY_STEP_LINE:
		viz_control_step_line(c);
		break;
	case VIZ_KEY_FASTER:
		speed_step(c, 1);
		break;
	case VIZ_KEY_SLOWER:
		speed_step(c, -1);
		break;
	case VIZ_KEY_BACK:
		viz_control_seek(c, c->now - jump);
		break;
	case VIZ_KEY_FORWARD:
		viz_control_seek(c, c->now + jump);
		break;
	case VIZ_KEY_HOME:
		viz_control_seek(c, 0);
		break;
	case VIZ_KEY_END:
		viz_control_seek(c, c->end);
		break;
	case VIZ_KEY_HELP:
		c->help = !c->help;
		break;
	case VIZ_KEY_PROJECTOR:
		c->projector = !c->projector;
		break;
	case VIZ_KEY_LANG:
		c->lang = c->lang == VIZ_LANG_EN ? VIZ_LANG_ES : VIZ_LANG_EN;
		break;
	case VIZ_KEY_ESCAPE:
		if (c->help)
			c->help = 0;
		else if (c->selected.kind != VIZ_HIT_NONE)
			c->selected.kind = VIZ_HIT_NONE;
		else
			c->msg = -1;
		break;
	case VIZ_KEY_QUIT:
		c->quit = 1;
		break;
	case VIZ_KEY_STEP_HOP:
		viz_control_step_hop(c);
		break;
	case VIZ_KEY_NEXT_MESSAGE:
		next_message(c);
		break;
	case VIZ_KEY_BREAK_5XX:
		viz_control_set_break(c, VIZ_BREAK_5XX, !c->bp_5xx, NULL);
		break;
	case VIZ_KEY_BREAK_CMD:
		cycle_break_cmd(c);
		break;
	case VIZ_KEY_BREAK_MAILBOX:
		viz_control_set_break(c, VIZ_BREAK_MAILBOX, !c->bp_mailbox, NULL);
		break;
	case VIZ_KEY_NONE:
		break;
	}
}

void viz_control_input(struct viz_control *c, const struct viz_input *in)
{
	switch (in->kind) {
	case VIZ_IN_KEY:
		on_key(c, in->key);
		break;
	case VIZ_IN_PRESS: {
		if (c->help) {
			c->help = 0;
			break;
		}
		struct viz_hit h = viz_frame_hit(c->frame, in->x, in->y);
		if (h.kind == VIZ_HIT_TIMELINE) {
			c->dragging = 1;
			viz_control_seek(c, h.time);
		} else {
			c->selected = h;
			/* A line of a mail transaction: inspect its message too. */
			const struct viz_log_entry *e = h.kind == VIZ_HIT_LINE ? viz_scene_log_seq(c->scene, h.id) : NULL;
			if (e) {
				int m = viz_msgs_find_line(viz_scene_msgs(c->scene), e->host, e->aux, e->time);
				if (m >= 0)
					c->msg = m;
			}
		}
		break;
	}
	case VIZ_IN_MOTION:
		if (c->dragging)
			viz_control_seek(c, viz_frame_timeline_time(c->frame, in->x));
		break;
	case VIZ_IN_RELEASE:
		c->dragging = 0;
		break;
	case VIZ_IN_QUIT:
		c->quit = 1;
		break;
	}
}

const struct viz_frame *viz_control_frame(struct viz_control *c, int w, int h, const struct viz_text_metrics *m)
{
	c->notice[0] = '\0';
	if (c->src->status)
		c->src->status(c->src->ctx, c->playing, c->lang, c->notice, sizeof c->notice);
	struct viz_view v = {
	    .width = w,
	    .height = h,
	    .now = c->now,
	    .end = c->src->live ? c->now : c->end,
	    .speed = c->speed,
	    .playing = c->playing,
	    .finished = at_end(c),
	    .help = c->help,
	    .projector = c->projector,
	    .lang = c->lang,
	    .title = c->src->title,
	    .selected = c->selected,
	    .replay_ms = c->last_replay_ns >= 0 ? (double)c->last_replay_ns / 1e6 : -1,
	    .msg = c->msg,
	    .highlight = c->scene ? viz_scene_drop_linger(c->scene) : 0,
	    .breaks = c->breaks,
	    .break_note = c->break_note,
	    .notice = c->notice,
	    .notice_alert = c->src->live && !c->playing,
	};
	if (c->scene)
		viz_frame_build(c->frame, c->scene, &v, m);
	return c->frame;
}

sim_time viz_control_now(const struct viz_control *c) { return c->now; }
sim_time viz_control_end(const struct viz_control *c) { return c->end; }
int viz_control_playing(const struct viz_control *c) { return c->playing; }
int viz_control_finished(const struct viz_control *c) { return at_end(c); }
double viz_control_speed(const struct viz_control *c) { return c->speed; }
int viz_control_help(const struct viz_control *c) { return c->help; }
int viz_control_projector(const struct viz_control *c) { return c->projector; }
enum viz_lang viz_control_lang(const struct viz_control *c) { return c->lang; }
int viz_control_quit(const struct viz_control *c) { return c->quit; }
struct viz_hit viz_control_selected(const struct viz_control *c) { return c->selected; }
struct viz_scene *viz_control_scene(const struct viz_control *c) { return c->scene; }
uint64_t viz_control_last_tick_events(const struct viz_control *c) { return c->last_tick_events; }
int64_t viz_control_last_replay_ns(const struct viz_control *c) { return c->last_replay_ns; }

char *viz_control_describe(struct viz_control *c)
{
	char *scene = viz_scene_describe(c->scene, c->now);
	struct viz_rows *r = viz_rows_new();
	char *out = NULL;
	if (!scene || !r)
		goto done;
	char sel[256] = "";
	switch (c->selected.kind) {
	case VIZ_HIT_HOST:
		snprintf(sel, sizeof sel, "selected host %s\n", host_label(c, (int)c->selected.id));
		break;
	case VIZ_HIT_LINK:
		snprintf(sel, sizeof sel, "selected link %llu\n", (unsigned long long)c->selected.id);
		break;
	case VIZ_HIT_PACKET:
		snprintf(sel, sizeof sel, "selected packet %llu\n", (unsigned long long)c->selected.id);
		break;
	case VIZ_HIT_LINE: {
		int o = snprintf(sel, sizeof sel, "selected line %llu\n", (unsigned long long)c->selected.id);
		const struct viz_log_entry *e = viz_scene_log_seq(c->scene, c->selected.id);
		const char *keys[4];
		size_t k = e ? viz_explain_keys(e, keys, 4) : 0;
		for (size_t i = 0; i < k && o > 0 && (size_t)o < sizeof sel; i++)
			o += snprintf(sel + o, sizeof sel - (size_t)o, "explain %s\n", keys[i]);
		break;
	}
	default:
		break;
	}
	int host = c->selected.kind == VIZ_HIT_HOST ? (int)c->selected.id : -1;
	if (c->msg >= 0)
		viz_inspect_message(r, c->scene, c->msg, host, c->now, viz_scene_drop_linger(c->scene), VIZ_LANG_EN);
	if (host >= 0)
		viz_inspect_host(r, c->scene, host, c->now, VIZ_LANG_EN);
	char *rows = viz_rows_describe(r, "inspect");
	if (!rows)
		goto done;
	size_t n = strlen(scene) + strlen(sel) + strlen(rows) + strlen(c->breaks) + strlen(c->break_note) + 64;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s%s%s%s%s%s%s%s", scene, sel, c->breaks[0] ? "breaks " : "", c->breaks,
			 c->breaks[0] ? "\n" : "", c->break_note[0] ? "break " : "", c->break_note,
			 c->break_note[0] ? "\n" : "");
	if (out) {
		char *all = malloc(strlen(out) + strlen(rows) + 1);
		if (all) {
			strcpy(all, out);
			strcat(all, rows);
		}
		free(out);
		out = all;
	}
	free(rows);
done:
	free(scene);
	viz_rows_free(&r);
	return out;
}

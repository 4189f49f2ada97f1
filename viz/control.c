/* The viewer's controls (see control.h). */
#include "viz/control.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/core/sim.h"
#include "viz/scene.h"

static const double speeds[] = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define NSPEEDS (sizeof speeds / sizeof speeds[0])

/* How long a drop stays on screen, in wall time. */
#define DROP_WALL_NS 1500000000.0

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
};

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

static void drop_world(struct viz_control *c)
{
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
	apply_linger(c);
	c->now = 0;
	c->drained = 0;
	return 0;
}

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
	c->frame = viz_frame_new();
	if (!c->frame) {
		snprintf(err, errlen, "out of memory");
		free(c);
		return NULL;
	}
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
	while (!c->drained) {
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
	if (capped) {
		if (sim_now(sim) > c->now)
			c->now = sim_now(sim);
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
	for (int i = 0; i < 1000000; i++) {
		if (!viz_control_step(c))
			return 0;
		if (viz_scene_stats(c->scene)->lines != before)
			return 1;
	}
	return 0;
}

void viz_control_set_playing(struct viz_control *c, int playing)
{
	c->playing = playing != 0;
	if (c->playing && at_end(c))
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
		else
			c->selected.kind = VIZ_HIT_NONE;
		break;
	case VIZ_KEY_QUIT:
		c->quit = 1;
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
	struct viz_view v = {
	    .width = w,
	    .height = h,
	    .now = c->now,
	    .end = c->end,
	    .speed = c->speed,
	    .playing = c->playing,
	    .finished = at_end(c),
	    .help = c->help,
	    .projector = c->projector,
	    .lang = c->lang,
	    .title = c->src->title,
	    .selected = c->selected,
	    .replay_ms = c->last_replay_ns >= 0 ? (double)c->last_replay_ns / 1e6 : -1,
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

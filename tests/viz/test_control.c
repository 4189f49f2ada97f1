/* The control layer fed synthetic inputs: play and pause, step exactly one
 * event, the speed ladder and its limits, playing in bounded steps, clicks
 * that select a host (and Escape that clears it), the timeline click and
 * drag that seek, help, projector mode and language. No SDL. */
#include <stdlib.h>

#include "harness.h"
#include "sim/core/sim.h"
#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/scene.h"
#include "viz_fixture.h"

static struct viz_source *src;

static struct viz_control *open_ctl(void)
{
	char err[256] = "";
	struct viz_control_opts o = viz_control_opts_default();
	struct viz_control *c = viz_control_new(src, &o, err, sizeof err);
	if (!c)
		fprintf(stderr, "control: %s\n", err);
	return c;
}

static void key(struct viz_control *c, enum viz_key k)
{
	struct viz_input in = {VIZ_IN_KEY, k, 0, 0};
	viz_control_input(c, &in);
}

static void mouse(struct viz_control *c, enum viz_input_kind kind, int x, int y)
{
	struct viz_input in = {kind, VIZ_KEY_NONE, x, y};
	viz_control_input(c, &in);
}

static uint64_t events_run(struct viz_control *c) { return sim_events_run(viz_scene_world(viz_control_scene(c))->sim); }

static void test_play_pause(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	CHECK(!viz_control_playing(c));
	viz_control_tick(c, 16000000);
	CHECK_EQ_INT(viz_control_now(c), 0); /* paused: time stands still */
	key(c, VIZ_KEY_PLAY);
	CHECK(viz_control_playing(c));
	viz_control_tick(c, 16000000);
	/* 16 ms of wall time at the default 0.1x is 1.6 ms simulated. */
	CHECK_EQ_INT(viz_control_now(c), 1600 * SIM_US);
	key(c, VIZ_KEY_PLAY);
	CHECK(!viz_control_playing(c));
	viz_control_tick(c, 16000000);
	CHECK_EQ_INT(viz_control_now(c), 1600 * SIM_US);
	viz_control_free(&c);
}

static void test_step(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	key(c, VIZ_KEY_PLAY);
	uint64_t before = events_run(c);
	key(c, VIZ_KEY_STEP);
	CHECK(!viz_control_playing(c)); /* stepping pauses */
	CHECK_EQ_INT(events_run(c), before + 1);
	/* The first event is the client's start at 100 ms. */
	CHECK_EQ_INT(viz_control_now(c), 100 * SIM_MS);
	key(c, VIZ_KEY_STEP);
	CHECK_EQ_INT(events_run(c), before + 2);
	/* Stepping to the end: every event once, then nothing. */
	int n = 0;
	while (viz_control_step(c) && n < 100000)
		n++;
	CHECK(n > 10 && n < 100000);
	CHECK(!viz_control_step(c));
	viz_control_free(&c);
}

static void test_speed(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	CHECK(viz_control_speed(c) > 0.099 && viz_control_speed(c) < 0.101);
	key(c, VIZ_KEY_SLOWER);
	CHECK(viz_control_speed(c) > 0.099 && viz_control_speed(c) < 0.101); /* the floor */
	key(c, VIZ_KEY_FASTER);
	CHECK(viz_control_speed(c) > 0.199 && viz_control_speed(c) < 0.201);
	for (int i = 0; i < 30; i++)
		key(c, VIZ_KEY_FASTER);
	CHECK(viz_control_speed(c) > 999 && viz_control_speed(c) < 1001); /* the ceiling */
	key(c, VIZ_KEY_SLOWER);
	CHECK(viz_control_speed(c) > 499 && viz_control_speed(c) < 501);
	viz_control_set_speed(c, 1e9);
	CHECK(viz_control_speed(c) > 999 && viz_control_speed(c) < 1001);
	viz_control_set_speed(c, 0);
	CHECK(viz_control_speed(c) > 0.099 && viz_control_speed(c) < 0.101);
	/* The drop linger follows the speed: about 1.5 s of wall time. */
	viz_control_set_speed(c, 2);
	CHECK_EQ_INT(viz_scene_drop_linger(viz_control_scene(c)), 3 * SIM_S);
	viz_control_free(&c);
}

/* A tick never runs more events than its cap (plus one slice's worth),
 * and when the cap stops it, simulated time lags instead of the frame. */
static void test_bounded_ticks(void)
{
	char err[256];
	struct viz_control_opts o = viz_control_opts_default();
	o.max_events = 20;
	o.speed = 1000;
	o.playing = 1;
	struct viz_control *c = viz_control_new(src, &o, err, sizeof err);
	REQUIRE(c);
	uint64_t most = 0;
	int ticks = 0;
	while (viz_control_playing(c) && ticks < 100000) {
		viz_control_tick(c, 16000000);
		if (viz_control_last_tick_events(c) > most)
			most = viz_control_last_tick_events(c);
		ticks++;
	}
	CHECK(viz_control_finished(c));
	CHECK(most > 0);
	CHECK(most < 200);
	CHECK(ticks > 2);
	viz_control_free(&c);
}

static void test_select_host(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	/* Find the server's box (host 2) in the frame and click inside it. */
	const struct viz_cmd *box = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_HOST && k->index == 2)
			box = k;
	}
	REQUIRE(box);
	struct viz_cmd bx = *box; /* the frame is rebuilt below */
	box = &bx;
	mouse(c, VIZ_IN_PRESS, (int)(box->x + box->w / 2), (int)(box->y + box->h / 2));
	mouse(c, VIZ_IN_RELEASE, (int)(box->x + box->w / 2), (int)(box->y + box->h / 2));
	struct viz_hit h = viz_control_selected(c);
	CHECK_EQ_INT(h.kind, VIZ_HIT_HOST);
	CHECK_EQ_INT(h.id, 2);
	/* The next frame shows the selection and its details. */
	f = viz_control_frame(c, 1280, 720, NULL);
	int details = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_TEXT && (k->tag == VIZ_TAG_SELECTION || k->tag == VIZ_TAG_INSPECT) &&
		    strstr(viz_frame_text(f, k), "server"))
			details++;
	}
	CHECK(details > 0);
	key(c, VIZ_KEY_ESCAPE);
	CHECK_EQ_INT(viz_control_selected(c).kind, VIZ_HIT_NONE);
	/* A click on empty space clears too. */
	mouse(c, VIZ_IN_PRESS, (int)(box->x + 2), (int)(box->y + 2));
	CHECK_EQ_INT(viz_control_selected(c).kind, VIZ_HIT_HOST);
	mouse(c, VIZ_IN_PRESS, 3, 300);
	CHECK_EQ_INT(viz_control_selected(c).kind, VIZ_HIT_NONE);
	viz_control_free(&c);
}

static void test_timeline_drag(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	viz_control_frame(c, 1280, 720, NULL);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	float x0, w, y, h;
	viz_frame_timeline(f, &x0, &y, &w, &h);
	REQUIRE(w > 100);
	y += h / 2;
	sim_time end = viz_control_end(c);
	mouse(c, VIZ_IN_PRESS, (int)(x0 + w * 0.75f), (int)y);
	CHECK(llabs(viz_control_now(c) - end * 3 / 4) < end / 100);
	/* Dragging back replays from zero. */
	mouse(c, VIZ_IN_MOTION, (int)(x0 + w * 0.25f), (int)y + 50);
	CHECK(llabs(viz_control_now(c) - end / 4) < end / 100);
	CHECK(viz_control_last_replay_ns(c) >= 0);
	mouse(c, VIZ_IN_RELEASE, (int)(x0 + w * 0.25f), (int)y);
	sim_time at = viz_control_now(c);
	mouse(c, VIZ_IN_MOTION, (int)(x0 + w * 0.9f), (int)y);
	CHECK_EQ_INT(viz_control_now(c), at); /* released: motion does nothing */
	key(c, VIZ_KEY_HOME);
	CHECK_EQ_INT(viz_control_now(c), 0);
	key(c, VIZ_KEY_END);
	CHECK_EQ_INT(viz_control_now(c), end);
	CHECK(viz_control_finished(c));
	key(c, VIZ_KEY_BACK);
	CHECK_EQ_INT(viz_control_now(c), end - end / 50);
	viz_control_free(&c);
}

static void test_toggles(void)
{
	struct viz_control *c = open_ctl();
	REQUIRE(c);
	key(c, VIZ_KEY_HELP);
	CHECK(viz_control_help(c));
	/* With help up, a click closes it and selects nothing. */
	viz_control_frame(c, 800, 600, NULL);
	mouse(c, VIZ_IN_PRESS, 400, 300);
	CHECK(!viz_control_help(c));
	key(c, VIZ_KEY_HELP);
	key(c, VIZ_KEY_ESCAPE);
	CHECK(!viz_control_help(c));
	key(c, VIZ_KEY_PROJECTOR);
	CHECK(viz_control_projector(c));
	CHECK_EQ_INT(viz_control_lang(c), VIZ_LANG_EN);
	key(c, VIZ_KEY_LANG);
	CHECK_EQ_INT(viz_control_lang(c), VIZ_LANG_ES);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	int spanish = 0;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_TEXT && strcmp(viz_frame_text(f, k), "Registro de eventos") == 0)
			spanish = 1;
	}
	CHECK(spanish);
	CHECK(!viz_control_quit(c));
	key(c, VIZ_KEY_QUIT);
	CHECK(viz_control_quit(c));
	viz_control_free(&c);
}

static void test_lang(void)
{
	CHECK_EQ_INT(viz_lang_parse("es"), VIZ_LANG_ES);
	CHECK_EQ_INT(viz_lang_parse("es_AR.UTF-8"), VIZ_LANG_ES);
	CHECK_EQ_INT(viz_lang_parse("en_US.UTF-8"), VIZ_LANG_EN);
	CHECK_EQ_INT(viz_lang_parse("estonian"), VIZ_LANG_EN);
	CHECK_EQ_INT(viz_lang_parse(NULL), VIZ_LANG_EN);
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "es_ES.UTF-8", 1);
	setenv("LANG", "en_GB.UTF-8", 1);
	CHECK_EQ_INT(viz_lang_from_env(), VIZ_LANG_ES);
	setenv("LC_ALL", "C", 1);
	CHECK_EQ_INT(viz_lang_from_env(), VIZ_LANG_EN);
	/* Every string exists in both languages. */
	for (int i = 0; i < VIZ_S_COUNT; i++) {
		CHECK(viz_str(VIZ_LANG_EN, (enum viz_str)i)[0] != '?');
		CHECK(viz_str(VIZ_LANG_ES, (enum viz_str)i)[0] != '?');
	}
}

/* ---- a live run (mailsim bridge --view) ---- */

static int live_builds, live_status_calls, live_status_playing;

static int live_build(void *ctx, struct viz_world *w, char *err, size_t errlen)
{
	live_builds++;
	return src->build(ctx, w, err, errlen);
}

static void live_status(void *ctx, int playing, enum viz_lang lang, char *buf, size_t size)
{
	(void)ctx;
	(void)lang;
	live_status_calls++;
	live_status_playing = playing;
	snprintf(buf, size, "live");
}

static struct viz_source live_src(void)
{
	struct viz_source l = *src;
	l.build = live_build;
	l.live = 1;
	l.status = live_status;
	return l;
}

/* The world is built once (no replay to learn the end), time follows the
 * wall clock, seeking is refused and leaves the run alone, and the status
 * line is asked for with the play state. */
static void test_live_no_replay(void)
{
	struct viz_source l = live_src();
	char err[256];
	struct viz_control_opts o = viz_control_opts_default();
	o.speed = 1;
	o.playing = 1;
	live_builds = 0;
	struct viz_control *c = viz_control_new(&l, &o, err, sizeof err);
	REQUIRE(c);
	CHECK_EQ_INT(live_builds, 1);
	viz_control_tick(c, 16000000);
	CHECK_EQ_INT(viz_control_now(c), 16 * SIM_MS);
	CHECK(viz_control_seek(c, 0) < 0);
	CHECK(viz_control_seek(c, SIM_S) < 0);
	key(c, VIZ_KEY_HOME);
	key(c, VIZ_KEY_END);
	key(c, VIZ_KEY_BACK);
	CHECK_EQ_INT(viz_control_now(c), 16 * SIM_MS);
	CHECK_EQ_INT(live_builds, 1);
	live_status_calls = 0;
	viz_control_frame(c, 1280, 720, NULL);
	CHECK_EQ_INT(live_status_calls, 1);
	CHECK_EQ_INT(live_status_playing, 1);
	key(c, VIZ_KEY_PLAY);
	viz_control_frame(c, 1280, 720, NULL);
	CHECK_EQ_INT(live_status_playing, 0);
	/* Paused: simulated time is held. */
	viz_control_tick(c, 16000000);
	CHECK_EQ_INT(viz_control_now(c), 16 * SIM_MS);
	viz_control_free(&c);
}

/* A frame whose event cap stopped it owes the wall clock the rest, which a
 * live run makes up in the next frames (a replayed run just plays slower). */
static void test_live_catches_up(void)
{
	for (int live = 0; live <= 1; live++) {
		struct viz_source l = live ? live_src() : *src;
		char err[256];
		struct viz_control_opts o = viz_control_opts_default();
		o.max_events = 5;
		o.speed = 1;
		o.playing = 1;
		struct viz_control *c = viz_control_new(&l, &o, err, sizeof err);
		REQUIRE(c);
		viz_control_tick(c, 150000000); /* the flow starts at 100 ms */
		sim_time t1 = viz_control_now(c);
		CHECK(t1 < 150 * SIM_MS);
		viz_control_tick(c, 0);
		if (live)
			CHECK(viz_control_now(c) > t1);
		else
			CHECK_EQ_INT(viz_control_now(c), t1);
		for (int i = 0; i < 100000 && live && viz_control_now(c) < 150 * SIM_MS; i++)
			viz_control_tick(c, 0);
		if (live)
			CHECK(viz_control_now(c) >= 150 * SIM_MS);
		viz_control_free(&c);
	}
}

static void tick_forever(struct sim *sim, void *ctx)
{
	int *h = ctx;
	sim_after(sim, 10 * SIM_MS, *h, ctx);
}

/* Stepping to the next line runs at most a couple of simulated seconds
 * ahead in a live run: the line may be a real client's that has not been
 * typed yet. */
static void test_live_step_bounded(void)
{
	struct viz_source l = live_src();
	char err[256];
	struct viz_control_opts o = viz_control_opts_default();
	struct viz_control *c = viz_control_new(&l, &o, err, sizeof err);
	REQUIRE(c);
	struct sim *sim = viz_scene_world(viz_control_scene(c))->sim;
	static int h;
	h = sim_handler(sim, tick_forever);
	REQUIRE(h >= 0);
	sim_after(sim, 0, h, &h);
	/* Past the flow's lines, then nothing but the periodic event. */
	while (viz_control_now(c) < 5 * SIM_S && viz_control_step(c))
		;
	sim_time t0 = viz_control_now(c);
	CHECK(t0 >= 5 * SIM_S);
	CHECK_EQ_INT(viz_control_step_line(c), 0);
	CHECK(viz_control_now(c) <= t0 + 2 * SIM_S + 10 * SIM_MS);
	CHECK_EQ_INT(viz_control_step_hop(c), 0);
	CHECK(viz_control_now(c) <= t0 + 4 * SIM_S + 20 * SIM_MS);
	viz_control_free(&c);
}

int main(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 20000, 100 * SIM_MS);
	src = viz_gen_source_new(&o);
	RUN(test_play_pause);
	RUN(test_step);
	RUN(test_speed);
	RUN(test_bounded_ticks);
	RUN(test_select_host);
	RUN(test_timeline_drag);
	RUN(test_toggles);
	RUN(test_lang);
	RUN(test_live_no_replay);
	RUN(test_live_catches_up);
	RUN(test_live_step_bounded);
	viz_gen_source_free(&src);
	packet_pool_drain();
	return harness_done();
}

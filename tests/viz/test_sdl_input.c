/* Synthetic SDL events through the backend's translation into the control
 * layer: Space plays and pauses, N steps one event, + and - change speed,
 * F1 and shift+/ open help, P and L toggle, a left click on a host selects
 * it, a press and drag on the timeline seeks, closing the window quits.
 * No window is opened: SDL_Event is plain data. */
#include <SDL.h>
#include <stdlib.h>

#include "harness.h"
#include "sim/core/sim.h"
#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/scene.h"
#include "viz/sdl_input.h"
#include "viz_fixture.h"

static struct viz_control *ctl;

static void send(const SDL_Event *e)
{
	struct viz_input in;
	if (viz_sdl_translate(e, 1, 1, &in))
		viz_control_input(ctl, &in);
}

static void press_key(SDL_Keycode k, Uint16 mod)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = SDL_KEYDOWN;
	e.key.keysym.sym = k;
	e.key.keysym.mod = mod;
	send(&e);
}

static void click(int type, int x, int y, Uint8 button)
{
	SDL_Event e;
	memset(&e, 0, sizeof e);
	e.type = (Uint32)type;
	if (type == SDL_MOUSEMOTION) {
		e.motion.x = x;
		e.motion.y = y;
	} else {
		e.button.button = button;
		e.button.x = x;
		e.button.y = y;
	}
	send(&e);
}

static void test_keys(void)
{
	press_key(SDLK_SPACE, 0);
	CHECK(viz_control_playing(ctl));
	press_key(SDLK_SPACE, 0);
	CHECK(!viz_control_playing(ctl));
	uint64_t before = sim_events_run(viz_scene_world(viz_control_scene(ctl))->sim);
	press_key(SDLK_n, 0);
	CHECK_EQ_INT(sim_events_run(viz_scene_world(viz_control_scene(ctl))->sim), before + 1);
	press_key(SDLK_PERIOD, 0);
	CHECK_EQ_INT(sim_events_run(viz_scene_world(viz_control_scene(ctl))->sim), before + 2);
	double s0 = viz_control_speed(ctl);
	press_key(SDLK_PLUS, 0);
	press_key(SDLK_EQUALS, 0);
	CHECK(viz_control_speed(ctl) > s0 * 4.9 && viz_control_speed(ctl) < s0 * 5.1); /* 0.1 -> 0.2 -> 0.5 */
	press_key(SDLK_MINUS, 0);
	CHECK(viz_control_speed(ctl) > s0 * 1.9 && viz_control_speed(ctl) < s0 * 2.1);
	press_key(SDLK_F1, 0);
	CHECK(viz_control_help(ctl));
	press_key(SDLK_ESCAPE, 0);
	CHECK(!viz_control_help(ctl));
	press_key(SDLK_SLASH, 0); /* plain '/' is nothing */
	CHECK(!viz_control_help(ctl));
	press_key(SDLK_SLASH, KMOD_LSHIFT);
	CHECK(viz_control_help(ctl));
	press_key(SDLK_F1, 0);
	press_key(SDLK_p, 0);
	CHECK(viz_control_projector(ctl));
	press_key(SDLK_l, 0);
	CHECK_EQ_INT(viz_control_lang(ctl), VIZ_LANG_ES);
	press_key(SDLK_a, 0); /* unbound */
	CHECK(!viz_control_quit(ctl));
}

static void test_mouse(void)
{
	const struct viz_frame *f = viz_control_frame(ctl, 1280, 720, NULL);
	struct viz_cmd box = {0};
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_HOST && k->index == 1)
			box = *k;
	}
	REQUIRE(box.w > 0);
	/* A right click does nothing; a left click selects. */
	click(SDL_MOUSEBUTTONDOWN, (int)(box.x + 3), (int)(box.y + 3), SDL_BUTTON_RIGHT);
	CHECK_EQ_INT(viz_control_selected(ctl).kind, VIZ_HIT_NONE);
	click(SDL_MOUSEBUTTONDOWN, (int)(box.x + 3), (int)(box.y + 3), SDL_BUTTON_LEFT);
	click(SDL_MOUSEBUTTONUP, (int)(box.x + 3), (int)(box.y + 3), SDL_BUTTON_LEFT);
	CHECK_EQ_INT(viz_control_selected(ctl).kind, VIZ_HIT_HOST);
	CHECK_EQ_INT(viz_control_selected(ctl).id, 1);
	/* Drag along the timeline: forward, then back (a replay). */
	float x, y, w, h;
	viz_frame_timeline(f, &x, &y, &w, &h);
	sim_time end = viz_control_end(ctl);
	click(SDL_MOUSEBUTTONDOWN, (int)(x + w / 2), (int)(y + h / 2), SDL_BUTTON_LEFT);
	CHECK(llabs(viz_control_now(ctl) - end / 2) < end / 100);
	click(SDL_MOUSEMOTION, (int)(x + w / 10), (int)(y + h / 2), 0);
	CHECK(llabs(viz_control_now(ctl) - end / 10) < end / 100);
	click(SDL_MOUSEBUTTONUP, (int)(x + w / 10), (int)(y + h / 2), SDL_BUTTON_LEFT);
	SDL_Event q;
	memset(&q, 0, sizeof q);
	q.type = SDL_QUIT;
	send(&q);
	CHECK(viz_control_quit(ctl));
}

int main(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 110, 20000, 100 * SIM_MS);
	struct viz_source *src = viz_gen_source_new(&o);
	char err[256];
	struct viz_control_opts co = viz_control_opts_default();
	ctl = viz_control_new(src, &co, err, sizeof err);
	if (!ctl) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	RUN(test_keys);
	RUN(test_mouse);
	viz_control_free(&ctl);
	viz_gen_source_free(&src);
	packet_pool_drain();
	return harness_done();
}

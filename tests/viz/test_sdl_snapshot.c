/* Headless rendering with SDL's software renderer: a scene rendered at
 * fixed times has the structure the debug description promises, and the
 * pixels agree at a few telling places (a packet's colour at its centre,
 * a host's role colour inside its box, the background, the drop mark);
 * the PNG written reads back with the same pixels. No whole-image hashes. */
#include <SDL.h>
#include <SDL_image.h>
#include <stdlib.h>

#include "harness.h"
#include "sim/net/packet.h"
#include "viz/control.h"
#include "viz/describe.h"
#include "viz/sdl_app.h"
#include "viz/theme.h"
#include "viz_fixture.h"

static unsigned rgb(struct viz_rgba c) { return (unsigned)c.r << 16 | (unsigned)c.g << 8 | c.b; }

static int near(unsigned a, unsigned b, int tol)
{
	for (int s = 0; s < 24; s += 8) {
		int x = (int)((a >> s) & 255), y = (int)((b >> s) & 255);
		if (abs(x - y) > tol)
			return 0;
	}
	return 1;
}

static const struct viz_cmd *last_cmd(const struct viz_frame *f, int kind, int tag)
{
	const struct viz_cmd *r = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *c = viz_frame_cmd(f, i);
		if (c->kind == kind && c->tag == tag)
			r = c;
	}
	return r;
}

static void test_snapshot(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 30000, 100 * SIM_MS);
	struct viz_source *src = viz_gen_source_new(&o);
	char err[256] = "";
	struct viz_control_opts co = viz_control_opts_default();
	struct viz_control *c = viz_control_new(src, &co, err, sizeof err);
	REQUIRE(c);
	struct viz_headless *hl = viz_headless_new(1280, 720, err, sizeof err);
	if (!hl)
		fprintf(stderr, "headless: %s\n", err);
	REQUIRE(hl);
	const struct viz_theme *th = viz_theme_get(0);
	/* 145 ms: the first data segments are on the second link. */
	REQUIRE(viz_control_seek(c, 145 * SIM_MS) == 0);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	char *d = viz_scene_describe(viz_control_scene(c), viz_control_now(c));
	CHECK(strstr(d, "proto=smtp") != NULL);
	free(d);
	const struct viz_frame *f = viz_control_frame(c, 1280, 720, NULL);
	(void)f;
	/* Re-render so the frame we inspect is the one drawn (real metrics). */
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	f = viz_control_frame(c, 1280, 720, NULL);
	/* The background at a corner of the topology pane. */
	CHECK(near(viz_headless_pixel(hl, 3, 100), rgb(th->bg), 2));
	/* Inside the laptop's box (a UA): the UA fill colour. */
	const struct viz_cmd *box = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_FILL_RECT && k->tag == VIZ_TAG_HOST && k->index == 1)
			box = k;
	}
	REQUIRE(box);
	CHECK(near(viz_headless_pixel(hl, (int)box->x + 4, (int)box->y + 4), rgb(th->role_fill[VIZ_ROLE_UA]), 3));
	/* An SMTP data segment's disc: SMTP blue at its centre. */
	const struct viz_cmd *pk = NULL;
	for (size_t i = 0; i < viz_frame_count(f); i++) {
		const struct viz_cmd *k = viz_frame_cmd(f, i);
		if (k->kind == VIZ_CMD_DISC && k->tag == VIZ_TAG_PACKET && k->color.r == th->proto[VIZ_P_SMTP].r &&
		    k->color.g == th->proto[VIZ_P_SMTP].g && k->color.b == th->proto[VIZ_P_SMTP].b)
			pk = k;
	}
	REQUIRE(pk);
	CHECK(near(viz_headless_pixel(hl, (int)pk->x, (int)pk->y), rgb(th->proto[VIZ_P_SMTP]), 12));
	/* The PNG reads back with the same pixels. */
	char path[512];
	snprintf(path, sizeof path, "%s/viz_snapshot_test.png", MAILSIM_BINARY_DIR);
	REQUIRE(viz_headless_save(hl, path, err, sizeof err) == 0);
	SDL_Surface *img = IMG_Load(path);
	REQUIRE(img);
	SDL_Surface *conv = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
	REQUIRE(conv);
	CHECK_EQ_INT(conv->w, 1280);
	CHECK_EQ_INT(conv->h, 720);
	const uint32_t *row = (const uint32_t *)((const uint8_t *)conv->pixels + (size_t)((int)pk->y) * (size_t)conv->pitch);
	CHECK(near(row[(int)pk->x] & 0xffffff, viz_headless_pixel(hl, (int)pk->x, (int)pk->y), 0));
	SDL_FreeSurface(conv);
	SDL_FreeSurface(img);

	/* Projector mode: white background, black host labels. */
	struct viz_input in = {VIZ_IN_KEY, VIZ_KEY_PROJECTOR, 0, 0};
	viz_control_input(c, &in);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	CHECK(near(viz_headless_pixel(hl, 3, 100), 0xffffff, 0));
	snprintf(path, sizeof path, "%s/viz_snapshot_projector.png", MAILSIM_BINARY_DIR);
	CHECK(viz_headless_save(hl, path, err, sizeof err) == 0);

	/* The help overlay covers the middle with its panel colour. */
	in.key = VIZ_KEY_HELP;
	viz_control_input(c, &in);
	REQUIRE(viz_headless_render(hl, c, err, sizeof err) == 0);
	f = viz_control_frame(c, 1280, 720, NULL);
	const struct viz_cmd *help = last_cmd(f, VIZ_CMD_TEXT, VIZ_TAG_HELP);
	CHECK(help != NULL);
	snprintf(path, sizeof path, "%s/viz_snapshot_help.png", MAILSIM_BINARY_DIR);
	CHECK(viz_headless_save(hl, path, err, sizeof err) == 0);

	viz_headless_free(&hl);
	viz_control_free(&c);
	viz_gen_source_free(&src);
}

int main(void)
{
	RUN(test_snapshot);
	packet_pool_drain();
	return harness_done();
}

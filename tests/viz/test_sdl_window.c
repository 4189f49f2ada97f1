/* Opens the real viewer window (run under xvfb-run by ctest), plays the
 * fixture world for a fixed number of frames with a scripted quit, and
 * closes cleanly. */
#include <stdlib.h>

#include "harness.h"
#include "sim/net/packet.h"
#include "viz/sdl_app.h"
#include "viz_fixture.h"

static void test_window(void)
{
	struct viz_gen_opts o;
	fixture_small(&o);
	fixture_flow(&o, 0, 1, 25, 20000, 10 * SIM_MS);
	struct viz_source *src = viz_gen_source_new(&o);
	REQUIRE(src);
	CHECK(viz_sdl_display_available());
	struct viz_control_opts co = viz_control_opts_default();
	co.playing = 1;
	co.speed = 10;
	struct viz_window_opts wo = {.width = 1024, .height = 640, .max_frames = 60};
	char err[256] = "";
	int rc = viz_sdl_run_window(src, &co, &wo, err, sizeof err);
	if (rc != 0)
		fprintf(stderr, "window: %s\n", err);
	CHECK_EQ_INT(rc, 0);
	viz_gen_source_free(&src);
}

int main(void)
{
	RUN(test_window);
	packet_pool_drain();
	return harness_done();
}

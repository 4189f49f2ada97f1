/* The viewer on a live bridge run (`mailsim bridge --view`, see
 * viz_cli.h): the window's frame loop drives the simulation the bridge
 * lives in, instead of sim_run_realtime. Each frame advances simulated time
 * by the wall time that passed (times the speed), and the bridge's periodic
 * event, run among the others, polls the real sockets without waiting, so
 * neither the window nor the real clients hold the other up. */
#include <stdio.h>

#include "viz/viz_cli.h"
#include "viz/control.h"
#include "viz/sdl_app.h"
#include "viz/source_scn.h"

int viz_bridge_view(const struct scenario *scn, struct scn_world *w, const struct bridge *b, int gateway,
		    const struct viz_bridge_view_opts *o, char *err, size_t errlen)
{
	struct viz_source *src = viz_scn_source_live(scn, w, b, gateway, o->until, err, errlen);
	if (!src)
		return -1;
	struct viz_control_opts co = viz_control_opts_default();
	co.lang = viz_lang_from_env();
	co.speed = o->speed;
	co.playing = 1;
	struct viz_window_opts wo = {
	    .width = 1280,
	    .height = 800,
	    .keep_running = o->keep_running,
	    .keep_ctx = o->ctx,
	    .png_at_exit = o->png,
	    .text_at_exit = o->text,
	};
	int rc = viz_sdl_run_window(src, &co, &wo, err, errlen);
	viz_scn_source_free(&src);
	return rc;
}

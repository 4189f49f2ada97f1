/* The viewer's subcommands, rows of the CLI's table (sim/cli/commands.c):
 *   mailsim view [FILE]       the interactive window (cmd_view.c)
 *   mailsim snapshot [FILE]   PNG images with no display (cmd_snapshot.c)
 *   mailsim bridge --view     the window on a live bridge run (cmd_bridge_view.c)
 * and whether `mailsim` with no arguments opens the viewer. */
#ifndef VIZ_CLI_H
#define VIZ_CLI_H

#include "sim/core/time.h"

struct scenario;
struct scn_world;
struct bridge;

int cmd_view(int argc, char **argv);

/* `mailsim bridge --view`: the viewer window on the bridge's running world
 * w (built from scn; real connections enter at host gateway). The window's
 * frame loop runs the simulation at speed times real time, from now until
 * keep_running says 0 (Ctrl-C), the user closes the window, or the run
 * reaches until. Pausing holds simulated time: real clients' bytes wait in
 * their sockets and are served once the run plays again (the top bar says
 * so). 0, or -1 and err if the window could not open or the files at exit
 * could not be written. */
struct viz_bridge_view_opts {
	double speed;     /* 0.1 to 1000 */
	sim_time until;   /* SIM_TIME_NEVER: none */
	const char *png;  /* at exit: the last frame as PNG; NULL: none */
	const char *text; /* at exit: the scene as text; NULL: none */
	int (*keep_running)(void *ctx);
	void *ctx;
};
int viz_bridge_view(const struct scenario *scn, struct scn_world *w, const struct bridge *b, int gateway,
		    const struct viz_bridge_view_opts *o, char *err, size_t errlen);
int cmd_snapshot(int argc, char **argv);
/* 1 if the viewer can open a window here: DISPLAY or WAYLAND_DISPLAY is
 * set and SDL's video subsystem starts. */
int cli_display_available(void);

#endif

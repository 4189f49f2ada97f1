/* The SDL front ends: the interactive window, and headless rendering to
 * PNG (snapshots, image sequences, the benchmark). Everything SDL is here
 * and in sdl_render.c / sdl_input.c. */
#ifndef VIZ_SDL_APP_H
#define VIZ_SDL_APP_H

#include <stddef.h>

#include "viz/control.h"

struct viz_window_opts {
	int width, height;
	int max_frames; /* > 0: quit after this many frames (tests) */
	/* Asked every frame: 0 closes the window as if the user had (the
	 * bridge's Ctrl-C, its --until). NULL: never. With it, SDL installs no
	 * signal handlers: the caller's SIGINT handler decides. */
	int (*keep_running)(void *ctx);
	void *keep_ctx;
	/* When the window closes, the last frame is saved there as PNG and
	 * the scene's text description (viz_control_describe) written there;
	 * NULL: not. */
	const char *png_at_exit;
	const char *text_at_exit;
};

/* 1 if a display is reachable: DISPLAY or WAYLAND_DISPLAY is set and SDL's
 * video subsystem starts. */
int viz_sdl_display_available(void);

/* Opens a resizable window on src and runs until the user quits. Returns
 * 0, or -1 with a message in err. */
int viz_sdl_run_window(const struct viz_source *src, const struct viz_control_opts *co,
		       const struct viz_window_opts *wo, char *err, size_t errlen);

struct viz_headless;
/* A software renderer over a w x h surface, needing no display (it sets
 * SDL_VIDEODRIVER=dummy unless a driver is chosen). NULL and err. */
struct viz_headless *viz_headless_new(int w, int h, char *err, size_t errlen);
void viz_headless_free(struct viz_headless **hl);
/* Renders c's frame at the headless size. 0 or -1 with err. */
int viz_headless_render(struct viz_headless *hl, struct viz_control *c, char *err, size_t errlen);
/* Saves the last rendering as PNG. 0 or -1 with err. */
int viz_headless_save(struct viz_headless *hl, const char *path, char *err, size_t errlen);
/* The pixel at (x, y) of the last rendering, as 0xRRGGBB. */
unsigned viz_headless_pixel(const struct viz_headless *hl, int x, int y);

#endif

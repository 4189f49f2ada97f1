/* The interactive window and headless PNG rendering (see sdl_app.h). The
 * window loop is Chocolate Doom's shape: poll input, advance the
 * simulation by a bounded step for the wall time that passed, draw,
 * present; the simulation never holds up a frame. */
#include "viz/sdl_app.h"

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>

#include "viz/sdl_input.h"
#include "viz/sdl_render.h"

int viz_sdl_display_available(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	if (!(x && *x) && !(w && *w))
		return 0;
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
		return 0;
	SDL_QuitSubSystem(SDL_INIT_VIDEO);
	return 1;
}

static int save_at_exit(SDL_Renderer *r, struct viz_control *c, const struct viz_window_opts *wo, int w, int h,
			char *err, size_t errlen)
{
	if (wo->png_at_exit) {
		SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
		if (!surf) {
			snprintf(err, errlen, "cannot save the window: %s", SDL_GetError());
			return -1;
		}
		int bad = SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, surf->pixels, surf->pitch) != 0;
		if (bad)
			snprintf(err, errlen, "cannot read the window's pixels: %s", SDL_GetError());
		else if (IMG_SavePNG(surf, wo->png_at_exit) != 0) {
			snprintf(err, errlen, "cannot write %s: %s", wo->png_at_exit, IMG_GetError());
			bad = 1;
		}
		SDL_FreeSurface(surf);
		if (bad)
			return -1;
	}
	if (wo->text_at_exit) {
		char *text = viz_control_describe(c);
		FILE *f = fopen(wo->text_at_exit, "w");
		int bad = !text || !f || fputs(text, f) == EOF;
		if (f && fclose(f) != 0)
			bad = 1;
		free(text);
		if (bad) {
			snprintf(err, errlen, "cannot write %s", wo->text_at_exit);
			return -1;
		}
	}
	return 0;
}

int viz_sdl_run_window(const struct viz_source *src, const struct viz_control_opts *co,
		       const struct viz_window_opts *wo, char *err, size_t errlen)
{
	int rc = -1;
	SDL_Window *win = NULL;
	SDL_Renderer *r = NULL;
	struct viz_sdl_render *rr = NULL;
	struct viz_control *c = NULL;
	if (wo->keep_running)
		SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
	if (SDL_Init(SDL_INIT_VIDEO) != 0) {
		snprintf(err, errlen, "cannot start SDL video: %s", SDL_GetError());
		return -1;
	}
	if (TTF_Init() != 0) {
		snprintf(err, errlen, "cannot start SDL_ttf: %s", TTF_GetError());
		SDL_Quit();
		return -1;
	}
	c = viz_control_new(src, co, err, errlen);
	if (!c)
		goto out;
	char title[256];
	snprintf(title, sizeof title, "mailsim%s%s", src->title ? " — " : "", src->title ? src->title : "");
	win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, wo->width, wo->height,
			       SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
	if (!win) {
		snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
		goto out;
	}
	SDL_SetWindowMinimumSize(win, 480, 320);
	r = SDL_CreateRenderer(win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
	if (!r)
		r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
	if (!r) {
		snprintf(err, errlen, "cannot create a renderer: %s", SDL_GetError());
		goto out;
	}
	SDL_RendererInfo info;
	int vsync = SDL_GetRendererInfo(r, &info) == 0 && (info.flags & SDL_RENDERER_PRESENTVSYNC);
	rr = viz_sdl_render_new(r, err, errlen);
	if (!rr)
		goto out;
	uint64_t last = SDL_GetPerformanceCounter();
	double freq = (double)SDL_GetPerformanceFrequency();
	int frames = 0, last_frame = 0;
	while (!last_frame) {
		/* The closing frame is drawn too, so what is saved at exit is
		 * what was on screen. */
		last_frame = viz_control_quit(c) || (wo->keep_running && !wo->keep_running(wo->keep_ctx)) ||
			     (wo->max_frames > 0 && frames + 1 >= wo->max_frames);
		int ww, wh, ow, oh;
		SDL_GetWindowSize(win, &ww, &wh);
		SDL_GetRendererOutputSize(r, &ow, &oh);
		float sx = ww > 0 ? (float)ow / (float)ww : 1, sy = wh > 0 ? (float)oh / (float)wh : 1;
		SDL_Event e;
		while (SDL_PollEvent(&e)) {
			struct viz_input in;
			if (viz_sdl_translate(&e, sx, sy, &in))
				viz_control_input(c, &in);
		}
		uint64_t now = SDL_GetPerformanceCounter();
		int64_t dt = (int64_t)((double)(now - last) / freq * 1e9);
		last = now;
		/* After a stall (window dragged, machine busy) do not leap. */
		if (dt > 100000000)
			dt = 100000000;
		viz_control_tick(c, dt);
		const struct viz_frame *f = viz_control_frame(c, ow, oh, viz_sdl_render_metrics(rr));
		viz_sdl_render_frame(rr, f);
		/* Read before presenting: the back buffer is undefined after. */
		if (last_frame && save_at_exit(r, c, wo, ow, oh, err, errlen) < 0)
			goto out;
		SDL_RenderPresent(r);
		frames++;
		if (last_frame)
			break;
		if (!vsync) {
			/* Software rendering: about 60 frames a second, no more. */
			double spent = (double)(SDL_GetPerformanceCounter() - now) / freq * 1000;
			if (spent < 16)
				SDL_Delay((Uint32)(16 - spent));
		}
	}
	rc = 0;
out:
	viz_sdl_render_free(&rr);
	if (r)
		SDL_DestroyRenderer(r);
	if (win)
		SDL_DestroyWindow(win);
	viz_control_free(&c);
	TTF_Quit();
	SDL_Quit();
	return rc;
}

/* ---- headless ---- */

struct viz_headless {
	SDL_Surface *surf;
	SDL_Renderer *r;
	struct viz_sdl_render *rr;
	int w, h;
};

struct viz_headless *viz_headless_new(int w, int h, char *err, size_t errlen)
{
	if (w < 64 || h < 64 || w > 16384 || h > 16384) {
		snprintf(err, errlen, "image size %dx%d out of range (64..16384)", w, h);
		return NULL;
	}
	setenv("SDL_VIDEODRIVER", "dummy", 0);
	if (SDL_Init(SDL_INIT_VIDEO) != 0) {
		snprintf(err, errlen, "cannot start SDL: %s", SDL_GetError());
		return NULL;
	}
	if (TTF_Init() != 0) {
		snprintf(err, errlen, "cannot start SDL_ttf: %s", TTF_GetError());
		SDL_Quit();
		return NULL;
	}
	struct viz_headless *hl = calloc(1, sizeof *hl);
	if (!hl) {
		snprintf(err, errlen, "out of memory");
		TTF_Quit();
		SDL_Quit();
		return NULL;
	}
	hl->w = w;
	hl->h = h;
	hl->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!hl->surf) {
		snprintf(err, errlen, "cannot create a %dx%d surface: %s", w, h, SDL_GetError());
		viz_headless_free(&hl);
		return NULL;
	}
	hl->r = SDL_CreateSoftwareRenderer(hl->surf);
	if (!hl->r) {
		snprintf(err, errlen, "cannot create the software renderer: %s", SDL_GetError());
		viz_headless_free(&hl);
		return NULL;
	}
	hl->rr = viz_sdl_render_new(hl->r, err, errlen);
	if (!hl->rr) {
		viz_headless_free(&hl);
		return NULL;
	}
	return hl;
}

void viz_headless_free(struct viz_headless **hlp)
{
	struct viz_headless *hl = hlp ? *hlp : NULL;
	if (!hl)
		return;
	viz_sdl_render_free(&hl->rr);
	if (hl->r)
		SDL_DestroyRenderer(hl->r);
	if (hl->surf)
		SDL_FreeSurface(hl->surf);
	free(hl);
	TTF_Quit();
	SDL_Quit();
	*hlp = NULL;
}

int viz_headless_render(struct viz_headless *hl, struct viz_control *c, char *err, size_t errlen)
{
	const struct viz_frame *f = viz_control_frame(c, hl->w, hl->h, viz_sdl_render_metrics(hl->rr));
	if (viz_sdl_render_frame(hl->rr, f) < 0) {
		snprintf(err, errlen, "rendering failed: %s", SDL_GetError());
		return -1;
	}
	SDL_RenderPresent(hl->r);
	return 0;
}

int viz_headless_save(struct viz_headless *hl, const char *path, char *err, size_t errlen)
{
	if (IMG_SavePNG(hl->surf, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, IMG_GetError());
		return -1;
	}
	return 0;
}

unsigned viz_headless_pixel(const struct viz_headless *hl, int x, int y)
{
	if (x < 0 || y < 0 || x >= hl->w || y >= hl->h)
		return 0;
	const uint32_t *row = (const uint32_t *)((const uint8_t *)hl->surf->pixels + (size_t)y * (size_t)hl->surf->pitch);
	return row[x] & 0xffffff;
}

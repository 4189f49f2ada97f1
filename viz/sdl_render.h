/* The SDL backend's drawing: replays a frame's commands on an
 * SDL_Renderer (a window's, or a software renderer over a surface for PNG
 * snapshots), with text from SDL2_ttf and DejaVu fonts. Rendered text is
 * cached as textures (keyed by font, size and string; coloured at draw
 * time), so a steady scene renders no glyphs. */
#ifndef VIZ_SDL_RENDER_H
#define VIZ_SDL_RENDER_H

#include <SDL.h>
#include <stddef.h>

#include "viz/frame.h"

struct viz_sdl_render;

/* Where the DejaVu fonts are looked for: $MAILSIM_FONT_DIR, else the
 * Debian fonts-dejavu-core directory. */
const char *viz_sdl_font_dir(void);

/* Opens the fonts (TTF_Init must have been called). NULL with a message in
 * err (naming the missing font file and the package to install). */
struct viz_sdl_render *viz_sdl_render_new(SDL_Renderer *r, char *err, size_t errlen);
void viz_sdl_render_free(struct viz_sdl_render **rr);
/* Text metrics from the real fonts, for viz_frame_build. */
const struct viz_text_metrics *viz_sdl_render_metrics(struct viz_sdl_render *rr);
/* Clears and draws the frame (does not present). 0, or -1 on an SDL error. */
int viz_sdl_render_frame(struct viz_sdl_render *rr, const struct viz_frame *f);
/* Cached text textures (for the benchmark's report). */
size_t viz_sdl_render_cached(const struct viz_sdl_render *rr);

#endif

/* Translates SDL events into the control layer's inputs. Pure: no window
 * is needed, so tests feed it synthetic SDL_Events. */
#ifndef VIZ_SDL_INPUT_H
#define VIZ_SDL_INPUT_H

#include <SDL.h>

#include "viz/control.h"

/* 1 and *in_r if e means something to the viewer, else 0. scale_x and
 * scale_y convert window coordinates to renderer pixels (HiDPI). */
int viz_sdl_translate(const SDL_Event *e, float scale_x, float scale_y, struct viz_input *in_r);

#endif

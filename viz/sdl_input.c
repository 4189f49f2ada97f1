/* SDL events to viewer inputs (see sdl_input.h). The key table here is
 * the one the help overlay describes (strings.c). */
#include "viz/sdl_input.h"

static enum viz_key key_of(const SDL_KeyboardEvent *k)
{
	switch (k->keysym.sym) {
	case SDLK_SPACE:
		return VIZ_KEY_PLAY;
	case SDLK_n:
	case SDLK_PERIOD:
		return VIZ_KEY_STEP;
	case SDLK_TAB:
		return VIZ_KEY_STEP_LINE;
	case SDLK_PLUS:
	case SDLK_EQUALS:
	case SDLK_KP_PLUS:
		return VIZ_KEY_FASTER;
	case SDLK_MINUS:
	case SDLK_KP_MINUS:
		return VIZ_KEY_SLOWER;
	case SDLK_LEFT:
		return VIZ_KEY_BACK;
	case SDLK_RIGHT:
		return VIZ_KEY_FORWARD;
	case SDLK_HOME:
		return VIZ_KEY_HOME;
	case SDLK_END:
		return VIZ_KEY_END;
	case SDLK_F1:
	case SDLK_QUESTION:
		return VIZ_KEY_HELP;
	case SDLK_SLASH:
		/* '?' is shift+'/' on many layouts. */
		return (k->keysym.mod & KMOD_SHIFT) ? VIZ_KEY_HELP : VIZ_KEY_NONE;
	case SDLK_p:
		return VIZ_KEY_PROJECTOR;
	case SDLK_l:
		return VIZ_KEY_LANG;
	case SDLK_ESCAPE:
		return VIZ_KEY_ESCAPE;
	case SDLK_q:
		return VIZ_KEY_QUIT;
	case SDLK_h:
		return VIZ_KEY_STEP_HOP;
	case SDLK_m:
		return VIZ_KEY_NEXT_MESSAGE;
	case SDLK_e:
		return VIZ_KEY_BREAK_5XX;
	case SDLK_k:
		return VIZ_KEY_BREAK_CMD;
	case SDLK_d:
		return VIZ_KEY_BREAK_MAILBOX;
	default:
		return VIZ_KEY_NONE;
	}
}

int viz_sdl_translate(const SDL_Event *e, float sx, float sy, struct viz_input *in)
{
	*in = (struct viz_input){0};
	switch (e->type) {
	case SDL_QUIT:
		in->kind = VIZ_IN_QUIT;
		return 1;
	case SDL_KEYDOWN:
		in->kind = VIZ_IN_KEY;
		in->key = key_of(&e->key);
		return in->key != VIZ_KEY_NONE;
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.button != SDL_BUTTON_LEFT)
			return 0;
		in->kind = VIZ_IN_PRESS;
		in->x = (int)((float)e->button.x * sx);
		in->y = (int)((float)e->button.y * sy);
		return 1;
	case SDL_MOUSEBUTTONUP:
		if (e->button.button != SDL_BUTTON_LEFT)
			return 0;
		in->kind = VIZ_IN_RELEASE;
		in->x = (int)((float)e->button.x * sx);
		in->y = (int)((float)e->button.y * sy);
		return 1;
	case SDL_MOUSEMOTION:
		in->kind = VIZ_IN_MOTION;
		in->x = (int)((float)e->motion.x * sx);
		in->y = (int)((float)e->motion.y * sy);
		return 1;
	default:
		return 0;
	}
}

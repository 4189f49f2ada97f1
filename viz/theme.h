/* Colours of the two looks: the normal dark theme for screens, and the
 * projector theme (white background, black text, saturated colours and
 * thicker strokes) that survives a washed-out classroom projector.
 * Protocol colours follow the Okabe-Ito palette, which stays distinct for
 * colour-blind viewers. */
#ifndef VIZ_THEME_H
#define VIZ_THEME_H

#include "viz/frame.h"
#include "viz/scene.h"

struct viz_theme {
	struct viz_rgba bg, panel, panel_edge, text, dim, accent, bar;
	struct viz_rgba link, link_down, lane;
	struct viz_rgba proto[VIZ_P_COUNT];
	struct viz_rgba retransmit, drop, packet_edge, packet_letter;
	struct viz_rgba role_fill[VIZ_ROLE_COUNT], role_edge, role_text;
	struct viz_rgba state_open, state_opening, state_closing, state_closed;
	struct viz_rgba overlay;
	float stroke; /* line width multiplier */
};

const struct viz_theme *viz_theme_get(int projector);

#endif

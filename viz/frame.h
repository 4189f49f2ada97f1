/* A frame: what to draw, as a flat list of commands (rectangles, lines,
 * discs, text) in window pixels, plus the hit regions for clicks. Built
 * from a scene without SDL (frame_build.c); a backend only replays the
 * commands (sdl_render.c), and tests read them.
 *
 * Text commands carry a font class and size in pixels; the builder
 * measures text through a viz_text_metrics (the backend's real font, or
 * viz_metrics_approx() when there is none, as in tests). */
#ifndef VIZ_FRAME_H
#define VIZ_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "viz/strings.h"

struct viz_scene;

struct viz_rgba {
	uint8_t r, g, b, a;
};

enum viz_cmd_kind {
	VIZ_CMD_FILL_RECT,
	VIZ_CMD_RECT,  /* outline, thick pixels wide, inside the rectangle */
	VIZ_CMD_LINE,  /* from (x, y) to (x2, y2), thick pixels wide */
	VIZ_CMD_DISC,  /* filled circle: centre (x, y), radius r */
	VIZ_CMD_TEXT,  /* text with its top-left corner at (x, y) */
	VIZ_CMD_CLIP,  /* clip later commands to (x, y, w, h); w = 0 clears */
};

enum viz_font { VIZ_FONT_SANS, VIZ_FONT_SANS_BOLD, VIZ_FONT_MONO, VIZ_FONT_COUNT };

/* What a command draws, for tests and hit testing. */
enum viz_tag {
	VIZ_TAG_NONE,
	VIZ_TAG_HOST,
	VIZ_TAG_HOST_LABEL,
	VIZ_TAG_LINK,
	VIZ_TAG_PACKET,
	VIZ_TAG_DROP,
	VIZ_TAG_LOG,
	VIZ_TAG_CONN,
	VIZ_TAG_TIMELINE,
	VIZ_TAG_HELP,
	VIZ_TAG_SELECTION,
	VIZ_TAG_STATUS,
	VIZ_TAG_SEQ,       /* the sequence chart of protocol lines */
	VIZ_TAG_INSPECT,   /* the message or host inspector (index: its row) */
};

struct viz_cmd {
	uint8_t kind, font, tag;
	uint16_t size;     /* text: pixel size */
	float x, y, w, h;  /* w, h: rect size; for lines x2, y2; for discs w = radius */
	float thick;
	struct viz_rgba color;
	int32_t index;     /* host, link, log line ...; -1 if none */
	uint32_t text;     /* offset into the frame's text */
};

enum viz_hit_kind { VIZ_HIT_NONE, VIZ_HIT_HOST, VIZ_HIT_LINK, VIZ_HIT_PACKET, VIZ_HIT_TIMELINE, VIZ_HIT_LINE };

struct viz_hit {
	enum viz_hit_kind kind;
	uint64_t id; /* host or link number, packet id, a line's log entry number (seq) */
	sim_time time; /* VIZ_HIT_TIMELINE: the time under the pointer */
};

struct viz_text_metrics {
	/* Width in pixels of utf8 in font at size px. */
	int (*width)(void *ctx, enum viz_font font, int px, const char *utf8);
	void *ctx;
};
/* Metrics from DejaVu's average advances, for building without fonts. */
const struct viz_text_metrics *viz_metrics_approx(void);

/* What the frame shows besides the scene: the control's state. */
struct viz_view {
	int width, height;
	sim_time now, end;      /* end: the timeline's right edge */
	double speed;
	int playing, finished, help, projector;
	enum viz_lang lang;
	const char *title;
	struct viz_hit selected; /* kind NONE: nothing selected */
	double replay_ms;       /* last scrub's replay time, < 0 if none */
	int msg;                /* the inspected message (viz_scene_msgs index), -1 if none */
	sim_time highlight;     /* how long a newly added Received line stays lit */
	const char *breaks;     /* the breakpoints set ("5xx, RCPT"), "" if none */
	const char *break_note; /* why the run stopped at a breakpoint, "" if it did not */
	const char *notice;     /* a live run's status line (viz_source.status), NULL or "" if none */
	int notice_alert;       /* draw the notice as a warning (a live run paused) */
};

struct viz_frame;

struct viz_frame *viz_frame_new(void);
void viz_frame_free(struct viz_frame **f);
/* Rebuilds f for the scene at view->now. Returns 0, or -1 on ENOMEM. */
int viz_frame_build(struct viz_frame *f, const struct viz_scene *s, const struct viz_view *view,
		    const struct viz_text_metrics *m);

size_t viz_frame_count(const struct viz_frame *f);
const struct viz_cmd *viz_frame_cmd(const struct viz_frame *f, size_t i);
const char *viz_frame_text(const struct viz_frame *f, const struct viz_cmd *c);
/* The background colour. */
struct viz_rgba viz_frame_background(const struct viz_frame *f);
/* What is under (x, y): packets first, then hosts, links, the sequence
 * chart's lines, the timeline. */
struct viz_hit viz_frame_hit(const struct viz_frame *f, int x, int y);
/* The timeline's track (for tests and scripted drags). */
void viz_frame_timeline(const struct viz_frame *f, float *x_r, float *y_r, float *w_r, float *h_r);
/* The time of the timeline at x (clamped), for drags that leave it. */
sim_time viz_frame_timeline_time(const struct viz_frame *f, int x);

#endif

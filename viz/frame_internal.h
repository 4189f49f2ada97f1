/* The frame's insides, shared by frame.c (storage, hit testing) and
 * frame_build.c (filling it). Not for other users. */
#ifndef VIZ_FRAME_INTERNAL_H
#define VIZ_FRAME_INTERNAL_H

#include "viz/frame.h"

struct frame_hit_rect {
	float x, y, w, h;
	int index;
};
struct frame_hit_seg {
	float x1, y1, x2, y2, r;
	int index;
};
struct frame_hit_disc {
	float x, y, r;
	uint64_t id;
};

struct viz_frame {
	struct viz_cmd *cmds;
	size_t n, cap;
	char *text;
	size_t tn, tcap;
	struct frame_hit_rect *hosts;
	size_t nh, ch;
	struct frame_hit_seg *links;
	size_t nl, cl;
	struct frame_hit_disc *pkts;
	size_t np, cp;
	struct frame_hit_rect *lines; /* index: unused; seq in line_seq */
	uint64_t *line_seq;
	size_t nli, cli;
	struct viz_rgba bg;
	float tl_x, tl_w, tl_y, tl_h;             /* the track, for time mapping */
	float tl_hit_x, tl_hit_y, tl_hit_w, tl_hit_h; /* where a click means the timeline */
	sim_time tl_end;
	int help;
	int oom;
};

void frame_reset(struct viz_frame *f);
struct viz_cmd *frame_push(struct viz_frame *f);
uint32_t frame_text(struct viz_frame *f, const char *s, size_t len);
void frame_hit_host(struct viz_frame *f, int host, float x, float y, float w, float h);
void frame_hit_link(struct viz_frame *f, int link, float x1, float y1, float x2, float y2, float r);
void frame_hit_packet(struct viz_frame *f, uint64_t id, float x, float y, float r);
void frame_hit_line(struct viz_frame *f, uint64_t seq, float x, float y, float w, float h);

#endif

/* The frame's storage: commands, their text, hit regions and hit testing
 * (see frame.h). frame_build.c fills it. */
#include "viz/frame_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct viz_frame *viz_frame_new(void) { return calloc(1, sizeof(struct viz_frame)); }

void viz_frame_free(struct viz_frame **fp)
{
	struct viz_frame *f = fp ? *fp : NULL;
	if (!f)
		return;
	free(f->cmds);
	free(f->text);
	free(f->hosts);
	free(f->links);
	free(f->pkts);
	free(f->lines);
	free(f->line_seq);
	free(f);
	*fp = NULL;
}

void frame_reset(struct viz_frame *f)
{
	f->n = f->tn = f->nh = f->nl = f->np = f->nli = 0;
	f->oom = 0;
	f->tl_w = 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *np = realloc(*p, n * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = n;
	return 0;
}

struct viz_cmd *frame_push(struct viz_frame *f)
{
	if (grow((void **)&f->cmds, &f->cap, f->n + 1, sizeof *f->cmds) < 0) {
		f->oom = 1;
		return NULL;
	}
	struct viz_cmd *c = &f->cmds[f->n++];
	memset(c, 0, sizeof *c);
	c->index = -1;
	return c;
}

uint32_t frame_text(struct viz_frame *f, const char *s, size_t len)
{
	if (grow((void **)&f->text, &f->tcap, f->tn + len + 1, 1) < 0) {
		f->oom = 1;
		return 0;
	}
	uint32_t off = (uint32_t)f->tn;
	memcpy(f->text + f->tn, s, len);
	f->text[f->tn + len] = '\0';
	f->tn += len + 1;
	return off;
}

void frame_hit_host(struct viz_frame *f, int host, float x, float y, float w, float h)
{
	if (grow((void **)&f->hosts, &f->ch, f->nh + 1, sizeof *f->hosts) < 0) {
		f->oom = 1;
		return;
	}
	f->hosts[f->nh++] = (struct frame_hit_rect){x, y, w, h, host};
}

void frame_hit_link(struct viz_frame *f, int link, float x1, float y1, float x2, float y2, float r)
{
	if (grow((void **)&f->links, &f->cl, f->nl + 1, sizeof *f->links) < 0) {
		f->oom = 1;
		return;
	}
	f->links[f->nl++] = (struct frame_hit_seg){x1, y1, x2, y2, r, link};
}

void frame_hit_packet(struct viz_frame *f, uint64_t id, float x, float y, float r)
{
	if (grow((void **)&f->pkts, &f->cp, f->np + 1, sizeof *f->pkts) < 0) {
		f->oom = 1;
		return;
	}
	f->pkts[f->np++] = (struct frame_hit_disc){x, y, r, id};
}

void frame_hit_line(struct viz_frame *f, uint64_t seq, float x, float y, float w, float h)
{
	size_t cap = f->cli;
	if (grow((void **)&f->lines, &f->cli, f->nli + 1, sizeof *f->lines) < 0 ||
	    grow((void **)&f->line_seq, &cap, f->nli + 1, sizeof *f->line_seq) < 0) {
		f->oom = 1;
		return;
	}
	f->lines[f->nli] = (struct frame_hit_rect){x, y, w, h, 0};
	f->line_seq[f->nli++] = seq;
}

size_t viz_frame_count(const struct viz_frame *f) { return f->n; }
const struct viz_cmd *viz_frame_cmd(const struct viz_frame *f, size_t i) { return &f->cmds[i]; }
const char *viz_frame_text(const struct viz_frame *f, const struct viz_cmd *c) { return f->text + c->text; }
struct viz_rgba viz_frame_background(const struct viz_frame *f) { return f->bg; }

void viz_frame_timeline(const struct viz_frame *f, float *x_r, float *y_r, float *w_r, float *h_r)
{
	*x_r = f->tl_x;
	*w_r = f->tl_w;
	*y_r = f->tl_y;
	*h_r = f->tl_h;
}

sim_time viz_frame_timeline_time(const struct viz_frame *f, int x)
{
	if (f->tl_w <= 0)
		return 0;
	double u = ((double)x - f->tl_x) / f->tl_w;
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	return (sim_time)llround(u * (double)f->tl_end);
}

static float seg_dist2(const struct frame_hit_seg *s, float x, float y)
{
	float dx = s->x2 - s->x1, dy = s->y2 - s->y1;
	float len2 = dx * dx + dy * dy;
	float u = len2 > 0 ? ((x - s->x1) * dx + (y - s->y1) * dy) / len2 : 0;
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	float px = s->x1 + u * dx - x, py = s->y1 + u * dy - y;
	return px * px + py * py;
}

struct viz_hit viz_frame_hit(const struct viz_frame *f, int xi, int yi)
{
	struct viz_hit h = {VIZ_HIT_NONE, 0, 0};
	float x = (float)xi + 0.5f, y = (float)yi + 0.5f;
	if (f->help)
		return h; /* the overlay covers everything */
	for (size_t i = f->np; i-- > 0;) {
		const struct frame_hit_disc *d = &f->pkts[i];
		float r = d->r + 3;
		if ((x - d->x) * (x - d->x) + (y - d->y) * (y - d->y) <= r * r) {
			h.kind = VIZ_HIT_PACKET;
			h.id = d->id;
			return h;
		}
	}
	for (size_t i = f->nh; i-- > 0;) {
		const struct frame_hit_rect *r = &f->hosts[i];
		if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h) {
			h.kind = VIZ_HIT_HOST;
			h.id = (uint64_t)r->index;
			return h;
		}
	}
	float best = INFINITY;
	for (size_t i = 0; i < f->nl; i++) {
		float d2 = seg_dist2(&f->links[i], x, y);
		if (d2 <= f->links[i].r * f->links[i].r && d2 < best) {
			best = d2;
			h.kind = VIZ_HIT_LINK;
			h.id = (uint64_t)f->links[i].index;
		}
	}
	if (h.kind != VIZ_HIT_NONE)
		return h;
	for (size_t i = 0; i < f->nli; i++) {
		const struct frame_hit_rect *r = &f->lines[i];
		if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h) {
			h.kind = VIZ_HIT_LINE;
			h.id = f->line_seq[i];
			return h;
		}
	}
	if (f->tl_w > 0 && x >= f->tl_hit_x && x < f->tl_hit_x + f->tl_hit_w && y >= f->tl_hit_y &&
	    y < f->tl_hit_y + f->tl_hit_h) {
		h.kind = VIZ_HIT_TIMELINE;
		h.time = viz_frame_timeline_time(f, xi);
	}
	return h;
}

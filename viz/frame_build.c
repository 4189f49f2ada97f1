/* Builds a frame from a scene and the control's view (see frame.h).
 *
 * The window, at any size:
 *   top bar      title, time, play state, speed, the help hint
 *   topology     hosts by role with name and address, links with their
 *                state, packets on lanes (one per direction), drop marks,
 *                the selection's details, and a colour legend
 *   right panel  TCP connections with their state, then the event log
 *   timeline     the run from 0 to its end; click or drag to go there
 * and the help overlay on top when asked for. Sizes follow the window
 * height (and are larger in projector mode), so a projected 1024x768 frame
 * and a 4K screen both read at a distance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/bus.h"
#include "sim/net/net.h"
#include "sim/net/packet.h"
#include "viz/describe.h"
#include "viz/explain_view.h"
#include "viz/frame_internal.h"
#include "viz/inspect.h"
#include "viz/msgtrack.h"
#include "viz/rows.h"
#include "viz/scene.h"
#include "viz/theme.h"

/* ---- text metrics without fonts ---- */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int approx_width(void *ctx, enum viz_font font, int px, const char *s)
{
	(void)ctx;
	/* DejaVu's advances: Sans averages about 0.58 em on mixed text
	 * (rounded up so estimates do not overflow), Bold 0.64, Mono 0.602. */
	double em = font == VIZ_FONT_MONO ? 0.602 : font == VIZ_FONT_SANS_BOLD ? 0.66 : 0.6;
	return (int)ceil((double)utf8_chars(s) * em * px);
}

const struct viz_text_metrics *viz_metrics_approx(void)
{
	static const struct viz_text_metrics m = {approx_width, NULL};
	return &m;
}

/* ---- drawing helpers ---- */

struct build {
	struct viz_frame *f;
	const struct viz_scene *s;
	const struct viz_view *v;
	const struct viz_text_metrics *m;
	const struct viz_theme *th;
	float fs; /* base text size in pixels */
	/* per-host and per-link geometry, for packets */
	float *hx, *hy, *hw, *hh;
	uint8_t *round;
	float *lx1, *ly1, *lx2, *ly2;
	float lane, box_w, box_h, cell_px_w;
	float pkt_scale;
	float *label_maxw;  /* per host: widest label that meets no neighbour */
	float *label_w;     /* per host: the width its labels will take */
	float labels_h;     /* height of the name and address lines */
	float pane_x0, pane_x1;
	/* Rectangles taken by link labels so far (they must not pile up). */
	float (*taken)[4];
	int ntaken, ctaken;
};

static void fill_rect(struct build *b, float x, float y, float w, float h, struct viz_rgba c, int tag, int idx)
{
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return;
	*k = (struct viz_cmd){.kind = VIZ_CMD_FILL_RECT, .tag = (uint8_t)tag, .x = x, .y = y, .w = w, .h = h,
			      .color = c, .index = idx};
}

static void rect(struct build *b, float x, float y, float w, float h, float thick, struct viz_rgba c, int tag, int idx)
{
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return;
	*k = (struct viz_cmd){.kind = VIZ_CMD_RECT, .tag = (uint8_t)tag, .x = x, .y = y, .w = w, .h = h,
			      .thick = thick, .color = c, .index = idx};
}

static void line(struct build *b, float x1, float y1, float x2, float y2, float thick, struct viz_rgba c, int tag,
		 int idx)
{
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return;
	*k = (struct viz_cmd){.kind = VIZ_CMD_LINE, .tag = (uint8_t)tag, .x = x1, .y = y1, .w = x2, .h = y2,
			      .thick = thick, .color = c, .index = idx};
}

static void disc(struct build *b, float x, float y, float r, struct viz_rgba c, int tag, int idx)
{
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return;
	*k = (struct viz_cmd){.kind = VIZ_CMD_DISC, .tag = (uint8_t)tag, .x = x, .y = y, .w = r, .color = c,
			      .index = idx};
}

static void clip(struct build *b, float x, float y, float w, float h)
{
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return;
	*k = (struct viz_cmd){.kind = VIZ_CMD_CLIP, .x = x, .y = y, .w = w, .h = h};
}

static int tw(struct build *b, enum viz_font font, float px, const char *s)
{
	return b->m->width(b->m->ctx, font, (int)lroundf(px), s);
}

/* Draws s at (x, y); returns its width. */
static float text(struct build *b, enum viz_font font, float px, float x, float y, struct viz_rgba c, int tag,
		  int idx, const char *s)
{
	if (!*s)
		return 0;
	struct viz_cmd *k = frame_push(b->f);
	if (!k)
		return 0;
	int size = (int)lroundf(px);
	*k = (struct viz_cmd){.kind = VIZ_CMD_TEXT, .font = (uint8_t)font, .tag = (uint8_t)tag,
			      .size = (uint16_t)size, .x = floorf(x), .y = floorf(y), .color = c, .index = idx};
	k->text = frame_text(b->f, s, strlen(s));
	return (float)tw(b, font, px, s);
}

/* Copies into out the longest prefix of s (whole UTF-8 characters) that,
 * with an ellipsis when cut, fits maxw pixels. */
static void fit(struct build *b, enum viz_font font, float px, float maxw, const char *s, char *out, size_t size)
{
	snprintf(out, size, "%s", s);
	if (tw(b, font, px, out) <= maxw)
		return;
	/* Binary search on the prefix length (in bytes, moved back to a
	 * character boundary): text measuring is the costly part. */
	size_t len = strlen(out), lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2, cut = mid;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		if (cut + 4 > size) {
			hi = mid - 1;
			continue;
		}
		memcpy(out, s, cut);
		memcpy(out + cut, "…", 4);
		if (tw(b, font, px, out) <= maxw)
			lo = mid;
		else
			hi = mid - 1;
	}
	size_t cut = lo;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	if (cut == 0) {
		out[0] = '\0';
		return;
	}
	memcpy(out, s, cut);
	memcpy(out + cut, "…", 4);
}

static float text_fit(struct build *b, enum viz_font font, float px, float x, float y, float maxw, struct viz_rgba c,
		      int tag, int idx, const char *s)
{
	char buf[512];
	fit(b, font, px, maxw, s, buf, sizeof buf);
	return text(b, font, px, x, y, c, tag, idx, buf);
}

static struct viz_rgba alpha(struct viz_rgba c, uint8_t a)
{
	c.a = a;
	return c;
}

static void format_secs(sim_time t, char *buf, size_t size)
{
	snprintf(buf, size, "%lld.%06lld", (long long)(t / SIM_S), (long long)((t % SIM_S) / SIM_US));
}

static void format_speed(double speed, char *buf, size_t size)
{
	if (speed < 1)
		snprintf(buf, size, "%.1f×", speed);
	else
		snprintf(buf, size, "%.0f×", speed);
}

/* ---- top bar ---- */

static void top_bar(struct build *b, float h)
{
	const struct viz_theme *th = b->th;
	const struct viz_view *v = b->v;
	float W = (float)v->width, fs = b->fs, pad = fs * 0.6f;
	fill_rect(b, 0, 0, W, h, th->bar, VIZ_TAG_STATUS, -1);
	float ty = (h - fs * 1.2f) / 2;
	char t[64], sp[32], right[256];
	format_secs(v->now, t, sizeof t);
	format_speed(v->speed, sp, sizeof sp);
	const char *state = v->finished ? viz_str(v->lang, VIZ_S_FINISHED)
			    : v->playing ? viz_str(v->lang, VIZ_S_PLAYING)
					 : viz_str(v->lang, VIZ_S_PAUSED);
	/* The hint goes first when space is short: it is the least needed. */
	float x = W - pad;
	const char *hint = viz_str(v->lang, VIZ_S_HELP_HINT);
	float hw = (float)tw(b, VIZ_FONT_SANS, fs * 0.8f, hint);
	snprintf(right, sizeof right, "%s %s", viz_str(v->lang, VIZ_S_SPEED), sp);
	float spw = (float)tw(b, VIZ_FONT_SANS, fs, right);
	float stw = (float)tw(b, VIZ_FONT_SANS_BOLD, fs, state);
	char tt[80];
	snprintf(tt, sizeof tt, "t = %s s", t);
	float tww = (float)tw(b, VIZ_FONT_MONO, fs * 1.1f, tt);
	float need = hw + spw + stw + tww + 4 * pad * 2;
	if (need < W * 0.75f) {
		x -= hw;
		text(b, VIZ_FONT_SANS, fs * 0.8f, x, ty + fs * 0.15f, th->dim, VIZ_TAG_STATUS, -1, hint);
		x -= pad * 2;
	}
	x -= spw;
	text(b, VIZ_FONT_SANS, fs, x, ty, th->text, VIZ_TAG_STATUS, -1, right);
	x -= pad * 2 + stw;
	text(b, VIZ_FONT_SANS_BOLD, fs, x, ty, v->playing ? th->state_open : th->accent, VIZ_TAG_STATUS, -1, state);
	x -= pad * 2 + tww;
	text(b, VIZ_FONT_MONO, fs * 1.1f, x, ty - fs * 0.05f, th->text, VIZ_TAG_STATUS, -1, tt);
	/* A breakpoint's stop says why, in place of the title; the breakpoints
	 * set come before the title otherwise. */
	char bp[300] = "";
	if (v->break_note && v->break_note[0])
		snprintf(bp, sizeof bp, "%s: %s", viz_str(v->lang, VIZ_S_BREAK_HIT), v->break_note);
	else if (v->breaks && v->breaks[0])
		snprintf(bp, sizeof bp, "%s %s", viz_str(v->lang, VIZ_S_BREAKPOINTS), v->breaks);
	float left = pad;
	if (bp[0] && x - 2 * pad > pad) {
		float maxw = v->break_note && v->break_note[0] ? x - 3 * pad : (x - 3 * pad) * 0.45f;
		left += text_fit(b, VIZ_FONT_SANS_BOLD, fs, left, ty, maxw, v->break_note && v->break_note[0] ? th->drop : th->accent,
				 VIZ_TAG_STATUS, -1, bp) + pad * 2;
		if (v->break_note && v->break_note[0])
			return;
	}
	if (v->title && x - 2 * pad > left)
		text_fit(b, VIZ_FONT_SANS_BOLD, fs * 1.05f, left, ty, x - 2 * pad - left, th->text, VIZ_TAG_STATUS, -1,
			 v->title);
}

/* ---- timeline ---- */

static void timeline(struct build *b, float y0, float h)
{
	const struct viz_theme *th = b->th;
	const struct viz_view *v = b->v;
	float W = (float)v->width, fs = b->fs, pad = fs * 0.8f;
	fill_rect(b, 0, y0, W, h, th->bar, VIZ_TAG_TIMELINE, -1);
	sim_time end = v->end > v->now ? v->end : v->now;
	if (end <= 0)
		end = SIM_S;
	char a[48], e[48];
	snprintf(a, sizeof a, "0 s");
	snprintf(e, sizeof e, "%.3f s", (double)end / 1e9);
	float px = fs * 0.85f;
	float aw = (float)tw(b, VIZ_FONT_MONO, px, a), ew = (float)tw(b, VIZ_FONT_MONO, px, e);
	float x0 = pad + aw + pad, x1 = W - pad - ew - pad;
	float th_h = fmaxf(6, h * 0.28f), ty = y0 + (h - th_h) / 2;
	text(b, VIZ_FONT_MONO, px, pad, y0 + (h - px * 1.2f) / 2, th->dim, VIZ_TAG_TIMELINE, -1, a);
	text(b, VIZ_FONT_MONO, px, x1 + pad, y0 + (h - px * 1.2f) / 2, th->dim, VIZ_TAG_TIMELINE, -1, e);
	fill_rect(b, x0, ty, x1 - x0, th_h, th->lane, VIZ_TAG_TIMELINE, -1);
	float u = (float)((double)v->now / (double)end);
	u = u < 0 ? 0 : u > 1 ? 1 : u;
	fill_rect(b, x0, ty, (x1 - x0) * u, th_h, th->proto[VIZ_P_SMTP], VIZ_TAG_TIMELINE, -1);
	float kw = fmaxf(6, fs * 0.45f);
	fill_rect(b, x0 + (x1 - x0) * u - kw / 2, y0 + h * 0.12f, kw, h * 0.76f, th->accent, VIZ_TAG_TIMELINE, -1);
	b->f->tl_x = x0;
	b->f->tl_w = x1 - x0;
	b->f->tl_y = ty;
	b->f->tl_h = th_h;
	b->f->tl_end = end;
	b->f->tl_hit_x = x0 - kw;
	b->f->tl_hit_w = x1 - x0 + 2 * kw;
	b->f->tl_hit_y = y0;
	b->f->tl_hit_h = h;
}

/* ---- topology ---- */

/* Distance from a host's centre to its outline along unit vector (ux, uy). */
static float exit_dist(const struct build *b, int h, float ux, float uy)
{
	if (b->round[h])
		return b->hh[h] / 2;
	float hw = b->hw[h] / 2, hh = b->hh[h] / 2;
	float dx = fabsf(ux) > 1e-6f ? hw / fabsf(ux) : INFINITY;
	float dy = fabsf(uy) > 1e-6f ? hh / fabsf(uy) : INFINITY;
	return fminf(dx, dy);
}

/* Box and label sizes for hosts placed in a pw x ph rectangle. */
struct host_sizes {
	float box_w, box_h, label_px, labels_h, cellw;
};

static struct host_sizes host_sizes(const struct build *b, float pw, float ph)
{
	const struct viz_scene *s = b->s;
	int n = viz_scene_host_count(s);
	double cw, ch;
	viz_scene_cell(s, &cw, &ch);
	float cellw = (float)cw * pw, cellh = (float)ch * ph;
	float fs = b->fs;
	/* The largest unit u (box height) such that every two hosts are far
	 * enough apart in pixels: side by side (a box is 2 u wide) or one
	 * above the other (a box and its two label lines take 2.3 u). This
	 * beats the layout's square cell when the pane is not square. */
	float u = INFINITY;
	for (int i = 0; i < n; i++) {
		double xi, yi;
		viz_scene_host_pos(s, i, &xi, &yi);
		for (int j = i + 1; j < n; j++) {
			double xj, yj;
			viz_scene_host_pos(s, j, &xj, &yj);
			float dx = fabsf((float)(xi - xj)) * pw, dy = fabsf((float)(yi - yj)) * ph;
			float k = fmaxf(dx / 2.2f, dy / 2.5f);
			if (k < u)
				u = k;
		}
	}
	if (n > 1 && isfinite(u)) {
		cellh = u / 0.42f;
		cellw = u * 2.0f / 0.86f; /* boxes 2 u wide: a gap of 0.2 u at the closest */
	}
	struct host_sizes z;
	z.box_h = fminf(fs * 3.0f, cellh * 0.42f);
	z.box_w = fminf(fs * 6.4f, cellw * 0.86f);
	if (z.box_w < z.box_h * 1.3f)
		z.box_h = z.box_w / 1.3f;
	z.label_px = fminf(fs, cellh * 0.55f / 2.4f);
	if (z.label_px * 4 > cellw)
		z.label_px = cellw / 4;
	z.labels_h = z.label_px >= 8 ? z.label_px * (z.label_px >= 11 ? 2.3f : 1.2f) : 0;
	z.cellw = cellw;
	return z;
}

static void hosts_geometry(struct build *b, float px0, float py0, float pw, float ph, float *label_px_r)
{
	const struct viz_scene *s = b->s;
	int n = viz_scene_host_count(s);
	float fs = b->fs;
	/* Sizes for the whole pane, then again for the pane less the margins
	 * those sizes need (half a box at the sides and top, a box and its
	 * labels at the bottom), so no host is cut by the pane's edge. */
	struct host_sizes z = host_sizes(b, pw, ph);
	float ml = z.box_w / 2 + fs * 0.3f, mt = z.box_h * 0.55f + fs * 0.3f, mb = z.box_h * 0.55f + z.labels_h + fs * 0.3f;
	if (pw > 2 * ml + fs && ph > mt + mb + fs) {
		px0 += ml;
		pw -= 2 * ml;
		py0 += mt;
		ph -= mt + mb;
		z = host_sizes(b, pw, ph);
	}
	float box_w = z.box_w, box_h = z.box_h, label_px = z.label_px, labels_h = z.labels_h, cellw = z.cellw;
	*label_px_r = label_px;
	b->box_w = box_w;
	b->box_h = box_h;
	b->cell_px_w = cellw;
	for (int h = 0; h < n; h++) {
		double x, y;
		viz_scene_host_pos(s, h, &x, &y);
		b->hx[h] = px0 + (float)x * pw;
		b->hy[h] = py0 + (float)y * ph;
		b->round[h] = viz_scene_host_role(s, h) == VIZ_ROLE_ROUTER;
		b->hw[h] = b->round[h] ? box_h * 1.1f : box_w;
		b->hh[h] = b->round[h] ? box_h * 1.1f : box_h;
	}
	b->labels_h = labels_h;
	/* A label is centred under its host; it may be as wide as the space
	 * to the nearest host whose box or label shares its rows (each side
	 * takes half the gap), and must stay in the pane. */
	float gap = fs * 0.6f;
	(void)cellw;
	for (int h = 0; h < n; h++) {
		float top = b->hy[h] + b->hh[h] / 2, bot = top + labels_h + fs * 0.2f;
		float m = fminf(box_w * 2.6f, 2 * fminf(b->hx[h] - b->pane_x0, b->pane_x1 - b->hx[h]));
		for (int k = 0; k < n; k++) {
			if (k == h)
				continue;
			float t2 = b->hy[k] - b->hh[k] / 2, b2 = b->hy[k] + b->hh[k] / 2 + labels_h + fs * 0.2f;
			if (t2 >= bot || b2 <= top)
				continue;
			/* Each of two neighbours takes at most its half of the gap. */
			float lim = fabsf(b->hx[k] - b->hx[h]) - gap;
			if (lim < m)
				m = lim;
		}
		b->label_maxw[h] = fmaxf(m, b->hw[h]);
	}
	/* What the labels will really take (the link labels keep clear). */
	for (int h = 0; h < n; h++) {
		float lp = *label_px_r >= 8 ? *label_px_r : 0;
		float wn = lp > 0 ? (float)tw(b, VIZ_FONT_SANS_BOLD, lp, viz_scene_host_name(s, h)) : 0;
		float wa = lp >= 11 ? (float)tw(b, VIZ_FONT_MONO, lp * 0.85f, viz_scene_host_addr(s, h)) : 0;
		b->label_w[h] = fminf(fmaxf(wn, wa), b->label_maxw[h]);
	}
}

/* 1 if (x, y, w, h) meets a host box, a host label or a taken rectangle. */
static int area_taken(const struct build *b, float x, float y, float w, float h)
{
	int n = viz_scene_host_count(b->s);
	for (int k = 0; k < n; k++) {
		float bx = b->hx[k] - fmaxf(b->hw[k], b->label_w[k]) / 2, by = b->hy[k] - b->hh[k] / 2;
		float bw = fmaxf(b->hw[k], b->label_w[k]), bh = b->hh[k] + b->labels_h + b->fs * 0.2f;
		if (x < bx + bw && bx < x + w && y < by + bh && by < y + h)
			return 1;
	}
	for (int i = 0; i < b->ntaken; i++) {
		const float *r = b->taken[i];
		if (x < r[0] + r[2] && r[0] < x + w && y < r[1] + r[3] && r[1] < y + h)
			return 1;
	}
	return 0;
}

static void take_area(struct build *b, float x, float y, float w, float h)
{
	if (b->ntaken == b->ctaken) {
		int n = b->ctaken ? b->ctaken * 2 : 32;
		float(*t)[4] = realloc(b->taken, sizeof *t * (size_t)n);
		if (!t)
			return;
		b->taken = t;
		b->ctaken = n;
	}
	float *r = b->taken[b->ntaken++];
	r[0] = x, r[1] = y, r[2] = w, r[3] = h;
}

static void draw_links(struct build *b)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	const struct net *net = viz_scene_world(s)->net;
	int nl = viz_scene_link_count(s);
	float fs = b->fs, thick = fmaxf(2, fs * 0.14f) * th->stroke;
	int labels = nl <= 16;
	/* Many links: thin, quiet lines, so packets and hosts stand out. */
	struct viz_rgba link_color = th->link;
	if (nl > 30) {
		thick = 1;
		link_color = th->lane;
	}
	for (int l = 0; l < nl; l++) {
		int a, c;
		viz_scene_link_ends(s, l, &a, &c);
		float dx = b->hx[c] - b->hx[a], dy = b->hy[c] - b->hy[a];
		float len = sqrtf(dx * dx + dy * dy);
		float ux = len > 0 ? dx / len : 1, uy = len > 0 ? dy / len : 0;
		float da = exit_dist(b, a, ux, uy), dc = exit_dist(b, c, -ux, -uy);
		if (da + dc > len)
			da = dc = len / 2;
		b->lx1[l] = b->hx[a] + ux * da;
		b->ly1[l] = b->hy[a] + uy * da;
		b->lx2[l] = b->hx[c] - ux * dc;
		b->ly2[l] = b->hy[c] - uy * dc;
		int up = viz_scene_link_up(s, l);
		int sel = b->v->selected.kind == VIZ_HIT_LINK && b->v->selected.id == (uint64_t)l;
		if (sel)
			line(b, b->lx1[l], b->ly1[l], b->lx2[l], b->ly2[l], thick + fs * 0.5f, th->accent, VIZ_TAG_SELECTION, l);
		line(b, b->lx1[l], b->ly1[l], b->lx2[l], b->ly2[l], up ? thick : fmaxf(thick, 2), up ? link_color : th->link_down,
		     VIZ_TAG_LINK, l);
		frame_hit_link(b->f, l, b->lx1[l], b->ly1[l], b->lx2[l], b->ly2[l], fmaxf(6, b->lane + fs * 0.3f));
		float mx = (b->lx1[l] + b->lx2[l]) / 2, my = (b->ly1[l] + b->ly2[l]) / 2;
		if (!up) {
			/* A red badge above the lanes, clear of the drop marks on them. */
			const char *down = viz_str(b->v->lang, VIZ_S_STATE_DOWN);
			float bp = fs * 0.85f, bw = (float)tw(b, VIZ_FONT_SANS_BOLD, bp, down) + fs * 0.8f, bh = bp * 1.5f;
			float nx = -uy, ny = ux;
			if (ny > 0) {
				nx = -nx;
				ny = -ny;
			}
			float off = b->lane + fs * 1.6f;
			float cx = mx + nx * off, cy = my + ny * off;
			fill_rect(b, cx - bw / 2, cy - bh / 2, bw, bh, th->link_down, VIZ_TAG_LINK, l);
			text(b, VIZ_FONT_SANS_BOLD, bp, cx - bw / 2 + fs * 0.4f, cy - bp * 0.62f, th->role_text, VIZ_TAG_LINK, l,
			     down);
		}
		if (labels && len > fs * 8) {
			const struct link_params *p = net_link_params(net, l);
			char lab[64];
			double ms = (double)p->latency / (double)SIM_MS;
			double mbps = (double)p->bandwidth_bps / 1e6;
			if (p->bandwidth_bps)
				snprintf(lab, sizeof lab, "%g ms · %g Mb/s", ms, mbps);
			else
				snprintf(lab, sizeof lab, "%g ms", ms);
			float lp = fs * 0.7f;
			float w = (float)tw(b, VIZ_FONT_SANS, lp, lab);
			/* Below the lower lane of a horizontal link; beside a vertical one. */
			float nx = -uy, ny = ux;
			if (ny < 0) {
				nx = -nx;
				ny = -ny;
			}
			/* Beside the line, clear of the lanes; on the other side if that
			 * side is taken; not at all if both are. */
			float off = b->lane + fs * 0.9f;
			float lh = lp * 1.2f;
			for (int side = 0; side < 2; side++) {
				float sg = side ? -1.0f : 1.0f;
				float cx = mx + nx * off * sg, cy = my + ny * off * sg;
				float x, y;
				if (fabsf(uy) > 0.8f) {
					x = sg > 0 ? cx + fs * 0.3f : cx - fs * 0.3f - w;
					y = cy - lh / 2;
				} else {
					x = cx - w / 2;
					y = sg > 0 ? cy - lp * 0.3f : cy - lh + lp * 0.3f;
				}
				if (area_taken(b, x, y, w, lh))
					continue;
				text(b, VIZ_FONT_SANS, lp, x, y, th->dim, VIZ_TAG_LINK, l, lab);
				take_area(b, x, y, w, lh);
				break;
			}
		}
	}
}

static void draw_hosts(struct build *b, float label_px)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	int n = viz_scene_host_count(s);
	float fs = b->fs, thick = fmaxf(1.5f, fs * 0.1f) * th->stroke;
	float label_w = b->box_w * 2.2f;
	for (int h = 0; h < n; h++) {
		float w = b->hw[h], hh = b->hh[h], x = b->hx[h] - w / 2, y = b->hy[h] - hh / 2;
		enum viz_role role = viz_scene_host_role(s, h);
		int sel = b->v->selected.kind == VIZ_HIT_HOST && b->v->selected.id == (uint64_t)h;
		if (sel) {
			float g = fs * 0.3f;
			if (b->round[h])
				disc(b, b->hx[h], b->hy[h], hh / 2 + g, th->accent, VIZ_TAG_SELECTION, h);
			else
				fill_rect(b, x - g, y - g, w + 2 * g, hh + 2 * g, th->accent, VIZ_TAG_SELECTION, h);
		}
		/* A crashed host keeps its place but is drawn grey with a red
		 * edge and the "down" badge links use, until its restart. */
		int up = viz_scene_host_up(s, h);
		struct viz_rgba fill = up ? th->role_fill[role] : th->dim;
		struct viz_rgba edge = up ? th->role_edge : th->link_down;
		float edge_w = up ? thick : thick * 2;
		if (b->round[h]) {
			disc(b, b->hx[h], b->hy[h], hh / 2, edge, VIZ_TAG_HOST, h);
			disc(b, b->hx[h], b->hy[h], hh / 2 - edge_w, fill, VIZ_TAG_HOST, h);
		} else {
			fill_rect(b, x, y, w, hh, fill, VIZ_TAG_HOST, h);
			rect(b, x, y, w, hh, edge_w, edge, VIZ_TAG_HOST, h);
		}
		frame_hit_host(b->f, h, x, y, w, hh);
		/* Down: the word takes the role's place inside the box, where it
		 * never covers a neighbour's label. */
		const char *rl = up ? viz_role_label(role) : viz_str(b->v->lang, VIZ_S_STATE_DOWN);
		if (!up)
			fill_rect(b, x + edge_w, b->hy[h] - hh * 0.3f, w - 2 * edge_w, hh * 0.6f, th->link_down, VIZ_TAG_HOST, h);
		float rp = fminf(hh * 0.5f, fs * 1.3f);
		float rw = (float)tw(b, VIZ_FONT_SANS_BOLD, rp, rl);
		if (rw > w * 0.88f)
			rp *= w * 0.88f / rw, rw = (float)tw(b, VIZ_FONT_SANS_BOLD, rp, rl);
		if (rp >= 7)
			text(b, VIZ_FONT_SANS_BOLD, rp, b->hx[h] - rw / 2, b->hy[h] - rp * 0.62f, th->role_text, VIZ_TAG_HOST,
			     h, rl);
		if (label_px < 8 && !sel)
			continue;
		float lp = label_px < 8 ? fs * 0.8f : label_px;
		/* Labels may be wider than the box, never than their room (a
		 * long name first gets a smaller size, then an ellipsis). */
		float maxw = fminf(label_w, b->label_maxw[h]);
		for (int k = 0; k < 2 && tw(b, VIZ_FONT_SANS_BOLD, lp, viz_scene_host_name(s, h)) > maxw && lp * 0.85f >= 9; k++)
			lp *= 0.85f;
		char buf[256];
		const char *name = viz_scene_host_name(s, h);
		float ly = y + hh + fs * 0.2f;
		const char *hyphen = strchr(name, '-');
		if (tw(b, VIZ_FONT_SANS_BOLD, lp, name) > maxw && hyphen && lp >= 11) {
			/* "maria-laptop" that does not fit: "maria-" over "laptop",
			 * in place of the address. */
			char first[128];
			snprintf(first, sizeof first, "%.*s", (int)(hyphen - name + 1), name);
			const char *parts[2] = {first, hyphen + 1};
			for (int k = 0; k < 2; k++) {
				fit(b, VIZ_FONT_SANS_BOLD, lp, maxw, parts[k], buf, sizeof buf);
				float pw_ = (float)tw(b, VIZ_FONT_SANS_BOLD, lp, buf);
				text(b, VIZ_FONT_SANS_BOLD, lp, b->hx[h] - pw_ / 2, ly + (float)k * lp * 1.1f, th->text,
				     VIZ_TAG_HOST_LABEL, h, buf);
			}
			continue;
		}
		fit(b, VIZ_FONT_SANS_BOLD, lp, maxw, name, buf, sizeof buf);
		float nw = (float)tw(b, VIZ_FONT_SANS_BOLD, lp, buf);
		text(b, VIZ_FONT_SANS_BOLD, lp, b->hx[h] - nw / 2, ly, th->text, VIZ_TAG_HOST_LABEL, h, buf);
		if (lp >= 11 && viz_scene_host_addr(s, h)[0]) {
			/* An address is shown whole or not at all. */
			float ap = lp * 0.85f;
			const char *addr = viz_scene_host_addr(s, h);
			float aw = (float)tw(b, VIZ_FONT_MONO, ap, addr);
			if (aw <= maxw)
				text(b, VIZ_FONT_MONO, ap, b->hx[h] - aw / 2, ly + lp * 1.2f, th->dim, VIZ_TAG_HOST_LABEL, h, addr);
		}
	}
}

static const char *flag_letter(uint8_t flags)
{
	if (flags & TCP_RST)
		return "R";
	if ((flags & TCP_SYN) && (flags & TCP_ACK))
		return "SA";
	if (flags & TCP_SYN)
		return "S";
	if (flags & TCP_FIN)
		return "F";
	return NULL;
}

static void draw_packets(struct build *b)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	sim_time t = b->v->now, linger = viz_scene_drop_linger(s);
	float fs = b->fs;
	size_t n = viz_scene_flight_count(s);
	int ndrops = 0;
	size_t nvisible = 0;
	for (size_t i = 0; i < n; i++) {
		const struct viz_flight *f = viz_scene_flight(s, i);
		int vis = viz_flight_visible(f, t, linger);
		ndrops += f->dropped && vis;
		nvisible += vis;
	}
	/* Hundreds of packets: no outline (half the drawing; at that density
	 * the outline is lost anyway). */
	int dense = nvisible > 300;
	/* Packets (and their lanes, set in viz_frame_build) shrink with the
	 * hosts in a crowded map, so they do not bury them. */
	float ps = b->pkt_scale;
	/* Packets that would be drawn on the same pixels alike (a queue at a
	 * busy link's start, back-to-back segments on a fast link) are drawn
	 * once: the picture is the same and a dense frame stays fast. */
	size_t cap = 64;
	while (cap < n * 2)
		cap *= 2;
	uint64_t *seen = calloc(cap, sizeof *seen);
	for (size_t i = 0; i < n; i++) {
		const struct viz_flight *f = viz_scene_flight(s, i);
		if (!viz_flight_visible(f, t, linger))
			continue;
		float x, y;
		if (f->link >= 0) {
			int l = f->link;
			float x1 = b->lx1[l], y1 = b->ly1[l], x2 = b->lx2[l], y2 = b->ly2[l];
			if (f->dir == 1) {
				float tx = x1, ty = y1;
				x1 = x2, y1 = y2, x2 = tx, y2 = ty;
			}
			float dx = x2 - x1, dy = y2 - y1, len = sqrtf(dx * dx + dy * dy);
			float ux = len > 0 ? dx / len : 1, uy = len > 0 ? dy / len : 0;
			/* Right-hand traffic: each direction keeps to its own lane. */
			float nx = -uy, ny = ux;
			float u = (float)viz_flight_frac(f, t);
			x = x1 + dx * u + nx * b->lane;
			y = y1 + dy * u + ny * b->lane;
		} else {
			int h = f->host >= 0 && f->host < viz_scene_host_count(s) ? f->host : 0;
			x = b->hx[h] + b->hw[h] / 2 + fs * 0.4f;
			y = b->hy[h] - b->hh[h] / 2;
		}
		int sel = b->v->selected.kind == VIZ_HIT_PACKET && b->v->selected.id == f->id;
		if (seen && !sel) {
			uint64_t key = ((uint64_t)(uint32_t)lroundf(x) << 32 | (uint32_t)lroundf(y)) * 31 +
				       (uint64_t)(f->proto * 8 + f->app) * 1024 + (uint64_t)f->flags * 4 +
				       (uint64_t)f->retransmit * 2 + f->dropped;
			key = key ? key : 1;
			size_t h = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
			while (seen[h] && seen[h] != key)
				h = (h + 1) & (cap - 1);
			if (seen[h] == key)
				continue;
			seen[h] = key;
		}
		if (f->dropped) {
			float k = fs * 0.5f, wdt = fmaxf(3, fs * 0.2f) * th->stroke;
			if (sel)
				disc(b, x, y, k * 1.8f, th->accent, VIZ_TAG_SELECTION, (int)i);
			line(b, x - k, y - k, x + k, y + k, wdt, th->drop, VIZ_TAG_DROP, (int)i);
			line(b, x - k, y + k, x + k, y - k, wdt, th->drop, VIZ_TAG_DROP, (int)i);
			frame_hit_packet(b->f, f->id, x, y, k);
			if (ndrops <= 6)
				text(b, VIZ_FONT_SANS_BOLD, fs * 0.7f, x + k * 1.4f, y - k * 0.2f, th->drop, VIZ_TAG_DROP,
				     (int)i, viz_drop_reason_text(f->drop_reason, b->v->lang));
			continue;
		}
		const char *letter = ps < 0.6f ? NULL : flag_letter(f->flags);
		float r = letter ? fs * (letter[1] ? 0.9f : 0.78f) : f->proto == VIZ_P_CONTROL ? fs * 0.38f : fs * 0.55f;
		r = fmaxf(2, r * ps);
		if (sel)
			disc(b, x, y, r + fs * 0.45f, th->accent, VIZ_TAG_SELECTION, (int)i);
		if (f->retransmit)
			disc(b, x, y, r + fmaxf(3, fs * 0.2f), th->retransmit, VIZ_TAG_PACKET, (int)i);
		else if (!dense)
			disc(b, x, y, r + 1, th->packet_edge, VIZ_TAG_PACKET, (int)i);
		/* A control segment of a mail protocol keeps the control colour but
		 * shows its protocol as a rim. */
		struct viz_rgba fill = th->proto[f->proto];
		if (f->proto == VIZ_P_CONTROL && f->app != VIZ_P_DATA && !f->retransmit)
			disc(b, x, y, r + 1, th->proto[f->app], VIZ_TAG_PACKET, (int)i);
		disc(b, x, y, f->proto == VIZ_P_CONTROL && f->app != VIZ_P_DATA ? r - fmaxf(1.5f, fs * 0.08f) : r, fill,
		     VIZ_TAG_PACKET, (int)i);
		frame_hit_packet(b->f, f->id, x, y, r);
		if (letter) {
			float lp = r * 1.05f;
			float lw = (float)tw(b, VIZ_FONT_SANS_BOLD, lp, letter);
			text(b, VIZ_FONT_SANS_BOLD, lp, x - lw / 2, y - lp * 0.62f, th->packet_letter, VIZ_TAG_PACKET, (int)i,
			     letter);
		}
	}
	free(seen);
}

static void legend(struct build *b, float x0, float y0, float w)
{
	const struct viz_theme *th = b->th;
	enum viz_lang lang = b->v->lang;
	float fs = b->fs, px = fs * 0.78f, r = fs * 0.36f, gap = fs * 1.1f;
	float x = x0, y = y0 + px * 0.7f;
	for (int k = 0; k < 8; k++) {
		const char *label = viz_str(lang, (enum viz_str)(VIZ_S_LEGEND_SMTP + k));
		float need = r * 2 + fs * 0.35f + (float)tw(b, VIZ_FONT_SANS, px, label) + gap;
		if (x + need > x0 + w && x > x0) {
			x = x0;
			y += px * 1.6f;
		}
		float cx = x + r, cy = y;
		if (k < 6) {
			disc(b, cx, cy, r + 1, th->packet_edge, VIZ_TAG_NONE, -1);
			disc(b, cx, cy, k == 5 ? r * 0.75f : r, th->proto[k], VIZ_TAG_NONE, -1);
		} else if (k == 6) {
			disc(b, cx, cy, r + 3, th->retransmit, VIZ_TAG_NONE, -1);
			disc(b, cx, cy, r, th->proto[VIZ_P_DATA], VIZ_TAG_NONE, -1);
		} else {
			float kk = r, wd = fmaxf(3, fs * 0.18f);
			line(b, cx - kk, cy - kk, cx + kk, cy + kk, wd, th->drop, VIZ_TAG_NONE, -1);
			line(b, cx - kk, cy + kk, cx + kk, cy - kk, wd, th->drop, VIZ_TAG_NONE, -1);
		}
		x += r * 2 + fs * 0.35f;
		x += text(b, VIZ_FONT_SANS, px, x, cy - px * 0.62f, th->text, VIZ_TAG_NONE, -1, label) + gap;
	}
}

static float legend_height(struct build *b, float w)
{
	enum viz_lang lang = b->v->lang;
	float fs = b->fs, px = fs * 0.78f, r = fs * 0.36f, gap = fs * 1.1f, x = 0;
	int rows = 1;
	for (int k = 0; k < 8; k++) {
		float need = r * 2 + fs * 0.35f + (float)tw(b, VIZ_FONT_SANS, px, viz_str(lang, (enum viz_str)(VIZ_S_LEGEND_SMTP + k))) + gap;
		if (x + need > w && x > 0) {
			rows++;
			x = 0;
		}
		x += need;
	}
	return (float)rows * px * 1.6f;
}

/* ---- the sequence chart: one lifeline per host that speaks, one arrow
 * per protocol line, the newest at the bottom, in step with the time ---- */

static int line_visible(const struct viz_log_entry *e, sim_time now) { return e->kind == VIZ_LOG_LINE && e->time <= now; }

static int has_lines(const struct viz_scene *s, sim_time now)
{
	for (size_t i = viz_scene_log_count(s); i-- > 0;)
		if (line_visible(viz_scene_log(s, i), now))
			return 1;
	return 0;
}

static void seq_chart(struct build *b, float x0, float y0, float w, float h)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	sim_time now = b->v->now;
	float fs = b->fs, px = fs * 0.72f, row = px * 1.55f, head = fs * 1.5f;
	int n = viz_scene_host_count(s);
	fill_rect(b, x0, y0, w, h, th->panel, VIZ_TAG_SEQ, -1);
	int rows_fit = (int)((h - head - fs * 0.4f) / row);
	if (rows_fit < 1)
		return;
	/* The rows: the newest lines that fit. */
	size_t nlog = viz_scene_log_count(s);
	size_t *rows = malloc(sizeof(size_t) * (size_t)rows_fit);
	int *col = malloc(sizeof(int) * (size_t)(n + 1));
	int *order = malloc(sizeof(int) * (size_t)(n + 1));
	if (!rows || !col || !order) {
		free(rows), free(col), free(order);
		return;
	}
	int nrows = 0;
	for (size_t i = nlog; i-- > 0 && nrows < rows_fit;)
		if (line_visible(viz_scene_log(s, i), now))
			rows[nrows++] = i;
	/* The participants of those rows, left to right as in the topology. */
	for (int k = 0; k < n; k++)
		col[k] = -1;
	int np = 0;
	for (int r = 0; r < nrows; r++) {
		const struct viz_log_entry *e = viz_scene_log(s, rows[r]);
		int hs[2] = {e->host, e->aux};
		for (int j = 0; j < 2; j++)
			if (hs[j] >= 0 && hs[j] < n && col[hs[j]] < 0) {
				col[hs[j]] = 0;
				order[np++] = hs[j];
			}
	}
	/* Sort participants by their x on the map (insertion sort: few). */
	for (int i = 1; i < np; i++)
		for (int j = i; j > 0 && b->hx[order[j - 1]] > b->hx[order[j]]; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* At most 64 lifelines; lines of hosts beyond them are not drawn. */
	float lx[64];
	for (int i = 64; i < np; i++)
		col[order[i]] = -1;
	if (np > 64)
		np = 64;
	float colw = np > 0 ? w / (float)np : w;
	for (int i = 0; i < np; i++) {
		col[order[i]] = i;
		lx[i] = x0 + colw * ((float)i + 0.5f);
		char name[128];
		fit(b, VIZ_FONT_SANS_BOLD, px, colw * 0.95f, viz_scene_host_name(s, order[i]), name, sizeof name);
		float nw = (float)tw(b, VIZ_FONT_SANS_BOLD, px, name);
		text(b, VIZ_FONT_SANS_BOLD, px, lx[i] - nw / 2, y0 + fs * 0.3f, th->text, VIZ_TAG_SEQ, order[i], name);
		line(b, lx[i], y0 + head, lx[i], y0 + h - fs * 0.2f, 1, th->panel_edge, VIZ_TAG_SEQ, order[i]);
	}
	clip(b, x0, y0, w, h);
	float y = y0 + head + row * 0.9f + (float)(rows_fit - nrows) * row;
	for (int r = nrows; r-- > 0; y += row) {
		const struct viz_log_entry *e = viz_scene_log(s, rows[r]);
		if (e->host < 0 || e->host >= n || e->aux < 0 || e->aux >= n || col[e->host] < 0 || col[e->aux] < 0 ||
		    col[e->host] >= np || col[e->aux] >= np)
			continue;
		float xa = lx[col[e->host]], xb = lx[col[e->aux]];
		struct viz_rgba c = strcmp(e->a, "POP3") == 0   ? th->proto[VIZ_P_POP3]
				    : strcmp(e->a, "IMAP") == 0 ? th->proto[VIZ_P_IMAP]
								: th->proto[VIZ_P_SMTP];
		if (b->v->selected.kind == VIZ_HIT_LINE && b->v->selected.id == e->seq)
			fill_rect(b, x0, y - row * 0.85f, w, row, alpha(th->accent, 70), VIZ_TAG_SEQ, (int)rows[r]);
		frame_hit_line(b->f, e->seq, x0, y - row * 0.85f, w, row);
		float aw = fmaxf(2, fs * 0.1f);
		line(b, xa, y, xb, y, aw, c, VIZ_TAG_SEQ, (int)rows[r]);
		float dir = xb >= xa ? 1.0f : -1.0f, ah = fs * 0.4f;
		line(b, xb, y, xb - dir * ah, y - ah * 0.6f, aw, c, VIZ_TAG_SEQ, (int)rows[r]);
		line(b, xb, y, xb - dir * ah, y + ah * 0.6f, aw, c, VIZ_TAG_SEQ, (int)rows[r]);
		char l[240];
		snprintf(l, sizeof l, "%s %s", e->b, e->text);
		float tx = fminf(xa, xb) + fs * 0.7f;
		text_fit(b, VIZ_FONT_MONO, px, tx, y - px * 1.25f, x0 + w - tx - fs * 0.2f, th->text, VIZ_TAG_SEQ,
			 (int)rows[r], l);
	}
	clip(b, 0, 0, 0, 0);
	free(rows);
	free(col);
	free(order);
}

/* ---- the selection's details ---- */

static void selection_box(struct build *b, float x0, float y0, float maxw)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	const struct viz_view *v = b->v;
	enum viz_lang lang = v->lang;
	const struct net *net = viz_scene_world(s)->net;
	char lines[12][160];
	int n = 0;
	char a1[16], a2[16], fl[24];
	if (v->selected.kind == VIZ_HIT_LINE) {
		const struct viz_log_entry *e = viz_scene_log_seq(s, v->selected.id);
		if (!e || e->time > v->now)
			return;
		char ts[32];
		format_secs(e->time, ts, sizeof ts);
		snprintf(lines[n++], sizeof lines[0], "%s (%s)", viz_str(lang, VIZ_S_SEL_LINE), e->a);
		snprintf(lines[n++], sizeof lines[0], "%s → %s  %s s",
			 e->host >= 0 && e->host < viz_scene_host_count(s) ? viz_scene_host_name(s, e->host) : "-",
			 e->aux >= 0 && e->aux < viz_scene_host_count(s) ? viz_scene_host_name(s, e->aux) : "-", ts);
		snprintf(lines[n++], sizeof lines[0], "%.3s %.150s", e->b, e->text);
		int m = viz_msgs_find_line(viz_scene_msgs(s), e->host, e->aux, e->time);
		if (m >= 0)
			snprintf(lines[n++], sizeof lines[0], "%s %d: %.120s", viz_str(lang, VIZ_S_MESSAGE), m + 1,
				 viz_msgs_get(viz_scene_msgs(s), (size_t)m)->id);
		/* What the line means, from the explanations catalogue. */
		n += (int)viz_explain_line(e, lang, lines + n, (size_t)(12 - n), 64);
	} else if (v->selected.kind == VIZ_HIT_LINK && v->selected.id < (uint64_t)viz_scene_link_count(s)) {
		int l = (int)v->selected.id;
		const struct link_params *p = net_link_params(net, l);
		int inflight = 0;
		for (size_t i = 0; i < viz_scene_flight_count(s); i++) {
			const struct viz_flight *f = viz_scene_flight(s, i);
			inflight += f->link == l && !f->dropped && viz_flight_visible(f, v->now, 0);
		}
		snprintf(lines[n++], sizeof lines[0], "%s: %s", viz_str(lang, VIZ_S_SEL_LINK), viz_scene_link_name(s, l));
		snprintf(lines[n++], sizeof lines[0], "%s", viz_str(lang, viz_scene_link_up(s, l) ? VIZ_S_STATE_UP : VIZ_S_STATE_DOWN));
		snprintf(lines[n++], sizeof lines[0], "%s %g ms", viz_str(lang, VIZ_S_LATENCY), (double)p->latency / 1e6);
		snprintf(lines[n++], sizeof lines[0], "%s %g Mb/s", viz_str(lang, VIZ_S_BANDWIDTH), (double)p->bandwidth_bps / 1e6);
		snprintf(lines[n++], sizeof lines[0], "%s %g %%", viz_str(lang, VIZ_S_LOSS), p->loss * 100);
		snprintf(lines[n++], sizeof lines[0], "%s: %d", viz_str(lang, VIZ_S_IN_FLIGHT), inflight);
	} else if (v->selected.kind == VIZ_HIT_PACKET) {
		const struct viz_flight *f = NULL;
		for (size_t i = viz_scene_flight_count(s); i-- > 0;)
			if (viz_scene_flight(s, i)->id == v->selected.id) {
				f = viz_scene_flight(s, i);
				break;
			}
		if (!f)
			return;
		snprintf(lines[n++], sizeof lines[0], "%s #%llu", viz_str(lang, VIZ_S_SEL_PACKET), (unsigned long long)f->id);
		snprintf(lines[n++], sizeof lines[0], "%s:%u → %s:%u", ipv4_format(f->src_ip, a1), f->sport,
			 ipv4_format(f->dst_ip, a2), f->dport);
		if (f->ipproto == IPPROTO_SIM_TCP) {
			snprintf(lines[n++], sizeof lines[0], "TCP %s", viz_tcp_flags(f->flags, fl, sizeof fl));
			snprintf(lines[n++], sizeof lines[0], "seq %u  ack %u  len %u", f->seq, f->ack, f->len);
		} else {
			snprintf(lines[n++], sizeof lines[0], "UDP  len %u", f->len);
		}
		snprintf(lines[n++], sizeof lines[0], "%s", viz_proto_name(f->app));
		if (f->retransmit)
			snprintf(lines[n++], sizeof lines[0], "%s", viz_str(lang, VIZ_S_LEGEND_RETRANSMIT));
		if (f->dropped)
			snprintf(lines[n++], sizeof lines[0], "%s: %s", viz_str(lang, VIZ_S_DROPPED),
				 viz_drop_reason_text(f->drop_reason, lang));
	}
	if (!n)
		return;
	float fs = b->fs, px = fs * 0.85f, pad = fs * 0.5f, w = 0;
	for (int i = 0; i < n; i++)
		w = fmaxf(w, (float)tw(b, i ? VIZ_FONT_SANS : VIZ_FONT_SANS_BOLD, px, lines[i]));
	w = fminf(w + 2 * pad, maxw);
	float h = (float)n * px * 1.3f + 2 * pad;
	fill_rect(b, x0, y0, w, h, alpha(th->panel, 235), VIZ_TAG_SELECTION, -1);
	rect(b, x0, y0, w, h, fmaxf(2, fs * 0.1f), th->accent, VIZ_TAG_SELECTION, -1);
	for (int i = 0; i < n; i++)
		text_fit(b, i ? VIZ_FONT_SANS : VIZ_FONT_SANS_BOLD, px, x0 + pad, y0 + pad + (float)i * px * 1.3f,
			 w - 2 * pad, th->text, VIZ_TAG_SELECTION, i, lines[i]);
}

/* ---- the inspectors (rows from inspect.c) ---- */

/* Length in bytes of the longest prefix of s (whole characters, cut at a
 * space when one is in its second half) that fits maxw. At least one
 * character, so wrapping always advances. */
static size_t wrap_cut(struct build *b, enum viz_font font, float px, float maxw, const char *s)
{
	size_t len = strlen(s);
	if (tw(b, font, px, s) <= maxw)
		return len;
	char tmp[512];
	size_t lo = 1, hi = len < sizeof tmp - 1 ? len : sizeof tmp - 1;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;
		memcpy(tmp, s, mid);
		tmp[mid] = '\0';
		if (tw(b, font, px, tmp) <= maxw)
			lo = mid;
		else
			hi = mid - 1;
	}
	size_t cut = lo;
	while (cut > 1 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	size_t sp = cut;
	while (sp > cut / 2 && s[sp] != ' ')
		sp--;
	return sp > cut / 2 ? sp + 1 : cut;
}

/* Draws text wrapped to w, at most max_lines lines (the last one cut with
 * an ellipsis). Returns the lines drawn. */
static int wrapped(struct build *b, enum viz_font font, float px, float x, float y, float w, float row, int max_lines,
		   struct viz_rgba c, int idx, const char *s)
{
	int n = 0;
	while (*s && n < max_lines) {
		float indent = n ? px * 1.2f : 0;
		if (n == max_lines - 1) {
			text_fit(b, font, px, x + indent, y, w - indent, c, VIZ_TAG_INSPECT, idx, s);
			return n + 1;
		}
		size_t cut = wrap_cut(b, font, px, w - indent, s);
		char part[512];
		snprintf(part, sizeof part, "%.*s", (int)(cut < sizeof part ? cut : sizeof part - 1), s);
		text(b, font, px, x + indent, y, c, VIZ_TAG_INSPECT, idx, part);
		s += cut;
		y += row;
		n++;
	}
	return n;
}

static struct viz_rgba row_color(const struct build *b, enum viz_row_kind k)
{
	const struct viz_theme *th = b->th;
	switch (k) {
	case VIZ_ROW_TITLE:
	case VIZ_ROW_ENV:
	case VIZ_ROW_ADDR:
	case VIZ_ROW_FIELD:
	case VIZ_ROW_TEXT:
		return th->text;
	case VIZ_ROW_SECTION:
		return th->accent;
	case VIZ_ROW_TRACE:
		return th->proto[VIZ_P_SMTP];
	case VIZ_ROW_NEW:
		return th->packet_letter;
	case VIZ_ROW_PART:
		return th->proto[VIZ_P_DNS];
	case VIZ_ROW_WARN:
		return th->state_closing;
	default:
		return th->dim;
	}
}

/* Draws rows in (x0, y0, w, h); returns the height used. Rows that do not
 * fit are left out (the last visible row says how many). */
static float draw_rows(struct build *b, const struct viz_rows *r, float x0, float y0, float w, float h)
{
	float fs = b->fs, px = fs * 0.72f, row = px * 1.3f, y = y0, bottom = y0 + h;
	size_t n = viz_rows_count(r);
	clip(b, x0, y0, w, h);
	for (size_t i = 0; i < n; i++) {
		const struct viz_row *rw = viz_rows_get(r, i);
		/* Keep a row for "+N …" unless this is the last row. */
		if (y + row * (i + 1 < n ? 2 : 1) > bottom) {
			char more[48];
			snprintf(more, sizeof more, "+%zu …", n - i);
			text(b, VIZ_FONT_MONO, px, x0, y, b->th->dim, VIZ_TAG_INSPECT, (int)i, more);
			y += row;
			break;
		}
		/* The envelope beside the address fields: two columns. */
		if (rw->kind == VIZ_ROW_SECTION && rw->col == 0 && i + 1 < n && viz_rows_get(r, i + 1)->col == 1) {
			size_t j = i;
			float yl = y, yr = y, half = w / 2 - fs * 0.3f;
			while (j < n) {
				const struct viz_row *q = viz_rows_get(r, j);
				if (j > i && q->col == 0 && q->kind != VIZ_ROW_ENV)
					break;
				float *yy = q->col ? &yr : &yl;
				float xx = q->col ? x0 + w / 2 + fs * 0.3f : x0;
				if (*yy + row <= bottom) {
					int bold = q->kind == VIZ_ROW_SECTION;
					int lines = wrapped(b, bold ? VIZ_FONT_SANS_BOLD : VIZ_FONT_MONO, px, xx, *yy, half, row,
							    bold ? 1 : 2, row_color(b, (enum viz_row_kind)q->kind), (int)j, q->text);
					*yy += row * (float)lines;
				}
				j++;
			}
			line(b, x0 + w / 2, y, x0 + w / 2, fmaxf(yl, yr), 1, b->th->panel_edge, VIZ_TAG_INSPECT, -1);
			y = fmaxf(yl, yr) + row * 0.3f;
			i = j - 1;
			continue;
		}
		float indent = (float)rw->depth * px * 1.2f;
		enum viz_row_kind k = (enum viz_row_kind)rw->kind;
		enum viz_font font = k == VIZ_ROW_TITLE || k == VIZ_ROW_SECTION ? VIZ_FONT_SANS_BOLD
				     : k == VIZ_ROW_SUB			    ? VIZ_FONT_SANS
									    : VIZ_FONT_MONO;
		float tpx = k == VIZ_ROW_TITLE ? fs * 0.85f : px;
		int max_lines = k == VIZ_ROW_NEW ? 3 : k == VIZ_ROW_FIELD || k == VIZ_ROW_TRACE || k == VIZ_ROW_WARN ? 2 : 1;
		if (k == VIZ_ROW_SECTION)
			y += row * 0.3f;
		int lines = (int)fminf((float)max_lines, floorf((bottom - y) / row) - 1);
		if (lines < 1)
			lines = 1;
		if (k == VIZ_ROW_NEW) {
			/* Count the lines first so the highlight covers them all. */
			int need = 1;
			const char *t = rw->text;
			float ww = w - indent;
			while (need < lines) {
				size_t cut = wrap_cut(b, font, tpx, ww - (need > 1 ? tpx * 1.2f : 0), t);
				if (!t[cut])
					break;
				t += cut;
				need++;
			}
			fill_rect(b, x0, y - row * 0.1f, w, row * (float)need, b->th->accent,
				  VIZ_TAG_INSPECT, (int)i);
		}
		int used = wrapped(b, font, tpx, x0 + indent, y, w - indent, k == VIZ_ROW_TITLE ? tpx * 1.3f : row, lines,
				   row_color(b, k), (int)i, rw->text);
		y += (k == VIZ_ROW_TITLE ? tpx * 1.3f : row) * (float)used;
	}
	clip(b, 0, 0, 0, 0);
	return y - y0;
}

/* ---- right panel: connections and the event log ---- */

static struct viz_rgba state_color(const struct viz_theme *th, const char *st)
{
	if (strcmp(st, "ESTABLISHED") == 0)
		return th->state_open;
	if (strncmp(st, "SYN", 3) == 0 || strcmp(st, "LISTEN") == 0)
		return th->state_opening;
	if (strcmp(st, "CLOSED") == 0)
		return th->state_closed;
	return th->state_closing;
}

static struct viz_rgba log_color(const struct viz_theme *th, const struct viz_log_entry *e)
{
	switch ((enum viz_log_kind)e->kind) {
	case VIZ_LOG_DROP:
		return th->drop;
	case VIZ_LOG_RETRANS:
		return th->retransmit;
	case VIZ_LOG_LINK:
		return th->state_closing;
	case VIZ_LOG_APP:
		return th->dim;
	case VIZ_LOG_LINE:
		return strcmp(e->a, "POP3") == 0 ? th->proto[VIZ_P_POP3]
		       : strcmp(e->a, "IMAP") == 0 ? th->proto[VIZ_P_IMAP]
						   : th->proto[VIZ_P_SMTP];
	case VIZ_LOG_MAIL:
		return th->accent;
	default:
		return th->text;
	}
}

static int has_lines(const struct viz_scene *s, sim_time now);

static void right_panel(struct build *b, float x0, float y0, float w, float h)
{
	const struct viz_scene *s = b->s;
	const struct viz_theme *th = b->th;
	const struct viz_view *v = b->v;
	float fs = b->fs, pad = fs * 0.6f;
	fill_rect(b, x0, y0, w, h, th->panel, VIZ_TAG_NONE, -1);
	line(b, x0, y0, x0, y0 + h, fmaxf(1, fs * 0.08f), th->panel_edge, VIZ_TAG_NONE, -1);
	float px = fs * 0.78f, row = px * 1.35f, tx = x0 + pad, tw_ = w - 2 * pad;
	float y = y0 + pad;
	/* The inspectors take the top of the panel: the message (as it is at
	 * the selected host), then the selected host. */
	int host = v->selected.kind == VIZ_HIT_HOST && v->selected.id < (uint64_t)viz_scene_host_count(s)
			   ? (int)v->selected.id
			   : -1;
	int inspectors = 0;
	struct viz_rows *rows_ = (v->msg >= 0 || host >= 0) ? viz_rows_new() : NULL;
	if (rows_ && v->msg >= 0) {
		viz_inspect_message(rows_, s, v->msg, host, v->now, v->highlight, v->lang);
		float hh = h * (host >= 0 ? 0.58f : 0.62f);
		y += draw_rows(b, rows_, tx, y, tw_, hh) + pad * 0.5f;
		line(b, x0 + pad, y, x0 + w - pad, y, fmaxf(1, fs * 0.06f), th->panel_edge, VIZ_TAG_NONE, -1);
		y += pad;
		inspectors = 1;
	}
	if (rows_ && host >= 0) {
		viz_rows_clear(rows_);
		viz_inspect_host(rows_, s, host, v->now, v->lang);
		float hh = h * (v->msg >= 0 ? 0.24f : 0.5f);
		y += draw_rows(b, rows_, tx, y, tw_, hh) + pad * 0.5f;
		inspectors = 1;
	}
	viz_rows_free(&rows_);
	if (!inspectors) {
	text(b, VIZ_FONT_SANS_BOLD, fs * 0.9f, tx, y, th->text, VIZ_TAG_CONN, -1, viz_str(v->lang, VIZ_S_CONNECTIONS));
	y += fs * 1.4f;
	sim_time linger = viz_scene_drop_linger(s);
	size_t nc = viz_scene_conn_count(s), vis = 0;
	for (size_t i = 0; i < nc; i++)
		vis += viz_conn_visible(viz_scene_conn(s, i), v->now, linger);
	int rows_max = (int)((h * 0.34f) / row);
	if (rows_max < 2)
		rows_max = 2;
	if (vis == 0) {
		text(b, VIZ_FONT_SANS, px, tx, y, th->dim, VIZ_TAG_CONN, -1, viz_str(v->lang, VIZ_S_NO_CONNECTIONS));
		y += row;
	}
	size_t skip = vis > (size_t)rows_max ? vis - (size_t)rows_max + 1 : 0;
	if (skip) {
		char more[64];
		snprintf(more, sizeof more, "+%zu …", skip);
		text(b, VIZ_FONT_MONO, px, tx, y, th->dim, VIZ_TAG_CONN, -1, more);
		y += row;
	}
	size_t seen = 0;
	for (size_t i = 0; i < nc; i++) {
		const struct viz_conn *c = viz_scene_conn(s, i);
		if (!viz_conn_visible(c, v->now, linger) || seen++ < skip)
			continue;
		char l[160], rip[16];
		snprintf(l, sizeof l, "%s :%u→%s:%u", viz_scene_host_name(s, c->host), c->local_port,
			 ipv4_format(c->remote_ip, rip), c->remote_port);
		float sw = (float)tw(b, VIZ_FONT_MONO, px, c->state);
		text(b, VIZ_FONT_MONO, px, tx + tw_ - sw, y, state_color(th, c->state), VIZ_TAG_CONN, (int)i, c->state);
		text_fit(b, VIZ_FONT_MONO, px, tx, y, tw_ - sw - px, th->text, VIZ_TAG_CONN, (int)i, l);
		y += row;
	}
	}
	y += pad;
	line(b, x0 + pad, y, x0 + w - pad, y, fmaxf(1, fs * 0.06f), th->panel_edge, VIZ_TAG_NONE, -1);
	y += pad;
	text(b, VIZ_FONT_SANS_BOLD, fs * 0.9f, tx, y, th->text, VIZ_TAG_LOG, -1, viz_str(v->lang, VIZ_S_EVENT_LOG));
	y += fs * 1.4f;
	/* Newest at the bottom; as many as fit. Two rows per entry (time and
	 * host, then what happened) would halve the count: one row, cut. */
	float bottom = y0 + h - pad;
	int fit_rows = (int)((bottom - y) / row);
	size_t nlog = viz_scene_log_count(s);
	/* Entries after now are not shown (the scene is at most at now). */
	size_t last = nlog;
	while (last > 0 && viz_scene_log(s, last - 1)->time > v->now)
		last--;
	/* Protocol lines have their own chart when there are any. */
	int skip_lines = has_lines(s, v->now);
	/* Long lines wrap once (the rest indented), so a protocol line or a
	 * packet summary stays readable; rows are counted from the bottom. */
	char (*rows)[320] = malloc(sizeof *rows * (size_t)(fit_rows > 0 ? fit_rows : 1));
	int *row_entry = malloc(sizeof(int) * (size_t)(fit_rows > 0 ? fit_rows : 1));
	int nrows = 0;
	if (rows && row_entry) {
		for (size_t i = last; i-- > 0 && nrows < fit_rows;) {
			const struct viz_log_entry *e = viz_scene_log(s, i);
			if (skip_lines && e->kind == VIZ_LOG_LINE)
				continue;
			char ts[32], msg[256], l[320], first_part[320];
			format_secs(e->time, ts, sizeof ts);
			viz_log_format(s, e, v->lang, msg, sizeof msg);
			snprintf(l, sizeof l, "%s %s", ts, msg);
			fit(b, VIZ_FONT_MONO, px, tw_, l, first_part, sizeof first_part);
			size_t cut = strlen(first_part);
			int wrapped = strcmp(first_part, l) != 0;
			if (wrapped) {
				/* Cut at the last space that fits, without the ellipsis. */
				cut = cut >= 3 ? cut - 3 : 0;
				size_t sp = cut;
				while (sp > 0 && l[sp] != ' ')
					sp--;
				if (sp > cut / 2)
					cut = sp;
			}
			if (wrapped && nrows + 2 <= fit_rows) {
				char rest[320];
				snprintf(rest, sizeof rest, "    %s", l + cut + (l[cut] == ' '));
				fit(b, VIZ_FONT_MONO, px, tw_, rest, rows[nrows], sizeof rows[0]);
				row_entry[nrows++] = (int)i;
				snprintf(rows[nrows], sizeof rows[0], "%.*s", (int)cut, l);
				row_entry[nrows++] = (int)i;
			} else {
				snprintf(rows[nrows], sizeof rows[0], "%s", first_part);
				row_entry[nrows++] = (int)i;
			}
		}
		clip(b, x0, y, w, bottom - y + pad);
		for (int k = nrows; k-- > 0;) {
			text(b, VIZ_FONT_MONO, px, tx, y, log_color(th, viz_scene_log(s, (size_t)row_entry[k])), VIZ_TAG_LOG,
			     row_entry[k], rows[k]);
			y += row;
		}
	}
	free(rows);
	free(row_entry);
	clip(b, 0, 0, 0, 0);
}

/* ---- help ---- */

static void help_overlay(struct build *b)
{
	const struct viz_theme *th = b->th;
	const struct viz_view *v = b->v;
	float W = (float)v->width, H = (float)v->height, fs = b->fs;
	fill_rect(b, 0, 0, W, H, alpha(th->bg, 170), VIZ_TAG_HELP, -1);
	static const enum viz_str keys[] = {VIZ_S_KEY_PLAY,     VIZ_S_KEY_STEP,  VIZ_S_KEY_STEP_LINE, VIZ_S_KEY_SPEED,
					    VIZ_S_KEY_SCRUB,    VIZ_S_KEY_HOME_END, VIZ_S_KEY_CLICK,
					    VIZ_S_KEY_TIMELINE, VIZ_S_KEY_CLICK_LINE, VIZ_S_KEY_HOP,
					    VIZ_S_KEY_MESSAGE,  VIZ_S_KEY_BREAK_5XX, VIZ_S_KEY_BREAK_CMD,
					    VIZ_S_KEY_BREAK_MAILBOX, VIZ_S_KEY_PROJECTOR, VIZ_S_KEY_LANG,
					    VIZ_S_KEY_HELP,     VIZ_S_KEY_QUIT};
	size_t nk = sizeof keys / sizeof keys[0];
	float px = fs, row = px * 1.5f, pad = fs * 1.2f;
	/* Shrink the text until the list fits the window. */
	for (;;) {
		float wmax = 0;
		for (size_t i = 0; i < nk; i++)
			wmax = fmaxf(wmax, (float)tw(b, VIZ_FONT_SANS, px, viz_str(v->lang, keys[i])));
		float bw = wmax + 2 * pad, bh = row * (float)(nk + 3) + 2 * pad;
		if ((bw <= W * 0.94f && bh <= H * 0.94f) || px <= 9) {
			float x0 = (W - bw) / 2, y0 = (H - bh) / 2;
			fill_rect(b, x0, y0, bw, bh, th->overlay, VIZ_TAG_HELP, -1);
			rect(b, x0, y0, bw, bh, fmaxf(2, fs * 0.12f), th->accent, VIZ_TAG_HELP, -1);
			float y = y0 + pad;
			text(b, VIZ_FONT_SANS_BOLD, px * 1.3f, x0 + pad, y, th->accent, VIZ_TAG_HELP, -1,
			     viz_str(v->lang, VIZ_S_HELP_TITLE));
			y += row * 1.6f;
			for (size_t i = 0; i < nk; i++, y += row)
				text(b, VIZ_FONT_SANS, px, x0 + pad, y, th->text, VIZ_TAG_HELP, (int)i, viz_str(v->lang, keys[i]));
			text(b, VIZ_FONT_SANS, px * 0.8f, x0 + pad, y + row * 0.3f, th->dim, VIZ_TAG_HELP, -1,
			     viz_str(v->lang, VIZ_S_CLICK_TO_CLOSE));
			return;
		}
		px *= 0.9f;
		row = px * 1.5f;
		pad = px * 1.2f;
	}
}

/* ---- the frame ---- */

int viz_frame_build(struct viz_frame *f, const struct viz_scene *s, const struct viz_view *v,
		    const struct viz_text_metrics *m)
{
	frame_reset(f);
	struct build b = {.f = f, .s = s, .v = v, .m = m ? m : viz_metrics_approx(), .th = viz_theme_get(v->projector)};
	float W = (float)(v->width > 64 ? v->width : 64), H = (float)(v->height > 64 ? v->height : 64);
	/* Base text size: readable from the back of a classroom in projector
	 * mode, compact but legible otherwise. */
	float fs = v->projector ? H / 32.0f : H / 46.0f;
	fs = fminf(fmaxf(fs, v->projector ? 16 : 12), v->projector ? 56 : 34);
	if (fs > W / (v->projector ? 36.0f : 50.0f))
		fs = fmaxf(11, W / (v->projector ? 36.0f : 50.0f));
	b.fs = fs;
	b.lane = fs * 0.7f;
	f->bg = b.th->bg;
	f->help = v->help;
	int n = viz_scene_host_count(s), nl = viz_scene_link_count(s);
	float *geo = malloc(sizeof(float) * (size_t)(6 * n + 4 * nl + 8));
	uint8_t *round = malloc((size_t)n + 1);
	if (!geo || !round) {
		free(geo);
		free(round);
		return -1;
	}
	b.hx = geo, b.hy = geo + n, b.hw = geo + 2 * n, b.hh = geo + 3 * n;
	b.lx1 = geo + 4 * n, b.ly1 = b.lx1 + nl, b.lx2 = b.ly1 + nl, b.ly2 = b.lx2 + nl;
	b.label_maxw = b.ly2 + nl;
	b.label_w = b.label_maxw + n;
	b.round = round;

	float top = fs * 2.2f, bottom = fs * 2.6f;
	float rp = fminf(fmaxf(W * 0.32f, fs * 14), W * 0.4f);
	float pad = fs * 0.8f;
	float pane_x = pad, pane_y = top + pad, pane_w = W - rp - 2 * pad;
	float leg_h = legend_height(&b, pane_w);
	float pane_h = H - top - bottom - leg_h - 3 * pad;
	if (pane_h < fs * 4)
		pane_h = fs * 4;
	/* With protocol lines, the lower part of the pane is their chart. */
	float seq_h = 0;
	if (has_lines(s, v->now)) {
		seq_h = pane_h * 0.42f;
		pane_h -= seq_h + pad;
	}
	float label_px;
	b.pane_x0 = pane_x;
	b.pane_x1 = pane_x + pane_w;
	hosts_geometry(&b, pane_x, pane_y, pane_w, pane_h, &label_px);
	b.pkt_scale = fminf(1, b.box_h / (fs * 2.4f));
	b.lane *= b.pkt_scale;
	draw_links(&b);
	draw_hosts(&b, label_px);
	draw_packets(&b);
	if (seq_h > 0)
		seq_chart(&b, pane_x, top + pad + pane_h + pad, pane_w, seq_h);
	legend(&b, pane_x, top + pad + pane_h + pad + (seq_h > 0 ? seq_h + pad : 0), pane_w);
	selection_box(&b, pane_x, top + pad * 0.5f, pane_w * 0.5f);
	right_panel(&b, W - rp, top, rp, H - top - bottom);
	top_bar(&b, top);
	timeline(&b, H - bottom, bottom);
	if (v->help)
		help_overlay(&b);
	free(geo);
	free(round);
	free(b.taken);
	return f->oom ? -1 : 0;
}

/* Draws frames with SDL (see sdl_render.h). Discs are cached white
 * anti-aliased textures tinted per draw; thick lines are two triangles
 * as parallel one-pixel lines; text textures are rendered in their colour
 * (tinting would send every blit down SDL's slow modulating path). Text
 * widths are cached too: measuring is the costly part of building a
 * frame with many labels. */
#include "viz/sdl_render.h"

#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viz/idmap.h"

#ifndef VIZ_FONT_DIR
#define VIZ_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif

#define MAX_SIZES 48
#define MAX_DISC 96
#define TEXT_CACHE_SOFT_LIMIT 3000

static const char *const font_files[VIZ_FONT_COUNT] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"};

struct sized_font {
	int font, px;
	TTF_Font *f;
};

struct text_entry {
	uint64_t key;
	char *s;
	int font, px, w, h;
	uint32_t rgb;
	SDL_Texture *tex;
	uint64_t used; /* frame number */
};

struct viz_sdl_render {
	SDL_Renderer *r;
	char paths[VIZ_FONT_COUNT][512];
	struct sized_font fonts[MAX_SIZES];
	int nfonts;
	struct text_entry *texts;
	size_t ntexts, ctexts;
	struct viz_idmap text_index;
	SDL_Texture **discs; /* by (radius, colour) through disc_index */
	size_t ndiscs, cdiscs;
	struct viz_idmap disc_index;
	struct viz_idmap widths; /* text key -> width in pixels */
	uint64_t frame_no;
	struct viz_text_metrics metrics;
};

const char *viz_sdl_font_dir(void)
{
	const char *d = getenv("MAILSIM_FONT_DIR");
	return d && *d ? d : VIZ_FONT_DIR;
}

static TTF_Font *get_font(struct viz_sdl_render *rr, int font, int px)
{
	if (px < 4)
		px = 4;
	for (int i = 0; i < rr->nfonts; i++)
		if (rr->fonts[i].font == font && rr->fonts[i].px == px)
			return rr->fonts[i].f;
	if (rr->nfonts == MAX_SIZES) {
		/* Window resizes walk through sizes: forget the oldest. */
		TTF_CloseFont(rr->fonts[0].f);
		memmove(rr->fonts, rr->fonts + 1, sizeof rr->fonts[0] * (MAX_SIZES - 1));
		rr->nfonts--;
	}
	TTF_Font *f = TTF_OpenFont(rr->paths[font], px);
	if (!f)
		return NULL;
	rr->fonts[rr->nfonts++] = (struct sized_font){font, px, f};
	return f;
}

static uint64_t text_key(int font, int px, uint32_t rgb, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(font * 131 + px) ^ ((uint64_t)rgb << 20);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static struct text_entry *text_lookup(struct viz_sdl_render *rr, int font, int px, uint32_t rgb, const char *s)
{
	uint64_t k = text_key(font, px, rgb, s);
	uint32_t i;
	if (viz_idmap_get(&rr->text_index, k, &i)) {
		struct text_entry *e = &rr->texts[i];
		if (e->font == font && e->px == px && e->rgb == rgb && strcmp(e->s, s) == 0)
			return e;
	}
	return NULL;
}

static int metrics_width(void *ctx, enum viz_font font, int px, const char *s)
{
	struct viz_sdl_render *rr = ctx;
	uint64_t k = text_key(font, px, 0, s);
	uint32_t w32;
	if (viz_idmap_get(&rr->widths, k, &w32))
		return (int)w32;
	TTF_Font *f = get_font(rr, font, px);
	int w = 0;
	if (!f || TTF_SizeUTF8(f, s, &w, NULL) < 0)
		return (int)(strlen(s) * (size_t)px * 6 / 10);
	if (rr->widths.count > 50000)
		viz_idmap_clear(&rr->widths);
	viz_idmap_put(&rr->widths, k, (uint32_t)w);
	return w;
}

struct viz_sdl_render *viz_sdl_render_new(SDL_Renderer *r, char *err, size_t errlen)
{
	struct viz_sdl_render *rr = calloc(1, sizeof *rr);
	if (!rr) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rr->r = r;
	viz_idmap_init(&rr->text_index);
	viz_idmap_init(&rr->disc_index);
	viz_idmap_init(&rr->widths);
	const char *dir = viz_sdl_font_dir();
	for (int i = 0; i < VIZ_FONT_COUNT; i++) {
		snprintf(rr->paths[i], sizeof rr->paths[i], "%s/%s", dir, font_files[i]);
		TTF_Font *f = TTF_OpenFont(rr->paths[i], 16);
		if (!f) {
			snprintf(err, errlen,
				 "cannot open font %s (%s): install the Debian package fonts-dejavu-core, or set "
				 "MAILSIM_FONT_DIR to a directory holding the DejaVu fonts",
				 rr->paths[i], TTF_GetError());
			viz_sdl_render_free(&rr);
			return NULL;
		}
		TTF_CloseFont(f);
	}
	rr->metrics.width = metrics_width;
	rr->metrics.ctx = rr;
	SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
	return rr;
}

static void text_evict(struct viz_sdl_render *rr, size_t i)
{
	struct text_entry *e = &rr->texts[i];
	viz_idmap_del(&rr->text_index, e->key);
	SDL_DestroyTexture(e->tex);
	free(e->s);
	size_t last = rr->ntexts - 1;
	if (i != last) {
		rr->texts[i] = rr->texts[last];
		viz_idmap_put(&rr->text_index, rr->texts[i].key, (uint32_t)i);
	}
	rr->ntexts--;
}

void viz_sdl_render_free(struct viz_sdl_render **rrp)
{
	struct viz_sdl_render *rr = rrp ? *rrp : NULL;
	if (!rr)
		return;
	while (rr->ntexts)
		text_evict(rr, rr->ntexts - 1);
	free(rr->texts);
	viz_idmap_release(&rr->text_index);
	for (int i = 0; i < rr->nfonts; i++)
		TTF_CloseFont(rr->fonts[i].f);
	for (size_t i = 0; i < rr->ndiscs; i++)
		SDL_DestroyTexture(rr->discs[i]);
	free(rr->discs);
	viz_idmap_release(&rr->disc_index);
	viz_idmap_release(&rr->widths);
	free(rr);
	*rrp = NULL;
}

const struct viz_text_metrics *viz_sdl_render_metrics(struct viz_sdl_render *rr) { return &rr->metrics; }
size_t viz_sdl_render_cached(const struct viz_sdl_render *rr) { return rr->ntexts; }

static struct text_entry *text_get(struct viz_sdl_render *rr, int font, int px, uint32_t rgb, const char *s)
{
	struct text_entry *e = text_lookup(rr, font, px, rgb, s);
	if (e) {
		e->used = rr->frame_no;
		return e;
	}
	TTF_Font *f = get_font(rr, font, px);
	if (!f)
		return NULL;
	SDL_Surface *surf =
	    TTF_RenderUTF8_Blended(f, s, (SDL_Color){(Uint8)(rgb >> 16), (Uint8)(rgb >> 8), (Uint8)rgb, 255});
	if (!surf)
		return NULL;
	SDL_Texture *tex = SDL_CreateTextureFromSurface(rr->r, surf);
	int w = surf->w, h = surf->h;
	SDL_FreeSurface(surf);
	if (!tex)
		return NULL;
	if (rr->ntexts == rr->ctexts) {
		size_t n = rr->ctexts ? rr->ctexts * 2 : 256;
		struct text_entry *nt = realloc(rr->texts, n * sizeof *nt);
		if (!nt) {
			SDL_DestroyTexture(tex);
			return NULL;
		}
		rr->texts = nt;
		rr->ctexts = n;
	}
	char *copy = strdup(s);
	uint64_t key = text_key(font, px, rgb, s);
	uint32_t old;
	/* A hash collision with another string: draw uncached this time. */
	if (!copy || viz_idmap_get(&rr->text_index, key, &old) || viz_idmap_put(&rr->text_index, key, (uint32_t)rr->ntexts) < 0) {
		free(copy);
		SDL_DestroyTexture(tex);
		return NULL;
	}
	e = &rr->texts[rr->ntexts++];
	*e = (struct text_entry){key, copy, font, px, w, h, rgb, tex, rr->frame_no};
	return e;
}

static SDL_Texture *disc_texture(struct viz_sdl_render *rr, int radius, uint32_t rgb)
{
	if (radius < 1)
		radius = 1;
	if (radius > MAX_DISC)
		radius = MAX_DISC;
	uint64_t key = (uint64_t)radius << 24 | rgb;
	uint32_t idx;
	if (viz_idmap_get(&rr->disc_index, key, &idx))
		return rr->discs[idx];
	if (rr->ndiscs == rr->cdiscs) {
		size_t n = rr->cdiscs ? rr->cdiscs * 2 : 64;
		SDL_Texture **nd = realloc(rr->discs, n * sizeof *nd);
		if (!nd)
			return NULL;
		rr->discs = nd;
		rr->cdiscs = n;
	}
	int size = radius * 2 + 2;
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
	if (!s)
		return NULL;
	uint32_t *px = s->pixels;
	float c = (float)size / 2;
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			float dx = (float)x + 0.5f - c, dy = (float)y + 0.5f - c;
			float d = sqrtf(dx * dx + dy * dy);
			float a = (float)radius + 0.5f - d;
			a = a < 0 ? 0 : a > 1 ? 1 : a;
			px[y * (s->pitch / 4) + x] = ((uint32_t)(a * 255) << 24) | (rgb & 0xffffff);
		}
	SDL_Texture *t = SDL_CreateTextureFromSurface(rr->r, s);
	SDL_FreeSurface(s);
	if (!t)
		return NULL;
	SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
	if (viz_idmap_put(&rr->disc_index, key, (uint32_t)rr->ndiscs) < 0) {
		SDL_DestroyTexture(t);
		return NULL;
	}
	rr->discs[rr->ndiscs++] = t;
	return t;
}

static uint32_t rgb_of(struct viz_rgba c) { return (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b; }

/* Blending costs a read per pixel in the software renderer: only
 * translucent colours get it. */
static void set_color(SDL_Renderer *r, struct viz_rgba c)
{
	SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* Thick lines as parallel one-pixel lines: the software renderer's
 * triangles scan their whole bounding box, which is slow for long
 * diagonals; Bresenham lines cost their length. */
static void thick_line(SDL_Renderer *r, const struct viz_cmd *c)
{
	float x1 = c->x, y1 = c->y, x2 = c->w, y2 = c->h;
	set_color(r, c->color);
	float dx = x2 - x1, dy = y2 - y1, len = sqrtf(dx * dx + dy * dy);
	if (c->thick <= 1.5f || len <= 0) {
		SDL_RenderDrawLineF(r, x1, y1, x2, y2);
		return;
	}
	if (fabsf(dy) < 0.5f || fabsf(dx) < 0.5f) {
		float t = c->thick;
		SDL_FRect q = fabsf(dy) < 0.5f ? (SDL_FRect){fminf(x1, x2), y1 - t / 2, fabsf(dx), t}
					       : (SDL_FRect){x1 - t / 2, fminf(y1, y2), t, fabsf(dy)};
		SDL_RenderFillRectF(r, &q);
		return;
	}
	float nx = -dy / len, ny = dx / len;
	/* Step by 0.7 px across so no gaps open between neighbours. */
	int n = (int)ceilf(c->thick / 0.7f);
	SDL_FPoint pts[2];
	for (int i = 0; i <= n; i++) {
		float o = -c->thick / 2 + c->thick * (float)i / (float)n;
		pts[0] = (SDL_FPoint){x1 + nx * o, y1 + ny * o};
		pts[1] = (SDL_FPoint){x2 + nx * o, y2 + ny * o};
		SDL_RenderDrawLinesF(r, pts, 2);
	}
}

int viz_sdl_render_frame(struct viz_sdl_render *rr, const struct viz_frame *f)
{
	SDL_Renderer *r = rr->r;
	rr->frame_no++;
	struct viz_rgba bg = viz_frame_background(f);
	SDL_RenderSetClipRect(r, NULL);
	SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
	SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
	SDL_RenderClear(r);
	size_t n = viz_frame_count(f);
	for (size_t i = 0; i < n; i++) {
		const struct viz_cmd *c = viz_frame_cmd(f, i);
		switch ((enum viz_cmd_kind)c->kind) {
		case VIZ_CMD_FILL_RECT: {
			SDL_FRect q = {c->x, c->y, c->w, c->h};
			set_color(r, c->color);
			SDL_RenderFillRectF(r, &q);
			break;
		}
		case VIZ_CMD_RECT: {
			float t = c->thick < 1 ? 1 : c->thick;
			SDL_FRect q[4] = {{c->x, c->y, c->w, t},
					  {c->x, c->y + c->h - t, c->w, t},
					  {c->x, c->y + t, t, c->h - 2 * t},
					  {c->x + c->w - t, c->y + t, t, c->h - 2 * t}};
			set_color(r, c->color);
			SDL_RenderFillRectsF(r, q, 4);
			break;
		}
		case VIZ_CMD_LINE:
			thick_line(r, c);
			break;
		case VIZ_CMD_DISC: {
			int rad = (int)lroundf(c->w);
			SDL_Texture *t = disc_texture(rr, rad, rgb_of(c->color));
			if (!t)
				break;
			SDL_SetTextureAlphaMod(t, c->color.a);
			float size = (float)(rad * 2 + 2);
			SDL_FRect d = {c->x - size / 2, c->y - size / 2, size, size};
			SDL_RenderCopyF(r, t, NULL, &d);
			break;
		}
		case VIZ_CMD_TEXT: {
			struct text_entry *e = text_get(rr, c->font, c->size, rgb_of(c->color), viz_frame_text(f, c));
			if (!e)
				break;
			SDL_SetTextureAlphaMod(e->tex, c->color.a);
			SDL_FRect d = {c->x, c->y, (float)e->w, (float)e->h};
			SDL_RenderCopyF(r, e->tex, NULL, &d);
			break;
		}
		case VIZ_CMD_CLIP:
			if (c->w > 0) {
				SDL_Rect q = {(int)c->x, (int)c->y, (int)c->w, (int)c->h};
				SDL_RenderSetClipRect(r, &q);
			} else {
				SDL_RenderSetClipRect(r, NULL);
			}
			break;
		}
	}
	SDL_RenderSetClipRect(r, NULL);
	/* Keep the cache bounded: past the limit, drop what this frame did
	 * not use. */
	if (rr->ntexts > TEXT_CACHE_SOFT_LIMIT)
		for (size_t i = rr->ntexts; i-- > 0;)
			if (rr->texts[i].used != rr->frame_no)
				text_evict(rr, i);
	return 0;
}

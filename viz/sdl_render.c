/* Draws frames with SDL (see sdl_render.h). Discs are cached white
 * anti-aliased textures tinted per draw; thick lines are two triangles
 * through SDL_RenderGeometry; text textures are white and tinted. */
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
	SDL_Texture *discs[MAX_DISC + 1];
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

static uint64_t text_key(int font, int px, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(font * 131 + px);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static struct text_entry *text_lookup(struct viz_sdl_render *rr, int font, int px, const char *s)
{
	uint64_t k = text_key(font, px, s);
	uint32_t i;
	if (viz_idmap_get(&rr->text_index, k, &i)) {
		struct text_entry *e = &rr->texts[i];
		if (e->font == font && e->px == px && strcmp(e->s, s) == 0)
			return e;
	}
	return NULL;
}

static int metrics_width(void *ctx, enum viz_font font, int px, const char *s)
{
	struct viz_sdl_render *rr = ctx;
	struct text_entry *e = text_lookup(rr, font, px, s);
	if (e)
		return e->w;
	TTF_Font *f = get_font(rr, font, px);
	int w = 0;
	if (!f || TTF_SizeUTF8(f, s, &w, NULL) < 0)
		return (int)(strlen(s) * (size_t)px * 6 / 10);
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
	for (int i = 0; i <= MAX_DISC; i++)
		if (rr->discs[i])
			SDL_DestroyTexture(rr->discs[i]);
	free(rr);
	*rrp = NULL;
}

const struct viz_text_metrics *viz_sdl_render_metrics(struct viz_sdl_render *rr) { return &rr->metrics; }
size_t viz_sdl_render_cached(const struct viz_sdl_render *rr) { return rr->ntexts; }

static struct text_entry *text_get(struct viz_sdl_render *rr, int font, int px, const char *s)
{
	struct text_entry *e = text_lookup(rr, font, px, s);
	if (e) {
		e->used = rr->frame_no;
		return e;
	}
	TTF_Font *f = get_font(rr, font, px);
	if (!f)
		return NULL;
	SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, (SDL_Color){255, 255, 255, 255});
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
	uint64_t key = text_key(font, px, s);
	uint32_t old;
	/* A hash collision with another string: draw uncached this time. */
	if (!copy || viz_idmap_get(&rr->text_index, key, &old) || viz_idmap_put(&rr->text_index, key, (uint32_t)rr->ntexts) < 0) {
		free(copy);
		SDL_DestroyTexture(tex);
		return NULL;
	}
	e = &rr->texts[rr->ntexts++];
	*e = (struct text_entry){key, copy, font, px, w, h, tex, rr->frame_no};
	return e;
}

static SDL_Texture *disc_texture(struct viz_sdl_render *rr, int radius)
{
	if (radius < 1)
		radius = 1;
	if (radius > MAX_DISC)
		radius = MAX_DISC;
	if (rr->discs[radius])
		return rr->discs[radius];
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
			px[y * (s->pitch / 4) + x] = ((uint32_t)(a * 255) << 24) | 0xffffff;
		}
	SDL_Texture *t = SDL_CreateTextureFromSurface(rr->r, s);
	SDL_FreeSurface(s);
	if (t)
		SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
	rr->discs[radius] = t;
	return t;
}

static void thick_line(SDL_Renderer *r, const struct viz_cmd *c)
{
	float x1 = c->x, y1 = c->y, x2 = c->w, y2 = c->h;
	if (c->thick <= 1.5f) {
		SDL_SetRenderDrawColor(r, c->color.r, c->color.g, c->color.b, c->color.a);
		SDL_RenderDrawLineF(r, x1, y1, x2, y2);
		return;
	}
	float dx = x2 - x1, dy = y2 - y1, len = sqrtf(dx * dx + dy * dy);
	if (len <= 0)
		return;
	float nx = -dy / len * c->thick / 2, ny = dx / len * c->thick / 2;
	SDL_Color col = {c->color.r, c->color.g, c->color.b, c->color.a};
	SDL_Vertex v[4] = {
	    {{x1 + nx, y1 + ny}, col, {0, 0}},
	    {{x2 + nx, y2 + ny}, col, {0, 0}},
	    {{x2 - nx, y2 - ny}, col, {0, 0}},
	    {{x1 - nx, y1 - ny}, col, {0, 0}},
	};
	static const int idx[6] = {0, 1, 2, 0, 2, 3};
	SDL_RenderGeometry(r, NULL, v, 4, idx, 6);
}

int viz_sdl_render_frame(struct viz_sdl_render *rr, const struct viz_frame *f)
{
	SDL_Renderer *r = rr->r;
	rr->frame_no++;
	struct viz_rgba bg = viz_frame_background(f);
	SDL_RenderSetClipRect(r, NULL);
	SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
	SDL_RenderClear(r);
	size_t n = viz_frame_count(f);
	for (size_t i = 0; i < n; i++) {
		const struct viz_cmd *c = viz_frame_cmd(f, i);
		switch ((enum viz_cmd_kind)c->kind) {
		case VIZ_CMD_FILL_RECT: {
			SDL_FRect q = {c->x, c->y, c->w, c->h};
			SDL_SetRenderDrawColor(r, c->color.r, c->color.g, c->color.b, c->color.a);
			SDL_RenderFillRectF(r, &q);
			break;
		}
		case VIZ_CMD_RECT: {
			float t = c->thick < 1 ? 1 : c->thick;
			SDL_FRect q[4] = {{c->x, c->y, c->w, t},
					  {c->x, c->y + c->h - t, c->w, t},
					  {c->x, c->y + t, t, c->h - 2 * t},
					  {c->x + c->w - t, c->y + t, t, c->h - 2 * t}};
			SDL_SetRenderDrawColor(r, c->color.r, c->color.g, c->color.b, c->color.a);
			SDL_RenderFillRectsF(r, q, 4);
			break;
		}
		case VIZ_CMD_LINE:
			thick_line(r, c);
			break;
		case VIZ_CMD_DISC: {
			int rad = (int)lroundf(c->w);
			SDL_Texture *t = disc_texture(rr, rad);
			if (!t)
				break;
			SDL_SetTextureColorMod(t, c->color.r, c->color.g, c->color.b);
			SDL_SetTextureAlphaMod(t, c->color.a);
			float size = (float)(rad * 2 + 2);
			SDL_FRect d = {c->x - size / 2, c->y - size / 2, size, size};
			SDL_RenderCopyF(r, t, NULL, &d);
			break;
		}
		case VIZ_CMD_TEXT: {
			struct text_entry *e = text_get(rr, c->font, c->size, viz_frame_text(f, c));
			if (!e)
				break;
			SDL_SetTextureColorMod(e->tex, c->color.r, c->color.g, c->color.b);
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

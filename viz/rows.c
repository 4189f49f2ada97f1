/* Inspector rows (see rows.h). */
#include "viz/rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct viz_rows {
	struct viz_row *rows;
	size_t n, cap;
	int oom;
};

const char *viz_row_kind_name(enum viz_row_kind k)
{
	static const char *const names[VIZ_ROW_KIND_COUNT] = {"title", "sub",   "section", "env",   "addr",
							      "absent", "field", "trace",   "new",   "part",
							      "event",  "text",  "warn"};
	return (unsigned)k < VIZ_ROW_KIND_COUNT ? names[k] : "?";
}

struct viz_rows *viz_rows_new(void) { return calloc(1, sizeof(struct viz_rows)); }

void viz_rows_free(struct viz_rows **rp)
{
	if (!rp || !*rp)
		return;
	free((*rp)->rows);
	free(*rp);
	*rp = NULL;
}

void viz_rows_clear(struct viz_rows *r)
{
	r->n = 0;
	r->oom = 0;
}

void viz_rows_add(struct viz_rows *r, enum viz_row_kind kind, int col, int depth, const char *fmt, ...)
{
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 32;
		struct viz_row *p = realloc(r->rows, nc * sizeof *p);
		if (!p) {
			r->oom = 1;
			return;
		}
		r->rows = p;
		r->cap = nc;
	}
	struct viz_row *row = &r->rows[r->n++];
	row->kind = (uint8_t)kind;
	row->col = (uint8_t)col;
	row->depth = (uint8_t)(depth < 0 ? 0 : depth > 20 ? 20 : depth);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(row->text, sizeof row->text, fmt, ap);
	va_end(ap);
	/* Keep text printable: protocol text may hold anything. */
	for (char *p = row->text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

size_t viz_rows_count(const struct viz_rows *r) { return r->n; }
const struct viz_row *viz_rows_get(const struct viz_rows *r, size_t i) { return &r->rows[i]; }
int viz_rows_oom(const struct viz_rows *r) { return r->oom; }

char *viz_rows_describe(const struct viz_rows *r, const char *prefix)
{
	size_t cap = 64;
	for (size_t i = 0; i < r->n; i++)
		cap += strlen(prefix) + strlen(r->rows[i].text) + r->rows[i].depth * 2 + 24;
	char *out = malloc(cap), *p = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct viz_row *row = &r->rows[i];
		p += sprintf(p, "%s %s%s %*s%s\n", prefix, viz_row_kind_name(row->kind), row->col ? ".c1" : "",
			     row->depth * 2, "", row->text);
	}
	*p = '\0';
	return out;
}

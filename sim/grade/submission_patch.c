/* The patch kind: RFC 7386 JSON merge patch applied to the scenario, and
 * the allow-list check. Arrays are replaced whole (as RFC 7386 says), so
 * the check does not look at the patch but at the differences between the
 * scenario before and after: a student who repeats a list of zones with
 * one record added changes only /dns/zones/1/records/2, which
 * /dns/zones/(any)/records allows. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "sim/grade/submission.h"

cJSON *grade_merge_patch(cJSON *target, const cJSON *patch)
{
	if (!cJSON_IsObject(patch)) {
		cJSON_Delete(target);
		return cJSON_Duplicate(patch, 1);
	}
	if (!cJSON_IsObject(target)) {
		cJSON_Delete(target);
		target = cJSON_CreateObject();
		if (!target)
			return NULL;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, patch) {
		if (!m->string)
			continue;
		if (cJSON_IsNull(m)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, m->string);
			continue;
		}
		cJSON *old = cJSON_DetachItemFromObjectCaseSensitive(target, m->string);
		cJSON *nv = grade_merge_patch(old, m);
		if (!nv || !cJSON_AddItemToObject(target, m->string, nv)) {
			cJSON_Delete(nv);
			cJSON_Delete(target);
			return NULL;
		}
	}
	return target;
}

/* Path segments of the pointer being compared (unescaped). */
#define MAX_SEG 64

struct diff_ctx {
	char *const *allow;
	size_t allow_count;
	const char *seg[MAX_SEG];
	char idx[MAX_SEG][24];
	int depth;
	char *where;
	size_t wlen;
};

/* One pattern segment against one path segment ("~1" is "/", "~0" "~"). */
static int seg_match(const char *pat, size_t plen, const char *seg)
{
	if (plen == 1 && pat[0] == '*')
		return 1;
	size_t j = 0;
	for (size_t i = 0; i < plen; i++, j++) {
		char c = pat[i];
		if (c == '~' && i + 1 < plen) {
			c = pat[i + 1] == '1' ? '/' : pat[i + 1] == '0' ? '~' : c;
			i++;
		}
		if (seg[j] != c)
			return 0;
	}
	return seg[j] == 0;
}

static int allowed(const struct diff_ctx *d)
{
	for (size_t a = 0; a < d->allow_count; a++) {
		const char *p = d->allow[a];
		int k = 0, ok = 1;
		while (*p == '/') {
			p++;
			size_t n = strcspn(p, "/");
			if (k >= d->depth || !seg_match(p, n, d->seg[k])) {
				ok = 0;
				break;
			}
			k++;
			p += n;
		}
		if (ok)
			return 1; /* the change is at or under the pattern */
	}
	return 0;
}

static void write_pointer(const struct diff_ctx *d)
{
	size_t pos = 0;
	d->where[0] = 0;
	for (int k = 0; k < d->depth && pos + 2 < d->wlen; k++) {
		d->where[pos++] = '/';
		for (const char *s = d->seg[k]; *s && pos + 3 < d->wlen; s++) {
			if (*s == '/' || *s == '~') {
				d->where[pos++] = '~';
				d->where[pos++] = *s == '/' ? '1' : '0';
			} else {
				d->where[pos++] = *s;
			}
		}
	}
	if (d->depth == 0 && d->wlen > 1)
		d->where[pos++] = '/';
	d->where[pos < d->wlen ? pos : d->wlen - 1] = 0;
}

/* 1 if a forbidden difference was found (written to where). */
static int change(struct diff_ctx *d)
{
	if (allowed(d))
		return 0;
	write_pointer(d);
	return 1;
}

static int diff(struct diff_ctx *d, const cJSON *a, const cJSON *b);

static int diff_child(struct diff_ctx *d, const char *seg, const cJSON *a, const cJSON *b)
{
	if (d->depth >= MAX_SEG)
		return change(d); /* deeper than any scenario: judged here */
	d->seg[d->depth++] = seg;
	int r = (!a || !b) ? change(d) : diff(d, a, b);
	d->depth--;
	return r;
}

static int diff(struct diff_ctx *d, const cJSON *a, const cJSON *b)
{
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		const cJSON *m;
		cJSON_ArrayForEach(m, a) {
			if (m->string && diff_child(d, m->string, m, cJSON_GetObjectItemCaseSensitive(b, m->string)))
				return 1;
		}
		cJSON_ArrayForEach(m, b) {
			if (m->string && !cJSON_GetObjectItemCaseSensitive(a, m->string) && diff_child(d, m->string, NULL, m))
				return 1;
		}
		return 0;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		const cJSON *x = a->child, *y = b->child;
		for (size_t i = 0; x || y; i++) {
			if (d->depth >= MAX_SEG)
				return change(d);
			snprintf(d->idx[d->depth], sizeof d->idx[0], "%zu", i);
			if (diff_child(d, d->idx[d->depth], x, y))
				return 1;
			x = x ? x->next : NULL;
			y = y ? y->next : NULL;
		}
		return 0;
	}
	if (cJSON_Compare(a, b, 1))
		return 0;
	return change(d);
}

int grade_patch_forbidden(const cJSON *a, const cJSON *b, char *const *allow, size_t allow_count, char *where,
			  size_t wlen)
{
	struct diff_ctx d = {.allow = allow, .allow_count = allow_count, .where = where, .wlen = wlen};
	if (wlen)
		where[0] = 0;
	return diff(&d, a, b);
}

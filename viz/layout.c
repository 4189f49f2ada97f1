/* Host placement (see layout.h). */
#include "viz/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/net/net.h"

/* The frame keeps hosts clear of the pane's edges; this only stops a
 * lone outlier from hugging them. */
#define MARGIN 0.02

static int given_layout(const struct net *net, const struct viz_source *src, struct viz_layout *l)
{
	int n = l->n;
	if (!src->position)
		return 0;
	double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
	for (int h = 0; h < n; h++) {
		double x, y;
		if (!src->position(src->ctx, h, &x, &y) || !isfinite(x) || !isfinite(y))
			return 0;
		l->x[h] = x;
		l->y[h] = y;
		minx = fmin(minx, x);
		maxx = fmax(maxx, x);
		miny = fmin(miny, y);
		maxy = fmax(maxy, y);
	}
	(void)net;
	/* Each axis scaled on its own to fill the pane: the author's order
	 * and alignment are kept, the pane's shape decides the proportions. */
	for (int h = 0; h < n; h++) {
		double fx = maxx > minx ? (l->x[h] - minx) / (maxx - minx) : 0.5;
		double fy = maxy > miny ? (l->y[h] - miny) / (maxy - miny) : 0.5;
		l->x[h] = MARGIN + fx * (1 - 2 * MARGIN);
		l->y[h] = MARGIN + fy * (1 - 2 * MARGIN);
	}
	/* The separation guarantee is the smallest Chebyshev distance. */
	double d = 1.0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double c = fmax(fabs(l->x[i] - l->x[j]), fabs(l->y[i] - l->y[j]));
			if (c < d)
				d = c;
		}
	l->cell_w = l->cell_h = fmin(d, 0.25);
	l->automatic = 0;
	return 1;
}

struct order_item {
	int host;
	double key;
};

static int cmp_item(const void *a, const void *b)
{
	const struct order_item *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->host - y->host;
}

/* ---- a star of stars: hubs around a centre, each hub's hosts around it ----
 *
 * For a tree whose centre reaches every host in two hops and has at least
 * two hubs (children with children of their own): the hubs on a circle
 * around the centre, each in its own wedge, and each hub's leaves on an arc
 * around the hub facing away from the centre. Each cluster lies in a disk
 * inside its wedge, so clusters are disjoint; the links in a cluster are
 * spokes from its hub, and the hub's link to the centre comes in through
 * the gap in the arc; so no two links cross. Scaling each axis to the pane
 * is an affine map, which keeps that. */

#define PI 3.14159265358979323846
#define ARC (1.5 * PI) /* the leaves' arc around a hub */

static int star_layout(const int *la, const int *lb, int nl, struct viz_layout *l)
{
	int n = l->n;
	if (n < 7 || nl != n - 1)
		return 0;
	int *deg = calloc((size_t)n, sizeof(int));
	int *depth = malloc(sizeof(int) * (size_t)n), *parent = malloc(sizeof(int) * (size_t)n);
	int *queue = malloc(sizeof(int) * (size_t)n), *nkids = calloc((size_t)n, sizeof(int));
	int *slot = calloc((size_t)n, sizeof(int));
	double *rho = calloc((size_t)n, sizeof(double)), *ang = calloc((size_t)n, sizeof(double));
	int ok = 0;
	if (!deg || !depth || !parent || !queue || !nkids || !slot || !rho || !ang)
		goto out;
	/* The centre: the host with the most hub neighbours wins among those
	 * that reach everything in two hops (tried in order, so ties are
	 * deterministic). */
	for (int k = 0; k < nl; k++)
		deg[la[k]]++, deg[lb[k]]++;
	int centre = -1;
	for (int c = 0; c < n && centre < 0; c++) {
		if (deg[c] < 2)
			continue;
		for (int h = 0; h < n; h++)
			depth[h] = -1, parent[h] = -1;
		int qh = 0, qt = 0, far = 0;
		depth[c] = 0;
		queue[qt++] = c;
		while (qh < qt) {
			int u = queue[qh++];
			for (int k = 0; k < nl; k++) {
				int v = la[k] == u ? lb[k] : lb[k] == u ? la[k] : -1;
				if (v >= 0 && depth[v] < 0) {
					depth[v] = depth[u] + 1;
					parent[v] = u;
					queue[qt++] = v;
					if (depth[v] > far)
						far = depth[v];
				}
			}
		}
		if (qt != n || far != 2)
			continue;
		int hubs = 0;
		for (int h = 0; h < n; h++)
			if (depth[h] == 1 && deg[h] > 1)
				hubs++;
		if (hubs >= 2)
			centre = c;
	}
	if (centre < 0)
		goto out;
	/* Distances in units of one host spacing. */
	const double sep = 1.0;
	for (int h = 0; h < n; h++)
		if (depth[h] == 2)
			slot[h] = nkids[parent[h]]++;
	double need = 0, maxr = 0;
	for (int h = 0; h < n; h++)
		if (depth[h] == 1) {
			rho[h] = nkids[h] ? fmax(1.2 * sep, (double)nkids[h] * sep / ARC) : 0.5 * sep;
			if (rho[h] > maxr)
				maxr = rho[h];
		}
	/* The smallest ring where every cluster's wedge fits. */
	double D = maxr + sep;
	for (int it = 0; it < 200; it++) {
		need = 0;
		for (int h = 0; h < n; h++)
			if (depth[h] == 1) {
				double r = rho[h] + 0.6 * sep;
				need += r >= D ? PI : 2 * asin(r / D);
			}
		if (need <= 2 * PI * 0.95)
			break;
		D *= 1.08;
	}
	if (need > 2 * PI)
		goto out;
	double spare = (2 * PI - need) / (double)(deg[centre]), a = -PI; /* start on the left */
	l->x[centre] = 0;
	l->y[centre] = 0;
	for (int h = 0; h < n; h++)
		if (depth[h] == 1) {
			double w = 2 * asin((rho[h] + 0.6 * sep) / D) + spare;
			ang[h] = a + w / 2;
			a += w;
			l->x[h] = D * cos(ang[h]);
			l->y[h] = D * sin(ang[h]);
		}
	for (int h = 0; h < n; h++)
		if (depth[h] == 2) {
			int p = parent[h];
			double t = ang[p] - ARC / 2 + ARC * ((double)slot[h] + 0.5) / (double)nkids[p];
			l->x[h] = l->x[p] + rho[p] * cos(t);
			l->y[h] = l->y[p] + rho[p] * sin(t);
		}
	double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
	for (int h = 0; h < n; h++) {
		minx = fmin(minx, l->x[h]), maxx = fmax(maxx, l->x[h]);
		miny = fmin(miny, l->y[h]), maxy = fmax(maxy, l->y[h]);
	}
	for (int h = 0; h < n; h++) {
		l->x[h] = 0.04 + 0.92 * (l->x[h] - minx) / (maxx - minx);
		l->y[h] = 0.04 + 0.92 * (l->y[h] - miny) / (maxy - miny);
	}
	/* The separation guarantee, as for given positions. */
	double d = 1.0;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			double c = fmax(fabs(l->x[i] - l->x[j]), fabs(l->y[i] - l->y[j]));
			if (c < d)
				d = c;
		}
	l->cell_w = l->cell_h = fmin(d, 0.25);
	l->automatic = 1;
	ok = 1;
out:
	free(deg);
	free(depth);
	free(parent);
	free(queue);
	free(nkids);
	free(slot);
	free(rho);
	free(ang);
	return ok;
}

static int auto_layout(const struct net *net, const enum viz_role *roles, struct viz_layout *l)
{
	int n = l->n, nl = net_link_count(net);
	int *depth = malloc(sizeof(int) * (size_t)n);
	int *queue = malloc(sizeof(int) * (size_t)n);
	int *col_of = malloc(sizeof(int) * (size_t)n);
	int *row_of = malloc(sizeof(int) * (size_t)n);
	struct order_item *items = malloc(sizeof *items * (size_t)n);
	int *la = malloc(sizeof(int) * (size_t)(nl + 1)), *lb = malloc(sizeof(int) * (size_t)(nl + 1));
	int rc = -1;
	if (!depth || !queue || !col_of || !row_of || !items || !la || !lb)
		goto out;
	for (int k = 0; k < nl; k++) {
		int ia, ib;
		net_link_ends(net, k, &la[k], &ia, &lb[k], &ib);
	}
	if (star_layout(la, lb, nl, l)) {
		rc = 0;
		goto out;
	}
	for (int h = 0; h < n; h++)
		depth[h] = -1;
	/* Breadth-first from the first user agent, then from each host not
	 * reached yet (other components continue to the right). */
	int root = 0;
	for (int h = 0; h < n; h++)
		if (roles[h] == VIZ_ROLE_UA) {
			root = h;
			break;
		}
	int base = 0, maxdepth = -1;
	for (int start = -1; start < n; start++) {
		int r = start < 0 ? root : start;
		if (depth[r] >= 0)
			continue;
		int qh = 0, qt = 0;
		depth[r] = base;
		queue[qt++] = r;
		while (qh < qt) {
			int u = queue[qh++];
			if (depth[u] > maxdepth)
				maxdepth = depth[u];
			for (int k = 0; k < nl; k++) {
				int v = la[k] == u ? lb[k] : lb[k] == u ? la[k] : -1;
				if (v >= 0 && depth[v] < 0) {
					depth[v] = depth[u] + 1;
					queue[qt++] = v;
				}
			}
		}
		base = maxdepth + 1;
	}
	int ndepth = maxdepth + 1;
	/* Rows per column: about the square root of the host count, stretched
	 * for a landscape pane, so a star's leaves wrap into a block. */
	int rows_max = (int)ceil(sqrt((double)n / 1.6));
	if (rows_max < 4)
		rows_max = 4;
	int ncols = 0, nrows = 1;
	for (int d = 0; d < ndepth; d++) {
		int k = 0;
		for (int h = 0; h < n; h++)
			if (depth[h] == d) {
				/* Order by the mean row of neighbours already placed. */
				double sum = 0;
				int cnt = 0;
				for (int e = 0; e < nl; e++) {
					int v = la[e] == h ? lb[e] : lb[e] == h ? la[e] : -1;
					if (v >= 0 && depth[v] >= 0 && depth[v] < d) {
						sum += row_of[v];
						cnt++;
					}
				}
				items[k].host = h;
				items[k].key = cnt ? sum / cnt : h;
				k++;
			}
		qsort(items, (size_t)k, sizeof *items, cmp_item);
		int sub = (k + rows_max - 1) / rows_max;
		int per = sub ? (k + sub - 1) / sub : 0;
		for (int i = 0; i < k; i++) {
			col_of[items[i].host] = ncols + i / per;
			row_of[items[i].host] = i % per;
		}
		if (per > nrows)
			nrows = per;
		ncols += sub;
	}
	/* Centre each column vertically in the common row grid. */
	int *col_count = calloc((size_t)ncols + 1, sizeof(int));
	if (!col_count)
		goto out;
	for (int h = 0; h < n; h++)
		col_count[col_of[h]]++;
	for (int h = 0; h < n; h++) {
		double off = (nrows - col_count[col_of[h]]) / 2.0;
		l->x[h] = (col_of[h] + 0.5) / ncols;
		l->y[h] = (row_of[h] + off + 0.5) / nrows;
	}
	free(col_count);
	l->cell_w = 1.0 / ncols;
	l->cell_h = 1.0 / nrows;
	l->automatic = 1;
	rc = 0;
out:
	free(depth);
	free(queue);
	free(col_of);
	free(row_of);
	free(items);
	free(la);
	free(lb);
	return rc;
}

int viz_layout_compute(const struct net *net, const struct viz_source *src, const enum viz_role *roles,
		       struct viz_layout *out_r)
{
	memset(out_r, 0, sizeof *out_r);
	out_r->n = net_host_count(net);
	out_r->x = calloc((size_t)out_r->n + 1, sizeof(double));
	out_r->y = calloc((size_t)out_r->n + 1, sizeof(double));
	if (!out_r->x || !out_r->y) {
		viz_layout_release(out_r);
		return -1;
	}
	if (out_r->n == 0)
		return 0;
	if (given_layout(net, src, out_r))
		return 0;
	if (auto_layout(net, roles, out_r) < 0) {
		viz_layout_release(out_r);
		return -1;
	}
	return 0;
}

void viz_layout_release(struct viz_layout *l)
{
	free(l->x);
	free(l->y);
	l->x = l->y = NULL;
	l->n = 0;
}

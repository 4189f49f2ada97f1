/* Host placement for the topology pane, in [0,1]x[0,1] (y down).
 *
 * If the source places every host (the scenario's x and y), those places
 * are scaled into the square with a margin, each axis on its own (the pane
 * is filled; order and alignment are the author's). Otherwise an automatic layered
 * layout. A star of stars (a tree whose centre reaches every host in two
 * hops, with at least two hubs) is drawn with the hubs around the centre
 * and each hub's hosts around their hub, so no two links cross. Any other
 * network: columns by hop distance from the first user agent (or host 0), so
 * a mail path reads left to right; hosts in a column ordered by their
 * neighbours' rows; a column with too many hosts wraps into several. Every
 * host gets its own grid cell, so boxes smaller than a cell cannot overlap.
 *
 * cell_w and cell_h are the separation guarantee: any two hosts are at
 * least cell_w apart in x or at least cell_h apart in y. */
#ifndef VIZ_LAYOUT_H
#define VIZ_LAYOUT_H

#include "viz/source.h"

struct net;

struct viz_layout {
	double *x, *y;
	int n;
	double cell_w, cell_h;
	int automatic;
};

/* Computes the layout of net's hosts. Returns 0, or -1 on ENOMEM. */
int viz_layout_compute(const struct net *net, const struct viz_source *src, const enum viz_role *roles,
		       struct viz_layout *out_r);
void viz_layout_release(struct viz_layout *l);

#endif

/* Scenario-file source (see source_scn.h). */
#include "viz/source_scn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

struct scn_src {
	struct viz_source src;
	struct scenario *scn;
	uint64_t seed;
};

static int scn_build(void *ctx, struct viz_world *w, char *err, size_t errlen)
{
	struct scn_src *s = ctx;
	memset(w, 0, sizeof *w);
	struct scn_world *sw = scn_world_new(s->scn, s->seed, err, errlen);
	if (!sw)
		return -1;
	w->impl = sw;
	w->sim = scn_world_sim(sw);
	w->net = scn_world_net(sw);
	return 0;
}

static void scn_destroy(void *ctx, struct viz_world *w)
{
	(void)ctx;
	struct scn_world *sw = w->impl;
	scn_world_free(&sw);
	memset(w, 0, sizeof *w);
}

static enum viz_role scn_role_of(void *ctx, int host)
{
	struct scn_src *s = ctx;
	if (host < 0 || (size_t)host >= s->scn->host_count)
		return VIZ_ROLE_HOST;
	switch (s->scn->hosts[host].role) {
	case SCN_ROLE_UA:
		return VIZ_ROLE_UA;
	case SCN_ROLE_MTA:
		return VIZ_ROLE_MTA;
	case SCN_ROLE_DNS:
		return VIZ_ROLE_DNS;
	case SCN_ROLE_MAILBOX:
		return VIZ_ROLE_MAILBOX;
	case SCN_ROLE_ROUTER:
		return VIZ_ROLE_ROUTER;
	case SCN_ROLE_SNIFFER:
		return VIZ_ROLE_SNIFFER;
	default:
		return VIZ_ROLE_HOST;
	}
}

static int scn_position(void *ctx, int host, double *x, double *y)
{
	struct scn_src *s = ctx;
	if (host < 0 || (size_t)host >= s->scn->host_count || !s->scn->hosts[host].has_position)
		return 0;
	*x = s->scn->hosts[host].x;
	*y = s->scn->hosts[host].y;
	return 1;
}

static const char *scn_link_name(void *ctx, int link)
{
	struct scn_src *s = ctx;
	return link >= 0 && (size_t)link < s->scn->link_count ? s->scn->links[link].name : NULL;
}

static struct viz_source *wrap(struct scenario *scn, int has_seed, uint64_t seed, char *err, size_t errlen)
{
	struct scn_src *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		scenario_free(&scn);
		return NULL;
	}
	s->scn = scn;
	s->seed = has_seed ? seed : scn->seed;
	s->src.build = scn_build;
	s->src.destroy = scn_destroy;
	s->src.role = scn_role_of;
	s->src.position = scn_position;
	s->src.link_name = scn_link_name;
	s->src.until = scn->until;
	s->src.title = scn->title && *scn->title ? scn->title : scn->file;
	s->src.ctx = s;
	return &s->src;
}

/* The loader's messages, one a line, as much as err holds. */
static void diag_to(const struct scn_diag *d, char *err, size_t errlen)
{
	size_t n = 0;
	err[0] = '\0';
	for (size_t i = 0; i < scn_diag_kept(d) && n + 1 < errlen; i++) {
		int w = snprintf(err + n, errlen - n, "%s%s", i ? "\n" : "", scn_diag_message(d, i));
		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (!err[0])
		snprintf(err, errlen, "cannot load the scenario");
}

struct viz_source *viz_scn_source_open(const char *path, int has_seed, uint64_t seed, char *err, size_t errlen)
{
	struct scn_diag *d = scn_diag_new();
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct scenario *scn = scenario_load_file(path, d);
	if (!scn) {
		diag_to(d, err, errlen);
		scn_diag_free(&d);
		return NULL;
	}
	scn_diag_free(&d);
	return wrap(scn, has_seed, seed, err, errlen);
}

struct viz_source *viz_scn_source_open_text(const char *name, const char *text, size_t len, int has_seed, uint64_t seed,
					    char *err, size_t errlen)
{
	struct scn_diag *d = scn_diag_new();
	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct scenario *scn = scenario_load_text(name, text, len, d);
	if (!scn) {
		diag_to(d, err, errlen);
		scn_diag_free(&d);
		return NULL;
	}
	scn_diag_free(&d);
	return wrap(scn, has_seed, seed, err, errlen);
}

void viz_scn_source_free(struct viz_source **srcp)
{
	if (!srcp || !*srcp)
		return;
	struct scn_src *s = (struct scn_src *)*srcp;
	scenario_free(&s->scn);
	free(s);
	*srcp = NULL;
}

/* The viewer's source for scenario files: each world is the scenario built
 * afresh by scn_world_new (so scrubbing replays exactly the same run), with
 * the scenario's roles and optional x/y positions. */
#ifndef VIZ_SOURCE_SCN_H
#define VIZ_SOURCE_SCN_H

#include <stddef.h>
#include <stdint.h>

#include "viz/source.h"

/* Loads the scenario in path; with has_seed, seed replaces the scenario's
 * own. NULL and the loader's messages (file, line, JSON path) in err on
 * failure. */
struct viz_source *viz_scn_source_open(const char *path, int has_seed, uint64_t seed, char *err, size_t errlen);
/* The same from text in memory, named name in messages (the built-in
 * default scenario). */
struct viz_source *viz_scn_source_open_text(const char *name, const char *text, size_t len, int has_seed, uint64_t seed,
					    char *err, size_t errlen);
/* A live source (mailsim bridge --view) on the caller's world w, built
 * from scn, with bridge b's real connections entering at host gateway.
 * The world, scenario and bridge stay the caller's and must outlive the
 * source; the world is handed out once (a live run cannot be replayed)
 * and the top bar shows how many real connections are open, and that
 * they wait while the run is paused. until: the run's end
 * (SIM_TIME_NEVER: none). NULL and err on failure. */
struct scn_world;
struct bridge;
struct scenario;
struct viz_source *viz_scn_source_live(const struct scenario *scn, struct scn_world *w, const struct bridge *b,
				       int gateway, sim_time until, char *err, size_t errlen);
void viz_scn_source_free(struct viz_source **src);

#endif

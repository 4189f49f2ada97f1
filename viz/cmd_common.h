/* What the viewer's subcommands share: opening FILE (or the built-in
 * default scenario) as a viewer source, and parsing the common options. */
#ifndef VIZ_CMD_COMMON_H
#define VIZ_CMD_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/time.h"
#include "viz/source.h"
#include "viz/strings.h"

/* file NULL: the built-in default scenario. NULL with the loader's
 * messages in err. Free with viz_scn_source_free. */
struct viz_source *viz_cli_source(const char *file, int has_seed, uint64_t seed, char *err, size_t errlen);

/* "1920x1080" -> 0 and the size, else -1 (64..16384 each). */
int viz_cli_parse_size(const char *text, int *w_r, int *h_r);
/* A decimal seed; 0 or -1. */
int viz_cli_parse_seed(const char *text, uint64_t *seed_r);
/* A speed between 0.1 and 1000 ("2", "0.5", "10x"); 0 or -1. */
int viz_cli_parse_speed(const char *text, double *speed_r);
/* "en" or "es"; 0 or -1. */
int viz_cli_parse_lang(const char *text, enum viz_lang *lang_r);

#endif

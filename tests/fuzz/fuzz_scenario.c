/* libFuzzer target: the scenario loader (cJSON parsing, the key tables and
 * value parsers, the JSON locator behind every error line) and the world
 * builder for inputs that load. Built and run by run-fuzz.sh with the
 * sources listed in scenario.sources; seeds in corpus/scenario/.
 *
 * Checked here beyond "no crash": a rejected input always has at least one
 * message, and every message starts with the file name and a line number. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/net/packet.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_diag *d = scn_diag_new();
	if (!d)
		return 0;
	struct scenario *s = scenario_load_text("f.json", (const char *)data, size, d);
	if (!s) {
		if (scn_diag_count(d) == 0)
			abort();
		for (size_t i = 0; i < scn_diag_kept(d); i++) {
			const char *m = scn_diag_message(d, i);
			if (strncmp(m, "f.json", 6) != 0 || (strncmp(m, "f.json:", 7) == 0 && !(m[7] >= '1' && m[7] <= '9') &&
								strstr(m, "out of memory") == NULL))
				abort();
		}
	} else if (s->host_count <= 50) {
		/* Building computes routes for every host pair: keep it to
		 * inputs small enough for many runs a second. */
		char err[256];
		struct scn_world *w = scn_world_new(s, s->seed, err, sizeof err);
		scn_world_free(&w);
	}
	scenario_free(&s);
	scn_diag_free(&d);
	return 0;
}

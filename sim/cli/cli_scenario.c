/* Scenario loading for the subcommands; see cli_scenario.h. */
#include "sim/cli/cli_scenario.h"

#include <stdio.h>

#include "sim/cli/default_scenario.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"

struct scenario *cli_load_scenario(const char *file, const char **name_r)
{
	const char *name = file ? file : CLI_DEFAULT_SCENARIO_NAME;
	if (name_r)
		*name_r = name;
	struct scn_diag *diag = scn_diag_new();
	if (!diag) {
		fprintf(stderr, "mailsim: out of memory\n");
		return NULL;
	}
	struct scenario *s = file ? scenario_load_file(file, diag)
				  : scenario_load_text(name, cli_default_scenario, cli_default_scenario_len, diag);
	if (!s) {
		for (size_t i = 0; i < scn_diag_kept(diag); i++)
			fprintf(stderr, "%s\n", scn_diag_message(diag, i));
		if (scn_diag_count(diag) > scn_diag_kept(diag))
			fprintf(stderr, "%s: ... and %zu more errors\n", name, scn_diag_count(diag) - scn_diag_kept(diag));
	}
	scn_diag_free(&diag);
	return s;
}

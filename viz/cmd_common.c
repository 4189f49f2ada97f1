/* Shared parts of the viewer's subcommands (see cmd_common.h). */
#include "viz/cmd_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/default_scenario.h"
#include "viz/source_scn.h"

struct viz_source *viz_cli_source(const char *file, int has_seed, uint64_t seed, char *err, size_t errlen)
{
	if (!file)
		return viz_scn_source_open_text(CLI_DEFAULT_SCENARIO_NAME, cli_default_scenario, cli_default_scenario_len,
						has_seed, seed, err, errlen);
	return viz_scn_source_open(file, has_seed, seed, err, errlen);
}

int viz_cli_parse_size(const char *text, int *w_r, int *h_r)
{
	int w, h;
	char tail;
	if (sscanf(text, "%dx%d%c", &w, &h, &tail) != 2 || w < 64 || h < 64 || w > 16384 || h > 16384)
		return -1;
	*w_r = w;
	*h_r = h;
	return 0;
}

int viz_cli_parse_seed(const char *text, uint64_t *seed_r)
{
	if (!*text)
		return -1;
	uint64_t v = 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*seed_r = v;
	return 0;
}

int viz_cli_parse_speed(const char *text, double *speed_r)
{
	errno = 0;
	char *end;
	double v = strtod(text, &end);
	if (end == text || errno || (*end && strcmp(end, "x") != 0) || !(v >= 0.1 && v <= 1000))
		return -1;
	*speed_r = v;
	return 0;
}

int viz_cli_parse_lang(const char *text, enum viz_lang *lang_r)
{
	if (strcmp(text, "en") == 0)
		*lang_r = VIZ_LANG_EN;
	else if (strcmp(text, "es") == 0)
		*lang_r = VIZ_LANG_ES;
	else
		return -1;
	return 0;
}

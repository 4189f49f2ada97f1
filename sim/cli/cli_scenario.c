/* Scenario loading for the subcommands; see cli_scenario.h. */
#include "sim/cli/cli_scenario.h"

#include <stdio.h>
#include <strings.h>

#include "sim/cli/default_scenario.h"
#include "sim/net/net.h"
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

int cli_find_host(const struct scenario *s, const struct net *net, const char *name)
{
	int h = net_host_by_name(net, name);
	for (int i = 0; h < 0 && i < net_host_count(net); i++)
		if (strcasecmp(net_host_name(net, i), name) == 0 ||
		    (s->fqdns && s->fqdns[i] && strcasecmp(s->fqdns[i], name) == 0))
			h = i;
	return h;
}

void cli_list_hosts(const struct scenario *s, const struct net *net)
{
	fprintf(stderr, "hosts of this scenario:");
	for (int i = 0; i < net_host_count(net); i++) {
		fprintf(stderr, " %s", net_host_name(net, i));
		if (s->fqdns && s->fqdns[i])
			fprintf(stderr, " (%s)", s->fqdns[i]);
		fputc(i + 1 < net_host_count(net) ? ',' : '\n', stderr);
	}
}

int cli_parse_u64(const char *text, uint64_t *v_r)
{
	if (!*text)
		return -1;
	uint64_t v = 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*v_r = v;
	return 0;
}

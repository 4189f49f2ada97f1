/* Scenario section "faults": link faults on the timeline (down, up, and
 * changes of loss and latency), applied by the world through
 * net_link_set_up/_loss/_latency. Host and DNS faults (the robustness issue)
 * become new actions in the table below. See docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/load.h"

static const char *const actions[] = {"down", "up", "set", NULL};

static const struct scn_key fault_keys[] = {
	{"at", SCN_STRING, 1, "a time such as \"2s\""},
	{"link", SCN_STRING, 1, "the name of a link, such as \"router-server\""},
	{"action", SCN_STRING, 1, "\"down\", \"up\" or \"set\""},
	{"loss", SCN_NUMBER, 0, "a probability from 0 to 1"},
	{"latency", SCN_STRING, 0, "a duration such as \"50ms\""},
	{"description", SCN_STRING, 0, "a text describing the fault"},
	{NULL, 0, 0, NULL},
};

static void unknown_link(struct scn_ctx *ctx, const struct scenario *s, const char *name)
{
	const char *names[257];
	size_t n = 0;
	for (; n < s->link_count && n < 256; n++)
		names[n] = s->links[n].name;
	names[n] = NULL;
	char q[200];
	const char *sug = scn_suggest(name, names);
	if (sug) {
		scn_error(ctx, "unknown link %s (did you mean \"%s\"?)", scn_quote(name, q, sizeof q), sug);
		return;
	}
	char known[400] = "";
	size_t pos = 0;
	for (size_t i = 0; i < n && pos < sizeof known - 80; i++)
		pos += (size_t)snprintf(known + pos, sizeof known - pos, "%s%s", i ? ", " : "", names[i]);
	if (n == 0)
		scn_error(ctx, "unknown link %s (the scenario has no links)", scn_quote(name, q, sizeof q));
	else
		scn_error(ctx, "unknown link %s (links are named %s)", scn_quote(name, q, sizeof q), known);
}

static void load_fault(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	scn_check_keys(ctx, e, fault_keys);
	struct scn_fault f = {.link = -1};
	int ok = 1;
	char q[200];
	const cJSON *at = scn_get(e, "at");
	if (cJSON_IsString(at) && at->valuestring[0] == '-') {
		scn_push_key(ctx, "at");
		scn_error(ctx, "%s is before the start of the run (times count from 0, as in \"2s\")",
			  scn_quote(at->valuestring, q, sizeof q));
		scn_pop(ctx);
		ok = 0;
	} else if (scn_parse_duration(ctx, e, "at", &f.at) != 0) {
		ok = 0;
	} else if (s->until != SIM_TIME_NEVER && f.at > s->until) {
		char t1[32], t2[32];
		scn_push_key(ctx, "at");
		scn_error(ctx, "%s is after the end of the run (\"until\" is %s)", scn_format_duration(f.at, t1, sizeof t1),
			  scn_format_duration(s->until, t2, sizeof t2));
		scn_pop(ctx);
		ok = 0;
	}
	const char *link = scn_get_string(e, "link");
	if (link) {
		f.link = scenario_link_by_name(s, link);
		if (f.link < 0) {
			scn_push_key(ctx, "link");
			unknown_link(ctx, s, link);
			scn_pop(ctx);
			ok = 0;
		}
	}
	int action;
	if (scn_parse_enum(ctx, e, "action", actions, &action) != 0)
		return;
	f.kind = (enum scn_fault_kind)action;
	if (f.kind != SCN_FAULT_SET) {
		static const char *const extra[] = {"loss", "latency"};
		for (size_t i = 0; i < 2; i++)
			if (scn_get(e, extra[i])) {
				scn_error_key(ctx, extra[i], 0, "only used with \"action\": \"set\" (a link going %s keeps its settings)",
					      actions[action]);
				ok = 0;
			}
	} else {
		int r = scn_parse_probability(ctx, e, "loss", &f.loss);
		f.set_loss = r == 0;
		ok &= r >= 0;
		r = scn_parse_duration(ctx, e, "latency", &f.latency);
		f.set_latency = r == 0;
		ok &= r >= 0;
		if (!scn_get(e, "loss") && !scn_get(e, "latency")) {
			scn_error_key(ctx, "loss", 0, "missing (\"action\": \"set\" changes \"loss\", \"latency\" or both)");
			ok = 0;
		}
	}
	if (ok)
		s->faults[s->fault_count++] = f;
}

static int by_time(const void *a, const void *b)
{
	const struct scn_fault *x = a, *y = b;
	return (x->at > y->at) - (x->at < y->at);
}

int scn_load_faults(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "faults");
	if (!cJSON_IsArray(list))
		return 0;
	int n = cJSON_GetArraySize(list);
	if (n == 0)
		return 0;
	scn_push_key(ctx, "faults");
	if (scn_check_count(ctx, list, SCN_MAX_LIST, "faults") < 0) {
		scn_pop(ctx);
		return 0;
	}
	s->faults = calloc((size_t)n, sizeof *s->faults);
	if (!s->faults)
		return -1;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e))
			scn_error_type(ctx, e, "a fault such as {\"at\": \"2s\", \"link\": \"a-b\", \"action\": \"down\"}");
		else
			load_fault(ctx, s, e);
		scn_pop(ctx);
	}
	scn_pop(ctx);
	/* The world schedules faults in this order and the kernel breaks time
	 * ties by insertion, so equal times must keep the file's order: a
	 * stable insertion sort, not qsort. */
	for (size_t a = 1; a < s->fault_count; a++) {
		struct scn_fault f = s->faults[a];
		size_t b = a;
		while (b > 0 && by_time(&s->faults[b - 1], &f) > 0) {
			s->faults[b] = s->faults[b - 1];
			b--;
		}
		s->faults[b] = f;
	}
	return 0;
}

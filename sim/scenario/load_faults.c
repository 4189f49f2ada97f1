/* Scenario section "faults": what goes wrong, on the timeline. Link faults
 * (down, up, and changes of loss and latency), host crashes and restarts,
 * DNS outages and answer changes, a full disk on a mailbox host and a
 * host's clock skew; the world applies them (world_faults.c) and every one
 * is shown as a "fault" note. See docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/dns.h"
#include "protocols/dns_zone.h"
#include "sim/scenario/load.h"

static const char *const actions[] = {"down",     "up",         "set",        "crash",     "restart",
				      "dns-down", "dns-up",     "dns-servfail", "dns-set", "dns-add",
				      "dns-remove", "disk-full", "disk-free",  "clock",     NULL};

const char *scn_fault_action_name(enum scn_fault_kind k)
{
	return (unsigned)k < SCN_FAULT_KIND_COUNT ? actions[k] : "?";
}

static const struct scn_key fault_keys[] = {
	{"at", SCN_STRING, 1, "a time such as \"2s\""},
	{"action", SCN_STRING, 1,
	 "\"down\", \"up\", \"set\", \"crash\", \"restart\", \"dns-down\", \"dns-up\", \"dns-servfail\", "
	 "\"dns-set\", \"dns-add\", \"dns-remove\", \"disk-full\", \"disk-free\" or \"clock\""},
	{"link", SCN_STRING, 0, "the name of a link, such as \"router-server\""},
	{"host", SCN_STRING, 0, "the name of a host"},
	{"loss", SCN_NUMBER, 0, "a probability from 0 to 1"},
	{"latency", SCN_STRING, 0, "a duration such as \"50ms\""},
	{"name", SCN_STRING, 0, "a DNS name such as \"dominio.de.maria\""},
	{"type", SCN_STRING, 0, "a record type: A, MX, PTR, CNAME or NS"},
	{"value", SCN_STRING, 0, "the record's value as in a zone file, such as \"10 mx2.dominio.de.maria\""},
	{"ttl", SCN_NUMBER, 0, "seconds, 0 to 2147483647"},
	{"skew", SCN_STRING, 0, "a signed duration such as \"-2h\" or \"+90s\""},
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

/* Which keys an action takes (beside at, action, description). */
enum { K_LINK = 1, K_HOST = 2, K_LOSS = 4, K_LATENCY = 8, K_NAME = 16, K_TYPE = 32, K_VALUE = 64, K_TTL = 128,
       K_SKEW = 256 };
static const struct {
	const char *key;
	int bit;
} optional[] = {{"link", K_LINK}, {"host", K_HOST},   {"loss", K_LOSS}, {"latency", K_LATENCY}, {"name", K_NAME},
		{"type", K_TYPE}, {"value", K_VALUE}, {"ttl", K_TTL},   {"skew", K_SKEW}};

static int keys_of(enum scn_fault_kind k)
{
	switch (k) {
	case SCN_FAULT_DOWN:
	case SCN_FAULT_UP: return K_LINK;
	case SCN_FAULT_SET: return K_LINK | K_LOSS | K_LATENCY;
	case SCN_FAULT_CRASH:
	case SCN_FAULT_RESTART:
	case SCN_FAULT_DISK_FULL:
	case SCN_FAULT_DISK_FREE: return K_HOST;
	case SCN_FAULT_DNS_DOWN:
	case SCN_FAULT_DNS_UP:
	case SCN_FAULT_DNS_SERVFAIL: return 0;
	case SCN_FAULT_DNS_SET:
	case SCN_FAULT_DNS_ADD: return K_NAME | K_TYPE | K_VALUE | K_TTL;
	case SCN_FAULT_DNS_REMOVE: return K_NAME | K_TYPE;
	case SCN_FAULT_CLOCK: return K_HOST | K_SKEW;
	default: return 0;
	}
}

/* "-2h", "+90s", "0s": a duration with an optional sign. */
static int parse_skew(struct scn_ctx *ctx, const cJSON *e, sim_time *out_r)
{
	const char *text = scn_get_string(e, "skew");
	if (!text)
		return -1;
	int neg = text[0] == '-';
	const char *p = text + (text[0] == '-' || text[0] == '+');
	sim_time t;
	char q[200];
	if (scn_text_duration(p, &t) != 0 || t > 366 * 24 * 3600 * SIM_S) {
		scn_error_key(ctx, "skew", 0, "%s is not a clock skew (expected a signed duration up to a year, such as "
				       "\"-2h\" or \"+90s\")",
			      scn_quote(text, q, sizeof q));
		return -1;
	}
	*out_r = neg ? -t : t;
	return 0;
}

/* Checks a DNS change against the scenario's zones (db: an empty copy of
 * them, made once per file), as the server will apply it, so `mailsim
 * check` reports what the run would refuse. */
static int check_dns_change(struct scn_ctx *ctx, const struct scenario *s, struct dns_db *db, struct scn_fault *f)
{
	char q[200];
	int type = dns_type_from_name(f->type);
	if (type <= 0 || (type != DNS_T_A && type != DNS_T_MX && type != DNS_T_PTR && type != DNS_T_CNAME &&
			  type != DNS_T_NS)) {
		scn_error_key(ctx, "type", 0, "%s is not a record type the server keeps (A, MX, PTR, CNAME or NS)",
			      scn_quote(f->type, q, sizeof q));
		return -1;
	}
	if (f->kind == SCN_FAULT_DNS_REMOVE || !db)
		return 0;
	char err[200] = "";
	int rc = dns_db_add_text(db, f->name, f->ttl, f->type, f->value, err, sizeof err);
	if (rc >= 0)
		dns_db_remove(db, f->name, (uint16_t)type); /* keep it empty for the next check */
	if (rc == DNS_E_NOZONE && s->dns.auto_records)
		return 0; /* the zone may come from a host's fqdn */
	if (rc < 0) {
		scn_error_key(ctx, rc == DNS_E_NOZONE ? "name" : "value", 0, "%s",
			      err[0] ? err : "the record cannot be added to the server's zones");
		return -1;
	}
	return 0;
}

static char *dup_key(const cJSON *e, const char *key)
{
	const char *v = scn_get_string(e, key);
	return v ? scn_strdup(v) : NULL;
}

/* 1 if the entry was stored, 0 if not (an error was reported), -1 ENOMEM. */
static int load_fault(struct scn_ctx *ctx, struct scenario *s, struct dns_db *db, const cJSON *e)
{
	scn_check_keys(ctx, e, fault_keys);
	struct scn_fault f = {.link = -1, .host = -1, .mta = -1, .ttl = 3600};
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
	int action;
	if (scn_parse_enum(ctx, e, "action", actions, &action) != 0)
		return 0;
	f.kind = (enum scn_fault_kind)action;
	int want = keys_of(f.kind);
	for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
		if (!scn_get(e, optional[i].key) || (want & optional[i].bit))
			continue;
		if ((optional[i].bit & (K_LOSS | K_LATENCY)) && (want & K_LINK))
			scn_error_key(ctx, optional[i].key, 0,
				      "only used with \"action\": \"set\" (a link going %s keeps its settings)",
				      actions[action]);
		else
			scn_error_key(ctx, optional[i].key, 0, "not used by \"action\": \"%s\"", actions[action]);
		ok = 0;
	}
	const char *link = scn_get_string(e, "link");
	if (want & K_LINK) {
		if (!link) {
			scn_error_key(ctx, "link", 0, "missing (\"action\": \"%s\" needs the name of a link)", actions[action]);
			ok = 0;
		} else if ((f.link = scenario_link_by_name(s, link)) < 0) {
			scn_push_key(ctx, "link");
			unknown_link(ctx, s, link);
			scn_pop(ctx);
			ok = 0;
		}
	}
	if (want & K_HOST) {
		if (!scn_get(e, "host")) {
			scn_error_key(ctx, "host", 0, "missing (\"action\": \"%s\" needs the name of a host)", actions[action]);
			ok = 0;
		} else if ((f.host = scn_host_of(ctx, s, e, "host")) < 0) {
			ok = 0;
		}
	}
	if (f.kind == SCN_FAULT_SET) {
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
	if (f.kind >= SCN_FAULT_DNS_DOWN && f.kind <= SCN_FAULT_DNS_REMOVE && s->dns.server < 0) {
		scn_error_key(ctx, "action", 0, "\"%s\" needs a DNS server (the \"dns\" section has no \"server\")",
			      actions[action]);
		ok = 0;
	}
	if (f.kind == SCN_FAULT_DISK_FULL || f.kind == SCN_FAULT_DISK_FREE) {
		for (size_t i = 0; f.host >= 0 && i < s->mta_count; i++)
			if (s->mtas[i].host == f.host && s->mtas[i].local_domain_count)
				f.mta = (int)i;
		if (f.host >= 0 && f.mta < 0) {
			scn_error_key(ctx, "host", 0, "\"%s\" keeps no mailboxes (no MTA there with local \"domains\")",
				      s->hosts[f.host].name);
			ok = 0;
		}
	}
	if (f.kind == SCN_FAULT_CLOCK) {
		if (!scn_get(e, "skew")) {
			scn_error_key(ctx, "skew", 0, "missing (\"action\": \"clock\" sets a skew such as \"-2h\"; \"0s\" "
						      "sets the clock right)");
			ok = 0;
		} else if (parse_skew(ctx, e, &f.skew) != 0) {
			ok = 0;
		}
	}
	if (want & K_NAME) {
		static const char *const need[] = {"name", "type", "value"};
		for (size_t i = 0; i < 3; i++)
			if ((want & (K_NAME << i)) && !scn_get(e, need[i])) {
				scn_error_key(ctx, need[i], 0, "missing (\"action\": \"%s\" needs \"%s\")", actions[action],
					      need[i]);
				ok = 0;
			}
		int64_t ttl = 3600;
		if (scn_parse_int(ctx, e, "ttl", 0, 2147483647, &ttl) < 0)
			ok = 0;
		f.ttl = (uint32_t)ttl;
	}
	if (!ok)
		return 0;
	f.name = dup_key(e, "name");
	f.type = dup_key(e, "type");
	f.value = dup_key(e, "value");
	f.description = dup_key(e, "description");
	if ((scn_get(e, "name") && !f.name) || (scn_get(e, "type") && !f.type) || (scn_get(e, "value") && !f.value) ||
	    (scn_get(e, "description") && !f.description))
		goto nomem;
	if ((f.kind == SCN_FAULT_DNS_SET || f.kind == SCN_FAULT_DNS_ADD || f.kind == SCN_FAULT_DNS_REMOVE) &&
	    check_dns_change(ctx, s, db, &f) != 0) {
		free(f.name);
		free(f.type);
		free(f.value);
		free(f.description);
		return 0;
	}
	s->faults[s->fault_count++] = f;
	return 1;
nomem:
	free(f.name);
	free(f.type);
	free(f.value);
	free(f.description);
	return -1;
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
	/* The zones, empty, to check DNS changes against (NULL if memory is
	 * short: the run then reports a bad change in its note). */
	struct dns_db *db = s->dns.server >= 0 ? dns_db_new() : NULL;
	for (size_t z = 0; db && z < s->dns.zone_count; z++)
		dns_db_add_zone(db, s->dns.zones[z].origin, s->dns.zones[z].ttl, NULL);
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "a fault such as {\"at\": \"2s\", \"link\": \"a-b\", \"action\": \"down\"}");
		} else if (load_fault(ctx, s, db, e) < 0) {
			dns_db_free(&db);
			scn_pop(ctx);
			scn_pop(ctx);
			return -1;
		}
		scn_pop(ctx);
	}
	dns_db_free(&db);
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

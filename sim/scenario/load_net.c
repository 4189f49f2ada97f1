/* Scenario sections for the topology: hosts (with their interfaces), links
 * and static routes. See docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/load.h"

static const char *const role_names[] = {"host", "ua", "mta", "dns", "mailbox", "router", "sniffer", NULL};

const char *scn_role_name(enum scn_role r) { return r < SCN_ROLE_COUNT ? role_names[r] : "?"; }

static const struct scn_key host_keys[] = {
	{"name", SCN_STRING, 1, "a host name such as \"laptop\""},
	{"role", SCN_STRING, 0, "a role: host, ua, mta, dns, mailbox, router or sniffer"},
	{"ip", SCN_STRING, 0, "an IPv4 address such as \"10.0.0.1\""},
	{"interfaces", SCN_ARRAY, 0, "a list of interfaces, each with \"ip\""},
	{"x", SCN_NUMBER, 0, "a number (layout position)"},
	{"y", SCN_NUMBER, 0, "a number (layout position)"},
	{"description", SCN_STRING, 0, "a text describing the host"},
	{"fqdn", SCN_STRING, 0, "its domain name, such as \"smtp.gmail.com\""},
	{NULL, 0, 0, NULL},
};

static const struct scn_key iface_keys[] = {
	{"name", SCN_STRING, 0, "an interface name such as \"eth0\""},
	{"ip", SCN_STRING, 1, "an IPv4 address such as \"10.0.0.1\""},
	{NULL, 0, 0, NULL},
};

static const struct scn_key link_keys[] = {
	{"name", SCN_STRING, 0, "a link name such as \"uplink\""},
	{"a", SCN_STRING, 1, "the name of the host at one end"},
	{"b", SCN_STRING, 1, "the name of the host at the other end"},
	{"a_iface", SCN_STRING, 0, "an interface name of host a, such as \"eth1\""},
	{"b_iface", SCN_STRING, 0, "an interface name of host b, such as \"eth1\""},
	{"latency", SCN_STRING, 0, "a duration such as \"5ms\""},
	{"bandwidth", SCN_STRING, 0, "a bandwidth such as \"100Mbps\""},
	{"loss", SCN_NUMBER, 0, "a probability from 0 to 1"},
	{"mtu", SCN_NUMBER, 0, "a whole number of bytes from 68 to 65535"},
	{"queue", SCN_STRING | SCN_NUMBER, 0, "a size such as \"64KB\""},
	{"description", SCN_STRING, 0, "a text describing the link"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key route_keys[] = {
	{"host", SCN_STRING, 1, "the name of the host whose route this is"},
	{"dest", SCN_STRING, 1, "the name of the destination host"},
	{"via", SCN_STRING, 0, "the name of the neighbour to send through"},
	{"link", SCN_STRING, 0, "the name of the link to send over"},
	{NULL, 0, 0, NULL},
};

int scn_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63)
		return 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

void scn_error_unknown_host(struct scn_ctx *ctx, const struct scenario *s, const char *name)
{
	const char *names[257];
	size_t n = 0;
	for (; n < s->host_count && n < 256; n++)
		names[n] = s->hosts[n].name;
	names[n] = NULL;
	char q[200];
	const char *sug = scn_suggest(name, names);
	if (sug)
		scn_error(ctx, "unknown host %s (did you mean \"%s\"?)", scn_quote(name, q, sizeof q), sug);
	else
		scn_error(ctx, "unknown host %s (no host in \"hosts\" has that name)", scn_quote(name, q, sizeof q));
}

/* Why an address cannot belong to a host, or NULL if it can. */
static const char *unusable_address(uint32_t ip)
{
	if (ip == 0)
		return "0.0.0.0 means \"no address\"";
	if (ip == 0xFFFFFFFFu)
		return "it is the broadcast address";
	if ((ip >> 24) == 127)
		return "127.0.0.0/8 is the loopback network";
	if ((ip >> 28) == 0xE)
		return "224.0.0.0/4 is for multicast";
	if ((ip >> 28) == 0xF)
		return "240.0.0.0/4 is reserved";
	return NULL;
}

/* Checks ip against every address loaded so far. */
static void add_address(struct scn_ctx *ctx, const struct scenario *s, size_t host, struct scn_iface *ifc,
			uint32_t ip, const char *key)
{
	char q[64], buf[16];
	scn_push_key(ctx, key);
	const char *why = unusable_address(ip);
	if (why) {
		scn_error(ctx, "%s cannot be a host's address (%s)", scn_quote(ipv4_format(ip, buf), q, sizeof q), why);
		scn_pop(ctx);
		return;
	}
	for (size_t h = 0; h <= host; h++) {
		const struct scn_host *o = &s->hosts[h];
		for (size_t i = 0; i < o->iface_count; i++) {
			if (&o->ifaces[i] == ifc || !o->ifaces[i].name || o->ifaces[i].ip != ip)
				continue;
			scn_error(ctx, "address %s is already used by hosts[%zu] (\"%s\")", ipv4_format(ip, buf), h,
				  o->name ? o->name : "?");
			scn_pop(ctx);
			return;
		}
	}
	ifc->ip = ip;
	scn_pop(ctx);
}

static int load_interfaces(struct scn_ctx *ctx, struct scenario *s, size_t hi, const cJSON *list)
{
	struct scn_host *h = &s->hosts[hi];
	int n = cJSON_GetArraySize(list);
	scn_push_key(ctx, "interfaces");
	if (scn_check_count(ctx, list, SCN_MAX_IFACES, "interfaces") < 0) {
		scn_pop(ctx);
		return 0;
	}
	if (n == 0) {
		scn_error(ctx, "empty list (a host needs at least one interface)");
		scn_pop(ctx);
		return 0;
	}
	h->ifaces = calloc((size_t)n, sizeof *h->ifaces);
	if (!h->ifaces)
		return -1;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		struct scn_iface *ifc = &h->ifaces[h->iface_count];
		ifc->link = -1;
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "an interface object such as {\"name\": \"eth0\", \"ip\": \"10.0.0.1\"}");
			scn_pop(ctx);
			continue;
		}
		scn_check_keys(ctx, e, iface_keys);
		char defname[32];
		snprintf(defname, sizeof defname, "eth%zu", i);
		const char *name = scn_get_string(e, "name");
		if (name) {
			char q[200];
			scn_push_key(ctx, "name");
			if (!scn_valid_name(name)) {
				scn_error(ctx, "%s is not a valid interface name (use 1 to 63 letters, digits, '-', '_' or '.')",
					  scn_quote(name, q, sizeof q));
				name = NULL;
			} else {
				for (size_t j = 0; j < h->iface_count; j++)
					if (strcmp(h->ifaces[j].name, name) == 0) {
						scn_error(ctx, "host \"%s\" already has an interface called %s", h->name,
							  scn_quote(name, q, sizeof q));
						name = NULL;
						break;
					}
			}
			scn_pop(ctx);
			if (!name) {
				scn_pop(ctx);
				continue;
			}
		} else {
			name = defname;
		}
		ifc->name = scn_strdup(name);
		if (!ifc->name)
			return -1;
		h->iface_count++;
		uint32_t ip;
		if (scn_parse_ipv4(ctx, e, "ip", &ip) == 0)
			add_address(ctx, s, hi, ifc, ip, "ip");
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

static int load_host(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	struct scn_host *h = &s->hosts[s->host_count];
	if (scn_check_keys(ctx, e, host_keys) && !scn_get_string(e, "name"))
		return 0;
	const char *name = scn_get_string(e, "name");
	char q[200];
	scn_push_key(ctx, "name");
	if (!scn_valid_name(name)) {
		scn_error(ctx, "%s is not a valid host name (use 1 to 63 letters, digits, '-', '_' or '.')",
			  scn_quote(name, q, sizeof q));
		scn_pop(ctx);
		return 0;
	}
	int other = scenario_host_by_name(s, name);
	if (other >= 0) {
		scn_error(ctx, "duplicate host name %s (hosts[%d] already has it)", scn_quote(name, q, sizeof q), other);
		scn_pop(ctx);
		return 0;
	}
	scn_pop(ctx);
	h->name = scn_strdup(name);
	h->description = scn_strdup(scn_get_string(e, "description") ? scn_get_string(e, "description") : "");
	if (!h->name || !h->description) {
		free(h->name);
		free(h->description);
		h->name = h->description = NULL;
		return -1;
	}
	s->host_count++;
	int role = SCN_ROLE_HOST;
	if (scn_parse_enum(ctx, e, "role", role_names, &role) == 0)
		h->role = (enum scn_role)role;

	const cJSON *xv = scn_get(e, "x"), *yv = scn_get(e, "y");
	if (cJSON_IsNumber(xv) && cJSON_IsNumber(yv)) {
		if (scn_parse_number(ctx, e, "x", &h->x) == 0 && scn_parse_number(ctx, e, "y", &h->y) == 0)
			h->has_position = 1;
	} else if (cJSON_IsNumber(xv) != cJSON_IsNumber(yv)) {
		const char *missing = cJSON_IsNumber(xv) ? "y" : "x";
		scn_error_key(ctx, missing, 0, "missing (a layout position needs both \"x\" and \"y\")");
	}

	const cJSON *ip = scn_get(e, "ip");
	const cJSON *ifs = scn_get(e, "interfaces");
	if (ip && ifs) {
		scn_error_key(ctx, "interfaces", 0,
			      "give either \"ip\" (one interface) or \"interfaces\" (several), not both");
	} else if (cJSON_IsString(ip)) {
		h->ifaces = calloc(1, sizeof *h->ifaces);
		if (!h->ifaces)
			return -1;
		h->ifaces[0].name = scn_strdup("eth0");
		h->ifaces[0].link = -1;
		if (!h->ifaces[0].name)
			return -1;
		h->iface_count = 1;
		uint32_t a;
		if (scn_parse_ipv4(ctx, e, "ip", &a) == 0)
			add_address(ctx, s, s->host_count - 1, &h->ifaces[0], a, "ip");
	} else if (cJSON_IsArray(ifs)) {
		size_t total = 0;
		for (size_t i = 0; i < s->host_count; i++)
			total += s->hosts[i].iface_count;
		if (total + (size_t)cJSON_GetArraySize(ifs) > SCN_MAX_LIST) {
			scn_push_key(ctx, "interfaces");
			scn_error(ctx, "more than %d interfaces in all is more than mailsim supports", SCN_MAX_LIST);
			scn_pop(ctx);
			return 0;
		}
		return load_interfaces(ctx, s, s->host_count - 1, ifs);
	} else if (!ip && !ifs) {
		scn_error_key(ctx, "ip", 0, "missing (a host needs an address: \"ip\", or \"interfaces\" for several)");
	}
	return 0;
}

int scn_load_hosts(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "hosts");
	if (!cJSON_IsArray(list))
		return 0;
	scn_push_key(ctx, "hosts");
	int n = cJSON_GetArraySize(list);
	if (scn_check_count(ctx, list, SCN_MAX_HOSTS, "hosts") < 0) {
		scn_pop(ctx);
		return 0;
	}
	if (n == 0) {
		scn_error(ctx, "empty list (a scenario needs at least one host)");
		scn_pop(ctx);
		return 0;
	}
	s->hosts = calloc((size_t)n, sizeof *s->hosts);
	if (!s->hosts)
		return -1;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		int rc = 0;
		if (!cJSON_IsObject(e))
			scn_error_type(ctx, e, "a host object such as {\"name\": \"laptop\", \"ip\": \"10.0.0.1\"}");
		else
			rc = load_host(ctx, s, e);
		scn_pop(ctx);
		if (rc < 0)
			return -1;
	}
	scn_pop(ctx);
	return 0;
}

/* Looks up (host, iface name) for one end of a link; picks the first free
 * interface when no name is given. Returns the interface index or -1. */
static int link_end(struct scn_ctx *ctx, struct scenario *s, const cJSON *e, const char *host_key,
		    const char *iface_key, int *host_r)
{
	const char *hname = scn_get_string(e, host_key);
	if (!hname)
		return -1;
	int h = scenario_host_by_name(s, hname);
	if (h < 0) {
		scn_push_key(ctx, host_key);
		scn_error_unknown_host(ctx, s, hname);
		scn_pop(ctx);
		return -1;
	}
	*host_r = h;
	struct scn_host *host = &s->hosts[h];
	if (host->iface_count == 0)
		return -1; /* its own error was reported with the host */
	const char *iname = scn_get_string(e, iface_key);
	char q[200];
	if (iname) {
		scn_push_key(ctx, iface_key);
		for (size_t i = 0; i < host->iface_count; i++) {
			if (strcmp(host->ifaces[i].name, iname) != 0)
				continue;
			if (host->ifaces[i].link >= 0) {
				scn_error(ctx, "interface %s of \"%s\" is already used by links[%d]",
					  scn_quote(iname, q, sizeof q), host->name, host->ifaces[i].link);
				scn_pop(ctx);
				return -1;
			}
			scn_pop(ctx);
			return (int)i;
		}
		char known[300] = "";
		size_t pos = 0;
		for (size_t i = 0; i < host->iface_count && pos < sizeof known - 70; i++)
			pos += (size_t)snprintf(known + pos, sizeof known - pos, "%s%s", i ? ", " : "",
						host->ifaces[i].name);
		scn_error(ctx, "host \"%s\" has no interface %s (its interfaces: %s)", host->name,
			  scn_quote(iname, q, sizeof q), known);
		scn_pop(ctx);
		return -1;
	}
	for (size_t i = 0; i < host->iface_count; i++) {
		if (host->ifaces[i].link < 0)
			return (int)i;
	}
	scn_push_key(ctx, host_key);
	if (host->iface_count == 1)
		scn_error(ctx, "host \"%s\" has no free interface (its only interface, %s, is used by links[%d]); give it more in \"interfaces\"",
			  host->name, host->ifaces[0].name, host->ifaces[0].link);
	else
		scn_error(ctx, "host \"%s\" has no free interface (all %zu are used by other links); give it more in \"interfaces\"",
			  host->name, host->iface_count);
	scn_pop(ctx);
	return -1;
}

static int load_link(struct scn_ctx *ctx, struct scenario *s, const cJSON *e, size_t index)
{
	if (scn_check_keys(ctx, e, link_keys) && (!scn_get_string(e, "a") || !scn_get_string(e, "b")))
		return 0;
	struct scn_link l = {.a = -1, .b = -1, .params = link_params_default()};
	const char *an = scn_get_string(e, "a"), *bn = scn_get_string(e, "b");
	if (strcmp(an, bn) == 0) {
		scn_push_key(ctx, "b");
		scn_error(ctx, "a link joins two different hosts (both ends are \"%s\")", an);
		scn_pop(ctx);
		return 0;
	}
	int ok = 1;
	l.a_iface = link_end(ctx, s, e, "a", "a_iface", &l.a);
	l.b_iface = link_end(ctx, s, e, "b", "b_iface", &l.b);
	if (l.a_iface < 0 || l.b_iface < 0)
		ok = 0;

	if (scn_parse_duration(ctx, e, "latency", &l.params.latency) < 0)
		ok = 0;
	if (scn_parse_bandwidth(ctx, e, "bandwidth", &l.params.bandwidth_bps) < 0)
		ok = 0;
	if (scn_parse_probability(ctx, e, "loss", &l.params.loss) < 0)
		ok = 0;
	int64_t mtu;
	int r = scn_parse_int(ctx, e, "mtu", 68, 65535, &mtu);
	if (r == 0)
		l.params.mtu = (uint32_t)mtu;
	else if (r < 0)
		ok = 0;
	uint64_t q;
	r = scn_parse_size(ctx, e, "queue", 1, UINT32_MAX, &q);
	if (r == 0) {
		if (q < l.params.mtu) {
			scn_push_key(ctx, "queue");
			scn_error(ctx, "a queue of %llu bytes cannot hold one full-size packet (the MTU is %u bytes)",
				  (unsigned long long)q, l.params.mtu);
			scn_pop(ctx);
			ok = 0;
		} else {
			l.params.queue_bytes = (uint32_t)q;
		}
	} else if (r < 0) {
		ok = 0;
	}

	const char *given = scn_get_string(e, "name");
	char namebuf[160];
	char qb[200];
	if (given && !scn_valid_name(given)) {
		scn_push_key(ctx, "name");
		scn_error(ctx, "%s is not a valid link name (use 1 to 63 letters, digits, '-', '_' or '.')",
			  scn_quote(given, qb, sizeof qb));
		scn_pop(ctx);
		return 0;
	}
	snprintf(namebuf, sizeof namebuf, "%s-%s", an, bn);
	const char *name = given ? given : namebuf;
	int other = scenario_link_by_name(s, name);
	if (other >= 0) {
		if (given) {
			scn_push_key(ctx, "name");
			scn_error(ctx, "duplicate link name %s (links[%d] already has it)", scn_quote(name, qb, sizeof qb), other);
			scn_pop(ctx);
		} else {
			scn_error(ctx, "links[%d] is already called \"%s\"; give this link a \"name\" so faults and routes can tell them apart",
				  other, name);
		}
		return 0;
	}
	if (!ok)
		return 0;
	l.name = scn_strdup(name);
	if (!l.name)
		return -1;
	s->hosts[l.a].ifaces[l.a_iface].link = (int)index;
	s->hosts[l.b].ifaces[l.b_iface].link = (int)index;
	s->links[s->link_count++] = l;
	return 0;
}

int scn_load_links(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "links");
	if (!cJSON_IsArray(list))
		return 0;
	int n = cJSON_GetArraySize(list);
	if (n == 0)
		return 0;
	scn_push_key(ctx, "links");
	if (scn_check_count(ctx, list, SCN_MAX_LIST, "links") < 0) {
		scn_pop(ctx);
		return 0;
	}
	s->links = calloc((size_t)n, sizeof *s->links);
	if (!s->links)
		return -1;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		int rc = 0;
		if (!cJSON_IsObject(e))
			scn_error_type(ctx, e, "a link object such as {\"a\": \"laptop\", \"b\": \"router\"}");
		else
			rc = load_link(ctx, s, e, s->link_count);
		scn_pop(ctx);
		if (rc < 0)
			return -1;
	}
	scn_pop(ctx);
	return 0;
}

static int route_host(struct scn_ctx *ctx, const struct scenario *s, const cJSON *e, const char *key)
{
	const char *name = scn_get_string(e, key);
	if (!name)
		return -1;
	int h = scenario_host_by_name(s, name);
	if (h < 0) {
		scn_push_key(ctx, key);
		scn_error_unknown_host(ctx, s, name);
		scn_pop(ctx);
	}
	return h;
}

static void load_route(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	if (scn_check_keys(ctx, e, route_keys) && (!scn_get_string(e, "host") || !scn_get_string(e, "dest")))
		return;
	struct scn_route r = {.host = route_host(ctx, s, e, "host"), .dest = route_host(ctx, s, e, "dest"), .link = -1};
	const char *via = scn_get_string(e, "via"), *link = scn_get_string(e, "link");
	char q[200];
	if (via && link) {
		scn_error_key(ctx, "link", 0, "give either \"via\" (a neighbour) or \"link\", not both");
		return;
	}
	if (!via && !link && !scn_get(e, "via") && !scn_get(e, "link")) {
		scn_error_key(ctx, "via", 0, "missing (a route needs \"via\", the neighbour to send through, or \"link\")");
		return;
	}
	if (r.host < 0 || r.dest < 0)
		return;
	if (r.host == r.dest) {
		scn_push_key(ctx, "dest");
		scn_error(ctx, "a route from \"%s\" to itself makes no sense", s->hosts[r.host].name);
		scn_pop(ctx);
		return;
	}
	if (via) {
		int n = route_host(ctx, s, e, "via");
		if (n < 0)
			return;
		for (size_t i = 0; i < s->link_count && r.link < 0; i++) {
			const struct scn_link *l = &s->links[i];
			if ((l->a == r.host && l->b == n) || (l->b == r.host && l->a == n))
				r.link = (int)i;
		}
		if (r.link < 0) {
			scn_push_key(ctx, "via");
			scn_error(ctx, "\"%s\" is not a neighbour of \"%s\" (no link joins them)", s->hosts[n].name,
				  s->hosts[r.host].name);
			scn_pop(ctx);
			return;
		}
	} else if (link) {
		scn_push_key(ctx, "link");
		r.link = scenario_link_by_name(s, link);
		if (r.link < 0) {
			scn_error(ctx, "unknown link %s", scn_quote(link, q, sizeof q));
		} else if (s->links[r.link].a != r.host && s->links[r.link].b != r.host) {
			scn_error(ctx, "link \"%s\" does not touch host \"%s\"", link, s->hosts[r.host].name);
			r.link = -1;
		}
		scn_pop(ctx);
		if (r.link < 0)
			return;
	}
	for (size_t i = 0; i < s->route_count; i++) {
		if (s->routes[i].host == r.host && s->routes[i].dest == r.dest) {
			scn_error(ctx, "routes[%zu] already sets the route from \"%s\" to \"%s\"", i, s->hosts[r.host].name,
				  s->hosts[r.dest].name);
			return;
		}
	}
	s->routes[s->route_count++] = r;
}

int scn_load_routes(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "routes");
	if (!cJSON_IsArray(list))
		return 0;
	int n = cJSON_GetArraySize(list);
	if (n == 0)
		return 0;
	scn_push_key(ctx, "routes");
	if (scn_check_count(ctx, list, SCN_MAX_LIST, "routes") < 0) {
		scn_pop(ctx);
		return 0;
	}
	s->routes = calloc((size_t)n, sizeof *s->routes);
	if (!s->routes)
		return -1;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e))
			scn_error_type(ctx, e, "a route object such as {\"host\": \"a\", \"dest\": \"c\", \"via\": \"b\"}");
		else
			load_route(ctx, s, e);
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

int scn_host_of(struct scn_ctx *ctx, const struct scenario *s, const cJSON *e, const char *key)
{
	const char *name = scn_get_string(e, key);
	if (!name)
		return -1;
	int h = scenario_host_by_name(s, name);
	if (h < 0) {
		scn_push_key(ctx, key);
		scn_error_unknown_host(ctx, s, name);
		scn_pop(ctx);
	}
	return h;
}

/* Scenario sections for the built-in test application (sim/agents/testapp.h):
 * "apps" (echo and discard services, clients) and "expect" (the outcome
 * each client should have). See docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/load.h"

enum app_type { APP_ECHO, APP_DISCARD, APP_CLIENT };
static const char *const app_types[] = {"echo", "discard", "client", NULL};

static const char *const protos[] = {"tcp", "udp", NULL};

static const char *const outcome_names[] = {"unfinished", "complete", "refused", "reset",
					     "timeout",    "mismatch", "unreachable", NULL};

#define DEFAULT_CLIENT_TIMEOUT (10 * 60 * SIM_S)
#define DEFAULT_LINE_LENGTH 64
#define DEFAULT_DATAGRAM_SIZE 512
#define DEFAULT_INTERVAL (10 * SIM_MS)
/* A UDP client waits this long after its last datagram for the echoes. */
#define UDP_GRACE (5 * SIM_S)

static const struct scn_key service_keys[] = {
	{"type", SCN_STRING, 1, "\"echo\", \"discard\" or \"client\""},
	{"host", SCN_STRING, 1, "the name of the host the service runs on"},
	{"port", SCN_NUMBER, 1, "a port number from 1 to 65535"},
	{"proto", SCN_STRING, 0, "\"tcp\" or \"udp\""},
	{"description", SCN_STRING, 0, "a text describing the service"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key client_keys[] = {
	{"type", SCN_STRING, 1, "\"echo\", \"discard\" or \"client\""},
	{"name", SCN_STRING, 0, "a client name such as \"upload\""},
	{"host", SCN_STRING, 1, "the name of the host the client runs on"},
	{"to", SCN_STRING, 1, "the server: a host name or an IPv4 address"},
	{"port", SCN_NUMBER, 1, "a port number from 1 to 65535"},
	{"proto", SCN_STRING, 0, "\"tcp\" or \"udp\""},
	{"at", SCN_STRING, 0, "a time such as \"1s\""},
	{"bytes", SCN_NUMBER | SCN_STRING, 0, "a size such as \"1MiB\""},
	{"lines", SCN_NUMBER, 0, "a number of request lines"},
	{"line_length", SCN_NUMBER, 0, "a line length in bytes, CRLF included"},
	{"datagrams", SCN_NUMBER, 0, "a number of UDP datagrams"},
	{"size", SCN_NUMBER | SCN_STRING, 0, "a datagram size in bytes, such as 512"},
	{"interval", SCN_STRING, 0, "a duration such as \"10ms\""},
	{"echo", SCN_BOOL, 0, "true or false"},
	{"timeout", SCN_STRING, 0, "a duration such as \"60s\""},
	{"expect", SCN_STRING, 0, "an outcome: complete, refused, reset, timeout, mismatch, unreachable or unfinished"},
	{"description", SCN_STRING, 0, "a text describing the client"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key expect_keys[] = {
	{"client", SCN_STRING, 1, "the name of a client in \"apps\""},
	{"outcome", SCN_STRING, 1, "an outcome: complete, refused, reset, timeout, mismatch, unreachable or unfinished"},
	{NULL, 0, 0, NULL},
};

static const struct scn_service *service_at(const struct scenario *s, int udp, int host, uint16_t port)
{
	for (size_t i = 0; i < s->service_count; i++)
		if (s->services[i].host == host && s->services[i].port == port && s->services[i].udp == udp)
			return &s->services[i];
	return NULL;
}

static void load_service(struct scn_ctx *ctx, struct scenario *s, const cJSON *e, enum app_type type)
{
	scn_check_keys(ctx, e, service_keys);
	int host = scn_host_of(ctx, s, e, "host");
	int64_t port;
	int udp = 0;
	if (scn_parse_enum(ctx, e, "proto", protos, &udp) < 0)
		return;
	if (scn_parse_int(ctx, e, "port", 1, 65535, &port) != 0 || host < 0)
		return;
	const struct scn_service *other = service_at(s, udp, host, (uint16_t)port);
	if (other) {
		scn_push_key(ctx, "port");
		scn_error(ctx, "%s port %d of \"%s\" already has a service", udp ? "UDP" : "TCP", (int)port,
			  s->hosts[host].name);
		scn_pop(ctx);
		return;
	}
	s->services[s->service_count++] = (struct scn_service){
		.kind = type == APP_ECHO ? TESTAPP_ECHO : TESTAPP_DISCARD, .udp = udp, .host = host, .port = (uint16_t)port};
}

static int load_client(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	scn_check_keys(ctx, e, client_keys);
	struct scn_client c = {.dest_host = -1,
			       .timeout = DEFAULT_CLIENT_TIMEOUT,
			       .line_length = DEFAULT_LINE_LENGTH,
			       .datagram_size = DEFAULT_DATAGRAM_SIZE,
			       .interval = DEFAULT_INTERVAL};
	int ok = 1;
	char q[200];
	if (scn_parse_enum(ctx, e, "proto", protos, &c.udp) < 0)
		ok = 0;
	/* Keys that belong to the other protocol are mistakes, not options. */
	static const char *const tcp_only[] = {"bytes", "lines", "line_length"};
	static const char *const udp_only[] = {"datagrams", "size", "interval"};
	for (size_t i = 0; i < 3; i++) {
		const char *k = c.udp ? tcp_only[i] : udp_only[i];
		if (scn_get(e, k)) {
			scn_error_key(ctx, k, 0, "only used by %s clients (this one is \"proto\": \"%s\")",
				      c.udp ? "TCP" : "UDP", c.udp ? "udp" : "tcp");
			ok = 0;
		}
	}
	c.host = scn_host_of(ctx, s, e, "host");
	if (c.host < 0)
		ok = 0;
	const char *to = scn_get_string(e, "to");
	if (to) {
		uint32_t ip;
		if (scn_text_ipv4(to, &ip) == 0) {
			c.dest_ip = ip;
			for (size_t h = 0; h < s->host_count; h++)
				for (size_t i = 0; i < s->hosts[h].iface_count; i++)
					if (s->hosts[h].ifaces[i].ip == ip)
						c.dest_host = (int)h;
		} else {
			c.dest_host = scn_host_of(ctx, s, e, "to");
			if (c.dest_host < 0 || s->hosts[c.dest_host].iface_count == 0)
				ok = 0;
			else
				c.dest_ip = s->hosts[c.dest_host].ifaces[0].ip;
		}
	} else {
		ok = 0;
	}
	int64_t v;
	if (scn_parse_int(ctx, e, "port", 1, 65535, &v) == 0)
		c.port = (uint16_t)v;
	else
		ok = 0;
	sim_time t;
	int r = scn_parse_duration(ctx, e, "at", &t);
	if (r == 0)
		c.at = t;
	else if (r < 0)
		ok = 0;
	r = scn_parse_int(ctx, e, "datagrams", 0, 1000000, &v);
	if (r == 0)
		c.datagrams = (uint32_t)v;
	else if (r < 0)
		ok = 0;
	uint64_t size;
	r = scn_parse_size(ctx, e, "size", 4, 65507, &size);
	if (r == 0)
		c.datagram_size = (uint32_t)size;
	else if (r < 0)
		ok = 0;
	r = scn_parse_duration(ctx, e, "interval", &t);
	if (r == 0)
		c.interval = t;
	else if (r < 0)
		ok = 0;
	if (c.udp && c.datagrams) {
		if ((double)(c.datagrams - 1) * (double)c.interval > 1e17) {
			scn_error_key(ctx, "interval", 0, "%u datagrams at this interval would take more than three years",
				      c.datagrams);
			ok = 0;
		} else {
			c.timeout = (sim_time)(c.datagrams - 1) * c.interval + UDP_GRACE;
		}
	}
	r = scn_parse_duration(ctx, e, "timeout", &t);
	if (r == 0 && t > 0) {
		c.timeout = t;
	} else if (r == 0) {
		scn_push_key(ctx, "timeout");
		scn_error(ctx, "must be more than zero");
		scn_pop(ctx);
		ok = 0;
	} else if (r < 0) {
		ok = 0;
	}
	uint64_t bytes;
	r = scn_parse_size(ctx, e, "bytes", 0, 1ull << 30, &bytes);
	if (r == 0)
		c.bytes = bytes;
	else if (r < 0)
		ok = 0;
	r = scn_parse_int(ctx, e, "lines", 1, 1000000, &v);
	if (r == 0)
		c.lines = (uint32_t)v;
	else if (r < 0)
		ok = 0;
	r = scn_parse_int(ctx, e, "line_length", 16, 8192, &v);
	if (r == 0)
		c.line_length = (uint32_t)v;
	else if (r < 0)
		ok = 0;
	if (scn_get(e, "bytes") && scn_get(e, "lines")) {
		scn_error_key(ctx, "lines", 0, "give either \"bytes\" (a stream) or \"lines\" (request lines), not both");
		ok = 0;
	}
	if (scn_get(e, "line_length") && !scn_get(e, "lines")) {
		scn_error_key(ctx, "line_length", 0, "only used with \"lines\"");
		ok = 0;
	}
	/* By default a client checks the echo when its server is an echo
	 * service of this scenario; lines always wait for their echo. */
	const struct scn_service *svc = c.dest_host >= 0 ? service_at(s, c.udp, c.dest_host, c.port) : NULL;
	c.echo = (svc && svc->kind == TESTAPP_ECHO) || c.lines > 0;
	const cJSON *echo = scn_get(e, "echo");
	if (cJSON_IsBool(echo)) {
		if (c.lines > 0 && cJSON_IsFalse(echo)) {
			scn_error_key(ctx, "echo", 0, "request lines always wait for their echo; \"echo\": false only goes with \"bytes\"");
			ok = 0;
		}
		c.echo = cJSON_IsTrue(echo);
	}
	int outcome;
	r = scn_parse_enum(ctx, e, "expect", outcome_names, &outcome);
	if (r == 0) {
		c.has_expect = 1;
		c.expect = (enum testapp_outcome)outcome;
	} else if (r < 0) {
		ok = 0;
	}

	char defname[32];
	snprintf(defname, sizeof defname, "client%zu", s->client_count + 1);
	const char *name = scn_get_string(e, "name");
	if (name) {
		scn_push_key(ctx, "name");
		if (!scn_valid_name(name)) {
			scn_error(ctx, "%s is not a valid client name (use 1 to 63 letters, digits, '-', '_' or '.')",
				  scn_quote(name, q, sizeof q));
			ok = 0;
		}
		scn_pop(ctx);
	} else {
		name = defname;
	}
	for (size_t i = 0; i < s->client_count; i++) {
		if (strcmp(s->clients[i].name, name) == 0) {
			scn_push_key(ctx, "name");
			scn_error(ctx, "duplicate client name %s (another client already has it)", scn_quote(name, q, sizeof q));
			scn_pop(ctx);
			ok = 0;
		}
	}
	if (!ok)
		return 0;
	c.name = scn_strdup(name);
	if (!c.name)
		return -1;
	s->clients[s->client_count++] = c;
	return 0;
}

int scn_load_apps(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "apps");
	if (!cJSON_IsArray(list))
		return 0;
	int n = cJSON_GetArraySize(list);
	if (n == 0)
		return 0;
	scn_push_key(ctx, "apps");
	if (scn_check_count(ctx, list, SCN_MAX_LIST, "apps") < 0) {
		scn_pop(ctx);
		return 0;
	}
	s->services = calloc((size_t)n, sizeof *s->services);
	s->clients = calloc((size_t)n, sizeof *s->clients);
	if (!s->services || !s->clients)
		return -1;
	/* Services first, so a client's default "echo" can see the service
	 * it connects to wherever it is listed. */
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0;
		for (const cJSON *e = list->child; e; e = e->next, i++) {
			scn_push_index(ctx, i);
			int type = -1, rc = 0;
			if (!cJSON_IsObject(e)) {
				if (pass == 0)
					scn_error_type(ctx, e, "an app object such as {\"type\": \"echo\", \"host\": \"server\", \"port\": 7}");
			} else if (!scn_get(e, "type")) {
				if (pass == 0)
					scn_error_key(ctx, "type", 0, "missing (expected \"echo\", \"discard\" or \"client\")");
			} else if (pass == 0) {
				if (scn_parse_enum(ctx, e, "type", app_types, &type) == 0 && type != APP_CLIENT)
					load_service(ctx, s, e, (enum app_type)type);
			} else {
				const char *t = scn_get_string(e, "type");
				if (t && strcmp(t, "client") == 0)
					rc = load_client(ctx, s, e);
			}
			scn_pop(ctx);
			if (rc < 0)
				return -1;
		}
	}
	scn_pop(ctx);
	for (size_t i = 0; i < s->client_count; i++) {
		if (!s->clients[i].has_expect)
			continue;
		/* Per-client expectations are kept with the explicit ones so the
		 * report checks one list. */
		struct scn_expect *x = realloc(s->expects, (s->expect_count + 1) * sizeof *x);
		if (!x)
			return -1;
		s->expects = x;
		s->expects[s->expect_count++] = (struct scn_expect){(int)i, s->clients[i].expect};
	}
	return 0;
}

int scn_load_expect(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "expect");
	if (!cJSON_IsArray(list))
		return 0;
	int n = cJSON_GetArraySize(list);
	if (n == 0)
		return 0;
	scn_push_key(ctx, "expect");
	if (scn_check_count(ctx, list, SCN_MAX_LIST, "expectations") < 0) {
		scn_pop(ctx);
		return 0;
	}
	struct scn_expect *x = realloc(s->expects, (s->expect_count + (size_t)n) * sizeof *x);
	if (!x)
		return -1;
	s->expects = x;
	size_t i = 0;
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "an expectation such as {\"client\": \"upload\", \"outcome\": \"complete\"}");
			scn_pop(ctx);
			continue;
		}
		if (scn_get(e, "mailbox") || scn_get(e, "ledger") || scn_get(e, "sniffer")) {
			if (scn_load_mail_expect(ctx, s, e) < 0) {
				scn_pop(ctx);
				scn_pop(ctx);
				return -1;
			}
			scn_pop(ctx);
			continue;
		}
		scn_check_keys(ctx, e, expect_keys);
		const char *name = scn_get_string(e, "client");
		int client = -1;
		if (name) {
			for (size_t c = 0; c < s->client_count; c++)
				if (strcmp(s->clients[c].name, name) == 0)
					client = (int)c;
			if (client < 0) {
				const char *names[257];
				size_t k = 0;
				for (; k < s->client_count && k < 256; k++)
					names[k] = s->clients[k].name;
				names[k] = NULL;
				const char *sug = scn_suggest(name, names);
				char q[200];
				scn_push_key(ctx, "client");
				if (sug)
					scn_error(ctx, "unknown client %s (did you mean \"%s\"?)", scn_quote(name, q, sizeof q), sug);
				else
					scn_error(ctx, "unknown client %s (no client in \"apps\" has that name)",
						  scn_quote(name, q, sizeof q));
				scn_pop(ctx);
			}
		}
		int outcome;
		if (scn_parse_enum(ctx, e, "outcome", outcome_names, &outcome) == 0 && client >= 0)
			s->expects[s->expect_count++] = (struct scn_expect){client, (enum testapp_outcome)outcome};
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

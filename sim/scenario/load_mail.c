/* Scenario sections for mail: "dns" (the DNS server and its zones), "mtas"
 * (mail servers: domains, users, relay policy, routes, texts), "uas" (user
 * agents and their MTA) and "mail" (the timeline: messages sent, queue
 * flushes). Hosts may carry an "fqdn", used for names in SMTP and for the
 * automatic A and PTR records. See docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/buf.h"
#include "protocols/codec.h"
#include "sim/agents/imap_reader.h"
#include "sim/scenario/load.h"

static const struct scn_key dns_keys[] = {
	{"server", SCN_STRING, 0, "the name of the host running the DNS server"},
	{"auto_records", SCN_BOOL, 0, "true or false: A and PTR records for every host with an \"fqdn\""},
	{"zones", SCN_ARRAY, 0, "a list of zones"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key zone_keys[] = {
	{"origin", SCN_STRING, 1, "a domain such as \"dominio.de.maria\""},
	{"ttl", SCN_NUMBER, 0, "seconds"},
	{"records", SCN_ARRAY, 0, "a list of records"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key record_keys[] = {
	{"name", SCN_STRING, 1, "the owner name, such as \"dominio.de.maria\""},
	{"type", SCN_STRING, 1, "A, MX, PTR, CNAME or NS"},
	{"value", SCN_STRING, 1, "the data, such as \"10 mx.dominio.de.maria\" for MX"},
	{"ttl", SCN_NUMBER, 0, "seconds"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key mta_keys[] = {
	{"host", SCN_STRING, 1, "the name of the host running the MTA"},
	{"hostname", SCN_STRING, 0, "its name in greetings and Received fields"},
	{"domains", SCN_ARRAY, 0, "the domains it delivers locally, such as [\"gmail.com\"]"},
	{"users", SCN_ARRAY, 0, "its mailboxes: [{\"address\": ..., \"password\": ...}]"},
	{"relay_from", SCN_ARRAY, 0, "networks allowed to relay, such as [\"10.0.1.0/24\"]"},
	{"open_relay", SCN_BOOL, 0, "true: relay for anybody (the spam lesson)"},
	{"routes", SCN_ARRAY, 0, "next hops: [{\"domain\": \"*\", \"via\": \"gw\"}]"},
	{"hold_domains", SCN_ARRAY, 0, "domains whose mail waits for ETRN"},
	{"dns", SCN_STRING, 0, "the DNS server host it asks (default: dns.server)"},
	{"retry", SCN_ARRAY, 0, "delays between attempts, such as [\"1m\", \"5m\"]"},
	{"max_queue_time", SCN_STRING, 0, "a duration such as \"5d\""},
	{"max_hops", SCN_NUMBER, 0, "Received fields allowed before a loop is declared"},
	{"turn", SCN_BOOL, 0, "true: accept TURN (insecure)"},
	{"starttls", SCN_BOOL, 0, "true: offer and use STARTTLS"},
	{"max_message_size", SCN_NUMBER | SCN_STRING, 0, "a size such as \"10MiB\""},
	{"disk", SCN_NUMBER | SCN_STRING, 0, "the mailbox disk size, such as \"1MiB\""},
	{"texts", SCN_OBJECT, 0, "reply texts: greeting, helo, ehlo, mail_ok, rcpt_ok, data, queued, quit"},
	{"pop3", SCN_BOOL | SCN_OBJECT, 0, "true, or {\"apop\": true, ...}: a POP3 server (port 110) on this host"},
	{"imap", SCN_BOOL, 0, "true: run an IMAP server (port 143) on the host, serving these mailboxes"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key route_keys[] = {
	{"domain", SCN_STRING, 1, "a domain, or \"*\" for every remote domain"},
	{"via", SCN_STRING, 1, "the next hop: a host name or an IPv4 address"},
	{NULL, 0, 0, NULL},
};
static const char *const text_names[SCN_TEXT_COUNT + 1] = {"greeting", "helo", "ehlo", "mail_ok", "rcpt_ok",
							    "data",     "queued", "quit", NULL};
static const struct scn_key text_keys[] = {
	{"greeting", SCN_STRING, 0, "the 220 text, such as \"%h ESMTP\""},
	{"helo", SCN_STRING, 0, "the 250 text to HELO"},
	{"ehlo", SCN_STRING, 0, "the first 250 line to EHLO"},
	{"mail_ok", SCN_STRING, 0, "the 250 text to MAIL"},
	{"rcpt_ok", SCN_STRING, 0, "the 250 text to RCPT"},
	{"data", SCN_STRING, 0, "the 354 text"},
	{"queued", SCN_STRING, 0, "the 250 text after the data (%q: queue id)"},
	{"quit", SCN_STRING, 0, "the 221 text"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key ua_keys[] = {
	{"host", SCN_STRING, 1, "the name of the host the user works on"},
	{"address", SCN_STRING, 1, "the user's address"},
	{"mta", SCN_STRING, 1, "the host of the MTA it submits to"},
	{"port", SCN_NUMBER, 0, "587 (submission, the default) or 25"},
	{"helo", SCN_STRING, 0, "the name it gives in EHLO/HELO"},
	{"ehlo", SCN_BOOL, 0, "false: HELO, as in the class note"},
	{"starttls", SCN_BOOL, 0, "true: use STARTTLS when offered"},
	{"local_keep", SCN_NUMBER, 0, "keep at most N messages per local folder, deleting the oldest (0: all)"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key mail_keys[] = {
	{"at", SCN_STRING, 1, "a time such as \"1s\""},
	{"ua", SCN_STRING, 0, "the host of the UA that sends"},
	{"send", SCN_OBJECT, 0, "the message: to, cc, bcc, subject, text, html, attachments"},
	{"flush", SCN_STRING, 0, "the host of an MTA whose queue runs now"},
	{"session", SCN_OBJECT, 0, "lines typed by hand: {\"from\", \"to\", \"port\", \"lines\"}"},
	{"turn", SCN_OBJECT, 0, "a TURN request: {\"from\": an MTA host, \"to\": a server, \"helo\": a domain}"},
	{"pop3", SCN_OBJECT, 0, "a POP3 download: {\"ua\", \"server\", \"user\", \"password\", \"apop\", \"keep\"}"},
	{"imap", SCN_OBJECT, 0, "a mail reader's IMAP session: {\"ua\", \"server\", \"user\", \"password\", \"steps\"}"},
	{"domain", SCN_STRING, 0, "with flush: only this domain's mail"},
	{"description", SCN_STRING, 0, "a text describing the action"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key send_keys[] = {
	{"from", SCN_STRING, 0, "the From field (default: the UA's address)"},
	{"to", SCN_STRING, 0, "addresses, such as \"María <maria@dominio.de.maria>\""},
	{"cc", SCN_STRING, 0, "addresses"},
	{"bcc", SCN_STRING, 0, "addresses"},
	{"subject", SCN_STRING, 0, "a subject (UTF-8)"},
	{"text", SCN_STRING, 0, "the plain text body (UTF-8)"},
	{"html", SCN_STRING, 0, "an HTML body"},
	{"attachments", SCN_ARRAY, 0, "a list of attachments"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key session_keys[] = {
	{"from", SCN_STRING, 1, "the host the user types on"},
	{"to", SCN_STRING, 1, "the server's host"},
	{"port", SCN_NUMBER, 0, "the server's port (default 25)"},
	{"lines", SCN_ARRAY, 1, "the lines typed, such as [\"HELO milagro.dc.uba.ar\", ...]"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key turn_keys[] = {
	{"from", SCN_STRING, 1, "the host of the MTA that asks (it receives the mail)"},
	{"to", SCN_STRING, 1, "the server asked to TURN"},
	{"helo", SCN_STRING, 1, "the domain claimed in HELO"},
	{NULL, 0, 0, NULL},
};

/* ---- POP3 (mailbox access): the MTAs' "pop3" and the timeline's "pop3" ---- */

static const struct scn_key pop3_server_keys[] = {
	{"apop", SCN_BOOL, 0, "true: offer APOP (a timestamp in the greeting)"},
	{"user_pass", SCN_BOOL, 0, "false: refuse USER/PASS (APOP only)"},
	{"max_failed_logins", SCN_NUMBER, 0, "failed logins before the session is closed (default 3)"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key pop3_action_keys[] = {
	{"ua", SCN_STRING, 1, "the host of the UA that downloads"},
	{"server", SCN_STRING, 1, "the host of an MTA with \"pop3\""},
	{"user", SCN_STRING, 1, "the login name, such as \"maria\""},
	{"password", SCN_STRING, 0, "the password (APOP's shared secret)"},
	{"apop", SCN_BOOL, 0, "true: log in with APOP instead of USER/PASS"},
	{"keep", SCN_BOOL, 0, "true: leave the mail on the server (fetch new mail by UIDL)"},
	{NULL, 0, 0, NULL},
};

static void load_mta_pop3(struct scn_ctx *ctx, struct scn_mta *m, const cJSON *e)
{
	const cJSON *p = scn_get(e, "pop3");
	if (!p)
		return;
	m->pop3 = cJSON_IsTrue(p) || cJSON_IsObject(p);
	if (!cJSON_IsObject(p))
		return;
	scn_push_key(ctx, "pop3");
	if (scn_check_keys(ctx, p, pop3_server_keys) == 0) {
		const cJSON *b = scn_get(p, "apop");
		m->pop3_apop = b && cJSON_IsTrue(b);
		b = scn_get(p, "user_pass");
		m->pop3_no_user_pass = b && !cJSON_IsTrue(b);
		int64_t n = 0;
		if (scn_parse_int(ctx, p, "max_failed_logins", 1, 100, &n) == 0)
			m->pop3_max_failed = (unsigned)n;
		if (m->pop3_no_user_pass && !m->pop3_apop)
			scn_error(ctx, "with \"user_pass\": false, \"apop\" must be true (or nobody can log in)");
	}
	scn_pop(ctx);
}

static int ua_index(const struct scenario *s, int host);
static int mta_index(const struct scenario *s, int host);
static char *opt_dup(const cJSON *o, const char *key);

static void load_pop3_action(struct scn_ctx *ctx, const struct scenario *s, struct scn_mail_action *a,
			     const cJSON *p)
{
	a->kind = SCN_MAIL_POP3;
	scn_push_key(ctx, "pop3");
	if (cJSON_IsObject(p) && scn_check_keys(ctx, p, pop3_action_keys) == 0) {
		int h = scn_host_of(ctx, s, p, "ua");
		if (h >= 0 && (a->ua = ua_index(s, h)) < 0)
			scn_error_key(ctx, "ua", 0, "host \"%s\" has no UA (add it to \"uas\")", s->hosts[h].name);
		h = scn_host_of(ctx, s, p, "server");
		if (h >= 0 && ((a->mta = mta_index(s, h)) < 0 || !s->mtas[a->mta].pop3))
			scn_error_key(ctx, "server", 0, "host \"%s\" runs no POP3 server (give its MTA \"pop3\": true)",
				      s->hosts[h].name);
		a->pop3_user = opt_dup(p, "user");
		const char *pw = scn_get_string(p, "password");
		a->pop3_password = scn_strdup(pw ? pw : "");
		const cJSON *b = scn_get(p, "apop");
		a->pop3_apop = b && cJSON_IsTrue(b);
		b = scn_get(p, "keep");
		a->pop3_keep = b && cJSON_IsTrue(b);
		if (a->pop3_user && (!a->pop3_user[0] || strlen(a->pop3_user) > 40 || strpbrk(a->pop3_user, " \t\r\n")))
			scn_error_key(ctx, "user", 0, "a login name has 1 to 40 characters and no spaces");
		if (strpbrk(a->pop3_password, "\r\n") || strlen(a->pop3_password) > 200)
			scn_error_key(ctx, "password", 0, "a password has no line breaks and at most 200 characters");
	}
	scn_pop(ctx);
}

/* ---- IMAP (mailbox access) ---- */
static const struct scn_key imap_keys[] = {
	{"ua", SCN_STRING, 1, "the host the mail reader runs on, such as \"phone\""},
	{"server", SCN_STRING, 1, "the host running the IMAP server (an MTA with \"imap\": true)"},
	{"port", SCN_NUMBER, 0, "the server's port (default 143)"},
	{"user", SCN_STRING, 1, "the login name, such as \"maria\""},
	{"password", SCN_STRING, 0, "the password"},
	{"steps", SCN_ARRAY, 1, "what the reader does, in order: [{\"select\": \"INBOX\"}, {\"idle\": \"30s\"}]"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key attach_keys[] = {
	{"path", SCN_STRING, 0, "a file, relative to the scenario's folder"},
	{"base64", SCN_STRING, 0, "the content in base64"},
	{"filename", SCN_STRING, 0, "the name shown to the reader"},
	{"type", SCN_STRING, 0, "a media type such as \"image/jpeg\""},
	{NULL, 0, 0, NULL},
};

#define MAX_ATTACHMENT (8u << 20)

/* A list of strings at key; reports non-strings. Returns the count (0 if
 * absent) and a new array in *out_r (NULL on ENOMEM with count 0... caller
 * checks *out_r when count > 0). */
static size_t string_list_empty(struct scn_ctx *ctx, const cJSON *e, const char *key, char ***out_r, const char *what,
				int allow_empty);

static size_t string_list(struct scn_ctx *ctx, const cJSON *e, const char *key, char ***out_r, const char *what)
{
	return string_list_empty(ctx, e, key, out_r, what, 0);
}

/* allow_empty: "" is a value too (the empty line between a message's
 * header and body, typed in a session). */
static size_t string_list_empty(struct scn_ctx *ctx, const cJSON *e, const char *key, char ***out_r, const char *what,
				int allow_empty)
{
	const cJSON *list = scn_get(e, key);
	*out_r = NULL;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 0;
	scn_push_key(ctx, key);
	size_t n = (size_t)cJSON_GetArraySize(list), k = 0, i = 0;
	char **v = calloc(n, sizeof *v);
	for (const cJSON *x = list->child; x && v; x = x->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsString(x) || (!allow_empty && !x->valuestring[0]))
			scn_error_type(ctx, x, what);
		else
			v[k++] = scn_strdup(x->valuestring);
		scn_pop(ctx);
	}
	scn_pop(ctx);
	*out_r = v;
	return v ? k : 0;
}

int scn_valid_address(const char *a)
{
	const char *at = strchr(a, '@');
	if (!at || at == a || !at[1] || strchr(at + 1, '@'))
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',')
			return 0;
	return 1;
}

/* ---- hosts' fqdn ---- */

static void load_fqdns(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *hosts = scn_get(root, "hosts");
	s->fqdns = calloc(s->host_count + 1, sizeof *s->fqdns);
	if (!cJSON_IsArray(hosts) || !s->fqdns)
		return;
	size_t i = 0;
	for (const cJSON *h = hosts->child; h && i < s->host_count; h = h->next, i++) {
		const char *f = scn_get_string(h, "fqdn");
		if (!f)
			continue;
		if (!f[0] || strlen(f) > 253 || strchr(f, ' ') || f[0] == '.') {
			scn_push_key(ctx, "hosts");
			scn_push_index(ctx, i);
			scn_push_key(ctx, "fqdn");
			char q[200];
			scn_error(ctx, "%s is not a domain name such as \"smtp.gmail.com\"", scn_quote(f, q, sizeof q));
			scn_pop(ctx);
			scn_pop(ctx);
			scn_pop(ctx);
			continue;
		}
		s->fqdns[i] = scn_strdup(f);
	}
}

/* ---- dns ---- */

static void load_zone(struct scn_ctx *ctx, struct scn_dns_zone *z, const cJSON *e)
{
	scn_check_keys(ctx, e, zone_keys);
	const char *origin = scn_get_string(e, "origin");
	z->origin = scn_strdup(origin ? origin : "");
	int64_t ttl = 3600;
	scn_parse_int(ctx, e, "ttl", 0, 2147483647, &ttl);
	z->ttl = (uint32_t)ttl;
	const cJSON *list = scn_get(e, "records");
	if (!cJSON_IsArray(list))
		return;
	scn_push_key(ctx, "records");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	z->records = calloc(n + 1, sizeof *z->records);
	for (const cJSON *r = list->child; r && z->records; r = r->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(r)) {
			scn_error_type(ctx, r, "a record such as {\"name\": \"dominio.de.maria\", \"type\": \"MX\", \"value\": \"10 mx.dominio.de.maria\"}");
			scn_pop(ctx);
			continue;
		}
		if (scn_check_keys(ctx, r, record_keys) == 0) {
			static const char *const types[] = {"A", "MX", "PTR", "CNAME", "NS", NULL};
			int t;
			if (scn_parse_enum(ctx, r, "type", types, &t) == 0) {
				struct scn_dns_record *rec = &z->records[z->record_count++];
				rec->name = scn_strdup(scn_get_string(r, "name"));
				rec->type = scn_strdup(types[t]);
				rec->value = scn_strdup(scn_get_string(r, "value"));
				int64_t rttl = (int64_t)z->ttl;
				scn_parse_int(ctx, r, "ttl", 0, 2147483647, &rttl);
				rec->ttl = (uint32_t)rttl;
			}
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

int scn_load_dns(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	load_fqdns(ctx, s, root);
	s->dns.server = -1;
	const cJSON *d = scn_get(root, "dns");
	if (!cJSON_IsObject(d))
		return 0;
	scn_push_key(ctx, "dns");
	scn_check_keys(ctx, d, dns_keys);
	s->dns.server = scn_host_of(ctx, s, d, "server");
	const cJSON *ar = scn_get(d, "auto_records");
	s->dns.auto_records = ar ? cJSON_IsTrue(ar) : 1;
	const cJSON *zones = scn_get(d, "zones");
	if (cJSON_IsArray(zones)) {
		scn_push_key(ctx, "zones");
		size_t n = (size_t)cJSON_GetArraySize(zones), i = 0;
		s->dns.zones = calloc(n + 1, sizeof *s->dns.zones);
		if (!s->dns.zones) {
			scn_pop(ctx);
			scn_pop(ctx);
			return -1;
		}
		for (const cJSON *z = zones->child; z; z = z->next, i++) {
			scn_push_index(ctx, i);
			if (!cJSON_IsObject(z))
				scn_error_type(ctx, z, "a zone such as {\"origin\": \"gmail.com\", \"records\": [...]}");
			else
				load_zone(ctx, &s->dns.zones[s->dns.zone_count++], z);
			scn_pop(ctx);
		}
		scn_pop(ctx);
	}
	if (s->dns.server < 0 && !scn_get(d, "server"))
		scn_error_key(ctx, "server", 0, "missing: which host runs the DNS server?");
	scn_pop(ctx);
	return 0;
}

/* ---- mtas ---- */

static int parse_cidr(const char *text, uint32_t *addr_r, uint32_t *mask_r)
{
	char buf[40];
	snprintf(buf, sizeof buf, "%s", text);
	char *slash = strchr(buf, '/');
	int bits = 32;
	if (slash) {
		*slash = 0;
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (*end || b < 0 || b > 32 || slash[1] == 0)
			return -1;
		bits = (int)b;
	}
	if (scn_text_ipv4(buf, addr_r) != 0)
		return -1;
	*mask_r = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	return 0;
}

static void load_mta(struct scn_ctx *ctx, struct scenario *s, struct scn_mta *m, const cJSON *e)
{
	scn_check_keys(ctx, e, mta_keys);
	m->host = scn_host_of(ctx, s, e, "host");
	m->dns = s->dns.server;
	const char *hn = scn_get_string(e, "hostname");
	if (hn)
		m->hostname = scn_strdup(hn);
	else if (m->host >= 0)
		m->hostname = scn_strdup(s->fqdns && s->fqdns[m->host] ? s->fqdns[m->host] : s->hosts[m->host].name);
	m->local_domain_count = string_list(ctx, e, "domains", &m->local_domains, "a domain such as \"gmail.com\"");
	m->hold_domain_count = string_list(ctx, e, "hold_domains", &m->hold_domains, "a domain");
	/* The users: load_users.c (passwords, pre-filled mailboxes, rules). */
	scn_load_users(ctx, s, m, scn_get(e, "users"));
	char **nets = NULL;
	size_t nn = string_list(ctx, e, "relay_from", &nets, "a network such as \"10.0.1.0/24\"");
	m->relay_addr = calloc(nn + 1, sizeof *m->relay_addr);
	m->relay_mask = calloc(nn + 1, sizeof *m->relay_mask);
	for (size_t i = 0; i < nn && m->relay_addr && m->relay_mask; i++) {
		if (parse_cidr(nets[i], &m->relay_addr[m->relay_count], &m->relay_mask[m->relay_count]) == 0) {
			m->relay_count++;
		} else {
			char q[100];
			scn_push_key(ctx, "relay_from");
			scn_push_index(ctx, i);
			scn_error(ctx, "%s is not a network such as \"10.0.1.0/24\" or an address",
				  scn_quote(nets[i], q, sizeof q));
			scn_pop(ctx);
			scn_pop(ctx);
		}
	}
	for (size_t i = 0; i < nn; i++)
		free(nets[i]);
	free(nets);
	const cJSON *b;
	if ((b = scn_get(e, "open_relay")))
		m->open_relay = cJSON_IsTrue(b);
	if ((b = scn_get(e, "turn")))
		m->turn = cJSON_IsTrue(b);
	if ((b = scn_get(e, "starttls")))
		m->starttls = cJSON_IsTrue(b);
	if ((b = scn_get(e, "imap")))
		m->imap = cJSON_IsTrue(b);
	const cJSON *routes = scn_get(e, "routes");
	if (cJSON_IsArray(routes)) {
		scn_push_key(ctx, "routes");
		size_t n = (size_t)cJSON_GetArraySize(routes), i = 0;
		m->routes = calloc(n + 1, sizeof *m->routes);
		for (const cJSON *r = routes->child; r && m->routes; r = r->next, i++) {
			scn_push_index(ctx, i);
			if (!cJSON_IsObject(r)) {
				scn_error_type(ctx, r, "a route such as {\"domain\": \"*\", \"via\": \"gw\"}");
			} else if (scn_check_keys(ctx, r, route_keys) == 0) {
				const char *via = scn_get_string(r, "via");
				uint32_t ip;
				if (scenario_host_by_name(s, via) < 0 && scn_text_ipv4(via, &ip) != 0) {
					scn_push_key(ctx, "via");
					scn_error_unknown_host(ctx, s, via);
					scn_pop(ctx);
				} else {
					m->routes[m->route_count].domain = scn_strdup(scn_get_string(r, "domain"));
					m->routes[m->route_count].via = scn_strdup(via);
					m->route_count++;
				}
			}
			scn_pop(ctx);
		}
		scn_pop(ctx);
	}
	if (scn_get(e, "dns"))
		m->dns = scn_host_of(ctx, s, e, "dns");
	char **retry = NULL;
	size_t nr = string_list(ctx, e, "retry", &retry, "a duration such as \"1m\"");
	m->retry = calloc(nr + 1, sizeof *m->retry);
	for (size_t i = 0; i < nr && m->retry; i++) {
		if (scn_text_duration(retry[i], &m->retry[m->retry_count]) == 0 && m->retry[m->retry_count] > 0) {
			m->retry_count++;
		} else {
			char q[100];
			scn_push_key(ctx, "retry");
			scn_push_index(ctx, i);
			scn_error(ctx, "%s is not a duration such as \"5m\"", scn_quote(retry[i], q, sizeof q));
			scn_pop(ctx);
			scn_pop(ctx);
		}
	}
	for (size_t i = 0; i < nr; i++)
		free(retry[i]);
	free(retry);
	scn_parse_duration(ctx, e, "max_queue_time", &m->max_queue_time);
	int64_t hops = 0;
	if (scn_parse_int(ctx, e, "max_hops", 1, 1000, &hops) == 0)
		m->max_hops = (int)hops;
	scn_parse_size(ctx, e, "max_message_size", 1024, 1ull << 30, &m->max_message_size);
	scn_parse_size(ctx, e, "disk", 0, 1ull << 40, &m->disk);
	load_mta_pop3(ctx, m, e);
	const cJSON *texts = scn_get(e, "texts");
	if (cJSON_IsObject(texts)) {
		scn_push_key(ctx, "texts");
		scn_check_keys(ctx, texts, text_keys);
		for (int t = 0; t < SCN_TEXT_COUNT; t++) {
			const char *v = scn_get_string(texts, text_names[t]);
			if (v)
				m->texts[t] = scn_strdup(v);
		}
		scn_pop(ctx);
	}
}

int scn_load_mtas(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "mtas");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 0;
	scn_push_key(ctx, "mtas");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	s->mtas = calloc(n, sizeof *s->mtas);
	if (!s->mtas) {
		scn_pop(ctx);
		return -1;
	}
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "an MTA such as {\"host\": \"mta1\", \"domains\": [\"gmail.com\"]}");
		} else {
			struct scn_mta *m = &s->mtas[s->mta_count++];
			load_mta(ctx, s, m, e);
			for (size_t k = 0; k + 1 < s->mta_count && m->host >= 0; k++) {
				if (s->mtas[k].host == m->host) {
					scn_push_key(ctx, "host");
					scn_error(ctx, "host \"%s\" already runs an MTA (mtas[%zu])", s->hosts[m->host].name, k);
					scn_pop(ctx);
				}
			}
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

/* ---- uas ---- */

int scn_load_uas(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "uas");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 0;
	scn_push_key(ctx, "uas");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	s->uas = calloc(n, sizeof *s->uas);
	if (!s->uas) {
		scn_pop(ctx);
		return -1;
	}
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "a UA such as {\"host\": \"laptop\", \"address\": \"juan@gmail.com\", \"mta\": \"mta1\"}");
			scn_pop(ctx);
			continue;
		}
		scn_check_keys(ctx, e, ua_keys);
		struct scn_ua *u = &s->uas[s->ua_count++];
		u->host = scn_host_of(ctx, s, e, "host");
		u->mta = scn_host_of(ctx, s, e, "mta");
		const char *a = scn_get_string(e, "address");
		char q[200];
		if (a && !scn_valid_address(a)) {
			scn_push_key(ctx, "address");
			scn_error(ctx, "%s is not an address such as \"juan@gmail.com\"", scn_quote(a, q, sizeof q));
			scn_pop(ctx);
		}
		u->address = scn_strdup(a ? a : "");
		const char *helo = scn_get_string(e, "helo");
		if (helo)
			u->helo = scn_strdup(helo);
		else if (u->host >= 0)
			u->helo = scn_strdup(s->fqdns && s->fqdns[u->host] ? s->fqdns[u->host] : s->hosts[u->host].name);
		int64_t port = 587;
		scn_parse_int(ctx, e, "port", 1, 65535, &port);
		u->port = (uint16_t)port;
		int64_t keep = 0;
		scn_parse_int(ctx, e, "local_keep", 0, 1000000, &keep);
		u->local_keep = (size_t)keep;
		const cJSON *b = scn_get(e, "ehlo");
		u->ehlo = b ? cJSON_IsTrue(b) : 1;
		b = scn_get(e, "starttls");
		u->starttls = b ? cJSON_IsTrue(b) : 0;
		if (u->mta >= 0) {
			int found = 0;
			for (size_t k = 0; k < s->mta_count; k++)
				found |= s->mtas[k].host == u->mta;
			if (!found) {
				scn_push_key(ctx, "mta");
				scn_error(ctx, "host \"%s\" runs no MTA (add it to \"mtas\")", s->hosts[u->mta].name);
				scn_pop(ctx);
			}
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

/* ---- mail timeline ---- */

static int read_file(const char *dir, const char *path, uint8_t **data_r, size_t *len_r, char *err, size_t errlen)
{
	char full[4096];
	if (path[0] == '/' || !dir || !dir[0])
		snprintf(full, sizeof full, "%s", path);
	else
		snprintf(full, sizeof full, "%s/%s", dir, path);
	FILE *f = fopen(full, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open %s", full);
		return -1;
	}
	uint8_t *buf = malloc(MAX_ATTACHMENT + 1);
	size_t n = buf ? fread(buf, 1, MAX_ATTACHMENT + 1, f) : 0;
	fclose(f);
	if (!buf || n > MAX_ATTACHMENT) {
		free(buf);
		snprintf(err, errlen, "%s is larger than 8 MiB", full);
		return -1;
	}
	*data_r = buf;
	*len_r = n;
	return 0;
}

static void load_attachments(struct scn_ctx *ctx, const struct scenario *s, struct scn_mail_action *a,
			     const cJSON *list)
{
	scn_push_key(ctx, "attachments");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	a->attachments = calloc(n + 1, sizeof *a->attachments);
	for (const cJSON *e = list->child; e && a->attachments; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "an attachment such as {\"path\": \"foto.jpg\", \"type\": \"image/jpeg\"}");
			scn_pop(ctx);
			continue;
		}
		if (scn_check_keys(ctx, e, attach_keys) != 0) {
			scn_pop(ctx);
			continue;
		}
		const char *path = scn_get_string(e, "path"), *b64 = scn_get_string(e, "base64");
		struct scn_attachment *at = &a->attachments[a->attachment_count];
		char err[4200];
		if ((path != NULL) == (b64 != NULL)) {
			scn_error(ctx, "give either \"path\" or \"base64\"");
		} else if (path) {
			if (read_file(s->dir, path, &at->data, &at->len, err, sizeof err) != 0) {
				scn_push_key(ctx, "path");
				scn_error(ctx, "%s", err);
				scn_pop(ctx);
			} else {
				a->attachment_count++;
			}
		} else {
			struct buf out;
			buf_init(&out, MAX_ATTACHMENT);
			unsigned defects = 0;
			if (codec_b64_decode(&out, b64, strlen(b64), CODEC_STRICT, &defects) != 0 || defects) {
				scn_push_key(ctx, "base64");
				scn_error(ctx, "not valid base64 (or larger than 8 MiB)");
				scn_pop(ctx);
				buf_free(&out);
			} else {
				size_t len;
				at->data = (uint8_t *)buf_steal(&out, &len);
				at->len = len;
				if (!at->data)
					at->data = calloc(1, 1);
				a->attachment_count++;
			}
		}
		if (at->data) {
			const char *fn = scn_get_string(e, "filename");
			if (!fn && path) {
				const char *slash = strrchr(path, '/');
				fn = slash ? slash + 1 : path;
			}
			at->filename = fn ? scn_strdup(fn) : NULL;
			const char *t = scn_get_string(e, "type");
			at->type = t ? scn_strdup(t) : NULL;
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

static int ua_index(const struct scenario *s, int host)
{
	for (size_t i = 0; i < s->ua_count; i++)
		if (s->uas[i].host == host)
			return (int)i;
	return -1;
}

static int mta_index(const struct scenario *s, int host)
{
	for (size_t i = 0; i < s->mta_count; i++)
		if (s->mtas[i].host == host)
			return (int)i;
	return -1;
}

static char *opt_dup(const cJSON *o, const char *key)
{
	const char *v = scn_get_string(o, key);
	return v ? scn_strdup(v) : NULL;
}

static void load_imap(struct scn_ctx *ctx, struct scenario *s, struct scn_mail_action *a, const cJSON *o)
{
	if (!cJSON_IsObject(o) || scn_check_keys(ctx, o, imap_keys) != 0)
		return;
	struct scn_imap *im = calloc(1, sizeof *im);
	if (!im)
		return;
	a->imap = im;
	im->host = scn_host_of(ctx, s, o, "ua");
	im->server = scn_host_of(ctx, s, o, "server");
	int64_t port = 143;
	scn_parse_int(ctx, o, "port", 1, 65535, &port);
	im->port = (uint16_t)port;
	im->user = opt_dup(o, "user");
	im->password = opt_dup(o, "password");
	if (!im->password)
		im->password = scn_strdup("");
	if (im->server >= 0 && (port == 143 && !scn_get(o, "port"))) {
		int i = mta_index(s, im->server);
		if (i < 0 || !s->mtas[i].imap)
			scn_error_key(ctx, "server", 0, "host \"%s\" runs no IMAP server (give its MTA \"imap\": true)",
				      s->hosts[im->server].name);
	}
	const cJSON *steps = scn_get(o, "steps");
	if (!cJSON_IsArray(steps))
		return;
	scn_push_key(ctx, "steps");
	size_t n = (size_t)cJSON_GetArraySize(steps), i = 0;
	im->steps = calloc(n + 1, sizeof *im->steps);
	for (const cJSON *st = steps->child; st && im->steps; st = st->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(st) || cJSON_GetArraySize(st) != 1) {
			scn_error_type(ctx, st, "one step with one key, such as {\"search\": \"FROM \\\"juan\\\"\"}");
		} else {
			const cJSON *v = st->child;
			char num[32];
			const char *text = NULL;
			if (cJSON_IsString(v))
				text = v->valuestring;
			else if (cJSON_IsTrue(v))
				text = "";
			else if (cJSON_IsNumber(v)) {
				snprintf(num, sizeof num, "%.0f", v->valuedouble);
				text = num;
			}
			char why[300] = "";
			if (!text)
				scn_error_key(ctx, v->string, 0, "expected a string (or true for a step without a value)");
			else if (imap_reader_step_parse(v->string, text, &im->steps[im->step_count], why, sizeof why) < 0)
				scn_error_key(ctx, v->string, 0, "%s", why);
			else
				im->step_count++;
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

int scn_load_mail(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "mail");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 0;
	scn_push_key(ctx, "mail");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	s->mail = calloc(n, sizeof *s->mail);
	if (!s->mail) {
		scn_pop(ctx);
		return -1;
	}
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "an action such as {\"at\": \"1s\", \"ua\": \"laptop\", \"send\": {...}}");
			scn_pop(ctx);
			continue;
		}
		scn_check_keys(ctx, e, mail_keys);
		struct scn_mail_action *a = &s->mail[s->mail_count++];
		a->ua = a->mta = -1;
		if (scn_parse_duration(ctx, e, "at", &a->at) == 0 && s->until != SIM_TIME_NEVER && a->at > s->until)
			scn_error_key(ctx, "at", 0, "after the end of the run (\"until\")");
		const cJSON *send = scn_get(e, "send");
		const char *flush = scn_get_string(e, "flush");
		const cJSON *session = scn_get(e, "session");
		const cJSON *turn = scn_get(e, "turn");
		const cJSON *pop3 = scn_get(e, "pop3");
		const cJSON *imap = scn_get(e, "imap");
		if ((send != NULL) + (flush != NULL) + (session != NULL) + (turn != NULL) + (pop3 != NULL) +
			    (imap != NULL) !=
		    1) {
			scn_error(ctx, "an action has exactly one of \"send\" (with \"ua\"), \"flush\", \"session\", "
				       "\"turn\", \"pop3\" or \"imap\"");
		} else if (pop3) {
			load_pop3_action(ctx, s, a, pop3);
		} else if (imap) {
			a->kind = SCN_MAIL_IMAP;
			scn_push_key(ctx, "imap");
			load_imap(ctx, s, a, imap);
			scn_pop(ctx);
		} else if (turn) {
			a->kind = SCN_MAIL_TURN;
			scn_push_key(ctx, "turn");
			if (cJSON_IsObject(turn) && scn_check_keys(ctx, turn, turn_keys) == 0) {
				int h = scn_host_of(ctx, s, turn, "from");
				if (h >= 0 && (a->mta = mta_index(s, h)) < 0)
					scn_error_key(ctx, "from", 0, "host \"%s\" runs no MTA", s->hosts[h].name);
				a->session_to = scn_host_of(ctx, s, turn, "to");
				a->turn_helo = opt_dup(turn, "helo");
			}
			scn_pop(ctx);
		} else if (session) {
			a->kind = SCN_MAIL_SESSION;
			scn_push_key(ctx, "session");
			if (cJSON_IsObject(session) && scn_check_keys(ctx, session, session_keys) == 0) {
				a->session_from = scn_host_of(ctx, s, session, "from");
				a->session_to = scn_host_of(ctx, s, session, "to");
				int64_t port = 25;
				scn_parse_int(ctx, session, "port", 1, 65535, &port);
				a->session_port = (uint16_t)port;
				a->line_count = string_list_empty(ctx, session, "lines", &a->lines, "a line of text", 1);
				for (size_t k = 0; k < a->line_count; k++)
					if (strpbrk(a->lines[k], "\r\n") || strlen(a->lines[k]) > 998)
						scn_error(ctx, "lines[%zu] has a line break or is longer than 998 characters", k);
			}
			scn_pop(ctx);
		} else if (send) {
			a->kind = SCN_MAIL_SEND;
			int h = scn_host_of(ctx, s, e, "ua");
			if (!scn_get(e, "ua"))
				scn_error_key(ctx, "ua", 0, "missing: which UA sends?");
			else if (h >= 0 && (a->ua = ua_index(s, h)) < 0)
				scn_error_key(ctx, "ua", 0, "host \"%s\" has no UA (add it to \"uas\")", s->hosts[h].name);
			scn_push_key(ctx, "send");
			scn_check_keys(ctx, send, send_keys);
			a->from = opt_dup(send, "from");
			a->to = opt_dup(send, "to");
			a->cc = opt_dup(send, "cc");
			a->bcc = opt_dup(send, "bcc");
			a->subject = opt_dup(send, "subject");
			a->text = opt_dup(send, "text");
			a->html = opt_dup(send, "html");
			if (!a->to && !a->cc && !a->bcc)
				scn_error(ctx, "a message needs at least one of \"to\", \"cc\" or \"bcc\"");
			const cJSON *att = scn_get(send, "attachments");
			if (cJSON_IsArray(att))
				load_attachments(ctx, s, a, att);
			scn_pop(ctx);
		} else {
			a->kind = SCN_MAIL_FLUSH;
			int h = scn_host_of(ctx, s, e, "flush");
			if (h >= 0 && (a->mta = mta_index(s, h)) < 0)
				scn_error_key(ctx, "flush", 0, "host \"%s\" runs no MTA", s->hosts[h].name);
			a->domain = opt_dup(e, "domain");
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

/* ---- sniffers ---- */

static const struct scn_key sniffer_keys[] = {
	{"name", SCN_STRING, 1, "a name for the eavesdropper, such as \"eve\""},
	{"link", SCN_STRING, 1, "the name of the link it taps"},
	{NULL, 0, 0, NULL},
};

int scn_load_sniffers(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *list = scn_get(root, "sniffers");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return 0;
	scn_push_key(ctx, "sniffers");
	size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
	s->sniffers = calloc(n, sizeof *s->sniffers);
	if (!s->sniffers) {
		scn_pop(ctx);
		return -1;
	}
	for (const cJSON *e = list->child; e; e = e->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(e)) {
			scn_error_type(ctx, e, "a sniffer such as {\"name\": \"eve\", \"link\": \"dsl\"}");
		} else if (scn_check_keys(ctx, e, sniffer_keys) == 0) {
			const char *link = scn_get_string(e, "link");
			int l = scenario_link_by_name(s, link);
			if (l < 0) {
				char q[200];
				scn_push_key(ctx, "link");
				scn_error(ctx, "unknown link %s", scn_quote(link, q, sizeof q));
				scn_pop(ctx);
			} else {
				s->sniffers[s->sniffer_count].name = scn_strdup(scn_get_string(e, "name"));
				s->sniffers[s->sniffer_count].link = l;
				s->sniffer_count++;
			}
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
	return 0;
}

static const struct scn_key sniffer_expect_keys[] = {
	{"sniffer", SCN_STRING, 1, "the name of a sniffer"},
	{"reads", SCN_STRING, 0, "a text it must read in the clear"},
	{"cannot_read", SCN_STRING, 0, "a text it must not be able to read"},
	{NULL, 0, 0, NULL},
};

static int load_sniffer_expect(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	scn_check_keys(ctx, e, sniffer_expect_keys);
	const char *name = scn_get_string(e, "sniffer");
	int idx = -1;
	for (size_t i = 0; name && i < s->sniffer_count; i++)
		if (strcmp(s->sniffers[i].name, name) == 0)
			idx = (int)i;
	if (name && idx < 0) {
		scn_push_key(ctx, "sniffer");
		scn_error(ctx, "no sniffer is named \"%s\" (see \"sniffers\")", name);
		scn_pop(ctx);
		return 0;
	}
	const char *reads = scn_get_string(e, "reads"), *not = scn_get_string(e, "cannot_read");
	if ((reads != NULL) == (not != NULL)) {
		scn_error(ctx, "a sniffer expectation has either \"reads\" or \"cannot_read\"");
		return 0;
	}
	struct scn_sniffer_expect *x =
	    realloc(s->sniffer_expects, (s->sniffer_expect_count + 1) * sizeof *s->sniffer_expects);
	if (!x)
		return -1;
	s->sniffer_expects = x;
	x[s->sniffer_expect_count++] = (struct scn_sniffer_expect){idx, scn_strdup(reads ? reads : not), reads != NULL};
	return 0;
}

/* ---- mail expectations (entries of "expect" with "mailbox" or "ledger") ---- */

static const struct scn_key mail_expect_keys[] = {
	{"mailbox", SCN_STRING, 1, "an address whose mailbox is checked"},
	{"folder", SCN_STRING, 0, "a folder (default INBOX)"},
	{"messages", SCN_NUMBER, 0, "how many messages it holds"},
	{"received", SCN_NUMBER, 0, "how many Received fields each message has"},
	{"subject", SCN_STRING, 0, "a text every message's Subject contains"},
	{"absent_header", SCN_STRING, 0, "a header no message may have, such as \"Bcc\""},
	{"ua", SCN_STRING, 0, "the host of a UA: check its local store (mail it downloaded)"},
	{NULL, 0, 0, NULL},
};

int scn_load_mail_expect(struct scn_ctx *ctx, struct scenario *s, const cJSON *e)
{
	if (scn_get(e, "sniffer"))
		return load_sniffer_expect(ctx, s, e);
	if (scn_get(e, "ledger")) {
		const char *v = scn_get_string(e, "ledger");
		if (!v || strcmp(v, "balanced") != 0 || e->child->next)
			scn_error(ctx, "a ledger expectation is {\"ledger\": \"balanced\"}");
		else
			s->expect_ledger = 1;
		return 0;
	}
	scn_check_keys(ctx, e, mail_expect_keys);
	struct scn_mail_expect *x = realloc(s->mail_expects, (s->mail_expect_count + 1) * sizeof *x);
	if (!x)
		return -1;
	s->mail_expects = x;
	x = &s->mail_expects[s->mail_expect_count++];
	memset(x, 0, sizeof *x);
	x->mailbox = opt_dup(e, "mailbox");
	const char *f = scn_get_string(e, "folder");
	x->folder = scn_strdup(f ? f : "INBOX");
	int64_t v = -1;
	x->messages = scn_parse_int(ctx, e, "messages", 0, 1000000, &v) == 0 ? (int)v : -1;
	v = -1;
	x->received = scn_parse_int(ctx, e, "received", 0, 1000, &v) == 0 ? (int)v : -1;
	x->subject = opt_dup(e, "subject");
	x->absent_header = opt_dup(e, "absent_header");
	x->ua = -1;
	if (scn_get(e, "ua")) {
		int h = scn_host_of(ctx, s, e, "ua");
		if (h >= 0 && (x->ua = ua_index(s, h)) < 0)
			scn_error_key(ctx, "ua", 0, "host \"%s\" has no UA (add it to \"uas\")", s->hosts[h].name);
		else if (x->ua >= 0 && x->mailbox && strcasecmp(s->uas[x->ua].address, x->mailbox) != 0)
			scn_error_key(ctx, "mailbox", 0, "the UA on \"%s\" is %s's: its local store has no other mailbox",
				      s->hosts[h].name, s->uas[x->ua].address);
		return 0;
	}
	int found = 0;
	for (size_t k = 0; k < s->mta_count && x->mailbox; k++)
		for (size_t u = 0; u < s->mtas[k].user_count; u++)
			found |= s->mtas[k].users[u].address && strcasecmp(s->mtas[k].users[u].address, x->mailbox) == 0;
	if (x->mailbox && !found) {
		char q[200];
		scn_push_key(ctx, "mailbox");
		scn_error(ctx, "%s is no user of any MTA in \"mtas\"", scn_quote(x->mailbox, q, sizeof q));
		scn_pop(ctx);
	}
	return 0;
}

/* ---- freeing ---- */

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void scn_free_mail(struct scenario *s)
{
	if (s->fqdns)
		for (size_t i = 0; i < s->host_count; i++)
			free(s->fqdns[i]);
	free(s->fqdns);
	for (size_t z = 0; z < s->dns.zone_count; z++) {
		struct scn_dns_zone *zone = &s->dns.zones[z];
		for (size_t r = 0; r < zone->record_count; r++) {
			free(zone->records[r].name);
			free(zone->records[r].type);
			free(zone->records[r].value);
		}
		free(zone->records);
		free(zone->origin);
	}
	free(s->dns.zones);
	for (size_t i = 0; i < s->mta_count; i++) {
		struct scn_mta *m = &s->mtas[i];
		free(m->hostname);
		free_strings(m->local_domains, m->local_domain_count);
		free_strings(m->hold_domains, m->hold_domain_count);
		for (size_t u = 0; u < m->user_count; u++)
			scn_free_user(&m->users[u]);
		free(m->users);
		free(m->relay_addr);
		free(m->relay_mask);
		for (size_t r = 0; r < m->route_count; r++) {
			free(m->routes[r].domain);
			free(m->routes[r].via);
		}
		free(m->routes);
		free(m->retry);
		for (int t = 0; t < SCN_TEXT_COUNT; t++)
			free(m->texts[t]);
	}
	free(s->mtas);
	for (size_t i = 0; i < s->ua_count; i++) {
		free(s->uas[i].address);
		free(s->uas[i].helo);
	}
	free(s->uas);
	for (size_t i = 0; i < s->mail_count; i++) {
		struct scn_mail_action *a = &s->mail[i];
		free_strings(a->lines, a->line_count);
		free(a->turn_helo);
		free(a->pop3_user);
		free(a->pop3_password);
		if (a->imap) {
			for (size_t k = 0; k < a->imap->step_count; k++)
				imap_reader_step_clear(&a->imap->steps[k]);
			free(a->imap->steps);
			free(a->imap->user);
			free(a->imap->password);
			free(a->imap);
		}
		free(a->domain);
		free(a->from);
		free(a->to);
		free(a->cc);
		free(a->bcc);
		free(a->subject);
		free(a->text);
		free(a->html);
		for (size_t k = 0; k < a->attachment_count; k++) {
			free(a->attachments[k].filename);
			free(a->attachments[k].type);
			free(a->attachments[k].data);
		}
		free(a->attachments);
	}
	free(s->mail);
	for (size_t i = 0; i < s->mail_expect_count; i++) {
		free(s->mail_expects[i].mailbox);
		free(s->mail_expects[i].folder);
		free(s->mail_expects[i].subject);
		free(s->mail_expects[i].absent_header);
	}
	free(s->mail_expects);
	for (size_t i = 0; i < s->sniffer_count; i++)
		free(s->sniffers[i].name);
	free(s->sniffers);
	for (size_t i = 0; i < s->sniffer_expect_count; i++)
		free(s->sniffer_expects[i].text);
	free(s->sniffer_expects);
	free(s->dir);
}

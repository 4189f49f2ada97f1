/* The scenario loader's top level: reads the file, lets cJSON parse it,
 * reports where a non-JSON text stopped parsing, checks the top-level keys
 * and runs the section loaders in order. See scenario.h. */
#include "sim/scenario/scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/diag.h"
#include "sim/scenario/load.h"

/* Largest scenario file accepted: far above any real one, low enough that a
 * wrong path (a disk image, say) fails quickly. */
#define SCN_MAX_FILE (16u << 20)

char *scn_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int load_text(const cJSON *root, const char *key, char **field)
{
	const char *v = scn_get_string(root, key);
	if (!v)
		return 0;
	*field = scn_strdup(v);
	return *field ? 0 : -1;
}

static int load_title(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	(void)ctx;
	return load_text(root, "title", &s->title);
}

static int load_description(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	(void)ctx;
	return load_text(root, "description", &s->description);
}

static int load_seed(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	int64_t seed;
	if (scn_parse_int(ctx, root, "seed", 0, (int64_t)1 << 53, &seed) == 0)
		s->seed = (uint64_t)seed;
	return 0;
}

static int load_until(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	sim_time until;
	if (scn_parse_duration(ctx, root, "until", &until) != 0)
		return 0;
	if (until == 0) {
		scn_push_key(ctx, "until");
		scn_error(ctx, "a run of zero time shows nothing (expected a duration such as \"30s\", or leave \"until\" out to run until nothing is left to do)");
		scn_pop(ctx);
		return 0;
	}
	s->until = until;
	return 0;
}

static const struct scn_key tcp_keys[] = {
	{"initial_rto", SCN_STRING, 0, "a duration such as \"1s\""},
	{"min_rto", SCN_STRING, 0, "a duration such as \"1s\""},
	{"max_rto", SCN_STRING, 0, "a duration such as \"60s\""},
	{"max_retransmits", SCN_NUMBER, 0, "a whole number"},
	{"connect_timeout", SCN_STRING, 0, "a duration such as \"75s\""},
	{"time_wait", SCN_STRING, 0, "a duration such as \"1s\""},
	{"fin_wait_2", SCN_STRING, 0, "a duration such as \"60s\""},
	{"rcvbuf", SCN_NUMBER | SCN_STRING, 0, "a size such as \"64KiB\""},
	{"sndbuf", SCN_NUMBER | SCN_STRING, 0, "a size such as \"256KiB\""},
	{NULL, 0, 0, NULL},
};

static void positive_duration(struct scn_ctx *ctx, const cJSON *obj, const char *key, sim_time *field)
{
	sim_time t;
	if (scn_parse_duration(ctx, obj, key, &t) != 0)
		return;
	if (t <= 0) {
		scn_push_key(ctx, key);
		scn_error(ctx, "must be more than zero");
		scn_pop(ctx);
		return;
	}
	*field = t;
}

static int load_tcp(struct scn_ctx *ctx, struct scenario *s, const cJSON *root)
{
	const cJSON *t = scn_get(root, "tcp");
	if (!cJSON_IsObject(t))
		return 0;
	scn_push_key(ctx, "tcp");
	scn_check_keys(ctx, t, tcp_keys);
	struct tcp_config *c = &s->tcp;
	positive_duration(ctx, t, "initial_rto", &c->initial_rto);
	positive_duration(ctx, t, "min_rto", &c->min_rto);
	positive_duration(ctx, t, "max_rto", &c->max_rto);
	positive_duration(ctx, t, "connect_timeout", &c->connect_timeout);
	positive_duration(ctx, t, "time_wait", &c->time_wait);
	positive_duration(ctx, t, "fin_wait_2", &c->fin_wait_2);
	int64_t n;
	if (scn_parse_int(ctx, t, "max_retransmits", 1, 100, &n) == 0)
		c->max_retransmits = (int)n;
	uint64_t sz;
	if (scn_parse_size(ctx, t, "rcvbuf", 536, 65535, &sz) == 0)
		c->rcvbuf = (uint32_t)sz;
	if (scn_parse_size(ctx, t, "sndbuf", 536, 64u << 20, &sz) == 0)
		c->sndbuf = (uint32_t)sz;
	if (c->min_rto > c->max_rto)
		scn_error(ctx, "min_rto is larger than max_rto");
	scn_pop(ctx);
	return 0;
}

/* The top-level keys, in loading order. A later issue adds its section
 * (for example "dns", "mtas", "users", "timeline") as a row here and a
 * loader in its own file. */
static const struct {
	struct scn_key key;
	scn_section_fn load;
} sections[] = {
	{{"title", SCN_STRING, 0, "a short title"}, load_title},
	{{"description", SCN_STRING, 0, "a text describing the scenario"}, load_description},
	{{"seed", SCN_NUMBER, 0, "a whole number from 0 to 2^53"}, load_seed},
	{{"until", SCN_STRING, 0, "a duration such as \"30s\""}, load_until},
	{{"tcp", SCN_OBJECT, 0, "an object of TCP settings"}, load_tcp},
	{{"hosts", SCN_ARRAY, 1, "a list of hosts"}, scn_load_hosts},
	{{"links", SCN_ARRAY, 0, "a list of links"}, scn_load_links},
	{{"routes", SCN_ARRAY, 0, "a list of static routes"}, scn_load_routes},
	{{"apps", SCN_ARRAY, 0, "a list of test services and clients"}, scn_load_apps},
	{{"dns", SCN_OBJECT, 0, "the DNS server and its zones"}, scn_load_dns},
	{{"mtas", SCN_ARRAY, 0, "a list of mail servers"}, scn_load_mtas},
	{{"uas", SCN_ARRAY, 0, "a list of user agents"}, scn_load_uas},
	{{"mail", SCN_ARRAY, 0, "the mail timeline: messages sent, queue runs"}, scn_load_mail},
	{{"faults", SCN_ARRAY, 0, "a list of faults"}, scn_load_faults},
	{{"sniffers", SCN_ARRAY, 0, "eavesdroppers on links"}, scn_load_sniffers},
	{{"expect", SCN_ARRAY, 0, "a list of expectations"}, scn_load_expect},
};
#define SECTION_COUNT (sizeof sections / sizeof sections[0])

void scenario_free(struct scenario **sp)
{
	if (!sp || !*sp)
		return;
	struct scenario *s = *sp;
	for (size_t i = 0; i < s->host_count; i++) {
		free(s->hosts[i].name);
		free(s->hosts[i].description);
		for (size_t j = 0; j < s->hosts[i].iface_count; j++)
			free(s->hosts[i].ifaces[j].name);
		free(s->hosts[i].ifaces);
	}
	for (size_t i = 0; i < s->link_count; i++)
		free(s->links[i].name);
	for (size_t i = 0; i < s->client_count; i++)
		free(s->clients[i].name);
	free(s->hosts);
	free(s->links);
	free(s->routes);
	for (size_t i = 0; i < s->fault_count; i++) {
		free(s->faults[i].name);
		free(s->faults[i].type);
		free(s->faults[i].value);
		free(s->faults[i].description);
	}
	free(s->faults);
	free(s->services);
	free(s->clients);
	free(s->expects);
	scn_free_mail(s);
	free(s->file);
	free(s->title);
	free(s->description);
	free(s);
	*sp = NULL;
}

int scenario_host_by_name(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->host_count; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return (int)i;
	return -1;
}

int scenario_link_by_name(const struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->link_count; i++)
		if (strcmp(s->links[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void report_parse_error(struct scn_ctx *ctx, const char *end)
{
	size_t off = end && end >= ctx->text && end <= ctx->text + ctx->len ? (size_t)(end - ctx->text) : ctx->len;
	int line, col;
	json_line_col(ctx->text, ctx->len, off, &line, &col);
	ctx->errors++;
	size_t rest = off;
	while (rest < ctx->len && (unsigned char)ctx->text[rest] <= 32)
		rest++;
	if (rest >= ctx->len) {
		scn_diag_add(ctx->diag, "%s:%d:%d: not valid JSON: the text ends too early (an unclosed string, list or object?)",
			     ctx->file, line, col);
		return;
	}
	unsigned char c = (unsigned char)ctx->text[off];
	char shown[16];
	if (c >= 32 && c < 127)
		snprintf(shown, sizeof shown, "'%c'", c);
	else
		snprintf(shown, sizeof shown, "byte 0x%02x", c);
	scn_diag_add(ctx->diag, "%s:%d:%d: not valid JSON: parsing stopped at %s", ctx->file, line, col, shown);
}

struct scenario *scenario_load_text(const char *file, const char *text, size_t len, struct scn_diag *diag)
{
	struct scn_ctx ctx = {.file = file, .text = text, .len = len, .diag = diag};
	struct scenario *s = calloc(1, sizeof *s);
	if (!s) {
		scn_diag_add(diag, "%s: out of memory", file);
		return NULL;
	}
	s->seed = 1;
	s->until = SIM_TIME_NEVER;
	s->tcp = tcp_config_default();
	s->file = scn_strdup(file);
	/* Attachment paths are relative to the scenario's folder. */
	const char *slash = strrchr(file, '/');
	s->dir = slash ? strndup(file, (size_t)(slash - file)) : scn_strdup("");
	s->dns.server = -1;

	const char *end = NULL;
	cJSON *root = len ? cJSON_ParseWithLengthOpts(text, len, &end, 0) : NULL;
	if (!root) {
		report_parse_error(&ctx, end);
		goto fail;
	}
	/* cJSON stops after the first value; anything but whitespace after
	 * it is a mistake (two objects, a stray brace). */
	if (end) {
		size_t off = (size_t)(end - text);
		while (off < len && (unsigned char)text[off] <= 32)
			off++;
		if (off < len) {
			report_parse_error(&ctx, text + off);
			goto fail;
		}
	}
	if (!cJSON_IsObject(root)) {
		scn_error_type(&ctx, root, "an object with \"hosts\", \"links\" and the other sections");
		goto fail;
	}
	struct scn_key keys[SECTION_COUNT + 1];
	for (size_t i = 0; i < SECTION_COUNT; i++)
		keys[i] = sections[i].key;
	keys[SECTION_COUNT] = (struct scn_key){NULL, 0, 0, NULL};
	scn_check_keys(&ctx, root, keys);
	for (size_t i = 0; i < SECTION_COUNT; i++) {
		if (sections[i].load(&ctx, s, root) < 0) {
			scn_diag_add(diag, "%s: out of memory", file);
			ctx.errors++;
			break;
		}
	}
	if (ctx.errors || !s->file)
		goto fail;
	cJSON_Delete(root);
	return s;
fail:
	if (!ctx.errors)
		scn_diag_add(diag, "%s: out of memory", file);
	cJSON_Delete(root);
	scenario_free(&s);
	return NULL;
}

struct scenario *scenario_load_file(const char *path, struct scn_diag *diag)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		scn_diag_add(diag, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= SCN_MAX_FILE) {
				scn_diag_add(diag, "%s: too large for a scenario (more than %u MiB)", path, SCN_MAX_FILE >> 20);
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				scn_diag_add(diag, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				scn_diag_add(diag, "%s: cannot read: %s", path, strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(f);
	buf[len] = '\0';
	/* Messages name the file as the user gave it, so editors and
	 * terminals can jump to file:line. */
	struct scenario *s = scenario_load_text(path, buf, len, diag);
	free(buf);
	return s;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

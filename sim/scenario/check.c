/* Validation helpers for the scenario loaders. See check.h. */
#include "sim/scenario/check.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/scenario/diag.h"

void scn_push_key(struct scn_ctx *ctx, const char *key)
{
	if (ctx->depth < SCN_MAX_DEPTH)
		ctx->path[ctx->depth++] = (struct json_path_elem){key, 0, 0};
	else
		ctx->overflow++;
}

void scn_push_index(struct scn_ctx *ctx, size_t index)
{
	if (ctx->depth < SCN_MAX_DEPTH)
		ctx->path[ctx->depth++] = (struct json_path_elem){NULL, index, 0};
	else
		ctx->overflow++;
}

void scn_pop(struct scn_ctx *ctx)
{
	if (ctx->overflow)
		ctx->overflow--;
	else if (ctx->depth)
		ctx->depth--;
}

/* Appends s to buf, escaping anything that would break a one-line message
 * (hostile keys may hold newlines or control bytes). */
static void append_clean(char *buf, size_t size, size_t *pos, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		if (c < 32 || c == 127)
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
		else if (c == '"' || c == '\\')
			snprintf(tmp, sizeof tmp, "\\%c", c);
		else
			snprintf(tmp, sizeof tmp, "%c", c);
		for (const char *t = tmp; *t && *pos + 1 < size; t++)
			buf[(*pos)++] = *t;
	}
	if (*s && *pos + 4 < size) {
		memcpy(buf + *pos, "...", 3);
		*pos += 3;
	}
	buf[*pos < size ? *pos : size - 1] = '\0';
}

static void format_path(const struct json_path_elem *path, int depth, char *buf, size_t size)
{
	size_t pos = 0;
	buf[0] = '\0';
	for (int i = 0; i < depth; i++) {
		if (path[i].key) {
			if (i > 0 && pos + 1 < size)
				buf[pos++] = '.';
			append_clean(buf, size, &pos, path[i].key, 64);
		} else {
			char idx[32];
			snprintf(idx, sizeof idx, "[%zu]", path[i].index);
			append_clean(buf, size, &pos, idx, sizeof idx);
		}
	}
	buf[pos < size ? pos : size - 1] = '\0';
}

static void emit(struct scn_ctx *ctx, const struct json_path_elem *path, int depth, int line, const char *msg)
{
	if (line < 0) { /* past the kept messages: count only */
		ctx->errors++;
		scn_diag_add(ctx->diag, "%s", "");
		return;
	}
	char where[512];
	format_path(path, depth, where, sizeof where);
	ctx->errors++;
	if (where[0])
		scn_diag_add(ctx->diag, "%s:%d: %s: %s", ctx->file, line, where, msg);
	else
		scn_diag_add(ctx->diag, "%s:%d: %s", ctx->file, line, msg);
}

/* The line of the value at path, or of the deepest ancestor that exists;
 * -1 when the diagnostics are full, so no message needs it (locating scans
 * the text, and hostile input could ask for it a million times). */
static int line_of(const struct scn_ctx *ctx, const struct json_path_elem *path, int depth, int key_line)
{
	struct json_loc loc;
	if (scn_diag_count(ctx->diag) >= SCN_DIAG_MAX)
		return -1;
	for (int d = depth; d >= 0; d--)
		if (json_locate(ctx->text, ctx->len, path, d, &loc) == 0)
			return key_line && d == depth ? loc.key_line : loc.line;
	return 1;
}

void scn_error(struct scn_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(ctx, ctx->path, ctx->depth, line_of(ctx, ctx->path, ctx->depth, 0), msg);
}

void scn_error_key(struct scn_ctx *ctx, const char *key, int nth, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	struct json_path_elem path[SCN_MAX_DEPTH + 1];
	memcpy(path, ctx->path, (size_t)ctx->depth * sizeof path[0]);
	path[ctx->depth] = (struct json_path_elem){key, 0, nth};
	emit(ctx, path, ctx->depth + 1, line_of(ctx, path, ctx->depth + 1, 1), msg);
}

const char *scn_json_type_name(const struct cJSON *v)
{
	if (!v)
		return "nothing";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsNull(v))
		return "null";
	return "an unknown value";
}

void scn_error_type(struct scn_ctx *ctx, const struct cJSON *v, const char *what)
{
	scn_error(ctx, "expected %s, found %s", what, scn_json_type_name(v));
}

static unsigned type_bit(const cJSON *v)
{
	if (cJSON_IsString(v))
		return SCN_STRING;
	if (cJSON_IsNumber(v))
		return SCN_NUMBER;
	if (cJSON_IsBool(v))
		return SCN_BOOL;
	if (cJSON_IsObject(v))
		return SCN_OBJECT;
	if (cJSON_IsArray(v))
		return SCN_ARRAY;
	return SCN_NULL;
}

/* Optimal string alignment distance, case-insensitive, capped at 9. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 9;
	int d[41][41];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > 9 ? 9 : d[la][lb];
}

const char *scn_suggest(const char *word, const char *const *names)
{
	size_t len = strlen(word);
	int limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	const char *best = NULL;
	int best_d = limit + 1;
	for (size_t i = 0; names[i]; i++) {
		int d = distance(word, names[i]);
		/* A known name that starts with the word ("lat" for "latency")
		 * is a good guess too. */
		if (d > limit && len >= 3 && strncasecmp(word, names[i], len) == 0)
			d = limit;
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

static void list_names(char *buf, size_t size, const char *const *names)
{
	size_t pos = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i]; i++) {
		int n = snprintf(buf + pos, size - pos, "%s%s", i ? ", " : "", names[i]);
		if (n < 0 || (size_t)n >= size - pos)
			break;
		pos += (size_t)n;
	}
}

int scn_check_count(struct scn_ctx *ctx, const cJSON *list, int max, const char *what)
{
	int n = cJSON_GetArraySize(list);
	if (n <= max)
		return 0;
	scn_error(ctx, "%d %s is more than mailsim supports (at most %d)", n, what, max);
	return -1;
}

int scn_check_keys(struct scn_ctx *ctx, const cJSON *obj, const struct scn_key *keys)
{
	int before = ctx->errors;
	if (cJSON_GetArraySize(obj) > SCN_MAX_KEYS) {
		scn_error(ctx, "an object with %d keys: expected at most %d (known keys are few; is this the right file?)",
			  cJSON_GetArraySize(obj), SCN_MAX_KEYS);
		return ctx->errors - before;
	}
	const char *names[64];
	size_t nkeys = 0;
	for (; keys[nkeys].name && nkeys < 63; nkeys++)
		names[nkeys] = keys[nkeys].name;
	names[nkeys] = NULL;

	for (const cJSON *c = obj->child; c && scn_diag_count(ctx->diag) < SCN_DIAG_MAX; c = c->next) {
		const char *name = c->string ? c->string : "";
		int nth = 0;
		for (const cJSON *p = obj->child; p != c; p = p->next)
			if (p->string && strcmp(p->string, name) == 0)
				nth++;
		if (nth > 0) {
			struct json_path_elem path[SCN_MAX_DEPTH + 1];
			memcpy(path, ctx->path, (size_t)ctx->depth * sizeof path[0]);
			path[ctx->depth] = (struct json_path_elem){name, 0, 0};
			int first = line_of(ctx, path, ctx->depth + 1, 1);
			char clean[200];
			size_t pos = 0;
			append_clean(clean, sizeof clean, &pos, name, 60);
			scn_error_key(ctx, name, nth, "duplicate key \"%s\" (already given on line %d)", clean, first);
			continue;
		}
		const struct scn_key *k = NULL;
		for (size_t i = 0; i < nkeys; i++)
			if (strcmp(keys[i].name, name) == 0)
				k = &keys[i];
		if (!k) {
			const char *s = scn_suggest(name, names);
			char clean[200];
			size_t pos = 0;
			append_clean(clean, sizeof clean, &pos, name, 60);
			if (s) {
				scn_error_key(ctx, name, 0, "unknown key \"%s\" (did you mean \"%s\"?)", clean, s);
			} else {
				char known[600];
				list_names(known, sizeof known, names);
				scn_error_key(ctx, name, 0, "unknown key \"%s\" (known keys: %s)", clean, known);
			}
			continue;
		}
		if (!(type_bit(c) & k->types)) {
			scn_push_key(ctx, name);
			scn_error_type(ctx, c, k->what);
			scn_pop(ctx);
		}
	}
	for (size_t i = 0; i < nkeys; i++)
		if (keys[i].required && !cJSON_GetObjectItemCaseSensitive(obj, keys[i].name))
			scn_error_key(ctx, keys[i].name, 0, "missing (expected %s)", keys[i].what);
	return ctx->errors - before;
}

const cJSON *scn_get(const cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

const char *scn_get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = scn_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A value quoted for a message: "text" with control bytes escaped. */
const char *scn_quote(const char *s, char *buf, size_t size)
{
	size_t pos = 0;
	buf[pos++] = '"';
	append_clean(buf, size - 1, &pos, s, 60);
	buf[pos++] = '"';
	buf[pos] = '\0';
	return buf;
}

int scn_text_duration(const char *text, sim_time *out_r)
{
	for (const char *p = text; *p; p++)
		if (isspace((unsigned char)*p))
			return -1;
	return sim_time_parse(text, out_r);
}

int scn_parse_duration(struct scn_ctx *ctx, const cJSON *obj, const char *key, sim_time *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	int rc = -1;
	char q[200];
	scn_push_key(ctx, key);
	if (!cJSON_IsString(v)) {
		/* reported by scn_check_keys */
	} else if (v->valuestring[0] == '-') {
		scn_error(ctx, "%s is negative (expected a duration of zero or more)", scn_quote(v->valuestring, q, sizeof q));
	} else if (scn_text_duration(v->valuestring, out_r) < 0) {
		scn_error(ctx, "%s is not a duration (expected a number and a unit: ns, us, ms, s, m or h, as in \"5ms\")",
			  scn_quote(v->valuestring, q, sizeof q));
	} else {
		rc = 0;
	}
	scn_pop(ctx);
	return rc;
}

int scn_parse_bandwidth(struct scn_ctx *ctx, const cJSON *obj, const char *key, uint64_t *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	static const struct {
		const char *unit;
		double mult;
	} units[] = {{"bps", 1}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}};
	int rc = -1;
	char q[200];
	scn_push_key(ctx, key);
	if (!cJSON_IsString(v))
		goto out; /* reported by scn_check_keys */
	const char *s = v->valuestring;
	if (strcmp(s, "unlimited") == 0) {
		*out_r = 0;
		rc = 0;
		goto out;
	}
	double num = 0;
	char *end = NULL;
	if (isdigit((unsigned char)s[0]) || s[0] == '.') {
		errno = 0;
		num = strtod(s, &end);
		if (errno)
			end = NULL;
	}
	double mult = 0;
	for (size_t i = 0; end && i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(end, units[i].unit) == 0)
			mult = units[i].mult;
	if (!end || mult == 0 || !isfinite(num)) {
		scn_error(ctx, "%s is not a bandwidth (expected a number and a unit: bps, kbps, Mbps or Gbps, as in \"100Mbps\", or \"unlimited\")",
			  scn_quote(s, q, sizeof q));
		goto out;
	}
	double bps = num * mult;
	if (bps < 1 || bps > 1e12) {
		scn_error(ctx, "%s is out of range (expected 1bps to 1000Gbps, or \"unlimited\")", scn_quote(s, q, sizeof q));
		goto out;
	}
	*out_r = (uint64_t)llround(bps);
	rc = 0;
out:
	scn_pop(ctx);
	return rc;
}

int scn_parse_size(struct scn_ctx *ctx, const cJSON *obj, const char *key, uint64_t min, uint64_t max,
		   uint64_t *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	static const struct {
		const char *unit;
		double mult;
	} units[] = {{"B", 1},     {"KB", 1e3},         {"MB", 1e6},         {"GB", 1e9},
		     {"KiB", 1024}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
	int rc = -1;
	char q[200];
	double bytes = -1;
	scn_push_key(ctx, key);
	if (cJSON_IsNumber(v)) {
		bytes = v->valuedouble;
		if (!isfinite(bytes) || bytes != floor(bytes) || bytes < 0) {
			scn_error(ctx, "%g is not a size (expected a whole number of bytes, or a string such as \"64KB\")",
				  v->valuedouble);
			goto out;
		}
	} else if (cJSON_IsString(v)) {
		const char *s = v->valuestring;
		char *end = NULL;
		double num = 0;
		if (isdigit((unsigned char)s[0]) || s[0] == '.') {
			errno = 0;
			num = strtod(s, &end);
			if (errno)
				end = NULL;
		}
		double mult = 0;
		for (size_t i = 0; end && i < sizeof units / sizeof units[0]; i++)
			if (strcasecmp(end, units[i].unit) == 0)
				mult = units[i].mult;
		bytes = num * mult;
		if (!end || mult == 0 || !isfinite(bytes) || bytes != floor(bytes)) {
			scn_error(ctx, "%s is not a size (expected a number of bytes, or a number and a unit: B, KB, MB, GB, KiB, MiB or GiB, as in \"64KB\")",
				  scn_quote(s, q, sizeof q));
			goto out;
		}
	} else {
		goto out; /* reported by scn_check_keys */
	}
	if (bytes < (double)min || bytes > (double)max) {
		scn_error(ctx, bytes < 1e15 ? "%.0f bytes is out of range (expected %llu to %llu bytes)"
					    : "%g bytes is out of range (expected %llu to %llu bytes)",
			  bytes, (unsigned long long)min, (unsigned long long)max);
		goto out;
	}
	*out_r = (uint64_t)bytes;
	rc = 0;
out:
	scn_pop(ctx);
	return rc;
}

int scn_parse_probability(struct scn_ctx *ctx, const cJSON *obj, const char *key, double *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	int rc = -1;
	scn_push_key(ctx, key);
	if (!cJSON_IsNumber(v))
		; /* reported by scn_check_keys */
	else if (!(v->valuedouble >= 0 && v->valuedouble <= 1))
		scn_error(ctx, "%g is out of range (expected a probability from 0 to 1; 0.05 means 5%%)", v->valuedouble);
	else {
		*out_r = v->valuedouble;
		rc = 0;
	}
	scn_pop(ctx);
	return rc;
}

int scn_parse_int(struct scn_ctx *ctx, const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	int rc = -1;
	scn_push_key(ctx, key);
	if (!cJSON_IsNumber(v))
		; /* reported by scn_check_keys */
	else if (!isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble))
		scn_error(ctx, "%g is not a whole number", v->valuedouble);
	else if (v->valuedouble < (double)min || v->valuedouble > (double)max)
		scn_error(ctx, fabs(v->valuedouble) < 1e15 ? "%.0f is out of range (expected %lld to %lld)"
							     : "%g is out of range (expected %lld to %lld)",
			  v->valuedouble, (long long)min, (long long)max);
	else {
		*out_r = (int64_t)v->valuedouble;
		rc = 0;
	}
	scn_pop(ctx);
	return rc;
}

int scn_parse_number(struct scn_ctx *ctx, const cJSON *obj, const char *key, double *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	int rc = -1;
	scn_push_key(ctx, key);
	if (!cJSON_IsNumber(v))
		; /* reported by scn_check_keys */
	else if (!isfinite(v->valuedouble))
		scn_error(ctx, "expected a finite number");
	else {
		*out_r = v->valuedouble;
		rc = 0;
	}
	scn_pop(ctx);
	return rc;
}

int scn_text_ipv4(const char *text, uint32_t *ip_r)
{
	uint32_t ip = 0;
	const char *p = text;
	for (int part = 0; part < 4; part++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned v = 0;
		int digits = 0;
		const char *start = p;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (++digits > 3)
				return -1;
		}
		if (v > 255 || (digits > 1 && *start == '0'))
			return -1;
		ip = ip << 8 | v;
		if (part < 3 && *p++ != '.')
			return -1;
	}
	if (*p)
		return -1;
	*ip_r = ip;
	return 0;
}

int scn_parse_ipv4(struct scn_ctx *ctx, const cJSON *obj, const char *key, uint32_t *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	int rc = -1;
	char q[200];
	scn_push_key(ctx, key);
	if (!cJSON_IsString(v))
		; /* reported by scn_check_keys */
	else if (scn_text_ipv4(v->valuestring, out_r) < 0)
		scn_error(ctx, "%s is not an IPv4 address", scn_quote(v->valuestring, q, sizeof q));
	else
		rc = 0;
	scn_pop(ctx);
	return rc;
}

int scn_parse_enum(struct scn_ctx *ctx, const cJSON *obj, const char *key, const char *const *names, int *out_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	char known[400], q[200];
	list_names(known, sizeof known, names);
	int rc = -1;
	scn_push_key(ctx, key);
	if (!cJSON_IsString(v))
		goto out; /* reported by scn_check_keys */
	for (int i = 0; names[i]; i++) {
		if (strcmp(names[i], v->valuestring) == 0) {
			*out_r = i;
			rc = 0;
			goto out;
		}
	}
	const char *s = scn_suggest(v->valuestring, names);
	if (s)
		scn_error(ctx, "%s is not one of %s (did you mean \"%s\"?)", scn_quote(v->valuestring, q, sizeof q), known, s);
	else
		scn_error(ctx, "%s is not one of %s", scn_quote(v->valuestring, q, sizeof q), known);
out:
	scn_pop(ctx);
	return rc;
}

char *scn_format_duration(sim_time t, char *buf, size_t size)
{
	static const struct {
		const char *unit;
		sim_time ns;
	} units[] = {{"h", 3600 * SIM_S}, {"m", 60 * SIM_S}, {"s", SIM_S}, {"ms", SIM_MS}, {"us", SIM_US}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (t != 0 && t % units[i].ns == 0) {
			snprintf(buf, size, "%lld%s", (long long)(t / units[i].ns), units[i].unit);
			return buf;
		}
	}
	if (t == 0)
		snprintf(buf, size, "0s");
	else
		snprintf(buf, size, "%lldns", (long long)t);
	return buf;
}

/* Kind "program": reading the exercise's "submission" object into a
 * struct grade_program_spec, with an error naming the key for anything a
 * teacher got wrong. See grade_program.h. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/grade/grade_program.h"

#define MAX_WALL_MS (300 * 1000)
#define MAX_CPU_MS (300 * 1000)
#define MAX_MEMORY_MB 4096
#define MAX_ARG_BYTES 65536

void grade_program_spec_clear(struct grade_program_spec *spec)
{
	if (!spec)
		return;
	free(spec->via);
	free(spec->to);
	for (size_t i = 0; i <= GRADE_PROGRAM_MAX_ARGS; i++) {
		free(spec->args[i]);
		free(spec->env[i]);
	}
	memset(spec, 0, sizeof *spec);
}

static int duration(const cJSON *sub, const char *key, int64_t max_ms, int64_t *ms_r, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(sub, key);
	if (!v)
		return 0;
	sim_time t;
	if (!cJSON_IsString(v) || sim_time_parse(v->valuestring, &t) != 0 || t <= 0 || t / SIM_MS > max_ms) {
		snprintf(err, errlen, "submission.%s: expected a duration from 1ms to %llds, such as \"20s\"", key,
			 (long long)(max_ms / 1000));
		return -1;
	}
	*ms_r = t / SIM_MS;
	return 0;
}

static int host_name(const cJSON *bridge, const char *key, char **out_r, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(bridge, key);
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		snprintf(err, errlen, "submission.bridge.%s: expected a host name of the scenario", key);
		return -1;
	}
	if (!(*out_r = strdup(v->valuestring))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int parse_bridge(const cJSON *sub, struct grade_program_spec *spec, char *err, size_t errlen)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(sub, "bridge");
	if (!b)
		return 0;
	if (!cJSON_IsObject(b)) {
		snprintf(err, errlen, "submission.bridge: expected an object {\"via\", \"to\", \"port\"}");
		return -1;
	}
	const cJSON *k;
	cJSON_ArrayForEach(k, b)
	{
		if (strcmp(k->string, "via") && strcmp(k->string, "to") && strcmp(k->string, "port")) {
			snprintf(err, errlen, "submission.bridge.%s: unknown key (expected via, to, port)", k->string);
			return -1;
		}
	}
	if (host_name(b, "via", &spec->via, err, errlen) < 0 || host_name(b, "to", &spec->to, err, errlen) < 0)
		return -1;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "port");
	if (p) {
		if (!cJSON_IsNumber(p) || p->valuedouble < 1 || p->valuedouble > 65535 ||
		    p->valuedouble != (double)(int)p->valuedouble) {
			snprintf(err, errlen, "submission.bridge.port: expected a port number from 1 to 65535");
			return -1;
		}
		spec->port = (uint16_t)p->valueint;
	}
	return 0;
}

static int parse_languages(const cJSON *sub, struct grade_program_spec *spec, char *err, size_t errlen)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(sub, "languages");
	if (!l)
		return 0;
	spec->languages = 0;
	const cJSON *e = NULL;
	if (cJSON_IsArray(l))
		cJSON_ArrayForEach(e, l)
		{
			if (cJSON_IsString(e) && strcmp(e->valuestring, "c") == 0)
				spec->languages |= GRADE_PROGRAM_C;
			else if (cJSON_IsString(e) && strcmp(e->valuestring, "python") == 0)
				spec->languages |= GRADE_PROGRAM_PYTHON;
			else
				break;
		}
	if (!cJSON_IsArray(l) || e || !spec->languages) {
		snprintf(err, errlen, "submission.languages: expected a list of \"c\" and \"python\"");
		return -1;
	}
	return 0;
}

static int parse_args(const cJSON *sub, struct grade_program_spec *spec, char *err, size_t errlen)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(sub, "args");
	if (!a)
		return 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > GRADE_PROGRAM_MAX_ARGS) {
		snprintf(err, errlen, "submission.args: expected a list of at most %d strings", GRADE_PROGRAM_MAX_ARGS);
		return -1;
	}
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsString(e) || strlen(e->valuestring) > MAX_ARG_BYTES) {
			snprintf(err, errlen, "submission.args[%zu]: expected a string (at most %d bytes)", i,
				 MAX_ARG_BYTES);
			return -1;
		}
		if (!(spec->args[i++] = strdup(e->valuestring))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int valid_env_name(const char *n)
{
	if (!n[0] || isdigit((unsigned char)n[0]))
		return 0;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

static int parse_env(const cJSON *sub, struct grade_program_spec *spec, char *err, size_t errlen)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(sub, "env");
	if (!en)
		return 0;
	if (!cJSON_IsObject(en) || cJSON_GetArraySize(en) > GRADE_PROGRAM_MAX_ARGS) {
		snprintf(err, errlen, "submission.env: expected an object of at most %d \"NAME\": \"value\" strings",
			 GRADE_PROGRAM_MAX_ARGS);
		return -1;
	}
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, en)
	{
		if (!valid_env_name(e->string) || !strncmp(e->string, "MAILSIM_SMTP_", 13)) {
			snprintf(err, errlen,
				 "submission.env.%s: expected a variable name of letters, digits and _ (MAILSIM_SMTP_* are "
				 "set by the grader)",
				 e->string);
			return -1;
		}
		if (!cJSON_IsString(e) || strlen(e->valuestring) > MAX_ARG_BYTES) {
			snprintf(err, errlen, "submission.env.%s: expected a string (at most %d bytes)", e->string,
				 MAX_ARG_BYTES);
			return -1;
		}
		size_t n = strlen(e->string) + strlen(e->valuestring) + 2;
		if (!(spec->env[i] = malloc(n))) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		snprintf(spec->env[i++], n, "%s=%s", e->string, e->valuestring);
	}
	return 0;
}

int grade_program_spec_from_json(const cJSON *sub, struct grade_program_spec *spec_r, char *err, size_t errlen)
{
	memset(spec_r, 0, sizeof *spec_r);
	spec_r->languages = GRADE_PROGRAM_C | GRADE_PROGRAM_PYTHON;
	spec_r->port = 25;
	spec_r->wall_ms = 20000;
	spec_r->cpu_ms = 10000;
	spec_r->memory_mb = 256;
	const char *opt_out = getenv("MAILSIM_GRADE_NO_NETWORK_ISOLATION");
	spec_r->no_network_isolation = opt_out && strcmp(opt_out, "1") == 0;
	if (!cJSON_IsObject(sub)) {
		snprintf(err, errlen, "submission: expected an object");
		return -1;
	}
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(sub, "memory_mb");
	int rc = parse_languages(sub, spec_r, err, errlen);
	if (rc == 0)
		rc = parse_bridge(sub, spec_r, err, errlen);
	if (rc == 0)
		rc = duration(sub, "wall_limit", MAX_WALL_MS, &spec_r->wall_ms, err, errlen);
	if (rc == 0)
		rc = duration(sub, "cpu_limit", MAX_CPU_MS, &spec_r->cpu_ms, err, errlen);
	if (rc == 0 && m) {
		if (!cJSON_IsNumber(m) || m->valuedouble < 16 || m->valuedouble > MAX_MEMORY_MB) {
			snprintf(err, errlen, "submission.memory_mb: expected a number of MB from 16 to %d",
				 MAX_MEMORY_MB);
			rc = -1;
		} else {
			spec_r->memory_mb = (uint64_t)m->valuedouble;
		}
	}
	if (rc == 0)
		rc = parse_args(sub, spec_r, err, errlen);
	if (rc == 0)
		rc = parse_env(sub, spec_r, err, errlen);
	if (rc < 0)
		grade_program_spec_clear(spec_r);
	return rc;
}

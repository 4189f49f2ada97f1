/* The batch grader's rows (grade_batch_internal.h): a finished grader
 * child becomes one row, from its JSON report when it printed a valid one
 * (grade-spec.md, "Report JSON"), else an error row whose reason says
 * what went wrong (timeout, signal, refusal, garbage). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/grade/grade_batch_internal.h"

#define TR(es, en_text, es_text) ((es) ? (es_text) : (en_text))

void gb_row_clear(struct gb_row *row)
{
	for (size_t i = 0; i < row->nchecks; i++)
		free(row->checks[i].id);
	free(row->checks);
	free(row->reason);
	free(row->name);
	memset(row, 0, sizeof *row);
}

static int finite_number(const cJSON *j, double *v)
{
	if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble))
		return 0;
	*v = j->valuedouble;
	return 1;
}

int gb_row_parse_report(struct gb_row *row, const char *text, size_t len, char *why, size_t whylen)
{
	if (len == 0) {
		snprintf(why, whylen, "nothing printed");
		return -1;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;
		snprintf(why, whylen, "not JSON (at byte %zu)", at);
		return -1;
	}
	/* Only whitespace may follow the report. */
	for (const char *p = end; p && p < text + len; p++) {
		if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
			snprintf(why, whylen, "text after the JSON report (at byte %zu)", (size_t)(p - text));
			cJSON_Delete(root);
			return -1;
		}
	}
	int rc = -1;
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(root, "checks");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(root, "reason");
	double score, max_score;
	if (!cJSON_IsObject(root)) {
		snprintf(why, whylen, "not a JSON object");
		goto out;
	}
	if (!cJSON_IsString(status) ||
	    (strcmp(status->valuestring, "graded") != 0 && strcmp(status->valuestring, "rejected") != 0)) {
		snprintf(why, whylen, "no \"status\" graded or rejected");
		goto out;
	}
	if (!finite_number(cJSON_GetObjectItemCaseSensitive(root, "score"), &score) ||
	    !finite_number(cJSON_GetObjectItemCaseSensitive(root, "max_score"), &max_score)) {
		snprintf(why, whylen, "no numeric \"score\" and \"max_score\"");
		goto out;
	}
	if (!cJSON_IsArray(checks)) {
		snprintf(why, whylen, "no \"checks\" array");
		goto out;
	}
	size_t n = (size_t)cJSON_GetArraySize(checks);
	struct gb_check *list = n ? calloc(n, sizeof *list) : NULL;
	if (n && !list) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	size_t k = 0;
	const cJSON *ch;
	cJSON_ArrayForEach(ch, checks)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(ch, "id");
		const cJSON *passed = cJSON_GetObjectItemCaseSensitive(ch, "passed");
		double s;
		if (!cJSON_IsString(id) || !id->valuestring[0] ||
		    !finite_number(cJSON_GetObjectItemCaseSensitive(ch, "score"), &s) || !cJSON_IsBool(passed)) {
			snprintf(why, whylen, "check %zu has no \"id\", numeric \"score\" or boolean \"passed\"", k + 1);
			break;
		}
		int dup = 0;
		for (size_t i = 0; i < k; i++)
			dup |= strcmp(list[i].id, id->valuestring) == 0;
		if (dup) {
			snprintf(why, whylen, "check id \"%.100s\" appears twice", id->valuestring);
			break;
		}
		list[k].id = strdup(id->valuestring);
		if (!list[k].id) {
			snprintf(why, whylen, "out of memory");
			break;
		}
		list[k].score = s;
		list[k].passed = cJSON_IsTrue(passed);
		k++;
	}
	if (k < n) {
		for (size_t i = 0; i < k; i++)
			free(list[i].id);
		free(list);
		goto out;
	}
	row->status = strcmp(status->valuestring, "graded") == 0 ? GB_GRADED : GB_REJECTED;
	row->score = score;
	row->max_score = max_score;
	row->has_max = 1;
	row->checks = list;
	row->nchecks = n;
	row->reason = NULL;
	if (row->status == GB_REJECTED)
		row->reason = strdup(cJSON_IsString(reason) && reason->valuestring[0] ? reason->valuestring
										     : "rejected");
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* The first line of text, capped at cap - 1 bytes. */
static void first_line(const char *text, char *out, size_t cap)
{
	size_t n = strcspn(text, "\r\n");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, text, n);
	out[n] = 0;
}

/* Fixed names, not strsignal(): its text follows the locale. */
static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGBUS: return "SIGBUS";
	case SIGFPE: return "SIGFPE";
	case SIGILL: return "SIGILL";
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGPIPE: return "SIGPIPE";
	case SIGXCPU: return "SIGXCPU";
	case SIGXFSZ: return "SIGXFSZ";
	default: return "?";
	}
}

static int set_error(struct gb_row *row, const char *reason)
{
	row->status = GB_ERROR;
	row->score = 0;
	row->has_max = 0;
	free(row->reason);
	row->reason = strdup(reason);
	return row->reason ? 0 : -1;
}

int gb_row_from_child(struct gb_row *row, const struct gb_child *c, double timeout_s, int es)
{
	char reason[600], line[400], why[200];
	first_line(c->err, line, sizeof line);
	if (!c->started) {
		snprintf(reason, sizeof reason, TR(es, "the grader could not be started: %s",
						   "no se pudo iniciar el corrector: %s"),
			 strerror(c->spawn_errno));
		return set_error(row, reason);
	}
	if (c->timed_out) {
		snprintf(reason, sizeof reason,
			 TR(es, "timed out after %.10g s (killed)", "superó el tiempo límite de %.10g s (terminado)"),
			 timeout_s);
		return set_error(row, reason);
	}
	if (c->out_overflow) {
		snprintf(reason, sizeof reason,
			 TR(es, "the grader printed more than %zu bytes (killed)",
			    "el corrector imprimió más de %zu bytes (terminado)"),
			 GB_OUT_CAP);
		return set_error(row, reason);
	}
	if (c->signal) {
		const char *name = signal_name(c->signal);
		snprintf(reason, sizeof reason,
			 TR(es, "the grader crashed (signal %d, %s)", "el corrector falló (señal %d, %s)"), c->signal,
			 name ? name : "?");
		return set_error(row, reason);
	}
	if (!c->exited) {
		return set_error(row, TR(es, "the grader ended abnormally", "el corrector terminó de forma anormal"));
	}
	if (c->exit_code != 0 && c->exit_code != 1) {
		if (line[0])
			snprintf(reason, sizeof reason,
				 TR(es, "the grader refused it (exit status %d): %s",
				    "el corrector lo rechazó (código de salida %d): %s"),
				 c->exit_code, line);
		else
			snprintf(reason, sizeof reason,
				 TR(es, "the grader refused it (exit status %d)",
				    "el corrector lo rechazó (código de salida %d)"),
				 c->exit_code);
		return set_error(row, reason);
	}
	if (gb_row_parse_report(row, c->out ? c->out : "", c->out_len, why, sizeof why) < 0) {
		snprintf(reason, sizeof reason,
			 TR(es, "the grader's output is not a grade report: %s",
			    "la salida del corrector no es un informe de corrección: %s"),
			 why);
		return set_error(row, reason);
	}
	return row->status == GB_REJECTED && !row->reason ? -1 : 0;
}

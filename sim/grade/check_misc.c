/* Checks on the run as a whole: bounces produced (or not), the mail ledger
 * balanced, and answers compared with the values computed from the run. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/grade/check.h"
#include "sim/grade/obs.h"
#include "sim/grade/query.h"

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void grade_check_bounced(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const char *rcpt = str(c->spec, "rcpt");
	int expect = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(c->spec, "expect"));
	const struct grade_mail *hit = NULL;
	for (size_t i = 0; i < o->mail_count && !hit; i++)
		if (o->mail[i].ev == OBS_MAIL_BOUNCED && (!rcpt || !strcasecmp(o->mail[i].rcpt, rcpt)))
			hit = &o->mail[i];
	v->fraction = (hit != NULL) == expect;
	if (hit) {
		buf_printf(&v->detail, GL(o->lang, "%s bounced the mail for <%s>: %s", "%s devolvió el correo para <%s>: %s"),
			   grade_obs_host_name(o, hit->host, 1), hit->rcpt, hit->text);
		struct grade_line l = {.proto = "SMTP", .text = hit->text};
		grade_obs_explain_line(o, &l, &v->detail);
	} else {
		buf_printf(&v->detail, GL(o->lang, "no bounce for <%s>", "ningún rebote para <%s>"), rcpt ? rcpt : "*");
		/* Where did it go instead? */
		for (size_t i = 0; i < o->mail_count; i++)
			if (o->mail[i].ev == OBS_MAIL_DELIVERED && rcpt && !strcasecmp(o->mail[i].rcpt, rcpt)) {
				buf_printf(&v->detail, GL(o->lang, " (it was delivered by %s)", " (lo entregó %s)"),
					   grade_obs_host_name(o, o->mail[i].host, 1));
				break;
			}
	}
}

void grade_check_ledger(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	(void)c;
	v->fraction = o->ledger_balanced;
	if (o->ledger_balanced)
		buf_puts(&v->detail, GL(o->lang, "the mail ledger is balanced: every accepted message is accounted for",
					"el libro de correo cuadra: cada mensaje aceptado está justificado"));
	else
		buf_printf(&v->detail, GL(o->lang, "the mail ledger is not balanced: %s", "el libro de correo no cuadra: %s"),
			   o->ledger_text ? o->ledger_text : "");
}

/* ---- answers ---- */

static void trim(const char *s, const char **b_r, size_t *n_r)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n && s[n - 1] == '.' && n > 1)
		n--; /* "mx.gil.com.ar." is the same name */
	*b_r = s;
	*n_r = n;
}

/* One element: strings without case and surrounding space, numbers by
 * value (a number written as a string counts), and a host's scenario
 * name for its fully qualified name. */
static int same(const struct grade_obs *o, const cJSON *want, const cJSON *got)
{
	if (!got)
		return 0;
	if (cJSON_IsNumber(want)) {
		double g;
		if (cJSON_IsNumber(got))
			g = got->valuedouble;
		else if (cJSON_IsString(got)) {
			char *end;
			g = strtod(got->valuestring, &end);
			while (*end && isspace((unsigned char)*end))
				end++;
			if (end == got->valuestring || *end)
				return 0;
		} else
			return 0;
		return fabs(g - want->valuedouble) < 1e-9;
	}
	if (cJSON_IsString(want) && cJSON_IsString(got)) {
		const char *a, *b;
		size_t an, bn;
		trim(want->valuestring, &a, &an);
		trim(got->valuestring, &b, &bn);
		if (an == bn && strncasecmp(a, b, an) == 0)
			return 1;
		char name[256], full[256];
		snprintf(name, sizeof name, "%.*s", (int)bn, b);
		snprintf(full, sizeof full, "%.*s", (int)an, a);
		return grade_host_is(o, full, name);
	}
	return cJSON_Compare(want, got, 0);
}

static void print_value(const cJSON *v, struct buf *out)
{
	char *t = v ? cJSON_PrintUnformatted(v) : NULL;
	buf_puts(out, t ? t : "null");
	free(t);
}

void grade_check_answer(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const char *qid = str(c->spec, "question");
	const struct grade_question *q = grade_exercise_question(o->ex, qid);
	char why[512] = "";
	cJSON *want = q ? grade_query_compute(q, o, why, sizeof why) : NULL;
	const cJSON *got = cJSON_GetObjectItemCaseSensitive(o->answers, qid);
	v->fraction = 0;
	if (!want) {
		buf_printf(&v->detail, GL(o->lang, "the run gives no answer to %s: %s", "la corrida no da respuesta a %s: %s"),
			   qid, why);
		return;
	}
	if (!got) {
		buf_printf(&v->detail, GL(o->lang, "no answer to %s in your file", "tu archivo no tiene respuesta para %s"),
			   qid);
		cJSON_Delete(want);
		return;
	}
	if (cJSON_IsArray(want)) {
		size_t n = (size_t)cJSON_GetArraySize(want), good = 0;
		if (!cJSON_IsArray(got)) {
			buf_printf(&v->detail, GL(o->lang, "%s: expected a list of %zu elements, your answer is ",
						  "%s: se esperaba una lista de %zu elementos, tu respuesta es "),
				   qid, n);
			print_value(got, &v->detail);
			cJSON_Delete(want);
			return;
		}
		size_t gn = (size_t)cJSON_GetArraySize(got);
		for (size_t i = 0; i < n; i++) {
			const cJSON *w = cJSON_GetArrayItem(want, (int)i);
			const cJSON *g = i < gn ? cJSON_GetArrayItem(got, (int)i) : NULL;
			if (same(o, w, g))
				good++;
			else if (v->detail.len < 600) {
				buf_printf(&v->detail, GL(o->lang, "%selement %zu of %s is ", "%sel elemento %zu de %s es "),
					   v->detail.len ? "; " : "", i + 1, qid);
				print_value(g, &v->detail);
				buf_puts(&v->detail, GL(o->lang, ", not the right one", ", no el correcto"));
			}
		}
		if (gn > n)
			buf_printf(&v->detail, GL(o->lang, "%s%zu elements too many", "%s%zu elementos de más"),
				   v->detail.len ? "; " : "", gn - n);
		v->fraction = n ? (double)good / (double)n : (gn == 0);
		if (gn > n && v->fraction >= 1)
			v->fraction = (double)n / (double)gn;
		if (v->fraction >= 1)
			buf_printf(&v->detail, GL(o->lang, "%s: all %zu elements right", "%s: los %zu elementos son correctos"),
				   qid, n);
	} else {
		v->fraction = same(o, want, got);
		buf_printf(&v->detail, GL(o->lang, "%s: your answer is ", "%s: tu respuesta es "), qid);
		print_value(got, &v->detail);
		buf_puts(&v->detail, v->fraction >= 1 ? GL(o->lang, ", right", ", correcta") : GL(o->lang, ", not the right one", ", no es la correcta"));
	}
	cJSON_Delete(want);
}

/* Report writers: text for a human, JSON (what `--batch` parses), JUnit
 * XML for CI, and Gradescope's results.json. Every writer builds the whole
 * report in memory first (grade_report_string), so output is all or
 * nothing, and numbers are printed with %.10g so the same grade prints the
 * same bytes. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/buf.h"
#include "sim/grade/check.h"
#include "sim/grade/grade.h"

void grade_format_number(char out[32], double v)
{
	if (v == 0)
		v = 0; /* no "-0" */
	snprintf(out, 32, "%.10g", v);
}

int grade_format_parse(const char *s, enum grade_format *f_r)
{
	static const char *const names[] = {"text", "json", "junit", "gradescope"};
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, names[i])) {
			*f_r = (enum grade_format)i;
			return 0;
		}
	return -1;
}

static cJSON *number(double v)
{
	char n[32];
	grade_format_number(n, v);
	return cJSON_CreateRaw(n);
}

static int add_num(cJSON *o, const char *k, double v)
{
	cJSON *n = number(v);
	if (!n || !cJSON_AddItemToObject(o, k, n)) {
		cJSON_Delete(n);
		return -1;
	}
	return 0;
}

/* ---- text ---- */

static void text_report(const struct grade_report *r, int utf8, struct buf *b)
{
	enum explain_lang l = r->lang;
	char sc[32], mx[32];
	grade_format_number(sc, r->score);
	grade_format_number(mx, r->max_score);
	buf_printf(b, GL(l, "%s: %s of %s points (%s)\n", "%s: %s de %s puntos (%s)\n"), r->exercise, sc, mx, r->submission);
	if (r->status == GRADE_REJECTED)
		buf_printf(b, GL(l, "submission rejected: %s\n", "entrega rechazada: %s\n"), r->reason);
	for (size_t i = 0; i < r->check_count; i++) {
		const struct grade_check_result *c = &r->checks[i];
		grade_format_number(sc, c->score);
		grade_format_number(mx, c->points);
		const char *mark = c->passed ? (utf8 ? "✓" : "ok") : (utf8 ? "✗" : "FAIL");
		buf_printf(b, "%-4s %s/%s  %s (%s)\n", mark, sc, mx, c->title, c->id);
		if (!c->passed && c->feedback[0])
			buf_printf(b, "       %s\n", c->feedback);
		/* A rejected submission's reason is printed once, above. */
		if (r->status == GRADE_GRADED && !c->passed && c->detail[0])
			buf_printf(b, "       %s: %s\n", GL(l, "seen", "visto"), c->detail);
	}
	size_t passed = 0;
	for (size_t i = 0; i < r->check_count; i++)
		passed += r->checks[i].passed;
	buf_printf(b, GL(l, "%zu of %zu checks passed\n", "%zu de %zu verificaciones aprobadas\n"), passed, r->check_count);
}

/* ---- JSON ---- */

static cJSON *json_report(const struct grade_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *checks = cJSON_CreateArray();
	if (!o || !checks)
		goto fail;
	cJSON_AddStringToObject(o, "exercise", r->exercise);
	cJSON_AddStringToObject(o, "submission", r->submission);
	cJSON_AddStringToObject(o, "lang", explain_lang_name(r->lang));
	cJSON_AddStringToObject(o, "status", r->status == GRADE_REJECTED ? "rejected" : "graded");
	if (r->status == GRADE_REJECTED)
		cJSON_AddStringToObject(o, "reason", r->reason);
	add_num(o, "score", r->score);
	add_num(o, "max_score", r->max_score);
	cJSON_AddItemToObject(o, "checks", checks);
	for (size_t i = 0; i < r->check_count; i++) {
		const struct grade_check_result *c = &r->checks[i];
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(checks, e)) {
			cJSON_Delete(e);
			goto fail;
		}
		cJSON_AddStringToObject(e, "id", c->id);
		cJSON_AddStringToObject(e, "title", c->title);
		add_num(e, "points", c->points);
		add_num(e, "score", c->score);
		cJSON_AddBoolToObject(e, "passed", c->passed);
		cJSON_AddStringToObject(e, "feedback", c->feedback);
		cJSON_AddStringToObject(e, "detail", c->detail);
	}
	return o;
fail:
	if (!o)
		cJSON_Delete(checks);
	cJSON_Delete(o);
	return NULL;
}

static cJSON *gradescope_report(const struct grade_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *tests = cJSON_CreateArray();
	if (!o || !tests)
		goto fail;
	add_num(o, "score", r->score);
	struct buf out;
	buf_init(&out, 1u << 20);
	buf_printf(&out, "%s", r->exercise);
	if (r->status == GRADE_REJECTED)
		buf_printf(&out, GL(r->lang, ": submission rejected: %s", ": entrega rechazada: %s"), r->reason);
	cJSON_AddStringToObject(o, "output", out.data ? out.data : "");
	buf_free(&out);
	cJSON_AddItemToObject(o, "tests", tests);
	for (size_t i = 0; i < r->check_count; i++) {
		const struct grade_check_result *c = &r->checks[i];
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddItemToArray(tests, e)) {
			cJSON_Delete(e);
			goto fail;
		}
		cJSON_AddStringToObject(e, "name", c->title);
		add_num(e, "score", c->score);
		add_num(e, "max_score", c->points);
		cJSON_AddStringToObject(e, "status", c->passed ? "passed" : "failed");
		struct buf t;
		buf_init(&t, 1u << 20);
		if (c->feedback[0])
			buf_printf(&t, "%s\n", c->feedback);
		buf_printf(&t, "%s", c->detail);
		cJSON_AddStringToObject(e, "output", t.data ? t.data : "");
		buf_free(&t);
	}
	return o;
fail:
	if (!o)
		cJSON_Delete(tests);
	cJSON_Delete(o);
	return NULL;
}

/* ---- JUnit XML ---- */

/* XML 1.0 text: markup characters escaped, control bytes (not allowed in
 * XML 1.0 at all) replaced. */
static void xml(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&apos;");
			break;
		default:
			if (c < 32 && c != '\n' && c != '\t')
				buf_putc(b, '?');
			else
				buf_putc(b, c);
		}
	}
}

static void junit_report(const struct grade_report *r, struct buf *b)
{
	size_t failures = 0;
	for (size_t i = 0; i < r->check_count; i++)
		failures += !r->checks[i].passed;
	char sc[32], mx[32];
	grade_format_number(sc, r->score);
	grade_format_number(mx, r->max_score);
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mailsim grade\" tests=\"");
	buf_printf(b, "%zu\" failures=\"%zu\" errors=\"0\">\n  <testsuite name=\"", r->check_count, failures);
	xml(b, r->exercise);
	buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", r->check_count, failures);
	buf_puts(b, "    <properties>\n      <property name=\"submission\" value=\"");
	xml(b, r->submission);
	buf_printf(b, "\"/>\n      <property name=\"score\" value=\"%s\"/>\n      <property name=\"max_score\" value=\"%s\"/>\n",
		   sc, mx);
	buf_printf(b, "      <property name=\"status\" value=\"%s\"/>\n", r->status == GRADE_REJECTED ? "rejected" : "graded");
	if (r->status == GRADE_REJECTED) {
		buf_puts(b, "      <property name=\"reason\" value=\"");
		xml(b, r->reason);
		buf_puts(b, "\"/>\n");
	}
	buf_puts(b, "    </properties>\n");
	for (size_t i = 0; i < r->check_count; i++) {
		const struct grade_check_result *c = &r->checks[i];
		buf_puts(b, "    <testcase classname=\"");
		xml(b, r->exercise);
		buf_puts(b, "\" name=\"");
		xml(b, c->id);
		buf_puts(b, ": ");
		xml(b, c->title);
		buf_puts(b, "\" time=\"0\"");
		if (c->passed) {
			buf_puts(b, "/>\n");
			continue;
		}
		grade_format_number(sc, c->score);
		grade_format_number(mx, c->points);
		buf_puts(b, ">\n      <failure message=\"");
		xml(b, c->feedback);
		buf_printf(b, "\" type=\"%s\">", r->status == GRADE_REJECTED ? "rejected" : "failed");
		buf_printf(b, "%s/%s: ", sc, mx);
		xml(b, c->feedback);
		buf_puts(b, "\n");
		xml(b, c->detail);
		buf_puts(b, "</failure>\n    </testcase>\n");
	}
	buf_puts(b, "  </testsuite>\n</testsuites>\n");
}

char *grade_report_string(const struct grade_report *r, enum grade_format f, int utf8)
{
	if (f == GRADE_FORMAT_JSON || f == GRADE_FORMAT_GRADESCOPE) {
		cJSON *j = f == GRADE_FORMAT_JSON ? json_report(r) : gradescope_report(r);
		char *s = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (!s)
			return NULL;
		size_t n = strlen(s);
		char *t = realloc(s, n + 2);
		if (!t) {
			free(s);
			return NULL;
		}
		t[n] = '\n';
		t[n + 1] = 0;
		return t;
	}
	struct buf b;
	buf_init(&b, 64u << 20);
	if (f == GRADE_FORMAT_JUNIT)
		junit_report(r, &b);
	else
		text_report(r, utf8, &b);
	if (b.err || !b.data) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

int grade_report_write(const struct grade_report *r, enum grade_format f, FILE *out, int utf8)
{
	char *s = grade_report_string(r, f, utf8);
	if (!s)
		return -1;
	size_t n = strlen(s);
	int rc = fwrite(s, 1, n, out) == n ? 0 : -1;
	free(s);
	return rc;
}

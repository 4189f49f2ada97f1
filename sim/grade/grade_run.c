/* Grading one submission: read it, build the scenario the run needs (the
 * exercise's, patched for the patch kind, with the student's session and
 * the grader's relay probes added to its mail timeline), build the world,
 * record the run from the bus under the simulated-time limit, then run
 * every check and assemble the report. See grade.h. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/agents/typist.h"
#include "sim/grade/check.h"
#include "sim/grade/grade.h"
#include "sim/grade/obs.h"
#include "sim/grade/submission.h"
#include "sim/observe/ledger.h"
#include "sim/scenario/check.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/world.h"

static char *dup_s(const char *s) { return strdup(s ? s : ""); }

void grade_report_free(struct grade_report **rp)
{
	if (!rp || !*rp)
		return;
	struct grade_report *r = *rp;
	free(r->exercise);
	free(r->submission);
	free(r->reason);
	for (size_t i = 0; i < r->check_count; i++) {
		free(r->checks[i].id);
		free(r->checks[i].title);
		free(r->checks[i].feedback);
		free(r->checks[i].detail);
	}
	free(r->checks);
	free(r);
	*rp = NULL;
}

int grade_report_passed(const struct grade_report *r)
{
	if (r->status != GRADE_GRADED)
		return 0;
	for (size_t i = 0; i < r->check_count; i++)
		if (!r->checks[i].passed)
			return 0;
	return 1;
}

static const char *check_title(const struct grade_check *c, enum explain_lang lang)
{
	if (c->title.text[EXPLAIN_EN])
		return grade_text_get(&c->title, lang);
	return c->id;
}

static struct grade_report *new_report(const struct grade_exercise *ex, const char *name, enum explain_lang lang)
{
	struct grade_report *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->exercise = dup_s(ex->id);
	r->submission = dup_s(name);
	r->lang = lang;
	r->checks = calloc(ex->check_count + 1, sizeof *r->checks);
	if (!r->exercise || !r->submission || !r->checks) {
		grade_report_free(&r);
		return NULL;
	}
	for (size_t i = 0; i < ex->check_count; i++)
		r->max_score += ex->checks[i].points;
	return r;
}

/* Every check scores 0 with the reason as its detail. */
static struct grade_report *rejected(const struct grade_exercise *ex, const char *name, enum explain_lang lang,
				     const char *reason)
{
	struct grade_report *r = new_report(ex, name, lang);
	if (!r)
		return NULL;
	r->status = GRADE_REJECTED;
	r->reason = dup_s(reason);
	for (size_t i = 0; i < ex->check_count; i++) {
		struct grade_check_result *cr = &r->checks[r->check_count++];
		const struct grade_check *c = &ex->checks[i];
		cr->id = dup_s(c->id);
		cr->title = dup_s(check_title(c, lang));
		cr->points = c->points;
		cr->feedback = dup_s(grade_text_get(&c->feedback, lang));
		char d[1200];
		snprintf(d, sizeof d, GL(lang, "submission rejected: %s", "entrega rechazada: %s"), reason);
		cr->detail = dup_s(d);
	}
	return r;
}

/* Appends a "session" action to the scenario's mail timeline; returns its
 * index there, or -1 on ENOMEM. */
static long add_session(cJSON *doc, const char *from, const char *to, int port, sim_time at, char *const *lines,
			size_t n, const char *description)
{
	cJSON *mail = cJSON_GetObjectItemCaseSensitive(doc, "mail");
	if (!mail) {
		mail = cJSON_AddArrayToObject(doc, "mail");
		if (!mail)
			return -1;
	}
	if (!cJSON_IsArray(mail))
		return -1;
	long index = cJSON_GetArraySize(mail);
	char when[64];
	scn_format_duration(at, when, sizeof when);
	cJSON *a = cJSON_CreateObject();
	cJSON *s = cJSON_CreateObject();
	cJSON *l = cJSON_CreateArray();
	if (!a || !s || !l)
		goto fail;
	cJSON_AddItemToObject(s, "lines", l);
	cJSON_AddItemToObject(a, "session", s);
	if (!cJSON_AddStringToObject(a, "at", when) || !cJSON_AddStringToObject(a, "description", description) ||
	    !cJSON_AddStringToObject(s, "from", from) || !cJSON_AddStringToObject(s, "to", to) ||
	    !cJSON_AddNumberToObject(s, "port", port))
		goto fail_a;
	for (size_t i = 0; i < n; i++) {
		cJSON *str = cJSON_CreateString(lines[i]);
		if (!str || !cJSON_AddItemToArray(l, str)) {
			cJSON_Delete(str);
			goto fail_a;
		}
	}
	if (!cJSON_AddItemToArray(mail, a))
		goto fail_a;
	return index;
fail:
	cJSON_Delete(s);
	cJSON_Delete(l);
fail_a:
	cJSON_Delete(a);
	return -1;
}

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The relay probes of relay_refused checks: HELO, MAIL FROM, RCPT TO and
 * QUIT from the outsider (no DATA: a relay that says 250 to RCPT has
 * failed already, and nothing is sent that could be relayed). */
static int add_probes(const struct grade_exercise *ex, cJSON *doc, struct grade_obs *o)
{
	o->probe_action = malloc((ex->check_count + 1) * sizeof *o->probe_action);
	o->probe_conn = calloc(ex->check_count + 1, sizeof *o->probe_conn);
	if (!o->probe_action || !o->probe_conn)
		return -1;
	for (size_t i = 0; i < ex->check_count; i++) {
		o->probe_action[i] = -1;
		const struct grade_check *c = &ex->checks[i];
		if (strcmp(c->type->name, "relay_refused"))
			continue;
		const char *from = str(c->spec, "from"), *to = str(c->spec, "to"), *rcpt = str(c->spec, "rcpt");
		int h = grade_exercise_host(ex, from);
		const char *fq = h >= 0 && ex->scenario->fqdns && ex->scenario->fqdns[h] ? ex->scenario->fqdns[h] : from;
		char l0[300], l1[600], l2[600];
		snprintf(l0, sizeof l0, "HELO %s", fq);
		if (str(c->spec, "mail_from"))
			snprintf(l1, sizeof l1, "MAIL FROM:<%s>", str(c->spec, "mail_from"));
		else
			snprintf(l1, sizeof l1, "MAIL FROM:<spammer@%s>", fq);
		snprintf(l2, sizeof l2, "RCPT TO:<%s>", rcpt);
		char *lines[] = {l0, l1, l2, "QUIT"};
		const cJSON *port = cJSON_GetObjectItemCaseSensitive(c->spec, "port");
		sim_time at = 2 * SIM_S;
		if (str(c->spec, "at"))
			scn_text_duration(str(c->spec, "at"), &at);
		o->probe_action[i] = add_session(doc, from, to, cJSON_IsNumber(port) ? (int)port->valuedouble : 25, at, lines,
						 4, "the grader's relay test");
		if (o->probe_action[i] < 0)
			return -1;
	}
	return 0;
}

static void ledger_problems(struct obs_ledger *l, struct grade_obs *o)
{
	cJSON *j = cJSON_CreateObject();
	if (!j || obs_ledger_add_json(l, j) < 0) {
		cJSON_Delete(j);
		return;
	}
	struct buf b;
	buf_init(&b, 4096);
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "ledger"), "problems"))
		if (cJSON_IsString(p))
			buf_printf(&b, "%s%s", b.len ? "; " : "", p->valuestring);
	o->ledger_text = b.data ? buf_steal(&b, NULL) : NULL;
	buf_free(&b);
	cJSON_Delete(j);
}

/* Loads the run's scenario from doc; on failure the reason (the first
 * diagnostics, without the file name) and NULL. */
static struct scenario *load_run_scenario(const struct grade_exercise *ex, const cJSON *doc, enum explain_lang lang,
					  char *reason, size_t rlen)
{
	char *text = cJSON_Print(doc);
	if (!text) {
		snprintf(reason, rlen, "out of memory");
		return NULL;
	}
	struct scn_diag *d = scn_diag_new();
	struct scenario *s = d ? scenario_load_text(ex->scenario_name, text, strlen(text), d) : NULL;
	if (!s && d) {
		size_t pos = (size_t)snprintf(reason, rlen, "%s",
					      GL(lang, "the changed scenario is not valid: ", "el escenario modificado no es válido: "));
		size_t nl = strlen(ex->scenario_name);
		for (size_t i = 0; i < scn_diag_kept(d) && i < 3 && pos < rlen; i++) {
			const char *m = scn_diag_message(d, i);
			if (!strncmp(m, ex->scenario_name, nl)) {
				m += nl;
				m += strspn(m, ":0123456789");
				m += strspn(m, " ");
			}
			pos += (size_t)snprintf(reason + pos, rlen - pos, "%s%s", i ? "; " : "", m);
		}
	}
	scn_diag_free(&d);
	free(text);
	return s;
}

static void set_detail(struct grade_check_result *cr, struct grade_verdict *v)
{
	cr->detail = v->detail.data ? buf_steal(&v->detail, NULL) : dup_s("");
}

static struct grade_report *run_checks(const struct grade_exercise *ex, const char *name, enum explain_lang lang,
				       struct grade_obs *o)
{
	struct grade_report *r = new_report(ex, name, lang);
	if (!r)
		return NULL;
	for (size_t i = 0; i < ex->check_count; i++) {
		const struct grade_check *c = &ex->checks[i];
		struct grade_verdict v = {0};
		buf_init(&v.detail, 16384);
		c->type->run(c, o, &v);
		double f = v.fraction < 0 ? 0 : v.fraction > 1 ? 1 : v.fraction;
		struct grade_check_result *cr = &r->checks[r->check_count++];
		cr->id = dup_s(c->id);
		cr->title = dup_s(check_title(c, lang));
		cr->points = c->points;
		cr->passed = f >= 1;
		/* Partial credit only where the exercise says so; rounded to
		 * 1/1000 of a point so reports do not show 0.3333333333. */
		cr->score = cr->passed ? c->points : c->partial ? floor(c->points * f * 1000 + 0.5) / 1000 : 0;
		cr->feedback = dup_s(cr->passed ? "" : grade_text_get(&c->feedback, lang));
		set_detail(cr, &v);
		buf_free(&v.detail);
		r->score += cr->score;
	}
	return r;
}

struct grade_report *grade_text(const struct grade_exercise *ex, const char *name, const char *data, size_t len,
				enum explain_lang lang, char *err, size_t errlen)
{
	char reason[1024] = "";
	struct grade_prepared prep;
	int rc = grade_submission_prepare(ex, data, len, lang, &prep, reason, sizeof reason);
	if (rc == GRADE_PREP_NOMEM) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (rc == GRADE_PREP_REJECTED)
		return rejected(ex, name, lang, reason);

	struct grade_report *report = NULL;
	struct grade_obs o = {.ex = ex, .lang = lang, .student_action = -1, .student_session = -1};
	struct explain *explain = NULL;
	struct scenario *s = NULL;
	struct scn_world *w = NULL;
	struct obs_ledger *ledger = NULL;
	cJSON *doc = prep.scenario ? prep.scenario : cJSON_Duplicate(ex->scenario_json, 1);
	prep.scenario = NULL;
	if (!doc)
		goto nomem;
	o.sub_text = data;
	o.sub_len = len;
	o.answers = prep.answers;
	if (ex->sub.kind == GRADE_KIND_TRANSCRIPT || ex->sub.kind == GRADE_KIND_EML) {
		o.student_action = add_session(doc, ex->sub.from, ex->sub.to, ex->sub.port, ex->sub.at, prep.lines,
					       prep.count, "the student's submission");
		if (o.student_action < 0)
			goto nomem;
		o.typed_line_no = prep.line_no;
		o.typed_count = prep.count;
		prep.line_no = NULL;
	}
	if (add_probes(ex, doc, &o) < 0)
		goto nomem;
	s = load_run_scenario(ex, doc, lang, reason, sizeof reason);
	if (!s) {
		report = rejected(ex, name, lang, reason);
		goto out;
	}
	w = scn_world_new(s, ex->seed, err, errlen);
	if (!w) {
		/* A patched network that cannot be built is the patch's fault. */
		if (ex->sub.kind == GRADE_KIND_PATCH)
			report = rejected(ex, name, lang, err);
		goto out;
	}
	char xerr[256];
	explain = explain_builtin(xerr, sizeof xerr);
	o.explain = explain;
	if (grade_obs_open(&o, w) < 0 || !(ledger = obs_ledger_open(scn_world_sim(w), scn_world_net(w))))
		goto nomem;
	enum sim_stop_reason why = scn_world_run(w, ex->until);
	o.end_time = sim_now(scn_world_sim(w));
	grade_obs_close(&o);
	if (why == SIM_FAILED) {
		snprintf(err, errlen, "the simulation failed: %s",
			 sim_error(scn_world_sim(w)) ? sim_error(scn_world_sim(w)) : "unknown error");
		goto out;
	}
	if (o.nomem)
		goto nomem;
	for (size_t i = 0; i < s->mta_count; i++)
		obs_ledger_declare_mta(ledger, scn_world_mta(w, i));
	o.ledger_balanced = obs_ledger_balanced(ledger);
	if (!o.ledger_balanced)
		ledger_problems(ledger, &o);
	if (o.student_action >= 0) {
		struct typist *t = scn_world_typist(w, (size_t)o.student_action);
		struct grade_session *ss = t ? grade_obs_session_of(&o, typist_conn_id(t)) : NULL;
		o.student_session = ss ? (long)(ss - o.sessions) : -1;
	}
	for (size_t i = 0; i < ex->check_count; i++)
		if (o.probe_action[i] >= 0) {
			struct typist *t = scn_world_typist(w, (size_t)o.probe_action[i]);
			o.probe_conn[i] = t ? typist_conn_id(t) : 0;
		}
	report = run_checks(ex, name, lang, &o);
	if (!report)
		goto nomem;
	goto out;
nomem:
	snprintf(err, errlen, "out of memory");
	grade_report_free(&report);
out:
	grade_obs_close(&o);
	obs_ledger_close(&ledger);
	scn_world_free(&w);
	scenario_free(&s);
	grade_obs_clear(&o);
	explain_free(&explain);
	cJSON_Delete(doc);
	grade_prepared_clear(&prep);
	return report;
}

struct grade_report *grade_file(const struct grade_exercise *ex, const char *path, enum explain_lang lang, char *err,
				size_t errlen)
{
	char *data = NULL, msg[600];
	size_t len = 0;
	if (grade_read_file(path, ex->sub.max_bytes, &data, &len, msg, sizeof msg) < 0) {
		/* Too large or unreadable: the submission's problem, not the
		 * grader's (the caller checks that the path exists). */
		return rejected(ex, path, lang, msg);
	}
	struct grade_report *r = grade_text(ex, path, data, len, lang, err, errlen);
	free(data);
	return r;
}

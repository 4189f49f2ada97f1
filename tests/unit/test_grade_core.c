/* Grader core without running a world: the RFC 7386 merge patch and the
 * allow-list, the exercise loader's diagnostics, and the report formats
 * (JSON keys the batch grader reads, Gradescope's keys, JUnit escaping). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sim/grade/grade.h"
#include "sim/grade/submission.h"
#include "sim/scenario/diag.h"

static void test_merge_patch_rfc7386(void)
{
	/* RFC 7386 appendix A examples. */
	static const char *const cases[][3] = {
		{"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
		{"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
		{"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
		{"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
		{"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
		{"{\"a\":\"foo\"}", "null", "null"},
		{"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
		{"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
		{"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cJSON *t = cJSON_Parse(cases[i][0]), *p = cJSON_Parse(cases[i][1]), *want = cJSON_Parse(cases[i][2]);
		cJSON *got = grade_merge_patch(t, p);
		CHECK(got && cJSON_Compare(got, want, 1));
		cJSON_Delete(got);
		cJSON_Delete(p);
		cJSON_Delete(want);
	}
}

static void test_allow_list(void)
{
	cJSON *a = cJSON_Parse("{\"dns\":{\"zones\":[{\"origin\":\"x\"},{\"origin\":\"y\",\"records\":[]}]},"
			       "\"mtas\":[{\"relay_from\":[\"10.0.0.0/8\"],\"open_relay\":false}]}");
	char *allow[] = {"/dns/zones/*/records", "/mtas/0/relay_from"};
	char where[256];
	/* Records added to a zone, by repeating the zones: allowed. */
	cJSON *b = cJSON_Parse("{\"dns\":{\"zones\":[{\"origin\":\"x\",\"records\":[{\"n\":1}]},{\"origin\":\"y\",\"records\":[{\"n\":2}]}]},"
			       "\"mtas\":[{\"relay_from\":[],\"open_relay\":false}]}");
	CHECK(grade_patch_forbidden(a, b, allow, 2, where, sizeof where) == 0);
	CHECK_STR(where, "");
	cJSON_Delete(b);
	/* A zone dropped: its origin differs. */
	b = cJSON_Parse("{\"dns\":{\"zones\":[{\"origin\":\"y\",\"records\":[]}]},\"mtas\":[{\"relay_from\":[\"10.0.0.0/8\"],\"open_relay\":false}]}");
	CHECK(grade_patch_forbidden(a, b, allow, 2, where, sizeof where) == 1);
	CHECK_STR(where, "/dns/zones/0/origin");
	cJSON_Delete(b);
	/* A forbidden key. */
	b = cJSON_Parse("{\"dns\":{\"zones\":[{\"origin\":\"x\"},{\"origin\":\"y\",\"records\":[]}]},"
			"\"mtas\":[{\"relay_from\":[\"10.0.0.0/8\"],\"open_relay\":true}]}");
	CHECK(grade_patch_forbidden(a, b, allow, 2, where, sizeof where) == 1);
	CHECK_STR(where, "/mtas/0/open_relay");
	cJSON_Delete(b);
	/* Keys with / and ~ are escaped in the pointer. */
	b = cJSON_Duplicate(a, 1);
	cJSON_AddNumberToObject(b, "a/b~c", 1);
	CHECK(grade_patch_forbidden(a, b, allow, 2, where, sizeof where) == 1);
	CHECK_STR(where, "/a~1b~0c");
	cJSON_Delete(b);
	cJSON_Delete(a);
}

static const char *const good_exercise =
	"{\"id\": \"t\", \"title\": {\"en\": \"T\", \"es\": \"T\"}, \"statement\": {\"en\": \"S\", \"es\": \"S\"},\n"
	" \"scenario\": {\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}, {\"name\": \"b\", \"ip\": \"10.0.0.2\"}],\n"
	"              \"links\": [{\"a\": \"a\", \"b\": \"b\"}]},\n"
	" \"submission\": {\"kind\": \"transcript\", \"from\": \"a\", \"to\": \"b\"},\n"
	" \"checks\": [\n"
	"  {\"id\": \"c1\", \"type\": \"%s\", \"points\": 1, \"code\": \"250\",\n"
	"   \"feedback\": {\"en\": \"f\", \"es\": \"f\"}}\n"
	" ]}\n";

static struct grade_exercise *load(const char *type, struct scn_diag *d)
{
	char text[2048];
	snprintf(text, sizeof text, good_exercise, type);
	return grade_exercise_load_text("ex.json", text, strlen(text), d);
}

static int diag_has(struct scn_diag *d, const char *s)
{
	for (size_t i = 0; i < scn_diag_kept(d); i++)
		if (strstr(scn_diag_message(d, i), s))
			return 1;
	return 0;
}

static void test_loader_diagnostics(void)
{
	struct scn_diag *d = scn_diag_new();
	struct grade_exercise *ex = load("reply", d);
	for (size_t i = 0; i < scn_diag_kept(d); i++)
		fprintf(stderr, "%s\n", scn_diag_message(d, i));
	REQUIRE(ex);
	CHECK(ex->check_count == 1);
	CHECK(ex->sub.kind == GRADE_KIND_TRANSCRIPT);
	grade_exercise_free(&ex);
	CHECK(ex == NULL);
	/* A misspelt type: file, line, path and a suggestion. */
	scn_diag_clear(d);
	ex = load("replyy", d);
	CHECK(!ex);
	CHECK(diag_has(d, "ex.json:6: checks[0].type: \"replyy\" is no check type (did you mean \"reply\"?"));
	/* Not JSON. */
	scn_diag_clear(d);
	CHECK(!grade_exercise_load_text("ex.json", "{\"id\": ", 7, d));
	CHECK(diag_has(d, "ex.json:1:7: not valid JSON"));
	/* A missing key, a key of another kind, an unknown host. */
	scn_diag_clear(d);
	const char *bad = "{\"id\": \"t\", \"title\": {\"en\": \"T\", \"es\": \"T\"}, \"statement\": {\"en\": \"S\"},\n"
			  " \"scenario\": {\"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}]},\n"
			  " \"submission\": {\"kind\": \"transcript\", \"from\": \"a\", \"to\": \"zz\", \"allow\": []},\n"
			  " \"checks\": []}";
	CHECK(!grade_exercise_load_text("ex.json", bad, strlen(bad), d));
	CHECK(diag_has(d, "statement"));
	CHECK(diag_has(d, "submission.to: \"zz\" is no host of the scenario"));
	CHECK(diag_has(d, "is not used by kind \"transcript\""));
	CHECK(diag_has(d, "checks: is empty"));
	scn_diag_free(&d);
}

static struct grade_report *sample_report(void)
{
	struct grade_report *r = calloc(1, sizeof *r);
	r->exercise = strdup("ex<1>");
	r->submission = strdup("a&b.txt");
	r->lang = EXPLAIN_EN;
	r->status = GRADE_GRADED;
	r->checks = calloc(2, sizeof *r->checks);
	r->check_count = 2;
	r->checks[0] = (struct grade_check_result){strdup("ok"), strdup("Fine"), 2, 2, 1, strdup(""), strdup("seen")};
	r->checks[1] = (struct grade_check_result){strdup("bad"), strdup("Bad \"one\""), 1.5, 0, 0, strdup("fix <it>"),
						   strdup("line 1 `x` got `500 \x01`")};
	r->score = 2;
	r->max_score = 3.5;
	return r;
}

static void test_report_json_and_gradescope(void)
{
	struct grade_report *r = sample_report();
	char *s = grade_report_string(r, GRADE_FORMAT_JSON, 0);
	cJSON *j = cJSON_Parse(s);
	REQUIRE(j);
	CHECK_STR(cJSON_GetObjectItem(j, "status")->valuestring, "graded");
	CHECK(cJSON_GetObjectItem(j, "score")->valuedouble == 2);
	CHECK(cJSON_GetObjectItem(j, "max_score")->valuedouble == 3.5);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "checks")) == 2);
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "checks"), 1);
	CHECK(cJSON_IsFalse(cJSON_GetObjectItem(c, "passed")));
	CHECK_STR(cJSON_GetObjectItem(c, "feedback")->valuestring, "fix <it>");
	cJSON_Delete(j);
	/* Same bytes twice. */
	char *s2 = grade_report_string(r, GRADE_FORMAT_JSON, 0);
	CHECK_STR(s, s2);
	free(s);
	free(s2);
	s = grade_report_string(r, GRADE_FORMAT_GRADESCOPE, 0);
	j = cJSON_Parse(s);
	REQUIRE(j);
	CHECK(cJSON_IsNumber(cJSON_GetObjectItem(j, "score")));
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tests"), 1);
	CHECK(t && cJSON_IsString(cJSON_GetObjectItem(t, "name")) && cJSON_IsNumber(cJSON_GetObjectItem(t, "max_score")));
	CHECK_STR(cJSON_GetObjectItem(t, "status")->valuestring, "failed");
	cJSON_Delete(j);
	free(s);
	s = grade_report_string(r, GRADE_FORMAT_JUNIT, 0);
	CHECK(strstr(s, "<testsuite name=\"ex&lt;1&gt;\" tests=\"2\" failures=\"1\""));
	CHECK(strstr(s, "name=\"bad: Bad &quot;one&quot;\""));
	CHECK(strstr(s, "got `500 ?`")); /* a control byte is no XML */
	free(s);
	s = grade_report_string(r, GRADE_FORMAT_TEXT, 0);
	CHECK(strstr(s, "FAIL 0/1.5  Bad \"one\" (bad)"));
	free(s);
	grade_report_free(&r);
	CHECK(r == NULL);
}

int main(void)
{
	RUN(test_merge_patch_rfc7386);
	RUN(test_allow_list);
	RUN(test_loader_diagnostics);
	RUN(test_report_json_and_gradescope);
	return harness_done();
}

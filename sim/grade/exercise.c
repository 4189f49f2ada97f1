/* The exercise loader: reads an exercise JSON file, checks every key and
 * value (errors name the file, line and JSON path and what was expected),
 * loads its scenario once to find a teacher's mistakes before any student
 * is graded, and builds the model of exercise.h. */
#include "sim/grade/exercise.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/grade/check.h"
#include "sim/grade/query.h"
#include "sim/scenario/check.h"
#include "sim/scenario/diag.h"
#include "sim/scenario/json_locate.h"
#include "sim/scenario/scenario.h"

#define GRADE_MAX_EXERCISE_FILE (16u << 20)
#define GRADE_MAX_CHECKS 200
#define GRADE_MAX_QUESTIONS 100
#define GRADE_MAX_ALLOW 100

static const char *const kind_names[] = {"transcript", "eml", "patch", "answers", "program", NULL};

const char *grade_kind_name(enum grade_kind k) { return k < GRADE_KIND_COUNT ? kind_names[k] : "?"; }

const char *grade_text_get(const struct grade_text *t, enum explain_lang lang)
{
	if (lang < EXPLAIN_LANG_COUNT && t->text[lang])
		return t->text[lang];
	return t->text[EXPLAIN_EN] ? t->text[EXPLAIN_EN] : "";
}

void grade_text_clear(struct grade_text *t)
{
	for (int i = 0; i < EXPLAIN_LANG_COUNT; i++) {
		free(t->text[i]);
		t->text[i] = NULL;
	}
}

static char *dup_str(const char *s) { return s ? strdup(s) : NULL; }

static const struct scn_key text_keys[] = {
	{"en", SCN_STRING, 1, "the English text"},
	{"es", SCN_STRING, 1, "the Spanish text"},
	{NULL, 0, 0, NULL},
};

int grade_parse_text(struct scn_ctx *ctx, const cJSON *obj, const char *key, int required, struct grade_text *t_r)
{
	const cJSON *v = scn_get(obj, key);
	if (!v)
		return 1;
	(void)required; /* absence is reported by the key table */
	if (!cJSON_IsObject(v))
		return -1;
	scn_push_key(ctx, key);
	int bad = scn_check_keys(ctx, v, text_keys);
	if (!bad) {
		t_r->text[EXPLAIN_EN] = dup_str(scn_get_string(v, "en"));
		t_r->text[EXPLAIN_ES] = dup_str(scn_get_string(v, "es"));
		if (t_r->text[EXPLAIN_EN] && !t_r->text[EXPLAIN_EN][0]) {
			scn_push_key(ctx, "en");
			scn_error(ctx, "is empty (expected the English text)");
			scn_pop(ctx);
			bad = 1;
		}
	}
	scn_pop(ctx);
	return bad ? -1 : 0;
}

int grade_read_file(const char *path, uint64_t max, char **buf_r, size_t *len_r, char *err, size_t errlen)
{
	*buf_r = NULL;
	*len_r = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			if (ncap > max + 1)
				ncap = (size_t)max + 1;
			if (ncap <= cap) { /* read max + 1 bytes already: too large */
				snprintf(err, errlen, "%s: larger than the limit of %llu bytes", path, (unsigned long long)max);
				goto fail;
			}
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
				goto fail;
			}
			break;
		}
	}
	if (len > max) {
		snprintf(err, errlen, "%s: larger than the limit of %llu bytes", path, (unsigned long long)max);
		goto fail;
	}
	fclose(f);
	if (!buf && !(buf = malloc(1))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

/* ---- the submission object ---- */

static const struct scn_key submission_keys[] = {
	{"kind", SCN_STRING, 1, "one of transcript, eml, patch, answers, program"},
	{"max_bytes", SCN_NUMBER | SCN_STRING, 0, "the largest submission accepted, such as 65536 or \"64KiB\""},
	{"from", SCN_STRING, 0, "the host the session is typed from"},
	{"to", SCN_STRING, 0, "the host of the server"},
	{"port", SCN_NUMBER, 0, "the server's port (default 25)"},
	{"at", SCN_STRING, 0, "when the session starts, such as \"1s\""},
	{"mail_from", SCN_STRING, 0, "the envelope sender (default: the message's From)"},
	{"rcpt_to", SCN_ARRAY, 0, "the envelope recipients (default: every To, Cc and Bcc address)"},
	{"allow", SCN_ARRAY, 0, "the JSON pointers a patch may change, such as [\"/dns/zones/*/records\"]"},
	{"questions", SCN_ARRAY, 0, "the questions: [{\"id\", \"text\", \"compute\"}]"},
	{"languages", SCN_ARRAY, 0, "program: the languages accepted, [\"c\", \"python\"]"},
	{"bridge", SCN_OBJECT, 0, "program: {\"via\", \"to\", \"port\"}"},
	{"wall_limit", SCN_STRING, 0, "program: the wall-clock limit, such as \"20s\""},
	{"cpu_limit", SCN_STRING, 0, "program: the CPU limit, such as \"10s\""},
	{"memory_mb", SCN_NUMBER, 0, "program: the memory limit in MB"},
	{"args", SCN_ARRAY, 0, "program: its arguments"},
	{"env", SCN_OBJECT, 0, "program: extra environment variables"},
	{NULL, 0, 0, NULL},
};

/* Which optional keys each kind uses (a key given to a kind that ignores
 * it is an error: the teacher meant something). */
static const char *const kind_keys[GRADE_KIND_COUNT][12] = {
	[GRADE_KIND_TRANSCRIPT] = {"from", "to", "port", "at", NULL},
	[GRADE_KIND_EML] = {"from", "to", "port", "at", "mail_from", "rcpt_to", NULL},
	[GRADE_KIND_PATCH] = {"allow", NULL},
	[GRADE_KIND_ANSWERS] = {"questions", NULL},
	[GRADE_KIND_PROGRAM] = {"languages", "bridge", "wall_limit", "cpu_limit", "memory_mb", "args", "env", NULL},
};

static int kind_uses(enum grade_kind k, const char *key)
{
	if (!strcmp(key, "kind") || !strcmp(key, "max_bytes"))
		return 1;
	for (int i = 0; kind_keys[k][i]; i++)
		if (!strcmp(kind_keys[k][i], key))
			return 1;
	return 0;
}

static char **string_list(struct scn_ctx *ctx, const cJSON *obj, const char *key, size_t max, size_t *n_r)
{
	*n_r = 0;
	const cJSON *list = scn_get(obj, key);
	if (!cJSON_IsArray(list))
		return NULL;
	scn_push_key(ctx, key);
	if (scn_check_count(ctx, list, (int)max, "entries") < 0) {
		scn_pop(ctx);
		return NULL;
	}
	size_t n = (size_t)cJSON_GetArraySize(list);
	char **out = calloc(n + 1, sizeof *out);
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		scn_push_index(ctx, i);
		if (!cJSON_IsString(e) || !e->valuestring[0])
			scn_error_type(ctx, e, "a non-empty string");
		else if (out)
			out[(*n_r)++] = strdup(e->valuestring);
		scn_pop(ctx);
		i++;
	}
	scn_pop(ctx);
	return out;
}

static const struct scn_key question_keys[] = {
	{"id", SCN_STRING, 1, "the question's id, the key of its answer in the student's file"},
	{"text", SCN_OBJECT, 1, "the question: {\"en\": ..., \"es\": ...}"},
	{"compute", SCN_OBJECT, 1, "how the right answer is computed: {\"query\": \"received_hosts\", ...}"},
	{NULL, 0, 0, NULL},
};

static void load_questions(struct scn_ctx *ctx, struct grade_exercise *ex, const cJSON *sub)
{
	const cJSON *list = scn_get(sub, "questions");
	if (!cJSON_IsArray(list))
		return;
	scn_push_key(ctx, "questions");
	if (scn_check_count(ctx, list, GRADE_MAX_QUESTIONS, "questions") < 0 || cJSON_GetArraySize(list) == 0) {
		if (cJSON_GetArraySize(list) == 0)
			scn_error(ctx, "is empty (expected at least one question)");
		scn_pop(ctx);
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(list);
	ex->sub.questions = calloc(n, sizeof *ex->sub.questions);
	if (!ex->sub.questions) {
		scn_pop(ctx);
		return;
	}
	size_t i = 0;
	const cJSON *q;
	cJSON_ArrayForEach(q, list) {
		scn_push_index(ctx, i++);
		if (!cJSON_IsObject(q)) {
			scn_error_type(ctx, q, "a question object");
			scn_pop(ctx);
			continue;
		}
		if (scn_check_keys(ctx, q, question_keys) == 0) {
			struct grade_question *gq = &ex->sub.questions[ex->sub.question_count++];
			gq->id = strdup(scn_get_string(q, "id"));
			grade_parse_text(ctx, q, "text", 1, &gq->text);
			for (size_t k = 0; k + 1 < ex->sub.question_count; k++)
				if (gq->id && ex->sub.questions[k].id && !strcmp(ex->sub.questions[k].id, gq->id)) {
					scn_push_key(ctx, "id");
					scn_error(ctx, "\"%s\" is the id of an earlier question too (ids must differ)", gq->id);
					scn_pop(ctx);
				}
			scn_push_key(ctx, "compute");
			int qi = grade_query_validate(ctx, ex, scn_get(q, "compute"));
			scn_pop(ctx);
			if (qi >= 0)
				gq->query = (enum grade_query)qi;
			gq->compute = cJSON_Duplicate(scn_get(q, "compute"), 1);
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

static void load_submission(struct scn_ctx *ctx, struct grade_exercise *ex, const cJSON *root)
{
	const cJSON *sub = scn_get(root, "submission");
	if (!cJSON_IsObject(sub))
		return;
	scn_push_key(ctx, "submission");
	if (scn_check_keys(ctx, sub, submission_keys)) {
		scn_pop(ctx);
		return;
	}
	int kind = 0;
	if (scn_parse_enum(ctx, sub, "kind", kind_names, &kind) != 0) {
		scn_pop(ctx);
		return;
	}
	struct grade_submission_spec *sp = &ex->sub;
	sp->kind = (enum grade_kind)kind;
	const cJSON *e;
	cJSON_ArrayForEach(e, sub) {
		if (e->string && !kind_uses(sp->kind, e->string))
			scn_error_key(ctx, e->string, 0, "is not used by kind \"%s\" (its keys: %s)", kind_names[kind],
				      sp->kind == GRADE_KIND_TRANSCRIPT ? "from, to, port, at"
				      : sp->kind == GRADE_KIND_EML     ? "from, to, port, at, mail_from, rcpt_to"
				      : sp->kind == GRADE_KIND_PATCH   ? "allow"
				      : sp->kind == GRADE_KIND_ANSWERS ? "questions"
								       : "languages, bridge, wall_limit, cpu_limit, memory_mb, args, env");
	}
	sp->max_bytes = GRADE_DEFAULT_MAX_BYTES;
	scn_parse_size(ctx, sub, "max_bytes", 1, GRADE_MAX_MAX_BYTES, &sp->max_bytes);
	switch (sp->kind) {
	case GRADE_KIND_TRANSCRIPT:
	case GRADE_KIND_EML: {
		for (int k = 0; k < 2; k++) {
			const char *key = k ? "to" : "from";
			const char *name = scn_get_string(sub, key);
			if (!name) {
				scn_error_key(ctx, key, 0, "is missing (expected the host the session is typed %s)",
					      k ? "to" : "from");
				continue;
			}
			if (ex->scenario && grade_exercise_host(ex, name) < 0) {
				scn_push_key(ctx, key);
				char q[96];
				scn_error(ctx, "%s is no host of the scenario", scn_quote(name, q, sizeof q));
				scn_pop(ctx);
			}
			if (k)
				sp->to = strdup(name);
			else
				sp->from = strdup(name);
		}
		int64_t port = 25;
		scn_parse_int(ctx, sub, "port", 1, 65535, &port);
		sp->port = (uint16_t)port;
		sp->at = SIM_S;
		scn_parse_duration(ctx, sub, "at", &sp->at);
		if (sp->kind == GRADE_KIND_EML) {
			sp->mail_from = dup_str(scn_get_string(sub, "mail_from"));
			sp->rcpt_to = string_list(ctx, sub, "rcpt_to", 100, &sp->rcpt_count);
		}
		break;
	}
	case GRADE_KIND_PATCH:
		if (!scn_get(sub, "allow")) {
			scn_error_key(ctx, "allow", 0,
				      "is missing (expected the JSON pointers a patch may change, such as [\"/dns/zones/*/records\"])");
			break;
		}
		sp->allow = string_list(ctx, sub, "allow", GRADE_MAX_ALLOW, &sp->allow_count);
		for (size_t i = 0; i < sp->allow_count; i++)
			if (sp->allow[i][0] != '/') {
				scn_push_key(ctx, "allow");
				scn_push_index(ctx, i);
				scn_error(ctx, "\"%s\" is not a JSON pointer (expected one starting with /, such as \"/mtas/0/relay_from\")",
					  sp->allow[i]);
				scn_pop(ctx);
				scn_pop(ctx);
			}
		break;
	case GRADE_KIND_ANSWERS:
		if (!scn_get(sub, "questions")) {
			scn_error_key(ctx, "questions", 0, "is missing (expected the list of questions)");
			break;
		}
		load_questions(ctx, ex, sub);
		break;
	case GRADE_KIND_PROGRAM:
		/* The external program kind needs the sandbox and the bridge
		 * runner (sim/grade/grade_program.c), not in this build. */
		scn_push_key(ctx, "kind");
		scn_error(ctx, "kind \"program\" is not built yet in this version of mailsim");
		scn_pop(ctx);
		sp->program = cJSON_Duplicate(sub, 1);
		break;
	case GRADE_KIND_COUNT:
		break;
	}
	scn_pop(ctx);
}

/* ---- checks ---- */

static const struct scn_key check_common_keys[] = {
	{"id", SCN_STRING, 1, "the check's id, such as \"local-delivered\""},
	{"type", SCN_STRING, 1, "the check type, such as \"delivered\""},
	{"points", SCN_NUMBER, 1, "the points it is worth"},
	{"partial", SCN_BOOL, 0, "true: part of the points for part of the answer"},
	{"title", SCN_OBJECT, 0, "a short title: {\"en\": ..., \"es\": ...}"},
	{"feedback", SCN_OBJECT, 1, "what a student who fails it should read: {\"en\": ..., \"es\": ...}"},
	{NULL, 0, 0, NULL},
};

#define MAX_CHECK_KEYS 40

static void load_check(struct scn_ctx *ctx, struct grade_exercise *ex, const cJSON *c)
{
	if (!cJSON_IsObject(c)) {
		scn_error_type(ctx, c, "a check object {\"id\", \"type\", \"points\", \"feedback\", ...}");
		return;
	}
	const char *tname = scn_get_string(c, "type");
	const struct grade_check_type *t = tname ? grade_check_type_find(tname) : NULL;
	if (tname && !t) {
		char q[96], list[512] = "";
		const char *const *names = grade_check_type_names();
		for (size_t i = 0; names[i]; i++) {
			strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
			strncat(list, names[i], sizeof list - strlen(list) - 1);
		}
		const char *sug = scn_suggest(tname, names);
		scn_push_key(ctx, "type");
		if (sug)
			scn_error(ctx, "%s is no check type (did you mean \"%s\"? the types: %s)", scn_quote(tname, q, sizeof q),
				  sug, list);
		else
			scn_error(ctx, "%s is no check type (expected one of %s)", scn_quote(tname, q, sizeof q), list);
		scn_pop(ctx);
		return;
	}
	struct scn_key keys[MAX_CHECK_KEYS];
	size_t nk = 0;
	for (size_t i = 0; check_common_keys[i].name; i++)
		keys[nk++] = check_common_keys[i];
	for (size_t i = 0; t && t->keys[i].name && nk + 1 < MAX_CHECK_KEYS; i++)
		keys[nk++] = t->keys[i];
	keys[nk] = (struct scn_key){NULL, 0, 0, NULL};
	if (scn_check_keys(ctx, c, keys) || !t)
		return;
	struct grade_check *gc = &ex->checks[ex->check_count++];
	gc->type = t;
	gc->id = strdup(scn_get_string(c, "id"));
	for (size_t k = 0; k + 1 < ex->check_count; k++)
		if (gc->id && ex->checks[k].id && !strcmp(ex->checks[k].id, gc->id)) {
			scn_push_key(ctx, "id");
			scn_error(ctx, "\"%s\" is the id of an earlier check too (ids must differ)", gc->id);
			scn_pop(ctx);
		}
	double points = 0;
	if (scn_parse_number(ctx, c, "points", &points) == 0 && (points < 0 || points > 1e6)) {
		scn_push_key(ctx, "points");
		scn_error(ctx, "%g is out of range (expected a number from 0 to 1000000)", points);
		scn_pop(ctx);
	}
	gc->points = points;
	gc->partial = cJSON_IsTrue(scn_get(c, "partial"));
	grade_parse_text(ctx, c, "title", 0, &gc->title);
	grade_parse_text(ctx, c, "feedback", 1, &gc->feedback);
	if (t->validate)
		t->validate(ctx, ex, c);
	gc->spec = cJSON_Duplicate(c, 1);
}

static void load_checks(struct scn_ctx *ctx, struct grade_exercise *ex, const cJSON *root)
{
	const cJSON *list = scn_get(root, "checks");
	if (!cJSON_IsArray(list))
		return;
	scn_push_key(ctx, "checks");
	if (scn_check_count(ctx, list, GRADE_MAX_CHECKS, "checks") < 0) {
		scn_pop(ctx);
		return;
	}
	size_t n = (size_t)cJSON_GetArraySize(list);
	if (n == 0)
		scn_error(ctx, "is empty (expected at least one check)");
	ex->checks = calloc(n + 1, sizeof *ex->checks);
	if (!ex->checks) {
		scn_pop(ctx);
		return;
	}
	size_t i = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, list) {
		scn_push_index(ctx, i++);
		load_check(ctx, ex, c);
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

/* ---- the scenario ---- */

static char *dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');
	return slash ? strndup(file, (size_t)(slash - file + 1)) : strdup("");
}

static void load_scenario(struct scn_ctx *ctx, struct grade_exercise *ex, const cJSON *root)
{
	const cJSON *v = scn_get(root, "scenario");
	if (!v)
		return;
	scn_push_key(ctx, "scenario");
	if (cJSON_IsString(v)) {
		if (!v->valuestring[0] || v->valuestring[0] == '/') {
			scn_error(ctx, "expected a path relative to the exercise file, such as \"scenario.json\"");
			scn_pop(ctx);
			return;
		}
		char *dir = dir_of(ctx->file);
		size_t n = strlen(dir) + strlen(v->valuestring) + 1;
		ex->scenario_name = malloc(n);
		if (ex->scenario_name)
			snprintf(ex->scenario_name, n, "%s%s", dir, v->valuestring);
		free(dir);
		if (!ex->scenario_name) {
			scn_pop(ctx);
			return;
		}
		char err[512], *text = NULL;
		size_t len = 0;
		if (grade_read_file(ex->scenario_name, GRADE_MAX_EXERCISE_FILE, &text, &len, err, sizeof err) < 0) {
			scn_error(ctx, "%s", err);
			scn_pop(ctx);
			return;
		}
		ex->scenario = scenario_load_text(ex->scenario_name, text, len, ctx->diag);
		if (!ex->scenario)
			ctx->errors++;
		else
			ex->scenario_json = cJSON_ParseWithLength(text, len);
		free(text);
	} else if (cJSON_IsObject(v)) {
		/* Inline: loaded from its own reformatted text; its relative
		 * paths resolve from the exercise's folder. Messages name it
		 * "EXERCISE (inline scenario)" with lines of that text. */
		size_t n = strlen(ctx->file) + 32;
		ex->scenario_name = malloc(n);
		char *text = cJSON_Print(v);
		if (ex->scenario_name && text) {
			snprintf(ex->scenario_name, n, "%s (inline scenario)", ctx->file);
			ex->scenario = scenario_load_text(ex->scenario_name, text, strlen(text), ctx->diag);
			if (!ex->scenario)
				ctx->errors++;
			else
				ex->scenario_json = cJSON_Duplicate(v, 1);
		}
		free(text);
	}
	scn_pop(ctx);
}

/* ---- the top level ---- */

static const struct scn_key exercise_keys[] = {
	{"id", SCN_STRING, 1, "the exercise's id, such as \"smtp-by-hand\""},
	{"title", SCN_OBJECT, 1, "the title: {\"en\": ..., \"es\": ...}"},
	{"statement", SCN_OBJECT, 1, "what the student must do: {\"en\": ..., \"es\": ...}"},
	{"note_section", SCN_STRING, 0, "the class note's section, such as \"3 (SMTP by telnet)\""},
	{"scenario", SCN_STRING | SCN_OBJECT, 1, "a scenario file's path (relative to this file) or a scenario object"},
	{"seed", SCN_NUMBER, 0, "a whole number from 0 to 2^53 (default: the scenario's)"},
	{"until", SCN_STRING, 0, "the simulated-time limit, such as \"10m\" (default: the scenario's; at most 1d)"},
	{"submission", SCN_OBJECT, 1, "what the student hands in: {\"kind\": ..., ...}"},
	{"checks", SCN_ARRAY, 1, "the list of checks"},
	{NULL, 0, 0, NULL},
};

static int valid_id(const char *s)
{
	if (!s[0] || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static void report_parse_error(struct scn_ctx *ctx, const char *end)
{
	size_t off = end && end >= ctx->text && end <= ctx->text + ctx->len ? (size_t)(end - ctx->text) : ctx->len;
	int line, col;
	json_line_col(ctx->text, ctx->len, off, &line, &col);
	ctx->errors++;
	if (off >= ctx->len)
		scn_diag_add(ctx->diag, "%s:%d:%d: not valid JSON: the text ends too early (an unclosed string, list or object?)",
			     ctx->file, line, col);
	else
		scn_diag_add(ctx->diag, "%s:%d:%d: not valid JSON: parsing stopped at byte 0x%02x", ctx->file, line, col,
			     (unsigned char)ctx->text[off]);
}

struct grade_exercise *grade_exercise_load_text(const char *file, const char *text, size_t len, struct scn_diag *diag)
{
	struct scn_ctx ctx = {.file = file, .text = text, .len = len, .diag = diag};
	struct grade_exercise *ex = calloc(1, sizeof *ex);
	if (!ex) {
		scn_diag_add(diag, "%s: out of memory", file);
		return NULL;
	}
	ex->file = strdup(file);
	const char *end = NULL;
	cJSON *root = len ? cJSON_ParseWithLengthOpts(text, len, &end, 0) : NULL;
	if (!root) {
		report_parse_error(&ctx, end);
		goto fail;
	}
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
		scn_error_type(&ctx, root, "an exercise object with \"id\", \"scenario\", \"submission\" and \"checks\"");
		goto fail;
	}
	scn_check_keys(&ctx, root, exercise_keys);
	const char *id = scn_get_string(root, "id");
	if (id && !valid_id(id)) {
		scn_push_key(&ctx, "id");
		scn_error(&ctx, "expected 1 to 64 letters, digits, '-', '_' or '.' (it names reports and files)");
		scn_pop(&ctx);
	}
	ex->id = dup_str(id);
	ex->note_section = dup_str(scn_get_string(root, "note_section"));
	grade_parse_text(&ctx, root, "title", 1, &ex->title);
	grade_parse_text(&ctx, root, "statement", 1, &ex->statement);
	int64_t seed;
	if (scn_parse_int(&ctx, root, "seed", 0, (int64_t)1 << 53, &seed) == 0) {
		ex->has_seed = 1;
		ex->seed = (uint64_t)seed;
	}
	sim_time until = 0;
	int has_until = scn_parse_duration(&ctx, root, "until", &until) == 0;
	if (has_until && (until <= 0 || until > GRADE_MAX_UNTIL)) {
		scn_push_key(&ctx, "until");
		scn_error(&ctx, "expected a duration from 1ms to 1d");
		scn_pop(&ctx);
	}
	load_scenario(&ctx, ex, root);
	if (ex->scenario) {
		ex->until = has_until ? until : ex->scenario->until;
		if (ex->until <= 0 || ex->until > GRADE_MAX_UNTIL)
			ex->until = GRADE_MAX_UNTIL;
		if (!ex->has_seed)
			ex->seed = ex->scenario->seed;
	}
	load_submission(&ctx, ex, root);
	/* Checks may name questions and hosts: after those. */
	if (ex->scenario || !scn_get(root, "scenario"))
		load_checks(&ctx, ex, root);
	if (ctx.errors || !ex->file)
		goto fail;
	if (!ex->scenario_json) {
		scn_diag_add(diag, "%s: out of memory", file);
		goto fail;
	}
	cJSON_Delete(root);
	return ex;
fail:
	if (!ctx.errors && scn_diag_count(diag) == 0)
		scn_diag_add(diag, "%s: out of memory", file);
	cJSON_Delete(root);
	grade_exercise_free(&ex);
	return NULL;
}

struct grade_exercise *grade_exercise_load_file(const char *path, struct scn_diag *diag)
{
	char err[512], *text = NULL;
	size_t len = 0;
	if (grade_read_file(path, GRADE_MAX_EXERCISE_FILE, &text, &len, err, sizeof err) < 0) {
		scn_diag_add(diag, "%s", err);
		return NULL;
	}
	struct grade_exercise *ex = grade_exercise_load_text(path, text, len, diag);
	free(text);
	return ex;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void grade_exercise_free(struct grade_exercise **exp)
{
	if (!exp || !*exp)
		return;
	struct grade_exercise *ex = *exp;
	free(ex->file);
	free(ex->id);
	free(ex->note_section);
	grade_text_clear(&ex->title);
	grade_text_clear(&ex->statement);
	cJSON_Delete(ex->scenario_json);
	free(ex->scenario_name);
	scenario_free(&ex->scenario);
	struct grade_submission_spec *sp = &ex->sub;
	free(sp->from);
	free(sp->to);
	free(sp->mail_from);
	free_strings(sp->rcpt_to, sp->rcpt_count);
	free_strings(sp->allow, sp->allow_count);
	for (size_t i = 0; i < sp->question_count; i++) {
		free(sp->questions[i].id);
		grade_text_clear(&sp->questions[i].text);
		cJSON_Delete(sp->questions[i].compute);
	}
	free(sp->questions);
	cJSON_Delete(sp->program);
	for (size_t i = 0; i < ex->check_count; i++) {
		free(ex->checks[i].id);
		grade_text_clear(&ex->checks[i].title);
		grade_text_clear(&ex->checks[i].feedback);
		cJSON_Delete(ex->checks[i].spec);
	}
	free(ex->checks);
	free(ex);
	*exp = NULL;
}

const struct grade_question *grade_exercise_question(const struct grade_exercise *ex, const char *id)
{
	for (size_t i = 0; id && i < ex->sub.question_count; i++)
		if (ex->sub.questions[i].id && !strcmp(ex->sub.questions[i].id, id))
			return &ex->sub.questions[i];
	return NULL;
}

int grade_exercise_host(const struct grade_exercise *ex, const char *name)
{
	return ex->scenario && name ? scenario_host_by_name(ex->scenario, name) : -1;
}

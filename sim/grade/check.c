/* The table of check types: each row names a type, its keys (checked by
 * the exercise loader with the common ones: id, type, points, partial,
 * title, feedback), its semantic validation and its handler. A new check
 * type is a new row here and a handler in a check_*.c file. */
#include "sim/grade/check.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim/scenario/scenario.h"

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- shared validation ---- */

void grade_validate_host(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c, const char *key)
{
	const char *name = str(c, key);
	if (!name || grade_exercise_host(ex, name) >= 0)
		return;
	char q[96];
	scn_push_key(ctx, key);
	scn_error(ctx, "%s is no host of the scenario", scn_quote(name, q, sizeof q));
	scn_pop(ctx);
}

void grade_validate_mailbox(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	const char *mb = str(c, "mailbox");
	if (!mb)
		return;
	const struct scenario *s = ex->scenario;
	for (size_t i = 0; s && i < s->mta_count; i++)
		for (size_t u = 0; u < s->mtas[i].user_count; u++)
			if (!strcasecmp(s->mtas[i].users[u].address, mb))
				return;
	char q[128];
	scn_push_key(ctx, "mailbox");
	scn_error(ctx, "%s is no user of the scenario's MTAs (expected an address such as \"maria@dominio.de.maria\")",
		  scn_quote(mb, q, sizeof q));
	scn_pop(ctx);
}

static const struct scn_key match_keys[] = {
	{"subject", SCN_STRING, 0, "a text the Subject contains"},
	{"from", SCN_STRING, 0, "a text the From field contains"},
	{"to", SCN_STRING, 0, "a text the To field contains"},
	{"header", SCN_OBJECT, 0, "{\"Field-Name\": \"a text its value contains\"}"},
	{"body", SCN_STRING, 0, "a text the message's text contains"},
	{NULL, 0, 0, NULL},
};

void grade_validate_match(struct scn_ctx *ctx, const cJSON *c)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "match");
	if (!cJSON_IsObject(m))
		return;
	scn_push_key(ctx, "match");
	scn_check_keys(ctx, m, match_keys);
	const cJSON *h;
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(m, "header")) {
		if (!cJSON_IsString(h)) {
			scn_push_key(ctx, "header");
			scn_push_key(ctx, h->string ? h->string : "?");
			scn_error_type(ctx, h, "a text the field's value contains");
			scn_pop(ctx);
			scn_pop(ctx);
		}
	}
	scn_pop(ctx);
}

static const struct scn_key session_keys[] = {
	{"from", SCN_STRING, 0, "the client's host"},
	{"to", SCN_STRING, 0, "the server's host"},
	{"port", SCN_NUMBER, 0, "the server's port"},
	{NULL, 0, 0, NULL},
};

void grade_validate_session(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, "session");
	if (!cJSON_IsObject(s))
		return;
	scn_push_key(ctx, "session");
	if (scn_check_keys(ctx, s, session_keys) == 0) {
		grade_validate_host(ctx, ex, s, "from");
		grade_validate_host(ctx, ex, s, "to");
	}
	scn_pop(ctx);
}

void grade_validate_string_list(struct scn_ctx *ctx, const cJSON *c, const char *key, const char *what)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(c, key);
	if (!cJSON_IsArray(l))
		return;
	scn_push_key(ctx, key);
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, l) {
		scn_push_index(ctx, i++);
		if (!cJSON_IsString(e) || !e->valuestring[0])
			scn_error_type(ctx, e, what);
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

static void need(struct scn_ctx *ctx, const cJSON *c, const char *key, const char *what)
{
	if (!cJSON_GetObjectItemCaseSensitive(c, key))
		scn_error_key(ctx, key, 0, "is missing (expected %s)", what);
}

static void nonneg_int(struct scn_ctx *ctx, const cJSON *c, const char *key)
{
	int64_t v;
	scn_parse_int(ctx, c, key, 0, 1000000, &v);
}

/* ---- per type ---- */

static void v_message(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	need(ctx, c, "mailbox", "the address of the mailbox, such as \"pepe@gil.com.ar\"");
	grade_validate_mailbox(ctx, ex, c);
	grade_validate_match(ctx, c);
	nonneg_int(ctx, c, "count");
	nonneg_int(ctx, c, "index");
}

static void v_header(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	v_message(ctx, ex, c);
	grade_validate_string_list(ctx, c, "present", "a header field name such as \"Received\"");
	grade_validate_string_list(ctx, c, "absent", "a header field name such as \"Bcc\"");
	grade_validate_string_list(ctx, c, "received_order", "a host name or fqdn");
	if (!cJSON_GetObjectItemCaseSensitive(c, "present") && !cJSON_GetObjectItemCaseSensitive(c, "absent") &&
	    !cJSON_GetObjectItemCaseSensitive(c, "received_order"))
		scn_error(ctx, "a header check needs \"present\", \"absent\" or \"received_order\"");
}

static const struct scn_key part_keys[] = {
	{"type", SCN_STRING, 0, "a media type such as \"image/png\""},
	{"encoding", SCN_STRING, 0, "a transfer encoding such as \"base64\""},
	{"filename", SCN_STRING, 0, "the file name"},
	{"disposition", SCN_STRING, 0, "\"attachment\" or \"inline\""},
	{"decodes", SCN_BOOL, 0, "true: the body decodes without errors"},
	{"min_bytes", SCN_NUMBER, 0, "the least number of decoded bytes"},
	{"sha256", SCN_STRING, 0, "the SHA-256 of the decoded bytes, in hex"},
	{NULL, 0, 0, NULL},
};

static void v_mime(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	static const char *const sources[] = {"delivered", "submission", NULL};
	int src = 0;
	scn_parse_enum(ctx, c, "source", sources, &src);
	if (src == 1) {
		if (ex->sub.kind != GRADE_KIND_EML && (ex->sub.kind != GRADE_KIND_COUNT))
			scn_error_key(ctx, "source", 0, "\"submission\" needs a submission of kind eml");
		if (cJSON_GetObjectItemCaseSensitive(c, "mailbox"))
			scn_error_key(ctx, "mailbox", 0, "is not used with \"source\": \"submission\"");
	} else {
		v_message(ctx, ex, c);
	}
	const cJSON *parts = cJSON_GetObjectItemCaseSensitive(c, "parts");
	if (cJSON_IsArray(parts)) {
		scn_push_key(ctx, "parts");
		size_t i = 0;
		const cJSON *p;
		cJSON_ArrayForEach(p, parts) {
			scn_push_index(ctx, i++);
			if (!cJSON_IsObject(p))
				scn_error_type(ctx, p, "a part such as {\"type\": \"image/png\", \"encoding\": \"base64\"}");
			else
				scn_check_keys(ctx, p, part_keys);
			scn_pop(ctx);
		}
		scn_pop(ctx);
	}
	if (!parts && !cJSON_GetObjectItemCaseSensitive(c, "multipart"))
		scn_error(ctx, "a mime check needs \"parts\" or \"multipart\"");
}

static int plausible_code(const char *code)
{
	static const char *const words[] = {"+OK", "-ERR", "OK", "NO", "BAD", "BYE", "PREAUTH", "+", NULL};
	for (size_t i = 0; words[i]; i++)
		if (!strcasecmp(code, words[i]))
			return 1;
	if (strlen(code) != 3 || code[0] < '1' || code[0] > '5')
		return 0;
	for (int i = 1; i < 3; i++)
		if (!((code[i] >= '0' && code[i] <= '9') || code[i] == 'x' || code[i] == 'X'))
			return 0;
	return 1;
}

static void v_reply(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	const char *code = str(c, "code");
	if (code && !plausible_code(code)) {
		scn_push_key(ctx, "code");
		scn_error(ctx, "expected a reply code such as \"250\" or \"5xx\", or \"+OK\", \"-ERR\", \"OK\", \"NO\", \"BAD\"");
		scn_pop(ctx);
	}
	grade_validate_session(ctx, ex, c);
	if (!cJSON_GetObjectItemCaseSensitive(c, "session") && ex->sub.kind != GRADE_KIND_TRANSCRIPT &&
	    ex->sub.kind != GRADE_KIND_EML)
		scn_error(ctx, "with no student session (kind transcript or eml) the check needs \"session\": {\"from\", \"to\"}");
}

static void v_noerr(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	grade_validate_session(ctx, ex, c);
	if (!cJSON_GetObjectItemCaseSensitive(c, "session") && ex->sub.kind != GRADE_KIND_TRANSCRIPT &&
	    ex->sub.kind != GRADE_KIND_EML)
		scn_error(ctx, "with no student session (kind transcript or eml) the check needs \"session\": {\"from\", \"to\"}");
}

static void v_relay(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	grade_validate_host(ctx, ex, c, "from");
	grade_validate_host(ctx, ex, c, "to");
	int64_t port;
	scn_parse_int(ctx, c, "port", 1, 65535, &port);
	sim_time at;
	scn_parse_duration(ctx, c, "at", &at);
	const char *rcpt = str(c, "rcpt");
	if (rcpt && !strchr(rcpt, '@')) {
		scn_push_key(ctx, "rcpt");
		scn_error(ctx, "expected an address in a foreign domain, such as \"victim@elsewhere.example\"");
		scn_pop(ctx);
	}
}

static void v_answer(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	const char *q = str(c, "question");
	if (ex->sub.kind != GRADE_KIND_ANSWERS) {
		scn_error(ctx, "an answer check needs a submission of kind answers");
		return;
	}
	if (q && !grade_exercise_question(ex, q)) {
		scn_push_key(ctx, "question");
		scn_error(ctx, "\"%s\" is no question of submission.questions", q);
		scn_pop(ctx);
	}
}

static void v_count(struct scn_ctx *ctx, const struct grade_exercise *ex, const cJSON *c)
{
	grade_validate_mailbox(ctx, ex, c);
	nonneg_int(ctx, c, "messages");
}

static const struct scn_key k_delivered[] = {
	{"mailbox", SCN_STRING, 1, "the address of the mailbox"},
	{"folder", SCN_STRING, 0, "the folder (default INBOX)"},
	{"match", SCN_OBJECT, 0, "{\"subject\", \"from\", \"to\", \"header\", \"body\"}"},
	{"count", SCN_NUMBER, 0, "exactly this many matching messages (default: at least one)"},
	{"expect", SCN_BOOL, 0, "false: no matching message may be there"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_header[] = {
	{"mailbox", SCN_STRING, 1, "the address of the mailbox"},
	{"folder", SCN_STRING, 0, "the folder (default INBOX)"},
	{"match", SCN_OBJECT, 0, "which message: {\"subject\", \"from\", \"to\", \"header\", \"body\"}"},
	{"index", SCN_NUMBER, 0, "which of the matching messages (default 0, the first)"},
	{"present", SCN_ARRAY, 0, "header fields that must be there"},
	{"absent", SCN_ARRAY, 0, "header fields that must not be there"},
	{"received_order", SCN_ARRAY, 0, "hosts that must be the `by` of the Received fields, in travel order"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_mime[] = {
	{"source", SCN_STRING, 0, "\"delivered\" (default) or \"submission\""},
	{"mailbox", SCN_STRING, 0, "the address of the mailbox"},
	{"folder", SCN_STRING, 0, "the folder (default INBOX)"},
	{"match", SCN_OBJECT, 0, "which message"},
	{"index", SCN_NUMBER, 0, "which of the matching messages"},
	{"parts", SCN_ARRAY, 0, "parts that must exist: [{\"type\", \"encoding\", \"filename\", ...}]"},
	{"multipart", SCN_STRING, 0, "the root's multipart subtype, such as \"mixed\""},
	{"ordered", SCN_BOOL, 0, "true: the parts in the order listed"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_reply[] = {
	{"code", SCN_STRING, 1, "a reply code: \"250\", \"5xx\", \"+OK\", \"-ERR\", \"OK\", \"NO\", \"BAD\""},
	{"seen", SCN_BOOL, 0, "false: the reply must not be seen"},
	{"after", SCN_STRING, 0, "only replies to this command, such as \"RCPT\" (\".\" for the end of DATA)"},
	{"session", SCN_OBJECT, 0, "another session than the student's: {\"from\", \"to\"}"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_noerr[] = {
	{"session", SCN_OBJECT, 0, "another session than the student's: {\"from\", \"to\"}"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_relay[] = {
	{"from", SCN_STRING, 1, "the outsider's host"},
	{"to", SCN_STRING, 1, "the MTA's host"},
	{"rcpt", SCN_STRING, 1, "an address in a foreign domain"},
	{"mail_from", SCN_STRING, 0, "the envelope sender of the test (default spammer@ the outsider's name)"},
	{"port", SCN_NUMBER, 0, "the MTA's port (default 25)"},
	{"at", SCN_STRING, 0, "when the test starts (default \"2s\")"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_bounced[] = {
	{"rcpt", SCN_STRING, 0, "the recipient whose mail must bounce (default: any)"},
	{"expect", SCN_BOOL, 0, "false: no bounce may happen"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_ledger[] = {
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_answer[] = {
	{"question", SCN_STRING, 1, "the id of a question of submission.questions"},
	{NULL, 0, 0, NULL},
};

static const struct scn_key k_count[] = {
	{"mailbox", SCN_STRING, 1, "the address of the mailbox"},
	{"folder", SCN_STRING, 0, "the folder (default INBOX)"},
	{"messages", SCN_NUMBER, 1, "how many messages it must hold"},
	{"flagged", SCN_BOOL, 0, "count only messages with (true) or without (false) \\Flagged"},
	{"seen", SCN_BOOL, 0, "count only messages with or without \\Seen"},
	{"deleted", SCN_BOOL, 0, "count only messages with or without \\Deleted"},
	{"answered", SCN_BOOL, 0, "count only messages with or without \\Answered"},
	{NULL, 0, 0, NULL},
};

static const struct grade_check_type types[] = {
	{"delivered", k_delivered, v_message, grade_check_delivered},
	{"header", k_header, v_header, grade_check_header},
	{"mime", k_mime, v_mime, grade_check_mime},
	{"reply", k_reply, v_reply, grade_check_reply},
	{"no_protocol_errors", k_noerr, v_noerr, grade_check_no_protocol_errors},
	{"relay_refused", k_relay, v_relay, grade_check_relay_refused},
	{"bounced", k_bounced, NULL, grade_check_bounced},
	{"ledger", k_ledger, NULL, grade_check_ledger},
	{"answer", k_answer, v_answer, grade_check_answer},
	{"mailbox_count", k_count, v_count, grade_check_mailbox_count},
};
#define TYPE_COUNT (sizeof types / sizeof types[0])

static const char *const type_names[TYPE_COUNT + 1] = {
	"delivered", "header", "mime", "reply", "no_protocol_errors", "relay_refused", "bounced", "ledger", "answer",
	"mailbox_count", NULL,
};

const struct grade_check_type *grade_check_type_find(const char *name)
{
	for (size_t i = 0; name && i < TYPE_COUNT; i++)
		if (!strcmp(types[i].name, name))
			return &types[i];
	return NULL;
}

const char *const *grade_check_type_names(void) { return type_names; }

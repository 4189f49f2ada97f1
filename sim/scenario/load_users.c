/* The "users" of an MTA in a scenario: address and password, mail to
 * start with ("mbox", "maildir": files read at load time into a seed
 * store that every run of the world copies by reference), and the user's
 * "rules" (filters, forwarding, vacation; sim/agents/mail_rules.h). See
 * docs/scenario-reference.md. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/agents/mail_rules.h"
#include "sim/agents/mailstore.h"
#include "sim/scenario/load.h"

#define MAX_FILTERS 200
#define MAX_CONDS 50
#define MAX_ACTIONS 50

static const struct scn_key user_keys[] = {
	{"address", SCN_STRING, 1, "an address such as \"maria@dominio.de.maria\""},
	{"password", SCN_STRING, 0, "the password"},
	{"mbox", SCN_STRING | SCN_OBJECT, 0,
	 "an mbox file for INBOX, or folders and files: {\"INBOX\": \"in.mbox\", \"Archive\": \"old.mbox\"}"},
	{"maildir", SCN_STRING, 0, "a Maildir++ folder to start with"},
	{"rules", SCN_OBJECT, 0, "{\"filters\": [...], \"forward\": {...}, \"vacation\": {...}}"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key rules_keys[] = {
	{"filters", SCN_ARRAY, 0, "a list of filters: {\"name\", \"if\", \"match\", \"then\"}"},
	{"forward", SCN_OBJECT, 0, "{\"to\": an address or a list, \"keep\": true or false}"},
	{"vacation", SCN_OBJECT, 0, "{\"text\", \"subject\", \"days\" or \"period\", \"addresses\"}"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key filter_keys[] = {
	{"name", SCN_STRING, 0, "a name shown in the transcript"},
	{"if", SCN_ARRAY, 0, "conditions such as [{\"header\": \"Subject\", \"contains\": \"oferta\"}]"},
	{"match", SCN_STRING, 0, "\"all\" (the default) or \"any\""},
	{"then", SCN_ARRAY, 1, "actions such as [{\"move\": \"Listas\"}]"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key cond_keys[] = {
	{"header", SCN_STRING, 0, "a field name such as \"Subject\", or \"*\" for any field"},
	{"address", SCN_STRING, 0, "a field whose addresses are compared, such as \"From\""},
	{"contains", SCN_STRING, 0, "a text the value contains (case does not matter)"},
	{"is", SCN_STRING, 0, "the whole value"},
	{"matches", SCN_STRING, 0, "a pattern with * and ?"},
	{"exists", SCN_BOOL, 0, "true: the field is present"},
	{"size_over", SCN_NUMBER | SCN_STRING, 0, "a size such as \"100KiB\""},
	{"size_under", SCN_NUMBER | SCN_STRING, 0, "a size such as \"1KiB\""},
	{"not", SCN_BOOL, 0, "true: the condition is negated"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key action_keys[] = {
	{"move", SCN_STRING, 0, "a folder such as \"Listas\" (created if missing)"},
	{"flag", SCN_STRING, 0, "\\\\Seen, \\\\Answered, \\\\Flagged, \\\\Deleted or \\\\Draft"},
	{"keyword", SCN_STRING, 0, "a keyword such as \"$Spam\""},
	{"discard", SCN_BOOL, 0, "true: drop the message"},
	{"forward", SCN_STRING, 0, "an address to send it on to"},
	{"keep", SCN_BOOL, 0, "true: store it in INBOX too"},
	{"stop", SCN_BOOL, 0, "true: no further filters"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key forward_keys[] = {
	{"to", SCN_STRING | SCN_ARRAY, 1, "an address or a list of addresses"},
	{"keep", SCN_BOOL, 0, "true (the default): keep a copy in INBOX"},
	{NULL, 0, 0, NULL},
};
static const struct scn_key vacation_keys[] = {
	{"text", SCN_STRING, 1, "the reply's text"},
	{"subject", SCN_STRING, 0, "the reply's subject (default: \"Re: \" and the original's)"},
	{"days", SCN_NUMBER, 0, "at most one reply per sender in this many days (default 7)"},
	{"period", SCN_STRING, 0, "the same as a duration, such as \"1h\""},
	{"addresses", SCN_ARRAY, 0, "the user's other addresses, for the To/Cc check"},
	{NULL, 0, 0, NULL},
};

static char *dup_checked(const char *s, int *oom)
{
	char *d = scn_strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

/* ---- pre-filled mail ---- */

static void resolve(const struct scenario *s, const char *path, char *out, size_t cap)
{
	if (path[0] == '/' || !s->dir || !s->dir[0])
		snprintf(out, cap, "%s", path);
	else
		snprintf(out, cap, "%s/%s", s->dir, path);
}

static struct ms_user *seed_user(struct scn_user *u)
{
	if (!u->seed) {
		u->seed = mailstore_new();
		if (!u->seed || !mailstore_add_user(u->seed, u->address, u->password))
			return NULL;
	}
	return mailstore_find_user(u->seed, u->address);
}

static void import_mbox(struct scn_ctx *ctx, const struct scenario *s, struct scn_user *u, const char *folder,
			const char *path)
{
	char full[4096], err[600] = "";
	resolve(s, path, full, sizeof full);
	struct ms_user *su = seed_user(u);
	if (!su) {
		scn_error(ctx, "out of memory");
		return;
	}
	if (mailstore_import_mbox(su, folder, full, err, sizeof err) < 0)
		scn_error(ctx, "cannot read the mbox file: %s", err);
}

static void load_seed(struct scn_ctx *ctx, const struct scenario *s, struct scn_user *u, const cJSON *e)
{
	const char *md = scn_get_string(e, "maildir");
	if (md) {
		char full[4096], err[600] = "";
		resolve(s, md, full, sizeof full);
		struct ms_user *su = seed_user(u);
		scn_push_key(ctx, "maildir");
		if (!su)
			scn_error(ctx, "out of memory");
		else if (mailstore_import_maildir(su, full, err, sizeof err) < 0)
			scn_error(ctx, "cannot read the Maildir: %s", err);
		scn_pop(ctx);
	}
	const cJSON *mb = scn_get(e, "mbox");
	if (!mb)
		return;
	scn_push_key(ctx, "mbox");
	if (cJSON_IsString(mb)) {
		import_mbox(ctx, s, u, "INBOX", mb->valuestring);
	} else {
		for (const cJSON *f = mb->child; f; f = f->next) {
			scn_push_key(ctx, f->string);
			if (!cJSON_IsString(f))
				scn_error_type(ctx, f, "an mbox file name");
			else
				import_mbox(ctx, s, u, f->string, f->valuestring);
			scn_pop(ctx);
		}
	}
	scn_pop(ctx);
}

/* ---- rules ---- */

static int load_cond(struct scn_ctx *ctx, struct mr_cond *c, const cJSON *e, int *oom)
{
	if (scn_check_keys(ctx, e, cond_keys))
		return -1;
	static const char *const tests[] = {"contains", "is", "matches", "exists"};
	static const enum mr_test kinds[] = {MR_CONTAINS, MR_IS, MR_MATCHES, MR_EXISTS};
	const char *header = scn_get_string(e, "header"), *address = scn_get_string(e, "address");
	int ntests = 0;
	const char *value = NULL;
	for (int i = 0; i < 4; i++) {
		const cJSON *v = scn_get(e, tests[i]);
		if (!v)
			continue;
		ntests++;
		c->test = kinds[i];
		if (cJSON_IsString(v))
			value = v->valuestring;
		else if (!cJSON_IsTrue(v))
			c->negate = !c->negate; /* "exists": false */
	}
	int sizes = 0;
	if (scn_parse_size(ctx, e, "size_over", 0, UINT64_MAX / 2, &c->size) == 0) {
		c->test = MR_SIZE_OVER;
		sizes++;
	}
	if (scn_parse_size(ctx, e, "size_under", 0, UINT64_MAX / 2, &c->size) == 0) {
		c->test = MR_SIZE_UNDER;
		sizes++;
	}
	if (ntests + sizes != 1 || (sizes && (header || address)) || (ntests && !!header == !!address)) {
		scn_error(ctx, "a condition is {\"header\" or \"address\": a field, and one of \"contains\", \"is\", "
			       "\"matches\", \"exists\"}, or {\"size_over\": a size} or {\"size_under\": a size}");
		return -1;
	}
	if (address && c->test == MR_EXISTS) {
		scn_error(ctx, "\"exists\" goes with \"header\", not \"address\"");
		return -1;
	}
	if (ntests) {
		c->header = dup_checked(header ? header : address, oom);
		c->address = address != NULL;
		if (value)
			c->value = dup_checked(value, oom);
	}
	if (cJSON_IsTrue(scn_get(e, "not")))
		c->negate = !c->negate;
	return 0;
}

static int load_action(struct scn_ctx *ctx, const struct scenario *s, struct scn_mta *m, struct mr_action *a,
		       const cJSON *e, int *oom)
{
	(void)s;
	(void)m;
	if (scn_check_keys(ctx, e, action_keys))
		return -1;
	if (cJSON_GetArraySize(e) != 1) {
		scn_error(ctx, "an action has exactly one key, such as {\"move\": \"Listas\"}");
		return -1;
	}
	const cJSON *v = e->child;
	char q[200];
	if (!strcmp(v->string, "move")) {
		a->kind = MR_MOVE;
		/* Folder names are checked as the store does: try it. */
		struct mailstore *tmp = mailstore_new();
		struct ms_user *tu = tmp ? mailstore_add_user(tmp, "check@invalid", "") : NULL;
		int rc = tu ? ms_folder_create(tu, v->valuestring, NULL) : MS_ERR_NOMEM;
		mailstore_free(&tmp);
		if (rc != MS_OK && rc != MS_ERR_EXISTS) {
			scn_push_key(ctx, "move");
			scn_error(ctx, "%s is not a folder name (%s; use '/' between levels)",
				  scn_quote(v->valuestring, q, sizeof q), ms_error_text(rc));
			scn_pop(ctx);
			return -1;
		}
		a->arg = dup_checked(v->valuestring, oom);
	} else if (!strcmp(v->string, "flag")) {
		a->kind = MR_FLAG;
		a->flag = mr_flag_by_name(v->valuestring);
		if (!a->flag) {
			scn_push_key(ctx, "flag");
			scn_error(ctx, "%s is not one of \\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft (a keyword "
				       "goes in \"keyword\")",
				  scn_quote(v->valuestring, q, sizeof q));
			scn_pop(ctx);
			return -1;
		}
	} else if (!strcmp(v->string, "keyword")) {
		a->kind = MR_KEYWORD;
		const char *k = v->valuestring;
		int ok = *k && strlen(k) < 100;
		for (const char *p = k; *p; p++)
			ok &= *p > ' ' && *p < 0x7f && !strchr("(){%*\"\\]", *p);
		if (!ok) {
			scn_push_key(ctx, "keyword");
			scn_error(ctx, "%s is not an IMAP keyword (an atom such as \"$Spam\")",
				  scn_quote(k, q, sizeof q));
			scn_pop(ctx);
			return -1;
		}
		a->arg = dup_checked(k, oom);
	} else if (!strcmp(v->string, "forward")) {
		a->kind = MR_FORWARD;
		if (!scn_valid_address(v->valuestring)) {
			scn_push_key(ctx, "forward");
			scn_error(ctx, "%s is not an address such as \"juan@gmail.com\"",
				  scn_quote(v->valuestring, q, sizeof q));
			scn_pop(ctx);
			return -1;
		}
		a->arg = dup_checked(v->valuestring, oom);
	} else {
		if (!cJSON_IsTrue(v)) {
			scn_push_key(ctx, v->string);
			scn_error(ctx, "write {\"%s\": true} (false is no action)", v->string);
			scn_pop(ctx);
			return -1;
		}
		a->kind = !strcmp(v->string, "discard") ? MR_DISCARD : !strcmp(v->string, "keep") ? MR_KEEP : MR_STOP;
	}
	return 0;
}

static void load_filter(struct scn_ctx *ctx, const struct scenario *s, struct scn_mta *m, struct mr_filter *f,
			const cJSON *e, size_t index, int *oom)
{
	if (scn_check_keys(ctx, e, filter_keys))
		return;
	char name[32];
	snprintf(name, sizeof name, "%zu", index + 1);
	const char *n = scn_get_string(e, "name");
	f->name = dup_checked(n ? n : name, oom);
	const char *match = scn_get_string(e, "match");
	if (match && strcmp(match, "all") && strcmp(match, "any")) {
		scn_push_key(ctx, "match");
		scn_error(ctx, "expected \"all\" or \"any\"");
		scn_pop(ctx);
	}
	f->any = match && !strcmp(match, "any");
	const cJSON *conds = scn_get(e, "if"), *acts = scn_get(e, "then");
	if (conds) {
		scn_push_key(ctx, "if");
		if (scn_check_count(ctx, conds, MAX_CONDS, "conditions") == 0) {
			f->conds = calloc((size_t)cJSON_GetArraySize(conds) + 1, sizeof *f->conds);
			size_t i = 0;
			for (const cJSON *c = conds->child; c && f->conds; c = c->next, i++) {
				scn_push_index(ctx, i);
				if (!cJSON_IsObject(c))
					scn_error_type(ctx, c, "a condition such as {\"header\": \"Subject\", \"contains\": \"x\"}");
				else if (load_cond(ctx, &f->conds[f->nconds], c, oom) == 0)
					f->nconds++;
				scn_pop(ctx);
			}
			*oom |= !f->conds;
		}
		scn_pop(ctx);
	}
	scn_push_key(ctx, "then");
	if (scn_check_count(ctx, acts, MAX_ACTIONS, "actions") == 0) {
		f->actions = calloc((size_t)cJSON_GetArraySize(acts) + 1, sizeof *f->actions);
		size_t i = 0;
		for (const cJSON *a = acts->child; a && f->actions; a = a->next, i++) {
			scn_push_index(ctx, i);
			if (!cJSON_IsObject(a))
				scn_error_type(ctx, a, "an action such as {\"move\": \"Listas\"}");
			else if (load_action(ctx, s, m, &f->actions[f->nactions], a, oom) == 0)
				f->nactions++;
			scn_pop(ctx);
		}
		*oom |= !f->actions;
		if (cJSON_GetArraySize(acts) == 0)
			scn_error(ctx, "a filter needs at least one action");
	}
	scn_pop(ctx);
}

/* Addresses from a string or a list of strings at key; reports bad ones. */
static size_t address_list(struct scn_ctx *ctx, const cJSON *e, const char *key, char ***out_r, int *oom)
{
	const cJSON *v = scn_get(e, key);
	*out_r = NULL;
	if (!v)
		return 0;
	scn_push_key(ctx, key);
	size_t n = cJSON_IsString(v) ? 1 : (size_t)cJSON_GetArraySize(v), k = 0;
	if (n > 16) {
		scn_error(ctx, "at most 16 addresses");
		scn_pop(ctx);
		return 0;
	}
	char **out = calloc(n + 1, sizeof *out);
	*oom |= !out;
	const cJSON *item = cJSON_IsString(v) ? v : v->child;
	for (size_t i = 0; out && item && i < n; item = cJSON_IsString(v) ? NULL : item->next, i++) {
		char q[200];
		if (cJSON_IsArray(v))
			scn_push_index(ctx, i);
		if (!cJSON_IsString(item))
			scn_error_type(ctx, item, "an address");
		else if (!scn_valid_address(item->valuestring))
			scn_error(ctx, "%s is not an address such as \"juan@gmail.com\"",
				  scn_quote(item->valuestring, q, sizeof q));
		else
			out[k++] = dup_checked(item->valuestring, oom);
		if (cJSON_IsArray(v))
			scn_pop(ctx);
	}
	scn_pop(ctx);
	*out_r = out;
	return k;
}

static void load_rules(struct scn_ctx *ctx, const struct scenario *s, struct scn_mta *m, struct scn_user *u,
		       const cJSON *e, int *oom)
{
	scn_push_key(ctx, "rules");
	if (scn_check_keys(ctx, e, rules_keys)) {
		scn_pop(ctx);
		return;
	}
	struct mr_rules *r = u->rules = mr_rules_new();
	if (!r) {
		*oom = 1;
		scn_pop(ctx);
		return;
	}
	const cJSON *filters = scn_get(e, "filters");
	if (filters) {
		scn_push_key(ctx, "filters");
		if (scn_check_count(ctx, filters, MAX_FILTERS, "filters") == 0) {
			r->filters = calloc((size_t)cJSON_GetArraySize(filters) + 1, sizeof *r->filters);
			*oom |= !r->filters;
			size_t i = 0;
			for (const cJSON *f = filters->child; f && r->filters; f = f->next, i++) {
				scn_push_index(ctx, i);
				if (!cJSON_IsObject(f))
					scn_error_type(ctx, f, "a filter such as {\"if\": [...], \"then\": [...]}");
				else
					load_filter(ctx, s, m, &r->filters[r->nfilters++], f, i, oom);
				scn_pop(ctx);
			}
		}
		scn_pop(ctx);
	}
	const cJSON *fw = scn_get(e, "forward");
	if (fw) {
		scn_push_key(ctx, "forward");
		if (scn_check_keys(ctx, fw, forward_keys) == 0) {
			r->nforward = address_list(ctx, fw, "to", &r->forward, oom);
			r->forward_keep = !cJSON_IsFalse(scn_get(fw, "keep"));
			for (size_t i = 0; i < r->nforward; i++)
				if (strcasecmp(r->forward[i], u->address) == 0)
					scn_error(ctx, "a user cannot forward to itself");
		}
		scn_pop(ctx);
	}
	const cJSON *va = scn_get(e, "vacation");
	if (va) {
		scn_push_key(ctx, "vacation");
		if (scn_check_keys(ctx, va, vacation_keys) == 0) {
			r->vacation_text = dup_checked(scn_get_string(va, "text"), oom);
			const char *subj = scn_get_string(va, "subject");
			if (subj)
				r->vacation_subject = dup_checked(subj, oom);
			r->vacation_period = 7 * 24 * 3600 * SIM_S;
			double days = 0;
			int has_days = scn_parse_number(ctx, va, "days", &days) == 0;
			if (has_days && (days < 0 || days > 3650)) {
				scn_push_key(ctx, "days");
				scn_error(ctx, "expected a number of days between 0 and 3650");
				scn_pop(ctx);
			} else if (has_days) {
				r->vacation_period = (sim_time)llround(days * 86400.0) * SIM_S;
			}
			sim_time p;
			if (scn_parse_duration(ctx, va, "period", &p) == 0) {
				if (has_days)
					scn_error_key(ctx, "period", 0, "give \"days\" or \"period\", not both");
				r->vacation_period = p;
			}
			r->nvacation_addresses = address_list(ctx, va, "addresses", &r->vacation_addresses, oom);
		}
		scn_pop(ctx);
	}
	scn_pop(ctx);
}

/* ---- the list ---- */

void scn_load_users(struct scn_ctx *ctx, struct scenario *s, struct scn_mta *m, const cJSON *users)
{
	if (!cJSON_IsArray(users))
		return;
	scn_push_key(ctx, "users");
	size_t n = (size_t)cJSON_GetArraySize(users), i = 0;
	m->users = calloc(n + 1, sizeof *m->users);
	int oom = !m->users;
	for (const cJSON *u = users->child; u && m->users; u = u->next, i++) {
		scn_push_index(ctx, i);
		if (!cJSON_IsObject(u)) {
			scn_error_type(ctx, u, "a user such as {\"address\": \"maria@dominio.de.maria\", \"password\": \"x\"}");
		} else if (scn_check_keys(ctx, u, user_keys) == 0) {
			const char *a = scn_get_string(u, "address");
			const char *pw = scn_get_string(u, "password");
			char q[200];
			int local = 0;
			const char *at = strchr(a, '@');
			for (size_t k = 0; at && k < m->local_domain_count; k++)
				local |= m->local_domains[k] && strcmp(m->local_domains[k], at + 1) == 0;
			if (!scn_valid_address(a)) {
				scn_push_key(ctx, "address");
				scn_error(ctx, "%s is not an address such as \"maria@dominio.de.maria\"",
					  scn_quote(a, q, sizeof q));
				scn_pop(ctx);
			} else if (!local) {
				scn_push_key(ctx, "address");
				scn_error(ctx, "%s is not in one of this MTA's \"domains\"", scn_quote(a, q, sizeof q));
				scn_pop(ctx);
			} else {
				struct scn_user *su = &m->users[m->user_count++];
				su->address = dup_checked(a, &oom);
				su->password = dup_checked(pw ? pw : "", &oom);
				if (su->address && su->password)
					load_seed(ctx, s, su, u);
				const cJSON *rules = scn_get(u, "rules");
				if (rules)
					load_rules(ctx, s, m, su, rules, &oom);
			}
		}
		scn_pop(ctx);
	}
	if (oom)
		scn_error(ctx, "out of memory");
	scn_pop(ctx);
}

void scn_free_user(struct scn_user *u)
{
	free(u->address);
	free(u->password);
	mailstore_free(&u->seed);
	mr_rules_free(&u->rules);
}

/* The explanations catalogue: loading and checking the JSON, lookups and
 * the language setting. Line classification is in explain_line.c. The
 * cJSON tree is kept: entries point into its strings. */
#include "sim/explain/explain.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/explain/explain_data.h"

struct explain {
	cJSON *root;
	struct explain_entry *entries;
	size_t n;
};

static const char *const protos[] = {"smtp", "pop3", "imap", "dns", "mail", "tcp"};
static const char *const entry_keys[] = {"proto", "kind", "key", "syntax", "rfc", "en", "es"};

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The string member name of o, or NULL (with err set) when it is missing,
 * not a string or empty and required. */
static const char *member(const cJSON *o, const char *name, int required, const char *where, size_t i, char *err,
			  size_t errlen, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!v) {
		if (required) {
			set_err(err, errlen, "%s: entries[%zu]: missing \"%s\"", where, i, name);
			*bad = 1;
		}
		return NULL;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0]) {
		set_err(err, errlen, "%s: entries[%zu].%s: expected a non-empty string", where, i, name);
		*bad = 1;
		return NULL;
	}
	return v->valuestring;
}

static int check_entry_keys(const cJSON *o, const char *where, size_t i, char *err, size_t errlen)
{
	for (const cJSON *m = o->child; m; m = m->next) {
		int known = 0;
		for (size_t k = 0; k < sizeof entry_keys / sizeof entry_keys[0]; k++)
			known |= strcmp(m->string, entry_keys[k]) == 0;
		if (!known) {
			set_err(err, errlen, "%s: entries[%zu]: unknown key \"%s\" (expected proto, kind, key, syntax, rfc, en, es)",
				where, i, m->string);
			return -1;
		}
	}
	return 0;
}

static int load_entry(const cJSON *o, const char *where, size_t i, struct explain_entry *e, char *err, size_t errlen)
{
	if (!cJSON_IsObject(o)) {
		set_err(err, errlen, "%s: entries[%zu]: expected an object", where, i);
		return -1;
	}
	if (check_entry_keys(o, where, i, err, errlen) < 0)
		return -1;
	int bad = 0;
	e->proto = member(o, "proto", 1, where, i, err, errlen, &bad);
	if (!bad)
		e->kind = member(o, "kind", 1, where, i, err, errlen, &bad);
	if (!bad)
		e->key = member(o, "key", 1, where, i, err, errlen, &bad);
	if (!bad)
		e->syntax = member(o, "syntax", 0, where, i, err, errlen, &bad);
	if (!bad)
		e->rfc = member(o, "rfc", 1, where, i, err, errlen, &bad);
	if (!bad)
		e->text[EXPLAIN_EN] = member(o, "en", 1, where, i, err, errlen, &bad);
	if (!bad)
		e->text[EXPLAIN_ES] = member(o, "es", 1, where, i, err, errlen, &bad);
	if (bad)
		return -1;
	int known = 0;
	for (size_t k = 0; k < sizeof protos / sizeof protos[0]; k++)
		known |= strcmp(e->proto, protos[k]) == 0;
	if (!known) {
		set_err(err, errlen, "%s: entries[%zu].proto: \"%s\" is not one of smtp, pop3, imap, dns, mail, tcp", where,
			i, e->proto);
		return -1;
	}
	return 0;
}

struct explain *explain_load(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	const char *where = name ? name : "explanations";
	cJSON *root = cJSON_ParseWithLength(text, len);
	if (!root) {
		set_err(err, errlen, "%s: not valid JSON", where);
		return NULL;
	}
	struct explain *ex = NULL;
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(root, "format");
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "version");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "entries");
	if (!cJSON_IsObject(root) || !cJSON_IsString(fmt) || strcmp(fmt->valuestring, "mailsim-explanations") != 0) {
		set_err(err, errlen, "%s: expected an object with \"format\": \"mailsim-explanations\"", where);
		goto fail;
	}
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		set_err(err, errlen, "%s: version: expected 1", where);
		goto fail;
	}
	for (const cJSON *m = root->child; m; m = m->next) {
		if (strcmp(m->string, "format") && strcmp(m->string, "version") && strcmp(m->string, "entries") &&
		    strcmp(m->string, "about")) {
			set_err(err, errlen, "%s: unknown key \"%s\" (expected format, version, about, entries)", where,
				m->string);
			goto fail;
		}
	}
	if (!cJSON_IsArray(list)) {
		set_err(err, errlen, "%s: entries: expected an array", where);
		goto fail;
	}
	ex = calloc(1, sizeof *ex);
	size_t n = (size_t)cJSON_GetArraySize(list);
	if (!ex || !(ex->entries = calloc(n ? n : 1, sizeof *ex->entries))) {
		set_err(err, errlen, "%s: out of memory", where);
		goto fail;
	}
	size_t i = 0;
	for (const cJSON *o = list->child; o; o = o->next, i++) {
		struct explain_entry *e = &ex->entries[i];
		if (load_entry(o, where, i, e, err, errlen) < 0)
			goto fail;
		for (size_t k = 0; k < i; k++) {
			const struct explain_entry *d = &ex->entries[k];
			if (!strcmp(d->proto, e->proto) && !strcmp(d->kind, e->kind) && !strcasecmp(d->key, e->key)) {
				set_err(err, errlen, "%s: entries[%zu]: %s %s \"%s\" is already entries[%zu]", where, i,
					e->proto, e->kind, e->key, k);
				goto fail;
			}
		}
	}
	ex->n = i;
	ex->root = root;
	return ex;
fail:
	if (ex)
		free(ex->entries);
	free(ex);
	cJSON_Delete(root);
	return NULL;
}

struct explain *explain_builtin(char *err, size_t errlen)
{
	return explain_load(explain_catalogue_json, explain_catalogue_json_len, "data/explanations.json (built in)", err,
			    errlen);
}

void explain_free(struct explain **exp)
{
	if (!exp || !*exp)
		return;
	cJSON_Delete((*exp)->root);
	free((*exp)->entries);
	free(*exp);
	*exp = NULL;
}

size_t explain_count(const struct explain *ex) { return ex ? ex->n : 0; }

const struct explain_entry *explain_at(const struct explain *ex, size_t i)
{
	return ex && i < ex->n ? &ex->entries[i] : NULL;
}

const struct explain_entry *explain_find(const struct explain *ex, const char *proto, const char *kind,
					 const char *key)
{
	if (!ex || !proto || !key)
		return NULL;
	for (size_t i = 0; i < ex->n; i++) {
		const struct explain_entry *e = &ex->entries[i];
		if (!strcasecmp(e->proto, proto) && (!kind || !strcmp(e->kind, kind)) && !strcasecmp(e->key, key))
			return e;
	}
	return NULL;
}

size_t explain_find_all(const struct explain *ex, const char *proto, const char *key,
			const struct explain_entry **out, size_t n)
{
	size_t found = 0;
	for (size_t i = 0; ex && key && i < ex->n; i++) {
		const struct explain_entry *e = &ex->entries[i];
		if ((!proto || !strcasecmp(e->proto, proto)) && !strcasecmp(e->key, key)) {
			if (found < n)
				out[found] = e;
			found++;
		}
	}
	return found;
}

int explain_lang_parse(const char *s, enum explain_lang *lang_r)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "en") || !strcasecmp(s, "english")) {
		*lang_r = EXPLAIN_EN;
		return 0;
	}
	if (!strcasecmp(s, "es") || !strcasecmp(s, "spanish") || !strcasecmp(s, "español") ||
	    !strcasecmp(s, "espanol")) {
		*lang_r = EXPLAIN_ES;
		return 0;
	}
	return -1;
}

enum explain_lang explain_lang_from_env(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncasecmp(v, "es", 2) == 0 ? EXPLAIN_ES : EXPLAIN_EN;
	}
	return EXPLAIN_EN;
}

const char *explain_lang_name(enum explain_lang lang) { return lang == EXPLAIN_ES ? "es" : "en"; }

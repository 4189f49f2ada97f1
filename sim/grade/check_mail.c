/* Checks on mailboxes after the run: delivered (or not), header present,
 * absent or in Received order, mailbox_count; and the helpers that find
 * a user's folder and match messages on headers and body. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/mime.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/grade/check.h"
#include "sim/grade/obs.h"
#include "sim/grade/query.h"
#include "sim/scenario/scenario.h"

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int ci_contains(const char *hay, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);
	if (nn == 0)
		return 1;
	for (size_t i = 0; i + nn <= hn; i++)
		if (strncasecmp(hay + i, needle, nn) == 0)
			return 1;
	return 0;
}

struct ms_folder *grade_folder(struct grade_obs *o, const cJSON *c, struct buf *why)
{
	const char *mailbox = str(c, "mailbox"), *folder = str(c, "folder");
	if (!folder)
		folder = "INBOX";
	struct ms_user *u = grade_obs_user(o, mailbox);
	if (!u) {
		if (why)
			buf_printf(why, GL(o->lang, "there is no mailbox %s", "no existe el buzón %s"), mailbox ? mailbox : "?");
		return NULL;
	}
	struct ms_folder *f = ms_folder_find(u, folder);
	if (!f && why)
		buf_printf(why, GL(o->lang, "%s has no folder %s", "%s no tiene la carpeta %s"), mailbox, folder);
	return f;
}

/* The decoded value of the first field called name, into out; 0 if none. */
static int field_value(const char *text, size_t len, const char *name, struct buf *out)
{
	struct hdr_field f;
	buf_reset(out);
	if (!hdr_find(text, len, name, 0, &f))
		return 0;
	hdr_decode(out, f.value, f.value_len, NULL);
	return 1;
}

static int body_contains(const char *text, size_t len, const char *needle)
{
	struct mime_doc *doc = NULL;
	if (mime_parse(text, len, NULL, &doc) < 0)
		return 0;
	int found = 0;
	size_t n = mime_doc_node_count(doc);
	/* Walk the tree depth first with an explicit stack. */
	const struct mime_node *stack[64];
	size_t sp = 0;
	stack[sp++] = mime_doc_root(doc);
	while (sp && !found && n) {
		const struct mime_node *node = stack[--sp];
		size_t kids = mime_node_child_count(node);
		for (size_t i = kids; i-- > 0;)
			if (sp < 64)
				stack[sp++] = mime_node_child(node, i);
		if (kids)
			continue;
		if (!strcmp(mime_node_type(node), "text")) {
			struct buf b;
			buf_init(&b, 16u << 20);
			mime_node_text_utf8(node, &b, NULL);
			found = b.data && ci_contains(b.data, b.len, needle);
			buf_free(&b);
		}
	}
	mime_doc_free(&doc);
	return found;
}

int grade_match(const struct grade_obs *o, const char *text, size_t len, const cJSON *match, struct buf *why)
{
	if (!cJSON_IsObject(match))
		return 1;
	struct buf v;
	buf_init(&v, 1u << 20);
	int ok = 1;
	static const char *const simple[][2] = {{"subject", "Subject"}, {"from", "From"}, {"to", "To"}};
	for (size_t i = 0; ok && i < 3; i++) {
		const char *want = str(match, simple[i][0]);
		if (!want)
			continue;
		if (!field_value(text, len, simple[i][1], &v)) {
			ok = 0;
			if (why)
				buf_printf(why, GL(o->lang, "it has no %s field", "no tiene campo %s"), simple[i][1]);
		} else if (!ci_contains(v.data ? v.data : "", v.len, want)) {
			ok = 0;
			if (why)
				buf_printf(why, GL(o->lang, "its %s is \"%s\", without \"%s\"", "su %s es \"%s\", sin \"%s\""),
					   simple[i][1], v.data ? v.data : "", want);
		}
	}
	const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(match, "header");
	const cJSON *h;
	cJSON_ArrayForEach(h, hdr) {
		if (!ok || !h->string || !cJSON_IsString(h))
			break;
		if (!field_value(text, len, h->string, &v)) {
			ok = 0;
			if (why)
				buf_printf(why, GL(o->lang, "it has no %s field", "no tiene campo %s"), h->string);
		} else if (!ci_contains(v.data ? v.data : "", v.len, h->valuestring)) {
			ok = 0;
			if (why)
				buf_printf(why, GL(o->lang, "its %s is \"%s\", without \"%s\"", "su %s es \"%s\", sin \"%s\""),
					   h->string, v.data ? v.data : "", h->valuestring);
		}
	}
	const char *body = str(match, "body");
	if (ok && body && !body_contains(text, len, body)) {
		ok = 0;
		if (why)
			buf_printf(why, GL(o->lang, "its text does not contain \"%s\"", "su texto no contiene \"%s\""), body);
	}
	buf_free(&v);
	return ok;
}

const struct ms_message *grade_find_message(struct grade_obs *o, const cJSON *c, struct buf *why)
{
	struct ms_folder *f = grade_folder(o, c, why);
	if (!f)
		return NULL;
	const cJSON *match = cJSON_GetObjectItemCaseSensitive(c, "match");
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(c, "index");
	long want = cJSON_IsNumber(idx) ? (long)idx->valuedouble : 0;
	long seen = 0;
	size_t n = ms_folder_size(f);
	for (size_t i = 0; i < n; i++) {
		const struct ms_message *m = ms_folder_message(f, i);
		if (grade_match(o, (const char *)blob_data(m->body), blob_len(m->body), match, NULL) && seen++ == want)
			return m;
	}
	if (why) {
		const char *mb = str(c, "mailbox");
		if (n == 0)
			buf_printf(why, GL(o->lang, "the mailbox %s is empty", "el buzón %s está vacío"), mb);
		else if (seen == 0 && n > 0) {
			buf_printf(why,
				   GL(o->lang, "none of the %zu messages in %s matches: message 1: ",
				      "ninguno de los %zu mensajes de %s coincide: mensaje 1: "),
				   n, mb);
			const struct ms_message *m = ms_folder_message(f, 0);
			grade_match(o, (const char *)blob_data(m->body), blob_len(m->body), match, why);
		} else
			buf_printf(why, GL(o->lang, "only %ld matching messages in %s", "sólo %ld mensajes coinciden en %s"),
				   seen, mb);
	}
	return NULL;
}

int grade_host_is(const struct grade_obs *o, const char *text, const char *name)
{
	if (!text || !name)
		return 0;
	if (!strcasecmp(text, name))
		return 1;
	for (size_t h = 0; o->s && h < o->s->host_count; h++)
		if (!strcmp(o->s->hosts[h].name, name) && o->s->fqdns && o->s->fqdns[h] && !strcasecmp(o->s->fqdns[h], text))
			return 1;
	return 0;
}

/* ---- delivered ---- */

void grade_check_delivered(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	const char *mailbox = str(spec, "mailbox");
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(spec, "count");
	int expect = !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(spec, "expect"));
	struct buf why;
	buf_init(&why, 4096);
	struct ms_folder *f = grade_folder(o, spec, &why);
	size_t matched = 0, n = f ? ms_folder_size(f) : 0;
	const cJSON *match = cJSON_GetObjectItemCaseSensitive(spec, "match");
	for (size_t i = 0; i < n; i++) {
		const struct ms_message *m = ms_folder_message(f, i);
		if (grade_match(o, (const char *)blob_data(m->body), blob_len(m->body), match, NULL))
			matched++;
	}
	const char *folder = str(spec, "folder") ? str(spec, "folder") : "INBOX";
	int ok;
	if (!expect)
		ok = matched == 0;
	else if (cJSON_IsNumber(count))
		ok = (double)matched == count->valuedouble;
	else
		ok = matched >= 1;
	v->fraction = ok;
	if (!f && expect) {
		buf_printf(&v->detail, "%s", why.data ? why.data : "");
	} else if (!expect) {
		if (ok)
			buf_printf(&v->detail, GL(o->lang, "no matching message in %s %s", "ningún mensaje coincidente en %s %s"),
				   mailbox, folder);
		else
			buf_printf(&v->detail,
				   GL(o->lang, "%zu matching messages were delivered to %s %s, and none should be",
				      "se entregaron %zu mensajes coincidentes a %s %s, y no debía llegar ninguno"),
				   matched, mailbox, folder);
	} else if (n == 0) {
		buf_printf(&v->detail, GL(o->lang, "%s %s is empty: nothing was delivered", "%s %s está vacío: no se entregó nada"),
			   mailbox, folder);
	} else {
		buf_printf(&v->detail,
			   GL(o->lang, "%zu of the %zu messages in %s %s match", "%zu de los %zu mensajes de %s %s coinciden"),
			   matched, n, mailbox, folder);
		if (cJSON_IsNumber(count))
			buf_printf(&v->detail, GL(o->lang, " (expected exactly %g)", " (se esperaban exactamente %g)"),
				   count->valuedouble);
		if (matched == 0 && n > 0) {
			buf_puts(&v->detail, GL(o->lang, "; message 1: ", "; mensaje 1: "));
			const struct ms_message *m = ms_folder_message(f, 0);
			grade_match(o, (const char *)blob_data(m->body), blob_len(m->body), match, &v->detail);
		}
	}
	buf_free(&why);
}

/* ---- header ---- */

static int has_field(const char *text, size_t len, const char *name)
{
	struct hdr_field f;
	return hdr_find(text, len, name, 0, &f);
}

void grade_check_header(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	struct buf why;
	buf_init(&why, 4096);
	const struct ms_message *m = grade_find_message(o, spec, &why);
	if (!m) {
		v->fraction = 0;
		buf_printf(&v->detail, "%s", why.data ? why.data : "");
		buf_free(&why);
		return;
	}
	buf_free(&why);
	const char *text = (const char *)blob_data(m->body);
	size_t len = blob_len(m->body);
	size_t items = 0, good = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "present")) {
		items++;
		if (has_field(text, len, e->valuestring))
			good++;
		else
			buf_printf(&v->detail, GL(o->lang, "%sthe message has no %s field", "%sel mensaje no tiene campo %s"),
				   v->detail.len ? "; " : "", e->valuestring);
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "absent")) {
		items++;
		struct hdr_field f;
		if (!hdr_find(text, len, e->valuestring, 0, &f)) {
			good++;
		} else {
			size_t line = 1;
			for (size_t i = 0; i < f.offset; i++)
				line += text[i] == '\n';
			buf_printf(&v->detail,
				   GL(o->lang, "%sheader line %zu is a %s field, which should not be there: `%.*s`",
				      "%sla línea %zu del encabezado es un campo %s, que no debería estar: `%.*s`"),
				   v->detail.len ? "; " : "", line, e->valuestring,
				   (int)(f.length > 200 ? 200 : strcspn(text + f.offset, "\r\n")), text + f.offset);
		}
	}
	const cJSON *order = cJSON_GetObjectItemCaseSensitive(spec, "received_order");
	if (cJSON_IsArray(order)) {
		cJSON *hosts = grade_received_hosts(text, len);
		size_t nh = (size_t)cJSON_GetArraySize(hosts), pos = 0;
		cJSON_ArrayForEach(e, order) {
			items++;
			size_t k = pos;
			while (k < nh && !grade_host_is(o, cJSON_GetArrayItem(hosts, (int)k)->valuestring, e->valuestring))
				k++;
			if (k < nh) {
				good++;
				pos = k + 1;
			} else {
				buf_printf(&v->detail,
					   GL(o->lang, "%sno Received field by %s%s", "%sningún campo Received by %s%s"),
					   v->detail.len ? "; " : "", e->valuestring,
					   pos ? GL(o->lang, " after the ones before it", " después de los anteriores") : "");
			}
		}
		buf_printf(&v->detail, GL(o->lang, "%sthe Received trail, oldest first: ", "%sel rastro de Received, del más antiguo al más nuevo: "),
			   v->detail.len ? "; " : "");
		for (size_t k = 0; k < nh; k++)
			buf_printf(&v->detail, "%s%s", k ? " -> " : "", cJSON_GetArrayItem(hosts, (int)k)->valuestring);
		if (!nh)
			buf_puts(&v->detail, GL(o->lang, "(none)", "(ninguno)"));
		cJSON_Delete(hosts);
	}
	v->fraction = items ? (double)good / (double)items : 1;
	if (!v->detail.len)
		buf_puts(&v->detail, GL(o->lang, "the header is as expected", "el encabezado es el esperado"));
}

/* ---- mailbox_count ---- */

void grade_check_mailbox_count(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	struct ms_folder *f = grade_folder(o, spec, &v->detail);
	if (!f) {
		v->fraction = 0;
		return;
	}
	static const struct {
		const char *key;
		uint32_t flag;
	} flags[] = {{"flagged", MS_FLAGGED}, {"seen", MS_SEEN}, {"deleted", MS_DELETED}, {"answered", MS_ANSWERED}};
	size_t n = ms_folder_size(f), counted = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ms_message *m = ms_folder_message(f, i);
		int ok = 1;
		for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
			const cJSON *want = cJSON_GetObjectItemCaseSensitive(spec, flags[k].key);
			if (cJSON_IsBool(want) && !!(m->flags & flags[k].flag) != cJSON_IsTrue(want))
				ok = 0;
		}
		counted += ok;
	}
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(spec, "messages");
	double expected = cJSON_IsNumber(want) ? want->valuedouble : 0;
	v->fraction = (double)counted == expected;
	const char *folder = str(spec, "folder") ? str(spec, "folder") : "INBOX";
	buf_printf(&v->detail, GL(o->lang, "%s %s holds %zu messages", "%s %s tiene %zu mensajes"), str(spec, "mailbox"),
		   folder, n);
	if (counted != n)
		buf_printf(&v->detail, GL(o->lang, ", %zu of them with the flags asked for", ", %zu de ellos con las marcas pedidas"),
			   counted);
	buf_printf(&v->detail, GL(o->lang, " (expected %g)", " (se esperaban %g)"), expected);
}

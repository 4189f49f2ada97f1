/* The mime check: a message (delivered, or the submitted .eml itself) has
 * the listed parts, each with its type, transfer encoding, file name,
 * disposition, and decoded bytes (they decode cleanly, at least min_bytes,
 * a given SHA-256); optionally the root is multipart/<subtype>. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "protocols/mime.h"
#include "protocols/sha256.h"
#include "sim/agents/mailstore.h"
#include "sim/core/blob.h"
#include "sim/grade/check.h"
#include "sim/grade/obs.h"

#define MAX_LEAVES 256

static const char *str(const cJSON *c, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Codec defects live in bits 8..15 of a node's defects. */
#define CODEC_DEFECTS 0xff00u

/* 0 if the leaf is what the part spec asks; else a bit per failed key,
 * and a description of the first difference in why. */
static int part_differs(const struct grade_obs *o, const struct mime_node *n, const cJSON *p, struct buf *why)
{
	char type[160];
	snprintf(type, sizeof type, "%s/%s", mime_node_type(n), mime_node_subtype(n));
	const char *t = str(p, "type"), *enc = str(p, "encoding"), *fn = str(p, "filename"),
		   *disp = str(p, "disposition"), *sha = str(p, "sha256");
	size_t blen = 0;
	const char *body = mime_node_body(n, &blen);
	if (t && strcasecmp(t, type)) {
		if (why)
			buf_printf(why, GL(o->lang, "is %s, not %s", "es %s, no %s"), type, t);
		return 1;
	}
	if (enc && strcasecmp(enc, mime_node_cte_name(n))) {
		if (why)
			buf_printf(why, GL(o->lang, "is encoded %s, not %s", "está codificada en %s, no en %s"),
				   mime_node_cte_name(n), enc);
		return 2;
	}
	const char *name = mime_node_filename(n);
	if (fn && (!name || strcmp(fn, name))) {
		if (why)
			buf_printf(why, GL(o->lang, "has file name %s, not %s", "tiene nombre de archivo %s, no %s"),
				   name ? name : GL(o->lang, "(none)", "(ninguno)"), fn);
		return 3;
	}
	const char *d = mime_node_disposition(n);
	if (disp && (!d || strcasecmp(disp, d))) {
		if (why)
			buf_printf(why, GL(o->lang, "has disposition %s, not %s", "tiene disposición %s, no %s"),
				   d ? d : GL(o->lang, "(none)", "(ninguna)"), disp);
		return 4;
	}
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(p, "decodes");
	if (cJSON_IsTrue(dec) && (mime_node_defects(n) & CODEC_DEFECTS)) {
		if (why)
			buf_puts(why, GL(o->lang, "does not decode cleanly (bad characters or padding in its encoding)",
					 "no se decodifica limpiamente (caracteres o relleno incorrectos en su codificación)"));
		return 5;
	}
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(p, "min_bytes");
	if (cJSON_IsNumber(min) && (double)blen < min->valuedouble) {
		if (why)
			buf_printf(why, GL(o->lang, "decodes to %zu bytes, fewer than %g", "decodifica a %zu bytes, menos de %g"),
				   blen, min->valuedouble);
		return 6;
	}
	if (sha) {
		char hex[65];
		sha256_hex(body ? body : "", blen, hex);
		if (strcasecmp(hex, sha)) {
			if (why)
				buf_printf(why, GL(o->lang, "decodes to other bytes (SHA-256 %.16s..., expected %.16s...)",
						   "decodifica a otros bytes (SHA-256 %.16s..., se esperaba %.16s...)"),
					   hex, sha);
			return 7;
		}
	}
	return 0;
}

static size_t leaves(const struct mime_node *root, const struct mime_node **out, size_t max)
{
	const struct mime_node *stack[64];
	size_t sp = 0, n = 0;
	stack[sp++] = root;
	while (sp && n < max) {
		const struct mime_node *node = stack[--sp];
		size_t kids = mime_node_child_count(node);
		if (!kids) {
			out[n++] = node;
			continue;
		}
		for (size_t i = kids; i-- > 0;)
			if (sp < 64)
				stack[sp++] = mime_node_child(node, i);
	}
	return n;
}

void grade_check_mime(const struct grade_check *c, struct grade_obs *o, struct grade_verdict *v)
{
	const cJSON *spec = c->spec;
	const char *text;
	size_t len;
	const char *source = str(spec, "source");
	if (source && !strcmp(source, "submission")) {
		text = o->sub_text;
		len = o->sub_len;
	} else {
		const struct ms_message *m = grade_find_message(o, spec, &v->detail);
		if (!m) {
			v->fraction = 0;
			return;
		}
		text = (const char *)blob_data(m->body);
		len = blob_len(m->body);
	}
	struct mime_doc *doc = NULL;
	if (!text || mime_parse(text, len, NULL, &doc) < 0) {
		v->fraction = 0;
		buf_puts(&v->detail, GL(o->lang, "the message could not be read", "no se pudo leer el mensaje"));
		return;
	}
	const struct mime_node *root = mime_doc_root(doc);
	size_t items = 0, good = 0;
	const char *mp = str(spec, "multipart");
	if (mp) {
		items++;
		if (mime_node_is_multipart(root) && !strcasecmp(mime_node_subtype(root), mp))
			good++;
		else
			buf_printf(&v->detail, GL(o->lang, "the message is %s/%s, not multipart/%s", "el mensaje es %s/%s, no multipart/%s"),
				   mime_node_type(root), mime_node_subtype(root), mp);
	}
	const struct mime_node *leaf[MAX_LEAVES];
	size_t nl = leaves(root, leaf, MAX_LEAVES);
	int used[MAX_LEAVES] = {0};
	int ordered = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "ordered"));
	size_t next = 0, pi = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(spec, "parts")) {
		items++;
		pi++;
		size_t found = nl;
		for (size_t i = ordered ? next : 0; i < nl && found == nl; i++)
			if (!used[i] && !part_differs(o, leaf[i], p, NULL))
				found = i;
		if (found < nl) {
			used[found] = 1;
			next = found + 1;
			good++;
			continue;
		}
		/* Explain with the closest candidate: same type, else the first. */
		const char *t = str(p, "type");
		size_t best = nl;
		for (size_t i = 0; i < nl && best == nl; i++) {
			char type[160];
			snprintf(type, sizeof type, "%s/%s", mime_node_type(leaf[i]), mime_node_subtype(leaf[i]));
			if (!used[i] && t && !strcasecmp(t, type))
				best = i;
		}
		buf_printf(&v->detail, GL(o->lang, "%spart %zu (%s): ", "%sparte %zu (%s): "), v->detail.len ? "; " : "", pi,
			   t ? t : GL(o->lang, "any type", "cualquier tipo"));
		if (best < nl) {
			struct buf sec;
			buf_init(&sec, 64);
			mime_node_section(leaf[best], &sec);
			buf_printf(&v->detail, GL(o->lang, "section %s ", "la sección %s "), sec.data ? sec.data : "1");
			buf_free(&sec);
			part_differs(o, leaf[best], p, &v->detail);
		} else {
			buf_printf(&v->detail, GL(o->lang, "no such part among the message's %zu parts", "no hay tal parte entre las %zu del mensaje"),
				   nl);
		}
		if (ordered)
			buf_puts(&v->detail, GL(o->lang, " (parts must come in the order listed)", " (las partes deben ir en el orden indicado)"));
	}
	v->fraction = items ? (double)good / (double)items : 1;
	if (!v->detail.len) {
		struct buf sum;
		buf_init(&sum, 4096);
		mime_tree_summary(&sum, doc);
		buf_printf(&v->detail, GL(o->lang, "the MIME structure is as expected: %s", "la estructura MIME es la esperada: %s"),
			   sum.data ? sum.data : "");
		buf_free(&sum);
		/* One line in reports. */
		for (size_t i = 0; i < v->detail.len; i++)
			if (v->detail.data[i] == '\n')
				v->detail.data[i] = i + 1 < v->detail.len ? ';' : ' ';
	}
	mime_doc_free(&doc);
}

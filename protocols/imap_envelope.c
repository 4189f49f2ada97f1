/* ENVELOPE, BODY and BODYSTRUCTURE values (RFC 3501 7.4.2), rendered from
 * the header section (ENVELOPE of the message: no MIME parse) or the MIME
 * tree (BODYSTRUCTURE, and ENVELOPE of an encapsulated message/rfc822).
 *
 * Strings in these structures are what the message says on the wire: the
 * subject and dates unfolded but not decoded, display names re-encoded as
 * RFC 2047 words when they are not ASCII, parameter values that the MIME
 * parser decoded to non-ASCII sent back RFC 2231-encoded as "name*". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/address.h"
#include "protocols/codec.h"
#include "protocols/header.h"
#include "protocols/imap_fetch.h"
#include "protocols/imap_msgview_internal.h"
#include "protocols/proto_err.h"

enum env_field { E_DATE, E_SUBJECT, E_FROM, E_SENDER, E_REPLY_TO, E_TO, E_CC, E_BCC, E_IN_REPLY_TO, E_MESSAGE_ID, E_N };
static const char *const env_names[E_N] = {"Date", "Subject",  "From", "Sender",      "Reply-To",
					   "To",   "Cc",       "Bcc",  "In-Reply-To", "Message-ID"};

struct env_src {
	const char *value[E_N];
	size_t len[E_N];
};

static void env_take(struct env_src *e, const struct hdr_field *f)
{
	for (int i = 0; i < E_N; i++)
		if (!e->value[i] && hdr_name_is(f, env_names[i])) {
			e->value[i] = f->value;
			e->len[i] = f->value_len;
		}
}

/* An unfolded value, or NIL when absent (an empty value is "" as RFC 3501
 * examples show for a present but empty Subject). */
static int write_unfolded(struct buf *out, struct buf *tmp, const char *v, size_t n)
{
	if (!v)
		return buf_puts(out, "NIL");
	buf_reset(tmp);
	int rc = hdr_unfold(tmp, v, n);
	if (rc < 0)
		return rc;
	return imap_write_string(out, tmp->data ? tmp->data : "", tmp->len);
}

static int is_blank(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != ' ' && v[i] != '\t' && v[i] != '\r' && v[i] != '\n')
			return 0;
	return 1;
}

static int write_name(struct buf *out, struct buf *tmp, const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return buf_puts(out, "NIL");
	if (!codec_has_8bit(name, n))
		return imap_write_string(out, name, n);
	buf_reset(tmp);
	int rc = codec_hdr_encode(tmp, name, n, 1);
	if (rc < 0)
		return rc;
	return imap_write_string(out, tmp->data, tmp->len);
}

static int write_address(struct buf *out, struct buf *tmp, const struct addr *a)
{
	int rc = buf_putc(out, '(');
	if (rc == 0)
		rc = write_name(out, tmp, a->name);
	if (rc == 0)
		rc = buf_puts(out, " NIL ");
	const char *at = strrchr(a->mailbox, '@');
	if (rc == 0)
		rc = imap_write_string(out, a->mailbox, at ? (size_t)(at - a->mailbox) : strlen(a->mailbox));
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = at ? imap_write_string(out, at + 1, strlen(at + 1)) : buf_puts(out, "NIL");
	if (rc == 0)
		rc = buf_putc(out, ')');
	return rc;
}

/* "(" 1*address ")" with RFC 3501 group markers, or NIL. */
static int write_addr_list(struct buf *out, struct buf *tmp, const char *v, size_t n)
{
	if (!v || is_blank(v, n))
		return buf_puts(out, "NIL");
	struct addr_list *l = NULL;
	int rc = addr_parse(v, n, &l, NULL);
	if (rc < 0)
		return rc;
	size_t count = addr_list_count(l);
	if (count == 0) {
		addr_list_free(&l);
		return buf_puts(out, "NIL");
	}
	rc = buf_putc(out, '(');
	const char *group = NULL;
	for (size_t i = 0; i < count && rc == 0; i++) {
		const struct addr *a = addr_list_get(l, i);
		if (group && (!a->group || strcmp(a->group, group) != 0)) {
			rc = buf_puts(out, "(NIL NIL NIL NIL)");
			group = NULL;
		}
		if (rc == 0 && a->group && !group) {
			group = a->group;
			rc = buf_puts(out, "(NIL NIL ");
			if (rc == 0)
				rc = imap_write_string(out, group, strlen(group));
			if (rc == 0)
				rc = buf_puts(out, " NIL)");
		}
		if (rc == 0 && a->mailbox)
			rc = write_address(out, tmp, a);
	}
	if (rc == 0 && group)
		rc = buf_puts(out, "(NIL NIL NIL NIL)");
	if (rc == 0)
		rc = buf_putc(out, ')');
	addr_list_free(&l);
	return rc;
}

static int write_envelope_src(struct buf *out, const struct env_src *e)
{
	struct buf tmp;
	buf_init(&tmp, 1u << 20);
	int rc = buf_putc(out, '(');
	for (int i = 0; i < E_N && rc == 0; i++) {
		if (i)
			rc = buf_putc(out, ' ');
		if (rc < 0)
			break;
		int src = i;
		/* RFC 3501 7.4.2: absent or empty Sender and Reply-To take From. */
		if ((i == E_SENDER || i == E_REPLY_TO) && (!e->value[i] || is_blank(e->value[i], e->len[i])))
			src = E_FROM;
		switch (src) {
		case E_FROM:
		case E_SENDER:
		case E_REPLY_TO:
		case E_TO:
		case E_CC:
		case E_BCC: rc = write_addr_list(out, &tmp, e->value[src], e->len[src]); break;
		default: rc = write_unfolded(out, &tmp, e->value[src], e->len[src]); break;
		}
	}
	if (rc == 0)
		rc = buf_putc(out, ')');
	buf_free(&tmp);
	return rc;
}

static int envelope_of_node(struct buf *out, const struct mime_node *n)
{
	struct env_src e = {0};
	for (size_t i = 0; i < mime_node_field_count(n); i++)
		env_take(&e, mime_node_field(n, i));
	return write_envelope_src(out, &e);
}

static int envelope_uncached(struct buf *out, const struct imap_msgview *v)
{
	struct env_src e = {0};
	size_t pos = 0;
	struct hdr_field f;
	while (hdr_next(v->raw, v->raw_len, &pos, &f, NULL) > 0)
		env_take(&e, &f);
	return write_envelope_src(out, &e);
}

int imap_write_envelope(struct buf *out, const struct imap_msgview *v)
{
	struct imap_msgcache *mc = imap_msgview_cache(v);
	if (!mc)
		return envelope_uncached(out, v);
	if (!mc->have_envelope) {
		buf_reset(&mc->envelope);
		buf_reserve(&mc->envelope, 512); /* most envelopes fit: no regrowth */
		int rc = envelope_uncached(&mc->envelope, v);
		if (rc < 0)
			return rc;
		mc->have_envelope = 1;
	}
	return buf_append(out, mc->envelope.data, mc->envelope.len);
}

/* ---- BODYSTRUCTURE ---- */

static int write_upper(struct buf *out, const char *s)
{
	size_t n = strlen(s), mark = out->len;
	int rc = imap_write_string(out, s, n);
	if (rc == 0)
		for (size_t i = mark; i < out->len; i++)
			out->data[i] = (char)toupper((unsigned char)out->data[i]);
	return rc;
}

/* One parameter: ASCII values as they are, others as RFC 2231 "name*". */
static int write_param(struct buf *out, struct buf *tmp, const char *name, const char *value)
{
	size_t vn = strlen(value);
	int rc;
	if (!codec_has_8bit(value, vn)) {
		rc = write_upper(out, name);
		if (rc == 0)
			rc = buf_putc(out, ' ');
		return rc ? rc : imap_write_string(out, value, vn);
	}
	buf_reset(tmp);
	buf_puts(tmp, name);
	buf_puts(tmp, "*");
	if (tmp->err)
		return tmp->err;
	size_t mark = out->len;
	rc = imap_write_string(out, tmp->data, tmp->len);
	for (size_t i = mark; i < out->len && rc == 0; i++)
		out->data[i] = (char)toupper((unsigned char)out->data[i]);
	buf_reset(tmp);
	buf_puts(tmp, "utf-8''");
	if (rc == 0)
		rc = codec_pct_encode(tmp, value, vn);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	return rc ? rc : imap_write_string(out, tmp->data, tmp->len);
}

static int write_type_params(struct buf *out, struct buf *tmp, const struct mime_node *n)
{
	size_t count = mime_node_param_count(n);
	if (count == 0)
		return buf_puts(out, "NIL");
	int rc = buf_putc(out, '(');
	for (size_t i = 0; i < count && rc == 0; i++) {
		if (i)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_param(out, tmp, mime_node_param_name(n, i), mime_node_param_value(n, i));
	}
	return rc ? rc : buf_putc(out, ')');
}

/* The distinct parameter names of a Content-Disposition value (RFC 2231
 * sections "name*0*" folded into "name"), lowercase, into names (NUL
 * separated); returns how many. */
static size_t disposition_names(const struct hdr_field *f, struct buf *names)
{
	size_t count = 0;
	const char *s = f->value, *end = f->value + f->value_len;
	int in_quote = 0;
	for (const char *p = s; p < end; p++) {
		if (in_quote) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				in_quote = 0;
			continue;
		}
		if (*p == '"') {
			in_quote = 1;
			continue;
		}
		if (*p != ';')
			continue;
		const char *q = p + 1;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		const char *name = q;
		while (q < end && *q != '=' && *q != '*' && *q != ';' && *q != ' ' && *q != '\t')
			q++;
		size_t len = (size_t)(q - name);
		if (len == 0)
			continue;
		char lname[128];
		if (len >= sizeof lname)
			continue;
		for (size_t i = 0; i < len; i++)
			lname[i] = (char)tolower((unsigned char)name[i]);
		lname[len] = 0;
		int dup = 0;
		for (size_t off = 0; off < names->len && !dup; off += strlen(names->data + off) + 1)
			dup = strcmp(names->data + off, lname) == 0;
		if (!dup && buf_append(names, lname, len + 1) == 0)
			count++;
	}
	return count;
}

static int write_disposition(struct buf *out, struct buf *tmp, const struct mime_node *n)
{
	const char *d = mime_node_disposition(n);
	const struct hdr_field *f = mime_node_find_field(n, "Content-Disposition");
	if (!d || !f)
		return buf_puts(out, "NIL");
	int rc = buf_putc(out, '(');
	if (rc == 0)
		rc = write_upper(out, d);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	struct buf names;
	buf_init(&names, 1u << 16);
	size_t count = disposition_names(f, &names);
	int written = 0;
	size_t off = 0;
	for (size_t i = 0; i < count && rc == 0; i++, off += strlen(names.data + off) + 1) {
		const char *value = mime_node_disposition_param(n, names.data + off);
		if (!value)
			continue;
		rc = buf_puts(out, written ? " " : "(");
		if (rc == 0)
			rc = write_param(out, tmp, names.data + off, value);
		written = 1;
	}
	buf_free(&names);
	if (rc == 0)
		rc = buf_puts(out, written ? "))" : "NIL)");
	return rc;
}

/* An nstring from a field's unfolded value. */
static int write_field_nstring(struct buf *out, struct buf *tmp, const struct mime_node *n, const char *name)
{
	const struct hdr_field *f = mime_node_find_field(n, name);
	return write_unfolded(out, tmp, f ? f->value : NULL, f ? f->value_len : 0);
}

/* body-fld-lang: NIL, one string, or a list of the comma-separated tags. */
static int write_language(struct buf *out, struct buf *tmp, const struct mime_node *n)
{
	const struct hdr_field *f = mime_node_find_field(n, "Content-Language");
	if (!f || is_blank(f->value, f->value_len))
		return buf_puts(out, "NIL");
	buf_reset(tmp);
	int rc = hdr_unfold(tmp, f->value, f->value_len);
	if (rc < 0)
		return rc;
	const char *tags[32];
	size_t lens[32], count = 0;
	const char *p = tmp->data, *end = tmp->data + tmp->len;
	while (p < end && count < 32) {
		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		const char *s = p;
		while (p < end && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		if (p > s) {
			tags[count] = s;
			lens[count++] = (size_t)(p - s);
		}
	}
	if (count == 0)
		return buf_puts(out, "NIL");
	if (count == 1)
		return imap_write_string(out, tags[0], lens[0]);
	rc = buf_putc(out, '(');
	for (size_t i = 0; i < count && rc == 0; i++) {
		if (i)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = imap_write_string(out, tags[i], lens[i]);
	}
	return rc ? rc : buf_putc(out, ')');
}

/* body-fld-dsp SP body-fld-lang SP body-fld-loc */
static int write_ext_tail(struct buf *out, struct buf *tmp, const struct mime_node *n)
{
	int rc = write_disposition(out, tmp, n);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_language(out, tmp, n);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_field_nstring(out, tmp, n, "Content-Location");
	return rc;
}

/* The structure of an entity that is a message (the root, or the child of
 * a message/rfc822 part): a multipart, or the single part it is. */
static int write_body(struct buf *out, struct buf *tmp, const struct mime_node *n, int ext, size_t depth)
{
	int rc = buf_putc(out, '(');
	if (rc < 0)
		return rc;
	if (mime_node_is_multipart(n) && mime_node_child_count(n) > 0) {
		for (size_t i = 0; i < mime_node_child_count(n) && rc == 0; i++)
			rc = write_body(out, tmp, mime_node_child(n, i), ext, depth + 1);
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_upper(out, mime_node_subtype(n));
		if (rc == 0 && ext) {
			rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = write_type_params(out, tmp, n);
			if (rc == 0)
				rc = buf_putc(out, ' ');
			if (rc == 0)
				rc = write_ext_tail(out, tmp, n);
		}
		return rc ? rc : buf_putc(out, ')');
	}
	/* A multipart with no parts (which RFC 3501 cannot express) is shown
	 * as the single part its text is. */
	const char *type = mime_node_type(n), *subtype = mime_node_subtype(n);
	if (mime_node_is_multipart(n)) {
		type = "text";
		subtype = "plain";
	}
	rc = write_upper(out, type);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_upper(out, subtype);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_type_params(out, tmp, n);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_field_nstring(out, tmp, n, "Content-ID");
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_field_nstring(out, tmp, n, "Content-Description");
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc == 0)
		rc = write_upper(out, mime_node_cte_name(n));
	if (rc == 0)
		rc = buf_printf(out, " %zu", mime_node_body_len(n));
	if (rc == 0 && mime_node_is_message(n) && mime_node_child_count(n) > 0) {
		const struct mime_node *inner = mime_node_child(n, 0);
		rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = envelope_of_node(out, inner);
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_body(out, tmp, inner, ext, depth + 1);
		if (rc == 0)
			rc = buf_printf(out, " %zu", mime_node_body_lines(n));
	} else if (rc == 0 && strcmp(type, "text") == 0) {
		rc = buf_printf(out, " %zu", mime_node_body_lines(n));
	}
	if (rc == 0 && ext) {
		rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_field_nstring(out, tmp, n, "Content-MD5");
		if (rc == 0)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = write_ext_tail(out, tmp, n);
	}
	return rc ? rc : buf_putc(out, ')');
}

static int bodystructure_uncached(struct buf *out, const struct imap_msgview *v, int ext)
{
	const struct mime_doc *doc;
	struct mime_doc *owned;
	int rc = imap_msgview_mime(v, &doc, &owned);
	if (rc < 0)
		return rc;
	struct buf tmp;
	buf_init(&tmp, 1u << 20);
	rc = write_body(out, &tmp, mime_doc_root(doc), ext, 0);
	buf_free(&tmp);
	mime_doc_free(&owned);
	return rc;
}

int imap_write_bodystructure(struct buf *out, const struct imap_msgview *v, int extensible)
{
	int ext = extensible ? 1 : 0;
	struct imap_msgcache *mc = imap_msgview_cache(v);
	if (!mc)
		return bodystructure_uncached(out, v, ext);
	if (!mc->have_body[ext]) {
		buf_reset(&mc->body[ext]);
		int rc = bodystructure_uncached(&mc->body[ext], v, ext);
		if (rc < 0)
			return rc;
		mc->have_body[ext] = 1;
	}
	return buf_append(out, mc->body[ext].data, mc->body[ext].len);
}

/* FETCH attribute lists (RFC 3501 6.4.5 and the fetch-att grammar of
 * section 9): parsing into a list of attributes, each with the label its
 * reply item carries, and rendering one message's item list.
 *
 *   fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
 *               "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
 *               "BODY" ["STRUCTURE"] / "UID" /
 *               "BODY" section ["<" number "." nz-number ">"] /
 *               "BODY.PEEK" section ["<" number "." nz-number ">"]
 *   section = "[" [section-spec] "]"
 *   section-spec = section-msgtext / (section-part ["." section-text])
 *   section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT"
 *   section-part = nz-number *("." nz-number)
 *   section-text = section-msgtext / "MIME"
 */
#include "protocols/imap_fetch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocols/header.h"
#include "protocols/imap_msgview_internal.h"
#include "protocols/proto_err.h"

#define MAX_PART_DEPTH 32

enum sec_text { SEC_ALL, SEC_HEADER, SEC_FIELDS, SEC_FIELDS_NOT, SEC_TEXT, SEC_MIME };

struct fetch_att {
	enum imap_fetch_kind kind;
	int peek;
	uint32_t part[MAX_PART_DEPTH];
	size_t nparts;
	enum sec_text text;
	char **fields;
	size_t nfields;
	int partial;
	uint32_t origin, count;
	char *label; /* "BODY[HEADER.FIELDS (FROM)]<0>" as the reply names it */
};

struct imap_fetch {
	struct fetch_att atts[IMAP_FETCH_MAX_ATTS];
	size_t n;
};

static const struct {
	const char *name;
	enum imap_fetch_kind kind;
} simple[] = {
	{"FLAGS", IMAP_FA_FLAGS},
	{"INTERNALDATE", IMAP_FA_INTERNALDATE},
	{"RFC822.SIZE", IMAP_FA_RFC822_SIZE},
	{"ENVELOPE", IMAP_FA_ENVELOPE},
	{"BODYSTRUCTURE", IMAP_FA_BODYSTRUCTURE},
	{"UID", IMAP_FA_UID},
	{"RFC822", IMAP_FA_RFC822},
	{"RFC822.HEADER", IMAP_FA_RFC822_HEADER},
	{"RFC822.TEXT", IMAP_FA_RFC822_TEXT},
};

static void att_clear(struct fetch_att *a)
{
	for (size_t i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	free(a->label);
	memset(a, 0, sizeof *a);
}

void imap_fetch_free(struct imap_fetch **f)
{
	if (!f || !*f)
		return;
	for (size_t i = 0; i < (*f)->n; i++)
		att_clear(&(*f)->atts[i]);
	free(*f);
	*f = NULL;
}

static struct fetch_att *add_att(struct imap_fetch *f, struct imap_cursor *c, enum imap_fetch_kind kind)
{
	if (f->n == IMAP_FETCH_MAX_ATTS) {
		c->err = "too many FETCH attributes";
		return NULL;
	}
	struct fetch_att *a = &f->atts[f->n++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	return a;
}

/* header-fld-name: an astring made only of field-name characters. */
static int valid_field_name(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 32 || (unsigned char)s[i] >= 127 || s[i] == ':')
			return 0;
	return 1;
}

static int parse_header_list(struct imap_cursor *c, struct fetch_att *a, struct buf *label)
{
	struct buf name;
	buf_init(&name, 1000);
	int rc = imap_sp(c);
	if (rc == 0)
		rc = imap_expect(c, '(');
	if (rc == 0)
		rc = buf_puts(label, " (");
	while (rc == 0) {
		buf_reset(&name);
		rc = imap_read_astring(c, &name);
		if (rc < 0)
			break;
		if (!valid_field_name(name.data, name.len)) {
			c->err = "bad header field name";
			rc = PROTO_EINVAL;
			break;
		}
		if (a->nfields == IMAP_FETCH_MAX_FIELDS) {
			c->err = "too many header field names";
			rc = PROTO_ELIMIT;
			break;
		}
		char **nf = realloc(a->fields, (a->nfields + 1) * sizeof *nf);
		char *copy = nf ? strdup(name.data) : NULL;
		if (!copy) {
			if (nf)
				a->fields = nf;
			c->err = "out of memory";
			rc = PROTO_ENOMEM;
			break;
		}
		a->fields = nf;
		a->fields[a->nfields++] = copy;
		/* The reply names the fields as the client did, upper-cased
		 * (as the RFC 3501 examples show). */
		for (char *p = copy; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 32);
		if (a->nfields > 1)
			buf_putc(label, ' ');
		imap_write_astring(label, copy, strlen(copy));
		if (imap_peek(c) == ')') {
			c->p++;
			rc = buf_putc(label, ')');
			break;
		}
		rc = imap_sp(c);
		if (rc < 0)
			c->err = "expected ' ' or ')' in header list";
	}
	buf_free(&name);
	if (rc == 0 && label->err)
		rc = label->err;
	return rc;
}

/* "[" section-spec "]" ["<" origin "." count ">"], the cursor just past
 * "BODY" or "BODY.PEEK". */
static int parse_section(struct imap_cursor *c, struct fetch_att *a)
{
	struct buf label;
	buf_init(&label, 64 * 1024);
	int rc = buf_puts(&label, "BODY[");
	if (imap_expect(c, '[') < 0) {
		buf_free(&label);
		return PROTO_EINVAL;
	}
	int ch = imap_peek(c);
	int want_text = 1;
	if (ch >= '0' && ch <= '9') {
		for (;;) {
			uint32_t v;
			if ((rc = imap_read_nz_number(c, &v)) < 0) {
				c->err = "bad part number in section";
				goto out;
			}
			if (a->nparts == MAX_PART_DEPTH) {
				c->err = "section part number too deep";
				rc = PROTO_ELIMIT;
				goto out;
			}
			a->part[a->nparts++] = v;
			buf_printf(&label, a->nparts > 1 ? ".%u" : "%u", v);
			if (imap_peek(c) != '.')
				break;
			c->p++;
			ch = imap_peek(c);
			if (!(ch >= '0' && ch <= '9'))
				break;
		}
		want_text = c->p[-1] == '.';
		if (want_text && imap_peek(c) == ']') {
			c->err = "section text expected after '.'";
			rc = PROTO_EINVAL;
			goto out;
		}
	}
	if (want_text && imap_peek(c) != ']') {
		if (a->nparts)
			buf_putc(&label, '.');
		if (imap_accept_word(c, "HEADER.FIELDS.NOT")) {
			a->text = SEC_FIELDS_NOT;
			buf_puts(&label, "HEADER.FIELDS.NOT");
			rc = parse_header_list(c, a, &label);
		} else if (imap_accept_word(c, "HEADER.FIELDS")) {
			a->text = SEC_FIELDS;
			buf_puts(&label, "HEADER.FIELDS");
			rc = parse_header_list(c, a, &label);
		} else if (imap_accept_word(c, "HEADER")) {
			a->text = SEC_HEADER;
			rc = buf_puts(&label, "HEADER");
		} else if (imap_accept_word(c, "TEXT")) {
			a->text = SEC_TEXT;
			rc = buf_puts(&label, "TEXT");
		} else if (a->nparts && imap_accept_word(c, "MIME")) {
			a->text = SEC_MIME;
			rc = buf_puts(&label, "MIME");
		} else {
			c->err = "unknown section text";
			rc = PROTO_EINVAL;
		}
		if (rc < 0)
			goto out;
	}
	if (imap_expect(c, ']') < 0) {
		c->err = "expected ']' after section";
		rc = PROTO_EINVAL;
		goto out;
	}
	buf_putc(&label, ']');
	if (imap_peek(c) == '<') {
		c->p++;
		if (imap_read_number(c, &a->origin) < 0 || imap_expect(c, '.') < 0 ||
		    imap_read_nz_number(c, &a->count) < 0 || imap_expect(c, '>') < 0) {
			c->err = "malformed partial <origin.count>";
			rc = PROTO_EINVAL;
			goto out;
		}
		a->partial = 1;
		buf_printf(&label, "<%u>", a->origin);
	}
	if (label.err) {
		rc = label.err;
		c->err = "section too long";
		goto out;
	}
	a->label = buf_steal(&label, NULL);
	if (!a->label) {
		c->err = "out of memory";
		rc = PROTO_ENOMEM;
	}
out:
	buf_free(&label);
	return rc;
}

/* One fetch-att; macros only when allow_macro. */
static int parse_att(struct imap_cursor *c, struct imap_fetch *f, int allow_macro)
{
	struct buf name;
	buf_init(&name, 64);
	int rc = imap_read_atom_until(c, "[<", &name);
	if (rc < 0) {
		c->err = "expected a FETCH attribute";
		buf_free(&name);
		return rc;
	}
	const char *macro[5] = {0};
	if (allow_macro && strcasecmp(name.data, "ALL") == 0) {
		macro[0] = "FLAGS", macro[1] = "INTERNALDATE", macro[2] = "RFC822.SIZE", macro[3] = "ENVELOPE";
	} else if (allow_macro && strcasecmp(name.data, "FAST") == 0) {
		macro[0] = "FLAGS", macro[1] = "INTERNALDATE", macro[2] = "RFC822.SIZE";
	} else if (allow_macro && strcasecmp(name.data, "FULL") == 0) {
		macro[0] = "FLAGS", macro[1] = "INTERNALDATE", macro[2] = "RFC822.SIZE", macro[3] = "ENVELOPE",
		macro[4] = "BODY";
	}
	if (macro[0]) {
		for (size_t i = 0; i < 5 && macro[i]; i++) {
			struct fetch_att *a = NULL;
			for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++)
				if (strcmp(simple[k].name, macro[i]) == 0)
					a = add_att(f, c, simple[k].kind);
			if (strcmp(macro[i], "BODY") == 0)
				a = add_att(f, c, IMAP_FA_BODY);
			if (!a) {
				buf_free(&name);
				return PROTO_ELIMIT;
			}
		}
		buf_free(&name);
		return 0;
	}
	int is_body = strcasecmp(name.data, "BODY") == 0, is_peek = strcasecmp(name.data, "BODY.PEEK") == 0;
	if (is_body || is_peek) {
		if (is_body && imap_peek(c) != '[') {
			buf_free(&name);
			return add_att(f, c, IMAP_FA_BODY) ? 0 : PROTO_ELIMIT;
		}
		buf_free(&name);
		struct fetch_att *a = add_att(f, c, IMAP_FA_SECTION);
		if (!a)
			return PROTO_ELIMIT;
		a->peek = is_peek;
		rc = parse_section(c, a);
		if (rc < 0) {
			att_clear(a);
			f->n--;
		}
		return rc;
	}
	for (size_t k = 0; k < sizeof simple / sizeof simple[0]; k++) {
		if (strcasecmp(simple[k].name, name.data) == 0) {
			buf_free(&name);
			if (imap_peek(c) == '[' || imap_peek(c) == '<') {
				c->err = "unexpected '[' or '<' after FETCH attribute";
				return PROTO_EINVAL;
			}
			return add_att(f, c, simple[k].kind) ? 0 : PROTO_ELIMIT;
		}
	}
	buf_free(&name);
	c->err = "unknown FETCH attribute";
	return PROTO_EINVAL;
}

int imap_fetch_parse(struct imap_cursor *c, struct imap_fetch **f_r)
{
	const uint8_t *start = c->p;
	struct imap_fetch *f = calloc(1, sizeof *f);
	if (!f) {
		c->err = "out of memory";
		return PROTO_ENOMEM;
	}
	int rc;
	if (imap_peek(c) == '(') {
		c->p++;
		for (;;) {
			if ((rc = parse_att(c, f, 0)) < 0)
				goto fail;
			if (imap_peek(c) == ')') {
				c->p++;
				break;
			}
			if (imap_sp(c) < 0) {
				c->err = "expected ' ' or ')' in FETCH attribute list";
				rc = PROTO_EINVAL;
				goto fail;
			}
		}
	} else if ((rc = parse_att(c, f, 1)) < 0) {
		goto fail;
	}
	*f_r = f;
	return 0;
fail:
	imap_fetch_free(&f);
	c->p = start;
	return rc;
}

int imap_fetch_sets_seen(const struct imap_fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fetch_att *a = &f->atts[i];
		if ((a->kind == IMAP_FA_SECTION && !a->peek) || a->kind == IMAP_FA_RFC822 ||
		    a->kind == IMAP_FA_RFC822_TEXT)
			return 1;
	}
	return 0;
}

int imap_fetch_has(const struct imap_fetch *f, enum imap_fetch_kind kind)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->atts[i].kind == kind)
			return 1;
	return 0;
}

int imap_fetch_needs_mime(const struct imap_fetch *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fetch_att *a = &f->atts[i];
		if (a->kind == IMAP_FA_BODY || a->kind == IMAP_FA_BODYSTRUCTURE ||
		    (a->kind == IMAP_FA_SECTION && a->nparts > 0))
			return 1;
	}
	return 0;
}

/* ---- rendering ---- */

/* The node numbered k among the parts of n (RFC 3501 6.4.5); is_msg says
 * whether n stands for a whole message (the root or an encapsulated one),
 * whose single-part body is its part 1. */
static const struct mime_node *numbered(const struct mime_node *n, int is_msg, uint32_t k)
{
	if (mime_node_is_multipart(n))
		return k <= mime_node_child_count(n) ? mime_node_child(n, k - 1) : NULL;
	if (is_msg)
		return k == 1 ? n : NULL;
	if (mime_node_is_message(n) && mime_node_child_count(n) > 0)
		return numbered(mime_node_child(n, 0), 1, k);
	return NULL;
}

/* Matching fields of a header block, then the empty line. */
static int filter_fields(struct buf *out, const char *h, size_t n, const struct fetch_att *a)
{
	size_t pos = 0;
	struct hdr_field fl;
	int rc = 0;
	while (rc == 0 && pos < n && hdr_next(h, n, &pos, &fl, NULL) > 0) {
		int hit = 0;
		for (size_t i = 0; i < a->nfields && !hit; i++)
			hit = hdr_name_is(&fl, a->fields[i]);
		if (hit != (a->text == SEC_FIELDS_NOT))
			rc = buf_append(out, h + fl.offset, fl.length);
	}
	return rc ? rc : buf_puts(out, "\r\n");
}

static int write_data(struct buf *out, const struct fetch_att *a, const char *s, size_t n)
{
	if (!s)
		return buf_puts(out, "NIL");
	if (a && a->partial) {
		if (a->origin >= n) {
			n = 0;
		} else {
			s += a->origin;
			n -= a->origin;
			if (n > a->count)
				n = a->count;
		}
	}
	return imap_write_string(out, s, n);
}

static int render_section(struct buf *out, const struct fetch_att *a, const struct imap_msgview *v)
{
	int rc = buf_puts(out, a->label);
	if (rc == 0)
		rc = buf_putc(out, ' ');
	if (rc < 0)
		return rc;
	const char *text = v->raw;
	size_t len = v->raw_len;
	/* Top-level sections need only the header's end, not a MIME parse. */
	if (a->nparts == 0) {
		size_t body = imap_msgview_body_offset(v);
		switch (a->text) {
		case SEC_ALL: return write_data(out, a, text, len);
		case SEC_HEADER: return write_data(out, a, text, body);
		case SEC_TEXT: return write_data(out, a, text + body, len - body);
		default: break;
		}
		struct buf sub;
		buf_init(&sub, out->max);
		rc = filter_fields(&sub, text, body, a);
		if (rc == 0)
			rc = write_data(out, a, sub.data, sub.len);
		buf_free(&sub);
		return rc;
	}
	const struct mime_doc *doc;
	struct mime_doc *owned;
	if ((rc = imap_msgview_mime(v, &doc, &owned)) < 0)
		return rc;
	text = mime_doc_text(doc, &len);
	const struct mime_node *n = mime_doc_root(doc);
	int is_msg = 1;
	for (size_t i = 0; i < a->nparts && n; i++) {
		n = numbered(n, is_msg, a->part[i]);
		is_msg = 0;
	}
	const struct mime_node *m = NULL; /* the message HEADER/TEXT refer to */
	if (n && a->text != SEC_ALL && a->text != SEC_MIME)
		m = mime_node_is_message(n) && mime_node_child_count(n) > 0 ? mime_node_child(n, 0) : NULL;
	if (!n || (a->text != SEC_ALL && a->text != SEC_MIME && !m)) {
		rc = write_data(out, NULL, NULL, 0);
	} else if (a->text == SEC_ALL) {
		rc = write_data(out, a, text + mime_node_body_offset(n), mime_node_body_len(n));
	} else if (a->text == SEC_MIME) {
		rc = write_data(out, a, text + mime_node_offset(n), mime_node_header_len(n));
	} else if (a->text == SEC_HEADER) {
		rc = write_data(out, a, text + mime_node_offset(m), mime_node_header_len(m));
	} else if (a->text == SEC_TEXT) {
		rc = write_data(out, a, text + mime_node_body_offset(m), mime_node_body_len(m));
	} else {
		struct buf sub;
		buf_init(&sub, out->max);
		rc = filter_fields(&sub, text + mime_node_offset(m), mime_node_header_len(m), a);
		if (rc == 0)
			rc = write_data(out, a, sub.data, sub.len);
		buf_free(&sub);
	}
	mime_doc_free(&owned);
	return rc;
}

static int render_att(struct buf *out, const struct fetch_att *a, const struct imap_msgview *v)
{
	size_t body;
	int rc;
	switch (a->kind) {
	case IMAP_FA_FLAGS:
		rc = buf_puts(out, "FLAGS ");
		return rc ? rc : imap_write_flags(out, v->flags, v->keywords, v->keyword_count);
	case IMAP_FA_INTERNALDATE:
		rc = buf_puts(out, "INTERNALDATE ");
		return rc ? rc : imap_write_date_time(out, v->internal_date, v->internal_zone_min);
	case IMAP_FA_RFC822_SIZE: return buf_printf(out, "RFC822.SIZE %zu", v->raw_len);
	case IMAP_FA_ENVELOPE:
		rc = buf_puts(out, "ENVELOPE ");
		return rc ? rc : imap_write_envelope(out, v);
	case IMAP_FA_BODY:
	case IMAP_FA_BODYSTRUCTURE:
		rc = buf_puts(out, a->kind == IMAP_FA_BODY ? "BODY " : "BODYSTRUCTURE ");
		return rc ? rc : imap_write_bodystructure(out, v, a->kind == IMAP_FA_BODYSTRUCTURE);
	case IMAP_FA_UID: return buf_printf(out, "UID %u", v->uid);
	case IMAP_FA_RFC822:
		rc = buf_puts(out, "RFC822 ");
		return rc ? rc : write_data(out, NULL, v->raw, v->raw_len);
	case IMAP_FA_RFC822_HEADER:
		body = imap_msgview_body_offset(v);
		rc = buf_puts(out, "RFC822.HEADER ");
		return rc ? rc : write_data(out, NULL, v->raw, body);
	case IMAP_FA_RFC822_TEXT:
		body = imap_msgview_body_offset(v);
		rc = buf_puts(out, "RFC822.TEXT ");
		return rc ? rc : write_data(out, NULL, v->raw + body, v->raw_len - body);
	case IMAP_FA_SECTION: return render_section(out, a, v);
	}
	return PROTO_EINVAL;
}

int imap_fetch_render(const struct imap_fetch *f, const struct imap_msgview *v, unsigned opts, struct buf *out)
{
	int rc = buf_putc(out, '(');
	int first = 1;
	if (rc == 0 && (opts & IMAP_FETCH_ADD_UID) && !imap_fetch_has(f, IMAP_FA_UID)) {
		rc = buf_printf(out, "UID %u", v->uid);
		first = 0;
	}
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		/* A repeated attribute (FLAGS FLAGS, or from a macro) is sent once. */
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = f->atts[k].kind == f->atts[i].kind &&
			      (f->atts[i].kind != IMAP_FA_SECTION || strcmp(f->atts[k].label, f->atts[i].label) == 0);
		if (dup)
			continue;
		if (!first)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = render_att(out, &f->atts[i], v);
		first = 0;
	}
	if (rc == 0 && (opts & IMAP_FETCH_ADD_FLAGS) && !imap_fetch_has(f, IMAP_FA_FLAGS)) {
		if (!first)
			rc = buf_putc(out, ' ');
		if (rc == 0)
			rc = buf_puts(out, "FLAGS ");
		if (rc == 0)
			rc = imap_write_flags(out, v->flags, v->keywords, v->keyword_count);
	}
	return rc ? rc : buf_putc(out, ')');
}

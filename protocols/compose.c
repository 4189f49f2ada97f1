/* Composing a whole message from a draft (compose.h). */
#include "protocols/compose.h"

#include <stdio.h>
#include <string.h>

#include "protocols/address.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "protocols/mime_build.h"
#include "protocols/proto_err.h"

static int fail(char *err, size_t size, int rc, const char *why)
{
	if (err && size)
		snprintf(err, size, "%s", why);
	return rc;
}

/* Parses a user's address list and writes it as a header field. */
static int write_addresses(struct buf *out, const char *name, const char *list, int need_one, char *err,
			   size_t size)
{
	struct addr_list *l = NULL;
	unsigned defects = 0;
	char why[96];
	int rc = addr_parse(list, (size_t)-1, &l, &defects);
	if (rc < 0)
		return fail(err, size, rc, "out of memory");
	if (defects & (ADDR_D_SYNTAX | ADDR_D_NO_DOMAIN | ADDR_D_UNCLOSED) || (need_one && addr_list_count(l) == 0)) {
		addr_list_free(&l);
		snprintf(why, sizeof why, "bad address list in %s: \"%.50s\"", name, list);
		return fail(err, size, PROTO_EINVAL, why);
	}
	struct buf v;
	buf_init(&v, 1 << 20);
	addr_list_format(&v, l);
	rc = v.err ? v.err : hdr_write(out, name, v.data ? v.data : "");
	buf_free(&v);
	addr_list_free(&l);
	if (rc < 0) {
		snprintf(why, sizeof why, "cannot write %s (a word longer than 998 octets?)", name);
		return fail(err, size, rc, why);
	}
	return 0;
}

static struct mime_build *body_tree(const struct msg_draft *d)
{
	const char *text = d->text ? d->text : "";
	struct mime_build *plain = NULL, *html = NULL;
	if (*text || !d->html)
		plain = mime_build_leaf("text/plain", text, strlen(text));
	if (d->html) {
		html = mime_build_leaf("text/html", d->html, strlen(d->html));
		int related = 0;
		for (size_t i = 0; i < d->n_attachments; i++)
			related |= d->attachments[i].content_id != NULL;
		if (related && html) {
			struct mime_build *rel = mime_build_multipart("related");
			if (rel) {
				mime_build_param(rel, "type", "text/html");
				mime_build_add(rel, html);
				for (size_t i = 0; i < d->n_attachments; i++) {
					const struct msg_attachment *a = &d->attachments[i];
					if (!a->content_id)
						continue;
					struct mime_build *img =
						mime_build_leaf(a->type ? a->type : "application/octet-stream", a->data, a->len);
					if (img) {
						char cid[512];
						snprintf(cid, sizeof cid, "<%s>", a->content_id);
						mime_build_header(img, "Content-ID", cid);
						mime_build_disposition(img, "inline", a->filename);
					}
					mime_build_add(rel, img);
				}
			} else {
				mime_build_free(&html);
			}
			html = rel;
		}
	}
	if (plain && html) {
		struct mime_build *alt = mime_build_multipart("alternative");
		if (!alt) {
			mime_build_free(&plain);
			mime_build_free(&html);
			return NULL;
		}
		mime_build_add(alt, plain);
		mime_build_add(alt, html);
		return alt;
	}
	if (d->html && !html)
		mime_build_free(&plain);
	return plain ? plain : html;
}

int msg_compose(struct buf *out, const struct msg_draft *d, char *err, size_t err_size)
{
	size_t start = out->len;
	int rc = 0;
	if (!d->from || !d->date)
		return fail(err, err_size, PROTO_EINVAL, d->from ? "no date" : "no From address");
	int64_t t;
	int zone;
	if (msg_date_parse(d->date, strlen(d->date), &t, &zone) < 0)
		return fail(err, err_size, PROTO_EINVAL, "the date is not an RFC 5322 date-time");
	rc = write_addresses(out, "From", d->from, 1, err, err_size);
	if (rc == 0 && d->to && *d->to)
		rc = write_addresses(out, "To", d->to, 0, err, err_size);
	if (rc == 0 && d->cc && *d->cc)
		rc = write_addresses(out, "Cc", d->cc, 0, err, err_size);
	if (rc == 0 && d->bcc && *d->bcc)
		rc = write_addresses(out, "Bcc", d->bcc, 0, err, err_size);
	if (rc == 0 && d->subject && hdr_write_text(out, "Subject", d->subject) < 0)
		rc = fail(err, err_size, PROTO_ELIMIT, "the subject cannot be written within 998 octets per line");
	if (rc == 0)
		rc = hdr_write(out, "Date", d->date);
	char id[600];
	if (rc == 0 && !d->message_id) {
		struct addr_list *l = NULL;
		const char *domain = "mailsim.invalid";
		if (addr_parse(d->from, (size_t)-1, &l, NULL) == 0 && addr_list_count(l) &&
		    addr_list_get(l, 0)->mailbox && strchr(addr_list_get(l, 0)->mailbox, '@'))
			domain = strrchr(addr_list_get(l, 0)->mailbox, '@') + 1;
		if (msg_id_make(id, sizeof id, d->seed, d->counter, *domain ? domain : "mailsim.invalid") < 0)
			msg_id_make(id, sizeof id, d->seed, d->counter, "mailsim.invalid");
		addr_list_free(&l);
	} else if (rc == 0) {
		snprintf(id, sizeof id, "%s", d->message_id);
	}
	if (rc == 0 && hdr_write(out, "Message-ID", id) < 0)
		rc = fail(err, err_size, PROTO_EINVAL, "bad Message-ID");
	if (rc == 0)
		rc = hdr_write(out, "MIME-Version", "1.0");
	struct mime_build *root = NULL;
	if (rc == 0) {
		struct mime_build *body = body_tree(d);
		size_t n_plain = 0;
		for (size_t i = 0; i < d->n_attachments; i++)
			n_plain += d->attachments[i].content_id == NULL || !d->html;
		if (body && n_plain) {
			root = mime_build_multipart("mixed");
			if (root) {
				mime_build_add(root, body);
				for (size_t i = 0; i < d->n_attachments; i++) {
					const struct msg_attachment *a = &d->attachments[i];
					if (a->content_id && d->html)
						continue;
					struct mime_build *p =
						mime_build_leaf(a->type ? a->type : "application/octet-stream", a->data, a->len);
					if (p)
						mime_build_disposition(p, "attachment", a->filename);
					mime_build_add(root, p);
				}
			} else {
				mime_build_free(&body);
			}
		} else {
			root = body;
		}
		if (!root)
			rc = fail(err, err_size, PROTO_ENOMEM, "out of memory");
	}
	if (rc == 0) {
		struct mime_build_opts o = {.seed = d->seed, .allow_8bit = d->allow_8bit};
		rc = mime_build_write(out, root, &o);
		if (rc == PROTO_EINVAL)
			fail(err, err_size, rc, "an attachment has an invalid media type or file name");
		else if (rc < 0)
			fail(err, err_size, rc, proto_strerror(rc));
	}
	mime_build_free(&root);
	if (rc < 0)
		buf_truncate(out, start);
	return rc;
}

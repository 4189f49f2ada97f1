/* RFC 3464 delivery status notifications; see dsn.h. */
#include "protocols/dsn.h"

#include <string.h>

#include "protocols/header.h"
#include "protocols/mime_build.h"
#include "protocols/proto_err.h"

/* The length of the header section of msg (up to and including the empty
 * line, or all of it when there is none). */
static size_t header_length(const uint8_t *msg, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (msg[i] == '\n' && msg[i + 1] == '\n')
			return i + 2;
		if (msg[i] == '\n' && msg[i + 1] == '\r' && i + 2 < n && msg[i + 2] == '\n')
			return i + 3;
	}
	return n;
}

int dsn_build(struct buf *out, const struct dsn_info *in)
{
	struct buf text, status;
	buf_init(&text, 1 << 20);
	buf_init(&status, 1 << 20);
	int rc = 0;
	rc |= buf_printf(&text,
			 "This is the mail system at host %s.\r\n\r\n"
			 "I'm sorry to have to inform you that your message could not\r\n"
			 "be delivered to one or more recipients. It's attached below.\r\n\r\n",
			 in->reporting_mta);
	for (size_t i = 0; i < in->nrcpts; i++) {
		const struct dsn_recipient *r = &in->rcpts[i];
		rc |= buf_printf(&text, "<%s>: %s\r\n", r->address,
				 r->diagnostic ? r->diagnostic : "delivery failed");
	}
	rc |= buf_printf(&status, "Reporting-MTA: dns; %s\r\n", in->reporting_mta);
	if (in->queue_id)
		rc |= buf_printf(&status, "X-Mailsim-Queue-ID: %s\r\n", in->queue_id);
	if (in->arrival_date)
		rc |= buf_printf(&status, "Arrival-Date: %s\r\n", in->arrival_date);
	for (size_t i = 0; i < in->nrcpts; i++) {
		const struct dsn_recipient *r = &in->rcpts[i];
		rc |= buf_printf(&status, "\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\n", r->address,
				 r->status);
		if (r->remote_mta)
			rc |= buf_printf(&status, "Remote-MTA: dns; %s\r\n", r->remote_mta);
		if (r->diagnostic)
			rc |= buf_printf(&status, "Diagnostic-Code: smtp; %s\r\n", r->diagnostic);
	}
	if (rc) {
		buf_free(&text);
		buf_free(&status);
		return PROTO_ENOMEM;
	}
	struct mime_build *report = mime_build_multipart("report");
	mime_build_param(report, "report-type", "delivery-status");
	struct mime_build *p1 = mime_build_leaf("text/plain", text.data, text.len);
	mime_build_header(p1, "Content-Description", "Notification");
	mime_build_add(report, p1);
	struct mime_build *p2 = mime_build_leaf("message/delivery-status", status.data, status.len);
	mime_build_header(p2, "Content-Description", "Delivery report");
	mime_build_add(report, p2);
	size_t hl = header_length(in->original, in->original_len);
	struct mime_build *p3 = mime_build_leaf("text/rfc822-headers", in->original, hl);
	mime_build_header(p3, "Content-Description", "Undelivered Message Headers");
	mime_build_add(report, p3);
	buf_free(&text);
	buf_free(&status);
	rc = 0;
	rc |= hdr_write(out, "From", in->postmaster);
	rc |= hdr_write(out, "To", in->to);
	rc |= hdr_write(out, "Subject", "Undelivered Mail Returned to Sender");
	rc |= hdr_write(out, "Date", in->date);
	rc |= hdr_write(out, "Message-ID", in->message_id);
	rc |= hdr_write(out, "Auto-Submitted", "auto-replied");
	rc |= hdr_write(out, "MIME-Version", "1.0");
	struct mime_build_opts o = {.seed = in->seed, .allow_8bit = 0};
	int wrc = rc ? PROTO_ENOMEM : mime_build_write(out, report, &o);
	mime_build_free(&report);
	return wrc;
}

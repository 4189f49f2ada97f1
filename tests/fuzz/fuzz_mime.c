/* libFuzzer target: the MIME parser and everything that reads untrusted
 * message text (header decoding, addresses, dates, Received, the codecs).
 * Built and run by run-fuzz.sh; seeds in corpus/mime/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/address.h"
#include "protocols/buf.h"
#include "protocols/codec.h"
#include "protocols/header.h"
#include "protocols/message.h"
#include "protocols/mime.h"
#include "protocols/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct mime_node *n, struct buf *scratch)
{
	buf_reset(scratch);
	mime_node_section(n, scratch);
	for (size_t i = 0; i < mime_node_field_count(n); i++) {
		const struct hdr_field *f = mime_node_field(n, i);
		buf_reset(scratch);
		hdr_decode(scratch, f->value, f->value_len, NULL);
		if (hdr_name_is(f, "from") || hdr_name_is(f, "to") || hdr_name_is(f, "cc")) {
			struct addr_list *l = NULL;
			if (addr_parse(f->value, f->value_len, &l, NULL) == 0) {
				buf_reset(scratch);
				addr_list_format(scratch, l);
			}
			addr_list_free(&l);
		} else if (hdr_name_is(f, "date")) {
			int64_t t;
			int z;
			msg_date_parse(f->value, f->value_len, &t, &z);
		} else if (hdr_name_is(f, "received")) {
			struct msg_received r;
			if (msg_received_parse(f->value, f->value_len, &r) == 0)
				msg_received_clear(&r);
		}
	}
	for (size_t i = 0; i < mime_node_param_count(n); i++)
		(void)strlen(mime_node_param_value(n, i));
	const char *fn = mime_node_filename(n);
	if (fn)
		(void)strlen(fn);
	size_t len;
	const char *body = mime_node_body(n, &len);
	if (body) {
		char hex[65];
		sha256_hex(body, len, hex);
		buf_reset(scratch);
		mime_node_text_utf8(n, scratch, NULL);
	}
	mime_node_body_lines(n);
	mime_node_preamble(n, &len);
	mime_node_epilogue(n, &len);
	for (size_t i = 0; i < mime_node_child_count(n); i++)
		walk(mime_node_child(n, i), scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	/* Tight limits on some inputs so the limit paths are explored too. */
	struct mime_limits tight = {.max_depth = 3, .max_parts = 8, .max_fields = 4};
	struct mime_doc *doc = NULL;
	if (mime_parse(text, size, size && data[0] == 'T' ? &tight : NULL, &doc) == 0) {
		struct buf scratch;
		buf_init(&scratch, 1 << 24);
		walk(mime_doc_root(doc), &scratch);
		buf_reset(&scratch);
		mime_tree_summary(&scratch, doc);
		buf_free(&scratch);
		mime_doc_free(&doc);
	}
	struct buf out;
	buf_init(&out, 1 << 24);
	codec_b64_decode(&out, text, size, CODEC_STRICT, NULL);
	buf_reset(&out);
	codec_b64_decode(&out, text, size, CODEC_LENIENT, NULL);
	buf_reset(&out);
	codec_qp_decode(&out, text, size, CODEC_STRICT, NULL);
	buf_reset(&out);
	codec_qp_decode(&out, text, size, CODEC_LENIENT, NULL);
	buf_reset(&out);
	codec_hdr_decode(&out, text, size, NULL);
	buf_reset(&out);
	codec_pct_decode(&out, text, size, NULL);
	buf_free(&out);
	return 0;
}

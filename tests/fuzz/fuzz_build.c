/* libFuzzer target: the builder and the parser against each other. The
 * input is cut at 0xFF bytes into a subject, a text body and (name, data)
 * pairs of attachments; the message built from them must parse back to the
 * same subject, text (in canonical CRLF form), file names and bytes, with
 * no defects. A disagreement aborts, which libFuzzer reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/buf.h"
#include "protocols/codec.h"
#include "protocols/header.h"
#include "protocols/mime.h"
#include "protocols/mime_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 9

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_build: %s\n", what);
	abort();
}

/* Text the header layer promises to carry unchanged: UTF-8, no controls
 * (tab included), no leading or trailing space. */
static int header_safe(const char *s, size_t n)
{
	if (!codec_utf8_valid(s, n) || (n && (s[0] == ' ' || s[n - 1] == ' ')))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 32 || s[i] == 127)
			return 0;
	return 1;
}

static char *canon(const char *s, size_t n, size_t *len_r)
{
	char *p = malloc(2 * n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			p[k++] = '\r';
			p[k++] = '\n';
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
		} else {
			p[k++] = s[i];
		}
	}
	*len_r = k;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS];
	size_t nf = 0, start = 0;
	for (size_t i = 0; i <= size && nf < MAX_FIELDS; i++)
		if (i == size || data[i] == 0xFF) {
			f[nf] = (const char *)data + start;
			fl[nf++] = i - start;
			start = i + 1;
		}
	char subject[512];
	size_t sl = fl[0] < sizeof subject - 1 ? fl[0] : sizeof subject - 1;
	memcpy(subject, f[0], sl);
	subject[sl] = '\0';
	int check_subject = fl[0] == sl && header_safe(subject, sl) && strlen(subject) == sl;

	struct buf out;
	buf_init(&out, 1 << 24);
	buf_puts(&out, "From: a@b.c\r\n");
	if (check_subject && hdr_write_text(&out, "Subject", subject) < 0)
		check_subject = 0; /* a word too long for 998 octets: refused, fine */
	buf_puts(&out, "MIME-Version: 1.0\r\n");
	struct mime_build *root = mime_build_multipart(nf > 2 ? "mixed" : "alternative");
	mime_build_add(root, mime_build_leaf("text/plain", nf > 1 ? f[1] : "", nf > 1 ? fl[1] : 0));
	size_t natt = 0;
	int names_ok[MAX_FIELDS] = {0};
	for (size_t k = 2; k + 1 < nf; k += 2, natt++) {
		struct mime_build *a = mime_build_leaf("application/octet-stream", f[k + 1], fl[k + 1]);
		char name[300];
		size_t nl = fl[k] < sizeof name - 1 ? fl[k] : sizeof name - 1;
		memcpy(name, f[k], nl);
		name[nl] = '\0';
		names_ok[natt] = fl[k] == nl && strlen(name) == nl && header_safe(name, nl) && nl > 0;
		if (names_ok[natt])
			mime_build_disposition(a, "attachment", name);
		mime_build_add(root, a);
	}
	struct mime_build_opts o = {.seed = size, .allow_8bit = size & 1};
	if (mime_build_write(&out, root, &o) < 0)
		fail("build failed");
	struct mime_doc *doc = NULL;
	if (mime_parse(out.data, out.len, NULL, &doc) < 0)
		fail("parse failed");
	if (mime_doc_defects(doc))
		fail("defects in a message we built");
	const struct mime_node *r = mime_doc_root(doc);
	if (check_subject) {
		const struct hdr_field *h = mime_node_find_field(r, "subject");
		struct buf dec;
		buf_init(&dec, 1 << 16);
		hdr_decode(&dec, h ? h->value : "", h ? h->value_len : 0, NULL);
		if (!h || strcmp(dec.data ? dec.data : "", subject) != 0)
			fail("subject differs");
		buf_free(&dec);
	}
	if (mime_node_child_count(r) != natt + 1)
		fail("part count differs");
	size_t tl, bl;
	char *text = canon(nf > 1 ? f[1] : "", nf > 1 ? fl[1] : 0, &tl);
	const char *body = mime_node_body(mime_node_child(r, 0), &bl);
	if (!body || bl != tl || memcmp(body, text, tl) != 0)
		fail("text differs");
	free(text);
	for (size_t k = 0; k < natt; k++) {
		const struct mime_node *a = mime_node_child(r, k + 1);
		body = mime_node_body(a, &bl);
		if (!body || bl != fl[2 + 2 * k + 1] || memcmp(body, f[2 + 2 * k + 1], bl) != 0)
			fail("attachment bytes differ");
		const char *fn = mime_node_filename(a);
		if (names_ok[k]) {
			char name[300];
			memcpy(name, f[2 + 2 * k], fl[2 + 2 * k]);
			name[fl[2 + 2 * k]] = '\0';
			if (!fn || strcmp(fn, name) != 0)
				fail("file name differs");
		}
	}
	mime_doc_free(&doc);
	mime_build_free(&root);
	buf_free(&out);
	return 0;
}

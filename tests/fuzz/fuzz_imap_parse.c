/* libFuzzer target: the IMAP data parsers (sequence sets, SEARCH programs,
 * FETCH attribute lists, the syntax readers) on untrusted command text, and
 * what they drive: each parsed SEARCH is evaluated and each parsed FETCH
 * rendered against a fixed multipart message and against the input itself
 * read as a message. Built and run by run-fuzz.sh; seeds in
 * corpus/imap_parse/. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/buf.h"
#include "protocols/imap_fetch.h"
#include "protocols/imap_search.h"
#include "protocols/imap_seqset.h"
#include "protocols/imap_syntax.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char note[] = "From: Juan <juan@x.org>\r\nTo: a: b@c, d@e;\r\nSubject: =?utf-8?q?Hol=C3=A1?=\r\n"
			   "Date: Mon, 01 May 2006 10:00:00 -0300\r\nMIME-Version: 1.0\r\n"
			   "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
			   "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
			   "\r\nMar=EDa\r\n--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n--B\r\n"
			   "Content-Type: image/jpeg; name*=utf-8''fot%C3%B3.jpg\r\n"
			   "Content-Disposition: attachment; filename=\"a.jpg\"; size=3\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n/9j/\r\n--B--\r\n";

static void use(const uint8_t *data, size_t size, struct imap_search *s, struct imap_fetch *f)
{
	static const char *const kw[] = {"$Forwarded"};
	struct imap_msgcache *cache = imap_msgcache_new();
	struct imap_msgview views[2] = {
		{.seq = 1, .uid = 10, .flags = 5, .keywords = kw, .keyword_count = 1, .raw = note,
		 .raw_len = sizeof note - 1, .cache = cache},
		{.seq = 2, .uid = 20, .flags = 32, .internal_date = -86400 * 400, .internal_zone_min = 59,
		 .raw = (const char *)data, .raw_len = size},
	};
	struct imap_search_ctx ctx = {.exists = 2, .max_uid = 20};
	struct buf out;
	buf_init(&out, 1u << 22);
	for (int i = 0; i < 2; i++) {
		if (s)
			imap_search_match(s, &ctx, &views[i]);
		if (f) {
			buf_reset(&out);
			imap_fetch_render(f, &views[i], IMAP_FETCH_ADD_UID | IMAP_FETCH_ADD_FLAGS, &out);
		}
	}
	buf_free(&out);
	imap_msgcache_free(&cache);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_cursor c;
	struct buf b;
	buf_init(&b, 1u << 20);

	struct imap_search *s = NULL;
	int bad;
	imap_cursor_init(&c, data, size);
	if (imap_search_parse(&c, NULL, &s, &bad) == 0) {
		buf_reset(&b);
		imap_search_write(&b, s);
	}
	struct imap_fetch *f = NULL;
	imap_cursor_init(&c, data, size);
	imap_fetch_parse(&c, &f);
	use(data, size, s, f);
	imap_search_free(&s);
	imap_fetch_free(&f);

	struct imap_seqset *set = NULL;
	imap_cursor_init(&c, data, size);
	if (imap_seqset_parse(&c, 1000, &set) == 0) {
		struct imap_seqset_iter it;
		uint32_t n, count = 0;
		imap_seqset_iter_init(&it, set, 77, 1000);
		while (imap_seqset_iter_next(&it, &n) && count++ < 2000)
			imap_seqset_contains(set, n, 77);
		imap_seqset_max(set, 0);
		buf_reset(&b);
		imap_seqset_write(&b, set, 0);
		imap_seqset_free(&set);
	}

	/* Every reader in turn over the input, as a command parser would. */
	imap_cursor_init(&c, data, size);
	for (int guard = 0; !imap_at_end(&c) && guard < 10000; guard++) {
		int64_t d, t;
		int z, nil;
		uint32_t n;
		uint64_t n64;
		buf_reset(&b);
		if (imap_read_string(&c, &b) == 0 || imap_read_nstring(&c, &b, &nil) == 0 ||
		    imap_read_date_time(&c, &t, &z) == 0 || imap_read_date(&c, &d) == 0 ||
		    imap_read_flag(&c, &b) == 0 || imap_read_number(&c, &n) == 0 ||
		    imap_read_number64(&c, &n64) == 0 || imap_read_list_mailbox(&c, &b) == 0 ||
		    imap_read_astring(&c, &b) == 0 || imap_read_tag(&c, &b) == 0)
			continue;
		c.p++;
	}
	uint64_t lit;
	int ns;
	imap_line_literal(data, size, &lit, &ns);
	buf_reset(&b);
	imap_write_string(&b, data, size);
	imap_write_astring(&b, data, size);
	buf_free(&b);
	return 0;
}

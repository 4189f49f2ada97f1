/* Codecs: base64, quoted-printable, RFC 2047 words, charsets, RFC 2231
 * percent encoding, SHA-256. Known vectors from the RFCs, random round
 * trips, and strict versus lenient decoding of damaged input. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "protocols/buf.h"
#include "protocols/codec.h"
#include "protocols/proto_err.h"
#include "protocols/sha256.h"
#include "sim/core/rng.h"

static char *b64(const char *s, size_t n, size_t line)
{
	static char out[4096];
	struct buf b;
	buf_init(&b, sizeof out);
	codec_b64_encode(&b, s, n, line);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static void test_b64_vectors(void)
{
	/* RFC 4648 section 10 */
	CHECK_STR(b64("", 0, 0), "");
	CHECK_STR(b64("f", 1, 0), "Zg==");
	CHECK_STR(b64("fo", 2, 0), "Zm8=");
	CHECK_STR(b64("foo", 3, 0), "Zm9v");
	CHECK_STR(b64("foob", 4, 0), "Zm9vYg==");
	CHECK_STR(b64("fooba", 5, 0), "Zm9vYmE=");
	CHECK_STR(b64("foobar", 6, 0), "Zm9vYmFy");
	CHECK_STR(b64("foobar", 6, 4), "Zm9v\r\nYmFy\r\n");
	CHECK_STR(b64("fooba", 5, 76), "Zm9vYmE=\r\n");
}

static int dec(const char *in, enum codec_mode mode, const char *want, size_t want_len, unsigned want_defects)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	unsigned d = 0;
	int rc = codec_b64_decode(&b, in, strlen(in), mode, &d);
	int ok = (want ? rc == 0 && b.len == want_len && memcmp(b.data ? b.data : "", want, want_len) == 0
		       : rc == PROTO_EINVAL) &&
		 d == want_defects;
	if (!ok)
		fprintf(stderr, "b64 decode of \"%s\": rc %d len %zu defects %x\n", in, rc, b.len, d);
	buf_free(&b);
	return ok;
}

static void test_b64_decode(void)
{
	CHECK(dec("Zm9vYmFy", CODEC_STRICT, "foobar", 6, 0));
	CHECK(dec("Zm9v\r\nYmE=\r\n", CODEC_STRICT, "fooba", 5, 0));
	CHECK(dec("Zm9vYg==", CODEC_STRICT, "foob", 4, 0));
	CHECK(dec("Zm9vYg", CODEC_STRICT, NULL, 0, 0));              /* padding missing */
	CHECK(dec("Zm9v*YmFy", CODEC_STRICT, NULL, 0, 0));           /* bad character */
	CHECK(dec("Zm9vYg==Zm9v", CODEC_STRICT, NULL, 0, 0));        /* data after the end */
	CHECK(dec("Zm9vYg", CODEC_LENIENT, "foob", 4, CODEC_D_B64_PAD));
	CHECK(dec("Zm9v*Ym Fy", CODEC_LENIENT, "foobar", 6, CODEC_D_B64_CHAR));
	CHECK(dec("Zm9vY", CODEC_LENIENT, "foo", 3, CODEC_D_B64_PAD));
	CHECK(dec("Zm9vYg==Zm9v", CODEC_LENIENT, "foob", 4, CODEC_D_B64_PAD));
	CHECK(dec("", CODEC_STRICT, "", 0, 0));
}

static void test_b64_random(void)
{
	struct rng r;
	rng_init_stream(&r, 1, "b64");
	for (int i = 0; i < 500; i++) {
		size_t n = (size_t)rng_below(&r, 300);
		unsigned char data[300];
		for (size_t k = 0; k < n; k++)
			data[k] = (unsigned char)rng_below(&r, 256);
		struct buf e, d;
		buf_init(&e, 1 << 20);
		buf_init(&d, 1 << 20);
		codec_b64_encode(&e, data, n, (size_t)rng_below(&r, 3) * 38);
		CHECK_EQ_INT(codec_b64_decode(&d, e.data ? e.data : "", e.len, CODEC_STRICT, NULL), 0);
		CHECK(d.len == n && (n == 0 || memcmp(d.data, data, n) == 0));
		/* Byte by byte is not a thing for base64 here, but any line split is: */
		buf_free(&e);
		buf_free(&d);
	}
}

static void qp_round(const char *in, size_t n, int binary)
{
	struct buf e, d;
	buf_init(&e, 1 << 20);
	buf_init(&d, 1 << 20);
	codec_qp_encode(&e, in, n, binary);
	/* Every encoded line is at most 76 characters, with no trailing white space. */
	size_t col = 0;
	for (size_t k = 0; k < e.len; k++) {
		if (e.data[k] == '\r') {
			CHECK(k == 0 || (e.data[k - 1] != ' ' && e.data[k - 1] != '\t'));
			continue;
		}
		if (e.data[k] == '\n') {
			col = 0;
			continue;
		}
		CHECK(++col <= 76);
		CHECK((unsigned char)e.data[k] < 127);
	}
	unsigned defects = 0;
	CHECK_EQ_INT(codec_qp_decode(&d, e.data ? e.data : "", e.len, CODEC_STRICT, &defects), 0);
	CHECK(d.len == n && (n == 0 || memcmp(d.data, in, n) == 0));
	CHECK_EQ_INT(defects, 0);
	buf_free(&e);
	buf_free(&d);
}

static void test_qp(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	codec_qp_encode(&b, "caf\xc3\xa9 = 1 \r\nend\t", 16, 0);
	CHECK_STR(b.data, "caf=C3=A9 =3D 1=20\r\nend=09");
	buf_reset(&b);
	codec_qp_decode(&b, "a=3Db =\r\nc  \r\nd=\n", 16, CODEC_STRICT, NULL);
	CHECK_STR(b.data, "a=b c\r\nd");
	buf_reset(&b);
	unsigned d = 0;
	CHECK_EQ_INT(codec_qp_decode(&b, "bad =ZZ and =4", 14, CODEC_STRICT, &d), PROTO_EINVAL);
	buf_reset(&b);
	CHECK_EQ_INT(codec_qp_decode(&b, "bad =ZZ and =4", 14, CODEC_LENIENT, &d), 0);
	CHECK_STR(b.data, "bad =ZZ and =4");
	CHECK(d & CODEC_D_QP_ESCAPE);
	buf_reset(&b);
	d = 0;
	CHECK_EQ_INT(codec_qp_decode(&b, "lower =c3=a9 ok", 15, CODEC_LENIENT, &d), 0);
	CHECK_STR(b.data, "lower \xc3\xa9 ok");
	CHECK_EQ_INT(d, 0);
	buf_free(&b);

	struct rng r;
	rng_init_stream(&r, 2, "qp");
	for (int i = 0; i < 500; i++) {
		size_t n = (size_t)rng_below(&r, 400);
		char data[400];
		int binary = (int)rng_below(&r, 2);
		for (size_t k = 0; k < n; k++) {
			static const char pick[] = "ab =\t.\xc3\xa9\r\n";
			data[k] = rng_chance(&r, 0.3) ? (char)rng_below(&r, 256) : pick[rng_below(&r, sizeof pick - 1)];
		}
		if (!binary) /* text mode takes canonical CRLF text */
			for (size_t k = 0; k < n; k++)
				if (data[k] == '\r' || data[k] == '\n') {
					if (k + 1 < n && data[k] == '\r') {
						data[k + 1] = '\n';
						k++;
					} else {
						data[k] = 'x';
					}
				}
		qp_round(data, n, binary);
	}
	char long_line[300];
	memset(long_line, 'z', sizeof long_line);
	qp_round(long_line, sizeof long_line, 0);
}

static const char *hdec(const char *in, unsigned *d_r)
{
	static char out[1024];
	struct buf b;
	buf_init(&b, sizeof out);
	unsigned d = 0;
	codec_hdr_decode(&b, in, strlen(in), &d);
	if (d_r)
		*d_r = d;
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static void test_2047_decode(void)
{
	/* RFC 2047 section 8 */
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?=", NULL), "a");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?= b", NULL), "a b");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", NULL), "ab");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", NULL), "ab");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?=\r\n   =?ISO-8859-1?Q?b?=", NULL), "ab");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a_b?=", NULL), "a b");
	CHECK_STR(hdec("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", NULL), "a b");
	CHECK_STR(hdec("=?US-ASCII?Q?Keith_Moore?=", NULL), "Keith Moore");
	CHECK_STR(hdec("=?ISO-8859-1?Q?Andr=E9?= Pirard", NULL), "Andr\xc3\xa9 Pirard");
	CHECK_STR(hdec("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=", NULL), "If you can read this yo");
	CHECK_STR(hdec("=?utf-8*es?b?wr9jw7NtbyBlc3TDoXM/?=", NULL), "\xc2\xbf" "c\xc3\xb3mo est\xc3\xa1s?");
	CHECK_STR(hdec("=?windows-1252?q?=80_5?=", NULL), "\xe2\x82\xac 5");
	unsigned d;
	CHECK_STR(hdec("=?x-unknown?q?ok?=", &d), "ok");
	CHECK(d & CODEC_D_CHARSET);
	CHECK_STR(hdec("plain caf\xe9", &d), "plain caf\xc3\xa9"); /* raw Latin-1 in a header */
	CHECK(d & CODEC_D_8BIT_HEADER);
	CHECK_STR(hdec("raw caf\xc3\xa9", &d), "raw caf\xc3\xa9"); /* raw UTF-8 (RFC 6532) */
	CHECK_EQ_INT(d, 0);
	CHECK_STR(hdec("=?utf-8?q?broken", &d), "=?utf-8?q?broken");
	CHECK_STR(hdec("=?utf-8?q?bad_=FF?=", &d), "bad \xef\xbf\xbd");
	CHECK(d & CODEC_D_UTF8);
}

static void test_2047_encode(void)
{
	const char *texts[] = {"Hola, ¿cómo estás?", "plain ascii", "María", "=?not a word?=",
			       "日本語のテキストはとても長いのでいくつかのエンコードされた単語に分割されます", "a  b ñ  c ", ""};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		for (int phrase = 0; phrase < 2; phrase++) {
			struct buf e;
			buf_init(&e, 1 << 16);
			CHECK_EQ_INT(codec_hdr_encode(&e, texts[i], strlen(texts[i]), phrase), 0);
			const char *enc = e.data ? e.data : "";
			CHECK(codec_is_ascii_text(enc, e.len));
			/* No encoded word longer than 75 characters. */
			for (const char *w = strstr(enc, "=?"); w; w = strstr(w + 2, "=?")) {
				const char *end = strstr(w + 2, "?=");
				while (end && end[2] && end[2] != ' ' && (end - w) < 12)
					end = strstr(end + 2, "?=");
				CHECK(end != NULL && end + 2 - w <= 75);
			}
			CHECK_STR(hdec(enc, NULL), texts[i]);
			buf_free(&e);
		}
	struct buf e;
	buf_init(&e, 1 << 16);
	codec_hdr_encode(&e, "Hola, ¿cómo estás?", strlen("Hola, ¿cómo estás?"), 0);
	CHECK_STR(e.data, "Hola, =?utf-8?q?=C2=BFc=C3=B3mo_est=C3=A1s=3F?=");
	buf_free(&e);
}

static void test_charsets(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	unsigned d = 0;
	codec_charset_to_utf8(&b, "ISO-8859-1", "\xe1\xe9\xed\xf3\xfa\xf1", 6, &d);
	CHECK_STR(b.data, "áéíóúñ");
	buf_reset(&b);
	codec_charset_to_utf8(&b, "latin9", "\xa4", 1, &d);
	CHECK_STR(b.data, "€");
	CHECK_EQ_INT(d, 0);
	CHECK(codec_utf8_valid("ñ", 2));
	CHECK(!codec_utf8_valid("\xc0\xaf", 2)); /* overlong */
	CHECK(!codec_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!codec_utf8_valid("\xe2\x82", 2)); /* truncated */
	buf_free(&b);
}

static void test_pct(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	codec_pct_encode(&b, "canción 1.wav", strlen("canción 1.wav"));
	CHECK_STR(b.data, "canci%C3%B3n%201.wav");
	struct buf d;
	buf_init(&d, 1 << 16);
	codec_pct_decode(&d, b.data, b.len, NULL);
	CHECK_STR(d.data, "canción 1.wav");
	buf_free(&b);
	buf_free(&d);
}

static void test_sha256(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* Fed byte by byte, the same digest. */
	struct sha256 c;
	unsigned char d1[32], d2[32];
	sha256_init(&c);
	for (size_t i = 0; i < strlen(m); i++)
		sha256_update(&c, m + i, 1);
	sha256_final(&c, d1);
	sha256_init(&c);
	sha256_update(&c, m, strlen(m));
	sha256_final(&c, d2);
	CHECK(memcmp(d1, d2, 32) == 0);
}

/* The plain reading of RFC 2045 6.7 the fast decoder must agree with. */
static int ref_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t ref_qp(const unsigned char *s, size_t n, unsigned char *o, unsigned *defects)
{
	size_t k = 0, i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && s[end] != '\n')
			end++;
		size_t brk = end;
		if (brk > i && s[brk - 1] == '\r' && end < n)
			brk--;
		size_t te = brk;
		while (te > i && (s[te - 1] == ' ' || s[te - 1] == '\t'))
			te--;
		if (brk - i > 998)
			*defects |= CODEC_D_QP_LINE;
		int soft = 0;
		for (size_t j = i; j < te; j++) {
			if (s[j] != '=') {
				if ((s[j] < 32 && s[j] != '\t') || s[j] > 126)
					*defects |= CODEC_D_QP_LINE;
				o[k++] = s[j];
			} else if (j + 1 == te) {
				soft = 1;
			} else if (j + 2 < te && ref_hex(s[j + 1]) >= 0 && ref_hex(s[j + 2]) >= 0) {
				o[k++] = (unsigned char)(ref_hex(s[j + 1]) << 4 | ref_hex(s[j + 2]));
				j += 2;
			} else {
				*defects |= CODEC_D_QP_ESCAPE;
				o[k++] = '=';
			}
		}
		if (end < n && !soft)
			for (size_t j = brk; j <= end; j++)
				o[k++] = s[j];
		i = end < n ? end + 1 : n;
	}
	return k;
}

/* Differential: the word-at-a-time decoder against the plain one. */
static void test_qp_differential(void)
{
	struct rng r;
	rng_init_stream(&r, 9, "qp-diff");
	static const char alphabet[] = "=====0123456789ABCDEFabcxyz   \t\t\r\n\n\x80\xc3\x01.";
	int same = 0;
	for (int t = 0; t < 20000; t++) {
		unsigned char in[200], want[400];
		size_t n = (size_t)rng_below(&r, sizeof in);
		/* Half the inputs have long lines (no CR/LF, few '='), for the fast path. */
		size_t span = t % 2 ? sizeof alphabet - 1 : 21;
		for (size_t k = 0; k < n; k++)
			in[k] = rng_chance(&r, 0.05) ? (unsigned char)rng_below(&r, 256)
						     : (unsigned char)alphabet[(t % 2 ? 0 : 4) + rng_below(&r, span)];
		unsigned want_d = 0, got_d = 0;
		size_t wn = ref_qp(in, n, want, &want_d);
		struct buf b;
		buf_init(&b, 1 << 16);
		CHECK_EQ_INT(codec_qp_decode(&b, (const char *)in, n, CODEC_LENIENT, &got_d), 0);
		same += b.len == wn && (wn == 0 || memcmp(b.data, want, wn) == 0) && got_d == want_d;
		buf_free(&b);
	}
	CHECK_EQ_INT(same, 20000);
}

static void test_buf_cap(void)
{
	struct buf b;
	buf_init(&b, 10);
	CHECK_EQ_INT(buf_puts(&b, "0123456789"), 0);
	CHECK_EQ_INT(buf_putc(&b, 'x'), PROTO_ELIMIT);
	CHECK_EQ_INT(b.len, 10);
	CHECK_EQ_INT(b.err, PROTO_ELIMIT);
	buf_free(&b);
}

int main(void)
{
	RUN(test_b64_vectors);
	RUN(test_b64_decode);
	RUN(test_b64_random);
	RUN(test_qp);
	RUN(test_qp_differential);
	RUN(test_2047_decode);
	RUN(test_2047_encode);
	RUN(test_charsets);
	RUN(test_pct);
	RUN(test_sha256);
	RUN(test_buf_cap);
	return harness_done();
}

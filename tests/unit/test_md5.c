/* MD5: the test suite of RFC 1321 appendix A.5, input fed whole and one
 * byte at a time, and the APOP digest of RFC 1939 section 7. */
#include <string.h>

#include "harness.h"
#include "protocols/md5.h"

static const char *const suite[][2] = {
	{"", "d41d8cd98f00b204e9800998ecf8427e"},
	{"a", "0cc175b9c0f1b6a831c399e269772661"},
	{"abc", "900150983cd24fb0d6963f7d28e17f72"},
	{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
	{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
	{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
	{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	 "57edf4a22be3c955ac49da2e2107b67a"},
};

static void test_rfc1321_suite(void)
{
	for (size_t i = 0; i < sizeof suite / sizeof suite[0]; i++) {
		char hex[33];
		md5_hex(suite[i][0], strlen(suite[i][0]), hex);
		CHECK_STR(hex, suite[i][1]);
		/* byte by byte: the block boundary handling */
		struct md5 c;
		unsigned char d[16];
		md5_init(&c);
		for (size_t k = 0; k < strlen(suite[i][0]); k++)
			md5_update(&c, suite[i][0] + k, 1);
		md5_final(&c, d);
		char hex2[33];
		for (int k = 0; k < 16; k++)
			snprintf(hex2 + 2 * k, 3, "%02x", d[k]);
		CHECK_STR(hex2, suite[i][1]);
	}
}

static void test_apop_example(void)
{
	/* RFC 1939 section 7: the shared secret "tanstaaf" */
	const char *in = "<1896.697170952@dbc.mtview.ca.us>tanstaaf";
	char hex[33];
	md5_hex(in, strlen(in), hex);
	CHECK_STR(hex, "c4c9334bac560ecc979e58001b3e22fb");
}

static void test_lengths_around_padding(void)
{
	/* 55, 56, 63, 64 and 65 bytes cross the padding cases; a one-bit
	 * change must change the digest (so the check above can fail). */
	char buf[130];
	memset(buf, 'x', sizeof buf);
	char prev[33] = "";
	size_t lens[] = {55, 56, 63, 64, 65, 119, 120, 128};
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char hex[33];
		md5_hex(buf, lens[i], hex);
		CHECK(strcmp(hex, prev) != 0);
		CHECK_EQ_INT(strlen(hex), 32);
		memcpy(prev, hex, 33);
	}
	char a[33], b[33];
	md5_hex("abc", 3, a);
	md5_hex("abd", 3, b);
	CHECK(strcmp(a, b) != 0);
}

int main(void)
{
	RUN(test_rfc1321_suite);
	RUN(test_apop_example);
	RUN(test_lengths_around_padding);
	return harness_done();
}

/* Tests of the end-of-data scanner of `mailsim bench tcp` (eod_scan.h):
 * fixed cases, then random streams split at random points, checked against
 * a plain search of "\r\n" + stream for "\r\n.\r\n". */
#include <stdlib.h>

#include "harness.h"
#include "sim/bench/eod_scan.h"
#include "sim/core/rng.h"

/* Offset in s just past the first mark, or -1 (the oracle). */
static long naive_end(const char *s, size_t len)
{
	char buf[512];
	if (len + 2 > sizeof buf)
		return -2;
	buf[0] = '\r', buf[1] = '\n';
	memcpy(buf + 2, s, len);
	for (size_t i = 0; i + 5 <= len + 2; i++)
		if (memcmp(buf + i, "\r\n.\r\n", 5) == 0)
			return (long)(i + 5 - 2);
	return -1;
}

/* Feeds s in chunks of the given sizes (cycled); returns the offset in s
 * just past the mark, or -1. */
static long feed_split(const char *s, size_t len, const size_t *sizes, size_t nsizes)
{
	struct eod_scan sc;
	eod_scan_start(&sc);
	size_t off = 0, k = 0;
	while (off < len) {
		size_t n = sizes[k++ % nsizes];
		if (n > len - off)
			n = len - off;
		long e = eod_scan_feed(&sc, (const uint8_t *)s + off, n);
		if (e >= 0)
			return (long)off + e;
		off += n;
	}
	return -1;
}

static long feed_whole(const char *s) { size_t one = strlen(s); return feed_split(s, one, &one, 1); }

static void test_fixed_cases(void)
{
	CHECK_EQ_INT(feed_whole(".\r\n"), 3);                      /* empty body */
	CHECK_EQ_INT(feed_whole("hello\r\n.\r\nMAIL"), 10);         /* trailing command kept */
	CHECK_EQ_INT(feed_whole("a\r\n..\r\nb\r\n.\r\n"), 13);      /* a stuffed dot does not end */
	CHECK_EQ_INT(feed_whole("a\n.\nb\r\n.\r\n"), 10);           /* bare LFs never end it */
	CHECK_EQ_INT(feed_whole("a\r\n.\nb\n.\r\nc\r\n.\r\n"), 16); /* half-bare marks neither */
	CHECK_EQ_INT(feed_whole("no end here\r\n."), -1);
	CHECK_EQ_INT(feed_whole("x.y\r\n.x\r\n"), -1);
}

static void test_every_split_point(void)
{
	const char *body = "line one\r\nline.two\r\n..dots\r\n.\r\nQUIT\r\n";
	size_t len = strlen(body);
	long want = naive_end(body, len);
	CHECK(want > 0);
	for (size_t a = 1; a <= len; a++)
		for (size_t b = 1; b <= 6; b++) {
			size_t sizes[2] = {a, b};
			CHECK_EQ_INT(feed_split(body, len, sizes, 2), want);
		}
	size_t one = 1;
	CHECK_EQ_INT(feed_split(body, len, &one, 1), want);
}

static void test_random_streams(void)
{
	static const char alphabet[] = "\r\n.a";
	struct rng r;
	rng_init_stream(&r, 7, "test.eod_scan");
	int found = 0;
	for (int iter = 0; iter < 20000; iter++) {
		char s[64];
		size_t len = (size_t)rng_range(&r, 0, (int64_t)sizeof s);
		for (size_t i = 0; i < len; i++)
			s[i] = alphabet[rng_below(&r, 4)];
		size_t sizes[4];
		for (size_t i = 0; i < 4; i++)
			sizes[i] = (size_t)rng_range(&r, 1, 9);
		long want = naive_end(s, len);
		long got = feed_split(s, len, sizes, 4);
		found += want >= 0;
		if (got != want) {
			CHECK_EQ_INT(got, want);
			break;
		}
	}
	printf("%d of 20000 streams held a mark\n", found);
	CHECK(found > 300); /* the random streams do exercise the mark */
}

int main(void)
{
	RUN(test_fixed_cases);
	RUN(test_every_split_point);
	RUN(test_random_streams);
	return harness_done();
}

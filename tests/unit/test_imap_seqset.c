/* Unit tests for protocols/imap_seqset: parsing, the cap on ranges,
 * membership with "*", ascending iteration, the UID "n:*" rule, and a
 * check against a plain bitmap for random sets. */
#include "protocols/imap_seqset.h"

#include <stdlib.h>

#include "protocols/proto_err.h"
#include "tests/unit/harness.h"

static struct imap_seqset *parse(const char *s)
{
	struct imap_seqset *set = NULL;
	if (imap_seqset_parse_str(s, strlen(s), 0, &set) < 0)
		return NULL;
	return set;
}

static const char *canon(struct imap_seqset *set, uint32_t star)
{
	static struct buf b;
	if (!b.max)
		buf_init(&b, 1 << 20);
	buf_reset(&b);
	imap_seqset_write(&b, set, star);
	return b.data ? b.data : "";
}

static void test_parse(void)
{
	struct imap_seqset *s = parse("2,4:7,9,12:*");
	REQUIRE(s);
	CHECK_EQ_INT(imap_seqset_count(s), 4);
	CHECK(imap_seqset_has_star(s));
	CHECK_STR(canon(s, 0), "2,4:7,9,12:*");
	CHECK_STR(canon(s, 15), "2,4:7,9,12:15");
	CHECK_STR(canon(s, 10), "2,4:7,9:12");
	imap_seqset_free(&s);
	CHECK(s == NULL);
	imap_seqset_free(&s);

	s = parse("*:4,5,1:2");
	REQUIRE(s);
	CHECK_STR(canon(s, 3), "1:5");
	imap_seqset_free(&s);

	/* The cursor stops before what cannot continue a set. */
	struct imap_cursor c;
	imap_cursor_init(&c, "1:3 (FLAGS)", 11);
	REQUIRE(imap_seqset_parse(&c, 0, &s) == 0);
	CHECK_EQ_INT(imap_peek(&c), ' ');
	imap_seqset_free(&s);
}

static void test_bad(void)
{
	const char *bad[] = {"",      "0",        "1:0",       "1,,2",  "1,",   ",1",          "a",   ":1",
			     "1:",    "1::2",     "4294967296", "1:4294967296", "-1", "99999999999999999999",
			     "*:",    "1:2:3x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct imap_seqset *s = NULL;
		struct imap_cursor c;
		imap_cursor_init(&c, bad[i], strlen(bad[i]));
		int rc = imap_seqset_parse(&c, 0, &s);
		if (rc == 0) {
			/* Some are a valid set followed by junk: the caller sees it. */
			CHECK(!imap_at_end(&c));
			imap_seqset_free(&s);
			CHECK(imap_seqset_parse_str(bad[i], strlen(bad[i]), 0, &s) == PROTO_EINVAL);
		} else {
			CHECK(rc == PROTO_EINVAL);
			CHECK(c.p == (const uint8_t *)bad[i]);
			CHECK(c.err != NULL);
		}
		CHECK(s == NULL);
	}
	struct imap_cursor c;
	imap_cursor_init(&c, "0", 1);
	struct imap_seqset *s = NULL;
	CHECK(imap_seqset_parse(&c, 0, &s) == PROTO_EINVAL);
	CHECK_STR(c.err, "0 is not a valid sequence number");
	imap_cursor_init(&c, "4294967296", 10);
	CHECK(imap_seqset_parse(&c, 0, &s) == PROTO_EINVAL);
	CHECK_STR(c.err, "sequence number too large");
}

static void test_explosion(void)
{
	struct buf b;
	buf_init(&b, 1 << 22);
	for (int i = 1; i <= 100000; i++)
		buf_printf(&b, i > 1 ? ",%d" : "%d", i);
	struct imap_cursor c;
	imap_cursor_init(&c, b.data, b.len);
	struct imap_seqset *s = NULL;
	CHECK(imap_seqset_parse(&c, 0, &s) == PROTO_ELIMIT);
	CHECK_STR(c.err, "too many ranges in sequence set");
	CHECK(c.p == (const uint8_t *)b.data);
	CHECK(s == NULL);
	/* Under a raised cap it is accepted and merges to one range. */
	imap_cursor_init(&c, b.data, b.len);
	CHECK(imap_seqset_parse(&c, 200000, &s) == 0);
	CHECK_STR(canon(s, 100000), "1:100000");
	imap_seqset_free(&s);
	/* A small cap. */
	imap_cursor_init(&c, "1,2,3", 5);
	CHECK(imap_seqset_parse(&c, 2, &s) == PROTO_ELIMIT);
	imap_cursor_init(&c, "1,2", 3);
	CHECK(imap_seqset_parse(&c, 2, &s) == 0);
	imap_seqset_free(&s);
	buf_free(&b);
}

static void test_contains_iter(void)
{
	struct imap_seqset *s = parse("2,4:7,9,12:*");
	REQUIRE(s);
	CHECK(!imap_seqset_contains(s, 1, 15));
	CHECK(imap_seqset_contains(s, 2, 15));
	CHECK(!imap_seqset_contains(s, 3, 15));
	CHECK(imap_seqset_contains(s, 5, 15));
	CHECK(imap_seqset_contains(s, 15, 15));
	CHECK(!imap_seqset_contains(s, 16, 15));
	CHECK(imap_seqset_contains(s, 10, 10)); /* 12:* with * = 10 is 10:12 */
	CHECK_EQ_INT(imap_seqset_max(s, 15), 15);
	CHECK_EQ_INT(imap_seqset_max(s, 10), 12);

	struct imap_seqset_iter it;
	uint32_t n, got[32];
	size_t k = 0;
	imap_seqset_iter_init(&it, s, 14, 14);
	while (imap_seqset_iter_next(&it, &n) && k < 32)
		got[k++] = n;
	uint32_t want[] = {2, 4, 5, 6, 7, 9, 12, 13, 14};
	CHECK_EQ_INT(k, sizeof want / sizeof want[0]);
	CHECK(memcmp(got, want, sizeof want) == 0);
	CHECK(!imap_seqset_iter_next(&it, &n));

	/* The limit clips iteration (7 of 14 messages exist). */
	k = 0;
	imap_seqset_iter_init(&it, s, 14, 6);
	while (imap_seqset_iter_next(&it, &n))
		k++;
	CHECK_EQ_INT(k, 4);
	imap_seqset_free(&s);

	/* 1:4294967295 iterates without expanding: only limit values are
	 * visited. */
	s = parse("1:4294967295");
	REQUIRE(s);
	k = 0;
	imap_seqset_iter_init(&it, s, 5, 3);
	while (imap_seqset_iter_next(&it, &n))
		k++;
	CHECK_EQ_INT(k, 3);
	CHECK(imap_seqset_contains(s, 4294967295u, 5));
	imap_seqset_free(&s);

	/* The last value of the number space ends iteration cleanly. */
	s = parse("4294967294:*");
	REQUIRE(s);
	k = 0;
	imap_seqset_iter_init(&it, s, 4294967295u, 4294967295u);
	while (imap_seqset_iter_next(&it, &n) && k < 5)
		k++;
	CHECK_EQ_INT(k, 2);
	imap_seqset_free(&s);

	/* "*" in an empty mailbox names nothing. */
	s = parse("*");
	REQUIRE(s);
	CHECK_EQ_INT(imap_seqset_max(s, 0), 0);
	CHECK(!imap_seqset_contains(s, 1, 0));
	imap_seqset_iter_init(&it, s, 0, 10);
	CHECK(!imap_seqset_iter_next(&it, &n));
	imap_seqset_free(&s);

	s = imap_seqset_new_range(1, 0);
	REQUIRE(s);
	CHECK_STR(canon(s, 0), "1:*");
	CHECK_STR(canon(s, 9), "1:9");
	imap_seqset_free(&s);
}

static void test_uid_star_rule(void)
{
	/* RFC 3501 6.4.8: "UID 100:*" with largest UID 42 must include 42. */
	struct imap_seqset *s = parse("100:*");
	REQUIRE(s);
	uint32_t uids[] = {3, 17, 42};
	int hits = 0;
	for (size_t i = 0; i < 3; i++)
		hits += imap_seqset_contains(s, uids[i], 42);
	CHECK_EQ_INT(hits, 1);
	CHECK(imap_seqset_contains(s, 42, 42));
	CHECK(!imap_seqset_contains(s, 17, 42));
	imap_seqset_free(&s);
}

/* Random sets against a bitmap, for membership and iteration alike. */
static void test_random(void)
{
	uint32_t seed = 12345;
	for (int round = 0; round < 300; round++) {
		struct buf b;
		buf_init(&b, 1 << 16);
		unsigned char map[70] = {0};
		seed = seed * 1103515245 + 12345;
		uint32_t star = (seed >> 16) % 60 + 1;
		int elems = (int)((seed >> 8) % 8) + 1;
		for (int e = 0; e < elems; e++) {
			seed = seed * 1103515245 + 12345;
			uint32_t a = (seed >> 16) % 64 + 1, bb = (seed >> 4) % 64 + 1;
			int sa = (seed & 7) == 0, sb = (seed & 0x70) == 0, range = (seed >> 12) & 1;
			uint32_t va = sa ? star : a, vb = sb ? star : bb;
			if (e)
				buf_putc(&b, ',');
			sa ? buf_putc(&b, '*') : buf_printf(&b, "%u", a);
			if (range) {
				buf_putc(&b, ':');
				sb ? buf_putc(&b, '*') : buf_printf(&b, "%u", bb);
			} else {
				vb = va;
			}
			for (uint32_t v = va < vb ? va : vb; v <= (va < vb ? vb : va); v++)
				map[v] = 1;
		}
		struct imap_seqset *s = parse(b.data);
		REQUIRE(s);
		for (uint32_t v = 1; v < 70; v++)
			CHECK(imap_seqset_contains(s, v, star) == map[v]);
		struct imap_seqset_iter it;
		uint32_t n, last = 0, count = 0, want = 0;
		imap_seqset_iter_init(&it, s, star, 69);
		while (imap_seqset_iter_next(&it, &n)) {
			CHECK(n > last && map[n]);
			last = n;
			count++;
		}
		for (uint32_t v = 1; v < 70; v++)
			want += map[v];
		CHECK_EQ_INT(count, want);
		imap_seqset_free(&s);
		buf_free(&b);
	}
}

int main(void)
{
	RUN(test_parse);
	RUN(test_bad);
	RUN(test_explosion);
	RUN(test_contains_iter);
	RUN(test_uid_star_rule);
	RUN(test_random);
	return harness_done();
}
